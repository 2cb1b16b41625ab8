/* test-insights.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-analysis-error.h"
#include "jm-demo.h"
#include "jm-insights.h"

#define MINUTE_MS (G_GINT64_CONSTANT (60) * 1000)
#define DAY_MS    (G_GINT64_CONSTANT (24) * 3600 * 1000)
/* 2026-03-02T00:00:00Z, a Monday */
#define MONDAY_MS (G_GINT64_CONSTANT (1772409600) * 1000)

static JmInsights *
compute (JmEventLog              *log,
         const JmInsightsOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmUnits) units = NULL;
  JmInsightsOptions defaults;
  JmInsights *insights;

  units = jm_units_new (log, NULL, &error);
  g_assert_no_error (error);
  if (options == NULL)
    {
      jm_insights_options_init (&defaults);
      options = &defaults;
    }
  insights = jm_insights_compute (units, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (insights);

  return insights;
}

static guint
count_kind (JmInsights    *insights,
            JmInsightKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < jm_insights_get_n_insights (insights); i++)
    if (jm_insights_get_insight (insights, i)->kind == kind)
      n++;

  return n;
}

/* The first insight of `kind` whose evidence has the string `value` at `member`. */
static const JmInsight *
find_insight (JmInsights    *insights,
              JmInsightKind  kind,
              const char    *member,
              const char    *value)
{
  for (guint i = 0; i < jm_insights_get_n_insights (insights); i++)
    {
      const JmInsight *insight = jm_insights_get_insight (insights, i);

      if (insight->kind != kind)
        continue;
      if (member == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (insight->evidence, member, NULL),
                     value) == 0)
        return insight;
    }

  return NULL;
}

static gdouble
evidence_double (const JmInsight *insight,
                 const char      *member)
{
  g_assert_true (json_object_has_member (insight->evidence, member));
  return json_object_get_double_member (insight->evidence, member);
}

static gint64
evidence_int (const JmInsight *insight,
              const char      *member)
{
  g_assert_true (json_object_has_member (insight->evidence, member));
  return json_object_get_int_member (insight->evidence, member);
}

/* One single-session customer: its events a minute apart from `ts`, touch on the first. */
static void
add_session (JmEventLogBuilder  *builder,
             const char         *customer,
             gint64              ts,
             const char         *touch,
             const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    jm_event_log_builder_add (builder, customer, ts + i * MINUTE_MS, names[i],
                              i == 0 ? touch : NULL);
}

