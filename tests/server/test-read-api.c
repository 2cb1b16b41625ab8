/* test-read-api.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "journey.h"
#include "jm-customer-profile-json.h"
#include "jm-http-response.h"
#include "jm-read-api.h"
#include "loopback-server.h"

/* The read API over real HTTP on loopback, against a demo workspace: every analysis must give
 * exactly the JSON (and CSV) of the command line for the same options.
 */

typedef struct
{
  char           *dir;
  char           *db;
  gint64          project;
  JmReadApi      *api;
  LoopbackServer *server;
  SoupSession    *session;
} Fixture;

static void
handle_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *fixture = user_data;

  jm_read_api_handle (fixture->api, msg, path, query, fixture->project);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JmDemoOptions options;

  fixture->dir = g_dir_make_tmp ("jm-read-api-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "shop.jmw", NULL);

  store = jm_store_open (fixture->db, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &fixture->project, &error);
  g_assert_no_error (error);

  jm_demo_options_init (&options);
  options.customers = 150;
  options.days = 30;
  jm_demo_generate (store, fixture->project, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  jm_store_create_filter_segment (store, fixture->project, "pro", "traits.plan = 'pro'", &error);
  g_assert_no_error (error);

  fixture->api = jm_read_api_new (fixture->db);
  fixture->server = loopback_server_start (handle_cb, fixture);
  fixture->session = soup_session_new ();
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  loopback_server_stop (fixture->server);
  jm_read_api_free (fixture->api);
  remove_dir (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->dir);
}

/* Runs journeymapper-cli with `args` (NULL-terminated) and "--db DB --format FORMAT";
 * asserts success and returns its standard output.
 */
static char *
run_cli (Fixture            *fixture,
         const char * const *args,
         const char         *format)
{
  const char *cli = g_getenv ("JM_CLI");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, fixture->db);
  g_ptr_array_add (argv, "--format");
  g_ptr_array_add (argv, (gpointer) format);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", (const char *) args[0], err);

  return out;
}

static void
assert_json_equal (JsonNode *actual,
                   JsonNode *expected)
{
  if (!json_node_equal (actual, expected))
    {
      g_autofree char *a = json_to_string (actual, TRUE);
      g_autofree char *e = json_to_string (expected, TRUE);

      g_error ("JSON differs:\n--- served\n%.2000s\n--- expected\n%.2000s", a, e);
    }
}

typedef struct
{
  const char *request;
  const char *cli[24];
} Case;

static const Case cases[] = {
  { "/api/v1/analytics/graph", { "analyze", "graph" } },
  { "/api/v1/analytics/graph?per=session&session-gap=10m",
    { "analyze", "graph", "--per", "session", "--session-gap", "10m" } },
  { "/api/v1/analytics/graph?from=2026-06-10&to=2026-06-20T12:00:00Z",
    { "analyze", "graph", "--from", "2026-06-10", "--to", "2026-06-20T12:00:00Z" } },
  { "/api/v1/analytics/graph?where=name+%21%3D+%27%2Fsearch%27+and+context.locale+%3D+%27de-DE%27",
    { "analyze", "graph", "--where", "name != '/search' and context.locale = 'de-DE'" } },
  { "/api/v1/analytics/graph?segment=pro", { "analyze", "graph", "--segment", "pro" } },
  { "/api/v1/analytics/paths?start=/home&steps=5",
    { "analyze", "paths", "--start", "/home", "--steps", "5" } },
  { "/api/v1/analytics/paths?start=%2F&steps=3&top=4",
    { "analyze", "paths", "--start", "/", "--steps", "3", "--top", "4" } },
  { "/api/v1/analytics/paths?end=/cart&collapse-repeats&exclude=/search&exclude=/&top=0"
    "&clean=%5E%2Fcategory%2F.*%3D%2Fcategory",
    { "analyze", "paths", "--end", "/cart", "--collapse-repeats", "--exclude", "/search",
      "--exclude", "/", "--top", "0", "--clean", "^/category/.*=/category" } },
  { "/api/v1/analytics/funnel?step=/&step=/cart&step=/checkout/shipping",
    { "analyze", "funnel", "--step", "/", "--step", "/cart", "--step", "/checkout/shipping" } },
  { "/api/v1/analytics/funnel?step=/product&step=/cart&mode=any&window=2d"
    "&breakdown=context.locale&exclude=/help/returns",
    { "analyze", "funnel", "--step", "/product", "--step", "/cart", "--mode", "any",
      "--window", "2d", "--breakdown", "context.locale", "--exclude", "/help/returns" } },
  { "/api/v1/analytics/funnel?step=/&step=/cart&mode=strict&per=session&segment=pro",
    { "analyze", "funnel", "--step", "/", "--step", "/cart", "--mode", "strict", "--per",
      "session", "--segment", "pro" } },
  { "/api/v1/analytics/retention?cohort-event=/&return-event=/product",
    { "analyze", "retention", "--cohort-event", "/", "--return-event", "/product" } },
  { "/api/v1/analytics/retention?cohort-event=/&return-event=/product&period=day&periods=5"
    "&unbounded=true",
    { "analyze", "retention", "--cohort-event", "/", "--return-event", "/product", "--period",
      "day", "--periods", "5", "--unbounded" } },
  { "/api/v1/analytics/attribution?conversion=Order+Completed",
    { "analyze", "attribution", "--conversion", "Order Completed" } },
  { "/api/v1/analytics/attribution?conversion=Order%20Completed&lookback=7d"
    "&revenue-property=revenue",
    { "analyze", "attribution", "--conversion", "Order Completed", "--lookback", "7d",
      "--revenue-property", "revenue" } },
  { "/api/v1/insights", { "insights" } },
  { "/api/v1/insights?conversion=Order+Completed&step=/&step=/cart&segment-field=context.locale",
    { "insights", "--conversion", "Order Completed", "--step", "/", "--step", "/cart",
      "--segment-field", "context.locale" } },
};

