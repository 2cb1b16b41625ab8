/* render-test-charts.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-attribution-renderer.h"
#include "jm-chart-renderer.h"
#include "jm-funnel-renderer.h"
#include "jm-graph-renderer.h"
#include "jm-retention-renderer.h"
#include "jm-sankey-renderer.h"

G_BEGIN_DECLS

/* Hand-built charts with known numbers, shared by the render tests. */
JmChartRenderer *render_test_funnel        (void);
JmChartRenderer *render_test_sankey        (void);
JmChartRenderer *render_test_retention     (void);
JmChartRenderer *render_test_attribution   (void);
JmChartRenderer *render_test_graph         (void);
/* All five, in that order (a NULL-terminated array to free with render_test_charts_free). */
JmChartRenderer **render_test_charts       (void);
void             render_test_charts_free   (JmChartRenderer **charts);

/* Draws `chart` on a new ARGB32 image surface of width × height. */
cairo_surface_t *render_test_draw          (JmChartRenderer  *chart,
                                            int               width,
                                            int               height);
/* The un-premultiplied colour at (x, y), 0 … 255 per channel. */
void             render_test_pixel         (cairo_surface_t  *surface,
                                            int               x,
                                            int               y,
                                            guint            *red,
                                            guint            *green,
                                            guint            *blue);
/* Asserts the pixel is `color` (opaque, composited over nothing) within `tolerance` per channel. */
void             render_test_assert_pixel  (cairo_surface_t  *surface,
                                            double            x,
                                            double            y,
                                            JmChartColor      color,
                                            guint             tolerance);
/* `color` drawn with `alpha` over `background`. */
JmChartColor     render_test_blend         (JmChartColor      color,
                                            double            alpha,
                                            JmChartColor      background);

G_END_DECLS
