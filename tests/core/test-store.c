/* test-store.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "jm-store-private.h"

/* 2026-05-28T20:26:40Z */
#define T0 G_GINT64_CONSTANT (1780000000000)
#define MINUTE (60 * 1000)

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

  fixture->dir = g_dir_make_tmp ("jm-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.jmw", NULL);
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

/* Helpers */

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JmEvent *
make_event (JmEventType  type,
            const char  *id,
            const char  *user_id,
            const char  *anonymous_id,
            gint64       ts,
            const char  *name)
{
  JmEvent *event = jm_event_new (type);

  event->id = g_strdup (id);
  event->user_id = g_strdup (user_id);
  event->anonymous_id = g_strdup (anonymous_id);
  event->ts = ts;
  event->event = g_strdup (name);

  return event;
}

static JmEvent *
with_context (JmEvent    *event,
              const char *json)
{
  json_object_unref (event->context);
  event->context = parse_object (json);
  return event;
}

static JmEvent *
with_properties (JmEvent    *event,
                 const char *json)
{
  json_object_unref (event->properties);
  event->properties = parse_object (json);
  return event;
}

static JmEvent *
with_traits (JmEvent    *event,
             const char *json)
{
  g_clear_pointer (&event->traits, json_object_unref);
  event->traits = parse_object (json);
  return event;
}

/* Inserts the NULL-terminated events (and frees them). */
G_GNUC_NULL_TERMINATED static JmInsertResult
insert (JmStore *store,
        gint64   project,
        ...)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_event_free);
  g_autoptr(GError) error = NULL;
  JmInsertResult result = { 0, };
  JmEvent *event;
  va_list args;

  va_start (args, project);
  while ((event = va_arg (args, JmEvent *)) != NULL)
    g_ptr_array_add (events, event);
  va_end (args);

  g_assert_true (jm_store_insert_events (store, project, (JmEvent **)events->pdata, events->len,
                                         &result, &error));
  g_assert_no_error (error);

  return result;
}

static gint64
default_project (JmStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  g_assert_true (jm_store_lookup_project (store, NULL, &id, &error));
  g_assert_no_error (error);

  return id;
}

static JmStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  JmStore *store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

