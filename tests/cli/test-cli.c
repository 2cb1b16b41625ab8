/* test-cli.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <gio/gio.h>

typedef struct
{
  char *dir;
  char *db;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jm-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "test.jmw", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

/* Runs journeymapper-cli with the given arguments (NULL-terminated) and returns its exit
 * status; its stdout and stderr are returned when asked for.
 */
static int
run_cli (Fixture     *fixture,
         char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *cli = g_getenv ("JM_CLI");
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (gpointer) cli);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* The default workspace goes under XDG_DATA_HOME: keep it inside the fixture. */
  if (fixture != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return g_subprocess_get_exit_status (process);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return json_object_ref (json_node_get_object (node));
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return path;
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;

  g_assert_cmpint (run_cli (fixture, &out, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "import"));
  g_assert_nonnull (strstr (out, "keys"));

  g_assert_cmpint (run_cli (fixture, NULL, &err, "frobnicate", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "frobnicate"));

  g_assert_cmpint (run_cli (fixture, NULL, &err2, "stats", "--db", fixture->db,
                            "--no-such-option", NULL), ==, 2);
  g_assert_cmpint (run_cli (fixture, NULL, &err3, "stats", "--db", fixture->db,
                            "--format", "csv", NULL), ==, 2);
  g_assert_nonnull (strstr (err3, "not a table"));
  g_assert_cmpint (run_cli (fixture, NULL, NULL, "keys", "create", "--db", fixture->db,
                            "--scope", "superuser", NULL), ==, 2);
  g_assert_cmpint (run_cli (fixture, NULL, NULL, "import", "--db", fixture->db, NULL), ==, 2);
}

static void
test_default_workspace (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *expected = g_build_filename (fixture->dir, "journeymapper", "default.jmw", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) stats = NULL;

  /* Without --db the user's workspace is used, and created when missing. */
  g_assert_cmpint (run_cli (fixture, &out, NULL, "stats", "--format", "json", NULL), ==, 0);
  stats = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (stats, "events"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "projects"), ==, 1);
  g_assert_true (g_file_test (expected, G_FILE_TEST_EXISTS));
}

