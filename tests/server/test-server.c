/* test-server.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ingest listener over real HTTP on loopback: a JmServer on port 0 in this process, a
 * SoupSession talking to it, and the workspace read back to see what was really stored.
 */

#define G_LOG_DOMAIN "jm-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "journey.h"
#include "jm-server-private.h"
#include "jm-store-private.h"

#define WAIT_SECONDS 30

typedef struct
{
  char        *dir;
  char        *db;
  char        *ingest_key;
  char        *read_key;
  char        *admin_key;
  JmServer    *server;
  SoupSession *session;
} Fixture;

typedef struct
{
  guint       status;
  char       *body;
  JsonNode   *json;
  SoupMessageHeaders *headers;
} Reply;

static void
reply_free (Reply *reply)
{
  g_free (reply->body);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

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
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  gint64 project;

  fixture->dir = g_dir_make_tmp ("jm-server-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "ingest.jmw", NULL);

  store = jm_store_open (fixture->db, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);
  fixture->ingest_key = jm_store_create_api_key (store, project, NULL, JM_KEY_SCOPE_INGEST,
                                                 NULL, &error);
  g_assert_no_error (error);
  fixture->read_key = jm_store_create_api_key (store, project, NULL, JM_KEY_SCOPE_READ,
                                               NULL, &error);
  g_assert_no_error (error);
  fixture->admin_key = jm_store_create_api_key (store, project, NULL, JM_KEY_SCOPE_ADMIN,
                                                NULL, &error);
  g_assert_no_error (error);

  fixture->server = jm_server_new (fixture->db);
  jm_server_set_port (fixture->server, 0);
  fixture->session = soup_session_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  jm_server_stop (fixture->server);
  g_assert_finalize_object (fixture->server);
  g_clear_object (&fixture->session);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->ingest_key);
  g_free (fixture->read_key);
  g_free (fixture->admin_key);
}

static void
start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  jm_server_start (fixture->server, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (jm_server_get_url (fixture->server), "http://127.0.0.1:"));
  g_assert_cmpuint (jm_server_get_bound_port (fixture->server), >, 0);
}

/* One request; `headers` are NAME, VALUE pairs ending with NULL. */
static Reply *
request_full (Fixture      *fixture,
              const char   *method,
              const char   *path,
              const char   *content_type,
              GBytes       *body,
              ...)
{
  g_autofree char *url = g_strconcat (jm_server_get_url (fixture->server), path + 1, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply = g_new0 (Reply, 1);
  const char *name;
  va_list args;

  g_assert_nonnull (msg);

  va_start (args, body);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), name,
                                  va_arg (args, const char *));
  va_end (args);

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  response = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);

  reply->status = soup_message_get_status (msg);
  reply->body = g_strndup (g_bytes_get_size (response) > 0 ? g_bytes_get_data (response, NULL) : "",
                           g_bytes_get_size (response));
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (reply->body[0] != '\0')
    reply->json = json_from_string (reply->body, NULL);

  return reply;
}

static Reply *
post_json (Fixture    *fixture,
           const char *path,
           const char *json,
           const char *key)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autofree char *authorization = key != NULL ? g_strconcat ("Bearer ", key, NULL) : NULL;

  if (authorization != NULL)
    return request_full (fixture, "POST", path, "application/json", body,
                         "Authorization", authorization, NULL);

  return request_full (fixture, "POST", path, "application/json", body, NULL);
}

static Reply *
get (Fixture    *fixture,
     const char *path,
     const char *key)
{
  g_autofree char *authorization = key != NULL ? g_strconcat ("Bearer ", key, NULL) : NULL;

  if (authorization != NULL)
    return request_full (fixture, "GET", path, NULL, NULL, "Authorization", authorization, NULL);

  return request_full (fixture, "GET", path, NULL, NULL, NULL);
}

static JsonObject *
reply_object (Reply *reply)
{
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

static void
assert_error (Reply      *reply,
              guint       status,
              const char *code)
{
  JsonObject *error;

  if (reply->status != status)
    g_error ("expected %u %s, got %u: %s", status, code, reply->status, reply->body);
  error = json_object_get_object_member (reply_object (reply), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), !=, "");
}

static void
assert_accepted (Reply  *reply,
                 gint64  accepted,
                 guint   rejected)
{
  JsonObject *object;

  if (reply->status != 200)
    g_error ("expected 200, got %u: %s", reply->status, reply->body);
  object = reply_object (reply);
  g_assert_cmpint (json_object_get_int_member (object, "accepted"), ==, accepted);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "rejected")),
                    ==, rejected);
}

