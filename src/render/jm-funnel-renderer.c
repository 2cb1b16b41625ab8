/* jm-funnel-renderer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <math.h>

#include "jm-chart-renderer-private.h"
#include "jm-funnel-renderer.h"

#define AXIS_WIDTH 44
#define LABEL_PAD 6

typedef struct
{
  JmChartRenderer   parent;
  guint             n_steps;
  char            **names;
  double           *counts;
  double           *medians;
  double            line_height;
  JmFunnelGeometry *geometry;
} JmFunnelRenderer;

static gboolean
funnel_layout (JmChartRenderer  *renderer,
               PangoLayout      *text,
               double            x,
               double            y,
               double            width,
               double            height,
               GError          **error)
{
  JmFunnelRenderer *self = (JmFunnelRenderer *) renderer;
  double top;
  double bottom;

  jm_chart_text_set (text, renderer->theme, JM_TEXT_BOLD, "0", -1);
  jm_chart_text_size (text, NULL, &self->line_height);

  /* Room above for the first bar's labels, below for two lines of name and time. */
  top = 2 * self->line_height + LABEL_PAD;
  bottom = 2 * self->line_height + 2 * LABEL_PAD;

  g_clear_pointer (&self->geometry, jm_funnel_geometry_free);
  self->geometry = jm_funnel_geometry_compute (self->counts, self->n_steps, x + AXIS_WIDTH,
                                               y + top, width - AXIS_WIDTH,
                                               height - top - bottom, 0.45);
  if (self->geometry == NULL)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE,
                   "the funnel needs more room than %.0f × %.0f pixels", width, height);
      return FALSE;
    }

  return TRUE;
}

