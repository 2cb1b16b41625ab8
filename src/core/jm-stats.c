/* jm-stats.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-stats"

#include "config.h"

#include <stdlib.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "jm-stats.h"

/* Beyond this many cells a dense pair index would cost more memory than it saves time. */
#define DENSE_MAX_CELLS (G_GUINT64_CONSTANT (1) << 22)

/* Arrays from this size on are aligned to, and advised to use, 2 MiB pages. */
#define HUGE_PAGE_SIZE ((gsize) 2 << 20)

/* A quickselect that needs more rounds than this has met an unlucky input: the rest of the
 * range is sorted instead, which bounds the worst case by O(n log n).
 */
#define SELECT_MAX_ROUNDS 64

static int
compare_ms (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static inline gint64
median_of_three (gint64 a,
                 gint64 b,
                 gint64 c)
{
  if (a > b)
    {
      gint64 t = a;
      a = b;
      b = t;
    }
  if (b > c)
    b = c;
  return a > b ? a : b;
}

gint64
jm_stats_select_ms (gint64 *values,
                    gsize   n_values,
                    gsize   k)
{
  gsize lo = 0;
  gsize hi = n_values;
  guint rounds = 0;

  g_return_val_if_fail (values != NULL, 0);
  g_return_val_if_fail (k < n_values, 0);

  /* Three-way partitioning, so that long runs of equal durations (common: timestamps in
   * whole seconds) finish in one round.
   */
  while (hi - lo > 1)
    {
      gint64 pivot;
      gsize lt = lo;
      gsize i = lo;
      gsize gt = hi;

      if (++rounds > SELECT_MAX_ROUNDS)
        {
          qsort (values + lo, hi - lo, sizeof (gint64), compare_ms);
          return values[k];
        }

      pivot = median_of_three (values[lo], values[lo + (hi - lo) / 2], values[hi - 1]);
      while (i < gt)
        {
          gint64 v = values[i];

          if (v < pivot)
            {
              values[i++] = values[lt];
              values[lt++] = v;
            }
          else if (v > pivot)
            {
              values[i] = values[--gt];
              values[gt] = v;
            }
          else
            i++;
        }

      if (k < lt)
        hi = lt;
      else if (k >= gt)
        lo = gt;
      else
        return pivot;
    }

  return values[k];
}

static gint64
min_ms (const gint64 *values,
        gsize         n_values)
{
  gint64 m = values[0];

  for (gsize i = 1; i < n_values; i++)
    if (values[i] < m)
      m = values[i];
  return m;
}

/* The median in seconds; leaves values partitioned around index (n-1)/2. */
static gdouble
median_seconds (gint64 *values,
                gsize   n_values)
{
  gsize k = (n_values - 1) / 2;
  gint64 a = jm_stats_select_ms (values, n_values, k);

  if (n_values % 2 == 1)
    return (gdouble) a / 1000.0;

  return (gdouble) (a + min_ms (values + k + 1, n_values - k - 1)) / 2000.0;
}

/* 0-based index of the nearest-rank 90th percentile: rank ⌈0.9·n⌉, in integers. */
static inline gsize
p90_index (gsize n_values)
{
  return (9 * n_values + 9) / 10 - 1;
}

gdouble
jm_stats_median_seconds (gint64 *values,
                         gsize   n_values)
{
  g_return_val_if_fail (values != NULL, 0.0);
  g_return_val_if_fail (n_values > 0, 0.0);

  return median_seconds (values, n_values);
}

gdouble
jm_stats_mean_seconds (const gint64 *values,
                       gsize         n_values)
{
  gint64 sum = 0;

  g_return_val_if_fail (values != NULL, 0.0);
  g_return_val_if_fail (n_values > 0, 0.0);

  for (gsize i = 0; i < n_values; i++)
    sum += values[i];

  return (gdouble) sum / (gdouble) n_values / 1000.0;
}

gdouble
jm_stats_p90_seconds (gint64 *values,
                      gsize   n_values)
{
  g_return_val_if_fail (values != NULL, 0.0);
  g_return_val_if_fail (n_values > 0, 0.0);

  return (gdouble) jm_stats_select_ms (values, n_values, p90_index (n_values)) / 1000.0;
}

void
jm_stats_summarize (gint64            *values,
                    gsize              n_values,
                    JmDurationSummary *out_summary)
{
  gsize k;
  gsize k90;

  g_return_if_fail (values != NULL);
  g_return_if_fail (n_values > 0);
  g_return_if_fail (out_summary != NULL);

  out_summary->mean = jm_stats_mean_seconds (values, n_values);
  out_summary->median = median_seconds (values, n_values);

  /* After the median, everything right of k is at least values[k]; p90 lies there. */
  k = (n_values - 1) / 2;
  k90 = p90_index (n_values);
  if (k90 == k)
    out_summary->p90 = (gdouble) values[k] / 1000.0;
  else
    out_summary->p90 = (gdouble) jm_stats_select_ms (values + k + 1,
                                                     n_values - k - 1,
                                                     k90 - k - 1) / 1000.0;
}

gpointer
jm_stats_alloc_large (gsize size)
{
  gpointer block;

  size = MAX (size, 1);
  if (size < 2 * HUGE_PAGE_SIZE)
    return g_aligned_alloc (1, size, 16);

  block = g_aligned_alloc (1, size, HUGE_PAGE_SIZE);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  /* Only advice: without transparent huge pages this changes nothing. */
  madvise (block, size & ~(HUGE_PAGE_SIZE - 1), MADV_HUGEPAGE);
#endif
  return block;
}

void
jm_stats_free_large (gpointer block)
{
  g_aligned_free (block);
}

char *
jm_stats_format_double (gdouble value)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  return g_strdup (buf);
}

