/* jm-graph-layout.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "jm-layout-geometry.h"

G_BEGIN_DECLS

/* JmGraphLayout: a layered (Sugiyama) drawing of a directed graph with cycles, such as the
 * journey graph (DESIGN §7). Input is a JmGraph of plain names, values and edges; adapting a
 * JmJourneyGraph into one (START pinned first, END last) is the renderer's job.
 *
 * Steps: cycle breaking (a greedy feedback-arc set, Eades–Lin–Smyth with weights, so heavy
 * edges stay forward; the reversed edges are the "back" edges), layering by longest path (nodes
 * pinned first or last stay in the first or last layer), a virtual node per layer an edge
 * spans, crossing minimization (jm-layer-order-private.h: weighted barycentre/median sweeps,
 * transpositions, sifting), coordinate assignment by Brandes–Köpf (four alignments aligned to
 * the narrowest, balanced by the mean of the two middle values), then projected by least
 * squares so that boxes of a layer keep their order and spacing, and edge routing as smooth
 * cubic curves through the virtual nodes.
 *
 * The picture flows along the layer axis: left to right (layers are columns) or top to bottom
 * (layers are rows). Node boxes are `node_length` long along the flow and between
 * `min_node_breadth` and `max_node_breadth` across it, linear in value; edge widths go from
 * `min_edge_width` to `max_edge_width`, linear in value. A forward edge leaves its source's
 * downstream side and enters its target's upstream side; a back edge runs against the flow
 * through its own virtual nodes, from its source's upstream side to its target's downstream
 * side, and has `back` set so it can be drawn distinctly (e.g. dashed). Edge ends are spread
 * evenly along a node's side in the order of their other ends. A self-loop is a small loop
 * over the node's top side (left side when top to bottom).
 */

typedef struct _JmGraph JmGraph;
typedef struct _JmGraphLayout JmGraphLayout;

typedef enum
{
  JM_GRAPH_LEFT_TO_RIGHT,
  JM_GRAPH_TOP_TO_BOTTOM,
} JmGraphDirection;

typedef enum
{
  JM_GRAPH_PIN_NONE,
  JM_GRAPH_PIN_FIRST,   /* in the first layer, before everything (START) */
  JM_GRAPH_PIN_LAST,    /* in the last layer, after everything (END) */
} JmGraphPin;

typedef struct
{
  JmGraphDirection direction;     /* default left to right */
  double           node_length;   /* along the flow, default 120 */
  double           min_node_breadth;   /* across the flow, default 28 */
  double           max_node_breadth;   /* default 72 */
  double           layer_spacing; /* free space between layers along the flow, default 80 */
  double           node_spacing;  /* minimum gap between boxes of a layer, default 24 */
  double           min_edge_width;     /* default 1 */
  double           max_edge_width;     /* default 12 */
  double           margin;        /* around the drawing, default 16 */
  guint            ordering_iterations;   /* at most this many sweep rounds, default 4 */
} JmGraphLayoutOptions;

typedef struct
{
  const char *name;               /* owned by the layout */
  double      value;              /* volume, e.g. the node's events */
  guint       layer;
  guint       order;              /* position within the layer (virtual nodes count) */
  double      x0;                 /* the box */
  double      y0;
  double      x1;
  double      y1;
} JmGraphNode;

typedef struct
{
  guint                source;    /* node indices (the input's order) */
  guint                target;
  double               value;     /* e.g. the edge's count */
  double               width;
  gboolean             back;      /* reversed to break a cycle */
  gboolean             self_loop;
  /* A chain of cubic Béziers: points[0] is the start (on the source box), then each curve adds
   * three points (control 1, control 2, end); n_points = 1 + 3k. The last point is on the
   * target box; the arrow head goes there, pointing from points[n_points − 2].
   */
  guint                n_points;
  const JmLayoutPoint *points;
} JmGraphEdge;

void            jm_graph_layout_options_init    (JmGraphLayoutOptions *options);

JmGraph        *jm_graph_new                    (void);
void            jm_graph_free                   (JmGraph              *self);
/* Returns the new node's index (0, 1, 2… in call order). `name` is copied. */
guint           jm_graph_add_node               (JmGraph              *self,
                                                 const char           *name,
                                                 double                value,
                                                 JmGraphPin            pin);
/* Returns the new edge's index; self-loops and parallel edges are allowed. Indices and values
 * are checked by jm_graph_layout_compute().
 */
guint           jm_graph_add_edge               (JmGraph              *self,
                                                 guint                 source,
                                                 guint                 target,
                                                 double                value);
guint           jm_graph_get_n_nodes            (const JmGraph        *self);
guint           jm_graph_get_n_edges            (const JmGraph        *self);
gint            jm_graph_find_node              (const JmGraph        *self,
                                                 const char           *name);

/* Fails with JM_LAYOUT_ERROR_INVALID_GRAPH for an edge to a missing node or a negative or
 * non-finite value, JM_LAYOUT_ERROR_INVALID_OPTION for unusable sizes. The drawing starts at
 * (0, 0); its size is what the graph needs (get_width/get_height).
 */
JmGraphLayout  *jm_graph_layout_compute         (const JmGraph              *graph,
                                                 const JmGraphLayoutOptions *options,
                                                 GError                    **error);
void            jm_graph_layout_free            (JmGraphLayout        *self);

double          jm_graph_layout_get_width       (const JmGraphLayout  *self);
double          jm_graph_layout_get_height      (const JmGraphLayout  *self);
guint           jm_graph_layout_get_n_layers    (const JmGraphLayout  *self);
guint           jm_graph_layout_get_n_nodes     (const JmGraphLayout  *self);
const JmGraphNode *jm_graph_layout_get_node     (const JmGraphLayout  *self,
                                                 guint                 index);
guint           jm_graph_layout_get_n_edges     (const JmGraphLayout  *self);
const JmGraphEdge *jm_graph_layout_get_edge     (const JmGraphLayout  *self,
                                                 guint                 index);
/* Weighted crossings between consecutive layers (virtual nodes included), as for Sankey. */
double          jm_graph_layout_get_weighted_crossings (const JmGraphLayout *self);

/* The node whose box contains (x, y), else the edge whose curve passes within
 * max (tolerance, width / 2) of it (the nearest), else none; the index goes to `out_index`
 * (-1 for none). Uses a grid over the drawing: cheap enough for every pointer motion.
 */
JmLayoutHitKind jm_graph_layout_hit_test        (const JmGraphLayout  *self,
                                                 double                x,
                                                 double                y,
                                                 double                tolerance,
                                                 gint                 *out_index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmGraph, jm_graph_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmGraphLayout, jm_graph_layout_free)

G_END_DECLS
