/* jm-json-scanner.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-json-scanner"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "jm-json-scanner.h"

G_DEFINE_QUARK (jm-json-scanner-error-quark, jm_json_scanner_error)

/* The scanner (DESIGN §14): json-glib 1.6 can only parse a whole document, so a large
 * array is split here into its elements, each parsed on its own. The scanner only tracks
 * what it needs to find where an element ends: whether it is inside a string, after a
 * backslash, and how deep it is in brackets. Whether the element is valid JSON is left to
 * the parser, so a broken element costs that element only.
 */

#define READ_SIZE (64 * 1024)

typedef enum
{
  STATE_START,          /* before the first non-space byte */
  STATE_OBJECT_KEY,     /* in the outer object, before a member (or its end) */
  STATE_OBJECT_NEXT,    /* in the outer object, after a member's value */
  STATE_ARRAY_FIRST,    /* just after `[` */
  STATE_ARRAY_NEXT,     /* after an element, before `,` or `]` */
  STATE_ARRAY_VALUE,    /* after `,`: an element must follow */
  STATE_TRAILER,        /* after the top-level value: only whitespace may follow */
  STATE_DONE,
  STATE_FAILED,
} ScannerState;

struct _JmJsonScanner
{
  GInputStream *stream;
  guint8       *buffer;
  gsize         length;
  gsize         position;
  gboolean      eof;
  guint64       offset;     /* bytes consumed before buffer[0] */

  GString      *element;
  gsize         max_element;
  guint64       index;
  ScannerState  state;
  gboolean      in_batch;   /* the array is the `batch` member of an object */
  gboolean      seen_batch;
};

JmJsonScanner *
jm_json_scanner_new (GInputStream *stream,
                     gsize         max_element)
{
  JmJsonScanner *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_new0 (JmJsonScanner, 1);
  self->stream = g_object_ref (stream);
  self->buffer = g_malloc (READ_SIZE);
  self->element = g_string_sized_new (4096);
  self->max_element = max_element > 0 ? max_element : JM_JSON_SCANNER_DEFAULT_MAX_ELEMENT;
  self->state = STATE_START;

  return self;
}

void
jm_json_scanner_free (JmJsonScanner *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->stream);
  g_free (self->buffer);
  g_string_free (self->element, TRUE);
  g_free (self);
}

guint64
jm_json_scanner_get_offset (JmJsonScanner *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->offset + self->position;
}

/* Makes sure at least one unread byte is buffered. FALSE at the end of the input or on
 * error (then `error` is set).
 */
static gboolean
fill (JmJsonScanner  *self,
      GCancellable   *cancellable,
      GError        **error)
{
  gssize n;

  if (self->position < self->length)
    return TRUE;
  if (self->eof)
    return FALSE;

  self->offset += self->length;
  self->length = 0;
  self->position = 0;

  n = g_input_stream_read (self->stream, self->buffer, READ_SIZE, cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      self->eof = TRUE;
      return FALSE;
    }

  self->length = (gsize) n;

  return TRUE;
}

