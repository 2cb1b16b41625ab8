/* bench-import.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How fast files are imported: the demo's messages are written once as NDJSON (Segment
 * messages, one a line) and once as a flat CSV export, each is imported into a fresh
 * workspace, and the rates are printed with the workspace bytes per event.
 */

#define G_LOG_DOMAIN "jm-bench"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "journey.h"

#define FLUSH_BYTES (1024 * 1024)

/* The CSV export's columns: Segment fields, then flat property, context and trait columns.
 * `source` says where the value comes from: "" a top-level field handled in code,
 * "p:NAME" properties.NAME, "c:NAME" context.NAME, "pg:NAME" context.page.NAME,
 * "cp:NAME" context.campaign.NAME, "t:NAME" traits.NAME.
 */
static const struct
{
  const char *column;
  const char *source;
} csv_columns[] = {
  { "type", "" },
  { "message_id", "" },
  { "timestamp", "" },
  { "user_id", "" },
  { "anonymous_id", "" },
  { "event", "" },
  { "name", "" },
  { "session_id", "c:session_id" },
  { "url", "pg:url" },
  { "referrer", "pg:referrer" },
  { "title", "pg:title" },
  { "utm_source", "cp:source" },
  { "utm_medium", "cp:medium" },
  { "utm_campaign", "cp:name" },
  { "user_agent", "c:userAgent" },
  { "ip", "c:ip" },
  { "locale", "c:locale" },
  { "product_id", "p:product_id" },
  { "category", "p:category" },
  { "price", "p:price" },
  { "quantity", "p:quantity" },
  { "query", "p:query" },
  { "revenue", "p:revenue" },
  { "order_id", "p:order_id" },
  { "products", "p:products" },
  { "currency", "p:currency" },
  { "email", "t:email" },
  { "trait_plan", "t:plan" },
  { "country", "t:country" },
  { "signup_date", "t:signup_date" },
};

/* Columns the importer does not place by itself. */
static const char * const csv_mappings[] = {
  "user_agent=context.userAgent",
  "ip=context.ip",
  "locale=context.locale",
  "email=traits.email",
  "trait_plan=traits.plan",
  "country=traits.country",
  "signup_date=traits.signup_date",
};

static double
seconds_since (gint64 began)
{
  return (g_get_monotonic_time () - began) / (double) G_USEC_PER_SEC;
}

static gboolean
flush_buffer (GOutputStream  *stream,
              GString        *buffer,
              GError        **error)
{
  if (!g_output_stream_write_all (stream, buffer->str, buffer->len, NULL, NULL, error))
    return FALSE;

  g_string_truncate (buffer, 0);

  return TRUE;
}

static void
append_csv_field (GString    *buffer,
                  const char *value)
{
  if (value == NULL)
    return;

  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (buffer, value);
      return;
    }

  g_string_append_c (buffer, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (buffer, '"');
      g_string_append_c (buffer, *p);
    }
  g_string_append_c (buffer, '"');
}

/* A JSON scalar as a CSV cell; NULL when missing or not a scalar. */
static char *
dup_cell (JsonObject *object,
          const char *member)
{
  JsonNode *node;
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      g_ascii_formatd (buffer, sizeof buffer, "%.15g", json_node_get_double (node));
      return g_strdup (buffer);
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static void
append_csv_record (GString       *buffer,
                   const JmEvent *event)
{
  for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
    {
      const char *column = csv_columns[i].column;
      const char *source = csv_columns[i].source;
      g_autofree char *value = NULL;

      if (i > 0)
        g_string_append_c (buffer, ',');

      if (strcmp (column, "type") == 0)
        value = g_strdup (jm_event_type_to_string (event->type));
      else if (strcmp (column, "message_id") == 0)
        value = g_strdup (event->id);
      else if (strcmp (column, "timestamp") == 0)
        value = jm_time_format_iso (event->ts);
      else if (strcmp (column, "user_id") == 0)
        value = g_strdup (event->user_id);
      else if (strcmp (column, "anonymous_id") == 0)
        value = g_strdup (event->anonymous_id);
      else if (strcmp (column, "event") == 0)
        value = event->type == JM_EVENT_TRACK ? g_strdup (event->event) : NULL;
      else if (strcmp (column, "name") == 0)
        value = event->type != JM_EVENT_TRACK ? g_strdup (event->event) : NULL;
      else if (g_str_has_prefix (source, "p:"))
        value = dup_cell (event->properties, source + 2);
      else if (g_str_has_prefix (source, "c:"))
        value = dup_cell (event->context, source + 2);
      else if (g_str_has_prefix (source, "pg:"))
        value = dup_cell (get_object (event->context, "page"), source + 3);
      else if (g_str_has_prefix (source, "cp:"))
        value = dup_cell (get_object (event->context, "campaign"), source + 3);
      else if (g_str_has_prefix (source, "t:"))
        value = dup_cell (event->traits, source + 2);

      append_csv_field (buffer, value);
    }

  g_string_append (buffer, "\r\n");
}

static void
append_ndjson_line (GString       *buffer,
                    const JmEvent *event)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), jm_event_to_json (event));
  g_autofree char *line = json_to_string (node, FALSE);

  g_string_append (buffer, line);
  g_string_append_c (buffer, '\n');
}

