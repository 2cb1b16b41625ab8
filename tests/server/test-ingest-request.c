/* test-ingest-request.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "jm-ingest-request.h"

#define NOW_MS G_GINT64_CONSTANT (1782822896000)   /* 2026-06-30T12:34:56Z */

static JmIngestLimits limits;

static char *
load_data (const char *name,
           gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "server", "data", "ingest", name,
                                                 NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);

  return contents;
}

static gint64
time_of (const char *iso)
{
  gint64 ms = 0;

  g_assert_true (jm_time_parse (iso, &ms));

  return ms;
}

static JmIngestRequest *
decode_ok (JmIngestRoute  route,
           JmEventType    single_type,
           const char    *text)
{
  g_autoptr(GError) error = NULL;
  JmIngestRequest *request;

  request = jm_ingest_request_decode (route, single_type, text, strlen (text), NOW_MS, &limits,
                                      &error);
  g_assert_no_error (error);
  g_assert_nonnull (request);

  return request;
}

static JmIngestRequest *
decode_file (JmIngestRoute  route,
             const char    *name)
{
  g_autofree char *text = load_data (name, NULL);

  return decode_ok (route, JM_EVENT_TRACK, text);
}

static void
assert_decode_error (JmIngestRoute  route,
                     JmEventType    single_type,
                     const char    *body,
                     gsize          length,
                     JmIngestError  code,
                     const char    *expected_words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmIngestRequest) request = NULL;

  request = jm_ingest_request_decode (route, single_type, body, length, NOW_MS, &limits, &error);
  if (request != NULL)
    g_error ("the body “%.200s” was accepted", body);
  g_assert_error (error, JM_INGEST_ERROR, (gint) code);
  if (strstr (error->message, expected_words) == NULL)
    g_error ("the error “%s” does not say “%s”", error->message, expected_words);
}

static void
assert_text_error (JmIngestRoute  route,
                   const char    *body,
                   JmIngestError  code,
                   const char    *expected_words)
{
  assert_decode_error (route, JM_EVENT_TRACK, body, strlen (body), code, expected_words);
}

static void
assert_single_error (JmEventType    type,
                     const char    *body,
                     JmIngestError  code,
                     const char    *expected_words)
{
  assert_decode_error (JM_INGEST_SEGMENT_SINGLE, type, body, strlen (body), code,
                       expected_words);
}

static JmEvent *
event_at (JmIngestRequest *request,
          guint            index)
{
  g_assert_cmpuint (index, <, request->events->len);

  return g_ptr_array_index (request->events, index);
}

static JmIngestRejection *
rejection_at (JmIngestRequest *request,
              guint            index)
{
  g_assert_cmpuint (index, <, request->rejected->len);

  return g_ptr_array_index (request->rejected, index);
}

static const char *
object_string (JsonObject *object,
               const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    {
      g_assert_nonnull (object);
      g_assert_true (json_object_has_member (object, parts[i]));
      object = json_object_get_object_member (object, parts[i]);
    }

  g_assert_nonnull (object);
  if (!json_object_has_member (object, parts[n - 1]))
    return NULL;

  return json_object_get_string_member (object, parts[n - 1]);
}

