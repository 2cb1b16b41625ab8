/* jm-insights.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-insights"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jm-analysis-error.h"
#include "jm-funnel.h"
#include "jm-insights.h"
#include "jm-stats.h"

#define DAY_MS               (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)
#define HOUR_MS              (G_GINT64_CONSTANT (60) * 60 * 1000)
#define NO_NAME              G_MAXUINT32
#define CONVERSION_PATTERN   "order|purchase|checkout.?complete|convert|signup"
#define MAX_FUNNEL_STEPS     6
#define Z_95                 1.959963984540054
/* A converter event needs this many converters who did it, so that a handful of people
 * cannot make an event look decisive.
 */
#define MIN_CONVERTERS_WITH  5
/* Conversions per day are only watched for drops when a usual day has at least this many:
 * below it, a day without conversions is ordinary.
 */
#define MIN_DAILY_CONVERSIONS 3
#define MIN_ANOMALY_DAYS     7
/* With three weeks every weekday has three values, enough for a median of its own. */
#define WEEKDAY_MIN_DAYS     21
/* A day's usual value is the median of this many nearest days (of its weekday). */
#define NEIGHBOURS           6
/* At most this many insights of one segment field, and of one anomaly metric: the strongest. */
#define MAX_PER_FIELD        10
#define MAX_PER_METRIC       10
/* The longest range of days watched: the last ten years of the data. */
#define MAX_DAYS             3660

const char * const jm_insights_default_segment_fields[] = {
  JM_INSIGHTS_CHANNEL_FIELD,
  "traits.plan",
  "context.campaign.name",
  "context.locale",
  NULL
};

static const char * const weekday_names[] = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};

struct _JmInsights
{
  JmUnitKind  unit;
  guint64     n_units;
  char       *conversion_event;
  char      **funnel_steps;
  GPtrArray  *insights;     /* JmInsight*, sorted */
};

/* A two-proportion test of one segment (or loop) against the rest. */
typedef struct
{
  JmInsightKind kind;
  char         *field;
  char         *segment;
  gboolean      per_session;
  guint32       a;          /* loops: the pattern a→b→a (b = a for a repeat) */
  guint32       b;
  guint64       n;
  guint64       x;
  guint64       rest_n;
  guint64       rest_x;
  gdouble       z;
  gdouble       p;
  gdouble       q;
} ProportionTest;

typedef struct
{
  const JmUnits           *units;
  const JmEventLogColumns *cols;
  JmEventLog              *log;
  const JmInsightsOptions *options;
  guint32                  n_names;
  guint32                  conversion;        /* NO_NAME when none */
  guint64                 *name_events;       /* occurrences per name */
  gint64                   min_ts;
  gint64                   max_ts;
  /* sessions: events[session_start[s]] … events[session_start[s+1]-1] */
  guint32                  n_sessions;
  guint32                 *session_start;     /* n_sessions + 1 positions in units->events */
  guint32                 *session_unit;
  guint8                  *session_converted;
  guint8                  *unit_converted;
  char                   **funnel_steps;
  guint                    n_steps;
  guint32                 *name_step;         /* per name: its first funnel step, or NO_NAME */
  GPtrArray               *insights;
} Context;

static void
insight_free (gpointer data)
{
  JmInsight *insight = data;

  g_free (insight->title);
  g_free (insight->recommendation);
  g_clear_pointer (&insight->evidence, json_object_unref);
  g_free (insight);
}

static void
proportion_test_clear (gpointer data)
{
  ProportionTest *test = data;

  g_free (test->field);
  g_free (test->segment);
}

static void
context_clear (Context *ctx)
{
  g_free (ctx->name_events);
  g_free (ctx->session_start);
  g_free (ctx->session_unit);
  g_free (ctx->session_converted);
  g_free (ctx->unit_converted);
  g_free (ctx->name_step);
}

/* Statistics */

gdouble
jm_insights_normal_sf (gdouble z)
{
  return 0.5 * erfc (z / G_SQRT2);
}

void
jm_insights_two_proportion_test (guint64  x1,
                                 guint64  n1,
                                 guint64  x2,
                                 guint64  n2,
                                 gdouble *out_z,
                                 gdouble *out_p)
{
  gdouble pooled;
  gdouble se;
  gdouble z = 0.0;

  g_return_if_fail (out_z != NULL && out_p != NULL);

  if (n1 > 0 && n2 > 0)
    {
      pooled = (gdouble) (x1 + x2) / (gdouble) (n1 + n2);
      se = sqrt (pooled * (1.0 - pooled) * (1.0 / (gdouble) n1 + 1.0 / (gdouble) n2));
      if (se > 0.0)
        z = ((gdouble) x1 / (gdouble) n1 - (gdouble) x2 / (gdouble) n2) / se;
    }

  *out_z = z;
  *out_p = z == 0.0 ? 1.0 : MIN (1.0, 2.0 * jm_insights_normal_sf (fabs (z)));
}

typedef struct
{
  gdouble p;
  gsize   index;
} RankedP;

static int
compare_ranked_p (gconstpointer a,
                  gconstpointer b)
{
  const RankedP *x = a;
  const RankedP *y = b;

  if (x->p != y->p)
    return x->p < y->p ? -1 : 1;
  return x->index < y->index ? -1 : (x->index > y->index);
}

void
jm_insights_benjamini_hochberg (const gdouble *p,
                                gdouble       *out_q,
                                gsize          n)
{
  g_autofree RankedP *ranked = NULL;
  gdouble running = 1.0;

  g_return_if_fail (n == 0 || (p != NULL && out_q != NULL));

  if (n == 0)
    return;

  ranked = g_new (RankedP, n);
  for (gsize i = 0; i < n; i++)
    {
      ranked[i].p = p[i];
      ranked[i].index = i;
    }
  qsort (ranked, n, sizeof (RankedP), compare_ranked_p);

  /* q_(k) = min over j ≥ k of p_(j) · n / j, from the largest p-value down. */
  for (gsize k = n; k > 0; k--)
    {
      running = MIN (running, ranked[k - 1].p * (gdouble) n / (gdouble) k);
      out_q[ranked[k - 1].index] = running;
    }
}

void
jm_insights_odds_ratio (guint64  a,
                        guint64  b,
                        guint64  c,
                        guint64  d,
                        gdouble *out_or,
                        gdouble *out_low,
                        gdouble *out_high,
                        gdouble *out_se)
{
  gdouble fa = a, fb = b, fc = c, fd = d;
  gdouble log_or;
  gdouble se;

  g_return_if_fail (out_or != NULL && out_low != NULL && out_high != NULL && out_se != NULL);

  if (a == 0 || b == 0 || c == 0 || d == 0)
    {
      fa += 0.5;
      fb += 0.5;
      fc += 0.5;
      fd += 0.5;
    }

  log_or = log (fa) + log (fd) - log (fb) - log (fc);
  se = sqrt (1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd);
  *out_or = exp (log_or);
  *out_low = exp (log_or - Z_95 * se);
  *out_high = exp (log_or + Z_95 * se);
  *out_se = se;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  gdouble x = *(const gdouble *) a;
  gdouble y = *(const gdouble *) b;

  return x < y ? -1 : (x > y);
}

