/* test-attribution.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-attribution"

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-analysis-error.h"
#include "jm-attribution.h"

#define MINUTE (G_GINT64_CONSTANT (60000))
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)
#define T0     G_GINT64_CONSTANT (1767225600000)   /* 2026-01-01 UTC */

#define N_MODELS JM_ATTRIBUTION_N_MODELS

enum { FT, LT, LIN, TD, PB, MK };

static void
set_number (JmEventLogBuilder *builder,
            guint32            handle,
            const char        *field,
            double             value)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_double (node, value);
  jm_event_log_builder_set_field (builder, handle, field, node);
}

static void
set_string (JmEventLogBuilder *builder,
            guint32            handle,
            const char        *field,
            const char        *value)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  jm_event_log_builder_set_field (builder, handle, field, node);
}

static JmUnits *
units_for (JmEventLog *log,
           JmUnitKind  unit)
{
  g_autoptr(GError) error = NULL;
  JmFilter filter;
  JmUnits *units;

  jm_filter_init (&filter);
  filter.unit = unit;
  units = jm_units_new (log, &filter, &error);
  g_assert_no_error (error);
  g_assert_nonnull (units);

  return units;
}

static JmAttribution *
compute_with (JmEventLog                 *log,
              const JmAttributionOptions *options)
{
  g_autoptr(JmUnits) units = units_for (log, JM_UNIT_CUSTOMER);
  g_autoptr(GError) error = NULL;
  JmAttribution *attribution;

  attribution = jm_attribution_compute (units, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attribution);

  return attribution;
}

static JmAttribution *
compute (JmEventLog *log,
         const char *conversion_event)
{
  JmAttributionOptions options;

  jm_attribution_options_init (&options);
  options.conversion_event = conversion_event;

  return compute_with (log, &options);
}

static const JmAttributionChannel *
find_channel (const JmAttribution *attribution,
              const char          *name)
{
  for (guint i = 0; i < attribution->n_channels; i++)
    {
      if (strcmp (attribution->channels[i].channel, name) == 0)
        return &attribution->channels[i];
    }

  g_error ("no channel %s", name);
}

/* Asserts a channel's conversion credits, model by model. */
static void
assert_credits (const JmAttribution *attribution,
                const char          *name,
                const double         expected[N_MODELS])
{
  const JmAttributionChannel *channel = find_channel (attribution, name);

  for (guint m = 0; m < N_MODELS; m++)
    {
      if (fabs (channel->credit[m] - expected[m]) > 1e-9)
        g_error ("%s %s: %.15g, expected %.15g", name, jm_attribution_model_to_string (m),
                 channel->credit[m], expected[m]);
    }
}

#define ASSERT_CREDITS(a, name, ...) \
  G_STMT_START { \
    const double expected_[N_MODELS] = { __VA_ARGS__ }; \
    assert_credits ((a), (name), expected_); \
  } G_STMT_END

/* Every model credits exactly the conversions and the revenue. */
static void
assert_sums (const JmAttribution *attribution)
{
  for (guint m = 0; m < N_MODELS; m++)
    {
      double credit = 0.0;
      double revenue = 0.0;

      for (guint i = 0; i < attribution->n_channels; i++)
        {
          credit += attribution->channels[i].credit[m];
          revenue += attribution->channels[i].revenue[m];
        }
      if (fabs (credit - (double) attribution->conversions) >
          1e-9 * MAX (1, attribution->conversions))
        g_error ("%s credits %.15g for %" G_GINT64_FORMAT " conversions",
                 jm_attribution_model_to_string (m), credit, attribution->conversions);
      if (fabs (revenue - attribution->revenue) > 1e-9 * MAX (1.0, fabs (attribution->revenue)))
        g_error ("%s credits revenue %.15g of %.15g",
                 jm_attribution_model_to_string (m), revenue, attribution->revenue);
    }
}

