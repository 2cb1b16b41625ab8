/* jm-server-ingest.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include <string.h>

#include "jm-http-response.h"
#include "jm-ingest-privacy.h"
#include "jm-server-private.h"

/* The ingest routes of JmServer (DESIGN §4) and their pipeline (DESIGN §2):
 *
 *   server thread   checks of the request line and headers (method, media type, encoding,
 *                   size, per-address rate limit), then pauses the message;
 *   decode worker   gunzip, decode and validate, authenticate, check the scope, per-key rate
 *                   limit, the privacy stage, and the store's derivations of each event
 *                   (a small plain body: on the server thread, where that is cheaper);
 *   writer          group commit (jm-ingest-writer.c);
 *   server thread   the answer, once committed.
 */

/* Bodies up to this size are decoded on the server thread (see jm_server_handle_ingest()). */
#define INLINE_DECODE_BYTES 4096

typedef struct
{
  const char    *path;
  JmIngestRoute  route;
  JmEventType    type;
} IngestRoute;

static const IngestRoute ingest_routes[] = {
  { "/v1/batch", JM_INGEST_SEGMENT_BATCH, JM_EVENT_TRACK },
  { "/v1/track", JM_INGEST_SEGMENT_SINGLE, JM_EVENT_TRACK },
  { "/v1/page", JM_INGEST_SEGMENT_SINGLE, JM_EVENT_PAGE },
  { "/v1/screen", JM_INGEST_SEGMENT_SINGLE, JM_EVENT_SCREEN },
  { "/v1/identify", JM_INGEST_SEGMENT_SINGLE, JM_EVENT_IDENTIFY },
  { "/v1/alias", JM_INGEST_SEGMENT_SINGLE, JM_EVENT_ALIAS },
  { "/v1/group", JM_INGEST_SEGMENT_SINGLE, JM_EVENT_GROUP },
  { "/batch/", JM_INGEST_POSTHOG, JM_EVENT_TRACK },
  { "/capture/", JM_INGEST_POSTHOG, JM_EVENT_TRACK },
  { "/e/", JM_INGEST_POSTHOG, JM_EVENT_TRACK },
  { "/i/v0/e/", JM_INGEST_POSTHOG, JM_EVENT_TRACK },
  { "/api/v1/events", JM_INGEST_NATIVE, JM_EVENT_TRACK },
};

typedef struct
{
  JmServer          *server;
  SoupServerMessage *msg;            /* server thread only */
  JmIngestRoute      route;
  JmEventType        single_type;
  GBytes            *body;
  gboolean           gzip;
  char              *header_key;
  gint64             received_ms;

  /* The outcome: an error answer, or the decoded request and its commit */
  guint              status;
  const char        *error_code;
  char              *error_message;
  guint              retry_after;
  JmIngestRequest   *request;
  JmIngestBatch      batch;
} IngestJob;

static void
ingest_job_free (IngestJob *job)
{
  g_clear_object (&job->msg);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_free (job->header_key);
  g_free (job->error_message);
  g_clear_pointer (&job->request, jm_ingest_request_free);
  g_clear_error (&job->batch.error);
  g_free (job);
}

gboolean
jm_server_ingest_route (const char     *path,
                        JmIngestRoute  *out_route,
                        JmEventType    *out_type,
                        const char    **out_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (ingest_routes); i++)
    {
      const char *candidate = ingest_routes[i].path;
      gsize length = strlen (candidate);

      /* PostHog's paths are also reached without their final slash. */
      if (g_str_equal (path, candidate) ||
          (candidate[length - 1] == '/' && strlen (path) == length - 1 &&
           strncmp (path, candidate, length - 1) == 0))
        {
          if (out_route != NULL)
            *out_route = ingest_routes[i].route;
          if (out_type != NULL)
            *out_type = ingest_routes[i].type;
          if (out_name != NULL)
            *out_name = candidate;
          return TRUE;
        }
    }

  return FALSE;
}

/* JSON, or what real SDKs send instead: text/plain (posthog-js through sendBeacon, which
 * cannot set a JSON type), or nothing at all.
 */
static gboolean
media_type_acceptable (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  return type == NULL ||
         g_ascii_strcasecmp (type, "application/json") == 0 ||
         g_ascii_strcasecmp (type, "text/plain") == 0 ||
         g_str_has_suffix (type, "+json");
}

/* Whether the body is gzip: Content-Encoding, PostHog's ?compression=gzip-js, or the gzip
 * magic bytes. FALSE with an answer set for an encoding we do not read.
 */
