/* jm-server.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include <string.h>

#include "jm-http-response.h"
#include "jm-server-private.h"

/* Defaults of DESIGN §4. */
#define DEFAULT_PORT           8088
#define DEFAULT_KEY_RATE       1000.0
#define DEFAULT_KEY_BURST      5000.0
#define DEFAULT_ADDRESS_RATE   100.0
#define DEFAULT_ADDRESS_BURST  100.0
#define DEFAULT_LIVE_QUEUE     1024

/* A verified key is trusted this long before it is checked again (so a revocation takes
 * effect within it).
 */
#define KEY_CACHE_TTL_US       (10 * G_USEC_PER_SEC)

/* Decoding is spread over this many threads; the HTTP thread and the writer are the others. */
#define N_DECODERS             2

/* How long stopping waits for the requests in flight. */
#define DRAIN_TIMEOUT_US       (30 * G_USEC_PER_SEC)

G_DEFINE_QUARK (jm-server-error-quark, jm_server_error)

G_DEFINE_FINAL_TYPE (JmServer, jm_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WORKSPACE_PATH,
  PROP_BIND_ADDRESS,
  PROP_PORT,
  PROP_TLS_CERTIFICATE_FILE,
  PROP_TLS_KEY_FILE,
  PROP_CORS_ORIGINS,
  PROP_KEY_RATE,
  PROP_KEY_BURST,
  PROP_ADDRESS_RATE,
  PROP_ADDRESS_BURST,
  PROP_MAX_BODY_BYTES,
  PROP_MAX_EVENT_BYTES,
  PROP_LIVE_QUEUE_LENGTH,
  PROP_URL,
  N_PROPS
};

enum {
  LISTENING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Settings */

/* Whether `*field` changed to a copy of `value`. */
static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

JmServer *
jm_server_new (const char *workspace_path)
{
  g_return_val_if_fail (workspace_path != NULL, NULL);

  return g_object_new (JM_TYPE_SERVER, "workspace-path", workspace_path, NULL);
}

const char *
jm_server_get_workspace_path (JmServer *self)
{
  g_return_val_if_fail (JM_IS_SERVER (self), NULL);

  return self->workspace_path;
}

const char *
jm_server_get_bind_address (JmServer *self)
{
  g_return_val_if_fail (JM_IS_SERVER (self), NULL);

  return self->bind_address;
}

void
jm_server_set_bind_address (JmServer   *self,
                            const char *address)
{
  g_return_if_fail (JM_IS_SERVER (self));
  g_return_if_fail (address != NULL);

  if (replace_string (&self->bind_address, address))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BIND_ADDRESS]);
}

guint
jm_server_get_port (JmServer *self)
{
  g_return_val_if_fail (JM_IS_SERVER (self), 0);

  return self->port;
}

void
jm_server_set_port (JmServer *self,
                    guint     port)
{
  g_return_if_fail (JM_IS_SERVER (self));
  g_return_if_fail (port <= 65535);

  if (self->port != port)
    {
      self->port = port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
}

void
jm_server_set_tls_files (JmServer   *self,
                         const char *certificate_file,
                         const char *key_file)
{
  g_return_if_fail (JM_IS_SERVER (self));

  if (replace_string (&self->tls_certificate_file, certificate_file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_CERTIFICATE_FILE]);
  if (replace_string (&self->tls_key_file, key_file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_KEY_FILE]);
}

void
jm_server_set_cors_origins (JmServer           *self,
                            const char * const *origins)
{
  g_return_if_fail (JM_IS_SERVER (self));

  if (self->cors_origins == NULL && (origins == NULL || origins[0] == NULL))
    return;
  if (self->cors_origins != NULL && origins != NULL &&
      g_strv_equal ((const char * const *)self->cors_origins, origins))
    return;

  g_clear_pointer (&self->cors_origins, g_strfreev);
  if (origins != NULL && origins[0] != NULL)
    self->cors_origins = g_strdupv ((char **)origins);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORS_ORIGINS]);
}

const char *
jm_server_get_url (JmServer *self)
{
  g_return_val_if_fail (JM_IS_SERVER (self), NULL);

  return self->url;
}

guint
jm_server_get_bound_port (JmServer *self)
{
  g_return_val_if_fail (JM_IS_SERVER (self), 0);

  return self->bound_port;
}