/* Runs `sql` with the NULL-terminated text parameters and returns the first column. */
G_GNUC_NULL_TERMINATED static gint64
query_int (JmStore    *store,
           const char *sql,
           ...)
{
  sqlite3_stmt *stmt = NULL;
  const char *param;
  gint64 value;
  va_list args;
  int i = 1;

  g_assert_cmpint (sqlite3_prepare_v2 (jm_store_get_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);

  va_start (args, sql);
  while ((param = va_arg (args, const char *)) != NULL)
    sqlite3_bind_text (stmt, i++, param, -1, SQLITE_TRANSIENT);
  va_end (args);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

G_GNUC_NULL_TERMINATED static char *
query_text (JmStore    *store,
            const char *sql,
            ...)
{
  sqlite3_stmt *stmt = NULL;
  const char *param;
  char *value = NULL;
  va_list args;
  int i = 1;

  g_assert_cmpint (sqlite3_prepare_v2 (jm_store_get_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);

  va_start (args, sql);
  while ((param = va_arg (args, const char *)) != NULL)
    sqlite3_bind_text (stmt, i++, param, -1, SQLITE_TRANSIENT);
  va_end (args);

  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static void
write_file (const char *path,
            const void *data,
            gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
}

/* Schema */

typedef struct
{
  const char *table;
  const char *columns;
} TableColumns;

static const TableColumns expected_tables[] = {
  { "organizations", "id,name,created" },
  { "hmac_keys", "id,secret,created" },
  { "projects", "id,organization,name,settings,created,generation,removals" },
  { "api_keys", "id,project,name,scope,salt,hash,created,last_used,revoked" },
  { "customers", "project,customer_id,first_seen,last_seen,traits" },
  { "identities", "project,anonymous_id,customer_id,created" },
  { "events", "id,project,type,name,customer_id,anonymous_id,ts,received_at,arrival,"
              "properties,context,touch,consent" },
  { "journeys", "id,project,name,version,definition,created,updated" },
  { "segments", "id,project,name,kind,definition,created" },
  { "consents", "project,customer_id,categories,updated" },
  { "data_requests", "id,project,subject_hash,kind,state,created,completed,details" },
  { "audit_log", "id,ts,actor,action,project,details" },
  { "sync_state", "source,watermark,last_run,last_error" },
};

static void
test_schema_tables (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);

  for (guint i = 0; i < G_N_ELEMENTS (expected_tables); i++)
    {
      const char *table = expected_tables[i].table;
      g_autofree char *columns = query_text (store,
                                             "SELECT group_concat(name, ',') FROM "
                                             "  (SELECT name FROM pragma_table_info(?1) "
                                             "   ORDER BY cid)",
                                             table, NULL);

      g_test_message ("table %s", table);
      g_assert_cmpstr (columns, ==, expected_tables[i].columns);
      g_assert_cmpint (query_int (store, "SELECT strict FROM pragma_table_list WHERE name = ?1",
                                  table, NULL), ==, 1);
    }

  /* Nothing else: a new table needs a test (and a migration). */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite%'",
                              NULL),
                   ==, G_N_ELEMENTS (expected_tables));
}

static void
test_schema_pragmas (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autofree char *journal_mode = NULL;
  sqlite3 *db = NULL;
  int defensive = 0;

  g_assert_cmpint (jm_store_get_schema_version (store), ==, JM_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (jm_store_get_path (store), ==, fixture->path);

  /* Per connection */
  g_assert_cmpint (query_int (store, "PRAGMA foreign_keys", NULL), ==, 1);
  g_assert_cmpint (query_int (store, "PRAGMA secure_delete", NULL), ==, 1);
  g_assert_cmpint (query_int (store, "PRAGMA synchronous", NULL), ==, 2);
  g_assert_cmpint (query_int (store, "PRAGMA trusted_schema", NULL), ==, 0);
  sqlite3_db_config (jm_store_get_db (store), SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
  g_assert_cmpint (defensive, ==, 1);

  /* In the file, seen by anyone who opens it */
  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  {
    static const struct { const char *pragma; gint64 value; } expected[] = {
      { "PRAGMA application_id", JM_STORE_APPLICATION_ID },
      { "PRAGMA auto_vacuum", 2 },
      { "PRAGMA user_version", JM_STORE_SCHEMA_VERSION },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        sqlite3_stmt *stmt = NULL;

        g_assert_cmpint (sqlite3_prepare_v2 (db, expected[i].pragma, -1, &stmt, NULL), ==,
                         SQLITE_OK);
        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
        g_test_message ("%s", expected[i].pragma);
        g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, expected[i].value);
        sqlite3_finalize (stmt);
      }
  }
  sqlite3_close (db);

  journal_mode = query_text (store, "PRAGMA journal_mode", NULL);
  g_assert_cmpstr (journal_mode, ==, "wal");
}

static void
test_schema_defaults (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(JsonObject) settings = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;
  JmProject *project;
  gint64 key_id = 0;

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM organizations", NULL), ==, 1);

  projects = jm_store_list_projects (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  project = g_ptr_array_index (projects, 0);
  g_assert_cmpstr (project->name, ==, JM_STORE_DEFAULT_PROJECT);
  g_assert_cmpint (project->events, ==, 0);
  g_assert_cmpint (project->created, >, T0 - G_GINT64_CONSTANT (86400000) * 365);

  settings = parse_object (project->settings);
  g_assert_cmpstr (json_object_get_string_member (settings, "consent_policy"), ==, "none");
  g_assert_cmpint (json_object_get_int_member (settings, "retention_days"), ==, 0);
  g_assert_true (json_object_has_member (settings, "pii"));

  key = jm_store_dup_project_hmac_key (store, project->id, &key_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (key_id, ==, json_object_get_int_member (settings, "hmac_key_id"));
  g_assert_cmpuint (g_bytes_get_size (key), ==, 32);
}

static void
test_projects (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GError) error = NULL;
  gint64 shop = 0, blog = 0, found = 0;

  g_assert_true (jm_store_create_project (store, "shop", &shop, &error));
  g_assert_no_error (error);
  g_assert_true (jm_store_create_project (store, "blog", &blog, &error));
  g_assert_no_error (error);
  g_assert_cmpint (shop, !=, blog);

  g_assert_false (jm_store_create_project (store, "shop", NULL, &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "“shop”"));
  g_clear_error (&error);

  g_assert_false (jm_store_create_project (store, "", NULL, &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (jm_store_create_project (store, "tab\there", NULL, &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (jm_store_lookup_project (store, "blog", &found, &error));
  g_assert_no_error (error);
  g_assert_cmpint (found, ==, blog);

  g_assert_false (jm_store_lookup_project (store, "nope", &found, &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "“nope”"));
  g_clear_error (&error);

  /* Each project gets a key of its own. */
  g_assert_cmpint (query_int (store, "SELECT count(DISTINCT json_extract(settings, "
                                     "'$.hmac_key_id')) FROM projects", NULL), ==, 3);

  insert (store, shop,
          make_event (JM_EVENT_TRACK, "e1", "u1", NULL, T0, "Viewed"),
          make_event (JM_EVENT_TRACK, "e2", "u1", NULL, T0 + 1, "Viewed"),
          NULL);

  projects = jm_store_list_projects (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 3);
  g_assert_cmpstr (((JmProject *)projects->pdata[1])->name, ==, "shop");
  g_assert_cmpint (((JmProject *)projects->pdata[1])->events, ==, 2);
  g_assert_cmpint (((JmProject *)projects->pdata[2])->events, ==, 0);
}

static void
test_audit_log_append_only (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  sqlite3 *db = jm_store_get_db (store);
  char *message = NULL;

  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO audit_log (ts, actor, action) "
                                     "VALUES (1, 'cli', 'keys.create')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit_log SET actor = 'someone else'",
                                 NULL, NULL, &message), !=, SQLITE_OK);
  g_assert_nonnull (strstr (message, "append-only"));
  sqlite3_free (message);

  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM audit_log", NULL, NULL, &message), !=,
                   SQLITE_OK);
  g_assert_nonnull (strstr (message, "append-only"));
  sqlite3_free (message);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM audit_log WHERE actor = 'cli'", NULL),
                   ==, 1);
}

/* Opening files that are not workspaces */

static void
assert_not_a_workspace (const char *path,
                        const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, &error);
  g_autofree char *basename = g_path_get_basename (path);

  g_assert_null (store);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_A_WORKSPACE);
  g_assert_nonnull (strstr (error->message, basename));
  g_assert_nonnull (strstr (error->message, "is not a JourneyMapper workspace"));
  g_assert_nonnull (strstr (error->message, reason));
}

static void
test_open_random_bytes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree guint8 *bytes = g_malloc (64 * 1024);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 64 * 1024; i++)
    bytes[i] = g_rand_int_range (rand, 0, 256);

  write_file (fixture->path, bytes, 64 * 1024);
  assert_not_a_workspace (fixture->path, "not an SQLite database");
}

static void
test_open_text_file (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char text[] = "{\"type\":\"track\",\"event\":\"Signed Up\"}\n";

  write_file (fixture->path, text, strlen (text));
  assert_not_a_workspace (fixture->path, "not an SQLite database");

  /* The file is left as it was. */
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (fixture->path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, text);
  }
}

static void
test_open_other_application (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *other = g_build_filename (fixture->dir, "other.db", NULL);
  sqlite3 *db = NULL;

  /* Somebody's SQLite database with their own tables and no application id… */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                                     "INSERT INTO notes (body) VALUES ('keep me');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  assert_not_a_workspace (fixture->path, "another application");

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "SELECT body FROM notes", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* … or with another application's id and no table yet. */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA application_id = 1234; "
                                     "CREATE TABLE t (x); DROP TABLE t;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  assert_not_a_workspace (other, "another application");
}

static void
test_open_folder (Fixture       *fixture,
                  gconstpointer  data)
{
  assert_not_a_workspace (fixture->dir, "folder");
}

