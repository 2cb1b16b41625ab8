/* jm-attribution-geometry.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-layout"

#include "config.h"

#include <math.h>

#include "jm-attribution-geometry.h"

struct _JmAttributionGeometry
{
  guint   n_groups;
  guint   n_series;
  double *values;
  double  x;
  double  y;
  double  width;
  double  bar_height;
  double  group_pitch;
  double  axis_max;
  double  tick_step;
  guint   n_ticks;
};

double
jm_attribution_nice_axis (double  value,
                          double *out_step)
{
  static const double mantissas[] = { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };
  static const double steps[] = { 0.2, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 2, 2 };
  double exponent;
  double scale;

  if (!(value > 0) || !isfinite (value))
    {
      if (out_step != NULL)
        *out_step = 0.25;
      return 1;
    }

  exponent = floor (log10 (value));
  scale = pow (10, exponent);

  for (guint i = 0; i < G_N_ELEMENTS (mantissas); i++)
    {
      /* A relative slack keeps 3.0000000001 from jumping to the next nice number. */
      if (mantissas[i] * scale >= value * (1 - 1e-9))
        {
          if (out_step != NULL)
            *out_step = steps[i] * scale;
          return mantissas[i] * scale;
        }
    }

  g_assert_not_reached ();
}

JmAttributionGeometry *
jm_attribution_geometry_compute (const double *values,
                                 guint         n_groups,
                                 guint         n_series,
                                 double        x,
                                 double        y,
                                 double        width,
                                 double        height,
                                 double        group_gap)
{
  g_autoptr(JmAttributionGeometry) self = NULL;
  double max_value = 0;
  guint n_values = n_groups * n_series;

  g_return_val_if_fail (values != NULL || n_values == 0, NULL);

  if (!(width > 0) || !(height > 0) || !isfinite (width) || !isfinite (height) ||
      !isfinite (x) || !isfinite (y) || !(group_gap >= 0) || !isfinite (group_gap) ||
      n_series == 0)
    return NULL;

  for (guint i = 0; i < n_values; i++)
    {
      if (!(values[i] >= 0) || !isfinite (values[i]))
        return NULL;
      max_value = MAX (max_value, values[i]);
    }

  self = g_new0 (JmAttributionGeometry, 1);
  self->n_groups = n_groups;
  self->n_series = n_series;
  self->values = g_memdup2 (values, sizeof (double) * n_values);
  self->x = x;
  self->y = y;
  self->width = width;
  self->axis_max = jm_attribution_nice_axis (max_value, &self->tick_step);
  self->n_ticks = (guint) floor (self->axis_max / self->tick_step + 0.5) + 1;

  /* Each group is n_series bars plus the gap; the gap is split half above, half below. */
  self->bar_height = n_groups > 0 ? height / (n_groups * (n_series + group_gap)) : 0;
  self->group_pitch = self->bar_height * (n_series + group_gap);

  return g_steal_pointer (&self);
}

void
jm_attribution_geometry_free (JmAttributionGeometry *self)
{
  if (self == NULL)
    return;

  g_free (self->values);
  g_free (self);
}

guint
jm_attribution_geometry_get_n_groups (const JmAttributionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_groups;
}

guint
jm_attribution_geometry_get_n_series (const JmAttributionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_series;
}

double
jm_attribution_geometry_value_to_x (const JmAttributionGeometry *self,
                                    double                       value)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->x + self->width * CLAMP (value / self->axis_max, 0, 1);
}

JmAttributionRect
jm_attribution_geometry_get_group (const JmAttributionGeometry *self,
                                   guint                        group)
{
  double y0;

  g_return_val_if_fail (self != NULL, (JmAttributionRect) { 0 });
  g_return_val_if_fail (group < self->n_groups, (JmAttributionRect) { 0 });

  y0 = self->y + self->group_pitch * group;

  return (JmAttributionRect) { self->x, y0, self->x + self->width, y0 + self->group_pitch };
}

JmAttributionRect
jm_attribution_geometry_get_bar (const JmAttributionGeometry *self,
                                 guint                        group,
                                 guint                        series)
{
  double y0;

  g_return_val_if_fail (self != NULL, (JmAttributionRect) { 0 });
  g_return_val_if_fail (group < self->n_groups && series < self->n_series,
                        (JmAttributionRect) { 0 });

  y0 = self->y + self->group_pitch * group +
       (self->group_pitch - self->bar_height * self->n_series) / 2 + self->bar_height * series;

  return (JmAttributionRect) {
    self->x, y0,
    jm_attribution_geometry_value_to_x (self, self->values[group * self->n_series + series]),
    y0 + self->bar_height
  };
}

double
jm_attribution_geometry_get_axis_max (const JmAttributionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->axis_max;
}

guint
jm_attribution_geometry_get_n_ticks (const JmAttributionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_ticks;
}

double
jm_attribution_geometry_get_tick (const JmAttributionGeometry *self,
                                  guint                        index)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->n_ticks, 0);

  return self->tick_step * index;
}

gint
jm_attribution_geometry_hit_test (const JmAttributionGeometry *self,
                                  double                       x,
                                  double                       y,
                                  gint                        *out_series)
{
  double group_f;

  g_return_val_if_fail (self != NULL, -1);

  if (out_series != NULL)
    *out_series = -1;
  if (self->n_groups == 0 || x > self->x + self->width)
    return -1;

  group_f = floor ((y - self->y) / self->group_pitch);
  if (group_f < 0 || group_f >= self->n_groups)
    return -1;

  for (guint s = 0; s < self->n_series && out_series != NULL; s++)
    {
      JmAttributionRect bar = jm_attribution_geometry_get_bar (self, (guint) group_f, s);

      if (y >= bar.y0 && y < bar.y1 && x >= bar.x0 && x <= MAX (bar.x1, bar.x0 + 2))
        *out_series = s;
    }

  return (gint) group_f;
}