/* What the workspace holds, read with a connection of its own. */
static gint64
count_rows (Fixture    *fixture,
            const char *sql,
            const char *parameter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = jm_store_open (fixture->db, JM_STORE_OPEN_READONLY, &error);
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (jm_store_get_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (parameter != NULL)
    sqlite3_bind_text (stmt, 1, parameter, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return count;
}

static char *
customer_of_event (Fixture    *fixture,
                   const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = jm_store_open (fixture->db, JM_STORE_OPEN_READONLY, &error);
  sqlite3_stmt *stmt = NULL;
  char *customer = NULL;

  g_assert_no_error (error);
  sqlite3_prepare_v2 (jm_store_get_db (store), "SELECT customer_id FROM events WHERE id = ?1",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    customer = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return customer;
}

static gint64
count_events (Fixture *fixture)
{
  return count_rows (fixture, "SELECT count(*) FROM events", NULL);
}

static char *
basic_authorization (const char *key)
{
  g_autofree char *pair = g_strconcat (key, ":", NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *)pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

static GBytes *
gzip_bytes (const char *text,
            gsize       length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory,
                                                                G_CONVERTER (compressor));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, text, length, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* The Segment routes: a batch with the key as the Basic user, partially invalid. */
static void
test_segment_batch (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *authorization = basic_authorization (fixture->ingest_key);
  const char *json =
    "{\"batch\":["
    "{\"type\":\"track\",\"event\":\"Viewed Product\",\"userId\":\"u1\",\"messageId\":\"b-1\","
    "\"timestamp\":\"2026-01-05T10:00:00Z\"},"
    "{\"type\":\"track\",\"userId\":\"u1\",\"messageId\":\"b-2\",\"timestamp\":42},"
    "{\"type\":\"page\",\"name\":\"Home\",\"anonymousId\":\"a1\",\"messageId\":\"b-3\","
    "\"properties\":{\"path\":\"/home\"},\"timestamp\":\"2026-01-05T10:01:00Z\"}]}";
  g_autoptr(GBytes) body = g_bytes_new_static (json, strlen (json));
  g_autoptr(Reply) reply = NULL;
  JsonObject *rejection;

  start (fixture);

  reply = request_full (fixture, "POST", "/v1/batch", "application/json", body,
                        "Authorization", authorization, NULL);
  assert_accepted (reply, 2, 1);
  g_assert_true (json_object_get_boolean_member (reply_object (reply), "success"));
  rejection = json_array_get_object_element (
    json_object_get_array_member (reply_object (reply), "rejected"), 0);
  g_assert_cmpint (json_object_get_int_member (rejection, "index"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (rejection, "field"), !=, NULL);
  g_assert_cmpstr (json_object_get_string_member (rejection, "reason"), !=, "");

  g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM events WHERE id IN ('b-1', 'b-3')",
                               NULL), ==, 2);
  g_assert_cmpint (count_events (fixture), ==, 2);
}

/* Every single-message route, the key as writeKey; identify and alias stitch. */
static void
test_segment_single_routes (Fixture       *fixture,
                            gconstpointer  data)
{
  struct { const char *path; const char *fields; } messages[] = {
    { "/v1/track", "\"event\":\"Added to Cart\",\"anonymousId\":\"anon-1\",\"messageId\":\"s-1\"" },
    { "/v1/page", "\"name\":\"Checkout\",\"anonymousId\":\"anon-1\",\"messageId\":\"s-2\"" },
    { "/v1/screen", "\"name\":\"Basket\",\"anonymousId\":\"anon-2\",\"messageId\":\"s-3\"" },
    { "/v1/identify", "\"userId\":\"user-9\",\"anonymousId\":\"anon-1\",\"messageId\":\"s-4\","
                      "\"traits\":{\"plan\":\"pro\"}" },
    { "/v1/alias", "\"userId\":\"user-9\",\"previousId\":\"anon-2\",\"messageId\":\"s-5\"" },
    { "/v1/group", "\"userId\":\"user-9\",\"groupId\":\"acme\",\"messageId\":\"s-6\"" },
  };
  g_autofree char *anonymous_customer = NULL;
  g_autofree char *aliased_customer = NULL;

  start (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *json = g_strdup_printf ("{%s,\"writeKey\":\"%s\","
                                               "\"timestamp\":\"2026-01-05T10:0%u:00Z\"}",
                                               messages[i].fields, fixture->ingest_key, i);
      g_autoptr(Reply) reply = post_json (fixture, messages[i].path, json, NULL);

      assert_accepted (reply, 1, 0);
    }

  g_assert_cmpint (count_events (fixture), ==, 6);
  /* The anonymous track and page now belong to the identified user, the screen through
   * the alias.
   */
  anonymous_customer = customer_of_event (fixture, "s-1");
  g_assert_cmpstr (anonymous_customer, ==, "user-9");
  aliased_customer = customer_of_event (fixture, "s-3");
  g_assert_cmpstr (aliased_customer, ==, "user-9");
  g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM identities WHERE customer_id = ?1",
                               "user-9"), ==, 2);
  g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM customers "
                               "WHERE json_extract(traits, '$.plan') = ?1", "pro"), ==, 1);
}

