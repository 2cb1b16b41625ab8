/* test-migrations.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "jm-api-key.h"
#include "jm-event-log.h"
#include "jm-store-private.h"

#define T0 G_GINT64_CONSTANT (1780000000000)

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jm-test-migrations-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "old.jmw", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  GDir *dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

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

/* Runs one query on the file with a connection of its own (not the store's). */
static gint64
file_query_int (const char *path,
                const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

static void
file_exec (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gboolean
file_has_schema_item (const char *path,
                const char *table)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_schema WHERE name = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count > 0;
}

/* A workspace of this build's schema with a project, customers, events and a key. */
static void
create_current_workspace (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, &error);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_event_free);
  g_autofree char *secret = NULL;
  gint64 project = 0;

  g_assert_no_error (error);
  g_assert_true (jm_store_create_project (store, "shop", &project, &error));

  for (guint i = 0; i < 100; i++)
    {
      JmEvent *event = jm_event_new (JM_EVENT_TRACK);

      event->id = g_strdup_printf ("e%u", i);
      event->user_id = g_strdup_printf ("u%u", i % 10);
      event->event = g_strdup ("Viewed");
      event->ts = T0 + i;
      g_ptr_array_add (events, event);
    }

  g_assert_true (jm_store_insert_events (store, project, (JmEvent **)events->pdata, events->len,
                                         NULL, &error));
  g_assert_no_error (error);

  secret = jm_store_create_api_key (store, project, "ci", JM_KEY_SCOPE_INGEST, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (secret);
}

/* Steps a later build would add, numbered after this build's last. */
#define NEXT (JM_STORE_SCHEMA_VERSION + 1)
#define AFTER_NEXT (JM_STORE_SCHEMA_VERSION + 2)

static const JmMigration test_next = {
  NEXT,
  "ALTER TABLE events ADD COLUMN note TEXT;"
  "CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, project INTEGER NOT NULL, "
  "                        name TEXT NOT NULL) STRICT;"
  "INSERT INTO bookmarks (project, name) SELECT id, 'start' FROM projects;",
};

static const JmMigration failing_next = {
  NEXT,
  "CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;"
  "UPDATE events SET type = 'not a type';",   /* violates the CHECK constraint */
};

static const JmMigration test_after_next = {
  AFTER_NEXT,
  "CREATE TABLE pins (id INTEGER PRIMARY KEY) STRICT;",
};

static const JmMigration failing_after_next = {
  AFTER_NEXT,
  "CREATE TABLE pins (id INTEGER PRIMARY KEY) STRICT;"
  "INSERT INTO no_such_table VALUES (1);",
};

/* The real migrations followed by `extra`. */
static GArray *
migrations_with (const JmMigration *extra,
                 ...)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (JmMigration));
  const JmMigration *real;
  guint n_real = 0;
  va_list args;

  real = jm_store_get_migrations (&n_real);
  g_array_append_vals (list, real, n_real);

  va_start (args, extra);
  for (; extra != NULL; extra = va_arg (args, const JmMigration *))
    g_array_append_val (list, *extra);
  va_end (args);

  return list;
}

static void
test_new_file (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  guint n = 0;
  const JmMigration *real = jm_store_get_migrations (&n);

  g_assert_cmpuint (n, ==, JM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (real[n - 1].version, ==, JM_STORE_SCHEMA_VERSION);

  store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jm_store_get_schema_version (store), ==, JM_STORE_SCHEMA_VERSION);
  g_clear_object (&store);

  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==,
                   JM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA application_id"), ==,
                   JM_STORE_APPLICATION_ID);
}