static void
test_insights_statistics (void)
{
  gdouble p[] = { 0.01, 0.04, 0.03, 0.20 };
  gdouble q[G_N_ELEMENTS (p)];
  gdouble values[] = { 1, 2, 3, 4, 100 };
  gdouble robust[G_N_ELEMENTS (values)];
  gdouble flat[] = { 5, 5, 5 };
  gdouble z, pv, or, low, high, se;

  g_assert_cmpfloat_with_epsilon (jm_insights_normal_sf (0), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (jm_insights_normal_sf (1.959963984540054), 0.025, 1e-9);
  g_assert_cmpfloat_with_epsilon (jm_insights_normal_sf (-1.959963984540054), 0.975, 1e-9);

  /* 30/100 vs 20/100: pooled 0.25, se = √(0.25 · 0.75 · 0.02) = 0.0612372, z = 0.1/se. */
  jm_insights_two_proportion_test (30, 100, 20, 100, &z, &pv);
  g_assert_cmpfloat_with_epsilon (z, 1.6329932, 1e-6);
  g_assert_cmpfloat_with_epsilon (pv, 0.1024704, 1e-6);
  jm_insights_two_proportion_test (20, 100, 30, 100, &z, &pv);
  g_assert_cmpfloat_with_epsilon (z, -1.6329932, 1e-6);
  jm_insights_two_proportion_test (0, 100, 0, 50, &z, &pv);
  g_assert_cmpfloat (z, ==, 0);
  g_assert_cmpfloat (pv, ==, 1);
  jm_insights_two_proportion_test (3, 10, 0, 0, &z, &pv);
  g_assert_cmpfloat (pv, ==, 1);

  /* Sorted: 0.01·4/1 = 0.04, 0.03·4/2 = 0.06, 0.04·4/3 = 0.0533, 0.20·4/4 = 0.20; then each
   * takes the minimum of itself and those above it.
   */
  jm_insights_benjamini_hochberg (p, q, G_N_ELEMENTS (p));
  g_assert_cmpfloat_with_epsilon (q[0], 0.04, 1e-12);
  g_assert_cmpfloat_with_epsilon (q[1], 0.16 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (q[2], 0.16 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (q[3], 0.20, 1e-12);

  /* 20·90 / (80·10) = 2.25, se = √(1/20 + 1/80 + 1/10 + 1/90) = 0.416667. */
  jm_insights_odds_ratio (20, 80, 10, 90, &or, &low, &high, &se);
  g_assert_cmpfloat_with_epsilon (or, 2.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (se, 0.4166667, 1e-6);
  g_assert_cmpfloat_with_epsilon (low, 0.9942949, 1e-6);
  g_assert_cmpfloat_with_epsilon (high, 5.0915478, 1e-6);
  /* Haldane: a zero cell adds 0.5 everywhere: 0.5·5.5 / (10.5·5.5). */
  jm_insights_odds_ratio (0, 10, 5, 5, &or, &low, &high, &se);
  g_assert_cmpfloat_with_epsilon (or, 0.5 / 10.5, 1e-12);
  g_assert_true (isfinite (low) && isfinite (high));

  /* median 3, MAD 1: 100 is 0.6745 · 97 away. */
  g_assert_true (jm_insights_robust_z (values, G_N_ELEMENTS (values), robust));
  g_assert_cmpfloat_with_epsilon (robust[4], 0.6745 * 97, 1e-9);
  g_assert_cmpfloat_with_epsilon (robust[2], 0, 1e-12);
  g_assert_false (jm_insights_robust_z (flat, G_N_ELEMENTS (flat), robust));
}

/* 100 sessions with campaign "good" (40 convert), 300 with "base" (30 convert). */
static JmEventLog *
build_segment_log (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  static const char * const converting[] = { "/", "/product", "Order Completed", NULL };
  static const char * const leaving[] = { "/", "/product", NULL };

  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *customer = g_strdup_printf ("c%04u", i);
      gboolean good = i < 100;
      gboolean converts = good ? i < 40 : i < 130;
      gint64 ts = MONDAY_MS + i * MINUTE_MS;
      guint32 first = jm_event_log_builder_add (builder, customer, ts, "/", NULL);

      jm_event_log_builder_set_field_json (builder, first, "context.campaign.name",
                                           good ? "\"good\"" : "\"base\"");
      add_session (builder, customer, ts + MINUTE_MS, NULL, (converts ? converting : leaving) + 1);
    }

  return jm_event_log_builder_finish (builder);
}

static void
test_insights_segment_difference (void)
{
  g_autoptr(JmEventLog) log = build_segment_log ();
  g_autoptr(JmInsights) insights = compute (log, NULL);
  const char * const *funnel = jm_insights_get_funnel_steps (insights);
  const JmInsight *good;
  const JmInsight *base;
  const JmInsight *drop;

  g_assert_cmpstr (jm_insights_get_conversion_event (insights), ==, "Order Completed");
  g_assert_cmpuint (g_strv_length ((char **) funnel), ==, 3);
  g_assert_cmpstr (funnel[0], ==, "/");
  g_assert_cmpstr (funnel[1], ==, "/product");
  g_assert_cmpstr (funnel[2], ==, "Order Completed");

  /* 40/100 vs 30/300: pooled 70/400 = 0.175, se = √(0.175 · 0.825 · (1/100 + 1/300)) =
   * 0.043875, z = 0.3/se = 6.837635, p = 8.0511e-12; two tests with the same p, so BH keeps q = p.
   */
  good = find_insight (insights, JM_INSIGHT_SEGMENT_DIFFERENCE, "segment", "good");
  g_assert_nonnull (good);
  g_assert_cmpstr (json_object_get_string_member (good->evidence, "field"), ==,
                   "context.campaign.name");
  g_assert_cmpint (evidence_int (good, "units"), ==, 100);
  g_assert_cmpint (evidence_int (good, "conversions"), ==, 40);
  g_assert_cmpfloat_with_epsilon (evidence_double (good, "rate"), 0.4, 1e-12);
  g_assert_cmpint (evidence_int (good, "rest_units"), ==, 300);
  g_assert_cmpfloat_with_epsilon (evidence_double (good, "rest_rate"), 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (evidence_double (good, "z"), 6.837635, 1e-5);
  g_assert_cmpfloat_with_epsilon (evidence_double (good, "p") / 8.05114e-12, 1, 1e-4);
  g_assert_cmpfloat_with_epsilon (evidence_double (good, "q"), evidence_double (good, "p"), 1e-20);
  g_assert_cmpint (good->severity, ==, JM_INSIGHT_HIGH);
  g_assert_nonnull (strstr (good->title, "good"));
  g_assert_nonnull (strstr (good->title, "4.0 times"));

  base = find_insight (insights, JM_INSIGHT_SEGMENT_DIFFERENCE, "segment", "base");
  g_assert_nonnull (base);
  g_assert_cmpfloat_with_epsilon (evidence_double (base, "z"), -6.837635, 1e-5);

  /* 400 reach /, 400 /product, 70 convert: the drop is /product → Order Completed. */
  drop = find_insight (insights, JM_INSIGHT_FUNNEL_DROPOFF, NULL, NULL);
  g_assert_nonnull (drop);
  g_assert_cmpstr (json_object_get_string_member (drop->evidence, "from"), ==, "/product");
  g_assert_cmpstr (json_object_get_string_member (drop->evidence, "to"), ==, "Order Completed");
  g_assert_cmpint (evidence_int (drop, "step"), ==, 2);
  g_assert_cmpint (evidence_int (drop, "reached"), ==, 400);
  g_assert_cmpint (evidence_int (drop, "lost"), ==, 330);
  g_assert_cmpfloat_with_epsilon (evidence_double (drop, "rate_lost"), 0.825, 1e-12);
  g_assert_cmpfloat_with_epsilon (evidence_double (drop, "median_seconds_to_next"), 60, 1e-9);
  g_assert_cmpint (drop->severity, ==, JM_INSIGHT_HIGH);

  /* Every event is a funnel step, no loops, all on one day. */
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_CONVERTER_EVENT), ==, 0);
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_FRICTION_LOOP), ==, 0);
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_VOLUME_ANOMALY), ==, 0);
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_CHANNEL_PERFORMANCE), ==, 0);
  g_assert_cmpuint (jm_insights_get_n_insights (insights), ==, 3);
}

