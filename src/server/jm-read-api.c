/* jm-read-api.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "jm-analysis-options.h"
#include "jm-customer-profile-json.h"
#include "jm-http-response.h"
#include "jm-read-api.h"

#define ANALYTICS_PREFIX "/api/v1/analytics/"
#define INSIGHTS_PATH    "/api/v1/insights"
#define CUSTOMERS_PREFIX "/api/v1/customers/"

/* Read-only connections kept for the next request: opening one checks the workspace
 * (quick_check), which is worth doing once, not per request.
 */
#define MAX_IDLE_STORES 4

/* The cache file of a project as it was when its log was loaded: when it changes (rewritten by
 * another program, removed by an erasure), the log is loaded again.
 */
typedef struct
{
  gboolean exists;
  dev_t    device;
  ino_t    inode;
  gint64   mtime;
  gint64   size;
} CacheIdentity;

/* One project's cached log. The log is immutable and shared by reference; the mutex guards the
 * fields and serializes refreshes, so that concurrent requests wait for one load rather than
 * each doing it.
 */
typedef struct
{
  GMutex         mutex;
  JmEventLog    *log;
  CacheIdentity  identity;
} LogEntry;

/* Reference counted (g_atomic_rc_box): each request in flight holds a reference, so that the
 * listener may free its read API while requests are still computing.
 */
struct _JmReadApi
{
  char       *workspace_path;

  GMutex      mutex;
  GHashTable *entries;       /* gint64* project → LogEntry* */
  GPtrArray  *idle_stores;   /* JmStore*, read-only */
};

typedef enum
{
  REQUEST_ANALYSIS,
  REQUEST_CUSTOMER,
} RequestKind;

typedef struct
{
  JmReadApi         *api;
  SoupServerMessage *msg;
  RequestKind        kind;
  gint64             project;
  gboolean           csv;
  JmAnalysisOptions *options;
  char              *customer_id;
} Request;

/* What the worker thread found, for the server's thread to send. */
typedef struct
{
  guint  status;
  char  *error_code;      /* NULL on success */
  char  *error_message;
  char  *content_type;
  char  *body;
  gsize  length;
} Reply;

static void
log_entry_free (gpointer data)
{
  LogEntry *entry = data;

  g_clear_pointer (&entry->log, jm_event_log_unref);
  g_mutex_clear (&entry->mutex);
  g_free (entry);
}

static void
read_api_clear (gpointer data)
{
  JmReadApi *self = data;

  g_clear_pointer (&self->idle_stores, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_mutex_clear (&self->mutex);
  g_clear_pointer (&self->workspace_path, g_free);
}

JmReadApi *
jm_read_api_new (const char *workspace_path)
{
  JmReadApi *self;

  g_return_val_if_fail (workspace_path != NULL, NULL);

  self = g_atomic_rc_box_new0 (JmReadApi);
  self->workspace_path = g_strdup (workspace_path);
  g_mutex_init (&self->mutex);
  self->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, log_entry_free);
  self->idle_stores = g_ptr_array_new_with_free_func (g_object_unref);

  return self;
}

void
jm_read_api_free (JmReadApi *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, read_api_clear);
}

static void
request_free (Request *request)
{
  g_clear_object (&request->msg);
  g_clear_pointer (&request->options, jm_analysis_options_free);
  g_clear_pointer (&request->customer_id, g_free);
  if (request->api != NULL)
    jm_read_api_free (request->api);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
reply_free (Reply *reply)
{
  g_free (reply->error_code);
  g_free (reply->error_message);
  g_free (reply->content_type);
  g_free (reply->body);
  g_free (reply);
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
reply_new_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  Reply *reply = g_new0 (Reply, 1);

  json_generator_set_root (generator, node);
  reply->status = SOUP_STATUS_OK;
  reply->content_type = g_strdup ("application/json; charset=utf-8");
  reply->body = json_generator_to_data (generator, &reply->length);

  return reply;
}

static Reply *
reply_new_csv (const JmTable *table)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = SOUP_STATUS_OK;
  reply->content_type = g_strdup ("text/csv; charset=utf-8");
  reply->body = jm_table_to_csv (table);
  reply->length = strlen (reply->body);

  return reply;
}

/* Connections ------------------------------------------------------------------------------ */