static void
test_empty_file (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  gint64 project = 0;

  /* What `touch old.jmw` leaves */
  g_assert_true (g_file_set_contents (fixture->path, "", 0, NULL));

  store = jm_store_open (fixture->path, JM_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (jm_store_lookup_project (store, JM_STORE_DEFAULT_PROJECT, &project, &error));
  g_clear_object (&store);

  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==,
                   JM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA auto_vacuum"), ==, 2);
}

static void
test_empty_database (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;

  /* An SQLite file without tables, written without auto-vacuum */
  file_exec (fixture->path, "CREATE TABLE t (x); DROP TABLE t;");
  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA auto_vacuum"), ==, 0);

  store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==,
                   JM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA auto_vacuum"), ==, 2);
  g_assert_cmpint (file_query_int (fixture->path, "SELECT count(*) FROM projects"), ==, 1);
}

static void
test_upgrade_keeps_data (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GArray) steps = migrations_with (&test_next, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  create_current_workspace (fixture->path);

  store = jm_store_open_with_migrations (fixture->path, JM_STORE_OPEN_DEFAULT,
                                         (JmMigration *)steps->data, steps->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jm_store_get_schema_version (store), ==, NEXT);

  /* Everything from before is still there and usable. */
  keys = jm_store_list_api_keys (store, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  {
    g_autoptr(JmStoreStats) stats = jm_store_get_stats (store, &error);

    g_assert_no_error (error);
    g_assert_cmpint (stats->events, ==, 100);
    g_assert_cmpint (stats->customers, ==, 10);
    g_assert_cmpint (stats->projects, ==, 2);
  }
  g_clear_object (&store);

  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==, NEXT);
  g_assert_cmpint (file_query_int (fixture->path, "SELECT count(*) FROM bookmarks"), ==, 2);
  g_assert_cmpint (file_query_int (fixture->path, "SELECT count(note) FROM events"), ==, 0);

  /* Opening it again with the same build does nothing more. */
  store = jm_store_open_with_migrations (fixture->path, JM_STORE_OPEN_DEFAULT,
                                         (JmMigration *)steps->data, steps->len, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (file_query_int (fixture->path, "SELECT count(*) FROM bookmarks"), ==, 2);

  /* This build, which does not know the next schema, refuses it. */
  store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_TOO_NEW);
  {
    g_autofree char *newer = g_strdup_printf ("newer version of JourneyMapper (schema %d)", NEXT);
    g_autofree char *known = g_strdup_printf ("understands up to %d", JM_STORE_SCHEMA_VERSION);

    g_assert_nonnull (strstr (error->message, newer));
    g_assert_nonnull (strstr (error->message, known));
  }
}

/* A workspace written by the first release (schema 1) is upgraded to this build's schema:
 * its events stay, projects gain the removals counter, and the event log is built from the
 * covering index with the same result as before.
 */
static void
test_upgrade_from_schema_1 (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_event_free);
  const JmMigration *real;
  guint n_real = 0;
  gint64 project = 0;

  real = jm_store_get_migrations (&n_real);
  g_assert_cmpint (real[0].version, ==, 1);

  store = jm_store_open_with_migrations (fixture->path, JM_STORE_OPEN_DEFAULT, real, 1, &error);
  g_assert_no_error (error);
  g_assert_true (jm_store_lookup_project (store, NULL, &project, &error));
  for (guint i = 0; i < 60; i++)
    {
      JmEvent *event = jm_event_new (i % 3 == 2 ? JM_EVENT_IDENTIFY : JM_EVENT_TRACK);

      event->id = g_strdup_printf ("e%u", i);
      event->user_id = g_strdup_printf ("u%u", i % 7);
      if (event->type == JM_EVENT_TRACK)
        event->event = g_strdup (i % 2 == 0 ? "Viewed" : "Bought");
      event->ts = T0 + i * 1000;
      g_ptr_array_add (events, event);
    }
  g_assert_true (jm_store_insert_events (store, project, (JmEvent **)events->pdata, events->len,
                                         NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==, 1);
  g_assert_false (file_has_schema_item (fixture->path, "events_journey"));

  store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jm_store_get_schema_version (store), ==, JM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (jm_store_get_removals (store, project, &error), ==, 0);
  g_assert_no_error (error);

  log = jm_event_log_build (store, project, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jm_event_log_get_columns (log)->n_events, ==, 40);
  g_clear_object (&store);

  g_assert_true (file_has_schema_item (fixture->path, "events_journey"));
  g_assert_cmpint (file_query_int (fixture->path, "SELECT count(*) FROM events"), ==, 60);
}

static void
test_upgrade_several_steps (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GArray) steps = migrations_with (&test_next, &test_after_next, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;

  create_current_workspace (fixture->path);

  store = jm_store_open_with_migrations (fixture->path, JM_STORE_OPEN_DEFAULT,
                                         (JmMigration *)steps->data, steps->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jm_store_get_schema_version (store), ==, AFTER_NEXT);
  g_clear_object (&store);

  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==, AFTER_NEXT);
  g_assert_true (file_has_schema_item (fixture->path, "bookmarks"));
  g_assert_true (file_has_schema_item (fixture->path, "pins"));
}

