/* jm-cli-serve.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include <glib-unix.h>

#include "jm-cli-private.h"
#include "jm-server.h"

/* `serve`: the ingest listener in the foreground until SIGTERM or SIGINT, which drain it
 * (requests in flight are committed and answered) before the exit.
 */

/* Kept installed until the drain is over, so a second signal does not kill the process
 * half-way through it.
 */
static gboolean
stop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
listening_cb (JmServer   *server,
              const char *url,
              gpointer    user_data)
{
  /* The line tools wait for (DESIGN §12); flushed, since stdout is usually a pipe. */
  g_print ("listening on %s\n", url);
  fflush (stdout);
}

int
jm_cli_run_serve (int    argc,
                  char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bind = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_auto(GStrv) cors_origins = NULL;
  int port = 8088;
  double key_rate = -1;
  double key_burst = -1;
  double address_rate = -1;
  double address_burst = -1;
  gint64 max_body = 0;
  guint sigterm_id;
  guint sigint_id;
  GOptionEntry serve_entries[] = {
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind,
      "Address to listen on (default: 127.0.0.1; 0.0.0.0 or :: to expose it)", "ADDRESS" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      "Port (default: 8088; 0 picks a free one)", "PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      "PEM certificate: serve HTTPS (needs --tls-key)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      "PEM private key of --tls-cert", "FILE" },
    { "cors-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cors_origins,
      "Origin allowed to send from a browser, e.g. https://shop.example (repeatable; * for any)",
      "ORIGIN" },
    { "key-rate", 0, 0, G_OPTION_ARG_DOUBLE, &key_rate,
      "Events per second per API key (default: 1000; 0: no limit)", "N" },
    { "key-burst", 0, 0, G_OPTION_ARG_DOUBLE, &key_burst,
      "Burst of events per API key (default: 5000)", "N" },
    { "address-rate", 0, 0, G_OPTION_ARG_DOUBLE, &address_rate,
      "Requests per second per client address (default: 100; 0: no limit)", "N" },
    { "address-burst", 0, 0, G_OPTION_ARG_DOUBLE, &address_burst,
      "Burst of requests per client address (default: 100)", "N" },
    { "max-body-bytes", 0, 0, G_OPTION_ARG_INT64, &max_body,
      "Largest request body (default: 500000)", "BYTES" },
    { NULL }
  };

  context = g_option_context_new ("- receive events over HTTP (Segment, PostHog and native "
                                  "APIs) into a workspace");
  g_option_context_add_main_entries (context, serve_entries, NULL);
  entries = jm_cli_common_entries (&common, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    {
      jm_cli_common_clear (&common);
      return JM_CLI_EXIT_USAGE;
    }

  if (argc > 1)
    {
      jm_cli_common_clear (&common);
      return jm_cli_usage ("unexpected argument “%s”", argv[1]);
    }
  if (port < 0 || port > 65535)
    {
      jm_cli_common_clear (&common);
      return jm_cli_usage ("--port must be between 0 and 65535");
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      jm_cli_common_clear (&common);
      return jm_cli_usage ("--tls-cert and --tls-key go together");
    }
  if ((key_burst != -1 && key_burst < 1) || (address_burst != -1 && address_burst < 1) ||
      (key_rate != -1 && key_rate < 0) || (address_rate != -1 && address_rate < 0) ||
      max_body < 0)
    {
      jm_cli_common_clear (&common);
      return jm_cli_usage ("rates must be 0 or more, bursts and sizes 1 or more");
    }

  /* Creates the workspace when missing, so the listener opens an existing one. */
  store = jm_cli_open_store (&common, &error);
  if (store == NULL)
    {
      jm_cli_common_clear (&common);
      return jm_cli_fail (error);
    }

  server = jm_server_new (jm_store_get_path (store));
  g_clear_object (&store);
  jm_cli_common_clear (&common);

  jm_server_set_port (server, (guint)port);
  if (bind != NULL)
    jm_server_set_bind_address (server, bind);
  if (tls_cert != NULL)
    jm_server_set_tls_files (server, tls_cert, tls_key);
  if (cors_origins != NULL)
    jm_server_set_cors_origins (server, (const char * const *)cors_origins);
  if (key_rate != -1)
    g_object_set (server, "key-rate", key_rate, NULL);
  if (key_burst != -1)
    g_object_set (server, "key-burst", key_burst, NULL);
  if (address_rate != -1)
    g_object_set (server, "address-rate", address_rate, NULL);
  if (address_burst != -1)
    g_object_set (server, "address-burst", address_burst, NULL);
  if (max_body > 0)
    g_object_set (server, "max-body-bytes", (guint64)max_body, NULL);

  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, stop_cb, loop);
  sigint_id = g_unix_signal_add (SIGINT, stop_cb, loop);

  g_signal_connect (server, "listening", G_CALLBACK (listening_cb), NULL);

  if (!jm_server_start (server, &error))
    {
      g_source_remove (sigterm_id);
      g_source_remove (sigint_id);
      return jm_cli_fail (error);
    }

  g_main_loop_run (loop);

  /* Drains: what was received is committed and answered before the connections close. */
  jm_server_stop (server);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);

  return JM_CLI_EXIT_OK;
}
