/* jm-event-log.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-event-log"

#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jm-event-log-private.h"
#include "jm-store-private.h"

/* Building the log is one pass over the project's journey events (a table scan in rowid
 * ranges, or a covering index in customer ranges where the schema has one, one thread and
 * one read-only connection per range) into flat arrays, with customers, names and channels
 * interned as they come. The ranges are merged, the events grouped by customer with a
 * counting sort and each customer's events sorted by (ts, arrival); arrival is unique in a
 * workspace, so the id is only read for rows that tie on both. Customers, names and channels
 * are numbered in strcmp order, so the same events always give the same log however they
 * were read. Session indices for the default gap come last.
 *
 * The live append merges what arrived since (rowid and arrival both beyond the log's marks)
 * into a copy of the columns, unless identities changed under the log. Property columns are
 * read on demand, in rowid ranges too, and kept per log under its mutex.
 */

G_DEFINE_QUARK (jm-event-log-error-quark, jm_event_log_error)

#define CANCEL_CHECK_INTERVAL 65536

/* The channel column is one byte wide; index 0 is "no touch". */
#define MAX_CHANNELS 256

static const guint32 empty_offsets[1] = { 0 };

/* Columns run to hundreds of megabytes. Touching fresh memory a 4 KiB page at a time is
 * then a large part of a build (a page fault each, expensive under virtualization), so large
 * columns ask for transparent huge pages where the system offers them on request.
 */
#define HUGE_COLUMN_BYTES (4 << 20)

static void
advise_huge_pages (gpointer column,
                   gsize    bytes)
{
#if defined(MADV_HUGEPAGE)
  static gsize page_size;
  guintptr start;
  guintptr end;

  if (bytes < HUGE_COLUMN_BYTES)
    return;

  if (page_size == 0)
    page_size = MAX (sysconf (_SC_PAGESIZE), 1);

  start = ((guintptr)column + page_size - 1) / page_size * page_size;
  end = ((guintptr)column + bytes) / page_size * page_size;
  if (end > start)
    madvise ((gpointer)start, end - start, MADV_HUGEPAGE);
#endif
}

gpointer
jm_column_new (gsize n,
               gsize size)
{
  gpointer column = g_malloc_n (n, size);

  advise_huge_pages (column, n * size);
  return column;
}

gpointer
jm_column_new0 (gsize n,
                gsize size)
{
  gpointer column = g_malloc0_n (n, size);

  advise_huge_pages (column, n * size);
  return column;
}

gpointer
jm_column_renew (gpointer column,
                 gsize    n,
                 gsize    size)
{
  column = g_realloc_n (column, n, size);
  advise_huge_pages (column, n * size);
  return column;
}


/* GPtrArray calls its free function on NULL elements too. */
static void
json_node_unref0 (gpointer node)
{
  if (node != NULL)
    json_node_unref (node);
}

static void
log_field_free (gpointer data)
{
  JmLogField *field = data;

  g_free (field->value);
  g_clear_pointer (&field->values, g_ptr_array_unref);
  g_free (field);
}

JmEventLog *
jm_event_log_new_empty (void)
{
  JmEventLog *self = g_new0 (JmEventLog, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  self->blocks = g_ptr_array_new_with_free_func (g_free);
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, log_field_free);
  self->columns.customer_offsets = empty_offsets;
  self->names.offsets = empty_offsets;
  self->customer_ids.offsets = empty_offsets;
  self->channels.offsets = empty_offsets;

  return self;
}

gpointer
jm_event_log_take_block (JmEventLog *self,
                         gpointer    block)
{
  if (block != NULL)
    g_ptr_array_add (self->blocks, block);

  return block;
}

static const char *
string_table_get (const JmStringTable *table,
                  guint32              index)
{
  return table->bytes + table->offsets[index];
}

/* Fills `table` with `strings`, in a block owned by `log`. */
static void
string_table_set (JmEventLog         *log,
                  JmStringTable      *table,
                  const char * const *strings,
                  guint32             n)
{
  guint32 *offsets = jm_event_log_take_block (log, g_new (guint32, n + 1));
  gsize size = 0;
  char *bytes;

  for (guint32 i = 0; i < n; i++)
    {
      offsets[i] = size;
      size += strlen (strings[i]) + 1;
    }
  offsets[n] = size;

  /* The cache file stores 32-bit offsets; a dictionary this large is not realistic. */
  g_assert (size <= G_MAXUINT32);

  bytes = jm_event_log_take_block (log, g_malloc (MAX (size, 1)));
  for (guint32 i = 0; i < n; i++)
    memcpy (bytes + offsets[i], strings[i], offsets[i + 1] - offsets[i]);

  table->n = n;
  table->offsets = offsets;
  table->bytes = bytes;
}

void
jm_event_log_index_names (JmEventLog *self)
{
  g_clear_pointer (&self->name_index, g_hash_table_unref);
  self->name_index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint32 i = 0; i < self->names.n; i++)
    g_hash_table_insert (self->name_index, (gpointer)string_table_get (&self->names, i),
                         GUINT_TO_POINTER (i + 1));
}

JmEventLog *
jm_event_log_ref (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
jm_event_log_unref (JmEventLog *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_clear_pointer (&self->customer_index, g_hash_table_unref);
  g_clear_pointer (&self->anonymous_index, g_hash_table_unref);
  g_clear_pointer (&self->name_index, g_hash_table_unref);
  g_clear_pointer (&self->rowid_order, g_free);
  g_clear_pointer (&self->field_db, sqlite3_close);
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  g_clear_pointer (&self->blocks, g_ptr_array_unref);
  g_clear_pointer (&self->shared, jm_event_log_unref);
  g_clear_object (&self->store);
  g_clear_pointer (&self->db_path, g_free);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

const JmEventLogColumns *
jm_event_log_get_columns (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->columns;
}

guint
jm_event_log_get_n_names (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->names.n;
}

const char *
jm_event_log_get_name (JmEventLog *self,
                       guint32     index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->names.n, NULL);

  return string_table_get (&self->names, index);
}

gboolean
jm_event_log_lookup_name (JmEventLog *self,
                          const char *name,
                          guint32    *out_index)
{
  gpointer value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (self->name_index == NULL)
    return FALSE;

  value = g_hash_table_lookup (self->name_index, name);
  if (value == NULL)
    return FALSE;

  if (out_index != NULL)
    *out_index = GPOINTER_TO_UINT (value) - 1;

  return TRUE;
}

const char *
jm_event_log_get_customer_id (JmEventLog *self,
                              guint32     customer)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (customer < self->columns.n_customers, NULL);

  return string_table_get (&self->customer_ids, customer);
}

gboolean
jm_event_log_is_anonymous (JmEventLog *self,
                           guint32     customer)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (customer < self->columns.n_customers, FALSE);

  return self->customer_anonymous != NULL && self->customer_anonymous[customer] != 0;
}

/* Must be called with the mutex held. */
static void
ensure_customer_index (JmEventLog *self)
{
  if (self->customer_index != NULL)
    return;

  self->customer_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->anonymous_index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint32 c = 0; c < self->columns.n_customers; c++)
    {
      gboolean anonymous = self->customer_anonymous != NULL && self->customer_anonymous[c];

      g_hash_table_insert (anonymous ? self->anonymous_index : self->customer_index,
                           (gpointer)string_table_get (&self->customer_ids, c),
                           GUINT_TO_POINTER (c + 1));
    }
}

/* The unit of a stitched customer id (anonymous = FALSE) or of an anonymous id. */
static gboolean
lookup_unit (JmEventLog *self,
             const char *id,
             gboolean    anonymous,
             guint32    *out_index)
{
  gpointer value;

  g_mutex_lock (&self->mutex);
  ensure_customer_index (self);
  value = g_hash_table_lookup (anonymous ? self->anonymous_index : self->customer_index, id);
  g_mutex_unlock (&self->mutex);

  if (value == NULL)
    return FALSE;

  if (out_index != NULL)
    *out_index = GPOINTER_TO_UINT (value) - 1;

  return TRUE;
}

gboolean
jm_event_log_lookup_customer (JmEventLog *self,
                              const char *customer_id,
                              guint32    *out_index)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (customer_id != NULL, FALSE);

  return lookup_unit (self, customer_id, FALSE, out_index) ||
         lookup_unit (self, customer_id, TRUE, out_index);
}

guint
jm_event_log_get_n_channels (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->channels.n;
}

const char *
jm_event_log_get_channel (JmEventLog *self,
                          guint8      index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->channels.n, NULL);

  return string_table_get (&self->channels, index);
}

JmStore *
jm_event_log_get_store (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->store;
}

gint64
jm_event_log_get_project (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->project;
}

gint64
jm_event_log_get_generation (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->generation;
}

gboolean
jm_event_log_is_mapped (JmEventLog *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->mapped != NULL;
}

/* Global session indices: a new session starts with each customer and wherever the gap to
 * the customer's previous event exceeds `gap_ms` (a gap of exactly `gap_ms` stays).
 */
static guint32
compute_sessions (const guint32 *offsets,
                  guint32        n_customers,
                  const gint64  *ts,
                  guint32       *session,
                  gint64         gap_ms)
{
  guint32 n_sessions = 0;

  for (guint32 c = 0; c < n_customers; c++)
    {
      for (guint32 i = offsets[c]; i < offsets[c + 1]; i++)
        {
          if (i == offsets[c] || ts[i] - ts[i - 1] > gap_ms)
            n_sessions++;
          session[i] = n_sessions - 1;
        }
    }

  return n_sessions;
}

static void
attach_store (JmEventLog *self,
              JmStore    *store)
{
  const char *path = jm_store_get_path (store);

  g_set_object (&self->store, store);
  g_clear_pointer (&self->db_path, g_free);

  /* An in-memory workspace cannot be opened a second time: fields then use the store's own
   * connection, from the store's thread.
   */
  if (path != NULL && *path != '\0' && strcmp (path, ":memory:") != 0 &&
      !g_str_has_prefix (path, "file:"))
    self->db_path = g_strdup (path);
}

static gboolean
lookup_project_created (JmStore  *store,
                        gint64    project,
                        gint64   *out_created,
                        GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  stmt = jm_store_prepare_cached (store, "SELECT created FROM projects WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, project);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "There is no project with id %" G_GINT64_FORMAT " in this workspace",
                   project);
      return FALSE;
    }

  if (rc != SQLITE_ROW)
    return jm_store_set_error_from_sqlite (store, error, "read the project");

  *out_created = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Reading rows ------------------------------------------------------------------------- */

/* A read-only connection of our own to the workspace file. The build and the property
 * loader read with it: a long read then neither borrows the store's connection (which
 * belongs to one thread) nor pays its mutex on every column of every row.
 */
static sqlite3 *
open_reader (const char  *path,
             GError     **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                   "Could not open the workspace to read its events: %s",
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_busy_timeout (db, 5000);

  return db;
}

/* The connection a build reads with: our own, in one read transaction (one snapshot for
 * all its statements), or the store's when the workspace is in memory or the store is in
 * the middle of a transaction of its own (whose rows only its connection sees).
 */
typedef struct
{
  JmStore *store;
  sqlite3 *db;
  gboolean own;
} Reader;

