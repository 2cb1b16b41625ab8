/* test-npm-clients.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The listener against the real SDKs people already use: `journeymapper-cli serve` is
 * started on a fresh workspace, the Segment Node.js SDK and the PostHog Node.js SDK (run by
 * node, the scripts of tests/server/npm/) send their messages to it, and the workspace must
 * then hold exactly those events, with their names, customers and stitched identities.
 *
 * Needs node and the npm packages of tests/server/npm/package.json installed in the folder
 * named by JM_TEST_NODE_MODULES (build-aux/test installs them); without them the tests are
 * skipped with the reason.
 */

#define G_LOG_DOMAIN "jm-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "journey.h"
#include "jm-store-private.h"

/* Long enough for a loaded CI machine; a hung server or client fails rather than waits
 * for the test harness to kill everything.
 */
#define WAIT_SECONDS 60

typedef struct
{
  char        *dir;
  char        *db;
  char        *secret;
  GSubprocess *server;
  char        *url;
} Fixture;

typedef struct
{
  char   *id;
  char   *type;
  char   *name;
  char   *customer_id;
  char   *anonymous_id;
  gint64  ts;
  char   *properties;
  char   *context;
} StoredEvent;

static void
stored_event_free (StoredEvent *event)
{
  g_free (event->id);
  g_free (event->type);
  g_free (event->name);
  g_free (event->customer_id);
  g_free (event->anonymous_id);
  g_free (event->properties);
  g_free (event->context);
  g_free (event);
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

/* A fresh workspace with an ingest key for the default project. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  gint64 project;

  fixture->dir = g_dir_make_tmp ("jm-npm-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "ingest.jmw", NULL);

  store = jm_store_open (fixture->db, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);
  fixture->secret = jm_store_create_api_key (store, project, "npm clients", JM_KEY_SCOPE_INGEST,
                                             NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->secret);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->server != NULL)
    {
      g_subprocess_force_exit (fixture->server);
      g_subprocess_wait (fixture->server, NULL, NULL);
      g_clear_object (&fixture->server);
    }
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->secret);
  g_free (fixture->url);
}

/* Tells why these tests cannot run here (node or the SDK packages missing), or NULL. */
static char *
dup_skip_reason (void)
{
  const char *modules = g_getenv ("JM_TEST_NODE_MODULES");
  g_autofree char *node = g_find_program_in_path ("node");
  const char * const packages[] = { "@segment/analytics-node", "posthog-node" };

  if (node == NULL)
    return g_strdup ("node is not installed (build-aux/deps.sh installs nodejs)");
  if (modules == NULL || modules[0] == '\0')
    return g_strdup ("JM_TEST_NODE_MODULES is not set (build-aux/test installs the SDKs of "
                     "tests/server/npm/package.json and sets it)");

  for (guint i = 0; i < G_N_ELEMENTS (packages); i++)
    {
      g_autofree char *manifest = g_build_filename (modules, packages[i], "package.json", NULL);

      if (!g_file_test (manifest, G_FILE_TEST_IS_REGULAR))
        return g_strdup_printf ("the npm package %s is not installed in JM_TEST_NODE_MODULES (%s)",
                                packages[i], modules);
    }

  return NULL;
}

static gboolean
skip_without_node (void)
{
  g_autofree char *reason = dup_skip_reason ();

  if (reason == NULL)
    return FALSE;

  g_test_skip (reason);
  return TRUE;
}

/* The server must not outlive a failed test (an assertion aborts without teardown). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
async_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Iterates the default main context until `*result` is set or WAIT_SECONDS pass. */
static gboolean
wait_for_result (GAsyncResult **result)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (WAIT_SECONDS, set_flag_cb, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (timeout);

  return *result != NULL;
}

/* Starts `journeymapper-cli serve --port 0` on the fixture's workspace and reads the URL
 * from its line "listening on http://ADDRESS:PORT/".
 */
static void
start_server (Fixture *fixture)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *cli = g_getenv ("JM_CLI");
  const char *prefix = "listening on ";

  g_assert_nonnull (cli);
  g_assert_null (fixture->server);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fixture->server = g_subprocess_launcher_spawn (launcher, &error, cli, "serve",
                                                 "--db", fixture->db, "--port", "0", NULL);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->server));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, async_result_cb, &result);
  if (!wait_for_result (&result))
    g_error ("journeymapper-cli serve printed no line within %d s", WAIT_SECONDS);

  line = g_data_input_stream_read_line_finish_utf8 (lines, result, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("journeymapper-cli serve exited before it listened (see its error above)");

  g_test_message ("server: %s", line);
  g_assert_true (g_str_has_prefix (line, prefix));
  fixture->url = g_strdup (line + strlen (prefix));
  g_assert_true (g_str_has_prefix (fixture->url, "http://"));
  g_assert_true (g_str_has_suffix (fixture->url, "/"));
}

