/* jm-admin-api.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include <string.h>

#include "jm-admin-api.h"
#include "jm-http-response.h"
#include "journey.h"

#define KEYS_PATH     "/api/v1/admin/keys"
#define KEY_PREFIX    "/api/v1/admin/keys/"
#define PROJECTS_PATH "/api/v1/admin/projects"

/* Reference counted (g_atomic_rc_box): each request in flight holds a reference. */
struct _JmAdminApi
{
  char *workspace_path;
};

typedef enum
{
  ACTION_LIST_KEYS,
  ACTION_CREATE_KEY,
  ACTION_REVOKE_KEY,
  ACTION_LIST_PROJECTS,
  ACTION_CREATE_PROJECT,
} Action;

typedef struct
{
  JmAdminApi        *api;
  SoupServerMessage *msg;
  Action             action;
  gint64             project;
  char              *key_id;        /* revoke */
  char              *name;          /* create key (may be NULL), create project */
  JmKeyScope         scope;         /* create key */
} Request;

/* What the worker found, for the server's thread to send. */
typedef struct
{
  guint     status;
  char     *error_code;   /* NULL on success */
  char     *error_message;
  JsonNode *body;
} Reply;

static void
admin_api_clear (gpointer data)
{
  JmAdminApi *self = data;

  g_clear_pointer (&self->workspace_path, g_free);
}

JmAdminApi *
jm_admin_api_new (const char *workspace_path)
{
  JmAdminApi *self;

  g_return_val_if_fail (workspace_path != NULL, NULL);

  self = g_atomic_rc_box_new0 (JmAdminApi);
  self->workspace_path = g_strdup (workspace_path);

  return self;
}

void
jm_admin_api_free (JmAdminApi *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, admin_api_clear);
}

static void
request_free (Request *request)
{
  g_clear_object (&request->msg);
  g_clear_pointer (&request->key_id, g_free);
  g_clear_pointer (&request->name, g_free);
  if (request->api != NULL)
    jm_admin_api_free (request->api);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
reply_free (Reply *reply)
{
  g_free (reply->error_code);
  g_free (reply->error_message);
  g_clear_pointer (&reply->body, json_node_unref);
  g_free (reply);
}

static Reply *
reply_new (guint     status,
           JsonNode *body)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->body = body;

  return reply;
}

static Reply *
reply_new_error (guint       status,
                 const char *code,
                 const char *message)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->error_code = g_strdup (code);
  reply->error_message = g_strdup (message);

  return reply;
}

static Reply *
reply_from_error (const GError *error)
{
  if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND))
    return reply_new_error (SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND, error->message);
  if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_EXISTS))
    return reply_new_error (SOUP_STATUS_CONFLICT, "exists", error->message);
  if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID))
    return reply_new_error (SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST, error->message);

  g_warning ("Admin API: %s", error->message);
  return reply_new_error (SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE, error->message);
}

/* The worker ------------------------------------------------------------------------------- */

static Reply *
list_keys (Request *request,
           JmStore *store)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = jm_store_list_api_keys (store, request->project, &error);
  if (keys == NULL)
    return reply_from_error (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      const JmApiKey *key = g_ptr_array_index (keys, i);

      json_builder_begin_object (builder);
      jm_api_key_add_json_members (key, builder, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return reply_new (SOUP_STATUS_OK, json_builder_get_root (builder));
}

static Reply *
create_key (Request *request,
            JmStore *store)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JmApiKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  secret = jm_store_create_api_key (store, request->project, request->name, request->scope,
                                    &key, &error);
  if (secret == NULL)
    return reply_from_error (error);

  json_builder_begin_object (builder);
  jm_api_key_add_json_members (key, builder, FALSE);
  json_builder_set_member_name (builder, "secret");
  json_builder_add_string_value (builder, secret);
  json_builder_end_object (builder);

  return reply_new (SOUP_STATUS_CREATED, json_builder_get_root (builder));
}