static gboolean
detect_gzip (SoupServerMessage *msg,
             GHashTable        *query,
             GBytes            *body,
             gboolean          *out_gzip)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *encoding = soup_message_headers_get_one (headers, "Content-Encoding");
  const char *compression = query != NULL ? g_hash_table_lookup (query, "compression") : NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (body, &size);

  *out_gzip = FALSE;

  if (encoding != NULL && encoding[0] != '\0' && g_ascii_strcasecmp (encoding, "identity") != 0)
    {
      if (g_ascii_strcasecmp (encoding, "gzip") != 0 &&
          g_ascii_strcasecmp (encoding, "x-gzip") != 0)
        {
          jm_http_respond_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                                 JM_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                 "Content-Encoding “%s” is not supported; send the body as is "
                                 "or gzip-compressed", encoding);
          return FALSE;
        }
      *out_gzip = TRUE;
    }

  if (compression != NULL && compression[0] != '\0')
    {
      if (!g_str_equal (compression, "gzip-js") && !g_str_equal (compression, "gzip"))
        {
          jm_http_respond_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                                 JM_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                 "compression=%s is not supported (gzip-js is)", compression);
          return FALSE;
        }
      *out_gzip = TRUE;
    }

  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    *out_gzip = TRUE;

  return TRUE;
}

void
jm_server_handle_ingest (JmServer          *self,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = NULL;
  IngestJob *job;
  JmIngestRoute route;
  JmEventType type;
  gboolean gzip = FALSE;

  if (!jm_server_ingest_route (path, &route, &type, NULL))
    g_assert_not_reached ();

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "POST, OPTIONS");
      jm_http_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, JM_HTTP_METHOD_NOT_ALLOWED,
                             "Send events with POST");
      return;
    }

  if (!media_type_acceptable (msg))
    {
      jm_http_respond_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                             JM_HTTP_UNSUPPORTED_MEDIA_TYPE,
                             "The body must be JSON (Content-Type: application/json), not %s",
                             soup_message_headers_get_content_type (headers, NULL));
      return;
    }

  /* A chunked body cut off by the early check is not kept at all. */
  if (g_object_get_data (G_OBJECT (msg), "jm-too-large") == NULL)
    body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  if (body == NULL || g_bytes_get_size (body) > self->limits.max_body_bytes)
    {
      jm_http_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, JM_HTTP_PAYLOAD_TOO_LARGE,
                             "The request body is larger than the limit of %" G_GSIZE_FORMAT
                             " bytes", self->limits.max_body_bytes);
      return;
    }

  if (!detect_gzip (msg, query, body, &gzip))
    return;

  job = g_new0 (IngestJob, 1);
  job->server = self;
  job->msg = g_object_ref (msg);
  job->route = route;
  job->single_type = type;
  job->body = g_steal_pointer (&body);
  job->gzip = gzip;
  job->header_key = jm_server_dup_header_key (msg);
  job->received_ms = g_get_real_time () / 1000;
  job->batch.user_data = job;

  jm_server_pause_message (self, msg);
  jm_server_metrics_add_queued (self->metrics, 1);

  /* A small plain body decodes in microseconds, less than handing it to another thread and
   * back costs; larger or compressed ones go to the decode workers.
   */
  if (!gzip && g_bytes_get_size (job->body) <= INLINE_DECODE_BYTES)
    jm_server_decode_job (job, self);
  else
    g_thread_pool_push (self->decoders, job, NULL);
}

/* Answers (server thread) */

static JsonNode *
success_body (IngestJob *job)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GPtrArray *rejected = job->request->rejected;

  json_builder_begin_object (builder);
  if (job->route == JM_INGEST_POSTHOG)
    {
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, 1);
    }
  else
    {
      json_builder_set_member_name (builder, "success");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_set_member_name (builder, "accepted");
  json_builder_add_int_value (builder, job->request->events->len);
  json_builder_set_member_name (builder, "rejected");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rejected->len; i++)
    {
      JmIngestRejection *rejection = g_ptr_array_index (rejected, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, rejection->index);
      json_builder_set_member_name (builder, "field");
      json_builder_add_string_value (builder, rejection->field != NULL ? rejection->field : "");
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, rejection->reason != NULL ? rejection->reason : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
respond_job (IngestJob *job)
{
  JmServer *self = job->server;
  SoupServerMessage *msg = job->msg;

  if (job->status == 0 && job->batch.error != NULL)
    {
      /* Nothing of this request was kept: the client must send it again. */
      jm_server_metrics_add_rejected (self->metrics, JM_HTTP_UNAVAILABLE,
                                      job->request->events->len);
      jm_http_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE,
                             "Nothing was stored, send the request again later: %s",
                             job->batch.error->message);
    }
  else if (job->status == 0)
    {
      g_autoptr(JsonNode) body = success_body (job);

      jm_server_metrics_add_rejected (self->metrics, JM_HTTP_INVALID_EVENT,
                                      job->request->rejected->len);
      jm_http_respond_json (msg, SOUP_STATUS_OK, body);
    }
  else
    {
      if (job->status == JM_HTTP_STATUS_TOO_MANY_REQUESTS)
        jm_server_respond_rate_limited (msg, job->retry_after);
      else
        jm_http_respond_error (msg, job->status, job->error_code, "%s", job->error_message);
    }

  jm_server_metrics_add_queued (self->metrics, -1);
  jm_server_unpause_message (self, msg);
}

static gboolean
respond_jobs_cb (gpointer data)
{
  GPtrArray *jobs = data;

  for (guint i = 0; i < jobs->len; i++)
    respond_job (g_ptr_array_index (jobs, i));

  return G_SOURCE_REMOVE;
}

