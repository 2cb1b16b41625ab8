/* jm-ingest-request.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-ingest"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "jm-ingest-request-private.h"
#include "jm-json-scanner.h"

/* The request bodies of the Segment, PostHog and native routes (DESIGN §4) turned into
 * events. The body is parsed once into a tree (jm_json_parse(), several times faster than
 * JsonParser); every item is then read in place: the events share their properties and
 * context objects with the tree instead of copying them.
 *
 * Segment-spec messages (the Segment routes and the native one) are read by
 * jm_event_new_from_json(), after these request-level rules of Segment's tracking API:
 *   - the batch's `context` fills in the top-level keys a message's context lacks (the
 *     batch's `integrations` are not kept: our model has no integrations);
 *   - `writeKey` (batch or message) is the request's key; a message naming another is
 *     rejected, so that it is never stored under the wrong project;
 *   - clock skew: a message with a timestamp (or originalTimestamp) and a `sentAt` (its
 *     own, else the batch's) is timed `now − (sentAt − timestamp)`;
 *   - a single-message route implies the type; a message of another type is rejected;
 *   - an item larger than max_event_bytes (measured as compact JSON) is rejected, or makes
 *     a single-message body TOO_LARGE;
 *   - a client's receivedAt is not kept: the store stamps the time of arrival.
 * PostHog events are read by jm-posthog-message.c.
 */

/* Bounds of a representable time (years 0000 to 9999), as jm_time_parse() accepts. */
#define MIN_TIME_MS G_GINT64_CONSTANT (-62167219200000)
#define MAX_TIME_MS G_GINT64_CONSTANT (253402300799999)

/* Output is decompressed through a buffer of this size and copied out, so the result never
 * grows past the allowed size, not even for a moment.
 */
#define GUNZIP_CHUNK_BYTES 16384

G_DEFINE_QUARK (jm-ingest-error-quark, jm_ingest_error)

void
jm_ingest_limits_init_default (JmIngestLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_event_bytes = JM_EVENT_MAX_BYTES;
  limits->max_body_bytes = 500 * 1000;
  limits->max_decompressed_bytes = 10 * 1000 * 1000;
  limits->max_ratio = 100;
}

const char *
jm_ingest_node_kind (JsonNode *node)
{
  if (node == NULL)
    return "missing";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_STRING:
      return "a string";
    default:
      return "a number";
    }
}

gboolean
jm_ingest_correct_time (gint64  now_ms,
                        gint64  sent_at,
                        gint64  ts,
                        gint64 *out_ms)
{
  gint64 result;

  /* Both inputs are parsed times, so the difference cannot overflow; `now_ms` is the
   * caller's clock, checked like any other time.
   */
  if (sent_at < MIN_TIME_MS || sent_at > MAX_TIME_MS || ts < MIN_TIME_MS || ts > MAX_TIME_MS ||
      now_ms < MIN_TIME_MS || now_ms > MAX_TIME_MS)
    return FALSE;

  result = now_ms - (sent_at - ts);
  if (result < MIN_TIME_MS || result > MAX_TIME_MS)
    return FALSE;

  *out_ms = result;

  return TRUE;
}

/* gzip ----------------------------------------------------------------------------------- */

