/* test-api-key.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "jm-api-key.h"
#include "jm-store-private.h"

typedef struct
{
  char    *dir;
  char    *path;
  JmStore *store;
  gint64   project;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jm-test-api-key-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "keys.jmw", NULL);
  fixture->store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (jm_store_lookup_project (fixture->store, NULL, &fixture->project, &error));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  GDir *dir;
  const char *name;

  g_clear_object (&fixture->store);

  dir = g_dir_open (fixture->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_remove (path);
    }

  g_dir_close (dir);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
test_scopes (void)
{
  static const JmKeyScope scopes[] = { JM_KEY_SCOPE_INGEST, JM_KEY_SCOPE_READ, JM_KEY_SCOPE_ADMIN };
  /* allowed[granted][needed] (DESIGN §4) */
  static const gboolean allowed[3][3] = {
    /* ingest  read   admin */
    { TRUE,   FALSE, FALSE },   /* ingest */
    { FALSE,  TRUE,  FALSE },   /* read */
    { TRUE,   TRUE,  TRUE },    /* admin */
  };
  JmKeyScope scope;

  g_assert_cmpstr (jm_key_scope_to_string (JM_KEY_SCOPE_INGEST), ==, "ingest");
  g_assert_cmpstr (jm_key_scope_to_string (JM_KEY_SCOPE_READ), ==, "read");
  g_assert_cmpstr (jm_key_scope_to_string (JM_KEY_SCOPE_ADMIN), ==, "admin");

  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    {
      g_assert_true (jm_key_scope_from_string (jm_key_scope_to_string (scopes[i]), &scope));
      g_assert_cmpint (scope, ==, scopes[i]);

      for (guint j = 0; j < G_N_ELEMENTS (scopes); j++)
        g_assert_cmpint (jm_key_scope_allows (scopes[i], scopes[j]), ==, allowed[i][j]);
    }

  g_assert_false (jm_key_scope_from_string ("write", &scope));
  g_assert_false (jm_key_scope_from_string ("Admin", &scope));
  g_assert_false (jm_key_scope_from_string ("", &scope));
}

static gboolean
looks_like_secret (const char *secret)
{
  return g_regex_match_simple ("^jm_[0-9a-f]{12}_[a-z2-7]{32}$", secret, 0, 0);
}

static void
test_create_and_verify (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JmApiKey) created = NULL;
  g_autoptr(JmApiKey) verified = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *expected_prefix = NULL;

  secret = jm_store_create_api_key (fixture->store, fixture->project, "web site",
                                    JM_KEY_SCOPE_INGEST, &created, &error);
  g_assert_no_error (error);
  g_assert_true (looks_like_secret (secret));

  /* The id in the secret is the key's id. */
  expected_prefix = g_strdup_printf ("jm_%s_", created->id);
  g_assert_true (g_str_has_prefix (secret, expected_prefix));
  g_assert_cmpstr (created->name, ==, "web site");
  g_assert_cmpstr (created->project_name, ==, "default");
  g_assert_cmpint (created->scope, ==, JM_KEY_SCOPE_INGEST);
  g_assert_cmpint (created->created, >, 0);
  g_assert_cmpint (created->last_used, ==, 0);
  g_assert_cmpint (created->revoked, ==, 0);

  verified = jm_store_verify_api_key (fixture->store, secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verified->id, ==, created->id);
  g_assert_cmpint (verified->project, ==, fixture->project);
  g_assert_cmpstr (verified->project_name, ==, "default");
  g_assert_cmpint (verified->scope, ==, JM_KEY_SCOPE_INGEST);
  g_assert_cmpint (verified->last_used, >=, created->created);

  /* Its use is recorded. */
  {
    g_autoptr(GPtrArray) keys = jm_store_list_api_keys (fixture->store, fixture->project, &error);
    JmApiKey *listed;

    g_assert_no_error (error);
    g_assert_cmpuint (keys->len, ==, 1);
    listed = keys->pdata[0];
    g_assert_cmpstr (listed->id, ==, created->id);
    g_assert_cmpint (listed->last_used, >, 0);
  }
}