static void
test_open_no_create (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;

  store = jm_store_open (fixture->path, JM_STORE_OPEN_NO_CREATE, &error);
  g_assert_null (store);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  store = jm_store_open (fixture->path, JM_STORE_OPEN_READONLY, &error);
  g_assert_null (store);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

static void
test_open_creates_folder (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (fixture->dir, "journeymapper", NULL);
  g_autofree char *path = g_build_filename (sub, "default.jmw", NULL);
  g_autoptr(JmStore) store = open_store (path);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_clear_object (&store);

  g_remove (path);
  g_rmdir (sub);
}

static void
test_open_memory (void)
{
  g_autoptr(JmStore) store = open_store (":memory:");
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  JmInsertResult result;

  g_assert_cmpint (jm_store_get_schema_version (store), ==, JM_STORE_SCHEMA_VERSION);

  result = insert (store, default_project (store),
                   make_event (JM_EVENT_TRACK, "m1", "u1", NULL, T0, "Viewed"),
                   NULL);
  g_assert_cmpuint (result.inserted, ==, 1);

  stats = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->events, ==, 1);
  g_assert_cmpint (stats->file_bytes, >, 0);
}

static void
test_open_readonly (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JmEvent) event = NULL;
  gint64 project = default_project (store);

  insert (store, project, make_event (JM_EVENT_TRACK, "r1", "u1", NULL, T0, "Viewed"), NULL);
  g_clear_object (&store);

  store = jm_store_open (fixture->path, JM_STORE_OPEN_READONLY, &error);
  g_assert_no_error (error);

  stats = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->events, ==, 1);

  event = make_event (JM_EVENT_TRACK, "r2", "u1", NULL, T0, "Viewed");
  g_assert_false (jm_store_insert_events (store, project, &event, 1, NULL, &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "read-only"));
}

static void
insert_many (JmStore *store,
             guint    n_events)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_event_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n_events; i++)
    {
      g_autofree char *id = g_strdup_printf ("evt-%06u", i);
      g_autofree char *user = g_strdup_printf ("user-%u", i % 97);
      g_autofree char *props = g_strdup_printf ("{\"n\":%u,\"text\":\"event number %u with "
                                                "some padding to fill pages\"}", i, i);

      g_ptr_array_add (events,
                       with_properties (make_event (JM_EVENT_TRACK, id, user, NULL,
                                                    T0 + i * 1000, "Viewed Product"),
                                        props));
    }

  g_assert_true (jm_store_insert_events (store, default_project (store),
                                         (JmEvent **)events->pdata, events->len, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_refused_as_damaged (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, &error);

  g_assert_null (store);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_CORRUPT) ||
                 g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_A_WORKSPACE));

  if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_CORRUPT))
    {
      g_autofree char *basename = g_path_get_basename (path);

      g_assert_nonnull (strstr (error->message, "damaged"));
      g_assert_nonnull (strstr (error->message, basename));
    }
}

static void
test_open_corrupt_pages (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize page = 4096;

  insert_many (store, 5000);
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 100 * page);

  /* Garbage over a run of pages in the middle of the file. */
  for (gsize offset = (length / page / 2) * page; offset < (length / page / 2 + 8) * page;
       offset++)
    contents[offset] = g_rand_int_range (rand, 0, 256);

  write_file (fixture->path, contents, length);
  assert_refused_as_damaged (fixture->path);
}

static void
test_open_truncated (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autofree char *contents = NULL;
  gsize length = 0;

  insert_many (store, 5000);
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, NULL));
  write_file (fixture->path, contents, length / 2);
  assert_refused_as_damaged (fixture->path);
}

static void
test_open_damaged_header (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autofree char *contents = NULL;
  gsize length = 0;

  insert_many (store, 500);
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, NULL));
  memset (contents, 'x', 100);
  write_file (fixture->path, contents, length);
  assert_refused_as_damaged (fixture->path);
}

/* Ingest */

static void
test_duplicates (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  gint64 project = default_project (store);
  JmInsertResult result;

  /* The same id twice in one batch */
  result = insert (store, project,
                   make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0, "Viewed"),
                   make_event (JM_EVENT_TRACK, "b", "u1", NULL, T0 + 1, "Viewed"),
                   make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0, "Viewed"),
                   NULL);
  g_assert_cmpuint (result.inserted, ==, 2);
  g_assert_cmpuint (result.duplicates, ==, 1);
  g_assert_cmpuint (result.dropped, ==, 0);

  /* … and across batches: a re-sent batch changes nothing */
  result = insert (store, project,
                   make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0, "Viewed"),
                   make_event (JM_EVENT_TRACK, "b", "u1", NULL, T0 + 1, "Viewed"),
                   make_event (JM_EVENT_TRACK, "c", "u1", NULL, T0 + 2, "Viewed"),
                   NULL);
  g_assert_cmpuint (result.inserted, ==, 1);
  g_assert_cmpuint (result.duplicates, ==, 2);

  /* Messages without an id are identified by their content. */
  result = insert (store, project,
                   make_event (JM_EVENT_TRACK, NULL, "u2", NULL, T0, "Viewed"),
                   make_event (JM_EVENT_TRACK, NULL, "u2", NULL, T0, "Viewed"),
                   make_event (JM_EVENT_TRACK, NULL, "u2", NULL, T0 + 1, "Viewed"),
                   make_event (JM_EVENT_TRACK, NULL, "u2", NULL, T0, "Added"),
                   NULL);
  g_assert_cmpuint (result.inserted, ==, 3);
  g_assert_cmpuint (result.duplicates, ==, 1);

  result = insert (store, project,
                   make_event (JM_EVENT_TRACK, NULL, "u2", NULL, T0, "Added"),
                   NULL);
  g_assert_cmpuint (result.duplicates, ==, 1);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events", NULL), ==, 6);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events WHERE length(id) = 64", NULL),
                   ==, 3);

  /* The same id in another project is another event. */
  {
    g_autoptr(GError) error = NULL;
    gint64 other = 0;

    g_assert_true (jm_store_create_project (store, "other", &other, &error));
    g_assert_no_error (error);
    result = insert (store, other,
                     make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0, "Viewed"),
                     NULL);
    g_assert_cmpuint (result.inserted, ==, 1);
  }
}

