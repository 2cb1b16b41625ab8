/* jm-graph-renderer.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-chart-renderer.h"
#include "jm-graph-layout.h"
#include "jm-journey-graph.h"

G_BEGIN_DECLS

/* The journey map: the layered drawing of the directly-follows graph (jm-graph-layout.h),
 * scaled to fit, nodes as rounded boxes with their name and events, edges as arrows whose
 * thickness follows their count (back edges dashed), START and END as grey pills. Items are the
 * graph's nodes; a selected node's flow (its incoming and outgoing edges and their ends) is
 * emphasised, the rest faded, and those edges are labelled with count and median time.
 */

/* Takes `graph` and lays it out (the layout does not depend on the size: draws scale it to fit).
 * Fails with JM_RENDER_ERROR_INVALID_CHART when the layout refuses the graph (an edge to a
 * missing node, a bad value; the message says which).
 */
JmChartRenderer     *jm_graph_renderer_new                  (JmGraph              *graph,
                                                             GError              **error);
/* The median seconds of edge `edge` (NaN for unknown, the default). */
void                 jm_graph_renderer_set_edge_median      (JmChartRenderer      *self,
                                                             guint                 edge,
                                                             double                seconds);
/* Disco-style filtering (DESIGN §7): keeps the `node_share` (0 … 1) of nodes with the most
 * events, then the `edge_share` of the edges between kept nodes with the largest counts;
 * START and END are always kept. Fractions round up, so a positive share keeps at least one.
 */
JmChartRenderer     *jm_graph_renderer_new_for_journey_graph (const JmJourneyGraph *graph,
                                                              double                node_share,
                                                              double                edge_share);

/* The layout and the transform of the last draw from its coordinates to the chart's:
 * chart = offset + scale × layout (offset 0 and scale 1 before the first draw).
 */
const JmGraphLayout *jm_graph_renderer_get_layout           (const JmChartRenderer *self,
                                                             double               *out_x,
                                                             double               *out_y,
                                                             double               *out_scale);

G_END_DECLS
