/* test-sankey-layout.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "jm-sankey-crossings.h"
#include "jm-sankey-layout.h"

#define EPS 1e-6

/* A layered random DAG: `layers` columns of `per_layer` nodes, each node after the first
 * column fed from the previous one, plus extra links, some spanning several columns.
 */
static JmSankeyGraph *
random_graph (guint32 seed,
              guint   layers,
              guint   per_layer,
              guint   extra_links,
              gboolean long_links)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  JmSankeyGraph *graph = jm_sankey_graph_new ();

  for (guint l = 0; l < layers; l++)
    for (guint i = 0; i < per_layer; i++)
      {
        g_autofree char *name = g_strdup_printf ("n%u.%u", l, i);

        jm_sankey_graph_add_node (graph, name);
      }
  for (guint l = 1; l < layers; l++)
    for (guint i = 0; i < per_layer; i++)
      jm_sankey_graph_add_link (graph, (l - 1) * per_layer + g_rand_int_range (rand, 0, per_layer),
                                l * per_layer + i, g_rand_int_range (rand, 1, 100));
  for (guint k = 0; k < extra_links; k++)
    {
      guint l = g_rand_int_range (rand, 0, layers - 1);
      guint span = long_links ? g_rand_int_range (rand, 1, layers - l) : 1;

      jm_sankey_graph_add_link (graph, l * per_layer + g_rand_int_range (rand, 0, per_layer),
                                (l + span) * per_layer + g_rand_int_range (rand, 0, per_layer),
                                g_rand_int_range (rand, 1, 100));
    }

  return graph;
}

static JmSankeyLayout *
layout_or_die (JmSankeyGraph *graph,
               double         width,
               double         height)
{
  g_autoptr(GError) error = NULL;
  JmSankeyOptions options;
  JmSankeyLayout *layout;

  jm_sankey_options_init (&options);
  options.width = width;
  options.height = height;
  layout = jm_sankey_layout_compute (graph, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layout);

  return layout;
}

static int
compare_by_y0 (gconstpointer a,
               gconstpointer b)
{
  const JmSankeyNode *na = *(const JmSankeyNode * const *) a;
  const JmSankeyNode *nb = *(const JmSankeyNode * const *) b;

  return na->y0 < nb->y0 ? -1 : na->y0 > nb->y0 ? 1 : 0;
}