static void
test_event_columns (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autofree char *properties = NULL;
  g_autofree char *context = NULL;
  g_autofree char *touch = NULL;
  g_autofree char *name = NULL;
  gint64 project = default_project (store);
  gint64 before = g_get_real_time () / 1000;
  JmEvent *page;
  JmEvent *track;

  page = with_context (make_event (JM_EVENT_PAGE, "p1", "u1", "anon-1", T0, "Home"),
                       "{\"page\":{\"path\":\"/home\",\"url\":\"https://shop.example/home\","
                       "\"referrer\":\"https://www.google.de/\"}}");
  page = with_properties (page, "{\"path\":\"/home\",\"title\":\"Welcome \\\"in\\\"\","
                                "\"n\":[1,2.5,{\"x\":null}]}");
  page->consent = JM_CONSENT_ANALYTICS | JM_CONSENT_MARKETING;
  track = make_event (JM_EVENT_TRACK, "t1", "u1", NULL, T0 + 1, "Order Completed");
  track->received_at = T0 + 5;

  insert (store, project, page, track, NULL);

  name = query_text (store, "SELECT name FROM events WHERE id = 'p1'", NULL);
  g_assert_cmpstr (name, ==, "/home");
  properties = query_text (store, "SELECT properties FROM events WHERE id = 'p1'", NULL);
  g_assert_cmpstr (properties, ==,
                   "{\"path\":\"/home\",\"title\":\"Welcome \\\"in\\\"\","
                   "\"n\":[1,2.5,{\"x\":null}]}");
  touch = query_text (store, "SELECT touch FROM events WHERE id = 'p1'", NULL);
  g_assert_cmpstr (touch, ==, "Organic Search");
  g_assert_cmpint (query_int (store, "SELECT consent FROM events WHERE id = 'p1'", NULL), ==,
                   JM_CONSENT_ANALYTICS | JM_CONSENT_MARKETING);
  g_assert_cmpint (query_int (store, "SELECT received_at FROM events WHERE id = 'p1'", NULL),
                   >=, before);
  g_assert_cmpint (query_int (store, "SELECT ts FROM events WHERE id = 'p1'", NULL), ==, T0);

  context = query_text (store, "SELECT context FROM events WHERE id = 't1'", NULL);
  g_assert_cmpstr (context, ==, "{}");
  g_clear_pointer (&touch, g_free);
  touch = query_text (store, "SELECT touch FROM events WHERE id = 't1'", NULL);
  g_assert_cmpstr (touch, ==, "");
  g_assert_cmpint (query_int (store, "SELECT received_at FROM events WHERE id = 't1'", NULL), ==,
                   T0 + 5);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events WHERE id = 't1' AND "
                                     "type = 'track' AND name = 'Order Completed' AND "
                                     "anonymous_id IS NULL AND customer_id = 'u1'", NULL), ==, 1);
}

/* What is stored is what was sent: every JSON value survives the trip into SQLite. */
static void
test_json_round_trip (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char *documents[] = {
    "{\"s\":\"plain\",\"quote\":\"say \\\"hi\\\"\",\"back\":\"C:\\\\dir\","
    "\"ctl\":\"a\\nb\\tc\\u0001d\\u001f\",\"utf8\":\"Grüße, 東京 🚀\","
    "\"slash\":\"</script>\"}",
    "{\"i\":0,\"neg\":-42,\"big\":9007199254740993,\"min\":-9223372036854775807,"
    "\"d\":1.99,\"whole\":2.0,\"tiny\":1e-300,\"huge\":1.7976931348623157e308,"
    "\"third\":0.3333333333333333,\"sum\":0.30000000000000004,\"negd\":-0.5}",
    "{\"t\":true,\"f\":false,\"n\":null,\"empty\":{},\"list\":[],"
    "\"nested\":{\"a\":[1,[2,[3,{\"b\":null}]],\"x\"]}}",
    "{\"z\":1,\"a\":2,\"m\":3}",
  };
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autofree char *ordered = NULL;
  g_autofree char *third = NULL;
  gint64 project = default_project (store);

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autofree char *id = g_strdup_printf ("doc-%u", i);
      g_autofree char *stored = NULL;
      g_autoptr(JsonNode) expected = json_from_string (documents[i], NULL);
      g_autoptr(JsonNode) actual = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (expected);
      insert (store, project,
              with_context (with_properties (make_event (JM_EVENT_TRACK, id, "u", NULL, T0, "E"),
                                             documents[i]),
                            documents[i]),
              NULL);

      stored = query_text (store, "SELECT properties FROM events WHERE id = ?1", id, NULL);
      g_test_message ("%s", stored);
      actual = json_from_string (stored, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_equal (expected, actual));

      /* SQLite's own JSON functions read it too. */
      g_assert_cmpint (query_int (store, "SELECT json_valid(properties) AND json_valid(context) "
                                         "FROM events WHERE id = ?1", id, NULL), ==, 1);
    }

  /* Compact, in the order sent, doubles kept as doubles and short. */
  ordered = query_text (store, "SELECT properties FROM events WHERE id = 'doc-3'", NULL);
  g_assert_cmpstr (ordered, ==, "{\"z\":1,\"a\":2,\"m\":3}");
  third = query_text (store, "SELECT properties FROM events WHERE id = 'doc-1'", NULL);
  g_assert_nonnull (strstr (third, "\"d\":1.99,\"whole\":2.0,"));
  g_assert_nonnull (strstr (third, "\"third\":0.3333333333333333,"));
  g_assert_cmpint (query_int (store, "SELECT json_type(properties, '$.whole') = 'real' AND "
                                     "json_type(properties, '$.i') = 'integer' AND "
                                     "json_extract(properties, '$.d') = 1.99 "
                                     "FROM events WHERE id = 'doc-1'", NULL), ==, 1);
}