static void
assert_left_at_current (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmStoreStats) stats = NULL;

  g_assert_cmpint (file_query_int (path, "PRAGMA user_version"), ==, JM_STORE_SCHEMA_VERSION);
  g_assert_false (file_has_schema_item (path, "bookmarks"));
  g_assert_false (file_has_schema_item (path, "pins"));
  g_assert_cmpint (file_query_int (path, "SELECT count(*) FROM events WHERE type = 'track'"),
                   ==, 100);

  store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  stats = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->events, ==, 100);
}

static void
test_failing_migration (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GArray) steps = migrations_with (&failing_next, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autofree char *basename = g_path_get_basename (fixture->path);
  g_autofree char *next_schema = g_strdup_printf ("schema %d", NEXT);

  create_current_workspace (fixture->path);

  store = jm_store_open_with_migrations (fixture->path, JM_STORE_OPEN_DEFAULT,
                                         (JmMigration *)steps->data, steps->len, &error);
  g_assert_null (store);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, basename));
  g_assert_nonnull (strstr (error->message, next_schema));
  g_assert_nonnull (strstr (error->message, "unchanged"));

  assert_left_at_current (fixture->path);
}

static void
test_failing_later_step (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GArray) steps = migrations_with (&test_next, &failing_after_next, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;

  create_current_workspace (fixture->path);

  /* The first step succeeds, the second fails: the whole upgrade is one transaction, so the
   * first is undone too.
   */
  store = jm_store_open_with_migrations (fixture->path, JM_STORE_OPEN_DEFAULT,
                                         (JmMigration *)steps->data, steps->len, &error);
  g_assert_null (store);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED);
  {
    g_autofree char *failed_schema = g_strdup_printf ("schema %d", AFTER_NEXT);

    g_assert_nonnull (strstr (error->message, failed_schema));
  }

  assert_left_at_current (fixture->path);
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;

  create_current_workspace (fixture->path);
  file_exec (fixture->path, "PRAGMA user_version = 7");

  store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_TOO_NEW);
  {
    g_autofree char *expected = g_strdup_printf ("was written by a newer version of JourneyMapper "
                                                 "(schema 7); this version understands up to %d",
                                                 JM_STORE_SCHEMA_VERSION);

    g_assert_nonnull (strstr (error->message, expected));
  }
  g_clear_error (&error);

  store = jm_store_open (fixture->path, JM_STORE_OPEN_READONLY, &error);
  g_assert_null (store);
  g_assert_true (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_TOO_NEW));

  /* Refusing it changed nothing. */
  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==, 7);
}

static void
test_readonly_needs_upgrade (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GArray) steps = migrations_with (&test_next, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;

  create_current_workspace (fixture->path);

  store = jm_store_open_with_migrations (fixture->path, JM_STORE_OPEN_READONLY,
                                         (JmMigration *)steps->data, steps->len, &error);
  g_assert_null (store);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "upgraded"));

  g_assert_cmpint (file_query_int (fixture->path, "PRAGMA user_version"), ==,
                   JM_STORE_SCHEMA_VERSION);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/jm/migrations/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("new-file", test_new_file);
  ADD ("empty-file", test_empty_file);
  ADD ("empty-database", test_empty_database);
  ADD ("upgrade-keeps-data", test_upgrade_keeps_data);
  ADD ("upgrade-from-schema-1", test_upgrade_from_schema_1);
  ADD ("upgrade-several-steps", test_upgrade_several_steps);
  ADD ("failing-migration", test_failing_migration);
  ADD ("failing-later-step", test_failing_later_step);
  ADD ("too-new", test_too_new);
  ADD ("readonly-needs-upgrade", test_readonly_needs_upgrade);

#undef ADD

  return g_test_run ();
}
