/* jm-server.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The ingest listener (DESIGN §4): a libsoup server with its own thread and main context,
 * so the command line (`journeymapper-cli serve`) and the application embed the same
 * object. Configure it with properties, then jm_server_start(); jm_server_stop() drains the
 * requests in flight (they are committed and answered) and closes every connection.
 */
#define JM_SERVER_ERROR (jm_server_error_quark ())

typedef enum
{
  JM_SERVER_ERROR_INVALID,   /* a setting is not acceptable (bind address, TLS files, …) */
  JM_SERVER_ERROR_FAILED,    /* the listener could not start */
} JmServerError;

#define JM_TYPE_SERVER (jm_server_get_type ())
G_DECLARE_FINAL_TYPE (JmServer, jm_server, JM, SERVER, GObject)

GQuark       jm_server_error_quark           (void);

JmServer    *jm_server_new                   (const char          *workspace_path);

/* Starts listening; returns once connections are accepted (the "listening" signal has been
 * emitted on the calling thread, and the "url" property is set), or FALSE with the reason.
 */
gboolean     jm_server_start                 (JmServer            *self,
                                              GError             **error);
/* Stops accepting work, lets the requests in flight finish (committed and answered), closes
 * every connection and joins the thread. Does nothing when not started.
 */
void         jm_server_stop                  (JmServer            *self);
gboolean     jm_server_is_running            (JmServer            *self);

/* "http://ADDRESS:PORT/" (https with TLS) while running, else NULL. */
const char  *jm_server_get_url               (JmServer            *self);
/* The port listened on (the chosen one when the "port" property is 0), 0 when stopped. */
guint        jm_server_get_bound_port        (JmServer            *self);

const char  *jm_server_get_workspace_path    (JmServer            *self);
const char  *jm_server_get_bind_address      (JmServer            *self);
void         jm_server_set_bind_address      (JmServer            *self,
                                              const char          *address);
guint        jm_server_get_port              (JmServer            *self);
void         jm_server_set_port              (JmServer            *self,
                                              guint                port);
void         jm_server_set_tls_files         (JmServer            *self,
                                              const char          *certificate_file,
                                              const char          *key_file);
/* Origins allowed to call the listener from a browser ("*" for any); none by default. */
void         jm_server_set_cors_origins      (JmServer            *self,
                                              const char * const  *origins);

G_END_DECLS
