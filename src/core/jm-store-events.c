/* jm-store-events.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-store"

#include <string.h>

#include "jm-channel.h"
#include "jm-store-private.h"

/* The ingest path. One call is one transaction; what repeats per event is only the insert
 * itself: statements are cached, identity lookups are remembered for the call, and each
 * customer touched by the call is upserted once at its end.
 */

static const char insert_event_sql[] =
  "INSERT INTO events (id, project, type, name, customer_id, anonymous_id, ts, received_at, "
  "                    arrival, properties, context, touch, consent) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
  "ON CONFLICT (project, id) DO NOTHING";

static const char select_identity_sql[] =
  "SELECT customer_id FROM identities WHERE project = ?1 AND anonymous_id = ?2";

static const char insert_identity_sql[] =
  "INSERT INTO identities (project, anonymous_id, customer_id, created) "
  "VALUES (?1, ?2, ?3, ?4) "
  "ON CONFLICT (project, anonymous_id) DO NOTHING";

/* How many of an anonymous id's events are not linked to a customer yet, and when. Asked
 * before stitching because usually there are none (people sign in on their first visit).
 */
static const char unstitched_span_sql[] =
  "SELECT count(*), min(ts), max(ts) FROM events "
  "WHERE project = ?1 AND anonymous_id = ?2 AND customer_id IS NULL";

static const char stitch_events_sql[] =
  "UPDATE events SET customer_id = ?1 "
  "WHERE project = ?2 AND anonymous_id = ?3 AND customer_id IS NULL";

/* first_seen/last_seen widen, traits merge (RFC 7396: a null trait removes it). */
static const char upsert_customer_sql[] =
  "INSERT INTO customers (project, customer_id, first_seen, last_seen, traits) "
  "VALUES (?1, ?2, ?3, ?4, json_patch('{}', ?5)) "
  "ON CONFLICT (project, customer_id) DO UPDATE SET "
  "  first_seen = min(first_seen, excluded.first_seen), "
  "  last_seen = max(last_seen, excluded.last_seen), "
  "  traits = CASE WHEN ?5 = '{}' THEN traits ELSE json_patch(traits, ?5) END";

typedef struct
{
  gint64      first_seen;
  gint64      last_seen;
  JsonObject *traits;       /* identify traits of this call, merged; NULL when none */
} CustomerUpdate;

typedef struct
{
  JmStore       *store;
  gint64         project;
  gint64         now;

  GHashTable    *links;       /* anonymous id → customer id, "" when not linked */
  GHashTable    *customers;   /* customer id → CustomerUpdate* */

  /* Reused for every serialized object of the call */
  GString       *properties;
  GString       *context;

  sqlite3_stmt  *insert_event;
  sqlite3_stmt  *select_identity;
  sqlite3_stmt  *insert_identity;
  sqlite3_stmt  *unstitched_span;
  sqlite3_stmt  *stitch_events;
  sqlite3_stmt  *upsert_customer;
} Batch;

static void
customer_update_free (gpointer data)
{
  CustomerUpdate *update = data;

  g_clear_pointer (&update->traits, json_object_unref);
  g_free (update);
}

static void
batch_clear (Batch *batch)
{
  sqlite3_stmt *statements[] = {
    batch->insert_event, batch->select_identity, batch->insert_identity,
    batch->unstitched_span, batch->stitch_events, batch->upsert_customer,
  };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      if (statements[i] != NULL)
        sqlite3_reset (statements[i]);
    }

  g_clear_pointer (&batch->links, g_hash_table_unref);
  g_clear_pointer (&batch->customers, g_hash_table_unref);
  if (batch->properties != NULL)
    g_string_free (g_steal_pointer (&batch->properties), TRUE);
  if (batch->context != NULL)
    g_string_free (g_steal_pointer (&batch->context), TRUE);
}

static gboolean
batch_init (Batch    *batch,
            JmStore  *store,
            gint64    project,
            GError  **error)
{
  batch->store = store;
  batch->project = project;
  batch->now = jm_store_now_ms ();
  batch->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  batch->customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            customer_update_free);
  batch->properties = g_string_sized_new (1024);
  batch->context = g_string_sized_new (1024);

  return (batch->insert_event = jm_store_prepare_cached (store, insert_event_sql, error)) &&
         (batch->select_identity = jm_store_prepare_cached (store, select_identity_sql, error)) &&
         (batch->insert_identity = jm_store_prepare_cached (store, insert_identity_sql, error)) &&
         (batch->unstitched_span = jm_store_prepare_cached (store, unstitched_span_sql, error)) &&
         (batch->stitch_events = jm_store_prepare_cached (store, stitch_events_sql, error)) &&
         (batch->upsert_customer = jm_store_prepare_cached (store, upsert_customer_sql, error));
}