static GBytes *
gzip_bytes (const void *data,
            gsize       length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GInputStream) plain = NULL;
  g_autoptr(GInputStream) compressed = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  plain = g_memory_input_stream_new_from_data (data, length, NULL);
  compressed = g_converter_input_stream_new (plain, G_CONVERTER (compressor));
  g_output_stream_splice (out, compressed,
                          G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* Limits --------------------------------------------------------------------------------- */

static void
test_limits_default (void)
{
  JmIngestLimits defaults;

  jm_ingest_limits_init_default (&defaults);
  g_assert_cmpuint (defaults.max_event_bytes, ==, 32 * 1024);
  g_assert_cmpuint (defaults.max_body_bytes, ==, 500000);
  g_assert_cmpuint (defaults.max_decompressed_bytes, ==, 10000000);
  g_assert_cmpuint (defaults.max_ratio, ==, 100);
}

/* Segment batch --------------------------------------------------------------------------- */

static void
test_segment_batch (void)
{
  g_autoptr(JmIngestRequest) request = decode_file (JM_INGEST_SEGMENT_BATCH,
                                                    "segment-batch.json");
  g_autofree char *journey = NULL;
  JmEvent *event;

  g_assert_cmpuint (request->n_items, ==, 3);
  g_assert_cmpuint (request->events->len, ==, 3);
  g_assert_cmpuint (request->rejected->len, ==, 0);
  g_assert_cmpstr (request->write_key, ==, "wk_segment_test");

  event = event_at (request, 0);
  g_assert_cmpint (event->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event->id, ==, "seg-msg-1");
  g_assert_cmpstr (event->event, ==, "Order Completed");
  g_assert_cmpstr (event->user_id, ==, "user-42");
  g_assert_cmpint (event->received_at, ==, 0);

  event = event_at (request, 1);
  g_assert_cmpint (event->type, ==, JM_EVENT_PAGE);
  g_assert_cmpstr (event->id, ==, "seg-msg-2");
  g_assert_cmpstr (event->anonymous_id, ==, "anon-7");
  journey = jm_event_dup_journey_name (event);
  g_assert_cmpstr (journey, ==, "/pricing");

  event = event_at (request, 2);
  g_assert_cmpint (event->type, ==, JM_EVENT_IDENTIFY);
  g_assert_cmpstr (event->user_id, ==, "user-42");
  g_assert_cmpstr (event->anonymous_id, ==, "anon-7");
  g_assert_nonnull (event->traits);
  g_assert_cmpstr (object_string (event->traits, "email"), ==, "ada@example.com");
}

static void
test_segment_context_merge (void)
{
  g_autoptr(JmIngestRequest) request = decode_file (JM_INGEST_SEGMENT_BATCH,
                                                    "segment-batch.json");
  JmEvent *own = event_at (request, 0);
  JmEvent *none = event_at (request, 1);

  /* The message's own context.page wins as a whole; the batch fills in the rest. */
  g_assert_cmpstr (object_string (own->context, "page.path"), ==, "/checkout");
  g_assert_cmpstr (object_string (own->context, "library.name"), ==, "analytics-node");
  g_assert_cmpstr (object_string (own->context, "ip"), ==, "203.0.113.9");

  /* A message without a context gets the batch's. */
  g_assert_cmpstr (object_string (none->context, "page.path"), ==, "/from-batch");
  g_assert_cmpstr (object_string (none->context, "library.version"), ==, "2.1.0");
}

static void
test_segment_sent_at (void)
{
  g_autoptr(JmIngestRequest) request = decode_file (JM_INGEST_SEGMENT_BATCH,
                                                    "segment-batch.json");
  g_autoptr(JmIngestRequest) plain = NULL;
  g_autoptr(JmIngestRequest) untimed = NULL;

  /* sentAt 12:00:10, timestamp 12:00:00: it happened 10 s before the request arrived. */
  g_assert_cmpint (event_at (request, 0)->ts, ==, NOW_MS - 10000);
  g_assert_cmpint (event_at (request, 1)->ts, ==, NOW_MS - 20000);
  /* The message's own sentAt (11:59:58, timestamp 11:59:55) wins over the batch's. */
  g_assert_cmpint (event_at (request, 2)->ts, ==, NOW_MS - 3000);

  /* Without sentAt the timestamp is taken as given. */
  plain = decode_ok (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK,
                     "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\","
                     "\"timestamp\":\"2026-06-30T12:00:00Z\"}]}");
  g_assert_cmpint (event_at (plain, 0)->ts, ==, time_of ("2026-06-30T12:00:00Z"));

  /* A message without a time happened when it arrived, sentAt or not. */
  untimed = decode_ok (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK,
                       "{\"sentAt\":\"2020-01-01T00:00:00Z\",\"batch\":[{\"type\":\"track\","
                       "\"event\":\"E\",\"userId\":\"u\"}]}");
  g_assert_cmpint (event_at (untimed, 0)->ts, ==, NOW_MS);
}

static void
test_segment_partial (void)
{
  g_autoptr(JmIngestRequest) request = NULL;
  JmIngestRejection *rejection;

  request = decode_ok (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK,
                       "{\"batch\":["
                       "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"u\",\"messageId\":\"m0\"},"
                       "{\"type\":\"track\",\"event\":\"B\",\"userId\":\"u\","
                       "\"timestamp\":\"yesterday\"},"
                       "{\"type\":\"track\",\"event\":\"C\",\"userId\":\"u\",\"messageId\":\"m2\"},"
                       "42,"
                       "{\"type\":\"track\",\"event\":\"D\"},"
                       "{\"type\":\"teleport\",\"userId\":\"u\"}"
                       "]}");

  g_assert_cmpuint (request->n_items, ==, 6);
  g_assert_cmpuint (request->events->len, ==, 2);
  g_assert_cmpstr (event_at (request, 0)->id, ==, "m0");
  g_assert_cmpstr (event_at (request, 1)->id, ==, "m2");

  g_assert_cmpuint (request->rejected->len, ==, 4);
  rejection = rejection_at (request, 0);
  g_assert_cmpuint (rejection->index, ==, 1);
  g_assert_cmpstr (rejection->field, ==, "timestamp");
  g_assert_nonnull (strstr (rejection->reason, "yesterday"));
  rejection = rejection_at (request, 1);
  g_assert_cmpuint (rejection->index, ==, 3);
  g_assert_cmpstr (rejection->field, ==, "");
  g_assert_nonnull (strstr (rejection->reason, "JSON object"));
  rejection = rejection_at (request, 2);
  g_assert_cmpuint (rejection->index, ==, 4);
  g_assert_cmpstr (rejection->field, ==, "userId");
  rejection = rejection_at (request, 3);
  g_assert_cmpuint (rejection->index, ==, 5);
  g_assert_cmpstr (rejection->field, ==, "type");
}

static void
test_segment_all_invalid (void)
{
  assert_text_error (JM_INGEST_SEGMENT_BATCH,
                     "{\"batch\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"u\","
                     "\"timestamp\":\"soon\"},{\"type\":\"track\",\"userId\":\"u\"}]}",
                     JM_INGEST_ERROR_INVALID_EVENT, "event 0: field \"timestamp\": ");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"batch\":[[1,2]]}",
                     JM_INGEST_ERROR_INVALID_EVENT, "event 0: an event must be a JSON object");
  assert_text_error (JM_INGEST_NATIVE,
                     "{\"events\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"u\","
                     "\"properties\":[]}]}",
                     JM_INGEST_ERROR_INVALID_EVENT, "event 0: field \"properties\"");
}