static Reply *
revoke_key (Request *request,
            JmStore *store)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;

  /* Only the keys of the authenticated key's project: another project's key is as unknown as
   * one that does not exist, so that ids of other projects cannot be probed.
   */
  keys = jm_store_list_api_keys (store, request->project, &error);
  if (keys == NULL)
    return reply_from_error (error);

  for (guint i = 0; i < keys->len && !found; i++)
    found = g_str_equal (((JmApiKey *) g_ptr_array_index (keys, i))->id, request->key_id);

  if (!found)
    {
      g_autofree char *message = g_strdup_printf ("There is no key “%s” in this project",
                                                  request->key_id);

      return reply_new_error (SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND, message);
    }

  if (!jm_store_revoke_api_key (store, request->key_id, &error))
    return reply_from_error (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, request->key_id);
  json_builder_set_member_name (builder, "revoked");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  return reply_new (SOUP_STATUS_OK, json_builder_get_root (builder));
}

static Reply *
list_projects (JmStore *store)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GError) error = NULL;

  projects = jm_store_list_projects (store, &error);
  if (projects == NULL)
    return reply_from_error (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "projects");
  json_builder_begin_array (builder);
  for (guint i = 0; i < projects->len; i++)
    {
      json_builder_begin_object (builder);
      jm_project_add_json_members (g_ptr_array_index (projects, i), builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return reply_new (SOUP_STATUS_OK, json_builder_get_root (builder));
}

static Reply *
create_project (Request *request,
                JmStore *store)
{
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (!jm_store_create_project (store, request->name, &id, &error))
    return reply_from_error (error);

  projects = jm_store_list_projects (store, &error);
  if (projects == NULL)
    return reply_from_error (error);

  for (guint i = 0; i < projects->len; i++)
    {
      const JmProject *project = g_ptr_array_index (projects, i);

      if (project->id == id)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          jm_project_add_json_members (project, builder);
          json_builder_end_object (builder);

          return reply_new (SOUP_STATUS_CREATED, json_builder_get_root (builder));
        }
    }

  g_set_error (&error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
               "The project “%s” was created but cannot be read back", request->name);
  return reply_from_error (error);
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply = NULL;

  /* A connection of its own: the ingest writer holds another one to the same workspace, and
   * the store's busy timeout makes each wait for the other's transaction.
   */
  store = jm_store_open (request->api->workspace_path, JM_STORE_OPEN_NO_CREATE, &error);
  if (store == NULL)
    {
      g_warning ("Admin API: %s", error->message);
      reply = reply_new_error (SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE,
                               error->message);
    }
  else
    {
      switch (request->action)
        {
        case ACTION_LIST_KEYS:
          reply = list_keys (request, store);
          break;
        case ACTION_CREATE_KEY:
          reply = create_key (request, store);
          break;
        case ACTION_REVOKE_KEY:
          reply = revoke_key (request, store);
          break;
        case ACTION_LIST_PROJECTS:
          reply = list_projects (store);
          break;
        case ACTION_CREATE_PROJECT:
          reply = create_project (request, store);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  g_task_return_pointer (task, reply, (GDestroyNotify) reply_free);
}

static void
request_done_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = g_task_get_task_data (G_TASK (result));
  Reply *reply = g_task_propagate_pointer (G_TASK (result), NULL);

  g_assert (reply != NULL);

  if (reply->error_code != NULL)
    jm_http_respond_error (request->msg, reply->status, reply->error_code, "%s",
                           reply->error_message);
  else
    jm_http_respond_json (request->msg, reply->status, reply->body);
  soup_server_message_unpause (request->msg);

  reply_free (reply);
}

/* Parsing the request ---------------------------------------------------------------------- */

static void
respond_method_not_allowed (SoupServerMessage *msg,
                            const char        *path,
                            const char        *allowed)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                allowed);
  jm_http_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, JM_HTTP_METHOD_NOT_ALLOWED,
                         "%s takes %s", path, allowed);
}

/* The request body as a JSON object; answers `msg` and returns NULL when it is not one. */
static JsonObject *
parse_body_object (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (length == 0)
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_JSON,
                             "The request needs a JSON object as its body");
      return NULL;
    }

  if (!g_utf8_validate (data, length, NULL) ||
      !json_parser_load_from_data (parser, data, length, &error))
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_JSON,
                             "The body is not JSON: %s",
                             error != NULL ? error->message : "it is not UTF-8");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_JSON,
                             "The body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* The string member `name` of `object`: NULL without error when missing (or null); answers
 * `msg` and sets `*ok` to FALSE when it is there but not a string.
 */
