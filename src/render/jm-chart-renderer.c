/* jm-chart-renderer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-chart-renderer-private.h"

#define MARGIN 24
#define MIN_WIDTH 120
#define MIN_HEIGHT 80
#define MAX_SIZE 20000

G_DEFINE_QUARK (jm-render-error-quark, jm_render_error)

void
jm_chart_renderer_init (JmChartRenderer            *self,
                        const JmChartRendererClass *klass)
{
  self->klass = klass;
  self->theme = jm_chart_theme_get (JM_CHART_STYLE_LIGHT, JM_CHART_PALETTE_DEFAULT);
  self->selected = -1;
}

void
jm_chart_renderer_free (JmChartRenderer *self)
{
  if (self == NULL)
    return;

  g_free (self->title);
  g_free (self->subtitle);
  self->klass->finalize (self);
  g_free (self);
}

const char *
jm_chart_renderer_get_kind (const JmChartRenderer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->klass->kind;
}

void
jm_chart_renderer_set_theme (JmChartRenderer    *self,
                             const JmChartTheme *theme)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (theme != NULL);

  /* Fonts do not change between themes, so the layout stays valid. */
  self->theme = theme;
}

const JmChartTheme *
jm_chart_renderer_get_theme (const JmChartRenderer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->theme;
}

void
jm_chart_renderer_set_title (JmChartRenderer *self,
                             const char      *title)
{
  g_return_if_fail (self != NULL);

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  jm_chart_renderer_invalidate (self);
}

const char *
jm_chart_renderer_get_title (const JmChartRenderer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->title;
}

void
jm_chart_renderer_set_subtitle (JmChartRenderer *self,
                                const char      *subtitle)
{
  g_return_if_fail (self != NULL);

  g_free (self->subtitle);
  self->subtitle = g_strdup (subtitle);
  jm_chart_renderer_invalidate (self);
}

void
jm_chart_renderer_invalidate (JmChartRenderer *self)
{
  self->laid_out = FALSE;
}

void
jm_chart_renderer_set_selected (JmChartRenderer *self,
                                gint             item)
{
  g_return_if_fail (self != NULL);

  self->selected = item >= 0 && (guint) item < jm_chart_renderer_get_n_items (self) ? item : -1;
}

gint
jm_chart_renderer_get_selected (const JmChartRenderer *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->selected;
}

guint
jm_chart_renderer_get_n_items (const JmChartRenderer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->klass->get_n_items (self);
}

const char *
jm_chart_renderer_get_item_name (const JmChartRenderer *self,
                                 guint                  item)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (item < jm_chart_renderer_get_n_items (self), NULL);

  return self->klass->get_item_name (self, item);
}

gint
jm_chart_renderer_find_item (const JmChartRenderer *self,
                             const char            *name)
{
  guint n_items;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  n_items = jm_chart_renderer_get_n_items (self);
  for (guint i = 0; i < n_items; i++)
    {
      if (g_strcmp0 (self->klass->get_item_name (self, i), name) == 0)
        return i;
    }

  return -1;
}

static PangoLayout *
create_text_layout (cairo_t *cr)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  cairo_font_options_t *options = cairo_font_options_create ();

  /* Unhinted outlines and metrics: a PNG, an SVG and a PDF place every glyph alike. */
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (pango_layout_get_context (layout), options);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (options);

  return layout;
}

