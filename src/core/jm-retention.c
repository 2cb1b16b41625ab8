/* jm-retention.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-retention"

#include "config.h"

#include <string.h>

#include "jm-analysis-error.h"
#include "jm-retention.h"
#include "jm-time.h"

#define MS_PER_DAY G_GINT64_CONSTANT (86400000)

/* With enough events the units are split into MAX_THREADS chunks, one thread each; the
 * counts are integers, so the result does not depend on the split.
 */
#define PARALLEL_MIN_EVENTS 100000
#define MAX_THREADS         4

/* Period arithmetic: plain integer calendar maths (proleptic Gregorian, UTC), so that the
 * loop over millions of events never builds a GDateTime.
 */

static inline gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if ((a % b) != 0 && ((a < 0) != (b < 0)))
    q--;

  return q;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static gint64
days_from_civil (gint64 y,
                 gint64 m,
                 gint64 d)
{
  gint64 era;
  gint64 yoe;
  gint64 doy;
  gint64 doe;

  y -= m <= 2;
  era = floor_div (y, 400);
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 gint64 *out_y,
                 gint64 *out_m)
{
  gint64 era;
  gint64 doe;
  gint64 yoe;
  gint64 doy;
  gint64 mp;
  gint64 m;

  z += 719468;
  era = floor_div (z, 146097);
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  m = mp < 10 ? mp + 3 : mp - 9;

  *out_y = yoe + era * 400 + (m <= 2);
  *out_m = m;
}

gint64
jm_retention_period_index (JmRetentionPeriod period,
                           gint64            ms)
{
  gint64 days = floor_div (ms, MS_PER_DAY);
  gint64 y;
  gint64 m;

  switch (period)
    {
    case JM_RETENTION_PERIOD_DAY:
      return days;

    case JM_RETENTION_PERIOD_WEEK:
      /* 1970-01-01 was a Thursday: day 0 is the fourth day of week 0. */
      return floor_div (days + 3, 7);

    case JM_RETENTION_PERIOD_MONTH:
      civil_from_days (days, &y, &m);
      return (y - 1970) * 12 + (m - 1);

    default:
      g_return_val_if_reached (0);
    }
}

static gint64
days_to_ms (gint64 days)
{
  /* Saturate instead of overflowing for absurd times. */
  if (days > G_MAXINT64 / MS_PER_DAY)
    return G_MAXINT64;
  if (days < G_MININT64 / MS_PER_DAY)
    return G_MININT64;

  return days * MS_PER_DAY;
}

gint64
jm_retention_period_start_ms (JmRetentionPeriod period,
                              gint64            index)
{
  /* Indices this far out are beyond any representable time. */
  const gint64 limit = G_GINT64_CONSTANT (1) << 50;

  if (index > limit)
    return G_MAXINT64;
  if (index < -limit)
    return G_MININT64;

  switch (period)
    {
    case JM_RETENTION_PERIOD_DAY:
      return days_to_ms (index);

    case JM_RETENTION_PERIOD_WEEK:
      return days_to_ms (index * 7 - 3);

    case JM_RETENTION_PERIOD_MONTH:
      return days_to_ms (days_from_civil (1970 + floor_div (index, 12),
                                          index - floor_div (index, 12) * 12 + 1,
                                          1));

    default:
      g_return_val_if_reached (0);
    }
}

void
jm_retention_options_init (JmRetentionOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->period = JM_RETENTION_PERIOD_WEEK;
  options->periods = 8;
  options->unbounded = FALSE;
}

static const char * const period_names[] = { "day", "week", "month" };

const char *
jm_retention_period_to_string (JmRetentionPeriod period)
{
  g_return_val_if_fail (period <= JM_RETENTION_PERIOD_MONTH, NULL);

  return period_names[period];
}

gboolean
jm_retention_period_from_string (const char        *text,
                                 JmRetentionPeriod *out_period)
{
  g_return_val_if_fail (text != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (period_names); i++)
    {
      if (g_ascii_strcasecmp (text, period_names[i]) == 0)
        {
          if (out_period != NULL)
            *out_period = (JmRetentionPeriod) i;
          return TRUE;
        }
    }

  return FALSE;
}