static void
reader_open (Reader  *reader,
             JmStore *store)
{
  g_autoptr(GError) error = NULL;
  const char *path = jm_store_get_path (store);

  reader->store = store;
  reader->db = NULL;
  reader->own = FALSE;

  if (path != NULL && *path != '\0' && strcmp (path, ":memory:") != 0 &&
      !g_str_has_prefix (path, "file:") && store->transaction_depth == 0)
    {
      reader->db = open_reader (path, &error);
      if (reader->db != NULL && sqlite3_exec (reader->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        reader->own = TRUE;
      else
        {
          g_debug ("Reading the events with the store's connection: %s",
                   error != NULL ? error->message : sqlite3_errmsg (reader->db));
          g_clear_pointer (&reader->db, sqlite3_close);
        }
    }

  if (reader->db == NULL)
    reader->db = jm_store_get_db (store);
}

static void
reader_close (Reader *reader)
{
  if (reader->own)
    {
      sqlite3_exec (reader->db, "COMMIT", NULL, NULL, NULL);
      sqlite3_close (reader->db);
    }

  reader->db = NULL;
  reader->own = FALSE;
}

static gboolean
reader_error (Reader      *reader,
              GError     **error,
              const char  *what)
{
  if (!reader->own)
    return jm_store_set_error_from_sqlite (reader->store, error, what);

  g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED, "Could not %s: %s",
               what, sqlite3_errmsg (reader->db));
  return FALSE;
}

/* The journey events read so far, in the order read. Each column is a list of blocks of
 * ROW_BLOCK_ROWS elements: reading never copies what it has read (growing flat arrays with
 * realloc() copied them again and again, a page fault per 4 KiB each time), and a column's
 * blocks can be freed as soon as it has been gathered into the log.
 */
#define ROW_BLOCK_SHIFT 19
#define ROW_BLOCK_ROWS ((gsize)1 << ROW_BLOCK_SHIFT)
#define ROW_BLOCK_MASK (ROW_BLOCK_ROWS - 1)

/* Element `i` of a column kept in blocks. */
#define ROW_AT(column, type, i) \
  (((type *)g_ptr_array_index ((column), (gsize)(i) >> ROW_BLOCK_SHIFT))[(gsize)(i) & ROW_BLOCK_MASK])

typedef struct
{
  gsize      n;
  GPtrArray *rowid;      /* gint64 */
  GPtrArray *ts;         /* gint64 */
  GPtrArray *arrival;    /* gint64 */
  GPtrArray *customer;   /* guint32 */
  GPtrArray *name;       /* guint32 */
  GPtrArray *channel;    /* guint8 */
} Rows;

static void
rows_init (Rows *rows)
{
  rows->n = 0;
  rows->rowid = g_ptr_array_new_with_free_func (g_free);
  rows->ts = g_ptr_array_new_with_free_func (g_free);
  rows->arrival = g_ptr_array_new_with_free_func (g_free);
  rows->customer = g_ptr_array_new_with_free_func (g_free);
  rows->name = g_ptr_array_new_with_free_func (g_free);
  rows->channel = g_ptr_array_new_with_free_func (g_free);
}

static void
rows_clear (Rows *rows)
{
  g_clear_pointer (&rows->rowid, g_ptr_array_unref);
  g_clear_pointer (&rows->ts, g_ptr_array_unref);
  g_clear_pointer (&rows->arrival, g_ptr_array_unref);
  g_clear_pointer (&rows->customer, g_ptr_array_unref);
  g_clear_pointer (&rows->name, g_ptr_array_unref);
  g_clear_pointer (&rows->channel, g_ptr_array_unref);
  rows->n = 0;
}

/* The index of a new row at the end. */
static gsize
rows_add (Rows *rows)
{
  if ((rows->n >> ROW_BLOCK_SHIFT) == rows->rowid->len)
    {
      /* The log's columns are indexed with 32-bit positions. */
      g_assert (rows->n < G_MAXUINT32);

      g_ptr_array_add (rows->rowid, jm_column_new (ROW_BLOCK_ROWS, sizeof (gint64)));
      g_ptr_array_add (rows->ts, jm_column_new (ROW_BLOCK_ROWS, sizeof (gint64)));
      g_ptr_array_add (rows->arrival, jm_column_new (ROW_BLOCK_ROWS, sizeof (gint64)));
      g_ptr_array_add (rows->customer, jm_column_new (ROW_BLOCK_ROWS, sizeof (guint32)));
      g_ptr_array_add (rows->name, jm_column_new (ROW_BLOCK_ROWS, sizeof (guint32)));
      g_ptr_array_add (rows->channel, jm_column_new (ROW_BLOCK_ROWS, sizeof (guint8)));
    }

  return rows->n++;
}

/* Interned strings: customers (stitched and anonymous ones kept apart), names, channels. */
typedef struct
{
  GStringChunk *chunk;
  GHashTable   *stitched;      /* customer id → index */
  GHashTable   *anonymous;     /* anonymous id → index */
  GPtrArray    *customer_ids;  /* index → id */
  GByteArray   *customer_anonymous;
  GHashTable   *name_index;
  GPtrArray    *names;
  GHashTable   *channel_index;
  GPtrArray    *channels;
  gboolean      too_many_channels;

  /* Consecutive rows often belong to the same customer. */
  const char   *last_customer;
  gboolean      last_anonymous;
  guint32       last_customer_index;
} Dictionaries;

static void
dictionaries_init (Dictionaries *dicts)
{
  memset (dicts, 0, sizeof *dicts);
  dicts->chunk = g_string_chunk_new (64 * 1024);
  dicts->stitched = g_hash_table_new (g_str_hash, g_str_equal);
  dicts->anonymous = g_hash_table_new (g_str_hash, g_str_equal);
  dicts->customer_ids = g_ptr_array_new ();
  dicts->customer_anonymous = g_byte_array_new ();
  dicts->name_index = g_hash_table_new (g_str_hash, g_str_equal);
  dicts->names = g_ptr_array_new ();
  dicts->channel_index = g_hash_table_new (g_str_hash, g_str_equal);
  dicts->channels = g_ptr_array_new ();
  g_ptr_array_add (dicts->channels, (gpointer)"");
  g_hash_table_insert (dicts->channel_index, (gpointer)"", GUINT_TO_POINTER (0));
}

static void
dictionaries_clear (Dictionaries *dicts)
{
  g_clear_pointer (&dicts->stitched, g_hash_table_unref);
  g_clear_pointer (&dicts->anonymous, g_hash_table_unref);
  g_clear_pointer (&dicts->customer_ids, g_ptr_array_unref);
  g_clear_pointer (&dicts->customer_anonymous, g_byte_array_unref);
  g_clear_pointer (&dicts->name_index, g_hash_table_unref);
  g_clear_pointer (&dicts->names, g_ptr_array_unref);
  g_clear_pointer (&dicts->channel_index, g_hash_table_unref);
  g_clear_pointer (&dicts->channels, g_ptr_array_unref);
  g_clear_pointer (&dicts->chunk, g_string_chunk_free);
}

static guint32
intern (GStringChunk *chunk,
        GHashTable   *index,
        GPtrArray    *list,
        const char   *text)
{
  gpointer value;
  char *copy;

  if (g_hash_table_lookup_extended (index, text, NULL, &value))
    return GPOINTER_TO_UINT (value);

  copy = g_string_chunk_insert (chunk, text);
  g_ptr_array_add (list, copy);
  g_hash_table_insert (index, copy, GUINT_TO_POINTER (list->len - 1));

  return list->len - 1;
}

static guint32
intern_customer (Dictionaries *dicts,
                 const char   *id,
                 gboolean      anonymous)
{
  GHashTable *index = anonymous ? dicts->anonymous : dicts->stitched;
  guint32 before = dicts->customer_ids->len;
  guint32 result;

  if (dicts->last_customer != NULL && dicts->last_anonymous == anonymous &&
      strcmp (dicts->last_customer, id) == 0)
    return dicts->last_customer_index;

  result = intern (dicts->chunk, index, dicts->customer_ids, id);
  if (dicts->customer_ids->len != before)
    {
      guint8 kind = anonymous ? 1 : 0;

      g_byte_array_append (dicts->customer_anonymous, &kind, 1);
    }

  dicts->last_customer = g_ptr_array_index (dicts->customer_ids, result);
  dicts->last_anonymous = anonymous;
  dicts->last_customer_index = result;

  return result;
}

static guint8
intern_channel (Dictionaries *dicts,
                const char   *touch)
{
  gpointer value;

  if (touch == NULL || *touch == '\0')
    return 0;

  if (g_hash_table_lookup_extended (dicts->channel_index, touch, NULL, &value))
    return GPOINTER_TO_UINT (value);

  if (dicts->channels->len >= MAX_CHANNELS)
    {
      if (!dicts->too_many_channels)
        g_debug ("More than %d distinct touches; the others count as no touch", MAX_CHANNELS - 1);
      dicts->too_many_channels = TRUE;
      return 0;
    }

  return intern (dicts->chunk, dicts->channel_index, dicts->channels, touch);
}

/* Every statement reading events returns these columns first. */
enum {
  COL_ROWID,
  COL_NAME,
  COL_CUSTOMER_ID,
  COL_ANONYMOUS_ID,
  COL_TS,
  COL_ARRIVAL,
  COL_TOUCH,
  COL_TYPE,          /* delta_sql only */
};

/* What came after a log was built (jm_event_log_append()), of every type: rows past the last
 * rowid, and older rows with a newer arrival. Written as two index searches, since `rowid > ?2
 * OR arrival > ?3` makes SQLite visit every row of the project.
 */
static const char delta_sql[] =
  "SELECT rowid, name, customer_id, anonymous_id, ts, arrival, touch, type "
  "FROM events WHERE +project = ?1 AND rowid > ?2 "
  "UNION ALL "
  "SELECT rowid, name, customer_id, anonymous_id, ts, arrival, touch, type "
  "FROM events INDEXED BY events_arrival WHERE project = ?1 AND arrival > ?3 AND rowid <= ?2 "
  "ORDER BY 1";

static gboolean
is_journey_type (const char *type)
{
  /* The CHECK constraint limits `type` to six words; three start with t, p and s. */
  return type != NULL && (type[0] == 't' || type[0] == 'p' || type[0] == 's');
}

/* Appends the journey event of the current row of `stmt` to `rows`. Journey events without
 * a name (a page view without path, url or name) are not steps of any journey, and events
 * without any id belong to no unit: both are left out.
 */
static void
add_row (Rows         *rows,
         Dictionaries *dicts,
         sqlite3_stmt *stmt)
{
  const char *name = (const char *)sqlite3_column_text (stmt, COL_NAME);
  const char *customer_id = (const char *)sqlite3_column_text (stmt, COL_CUSTOMER_ID);
  const char *anonymous_id = NULL;
  gsize i;

  if (name == NULL)
    return;

  if (customer_id == NULL)
    {
      anonymous_id = (const char *)sqlite3_column_text (stmt, COL_ANONYMOUS_ID);
      if (anonymous_id == NULL)
        return;
    }

  i = rows_add (rows);
  ROW_AT (rows->rowid, gint64, i) = sqlite3_column_int64 (stmt, COL_ROWID);
  ROW_AT (rows->ts, gint64, i) = sqlite3_column_int64 (stmt, COL_TS);
  ROW_AT (rows->arrival, gint64, i) = sqlite3_column_int64 (stmt, COL_ARRIVAL);
  ROW_AT (rows->customer, guint32, i) =
    customer_id != NULL ? intern_customer (dicts, customer_id, FALSE)
                        : intern_customer (dicts, anonymous_id, TRUE);
  ROW_AT (rows->name, guint32, i) = intern (dicts->chunk, dicts->name_index, dicts->names,
                                            name);
  ROW_AT (rows->channel, guint8, i) =
    intern_channel (dicts, (const char *)sqlite3_column_text (stmt, COL_TOUCH));
}

/* Sorting ------------------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *ts;
  GPtrArray *arrival;
} EventKeys;

static inline int
compare_event_keys (const EventKeys *keys,
                    guint32          a,
                    guint32          b)
{
  gint64 ts_a = ROW_AT (keys->ts, gint64, a);
  gint64 ts_b = ROW_AT (keys->ts, gint64, b);
  gint64 arrival_a, arrival_b;

  if (ts_a != ts_b)
    return ts_a < ts_b ? -1 : 1;

  arrival_a = ROW_AT (keys->arrival, gint64, a);
  arrival_b = ROW_AT (keys->arrival, gint64, b);
  if (arrival_a != arrival_b)
    return arrival_a < arrival_b ? -1 : 1;
  return 0;
}

static int
compare_events_cb (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  return compare_event_keys (user_data, *(const guint32 *)a, *(const guint32 *)b);
}

/* Sorts the row indices `perm[0..n)` by (ts, arrival). Most customers' rows come in time
 * order already, so the common case is one check.
 */
static void
sort_segment (guint32         *perm,
              guint32          n,
              const EventKeys *keys)
{
  gboolean sorted = TRUE;

  for (guint32 k = 1; k < n && sorted; k++)
    sorted = compare_event_keys (keys, perm[k - 1], perm[k]) <= 0;

  if (sorted)
    return;

  if (n <= 16)
    {
      for (guint32 k = 1; k < n; k++)
        {
          guint32 value = perm[k];
          guint32 j = k;

          for (; j > 0 && compare_event_keys (keys, perm[j - 1], value) > 0; j--)
            perm[j] = perm[j - 1];
          perm[j] = value;
        }
    }
  else
    {
      g_qsort_with_data (perm, n, sizeof (guint32), compare_events_cb, (gpointer)keys);
    }
}

typedef struct
{
  guint32  row;
  char    *id;
} TiedRow;

static int
compare_tied_rows (gconstpointer a,
                   gconstpointer b)
{
  return strcmp (((const TiedRow *)a)->id, ((const TiedRow *)b)->id);
}

/* Orders a run of rows with equal (ts, arrival) by id, the last key of DESIGN §5. Arrival
 * is unique in a workspace, so this only happens with rows synced in from elsewhere.
 */
static gboolean
sort_tie_by_id (Reader      *reader,
                guint32     *perm,
                guint32      n,
                const Rows  *rows,
                GError     **error)
{
  g_autofree TiedRow *tied = g_new0 (TiedRow, n);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (reader->db, "SELECT id FROM events WHERE rowid = ?1", -1, &stmt,
                          NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return reader_error (reader, error, "read the events");
    }

  for (guint32 k = 0; k < n; k++)
    {
      const char *id = NULL;

      sqlite3_bind_int64 (stmt, 1, ROW_AT (rows->rowid, gint64, perm[k]));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = (const char *)sqlite3_column_text (stmt, 0);
      tied[k].row = perm[k];
      tied[k].id = g_strdup (id != NULL ? id : "");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  qsort (tied, n, sizeof (TiedRow), compare_tied_rows);
  for (guint32 k = 0; k < n; k++)
    {
      perm[k] = tied[k].row;
      g_free (tied[k].id);
    }

  return TRUE;
}

static gboolean
sort_customer_events (Reader          *reader,
                      guint32         *perm,
                      guint32          n,
                      const Rows      *rows,
                      const EventKeys *keys,
                      GError         **error)
{
  sort_segment (perm, n, keys);

  for (guint32 start = 0; start < n;)
    {
      guint32 end = start + 1;

      while (end < n && compare_event_keys (keys, perm[start], perm[end]) == 0)
        end++;

      if (end - start > 1 && !sort_tie_by_id (reader, perm + start, end - start, rows, error))
        return FALSE;

      start = end;
    }

  return TRUE;
}

typedef struct
{
  const char * const *ids;
  const guint8       *anonymous;
} CustomerKeys;

static int
compare_customers_cb (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  const CustomerKeys *keys = user_data;
  guint32 i = *(const guint32 *)a;
  guint32 j = *(const guint32 *)b;
  int cmp = strcmp (keys->ids[i], keys->ids[j]);

  if (cmp != 0)
    return cmp;

  return (int)keys->anonymous[i] - (int)keys->anonymous[j];
}

/* Customer indices ordered by (id, stitched before anonymous). */
static guint32 *
order_customers (const char * const *ids,
                 const guint8       *anonymous,
                 guint32             n)
{
  CustomerKeys keys = { ids, anonymous };
  guint32 *order = jm_column_new (MAX (n, 1), sizeof (guint32));

  for (guint32 i = 0; i < n; i++)
    order[i] = i;

  g_qsort_with_data (order, n, sizeof (guint32), compare_customers_cb, &keys);

  return order;
}

typedef struct
{
  const char *text;
  guint32     index;
} DictionaryEntry;

static int
compare_entries_cb (gconstpointer a,
                    gconstpointer b)
{
  return strcmp (((const DictionaryEntry *)a)->text, ((const DictionaryEntry *)b)->text);
}

/* Sorts `strings[first…]` by strcmp in place and returns the map from old to new indices
 * (the first `first` stay where they are). Names and channels are numbered this way so that
 * the numbering depends on the events, not on the order they were read in.
 */
static guint32 *
sort_dictionary (GPtrArray *strings,
                 guint32    first)
{
  guint32 n = strings->len;
  g_autofree DictionaryEntry *entries = g_new (DictionaryEntry, MAX (n, 1));
  guint32 *remap = jm_column_new (MAX (n, 1), sizeof (guint32));

  for (guint32 k = 0; k < n; k++)
    {
      entries[k].text = g_ptr_array_index (strings, k);
      entries[k].index = k;
    }

  if (n > first)
    qsort (entries + first, n - first, sizeof (DictionaryEntry), compare_entries_cb);

  for (guint32 k = 0; k < n; k++)
    {
      remap[entries[k].index] = k;
      g_ptr_array_index (strings, k) = (gpointer)entries[k].text;
    }

  return remap;
}

/* Turns the rows read into the columns of `log`. Frees the rows. */
static gboolean
assemble (JmEventLog    *log,
          Reader        *reader,
          Rows          *rows,
          Dictionaries  *dicts,
          GCancellable  *cancellable,
          GError       **error)
{
  guint32 n = rows->n;
  guint32 n_customers = dicts->customer_ids->len;
  const char * const *ids = (const char * const *)dicts->customer_ids->pdata;
  EventKeys keys = { rows->ts, rows->arrival };
  g_autofree guint32 *order = NULL;
  g_autofree guint32 *remap = NULL;
  g_autofree guint32 *cursor = NULL;
  g_autofree guint32 *perm = NULL;
  g_autofree guint32 *name_remap = NULL;
  g_autofree guint32 *channel_remap = NULL;
  g_autofree const char **sorted_ids = NULL;
  guint32 *offsets;
  guint32 *customer;
  guint32 *name;
  guint32 *session;
  guint8 *channel;
  guint8 *anonymous;
  gint64 *ts;
  gint64 *rowid;

  order = order_customers (ids, dicts->customer_anonymous->data, n_customers);
  remap = g_new (guint32, MAX (n_customers, 1));
  for (guint32 k = 0; k < n_customers; k++)
    remap[order[k]] = k;

  /* Counting sort by customer: stable, so each customer's rows stay in the order read. */
  offsets = jm_event_log_take_block (log, g_new0 (guint32, n_customers + 1));
  for (guint32 i = 0; i < n; i++)
    offsets[remap[ROW_AT (rows->customer, guint32, i)] + 1]++;
  for (guint32 c = 0; c < n_customers; c++)
    offsets[c + 1] += offsets[c];

  cursor = g_memdup2 (offsets, sizeof (guint32) * (n_customers + 1));
  perm = jm_column_new (MAX (n, 1), sizeof (guint32));
  for (guint32 i = 0; i < n; i++)
    perm[cursor[remap[ROW_AT (rows->customer, guint32, i)]]++] = i;

  for (guint32 c = 0; c < n_customers; c++)
    {
      if (c % 4096 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (!sort_customer_events (reader, perm + offsets[c], offsets[c + 1] - offsets[c],
                                 rows, &keys, error))
        return FALSE;
    }

  name_remap = sort_dictionary (dicts->names, 0);
  channel_remap = sort_dictionary (dicts->channels, 1);

  /* Gather the columns one at a time, freeing each source array as soon as it is done. */
  customer = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint32)));
  for (guint32 c = 0; c < n_customers; c++)
    for (guint32 i = offsets[c]; i < offsets[c + 1]; i++)
      customer[i] = c;

  ts = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (gint64)));
  for (guint32 i = 0; i < n; i++)
    ts[i] = ROW_AT (rows->ts, gint64, perm[i]);
  g_ptr_array_set_size (rows->ts, 0);
  g_ptr_array_set_size (rows->arrival, 0);

  rowid = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (gint64)));
  for (guint32 i = 0; i < n; i++)
    rowid[i] = ROW_AT (rows->rowid, gint64, perm[i]);
  g_ptr_array_set_size (rows->rowid, 0);

  name = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint32)));
  for (guint32 i = 0; i < n; i++)
    name[i] = name_remap[ROW_AT (rows->name, guint32, perm[i])];
  g_ptr_array_set_size (rows->name, 0);

  channel = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint8)));
  for (guint32 i = 0; i < n; i++)
    channel[i] = channel_remap[ROW_AT (rows->channel, guint8, perm[i])];
  rows_clear (rows);

  session = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint32)));

  log->columns.n_events = n;
  log->columns.n_customers = n_customers;
  log->columns.customer = customer;
  log->columns.ts = ts;
  log->columns.name = name;
  log->columns.channel = channel;
  log->columns.session = session;
  log->columns.rowid = rowid;
  log->columns.customer_offsets = offsets;
  log->columns.n_sessions = compute_sessions (offsets, n_customers, ts, session,
                                              JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS);

  sorted_ids = g_new (const char *, MAX (n_customers, 1));
  anonymous = jm_event_log_take_block (log, g_new (guint8, MAX (n_customers, 1)));
  for (guint32 k = 0; k < n_customers; k++)
    {
      sorted_ids[k] = ids[order[k]];
      anonymous[k] = dicts->customer_anonymous->data[order[k]];
    }
  string_table_set (log, &log->customer_ids, sorted_ids, n_customers);
  log->customer_anonymous = anonymous;

  string_table_set (log, &log->names, (const char * const *)dicts->names->pdata,
                    dicts->names->len);
  string_table_set (log, &log->channels, (const char * const *)dicts->channels->pdata,
                    dicts->channels->len);
  jm_event_log_index_names (log);

  return TRUE;
}

