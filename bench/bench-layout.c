/* bench-layout.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sankey layout: time and weighted crossings on seeded random layered DAGs of 50, 200 and
 * 2,000 nodes with five times as many links (links between adjacent columns, log-uniform
 * values 1–1000, five seeds each) and on a 50,000-node chain; and d3-sankey (run under Node
 * with the same extent, node width and padding, "left" alignment) on the same graphs in the same
 * run, its crossings counted from its positions by our counter. Times are medians of several
 * runs of the layout call alone, wall clock (and for ours also the thread's CPU time, which a
 * busy machine does not inflate) (d3-sankey's single run on the chain is bounded, see below). d3-sankey is installed with npm into a scratch folder of the
 * build tree on first use; without Node or npm the comparison is skipped with a note.
 */

#define G_LOG_DOMAIN "jm-bench"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "jm-sankey-crossings.h"
#include "jm-sankey-layout.h"

#define NODE_WIDTH 24.0
#define NODE_PADDING 8.0

typedef struct
{
  const char *label;
  guint       n_nodes;
  guint       n_layers;   /* 0: a chain */
  double      width;
  double      height;
  guint       runs;
} BenchCase;

static const BenchCase cases[] = {
  { "dag-50", 50, 5, 1200.0, 600.0, 41 },
  { "dag-200", 200, 8, 1200.0, 800.0, 21 },
  { "dag-2000", 2000, 20, 2400.0, 2400.0, 7 },
  { "chain-50000", 50000, 0, 200000.0, 600.0, 7 },
};

#define N_SEEDS 5

typedef struct
{
  char      *prefix;    /* holds node_modules/d3-sankey */
  char      *node;
  char      *runner;
  char      *timeout;   /* coreutils' timeout, to bound a run */
  gboolean   ready;
} D3;

/* d3-sankey assigns columns by repeated passes over all nodes, quadratic on a long chain: its
 * run on the chain is bounded.
 */
#define D3_CHAIN_LIMIT_S 120

static double
thread_cpu_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);

  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (double *values,
        guint   n)
{
  if (n == 0)
    return NAN;
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/* The graph both as our input and as d3-sankey's JSON. */
static JmSankeyGraph *
make_graph (const BenchCase *bench,
            guint32          seed,
            GString         *json)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GHashTable) pairs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                                NULL);
  JmSankeyGraph *graph = jm_sankey_graph_new ();
  guint n = bench->n_nodes;
  guint per_layer = bench->n_layers > 0 ? n / bench->n_layers : 1;
  guint n_links = bench->n_layers > 0 ? 5 * n : n - 1;
  gboolean first_link = TRUE;

  g_string_assign (json, "{\"nodes\":[");
  for (guint v = 0; v < n; v++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", v);

      jm_sankey_graph_add_node (graph, name);
      g_string_append_printf (json, "%s{\"name\":\"%s\"}", v > 0 ? "," : "", name);
    }
  g_string_append (json, "],\"links\":[");

  for (guint k = 0; k < n_links; k++)
    {
      guint source;
      guint target;
      double value = floor (exp (g_rand_double (rand) * log (1000.0)));

      if (bench->n_layers == 0)
        {
          source = k;
          target = k + 1;
        }
      else
        {
          /* First every node after the first column gets one link from the column before,
           * so its column is its depth for both layouts; then random pairs of adjacent
           * columns, each pair once.
           */
          do
            {
              guint layer;

              if (k < n - per_layer)
                {
                  target = per_layer + k;
                  layer = target / per_layer;
                }
              else
                {
                  layer = g_rand_int_range (rand, 1, bench->n_layers);
                  target = layer * per_layer + g_rand_int_range (rand, 0, per_layer);
                }
              source = (layer - 1) * per_layer + g_rand_int_range (rand, 0, per_layer);
            }
          while (g_hash_table_contains (pairs, &(gint64) { (gint64) source * n + target }));
          {
            gint64 *key = g_new (gint64, 1);

            *key = (gint64) source * n + target;
            g_hash_table_add (pairs, key);
          }
        }
      jm_sankey_graph_add_link (graph, source, target, value);
      g_string_append_printf (json, "%s{\"source\":%u,\"target\":%u,\"value\":%g}",
                              first_link ? "" : ",", source, target, value);
      first_link = FALSE;
    }
  g_string_append (json, "]}");

  return graph;
}

