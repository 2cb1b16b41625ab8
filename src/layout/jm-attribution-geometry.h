/* jm-attribution-geometry.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JmAttributionGeometry: grouped horizontal bars, one group per channel and one bar per model
 * in each group, on a shared value axis that starts at 0 and ends at a "nice" number (1, 1.5, 2,
 * 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or above the largest value, with its ticks.
 *
 * The plot rectangle is the bars' area: the caller keeps room for the channel labels on the
 * left, the value labels at the bars' ends and the axis below.
 */

typedef struct
{
  double x0;
  double y0;
  double x1;
  double y1;
} JmAttributionRect;

typedef struct _JmAttributionGeometry JmAttributionGeometry;

/* `values` holds n_groups × n_series values (≥ 0, finite), group after group. Groups stack
 * downwards, each `group_gap` × a bar's thickness apart. NULL for a plot of no size or a bad
 * value.
 */
JmAttributionGeometry *jm_attribution_geometry_compute      (const double *values,
                                                             guint         n_groups,
                                                             guint         n_series,
                                                             double        x,
                                                             double        y,
                                                             double        width,
                                                             double        height,
                                                             double        group_gap);
void                   jm_attribution_geometry_free         (JmAttributionGeometry *self);

guint                  jm_attribution_geometry_get_n_groups (const JmAttributionGeometry *self);
guint                  jm_attribution_geometry_get_n_series (const JmAttributionGeometry *self);
JmAttributionRect      jm_attribution_geometry_get_bar      (const JmAttributionGeometry *self,
                                                             guint                        group,
                                                             guint                        series);
/* The band of a whole group, its share of the gaps included. */
JmAttributionRect      jm_attribution_geometry_get_group    (const JmAttributionGeometry *self,
                                                             guint                        group);
/* The axis: its end value and its ticks, 0 first. */
double                 jm_attribution_geometry_get_axis_max (const JmAttributionGeometry *self);
guint                  jm_attribution_geometry_get_n_ticks  (const JmAttributionGeometry *self);
double                 jm_attribution_geometry_get_tick     (const JmAttributionGeometry *self,
                                                             guint                        index);
double                 jm_attribution_geometry_value_to_x   (const JmAttributionGeometry *self,
                                                             double                       value);
/* The group under (x, y) (anywhere across the plot's width and to its left, where the labels
 * are), or -1; the bar's series goes to `out_series` (-1 between bars).
 */
gint                   jm_attribution_geometry_hit_test     (const JmAttributionGeometry *self,
                                                             double                       x,
                                                             double                       y,
                                                             gint                        *out_series);

/* The smallest nice number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) ≥ `value`, and a tick step
 * dividing it into 3 to 6 parts (the tick step is 0.2, 0.5, 1 or 2 × 10^k); 1 and 0.25 for a
 * value ≤ 0 or not finite.
 */
double                 jm_attribution_nice_axis             (double        value,
                                                             double       *out_step);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmAttributionGeometry, jm_attribution_geometry_free)

G_END_DECLS