/* Scanning in parts ------------------------------------------------------------------------ */

/* The build reads in up to MAX_PARTS parts at once, one thread and one connection each:
 * reading SQLite rows is most of its time. A table scan is split by rowid, a scan of the
 * covering index by customer id (anonymous devices, whose customer_id is NULL, go to the
 * first part). Each part interns into dictionaries of its own; the parts are then merged
 * into the first, in order, before the sort. Small workspaces are read in one part.
 */
#define MAX_PARTS 4

static guint scan_parts = 0;                  /* 0: one per processor, up to MAX_PARTS */
static guint min_rows_per_part = 100000;      /* table scan */
static guint min_customers_per_part = 1000;   /* index scan */

void
jm_event_log_set_scan_parts (guint n_parts,
                             guint rows_per_part,
                             guint customers_per_part)
{
  scan_parts = MIN (n_parts, MAX_PARTS);
  min_rows_per_part = rows_per_part > 0 ? rows_per_part : 100000;
  min_customers_per_part = customers_per_part > 0 ? customers_per_part : 1000;
}

typedef struct
{
  Reader        reader;
  gint64        project;
  gboolean      use_index;
  /* Table scan: rowid in (rowid_low, rowid_high]. Index scan: customer ids in
   * [key_low, key_high) (NULL: unbounded), plus the anonymous rows when `anonymous`.
   */
  gint64        rowid_low;
  gint64        rowid_high;
  char         *key_low;
  char         *key_high;
  gboolean      anonymous;
  GCancellable *cancellable;

  Rows          rows;
  Dictionaries  dicts;
  gboolean      ok;
  GError       *error;
} ScanPart;

static const char scan_index_all_sql[] =
  "SELECT rowid, name, customer_id, anonymous_id, ts, arrival, touch "
  "FROM events INDEXED BY events_journey "
  "WHERE project = ?1 AND type IN ('track', 'page', 'screen') AND name IS NOT NULL";

static const char scan_index_anonymous_sql[] =
  "SELECT rowid, name, customer_id, anonymous_id, ts, arrival, touch "
  "FROM events INDEXED BY events_journey "
  "WHERE project = ?1 AND customer_id IS NULL "
  "AND type IN ('track', 'page', 'screen') AND name IS NOT NULL";

/* Two statements, so that both bounds are index ranges; no lower bound is the empty string,
 * which sorts before every id.
 */
static const char scan_index_range_sql[] =
  "SELECT rowid, name, customer_id, anonymous_id, ts, arrival, touch "
  "FROM events INDEXED BY events_journey "
  "WHERE project = ?1 AND customer_id >= ?2 AND customer_id < ?3 "
  "AND type IN ('track', 'page', 'screen') AND name IS NOT NULL";

static const char scan_index_from_sql[] =
  "SELECT rowid, name, customer_id, anonymous_id, ts, arrival, touch "
  "FROM events INDEXED BY events_journey "
  "WHERE project = ?1 AND customer_id >= ?2 "
  "AND type IN ('track', 'page', 'screen') AND name IS NOT NULL";