static const char *
get_string_member (SoupServerMessage *msg,
                   JsonObject        *object,
                   const char        *name,
                   gboolean          *ok)
{
  JsonNode *node = json_object_get_member (object, name);

  *ok = TRUE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                             "“%s” must be a string", name);
      *ok = FALSE;
      return NULL;
    }

  return json_node_get_string (node);
}

static gboolean
parse_create_key (Request           *request,
                  SoupServerMessage *msg)
{
  g_autoptr(JsonObject) object = parse_body_object (msg);
  const char *scope;
  const char *name;
  gboolean ok;

  if (object == NULL)
    return FALSE;

  scope = get_string_member (msg, object, "scope", &ok);
  if (!ok)
    return FALSE;
  if (scope == NULL)
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                             "“scope” is required: ingest, read or admin");
      return FALSE;
    }
  if (!jm_key_scope_from_string (scope, &request->scope))
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                             "“scope” must be ingest, read or admin, not “%s”", scope);
      return FALSE;
    }

  name = get_string_member (msg, object, "name", &ok);
  if (!ok)
    return FALSE;
  request->name = g_strdup (name);

  return TRUE;
}

static gboolean
parse_create_project (Request           *request,
                      SoupServerMessage *msg)
{
  g_autoptr(JsonObject) object = parse_body_object (msg);
  const char *name;
  gboolean ok;

  if (object == NULL)
    return FALSE;

  name = get_string_member (msg, object, "name", &ok);
  if (!ok)
    return FALSE;
  if (name == NULL || *name == '\0')
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                             "“name” is required: the name of the new project");
      return FALSE;
    }

  request->name = g_strdup (name);
  return TRUE;
}

/* Fills `request` from the method, path and body; answers `msg` and returns FALSE when the
 * request cannot be served.
 */
static gboolean
parse_request (Request           *request,
               SoupServerMessage *msg,
               const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, KEYS_PATH))
    {
      if (method == SOUP_METHOD_GET)
        request->action = ACTION_LIST_KEYS;
      else if (method == SOUP_METHOD_POST)
        {
          request->action = ACTION_CREATE_KEY;
          return parse_create_key (request, msg);
        }
      else
        {
          respond_method_not_allowed (msg, path, "GET, POST");
          return FALSE;
        }
    }
  else if (g_str_has_prefix (path, KEY_PREFIX) && path[strlen (KEY_PREFIX)] != '\0' &&
           strchr (path + strlen (KEY_PREFIX), '/') == NULL)
    {
      if (method != SOUP_METHOD_DELETE)
        {
          respond_method_not_allowed (msg, path, "DELETE");
          return FALSE;
        }
      request->action = ACTION_REVOKE_KEY;
      request->key_id = g_uri_unescape_string (path + strlen (KEY_PREFIX), NULL);
      if (request->key_id == NULL || !g_utf8_validate (request->key_id, -1, NULL))
        {
          jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                                 "The key id in the path is not valid URL-encoded UTF-8");
          return FALSE;
        }
    }
  else if (g_str_equal (path, PROJECTS_PATH))
    {
      if (method == SOUP_METHOD_GET)
        request->action = ACTION_LIST_PROJECTS;
      else if (method == SOUP_METHOD_POST)
        {
          request->action = ACTION_CREATE_PROJECT;
          return parse_create_project (request, msg);
        }
      else
        {
          respond_method_not_allowed (msg, path, "GET, POST");
          return FALSE;
        }
    }
  else
    {
      jm_http_respond_error (msg, SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND,
                             "No such resource: %s", path);
      return FALSE;
    }

  return TRUE;
}

void
jm_admin_api_handle (JmAdminApi        *self,
                     SoupServerMessage *msg,
                     const char        *path,
                     gint64             project)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (path != NULL);

  request = g_new0 (Request, 1);
  request->project = project;

  if (!parse_request (request, msg, path))
    return;

  request->api = g_atomic_rc_box_acquire (self);
  request->msg = g_object_ref (msg);

  soup_server_message_pause (msg);

  task = g_task_new (NULL, NULL, request_done_cb, NULL);
  g_task_set_source_tag (task, jm_admin_api_handle);
  g_task_set_name (task, "jm-admin-api");
  g_task_set_task_data (task, g_steal_pointer (&request), (GDestroyNotify) request_free);
  g_task_run_in_thread (task, request_thread);
}
