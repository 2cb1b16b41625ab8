/* bench-render.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Render time per frame of a 1,000-link Sankey diagram on a 1600 × 1000 image surface: six
 * columns of 30 touchpoints, 1,000 links between adjacent columns (log-uniform values 1–1000,
 * seeded), drop-offs and labels as the application draws them. The layout is computed by the
 * first draw and kept, as in the widget, so the frames measure drawing alone (the first draw,
 * layout included, is reported apart). Two kinds of frame: everything drawn (the palette
 * alternates, so the bands are drawn anew: what a selection or theme change costs), and a
 * redraw with nothing changed, where the renderer reuses its image of the bands (what a
 * tooltip, hover or scroll costs). Both again with a selected node, whose flow is emphasised
 * and labelled. Prints best and median milliseconds per frame.
 */

#define G_LOG_DOMAIN "jm-bench"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "jm-sankey-renderer.h"

#define WIDTH 1600
#define HEIGHT 1000
#define N_LAYERS 6
#define PER_LAYER 30
#define N_LINKS 1000
#define FRAMES 60

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static JmChartRenderer *
build_chart (guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GHashTable) pairs = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), N_LINKS);
  JmSankeyGraph *graph = jm_sankey_graph_new ();
  JmChartRenderer *chart;
  guint n_links = 0;

  for (guint l = 0; l < N_LAYERS; l++)
    for (guint i = 0; i < PER_LAYER; i++)
      {
        g_autofree char *name = g_strdup_printf ("/page/%u", (i * 7 + l * 3) % 40);

        jm_sankey_graph_add_node_in_layer (graph, name, l);
      }

  /* Distinct (source, target) pairs between adjacent columns. */
  g_array_set_size (keys, N_LINKS);
  while (n_links < N_LINKS)
    {
      guint layer = g_rand_int_range (rand, 0, N_LAYERS - 1);
      guint source = layer * PER_LAYER + g_rand_int_range (rand, 0, PER_LAYER);
      guint target = (layer + 1) * PER_LAYER + g_rand_int_range (rand, 0, PER_LAYER);
      gint64 *key = &g_array_index (keys, gint64, n_links);

      *key = (gint64) source << 32 | target;
      if (g_hash_table_contains (pairs, key))
        continue;
      g_hash_table_add (pairs, key);
      jm_sankey_graph_add_link (graph, source, target, exp (g_rand_double_range (rand, 0,
                                                                               log (1000))));
      n_links++;
    }

  chart = jm_sankey_renderer_new (graph, 0);
  for (guint i = 0; i < N_LAYERS * PER_LAYER; i++)
    jm_sankey_renderer_set_node_dropoff (chart, i, g_rand_double_range (rand, 0, 200));
  for (guint i = 0; i < N_LINKS; i++)
    jm_sankey_renderer_set_link_median (chart, i, g_rand_double_range (rand, 5, 3600));
  jm_chart_renderer_set_title (chart, "Paths from “/”");

  return chart;
}

/* With `redraw_all`, every frame switches between two palettes, so the bands are drawn anew
 * each time instead of coming from the renderer's image of them.
 */
static void
measure (JmChartRenderer *chart,
         cairo_t         *cr,
         gboolean         redraw_all,
         const char      *label)
{
  double times[FRAMES];

  for (guint f = 0; f < FRAMES; f++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start;

      if (redraw_all)
        jm_chart_renderer_set_theme (chart, jm_chart_theme_get (JM_CHART_STYLE_LIGHT, (f + 1) % 2));
      start = g_get_monotonic_time ();

      if (!jm_chart_renderer_draw (chart, cr, WIDTH, HEIGHT, &error))
        g_error ("draw: %s", error->message);
      cairo_surface_flush (cairo_get_target (cr));
      times[f] = (g_get_monotonic_time () - start) / 1000.0;
    }
  qsort (times, FRAMES, sizeof (double), compare_doubles);
  g_print ("%-38s best %7.2f ms   median %7.2f ms   (%d frames)\n", label, times[0],
           (times[FRAMES / 2 - 1] + times[FRAMES / 2]) / 2, FRAMES);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JmChartRenderer) chart = build_chart (42);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_print ("Sankey render: %d links, %d nodes, %dx%d image surface\n", N_LINKS,
           N_LAYERS * PER_LAYER, WIDTH, HEIGHT);

  start = g_get_monotonic_time ();
  if (!jm_chart_renderer_draw (chart, cr, WIDTH, HEIGHT, &error))
    g_error ("draw: %s", error->message);
  g_print ("%-38s %7.2f ms\n", "first draw (layout + render)",
           (g_get_monotonic_time () - start) / 1000.0);

  measure (chart, cr, TRUE, "frame, every band drawn");
  measure (chart, cr, FALSE, "frame, bands reused (widget redraw)");
  jm_chart_renderer_set_selected (chart, 2 * PER_LAYER + 5);
  measure (chart, cr, TRUE, "selected flow, every band drawn");
  measure (chart, cr, FALSE, "selected flow, bands reused");

  if (argc > 1)
    {
      cairo_surface_write_to_png (surface, argv[1]);
      g_print ("last frame written to %s\n", argv[1]);
    }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  return 0;
}
