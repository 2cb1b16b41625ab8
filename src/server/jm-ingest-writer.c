/* jm-ingest-writer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include <string.h>

#include "jm-ingest-writer.h"
#include "jm-store-private.h"

/* A transaction holds at most this many events, so a flood of queued batches still gets
 * acknowledged in steps of bounded latency.
 */
#define MAX_EVENTS_PER_COMMIT 20000

typedef enum
{
  ITEM_BATCH,
  ITEM_EXEC,
} ItemKind;

typedef struct
{
  ItemKind       kind;
  JmIngestBatch *batch;

  /* ITEM_EXEC: the caller waits on `cond` until `done` */
  const char    *sql;
  GError        *error;
  gboolean       done;
} Item;

struct _JmIngestWriter
{
  JmStore            *store;
  JmLiveBus          *bus;
  JmServerMetrics    *metrics;
  JmIngestWriterDone  done;
  gpointer            done_data;

  GThread            *thread;
  GMutex              mutex;
  GCond               cond;
  GQueue              queue;       /* Item* */
  gboolean            stopping;

  gint64              event_count;  /* guarded by mutex */
  gint                failing;      /* atomic */

  GHashTable         *project_names;   /* gint64* → char*, writer thread only */
  GString            *scratch;
};

static const char live_events_sql[] =
  "SELECT id, project, type, name, customer_id, ts, properties, context, touch "
  "FROM events WHERE arrival >= ?1 AND arrival < ?2 ORDER BY arrival";

static void
append_json_string (GString    *out,
                    const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char)c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static const char *
project_name (JmIngestWriter *self,
              gint64          project)
{
  char *name = g_hash_table_lookup (self->project_names, &project);

  if (name == NULL)
    {
      g_autoptr(GError) error = NULL;

      name = jm_store_dup_project_name (self->store, project, &error);
      if (name == NULL)
        {
          g_debug ("%s", error->message);
          name = g_strdup_printf ("%" G_GINT64_FORMAT, project);
        }
      g_hash_table_insert (self->project_names, g_memdup2 (&project, sizeof project), name);
    }

  return name;
}

/* The stored rows of arrivals [first, end) as live messages {"id","project","type","name",
 * "customer_id","ts","properties","context","touch"}: read back inside the transaction, so
 * they carry what the store derived (stitched customer, journey name, touch).
 */
static GPtrArray *
collect_live_messages (JmIngestWriter *self,
                       gint64          first,
                       gint64          end)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  stmt = jm_store_prepare_cached (self->store, live_events_sql, &error);
  if (stmt == NULL)
    {
      g_warning ("Could not read the new events for the live stream: %s", error->message);
      return g_steal_pointer (&messages);
    }

  sqlite3_bind_int64 (stmt, 1, first);
  sqlite3_bind_int64 (stmt, 2, end);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GString *out = self->scratch;
      gint64 project = sqlite3_column_int64 (stmt, 1);
      const char *properties = (const char *)sqlite3_column_text (stmt, 6);
      const char *context = (const char *)sqlite3_column_text (stmt, 7);
      gint64 *item;

      g_string_truncate (out, 0);
      g_string_append (out, "{\"id\":");
      append_json_string (out, (const char *)sqlite3_column_text (stmt, 0));
      g_string_append (out, ",\"project\":");
      append_json_string (out, project_name (self, project));
      g_string_append (out, ",\"type\":");
      append_json_string (out, (const char *)sqlite3_column_text (stmt, 2));
      g_string_append (out, ",\"name\":");
      append_json_string (out, (const char *)sqlite3_column_text (stmt, 3));
      g_string_append (out, ",\"customer_id\":");
      append_json_string (out, (const char *)sqlite3_column_text (stmt, 4));
      g_string_append_printf (out, ",\"ts\":%" G_GINT64_FORMAT,
                              (gint64)sqlite3_column_int64 (stmt, 5));
      /* The store keeps compact JSON objects in these columns. */
      g_string_append (out, ",\"properties\":");
      g_string_append (out, properties != NULL ? properties : "{}");
      g_string_append (out, ",\"context\":");
      g_string_append (out, context != NULL ? context : "{}");
      g_string_append (out, ",\"touch\":");
      append_json_string (out, (const char *)sqlite3_column_text (stmt, 8));
      g_string_append_c (out, '}');

      /* project id, then the message */
      item = g_malloc (sizeof (gint64) + out->len + 1);
      item[0] = project;
      memcpy (item + 1, out->str, out->len + 1);
      g_ptr_array_add (messages, item);
    }

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self->store, &error, "read the new events");
      g_warning ("Could not read the new events for the live stream: %s", error->message);
    }

  return g_steal_pointer (&messages);
}

