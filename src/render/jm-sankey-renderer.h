/* jm-sankey-renderer.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-chart-renderer.h"
#include "jm-path-flow.h"
#include "jm-sankey-layout.h"

G_BEGIN_DECLS

/* The Sankey diagram of path flows: columns of nodes (coloured by name, the same touchpoint in
 * the same colour at every step, "Other" grey), bands coloured by their source, a fading red
 * stub for the units that stop at a node, and labels with the node's count and share of all
 * units. Items are the graph's nodes; a selected node's whole flow (everything upstream and
 * downstream of it) is drawn emphasised, the rest faded, and its bands get count and median
 * time labels where they are wide enough.
 */

/* Takes `graph`. Nodes may carry a drop-off and links a median time (below); the share is of
 * `total` units (0: of the largest column).
 */
JmChartRenderer      *jm_sankey_renderer_new                (JmSankeyGraph         *graph,
                                                             double                 total);
/* Units that end their path at `node` (≥ 0). */
void                  jm_sankey_renderer_set_node_dropoff   (JmChartRenderer       *self,
                                                             guint                  node,
                                                             double                 dropoff);
/* The median seconds of `link` (NaN for unknown, the default). */
void                  jm_sankey_renderer_set_link_median    (JmChartRenderer       *self,
                                                             guint                  link,
                                                             double                 seconds);
/* A node per (step, name) pinned to its step's column, with its count, drop-off and the links'
 * medians; a title and the totals.
 */
JmChartRenderer      *jm_sankey_renderer_new_for_path_flow  (const JmPathFlow      *flow);

/* The layout of the last draw (in plot coordinates: add the offset), or NULL before it. */
const JmSankeyLayout *jm_sankey_renderer_get_layout         (const JmChartRenderer *self,
                                                             double                *out_x,
                                                             double                *out_y);
/* Whether link `link` belongs to the selected node's flow (TRUE for all without selection). */
gboolean              jm_sankey_renderer_link_is_emphasised (const JmChartRenderer *self,
                                                             guint                  link);

G_END_DECLS
