/* test-graph-layout.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "jm-graph-layout.h"

#define EPS 1e-6

static JmGraphLayout *
layout_or_die (JmGraph          *graph,
               JmGraphDirection  direction)
{
  g_autoptr(GError) error = NULL;
  JmGraphLayoutOptions options;
  JmGraphLayout *layout;

  jm_graph_layout_options_init (&options);
  options.direction = direction;
  layout = jm_graph_layout_compute (graph, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layout);

  return layout;
}

static gboolean
on_box (const JmGraphNode *node,
        JmLayoutPoint      p)
{
  return p.x >= node->x0 - EPS && p.x <= node->x1 + EPS &&
         p.y >= node->y0 - EPS && p.y <= node->y1 + EPS &&
         (fabs (p.x - node->x0) < EPS || fabs (p.x - node->x1) < EPS ||
          fabs (p.y - node->y0) < EPS || fabs (p.y - node->y1) < EPS);
}

/* Geometry every drawing must have, whatever the graph. */
static void
check_invariants (JmGraphLayout    *layout,
                  JmGraphDirection  direction)
{
  guint n = jm_graph_layout_get_n_nodes (layout);
  guint m = jm_graph_layout_get_n_edges (layout);
  double width = jm_graph_layout_get_width (layout);
  double height = jm_graph_layout_get_height (layout);

  for (guint v = 0; v < n; v++)
    {
      const JmGraphNode *a = jm_graph_layout_get_node (layout, v);

      g_assert_cmpfloat (a->x0, >=, -EPS);
      g_assert_cmpfloat (a->y0, >=, -EPS);
      g_assert_cmpfloat (a->x1, <=, width + EPS);
      g_assert_cmpfloat (a->y1, <=, height + EPS);
      g_assert_cmpuint (a->layer, <, jm_graph_layout_get_n_layers (layout));

      /* No two boxes overlap; boxes of one layer keep their order. */
      for (guint w = 0; w < v; w++)
        {
          const JmGraphNode *b = jm_graph_layout_get_node (layout, w);
          gboolean apart = a->x1 <= b->x0 + EPS || b->x1 <= a->x0 + EPS ||
                           a->y1 <= b->y0 + EPS || b->y1 <= a->y0 + EPS;

          g_assert_true (apart);
          if (a->layer == b->layer)
            {
              double ca = direction == JM_GRAPH_LEFT_TO_RIGHT ? a->y0 : a->x0;
              double cb = direction == JM_GRAPH_LEFT_TO_RIGHT ? b->y0 : b->x0;

              g_assert_cmpint (a->order < b->order, ==, ca < cb);
            }
          else
            {
              /* Layers follow each other along the flow. */
              double fa = direction == JM_GRAPH_LEFT_TO_RIGHT ? a->x0 : a->y0;
              double fb = direction == JM_GRAPH_LEFT_TO_RIGHT ? b->x0 : b->y0;

              g_assert_cmpint (a->layer < b->layer, ==, fa < fb);
            }
        }
    }

  for (guint e = 0; e < m; e++)
    {
      const JmGraphEdge *edge = jm_graph_layout_get_edge (layout, e);
      const JmGraphNode *source = jm_graph_layout_get_node (layout, edge->source);
      const JmGraphNode *target = jm_graph_layout_get_node (layout, edge->target);

      g_assert_cmpuint (edge->n_points, >=, 4);
      g_assert_cmpuint ((edge->n_points - 1) % 3, ==, 0);
      g_assert_true (on_box (source, edge->points[0]));
      g_assert_true (on_box (target, edge->points[edge->n_points - 1]));
      g_assert_cmpint (edge->self_loop, ==, edge->source == edge->target);
      if (edge->self_loop)
        g_assert_false (edge->back);
      else if (edge->back)
        g_assert_cmpuint (source->layer, >, target->layer);
      else
        g_assert_cmpuint (source->layer, <, target->layer);
      for (guint i = 0; i < edge->n_points; i++)
        {
          g_assert_cmpfloat (edge->points[i].x, >=, -EPS);
          g_assert_cmpfloat (edge->points[i].y, >=, -EPS);
          g_assert_cmpfloat (edge->points[i].x, <=, width + EPS);
          g_assert_cmpfloat (edge->points[i].y, <=, height + EPS);
        }
    }
}