static gboolean
is_space (guint8 c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips whitespace; returns the next byte without consuming it, -1 at the end of the
 * input, -2 on error.
 */
static int
peek_non_space (JmJsonScanner  *self,
                GCancellable   *cancellable,
                GError        **error)
{
  for (;;)
    {
      GError *local_error = NULL;

      if (!fill (self, cancellable, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              return -2;
            }
          return -1;
        }

      while (self->position < self->length)
        {
          guint8 c = self->buffer[self->position];

          if (!is_space (c))
            return c;
          self->position++;
        }
    }
}

typedef enum
{
  VALUE_OK,         /* the value ended before a delimiter at depth 0, left unread */
  VALUE_EOF,        /* the input ended inside the value */
  VALUE_ERROR,
} ValueResult;

/* Reads one value up to (not including) the `,`, `]` or `}` that ends it at depth 0.
 * When `store` is set, its bytes go to self->element, as long as they stay within the
 * limit; `*oversize` tells whether they did not.
 */
static ValueResult
scan_value (JmJsonScanner  *self,
            gboolean        store,
            gboolean       *oversize,
            GCancellable   *cancellable,
            GError        **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  gboolean closed = FALSE;   /* an object or array just ended at depth 0 */

  if (store)
    g_string_truncate (self->element, 0);
  *oversize = FALSE;

  for (;;)
    {
      GError *local_error = NULL;
      const guint8 *bytes;
      gsize available;
      gsize i;
      gboolean ended = FALSE;

      if (!fill (self, cancellable, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              return VALUE_ERROR;
            }
          /* A complete object or array cut off after its end is still whole. */
          if (closed)
            {
              if (store)
                {
                  while (self->element->len > 0 &&
                         is_space (self->element->str[self->element->len - 1]))
                    g_string_truncate (self->element, self->element->len - 1);
                }
              return VALUE_OK;
            }
          return VALUE_EOF;
        }

      bytes = self->buffer + self->position;
      available = self->length - self->position;

      for (i = 0; i < available; i++)
        {
          guint8 c = bytes[i];

          if (in_string)
            {
              if (escaped)
                escaped = FALSE;
              else if (c == '\\')
                escaped = TRUE;
              else if (c == '"')
                in_string = FALSE;
            }
          else if (c == '"')
            {
              in_string = TRUE;
            }
          else if (c == '{' || c == '[')
            {
              depth++;
              closed = FALSE;
            }
          else if (c == '}' || c == ']')
            {
              if (depth == 0)
                {
                  ended = TRUE;
                  break;
                }
              depth--;
              closed = depth == 0;
            }
          else if (c == ',' && depth == 0)
            {
              ended = TRUE;
              break;
            }
          else if (depth == 0 && !is_space (c))
            {
              closed = FALSE;
            }
        }

      if (store && !*oversize)
        {
          if (self->element->len + i > self->max_element)
            {
              *oversize = TRUE;
              g_string_truncate (self->element, 0);
            }
          else
            {
              g_string_append_len (self->element, (const char *) bytes, i);
            }
        }

      self->position += i;

      if (ended)
        {
          if (store)
            {
              while (self->element->len > 0 && is_space (self->element->str[self->element->len - 1]))
                g_string_truncate (self->element, self->element->len - 1);
            }
          return VALUE_OK;
        }
    }
}

static JmJsonScanResult
fail (JmJsonScanner       *self,
      GError             **error,
      JmJsonScannerError   code,
      const char          *format,
      ...) G_GNUC_PRINTF (4, 5);

static JmJsonScanResult
fail (JmJsonScanner       *self,
      GError             **error,
      JmJsonScannerError   code,
      const char          *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  self->state = STATE_FAILED;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, JM_JSON_SCANNER_ERROR, code, message);

  return JM_JSON_SCAN_FAILED;
}

static const char *
describe_byte (int   c,
               char *buffer)
{
  if (c < 0)
    return "the end of the input";
  if (c >= 0x20 && c < 0x7f)
    g_snprintf (buffer, 8, "'%c'", c);
  else
    g_snprintf (buffer, 8, "0x%02x", (guint) c);
  return buffer;
}

/* Reads an object member name (self->position at the opening quote). Only tells whether it
 * is exactly `batch`; other names are skipped.
 */
static ValueResult
scan_key (JmJsonScanner  *self,
          gboolean       *is_batch,
          GCancellable   *cancellable,
          GError        **error)
{
  char name[8];
  gsize n = 0;
  gboolean escaped = FALSE;
  gboolean overflow = FALSE;

  self->position++;

  for (;;)
    {
      GError *local_error = NULL;
      guint8 c;

      if (!fill (self, cancellable, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              return VALUE_ERROR;
            }
          return VALUE_EOF;
        }

      c = self->buffer[self->position++];

      if (escaped)
        {
          escaped = FALSE;
          overflow = TRUE;
          continue;
        }
      if (c == '\\')
        {
          escaped = TRUE;
          continue;
        }
      if (c == '"')
        break;

      if (n < sizeof name)
        name[n++] = (char) c;
      else
        overflow = TRUE;
    }

  *is_batch = !overflow && n == 5 && memcmp (name, "batch", 5) == 0;

  return VALUE_OK;
}