/* SIGTERM drains the listener: it must exit 0, with everything acknowledged committed. */
static void
stop_server (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (fixture->server);
  g_subprocess_send_signal (fixture->server, SIGTERM);
  g_subprocess_wait_async (fixture->server, NULL, async_result_cb, &result);
  if (!wait_for_result (&result))
    g_error ("journeymapper-cli serve did not exit within %d s of SIGTERM", WAIT_SECONDS);

  g_subprocess_wait_finish (fixture->server, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (fixture->server));
  g_assert_cmpint (g_subprocess_get_exit_status (fixture->server), ==, 0);
  g_clear_object (&fixture->server);
}

/* Runs `node tests/server/npm/SCRIPT URL KEY` and returns its exit status. */
static int
run_client (Fixture    *fixture,
            const char *script,
            const char *key)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "server", "npm", script, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "NODE_PATH", g_getenv ("JM_TEST_NODE_MODULES"), TRUE);
  /* The SDKs must talk to the listener directly, whatever the machine's proxy settings. */
  g_subprocess_launcher_unsetenv (launcher, "http_proxy");
  g_subprocess_launcher_unsetenv (launcher, "HTTP_PROXY");
  g_subprocess_launcher_unsetenv (launcher, "NODE_OPTIONS");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, "node", path, fixture->url, key, NULL);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, NULL, NULL, async_result_cb, &result);
  if (!wait_for_result (&result))
    g_error ("node %s did not finish within %d s", script, WAIT_SECONDS);
  g_subprocess_communicate_utf8_finish (process, result, &out, &err, &error);
  g_assert_no_error (error);

  g_test_message ("%s stdout: %s", script, out);
  g_test_message ("%s stderr: %s", script, err);
  g_assert_true (g_subprocess_get_if_exited (process));

  return g_subprocess_get_exit_status (process);
}

static JmStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JmStore *store = jm_store_open (fixture->db, JM_STORE_OPEN_NO_CREATE, &error);

  g_assert_no_error (error);
  return store;
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text);
}

/* Every stored event of the default project, in journey order. */
static GPtrArray *
load_events (JmStore *store)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) stored_event_free);
  sqlite3 *db = jm_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT e.id, e.type, e.name, e.customer_id, e.anonymous_id, e.ts, "
                           "       e.properties, e.context "
                           "FROM events e JOIN projects p ON p.id = e.project "
                           "WHERE p.name = 'default' ORDER BY e.ts, e.arrival, e.id",
                           -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StoredEvent *event = g_new0 (StoredEvent, 1);

      event->id = dup_column (stmt, 0);
      event->type = dup_column (stmt, 1);
      event->name = dup_column (stmt, 2);
      event->customer_id = dup_column (stmt, 3);
      event->anonymous_id = dup_column (stmt, 4);
      event->ts = sqlite3_column_int64 (stmt, 5);
      event->properties = dup_column (stmt, 6);
      event->context = dup_column (stmt, 7);
      g_ptr_array_add (events, event);
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return events;
}

static StoredEvent *
find_event (GPtrArray  *events,
            const char *type)
{
  StoredEvent *found = NULL;

  for (guint i = 0; i < events->len; i++)
    {
      StoredEvent *event = g_ptr_array_index (events, i);

      if (g_strcmp0 (event->type, type) == 0)
        {
          g_assert_null (found);   /* exactly one of each type is expected */
          found = event;
        }
    }

  g_assert_nonnull (found);
  return found;
}

