/* jm-units.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-event-log.h"
#include "jm-where.h"

G_BEGIN_DECLS

typedef enum
{
  JM_UNIT_CUSTOMER,
  JM_UNIT_SESSION,
} JmUnitKind;

/* The filters and unit options every analysis takes (DESIGN §5 "Units", "Filters"). */
typedef struct
{
  JmUnitKind  unit;
  gint64      session_gap_ms;   /* --session-gap, default 30 minutes (also when ≤ 0) */
  gboolean    has_from;
  gint64      from_ms;          /* inclusive */
  gboolean    has_to;
  gint64      to_ms;            /* exclusive */
  JmWhere    *where;            /* owned by the caller; NULL: everything */
  GHashTable *customers;        /* a segment's customer ids (char* set); NULL: everyone */
} JmFilter;

/* The units of an analysis after the filters: the kept events, grouped into units, in
 * sequence order (ts, arrival, id). events[offsets[u]] … events[offsets[u+1]-1] are the
 * indices (into the log's columns) of unit u's events. Units with no event left are omitted,
 * so n_units is the `units` count of DESIGN §5.
 */
typedef struct
{
  JmEventLog *log;
  JmUnitKind  unit;
  guint32     n_units;
  guint32     n_events;
  guint32    *offsets;         /* n_units + 1 */
  guint32    *events;          /* n_events */
  guint32    *unit_customer;   /* n_units: the customer index of each unit */
} JmUnits;

/* No filter, customer units, the default session gap. */
void        jm_filter_init     (JmFilter        *filter);

/* `filter` may be NULL (no filter). Errors are those of loading the where expression's
 * fields. A segment matches units by id, so it may list anonymous ids too.
 */
JmUnits    *jm_units_new       (JmEventLog      *log,
                                const JmFilter  *filter,
                                GError         **error);
void        jm_units_free      (JmUnits         *units);

const char *jm_unit_kind_to_string (JmUnitKind unit);
/* "customer" or "session" (the --per option); FALSE for anything else. */
gboolean    jm_unit_kind_from_string (const char *string,
                                      JmUnitKind *out_unit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmUnits, jm_units_free)

G_END_DECLS