/* Reasons quote the client's text cut to a length; the response must stay valid UTF-8. */
static void
test_segment_reasons_utf8 (void)
{
  g_autoptr(GString) body = g_string_new ("{\"batch\":[{\"event\":\"E\",\"userId\":\"u\","
                                          "\"timestamp\":\"x");
  g_autoptr(GError) error = NULL;
  g_autoptr(JmIngestRequest) request = NULL;

  for (guint i = 0; i < 60; i++)
    g_string_append (body, "\xc3\xa9");
  g_string_append (body, "\"}]}");

  request = jm_ingest_request_decode (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, body->str, body->len,
                                      NOW_MS, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_EVENT);
  g_assert_null (request);
  g_assert_true (g_str_has_prefix (error->message, "event 0: field \"timestamp\": "));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_segment_item_sent_at (void)
{
  g_autoptr(JmIngestRequest) request = NULL;

  request = decode_ok (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK,
                       "{\"batch\":["
                       "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"u\","
                       "\"timestamp\":\"2026-06-30T12:00:00Z\",\"sentAt\":\"never\"},"
                       "{\"type\":\"track\",\"event\":\"B\",\"userId\":\"u\","
                       "\"originalTimestamp\":\"2026-06-30T12:00:00Z\","
                       "\"sentAt\":\"2026-06-30T12:00:00.250Z\"}"
                       "]}");

  g_assert_cmpuint (request->events->len, ==, 1);
  g_assert_cmpint (event_at (request, 0)->ts, ==, NOW_MS - 250);
  g_assert_cmpuint (request->rejected->len, ==, 1);
  g_assert_cmpstr (rejection_at (request, 0)->field, ==, "sentAt");
}

static void
test_segment_shapes (void)
{
  static const guint8 latin1[] = "{\"batch\":[{\"type\":\"track\",\"event\":\"Caf\xe9\","
                                 "\"userId\":\"u\"}]}";

  assert_text_error (JM_INGEST_SEGMENT_BATCH, "[{\"type\":\"track\"}]",
                     JM_INGEST_ERROR_INVALID_JSON, "must be a JSON object");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"batch\":{\"type\":\"track\"}}",
                     JM_INGEST_ERROR_INVALID_JSON, "field \"batch\" must be an array");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"events\":[]}",
                     JM_INGEST_ERROR_INVALID_JSON, "no \"batch\" array");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "", JM_INGEST_ERROR_INVALID_JSON, "empty");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "  \n", JM_INGEST_ERROR_INVALID_JSON,
                     "not valid JSON");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"batch\":[]} {\"batch\":[]}",
                     JM_INGEST_ERROR_INVALID_JSON, "not valid JSON");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"batch\":[",
                     JM_INGEST_ERROR_INVALID_JSON, "not valid JSON");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"batch\":[],\"writeKey\":7}",
                     JM_INGEST_ERROR_INVALID_JSON, "field \"writeKey\" must be a string");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"batch\":[],\"sentAt\":\"later\"}",
                     JM_INGEST_ERROR_INVALID_JSON, "field \"sentAt\"");
  assert_text_error (JM_INGEST_SEGMENT_BATCH, "{\"batch\":[],\"context\":\"web\"}",
                     JM_INGEST_ERROR_INVALID_JSON, "field \"context\" must be an object");
  assert_decode_error (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, (const char *) latin1,
                       sizeof latin1 - 1, JM_INGEST_ERROR_INVALID_JSON, "UTF-8");
}

static void
test_segment_empty_batch (void)
{
  g_autoptr(JmIngestRequest) request = decode_ok (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK,
                                                  "{\"batch\":[],\"writeKey\":\"wk\"}");

  g_assert_cmpuint (request->n_items, ==, 0);
  g_assert_cmpuint (request->events->len, ==, 0);
  g_assert_cmpstr (request->write_key, ==, "wk");
}

/* Segment single-message routes ------------------------------------------------------------ */

