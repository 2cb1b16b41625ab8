/* jm-graph-layout.c
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

#include "jm-graph-layout.h"
#include "jm-layer-order-private.h"

#define CURVE_SAMPLES 16

typedef struct
{
  guint  source;
  guint  target;
  double value;
} GraphEdge;

struct _JmGraph
{
  GPtrArray *names;    /* char* */
  GArray    *values;   /* double */
  GArray    *pins;     /* JmGraphPin */
  GArray    *edges;    /* GraphEdge */
};

/* One entry of the hit-testing grid: a node box, or one straight piece of an edge's curve. */
typedef struct
{
  gint          node;   /* -1 for an edge piece */
  guint         edge;
  JmLayoutPoint a;
  JmLayoutPoint b;
} HitEntry;

struct _JmGraphLayout
{
  double         width;
  double         height;
  guint          n_layers;
  guint          n_nodes;
  JmGraphNode   *nodes;
  char         **names;
  guint          n_edges;
  JmGraphEdge   *edges;
  JmLayoutPoint *points;
  double         weighted_crossings;

  double         cell;
  guint          grid_columns;
  guint          grid_rows;
  guint         *grid_start;
  HitEntry      *grid_entries;
};

void
jm_graph_layout_options_init (JmGraphLayoutOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (JmGraphLayoutOptions) {
    .direction = JM_GRAPH_LEFT_TO_RIGHT,
    .node_length = 120.0,
    .min_node_breadth = 28.0,
    .max_node_breadth = 72.0,
    .layer_spacing = 80.0,
    .node_spacing = 24.0,
    .min_edge_width = 1.0,
    .max_edge_width = 12.0,
    .margin = 16.0,
    .ordering_iterations = 4,
  };
}

JmGraph *
jm_graph_new (void)
{
  JmGraph *self = g_new0 (JmGraph, 1);

  self->names = g_ptr_array_new_with_free_func (g_free);
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  self->pins = g_array_new (FALSE, FALSE, sizeof (JmGraphPin));
  self->edges = g_array_new (FALSE, FALSE, sizeof (GraphEdge));

  return self;
}

void
jm_graph_free (JmGraph *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->names);
  g_array_unref (self->values);
  g_array_unref (self->pins);
  g_array_unref (self->edges);
  g_free (self);
}

guint
jm_graph_add_node (JmGraph    *self,
                   const char *name,
                   double      value,
                   JmGraphPin  pin)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  g_ptr_array_add (self->names, g_strdup (name));
  g_array_append_val (self->values, value);
  g_array_append_val (self->pins, pin);

  return self->names->len - 1;
}

guint
jm_graph_add_edge (JmGraph *self,
                   guint    source,
                   guint    target,
                   double   value)
{
  GraphEdge edge = { source, target, value };

  g_return_val_if_fail (self != NULL, 0);

  g_array_append_val (self->edges, edge);

  return self->edges->len - 1;
}

guint
jm_graph_get_n_nodes (const JmGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->names->len;
}

guint
jm_graph_get_n_edges (const JmGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->edges->len;
}

gint
jm_graph_find_node (const JmGraph *self,
                    const char    *name)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < self->names->len; i++)
    if (g_str_equal (g_ptr_array_index (self->names, i), name))
      return (gint) i;

  return -1;
}

static gboolean
check_input (const JmGraph               *graph,
             const JmGraphLayoutOptions  *options,
             GError                     **error)
{
  const struct { const char *name; double value; } sizes[] = {
    { "node length", options->node_length },
    { "minimum node breadth", options->min_node_breadth },
    { "maximum node breadth", options->max_node_breadth },
    { "layer spacing", options->layer_spacing },
    { "node spacing", options->node_spacing },
    { "minimum edge width", options->min_edge_width },
    { "maximum edge width", options->max_edge_width },
    { "margin", options->margin },
  };
  guint n = graph->names->len;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      if (!isfinite (sizes[i].value) || sizes[i].value < 0.0)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_OPTION,
                       "The graph's %s must be a finite number ≥ 0, not %g", sizes[i].name,
                       sizes[i].value);
          return FALSE;
        }
    }
  if (options->min_node_breadth > options->max_node_breadth ||
      options->min_edge_width > options->max_edge_width)
    {
      g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_OPTION,
                   "The graph's minimum sizes must not exceed its maximum sizes");
      return FALSE;
    }

  for (guint v = 0; v < n; v++)
    {
      double value = g_array_index (graph->values, double, v);

      if (!isfinite (value) || value < 0.0)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "Node %u (“%s”) has the value %g; values must be finite and ≥ 0", v,
                       (const char *) g_ptr_array_index (graph->names, v), value);
          return FALSE;
        }
    }
  for (guint e = 0; e < graph->edges->len; e++)
    {
      const GraphEdge *edge = &g_array_index (graph->edges, GraphEdge, e);

      if (edge->source >= n || edge->target >= n)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "Edge %u refers to node %u, but there are %u nodes", e,
                       edge->source >= n ? edge->source : edge->target, n);
          return FALSE;
        }
      if (!isfinite (edge->value) || edge->value < 0.0)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "Edge %u has the value %g; values must be finite and ≥ 0", e,
                       edge->value);
          return FALSE;
        }
    }

  return TRUE;
}

/* Cycle breaking, Eades–Lin–Smyth with weights: nodes pinned first lead the sequence and nodes
 * pinned last close it; of the rest, sinks go to the back, sources to the front, and otherwise
 * the node whose outflow most exceeds its inflow goes to the front. Edges pointing backwards in
 * the sequence are the back edges; the heavy ones tend to point forwards. O(n² + m), ties by
 * index, so deterministic.
 */
