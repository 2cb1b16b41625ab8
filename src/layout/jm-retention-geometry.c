/* jm-retention-geometry.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-layout"

#include "config.h"

#include <math.h>

#include "jm-retention-geometry.h"

struct _JmRetentionGeometry
{
  JmRetentionGeometryOptions options;
  guint                      n_rows;
  guint                      n_columns;
  double                     cells_x;      /* left of the first period column */
  double                     cell_width;   /* pitch of the period columns */
  double                     rows_y;       /* top of the first row */
  double                     row_height;   /* pitch of the rows */
};

static gboolean
size_ok (double value)
{
  return value >= 0 && isfinite (value);
}

JmRetentionGeometry *
jm_retention_geometry_compute (guint                             n_rows,
                               guint                             n_columns,
                               const JmRetentionGeometryOptions *options)
{
  JmRetentionGeometry *self;
  double cells_width;
  double rows_height;

  g_return_val_if_fail (options != NULL, NULL);

  if (!isfinite (options->x) || !isfinite (options->y) || !size_ok (options->width) ||
      !size_ok (options->height) || !size_ok (options->header_height) ||
      !size_ok (options->row_header_width) || !size_ok (options->size_column_width) ||
      !(options->max_row_height > 0) || !isfinite (options->max_row_height) ||
      !size_ok (options->gap) || n_columns == 0)
    return NULL;

  cells_width = options->width - options->row_header_width - options->size_column_width;
  rows_height = options->height - options->header_height;
  if (cells_width <= 0 || (n_rows > 0 && rows_height <= 0))
    return NULL;

  self = g_new0 (JmRetentionGeometry, 1);
  self->options = *options;
  self->n_rows = n_rows;
  self->n_columns = n_columns;
  self->cells_x = options->x + options->row_header_width + options->size_column_width;
  self->cell_width = cells_width / n_columns;
  self->rows_y = options->y + options->header_height;
  self->row_height = n_rows > 0 ? MIN (rows_height / n_rows, options->max_row_height)
                                : options->max_row_height;

  return self;
}

void
jm_retention_geometry_free (JmRetentionGeometry *self)
{
  g_free (self);
}

guint
jm_retention_geometry_get_n_rows (const JmRetentionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_rows;
}

guint
jm_retention_geometry_get_n_columns (const JmRetentionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_columns;
}

double
jm_retention_geometry_get_row_height (const JmRetentionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->row_height;
}

double
jm_retention_geometry_get_bottom (const JmRetentionGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rows_y + self->row_height * self->n_rows;
}

static JmRetentionRect
inset (double x0,
       double y0,
       double x1,
       double y1,
       double gap)
{
  double half = gap / 2;

  return (JmRetentionRect) { x0 + half, y0 + half, MAX (x0 + half, x1 - half),
                             MAX (y0 + half, y1 - half) };
}

JmRetentionRect
jm_retention_geometry_get_cell (const JmRetentionGeometry *self,
                                guint                      row,
                                guint                      column)
{
  double x0;
  double y0;

  g_return_val_if_fail (self != NULL, (JmRetentionRect) { 0 });
  g_return_val_if_fail (row < self->n_rows && column < self->n_columns, (JmRetentionRect) { 0 });

  x0 = self->cells_x + self->cell_width * column;
  y0 = self->rows_y + self->row_height * row;

  return inset (x0, y0, x0 + self->cell_width, y0 + self->row_height, self->options.gap);
}

JmRetentionRect
jm_retention_geometry_get_row_header (const JmRetentionGeometry *self,
                                      guint                      row)
{
  double y0;

  g_return_val_if_fail (self != NULL, (JmRetentionRect) { 0 });
  g_return_val_if_fail (row < self->n_rows, (JmRetentionRect) { 0 });

  y0 = self->rows_y + self->row_height * row;

  return inset (self->options.x, y0, self->options.x + self->options.row_header_width,
                y0 + self->row_height, self->options.gap);
}

JmRetentionRect
jm_retention_geometry_get_size_cell (const JmRetentionGeometry *self,
                                     guint                      row)
{
  double x0;
  double y0;

  g_return_val_if_fail (self != NULL, (JmRetentionRect) { 0 });
  g_return_val_if_fail (row < self->n_rows, (JmRetentionRect) { 0 });

  x0 = self->options.x + self->options.row_header_width;
  y0 = self->rows_y + self->row_height * row;

  return inset (x0, y0, x0 + self->options.size_column_width, y0 + self->row_height,
                self->options.gap);
}

JmRetentionRect
jm_retention_geometry_get_column_header (const JmRetentionGeometry *self,
                                         guint                      column)
{
  double x0;

  g_return_val_if_fail (self != NULL, (JmRetentionRect) { 0 });
  g_return_val_if_fail (column < self->n_columns, (JmRetentionRect) { 0 });

  x0 = self->cells_x + self->cell_width * column;

  return inset (x0, self->options.y, x0 + self->cell_width,
                self->options.y + self->options.header_height, self->options.gap);
}

gboolean
jm_retention_geometry_hit_test (const JmRetentionGeometry *self,
                                double                     x,
                                double                     y,
                                gint                      *out_row,
                                gint                      *out_column)
{
  double row_f;
  double column_f;

  g_return_val_if_fail (self != NULL, FALSE);

  if (out_row != NULL)
    *out_row = -1;
  if (out_column != NULL)
    *out_column = -1;

  row_f = floor ((y - self->rows_y) / self->row_height);
  if (row_f < 0 || row_f >= self->n_rows || x < self->options.x)
    return FALSE;

  column_f = floor ((x - self->cells_x) / self->cell_width);
  if (column_f >= self->n_columns)
    return FALSE;

  if (out_row != NULL)
    *out_row = (gint) row_f;
  if (out_column != NULL)
    *out_column = column_f < 0 ? -1 : (gint) column_f;

  return TRUE;
}
