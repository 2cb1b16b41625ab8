/* fuzz-ingest.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the listener's request decoders (DESIGN §4): whatever bytes a client
 * posts, decoding ends in events, rejections or one of the three errors. Crashes, sanitizer
 * reports, leaks and GLib criticals are bugs.
 *
 * The first byte of an input chooses how the rest is posted: bits 0–3 the route (the
 * Segment batch, each of the six Segment single routes, PostHog, native), bit 4 as a gzip
 * body (through jm_ingest_gunzip() and jm_ingest_request_decode_body()), bit 5 with small
 * limits, so the size checks are reached by small inputs too.
 */

#define G_LOG_DOMAIN "jm-fuzz"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "jm-ingest-request.h"

/* 2026-06-30T12:34:56Z: decoding is a pure function of the bytes and this time. */
#define NOW_MS G_GINT64_CONSTANT (1782822896000)

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
quiet_log_handler (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    g_log_default_handler (log_domain, log_level, message, user_data);
}

/* What the server does next with a decoded request: every event must be ready for the store
 * and serializable, every rejection must make a response.
 */
static void
check_request (JmIngestRequest *request)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  guint previous_index = 0;

  g_assert_nonnull (request->events);
  g_assert_nonnull (request->rejected);
  g_assert_cmpuint (request->events->len, <=, request->n_items);
  g_assert_cmpuint (request->rejected->len, <=, request->n_items - request->events->len);
  g_assert_cmpuint (request->rejected->len, <=, JM_INGEST_MAX_REJECTIONS);
  if (request->rejected->len < JM_INGEST_MAX_REJECTIONS)
    g_assert_cmpuint (request->events->len + request->rejected->len, ==, request->n_items);
  /* A request without one valid event is INVALID_EVENT, unless it had no events at all. */
  g_assert_true (request->events->len > 0 || request->n_items == 0);

  for (guint i = 0; i < request->events->len; i++)
    {
      JmEvent *event = g_ptr_array_index (request->events, i);
      g_autoptr(JsonObject) json = NULL;

      g_assert_true (event->user_id != NULL || event->anonymous_id != NULL);
      json = jm_event_to_json (event);
      g_assert_nonnull (json);
      jm_event_prepare_for_store (event, scratch, FALSE);
      g_assert_true (g_utf8_validate (event->properties_json, -1, NULL));
      g_assert_true (g_utf8_validate (event->context_json, -1, NULL));
      if (event->journey_name != NULL)
        g_assert_true (g_utf8_validate (event->journey_name, -1, NULL));
    }

  for (guint i = 0; i < request->rejected->len; i++)
    {
      JmIngestRejection *rejection = g_ptr_array_index (request->rejected, i);

      g_assert_cmpuint (rejection->index, <, request->n_items);
      g_assert_true (i == 0 || rejection->index > previous_index);
      g_assert_nonnull (rejection->field);
      g_assert_nonnull (rejection->reason);
      g_assert_true (g_utf8_validate (rejection->field, -1, NULL));
      g_assert_true (g_utf8_validate (rejection->reason, -1, NULL));
      previous_index = rejection->index;
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
  g_log_set_default_handler (quiet_log_handler, NULL);

  /* Types and quarks registered once per process, outside the per-input leak check. */
  g_type_ensure (G_TYPE_ZLIB_DECOMPRESSOR);
  (void) jm_ingest_error_quark ();
  (void) jm_event_error_quark ();
  (void) g_io_error_quark ();

  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmIngestRequest) request = NULL;
  g_autoptr(GBytes) body = NULL;
  JmIngestLimits limits;
  JmIngestRoute route;
  JmEventType single_type = JM_EVENT_TRACK;
  guint8 selector;

  if (size == 0)
    return 0;

  selector = data[0];
  data++;
  size--;

  switch (selector & 0x0f)
    {
    case 0:
      route = JM_INGEST_SEGMENT_BATCH;
      break;
    case 1: case 2: case 3: case 4: case 5: case 6:
      route = JM_INGEST_SEGMENT_SINGLE;
      single_type = (JmEventType) ((selector & 0x0f) - 1);
      break;
    case 7: case 8: case 9: case 10: case 11:
      route = JM_INGEST_POSTHOG;
      break;
    default:
      route = JM_INGEST_NATIVE;
      break;
    }

  jm_ingest_limits_init_default (&limits);
  if (selector & 0x20)
    {
      limits.max_event_bytes = 200;
      limits.max_body_bytes = 2000;
      limits.max_decompressed_bytes = 8000;
      limits.max_ratio = 8;
    }

  /* The bytes are only borrowed: libFuzzer owns them for the duration of the call. */
  body = g_bytes_new_static (data, size);

  if (selector & 0x10)
    {
      g_autoptr(GBytes) plain = jm_ingest_gunzip (body, &limits, &error);

      if (plain == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == JM_INGEST_ERROR);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpuint (g_bytes_get_size (plain), <=, limits.max_decompressed_bytes);
          g_assert_cmpuint (g_bytes_get_size (plain), <=, (gsize) limits.max_ratio * size);
        }

      request = jm_ingest_request_decode_body (route, single_type, body, TRUE, NOW_MS, &limits,
                                               &error);
    }
  else
    {
      request = jm_ingest_request_decode (route, single_type, (const char *) data, size, NOW_MS,
                                          &limits, &error);
    }

  if (request == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == JM_INGEST_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  else
    {
      g_assert_no_error (error);
      check_request (request);
    }

  return 0;
}