/* Compact JSON of an object ("{}" for NULL), in `buffer`. */
static const char *
serialize_object (GString    *buffer,
                  JsonObject *object)
{
  g_string_truncate (buffer, 0);

  jm_event_write_json_object (buffer, object);

  return buffer->str;
}

static CustomerUpdate *
note_customer_seen (Batch      *batch,
                    const char *customer_id,
                    gint64      ts)
{
  CustomerUpdate *update = g_hash_table_lookup (batch->customers, customer_id);

  if (update == NULL)
    {
      update = g_new0 (CustomerUpdate, 1);
      update->first_seen = ts;
      update->last_seen = ts;
      g_hash_table_insert (batch->customers, g_strdup (customer_id), update);
    }
  else
    {
      update->first_seen = MIN (update->first_seen, ts);
      update->last_seen = MAX (update->last_seen, ts);
    }

  return update;
}

/* The in-memory counterpart of json_patch(): nested objects merge, anything else replaces
 * (a null is kept, so that the upsert's json_patch() removes the trait). Objects are
 * copied, never shared: the events belong to the caller.
 */
static void
merge_traits (JsonObject *target,
              JsonObject *patch)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, patch);

  while (json_object_iter_next_ordered (&iter, &member, &value))
    {
      JsonNode *existing = json_object_get_member (target, member);

      if (existing != NULL && JSON_NODE_HOLDS_OBJECT (existing) && JSON_NODE_HOLDS_OBJECT (value))
        {
          merge_traits (json_node_get_object (existing), json_node_get_object (value));
        }
      else if (JSON_NODE_HOLDS_OBJECT (value))
        {
          JsonObject *copy = json_object_new ();

          merge_traits (copy, json_node_get_object (value));
          json_object_set_object_member (target, member, copy);
        }
      else
        {
          json_object_set_member (target, member, json_node_copy (value));
        }
    }
}

/* The customer an anonymous id is linked to (NULL when none), remembered for the call. */
static gboolean
lookup_link (Batch       *batch,
             const char  *anonymous_id,
             const char **out_customer,
             GError     **error)
{
  const char *known = g_hash_table_lookup (batch->links, anonymous_id);

  if (known == NULL)
    {
      sqlite3_stmt *stmt = batch->select_identity;
      int rc;

      sqlite3_bind_int64 (stmt, 1, batch->project);
      sqlite3_bind_text (stmt, 2, anonymous_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);

      if (rc == SQLITE_ROW)
        known = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      else if (rc == SQLITE_DONE)
        known = g_strdup ("");

      sqlite3_reset (stmt);

      if (known == NULL)
        return jm_store_set_error_from_sqlite (batch->store, error, "look up an identity");

      g_hash_table_insert (batch->links, g_strdup (anonymous_id), (char *)known);
    }

  *out_customer = known[0] != '\0' ? known : NULL;
  return TRUE;
}

/* Links an anonymous id to a customer unless it already belongs to one (the first link
 * wins: a shared device never moves one person's history to another), and gives that
 * anonymous id's earlier events to the customer.
 */