static void
sequence_nodes (const JmGraph *graph,
                guint         *rank)
{
  guint n = graph->names->len;
  guint m = graph->edges->len;
  const GraphEdge *edges = (const GraphEdge *) graph->edges->data;
  g_autofree double *out_w = g_new0 (double, MAX (n, 1));
  g_autofree double *in_w = g_new0 (double, MAX (n, 1));
  g_autofree guint *out_deg = g_new0 (guint, MAX (n, 1));
  g_autofree guint *in_deg = g_new0 (guint, MAX (n, 1));
  g_autofree gboolean *gone = g_new0 (gboolean, MAX (n, 1));
  g_autofree guint *front = g_new (guint, MAX (n, 1));
  g_autofree guint *back = g_new (guint, MAX (n, 1));
  g_autofree guint *adj_start = g_new0 (guint, n + 1);
  g_autofree guint *adj = g_new (guint, MAX (2 * m, 1));
  g_autofree guint *fill = g_new0 (guint, MAX (n, 1));
  guint n_front = 0;
  guint n_back = 0;
  guint remaining = n;

  for (guint e = 0; e < m; e++)
    {
      if (edges[e].source == edges[e].target)
        continue;
      out_w[edges[e].source] += edges[e].value;
      in_w[edges[e].target] += edges[e].value;
      out_deg[edges[e].source]++;
      in_deg[edges[e].target]++;
      adj_start[edges[e].source + 1]++;
      adj_start[edges[e].target + 1]++;
    }
  for (guint v = 0; v < n; v++)
    adj_start[v + 1] += adj_start[v];
  for (guint e = 0; e < m; e++)
    {
      if (edges[e].source == edges[e].target)
        continue;
      adj[adj_start[edges[e].source] + fill[edges[e].source]++] = e;
      adj[adj_start[edges[e].target] + fill[edges[e].target]++] = e;
    }

#define REMOVE(v)                                                         \
  G_STMT_START {                                                          \
    gone[(v)] = TRUE;                                                     \
    remaining--;                                                          \
    for (guint k_ = adj_start[(v)]; k_ < adj_start[(v) + 1]; k_++)        \
      {                                                                   \
        const GraphEdge *e_ = &edges[adj[k_]];                            \
        if (e_->source == (v))                                            \
          {                                                               \
            in_w[e_->target] -= e_->value;                                \
            in_deg[e_->target]--;                                         \
          }                                                               \
        else                                                              \
          {                                                               \
            out_w[e_->source] -= e_->value;                               \
            out_deg[e_->source]--;                                        \
          }                                                               \
      }                                                                   \
  } G_STMT_END

  for (guint v = 0; v < n; v++)
    if (g_array_index (graph->pins, JmGraphPin, v) == JM_GRAPH_PIN_FIRST)
      {
        front[n_front++] = v;
        REMOVE (v);
      }
  for (guint v = n; v-- > 0;)
    if (g_array_index (graph->pins, JmGraphPin, v) == JM_GRAPH_PIN_LAST)
      {
        back[n_back++] = v;
        REMOVE (v);
      }

  while (remaining > 0)
    {
      gboolean found = FALSE;
      gint best = -1;
      double best_delta = 0.0;

      for (guint v = n; v-- > 0;)
        if (!gone[v] && out_deg[v] == 0)
          {
            back[n_back++] = v;
            REMOVE (v);
            found = TRUE;
          }
      for (guint v = 0; v < n; v++)
        if (!gone[v] && in_deg[v] == 0)
          {
            front[n_front++] = v;
            REMOVE (v);
            found = TRUE;
          }
      if (found)
        continue;

      for (guint v = 0; v < n; v++)
        if (!gone[v] && (best < 0 || out_w[v] - in_w[v] > best_delta))
          {
            best = (gint) v;
            best_delta = out_w[v] - in_w[v];
          }
      front[n_front++] = (guint) best;
      REMOVE ((guint) best);
    }
#undef REMOVE

  for (guint i = 0; i < n_front; i++)
    rank[front[i]] = i;
  for (guint i = 0; i < n_back; i++)
    rank[back[i]] = n - 1 - i;
}

/* The proper layered graph the ordering and the coordinates work on. */
typedef struct
{
  guint   n_nodes;
  guint   n_items;
  guint   n_layers;
  guint  *item_layer;
  double *item_breadth;
  guint   n_segments;
  guint  *segment_source;
  guint  *segment_target;
  double *segment_weight;
  guint  *segment_edge;
  /* per item, its segments towards the previous and the next layer */
  guint  *up_start;
  guint  *up;
  guint  *down_start;
  guint  *down;
} Layered;

static void
layered_clear (Layered *layered)
{
  g_free (layered->item_layer);
  g_free (layered->item_breadth);
  g_free (layered->segment_source);
  g_free (layered->segment_target);
  g_free (layered->segment_weight);
  g_free (layered->segment_edge);
  g_free (layered->up_start);
  g_free (layered->up);
  g_free (layered->down_start);
  g_free (layered->down);
}

static void
index_segments (Layered *layered)
{
  g_autofree guint *fill_up = g_new0 (guint, MAX (layered->n_items, 1));
  g_autofree guint *fill_down = g_new0 (guint, MAX (layered->n_items, 1));

  layered->up_start = g_new0 (guint, layered->n_items + 1);
  layered->down_start = g_new0 (guint, layered->n_items + 1);
  layered->up = g_new (guint, MAX (layered->n_segments, 1));
  layered->down = g_new (guint, MAX (layered->n_segments, 1));
  for (guint s = 0; s < layered->n_segments; s++)
    {
      layered->up_start[layered->segment_target[s] + 1]++;
      layered->down_start[layered->segment_source[s] + 1]++;
    }
  for (guint i = 0; i < layered->n_items; i++)
    {
      layered->up_start[i + 1] += layered->up_start[i];
      layered->down_start[i + 1] += layered->down_start[i];
    }
  for (guint s = 0; s < layered->n_segments; s++)
    {
      guint t = layered->segment_target[s];
      guint u = layered->segment_source[s];

      layered->up[layered->up_start[t] + fill_up[t]++] = s;
      layered->down[layered->down_start[u] + fill_down[u]++] = s;
    }
}

static gboolean
is_virtual (const Layered *layered,
            guint          item)
{
  return item >= layered->n_nodes;
}

static double
separation (const Layered *layered,
            guint          a,
            guint          b,
            double         spacing)
{
  double gap = is_virtual (layered, a) && is_virtual (layered, b) ? spacing / 3.0 : spacing;

  return (layered->item_breadth[a] + layered->item_breadth[b]) / 2.0 + gap;
}

