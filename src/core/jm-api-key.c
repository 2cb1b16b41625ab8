/* jm-api-key.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-store"

#include <string.h>

#include "jm-api-key.h"
#include "jm-store-private.h"
#include "jm-time.h"

/* A secret is `jm_<id>_<random>`: the id (12 lowercase hex digits, 48 bits) finds the row,
 * the random part (160 bits from the operating system's CSPRNG, 32 characters of lowercase
 * base32) is what proves possession. Only HMAC-SHA256 (key: a per-key random salt) of the
 * whole secret is stored.
 */
#define SECRET_PREFIX     "jm_"
#define ID_BYTES          6
#define ID_CHARS          (ID_BYTES * 2)
#define RANDOM_BYTES      20
#define RANDOM_CHARS      (RANDOM_BYTES * 8 / 5)
#define SECRET_LENGTH     (strlen (SECRET_PREFIX) + ID_CHARS + 1 + RANDOM_CHARS)
#define SALT_BYTES        16
#define HASH_BYTES        32

/* Recording every use would cost a durable write per request; once a minute is enough to
 * tell which keys are in use.
 */
#define LAST_USED_RESOLUTION_MS (60 * 1000)

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

static const char * const scope_names[] = {
  [JM_KEY_SCOPE_INGEST] = "ingest",
  [JM_KEY_SCOPE_READ] = "read",
  [JM_KEY_SCOPE_ADMIN] = "admin",
};

const char *
jm_key_scope_to_string (JmKeyScope scope)
{
  g_return_val_if_fail (scope <= JM_KEY_SCOPE_ADMIN, NULL);

  return scope_names[scope];
}