static gboolean
link_anonymous_id (Batch       *batch,
                   const char  *anonymous_id,
                   const char  *customer_id,
                   GError     **error)
{
  const char *current = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (strcmp (anonymous_id, customer_id) == 0)
    return TRUE;

  if (!lookup_link (batch, anonymous_id, &current, error))
    return FALSE;

  if (current != NULL)
    return TRUE;

  stmt = batch->insert_identity;
  sqlite3_bind_int64 (stmt, 1, batch->project);
  sqlite3_bind_text (stmt, 2, anonymous_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, customer_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, batch->now);

  if (!jm_store_step_done (batch->store, stmt, "link an identity", error))
    return FALSE;

  g_hash_table_insert (batch->links, g_strdup (anonymous_id), g_strdup (customer_id));

  stmt = batch->unstitched_span;
  sqlite3_bind_int64 (stmt, 1, batch->project);
  sqlite3_bind_text (stmt, 2, anonymous_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return jm_store_set_error_from_sqlite (batch->store, error, "link an identity");
    }

  if (sqlite3_column_int64 (stmt, 0) == 0)
    {
      sqlite3_reset (stmt);
      return TRUE;
    }

  note_customer_seen (batch, customer_id, sqlite3_column_int64 (stmt, 1));
  note_customer_seen (batch, customer_id, sqlite3_column_int64 (stmt, 2));
  sqlite3_reset (stmt);

  stmt = batch->stitch_events;
  sqlite3_bind_text (stmt, 1, customer_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, batch->project);
  sqlite3_bind_text (stmt, 3, anonymous_id, -1, SQLITE_STATIC);

  return jm_store_step_done (batch->store, stmt, "link an identity", error);
}

/* The stitched customer of an event, linking its identities on the way. */
static gboolean
resolve_customer (Batch          *batch,
                  const JmEvent  *event,
                  const char    **out_customer,
                  GError        **error)
{
  *out_customer = NULL;

  if (event->user_id != NULL && event->user_id[0] != '\0')
    {
      *out_customer = event->user_id;

      if (event->anonymous_id != NULL && event->anonymous_id[0] != '\0' &&
          !link_anonymous_id (batch, event->anonymous_id, event->user_id, error))
        return FALSE;

      if (event->type == JM_EVENT_ALIAS && event->previous_id != NULL &&
          event->previous_id[0] != '\0' &&
          !link_anonymous_id (batch, event->previous_id, event->user_id, error))
        return FALSE;

      return TRUE;
    }

  if (event->anonymous_id != NULL && event->anonymous_id[0] != '\0')
    return lookup_link (batch, event->anonymous_id, out_customer, error);

  return TRUE;
}

static gboolean
insert_one (Batch          *batch,
            const JmEvent  *event,
            gboolean       *out_inserted,
            GError        **error)
{
  sqlite3_stmt *stmt = batch->insert_event;
  g_autofree char *content_id = NULL;
  g_autofree char *name = NULL;
  const char *customer_id = NULL;
  const char *id = event->id;
  const char *name_text;
  const char *properties;
  const char *context;
  const char *touch;
  int rc;

  if (id == NULL || id[0] == '\0')
    id = content_id = jm_event_dup_content_id (event);

  if (!resolve_customer (batch, event, &customer_id, error))
    return FALSE;

  if (event->prepared)
    {
      name_text = event->journey_name;
      properties = event->properties_json;
      context = event->context_json;
      touch = event->touch;
    }
  else
    {
      name_text = name = jm_event_dup_journey_name (event);
      properties = serialize_object (batch->properties, event->properties);
      context = serialize_object (batch->context, event->context);
      touch = jm_channel_for_context (event->context);
    }

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, batch->project);
  sqlite3_bind_text (stmt, 3, jm_event_type_to_string (event->type), -1, SQLITE_STATIC);
  if (name_text != NULL)
    sqlite3_bind_text (stmt, 4, name_text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  if (customer_id != NULL)
    sqlite3_bind_text (stmt, 5, customer_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 5);
  if (event->anonymous_id != NULL && event->anonymous_id[0] != '\0')
    sqlite3_bind_text (stmt, 6, event->anonymous_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_int64 (stmt, 7, event->ts);
  sqlite3_bind_int64 (stmt, 8, event->received_at > 0 ? event->received_at : batch->now);
  sqlite3_bind_int64 (stmt, 9, batch->store->next_arrival);
  sqlite3_bind_text (stmt, 10, properties, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, context, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, touch, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 13, event->consent);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return jm_store_set_error_from_sqlite (batch->store, error, "save the events");

  *out_inserted = sqlite3_changes (batch->store->db) > 0;

  if (!*out_inserted)
    return TRUE;

  batch->store->next_arrival++;

  if (customer_id != NULL)
    {
      CustomerUpdate *update = note_customer_seen (batch, customer_id, event->ts);

      if (event->type == JM_EVENT_IDENTIFY && event->traits != NULL &&
          json_object_get_size (event->traits) > 0)
        {
          if (update->traits == NULL)
            update->traits = json_object_new ();
          merge_traits (update->traits, event->traits);
        }
    }

  return TRUE;
}

static gboolean
upsert_customers (Batch   *batch,
                  GError **error)
{
  sqlite3_stmt *stmt = batch->upsert_customer;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, batch->customers);

  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      CustomerUpdate *update = value;

      sqlite3_bind_int64 (stmt, 1, batch->project);
      sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, update->first_seen);
      sqlite3_bind_int64 (stmt, 4, update->last_seen);
      serialize_object (batch->properties, update->traits);
      sqlite3_bind_text (stmt, 5, batch->properties->str, batch->properties->len, SQLITE_STATIC);

      if (!jm_store_step_done (batch->store, stmt, "save the customers", error))
        return FALSE;
    }

  return TRUE;
}