/* The PostHog routes: api_key in the body, gzip by header and by ?compression=gzip-js. */
static void
test_posthog (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *batch = g_strdup_printf (
    "{\"api_key\":\"%s\",\"batch\":["
    "{\"event\":\"signed_up\",\"distinct_id\":\"p-1\","
    "\"uuid\":\"11111111-1111-4111-8111-111111111111\","
    "\"timestamp\":\"2026-01-05T10:00:00Z\",\"properties\":{}},"
    "{\"event\":\"paid\",\"distinct_id\":\"p-1\",\"uuid\":\"22222222-2222-4222-8222-222222222222\","
    "\"timestamp\":\"2026-01-05T10:05:00Z\",\"properties\":{}}]}", fixture->ingest_key);
  g_autofree char *capture = g_strdup_printf (
    "{\"api_key\":\"%s\",\"event\":\"opened\",\"distinct_id\":\"p-2\","
    "\"uuid\":\"33333333-3333-4333-8333-333333333333\",\"properties\":{}}", fixture->ingest_key);
  g_autofree char *js = g_strdup_printf (
    "[{\"event\":\"$pageview\",\"properties\":{\"token\":\"%s\",\"distinct_id\":\"p-3\","
    "\"$current_url\":\"https://shop.example/cart\"},"
    "\"uuid\":\"44444444-4444-4444-8444-444444444444\"}]", fixture->ingest_key);
  g_autoptr(GBytes) gzipped = gzip_bytes (batch, strlen (batch));
  g_autoptr(GBytes) gzipped_js = gzip_bytes (js, strlen (js));
  g_autoptr(Reply) first = NULL;
  g_autoptr(Reply) second = NULL;
  g_autoptr(Reply) third = NULL;
  g_autoptr(Reply) fourth = NULL;

  start (fixture);

  first = request_full (fixture, "POST", "/batch/", "application/json", gzipped,
                        "Content-Encoding", "gzip", NULL);
  assert_accepted (first, 2, 0);
  g_assert_cmpint (json_object_get_int_member (reply_object (first), "status"), ==, 1);
  g_assert_false (json_object_has_member (reply_object (first), "success"));

  second = post_json (fixture, "/capture/", capture, NULL);
  assert_accepted (second, 1, 0);

  /* posthog-js through sendBeacon: text/plain, gzip named in the query. */
  third = request_full (fixture, "POST", "/e/?compression=gzip-js", "text/plain", gzipped_js,
                        NULL);
  assert_accepted (third, 1, 0);

  fourth = request_full (fixture, "POST", "/i/v0/e/", "application/json", gzipped_js,
                         "Content-Encoding", "gzip", NULL);
  /* The same uuid again: accepted, stored once. */
  assert_accepted (fourth, 1, 0);

  g_assert_cmpint (count_events (fixture), ==, 4);
}

/* A gzip body is held to the body limit (500 KB) compressed; decompressed it may be larger,
 * up to 10 MB, as PostHog SDKs send big batches compressed.
 */
static void
test_gzip_beyond_body_limit (Fixture       *fixture,
                             gconstpointer  data)
{
  const guint n_events = 3000;
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GBytes) gzipped = NULL;
  g_autoptr(Reply) reply = NULL;

  g_string_append_printf (batch, "{\"api_key\":\"%s\",\"batch\":[", fixture->ingest_key);
  for (guint i = 0; i < n_events; i++)
    g_string_append_printf (batch,
                            "%s{\"event\":\"viewed_item\",\"distinct_id\":\"big-%u\","
                            "\"uuid\":\"big-batch-%06u\",\"timestamp\":\"2026-01-05T10:00:00Z\","
                            "\"properties\":{\"item\":\"sku-%u\",\"list\":\"summer "
                            "collection, page %u\"}}",
                            i == 0 ? "" : ",", i % 97, i, i * 7919 % 10007, i % 13);
  g_string_append (batch, "]}");
  g_assert_cmpuint (batch->len, >, 500000);
  gzipped = gzip_bytes (batch->str, batch->len);
  g_assert_cmpuint (g_bytes_get_size (gzipped), <, 500000);

  start (fixture);

  reply = request_full (fixture, "POST", "/batch/", "application/json", gzipped,
                        "Content-Encoding", "gzip", NULL);
  assert_accepted (reply, n_events, 0);
  g_assert_cmpint (count_events (fixture), ==, n_events);
}

/* The native route, and duplicates by message id. */
static void
test_native_and_dedupe (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *json =
    "{\"events\":["
    "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"n1\",\"messageId\":\"n-1\"},"
    "{\"type\":\"track\",\"event\":\"B\",\"userId\":\"n1\",\"messageId\":\"n-2\"}]}";
  const char *again =
    "{\"events\":["
    "{\"type\":\"track\",\"event\":\"B\",\"userId\":\"n1\",\"messageId\":\"n-2\"},"
    "{\"type\":\"track\",\"event\":\"C\",\"userId\":\"n1\",\"messageId\":\"n-3\"}]}";
  g_autoptr(Reply) first = NULL;
  g_autoptr(Reply) second = NULL;

  start (fixture);

  first = post_json (fixture, "/api/v1/events", json, fixture->ingest_key);
  assert_accepted (first, 2, 0);
  g_assert_true (json_object_get_boolean_member (reply_object (first), "success"));

  second = post_json (fixture, "/api/v1/events", again, fixture->ingest_key);
  assert_accepted (second, 2, 0);

  g_assert_cmpint (count_events (fixture), ==, 3);
  g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM events WHERE id = ?1", "n-2"), ==, 1);
}

