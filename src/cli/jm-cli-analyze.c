/* jm-cli-analyze.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-analysis-options.h"
#include "jm-cli-private.h"

/* The options of DESIGN §11 that every analysis takes, and what they resolve to. */
typedef struct
{
  JmCliCommon  common;
  char        *from;
  char        *to;
  char        *where;
  char        *segment;
  char        *per;
  char        *session_gap;

  JmAnalysisOptions *options;
  JmStore           *store;
  gint64             project;
  JmAnalysisResult  *result;
} Analysis;

static void
analysis_clear (Analysis *analysis)
{
  g_clear_pointer (&analysis->result, jm_analysis_result_free);
  g_clear_pointer (&analysis->options, jm_analysis_options_free);
  g_clear_object (&analysis->store);
  g_clear_pointer (&analysis->from, g_free);
  g_clear_pointer (&analysis->to, g_free);
  g_clear_pointer (&analysis->where, g_free);
  g_clear_pointer (&analysis->segment, g_free);
  g_clear_pointer (&analysis->per, g_free);
  g_clear_pointer (&analysis->session_gap, g_free);
  jm_cli_common_clear (&analysis->common);
}

static GOptionContext *
analysis_context_new (Analysis   *analysis,
                      const char *parameter_string,
                      const char *description)
{
  GOptionContext *context = g_option_context_new (parameter_string);
  g_autofree GOptionEntry *common_entries = jm_cli_common_entries (&analysis->common, TRUE);
  GOptionEntry filter_entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &analysis->from,
      "Only events at or after DATE (YYYY-MM-DD or ISO-8601; UTC without an offset)", "DATE" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &analysis->to, "Only events before DATE", "DATE" },
    { "where", 0, 0, G_OPTION_ARG_STRING, &analysis->where,
      "Only events (or, for traits.*, customers) matching EXPR", "EXPR" },
    { "segment", 0, 0, G_OPTION_ARG_STRING, &analysis->segment,
      "Only the customers of a saved segment", "NAME" },
    { "per", 0, 0, G_OPTION_ARG_STRING, &analysis->per,
      "Unit of analysis: customer (default) or session", "UNIT" },
    { "session-gap", 0, 0, G_OPTION_ARG_STRING, &analysis->session_gap,
      "Inactivity that ends a session with --per session (default 30m)", "DURATION" },
    { NULL }
  };

  if (description != NULL)
    g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, common_entries, NULL);
  g_option_context_add_main_entries (context, filter_entries, NULL);

  return context;
}

/* Stores an option given on the command line (repeatable ones with every value). */
static void
analysis_set (Analysis   *analysis,
              const char *name,
              const char *value)
{
  if (value == NULL)
    return;

  /* Every name set here is an option of the analysis, and only flags check their values. */
  if (!jm_analysis_options_set (analysis->options, name, value, NULL))
    g_assert_not_reached ();
}

static void
analysis_set_all (Analysis   *analysis,
                  const char *name,
                  char      **values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    analysis_set (analysis, name, values[i]);
}

static void
analysis_set_int (Analysis   *analysis,
                  const char *name,
                  int         value)
{
  g_autofree char *text = g_strdup_printf ("%d", value);

  analysis_set (analysis, name, text);
}

/* Checks the common options after parsing; prints the reason and returns FALSE on bad usage. */
static gboolean
analysis_check_options (Analysis       *analysis,
                        JmAnalysisKind  kind)
{
  g_autoptr(GError) error = NULL;

  analysis->options = jm_analysis_options_new (kind, JM_ANALYSIS_OPTION_STYLE_COMMAND_LINE);
  analysis_set (analysis, "from", analysis->from);
  analysis_set (analysis, "to", analysis->to);
  analysis_set (analysis, "where", analysis->where);
  analysis_set (analysis, "segment", analysis->segment);
  analysis_set (analysis, "per", analysis->per);
  analysis_set (analysis, "session-gap", analysis->session_gap);

  if (!jm_analysis_options_check_filter (analysis->options, &error))
    {
      jm_cli_usage ("%s", error->message);
      return FALSE;
    }

  return TRUE;
}

/* Checks the options of the analysis itself, after the common ones; prints the reason and
 * returns FALSE on bad usage.
 */
static gboolean
analysis_check_all_options (Analysis *analysis)
{
  g_autoptr(GError) error = NULL;

  if (!jm_analysis_options_check (analysis->options, &error))
    {
      jm_cli_usage ("%s", error->message);
      return FALSE;
    }

  return TRUE;
}