static void
check_invariants (JmSankeyLayout *layout)
{
  guint n = jm_sankey_layout_get_n_nodes (layout);
  guint m = jm_sankey_layout_get_n_links (layout);
  guint n_layers = jm_sankey_layout_get_n_layers (layout);
  double width = jm_sankey_layout_get_width (layout);
  double height = jm_sankey_layout_get_height (layout);
  g_autofree double *in_sum = g_new0 (double, n);
  g_autofree double *out_sum = g_new0 (double, n);
  g_autofree double *in_width = g_new0 (double, n);
  g_autofree double *out_width = g_new0 (double, n);
  double scale = -1.0;

  /* Every node inside the canvas, in its column. */
  for (guint v = 0; v < n; v++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (layout, v);

      g_assert_cmpfloat (node->x0, >=, -EPS);
      g_assert_cmpfloat (node->x1, <=, width + EPS);
      g_assert_cmpfloat (node->y0, >=, -EPS);
      g_assert_cmpfloat (node->y1, <=, height + EPS);
      g_assert_cmpfloat (node->y0, <=, node->y1);
      g_assert_cmpuint (node->layer, <, n_layers);
      if (n_layers > 1)
        g_assert_cmpfloat_with_epsilon (node->x0, node->layer * (width - 24.0) / (n_layers - 1),
                                        EPS);
      if (node->value > 0.0)
        {
          if (scale < 0.0)
            scale = (node->y1 - node->y0) / node->value;
          /* One scale for every node: heights proportional to flow. */
          g_assert_cmpfloat_with_epsilon ((node->y1 - node->y0) / node->value, scale, 1e-9);
        }
    }

  /* No overlap within a column. */
  for (guint c = 0; c < n_layers; c++)
    {
      g_autoptr(GPtrArray) column = g_ptr_array_new ();

      for (guint v = 0; v < n; v++)
        if (jm_sankey_layout_get_node (layout, v)->layer == c)
          g_ptr_array_add (column, (gpointer) jm_sankey_layout_get_node (layout, v));
      g_ptr_array_sort (column, compare_by_y0);
      for (guint i = 1; i < column->len; i++)
        {
          const JmSankeyNode *above = g_ptr_array_index (column, i - 1);
          const JmSankeyNode *below = g_ptr_array_index (column, i);

          g_assert_cmpfloat (above->y1, <=, below->y0 + EPS);
          g_assert_cmpuint (above->order, <, below->order);
        }
    }

  /* Links attached inside their nodes, bands of one node disjoint, widths by value. */
  for (guint l = 0; l < m; l++)
    {
      const JmSankeyLink *link = jm_sankey_layout_get_link (layout, l);
      const JmSankeyNode *source = jm_sankey_layout_get_node (layout, link->source);
      const JmSankeyNode *target = jm_sankey_layout_get_node (layout, link->target);

      g_assert_cmpfloat (link->y0 - link->width / 2.0, >=, source->y0 - EPS);
      g_assert_cmpfloat (link->y0 + link->width / 2.0, <=, source->y1 + EPS);
      g_assert_cmpfloat (link->y1 - link->width / 2.0, >=, target->y0 - EPS);
      g_assert_cmpfloat (link->y1 + link->width / 2.0, <=, target->y1 + EPS);
      g_assert_cmpuint (source->layer, <, target->layer);
      if (scale > 0.0)
        g_assert_cmpfloat_with_epsilon (link->width, link->value * scale, 1e-9);
      g_assert_cmpuint (link->n_points, ==, 2 * (target->layer - source->layer));
      g_assert_cmpfloat_with_epsilon (link->points[0].x, source->x1, EPS);
      g_assert_cmpfloat_with_epsilon (link->points[0].y, link->y0, EPS);
      g_assert_cmpfloat_with_epsilon (link->points[link->n_points - 1].x, target->x0, EPS);
      g_assert_cmpfloat_with_epsilon (link->points[link->n_points - 1].y, link->y1, EPS);

      out_sum[link->source] += link->value;
      in_sum[link->target] += link->value;
      out_width[link->source] += link->width;
      in_width[link->target] += link->width;

      for (guint k = 0; k < l; k++)
        {
          const JmSankeyLink *other = jm_sankey_layout_get_link (layout, k);

          if (other->source == link->source)
            g_assert_true (fabs (other->y0 - link->y0) + EPS >=
                           (other->width + link->width) / 2.0);
          if (other->target == link->target)
            g_assert_true (fabs (other->y1 - link->y1) + EPS >=
                           (other->width + link->width) / 2.0);
        }
    }

  /* Flow conservation: a node's value is the larger of its inflow and outflow, and its bands
   * fit in it.
   */
  for (guint v = 0; v < n; v++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (layout, v);

      g_assert_cmpfloat (node->value, >=, MAX (in_sum[v], out_sum[v]) - EPS);
      g_assert_cmpfloat (in_width[v], <=, node->y1 - node->y0 + EPS);
      g_assert_cmpfloat (out_width[v], <=, node->y1 - node->y0 + EPS);
    }
}

