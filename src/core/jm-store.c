/* jm-store.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-store"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jm-store-private.h"
#include "jm-time.h"

/* Other writers (the listener, an import in another process) hold the write lock for one
 * batch at a time; waiting this long for them is better than failing.
 */
#define BUSY_TIMEOUT_MS 10000

/* Page cache per connection, in KiB (a negative cache_size); the unique id index of a large
 * workspace is the hot spot of ingest.
 */
#define CACHE_KIB 65536

/* Ingest batches touch index pages all over the file; checkpointing the WAL every 8192 pages
 * rather than SQLite's 1000 writes each of those pages to the database once for several
 * batches, and costs fewer fsyncs. The WAL file is cut back to 64 MiB after a checkpoint.
 */
#define WAL_AUTOCHECKPOINT_PAGES 8192
#define JOURNAL_SIZE_LIMIT_BYTES (64 * 1024 * 1024)

G_DEFINE_QUARK (jm-store-error-quark, jm_store_error)

/* Schema v1 (DESIGN §3). Every table is STRICT. The indexes on events are kept to what
 * ingest (the unique id, the arrival counter), identity stitching (events not yet linked to
 * a customer, by anonymous id) and the customer timeline need: each one costs insert speed.
 * For the same reason customers has no index on last_seen: every batch upserts its
 * customers, while listing them (a scan and a sort) is rare.
 * The CHECK on events.type is written with OR rather than IN: SQLite builds an ephemeral
 * table for an IN list of a CHECK constraint on every inserted row.
 * `hmac_keys` holds the per-project keys that privacy uses to refer to a person by a keyed
 * hash (projects.settings.hmac_key_id).
 */
static const char schema_v1[] =
  "CREATE TABLE organizations (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  name          TEXT NOT NULL,\n"
  "  created       INTEGER NOT NULL\n"
  ") STRICT;\n"
  "\n"
  "CREATE TABLE hmac_keys (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  secret        BLOB NOT NULL,\n"
  "  created       INTEGER NOT NULL\n"
  ") STRICT;\n"
  "\n"
  "CREATE TABLE projects (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  organization  INTEGER NOT NULL REFERENCES organizations (id),\n"
  "  name          TEXT NOT NULL UNIQUE,\n"
  "  settings      TEXT NOT NULL DEFAULT '{}',\n"
  "  created       INTEGER NOT NULL,\n"
  "  generation    INTEGER NOT NULL DEFAULT 0\n"
  ") STRICT;\n"
  "\n"
  "CREATE TABLE api_keys (\n"
  "  id            TEXT PRIMARY KEY,\n"
  "  project       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
  "  name          TEXT NOT NULL,\n"
  "  scope         TEXT NOT NULL CHECK (scope IN ('ingest', 'read', 'admin')),\n"
  "  salt          BLOB NOT NULL,\n"
  "  hash          BLOB NOT NULL,\n"
  "  created       INTEGER NOT NULL,\n"
  "  last_used     INTEGER,\n"
  "  revoked       INTEGER\n"
  ") STRICT;\n"
  "CREATE INDEX api_keys_project ON api_keys (project);\n"
  "\n"
  "CREATE TABLE customers (\n"
  "  project       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
  "  customer_id   TEXT NOT NULL,\n"
  "  first_seen    INTEGER NOT NULL,\n"
  "  last_seen     INTEGER NOT NULL,\n"
  "  traits        TEXT NOT NULL DEFAULT '{}',\n"
  "  PRIMARY KEY (project, customer_id)\n"
  ") STRICT, WITHOUT ROWID;\n"
  "\n"
  "CREATE TABLE identities (\n"
  "  project       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
  "  anonymous_id  TEXT NOT NULL,\n"
  "  customer_id   TEXT NOT NULL,\n"
  "  created       INTEGER NOT NULL,\n"
  "  PRIMARY KEY (project, anonymous_id)\n"
  ") STRICT, WITHOUT ROWID;\n"
  "CREATE INDEX identities_customer ON identities (project, customer_id);\n"
  "\n"
  "CREATE TABLE events (\n"
  "  id            TEXT NOT NULL,\n"
  "  project       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
  "  type          TEXT NOT NULL\n"
  "                CHECK (type = 'track' OR type = 'page' OR type = 'screen' OR\n"
  "                       type = 'identify' OR type = 'alias' OR type = 'group'),\n"
  "  name          TEXT,\n"
  "  customer_id   TEXT,\n"
  "  anonymous_id  TEXT,\n"
  "  ts            INTEGER NOT NULL,\n"
  "  received_at   INTEGER NOT NULL,\n"
  "  arrival       INTEGER NOT NULL,\n"
  "  properties    TEXT NOT NULL DEFAULT '{}',\n"
  "  context       TEXT NOT NULL DEFAULT '{}',\n"
  "  touch         TEXT NOT NULL DEFAULT '',\n"
  "  consent       INTEGER NOT NULL DEFAULT 0,\n"
  "  UNIQUE (project, id)\n"
  ") STRICT;\n"
  "CREATE INDEX events_customer ON events (project, customer_id, ts);\n"
  "CREATE INDEX events_unstitched ON events (project, anonymous_id) WHERE customer_id IS NULL;\n"
  "CREATE INDEX events_arrival ON events (arrival);\n"
  "\n"
  "CREATE TABLE journeys (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  project       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
  "  name          TEXT NOT NULL,\n"
  "  version       INTEGER NOT NULL DEFAULT 1,\n"
  "  definition    TEXT NOT NULL,\n"
  "  created       INTEGER NOT NULL,\n"
  "  updated       INTEGER NOT NULL,\n"
  "  UNIQUE (project, name)\n"
  ") STRICT;\n"
  "\n"
  "CREATE TABLE segments (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  project       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
  "  name          TEXT NOT NULL,\n"
  "  kind          TEXT NOT NULL CHECK (kind IN ('filter', 'list')),\n"
  "  definition    TEXT NOT NULL,\n"
  "  created       INTEGER NOT NULL,\n"
  "  UNIQUE (project, name)\n"
  ") STRICT;\n"
  "\n"
  "CREATE TABLE consents (\n"
  "  project       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
  "  customer_id   TEXT NOT NULL,\n"
  "  categories    INTEGER NOT NULL,\n"
  "  updated       INTEGER NOT NULL,\n"
  "  PRIMARY KEY (project, customer_id)\n"
  ") STRICT, WITHOUT ROWID;\n"
  "\n"
  "CREATE TABLE data_requests (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  project       INTEGER REFERENCES projects (id) ON DELETE SET NULL,\n"
  "  subject_hash  TEXT NOT NULL,\n"
  "  kind          TEXT NOT NULL CHECK (kind IN ('access', 'delete', 'export')),\n"
  "  state         TEXT NOT NULL DEFAULT 'pending',\n"
  "  created       INTEGER NOT NULL,\n"
  "  completed     INTEGER,\n"
  "  details       TEXT NOT NULL DEFAULT '{}'\n"
  ") STRICT;\n"
  "\n"
  "CREATE TABLE audit_log (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  ts            INTEGER NOT NULL,\n"
  "  actor         TEXT NOT NULL,\n"
  "  action        TEXT NOT NULL,\n"
  "  project       INTEGER,\n"
  "  details       TEXT NOT NULL DEFAULT '{}'\n"
  ") STRICT;\n"
  "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
  "BEGIN\n"
  "  SELECT RAISE (ABORT, 'the audit log is append-only');\n"
  "END;\n"
  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
  "BEGIN\n"
  "  SELECT RAISE (ABORT, 'the audit log is append-only');\n"
  "END;\n"
  "\n"
  "CREATE TABLE sync_state (\n"
  "  source        TEXT PRIMARY KEY,\n"
  "  watermark     ANY,\n"
  "  last_run      INTEGER,\n"
  "  last_error    TEXT\n"
  ") STRICT;\n";

