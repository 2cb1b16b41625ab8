/* jm-sankey-layout.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-layout"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jm-layer-order-private.h"
#include "jm-sankey-layout.h"

/* Item moves (per right-to-left and left-to-right pair of passes) that relaxation may spend. */
#define RELAXATION_BUDGET 100000

typedef struct
{
  guint  source;
  guint  target;
  double value;
} GraphLink;

struct _JmSankeyGraph
{
  GPtrArray *names;        /* char* */
  GArray    *layers;       /* guint, JM_SANKEY_LAYER_AUTO when free */
  GArray    *min_values;   /* double */
  GArray    *links;        /* GraphLink */
};

struct _JmSankeyLayout
{
  double         width;
  double         height;
  double         node_width;
  double         column_step;
  guint          n_layers;
  guint          n_nodes;
  JmSankeyNode  *nodes;
  char          *names;    /* every node's name, NUL-terminated, one after the other */
  guint          n_links;
  JmSankeyLink  *links;
  JmLayoutPoint *points;
  double         weighted_crossings;

  /* Hit testing. Segment s of the proper graph is drawn from points[2s] to points[2s + 1]. */
  guint         *column_start;   /* n_layers + 1 offsets into column_items */
  guint         *column_items;   /* items (nodes, then virtual nodes) per column, top down */
  double        *virtual_top;    /* per virtual item */
  double        *virtual_height;
  guint         *virtual_link;
  guint         *gap_start;      /* n_layers + 1 offsets into gap_segments, by left column */
  guint         *gap_segments;
  guint         *segment_link;
};

void
jm_sankey_options_init (JmSankeyOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (JmSankeyOptions) {
    .width = 960.0,
    .height = 600.0,
    .node_width = 24.0,
    .node_padding = 8.0,
    .ordering_iterations = 4,
    .relaxation_iterations = 16,
  };
}

JmSankeyGraph *
jm_sankey_graph_new (void)
{
  JmSankeyGraph *self = g_new0 (JmSankeyGraph, 1);

  self->names = g_ptr_array_new_with_free_func (g_free);
  self->layers = g_array_new (FALSE, FALSE, sizeof (guint));
  self->min_values = g_array_new (FALSE, FALSE, sizeof (double));
  self->links = g_array_new (FALSE, FALSE, sizeof (GraphLink));

  return self;
}

void
jm_sankey_graph_free (JmSankeyGraph *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->names);
  g_array_unref (self->layers);
  g_array_unref (self->min_values);
  g_array_unref (self->links);
  g_free (self);
}

guint
jm_sankey_graph_add_node_in_layer (JmSankeyGraph *self,
                                   const char    *name,
                                   guint          layer)
{
  double zero = 0.0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  g_ptr_array_add (self->names, g_strdup (name));
  g_array_append_val (self->layers, layer);
  g_array_append_val (self->min_values, zero);

  return self->names->len - 1;
}

guint
jm_sankey_graph_add_node (JmSankeyGraph *self,
                          const char    *name)
{
  return jm_sankey_graph_add_node_in_layer (self, name, JM_SANKEY_LAYER_AUTO);
}

void
jm_sankey_graph_set_node_value (JmSankeyGraph *self,
                                guint          node,
                                double         value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (node < self->names->len);

  g_array_index (self->min_values, double, node) = value;
}

guint
jm_sankey_graph_add_link (JmSankeyGraph *self,
                          guint          source,
                          guint          target,
                          double         value)
{
  GraphLink link = { source, target, value };

  g_return_val_if_fail (self != NULL, 0);

  g_array_append_val (self->links, link);

  return self->links->len - 1;
}

guint
jm_sankey_graph_get_n_nodes (const JmSankeyGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->names->len;
}

guint
jm_sankey_graph_get_n_links (const JmSankeyGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->links->len;
}

const char *
jm_sankey_graph_get_node_name (const JmSankeyGraph *self,
                               guint                node)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (node < self->names->len, NULL);

  return g_ptr_array_index (self->names, node);
}

gint
jm_sankey_graph_find_node (const JmSankeyGraph *self,
                           const char          *name)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < self->names->len; i++)
    if (g_str_equal (g_ptr_array_index (self->names, i), name))
      return (gint) i;

  return -1;
}