/* Brandes–Köpf: type 1 conflicts are segments that cross an inner segment (one between two
 * virtual items); they never join an alignment, so long edges stay straight.
 */
static GHashTable *
find_type1_conflicts (const Layered      *layered,
                      const JmLayerOrder *order)
{
  GHashTable *conflicts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint l = 1; l < layered->n_layers; l++)
    {
      guint first = order->layer_start[l];
      guint count = order->layer_start[l + 1] - first;
      guint prev_count = order->layer_start[l] - order->layer_start[l - 1];
      guint k0 = 0;
      guint scan = 0;

      for (guint i = 0; i < count; i++)
        {
          guint v = order->items[first + i];
          gint inner = -1;

          if (is_virtual (layered, v))
            for (guint e = layered->up_start[v]; e < layered->up_start[v + 1]; e++)
              if (is_virtual (layered, layered->segment_source[layered->up[e]]))
                inner = (gint) layered->segment_source[layered->up[e]];

          if (inner >= 0 || i == count - 1)
            {
              guint k1 = inner >= 0 ? order->position[inner] : prev_count;

              for (guint j = scan; j <= i; j++)
                {
                  guint w = order->items[first + j];

                  for (guint e = layered->up_start[w]; e < layered->up_start[w + 1]; e++)
                    {
                      guint u = layered->segment_source[layered->up[e]];
                      guint pu = order->position[u];

                      if ((pu < k0 || pu > k1) &&
                          !(is_virtual (layered, u) && is_virtual (layered, w)))
                        {
                          gint64 *key = g_new (gint64, 1);

                          *key = (gint64) MIN (u, w) * layered->n_items + MAX (u, w);
                          g_hash_table_add (conflicts, key);
                        }
                    }
                }
              scan = i + 1;
              k0 = k1;
            }
        }
    }

  return conflicts;
}

static gboolean
has_conflict (GHashTable    *conflicts,
              const Layered *layered,
              guint          a,
              guint          b)
{
  gint64 key = (gint64) MIN (a, b) * layered->n_items + MAX (a, b);

  return g_hash_table_contains (conflicts, &key);
}

typedef struct
{
  guint  *layer_items;   /* the order of one alignment's pass (layers and items maybe reversed) */
  guint  *layer_start;
  guint  *pos;
  guint  *root;
  guint  *align;
  double *x;
} Alignment;

static int
compare_by_pos (const void *pa,
                const void *pb,
                void       *data)
{
  const guint *pos = data;
  guint a = pos[*(const guint *) pa];
  guint b = pos[*(const guint *) pb];

  return a < b ? -1 : a > b ? 1 : 0;
}

/* One of the four alignments: `upwards` aligns with the layer above (predecessors),
 * `leftwards` scans layers from their first item. Results in align->x, with the separation
 * constraints met along the scanned order.
 */
static void
align_and_compact (const Layered      *layered,
                   const JmLayerOrder *order,
                   GHashTable         *conflicts,
                   gboolean            upwards,
                   gboolean            leftwards,
                   double              spacing,
                   Alignment          *al)
{
  guint n = layered->n_items;
  guint L = layered->n_layers;
  g_autofree guint *neighbours = g_new (guint, MAX (layered->n_segments, 1));
  g_autofree guint *block_from = g_new (guint, MAX (n, 1));
  g_autofree guint *block_to = g_new (guint, MAX (n, 1));
  g_autofree double *block_sep = g_new (double, MAX (n, 1));
  g_autofree guint *in_count = g_new0 (guint, n + 1);
  g_autofree guint *out_count = g_new0 (guint, n + 1);
  g_autofree guint *in_edges = g_new (guint, MAX (n, 1));
  g_autofree guint *out_edges = g_new (guint, MAX (n, 1));
  g_autofree guint *fill_in = g_new0 (guint, MAX (n, 1));
  g_autofree guint *fill_out = g_new0 (guint, MAX (n, 1));
  g_autofree guint *queue = g_new (guint, MAX (n, 1));
  g_autofree guint *pending = g_new0 (guint, MAX (n, 1));
  guint n_blocks_edges = 0;
  guint head = 0;
  guint tail = 0;

  /* The scanned order: layers top-down or bottom-up, items first-to-last or reversed. */
  for (guint k = 0, out = 0; k < L; k++)
    {
      guint l = upwards ? k : L - 1 - k;
      guint first = order->layer_start[l];
      guint count = order->layer_start[l + 1] - first;

      al->layer_start[k] = out;
      for (guint i = 0; i < count; i++)
        {
          guint item = order->items[first + (leftwards ? i : count - 1 - i)];

          al->layer_items[out++] = item;
          al->pos[item] = i;
        }
      al->layer_start[k + 1] = out;
    }
  for (guint v = 0; v < n; v++)
    {
      al->root[v] = v;
      al->align[v] = v;
    }

  for (guint k = 0; k < L; k++)
    {
      gint prev = -1;

      for (guint i = al->layer_start[k]; i < al->layer_start[k + 1]; i++)
        {
          guint v = al->layer_items[i];
          const guint *start = upwards ? layered->up_start : layered->down_start;
          const guint *segs = upwards ? layered->up : layered->down;
          guint d = 0;

          for (guint e = start[v]; e < start[v + 1]; e++)
            neighbours[d++] = upwards ? layered->segment_source[segs[e]]
                                      : layered->segment_target[segs[e]];
          if (d == 0)
            continue;
          g_qsort_with_data (neighbours, d, sizeof (guint), compare_by_pos, al->pos);
          for (guint m = (d - 1) / 2; m <= d / 2; m++)
            {
              guint w = neighbours[m];

              if (al->align[v] == v && prev < (gint) al->pos[w] &&
                  !has_conflict (conflicts, layered, v, w))
                {
                  al->align[w] = v;
                  al->root[v] = al->root[w];
                  al->align[v] = al->root[v];
                  prev = (gint) al->pos[w];
                }
            }
        }
    }

  /* Horizontal compaction over the block graph: blocks (by root) ordered by the scanned
   * layers; each block as close as it may be to the blocks before it, then pulled towards the
   * blocks after it where that costs nothing.
   */
  for (guint k = 0; k < L; k++)
    for (guint i = al->layer_start[k] + 1; i < al->layer_start[k + 1]; i++)
      {
        guint u = al->layer_items[i - 1];
        guint v = al->layer_items[i];

        block_from[n_blocks_edges] = al->root[u];
        block_to[n_blocks_edges] = al->root[v];
        block_sep[n_blocks_edges] = separation (layered, u, v, spacing);
        n_blocks_edges++;
      }
  for (guint e = 0; e < n_blocks_edges; e++)
    {
      in_count[block_to[e] + 1]++;
      out_count[block_from[e] + 1]++;
    }
  for (guint v = 0; v < n; v++)
    {
      in_count[v + 1] += in_count[v];
      out_count[v + 1] += out_count[v];
    }
  for (guint e = 0; e < n_blocks_edges; e++)
    {
      in_edges[in_count[block_to[e]] + fill_in[block_to[e]]++] = e;
      out_edges[out_count[block_from[e]] + fill_out[block_from[e]]++] = e;
    }
  for (guint v = 0; v < n; v++)
    {
      pending[v] = in_count[v + 1] - in_count[v];
      al->x[v] = 0.0;
    }
  for (guint v = 0; v < n; v++)
    if (al->root[v] == v && pending[v] == 0)
      queue[tail++] = v;
  while (head < tail)
    {
      guint b = queue[head++];

      for (guint k = in_count[b]; k < in_count[b + 1]; k++)
        {
          guint e = in_edges[k];

          al->x[b] = MAX (al->x[b], al->x[block_from[e]] + block_sep[e]);
        }
      for (guint k = out_count[b]; k < out_count[b + 1]; k++)
        {
          guint e = out_edges[k];

          if (--pending[block_to[e]] == 0)
            queue[tail++] = block_to[e];
        }
    }
  for (guint q = tail; q-- > 0;)
    {
      guint b = queue[q];
      double limit = INFINITY;

      for (guint k = out_count[b]; k < out_count[b + 1]; k++)
        {
          guint e = out_edges[k];

          limit = MIN (limit, al->x[block_to[e]] - block_sep[e]);
        }
      if (isfinite (limit))
        al->x[b] = MAX (al->x[b], limit);
    }
  for (guint v = 0; v < n; v++)
    al->x[v] = al->x[al->root[v]];
  if (!leftwards)
    for (guint v = 0; v < n; v++)
      al->x[v] = -al->x[v];
}

