/* bench-analysis.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The event log every analysis starts from: building it from a workspace (events/s), the
 * memory it takes per event, writing its cache beside the workspace, opening that cache
 * again (in this process, then in a fresh one, which is what a cold `journeymapper-cli
 * analyze` pays), loading a property column, turning filters into units, then every
 * analysis (first run and best of five, beside the targets of the analysis engine), and the
 * directly-follows counts of the journey graph against DuckDB's LEAD + GROUP BY on the same
 * events, hot and cold. Uses the workspace given with --db, or generates a demo one in a
 * temporary folder. DuckDB comes from npm (@duckdb/node-api, found through the
 * JM_BENCH_NODE_MODULES folder that build-aux/bench installs); without node or the package
 * that comparison is skipped with a line that says why.
 */

#define G_LOG_DOMAIN "jm-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/resource.h>

#include "journey.h"
#include "jm-event-log-private.h"
#include "jm-units.h"

static double
ms_since (gint64 began)
{
  return (g_get_monotonic_time () - began) / 1000.0;
}

/* CPU seconds of this process (user + system): wall time alone misleads on a busy machine. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;

  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;

  /* Linux reports kilobytes. */
  return usage.ru_maxrss / 1024.0;
}

static gsize
dictionary_bytes (JmEventLog *log)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (log);
  gsize bytes = 0;

  for (guint32 c = 0; c < columns->n_customers; c++)
    bytes += strlen (jm_event_log_get_customer_id (log, c)) + 1 + 4 + 1 + 4;
  for (guint k = 0; k < jm_event_log_get_n_names (log); k++)
    bytes += strlen (jm_event_log_get_name (log, k)) + 1 + 4;

  return bytes;
}

static int
open_only (const char *path,
           gint64      project)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 began;
  double opened;

  if (!(store = jm_store_open (path, JM_STORE_OPEN_NO_CREATE, &error)))
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 1;
    }

  began = g_get_monotonic_time ();
  log = jm_event_log_load (store, project, NULL, &error);
  opened = ms_since (began);

  if (log == NULL)
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 1;
    }

  g_print ("cold open (fresh process): %.1f ms for %u events, from the cache: %s\n",
           opened, jm_event_log_get_columns (log)->n_events,
           jm_event_log_is_mapped (log) ? "yes" : "no (rebuilt)");
  return 0;
}

/* The demo's journey (src/core/jm-demo.c): where paths start, the purchase funnel, the
 * conversion.
 */
static const char * const demo_funnel[] = {
  "/", "/product", "/cart", "/checkout/shipping", "/checkout/payment", NULL
};
#define DEMO_LANDING    "/"
#define DEMO_CONVERSION "Order Completed"

typedef enum
{
  RUN_GRAPH,
  RUN_PATHS,
  RUN_FUNNEL,
  RUN_RETENTION,
  RUN_ATTRIBUTION,
} RunKind;

static const struct
{
  const char *label;
  double      target_ms;
} run_info[] = {
  [RUN_GRAPH] = { "journey graph", 100 },
  [RUN_PATHS] = { "paths from / (5 steps)", 100 },
  [RUN_FUNNEL] = { "funnel (5 steps)", 200 },
  [RUN_RETENTION] = { "retention (weekly, 8)", 150 },
  [RUN_ATTRIBUTION] = { "attribution (6 models)", 500 },
};

/* Computes one analysis and frees it; FALSE with `error` set when it fails. */
static gboolean
run_analysis (RunKind         kind,
              const JmUnits  *units,
              gint64          data_end_ms,
              GError        **error)
{
  switch (kind)
    {
    case RUN_GRAPH:
      {
        g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (units);

        return graph != NULL;
      }

    case RUN_PATHS:
      {
        g_autoptr(JmPathFlow) flow = NULL;
        JmPathFlowOptions options;

        jm_path_flow_options_init (&options);
        options.anchor = JM_PATH_ANCHOR_START;
        options.event = DEMO_LANDING;
        options.steps = 5;
        flow = jm_path_flow_compute (units, &options, error);
        return flow != NULL;
      }

    case RUN_FUNNEL:
      {
        g_autoptr(JmFunnel) funnel = NULL;
        JmFunnelOptions options;

        jm_funnel_options_init (&options);
        options.steps = demo_funnel;
        funnel = jm_funnel_compute (units, &options, error);
        return funnel != NULL;
      }

    case RUN_RETENTION:
      {
        g_autoptr(JmRetention) retention = NULL;
        JmRetentionOptions options;

        jm_retention_options_init (&options);
        options.cohort_event = DEMO_LANDING;
        options.return_event = DEMO_LANDING;
        retention = jm_retention_compute (units, &options, data_end_ms, error);
        return retention != NULL;
      }

    case RUN_ATTRIBUTION:
    default:
      {
        g_autoptr(JmAttribution) attribution = NULL;
        JmAttributionOptions options;

        jm_attribution_options_init (&options);
        options.conversion_event = DEMO_CONVERSION;
        attribution = jm_attribution_compute (units, &options, error);
        return attribution != NULL;
      }
    }
}

