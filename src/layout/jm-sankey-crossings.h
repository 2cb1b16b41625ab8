/* jm-sankey-crossings.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Weighted crossings (DESIGN §12): over pairs of link segments in the same gap between two
 * adjacent columns, whose order at the left side differs from their order at the right side,
 * the sum of the products of their values. Segments level on one side (equal y) do not cross.
 * A link spanning several columns contributes one segment per gap it crosses.
 *
 * The counter only looks at positions, so it counts any drawing the same way: ours, or
 * d3-sankey's read back from its output.
 */
typedef struct
{
  guint  gap;      /* the gap between column `gap` and column `gap + 1` */
  double y_left;   /* where the segment leaves the left column */
  double y_right;  /* where it reaches the right column */
  double value;
} JmCrossingSegment;

/* O(m log m) for m segments (sorting and a Fenwick tree per gap). Reorders `segments`. */
double  jm_count_weighted_crossings   (JmCrossingSegment *segments,
                                       gsize              n_segments);

G_END_DECLS