gboolean
jm_server_is_running (JmServer *self)
{
  g_return_val_if_fail (JM_IS_SERVER (self), FALSE);

  return self->thread != NULL;
}

static void
set_double (JmServer   *self,
            double     *field,
            double      value,
            guint       prop)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

static void
set_size (JmServer *self,
          gsize    *field,
          guint64   value,
          guint     prop)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

static void
jm_server_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JmServer *self = JM_SERVER (object);

  switch (prop_id)
    {
    case PROP_WORKSPACE_PATH:
      g_value_set_string (value, self->workspace_path);
      break;
    case PROP_BIND_ADDRESS:
      g_value_set_string (value, self->bind_address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TLS_CERTIFICATE_FILE:
      g_value_set_string (value, self->tls_certificate_file);
      break;
    case PROP_TLS_KEY_FILE:
      g_value_set_string (value, self->tls_key_file);
      break;
    case PROP_CORS_ORIGINS:
      g_value_set_boxed (value, self->cors_origins);
      break;
    case PROP_KEY_RATE:
      g_value_set_double (value, self->key_rate);
      break;
    case PROP_KEY_BURST:
      g_value_set_double (value, self->key_burst);
      break;
    case PROP_ADDRESS_RATE:
      g_value_set_double (value, self->address_rate);
      break;
    case PROP_ADDRESS_BURST:
      g_value_set_double (value, self->address_burst);
      break;
    case PROP_MAX_BODY_BYTES:
      g_value_set_uint64 (value, self->limits.max_body_bytes);
      break;
    case PROP_MAX_EVENT_BYTES:
      g_value_set_uint64 (value, self->limits.max_event_bytes);
      break;
    case PROP_LIVE_QUEUE_LENGTH:
      g_value_set_uint (value, self->live_queue_length);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jm_server_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  JmServer *self = JM_SERVER (object);

  /* The threads read the settings while running: they are fixed from start to stop. */
  if (self->thread != NULL && prop_id != PROP_WORKSPACE_PATH)
    {
      g_warning ("The listener's “%s” cannot change while it runs; stop it first",
                 pspec->name);
      return;
    }

  switch (prop_id)
    {
    case PROP_WORKSPACE_PATH:
      replace_string (&self->workspace_path, g_value_get_string (value));
      break;
    case PROP_BIND_ADDRESS:
      jm_server_set_bind_address (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      jm_server_set_port (self, g_value_get_uint (value));
      break;
    case PROP_TLS_CERTIFICATE_FILE:
      jm_server_set_tls_files (self, g_value_get_string (value), self->tls_key_file);
      break;
    case PROP_TLS_KEY_FILE:
      jm_server_set_tls_files (self, self->tls_certificate_file, g_value_get_string (value));
      break;
    case PROP_CORS_ORIGINS:
      jm_server_set_cors_origins (self, g_value_get_boxed (value));
      break;
    case PROP_KEY_RATE:
      set_double (self, &self->key_rate, g_value_get_double (value), prop_id);
      break;
    case PROP_KEY_BURST:
      set_double (self, &self->key_burst, g_value_get_double (value), prop_id);
      break;
    case PROP_ADDRESS_RATE:
      set_double (self, &self->address_rate, g_value_get_double (value), prop_id);
      break;
    case PROP_ADDRESS_BURST:
      set_double (self, &self->address_burst, g_value_get_double (value), prop_id);
      break;
    case PROP_MAX_BODY_BYTES:
      set_size (self, &self->limits.max_body_bytes, g_value_get_uint64 (value), prop_id);
      break;
    case PROP_MAX_EVENT_BYTES:
      set_size (self, &self->limits.max_event_bytes, g_value_get_uint64 (value), prop_id);
      break;
    case PROP_LIVE_QUEUE_LENGTH:
      if (self->live_queue_length != g_value_get_uint (value))
        {
          self->live_queue_length = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jm_server_dispose (GObject *object)
{
  JmServer *self = JM_SERVER (object);

  jm_server_stop (self);

  G_OBJECT_CLASS (jm_server_parent_class)->dispose (object);
}

static void
jm_server_finalize (GObject *object)
{
  JmServer *self = JM_SERVER (object);

  g_free (self->workspace_path);
  g_free (self->bind_address);
  g_free (self->tls_certificate_file);
  g_free (self->tls_key_file);
  g_strfreev (self->cors_origins);
  g_free (self->url);
  g_mutex_clear (&self->start_mutex);
  g_cond_clear (&self->start_cond);
  g_mutex_clear (&self->auth_lock);

  G_OBJECT_CLASS (jm_server_parent_class)->finalize (object);
}

static void
jm_server_class_init (JmServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  JmIngestLimits limits;

  jm_ingest_limits_init_default (&limits);

  object_class->dispose = jm_server_dispose;
  object_class->finalize = jm_server_finalize;
  object_class->get_property = jm_server_get_property;
  object_class->set_property = jm_server_set_property;

  properties[PROP_WORKSPACE_PATH] =
    g_param_spec_string ("workspace-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BIND_ADDRESS] =
    g_param_spec_string ("bind-address", NULL, NULL, "127.0.0.1", flags);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, DEFAULT_PORT, flags);
  properties[PROP_TLS_CERTIFICATE_FILE] =
    g_param_spec_string ("tls-certificate-file", NULL, NULL, NULL, flags);
  properties[PROP_TLS_KEY_FILE] =
    g_param_spec_string ("tls-key-file", NULL, NULL, NULL, flags);
  properties[PROP_CORS_ORIGINS] =
    g_param_spec_boxed ("cors-origins", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_KEY_RATE] =
    g_param_spec_double ("key-rate", NULL, NULL, 0, G_MAXDOUBLE, DEFAULT_KEY_RATE, flags);
  properties[PROP_KEY_BURST] =
    g_param_spec_double ("key-burst", NULL, NULL, 1, G_MAXDOUBLE, DEFAULT_KEY_BURST, flags);
  properties[PROP_ADDRESS_RATE] =
    g_param_spec_double ("address-rate", NULL, NULL, 0, G_MAXDOUBLE, DEFAULT_ADDRESS_RATE, flags);
  properties[PROP_ADDRESS_BURST] =
    g_param_spec_double ("address-burst", NULL, NULL, 1, G_MAXDOUBLE, DEFAULT_ADDRESS_BURST,
                         flags);
  properties[PROP_MAX_BODY_BYTES] =
    g_param_spec_uint64 ("max-body-bytes", NULL, NULL, 1, G_MAXUINT32, limits.max_body_bytes,
                         flags);
  properties[PROP_MAX_EVENT_BYTES] =
    g_param_spec_uint64 ("max-event-bytes", NULL, NULL, 1, G_MAXUINT32, limits.max_event_bytes,
                         flags);
  properties[PROP_LIVE_QUEUE_LENGTH] =
    g_param_spec_uint ("live-queue-length", NULL, NULL, 1, G_MAXUINT32, DEFAULT_LIVE_QUEUE,
                       flags);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JmServer::listening:
   * @url: "http://ADDRESS:PORT/"
   *
   * Emitted by jm_server_start(), on its thread, once connections are accepted.
   */
  signals[LISTENING] =
    g_signal_new ("listening", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
jm_server_init (JmServer *self)
{
  self->bind_address = g_strdup ("127.0.0.1");
  self->port = DEFAULT_PORT;
  self->key_rate = DEFAULT_KEY_RATE;
  self->key_burst = DEFAULT_KEY_BURST;
  self->address_rate = DEFAULT_ADDRESS_RATE;
  self->address_burst = DEFAULT_ADDRESS_BURST;
  self->live_queue_length = DEFAULT_LIVE_QUEUE;
  jm_ingest_limits_init_default (&self->limits);
  g_mutex_init (&self->start_mutex);
  g_cond_init (&self->start_cond);
  g_mutex_init (&self->auth_lock);
}

/* Helpers shared by the route files */

static void
count_finished_cb (SoupServerMessage *msg,
                   gpointer           user_data)
{
  JmServer *self = g_object_get_data (G_OBJECT (msg), "jm-server");
  const char *route = user_data;

  if (self != NULL && self->metrics != NULL)
    jm_server_metrics_count_request (self->metrics, route, soup_server_message_get_status (msg));
}

void
jm_server_count_response (JmServer          *self,
                          SoupServerMessage *msg,
                          const char        *route)
{
  g_object_set_data (G_OBJECT (msg), "jm-server", self);
  g_signal_connect (msg, "finished", G_CALLBACK (count_finished_cb), (gpointer)route);
}

static void
paused_finished_cb (SoupServerMessage *msg,
                    gpointer           user_data)
{
  JmServer *self = user_data;

  g_assert (self->in_flight > 0);
  self->in_flight--;
}

void
jm_server_track_message (JmServer          *self,
                         SoupServerMessage *msg)
{
  self->in_flight++;
  g_signal_connect (msg, "finished", G_CALLBACK (paused_finished_cb), self);
}

void
jm_server_pause_message (JmServer          *self,
                         SoupServerMessage *msg)
{
  jm_server_track_message (self, msg);
  soup_server_message_pause (msg);
}

void
jm_server_unpause_message (JmServer          *self,
                           SoupServerMessage *msg)
{
  soup_server_message_unpause (msg);
}

char *
jm_server_dup_header_key (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  if (authorization == NULL)
    return NULL;

  while (*authorization == ' ')
    authorization++;

  if (g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    {
      g_autofree char *token = g_strstrip (g_strdup (authorization + 7));

      return token[0] != '\0' ? g_steal_pointer (&token) : NULL;
    }

  if (g_ascii_strncasecmp (authorization, "Basic ", 6) == 0)
    {
      g_autofree char *encoded = g_strstrip (g_strdup (authorization + 6));
      g_autofree guchar *decoded = NULL;
      g_autofree char *text = NULL;
      gsize length = 0;
      char *colon;

      decoded = g_base64_decode (encoded, &length);
      if (decoded == NULL || length == 0)
        return NULL;

      text = g_strndup ((const char *)decoded, length);
      colon = strchr (text, ':');
      if (colon != NULL)
        *colon = '\0';

      return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
    }

  return NULL;
}

void
jm_server_respond_rate_limited (SoupServerMessage *msg,
                                guint              retry_after)
{
  char seconds[16];

  g_snprintf (seconds, sizeof seconds, "%u", MAX (retry_after, 1));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", seconds);
  jm_http_respond_error (msg, JM_HTTP_STATUS_TOO_MANY_REQUESTS, JM_HTTP_RATE_LIMITED,
                         "Too many requests; retry after %u s", MAX (retry_after, 1));
}

gboolean
jm_server_authorize (JmServer           *self,
                     SoupServerMessage  *msg,
                     const char         *secret,
                     JmKeyScope          scope,
                     gint64             *out_project,
                     char              **out_key_id)
{
  g_autoptr(GError) error = NULL;
  JmKeyScope granted;

  if (secret == NULL)
    {
      jm_http_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, JM_HTTP_UNAUTHORIZED,
                             "This route needs a %s key: send it as "
                             "“Authorization: Bearer KEY”", jm_key_scope_to_string (scope));
      return FALSE;
    }

  if (!jm_key_cache_verify (self->key_cache, self->auth_store, &self->auth_lock, secret,
                            g_get_monotonic_time (), out_project, &granted, out_key_id,
                            &error))
    {
      if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND))
        jm_http_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, JM_HTTP_UNAUTHORIZED,
                               "%s", error->message);
      else
        jm_http_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE,
                               "%s", error->message);
      return FALSE;
    }

  if (!jm_key_scope_allows (granted, scope))
    {
      jm_http_respond_error (msg, SOUP_STATUS_FORBIDDEN, JM_HTTP_FORBIDDEN,
                             "This route needs a key with the %s scope; this key has %s",
                             jm_key_scope_to_string (scope), jm_key_scope_to_string (granted));
      if (out_key_id != NULL)
        g_clear_pointer (out_key_id, g_free);
      return FALSE;
    }

  return TRUE;
}

gboolean
jm_server_exec_on_writer (JmServer    *self,
                          const char  *sql,
                          GError     **error)
{
  g_return_val_if_fail (JM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->writer != NULL, FALSE);

  return jm_ingest_writer_exec (self->writer, sql, error);
}

/* CORS (DESIGN §4): only the configured origins, none by default. */

static gboolean
origin_allowed (JmServer   *self,
                const char *origin)
{
  if (origin == NULL || self->cors_origins == NULL)
    return FALSE;

  for (guint i = 0; self->cors_origins[i] != NULL; i++)
    {
      if (g_str_equal (self->cors_origins[i], "*") ||
          g_ascii_strcasecmp (self->cors_origins[i], origin) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Adds the CORS headers to the response of an allowed origin. Returns whether the request
 * came from a browser page of another origin that is not allowed.
 */
static gboolean
apply_cors (JmServer          *self,
            SoupServerMessage *msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *origin = soup_message_headers_get_one (request, "Origin");

  if (origin == NULL)
    return FALSE;

  soup_message_headers_append (response, "Vary", "Origin");

  if (!origin_allowed (self, origin))
    return TRUE;

  soup_message_headers_replace (response, "Access-Control-Allow-Origin", origin);
  soup_message_headers_replace (response, "Access-Control-Allow-Credentials", "true");
  soup_message_headers_replace (response, "Access-Control-Expose-Headers", "Retry-After");

  return FALSE;
}

static void
respond_preflight (JmServer          *self,
                   SoupServerMessage *msg,
                   gboolean           refused)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *origin = soup_message_headers_get_one (request, "Origin");
  const char *wanted_headers;

  /* Not from a browser: just say what the listener takes. */
  if (origin == NULL)
    {
      soup_message_headers_replace (response, "Allow", "GET, POST, OPTIONS");
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  if (refused)
    {
      jm_http_respond_error (msg, SOUP_STATUS_FORBIDDEN, JM_HTTP_FORBIDDEN,
                             "The origin “%s” may not call this listener (see --cors-origin)",
                             origin);
      return;
    }

  wanted_headers = soup_message_headers_get_one (request, "Access-Control-Request-Headers");

  soup_message_headers_replace (response, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  soup_message_headers_replace (response, "Access-Control-Allow-Headers",
                                wanted_headers != NULL ? wanted_headers
                                : "Authorization, Content-Type, Content-Encoding");
  soup_message_headers_replace (response, "Access-Control-Max-Age", "86400");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/* Health and metrics */

static void
respond_health (JmServer          *self,
                SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  gboolean failing = jm_ingest_writer_is_failing (self->writer);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, failing ? "unavailable" : "ok");
  json_builder_set_member_name (builder, "store");
  json_builder_add_string_value (builder, failing ? "unavailable" : "ok");
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, jm_ingest_writer_get_event_count (self->writer));
  json_builder_set_member_name (builder, "uptime_seconds");
  json_builder_add_int_value (builder,
                              (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC);
  json_builder_end_object (builder);

  body = json_builder_get_root (builder);
  jm_http_respond_json (msg, failing ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_OK, body);
}

static void
respond_metrics (JmServer          *self,
                 SoupServerMessage *msg)
{
  g_autofree char *key = jm_server_dup_header_key (msg);
  g_autofree char *text = NULL;
  gint64 project;

  if (!jm_server_authorize (self, msg, key, JM_KEY_SCOPE_READ, &project, NULL))
    return;

  text = jm_server_metrics_to_text (self->metrics,
                                    jm_live_bus_get_n_subscribers (self->live_bus),
                                    jm_live_bus_get_dropped (self->live_bus));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&text), strlen (text));
}

/* Routing */

static gboolean
require_method (SoupServerMessage *msg,
                const char        *method)
{
  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  jm_http_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, JM_HTTP_METHOD_NOT_ALLOWED,
                         "This route takes %s requests", method);
  return FALSE;
}

static const char *
read_route_name (const char *path)
{
  if (g_str_has_prefix (path, "/api/v1/analytics/"))
    return "/api/v1/analytics";
  if (g_str_equal (path, "/api/v1/insights"))
    return "/api/v1/insights";
  if (g_str_has_prefix (path, "/api/v1/customers/") && path[strlen ("/api/v1/customers/")] != '\0')
    return "/api/v1/customers";
  return NULL;
}

static void
handle_read_api (JmServer          *self,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query)
{
  g_autofree char *key = jm_server_dup_header_key (msg);
  gint64 project;

  if (!require_method (msg, SOUP_METHOD_GET) ||
      !jm_server_authorize (self, msg, key, JM_KEY_SCOPE_READ, &project, NULL))
    return;

  /* It answers (and unpauses) later on this thread's context: in flight until then. */
  jm_server_track_message (self, msg);
  jm_read_api_handle (self->read_api, msg, path, query, project);
}

static void
handle_admin_api (JmServer          *self,
                  SoupServerMessage *msg,
                  const char        *path)
{
  g_autofree char *key = jm_server_dup_header_key (msg);
  gint64 project;

  if (!jm_server_authorize (self, msg, key, JM_KEY_SCOPE_ADMIN, &project, NULL))
    return;

  jm_server_track_message (self, msg);
  /* Keys may have been revoked: once answered, every key is verified afresh. */
  g_signal_connect_swapped (msg, "finished", G_CALLBACK (jm_key_cache_clear), self->key_cache);
  jm_admin_api_handle (self->admin_api, msg, path, project);
}

static void
handle_request_cb (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  JmServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *route = JM_ROUTE_OTHER;
  const char *ingest_name = NULL;
  const char *read_name;
  gboolean refused_origin;
  guint retry_after = 0;

  if (jm_server_ingest_route (path, NULL, NULL, &ingest_name))
    route = ingest_name;
  else if ((read_name = read_route_name (path)) != NULL)
    route = read_name;
  else if (g_str_has_prefix (path, "/api/v1/admin/"))
    route = "/api/v1/admin";
  else if (g_str_equal (path, "/api/v1/health") || g_str_equal (path, "/api/v1/metrics"))
    route = g_intern_string (path);

  jm_server_count_response (self, msg, route);
  refused_origin = apply_cors (self, msg);

  if (g_str_equal (method, SOUP_METHOD_OPTIONS))
    {
      respond_preflight (self, msg, refused_origin);
      return;
    }

  if (self->draining)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      jm_http_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE,
                             "The listener is shutting down; retry shortly");
      return;
    }

  if (g_str_equal (path, "/api/v1/health"))
    {
      if (require_method (msg, SOUP_METHOD_GET))
        respond_health (self, msg);
      return;
    }

  if (!jm_rate_limiter_take (self->address_limiter, soup_server_message_get_remote_host (msg),
                             1, g_get_monotonic_time (), &retry_after))
    {
      jm_server_respond_rate_limited (msg, retry_after);
      return;
    }

  if (ingest_name != NULL)
    jm_server_handle_ingest (self, msg, path, query);
  else if (g_str_equal (path, "/api/v1/metrics"))
    {
      if (require_method (msg, SOUP_METHOD_GET))
        respond_metrics (self, msg);
    }
  else if (read_route_name (path) != NULL)
    handle_read_api (self, msg, path, query);
  else if (g_str_has_prefix (path, "/api/v1/admin/"))
    handle_admin_api (self, msg, path);
  else
    jm_http_respond_error (msg, SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND,
                           "There is no route %s %s", method, path);
}

/* Refuses a body over the limit before it is read, by its Content-Length; a chunked one is
 * no longer kept once it passes the limit (the handler then answers 413).
 */
static void
body_chunk_cb (SoupServerMessage *msg,
               GBytes            *chunk,
               gpointer           user_data)
{
  JmServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  gsize received = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "jm-received"));

  received += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "jm-received", GSIZE_TO_POINTER (received));

  if (received > self->limits.max_body_bytes && soup_message_body_get_accumulate (body))
    {
      g_object_set_data (G_OBJECT (msg), "jm-too-large", GINT_TO_POINTER (TRUE));
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }
}

