/* jm-chart-export.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>

#include "jm-chart-export.h"

typedef struct
{
  GOutputStream *stream;
  GError        *error;
} StreamWriter;

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  StreamWriter *writer = closure;

  if (writer->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (writer->stream, data, length, NULL, NULL, &writer->error))
    return CAIRO_STATUS_WRITE_ERROR;

  return CAIRO_STATUS_SUCCESS;
}

gboolean
jm_chart_format_from_path (const char    *path,
                           JmChartFormat *out_format)
{
  const char *dot;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_format != NULL, FALSE);

  dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return FALSE;

  if (g_ascii_strcasecmp (dot, ".png") == 0)
    *out_format = JM_CHART_FORMAT_PNG;
  else if (g_ascii_strcasecmp (dot, ".svg") == 0)
    *out_format = JM_CHART_FORMAT_SVG;
  else if (g_ascii_strcasecmp (dot, ".pdf") == 0)
    *out_format = JM_CHART_FORMAT_PDF;
  else
    return FALSE;

  return TRUE;
}

const char *
jm_chart_format_to_string (JmChartFormat format)
{
  switch (format)
    {
    case JM_CHART_FORMAT_PNG:
      return "png";
    case JM_CHART_FORMAT_SVG:
      return "svg";
    case JM_CHART_FORMAT_PDF:
      return "pdf";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
jm_chart_export (JmChartRenderer  *renderer,
                 const char       *path,
                 double            width,
                 double            height,
                 GError          **error)
{
  g_autoptr(GFile) file = NULL;
  JmChartFormat format;

  g_return_val_if_fail (renderer != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!jm_chart_format_from_path (path, &format))
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_EXPORT,
                   "cannot tell the image type of “%s”: name it .svg, .png or .pdf", path);
      return FALSE;
    }

  file = g_file_new_for_commandline_arg (path);

  return jm_chart_export_with_format (renderer, file, format, width, height, error);
}

gboolean
jm_chart_export_with_format (JmChartRenderer  *renderer,
                             GFile            *file,
                             JmChartFormat     format,
                             double            width,
                             double            height,
                             GError          **error)
{
  g_autoptr(GFileOutputStream) output = NULL;
  g_autofree char *name = NULL;
  StreamWriter writer = { 0 };
  cairo_surface_t *surface = NULL;
  cairo_t *cr;
  cairo_status_t status;
  gboolean drawn;
  g_autoptr(GError) draw_error = NULL;

  g_return_val_if_fail (renderer != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = g_file_get_parse_name (file);

  /* Check the size before creating anything, so a bad size leaves no file behind. */
  if (!isfinite (width) || !isfinite (height) || width < 1 || height < 1 ||
      width > 20000 || height > 20000)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_SIZE,
                   "a chart must be from 120 × 80 to 20000 × 20000 pixels, not %g × %g",
                   width, height);
      return FALSE;
    }

  output = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (output == NULL)
    {
      g_prefix_error (error, "cannot write “%s”: ", name);
      if ((*error)->domain != JM_RENDER_ERROR)
        {
          (*error)->domain = JM_RENDER_ERROR;
          (*error)->code = JM_RENDER_ERROR_EXPORT;
        }
      return FALSE;
    }
  writer.stream = G_OUTPUT_STREAM (output);

  switch (format)
    {
    case JM_CHART_FORMAT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width),
                                            (int) ceil (height));
      break;
    case JM_CHART_FORMAT_SVG:
      surface = cairo_svg_surface_create_for_stream (write_cb, &writer, width, height);
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
      break;
    case JM_CHART_FORMAT_PDF:
      surface = cairo_pdf_surface_create_for_stream (write_cb, &writer, width, height);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "JourneyMapper");
      if (jm_chart_renderer_get_title (renderer) != NULL)
        cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                        jm_chart_renderer_get_title (renderer));
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  cr = cairo_create (surface);
  drawn = jm_chart_renderer_draw (renderer, cr, width, height, &draw_error);
  cairo_destroy (cr);

  if (drawn && format == JM_CHART_FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, write_cb, &writer);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (!drawn || status != CAIRO_STATUS_SUCCESS || writer.error != NULL)
    {
      /* Cancelling the replace keeps the old file (or none). */
      g_autoptr(GCancellable) cancel = g_cancellable_new ();

      g_cancellable_cancel (cancel);
      g_output_stream_close (G_OUTPUT_STREAM (output), cancel, NULL);

      if (!drawn)
        g_propagate_error (error, g_steal_pointer (&draw_error));
      else if (writer.error != NULL)
        g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_EXPORT, "cannot write “%s”: %s",
                     name, writer.error->message);
      else
        g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_EXPORT, "cannot write “%s”: %s",
                     name, cairo_status_to_string (status));
      g_clear_error (&writer.error);
      return FALSE;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (output), NULL, &writer.error))
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_EXPORT, "cannot write “%s”: %s",
                   name, writer.error->message);
      g_clear_error (&writer.error);
      return FALSE;
    }

  return TRUE;
}
