/* jm-sankey-layout.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "jm-layout-geometry.h"

G_BEGIN_DECLS

/* JmSankeyLayout: the geometry of a Sankey diagram of a weighted DAG (DESIGN §7).
 *
 * Input is a JmSankeyGraph: named nodes and weighted links between them, built from plain
 * arrays (the layout layer knows nothing of the analyses: the renderer and the CLI adapt a
 * path result or a d3-sankey document into one).
 *
 * Layers (columns): a node given a layer keeps it (a path step, so an end-anchored path's short
 * histories start in a later column); every other node goes to the longest path from a source
 * (d3-sankey's "left" alignment), or, when some nodes have fixed layers, one column after the
 * furthest of its predecessors. Column i spans x ∈ [i·(W − node_width)/(L − 1), … + node_width].
 *
 * Node value = max (the sum of its incoming links, the sum of its outgoing links, the value set
 * on the node); node heights are proportional to value with one scale for the whole diagram
 * (the fullest column fills the height less its paddings).
 *
 * A link spanning several columns is routed through one virtual node per column it crosses:
 * those take part in ordering like real nodes, and the link's centre line passes through them
 * (its `points`). Crossings are counted per adjacent-column segment, so a long link crossing
 * another in any gap counts there (jm-sankey-crossings.h).
 *
 * Ordering (jm-layer-order-private.h): from the input order, rounds of down and up sweeps that
 * sort each column by the weighted barycentre or median of its neighbours' positions, each
 * followed by transpositions of adjacent nodes that lower the weighted crossings; then sifting
 * (each node moved to the place in its column where it crosses least) until it stops paying;
 * the best order seen is kept. Then vertical relaxation moves nodes towards the tops that make
 * their links level (weighted by value) and resolves overlaps optimally for the fixed order
 * (isotonic regression), so the order, and the crossings, stay. Ties fall back to the input
 * order and sort keys are rounded, so the result is deterministic and a small change of values
 * moves the picture little.
 *
 * Within a node, links leave (and arrive) stacked top to bottom in the order of their other
 * end's y, so a link's band is inside its nodes and the bands of one node do not overlap.
 */

typedef struct _JmSankeyGraph JmSankeyGraph;
typedef struct _JmSankeyLayout JmSankeyLayout;

#define JM_SANKEY_LAYER_AUTO G_MAXUINT

typedef struct
{
  double width;                   /* the drawing's extent: x ∈ [0, width], y ∈ [0, height] */
  double height;
  double node_width;              /* default 24 (as d3-sankey) */
  double node_padding;            /* vertical gap between nodes of a column, default 8; shrunk
                                   * when a column has too many nodes to fit (as d3-sankey) */
  guint  ordering_iterations;     /* at most this many down+up sweep rounds, default 4 */
  guint  relaxation_iterations;   /* default 16; at most max (2, 100,000 / nodes and virtual
                                   * nodes), so huge diagrams stay fast */
} JmSankeyOptions;

typedef struct
{
  const char    *name;            /* owned by the layout */
  guint          layer;           /* column, 0 = leftmost */
  guint          order;           /* position within the column, 0 = top (virtual nodes count) */
  double         x0;
  double         x1;
  double         y0;
  double         y1;
  double         value;
} JmSankeyNode;

typedef struct
{
  guint                source;    /* node indices (the input's order) */
  guint                target;
  double               value;
  double               width;     /* band thickness, value × the diagram's scale */
  double               y0;        /* centre of the band where it leaves the source */
  double               y1;        /* centre of the band where it reaches the target */
  /* The centre line: points[0] = (source x1, y0), points[n_points − 1] = (target x0, y1), and
   * for each column crossed, its entry (x0, y) and exit (x1, y). Consecutive points are joined
   * by jm_layout_flow_curve_y_at()'s curve (a straight line when their y are equal).
   */
  guint                n_points;
  const JmLayoutPoint *points;
} JmSankeyLink;

