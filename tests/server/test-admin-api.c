/* test-admin-api.c
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
#include "jm-admin-api.h"
#include "jm-http-response.h"
#include "loopback-server.h"

/* The admin API over real HTTP on loopback: keys (list, create, revoke) of the authenticated
 * key's project, and projects (list, create).
 */

typedef struct
{
  char           *dir;
  char           *db;
  gint64          project;
  JmAdminApi     *api;
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

  jm_admin_api_handle (fixture->api, msg, path, fixture->project);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jm-admin-api-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "team.jmw", NULL);

  store = jm_store_open (fixture->db, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &fixture->project, &error);
  g_assert_no_error (error);

  fixture->api = jm_admin_api_new (fixture->db);
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
  jm_admin_api_free (fixture->api);
  remove_dir (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->dir);
}

static JmStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JmStore *store = jm_store_open (fixture->db, JM_STORE_OPEN_NO_CREATE, &error);

  g_assert_no_error (error);
  return store;
}

/* The key objects of GET /api/v1/admin/keys. */
static JsonArray *
list_keys (Fixture *fixture)
{
  g_autoptr(LoopbackReply) reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  reply = loopback_request (fixture->server, fixture->session, "GET", "/api/v1/admin/keys",
                            NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  node = loopback_reply_json (reply);
  object = json_node_get_object (node);

  return json_array_ref (json_object_get_array_member (object, "keys"));
}

static JsonObject *
find_key (JsonArray  *keys,
          const char *id)
{
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);

      if (g_str_equal (json_object_get_string_member (key, "id"), id))
        return key;
    }

  return NULL;
}

static void
test_create_list_revoke_key (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(LoopbackReply) reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonArray) keys = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmApiKey) verified = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *revoke_path = NULL;
  JsonObject *object;
  JsonObject *listed;

  keys = list_keys (fixture);
  g_assert_cmpuint (json_array_get_length (keys), ==, 0);
  g_clear_pointer (&keys, json_array_unref);

  reply = loopback_request (fixture->server, fixture->session, "POST", "/api/v1/admin/keys",
                            "{\"name\":\"dashboard\",\"scope\":\"read\"}");
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_CREATED);
  node = loopback_reply_json (reply);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "project"), ==, "default");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "dashboard");
  g_assert_cmpstr (json_object_get_string_member (object, "scope"), ==, "read");
  id = g_strdup (json_object_get_string_member (object, "id"));
  secret = g_strdup (json_object_get_string_member (object, "secret"));
  prefix = g_strdup_printf ("jm_%s_", id);
  g_assert_true (g_str_has_prefix (secret, prefix));

  /* The secret works, with the scope asked for. */
  store = open_store (fixture);
  verified = jm_store_verify_api_key (store, secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verified->id, ==, id);
  g_assert_cmpint (verified->project, ==, fixture->project);
  g_assert_cmpint (verified->scope, ==, JM_KEY_SCOPE_READ);
  g_clear_pointer (&verified, jm_api_key_free);

  /* Listed, active, and the secret never shown again. */
  keys = list_keys (fixture);
  g_assert_cmpuint (json_array_get_length (keys), ==, 1);
  listed = find_key (keys, id);
  g_assert_nonnull (listed);
  g_assert_cmpstr (json_object_get_string_member (listed, "scope"), ==, "read");
  g_assert_false (json_object_has_member (listed, "secret"));
  g_assert_true (json_object_get_null_member (listed, "revoked"));
  g_clear_pointer (&keys, json_array_unref);
  g_clear_pointer (&reply, loopback_reply_free);
  reply = loopback_request (fixture->server, fixture->session, "GET", "/api/v1/admin/keys", NULL);
  g_assert_null (strstr (reply->body, secret + strlen (prefix)));
  g_clear_pointer (&reply, loopback_reply_free);

  /* Revoked: the secret stops working and the list says so. */
  revoke_path = g_strconcat ("/api/v1/admin/keys/", id, NULL);
  reply = loopback_request (fixture->server, fixture->session, "DELETE", revoke_path, NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_clear_pointer (&node, json_node_unref);
  node = loopback_reply_json (reply);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "id"), ==, id);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "revoked"));

  verified = jm_store_verify_api_key (store, secret, &error);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_null (verified);

  keys = list_keys (fixture);
  listed = find_key (keys, id);
  g_assert_nonnull (listed);
  g_assert_nonnull (json_object_get_string_member (listed, "revoked"));
}

