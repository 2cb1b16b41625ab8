/* bench-demo.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How fast the demo generator is: first the generator alone (messages built and thrown
 * away), then jm_demo_generate() into a fresh workspace file, as `journeymapper-cli demo`
 * does. Prints customers/s, events/s, workspace bytes per event and the peak memory, which
 * must not grow with the number of customers.
 */

#define G_LOG_DOMAIN "jm-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>

#include "journey.h"

static double
seconds_since (gint64 began)
{
  return (g_get_monotonic_time () - began) / (double) G_USEC_PER_SEC;
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

static void
bench_generator (const JmDemoOptions *options)
{
  g_autoptr(JmDemo) demo = jm_demo_new (options);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  guint64 customers = 0;
  guint64 n_events = 0;
  gint64 began = g_get_monotonic_time ();
  double seconds;

  while (jm_demo_next_customer (demo, events))
    {
      customers++;
      n_events += events->len;
      g_ptr_array_set_size (events, 0);
    }

  seconds = seconds_since (began);
  g_print ("generator:  %" G_GUINT64_FORMAT " customers, %" G_GUINT64_FORMAT " events "
           "(%.1f per customer) in %.2f s: %.0f customers/s, %.0f events/s\n",
           customers, n_events, (double) n_events / MAX (customers, 1), seconds,
           customers / seconds, n_events / seconds);
}

static gboolean
bench_workspace (const JmDemoOptions  *options,
                 const char           *path,
                 GError              **error)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmStoreStats) stats = NULL;
  JmDemoReport report = { 0 };
  gint64 project;

  if (!(store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, error)) ||
      !jm_store_lookup_project (store, NULL, &project, error) ||
      !jm_demo_generate (store, project, options, NULL, NULL, NULL, &report, error) ||
      !(stats = jm_store_get_stats (store, error)))
    return FALSE;

  g_print ("workspace:  %" G_GUINT64_FORMAT " customers, %" G_GUINT64_FORMAT " events, "
           "%" G_GUINT64_FORMAT " purchases in %.2f s: %.0f customers/s, %.0f events/s\n",
           report.customers, report.events, report.purchases, report.seconds,
           report.customers / report.seconds, report.events / report.seconds);
  g_print ("            %" G_GINT64_FORMAT " bytes on disk, %.0f bytes/event, "
           "%" G_GINT64_FORMAT " stitched customers\n",
           stats->file_bytes, (double) stats->file_bytes / MAX (stats->events, 1),
           stats->customers);

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *db = NULL;
  JmDemoOptions options;
  int customers = JM_DEMO_DEFAULT_CUSTOMERS;
  int days = JM_DEMO_DEFAULT_DAYS;
  gint64 seed = JM_DEMO_DEFAULT_SEED;
  gboolean generator_only = FALSE;
  GOptionEntry entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers, "Number of customers (default 5000)", "N" },
    { "days", 0, 0, G_OPTION_ARG_INT, &days, "Length of the period in days (default 90)", "D" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 42)", "S" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      "Workspace to create (default: one in a temporary folder, removed afterwards)", "PATH" },
    { "generator-only", 0, 0, G_OPTION_ARG_NONE, &generator_only,
      "Only time the generator, write no workspace", NULL },
    { NULL }
  };

  context = g_option_context_new ("- time the demo generator");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-demo: %s\n", error->message);
      return 2;
    }
  if (customers < 1 || days < 1 || seed < 0)
    {
      g_printerr ("bench-demo: --customers and --days must be positive, --seed not negative\n");
      return 2;
    }

  jm_demo_options_init (&options);
  options.customers = customers;
  options.days = days;
  options.seed = seed;

  g_print ("bench-demo: %d customers over %d days, seed %" G_GINT64_FORMAT "\n",
           customers, days, seed);

  bench_generator (&options);

  if (!generator_only)
    {
      if (db != NULL)
        {
          path = g_strdup (db);
        }
      else
        {
          if (!(dir = g_dir_make_tmp ("journeymapper-bench-demo-XXXXXX", &error)))
            {
              g_printerr ("bench-demo: %s\n", error->message);
              return 1;
            }
          path = g_build_filename (dir, "demo.jmw", NULL);
        }

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_printerr ("bench-demo: %s already exists; give a new file\n", path);
          return 1;
        }

      if (!bench_workspace (&options, path, &error))
        g_printerr ("bench-demo: %s\n", error->message);

      if (dir != NULL)
        {
          g_autofree char *wal = g_strconcat (path, "-wal", NULL);
          g_autofree char *shm = g_strconcat (path, "-shm", NULL);

          g_unlink (path);
          g_unlink (wal);
          g_unlink (shm);
          g_rmdir (dir);
        }

      if (error != NULL)
        return 1;
    }

  g_print ("peak memory: %.1f MB\n", peak_rss_mb ());

  return 0;
}
