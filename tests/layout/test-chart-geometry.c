/* test-chart-geometry.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "jm-attribution-geometry.h"
#include "jm-funnel-geometry.h"
#include "jm-retention-geometry.h"

/* Bars share one scale, stand on the plot's bottom, and each drop-off reaches the previous
 * step's height.
 */
static void
test_funnel_bars (void)
{
  const double values[] = { 200, 150, 50 };
  g_autoptr(JmFunnelGeometry) geometry = jm_funnel_geometry_compute (values, 3, 10, 20, 300, 100,
                                                                     0.5);
  const JmFunnelGeometryStep *first;
  const JmFunnelGeometryStep *second;
  const JmFunnelGeometryStep *third;

  g_assert_nonnull (geometry);
  first = jm_funnel_geometry_get_step (geometry, 0);
  second = jm_funnel_geometry_get_step (geometry, 1);
  third = jm_funnel_geometry_get_step (geometry, 2);

  g_assert_cmpfloat (first->bar.y0, ==, 20);
  g_assert_cmpfloat (first->bar.y1, ==, 120);
  g_assert_cmpfloat (second->bar.y0, ==, 45);
  g_assert_cmpfloat (third->bar.y0, ==, 95);
  g_assert_cmpfloat (first->dropoff.y1 - first->dropoff.y0, ==, 0);
  g_assert_cmpfloat (second->dropoff.y0, ==, first->bar.y0);
  g_assert_cmpfloat (third->dropoff.y0, ==, second->bar.y0);
  g_assert_cmpfloat (third->dropoff.y1, ==, third->bar.y0);

  /* Three bars and three half-bar gaps fill the width. */
  g_assert_cmpfloat_with_epsilon (first->bar.x1 - first->bar.x0, 300 / 4.5, 1e-9);
  g_assert_cmpfloat (first->column.x0, ==, 10);
  g_assert_cmpfloat_with_epsilon (third->column.x1, 310, 1e-9);
  g_assert_cmpfloat (second->bar.x0, >, first->bar.x1);

  g_assert_cmpint (jm_funnel_geometry_hit_test (geometry, (second->bar.x0 + second->bar.x1) / 2,
                                                100), ==, 1);
  g_assert_cmpint (jm_funnel_geometry_hit_test (geometry, 400, 100), ==, -1);
  g_assert_cmpfloat (jm_funnel_geometry_value_to_y (geometry, 0), ==, 120);
}

static void
test_funnel_refuses (void)
{
  const double bad[] = { 10, -1 };
  const double zero[] = { 0, 0 };
  g_autoptr(JmFunnelGeometry) flat = NULL;

  g_assert_null (jm_funnel_geometry_compute (bad, 2, 0, 0, 100, 100, 0.5));
  g_assert_null (jm_funnel_geometry_compute (zero, 2, 0, 0, 0, 100, 0.5));
  g_assert_null (jm_funnel_geometry_compute (zero, 2, 0, 0, 100, NAN, 0.5));

  /* All zero: flat bars on the bottom, nothing divided by zero. */
  flat = jm_funnel_geometry_compute (zero, 2, 0, 0, 100, 100, 0.5);
  g_assert_cmpfloat (jm_funnel_geometry_get_step (flat, 1)->bar.y0, ==, 100);
}