static void
test_insights_channel_performance (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmInsights) insights = NULL;
  static const char * const converting[] = { "/", "Order Completed", NULL };
  static const char * const leaving[] = { "/", "/help", NULL };
  /* 200 sessions each: Email 40 conversions, Social 10, Direct 20. */
  static const struct { const char *touch; guint conversions; } channels[] = {
    { "Email", 40 }, { "Social", 10 }, { NULL, 20 },
  };
  const JmInsight *email;
  const JmInsight *social;

  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    for (guint i = 0; i < 200; i++)
      {
        g_autofree char *customer = g_strdup_printf ("c%u-%03u", c, i);

        add_session (builder, customer, MONDAY_MS + (c * 200 + i) * MINUTE_MS, channels[c].touch,
                     i < channels[c].conversions ? converting : leaving);
      }
  log = jm_event_log_builder_finish (builder);
  insights = compute (log, NULL);

  /* Email 40/200 vs 30/400: z = 4.496180, p = 6.91852e-06; Social 10/200 vs 60/400:
   * z = -3.596944, p = 3.21978e-04; Direct 20/200 vs 50/400: z = -0.899236, p = 0.368527.
   * BH over the three: 6.91852e-06 · 3 = 2.07556e-05, 3.21978e-04 · 3/2 = 4.82967e-04,
   * 0.368527: Direct is not reported.
   */
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_CHANNEL_PERFORMANCE), ==, 2);
  email = find_insight (insights, JM_INSIGHT_CHANNEL_PERFORMANCE, "channel", "Email");
  g_assert_nonnull (email);
  g_assert_cmpint (evidence_int (email, "units"), ==, 200);
  g_assert_cmpint (evidence_int (email, "conversions"), ==, 40);
  g_assert_cmpint (evidence_int (email, "rest_units"), ==, 400);
  g_assert_cmpint (evidence_int (email, "rest_conversions"), ==, 30);
  g_assert_cmpfloat_with_epsilon (evidence_double (email, "z"), 4.496180, 1e-5);
  g_assert_cmpfloat_with_epsilon (evidence_double (email, "q") / 2.07556e-05, 1, 1e-4);
  g_assert_cmpint (email->severity, ==, JM_INSIGHT_HIGH);

  social = find_insight (insights, JM_INSIGHT_CHANNEL_PERFORMANCE, "channel", "Social");
  g_assert_nonnull (social);
  g_assert_cmpfloat_with_epsilon (evidence_double (social, "z"), -3.596944, 1e-5);
  g_assert_cmpfloat_with_epsilon (evidence_double (social, "q") / 4.82967e-04, 1, 1e-4);
  /* q < 0.001 and 15% against 5%, but a medium one would need q < 0.01 only: large wins. */
  g_assert_cmpint (social->severity, ==, JM_INSIGHT_HIGH);
  g_assert_nonnull (strstr (social->title, "Social"));

  g_assert_null (find_insight (insights, JM_INSIGHT_CHANNEL_PERFORMANCE, "channel", "Direct"));
  /* The channel is tested once, as channel performance. */
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_SEGMENT_DIFFERENCE), ==, 0);
}