static void
early_request_cb (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  JmServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      length > 0 && (guint64)length > self->limits.max_body_bytes)
    {
      jm_server_count_response (self, msg, JM_ROUTE_OTHER);
      apply_cors (self, msg);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      jm_http_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, JM_HTTP_PAYLOAD_TOO_LARGE,
                             "The request body has %" G_GOFFSET_FORMAT " bytes; the limit is %"
                             G_GSIZE_FORMAT, length, self->limits.max_body_bytes);
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
    g_signal_connect (msg, "got-chunk", G_CALLBACK (body_chunk_cb), self);
}

/* The server thread */

static gboolean
report_started (JmServer *self,
                GError   *error)
{
  g_mutex_lock (&self->start_mutex);
  self->start_error = error;
  self->start_done = TRUE;
  g_cond_broadcast (&self->start_cond);
  g_mutex_unlock (&self->start_mutex);

  return error == NULL;
}

static char *
format_url (gboolean       https,
            GInetAddress  *address,
            guint          port)
{
  g_autofree char *host = g_inet_address_to_string (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s://[%s]:%u/", https ? "https" : "http", host, port);

  return g_strdup_printf ("%s://%s:%u/", https ? "https" : "http", host, port);
}

static gboolean
listen_on_address (JmServer  *self,
                   GError   **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (self->bind_address);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSList) listeners = NULL;
  SoupServerListenOptions options = 0;
  gboolean https = self->tls_certificate_file != NULL;

  g_assert (address != NULL);

  if (https)
    options |= SOUP_SERVER_LISTEN_HTTPS;

  socket_address = g_inet_socket_address_new (address, self->port);
  if (!soup_server_listen (self->soup, socket_address, options, error))
    return FALSE;

  listeners = soup_server_get_listeners (self->soup);
  for (GSList *l = listeners; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (l->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (local))
        self->bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }

  self->url = format_url (https, address, self->bound_port);
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  JmServer *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_main_context_push_thread_default (self->context);

  if (self->tls_certificate_file != NULL)
    {
      certificate = g_tls_certificate_new_from_files (self->tls_certificate_file,
                                                      self->tls_key_file, &error);
      if (certificate == NULL)
        g_prefix_error (&error, "Could not load the TLS certificate and key: ");
    }

  if (error == NULL)
    {
      self->soup = soup_server_new ("server-header", "journeymapper ", NULL);
      if (certificate != NULL)
        soup_server_set_tls_certificate (self->soup, certificate);

      soup_server_add_early_handler (self->soup, NULL, early_request_cb, self, NULL);
      soup_server_add_handler (self->soup, NULL, handle_request_cb, self, NULL);
      soup_server_add_handler (self->soup, "/ws/events", jm_server_live_request_cb, self, NULL);
      soup_server_add_websocket_handler (self->soup, "/ws/events", NULL, NULL,
                                         jm_server_live_connected, self, NULL);

      listen_on_address (self, &error);
    }

  if (report_started (self, g_steal_pointer (&error)))
    g_main_loop_run (self->loop);

  /* Normally nothing is left in flight here; after a drain that timed out, the decoders
   * finish, the writer commits what was queued and the answers are delivered while the
   * connections still exist.
   */
  if (self->decoders != NULL)
    g_thread_pool_free (g_steal_pointer (&self->decoders), FALSE, TRUE);
  g_clear_pointer (&self->writer, jm_ingest_writer_free);

  if (self->soup != NULL)
    {
      while (g_main_context_iteration (self->context, FALSE))
        ;
      soup_server_disconnect (self->soup);
      /* Let the disconnections and last answers run their course. */
      while (g_main_context_iteration (self->context, FALSE))
        ;
      g_clear_object (&self->soup);
    }

  g_main_context_pop_thread_default (self->context);

  return NULL;
}