static const char scan_table_sql[] =
  "SELECT rowid, name, customer_id, anonymous_id, ts, arrival, touch "
  "FROM events NOT INDEXED "
  "WHERE project = ?1 AND rowid > ?2 AND rowid <= ?3 "
  "AND type IN ('track', 'page', 'screen') AND name IS NOT NULL";

/* Marks of the snapshot the build reads: whatever comes later has a larger rowid and a
 * larger arrival. One subquery each, so that both take SQLite's min/max shortcut.
 */
static const char marks_sql[] =
  "SELECT (SELECT max(rowid) FROM events), (SELECT max(arrival) FROM events)";

static gboolean
run_scan_statement (ScanPart   *part,
                    const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gsize n_read = 0;
  int rc;

  if (sqlite3_prepare_v2 (part->reader.db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return reader_error (&part->reader, &part->error, "read the events");
    }

  sqlite3_bind_int64 (stmt, 1, part->project);
  if (sql == scan_table_sql)
    {
      sqlite3_bind_int64 (stmt, 2, part->rowid_low);
      sqlite3_bind_int64 (stmt, 3, part->rowid_high);
    }
  else if (sql == scan_index_range_sql || sql == scan_index_from_sql)
    {
      sqlite3_bind_text (stmt, 2, part->key_low != NULL ? part->key_low : "", -1, SQLITE_STATIC);
      if (sql == scan_index_range_sql)
        sqlite3_bind_text (stmt, 3, part->key_high, -1, SQLITE_STATIC);
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      add_row (&part->rows, &part->dicts, stmt);

      if (++n_read % CANCEL_CHECK_INTERVAL == 0 &&
          g_cancellable_is_cancelled (part->cancellable))
        break;
    }

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      reader_error (&part->reader, &part->error, "read the events");
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  return !g_cancellable_set_error_if_cancelled (part->cancellable, &part->error);
}

static gpointer
scan_part (gpointer data)
{
  ScanPart *part = data;

  if (!part->use_index)
    part->ok = run_scan_statement (part, scan_table_sql);
  else if (part->anonymous && part->key_low == NULL && part->key_high == NULL)
    part->ok = run_scan_statement (part, scan_index_all_sql);
  else
    part->ok = (!part->anonymous || run_scan_statement (part, scan_index_anonymous_sql)) &&
               run_scan_statement (part, part->key_high != NULL ? scan_index_range_sql
                                                                : scan_index_from_sql);

  return NULL;
}

static void
scan_part_clear (ScanPart *part)
{
  reader_close (&part->reader);
  rows_clear (&part->rows);
  dictionaries_clear (&part->dicts);
  g_clear_pointer (&part->key_low, g_free);
  g_clear_pointer (&part->key_high, g_free);
  g_clear_error (&part->error);
}

/* Appends the rows of `from` to `into`, renumbering its customers, names and channels. */
static void
merge_part (ScanPart *into,
            ScanPart *from)
{
  Dictionaries *dicts = &into->dicts;
  Rows *rows = &into->rows;
  g_autofree guint32 *customers = g_new (guint32, MAX (from->dicts.customer_ids->len, 1));
  g_autofree guint32 *names = g_new (guint32, MAX (from->dicts.names->len, 1));
  g_autofree guint8 *channels = g_new (guint8, from->dicts.channels->len);
  gsize base = rows->n;

  for (guint32 k = 0; k < from->dicts.customer_ids->len; k++)
    customers[k] = intern_customer (dicts, g_ptr_array_index (from->dicts.customer_ids, k),
                                    from->dicts.customer_anonymous->data[k]);
  for (guint32 k = 0; k < from->dicts.names->len; k++)
    names[k] = intern (dicts->chunk, dicts->name_index, dicts->names,
                       g_ptr_array_index (from->dicts.names, k));
  for (guint32 k = 0; k < from->dicts.channels->len; k++)
    channels[k] = intern_channel (dicts, g_ptr_array_index (from->dicts.channels, k));

  for (gsize i = 0; i < from->rows.n; i++)
    {
      gsize j = rows_add (rows);

      ROW_AT (rows->rowid, gint64, j) = ROW_AT (from->rows.rowid, gint64, i);
      ROW_AT (rows->ts, gint64, j) = ROW_AT (from->rows.ts, gint64, i);
      ROW_AT (rows->arrival, gint64, j) = ROW_AT (from->rows.arrival, gint64, i);
      ROW_AT (rows->customer, guint32, j) = customers[ROW_AT (from->rows.customer, guint32, i)];
      ROW_AT (rows->name, guint32, j) = names[ROW_AT (from->rows.name, guint32, i)];
      ROW_AT (rows->channel, guint8, j) = channels[ROW_AT (from->rows.channel, guint8, i)];
    }
  g_assert (rows->n == base + from->rows.n);

  rows_clear (&from->rows);
}

/* Customer ids cutting the project's customers into `n_parts` ranges of about the same
 * size; FALSE when there are too few to be worth it.
 */
static gboolean
split_customers (Reader  *reader,
                 gint64   project,
                 guint    n_parts,
                 char   **keys)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n_customers = 0;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (reader->db, "SELECT count(*) FROM customers WHERE project = ?1",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, project);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        n_customers = sqlite3_column_int64 (stmt, 0);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (n_customers < (gint64)n_parts * min_customers_per_part ||
      sqlite3_prepare_v2 (reader->db,
                          "SELECT customer_id FROM customers WHERE project = ?1 "
                          "ORDER BY customer_id LIMIT 1 OFFSET ?2", -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return FALSE;
    }

  for (guint k = 1; k < n_parts && ok; k++)
    {
      sqlite3_bind_int64 (stmt, 1, project);
      sqlite3_bind_int64 (stmt, 2, n_customers * k / n_parts);
      ok = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL &&
           (k == 1 || strcmp ((const char *)sqlite3_column_text (stmt, 0), keys[k - 1]) > 0);
      if (ok)
        keys[k] = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  return ok;
}

/* Reads the journey events of `project` into parts[0], with the marks of the snapshot. */
static gboolean
scan (JmStore       *store,
      gint64         project,
      ScanPart      *parts,
      gint64        *out_max_rowid,
      gint64        *out_max_arrival,
      guint         *out_n_parts,
      GCancellable  *cancellable,
      GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  char *keys[MAX_PARTS] = { NULL, };
  GThread *threads[MAX_PARTS] = { NULL, };
  guint n_parts = scan_parts > 0 ? scan_parts : CLAMP (g_get_num_processors (), 1, MAX_PARTS);
  gboolean use_index;
  gboolean ok = TRUE;

  reader_open (&parts[0].reader, store);

  if (sqlite3_prepare_v2 (parts[0].reader.db, marks_sql, -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return reader_error (&parts[0].reader, error, "read the events");
    }
  *out_max_rowid = sqlite3_column_int64 (stmt, 0);
  *out_max_arrival = sqlite3_column_int64 (stmt, 1);
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* The index is used where the schema has it. */
  use_index = sqlite3_prepare_v2 (parts[0].reader.db, scan_index_all_sql, -1, &stmt,
                                  NULL) == SQLITE_OK;
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Parts need connections of their own. */
  if (!parts[0].reader.own)
    n_parts = 1;
  else if (use_index && n_parts > 1 && !split_customers (&parts[0].reader, project, n_parts, keys))
    n_parts = 1;
  else if (!use_index && *out_max_rowid < (gint64)n_parts * min_rows_per_part)
    n_parts = 1;

  *out_n_parts = n_parts;

  for (guint k = 0; k < n_parts; k++)
    {
      ScanPart *part = &parts[k];

      dictionaries_init (&part->dicts);
      rows_init (&part->rows);
      part->project = project;
      part->use_index = use_index;
      part->cancellable = cancellable;
      part->rowid_low = k == 0 ? G_MININT64 : *out_max_rowid * k / n_parts;
      part->rowid_high = *out_max_rowid * (k + 1) / n_parts;
      part->anonymous = k == 0;
      part->key_low = k == 0 ? NULL : g_strdup (keys[k]);
      part->key_high = k + 1 < n_parts ? g_strdup (keys[k + 1]) : NULL;

      if (k > 0)
        {
          /* Each part reads its own snapshot: a commit between two of them at worst makes
           * the log look older than it is (its generation was read before), so it is
           * rebuilt once more later; rows added later are beyond rowid_high or the marks.
           */
          reader_open (&part->reader, store);
          if (!part->reader.own)
            {
              g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                           "Could not open the workspace a second time to read its events");
              ok = FALSE;
              break;
            }
          threads[k] = g_thread_new ("jm-event-log", scan_part, part);
        }
    }

  if (ok)
    scan_part (&parts[0]);

  for (guint k = 1; k < n_parts; k++)
    {
      if (threads[k] != NULL)
        g_thread_join (threads[k]);
    }

  for (guint k = 0; k < n_parts && ok; k++)
    {
      if (!parts[k].ok)
        {
          g_propagate_error (error, g_steal_pointer (&parts[k].error));
          ok = FALSE;
        }
    }

  for (guint k = 1; k < n_parts; k++)
    {
      if (ok)
        merge_part (&parts[0], &parts[k]);
      scan_part_clear (&parts[k]);
    }

  for (guint k = 0; k < MAX_PARTS; k++)
    g_free (keys[k]);

  return ok;
}

JmEventLog *
jm_event_log_build (JmStore       *store,
                    gint64         project,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(JmEventLog) log = NULL;
  ScanPart parts[MAX_PARTS];
  gint64 created;
  gint64 max_rowid = 0;
  gint64 max_arrival = 0;
  gint64 generation;
  gint64 removals;
  gint64 began = g_get_monotonic_time ();
  gint64 scanned;
  guint n_parts = 1;
  gboolean ok;

  g_return_val_if_fail (JM_IS_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lookup_project_created (store, project, &created, error))
    return NULL;

  /* Read before the rows: if a writer commits in between, the log is labelled older than
   * it is and merely rebuilt once more, never taken as current when it is not.
   */
  jm_store_get_change_marks (store, project, &generation, &removals);

  memset (parts, 0, sizeof parts);
  ok = scan (store, project, parts, &max_rowid, &max_arrival, &n_parts, cancellable, error);
  scanned = g_get_monotonic_time ();

  if (ok)
    {
      log = jm_event_log_new_empty ();
      ok = assemble (log, &parts[0].reader, &parts[0].rows, &parts[0].dicts, cancellable,
                     error);
    }

  scan_part_clear (&parts[0]);

  if (!ok)
    return NULL;

  attach_store (log, store);
  log->project = project;
  log->generation = generation;
  log->removals = removals;
  log->max_rowid = max_rowid;
  log->max_arrival = max_arrival;
  log->n_scan_parts = n_parts;

  g_debug ("Built the event log of project %" G_GINT64_FORMAT ": %u events, %u customers, "
           "%u sessions in %.0f ms (reading %.0f ms in %u part%s)", project,
           log->columns.n_events, log->columns.n_customers, log->columns.n_sessions,
           (g_get_monotonic_time () - began) / 1000.0, (scanned - began) / 1000.0,
           n_parts, n_parts > 1 ? "s" : "");

  return g_steal_pointer (&log);
}

JmEventLog *
jm_event_log_load (JmStore       *store,
                   gint64         project,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  JmEventLog *log;
  gint64 created;
  gint64 generation;
  gint64 removals;

  g_return_val_if_fail (JM_IS_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lookup_project_created (store, project, &created, error))
    return NULL;

  jm_store_get_change_marks (store, project, &generation, &removals);
  path = jm_event_log_dup_cache_path (store, project);

  if (path != NULL)
    {
      log = jm_event_log_read_cache (path, project, created, generation, &local_error);
      if (log != NULL)
        {
          /* The cache is of this generation, so of these removals too. */
          log->removals = removals;
          attach_store (log, store);
          return log;
        }

      g_debug ("Building the event log of project %" G_GINT64_FORMAT ": %s",
               project, local_error->message);
      g_clear_error (&local_error);
    }

  log = jm_event_log_build (store, project, cancellable, error);
  if (log == NULL)
    return NULL;

  /* A workspace opened read-only is not written beside either. */
  if (path != NULL && (store->flags & JM_STORE_OPEN_READONLY) == 0 &&
      !jm_event_log_write_cache (log, path, created, &local_error))
    g_debug ("Not keeping the event log beside the workspace: %s", local_error->message);

  return log;
}

/* The live append ---------------------------------------------------------------------- */

/* A log with the columns of `base` and newer workspace marks: nothing journey-related
 * arrived.
 */
static JmEventLog *
share_columns (JmEventLog *base)
{
  JmEventLog *log = jm_event_log_new_empty ();

  log->shared = jm_event_log_ref (base);
  log->columns = base->columns;
  log->names = base->names;
  log->customer_ids = base->customer_ids;
  log->customer_anonymous = base->customer_anonymous;
  log->channels = base->channels;
  jm_event_log_index_names (log);

  return log;
}

typedef enum
{
  DELTA_OK,
  DELTA_REBUILD,
  DELTA_FAILED,
} DeltaResult;

/* Reads the project's events that came after `self` was built: journey events go to
 * `rows` and `dicts`. Anything that could have changed events already in `self` asks for
 * a rebuild instead.
 */
static DeltaResult
read_delta (JmEventLog    *self,
            JmStore       *store,
            Rows          *rows,
            Dictionaries  *dicts,
            gint64        *out_max_rowid,
            gint64        *out_max_arrival,
            GError       **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  DeltaResult result = DELTA_OK;
  int rc;

  stmt = jm_store_prepare_cached (store, delta_sql, error);
  if (stmt == NULL)
    return DELTA_FAILED;

  sqlite3_bind_int64 (stmt, 1, self->project);
  sqlite3_bind_int64 (stmt, 2, self->max_rowid);
  sqlite3_bind_int64 (stmt, 3, self->max_arrival);

  while (result == DELTA_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = (const char *)sqlite3_column_text (stmt, COL_TYPE);
      const char *customer_id = (const char *)sqlite3_column_text (stmt, COL_CUSTOMER_ID);
      const char *anonymous_id = (const char *)sqlite3_column_text (stmt, COL_ANONYMOUS_ID);
      gint64 rowid = sqlite3_column_int64 (stmt, COL_ROWID);
      gint64 arrival = sqlite3_column_int64 (stmt, COL_ARRIVAL);

      /* A row that is not strictly newer on both counts was synced in with an old arrival,
       * or took the rowid of a deleted row: its place among the old events is unknown.
       */
      if (rowid <= self->max_rowid || arrival <= self->max_arrival)
        {
          g_debug ("Event log append: an event arrived out of order");
          result = DELTA_REBUILD;
        }
      /* An alias links an id the row does not show (its previous id). */
      else if (type != NULL && strcmp (type, "alias") == 0)
        {
          g_debug ("Event log append: an alias may have merged identities");
          result = DELTA_REBUILD;
        }
      /* The ingest path gives a newly linked anonymous id's earlier events to the
       * customer (DESIGN §3): in the log, that anonymous id is a unit of its own.
       */
      else if (customer_id != NULL && anonymous_id != NULL &&
               strcmp (customer_id, anonymous_id) != 0 &&
               lookup_unit (self, anonymous_id, TRUE, NULL))
        {
          g_debug ("Event log append: anonymous id “%s” was linked to a customer",
                   anonymous_id);
          result = DELTA_REBUILD;
        }
      else
        {
          *out_max_rowid = MAX (*out_max_rowid, rowid);
          *out_max_arrival = MAX (*out_max_arrival, arrival);

          if (is_journey_type (type))
            add_row (rows, dicts, stmt);
        }
    }

  if (result == DELTA_OK && rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (store, error, "read the new events");
      result = DELTA_FAILED;
    }

  return result;
}

/* The merged customer list of the log and the delta, ordered as a build orders it. */
typedef struct
{
  guint32  n;
  guint32 *from_log;     /* merged index → log customer, or G_MAXUINT32 */
  guint32 *from_delta;   /* merged index → delta customer, or G_MAXUINT32 */
} MergedCustomers;

static void
merge_customers (JmEventLog         *self,
                 const char * const *delta_ids,
                 const guint8       *delta_anonymous,
                 const guint32      *delta_order,
                 guint32             n_delta,
                 MergedCustomers    *merged)
{
  guint32 n_log = self->columns.n_customers;
  guint32 a = 0;
  guint32 b = 0;
  guint32 n = 0;

  merged->from_log = g_new (guint32, n_log + n_delta + 1);
  merged->from_delta = g_new (guint32, n_log + n_delta + 1);

  while (a < n_log || b < n_delta)
    {
      int cmp;

      if (a == n_log)
        cmp = 1;
      else if (b == n_delta)
        cmp = -1;
      else
        {
          guint32 d = delta_order[b];

          cmp = strcmp (string_table_get (&self->customer_ids, a), delta_ids[d]);
          if (cmp == 0)
            cmp = (int)(self->customer_anonymous != NULL && self->customer_anonymous[a]) -
                  (int)delta_anonymous[d];
        }

      merged->from_log[n] = cmp <= 0 ? a++ : G_MAXUINT32;
      merged->from_delta[n] = cmp >= 0 ? delta_order[b++] : G_MAXUINT32;
      n++;
    }

  merged->n = n;
}

/* The union of a log's dictionary and the strings new in a delta, sorted as a build sorts
 * it (from `first` on). Returns the sorted strings; `out_log_map` and `out_delta_map` map
 * the log's and the delta's indices into it.
 */
static GPtrArray *
merge_dictionary (const JmStringTable  *table,
                  GPtrArray            *delta,
                  guint32               first,
                  guint32               limit,
                  guint32             **out_log_map,
                  guint32             **out_delta_map)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *all = g_ptr_array_new ();
  g_autofree guint32 *remap = NULL;
  guint32 *log_map = g_new (guint32, MAX (table->n, 1));
  guint32 *delta_map = g_new0 (guint32, MAX (delta->len, 1));

  for (guint32 k = 0; k < table->n; k++)
    {
      g_ptr_array_add (all, (gpointer)string_table_get (table, k));
      g_hash_table_insert (index, g_ptr_array_index (all, k), GUINT_TO_POINTER (k));
    }
  if (all->len == 0 && first > 0)
    {
      g_ptr_array_add (all, (gpointer)"");
      g_hash_table_insert (index, (gpointer)"", GUINT_TO_POINTER (0));
    }

  for (guint32 k = 0; k < delta->len; k++)
    {
      const char *text = g_ptr_array_index (delta, k);
      gpointer value;

      if (g_hash_table_lookup_extended (index, text, NULL, &value))
        delta_map[k] = GPOINTER_TO_UINT (value);
      else if (all->len < limit)
        {
          delta_map[k] = all->len;
          g_ptr_array_add (all, (gpointer)text);
          g_hash_table_insert (index, (gpointer)text, GUINT_TO_POINTER (delta_map[k]));
        }
      else
        delta_map[k] = 0;
    }

  remap = sort_dictionary (all, first);
  for (guint32 k = 0; k < table->n; k++)
    log_map[k] = remap[k];
  for (guint32 k = 0; k < delta->len; k++)
    delta_map[k] = remap[delta_map[k]];

  *out_log_map = log_map;
  *out_delta_map = delta_map;
  return all;
}

static JmEventLog *
merge_delta (JmEventLog    *self,
             JmStore       *store,
             Rows          *rows,
             Dictionaries  *dicts,
             GError       **error)
{
  g_autoptr(JmEventLog) log = jm_event_log_new_empty ();
  const JmEventLogColumns *old = &self->columns;
  const char * const *delta_ids = (const char * const *)dicts->customer_ids->pdata;
  guint32 n_delta_customers = dicts->customer_ids->len;
  EventKeys keys = { rows->ts, rows->arrival };
  MergedCustomers merged = { 0, };
  Reader reader = { store, jm_store_get_db (store), FALSE };
  g_autofree guint32 *delta_order = NULL;
  g_autofree guint32 *delta_offsets = NULL;
  g_autofree guint32 *perm = NULL;
  g_autofree guint32 *old_names = NULL;
  g_autofree guint32 *new_names = NULL;
  g_autofree guint32 *old_channels = NULL;
  g_autofree guint32 *new_channels = NULL;
  g_autofree const char **ids = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  guint32 n = old->n_events + rows->n;
  guint32 *offsets, *customer, *name, *session;
  guint8 *channel, *anonymous;
  gint64 *ts, *rowid;
  guint32 out = 0;

  names = merge_dictionary (&self->names, dicts->names, 0, G_MAXUINT32, &old_names, &new_names);
  channels = merge_dictionary (&self->channels, dicts->channels, 1, MAX_CHANNELS,
                               &old_channels, &new_channels);

  /* The delta's rows, grouped by delta customer and sorted. */
  delta_offsets = g_new0 (guint32, n_delta_customers + 1);
  for (guint32 i = 0; i < rows->n; i++)
    delta_offsets[ROW_AT (rows->customer, guint32, i) + 1]++;
  for (guint32 c = 0; c < n_delta_customers; c++)
    delta_offsets[c + 1] += delta_offsets[c];
  perm = jm_column_new (MAX (rows->n, 1), sizeof (guint32));
  {
    g_autofree guint32 *cursor = g_memdup2 (delta_offsets,
                                            sizeof (guint32) * (n_delta_customers + 1));

    for (guint32 i = 0; i < rows->n; i++)
      perm[cursor[ROW_AT (rows->customer, guint32, i)]++] = i;
  }
  for (guint32 c = 0; c < n_delta_customers; c++)
    {
      if (!sort_customer_events (&reader, perm + delta_offsets[c],
                                 delta_offsets[c + 1] - delta_offsets[c], rows, &keys, error))
        return NULL;
    }

  delta_order = order_customers (delta_ids, dicts->customer_anonymous->data, n_delta_customers);
  merge_customers (self, delta_ids, dicts->customer_anonymous->data, delta_order,
                   n_delta_customers, &merged);

  offsets = jm_event_log_take_block (log, g_new (guint32, merged.n + 1));
  customer = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint32)));
  ts = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (gint64)));
  rowid = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (gint64)));
  name = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint32)));
  channel = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint8)));
  session = jm_event_log_take_block (log, jm_column_new (MAX (n, 1), sizeof (guint32)));
  anonymous = jm_event_log_take_block (log, g_new (guint8, MAX (merged.n, 1)));
  ids = g_new (const char *, MAX (merged.n, 1));

  for (guint32 m = 0; m < merged.n; m++)
    {
      guint32 a = 0, a_end = 0, b = 0, b_end = 0;

      if (merged.from_log[m] != G_MAXUINT32)
        {
          guint32 c = merged.from_log[m];

          a = old->customer_offsets[c];
          a_end = old->customer_offsets[c + 1];
          ids[m] = string_table_get (&self->customer_ids, c);
          anonymous[m] = self->customer_anonymous != NULL && self->customer_anonymous[c];
        }
      if (merged.from_delta[m] != G_MAXUINT32)
        {
          guint32 d = merged.from_delta[m];

          b = delta_offsets[d];
          b_end = delta_offsets[d + 1];
          ids[m] = delta_ids[d];
          anonymous[m] = dicts->customer_anonymous->data[d];
        }

      offsets[m] = out;

      /* Every delta event arrived after every event of the log, so on equal times the
       * log's event comes first.
       */
      while (a < a_end || b < b_end)
        {
          if (b == b_end || (a < a_end && old->ts[a] <= ROW_AT (rows->ts, gint64, perm[b])))
            {
              ts[out] = old->ts[a];
              rowid[out] = old->rowid[a];
              name[out] = old_names[old->name[a]];
              channel[out] = old_channels[old->channel[a]];
              a++;
            }
          else
            {
              guint32 r = perm[b++];

              ts[out] = ROW_AT (rows->ts, gint64, r);
              rowid[out] = ROW_AT (rows->rowid, gint64, r);
              name[out] = new_names[ROW_AT (rows->name, guint32, r)];
              channel[out] = new_channels[ROW_AT (rows->channel, guint8, r)];
            }
          customer[out++] = m;
        }
    }
  offsets[merged.n] = out;
  g_assert (out == n);

  log->columns.n_events = n;
  log->columns.n_customers = merged.n;
  log->columns.customer = customer;
  log->columns.ts = ts;
  log->columns.name = name;
  log->columns.channel = channel;
  log->columns.session = session;
  log->columns.rowid = rowid;
  log->columns.customer_offsets = offsets;
  log->columns.n_sessions = compute_sessions (offsets, merged.n, ts, session,
                                              JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS);

  string_table_set (log, &log->customer_ids, ids, merged.n);
  log->customer_anonymous = anonymous;
  string_table_set (log, &log->names, (const char * const *)names->pdata, names->len);
  string_table_set (log, &log->channels, (const char * const *)channels->pdata, channels->len);
  jm_event_log_index_names (log);

  g_free (merged.from_log);
  g_free (merged.from_delta);

  return g_steal_pointer (&log);
}

