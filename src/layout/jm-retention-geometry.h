/* jm-retention-geometry.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JmRetentionGeometry: the grid of a retention heat table.
 *
 * Rows are cohorts (oldest on top); the first columns are headers the caller fills (the
 * cohort's date and size), the rest one cell per period. The table fills the given width;
 * rows take the height they are given up to `max_row_height`, so a few cohorts do not turn
 * into tall slabs. Cells are separated by `gap` on every side.
 */

typedef struct
{
  double x0;
  double y0;
  double x1;
  double y1;
} JmRetentionRect;

typedef struct
{
  double x;                   /* the table's top left corner */
  double y;
  double width;
  double height;
  double header_height;       /* the row of column headers */
  double row_header_width;    /* the cohort's label column */
  double size_column_width;   /* the cohort size column (0 for none) */
  double max_row_height;
  double gap;
} JmRetentionGeometryOptions;

typedef struct _JmRetentionGeometry JmRetentionGeometry;

/* NULL when the sizes cannot hold one row and one column (the caller checks sizes first). */
JmRetentionGeometry *jm_retention_geometry_compute        (guint                              n_rows,
                                                           guint                              n_columns,
                                                           const JmRetentionGeometryOptions *options);
void                 jm_retention_geometry_free           (JmRetentionGeometry *self);

guint                jm_retention_geometry_get_n_rows     (const JmRetentionGeometry *self);
guint                jm_retention_geometry_get_n_columns  (const JmRetentionGeometry *self);
double               jm_retention_geometry_get_row_height (const JmRetentionGeometry *self);
/* The bottom of the last row. */
double               jm_retention_geometry_get_bottom     (const JmRetentionGeometry *self);
JmRetentionRect      jm_retention_geometry_get_cell       (const JmRetentionGeometry *self,
                                                           guint                      row,
                                                           guint                      column);
JmRetentionRect      jm_retention_geometry_get_row_header (const JmRetentionGeometry *self,
                                                           guint                      row);
JmRetentionRect      jm_retention_geometry_get_size_cell  (const JmRetentionGeometry *self,
                                                           guint                      row);
JmRetentionRect      jm_retention_geometry_get_column_header (const JmRetentionGeometry *self,
                                                              guint                      column);
/* The cell under (x, y): TRUE with its row and column; row headers and size cells give their
 * row and column -1.
 */
gboolean             jm_retention_geometry_hit_test       (const JmRetentionGeometry *self,
                                                           double                     x,
                                                           double                     y,
                                                           gint                      *out_row,
                                                           gint                      *out_column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmRetentionGeometry, jm_retention_geometry_free)

G_END_DECLS
