/* jm-event-log-private.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "jm-event-log.h"

G_BEGIN_DECLS

/* JmEventLog is split over jm-event-log.c (building from the workspace, the live append,
 * hand-built logs, property columns) and jm-event-log-cache.c (the NAME.jmw.log file).
 */

/* A dictionary: string i is bytes + offsets[i], NUL-terminated; offsets has n + 1 entries
 * and offsets[n] is the size of `bytes`. The same layout is used in memory and in the cache
 * file, so a mapped file needs no unpacking.
 */
typedef struct
{
  guint32        n;
  const guint32 *offsets;
  const char    *bytes;
} JmStringTable;

/* One loaded field (jm_event_log_get_field()). */
typedef struct
{
  JmEventLogField  field;
  guint32         *value;    /* n_events */
  GPtrArray       *values;   /* JsonNode*, [0] = NULL */
} JmLogField;

struct _JmEventLog
{
  gatomicrefcount    ref_count;

  JmEventLogColumns  columns;

  JmStringTable      names;
  JmStringTable      customer_ids;
  /* 1 for a unit that is an anonymous id never linked to a customer, else 0. An anonymous
   * id and a customer id may be the same string: they stay two units.
   */
  const guint8      *customer_anonymous;
  JmStringTable      channels;

  JmStore           *store;              /* NULL for a hand-built log */
  char              *db_path;            /* the workspace file, NULL for an in-memory one */
  gint64             project;
  gint64             generation;
  /* The project's removals counter when the log was read: appending is only right while it
   * is unchanged (no event the log holds can have been deleted).
   */
  gint64             removals;
  /* The largest rowid and arrival among the project's events (of any type) the log was
   * built from: the live append reads what came after.
   */
  gint64             max_rowid;
  gint64             max_arrival;
  /* How many parts a build read in at once (1 for other logs). */
  guint              n_scan_parts;

  /* What the columns point into: a mapped cache file, blocks of our own (g_free), or the
   * columns of another log (the append of an empty delta shares them).
   */
  GMappedFile       *mapped;
  GPtrArray         *blocks;
  JmEventLog        *shared;

  GHashTable        *name_index;         /* name → index + 1 */

  /* Analyses may run in threads: everything below is filled on demand under `mutex`. */
  GMutex             mutex;
  GHashTable        *customer_index;     /* customer id → index + 1 (stitched ones) */
  GHashTable        *anonymous_index;    /* anonymous id → index + 1 */
  guint32           *rowid_order;        /* event positions ordered by rowid */
  GHashTable        *fields;             /* field name → JmLogField* */
  sqlite3           *field_db;           /* private read-only connection for fields */
};

/* Arrays of `n` elements of `size` bytes for columns, freed with g_free(): large ones are
 * advised to use huge pages (see jm-event-log.c).
 */
gpointer     jm_column_new                  (gsize               n,
                                             gsize               size);
gpointer     jm_column_new0                 (gsize               n,
                                             gsize               size);
gpointer     jm_column_renew                (gpointer            column,
                                             gsize               n,
                                             gsize               size);

/* A new log with no columns, owning nothing yet. */
JmEventLog  *jm_event_log_new_empty         (void);
/* Hands a g_malloc()ed block to the log, which frees it with itself; returns `block`. */
gpointer     jm_event_log_take_block        (JmEventLog         *self,
                                             gpointer            block);
/* Builds the name index; call once the dictionaries are in place. */
void         jm_event_log_index_names       (JmEventLog         *self);

/* Writes `self` atomically to `path` (temporary file, fsync, rename). */
gboolean     jm_event_log_write_cache       (JmEventLog         *self,
                                             const char         *path,
                                             gint64              project_created,
                                             GError            **error);
/* Maps a cache file. STALE when it is for another project, workspace or generation,
 * CORRUPT when it is damaged, a G_FILE_ERROR when it cannot be read.
 */
JmEventLog  *jm_event_log_read_cache        (const char         *path,
                                             gint64              project,
                                             gint64              project_created,
                                             gint64              generation,
                                             GError            **error);

/* For tests: read in `n_parts` parts (0: one per processor) once the workspace has
 * `rows_per_part` rows per part (table scan) or `customers_per_part` customers per part
 * (index scan); 0 restores a default. Not thread-safe.
 */
void         jm_event_log_set_scan_parts    (guint               n_parts,
                                             guint               rows_per_part,
                                             guint               customers_per_part);

/* TRUE when the columns are those of a mapped cache file (read without rebuilding). */
gboolean     jm_event_log_is_mapped         (JmEventLog         *self);

G_END_DECLS
