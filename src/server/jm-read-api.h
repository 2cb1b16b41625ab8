/* jm-read-api.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The read API of the listener (DESIGN §4): GET /api/v1/analytics/{paths,graph,funnel,
 * retention,attribution}, /api/v1/insights and /api/v1/customers/{id}, answering with the
 * same JSON as the command line's analyze (or CSV with ?format=csv). Query parameters mirror
 * the command-line options without their dashes.
 */
typedef struct _JmReadApi JmReadApi;

/* A read API over the workspace at `workspace_path`. Opens no connection yet: every request
 * uses its own read-only connection in a worker thread. Event logs are cached per project
 * and reused while the project's generation is unchanged.
 */
JmReadApi *jm_read_api_new     (const char        *workspace_path);
void       jm_read_api_free    (JmReadApi         *self);

/* Serves `path` (GET /api/v1/analytics/…, /api/v1/insights, /api/v1/customers/{id}) for a
 * request already authenticated with a read-scope key of `project`. `query` is the parsed URL
 * query (may be NULL). Pauses `msg`, computes in a worker thread and answers and unpauses it on
 * the thread-default main context current when this was called.
 */
void       jm_read_api_handle  (JmReadApi         *self,
                                SoupServerMessage *msg,
                                const char        *path,
                                GHashTable        *query,
                                gint64             project);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmReadApi, jm_read_api_free)

G_END_DECLS
