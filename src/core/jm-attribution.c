/* jm-attribution.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-attribution"

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-analysis-error.h"
#include "jm-attribution.h"

/* Large inputs are split into a fixed number of chunks of customers, each run on its own
 * thread and merged in chunk order, so that the floating-point sums do not depend on the
 * number of processors.
 */
#define PARALLEL_MIN_EVENTS 100000
#define N_CHUNKS            4

#define N_MODELS JM_ATTRIBUTION_N_MODELS

static const char * const model_names[N_MODELS] = {
  "first_touch", "last_touch", "linear", "time_decay", "position_based", "markov",
};

void
jm_attribution_options_init (JmAttributionOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->lookback_ms = JM_ATTRIBUTION_DEFAULT_LOOKBACK_MS;
  options->revenue_property = JM_ATTRIBUTION_DEFAULT_REVENUE;
  options->session_gap_ms = JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS;
  options->half_life_ms = JM_ATTRIBUTION_DEFAULT_HALF_LIFE_MS;
}

const char *
jm_attribution_model_to_string (JmAttributionModel model)
{
  g_return_val_if_fail (model < N_MODELS, NULL);

  return model_names[model];
}

/* The channels of the analysis ("slots"): slot 0 is Direct, which the log's empty touch and a
 * touch literally named Direct both map to.
 */
typedef struct
{
  guint        n_slots;
  guint16      slot_of[256];   /* log channel index → slot */
  const char  *names[256];     /* slot → name (owned by the log or static) */
} ChannelMap;

static void
channel_map_init (ChannelMap *map,
                  JmEventLog *log)
{
  guint n = MIN (jm_event_log_get_n_channels (log), 256);

  memset (map, 0, sizeof *map);
  map->names[0] = JM_ATTRIBUTION_DIRECT;
  map->n_slots = 1;

  for (guint i = 1; i < n; i++)
    {
      const char *name = jm_event_log_get_channel (log, (guint8) i);

      if (name == NULL || *name == '\0' || strcmp (name, JM_ATTRIBUTION_DIRECT) == 0)
        {
          map->slot_of[i] = 0;
          continue;
        }
      map->slot_of[i] = map->n_slots;
      map->names[map->n_slots++] = name;
    }
}

/* The work of one chunk of customers. Markov transitions are counted in `transitions`, a
 * matrix of (n_slots + 1) rows — the channels, then START — by (n_slots + 2) columns — the
 * channels, then CONVERSION, then NULL.
 */
typedef struct
{
  const JmUnits      *units;
  const ChannelMap   *map;
  const double       *revenue_of_value;   /* NULL: no revenue field */
  const guint32      *revenue_value;
  guint32             conversion_name;
  gint64              lookback_ms;
  gint64              session_gap_ms;
  double              half_life_ms;
  guint32             first_unit;
  guint32             last_unit;

  gint64              conversions;
  double              revenue;
  double             *credit;        /* n_slots × N_MODELS */
  double             *revenue_credit;
  guint64            *transitions;
  gboolean           *touched;       /* n_slots */

  /* Scratch: the touchpoints of the current customer. */
  gint64             *tp_ts;
  guint16            *tp_slot;
  guint32            *tp_conversions_before;
  double             *weights;
  guint               tp_capacity;
} Chunk;

#define CREDIT(c, slot, model) ((c)->credit[(gsize) (slot) * N_MODELS + (model)])
#define REVENUE(c, slot, model) ((c)->revenue_credit[(gsize) (slot) * N_MODELS + (model)])

static void
chunk_ensure_capacity (Chunk *c,
                       guint  n)
{
  if (n <= c->tp_capacity)
    return;

  c->tp_capacity = MAX (n, c->tp_capacity * 2);
  c->tp_ts = g_renew (gint64, c->tp_ts, c->tp_capacity);
  c->tp_slot = g_renew (guint16, c->tp_slot, c->tp_capacity);
  c->tp_conversions_before = g_renew (guint32, c->tp_conversions_before, c->tp_capacity);
  c->weights = g_renew (double, c->weights, c->tp_capacity);
}

