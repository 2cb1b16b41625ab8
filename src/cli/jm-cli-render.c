/* jm-cli-render.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "jm-analysis-options.h"
#include "jm-attribution-renderer.h"
#include "jm-chart-export.h"
#include "jm-cli-private.h"
#include "jm-funnel-renderer.h"
#include "jm-graph-renderer.h"
#include "jm-retention-renderer.h"
#include "jm-sankey-renderer.h"

/* `render {graph,paths,funnel,retention,attribution}`: runs the analysis with the options of
 * `analyze` and draws its chart into an SVG, PNG or PDF file with the renderer the application
 * uses. The analysis options go straight into a JmAnalysisOptions, so both commands check them
 * with the same messages.
 */

typedef struct
{
  const char *name;
  const char *arg_description;   /* NULL for a flag */
  const char *description;
} AnalysisOption;

static const AnalysisOption analysis_options[] = {
  { "from", "DATE", "Only events at or after DATE (YYYY-MM-DD or ISO-8601; UTC without an offset)" },
  { "to", "DATE", "Only events before DATE" },
  { "where", "EXPR", "Only events (or, for traits.*, customers) matching EXPR" },
  { "segment", "NAME", "Only the customers of a saved segment" },
  { "per", "UNIT", "Unit of analysis: customer (default) or session" },
  { "session-gap", "DURATION", "Inactivity that ends a session with --per session (default 30m)" },
  { "start", "EVENT", "Paths from the first occurrence of EVENT" },
  { "end", "EVENT", "Paths to the last occurrence of EVENT" },
  { "steps", "N", "Steps shown, the anchor included (default 5)" },
  { "top", "N", "Touchpoints kept per step, the rest merged into Other (default 10; 0: all)" },
  { "collapse-repeats", NULL, "Merge consecutive repeats of an event" },
  { "exclude", "EVENT", "Leave EVENT out, or for a funnel: an event that breaks a chain "
    "(repeatable)" },
  { "clean", "REGEX=REPLACEMENT", "Rewrite names matching REGEX (repeatable, applied in order)" },
  { "step", "EVENT", "A funnel step, in order (repeat)" },
  { "window", "DURATION", "Time allowed from step 1 to the last step (default 14d)" },
  { "mode", "MODE", "ordered (default), strict or any" },
  { "cohort-event", "EVENT", "The event whose first occurrence puts a unit in a cohort" },
  { "return-event", "EVENT", "The event that counts as coming back" },
  { "period", "PERIOD", "day, week (default) or month" },
  { "periods", "N", "Periods after the first (default 8)" },
  { "unbounded", NULL, "Count a unit as retained in a period when it returns then or later" },
  { "conversion", "EVENT", "The conversion event" },
  { "lookback", "DURATION", "Touchpoints credited before a conversion (default 30d)" },
  { "revenue-property", "NAME", "The property holding revenue (default revenue)" },
};

typedef struct
{
  JmCliCommon        common;
  JmAnalysisOptions *options;
  char              *output;
  int                width;
  int                height;
  char              *theme;
  char              *palette;
  char              *select;
  char              *title;
  double             top_nodes;
  double             top_edges;
  gboolean           revenue;
} Render;

static void
render_clear (Render *render)
{
  g_clear_pointer (&render->options, jm_analysis_options_free);
  g_clear_pointer (&render->output, g_free);
  g_clear_pointer (&render->theme, g_free);
  g_clear_pointer (&render->palette, g_free);
  g_clear_pointer (&render->select, g_free);
  g_clear_pointer (&render->title, g_free);
  jm_cli_common_clear (&render->common);
}