static JmStore *
acquire_store (JmReadApi  *self,
               GError    **error)
{
  JmStore *store = NULL;

  g_mutex_lock (&self->mutex);
  if (self->idle_stores->len > 0)
    store = g_ptr_array_steal_index_fast (self->idle_stores, self->idle_stores->len - 1);
  g_mutex_unlock (&self->mutex);

  if (store != NULL)
    return store;

  return jm_store_open (self->workspace_path,
                        JM_STORE_OPEN_NO_CREATE | JM_STORE_OPEN_READONLY, error);
}

static void
release_store (JmReadApi *self,
               JmStore   *store)
{
  g_mutex_lock (&self->mutex);
  if (self->idle_stores->len < MAX_IDLE_STORES)
    g_ptr_array_add (self->idle_stores, g_steal_pointer (&store));
  g_mutex_unlock (&self->mutex);

  g_clear_object (&store);
}

/* The event-log cache ---------------------------------------------------------------------- */

static CacheIdentity
read_cache_identity (JmStore *store,
                     gint64   project)
{
  g_autofree char *path = jm_event_log_dup_cache_path (store, project);
  CacheIdentity identity = { 0 };
  GStatBuf buf;

  if (path != NULL && g_stat (path, &buf) == 0)
    {
      identity.exists = TRUE;
      identity.device = buf.st_dev;
      identity.inode = buf.st_ino;
      identity.mtime = buf.st_mtime;
      identity.size = buf.st_size;
    }

  return identity;
}

static gboolean
cache_identity_equal (const CacheIdentity *a,
                      const CacheIdentity *b)
{
  return a->exists == b->exists && a->device == b->device && a->inode == b->inode &&
         a->mtime == b->mtime && a->size == b->size;
}

static LogEntry *
lookup_entry (JmReadApi *self,
              gint64     project)
{
  LogEntry *entry;

  g_mutex_lock (&self->mutex);
  entry = g_hash_table_lookup (self->entries, &project);
  if (entry == NULL)
    {
      entry = g_new0 (LogEntry, 1);
      g_mutex_init (&entry->mutex);
      g_hash_table_insert (self->entries, g_memdup2 (&project, sizeof project), entry);
    }
  g_mutex_unlock (&self->mutex);

  /* Entries live as long as the read API, which the caller holds a reference to. */
  return entry;
}

/* A full load, through the cache file beside the workspace. It is done with a writable
 * connection when the workspace allows one, so that a stale cache file is rewritten as the
 * command line does: the next start of the listener opens it in milliseconds, and an erasure
 * (which removes it) is noticed by its absence.
 */
static JmEventLog *
load_log (JmReadApi  *self,
          JmStore    *store,
          gint64      project,
          GError    **error)
{
  g_autoptr(JmStore) writable = NULL;
  g_autoptr(GError) local_error = NULL;

  writable = jm_store_open (self->workspace_path, JM_STORE_OPEN_NO_CREATE, &local_error);
  if (writable == NULL)
    {
      g_debug ("Loading the event log without rewriting its cache: %s", local_error->message);
      return jm_event_log_load (store, project, NULL, error);
    }

  return jm_event_log_load (writable, project, NULL, error);
}

/* The current log of `project`: the cached one when the workspace has not changed, the cached
 * one with what arrived since appended, or a full load (through the cache file beside the
 * workspace).
 */
static JmEventLog *
dup_current_log (JmReadApi  *self,
                 JmStore    *store,
                 gint64      project,
                 GError    **error)
{
  LogEntry *entry = lookup_entry (self, project);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&entry->mutex);
  CacheIdentity identity = read_cache_identity (store, project);
  JmEventLog *log;

  if (entry->log != NULL && cache_identity_equal (&identity, &entry->identity))
    {
      /* Appending keeps the log current in milliseconds; after deletions (an erasure, a
       * retention run) it builds the log anew.
       */
      log = jm_event_log_append (entry->log, store, error);
      if (log == NULL)
        return NULL;

      g_clear_pointer (&entry->log, jm_event_log_unref);
      entry->log = log;
      return jm_event_log_ref (log);
    }

  log = load_log (self, store, project, error);
  if (log == NULL)
    return NULL;

  g_clear_pointer (&entry->log, jm_event_log_unref);
  entry->log = log;
  entry->identity = read_cache_identity (store, project);

  return jm_event_log_ref (log);
}

/* The worker ------------------------------------------------------------------------------- */

static Reply *
reply_from_error (const GError *error)
{
  if (g_error_matches (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION) ||
      g_error_matches (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_INVALID_FIELD))
    return reply_new_error (SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST, error->message);

  /* The project was authenticated, so what is missing is a segment the request named. */
  if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND))
    {
      g_autofree char *message = g_strdup_printf ("segment: %s", error->message);

      return reply_new_error (SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST, message);
    }

  g_warning ("Read API: %s", error->message);
  return reply_new_error (SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE, error->message);
}