static inline void
add_credit (Chunk  *c,
            guint   slot,
            guint   model,
            double  weight,
            double  revenue)
{
  CREDIT (c, slot, model) += weight;
  REVENUE (c, slot, model) += weight * revenue;
}

/* Credits one conversion over the touchpoints first … last - 1 (oldest first). */
static void
credit_conversion (Chunk  *c,
                   guint   first,
                   guint   last,
                   double  revenue)
{
  guint n = last - first;
  double sum;

  if (n == 0)
    {
      for (guint m = 0; m < JM_ATTRIBUTION_MARKOV; m++)
        add_credit (c, 0, m, 1.0, revenue);
      return;
    }

  add_credit (c, c->tp_slot[first], JM_ATTRIBUTION_FIRST_TOUCH, 1.0, revenue);
  add_credit (c, c->tp_slot[last - 1], JM_ATTRIBUTION_LAST_TOUCH, 1.0, revenue);

  for (guint i = first; i < last; i++)
    add_credit (c, c->tp_slot[i], JM_ATTRIBUTION_LINEAR, 1.0 / n, revenue);

  /* Weights relative to the latest touchpoint (weight 1), which keeps the sum away from
   * underflow however long the lookback; normalising makes this the same as 2^(-Δt/h).
   */
  sum = 0.0;
  for (guint i = first; i < last; i++)
    {
      c->weights[i] = exp2 (-(double) (c->tp_ts[last - 1] - c->tp_ts[i]) / c->half_life_ms);
      sum += c->weights[i];
    }
  for (guint i = first; i < last; i++)
    add_credit (c, c->tp_slot[i], JM_ATTRIBUTION_TIME_DECAY, c->weights[i] / sum, revenue);

  if (n == 1)
    {
      add_credit (c, c->tp_slot[first], JM_ATTRIBUTION_POSITION_BASED, 1.0, revenue);
    }
  else if (n == 2)
    {
      add_credit (c, c->tp_slot[first], JM_ATTRIBUTION_POSITION_BASED, 0.5, revenue);
      add_credit (c, c->tp_slot[first + 1], JM_ATTRIBUTION_POSITION_BASED, 0.5, revenue);
    }
  else
    {
      add_credit (c, c->tp_slot[first], JM_ATTRIBUTION_POSITION_BASED, 0.4, revenue);
      add_credit (c, c->tp_slot[last - 1], JM_ATTRIBUTION_POSITION_BASED, 0.4, revenue);
      for (guint i = first + 1; i < last - 1; i++)
        add_credit (c, c->tp_slot[i], JM_ATTRIBUTION_POSITION_BASED, 0.2 / (n - 2), revenue);
    }
}

static gpointer
chunk_run (gpointer data)
{
  Chunk *c = data;
  const JmUnits *units = c->units;
  const JmEventLogColumns *columns = jm_event_log_get_columns (units->log);
  const guint32 *events = units->events;
  const guint n_slots = c->map->n_slots;
  const guint start_row = n_slots;
  const guint conversion_column = n_slots;
  const guint null_column = n_slots + 1;
  const guint stride = n_slots + 2;

  for (guint32 u = c->first_unit; u < c->last_unit; u++)
    {
      guint32 begin = units->offsets[u];
      guint32 end = units->offsets[u + 1];
      guint n_tp = 0;
      guint window = 0;
      guint32 n_conversions = 0;
      gint64 previous_ts = 0;
      guint previous_row;

      chunk_ensure_capacity (c, end - begin);

      for (guint32 j = begin; j < end; j++)
        {
          guint32 e = events[j];
          gint64 ts = columns->ts[e];

          if (j == begin || ts - previous_ts > c->session_gap_ms)
            {
              guint slot = c->map->slot_of[columns->channel[e]];

              c->tp_ts[n_tp] = ts;
              c->tp_slot[n_tp] = slot;
              c->tp_conversions_before[n_tp] = n_conversions;
              c->touched[slot] = TRUE;
              n_tp++;
            }
          previous_ts = ts;

          if (columns->name[e] == c->conversion_name)
            {
              double revenue = 0.0;

              if (c->revenue_of_value != NULL)
                revenue = c->revenue_of_value[c->revenue_value[e]];

              while (window < n_tp && ts - c->tp_ts[window] > c->lookback_ms)
                window++;

              credit_conversion (c, window, n_tp, revenue);
              c->transitions[(gsize) c->tp_slot[n_tp - 1] * stride + conversion_column]++;
              c->conversions++;
              c->revenue += revenue;
              n_conversions++;
            }
        }

      /* Markov paths: a converter contributes the prefix of its channel path up to each
       * conversion, so the transition into touchpoint i belongs to every path of a
       * conversion after it; a customer without conversion contributes its whole path once.
       */
      previous_row = start_row;
      for (guint i = 0; i < n_tp; i++)
        {
          guint64 multiplicity;

          multiplicity = n_conversions > 0 ? n_conversions - c->tp_conversions_before[i] : 1;
          if (multiplicity == 0)
            break;
          c->transitions[(gsize) previous_row * stride + c->tp_slot[i]] += multiplicity;
          previous_row = c->tp_slot[i];
        }
      if (n_conversions == 0 && n_tp > 0)
        c->transitions[(gsize) previous_row * stride + null_column]++;
    }

  return NULL;
}