/* Version 2: the event log's build reads journey events in customer order from a covering
 * index (no visit of the rows, whose JSON makes up most of the file), and a per-project
 * count of deletions tells the event-log cache whether appending new events is enough or
 * events it holds may be gone.
 */
static const char schema_v2[] =
  "ALTER TABLE projects ADD COLUMN removals INTEGER NOT NULL DEFAULT 0;\n"
  "CREATE INDEX events_journey ON events\n"
  "  (project, customer_id, ts, arrival, anonymous_id, name, touch)\n"
  "  WHERE type IN ('track', 'page', 'screen') AND name IS NOT NULL;\n";

/* Workspaces up to this size are checked with PRAGMA quick_check when they are opened. */
#define JM_STORE_QUICK_CHECK_MAX_BYTES (64 * 1024 * 1024)

static const JmMigration migrations[] = {
  { 1, schema_v1 },
  { 2, schema_v2 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == JM_STORE_SCHEMA_VERSION);

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JmStore, jm_store, G_TYPE_OBJECT)

static void
jm_store_finalize (GObject *object)
{
  JmStore *self = (JmStore *)object;

  /* Statements first: sqlite3_close() refuses to close a connection that has some. */
  g_clear_pointer (&self->statements, g_hash_table_unref);

  if (self->db != NULL)
    {
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close “%s” cleanly: %s", self->path, sqlite3_errmsg (self->db));
      self->db = NULL;
    }

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (jm_store_parent_class)->finalize (object);
}

static void
jm_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  JmStore *self = JM_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jm_store_class_init (JmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jm_store_finalize;
  object_class->get_property = jm_store_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

static void
jm_store_init (JmStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, finalize_statement);
  self->next_arrival = 1;
}

/* Internal API shared by the store's files */