static void
test_same_as_cli (Fixture       *fixture,
                  gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LoopbackReply) reply = NULL;
      g_autoptr(JsonNode) served = NULL;
      g_autoptr(JsonNode) expected = NULL;
      g_autofree char *cli_json = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].request);
      reply = loopback_request (fixture->server, fixture->session, "GET", cases[i].request, NULL);
      g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
      served = loopback_reply_json (reply);

      cli_json = run_cli (fixture, cases[i].cli, "json");
      expected = json_from_string (cli_json, &error);
      g_assert_no_error (error);

      assert_json_equal (served, expected);
    }
}

static void
test_csv (Fixture       *fixture,
          gconstpointer  data)
{
  const char * const graph[] = { "analyze", "graph", NULL };
  const char * const funnel[] = { "analyze", "funnel", "--step", "/", "--step", "/cart", NULL };
  g_autoptr(LoopbackReply) reply = NULL;
  g_autofree char *expected = NULL;

  reply = loopback_request (fixture->server, fixture->session, "GET",
                            "/api/v1/analytics/graph?format=csv", NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_assert_true (g_str_has_prefix (reply->content_type, "text/csv"));
  expected = run_cli (fixture, graph, "csv");
  g_assert_cmpstr (reply->body, ==, expected);
  g_clear_pointer (&reply, loopback_reply_free);
  g_clear_pointer (&expected, g_free);

  reply = loopback_request (fixture->server, fixture->session, "GET",
                            "/api/v1/analytics/funnel?format=csv&step=/&step=/cart", NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  expected = run_cli (fixture, funnel, "csv");
  g_assert_cmpstr (reply->body, ==, expected);
  g_clear_pointer (&reply, loopback_reply_free);

  /* format=json is the default, said explicitly. */
  reply = loopback_request (fixture->server, fixture->session, "GET",
                            "/api/v1/analytics/graph?format=json", NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_assert_true (g_str_has_prefix (reply->content_type, "application/json"));
}

typedef struct
{
  const char *request;
  const char *message_part;   /* the parameter the message must name */
} BadCase;

static const BadCase bad_cases[] = {
  { "/api/v1/analytics/paths?start=/&steps=abc", "steps" },
  { "/api/v1/analytics/paths?start=/&steps=0", "steps must be from 1 to 1000" },
  { "/api/v1/analytics/paths?start=/&top=-2", "top must be 0 or more" },
  { "/api/v1/analytics/paths", "give either start=EVENT or end=EVENT" },
  { "/api/v1/analytics/paths?start=/&end=/cart", "give either start=EVENT or end=EVENT" },
  { "/api/v1/analytics/paths?start=/&clean=nothing", "“nothing”" },
  { "/api/v1/analytics/paths?start=/&collapse-repeats=maybe", "collapse-repeats" },
  { "/api/v1/analytics/graph?per=week", "per must be customer or session, not “week”" },
  { "/api/v1/analytics/graph?session-gap=soon", "session-gap" },
  { "/api/v1/analytics/graph?from=yesterday", "from must be a date" },
  { "/api/v1/analytics/graph?where=name+%3D", "where: column" },
  { "/api/v1/analytics/graph?segment=nobody", "segment" },
  { "/api/v1/analytics/graph?bogus=1", "bogus is not an option of graph" },
  { "/api/v1/analytics/graph?start=/", "start is not an option of graph" },
  { "/api/v1/analytics/graph?format=xml", "format must be json or csv" },
  { "/api/v1/analytics/graph?where=%FF%FE", "not valid URL-encoded" },
  { "/api/v1/analytics/funnel?step=/", "a funnel needs at least two step=EVENT" },
  { "/api/v1/analytics/funnel?step=/&step=/cart&mode=loose", "mode must be ordered" },
  { "/api/v1/analytics/funnel?step=/&step=/cart&window=fortnight", "window" },
  { "/api/v1/analytics/funnel?step=/&step=/cart&exclude=/cart", "exclusion" },
  { "/api/v1/analytics/retention?cohort-event=/", "cohort-event and return-event are required" },
  { "/api/v1/analytics/retention?cohort-event=/&return-event=/&period=year", "period" },
  { "/api/v1/analytics/retention?cohort-event=/&return-event=/&periods=5000", "periods" },
  { "/api/v1/analytics/attribution", "conversion=EVENT is required" },
  { "/api/v1/analytics/attribution?conversion=x&lookback=long", "lookback" },
  { "/api/v1/analytics/attribution?conversion=x&per=session", "attribution is per customer" },
  { "/api/v1/insights?step=/", "give at least two step=EVENT, or none" },
  { "/api/v1/customers/someone?limit=3", "limit" },
};

static void
test_bad_parameters (Fixture       *fixture,
                     gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr(LoopbackReply) reply = NULL;
      g_autofree char *message = NULL;

      g_test_message ("%s", bad_cases[i].request);
      reply = loopback_request (fixture->server, fixture->session, "GET", bad_cases[i].request,
                                NULL);
      message = loopback_reply_error (reply, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST);
      if (strstr (message, bad_cases[i].message_part) == NULL)
        g_error ("%s: “%s” does not say “%s”", bad_cases[i].request, message,
                 bad_cases[i].message_part);
    }
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const missing[] = {
    "/api/v1/analytics/sankey",
    "/api/v1/analytics/insights",
    "/api/v1/analytics/",
    "/api/v1/analytics/graph/extra",
    "/api/v1/customers/",
    "/api/v1/customers/nobody-at-all",
    "/api/v1/customers/a%2Fb",
  };
  g_autoptr(LoopbackReply) reply = NULL;
  g_autofree char *message = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autofree char *text = NULL;

      g_test_message ("%s", missing[i]);
      g_clear_pointer (&reply, loopback_reply_free);
      reply = loopback_request (fixture->server, fixture->session, "GET", missing[i], NULL);
      text = loopback_reply_error (reply, SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND);
    }

  g_clear_pointer (&reply, loopback_reply_free);
  reply = loopback_request (fixture->server, fixture->session, "GET",
                            "/api/v1/customers/nobody-at-all", NULL);
  message = loopback_reply_error (reply, SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND);
  g_assert_nonnull (strstr (message, "nobody-at-all"));

  g_clear_pointer (&reply, loopback_reply_free);
  g_clear_pointer (&message, g_free);
  reply = loopback_request (fixture->server, fixture->session, "POST", "/api/v1/analytics/graph",
                            "{}");
  message = loopback_reply_error (reply, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                  JM_HTTP_METHOD_NOT_ALLOWED);
}

static void
test_customer (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autoptr(JmCustomerProfile) profile = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonNode) served = NULL;
  g_autoptr(LoopbackReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *request = NULL;
  JmCustomer *customer;
  JsonObject *object;

  store = jm_store_open (fixture->db, JM_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  customers = jm_store_list_customers (store, fixture->project, NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, ==, 1);
  customer = g_ptr_array_index (customers, 0);

  profile = jm_store_load_customer (store, fixture->project, customer->customer_id, &error);
  g_assert_no_error (error);
  expected = jm_customer_profile_to_json (profile);

  escaped = g_uri_escape_string (customer->customer_id, NULL, FALSE);
  request = g_strconcat ("/api/v1/customers/", escaped, NULL);
  reply = loopback_request (fixture->server, fixture->session, "GET", request, NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  served = loopback_reply_json (reply);
  assert_json_equal (served, expected);

  /* The §12 shape, with the customer's own timeline. */
  object = json_node_get_object (served);
  g_assert_cmpstr (json_object_get_string_member (object, "customer_id"), ==,
                   customer->customer_id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "events")), ==,
                    profile->events->len);
  g_assert_cmpuint (profile->events->len, >, 0);
  g_assert_true (json_object_has_member (object, "anonymous_ids"));
  g_assert_true (json_object_has_member (object, "sessions"));
  g_assert_true (json_object_has_member (object, "traits"));

  g_clear_pointer (&reply, loopback_reply_free);
  g_free (request);
  request = g_strconcat ("/api/v1/customers/", escaped, "?format=csv", NULL);
  reply = loopback_request (fixture->server, fixture->session, "GET", request, NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_assert_true (g_str_has_prefix (reply->content_type, "text/csv"));
  g_assert_true (g_str_has_prefix (reply->body, "ts,type,name,session,touch\n"));
  /* A header line and one line per event (no field of the demo holds a line break). */
  {
    g_auto(GStrv) lines = g_strsplit (reply->body, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, profile->events->len + 2);
  }
}

static guint64
graph_units (Fixture *fixture)
{
  g_autoptr(LoopbackReply) reply = NULL;
  g_autoptr(JsonNode) node = NULL;

  reply = loopback_request (fixture->server, fixture->session, "GET", "/api/v1/analytics/graph",
                            NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  node = loopback_reply_json (reply);

  return json_object_get_int_member (json_node_get_object (node), "units");
}

static void
insert_track (JmStore    *store,
              gint64      project,
              const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(JmEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  JmInsertResult result;

  g_assert_nonnull (node);
  event = jm_event_new_from_json (json_node_get_object (node), 0, NULL, &error);
  g_assert_no_error (error);
  jm_store_insert_events (store, project, &event, 1, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result.inserted, ==, 1);
}

/* Events committed while the listener runs show in the next answer (the cached log is brought
 * up to date), and the answer is still the command line's.
 */
static void
test_sees_new_events (Fixture       *fixture,
                      gconstpointer  data)
{
  const char * const graph[] = { "analyze", "graph", NULL };
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoopbackReply) reply = NULL;
  g_autoptr(JsonNode) served = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autofree char *cli_json = NULL;
  guint64 before;
  gint64 start_us;

  before = graph_units (fixture);
  /* Answered from the cached log. */
  g_assert_cmpuint (graph_units (fixture), ==, before);

  store = jm_store_open (fixture->db, JM_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  insert_track (store, fixture->project,
                "{\"type\":\"track\",\"event\":\"Gift Card Redeemed\",\"userId\":\"late-customer\","
                "\"messageId\":\"late-1\",\"timestamp\":\"2026-06-20T10:00:00Z\"}");
  g_assert_cmpuint (graph_units (fixture), ==, before + 1);

  insert_track (store, fixture->project,
                "{\"type\":\"track\",\"event\":\"Gift Card Redeemed\","
                "\"userId\":\"later-customer\","
                "\"messageId\":\"late-2\",\"timestamp\":\"2026-06-21T10:00:00Z\"}");
  g_clear_object (&store);

  reply = loopback_request (fixture->server, fixture->session, "GET", "/api/v1/analytics/graph",
                            NULL);
  served = loopback_reply_json (reply);
  cli_json = run_cli (fixture, graph, "json");
  expected = json_from_string (cli_json, &error);
  g_assert_no_error (error);
  assert_json_equal (served, expected);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (served), "units"), ==,
                   before + 2);

  /* Figures for the report, not assertions: a warm query. */
  start_us = g_get_monotonic_time ();
  for (guint i = 0; i < 20; i++)
    graph_units (fixture);
  g_test_message ("warm graph query: %.2f ms on average",
                  (g_get_monotonic_time () - start_us) / 20 / 1000.0);
}

/* A cache file removed beside the workspace (what an erasure does) makes the next answer come
 * from a full load: deleted events do not linger.
 */
static void
test_reloads_after_erasure (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  guint64 before;
  sqlite3 *db;
  int rc;

  before = graph_units (fixture);

  store = jm_store_open (fixture->db, JM_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  cache = jm_event_log_dup_cache_path (store, fixture->project);
  g_clear_object (&store);

  /* Delete one customer's events behind the store's back, bump the generation as every change
   * does, and drop the cache file as an erasure does.
   */
  rc = sqlite3_open (fixture->db, &db);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  rc = sqlite3_exec (db,
                     "DELETE FROM events WHERE customer_id = (SELECT customer_id FROM customers "
                     "ORDER BY customer_id LIMIT 1);"
                     "UPDATE projects SET generation = generation + 1;",
                     NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_close (db);
  g_remove (cache);

  g_assert_cmpuint (graph_units (fixture), ==, before - 1);
}

typedef struct
{
  Fixture    *fixture;
  const char *request;
  char       *first_body;
  gboolean    all_same;
} Client;

static gpointer
client_thread (gpointer data)
{
  Client *client = data;
  g_autoptr(SoupSession) session = soup_session_new ();

  client->all_same = TRUE;
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(LoopbackReply) reply = loopback_request (client->fixture->server, session, "GET",
                                                         client->request, NULL);

      if (reply->status != SOUP_STATUS_OK)
        client->all_same = FALSE;
      else if (client->first_body == NULL)
        client->first_body = g_strdup (reply->body);
      else if (!g_str_equal (client->first_body, reply->body))
        client->all_same = FALSE;
    }

  return NULL;
}

/* Requests of several clients at once share the cached log and the connections: every answer
 * is complete and the same as a lone request's.
 */
static void
test_concurrent_clients (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const requests[] = {
    "/api/v1/analytics/graph",
    "/api/v1/analytics/paths?start=/&steps=4",
    "/api/v1/analytics/funnel?step=/&step=/cart&breakdown=context.locale",
    "/api/v1/analytics/graph",
    "/api/v1/analytics/retention?cohort-event=/&return-event=/product",
    "/api/v1/analytics/attribution?conversion=Order+Completed",
  };
  Client clients[G_N_ELEMENTS (requests)] = { { 0 } };
  GThread *threads[G_N_ELEMENTS (requests)];

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      clients[i].fixture = fixture;
      clients[i].request = requests[i];
      threads[i] = g_thread_new ("client", client_thread, &clients[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(LoopbackReply) lone = NULL;

      g_thread_join (threads[i]);
      g_assert_true (clients[i].all_same);

      lone = loopback_request (fixture->server, fixture->session, "GET", requests[i], NULL);
      g_assert_cmpstr (lone->body, ==, clients[i].first_body);
      g_free (clients[i].first_body);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/jm/read-api/same-as-cli", Fixture, NULL, fixture_set_up, test_same_as_cli,
              fixture_tear_down);
  g_test_add ("/jm/read-api/csv", Fixture, NULL, fixture_set_up, test_csv, fixture_tear_down);
  g_test_add ("/jm/read-api/bad-parameters", Fixture, NULL, fixture_set_up, test_bad_parameters,
              fixture_tear_down);
  g_test_add ("/jm/read-api/not-found", Fixture, NULL, fixture_set_up, test_not_found,
              fixture_tear_down);
  g_test_add ("/jm/read-api/customer", Fixture, NULL, fixture_set_up, test_customer,
              fixture_tear_down);
  g_test_add ("/jm/read-api/sees-new-events", Fixture, NULL, fixture_set_up,
              test_sees_new_events, fixture_tear_down);
  g_test_add ("/jm/read-api/concurrent-clients", Fixture, NULL, fixture_set_up,
              test_concurrent_clients, fixture_tear_down);
  g_test_add ("/jm/read-api/reloads-after-erasure", Fixture, NULL, fixture_set_up,
              test_reloads_after_erasure, fixture_tear_down);

  return g_test_run ();
}
