/* jm-server-private.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "journey.h"
#include "jm-admin-api.h"
#include "jm-ingest-request.h"
#include "jm-ingest-writer.h"
#include "jm-key-cache.h"
#include "jm-live-bus.h"
#include "jm-rate-limit.h"
#include "jm-read-api.h"
#include "jm-server.h"
#include "jm-server-metrics.h"

G_BEGIN_DECLS

/* JmServer is split over jm-server.c (life cycle, settings, routing, health, metrics, CORS,
 * the read and admin routes), jm-server-ingest.c (the ingest routes and their pipeline) and
 * jm-server-live.c (the WebSocket live stream); they share the instance structure.
 *
 * Threads: the caller's (start/stop, properties); the server thread, which owns `context`,
 * the SoupServer and every SoupServerMessage; the decode workers (`decoders`); the writer.
 */
struct _JmServer
{
  GObject          parent_instance;

  /* Settings, read by the other threads only while running (then they do not change) */
  char            *workspace_path;
  char            *bind_address;
  guint            port;
  char            *tls_certificate_file;
  char            *tls_key_file;
  GStrv            cors_origins;
  double           key_rate;
  double           key_burst;
  double           address_rate;
  double           address_burst;
  JmIngestLimits   limits;
  guint            live_queue_length;

  /* While running */
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  SoupServer      *soup;
  char            *url;
  guint            bound_port;
  gint64           started_us;

  /* Start-up hand-shake between jm_server_start() and the thread */
  GMutex           start_mutex;
  GCond            start_cond;
  gboolean         start_done;
  GError          *start_error;

  JmIngestWriter  *writer;
  GThreadPool     *decoders;
  JmServerMetrics *metrics;
  JmLiveBus       *live_bus;
  JmKeyCache      *key_cache;
  JmRateLimiter   *key_limiter;
  JmRateLimiter   *address_limiter;
  JmReadApi       *read_api;
  JmAdminApi      *admin_api;

  /* The connection that verifies keys (cache misses), shared by the server thread and the
   * decode workers under `auth_lock`.
   */
  JmStore         *auth_store;
  GMutex           auth_lock;

  /* Server thread only */
  guint            in_flight;      /* paused messages not finished yet */
  gboolean         draining;
  GList           *live_clients;   /* JmLiveClient* */
};

/* RFC 6585; libsoup 3.2 has no name for it. */
#define JM_HTTP_STATUS_TOO_MANY_REQUESTS 429

/* The fixed route names of the metrics (never a raw path). */
#define JM_ROUTE_OTHER "other"

/* Records the answer of `msg` under `route` once it is sent (server thread). */
void      jm_server_count_response          (JmServer           *self,
                                             SoupServerMessage  *msg,
                                             const char         *route);

/* Counts `msg` as in flight until it is finished: the server drains such messages before it
 * stops. jm_server_pause_message() also pauses it, for work done elsewhere.
 */
void      jm_server_track_message           (JmServer           *self,
                                             SoupServerMessage  *msg);
void      jm_server_pause_message           (JmServer           *self,
                                             SoupServerMessage  *msg);
void      jm_server_unpause_message         (JmServer           *self,
                                             SoupServerMessage  *msg);

/* The secret a request carries in its headers: `Authorization: Bearer SECRET`, or the user
 * of `Authorization: Basic` (Segment's convention), or NULL.
 */
char     *jm_server_dup_header_key          (SoupServerMessage  *msg);

/* Verifies `secret` and checks that it grants `scope`. On failure answers `msg` with 401,
 * 403 or 503 and returns FALSE. Server thread.
 */
gboolean  jm_server_authorize               (JmServer           *self,
                                             SoupServerMessage  *msg,
                                             const char         *secret,
                                             JmKeyScope          scope,
                                             gint64             *out_project,
                                             char              **out_key_id);

/* Answers 429 with Retry-After. */
void      jm_server_respond_rate_limited    (SoupServerMessage  *msg,
                                             guint               retry_after);

/* jm-server-ingest.c */
gboolean  jm_server_ingest_route            (const char         *path,
                                             JmIngestRoute      *out_route,
                                             JmEventType        *out_type,
                                             const char        **out_name);
void      jm_server_handle_ingest           (JmServer           *self,
                                             SoupServerMessage  *msg,
                                             const char         *path,
                                             GHashTable         *query);
void      jm_server_decode_job              (gpointer            job,
                                             gpointer            server);
/* Called by the writer (its thread) with the batches of one transaction. */
void      jm_server_ingest_committed        (GPtrArray          *batches,
                                             gpointer            server);

/* jm-server-live.c */
/* The plain handler of /ws/events: authenticates before the WebSocket handshake. */
void      jm_server_live_request_cb         (SoupServer         *soup,
                                             SoupServerMessage  *msg,
                                             const char         *path,
                                             GHashTable         *query,
                                             gpointer            server);
void      jm_server_live_connected          (SoupServer              *soup,
                                             SoupServerMessage       *msg,
                                             const char              *path,
                                             SoupWebsocketConnection *connection,
                                             gpointer                 server);
void      jm_server_live_close_all          (JmServer           *self);

/* For tests: runs `sql` on the writer's connection between two transactions (a small
 * PRAGMA max_page_count makes the disk "full" for the listener alone).
 */
gboolean  jm_server_exec_on_writer          (JmServer           *self,
                                             const char         *sql,
                                             GError            **error);

G_END_DECLS