gboolean
jm_key_scope_from_string (const char *string,
                          JmKeyScope *scope)
{
  g_return_val_if_fail (string != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (scope_names); i++)
    {
      if (strcmp (string, scope_names[i]) == 0)
        {
          if (scope != NULL)
            *scope = (JmKeyScope)i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
jm_key_scope_allows (JmKeyScope granted,
                     JmKeyScope needed)
{
  return granted == JM_KEY_SCOPE_ADMIN || granted == needed;
}

void
jm_api_key_free (JmApiKey *key)
{
  if (key == NULL)
    return;

  g_free (key->id);
  g_free (key->project_name);
  g_free (key->name);
  g_free (key);
}

static void
encode_base32 (const guint8 *data,
               gsize         length,
               char         *out)
{
  guint buffer = 0;
  guint bits = 0;

  for (gsize i = 0; i < length; i++)
    {
      buffer = (buffer << 8) | data[i];
      bits += 8;

      while (bits >= 5)
        {
          bits -= 5;
          *out++ = base32_alphabet[(buffer >> bits) & 0x1f];
        }
    }

  if (bits > 0)
    *out++ = base32_alphabet[(buffer << (5 - bits)) & 0x1f];

  *out = '\0';
}

static void
compute_hash (const guint8 *salt,
              gsize         salt_length,
              const char   *secret,
              guint8        out[HASH_BYTES])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, salt, salt_length);
  gsize length = HASH_BYTES;

  g_hmac_update (hmac, (const guchar *)secret, strlen (secret));
  g_hmac_get_digest (hmac, out, &length);
  g_assert (length == HASH_BYTES);
}

/* Compares without an early exit, so the time taken does not tell how much matched. */
static gboolean
equal_constant_time (const guint8 *a,
                     const guint8 *b,
                     gsize         length)
{
  guint8 difference = 0;

  for (gsize i = 0; i < length; i++)
    difference |= a[i] ^ b[i];

  return difference == 0;
}

/* The key id of a well-formed secret, or NULL. */
static char *
parse_secret (const char *secret)
{
  const char *id;
  const char *random;

  if (strlen (secret) != SECRET_LENGTH || !g_str_has_prefix (secret, SECRET_PREFIX))
    return NULL;

  id = secret + strlen (SECRET_PREFIX);
  for (guint i = 0; i < ID_CHARS; i++)
    {
      if (!g_ascii_isxdigit (id[i]) || g_ascii_isupper (id[i]))
        return NULL;
    }

  if (id[ID_CHARS] != '_')
    return NULL;

  random = id + ID_CHARS + 1;
  for (guint i = 0; i < RANDOM_CHARS; i++)
    {
      if (random[i] == '\0' || strchr (base32_alphabet, random[i]) == NULL)
        return NULL;
    }

  return g_strndup (id, ID_CHARS);
}

static JmApiKey *
key_from_row (sqlite3_stmt *stmt)
{
  JmApiKey *key = g_new0 (JmApiKey, 1);
  JmKeyScope scope = JM_KEY_SCOPE_INGEST;

  key->id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  key->project = sqlite3_column_int64 (stmt, 1);
  key->project_name = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
  key->name = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
  jm_key_scope_from_string ((const char *)sqlite3_column_text (stmt, 4), &scope);
  key->scope = scope;
  key->created = sqlite3_column_int64 (stmt, 5);
  key->last_used = sqlite3_column_int64 (stmt, 6);
  key->revoked = sqlite3_column_int64 (stmt, 7);

  return key;
}

#define KEY_COLUMNS \
  "k.id, k.project, p.name, k.name, k.scope, k.created, k.last_used, k.revoked"

static JmApiKey *
load_key (JmStore     *self,
          const char  *id,
          GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  stmt = jm_store_prepare_cached (self,
                                  "SELECT " KEY_COLUMNS " FROM api_keys AS k "
                                  "JOIN projects AS p ON p.id = k.project WHERE k.id = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return key_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                 "There is no API key “%s” in this workspace", id);
  else
    jm_store_set_error_from_sqlite (self, error, "look the API key up");

  return NULL;
}

char *
jm_store_create_api_key (JmStore     *self,
                         gint64       project,
                         const char  *name,
                         JmKeyScope   scope,
                         JmApiKey   **out_key,
                         GError     **error)
{
  g_autofree char *project_name = NULL;
  guint8 random[RANDOM_BYTES];
  guint8 salt[SALT_BYTES];
  guint8 hash[HASH_BYTES];
  guint8 id_bytes[ID_BYTES];
  char random_text[RANDOM_CHARS + 1];
  gint64 now = jm_store_now_ms ();

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (scope <= JM_KEY_SCOPE_ADMIN, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name != NULL && !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID,
                   "A key name must be valid UTF-8 text");
      return NULL;
    }

  if (!(project_name = jm_store_dup_project_name (self, project, error)))
    return NULL;

  if (name == NULL || name[0] == '\0')
    name = jm_key_scope_to_string (scope);

  /* 48 random bits make a clash unlikely; a few attempts make it impossible in practice. */
  for (guint attempt = 0; attempt < 5; attempt++)
    {
      g_autoptr(JmCachedStmt) stmt = NULL;
      g_autofree char *id = NULL;
      g_autofree char *secret = NULL;
      int rc;

      if (!jm_store_random_bytes (id_bytes, sizeof id_bytes, error) ||
          !jm_store_random_bytes (random, sizeof random, error) ||
          !jm_store_random_bytes (salt, sizeof salt, error))
        return NULL;

      id = g_malloc (ID_CHARS + 1);
      for (guint i = 0; i < ID_BYTES; i++)
        g_snprintf (id + 2 * i, 3, "%02x", id_bytes[i]);

      encode_base32 (random, sizeof random, random_text);
      secret = g_strconcat (SECRET_PREFIX, id, "_", random_text, NULL);
      compute_hash (salt, sizeof salt, secret, hash);
      memset (random, 0, sizeof random);
      memset (random_text, 0, sizeof random_text);

      stmt = jm_store_prepare_cached (self,
                                      "INSERT INTO api_keys (id, project, name, scope, salt, "
                                      "                      hash, created) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                      error);
      if (stmt == NULL)
        return NULL;

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, project);
      sqlite3_bind_text (stmt, 3, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, jm_key_scope_to_string (scope), -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 5, salt, sizeof salt, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 6, hash, sizeof hash, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, now);

      rc = sqlite3_step (stmt);

      if (rc == SQLITE_DONE)
        {
          if (out_key != NULL)
            {
              JmApiKey *key = g_new0 (JmApiKey, 1);

              key->id = g_steal_pointer (&id);
              key->project = project;
              key->project_name = g_steal_pointer (&project_name);
              key->name = g_strdup (name);
              key->scope = scope;
              key->created = now;
              *out_key = key;
            }

          return g_steal_pointer (&secret);
        }

      if (sqlite3_extended_errcode (self->db) != SQLITE_CONSTRAINT_PRIMARYKEY)
        {
          jm_store_set_error_from_sqlite (self, error, "save the API key");
          return NULL;
        }

      g_debug ("API key id %s is taken, drawing another", id);
    }

  g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
               "Could not find a free API key id; the random number generator may be broken");
  return NULL;
}