static void
test_segment_single (void)
{
  g_autoptr(JmIngestRequest) track = NULL;
  g_autoptr(JmIngestRequest) page = NULL;
  g_autoptr(JmIngestRequest) alias = NULL;

  /* /v1/track: the route says what the message is. */
  track = decode_ok (JM_INGEST_SEGMENT_SINGLE, JM_EVENT_TRACK,
                     "{\"event\":\"Signed Up\",\"userId\":\"u1\",\"writeKey\":\"wk_single\","
                     "\"timestamp\":\"2026-06-30T12:34:00Z\",\"sentAt\":\"2026-06-30T12:34:30Z\"}");
  g_assert_cmpuint (track->n_items, ==, 1);
  g_assert_cmpuint (track->events->len, ==, 1);
  g_assert_cmpint (event_at (track, 0)->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event_at (track, 0)->event, ==, "Signed Up");
  g_assert_cmpstr (track->write_key, ==, "wk_single");
  g_assert_cmpint (event_at (track, 0)->ts, ==, NOW_MS - 30000);

  page = decode_ok (JM_INGEST_SEGMENT_SINGLE, JM_EVENT_PAGE,
                    "{\"type\":\"page\",\"name\":\"Home\",\"anonymousId\":\"a1\","
                    "\"properties\":{\"path\":\"/\"}}");
  g_assert_cmpint (event_at (page, 0)->type, ==, JM_EVENT_PAGE);
  g_assert_cmpstr (event_at (page, 0)->event, ==, "Home");
  g_assert_null (page->write_key);

  alias = decode_ok (JM_INGEST_SEGMENT_SINGLE, JM_EVENT_ALIAS,
                     "{\"previousId\":\"a1\",\"userId\":\"u1\"}");
  g_assert_cmpint (event_at (alias, 0)->type, ==, JM_EVENT_ALIAS);
  g_assert_cmpstr (event_at (alias, 0)->previous_id, ==, "a1");

  /* A message of another type than the route's is refused, naming the field. */
  assert_single_error (JM_EVENT_PAGE, "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}",
                       JM_INGEST_ERROR_INVALID_EVENT, "event 0: field \"type\"");
  assert_single_error (JM_EVENT_GROUP, "{\"userId\":\"u\"}",
                       JM_INGEST_ERROR_INVALID_EVENT, "field \"groupId\"");
  assert_single_error (JM_EVENT_TRACK, "[]", JM_INGEST_ERROR_INVALID_JSON, "one track message");
}

/* Native ----------------------------------------------------------------------------------- */

static void
test_native (void)
{
  g_autoptr(JmIngestRequest) request = NULL;

  request = decode_ok (JM_INGEST_NATIVE, JM_EVENT_TRACK,
                       "{\"events\":[{\"type\":\"screen\",\"name\":\"Cart\",\"userId\":\"u\","
                       "\"messageId\":\"n1\",\"timestamp\":1782822800000},"
                       "{\"event\":\"Tapped\",\"anonymousId\":\"a\"}],\"writeKey\":\"ignored\"}");
  g_assert_cmpuint (request->events->len, ==, 2);
  g_assert_cmpint (event_at (request, 0)->type, ==, JM_EVENT_SCREEN);
  g_assert_cmpstr (event_at (request, 0)->id, ==, "n1");
  g_assert_cmpint (event_at (request, 0)->ts, ==, G_GINT64_CONSTANT (1782822800000));
  g_assert_cmpint (event_at (request, 1)->type, ==, JM_EVENT_TRACK);
  /* The native route authenticates by header only. */
  g_assert_null (request->write_key);

  assert_text_error (JM_INGEST_NATIVE, "{\"batch\":[]}", JM_INGEST_ERROR_INVALID_JSON,
                     "no \"events\" array");
  assert_text_error (JM_INGEST_NATIVE, "[]", JM_INGEST_ERROR_INVALID_JSON, "JSON object");
}

/* Sizes ------------------------------------------------------------------------------------ */

static char *
message_with_padding (gsize padding)
{
  g_autofree char *pad = g_strnfill (padding, 'x');

  return g_strdup_printf ("{\"type\":\"track\",\"event\":\"Big\",\"userId\":\"u\","
                          "\"properties\":{\"pad\":\"%s\"}}", pad);
}

static void
test_limits_sizes (void)
{
  g_autofree char *big = message_with_padding (40 * 1024);
  g_autofree char *fits = message_with_padding (32 * 1024 - 200);
  g_autofree char *batch = g_strdup_printf ("{\"batch\":[%s,%s]}", big, fits);
  g_autofree char *huge = NULL;
  g_autoptr(GString) many = g_string_new ("{\"batch\":[");
  g_autoptr(JmIngestRequest) request = NULL;
  g_autoptr(JmIngestRequest) single = NULL;

  /* An oversized message in a batch is rejected; the rest is kept. */
  request = decode_ok (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, batch);
  g_assert_cmpuint (request->events->len, ==, 1);
  g_assert_cmpuint (request->rejected->len, ==, 1);
  g_assert_cmpuint (rejection_at (request, 0)->index, ==, 0);
  g_assert_nonnull (strstr (rejection_at (request, 0)->reason, "32768"));

  /* A single message that large makes the request too large. */
  assert_decode_error (JM_INGEST_SEGMENT_SINGLE, JM_EVENT_TRACK, big, strlen (big),
                       JM_INGEST_ERROR_TOO_LARGE, "32768 bytes");
  single = decode_ok (JM_INGEST_SEGMENT_SINGLE, JM_EVENT_TRACK, fits);
  g_assert_cmpuint (single->events->len, ==, 1);

  /* The body limit comes first, before any parsing. */
  while (many->len <= limits.max_body_bytes)
    g_string_append_printf (many, "%s,", fits);
  g_string_append (many, "{}]}");
  assert_decode_error (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, many->str, many->len,
                       JM_INGEST_ERROR_TOO_LARGE, "500000");

  huge = g_strnfill (limits.max_body_bytes + 1, ' ');
  assert_decode_error (JM_INGEST_POSTHOG, JM_EVENT_TRACK, huge, strlen (huge),
                       JM_INGEST_ERROR_TOO_LARGE, "more than the limit");
}