JmEventLog *
jm_event_log_append (JmEventLog  *self,
                     JmStore     *store,
                     GError     **error)
{
  g_autoptr(JmEventLog) log = NULL;
  Dictionaries dicts;
  Rows rows;
  DeltaResult result;
  gint64 generation;
  gint64 removals;
  gint64 max_rowid;
  gint64 max_arrival;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->store != NULL, NULL);
  g_return_val_if_fail (JM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Read before the delta, for the same reason as in a build. */
  jm_store_get_change_marks (store, self->project, &generation, &removals);
  if (generation == self->generation)
    return jm_event_log_ref (self);

  /* Events were deleted since (demo --replace, an erasure, retention): some the log holds
   * may be gone, which no delta can tell.
   */
  if (removals != self->removals)
    return jm_event_log_build (store, self->project, NULL, error);

  max_rowid = self->max_rowid;
  max_arrival = self->max_arrival;

  dictionaries_init (&dicts);
  rows_init (&rows);
  result = read_delta (self, store, &rows, &dicts, &max_rowid, &max_arrival, error);

  if (result == DELTA_OK && rows.n == 0)
    log = share_columns (self);
  else if (result == DELTA_OK)
    log = merge_delta (self, store, &rows, &dicts, error);

  rows_clear (&rows);
  dictionaries_clear (&dicts);

  if (result == DELTA_REBUILD)
    return jm_event_log_build (store, self->project, NULL, error);

  if (log == NULL)
    return NULL;

  attach_store (log, store);
  log->project = self->project;
  log->generation = generation;
  log->removals = removals;
  log->max_rowid = max_rowid;
  log->max_arrival = max_arrival;

  return g_steal_pointer (&log);
}