GBytes *
jm_ingest_gunzip (GBytes               *body,
                  const JmIngestLimits *limits,
                  GError              **error)
{
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  g_autofree guint8 *out = NULL;
  guint8 chunk[GUNZIP_CHUNK_BYTES];
  const guint8 *in;
  gsize in_length;
  gsize in_offset = 0;
  gsize out_length = 0;
  gsize out_allocated = 0;
  gsize cap;
  gboolean by_ratio = FALSE;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (limits != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  in = g_bytes_get_data (body, &in_length);
  if (in == NULL)
    in = (const guint8 *) "";

  /* The output may not exceed the absolute cap nor max_ratio times the input, whichever
   * is smaller: a few kilobytes of zeros must not become megabytes in memory.
   */
  cap = limits->max_decompressed_bytes;
  if (limits->max_ratio > 0 && in_length <= cap / limits->max_ratio)
    {
      cap = in_length * limits->max_ratio;
      by_ratio = TRUE;
    }

  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      GConverterResult result;
      gsize bytes_read = 0;
      gsize bytes_written = 0;

      result = g_converter_convert (G_CONVERTER (decompressor),
                                    in + in_offset, in_length - in_offset,
                                    chunk, sizeof chunk,
                                    G_CONVERTER_INPUT_AT_END,
                                    &bytes_read, &bytes_written, &local_error);
      if (result == G_CONVERTER_ERROR)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                         "the gzip body is damaged: it ends before the compressed data "
                         "does (%" G_GSIZE_FORMAT " bytes received)", in_length);
          else
            g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                         "the gzip body is damaged: %s (at byte %" G_GSIZE_FORMAT ")",
                         local_error->message, in_offset);
          return NULL;
        }

      in_offset += bytes_read;

      if (bytes_written > cap - out_length)
        {
          if (by_ratio)
            g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE,
                         "the gzip body expands more than %u times (%" G_GSIZE_FORMAT
                         " compressed bytes); send it uncompressed or in smaller requests",
                         limits->max_ratio, in_length);
          else
            g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE,
                         "the gzip body expands to more than %" G_GSIZE_FORMAT
                         " bytes; send smaller requests", limits->max_decompressed_bytes);
          return NULL;
        }

      if (bytes_written > out_allocated - out_length)
        {
          gsize wanted = MAX (out_length + bytes_written, MAX (out_allocated * 2, 4096));

          out_allocated = MIN (wanted, cap);
          out = g_realloc (out, out_allocated);
        }
      if (bytes_written > 0)
        memcpy (out + out_length, chunk, bytes_written);
      out_length += bytes_written;

      if (result == G_CONVERTER_FINISHED)
        break;

      /* No progress with all input given: the stream stops short. */
      if (bytes_read == 0 && bytes_written == 0)
        {
          g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                       "the gzip body is damaged: it ends before the compressed data does "
                       "(%" G_GSIZE_FORMAT " bytes received)", in_length);
          return NULL;
        }
    }

  if (in_offset < in_length)
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "the gzip body is damaged: %" G_GSIZE_FORMAT " bytes follow the end of "
                   "the compressed data", in_length - in_offset);
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&out), out_length);
}

/* Results ------------------------------------------------------------------------------- */

void
jm_ingest_rejection_free (JmIngestRejection *rejection)
{
  if (rejection == NULL)
    return;

  g_free (rejection->field);
  g_free (rejection->reason);
  g_free (rejection);
}

void
jm_ingest_request_free (JmIngestRequest *request)
{
  if (request == NULL)
    return;

  g_clear_pointer (&request->events, g_ptr_array_unref);
  g_clear_pointer (&request->rejected, g_ptr_array_unref);
  g_free (request->write_key);
  g_free (request);
}

/* Decoding ------------------------------------------------------------------------------ */

typedef struct
{
  JmIngestRequest      *request;
  const JmIngestLimits *limits;
  gint64                now_ms;

  /* The body is one message (a single-message route): an oversized one is TOO_LARGE and
   * there is no index worth naming.
   */
  gboolean              single;
  gboolean              too_large;

  /* The first rejection, for the INVALID_EVENT message (it is kept even when the list of
   * rejections is full).
   */
  guint                 n_rejected;
  guint                 first_index;
  char                 *first_field;
  char                 *first_reason;

  /* The batch-level context of a Segment batch, merged into every message; its member
   * names in the order written.
   */
  JsonObject           *batch_context;
  GList                *batch_context_members;
  gboolean              have_sent_at;
  gint64                sent_at;
} Decoder;

