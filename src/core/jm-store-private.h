/* jm-store-private.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "jm-store.h"

G_BEGIN_DECLS

/* JmStore is split over jm-store.c (opening, schema, projects, stats), jm-store-events.c
 * (ingest), jm-customer.c and jm-api-key.c; they share the instance structure.
 *
 * A JmStore is used from one thread at a time.
 */
struct _JmStore
{
  GObject           parent_instance;

  char             *path;
  sqlite3          *db;

  /* SQL text (a string with static lifetime) → sqlite3_stmt* */
  GHashTable       *statements;

  JmStoreOpenFlags  flags;
  int               schema_version;

  /* The next value of the per-workspace arrival counter (DESIGN §3). */
  gint64            next_arrival;

  /* Nesting depth of jm_store_begin(): the outermost level is a transaction, the inner
   * ones savepoints, so a caller (the listener's group commit) can wrap several
   * jm_store_insert_events() calls in one transaction.
   */
  guint             transaction_depth;
};

/* One forward-only schema step: run in the upgrade transaction, then user_version = version. */
typedef struct
{
  int         version;
  const char *sql;
} JmMigration;

/* The migrations of this build, ordered by version; the last one is JM_STORE_SCHEMA_VERSION. */
const JmMigration *jm_store_get_migrations          (guint              *n_migrations);

/* jm_store_open() with another list of migrations (tests add a v2 step). All pending steps
 * run in one transaction: a failing step leaves the file as it was.
 */
JmStore           *jm_store_open_with_migrations    (const char         *path,
                                                     JmStoreOpenFlags    flags,
                                                     const JmMigration  *migrations,
                                                     guint               n_migrations,
                                                     GError            **error);

sqlite3           *jm_store_get_db                  (JmStore            *self);

/* A prepared statement for `sql`, which must have static lifetime (a string literal): the
 * statement is prepared once per store and reused. It comes back reset, bindings cleared.
 * Reset it when done (g_autoptr (JmCachedStmt) does), so a read does not hold its snapshot.
 */
sqlite3_stmt      *jm_store_prepare_cached          (JmStore            *self,
                                                     const char         *sql,
                                                     GError            **error);

/* Sets `error` from the store's last SQLite error: NOTADB → NOT_A_WORKSPACE, CORRUPT →
 * CORRUPT, a unique constraint → EXISTS, anything else FAILED. `what` says what was being
 * done ("save the events"). Always returns FALSE.
 */
gboolean           jm_store_set_error_from_sqlite   (JmStore            *self,
                                                     GError            **error,
                                                     const char         *what);

/* Steps a statement that returns no rows; FALSE with `error` set on failure. */
gboolean           jm_store_step_done               (JmStore            *self,
                                                     sqlite3_stmt       *stmt,
                                                     const char         *what,
                                                     GError            **error);

/* BEGIN IMMEDIATE, or a savepoint when a transaction is already open. */
gboolean           jm_store_begin                   (JmStore            *self,
                                                     GError            **error);
gboolean           jm_store_commit                  (JmStore            *self,
                                                     GError            **error);
void               jm_store_rollback                (JmStore            *self);

/* Bulk import (DESIGN §3): while set, commits use synchronous=NORMAL rather than FULL. In
 * WAL mode a crash still leaves a consistent workspace; only the last commits may be lost
 * on a power failure, and importing the file again restores them (ids are idempotent).
 * The listener never sets it. Inside a transaction it does nothing.
 */
void               jm_store_set_bulk_import         (JmStore            *self,
                                                     gboolean            bulk);

/* Wall-clock milliseconds since the epoch. */
gint64             jm_store_now_ms                  (void);

/* Fills `buffer` from the operating system's CSPRNG. */
gboolean           jm_store_random_bytes            (guint8             *buffer,
                                                     gsize               length,
                                                     GError            **error);

/* The name of project `project`; NOT_FOUND when there is none. */
char              *jm_store_dup_project_name        (JmStore            *self,
                                                     gint64              project,
                                                     GError            **error);

/* A project's settings (JSON text, DESIGN §3): consent_policy ("none" or
 * "require_analytics"), pii, retention_days, hmac_key_id.
 */
char              *jm_store_dup_project_settings    (JmStore            *self,
                                                     gint64              project,
                                                     GError            **error);
/* Merges `patch` into a project's settings (RFC 7396: a null member removes the setting). */
gboolean           jm_store_update_project_settings (JmStore            *self,
                                                     gint64              project,
                                                     JsonObject         *patch,
                                                     GError            **error);

/* The secret of a project's HMAC key (settings.hmac_key_id), used to refer to a person by a
 * keyed hash (data requests, audit log) rather than by their id.
 */
GBytes            *jm_store_dup_project_hmac_key    (JmStore            *self,
                                                     gint64              project,
                                                     gint64             *out_key_id,
                                                     GError            **error);

/* Recomputes the arrival counter from the events (after a rolled-back transaction). */
gboolean           jm_store_reload_arrival          (JmStore            *self,
                                                     GError            **error);

/* A project's generation: a counter bumped by every committed change to its events,
 * identities or customers, so derived data (the event-log cache) knows when it is stale.
 * -1 when the project does not exist.
 */
gint64             jm_store_get_generation          (JmStore            *self,
                                                     gint64              project);
/* Bumps it inside the current transaction (every project when `project` is -1). */
gboolean           jm_store_bump_generation         (JmStore            *self,
                                                     gint64              project,
                                                     GError            **error);

/* A project's removals: a counter bumped whenever events of the project are deleted (demo
 * --replace, erasure, retention). While it is unchanged, a cache of the project's events can
 * catch up by appending what arrived; once it changed, the cache must be rebuilt.
 */
gint64             jm_store_get_removals            (JmStore            *self,
                                                     gint64              project,
                                                     GError            **error);
/* Bumps removals and the generation inside the current transaction (every project when
 * `project` is -1).
 */
gboolean           jm_store_bump_removals           (JmStore            *self,
                                                     gint64              project,
                                                     GError            **error);

/* Generation and removals of a project read together (one snapshot), so that derived data
 * labelled with them is never taken as newer than what it holds. FALSE when the project does
 * not exist or the workspace cannot be read.
 */
gboolean           jm_store_get_change_marks        (JmStore            *self,
                                                     gint64              project,
                                                     gint64             *out_generation,
                                                     gint64             *out_removals);

typedef sqlite3_stmt JmCachedStmt;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmCachedStmt, sqlite3_reset)

G_END_DECLS