static void
test_invariants (void)
{
  const struct { guint layers, per_layer, extra; gboolean long_links; } cases[] = {
    { 2, 3, 4, FALSE },
    { 5, 8, 40, FALSE },
    { 6, 10, 60, TRUE },
    { 12, 20, 300, TRUE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (guint32 seed = 1; seed <= 5; seed++)
      {
        g_autoptr(JmSankeyGraph) graph = random_graph (seed, cases[c].layers, cases[c].per_layer,
                                                       cases[c].extra, cases[c].long_links);
        g_autoptr(JmSankeyLayout) layout = layout_or_die (graph, 1000.0, 700.0);

        check_invariants (layout);
      }
}

static double
naive_crossings (const JmCrossingSegment *segments,
                 guint                    n)
{
  double total = 0.0;

  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      if (segments[i].gap == segments[j].gap &&
          (segments[i].y_left - segments[j].y_left) * (segments[i].y_right - segments[j].y_right)
          < 0.0)
        total += segments[i].value * segments[j].value;

  return total;
}

static void
test_counter (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < 50; round++)
    {
      guint n = g_rand_int_range (rand, 0, 80);
      g_autofree JmCrossingSegment *segments = g_new (JmCrossingSegment, MAX (n, 1));
      double expected;

      /* Few distinct positions, so ties on either side are common. */
      for (guint i = 0; i < n; i++)
        segments[i] = (JmCrossingSegment) {
          .gap = g_rand_int_range (rand, 0, 3),
          .y_left = g_rand_int_range (rand, 0, 6),
          .y_right = g_rand_int_range (rand, 0, 6),
          .value = g_rand_int_range (rand, 1, 10),
        };
      expected = naive_crossings (segments, n);
      g_assert_cmpfloat (jm_count_weighted_crossings (segments, n), ==, expected);
    }
}

/* Builds a graph from "a>b:value" specs over named nodes created in the order given. */
static JmSankeyGraph *
graph_from_spec (const char * const *nodes,
                 const char * const *links)
{
  JmSankeyGraph *graph = jm_sankey_graph_new ();

  for (guint i = 0; nodes[i] != NULL; i++)
    jm_sankey_graph_add_node (graph, nodes[i]);
  for (guint i = 0; links[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit_set (links[i], ">:", 3);
      gint source = jm_sankey_graph_find_node (graph, parts[0]);
      gint target = jm_sankey_graph_find_node (graph, parts[1]);

      g_assert_cmpint (source, >=, 0);
      g_assert_cmpint (target, >=, 0);
      jm_sankey_graph_add_link (graph, source, target, g_ascii_strtod (parts[2], NULL));
    }

  return graph;
}

static void
test_known_optimum (void)
{
  const struct
  {
    const char *nodes[10];
    const char *links[16];
    double      optimum;
  } cases[] = {
    /* Input order crossed; swapping a column removes it. */
    { { "A", "B", "C", "D", NULL }, { "A>D:3", "B>C:2", NULL }, 0 },
    /* K2,2: one crossing is unavoidable; the light pair must be the one crossing. */
    { { "A", "B", "C", "D", NULL }, { "A>C:1", "A>D:5", "B>C:5", "B>D:1", NULL }, 1 },
    { { "A", "B", "C", "D", NULL }, { "A>C:5", "A>D:1", "B>C:1", "B>D:5", NULL }, 1 },
    /* Three columns, crossed twice in input order, planar when reordered. */
    { { "A", "B", "C", "D", "E", "F", NULL },
      { "A>D:1", "B>C:1", "C>F:4", "D>E:4", NULL }, 0 },
    /* A long link over a column, crossed by the short ones unless it is routed around them. */
    { { "A", "B", "C", "X", "Y", "Z", NULL },
      { "A>B:2", "B>C:2", "X>C:1", "X>Y:3", "Y>Z:3", NULL }, 0 },
    /* A hub whose heavy outflow must stay uncrossed: the best drawing crosses only the weight-1
     * stray link with one weight-2 link.
     */
    { { "S", "T", "a", "b", "c", NULL },
      { "S>a:2", "S>b:2", "S>c:2", "T>b:1", NULL }, 0 },
    { { "P", "Q", "u", "v", NULL },
      { "P>u:2", "P>v:2", "Q>u:1", "Q>v:1", NULL }, 2 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JmSankeyGraph) graph = graph_from_spec (cases[c].nodes, cases[c].links);
      g_autoptr(JmSankeyLayout) layout = layout_or_die (graph, 600.0, 400.0);

      g_test_message ("case %u", c);
      check_invariants (layout);
      g_assert_cmpfloat (jm_sankey_layout_get_weighted_crossings (layout), ==, cases[c].optimum);
    }
}

static void
test_crossings_are_geometric (void)
{
  g_autoptr(JmSankeyGraph) graph = random_graph (7, 6, 10, 60, TRUE);
  g_autoptr(JmSankeyLayout) layout = layout_or_die (graph, 1000.0, 700.0);
  g_autoptr(GArray) segments = g_array_new (FALSE, FALSE, sizeof (JmCrossingSegment));
  double step = (1000.0 - 24.0) / (jm_sankey_layout_get_n_layers (layout) - 1);

  /* Recount from the published geometry alone: the reported figure must agree. */
  for (guint l = 0; l < jm_sankey_layout_get_n_links (layout); l++)
    {
      const JmSankeyLink *link = jm_sankey_layout_get_link (layout, l);

      for (guint p = 0; p + 1 < link->n_points; p += 2)
        {
          JmCrossingSegment segment = {
            .gap = (guint) floor (link->points[p].x / step + 1e-9),
            .y_left = link->points[p].y,
            .y_right = link->points[p + 1].y,
            .value = link->value,
          };

          g_array_append_val (segments, segment);
        }
    }
  g_assert_cmpfloat_with_epsilon (jm_count_weighted_crossings ((JmCrossingSegment *) segments->data,
                                                               segments->len),
                                  jm_sankey_layout_get_weighted_crossings (layout), 1e-6);
  g_assert_cmpfloat (jm_sankey_layout_get_weighted_crossings (layout), >, 0.0);
}

static void
test_determinism (void)
{
  g_autoptr(JmSankeyGraph) graph = random_graph (3, 8, 15, 200, TRUE);
  g_autoptr(JmSankeyLayout) a = layout_or_die (graph, 900.0, 900.0);
  g_autoptr(JmSankeyLayout) b = layout_or_die (graph, 900.0, 900.0);

  for (guint v = 0; v < jm_sankey_layout_get_n_nodes (a); v++)
    {
      const JmSankeyNode *na = jm_sankey_layout_get_node (a, v);
      const JmSankeyNode *nb = jm_sankey_layout_get_node (b, v);

      g_assert_cmpuint (na->order, ==, nb->order);
      g_assert_cmpfloat (na->y0, ==, nb->y0);
      g_assert_cmpfloat (na->y1, ==, nb->y1);
    }
  for (guint l = 0; l < jm_sankey_layout_get_n_links (a); l++)
    {
      g_assert_cmpfloat (jm_sankey_layout_get_link (a, l)->y0, ==,
                         jm_sankey_layout_get_link (b, l)->y0);
      g_assert_cmpfloat (jm_sankey_layout_get_link (a, l)->y1, ==,
                         jm_sankey_layout_get_link (b, l)->y1);
    }
  g_assert_cmpfloat (jm_sankey_layout_get_weighted_crossings (a), ==,
                     jm_sankey_layout_get_weighted_crossings (b));
}

/* A small change of one value must not reshuffle the diagram. */
static void
test_stability (void)
{
  const char *nodes[] = { "home", "search", "product", "cart", "product2", "checkout", "exit",
                          NULL };
  const char *links_a[] = { "home>search:40", "home>product:35", "search>product2:30",
                            "product>cart:20", "product>exit:15", "search>exit:10",
                            "product2>checkout:18", "cart>checkout:12", NULL };
  const char *links_b[] = { "home>search:41", "home>product:35", "search>product2:30",
                            "product>cart:20", "product>exit:15", "search>exit:10",
                            "product2>checkout:18", "cart>checkout:12", NULL };
  g_autoptr(JmSankeyGraph) ga = graph_from_spec (nodes, links_a);
  g_autoptr(JmSankeyGraph) gb = graph_from_spec (nodes, links_b);
  g_autoptr(JmSankeyLayout) a = layout_or_die (ga, 800.0, 500.0);
  g_autoptr(JmSankeyLayout) b = layout_or_die (gb, 800.0, 500.0);

  for (guint v = 0; v < jm_sankey_layout_get_n_nodes (a); v++)
    {
      const JmSankeyNode *na = jm_sankey_layout_get_node (a, v);
      const JmSankeyNode *nb = jm_sankey_layout_get_node (b, v);

      g_assert_cmpuint (na->order, ==, nb->order);
      g_assert_cmpfloat (fabs ((na->y0 + na->y1) / 2.0 - (nb->y0 + nb->y1) / 2.0), <, 15.0);
    }
}

static void
test_pinned_layers (void)
{
  g_autoptr(JmSankeyGraph) graph = jm_sankey_graph_new ();
  g_autoptr(JmSankeyLayout) layout = NULL;
  guint a = jm_sankey_graph_add_node_in_layer (graph, "late start", 2);
  guint b = jm_sankey_graph_add_node_in_layer (graph, "anchor", 4);
  guint c = jm_sankey_graph_add_node_in_layer (graph, "first", 0);
  guint d = jm_sankey_graph_add_node (graph, "free");

  jm_sankey_graph_add_link (graph, a, b, 5);
  jm_sankey_graph_add_link (graph, c, d, 7);
  jm_sankey_graph_add_link (graph, d, b, 7);
  jm_sankey_graph_set_node_value (graph, b, 20);
  layout = layout_or_die (graph, 500.0, 300.0);
  check_invariants (layout);

  g_assert_cmpuint (jm_sankey_layout_get_n_layers (layout), ==, 5);
  g_assert_cmpuint (jm_sankey_layout_get_node (layout, a)->layer, ==, 2);
  g_assert_cmpuint (jm_sankey_layout_get_node (layout, b)->layer, ==, 4);
  g_assert_cmpuint (jm_sankey_layout_get_node (layout, d)->layer, ==, 1);
  /* The set value wins over the inflow (12); the column is scaled to it. */
  g_assert_cmpfloat (jm_sankey_layout_get_node (layout, b)->value, ==, 20);
  g_assert_cmpfloat_with_epsilon (jm_sankey_layout_get_node (layout, b)->y1 -
                                  jm_sankey_layout_get_node (layout, b)->y0, 300.0, EPS);
  g_assert_cmpfloat_with_epsilon (jm_sankey_layout_get_node (layout, b)->x1, 500.0, EPS);
}

static void
test_errors (void)
{
  const struct { const char *nodes[4]; const char *links[4]; const char *needle; } cases[] = {
    { { "a", "b", "c", NULL }, { "a>b:1", "b>c:1", "c>a:1", NULL }, "cycle" },
    { { "a", "b", NULL }, { "a>a:1", NULL }, "itself" },
    { { "a", "b", NULL }, { "a>b:-1", NULL }, "-1" },
    { { "a", "b", NULL }, { "a>b:nan", NULL }, "nan" },
  };
  JmSankeyOptions options;

  jm_sankey_options_init (&options);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JmSankeyGraph) graph = graph_from_spec (cases[c].nodes, cases[c].links);
      g_autoptr(GError) error = NULL;
      g_autoptr(JmSankeyLayout) layout = jm_sankey_layout_compute (graph, &options, &error);

      g_assert_null (layout);
      g_assert_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH);
      g_assert_nonnull (strstr (error->message, cases[c].needle));
    }

  {
    g_autoptr(JmSankeyGraph) graph = jm_sankey_graph_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(JmSankeyLayout) layout = NULL;

    jm_sankey_graph_add_node (graph, "a");
    jm_sankey_graph_add_link (graph, 0, 3, 1);
    layout = jm_sankey_layout_compute (graph, &options, &error);
    g_assert_null (layout);
    g_assert_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH);
  }
  {
    g_autoptr(JmSankeyGraph) graph = jm_sankey_graph_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(JmSankeyLayout) layout = NULL;

    jm_sankey_graph_add_node_in_layer (graph, "late", 3);
    jm_sankey_graph_add_node_in_layer (graph, "early", 1);
    jm_sankey_graph_add_link (graph, 0, 1, 1);
    layout = jm_sankey_layout_compute (graph, &options, &error);
    g_assert_null (layout);
    g_assert_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH);
    g_assert_nonnull (strstr (error->message, "later column"));
  }
  {
    g_autoptr(JmSankeyGraph) graph = jm_sankey_graph_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(JmSankeyLayout) layout = NULL;
    JmSankeyOptions bad = options;

    bad.height = -5;
    layout = jm_sankey_layout_compute (graph, &bad, &error);
    g_assert_null (layout);
    g_assert_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_OPTION);
  }
}

