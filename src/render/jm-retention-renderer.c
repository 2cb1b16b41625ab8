/* jm-retention-renderer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <math.h>

#include "jm-chart-renderer-private.h"
#include "jm-retention-renderer.h"
#include "jm-time.h"

#define MAX_ROW_HEIGHT 34
#define CELL_GAP 3

typedef struct
{
  JmChartRenderer      parent;
  guint                n_cohorts;
  guint                n_periods;
  char                *period_name;
  char               **labels;
  double              *sizes;
  double              *rates;     /* (n_rows) × (n_periods + 1); NaN for blank */
  guint                n_rows;    /* cohorts, plus the summary row when there are several */
  JmRetentionGeometry *geometry;
} JmRetentionRenderer;

static const JmChartRendererClass retention_class;

static gboolean
retention_layout (JmChartRenderer  *renderer,
                  PangoLayout      *text,
                  double            x,
                  double            y,
                  double            width,
                  double            height,
                  GError          **error)
{
  JmRetentionRenderer *self = (JmRetentionRenderer *) renderer;
  JmRetentionGeometryOptions options = { 0 };
  double label_width = 0;
  double line_height;

  /* The label column is as wide as the longest label, within a third of the width. */
  for (guint r = 0; r < self->n_rows; r++)
    {
      double w;

      jm_chart_text_set (text, renderer->theme, JM_TEXT_BOLD,
                         r < self->n_cohorts ? self->labels[r] : "All cohorts", -1);
      jm_chart_text_size (text, &w, &line_height);
      label_width = MAX (label_width, w);
    }
  jm_chart_text_set (text, renderer->theme, JM_TEXT_BOLD, "Cohort", -1);
  jm_chart_text_size (text, NULL, &line_height);

  options.x = x;
  options.y = y;
  options.width = width;
  options.height = height;
  options.header_height = line_height + 10;
  options.row_header_width = MIN (label_width + 16, width / 3);
  options.size_column_width = MIN (84, width / 6);
  options.max_row_height = MAX_ROW_HEIGHT;
  options.gap = CELL_GAP;

  g_clear_pointer (&self->geometry, jm_retention_geometry_free);
  self->geometry = jm_retention_geometry_compute (self->n_rows, self->n_periods + 1, &options);
  if (self->geometry == NULL)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE,
                   "the retention table needs more room than %.0f × %.0f pixels", width, height);
      return FALSE;
    }

  return TRUE;
}