static void
test_insights_converter_event (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmInsights) insights = NULL;
  static const char * const steps[] = { "/", "Order Completed", NULL };
  JmInsightsOptions options;
  const JmInsight *reviews;

  /* 200 converters, 150 of whom read reviews first; 400 others, 60 of whom read reviews.
   * Everybody has a 1-in-3 chance of the help page: no difference there.
   */
  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *customer = g_strdup_printf ("c%04u", i);
      gboolean converter = i < 200;
      gboolean reads = converter ? i < 150 : i < 260;
      gint64 ts = MONDAY_MS + i * MINUTE_MS;

      jm_event_log_builder_add (builder, customer, ts, "/", NULL);
      if (i % 3 == 0)
        jm_event_log_builder_add (builder, customer, ts + 1000, "/help", NULL);
      if (reads)
        jm_event_log_builder_add (builder, customer, ts + 2000, "Reviews Read", NULL);
      if (converter)
        jm_event_log_builder_add (builder, customer, ts + 3000, "Order Completed", NULL);
    }
  log = jm_event_log_builder_finish (builder);

  jm_insights_options_init (&options);
  options.funnel_steps = steps;
  insights = compute (log, &options);

  /* OR = 150 · 340 / (50 · 60) = 17, se = √(1/150 + 1/50 + 1/60 + 1/340) = 0.215115. */
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_CONVERTER_EVENT), ==, 1);
  reviews = find_insight (insights, JM_INSIGHT_CONVERTER_EVENT, "event", "Reviews Read");
  g_assert_nonnull (reviews);
  g_assert_cmpint (evidence_int (reviews, "converters"), ==, 200);
  g_assert_cmpint (evidence_int (reviews, "converters_with"), ==, 150);
  g_assert_cmpint (evidence_int (reviews, "non_converters"), ==, 400);
  g_assert_cmpint (evidence_int (reviews, "non_converters_with"), ==, 60);
  g_assert_cmpfloat_with_epsilon (evidence_double (reviews, "odds_ratio"), 17, 1e-9);
  g_assert_cmpfloat_with_epsilon (evidence_double (reviews, "ci_low"),
                                  17 * exp (-1.959963984540054 * 0.2151151), 1e-4);
  g_assert_cmpfloat_with_epsilon (evidence_double (reviews, "ci_high"),
                                  17 * exp (1.959963984540054 * 0.2151151), 1e-3);
  g_assert_cmpint (reviews->severity, ==, JM_INSIGHT_HIGH);

  /* The funnel's own steps are never converter events, even when asked as the funnel. */
  options.funnel_steps = (const char * const []) { "/", "Reviews Read", "Order Completed", NULL };
  jm_insights_free (g_steal_pointer (&insights));
  insights = compute (log, &options);
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_CONVERTER_EVENT), ==, 0);
}