static void
test_three_touchpoints (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  guint32 purchase;
  /* Time decay: the touchpoints are 14 d 10 min, 7 d 10 min and 10 min before the
   * conversion, two and one half-lives apart: weights 1/4 : 1/2 : 1 of 7/4.
   */
  const double td[3] = { 1.0 / 7, 2.0 / 7, 4.0 / 7 };

  jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  jm_event_log_builder_add (builder, "a", T0 + 7 * DAY, "visit", "Social");
  jm_event_log_builder_add (builder, "a", T0 + 14 * DAY, "visit", "Paid Search");
  /* The purchase's own context has no touch; it belongs to the Paid Search session. */
  purchase = jm_event_log_builder_add (builder, "a", T0 + 14 * DAY + 10 * MINUTE, "purchase", "");
  set_number (builder, purchase, "properties.revenue", 70.0);
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  g_assert_cmpint (attribution->conversions, ==, 1);
  g_assert_cmpfloat_with_epsilon (attribution->revenue, 70.0, 1e-12);
  g_assert_cmpuint (attribution->n_channels, ==, 3);

  /* A single converting path: removing any channel loses every conversion. */
  ASSERT_CREDITS (attribution, "Email", 1, 0, 1.0 / 3, td[0], 0.4, 1.0 / 3);
  ASSERT_CREDITS (attribution, "Social", 0, 0, 1.0 / 3, td[1], 0.2, 1.0 / 3);
  ASSERT_CREDITS (attribution, "Paid Search", 0, 1, 1.0 / 3, td[2], 0.4, 1.0 / 3);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Email")->removal_effect, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Social")->revenue[PB], 14.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Paid Search")->revenue[TD],
                                  40.0, 1e-9);
  assert_sums (attribution);
}

static void
test_one_and_two_touchpoints (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  double w = exp2 (-1.0 / 7);   /* Display is one day older than Email */

  /* a: one touchpoint; b: two, a day apart. */
  jm_event_log_builder_add (builder, "a", T0, "purchase", "Email");
  jm_event_log_builder_add (builder, "b", T0, "visit", "Display");
  jm_event_log_builder_add (builder, "b", T0 + DAY, "visit", "Email");
  jm_event_log_builder_add (builder, "b", T0 + DAY + MINUTE, "purchase", "");
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  g_assert_cmpint (attribution->conversions, ==, 2);
  /* Markov: START→Email→CONV (2), START→Display→Email (1): removing Email loses both
   * conversions (effect 1), removing Display one of two (effect 1/2).
   */
  ASSERT_CREDITS (attribution, "Email", 1, 2, 1.5, 1 + 1 / (1 + w), 1.5, 4.0 / 3);
  ASSERT_CREDITS (attribution, "Display", 1, 0, 0.5, w / (1 + w), 0.5, 2.0 / 3);
  assert_sums (attribution);
}

static void
test_lookback_edge (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;

  /* a's Email touch is exactly 30 days before its purchase: inside. b's is 1 ms older. */
  jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  jm_event_log_builder_add (builder, "a", T0 + 30 * DAY, "purchase", "");
  jm_event_log_builder_add (builder, "b", T0, "visit", "Email");
  jm_event_log_builder_add (builder, "b", T0 + 30 * DAY + 1, "purchase", "");
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  g_assert_cmpint (attribution->conversions, ==, 2);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Email")->credit[FT], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Direct")->credit[FT], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Direct")->credit[LT], 2.0, 1e-12);
  /* a's Email touch is 30 days (4 2/7 half-lives) older than its Direct session. */
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Email")->credit[TD],
                                  exp2 (-30.0 / 7) / (1 + exp2 (-30.0 / 7)), 1e-12);
  assert_sums (attribution);
}

static void
test_no_touchpoint_in_window (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  JmAttributionOptions options;

  /* With a 40-day session gap the purchase belongs to a session that began 35 days
   * earlier, beyond the 30-day lookback: every heuristic model credits Direct. Markov paths
   * have no lookback, so Markov credits the Email path.
   */
  jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  jm_event_log_builder_add (builder, "a", T0 + 35 * DAY, "purchase", "Social");
  log = jm_event_log_builder_finish (builder);

  jm_attribution_options_init (&options);
  options.conversion_event = "purchase";
  options.session_gap_ms = 40 * DAY;
  attribution = compute_with (log, &options);
  g_assert_cmpuint (attribution->n_channels, ==, 2);
  ASSERT_CREDITS (attribution, "Direct", 1, 1, 1, 1, 1, 0);
  ASSERT_CREDITS (attribution, "Email", 0, 0, 0, 0, 0, 1);
  assert_sums (attribution);
}