static gboolean
analysis_option_cb (const char  *option_name,
                    const char  *value,
                    gpointer     data,
                    GError     **error)
{
  Render *render = data;
  g_autoptr(GError) local_error = NULL;

  /* GOption passes the long form, "--name". */
  if (!jm_analysis_options_set (render->options, option_name + 2, value != NULL ? value : "true",
                                &local_error))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static GOptionContext *
render_context_new (Render         *render,
                    JmAnalysisKind  kind)
{
  GOptionContext *context;
  GOptionGroup *group;
  g_autofree GOptionEntry *common_entries = jm_cli_common_entries (&render->common, TRUE);
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_autofree char *parameter = g_strdup_printf ("--output FILE - draw the %s chart",
                                                jm_analysis_kind_to_string (kind));
  GOptionEntry render_entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &render->output,
      "The image to write: FILE.svg, FILE.png or FILE.pdf", "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &render->width, "Width in pixels (default 1200)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &render->height, "Height in pixels (default 800)", "H" },
    { "theme", 0, 0, G_OPTION_ARG_STRING, &render->theme, "light (default) or dark", "THEME" },
    { "palette", 0, 0, G_OPTION_ARG_STRING, &render->palette,
      "default, or colorblind for a colour-blind-safe palette", "PALETTE" },
    { "select", 0, 0, G_OPTION_ARG_STRING, &render->select,
      "Emphasise the flow of this node (step, cohort, channel)", "NAME" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &render->title, "Heading (default: the analysis)",
      "TEXT" },
    { NULL }
  };
  GOptionEntry graph_entries[] = {
    { "top-nodes", 0, 0, G_OPTION_ARG_DOUBLE, &render->top_nodes,
      "Keep this percentage of touchpoints, most events first (default 100)", "PERCENT" },
    { "top-edges", 0, 0, G_OPTION_ARG_DOUBLE, &render->top_edges,
      "Keep this percentage of their transitions, most travelled first (default 100)",
      "PERCENT" },
    { NULL }
  };
  GOptionEntry attribution_entries[] = {
    { "revenue", 0, 0, G_OPTION_ARG_NONE, &render->revenue,
      "Show revenue credited instead of conversions", NULL },
    { NULL }
  };

  render->options = jm_analysis_options_new (kind, JM_ANALYSIS_OPTION_STYLE_COMMAND_LINE);
  render->width = 1200;
  render->height = 800;
  render->top_nodes = 100;
  render->top_edges = 100;

  /* The options of `analyze` for this analysis, stored as they come. */
  for (guint i = 0; i < G_N_ELEMENTS (analysis_options); i++)
    {
      const AnalysisOption *option = &analysis_options[i];
      GOptionEntry entry = {
        option->name, 0, option->arg_description == NULL ? G_OPTION_FLAG_NO_ARG : 0,
        G_OPTION_ARG_CALLBACK, (gpointer) analysis_option_cb, option->description,
        option->arg_description
      };

      if (jm_analysis_options_has_option (render->options, option->name))
        g_array_append_val (entries, entry);
    }

  context = g_option_context_new (parameter);
  group = g_option_group_new (NULL, NULL, NULL, render, NULL);
  g_option_group_add_entries (group, common_entries);
  g_option_group_add_entries (group, (const GOptionEntry *) entries->data);
  g_option_group_add_entries (group, render_entries);
  if (kind == JM_ANALYSIS_GRAPH)
    g_option_group_add_entries (group, graph_entries);
  if (kind == JM_ANALYSIS_ATTRIBUTION)
    g_option_group_add_entries (group, attribution_entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_description (context,
                                    "The chart is drawn by the same code as the application's "
                                    "views; the image type\nfollows the file's extension. "
                                    "--format json prints what was written.");

  return context;
}

static JmChartRenderer *
render_create_chart (Render           *render,
                     JmAnalysisResult *result)
{
  switch (jm_analysis_result_get_kind (result))
    {
    case JM_ANALYSIS_GRAPH:
      return jm_graph_renderer_new_for_journey_graph (jm_analysis_result_get_graph (result),
                                                      render->top_nodes / 100,
                                                      render->top_edges / 100);
    case JM_ANALYSIS_PATHS:
      return jm_sankey_renderer_new_for_path_flow (jm_analysis_result_get_path_flow (result));
    case JM_ANALYSIS_FUNNEL:
      return jm_funnel_renderer_new_for_funnel (jm_analysis_result_get_funnel (result));
    case JM_ANALYSIS_RETENTION:
      return jm_retention_renderer_new_for_retention (jm_analysis_result_get_retention (result));
    case JM_ANALYSIS_ATTRIBUTION:
      return jm_attribution_renderer_new_for_attribution (
        jm_analysis_result_get_attribution (result), render->revenue);
    case JM_ANALYSIS_INSIGHTS:
    default:
      g_assert_not_reached ();
    }
}

