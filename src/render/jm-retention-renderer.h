/* jm-retention-renderer.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-chart-renderer.h"
#include "jm-retention-geometry.h"
#include "jm-retention.h"

G_BEGIN_DECLS

/* The retention heat table: a row per cohort (its start and size), a cell per period with the
 * share of the cohort retained, coloured on the theme's heat scale; periods not complete yet
 * are left blank. With several cohorts a last row "All cohorts" weighs them by size over the
 * cohorts whose period is complete. Items are cohorts; a selected cohort's row is outlined.
 */

typedef struct
{
  const char   *label;      /* e.g. the cohort's first day */
  double        size;       /* ≥ 0 */
  /* n_periods + 1 counts, retained[0] the size; NaN or a negative value for unknown. */
  const double *retained;
} JmRetentionChartCohort;

/* Copies the cohorts. `period_name` names the columns ("Week" gives "Week 0", "Week 1"…).
 * Fails with JM_RENDER_ERROR_INVALID_CHART for a missing label or counts, or a size that is
 * negative or not finite (the message names the cohort).
 */
JmChartRenderer           *jm_retention_renderer_new            (const JmRetentionChartCohort *cohorts,
                                                                 guint                         n_cohorts,
                                                                 guint                         n_periods,
                                                                 const char                   *period_name,
                                                                 GError                      **error);
JmChartRenderer           *jm_retention_renderer_new_for_retention (const JmRetention          *retention);
/* The grid of the last draw, or NULL before it. */
const JmRetentionGeometry *jm_retention_renderer_get_geometry   (const JmChartRenderer        *self);
/* The share shown in a cell (row < n_cohorts, or the "All cohorts" row), NaN when blank. */
double                     jm_retention_renderer_get_rate       (const JmChartRenderer        *self,
                                                                 guint                         row,
                                                                 guint                         period);

G_END_DECLS