/* Runs npm once into the scratch folder when d3-sankey is not there yet. */
static void
d3_prepare (D3 *d3)
{
  g_autofree char *module = NULL;
  g_autofree char *npm = NULL;
  g_autofree char *package = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *target = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  int status = 0;

  d3->prefix = g_strdup (g_getenv ("JM_BENCH_D3_PREFIX") != NULL ? g_getenv ("JM_BENCH_D3_PREFIX")
                                                                  : BENCH_D3_SCRATCH);
  d3->runner = g_build_filename (BENCH_D3_SOURCE, "sankey-runner.mjs", NULL);
  d3->node = g_find_program_in_path ("node");
  d3->timeout = g_find_program_in_path ("timeout");
  if (d3->node == NULL)
    {
      g_print ("d3-sankey: skipped, Node.js (node) is not installed\n");
      return;
    }

  module = g_build_filename (d3->prefix, "node_modules", "d3-sankey", "package.json", NULL);
  if (!g_file_test (module, G_FILE_TEST_EXISTS))
    {
      npm = g_find_program_in_path ("npm");
      if (npm == NULL)
        {
          g_print ("d3-sankey: skipped, the module is missing and npm is not installed\n");
          return;
        }
      package = g_build_filename (BENCH_D3_SOURCE, "package.json", NULL);
      target = g_build_filename (d3->prefix, "package.json", NULL);
      if (g_mkdir_with_parents (d3->prefix, 0755) != 0 ||
          !g_file_get_contents (package, &contents, &length, &error) ||
          !g_file_set_contents (target, contents, length, &error))
        {
          g_print ("d3-sankey: skipped, cannot prepare %s: %s\n", d3->prefix,
                   error != NULL ? error->message : g_strerror (errno));
          return;
        }
      g_print ("d3-sankey: installing with npm into %s\n", d3->prefix);
      {
        const char *argv[] = { npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                               NULL };

        if (!g_spawn_sync (d3->prefix, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                           NULL, NULL, &err, &status, &error) ||
            !g_spawn_check_wait_status (status, &error))
          {
            g_print ("d3-sankey: skipped, npm install failed: %s %s\n",
                     error != NULL ? error->message : "", err != NULL ? g_strstrip (err) : "");
            return;
          }
      }
      if (!g_file_test (module, G_FILE_TEST_EXISTS))
        {
          g_print ("d3-sankey: skipped, npm install did not provide the module\n");
          return;
        }
    }

  d3->ready = TRUE;
}

typedef struct
{
  double time_ms;
  double crossings;
} D3Result;