/* Keeps the order of one layer and at least the separation between neighbours, moving the
 * items as little as possible (least squares): isotonic regression on x − (separations above).
 */
static void
project_layer (const Layered *layered,
               const guint   *items,
               guint          n,
               double         spacing,
               double        *x)
{
  g_autofree double *sum = g_new (double, MAX (n, 1));
  g_autofree guint *size = g_new (guint, MAX (n, 1));
  guint n_blocks = 0;
  double offset = 0.0;
  guint k = 0;

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        offset += separation (layered, items[i - 1], items[i], spacing);
      sum[n_blocks] = x[items[i]] - offset;
      size[n_blocks] = 1;
      n_blocks++;
      while (n_blocks > 1 &&
             sum[n_blocks - 2] / size[n_blocks - 2] > sum[n_blocks - 1] / size[n_blocks - 1])
        {
          sum[n_blocks - 2] += sum[n_blocks - 1];
          size[n_blocks - 2] += size[n_blocks - 1];
          n_blocks--;
        }
    }

  offset = 0.0;
  for (guint b = 0; b < n_blocks; b++)
    {
      double z = sum[b] / size[b];

      for (guint j = 0; j < size[b]; j++, k++)
        {
          if (k > 0)
            offset += separation (layered, items[k - 1], items[k], spacing);
          x[items[k]] = z + offset;
        }
    }
}

/* The cross-axis centre of every item: the four Brandes–Köpf alignments, aligned to the
 * narrowest, balanced (mean of the two middle values), then made to respect the separations
 * exactly.
 */
static void
assign_cross_coordinates (const Layered      *layered,
                          const JmLayerOrder *order,
                          double              spacing,
                          double             *centre)
{
  guint n = layered->n_items;
  g_autoptr(GHashTable) conflicts = find_type1_conflicts (layered, order);
  Alignment al[4];
  double min_x[4];
  double max_x[4];
  guint narrowest = 0;

  for (guint a = 0; a < 4; a++)
    {
      al[a].layer_items = g_new (guint, MAX (n, 1));
      al[a].layer_start = g_new (guint, layered->n_layers + 1);
      al[a].pos = g_new (guint, MAX (n, 1));
      al[a].root = g_new (guint, MAX (n, 1));
      al[a].align = g_new (guint, MAX (n, 1));
      al[a].x = g_new (double, MAX (n, 1));
      align_and_compact (layered, order, conflicts, a < 2, a % 2 == 0, spacing, &al[a]);

      min_x[a] = INFINITY;
      max_x[a] = -INFINITY;
      for (guint v = 0; v < n; v++)
        {
          min_x[a] = MIN (min_x[a], al[a].x[v] - layered->item_breadth[v] / 2.0);
          max_x[a] = MAX (max_x[a], al[a].x[v] + layered->item_breadth[v] / 2.0);
        }
      if (max_x[a] - min_x[a] < max_x[narrowest] - min_x[narrowest])
        narrowest = a;
    }

  for (guint a = 0; a < 4; a++)
    {
      /* Left-scanned alignments share the narrowest one's left edge, the others its right. */
      double shift = a % 2 == 0 ? min_x[narrowest] - min_x[a] : max_x[narrowest] - max_x[a];

      for (guint v = 0; v < n; v++)
        al[a].x[v] += shift;
    }

  for (guint v = 0; v < n; v++)
    {
      double xs[4] = { al[0].x[v], al[1].x[v], al[2].x[v], al[3].x[v] };

      for (guint i = 1; i < 4; i++)
        for (guint j = i; j > 0 && xs[j - 1] > xs[j]; j--)
          {
            double t = xs[j];

            xs[j] = xs[j - 1];
            xs[j - 1] = t;
          }
      centre[v] = (xs[1] + xs[2]) / 2.0;
    }

  for (guint l = 0; l < layered->n_layers; l++)
    project_layer (layered, order->items + order->layer_start[l],
                   order->layer_start[l + 1] - order->layer_start[l], spacing, centre);

  for (guint a = 0; a < 4; a++)
    {
      g_free (al[a].layer_items);
      g_free (al[a].layer_start);
      g_free (al[a].pos);
      g_free (al[a].root);
      g_free (al[a].align);
      g_free (al[a].x);
    }
}