gint64
jm_retention_data_end_ms (JmEventLog     *log,
                          const JmFilter *filter)
{
  const JmEventLogColumns *columns;
  gint64 latest = G_MININT64;

  g_return_val_if_fail (log != NULL, G_MININT64);

  /* Each customer's events are sorted by time: only its last one can be the latest. */
  columns = jm_event_log_get_columns (log);
  for (guint32 c = 0; c < columns->n_customers; c++)
    {
      guint32 begin = columns->customer_offsets[c];
      guint32 end = columns->customer_offsets[c + 1];

      if (end > begin && columns->ts[end - 1] > latest)
        latest = columns->ts[end - 1];
    }

  /* A --to bound ends the data, unless the data ends before it anyway. */
  if (filter != NULL && filter->has_to && filter->to_ms < latest)
    return filter->to_ms;

  return latest;
}

/* The counts of one worker: an open-addressing map from cohort period to a row of
 * periods + 1 counters. In classic mode row[k] counts the members returning in period p+k;
 * in unbounded mode row[k] (k ≥ 1) counts the members whose last return is in period p+k
 * (p+periods standing for "that period or later"), summed from the right at the end.
 */
typedef struct
{
  const JmUnits     *units;
  JmRetentionPeriod  period;
  guint              periods;
  gboolean           unbounded;
  guint32            cohort_name;
  guint32            return_name;
  guint32            first_unit;
  guint32            last_unit;

  gint64            *keys;       /* cohort period of each slot */
  guint32           *slots;      /* row index + 1, 0 = empty */
  guint              capacity;   /* power of two */
  guint              n_rows;
  GArray            *rows;       /* gint64, (periods + 1) per row */
} Worker;

static inline guint
hash_period (gint64 key)
{
  guint64 h = (guint64) key * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);

  return (guint) (h >> 32);
}

static void
worker_grow (Worker *w)
{
  guint old_capacity = w->capacity;
  gint64 *old_keys = w->keys;
  guint32 *old_slots = w->slots;

  w->capacity = old_capacity == 0 ? 64 : old_capacity * 2;
  w->keys = g_new0 (gint64, w->capacity);
  w->slots = g_new0 (guint32, w->capacity);

  for (guint i = 0; i < old_capacity; i++)
    {
      guint j;

      if (old_slots[i] == 0)
        continue;

      for (j = hash_period (old_keys[i]) & (w->capacity - 1);
           w->slots[j] != 0;
           j = (j + 1) & (w->capacity - 1))
        ;
      w->keys[j] = old_keys[i];
      w->slots[j] = old_slots[i];
    }

  g_free (old_keys);
  g_free (old_slots);
}

/* The row of cohort period `key`, created empty when new. */
static guint
worker_row (Worker *w,
            gint64  key)
{
  guint j;

  if ((w->n_rows + 1) * 2 > w->capacity)
    worker_grow (w);

  for (j = hash_period (key) & (w->capacity - 1);
       w->slots[j] != 0;
       j = (j + 1) & (w->capacity - 1))
    {
      if (w->keys[j] == key)
        return w->slots[j] - 1;
    }

  w->keys[j] = key;
  w->slots[j] = ++w->n_rows;
  g_array_set_size (w->rows, w->n_rows * (w->periods + 1));

  return w->n_rows - 1;
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  const JmUnits *units = w->units;
  const JmEventLogColumns *columns = jm_event_log_get_columns (units->log);
  const guint32 *events = units->events;
  const guint32 *names = columns->name;
  const gint64 *ts = columns->ts;
  const guint stride = w->periods + 1;
  gint64 last_key = 0;
  guint last_row = G_MAXUINT;

  for (guint32 u = w->first_unit; u < w->last_unit; u++)
    {
      guint32 begin = units->offsets[u];
      guint32 end = units->offsets[u + 1];
      guint32 i;
      gint64 p;
      gint64 next_start;
      gint64 *row;

      for (i = begin; i < end && names[events[i]] != w->cohort_name; i++)
        ;
      if (i == end)
        continue;

      p = jm_retention_period_index (w->period, ts[events[i]]);
      if (last_row == G_MAXUINT || p != last_key)
        {
          last_row = worker_row (w, p);
          last_key = p;
        }
      row = &g_array_index (w->rows, gint64, (gsize) last_row * stride);
      row[0]++;

      if (w->periods == 0)
        continue;

      next_start = jm_retention_period_start_ms (w->period, p + 1);

      if (!w->unbounded)
        {
          /* Times are non-decreasing within a unit, so each later period is met once, in
           * order: count it at its first return event and skip to the period after it.
           */
          for (guint32 j = i + 1; j < end; j++)
            {
              guint32 e = events[j];
              gint64 q;

              if (names[e] != w->return_name || ts[e] < next_start)
                continue;

              q = jm_retention_period_index (w->period, ts[e]);
              if (q - p > (gint64) w->periods)
                break;
              row[q - p]++;
              next_start = jm_retention_period_start_ms (w->period, q + 1);
            }
        }
      else
        {
          /* Only the latest return matters: the member is retained at every k up to it. */
          for (guint32 j = end; j > i + 1; j--)
            {
              guint32 e = events[j - 1];
              gint64 q;

              if (names[e] != w->return_name)
                continue;

              if (ts[e] >= next_start)
                {
                  q = jm_retention_period_index (w->period, ts[e]);
                  row[MIN (q - p, (gint64) w->periods)]++;
                }
              break;
            }
        }
    }

  return NULL;
}