/* The median of n ≥ 1 values (the mean of the middle two for even n); reorders them. */
static gdouble
median_double (gdouble *values,
               gsize    n)
{
  g_assert (n > 0);

  qsort (values, n, sizeof (gdouble), compare_double);
  if (n % 2 == 1)
    return values[n / 2];
  return (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/* Severity: high when the effect is large and q < 0.001, medium when q < 0.01, else low. */
static JmInsightSeverity
severity_for_test (gdouble  q,
                   gboolean large)
{
  if (q < 0.001 && large)
    return JM_INSIGHT_HIGH;
  if (q < 0.01)
    return JM_INSIGHT_MEDIUM;
  return JM_INSIGHT_LOW;
}

static gboolean
rates_differ_largely (gdouble rate,
                      gdouble rest)
{
  gdouble high = MAX (rate, rest);
  gdouble low = MIN (rate, rest);

  return high >= 1.5 * low && high > 0.0;
}

/* Text helpers */

static char *
value_label (JsonNode *value)
{
  if (JSON_NODE_HOLDS_VALUE (value))
    {
      switch (json_node_get_value_type (value))
        {
        case G_TYPE_STRING:
          return g_strdup (json_node_get_string (value));
        case G_TYPE_INT64:
          return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
        case G_TYPE_DOUBLE:
          return jm_stats_format_double (json_node_get_double (value));
        case G_TYPE_BOOLEAN:
          return g_strdup (json_node_get_boolean (value) ? "true" : "false");
        default:
          break;
        }
    }

  return json_to_string (value, FALSE);
}

static gint64
day_of (gint64 ts)
{
  return ts >= 0 ? ts / DAY_MS : -((-ts + DAY_MS - 1) / DAY_MS);
}

/* Monday = 0 (1970-01-01 was a Thursday). */
static guint
weekday_of (gint64 day)
{
  return (guint) (((day + 3) % 7 + 7) % 7);
}

static char *
format_day (gint64 day)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (day * 24 * 60 * 60);

  return date != NULL ? g_date_time_format (date, "%Y-%m-%d") : g_strdup ("?");
}

static char *
format_percent (gdouble rate)
{
  return g_strdup_printf ("%.1f%%", 100.0 * rate);
}

/* "3.1 times as often as", "45% less often than". */
static char *
compare_rates (gdouble rate,
               gdouble rest)
{
  if (rest <= 0.0)
    return g_strdup ("more often than");
  if (rate >= rest)
    return g_strdup_printf ("%.1f times as often as", rate / rest);
  return g_strdup_printf ("%.0f%% less often than", 100.0 * (1.0 - rate / rest));
}

static const char *
units_word (const Context *ctx,
            gboolean       per_session)
{
  if (per_session || ctx->units->unit == JM_UNIT_SESSION)
    return "sessions";
  return "customers";
}

static void
add_insight (Context           *ctx,
             JmInsightKind      kind,
             JmInsightSeverity  severity,
             gdouble            strength,
             JsonObject        *evidence,
             char              *title,
             char              *recommendation)
{
  JmInsight *insight = g_new0 (JmInsight, 1);

  insight->kind = kind;
  insight->severity = severity;
  insight->strength = isfinite (strength) ? strength : G_MAXDOUBLE;
  insight->evidence = evidence;
  insight->title = title;
  insight->recommendation = recommendation;
  g_ptr_array_add (ctx->insights, insight);
}

/* Setup: names, conversion, sessions */

static void
count_names (Context *ctx)
{
  const JmUnits *units = ctx->units;

  ctx->name_events = g_new0 (guint64, MAX (ctx->n_names, 1));
  ctx->min_ts = G_MAXINT64;
  ctx->max_ts = G_MININT64;
  for (guint32 p = 0; p < units->n_events; p++)
    {
      guint32 e = units->events[p];
      gint64 ts = ctx->cols->ts[e];

      ctx->name_events[ctx->cols->name[e]]++;
      ctx->min_ts = MIN (ctx->min_ts, ts);
      ctx->max_ts = MAX (ctx->max_ts, ts);
    }
}

/* The most frequent track event whose name looks like a conversion; ties go to the first name
 * in the log's (strcmp) order.
 */
static guint32
choose_conversion (Context *ctx)
{
  g_autoptr(GRegex) regex = NULL;
  guint32 best = NO_NAME;

  regex = g_regex_new (CONVERSION_PATTERN, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
  g_assert (regex != NULL);

  for (guint32 n = 0; n < ctx->n_names; n++)
    {
      const char *name = jm_event_log_get_name (ctx->log, n);

      if (ctx->name_events[n] == 0 || name[0] == '/')
        continue;
      if (!g_regex_match (regex, name, 0, NULL))
        continue;
      if (best == NO_NAME || ctx->name_events[n] > ctx->name_events[best])
        best = n;
    }

  return best;
}

static void
split_sessions (Context *ctx)
{
  const JmUnits *units = ctx->units;
  const gint64 *ts = ctx->cols->ts;
  const guint32 *names = ctx->cols->name;
  gboolean per_customer = units->unit == JM_UNIT_CUSTOMER;
  guint32 n = 0;
  guint32 s = 0;

  /* Counted first so that the session arrays are sized exactly. */
  for (guint32 u = 0; u < units->n_units; u++)
    for (guint32 p = units->offsets[u]; p < units->offsets[u + 1]; p++)
      if (p == units->offsets[u] ||
          (per_customer &&
           ts[units->events[p]] - ts[units->events[p - 1]] > JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS))
        n++;

  ctx->n_sessions = n;
  ctx->session_start = g_new (guint32, n + 1);
  ctx->session_unit = g_new (guint32, MAX (n, 1));
  ctx->session_converted = g_new0 (guint8, MAX (n, 1));
  ctx->unit_converted = g_new0 (guint8, MAX (units->n_units, 1));

  for (guint32 u = 0; u < units->n_units; u++)
    for (guint32 p = units->offsets[u]; p < units->offsets[u + 1]; p++)
      {
        guint32 e = units->events[p];

        if (p == units->offsets[u] ||
            (per_customer &&
             ts[e] - ts[units->events[p - 1]] > JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS))
          {
            ctx->session_start[s] = p;
            ctx->session_unit[s] = u;
            s++;
          }
        if (names[e] == ctx->conversion)
          {
            ctx->session_converted[s - 1] = 1;
            ctx->unit_converted[u] = 1;
          }
      }

  g_assert (s == n);
  ctx->session_start[n] = units->n_events;
}

/* Funnel drop-off */

/* The main path from the most frequent entry event to the conversion (see the header): the
 * directly-follows counts of the journey graph, counted here without its durations. Ties go to
 * the first name in the log's (strcmp) order.
 */
static char **
default_funnel (Context *ctx)
{
  const JmUnits *units = ctx->units;
  const guint32 *names = ctx->cols->name;
  g_autoptr(JmPairIndex) transitions = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autofree guint64 *entries = NULL;
  g_autofree gboolean *taken = NULL;
  g_autoptr(GArray) chain = NULL;
  g_autoptr(GStrvBuilder) steps = NULL;
  guint32 entry = NO_NAME;
  guint n_steps;

  if (ctx->conversion == NO_NAME)
    return NULL;

  transitions = jm_pair_index_new (ctx->n_names, ctx->n_names);
  counts = g_array_new (FALSE, TRUE, sizeof (guint64));
  entries = g_new0 (guint64, ctx->n_names);
  for (guint32 u = 0; u < units->n_units; u++)
    {
      guint32 first = units->offsets[u];
      guint32 last = units->offsets[u + 1];

      if (first == last)
        continue;
      entries[names[units->events[first]]]++;
      for (guint32 p = first + 1; p < last; p++)
        {
          guint32 source = names[units->events[p - 1]];
          guint32 target = names[units->events[p]];
          guint32 id;

          if (source == target)
            continue;
          id = jm_pair_index_add (transitions, source, target);
          if (id >= counts->len)
            g_array_set_size (counts, MAX (id + 1, counts->len * 2));
          g_array_index (counts, guint64, id)++;
        }
    }

  for (guint32 n = 0; n < ctx->n_names; n++)
    if (entries[n] > 0 && (entry == NO_NAME || entries[n] > entries[entry]))
      entry = n;
  if (entry == NO_NAME || entry == ctx->conversion)
    return NULL;

  taken = g_new0 (gboolean, ctx->n_names);
  chain = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_val (chain, ctx->conversion);
  taken[ctx->conversion] = TRUE;
  while (g_array_index (chain, guint32, chain->len - 1) != entry)
    {
      guint32 current = g_array_index (chain, guint32, chain->len - 1);
      guint32 best = NO_NAME;
      guint64 best_count = 0;

      for (guint32 id = 0; id < jm_pair_index_get_size (transitions); id++)
        {
          guint32 source = jm_pair_index_get_first (transitions, id);
          guint64 count = g_array_index (counts, guint64, id);

          if (jm_pair_index_get_second (transitions, id) != current || taken[source])
            continue;
          if (best == NO_NAME || count > best_count || (count == best_count && source < best))
            {
              best = source;
              best_count = count;
            }
        }
      if (best == NO_NAME)
        {
          /* The entry does not lead here: it starts the funnel all the same. */
          g_array_append_val (chain, entry);
          break;
        }
      g_array_append_val (chain, best);
      taken[best] = TRUE;
    }

  /* chain = conversion … entry; the funnel is the entry and the (at most 5) steps before the
   * conversion, the conversion included.
   */
  n_steps = MIN (chain->len, MAX_FUNNEL_STEPS);
  if (n_steps < 2)
    return NULL;

  steps = g_strv_builder_new ();
  g_strv_builder_add (steps, jm_event_log_get_name (ctx->log, entry));
  for (guint i = n_steps - 1; i > 0; i--)
    g_strv_builder_add (steps, jm_event_log_get_name (ctx->log,
                                                      g_array_index (chain, guint32, i - 1)));

  return g_strv_builder_end (steps);
}

static gboolean
find_funnel_dropoff (Context            *ctx,
                     const char * const *step_names,
                     GError            **error)
{
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions funnel_options;
  const JmFunnelStep *from;
  const JmFunnelStep *to;
  JsonObject *evidence;
  JsonArray *steps;
  guint n_steps;
  guint best = G_MAXUINT;
  gboolean best_large = FALSE;
  gdouble best_rate = -1.0;
  guint64 lost;
  gdouble rate;
  JmInsightSeverity severity;
  const char *word;

  jm_funnel_options_init (&funnel_options);
  funnel_options.steps = step_names;
  funnel = jm_funnel_compute (ctx->units, &funnel_options, error);
  if (funnel == NULL)
    return FALSE;

  n_steps = jm_funnel_get_n_steps (funnel);
  for (guint k = 0; k + 1 < n_steps; k++)
    {
      guint64 reached = jm_funnel_get_step (funnel, k)->count;
      guint64 continued = jm_funnel_get_step (funnel, k + 1)->count;
      gboolean large = reached >= ctx->options->min_units;

      if (reached == 0)
        continue;
      rate = (gdouble) (reached - continued) / (gdouble) reached;
      /* A step reached by enough units beats any step reached by too few. */
      if (best == G_MAXUINT || (large && !best_large) ||
          (large == best_large && rate > best_rate))
        {
          best = k;
          best_rate = rate;
          best_large = large;
        }
    }
  if (best == G_MAXUINT)
    return TRUE;

  from = jm_funnel_get_step (funnel, best);
  to = jm_funnel_get_step (funnel, best + 1);
  lost = from->count - to->count;
  rate = best_rate;
  word = units_word (ctx, FALSE);

  evidence = json_object_new ();
  steps = json_array_new ();
  for (guint k = 0; k < n_steps; k++)
    json_array_add_string_element (steps, jm_funnel_get_step (funnel, k)->name);
  json_object_set_array_member (evidence, "steps", steps);
  json_object_set_int_member (evidence, "step", best + 1);
  json_object_set_string_member (evidence, "from", from->name);
  json_object_set_string_member (evidence, "to", to->name);
  json_object_set_int_member (evidence, "reached", from->count);
  json_object_set_int_member (evidence, "continued", to->count);
  json_object_set_int_member (evidence, "lost", lost);
  json_object_set_double_member (evidence, "rate_lost", rate);
  json_object_set_double_member (evidence, "conversion_from_start", to->conversion_from_start);
  if (to->has_times)
    json_object_set_double_member (evidence, "median_seconds_to_next", to->from_previous.median);
  else
    json_object_set_null_member (evidence, "median_seconds_to_next");
  json_object_set_double_member (evidence, "window_seconds",
                                 (gdouble) jm_funnel_get_window_ms (funnel) / 1000.0);

  if (rate >= 0.7)
    severity = JM_INSIGHT_HIGH;
  else if (rate >= 0.4)
    severity = JM_INSIGHT_MEDIUM;
  else
    severity = JM_INSIGHT_LOW;

  add_insight (ctx, JM_INSIGHT_FUNNEL_DROPOFF, severity, 10.0 * rate, evidence,
               g_strdup_printf ("%.0f%% of the %s that reach %s do not go on to %s "
                                "(%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT ")",
                                100.0 * rate, word, from->name, to->name, lost, from->count),
               g_strdup_printf ("The step from %s to %s loses the most %s of the funnel. Look at "
                                "the paths after %s of those who do not go on to see where they "
                                "go instead, remove what stands in the way on that step (extra "
                                "fields, surprise costs, missing information, errors), and save "
                                "the drop-offs as a segment to win them back.",
                                from->name, to->name, word, from->name));

  return TRUE;
}

/* Segment differences and channel performance */

typedef struct
{
  GHashTable *labels;     /* label → group index + 1 */
  GPtrArray  *names;      /* char*, by group */
  GArray     *n;          /* guint64 per group */
  GArray     *x;
} Groups;

static void
groups_init (Groups *groups)
{
  groups->labels = g_hash_table_new (g_str_hash, g_str_equal);
  groups->names = g_ptr_array_new_with_free_func (g_free);
  groups->n = g_array_new (FALSE, TRUE, sizeof (guint64));
  groups->x = g_array_new (FALSE, TRUE, sizeof (guint64));
}

static void
groups_clear (Groups *groups)
{
  g_hash_table_unref (groups->labels);
  g_ptr_array_unref (groups->names);
  g_array_unref (groups->n);
  g_array_unref (groups->x);
}

/* The group of a label (taken), made when new. */
static guint
groups_lookup (Groups *groups,
               char   *label)
{
  gpointer found = g_hash_table_lookup (groups->labels, label);
  guint index;

  if (found != NULL)
    {
      g_free (label);
      return GPOINTER_TO_UINT (found) - 1;
    }

  index = groups->names->len;
  g_ptr_array_add (groups->names, label);
  g_array_set_size (groups->n, index + 1);
  g_array_set_size (groups->x, index + 1);
  g_hash_table_insert (groups->labels, label, GUINT_TO_POINTER (index + 1));

  return index;
}

static void
groups_count (Groups   *groups,
              guint     group,
              gboolean  converted)
{
  g_array_index (groups->n, guint64, group)++;
  if (converted)
    g_array_index (groups->x, guint64, group)++;
}

static void
groups_add_tests (Groups        *groups,
                  GArray        *tests,
                  JmInsightKind  kind,
                  const char    *field,
                  gboolean       per_session,
                  guint          min_units)
{
  guint64 total_n = 0;
  guint64 total_x = 0;

  for (guint g = 0; g < groups->names->len; g++)
    {
      total_n += g_array_index (groups->n, guint64, g);
      total_x += g_array_index (groups->x, guint64, g);
    }

  for (guint g = 0; g < groups->names->len; g++)
    {
      ProportionTest test = { 0, };

      test.n = g_array_index (groups->n, guint64, g);
      test.x = g_array_index (groups->x, guint64, g);
      test.rest_n = total_n - test.n;
      test.rest_x = total_x - test.x;
      if (test.n < min_units || test.rest_n < min_units)
        continue;

      test.kind = kind;
      test.field = g_strdup (field);
      test.segment = g_strdup (g_ptr_array_index (groups->names, g));
      test.per_session = per_session;
      jm_insights_two_proportion_test (test.x, test.n, test.rest_x, test.rest_n,
                                       &test.z, &test.p);
      g_array_append_val (tests, test);
    }
}

static void
test_channels (Context *ctx,
               GArray  *tests)
{
  guint n_channels = jm_event_log_get_n_channels (ctx->log);
  guint group[256];
  Groups groups;

  groups_init (&groups);
  for (guint c = 0; c < n_channels && c < 256; c++)
    {
      const char *name = jm_event_log_get_channel (ctx->log, c);

      group[c] = groups_lookup (&groups, g_strdup (c == 0 || name[0] == '\0' ? "Direct" : name));
    }

  for (guint32 s = 0; s < ctx->n_sessions; s++)
    {
      guint32 e = ctx->units->events[ctx->session_start[s]];

      groups_count (&groups, group[ctx->cols->channel[e]], ctx->session_converted[s]);
    }

  groups_add_tests (&groups, tests, JM_INSIGHT_CHANNEL_PERFORMANCE, JM_INSIGHTS_CHANNEL_FIELD,
                    TRUE, ctx->options->min_units);
  groups_clear (&groups);
}

static gboolean
test_field (Context     *ctx,
            GArray      *tests,
            const char  *field_name,
            GError     **error)
{
  const JmUnits *units = ctx->units;
  const JmEventLogField *field;
  g_autofree guint *value_group = NULL;
  gboolean per_session;
  Groups groups;

  field = jm_event_log_get_field (ctx->log, field_name, error);
  if (field == NULL)
    return FALSE;
  if (field->n_values < 2)
    return TRUE;

  groups_init (&groups);
  value_group = g_new (guint, field->n_values);
  value_group[0] = G_MAXUINT;
  for (guint32 v = 1; v < field->n_values; v++)
    value_group[v] = groups_lookup (&groups, value_label (field->values[v]));

  /* Traits belong to the customer, everything else to the event: see the header. */
  per_session = !g_str_has_prefix (field_name, "traits.");
  if (per_session)
    {
      for (guint32 s = 0; s < ctx->n_sessions; s++)
        for (guint32 p = ctx->session_start[s]; p < ctx->session_start[s + 1]; p++)
          {
            guint32 v = field->value[units->events[p]];

            if (v != 0)
              {
                groups_count (&groups, value_group[v], ctx->session_converted[s]);
                break;
              }
          }
    }
  else
    {
      for (guint32 u = 0; u < units->n_units; u++)
        for (guint32 p = units->offsets[u]; p < units->offsets[u + 1]; p++)
          {
            guint32 v = field->value[units->events[p]];

            if (v != 0)
              {
                groups_count (&groups, value_group[v], ctx->unit_converted[u]);
                break;
              }
          }
    }

  groups_add_tests (&groups, tests, JM_INSIGHT_SEGMENT_DIFFERENCE, field_name, per_session,
                    ctx->options->min_units);
  groups_clear (&groups);

  return TRUE;
}

static int
compare_tests_by_strength (gconstpointer a,
                           gconstpointer b)
{
  const ProportionTest *x = *(ProportionTest * const *) a;
  const ProportionTest *y = *(ProportionTest * const *) b;

  if (fabs (x->z) != fabs (y->z))
    return fabs (x->z) > fabs (y->z) ? -1 : 1;
  return g_strcmp0 (x->segment, y->segment);
}

static JsonObject *
test_evidence (const ProportionTest *test)
{
  JsonObject *evidence = json_object_new ();
  gdouble rate = test->n > 0 ? (gdouble) test->x / (gdouble) test->n : 0.0;
  gdouble rest = test->rest_n > 0 ? (gdouble) test->rest_x / (gdouble) test->rest_n : 0.0;

  json_object_set_int_member (evidence, "units", test->n);
  json_object_set_int_member (evidence, "conversions", test->x);
  json_object_set_double_member (evidence, "rate", rate);
  json_object_set_int_member (evidence, "rest_units", test->rest_n);
  json_object_set_int_member (evidence, "rest_conversions", test->rest_x);
  json_object_set_double_member (evidence, "rest_rate", rest);
  json_object_set_double_member (evidence, "z", test->z);
  json_object_set_double_member (evidence, "p", test->p);
  json_object_set_double_member (evidence, "q", test->q);

  return evidence;
}

static void
report_segment_test (Context              *ctx,
                     const ProportionTest *test)
{
  gdouble rate = (gdouble) test->x / (gdouble) test->n;
  gdouble rest = (gdouble) test->rest_x / (gdouble) test->rest_n;
  g_autofree char *compared = compare_rates (rate, rest);
  g_autofree char *rate_text = format_percent (rate);
  g_autofree char *rest_text = format_percent (rest);
  JmInsightSeverity severity = severity_for_test (test->q, rates_differ_largely (rate, rest));
  const char *word = units_word (ctx, test->per_session);
  JsonObject *evidence = test_evidence (test);
  char *title;
  char *recommendation;

  json_object_set_string_member (evidence, "per", test->per_session ? "session" : "unit");
  json_object_set_string_member (evidence, "conversion_event",
                                 jm_event_log_get_name (ctx->log, ctx->conversion));

  if (test->kind == JM_INSIGHT_CHANNEL_PERFORMANCE)
    {
      json_object_set_string_member (evidence, "channel", test->segment);
      title = g_strdup_printf ("%s sessions convert %s those of other channels (%s vs %s)",
                               test->segment, compared, rate_text, rest_text);
      if (test->z > 0)
        recommendation = g_strdup_printf ("%s brings visits that convert well: consider moving "
                                          "budget towards it, and try its audiences, offers and "
                                          "messages in the weaker channels.", test->segment);
      else
        recommendation = g_strdup_printf ("%s brings visits that convert poorly: review its "
                                          "targeting and the landing pages it sends people to, "
                                          "compare its cost per conversion with the other "
                                          "channels, and move budget away if it does not "
                                          "improve.", test->segment);
    }
  else
    {
      g_autofree char *subject = g_strdup_printf ("%c%s with %s = %s",
                                                  g_ascii_toupper (word[0]), word + 1,
                                                  test->field, test->segment);

      json_object_set_string_member (evidence, "field", test->field);
      json_object_set_string_member (evidence, "segment", test->segment);
      title = g_strdup_printf ("%s convert %s the rest (%s vs %s)",
                               subject, compared, rate_text, rest_text);
      if (test->z > 0)
        recommendation = g_strdup_printf ("%s convert %s the others. Find out what they get "
                                          "that the others do not (offer, landing page, "
                                          "audience, timing) and bring more of it to the rest; "
                                          "compare the paths of this segment with the others.",
                                          subject, compared);
      else
        recommendation = g_strdup_printf ("%s convert %s the others. Compare their paths with "
                                          "those of the others to find where they stop, and "
                                          "fix what blocks them (content, language, pricing, "
                                          "payment options) or invest less in bringing them.",
                                          subject, compared);
    }

  add_insight (ctx, test->kind, severity, fabs (test->z), evidence, title, recommendation);
}

static gboolean
find_segment_differences (Context     *ctx,
                          GError     **error)
{
  const JmInsightsOptions *options = ctx->options;
  const char * const *fields = options->segment_fields != NULL ? options->segment_fields
                                                               : jm_insights_default_segment_fields;
  g_autoptr(GArray) tests = NULL;
  g_autofree gdouble *p = NULL;
  g_autofree gdouble *q = NULL;
  g_autoptr(GPtrArray) flagged = NULL;

  g_autoptr(GPtrArray) to_load = g_ptr_array_new ();

  tests = g_array_new (FALSE, TRUE, sizeof (ProportionTest));
  g_array_set_clear_func (tests, proportion_test_clear);

  /* Every field in one scan of the workspace rather than one scan each. */
  for (guint i = 0; fields[i] != NULL; i++)
    if (strcmp (fields[i], JM_INSIGHTS_CHANNEL_FIELD) != 0)
      g_ptr_array_add (to_load, (gpointer)fields[i]);
  g_ptr_array_add (to_load, NULL);
  if (!jm_event_log_load_fields (ctx->log, (const char * const *)to_load->pdata, error))
    return FALSE;

  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (strcmp (fields[i], JM_INSIGHTS_CHANNEL_FIELD) == 0)
        test_channels (ctx, tests);
      else if (!test_field (ctx, tests, fields[i], error))
        return FALSE;
    }

  p = g_new (gdouble, MAX (tests->len, 1));
  q = g_new (gdouble, MAX (tests->len, 1));
  for (guint i = 0; i < tests->len; i++)
    p[i] = g_array_index (tests, ProportionTest, i).p;
  jm_insights_benjamini_hochberg (p, q, tests->len);

  flagged = g_ptr_array_new ();
  for (guint i = 0; i < tests->len; i++)
    {
      ProportionTest *test = &g_array_index (tests, ProportionTest, i);

      test->q = q[i];
      if (test->q <= options->max_q)
        g_ptr_array_add (flagged, test);
    }

  /* The strongest first; segment fields with many values are capped. */
  g_ptr_array_sort (flagged, compare_tests_by_strength);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      guint reported = 0;

      for (guint j = 0; j < flagged->len; j++)
        {
          const ProportionTest *test = g_ptr_array_index (flagged, j);

          if (strcmp (test->field, fields[i]) != 0)
            continue;
          if (test->kind == JM_INSIGHT_SEGMENT_DIFFERENCE && reported >= MAX_PER_FIELD)
            break;
          report_segment_test (ctx, test);
          reported++;
        }
    }

  return TRUE;
}