static void
test_insights_friction_loop (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmInsights) insights = NULL;
  static const char * const plain[] = { "/", "/cart", "/checkout", NULL };
  static const char * const plain_buy[] = { "/", "/cart", "/checkout", "Order Completed", NULL };
  static const char * const loop[] = { "/", "/cart", "/checkout", "/cart", NULL };
  static const char * const loop_buy[] = {
    "/", "/cart", "/checkout", "/cart", "Order Completed", NULL
  };
  const JmInsight *insight;
  JsonArray *pattern;

  /* 100 sessions go /cart → /checkout → /cart and 10 of them buy; of the 200 without the loop
   * 100 buy. Two sessions per customer, a day apart.
   */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *customer = g_strdup_printf ("c%04u", i / 2);
      gint64 ts = MONDAY_MS + (i % 2) * DAY_MS + (i / 2) * MINUTE_MS * 10;
      const char * const *names;

      if (i < 100)
        names = i < 10 ? loop_buy : loop;
      else
        names = i < 200 ? plain_buy : plain;
      add_session (builder, customer, ts, NULL, names);
    }
  log = jm_event_log_builder_finish (builder);
  insights = compute (log, NULL);

  /* 10/100 vs 100/200: z = -6.777390, p = 1.22366e-11; the only loop held by 30 sessions. */
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_FRICTION_LOOP), ==, 1);
  insight = find_insight (insights, JM_INSIGHT_FRICTION_LOOP, "loop", "back_and_forth");
  g_assert_nonnull (insight);
  pattern = json_object_get_array_member (insight->evidence, "pattern");
  g_assert_cmpuint (json_array_get_length (pattern), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (pattern, 0), ==, "/cart");
  g_assert_cmpstr (json_array_get_string_element (pattern, 1), ==, "/checkout");
  g_assert_cmpstr (json_array_get_string_element (pattern, 2), ==, "/cart");
  g_assert_cmpint (evidence_int (insight, "units"), ==, 100);
  g_assert_cmpint (evidence_int (insight, "conversions"), ==, 10);
  g_assert_cmpint (evidence_int (insight, "rest_units"), ==, 200);
  g_assert_cmpint (evidence_int (insight, "rest_conversions"), ==, 100);
  g_assert_cmpfloat_with_epsilon (evidence_double (insight, "share"), 1.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (evidence_double (insight, "z"), -6.777390, 1e-5);
  g_assert_cmpfloat_with_epsilon (evidence_double (insight, "q") / 1.22366e-11, 1, 1e-4);
  g_assert_cmpint (insight->severity, ==, JM_INSIGHT_HIGH);
}

/* 28 days from a Monday, 40–50 sessions a day, each "/" then maybe /checkout and an order;
 * on day 10 checkout breaks (an error instead of the order) and day 20 has 150 extra visitors.
 */
typedef struct
{
  guint64 spike_events;
  guint64 broken_checkouts;
  guint64 broken_orders;
} VolumeLog;

static JmEventLog *
build_volume_log (VolumeLog *out)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint customer = 0;

  memset (out, 0, sizeof *out);
  for (guint day = 0; day < 28; day++)
    {
      guint n_sessions = g_rand_int_range (rand, 40, 51) + (day == 20 ? 150 : 0);

      for (guint s = 0; s < n_sessions; s++)
        {
          g_autofree char *id = g_strdup_printf ("c%05u", customer++);
          /* The first and last sessions mark the day as complete. */
          gint64 offset = s == 0 ? 5 * MINUTE_MS
                        : s == 1 ? 23 * 60 * MINUTE_MS + 40 * MINUTE_MS
                        : g_rand_int_range (rand, 0, 23 * 60) * MINUTE_MS;
          gint64 ts = MONDAY_MS + day * DAY_MS + offset;
          gboolean visitor = day == 20 && s >= n_sessions - 150;
          guint64 events = 1;

          jm_event_log_builder_add (builder, id, ts, "/", visitor ? "Social" : NULL);
          if (!visitor && g_rand_double (rand) < 0.8)
            {
              jm_event_log_builder_add (builder, id, ts + MINUTE_MS, "/checkout", NULL);
              events++;
              if (day == 10)
                out->broken_checkouts++;
              if (g_rand_double (rand) < (day == 10 ? 0.02 : 0.7))
                {
                  jm_event_log_builder_add (builder, id, ts + 2 * MINUTE_MS, "Order Completed",
                                            NULL);
                  if (day == 10)
                    out->broken_orders++;
                }
              else
                {
                  jm_event_log_builder_add (builder, id, ts + 2 * MINUTE_MS, "Checkout Error",
                                            NULL);
                }
              events++;
            }
          if (day == 20)
            out->spike_events += events;
        }
    }

  return jm_event_log_builder_finish (builder);
}