static void
worker_clear (Worker *w)
{
  g_clear_pointer (&w->keys, g_free);
  g_clear_pointer (&w->slots, g_free);
  g_clear_pointer (&w->rows, g_array_unref);
}

typedef struct
{
  gint64        key;
  const gint64 *row;
} CohortRow;

static int
compare_cohort_rows (gconstpointer a,
                     gconstpointer b)
{
  const CohortRow *ra = a;
  const CohortRow *rb = b;

  return (ra->key > rb->key) - (ra->key < rb->key);
}

/* A name that no event has is not an error (DESIGN's analyses): it matches nothing. */
static guint32
lookup_event (JmEventLog *log,
              const char *name)
{
  guint32 index;

  if (jm_event_log_lookup_name (log, name, &index))
    return index;

  return G_MAXUINT32;
}

JmRetention *
jm_retention_compute (const JmUnits             *units,
                      const JmRetentionOptions  *options,
                      gint64                     data_end_ms,
                      GError                   **error)
{
  g_autoptr(JmRetention) self = NULL;
  g_autofree Worker *workers = NULL;
  g_autoptr(GArray) merged = NULL;
  guint32 cohort_name;
  guint32 return_name;
  guint n_workers = 1;
  guint stride;

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (units->log != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->cohort_event != NULL, NULL);
  g_return_val_if_fail (options->return_event != NULL, NULL);
  g_return_val_if_fail (options->period <= JM_RETENTION_PERIOD_MONTH, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->periods > JM_RETENTION_MAX_PERIODS)
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Too many periods (%u); at most %u are supported",
                   options->periods, JM_RETENTION_MAX_PERIODS);
      return NULL;
    }

  cohort_name = lookup_event (units->log, options->cohort_event);
  return_name = lookup_event (units->log, options->return_event);

  self = g_new0 (JmRetention, 1);
  self->unit = units->unit;
  self->period = options->period;
  self->unbounded = options->unbounded;
  self->periods = options->periods;
  self->cohort_event = g_strdup (options->cohort_event);
  self->return_event = g_strdup (options->return_event);
  self->data_end_ms = data_end_ms;
  stride = options->periods + 1;

  if (units->n_events >= PARALLEL_MIN_EVENTS && units->n_units >= 2 * MAX_THREADS)
    n_workers = MAX_THREADS;

  workers = g_new0 (Worker, n_workers);
  for (guint t = 0; t < n_workers; t++)
    {
      Worker *w = &workers[t];

      w->units = units;
      w->period = options->period;
      w->periods = options->periods;
      w->unbounded = options->unbounded;
      w->cohort_name = cohort_name;
      w->return_name = return_name;
      w->first_unit = (guint32) ((guint64) units->n_units * t / n_workers);
      w->last_unit = (guint32) ((guint64) units->n_units * (t + 1) / n_workers);
      w->rows = g_array_new (FALSE, TRUE, sizeof (gint64));
    }

  if (n_workers == 1)
    {
      worker_run (&workers[0]);
    }
  else
    {
      g_autofree GThread **threads = g_new0 (GThread *, n_workers);

      for (guint t = 1; t < n_workers; t++)
        threads[t] = g_thread_new ("jm-retention", worker_run, &workers[t]);
      worker_run (&workers[0]);
      for (guint t = 1; t < n_workers; t++)
        g_thread_join (threads[t]);
    }

  /* Merge the workers' rows by cohort period, oldest first. */
  merged = g_array_new (FALSE, FALSE, sizeof (CohortRow));
  for (guint t = 0; t < n_workers; t++)
    {
      Worker *w = &workers[t];

      for (guint j = 0; j < w->capacity; j++)
        {
          CohortRow r;

          if (w->slots[j] == 0)
            continue;
          r.key = w->keys[j];
          r.row = &g_array_index (w->rows, gint64, (gsize) (w->slots[j] - 1) * stride);
          g_array_append_val (merged, r);
        }
    }
  g_array_sort (merged, compare_cohort_rows);

  self->cohorts = g_new0 (JmRetentionCohort, merged->len);
  for (guint j = 0; j < merged->len;)
    {
      const CohortRow *r = &g_array_index (merged, CohortRow, j);
      JmRetentionCohort *cohort = &self->cohorts[self->n_cohorts++];
      gint64 key = r->key;

      cohort->start_ms = jm_retention_period_start_ms (options->period, key);
      cohort->retained = g_new0 (gint64, stride);
      for (; j < merged->len && g_array_index (merged, CohortRow, j).key == key; j++)
        {
          const gint64 *row = g_array_index (merged, CohortRow, j).row;

          for (guint k = 0; k < stride; k++)
            cohort->retained[k] += row[k];
        }

      if (options->unbounded)
        {
          for (guint k = options->periods; k > 1; k--)
            cohort->retained[k - 1] += cohort->retained[k];
        }

      cohort->size = cohort->retained[0];
      for (guint k = 1; k < stride; k++)
        {
          gint64 end_ms = jm_retention_period_start_ms (options->period, key + k + 1);

          /* Complete when the data reaches the period's last millisecond. */
          if (end_ms == G_MININT64 || end_ms - 1 > data_end_ms)
            cohort->retained[k] = JM_RETENTION_INCOMPLETE;
        }
    }

  for (guint t = 0; t < n_workers; t++)
    worker_clear (&workers[t]);

  return g_steal_pointer (&self);
}

