/* jm-cli-common.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jm-cli-private.h"

GOptionEntry *
jm_cli_common_entries (JmCliCommon *common,
                       gboolean     with_project)
{
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &common->db,
      "Workspace file (default: the user's workspace, created when missing)", "PATH" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &common->format_name,
      "Output format: text, json or csv", "FORMAT" },
    { "project", 0, 0, G_OPTION_ARG_STRING, &common->project,
      "Project (default: “default”)", "NAME" },
    { NULL }
  };

  if (!with_project)
    entries[2] = (GOptionEntry) { NULL };

  return g_memdup2 (entries, sizeof entries);
}

void
jm_cli_common_clear (JmCliCommon *common)
{
  g_clear_pointer (&common->db, g_free);
  g_clear_pointer (&common->format_name, g_free);
  g_clear_pointer (&common->project, g_free);
}

gboolean
jm_cli_parse (GOptionContext   *context,
              JmCliCommon      *common,
              gboolean          allow_csv,
              int              *argc,
              char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s: %s (try --help)\n", g_get_prgname (), error->message);
      return FALSE;
    }

  if (common->format_name == NULL || g_str_equal (common->format_name, "text"))
    common->format = JM_OUTPUT_TEXT;
  else if (g_str_equal (common->format_name, "json"))
    common->format = JM_OUTPUT_JSON;
  else if (g_str_equal (common->format_name, "csv") && allow_csv)
    common->format = JM_OUTPUT_CSV;
  else
    {
      if (g_str_equal (common->format_name, "csv"))
        g_printerr ("%s: this result is not a table; use --format text or json\n",
                    g_get_prgname ());
      else
        g_printerr ("%s: unknown output format “%s” (text, json%s)\n",
                    g_get_prgname (), common->format_name, allow_csv ? ", csv" : "");
      return FALSE;
    }

  return TRUE;
}

char *
jm_cli_dup_default_db (void)
{
  return g_build_filename (g_get_user_data_dir (), "journeymapper", "default.jmw", NULL);
}

JmStore *
jm_cli_open_store (JmCliCommon  *common,
                   GError      **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  path = common->db != NULL ? g_strdup (common->db) : jm_cli_dup_default_db ();

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create the folder “%s”: %s", dir, g_strerror (saved_errno));
      return NULL;
    }

  return jm_store_open (path, JM_STORE_OPEN_DEFAULT, error);
}

gboolean
jm_cli_lookup_project (JmStore      *store,
                       JmCliCommon  *common,
                       gint64       *out_id,
                       GError      **error)
{
  return jm_store_lookup_project (store, common->project, out_id, error);
}

int
jm_cli_usage (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", g_get_prgname (), message);
  return JM_CLI_EXIT_USAGE;
}

int
jm_cli_fail (const GError *error)
{
  g_autofree char *one_line = g_strdup (error->message);

  g_strdelimit (one_line, "\n\r", ' ');
  g_printerr ("%s: %s\n", g_get_prgname (), one_line);
  return JM_CLI_EXIT_FAILURE;
}

void
jm_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

void
jm_cli_print_confirmation (const char *member,
                           const char *value,
                           const char *flag)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
  if (flag != NULL)
    {
      json_builder_set_member_name (builder, flag);
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  jm_cli_print_json (node);
}

void
jm_cli_print_table (const JmTable *table)
{
  g_autofree char *csv = jm_table_to_csv (table);

  g_print ("%s", csv);
}

char *
jm_cli_format_time (gint64 ms)
{
  if (ms == 0)
    return g_strdup ("—");

  return jm_time_format_iso (ms);
}

gboolean
jm_cli_stderr_is_terminal (void)
{
  return isatty (STDERR_FILENO);
}

int
jm_cli_dispatch (const char         *group,
                 const JmCliCommand *commands,
                 guint               n_commands,
                 int                 argc,
                 char              **argv)
{
  if (argc >= 2 && !g_str_equal (argv[1], "--help") && !g_str_equal (argv[1], "-h"))
    {
      for (guint i = 0; i < n_commands; i++)
        {
          if (g_str_equal (argv[1], commands[i].name))
            {
              g_autofree char *prgname = g_strdup_printf ("journeymapper-cli %s %s",
                                                          group, commands[i].name);

              g_set_prgname (prgname);
              return commands[i].run (argc - 1, argv + 1);
            }
        }
    }

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("Usage: journeymapper-cli %s COMMAND [OPTION…]\n\nCommands:\n", group);
      for (guint i = 0; i < n_commands; i++)
        g_print ("  %-10s %s\n", commands[i].name, commands[i].summary);
      g_print ("\nRun “journeymapper-cli %s COMMAND --help” for a command's options.\n", group);
      return JM_CLI_EXIT_OK;
    }

  if (argc < 2)
    g_printerr ("journeymapper-cli %s: missing command (", group);
  else
    g_printerr ("journeymapper-cli %s: unknown command “%s” (", group, argv[1]);
  for (guint i = 0; i < n_commands; i++)
    g_printerr ("%s%s", i > 0 ? ", " : "", commands[i].name);
  g_printerr (")\n");

  return JM_CLI_EXIT_USAGE;
}