/* Opens the workspace, loads the project's event log, makes the units and computes. */
static gboolean
analysis_run (Analysis  *analysis,
              GError   **error)
{
  analysis->store = jm_cli_open_store (&analysis->common, error);
  if (analysis->store == NULL ||
      !jm_cli_lookup_project (analysis->store, &analysis->common, &analysis->project, error))
    return FALSE;

  analysis->result = jm_analysis_options_run (analysis->options, analysis->store,
                                              analysis->project, NULL, NULL, error);

  return analysis->result != NULL;
}

/* A bad option found by the analysis itself (a regex, a threshold) is bad usage; anything
 * else (the workspace, the segment, the log) is a failure.
 */
static int
analysis_fail (const GError *error)
{
  if (g_error_matches (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION))
    return jm_cli_usage ("%s", error->message);

  return jm_cli_fail (error);
}

static void
print_result (Analysis *analysis)
{
  if (analysis->common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonNode) json = jm_analysis_result_to_json (analysis->result);

      jm_cli_print_json (json);
    }
  else
    {
      g_autoptr(JmTable) table = jm_analysis_result_to_table (analysis->result);

      jm_cli_print_table (table);
    }
}

static char *
format_seconds (gboolean has_value,
                double   seconds)
{
  if (!has_value || isnan (seconds))
    return g_strdup ("—");
  if (seconds < 90)
    return g_strdup_printf ("%.0f s", seconds);
  if (seconds < 90 * 60)
    return g_strdup_printf ("%.1f min", seconds / 60);
  if (seconds < 36 * 3600)
    return g_strdup_printf ("%.1f h", seconds / 3600);
  return g_strdup_printf ("%.1f d", seconds / 86400);
}

/* analyze graph */

static void
print_graph_text (JmJourneyGraph *graph,
                  guint           limit)
{
  guint n_nodes = jm_journey_graph_get_n_nodes (graph);
  guint n_edges = jm_journey_graph_get_n_edges (graph);

  g_print ("Journey graph: %" G_GUINT64_FORMAT " %ss, %" G_GUINT64_FORMAT " events, "
           "%u touchpoints, %u transitions\n\n",
           jm_journey_graph_get_n_units (graph),
           jm_unit_kind_to_string (jm_journey_graph_get_unit (graph)),
           jm_journey_graph_get_n_events (graph), n_nodes, n_edges);

  g_print ("%-36s %10s %10s\n", "TOUCHPOINT", "EVENTS", "UNITS");
  for (guint i = 0; i < n_nodes; i++)
    {
      const JmJourneyGraphNode *node = jm_journey_graph_get_node (graph, i);

      g_print ("%-36s %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT "\n",
               node->name, node->events, node->units);
    }

  g_print ("\n%-28s %-28s %10s %12s\n", "FROM", "TO", "COUNT", "MEDIAN");
  for (guint i = 0; i < n_edges && i < limit; i++)
    {
      const JmJourneyGraphEdge *edge = jm_journey_graph_get_edge (graph, i);
      g_autofree char *median = format_seconds (edge->has_median, edge->median_seconds);

      g_print ("%-28s %-28s %10" G_GUINT64_FORMAT " %12s\n",
               edge->source_is_start ? "(start)" : edge->source,
               edge->target_is_end ? "(end)" : edge->target, edge->count, median);
    }
  if (n_edges > limit)
    g_print ("… %u more transitions (--format json or csv lists them all)\n", n_edges - limit);
}

static int
run_graph (int    argc,
           char **argv)
{
  Analysis analysis = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;

  context = analysis_context_new (&analysis, "- the directly-follows graph of the journeys",
                                  "Nodes are touchpoints (journey event names); an edge a→b counts "
                                  "consecutive events\nof a unit, with the median time between "
                                  "them. START and END mark where journeys begin\nand end.");

  if (!jm_cli_parse (context, &analysis.common, TRUE, &argc, &argv) ||
      !analysis_check_options (&analysis, JM_ANALYSIS_GRAPH))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if (!analysis_check_all_options (&analysis))
    status = JM_CLI_EXIT_USAGE;
  else if (!analysis_run (&analysis, &error))
    status = analysis_fail (error);
  else if (analysis.common.format == JM_OUTPUT_TEXT)
    print_graph_text (jm_analysis_result_get_graph (analysis.result), 40);
  else
    print_result (&analysis);

  analysis_clear (&analysis);
  return status;
}

/* analyze paths */