gboolean
jm_chart_renderer_draw (JmChartRenderer  *self,
                        cairo_t          *cr,
                        double            width,
                        double            height,
                        GError          **error)
{
  g_autoptr(PangoLayout) text = NULL;
  double plot_x = MARGIN;
  double plot_y = MARGIN;
  double plot_width;
  double plot_height;
  double title_height = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!isfinite (width) || !isfinite (height) || width < MIN_WIDTH || height < MIN_HEIGHT ||
      width > MAX_SIZE || height > MAX_SIZE)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE,
                   "a chart must be from %d × %d to %d × %d pixels, not %g × %g",
                   MIN_WIDTH, MIN_HEIGHT, MAX_SIZE, MAX_SIZE, width, height);
      return FALSE;
    }

  text = create_text_layout (cr);

  if (self->title != NULL)
    {
      double w;
      double h;

      jm_chart_text_set (text, self->theme, JM_TEXT_TITLE, self->title, width - 2 * MARGIN);
      jm_chart_text_size (text, &w, &h);
      title_height += h;
      if (self->subtitle != NULL)
        {
          jm_chart_text_set (text, self->theme, JM_TEXT_REGULAR, self->subtitle,
                             width - 2 * MARGIN);
          jm_chart_text_size (text, &w, &h);
          title_height += h + 2;
        }
      title_height += 16;
    }

  plot_y += title_height;
  plot_width = width - 2 * MARGIN;
  plot_height = height - MARGIN - plot_y;
  if (plot_height < 24)
    {
      /* A very flat chart keeps its plot and drops the heading. */
      title_height = 0;
      plot_y = MARGIN;
      plot_height = height - 2 * MARGIN;
    }

  if (!self->laid_out || plot_x != self->plot_x || plot_y != self->plot_y ||
      plot_width != self->plot_width || plot_height != self->plot_height)
    {
      self->laid_out = FALSE;
      if (!self->klass->layout (self, text, plot_x, plot_y, plot_width, plot_height, error))
        return FALSE;
      self->plot_x = plot_x;
      self->plot_y = plot_y;
      self->plot_width = plot_width;
      self->plot_height = plot_height;
      self->laid_out = TRUE;
    }

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  jm_chart_set_color (cr, self->theme->background, 1);
  cairo_paint (cr);

  if (title_height > 0)
    {
      double h;

      jm_chart_text_set (text, self->theme, JM_TEXT_TITLE, self->title, width - 2 * MARGIN);
      jm_chart_text_draw (cr, text, self->theme->foreground, MARGIN, MARGIN, 0, 0);
      jm_chart_text_size (text, NULL, &h);
      if (self->subtitle != NULL)
        {
          jm_chart_text_set (text, self->theme, JM_TEXT_REGULAR, self->subtitle,
                             width - 2 * MARGIN);
          jm_chart_text_draw (cr, text, self->theme->dim_foreground, MARGIN, MARGIN + h + 2,
                              0, 0);
        }
    }

  self->klass->draw (self, cr, text);
  cairo_restore (cr);

  return TRUE;
}

JmChartHitKind
jm_chart_renderer_hit_test (const JmChartRenderer *self,
                            double                 x,
                            double                 y,
                            gint                  *out_index)
{
  g_return_val_if_fail (self != NULL, JM_CHART_HIT_NONE);

  if (out_index != NULL)
    *out_index = -1;
  if (!self->laid_out)
    return JM_CHART_HIT_NONE;

  return self->klass->hit_test (self, x, y, out_index);
}

/* Text and shapes */

void
jm_chart_text_set (PangoLayout        *layout,
                   const JmChartTheme *theme,
                   JmTextStyle         style,
                   const char         *text,
                   double              max_width)
{
  /* Parsing a font description per label adds up over hundreds of labels: the layout
   * remembers which theme and style its font is for.
   */
  static GQuark theme_quark;
  static GQuark style_quark;
  PangoFontDescription *font;
  double size = theme->font_size;

  if (G_UNLIKELY (theme_quark == 0))
    {
      theme_quark = g_quark_from_static_string ("jm-chart-text-theme");
      style_quark = g_quark_from_static_string ("jm-chart-text-style");
    }

  if (g_object_get_qdata (G_OBJECT (layout), theme_quark) != theme ||
      g_object_get_qdata (G_OBJECT (layout), style_quark) != GINT_TO_POINTER (style + 1))
    {
      font = pango_font_description_from_string (theme->font_family);
      switch (style)
        {
        case JM_TEXT_REGULAR:
          break;
        case JM_TEXT_BOLD:
          pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
          break;
        case JM_TEXT_SMALL:
          size = theme->font_size - 1.5;
          break;
        case JM_TEXT_TITLE:
          size = theme->title_size;
          pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
          break;
        default:
          g_assert_not_reached ();
        }

      pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
      pango_layout_set_font_description (layout, font);
      pango_font_description_free (font);
      g_object_set_qdata (G_OBJECT (layout), theme_quark, (gpointer) theme);
      g_object_set_qdata (G_OBJECT (layout), style_quark, GINT_TO_POINTER (style + 1));
    }

  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (layout, max_width > 0 ? (int) (max_width * PANGO_SCALE) : -1);
  pango_layout_set_text (layout, text, -1);
}