static gboolean
check_options (const JmSankeyOptions  *options,
               GError                **error)
{
  const struct { const char *name; double value; } sizes[] = {
    { "width", options->width },
    { "height", options->height },
    { "node width", options->node_width },
    { "node padding", options->node_padding },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      if (!isfinite (sizes[i].value) || sizes[i].value < 0.0)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_OPTION,
                       "The Sankey %s must be a finite number ≥ 0, not %g",
                       sizes[i].name, sizes[i].value);
          return FALSE;
        }
    }
  if (options->node_width > options->width)
    {
      g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_OPTION,
                   "The Sankey node width (%g) is larger than the width (%g)",
                   options->node_width, options->width);
      return FALSE;
    }

  return TRUE;
}

static const char *
node_name (const JmSankeyGraph *graph,
           guint                node)
{
  return g_ptr_array_index (graph->names, node);
}

/* Columns: pinned layers are kept, the others go one column after their furthest predecessor,
 * in topological order (Kahn's, first-in first-out in input order, so the result does not
 * depend on anything but the input).
 */
static gboolean
assign_layers (const JmSankeyGraph  *graph,
               const guint          *out_start,
               const guint          *out_links,
               guint                *layer,
               GError              **error)
{
  guint n = graph->names->len;
  const GraphLink *links = (const GraphLink *) graph->links->data;
  g_autofree guint *in_degree = g_new0 (guint, MAX (n, 1));
  g_autofree guint *queue = g_new (guint, MAX (n, 1));
  guint head = 0;
  guint tail = 0;

  for (guint l = 0; l < graph->links->len; l++)
    in_degree[links[l].target]++;
  for (guint v = 0; v < n; v++)
    {
      guint pinned = g_array_index (graph->layers, guint, v);

      layer[v] = pinned != JM_SANKEY_LAYER_AUTO ? pinned : 0;
      if (in_degree[v] == 0)
        queue[tail++] = v;
    }

  while (head < tail)
    {
      guint v = queue[head++];

      for (guint e = out_start[v]; e < out_start[v + 1]; e++)
        {
          const GraphLink *link = &links[out_links[e]];
          guint w = link->target;

          if (g_array_index (graph->layers, guint, w) == JM_SANKEY_LAYER_AUTO)
            layer[w] = MAX (layer[w], layer[v] + 1);
          else if (layer[w] <= layer[v])
            {
              g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                           "Link %u goes from “%s” in column %u to “%s” in column %u: links "
                           "must go to a later column",
                           out_links[e], node_name (graph, v), layer[v], node_name (graph, w),
                           layer[w]);
              return FALSE;
            }
          if (--in_degree[w] == 0)
            queue[tail++] = w;
        }
    }

  if (tail < n)
    {
      for (guint v = 0; v < n; v++)
        {
          if (in_degree[v] > 0)
            {
              g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                           "The links form a cycle through “%s”: a Sankey diagram needs links "
                           "that always lead forward", node_name (graph, v));
              return FALSE;
            }
        }
    }

  return TRUE;
}

/* Places the items of one column, in their order, as close as possible (weighted least squares)
 * to their wished tops, at least `padding` apart and inside [0, height]. With z_i = y_i − (the
 * heights and paddings above i), the constraints become z non-decreasing and within bounds:
 * isotonic regression (pool adjacent violators), then clamped, which is optimal for box bounds.
 */
static void
project_column (const guint  *items,
                guint         n,
                const double *heights,
                const double *values,
                double        padding,
                double        height,
                double       *wish,
                double       *block_sum,
                double       *block_weight,
                guint        *block_size)
{
  guint n_blocks = 0;
  double offset = 0.0;
  double upper;
  guint k = 0;

  for (guint i = 0; i < n; i++)
    {
      guint item = items[i];
      double w = values[item] > 0.0 ? values[item] : 1e-6;

      block_sum[n_blocks] = w * (wish[item] - offset);
      block_weight[n_blocks] = w;
      block_size[n_blocks] = 1;
      n_blocks++;
      while (n_blocks > 1 &&
             block_sum[n_blocks - 2] / block_weight[n_blocks - 2] >
             block_sum[n_blocks - 1] / block_weight[n_blocks - 1])
        {
          block_sum[n_blocks - 2] += block_sum[n_blocks - 1];
          block_weight[n_blocks - 2] += block_weight[n_blocks - 1];
          block_size[n_blocks - 2] += block_size[n_blocks - 1];
          n_blocks--;
        }
      offset += heights[item] + padding;
    }

  upper = MAX (0.0, height - (offset - padding));
  offset = 0.0;
  for (guint b = 0; b < n_blocks; b++)
    {
      double z = CLAMP (block_sum[b] / block_weight[b], 0.0, upper);

      for (guint j = 0; j < block_size[b]; j++, k++)
        {
          wish[items[k]] = z + offset;
          offset += heights[items[k]] + padding;
        }
    }
}