static void
draw_hatched (cairo_t            *cr,
              const JmFunnelRect *box,
              JmChartColor        color,
              double              alpha)
{
  cairo_save (cr);
  cairo_rectangle (cr, box->x0, box->y0, box->x1 - box->x0, box->y1 - box->y0);
  jm_chart_set_color (cr, color, 0.10 * alpha);
  cairo_fill_preserve (cr);
  cairo_clip (cr);
  cairo_set_line_width (cr, 1.5);
  jm_chart_set_color (cr, color, 0.35 * alpha);
  for (double d = -(box->y1 - box->y0); d < box->x1 - box->x0; d += 7)
    {
      cairo_move_to (cr, box->x0 + d, box->y1);
      cairo_line_to (cr, box->x0 + d + (box->y1 - box->y0), box->y0);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
funnel_draw (JmChartRenderer *renderer,
             cairo_t         *cr,
             PangoLayout     *text)
{
  JmFunnelRenderer *self = (JmFunnelRenderer *) renderer;
  const JmChartTheme *theme = renderer->theme;
  double first = self->n_steps > 0 ? self->counts[0] : 0;
  double max_value = 0;
  double plot_left = renderer->plot_x + AXIS_WIDTH;
  double plot_right = renderer->plot_x + renderer->plot_width;

  for (guint i = 0; i < self->n_steps; i++)
    max_value = MAX (max_value, self->counts[i]);

  /* Grid lines at quarters of the first step, labelled as its share. */
  cairo_set_line_width (cr, 1);
  for (guint q = 0; q <= 4 && first > 0; q++)
    {
      double value = first * q / 4;
      double y = floor (jm_funnel_geometry_value_to_y (self->geometry, value)) + 0.5;
      g_autofree char *label = jm_chart_format_percent (q / 4.0);

      if (value > max_value)
        break;
      jm_chart_set_color (cr, theme->grid, 1);
      cairo_move_to (cr, plot_left, y);
      cairo_line_to (cr, plot_right, y);
      cairo_stroke (cr);
      jm_chart_text_set (text, theme, JM_TEXT_SMALL, label, -1);
      jm_chart_text_draw (cr, text, theme->dim_foreground, plot_left - 8, y, 1, 0.5);
    }

  for (guint i = 0; i < self->n_steps; i++)
    {
      const JmFunnelGeometryStep *step = jm_funnel_geometry_get_step (self->geometry, i);
      gboolean dim = renderer->selected >= 0 && (guint) renderer->selected != i;
      gboolean selected = renderer->selected >= 0 && (guint) renderer->selected == i;
      JmChartColor fill = selected ? theme->accent : theme->series[0];
      double alpha = dim ? 0.35 : 1;
      double bar_width = step->bar.x1 - step->bar.x0;
      double centre = (step->bar.x0 + step->bar.x1) / 2;
      double label_height = 2 * self->line_height;
      double dropoff_top = step->dropoff.y0;
      g_autofree char *count = jm_chart_format_count (self->counts[i]);
      g_autofree char *share = jm_chart_format_percent (first > 0 ? self->counts[i] / first : 0);
      g_autofree char *name = g_strdup_printf ("%u. %s", i + 1, self->names[i]);
      g_autofree char *time = NULL;
      JmChartColor on_bar = jm_chart_theme_text_on (theme, fill);
      gboolean inside = step->bar.y1 - step->bar.y0 >= label_height + 2 * LABEL_PAD;
      double label_y = inside ? step->bar.y0 + LABEL_PAD : step->bar.y0 - LABEL_PAD - label_height;

      if (step->dropoff.y1 - step->dropoff.y0 > 0.5)
        draw_hatched (cr, &step->dropoff, theme->dropoff, alpha);

      jm_chart_rounded_rectangle (cr, step->bar.x0, step->bar.y0, step->bar.x1,
                                  MAX (step->bar.y1, step->bar.y0 + 1), 4);
      jm_chart_set_color (cr, fill, alpha);
      cairo_fill (cr);

      /* Count and share of step 1: inside the bar when it is tall enough, else above it. */
      jm_chart_text_set (text, theme, JM_TEXT_BOLD, count, bar_width);
      jm_chart_text_draw (cr, text, inside ? on_bar : theme->foreground, centre, label_y,
                          0.5, 0);
      jm_chart_text_set (text, theme, JM_TEXT_REGULAR, share, bar_width);
      jm_chart_text_draw (cr, text, inside ? on_bar : theme->dim_foreground, centre,
                          label_y + self->line_height, 0.5, 0);

      /* Units lost since the previous step, at the top of the drop-off when there is room
       * above the count.
       */
      if (i > 0 && self->counts[i - 1] > self->counts[i])
        {
          double lost = self->counts[i - 1] - self->counts[i];
          g_autofree char *lost_count = jm_chart_format_count (lost);
          g_autofree char *lost_share = jm_chart_format_percent (lost / self->counts[i - 1]);
          g_autofree char *lost_text = g_strdup_printf ("−%s (%s)", lost_count, lost_share);
          double room = (inside ? step->bar.y0 : label_y) - dropoff_top;

          if (room >= self->line_height + 2 * LABEL_PAD)
            {
              jm_chart_text_set (text, theme, JM_TEXT_SMALL, lost_text, bar_width - 4);
              jm_chart_text_draw (cr, text, theme->dropoff, centre, dropoff_top + LABEL_PAD,
                                  0.5, 0);
            }
        }

      /* The step's name and its median time from the previous one, under the bar. */
      jm_chart_text_set (text, theme, selected ? JM_TEXT_BOLD : JM_TEXT_REGULAR, name,
                         bar_width * 1.4);
      jm_chart_text_draw (cr, text, theme->foreground, centre, step->bar.y1 + LABEL_PAD, 0.5, 0);
      if (i == 0)
        time = g_strdup ("start");
      else if (isnan (self->medians[i]))
        time = g_strdup ("median time –");
      else
        {
          g_autofree char *duration = jm_chart_format_duration (self->medians[i]);

          time = g_strdup_printf ("median %s", duration);
        }
      jm_chart_text_set (text, theme, JM_TEXT_SMALL, time, bar_width * 1.4);
      jm_chart_text_draw (cr, text, theme->dim_foreground, centre,
                          step->bar.y1 + LABEL_PAD + self->line_height + 2, 0.5, 0);
    }
}

static JmChartHitKind
funnel_hit_test (const JmChartRenderer *renderer,
                 double                 x,
                 double                 y,
                 gint                  *out_index)
{
  const JmFunnelRenderer *self = (const JmFunnelRenderer *) renderer;
  gint step = jm_funnel_geometry_hit_test (self->geometry, x, y);

  if (out_index != NULL)
    *out_index = step;

  return step >= 0 ? JM_CHART_HIT_NODE : JM_CHART_HIT_NONE;
}

static guint
funnel_get_n_items (const JmChartRenderer *renderer)
{
  return ((const JmFunnelRenderer *) renderer)->n_steps;
}

static const char *
funnel_get_item_name (const JmChartRenderer *renderer,
                      guint                  item)
{
  return ((const JmFunnelRenderer *) renderer)->names[item];
}

static void
funnel_finalize (JmChartRenderer *renderer)
{
  JmFunnelRenderer *self = (JmFunnelRenderer *) renderer;

  g_strfreev (self->names);
  g_free (self->counts);
  g_free (self->medians);
  g_clear_pointer (&self->geometry, jm_funnel_geometry_free);
}

static const JmChartRendererClass funnel_class = {
  .kind = "funnel",
  .layout = funnel_layout,
  .draw = funnel_draw,
  .hit_test = funnel_hit_test,
  .get_n_items = funnel_get_n_items,
  .get_item_name = funnel_get_item_name,
  .finalize = funnel_finalize,
};

JmChartRenderer *
jm_funnel_renderer_new (const JmFunnelChartStep  *steps,
                        guint                     n_steps,
                        GError                  **error)
{
  JmFunnelRenderer *self;

  g_return_val_if_fail (steps != NULL || n_steps == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < n_steps; i++)
    {
      if (steps[i].name == NULL || !(steps[i].count >= 0) || !isfinite (steps[i].count))
        {
          g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                       "funnel step %u: %s", i + 1,
                       steps[i].name == NULL ? "no name" : "its count is negative or not a number");
          return NULL;
        }
    }

  self = g_new0 (JmFunnelRenderer, 1);
  jm_chart_renderer_init (&self->parent, &funnel_class);
  self->n_steps = n_steps;
  self->names = g_new0 (char *, n_steps + 1);
  self->counts = g_new0 (double, MAX (n_steps, 1));
  self->medians = g_new0 (double, MAX (n_steps, 1));
  for (guint i = 0; i < n_steps; i++)
    {
      self->names[i] = g_strdup (steps[i].name);
      self->counts[i] = steps[i].count;
      self->medians[i] = steps[i].median_seconds;
    }

  return &self->parent;
}

JmChartRenderer *
jm_funnel_renderer_new_for_funnel (const JmFunnel *funnel)
{
  g_autofree JmFunnelChartStep *steps = NULL;
  guint n_steps;
  JmChartRenderer *self;
  g_autofree char *units = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *completed = NULL;
  const JmFunnelStep *last;

  g_return_val_if_fail (funnel != NULL, NULL);

  n_steps = jm_funnel_get_n_steps (funnel);
  steps = g_new0 (JmFunnelChartStep, MAX (n_steps, 1));
  for (guint i = 0; i < n_steps; i++)
    {
      const JmFunnelStep *step = jm_funnel_get_step (funnel, i);

      steps[i].name = step->name;
      steps[i].count = step->count;
      steps[i].median_seconds = step->has_times ? step->from_previous.median : NAN;
    }

  /* Counts from an analysis are never negative, so this cannot fail. */
  self = jm_funnel_renderer_new (steps, n_steps, NULL);
  g_assert (self != NULL);

  units = jm_chart_format_count (jm_funnel_get_n_units (funnel));
  last = n_steps > 0 ? jm_funnel_get_step (funnel, n_steps - 1) : NULL;
  completed = jm_chart_format_percent (last != NULL ? last->conversion_from_start : 0);
  subtitle = g_strdup_printf ("%s %ss · %s mode · %s converted from the first step to the last",
                              units, jm_unit_kind_to_string (jm_funnel_get_unit (funnel)),
                              jm_funnel_mode_to_string (jm_funnel_get_mode (funnel)), completed);
  jm_chart_renderer_set_title (self, "Funnel");
  jm_chart_renderer_set_subtitle (self, subtitle);

  return self;
}

const JmFunnelGeometry *
jm_funnel_renderer_get_geometry (const JmChartRenderer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->klass == &funnel_class, NULL);

  return ((const JmFunnelRenderer *) self)->geometry;
}