static void
test_insights_volume_anomaly (void)
{
  VolumeLog planted;
  g_autoptr(JmEventLog) log = build_volume_log (&planted);
  g_autoptr(JmInsights) insights = compute (log, NULL);
  const JmInsight *spike = NULL;
  const JmInsight *step = NULL;
  const JmInsight *orders = NULL;

  for (guint i = 0; i < jm_insights_get_n_insights (insights); i++)
    {
      const JmInsight *insight = jm_insights_get_insight (insights, i);
      const char *metric;
      const char *date;

      if (insight->kind != JM_INSIGHT_VOLUME_ANOMALY)
        continue;
      metric = json_object_get_string_member (insight->evidence, "metric");
      date = json_object_get_string_member (insight->evidence, "date");
      if (g_str_equal (metric, "events"))
        {
          g_assert_cmpstr (date, ==, "2026-03-22");
          spike = insight;
        }
      else if (g_str_equal (metric, "step_conversion"))
        {
          /* The spike's visitors bounce: / → /checkout drops that day too, which is true. */
          if (g_str_equal (date, "2026-03-12"))
            step = insight;
          else
            g_assert_cmpstr (date, ==, "2026-03-22");
        }
      else
        {
          g_assert_cmpstr (metric, ==, "conversions");
          g_assert_cmpstr (date, ==, "2026-03-12");
          orders = insight;
        }
    }

  g_assert_nonnull (spike);
  g_assert_cmpstr (json_object_get_string_member (spike->evidence, "direction"), ==, "spike");
  g_assert_cmpfloat (evidence_double (spike, "value"), ==, planted.spike_events);
  g_assert_cmpfloat (evidence_double (spike, "z"), >=, 3.5);
  g_assert_cmpfloat (evidence_double (spike, "median"), <, planted.spike_events / 2.0);
  g_assert_nonnull (strstr (spike->title, "Sunday"));

  g_assert_nonnull (step);
  g_assert_cmpstr (json_object_get_string_member (step->evidence, "from"), ==, "/checkout");
  g_assert_cmpstr (json_object_get_string_member (step->evidence, "to"), ==, "Order Completed");
  g_assert_cmpint (evidence_int (step, "sessions"), ==, planted.broken_checkouts);
  g_assert_cmpint (evidence_int (step, "continued"), ==, planted.broken_orders);
  g_assert_cmpfloat (evidence_double (step, "z"), <=, -3.5);
  g_assert_cmpfloat (evidence_double (step, "median"), >, 0.6);
  g_assert_cmpint (step->severity, ==, JM_INSIGHT_HIGH);

  g_assert_nonnull (orders);
  g_assert_cmpfloat (evidence_double (orders, "value"), ==, planted.broken_orders);
  g_assert_cmpstr (json_object_get_string_member (orders->evidence, "direction"), ==, "drop");
}

/* Customers doing random things: conversion, channels, campaigns, plans and loops are
 * independent of each other, volume is flat. Nothing may be flagged.
 */
static void
test_insights_null_data (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmInsights) insights = NULL;
  static const char * const names[] = {
    "/", "/product", "/search", "/cart", "/help", "Product Added", "Products Searched"
  };
  static const char * const touches[] = { NULL, "Email", "Social", "Paid Search" };
  static const char * const campaigns[] = { "\"spring\"", "\"summer\"", "\"autumn\"" };
  static const char * const locales[] = { "\"en-GB\"", "\"de-DE\"", "\"fr-FR\"" };

  for (guint c = 0; c < 3000; c++)
    {
      g_autofree char *customer = g_strdup_printf ("c%05u", c);
      guint n_sessions = g_rand_int_range (rand, 1, 4);
      const char *plan = g_rand_boolean (rand) ? "\"pro\"" : "\"free\"";

      for (guint s = 0; s < n_sessions; s++)
        {
          gint64 ts = MONDAY_MS + g_rand_int_range (rand, 0, 42 * 24 * 60) * MINUTE_MS;
          guint n_events = g_rand_int_range (rand, 1, 8);
          const char *touch = touches[g_rand_int_range (rand, 0, G_N_ELEMENTS (touches))];
          guint32 first = 0;

          for (guint e = 0; e < n_events; e++)
            {
              const char *name = names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))];
              guint32 handle = jm_event_log_builder_add (builder, customer, ts + e * MINUTE_MS,
                                                         name, e == 0 ? touch : NULL);

              if (e == 0)
                first = handle;
            }
          jm_event_log_builder_set_field_json (builder, first, "context.campaign.name",
                                               campaigns[g_rand_int_range (rand, 0, 3)]);
          jm_event_log_builder_set_field_json (builder, first, "context.locale",
                                               locales[g_rand_int_range (rand, 0, 3)]);
          jm_event_log_builder_set_field_json (builder, first, "traits.plan", plan);
          if (g_rand_double (rand) < 0.15)
            jm_event_log_builder_add (builder, customer, ts + n_events * MINUTE_MS,
                                      "Order Completed", NULL);
        }
    }
  log = jm_event_log_builder_finish (builder);
  insights = compute (log, NULL);

  g_assert_cmpstr (jm_insights_get_conversion_event (insights), ==, "Order Completed");
  for (guint i = 0; i < jm_insights_get_n_insights (insights); i++)
    {
      const JmInsight *insight = jm_insights_get_insight (insights, i);

      /* The largest funnel drop is descriptive: there always is one. */
      if (insight->kind != JM_INSIGHT_FUNNEL_DROPOFF)
        g_error ("flagged on null data: %s", insight->title);
    }
}