static void
send_to_server_thread (JmServer  *self,
                       GPtrArray *jobs)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, respond_jobs_cb, jobs,
                              (GDestroyNotify)g_ptr_array_unref);
}

void
jm_server_ingest_committed (GPtrArray *batches,
                            gpointer   server)
{
  GPtrArray *jobs = g_ptr_array_new_full (batches->len, (GDestroyNotify)ingest_job_free);

  for (guint i = 0; i < batches->len; i++)
    {
      JmIngestBatch *batch = g_ptr_array_index (batches, i);

      g_ptr_array_add (jobs, batch->user_data);
    }

  send_to_server_thread (server, jobs);
}

/* The decode worker */

static void
fail_job (IngestJob  *job,
          guint       status,
          const char *code,
          const char *message)
{
  GPtrArray *jobs = g_ptr_array_new_full (1, (GDestroyNotify)ingest_job_free);

  job->status = status;
  job->error_code = code;
  job->error_message = g_strdup (message);
  g_ptr_array_add (jobs, job);
  send_to_server_thread (job->server, jobs);
}

static void
fail_job_from_error (IngestJob    *job,
                     const GError *error)
{
  guint status = SOUP_STATUS_BAD_REQUEST;
  const char *code = JM_HTTP_INVALID_JSON;

  if (g_error_matches (error, JM_INGEST_ERROR, JM_INGEST_ERROR_TOO_LARGE))
    {
      status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      code = JM_HTTP_PAYLOAD_TOO_LARGE;
    }
  else if (g_error_matches (error, JM_INGEST_ERROR, JM_INGEST_ERROR_INVALID_EVENT))
    {
      code = JM_HTTP_INVALID_EVENT;
    }

  fail_job (job, status, code, error->message);
}

void
jm_server_decode_job (gpointer data,
                      gpointer server)
{
  IngestJob *job = data;
  JmServer *self = server;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) scratch = NULL;
  g_autofree char *key_id = NULL;
  const char *secret;
  gint64 project = 0;
  JmKeyScope scope;
  GPtrArray *events;

  /* Validate: a gzip body is held to the body limit before it is decompressed, and its
   * decompressed text to the (larger) decompressed limit and the ratio cap.
   */
  job->request = jm_ingest_request_decode_body (job->route, job->single_type, job->body,
                                                job->gzip, job->received_ms, &self->limits,
                                                &error);
  if (job->request == NULL)
    {
      fail_job_from_error (job, error);
      return;
    }
  g_clear_pointer (&job->body, g_bytes_unref);
  events = job->request->events;

  /* Authenticate: the header's key, else the body's (writeKey, api_key) */
  secret = job->header_key != NULL ? job->header_key : job->request->write_key;
  if (secret == NULL || secret[0] == '\0')
    {
      fail_job (job, SOUP_STATUS_UNAUTHORIZED, JM_HTTP_UNAUTHORIZED,
                job->route == JM_INGEST_POSTHOG
                ? "No API key: send an ingest key as “api_key” in the body"
                : job->route == JM_INGEST_NATIVE
                ? "No API key: send an ingest key as “Authorization: Bearer KEY”"
                : "No write key: send an ingest key as the HTTP Basic user or as “writeKey”");
      return;
    }

  if (!jm_key_cache_verify (self->key_cache, self->auth_store, &self->auth_lock, secret,
                            g_get_monotonic_time (), &project, &scope, &key_id, &error))
    {
      if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND))
        fail_job (job, SOUP_STATUS_UNAUTHORIZED, JM_HTTP_UNAUTHORIZED, error->message);
      else
        fail_job (job, SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE, error->message);
      return;
    }

  if (!jm_key_scope_allows (scope, JM_KEY_SCOPE_INGEST))
    {
      g_autofree char *message =
        g_strdup_printf ("The key %s has the %s scope; sending events needs an ingest key",
                         key_id, jm_key_scope_to_string (scope));

      fail_job (job, SOUP_STATUS_FORBIDDEN, JM_HTTP_FORBIDDEN, message);
      return;
    }

  /* Rate limit, in events per key */
  if (!jm_rate_limiter_take (self->key_limiter, key_id, events->len, g_get_monotonic_time (),
                             &job->retry_after))
    {
      jm_server_metrics_add_rejected (self->metrics, JM_HTTP_RATE_LIMITED, events->len);
      fail_job (job, JM_HTTP_STATUS_TOO_MANY_REQUESTS, JM_HTTP_RATE_LIMITED, NULL);
      return;
    }

  /* Privacy: what this stage withholds is neither stored nor counted as accepted. */
  jm_server_metrics_add_rejected (self->metrics, "privacy",
                                  jm_ingest_privacy_apply (project, events));

  /* What the store derives from each event is computed here, off the writer's thread. */
  scratch = g_string_sized_new (1024);
  for (guint i = 0; i < events->len; i++)
    jm_event_prepare_for_store (g_ptr_array_index (events, i), scratch, TRUE);

  /* Group commit; the writer answers through jm_server_ingest_committed(). */
  job->batch.project = project;
  job->batch.events = events;
  jm_ingest_writer_push (self->writer, &job->batch);
}