static void
chunk_clear (Chunk *c)
{
  g_clear_pointer (&c->credit, g_free);
  g_clear_pointer (&c->revenue_credit, g_free);
  g_clear_pointer (&c->transitions, g_free);
  g_clear_pointer (&c->touched, g_free);
  g_clear_pointer (&c->tp_ts, g_free);
  g_clear_pointer (&c->tp_slot, g_free);
  g_clear_pointer (&c->tp_conversions_before, g_free);
  g_clear_pointer (&c->weights, g_free);
}

/* Solves a · x = b in place (n × n, row-major) by Gaussian elimination with partial
 * pivoting; the solution replaces b.
 */
static void
solve_linear (double *a,
              double *b,
              guint   n)
{
  for (guint col = 0; col < n; col++)
    {
      guint pivot = col;
      double pivot_value;

      for (guint r = col + 1; r < n; r++)
        {
          if (fabs (a[(gsize) r * n + col]) > fabs (a[(gsize) pivot * n + col]))
            pivot = r;
        }

      if (pivot != col)
        {
          for (guint k = 0; k < n; k++)
            {
              double tmp = a[(gsize) col * n + k];

              a[(gsize) col * n + k] = a[(gsize) pivot * n + k];
              a[(gsize) pivot * n + k] = tmp;
            }
          {
            double tmp = b[col];

            b[col] = b[pivot];
            b[pivot] = tmp;
          }
        }

      pivot_value = a[(gsize) col * n + col];
      /* I - Q of an absorbing chain is non-singular: every state that occurs reaches
       * CONVERSION or NULL. A zero pivot can only come from a state without transitions.
       */
      if (pivot_value == 0.0)
        continue;

      for (guint r = col + 1; r < n; r++)
        {
          double factor = a[(gsize) r * n + col] / pivot_value;

          if (factor == 0.0)
            continue;
          for (guint k = col; k < n; k++)
            a[(gsize) r * n + k] -= factor * a[(gsize) col * n + k];
          b[r] -= factor * b[col];
        }
    }

  for (guint r = n; r-- > 0;)
    {
      double sum = b[r];

      for (guint k = r + 1; k < n; k++)
        sum -= a[(gsize) r * n + k] * b[k];
      b[r] = a[(gsize) r * n + r] != 0.0 ? sum / a[(gsize) r * n + r] : 0.0;
    }
}

/* The probability of reaching CONVERSION from START, with the channel slot `removed` (or
 * G_MAXUINT for none) turned into a dead end. `states` lists the transient states in use:
 * index 0 is START, then the slots of the channels that occur.
 */