/* A UTF-8 byte order mark is not JSON, but editors write it. FALSE when the bytes are not
 * a BOM after all (or on error).
 */
static gboolean
skip_bom (JmJsonScanner  *self,
          GCancellable   *cancellable,
          GError        **error)
{
  static const guint8 bom[] = { 0xef, 0xbb, 0xbf };

  for (guint i = 0; i < G_N_ELEMENTS (bom); i++)
    {
      if (!fill (self, cancellable, error) || self->buffer[self->position] != bom[i])
        return FALSE;
      self->position++;
    }

  return TRUE;
}

JmJsonScanResult
jm_json_scanner_next (JmJsonScanner  *self,
                      const char    **element,
                      gsize          *length,
                      guint64        *index,
                      GCancellable   *cancellable,
                      GError        **error)
{
  char what[8];

  g_return_val_if_fail (self != NULL, JM_JSON_SCAN_FAILED);
  g_return_val_if_fail (error == NULL || *error == NULL, JM_JSON_SCAN_FAILED);

  for (;;)
    {
      int c;

      if (index != NULL)
        *index = self->index;

      if (self->state == STATE_DONE)
        return JM_JSON_SCAN_END;
      if (self->state == STATE_FAILED)
        return fail (self, error, JM_JSON_SCANNER_ERROR_SYNTAX, "Scanning already failed");

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          self->state = STATE_FAILED;
          return JM_JSON_SCAN_FAILED;
        }

      c = peek_non_space (self, cancellable, error);
      if (c == -2)
        {
          self->state = STATE_FAILED;
          return JM_JSON_SCAN_FAILED;
        }

      switch (self->state)
        {
        case STATE_START:
          if (c == 0xef && self->offset + self->position == 0)
            {
              if (!skip_bom (self, cancellable, error))
                {
                  if (error != NULL && *error != NULL)
                    {
                      self->state = STATE_FAILED;
                      return JM_JSON_SCAN_FAILED;
                    }
                  return fail (self, error, JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                               "Expected a JSON array or an object with a \"batch\" array");
                }
              continue;
            }
          if (c == '[')
            {
              self->position++;
              self->state = STATE_ARRAY_FIRST;
            }
          else if (c == '{')
            {
              self->position++;
              self->state = STATE_OBJECT_KEY;
            }
          else
            {
              return fail (self, error, JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                           "Expected a JSON array or an object with a \"batch\" array, "
                           "found %s", describe_byte (c, what));
            }
          break;

        case STATE_OBJECT_KEY:
          if (c == '}' && !self->seen_batch)
            return fail (self, error, JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                         "The object has no \"batch\" array");
          if (c == '}')
            {
              self->position++;
              self->state = STATE_TRAILER;
            }
          else if (c == '"')
            {
              gboolean is_batch = FALSE;
              gboolean oversize;
              ValueResult result;

              result = scan_key (self, &is_batch, cancellable, error);
              if (result == VALUE_ERROR)
                {
                  self->state = STATE_FAILED;
                  return JM_JSON_SCAN_FAILED;
                }

              c = result == VALUE_OK ? peek_non_space (self, cancellable, error) : -1;
              if (c == -2)
                {
                  self->state = STATE_FAILED;
                  return JM_JSON_SCAN_FAILED;
                }
              if (c != ':')
                return fail (self, error,
                             self->seen_batch ? JM_JSON_SCANNER_ERROR_SYNTAX
                                              : JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                             "Expected ':' after a member name, found %s",
                             describe_byte (c, what));
              self->position++;

              if (is_batch && !self->seen_batch)
                {
                  c = peek_non_space (self, cancellable, error);
                  if (c == -2)
                    {
                      self->state = STATE_FAILED;
                      return JM_JSON_SCAN_FAILED;
                    }
                  if (c != '[')
                    return fail (self, error, JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                                 "\"batch\" is not an array");
                  self->position++;
                  self->seen_batch = TRUE;
                  self->in_batch = TRUE;
                  self->state = STATE_ARRAY_FIRST;
                  break;
                }

              result = scan_value (self, FALSE, &oversize, cancellable, error);
              if (result == VALUE_ERROR)
                {
                  self->state = STATE_FAILED;
                  return JM_JSON_SCAN_FAILED;
                }
              if (result == VALUE_EOF)
                return fail (self, error,
                             self->seen_batch ? JM_JSON_SCANNER_ERROR_TRUNCATED
                                              : JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                             "The input ends inside the object");
              self->state = STATE_OBJECT_NEXT;
            }
          else
            {
              return fail (self, error,
                           self->seen_batch ? JM_JSON_SCANNER_ERROR_SYNTAX
                                            : JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                           "Expected a member name, found %s", describe_byte (c, what));
            }
          break;

        case STATE_OBJECT_NEXT:
          if (c == ',')
            {
              self->position++;
              self->state = STATE_OBJECT_KEY;
            }
          else if (c == '}')
            {
              self->state = STATE_OBJECT_KEY;
            }
          else
            {
              return fail (self, error,
                           self->seen_batch ? JM_JSON_SCANNER_ERROR_SYNTAX
                                            : JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,
                           "Expected ',' or '}' in the object, found %s",
                           describe_byte (c, what));
            }
          break;

        case STATE_ARRAY_FIRST:
        case STATE_ARRAY_VALUE:
        case STATE_ARRAY_NEXT:
          if (c == -1)
            return fail (self, error, JM_JSON_SCANNER_ERROR_TRUNCATED,
                         "The input ends after element %" G_GUINT64_FORMAT
                         " without closing the array", self->index);

          if (self->state == STATE_ARRAY_NEXT)
            {
              if (c == ',')
                {
                  self->position++;
                  self->state = STATE_ARRAY_VALUE;
                }
              else if (c == ']')
                {
                  self->position++;
                  self->state = self->in_batch ? STATE_OBJECT_NEXT : STATE_TRAILER;
                  self->in_batch = FALSE;
                }
              else
                {
                  return fail (self, error, JM_JSON_SCANNER_ERROR_SYNTAX,
                               "Expected ',' or ']' after element %" G_GUINT64_FORMAT
                               ", found %s", self->index, describe_byte (c, what));
                }
              break;
            }

          if (c == ']' && self->state == STATE_ARRAY_FIRST)
            {
              self->position++;
              self->state = self->in_batch ? STATE_OBJECT_NEXT : STATE_TRAILER;
              self->in_batch = FALSE;
              break;
            }

          self->index++;
          if (index != NULL)
            *index = self->index;
          self->state = STATE_ARRAY_NEXT;

          if (c == ',' || c == ']' || c == '}')
            {
              g_set_error (error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_EMPTY,
                           "Element %" G_GUINT64_FORMAT " is empty", self->index);
              return JM_JSON_SCAN_SKIPPED;
            }

          {
            gboolean oversize;
            ValueResult result;

            result = scan_value (self, TRUE, &oversize, cancellable, error);
            if (result == VALUE_ERROR)
              {
                self->state = STATE_FAILED;
                return JM_JSON_SCAN_FAILED;
              }
            if (result == VALUE_EOF)
              return fail (self, error, JM_JSON_SCANNER_ERROR_TRUNCATED,
                           "The input ends inside element %" G_GUINT64_FORMAT, self->index);
            if (oversize)
              {
                g_set_error (error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_TOO_LARGE,
                             "Element %" G_GUINT64_FORMAT " is larger than %" G_GSIZE_FORMAT
                             " bytes", self->index, self->max_element);
                return JM_JSON_SCAN_SKIPPED;
              }

            if (element != NULL)
              *element = self->element->str;
            if (length != NULL)
              *length = self->element->len;
            return JM_JSON_SCAN_ELEMENT;
          }

        case STATE_TRAILER:
          if (c != -1)
            return fail (self, error, JM_JSON_SCANNER_ERROR_SYNTAX,
                         "Unexpected %s after the end of the array", describe_byte (c, what));
          self->state = STATE_DONE;
          break;

        case STATE_DONE:
        case STATE_FAILED:
        default:
          g_assert_not_reached ();
        }

    }
}