/* Rows keep at most their maximum height; cells tile the columns with their gaps. */
static void
test_retention_grid (void)
{
  JmRetentionGeometryOptions options = {
    .x = 0, .y = 0, .width = 500, .height = 400, .header_height = 20,
    .row_header_width = 80, .size_column_width = 20, .max_row_height = 30, .gap = 2,
  };
  g_autoptr(JmRetentionGeometry) geometry = jm_retention_geometry_compute (3, 4, &options);
  JmRetentionRect cell;
  JmRetentionRect last;
  JmRetentionRect header;
  gint row;
  gint column;

  g_assert_nonnull (geometry);
  g_assert_cmpfloat (jm_retention_geometry_get_row_height (geometry), ==, 30);
  g_assert_cmpfloat (jm_retention_geometry_get_bottom (geometry), ==, 110);

  cell = jm_retention_geometry_get_cell (geometry, 1, 0);
  g_assert_cmpfloat (cell.x0, ==, 101);
  g_assert_cmpfloat (cell.x1, ==, 199);
  g_assert_cmpfloat (cell.y0, ==, 51);
  g_assert_cmpfloat (cell.y1, ==, 79);
  last = jm_retention_geometry_get_cell (geometry, 2, 3);
  g_assert_cmpfloat (last.x1, ==, 499);
  header = jm_retention_geometry_get_row_header (geometry, 0);
  g_assert_cmpfloat (header.x0, ==, 1);
  g_assert_cmpfloat (header.x1, ==, 79);

  g_assert_true (jm_retention_geometry_hit_test (geometry, 250, 60, &row, &column));
  g_assert_cmpint (row, ==, 1);
  g_assert_cmpint (column, ==, 1);
  g_assert_true (jm_retention_geometry_hit_test (geometry, 30, 100, &row, &column));
  g_assert_cmpint (row, ==, 2);
  g_assert_cmpint (column, ==, -1);
  g_assert_false (jm_retention_geometry_hit_test (geometry, 250, 10, &row, &column));
  g_assert_false (jm_retention_geometry_hit_test (geometry, 250, 200, &row, &column));

  /* Many rows share the height. */
  g_clear_pointer (&geometry, jm_retention_geometry_free);
  geometry = jm_retention_geometry_compute (38, 4, &options);
  g_assert_cmpfloat (jm_retention_geometry_get_row_height (geometry), ==, 10);

  options.row_header_width = 600;
  g_assert_null (jm_retention_geometry_compute (3, 4, &options));
}

/* The axis ends at a nice number; bars are proportional; groups tile the height. */
static void
test_attribution_bars (void)
{
  const double values[] = { 30, 60, 10, 0 };
  g_autoptr(JmAttributionGeometry) geometry = jm_attribution_geometry_compute (values, 2, 2, 100,
                                                                               0, 400, 200, 1);
  JmAttributionRect bar;
  JmAttributionRect group;
  double step;
  gint series;

  g_assert_nonnull (geometry);
  g_assert_cmpfloat (jm_attribution_geometry_get_axis_max (geometry), ==, 60);
  g_assert_cmpuint (jm_attribution_geometry_get_n_ticks (geometry), ==, 7);
  g_assert_cmpfloat (jm_attribution_geometry_get_tick (geometry, 6), ==, 60);

  bar = jm_attribution_geometry_get_bar (geometry, 0, 1);
  g_assert_cmpfloat (bar.x0, ==, 100);
  g_assert_cmpfloat (bar.x1, ==, 500);
  bar = jm_attribution_geometry_get_bar (geometry, 0, 0);
  g_assert_cmpfloat_with_epsilon (bar.x1, 300, 1e-9);
  /* Two groups of two bars and a gap of one bar: bars are 200 / 6 high. */
  g_assert_cmpfloat_with_epsilon (bar.y1 - bar.y0, 200.0 / 6, 1e-9);
  group = jm_attribution_geometry_get_group (geometry, 1);
  g_assert_cmpfloat_with_epsilon (group.y0, 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (group.y1, 200, 1e-9);

  g_assert_cmpint (jm_attribution_geometry_hit_test (geometry, 150, 120, &series), ==, 1);
  g_assert_cmpint (series, ==, 0);
  g_assert_cmpint (jm_attribution_geometry_hit_test (geometry, 150, 250, &series), ==, -1);

  g_assert_cmpfloat (jm_attribution_nice_axis (260, &step), ==, 300);
  g_assert_cmpfloat (step, ==, 50);
  g_assert_cmpfloat (jm_attribution_nice_axis (1000, &step), ==, 1000);
  g_assert_cmpfloat (jm_attribution_nice_axis (0.7, &step), ==, 0.8);
  g_assert_cmpfloat (jm_attribution_nice_axis (0, &step), ==, 1);

  g_assert_null (jm_attribution_geometry_compute ((const double[]) { NAN }, 1, 1, 0, 0, 10, 10,
                                                  1));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/layout/funnel/bars", test_funnel_bars);
  g_test_add_func ("/jm/layout/funnel/refuses", test_funnel_refuses);
  g_test_add_func ("/jm/layout/retention/grid", test_retention_grid);
  g_test_add_func ("/jm/layout/attribution/bars", test_attribution_bars);

  return g_test_run ();
}