static void
test_limits_rejection_cap (void)
{
  g_autoptr(GString) body = g_string_new ("{\"batch\":[");
  g_autoptr(JmIngestRequest) request = NULL;

  for (guint i = 0; i < JM_INGEST_MAX_REJECTIONS + 500; i++)
    g_string_append (body, "{},");
  g_string_append (body, "{\"event\":\"E\",\"userId\":\"u\"}]}");

  request = decode_ok (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, body->str);
  g_assert_cmpuint (request->n_items, ==, JM_INGEST_MAX_REJECTIONS + 501);
  g_assert_cmpuint (request->events->len, ==, 1);
  g_assert_cmpuint (request->rejected->len, ==, JM_INGEST_MAX_REJECTIONS);
  g_assert_cmpuint (rejection_at (request, JM_INGEST_MAX_REJECTIONS - 1)->index, ==,
                    JM_INGEST_MAX_REJECTIONS - 1);
}

/* gzip ------------------------------------------------------------------------------------- */

static void
test_gzip_round_trip (void)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  g_autoptr(GBytes) compressed = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JmIngestRequest) request = NULL;

  text = load_data ("posthog-node-batch.json", &length);
  compressed = gzip_bytes (text, length);

  plain = jm_ingest_gunzip (compressed, &limits, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), text, length);

  request = jm_ingest_request_decode_body (JM_INGEST_POSTHOG, JM_EVENT_TRACK, compressed, TRUE,
                                           NOW_MS, &limits, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (request->events->len, ==, 3);
  g_assert_cmpstr (request->write_key, ==, "phc_node_test");
}

static void
test_gzip_ratio_bomb (void)
{
  gsize length = 5 * 1000 * 1000;
  g_autofree char *zeros = g_malloc0 (length);
  g_autoptr(GBytes) compressed = gzip_bytes (zeros, length);
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;

  /* 5 MB is below the absolute cap, but it comes from a few kilobytes. */
  g_assert_cmpuint (g_bytes_get_size (compressed) * 100, <, length);
  plain = jm_ingest_gunzip (compressed, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "100 times"));
  g_assert_null (plain);
}

static void
test_gzip_too_large (void)
{
  g_autoptr(GString) text = g_string_sized_new (11 * 1000 * 1000);
  g_autoptr(GBytes) compressed = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  guint32 state = 12345;

  /* Text that compresses about tenfold: under the ratio, over the 10 MB cap. */
  while (text->len < 11 * 1000 * 1000)
    {
      state = state * 1103515245 + 12345;
      g_string_append_printf (text, "{\"event\":\"E%u\",\"n\":%u},", (state >> 16) % 97,
                              (state >> 8) % 1000);
    }
  compressed = gzip_bytes (text->str, text->len);
  g_assert_cmpuint (g_bytes_get_size (compressed) * 100, >, text->len);

  plain = jm_ingest_gunzip (compressed, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "10000000"));
  g_assert_null (plain);
}

static void
test_gzip_damaged (void)
{
  static const char text[] = "{\"batch\":[{\"event\":\"E\",\"userId\":\"u\"}]}";
  g_autoptr(GBytes) compressed = gzip_bytes (text, sizeof text - 1);
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GByteArray) trailing = g_byte_array_new ();
  g_autoptr(GBytes) trailing_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(JmIngestRequest) request = NULL;

  truncated = g_bytes_new_from_bytes (compressed, 0, g_bytes_get_size (compressed) / 2);
  plain = jm_ingest_gunzip (truncated, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON);
  g_assert_true (g_str_has_prefix (error->message, "the gzip body is damaged: "));
  g_assert_null (plain);
  g_clear_error (&error);

  plain = jm_ingest_gunzip (garbage, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON);
  g_assert_true (g_str_has_prefix (error->message, "the gzip body is damaged: "));
  g_clear_error (&error);

  plain = jm_ingest_gunzip (empty, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON);
  g_clear_error (&error);

  g_byte_array_append (trailing, g_bytes_get_data (compressed, NULL),
                       g_bytes_get_size (compressed));
  g_byte_array_append (trailing, (const guint8 *) "junk", 4);
  trailing_bytes = g_bytes_new (trailing->data, trailing->len);
  plain = jm_ingest_gunzip (trailing_bytes, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "4 bytes follow"));
  g_clear_error (&error);

  request = jm_ingest_request_decode_body (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, truncated,
                                           TRUE, NOW_MS, &limits, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_JSON);
  g_assert_null (request);
}

static void
test_gzip_body_limits (void)
{
  g_autoptr(GString) text = g_string_new ("{\"batch\":[");
  g_autoptr(GBytes) compressed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JmIngestRequest) request = NULL;
  JmIngestLimits small = limits;

  /* A gzip body may expand past max_body_bytes, up to max_decompressed_bytes. */
  for (guint i = 0; text->len < 2 * limits.max_body_bytes; i++)
    g_string_append_printf (text,
                            "{\"event\":\"Viewed\",\"userId\":\"u%u\",\"messageId\":\"m%u\"},",
                            i % 50, i);
  g_string_append (text, "{\"event\":\"Last\",\"userId\":\"u\"}]}");
  compressed = gzip_bytes (text->str, text->len);

  request = jm_ingest_request_decode_body (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, compressed,
                                           TRUE, NOW_MS, &limits, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (request->events->len, ==, request->n_items);
  g_assert_cmpuint (request->n_items, >, 10000);

  /* The compressed size is what max_body_bytes holds. */
  small.max_body_bytes = g_bytes_get_size (compressed) - 1;
  g_clear_pointer (&request, jm_ingest_request_free);
  request = jm_ingest_request_decode_body (JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK, compressed,
                                           TRUE, NOW_MS, &small, &error);
  g_assert_error (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE);
  g_assert_null (request);
}