/* Fields --------------------------------------------------------------------------------- */

typedef enum
{
  FIELD_PROPERTIES,
  FIELD_CONTEXT,
  FIELD_TRAITS,
} FieldSource;

/* Splits "properties.a.b" into its source and the SQLite JSON path `$."a"."b"`. Names are
 * quoted in the path, so they may hold dots' neighbours like '-' or ' '; a double quote
 * cannot be expressed and is refused.
 */
static gboolean
parse_field (const char   *field,
             FieldSource  *out_source,
             char        **out_path,
             GError      **error)
{
  static const struct {
    const char  *prefix;
    FieldSource  source;
  } sources[] = {
    { "properties.", FIELD_PROPERTIES },
    { "context.", FIELD_CONTEXT },
    { "traits.", FIELD_TRAITS },
  };
  g_autoptr(GString) path = NULL;
  g_auto(GStrv) parts = NULL;
  const char *rest = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      if (g_str_has_prefix (field, sources[i].prefix))
        {
          rest = field + strlen (sources[i].prefix);
          *out_source = sources[i].source;
          break;
        }
    }

  if (rest == NULL || *rest == '\0')
    {
      g_set_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_INVALID_FIELD,
                   "“%s” is not an event field: use properties.NAME, context.NAME or "
                   "traits.NAME", field);
      return FALSE;
    }

  path = g_string_new ("$");
  parts = g_strsplit (rest, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strchr (parts[i], '"') != NULL ||
          !g_utf8_validate (parts[i], -1, NULL))
        {
          g_set_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_INVALID_FIELD,
                       "“%s” is not an event field: each name after a dot must be non-empty "
                       "and free of double quotes", field);
          return FALSE;
        }

      g_string_append_printf (path, ".\"%s\"", parts[i]);
    }

  *out_path = g_string_free (g_steal_pointer (&path), FALSE);
  return TRUE;
}

gboolean
jm_event_log_field_is_valid (const char *field)
{
  g_autofree char *path = NULL;
  FieldSource source;

  g_return_val_if_fail (field != NULL, FALSE);

  return parse_field (field, &source, &path, NULL);
}

/* Distinct values of one field. Keys are canonical JSON (json_to_string()), so equal
 * values spelled differently in the workspace ("\u00e9" and "é") are one entry.
 */
typedef struct
{
  GHashTable *index;    /* canonical JSON → value index */
  GPtrArray  *values;   /* JsonNode*, [0] = NULL (missing) */
} ValueDictionary;

static void
value_dictionary_init (ValueDictionary *dict)
{
  dict->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  dict->values = g_ptr_array_new_with_free_func (json_node_unref0);
  g_ptr_array_add (dict->values, NULL);
}

static void
value_dictionary_clear (ValueDictionary *dict)
{
  g_clear_pointer (&dict->index, g_hash_table_unref);
  g_clear_pointer (&dict->values, g_ptr_array_unref);
}

/* The index of `node` (not taken), 0 for NULL or a JSON null: a null counts as missing. */
static guint32
value_dictionary_add (ValueDictionary *dict,
                      JsonNode        *node)
{
  g_autofree char *key = NULL;
  gpointer value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return 0;

  key = json_to_string (node, FALSE);
  if (g_hash_table_lookup_extended (dict->index, key, NULL, &value))
    return GPOINTER_TO_UINT (value);

  g_ptr_array_add (dict->values, json_node_copy (node));
  g_hash_table_insert (dict->index, g_steal_pointer (&key),
                       GUINT_TO_POINTER (dict->values->len - 1));

  return dict->values->len - 1;
}

static JmLogField *
log_field_new (guint32           n_events,
               guint32          *value,
               ValueDictionary  *dict)
{
  JmLogField *field = g_new0 (JmLogField, 1);

  field->value = value != NULL ? value : g_new0 (guint32, MAX (n_events, 1));
  if (dict != NULL)
    {
      field->values = g_steal_pointer (&dict->values);
      value_dictionary_clear (dict);
    }
  else
    {
      field->values = g_ptr_array_new_with_free_func (json_node_unref0);
      g_ptr_array_add (field->values, NULL);
    }

  field->field.value = field->value;
  field->field.values = (JsonNode * const *)field->values->pdata;
  field->field.n_values = field->values->len;

  return field;
}

/* Positions of the events ordered by rowid (LSD radix sort on rowid - min). Called with
 * the mutex held.
 */
static const guint32 *
ensure_rowid_order (JmEventLog *self)
{
  const gint64 *rowid = self->columns.rowid;
  guint32 n = self->columns.n_events;
  g_autofree guint32 *scratch = NULL;
  guint32 *order;
  gint64 min = G_MAXINT64;
  guint64 range = 0;
  gboolean sorted = TRUE;

  if (self->rowid_order != NULL)
    return self->rowid_order;

  order = jm_column_new (MAX (n, 1), sizeof (guint32));
  for (guint32 i = 0; i < n; i++)
    {
      order[i] = i;
      min = MIN (min, rowid[i]);
      if (i > 0 && rowid[i] < rowid[i - 1])
        sorted = FALSE;
    }

  if (!sorted)
    {
      for (guint32 i = 0; i < n; i++)
        range = MAX (range, (guint64)(rowid[i] - min));

      scratch = g_new (guint32, n);

      for (guint shift = 0; shift < 64 && (range >> shift) != 0; shift += 11)
        {
          guint32 counts[2048] = { 0, };
          guint32 sum = 0;

          for (guint32 i = 0; i < n; i++)
            counts[((guint64)(rowid[order[i]] - min) >> shift) & 2047]++;
          for (guint d = 0; d < 2048; d++)
            {
              guint32 count = counts[d];

              counts[d] = sum;
              sum += count;
            }
          for (guint32 i = 0; i < n; i++)
            scratch[counts[((guint64)(rowid[order[i]] - min) >> shift) & 2047]++] = order[i];

          memcpy (order, scratch, sizeof (guint32) * n);
        }
    }

  self->rowid_order = order;
  return order;
}

/* The private connection fields are read with, opened on first use. Called with the mutex
 * held. Analyses run in threads and a JmStore belongs to one thread, so the log reads with
 * its own read-only connection; only an in-memory workspace (tests) shares the store's.
 */
static sqlite3 *
ensure_field_db (JmEventLog  *self,
                 GError     **error)
{
  if (self->db_path == NULL)
    return jm_store_get_db (self->store);

  if (self->field_db == NULL)
    self->field_db = open_reader (self->db_path, error);

  return self->field_db;
}

/* Distinct JSON texts as read, numbered from 1, before they are parsed. */
typedef struct
{
  GHashTable *index;   /* text → provisional index */
  GPtrArray  *texts;   /* [0] = NULL */
} TextDictionary;

static void
text_dictionary_init (TextDictionary *dict)
{
  dict->index = g_hash_table_new (g_str_hash, g_str_equal);
  dict->texts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (dict->texts, NULL);
}

static void
text_dictionary_clear (TextDictionary *dict)
{
  g_clear_pointer (&dict->index, g_hash_table_unref);
  g_clear_pointer (&dict->texts, g_ptr_array_unref);
}

static guint32
text_dictionary_add (TextDictionary *dict,
                     const char     *text)
{
  gpointer value;
  char *copy;

  if (text == NULL)
    return 0;

  if (g_hash_table_lookup_extended (dict->index, text, NULL, &value))
    return GPOINTER_TO_UINT (value);

  copy = g_strdup (text);
  g_ptr_array_add (dict->texts, copy);
  g_hash_table_insert (dict->index, copy, GUINT_TO_POINTER (dict->texts->len - 1));

  return dict->texts->len - 1;
}

/* Parses the distinct texts into `values`: the map from text index to value index. */
static guint32 *
text_dictionary_parse (TextDictionary  *dict,
                       ValueDictionary *values)
{
  guint32 *remap = g_new0 (guint32, dict->texts->len);

  for (guint32 k = 1; k < dict->texts->len; k++)
    {
      g_autoptr(JsonNode) node = json_from_string (g_ptr_array_index (dict->texts, k), NULL);

      remap[k] = value_dictionary_add (values, node);
    }

  return remap;
}

/* Event fields are read in parts like the build (a rowid range each, one thread and one
 * connection each): extracting JSON from every row is the slow part. Several fields share
 * one scan: each row is read once and SQLite parses its JSON once for all of them (its
 * JSON functions keep the last parsed texts of a statement). Part k covers the positions
 * order[first..end) of the events in rowid order and writes, for each field, the text
 * indices of its own dictionary there.
 */
typedef struct
{
  JmEventLog      *log;
  sqlite3         *db;
  gboolean         own_db;
  const char      *sql;
  guint            n_fields;
  char   * const  *json_paths;
  const guint32   *order;
  guint32          first;
  guint32          end;
  guint32        **value;     /* [n_fields] */
  TextDictionary  *texts;     /* [n_fields] */
  gboolean         ok;
  GError          *error;
} FieldPart;

/* The scan of `n_fields` event fields: column f + 1 is field f (parameter f + 2), the
 * rowid range is parameters n_fields + 2 and n_fields + 3.
 */
static char *
event_fields_sql (const FieldSource *sources,
                  guint              n_fields)
{
  /* `->` (SQLite 3.38) gives the JSON text of the value: strings stay apart from numbers,
   * booleans from 0/1. Older SQLite gets there with json_type() and json_quote().
   */
  gboolean arrow = sqlite3_libversion_number () >= 3038000;
  g_autoptr(GString) sql = g_string_new ("SELECT rowid");

  for (guint f = 0; f < n_fields; f++)
    {
      const char *column = sources[f] == FIELD_CONTEXT ? "context" : "properties";

      if (arrow)
        g_string_append_printf (sql, ", %s -> ?%u", column, f + 2);
      else
        g_string_append_printf (sql, ", CASE json_type(%s, ?%u) WHEN 'true' THEN 'true' "
                                "WHEN 'false' THEN 'false' ELSE "
                                "json_quote(json_extract(%s, ?%u)) END",
                                column, f + 2, column, f + 2);
    }

  g_string_append_printf (sql, " FROM events NOT INDEXED WHERE project = ?1 "
                          "AND rowid > ?%u AND rowid <= ?%u "
                          "AND type IN ('track', 'page', 'screen') ORDER BY rowid",
                          n_fields + 2, n_fields + 3);

  return g_string_free (g_steal_pointer (&sql), FALSE);
}