static void
print_paths_text (JmPathFlow *flow)
{
  guint n_nodes = jm_path_flow_get_n_nodes (flow);
  guint steps = jm_path_flow_get_steps (flow);

  g_print ("Paths %s “%s”: %" G_GUINT64_FORMAT " %ss, %u steps\n",
           jm_path_flow_get_anchor (flow) == JM_PATH_ANCHOR_START ? "from" : "to",
           jm_path_flow_get_anchor_event (flow), jm_path_flow_get_n_units (flow),
           jm_unit_kind_to_string (jm_path_flow_get_unit (flow)), steps);

  for (guint step = 1; step <= steps; step++)
    {
      g_print ("\nStep %u\n", step);
      for (guint i = 0; i < n_nodes; i++)
        {
          const JmPathFlowNode *node = jm_path_flow_get_node (flow, i);

          if (node->step != step)
            continue;
          g_print ("  %-36s %8" G_GUINT64_FORMAT, node->name, node->count);
          if (node->dropoff > 0)
            g_print ("   %" G_GUINT64_FORMAT " end here", node->dropoff);
          if (node->entries > 0)
            g_print ("   %" G_GUINT64_FORMAT " start here", node->entries);
          g_print ("\n");
        }
    }
}

static int
run_paths (int    argc,
           char **argv)
{
  Analysis analysis = { 0 };
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  int steps = 5;
  int top = 10;
  gboolean collapse = FALSE;
  g_auto(GStrv) exclude = NULL;
  g_auto(GStrv) clean = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "start", 0, 0, G_OPTION_ARG_STRING, &start, "Paths from the first occurrence of EVENT",
      "EVENT" },
    { "end", 0, 0, G_OPTION_ARG_STRING, &end, "Paths to the last occurrence of EVENT", "EVENT" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Steps shown, the anchor included (default 5)", "N" },
    { "top", 0, 0, G_OPTION_ARG_INT, &top,
      "Touchpoints kept per step, the rest merged into Other (default 10; 0: all)", "N" },
    { "collapse-repeats", 0, 0, G_OPTION_ARG_NONE, &collapse,
      "Merge consecutive repeats of an event", NULL },
    { "exclude", 0, 0, G_OPTION_ARG_STRING_ARRAY, &exclude, "Leave EVENT out (repeatable)",
      "EVENT" },
    { "clean", 0, 0, G_OPTION_ARG_STRING_ARRAY, &clean,
      "Rewrite names matching REGEX (repeatable, applied in order)", "REGEX=REPLACEMENT" },
    { NULL }
  };

  context = analysis_context_new (&analysis, "(--start EVENT | --end EVENT) - path flows (Sankey)",
                                  NULL);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &analysis.common, TRUE, &argc, &argv) ||
      !analysis_check_options (&analysis, JM_ANALYSIS_PATHS))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else
    {
      analysis_set (&analysis, "start", start);
      analysis_set (&analysis, "end", end);
      analysis_set_int (&analysis, "steps", steps);
      analysis_set_int (&analysis, "top", top);
      analysis_set (&analysis, "collapse-repeats", collapse ? "true" : NULL);
      analysis_set_all (&analysis, "exclude", exclude);
      analysis_set_all (&analysis, "clean", clean);

      if (!analysis_check_all_options (&analysis))
        status = JM_CLI_EXIT_USAGE;
      else if (!analysis_run (&analysis, &error))
        status = analysis_fail (error);
      else if (analysis.common.format == JM_OUTPUT_TEXT)
        print_paths_text (jm_analysis_result_get_path_flow (analysis.result));
      else
        print_result (&analysis);
    }

  analysis_clear (&analysis);
  return status;
}

/* analyze funnel */

static void
print_funnel_steps_text (JmFunnel *funnel,
                         gboolean  group,
                         guint     index)
{
  guint n_steps = jm_funnel_get_n_steps (funnel);

  for (guint i = 0; i < n_steps; i++)
    {
      const JmFunnelStep *step = group ? jm_funnel_get_breakdown_step (funnel, index, i)
                                       : jm_funnel_get_step (funnel, i);
      g_autofree char *median = format_seconds (step->has_times, step->from_previous.median);

      g_print ("  %u. %-32s %9" G_GUINT64_FORMAT " %7.1f%% %7.1f%% %12s\n", i + 1, step->name,
               step->count, 100 * step->conversion_from_start,
               100 * step->conversion_from_previous, median);
    }
}

