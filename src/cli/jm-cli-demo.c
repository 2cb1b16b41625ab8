/* jm-cli-demo.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "jm-cli-private.h"

static void
demo_progress_cb (guint64  customers_done,
                  guint64  customers_total,
                  gpointer user_data)
{
  g_printerr ("\rGenerating demo data: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " customers",
              customers_done, customers_total);
  if (customers_done == customers_total)
    g_printerr ("\n");
}

static gboolean
parse_count (const char *text,
             guint64     min,
             guint64     max,
             guint64    *out)
{
  g_autoptr(GError) error = NULL;

  return g_ascii_string_to_unsigned (text, 10, min, max, out, &error);
}

int
jm_cli_run_demo (int    argc,
                 char **argv)
{
  JmCliCommon common = { 0 };
  g_autofree char *customers_text = NULL;
  g_autofree char *days_text = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *end_date = NULL;
  gboolean replace = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  JmDemoOptions options;
  JmDemoReport report = { 0 };
  int status = JM_CLI_EXIT_OK;
  guint64 value;
  gint64 project;
  GOptionEntry demo_entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_STRING, &customers_text,
      "Number of customers (default 5000)", "N" },
    { "days", 0, 0, G_OPTION_ARG_STRING, &days_text, "Length of the period in days (default 90)", "D" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Random seed (default 42)", "S" },
    { "end-date", 0, 0, G_OPTION_ARG_STRING, &end_date,
      "Last day of the period, YYYY-MM-DD (default " JM_DEMO_DEFAULT_END_DATE ")", "DATE" },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace,
      "Delete the workspace's events first", NULL },
    { NULL }
  };

  jm_demo_options_init (&options);

  context = g_option_context_new ("- generate the deterministic demo data");
  g_option_context_set_description (context,
                                    "The same seed and options always give the same data.");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, demo_entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    {
      status = JM_CLI_EXIT_USAGE;
      goto out;
    }

  if (argc > 1)
    {
      status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
      goto out;
    }

  if (customers_text != NULL)
    {
      if (!parse_count (customers_text, 1, 100000000, &value))
        {
          status = jm_cli_usage ("--customers must be a number from 1 to 100000000, not “%s”",
                                 customers_text);
          goto out;
        }
      options.customers = value;
    }

  if (days_text != NULL)
    {
      if (!parse_count (days_text, 1, 3650, &value))
        {
          status = jm_cli_usage ("--days must be a number from 1 to 3650, not “%s”", days_text);
          goto out;
        }
      options.days = value;
    }

  if (seed_text != NULL)
    {
      if (!parse_count (seed_text, 0, G_MAXUINT64, &value))
        {
          status = jm_cli_usage ("--seed must be a non-negative number, not “%s”", seed_text);
          goto out;
        }
      options.seed = value;
    }

  if (end_date != NULL)
    {
      gint64 day_ms;

      if (strlen (end_date) != 10 || !jm_time_parse (end_date, &day_ms))
        {
          status = jm_cli_usage ("--end-date must be a date like 2026-06-30, not “%s”", end_date);
          goto out;
        }
      options.end_ms = day_ms + G_GINT64_CONSTANT (86400000);
    }

  if ((store = jm_cli_open_store (&common, &error)) == NULL ||
      !jm_cli_lookup_project (store, &common, &project, &error) ||
      (stats = jm_store_get_stats (store, &error)) == NULL)
    {
      status = jm_cli_fail (error);
      goto out;
    }

  if (stats->events > 0)
    {
      if (!replace)
        {
          g_printerr ("%s: “%s” already holds %" G_GINT64_FORMAT " events; "
                      "use --replace to delete them and generate anew\n",
                      g_get_prgname (), jm_store_get_path (store), stats->events);
          status = JM_CLI_EXIT_FAILURE;
          goto out;
        }

      if (!jm_store_clear_events (store, &error))
        {
          status = jm_cli_fail (error);
          goto out;
        }
    }

  if (!jm_demo_generate (store, project, &options,
                         jm_cli_stderr_is_terminal () ? demo_progress_cb : NULL, NULL,
                         NULL, &report, &error))
    {
      status = jm_cli_fail (error);
      goto out;
    }

  if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "customers");
      json_builder_add_int_value (builder, report.customers);
      json_builder_set_member_name (builder, "events");
      json_builder_add_int_value (builder, report.events);
      json_builder_set_member_name (builder, "purchases");
      json_builder_add_int_value (builder, report.purchases);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_double_value (builder, report.seconds);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      jm_cli_print_json (node);
    }
  else
    {
      g_print ("Generated %" G_GUINT64_FORMAT " customers, %" G_GUINT64_FORMAT " events "
               "and %" G_GUINT64_FORMAT " purchases in %.1f s into %s\n",
               report.customers, report.events, report.purchases, report.seconds,
               jm_store_get_path (store));
    }

out:
  jm_cli_common_clear (&common);
  return status;
}
