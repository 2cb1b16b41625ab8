/* jm-layer-order-private.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Crossing minimization of a proper layered graph (every segment joins adjacent layers), shared
 * by the Sankey and the layered graph layouts.
 *
 * Items are nodes, real or virtual, each with a layer and a breadth (its extent across the
 * flow); segments carry weights. The order starts from the items' index order per layer. Then
 * rounds of a down and an up sweep: each layer sorted by the weighted barycentre, or on odd
 * rounds the weighted median, of its neighbours' positions in the layer just placed (positions
 * measured as the centres of the items stacked with their breadths and `gap`, so a big node
 * pulls as it will be drawn; ties keep the current order), followed by one pass of
 * transpositions of adjacent items that lower the weighted crossings; rounds stop when one
 * brings no improvement. From the best order seen, sifting passes (each item moved to the place
 * in its layer where it crosses least, layers down then up) until a pass gains less than 0.2%.
 * Each step is measured with the exact weighted crossing count and the best order is kept, so
 * the result is never worse than the input order. Deterministic.
 */
typedef struct
{
  guint         n_items;
  guint         n_layers;
  const guint  *item_layer;
  const double *item_breadth;
  double        gap;
  guint         n_segments;
  const guint  *segment_source;   /* in layer l */
  const guint  *segment_target;   /* in layer l + 1 */
  const double *segment_weight;
  guint         iterations;       /* at most this many rounds of down+up sweeps */
} JmLayerOrderInput;

typedef struct
{
  guint  *layer_start;   /* n_layers + 1 offsets into `items` */
  guint  *items;         /* per layer, top to bottom */
  guint  *position;      /* per item, its index within its layer */
  double  weighted_crossings;
} JmLayerOrder;

JmLayerOrder *jm_layer_order_compute  (const JmLayerOrderInput *input);
void          jm_layer_order_free     (JmLayerOrder            *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmLayerOrder, jm_layer_order_free)

G_END_DECLS