/* Converter events */

typedef struct
{
  guint32 name;
  guint64 a, b, c, d;
  gdouble odds_ratio, low, high, se;
} ConverterEvent;

static int
compare_converter_events (gconstpointer a,
                          gconstpointer b)
{
  const ConverterEvent *x = a;
  const ConverterEvent *y = b;
  gdouble lx = fabs (log (x->odds_ratio));
  gdouble ly = fabs (log (y->odds_ratio));

  if (lx != ly)
    return lx > ly ? -1 : 1;
  return x->name < y->name ? -1 : (x->name > y->name);
}

static void
find_converter_events (Context *ctx)
{
  const JmUnits *units = ctx->units;
  const guint32 *names = ctx->cols->name;
  g_autofree guint32 *seen = g_new0 (guint32, ctx->n_names);
  g_autofree guint64 *converters_with = g_new0 (guint64, ctx->n_names);
  g_autofree guint64 *others_with = g_new0 (guint64, ctx->n_names);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (ConverterEvent));
  const char *conversion = jm_event_log_get_name (ctx->log, ctx->conversion);
  guint64 n_converters = 0;
  guint64 n_others = 0;

  for (guint32 u = 0; u < units->n_units; u++)
    {
      gboolean converter = ctx->unit_converted[u];
      guint64 *with = converter ? converters_with : others_with;

      if (converter)
        n_converters++;
      else
        n_others++;

      for (guint32 p = units->offsets[u]; p < units->offsets[u + 1]; p++)
        {
          guint32 name = names[units->events[p]];

          if (name == ctx->conversion)
            break;
          if (seen[name] != u + 1)
            {
              seen[name] = u + 1;
              with[name]++;
            }
        }
    }

  if (n_converters == 0 || n_others == 0)
    return;

  for (guint32 n = 0; n < ctx->n_names; n++)
    {
      ConverterEvent event = { 0, };

      if (n == ctx->conversion || ctx->name_step[n] != NO_NAME ||
          converters_with[n] < MIN_CONVERTERS_WITH)
        continue;

      event.name = n;
      event.a = converters_with[n];
      event.b = n_converters - event.a;
      event.c = others_with[n];
      event.d = n_others - event.c;
      jm_insights_odds_ratio (event.a, event.b, event.c, event.d,
                              &event.odds_ratio, &event.low, &event.high, &event.se);
      if (event.low > 1.0)
        g_array_append_val (found, event);
    }

  g_array_sort (found, compare_converter_events);
  for (guint i = 0; i < found->len && i < ctx->options->max_converter_events; i++)
    {
      const ConverterEvent *event = &g_array_index (found, ConverterEvent, i);
      const char *name = jm_event_log_get_name (ctx->log, event->name);
      gdouble z = log (event->odds_ratio) / event->se;
      gdouble p = MIN (1.0, 2.0 * jm_insights_normal_sf (fabs (z)));
      gdouble share = (gdouble) event->a / (gdouble) n_converters;
      gdouble other_share = (gdouble) event->c / (gdouble) n_others;
      g_autofree char *share_text = format_percent (share);
      g_autofree char *other_text = format_percent (other_share);
      JsonObject *evidence = json_object_new ();
      const char *word = units_word (ctx, FALSE);

      json_object_set_string_member (evidence, "event", name);
      json_object_set_string_member (evidence, "conversion_event", conversion);
      json_object_set_int_member (evidence, "converters", n_converters);
      json_object_set_int_member (evidence, "converters_with", event->a);
      json_object_set_double_member (evidence, "converters_share", share);
      json_object_set_int_member (evidence, "non_converters", n_others);
      json_object_set_int_member (evidence, "non_converters_with", event->c);
      json_object_set_double_member (evidence, "non_converters_share", other_share);
      json_object_set_double_member (evidence, "odds_ratio", event->odds_ratio);
      json_object_set_double_member (evidence, "ci_low", event->low);
      json_object_set_double_member (evidence, "ci_high", event->high);
      json_object_set_double_member (evidence, "z", z);
      json_object_set_double_member (evidence, "p", p);

      add_insight (ctx, JM_INSIGHT_CONVERTER_EVENT,
                   severity_for_test (p, event->odds_ratio >= 2.0), fabs (z), evidence,
                   g_strdup_printf ("%s is more common among converters: %s of the %s that "
                                    "converted did it before %s, %s of the others (odds ratio "
                                    "%.1f, 95%% CI %.1f to %.1f)", name, share_text, word,
                                    conversion, other_text, event->odds_ratio, event->low,
                                    event->high),
                   g_strdup_printf ("%s goes with converting. It may help people decide, or only "
                                    "mark those already decided: test whether making %s easier "
                                    "to reach earlier in the journey (links from the entry "
                                    "pages, reminders) lifts conversion.", name, name));
    }
}