/* The parser. */

#define MAX_DEPTH 128

typedef struct
{
  const char  *start;
  const char  *p;
  const char  *end;
  GString     *scratch;
  guint        depth;
  GError     **error;
} Parser;

static JsonNode *
parser_fail (Parser     *ps,
             const char *at,
             const char *reason)
{
  char what[8];

  if (at >= ps->end)
    g_set_error (ps->error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_INVALID,
                 "%s at the end of the input", reason);
  else
    g_set_error (ps->error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_INVALID,
                 "%s (%s) at column %" G_GSIZE_FORMAT, reason,
                 describe_byte ((guchar) *at, what), (gsize) (at - ps->start) + 1);

  return NULL;
}

static inline void
skip_space (Parser *ps)
{
  while (ps->p < ps->end && is_space ((guint8) *ps->p))
    ps->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (const char *p,
           const char *end,
           gunichar   *out)
{
  gunichar value = 0;

  if (end - p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return FALSE;
      value = (value << 4) | (gunichar) digit;
    }

  *out = value;

  return TRUE;
}

/* Reads a string (ps->p at the opening quote) into ps->scratch, NUL-terminated. */
static gboolean
parse_string (Parser *ps)
{
  const char *p = ps->p + 1;
  const char *run = p;
  gboolean high = FALSE;

  g_string_truncate (ps->scratch, 0);

  while (p < ps->end)
    {
      guchar c = (guchar) *p;

      if (c == '"')
        {
          g_string_append_len (ps->scratch, run, p - run);
          if (high && !g_utf8_validate_len (ps->scratch->str, ps->scratch->len, NULL))
            {
              parser_fail (ps, ps->p, "Invalid UTF-8 in string");
              return FALSE;
            }
          ps->p = p + 1;
          return TRUE;
        }

      if (c == '\\')
        {
          g_string_append_len (ps->scratch, run, p - run);
          p++;
          if (p >= ps->end)
            break;

          switch (*p)
            {
            case '"':  g_string_append_c (ps->scratch, '"'); break;
            case '\\': g_string_append_c (ps->scratch, '\\'); break;
            case '/':  g_string_append_c (ps->scratch, '/'); break;
            case 'b':  g_string_append_c (ps->scratch, '\b'); break;
            case 'f':  g_string_append_c (ps->scratch, '\f'); break;
            case 'n':  g_string_append_c (ps->scratch, '\n'); break;
            case 'r':  g_string_append_c (ps->scratch, '\r'); break;
            case 't':  g_string_append_c (ps->scratch, '\t'); break;
            case 'u':
              {
                gunichar unit;

                if (!read_hex4 (p + 1, ps->end, &unit))
                  {
                    parser_fail (ps, p - 1, "Invalid \\u escape");
                    return FALSE;
                  }
                p += 4;

                if (unit >= 0xd800 && unit <= 0xdbff)
                  {
                    gunichar low;

                    if (ps->end - p < 7 || p[1] != '\\' || p[2] != 'u' ||
                        !read_hex4 (p + 3, ps->end, &low) || low < 0xdc00 || low > 0xdfff)
                      {
                        parser_fail (ps, p - 5, "Unpaired UTF-16 surrogate in \\u escape");
                        return FALSE;
                      }
                    unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    p += 6;
                  }
                else if (unit >= 0xdc00 && unit <= 0xdfff)
                  {
                    parser_fail (ps, p - 5, "Unpaired UTF-16 surrogate in \\u escape");
                    return FALSE;
                  }
                else if (unit == 0)
                  {
                    /* A NUL would silently cut the string short everywhere downstream. */
                    parser_fail (ps, p - 5, "\\u0000 is not allowed in a string");
                    return FALSE;
                  }

                g_string_append_unichar (ps->scratch, unit);
              }
              break;

            default:
              parser_fail (ps, p - 1, "Invalid escape in string");
              return FALSE;
            }

          p++;
          run = p;
          continue;
        }

      if (c < 0x20)
        {
          parser_fail (ps, p, "Control character in string");
          return FALSE;
        }

      if (c >= 0x80)
        high = TRUE;

      p++;
    }

  parser_fail (ps, ps->end, "Unterminated string");

  return FALSE;
}

static JsonNode *
parse_number (Parser *ps)
{
  const char *start = ps->p;
  const char *p = ps->p;
  gboolean is_integer = TRUE;
  char buffer[64];
  gsize length;

  if (*p == '-')
    p++;

  if (p < ps->end && *p == '0')
    {
      p++;
    }
  else if (p < ps->end && *p >= '1' && *p <= '9')
    {
      while (p < ps->end && g_ascii_isdigit (*p))
        p++;
    }
  else
    {
      return parser_fail (ps, p, "Invalid number");
    }

  if (p < ps->end && *p == '.')
    {
      p++;
      if (p >= ps->end || !g_ascii_isdigit (*p))
        return parser_fail (ps, p, "Invalid number");
      while (p < ps->end && g_ascii_isdigit (*p))
        p++;
      is_integer = FALSE;
    }

  if (p < ps->end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < ps->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= ps->end || !g_ascii_isdigit (*p))
        return parser_fail (ps, p, "Invalid number");
      while (p < ps->end && g_ascii_isdigit (*p))
        p++;
      is_integer = FALSE;
    }

  ps->p = p;
  length = p - start;

  if (is_integer && length <= 18)
    {
      const char *q = start;
      gboolean negative = *q == '-';
      gint64 value = 0;

      if (negative)
        q++;
      for (; q < p; q++)
        value = value * 10 + (*q - '0');

      return json_node_init_int (json_node_alloc (), negative ? -value : value);
    }

  if (length >= sizeof buffer)
    {
      g_string_truncate (ps->scratch, 0);
      g_string_append_len (ps->scratch, start, length);
    }
  else
    {
      memcpy (buffer, start, length);
      buffer[length] = '\0';
    }

  {
    const char *text = length >= sizeof buffer ? ps->scratch->str : buffer;
    double value;

    if (is_integer)
      {
        gint64 integer;

        errno = 0;
        integer = g_ascii_strtoll (text, NULL, 10);
        if (errno == 0)
          return json_node_init_int (json_node_alloc (), integer);
      }

    value = g_ascii_strtod (text, NULL);
    if (!isfinite (value))
      return parser_fail (ps, start, "Number out of range");

    return json_node_init_double (json_node_alloc (), value);
  }
}