static void
test_multiple_conversions_and_revenue (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  const JmAttributionChannel *email;
  const JmAttributionChannel *social;
  guint32 h;
  double w = exp2 (-2.0 / (7 * 24));   /* Email is 2 h older than Social */

  h = jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  set_number (builder, h, "properties.revenue", 1000);   /* not a conversion */
  h = jm_event_log_builder_add (builder, "a", T0 + 5 * MINUTE, "purchase", "");
  set_number (builder, h, "properties.revenue", 10);
  jm_event_log_builder_add (builder, "a", T0 + 2 * HOUR, "visit", "Social");
  h = jm_event_log_builder_add (builder, "a", T0 + 2 * HOUR + MINUTE, "purchase", "");
  set_number (builder, h, "properties.revenue", 30);
  /* b converts with a revenue that is not a number, c without any: both count 0. */
  h = jm_event_log_builder_add (builder, "b", T0, "purchase", "Social");
  set_string (builder, h, "properties.revenue", "25");
  jm_event_log_builder_add (builder, "c", T0 + DAY, "purchase", "Social");
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  g_assert_cmpint (attribution->conversions, ==, 4);
  g_assert_cmpfloat_with_epsilon (attribution->revenue, 40.0, 1e-12);
  email = find_channel (attribution, "Email");
  social = find_channel (attribution, "Social");

  /* a's first purchase has only Email; the second Email and Social, 2 h apart. */
  g_assert_cmpfloat_with_epsilon (email->credit[FT], 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->credit[LT], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->credit[LIN], 1.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->credit[PB], 1.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->credit[TD], 1 + w / (1 + w), 1e-12);
  g_assert_cmpfloat_with_epsilon (social->credit[LIN], 2.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->revenue[FT], 40.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->revenue[LT], 10.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->revenue[LIN], 25.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (social->revenue[LIN], 15.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->revenue[TD], 10 + 30 * w / (1 + w), 1e-12);

  /* Markov paths: START→Email→CONV, START→Email→Social→CONV, START→Social→CONV (2).
   * P(conversion) = 1. Without Email: 1/2 (the Social paths); without Social: START→Email
   * (1/2 of starts) then CONV half of the time: 1/4. Effects 1/2 and 3/4.
   */
  g_assert_cmpfloat_with_epsilon (email->removal_effect, 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (social->removal_effect, 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->credit[MK], 4 * 0.4, 1e-12);
  g_assert_cmpfloat_with_epsilon (social->credit[MK], 4 * 0.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->revenue[MK], 40 * 0.4, 1e-12);
  assert_sums (attribution);
}

static void
test_markov_textbook (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  const JmAttributionChannel *email;
  const JmAttributionChannel *social;
  double w = exp2 (-1.0 / (7 * 24));

  /* Three customers:
   *   a: Email → Social → conversion
   *   b: Email → (no conversion)
   *   c: Social → conversion
   * START→Email 2/3, START→Social 1/3, Email→Social 1/2, Email→NULL 1/2, Social→CONV 1.
   * P(conversion) = 2/3 · 1/2 + 1/3 = 2/3. Without Email: 1/3, effect 1/2; without Social:
   * 0, effect 1. Two conversions shared 1/2 : 1: Email 2/3, Social 4/3.
   */
  jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  jm_event_log_builder_add (builder, "a", T0 + HOUR, "visit", "Social");
  jm_event_log_builder_add (builder, "a", T0 + HOUR + 5 * MINUTE, "purchase", "");
  jm_event_log_builder_add (builder, "b", T0, "visit", "Email");
  jm_event_log_builder_add (builder, "c", T0, "visit", "Social");
  jm_event_log_builder_add (builder, "c", T0 + MINUTE, "purchase", "");
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  email = find_channel (attribution, "Email");
  social = find_channel (attribution, "Social");
  g_assert_cmpfloat_with_epsilon (attribution->conversion_probability, 2.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->removal_effect, 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (social->removal_effect, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (email->credit[MK], 2.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (social->credit[MK], 4.0 / 3, 1e-12);
  /* a's Email touch is one hour older than its Social one. */
  ASSERT_CREDITS (attribution, "Email", 1, 0, 0.5, w / (1 + w), 0.5, 2.0 / 3);
  ASSERT_CREDITS (attribution, "Social", 1, 2, 1.5, 1 + 1 / (1 + w), 1.5, 4.0 / 3);
  assert_sums (attribution);
}

static void
test_markov_loops (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;

  /* a: Email → Social → Email → conversion; b: Social → Social (no conversion).
   * Transitions: START→Email 1, START→Social 1; Email→Social 1, Email→CONV 1;
   * Social→Email 1, Social→Social 1, Social→NULL 1.
   * x_E = 1/2 x_S + 1/2, x_S = 1/3 x_E + 1/3 x_S  ⇒  x_S = x_E / 2, x_E = 2/3, x_S = 1/3;
   * P = (x_E + x_S) / 2 = 1/2. Without Email: 0 (effect 1). Without Social: x_E = 1/2,
   * P = 1/4 (effect 1/2). One conversion shared 2/3 : 1/3.
   */
  jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  jm_event_log_builder_add (builder, "a", T0 + HOUR, "visit", "Social");
  jm_event_log_builder_add (builder, "a", T0 + 2 * HOUR, "visit", "Email");
  jm_event_log_builder_add (builder, "a", T0 + 2 * HOUR + MINUTE, "purchase", "");
  jm_event_log_builder_add (builder, "b", T0, "visit", "Social");
  jm_event_log_builder_add (builder, "b", T0 + HOUR, "visit", "Social");
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  g_assert_cmpfloat_with_epsilon (attribution->conversion_probability, 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Email")->credit[MK], 2.0 / 3,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (find_channel (attribution, "Social")->credit[MK], 1.0 / 3,
                                  1e-12);
  assert_sums (attribution);
}

static void
test_direct_and_sessions (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  g_autoptr(JmUnits) sessions = NULL;
  g_autoptr(GError) error = NULL;
  JmAttributionOptions options;

  /* The session channel is the touch of its first event only: the Social touch 10 minutes
   * into a session that began without one does not start a touchpoint. A touch named Direct
   * is the same channel as no touch.
   */
  jm_event_log_builder_add (builder, "a", T0, "visit", "");
  jm_event_log_builder_add (builder, "a", T0 + 10 * MINUTE, "visit", "Social");
  jm_event_log_builder_add (builder, "a", T0 + 20 * MINUTE, "purchase", "");
  jm_event_log_builder_add (builder, "b", T0, "purchase", "Direct");
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  g_assert_cmpuint (attribution->n_channels, ==, 1);
  ASSERT_CREDITS (attribution, "Direct", 2, 2, 2, 2, 2, 2);
  assert_sums (attribution);

  /* Attribution is per customer: session units are refused. */
  sessions = units_for (log, JM_UNIT_SESSION);
  jm_attribution_options_init (&options);
  options.conversion_event = "purchase";
  g_assert_null (jm_attribution_compute (sessions, &options, &error));
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
}

static void
test_no_conversions (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;

  jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  log = jm_event_log_builder_finish (builder);

  /* A conversion event no event has is not an error: nothing converts. */
  attribution = compute (log, "purchase");
  g_assert_cmpint (attribution->conversions, ==, 0);
  g_assert_cmpuint (attribution->n_channels, ==, 1);
  ASSERT_CREDITS (attribution, "Email", 0, 0, 0, 0, 0, 0);
  assert_sums (attribution);
}

static void
test_json_and_table (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JmTable) table = NULL;
  g_autofree char *text = NULL;
  g_autofree char *csv = NULL;
  guint32 h;

  jm_event_log_builder_add (builder, "a", T0, "visit", "Email");
  h = jm_event_log_builder_add (builder, "a", T0 + MINUTE, "purchase", "");
  set_number (builder, h, "properties.revenue", 12.5);
  log = jm_event_log_builder_finish (builder);

  attribution = compute (log, "purchase");
  json = jm_attribution_to_json (attribution);
  text = json_to_string (json, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"unit\":\"customer\",\"conversion_event\":\"purchase\","
                   "\"lookback_seconds\":2592000.0,\"revenue_property\":\"properties.revenue\","
                   "\"conversions\":1,\"revenue\":12.5,"
                   "\"channels\":[{\"channel\":\"Email\",\"first_touch\":1.0,\"last_touch\":1.0,"
                   "\"linear\":1.0,\"time_decay\":1.0,\"position_based\":1.0,\"markov\":1.0}],"
                   "\"revenue_credit\":[{\"channel\":\"Email\",\"first_touch\":12.5,"
                   "\"last_touch\":12.5,\"linear\":12.5,\"time_decay\":12.5,"
                   "\"position_based\":12.5,\"markov\":12.5}]}");

  table = jm_attribution_to_table (attribution);
  csv = jm_table_to_csv (table);
  g_assert_cmpstr (csv, ==,
                   "channel,first_touch,last_touch,linear,time_decay,position_based,markov,"
                   "revenue_first_touch,revenue_last_touch,revenue_linear,revenue_time_decay,"
                   "revenue_position_based,revenue_markov\n"
                   "Email,1,1,1,1,1,1,12.5,12.5,12.5,12.5,12.5,12.5\n");
}

static void
test_revenue_property (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmAttribution) attribution = NULL;
  g_autoptr(JmUnits) units = NULL;
  g_autoptr(GError) error = NULL;
  JmAttributionOptions options;
  guint32 h;

  h = jm_event_log_builder_add (builder, "a", T0, "purchase", "Email");
  set_number (builder, h, "properties.revenue", 5);
  set_number (builder, h, "properties.amount", 7);
  log = jm_event_log_builder_finish (builder);

  jm_attribution_options_init (&options);
  options.conversion_event = "purchase";
  options.revenue_property = "amount";
  attribution = compute_with (log, &options);
  g_assert_cmpstr (attribution->revenue_property, ==, "properties.amount");
  g_assert_cmpfloat_with_epsilon (attribution->revenue, 7.0, 1e-12);
  g_clear_pointer (&attribution, jm_attribution_free);

  options.revenue_property = "properties.revenue";
  attribution = compute_with (log, &options);
  g_assert_cmpfloat_with_epsilon (attribution->revenue, 5.0, 1e-12);

  /* A name that cannot be a field is a usage error. */
  options.revenue_property = "a..b";
  units = units_for (log, JM_UNIT_CUSTOMER);
  g_assert_null (jm_attribution_compute (units, &options, &error));
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
}

/* --- Reference implementation ---------------------------------------------------------
 *
 * Deliberately simple and independent of jm-attribution.c: channels by name in a hash table,
 * every conversion's touchpoints found by rescanning the customer's session starts, time
 * decay weights straight from the formula, Markov paths kept as lists of names and the chain
 * solved by fixed-point iteration instead of elimination.
 */

typedef struct
{
  double credit[N_MODELS];
  double revenue[N_MODELS];
} RefCredit;

typedef struct
{
  GHashTable *credits;       /* channel → RefCredit */
  GPtrArray  *paths;         /* GPtrArray of names: the channels, then "CONV" or "NULL" */
  gint64      conversions;
  double      revenue;
} RefResult;

static void
ref_result_free (RefResult *r)
{
  g_hash_table_unref (r->credits);
  g_ptr_array_unref (r->paths);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefResult, ref_result_free)

static RefCredit *
ref_credit (RefResult  *r,
            const char *channel)
{
  RefCredit *credit = g_hash_table_lookup (r->credits, channel);

  if (credit == NULL)
    {
      credit = g_new0 (RefCredit, 1);
      g_hash_table_insert (r->credits, g_strdup (channel), credit);
    }

  return credit;
}

static void
ref_add (RefResult  *r,
         const char *channel,
         guint       model,
         double      weight,
         double      revenue)
{
  RefCredit *credit = ref_credit (r, channel);

  credit->credit[model] += weight;
  credit->revenue[model] += weight * revenue;
}

static const char *
ref_session_channel (const char *touch)
{
  return touch[0] == '\0' ? "Direct" : touch;
}

/* The session channel of a session starting with `event`. */
static const char *
ref_event_channel (const JmUnits *units,
                   guint32        event)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (units->log);

  return ref_session_channel (jm_event_log_get_channel (units->log, columns->channel[event]));
}

static double
ref_revenue (const JmEventLogField *field,
             guint32                event)
{
  JsonNode *node = field->values[field->value[event]];

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0.0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);

  return 0.0;
}

/* P(CONV) from START: iterate x ← Q·x + b (x of the removed channel held at 0). */
static double
ref_probability (GPtrArray  *paths,
                 GPtrArray  *states,
                 GHashTable *state_index,
                 const char *removed)
{
  guint n = states->len;
  g_autofree double *counts = g_new0 (double, n * (n + 2));   /* to n: CONV, n + 1: NULL */
  g_autofree double *totals = g_new0 (double, n);
  g_autofree double *x = g_new0 (double, n);
  g_autofree double *next = g_new0 (double, n);

  for (guint p = 0; p < paths->len; p++)
    {
      GPtrArray *path = g_ptr_array_index (paths, p);
      guint from = GPOINTER_TO_UINT (g_hash_table_lookup (state_index, "START")) - 1;

      for (guint i = 0; i < path->len; i++)
        {
          const char *name = g_ptr_array_index (path, i);
          guint to;

          if (strcmp (name, "CONV") == 0)
            to = n;
          else if (strcmp (name, "NULL") == 0)
            to = n + 1;
          else
            to = GPOINTER_TO_UINT (g_hash_table_lookup (state_index, name)) - 1;
          counts[from * (n + 2) + to] += 1;
          totals[from] += 1;
          from = to;
        }
    }

  for (guint round = 0; round < 10000000; round++)
    {
      double change = 0.0;

      for (guint s = 0; s < n; s++)
        {
          double v = 0.0;

          if (totals[s] > 0 && (removed == NULL || strcmp (states->pdata[s], removed) != 0))
            {
              v = counts[s * (n + 2) + n] / totals[s];
              for (guint t = 0; t < n; t++)
                v += counts[s * (n + 2) + t] / totals[s] * x[t];
            }
          next[s] = v;
        }
      for (guint s = 0; s < n; s++)
        {
          change = MAX (change, fabs (next[s] - x[s]));
          x[s] = next[s];
        }
      if (change < 1e-16)
        break;
    }

  return x[GPOINTER_TO_UINT (g_hash_table_lookup (state_index, "START")) - 1];
}

static RefResult *
ref_attribution (const JmUnits              *units,
                 const JmAttributionOptions *options)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (units->log);
  const JmEventLogField *field;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) states = g_ptr_array_new ();
  g_autoptr(GHashTable) state_index = g_hash_table_new (g_str_hash, g_str_equal);
  RefResult *r = g_new0 (RefResult, 1);
  double p_all;
  double removal_sum = 0.0;

  r->credits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->paths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  field = jm_event_log_get_field (units->log, "properties.revenue", &error);
  g_assert_no_error (error);

  for (guint u = 0; u < units->n_units; u++)
    {
      const guint32 *events = units->events + units->offsets[u];
      guint n = units->offsets[u + 1] - units->offsets[u];
      g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));
      gboolean converted = FALSE;

      for (guint i = 0; i < n; i++)
        {
          if (i == 0 ||
              columns->ts[events[i]] - columns->ts[events[i - 1]] > options->session_gap_ms)
            {
              g_array_append_val (starts, i);
              ref_credit (r, ref_event_channel (units, events[i]));
            }
        }

      for (guint i = 0; i < n; i++)
        {
          const char *name = jm_event_log_get_name (units->log, columns->name[events[i]]);
          gint64 ts = columns->ts[events[i]];
          g_autoptr(GPtrArray) tps = g_ptr_array_new ();
          g_autoptr(GArray) deltas = g_array_new (FALSE, FALSE, sizeof (double));
          GPtrArray *path;
          double revenue;
          double sum;
          guint k;

          if (strcmp (name, options->conversion_event) != 0)
            continue;

          converted = TRUE;
          revenue = ref_revenue (field, events[i]);
          r->conversions++;
          r->revenue += revenue;

          path = g_ptr_array_new ();
          for (guint s = 0; s < starts->len; s++)
            {
              guint at = g_array_index (starts, guint, s);
              const char *channel;

              if (at > i)
                break;
              channel = ref_event_channel (units, events[at]);
              g_ptr_array_add (path, (gpointer) channel);
              if (ts - columns->ts[events[at]] <= options->lookback_ms)
                {
                  double delta = (double) (ts - columns->ts[events[at]]);

                  g_ptr_array_add (tps, (gpointer) channel);
                  g_array_append_val (deltas, delta);
                }
            }
          g_ptr_array_add (path, (gpointer) "CONV");
          g_ptr_array_add (r->paths, path);

          k = tps->len;
          if (k == 0)
            {
              for (guint m = 0; m < MK; m++)
                ref_add (r, "Direct", m, 1.0, revenue);
              continue;
            }

          ref_add (r, tps->pdata[0], FT, 1.0, revenue);
          ref_add (r, tps->pdata[k - 1], LT, 1.0, revenue);
          sum = 0.0;
          for (guint t = 0; t < k; t++)
            sum += pow (2.0, -g_array_index (deltas, double, t) / options->half_life_ms);
          for (guint t = 0; t < k; t++)
            {
              double w = pow (2.0, -g_array_index (deltas, double, t) / options->half_life_ms);
              double pb;

              ref_add (r, tps->pdata[t], LIN, 1.0 / k, revenue);
              ref_add (r, tps->pdata[t], TD, w / sum, revenue);
              if (k == 1)
                pb = 1.0;
              else if (k == 2)
                pb = 0.5;
              else if (t == 0 || t == k - 1)
                pb = 0.4;
              else
                pb = 0.2 / (k - 2);
              ref_add (r, tps->pdata[t], PB, pb, revenue);
            }
        }

      if (!converted)
        {
          GPtrArray *path = g_ptr_array_new ();

          for (guint s = 0; s < starts->len; s++)
            {
              guint at = g_array_index (starts, guint, s);

              g_ptr_array_add (path, (gpointer) ref_event_channel (units, events[at]));
            }
          g_ptr_array_add (path, (gpointer) "NULL");
          g_ptr_array_add (r->paths, path);
        }
    }

  /* The Markov chain: START and every channel on a path. */
  g_ptr_array_add (states, (gpointer) "START");
  g_hash_table_insert (state_index, (gpointer) "START", GUINT_TO_POINTER (1));
  for (guint p = 0; p < r->paths->len; p++)
    {
      GPtrArray *path = g_ptr_array_index (r->paths, p);

      for (guint i = 0; i + 1 < path->len; i++)
        {
          if (!g_hash_table_contains (state_index, path->pdata[i]))
            {
              g_ptr_array_add (states, path->pdata[i]);
              g_hash_table_insert (state_index, path->pdata[i], GUINT_TO_POINTER (states->len));
            }
        }
    }

  p_all = r->conversions > 0 ? ref_probability (r->paths, states, state_index, NULL) : 0.0;
  {
    g_autofree double *effects = g_new0 (double, states->len);

    for (guint s = 1; s < states->len && p_all > 0; s++)
      {
        effects[s] = 1.0 - ref_probability (r->paths, states, state_index,
                                            states->pdata[s]) / p_all;
        removal_sum += effects[s];
      }
    for (guint s = 1; s < states->len && removal_sum > 0; s++)
      {
        RefCredit *credit = ref_credit (r, states->pdata[s]);

        credit->credit[MK] = r->conversions * effects[s] / removal_sum;
        credit->revenue[MK] = r->revenue * effects[s] / removal_sum;
      }
  }

  return r;
}