static void
test_wrong_secrets (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JmApiKey) created = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *other = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *unknown_id = NULL;
  g_autofree char *swapped = NULL;
  g_autofree char *upper = NULL;
  const char *malformed[] = { "", "jm_", "jm_abc_def", "Bearer x", NULL };

  secret = jm_store_create_api_key (fixture->store, fixture->project, NULL, JM_KEY_SCOPE_READ,
                                    &created, &error);
  g_assert_no_error (error);
  other = jm_store_create_api_key (fixture->store, fixture->project, NULL, JM_KEY_SCOPE_READ,
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, !=, other);
  g_assert_cmpstr (created->name, ==, "read");

  /* One character of the random part changed */
  tampered = g_strdup (secret);
  tampered[strlen (tampered) - 1] = tampered[strlen (tampered) - 1] == 'a' ? 'b' : 'a';
  /* A well-formed secret with an id nobody has */
  unknown_id = g_strdup (secret);
  memcpy (unknown_id + 3, unknown_id[3] == '0' ? "1" : "0", 1);
  /* The right id with another key's random part */
  swapped = g_strdup (secret);
  memcpy (swapped + 16, other + 16, strlen (other) - 16);
  upper = g_ascii_strup (secret, -1);

  {
    const char *wrong[] = { tampered, unknown_id, swapped, upper };

    for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
      {
        g_autoptr(JmApiKey) key = jm_store_verify_api_key (fixture->store, wrong[i], &error);

        g_test_message ("%s", wrong[i]);
        g_assert_null (key);
        g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
        g_clear_error (&error);
      }
  }

  for (guint i = 0; malformed[i] != NULL; i++)
    {
      g_autoptr(JmApiKey) key = jm_store_verify_api_key (fixture->store, malformed[i], &error);

      g_assert_null (key);
      g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }

  /* None of that recorded a use. */
  {
    g_autoptr(GPtrArray) keys = jm_store_list_api_keys (fixture->store, -1, &error);

    for (guint i = 0; i < keys->len; i++)
      g_assert_cmpint (((JmApiKey *)keys->pdata[i])->last_used, ==, 0);
  }
}

