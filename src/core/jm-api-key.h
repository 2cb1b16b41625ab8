/* jm-api-key.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-store.h"

G_BEGIN_DECLS

typedef enum
{
  JM_KEY_SCOPE_INGEST,
  JM_KEY_SCOPE_READ,
  JM_KEY_SCOPE_ADMIN,
} JmKeyScope;

typedef struct
{
  char       *id;
  gint64      project;
  char       *project_name;
  char       *name;
  JmKeyScope  scope;
  gint64      created;     /* ms */
  gint64      last_used;   /* ms, 0 when never used */
  gint64      revoked;     /* ms, 0 when active */
} JmApiKey;

const char *jm_key_scope_to_string    (JmKeyScope   scope);
gboolean    jm_key_scope_from_string  (const char  *string,
                                       JmKeyScope  *scope);
/* admin includes read and ingest; read and ingest are separate. */
gboolean    jm_key_scope_allows       (JmKeyScope   granted,
                                       JmKeyScope   needed);

/* Creates a key and returns its secret, `jm_<key id>_<random>`: the only time it is known.
 * Only a salted HMAC of the secret is stored.
 */
char       *jm_store_create_api_key   (JmStore     *self,
                                       gint64       project,
                                       const char  *name,
                                       JmKeyScope   scope,
                                       JmApiKey   **out_key,
                                       GError     **error);
/* Keys of one project, or of all projects when `project` is -1. */
GPtrArray  *jm_store_list_api_keys    (JmStore     *self,
                                       gint64       project,
                                       GError     **error);
gboolean    jm_store_revoke_api_key   (JmStore     *self,
                                       const char  *id,
                                       GError     **error);
/* Finds the key a secret belongs to (constant-time comparison) and records its use.
 * Returns NULL with JM_STORE_ERROR_NOT_FOUND for an unknown, malformed or revoked secret.
 */
JmApiKey   *jm_store_verify_api_key   (JmStore     *self,
                                       const char  *secret,
                                       GError     **error);
void        jm_api_key_free           (JmApiKey    *key);
/* Adds the members of a key in `keys create` / `keys list` JSON (DESIGN §12): id, project,
 * name, scope, and with `with_times` created, last_used and revoked (ISO-8601, null when
 * never). Never the secret.
 */
void        jm_api_key_add_json_members (const JmApiKey *key,
                                         JsonBuilder    *builder,
                                         gboolean        with_times);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmApiKey, jm_api_key_free)

G_END_DECLS
