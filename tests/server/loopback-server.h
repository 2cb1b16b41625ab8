/* loopback-server.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

/* A SoupServer on 127.0.0.1 (port 0) running in a thread of its own, with its own main
 * context, so that a test can talk to it with a synchronous SoupSession. The handler runs in
 * that thread, as it would in the listener.
 */
typedef struct
{
  GThread               *thread;
  GMainContext          *context;
  GMainLoop             *loop;
  SoupServerCallback     callback;
  gpointer               user_data;

  GMutex                 mutex;
  GCond                  cond;
  gboolean               ready;
  char                  *base_url;   /* "http://127.0.0.1:PORT" */
  char                  *error;
} LoopbackServer;

static gpointer
loopback_server_thread (gpointer data)
{
  LoopbackServer *self = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSList) listeners = NULL;

  g_main_context_push_thread_default (self->context);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, self->callback, self->user_data, NULL);
  /* An explicit address rather than soup_server_listen_local(), which leaks the address it
   * reads back in libsoup 3.2.
   */
  if (soup_server_listen (server, address, 0, &error))
    {
      g_autoptr(GSocketAddress) local = NULL;

      listeners = soup_server_get_listeners (server);
      local = g_socket_get_local_address (listeners->data, &error);
      if (local != NULL)
        {
          g_mutex_lock (&self->mutex);
          self->base_url = g_strdup_printf ("http://127.0.0.1:%u",
                                            g_inet_socket_address_get_port (
                                              G_INET_SOCKET_ADDRESS (local)));
          g_mutex_unlock (&self->mutex);
        }
    }

  g_mutex_lock (&self->mutex);
  if (error != NULL)
    self->error = g_strdup (error->message);
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (error == NULL)
    g_main_loop_run (self->loop);

  soup_server_disconnect (server);
  g_clear_object (&server);

  /* Let the handlers' last tasks finish and drop their references. */
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static inline LoopbackServer *
loopback_server_start (SoupServerCallback callback,
                       gpointer           user_data)
{
  LoopbackServer *self = g_new0 (LoopbackServer, 1);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->callback = callback;
  self->user_data = user_data;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  self->thread = g_thread_new ("loopback-server", loopback_server_thread, self);

  g_mutex_lock (&self->mutex);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  g_assert_null (self->error);
  g_assert_nonnull (self->base_url);

  return self;
}

static inline void
loopback_server_stop (LoopbackServer *self)
{
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self->base_url);
  g_free (self->error);
  g_free (self);
}

typedef struct
{
  guint   status;
  char   *content_type;
  char   *body;
  gsize   length;
} LoopbackReply;

static inline void
loopback_reply_free (LoopbackReply *reply)
{
  g_free (reply->content_type);
  g_free (reply->body);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoopbackReply, loopback_reply_free)

/* Sends METHOD base_url+path_and_query (with `json_body` as an application/json body when not
 * NULL) and returns the answer.
 */
static inline LoopbackReply *
loopback_request (LoopbackServer *self,
                  SoupSession    *session,
                  const char     *method,
                  const char     *path_and_query,
                  const char     *json_body)
{
  g_autofree char *url = g_strconcat (self->base_url, path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  LoopbackReply *reply;
  const char *content_type;
  gsize length;

  g_assert_nonnull (msg);
  if (json_body != NULL)
    {
      g_autoptr(GBytes) request_body = g_bytes_new (json_body, strlen (json_body));

      soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
    }

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  reply = g_new0 (LoopbackReply, 1);
  reply->status = soup_message_get_status (msg);
  content_type = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Content-Type");
  reply->content_type = g_strdup (content_type);
  reply->body = g_strndup (g_bytes_get_data (body, &length), g_bytes_get_size (body));
  reply->length = length;

  return reply;
}

/* The reply's body as JSON (asserting that it is). */
static inline JsonNode *
loopback_reply_json (const LoopbackReply *reply)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (reply->body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (g_str_has_prefix (reply->content_type, "application/json"));

  return node;
}

/* Asserts an error reply {"error":{"code":CODE,"message":…}} and returns the message. */
static inline char *
loopback_reply_error (const LoopbackReply *reply,
                      guint                status,
                      const char          *code)
{
  g_autoptr(JsonNode) node = loopback_reply_json (reply);
  JsonObject *error;

  g_assert_cmpuint (reply->status, ==, status);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  error = json_object_get_object_member (json_node_get_object (node), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);

  return g_strdup (json_object_get_string_member (error, "message"));
}
