/* jm-event-log.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "jm-store.h"

G_BEGIN_DECLS

/* JmEventLog: the immutable, columnar snapshot of one project's journey events (track, page,
 * screen) that every analysis reads (DESIGN §5). Events are sorted by (customer, ts, arrival,
 * id); a "customer" here is the stitched customer id, or the anonymous id of a device never
 * linked to one. Names, customers and channels are dictionary encoded. Journey events without
 * any name (a page view with no path, url or name) are not steps and are left out.
 *
 * Customers are numbered in the order of their ids (strcmp); a customer id and an anonymous
 * id that happen to be the same string are two units (the customer first). Names are
 * numbered in strcmp order, channels too after channel 0 (""): the numbering depends only on
 * the events, not on how they were read.
 *
 * The columns are plain arrays, read-only once built, exposed through JmEventLogColumns so
 * that analyses run tight loops over them:
 *
 *   customer[i]  customer index of event i (0 … n_customers-1), non-decreasing
 *   ts[i]        event time, ms since the epoch (UTC)
 *   name[i]      index into names
 *   channel[i]   index into channels of the event's own touch (0 = no touch, "")
 *   session[i]   global session index for the default 30-minute gap (non-decreasing)
 *   rowid[i]     events.rowid in the workspace (to load property columns on demand)
 *   customer_offsets[c] … customer_offsets[c+1]: the events of customer c
 */
typedef struct
{
  guint32        n_events;
  guint32        n_customers;
  guint32        n_sessions;
  const guint32 *customer;
  const gint64  *ts;
  const guint32 *name;
  const guint8  *channel;
  const guint32 *session;
  const gint64  *rowid;
  const guint32 *customer_offsets;
} JmEventLogColumns;

/* One field's values: value[i] is 0 when event i has no such field, else an index into
 * `values` (distinct JSON scalars or objects; values[0] is NULL).
 */
typedef struct
{
  const guint32     *value;
  JsonNode * const  *values;
  guint32            n_values;
} JmEventLogField;

#define JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS (30 * 60 * 1000)

#define JM_EVENT_LOG_ERROR (jm_event_log_error_quark ())

typedef enum
{
  JM_EVENT_LOG_ERROR_STALE,      /* the cache file does not match the workspace */
  JM_EVENT_LOG_ERROR_CORRUPT,    /* the cache file is damaged */
  JM_EVENT_LOG_ERROR_NO_EVENTS,  /* unknown name / customer asked for */
  JM_EVENT_LOG_ERROR_INVALID_FIELD, /* not "properties.…", "context.…" or "traits.…" */
} JmEventLogError;

typedef struct _JmEventLog JmEventLog;
typedef struct _JmEventLogBuilder JmEventLogBuilder;

GQuark                    jm_event_log_error_quark      (void);

/* Builds the log of `project` from the workspace in one pass. Call it from the store's
 * thread; it reads with read-only connections of its own (in parallel on several cores) and
 * is the only step of an analysis that reads SQLite. NOT_FOUND (JM_STORE_ERROR) for an
 * unknown project, G_IO_ERROR_CANCELLED when cancelled.
 */
