/* bench-analysis.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The event log every analysis starts from: building it from a workspace (events/s), the
 * memory it takes per event, writing its cache beside the workspace, opening that cache
 * again (in this process, then in a fresh one, which is what a cold `journeymapper-cli
 * analyze` pays), loading a property column, and turning filters into units. Uses the
 * workspace given with --db, or generates a demo one in a temporary folder.
 */

#define G_LOG_DOMAIN "jm-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>

#include "journey.h"
#include "jm-event-log-private.h"
#include "jm-units.h"

static double
ms_since (gint64 began)
{
  return (g_get_monotonic_time () - began) / 1000.0;
}

/* CPU seconds of this process (user + system): wall time alone misleads on a busy machine. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;

  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;

  /* Linux reports kilobytes. */
  return usage.ru_maxrss / 1024.0;
}

static gsize
dictionary_bytes (JmEventLog *log)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (log);
  gsize bytes = 0;

  for (guint32 c = 0; c < columns->n_customers; c++)
    bytes += strlen (jm_event_log_get_customer_id (log, c)) + 1 + 4 + 1 + 4;
  for (guint k = 0; k < jm_event_log_get_n_names (log); k++)
    bytes += strlen (jm_event_log_get_name (log, k)) + 1 + 4;

  return bytes;
}

static int
open_only (const char *path,
           gint64      project)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 began;
  double opened;

  if (!(store = jm_store_open (path, JM_STORE_OPEN_NO_CREATE, &error)))
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 1;
    }

  began = g_get_monotonic_time ();
  log = jm_event_log_load (store, project, NULL, &error);
  opened = ms_since (began);

  if (log == NULL)
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 1;
    }

  g_print ("cold open (fresh process): %.1f ms for %u events, from the cache: %s\n",
           opened, jm_event_log_get_columns (log)->n_events,
           jm_event_log_is_mapped (log) ? "yes" : "no (rebuilt)");
  return 0;
}

