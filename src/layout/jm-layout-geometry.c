/* jm-layout-geometry.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-layout"

#include "config.h"

#include <math.h>

#include "jm-layout-geometry.h"

G_DEFINE_QUARK (jm-layout-error-quark, jm_layout_error)

JmLayoutPoint
jm_layout_bezier_point (JmLayoutPoint p0,
                        JmLayoutPoint p1,
                        JmLayoutPoint p2,
                        JmLayoutPoint p3,
                        double        t)
{
  double s = 1.0 - t;
  double b0 = s * s * s;
  double b1 = 3.0 * s * s * t;
  double b2 = 3.0 * s * t * t;
  double b3 = t * t * t;

  return (JmLayoutPoint) {
    b0 * p0.x + b1 * p1.x + b2 * p2.x + b3 * p3.x,
    b0 * p0.y + b1 * p1.y + b2 * p2.y + b3 * p3.y,
  };
}

double
jm_layout_flow_curve_y_at (JmLayoutPoint a,
                           JmLayoutPoint b,
                           double        x)
{
  double dx = b.x - a.x;
  double u;
  double t;

  if (a.y == b.y || x <= a.x)
    return a.y;
  if (x >= b.x)
    return b.y;

  /* With both inner control points at the middle x, the curve's x is
   * a.x + dx · (1.5t − 1.5t² + t³), which rises monotonically from 0 to 1: invert it with a
   * few Newton steps from the linear guess (its derivative 1.5 − 3t + 3t² is at least 0.75),
   * then y = a.y + (b.y − a.y) · (3t² − 2t³).
   */
  u = (x - a.x) / dx;
  t = u;
  for (guint i = 0; i < 8; i++)
    {
      double f = 1.5 * t - 1.5 * t * t + t * t * t - u;
      double df = 1.5 - 3.0 * t + 3.0 * t * t;
      double step = f / df;

      t -= step;
      if (fabs (step) < 1e-12)
        break;
    }
  t = CLAMP (t, 0.0, 1.0);

  return a.y + (b.y - a.y) * (3.0 * t * t - 2.0 * t * t * t);
}