GPtrArray *
jm_store_list_api_keys (JmStore  *self,
                        gint64    project,
                        GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT " KEY_COLUMNS " FROM api_keys AS k "
                                  "JOIN projects AS p ON p.id = k.project "
                                  "WHERE ?1 < 0 OR k.project = ?1 "
                                  "ORDER BY p.name, k.created, k.id",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);

  keys = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_api_key_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (keys, key_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "list the API keys");
      return NULL;
    }

  return g_steal_pointer (&keys);
}

gboolean
jm_store_revoke_api_key (JmStore     *self,
                         const char  *id,
                         GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(JmApiKey) key = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = jm_store_prepare_cached (self,
                                  "UPDATE api_keys SET revoked = ?1 "
                                  "WHERE id = ?2 AND revoked IS NULL",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, jm_store_now_ms ());
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);

  if (!jm_store_step_done (self, stmt, "revoke the API key", error))
    return FALSE;

  if (sqlite3_changes (self->db) > 0)
    return TRUE;

  /* Nothing changed: either there is no such key, or it is revoked already (fine). */
  key = load_key (self, id, error);

  return key != NULL;
}

JmApiKey *
jm_store_verify_api_key (JmStore     *self,
                         const char  *secret,
                         GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(JmApiKey) key = NULL;
  g_autofree char *id = NULL;
  guint8 expected[HASH_BYTES] = { 0, };
  guint8 actual[HASH_BYTES];
  guint8 salt[SALT_BYTES] = { 0, };
  gboolean found = FALSE;
  gboolean matches;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(id = parse_secret (secret)))
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "This is not a JourneyMapper API key (they look like jm_<id>_<secret>)");
      return NULL;
    }

  stmt = jm_store_prepare_cached (self,
                                  "SELECT " KEY_COLUMNS ", k.salt, k.hash FROM api_keys AS k "
                                  "JOIN projects AS p ON p.id = k.project WHERE k.id = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW &&
      sqlite3_column_bytes (stmt, 8) == SALT_BYTES &&
      sqlite3_column_bytes (stmt, 9) == HASH_BYTES)
    {
      found = TRUE;
      key = key_from_row (stmt);
      memcpy (salt, sqlite3_column_blob (stmt, 8), SALT_BYTES);
      memcpy (expected, sqlite3_column_blob (stmt, 9), HASH_BYTES);
    }
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "check the API key");
      return NULL;
    }

  sqlite3_reset (stmt);

  /* The hash is computed for unknown ids too, so timing does not tell which ids exist. */
  compute_hash (salt, sizeof salt, secret, actual);
  matches = equal_constant_time (expected, actual, HASH_BYTES);

  if (!found || !matches)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "Unknown API key “%s”", id);
      return NULL;
    }

  if (key->revoked != 0)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "The API key “%s” has been revoked", id);
      return NULL;
    }

  if (key->last_used == 0 || jm_store_now_ms () - key->last_used >= LAST_USED_RESOLUTION_MS)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 now = jm_store_now_ms ();

      stmt = jm_store_prepare_cached (self,
                                      "UPDATE api_keys SET last_used = ?1 WHERE id = ?2",
                                      &local_error);
      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, now);
          sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
          jm_store_step_done (self, stmt, "record the key’s use", &local_error);
        }

      /* A read-only workspace still accepts its keys. */
      if (local_error != NULL)
        g_debug ("%s", local_error->message);
      else
        key->last_used = now;
    }

  return g_steal_pointer (&key);
}

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       ms)
{
  json_builder_set_member_name (builder, name);
  if (ms != 0)
    {
      g_autofree char *iso = jm_time_format_iso (ms);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
}

void
jm_api_key_add_json_members (const JmApiKey *key,
                             JsonBuilder    *builder,
                             gboolean        with_times)
{
  g_return_if_fail (key != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, key->id);
  json_builder_set_member_name (builder, "project");
  json_builder_add_string_value (builder, key->project_name);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, key->name != NULL ? key->name : "");
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, jm_key_scope_to_string (key->scope));

  if (with_times)
    {
      add_time_member (builder, "created", key->created);
      add_time_member (builder, "last_used", key->last_used);
      add_time_member (builder, "revoked", key->revoked);
    }
}