static void
retention_draw (JmChartRenderer *renderer,
                cairo_t         *cr,
                PangoLayout     *text)
{
  JmRetentionRenderer *self = (JmRetentionRenderer *) renderer;
  const JmChartTheme *theme = renderer->theme;
  guint n_columns = self->n_periods + 1;
  JmRetentionRect first = jm_retention_geometry_get_column_header (self->geometry, 0);
  double cell_width = first.x1 - first.x0;
  gboolean long_headers;
  double w;

  if (self->n_cohorts == 0)
    {
      jm_chart_text_set (text, theme, JM_TEXT_REGULAR, "No cohorts to show", -1);
      jm_chart_text_draw (cr, text, theme->dim_foreground,
                          renderer->plot_x + renderer->plot_width / 2,
                          renderer->plot_y + renderer->plot_height / 2, 0.5, 0.5);
      return;
    }

  /* Column headers: "Week 3" when it fits every column, else the bare number. */
  {
    g_autofree char *widest = g_strdup_printf ("%s %u", self->period_name, self->n_periods);

    jm_chart_text_set (text, theme, JM_TEXT_SMALL, widest, -1);
    jm_chart_text_size (text, &w, NULL);
    long_headers = w + 6 <= cell_width;
  }

  jm_chart_text_set (text, theme, JM_TEXT_SMALL, "Cohort", -1);
  jm_chart_text_draw (cr, text, theme->dim_foreground, renderer->plot_x + CELL_GAP,
                      (first.y0 + first.y1) / 2, 0, 0.5);
  if (self->n_rows > 0)
    {
      JmRetentionRect size = jm_retention_geometry_get_size_cell (self->geometry, 0);

      jm_chart_text_set (text, theme, JM_TEXT_SMALL, "Units", -1);
      jm_chart_text_draw (cr, text, theme->dim_foreground, size.x1 - 6,
                          (first.y0 + first.y1) / 2, 1, 0.5);
    }
  for (guint c = 0; c < n_columns; c++)
    {
      JmRetentionRect header = jm_retention_geometry_get_column_header (self->geometry, c);
      g_autofree char *label = long_headers ? g_strdup_printf ("%s %u", self->period_name, c)
                                            : g_strdup_printf ("%u", c);

      jm_chart_text_set (text, theme, JM_TEXT_SMALL, label, cell_width);
      jm_chart_text_draw (cr, text, theme->dim_foreground, (header.x0 + header.x1) / 2,
                          (header.y0 + header.y1) / 2, 0.5, 0.5);
    }

  for (guint r = 0; r < self->n_rows; r++)
    {
      JmRetentionRect label = jm_retention_geometry_get_row_header (self->geometry, r);
      JmRetentionRect size_cell = jm_retention_geometry_get_size_cell (self->geometry, r);
      gboolean summary = r >= self->n_cohorts;
      gboolean dim = renderer->selected >= 0 && (guint) renderer->selected != r;
      double size = 0;
      g_autofree char *size_text = NULL;

      if (summary)
        {
          for (guint k = 0; k < self->n_cohorts; k++)
            size += self->sizes[k];
        }
      else
        size = self->sizes[r];
      size_text = jm_chart_format_count (size);

      jm_chart_text_set (text, theme, summary ? JM_TEXT_BOLD : JM_TEXT_REGULAR,
                         summary ? "All cohorts" : self->labels[r], label.x1 - label.x0);
      jm_chart_text_draw (cr, text, dim ? theme->dim_foreground : theme->foreground, label.x0,
                          (label.y0 + label.y1) / 2, 0, 0.5);
      jm_chart_text_set (text, theme, JM_TEXT_REGULAR, size_text, size_cell.x1 - size_cell.x0);
      jm_chart_text_draw (cr, text, theme->dim_foreground, size_cell.x1 - 6,
                          (size_cell.y0 + size_cell.y1) / 2, 1, 0.5);

      for (guint c = 0; c < n_columns; c++)
        {
          JmRetentionRect cell = jm_retention_geometry_get_cell (self->geometry, r, c);
          double rate = self->rates[r * n_columns + c];
          JmChartColor fill;
          g_autofree char *percent = NULL;
          double text_width;

          if (isnan (rate))
            {
              /* Not complete yet: an outline only, so the gap reads as "not yet". */
              jm_chart_rounded_rectangle (cr, cell.x0 + 0.5, cell.y0 + 0.5, cell.x1 - 0.5,
                                          cell.y1 - 0.5, 4);
              jm_chart_set_color (cr, theme->grid, 1);
              cairo_set_line_width (cr, 1);
              cairo_stroke (cr);
              continue;
            }

          fill = jm_chart_theme_heat_color (theme, rate);
          jm_chart_rounded_rectangle (cr, cell.x0, cell.y0, cell.x1, cell.y1, 4);
          jm_chart_set_color (cr, fill, dim ? 0.35 : 1);
          cairo_fill (cr);

          percent = jm_chart_format_percent (rate);
          jm_chart_text_set (text, theme, JM_TEXT_SMALL, percent, -1);
          jm_chart_text_size (text, &text_width, NULL);
          if (text_width + 4 <= cell.x1 - cell.x0)
            jm_chart_text_draw (cr, text, dim ? theme->dim_foreground
                                              : jm_chart_theme_text_on (theme, fill),
                                (cell.x0 + cell.x1) / 2, (cell.y0 + cell.y1) / 2, 0.5, 0.5);
        }

      if (!summary && renderer->selected >= 0 && (guint) renderer->selected == r)
        {
          JmRetentionRect last = jm_retention_geometry_get_cell (self->geometry, r, n_columns - 1);

          jm_chart_rounded_rectangle (cr, label.x0 - 2, label.y0 - 1, last.x1 + 1, last.y1 + 1, 5);
          cairo_set_line_width (cr, 2);
          jm_chart_set_color (cr, theme->accent, 1);
          cairo_stroke (cr);
        }
    }
}

static JmChartHitKind
retention_hit_test (const JmChartRenderer *renderer,
                    double                 x,
                    double                 y,
                    gint                  *out_index)
{
  const JmRetentionRenderer *self = (const JmRetentionRenderer *) renderer;
  gint row;

  if (!jm_retention_geometry_hit_test (self->geometry, x, y, &row, NULL) ||
      (guint) row >= self->n_cohorts)
    return JM_CHART_HIT_NONE;

  if (out_index != NULL)
    *out_index = row;

  return JM_CHART_HIT_NODE;
}

static guint
retention_get_n_items (const JmChartRenderer *renderer)
{
  return ((const JmRetentionRenderer *) renderer)->n_cohorts;
}

static const char *
retention_get_item_name (const JmChartRenderer *renderer,
                         guint                  item)
{
  return ((const JmRetentionRenderer *) renderer)->labels[item];
}

static void
retention_finalize (JmChartRenderer *renderer)
{
  JmRetentionRenderer *self = (JmRetentionRenderer *) renderer;

  g_free (self->period_name);
  g_strfreev (self->labels);
  g_free (self->sizes);
  g_free (self->rates);
  g_clear_pointer (&self->geometry, jm_retention_geometry_free);
}

static const JmChartRendererClass retention_class = {
  .kind = "retention",
  .layout = retention_layout,
  .draw = retention_draw,
  .hit_test = retention_hit_test,
  .get_n_items = retention_get_n_items,
  .get_item_name = retention_get_item_name,
  .finalize = retention_finalize,
};

static gboolean
count_known (double value)
{
  return isfinite (value) && value >= 0;
}