typedef struct
{
  guint  n_items;
  guint  n_segments;
  guint *segment_source;
  guint *segment_target;
  double *segment_weight;
  guint *segment_link;
  guint *item_layer;
  double *item_value;
  /* segments by source item and by target item */
  guint *out_start;
  guint *out;
  guint *in_start;
  guint *in;
} Proper;

static void
proper_clear (Proper *proper)
{
  g_free (proper->segment_source);
  g_free (proper->segment_target);
  g_free (proper->segment_weight);
  g_free (proper->segment_link);
  g_free (proper->item_layer);
  g_free (proper->item_value);
  g_free (proper->out_start);
  g_free (proper->out);
  g_free (proper->in_start);
  g_free (proper->in);
}

static void
proper_index (Proper *proper)
{
  g_autofree guint *fill = g_new0 (guint, 2 * (proper->n_items + 1));
  guint *fill_in = fill + proper->n_items + 1;

  proper->out_start = g_new0 (guint, proper->n_items + 1);
  proper->in_start = g_new0 (guint, proper->n_items + 1);
  proper->out = g_new (guint, MAX (proper->n_segments, 1));
  proper->in = g_new (guint, MAX (proper->n_segments, 1));
  for (guint s = 0; s < proper->n_segments; s++)
    {
      proper->out_start[proper->segment_source[s] + 1]++;
      proper->in_start[proper->segment_target[s] + 1]++;
    }
  for (guint i = 0; i < proper->n_items; i++)
    {
      proper->out_start[i + 1] += proper->out_start[i];
      proper->in_start[i + 1] += proper->in_start[i];
    }
  for (guint s = 0; s < proper->n_segments; s++)
    {
      guint u = proper->segment_source[s];
      guint v = proper->segment_target[s];

      proper->out[proper->out_start[u] + fill[u]++] = s;
      proper->in[proper->in_start[v] + fill_in[v]++] = s;
    }
}

typedef struct
{
  const Proper       *proper;
  const JmLayerOrder *order;
  gboolean            by_target;
} AttachOrder;