void
jm_retention_free (JmRetention *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_cohorts; i++)
    g_free (self->cohorts[i].retained);
  g_free (self->cohorts);
  g_free (self->cohort_event);
  g_free (self->return_event);
  g_free (self);
}

JsonNode *
jm_retention_to_json (const JmRetention *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, jm_unit_kind_to_string (self->unit));
  json_builder_set_member_name (builder, "period");
  json_builder_add_string_value (builder, jm_retention_period_to_string (self->period));
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, self->unbounded ? "unbounded" : "classic");
  json_builder_set_member_name (builder, "cohort_event");
  json_builder_add_string_value (builder, self->cohort_event);
  json_builder_set_member_name (builder, "return_event");
  json_builder_add_string_value (builder, self->return_event);
  json_builder_set_member_name (builder, "periods");
  json_builder_add_int_value (builder, self->periods);

  json_builder_set_member_name (builder, "cohorts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_cohorts; i++)
    {
      const JmRetentionCohort *cohort = &self->cohorts[i];
      g_autofree char *start = jm_time_format_date (cohort->start_ms);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "start");
      json_builder_add_string_value (builder, start);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, cohort->size);
      json_builder_set_member_name (builder, "retained");
      json_builder_begin_array (builder);
      for (guint k = 0; k <= self->periods; k++)
        {
          if (cohort->retained[k] == JM_RETENTION_INCOMPLETE)
            json_builder_add_null_value (builder);
          else
            json_builder_add_int_value (builder, cohort->retained[k]);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JmTable *
jm_retention_to_table (const JmRetention *self)
{
  g_autoptr(GPtrArray) columns = NULL;
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  columns = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (columns, g_strdup ("start"));
  g_ptr_array_add (columns, g_strdup ("size"));
  for (guint k = 0; k <= self->periods; k++)
    g_ptr_array_add (columns, g_strdup_printf ("retained_%u", k));
  g_ptr_array_add (columns, NULL);

  table = jm_table_new ((const char * const *) columns->pdata);
  for (guint i = 0; i < self->n_cohorts; i++)
    {
      const JmRetentionCohort *cohort = &self->cohorts[i];
      g_autofree char **cells = g_new0 (char *, self->periods + 3);

      cells[0] = jm_time_format_date (cohort->start_ms);
      cells[1] = g_strdup_printf ("%" G_GINT64_FORMAT, cohort->size);
      for (guint k = 0; k <= self->periods; k++)
        {
          if (cohort->retained[k] != JM_RETENTION_INCOMPLETE)
            cells[k + 2] = g_strdup_printf ("%" G_GINT64_FORMAT, cohort->retained[k]);
        }
      jm_table_add_row (table, cells);
    }

  return table;
}
