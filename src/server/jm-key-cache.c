/* jm-key-cache.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include "jm-key-cache.h"

/* More distinct keys than this within one interval is not a real deployment but someone
 * trying secrets: the cache starts over rather than grow.
 */
#define MAX_ENTRIES 4096

typedef struct
{
  char       *key_id;
  gint64      project;
  JmKeyScope  scope;
  gint64      expires_us;
} Entry;

struct _JmKeyCache
{
  GMutex      mutex;
  gint64      ttl_us;
  GHashTable *entries;   /* secret → Entry* */
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->key_id);
  g_free (entry);
}

JmKeyCache *
jm_key_cache_new (gint64 ttl_us)
{
  JmKeyCache *self = g_new0 (JmKeyCache, 1);

  g_mutex_init (&self->mutex);
  self->ttl_us = ttl_us;
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);

  return self;
}

void
jm_key_cache_free (JmKeyCache *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->entries);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
jm_key_cache_clear (JmKeyCache *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  g_hash_table_remove_all (self->entries);
  g_mutex_unlock (&self->mutex);
}

static gboolean
lookup (JmKeyCache  *self,
        const char  *secret,
        gint64       now_us,
        gint64      *out_project,
        JmKeyScope  *out_scope,
        char       **out_key_id)
{
  gboolean found = FALSE;
  Entry *entry;

  g_mutex_lock (&self->mutex);

  entry = g_hash_table_lookup (self->entries, secret);
  if (entry != NULL && entry->expires_us > now_us)
    {
      *out_project = entry->project;
      *out_scope = entry->scope;
      if (out_key_id != NULL)
        *out_key_id = g_strdup (entry->key_id);
      found = TRUE;
    }
  else if (entry != NULL)
    {
      g_hash_table_remove (self->entries, secret);
    }

  g_mutex_unlock (&self->mutex);

  return found;
}

gboolean
jm_key_cache_verify (JmKeyCache  *self,
                     JmStore     *store,
                     GMutex      *store_lock,
                     const char  *secret,
                     gint64       now_us,
                     gint64      *out_project,
                     JmKeyScope  *out_scope,
                     char       **out_key_id,
                     GError     **error)
{
  g_autoptr(JmApiKey) key = NULL;
  Entry *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (JM_IS_STORE (store), FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);
  g_return_val_if_fail (out_project != NULL && out_scope != NULL, FALSE);

  if (out_key_id != NULL)
    *out_key_id = NULL;

  if (lookup (self, secret, now_us, out_project, out_scope, out_key_id))
    return TRUE;

  if (store_lock != NULL)
    g_mutex_lock (store_lock);
  key = jm_store_verify_api_key (store, secret, error);
  if (store_lock != NULL)
    g_mutex_unlock (store_lock);

  if (key == NULL)
    return FALSE;

  *out_project = key->project;
  *out_scope = key->scope;
  if (out_key_id != NULL)
    *out_key_id = g_strdup (key->id);

  entry = g_new0 (Entry, 1);
  entry->key_id = g_steal_pointer (&key->id);
  entry->project = key->project;
  entry->scope = key->scope;
  entry->expires_us = now_us + self->ttl_us;

  g_mutex_lock (&self->mutex);
  if (g_hash_table_size (self->entries) >= MAX_ENTRIES)
    g_hash_table_remove_all (self->entries);
  g_hash_table_replace (self->entries, g_strdup (secret), entry);
  g_mutex_unlock (&self->mutex);

  return TRUE;
}