typedef struct
{
  guint  segment;
  double key;
} PortEntry;

static int
compare_ports (const void *pa,
               const void *pb)
{
  const PortEntry *a = pa;
  const PortEntry *b = pb;

  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return a->segment < b->segment ? -1 : a->segment > b->segment ? 1 : 0;
}

/* Where each segment meets its real end: spread evenly along the node's side, in the order of
 * the other ends, so the curves leaving one side do not cross there.
 */
static void
assign_ports (const Layered *layered,
              const double  *centre,
              double        *port_out,
              double        *port_in)
{
  g_autofree PortEntry *entries = g_new (PortEntry, MAX (layered->n_segments, 1));

  for (guint v = 0; v < layered->n_items; v++)
    {
      double top = centre[v] - layered->item_breadth[v] / 2.0;
      guint d = 0;

      for (guint e = layered->down_start[v]; e < layered->down_start[v + 1]; e++)
        entries[d++] = (PortEntry) { layered->down[e],
                                     centre[layered->segment_target[layered->down[e]]] };
      qsort (entries, d, sizeof (PortEntry), compare_ports);
      for (guint k = 0; k < d; k++)
        port_out[entries[k].segment] = is_virtual (layered, v)
                                       ? centre[v]
                                       : top + layered->item_breadth[v] * (k + 1) / (d + 1);

      d = 0;
      for (guint e = layered->up_start[v]; e < layered->up_start[v + 1]; e++)
        entries[d++] = (PortEntry) { layered->up[e],
                                     centre[layered->segment_source[layered->up[e]]] };
      qsort (entries, d, sizeof (PortEntry), compare_ports);
      for (guint k = 0; k < d; k++)
        port_in[entries[k].segment] = is_virtual (layered, v)
                                      ? centre[v]
                                      : top + layered->item_breadth[v] * (k + 1) / (d + 1);
    }
}

static void
append_flow_curve (GArray        *points,
                   JmLayoutPoint  to)
{
  JmLayoutPoint from = g_array_index (points, JmLayoutPoint, points->len - 1);
  double mid = (from.x + to.x) / 2.0;
  JmLayoutPoint c1 = { mid, from.y };
  JmLayoutPoint c2 = { mid, to.y };

  g_array_append_val (points, c1);
  g_array_append_val (points, c2);
  g_array_append_val (points, to);
}

static void
transpose_point (JmLayoutPoint *point)
{
  double t = point->x;

  point->x = point->y;
  point->y = t;
}

static void
grid_cells (const JmGraphLayout *self,
            double               x0,
            double               y0,
            double               x1,
            double               y1,
            guint               *c0,
            guint               *r0,
            guint               *c1,
            guint               *r1)
{
  *c0 = (guint) CLAMP (floor (x0 / self->cell), 0, self->grid_columns - 1);
  *c1 = (guint) CLAMP (floor (x1 / self->cell), 0, self->grid_columns - 1);
  *r0 = (guint) CLAMP (floor (y0 / self->cell), 0, self->grid_rows - 1);
  *r1 = (guint) CLAMP (floor (y1 / self->cell), 0, self->grid_rows - 1);
}

static void
entry_bounds (const JmGraphLayout *self,
              const HitEntry      *entry,
              double              *x0,
              double              *y0,
              double              *x1,
              double              *y1)
{
  double pad = entry->node >= 0 ? 0.0 : self->edges[entry->edge].width / 2.0;

  *x0 = MIN (entry->a.x, entry->b.x) - pad;
  *x1 = MAX (entry->a.x, entry->b.x) + pad;
  *y0 = MIN (entry->a.y, entry->b.y) - pad;
  *y1 = MAX (entry->a.y, entry->b.y) + pad;
}

/* Straight pieces enough to follow a cubic within a pixel or so: one for a straight run
 * (through a layer), more the longer its control polygon.
 */
static guint
curve_pieces (const JmLayoutPoint *p)
{
  double length = hypot (p[1].x - p[0].x, p[1].y - p[0].y) +
                  hypot (p[2].x - p[1].x, p[2].y - p[1].y) +
                  hypot (p[3].x - p[2].x, p[3].y - p[2].y);

  if (p[0].y == p[1].y && p[1].y == p[2].y && p[2].y == p[3].y)
    return 1;
  if (p[0].x == p[1].x && p[1].x == p[2].x && p[2].x == p[3].x)
    return 1;

  return (guint) CLAMP (ceil (length / 24.0), 2, CURVE_SAMPLES);
}

/* A uniform grid over the drawing; every node box and every straight piece of the sampled
 * curves is filed under each cell its bounds touch.
 */