/* Saves the units that reached step K and went no further as a list segment. */
static gboolean
save_dropoff (Analysis    *analysis,
              JmFunnel    *funnel,
              const char  *spec,
              GError     **error)
{
  const char *colon = strchr (spec, ':');
  g_autofree char *level_text = colon != NULL ? g_strndup (spec, colon - spec) : NULL;
  g_auto(GStrv) ids = NULL;
  guint64 level;

  if (colon == NULL || colon[1] == '\0' ||
      !g_ascii_string_to_unsigned (level_text, 10, 1, jm_funnel_get_n_steps (funnel) - 1,
                                   &level, NULL))
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "--save-dropoff takes STEP:NAME with STEP from 1 to %u, not “%s”",
                   jm_funnel_get_n_steps (funnel) - 1, spec);
      return FALSE;
    }

  ids = jm_funnel_dup_customer_ids_at_level (funnel, level);

  if (!jm_store_create_list_segment (analysis->store, analysis->project, colon + 1,
                                     (const char * const *) ids, g_strv_length (ids), error))
    return FALSE;

  if (analysis->common.format == JM_OUTPUT_TEXT)
    g_print ("Saved the %u customers who stopped after step %" G_GUINT64_FORMAT
             " as segment “%s”\n", g_strv_length (ids), level, colon + 1);

  return TRUE;
}

static int
run_funnel (int    argc,
            char **argv)
{
  Analysis analysis = { 0 };
  g_auto(GStrv) steps = NULL;
  g_auto(GStrv) exclude = NULL;
  g_autofree char *window = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *breakdown = NULL;
  g_autofree char *save_dropoff_spec = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "step", 0, 0, G_OPTION_ARG_STRING_ARRAY, &steps, "A funnel step, in order (repeat)", "EVENT" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &window,
      "Time allowed from step 1 to the last step (default 14d)", "DURATION" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "ordered (default), strict or any", "MODE" },
    { "exclude", 0, 0, G_OPTION_ARG_STRING_ARRAY, &exclude,
      "An event that breaks a chain when it occurs in it (repeatable)", "EVENT" },
    { "breakdown", 0, 0, G_OPTION_ARG_STRING, &breakdown,
      "Split by a field's value at step 1 (e.g. properties.plan)", "FIELD" },
    { "save-dropoff", 0, 0, G_OPTION_ARG_STRING, &save_dropoff_spec,
      "Save the customers who stopped after STEP as a segment", "STEP:NAME" },
    { NULL }
  };

  context = analysis_context_new (&analysis, "--step EVENT --step EVENT… - a conversion funnel",
                                  NULL);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &analysis.common, TRUE, &argc, &argv) ||
      !analysis_check_options (&analysis, JM_ANALYSIS_FUNNEL))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else
    {
      JmFunnel *funnel;

      analysis_set_all (&analysis, "step", steps);
      analysis_set (&analysis, "window", window);
      analysis_set (&analysis, "mode", mode);
      analysis_set_all (&analysis, "exclude", exclude);
      analysis_set (&analysis, "breakdown", breakdown);

      if (!analysis_check_all_options (&analysis))
        status = JM_CLI_EXIT_USAGE;
      else if (!analysis_run (&analysis, &error))
        status = analysis_fail (error);
      else if (save_dropoff_spec != NULL &&
               !save_dropoff (&analysis, jm_analysis_result_get_funnel (analysis.result),
                              save_dropoff_spec, &error))
        status = analysis_fail (error);
      else if (analysis.common.format == JM_OUTPUT_TEXT)
        {
          funnel = jm_analysis_result_get_funnel (analysis.result);
          g_print ("Funnel (%s, window %s): %" G_GUINT64_FORMAT " %ss\n\n",
                   jm_funnel_mode_to_string (jm_funnel_get_mode (funnel)),
                   window != NULL ? window : "14d", jm_funnel_get_n_units (funnel),
                   jm_unit_kind_to_string (jm_funnel_get_unit (funnel)));
          g_print ("  %-35s %9s %8s %8s %12s\n", "STEP", "UNITS", "OF START", "OF PREV",
                   "MEDIAN TIME");
          print_funnel_steps_text (funnel, FALSE, 0);
          for (guint g = 0; g < jm_funnel_get_n_breakdown (funnel); g++)
            {
              g_print ("\n%s = %s\n", breakdown, jm_funnel_get_breakdown_value (funnel, g));
              print_funnel_steps_text (funnel, TRUE, g);
            }
        }
      else
        print_result (&analysis);
    }

  analysis_clear (&analysis);
  return status;
}