/* Each analysis on the whole log: the first run (which, for attribution, loads the revenue
 * field) and the best of five.
 */
static gboolean
bench_analyses (JmEventLog  *log,
                GError     **error)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (log);
  g_autoptr(JmUnits) units = NULL;
  JmFilter filter;
  gint64 data_end_ms = 0;

  jm_filter_init (&filter);
  units = jm_units_new (log, &filter, error);
  if (units == NULL)
    return FALSE;

  for (guint32 i = 0; i < columns->n_events; i++)
    data_end_ms = MAX (data_end_ms, columns->ts[i]);

  g_print ("analyses:   %u events, %u units (per customer); first run, best of 5, target\n",
           units->n_events, units->n_units);

  for (guint k = 0; k < G_N_ELEMENTS (run_info); k++)
    {
      double first = 0;
      double best = G_MAXDOUBLE;

      for (guint i = 0; i < 6; i++)
        {
          gint64 began = g_get_monotonic_time ();
          double ms;

          if (!run_analysis (k, units, data_end_ms, error))
            return FALSE;
          ms = ms_since (began);
          if (i == 0)
            first = ms;
          else
            best = MIN (best, ms);
        }

      g_print ("  %-26s first %8.1f ms   best %7.1f ms (%6.1f M events/s)   "
               "target %4.0f ms: %s\n",
               run_info[k].label, first, best, units->n_events / best / 1000.0,
               run_info[k].target_ms, best <= run_info[k].target_ms ? "met" : "missed");
    }

  return TRUE;
}

/* The journey graph of the cached log in a fresh process: open, units, graph. */
static int
cold_graph (const char *path)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmUnits) units = NULL;
  g_autoptr(JmJourneyGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  gint64 began = g_get_monotonic_time ();
  JmFilter filter;
  gint64 project;
  guint64 transitions = 0;

  if (!(store = jm_store_open (path, JM_STORE_OPEN_NO_CREATE, &error)) ||
      !jm_store_lookup_project (store, NULL, &project, &error))
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 1;
    }

  began = g_get_monotonic_time ();
  jm_filter_init (&filter);
  if (!(log = jm_event_log_load (store, project, NULL, &error)) ||
      !(units = jm_units_new (log, &filter, &error)))
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 1;
    }
  graph = jm_journey_graph_compute (units);

  for (guint i = 0; i < jm_journey_graph_get_n_edges (graph); i++)
    transitions += jm_journey_graph_get_edge (graph, i)->count;

  g_print ("{\"ms\":%.3f,\"edges\":%u,\"transitions\":%" G_GUINT64_FORMAT "}\n",
           ms_since (began), jm_journey_graph_get_n_edges (graph), transitions);
  return 0;
}