/* A journey graph: START and END, a loop between search and product, a self-loop on cart and a
 * three-step cycle.
 */
static JmGraph *
journey_graph (void)
{
  JmGraph *graph = jm_graph_new ();
  guint start = jm_graph_add_node (graph, "START", 0, JM_GRAPH_PIN_FIRST);
  guint home = jm_graph_add_node (graph, "/home", 1000, JM_GRAPH_PIN_NONE);
  guint search = jm_graph_add_node (graph, "search", 600, JM_GRAPH_PIN_NONE);
  guint product = jm_graph_add_node (graph, "product", 800, JM_GRAPH_PIN_NONE);
  guint cart = jm_graph_add_node (graph, "cart", 300, JM_GRAPH_PIN_NONE);
  guint checkout = jm_graph_add_node (graph, "checkout", 100, JM_GRAPH_PIN_NONE);
  guint end = jm_graph_add_node (graph, "END", 0, JM_GRAPH_PIN_LAST);

  jm_graph_add_edge (graph, start, home, 900);
  jm_graph_add_edge (graph, start, search, 100);
  jm_graph_add_edge (graph, home, search, 500);
  jm_graph_add_edge (graph, home, product, 300);
  jm_graph_add_edge (graph, search, product, 400);
  jm_graph_add_edge (graph, product, search, 150);
  jm_graph_add_edge (graph, product, cart, 250);
  jm_graph_add_edge (graph, cart, cart, 40);
  jm_graph_add_edge (graph, cart, checkout, 90);
  jm_graph_add_edge (graph, checkout, home, 20);
  jm_graph_add_edge (graph, checkout, end, 70);
  jm_graph_add_edge (graph, product, end, 300);
  jm_graph_add_edge (graph, home, end, 100);

  return graph;
}

static void
test_journey (void)
{
  g_autoptr(JmGraph) graph = journey_graph ();
  g_autoptr(JmGraphLayout) layout = layout_or_die (graph, JM_GRAPH_LEFT_TO_RIGHT);
  guint n_back = 0;
  guint last = jm_graph_layout_get_n_layers (layout) - 1;

  check_invariants (layout, JM_GRAPH_LEFT_TO_RIGHT);

  g_assert_cmpuint (jm_graph_layout_get_node (layout, 0)->layer, ==, 0);
  g_assert_cmpuint (jm_graph_layout_get_node (layout, 6)->layer, ==, last);
  for (guint v = 1; v < 6; v++)
    {
      g_assert_cmpuint (jm_graph_layout_get_node (layout, v)->layer, >, 0);
      g_assert_cmpuint (jm_graph_layout_get_node (layout, v)->layer, <, last);
    }

  for (guint e = 0; e < jm_graph_layout_get_n_edges (layout); e++)
    n_back += jm_graph_layout_get_edge (layout, e)->back;
  /* Two cycles (search ⇄ product, home → product → cart → checkout → home) need two back
   * edges; the light ones are reversed, never the heavy search → product.
   */
  g_assert_cmpuint (n_back, ==, 2);
  g_assert_true (jm_graph_layout_get_edge (layout, 5)->back);
  g_assert_false (jm_graph_layout_get_edge (layout, 4)->back);
  g_assert_true (jm_graph_layout_get_edge (layout, 9)->back);
  g_assert_true (jm_graph_layout_get_edge (layout, 7)->self_loop);

  /* Node size by volume, edge width by count. */
  g_assert_cmpfloat (jm_graph_layout_get_node (layout, 1)->y1 -
                     jm_graph_layout_get_node (layout, 1)->y0, >,
                     jm_graph_layout_get_node (layout, 4)->y1 -
                     jm_graph_layout_get_node (layout, 4)->y0);
  g_assert_cmpfloat_with_epsilon (jm_graph_layout_get_node (layout, 1)->y1 -
                                  jm_graph_layout_get_node (layout, 1)->y0, 72.0, EPS);
  g_assert_cmpfloat_with_epsilon (jm_graph_layout_get_edge (layout, 0)->width, 12.0, EPS);
  g_assert_cmpfloat (jm_graph_layout_get_edge (layout, 0)->width, >,
                     jm_graph_layout_get_edge (layout, 9)->width);
}