static GOutputStream *
create_file (const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error));
}

/* The demo's messages as NDJSON and CSV files; returns the number of messages. */
static gboolean
write_files (const JmDemoOptions  *options,
             const char           *ndjson_path,
             const char           *csv_path,
             guint64              *out_events,
             GError              **error)
{
  g_autoptr(JmDemo) demo = jm_demo_new (options);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  g_autoptr(GOutputStream) ndjson = NULL;
  g_autoptr(GOutputStream) csv = NULL;
  g_autoptr(GString) ndjson_buffer = g_string_sized_new (2 * FLUSH_BYTES);
  g_autoptr(GString) csv_buffer = g_string_sized_new (2 * FLUSH_BYTES);
  guint64 n_events = 0;

  if (!(ndjson = create_file (ndjson_path, error)) || !(csv = create_file (csv_path, error)))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
    {
      if (i > 0)
        g_string_append_c (csv_buffer, ',');
      g_string_append (csv_buffer, csv_columns[i].column);
    }
  g_string_append (csv_buffer, "\r\n");

  while (jm_demo_next_customer (demo, events))
    {
      for (guint i = 0; i < events->len; i++)
        {
          const JmEvent *event = g_ptr_array_index (events, i);

          append_ndjson_line (ndjson_buffer, event);
          append_csv_record (csv_buffer, event);
        }
      n_events += events->len;
      g_ptr_array_set_size (events, 0);

      if ((ndjson_buffer->len >= FLUSH_BYTES && !flush_buffer (ndjson, ndjson_buffer, error)) ||
          (csv_buffer->len >= FLUSH_BYTES && !flush_buffer (csv, csv_buffer, error)))
        return FALSE;
    }

  if (!flush_buffer (ndjson, ndjson_buffer, error) || !flush_buffer (csv, csv_buffer, error) ||
      !g_output_stream_close (ndjson, NULL, error) || !g_output_stream_close (csv, NULL, error))
    return FALSE;

  *out_events = n_events;

  return TRUE;
}

static guint64
file_size (const char *path)
{
  GStatBuf buf;

  return g_stat (path, &buf) == 0 ? (guint64) buf.st_size : 0;
}

