/* jm-layer-order.c
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

typedef struct
{
  const JmLayerOrderInput *input;
  JmLayerOrder            *order;
  guint                   *out_start;
  guint                   *out_segments;
  guint                   *in_start;
  guint                   *in_segments;
  double                  *coord;      /* stacked centre of each item within its layer */
  double                  *tree;       /* Fenwick tree, max layer size + 1 */
  double                  *scratch;    /* (position, weight) pairs for medians */
  struct SortEntry        *entries;
  double                  *in_pairs;   /* per in-segment slot: (other end's position, weight) */
  double                  *out_pairs;
  guint                   *saved;      /* one layer's order */
  guint                   *others;     /* one layer's items but the one being moved */
  double                  *cost_v_above;
  double                  *cost_v_below;
  double                  *in_below;   /* cumulative weights of the moving item, per position */
  double                  *in_above;
  double                  *out_below;
  double                  *out_above;
} Orderer;

/* Work (item × neighbour visits) that sifting may spend in all. */
#define SIFTING_BUDGET 4e7

typedef struct SortEntry
{
  double key;
  guint  position;
  guint  item;
} SortEntry;

static int
compare_entries (const void *pa,
                 const void *pb)
{
  const SortEntry *a = pa;
  const SortEntry *b = pb;

  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return a->position < b->position ? -1 : a->position > b->position ? 1 : 0;
}