static void
build_hit_grid (JmGraphLayout *self)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (HitEntry));
  g_autofree guint *fill = NULL;
  guint n_cells;

  for (guint v = 0; v < self->n_nodes; v++)
    {
      HitEntry entry = { (gint) v, 0, { self->nodes[v].x0, self->nodes[v].y0 },
                         { self->nodes[v].x1, self->nodes[v].y1 } };

      g_array_append_val (entries, entry);
    }
  for (guint e = 0; e < self->n_edges; e++)
    {
      const JmGraphEdge *edge = &self->edges[e];

      for (guint p = 0; p + 3 < edge->n_points; p += 3)
        {
          JmLayoutPoint previous = edge->points[p];
          guint pieces = curve_pieces (&edge->points[p]);

          for (guint k = 1; k <= pieces; k++)
            {
              JmLayoutPoint next = jm_layout_bezier_point (edge->points[p], edge->points[p + 1],
                                                           edge->points[p + 2],
                                                           edge->points[p + 3],
                                                           (double) k / pieces);
              HitEntry entry = { -1, e, previous, next };

              g_array_append_val (entries, entry);
              previous = next;
            }
        }
    }

  self->cell = MAX (24.0, sqrt (self->width * self->height / (entries->len + 1.0)));
  self->grid_columns = MIN ((guint) ceil (self->width / self->cell) + 1, 4096);
  self->grid_rows = MIN ((guint) ceil (self->height / self->cell) + 1, 4096);
  self->cell = MAX (self->cell, MAX (self->width / (self->grid_columns - 1.0),
                                     self->height / (self->grid_rows - 1.0)));
  n_cells = self->grid_columns * self->grid_rows;
  self->grid_start = g_new0 (guint, n_cells + 1);
  fill = g_new0 (guint, n_cells);

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < entries->len; i++)
        {
          const HitEntry *entry = &g_array_index (entries, HitEntry, i);
          double x0, y0, x1, y1;
          guint c0, r0, c1, r1;

          entry_bounds (self, entry, &x0, &y0, &x1, &y1);
          grid_cells (self, x0, y0, x1, y1, &c0, &r0, &c1, &r1);
          for (guint r = r0; r <= r1; r++)
            for (guint c = c0; c <= c1; c++)
              {
                guint cell = r * self->grid_columns + c;

                if (pass == 0)
                  self->grid_start[cell + 1]++;
                else
                  self->grid_entries[self->grid_start[cell] + fill[cell]++] = *entry;
              }
        }
      if (pass == 0)
        {
          for (guint c = 0; c < n_cells; c++)
            self->grid_start[c + 1] += self->grid_start[c];
          self->grid_entries = g_new (HitEntry, MAX (self->grid_start[n_cells], 1));
        }
    }
}