static int
compare_attach (const void *pa,
                const void *pb,
                void       *data)
{
  const AttachOrder *ctx = data;
  guint a = *(const guint *) pa;
  guint b = *(const guint *) pb;
  const guint *ends = ctx->by_target ? ctx->proper->segment_target : ctx->proper->segment_source;
  guint ka = ctx->order->position[ends[a]];
  guint kb = ctx->order->position[ends[b]];

  if (ka != kb)
    return ka < kb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/* Offsets of each segment within its item on both sides: segments stacked top to bottom in
 * the order of their other end (then link order), so bands of one node never overlap and two
 * links of one node never cross. Sorts the item's slices of `proper->out` and `proper->in`.
 */
static void
compute_attach_offsets (Proper             *proper,
                        const JmLayerOrder *order,
                        double              ky,
                        double             *out_offset,
                        double             *in_offset)
{
  AttachOrder by_target = { proper, order, TRUE };
  AttachOrder by_source = { proper, order, FALSE };

  for (guint i = 0; i < proper->n_items; i++)
    {
      guint first = proper->out_start[i];
      guint n = proper->out_start[i + 1] - first;
      double y = 0.0;

      if (n > 1)
        g_qsort_with_data (proper->out + first, n, sizeof (guint), compare_attach, &by_target);
      for (guint e = first; e < first + n; e++)
        {
          out_offset[proper->out[e]] = y;
          y += proper->segment_weight[proper->out[e]] * ky;
        }

      first = proper->in_start[i];
      n = proper->in_start[i + 1] - first;
      y = 0.0;
      if (n > 1)
        g_qsort_with_data (proper->in + first, n, sizeof (guint), compare_attach, &by_source);
      for (guint e = first; e < first + n; e++)
        {
          in_offset[proper->in[e]] = y;
          y += proper->segment_weight[proper->in[e]] * ky;
        }
    }
}

/* Vertical relaxation: every column in turn, right to left then left to right, moves its items
 * part of the way towards the tops that would make their links level (weighted by link value),
 * then resolves overlaps keeping the order.
 */
static void
relax (const Proper       *proper,
       const JmLayerOrder *order,
       guint               n_layers,
       const double       *heights,
       const double       *out_offset,
       const double       *in_offset,
       double              padding,
       double              height,
       guint               iterations,
       double             *top)
{
  guint n = proper->n_items;
  guint max_column = 1;
  g_autofree double *wish = NULL;
  g_autofree double *block_sum = NULL;
  g_autofree double *block_weight = NULL;
  g_autofree guint *block_size = NULL;
  const guint *seg_by_target_start = proper->in_start;
  const guint *seg_by_target = proper->in;
  const guint *seg_by_source_start = proper->out_start;
  const guint *seg_by_source = proper->out;

  for (guint l = 0; l < n_layers; l++)
    max_column = MAX (max_column, order->layer_start[l + 1] - order->layer_start[l]);
  wish = g_new (double, max_column);
  block_sum = g_new (double, max_column);
  block_weight = g_new (double, max_column);
  block_size = g_new (guint, max_column);

  /* Relaxation converges slowly over very many columns and each pass is serial: a bounded
   * number of item moves keeps huge diagrams (a 50,000-step chain) linear and fast.
   */
  iterations = MIN (iterations, MAX (2, RELAXATION_BUDGET / MAX (n, 1)));

  for (guint it = 0; it < iterations; it++)
    {
      double alpha = pow (0.99, it);

      for (guint pass = 0; pass < 2; pass++)
        {
          gboolean rightwards = pass == 1;

          for (guint step = 0; step < n_layers; step++)
            {
              guint l = rightwards ? step : n_layers - 1 - step;
              guint first = order->layer_start[l];
              guint count = order->layer_start[l + 1] - first;

              for (guint i = first; i < first + count; i++)
                {
                  guint item = order->items[i];
                  double sum = 0.0;
                  double weight = 0.0;

                  if (rightwards)
                    {
                      for (guint e = seg_by_target_start[item]; e < seg_by_target_start[item + 1];
                           e++)
                        {
                          guint s = seg_by_target[e];
                          double w = proper->segment_weight[s] + 1e-9;

                          sum += w * (top[proper->segment_source[s]] + out_offset[s]
                                      - in_offset[s]);
                          weight += w;
                        }
                    }
                  else
                    {
                      for (guint e = seg_by_source_start[item]; e < seg_by_source_start[item + 1];
                           e++)
                        {
                          guint s = seg_by_source[e];
                          double w = proper->segment_weight[s] + 1e-9;

                          sum += w * (top[proper->segment_target[s]] + in_offset[s]
                                      - out_offset[s]);
                          weight += w;
                        }
                    }
                  wish[i - first] = weight > 0.0
                                    ? top[item] + (sum / weight - top[item]) * alpha
                                    : top[item];
                }

              if (count == 1)
                {
                  guint item = order->items[first];

                  top[item] = CLAMP (wish[0], 0.0, MAX (0.0, height - heights[item]));
                  continue;
                }
              for (guint i = first; i < first + count; i++)
                top[order->items[i]] = wish[i - first];
              project_column (order->items + first, count, heights, proper->item_value, padding,
                              height, top, block_sum, block_weight, block_size);
            }
        }
    }
}

static void
build_hit_index (JmSankeyLayout     *self,
                 const Proper       *proper,
                 const JmLayerOrder *order,
                 const double       *top,
                 const double       *heights)
{
  guint n_virtual = proper->n_items - self->n_nodes;
  g_autofree guint *fill = g_new0 (guint, MAX (self->n_layers, 1));

  self->column_start = g_memdup2 (order->layer_start, sizeof (guint) * (self->n_layers + 1));
  self->column_items = g_memdup2 (order->items, sizeof (guint) * MAX (proper->n_items, 1));
  self->virtual_top = g_new (double, MAX (n_virtual, 1));
  self->virtual_height = g_new (double, MAX (n_virtual, 1));
  self->virtual_link = g_new (guint, MAX (n_virtual, 1));
  for (guint i = self->n_nodes; i < proper->n_items; i++)
    {
      self->virtual_top[i - self->n_nodes] = top[i];
      self->virtual_height[i - self->n_nodes] = heights[i];
    }
  for (guint s = 0; s < proper->n_segments; s++)
    if (proper->segment_source[s] >= self->n_nodes)
      self->virtual_link[proper->segment_source[s] - self->n_nodes] = proper->segment_link[s];

  self->segment_link = g_memdup2 (proper->segment_link,
                                  sizeof (guint) * MAX (proper->n_segments, 1));
  self->gap_start = g_new0 (guint, self->n_layers + 1);
  self->gap_segments = g_new (guint, MAX (proper->n_segments, 1));
  for (guint s = 0; s < proper->n_segments; s++)
    self->gap_start[proper->item_layer[proper->segment_source[s]] + 1]++;
  for (guint l = 0; l < self->n_layers; l++)
    self->gap_start[l + 1] += self->gap_start[l];
  for (guint s = 0; s < proper->n_segments; s++)
    {
      guint l = proper->item_layer[proper->segment_source[s]];

      self->gap_segments[self->gap_start[l] + fill[l]++] = s;
    }
}

JmSankeyLayout *
jm_sankey_layout_compute (const JmSankeyGraph    *graph,
                          const JmSankeyOptions  *options,
                          GError                **error)
{
  g_autoptr(JmSankeyLayout) self = NULL;
  g_autoptr(JmLayerOrder) order = NULL;
  const GraphLink *links;
  guint n;
  guint m;
  g_autofree guint *out_start = NULL;
  g_autofree guint *out_links = NULL;
  g_autofree guint *fill = NULL;
  g_autofree guint *layer = NULL;
  g_autofree double *in_sum = NULL;
  g_autofree double *out_sum = NULL;
  g_autofree guint *first_segment = NULL;
  g_autofree double *column_sum = NULL;
  g_autofree guint *column_count = NULL;
  g_autofree double *heights = NULL;
  g_autofree double *top = NULL;
  g_autofree double *out_offset = NULL;
  g_autofree double *in_offset = NULL;
  double *out_y;
  double *in_y;
  char *names_end;
  Proper proper = { 0 };
  JmLayerOrderInput order_input;
  guint n_layers = 0;
  guint n_virtual = 0;
  guint max_column = 0;
  guint n_points = 0;
  double padding;
  double ky = 0.0;
  gboolean ky_set = FALSE;

  g_return_val_if_fail (graph != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_options (options, error))
    return NULL;

  n = graph->names->len;
  m = graph->links->len;
  links = (const GraphLink *) graph->links->data;

  for (guint l = 0; l < m; l++)
    {
      if (links[l].source >= n || links[l].target >= n)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "Link %u refers to node %u, but there are %u nodes", l,
                       links[l].source >= n ? links[l].source : links[l].target, n);
          return NULL;
        }
      if (links[l].source == links[l].target)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "Link %u goes from “%s” to itself: a Sankey diagram cannot draw a loop",
                       l, node_name (graph, links[l].source));
          return NULL;
        }
      if (!isfinite (links[l].value) || links[l].value < 0.0)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "Link %u (“%s” → “%s”) has the value %g; values must be finite and ≥ 0",
                       l, node_name (graph, links[l].source), node_name (graph, links[l].target),
                       links[l].value);
          return NULL;
        }
    }
  for (guint v = 0; v < n; v++)
    {
      double value = g_array_index (graph->min_values, double, v);

      if (!isfinite (value) || value < 0.0)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "Node %u (“%s”) has the value %g; values must be finite and ≥ 0",
                       v, node_name (graph, v), value);
          return NULL;
        }
    }

  /* Outgoing links per node, in link order. */
  out_start = g_new0 (guint, n + 1);
  out_links = g_new (guint, MAX (m, 1));
  fill = g_new0 (guint, MAX (n, 1));
  for (guint l = 0; l < m; l++)
    out_start[links[l].source + 1]++;
  for (guint v = 0; v < n; v++)
    out_start[v + 1] += out_start[v];
  for (guint l = 0; l < m; l++)
    out_links[out_start[links[l].source] + fill[links[l].source]++] = l;

  layer = g_new0 (guint, MAX (n, 1));
  if (!assign_layers (graph, out_start, out_links, layer, error))
    return NULL;
  for (guint v = 0; v < n; v++)
    n_layers = MAX (n_layers, layer[v] + 1);

  self = g_new0 (JmSankeyLayout, 1);
  self->width = options->width;
  self->height = options->height;
  self->node_width = options->node_width;
  self->n_layers = n_layers;
  self->column_step = n_layers > 1 ? (options->width - options->node_width) / (n_layers - 1)
                                   : 0.0;
  self->n_nodes = n;
  self->n_links = m;
  self->nodes = g_new0 (JmSankeyNode, MAX (n, 1));
  {
    gsize total = 0;

    for (guint v = 0; v < n; v++)
      total += strlen (node_name (graph, v)) + 1;
    self->names = g_malloc (MAX (total, 1));
  }
  self->links = g_new0 (JmSankeyLink, MAX (m, 1));

  in_sum = g_new0 (double, MAX (n, 1));
  out_sum = g_new0 (double, MAX (n, 1));
  for (guint l = 0; l < m; l++)
    {
      out_sum[links[l].source] += links[l].value;
      in_sum[links[l].target] += links[l].value;
      n_virtual += layer[links[l].target] - layer[links[l].source] - 1;
    }

  /* The proper layered graph: real nodes first, then one virtual item per column a link
   * crosses; each link becomes a chain of segments between adjacent columns.
   */
  proper.n_items = n + n_virtual;
  proper.n_segments = m + n_virtual;
  proper.item_layer = g_new (guint, MAX (proper.n_items, 1));
  proper.item_value = g_new (double, MAX (proper.n_items, 1));
  proper.segment_source = g_new (guint, MAX (proper.n_segments, 1));
  proper.segment_target = g_new (guint, MAX (proper.n_segments, 1));
  proper.segment_weight = g_new (double, MAX (proper.n_segments, 1));
  proper.segment_link = g_new (guint, MAX (proper.n_segments, 1));
  first_segment = g_new (guint, m + 1);
  names_end = self->names;
  for (guint v = 0; v < n; v++)
    {
      double value = MAX (in_sum[v], out_sum[v]);

      value = MAX (value, g_array_index (graph->min_values, double, v));
      proper.item_layer[v] = layer[v];
      proper.item_value[v] = value;
      self->nodes[v].name = names_end;
      names_end = g_stpcpy (names_end, node_name (graph, v)) + 1;
      self->nodes[v].layer = layer[v];
      self->nodes[v].value = value;
    }
  {
    guint next_item = n;
    guint next_segment = 0;

    for (guint l = 0; l < m; l++)
      {
        guint previous = links[l].source;

        first_segment[l] = next_segment;
        for (guint c = layer[links[l].source] + 1; c <= layer[links[l].target]; c++)
          {
            guint item = c == layer[links[l].target] ? links[l].target : next_item++;

            if (item >= n)
              {
                proper.item_layer[item] = c;
                proper.item_value[item] = links[l].value;
              }
            proper.segment_source[next_segment] = previous;
            proper.segment_target[next_segment] = item;
            proper.segment_weight[next_segment] = links[l].value;
            proper.segment_link[next_segment] = l;
            next_segment++;
            previous = item;
          }
      }
    first_segment[m] = next_segment;
    g_assert (next_item == proper.n_items && next_segment == proper.n_segments);
  }
  proper_index (&proper);

  /* One scale for the whole diagram: the fullest column fills the height less its paddings.
   * Paddings shrink when a column has so many items that they would take more than half the
   * height.
   */
  column_sum = g_new0 (double, MAX (n_layers, 1));
  column_count = g_new0 (guint, MAX (n_layers, 1));
  for (guint i = 0; i < proper.n_items; i++)
    {
      column_sum[proper.item_layer[i]] += proper.item_value[i];
      column_count[proper.item_layer[i]]++;
    }
  for (guint c = 0; c < n_layers; c++)
    max_column = MAX (max_column, column_count[c]);
  padding = options->node_padding;
  if (max_column > 1)
    padding = MIN (padding, options->height / 2.0 / (max_column - 1));
  for (guint c = 0; c < n_layers; c++)
    {
      if (column_sum[c] > 0.0)
        {
          double k = (options->height - (column_count[c] - 1) * padding) / column_sum[c];

          if (!ky_set || k < ky)
            ky = k;
          ky_set = TRUE;
        }
    }

  heights = g_new (double, MAX (proper.n_items, 1));
  for (guint i = 0; i < proper.n_items; i++)
    heights[i] = proper.item_value[i] * ky;

  order_input = (JmLayerOrderInput) {
    .n_items = proper.n_items,
    .n_layers = n_layers,
    .item_layer = proper.item_layer,
    .item_breadth = heights,
    .gap = padding,
    .n_segments = proper.n_segments,
    .segment_source = proper.segment_source,
    .segment_target = proper.segment_target,
    .segment_weight = proper.segment_weight,
    .iterations = options->ordering_iterations,
  };
  order = jm_layer_order_compute (&order_input);

  /* Start stacked in order with the free space of each column spread evenly, then relax. */
  top = g_new (double, MAX (proper.n_items, 1));
  for (guint c = 0; c < n_layers; c++)
    {
      guint first = order->layer_start[c];
      guint count = order->layer_start[c + 1] - first;
      double y = 0.0;
      double spare;

      for (guint i = first; i < first + count; i++)
        {
          top[order->items[i]] = y;
          y += heights[order->items[i]] + padding;
        }
      spare = MAX (0.0, (options->height - (y - padding)) / (count + 1));
      for (guint i = first; i < first + count; i++)
        top[order->items[i]] += spare * (i - first + 1);
    }

  out_offset = g_new0 (double, MAX (proper.n_segments, 1));
  in_offset = g_new0 (double, MAX (proper.n_segments, 1));
  compute_attach_offsets (&proper, order, ky, out_offset, in_offset);
  relax (&proper, order, n_layers, heights, out_offset, in_offset, padding, options->height,
         options->relaxation_iterations, top);

  /* Nodes. */
  for (guint v = 0; v < n; v++)
    {
      JmSankeyNode *node = &self->nodes[v];

      node->order = order->position[v];
      node->x0 = layer[v] * self->column_step;
      node->x1 = node->x0 + options->node_width;
      node->y0 = top[v];
      node->y1 = top[v] + heights[v];
    }

  /* Links: centres where each segment leaves and reaches its items (the offsets become
   * positions in place).
   */
  out_y = out_offset;
  in_y = in_offset;
  for (guint s = 0; s < proper.n_segments; s++)
    {
      double half = proper.segment_weight[s] * ky / 2.0;

      out_y[s] = top[proper.segment_source[s]] + out_offset[s] + half;
      in_y[s] = top[proper.segment_target[s]] + in_offset[s] + half;
    }
  /* Bands of one node are stacked in the order of their other ends, so the drawing crosses
   * exactly as the order does: the order's count is the geometric one.
   */
  self->weighted_crossings = order->weighted_crossings;

  for (guint l = 0; l < m; l++)
    n_points += 2 * (first_segment[l + 1] - first_segment[l]);
  self->points = g_new (JmLayoutPoint, MAX (n_points, 1));
  n_points = 0;
  for (guint l = 0; l < m; l++)
    {
      JmSankeyLink *link = &self->links[l];

      link->source = links[l].source;
      link->target = links[l].target;
      link->value = links[l].value;
      link->width = links[l].value * ky;
      link->y0 = out_y[first_segment[l]];
      link->y1 = in_y[first_segment[l + 1] - 1];
      link->points = self->points + n_points;
      for (guint s = first_segment[l]; s < first_segment[l + 1]; s++)
        {
          guint c = proper.item_layer[proper.segment_source[s]];

          self->points[n_points++] = (JmLayoutPoint) { c * self->column_step + options->node_width,
                                                       out_y[s] };
          self->points[n_points++] = (JmLayoutPoint) { (c + 1) * self->column_step, in_y[s] };
          g_assert (n_points == 2 * (s + 1));
        }
      link->n_points = 2 * (first_segment[l + 1] - first_segment[l]);
    }

  build_hit_index (self, &proper, order, top, heights);
  proper_clear (&proper);

  return g_steal_pointer (&self);
}