static double
conversion_probability (const guint64 *transitions,
                        guint          n_slots,
                        const guint   *states,
                        guint          n_states,
                        guint          removed)
{
  const guint stride = n_slots + 2;
  g_autofree double *a = g_new0 (double, (gsize) n_states * n_states);
  g_autofree double *b = g_new0 (double, n_states);
  g_autofree int *state_of_slot = g_new (int, n_slots);

  for (guint s = 0; s < n_slots; s++)
    state_of_slot[s] = -1;
  for (guint i = 1; i < n_states; i++)
    state_of_slot[states[i]] = (int) i;

  for (guint i = 0; i < n_states; i++)
    {
      guint row = i == 0 ? n_slots : states[i];
      const guint64 *counts = &transitions[(gsize) row * stride];
      guint64 total = 0;

      a[(gsize) i * n_states + i] = 1.0;
      if (i != 0 && states[i] == removed)
        continue;

      for (guint k = 0; k < stride; k++)
        total += counts[k];
      if (total == 0)
        continue;

      b[i] = (double) counts[n_slots] / (double) total;
      for (guint s = 0; s < n_slots; s++)
        {
          if (counts[s] == 0)
            continue;
          g_assert (state_of_slot[s] >= 0);
          a[(gsize) i * n_states + state_of_slot[s]] -= (double) counts[s] / (double) total;
        }
    }

  solve_linear (a, b, n_states);

  return b[0];
}

static int
compare_channels (gconstpointer a,
                  gconstpointer b)
{
  const JmAttributionChannel *ca = a;
  const JmAttributionChannel *cb = b;

  return strcmp (ca->channel, cb->channel);
}

static char *
revenue_field_path (const char *property)
{
  if (property == NULL || *property == '\0')
    return g_strdup (JM_ATTRIBUTION_DEFAULT_REVENUE);
  if (g_str_has_prefix (property, "properties.") || g_str_has_prefix (property, "context."))
    return g_strdup (property);

  return g_strconcat ("properties.", property, NULL);
}