/* The scan of `n_fields` traits: column f + 1 is field f (parameter f + 2). */
static char *
traits_fields_sql (guint n_fields)
{
  gboolean arrow = sqlite3_libversion_number () >= 3038000;
  g_autoptr(GString) sql = g_string_new ("SELECT customer_id");

  for (guint f = 0; f < n_fields; f++)
    {
      if (arrow)
        g_string_append_printf (sql, ", traits -> ?%u", f + 2);
      else
        g_string_append_printf (sql, ", CASE json_type(traits, ?%u) WHEN 'true' THEN 'true' "
                                "WHEN 'false' THEN 'false' ELSE "
                                "json_quote(json_extract(traits, ?%u)) END", f + 2, f + 2);
    }

  g_string_append (sql, " FROM customers WHERE project = ?1");

  return g_string_free (g_steal_pointer (&sql), FALSE);
}

static gpointer
load_field_part (gpointer data)
{
  FieldPart *part = data;
  const gint64 *rowid = part->log->columns.rowid;
  const guint32 *order = part->order;
  sqlite3_stmt *stmt = NULL;
  guint32 k = part->first;
  int rc;

  if (sqlite3_prepare_v2 (part->db, part->sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (&part->error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                   "Could not read event properties: %s", sqlite3_errmsg (part->db));
      sqlite3_finalize (stmt);
      return NULL;
    }

  sqlite3_bind_int64 (stmt, 1, part->log->project);
  for (guint f = 0; f < part->n_fields; f++)
    sqlite3_bind_text (stmt, f + 2, part->json_paths[f], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, part->n_fields + 2,
                      part->first > 0 ? rowid[order[part->first - 1]] : G_MININT64);
  sqlite3_bind_int64 (stmt, part->n_fields + 3, rowid[order[part->end - 1]]);

  /* Both the rows and `order` ascend by rowid: a merge maps rows to positions. Rows the log
   * does not have (events without a name, say) fall through.
   */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 row = sqlite3_column_int64 (stmt, 0);
      guint32 i;

      while (k < part->end && rowid[order[k]] < row)
        k++;
      if (k == part->end || rowid[order[k]] != row)
        continue;

      i = order[k++];
      for (guint f = 0; f < part->n_fields; f++)
        part->value[f][i] =
          text_dictionary_add (&part->texts[f],
                               (const char *)sqlite3_column_text (stmt, f + 1));
    }

  if (rc != SQLITE_DONE)
    g_set_error (&part->error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                 "Could not read event properties: %s", sqlite3_errmsg (part->db));
  else
    part->ok = TRUE;

  sqlite3_finalize (stmt);
  return NULL;
}

/* Loads the `n_fields` event fields (properties or context) in one scan into `out`. */
static gboolean
load_event_fields (JmEventLog         *self,
                   const FieldSource  *sources,
                   char * const       *json_paths,
                   guint               n_fields,
                   JmLogField        **out,
                   GError            **error)
{
  guint32 n = self->columns.n_events;
  FieldPart parts[MAX_PARTS];
  GThread *threads[MAX_PARTS] = { NULL, };
  g_autofree guint32 **value = g_new0 (guint32 *, n_fields);
  g_autofree char *sql = NULL;
  const guint32 *order;
  guint n_parts = scan_parts > 0 ? scan_parts : CLAMP (g_get_num_processors (), 1, MAX_PARTS);
  gboolean ok = TRUE;
  sqlite3 *db;

  db = ensure_field_db (self, error);
  if (db == NULL)
    return FALSE;

  if (n == 0)
    {
      for (guint f = 0; f < n_fields; f++)
        out[f] = log_field_new (n, NULL, NULL);
      return TRUE;
    }

  sql = event_fields_sql (sources, n_fields);
  for (guint f = 0; f < n_fields; f++)
    value[f] = jm_column_new0 (n, sizeof (guint32));

  order = ensure_rowid_order (self);
  if (self->db_path == NULL || n < n_parts * min_rows_per_part)
    n_parts = 1;
  n_parts = MIN (n_parts, n);

  memset (parts, 0, sizeof parts);
  for (guint p = 0; p < n_parts; p++)
    {
      FieldPart *part = &parts[p];

      part->log = self;
      part->sql = sql;
      part->n_fields = n_fields;
      part->json_paths = json_paths;
      part->order = order;
      part->first = (guint64)n * p / n_parts;
      part->end = (guint64)n * (p + 1) / n_parts;
      part->value = value;
      part->texts = g_new (TextDictionary, n_fields);
      for (guint f = 0; f < n_fields; f++)
        text_dictionary_init (&part->texts[f]);

      if (p == 0)
        part->db = db;
      else if ((part->db = open_reader (self->db_path, &part->error)) != NULL)
        {
          part->own_db = TRUE;
          threads[p] = g_thread_new ("jm-event-log", load_field_part, part);
        }
    }

  load_field_part (&parts[0]);

  for (guint p = 1; p < n_parts; p++)
    {
      if (threads[p] != NULL)
        g_thread_join (threads[p]);
    }

  for (guint p = 0; p < n_parts; p++)
    {
      if (ok && !parts[p].ok)
        {
          g_propagate_error (error, g_steal_pointer (&parts[p].error));
          ok = FALSE;
        }
    }

  for (guint f = 0; f < n_fields; f++)
    {
      ValueDictionary values;

      value_dictionary_init (&values);

      for (guint p = 0; p < n_parts && ok; p++)
        {
          FieldPart *part = &parts[p];
          g_autofree guint32 *remap = text_dictionary_parse (&part->texts[f], &values);

          for (guint32 k = part->first; k < part->end; k++)
            value[f][order[k]] = remap[value[f][order[k]]];
        }

      if (ok)
        {
          g_debug ("Loaded field %s: %u distinct values, %u part%s", json_paths[f],
                   values.values->len - 1, n_parts, n_parts > 1 ? "s" : "");
          out[f] = log_field_new (n, g_steal_pointer (&value[f]), &values);
        }
      else
        {
          value_dictionary_clear (&values);
          g_clear_pointer (&value[f], g_free);
        }
    }

  for (guint p = 0; p < n_parts; p++)
    {
      FieldPart *part = &parts[p];

      for (guint f = 0; f < n_fields; f++)
        text_dictionary_clear (&part->texts[f]);
      g_free (part->texts);
      g_clear_error (&part->error);
      if (part->own_db)
        sqlite3_close (part->db);
    }

  return ok;
}

/* Traits belong to the customer: one value per unit, spread over its events. Loads the
 * `n_fields` traits in one scan of the customers into `out`.
 */
static gboolean
load_traits_fields (JmEventLog   *self,
                    char * const *json_paths,
                    guint         n_fields,
                    JmLogField  **out,
                    GError      **error)
{
  guint32 n = self->columns.n_events;
  guint32 n_customers = MAX (self->columns.n_customers, 1);
  g_autofree TextDictionary *texts = g_new (TextDictionary, n_fields);
  g_autofree guint32 *customer_value = g_new0 (guint32, (gsize)n_customers * n_fields);
  g_autofree char *sql = traits_fields_sql (n_fields);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  db = ensure_field_db (self, error);
  if (db == NULL)
    return FALSE;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                   "Could not read customer traits: %s", sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_bind_int64 (stmt, 1, self->project);
  for (guint f = 0; f < n_fields; f++)
    {
      sqlite3_bind_text (stmt, f + 2, json_paths[f], -1, SQLITE_STATIC);
      text_dictionary_init (&texts[f]);
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *)sqlite3_column_text (stmt, 0);
      gpointer c;

      /* The mutex is held: read the index directly. */
      if (id == NULL || (c = g_hash_table_lookup (self->customer_index, id)) == NULL)
        continue;

      for (guint f = 0; f < n_fields; f++)
        {
          const char *text = (const char *)sqlite3_column_text (stmt, f + 1);

          if (text != NULL)
            customer_value[(gsize)f * n_customers + GPOINTER_TO_UINT (c) - 1] =
              text_dictionary_add (&texts[f], text);
        }
    }

  if (rc != SQLITE_DONE)
    g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                 "Could not read customer traits: %s", sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  for (guint f = 0; f < n_fields; f++)
    {
      if (rc == SQLITE_DONE)
        {
          const guint32 *cv = customer_value + (gsize)f * n_customers;
          guint32 *value = jm_column_new0 (MAX (n, 1), sizeof (guint32));
          g_autofree guint32 *remap = NULL;
          ValueDictionary values;

          value_dictionary_init (&values);
          remap = text_dictionary_parse (&texts[f], &values);
          for (guint32 i = 0; i < n; i++)
            value[i] = remap[cv[self->columns.customer[i]]];

          out[f] = log_field_new (n, value, &values);
        }

      text_dictionary_clear (&texts[f]);
    }

  return rc == SQLITE_DONE;
}

/* A hand-built log's field that was not set as such: the part of an object set at a
 * shorter field ("properties.cart.items" inside "properties.cart"), as the workspace's JSON
 * paths would find it; else all missing. Called with the mutex held.
 */
static JmLogField *
derive_field (JmEventLog *self,
              const char *field)
{
  g_autofree char *prefix = g_strdup (field);
  guint32 n = self->columns.n_events;
  char *dot;

  while ((dot = strrchr (prefix, '.')) != NULL)
    {
      JmLogField *base;
      ValueDictionary dict;
      g_auto(GStrv) path = NULL;
      g_autofree guint32 *remap = NULL;
      guint32 *value;

      *dot = '\0';
      base = g_hash_table_lookup (self->fields, prefix);
      if (base == NULL)
        continue;

      path = g_strsplit (field + strlen (prefix) + 1, ".", -1);
      value_dictionary_init (&dict);
      remap = g_new0 (guint32, base->values->len);

      for (guint32 k = 1; k < base->values->len; k++)
        {
          JsonNode *node = g_ptr_array_index (base->values, k);

          for (guint s = 0; path[s] != NULL && node != NULL; s++)
            node = JSON_NODE_HOLDS_OBJECT (node)
              ? json_object_get_member (json_node_get_object (node), path[s]) : NULL;

          remap[k] = value_dictionary_add (&dict, node);
        }

      value = jm_column_new (MAX (n, 1), sizeof (guint32));
      for (guint32 i = 0; i < n; i++)
        value[i] = remap[base->value[i]];

      return log_field_new (n, value, &dict);
    }

  return log_field_new (n, NULL, NULL);
}

/* Loads the fields of `names` not loaded yet: event fields in one scan of the events,
 * traits in one scan of the customers. Called with the mutex held.
 */
static gboolean
load_fields_locked (JmEventLog         *self,
                    const char * const *names,
                    GError            **error)
{
  g_autoptr(GPtrArray) event_names = g_ptr_array_new ();
  g_autoptr(GPtrArray) event_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) event_sources = g_array_new (FALSE, FALSE, sizeof (FieldSource));
  g_autoptr(GPtrArray) traits_names = g_ptr_array_new ();
  g_autoptr(GPtrArray) traits_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree JmLogField **loaded = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!jm_event_log_field_is_valid (names[i]))
        {
          g_autofree char *json_path = NULL;
          FieldSource source;

          return parse_field (names[i], &source, &json_path, error);
        }
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *json_path = NULL;
      FieldSource source;

      parse_field (names[i], &source, &json_path, NULL);

      if (g_hash_table_contains (self->fields, names[i]) ||
          !g_hash_table_add (seen, (gpointer)names[i]))
        continue;

      if (self->store == NULL)
        {
          g_hash_table_insert (self->fields, g_strdup (names[i]),
                               derive_field (self, names[i]));
        }
      else if (source == FIELD_TRAITS)
        {
          g_ptr_array_add (traits_names, (gpointer)names[i]);
          g_ptr_array_add (traits_paths, g_steal_pointer (&json_path));
        }
      else
        {
          g_ptr_array_add (event_names, (gpointer)names[i]);
          g_ptr_array_add (event_paths, g_steal_pointer (&json_path));
          g_array_append_val (event_sources, source);
        }
    }

  if (event_names->len > 0)
    {
      loaded = g_new0 (JmLogField *, event_names->len);
      ok = load_event_fields (self, (const FieldSource *)(gpointer)event_sources->data,
                              (char * const *)event_paths->pdata, event_names->len, loaded,
                              error);
      for (guint f = 0; ok && f < event_names->len; f++)
        g_hash_table_insert (self->fields, g_strdup (event_names->pdata[f]), loaded[f]);
      g_clear_pointer (&loaded, g_free);
    }

  if (ok && traits_names->len > 0)
    {
      ensure_customer_index (self);
      loaded = g_new0 (JmLogField *, traits_names->len);
      ok = load_traits_fields (self, (char * const *)traits_paths->pdata, traits_names->len,
                               loaded, error);
      for (guint f = 0; ok && f < traits_names->len; f++)
        g_hash_table_insert (self->fields, g_strdup (traits_names->pdata[f]), loaded[f]);
    }

  return ok;
}