static void
test_revoke_unknown_or_foreign (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(JmStore) store = open_store (fixture);
  g_autoptr(JmApiKey) key = NULL;
  g_autoptr(JmApiKey) verified = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoopbackReply) reply = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  gint64 other;

  reply = loopback_request (fixture->server, fixture->session, "DELETE",
                            "/api/v1/admin/keys/nosuchkey", NULL);
  message = loopback_reply_error (reply, SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND);
  g_assert_nonnull (strstr (message, "nosuchkey"));
  g_clear_pointer (&reply, loopback_reply_free);
  g_clear_pointer (&message, g_free);

  /* A key of another project is not this admin's to revoke, nor to see. */
  jm_store_create_project (store, "other", &other, &error);
  g_assert_no_error (error);
  secret = jm_store_create_api_key (store, other, "theirs", JM_KEY_SCOPE_INGEST, &key, &error);
  g_assert_no_error (error);

  path = g_strconcat ("/api/v1/admin/keys/", key->id, NULL);
  reply = loopback_request (fixture->server, fixture->session, "DELETE", path, NULL);
  message = loopback_reply_error (reply, SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND);
  g_clear_pointer (&reply, loopback_reply_free);

  verified = jm_store_verify_api_key (store, secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verified->id, ==, key->id);

  reply = loopback_request (fixture->server, fixture->session, "GET", "/api/v1/admin/keys", NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_assert_null (strstr (reply->body, key->id));
}

static void
test_bad_key_requests (Fixture       *fixture,
                       gconstpointer  data)
{
  static const struct
  {
    const char *method;
    const char *path;
    const char *body;
    guint       status;
    const char *code;
    const char *message_part;
  } cases[] = {
    { "POST", "/api/v1/admin/keys", "{\"scope\":\"root\"}", 400, JM_HTTP_INVALID_REQUEST, "root" },
    { "POST", "/api/v1/admin/keys", "{\"name\":\"x\"}", 400, JM_HTTP_INVALID_REQUEST, "scope" },
    { "POST", "/api/v1/admin/keys", "{\"scope\":\"read\",\"name\":7}", 400,
      JM_HTTP_INVALID_REQUEST, "name" },
    { "POST", "/api/v1/admin/keys", "{\"scope\":", 400, JM_HTTP_INVALID_JSON, "JSON" },
    { "POST", "/api/v1/admin/keys", "[\"read\"]", 400, JM_HTTP_INVALID_JSON, "object" },
    { "POST", "/api/v1/admin/keys", "", 400, JM_HTTP_INVALID_JSON, "body" },
    { "PUT", "/api/v1/admin/keys", "{}", 405, JM_HTTP_METHOD_NOT_ALLOWED, "GET, POST" },
    { "GET", "/api/v1/admin/keys/abc", NULL, 405, JM_HTTP_METHOD_NOT_ALLOWED, "DELETE" },
    { "GET", "/api/v1/admin/retention-policy", NULL, 404, JM_HTTP_NOT_FOUND, "retention" },
    { "POST", "/api/v1/admin/projects", "{}", 400, JM_HTTP_INVALID_REQUEST, "name" },
    { "POST", "/api/v1/admin/projects", "{\"name\":\"\"}", 400, JM_HTTP_INVALID_REQUEST, "name" },
    { "POST", "/api/v1/admin/projects", "{\"name\":\" padded\"}", 400, JM_HTTP_INVALID_REQUEST,
      "space" },
    { "DELETE", "/api/v1/admin/projects", NULL, 405, JM_HTTP_METHOD_NOT_ALLOWED, "GET, POST" },
  };
  g_autoptr(JsonArray) keys = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LoopbackReply) reply = NULL;
      g_autofree char *message = NULL;

      g_test_message ("%s %s %s", cases[i].method, cases[i].path,
                      cases[i].body != NULL ? cases[i].body : "");
      reply = loopback_request (fixture->server, fixture->session, cases[i].method,
                                cases[i].path, cases[i].body);
      message = loopback_reply_error (reply, cases[i].status, cases[i].code);
      if (strstr (message, cases[i].message_part) == NULL)
        g_error ("“%s” does not say “%s”", message, cases[i].message_part);
    }

  /* Nothing was created by the refused requests. */
  keys = list_keys (fixture);
  g_assert_cmpuint (json_array_get_length (keys), ==, 0);
}