static void
decoder_clear (Decoder *d)
{
  g_clear_pointer (&d->request, jm_ingest_request_free);
  g_clear_pointer (&d->first_field, g_free);
  g_clear_pointer (&d->first_reason, g_free);
  g_clear_pointer (&d->batch_context_members, g_list_free);
}

static void
reject (Decoder    *d,
        guint       index,
        const char *field,
        const char *reason)
{
  JmIngestRejection *rejection;

  /* Field names and reasons quote the client's text, possibly cut short in the middle of a
   * character: the response is JSON, so they are made valid UTF-8 here.
   */
  if (d->n_rejected++ == 0)
    {
      d->first_index = index;
      d->first_field = g_utf8_make_valid (field != NULL ? field : "", -1);
      d->first_reason = g_utf8_make_valid (reason, -1);
    }

  if (d->request->rejected->len >= JM_INGEST_MAX_REJECTIONS)
    return;

  rejection = g_new0 (JmIngestRejection, 1);
  rejection->index = index;
  rejection->field = g_utf8_make_valid (field != NULL ? field : "", -1);
  rejection->reason = g_utf8_make_valid (reason, -1);
  g_ptr_array_add (d->request->rejected, rejection);
}

static void reject_printf (Decoder    *d,
                           guint       index,
                           const char *field,
                           const char *format,
                           ...) G_GNUC_PRINTF (4, 5);

static void
reject_printf (Decoder    *d,
               guint       index,
               const char *field,
               const char *format,
               ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  reject (d, index, field, reason);
}

/* The length of `text` as a JSON string literal, escapes included. */
static gsize
string_literal_size (const char *text)
{
  gsize size = 2;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f' || *p == '\n' || *p == '\r' ||
          *p == '\t')
        size += 2;
      else if (*p < 0x20)
        size += 6;
      else
        size += 1;
    }

  return size;
}

/* Adds the size of the compact JSON text of `node` to `size`, stopping early (FALSE) once
 * it passes `limit`: the event limit is on the message as written, and measuring the
 * tree costs no allocation, where serializing it again would.
 */
static gboolean
add_json_size (JsonNode *node,
               gsize    *size,
               gsize     limit)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *value;
        gboolean first = TRUE;

        *size += 2;
        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &value))
          {
            *size += string_literal_size (name) + (first ? 1 : 2);
            first = FALSE;
            if (*size > limit || !add_json_size (value, size, limit))
              return FALSE;
          }
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        *size += 2 + (n > 0 ? n - 1 : 0);
        for (guint i = 0; i < n; i++)
          {
            if (*size > limit || !add_json_size (json_array_get_element (array, i), size, limit))
              return FALSE;
          }
      }
      break;

    case JSON_NODE_NULL:
      *size += 4;
      break;

    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          *size += string_literal_size (json_node_get_string (node));
          break;

        case G_TYPE_BOOLEAN:
          *size += json_node_get_boolean (node) ? 4 : 5;
          break;

        case G_TYPE_INT64:
          {
            char buffer[32];

            *size += g_snprintf (buffer, sizeof buffer, "%" G_GINT64_FORMAT,
                                 json_node_get_int (node));
          }
          break;

        default:
          {
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];

            *size += strlen (g_ascii_dtostr (buffer, sizeof buffer,
                                             json_node_get_double (node)));
          }
          break;
        }
      break;
    }

  return *size <= limit;
}