JmAttribution *
jm_attribution_compute (const JmUnits               *units,
                        const JmAttributionOptions  *options,
                        GError                     **error)
{
  g_autoptr(JmAttribution) self = NULL;
  g_autofree double *revenue_of_value = NULL;
  g_autofree guint *states = NULL;
  g_autoptr(GError) local_error = NULL;
  const JmEventLogField *field = NULL;
  Chunk chunks[N_CHUNKS];
  ChannelMap map;
  guint32 conversion_name;
  guint n_chunks = 1;
  guint n_slots;
  Chunk *total;
  guint n_states;
  double p_conversion;
  g_autofree double *removal_effects = NULL;
  double removal_sum = 0.0;

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (units->log != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->conversion_event != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (units->unit != JM_UNIT_CUSTOMER)
    {
      g_set_error_literal (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                           "Attribution is always per customer: a session has a single "
                           "touchpoint. Run it without --per session");
      return NULL;
    }
  if (options->lookback_ms < 0)
    {
      g_set_error_literal (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                           "The lookback window must not be negative");
      return NULL;
    }
  if (options->half_life_ms <= 0 || options->session_gap_ms <= 0)
    {
      g_set_error_literal (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                           "The half-life and the session gap must be positive durations");
      return NULL;
    }

  /* A name that no event has is not an error: it matches nothing (no conversions). */
  if (!jm_event_log_lookup_name (units->log, options->conversion_event, &conversion_name))
    conversion_name = G_MAXUINT32;

  self = g_new0 (JmAttribution, 1);
  self->conversion_event = g_strdup (options->conversion_event);
  self->revenue_property = revenue_field_path (options->revenue_property);
  self->lookback_ms = options->lookback_ms;

  field = jm_event_log_get_field (units->log, self->revenue_property, &local_error);
  if (field == NULL)
    {
      gboolean invalid = g_error_matches (local_error, JM_EVENT_LOG_ERROR,
                                          JM_EVENT_LOG_ERROR_INVALID_FIELD);

      g_set_error (error, JM_ANALYSIS_ERROR,
                   invalid ? JM_ANALYSIS_ERROR_INVALID_OPTION : JM_ANALYSIS_ERROR_FAILED,
                   "Cannot read the revenue property “%s”: %s",
                   self->revenue_property, local_error->message);
      return NULL;
    }

  revenue_of_value = g_new0 (double, MAX (field->n_values, 1));
  for (guint32 v = 1; v < field->n_values; v++)
    {
      JsonNode *node = field->values[v];

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
        {
          GType type = json_node_get_value_type (node);

          if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
            {
              double value = json_node_get_double (node);

              if (isfinite (value))
                revenue_of_value[v] = value;
            }
        }
    }

  channel_map_init (&map, units->log);
  n_slots = map.n_slots;

  if (units->n_events >= PARALLEL_MIN_EVENTS && units->n_units >= N_CHUNKS)
    n_chunks = N_CHUNKS;

  memset (chunks, 0, sizeof chunks);
  for (guint t = 0; t < n_chunks; t++)
    {
      Chunk *c = &chunks[t];

      c->units = units;
      c->map = &map;
      c->revenue_of_value = revenue_of_value;
      c->revenue_value = field->value;
      c->conversion_name = conversion_name;
      c->lookback_ms = options->lookback_ms;
      c->session_gap_ms = options->session_gap_ms;
      c->half_life_ms = (double) options->half_life_ms;
      c->first_unit = (guint32) ((guint64) units->n_units * t / n_chunks);
      c->last_unit = (guint32) ((guint64) units->n_units * (t + 1) / n_chunks);
      c->credit = g_new0 (double, (gsize) n_slots * N_MODELS);
      c->revenue_credit = g_new0 (double, (gsize) n_slots * N_MODELS);
      c->transitions = g_new0 (guint64, (gsize) (n_slots + 1) * (n_slots + 2));
      c->touched = g_new0 (gboolean, n_slots);
    }

  if (n_chunks == 1)
    {
      chunk_run (&chunks[0]);
    }
  else
    {
      GThread *threads[N_CHUNKS] = { NULL, };

      for (guint t = 1; t < n_chunks; t++)
        threads[t] = g_thread_new ("jm-attribution", chunk_run, &chunks[t]);
      chunk_run (&chunks[0]);
      for (guint t = 1; t < n_chunks; t++)
        g_thread_join (threads[t]);
    }

  /* Merge into the first chunk, in chunk order. */
  total = &chunks[0];
  for (guint t = 1; t < n_chunks; t++)
    {
      Chunk *c = &chunks[t];

      total->conversions += c->conversions;
      total->revenue += c->revenue;
      for (gsize k = 0; k < (gsize) n_slots * N_MODELS; k++)
        {
          total->credit[k] += c->credit[k];
          total->revenue_credit[k] += c->revenue_credit[k];
        }
      for (gsize k = 0; k < (gsize) (n_slots + 1) * (n_slots + 2); k++)
        total->transitions[k] += c->transitions[k];
      for (guint s = 0; s < n_slots; s++)
        total->touched[s] |= c->touched[s];
    }

  self->conversions = total->conversions;
  self->revenue = total->revenue;

  /* Markov: solve the chain once as observed and once per removed channel. */
  states = g_new0 (guint, n_slots + 1);
  n_states = 1;
  for (guint s = 0; s < n_slots; s++)
    {
      if (total->touched[s])
        states[n_states++] = s;
    }

  removal_effects = g_new0 (double, n_slots);
  p_conversion = total->conversions > 0
    ? conversion_probability (total->transitions, n_slots, states, n_states, G_MAXUINT)
    : 0.0;
  self->conversion_probability = p_conversion;
  if (p_conversion > 0.0)
    {
      for (guint i = 1; i < n_states; i++)
        {
          guint s = states[i];
          double p = conversion_probability (total->transitions, n_slots, states, n_states, s);

          removal_effects[s] = CLAMP (1.0 - p / p_conversion, 0.0, 1.0);
          removal_sum += removal_effects[s];
        }
    }

  for (guint s = 0; s < n_slots; s++)
    {
      if (removal_sum > 0.0)
        {
          double share = removal_effects[s] / removal_sum;

          CREDIT (total, s, JM_ATTRIBUTION_MARKOV) = (double) total->conversions * share;
          REVENUE (total, s, JM_ATTRIBUTION_MARKOV) = total->revenue * share;
        }
      else if (s == 0 && total->conversions > 0)
        {
          /* Unreachable in practice (a conversion's path holds at least its own session),
           * but the credits must still add up.
           */
          CREDIT (total, s, JM_ATTRIBUTION_MARKOV) = (double) total->conversions;
          REVENUE (total, s, JM_ATTRIBUTION_MARKOV) = total->revenue;
          total->touched[0] = TRUE;
        }
    }

  /* Direct takes conversions without touchpoint even where it is never a session channel. */
  if (CREDIT (total, 0, JM_ATTRIBUTION_FIRST_TOUCH) > 0.0)
    total->touched[0] = TRUE;

  self->channels = g_new0 (JmAttributionChannel, n_slots);
  for (guint s = 0; s < n_slots; s++)
    {
      JmAttributionChannel *channel;

      if (!total->touched[s])
        continue;

      channel = &self->channels[self->n_channels++];
      channel->channel = g_strdup (map.names[s]);
      channel->removal_effect = removal_effects[s];
      for (guint m = 0; m < N_MODELS; m++)
        {
          channel->credit[m] = CREDIT (total, s, m);
          channel->revenue[m] = REVENUE (total, s, m);
        }
    }
  qsort (self->channels, self->n_channels, sizeof (JmAttributionChannel), compare_channels);

  for (guint t = 0; t < n_chunks; t++)
    chunk_clear (&chunks[t]);

  return g_steal_pointer (&self);
}

void
jm_attribution_free (JmAttribution *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_channels; i++)
    g_free (self->channels[i].channel);
  g_free (self->channels);
  g_free (self->conversion_event);
  g_free (self->revenue_property);
  g_free (self);
}