static gboolean
bench (const char  *self_exe,
       const char  *path,
       GError     **error)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) built = NULL;
  g_autoptr(JmEventLog) written = NULL;
  g_autoptr(JmEventLog) mapped = NULL;
  g_autoptr(JmWhere) where = NULL;
  g_autoptr(JmUnits) units = NULL;
  g_autofree char *cache = NULL;
  const JmEventLogColumns *columns;
  const JmEventLogField *field;
  JmFilter filter;
  gint64 project;
  gint64 began;
  double cpu;
  double ms;
  gsize core;
  GStatBuf buf;

  if (!(store = jm_store_open (path, JM_STORE_OPEN_NO_CREATE, error)) ||
      !jm_store_lookup_project (store, NULL, &project, error))
    return FALSE;

  cache = jm_event_log_dup_cache_path (store, project);
  g_unlink (cache);

  began = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  built = jm_event_log_build (store, project, NULL, error);
  ms = ms_since (began);
  cpu = cpu_seconds () - cpu;
  if (built == NULL)
    return FALSE;

  columns = jm_event_log_get_columns (built);
  g_print ("build:      %u events, %u customers, %u sessions, %u names in %.0f ms "
           "(%.2f s CPU, %u part%s): %.0f events/s\n", columns->n_events, columns->n_customers,
           columns->n_sessions, jm_event_log_get_n_names (built), ms, cpu,
           built->n_scan_parts, built->n_scan_parts > 1 ? "s" : "",
           columns->n_events / (ms / 1000.0));

  core = (gsize)columns->n_events * (4 + 8 + 4 + 4 + 1);
  g_print ("memory:     %.1f bytes/event in the core columns (customer, ts, name, session, "
           "channel), %.1f with rowid, offsets and dictionaries; peak RSS %.0f MB\n",
           (double)core / MAX (columns->n_events, 1),
           (double)(core + (gsize)columns->n_events * 8 + dictionary_bytes (built)) /
             MAX (columns->n_events, 1),
           peak_rss_mb ());

  began = g_get_monotonic_time ();
  written = jm_event_log_load (store, project, NULL, error);
  ms = ms_since (began);
  if (written == NULL)
    return FALSE;
  if (g_stat (cache, &buf) == 0)
    g_print ("load+write: %.0f ms (build and write the cache, %.1f MB, %.1f bytes/event)\n",
             ms, buf.st_size / 1e6, (double)buf.st_size / MAX (columns->n_events, 1));
  else
    g_print ("load+write: %.0f ms, but no cache file was written\n", ms);

  began = g_get_monotonic_time ();
  mapped = jm_event_log_load (store, project, NULL, error);
  ms = ms_since (began);
  if (mapped == NULL)
    return FALSE;
  g_print ("warm open:  %.1f ms (mapped: %s)\n", ms,
           jm_event_log_is_mapped (mapped) ? "yes" : "no");

  /* What a new `journeymapper-cli analyze` pays: a fresh process, the file in the page
   * cache (drop the page cache by hand to see the disk).
   */
  if (self_exe != NULL)
    {
      g_autoptr(GError) spawn_error = NULL;
      const char *argv[5];

      argv[0] = self_exe;
      argv[1] = "--open-only";
      argv[2] = "--db";
      argv[3] = path;
      argv[4] = NULL;

      if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
                         NULL, NULL, NULL, NULL, NULL, &spawn_error))
        g_print ("cold open:  could not run itself: %s\n", spawn_error->message);
    }

  began = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  field = jm_event_log_get_field (mapped, "context.campaign.source", error);
  ms = ms_since (began);
  cpu = cpu_seconds () - cpu;
  if (field == NULL)
    return FALSE;
  g_print ("field:      context.campaign.source in %.0f ms (%.2f s CPU, %.0f events/s), "
           "%u values\n", ms, cpu, columns->n_events / (ms / 1000.0), field->n_values);

  jm_filter_init (&filter);
  began = g_get_monotonic_time ();
  units = jm_units_new (mapped, &filter, error);
  g_print ("units:      per customer, no filter: %u units in %.1f ms\n",
           units->n_units, ms_since (began));
  g_clear_pointer (&units, jm_units_free);

  filter.unit = JM_UNIT_SESSION;
  began = g_get_monotonic_time ();
  units = jm_units_new (mapped, &filter, error);
  g_print ("            per session, no filter: %u units in %.1f ms\n",
           units->n_units, ms_since (began));
  g_clear_pointer (&units, jm_units_free);

  where = jm_where_parse ("context.campaign.source exists or name ~ '^/product'", NULL, error);
  if (where == NULL)
    return FALSE;
  filter.unit = JM_UNIT_CUSTOMER;
  filter.where = where;
  filter.has_from = TRUE;
  filter.from_ms = columns->n_events > 0 ? columns->ts[0] : 0;
  began = g_get_monotonic_time ();
  units = jm_units_new (mapped, &filter, error);
  if (units == NULL)
    return FALSE;
  g_print ("            per customer, --from and --where: %u units, %u events in %.1f ms\n",
           units->n_units, units->n_events, ms_since (began));

  g_print ("peak memory: %.0f MB\n", peak_rss_mb ());

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *self_exe = NULL;
  int customers = 50000;
  gboolean keep = FALSE;
  gboolean open = FALSE;
  gboolean ok;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      "Workspace to read (default: a demo one generated in a temporary folder)", "PATH" },
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers,
      "Customers of the generated demo workspace (default 50000, about 2M events)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the generated workspace", NULL },
    { "open-only", 0, 0, G_OPTION_ARG_NONE, &open, "Only time opening the cache of --db", NULL },
    { NULL }
  };

  context = g_option_context_new ("- time the event log");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-analysis: %s\n", error->message);
      return 2;
    }

  if (open)
    {
      g_autoptr(JmStore) store = NULL;
      gint64 project;

      if (db == NULL)
        {
          g_printerr ("bench-analysis: --open-only needs --db\n");
          return 2;
        }
      if (!(store = jm_store_open (db, JM_STORE_OPEN_NO_CREATE, &error)) ||
          !jm_store_lookup_project (store, NULL, &project, &error))
        {
          g_printerr ("bench-analysis: %s\n", error->message);
          return 1;
        }
      g_clear_object (&store);
      return open_only (db, project);
    }

  if (db != NULL)
    path = g_strdup (db);
  else
    {
      g_autoptr(JmStore) store = NULL;
      JmDemoOptions options;
      JmDemoReport report = { 0 };
      gint64 project;

      if (customers < 1)
        {
          g_printerr ("bench-analysis: --customers must be positive\n");
          return 2;
        }

      if (!(dir = g_dir_make_tmp ("journeymapper-bench-analysis-XXXXXX", &error)))
        {
          g_printerr ("bench-analysis: %s\n", error->message);
          return 1;
        }
      path = g_build_filename (dir, "demo.jmw", NULL);

      jm_demo_options_init (&options);
      options.customers = customers;
      g_print ("bench-analysis: generating a demo workspace of %d customers…\n", customers);
      if (!(store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, &error)) ||
          !jm_store_lookup_project (store, NULL, &project, &error) ||
          !jm_demo_generate (store, project, &options, NULL, NULL, NULL, &report, &error))
        {
          g_printerr ("bench-analysis: %s\n", error->message);
          return 1;
        }
      g_print ("            %" G_GUINT64_FORMAT " events in %.1f s\n", report.events,
               report.seconds);
    }

  g_print ("bench-analysis: %s\n", path);

  self_exe = strchr (argv[0], G_DIR_SEPARATOR) != NULL ? g_canonicalize_filename (argv[0], NULL)
                                                       : g_find_program_in_path (argv[0]);
  ok = bench (self_exe, path, &error);
  if (!ok)
    g_printerr ("bench-analysis: %s\n", error->message);

  if (dir != NULL && !keep)
    {
      static const char * const suffixes[] = { "", "-wal", "-shm", ".log" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

          g_unlink (file);
        }
      g_rmdir (dir);
    }
  else if (dir != NULL)
    g_print ("kept %s\n", path);

  return ok ? 0 : 1;
}
