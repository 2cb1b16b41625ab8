/* jm-chart-export.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "jm-chart-renderer.h"

G_BEGIN_DECLS

/* Exports a chart as SVG, PNG or PDF with the same jm_chart_renderer_draw() the screen uses.
 * Sizes are in pixels; a PDF page is width × height points (a pixel drawn as a point, the
 * size GNOME's print dialog shows for a 96 dpi screen at 75%), an SVG is width × height px.
 * The file is replaced atomically: a failed export leaves an existing file as it was.
 */

typedef enum
{
  JM_CHART_FORMAT_PNG,
  JM_CHART_FORMAT_SVG,
  JM_CHART_FORMAT_PDF,
} JmChartFormat;

/* By the file's extension (.png, .svg, .pdf, any case); FALSE for another. */
gboolean    jm_chart_format_from_path     (const char       *path,
                                           JmChartFormat    *out_format);
const char *jm_chart_format_to_string     (JmChartFormat     format);

/* Fails with JM_RENDER_ERROR_EXPORT for an unknown extension or a file that cannot be written
 * (the message names the file), or the renderer's own errors.
 */
gboolean    jm_chart_export               (JmChartRenderer  *renderer,
                                           const char       *path,
                                           double            width,
                                           double            height,
                                           GError          **error);
gboolean    jm_chart_export_with_format   (JmChartRenderer  *renderer,
                                           GFile            *file,
                                           JmChartFormat     format,
                                           double            width,
                                           double            height,
                                           GError          **error);

G_END_DECLS