/* Every error answer of DESIGN §4 (except 429 and 503, tested on their own). */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  const char *valid = "{\"events\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"e1\"}]}";
  g_autofree char *large = NULL;
  g_autoptr(GBytes) xml = g_bytes_new_static ("<events/>", 9);
  g_autoptr(GBytes) valid_bytes = g_bytes_new_static (valid, strlen (valid));
  g_autofree char *bearer = g_strconcat ("Bearer ", fixture->ingest_key, NULL);
  g_autoptr(GString) bomb = g_string_new ("{\"events\":[{\"type\":\"track\",\"event\":\"A\","
                                          "\"userId\":\"e1\",\"properties\":{\"pad\":\"");
  g_autoptr(GBytes) bomb_gz = NULL;
  Reply *reply;

  g_object_set (fixture->server, "max-body-bytes", (guint64)2000, NULL);
  start (fixture);

  reply = post_json (fixture, "/api/v1/events", "{\"events\":[", fixture->ingest_key);
  assert_error (reply, 400, "invalid_json");
  reply_free (reply);

  reply = post_json (fixture, "/api/v1/events", "{\"events\":[{\"type\":\"track\"}]}",
                     fixture->ingest_key);
  assert_error (reply, 400, "invalid_event");
  /* The message names the first offending event and field. */
  g_assert_nonnull (strstr (reply->body, "event 0"));
  reply_free (reply);

  reply = post_json (fixture, "/api/v1/events", valid, NULL);
  assert_error (reply, 401, "unauthorized");
  reply_free (reply);

  reply = post_json (fixture, "/api/v1/events", valid,
                     "jm_000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  assert_error (reply, 401, "unauthorized");
  reply_free (reply);

  reply = post_json (fixture, "/api/v1/events", valid, fixture->read_key);
  assert_error (reply, 403, "forbidden");
  reply_free (reply);

  large = g_strnfill (3000, ' ');
  reply = post_json (fixture, "/api/v1/events", large, fixture->ingest_key);
  assert_error (reply, 413, "payload_too_large");
  reply_free (reply);

  /* The same, chunked (no Content-Length to refuse it by): cut off once past the limit. */
  {
    g_autofree char *url = g_strconcat (jm_server_get_url (fixture->server), "api/v1/events",
                                        NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(GBytes) large_bytes = g_bytes_new (large, strlen (large));
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (large_bytes);
    g_autoptr(GBytes) response = NULL;
    g_autoptr(GError) local_error = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  bearer);
    soup_message_set_request_body (msg, "application/json", stream, -1);
    response = soup_session_send_and_read (fixture->session, msg, NULL, &local_error);
    g_assert_no_error (local_error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
    g_assert_nonnull (strstr (g_bytes_get_data (response, NULL), "payload_too_large"));
  }

  /* A gzip bomb: tiny compressed, beyond the ratio of 100 decompressed. */
  g_string_append (bomb, large);
  for (guint i = 0; i < 100; i++)
    g_string_append (bomb, large);
  g_string_append (bomb, "\"}}]}");
  bomb_gz = gzip_bytes (bomb->str, bomb->len);
  g_assert_cmpuint (g_bytes_get_size (bomb_gz), <, 2000);
  reply = request_full (fixture, "POST", "/api/v1/events", "application/json", bomb_gz,
                        "Authorization", bearer, "Content-Encoding", "gzip", NULL);
  assert_error (reply, 413, "payload_too_large");
  reply_free (reply);

  reply = request_full (fixture, "POST", "/api/v1/events", "application/xml", xml,
                        "Authorization", bearer, NULL);
  assert_error (reply, 415, "unsupported_media_type");
  reply_free (reply);

  reply = request_full (fixture, "POST", "/api/v1/events", "application/json", valid_bytes,
                        "Authorization", bearer, "Content-Encoding", "br", NULL);
  assert_error (reply, 415, "unsupported_media_type");
  reply_free (reply);

  reply = get (fixture, "/v1/batch", fixture->ingest_key);
  assert_error (reply, 405, "method_not_allowed");
  reply_free (reply);

  reply = get (fixture, "/nowhere", NULL);
  assert_error (reply, 404, "not_found");
  reply_free (reply);

  /* Metrics need a read key. */
  reply = get (fixture, "/api/v1/metrics", fixture->ingest_key);
  assert_error (reply, 403, "forbidden");
  reply_free (reply);

  g_assert_cmpint (count_events (fixture), ==, 0);
}

static void
test_health_and_metrics (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *json = "{\"events\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"h1\"},"
                     "{\"type\":\"track\",\"userId\":\"h1\"}]}";
  g_autoptr(Reply) ingest = NULL;
  g_autoptr(Reply) health = NULL;
  g_autoptr(Reply) metrics = NULL;
  JsonObject *object;

  start (fixture);

  ingest = post_json (fixture, "/api/v1/events", json, fixture->ingest_key);
  assert_accepted (ingest, 1, 1);

  health = get (fixture, "/api/v1/health", NULL);
  g_assert_cmpuint (health->status, ==, 200);
  object = reply_object (health);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (object, "store"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (object, "events"), ==, 1);
  g_assert_true (json_object_has_member (object, "uptime_seconds"));

  metrics = get (fixture, "/api/v1/metrics", fixture->read_key);
  g_assert_cmpuint (metrics->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (metrics->headers, NULL),
                                   "text/plain"));
  g_assert_nonnull (strstr (metrics->body, "jm_events_accepted_total 1\n"));
  g_assert_nonnull (strstr (metrics->body,
                            "jm_events_rejected_total{reason=\"invalid_event\"} 1\n"));
  g_assert_nonnull (strstr (metrics->body,
                            "jm_requests_total{route=\"/api/v1/events\",code=\"200\"} 1\n"));
  g_assert_nonnull (strstr (metrics->body, "jm_commit_seconds_count 1\n"));
  g_assert_nonnull (strstr (metrics->body, "jm_commit_seconds_bucket{le=\"+Inf\"} 1\n"));
  g_assert_nonnull (strstr (metrics->body, "jm_queue_depth 0\n"));
  g_assert_nonnull (strstr (metrics->body, "jm_ws_dropped_total 0\n"));
}