JmEventLog               *jm_event_log_build            (JmStore            *store,
                                                         gint64              project,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
/* The log of `project`: from the cache file beside the workspace (NAME.jmw.log) when it is
 * current, otherwise built and the cache (re)written. Deleting the cache loses nothing.
 * A damaged cache is rebuilt; where it cannot be written (read-only directory or workspace)
 * the log is just built.
 */
JmEventLog               *jm_event_log_load             (JmStore            *store,
                                                         gint64              project,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
/* The live append: a log with the events that reached the workspace after `self` was built
 * (merged in order, without reading the rest again), or `self` (a new reference) when
 * nothing changed. When identities were linked since (the events of an anonymous unit moved
 * to a customer, an alias), events arrived out of order, or events of the project were
 * deleted (the project's removals counter moved), it builds the log anew. The cache file is
 * not rewritten. Use from the store's thread.
 */
JmEventLog               *jm_event_log_append           (JmEventLog         *self,
                                                         JmStore            *store,
                                                         GError            **error);
/* The cache file of `project` beside the workspace (NULL for an in-memory one): NAME.jmw.log
 * for the default project, NAME.jmw.ID.log for the project with id ID. Removing it is
 * always safe; erasing a person should remove it, so that no copy of their ids stays behind.
 */
char                     *jm_event_log_dup_cache_path   (JmStore            *store,
                                                         gint64              project);

JmEventLog               *jm_event_log_ref              (JmEventLog         *self);
void                      jm_event_log_unref            (JmEventLog         *self);

const JmEventLogColumns  *jm_event_log_get_columns      (JmEventLog         *self);
guint                     jm_event_log_get_n_names      (JmEventLog         *self);
const char               *jm_event_log_get_name         (JmEventLog         *self,
                                                         guint32             index);
/* Index of a journey name, or FALSE when no event has it. */
gboolean                  jm_event_log_lookup_name      (JmEventLog         *self,
                                                         const char         *name,
                                                         guint32            *out_index);
const char               *jm_event_log_get_customer_id  (JmEventLog         *self,
                                                         guint32             customer);
/* TRUE when the unit is an anonymous id never linked to a customer. */
gboolean                  jm_event_log_is_anonymous     (JmEventLog         *self,
                                                         guint32             customer);
/* A stitched customer id first, else an anonymous id. */
gboolean                  jm_event_log_lookup_customer  (JmEventLog         *self,
                                                         const char         *customer_id,
                                                         guint32            *out_index);
guint                     jm_event_log_get_n_channels   (JmEventLog         *self);
/* "" for index 0 (no touch), then the channel names of DESIGN §6. */
const char               *jm_event_log_get_channel      (JmEventLog         *self,
                                                         guint8              index);
/* The store the log was built from, or NULL for a hand-built log. */
JmStore                  *jm_event_log_get_store        (JmEventLog         *self);
gint64                    jm_event_log_get_project      (JmEventLog         *self);
/* The workspace generation (of the project) the log reflects. */
gint64                    jm_event_log_get_generation   (JmEventLog         *self);

/* Values of one event field for every event, loaded on demand and cached in the log:
 * `field` is "properties.X…", "context.X…" or "traits.X…" (the event's customer's traits;
 * none for anonymous units). Dictionary encoded by canonical JSON value; a JSON null counts
 * as missing. Owned by the log; safe to call from several threads (a store-backed log reads
 * with a connection of its own, except for an in-memory workspace). A field no event has is
 * all missing, not an error; a malformed one is INVALID_FIELD.
 */
const JmEventLogField    *jm_event_log_get_field        (JmEventLog         *self,
                                                         const char         *field,
                                                         GError            **error);
/* Loads the fields of the NULL-terminated `fields` (as for jm_event_log_get_field()) that
 * are not loaded yet, in one scan of the events for the event fields and one of the
 * customers for the traits; jm_event_log_get_field() then returns them without reading.
 * Analyses that need several fields call this first. FALSE with INVALID_FIELD when any name
 * is malformed (nothing is loaded then).
 */
gboolean                  jm_event_log_load_fields      (JmEventLog         *self,
                                                         const char * const *fields,
                                                         GError            **error);
/* TRUE when `field` is a well-formed field name for jm_event_log_get_field(). */
gboolean                  jm_event_log_field_is_valid   (const char         *field);

/* Hand-built logs, for tests and for building from other sources. Events may be added in
 * any order; the order of addition is their arrival order (and their rowid column). As in
 * a built log, customers, names and channels are numbered in strcmp order.
 */
JmEventLogBuilder        *jm_event_log_builder_new      (void);
/* Adds a journey event; `touch` may be NULL or "". Returns the event's handle (its arrival). */
guint32                   jm_event_log_builder_add      (JmEventLogBuilder  *builder,
                                                         const char         *customer_id,
                                                         gint64              ts,
                                                         const char         *name,
                                                         const char         *touch);
/* Sets a field value ("properties.plan", "traits.country", …) of an added event; `value` is
 * copied. A traits.* value belongs to the event's customer: it applies to all of the
 * customer's events (the last one set wins).
 */
void                      jm_event_log_builder_set_field (JmEventLogBuilder *builder,
                                                         guint32             handle,
                                                         const char         *field,
                                                         JsonNode           *value);
/* The same with the value as JSON text: "\"pro\"", "42", "true". */
void                      jm_event_log_builder_set_field_json (JmEventLogBuilder *builder,
                                                         guint32             handle,
                                                         const char         *field,
                                                         const char         *json);
JmEventLog               *jm_event_log_builder_finish   (JmEventLogBuilder  *builder);
void                      jm_event_log_builder_free     (JmEventLogBuilder  *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmEventLog, jm_event_log_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmEventLogBuilder, jm_event_log_builder_free)

G_END_DECLS
