/* jm-csv-reader.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-csv-reader"

#include "config.h"

#include <string.h>

#include "jm-csv-reader.h"

G_DEFINE_QUARK (jm-csv-error-quark, jm_csv_error)

#define READ_SIZE (64 * 1024)

typedef enum
{
  FIELD_START,
  FIELD_UNQUOTED,
  FIELD_QUOTED,
  FIELD_QUOTE_SEEN,   /* a quote inside a quoted field: a doubled quote, or its end */
} FieldState;

struct _JmCsvReader
{
  GInputStream *stream;
  guint8       *buffer;
  gsize         length;
  gsize         position;
  gboolean      eof;
  gboolean      started;
  guint64       offset;

  /* The current record: every field NUL-terminated, one after the other. */
  GString      *data;
  GArray       *starts;

  guint64       line;          /* line of the next unread byte */
  gboolean      after_cr;
  guint64       record_line;

  char        **header;
  guint         n_columns;
  gboolean      header_read;
};

JmCsvReader *
jm_csv_reader_new (GInputStream *stream)
{
  JmCsvReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_new0 (JmCsvReader, 1);
  self->stream = g_object_ref (stream);
  self->buffer = g_malloc (READ_SIZE);
  self->data = g_string_sized_new (1024);
  self->starts = g_array_sized_new (FALSE, FALSE, sizeof (gsize), 32);
  self->line = 1;

  return self;
}

void
jm_csv_reader_free (JmCsvReader *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->stream);
  g_free (self->buffer);
  g_string_free (self->data, TRUE);
  g_array_unref (self->starts);
  g_strfreev (self->header);
  g_free (self);
}

static gboolean
fill (JmCsvReader   *self,
      GCancellable  *cancellable,
      GError       **error)
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
  if (n <= 0)
    {
      self->eof = n == 0;
      return FALSE;
    }
  self->length = (gsize) n;

  return TRUE;
}

/* Skips a UTF-8 byte order mark at the start of the input. A text starting with only part
 * of one is not UTF-8 anyway, so what is consumed of it does not matter.
 */
static gboolean
skip_bom (JmCsvReader   *self,
          GCancellable  *cancellable,
          GError       **error)
{
  static const guint8 bom[] = { 0xef, 0xbb, 0xbf };

  self->started = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (bom); i++)
    {
      if (!fill (self, cancellable, error))
        return error == NULL || *error == NULL;
      if (self->buffer[self->position] != bom[i])
        return TRUE;
      self->position++;
    }

  return TRUE;
}

static void
end_field (JmCsvReader *self)
{
  gsize start;

  g_string_append_c (self->data, '\0');
  start = self->data->len;
  g_array_append_val (self->starts, start);
}

static JmCsvResult
malformed (JmCsvReader  *self,
           GError      **error,
           const char   *message)
{
  g_set_error_literal (error, JM_CSV_ERROR, JM_CSV_ERROR_MALFORMED, message);
  return JM_CSV_MALFORMED;
}