/* PostHog ---------------------------------------------------------------------------------- */

static void
test_posthog_node_batch (void)
{
  g_autoptr(JmIngestRequest) request = decode_file (JM_INGEST_POSTHOG, "posthog-node-batch.json");
  JmEvent *event;

  g_assert_cmpuint (request->n_items, ==, 3);
  g_assert_cmpuint (request->events->len, ==, 3);
  g_assert_cmpstr (request->write_key, ==, "phc_node_test");

  /* capture: a track of the application's own user (server libraries send identified ids). */
  event = event_at (request, 0);
  g_assert_cmpint (event->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event->event, ==, "Plan Selected");
  g_assert_cmpstr (event->id, ==, "018f2a4e-5c1d-7a00-8000-00000000c001");
  g_assert_cmpstr (event->user_id, ==, "npm-posthog-user-1");
  g_assert_null (event->anonymous_id);
  g_assert_cmpstr (object_string (event->properties, "plan"), ==, "team");
  g_assert_cmpstr (object_string (event->properties, "$lib"), ==, "posthog-node");
  g_assert_cmpstr (object_string (event->context, "library.name"), ==, "posthog-node");
  /* sent_at 09:00:05, timestamp 09:00:00. */
  g_assert_cmpint (event->ts, ==, NOW_MS - 5000);
  g_assert_null (event->traits);

  event = event_at (request, 1);
  g_assert_cmpint (event->type, ==, JM_EVENT_IDENTIFY);
  g_assert_cmpstr (event->user_id, ==, "npm-posthog-user-1");
  g_assert_nonnull (event->traits);
  g_assert_cmpstr (object_string (event->traits, "name"), ==, "Grace");
  g_assert_false (json_object_has_member (event->properties, "$set"));
  g_assert_cmpint (event->ts, ==, NOW_MS - 4000);

  /* alias({distinctId: user, alias: other}) links `other` to `user`. */
  event = event_at (request, 2);
  g_assert_cmpint (event->type, ==, JM_EVENT_ALIAS);
  g_assert_cmpstr (event->user_id, ==, "npm-posthog-user-1");
  g_assert_cmpstr (event->previous_id, ==, "npm-posthog-anon-1");
}

static void
test_posthog_js_array (void)
{
  g_autoptr(JmIngestRequest) request = decode_file (JM_INGEST_POSTHOG, "posthog-js-array.json");
  g_autofree char *journey = NULL;
  JmEvent *event;

  g_assert_cmpuint (request->events->len, ==, 4);
  /* posthog-js keeps the key in properties.token; it is not stored as data. */
  g_assert_cmpstr (request->write_key, ==, "phc_js_test");

  /* $pageview of an anonymous visitor ($is_identified false). */
  event = event_at (request, 0);
  g_assert_cmpint (event->type, ==, JM_EVENT_PAGE);
  g_assert_null (event->user_id);
  g_assert_cmpstr (event->anonymous_id, ==, "0190a000-dev1");
  g_assert_cmpstr (event->id, ==, "0190a000-0000-7000-8000-000000000001");
  g_assert_cmpstr (object_string (event->properties, "url"), ==,
                   "https://shop.example/pricing?utm_source=newsletter#plans");
  g_assert_cmpstr (object_string (event->properties, "path"), ==, "/pricing");
  g_assert_cmpstr (object_string (event->properties, "$current_url"), ==,
                   "https://shop.example/pricing?utm_source=newsletter#plans");
  g_assert_false (json_object_has_member (event->properties, "token"));
  journey = jm_event_dup_journey_name (event);
  g_assert_cmpstr (journey, ==, "/pricing");
  g_assert_cmpstr (object_string (event->context, "page.referrer"), ==,
                   "https://news.example/today");
  g_assert_cmpstr (object_string (event->context, "campaign.source"), ==, "newsletter");
  g_assert_cmpstr (object_string (event->context, "campaign.medium"), ==, "email");
  g_assert_cmpstr (object_string (event->context, "campaign.name"), ==, "june");
  g_assert_cmpint (event->ts, ==, time_of ("2026-06-30T11:59:00Z"));

  /* $identify: the new distinct id is the person, $anon_distinct_id is stitched to it;
   * $set wins over $set_once.
   */
  event = event_at (request, 1);
  g_assert_cmpint (event->type, ==, JM_EVENT_IDENTIFY);
  g_assert_cmpstr (event->user_id, ==, "customer-17");
  g_assert_cmpstr (event->anonymous_id, ==, "0190a000-dev1");
  g_assert_cmpstr (object_string (event->traits, "email"), ==, "lin@example.com");
  g_assert_cmpstr (object_string (event->traits, "first_plan"), ==, "free");

  /* An identified event carries its device id, which stitches the device's past. */
  event = event_at (request, 2);
  g_assert_cmpint (event->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event->event, ==, "Checkout Started");
  g_assert_cmpstr (event->user_id, ==, "customer-17");
  g_assert_cmpstr (event->anonymous_id, ==, "0190a000-dev1");
  g_assert_null (event->traits);
  g_assert_true (json_object_has_member (event->properties, "$set"));

  /* $screen, anonymous because the distinct id is the device id; `offset` ms ago. */
  event = event_at (request, 3);
  g_assert_cmpint (event->type, ==, JM_EVENT_SCREEN);
  g_assert_cmpstr (event->event, ==, "Settings");
  g_assert_cmpstr (event->anonymous_id, ==, "android-dev-9");
  g_assert_null (event->user_id);
  g_assert_cmpint (event->ts, ==, NOW_MS - 2500);
}