const JmMigration *
jm_store_get_migrations (guint *n_migrations)
{
  if (n_migrations != NULL)
    *n_migrations = G_N_ELEMENTS (migrations);

  return migrations;
}

sqlite3 *
jm_store_get_db (JmStore *self)
{
  g_return_val_if_fail (JM_IS_STORE (self), NULL);

  return self->db;
}

gint64
jm_store_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static char *
display_name (const char *path)
{
  return g_filename_display_name (path);
}

gboolean
jm_store_set_error_from_sqlite (JmStore     *self,
                                GError     **error,
                                const char  *what)
{
  g_autofree char *name = display_name (self->path);
  int code = sqlite3_extended_errcode (self->db);
  const char *message = sqlite3_errmsg (self->db);

  switch (code & 0xff)
    {
    case SQLITE_NOTADB:
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_A_WORKSPACE,
                   "“%s” is not a JourneyMapper workspace (not an SQLite database)", name);
      break;

    case SQLITE_CORRUPT:
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_CORRUPT,
                   "The workspace “%s” is damaged (%s); restore it from a backup",
                   name, message);
      break;

    case SQLITE_FULL:
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                   "Could not %s: the disk holding “%s” is full", what, name);
      break;

    case SQLITE_READONLY:
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                   "Could not %s: the workspace “%s” is read-only", what, name);
      break;

    case SQLITE_BUSY:
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                   "Could not %s: the workspace “%s” is busy in another program; try again",
                   what, name);
      break;

    default:
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_EXISTS,
                     "Could not %s: it already exists", what);
      else
        g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                     "Could not %s in “%s”: %s", what, name, message);
      break;
    }

  return FALSE;
}

sqlite3_stmt *
jm_store_prepare_cached (JmStore     *self,
                         const char  *sql,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      jm_store_set_error_from_sqlite (self, error, "prepare a query");
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer)sql, stmt);

  return stmt;
}

gboolean
jm_store_step_done (JmStore       *self,
                    sqlite3_stmt  *stmt,
                    const char    *what,
                    GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      jm_store_set_error_from_sqlite (self, error, what);
      sqlite3_reset (stmt);
      return FALSE;
    }

  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
exec_cached (JmStore     *self,
             const char  *sql,
             const char  *what,
             GError     **error)
{
  sqlite3_stmt *stmt = jm_store_prepare_cached (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  return jm_store_step_done (self, stmt, what, error);
}

gboolean
jm_store_begin (JmStore  *self,
                GError  **error)
{
  g_return_val_if_fail (JM_IS_STORE (self), FALSE);

  if (self->transaction_depth == 0)
    {
      if (!exec_cached (self, "BEGIN IMMEDIATE", "start a transaction", error))
        return FALSE;
    }
  else if (!exec_cached (self, "SAVEPOINT jm_nested", "start a transaction", error))
    {
      return FALSE;
    }

  self->transaction_depth++;
  return TRUE;
}

gboolean
jm_store_commit (JmStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->transaction_depth > 0, FALSE);

  if (self->transaction_depth == 1)
    {
      if (!exec_cached (self, "COMMIT", "save the changes", error))
        {
          jm_store_rollback (self);
          return FALSE;
        }
    }
  else if (!exec_cached (self, "RELEASE jm_nested", "save the changes", error))
    {
      jm_store_rollback (self);
      return FALSE;
    }

  self->transaction_depth--;
  return TRUE;
}

void
jm_store_rollback (JmStore *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (JM_IS_STORE (self));
  g_return_if_fail (self->transaction_depth > 0);

  if (self->transaction_depth == 1)
    {
      /* SQLite may already have rolled back by itself (e.g. on SQLITE_FULL). */
      if (!sqlite3_get_autocommit (self->db))
        exec_cached (self, "ROLLBACK", "undo the changes", &error);
    }
  else if (!sqlite3_get_autocommit (self->db))
    {
      /* Unless SQLite already rolled back the whole transaction (as above). */
      exec_cached (self, "ROLLBACK TO jm_nested", "undo the changes", &error);
      if (error == NULL)
        exec_cached (self, "RELEASE jm_nested", "undo the changes", &error);
    }

  if (error != NULL)
    g_warning ("%s", error->message);

  self->transaction_depth--;

  if (self->transaction_depth == 0)
    {
      g_autoptr(GError) reload_error = NULL;

      if (!jm_store_reload_arrival (self, &reload_error))
        g_warning ("%s", reload_error->message);
    }
}

gboolean
jm_store_random_bytes (guint8  *buffer,
                       gsize    length,
                       GError **error)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0 && errno == ENOSYS)
        {
          /* Kernels before 3.17: the same generator through its device. */
          int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);

          if (fd < 0)
            break;

          while (done < length)
            {
              ssize_t m = read (fd, buffer + done, length - done);

              if (m < 0 && errno == EINTR)
                continue;
              if (m <= 0)
                break;
              done += m;
            }

          close (fd);
          break;
        }

      if (n <= 0)
        break;

      done += n;
    }

  if (done < length)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not read random bytes from the operating system: %s",
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