static void
test_empty_and_chain (void)
{
  g_autoptr(JmSankeyGraph) empty = jm_sankey_graph_new ();
  g_autoptr(JmSankeyLayout) nothing = layout_or_die (empty, 100.0, 100.0);
  g_autoptr(JmSankeyGraph) chain = jm_sankey_graph_new ();
  g_autoptr(JmSankeyLayout) layout = NULL;

  g_assert_cmpuint (jm_sankey_layout_get_n_nodes (nothing), ==, 0);
  g_assert_cmpuint (jm_sankey_layout_get_n_layers (nothing), ==, 0);
  g_assert_cmpint (jm_sankey_layout_node_at (nothing, 50, 50), ==, -1);

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *name = g_strdup_printf ("step %u", i);

      jm_sankey_graph_add_node (chain, name);
      if (i > 0)
        jm_sankey_graph_add_link (chain, i - 1, i, 10);
    }
  layout = layout_or_die (chain, 20000.0, 300.0);
  check_invariants (layout);
  g_assert_cmpuint (jm_sankey_layout_get_n_layers (layout), ==, 1000);
  g_assert_cmpfloat (jm_sankey_layout_get_weighted_crossings (layout), ==, 0);
  g_assert_cmpfloat_with_epsilon (jm_sankey_layout_get_node (layout, 500)->y1 -
                                  jm_sankey_layout_get_node (layout, 500)->y0, 300.0, EPS);
}