/* Friction loops */

static gboolean
find_friction_loops (Context  *ctx)
{
  const JmUnits *units = ctx->units;
  const guint32 *names = ctx->cols->name;
  guint32 n_names = ctx->n_names;
  g_autoptr(JmPairIndex) patterns = NULL;
  g_autoptr(GArray) loop_sessions = g_array_new (FALSE, TRUE, sizeof (guint64));
  g_autoptr(GArray) loop_conversions = g_array_new (FALSE, TRUE, sizeof (guint64));
  g_autoptr(GArray) last_session = g_array_new (FALSE, TRUE, sizeof (guint32));
  g_autofree guint32 *present = g_new0 (guint32, n_names);
  g_autofree guint64 *name_sessions = g_new0 (guint64, n_names);
  g_autofree guint64 *name_conversions = g_new0 (guint64, n_names);
  g_autofree guint32 *candidate = NULL;     /* per pattern: its candidate number + 1, or 0 */
  g_autofree guint32 *candidate_ids = NULL;
  g_autofree guint64 *both_sessions = NULL;
  g_autofree guint64 *both_conversions = NULL;
  g_autofree guint32 *distinct = g_new (guint32, MAX (n_names, 1));
  g_autoptr(GArray) tests = NULL;
  g_autofree gdouble *p = NULL;
  g_autofree gdouble *q = NULL;
  g_autoptr(GPtrArray) flagged = NULL;
  guint n_candidates = 0;
  guint32 n_patterns;

  patterns = jm_pair_index_new (n_names, n_names);

  /* First pass: the loops of each session, counted once per session. */
  for (guint32 s = 0; s < ctx->n_sessions; s++)
    {
      guint32 first = ctx->session_start[s];
      guint32 end = ctx->session_start[s + 1];

      for (guint32 p1 = first; p1 < end; p1++)
        {
          guint32 a = names[units->events[p1]];
          guint32 b;
          guint32 id = G_MAXUINT32;

          if (present[a] != s + 1)
            {
              present[a] = s + 1;
              name_sessions[a]++;
              name_conversions[a] += ctx->session_converted[s];
            }
          if (p1 + 1 >= end || a == ctx->conversion)
            continue;

          b = names[units->events[p1 + 1]];
          if (b == a)
            id = jm_pair_index_add (patterns, a, a);
          else if (p1 + 2 < end && b != ctx->conversion && names[units->events[p1 + 2]] == a)
            id = jm_pair_index_add (patterns, a, b);
          if (id == G_MAXUINT32)
            continue;

          if (id >= loop_sessions->len)
            {
              g_array_set_size (loop_sessions, id + 1);
              g_array_set_size (loop_conversions, id + 1);
              g_array_set_size (last_session, id + 1);
            }
          if (g_array_index (last_session, guint32, id) != s + 1)
            {
              g_array_index (last_session, guint32, id) = s + 1;
              g_array_index (loop_sessions, guint64, id)++;
              g_array_index (loop_conversions, guint64, id) += ctx->session_converted[s];
            }
        }
    }

  n_patterns = jm_pair_index_get_size (patterns);
  candidate = g_new0 (guint32, MAX (n_patterns, 1));
  candidate_ids = g_new (guint32, MAX (n_patterns, 1));
  for (guint32 id = 0; id < n_patterns; id++)
    if (g_array_index (loop_sessions, guint64, id) >= ctx->options->min_units &&
        jm_pair_index_get_first (patterns, id) != jm_pair_index_get_second (patterns, id))
      {
        candidate_ids[n_candidates] = id;
        candidate[id] = ++n_candidates;
      }

  /* Second pass, for the back-and-forth candidates: the sessions with both events. */
  both_sessions = g_new0 (guint64, n_candidates + 1);
  both_conversions = g_new0 (guint64, n_candidates + 1);
  memset (present, 0, n_names * sizeof (guint32));
  if (n_candidates > 0)
    for (guint32 s = 0; s < ctx->n_sessions; s++)
      {
        guint n_distinct = 0;

        for (guint32 p1 = ctx->session_start[s]; p1 < ctx->session_start[s + 1]; p1++)
          {
            guint32 a = names[units->events[p1]];

            if (present[a] != s + 1)
              {
                present[a] = s + 1;
                distinct[n_distinct++] = a;
              }
          }

        /* Whichever is fewer: the pairs of the session's names, or the candidates. */
        if ((guint64) n_distinct * n_distinct <= n_candidates)
          {
            for (guint i = 0; i < n_distinct; i++)
              for (guint j = 0; j < n_distinct; j++)
                {
                  guint32 id;

                  if (i == j)
                    continue;
                  id = jm_pair_index_lookup (patterns, distinct[i], distinct[j]);
                  if (id != G_MAXUINT32 && candidate[id] != 0)
                    {
                      both_sessions[candidate[id]]++;
                      both_conversions[candidate[id]] += ctx->session_converted[s];
                    }
                }
          }
        else
          {
            for (guint i = 0; i < n_candidates; i++)
              {
                guint32 id = candidate_ids[i];

                if (present[jm_pair_index_get_first (patterns, id)] == s + 1 &&
                    present[jm_pair_index_get_second (patterns, id)] == s + 1)
                  {
                    both_sessions[candidate[id]]++;
                    both_conversions[candidate[id]] += ctx->session_converted[s];
                  }
              }
          }
      }

  tests = g_array_new (FALSE, TRUE, sizeof (ProportionTest));
  for (guint32 id = 0; id < n_patterns; id++)
    {
      ProportionTest test = { 0, };
      guint64 base_n;
      guint64 base_x;

      test.a = jm_pair_index_get_first (patterns, id);
      test.b = jm_pair_index_get_second (patterns, id);
      test.n = g_array_index (loop_sessions, guint64, id);
      test.x = g_array_index (loop_conversions, guint64, id);
      if (test.n < ctx->options->min_units)
        continue;
      if (test.a == test.b)
        {
          base_n = name_sessions[test.a];
          base_x = name_conversions[test.a];
        }
      else
        {
          base_n = both_sessions[candidate[id]];
          base_x = both_conversions[candidate[id]];
        }
      g_assert (base_n >= test.n && base_x >= test.x);
      test.rest_n = base_n - test.n;
      test.rest_x = base_x - test.x;
      if (test.rest_n < ctx->options->min_units)
        continue;

      test.kind = JM_INSIGHT_FRICTION_LOOP;
      test.per_session = TRUE;
      jm_insights_two_proportion_test (test.x, test.n, test.rest_x, test.rest_n,
                                       &test.z, &test.p);
      g_array_append_val (tests, test);
    }

  p = g_new (gdouble, MAX (tests->len, 1));
  q = g_new (gdouble, MAX (tests->len, 1));
  for (guint i = 0; i < tests->len; i++)
    p[i] = g_array_index (tests, ProportionTest, i).p;
  jm_insights_benjamini_hochberg (p, q, tests->len);

  flagged = g_ptr_array_new ();
  for (guint i = 0; i < tests->len; i++)
    {
      ProportionTest *test = &g_array_index (tests, ProportionTest, i);

      test->q = q[i];
      if (test->q <= ctx->options->max_q && test->z < 0)
        g_ptr_array_add (flagged, test);
    }
  g_ptr_array_sort (flagged, compare_tests_by_strength);

  for (guint i = 0; i < flagged->len && i < MAX_PER_FIELD; i++)
    {
      const ProportionTest *test = g_ptr_array_index (flagged, i);
      const char *a = jm_event_log_get_name (ctx->log, test->a);
      const char *b = jm_event_log_get_name (ctx->log, test->b);
      gboolean repeat = test->a == test->b;
      gdouble rate = (gdouble) test->x / (gdouble) test->n;
      gdouble rest = (gdouble) test->rest_x / (gdouble) test->rest_n;
      g_autofree char *rate_text = format_percent (rate);
      g_autofree char *rest_text = format_percent (rest);
      g_autofree char *pattern_text = NULL;
      JsonObject *evidence = test_evidence (test);
      JsonArray *pattern = json_array_new ();
      char *recommendation;

      json_array_add_string_element (pattern, a);
      json_array_add_string_element (pattern, b);
      if (!repeat)
        json_array_add_string_element (pattern, a);
      json_object_set_string_member (evidence, "loop", repeat ? "repeat" : "back_and_forth");
      json_object_set_array_member (evidence, "pattern", pattern);
      json_object_set_string_member (evidence, "per", "session");
      json_object_set_double_member (evidence, "share",
                                     (gdouble) test->n / (gdouble) (test->n + test->rest_n));
      json_object_set_string_member (evidence, "conversion_event",
                                     jm_event_log_get_name (ctx->log, ctx->conversion));

      if (repeat)
        {
          pattern_text = g_strdup_printf ("%s → %s", a, a);
          recommendation = g_strdup_printf ("People who repeat %s convert less: check whether it "
                                            "fails, loads slowly or shows confusing results, so "
                                            "that they have to try again.", a);
        }
      else
        {
          pattern_text = g_strdup_printf ("%s → %s → %s", a, b, a);
          recommendation = g_strdup_printf ("People who go from %s to %s and back convert less: "
                                            "check what they look for at %s that %s does not "
                                            "give them (information, a working form, a clear "
                                            "error message) and put it where they need it.",
                                            a, b, b, a);
        }

      add_insight (ctx, JM_INSIGHT_FRICTION_LOOP,
                   severity_for_test (test->q, rates_differ_largely (rate, rest)),
                   fabs (test->z), evidence,
                   g_strdup_printf ("Sessions looping %s convert less: %s vs %s of the sessions "
                                    "with the same events and no loop (%" G_GUINT64_FORMAT
                                    " sessions, %.1f%%)", pattern_text, rate_text, rest_text,
                                    test->n,
                                    100.0 * (gdouble) test->n / (gdouble) (test->n + test->rest_n)),
                   recommendation);
    }

  return TRUE;
}

