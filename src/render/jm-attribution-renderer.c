/* jm-attribution-renderer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <math.h>

#include "jm-attribution-renderer.h"
#include "jm-chart-renderer-private.h"

#define SWATCH 12
#define VALUE_ROOM 56

typedef struct
{
  JmChartRenderer        parent;
  guint                  n_channels;
  guint                  n_models;
  char                 **channels;
  char                 **models;
  double                *values;     /* in drawing order */
  guint                 *order;      /* drawing group → channel */
  double                 line_height;
  double                 legend_height;
  double                 label_width;
  JmAttributionGeometry *geometry;
} JmAttributionRenderer;

static const JmChartRendererClass attribution_class;

/* The legend's swatches and names flow in rows; returns the height it takes. */
static double
legend_flow (JmAttributionRenderer *self,
             cairo_t               *cr,
             PangoLayout           *text,
             double                 x,
             double                 y,
             double                 width)
{
  const JmChartTheme *theme = self->parent.theme;
  double cx = 0;
  double cy = 0;
  double h = 0;

  for (guint m = 0; m < self->n_models; m++)
    {
      double w;

      jm_chart_text_set (text, theme, JM_TEXT_SMALL, self->models[m], -1);
      jm_chart_text_size (text, &w, &h);
      if (cx > 0 && cx + SWATCH + 6 + w > width)
        {
          cx = 0;
          cy += h + 4;
        }
      if (cr != NULL)
        {
          jm_chart_rounded_rectangle (cr, x + cx, y + cy + (h - SWATCH) / 2, x + cx + SWATCH,
                                      y + cy + (h + SWATCH) / 2, 3);
          jm_chart_set_color (cr, theme->series[m], 1);
          cairo_fill (cr);
          jm_chart_text_draw (cr, text, theme->dim_foreground, x + cx + SWATCH + 6, y + cy, 0, 0);
        }
      cx += SWATCH + 6 + w + 18;
    }

  return cy + h;
}

static gboolean
attribution_layout (JmChartRenderer  *renderer,
                    PangoLayout      *text,
                    double            x,
                    double            y,
                    double            width,
                    double            height,
                    GError          **error)
{
  JmAttributionRenderer *self = (JmAttributionRenderer *) renderer;
  double top;
  double bottom;

  self->label_width = 0;
  for (guint c = 0; c < self->n_channels; c++)
    {
      double w;

      jm_chart_text_set (text, renderer->theme, JM_TEXT_BOLD, self->channels[c], -1);
      jm_chart_text_size (text, &w, &self->line_height);
      self->label_width = MAX (self->label_width, w);
    }
  jm_chart_text_set (text, renderer->theme, JM_TEXT_REGULAR, "0", -1);
  jm_chart_text_size (text, NULL, &self->line_height);
  self->label_width = MIN (self->label_width + 14, width / 4);
  self->legend_height = legend_flow (self, NULL, text, x, y, width);

  top = self->legend_height + 14;
  bottom = self->line_height + 8;

  g_clear_pointer (&self->geometry, jm_attribution_geometry_free);
  self->geometry = jm_attribution_geometry_compute (self->values, self->n_channels,
                                                    self->n_models, x + self->label_width,
                                                    y + top,
                                                    width - self->label_width - VALUE_ROOM,
                                                    height - top - bottom, 1.2);
  if (self->geometry == NULL)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE,
                   "the attribution chart needs more room than %.0f × %.0f pixels",
                   width, height);
      return FALSE;
    }

  return TRUE;
}