/* Runs `argv`, parses the JSON line it prints; NULL (and a reason in `why`) when it fails. */
static JsonObject *
run_json (const char * const  *argv,
          char               **why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    {
      *why = g_strdup (error->message);
      return NULL;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      *why = g_strdup_printf ("%s failed: %s", argv[0], err != NULL ? g_strstrip (err) : "");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, out, -1, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      *why = g_strdup_printf ("%s printed no result", argv[0]);
      return NULL;
    }

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Ours against DuckDB on the journey events of `log`: directly-follows counts, hot (best of
 * five in one process) and cold (a fresh process opening its persisted data).
 */
static void
compare_with_duckdb (const char *self_exe,
                     const char *path,
                     JmEventLog *log,
                     const char *scratch)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (log);
  const char *modules = g_getenv ("JM_BENCH_NODE_MODULES");
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *script = g_build_filename (BENCH_SOURCE_DIR, "duckdb",
                                              "directly-follows.mjs", NULL);
  g_autofree char *csv = g_build_filename (scratch, "events.csv", NULL);
  g_autofree char *db = g_build_filename (scratch, "events.duckdb", NULL);
  g_autoptr(JmUnits) units = NULL;
  g_autoptr(JsonObject) load = NULL;
  g_autoptr(JsonObject) duck_cold = NULL;
  g_autoptr(JsonObject) duck_hot = NULL;
  g_autoptr(JsonObject) ours_cold = NULL;
  g_autofree char *why = NULL;
  g_autoptr(GString) text = NULL;
  JmFilter filter;
  double ours_hot = G_MAXDOUBLE;
  guint ours_edges = 0;
  guint64 ours_transitions = 0;
  FILE *out;

  if (node == NULL || modules == NULL || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_print ("duckdb:     skipped: %s (build-aux/bench installs @duckdb/node-api and sets "
               "JM_BENCH_NODE_MODULES)\n",
               node == NULL ? "node is not installed" : "JM_BENCH_NODE_MODULES is not set");
      return;
    }

  /* The same events: unit (customer), position in the unit's sequence, name. */
  out = fopen (csv, "w");
  if (out == NULL)
    {
      g_print ("duckdb:     skipped: cannot write %s\n", csv);
      return;
    }
  text = g_string_sized_new (1 << 20);
  g_string_append (text, "unit,seq,name\n");
  for (guint32 i = 0; i < columns->n_events; i++)
    {
      const char *name = jm_event_log_get_name (log, columns->name[i]);

      g_string_append_printf (text, "%u,%u,\"", columns->customer[i], i);
      for (const char *p = name; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (text, '"');
          g_string_append_c (text, *p);
        }
      g_string_append (text, "\"\n");
      if (text->len > (1 << 20))
        {
          fwrite (text->str, 1, text->len, out);
          g_string_truncate (text, 0);
        }
    }
  fwrite (text->str, 1, text->len, out);
  fclose (out);

  {
    const char *argv[] = { node, script, "load", csv, db, NULL };

    if (!(load = run_json (argv, &why)))
      {
        g_print ("duckdb:     skipped: %s\n", why);
        return;
      }
  }
  {
    const char *argv[] = { node, script, "cold", db, NULL };

    if (!(duck_cold = run_json (argv, &why)))
      {
        g_print ("duckdb:     skipped: %s\n", why);
        return;
      }
  }
  {
    const char *argv[] = { node, script, "hot", db, NULL };

    if (!(duck_hot = run_json (argv, &why)))
      {
        g_print ("duckdb:     skipped: %s\n", why);
        return;
      }
  }
  {
    const char *argv[] = { self_exe, "--cold-graph", "--db", path, NULL };

    if (!(ours_cold = run_json (argv, &why)))
      {
        g_print ("duckdb:     our cold run failed: %s\n", why);
        return;
      }
  }

  jm_filter_init (&filter);
  units = jm_units_new (log, &filter, NULL);
  for (guint i = 0; i < 5; i++)
    {
      gint64 began = g_get_monotonic_time ();
      g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (units);

      ours_hot = MIN (ours_hot, ms_since (began));
      ours_edges = jm_journey_graph_get_n_edges (graph);
      ours_transitions = 0;
      for (guint e = 0; e < ours_edges; e++)
        ours_transitions += jm_journey_graph_get_edge (graph, e)->count;
    }

  g_print ("duckdb:     directly-follows counts of %u events (DuckDB loaded them in %.0f ms)\n",
           columns->n_events, json_object_get_double_member (load, "ms"));
  g_print ("  %-10s %12s %12s %10s\n", "", "ours", "DuckDB", "ours faster");
  g_print ("  %-10s %9.1f ms %9.1f ms %9.1fx  (target 5x: %s)\n", "hot", ours_hot,
           json_object_get_double_member (duck_hot, "ms"),
           json_object_get_double_member (duck_hot, "ms") / ours_hot,
           json_object_get_double_member (duck_hot, "ms") / ours_hot >= 5 ? "met" : "missed");
  g_print ("  %-10s %9.1f ms %9.1f ms %9.1fx  (target 5x: %s; fresh processes, open + query)\n",
           "cold", json_object_get_double_member (ours_cold, "ms"),
           json_object_get_double_member (duck_cold, "ms"),
           json_object_get_double_member (duck_cold, "ms") /
             json_object_get_double_member (ours_cold, "ms"),
           json_object_get_double_member (duck_cold, "ms") /
             json_object_get_double_member (ours_cold, "ms") >= 5 ? "met" : "missed");
  g_print ("  edges %u / %" G_GINT64_FORMAT ", transitions %" G_GUINT64_FORMAT " / %"
           G_GINT64_FORMAT ": %s\n",
           ours_edges, json_object_get_int_member (duck_hot, "edges"), ours_transitions,
           json_object_get_int_member (duck_hot, "transitions"),
           ours_edges == (guint)json_object_get_int_member (duck_hot, "edges") &&
           ours_transitions == (guint64)json_object_get_int_member (duck_hot, "transitions")
             ? "agree" : "DIFFER");

  g_unlink (csv);
}

