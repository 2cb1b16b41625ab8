/* test-chart-renderers.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include <string.h>

#include "jm-chart-renderer-private.h"
#include "jm-reference.h"
#include "render-test-charts.h"

#define WIDTH 900
#define HEIGHT 600

static const JmChartTheme *
light (void)
{
  return jm_chart_theme_get (JM_CHART_STYLE_LIGHT, JM_CHART_PALETTE_DEFAULT);
}

/* The first bar is the first series colour at its centre; the drop-off above the second bar is
 * hatched in the drop-off colour, not the bar's.
 */
static void
test_funnel_colours (void)
{
  g_autoptr(JmChartRenderer) chart = render_test_funnel ();
  cairo_surface_t *surface = render_test_draw (chart, WIDTH, HEIGHT);
  const JmFunnelGeometry *geometry = jm_funnel_renderer_get_geometry (chart);
  const JmFunnelGeometryStep *first = jm_funnel_geometry_get_step (geometry, 0);
  const JmFunnelGeometryStep *second = jm_funnel_geometry_get_step (geometry, 1);
  const JmFunnelGeometryStep *last = jm_funnel_geometry_get_step (geometry, 3);
  double red = 0;
  double blue = 0;
  guint r;
  guint g;
  guint b;

  g_assert_cmpuint (jm_funnel_geometry_get_n_steps (geometry), ==, 4);
  render_test_assert_pixel (surface, (first->bar.x0 + first->bar.x1) / 2,
                            (first->bar.y0 + first->bar.y1) / 2, light ()->series[0], 1);

  /* Heights follow the counts: the last bar is 15% of the first. */
  g_assert_cmpfloat_with_epsilon ((last->bar.y1 - last->bar.y0) / (first->bar.y1 - first->bar.y0),
                                  0.15, 1e-9);
  /* The second step lost 400 of 1000: its drop-off box is 40% of the first bar's height. */
  g_assert_cmpfloat_with_epsilon ((second->dropoff.y1 - second->dropoff.y0) /
                                  (first->bar.y1 - first->bar.y0), 0.4, 1e-9);

  for (double y = second->dropoff.y1 - 30; y < second->dropoff.y1 - 2; y++)
    for (double x = second->dropoff.x0 + 2; x < second->dropoff.x1 - 2; x++)
      {
        render_test_pixel (surface, x, y, &r, &g, &b);
        red += r;
        blue += b;
      }
  g_assert_cmpfloat (red, >, blue);

  /* The background shows in the corner. */
  render_test_assert_pixel (surface, 2, 2, light ()->background, 0);

  g_assert_cmpint (jm_chart_renderer_hit_test (chart, (first->bar.x0 + first->bar.x1) / 2,
                                               first->bar.y1 - 5, NULL), ==, JM_CHART_HIT_NODE);
  cairo_surface_destroy (surface);
}

/* Selecting a step draws it in the accent colour and fades the others. */
static void
test_funnel_selection (void)
{
  g_autoptr(JmChartRenderer) chart = render_test_funnel ();
  cairo_surface_t *surface;
  const JmFunnelGeometryStep *first;
  const JmFunnelGeometryStep *second;
  gint index;

  jm_chart_renderer_set_selected (chart, jm_chart_renderer_find_item (chart, "Added to cart"));
  g_assert_cmpint (jm_chart_renderer_get_selected (chart), ==, 1);
  surface = render_test_draw (chart, WIDTH, HEIGHT);
  first = jm_funnel_geometry_get_step (jm_funnel_renderer_get_geometry (chart), 0);
  second = jm_funnel_geometry_get_step (jm_funnel_renderer_get_geometry (chart), 1);

  render_test_assert_pixel (surface, (second->bar.x0 + second->bar.x1) / 2,
                            (second->bar.y0 + second->bar.y1) / 2, light ()->accent, 1);
  /* At 60% of the bar's height, clear of the grid lines at the quarters. */
  render_test_assert_pixel (surface, (first->bar.x0 + first->bar.x1) / 2,
                            first->bar.y1 - 0.6 * (first->bar.y1 - first->bar.y0),
                            render_test_blend (light ()->series[0], 0.35, light ()->background),
                            2);

  g_assert_cmpint (jm_chart_renderer_hit_test (chart, (second->bar.x0 + second->bar.x1) / 2,
                                               second->bar.y1 - 3, &index), ==,
                   JM_CHART_HIT_NODE);
  g_assert_cmpint (index, ==, 1);

  /* An index out of range selects nothing. */
  jm_chart_renderer_set_selected (chart, 17);
  g_assert_cmpint (jm_chart_renderer_get_selected (chart), ==, -1);
  cairo_surface_destroy (surface);
}