static void
attribution_draw (JmChartRenderer *renderer,
                  cairo_t         *cr,
                  PangoLayout     *text)
{
  JmAttributionRenderer *self = (JmAttributionRenderer *) renderer;
  const JmChartTheme *theme = renderer->theme;
  guint n_ticks = jm_attribution_geometry_get_n_ticks (self->geometry);
  double axis_max = jm_attribution_geometry_get_axis_max (self->geometry);
  double plot_top = renderer->plot_y + self->legend_height + 14;
  double plot_bottom = renderer->plot_y + renderer->plot_height - self->line_height - 8;

  legend_flow (self, cr, text, renderer->plot_x + self->label_width, renderer->plot_y,
               renderer->plot_width - self->label_width);

  if (self->n_channels == 0)
    {
      jm_chart_text_set (text, theme, JM_TEXT_REGULAR, "No conversions to attribute", -1);
      jm_chart_text_draw (cr, text, theme->dim_foreground,
                          renderer->plot_x + renderer->plot_width / 2,
                          (plot_top + plot_bottom) / 2, 0.5, 0.5);
      return;
    }

  /* Vertical grid lines and the axis labels under them. */
  cairo_set_line_width (cr, 1);
  for (guint t = 0; t < n_ticks; t++)
    {
      double value = jm_attribution_geometry_get_tick (self->geometry, t);
      double gx = floor (jm_attribution_geometry_value_to_x (self->geometry, value)) + 0.5;
      g_autofree char *label = axis_max < 10 ? g_strdup_printf ("%g", value)
                                             : jm_chart_format_count (value);

      jm_chart_set_color (cr, theme->grid, t == 0 ? 3 : 1);
      cairo_move_to (cr, gx, plot_top);
      cairo_line_to (cr, gx, plot_bottom);
      cairo_stroke (cr);
      jm_chart_text_set (text, theme, JM_TEXT_SMALL, label, -1);
      jm_chart_text_draw (cr, text, theme->dim_foreground, gx, plot_bottom + 6, 0.5, 0);
    }

  for (guint g = 0; g < self->n_channels; g++)
    {
      guint channel = self->order[g];
      JmAttributionRect group = jm_attribution_geometry_get_group (self->geometry, g);
      gboolean dim = renderer->selected >= 0 && (guint) renderer->selected != channel;
      gboolean selected = renderer->selected >= 0 && (guint) renderer->selected == channel;

      jm_chart_text_set (text, theme, selected ? JM_TEXT_BOLD : JM_TEXT_REGULAR,
                         self->channels[channel], self->label_width - 14);
      jm_chart_text_draw (cr, text, dim ? theme->dim_foreground : theme->foreground,
                          renderer->plot_x + self->label_width - 14, (group.y0 + group.y1) / 2,
                          1, 0.5);

      for (guint m = 0; m < self->n_models; m++)
        {
          JmAttributionRect bar = jm_attribution_geometry_get_bar (self->geometry, g, m);
          double thickness = bar.y1 - bar.y0;

          jm_chart_rounded_rectangle (cr, bar.x0, bar.y0 + 0.5, MAX (bar.x1, bar.x0 + 1),
                                      bar.y1 - 0.5, 2);
          jm_chart_set_color (cr, theme->series[m], dim ? 0.3 : 1);
          cairo_fill (cr);

          if (thickness >= self->line_height * 0.8)
            {
              double value = self->values[g * self->n_models + m];
              g_autofree char *label = jm_chart_format_count (value);

              jm_chart_text_set (text, theme, JM_TEXT_SMALL, label, -1);
              jm_chart_text_draw (cr, text, theme->dim_foreground, bar.x1 + 4,
                                  (bar.y0 + bar.y1) / 2, 0, 0.5);
            }
        }
    }
}

static JmChartHitKind
attribution_hit_test (const JmChartRenderer *renderer,
                      double                 x,
                      double                 y,
                      gint                  *out_index)
{
  const JmAttributionRenderer *self = (const JmAttributionRenderer *) renderer;
  gint group;

  if (x < renderer->plot_x)
    return JM_CHART_HIT_NONE;
  group = jm_attribution_geometry_hit_test (self->geometry, x, y, NULL);
  if (group < 0)
    return JM_CHART_HIT_NONE;

  if (out_index != NULL)
    *out_index = self->order[group];

  return JM_CHART_HIT_NODE;
}

static guint
attribution_get_n_items (const JmChartRenderer *renderer)
{
  return ((const JmAttributionRenderer *) renderer)->n_channels;
}

static const char *
attribution_get_item_name (const JmChartRenderer *renderer,
                           guint                  item)
{
  return ((const JmAttributionRenderer *) renderer)->channels[item];
}

static void
attribution_finalize (JmChartRenderer *renderer)
{
  JmAttributionRenderer *self = (JmAttributionRenderer *) renderer;

  g_strfreev (self->channels);
  g_strfreev (self->models);
  g_free (self->values);
  g_free (self->order);
  g_clear_pointer (&self->geometry, jm_attribution_geometry_free);
}

static const JmChartRendererClass attribution_class = {
  .kind = "attribution",
  .layout = attribution_layout,
  .draw = attribution_draw,
  .hit_test = attribution_hit_test,
  .get_n_items = attribution_get_n_items,
  .get_item_name = attribution_get_item_name,
  .finalize = attribution_finalize,
};

