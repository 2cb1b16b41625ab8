/* jm-sankey-crossings.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-layout"

#include "config.h"

#include <stdlib.h>

#include "jm-sankey-crossings.h"

static int
compare_segments (const void *pa,
                  const void *pb)
{
  const JmCrossingSegment *a = pa;
  const JmCrossingSegment *b = pb;

  if (a->gap != b->gap)
    return a->gap < b->gap ? -1 : 1;
  if (a->y_left != b->y_left)
    return a->y_left < b->y_left ? -1 : 1;
  if (a->y_right != b->y_right)
    return a->y_right < b->y_right ? -1 : 1;
  return 0;
}

static int
compare_doubles (const void *pa,
                 const void *pb)
{
  double a = *(const double *) pa;
  double b = *(const double *) pb;

  return a < b ? -1 : a > b ? 1 : 0;
}

/* Sorted by (y_left, y_right), a pair i < j crosses exactly when y_right[i] > y_right[j]:
 * equal y_left sorts by y_right, so those pairs never count. Walking in that order, a Fenwick
 * tree over the ranks of y_right holds the values seen so far; the weight of earlier segments
 * ending strictly lower is the total minus the prefix up to this segment's rank.
 */
static double
count_one_gap (const JmCrossingSegment *segments,
               gsize                    n,
               double                  *ranks,
               double                  *tree)
{
  gsize n_ranks = 0;
  double seen = 0.0;
  double total = 0.0;

  for (gsize i = 0; i < n; i++)
    ranks[i] = segments[i].y_right;
  qsort (ranks, n, sizeof (double), compare_doubles);
  for (gsize i = 0; i < n; i++)
    if (n_ranks == 0 || ranks[n_ranks - 1] != ranks[i])
      ranks[n_ranks++] = ranks[i];
  for (gsize i = 0; i <= n_ranks; i++)
    tree[i] = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      gsize lo = 0;
      gsize hi = n_ranks;
      double at_or_below = 0.0;

      /* 1-based rank of this y_right. */
      while (lo < hi)
        {
          gsize mid = lo + (hi - lo) / 2;

          if (ranks[mid] < segments[i].y_right)
            lo = mid + 1;
          else
            hi = mid;
        }

      for (gsize k = lo + 1; k > 0; k -= k & (~k + 1))
        at_or_below += tree[k];
      total += segments[i].value * (seen - at_or_below);

      for (gsize k = lo + 1; k <= n_ranks; k += k & (~k + 1))
        tree[k] += segments[i].value;
      seen += segments[i].value;
    }

  return total;
}

double
jm_count_weighted_crossings (JmCrossingSegment *segments,
                             gsize              n_segments)
{
  g_autofree double *ranks = NULL;
  g_autofree double *tree = NULL;
  double total = 0.0;
  gsize start = 0;

  g_return_val_if_fail (segments != NULL || n_segments == 0, 0.0);

  if (n_segments < 2)
    return 0.0;

  qsort (segments, n_segments, sizeof (JmCrossingSegment), compare_segments);
  ranks = g_new (double, n_segments);
  tree = g_new (double, n_segments + 1);

  while (start < n_segments)
    {
      gsize end = start + 1;

      while (end < n_segments && segments[end].gap == segments[start].gap)
        end++;
      if (end - start > 1)
        total += count_one_gap (segments + start, end - start, ranks, tree);
      start = end;
    }

  return total;
}
