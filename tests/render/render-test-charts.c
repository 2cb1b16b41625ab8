/* render-test-charts.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "render-test-charts.h"

JmChartRenderer *
render_test_funnel (void)
{
  const JmFunnelChartStep steps[] = {
    { "Visited the shop", 1000, NAN },
    { "Added to cart", 600, 95 },
    { "Started checkout", 300, 420 },
    { "Paid", 150, 7200 },
  };
  g_autoptr(GError) error = NULL;
  JmChartRenderer *chart = jm_funnel_renderer_new (steps, G_N_ELEMENTS (steps), &error);

  g_assert_no_error (error);
  jm_chart_renderer_set_title (chart, "Checkout funnel");

  return chart;
}

/* Two columns of sources into a middle node, which fans out again: A (600) and B (300) → M
 * (900) → X (500), Y (250); M has a drop-off of 150.
 */
JmChartRenderer *
render_test_sankey (void)
{
  JmSankeyGraph *graph = jm_sankey_graph_new ();
  JmChartRenderer *chart;
  guint a = jm_sankey_graph_add_node_in_layer (graph, "Home", 0);
  guint b = jm_sankey_graph_add_node_in_layer (graph, "Search", 0);
  guint m = jm_sankey_graph_add_node_in_layer (graph, "Product", 1);
  guint x = jm_sankey_graph_add_node_in_layer (graph, "Cart", 2);
  guint y = jm_sankey_graph_add_node_in_layer (graph, "Help", 2);

  jm_sankey_graph_add_link (graph, a, m, 600);
  jm_sankey_graph_add_link (graph, b, m, 300);
  jm_sankey_graph_add_link (graph, m, x, 500);
  jm_sankey_graph_add_link (graph, m, y, 250);
  jm_sankey_graph_add_link (graph, b, y, 0.5);

  chart = jm_sankey_renderer_new (graph, 900);
  jm_sankey_renderer_set_node_dropoff (chart, m, 150);
  jm_sankey_renderer_set_link_median (chart, 2, 65);

  return chart;
}

JmChartRenderer *
render_test_retention (void)
{
  const double first[] = { 200, 100, 50, 20 };
  const double second[] = { 100, 25, 0, NAN };
  const double third[] = { 50, 50, NAN, NAN };
  const JmRetentionChartCohort cohorts[] = {
    { "2026-06-01", 200, first },
    { "2026-06-08", 100, second },
    { "2026-06-15", 50, third },
  };
  g_autoptr(GError) error = NULL;
  JmChartRenderer *chart = jm_retention_renderer_new (cohorts, G_N_ELEMENTS (cohorts), 3, "Week",
                                                      &error);

  g_assert_no_error (error);

  return chart;
}

JmChartRenderer *
render_test_attribution (void)
{
  const char *channels[] = { "Direct", "Email", "Social" };
  const char *models[] = { "First touch", "Last touch", "Linear" };
  /* Email has the largest total, so it is drawn first. */
  const double values[] = {
    20, 10, 15,
    40, 60, 50,
    5, 0, 2.5,
  };
  g_autoptr(GError) error = NULL;
  JmChartRenderer *chart = jm_attribution_renderer_new (channels, 3, models, 3, values, &error);

  g_assert_no_error (error);

  return chart;
}

JmChartRenderer *
render_test_graph (void)
{
  JmGraph *graph = jm_graph_new ();
  g_autoptr(GError) error = NULL;
  JmChartRenderer *chart;
  guint start = jm_graph_add_node (graph, "START", 0, JM_GRAPH_PIN_FIRST);
  guint home = jm_graph_add_node (graph, "Home", 900, JM_GRAPH_PIN_NONE);
  guint product = jm_graph_add_node (graph, "Product", 700, JM_GRAPH_PIN_NONE);
  guint cart = jm_graph_add_node (graph, "Cart", 300, JM_GRAPH_PIN_NONE);
  guint end = jm_graph_add_node (graph, "END", 0, JM_GRAPH_PIN_LAST);

  jm_graph_add_edge (graph, start, home, 500);
  jm_graph_add_edge (graph, home, product, 600);
  jm_graph_add_edge (graph, product, home, 200);
  jm_graph_add_edge (graph, product, cart, 300);
  jm_graph_add_edge (graph, cart, end, 300);
  jm_graph_add_edge (graph, home, end, 200);

  chart = jm_graph_renderer_new (graph, &error);
  g_assert_no_error (error);
  jm_graph_renderer_set_edge_median (chart, 1, 30);

  return chart;
}

JmChartRenderer **
render_test_charts (void)
{
  JmChartRenderer **charts = g_new0 (JmChartRenderer *, 6);

  charts[0] = render_test_funnel ();
  charts[1] = render_test_sankey ();
  charts[2] = render_test_retention ();
  charts[3] = render_test_attribution ();
  charts[4] = render_test_graph ();

  return charts;
}

void
render_test_charts_free (JmChartRenderer **charts)
{
  for (guint i = 0; charts[i] != NULL; i++)
    jm_chart_renderer_free (charts[i]);
  g_free (charts);
}

cairo_surface_t *
render_test_draw (JmChartRenderer *chart,
                  int              width,
                  int              height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GError) error = NULL;

  g_assert_true (jm_chart_renderer_draw (chart, cr, width, height, &error));
  g_assert_no_error (error);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  return surface;
}

void
render_test_pixel (cairo_surface_t *surface,
                   int              x,
                   int              y,
                   guint           *red,
                   guint           *green,
                   guint           *blue)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint32 pixel;
  guint alpha;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (surface));

  pixel = *(const guint32 *) (data + y * stride + 4 * x);
  alpha = pixel >> 24;
  g_assert_cmpuint (alpha, ==, 255);
  *red = pixel >> 16 & 0xff;
  *green = pixel >> 8 & 0xff;
  *blue = pixel & 0xff;
}

void
render_test_assert_pixel (cairo_surface_t *surface,
                          double           x,
                          double           y,
                          JmChartColor     color,
                          guint            tolerance)
{
  guint r;
  guint g;
  guint b;

  render_test_pixel (surface, (int) floor (x), (int) floor (y), &r, &g, &b);
  if (abs ((int) r - (int) round (color.red * 255)) > (int) tolerance ||
      abs ((int) g - (int) round (color.green * 255)) > (int) tolerance ||
      abs ((int) b - (int) round (color.blue * 255)) > (int) tolerance)
    g_error ("pixel (%.0f, %.0f) is #%02x%02x%02x, expected #%02x%02x%02x (± %u)", x, y, r, g, b,
             (guint) round (color.red * 255), (guint) round (color.green * 255),
             (guint) round (color.blue * 255), tolerance);
}

JmChartColor
render_test_blend (JmChartColor color,
                   double       alpha,
                   JmChartColor background)
{
  double a = color.alpha * alpha;

  return (JmChartColor) {
    color.red * a + background.red * (1 - a),
    color.green * a + background.green * (1 - a),
    color.blue * a + background.blue * (1 - a),
    1
  };
}