JmPairIndex *
jm_pair_index_new (guint32 bound_first,
                   guint32 bound_second)
{
  JmPairIndex *self = g_new0 (JmPairIndex, 1);

  if (bound_first > 0 && bound_second > 0 &&
      (guint64) bound_first * bound_second <= DENSE_MAX_CELLS)
    {
      self->cells = g_new0 (guint32, (gsize) bound_first * bound_second);
      self->n_second = bound_second;
    }
  else
    {
      self->mask = 255;
      self->keys = g_new (guint64, self->mask + 1);
      self->slots = g_new0 (guint32, self->mask + 1);
    }

  self->pairs_capacity = 64;
  self->pairs = g_new (guint32, 2 * self->pairs_capacity);

  return self;
}

void
jm_pair_index_free (JmPairIndex *self)
{
  if (self == NULL)
    return;

  g_free (self->cells);
  g_free (self->keys);
  g_free (self->slots);
  g_free (self->pairs);
  g_free (self);
}

guint32
jm_pair_index_add_new (JmPairIndex *self,
                       guint32      a,
                       guint32      b)
{
  g_assert (self->n_pairs < G_MAXUINT32 - 1);

  if (self->n_pairs == self->pairs_capacity)
    {
      self->pairs_capacity *= 2;
      self->pairs = g_renew (guint32, self->pairs, 2 * (gsize) self->pairs_capacity);
    }

  self->pairs[2 * self->n_pairs] = a;
  self->pairs[2 * self->n_pairs + 1] = b;

  return self->n_pairs++;
}

static inline guint32
hash_slot (guint64 key,
           guint32 mask)
{
  /* Fibonacci hashing: the high bits of the product are well mixed. */
  return (guint32) ((key * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 32) & mask;
}

static void
hash_grow (JmPairIndex *self)
{
  guint32 mask = self->mask * 2 + 1;
  guint64 *keys = g_new (guint64, (gsize) mask + 1);
  guint32 *slots = g_new0 (guint32, (gsize) mask + 1);

  for (guint32 id = 0; id < self->n_pairs; id++)
    {
      guint64 key = ((guint64) self->pairs[2 * id] << 32) | self->pairs[2 * id + 1];
      guint32 i = hash_slot (key, mask);

      while (slots[i] != 0)
        i = (i + 1) & mask;
      keys[i] = key;
      slots[i] = id + 1;
    }

  g_free (self->keys);
  g_free (self->slots);
  self->keys = keys;
  self->slots = slots;
  self->mask = mask;
}

guint32
jm_pair_index_hash_add (JmPairIndex *self,
                        guint32      a,
                        guint32      b)
{
  guint64 key = ((guint64) a << 32) | b;
  guint32 i = hash_slot (key, self->mask);
  guint32 id;

  while (self->slots[i] != 0)
    {
      if (self->keys[i] == key)
        return self->slots[i] - 1;
      i = (i + 1) & self->mask;
    }

  id = jm_pair_index_add_new (self, a, b);
  self->keys[i] = key;
  self->slots[i] = id + 1;

  /* Keep the load at most one half, so probe sequences stay short. */
  if ((guint64) self->n_pairs * 2 > self->mask)
    hash_grow (self);

  return id;
}

guint32
jm_pair_index_lookup (const JmPairIndex *self,
                      guint32            a,
                      guint32            b)
{
  guint64 key;
  guint32 i;

  g_return_val_if_fail (self != NULL, G_MAXUINT32);

  if (self->cells != NULL)
    return self->cells[(gsize) a * self->n_second + b] - 1;

  key = ((guint64) a << 32) | b;
  for (i = hash_slot (key, self->mask); self->slots[i] != 0; i = (i + 1) & self->mask)
    if (self->keys[i] == key)
      return self->slots[i] - 1;

  return G_MAXUINT32;
}
