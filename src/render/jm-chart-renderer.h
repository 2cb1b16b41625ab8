/* jm-chart-renderer.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

#include "jm-chart-theme.h"

G_BEGIN_DECLS

/* JmChartRenderer: one chart (Sankey, journey graph, funnel, retention, attribution) that
 * draws itself onto any cairo_t at a given size (DESIGN §7). The widget's snapshot, and the
 * SVG, PNG and PDF exports all call jm_chart_renderer_draw(), so they look the same.
 *
 * Drawing lays the chart out for the size (the layout is kept until the size changes), so the
 * geometry of the last draw answers hit tests in the same coordinates: what a widget needs for
 * tooltips, selection and pointer feedback. The selection is an index into the chart's items
 * (a Sankey or graph node, a funnel step, a retention cohort, an attribution channel); the
 * selected item's whole flow is drawn emphasised and the rest faded.
 *
 * Create one with the constructors of jm-sankey-renderer.h, jm-graph-renderer.h,
 * jm-funnel-renderer.h, jm-retention-renderer.h or jm-attribution-renderer.h.
 */

#define JM_RENDER_ERROR (jm_render_error_quark ())

typedef enum
{
  JM_RENDER_ERROR_INVALID_CHART,   /* the data cannot be laid out (names what and where) */
  JM_RENDER_ERROR_INVALID_SIZE,    /* too small, too large or not a number */
  JM_RENDER_ERROR_EXPORT,          /* unknown file type, or the file could not be written */
} JmRenderError;

typedef enum
{
  JM_CHART_HIT_NONE,
  JM_CHART_HIT_NODE,    /* a node, step, cohort or channel: the selectable items */
  JM_CHART_HIT_LINK,    /* a Sankey link or graph edge */
} JmChartHitKind;

typedef struct _JmChartRenderer JmChartRenderer;

GQuark              jm_render_error_quark            (void);

void                jm_chart_renderer_free           (JmChartRenderer    *self);

/* "sankey", "graph", "funnel", "retention", "attribution". */
const char         *jm_chart_renderer_get_kind       (const JmChartRenderer *self);

/* Default: light, default palette. The theme must live as long as the renderer (those of
 * jm_chart_theme_get() do).
 */
void                jm_chart_renderer_set_theme      (JmChartRenderer    *self,
                                                      const JmChartTheme *theme);
const JmChartTheme *jm_chart_renderer_get_theme      (const JmChartRenderer *self);
/* A heading drawn at the top left, or NULL for none. Constructors from analyses set one. */
void                jm_chart_renderer_set_title      (JmChartRenderer    *self,
                                                      const char         *title);
const char         *jm_chart_renderer_get_title      (const JmChartRenderer *self);
/* The selected item, or -1 (default). Out-of-range indices select nothing. */
void                jm_chart_renderer_set_selected   (JmChartRenderer    *self,
                                                      gint                item);
gint                jm_chart_renderer_get_selected   (const JmChartRenderer *self);
guint               jm_chart_renderer_get_n_items    (const JmChartRenderer *self);
const char         *jm_chart_renderer_get_item_name  (const JmChartRenderer *self,
                                                      guint               item);
/* The first item with this name, or -1. */
gint                jm_chart_renderer_find_item      (const JmChartRenderer *self,
                                                      const char         *name);

/* Draws the whole chart, background included, into (0, 0, width, height) of `cr` in user
 * space. Fails with JM_RENDER_ERROR_INVALID_SIZE for a size below 120 × 80 or above 20000 or
 * not finite, JM_RENDER_ERROR_INVALID_CHART when the data cannot be laid out; then nothing is
 * drawn.
 */
gboolean            jm_chart_renderer_draw           (JmChartRenderer    *self,
                                                      cairo_t            *cr,
                                                      double              width,
                                                      double              height,
                                                      GError            **error);
/* What lies at (x, y) in the last draw's coordinates; the index goes to `out_index` (-1 for
 * none). Nothing before the first draw.
 */
JmChartHitKind      jm_chart_renderer_hit_test       (const JmChartRenderer *self,
                                                      double              x,
                                                      double              y,
                                                      gint               *out_index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmChartRenderer, jm_chart_renderer_free)

G_END_DECLS