gboolean
jm_store_reload_arrival (JmStore  *self,
                         GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  if (self->schema_version < 1)
    return TRUE;

  stmt = jm_store_prepare_cached (self, "SELECT max(arrival) FROM events", error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return jm_store_set_error_from_sqlite (self, error, "read the workspace");

  self->next_arrival = sqlite3_column_int64 (stmt, 0) + 1;

  return TRUE;
}

/* Opening */

static gboolean
exec_sql (JmStore     *self,
          const char  *sql,
          const char  *what,
          GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return jm_store_set_error_from_sqlite (self, error, what);

  return TRUE;
}

void
jm_store_set_bulk_import (JmStore  *self,
                          gboolean  bulk)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (JM_IS_STORE (self));

  /* Inside a caller's transaction the caller's commit decides. */
  if ((self->flags & JM_STORE_OPEN_READONLY) != 0 || self->transaction_depth > 0)
    return;

  /* Our own constants, not user values; failing only costs speed (or, going back, is
   * reported: FULL is what the listener relies on).
   */
  if (!exec_sql (self, bulk ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL",
                 "set the import mode", &error))
    g_warning ("%s", error->message);
}

static gboolean
query_int64 (JmStore     *self,
             const char  *sql,
             gint64      *out_value,
             GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = jm_store_prepare_cached (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    *out_value = sqlite3_column_int64 (stmt, 0);
  else if (rc == SQLITE_DONE)
    *out_value = 0;
  else
    return jm_store_set_error_from_sqlite (self, error, "read the workspace");

  return TRUE;
}

static gboolean
query_text (JmStore     *self,
            const char  *sql,
            char       **out_value,
            GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = jm_store_prepare_cached (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    *out_value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  else if (rc == SQLITE_DONE)
    *out_value = NULL;
  else
    return jm_store_set_error_from_sqlite (self, error, "read the workspace");

  return TRUE;
}

static gboolean
check_integrity (JmStore  *self,
                 GError  **error)
{
  g_autofree char *name = display_name (self->path);
  sqlite3_stmt *stmt = NULL;
  const char *result;
  int rc;

  /* Not cached: it runs once per open. */
  if (sqlite3_prepare_v2 (self->db, "PRAGMA quick_check(1)", -1, &stmt, NULL) != SQLITE_OK)
    return jm_store_set_error_from_sqlite (self, error, "check the workspace");

  rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      jm_store_set_error_from_sqlite (self, error, "check the workspace");
      sqlite3_finalize (stmt);
      return FALSE;
    }

  result = (const char *)sqlite3_column_text (stmt, 0);

  if (g_strcmp0 (result, "ok") != 0)
    {
      g_autofree char *detail = g_strdup (result != NULL ? result : "integrity check failed");
      const char *shown = detail;

      /* "*** in database main ***\nPage 144: …": keep the part that says what is wrong. */
      if (g_str_has_prefix (shown, "*** in database main ***"))
        shown += strlen ("*** in database main ***");
      g_strdelimit (detail, "\n", ' ');

      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_CORRUPT,
                   "The workspace “%s” is damaged (%s); restore it from a backup",
                   name, g_strstrip ((char *)shown));
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
insert_hmac_key (JmStore  *self,
                 gint64    now,
                 gint64   *out_id,
                 GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  guint8 secret[32];

  if (!jm_store_random_bytes (secret, sizeof secret, error))
    return FALSE;

  stmt = jm_store_prepare_cached (self,
                                  "INSERT INTO hmac_keys (secret, created) VALUES (?1, ?2)",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, secret, sizeof secret, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  memset (secret, 0, sizeof secret);

  if (!jm_store_step_done (self, stmt, "create the project's key", error))
    return FALSE;

  *out_id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

/* Inserts a project; the caller holds a transaction. */
static gboolean
insert_project (JmStore     *self,
                const char  *name,
                gint64      *out_id,
                GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autofree char *settings = NULL;
  gint64 now = jm_store_now_ms ();
  gint64 key_id;

  if (!insert_hmac_key (self, now, &key_id, error))
    return FALSE;

  /* No user value in this text: the key id is our own integer. */
  settings = g_strdup_printf ("{\"consent_policy\":\"none\",\"pii\":{},\"retention_days\":0,"
                              "\"hmac_key_id\":%" G_GINT64_FORMAT "}",
                              key_id);

  stmt = jm_store_prepare_cached (self,
                                  "INSERT INTO projects (organization, name, settings, created) "
                                  "VALUES ((SELECT min(id) FROM organizations), ?1, ?2, ?3)",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, settings, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        {
          g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_EXISTS,
                       "A project named “%s” already exists", name);
          return FALSE;
        }

      return jm_store_set_error_from_sqlite (self, error, "create the project");
    }

  if (out_id != NULL)
    *out_id = sqlite3_last_insert_rowid (self->db);

  return TRUE;
}

/* What every new workspace holds: an organization and the project `default`. */
static gboolean
insert_defaults (JmStore  *self,
                 GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;

  stmt = jm_store_prepare_cached (self,
                                  "INSERT INTO organizations (name, created) VALUES (?1, ?2)",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, "default", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, jm_store_now_ms ());

  if (!jm_store_step_done (self, stmt, "create the workspace", error))
    return FALSE;

  return insert_project (self, JM_STORE_DEFAULT_PROJECT, NULL, error);
}

static gboolean
run_migrations (JmStore            *self,
                const JmMigration  *steps,
                guint               n_steps,
                int                 target,
                GError            **error)
{
  g_autofree char *name = display_name (self->path);
  int from = self->schema_version;

  if (!jm_store_begin (self, error))
    return FALSE;

  if (from == 0)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d",
                                              (int)JM_STORE_APPLICATION_ID);

      if (!exec_sql (self, sql, "create the workspace", error))
        goto failed;
    }

  for (guint i = 0; i < n_steps; i++)
    {
      g_autofree char *version_sql = NULL;
      g_autoptr(GError) local_error = NULL;

      if (steps[i].version <= from)
        continue;

      if (!exec_sql (self, steps[i].sql, "upgrade the workspace", &local_error))
        {
          g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                       "Could not upgrade the workspace “%s” to schema %d (it was left "
                       "unchanged): %s",
                       name, steps[i].version, sqlite3_errmsg (self->db));
          goto failed;
        }

      /* Our own integer, not a user value. */
      version_sql = g_strdup_printf ("PRAGMA user_version = %d", steps[i].version);
      if (!exec_sql (self, version_sql, "upgrade the workspace", error))
        goto failed;

      if (steps[i].version == 1 && !insert_defaults (self, error))
        goto failed;
    }

  if (!jm_store_commit (self, error))
    return FALSE;

  self->schema_version = target;

  if (from > 0)
    g_debug ("Upgraded “%s” from schema %d to %d", name, from, target);

  return TRUE;

failed:
  jm_store_rollback (self);
  return FALSE;
}