static void
test_cors (Fixture       *fixture,
           gconstpointer  data)
{
  const char * const origins[] = { "https://shop.example", NULL };
  const char *json = "{\"events\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"c1\"}]}";
  g_autoptr(GBytes) body = g_bytes_new_static (json, strlen (json));
  g_autofree char *bearer = g_strconcat ("Bearer ", fixture->ingest_key, NULL);
  g_autoptr(Reply) allowed = NULL;
  g_autoptr(Reply) refused = NULL;
  g_autoptr(Reply) post = NULL;
  g_autoptr(Reply) foreign = NULL;

  jm_server_set_cors_origins (fixture->server, origins);
  start (fixture);

  allowed = request_full (fixture, "OPTIONS", "/api/v1/events", NULL, NULL,
                          "Origin", "https://shop.example",
                          "Access-Control-Request-Method", "POST",
                          "Access-Control-Request-Headers", "authorization, content-type", NULL);
  g_assert_cmpuint (allowed->status, ==, 204);
  g_assert_cmpstr (soup_message_headers_get_one (allowed->headers, "Access-Control-Allow-Origin"),
                   ==, "https://shop.example");
  g_assert_nonnull (strstr (soup_message_headers_get_one (allowed->headers,
                                                          "Access-Control-Allow-Methods"), "POST"));
  g_assert_cmpstr (soup_message_headers_get_one (allowed->headers, "Access-Control-Allow-Headers"),
                   ==, "authorization, content-type");

  refused = request_full (fixture, "OPTIONS", "/api/v1/events", NULL, NULL,
                          "Origin", "https://evil.example",
                          "Access-Control-Request-Method", "POST", NULL);
  assert_error (refused, 403, "forbidden");
  g_assert_null (soup_message_headers_get_one (refused->headers, "Access-Control-Allow-Origin"));

  post = request_full (fixture, "POST", "/api/v1/events", "application/json", body,
                       "Authorization", bearer, "Origin", "https://shop.example", NULL);
  assert_accepted (post, 1, 0);
  g_assert_cmpstr (soup_message_headers_get_one (post->headers, "Access-Control-Allow-Origin"),
                   ==, "https://shop.example");

  foreign = request_full (fixture, "POST", "/api/v1/events", "application/json", body,
                          "Authorization", bearer, "Origin", "https://evil.example", NULL);
  g_assert_null (soup_message_headers_get_one (foreign->headers, "Access-Control-Allow-Origin"));
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  /* The test certificate is self-signed: accept exactly it. */
  return g_tls_certificate_is_same (certificate, user_data);
}

static void
test_tls (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "server", "data",
                                              "test-server-cert.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "server", "data",
                                             "test-server-key.pem", NULL);
  g_autoptr(GTlsCertificate) expected = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  expected = g_tls_certificate_new_from_file (cert, &error);
  g_assert_no_error (error);

  jm_server_set_tls_files (fixture->server, cert, key);
  jm_server_start (fixture->server, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (jm_server_get_url (fixture->server), "https://127.0.0.1:"));

  url = g_strconcat (jm_server_get_url (fixture->server), "api/v1/health", NULL);
  msg = soup_message_new ("GET", url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), expected);
  response = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (response, NULL), "\"status\":\"ok\""));
}