/* Volume anomalies */

typedef struct
{
  gint64   day;
  gdouble  value;
  gdouble  usual;
  gdouble  z;
  gboolean weekday;
  guint64  sessions;
  gdouble  usual_sessions;
  gdouble  share;
  gdouble  usual_share;
  gdouble  share_z;
} Anomaly;

static int
compare_anomalies (gconstpointer a,
                   gconstpointer b)
{
  const Anomaly *x = a;
  const Anomaly *y = b;

  if (fabs (x->z) != fabs (y->z))
    return fabs (x->z) > fabs (y->z) ? -1 : 1;
  return x->day < y->day ? -1 : (x->day > y->day);
}

/* The spread of n values around `centre`, as a standard deviation: the MAD (/0.6745; the mean
 * absolute deviation × 1.2533 when the MAD is 0), or, when larger, the standard deviation of
 * the middle 80% of the values (/0.6616, its share of a normal one). Over a few weeks of days
 * the MAD alone is a noisy estimate, and an estimate that comes out low flags ordinary days;
 * the trimmed one is steadier and as blind to a few outliers. Reorders `values`.
 */
static gdouble
noise_scale (gdouble *values,
             gsize    n,
             gdouble  centre)
{
  g_autofree gdouble *deviations = g_new (gdouble, n);
  gdouble sum = 0.0;
  gdouble scale;

  for (gsize i = 0; i < n; i++)
    {
      deviations[i] = fabs (values[i] - centre);
      sum += deviations[i];
    }
  scale = median_double (deviations, n) / 0.6745;
  if (!(scale > 0.0))
    scale = 1.253314 * sum / (gdouble) n;

  if (n >= 10)
    {
      gsize cut = n / 10;
      gdouble mean = 0.0;
      gdouble squares = 0.0;

      qsort (values, n, sizeof (gdouble), compare_double);
      for (gsize i = cut; i < n - cut; i++)
        mean += values[i];
      mean /= (gdouble) (n - 2 * cut);
      for (gsize i = cut; i < n - cut; i++)
        squares += (values[i] - mean) * (values[i] - mean);
      scale = MAX (scale, sqrt (squares / (gdouble) (n - 2 * cut - 1)) / 0.6616);
    }

  return scale;
}