static void
test_top_to_bottom (void)
{
  g_autoptr(JmGraph) graph = journey_graph ();
  g_autoptr(JmGraphLayout) layout = layout_or_die (graph, JM_GRAPH_TOP_TO_BOTTOM);

  check_invariants (layout, JM_GRAPH_TOP_TO_BOTTOM);
  /* Layers are rows: START above everything, END below. */
  g_assert_cmpfloat (jm_graph_layout_get_node (layout, 0)->y1, <,
                     jm_graph_layout_get_node (layout, 1)->y0);
  g_assert_cmpfloat (jm_graph_layout_get_node (layout, 6)->y0, >,
                     jm_graph_layout_get_node (layout, 5)->y1);
}

static void
test_random_cyclic (void)
{
  for (guint32 seed = 1; seed <= 6; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(JmGraph) graph = jm_graph_new ();
      g_autoptr(JmGraphLayout) layout = NULL;
      guint n = 10 + 8 * seed;

      for (guint v = 0; v < n; v++)
        {
          g_autofree char *name = g_strdup_printf ("event %u", v);

          jm_graph_add_node (graph, name, g_rand_int_range (rand, 1, 1000),
                             v == 0 ? JM_GRAPH_PIN_FIRST
                                    : v == n - 1 ? JM_GRAPH_PIN_LAST : JM_GRAPH_PIN_NONE);
        }
      for (guint e = 0; e < 4 * n; e++)
        jm_graph_add_edge (graph, g_rand_int_range (rand, 0, n - 1),
                           g_rand_int_range (rand, 1, n), g_rand_int_range (rand, 1, 500));
      layout = layout_or_die (graph, seed % 2 ? JM_GRAPH_LEFT_TO_RIGHT : JM_GRAPH_TOP_TO_BOTTOM);
      check_invariants (layout, seed % 2 ? JM_GRAPH_LEFT_TO_RIGHT : JM_GRAPH_TOP_TO_BOTTOM);
    }
}

static void
test_crossings (void)
{
  g_autoptr(JmGraph) graph = jm_graph_new ();
  g_autoptr(JmGraphLayout) layout = NULL;

  /* Crossed in input order, planar once a layer is swapped. */
  jm_graph_add_node (graph, "a", 1, JM_GRAPH_PIN_NONE);
  jm_graph_add_node (graph, "b", 1, JM_GRAPH_PIN_NONE);
  jm_graph_add_node (graph, "c", 1, JM_GRAPH_PIN_NONE);
  jm_graph_add_node (graph, "d", 1, JM_GRAPH_PIN_NONE);
  jm_graph_add_edge (graph, 0, 3, 5);
  jm_graph_add_edge (graph, 1, 2, 5);
  layout = layout_or_die (graph, JM_GRAPH_LEFT_TO_RIGHT);
  check_invariants (layout, JM_GRAPH_LEFT_TO_RIGHT);
  g_assert_cmpfloat (jm_graph_layout_get_weighted_crossings (layout), ==, 0);
  g_assert_cmpint (jm_graph_layout_get_node (layout, 0)->order <
                   jm_graph_layout_get_node (layout, 1)->order, ==,
                   jm_graph_layout_get_node (layout, 3)->order <
                   jm_graph_layout_get_node (layout, 2)->order);
}

static void
test_determinism (void)
{
  g_autoptr(JmGraph) graph = journey_graph ();
  g_autoptr(JmGraphLayout) a = layout_or_die (graph, JM_GRAPH_LEFT_TO_RIGHT);
  g_autoptr(JmGraphLayout) b = layout_or_die (graph, JM_GRAPH_LEFT_TO_RIGHT);

  for (guint v = 0; v < jm_graph_layout_get_n_nodes (a); v++)
    {
      g_assert_cmpfloat (jm_graph_layout_get_node (a, v)->x0, ==,
                         jm_graph_layout_get_node (b, v)->x0);
      g_assert_cmpfloat (jm_graph_layout_get_node (a, v)->y0, ==,
                         jm_graph_layout_get_node (b, v)->y0);
    }
  for (guint e = 0; e < jm_graph_layout_get_n_edges (a); e++)
    g_assert_cmpmem (jm_graph_layout_get_edge (a, e)->points,
                     jm_graph_layout_get_edge (a, e)->n_points * sizeof (JmLayoutPoint),
                     jm_graph_layout_get_edge (b, e)->points,
                     jm_graph_layout_get_edge (b, e)->n_points * sizeof (JmLayoutPoint));
}