static void
publish (JmIngestWriter *self,
         GPtrArray      *messages)
{
  for (guint i = 0; i < messages->len; i++)
    {
      gint64 *item = g_ptr_array_index (messages, i);
      const char *text = (const char *)(item + 1);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      jm_live_bus_publish (self->bus, item[0], bytes);
    }
}

/* Stores `batches` in one transaction. Returns the error that failed it, or NULL. */
static GError *
write_group (JmIngestWriter *self,
             GPtrArray      *batches)
{
  g_autoptr(GPtrArray) messages = NULL;
  GError *error = NULL;
  gboolean live = jm_live_bus_has_subscribers (self->bus);
  JmInsertResult totals = { 0, };
  gint64 first_arrival;
  gint64 inserted = 0;
  gint64 started = g_get_monotonic_time ();

  if (!jm_store_begin (self->store, &error))
    return error;

  /* With the write lock held nobody else moves the arrival counter. */
  if (!jm_store_reload_arrival (self->store, &error))
    goto failed;

  first_arrival = self->store->next_arrival;

  /* One insert per project for all of its requests: the per-call work (consent policy,
   * savepoint, customer upserts, generation) is paid once per commit, not per request. The
   * requests stand or fall together anyway: a failure rolls the whole transaction back.
   */
  for (guint i = 0; i < batches->len; i++)
    {
      JmIngestBatch *batch = g_ptr_array_index (batches, i);
      g_autoptr(GPtrArray) events = NULL;
      JmInsertResult result = { 0, };
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        seen = ((JmIngestBatch *)g_ptr_array_index (batches, j))->project == batch->project;
      if (seen)
        continue;

      events = g_ptr_array_new ();
      for (guint j = i; j < batches->len; j++)
        {
          JmIngestBatch *other = g_ptr_array_index (batches, j);

          if (other->project == batch->project)
            g_ptr_array_extend (events, other->events, NULL, NULL);
        }

      if (!jm_store_insert_events (self->store, batch->project, (JmEvent **)events->pdata,
                                   events->len, &result, &error))
        goto failed;

      totals.inserted += result.inserted;
      totals.duplicates += result.duplicates;
      totals.dropped += result.dropped;
    }

  inserted = totals.inserted;

  if (live && inserted > 0)
    messages = collect_live_messages (self, first_arrival, self->store->next_arrival);

  if (!jm_store_commit (self->store, &error))
    return error;

  jm_server_metrics_observe_commit (self->metrics,
                                    (g_get_monotonic_time () - started) / 1e6);
  jm_server_metrics_add_accepted (self->metrics, totals.inserted + totals.duplicates);
  jm_server_metrics_add_rejected (self->metrics, "consent", totals.dropped);
  g_atomic_int_set (&self->failing, FALSE);
  g_mutex_lock (&self->mutex);
  self->event_count += inserted;
  g_mutex_unlock (&self->mutex);

  if (messages != NULL)
    publish (self, messages);

  return NULL;

failed:
  jm_store_rollback (self->store);
  return error;
}

static void
process_group (JmIngestWriter *self,
               GPtrArray      *batches)
{
  GError *error = write_group (self, batches);

  if (error != NULL)
    {
      /* The clients are told (503) and retry; the operator sees it in the log and in the
       * health check. Not a warning: a full disk is a condition of the machine, not a bug.
       */
      g_message ("Could not store %u ingest requests: %s", batches->len, error->message);
      g_atomic_int_set (&self->failing, TRUE);

      for (guint i = 0; i < batches->len; i++)
        {
          JmIngestBatch *batch = g_ptr_array_index (batches, i);

          batch->error = g_error_copy (error);
        }
      g_error_free (error);
    }

  self->done (batches, self->done_data);
}