static void
test_hit_test (void)
{
  const char *nodes[] = { "A", "B", "C", "D", "E", NULL };
  const char *links[] = { "A>B:10", "B>C:10", "A>C:5", "D>E:5", NULL };
  g_autoptr(JmSankeyGraph) graph = graph_from_spec (nodes, links);
  g_autoptr(JmSankeyLayout) layout = layout_or_die (graph, 600.0, 400.0);
  const JmSankeyNode *b = NULL;
  gint index = 42;

  for (guint v = 0; v < jm_sankey_layout_get_n_nodes (layout); v++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (layout, v);

      g_assert_cmpint (jm_sankey_layout_hit_test (layout, (node->x0 + node->x1) / 2,
                                                  (node->y0 + node->y1) / 2, &index),
                       ==, JM_LAYOUT_HIT_NODE);
      g_assert_cmpint (index, ==, (gint) v);
    }

  for (guint l = 0; l < jm_sankey_layout_get_n_links (layout); l++)
    {
      const JmSankeyLink *link = jm_sankey_layout_get_link (layout, l);

      /* The middle of every piece of the band, straight runs over a column included. */
      for (guint p = 0; p + 1 < link->n_points; p++)
        {
          double x = (link->points[p].x + link->points[p + 1].x) / 2;
          double y = jm_layout_flow_curve_y_at (link->points[p], link->points[p + 1], x);

          g_assert_cmpint (jm_sankey_layout_link_at (layout, x, y), ==, (gint) l);
          g_assert_cmpint (jm_sankey_layout_link_at (layout, x, y + link->width / 2 + 0.5),
                           !=, (gint) l);
        }
    }

  b = jm_sankey_layout_get_node (layout, 1);
  g_assert_cmpint (jm_sankey_layout_hit_test (layout, b->x1 + 1e-3, b->y1 + 3.9, &index), ==,
                   JM_LAYOUT_HIT_NONE);
  g_assert_cmpint (index, ==, -1);
  g_assert_cmpint (jm_sankey_layout_hit_test (layout, -1, 10, &index), ==, JM_LAYOUT_HIT_NONE);
  g_assert_cmpint (jm_sankey_layout_hit_test (layout, 700, 10, NULL), ==, JM_LAYOUT_HIT_NONE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/sankey-layout/invariants", test_invariants);
  g_test_add_func ("/jm/sankey-layout/crossing-counter", test_counter);
  g_test_add_func ("/jm/sankey-layout/known-optimum", test_known_optimum);
  g_test_add_func ("/jm/sankey-layout/crossings-match-geometry", test_crossings_are_geometric);
  g_test_add_func ("/jm/sankey-layout/determinism", test_determinism);
  g_test_add_func ("/jm/sankey-layout/stability", test_stability);
  g_test_add_func ("/jm/sankey-layout/pinned-layers", test_pinned_layers);
  g_test_add_func ("/jm/sankey-layout/errors", test_errors);
  g_test_add_func ("/jm/sankey-layout/empty-and-chain", test_empty_and_chain);
  g_test_add_func ("/jm/sankey-layout/hit-test", test_hit_test);

  return g_test_run ();
}