static gboolean
bench (const char  *self_exe,
       const char  *path,
       GError     **error)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) built = NULL;
  g_autoptr(JmEventLog) written = NULL;
  g_autoptr(JmEventLog) mapped = NULL;
  g_autoptr(JmWhere) where = NULL;
  g_autoptr(JmUnits) units = NULL;
  g_autofree char *cache = NULL;
  const JmEventLogColumns *columns;
  const JmEventLogField *field;
  JmFilter filter;
  gint64 project;
  gint64 began;
  double cpu;
  double ms;
  gsize core;
  GStatBuf buf;

  if (!(store = jm_store_open (path, JM_STORE_OPEN_NO_CREATE, error)) ||
      !jm_store_lookup_project (store, NULL, &project, error))
    return FALSE;

  cache = jm_event_log_dup_cache_path (store, project);
  g_unlink (cache);

  began = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  built = jm_event_log_build (store, project, NULL, error);
  ms = ms_since (began);
  cpu = cpu_seconds () - cpu;
  if (built == NULL)
    return FALSE;

  columns = jm_event_log_get_columns (built);
  g_print ("build:      %u events, %u customers, %u sessions, %u names in %.0f ms "
           "(%.2f s CPU, %u part%s): %.0f events/s\n", columns->n_events, columns->n_customers,
           columns->n_sessions, jm_event_log_get_n_names (built), ms, cpu,
           built->n_scan_parts, built->n_scan_parts > 1 ? "s" : "",
           columns->n_events / (ms / 1000.0));

  core = (gsize)columns->n_events * (4 + 8 + 4 + 4 + 1);
  g_print ("memory:     %.1f bytes/event in the core columns (customer, ts, name, session, "
           "channel), %.1f with rowid, offsets and dictionaries; peak RSS %.0f MB\n",
           (double)core / MAX (columns->n_events, 1),
           (double)(core + (gsize)columns->n_events * 8 + dictionary_bytes (built)) /
             MAX (columns->n_events, 1),
           peak_rss_mb ());

  began = g_get_monotonic_time ();
  written = jm_event_log_load (store, project, NULL, error);
  ms = ms_since (began);
  if (written == NULL)
    return FALSE;
  if (g_stat (cache, &buf) == 0)
    g_print ("load+write: %.0f ms (build and write the cache, %.1f MB, %.1f bytes/event)\n",
             ms, buf.st_size / 1e6, (double)buf.st_size / MAX (columns->n_events, 1));
  else
    g_print ("load+write: %.0f ms, but no cache file was written\n", ms);

  began = g_get_monotonic_time ();
  mapped = jm_event_log_load (store, project, NULL, error);
  ms = ms_since (began);
  if (mapped == NULL)
    return FALSE;
  g_print ("warm open:  %.1f ms (mapped: %s)\n", ms,
           jm_event_log_is_mapped (mapped) ? "yes" : "no");

  /* What a new `journeymapper-cli analyze` pays: a fresh process, the file in the page
   * cache (drop the page cache by hand to see the disk).
   */
  if (self_exe != NULL)
    {
      g_autoptr(GError) spawn_error = NULL;
      const char *argv[5];

      argv[0] = self_exe;
      argv[1] = "--open-only";
      argv[2] = "--db";
      argv[3] = path;
      argv[4] = NULL;

      if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
                         NULL, NULL, NULL, NULL, NULL, &spawn_error))
        g_print ("cold open:  could not run itself: %s\n", spawn_error->message);
    }

  began = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  field = jm_event_log_get_field (mapped, "context.campaign.source", error);
  ms = ms_since (began);
  cpu = cpu_seconds () - cpu;
  if (field == NULL)
    return FALSE;
  g_print ("field:      context.campaign.source in %.0f ms (%.2f s CPU, %.0f events/s), "
           "%u values\n", ms, cpu, columns->n_events / (ms / 1000.0), field->n_values);

  jm_filter_init (&filter);
  began = g_get_monotonic_time ();
  units = jm_units_new (mapped, &filter, error);
  g_print ("units:      per customer, no filter: %u units in %.1f ms\n",
           units->n_units, ms_since (began));
  g_clear_pointer (&units, jm_units_free);

  filter.unit = JM_UNIT_SESSION;
  began = g_get_monotonic_time ();
  units = jm_units_new (mapped, &filter, error);
  g_print ("            per session, no filter: %u units in %.1f ms\n",
           units->n_units, ms_since (began));
  g_clear_pointer (&units, jm_units_free);

  where = jm_where_parse ("context.campaign.source exists or name ~ '^/product'", NULL, error);
  if (where == NULL)
    return FALSE;
  filter.unit = JM_UNIT_CUSTOMER;
  filter.where = where;
  filter.has_from = TRUE;
  filter.from_ms = columns->n_events > 0 ? columns->ts[0] : 0;
  began = g_get_monotonic_time ();
  units = jm_units_new (mapped, &filter, error);
  if (units == NULL)
    return FALSE;
  g_print ("            per customer, --from and --where: %u units, %u events in %.1f ms\n",
           units->n_units, units->n_events, ms_since (began));

  if (!bench_analyses (mapped, error))
    return FALSE;

  {
    g_autofree char *scratch = g_dir_make_tmp ("journeymapper-bench-duckdb-XXXXXX", NULL);

    if (scratch != NULL)
      {
        g_autofree char *db = g_build_filename (scratch, "events.duckdb", NULL);
        g_autofree char *wal = g_build_filename (scratch, "events.duckdb.wal", NULL);

        compare_with_duckdb (self_exe, path, mapped, scratch);
        g_unlink (db);
        g_unlink (wal);
        g_rmdir (scratch);
      }
  }

  g_print ("peak memory: %.0f MB\n", peak_rss_mb ());

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *self_exe = NULL;
  int customers = 50000;
  gboolean keep = FALSE;
  gboolean open = FALSE;
  gboolean graph_only = FALSE;
  gboolean ok;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      "Workspace to read (default: a demo one generated in a temporary folder)", "PATH" },
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers,
      "Customers of the generated demo workspace (default 50000, about 2M events)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the generated workspace", NULL },
    { "open-only", 0, 0, G_OPTION_ARG_NONE, &open, "Only time opening the cache of --db", NULL },
    { "cold-graph", 0, 0, G_OPTION_ARG_NONE, &graph_only,
      "Only open the cache of --db and compute the journey graph (prints JSON)", NULL },
    { NULL }
  };

  context = g_option_context_new ("- time the event log");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 2;
    }

  if (graph_only)
    {
      if (db == NULL)
        {
          g_printerr ("bench-analysis: --cold-graph needs --db\n");
          return 2;
        }
      return cold_graph (db);
    }

  if (open)
    {
      g_autoptr(JmStore) store = NULL;
      gint64 project;

      if (db == NULL)
        {
          g_printerr ("bench-analysis: --open-only needs --db\n");
          return 2;
        }
      if (!(store = jm_store_open (db, JM_STORE_OPEN_NO_CREATE, &error)) ||
          !jm_store_lookup_project (store, NULL, &project, &error))
        {
          g_printerr ("bench-analysis: %s\n", error->message);
          return 1;
        }
      g_clear_object (&store);
      return open_only (db, project);
    }

  if (db != NULL)
    path = g_strdup (db);
  else
    {
      g_autoptr(JmStore) store = NULL;
      JmDemoOptions options;
      JmDemoReport report = { 0 };
      gint64 project;

      if (customers < 1)
        {
          g_printerr ("bench-analysis: --customers must be positive\n");
          return 2;
        }

      if (!(dir = g_dir_make_tmp ("journeymapper-bench-analysis-XXXXXX", &error)))
        {
          g_printerr ("bench-analysis: %s\n", error->message);
          return 1;
        }
      path = g_build_filename (dir, "demo.jmw", NULL);

      jm_demo_options_init (&options);
      options.customers = customers;
      g_print ("bench-analysis: generating a demo workspace of %d customers…\n", customers);
      if (!(store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, &error)) ||
          !jm_store_lookup_project (store, NULL, &project, &error) ||
          !jm_demo_generate (store, project, &options, NULL, NULL, NULL, &report, &error))
        {
          g_printerr ("bench-analysis: %s\n", error->message);
          return 1;
        }
      g_print ("            %" G_GUINT64_FORMAT " events in %.1f s\n", report.events,
               report.seconds);
    }

  g_print ("bench-analysis: %s\n", path);

  self_exe = strchr (argv[0], G_DIR_SEPARATOR) != NULL ? g_canonicalize_filename (argv[0], NULL)
                                                       : g_find_program_in_path (argv[0]);
  ok = bench (self_exe, path, &error);
  if (!ok)
    g_printerr ("bench-analysis: %s\n", error->message);

  if (dir != NULL && !keep)
    {
      static const char * const suffixes[] = { "", "-wal", "-shm", ".log" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

          g_unlink (file);
        }
      g_rmdir (dir);
    }
  else if (dir != NULL)
    g_print ("kept %s\n", path);

  return ok ? 0 : 1;
}