static void
test_rate_limits (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *three = "{\"events\":["
                      "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"r1\"},"
                      "{\"type\":\"track\",\"event\":\"B\",\"userId\":\"r1\"},"
                      "{\"type\":\"track\",\"event\":\"C\",\"userId\":\"r1\"}]}";
  g_autoptr(Reply) first = NULL;
  g_autoptr(Reply) second = NULL;
  const char *retry_after;

  /* Almost no refill: a bucket of 4 events per key, 3 requests per address. */
  g_object_set (fixture->server, "key-rate", 0.001, "key-burst", 4.0,
                "address-rate", 0.001, "address-burst", 3.0, NULL);
  start (fixture);

  first = post_json (fixture, "/api/v1/events", three, fixture->ingest_key);
  assert_accepted (first, 3, 0);

  second = post_json (fixture, "/api/v1/events", three, fixture->ingest_key);
  assert_error (second, 429, "rate_limited");
  retry_after = soup_message_headers_get_one (second->headers, "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_cmpint (g_ascii_strtoll (retry_after, NULL, 10), >=, 1);
  g_assert_cmpint (count_events (fixture), ==, 3);

  /* The third request of this address is the last one it may send. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Reply) reply = get (fixture, "/nowhere", NULL);

      if (i == 0)
        assert_error (reply, 404, "not_found");
      else
        {
          assert_error (reply, 429, "rate_limited");
          g_assert_nonnull (soup_message_headers_get_one (reply->headers, "Retry-After"));
        }
    }

  /* Health stays reachable for probes. */
  {
    g_autoptr(Reply) health = get (fixture, "/api/v1/health", NULL);

    g_assert_cmpuint (health->status, ==, 200);
  }
}

/* A full disk: nothing is acknowledged that was not kept, and the listener recovers. */
static void
test_store_failure (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) padding = g_string_new (NULL);
  g_autoptr(Reply) ok = NULL;
  g_autoptr(Reply) health = NULL;
  g_autoptr(Reply) recovered = NULL;
  g_autofree char *limit_sql = NULL;
  gint64 pages;
  guint acknowledged = 0;
  guint refused = 0;

  start (fixture);

  ok = post_json (fixture, "/api/v1/events",
                  "{\"events\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"f1\","
                  "\"messageId\":\"f-0\"}]}", fixture->ingest_key);
  assert_accepted (ok, 1, 0);

  pages = count_rows (fixture, "PRAGMA page_count", NULL);
  limit_sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages);
  jm_server_exec_on_writer (fixture->server, limit_sql, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 200; i++)
    g_string_append (padding, "0123456789");

  /* Batches that need new pages fail; every one acknowledged must be in the store. */
  for (guint i = 1; i <= 20; i++)
    {
      g_autofree char *json = NULL;
      g_autoptr(Reply) reply = NULL;
      g_autofree char *id = g_strdup_printf ("f-%u", i);

      json = g_strdup_printf ("{\"events\":[{\"type\":\"track\",\"event\":\"A\","
                              "\"userId\":\"f1\",\"messageId\":\"%s\","
                              "\"properties\":{\"pad\":\"%s%u\"}}]}", id, padding->str, i);
      reply = post_json (fixture, "/api/v1/events", json, fixture->ingest_key);

      if (reply->status == 200)
        {
          acknowledged++;
          g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM events WHERE id = ?1", id),
                           ==, 1);
        }
      else
        {
          assert_error (reply, 503, "unavailable");
          refused++;
          g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM events WHERE id = ?1", id),
                           ==, 0);
        }
    }

  g_assert_cmpuint (refused, >, 0);

  health = get (fixture, "/api/v1/health", NULL);
  g_assert_cmpuint (health->status, ==, 503);
  g_assert_cmpstr (json_object_get_string_member (reply_object (health), "store"), ==,
                   "unavailable");

  jm_server_exec_on_writer (fixture->server, "PRAGMA max_page_count = 1073741823", &error);
  g_assert_no_error (error);

  recovered = post_json (fixture, "/api/v1/events",
                         "{\"events\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"f1\","
                         "\"messageId\":\"f-last\"}]}", fixture->ingest_key);
  assert_accepted (recovered, 1, 0);
  g_assert_cmpint (count_events (fixture), ==, 2 + acknowledged);
}

/* Read and admin routes: the listener authenticates and checks the scope. */
static void
test_read_admin_auth (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *read_paths[] = { "/api/v1/insights", "/api/v1/analytics/graph",
                               "/api/v1/customers/nobody" };

  start (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (read_paths); i++)
    {
      g_autoptr(Reply) anonymous = get (fixture, read_paths[i], NULL);
      g_autoptr(Reply) ingest = get (fixture, read_paths[i], fixture->ingest_key);
      g_autoptr(Reply) reader = get (fixture, read_paths[i], fixture->read_key);

      assert_error (anonymous, 401, "unauthorized");
      assert_error (ingest, 403, "forbidden");
      g_assert_cmpuint (reader->status, !=, 401);
      g_assert_cmpuint (reader->status, !=, 403);
      g_assert_cmpuint (reader->status, !=, 0);
    }

  {
    g_autoptr(Reply) anonymous = get (fixture, "/api/v1/admin/keys", NULL);
    g_autoptr(Reply) reader = get (fixture, "/api/v1/admin/keys", fixture->read_key);
    g_autoptr(Reply) admin = get (fixture, "/api/v1/admin/keys", fixture->admin_key);

    assert_error (anonymous, 401, "unauthorized");
    assert_error (reader, 403, "forbidden");
    g_assert_cmpuint (admin->status, ==, 200);
  }
}

/* WebSocket */

typedef struct
{
  SoupWebsocketConnection *connection;
  GError                  *error;
  GPtrArray               *messages;   /* char* */
  guint                    status;     /* of the handshake */
  gboolean                 done;
} LiveClient;

static void
ws_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LiveClient *client = user_data;

  client->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                              &client->error);
  client->done = TRUE;
}

static void
ws_message_cb (SoupWebsocketConnection *connection,
               int                      type,
               GBytes                  *message,
               gpointer                 user_data)
{
  LiveClient *client = user_data;

  g_ptr_array_add (client->messages,
                   g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message)));
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
ws_connect (Fixture    *fixture,
            const char *query_key,
            LiveClient *client)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  gboolean timed_out = FALSE;
  guint timeout;

  url = g_strdup_printf ("%sws/events%s%s", jm_server_get_url (fixture->server),
                         query_key != NULL ? "?key=" : "", query_key != NULL ? query_key : "");
  msg = soup_message_new ("GET", url);
  client->messages = g_ptr_array_new_with_free_func (g_free);
  soup_session_websocket_connect_async (fixture->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, ws_connected_cb, client);

  timeout = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, &timed_out);
  while (!client->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  client->status = soup_message_get_status (msg);

  if (client->connection != NULL)
    g_signal_connect (client->connection, "message", G_CALLBACK (ws_message_cb), client);
}