/* FALSE (and the item rejected, or the request TOO_LARGE) when the item is too large. */
static gboolean
check_item_size (Decoder  *d,
                 guint     index,
                 JsonNode *item)
{
  gsize size = 0;

  if (add_json_size (item, &size, d->limits->max_event_bytes))
    return TRUE;

  if (d->single)
    d->too_large = TRUE;
  reject_printf (d, index, "", "the event is larger than the limit of %" G_GSIZE_FORMAT " bytes",
                 d->limits->max_event_bytes);

  return FALSE;
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* The request's key (Segment writeKey, PostHog api_key). Every message of a request belongs
 * to the key it was authorized with: a message naming another key is rejected instead of
 * being stored under the wrong project.
 */
static gboolean
check_message_key (Decoder    *d,
                   guint       index,
                   const char *key,
                   const char *field)
{
  if (key == NULL || *key == '\0')
    return TRUE;

  if (d->request->write_key == NULL)
    {
      d->request->write_key = g_strdup (key);
      return TRUE;
    }

  if (g_str_equal (d->request->write_key, key))
    return TRUE;

  reject_printf (d, index, field, "%s names another key than the rest of the request", field);

  return FALSE;
}

static void
add_event (Decoder *d,
           JmEvent *event)
{
  /* A client's receivedAt is not the time we received the message: the store stamps it. */
  event->received_at = 0;
  g_ptr_array_add (d->request->events, event);
}

/* Segment-spec messages (batch, single and native routes) ------------------------------- */

/* Batch-level context fills in the keys a message's own context lacks (one level deep: a
 * message's context.page replaces the batch's context.page as a whole).
 */
static void
merge_batch_context (Decoder    *d,
                     JsonObject *item)
{
  JsonNode *node;
  JsonObject *context;

  if (d->batch_context == NULL || d->batch_context_members == NULL)
    return;

  node = get_member (item, "context");
  if (node == NULL)
    {
      json_object_set_object_member (item, "context", json_object_ref (d->batch_context));
      return;
    }

  /* A context that is not an object is rejected by jm_event_new_from_json(), naming it. */
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;

  context = json_node_get_object (node);
  for (GList *l = d->batch_context_members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (!json_object_has_member (context, name))
        json_object_set_member (context, name,
                                json_node_copy (json_object_get_member (d->batch_context,
                                                                        name)));
    }
}

static gboolean
has_own_time (JsonObject *item)
{
  return get_member (item, "timestamp") != NULL || get_member (item, "originalTimestamp") != NULL;
}

static void
decode_segment_message (Decoder     *d,
                        guint        index,
                        JsonNode    *node,
                        gboolean     check_type,
                        JmEventType  implied_type)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  JmEvent *event;
  JsonObject *item;
  JsonNode *member;
  gboolean have_sent_at = d->have_sent_at;
  gint64 sent_at = d->sent_at;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      reject_printf (d, index, "", "an event must be a JSON object, not %s",
                     jm_ingest_node_kind (node));
      return;
    }

  if (!check_item_size (d, index, node))
    return;

  item = json_node_get_object (node);

  if (check_type)
    {
      const char *expected = jm_event_type_to_string (implied_type);

      member = get_member (item, "type");
      if (member == NULL)
        {
          json_object_set_string_member (item, "type", expected);
        }
      else if (!node_is_string (member) || !g_str_equal (json_node_get_string (member), expected))
        {
          if (node_is_string (member))
            reject_printf (d, index, "type", "this route takes %s messages, not \"%.64s\"",
                           expected, json_node_get_string (member));
          else
            reject_printf (d, index, "type", "type must be the string \"%s\", not %s",
                           expected, jm_ingest_node_kind (member));
          return;
        }
    }

  member = get_member (item, "writeKey");
  if (member != NULL && !node_is_string (member))
    {
      reject_printf (d, index, "writeKey", "writeKey must be a string, not %s",
                     jm_ingest_node_kind (member));
      return;
    }
  if (member != NULL && !check_message_key (d, index, json_node_get_string (member), "writeKey"))
    return;

  member = get_member (item, "sentAt");
  if (member != NULL)
    {
      if (!jm_time_parse_json (member, &sent_at))
        {
          reject_printf (d, index, "sentAt", "sentAt is not an ISO-8601 time or an epoch number");
          return;
        }
      have_sent_at = TRUE;
    }

  merge_batch_context (d, item);

  event = jm_event_new_from_json (item, d->now_ms, &field, &error);
  if (event == NULL)
    {
      reject (d, index, field, error->message);
      return;
    }

  if (have_sent_at && has_own_time (item) &&
      !jm_ingest_correct_time (d->now_ms, sent_at, event->ts, &event->ts))
    {
      jm_event_free (event);
      reject (d, index, "sentAt", "sentAt and the event time are too far apart to correct "
                                  "the device's clock");
      return;
    }

  add_event (d, event);
}

