/* jm-retention.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "jm-table.h"
#include "jm-units.h"

G_BEGIN_DECLS

/* Cohort retention (DESIGN §5 "Retention", §12 `analyze retention`).
 *
 * Periods are UTC calendar periods: a day, an ISO week (Monday 00:00 to the next Monday), or a
 * calendar month. A unit's cohort is the period of its first cohort event (after the filters);
 * only cohorts with at least one unit are reported, oldest first.
 *
 * retained[0] is the cohort size. For k ≥ 1, classic mode counts the members with at least one
 * return event in period p+k; unbounded mode the members with a return event in period p+k or
 * any later period (including periods beyond the last one reported). Return events in the
 * cohort period itself never count, so when the return event is the cohort event, the first
 * occurrence is not a return: only a repeat in a later period is.
 *
 * A period is complete when the data reaches its last millisecond, that is when
 * period_end_ms - 1 <= data_end_ms; retained[k] of a period p+k that is not complete is
 * unknown (JSON null, JM_RETENTION_INCOMPLETE here). retained[0] is always the size, even for a
 * cohort whose own period is still running.
 */

typedef enum
{
  JM_RETENTION_PERIOD_DAY,
  JM_RETENTION_PERIOD_WEEK,
  JM_RETENTION_PERIOD_MONTH,
} JmRetentionPeriod;

/* Largest --periods accepted. */
#define JM_RETENTION_MAX_PERIODS 10000

/* retained[k] of a period that is not complete at the end of the data. */
#define JM_RETENTION_INCOMPLETE (-1)

typedef struct
{
  const char        *cohort_event;   /* journey name */
  const char        *return_event;   /* journey name; may equal cohort_event */
  JmRetentionPeriod  period;         /* default JM_RETENTION_PERIOD_WEEK */
  guint              periods;        /* default 8; retained has periods + 1 entries */
  gboolean           unbounded;      /* default FALSE (classic) */
} JmRetentionOptions;

typedef struct
{
  gint64  start_ms;   /* first millisecond of the cohort's period */
  gint64  size;       /* = retained[0] */
  gint64 *retained;   /* periods + 1 entries; JM_RETENTION_INCOMPLETE when unknown */
} JmRetentionCohort;

typedef struct
{
  JmUnitKind          unit;
  JmRetentionPeriod   period;
  gboolean            unbounded;
  guint               periods;
  char               *cohort_event;
  char               *return_event;
  gint64              data_end_ms;
  guint               n_cohorts;
  JmRetentionCohort  *cohorts;      /* oldest first */
} JmRetention;

void              jm_retention_options_init         (JmRetentionOptions        *options);

const char       *jm_retention_period_to_string     (JmRetentionPeriod          period);
/* "day", "week" or "month". */
gboolean          jm_retention_period_from_string   (const char                *text,
                                                     JmRetentionPeriod         *out_period);

/* The index of the period containing `ms`: days since 1970-01-01, ISO weeks since the week of
 * 1970-01-01 (which starts on Monday 1969-12-29), or months since January 1970. Negative before.
 */
gint64            jm_retention_period_index         (JmRetentionPeriod          period,
                                                     gint64                     ms);
/* The first millisecond of period `index` (its end is the start of index + 1). */
gint64            jm_retention_period_start_ms      (JmRetentionPeriod          period,
                                                     gint64                     index);

/* The end of the data for `data_end_ms`: the time of the latest event in the log, before
 * filters (a --where that keeps few events does not make the last periods look incomplete),
 * or the filter's exclusive --to bound when that comes first (periods ending at --to are
 * complete; a --to after the last event changes nothing, so periods after the data stay
 * null rather than 0). G_MININT64 for an empty log.
 */
gint64            jm_retention_data_end_ms          (JmEventLog                *log,
                                                     const JmFilter            *filter);

/* One pass over the units. `data_end_ms` is the end of the data (see above and
 * jm_retention_data_end_ms()): the latest event time, or the exclusive --to bound. An event
 * name that no event has is not an error: it matches nothing. Fails with
 * JM_ANALYSIS_ERROR_INVALID_OPTION when `periods` exceeds JM_RETENTION_MAX_PERIODS.
 */
JmRetention      *jm_retention_compute              (const JmUnits             *units,
                                                     const JmRetentionOptions  *options,
                                                     gint64                     data_end_ms,
                                                     GError                   **error);
void              jm_retention_free                 (JmRetention               *self);

/* The §12 document: {"unit","period","mode","cohort_event","return_event","periods",
 * "cohorts":[{"start","size","retained":[…]}]} ("periods" is an addition to §12).
 */
JsonNode         *jm_retention_to_json              (const JmRetention         *self);
/* One row per cohort: start,size,retained_0,…,retained_P (empty cell for null). */
JmTable          *jm_retention_to_table             (const JmRetention         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmRetention, jm_retention_free)

G_END_DECLS