/* Pragmas of every connection. trusted_schema=OFF and the defensive flag keep a workspace
 * from elsewhere from running functions hidden in its schema or corrupting itself.
 */
static gboolean
configure_connection (JmStore  *self,
                      GError  **error)
{
  /* Our own constants, not user values */
  g_autofree char *sizes_sql = g_strdup_printf ("PRAGMA cache_size = -%d;"
                                                "PRAGMA wal_autocheckpoint = %d;"
                                                "PRAGMA journal_size_limit = %d;",
                                                CACHE_KIB, WAL_AUTOCHECKPOINT_PAGES,
                                                JOURNAL_SIZE_LIMIT_BYTES);

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  return exec_sql (self,
                   "PRAGMA trusted_schema = OFF;"
                   "PRAGMA foreign_keys = ON;"
                   "PRAGMA secure_delete = ON;"
                   "PRAGMA synchronous = FULL;"
                   "PRAGMA temp_store = MEMORY;",
                   "open the workspace", error) &&
         exec_sql (self, sizes_sql, "open the workspace", error);
}

/* A file with no table yet gets incremental auto-vacuum (only possible before the first
 * table exists, or by rebuilding it) and the WAL journal.
 */
static gboolean
prepare_new_file (JmStore   *self,
                  gboolean   is_memory,
                  GError   **error)
{
  gint64 auto_vacuum = 0;

  /* 16 KiB pages rather than 4: an event row is most of a kilobyte of JSON, so bigger pages
   * mean fewer page splits, WAL frames and checkpointed pages per event (import ran about
   * a third faster); reads of the events table are scans, which do not mind.
   */
  if (!exec_sql (self, "PRAGMA page_size = 16384", "create the workspace", error) ||
      !exec_sql (self, "PRAGMA auto_vacuum = INCREMENTAL", "create the workspace", error) ||
      !query_int64 (self, "PRAGMA auto_vacuum", &auto_vacuum, error))
    return FALSE;

  /* An SQLite file that exists but holds nothing keeps its header's mode until rebuilt. */
  if (auto_vacuum != 2 && !exec_sql (self, "VACUUM", "create the workspace", error))
    return FALSE;

  if (!is_memory)
    {
      g_autofree char *mode = NULL;

      if (!query_text (self, "PRAGMA journal_mode = WAL", &mode, error))
        return FALSE;

      if (g_strcmp0 (mode, "wal") != 0)
        g_debug ("“%s” could not use the WAL journal (%s)", self->path, mode);
    }

  return TRUE;
}

