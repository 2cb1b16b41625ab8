/* jm-key-cache.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "journey.h"

G_BEGIN_DECLS

/* Verified API keys, remembered for a few seconds so that a busy client costs one HMAC and
 * one lookup per interval rather than per request. A revoked key stops working at the latest
 * when its entry expires. Safe to use from any thread.
 */
typedef struct _JmKeyCache JmKeyCache;

JmKeyCache *jm_key_cache_new     (gint64       ttl_us);
void        jm_key_cache_free    (JmKeyCache  *self);

/* Verifies `secret`, from the cache or else with `store` (which the caller must not use from
 * another thread meanwhile; `store_lock`, when given, is held around its use). Returns FALSE
 * with JM_STORE_ERROR_NOT_FOUND for an unknown, malformed or revoked key, or another store
 * error when the workspace could not be read.
 */
gboolean    jm_key_cache_verify  (JmKeyCache  *self,
                                  JmStore     *store,
                                  GMutex      *store_lock,
                                  const char  *secret,
                                  gint64       now_us,
                                  gint64      *out_project,
                                  JmKeyScope  *out_scope,
                                  char       **out_key_id,
                                  GError     **error);

/* Forgets every entry (after keys were revoked in this process). */
void        jm_key_cache_clear   (JmKeyCache  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmKeyCache, jm_key_cache_free)

G_END_DECLS