static void
process_exec (JmIngestWriter *self,
              Item           *item)
{
  GError *error = NULL;

  if (sqlite3_exec (jm_store_get_db (self->store), item->sql, NULL, NULL, NULL) != SQLITE_OK)
    jm_store_set_error_from_sqlite (self->store, &error, "run a statement");

  g_mutex_lock (&self->mutex);
  item->error = error;
  item->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static void
count_events (JmIngestWriter *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmCachedStmt) stmt = NULL;

  stmt = jm_store_prepare_cached (self->store, "SELECT count(*) FROM events", &error);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_mutex_lock (&self->mutex);
      self->event_count = sqlite3_column_int64 (stmt, 0);
      g_mutex_unlock (&self->mutex);
    }
  else if (error != NULL)
    g_warning ("Could not count the events: %s", error->message);
}

static gpointer
writer_thread (gpointer data)
{
  JmIngestWriter *self = data;

  count_events (self);

  for (;;)
    {
      g_autoptr(GPtrArray) batches = g_ptr_array_new ();
      Item *exec = NULL;
      guint n_events = 0;

      g_mutex_lock (&self->mutex);

      while (self->queue.length == 0 && !self->stopping)
        g_cond_wait (&self->cond, &self->mutex);

      if (self->queue.length == 0 && self->stopping)
        {
          g_mutex_unlock (&self->mutex);
          break;
        }

      /* Everything that arrived while the last transaction was written, up to the cap; a
       * statement for the tests runs on its own.
       */
      while (self->queue.length > 0 && n_events < MAX_EVENTS_PER_COMMIT)
        {
          Item *item = g_queue_peek_head (&self->queue);

          if (item->kind == ITEM_EXEC)
            {
              if (batches->len == 0)
                exec = g_queue_pop_head (&self->queue);
              break;
            }

          g_queue_pop_head (&self->queue);
          g_ptr_array_add (batches, item->batch);
          n_events += item->batch->events->len;
          g_free (item);
        }

      g_mutex_unlock (&self->mutex);

      if (exec != NULL)
        process_exec (self, exec);
      else
        process_group (self, batches);
    }

  return NULL;
}

JmIngestWriter *
jm_ingest_writer_new (const char          *workspace_path,
                      JmLiveBus           *bus,
                      JmServerMetrics     *metrics,
                      JmIngestWriterDone   done,
                      gpointer             user_data,
                      GError             **error)
{
  g_autoptr(JmStore) store = NULL;
  JmIngestWriter *self;

  g_return_val_if_fail (workspace_path != NULL, NULL);
  g_return_val_if_fail (bus != NULL, NULL);
  g_return_val_if_fail (metrics != NULL, NULL);
  g_return_val_if_fail (done != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = jm_store_open (workspace_path, JM_STORE_OPEN_DEFAULT, error);
  if (store == NULL)
    return NULL;

  /* The connection is opened with synchronous=FULL; the listener never relaxes it. */
  jm_store_set_bulk_import (store, FALSE);

  self = g_new0 (JmIngestWriter, 1);
  self->store = g_steal_pointer (&store);
  self->bus = bus;
  self->metrics = metrics;
  self->done = done;
  self->done_data = user_data;
  self->project_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->scratch = g_string_sized_new (4096);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);

  self->thread = g_thread_new ("jm-writer", writer_thread, self);

  return self;
}

void
jm_ingest_writer_free (JmIngestWriter *self)
{
  if (self == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_thread_join (self->thread);

  g_assert (self->queue.length == 0);
  g_clear_object (&self->store);
  g_hash_table_unref (self->project_names);
  g_string_free (self->scratch, TRUE);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

void
jm_ingest_writer_push (JmIngestWriter *self,
                       JmIngestBatch  *batch)
{
  Item *item;

  g_return_if_fail (self != NULL);
  g_return_if_fail (batch != NULL && batch->events != NULL);

  item = g_new0 (Item, 1);
  item->kind = ITEM_BATCH;
  item->batch = batch;

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->queue, item);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

gint64
jm_ingest_writer_get_event_count (JmIngestWriter *self)
{
  gint64 count;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  count = self->event_count;
  g_mutex_unlock (&self->mutex);

  return count;
}

gboolean
jm_ingest_writer_is_failing (JmIngestWriter *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_atomic_int_get (&self->failing);
}

gboolean
jm_ingest_writer_exec (JmIngestWriter  *self,
                       const char      *sql,
                       GError         **error)
{
  Item item = { 0, };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);

  item.kind = ITEM_EXEC;
  item.sql = sql;

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->queue, &item);
  g_cond_broadcast (&self->cond);
  while (!item.done)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (item.error != NULL)
    {
      g_propagate_error (error, item.error);
      return FALSE;
    }

  return TRUE;
}