static void
add_channels (JsonBuilder         *builder,
              const JmAttribution *self,
              gboolean             revenue)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_channels; i++)
    {
      const JmAttributionChannel *channel = &self->channels[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "channel");
      json_builder_add_string_value (builder, channel->channel);
      for (guint m = 0; m < N_MODELS; m++)
        {
          json_builder_set_member_name (builder, model_names[m]);
          json_builder_add_double_value (builder,
                                         revenue ? channel->revenue[m] : channel->credit[m]);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
jm_attribution_to_json (const JmAttribution *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, jm_unit_kind_to_string (JM_UNIT_CUSTOMER));
  json_builder_set_member_name (builder, "conversion_event");
  json_builder_add_string_value (builder, self->conversion_event);
  json_builder_set_member_name (builder, "lookback_seconds");
  json_builder_add_double_value (builder, self->lookback_ms / 1000.0);
  json_builder_set_member_name (builder, "revenue_property");
  json_builder_add_string_value (builder, self->revenue_property);
  json_builder_set_member_name (builder, "conversions");
  json_builder_add_int_value (builder, self->conversions);
  json_builder_set_member_name (builder, "revenue");
  json_builder_add_double_value (builder, self->revenue);
  json_builder_set_member_name (builder, "channels");
  add_channels (builder, self, FALSE);
  json_builder_set_member_name (builder, "revenue_credit");
  add_channels (builder, self, TRUE);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
format_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.12g", value));
}

JmTable *
jm_attribution_to_table (const JmAttribution *self)
{
  const char *columns[2 * N_MODELS + 2];
  char *revenue_names[N_MODELS] = { NULL, };
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  columns[0] = "channel";
  for (guint m = 0; m < N_MODELS; m++)
    {
      revenue_names[m] = g_strconcat ("revenue_", model_names[m], NULL);
      columns[1 + m] = model_names[m];
      columns[1 + N_MODELS + m] = revenue_names[m];
    }
  columns[2 * N_MODELS + 1] = NULL;

  table = jm_table_new (columns);
  for (guint i = 0; i < self->n_channels; i++)
    {
      const JmAttributionChannel *channel = &self->channels[i];
      char *cells[2 * N_MODELS + 1];

      cells[0] = g_strdup (channel->channel);
      for (guint m = 0; m < N_MODELS; m++)
        {
          cells[1 + m] = format_number (channel->credit[m]);
          cells[1 + N_MODELS + m] = format_number (channel->revenue[m]);
        }
      jm_table_add_row (table, cells);
    }

  for (guint m = 0; m < N_MODELS; m++)
    g_clear_pointer (&revenue_names[m], g_free);

  return table;
}