static void
test_arrival (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  gint64 project = default_project (store);

  insert (store, project,
          make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0 + 100, "A"),
          make_event (JM_EVENT_TRACK, "b", "u1", NULL, T0, "B"),
          make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0 + 100, "A"),
          make_event (JM_EVENT_TRACK, "c", "u1", NULL, T0 + 50, "C"),
          NULL);

  /* Order of first receipt; a duplicate takes no number. */
  g_assert_cmpint (query_int (store, "SELECT arrival FROM events WHERE id = 'a'", NULL), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT arrival FROM events WHERE id = 'b'", NULL), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT arrival FROM events WHERE id = 'c'", NULL), ==, 3);

  /* The counter goes on after the workspace is opened again. */
  g_clear_object (&store);
  store = open_store (fixture->path);
  insert (store, project, make_event (JM_EVENT_TRACK, "d", "u1", NULL, T0, "D"), NULL);
  g_assert_cmpint (query_int (store, "SELECT arrival FROM events WHERE id = 'd'", NULL), ==, 4);

  /* Two writers on one workspace (the listener and an import) never hand out a number
   * twice.
   */
  {
    g_autoptr(JmStore) other = open_store (fixture->path);

    insert (other, project, make_event (JM_EVENT_TRACK, "e", "u1", NULL, T0, "E"), NULL);
    insert (store, project, make_event (JM_EVENT_TRACK, "f", "u1", NULL, T0, "F"), NULL);
    insert (other, project, make_event (JM_EVENT_TRACK, "g", "u1", NULL, T0, "G"), NULL);
  }
  g_assert_cmpint (query_int (store, "SELECT count(DISTINCT arrival) FROM events", NULL), ==, 7);
  g_assert_cmpint (query_int (store, "SELECT arrival FROM events WHERE id = 'g'", NULL), ==, 7);
}

static void
test_transactions (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(GError) error = NULL;
  gint64 project = default_project (store);

  /* Several calls in one outer transaction (the listener's group commit) */
  g_assert_true (jm_store_begin (store, &error));
  insert (store, project, make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0, "A"), NULL);
  insert (store, project, make_event (JM_EVENT_TRACK, "b", "u1", NULL, T0, "B"), NULL);
  jm_store_rollback (store);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events", NULL), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM customers", NULL), ==, 0);

  g_assert_true (jm_store_begin (store, &error));
  insert (store, project, make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0, "A"), NULL);
  insert (store, project, make_event (JM_EVENT_TRACK, "b", "u1", NULL, T0, "B"), NULL);
  g_assert_true (jm_store_commit (store, &error));
  g_assert_no_error (error);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events", NULL), ==, 2);
  /* The rolled-back numbers are given out again. */
  g_assert_cmpint (query_int (store, "SELECT max(arrival) FROM events", NULL), ==, 2);
}

static void
test_unknown_project (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(JmEvent) event = make_event (JM_EVENT_TRACK, "a", "u1", NULL, T0, "A");
  g_autoptr(GError) error = NULL;

  g_assert_false (jm_store_insert_events (store, 4242, &event, 1, NULL, &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events", NULL), ==, 0);
}

/* Identity stitching */

static gint64
count_events_of (JmStore    *store,
                 const char *customer_id)
{
  return query_int (store, "SELECT count(*) FROM events WHERE customer_id IS ?1",
                    customer_id, NULL);
}

static void
test_stitching_identify (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  gint64 project = default_project (store);

  insert (store, project,
          make_event (JM_EVENT_TRACK, "1", NULL, "anon-1", T0, "Viewed"),
          with_properties (make_event (JM_EVENT_PAGE, "2", NULL, "anon-1", T0 + 1000, NULL),
                           "{\"path\":\"/pricing\"}"),
          make_event (JM_EVENT_TRACK, "3", NULL, "anon-2", T0 + 500, "Viewed"),
          NULL);

  g_assert_cmpint (count_events_of (store, NULL), ==, 3);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM customers", NULL), ==, 0);

  /* Signing in: the earlier anonymous events become the customer's. */
  insert (store, project,
          make_event (JM_EVENT_IDENTIFY, "4", "ada", "anon-1", T0 + 5000, NULL),
          NULL);

  g_assert_cmpint (count_events_of (store, "ada"), ==, 3);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events WHERE anonymous_id = 'anon-2' "
                                     "AND customer_id IS NULL", NULL), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT first_seen FROM customers WHERE customer_id = 'ada'",
                              NULL), ==, T0);
  g_assert_cmpint (query_int (store, "SELECT last_seen FROM customers WHERE customer_id = 'ada'",
                              NULL), ==, T0 + 5000);

  /* Later anonymous events of that device are hers too. */
  insert (store, project,
          make_event (JM_EVENT_TRACK, "5", NULL, "anon-1", T0 + 9000, "Checkout"),
          NULL);
  g_assert_cmpint (count_events_of (store, "ada"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT last_seen FROM customers WHERE customer_id = 'ada'",
                              NULL), ==, T0 + 9000);
}

static void
test_stitching_same_batch (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  gint64 project = default_project (store);

  insert (store, project,
          make_event (JM_EVENT_TRACK, "1", NULL, "anon-4", T0, "Viewed"),
          make_event (JM_EVENT_IDENTIFY, "2", "bob", "anon-4", T0 + 1, NULL),
          make_event (JM_EVENT_TRACK, "3", NULL, "anon-4", T0 + 2, "Added"),
          NULL);

  g_assert_cmpint (count_events_of (store, "bob"), ==, 3);
  g_assert_cmpint (query_int (store, "SELECT first_seen FROM customers WHERE customer_id = 'bob'",
                              NULL), ==, T0);
}

