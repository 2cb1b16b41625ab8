/* jm-server-metrics.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The listener's counters (DESIGN §4), served as Prometheus text by GET /api/v1/metrics.
 * Safe to update from any thread.
 */
typedef struct _JmServerMetrics JmServerMetrics;

JmServerMetrics *jm_server_metrics_new              (void);
void             jm_server_metrics_free             (JmServerMetrics *self);

/* `route` is one of the listener's fixed route names (never a raw path), so the number of
 * series stays bounded.
 */
void             jm_server_metrics_count_request    (JmServerMetrics *self,
                                                     const char      *route,
                                                     guint            code);
void             jm_server_metrics_add_accepted     (JmServerMetrics *self,
                                                     guint64          n_events);
/* `reason` is an error code of DESIGN §4 or "consent". */
void             jm_server_metrics_add_rejected     (JmServerMetrics *self,
                                                     const char      *reason,
                                                     guint64          n_events);
void             jm_server_metrics_observe_commit   (JmServerMetrics *self,
                                                     double           seconds);
/* Requests waiting for (or inside) a commit. */
void             jm_server_metrics_add_queued       (JmServerMetrics *self,
                                                     gint             delta);

/* The Prometheus text exposition of every counter, plus the live stream's figures. */
char            *jm_server_metrics_to_text          (JmServerMetrics *self,
                                                     guint            ws_subscribers,
                                                     guint64          ws_dropped);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmServerMetrics, jm_server_metrics_free)

G_END_DECLS