/* Stopping: refuse new work, wait for the messages in flight, then close everything. */
static gboolean
drain_check_cb (gpointer data)
{
  JmServer *self = data;
  gint64 deadline = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (self), "jm-drain-deadline"));

  if (self->in_flight > 0 && g_get_monotonic_time () < deadline)
    return G_SOURCE_CONTINUE;

  if (self->in_flight > 0)
    g_warning ("Stopping with %u requests still unanswered", self->in_flight);

  jm_server_live_close_all (self);
  g_main_loop_quit (self->loop);

  return G_SOURCE_REMOVE;
}

static gboolean
begin_drain_cb (gpointer data)
{
  JmServer *self = data;
  GSource *source;

  self->draining = TRUE;
  g_object_set_data (G_OBJECT (self), "jm-drain-deadline",
                     GSIZE_TO_POINTER (g_get_monotonic_time () + DRAIN_TIMEOUT_US));

  source = g_timeout_source_new (10);
  g_source_set_callback (source, drain_check_cb, self, NULL);
  g_source_set_static_name (source, "[jm] drain");
  g_source_attach (source, self->context);
  g_source_unref (source);

  return G_SOURCE_REMOVE;
}

/* Frees what start created (on the caller's thread, with the server thread gone). */
static void
release_resources (JmServer *self)
{
  /* Only after a failed start are these still there (the thread frees them otherwise). */
  if (self->decoders != NULL)
    g_thread_pool_free (g_steal_pointer (&self->decoders), FALSE, TRUE);
  g_clear_pointer (&self->writer, jm_ingest_writer_free);
  if (self->context != NULL)
    {
      g_main_context_push_thread_default (self->context);
      while (g_main_context_iteration (self->context, FALSE))
        ;
      g_main_context_pop_thread_default (self->context);
    }
  g_clear_pointer (&self->read_api, jm_read_api_free);
  g_clear_pointer (&self->admin_api, jm_admin_api_free);
  g_clear_object (&self->auth_store);
  g_clear_pointer (&self->key_cache, jm_key_cache_free);
  g_clear_pointer (&self->key_limiter, jm_rate_limiter_free);
  g_clear_pointer (&self->address_limiter, jm_rate_limiter_free);
  g_clear_pointer (&self->live_bus, jm_live_bus_free);
  g_clear_pointer (&self->metrics, jm_server_metrics_free);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->url, g_free);
  self->bound_port = 0;
  self->draining = FALSE;
  self->in_flight = 0;
}