static void
test_insights_json (void)
{
  g_autoptr(JmEventLog) log = build_segment_log ();
  g_autoptr(JmInsights) insights = compute (log, NULL);
  g_autoptr(JmInsights) again = compute (log, NULL);
  g_autoptr(JsonNode) node = jm_insights_to_json (insights);
  g_autoptr(JsonNode) node_again = jm_insights_to_json (again);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autofree char *text_again = json_to_string (node_again, FALSE);
  g_autoptr(JmTable) table = jm_insights_to_table (insights);
  JsonObject *root = json_node_get_object (node);
  JsonArray *array = json_object_get_array_member (root, "insights");
  gint previous = -1;

  g_assert_cmpstr (text, ==, text_again);
  g_assert_cmpstr (json_object_get_string_member (root, "conversion_event"), ==,
                   "Order Completed");
  g_assert_cmpint (json_object_get_int_member (root, "units"), ==, 400);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *insight = json_array_get_object_element (array, i);
      const char *severity = json_object_get_string_member (insight, "severity");
      gint rank = g_str_equal (severity, "high") ? 0 : g_str_equal (severity, "medium") ? 1 : 2;

      g_assert_true (g_str_equal (severity, "high") || g_str_equal (severity, "medium") ||
                     g_str_equal (severity, "low"));
      g_assert_cmpint (rank, >=, previous);
      previous = rank;
      g_assert_nonnull (json_object_get_string_member (insight, "kind"));
      g_assert_nonnull (json_object_get_string_member (insight, "title"));
      g_assert_nonnull (json_object_get_object_member (insight, "evidence"));
      g_assert_cmpuint (strlen (json_object_get_string_member (insight, "recommendation")), >, 40);
    }
  /* All high: the strongest first, the drop-off (10 · 0.825) before the segments (|z| 6.8). */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "kind"), ==, "funnel_dropoff");

  g_assert_cmpuint (table->columns->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (table->columns, 0), ==, "kind");
  g_assert_cmpuint (table->rows->len, ==, 3);
}

static void
test_insights_options (void)
{
  g_autoptr(JmEventLog) log = build_segment_log ();
  g_autoptr(JmUnits) units = jm_units_new (log, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JmInsights) insights = NULL;
  JmInsightsOptions options;

  jm_insights_options_init (&options);
  options.min_units = 0;
  g_assert_null (jm_insights_compute (units, &options, &error));
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  jm_insights_options_init (&options);
  options.segment_fields = (const char * const []) { "campaign", NULL };
  g_assert_null (jm_insights_compute (units, &options, &error));
  g_assert_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_INVALID_FIELD);
  g_clear_error (&error);

  /* A conversion event no event has: only what needs no conversion is left. */
  jm_insights_options_init (&options);
  options.conversion_event = "Signed Up";
  insights = jm_insights_compute (units, &options, &error);
  g_assert_no_error (error);
  g_assert_null (jm_insights_get_conversion_event (insights));
  g_assert_cmpuint (jm_insights_get_n_insights (insights), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) jm_insights_get_funnel_steps (insights)), ==, 0);
  jm_insights_free (g_steal_pointer (&insights));

  /* Segments need min_units on both sides. */
  jm_insights_options_init (&options);
  options.min_units = 101;
  insights = jm_insights_compute (units, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_kind (insights, JM_INSIGHT_SEGMENT_DIFFERENCE), ==, 0);
}

static void
test_insights_empty (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = jm_event_log_builder_finish (builder);
  g_autoptr(JmInsights) insights = compute (log, NULL);
  g_autoptr(JsonNode) node = jm_insights_to_json (insights);

  g_assert_cmpuint (jm_insights_get_n_units (insights), ==, 0);
  g_assert_cmpuint (jm_insights_get_n_insights (insights), ==, 0);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (node),
                                                               "conversion_event")));
}