static int
compare_pairs (const void *pa,
               const void *pb)
{
  const double *a = pa;
  const double *b = pb;

  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

static void
build_adjacency (const JmLayerOrderInput *input,
                 guint                   *start,
                 guint                   *segments,
                 const guint             *ends)
{
  g_autofree guint *fill = g_new0 (guint, input->n_items);

  memset (start, 0, sizeof (guint) * (input->n_items + 1));
  for (guint s = 0; s < input->n_segments; s++)
    start[ends[s] + 1]++;
  for (guint i = 0; i < input->n_items; i++)
    start[i + 1] += start[i];
  for (guint s = 0; s < input->n_segments; s++)
    segments[start[ends[s]] + fill[ends[s]]++] = s;
}

static void
restack_layer (Orderer *self,
               guint    layer)
{
  const JmLayerOrder *order = self->order;
  double y = 0.0;

  for (guint i = order->layer_start[layer]; i < order->layer_start[layer + 1]; i++)
    {
      guint item = order->items[i];
      double breadth = self->input->item_breadth != NULL ? self->input->item_breadth[item] : 1.0;

      self->order->position[item] = i - order->layer_start[layer];
      self->coord[item] = y + breadth / 2.0;
      y += breadth + self->input->gap;
    }
}

/* Weighted crossings in the gap between `layer` and `layer + 1`. Segments leaving one item are
 * all queried before any of them is inserted: they share an end and never cross each other.
 */
static double
count_gap (Orderer *self,
           guint    layer)
{
  const JmLayerOrderInput *input = self->input;
  const JmLayerOrder *order = self->order;
  guint n_right = order->layer_start[layer + 2] - order->layer_start[layer + 1];
  double inserted = 0.0;
  double total = 0.0;

  for (guint k = 0; k <= n_right; k++)
    self->tree[k] = 0.0;

  for (guint i = order->layer_start[layer]; i < order->layer_start[layer + 1]; i++)
    {
      guint item = order->items[i];
      guint first = self->out_start[item];
      guint last = self->out_start[item + 1];

      for (guint e = first; e < last; e++)
        {
          guint s = self->out_segments[e];
          guint p = order->position[input->segment_target[s]] + 1;
          double at_or_above = 0.0;

          for (guint k = p; k > 0; k -= k & (~k + 1))
            at_or_above += self->tree[k];
          total += input->segment_weight[s] * (inserted - at_or_above);
        }
      for (guint e = first; e < last; e++)
        {
          guint s = self->out_segments[e];
          guint p = order->position[input->segment_target[s]] + 1;

          for (guint k = p; k <= n_right; k += k & (~k + 1))
            self->tree[k] += input->segment_weight[s];
          inserted += input->segment_weight[s];
        }
    }

  return total;
}

static double
count_all (Orderer *self)
{
  double total = 0.0;

  for (guint l = 0; l + 1 < self->input->n_layers; l++)
    total += count_gap (self, l);

  return total;
}

/* The key of an item from its neighbours across `start`/`segments` (the layer just placed). */
static double
neighbour_key (Orderer     *self,
               guint        item,
               const guint *start,
               const guint *segments,
               const guint *other_end,
               gboolean     median)
{
  const JmLayerOrderInput *input = self->input;
  guint first = start[item];
  guint last = start[item + 1];
  double sum = 0.0;
  double weight = 0.0;
  double half;
  double acc = 0.0;
  guint n = last - first;

  if (n == 0)
    return self->coord[item];

  for (guint e = first; e < last; e++)
    {
      guint s = segments[e];
      double w = input->segment_weight[s] > 0.0 ? input->segment_weight[s] : 1e-9;

      self->scratch[2 * (e - first)] = self->coord[other_end[s]];
      self->scratch[2 * (e - first) + 1] = w;
      sum += w * self->coord[other_end[s]];
      weight += w;
    }

  if (!median || n == 1)
    return sum / weight;

  /* Weighted median: the position where the cumulative weight reaches half, the midpoint of two
   * when it lands exactly between them.
   */
  qsort (self->scratch, n, 2 * sizeof (double), compare_pairs);
  half = weight / 2.0;
  for (guint k = 0; k < n; k++)
    {
      acc += self->scratch[2 * k + 1];
      if (acc > half * (1.0 + 1e-12))
        return self->scratch[2 * k];
      if (acc >= half * (1.0 - 1e-12))
        return k + 1 < n ? (self->scratch[2 * k] + self->scratch[2 * k + 2]) / 2.0
                         : self->scratch[2 * k];
    }

  return self->scratch[2 * (n - 1)];
}

static void
sort_layer (Orderer  *self,
            guint     layer,
            gboolean  downwards,
            gboolean  median)
{
  JmLayerOrder *order = self->order;
  guint first = order->layer_start[layer];
  guint n = order->layer_start[layer + 1] - first;

  if (n < 2)
    return;

  for (guint i = 0; i < n; i++)
    {
      guint item = order->items[first + i];
      double key;

      self->entries[i].item = item;
      self->entries[i].position = i;
      if (downwards)
        key = neighbour_key (self, item, self->in_start, self->in_segments,
                             self->input->segment_source, median);
      else
        key = neighbour_key (self, item, self->out_start, self->out_segments,
                             self->input->segment_target, median);
      /* Rounded to a millionth of a unit: w·y / w need not give y back exactly, and such
       * noise must not break a tie differently when a value changes.
       */
      self->entries[i].key = nearbyint (key * 1e6) / 1e6;
    }
  qsort (self->entries, n, sizeof (SortEntry), compare_entries);
  for (guint i = 0; i < n; i++)
    order->items[first + i] = self->entries[i].item;
  restack_layer (self, layer);
}

/* The (position of the other end, weight) pairs of an item's segments towards one
 * neighbouring layer, sorted by position, in the item's slots of `pairs`.
 */
static void
sort_neighbours (Orderer     *self,
                 guint        item,
                 const guint *start,
                 const guint *segments,
                 const guint *other_end,
                 double      *pairs)
{
  const JmLayerOrderInput *input = self->input;
  guint first = start[item];
  guint n = start[item + 1] - first;

  for (guint e = first; e < first + n; e++)
    {
      pairs[2 * e] = self->order->position[other_end[segments[e]]];
      pairs[2 * e + 1] = input->segment_weight[segments[e]];
    }
  if (n > 1)
    qsort (pairs + 2 * first, n, 2 * sizeof (double), compare_pairs);
}

/* Weighted crossings between the segments of `a` and those of `b` towards one neighbouring
 * layer when `a` is above `b`: a segment of `a` crosses one of `b` when it ends strictly lower.
 * A merge of the two sorted lists, O(deg a + deg b).
 */
static double
pair_crossings (const guint  *start,
                const double *pairs,
                guint         a,
                guint         b)
{
  guint ea = start[a];
  guint end_a = start[a + 1];
  double total_a = 0.0;
  double at_or_above = 0.0;
  double total = 0.0;

  for (guint e = ea; e < end_a; e++)
    total_a += pairs[2 * e + 1];

  for (guint f = start[b]; f < start[b + 1]; f++)
    {
      while (ea < end_a && pairs[2 * ea] <= pairs[2 * f])
        {
          at_or_above += pairs[2 * ea + 1];
          ea++;
        }
      total += pairs[2 * f + 1] * (total_a - at_or_above);
    }

  return total;
}

static double
swap_gain (Orderer *self,
           guint    a,
           guint    b)
{
  double keep = pair_crossings (self->in_start, self->in_pairs, a, b)
                + pair_crossings (self->out_start, self->out_pairs, a, b);
  double swap = pair_crossings (self->in_start, self->in_pairs, b, a)
                + pair_crossings (self->out_start, self->out_pairs, b, a);

  return keep - swap;
}

static void
prepare_layer (Orderer *self,
               guint    layer)
{
  const JmLayerOrder *order = self->order;

  for (guint i = order->layer_start[layer]; i < order->layer_start[layer + 1]; i++)
    {
      guint item = order->items[i];

      sort_neighbours (self, item, self->in_start, self->in_segments,
                       self->input->segment_source, self->in_pairs);
      sort_neighbours (self, item, self->out_start, self->out_segments,
                       self->input->segment_target, self->out_pairs);
    }
}

static gboolean
transpose_layer (Orderer *self,
                 guint    layer)
{
  JmLayerOrder *order = self->order;
  gboolean changed = FALSE;

  if (order->layer_start[layer + 1] - order->layer_start[layer] < 2)
    return FALSE;

  prepare_layer (self, layer);
  for (guint i = order->layer_start[layer]; i + 1 < order->layer_start[layer + 1]; i++)
    {
      guint a = order->items[i];
      guint b = order->items[i + 1];

      if (swap_gain (self, a, b) > 0.0)
        {
          order->items[i] = b;
          order->items[i + 1] = a;
          order->position[a]++;
          order->position[b]--;
          changed = TRUE;
        }
    }

  if (changed)
    restack_layer (self, layer);

  return changed;
}

/* For an item `v`, per position x of a neighbouring layer: the weight of v's segments ending
 * strictly lower than x (`below`) and strictly higher (`above`).
 */
static void
fill_cumulative (Orderer     *self,
                 guint        v,
                 const guint *start,
                 const guint *segments,
                 const guint *other_end,
                 guint        n_adjacent,
                 double      *below,
                 double      *above)
{
  const JmLayerOrderInput *input = self->input;
  double total = 0.0;
  double running = 0.0;

  for (guint x = 0; x <= n_adjacent; x++)
    below[x] = 0.0;
  for (guint e = start[v]; e < start[v + 1]; e++)
    {
      below[self->order->position[other_end[segments[e]]]] += input->segment_weight[segments[e]];
      total += input->segment_weight[segments[e]];
    }
  for (guint x = 0; x <= n_adjacent; x++)
    {
      double here = below[x];

      above[x] = running;
      running += here;
      below[x] = total - running;
    }
}

/* Crossings of `u`'s segments (on one side) with those of the item whose cumulative weights
 * are given: `with_v_above` when that item is above u, `with_v_below` when below.
 */
static void
accumulate_pair (Orderer      *self,
                 guint         u,
                 const guint  *start,
                 const guint  *segments,
                 const guint  *other_end,
                 const double *below,
                 const double *above,
                 double       *with_v_above,
                 double       *with_v_below)
{
  const JmLayerOrderInput *input = self->input;

  for (guint f = start[u]; f < start[u + 1]; f++)
    {
      guint x = self->order->position[other_end[segments[f]]];
      double w = input->segment_weight[segments[f]];

      *with_v_above += w * below[x];
      *with_v_below += w * above[x];
    }
}

/* Sifting: each item in turn is taken out of its layer and put back where it crosses least
 * (its current place when that is among the best), given its neighbours' layers. With the
 * cumulative weights of the moving item, its crossings with every other item cost one pass
 * over that item's segments.
 */
static gboolean
sift_layer (Orderer *self,
            guint    layer)
{
  const JmLayerOrderInput *input = self->input;
  JmLayerOrder *order = self->order;
  guint first = order->layer_start[layer];
  guint n = order->layer_start[layer + 1] - first;
  guint n_before = layer > 0 ? order->layer_start[layer] - order->layer_start[layer - 1] : 0;
  guint n_after = layer + 1 < input->n_layers
                  ? order->layer_start[layer + 2] - order->layer_start[layer + 1] : 0;
  gboolean changed = FALSE;

  if (n < 2)
    return FALSE;

  memcpy (self->saved, order->items + first, n * sizeof (guint));
  for (guint k = 0; k < n; k++)
    {
      guint v = self->saved[k];
      guint current = order->position[v];
      guint n_others = 0;
      guint best = 0;
      double cost = 0.0;
      double best_cost;

      fill_cumulative (self, v, self->in_start, self->in_segments, input->segment_source,
                       n_before, self->in_below, self->in_above);
      fill_cumulative (self, v, self->out_start, self->out_segments, input->segment_target,
                       n_after, self->out_below, self->out_above);

      for (guint i = 0; i < n; i++)
        {
          guint u = order->items[first + i];
          double v_above = 0.0;
          double v_below = 0.0;

          if (u == v)
            continue;
          accumulate_pair (self, u, self->in_start, self->in_segments, input->segment_source,
                           self->in_below, self->in_above, &v_above, &v_below);
          accumulate_pair (self, u, self->out_start, self->out_segments, input->segment_target,
                           self->out_below, self->out_above, &v_above, &v_below);
          self->others[n_others] = u;
          self->cost_v_above[n_others] = v_above;
          self->cost_v_below[n_others] = v_below;
          cost += v_above;
          n_others++;
        }

      best_cost = cost;
      for (guint p = 0; p < n_others; p++)
        {
          cost += self->cost_v_below[p] - self->cost_v_above[p];
          if (cost < best_cost || (cost == best_cost && p + 1 == current))
            {
              best_cost = cost;
              best = p + 1;
            }
        }
      if (best == current)
        continue;

      for (guint i = 0, q = 0; i < n; i++)
        order->items[first + i] = i == best ? v : self->others[q++];
      for (guint i = 0; i < n; i++)
        order->position[order->items[first + i]] = i;
      changed = TRUE;
    }

  if (changed)
    restack_layer (self, layer);

  return changed;
}

static void
transpose_all (Orderer *self)
{
  for (guint l = 0; l < self->input->n_layers; l++)
    transpose_layer (self, l);
}

static void
sift_all (Orderer  *self,
          gboolean  downwards)
{
  for (guint k = 0; k < self->input->n_layers; k++)
    sift_layer (self, downwards ? k : self->input->n_layers - 1 - k);
}

static void
keep_if_better (Orderer *self,
                guint   *best,
                double  *best_crossings)
{
  double crossings = count_all (self);

  if (crossings < *best_crossings)
    {
      *best_crossings = crossings;
      memcpy (best, self->order->items, sizeof (guint) * self->input->n_items);
    }
}

static void
restore (Orderer     *self,
         const guint *best)
{
  memcpy (self->order->items, best, sizeof (guint) * self->input->n_items);
  for (guint l = 0; l < self->input->n_layers; l++)
    restack_layer (self, l);
}

JmLayerOrder *
jm_layer_order_compute (const JmLayerOrderInput *input)
{
  g_autoptr(JmLayerOrder) order = NULL;
  g_autofree guint *fill = NULL;
  g_autofree guint *best = NULL;
  g_autofree guint *out_start = NULL;
  g_autofree guint *out_segments = NULL;
  g_autofree guint *in_start = NULL;
  g_autofree guint *in_segments = NULL;
  g_autofree double *coord = NULL;
  g_autofree double *tree = NULL;
  g_autofree double *scratch = NULL;
  g_autofree SortEntry *entries = NULL;
  g_autofree double *in_pairs = NULL;
  g_autofree double *out_pairs = NULL;
  g_autofree guint *saved = NULL;
  g_autofree guint *others = NULL;
  g_autofree double *cost_v_above = NULL;
  g_autofree double *cost_v_below = NULL;
  g_autofree double *cumulative = NULL;
  Orderer self;
  double sift_cost = 0.0;
  guint max_passes;
  guint max_layer = 1;
  guint max_degree = 1;
  double best_crossings;

  g_return_val_if_fail (input != NULL, NULL);

  order = g_new0 (JmLayerOrder, 1);
  order->layer_start = g_new0 (guint, input->n_layers + 1);
  order->items = g_new (guint, MAX (input->n_items, 1));
  order->position = g_new0 (guint, MAX (input->n_items, 1));

  for (guint i = 0; i < input->n_items; i++)
    {
      g_assert (input->item_layer[i] < input->n_layers);
      order->layer_start[input->item_layer[i] + 1]++;
    }
  for (guint l = 0; l < input->n_layers; l++)
    {
      max_layer = MAX (max_layer, order->layer_start[l + 1]);
      order->layer_start[l + 1] += order->layer_start[l];
    }
  fill = g_new0 (guint, input->n_layers + 1);
  for (guint i = 0; i < input->n_items; i++)
    {
      guint l = input->item_layer[i];

      order->position[i] = fill[l];
      order->items[order->layer_start[l] + fill[l]++] = i;
    }
  for (guint s = 0; s < input->n_segments; s++)
    g_assert (input->item_layer[input->segment_source[s]] + 1 ==
              input->item_layer[input->segment_target[s]]);

  /* A layer of one item has nothing to order and nothing can cross: a chain stops here. */
  if (max_layer <= 1)
    return g_steal_pointer (&order);

  out_start = g_new (guint, input->n_items + 1);
  in_start = g_new (guint, input->n_items + 1);
  out_segments = g_new (guint, MAX (input->n_segments, 1));
  in_segments = g_new (guint, MAX (input->n_segments, 1));
  build_adjacency (input, out_start, out_segments, input->segment_source);
  build_adjacency (input, in_start, in_segments, input->segment_target);
  for (guint i = 0; i < input->n_items; i++)
    {
      max_degree = MAX (max_degree, out_start[i + 1] - out_start[i]);
      max_degree = MAX (max_degree, in_start[i + 1] - in_start[i]);
    }

  coord = g_new0 (double, MAX (input->n_items, 1));
  tree = g_new (double, max_layer + 1);
  scratch = g_new (double, 2 * max_degree);
  entries = g_new (SortEntry, max_layer);
  in_pairs = g_new (double, 2 * MAX (input->n_segments, 1));
  out_pairs = g_new (double, 2 * MAX (input->n_segments, 1));
  saved = g_new (guint, max_layer);
  others = g_new (guint, max_layer);
  cost_v_above = g_new (double, max_layer);
  cost_v_below = g_new (double, max_layer);
  cumulative = g_new (double, 4 * (max_layer + 1));

  self = (Orderer) {
    .input = input,
    .order = order,
    .out_start = out_start,
    .out_segments = out_segments,
    .in_start = in_start,
    .in_segments = in_segments,
    .coord = coord,
    .tree = tree,
    .scratch = scratch,
    .entries = entries,
    .in_pairs = in_pairs,
    .out_pairs = out_pairs,
    .saved = saved,
    .others = others,
    .cost_v_above = cost_v_above,
    .cost_v_below = cost_v_below,
    .in_below = cumulative,
    .in_above = cumulative + (max_layer + 1),
    .out_below = cumulative + 2 * (max_layer + 1),
    .out_above = cumulative + 3 * (max_layer + 1),
  };

  for (guint l = 0; l < input->n_layers; l++)
    restack_layer (&self, l);

  best = g_memdup2 (order->items, sizeof (guint) * MAX (input->n_items, 1));
  best_crossings = count_all (&self);

    {
      for (guint round = 0; round < input->iterations && best_crossings > 0.0; round++)
        {
          gboolean median = (round % 2) == 1;
          double before = best_crossings;

          for (guint l = 1; l < input->n_layers; l++)
            sort_layer (&self, l, TRUE, median);
          transpose_all (&self);
          keep_if_better (&self, best, &best_crossings);

          for (guint l = input->n_layers - 1; l-- > 0;)
            sort_layer (&self, l, FALSE, median);
          transpose_all (&self);
          keep_if_better (&self, best, &best_crossings);

          if (!(best_crossings < before))
            break;
        }
      restore (&self, best);

      /* Sifting never adds crossings; stop when a pass gains less than 0.2%. A pass costs
       * about Σ items × (neighbouring items + segments) per layer: huge layers (a dense graph
       * with thousands of virtual nodes) get fewer passes or none, so the time stays bounded.
       */
      for (guint l = 0; l < input->n_layers; l++)
        {
          guint n_l = order->layer_start[l + 1] - order->layer_start[l];
          guint n_near = (l > 0 ? order->layer_start[l] - order->layer_start[l - 1] : 0) +
                         (l + 1 < input->n_layers
                          ? order->layer_start[l + 2] - order->layer_start[l + 1] : 0);
          double n_segments = 0.0;

          for (guint i = order->layer_start[l]; i < order->layer_start[l + 1]; i++)
            n_segments += (out_start[order->items[i] + 1] - out_start[order->items[i]]) +
                          (in_start[order->items[i] + 1] - in_start[order->items[i]]);
          sift_cost += (double) n_l * (n_near + 2.0 * n_segments);
        }
      max_passes = (guint) MIN (8.0, SIFTING_BUDGET / MAX (sift_cost, 1.0));

      for (guint pass = 0; pass < max_passes && best_crossings > 0.0; pass++)
        {
          double before = best_crossings;

          sift_all (&self, (pass % 2) == 0);
          keep_if_better (&self, best, &best_crossings);
          if (!(best_crossings < before * 0.998))
            break;
        }
      restore (&self, best);
    }

  order->weighted_crossings = best_crossings;

  return g_steal_pointer (&order);
}

void
jm_layer_order_free (JmLayerOrder *self)
{
  if (self == NULL)
    return;

  g_free (self->layer_start);
  g_free (self->items);
  g_free (self->position);
  g_free (self);
}