static gboolean
d3_run (D3              *d3,
        const BenchCase *bench,
        const char      *graph_file,
        D3Result        *result,
        GError         **error)
{
  g_autofree char *width = g_strdup_printf ("%g", bench->width);
  g_autofree char *height = g_strdup_printf ("%g", bench->height);
  g_autofree char *node_width = g_strdup_printf ("%g", NODE_WIDTH);
  g_autofree char *padding = g_strdup_printf ("%g", NODE_PADDING);
  g_autofree char *runs = g_strdup_printf ("%u", bench->runs);
  g_autofree char *limit = g_strdup_printf ("%u", D3_CHAIN_LIMIT_S);
  gboolean bounded = bench->n_layers == 0 && d3->timeout != NULL;
  const char *argv[] = { d3->timeout, limit, d3->node, d3->runner, d3->prefix, graph_file, width,
                         height, node_width, padding, bench->n_layers == 0 ? "1" : runs, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) segments = g_array_new (FALSE, FALSE, sizeof (JmCrossingSegment));
  g_autofree double *column_x0 = NULL;
  g_autofree double *column_x1 = NULL;
  JsonObject *root;
  JsonArray *nodes;
  JsonArray *links;
  guint n_layers = 0;
  int status;

  if (!g_spawn_sync (NULL, (char **) (bounded ? argv : argv + 2), NULL, G_SPAWN_DEFAULT, NULL,
                     NULL, &out, &err, &status, error))
    return FALSE;
  if (bounded && WIFEXITED (status) && WEXITSTATUS (status) == 124)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "did not finish within %u s (one run)", D3_CHAIN_LIMIT_S);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: ", err != NULL ? g_strstrip (err) : "");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, out, -1, error))
    return FALSE;

  root = json_node_get_object (json_parser_get_root (parser));
  nodes = json_object_get_array_member (root, "nodes");
  links = json_object_get_array_member (root, "links");
  result->time_ms = json_object_get_double_member (root, "time_ms");

  for (guint i = 0; i < json_array_get_length (nodes); i++)
    n_layers = MAX (n_layers,
                    json_object_get_int_member (json_array_get_object_element (nodes, i),
                                                "layer") + 1);
  column_x0 = g_new0 (double, n_layers + 1);
  column_x1 = g_new0 (double, n_layers + 1);
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);
      guint layer = json_object_get_int_member (node, "layer");

      column_x0[layer] = json_object_get_double_member (node, "x0");
      column_x1[layer] = json_object_get_double_member (node, "x1");
    }

  /* d3-sankey draws a link as one curve from its source to its target; one spanning several
   * columns is cut at each column it crosses, as our counter's segments are.
   */
  for (guint i = 0; i < json_array_get_length (links); i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);
      JsonObject *source = json_array_get_object_element (nodes,
                                                          json_object_get_int_member (link,
                                                                                      "source"));
      JsonObject *target = json_array_get_object_element (nodes,
                                                          json_object_get_int_member (link,
                                                                                      "target"));
      guint first = json_object_get_int_member (source, "layer");
      guint last = json_object_get_int_member (target, "layer");
      JmLayoutPoint a = { json_object_get_double_member (source, "x1"),
                          json_object_get_double_member (link, "y0") };
      JmLayoutPoint b = { json_object_get_double_member (target, "x0"),
                          json_object_get_double_member (link, "y1") };

      for (guint g = first; g < last; g++)
        {
          JmCrossingSegment segment = {
            .gap = g,
            .y_left = jm_layout_flow_curve_y_at (a, b, column_x1[g]),
            .y_right = jm_layout_flow_curve_y_at (a, b, column_x0[g + 1]),
            .value = json_object_get_double_member (link, "value"),
          };

          g_array_append_val (segments, segment);
        }
    }
  result->crossings = jm_count_weighted_crossings ((JmCrossingSegment *) segments->data,
                                                   segments->len);

  return TRUE;
}

#define HIT_QUERIES 200000

/* Mean time of a hit test at random positions over the drawing (what each pointer motion
 * costs).
 */