/* analyze retention */

static int
run_retention (int    argc,
               char **argv)
{
  Analysis analysis = { 0 };
  g_autofree char *cohort_event = NULL;
  g_autofree char *return_event = NULL;
  g_autofree char *period = NULL;
  int periods = 8;
  gboolean unbounded = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "cohort-event", 0, 0, G_OPTION_ARG_STRING, &cohort_event,
      "The event whose first occurrence puts a unit in a cohort", "EVENT" },
    { "return-event", 0, 0, G_OPTION_ARG_STRING, &return_event,
      "The event that counts as coming back", "EVENT" },
    { "period", 0, 0, G_OPTION_ARG_STRING, &period, "day, week (default) or month", "PERIOD" },
    { "periods", 0, 0, G_OPTION_ARG_INT, &periods, "Periods after the first (default 8)", "N" },
    { "unbounded", 0, 0, G_OPTION_ARG_NONE, &unbounded,
      "Count a unit as retained in a period when it returns then or later", NULL },
    { NULL }
  };

  context = analysis_context_new (&analysis,
                                  "--cohort-event EVENT --return-event EVENT - retention cohorts",
                                  NULL);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &analysis.common, TRUE, &argc, &argv) ||
      !analysis_check_options (&analysis, JM_ANALYSIS_RETENTION))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else
    {
      JmRetention *retention;

      analysis_set (&analysis, "cohort-event", cohort_event);
      analysis_set (&analysis, "return-event", return_event);
      analysis_set (&analysis, "period", period);
      analysis_set_int (&analysis, "periods", periods);
      analysis_set (&analysis, "unbounded", unbounded ? "true" : NULL);

      if (!analysis_check_all_options (&analysis))
        status = JM_CLI_EXIT_USAGE;
      else if (!analysis_run (&analysis, &error))
        status = analysis_fail (error);
      else if (analysis.common.format == JM_OUTPUT_TEXT)
        {
          retention = jm_analysis_result_get_retention (analysis.result);
          g_print ("Retention by %s (%s): cohort “%s”, return “%s”\n\n",
                   jm_retention_period_to_string (retention->period),
                   retention->unbounded ? "unbounded" : "classic", cohort_event, return_event);
          g_print ("%-12s %8s", "COHORT", "SIZE");
          for (guint k = 1; k <= retention->periods; k++)
            g_print (" %6u", k);
          g_print ("\n");
          for (guint c = 0; c < retention->n_cohorts; c++)
            {
              JmRetentionCohort *cohort = &retention->cohorts[c];
              g_autofree char *start_date = jm_time_format_date (cohort->start_ms);

              g_print ("%-12s %8" G_GINT64_FORMAT, start_date, cohort->size);
              for (guint k = 1; k <= retention->periods; k++)
                {
                  if (cohort->retained[k] == JM_RETENTION_INCOMPLETE)
                    g_print (" %6s", "");
                  else
                    g_print (" %5.1f%%", cohort->size > 0 ? 100.0 * cohort->retained[k] / cohort->size : 0);
                }
              g_print ("\n");
            }
        }
      else
        print_result (&analysis);
    }

  analysis_clear (&analysis);
  return status;
}

/* analyze attribution */

