/* jm-cli-stats.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-cli-private.h"

static const char * const type_order[] = {
  "track", "page", "screen", "identify", "alias", "group",
};

static gint64
count_of_type (JmStoreStats *stats,
               const char   *type)
{
  gint64 *count = g_hash_table_lookup (stats->by_type, type);

  return count != NULL ? *count : 0;
}

static JsonNode *
stats_to_json (JmStoreStats *stats)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "projects");
  json_builder_add_int_value (builder, stats->projects);
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, stats->events);
  json_builder_set_member_name (builder, "customers");
  json_builder_add_int_value (builder, stats->customers);
  json_builder_set_member_name (builder, "first_ts");
  if (stats->events > 0)
    json_builder_add_string_value (builder, (first = jm_time_format_iso (stats->first_ts)));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "last_ts");
  if (stats->events > 0)
    json_builder_add_string_value (builder, (last = jm_time_format_iso (stats->last_ts)));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "by_type");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (type_order); i++)
    {
      json_builder_set_member_name (builder, type_order[i]);
      json_builder_add_int_value (builder, count_of_type (stats, type_order[i]));
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "file_bytes");
  json_builder_add_int_value (builder, stats->file_bytes);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

int
jm_cli_run_stats (int    argc,
                  char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;

  context = g_option_context_new ("- summarize a workspace");
  entries = jm_cli_common_entries (&common, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           (stats = jm_store_get_stats (store, &error)) == NULL)
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonNode) node = stats_to_json (stats);

      jm_cli_print_json (node);
    }
  else
    {
      g_autofree char *first = jm_cli_format_time (stats->first_ts);
      g_autofree char *last = jm_cli_format_time (stats->last_ts);

      g_print ("Workspace  %s\n", jm_store_get_path (store));
      g_print ("Projects   %" G_GINT64_FORMAT "\n", stats->projects);
      g_print ("Events     %" G_GINT64_FORMAT "\n", stats->events);
      for (guint i = 0; i < G_N_ELEMENTS (type_order); i++)
        {
          gint64 count = count_of_type (stats, type_order[i]);

          if (count > 0)
            g_print ("  %-9s%" G_GINT64_FORMAT "\n", type_order[i], count);
        }
      g_print ("Customers  %" G_GINT64_FORMAT "\n", stats->customers);
      g_print ("First      %s\n", first);
      g_print ("Last       %s\n", last);
      g_print ("Size       %.1f MB (%.0f bytes per event)\n",
               stats->file_bytes / 1e6,
               stats->events > 0 ? (double) stats->file_bytes / stats->events : 0.0);
    }

  jm_cli_common_clear (&common);
  return status;
}
