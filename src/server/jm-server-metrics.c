/* jm-server-metrics.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include <string.h>

#include "jm-server-metrics.h"

/* Upper bounds (seconds) of the commit-time histogram: an fsync on a disk is a few ms. */
static const double commit_buckets[] = {
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
};

struct _JmServerMetrics
{
  GMutex      mutex;
  guint64     accepted;
  GHashTable *rejected;    /* reason → guint64* */
  GHashTable *requests;    /* "route\ncode" → guint64* */
  guint64     commit_counts[G_N_ELEMENTS (commit_buckets) + 1];
  guint64     commit_total;
  double      commit_sum;
  gint64      queued;
};

JmServerMetrics *
jm_server_metrics_new (void)
{
  JmServerMetrics *self = g_new0 (JmServerMetrics, 1);

  g_mutex_init (&self->mutex);
  self->rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

void
jm_server_metrics_free (JmServerMetrics *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->rejected);
  g_hash_table_unref (self->requests);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* With the mutex held. */
static void
add_to (GHashTable *table,
        const char *key,
        guint64     n)
{
  guint64 *count = g_hash_table_lookup (table, key);

  if (count == NULL)
    {
      count = g_new0 (guint64, 1);
      g_hash_table_insert (table, g_strdup (key), count);
    }

  *count += n;
}

void
jm_server_metrics_count_request (JmServerMetrics *self,
                                 const char      *route,
                                 guint            code)
{
  char key[128];

  g_return_if_fail (self != NULL);
  g_return_if_fail (route != NULL);

  g_snprintf (key, sizeof key, "%s\n%u", route, code);

  g_mutex_lock (&self->mutex);
  add_to (self->requests, key, 1);
  g_mutex_unlock (&self->mutex);
}

void
jm_server_metrics_add_accepted (JmServerMetrics *self,
                                guint64          n_events)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->accepted += n_events;
  g_mutex_unlock (&self->mutex);
}

void
jm_server_metrics_add_rejected (JmServerMetrics *self,
                                const char      *reason,
                                guint64          n_events)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (reason != NULL);

  if (n_events == 0)
    return;

  g_mutex_lock (&self->mutex);
  add_to (self->rejected, reason, n_events);
  g_mutex_unlock (&self->mutex);
}

void
jm_server_metrics_observe_commit (JmServerMetrics *self,
                                  double           seconds)
{
  guint i;

  g_return_if_fail (self != NULL);

  for (i = 0; i < G_N_ELEMENTS (commit_buckets); i++)
    {
      if (seconds <= commit_buckets[i])
        break;
    }

  g_mutex_lock (&self->mutex);
  self->commit_counts[i]++;
  self->commit_total++;
  self->commit_sum += seconds;
  g_mutex_unlock (&self->mutex);
}

void
jm_server_metrics_add_queued (JmServerMetrics *self,
                              gint             delta)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->queued += delta;
  g_mutex_unlock (&self->mutex);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

/* The keys of `table`, sorted, so the output is stable from one scrape to the next. */
static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);

  return keys;
}

char *
jm_server_metrics_to_text (JmServerMetrics *self,
                           guint            ws_subscribers,
                           guint64          ws_dropped)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) reasons = NULL;
  g_autoptr(GPtrArray) routes = NULL;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  guint64 cumulative = 0;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->mutex);

  g_string_append (out,
                   "# HELP jm_events_accepted_total Events accepted (stored or known duplicates).\n"
                   "# TYPE jm_events_accepted_total counter\n");
  g_string_append_printf (out, "jm_events_accepted_total %" G_GUINT64_FORMAT "\n", self->accepted);

  g_string_append (out,
                   "# HELP jm_events_rejected_total Events refused, by reason.\n"
                   "# TYPE jm_events_rejected_total counter\n");
  reasons = sorted_keys (self->rejected);
  for (guint i = 0; i < reasons->len; i++)
    {
      const char *reason = g_ptr_array_index (reasons, i);
      guint64 *count = g_hash_table_lookup (self->rejected, reason);

      g_string_append_printf (out,
                              "jm_events_rejected_total{reason=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              reason, *count);
    }

  g_string_append (out,
                   "# HELP jm_requests_total HTTP requests answered, by route and status code.\n"
                   "# TYPE jm_requests_total counter\n");
  routes = sorted_keys (self->requests);
  for (guint i = 0; i < routes->len; i++)
    {
      const char *key = g_ptr_array_index (routes, i);
      const char *newline = strchr (key, '\n');
      guint64 *count = g_hash_table_lookup (self->requests, key);

      g_string_append_printf (out, "jm_requests_total{route=\"%.*s\",code=\"%s\"} %"
                              G_GUINT64_FORMAT "\n",
                              (int)(newline - key), key, newline + 1, *count);
    }

  g_string_append (out,
                   "# HELP jm_commit_seconds Time to write and sync one group commit.\n"
                   "# TYPE jm_commit_seconds histogram\n");
  for (guint i = 0; i < G_N_ELEMENTS (commit_buckets); i++)
    {
      cumulative += self->commit_counts[i];
      g_ascii_formatd (number, sizeof number, "%g", commit_buckets[i]);
      g_string_append_printf (out, "jm_commit_seconds_bucket{le=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              number, cumulative);
    }
  g_string_append_printf (out, "jm_commit_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n",
                          self->commit_total);
  g_ascii_formatd (number, sizeof number, "%.6f", self->commit_sum);
  g_string_append_printf (out, "jm_commit_seconds_sum %s\n", number);
  g_string_append_printf (out, "jm_commit_seconds_count %" G_GUINT64_FORMAT "\n",
                          self->commit_total);

  g_string_append (out,
                   "# HELP jm_queue_depth Ingest requests waiting for their commit.\n"
                   "# TYPE jm_queue_depth gauge\n");
  g_string_append_printf (out, "jm_queue_depth %" G_GINT64_FORMAT "\n", self->queued);

  g_mutex_unlock (&self->mutex);

  g_string_append (out,
                   "# HELP jm_ws_subscribers Open WebSocket live streams.\n"
                   "# TYPE jm_ws_subscribers gauge\n");
  g_string_append_printf (out, "jm_ws_subscribers %u\n", ws_subscribers);
  g_string_append (out,
                   "# HELP jm_ws_dropped_total Live messages dropped for slow WebSocket "
                   "consumers.\n"
                   "# TYPE jm_ws_dropped_total counter\n");
  g_string_append_printf (out, "jm_ws_dropped_total %" G_GUINT64_FORMAT "\n", ws_dropped);

  return g_string_free (g_steal_pointer (&out), FALSE);
}