/* The robust z-score 0.6745·(r − median)/MAD of each of n values; when the MAD is 0, the mean
 * absolute deviation × 1.2533 stands for MAD/0.6745; with `trimmed`, noise_scale() instead.
 * The scale is at least `min_scale`: values already standardised for sampling noise cannot
 * vary less than that noise, however calm the other days look. FALSE when the scale is 0.
 */
static gboolean
robust_z_with_floor (const gdouble *values,
                     gsize          n,
                     gdouble        min_scale,
                     gboolean       trimmed,
                     gdouble       *out_z)
{
  g_autofree gdouble *scratch = NULL;
  gdouble median;
  gdouble mad;
  gdouble scale;

  if (n == 0)
    return FALSE;

  scratch = g_new (gdouble, n);
  memcpy (scratch, values, n * sizeof (gdouble));
  median = median_double (scratch, n);
  if (trimmed)
    {
      memcpy (scratch, values, n * sizeof (gdouble));
      scale = noise_scale (scratch, n, median);
    }
  else
    {
      for (gsize i = 0; i < n; i++)
        scratch[i] = fabs (values[i] - median);
      mad = median_double (scratch, n);
      if (mad > 0.0)
        {
          scale = mad / 0.6745;
        }
      else
        {
          gdouble sum = 0.0;

          for (gsize i = 0; i < n; i++)
            sum += fabs (values[i] - median);
          scale = 1.253314 * sum / (gdouble) n;
        }
    }
  scale = MAX (scale, min_scale);
  if (!(scale > 0.0))
    return FALSE;

  for (gsize i = 0; i < n; i++)
    out_z[i] = (values[i] - median) / scale;

  return TRUE;
}

gboolean
jm_insights_robust_z (const gdouble *values,
                      gsize          n,
                      gdouble       *out_z)
{
  g_return_val_if_fail (n == 0 || (values != NULL && out_z != NULL), FALSE);

  return robust_z_with_floor (values, n, 0.0, FALSE, out_z);
}

/* Robust z-scores of daily counts (see the header); FALSE when the spread is 0. */
static gboolean
robust_z_scores (const guint64 *counts,
                 guint          n_days,
                 gdouble       *out_z,
                 gdouble       *out_usual)
{
  g_autofree gdouble *t = g_new (gdouble, n_days);
  g_autofree gdouble *diffs = g_new (gdouble, n_days);
  guint lag = n_days >= WEEKDAY_MIN_DAYS ? 7 : 1;
  g_autofree gdouble *t_scratch = g_new (gdouble, n_days);
  guint n_diffs = 0;
  gdouble median;
  gdouble sigma;

  for (guint d = 0; d < n_days; d++)
    t[d] = 2.0 * sqrt ((gdouble) counts[d] + 3.0 / 8.0);

  /* The noise: differences between a day and the same weekday a week before (or the day
   * before) hold no weekly pattern and hardly any trend; each is the difference of two days.
   */
  for (guint d = lag; d < n_days; d++)
    diffs[n_diffs++] = t[d] - t[d - lag];
  if (n_diffs == 0)
    return FALSE;
  memcpy (t_scratch, diffs, n_diffs * sizeof (gdouble));
  median = median_double (t_scratch, n_diffs);
  sigma = noise_scale (diffs, n_diffs, median);
  /* Poisson noise is 1 on this scale; nothing is steadier than that. */
  sigma = MAX (sigma / G_SQRT2, 1.0);

  for (guint d = 0; d < n_days; d++)
    {
      gdouble near_t[NEIGHBOURS];
      gdouble near_raw[NEIGHBOURS];
      guint k = 0;

      for (guint j = 1; k < NEIGHBOURS && (j * lag <= d || d + j * lag < n_days); j++)
        {
          if (j * lag <= d)
            {
              near_t[k] = t[d - j * lag];
              near_raw[k++] = (gdouble) counts[d - j * lag];
            }
          if (k < NEIGHBOURS && d + j * lag < n_days)
            {
              near_t[k] = t[d + j * lag];
              near_raw[k++] = (gdouble) counts[d + j * lag];
            }
        }
      g_assert (k > 0);

      out_usual[d] = median_double (near_raw, k);
      /* The usual value is itself a median of k noisy days: var × (1 + π/2k). */
      out_z[d] = (t[d] - median_double (near_t, k)) / (sigma * sqrt (1.0 + G_PI / (2.0 * k)));
    }

  return TRUE;
}

/* Robust z-scores of daily shares x/n: each day's share is put on a common scale with the
 * binomial Anscombe transform, (2·asin √((x + 3/8)/(n + 3/4)) − 2·asin √p₀) · √(n + 1/2) with p₀
 * the share over all days, before the robust z-score (sampling noise is 1 on that scale). Days
 * with n = 0 get NAN. out_usual is the median of the daily shares. FALSE when fewer than
 * MIN_ANOMALY_DAYS days have an n.
 */
static gboolean
share_z_scores (const guint64 *n,
                const guint64 *x,
                guint          n_days,
                gdouble       *out_z,
                gdouble       *out_p0,
                gdouble       *out_usual)
{
  g_autofree gdouble *e = g_new (gdouble, n_days);
  g_autofree gdouble *z = g_new (gdouble, n_days);
  g_autofree gdouble *rates = g_new (gdouble, n_days);
  g_autofree guint *day_of_value = g_new (guint, n_days);
  guint64 total_n = 0;
  guint64 total_x = 0;
  gdouble phi0;
  guint m = 0;

  for (guint d = 0; d < n_days; d++)
    {
      total_n += n[d];
      total_x += x[d];
      out_z[d] = NAN;
    }
  if (total_n == 0)
    return FALSE;
  *out_p0 = (gdouble) total_x / (gdouble) total_n;
  phi0 = 2.0 * asin (sqrt (*out_p0));

  for (guint d = 0; d < n_days; d++)
    {
      gdouble n_d = (gdouble) n[d];

      if (n[d] == 0)
        continue;
      e[m] = (2.0 * asin (sqrt (((gdouble) x[d] + 3.0 / 8.0) / (n_d + 3.0 / 4.0))) - phi0) *
             sqrt (n_d + 0.5);
      rates[m] = (gdouble) x[d] / n_d;
      day_of_value[m] = d;
      m++;
    }
  if (m < MIN_ANOMALY_DAYS || !robust_z_with_floor (e, m, 1.0, TRUE, z))
    return FALSE;

  *out_usual = median_double (rates, m);
  for (guint i = 0; i < m; i++)
    out_z[day_of_value[i]] = z[i];

  return TRUE;
}