/* Dark theme: dark background; the colour-blind-safe palette starts with Okabe–Ito blue. */
static void
test_themes (void)
{
  g_autoptr(JmChartRenderer) chart = render_test_funnel ();
  const JmChartTheme *dark = jm_chart_theme_get (JM_CHART_STYLE_DARK, JM_CHART_PALETTE_DEFAULT);
  const JmChartTheme *safe = jm_chart_theme_get (JM_CHART_STYLE_LIGHT,
                                                 JM_CHART_PALETTE_COLORBLIND_SAFE);
  cairo_surface_t *surface;
  const JmFunnelGeometryStep *first;
  JmChartStyle style;
  JmChartPalette palette;

  jm_chart_renderer_set_theme (chart, dark);
  surface = render_test_draw (chart, WIDTH, HEIGHT);
  render_test_assert_pixel (surface, 2, 2, (JmChartColor) { 0x1e / 255.0, 0x1e / 255.0,
                                                            0x1e / 255.0, 1 }, 0);
  render_test_assert_pixel (surface, WIDTH - 3, HEIGHT - 3, dark->background, 0);
  first = jm_funnel_geometry_get_step (jm_funnel_renderer_get_geometry (chart), 0);
  render_test_assert_pixel (surface, (first->bar.x0 + first->bar.x1) / 2,
                            (first->bar.y0 + first->bar.y1) / 2, dark->series[0], 1);
  cairo_surface_destroy (surface);

  jm_chart_renderer_set_theme (chart, safe);
  surface = render_test_draw (chart, WIDTH, HEIGHT);
  render_test_assert_pixel (surface, (first->bar.x0 + first->bar.x1) / 2,
                            (first->bar.y0 + first->bar.y1) / 2,
                            (JmChartColor) { 0x00 / 255.0, 0x72 / 255.0, 0xb2 / 255.0, 1 }, 1);
  cairo_surface_destroy (surface);

  g_assert_true (jm_chart_style_from_string ("dark", &style));
  g_assert_cmpint (style, ==, JM_CHART_STYLE_DARK);
  g_assert_false (jm_chart_style_from_string ("sepia", &style));
  g_assert_true (jm_chart_palette_from_string ("colorblind", &palette));
  g_assert_cmpint (palette, ==, JM_CHART_PALETTE_COLORBLIND_SAFE);
  g_assert_false (jm_chart_palette_from_string ("rainbow", &palette));
}

