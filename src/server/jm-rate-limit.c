/* jm-rate-limit.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include <math.h>

#include "jm-rate-limit.h"

/* Beyond this many buckets the full ones are forgotten: a full bucket is the same as none,
 * so memory stays bounded however many addresses come and go.
 */
#define PRUNE_THRESHOLD 4096

typedef struct
{
  double tokens;
  gint64 updated_us;
} Bucket;

struct _JmRateLimiter
{
  GMutex      mutex;
  double      rate;
  double      burst;
  GHashTable *buckets;   /* key → Bucket* */
};

JmRateLimiter *
jm_rate_limiter_new (double rate,
                     double burst)
{
  JmRateLimiter *self = g_new0 (JmRateLimiter, 1);

  g_mutex_init (&self->mutex);
  self->rate = rate;
  self->burst = MAX (burst, 1.0);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

void
jm_rate_limiter_free (JmRateLimiter *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->buckets);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

static void
refill (JmRateLimiter *self,
        Bucket        *bucket,
        gint64         now_us)
{
  if (now_us > bucket->updated_us)
    {
      bucket->tokens = MIN (self->burst,
                            bucket->tokens + self->rate * (now_us - bucket->updated_us) / 1e6);
      bucket->updated_us = now_us;
    }
}

static void
prune_full_buckets (JmRateLimiter *self,
                    gint64         now_us)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->buckets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Bucket *bucket = value;

      refill (self, bucket, now_us);
      if (bucket->tokens >= self->burst)
        g_hash_table_iter_remove (&iter);
    }
}

gboolean
jm_rate_limiter_take (JmRateLimiter *self,
                      const char    *key,
                      double         cost,
                      gint64         now_us,
                      guint         *retry_after)
{
  Bucket *bucket;
  gboolean allowed;
  double needed;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (retry_after != NULL)
    *retry_after = 0;

  if (self->rate <= 0 || cost <= 0)
    return TRUE;

  g_mutex_lock (&self->mutex);

  bucket = g_hash_table_lookup (self->buckets, key);
  if (bucket == NULL)
    {
      if (g_hash_table_size (self->buckets) >= PRUNE_THRESHOLD)
        prune_full_buckets (self, now_us);

      bucket = g_new0 (Bucket, 1);
      bucket->tokens = self->burst;
      bucket->updated_us = now_us;
      g_hash_table_insert (self->buckets, g_strdup (key), bucket);
    }

  refill (self, bucket, now_us);

  needed = MIN (cost, self->burst);
  allowed = bucket->tokens >= needed;

  if (allowed)
    bucket->tokens -= cost;
  else if (retry_after != NULL)
    *retry_after = (guint)MAX (1.0, ceil ((needed - bucket->tokens) / self->rate));

  g_mutex_unlock (&self->mutex);

  return allowed;
}