void
jm_sankey_layout_free (JmSankeyLayout *self)
{
  if (self == NULL)
    return;

  g_free (self->names);
  g_free (self->nodes);
  g_free (self->links);
  g_free (self->points);
  g_free (self->column_start);
  g_free (self->column_items);
  g_free (self->virtual_top);
  g_free (self->virtual_height);
  g_free (self->virtual_link);
  g_free (self->gap_start);
  g_free (self->gap_segments);
  g_free (self->segment_link);
  g_free (self);
}

double
jm_sankey_layout_get_width (const JmSankeyLayout *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->width;
}

double
jm_sankey_layout_get_height (const JmSankeyLayout *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->height;
}

guint
jm_sankey_layout_get_n_layers (const JmSankeyLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_layers;
}

guint
jm_sankey_layout_get_n_nodes (const JmSankeyLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_nodes;
}

const JmSankeyNode *
jm_sankey_layout_get_node (const JmSankeyLayout *self,
                           guint                 index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_nodes, NULL);

  return &self->nodes[index];
}

guint
jm_sankey_layout_get_n_links (const JmSankeyLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_links;
}

const JmSankeyLink *
jm_sankey_layout_get_link (const JmSankeyLayout *self,
                           guint                 index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_links, NULL);

  return &self->links[index];
}

