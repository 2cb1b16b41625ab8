/* jm-stats.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exact order statistics of durations (DESIGN §5 "Medians"): the inputs are milliseconds,
 * the results seconds. The median of an even number of values is the mean of the two middle
 * ones, p90 is the nearest-rank 90th percentile (the value of rank ⌈0.9·n⌉). Every function
 * that takes a non-const array reorders it (quickselect, O(n)); none allocates.
 */
typedef struct
{
  gdouble median;
  gdouble mean;
  gdouble p90;
} JmDurationSummary;

/* The k-th smallest value (0-based). Afterwards values[0…k) ≤ values[k] ≤ values[k+1…n). */
gint64   jm_stats_select_ms        (gint64            *values,
                                    gsize              n_values,
                                    gsize              k);
gdouble  jm_stats_median_seconds   (gint64            *values,
                                    gsize              n_values);
gdouble  jm_stats_mean_seconds     (const gint64      *values,
                                    gsize              n_values);
gdouble  jm_stats_p90_seconds      (gint64            *values,
                                    gsize              n_values);
/* All three at once, sharing the selection work. n_values must be at least 1. */
void     jm_stats_summarize        (gint64            *values,
                                    gsize              n_values,
                                    JmDurationSummary *out_summary);

/* Large arrays for the analyses. An analysis of millions of events fills tens of megabytes at
 * once; first touching that much memory 4 KiB page by page can cost more than the analysis
 * itself, so large blocks are aligned to and advised to use 2 MiB pages where the system offers
 * them. Only the pages touched are ever backed, so a block may be sized by an upper bound.
 * Free with jm_stats_free_large().
 */
gpointer jm_stats_alloc_large      (gsize              size);
void     jm_stats_free_large       (gpointer           block);

/* The shortest decimal text that reads back as the same double ("1.5", not
 * "1.5000000000000000"): for CSV cells.
 */
char    *jm_stats_format_double    (gdouble            value);

/* JmPairIndex: numbers the distinct pairs (a, b) of 32-bit integers 0, 1, 2… in the order they
 * are first added — the edge (from name, to name) of a journey graph, the node (step, name) of a
 * path flow. It is how the analyses count by integer pairs without hashing strings.
 *
 * When both bounds are known and small, the index is a dense matrix (a calloc, so untouched
 * pages cost nothing); otherwise an open-addressing hash table. The lookup is inline because
 * the analyses call it once per event.
 */
typedef struct
{
  /* dense mode: cells[a * n_second + b] = id + 1, 0 when absent */
  guint32  *cells;
  guint32   n_second;
  /* hash mode */
  guint64  *keys;
  guint32  *slots;      /* id + 1, 0 when empty */
  guint32   mask;
  /* both: the pairs by id */
  guint32  *pairs;      /* 2 per id */
  guint32   n_pairs;
  guint32   pairs_capacity;
} JmPairIndex;

/* bound_first and bound_second are exclusive upper bounds of a and b; 0 means unknown. */
JmPairIndex *jm_pair_index_new     (guint32            bound_first,
                                    guint32            bound_second);
void         jm_pair_index_free    (JmPairIndex       *self);
/* The slow paths of jm_pair_index_add(); not for direct use. */
guint32      jm_pair_index_add_new (JmPairIndex       *self,
                                    guint32            a,
                                    guint32            b);
guint32      jm_pair_index_hash_add (JmPairIndex      *self,
                                     guint32           a,
                                     guint32           b);
/* The id of (a, b) or G_MAXUINT32. */
guint32      jm_pair_index_lookup  (const JmPairIndex *self,
                                    guint32            a,
                                    guint32            b);

static inline guint32
jm_pair_index_get_size (const JmPairIndex *self)
{
  return self->n_pairs;
}

static inline guint32
jm_pair_index_get_first (const JmPairIndex *self,
                         guint32            id)
{
  return self->pairs[2 * id];
}

static inline guint32
jm_pair_index_get_second (const JmPairIndex *self,
                          guint32            id)
{
  return self->pairs[2 * id + 1];
}

/* The id of (a, b), numbering it when it is new. */
static inline guint32
jm_pair_index_add (JmPairIndex *self,
                   guint32      a,
                   guint32      b)
{
  if (self->cells != NULL)
    {
      guint32 *cell = &self->cells[(gsize) a * self->n_second + b];

      if G_LIKELY (*cell != 0)
        return *cell - 1;
      *cell = jm_pair_index_add_new (self, a, b) + 1;
      return *cell - 1;
    }

  return jm_pair_index_hash_add (self, a, b);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmPairIndex, jm_pair_index_free)

G_END_DECLS