static void
test_stitching_alias (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  gint64 project = default_project (store);
  JmEvent *alias;

  insert (store, project,
          make_event (JM_EVENT_TRACK, "1", NULL, "guest-77", T0, "Viewed"),
          NULL);

  alias = make_event (JM_EVENT_ALIAS, "2", "carol", NULL, T0 + 100, NULL);
  alias->previous_id = g_strdup ("guest-77");
  insert (store, project, alias, NULL);

  g_assert_cmpint (count_events_of (store, "carol"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM identities WHERE "
                                     "anonymous_id = 'guest-77' AND customer_id = 'carol'", NULL),
                   ==, 1);

  insert (store, project,
          make_event (JM_EVENT_TRACK, "3", NULL, "guest-77", T0 + 200, "Again"),
          NULL);
  g_assert_cmpint (count_events_of (store, "carol"), ==, 3);
}

static void
test_stitching_any_message (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  gint64 project = default_project (store);

  insert (store, project,
          make_event (JM_EVENT_PAGE, "1", NULL, "anon-3", T0, "Home"),
          NULL);
  insert (store, project,
          make_event (JM_EVENT_TRACK, "2", "dave", "anon-3", T0 + 10, "Signed Up"),
          NULL);

  g_assert_cmpint (count_events_of (store, "dave"), ==, 2);
}

static void
test_stitching_first_link_wins (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  gint64 project = default_project (store);

  insert (store, project,
          make_event (JM_EVENT_TRACK, "1", NULL, "shared-tablet", T0, "Viewed"),
          make_event (JM_EVENT_IDENTIFY, "2", "erin", "shared-tablet", T0 + 1, NULL),
          NULL);

  /* Somebody else signs in on the same device: erin's history stays hers. */
  insert (store, project,
          make_event (JM_EVENT_IDENTIFY, "3", "frank", "shared-tablet", T0 + 2, NULL),
          make_event (JM_EVENT_TRACK, "4", NULL, "shared-tablet", T0 + 3, "Viewed"),
          NULL);

  g_assert_cmpint (count_events_of (store, "erin"), ==, 3);
  g_assert_cmpint (count_events_of (store, "frank"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM identities", NULL), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM customers", NULL), ==, 2);
}

static void
test_customers_seen_and_traits (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(JsonObject) traits = NULL;
  g_autofree char *text = NULL;
  gint64 project = default_project (store);
  JsonObject *address;

  insert (store, project,
          with_traits (make_event (JM_EVENT_IDENTIFY, "1", "gina", NULL, T0 + 10000, NULL),
                       "{\"plan\":\"free\",\"name\":\"Gina\","
                       "\"address\":{\"city\":\"Berlin\",\"zip\":\"10115\"}}"),
          NULL);

  /* An earlier event arriving later, and new traits: merged, not replaced. */
  insert (store, project,
          make_event (JM_EVENT_TRACK, "2", "gina", NULL, T0 + 2000, "Viewed"),
          with_traits (make_event (JM_EVENT_IDENTIFY, "3", "gina", NULL, T0 + 20000, NULL),
                       "{\"plan\":\"pro\",\"address\":{\"city\":\"Paris\"},\"name\":null}"),
          with_traits (make_event (JM_EVENT_IDENTIFY, "4", "gina", NULL, T0 + 15000, NULL),
                       "{\"company\":\"ACME\"}"),
          /* Group traits describe the group, not the person. */
          with_traits (make_event (JM_EVENT_GROUP, "5", "gina", NULL, T0 + 15000, NULL),
                       "{\"employees\":200}"),
          NULL);

  g_assert_cmpint (query_int (store, "SELECT first_seen FROM customers WHERE customer_id = 'gina'",
                              NULL), ==, T0 + 2000);
  g_assert_cmpint (query_int (store, "SELECT last_seen FROM customers WHERE customer_id = 'gina'",
                              NULL), ==, T0 + 20000);

  text = query_text (store, "SELECT traits FROM customers WHERE customer_id = 'gina'", NULL);
  traits = parse_object (text);
  g_assert_cmpstr (json_object_get_string_member (traits, "plan"), ==, "pro");
  g_assert_cmpstr (json_object_get_string_member (traits, "company"), ==, "ACME");
  g_assert_false (json_object_has_member (traits, "name"));
  g_assert_false (json_object_has_member (traits, "employees"));
  address = json_object_get_object_member (traits, "address");
  g_assert_cmpstr (json_object_get_string_member (address, "city"), ==, "Paris");
  g_assert_cmpstr (json_object_get_string_member (address, "zip"), ==, "10115");

  /* Merging in one call leaves the caller's events as they were. */
  {
    g_autoptr(JmEvent) first = with_traits (make_event (JM_EVENT_IDENTIFY, "6", "hugo", NULL,
                                                        T0, NULL),
                                            "{\"address\":{\"city\":\"Rome\"}}");
    g_autoptr(JmEvent) second = with_traits (make_event (JM_EVENT_IDENTIFY, "7", "hugo", NULL,
                                                         T0, NULL),
                                             "{\"address\":{\"zip\":\"00100\"}}");
    JmEvent *both[] = { first, second };
    g_autoptr(GError) error = NULL;
    JsonObject *first_address;

    g_assert_true (jm_store_insert_events (store, project, both, 2, NULL, &error));
    g_assert_no_error (error);

    first_address = json_object_get_object_member (first->traits, "address");
    g_assert_cmpuint (json_object_get_size (first_address), ==, 1);
    g_assert_false (json_object_has_member (first_address, "zip"));

    g_clear_pointer (&text, g_free);
    text = query_text (store, "SELECT traits FROM customers WHERE customer_id = 'hugo'", NULL);
    g_assert_cmpstr (text, ==, "{\"address\":{\"city\":\"Rome\",\"zip\":\"00100\"}}");
  }
}

/* Consent */