static JsonNode *parse_value (Parser *ps);

static JsonNode *
parse_object (Parser *ps)
{
  JsonObject *object;
  JsonNode *node;

  if (++ps->depth > MAX_DEPTH)
    return parser_fail (ps, ps->p, "Nesting too deep");

  object = json_object_new ();
  ps->p++;
  skip_space (ps);

  if (ps->p < ps->end && *ps->p == '}')
    {
      ps->p++;
    }
  else
    {
      for (;;)
        {
          char key_buffer[128];
          char *key;
          JsonNode *value;

          skip_space (ps);
          if (ps->p >= ps->end || *ps->p != '"')
            {
              json_object_unref (object);
              return parser_fail (ps, ps->p, "Expected a member name");
            }
          if (!parse_string (ps))
            {
              json_object_unref (object);
              return NULL;
            }

          /* The scratch buffer is reused by the value, so the name moves out of it. */
          if (ps->scratch->len < sizeof key_buffer)
            key = memcpy (key_buffer, ps->scratch->str, ps->scratch->len + 1);
          else
            key = g_strndup (ps->scratch->str, ps->scratch->len);

          skip_space (ps);
          if (ps->p >= ps->end || *ps->p != ':')
            {
              if (key != key_buffer)
                g_free (key);
              json_object_unref (object);
              return parser_fail (ps, ps->p, "Expected ':' after a member name");
            }
          ps->p++;

          value = parse_value (ps);
          if (value == NULL)
            {
              if (key != key_buffer)
                g_free (key);
              json_object_unref (object);
              return NULL;
            }

          json_object_set_member (object, key, value);
          if (key != key_buffer)
            g_free (key);

          skip_space (ps);
          if (ps->p < ps->end && *ps->p == ',')
            {
              ps->p++;
              continue;
            }
          if (ps->p < ps->end && *ps->p == '}')
            {
              ps->p++;
              break;
            }

          json_object_unref (object);
          return parser_fail (ps, ps->p, "Expected ',' or '}' in an object");
        }
    }

  ps->depth--;

  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);

  return node;
}