static void
test_demo (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(JsonObject) report2 = NULL;
  gint64 events;

  g_assert_cmpint (run_cli (fixture, &out, NULL, "demo", "--db", fixture->db, "--customers", "150",
                            "--days", "20", "--format", "json", NULL), ==, 0);
  report = parse_object (out);
  events = json_object_get_int_member (report, "events");
  g_assert_cmpint (json_object_get_int_member (report, "customers"), ==, 150);
  g_assert_cmpint (events, >, 150 * 10);

  g_assert_cmpint (run_cli (fixture, &out2, NULL, "stats", "--db", fixture->db, "--format", "json",
                            NULL), ==, 0);
  stats = parse_object (out2);
  g_assert_cmpint (json_object_get_int_member (stats, "events"), ==, events);
  g_assert_cmpint (json_object_get_int_member (stats, "customers"), >, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (stats, "by_type"),
                                               "page"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (stats, "last_ts"), <, "2026-07-01");
  g_assert_cmpstr (json_object_get_string_member (stats, "first_ts"), >=, "2026-06-10");

  /* A non-empty workspace is refused without --replace, and nothing changes. */
  g_assert_cmpint (run_cli (fixture, NULL, &err, "demo", "--db", fixture->db, "--customers", "10",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--replace"));
  g_assert_null (strchr (strchr (err, '\n') + 1, '\n'));

  /* Regenerating with the same options gives the same data. */
  g_assert_cmpint (run_cli (fixture, &out3, NULL, "demo", "--db", fixture->db, "--customers", "150",
                            "--days", "20", "--replace", "--format", "json", NULL), ==, 0);
  report2 = parse_object (out3);
  g_assert_cmpint (json_object_get_int_member (report2, "events"), ==, events);
  g_assert_cmpint (json_object_get_int_member (report2, "purchases"), ==,
                   json_object_get_int_member (report, "purchases"));

  g_assert_cmpint (run_cli (fixture, NULL, NULL, "demo", "--db", fixture->db, "--end-date",
                            "30/06/2026", NULL), ==, 2);
}

static void
test_import (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) report2 = NULL;
  JsonArray *errors;
  JsonObject *first_error;

  path = write_file (fixture, "events.ndjson",
    "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"timestamp\":\"2026-05-01T10:00:00Z\"}\n"
    "{\"type\":\"page\",\"userId\":\"u1\",\"properties\":{\"path\":\"/pricing\"},\"timestamp\":\"2026-05-01T10:01:00Z\"}\n"
    "{\"type\":\"track\",\"userId\":\"u2\",\"timestamp\":\"2026-05-01T10:02:00Z\"}\n"
    "this is not json\n"
    "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u1\",\"timestamp\":\"2026-05-01T10:05:00Z\",\"properties\":{\"revenue\":20}}\n");

  g_assert_cmpint (run_cli (fixture, &out, NULL, "import", path, "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  report = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (report, "imported"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (report, "rejected"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (report, "duplicates"), ==, 0);
  g_assert_true (json_object_has_member (report, "seconds"));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (report, "files")), ==, 1);
  errors = json_object_get_array_member (report, "errors");
  g_assert_cmpint (json_array_get_length (errors), ==, 2);
  first_error = json_array_get_object_element (errors, 0);
  g_assert_cmpint (json_object_get_int_member (first_error, "line"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (first_error, "field"), ==, "event");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (errors, 1), "line"),
                   ==, 4);

  /* The same file again adds nothing. */
  g_assert_cmpint (run_cli (fixture, &out2, NULL, "import", path, "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  report2 = parse_object (out2);
  g_assert_cmpint (json_object_get_int_member (report2, "imported"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (report2, "duplicates"), ==, 3);

  /* Text output names the file and line of each rejected record. */
  g_assert_cmpint (run_cli (fixture, &text, NULL, "import", path, "--db", fixture->db, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "events.ndjson:3: event:"));

  /* A missing file fails with a one-line reason, and the exit status says so. */
  missing = g_build_filename (fixture->dir, "missing.ndjson", NULL);
  g_assert_cmpint (run_cli (fixture, NULL, &err, "import", missing, "--db", fixture->db, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "missing.ndjson"));
}

static void
test_projects_and_keys (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *list = NULL;
  g_autofree char *created = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *keys_after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(JsonObject) projects = NULL;
  g_autoptr(JsonObject) key = NULL;
  g_autoptr(JsonObject) key_list = NULL;
  g_autoptr(JsonObject) key_list_after = NULL;
  g_autofree char *contents = NULL;
  const char *secret;
  const char *id;
  JsonObject *listed;
  gsize length;

  g_assert_cmpint (run_cli (fixture, &out, NULL, "projects", "create", "shop", "--db", fixture->db,
                            NULL), ==, 0);
  g_assert_cmpint (run_cli (fixture, NULL, &err, "projects", "create", "shop", "--db", fixture->db,
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "shop"));

  g_assert_cmpint (run_cli (fixture, &list, NULL, "projects", "list", "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  projects = parse_object (list);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (projects, "projects")), ==, 2);

  g_assert_cmpint (run_cli (fixture, &csv, NULL, "projects", "list", "--db", fixture->db,
                            "--format", "csv", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (csv, "name,created,events\n"));

  g_assert_cmpint (run_cli (fixture, &created, NULL, "keys", "create", "--db", fixture->db,
                            "--project", "shop", "--scope", "ingest", "--name", "web",
                            "--format", "json", NULL), ==, 0);
  key = parse_object (created);
  secret = json_object_get_string_member (key, "secret");
  id = json_object_get_string_member (key, "id");
  g_assert_cmpstr (json_object_get_string_member (key, "scope"), ==, "ingest");
  g_assert_cmpstr (json_object_get_string_member (key, "project"), ==, "shop");
  g_assert_true (g_str_has_prefix (secret, "jm_"));
  g_assert_nonnull (strstr (secret, id));

  /* Only a hash is kept: the secret is nowhere in the workspace file. */
  g_file_get_contents (fixture->db, &contents, &length, NULL);
  g_assert_nonnull (contents);
  g_assert_null (g_strstr_len (contents, length, secret));

  g_assert_cmpint (run_cli (fixture, &keys, NULL, "keys", "list", "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  key_list = parse_object (keys);
  listed = json_array_get_object_element (json_object_get_array_member (key_list, "keys"), 0);
  g_assert_cmpstr (json_object_get_string_member (listed, "id"), ==, id);
  g_assert_false (json_object_has_member (listed, "secret"));
  g_assert_true (json_object_get_null_member (listed, "revoked"));

  g_assert_cmpint (run_cli (fixture, NULL, NULL, "keys", "revoke", id, "--db", fixture->db, NULL), ==, 0);
  g_assert_cmpint (run_cli (fixture, &keys_after, NULL, "keys", "list", "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  key_list_after = parse_object (keys_after);
  listed = json_array_get_object_element (json_object_get_array_member (key_list_after, "keys"), 0);
  g_assert_false (json_object_get_null_member (listed, "revoked"));

  g_assert_cmpint (run_cli (fixture, NULL, NULL, "keys", "revoke", "0123456789ab", "--db",
                            fixture->db, NULL), ==, 1);
  g_assert_cmpint (run_cli (fixture, NULL, NULL, "keys", "create", "--db", fixture->db,
                            "--project", "nope", "--scope", "read", NULL), ==, 1);
}

static void
test_customers (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *show = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) profile = NULL;
  JsonArray *events;
  JsonArray *anonymous_ids;

  path = write_file (fixture, "journey.ndjson",
    "{\"type\":\"page\",\"anonymousId\":\"a1\",\"properties\":{\"path\":\"/\"},\"context\":{\"page\":{\"referrer\":\"https://www.google.com/\"}},\"timestamp\":\"2026-05-01T09:00:00Z\"}\n"
    "{\"type\":\"page\",\"anonymousId\":\"a1\",\"properties\":{\"path\":\"/pricing\"},\"timestamp\":\"2026-05-01T09:02:00Z\"}\n"
    "{\"type\":\"identify\",\"anonymousId\":\"a1\",\"userId\":\"alice\",\"traits\":{\"plan\":\"pro\"},\"timestamp\":\"2026-05-01T09:03:00Z\"}\n"
    "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"alice\",\"timestamp\":\"2026-05-03T18:00:00Z\"}\n"
    "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"bob\",\"timestamp\":\"2026-05-02T12:00:00Z\"}\n");
  g_assert_cmpint (run_cli (fixture, NULL, NULL, "import", path, "--db", fixture->db, NULL), ==, 0);

  g_assert_cmpint (run_cli (fixture, &out, NULL, "customers", "list", "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  list = parse_object (out);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (list, "customers")), ==, 2);
  /* Most recently seen first. */
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (list, "customers"), 0),
                     "customer_id"), ==, "alice");

  g_assert_cmpint (run_cli (fixture, &show, NULL, "customers", "show", "alice", "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  profile = parse_object (show);
  g_assert_cmpstr (json_object_get_string_member (profile, "customer_id"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (profile, "first_seen"), ==, "2026-05-01T09:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (profile, "traits"),
                                                  "plan"), ==, "pro");
  anonymous_ids = json_object_get_array_member (profile, "anonymous_ids");
  g_assert_cmpint (json_array_get_length (anonymous_ids), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (anonymous_ids, 0), ==, "a1");
  g_assert_cmpint (json_object_get_int_member (profile, "sessions"), ==, 2);
  events = json_object_get_array_member (profile, "events");
  /* The anonymous page views were stitched to alice when she identified. */
  g_assert_cmpint (json_array_get_length (events), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "name"),
                   ==, "/");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "touch"),
                   ==, "Organic Search");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 3), "name"),
                   ==, "Order Completed");

  g_assert_cmpint (run_cli (fixture, NULL, &err, "customers", "show", "carol", "--db", fixture->db,
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "carol"));
}

static void
test_not_a_workspace (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "notes.jmw", "these are my notes, not a database\n");
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;

  g_assert_cmpint (run_cli (fixture, NULL, &err, "stats", "--db", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not a JourneyMapper workspace"));
  /* One line, and the file is left as it was. */
  g_assert_cmpint (strlen (err) - 1, ==, strcspn (err, "\n"));
  g_file_get_contents (path, &contents, NULL, NULL);
  g_assert_cmpstr (contents, ==, "these are my notes, not a database\n");
}

static JsonObject *
find_node (JsonArray  *nodes,
           const char *name)
{
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);

      if (g_strcmp0 (json_object_get_string_member (node, "name"), name) == 0)
        return node;
    }

  return NULL;
}

static void
test_analyze (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *graph_text = NULL;
  g_autofree char *funnel_text = NULL;
  g_autofree char *paths_text = NULL;
  g_autofree char *retention_text = NULL;
  g_autofree char *attribution_text = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *segment_funnel = NULL;
  g_autoptr(JsonObject) graph = NULL;
  g_autoptr(JsonObject) funnel = NULL;
  g_autoptr(JsonObject) paths = NULL;
  g_autoptr(JsonObject) retention = NULL;
  g_autoptr(JsonObject) attribution = NULL;
  g_autoptr(JsonObject) segmented = NULL;
  JsonObject *home;
  JsonArray *steps;
  JsonArray *channels;
  g_auto(GStrv) lines = NULL;
  g_autofree char *insights_text = NULL;
  g_autoptr(JsonObject) insights = NULL;
  JsonArray *findings;
  double markov = 0;
  gint64 conversions;

  g_assert_cmpint (run_cli (fixture, NULL, NULL, "demo", "--db", fixture->db, "--customers", "400",
                            "--days", "30", NULL), ==, 0);

  g_assert_cmpint (run_cli (fixture, &graph_text, NULL, "analyze", "graph", "--db", fixture->db,
                            "--format", "json", NULL), ==, 0);
  graph = parse_object (graph_text);
  g_assert_cmpstr (json_object_get_string_member (graph, "unit"), ==, "customer");
  home = find_node (json_object_get_array_member (graph, "nodes"), "/");
  g_assert_nonnull (home);
  g_assert_null (find_node (json_object_get_array_member (graph, "nodes"), "START"));

  /* The funnel's first step counts the units the graph says have "/". */
  g_assert_cmpint (run_cli (fixture, &funnel_text, NULL, "analyze", "funnel", "--db", fixture->db,
                            "--step", "/", "--step", "/product", "--step", "Order Completed",
                            "--format", "json", NULL), ==, 0);
  funnel = parse_object (funnel_text);
  steps = json_object_get_array_member (funnel, "steps");
  g_assert_cmpint (json_array_get_length (steps), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (steps, 0), "count"),
                   ==, json_object_get_int_member (home, "units"));
  g_assert_cmpint (json_object_get_int_member (funnel, "units"), ==,
                   json_object_get_int_member (graph, "units"));
  g_assert_true (json_object_get_null_member (json_array_get_object_element (steps, 0),
                                              "median_seconds_from_previous"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (steps, 2), "count"),
                   >, 0);

  g_assert_cmpint (run_cli (fixture, &paths_text, NULL, "analyze", "paths", "--db", fixture->db,
                            "--start", "/", "--steps", "4", "--format", "json", NULL), ==, 0);
  paths = parse_object (paths_text);
  g_assert_cmpint (json_object_get_int_member (paths, "units"), ==,
                   json_object_get_int_member (home, "units"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (paths, "anchor"),
                                                  "start"), ==, "/");

  g_assert_cmpint (run_cli (fixture, &retention_text, NULL, "analyze", "retention", "--db",
                            fixture->db, "--cohort-event", "/", "--return-event", "/",
                            "--period", "week", "--periods", "3", "--format", "json", NULL), ==, 0);
  retention = parse_object (retention_text);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (retention, "cohorts")), >, 2);
  g_assert_cmpint (json_array_get_length (
                     json_object_get_array_member (
                       json_array_get_object_element (json_object_get_array_member (retention,
                                                                                    "cohorts"), 0),
                       "retained")), ==, 4);

  g_assert_cmpint (run_cli (fixture, &attribution_text, NULL, "analyze", "attribution", "--db",
                            fixture->db, "--conversion", "Order Completed", "--format", "json",
                            NULL), ==, 0);
  attribution = parse_object (attribution_text);
  conversions = json_object_get_int_member (attribution, "conversions");
  g_assert_cmpint (conversions, ==,
                   json_object_get_int_member (find_node (json_object_get_array_member (graph, "nodes"),
                                                          "Order Completed"), "events"));
  channels = json_object_get_array_member (attribution, "channels");
  for (guint i = 0; i < json_array_get_length (channels); i++)
    markov += json_object_get_double_member (json_array_get_object_element (channels, i), "markov");
  g_assert_cmpfloat_with_epsilon (markov, conversions, 1e-6);

  g_assert_cmpint (run_cli (fixture, &csv, NULL, "analyze", "funnel", "--db", fixture->db,
                            "--step", "/", "--step", "/cart", "--format", "csv", NULL), ==, 0);
  g_assert_nonnull (strstr (csv, "conversion_from_start"));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpint (g_strv_length (lines), >=, 3);

  /* Insights name the conversion they looked at and give evidence for every finding. */
  g_assert_cmpint (run_cli (fixture, &insights_text, NULL, "insights", "--db", fixture->db,
                            "--conversion", "Order Completed", "--format", "json", NULL), ==, 0);
  insights = parse_object (insights_text);
  findings = json_object_get_array_member (insights, "insights");
  g_assert_nonnull (findings);
  for (guint i = 0; i < json_array_get_length (findings); i++)
    {
      JsonObject *finding = json_array_get_object_element (findings, i);

      g_assert_true (json_object_has_member (finding, "evidence"));
      g_assert_nonnull (strstr ("high medium low",
                                json_object_get_string_member (finding, "severity")));
    }

  /* A bad expression is a usage error that points at the column. */
  g_assert_cmpint (run_cli (fixture, NULL, &err, "analyze", "graph", "--db", fixture->db,
                            "--where", "properties.price >", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "column"));
  g_assert_cmpint (run_cli (fixture, NULL, &err2, "analyze", "funnel", "--db", fixture->db,
                            "--step", "/", NULL), ==, 2);

  /* The customers who stopped after step 1 become a segment that narrows later analyses. */
  g_assert_cmpint (run_cli (fixture, NULL, NULL, "analyze", "funnel", "--db", fixture->db,
                            "--step", "/", "--step", "/cart", "--save-dropoff", "1:left-early",
                            NULL), ==, 0);
  g_assert_cmpint (run_cli (fixture, &segment_funnel, NULL, "analyze", "funnel", "--db",
                            fixture->db, "--step", "/", "--step", "/cart", "--segment",
                            "left-early", "--format", "json", NULL), ==, 0);
  segmented = parse_object (segment_funnel);
  steps = json_object_get_array_member (segmented, "steps");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (steps, 0), "count"),
                   >, 0);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (steps, 1), "count"),
                   ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/jm/cli/usage", Fixture, NULL, fixture_setup, test_usage, fixture_teardown);
  g_test_add ("/jm/cli/default-workspace", Fixture, NULL, fixture_setup, test_default_workspace,
              fixture_teardown);
  g_test_add ("/jm/cli/demo", Fixture, NULL, fixture_setup, test_demo, fixture_teardown);
  g_test_add ("/jm/cli/import", Fixture, NULL, fixture_setup, test_import, fixture_teardown);
  g_test_add ("/jm/cli/projects-and-keys", Fixture, NULL, fixture_setup, test_projects_and_keys,
              fixture_teardown);
  g_test_add ("/jm/cli/customers", Fixture, NULL, fixture_setup, test_customers, fixture_teardown);
  g_test_add ("/jm/cli/analyze", Fixture, NULL, fixture_setup, test_analyze, fixture_teardown);
  g_test_add ("/jm/cli/not-a-workspace", Fixture, NULL, fixture_setup, test_not_a_workspace,
              fixture_teardown);

  return g_test_run ();
}