static void
test_consent_policy (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(JsonObject) patch = parse_object ("{\"consent_policy\":\"require_analytics\"}");
  g_autoptr(GError) error = NULL;
  g_autofree char *settings = NULL;
  gint64 strict = 0;
  JmInsertResult result;
  JmEvent *granted, *refused, *marketing_only;

  g_assert_true (jm_store_create_project (store, "strict", &strict, &error));
  g_assert_true (jm_store_update_project_settings (store, strict, patch, &error));
  g_assert_no_error (error);
  settings = jm_store_dup_project_settings (store, strict, &error);
  g_assert_nonnull (strstr (settings, "\"consent_policy\":\"require_analytics\""));
  g_assert_nonnull (strstr (settings, "\"hmac_key_id\""));

  granted = make_event (JM_EVENT_TRACK, "1", "hana", NULL, T0, "Viewed");
  refused = make_event (JM_EVENT_TRACK, "2", "ivan", NULL, T0, "Viewed");
  refused->consent = 0;
  marketing_only = make_event (JM_EVENT_IDENTIFY, "3", "ivan", "anon-ivan", T0, NULL);
  marketing_only->consent = JM_CONSENT_MARKETING;

  result = insert (store, strict, granted, refused, marketing_only, NULL);
  g_assert_cmpuint (result.inserted, ==, 1);
  g_assert_cmpuint (result.dropped, ==, 2);
  g_assert_cmpuint (result.duplicates, ==, 0);

  /* Nothing of the refused ones is kept, not even their identities. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events", NULL), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM customers WHERE customer_id = 'ivan'",
                              NULL), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM identities", NULL), ==, 0);

  /* The default policy stores everything. */
  refused = make_event (JM_EVENT_TRACK, "2", "ivan", NULL, T0, "Viewed");
  refused->consent = 0;
  result = insert (store, default_project (store), refused, NULL);
  g_assert_cmpuint (result.inserted, ==, 1);
  g_assert_cmpuint (result.dropped, ==, 0);
  g_assert_cmpint (query_int (store, "SELECT consent FROM events WHERE id = '2'", NULL), ==, 0);
}

/* Statistics */

static void
test_stats (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  gint64 project = default_project (store);
  gint64 other = 0;
  GStatBuf file_stat, wal_stat;

  stats = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->projects, ==, 1);
  g_assert_cmpint (stats->events, ==, 0);
  g_assert_cmpint (stats->first_ts, ==, 0);
  g_assert_cmpint (stats->last_ts, ==, 0);
  g_assert_cmpuint (g_hash_table_size (stats->by_type), ==, 0);
  g_clear_pointer (&stats, jm_store_stats_free);

  g_assert_true (jm_store_create_project (store, "other", &other, &error));
  insert (store, project,
          make_event (JM_EVENT_TRACK, "1", "u1", NULL, T0 + 5, "A"),
          make_event (JM_EVENT_TRACK, "2", "u2", NULL, T0 + 1, "B"),
          make_event (JM_EVENT_PAGE, "3", NULL, "anon", T0 + 9, "Home"),
          make_event (JM_EVENT_IDENTIFY, "4", "u1", NULL, T0 + 3, NULL),
          NULL);
  insert (store, other,
          make_event (JM_EVENT_TRACK, "1", "u1", NULL, T0 - 7, "A"),
          NULL);

  stats = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->projects, ==, 2);
  g_assert_cmpint (stats->events, ==, 5);
  g_assert_cmpint (stats->customers, ==, 3);
  g_assert_cmpint (stats->first_ts, ==, T0 - 7);
  g_assert_cmpint (stats->last_ts, ==, T0 + 9);
  g_assert_cmpuint (g_hash_table_size (stats->by_type), ==, 3);
  g_assert_cmpint (*(gint64 *)g_hash_table_lookup (stats->by_type, "track"), ==, 3);
  g_assert_cmpint (*(gint64 *)g_hash_table_lookup (stats->by_type, "page"), ==, 1);
  g_assert_cmpint (*(gint64 *)g_hash_table_lookup (stats->by_type, "identify"), ==, 1);

  g_assert_cmpint (g_stat (fixture->path, &file_stat), ==, 0);
  g_assert_cmpint (g_stat (wal, &wal_stat), ==, 0);
  g_assert_cmpint (wal_stat.st_size, >, 0);
  g_assert_cmpint (stats->file_bytes, ==, file_stat.st_size + wal_stat.st_size);
}

static void
test_clear_events (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(GError) error = NULL;
  gint64 project = default_project (store);

  insert (store, project,
          make_event (JM_EVENT_TRACK, "1", NULL, "anon", T0, "A"),
          make_event (JM_EVENT_IDENTIFY, "2", "u1", "anon", T0, NULL),
          NULL);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM identities", NULL), ==, 1);

  g_assert_true (jm_store_clear_events (store, &error));
  g_assert_no_error (error);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events", NULL), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM customers", NULL), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM identities", NULL), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM projects", NULL), ==, 1);

  /* A fresh start: the same ids are new again, and numbered from 1. */
  insert (store, project, make_event (JM_EVENT_TRACK, "1", NULL, "anon", T0, "A"), NULL);
  g_assert_cmpint (query_int (store, "SELECT arrival FROM events", NULL), ==, 1);
  g_assert_cmpint (count_events_of (store, NULL), ==, 1);
}

/* Customers */

static void
test_customers_list (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) customers = NULL;
  g_autoptr(GError) error = NULL;
  gint64 project = default_project (store);
  JmCustomer *customer;

  insert (store, project,
          make_event (JM_EVENT_TRACK, "1", "anna", NULL, T0 + 3, "A"),
          make_event (JM_EVENT_TRACK, "2", "ben", NULL, T0 + 1, "A"),
          make_event (JM_EVENT_TRACK, "3", "hannah", NULL, T0 + 2, "A"),
          make_event (JM_EVENT_TRACK, "4", "hannah", NULL, T0, "B"),
          make_event (JM_EVENT_TRACK, "5", "50%_off", NULL, T0 - 1, "A"),
          make_event (JM_EVENT_TRACK, "6", NULL, "anonymous-only", T0 + 9, "A"),
          NULL);

  customers = jm_store_list_customers (store, project, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, ==, 4);
  customer = customers->pdata[0];
  g_assert_cmpstr (customer->customer_id, ==, "anna");
  customer = customers->pdata[1];
  g_assert_cmpstr (customer->customer_id, ==, "hannah");
  g_assert_cmpint (customer->events, ==, 2);
  g_assert_cmpint (customer->first_seen, ==, T0);
  g_assert_cmpint (customer->last_seen, ==, T0 + 2);
  g_assert_cmpstr (customer->traits, ==, "{}");
  g_assert_cmpstr (((JmCustomer *)customers->pdata[2])->customer_id, ==, "ben");
  g_assert_cmpstr (((JmCustomer *)customers->pdata[3])->customer_id, ==, "50%_off");
  g_clear_pointer (&customers, g_ptr_array_unref);

  customers = jm_store_list_customers (store, project, "ANN", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, ==, 2);
  g_assert_cmpstr (((JmCustomer *)customers->pdata[0])->customer_id, ==, "anna");
  g_assert_cmpstr (((JmCustomer *)customers->pdata[1])->customer_id, ==, "hannah");
  g_clear_pointer (&customers, g_ptr_array_unref);

  /* Wildcards in the search are plain characters. */
  customers = jm_store_list_customers (store, project, "%_", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, ==, 1);
  g_clear_pointer (&customers, g_ptr_array_unref);

  customers = jm_store_list_customers (store, project, NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, ==, 2);
}