/* The request-level members shared by the Segment and PostHog bodies. */
static gboolean
read_request_key (Decoder     *d,
                  JsonObject  *body,
                  const char  *name,
                  GError     **error)
{
  JsonNode *node = get_member (body, name);

  if (node == NULL)
    return TRUE;

  if (!node_is_string (node))
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "field \"%s\" must be a string, not %s", name, jm_ingest_node_kind (node));
      return FALSE;
    }

  if (*json_node_get_string (node) != '\0')
    d->request->write_key = g_strdup (json_node_get_string (node));

  return TRUE;
}

static gboolean
read_request_sent_at (Decoder     *d,
                      JsonObject  *body,
                      const char  *name,
                      GError     **error)
{
  JsonNode *node = get_member (body, name);

  if (node == NULL)
    return TRUE;

  if (!jm_time_parse_json (node, &d->sent_at))
    {
      if (node_is_string (node))
        g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                     "field \"%s\": \"%.64s\" is not an ISO-8601 time or an epoch number",
                     name, json_node_get_string (node));
      else
        g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                     "field \"%s\" must be an ISO-8601 time or an epoch number, not %s",
                     name, jm_ingest_node_kind (node));
      return FALSE;
    }
  d->have_sent_at = TRUE;

  return TRUE;
}

static JsonObject *
require_object_body (JsonNode    *root,
                     const char  *shape,
                     GError     **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "the body must be a JSON object %s, not %s", shape, jm_ingest_node_kind (root));
      return NULL;
    }

  return json_node_get_object (root);
}

static JsonArray *
require_array_member (JsonObject  *body,
                      const char  *name,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (body, name);

  if (node == NULL)
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "the body has no \"%s\" array of events", name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "field \"%s\" must be an array of events, not %s", name,
                   jm_ingest_node_kind (node));
      return NULL;
    }

  return json_node_get_array (node);
}

static gboolean
decode_segment_batch (Decoder     *d,
                      JsonNode    *root,
                      GError     **error)
{
  JsonObject *body;
  JsonArray *batch;
  JsonNode *context;
  guint n;

  if ((body = require_object_body (root, "{\"batch\": […]}", error)) == NULL ||
      (batch = require_array_member (body, "batch", error)) == NULL ||
      !read_request_key (d, body, "writeKey", error) ||
      !read_request_sent_at (d, body, "sentAt", error))
    return FALSE;

  context = get_member (body, "context");
  if (context != NULL && !JSON_NODE_HOLDS_OBJECT (context))
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "field \"context\" must be an object, not %s", jm_ingest_node_kind (context));
      return FALSE;
    }
  if (context != NULL)
    {
      d->batch_context = json_node_get_object (context);
      d->batch_context_members = json_object_get_members (d->batch_context);
    }

  n = json_array_get_length (batch);
  d->request->n_items = n;
  for (guint i = 0; i < n; i++)
    decode_segment_message (d, i, json_array_get_element (batch, i), FALSE, JM_EVENT_TRACK);

  return TRUE;
}

static gboolean
decode_segment_single (Decoder      *d,
                       JmEventType   type,
                       JsonNode     *root,
                       GError      **error)
{
  g_autofree char *shape = g_strdup_printf ("(one %s message)", jm_event_type_to_string (type));
  JsonObject *body;

  if ((body = require_object_body (root, shape, error)) == NULL ||
      !read_request_key (d, body, "writeKey", error))
    return FALSE;

  /* The message's sentAt is read as any message's is. */
  d->single = TRUE;
  d->request->n_items = 1;
  decode_segment_message (d, 0, root, TRUE, type);

  return TRUE;
}