static gboolean
close_enough (double a,
              double b)
{
  return fabs (a - b) <= 1e-9 * MAX (1.0, fabs (b));
}

static void
compare_with_reference (const JmUnits              *units,
                        const JmAttributionOptions *options,
                        guint                       seed)
{
  g_autoptr(JmAttribution) got = NULL;
  g_autoptr(RefResult) want = NULL;
  g_autoptr(GError) error = NULL;

  got = jm_attribution_compute (units, options, &error);
  g_assert_no_error (error);
  want = ref_attribution (units, options);

  if (got->conversions != want->conversions)
    g_error ("seed %u: %" G_GINT64_FORMAT " conversions, expected %" G_GINT64_FORMAT,
             seed, got->conversions, want->conversions);
  if (!close_enough (got->revenue, want->revenue))
    g_error ("seed %u: revenue %.15g, expected %.15g", seed, got->revenue, want->revenue);
  if (got->n_channels != g_hash_table_size (want->credits))
    g_error ("seed %u: %u channels, expected %u", seed, got->n_channels,
             g_hash_table_size (want->credits));

  for (guint i = 0; i < got->n_channels; i++)
    {
      const JmAttributionChannel *channel = &got->channels[i];
      const RefCredit *credit = g_hash_table_lookup (want->credits, channel->channel);

      if (credit == NULL)
        g_error ("seed %u: unexpected channel %s", seed, channel->channel);
      if (i > 0)
        g_assert_cmpint (strcmp (got->channels[i - 1].channel, channel->channel), <, 0);
      for (guint m = 0; m < N_MODELS; m++)
        {
          if (!close_enough (channel->credit[m], credit->credit[m]) ||
              !close_enough (channel->revenue[m], credit->revenue[m]))
            g_error ("seed %u: %s %s: %.15g (revenue %.15g), expected %.15g (revenue %.15g)",
                     seed, channel->channel, jm_attribution_model_to_string (m),
                     channel->credit[m], channel->revenue[m],
                     credit->credit[m], credit->revenue[m]);
        }
    }
  assert_sums (got);
}