JmGraphLayout *
jm_graph_layout_compute (const JmGraph               *graph,
                         const JmGraphLayoutOptions  *options,
                         GError                     **error)
{
  g_autoptr(JmGraphLayout) self = NULL;
  g_autoptr(JmLayerOrder) order = NULL;
  g_autoptr(GArray) points = NULL;
  const GraphEdge *edges;
  guint n;
  guint m;
  g_autofree guint *rank = NULL;
  g_autofree guint *by_rank = NULL;
  g_autofree guint *layer = NULL;
  g_autofree guint *dag_source = NULL;
  g_autofree guint *dag_target = NULL;
  g_autofree guint *in_start = NULL;
  g_autofree guint *in_edges = NULL;
  g_autofree guint *fill = NULL;
  g_autofree guint *first_segment = NULL;
  g_autofree guint *point_offset = NULL;
  g_autofree double *centre = NULL;
  g_autofree double *port_out = NULL;
  g_autofree double *port_in = NULL;
  Layered layered = { 0 };
  JmLayerOrderInput order_input;
  double max_node_value = 0.0;
  double max_edge_value = 0.0;
  double step;
  double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
  guint n_layers = 0;
  guint n_virtual = 0;
  gint top = -1;

  g_return_val_if_fail (graph != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_input (graph, options, error))
    return NULL;

  n = graph->names->len;
  m = graph->edges->len;
  edges = (const GraphEdge *) graph->edges->data;

  rank = g_new0 (guint, MAX (n, 1));
  by_rank = g_new0 (guint, MAX (n, 1));
  sequence_nodes (graph, rank);
  for (guint v = 0; v < n; v++)
    by_rank[rank[v]] = v;

  /* Edges of the acyclic graph: back edges reversed, self-loops left out. */
  dag_source = g_new (guint, MAX (m, 1));
  dag_target = g_new (guint, MAX (m, 1));
  in_start = g_new0 (guint, n + 1);
  in_edges = g_new (guint, MAX (m, 1));
  fill = g_new0 (guint, MAX (n, 1));
  for (guint e = 0; e < m; e++)
    {
      gboolean back = rank[edges[e].source] > rank[edges[e].target];

      dag_source[e] = back ? edges[e].target : edges[e].source;
      dag_target[e] = back ? edges[e].source : edges[e].target;
      if (edges[e].source != edges[e].target)
        in_start[dag_target[e] + 1]++;
      max_edge_value = MAX (max_edge_value, edges[e].value);
    }
  for (guint v = 0; v < n; v++)
    in_start[v + 1] += in_start[v];
  for (guint e = 0; e < m; e++)
    if (edges[e].source != edges[e].target)
      in_edges[in_start[dag_target[e]] + fill[dag_target[e]]++] = e;

  /* Longest-path layering in sequence order; then the nodes pinned last move below every
   * other node (they have no forward edges but among themselves, so that is safe).
   */
  layer = g_new0 (guint, MAX (n, 1));
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint r = 0; r < n; r++)
        {
          guint v = by_rank[r];
          gboolean last = g_array_index (graph->pins, JmGraphPin, v) == JM_GRAPH_PIN_LAST;

          layer[v] = pass == 1 && last ? (guint) (top + 1) : 0;
          for (guint k = in_start[v]; k < in_start[v + 1]; k++)
            layer[v] = MAX (layer[v], layer[dag_source[in_edges[k]]] + 1);
          if (pass == 0 && !last)
            top = MAX (top, (gint) layer[v]);
        }
    }
  for (guint v = 0; v < n; v++)
    {
      n_layers = MAX (n_layers, layer[v] + 1);
      max_node_value = MAX (max_node_value, g_array_index (graph->values, double, v));
    }

  self = g_new0 (JmGraphLayout, 1);
  self->n_nodes = n;
  self->n_edges = m;
  self->n_layers = n_layers;
  self->nodes = g_new0 (JmGraphNode, MAX (n, 1));
  self->names = g_new0 (char *, n + 1);
  self->edges = g_new0 (JmGraphEdge, MAX (m, 1));

  for (guint e = 0; e < m; e++)
    {
      JmGraphEdge *edge = &self->edges[e];

      edge->source = edges[e].source;
      edge->target = edges[e].target;
      edge->value = edges[e].value;
      edge->width = options->min_edge_width +
                    (max_edge_value > 0.0 ? (options->max_edge_width - options->min_edge_width) *
                                            edges[e].value / max_edge_value : 0.0);
      edge->self_loop = edges[e].source == edges[e].target;
      edge->back = !edge->self_loop && rank[edges[e].source] > rank[edges[e].target];
      if (!edge->self_loop)
        n_virtual += layer[dag_target[e]] - layer[dag_source[e]] - 1;
    }

  /* The proper layered graph: one virtual item per layer a long edge crosses. */
  layered.n_nodes = n;
  layered.n_items = n + n_virtual;
  layered.n_layers = n_layers;
  layered.item_layer = g_new (guint, MAX (layered.n_items, 1));
  layered.item_breadth = g_new (double, MAX (layered.n_items, 1));
  layered.segment_source = g_new (guint, MAX (m + n_virtual, 1));
  layered.segment_target = g_new (guint, MAX (m + n_virtual, 1));
  layered.segment_weight = g_new (double, MAX (m + n_virtual, 1));
  layered.segment_edge = g_new (guint, MAX (m + n_virtual, 1));
  first_segment = g_new0 (guint, m + 1);
  for (guint v = 0; v < n; v++)
    {
      double value = g_array_index (graph->values, double, v);

      layered.item_layer[v] = layer[v];
      layered.item_breadth[v] = options->min_node_breadth +
                                (max_node_value > 0.0
                                 ? (options->max_node_breadth - options->min_node_breadth) *
                                   value / max_node_value
                                 : 0.0);
      self->names[v] = g_strdup (g_ptr_array_index (graph->names, v));
      self->nodes[v].name = self->names[v];
      self->nodes[v].value = value;
      self->nodes[v].layer = layer[v];
    }
  {
    guint next_item = n;

    for (guint e = 0; e < m; e++)
      {
        guint previous = dag_source[e];

        first_segment[e] = layered.n_segments;
        if (self->edges[e].self_loop)
          continue;
        for (guint l = layer[dag_source[e]] + 1; l <= layer[dag_target[e]]; l++)
          {
            guint item = l == layer[dag_target[e]] ? dag_target[e] : next_item++;
            guint s = layered.n_segments++;

            if (item >= n)
              {
                layered.item_layer[item] = l;
                layered.item_breadth[item] = self->edges[e].width;
              }
            layered.segment_source[s] = previous;
            layered.segment_target[s] = item;
            layered.segment_weight[s] = edges[e].value;
            layered.segment_edge[s] = e;
            previous = item;
          }
      }
    first_segment[m] = layered.n_segments;
  }
  index_segments (&layered);

  order_input = (JmLayerOrderInput) {
    .n_items = layered.n_items,
    .n_layers = n_layers,
    .item_layer = layered.item_layer,
    .item_breadth = layered.item_breadth,
    .gap = options->node_spacing,
    .n_segments = layered.n_segments,
    .segment_source = layered.segment_source,
    .segment_target = layered.segment_target,
    .segment_weight = layered.segment_weight,
    .iterations = options->ordering_iterations,
  };
  order = jm_layer_order_compute (&order_input);
  self->weighted_crossings = order->weighted_crossings;

  centre = g_new0 (double, MAX (layered.n_items, 1));
  assign_cross_coordinates (&layered, order, options->node_spacing, centre);
  port_out = g_new0 (double, MAX (layered.n_segments, 1));
  port_in = g_new0 (double, MAX (layered.n_segments, 1));
  assign_ports (&layered, centre, port_out, port_in);

  step = options->node_length + options->layer_spacing;
  for (guint v = 0; v < n; v++)
    {
      JmGraphNode *node = &self->nodes[v];

      node->order = order->position[v];
      node->x0 = layer[v] * step;
      node->x1 = node->x0 + options->node_length;
      node->y0 = centre[v] - layered.item_breadth[v] / 2.0;
      node->y1 = centre[v] + layered.item_breadth[v] / 2.0;
    }

  /* Curves, in the direction of the acyclic graph, reversed at the end for back edges. */
  points = g_array_new (FALSE, FALSE, sizeof (JmLayoutPoint));
  point_offset = g_new0 (guint, m + 1);
  for (guint e = 0; e < m; e++)
    {
      JmGraphEdge *edge = &self->edges[e];
      guint start = points->len;

      point_offset[e] = start;
      if (edge->self_loop)
        {
          const JmGraphNode *node = &self->nodes[edge->source];
          double len = node->x1 - node->x0;
          double rise = MAX (12.0, options->node_spacing * 0.75);
          JmLayoutPoint loop[4] = {
            { node->x0 + 0.65 * len, node->y0 },
            { node->x0 + 0.75 * len, node->y0 - rise },
            { node->x0 + 0.25 * len, node->y0 - rise },
            { node->x0 + 0.35 * len, node->y0 },
          };

          g_array_append_vals (points, loop, 4);
          continue;
        }

      {
        JmLayoutPoint first = { layer[dag_source[e]] * step + options->node_length,
                                port_out[first_segment[e]] };

        g_array_append_val (points, first);
      }
      for (guint s = first_segment[e]; s < first_segment[e + 1]; s++)
        {
          guint item = layered.segment_target[s];
          double x0 = layered.item_layer[item] * step;

          if (is_virtual (&layered, item))
            {
              append_flow_curve (points, (JmLayoutPoint) { x0, centre[item] });
              append_flow_curve (points, (JmLayoutPoint) { x0 + options->node_length,
                                                           centre[item] });
            }
          else
            append_flow_curve (points, (JmLayoutPoint) { x0, port_in[s] });
        }

      if (edge->back)
        {
          JmLayoutPoint *p = &g_array_index (points, JmLayoutPoint, start);
          guint count = points->len - start;

          for (guint i = 0; i < count / 2; i++)
            {
              JmLayoutPoint t = p[i];

              p[i] = p[count - 1 - i];
              p[count - 1 - i] = t;
            }
        }
    }
  point_offset[m] = points->len;
  self->points = (JmLayoutPoint *) g_array_free (g_steal_pointer (&points), FALSE);
  for (guint e = 0; e < m; e++)
    {
      self->edges[e].points = self->points + point_offset[e];
      self->edges[e].n_points = point_offset[e + 1] - point_offset[e];
    }

  if (options->direction == JM_GRAPH_TOP_TO_BOTTOM)
    {
      for (guint v = 0; v < n; v++)
        {
          JmGraphNode *node = &self->nodes[v];
          JmLayoutPoint a = { node->x0, node->y0 };
          JmLayoutPoint b = { node->x1, node->y1 };

          transpose_point (&a);
          transpose_point (&b);
          node->x0 = a.x;
          node->y0 = a.y;
          node->x1 = b.x;
          node->y1 = b.y;
        }
      for (guint i = 0; i < point_offset[m]; i++)
        transpose_point (&self->points[i]);
    }

  /* Everything moved so the drawing starts at the margin. */
  for (guint v = 0; v < n; v++)
    {
      min_x = MIN (min_x, self->nodes[v].x0);
      min_y = MIN (min_y, self->nodes[v].y0);
      max_x = MAX (max_x, self->nodes[v].x1);
      max_y = MAX (max_y, self->nodes[v].y1);
    }
  for (guint e = 0; e < m; e++)
    for (guint i = 0; i < self->edges[e].n_points; i++)
      {
        const JmLayoutPoint *p = &self->edges[e].points[i];
        double pad = self->edges[e].width / 2.0;

        min_x = MIN (min_x, p->x - pad);
        min_y = MIN (min_y, p->y - pad);
        max_x = MAX (max_x, p->x + pad);
        max_y = MAX (max_y, p->y + pad);
      }
  if (n == 0)
    min_x = min_y = max_x = max_y = 0.0;
  for (guint v = 0; v < n; v++)
    {
      self->nodes[v].x0 += options->margin - min_x;
      self->nodes[v].x1 += options->margin - min_x;
      self->nodes[v].y0 += options->margin - min_y;
      self->nodes[v].y1 += options->margin - min_y;
    }
  for (guint i = 0; i < point_offset[m]; i++)
    {
      self->points[i].x += options->margin - min_x;
      self->points[i].y += options->margin - min_y;
    }
  self->width = max_x - min_x + 2.0 * options->margin;
  self->height = max_y - min_y + 2.0 * options->margin;

  build_hit_grid (self);
  layered_clear (&layered);

  return g_steal_pointer (&self);
}