gboolean
jm_event_log_load_fields (JmEventLog          *self,
                          const char * const  *fields,
                          GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Loading holds the lock: two analyses asking for the same field load it once. */
  g_mutex_lock (&self->mutex);
  ok = load_fields_locked (self, fields, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}

const JmEventLogField *
jm_event_log_get_field (JmEventLog  *self,
                        const char  *field,
                        GError     **error)
{
  const char *names[] = { field, NULL };
  JmLogField *loaded = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->mutex);
  if (load_fields_locked (self, names, error))
    loaded = g_hash_table_lookup (self->fields, field);
  g_mutex_unlock (&self->mutex);

  return loaded != NULL ? &loaded->field : NULL;
}

/* Hand-built logs ------------------------------------------------------------------------- */

typedef struct
{
  const char *customer;
  gint64      ts;
  const char *name;
  const char *touch;
} BuilderEvent;

struct _JmEventLogBuilder
{
  GStringChunk *chunk;
  GArray       *events;   /* BuilderEvent, by handle */
  GHashTable   *fields;   /* field → GPtrArray of JsonNode* by handle (NULL: unset) */
};

JmEventLogBuilder *
jm_event_log_builder_new (void)
{
  JmEventLogBuilder *builder = g_new0 (JmEventLogBuilder, 1);

  builder->chunk = g_string_chunk_new (4096);
  builder->events = g_array_new (FALSE, FALSE, sizeof (BuilderEvent));
  builder->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_ptr_array_unref);

  return builder;
}

void
jm_event_log_builder_free (JmEventLogBuilder *builder)
{
  if (builder == NULL)
    return;

  g_hash_table_unref (builder->fields);
  g_array_unref (builder->events);
  g_string_chunk_free (builder->chunk);
  g_free (builder);
}

guint32
jm_event_log_builder_add (JmEventLogBuilder *builder,
                          const char        *customer_id,
                          gint64             ts,
                          const char        *name,
                          const char        *touch)
{
  BuilderEvent event;

  g_return_val_if_fail (builder != NULL, 0);
  g_return_val_if_fail (customer_id != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  event.customer = g_string_chunk_insert_const (builder->chunk, customer_id);
  event.ts = ts;
  event.name = g_string_chunk_insert_const (builder->chunk, name);
  event.touch = g_string_chunk_insert_const (builder->chunk, touch != NULL ? touch : "");
  g_array_append_val (builder->events, event);

  return builder->events->len - 1;
}

void
jm_event_log_builder_set_field (JmEventLogBuilder *builder,
                                guint32            handle,
                                const char        *field,
                                JsonNode          *value)
{
  GPtrArray *values;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (handle < builder->events->len);
  g_return_if_fail (field != NULL && jm_event_log_field_is_valid (field));

  values = g_hash_table_lookup (builder->fields, field);
  if (values == NULL)
    {
      values = g_ptr_array_new_with_free_func (json_node_unref0);
      g_hash_table_insert (builder->fields, g_strdup (field), values);
    }

  if (values->len <= handle)
    g_ptr_array_set_size (values, handle + 1);

  g_clear_pointer (&g_ptr_array_index (values, handle), json_node_unref);
  if (value != NULL)
    g_ptr_array_index (values, handle) = json_node_copy (value);
}

void
jm_event_log_builder_set_field_json (JmEventLogBuilder *builder,
                                     guint32            handle,
                                     const char        *field,
                                     const char        *json)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (json != NULL);

  node = json_from_string (json, &error);
  if (node == NULL)
    {
      g_critical ("Not a JSON value: %s (%s)", json, error != NULL ? error->message : "empty");
      return;
    }

  jm_event_log_builder_set_field (builder, handle, field, node);
}

typedef struct
{
  const BuilderEvent *events;
  const guint32      *customer;   /* by handle */
} BuilderKeys;

static int
compare_builder_events_cb (gconstpointer a,
                           gconstpointer b,
                           gpointer      user_data)
{
  const BuilderKeys *keys = user_data;
  guint32 i = *(const guint32 *)a;
  guint32 j = *(const guint32 *)b;

  if (keys->customer[i] != keys->customer[j])
    return keys->customer[i] < keys->customer[j] ? -1 : 1;
  if (keys->events[i].ts != keys->events[j].ts)
    return keys->events[i].ts < keys->events[j].ts ? -1 : 1;
  return i < j ? -1 : (i > j ? 1 : 0);
}

static int
compare_strings_cb (gconstpointer a,
                    gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

JmEventLog *
jm_event_log_builder_finish (JmEventLogBuilder *builder)
{
  g_autoptr(JmEventLog) log = NULL;
  const BuilderEvent *events;
  g_autoptr(GHashTable) customer_index = NULL;
  g_autoptr(GHashTable) name_index = NULL;
  g_autoptr(GHashTable) channel_index = NULL;
  g_autoptr(GPtrArray) customer_ids = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autofree guint32 *event_customer = NULL;
  g_autofree guint32 *perm = NULL;
  g_autofree guint32 *name_remap = NULL;
  g_autofree guint32 *channel_remap = NULL;
  GHashTableIter iter;
  gpointer key, value;
  BuilderKeys keys;
  guint32 *offsets, *customer, *name, *session;
  guint8 *channel;
  gint64 *ts, *rowid;
  guint32 n;

  g_return_val_if_fail (builder != NULL, NULL);

  events = (const BuilderEvent *)(gpointer)builder->events->data;
  n = builder->events->len;
  log = jm_event_log_new_empty ();

  /* Customers are ordered by id, as in a log built from a workspace. */
  customer_index = g_hash_table_new (g_str_hash, g_str_equal);
  customer_ids = g_ptr_array_new ();
  for (guint32 h = 0; h < n; h++)
    {
      if (!g_hash_table_contains (customer_index, events[h].customer))
        {
          g_hash_table_add (customer_index, (gpointer)events[h].customer);
          g_ptr_array_add (customer_ids, (gpointer)events[h].customer);
        }
    }
  g_ptr_array_sort (customer_ids, compare_strings_cb);
  for (guint32 c = 0; c < customer_ids->len; c++)
    g_hash_table_insert (customer_index, g_ptr_array_index (customer_ids, c),
                         GUINT_TO_POINTER (c));

  /* Names and channels are sorted as in a built log, channel 0 being no touch. */
  name_index = g_hash_table_new (g_str_hash, g_str_equal);
  names = g_ptr_array_new ();
  channel_index = g_hash_table_new (g_str_hash, g_str_equal);
  channels = g_ptr_array_new ();
  g_ptr_array_add (channels, (gpointer)"");
  g_hash_table_insert (channel_index, (gpointer)"", GUINT_TO_POINTER (0));

  event_customer = g_new (guint32, MAX (n, 1));
  for (guint32 h = 0; h < n; h++)
    {
      event_customer[h] = GPOINTER_TO_UINT (g_hash_table_lookup (customer_index,
                                                                 events[h].customer));
      if (!g_hash_table_contains (name_index, events[h].name))
        {
          g_hash_table_insert (name_index, (gpointer)events[h].name,
                               GUINT_TO_POINTER (names->len));
          g_ptr_array_add (names, (gpointer)events[h].name);
        }
      if (!g_hash_table_contains (channel_index, events[h].touch) &&
          channels->len < MAX_CHANNELS)
        {
          g_hash_table_insert (channel_index, (gpointer)events[h].touch,
                               GUINT_TO_POINTER (channels->len));
          g_ptr_array_add (channels, (gpointer)events[h].touch);
        }
    }

  name_remap = sort_dictionary (names, 0);
  channel_remap = sort_dictionary (channels, 1);

  perm = g_new (guint32, MAX (n, 1));
  for (guint32 h = 0; h < n; h++)
    perm[h] = h;
  keys.events = events;
  keys.customer = event_customer;
  g_qsort_with_data (perm, n, sizeof (guint32), compare_builder_events_cb, &keys);

  offsets = jm_event_log_take_block (log, g_new0 (guint32, customer_ids->len + 1));
  customer = jm_event_log_take_block (log, g_new (guint32, MAX (n, 1)));
  ts = jm_event_log_take_block (log, g_new (gint64, MAX (n, 1)));
  rowid = jm_event_log_take_block (log, g_new (gint64, MAX (n, 1)));
  name = jm_event_log_take_block (log, g_new (guint32, MAX (n, 1)));
  channel = jm_event_log_take_block (log, g_new (guint8, MAX (n, 1)));
  session = jm_event_log_take_block (log, g_new (guint32, MAX (n, 1)));

  for (guint32 i = 0; i < n; i++)
    {
      const BuilderEvent *event = &events[perm[i]];

      customer[i] = event_customer[perm[i]];
      offsets[customer[i] + 1]++;
      ts[i] = event->ts;
      rowid[i] = perm[i];
      name[i] = name_remap[GPOINTER_TO_UINT (g_hash_table_lookup (name_index, event->name))];
      channel[i] = channel_remap[GPOINTER_TO_UINT (g_hash_table_lookup (channel_index,
                                                                        event->touch))];
    }
  for (guint32 c = 0; c < customer_ids->len; c++)
    offsets[c + 1] += offsets[c];

  log->columns.n_events = n;
  log->columns.n_customers = customer_ids->len;
  log->columns.customer = customer;
  log->columns.ts = ts;
  log->columns.name = name;
  log->columns.channel = channel;
  log->columns.session = session;
  log->columns.rowid = rowid;
  log->columns.customer_offsets = offsets;
  log->columns.n_sessions = compute_sessions (offsets, customer_ids->len, ts, session,
                                              JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS);

  string_table_set (log, &log->customer_ids, (const char * const *)customer_ids->pdata,
                    customer_ids->len);
  log->customer_anonymous = jm_event_log_take_block (log, g_malloc0 (customer_ids->len + 1));
  string_table_set (log, &log->names, (const char * const *)names->pdata, names->len);
  string_table_set (log, &log->channels, (const char * const *)channels->pdata,
                    channels->len);
  jm_event_log_index_names (log);

  /* Fields: a traits.* value belongs to the customer, whichever of its events it was set
   * on (the last one set wins).
   */
  g_hash_table_iter_init (&iter, builder->fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *nodes = value;
      ValueDictionary dict;
      guint32 *field_value = g_new0 (guint32, MAX (n, 1));

      value_dictionary_init (&dict);

      if (g_str_has_prefix (key, "traits."))
        {
          g_autofree guint32 *per_customer = g_new0 (guint32, MAX (customer_ids->len, 1));

          for (guint32 h = 0; h < nodes->len; h++)
            {
              JsonNode *node = g_ptr_array_index (nodes, h);

              if (node != NULL)
                per_customer[event_customer[h]] = value_dictionary_add (&dict, node);
            }

          for (guint32 i = 0; i < n; i++)
            field_value[i] = per_customer[customer[i]];
        }
      else
        {
          for (guint32 i = 0; i < n; i++)
            {
              if (perm[i] < nodes->len)
                field_value[i] = value_dictionary_add (&dict, g_ptr_array_index (nodes, perm[i]));
            }
        }

      g_hash_table_insert (log->fields, g_strdup (key), log_field_new (n, field_value, &dict));
    }

  return g_steal_pointer (&log);
}