static int
render_run (JmAnalysisKind   kind,
            int              argc,
            char           **argv)
{
  Render render = { 0 };
  g_autoptr(GOptionContext) context = render_context_new (&render, kind);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmAnalysisResult) result = NULL;
  g_autoptr(JmChartRenderer) chart = NULL;
  JmChartFormat format;
  JmChartStyle style = JM_CHART_STYLE_LIGHT;
  JmChartPalette palette = JM_CHART_PALETTE_DEFAULT;
  gint64 project;
  int status = JM_CLI_EXIT_OK;

  if (!jm_cli_parse (context, &render.common, FALSE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if (render.output == NULL)
    status = jm_cli_usage ("--output FILE is required (FILE.svg, FILE.png or FILE.pdf)");
  else if (!jm_chart_format_from_path (render.output, &format))
    status = jm_cli_usage ("--output: cannot tell the image type of “%s”; name it .svg, .png "
                           "or .pdf", render.output);
  else if (render.width < 120 || render.width > 20000)
    status = jm_cli_usage ("--width must be from 120 to 20000 pixels, not %d", render.width);
  else if (render.height < 80 || render.height > 20000)
    status = jm_cli_usage ("--height must be from 80 to 20000 pixels, not %d", render.height);
  else if (render.theme != NULL && !jm_chart_style_from_string (render.theme, &style))
    status = jm_cli_usage ("--theme must be light or dark, not “%s”", render.theme);
  else if (render.palette != NULL && !jm_chart_palette_from_string (render.palette, &palette))
    status = jm_cli_usage ("--palette must be default or colorblind, not “%s”", render.palette);
  else if (!(render.top_nodes > 0 && render.top_nodes <= 100) ||
           !(render.top_edges > 0 && render.top_edges <= 100))
    status = jm_cli_usage ("--top-nodes and --top-edges take a percentage above 0, up to 100");
  else if (!jm_analysis_options_check (render.options, &error))
    status = jm_cli_usage ("%s", error->message);
  else if ((store = jm_cli_open_store (&render.common, &error)) == NULL ||
           !jm_cli_lookup_project (store, &render.common, &project, &error))
    status = jm_cli_fail (error);
  else if ((result = jm_analysis_options_run (render.options, store, project, NULL, NULL,
                                              &error)) == NULL)
    {
      /* A bad option found by the analysis itself is bad usage, like in `analyze`. */
      if (g_error_matches (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION))
        status = jm_cli_usage ("%s", error->message);
      else
        status = jm_cli_fail (error);
    }
  else
    {
      chart = render_create_chart (&render, result);
      jm_chart_renderer_set_theme (chart, jm_chart_theme_get (style, palette));
      if (render.title != NULL)
        jm_chart_renderer_set_title (chart, render.title);

      if (render.select != NULL && jm_chart_renderer_find_item (chart, render.select) < 0)
        status = jm_cli_usage ("--select: the chart has nothing named “%s”", render.select);
      else
        {
          if (render.select != NULL)
            jm_chart_renderer_set_selected (chart, jm_chart_renderer_find_item (chart,
                                                                                render.select));

          if (!jm_chart_export (chart, render.output, render.width, render.height, &error))
            status = jm_cli_fail (error);
          else if (render.common.format == JM_OUTPUT_JSON)
            {
              g_autoptr(JsonBuilder) builder = json_builder_new ();
              g_autoptr(JsonNode) node = NULL;

              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "output");
              json_builder_add_string_value (builder, render.output);
              json_builder_set_member_name (builder, "format");
              json_builder_add_string_value (builder, jm_chart_format_to_string (format));
              json_builder_set_member_name (builder, "chart");
              json_builder_add_string_value (builder, jm_chart_renderer_get_kind (chart));
              json_builder_set_member_name (builder, "width");
              json_builder_add_int_value (builder, render.width);
              json_builder_set_member_name (builder, "height");
              json_builder_add_int_value (builder, render.height);
              json_builder_end_object (builder);
              node = json_builder_get_root (builder);
              jm_cli_print_json (node);
            }
          else
            g_print ("Wrote the %s chart to %s (%d × %d, %s)\n",
                     jm_chart_renderer_get_kind (chart), render.output, render.width,
                     render.height, jm_chart_format_to_string (format));
        }
    }

  render_clear (&render);
  return status;
}

static int
run_graph (int    argc,
           char **argv)
{
  return render_run (JM_ANALYSIS_GRAPH, argc, argv);
}

static int
run_paths (int    argc,
           char **argv)
{
  return render_run (JM_ANALYSIS_PATHS, argc, argv);
}

static int
run_funnel (int    argc,
            char **argv)
{
  return render_run (JM_ANALYSIS_FUNNEL, argc, argv);
}

static int
run_retention (int    argc,
               char **argv)
{
  return render_run (JM_ANALYSIS_RETENTION, argc, argv);
}

static int
run_attribution (int    argc,
                 char **argv)
{
  return render_run (JM_ANALYSIS_ATTRIBUTION, argc, argv);
}

static const JmCliCommand render_commands[] = {
  { "graph", "The journey map (directly-follows graph)", run_graph },
  { "paths", "Path flows from or to an event (Sankey)", run_paths },
  { "funnel", "A conversion funnel", run_funnel },
  { "retention", "A retention heat table", run_retention },
  { "attribution", "Attribution bars by channel and model", run_attribution },
};

int
jm_cli_run_render (int    argc,
                   char **argv)
{
  return jm_cli_dispatch ("render", render_commands, G_N_ELEMENTS (render_commands),
                          argc, argv);
}