static JmCsvResult
read_record (JmCsvReader   *self,
             GCancellable  *cancellable,
             GError       **error)
{
  FieldState state = FIELD_START;
  gboolean any = FALSE;
  gboolean oversize = FALSE;
  gboolean high = FALSE;
  gboolean nul = FALSE;
  gsize first = 0;

  g_string_truncate (self->data, 0);
  g_array_set_size (self->starts, 0);
  g_array_append_val (self->starts, first);

  if (!self->started)
    {
      GError *local_error = NULL;

      if (!skip_bom (self, cancellable, &local_error))
        {
          g_propagate_error (error, local_error);
          return JM_CSV_FAILED;
        }
    }

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
              return JM_CSV_FAILED;
            }
          if (!any)
            return JM_CSV_END;
          if (state == FIELD_QUOTED)
            {
              g_autofree char *message =
                g_strdup_printf ("Unterminated quoted field: the quote opened in the record "
                                 "starting on line %" G_GUINT64_FORMAT " is never closed",
                                 self->record_line);
              return malformed (self, error, message);
            }
          g_string_append_c (self->data, '\0');
          break;
        }

      bytes = self->buffer + self->position;
      available = self->length - self->position;

      for (i = 0; i < available && !ended; i++)
        {
          guint8 c = bytes[i];
          gboolean newline = c == '\n' || c == '\r';

          if (c == '\n')
            {
              if (!self->after_cr)
                self->line++;
              self->after_cr = FALSE;
            }
          else if (c == '\r')
            {
              self->line++;
              self->after_cr = TRUE;
            }
          else
            {
              self->after_cr = FALSE;
            }

          if (!any)
            {
              if (newline)
                continue;
              any = TRUE;
              self->record_line = self->line;
            }

          if (c >= 0x80)
            high = TRUE;
          else if (c == 0)
            nul = TRUE;

          if (G_UNLIKELY (self->data->len >= JM_CSV_READER_MAX_RECORD))
            {
              oversize = TRUE;
              g_string_truncate (self->data, 0);
              g_array_set_size (self->starts, 1);
            }

          switch (state)
            {
            case FIELD_START:
              if (c == '"')
                state = FIELD_QUOTED;
              else if (c == ',')
                end_field (self);
              else if (newline)
                ended = TRUE;
              else
                {
                  g_string_append_c (self->data, (char) c);
                  state = FIELD_UNQUOTED;
                }
              break;

            case FIELD_UNQUOTED:
              if (c == ',')
                {
                  end_field (self);
                  state = FIELD_START;
                }
              else if (newline)
                ended = TRUE;
              else
                g_string_append_c (self->data, (char) c);
              break;

            case FIELD_QUOTED:
              if (c == '"')
                state = FIELD_QUOTE_SEEN;
              else
                g_string_append_c (self->data, (char) c);
              break;

            case FIELD_QUOTE_SEEN:
              if (c == '"')
                {
                  g_string_append_c (self->data, '"');
                  state = FIELD_QUOTED;
                }
              else if (c == ',')
                {
                  end_field (self);
                  state = FIELD_START;
                }
              else if (newline)
                ended = TRUE;
              else
                {
                  /* Text after a closing quote (`"a"b`) is kept, as most readers do. */
                  g_string_append_c (self->data, (char) c);
                  state = FIELD_UNQUOTED;
                }
              break;

            default:
              g_assert_not_reached ();
            }
        }

      self->position += i;

      if (ended)
        {
          g_string_append_c (self->data, '\0');
          break;
        }
    }

  if (oversize)
    return malformed (self, error, "The record is longer than 1 MB");

  if (nul)
    return malformed (self, error, "The record contains a NUL byte");

  if (high)
    {
      for (guint i = 0; i < self->starts->len; i++)
        {
          gsize length;
          const char *field = jm_csv_reader_get_field (self, i, &length);

          if (!g_utf8_validate_len (field, length, NULL))
            return malformed (self, error,
                              "The record is not valid UTF-8 (save the file as UTF-8)");
        }
    }

  return JM_CSV_RECORD;
}

gboolean
jm_csv_reader_read_header (JmCsvReader   *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  JmCsvResult result;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->header_read, FALSE);

  result = read_record (self, cancellable, error);
  if (result == JM_CSV_END)
    {
      g_set_error_literal (error, JM_CSV_ERROR, JM_CSV_ERROR_NO_HEADER,
                           "The file is empty: it has no header row");
      return FALSE;
    }
  if (result != JM_CSV_RECORD)
    return FALSE;

  self->n_columns = self->starts->len;
  self->header = g_new0 (char *, self->n_columns + 1);
  for (guint i = 0; i < self->n_columns; i++)
    self->header[i] = g_strdup (jm_csv_reader_get_field (self, i, NULL));
  self->header_read = TRUE;

  return TRUE;
}

const char * const *
jm_csv_reader_get_header (JmCsvReader *self,
                          guint       *n_columns)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_columns != NULL)
    *n_columns = self->n_columns;

  return (const char * const *) self->header;
}

JmCsvResult
jm_csv_reader_next (JmCsvReader   *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  JmCsvResult result;

  g_return_val_if_fail (self != NULL, JM_CSV_FAILED);
  g_return_val_if_fail (error == NULL || *error == NULL, JM_CSV_FAILED);

  if (!self->header_read)
    {
      GError *local_error = NULL;

      if (!jm_csv_reader_read_header (self, cancellable, &local_error))
        {
          if (g_error_matches (local_error, JM_CSV_ERROR, JM_CSV_ERROR_NO_HEADER))
            {
              g_error_free (local_error);
              return JM_CSV_END;
            }
          g_propagate_error (error, local_error);
          return JM_CSV_FAILED;
        }
    }

  result = read_record (self, cancellable, error);

  if (result == JM_CSV_RECORD && self->starts->len != self->n_columns)
    {
      g_autofree char *message =
        g_strdup_printf ("Expected %u fields as in the header, found %u",
                         self->n_columns, self->starts->len);
      return malformed (self, error, message);
    }

  return result;
}

guint
jm_csv_reader_get_n_fields (JmCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->starts->len;
}

const char *
jm_csv_reader_get_field (JmCsvReader *self,
                         guint        index,
                         gsize       *length)
{
  gsize start;
  gsize end;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->starts->len, NULL);

  start = g_array_index (self->starts, gsize, index);
  end = index + 1 < self->starts->len ? g_array_index (self->starts, gsize, index + 1)
                                      : self->data->len;

  /* `end` is one past the field's NUL. */
  if (length != NULL)
    *length = end - start - 1;

  return self->data->str + start;
}

guint64
jm_csv_reader_get_line (JmCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->record_line;
}

guint64
jm_csv_reader_get_offset (JmCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->offset + self->position;
}