/* conversions: `converting` are the sessions of each day that convert. */
static void
report_anomalies (Context       *ctx,
                  gboolean       conversions,
                  const guint64 *counts,
                  const guint64 *sessions,
                  const guint64 *converting,
                  guint          n_days,
                  gint64         first_day)
{
  g_autofree gdouble *share_z = g_new (gdouble, n_days);
  gdouble p0 = 0.0;
  gdouble usual_share = 0.0;
  g_autofree gdouble *z = g_new (gdouble, n_days);
  g_autofree gdouble *usual = g_new (gdouble, n_days);
  g_autofree gdouble *usual_sessions = g_new (gdouble, n_days);
  g_autofree gdouble *session_z = g_new (gdouble, n_days);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Anomaly));
  gdouble threshold = ctx->options->anomaly_z;
  const char *conversion = conversions ? jm_event_log_get_name (ctx->log, ctx->conversion) : NULL;

  if (!robust_z_scores (counts, n_days, z, usual))
    return;

  if (!robust_z_scores (sessions, n_days, session_z, usual_sessions))
    memset (usual_sessions, 0, n_days * sizeof (gdouble));

  if (conversions)
    {
      g_autofree gdouble *scratch = g_new (gdouble, n_days);

      for (guint d = 0; d < n_days; d++)
        scratch[d] = (gdouble) counts[d];
      if (median_double (scratch, n_days) < MIN_DAILY_CONVERSIONS)
        return;
      if (!share_z_scores (sessions, converting, n_days, share_z, &p0, &usual_share))
        return;
    }

  for (guint d = 0; d < n_days; d++)
    {
      Anomaly anomaly = { 0, };

      /* Fewer conversions on a day of fewer visits is no conversion problem (and fewer events
       * are reported as such); a lower share of converting sessions on a day of many extra
       * visitors is no breakage. Both must drop.
       */
      if (conversions ? z[d] > -threshold || !(share_z[d] <= -threshold)
                      : fabs (z[d]) < threshold)
        continue;
      anomaly.day = first_day + d;
      anomaly.value = (gdouble) counts[d];
      anomaly.usual = usual[d];
      anomaly.z = z[d];
      anomaly.weekday = n_days >= WEEKDAY_MIN_DAYS;
      anomaly.sessions = sessions[d];
      anomaly.usual_sessions = usual_sessions[d];
      anomaly.share_z = conversions ? share_z[d] : 0.0;
      anomaly.share = sessions[d] > 0 && conversions ? (gdouble) converting[d] / sessions[d] : 0.0;
      anomaly.usual_share = usual_share;
      g_array_append_val (found, anomaly);
    }
  g_array_sort (found, compare_anomalies);

  for (guint i = 0; i < found->len && i < MAX_PER_METRIC; i++)
    {
      const Anomaly *anomaly = &g_array_index (found, Anomaly, i);
      g_autofree char *date = format_day (anomaly->day);
      g_autofree char *usual_text = NULL;
      gboolean spike = anomaly->z > 0;
      gboolean large = spike ? anomaly->value >= 2.0 * anomaly->usual
                             : anomaly->value <= 0.5 * anomaly->usual;
      JmInsightSeverity severity;
      JsonObject *evidence = json_object_new ();
      char *title;
      char *recommendation;

      if (fabs (anomaly->z) >= 5.0 && large)
        severity = JM_INSIGHT_HIGH;
      else if (fabs (anomaly->z) >= 5.0 || large)
        severity = JM_INSIGHT_MEDIUM;
      else
        severity = JM_INSIGHT_LOW;

      if (anomaly->weekday)
        usual_text = g_strdup_printf ("usually %.0f on a %s", anomaly->usual,
                                      weekday_names[weekday_of (anomaly->day)]);
      else
        usual_text = g_strdup_printf ("usually %.0f", anomaly->usual);

      json_object_set_string_member (evidence, "metric", conversions ? "conversions" : "events");
      if (conversions)
        json_object_set_string_member (evidence, "conversion_event", conversion);
      json_object_set_string_member (evidence, "date", date);
      json_object_set_string_member (evidence, "direction", spike ? "spike" : "drop");
      json_object_set_double_member (evidence, "value", anomaly->value);
      json_object_set_double_member (evidence, "median", anomaly->usual);
      json_object_set_string_member (evidence, "median_of",
                                     anomaly->weekday ? "nearest days of the same weekday"
                                                      : "nearest days");
      json_object_set_double_member (evidence, "z", anomaly->z);
      json_object_set_int_member (evidence, "sessions", anomaly->sessions);
      json_object_set_double_member (evidence, "median_sessions", anomaly->usual_sessions);
      if (conversions)
        {
          json_object_set_double_member (evidence, "converting_share", anomaly->share);
          json_object_set_double_member (evidence, "median_converting_share", anomaly->usual_share);
          json_object_set_double_member (evidence, "converting_share_z", anomaly->share_z);
        }

      if (conversions)
        {
          title = g_strdup_printf ("%s dropped on %s: %.0f, %s", conversion, date,
                                   anomaly->value, usual_text);
          recommendation = g_strdup_printf ("Check the steps before %s on %s: there were %"
                                            G_GUINT64_FORMAT " sessions (usually %.0f) but only "
                                            "%.0f conversions, which points to something broken "
                                            "(checkout, payment, a form or the tracking of %s) "
                                            "rather than fewer visitors. Look at the errors and "
                                            "paths of that day, fix the cause, and watch daily "
                                            "conversions so that it is caught within hours.",
                                            conversion, date, anomaly->sessions,
                                            anomaly->usual_sessions, anomaly->value, conversion);
        }
      else if (spike)
        {
          title = g_strdup_printf ("Event volume spike on %s: %.0f events, %s", date,
                                   anomaly->value, usual_text);
          recommendation = g_strdup_printf ("Find what brought the traffic on %s (a campaign, a "
                                            "post, press, or bots) and whether those visitors "
                                            "converted; repeat what worked, and exclude bots from "
                                            "the analyses if that is what it was.", date);
        }
      else
        {
          title = g_strdup_printf ("Event volume drop on %s: %.0f events, %s", date,
                                   anomaly->value, usual_text);
          recommendation = g_strdup_printf ("Check site availability and tracking on %s: a "
                                            "sudden drop in events usually means an outage or a "
                                            "broken tracker rather than fewer customers.", date);
        }

      add_insight (ctx, JM_INSIGHT_VOLUME_ANOMALY, severity, fabs (anomaly->z), evidence,
                   title, recommendation);
    }
}

typedef struct
{
  guint    step;
  gint64   day;
  guint64  reached;
  guint64  continued;
  gdouble  rate;
  gdouble  usual;
  gdouble  z;
} StepDrop;

static int
compare_step_drops (gconstpointer a,
                    gconstpointer b)
{
  const StepDrop *x = a;
  const StepDrop *y = b;

  if (x->z != y->z)
    return x->z < y->z ? -1 : 1;
  if (x->day != y->day)
    return x->day < y->day ? -1 : 1;
  return x->step < y->step ? -1 : (x->step > y->step);
}

/* Days on which a funnel step stopped working: per step k → k+1 and per day (of the session's
 * start), the sessions that reached step k and those of them that went on to step k+1 later in
 * the same session. A conversion count is too small a number to show a broken step quickly;
 * the share of sessions getting past the step is not (see share_z_scores()). Days where fewer
 * than 5 sessions would usually go on are left out.
 */
static void
find_step_drops (Context *ctx,
                 gint64   first_day,
                 guint    n_days)
{
  const JmUnits *units = ctx->units;
  guint n_pairs;
  g_autofree guint64 *reached = NULL;
  g_autofree guint64 *continued = NULL;
  g_autofree guint32 *first = NULL;
  g_autofree guint32 *last = NULL;
  g_autofree gdouble *z = NULL;
  g_autoptr(GArray) found = NULL;

  if (ctx->n_steps < 2)
    return;

  n_pairs = ctx->n_steps - 1;
  reached = g_new0 (guint64, (gsize) n_pairs * n_days);
  continued = g_new0 (guint64, (gsize) n_pairs * n_days);
  first = g_new (guint32, ctx->n_steps);
  last = g_new (guint32, ctx->n_steps);

  for (guint32 s = 0; s < ctx->n_sessions; s++)
    {
      gint64 day = day_of (ctx->cols->ts[units->events[ctx->session_start[s]]]) - first_day;

      if (day < 0 || day >= n_days)
        continue;

      memset (first, 0, ctx->n_steps * sizeof (guint32));
      memset (last, 0, ctx->n_steps * sizeof (guint32));
      for (guint32 p = ctx->session_start[s]; p < ctx->session_start[s + 1]; p++)
        {
          guint32 k = ctx->name_step[ctx->cols->name[units->events[p]]];

          if (k == NO_NAME)
            continue;
          if (first[k] == 0)
            first[k] = p + 1;
          last[k] = p + 1;
        }
      for (guint k = 0; k < n_pairs; k++)
        if (first[k] != 0)
          {
            reached[(gsize) k * n_days + day]++;
            if (last[k + 1] > first[k])
              continued[(gsize) k * n_days + day]++;
          }
    }

  z = g_new (gdouble, n_days);
  found = g_array_new (FALSE, FALSE, sizeof (StepDrop));
  for (guint k = 0; k < n_pairs; k++)
    {
      const guint64 *n = &reached[(gsize) k * n_days];
      const guint64 *x = &continued[(gsize) k * n_days];
      gdouble p0;
      gdouble usual;

      if (!share_z_scores (n, x, n_days, z, &p0, &usual))
        continue;

      for (guint d = 0; d < n_days; d++)
        {
          StepDrop drop = { 0, };

          if (isnan (z[d]) || z[d] > -ctx->options->anomaly_z || (gdouble) n[d] * p0 < 5.0)
            continue;
          drop.step = k;
          drop.day = first_day + d;
          drop.reached = n[d];
          drop.continued = x[d];
          drop.rate = (gdouble) x[d] / (gdouble) n[d];
          drop.usual = usual;
          drop.z = z[d];
          g_array_append_val (found, drop);
        }
    }
  g_array_sort (found, compare_step_drops);

  for (guint i = 0; i < found->len && i < MAX_PER_METRIC; i++)
    {
      const StepDrop *drop = &g_array_index (found, StepDrop, i);
      const char *from = ctx->funnel_steps[drop->step];
      const char *to = ctx->funnel_steps[drop->step + 1];
      g_autofree char *date = format_day (drop->day);
      g_autofree char *rate_text = format_percent (drop->rate);
      g_autofree char *usual_text = format_percent (drop->usual);
      JsonObject *evidence = json_object_new ();
      gboolean large = drop->rate <= 0.5 * drop->usual;
      JmInsightSeverity severity;

      if (fabs (drop->z) >= 5.0 && large)
        severity = JM_INSIGHT_HIGH;
      else if (fabs (drop->z) >= 5.0 || large)
        severity = JM_INSIGHT_MEDIUM;
      else
        severity = JM_INSIGHT_LOW;

      json_object_set_string_member (evidence, "metric", "step_conversion");
      json_object_set_string_member (evidence, "date", date);
      json_object_set_string_member (evidence, "direction", "drop");
      json_object_set_string_member (evidence, "from", from);
      json_object_set_string_member (evidence, "to", to);
      json_object_set_int_member (evidence, "sessions", drop->reached);
      json_object_set_int_member (evidence, "continued", drop->continued);
      json_object_set_double_member (evidence, "value", drop->rate);
      json_object_set_double_member (evidence, "median", drop->usual);
      json_object_set_string_member (evidence, "median_of", "all days");
      json_object_set_double_member (evidence, "z", drop->z);

      add_insight (ctx, JM_INSIGHT_VOLUME_ANOMALY, severity, fabs (drop->z), evidence,
                   g_strdup_printf ("On %s only %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                    " sessions that reached %s went on to %s (%s, usually %s)",
                                    date, drop->continued, drop->reached, from, to, rate_text,
                                    usual_text),
                   g_strdup_printf ("Something between %s and %s failed on %s. Check the errors, "
                                    "releases and outside services (payment, forms, shipping) "
                                    "of that day, fix the cause, and watch this step daily so "
                                    "that a break is caught within hours.", from, to, date));
    }
}