static gboolean
check_settings (JmServer  *self,
                GError   **error)
{
  g_autoptr(GInetAddress) address = NULL;

  if (self->workspace_path == NULL)
    {
      g_set_error (error, JM_SERVER_ERROR, JM_SERVER_ERROR_INVALID,
                   "The listener needs a workspace");
      return FALSE;
    }

  address = g_inet_address_new_from_string (self->bind_address);
  if (address == NULL)
    {
      g_set_error (error, JM_SERVER_ERROR, JM_SERVER_ERROR_INVALID,
                   "“%s” is not an IP address to listen on (e.g. 127.0.0.1, 0.0.0.0 or ::)",
                   self->bind_address);
      return FALSE;
    }

  if ((self->tls_certificate_file == NULL) != (self->tls_key_file == NULL))
    {
      g_set_error (error, JM_SERVER_ERROR, JM_SERVER_ERROR_INVALID,
                   "TLS needs both a certificate file and a key file");
      return FALSE;
    }

  return TRUE;
}

gboolean
jm_server_start (JmServer  *self,
                 GError   **error)
{
  GError *start_error = NULL;

  g_return_val_if_fail (JM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  if (!check_settings (self, error))
    return FALSE;

  self->metrics = jm_server_metrics_new ();
  self->live_bus = jm_live_bus_new (self->live_queue_length);
  self->key_cache = jm_key_cache_new (KEY_CACHE_TTL_US);
  self->key_limiter = jm_rate_limiter_new (self->key_rate, self->key_burst);
  self->address_limiter = jm_rate_limiter_new (self->address_rate, self->address_burst);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);

  self->writer = jm_ingest_writer_new (self->workspace_path, self->live_bus, self->metrics,
                                       jm_server_ingest_committed, self, error);
  if (self->writer == NULL)
    {
      release_resources (self);
      return FALSE;
    }

  self->auth_store = jm_store_open (self->workspace_path, JM_STORE_OPEN_NO_CREATE, error);
  if (self->auth_store == NULL)
    {
      release_resources (self);
      return FALSE;
    }

  self->decoders = g_thread_pool_new (jm_server_decode_job, self, N_DECODERS, FALSE, NULL);
  self->read_api = jm_read_api_new (self->workspace_path);
  self->admin_api = jm_admin_api_new (self->workspace_path);
  self->started_us = g_get_monotonic_time ();

  self->start_done = FALSE;
  self->start_error = NULL;
  self->thread = g_thread_new ("jm-server", server_thread, self);

  g_mutex_lock (&self->start_mutex);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  start_error = g_steal_pointer (&self->start_error);
  g_mutex_unlock (&self->start_mutex);

  if (start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      release_resources (self);
      g_propagate_error (error, start_error);
      return FALSE;
    }

  g_debug ("Listening on %s", self->url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  g_signal_emit (self, signals[LISTENING], 0, self->url);

  return TRUE;
}

void
jm_server_stop (JmServer *self)
{
  g_return_if_fail (JM_IS_SERVER (self));

  if (self->thread == NULL)
    return;

  g_main_context_invoke (self->context, begin_drain_cb, self);
  g_thread_join (g_steal_pointer (&self->thread));

  release_resources (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}