JmChartRenderer *
jm_retention_renderer_new (const JmRetentionChartCohort  *cohorts,
                           guint                          n_cohorts,
                           guint                          n_periods,
                           const char                    *period_name,
                           GError                       **error)
{
  JmRetentionRenderer *self;
  guint n_columns = n_periods + 1;

  g_return_val_if_fail (cohorts != NULL || n_cohorts == 0, NULL);
  g_return_val_if_fail (period_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_periods > 1000)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                   "a retention table shows at most 1000 periods, not %u", n_periods);
      return NULL;
    }

  for (guint r = 0; r < n_cohorts; r++)
    {
      if (cohorts[r].label == NULL || cohorts[r].retained == NULL ||
          !count_known (cohorts[r].size))
        {
          g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                       "retention cohort %u: %s", r + 1,
                       cohorts[r].label == NULL ? "no label" :
                       cohorts[r].retained == NULL ? "no counts" :
                       "its size is negative or not a number");
          return NULL;
        }
    }

  self = g_new0 (JmRetentionRenderer, 1);
  jm_chart_renderer_init (&self->parent, &retention_class);
  self->n_cohorts = n_cohorts;
  self->n_periods = n_periods;
  self->period_name = g_strdup (period_name);
  self->n_rows = n_cohorts > 1 ? n_cohorts + 1 : n_cohorts;
  self->labels = g_new0 (char *, n_cohorts + 1);
  self->sizes = g_new0 (double, MAX (n_cohorts, 1));
  self->rates = g_new0 (double, MAX (self->n_rows, 1) * n_columns);

  for (guint r = 0; r < n_cohorts; r++)
    {
      self->labels[r] = g_strdup (cohorts[r].label);
      self->sizes[r] = cohorts[r].size;
      for (guint c = 0; c < n_columns; c++)
        {
          double value = cohorts[r].retained[c];

          self->rates[r * n_columns + c] = !count_known (value) ? NAN :
                                           cohorts[r].size > 0 ? value / cohorts[r].size : 0;
        }
    }

  /* The summary row: retained over the sizes of the cohorts that know the period. */
  for (guint c = 0; c < n_columns && self->n_rows > n_cohorts; c++)
    {
      double retained = 0;
      double size = 0;

      for (guint r = 0; r < n_cohorts; r++)
        {
          if (count_known (cohorts[r].retained[c]))
            {
              retained += cohorts[r].retained[c];
              size += cohorts[r].size;
            }
        }
      self->rates[n_cohorts * n_columns + c] = size > 0 ? retained / size : NAN;
    }

  return &self->parent;
}

JmChartRenderer *
jm_retention_renderer_new_for_retention (const JmRetention *retention)
{
  g_autofree JmRetentionChartCohort *cohorts = NULL;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  const char *period;
  g_autofree char *period_name = NULL;
  g_autofree char *subtitle = NULL;
  JmChartRenderer *self;

  g_return_val_if_fail (retention != NULL, NULL);

  cohorts = g_new0 (JmRetentionChartCohort, MAX (retention->n_cohorts, 1));
  for (guint r = 0; r < retention->n_cohorts; r++)
    {
      const JmRetentionCohort *cohort = &retention->cohorts[r];
      double *counts = g_new (double, retention->periods + 1);

      for (guint c = 0; c <= retention->periods; c++)
        counts[c] = cohort->retained[c] == JM_RETENTION_INCOMPLETE ? NAN : cohort->retained[c];
      cohorts[r].label = jm_time_format_date (cohort->start_ms);
      cohorts[r].size = cohort->size;
      cohorts[r].retained = counts;
      g_ptr_array_add (strings, (char *) cohorts[r].label);
      g_ptr_array_add (strings, counts);
    }

  period = jm_retention_period_to_string (retention->period);
  period_name = g_strdup (period);
  period_name[0] = g_ascii_toupper (period_name[0]);

  /* An analysis never has negative sizes, so this cannot fail. */
  self = jm_retention_renderer_new (cohorts, retention->n_cohorts, retention->periods,
                                    period_name, NULL);
  g_assert (self != NULL);

  subtitle = g_strdup_printf ("Cohorts by first “%s”, returning with “%s” · by %s, %s",
                              retention->cohort_event, retention->return_event, period,
                              retention->unbounded ? "unbounded" : "classic");
  jm_chart_renderer_set_title (self, "Retention");
  jm_chart_renderer_set_subtitle (self, subtitle);

  return self;
}

const JmRetentionGeometry *
jm_retention_renderer_get_geometry (const JmChartRenderer *renderer)
{
  g_return_val_if_fail (renderer != NULL && renderer->klass == &retention_class, NULL);

  return renderer->laid_out ? ((const JmRetentionRenderer *) renderer)->geometry : NULL;
}

double
jm_retention_renderer_get_rate (const JmChartRenderer *renderer,
                                guint                  row,
                                guint                  period)
{
  const JmRetentionRenderer *self = (const JmRetentionRenderer *) renderer;

  g_return_val_if_fail (renderer != NULL && renderer->klass == &retention_class, NAN);
  g_return_val_if_fail (row < self->n_rows && period <= self->n_periods, NAN);

  return self->rates[row * (self->n_periods + 1) + period];
}
