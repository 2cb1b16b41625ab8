/* jm-layout-geometry.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shared vocabulary of the layout layer: points, what a hit test found, the error domain, and
 * the one curve every flow band is drawn with. Coordinates are in drawing units (the caller's
 * pixels), x to the right, y downwards, as in cairo.
 */

#define JM_LAYOUT_ERROR (jm_layout_error_quark ())

typedef enum
{
  JM_LAYOUT_ERROR_INVALID_GRAPH,   /* a link names a missing node, a value is negative or not
                                    * finite, a Sankey graph has a cycle, fixed layers disagree */
  JM_LAYOUT_ERROR_INVALID_OPTION,  /* a size or count cannot be used (negative, not finite) */
} JmLayoutError;

typedef struct
{
  double x;
  double y;
} JmLayoutPoint;

typedef enum
{
  JM_LAYOUT_HIT_NONE,
  JM_LAYOUT_HIT_NODE,
  JM_LAYOUT_HIT_LINK,    /* a Sankey link or a graph edge */
} JmLayoutHitKind;

GQuark  jm_layout_error_quark            (void);

/* The centre line of a flow band between two points: the cubic Bézier from `a` to `b` whose
 * control points are (mid x, a.y) and (mid x, b.y), i.e. horizontal at both ends (the curve of
 * d3-sankey's sankeyLinkHorizontal). A band of width w covers, at each x between a.x and b.x,
 * the vertical interval [y − w/2, y + w/2] around this curve's y at that x: drawn as the area
 * between the same curve shifted up and down by w/2. Returns the curve's y at `x` (clamped to
 * the ends outside [a.x, b.x]); `a` is the left end (a.x ≤ b.x).
 */
double  jm_layout_flow_curve_y_at        (JmLayoutPoint  a,
                                          JmLayoutPoint  b,
                                          double         x);

/* The point at parameter t ∈ [0, 1] of the cubic Bézier p0, p1, p2, p3. */
JmLayoutPoint jm_layout_bezier_point     (JmLayoutPoint  p0,
                                          JmLayoutPoint  p1,
                                          JmLayoutPoint  p2,
                                          JmLayoutPoint  p3,
                                          double         t);

G_END_DECLS
