/* jm-cli-segments.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-cli-private.h"

/* Reads one customer id per line; blank lines and lines starting with '#' are skipped. */
static GPtrArray *
read_units_file (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *id = g_strstrip (lines[i]);

      if (*id == '\0' || *id == '#')
        continue;
      if (!g_utf8_validate (id, -1, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u: not UTF-8 text", path, i + 1);
          return NULL;
        }
      g_ptr_array_add (ids, g_strdup (id));
    }

  return g_steal_pointer (&ids);
}

static int
run_create (int    argc,
            char **argv)
{
  JmCliCommon common = { 0 };
  g_autofree char *where = NULL;
  g_autofree char *units_file = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  gint64 project;
  GOptionEntry segment_entries[] = {
    { "where", 0, 0, G_OPTION_ARG_STRING, &where,
      "A filter segment: the customers and events this expression selects", "EXPR" },
    { "units-file", 0, 0, G_OPTION_ARG_FILENAME, &units_file,
      "A list segment: customer ids, one per line", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("NAME (--where EXPR | --units-file FILE) - save a segment");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, segment_entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc != 2)
    status = jm_cli_usage ("expected one segment name");
  else if ((where == NULL) == (units_file == NULL))
    status = jm_cli_usage ("give either --where or --units-file");
  else if (units_file != NULL && (ids = read_units_file (units_file, &error)) == NULL)
    status = jm_cli_fail (error);
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_cli_lookup_project (store, &common, &project, &error))
    status = jm_cli_fail (error);
  else if (where != NULL && !jm_store_create_filter_segment (store, project, argv[1], where, &error))
    status = g_error_matches (error, JM_WHERE_ERROR, JM_WHERE_ERROR_SYNTAX)
               ? jm_cli_usage ("--where: %s", error->message)
               : jm_cli_fail (error);
  else if (ids != NULL &&
           !jm_store_create_list_segment (store, project, argv[1],
                                          (const char * const *) ids->pdata, ids->len, &error))
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, argv[1]);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, where != NULL ? "filter" : "list");
      if (ids != NULL)
        {
          json_builder_set_member_name (builder, "customers");
          json_builder_add_int_value (builder, ids->len);
        }
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      jm_cli_print_json (node);
    }
  else if (ids != NULL)
    g_print ("Saved segment “%s” of %u customers\n", argv[1], ids->len);
  else
    g_print ("Saved segment “%s”: %s\n", argv[1], where);

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
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JmTable) table = NULL;
  int status = JM_CLI_EXIT_OK;
  gint64 project;
  const char *columns[] = { "name", "kind", "where", "customers", "created", NULL };

  context = g_option_context_new ("- list the saved segments");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, TRUE, &argc, &argv))
    {
      jm_cli_common_clear (&common);
      return JM_CLI_EXIT_USAGE;
    }

  if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_cli_lookup_project (store, &common, &project, &error) ||
           (segments = jm_store_list_segments (store, project, &error)) == NULL)
    status = jm_cli_fail (error);

  if (status != JM_CLI_EXIT_OK)
    {
      jm_cli_common_clear (&common);
      return status;
    }

  table = jm_table_new (columns);
  for (guint i = 0; i < segments->len; i++)
    {
      JmSegment *segment = g_ptr_array_index (segments, i);
      char *cells[] = {
        g_strdup (segment->name),
        g_strdup (jm_segment_kind_to_string (segment->kind)),
        g_strdup (segment->where),
        segment->customer_ids != NULL ? g_strdup_printf ("%u", segment->customer_ids->len) : NULL,
        jm_time_format_iso (segment->created),
      };

      jm_table_add_row (table, cells);
    }

  if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "segments");
      json_builder_begin_array (builder);
      for (guint i = 0; i < segments->len; i++)
        {
          JmSegment *segment = g_ptr_array_index (segments, i);
          g_autofree char *created = jm_time_format_iso (segment->created);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, segment->name);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, jm_segment_kind_to_string (segment->kind));
          json_builder_set_member_name (builder, "where");
          if (segment->where != NULL)
            json_builder_add_string_value (builder, segment->where);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "customers");
          if (segment->customer_ids != NULL)
            json_builder_add_int_value (builder, segment->customer_ids->len);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "created");
          json_builder_add_string_value (builder, created);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      jm_cli_print_json (node);
    }
  else if (common.format == JM_OUTPUT_CSV)
    jm_cli_print_table (table);
  else
    {
      if (segments->len == 0)
        g_print ("No saved segments.\n");
      for (guint i = 0; i < segments->len; i++)
        {
          JmSegment *segment = g_ptr_array_index (segments, i);

          if (segment->kind == JM_SEGMENT_FILTER)
            g_print ("%-24s filter  %s\n", segment->name, segment->where);
          else
            g_print ("%-24s list    %u customers\n", segment->name, segment->customer_ids->len);
        }
    }

  jm_cli_common_clear (&common);
  return status;
}

static int
run_delete (int    argc,
            char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  gint64 project;

  context = g_option_context_new ("NAME - delete a saved segment");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc != 2)
    status = jm_cli_usage ("expected one segment name");
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_cli_lookup_project (store, &common, &project, &error) ||
           !jm_store_delete_segment (store, project, argv[1], &error))
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    jm_cli_print_confirmation ("name", argv[1], "deleted");
  else
    g_print ("Deleted segment “%s”\n", argv[1]);

  jm_cli_common_clear (&common);
  return status;
}

static const JmCliCommand segment_commands[] = {
  { "create", "Save a segment (a filter or a list of customers)", run_create },
  { "list", "List the saved segments", run_list },
  { "delete", "Delete a saved segment", run_delete },
};

int
jm_cli_run_segments (int    argc,
                     char **argv)
{
  return jm_cli_dispatch ("segments", segment_commands, G_N_ELEMENTS (segment_commands),
                          argc, argv);
}
