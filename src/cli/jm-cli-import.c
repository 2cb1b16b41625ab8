/* jm-cli-import.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-cli-private.h"

typedef struct
{
  gboolean terminal;
  gint64   last_report_us;
  gint64   started_us;
  gboolean printed;
} ImportProgress;

static void
import_progress_cb (const char *file,
                    guint64     bytes_read,
                    guint64     bytes_total,
                    guint64     events,
                    gpointer    user_data)
{
  ImportProgress *progress = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 interval = progress->terminal ? G_USEC_PER_SEC / 4 : 10 * G_USEC_PER_SEC;
  g_autofree char *base = g_path_get_basename (file);

  /* Short imports stay quiet; long ones say how far they are, and a log (no terminal)
   * gets a line now and then rather than a stream of carriage returns.
   */
  if (now - progress->started_us < G_USEC_PER_SEC || now - progress->last_report_us < interval)
    return;
  progress->last_report_us = now;
  progress->printed = TRUE;

  if (bytes_total > 0)
    g_printerr ("%s%s: %.0f%%, %" G_GUINT64_FORMAT " events%s",
                progress->terminal ? "\r" : "", base,
                100.0 * MIN (bytes_read, bytes_total) / bytes_total, events,
                progress->terminal ? "   " : "\n");
  else
    g_printerr ("%s%s: %" G_GUINT64_FORMAT " events%s", progress->terminal ? "\r" : "", base,
                events, progress->terminal ? "   " : "\n");
}

static void
print_report_text (const JmImportReport *report)
{
  g_print ("Imported %" G_GUINT64_FORMAT " events from %u file%s in %.1f s "
           "(%" G_GUINT64_FORMAT " duplicates, %" G_GUINT64_FORMAT " rejected, "
           "%" G_GUINT64_FORMAT " dropped by consent policy)\n",
           report->imported, report->files->len, report->files->len == 1 ? "" : "s",
           report->seconds, report->duplicates, report->rejected, report->dropped);

  for (guint i = 0; i < report->errors->len; i++)
    {
      JmImportError *error = g_ptr_array_index (report->errors, i);

      if (error->field != NULL)
        g_print ("%s:%" G_GUINT64_FORMAT ": %s: %s\n", error->file, error->line,
                 error->field, error->reason);
      else
        g_print ("%s:%" G_GUINT64_FORMAT ": %s\n", error->file, error->line, error->reason);
    }

  if (report->rejected > report->errors->len)
    g_print ("… and %" G_GUINT64_FORMAT " more rejected records\n",
             report->rejected - report->errors->len);
}

int
jm_cli_run_import (int    argc,
                   char **argv)
{
  JmCliCommon common = { 0 };
  g_autofree char *input_format_name = NULL;
  g_auto(GStrv) mappings = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  JmInputFormat input_format = JM_INPUT_FORMAT_AUTO;
  ImportProgress progress = { 0 };
  int status = JM_CLI_EXIT_OK;
  gint64 project;
  GOptionEntry import_entries[] = {
    { "input-format", 0, 0, G_OPTION_ARG_STRING, &input_format_name,
      "auto (default), ndjson, json or csv", "FORMAT" },
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &mappings,
      "Map a CSV column to a field (userId, event, timestamp, properties.X, …); repeatable",
      "COLUMN=FIELD" },
    { NULL }
  };

  context = g_option_context_new ("FILE… - import event files");
  g_option_context_set_description (context,
    "Formats: Segment-spec messages as NDJSON, a JSON array or {\"batch\":[…]}; Mixpanel\n"
    "export lines; CSV with a header. Gzipped files are recognised. Importing the same file\n"
    "again adds nothing. Bad records are reported with their line and never stop the rest.");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, import_entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    {
      status = JM_CLI_EXIT_USAGE;
      goto out;
    }

  if (argc < 2)
    {
      status = jm_cli_usage ("no file to import given");
      goto out;
    }

  if (input_format_name != NULL && !jm_input_format_from_string (input_format_name, &input_format))
    {
      status = jm_cli_usage ("unknown input format “%s” (auto, ndjson, json or csv)",
                             input_format_name);
      goto out;
    }

  if ((store = jm_cli_open_store (&common, &error)) == NULL ||
      !jm_cli_lookup_project (store, &common, &project, &error))
    {
      status = jm_cli_fail (error);
      goto out;
    }

  importer = jm_importer_new (store, project);
  jm_importer_set_input_format (importer, input_format);
  for (guint i = 0; mappings != NULL && mappings[i] != NULL; i++)
    {
      if (!jm_importer_add_mapping (importer, mappings[i], &error))
        {
          status = jm_cli_usage ("%s", error->message);
          goto out;
        }
    }

  progress.terminal = jm_cli_stderr_is_terminal ();
  progress.started_us = g_get_monotonic_time ();
  jm_importer_set_progress_func (importer, import_progress_cb, &progress);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i]);
      g_autoptr(GError) file_error = NULL;

      if (!jm_importer_import_file (importer, file, NULL, &file_error))
        {
          /* One unreadable file does not stop the others; the exit status tells. */
          jm_cli_fail (file_error);
          status = JM_CLI_EXIT_FAILURE;
        }
    }

  if (progress.printed && progress.terminal)
    g_printerr ("\n");

  if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonNode) node = jm_import_report_to_json (jm_importer_get_report (importer));

      jm_cli_print_json (node);
    }
  else
    print_report_text (jm_importer_get_report (importer));

out:
  jm_cli_common_clear (&common);
  return status;
}