/* The project's consent policy; NOT_FOUND when there is no such project. */
static gboolean
read_consent_policy (JmStore   *self,
                     gint64     project,
                     gboolean  *out_require_analytics,
                     GError   **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  stmt = jm_store_prepare_cached (self,
                                  "SELECT json_extract(settings, '$.consent_policy') "
                                  "FROM projects WHERE id = ?1",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, project);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "There is no project with id %" G_GINT64_FORMAT " in this workspace", project);
      return FALSE;
    }

  if (rc != SQLITE_ROW)
    return jm_store_set_error_from_sqlite (self, error, "read the project’s settings");

  *out_require_analytics = g_strcmp0 ((const char *)sqlite3_column_text (stmt, 0),
                                      "require_analytics") == 0;
  return TRUE;
}

gboolean
jm_store_insert_events (JmStore         *self,
                        gint64           project,
                        JmEvent        **events,
                        guint            n_events,
                        JmInsertResult  *result,
                        GError         **error)
{
  JmInsertResult counts = { 0, };
  gboolean require_analytics = FALSE;
  Batch batch = { 0, };

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL || n_events == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (result != NULL)
    *result = counts;

  if (!read_consent_policy (self, project, &require_analytics, error))
    return FALSE;

  if (n_events == 0)
    return TRUE;

  if (!jm_store_begin (self, error))
    return FALSE;

  /* Another process (the listener, an import) may have written since we last looked; with
   * the write lock held the counter cannot move under us.
   */
  if (!jm_store_reload_arrival (self, error))
    goto failed;

  if (!batch_init (&batch, self, project, error))
    goto failed;

  for (guint i = 0; i < n_events; i++)
    {
      const JmEvent *event = events[i];
      gboolean inserted = FALSE;

      if (require_analytics && (event->consent & JM_CONSENT_ANALYTICS) == 0)
        {
          counts.dropped++;
          continue;
        }

      if (!insert_one (&batch, event, &inserted, error))
        goto failed;

      if (inserted)
        counts.inserted++;
      else
        counts.duplicates++;
    }

  if (!upsert_customers (&batch, error))
    goto failed;

  if (counts.inserted > 0 && !jm_store_bump_generation (self, project, error))
    goto failed;

  batch_clear (&batch);

  if (!jm_store_commit (self, error))
    return FALSE;

  if (result != NULL)
    *result = counts;

  return TRUE;

failed:
  batch_clear (&batch);
  jm_store_rollback (self);
  return FALSE;
}

gboolean
jm_store_clear_events (JmStore  *self,
                       GError  **error)
{
  static const char * const tables[] = {
    "DELETE FROM events",
    "DELETE FROM identities",
    "DELETE FROM customers",
    "DELETE FROM consents",
  };

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!jm_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      sqlite3_stmt *stmt = jm_store_prepare_cached (self, tables[i], error);

      if (stmt == NULL || !jm_store_step_done (self, stmt, "clear the events", error))
        {
          jm_store_rollback (self);
          return FALSE;
        }
    }

  if (!jm_store_bump_removals (self, -1, error))
    {
      jm_store_rollback (self);
      return FALSE;
    }

  if (!jm_store_commit (self, error))
    return FALSE;

  self->next_arrival = 1;

  /* Give the freed pages back to the file system; not fatal when it cannot. */
  if (self->transaction_depth == 0 &&
      sqlite3_exec (self->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL) != SQLITE_OK)
    g_debug ("Could not shrink “%s”: %s", self->path, sqlite3_errmsg (self->db));

  return TRUE;
}
