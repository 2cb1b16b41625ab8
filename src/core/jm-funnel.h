/* jm-funnel.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "jm-stats.h"
#include "jm-table.h"
#include "jm-units.h"

G_BEGIN_DECLS

/* JmFunnel: how far each unit gets through a sequence of steps (DESIGN §5 "Funnel").
 *
 * A unit's level is the largest k such that some occurrence of step 1, at time s, is followed
 * by steps 2…k within [s, s + W] (ends included):
 *
 *   ordered  at strictly later positions, in order;
 *   strict   each the very next event of the unit (after the filters);
 *   any      at distinct later positions, in any order.
 *
 * "Later" is the sequence order (ts, arrival, id), so events with equal timestamps follow the
 * log order. An exclusion event strictly between step 1 and the last matched step (by
 * position) invalidates that chain; a shorter chain before it still counts. An exclusion
 * event may not also be a step. A name that no event has matches nothing.
 *
 * The chain that gives a unit's level is the one with the earliest step-1 occurrence that
 * reaches it, with each later step matched to its earliest possible occurrence. Step k is
 * reached at the time of its occurrence in that chain — in `any` mode, when all of steps 1…k
 * have occurred, so that times never run backwards. Per step, the median, mean and p90 of the
 * time from reaching the previous step and from step 1 are taken over the units that reached
 * it (see jm-stats.h); step 1 has no times.
 *
 * count_k is the number of units with level ≥ k; conversion_from_start = count_k / count_1 and
 * conversion_from_previous = count_k / count_(k-1), both 1 for step 1, and 0 whenever the
 * denominator is 0.
 *
 * Breakdown: a unit falls in the group of the value of the breakdown field at its chain's
 * step-1 event ("(none)" when missing or null; strings as they are, numbers and booleans in
 * their JSON text, objects and arrays as compact JSON; values with the same text are one
 * group). Groups are ordered by count_1 (descending), then value; units that never did step 1
 * are in no group.
 */

#define JM_FUNNEL_DEFAULT_WINDOW_MS (G_GINT64_CONSTANT (14) * 24 * 60 * 60 * 1000)
#define JM_FUNNEL_NO_VALUE "(none)"

typedef enum
{
  JM_FUNNEL_ORDERED,
  JM_FUNNEL_STRICT,
  JM_FUNNEL_ANY,
} JmFunnelMode;

/* Everything borrowed: the caller keeps the strings alive during jm_funnel_compute(). */
typedef struct
{
  const char * const *steps;        /* NULL-terminated, at least 1 (2 make a useful funnel) */
  JmFunnelMode        mode;
  gint64              window_ms;    /* ≥ 0 */
  const char * const *exclude;      /* NULL-terminated, or NULL */
  const char         *breakdown;    /* a field such as "properties.plan", or NULL */
} JmFunnelOptions;

typedef struct
{
  const char        *name;
  guint64            count;
  gdouble            conversion_from_start;
  gdouble            conversion_from_previous;
  gboolean           has_times;       /* FALSE for step 1 and for steps nobody reached */
  JmDurationSummary  from_previous;   /* seconds */
  JmDurationSummary  from_start;
} JmFunnelStep;

typedef struct _JmFunnel JmFunnel;

/* Defaults: no steps, ordered, 14 days, no exclusions, no breakdown. */
void                jm_funnel_options_init            (JmFunnelOptions        *options);
const char         *jm_funnel_mode_to_string          (JmFunnelMode            mode);
gboolean            jm_funnel_mode_from_string        (const char             *text,
                                                       JmFunnelMode           *out_mode);

/* Fails with JM_ANALYSIS_ERROR_INVALID_OPTION when there is no step, the window is negative,
 * or an exclusion event is also a step; with the log's error when the breakdown field cannot
 * be read.
 */
JmFunnel           *jm_funnel_compute                 (const JmUnits          *units,
                                                       const JmFunnelOptions  *options,
                                                       GError                **error);
void                jm_funnel_free                    (JmFunnel               *self);

JmUnitKind          jm_funnel_get_unit                (const JmFunnel         *self);
JmFunnelMode        jm_funnel_get_mode                (const JmFunnel         *self);
gint64              jm_funnel_get_window_ms           (const JmFunnel         *self);
/* All units (DESIGN §5 "Counts"). */
guint64             jm_funnel_get_n_units             (const JmFunnel         *self);
guint               jm_funnel_get_n_steps             (const JmFunnel         *self);
const JmFunnelStep *jm_funnel_get_step                (const JmFunnel         *self,
                                                       guint                   index);

/* The breakdown field, or NULL when none was asked. */
const char         *jm_funnel_get_breakdown_field     (const JmFunnel         *self);
guint               jm_funnel_get_n_breakdown         (const JmFunnel         *self);
const char         *jm_funnel_get_breakdown_value     (const JmFunnel         *self,
                                                       guint                   group);
const JmFunnelStep *jm_funnel_get_breakdown_step      (const JmFunnel         *self,
                                                       guint                   group,
                                                       guint                   index);

/* A unit's level (0 … n_steps) by its index in the JmUnits. */
guint               jm_funnel_get_unit_level          (const JmFunnel         *self,
                                                       guint32                 unit);
/* The units (indices into the JmUnits, ascending) whose level is exactly `level`: 0 never did
 * step 1; k < n_steps reached step k and dropped before step k+1 (what "save the drop-offs as
 * a segment" and "paths after the drop" take); n_steps completed the funnel.
 */
const guint32      *jm_funnel_get_units_at_level      (const JmFunnel         *self,
                                                       guint                   level,
                                                       guint                  *out_n_units);
/* The distinct customer ids of those units, in unit order (session units of one customer
 * give one id): a segment is a set of customers.
 */
char              **jm_funnel_dup_customer_ids_at_level (const JmFunnel       *self,
                                                         guint                 level);

/* `{"unit","mode","window_seconds","units","steps":[…],"breakdown":[{"value","steps":[…]}]}`
 * (DESIGN §12); `breakdown` is an empty array when no breakdown was asked.
 */
JsonNode           *jm_funnel_to_json                 (const JmFunnel         *self);
/* `--format csv`: one row per step, columns step (1-based, since names may repeat), name and
 * the step fields of the JSON. With a breakdown, a first column `value` is added: the overall
 * rows have it empty, then come the rows of each group.
 */
JmTable            *jm_funnel_to_table                (const JmFunnel         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmFunnel, jm_funnel_free)

G_END_DECLS