double
jm_sankey_layout_get_weighted_crossings (const JmSankeyLayout *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->weighted_crossings;
}

static void
item_extent (const JmSankeyLayout *self,
             guint                 item,
             double               *y0,
             double               *y1)
{
  if (item < self->n_nodes)
    {
      *y0 = self->nodes[item].y0;
      *y1 = self->nodes[item].y1;
    }
  else
    {
      *y0 = self->virtual_top[item - self->n_nodes];
      *y1 = *y0 + self->virtual_height[item - self->n_nodes];
    }
}

/* The item of column `c` covering y, by binary search over the column's items (top down, never
 * overlapping), or -1.
 */
static gint
column_item_at (const JmSankeyLayout *self,
                guint                 c,
                double                y)
{
  guint lo = self->column_start[c];
  guint hi = self->column_start[c + 1];
  double y0, y1;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      item_extent (self, self->column_items[mid], &y0, &y1);
      if (y1 < y)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo == self->column_start[c + 1])
    return -1;
  item_extent (self, self->column_items[lo], &y0, &y1);

  return y0 <= y && y <= y1 ? (gint) self->column_items[lo] : -1;
}

JmLayoutHitKind
jm_sankey_layout_hit_test (const JmSankeyLayout *self,
                           double                x,
                           double                y,
                           gint                 *out_index)
{
  gint link = -1;
  gint c_high;

  g_return_val_if_fail (self != NULL, JM_LAYOUT_HIT_NONE);

  if (out_index != NULL)
    *out_index = -1;
  if (self->n_layers == 0 || !(x >= 0.0) || !(y >= 0.0) || x > self->width || y > self->height)
    return JM_LAYOUT_HIT_NONE;

  /* Columns overlap when they are closer than a node width (a very long chain), so look at
   * every column whose span holds x, from the rightmost down.
   */
  c_high = self->column_step > 0.0 ? (gint) floor (x / self->column_step) : 0;
  c_high = MIN (c_high, (gint) self->n_layers - 1);
  for (gint c = c_high; c >= 0 && c * self->column_step + self->node_width >= x; c--)
    {
      gint item = column_item_at (self, (guint) c, y);

      if (item < 0)
        continue;
      if ((guint) item < self->n_nodes)
        {
          if (out_index != NULL)
            *out_index = item;
          return JM_LAYOUT_HIT_NODE;
        }
      link = MAX (link, (gint) self->virtual_link[item - self->n_nodes]);
    }

  if (c_high >= 0 && (guint) c_high + 1 < self->n_layers &&
      x > c_high * self->column_step + self->node_width)
    {
      for (guint k = self->gap_start[c_high]; k < self->gap_start[c_high + 1]; k++)
        {
          guint s = self->gap_segments[k];
          guint l = self->segment_link[s];
          double centre;

          if ((gint) l <= link)
            continue;
          centre = jm_layout_flow_curve_y_at (self->points[2 * s], self->points[2 * s + 1], x);
          if (fabs (y - centre) <= self->links[l].width / 2.0)
            link = (gint) l;
        }
    }

  if (link < 0)
    return JM_LAYOUT_HIT_NONE;
  if (out_index != NULL)
    *out_index = link;

  return JM_LAYOUT_HIT_LINK;
}

gint
jm_sankey_layout_node_at (const JmSankeyLayout *self,
                          double                x,
                          double                y)
{
  gint index;

  g_return_val_if_fail (self != NULL, -1);

  return jm_sankey_layout_hit_test (self, x, y, &index) == JM_LAYOUT_HIT_NODE ? index : -1;
}

gint
jm_sankey_layout_link_at (const JmSankeyLayout *self,
                          double                x,
                          double                y)
{
  gint index;

  g_return_val_if_fail (self != NULL, -1);

  return jm_sankey_layout_hit_test (self, x, y, &index) == JM_LAYOUT_HIT_LINK ? index : -1;
}
