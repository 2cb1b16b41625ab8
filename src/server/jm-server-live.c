/* jm-server-live.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include "jm-http-response.h"
#include "jm-server-private.h"

/* GET /ws/events (DESIGN §4): the live stream of committed events, one JSON text message per
 * event, for the project of the read key given as the Authorization header or ?key= (a
 * browser cannot set headers on a WebSocket).
 *
 * libsoup queues what it is given without bound, so messages are handed to it only while the
 * connection's socket takes them; otherwise they wait in the bus's bounded queue, where the
 * overflow is dropped and counted.
 */

/* Messages handed to the connection per turn of the main loop. */
#define FLUSH_BATCH 64
/* How soon to look again at a connection whose socket was full. */
#define RETRY_MS 50

typedef struct
{
  JmServer                *server;
  SoupWebsocketConnection *connection;
  JmLiveSubscription      *subscription;
  guint                    retry_id;
} JmLiveClient;

static void flush_cb (JmLiveSubscription *subscription,
                      gpointer            user_data);

static gboolean
connection_writable (JmLiveClient *client)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (client->connection);
  GOutputStream *output = g_io_stream_get_output_stream (stream);

  if (!G_IS_POLLABLE_OUTPUT_STREAM (output) ||
      !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    return TRUE;

  return g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (output));
}

static gboolean
retry_cb (gpointer data)
{
  JmLiveClient *client = data;

  client->retry_id = 0;
  flush_cb (client->subscription, client);

  return G_SOURCE_REMOVE;
}

static void
flush_cb (JmLiveSubscription *subscription,
          gpointer            user_data)
{
  JmLiveClient *client = user_data;

  if (soup_websocket_connection_get_state (client->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  for (guint i = 0; i < FLUSH_BATCH; i++)
    {
      g_autoptr(GBytes) message = NULL;
      gsize size = 0;
      const char *text;
      g_autofree char *copy = NULL;

      if (!connection_writable (client))
        break;

      message = jm_live_subscription_pop (subscription);
      if (message == NULL)
        return;

      text = g_bytes_get_data (message, &size);
      copy = g_strndup (text, size);
      soup_websocket_connection_send_text (client->connection, copy);
    }

  /* The socket is full or the batch is done: look again soon, leaving the rest queued. */
  if (client->retry_id == 0)
    {
      GSource *source = g_timeout_source_new (RETRY_MS);

      g_source_set_callback (source, retry_cb, client, NULL);
      g_source_set_static_name (source, "[jm] live stream retry");
      client->retry_id = g_source_attach (source, client->server->context);
      g_source_unref (source);
    }
}

static void
live_client_free (JmLiveClient *client)
{
  JmServer *self = client->server;

  if (client->retry_id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, client->retry_id);

      if (source != NULL)
        g_source_destroy (source);
    }

  jm_live_bus_unsubscribe (self->live_bus, client->subscription);
  g_signal_handlers_disconnect_by_data (client->connection, client);
  g_object_unref (client->connection);
  g_free (client);
}

static void
closed_cb (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  JmLiveClient *client = user_data;
  JmServer *self = client->server;

  self->live_clients = g_list_remove (self->live_clients, client);
  live_client_free (client);
}

void
jm_server_live_request_cb (SoupServer        *soup,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query,
                           gpointer           server)
{
  JmServer *self = server;
  g_autofree char *secret = jm_server_dup_header_key (msg);
  gint64 project = 0;
  guint retry_after = 0;

  jm_server_count_response (self, msg, "/ws/events");

  if (self->draining)
    {
      jm_http_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE,
                             "The listener is shutting down; retry shortly");
      return;
    }

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      jm_http_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, JM_HTTP_METHOD_NOT_ALLOWED,
                             "The live stream is a WebSocket (GET with Upgrade)");
      return;
    }

  if (!jm_rate_limiter_take (self->address_limiter, soup_server_message_get_remote_host (msg),
                             1, g_get_monotonic_time (), &retry_after))
    {
      jm_server_respond_rate_limited (msg, retry_after);
      return;
    }

  if (secret == NULL && query != NULL && g_hash_table_lookup (query, "key") != NULL)
    secret = g_strdup (g_hash_table_lookup (query, "key"));

  if (!jm_server_authorize (self, msg, secret, JM_KEY_SCOPE_READ, &project, NULL))
    return;

  /* The handshake follows (libsoup answers 400 to a request that is not a WebSocket one);
   * the project is what the connection will stream.
   */
  g_object_set_data_full (G_OBJECT (msg), "jm-project",
                          g_memdup2 (&project, sizeof project), g_free);
}

void
jm_server_live_connected (SoupServer              *soup,
                          SoupServerMessage       *msg,
                          const char              *path,
                          SoupWebsocketConnection *connection,
                          gpointer                 server)
{
  JmServer *self = server;
  gint64 *project = g_object_get_data (G_OBJECT (msg), "jm-project");
  JmLiveClient *client;

  g_return_if_fail (project != NULL);

  client = g_new0 (JmLiveClient, 1);
  client->server = self;
  client->connection = g_object_ref (connection);
  /* Nothing is read from a subscriber but control frames. */
  soup_websocket_connection_set_max_incoming_payload_size (connection, 4096);
  client->subscription = jm_live_bus_subscribe (self->live_bus, *project, self->context,
                                                flush_cb, client);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), client);

  self->live_clients = g_list_prepend (self->live_clients, client);
}

void
jm_server_live_close_all (JmServer *self)
{
  GList *clients = g_steal_pointer (&self->live_clients);

  for (GList *l = clients; l != NULL; l = l->next)
    {
      JmLiveClient *client = l->data;

      g_signal_handlers_disconnect_by_data (client->connection, client);
      if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                         "The listener is shutting down");
      live_client_free (client);
    }

  g_list_free (clients);
}