void
jm_chart_text_size (PangoLayout *layout,
                    double      *out_width,
                    double      *out_height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (out_width != NULL)
    *out_width = (double) logical.width / PANGO_SCALE;
  if (out_height != NULL)
    *out_height = (double) logical.height / PANGO_SCALE;
}

void
jm_chart_text_draw (cairo_t      *cr,
                    PangoLayout  *layout,
                    JmChartColor  color,
                    double        x,
                    double        y,
                    double        x_align,
                    double        y_align)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  jm_chart_set_color (cr, color, 1);
  cairo_move_to (cr, x - x_align * logical.width / PANGO_SCALE - (double) logical.x / PANGO_SCALE,
                 y - y_align * logical.height / PANGO_SCALE);
  pango_cairo_show_layout (cr, layout);
}

void
jm_chart_set_color (cairo_t      *cr,
                    JmChartColor  color,
                    double        alpha)
{
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * alpha);
}

void
jm_chart_rounded_rectangle (cairo_t *cr,
                            double   x0,
                            double   y0,
                            double   x1,
                            double   y1,
                            double   radius)
{
  radius = MIN (radius, MIN (x1 - x0, y1 - y0) / 2);
  if (radius <= 0.5)
    {
      cairo_rectangle (cr, x0, y0, x1 - x0, y1 - y0);
      return;
    }

  cairo_new_sub_path (cr);
  cairo_arc (cr, x1 - radius, y0 + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x1 - radius, y1 - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x0 + radius, y1 - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x0 + radius, y0 + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

char *
jm_chart_format_count (double value)
{
  GString *text;
  char digits[32];
  int n;
  int start;

  if (!isfinite (value))
    return g_strdup ("–");
  if (fabs (value) >= 1e7)
    return g_strdup_printf ("%.1fM", value / 1e6);
  if (fabs (value - round (value)) > 0.05 && fabs (value) < 100)
    return g_strdup_printf ("%.1f", value);

  g_snprintf (digits, sizeof digits, "%.0f", fabs (value));
  n = strlen (digits);
  text = g_string_new (value <= -0.5 ? "−" : "");
  start = n % 3 == 0 ? 3 : n % 3;
  g_string_append_len (text, digits, start);
  for (int i = start; i < n; i += 3)
    {
      g_string_append_c (text, ',');
      g_string_append_len (text, digits + i, 3);
    }

  return g_string_free (text, FALSE);
}

char *
jm_chart_format_percent (double ratio)
{
  double percent = ratio * 100;

  if (!isfinite (percent))
    return g_strdup ("–");
  if (percent == 0 || fabs (percent) >= 10)
    return g_strdup_printf ("%.0f%%", percent);
  if (fabs (percent) >= 1)
    return g_strdup_printf ("%.1f%%", percent);

  return g_strdup_printf ("%.2f%%", percent);
}

char *
jm_chart_format_duration (double seconds)
{
  if (!isfinite (seconds))
    return g_strdup ("–");
  if (seconds < 90)
    return g_strdup_printf ("%.0f s", seconds);
  if (seconds < 90 * 60)
    return g_strdup_printf ("%.1f min", seconds / 60);
  if (seconds < 36 * 3600)
    return g_strdup_printf ("%.1f h", seconds / 3600);

  return g_strdup_printf ("%.1f d", seconds / 86400);
}