static char *
day_before (gint64 end_ms,
            guint  days)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (end_ms / 1000 - days * 24 * 3600);

  return g_date_time_format (date, "%Y-%m-%d");
}

/* The demo's planted findings (see jm-demo.c). */
static void
test_insights_demo (void)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmUnits) units = NULL;
  g_autoptr(JmInsights) insights = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *spike_day = NULL;
  JmInsightsOptions insights_options;
  JmDemoOptions options;
  JmDemoReport report;
  const JmInsight *summer;
  const JmInsight *email;
  gboolean found_broken = FALSE;
  gboolean found_spike = FALSE;
  gint64 project;

  jm_demo_options_init (&options);
  options.customers = 3000;
  broken = day_before (options.end_ms, 10);
  spike_day = day_before (options.end_ms, 25);

  store = jm_store_open (":memory:", JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);
  jm_demo_generate (store, project, &options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);

  log = jm_event_log_build (store, project, NULL, &error);
  g_assert_no_error (error);
  units = jm_units_new (log, NULL, &error);
  g_assert_no_error (error);
  jm_insights_options_init (&insights_options);
  insights = jm_insights_compute (units, &insights_options, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (jm_insights_get_conversion_event (insights), ==, "Order Completed");
  for (guint i = 0; i < jm_insights_get_n_insights (insights); i++)
    {
      const JmInsight *insight = jm_insights_get_insight (insights, i);
      const char *metric;
      const char *date;

      if (g_test_verbose ())
        g_test_message ("%s %s: %s", jm_insight_severity_to_string (insight->severity),
                        jm_insight_kind_to_string (insight->kind), insight->title);
      if (insight->kind != JM_INSIGHT_VOLUME_ANOMALY)
        continue;
      metric = json_object_get_string_member (insight->evidence, "metric");
      date = json_object_get_string_member (insight->evidence, "date");
      if (g_str_equal (date, broken) &&
          g_str_equal (json_object_get_string_member (insight->evidence, "direction"), "drop") &&
          (g_str_equal (metric, "conversions") || g_str_equal (metric, "step_conversion")))
        found_broken = TRUE;
      if (g_str_equal (date, spike_day) && g_str_equal (metric, "events"))
        {
          g_assert_cmpfloat (evidence_double (insight, "z"), >=, 3.5);
          found_spike = TRUE;
        }
    }
  g_assert_true (found_broken);
  g_assert_true (found_spike);

  summer = find_insight (insights, JM_INSIGHT_SEGMENT_DIFFERENCE, "segment", "summer_sale");
  g_assert_nonnull (summer);
  g_assert_cmpstr (json_object_get_string_member (summer->evidence, "field"), ==,
                   "context.campaign.name");
  g_assert_cmpfloat (evidence_double (summer, "z"), >, 0);
  g_assert_cmpfloat (evidence_double (summer, "rate"), >,
                     2 * evidence_double (summer, "rest_rate"));
  g_assert_cmpfloat (evidence_double (summer, "q"), <=, 0.05);

  email = find_insight (insights, JM_INSIGHT_CHANNEL_PERFORMANCE, "channel", "Email");
  g_assert_nonnull (email);
  g_assert_cmpfloat (evidence_double (email, "z"), >, 0);
  g_assert_nonnull (find_insight (insights, JM_INSIGHT_CHANNEL_PERFORMANCE, "channel", "Social"));
  g_assert_cmpfloat (evidence_double (find_insight (insights, JM_INSIGHT_CHANNEL_PERFORMANCE,
                                                    "channel", "Social"), "z"), <, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/insights/statistics", test_insights_statistics);
  g_test_add_func ("/jm/insights/segment-difference", test_insights_segment_difference);
  g_test_add_func ("/jm/insights/channel-performance", test_insights_channel_performance);
  g_test_add_func ("/jm/insights/converter-event", test_insights_converter_event);
  g_test_add_func ("/jm/insights/friction-loop", test_insights_friction_loop);
  g_test_add_func ("/jm/insights/volume-anomaly", test_insights_volume_anomaly);
  g_test_add_func ("/jm/insights/null-data", test_insights_null_data);
  g_test_add_func ("/jm/insights/json", test_insights_json);
  g_test_add_func ("/jm/insights/options", test_insights_options);
  g_test_add_func ("/jm/insights/empty", test_insights_empty);
  g_test_add_func ("/jm/insights/demo", test_insights_demo);

  return g_test_run ();
}