static double
time_hit_test (const JmSankeyLayout *layout,
               const BenchCase      *bench)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autofree double *xs = g_new (double, HIT_QUERIES);
  g_autofree double *ys = g_new (double, HIT_QUERIES);
  guint hits = 0;
  gint64 began;

  for (guint i = 0; i < HIT_QUERIES; i++)
    {
      xs[i] = g_rand_double_range (rand, 0.0, bench->width);
      ys[i] = g_rand_double_range (rand, 0.0, bench->height);
    }
  began = g_get_monotonic_time ();
  for (guint i = 0; i < HIT_QUERIES; i++)
    hits += jm_sankey_layout_hit_test (layout, xs[i], ys[i], NULL) != JM_LAYOUT_HIT_NONE;
  g_debug ("%u of %u positions hit something", hits, HIT_QUERIES);

  return (double) (g_get_monotonic_time () - began) / HIT_QUERIES;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  D3 d3 = { 0 };
  guint above = 0;

  tmp = g_dir_make_tmp ("jm-bench-layout-XXXXXX", &error);
  if (tmp == NULL)
    {
      g_printerr ("bench-layout: %s\n", error->message);
      return 1;
    }

  d3_prepare (&d3);
  g_print ("%-12s %5s %6s %6s | %8s %8s %14s | %10s %14s | %6s\n", "graph", "seed", "nodes",
           "links", "ours ms", "cpu ms", "ours W", "d3 ms", "d3 W", "W/d3");

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const BenchCase *bench = &cases[c];
      guint n_seeds = bench->n_layers > 0 ? N_SEEDS : 1;
      g_autofree double *our_times = g_new (double, n_seeds);
      g_autofree double *d3_times = g_new (double, n_seeds);
      guint n_d3 = 0;

      for (guint32 seed = 1; seed <= n_seeds; seed++)
        {
          g_autoptr(GString) json = g_string_new (NULL);
          g_autoptr(JmSankeyGraph) graph = make_graph (bench, seed, json);
          g_autofree double *times = g_new (double, bench->runs);
          g_autofree double *cpu_times = g_new (double, bench->runs);
          g_autofree char *graph_file = g_build_filename (tmp, "graph.json", NULL);
          JmSankeyOptions options;
          double crossings = 0.0;
          D3Result d3_result = { NAN, NAN };
          double hit_us = NAN;
          g_autofree char *d3_time = NULL;
          g_autofree char *d3_crossings = NULL;
          g_autofree char *ratio = NULL;

          jm_sankey_options_init (&options);
          options.width = bench->width;
          options.height = bench->height;
          options.node_width = NODE_WIDTH;
          options.node_padding = NODE_PADDING;

          for (guint r = 0; r < bench->runs; r++)
            {
              g_autoptr(JmSankeyLayout) layout = NULL;
              gint64 began = g_get_monotonic_time ();
              double cpu_began = thread_cpu_ms ();

              layout = jm_sankey_layout_compute (graph, &options, &error);
              times[r] = (g_get_monotonic_time () - began) / 1000.0;
              cpu_times[r] = thread_cpu_ms () - cpu_began;
              if (layout == NULL)
                {
                  g_printerr ("bench-layout: %s\n", error->message);
                  return 1;
                }
              crossings = jm_sankey_layout_get_weighted_crossings (layout);
              if (seed == 1 && r == 0)
                hit_us = time_hit_test (layout, bench);
            }
          our_times[seed - 1] = median (times, bench->runs);

          if (d3.ready)
            {
              g_autoptr(GError) run_error = NULL;

              if (!g_file_set_contents (graph_file, json->str, json->len, &run_error) ||
                  !d3_run (&d3, bench, graph_file, &d3_result, &run_error))
                {
                  g_print ("d3-sankey: failed on %s seed %u: %s\n", bench->label, seed,
                           run_error->message);
                }
              else
                {
                  d3_times[n_d3++] = d3_result.time_ms;
                  if (d3_result.crossings > 0.0)
                    {
                      double r = crossings / d3_result.crossings;

                      g_array_append_val (ratios, r);
                    }
                  if (crossings > d3_result.crossings)
                    above++;
                }
              g_unlink (graph_file);
            }

          d3_time = isnan (d3_result.time_ms) ? g_strdup ("-")
                                              : g_strdup_printf ("%.2f", d3_result.time_ms);
          d3_crossings = isnan (d3_result.crossings) ? g_strdup ("-")
                                                     : g_strdup_printf ("%.0f",
                                                                        d3_result.crossings);
          ratio = isnan (d3_result.crossings) || d3_result.crossings <= 0.0
                  ? g_strdup ("-")
                  : g_strdup_printf ("%.3f", crossings / d3_result.crossings);
          g_print ("%-12s %5u %6u %6u | %8.2f %8.2f %14.0f | %10s %14s | %6s\n", bench->label,
                   seed, jm_sankey_graph_get_n_nodes (graph), jm_sankey_graph_get_n_links (graph),
                   our_times[seed - 1], median (cpu_times, bench->runs), crossings, d3_time,
                   d3_crossings, ratio);
          if (!isnan (hit_us))
            g_print ("%-12s hit test: %.3f us per pointer position (%u random positions)\n",
                     bench->label, hit_us, HIT_QUERIES);
        }

      if (n_d3 > 0)
        g_print ("%-12s median layout time: ours %.2f ms, d3-sankey %.2f ms\n", bench->label,
                 median (our_times, n_seeds), median (d3_times, n_d3));
      else
        g_print ("%-12s median layout time: ours %.2f ms\n", bench->label,
                 median (our_times, n_seeds));
    }

  if (ratios->len > 0)
    g_print ("weighted crossings, ours / d3-sankey: median %.3f (%.1f%% lower), "
             "%u graph(s) above d3-sankey\n",
             median ((double *) ratios->data, ratios->len),
             100.0 * (1.0 - median ((double *) ratios->data, ratios->len)), above);

  g_rmdir (tmp);
  g_free (d3.prefix);
  g_free (d3.node);
  g_free (d3.runner);
  g_free (d3.timeout);

  return 0;
}
