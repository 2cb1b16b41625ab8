/* jm-cli.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "jm-cli-private.h"

static const JmCliCommand commands[] = {
  { "demo", "Generate the deterministic demo data into a workspace", jm_cli_run_demo },
  { "import", "Import event files (NDJSON, JSON, CSV, gzipped too)", jm_cli_run_import },
  { "stats", "Summarize a workspace", jm_cli_run_stats },
  { "projects", "Create and list projects", jm_cli_run_projects },
  { "keys", "Create, list and revoke API keys", jm_cli_run_keys },
  { "customers", "List customers and show one customer's timeline", jm_cli_run_customers },
  { "analyze", "Journey graph, paths, funnels, retention and attribution", jm_cli_run_analyze },
  { "insights", "Automatic, evidence-backed insights", jm_cli_run_insights },
  { "render", "Draw a chart into an SVG, PNG or PDF file", jm_cli_run_render },
  { "segments", "Save, list and delete segments of customers", jm_cli_run_segments },
  { "layout", "Lay out charts from graph files (Sankey)", jm_cli_run_layout },
  { "serve", "Receive events over HTTP and stream them live", jm_cli_run_serve },
};

static void
print_help (void)
{
  g_print ("Usage: journeymapper-cli COMMAND [OPTION…]\n\n"
           "Customer-journey analysis, headless.\n\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-10s %s\n", commands[i].name, commands[i].summary);
  g_print ("\nEvery command takes --db PATH (default: %s)\n"
           "and --format text|json (csv where the result is a table).\n"
           "Run “journeymapper-cli COMMAND --help” for a command's options.\n",
           "$XDG_DATA_HOME/journeymapper/default.jmw");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_set_prgname ("journeymapper-cli");

  if (argc < 2)
    {
      print_help ();
      return JM_CLI_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_help ();
      return JM_CLI_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("journeymapper-cli %s\n", PACKAGE_VERSION);
      return JM_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("journeymapper-cli %s", commands[i].name);

          g_set_prgname (prgname);
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  g_printerr ("journeymapper-cli: unknown command “%s” (try --help)\n", argv[1]);
  return JM_CLI_EXIT_USAGE;
}