void            jm_sankey_options_init          (JmSankeyOptions      *options);

JmSankeyGraph  *jm_sankey_graph_new             (void);
void            jm_sankey_graph_free            (JmSankeyGraph        *self);
/* Returns the new node's index (0, 1, 2… in call order). `name` is copied. */
guint           jm_sankey_graph_add_node        (JmSankeyGraph        *self,
                                                 const char           *name);
/* `layer` pins the node's column, or JM_SANKEY_LAYER_AUTO. */
guint           jm_sankey_graph_add_node_in_layer (JmSankeyGraph      *self,
                                                 const char           *name,
                                                 guint                 layer);
/* A lower bound on the node's value (a path node's count, whose drop-offs leave no link). */
void            jm_sankey_graph_set_node_value  (JmSankeyGraph        *self,
                                                 guint                 node,
                                                 double                value);
/* Returns the new link's index. Indices and values are checked by jm_sankey_layout_compute().
 * Links between the same two nodes stay separate links.
 */
guint           jm_sankey_graph_add_link        (JmSankeyGraph        *self,
                                                 guint                 source,
                                                 guint                 target,
                                                 double                value);
guint           jm_sankey_graph_get_n_nodes     (const JmSankeyGraph  *self);
guint           jm_sankey_graph_get_n_links     (const JmSankeyGraph  *self);
const char     *jm_sankey_graph_get_node_name   (const JmSankeyGraph  *self,
                                                 guint                 node);
/* The node with this name, or -1 (the first one when several share it). */
gint            jm_sankey_graph_find_node       (const JmSankeyGraph  *self,
                                                 const char           *name);

/* Fails with JM_LAYOUT_ERROR_INVALID_GRAPH for a link to a missing node, a self-link, a cycle,
 * a negative or non-finite value, or a link whose pinned layers do not go left to right; with
 * JM_LAYOUT_ERROR_INVALID_OPTION for a negative or non-finite size. The messages name the
 * link or node. An empty graph gives an empty layout.
 */
JmSankeyLayout *jm_sankey_layout_compute        (const JmSankeyGraph  *graph,
                                                 const JmSankeyOptions *options,
                                                 GError              **error);
void            jm_sankey_layout_free           (JmSankeyLayout       *self);

double          jm_sankey_layout_get_width      (const JmSankeyLayout *self);
double          jm_sankey_layout_get_height     (const JmSankeyLayout *self);
guint           jm_sankey_layout_get_n_layers   (const JmSankeyLayout *self);
guint           jm_sankey_layout_get_n_nodes    (const JmSankeyLayout *self);
const JmSankeyNode *jm_sankey_layout_get_node   (const JmSankeyLayout *self,
                                                 guint                 index);
guint           jm_sankey_layout_get_n_links    (const JmSankeyLayout *self);
const JmSankeyLink *jm_sankey_layout_get_link   (const JmSankeyLayout *self,
                                                 guint                 index);
/* DESIGN §12's weighted_crossings of this layout, per adjacent-column segment. */
double          jm_sankey_layout_get_weighted_crossings (const JmSankeyLayout *self);

/* The node (a rectangle, edges included) or else the link (its band) under (x, y): returns the
 * kind and stores the index in `out_index` (-1 for none). Nodes win over links; of overlapping
 * bands the one drawn last (the highest index) wins. O(log n + links in that gap).
 */
JmLayoutHitKind jm_sankey_layout_hit_test       (const JmSankeyLayout *self,
                                                 double                x,
                                                 double                y,
                                                 gint                 *out_index);
/* Shorthands: the node, or the link, at (x, y), or -1. */
gint            jm_sankey_layout_node_at        (const JmSankeyLayout *self,
                                                 double                x,
                                                 double                y);
gint            jm_sankey_layout_link_at        (const JmSankeyLayout *self,
                                                 double                x,
                                                 double                y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmSankeyGraph, jm_sankey_graph_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmSankeyLayout, jm_sankey_layout_free)

G_END_DECLS