static void
test_revoke (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JmApiKey) created = NULL;
  g_autoptr(JmApiKey) verified = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  secret = jm_store_create_api_key (fixture->store, fixture->project, "old",
                                    JM_KEY_SCOPE_ADMIN, &created, &error);
  g_assert_no_error (error);

  g_assert_true (jm_store_revoke_api_key (fixture->store, created->id, &error));
  g_assert_no_error (error);

  verified = jm_store_verify_api_key (fixture->store, secret, &error);
  g_assert_null (verified);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "revoked"));
  g_clear_error (&error);

  keys = jm_store_list_api_keys (fixture->store, -1, &error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpint (((JmApiKey *)keys->pdata[0])->revoked, >, 0);

  /* Revoking twice is harmless; an unknown id is an error. */
  g_assert_true (jm_store_revoke_api_key (fixture->store, created->id, &error));
  g_assert_no_error (error);
  g_assert_false (jm_store_revoke_api_key (fixture->store, "000000000000", &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
}

static void
test_list_by_project (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  gint64 shop = 0;

  g_assert_true (jm_store_create_project (fixture->store, "shop", &shop, &error));
  a = jm_store_create_api_key (fixture->store, fixture->project, "a", JM_KEY_SCOPE_INGEST,
                               NULL, &error);
  b = jm_store_create_api_key (fixture->store, shop, "b", JM_KEY_SCOPE_READ, NULL, &error);
  c = jm_store_create_api_key (fixture->store, shop, "c", JM_KEY_SCOPE_ADMIN, NULL, &error);
  g_assert_no_error (error);

  keys = jm_store_list_api_keys (fixture->store, shop, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_cmpstr (((JmApiKey *)keys->pdata[0])->project_name, ==, "shop");
  g_assert_cmpstr (((JmApiKey *)keys->pdata[1])->project_name, ==, "shop");
  g_clear_pointer (&keys, g_ptr_array_unref);

  keys = jm_store_list_api_keys (fixture->store, -1, &error);
  g_assert_cmpuint (keys->len, ==, 3);

  /* A key of one project says so when verified. */
  {
    g_autoptr(JmApiKey) key = jm_store_verify_api_key (fixture->store, c, &error);

    g_assert_no_error (error);
    g_assert_cmpint (key->project, ==, shop);
    g_assert_cmpint (key->scope, ==, JM_KEY_SCOPE_ADMIN);
  }

  g_assert_null (jm_store_create_api_key (fixture->store, 999, "x", JM_KEY_SCOPE_READ, NULL,
                                          &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
}

/* The file's bytes, NULs and all, contain `needle`. */
static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize needle_length = strlen (needle);
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;

  for (gsize i = 0; i + needle_length <= length; i++)
    {
      if (contents[i] == needle[0] && memcmp (contents + i, needle, needle_length) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
assert_secret_not_in_files (const char *path,
                            const char *secret)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  /* The part that proves possession, on its own */
  const char *random = secret + strlen ("jm_") + 12 + 1;

  g_assert_false (file_contains (path, secret));
  g_assert_false (file_contains (path, random));
  g_assert_false (file_contains (wal, secret));
  g_assert_false (file_contains (wal, random));
}

static void
test_secret_not_stored (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmApiKey) created = NULL;
  g_autoptr(JmApiKey) verified = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *hex = NULL;

  secret = jm_store_create_api_key (fixture->store, fixture->project, "prod",
                                    JM_KEY_SCOPE_ADMIN, &created, &error);
  g_assert_no_error (error);
  verified = jm_store_verify_api_key (fixture->store, secret, &error);
  g_assert_no_error (error);

  /* While open, the new rows sit in the WAL; the id is there (it finds the row)… */
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (file_contains (wal, created->id) || file_contains (fixture->path, created->id));
  /* … but not the secret, in any form. */
  assert_secret_not_in_files (fixture->path, secret);
  hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, secret, -1);
  g_assert_false (file_contains (fixture->path, hex));
  g_assert_false (file_contains (wal, hex));

  /* After the checkpoint at close too */
  g_clear_object (&fixture->store);
  assert_secret_not_in_files (fixture->path, secret);

  /* And the key still works from the stored hash alone. */
  fixture->store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_pointer (&verified, jm_api_key_free);
  verified = jm_store_verify_api_key (fixture->store, secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verified->id, ==, created->id);
}

static void
test_salted (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  sqlite3_stmt *stmt = NULL;

  a = jm_store_create_api_key (fixture->store, fixture->project, "a", JM_KEY_SCOPE_READ, NULL,
                               &error);
  b = jm_store_create_api_key (fixture->store, fixture->project, "b", JM_KEY_SCOPE_READ, NULL,
                               &error);
  g_assert_no_error (error);

  /* Each key has its own 16-byte salt and a 32-byte HMAC-SHA256. */
  g_assert_cmpint (sqlite3_prepare_v2 (jm_store_get_db (fixture->store),
                                       "SELECT count(DISTINCT salt), min(length(salt)), "
                                       "  max(length(salt)), min(length(hash)), "
                                       "  max(length(hash)) FROM api_keys",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 16);
  g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 16);
  g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, 32);
  g_assert_cmpint (sqlite3_column_int (stmt, 4), ==, 32);
  sqlite3_finalize (stmt);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/jm/api-key/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/jm/api-key/scopes", test_scopes);
  ADD ("create-and-verify", test_create_and_verify);
  ADD ("wrong-secrets", test_wrong_secrets);
  ADD ("revoke", test_revoke);
  ADD ("list-by-project", test_list_by_project);
  ADD ("secret-not-stored", test_secret_not_stored);
  ADD ("salted", test_salted);

#undef ADD

  return g_test_run ();
}