static void
test_hit_test (void)
{
  g_autoptr(JmGraph) graph = journey_graph ();
  g_autoptr(JmGraphLayout) layout = layout_or_die (graph, JM_GRAPH_LEFT_TO_RIGHT);
  gint index = 42;

  for (guint v = 0; v < jm_graph_layout_get_n_nodes (layout); v++)
    {
      const JmGraphNode *node = jm_graph_layout_get_node (layout, v);

      g_assert_cmpint (jm_graph_layout_hit_test (layout, (node->x0 + node->x1) / 2,
                                                 (node->y0 + node->y1) / 2, 0, &index),
                       ==, JM_LAYOUT_HIT_NODE);
      g_assert_cmpint (index, ==, (gint) v);
    }

  /* A point on a curve, outside every box, finds an edge through that point. */
  for (guint e = 0; e < jm_graph_layout_get_n_edges (layout); e++)
    {
      const JmGraphEdge *edge = jm_graph_layout_get_edge (layout, e);
      JmLayoutPoint p = jm_layout_bezier_point (edge->points[0], edge->points[1],
                                                edge->points[2], edge->points[3], 0.5);
      JmLayoutHitKind kind = jm_graph_layout_hit_test (layout, p.x, p.y, 1.0, &index);

      if (kind == JM_LAYOUT_HIT_NODE)
        continue;
      g_assert_cmpint (kind, ==, JM_LAYOUT_HIT_LINK);
      g_assert_cmpint (index, >=, 0);
    }

  g_assert_cmpint (jm_graph_layout_hit_test (layout, -50, -50, 2, &index), ==,
                   JM_LAYOUT_HIT_NONE);
  g_assert_cmpint (index, ==, -1);
  g_assert_cmpint (jm_graph_layout_hit_test (layout, 1, 1, 0, NULL), ==, JM_LAYOUT_HIT_NONE);
}

static void
test_errors_and_empty (void)
{
  JmGraphLayoutOptions options;

  jm_graph_layout_options_init (&options);
  {
    g_autoptr(JmGraph) graph = jm_graph_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(JmGraphLayout) layout = NULL;

    jm_graph_add_node (graph, "a", 1, JM_GRAPH_PIN_NONE);
    jm_graph_add_edge (graph, 0, 5, 1);
    layout = jm_graph_layout_compute (graph, &options, &error);
    g_assert_null (layout);
    g_assert_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH);
  }
  {
    g_autoptr(JmGraph) graph = jm_graph_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(JmGraphLayout) layout = NULL;

    jm_graph_add_node (graph, "a", -1, JM_GRAPH_PIN_NONE);
    layout = jm_graph_layout_compute (graph, &options, &error);
    g_assert_null (layout);
    g_assert_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH);
    g_assert_nonnull (strstr (error->message, "“a”"));
  }
  {
    g_autoptr(JmGraph) graph = jm_graph_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(JmGraphLayout) layout = NULL;
    JmGraphLayoutOptions bad = options;

    bad.min_node_breadth = 100;
    layout = jm_graph_layout_compute (graph, &bad, &error);
    g_assert_null (layout);
    g_assert_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_OPTION);
  }
  {
    g_autoptr(JmGraph) graph = jm_graph_new ();
    g_autoptr(JmGraphLayout) layout = layout_or_die (graph, JM_GRAPH_LEFT_TO_RIGHT);

    g_assert_cmpuint (jm_graph_layout_get_n_nodes (layout), ==, 0);
    g_assert_cmpuint (jm_graph_layout_get_n_layers (layout), ==, 0);
    g_assert_cmpint (jm_graph_layout_hit_test (layout, 5, 5, 5, NULL), ==, JM_LAYOUT_HIT_NONE);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/graph-layout/journey", test_journey);
  g_test_add_func ("/jm/graph-layout/top-to-bottom", test_top_to_bottom);
  g_test_add_func ("/jm/graph-layout/random-cyclic", test_random_cyclic);
  g_test_add_func ("/jm/graph-layout/crossings", test_crossings);
  g_test_add_func ("/jm/graph-layout/determinism", test_determinism);
  g_test_add_func ("/jm/graph-layout/hit-test", test_hit_test);
  g_test_add_func ("/jm/graph-layout/errors-and-empty", test_errors_and_empty);

  return g_test_run ();
}