/* Cells take the heat colour of their share; unknown periods stay blank. */
static void
test_retention_cells (void)
{
  g_autoptr(JmChartRenderer) chart = render_test_retention ();
  cairo_surface_t *surface = render_test_draw (chart, WIDTH, HEIGHT);
  const JmRetentionGeometry *geometry = jm_retention_renderer_get_geometry (chart);
  JmRetentionRect full;
  JmRetentionRect none;
  JmRetentionRect blank;
  gint index;

  /* Three cohorts and the summary row, periods 0 … 3. */
  g_assert_cmpuint (jm_retention_geometry_get_n_rows (geometry), ==, 4);
  g_assert_cmpuint (jm_retention_geometry_get_n_columns (geometry), ==, 4);

  /* 50 of 50 in week 1 of the third cohort: the top of the scale; 0 of 100 in week 2 of the
   * second: the bottom. Probe near a corner, clear of the text and the rounding.
   */
  full = jm_retention_geometry_get_cell (geometry, 2, 1);
  none = jm_retention_geometry_get_cell (geometry, 1, 2);
  blank = jm_retention_geometry_get_cell (geometry, 1, 3);
  render_test_assert_pixel (surface, full.x0 + 6, full.y0 + 6, light ()->heat_high, 1);
  render_test_assert_pixel (surface, none.x0 + 6, none.y0 + 6, light ()->heat_low, 1);
  render_test_assert_pixel (surface, (blank.x0 + blank.x1) / 2, (blank.y0 + blank.y1) / 2,
                            light ()->background, 0);

  g_assert_cmpfloat_with_epsilon (jm_retention_renderer_get_rate (chart, 0, 1), 0.5, 1e-12);
  g_assert_true (isnan (jm_retention_renderer_get_rate (chart, 1, 3)));
  /* All cohorts, week 1: (100 + 25 + 50) / (200 + 100 + 50); week 3 only the first knows. */
  g_assert_cmpfloat_with_epsilon (jm_retention_renderer_get_rate (chart, 3, 1), 175.0 / 350,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (jm_retention_renderer_get_rate (chart, 3, 3), 0.1, 1e-12);

  g_assert_cmpint (jm_chart_renderer_hit_test (chart, (full.x0 + full.x1) / 2,
                                               (full.y0 + full.y1) / 2, &index), ==,
                   JM_CHART_HIT_NODE);
  g_assert_cmpint (index, ==, 2);
  g_assert_cmpstr (jm_chart_renderer_get_item_name (chart, 2), ==, "2026-06-15");
  cairo_surface_destroy (surface);
}

/* Bars are as long as their credit on one axis, in the model's colour, channels by total. */
static void
test_attribution_bars (void)
{
  g_autoptr(JmChartRenderer) chart = render_test_attribution ();
  cairo_surface_t *surface = render_test_draw (chart, WIDTH, HEIGHT);
  const JmAttributionGeometry *geometry = jm_attribution_renderer_get_geometry (chart);
  JmAttributionRect email_last;
  JmAttributionRect email_first;
  JmAttributionRect social_linear;
  double zero;
  gint index;

  g_assert_cmpuint (jm_attribution_renderer_get_group_item (chart, 0), ==, 1);   /* Email */
  g_assert_cmpuint (jm_attribution_renderer_get_group_item (chart, 1), ==, 0);   /* Direct */
  g_assert_cmpuint (jm_attribution_renderer_get_group_item (chart, 2), ==, 2);   /* Social */
  g_assert_cmpfloat (jm_attribution_geometry_get_axis_max (geometry), ==, 60);

  email_first = jm_attribution_geometry_get_bar (geometry, 0, 0);
  email_last = jm_attribution_geometry_get_bar (geometry, 0, 1);
  social_linear = jm_attribution_geometry_get_bar (geometry, 2, 2);
  zero = jm_attribution_geometry_value_to_x (geometry, 0);
  g_assert_cmpfloat_with_epsilon ((email_first.x1 - zero) / (email_last.x1 - zero), 40.0 / 60,
                                  1e-9);

  render_test_assert_pixel (surface, (email_last.x0 + email_last.x1) / 2,
                            (email_last.y0 + email_last.y1) / 2, light ()->series[1], 1);
  render_test_assert_pixel (surface, (social_linear.x0 + social_linear.x1) / 2,
                            (social_linear.y0 + social_linear.y1) / 2, light ()->series[2], 1);

  g_assert_cmpint (jm_chart_renderer_hit_test (chart, email_last.x0 + 2,
                                               (email_last.y0 + email_last.y1) / 2, &index), ==,
                   JM_CHART_HIT_NODE);
  g_assert_cmpstr (jm_chart_renderer_get_item_name (chart, index), ==, "Email");
  cairo_surface_destroy (surface);
}

/* Nodes are drawn at their layout place; selecting one keeps its flow and fades the rest. */
static void
test_sankey_flow (void)
{
  g_autoptr(JmChartRenderer) chart = render_test_sankey ();
  cairo_surface_t *surface = render_test_draw (chart, WIDTH, HEIGHT);
  const JmSankeyLayout *layout;
  const JmSankeyNode *product;
  const JmSankeyNode *home;
  double ox;
  double oy;
  gint index;
  guint n_links;
  gint product_index;

  layout = jm_sankey_renderer_get_layout (chart, &ox, &oy);
  g_assert_nonnull (layout);
  product_index = jm_chart_renderer_find_item (chart, "Product");
  g_assert_cmpint (product_index, ==, 2);
  product = jm_sankey_layout_get_node (layout, product_index);
  home = jm_sankey_layout_get_node (layout, 0);

  /* Product carries the most flow, so it gets the first colour; Home the second. */
  render_test_assert_pixel (surface, ox + (product->x0 + product->x1) / 2,
                            oy + (product->y0 + product->y1) / 2, light ()->series[0], 1);
  render_test_assert_pixel (surface, ox + (home->x0 + home->x1) / 2,
                            oy + (home->y0 + home->y1) / 2, light ()->series[1], 1);

  g_assert_cmpint (jm_chart_renderer_hit_test (chart, ox + (home->x0 + home->x1) / 2,
                                               oy + (home->y0 + home->y1) / 2, &index), ==,
                   JM_CHART_HIT_NODE);
  g_assert_cmpint (index, ==, 0);
  cairo_surface_destroy (surface);

  /* Home's flow: Home → Product → Cart and Help; not Search's links. */
  jm_chart_renderer_set_selected (chart, 0);
  surface = render_test_draw (chart, WIDTH, HEIGHT);
  n_links = jm_sankey_layout_get_n_links (jm_sankey_renderer_get_layout (chart, NULL, NULL));
  g_assert_cmpuint (n_links, ==, 5);
  g_assert_true (jm_sankey_renderer_link_is_emphasised (chart, 0));    /* Home → Product */
  g_assert_false (jm_sankey_renderer_link_is_emphasised (chart, 1));   /* Search → Product */
  g_assert_true (jm_sankey_renderer_link_is_emphasised (chart, 2));    /* Product → Cart */
  g_assert_true (jm_sankey_renderer_link_is_emphasised (chart, 3));    /* Product → Help */
  g_assert_false (jm_sankey_renderer_link_is_emphasised (chart, 4));   /* Search → Help */

  /* Search is faded: its node, fourth by flow (after Product, Home and Cart), blends into the
   * background.
   */
  {
    const JmSankeyNode *search = jm_sankey_layout_get_node (
      jm_sankey_renderer_get_layout (chart, NULL, NULL), 1);

    render_test_assert_pixel (surface, ox + (search->x0 + search->x1) / 2,
                              oy + (search->y0 + search->y1) / 2,
                              render_test_blend (light ()->series[3], 0.3, light ()->background),
                              2);
  }
  cairo_surface_destroy (surface);
}

static void
test_graph_nodes (void)
{
  g_autoptr(JmChartRenderer) chart = render_test_graph ();
  cairo_surface_t *surface = render_test_draw (chart, WIDTH, HEIGHT);
  const JmGraphLayout *layout;
  const JmGraphNode *home;
  double ox;
  double oy;
  double scale;
  gint index;
  double x;
  double y;

  layout = jm_graph_renderer_get_layout (chart, &ox, &oy, &scale);
  g_assert_cmpuint (jm_graph_layout_get_n_nodes (layout), ==, 5);
  g_assert_cmpfloat (scale, >, 0);
  home = jm_graph_layout_get_node (layout, 1);
  g_assert_cmpstr (home->name, ==, "Home");

  /* Near the box's top left corner, inside it and clear of the label. */
  x = ox + scale * home->x0 + 8;
  y = oy + scale * home->y0 + 4;
  render_test_assert_pixel (surface, x, y, light ()->series[1], 1);
  g_assert_cmpint (jm_chart_renderer_hit_test (chart, x, y, &index), ==, JM_CHART_HIT_NODE);
  g_assert_cmpint (index, ==, 1);
  g_assert_cmpint (jm_chart_renderer_find_item (chart, "Cart"), ==, 3);
  cairo_surface_destroy (surface);
}

/* Bad input gives errors that say what is wrong, never a crash. */
static void
test_errors (void)
{
  const JmFunnelChartStep bad_step[] = { { "A", 10, NAN }, { "B", NAN, NAN } };
  const char *channels[] = { "Direct" };
  const char *models[] = { "Linear" };
  const double negative[] = { -1 };
  g_autoptr(JmChartRenderer) chart = render_test_funnel ();
  g_autoptr(GError) error = NULL;
  JmGraph *graph;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 50, 50);
  cairo_t *cr = cairo_create (surface);

  g_assert_null (jm_funnel_renderer_new (bad_step, 2, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART);
  g_assert_nonnull (strstr (error->message, "step 2"));
  g_clear_error (&error);

  g_assert_null (jm_attribution_renderer_new (channels, 1, models, 1, negative, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART);
  g_assert_nonnull (strstr (error->message, "Direct"));
  g_clear_error (&error);

  graph = jm_graph_new ();
  jm_graph_add_node (graph, "A", 1, JM_GRAPH_PIN_NONE);
  jm_graph_add_edge (graph, 0, 4, 1);
  g_assert_null (jm_graph_renderer_new (graph, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART);
  g_clear_error (&error);

  g_assert_false (jm_chart_renderer_draw (chart, cr, 50, 50, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE);
  g_clear_error (&error);
  g_assert_false (jm_chart_renderer_draw (chart, cr, NAN, 500, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE);
  g_assert_cmpint (jm_chart_renderer_hit_test (chart, 10, 10, NULL), ==, JM_CHART_HIT_NONE);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* The adapters from analyses: a path flow's nodes in their step's column with their counts, a
 * funnel's steps, a journey graph's nodes with START and END pinned.
 */
static void
test_adapters (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("u1 0 A; u1 10 B; u1 30 C;"
                                                  "u2 0 A; u2 20 B;"
                                                  "u3 0 A; u3 5 C",
                                                  FALSE, 0);
  const char *steps[] = { "A", "B", "C", NULL };
  JmPathFlowOptions path_options;
  JmFunnelOptions funnel_options;
  g_autoptr(JmPathFlow) flow = NULL;
  g_autoptr(JmFunnel) funnel = NULL;
  g_autoptr(JmJourneyGraph) graph = NULL;
  g_autoptr(JmChartRenderer) sankey = NULL;
  g_autoptr(JmChartRenderer) funnel_chart = NULL;
  g_autoptr(JmChartRenderer) graph_chart = NULL;
  g_autoptr(GError) error = NULL;
  const JmSankeyLayout *layout;
  const JmFunnelGeometry *geometry;
  cairo_surface_t *surface;

  jm_path_flow_options_init (&path_options);
  path_options.event = "A";
  path_options.steps = 3;
  flow = jm_path_flow_compute (log->units, &path_options, &error);
  g_assert_no_error (error);
  sankey = jm_sankey_renderer_new_for_path_flow (flow);
  g_assert_cmpstr (jm_chart_renderer_get_title (sankey), ==, "Paths from “A”");
  surface = render_test_draw (sankey, WIDTH, HEIGHT);
  cairo_surface_destroy (surface);
  layout = jm_sankey_renderer_get_layout (sankey, NULL, NULL);
  g_assert_cmpuint (jm_sankey_layout_get_n_nodes (layout), ==, jm_path_flow_get_n_nodes (flow));
  for (guint i = 0; i < jm_path_flow_get_n_nodes (flow); i++)
    {
      const JmPathFlowNode *node = jm_path_flow_get_node (flow, i);
      const JmSankeyNode *drawn = jm_sankey_layout_get_node (layout, i);

      g_assert_cmpstr (drawn->name, ==, node->name);
      g_assert_cmpuint (drawn->layer, ==, node->step - 1);
      g_assert_cmpfloat (drawn->value, ==, node->count);
    }

  jm_funnel_options_init (&funnel_options);
  funnel_options.steps = steps;
  funnel = jm_funnel_compute (log->units, &funnel_options, &error);
  g_assert_no_error (error);
  funnel_chart = jm_funnel_renderer_new_for_funnel (funnel);
  surface = render_test_draw (funnel_chart, WIDTH, HEIGHT);
  cairo_surface_destroy (surface);
  geometry = jm_funnel_renderer_get_geometry (funnel_chart);
  g_assert_cmpuint (jm_funnel_geometry_get_n_steps (geometry), ==, 3);
  /* 3 did A, 2 then B, 1 then C. */
  g_assert_cmpfloat (jm_funnel_geometry_get_step (geometry, 1)->value, ==, 2);
  g_assert_cmpfloat (jm_funnel_geometry_get_step (geometry, 2)->value, ==, 1);

  graph = jm_journey_graph_compute (log->units);
  graph_chart = jm_graph_renderer_new_for_journey_graph (graph, 1, 1);
  surface = render_test_draw (graph_chart, WIDTH, HEIGHT);
  cairo_surface_destroy (surface);
  /* A, B, C, and START and END. */
  g_assert_cmpuint (jm_chart_renderer_get_n_items (graph_chart), ==, 5);
  g_assert_cmpint (jm_chart_renderer_find_item (graph_chart, "START"), >=, 0);
  g_assert_cmpint (jm_chart_renderer_find_item (graph_chart, "END"), >=, 0);

  /* Keeping a third of the nodes keeps the busiest one only. */
  g_clear_pointer (&graph_chart, jm_chart_renderer_free);
  graph_chart = jm_graph_renderer_new_for_journey_graph (graph, 0.3, 1);
  g_assert_cmpint (jm_chart_renderer_find_item (graph_chart, "A"), ==, 0);
  g_assert_cmpint (jm_chart_renderer_find_item (graph_chart, "C"), ==, -1);
}

static void
test_formats (void)
{
  g_autofree char *count = NULL;
  g_autofree char *big = NULL;
  g_autofree char *percent = NULL;
  g_autofree char *small = NULL;
  g_autofree char *minutes = NULL;
  g_autofree char *days = NULL;

  count = jm_chart_format_count (1234567);
  big = jm_chart_format_count (12345678);
  percent = jm_chart_format_percent (0.456);
  small = jm_chart_format_percent (0.045);
  minutes = jm_chart_format_duration (150);
  days = jm_chart_format_duration (3 * 86400);

  g_assert_cmpstr (count, ==, "1,234,567");
  g_assert_cmpstr (big, ==, "12.3M");
  g_assert_cmpstr (percent, ==, "46%");
  g_assert_cmpstr (small, ==, "4.5%");
  g_assert_cmpstr (minutes, ==, "2.5 min");
  g_assert_cmpstr (days, ==, "3.0 d");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/render/funnel/colours", test_funnel_colours);
  g_test_add_func ("/jm/render/funnel/selection", test_funnel_selection);
  g_test_add_func ("/jm/render/theme/dark-and-colorblind", test_themes);
  g_test_add_func ("/jm/render/retention/cells", test_retention_cells);
  g_test_add_func ("/jm/render/attribution/bars", test_attribution_bars);
  g_test_add_func ("/jm/render/sankey/flow", test_sankey_flow);
  g_test_add_func ("/jm/render/graph/nodes", test_graph_nodes);
  g_test_add_func ("/jm/render/errors", test_errors);
  g_test_add_func ("/jm/render/adapters", test_adapters);
  g_test_add_func ("/jm/render/formats", test_formats);

  return g_test_run ();
}