/* The customer a stitched anonymous id belongs to, or NULL. */
static char *
dup_identity (JmStore    *store,
              const char *anonymous_id)
{
  sqlite3 *db = jm_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  char *customer = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT i.customer_id FROM identities i "
                                       "JOIN projects p ON p.id = i.project "
                                       "WHERE p.name = 'default' AND i.anonymous_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, anonymous_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    customer = dup_column (stmt, 0);
  sqlite3_finalize (stmt);

  return customer;
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

static gboolean
contains_string (GPtrArray  *strings,
                 const char *wanted)
{
  for (guint i = 0; i < strings->len; i++)
    if (g_strcmp0 (g_ptr_array_index (strings, i), wanted) == 0)
      return TRUE;
  return FALSE;
}

/* The time the SDK sent, within the clock-skew correction the listener may apply. */
static void
assert_time_near (gint64      ts,
                  const char *iso)
{
  g_autoptr(GDateTime) expected = g_date_time_new_from_iso8601 (iso, NULL);
  gint64 expected_ms;

  g_assert_nonnull (expected);
  expected_ms = g_date_time_to_unix (expected) * 1000;
  g_assert_cmpint (ts, >=, expected_ms - 60 * 1000);
  g_assert_cmpint (ts, <=, expected_ms + 60 * 1000);
}

static void
test_segment_sdk (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JmCustomerProfile) profile = NULL;
  g_autoptr(JmCustomerProfile) anonymous = NULL;
  g_autoptr(JsonObject) traits = NULL;
  g_autoptr(JsonObject) properties = NULL;
  g_autoptr(JsonObject) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  StoredEvent *track, *identify, *page;
  gint64 project;

  if (skip_without_node ())
    return;

  start_server (fixture);
  g_assert_cmpint (run_client (fixture, "segment-client.mjs", fixture->secret), ==, 0);
  stop_server (fixture);

  store = open_store (fixture);
  events = load_events (store);
  g_assert_cmpuint (events->len, ==, 3);

  /* The anonymous product view was given to the user by the identify of the same batch. */
  track = g_ptr_array_index (events, 0);
  g_assert_cmpstr (track->id, ==, "npm-segment-track-1");
  g_assert_cmpstr (track->type, ==, "track");
  g_assert_cmpstr (track->name, ==, "Product Viewed");
  g_assert_cmpstr (track->customer_id, ==, "npm-segment-user-1");
  g_assert_cmpstr (track->anonymous_id, ==, "npm-segment-anon-1");
  assert_time_near (track->ts, "2026-03-01T10:00:00Z");
  properties = parse_object (track->properties);
  g_assert_cmpstr (json_object_get_string_member (properties, "sku"), ==, "SKU-42");
  g_assert_cmpfloat (json_object_get_double_member (properties, "price"), ==, 19.5);
  context = parse_object (track->context);
  g_assert_true (json_object_has_member (context, "library"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (context, "library"),
                                                  "name"), ==, "@segment/analytics-node");

  identify = g_ptr_array_index (events, 1);
  g_assert_cmpstr (identify->id, ==, "npm-segment-identify-1");
  g_assert_cmpstr (identify->type, ==, "identify");
  g_assert_null (identify->name);
  g_assert_cmpstr (identify->customer_id, ==, "npm-segment-user-1");
  g_assert_cmpstr (identify->anonymous_id, ==, "npm-segment-anon-1");

  /* A page's journey name is its path. */
  page = g_ptr_array_index (events, 2);
  g_assert_cmpstr (page->id, ==, "npm-segment-page-1");
  g_assert_cmpstr (page->type, ==, "page");
  g_assert_cmpstr (page->name, ==, "/pricing");
  g_assert_cmpstr (page->customer_id, ==, "npm-segment-user-1");
  g_assert_cmpint (track->ts, <, identify->ts);
  g_assert_cmpint (identify->ts, <, page->ts);

  owner = dup_identity (store, "npm-segment-anon-1");
  g_assert_cmpstr (owner, ==, "npm-segment-user-1");

  /* One customer with the identify's traits and the anonymous id; the anonymous id is no
   * customer of its own.
   */
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);
  profile = jm_store_load_customer (store, project, "npm-segment-user-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (profile->events->len, ==, 3);
  g_assert_true (contains_string (profile->anonymous_ids, "npm-segment-anon-1"));
  traits = parse_object (profile->customer->traits);
  g_assert_cmpstr (json_object_get_string_member (traits, "plan"), ==, "pro");
  g_assert_cmpstr (json_object_get_string_member (traits, "company"), ==, "Example Ltd");

  anonymous = jm_store_load_customer (store, project, "npm-segment-anon-1", &error);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_null (anonymous);
}