static int
run_attribution (int    argc,
                 char **argv)
{
  Analysis analysis = { 0 };
  g_autofree char *conversion = NULL;
  g_autofree char *lookback = NULL;
  g_autofree char *revenue_property = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "conversion", 0, 0, G_OPTION_ARG_STRING, &conversion, "The conversion event", "EVENT" },
    { "lookback", 0, 0, G_OPTION_ARG_STRING, &lookback,
      "Touchpoints credited before a conversion (default 30d)", "DURATION" },
    { "revenue-property", 0, 0, G_OPTION_ARG_STRING, &revenue_property,
      "The property holding revenue (default revenue)", "NAME" },
    { NULL }
  };

  context = analysis_context_new (&analysis, "--conversion EVENT - multi-touch attribution",
                                  "Models: first touch, last touch, linear, time decay (half-life "
                                  "7 days), position based\n(40/20/40) and a first-order Markov "
                                  "chain (removal effect). Touchpoints are session\nstarts with "
                                  "their channel.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &analysis.common, TRUE, &argc, &argv) ||
      !analysis_check_options (&analysis, JM_ANALYSIS_ATTRIBUTION))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else
    {
      JmAttribution *attribution;

      analysis_set (&analysis, "conversion", conversion);
      analysis_set (&analysis, "lookback", lookback);
      analysis_set (&analysis, "revenue-property", revenue_property);

      if (!analysis_check_all_options (&analysis))
        status = JM_CLI_EXIT_USAGE;
      else if (!analysis_run (&analysis, &error))
        status = analysis_fail (error);
      else if (analysis.common.format == JM_OUTPUT_TEXT)
        {
          attribution = jm_analysis_result_get_attribution (analysis.result);
          g_print ("Attribution of “%s”: %" G_GINT64_FORMAT " conversions, revenue %.2f\n\n",
                   conversion, attribution->conversions, attribution->revenue);
          g_print ("%-16s", "CHANNEL");
          for (guint m = 0; m < JM_ATTRIBUTION_N_MODELS; m++)
            g_print (" %14s", jm_attribution_model_to_string (m));
          g_print ("\n");
          for (guint c = 0; c < attribution->n_channels; c++)
            {
              JmAttributionChannel *channel = &attribution->channels[c];

              g_print ("%-16s", channel->channel);
              for (guint m = 0; m < JM_ATTRIBUTION_N_MODELS; m++)
                g_print (" %14.1f", channel->credit[m]);
              g_print ("\n");
            }
        }
      else
        print_result (&analysis);
    }

  analysis_clear (&analysis);
  return status;
}

/* insights */

int
jm_cli_run_insights (int    argc,
                     char **argv)
{
  Analysis analysis = { 0 };
  g_autofree char *conversion = NULL;
  g_auto(GStrv) steps = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "conversion", 0, 0, G_OPTION_ARG_STRING, &conversion,
      "The conversion event (default: chosen from the data, e.g. an order event)", "EVENT" },
    { "step", 0, 0, G_OPTION_ARG_STRING_ARRAY, &steps,
      "A step of the funnel to examine (repeat; default: the most common path to the "
      "conversion)", "EVENT" },
    { "segment-field", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fields,
      "A field whose values are compared (repeat; default: channel, traits.plan, "
      "context.campaign.name, context.locale)", "FIELD" },
    { NULL }
  };

  context = analysis_context_new (&analysis, "- automatic, evidence-backed insights",
                                  "Kinds: funnel_dropoff, segment_difference, converter_event, "
                                  "friction_loop,\nvolume_anomaly, channel_performance. Each comes "
                                  "with the numbers behind it and a\nrecommendation; differences "
                                  "are tested for significance (Benjamini–Hochberg corrected).");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &analysis.common, TRUE, &argc, &argv) ||
      !analysis_check_options (&analysis, JM_ANALYSIS_INSIGHTS))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else
    {
      analysis_set (&analysis, "conversion", conversion);
      analysis_set_all (&analysis, "step", steps);
      analysis_set_all (&analysis, "segment-field", fields);

      if (!analysis_check_all_options (&analysis))
        status = JM_CLI_EXIT_USAGE;
      else if (!analysis_run (&analysis, &error))
        status = analysis_fail (error);
      else if (analysis.common.format == JM_OUTPUT_TEXT)
        {
          JmInsights *insights = jm_analysis_result_get_insights (analysis.result);
          guint n = jm_insights_get_n_insights (insights);

          if (n == 0)
            g_print ("No significant findings in %" G_GUINT64_FORMAT " %ss.\n",
                     jm_insights_get_n_units (insights),
                     jm_unit_kind_to_string (jm_insights_get_unit (insights)));
          for (guint i = 0; i < n; i++)
            {
              const JmInsight *insight = jm_insights_get_insight (insights, i);

              g_print ("%s[%s] %s\n    %s\n", i > 0 ? "\n" : "",
                       jm_insight_severity_to_string (insight->severity), insight->title,
                       insight->recommendation);
            }
        }
      else
        print_result (&analysis);
    }

  analysis_clear (&analysis);
  return status;
}

static const JmCliCommand analyze_commands[] = {
  { "graph", "The directly-follows journey graph", run_graph },
  { "paths", "Path flows from or to an event (Sankey)", run_paths },
  { "funnel", "A conversion funnel", run_funnel },
  { "retention", "Retention cohorts", run_retention },
  { "attribution", "Multi-touch attribution by channel", run_attribution },
};

int
jm_cli_run_analyze (int    argc,
                    char **argv)
{
  return jm_cli_dispatch ("analyze", analyze_commands, G_N_ELEMENTS (analyze_commands),
                          argc, argv);
}