static JsonObject *
find_project (JsonNode   *listing,
              const char *name)
{
  JsonArray *projects = json_object_get_array_member (json_node_get_object (listing), "projects");

  for (guint i = 0; i < json_array_get_length (projects); i++)
    {
      JsonObject *project = json_array_get_object_element (projects, i);

      if (g_str_equal (json_object_get_string_member (project, "name"), name))
        return project;
    }

  return NULL;
}

static void
test_projects (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LoopbackReply) reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 id;

  reply = loopback_request (fixture->server, fixture->session, "GET", "/api/v1/admin/projects",
                            NULL);
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  node = loopback_reply_json (reply);
  g_assert_nonnull (find_project (node, "default"));
  g_assert_null (find_project (node, "web shop"));
  g_clear_pointer (&reply, loopback_reply_free);
  g_clear_pointer (&node, json_node_unref);

  reply = loopback_request (fixture->server, fixture->session, "POST", "/api/v1/admin/projects",
                            "{\"name\":\"web shop\"}");
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_CREATED);
  node = loopback_reply_json (reply);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "name"), ==,
                   "web shop");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "events"), ==, 0);
  g_clear_pointer (&reply, loopback_reply_free);
  g_clear_pointer (&node, json_node_unref);

  store = open_store (fixture);
  jm_store_lookup_project (store, "web shop", &id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, !=, fixture->project);

  reply = loopback_request (fixture->server, fixture->session, "POST", "/api/v1/admin/projects",
                            "{\"name\":\"web shop\"}");
  message = loopback_reply_error (reply, SOUP_STATUS_CONFLICT, "exists");
  g_assert_nonnull (strstr (message, "web shop"));
  g_clear_pointer (&reply, loopback_reply_free);

  reply = loopback_request (fixture->server, fixture->session, "GET", "/api/v1/admin/projects",
                            NULL);
  node = loopback_reply_json (reply);
  g_assert_nonnull (find_project (node, "web shop"));
  g_assert_nonnull (find_project (node, "default"));
}

static gpointer
commit_later_thread (gpointer data)
{
  sqlite3 *db = data;

  /* Long enough for the request to meet the lock; the busy timeout is far longer. */
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);

  return NULL;
}

/* Writes wait for the ingest writer's transaction (another connection to the same workspace)
 * rather than failing at once.
 */
static void
test_waits_for_writer (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LoopbackReply) reply = NULL;
  g_autoptr(GThread) writer = NULL;
  sqlite3 *db;
  int rc;

  rc = sqlite3_open (fixture->db, &db);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);

  writer = g_thread_new ("writer", commit_later_thread, db);
  reply = loopback_request (fixture->server, fixture->session, "POST", "/api/v1/admin/projects",
                            "{\"name\":\"while busy\"}");
  g_thread_join (g_steal_pointer (&writer));
  sqlite3_close (db);

  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_CREATED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/jm/admin-api/keys/create-list-revoke", Fixture, NULL, fixture_set_up,
              test_create_list_revoke_key, fixture_tear_down);
  g_test_add ("/jm/admin-api/keys/revoke-unknown-or-foreign", Fixture, NULL, fixture_set_up,
              test_revoke_unknown_or_foreign, fixture_tear_down);
  g_test_add ("/jm/admin-api/bad-requests", Fixture, NULL, fixture_set_up,
              test_bad_key_requests, fixture_tear_down);
  g_test_add ("/jm/admin-api/projects", Fixture, NULL, fixture_set_up, test_projects,
              fixture_tear_down);
  g_test_add ("/jm/admin-api/waits-for-writer", Fixture, NULL, fixture_set_up,
              test_waits_for_writer, fixture_tear_down);

  return g_test_run ();
}
