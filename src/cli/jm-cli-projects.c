/* jm-cli-projects.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-cli-private.h"

static int
run_create (int    argc,
            char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  gint64 id;

  context = g_option_context_new ("NAME - create a project");
  entries = jm_cli_common_entries (&common, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc != 2)
    status = jm_cli_usage ("expected one project name");
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_store_create_project (store, argv[1], &id, &error))
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    jm_cli_print_confirmation ("name", argv[1], NULL);
  else
    g_print ("Created project “%s”\n", argv[1]);

  jm_cli_common_clear (&common);
  return status;
}

static int
run_list (int    argc,
          char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;

  context = g_option_context_new ("- list the projects of a workspace");
  entries = jm_cli_common_entries (&common, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, TRUE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           (projects = jm_store_list_projects (store, &error)) == NULL)
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "projects");
      json_builder_begin_array (builder);
      for (guint i = 0; i < projects->len; i++)
        {
          json_builder_begin_object (builder);
          jm_project_add_json_members (g_ptr_array_index (projects, i), builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      jm_cli_print_json (node);
    }
  else if (common.format == JM_OUTPUT_CSV)
    {
      const char *columns[] = { "name", "created", "events", NULL };
      g_autoptr(JmTable) table = jm_table_new (columns);

      for (guint i = 0; i < projects->len; i++)
        {
          JmProject *project = g_ptr_array_index (projects, i);
          char *cells[] = {
            g_strdup (project->name),
            jm_time_format_iso (project->created),
            g_strdup_printf ("%" G_GINT64_FORMAT, project->events),
          };

          jm_table_add_row (table, cells);
        }
      jm_cli_print_table (table);
    }
  else
    {
      g_print ("%-24s %-24s %12s\n", "PROJECT", "CREATED", "EVENTS");
      for (guint i = 0; i < projects->len; i++)
        {
          JmProject *project = g_ptr_array_index (projects, i);
          g_autofree char *created = jm_time_format_iso (project->created);

          g_print ("%-24s %-24s %12" G_GINT64_FORMAT "\n", project->name, created, project->events);
        }
    }

  jm_cli_common_clear (&common);
  return status;
}

static const JmCliCommand project_commands[] = {
  { "create", "Create a project", run_create },
  { "list", "List projects", run_list },
};

int
jm_cli_run_projects (int    argc,
                     char **argv)
{
  return jm_cli_dispatch ("projects", project_commands, G_N_ELEMENTS (project_commands),
                          argc, argv);
}