static void
remove_workspace (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *log = g_strconcat (path, ".log", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (log);
}

static gboolean
bench_import (const char     *label,
              const char     *input_path,
              JmInputFormat   format,
              const char     *workspace_path,
              guint64         n_events,
              GError        **error)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmImporter) importer = NULL;
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (input_path);
  const JmImportReport *report;
  gint64 project;
  gint64 began;
  double seconds;

  if (!(store = jm_store_open (workspace_path, JM_STORE_OPEN_DEFAULT, error)) ||
      !jm_store_lookup_project (store, NULL, &project, error))
    return FALSE;

  importer = jm_importer_new (store, project);
  jm_importer_set_input_format (importer, format);
  if (format == JM_INPUT_FORMAT_CSV)
    {
      for (guint i = 0; i < G_N_ELEMENTS (csv_mappings); i++)
        if (!jm_importer_add_mapping (importer, csv_mappings[i], error))
          return FALSE;
    }

  began = g_get_monotonic_time ();
  if (!jm_importer_import_file (importer, file, NULL, error))
    return FALSE;
  seconds = seconds_since (began);

  report = jm_importer_get_report (importer);
  if (!(stats = jm_store_get_stats (store, error)))
    return FALSE;

  g_print ("%-7s %.1f MB, %" G_GUINT64_FORMAT " imported, %" G_GUINT64_FORMAT " rejected, "
           "%" G_GUINT64_FORMAT " duplicates in %.2f s: %.0f events/s, %.1f MB/s\n",
           label, file_size (input_path) / 1e6, report->imported, report->rejected,
           report->duplicates, seconds, report->imported / seconds,
           file_size (input_path) / 1e6 / seconds);
  g_print ("        workspace %.1f MB: %.0f bytes/event\n", stats->file_bytes / 1e6,
           (double) stats->file_bytes / MAX (stats->events, 1));

  if (report->imported != n_events)
    g_print ("        (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " messages stored; "
             "first error: %s)\n", report->imported, n_events,
             report->errors->len > 0
               ? ((JmImportError *) g_ptr_array_index (report->errors, 0))->reason : "none");

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *ndjson_path = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *ndjson_workspace = NULL;
  g_autofree char *csv_workspace = NULL;
  JmDemoOptions options;
  int customers = 2000;
  gboolean keep = FALSE;
  guint64 n_events = 0;
  gint64 began;
  int status = 0;
  GOptionEntry entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers,
      "Demo customers to write (default 2000, about 80,000 events)", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      "Folder for the files (default: a temporary one, removed afterwards)", "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the files and workspaces", NULL },
    { NULL }
  };

  context = g_option_context_new ("- time the import of NDJSON and CSV files");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-import: %s\n", error->message);
      return 2;
    }
  if (customers < 1)
    {
      g_printerr ("bench-import: --customers must be positive\n");
      return 2;
    }

  if (dir == NULL)
    {
      if (!(dir = g_dir_make_tmp ("journeymapper-bench-import-XXXXXX", &error)))
        {
          g_printerr ("bench-import: %s\n", error->message);
          return 1;
        }
    }
  else
    {
      keep = TRUE;
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_printerr ("bench-import: cannot create %s: %s\n", dir, g_strerror (errno));
          return 1;
        }
    }

  ndjson_path = g_build_filename (dir, "demo.ndjson", NULL);
  csv_path = g_build_filename (dir, "demo.csv", NULL);
  ndjson_workspace = g_build_filename (dir, "ndjson.jmw", NULL);
  csv_workspace = g_build_filename (dir, "csv.jmw", NULL);
  remove_workspace (ndjson_workspace);
  remove_workspace (csv_workspace);

  jm_demo_options_init (&options);
  options.customers = customers;

  g_print ("bench-import: %d demo customers\n", customers);

  began = g_get_monotonic_time ();
  if (!write_files (&options, ndjson_path, csv_path, &n_events, &error))
    {
      g_printerr ("bench-import: %s\n", error->message);
      status = 1;
      goto out;
    }
  g_print ("written %" G_GUINT64_FORMAT " events in %.2f s: NDJSON %.1f MB (%.0f bytes/event), "
           "CSV %.1f MB (%.0f bytes/event)\n",
           n_events, seconds_since (began),
           file_size (ndjson_path) / 1e6, (double) file_size (ndjson_path) / MAX (n_events, 1),
           file_size (csv_path) / 1e6, (double) file_size (csv_path) / MAX (n_events, 1));

  if (!bench_import ("ndjson:", ndjson_path, JM_INPUT_FORMAT_NDJSON, ndjson_workspace,
                     n_events, &error) ||
      !bench_import ("csv:", csv_path, JM_INPUT_FORMAT_CSV, csv_workspace, n_events, &error))
    {
      g_printerr ("bench-import: %s\n", error->message);
      status = 1;
    }

out:
  if (!keep)
    {
      g_unlink (ndjson_path);
      g_unlink (csv_path);
      remove_workspace (ndjson_workspace);
      remove_workspace (csv_workspace);
      g_rmdir (dir);
    }

  return status;
}