static const char * const random_touches[] = {
  "", "", "", "Email", "Social", "Paid Search", "Direct", "Display", "Referral",
};

static void
build_random_customer (GRand             *rand,
                       JmEventLogBuilder *builder,
                       const char        *id,
                       guint              n_events)
{
  gint64 ts = T0 + g_rand_int_range (rand, 0, 20) * DAY + g_rand_int_range (rand, 0, 1440) * MINUTE;

  for (guint e = 0; e < n_events; e++)
    {
      guint roll = g_rand_int_range (rand, 0, 100);
      const char *name = roll < 60 ? "view" : roll < 75 ? "cart" : "purchase";
      const char *touch = random_touches[g_rand_int_range (rand, 0, G_N_ELEMENTS (random_touches))];
      guint32 h;

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0: ts += 0; break;
        case 1: ts += g_rand_int_range (rand, 0, 20) * MINUTE; break;
        case 2: ts += g_rand_int_range (rand, 20, 60) * MINUTE; break;
        case 3: ts += g_rand_int_range (rand, 1, 72) * HOUR; break;
        case 4:
          ts += g_rand_int_range (rand, 5, 40) * DAY + g_rand_int_range (rand, 0, 1000);
          break;
        default: ts += 30 * MINUTE + g_rand_int_range (rand, 0, 2); break;
        }

      h = jm_event_log_builder_add (builder, id, ts, name, touch);
      switch (g_rand_int_range (rand, 0, 10))
        {
        case 0: case 1: case 2:
          set_number (builder, h, "properties.revenue", g_rand_int_range (rand, 1, 500));
          break;
        case 3: case 4:
          set_number (builder, h, "properties.revenue", g_rand_double_range (rand, 0, 100));
          break;
        case 5:
          set_string (builder, h, "properties.revenue", "12");
          break;
        default:
          break;
        }
    }
}