static void
test_posthog_capture (void)
{
  g_autoptr(JmIngestRequest) request = decode_file (JM_INGEST_POSTHOG, "posthog-capture.json");
  JmEvent *event;

  g_assert_cmpuint (request->n_items, ==, 1);
  g_assert_cmpstr (request->write_key, ==, "phc_capture_test");
  event = event_at (request, 0);
  g_assert_cmpstr (event->event, ==, "Signed Up");
  g_assert_cmpstr (event->user_id, ==, "user-capture-1");
  g_assert_cmpstr (event->id, ==, "capture-uuid-1");
  g_assert_cmpint (event->ts, ==, time_of ("2026-06-30T10:00:00Z"));
}

static void
test_posthog_alias_and_ids (void)
{
  g_autoptr(JmIngestRequest) request = NULL;
  JmEvent *event;

  request = decode_ok (JM_INGEST_POSTHOG, JM_EVENT_TRACK,
                       "{\"api_key\":\"k\",\"sent_at\":\"2026-06-30T12:00:00Z\",\"batch\":["
                       /* posthog-js alias() on an anonymous visitor: the alias is the person. */
                       "{\"event\":\"$create_alias\",\"properties\":{\"distinct_id\":\"dev-1\","
                       "\"$device_id\":\"dev-1\",\"alias\":\"user-9\"}},"
                       /* a made-up group distinct id is nobody's. */
                       "{\"event\":\"$groupidentify\",\"distinct_id\":\"$company_acme\","
                       "\"properties\":{\"$group_type\":\"company\",\"$group_key\":\"acme\","
                       "\"$group_set\":{\"seats\":12}}},"
                       /* $set alone sets person properties. */
                       "{\"event\":\"$set\",\"distinct_id\":\"user-9\","
                       "\"$set\":{\"plan\":\"pro\"}},"
                       /* numeric distinct ids are ids; $is_identified true wins over the device. */
                       "{\"event\":\"Clicked\",\"distinct_id\":1234,\"properties\":{"
                       "\"$is_identified\":true,\"$device_id\":\"1234\"},"
                       "\"timestamp\":\"2026-06-30T11:59:59Z\",\"$ignore_sent_at\":true}"
                       "]}");
  g_assert_cmpuint (request->events->len, ==, 4);

  event = event_at (request, 0);
  g_assert_cmpint (event->type, ==, JM_EVENT_ALIAS);
  g_assert_cmpstr (event->user_id, ==, "user-9");
  g_assert_cmpstr (event->previous_id, ==, "dev-1");
  g_assert_cmpint (event->ts, ==, NOW_MS);

  event = event_at (request, 1);
  g_assert_cmpint (event->type, ==, JM_EVENT_GROUP);
  g_assert_cmpstr (event->group_id, ==, "acme");
  g_assert_null (event->user_id);
  g_assert_cmpstr (event->anonymous_id, ==, "$company_acme");
  g_assert_cmpint (json_object_get_int_member (event->traits, "seats"), ==, 12);

  event = event_at (request, 2);
  g_assert_cmpint (event->type, ==, JM_EVENT_IDENTIFY);
  g_assert_cmpstr (event->user_id, ==, "user-9");
  g_assert_cmpstr (object_string (event->traits, "plan"), ==, "pro");

  event = event_at (request, 3);
  g_assert_cmpint (event->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event->user_id, ==, "1234");
  g_assert_null (event->anonymous_id);
  /* sent_at 12:00:00, timestamp 11:59:59 ($ignore_sent_at is a property, not here). */
  g_assert_cmpint (event->ts, ==, NOW_MS - 1000);
}

static void
test_posthog_ignore_sent_at (void)
{
  g_autoptr(JmIngestRequest) request = NULL;

  request = decode_ok (JM_INGEST_POSTHOG, JM_EVENT_TRACK,
                       "{\"event\":\"Imported\",\"distinct_id\":\"u\",\"sent_at\":"
                       "\"2026-06-30T12:00:00Z\",\"timestamp\":\"2020-01-01T00:00:00Z\","
                       "\"properties\":{\"$ignore_sent_at\":true}}");
  g_assert_cmpint (event_at (request, 0)->ts, ==, time_of ("2020-01-01T00:00:00Z"));
}