JmChartRenderer *
jm_attribution_renderer_new (const char * const  *channels,
                             guint                n_channels,
                             const char * const  *models,
                             guint                n_models,
                             const double        *values,
                             GError             **error)
{
  JmAttributionRenderer *self;
  g_autofree double *totals = NULL;

  g_return_val_if_fail (channels != NULL || n_channels == 0, NULL);
  g_return_val_if_fail (models != NULL || n_models == 0, NULL);
  g_return_val_if_fail (values != NULL || n_channels * n_models == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_models == 0 || n_models > JM_CHART_N_SERIES)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                   "an attribution chart shows from 1 to %d models, not %u",
                   JM_CHART_N_SERIES, n_models);
      return NULL;
    }
  for (guint m = 0; m < n_models; m++)
    {
      if (models[m] == NULL)
        {
          g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                       "attribution model %u has no name", m + 1);
          return NULL;
        }
    }
  for (guint c = 0; c < n_channels; c++)
    {
      if (channels[c] == NULL)
        {
          g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                       "attribution channel %u has no name", c + 1);
          return NULL;
        }
      for (guint m = 0; m < n_models; m++)
        {
          double value = values[c * n_models + m];

          if (!(value >= 0) || !isfinite (value))
            {
              g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                           "attribution channel “%s”, model “%s”: the credit is negative or "
                           "not a number", channels[c], models[m]);
              return NULL;
            }
        }
    }

  self = g_new0 (JmAttributionRenderer, 1);
  jm_chart_renderer_init (&self->parent, &attribution_class);
  self->n_channels = n_channels;
  self->n_models = n_models;
  self->channels = g_new0 (char *, n_channels + 1);
  self->models = g_new0 (char *, n_models + 1);
  self->values = g_new0 (double, MAX (n_channels * n_models, 1));
  self->order = g_new0 (guint, MAX (n_channels, 1));
  totals = g_new0 (double, MAX (n_channels, 1));

  for (guint m = 0; m < n_models; m++)
    self->models[m] = g_strdup (models[m]);
  for (guint c = 0; c < n_channels; c++)
    {
      self->channels[c] = g_strdup (channels[c]);
      for (guint m = 0; m < n_models; m++)
        totals[c] += values[c * n_models + m];
    }

  /* Largest total first; equal totals keep their order (insertion sort is stable). */
  for (guint c = 0; c < n_channels; c++)
    {
      guint j = c;

      while (j > 0 && totals[self->order[j - 1]] < totals[c])
        {
          self->order[j] = self->order[j - 1];
          j--;
        }
      self->order[j] = c;
    }
  for (guint g = 0; g < n_channels; g++)
    for (guint m = 0; m < n_models; m++)
      self->values[g * n_models + m] = values[self->order[g] * n_models + m];

  return &self->parent;
}

JmChartRenderer *
jm_attribution_renderer_new_for_attribution (const JmAttribution *attribution,
                                             gboolean             revenue)
{
  static const char * const model_names[JM_ATTRIBUTION_N_MODELS] = {
    "First touch", "Last touch", "Linear", "Time decay", "Position based", "Markov chain",
  };
  g_autofree const char **channels = NULL;
  g_autofree double *values = NULL;
  g_autofree char *conversions = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *lookback = NULL;
  g_autofree char *revenue_total = NULL;
  JmChartRenderer *self;

  g_return_val_if_fail (attribution != NULL, NULL);

  channels = g_new0 (const char *, attribution->n_channels + 1);
  values = g_new0 (double, MAX (attribution->n_channels * JM_ATTRIBUTION_N_MODELS, 1));
  for (guint c = 0; c < attribution->n_channels; c++)
    {
      channels[c] = attribution->channels[c].channel;
      for (guint m = 0; m < JM_ATTRIBUTION_N_MODELS; m++)
        {
          double value = revenue ? attribution->channels[c].revenue[m]
                                 : attribution->channels[c].credit[m];

          /* Rounding can leave a credit a hair below zero. */
          values[c * JM_ATTRIBUTION_N_MODELS + m] = MAX (value, 0);
        }
    }

  self = jm_attribution_renderer_new (channels, attribution->n_channels, model_names,
                                      JM_ATTRIBUTION_N_MODELS, values, NULL);
  g_assert (self != NULL);

  conversions = jm_chart_format_count (attribution->conversions);
  title = g_strdup_printf ("%s of “%s” by channel", revenue ? "Revenue" : "Conversions",
                           attribution->conversion_event);
  if (attribution->lookback_ms % 86400000 == 0)
    lookback = g_strdup_printf ("%" G_GINT64_FORMAT " days", attribution->lookback_ms / 86400000);
  else
    lookback = g_strdup_printf ("%.1f hours", attribution->lookback_ms / 3600000.0);
  revenue_total = jm_chart_format_count (round (attribution->revenue));
  subtitle = g_strdup_printf ("%s conversions · revenue %s · lookback %s · %s",
                              conversions, revenue_total, lookback,
                              revenue ? "revenue credited" : "conversions credited");
  jm_chart_renderer_set_title (self, title);
  jm_chart_renderer_set_subtitle (self, subtitle);

  return self;
}

const JmAttributionGeometry *
jm_attribution_renderer_get_geometry (const JmChartRenderer *renderer)
{
  g_return_val_if_fail (renderer != NULL && renderer->klass == &attribution_class, NULL);

  return renderer->laid_out ? ((const JmAttributionRenderer *) renderer)->geometry : NULL;
}

guint
jm_attribution_renderer_get_group_item (const JmChartRenderer *renderer,
                                        guint                  group)
{
  const JmAttributionRenderer *self = (const JmAttributionRenderer *) renderer;

  g_return_val_if_fail (renderer != NULL && renderer->klass == &attribution_class, 0);
  g_return_val_if_fail (group < self->n_channels, 0);

  return self->order[group];
}