static Reply *
run_analysis (Request  *request,
              JmStore  *store)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAnalysisResult) result = NULL;
  g_autoptr(GError) error = NULL;

  log = dup_current_log (request->api, store, request->project, &error);
  if (log == NULL)
    return reply_from_error (error);

  result = jm_analysis_options_run (request->options, store, request->project, log, NULL,
                                    &error);
  if (result == NULL)
    return reply_from_error (error);

  if (request->csv)
    {
      g_autoptr(JmTable) table = jm_analysis_result_to_table (result);

      return reply_new_csv (table);
    }
  else
    {
      g_autoptr(JsonNode) json = jm_analysis_result_to_json (result);

      return reply_new_json (json);
    }
}

static Reply *
run_customer (Request  *request,
              JmStore  *store)
{
  g_autoptr(JmCustomerProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  profile = jm_store_load_customer (store, request->project, request->customer_id, &error);
  if (profile == NULL)
    {
      if (g_error_matches (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND))
        return reply_new_error (SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND, error->message);
      return reply_from_error (error);
    }

  if (request->csv)
    {
      g_autoptr(JmTable) table = jm_customer_profile_to_table (profile);

      return reply_new_csv (table);
    }
  else
    {
      g_autoptr(JsonNode) json = jm_customer_profile_to_json (profile);

      return reply_new_json (json);
    }
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr(GError) error = NULL;
  gint64 start_us = g_get_monotonic_time ();
  JmStore *store;
  Reply *reply;

  store = acquire_store (request->api, &error);
  if (store == NULL)
    {
      g_warning ("Read API: %s", error->message);
      reply = reply_new_error (SOUP_STATUS_SERVICE_UNAVAILABLE, JM_HTTP_UNAVAILABLE,
                               error->message);
    }
  else
    {
      if (request->kind == REQUEST_ANALYSIS)
        reply = run_analysis (request, store);
      else
        reply = run_customer (request, store);
      release_store (request->api, store);
    }

  g_debug ("Read API: answered %u in %.1f ms", reply->status,
           (g_get_monotonic_time () - start_us) / 1000.0);
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
    {
      soup_server_message_set_status (request->msg, reply->status, NULL);
      soup_server_message_set_response (request->msg, reply->content_type, SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&reply->body), reply->length);
    }
  soup_server_message_unpause (request->msg);

  reply_free (reply);
}

/* Parsing the request ---------------------------------------------------------------------- */

typedef struct
{
  char *name;
  char *value;
} QueryParam;

static void
query_param_free (QueryParam *param)
{
  g_free (param->name);
  g_free (param->value);
  g_free (param);
}

/* One name or value of an application/x-www-form-urlencoded query: '+' is a space. */
static char *
decode_query_part (const char *start,
                   const char *end)
{
  g_autofree char *text = g_strndup (start, end - start);
  char *decoded;

  g_strdelimit (text, "+", ' ');
  decoded = g_uri_unescape_string (text, NULL);
  if (decoded != NULL && !g_utf8_validate (decoded, -1, NULL))
    g_clear_pointer (&decoded, g_free);

  return decoded;
}

/* The query's parameters in order, repeated ones included (a GHashTable keeps only one value
 * per name, and `step=` is repeated). `fallback` is used when the URI has no query.
 */
static GPtrArray *
parse_query (GUri        *uri,
             GHashTable  *fallback,
             GError     **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) query_param_free);
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;

  if (query == NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      if (fallback != NULL)
        {
          g_hash_table_iter_init (&iter, fallback);
          while (g_hash_table_iter_next (&iter, &name, &value))
            {
              QueryParam *param = g_new0 (QueryParam, 1);

              param->name = g_strdup (name);
              param->value = g_strdup (value != NULL ? value : "");
              g_ptr_array_add (params, param);
            }
        }

      return g_steal_pointer (&params);
    }

  for (const char *p = query; *p != '\0';)
    {
      const char *end = strchr (p, '&');
      const char *equals;
      QueryParam *param;

      if (end == NULL)
        end = p + strlen (p);

      if (end > p)
        {
          equals = memchr (p, '=', end - p);
          param = g_new0 (QueryParam, 1);
          param->name = decode_query_part (p, equals != NULL ? equals : end);
          param->value = equals != NULL ? decode_query_part (equals + 1, end) : g_strdup ("");
          if (param->name == NULL || param->value == NULL)
            {
              g_autofree char *part = g_strndup (p, end - p);

              query_param_free (param);
              g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_QUERY,
                           "The query parameter “%s” is not valid URL-encoded UTF-8", part);
              return NULL;
            }
          g_ptr_array_add (params, param);
        }

      p = *end != '\0' ? end + 1 : end;
    }

  return g_steal_pointer (&params);
}