static void
test_random_against_reference (void)
{
  static const gint64 lookbacks[] = { 30 * DAY, 7 * DAY, DAY, 2 * HOUR, 0 };
  static const gint64 gaps[] = { 30 * MINUTE, 10 * MINUTE, 3 * HOUR };
  static const gint64 half_lives[] = { 7 * DAY, DAY, HOUR };
  const guint n_logs = 2000;

  for (guint seed = 1; seed <= n_logs; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
      g_autoptr(JmEventLog) log = NULL;
      g_autoptr(JmUnits) units = NULL;
      JmAttributionOptions options;
      guint n_customers = g_rand_int_range (rand, 1, 20);

      for (guint c = 0; c < n_customers; c++)
        {
          g_autofree char *id = g_strdup_printf ("c%u", c);

          build_random_customer (rand, builder, id, g_rand_int_range (rand, 1, 25));
        }
      log = jm_event_log_builder_finish (builder);
      units = units_for (log, JM_UNIT_CUSTOMER);

      jm_attribution_options_init (&options);
      options.conversion_event = g_rand_int_range (rand, 0, 10) == 0 ? "cart" : "purchase";
      options.lookback_ms = lookbacks[g_rand_int_range (rand, 0, G_N_ELEMENTS (lookbacks))];
      options.session_gap_ms = gaps[g_rand_int_range (rand, 0, G_N_ELEMENTS (gaps))];
      options.half_life_ms = half_lives[g_rand_int_range (rand, 0, G_N_ELEMENTS (half_lives))];

      compare_with_reference (units, &options, seed);
    }
}

