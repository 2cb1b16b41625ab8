/* test-chart-export.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <librsvg/rsvg.h>
#include <math.h>
#include <string.h>

#include "jm-chart-export.h"
#include "render-test-charts.h"

#define WIDTH 960
#define HEIGHT 640

static char *
scratch_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("jm-render-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static cairo_surface_t *
rasterize_svg (const char *path,
               int         width,
               int         height)
{
  g_autoptr(GError) error = NULL;
  RsvgHandle *handle = rsvg_handle_new_from_file (path, &error);
  cairo_surface_t *surface;
  cairo_t *cr;
  RsvgRectangle viewport = { 0, 0, width, height };

  g_assert_no_error (error);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  g_assert_true (rsvg_handle_render_document (handle, cr, &viewport, &error));
  g_assert_no_error (error);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_object_unref (handle);

  return surface;
}

/* Per channel, the mean absolute difference (0 … 255) and the share of pixels differing by
 * more than a quarter of the range.
 */
static void
compare (cairo_surface_t *a,
         cairo_surface_t *b,
         double          *out_mean,
         double          *out_far)
{
  int width = cairo_image_surface_get_width (a);
  int height = cairo_image_surface_get_height (a);
  int stride_a = cairo_image_surface_get_stride (a);
  int stride_b = cairo_image_surface_get_stride (b);
  const guint8 *da = cairo_image_surface_get_data (a);
  const guint8 *db = cairo_image_surface_get_data (b);
  double sum = 0;
  guint64 far = 0;

  g_assert_cmpint (cairo_image_surface_get_width (b), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (b), ==, height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        int worst = 0;

        for (int c = 0; c < 4; c++)
          {
            int d = abs ((int) da[y * stride_a + 4 * x + c] - (int) db[y * stride_b + 4 * x + c]);

            sum += d;
            worst = MAX (worst, d);
          }
        if (worst > 64)
          far++;
      }

  *out_mean = sum / (4.0 * width * height);
  *out_far = (double) far / ((double) width * height);
}

/* Each chart exported as SVG, rasterized by librsvg, matches its PNG export: the same code
 * drew both, so only anti-aliasing differs.
 */
static void
test_svg_matches_png (void)
{
  g_autofree char *dir = scratch_dir ();
  JmChartRenderer **charts = render_test_charts ();

  for (guint i = 0; charts[i] != NULL; i++)
    {
      const char *kind = jm_chart_renderer_get_kind (charts[i]);
      g_autofree char *svg = g_strdup_printf ("%s/%s.svg", dir, kind);
      g_autofree char *png = g_strdup_printf ("%s/%s.png", dir, kind);
      g_autoptr(GError) error = NULL;
      cairo_surface_t *from_svg;
      cairo_surface_t *from_png;
      double mean;
      double far;

      /* A selection too, so the emphasised drawing is compared as well. */
      jm_chart_renderer_set_selected (charts[i], 1);
      g_assert_true (jm_chart_export (charts[i], svg, WIDTH, HEIGHT, &error));
      g_assert_no_error (error);
      g_assert_true (jm_chart_export (charts[i], png, WIDTH, HEIGHT, &error));
      g_assert_no_error (error);

      from_png = cairo_image_surface_create_from_png (png);
      g_assert_cmpint (cairo_surface_status (from_png), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (from_png), ==, WIDTH);
      g_assert_cmpint (cairo_image_surface_get_height (from_png), ==, HEIGHT);
      from_svg = rasterize_svg (svg, WIDTH, HEIGHT);

      compare (from_svg, from_png, &mean, &far);
      g_test_message ("%s: mean difference %.3f, %.4f%% of pixels far apart", kind, mean,
                      100 * far);
      g_assert_cmpfloat (mean, <, 1.0);
      g_assert_cmpfloat (far, <, 0.002);

      cairo_surface_destroy (from_svg);
      cairo_surface_destroy (from_png);
    }

  render_test_charts_free (charts);
  remove_dir (dir);
}

/* The first `needle` in `data`, which may hold NUL bytes. */
static const char *
find_bytes (const char *data,
            gsize       length,
            const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    {
      if (memcmp (data + i, needle, n) == 0)
        return data + i;
    }

  return NULL;
}

/* A PDF page is width × height points, read from the file's MediaBox. */
static void
test_pdf_page_size (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *path = g_build_filename (dir, "funnel.pdf", NULL);
  g_autoptr(JmChartRenderer) chart = render_test_funnel ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  const char *box;
  double numbers[4];
  char *end;

  g_assert_true (jm_chart_export (chart, path, 720, 405, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  box = find_bytes (contents, length, "/MediaBox");
  g_assert_nonnull (box);
  box = strchr (box, '[');
  g_assert_nonnull (box);
  box++;
  for (guint i = 0; i < 4; i++)
    {
      numbers[i] = g_ascii_strtod (box, &end);
      g_assert_true (end != box);
      box = end;
    }
  g_assert_cmpfloat (numbers[0], ==, 0);
  g_assert_cmpfloat (numbers[1], ==, 0);
  g_assert_cmpfloat (numbers[2], ==, 720);
  g_assert_cmpfloat (numbers[3], ==, 405);

  /* The title is in the document's metadata (a binary file: search bytes, not a string). */
  g_assert_nonnull (find_bytes (contents, length, "(Checkout funnel)"));
  remove_dir (dir);
}

/* The SVG says its size in pixels, so viewers show it at the size asked for. */
static void
test_svg_size (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *path = g_build_filename (dir, "sankey.svg", NULL);
  g_autoptr(JmChartRenderer) chart = render_test_sankey ();
  g_autoptr(GError) error = NULL;
  RsvgHandle *handle;
  double width;
  double height;

  g_assert_true (jm_chart_export (chart, path, 800, 500, &error));
  g_assert_no_error (error);
  handle = rsvg_handle_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (rsvg_handle_get_intrinsic_size_in_pixels (handle, &width, &height));
  g_assert_cmpfloat (width, ==, 800);
  g_assert_cmpfloat (height, ==, 500);
  g_object_unref (handle);
  remove_dir (dir);
}

/* Unknown types and unwritable places are refused with the file's name; a failed export leaves
 * the old file alone.
 */
static void
test_export_errors (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *gif = g_build_filename (dir, "chart.gif", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "chart.png", NULL);
  g_autofree char *existing = g_build_filename (dir, "chart.png", NULL);
  g_autoptr(JmChartRenderer) chart = render_test_funnel ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  JmChartFormat format;

  g_assert_false (jm_chart_export (chart, gif, 400, 300, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_EXPORT);
  g_assert_nonnull (strstr (error->message, "chart.gif"));
  g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_false (jm_chart_export (chart, missing, 400, 300, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_EXPORT);
  g_assert_nonnull (strstr (error->message, "chart.png"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (existing, "old", -1, NULL));
  g_assert_false (jm_chart_export (chart, existing, 40, 30, &error));
  g_assert_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE);
  g_assert_true (g_file_get_contents (existing, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");

  g_assert_true (jm_chart_format_from_path ("a/b.PDF", &format));
  g_assert_cmpint (format, ==, JM_CHART_FORMAT_PDF);
  g_assert_false (jm_chart_format_from_path ("a.svg/b", &format));
  g_assert_false (jm_chart_format_from_path ("chart", &format));
  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/render/export/svg-matches-png", test_svg_matches_png);
  g_test_add_func ("/jm/render/export/pdf-page-size", test_pdf_page_size);
  g_test_add_func ("/jm/render/export/svg-size", test_svg_size);
  g_test_add_func ("/jm/render/export/errors", test_export_errors);

  return g_test_run ();
}
