/* jm-funnel-renderer.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-chart-renderer.h"
#include "jm-funnel-geometry.h"
#include "jm-funnel.h"

G_BEGIN_DECLS

/* The funnel chart: a bar per step with its count and share of step 1, the drop-off since the
 * previous step stacked above it (hatched, with the units lost), the step's name and its median
 * time from the previous step underneath. Items are steps; a selected step is emphasised with
 * its drop-off.
 */

typedef struct
{
  const char *name;
  double      count;                   /* ≥ 0 */
  double      median_seconds;          /* from the previous step; NaN when unknown */
} JmFunnelChartStep;

/* Copies the steps. Fails with JM_RENDER_ERROR_INVALID_CHART for a missing name or a count
 * that is negative or not finite (the message names the step).
 */
JmChartRenderer        *jm_funnel_renderer_new           (const JmFunnelChartStep *steps,
                                                          guint                    n_steps,
                                                          GError                 **error);
/* The overall steps of an analysis (not its breakdown), with a title. */
JmChartRenderer        *jm_funnel_renderer_new_for_funnel (const JmFunnel         *funnel);
/* The bars of the last draw, or NULL before it. */
const JmFunnelGeometry *jm_funnel_renderer_get_geometry  (const JmChartRenderer   *self);

G_END_DECLS