/* Enough events for the analysis to split the customers over threads. */
static void
test_large_against_reference (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260630);
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmUnits) units = NULL;
  JmAttributionOptions options;

  for (guint c = 0; c < 8000; c++)
    {
      char id[32];

      g_snprintf (id, sizeof id, "c%u", c);
      build_random_customer (rand, builder, id, g_rand_int_range (rand, 1, 30));
    }
  log = jm_event_log_builder_finish (builder);
  units = units_for (log, JM_UNIT_CUSTOMER);
  g_assert_cmpuint (units->n_events, >=, 100000);

  jm_attribution_options_init (&options);
  options.conversion_event = "purchase";
  compare_with_reference (units, &options, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/attribution/three-touchpoints", test_three_touchpoints);
  g_test_add_func ("/jm/attribution/one-and-two-touchpoints", test_one_and_two_touchpoints);
  g_test_add_func ("/jm/attribution/lookback-edge", test_lookback_edge);
  g_test_add_func ("/jm/attribution/no-touchpoint-in-window", test_no_touchpoint_in_window);
  g_test_add_func ("/jm/attribution/multiple-conversions-and-revenue",
                   test_multiple_conversions_and_revenue);
  g_test_add_func ("/jm/attribution/markov-textbook", test_markov_textbook);
  g_test_add_func ("/jm/attribution/markov-loops", test_markov_loops);
  g_test_add_func ("/jm/attribution/direct-and-sessions", test_direct_and_sessions);
  g_test_add_func ("/jm/attribution/no-conversions", test_no_conversions);
  g_test_add_func ("/jm/attribution/json-and-table", test_json_and_table);
  g_test_add_func ("/jm/attribution/revenue-property", test_revenue_property);
  g_test_add_func ("/jm/attribution/random-against-reference", test_random_against_reference);
  g_test_add_func ("/jm/attribution/large-against-reference", test_large_against_reference);

  return g_test_run ();
}