JmStore *
jm_store_open_with_migrations (const char         *path,
                               JmStoreOpenFlags    flags,
                               const JmMigration  *steps,
                               guint               n_steps,
                               GError            **error)
{
  g_autoptr(JmStore) self = NULL;
  g_autofree char *name = NULL;
  gboolean is_memory;
  gboolean readonly;
  gboolean existed = FALSE;
  gboolean has_content = FALSE;
  gint64 file_bytes = 0;
  gint64 application_id = 0;
  gint64 user_version = 0;
  gint64 n_tables = 0;
  int target;
  int open_flags;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (steps != NULL, NULL);
  g_return_val_if_fail (n_steps > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  is_memory = strcmp (path, ":memory:") == 0;
  readonly = (flags & JM_STORE_OPEN_READONLY) != 0;
  target = steps[n_steps - 1].version;
  name = display_name (path);

  if (!is_memory)
    {
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        {
          existed = TRUE;
          has_content = st.st_size > 0;
          file_bytes = st.st_size;

          if (S_ISDIR (st.st_mode))
            {
              g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_A_WORKSPACE,
                           "“%s” is not a JourneyMapper workspace (it is a folder)", name);
              return NULL;
            }
        }
      else if (errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not open the workspace “%s”: %s", name, g_strerror (saved_errno));
          return NULL;
        }
    }

  if (!is_memory && !existed)
    {
      g_autofree char *dir = NULL;

      if ((flags & (JM_STORE_OPEN_NO_CREATE | JM_STORE_OPEN_READONLY)) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "There is no workspace at “%s”", name);
          return NULL;
        }

      /* The default workspace lives in a folder that may not exist yet. */
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not create the folder for the workspace “%s”: %s",
                       name, g_strerror (saved_errno));
          return NULL;
        }
    }

  self = g_object_new (JM_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->flags = flags;

  /* A store is used from one thread at a time: SQLite need not lock every call. */
  open_flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  open_flags |= SQLITE_OPEN_NOMUTEX;

  if (sqlite3_open_v2 (path, &self->db, open_flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                   "Could not open the workspace “%s”: %s",
                   name, self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }

  /* The first statements that read the file tell whether it is SQLite at all. */
  if (!configure_connection (self, error) ||
      !query_int64 (self, "PRAGMA application_id", &application_id, error) ||
      !query_int64 (self, "PRAGMA user_version", &user_version, error) ||
      !query_int64 (self,
                    "SELECT count(*) FROM sqlite_schema "
                    "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                    &n_tables, error))
    return NULL;

  if (application_id != JM_STORE_APPLICATION_ID && (application_id != 0 || n_tables > 0))
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_A_WORKSPACE,
                   "“%s” is not a JourneyMapper workspace (it is another application’s "
                   "SQLite database)", name);
      return NULL;
    }

  if (user_version > target)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_TOO_NEW,
                   "The workspace “%s” was written by a newer version of JourneyMapper "
                   "(schema %" G_GINT64_FORMAT "); this version understands up to %d",
                   name, user_version, target);
      return NULL;
    }

  /* A full quick_check reads every page: milliseconds for a typical workspace, minutes for
   * one of ten million events. Large files are checked by SQLite page by page as they are
   * read instead (a damaged page still fails with CORRUPT, just later).
   */
  if (has_content && file_bytes <= JM_STORE_QUICK_CHECK_MAX_BYTES &&
      !check_integrity (self, error))
    return NULL;

  self->schema_version = (int)user_version;

  if (readonly)
    {
      if (user_version < target)
        {
          g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_FAILED,
                       "The workspace “%s” needs to be upgraded (schema %" G_GINT64_FORMAT
                       " to %d); open it once without read-only access",
                       name, user_version, target);
          return NULL;
        }
    }
  else
    {
      if (user_version == 0 && n_tables == 0 && !prepare_new_file (self, is_memory, error))
        return NULL;

      if (user_version < target && !run_migrations (self, steps, n_steps, target, error))
        return NULL;

      if (!jm_store_reload_arrival (self, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

JmStore *
jm_store_open (const char        *path,
               JmStoreOpenFlags   flags,
               GError           **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return jm_store_open_with_migrations (path, flags,
                                        migrations, G_N_ELEMENTS (migrations),
                                        error);
}

const char *
jm_store_get_path (JmStore *self)
{
  g_return_val_if_fail (JM_IS_STORE (self), NULL);

  return self->path;
}

int
jm_store_get_schema_version (JmStore *self)
{
  g_return_val_if_fail (JM_IS_STORE (self), 0);

  return self->schema_version;
}

/* Projects */

static gboolean
validate_project_name (const char  *name,
                       GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID,
                   "A project needs a name");
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID,
                   "A project name must be valid UTF-8 text");
      return FALSE;
    }

  if (g_utf8_strlen (name, -1) > 100)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID,
                   "The project name “%s” is too long (at most 100 characters)", name);
      return FALSE;
    }

  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        {
          g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID,
                       "A project name cannot contain control characters");
          return FALSE;
        }
    }

  if (g_ascii_isspace (name[0]) || g_ascii_isspace (name[strlen (name) - 1]))
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID,
                   "A project name cannot start or end with a space");
      return FALSE;
    }

  return TRUE;
}