static void
test_customers_show (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture->path);
  g_autoptr(JmCustomerProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gint64 project = default_project (store);
  static const struct
  {
    const char *type;
    const char *name;
    guint       session;
    const char *touch;
  } expected[] = {
    { "page", "/landing", 1, "Email" },
    { "track", "Viewed", 1, "" },
    { "identify", NULL, 1, "" },
    { "track", "Exactly 30 minutes later", 1, "" },
    { "track", "Back after a break", 2, "Organic Search" },
    { "track", "Same time, first", 3, "" },
    { "track", "Same time, second", 3, "" },
  };

  insert (store, project,
          with_context (with_properties (make_event (JM_EVENT_PAGE, "p", NULL, "dev-1", T0, NULL),
                                         "{\"path\":\"/landing\"}"),
                        "{\"campaign\":{\"medium\":\"email\"}}"),
          make_event (JM_EVENT_TRACK, "t1", NULL, "dev-1", T0 + 10 * MINUTE, "Viewed"),
          make_event (JM_EVENT_IDENTIFY, "i", "kim", "dev-1", T0 + 15 * MINUTE, NULL),
          make_event (JM_EVENT_TRACK, "t2", "kim", NULL, T0 + 40 * MINUTE,
                      "Exactly 30 minutes later"),
          with_context (make_event (JM_EVENT_TRACK, "t3", "kim", "dev-2",
                                    T0 + 70 * MINUTE + 1, "Back after a break"),
                        "{\"page\":{\"referrer\":\"https://duckduckgo.com/\"}}"),
          /* Same time: the order of arrival decides, not the id. */
          make_event (JM_EVENT_TRACK, "zz", "kim", NULL, T0 + 120 * MINUTE, "Same time, first"),
          make_event (JM_EVENT_TRACK, "aa", "kim", NULL, T0 + 120 * MINUTE, "Same time, second"),
          make_event (JM_EVENT_TRACK, "other", "lea", NULL, T0, "Not kim's"),
          NULL);

  profile = jm_store_load_customer (store, project, "kim", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (profile->customer->customer_id, ==, "kim");
  g_assert_cmpint (profile->customer->first_seen, ==, T0);
  g_assert_cmpint (profile->customer->last_seen, ==, T0 + 120 * MINUTE);
  g_assert_cmpint (profile->customer->events, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (profile->anonymous_ids->len, ==, 2);
  g_assert_cmpstr (profile->anonymous_ids->pdata[0], ==, "dev-1");
  g_assert_cmpstr (profile->anonymous_ids->pdata[1], ==, "dev-2");
  g_assert_cmpuint (profile->sessions, ==, 3);

  g_assert_cmpuint (profile->events->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JmTimelineEvent *event = profile->events->pdata[i];

      g_test_message ("event %u", i);
      g_assert_cmpstr (event->type, ==, expected[i].type);
      g_assert_cmpstr (event->name, ==, expected[i].name);
      g_assert_cmpuint (event->session, ==, expected[i].session);
      g_assert_cmpstr (event->touch, ==, expected[i].touch);
    }

  g_clear_pointer (&profile, jm_customer_profile_free);
  profile = jm_store_load_customer (store, project, "nobody", &error);
  g_assert_null (profile);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No customer “nobody” in project “default”");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/jm/store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("schema/tables", test_schema_tables);
  ADD ("schema/pragmas", test_schema_pragmas);
  ADD ("schema/defaults", test_schema_defaults);
  ADD ("schema/audit-log-append-only", test_audit_log_append_only);
  ADD ("projects", test_projects);
  ADD ("open/random-bytes", test_open_random_bytes);
  ADD ("open/text-file", test_open_text_file);
  ADD ("open/other-application", test_open_other_application);
  ADD ("open/folder", test_open_folder);
  ADD ("open/no-create", test_open_no_create);
  ADD ("open/creates-folder", test_open_creates_folder);
  g_test_add_func ("/jm/store/open/memory", test_open_memory);
  ADD ("open/readonly", test_open_readonly);
  ADD ("open/corrupt-pages", test_open_corrupt_pages);
  ADD ("open/truncated", test_open_truncated);
  ADD ("open/damaged-header", test_open_damaged_header);
  ADD ("duplicates", test_duplicates);
  ADD ("event-columns", test_event_columns);
  ADD ("json-round-trip", test_json_round_trip);
  ADD ("arrival", test_arrival);
  ADD ("transactions", test_transactions);
  ADD ("unknown-project", test_unknown_project);
  ADD ("stitching/identify", test_stitching_identify);
  ADD ("stitching/same-batch", test_stitching_same_batch);
  ADD ("stitching/alias", test_stitching_alias);
  ADD ("stitching/any-message", test_stitching_any_message);
  ADD ("stitching/first-link-wins", test_stitching_first_link_wins);
  ADD ("customers/seen-and-traits", test_customers_seen_and_traits);
  ADD ("customers/list", test_customers_list);
  ADD ("customers/show", test_customers_show);
  ADD ("consent-policy", test_consent_policy);
  ADD ("stats", test_stats);
  ADD ("clear-events", test_clear_events);

#undef ADD

  return g_test_run ();
}