static void
test_posthog_sdk (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JmCustomerProfile) profile = NULL;
  g_autoptr(JsonObject) traits = NULL;
  g_autoptr(JsonObject) properties = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  StoredEvent *capture, *identify, *alias;
  gint64 project;

  if (skip_without_node ())
    return;

  start_server (fixture);
  g_assert_cmpint (run_client (fixture, "posthog-client.mjs", fixture->secret), ==, 0);
  stop_server (fixture);

  store = open_store (fixture);
  events = load_events (store);
  g_assert_cmpuint (events->len, ==, 3);

  /* A capture is a track named after the event, kept under the SDK's uuid. */
  capture = find_event (events, "track");
  g_assert_cmpstr (capture->id, ==, "018f2a4e-5c1d-7a00-8000-00000000c001");
  g_assert_cmpstr (capture->name, ==, "Plan Selected");
  g_assert_cmpstr (capture->customer_id, ==, "npm-posthog-user-1");
  assert_time_near (capture->ts, "2026-03-02T09:00:00Z");
  properties = parse_object (capture->properties);
  g_assert_cmpstr (json_object_get_string_member (properties, "plan"), ==, "team");
  g_assert_cmpint (json_object_get_int_member (properties, "seats"), ==, 5);

  /* $identify and $create_alias are identity messages, not journey steps. */
  identify = find_event (events, "identify");
  g_assert_null (identify->name);
  g_assert_cmpstr (identify->customer_id, ==, "npm-posthog-user-1");
  g_assert_cmpuint (strlen (identify->id), ==, 36);

  alias = find_event (events, "alias");
  g_assert_null (alias->name);
  g_assert_cmpstr (alias->customer_id, ==, "npm-posthog-user-1");
  g_assert_cmpstr (alias->id, !=, identify->id);

  /* The alias stitches the anonymous distinct id to the user. */
  owner = dup_identity (store, "npm-posthog-anon-1");
  g_assert_cmpstr (owner, ==, "npm-posthog-user-1");

  /* The person properties of $identify ($set) become the customer's traits. */
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);
  profile = jm_store_load_customer (store, project, "npm-posthog-user-1", &error);
  g_assert_no_error (error);
  g_assert_true (contains_string (profile->anonymous_ids, "npm-posthog-anon-1"));
  traits = parse_object (profile->customer->traits);
  g_assert_cmpstr (json_object_get_string_member (traits, "name"), ==, "Grace");
  g_assert_cmpstr (json_object_get_string_member (traits, "plan"), ==, "team");
}

/* An SDK with a key the workspace does not know is refused, says so, and nothing is stored. */
static void
test_unknown_key (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *wrong = NULL;

  if (skip_without_node ())
    return;

  /* A well-formed secret whose random part is wrong. */
  wrong = g_strdup (fixture->secret);
  wrong[strlen (wrong) - 1] = wrong[strlen (wrong) - 1] == 'A' ? 'B' : 'A';

  start_server (fixture);
  g_assert_cmpint (run_client (fixture, "segment-client.mjs", wrong), ==, 1);
  g_assert_cmpint (run_client (fixture, "posthog-client.mjs", "jm_nosuchkey_0000"), ==, 1);
  stop_server (fixture);

  store = open_store (fixture);
  events = load_events (store);
  g_assert_cmpuint (events->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/jm/server/npm/segment-sdk", Fixture, NULL,
              fixture_setup, test_segment_sdk, fixture_teardown);
  g_test_add ("/jm/server/npm/posthog-sdk", Fixture, NULL,
              fixture_setup, test_posthog_sdk, fixture_teardown);
  g_test_add ("/jm/server/npm/unknown-key", Fixture, NULL,
              fixture_setup, test_unknown_key, fixture_teardown);

  return g_test_run ();
}
