/* jm-admin-api.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The admin API of the listener (DESIGN §4): /api/v1/admin/keys (list, create, revoke the keys
 * of the authenticated key's project) and /api/v1/admin/projects (list, create).
 */
typedef struct _JmAdminApi JmAdminApi;

/* An admin API over the workspace at `workspace_path`. Every request uses its own connection
 * (with a busy timeout, since the ingest writer holds another) in a worker thread.
 */
JmAdminApi *jm_admin_api_new     (const char        *workspace_path);
void        jm_admin_api_free    (JmAdminApi        *self);

/* Serves `path` (/api/v1/admin/…) for a request already authenticated with an admin key of
 * `project`. Pauses `msg`, works in a worker thread and answers and unpauses it on the
 * thread-default main context current when this was called.
 */
void        jm_admin_api_handle  (JmAdminApi        *self,
                                  SoupServerMessage *msg,
                                  const char        *path,
                                  gint64             project);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmAdminApi, jm_admin_api_free)

G_END_DECLS
