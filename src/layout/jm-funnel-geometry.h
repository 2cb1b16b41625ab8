/* jm-funnel-geometry.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JmFunnelGeometry: where the bars of a funnel chart go.
 *
 * One vertical bar per step, left to right, in a plot rectangle the caller chooses (the
 * renderer keeps room for labels around it). Bar heights are proportional to the step's count
 * with one scale: the largest count fills the plot's height. Above each bar after the first, a
 * drop-off box stacks up to the previous step's height: the units lost at that step. Between
 * bars, the connector is the gap the next step's drop-off label sits in.
 *
 * Inputs are plain numbers, so the geometry knows nothing of the analysis.
 */

typedef struct
{
  double x0;
  double y0;
  double x1;
  double y1;
} JmFunnelRect;

typedef struct
{
  JmFunnelRect bar;       /* the units that reached the step */
  JmFunnelRect dropoff;   /* the units lost since the previous step (empty for the first) */
  JmFunnelRect column;    /* the whole column, bar and its share of the gaps, for hit tests */
  double       value;
} JmFunnelGeometryStep;

typedef struct _JmFunnelGeometry JmFunnelGeometry;

/* `values` are the steps' counts (≥ 0, finite); the bars fill [x, x + width] with gaps of
 * `gap_ratio` × a bar's width between them (0 ≤ gap_ratio; 0.5 looks right). Returns NULL and
 * sets nothing for a plot of zero or negative size or a bad value: the caller checks inputs.
 */
JmFunnelGeometry           *jm_funnel_geometry_compute     (const double      *values,
                                                            guint              n_steps,
                                                            double             x,
                                                            double             y,
                                                            double             width,
                                                            double             height,
                                                            double             gap_ratio);
void                        jm_funnel_geometry_free        (JmFunnelGeometry  *self);

guint                       jm_funnel_geometry_get_n_steps (const JmFunnelGeometry *self);
const JmFunnelGeometryStep *jm_funnel_geometry_get_step    (const JmFunnelGeometry *self,
                                                            guint                   index);
/* The y of a value on the bars' scale (the plot's bottom for 0). */
double                      jm_funnel_geometry_value_to_y  (const JmFunnelGeometry *self,
                                                            double                  value);
/* The step whose column holds (x, y), or -1. */
gint                        jm_funnel_geometry_hit_test    (const JmFunnelGeometry *self,
                                                            double                  x,
                                                            double                  y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmFunnelGeometry, jm_funnel_geometry_free)

G_END_DECLS