static gboolean
decode_native (Decoder     *d,
               JsonNode    *root,
               GError     **error)
{
  JsonObject *body;
  JsonArray *events;
  guint n;

  if ((body = require_object_body (root, "{\"events\": […]}", error)) == NULL ||
      (events = require_array_member (body, "events", error)) == NULL)
    return FALSE;

  n = json_array_get_length (events);
  d->request->n_items = n;
  for (guint i = 0; i < n; i++)
    decode_segment_message (d, i, json_array_get_element (events, i), FALSE, JM_EVENT_TRACK);

  return TRUE;
}

/* PostHog -------------------------------------------------------------------------------- */

static void
decode_posthog_message (Decoder  *d,
                        guint     index,
                        JsonNode *node)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  JsonObject *message;
  const char *key = NULL;
  JmEvent *event;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      reject_printf (d, index, "", "an event must be a JSON object, not %s",
                     jm_ingest_node_kind (node));
      return;
    }

  if (!check_item_size (d, index, node))
    return;

  message = json_node_get_object (node);

  if (!jm_posthog_message_get_api_key (message, &key, &field, &error))
    {
      reject (d, index, field, error->message);
      return;
    }
  if (!check_message_key (d, index, key, "api_key"))
    return;

  event = jm_posthog_message_to_event (message, d->now_ms, d->have_sent_at, d->sent_at,
                                       &field, &error);
  if (event == NULL)
    {
      reject (d, index, field, error->message);
      return;
    }

  add_event (d, event);
}

/* `{"api_key", "batch": […], "sent_at"}` (posthog-node, /batch/), one event `{"event",
 * "distinct_id", …}` (/capture/) or an array of events (posthog-js, /e/).
 */
static gboolean
decode_posthog (Decoder     *d,
                JsonNode    *root,
                GError     **error)
{
  JsonArray *events;
  guint n;

  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      events = json_node_get_array (root);
    }
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *body = json_node_get_object (root);

      if (!read_request_key (d, body, "api_key", error))
        return FALSE;

      if (json_object_get_member (body, "batch") == NULL)
        {
          /* The event's own sent_at is read with it. */
          d->single = TRUE;
          d->request->n_items = 1;
          decode_posthog_message (d, 0, root);
          return TRUE;
        }

      if ((events = require_array_member (body, "batch", error)) == NULL ||
          !read_request_sent_at (d, body, "sent_at", error))
        return FALSE;
    }
  else
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "the body must be a JSON object or an array of events, not %s",
                   jm_ingest_node_kind (root));
      return FALSE;
    }

  n = json_array_get_length (events);
  d->request->n_items = n;
  for (guint i = 0; i < n; i++)
    decode_posthog_message (d, i, json_array_get_element (events, i));

  return TRUE;
}

/* Entry points --------------------------------------------------------------------------- */