gboolean
jm_store_create_project (JmStore     *self,
                         const char  *name,
                         gint64      *out_id,
                         GError     **error)
{
  gint64 id = 0;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_project_name (name, error))
    return FALSE;

  if (!jm_store_begin (self, error))
    return FALSE;

  if (!insert_project (self, name, &id, error))
    {
      jm_store_rollback (self);
      return FALSE;
    }

  if (!jm_store_commit (self, error))
    return FALSE;

  if (out_id != NULL)
    *out_id = id;

  return TRUE;
}

gboolean
jm_store_lookup_project (JmStore     *self,
                         const char  *name,
                         gint64      *out_id,
                         GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL)
    name = JM_STORE_DEFAULT_PROJECT;

  stmt = jm_store_prepare_cached (self, "SELECT id FROM projects WHERE name = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "There is no project “%s” in this workspace", name);
      return FALSE;
    }

  if (rc != SQLITE_ROW)
    return jm_store_set_error_from_sqlite (self, error, "look the project up");

  if (out_id != NULL)
    *out_id = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

GPtrArray *
jm_store_list_projects (JmStore  *self,
                        GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT p.id, p.name, p.settings, p.created, "
                                  "  (SELECT count(*) FROM events AS e WHERE e.project = p.id) "
                                  "FROM projects AS p ORDER BY p.id",
                                  error);
  if (stmt == NULL)
    return NULL;

  projects = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_project_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JmProject *project = g_new0 (JmProject, 1);

      project->id = sqlite3_column_int64 (stmt, 0);
      project->name = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
      project->settings = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
      project->created = sqlite3_column_int64 (stmt, 3);
      project->events = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (projects, project);
    }

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "list the projects");
      return NULL;
    }

  return g_steal_pointer (&projects);
}

void
jm_project_free (JmProject *project)
{
  if (project == NULL)
    return;

  g_free (project->name);
  g_free (project->settings);
  g_free (project);
}

char *
jm_store_dup_project_name (JmStore  *self,
                           gint64    project,
                           GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);

  stmt = jm_store_prepare_cached (self, "SELECT name FROM projects WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return g_strdup ((const char *)sqlite3_column_text (stmt, 0));

  if (rc == SQLITE_DONE)
    g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                 "There is no project with id %" G_GINT64_FORMAT " in this workspace", project);
  else
    jm_store_set_error_from_sqlite (self, error, "look the project up");

  return NULL;
}

char *
jm_store_dup_project_settings (JmStore  *self,
                               gint64    project,
                               GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);

  stmt = jm_store_prepare_cached (self, "SELECT settings FROM projects WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return g_strdup ((const char *)sqlite3_column_text (stmt, 0));

  if (rc == SQLITE_DONE)
    g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                 "There is no project with id %" G_GINT64_FORMAT " in this workspace", project);
  else
    jm_store_set_error_from_sqlite (self, error, "read the project’s settings");

  return NULL;
}

gboolean
jm_store_update_project_settings (JmStore     *self,
                                  gint64       project,
                                  JsonObject  *patch,
                                  GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (patch != NULL, FALSE);

  node = json_node_init_object (json_node_alloc (), patch);
  text = json_to_string (node, FALSE);

  stmt = jm_store_prepare_cached (self,
                                  "UPDATE projects SET settings = json_patch(settings, ?1) "
                                  "WHERE id = ?2",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, project);

  if (!jm_store_step_done (self, stmt, "change the project’s settings", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "There is no project with id %" G_GINT64_FORMAT " in this workspace", project);
      return FALSE;
    }

  return TRUE;
}

GBytes *
jm_store_dup_project_hmac_key (JmStore  *self,
                               gint64    project,
                               gint64   *out_key_id,
                               GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT k.id, k.secret FROM projects AS p "
                                  "JOIN hmac_keys AS k "
                                  "  ON k.id = json_extract(p.settings, '$.hmac_key_id') "
                                  "WHERE p.id = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      if (out_key_id != NULL)
        *out_key_id = sqlite3_column_int64 (stmt, 0);

      return g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
    }

  if (rc == SQLITE_DONE)
    g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                 "The project with id %" G_GINT64_FORMAT " has no key for hashing identities",
                 project);
  else
    jm_store_set_error_from_sqlite (self, error, "read the project’s key");

  return NULL;
}

/* Statistics */

static gint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0)
    return st.st_size;

  return 0;
}