static void
test_posthog_keys (void)
{
  g_autoptr(JmIngestRequest) request = NULL;

  /* An event naming another key than the request's is not stored under the request's. */
  request = decode_ok (JM_INGEST_POSTHOG, JM_EVENT_TRACK,
                       "[{\"event\":\"A\",\"distinct_id\":\"u\",\"api_key\":\"k1\"},"
                       "{\"event\":\"B\",\"distinct_id\":\"u\",\"properties\":{\"token\":\"k2\"}},"
                       "{\"event\":\"C\",\"distinct_id\":\"u\","
                       "\"properties\":{\"token\":\"k1\"}}]");
  g_assert_cmpstr (request->write_key, ==, "k1");
  g_assert_cmpuint (request->events->len, ==, 2);
  g_assert_cmpuint (request->rejected->len, ==, 1);
  g_assert_cmpuint (rejection_at (request, 0)->index, ==, 1);
  g_assert_cmpstr (rejection_at (request, 0)->field, ==, "api_key");

  assert_text_error (JM_INGEST_POSTHOG, "{\"api_key\":[],\"batch\":[]}",
                     JM_INGEST_ERROR_INVALID_JSON, "field \"api_key\" must be a string");
}

static void
test_posthog_invalid (void)
{
  assert_text_error (JM_INGEST_POSTHOG, "[{\"distinct_id\":\"u\"}]",
                     JM_INGEST_ERROR_INVALID_EVENT, "event 0: field \"event\"");
  assert_text_error (JM_INGEST_POSTHOG, "{\"event\":\"E\",\"properties\":{}}",
                     JM_INGEST_ERROR_INVALID_EVENT, "event 0: field \"distinct_id\"");
  assert_text_error (JM_INGEST_POSTHOG,
                     "{\"batch\":[{\"event\":\"E\",\"distinct_id\":\"u\",\"timestamp\":true}]}",
                     JM_INGEST_ERROR_INVALID_EVENT, "event 0: field \"timestamp\"");
  assert_text_error (JM_INGEST_POSTHOG,
                     "[{\"event\":\"E\",\"distinct_id\":\"u\",\"offset\":\"soon\"}]",
                     JM_INGEST_ERROR_INVALID_EVENT, "event 0: field \"offset\"");
  assert_text_error (JM_INGEST_POSTHOG,
                     "[{\"event\":\"$create_alias\",\"distinct_id\":\"u\"}]",
                     JM_INGEST_ERROR_INVALID_EVENT, "field \"properties.alias\"");
  assert_text_error (JM_INGEST_POSTHOG,
                     "[{\"event\":\"$identify\",\"distinct_id\":\"u\",\"$set\":[1]}]",
                     JM_INGEST_ERROR_INVALID_EVENT, "field \"$set\"");
  assert_text_error (JM_INGEST_POSTHOG, "\"$pageview\"", JM_INGEST_ERROR_INVALID_JSON,
                     "not a string");
  assert_text_error (JM_INGEST_POSTHOG, "{\"batch\":\"all\"}", JM_INGEST_ERROR_INVALID_JSON,
                     "field \"batch\" must be an array");
  assert_text_error (JM_INGEST_POSTHOG, "{\"batch\":[],\"sent_at\":{}}",
                     JM_INGEST_ERROR_INVALID_JSON, "field \"sent_at\"");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  jm_ingest_limits_init_default (&limits);

  g_test_add_func ("/jm/ingest/limits/default", test_limits_default);
  g_test_add_func ("/jm/ingest/limits/sizes", test_limits_sizes);
  g_test_add_func ("/jm/ingest/limits/rejection-cap", test_limits_rejection_cap);
  g_test_add_func ("/jm/ingest/segment/batch", test_segment_batch);
  g_test_add_func ("/jm/ingest/segment/context-merge", test_segment_context_merge);
  g_test_add_func ("/jm/ingest/segment/sent-at", test_segment_sent_at);
  g_test_add_func ("/jm/ingest/segment/item-sent-at", test_segment_item_sent_at);
  g_test_add_func ("/jm/ingest/segment/partial", test_segment_partial);
  g_test_add_func ("/jm/ingest/segment/reasons-utf8", test_segment_reasons_utf8);
  g_test_add_func ("/jm/ingest/segment/all-invalid", test_segment_all_invalid);
  g_test_add_func ("/jm/ingest/segment/shapes", test_segment_shapes);
  g_test_add_func ("/jm/ingest/segment/empty-batch", test_segment_empty_batch);
  g_test_add_func ("/jm/ingest/segment/single", test_segment_single);
  g_test_add_func ("/jm/ingest/native", test_native);
  g_test_add_func ("/jm/ingest/gzip/round-trip", test_gzip_round_trip);
  g_test_add_func ("/jm/ingest/gzip/ratio-bomb", test_gzip_ratio_bomb);
  g_test_add_func ("/jm/ingest/gzip/too-large", test_gzip_too_large);
  g_test_add_func ("/jm/ingest/gzip/damaged", test_gzip_damaged);
  g_test_add_func ("/jm/ingest/gzip/body-limits", test_gzip_body_limits);
  g_test_add_func ("/jm/ingest/posthog/node-batch", test_posthog_node_batch);
  g_test_add_func ("/jm/ingest/posthog/js-array", test_posthog_js_array);
  g_test_add_func ("/jm/ingest/posthog/capture", test_posthog_capture);
  g_test_add_func ("/jm/ingest/posthog/alias-and-ids", test_posthog_alias_and_ids);
  g_test_add_func ("/jm/ingest/posthog/ignore-sent-at", test_posthog_ignore_sent_at);
  g_test_add_func ("/jm/ingest/posthog/keys", test_posthog_keys);
  g_test_add_func ("/jm/ingest/posthog/invalid", test_posthog_invalid);

  return g_test_run ();
}
