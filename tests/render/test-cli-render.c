/* test-cli-render.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

/* `journeymapper-cli render`: every chart from a small demo workspace, and its usage errors. */

typedef struct
{
  char *dir;
  char *db;
} Fixture;

/* Runs journeymapper-cli (arguments NULL-terminated); returns its exit status and stderr. */
static int
run_cli (Fixture     *fixture,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stderr_text = NULL;
  const char *cli = g_getenv ("JM_CLI");
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (gpointer) cli);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, (gpointer) "--db");
  g_ptr_array_add (args, fixture->db);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &stderr_text, &error);
  g_assert_no_error (error);

  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return g_subprocess_get_exit_status (process);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jm-cli-render-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "demo.jmw", NULL);
  g_assert_cmpint (run_cli (fixture, NULL, "demo", "--customers", "150", "--seed", "3", NULL),
                   ==, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->dir);
}

static void
assert_png (const char *path,
            int         width,
            int         height)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, height);
  cairo_surface_destroy (surface);
}

static void
test_every_chart (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *graph = g_build_filename (fixture->dir, "graph.png", NULL);
  g_autofree char *paths = g_build_filename (fixture->dir, "paths.svg", NULL);
  g_autofree char *funnel = g_build_filename (fixture->dir, "funnel.pdf", NULL);
  g_autofree char *retention = g_build_filename (fixture->dir, "retention.png", NULL);
  g_autofree char *attribution = g_build_filename (fixture->dir, "attribution.png", NULL);
  g_autofree char *contents = NULL;

  g_assert_cmpint (run_cli (fixture, NULL, "render", "graph", "--top-edges", "50", "--output",
                            graph, "--width", "640", "--height", "480", NULL), ==, 0);
  assert_png (graph, 640, 480);

  g_assert_cmpint (run_cli (fixture, NULL, "render", "paths", "--start", "/", "--steps", "4",
                            "--select", "/", "--output", paths, NULL), ==, 0);
  g_assert_true (g_file_get_contents (paths, &contents, NULL, NULL));
  g_assert_true (strstr (contents, "<svg") != NULL);
  g_assert_true (strstr (contents, "width=\"1200px\"") != NULL);
  g_clear_pointer (&contents, g_free);

  g_assert_cmpint (run_cli (fixture, NULL, "render", "funnel", "--step", "/", "--step", "/cart",
                            "--theme", "dark", "--output", funnel, NULL), ==, 0);
  g_assert_true (g_file_get_contents (funnel, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  g_assert_cmpint (run_cli (fixture, NULL, "render", "retention", "--cohort-event", "/",
                            "--return-event", "/", "--period", "day", "--periods", "5",
                            "--palette", "colorblind", "--output", retention, NULL), ==, 0);
  assert_png (retention, 1200, 800);

  g_assert_cmpint (run_cli (fixture, NULL, "render", "attribution", "--conversion",
                            "Order Completed", "--revenue", "--output", attribution, NULL), ==, 0);
  assert_png (attribution, 1200, 800);
}

/* Bad usage exits with 2 and says what is wrong; no file is written. */
static void
test_usage_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *png = g_build_filename (fixture->dir, "chart.png", NULL);
  g_autofree char *gif = g_build_filename (fixture->dir, "chart.gif", NULL);
  char *err = NULL;

  g_assert_cmpint (run_cli (fixture, &err, "render", "funnel", "--step", "/", "--step", "/cart",
                            NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--output"));
  g_free (err);

  g_assert_cmpint (run_cli (fixture, &err, "render", "funnel", "--step", "/", "--step",
                            "/cart", "--output", gif, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "chart.gif"));
  g_free (err);

  g_assert_cmpint (run_cli (fixture, &err, "render", "paths", "--start", "/", "--theme", "sepia",
                            "--output", png, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "sepia"));
  g_free (err);

  /* The analysis options are checked as `analyze` checks them. */
  g_assert_cmpint (run_cli (fixture, &err, "render", "paths", "--output", png, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--start"));
  g_free (err);

  g_assert_cmpint (run_cli (fixture, &err, "render", "retention", "--cohort-event", "/",
                            "--return-event", "/", "--period", "fortnight", "--output", png,
                            NULL), ==, 2);
  g_assert_nonnull (strstr (err, "fortnight"));
  g_free (err);

  g_assert_cmpint (run_cli (fixture, &err, "render", "funnel", "--step", "/", "--step",
                            "/cart", "--select", "Nowhere", "--output", png, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "Nowhere"));
  g_free (err);

  g_assert_cmpint (run_cli (fixture, &err, "render", "funnel", "--step", "/", "--step",
                            "/cart", "--width", "10", "--output", png, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--width"));
  g_free (err);

  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/jm/render/cli/every-chart", Fixture, NULL, fixture_setup, test_every_chart,
              fixture_teardown);
  g_test_add ("/jm/render/cli/usage-errors", Fixture, NULL, fixture_setup, test_usage_errors,
              fixture_teardown);

  return g_test_run ();
}
