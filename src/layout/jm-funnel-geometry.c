/* jm-funnel-geometry.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-layout"

#include "config.h"

#include <math.h>

#include "jm-funnel-geometry.h"

struct _JmFunnelGeometry
{
  guint                 n_steps;
  JmFunnelGeometryStep *steps;
  double                top;
  double                bottom;
  double                max_value;
};

JmFunnelGeometry *
jm_funnel_geometry_compute (const double *values,
                            guint         n_steps,
                            double        x,
                            double        y,
                            double        width,
                            double        height,
                            double        gap_ratio)
{
  g_autoptr(JmFunnelGeometry) self = NULL;
  double bar_width;
  double pitch;

  g_return_val_if_fail (values != NULL || n_steps == 0, NULL);

  if (!(width > 0) || !(height > 0) || !isfinite (width) || !isfinite (height) ||
      !isfinite (x) || !isfinite (y) || !(gap_ratio >= 0) || !isfinite (gap_ratio))
    return NULL;

  self = g_new0 (JmFunnelGeometry, 1);
  self->n_steps = n_steps;
  self->steps = g_new0 (JmFunnelGeometryStep, MAX (n_steps, 1));
  self->top = y;
  self->bottom = y + height;

  for (guint i = 0; i < n_steps; i++)
    {
      if (!(values[i] >= 0) || !isfinite (values[i]))
        return NULL;
      self->max_value = MAX (self->max_value, values[i]);
    }

  if (n_steps == 0)
    return g_steal_pointer (&self);

  /* n bars and n - 1 gaps fill the width; half a gap of air at both ends reads better. */
  bar_width = width / (n_steps + gap_ratio * n_steps);
  pitch = bar_width * (1 + gap_ratio);

  for (guint i = 0; i < n_steps; i++)
    {
      JmFunnelGeometryStep *step = &self->steps[i];
      double x0 = x + pitch * i + bar_width * gap_ratio / 2;
      double previous = i > 0 ? values[i - 1] : values[i];

      step->value = values[i];
      step->bar = (JmFunnelRect) { x0, jm_funnel_geometry_value_to_y (self, values[i]),
                                   x0 + bar_width, self->bottom };
      /* A later step can exceed an earlier one in `any` mode data built by hand; then there is
       * nothing lost and the box is empty. */
      step->dropoff = (JmFunnelRect) { x0, jm_funnel_geometry_value_to_y (self,
                                                                          MAX (previous, values[i])),
                                       x0 + bar_width, step->bar.y0 };
      step->column = (JmFunnelRect) { x + pitch * i, y, x + pitch * (i + 1), self->bottom };
    }

  return g_steal_pointer (&self);
}

void
jm_funnel_geometry_free (JmFunnelGeometry *self)
{
  if (self == NULL)
    return;

  g_free (self->steps);
  g_free (self);
}

guint
jm_funnel_geometry_get_n_steps (const JmFunnelGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_steps;
}

const JmFunnelGeometryStep *
jm_funnel_geometry_get_step (const JmFunnelGeometry *self,
                             guint                   index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_steps, NULL);

  return &self->steps[index];
}

double
jm_funnel_geometry_value_to_y (const JmFunnelGeometry *self,
                               double                  value)
{
  g_return_val_if_fail (self != NULL, 0);

  if (!(self->max_value > 0))
    return self->bottom;

  return self->bottom - (self->bottom - self->top) * CLAMP (value / self->max_value, 0, 1);
}

gint
jm_funnel_geometry_hit_test (const JmFunnelGeometry *self,
                             double                  x,
                             double                  y)
{
  g_return_val_if_fail (self != NULL, -1);

  for (guint i = 0; i < self->n_steps; i++)
    {
      const JmFunnelRect *c = &self->steps[i].column;

      if (x >= c->x0 && x < c->x1 && y >= c->y0 && y <= c->y1)
        return i;
    }

  return -1;
}