static JmIngestRequest *
decode (JmIngestRoute         route,
        JmEventType           single_type,
        const char           *body,
        gsize                 length,
        gsize                 max_length,
        gint64                now_ms,
        const JmIngestLimits *limits,
        GError              **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) parse_error = NULL;
  JmIngestRequest *request;
  Decoder d = { 0 };
  gboolean ok = FALSE;

  if (length > max_length)
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE,
                   "the body is %" G_GSIZE_FORMAT " bytes, more than the limit of %"
                   G_GSIZE_FORMAT "; send smaller batches", length, max_length);
      return NULL;
    }

  if (length == 0)
    {
      g_set_error_literal (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                           "the body is empty");
      return NULL;
    }

  root = jm_json_parse (body, length, &parse_error);
  if (root == NULL)
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON,
                   "the body is not valid JSON: %s", parse_error->message);
      return NULL;
    }

  d.limits = limits;
  d.now_ms = now_ms;
  d.request = g_new0 (JmIngestRequest, 1);
  d.request->events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  d.request->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_ingest_rejection_free);

  switch (route)
    {
    case JM_INGEST_SEGMENT_BATCH:
      ok = decode_segment_batch (&d, root, error);
      break;

    case JM_INGEST_SEGMENT_SINGLE:
      ok = decode_segment_single (&d, single_type, root, error);
      break;

    case JM_INGEST_POSTHOG:
      ok = decode_posthog (&d, root, error);
      break;

    case JM_INGEST_NATIVE:
    default:
      ok = decode_native (&d, root, error);
      break;
    }

  if (ok && d.too_large)
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE,
                   "the event is larger than the limit of %" G_GSIZE_FORMAT " bytes",
                   limits->max_event_bytes);
      ok = FALSE;
    }
  else if (ok && d.request->events->len == 0 && d.n_rejected > 0)
    {
      if (d.first_field[0] != '\0')
        g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_EVENT,
                     "event %u: field \"%s\": %s", d.first_index, d.first_field,
                     d.first_reason);
      else
        g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_EVENT,
                     "event %u: %s", d.first_index, d.first_reason);
      ok = FALSE;
    }

  if (!ok)
    {
      /* Messages quote the client's text, possibly cut in the middle of a character. */
      if (error != NULL && *error != NULL && !g_utf8_validate ((*error)->message, -1, NULL))
        {
          char *valid = g_utf8_make_valid ((*error)->message, -1);

          g_free ((*error)->message);
          (*error)->message = valid;
        }
      decoder_clear (&d);
      return NULL;
    }

  request = g_steal_pointer (&d.request);
  decoder_clear (&d);

  return request;
}

JmIngestRequest *
jm_ingest_request_decode (JmIngestRoute         route,
                          JmEventType           single_type,
                          const char           *body,
                          gsize                 length,
                          gint64                now_ms,
                          const JmIngestLimits *limits,
                          GError              **error)
{
  g_return_val_if_fail (route <= JM_INGEST_NATIVE, NULL);
  g_return_val_if_fail (single_type <= JM_EVENT_GROUP, NULL);
  g_return_val_if_fail (body != NULL || length == 0, NULL);
  g_return_val_if_fail (limits != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return decode (route, single_type, body, length, limits->max_body_bytes, now_ms, limits,
                 error);
}

JmIngestRequest *
jm_ingest_request_decode_body (JmIngestRoute         route,
                               JmEventType           single_type,
                               GBytes               *body,
                               gboolean              gzipped,
                               gint64                now_ms,
                               const JmIngestLimits *limits,
                               GError              **error)
{
  g_autoptr(GBytes) plain = NULL;
  gconstpointer data;
  gsize length;

  g_return_val_if_fail (route <= JM_INGEST_NATIVE, NULL);
  g_return_val_if_fail (single_type <= JM_EVENT_GROUP, NULL);
  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (limits != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!gzipped)
    {
      data = g_bytes_get_data (body, &length);
      return decode (route, single_type, data, length, limits->max_body_bytes, now_ms,
                     limits, error);
    }

  length = g_bytes_get_size (body);
  if (length > limits->max_body_bytes)
    {
      g_set_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE,
                   "the gzip body is %" G_GSIZE_FORMAT " bytes, more than the limit of %"
                   G_GSIZE_FORMAT "; send smaller batches", length, limits->max_body_bytes);
      return NULL;
    }

  plain = jm_ingest_gunzip (body, limits, error);
  if (plain == NULL)
    return NULL;

  data = g_bytes_get_data (plain, &length);

  return decode (route, single_type, data, length, limits->max_decompressed_bytes, now_ms,
                 limits, error);
}