static void
live_client_clear (LiveClient *client)
{
  if (client->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (client->connection, client);
      g_clear_object (&client->connection);
    }
  g_clear_error (&client->error);
  g_clear_pointer (&client->messages, g_ptr_array_unref);
}

static void
test_websocket (Fixture       *fixture,
                gconstpointer  data)
{
  LiveClient anonymous = { 0, };
  LiveClient wrong_scope = { 0, };
  LiveClient client = { 0, };
  LiveClient lingering = { 0, };
  g_autoptr(Reply) reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *event;
  gboolean timed_out = FALSE;
  guint timeout;

  start (fixture);

  ws_connect (fixture, NULL, &anonymous);
  g_assert_null (anonymous.connection);
  g_assert_error (anonymous.error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  g_assert_cmpuint (anonymous.status, ==, 401);
  live_client_clear (&anonymous);

  ws_connect (fixture, fixture->ingest_key, &wrong_scope);
  g_assert_null (wrong_scope.connection);
  g_assert_cmpuint (wrong_scope.status, ==, 403);
  live_client_clear (&wrong_scope);

  ws_connect (fixture, fixture->read_key, &client);
  g_assert_no_error (client.error);
  g_assert_nonnull (client.connection);
  g_assert_cmpuint (client.status, ==, 101);

  reply = post_json (fixture, "/api/v1/events",
                     "{\"events\":[{\"type\":\"page\",\"name\":\"Home\",\"userId\":\"w1\","
                     "\"messageId\":\"w-1\",\"properties\":{\"path\":\"/home\"},"
                     "\"context\":{\"campaign\":{\"source\":\"newsletter\",\"medium\":\"email\"}},"
                     "\"timestamp\":\"2026-01-05T10:00:00Z\"}]}", fixture->ingest_key);
  assert_accepted (reply, 1, 0);

  timeout = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, &timed_out);
  while (client.messages->len == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);

  /* Published only after its commit: a reader of the workspace already sees it. */
  g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM events WHERE id = ?1", "w-1"), ==, 1);

  node = json_from_string (g_ptr_array_index (client.messages, 0), NULL);
  g_assert_nonnull (node);
  event = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (event, "id"), ==, "w-1");
  g_assert_cmpstr (json_object_get_string_member (event, "project"), ==, "default");
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "page");
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "/home");
  g_assert_cmpstr (json_object_get_string_member (event, "customer_id"), ==, "w1");
  g_assert_cmpint (json_object_get_int_member (event, "ts"), ==, G_GINT64_CONSTANT (1767607200000));
  g_assert_true (json_object_has_member (json_object_get_object_member (event, "properties"),
                                         "path"));
  g_assert_nonnull (json_object_get_object_member (event, "context"));
  g_assert_cmpstr (json_object_get_string_member (event, "touch"), !=, NULL);

  soup_websocket_connection_close (client.connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  while (soup_websocket_connection_get_state (client.connection) != SOUP_WEBSOCKET_STATE_CLOSED)
    g_main_context_iteration (NULL, TRUE);
  live_client_clear (&client);

  /* Stopping the listener closes the streams still open. */
  ws_connect (fixture, fixture->read_key, &lingering);
  g_assert_nonnull (lingering.connection);
  jm_server_stop (fixture->server);
  timed_out = FALSE;
  timeout = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, &timed_out);
  while (!timed_out &&
         soup_websocket_connection_get_state (lingering.connection) != SOUP_WEBSOCKET_STATE_CLOSED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_assert_cmpint (soup_websocket_connection_get_close_code (lingering.connection), ==,
                   SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  live_client_clear (&lingering);
}

/* Stopping while requests arrive: every acknowledged event is stored. */
typedef struct
{
  Fixture *fixture;
  GArray  *acknowledged;   /* guint */
  gint     sent;
} Sender;

static gpointer
sender_thread (gpointer data)
{
  Sender *sender = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (jm_server_get_url (sender->fixture->server),
                                      "api/v1/events", NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", sender->fixture->ingest_key, NULL);

  for (guint i = 0; i < 100000; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) response = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = g_strdup_printf ("{\"events\":[{\"type\":\"track\",\"event\":\"A\","
                                               "\"userId\":\"d1\",\"messageId\":\"d-%u\"}]}", i);
      g_autoptr(GBytes) body = g_bytes_new_take (json, strlen (json));

      json = NULL;
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      g_atomic_int_inc (&sender->sent);
      response = soup_session_send_and_read (session, msg, NULL, &error);

      if (error != NULL || soup_message_get_status (msg) != 200)
        break;

      g_array_append_val (sender->acknowledged, i);
    }

  return NULL;
}

static void
test_stop_drains (Fixture       *fixture,
                  gconstpointer  data)
{
  Sender sender = { fixture, g_array_new (FALSE, FALSE, sizeof (guint)), 0 };
  GThread *thread;

  g_object_set (fixture->server, "address-rate", 0.0, "key-rate", 0.0, NULL);
  start (fixture);

  thread = g_thread_new ("sender", sender_thread, &sender);
  while (g_atomic_int_get (&sender.sent) < 20)
    g_usleep (1000);

  jm_server_stop (fixture->server);
  g_thread_join (thread);

  g_assert_cmpuint (sender.acknowledged->len, >=, 19);
  g_assert_cmpint (count_events (fixture), >=, sender.acknowledged->len);
  for (guint i = 0; i < sender.acknowledged->len; i++)
    {
      g_autofree char *id = g_strdup_printf ("d-%u", g_array_index (sender.acknowledged, guint, i));

      g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM events WHERE id = ?1", id),
                       ==, 1);
    }

  g_array_unref (sender.acknowledged);
}