static void
find_volume_anomalies (Context *ctx)
{
  const JmUnits *units = ctx->units;
  g_autofree guint64 *events = NULL;
  g_autofree guint64 *conversions = NULL;
  g_autofree guint64 *sessions = NULL;
  g_autofree guint64 *converting = NULL;
  gint64 first_day;
  gint64 last_day;
  guint n_days;

  if (units->n_events == 0)
    return;

  first_day = day_of (ctx->min_ts);
  last_day = day_of (ctx->max_ts);
  /* A day that the data cover only in part would look like a drop. */
  if (ctx->min_ts >= first_day * DAY_MS + HOUR_MS)
    first_day++;
  if (ctx->max_ts < (last_day + 1) * DAY_MS - HOUR_MS)
    last_day--;
  if (last_day - first_day + 1 > MAX_DAYS)
    first_day = last_day - MAX_DAYS + 1;
  if (last_day < first_day || last_day - first_day + 1 < MIN_ANOMALY_DAYS)
    return;
  n_days = (guint) (last_day - first_day + 1);

  events = g_new0 (guint64, n_days);
  conversions = g_new0 (guint64, n_days);
  sessions = g_new0 (guint64, n_days);
  converting = g_new0 (guint64, n_days);
  for (guint32 s = 0; s < ctx->n_sessions; s++)
    for (guint32 p = ctx->session_start[s]; p < ctx->session_start[s + 1]; p++)
      {
        guint32 e = units->events[p];
        gint64 day = day_of (ctx->cols->ts[e]) - first_day;

        if (day < 0 || day >= n_days)
          continue;
        events[day]++;
        if (ctx->cols->name[e] == ctx->conversion)
          conversions[day]++;
        if (p == ctx->session_start[s])
          {
            sessions[day]++;
            converting[day] += ctx->session_converted[s];
          }
      }

  report_anomalies (ctx, FALSE, events, sessions, NULL, n_days, first_day);
  if (ctx->conversion != NO_NAME)
    report_anomalies (ctx, TRUE, conversions, sessions, converting, n_days, first_day);
  find_step_drops (ctx, first_day, n_days);
}

/* Public API */

void
jm_insights_options_init (JmInsightsOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->min_units = JM_INSIGHTS_DEFAULT_MIN_UNITS;
  options->max_q = JM_INSIGHTS_DEFAULT_MAX_Q;
  options->anomaly_z = JM_INSIGHTS_DEFAULT_ANOMALY_Z;
  options->max_converter_events = JM_INSIGHTS_DEFAULT_CONVERTER_EVENTS;
}

static int
compare_insights (gconstpointer a,
                  gconstpointer b)
{
  const JmInsight *x = *(JmInsight * const *) a;
  const JmInsight *y = *(JmInsight * const *) b;

  if (x->severity != y->severity)
    return x->severity < y->severity ? -1 : 1;
  if (x->strength != y->strength)
    return x->strength > y->strength ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return strcmp (x->title, y->title);
}

JmInsights *
jm_insights_compute (const JmUnits            *units,
                     const JmInsightsOptions  *options,
                     GError                  **error)
{
  g_autoptr(JmInsights) self = NULL;
  g_auto(GStrv) auto_steps = NULL;
  const char * const *steps;
  Context ctx = { 0, };
  gboolean ok = TRUE;

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->min_units == 0 || !(options->max_q > 0.0 && options->max_q <= 1.0) ||
      !(options->anomaly_z > 0.0))
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Insights need at least 1 unit per segment, a q-value level in (0, 1] and a "
                   "positive anomaly threshold");
      return NULL;
    }

  self = g_new0 (JmInsights, 1);
  self->unit = units->unit;
  self->n_units = units->n_units;
  self->insights = g_ptr_array_new_with_free_func (insight_free);

  ctx.units = units;
  ctx.log = units->log;
  ctx.cols = jm_event_log_get_columns (units->log);
  ctx.options = options;
  ctx.n_names = jm_event_log_get_n_names (units->log);
  ctx.insights = self->insights;
  ctx.conversion = NO_NAME;

  count_names (&ctx);
  if (options->conversion_event != NULL)
    {
      if (!jm_event_log_lookup_name (units->log, options->conversion_event, &ctx.conversion) ||
          ctx.name_events[ctx.conversion] == 0)
        ctx.conversion = NO_NAME;
    }
  else
    {
      ctx.conversion = choose_conversion (&ctx);
    }
  if (ctx.conversion != NO_NAME)
    self->conversion_event = g_strdup (jm_event_log_get_name (units->log, ctx.conversion));
  g_debug ("conversion event: %s", self->conversion_event ? self->conversion_event : "(none)");

  split_sessions (&ctx);

  if (options->funnel_steps != NULL)
    {
      steps = options->funnel_steps;
    }
  else
    {
      auto_steps = default_funnel (&ctx);
      steps = (const char * const *) auto_steps;
    }
  self->funnel_steps = steps != NULL ? g_strdupv ((char **) steps) : g_new0 (char *, 1);

  ctx.name_step = g_new (guint32, MAX (ctx.n_names, 1));
  for (guint32 n = 0; n < ctx.n_names; n++)
    ctx.name_step[n] = NO_NAME;
  ctx.funnel_steps = self->funnel_steps;
  ctx.n_steps = g_strv_length (self->funnel_steps);
  for (guint i = ctx.n_steps; i > 0; i--)
    {
      guint32 name;

      if (jm_event_log_lookup_name (units->log, self->funnel_steps[i - 1], &name))
        ctx.name_step[name] = i - 1;
    }

  if (ctx.n_steps >= 2)
    ok = find_funnel_dropoff (&ctx, (const char * const *) self->funnel_steps, error);

  if (ok && ctx.conversion != NO_NAME)
    {
      ok = find_segment_differences (&ctx, error);
      if (ok)
        {
          find_converter_events (&ctx);
          find_friction_loops (&ctx);
        }
    }
  if (ok)
    find_volume_anomalies (&ctx);

  context_clear (&ctx);
  if (!ok)
    return NULL;

  g_ptr_array_sort (self->insights, compare_insights);

  return g_steal_pointer (&self);
}

void
jm_insights_free (JmInsights *self)
{
  if (self == NULL)
    return;

  g_free (self->conversion_event);
  g_strfreev (self->funnel_steps);
  g_clear_pointer (&self->insights, g_ptr_array_unref);
  g_free (self);
}

JmUnitKind
jm_insights_get_unit (const JmInsights *self)
{
  g_return_val_if_fail (self != NULL, JM_UNIT_CUSTOMER);

  return self->unit;
}

guint64
jm_insights_get_n_units (const JmInsights *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_units;
}

const char *
jm_insights_get_conversion_event (const JmInsights *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->conversion_event;
}

const char * const *
jm_insights_get_funnel_steps (const JmInsights *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->funnel_steps;
}

guint
jm_insights_get_n_insights (const JmInsights *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->insights->len;
}

const JmInsight *
jm_insights_get_insight (const JmInsights *self,
                         guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->insights->len, NULL);

  return g_ptr_array_index (self->insights, index);
}

const char *
jm_insight_kind_to_string (JmInsightKind kind)
{
  switch (kind)
    {
    case JM_INSIGHT_FUNNEL_DROPOFF:
      return "funnel_dropoff";
    case JM_INSIGHT_SEGMENT_DIFFERENCE:
      return "segment_difference";
    case JM_INSIGHT_CONVERTER_EVENT:
      return "converter_event";
    case JM_INSIGHT_FRICTION_LOOP:
      return "friction_loop";
    case JM_INSIGHT_VOLUME_ANOMALY:
      return "volume_anomaly";
    case JM_INSIGHT_CHANNEL_PERFORMANCE:
      return "channel_performance";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
jm_insight_severity_to_string (JmInsightSeverity severity)
{
  switch (severity)
    {
    case JM_INSIGHT_HIGH:
      return "high";
    case JM_INSIGHT_MEDIUM:
      return "medium";
    case JM_INSIGHT_LOW:
      return "low";
    default:
      g_return_val_if_reached (NULL);
    }
}

JsonNode *
jm_insights_to_json (const JmInsights *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, jm_unit_kind_to_string (self->unit));
  json_builder_set_member_name (builder, "units");
  json_builder_add_int_value (builder, self->n_units);
  json_builder_set_member_name (builder, "conversion_event");
  if (self->conversion_event != NULL)
    json_builder_add_string_value (builder, self->conversion_event);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "funnel");
  json_builder_begin_array (builder);
  for (guint i = 0; self->funnel_steps[i] != NULL; i++)
    json_builder_add_string_value (builder, self->funnel_steps[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "insights");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->insights->len; i++)
    {
      const JmInsight *insight = g_ptr_array_index (self->insights, i);
      JsonNode *evidence = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (evidence, insight->evidence);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, jm_insight_kind_to_string (insight->kind));
      json_builder_set_member_name (builder, "severity");
      json_builder_add_string_value (builder, jm_insight_severity_to_string (insight->severity));
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, insight->title);
      json_builder_set_member_name (builder, "evidence");
      json_builder_add_value (builder, evidence);
      json_builder_set_member_name (builder, "recommendation");
      json_builder_add_string_value (builder, insight->recommendation);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JmTable *
jm_insights_to_table (const JmInsights *self)
{
  static const char * const columns[] = { "kind", "severity", "title", "recommendation", NULL };
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  table = jm_table_new (columns);
  for (guint i = 0; i < self->insights->len; i++)
    {
      const JmInsight *insight = g_ptr_array_index (self->insights, i);

      jm_table_add_rowv (table,
                         jm_insight_kind_to_string (insight->kind),
                         jm_insight_severity_to_string (insight->severity),
                         insight->title,
                         insight->recommendation,
                         NULL);
    }

  return table;
}