void
jm_graph_layout_free (JmGraphLayout *self)
{
  if (self == NULL)
    return;

  g_strfreev (self->names);
  g_free (self->nodes);
  g_free (self->edges);
  g_free (self->points);
  g_free (self->grid_start);
  g_free (self->grid_entries);
  g_free (self);
}

double
jm_graph_layout_get_width (const JmGraphLayout *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->width;
}

double
jm_graph_layout_get_height (const JmGraphLayout *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->height;
}

guint
jm_graph_layout_get_n_layers (const JmGraphLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_layers;
}

guint
jm_graph_layout_get_n_nodes (const JmGraphLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_nodes;
}

const JmGraphNode *
jm_graph_layout_get_node (const JmGraphLayout *self,
                          guint                index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_nodes, NULL);

  return &self->nodes[index];
}

guint
jm_graph_layout_get_n_edges (const JmGraphLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_edges;
}

const JmGraphEdge *
jm_graph_layout_get_edge (const JmGraphLayout *self,
                          guint                index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_edges, NULL);

  return &self->edges[index];
}

double
jm_graph_layout_get_weighted_crossings (const JmGraphLayout *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->weighted_crossings;
}

static double
distance_to_piece (JmLayoutPoint a,
                   JmLayoutPoint b,
                   double        x,
                   double        y)
{
  double dx = b.x - a.x;
  double dy = b.y - a.y;
  double length2 = dx * dx + dy * dy;
  double t = length2 > 0.0 ? ((x - a.x) * dx + (y - a.y) * dy) / length2 : 0.0;

  t = CLAMP (t, 0.0, 1.0);

  return hypot (x - (a.x + t * dx), y - (a.y + t * dy));
}

JmLayoutHitKind
jm_graph_layout_hit_test (const JmGraphLayout *self,
                          double               x,
                          double               y,
                          double               tolerance,
                          gint                *out_index)
{
  double best = INFINITY;
  gint best_edge = -1;
  guint c0, r0, c1, r1;

  g_return_val_if_fail (self != NULL, JM_LAYOUT_HIT_NONE);

  if (out_index != NULL)
    *out_index = -1;
  tolerance = isfinite (tolerance) ? MAX (tolerance, 0.0) : 0.0;
  if (self->grid_start == NULL || !isfinite (x) || !isfinite (y) ||
      x < -tolerance - 1e3 || y < -tolerance - 1e3 ||
      x > self->width + tolerance + 1e3 || y > self->height + tolerance + 1e3)
    return JM_LAYOUT_HIT_NONE;

  grid_cells (self, x - tolerance, y - tolerance, x + tolerance, y + tolerance,
              &c0, &r0, &c1, &r1);
  for (guint r = r0; r <= r1; r++)
    for (guint c = c0; c <= c1; c++)
      {
        guint cell = r * self->grid_columns + c;

        for (guint i = self->grid_start[cell]; i < self->grid_start[cell + 1]; i++)
          {
            const HitEntry *entry = &self->grid_entries[i];

            if (entry->node >= 0)
              {
                if (entry->a.x <= x && x <= entry->b.x && entry->a.y <= y && y <= entry->b.y)
                  {
                    if (out_index != NULL)
                      *out_index = entry->node;
                    return JM_LAYOUT_HIT_NODE;
                  }
              }
            else
              {
                double d = distance_to_piece (entry->a, entry->b, x, y);

                if (d <= MAX (tolerance, self->edges[entry->edge].width / 2.0) && d < best)
                  {
                    best = d;
                    best_edge = (gint) entry->edge;
                  }
              }
          }
      }

  if (best_edge < 0)
    return JM_LAYOUT_HIT_NONE;
  if (out_index != NULL)
    *out_index = best_edge;

  return JM_LAYOUT_HIT_LINK;
}