static void
count_listening_cb (JmServer   *server,
                    const char *url,
                    gpointer    user_data)
{
  GPtrArray *urls = user_data;

  g_ptr_array_add (urls, g_strdup (url));
}

/* The embedding API: the "listening" signal with the URL, and a restart on the same object. */
static void
test_embedded_restart (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Reply) reply = NULL;

  g_signal_connect (fixture->server, "listening", G_CALLBACK (count_listening_cb), urls);

  start (fixture);
  g_assert_cmpuint (urls->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (urls, 0), ==, jm_server_get_url (fixture->server));
  jm_server_stop (fixture->server);
  g_assert_null (jm_server_get_url (fixture->server));
  g_assert_false (jm_server_is_running (fixture->server));

  start (fixture);
  g_assert_cmpuint (urls->len, ==, 2);
  reply = get (fixture, "/api/v1/health", NULL);
  g_assert_cmpuint (reply->status, ==, 200);

  g_signal_handlers_disconnect_by_data (fixture->server, urls);
}

static void
notify_not_expected (JmLiveSubscription *subscription,
                     gpointer            user_data)
{
  g_assert_not_reached ();
}

/* A consumer that does not keep up costs at most its queue: the rest is dropped, counted. */
static void
test_live_bus_bounded (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  JmLiveBus *bus = jm_live_bus_new (3);
  JmLiveSubscription *subscription;
  JmLiveSubscription *other_project;

  subscription = jm_live_bus_subscribe (bus, 1, context, notify_not_expected, NULL);
  other_project = jm_live_bus_subscribe (bus, 2, context, notify_not_expected, NULL);
  g_assert_true (jm_live_bus_has_subscribers (bus));

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"n\":%u}", i);
      g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));

      jm_live_bus_publish (bus, 1, message);
    }

  g_assert_cmpuint (jm_live_bus_get_dropped (bus), ==, 7);
  g_assert_cmpuint (jm_live_subscription_get_dropped (subscription), ==, 7);
  g_assert_cmpuint (jm_live_subscription_get_dropped (other_project), ==, 0);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) message = jm_live_subscription_pop (subscription);
      g_autofree char *expected = g_strdup_printf ("{\"n\":%u}", i);

      g_assert_nonnull (message);
      g_assert_cmpmem (g_bytes_get_data (message, NULL), g_bytes_get_size (message),
                       expected, strlen (expected));
    }
  g_assert_null (jm_live_subscription_pop (subscription));
  g_assert_null (jm_live_subscription_pop (other_project));

  jm_live_bus_unsubscribe (bus, subscription);
  jm_live_bus_unsubscribe (bus, other_project);
  g_assert_false (jm_live_bus_has_subscribers (bus));
  /* The pending notifications run no callback once unsubscribed. */
  while (g_main_context_iteration (context, FALSE))
    ;
  jm_live_bus_free (bus);
}

/* A client that goes away before its answer: the events are still committed (it may retry;
 * ids make that harmless) and the listener carries on.
 */
static void
test_client_gone (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) after = NULL;
  g_autofree char *request = NULL;
  const char *json = "{\"events\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"g1\","
                     "\"messageId\":\"gone-1\"}]}";
  gint64 deadline;

  start (fixture);

  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1",
                                                jm_server_get_bound_port (fixture->server),
                                                NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n%s",
                             fixture->ingest_key, strlen (json), json);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);

  /* The commit happens whenever the writer gets to it. */
  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (count_rows (fixture, "SELECT count(*) FROM events WHERE id = ?1", "gone-1") == 0 &&
         g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_cmpint (count_rows (fixture, "SELECT count(*) FROM events WHERE id = ?1", "gone-1"),
                   ==, 1);

  after = post_json (fixture, "/api/v1/events",
                     "{\"events\":[{\"type\":\"track\",\"event\":\"B\",\"userId\":\"g1\"}]}",
                     fixture->ingest_key);
  assert_accepted (after, 1, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/jm/server/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("segment-batch", test_segment_batch);
  ADD ("segment-single-routes", test_segment_single_routes);
  ADD ("posthog", test_posthog);
  ADD ("gzip-beyond-body-limit", test_gzip_beyond_body_limit);
  ADD ("native-and-dedupe", test_native_and_dedupe);
  ADD ("errors", test_errors);
  ADD ("health-and-metrics", test_health_and_metrics);
  ADD ("cors", test_cors);
  ADD ("tls", test_tls);
  ADD ("rate-limits", test_rate_limits);
  ADD ("store-failure", test_store_failure);
  ADD ("read-admin-auth", test_read_admin_auth);
  ADD ("websocket", test_websocket);
  ADD ("stop-drains", test_stop_drains);
  ADD ("embedded-restart", test_embedded_restart);
  ADD ("client-gone", test_client_gone);
  g_test_add_func ("/jm/server/live-bus-bounded", test_live_bus_bounded);

#undef ADD

  return g_test_run ();
}