static JsonNode *
parse_array (Parser *ps)
{
  JsonArray *array;
  JsonNode *node;

  if (++ps->depth > MAX_DEPTH)
    return parser_fail (ps, ps->p, "Nesting too deep");

  array = json_array_new ();
  ps->p++;
  skip_space (ps);

  if (ps->p < ps->end && *ps->p == ']')
    {
      ps->p++;
    }
  else
    {
      for (;;)
        {
          JsonNode *value = parse_value (ps);

          if (value == NULL)
            {
              json_array_unref (array);
              return NULL;
            }
          json_array_add_element (array, value);

          skip_space (ps);
          if (ps->p < ps->end && *ps->p == ',')
            {
              ps->p++;
              continue;
            }
          if (ps->p < ps->end && *ps->p == ']')
            {
              ps->p++;
              break;
            }

          json_array_unref (array);
          return parser_fail (ps, ps->p, "Expected ',' or ']' in an array");
        }
    }

  ps->depth--;

  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);

  return node;
}

static gboolean
match_literal (Parser     *ps,
               const char *literal,
               gsize       length)
{
  if ((gsize) (ps->end - ps->p) < length || memcmp (ps->p, literal, length) != 0)
    return FALSE;

  ps->p += length;

  return TRUE;
}

static JsonNode *
parse_value (Parser *ps)
{
  skip_space (ps);

  if (ps->p >= ps->end)
    return parser_fail (ps, ps->p, "Expected a value");

  switch (*ps->p)
    {
    case '{':
      return parse_object (ps);

    case '[':
      return parse_array (ps);

    case '"':
      if (!parse_string (ps))
        return NULL;
      return json_node_init_string (json_node_alloc (), ps->scratch->str);

    case 't':
      if (match_literal (ps, "true", 4))
        return json_node_init_boolean (json_node_alloc (), TRUE);
      break;

    case 'f':
      if (match_literal (ps, "false", 5))
        return json_node_init_boolean (json_node_alloc (), FALSE);
      break;

    case 'n':
      if (match_literal (ps, "null", 4))
        return json_node_init_null (json_node_alloc ());
      break;

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return parse_number (ps);

    default:
      break;
    }

  return parser_fail (ps, ps->p, "Unexpected character");
}

JsonNode *
jm_json_parse (const char  *data,
               gsize        length,
               GError     **error)
{
  g_autoptr(GString) scratch = NULL;
  Parser ps;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scratch = g_string_sized_new (256);
  ps.start = data;
  ps.p = data;
  ps.end = data + length;
  ps.scratch = scratch;
  ps.depth = 0;
  ps.error = error;

  /* A byte order mark is tolerated at the very start, as JsonParser does. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    ps.p += 3;

  root = parse_value (&ps);
  if (root == NULL)
    return NULL;

  skip_space (&ps);
  if (ps.p < ps.end)
    {
      json_node_unref (root);
      return parser_fail (&ps, ps.p, "Unexpected data after the value");
    }

  return root;
}