/* Fills `request` from the path and the query; answers `msg` and returns FALSE when the request
 * cannot be served.
 */
static gboolean
parse_request (Request           *request,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query)
{
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GError) error = NULL;
  JmAnalysisKind kind;

  if (g_str_has_prefix (path, ANALYTICS_PREFIX) &&
      jm_analysis_kind_from_string (path + strlen (ANALYTICS_PREFIX), &kind) &&
      kind != JM_ANALYSIS_INSIGHTS)
    request->kind = REQUEST_ANALYSIS;
  else if (g_str_equal (path, INSIGHTS_PATH))
    {
      request->kind = REQUEST_ANALYSIS;
      kind = JM_ANALYSIS_INSIGHTS;
    }
  else if (g_str_has_prefix (path, CUSTOMERS_PREFIX) && path[strlen (CUSTOMERS_PREFIX)] != '\0' &&
           strchr (path + strlen (CUSTOMERS_PREFIX), '/') == NULL)
    {
      request->kind = REQUEST_CUSTOMER;
      request->customer_id = g_uri_unescape_string (path + strlen (CUSTOMERS_PREFIX), NULL);
      if (request->customer_id == NULL || !g_utf8_validate (request->customer_id, -1, NULL))
        {
          jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                                 "The customer id in the path is not valid URL-encoded UTF-8");
          return FALSE;
        }
    }
  else
    {
      jm_http_respond_error (msg, SOUP_STATUS_NOT_FOUND, JM_HTTP_NOT_FOUND,
                             "No such resource: %s", path);
      return FALSE;
    }

  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET &&
      soup_server_message_get_method (msg) != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "GET, HEAD");
      jm_http_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, JM_HTTP_METHOD_NOT_ALLOWED,
                             "%s takes GET", path);
      return FALSE;
    }

  params = parse_query (soup_server_message_get_uri (msg), query, &error);
  if (params == NULL)
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                             "%s", error->message);
      return FALSE;
    }

  if (request->kind == REQUEST_ANALYSIS)
    request->options = jm_analysis_options_new (kind, JM_ANALYSIS_OPTION_STYLE_QUERY);

  for (guint i = 0; i < params->len; i++)
    {
      QueryParam *param = g_ptr_array_index (params, i);

      if (g_str_equal (param->name, "format"))
        {
          if (g_str_equal (param->value, "csv"))
            request->csv = TRUE;
          else if (g_str_equal (param->value, "json"))
            request->csv = FALSE;
          else
            {
              jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                                     "format must be json or csv, not “%s”", param->value);
              return FALSE;
            }
        }
      else if (g_str_equal (param->name, "key"))
        {
          /* The credential, for clients that cannot send headers: the server's business. */
        }
      else if (request->options != NULL)
        {
          if (!jm_analysis_options_set (request->options, param->name, param->value, &error))
            {
              jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                                     "%s", error->message);
              return FALSE;
            }
        }
      else
        {
          jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                                 "%s is not a parameter of a customer profile (only format)",
                                 param->name);
          return FALSE;
        }
    }

  if (request->options != NULL && !jm_analysis_options_check (request->options, &error))
    {
      jm_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST, JM_HTTP_INVALID_REQUEST,
                             "%s", error->message);
      return FALSE;
    }

  return TRUE;
}

void
jm_read_api_handle (JmReadApi         *self,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gint64             project)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (path != NULL);

  request = g_new0 (Request, 1);
  request->project = project;

  if (!parse_request (request, msg, path, query))
    return;

  request->api = g_atomic_rc_box_acquire (self);
  request->msg = g_object_ref (msg);

  soup_server_message_pause (msg);

  task = g_task_new (NULL, NULL, request_done_cb, NULL);
  g_task_set_source_tag (task, jm_read_api_handle);
  g_task_set_name (task, "jm-read-api");
  g_task_set_task_data (task, g_steal_pointer (&request), (GDestroyNotify) request_free);
  g_task_run_in_thread (task, request_thread);
}