JmStoreStats *
jm_store_get_stats (JmStore  *self,
                    GError  **error)
{
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stats = g_new0 (JmStoreStats, 1);
  stats->by_type = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT (SELECT count(*) FROM projects), "
                                  "  (SELECT count(*) FROM customers), "
                                  "  min(ts), max(ts) "
                                  "FROM events",
                                  error);
  if (stmt == NULL)
    return NULL;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      jm_store_set_error_from_sqlite (self, error, "read the statistics");
      return NULL;
    }

  stats->projects = sqlite3_column_int64 (stmt, 0);
  stats->customers = sqlite3_column_int64 (stmt, 1);
  stats->first_ts = sqlite3_column_int64 (stmt, 2);
  stats->last_ts = sqlite3_column_int64 (stmt, 3);
  sqlite3_reset (stmt);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT type, count(*) FROM events GROUP BY type ORDER BY type",
                                  error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *count = g_new (gint64, 1);

      *count = sqlite3_column_int64 (stmt, 1);
      stats->events += *count;
      g_hash_table_insert (stats->by_type,
                           g_strdup ((const char *)sqlite3_column_text (stmt, 0)),
                           count);
    }

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "read the statistics");
      return NULL;
    }

  if (strcmp (self->path, ":memory:") == 0)
    {
      gint64 page_count = 0;
      gint64 page_size = 0;

      if (!query_int64 (self, "PRAGMA page_count", &page_count, error) ||
          !query_int64 (self, "PRAGMA page_size", &page_size, error))
        return NULL;

      stats->file_bytes = page_count * page_size;
    }
  else
    {
      g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);

      stats->file_bytes = file_size (self->path) + file_size (wal);
    }

  return g_steal_pointer (&stats);
}

void
jm_store_stats_free (JmStoreStats *stats)
{
  if (stats == NULL)
    return;

  g_clear_pointer (&stats->by_type, g_hash_table_unref);
  g_free (stats);
}

gint64
jm_store_get_generation (JmStore *self,
                         gint64   project)
{
  g_autoptr(JmCachedStmt) stmt = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), -1);

  stmt = jm_store_prepare_cached (self, "SELECT generation FROM projects WHERE id = ?1", NULL);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, project);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return -1;

  return sqlite3_column_int64 (stmt, 0);
}

gboolean
jm_store_get_change_marks (JmStore *self,
                           gint64   project,
                           gint64  *out_generation,
                           gint64  *out_removals)
{
  g_autoptr(JmCachedStmt) stmt = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);

  *out_generation = -1;
  *out_removals = -1;

  stmt = jm_store_prepare_cached (self,
                                  "SELECT generation, removals FROM projects WHERE id = ?1",
                                  NULL);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, project);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;

  *out_generation = sqlite3_column_int64 (stmt, 0);
  *out_removals = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

gint64
jm_store_get_removals (JmStore  *self,
                       gint64    project,
                       GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), -1);

  stmt = jm_store_prepare_cached (self, "SELECT removals FROM projects WHERE id = ?1", error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, project);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "There is no project with id %" G_GINT64_FORMAT, project);
      return -1;
    }

  jm_store_set_error_from_sqlite (self, error, "read the project");
  return -1;
}

gboolean
jm_store_bump_removals (JmStore  *self,
                        gint64    project,
                        GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);

  if (project < 0)
    stmt = jm_store_prepare_cached (self,
                                    "UPDATE projects SET removals = removals + 1, "
                                    "generation = generation + 1",
                                    error);
  else
    stmt = jm_store_prepare_cached (self,
                                    "UPDATE projects SET removals = removals + 1, "
                                    "generation = generation + 1 WHERE id = ?1",
                                    error);
  if (stmt == NULL)
    return FALSE;

  if (project >= 0)
    sqlite3_bind_int64 (stmt, 1, project);

  return jm_store_step_done (self, stmt, "record the deletion", error);
}

gboolean
jm_store_bump_generation (JmStore  *self,
                          gint64    project,
                          GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);

  if (project < 0)
    stmt = jm_store_prepare_cached (self, "UPDATE projects SET generation = generation + 1", error);
  else
    stmt = jm_store_prepare_cached (self,
                                    "UPDATE projects SET generation = generation + 1 WHERE id = ?1",
                                    error);
  if (stmt == NULL)
    return FALSE;

  if (project >= 0)
    sqlite3_bind_int64 (stmt, 1, project);

  return jm_store_step_done (self, stmt, "record the change", error);
}

void
jm_project_add_json_members (const JmProject *project,
                             JsonBuilder     *builder)
{
  g_autofree char *created = NULL;
  g_autoptr(JsonNode) settings = NULL;

  g_return_if_fail (project != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  created = jm_time_format_iso (project->created);
  settings = project->settings != NULL ? json_from_string (project->settings, NULL) : NULL;

  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, project->name);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, project->events);
  json_builder_set_member_name (builder, "settings");
  if (settings != NULL)
    json_builder_add_value (builder, g_steal_pointer (&settings));
  else
    json_builder_add_null_value (builder);
}
