/* jm-chart-renderer-private.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <pango/pangocairo.h>

#include "jm-chart-renderer.h"

G_BEGIN_DECLS

/* What each chart implements. `layout` is called when the plot size changes (or the data
 * does, after jm_chart_renderer_invalidate()); `draw` then paints into the plot rectangle
 * with the text helpers below.
 */
typedef struct
{
  const char     *kind;
  gboolean      (*layout)     (JmChartRenderer *self,
                               PangoLayout     *text,
                               double           x,
                               double           y,
                               double           width,
                               double           height,
                               GError         **error);
  void          (*draw)       (JmChartRenderer *self,
                               cairo_t         *cr,
                               PangoLayout     *text);
  JmChartHitKind (*hit_test)  (const JmChartRenderer *self,
                               double           x,
                               double           y,
                               gint            *out_index);
  guint         (*get_n_items)   (const JmChartRenderer *self);
  const char   *(*get_item_name) (const JmChartRenderer *self,
                                  guint            item);
  void          (*finalize)   (JmChartRenderer *self);
} JmChartRendererClass;

struct _JmChartRenderer
{
  const JmChartRendererClass *klass;
  const JmChartTheme         *theme;
  char                       *title;
  char                       *subtitle;
  gint                        selected;
  gboolean                    laid_out;
  double                      plot_x;
  double                      plot_y;
  double                      plot_width;
  double                      plot_height;
};

/* Subclasses allocate their struct (whose first member is the parent) and call this. */
void          jm_chart_renderer_init         (JmChartRenderer            *self,
                                              const JmChartRendererClass *klass);
/* A second line under the title, dimmer (the totals), or NULL. */
void          jm_chart_renderer_set_subtitle (JmChartRenderer            *self,
                                              const char                 *subtitle);
void          jm_chart_renderer_invalidate   (JmChartRenderer            *self);

/* Text. Every label goes through one PangoLayout per draw, set up with hinting off so text
 * measures the same on every surface (the PNG and the SVG agree).
 */
typedef enum
{
  JM_TEXT_REGULAR,
  JM_TEXT_BOLD,
  JM_TEXT_SMALL,
  JM_TEXT_TITLE,
} JmTextStyle;

void          jm_chart_text_set              (PangoLayout        *layout,
                                              const JmChartTheme *theme,
                                              JmTextStyle         style,
                                              const char         *text,
                                              double              max_width);
/* The logical size of the layout's text, in user units. */
void          jm_chart_text_size             (PangoLayout        *layout,
                                              double             *out_width,
                                              double             *out_height);
/* Draws the layout with its (x_align, y_align) point (0 left/top … 1 right/bottom) at (x, y). */
void          jm_chart_text_draw             (cairo_t            *cr,
                                              PangoLayout        *layout,
                                              JmChartColor        color,
                                              double              x,
                                              double              y,
                                              double              x_align,
                                              double              y_align);

void          jm_chart_set_color             (cairo_t            *cr,
                                              JmChartColor        color,
                                              double              alpha);
void          jm_chart_rounded_rectangle     (cairo_t            *cr,
                                              double              x0,
                                              double              y0,
                                              double              x1,
                                              double              y1,
                                              double              radius);

/* "12,345"; "1.2M" past ten million. */
char         *jm_chart_format_count          (double              value);
/* "45%", "4.5%" below 10%, "0.45%" below 1%. */
char         *jm_chart_format_percent        (double              ratio);
/* "42 s", "3.5 min", "2.1 h", "1.5 d"; "–" for NaN. */
char         *jm_chart_format_duration       (double              seconds);

G_END_DECLS
