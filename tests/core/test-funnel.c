/* test-funnel.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "jm-analysis-error.h"
#include "jm-funnel.h"
#include "jm-reference.h"

#define DAY_MS (G_GINT64_CONSTANT (24) * 3600 * 1000)

static JmFunnel *
compute (JmRefLog              *log,
         const JmFunnelOptions *options)
{
  g_autoptr(GError) error = NULL;
  JmFunnel *funnel = jm_funnel_compute (log->units, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (funnel);
  return funnel;
}

/* The level of the unit of `customer` (customer units). */
static guint
level_of (JmRefLog   *log,
          JmFunnel   *funnel,
          const char *customer)
{
  for (guint32 u = 0; u < log->units->n_units; u++)
    if (g_str_equal (jm_event_log_get_customer_id (log->log, log->units->unit_customer[u]),
                     customer))
      return jm_funnel_get_unit_level (funnel, u);

  g_error ("no unit for %s", customer);
}

static guint
level_in (const char   *text,
          JmFunnelMode  mode,
          const char  **steps,
          const char  **exclude,
          gint64        window_ms)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse (text, FALSE, 0);
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  options.mode = mode;
  options.exclude = exclude;
  if (window_ms >= 0)
    options.window_ms = window_ms;
  funnel = compute (log, &options);

  g_assert_cmpuint (log->units->n_units, ==, 1);
  return jm_funnel_get_unit_level (funnel, 0);
}

/* Counts, both conversion rates and the times, over four units of known levels. */
static void
test_funnel_ordered (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("u1 0 A; u1 10 B; u1 30 C;"
                                                  "u2 0 A; u2 20 B;"
                                                  "u3 0 A;"
                                                  "u4 0 B; u4 5 C",
                                                  FALSE, 0);
  const char *steps[] = { "A", "B", "C", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  const JmFunnelStep *step;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  funnel = compute (log, &options);

  g_assert_cmpuint (jm_funnel_get_n_units (funnel), ==, 4);
  g_assert_cmpuint (jm_funnel_get_n_steps (funnel), ==, 3);
  g_assert_cmpint (jm_funnel_get_window_ms (funnel), ==, 14 * DAY_MS);

  step = jm_funnel_get_step (funnel, 0);
  g_assert_cmpstr (step->name, ==, "A");
  g_assert_cmpuint (step->count, ==, 3);
  g_assert_cmpfloat (step->conversion_from_start, ==, 1.0);
  g_assert_cmpfloat (step->conversion_from_previous, ==, 1.0);
  g_assert_false (step->has_times);

  step = jm_funnel_get_step (funnel, 1);
  g_assert_cmpuint (step->count, ==, 2);
  g_assert_cmpfloat_with_epsilon (step->conversion_from_start, 2.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (step->conversion_from_previous, 2.0 / 3.0, 1e-12);
  g_assert_true (step->has_times);
  /* {10 s, 20 s}: median 15, mean 15, p90 the 2nd of 2 */
  g_assert_cmpfloat (step->from_previous.median, ==, 15.0);
  g_assert_cmpfloat (step->from_previous.mean, ==, 15.0);
  g_assert_cmpfloat (step->from_previous.p90, ==, 20.0);
  g_assert_cmpfloat (step->from_start.median, ==, 15.0);

  step = jm_funnel_get_step (funnel, 2);
  g_assert_cmpuint (step->count, ==, 1);
  g_assert_cmpfloat_with_epsilon (step->conversion_from_start, 1.0 / 3.0, 1e-12);
  g_assert_cmpfloat (step->conversion_from_previous, ==, 0.5);
  g_assert_cmpfloat (step->from_previous.median, ==, 20.0);
  g_assert_cmpfloat (step->from_start.median, ==, 30.0);

  g_assert_cmpuint (level_of (log, funnel, "u1"), ==, 3);
  g_assert_cmpuint (level_of (log, funnel, "u2"), ==, 2);
  g_assert_cmpuint (level_of (log, funnel, "u3"), ==, 1);
  g_assert_cmpuint (level_of (log, funnel, "u4"), ==, 0);
}

/* Mean and nearest-rank p90 over ten durations. */
static void
test_funnel_times (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *steps[] = { "A", "B", NULL };
  g_autoptr(JmRefLog) log = NULL;
  g_autoptr(JmFunnel) funnel = NULL;
  const JmFunnelStep *step;
  JmFunnelOptions options;

  /* 1 s … 10 s: median 5.5, mean 5.5, p90 the 9th value. An 11th unit gives 1 … 11: p90 is
   * the 10th (⌈9.9⌉).
   */
  for (guint i = 1; i <= 10; i++)
    g_string_append_printf (text, "u%u 0 A; u%u %u B;", i, i, i);
  log = jm_ref_log_new_parse (text->str, FALSE, 0);
  jm_funnel_options_init (&options);
  options.steps = steps;
  funnel = compute (log, &options);
  step = jm_funnel_get_step (funnel, 1);
  g_assert_cmpfloat (step->from_previous.median, ==, 5.5);
  g_assert_cmpfloat (step->from_previous.mean, ==, 5.5);
  g_assert_cmpfloat (step->from_previous.p90, ==, 9.0);

  g_string_append (text, "u11 0 A; u11 11 B");
  g_clear_pointer (&funnel, jm_funnel_free);
  g_clear_pointer (&log, jm_ref_log_free);
  log = jm_ref_log_new_parse (text->str, FALSE, 0);
  funnel = compute (log, &options);
  step = jm_funnel_get_step (funnel, 1);
  g_assert_cmpfloat (step->from_previous.median, ==, 6.0);
  g_assert_cmpfloat (step->from_previous.p90, ==, 10.0);
}

/* The window includes its end: s + W exactly counts, one millisecond later does not. */
static void
test_funnel_window_edge (void)
{
  const char *steps[] = { "A", "B", NULL };

  g_assert_cmpuint (level_in ("c 0 A; c 60 B", JM_FUNNEL_ORDERED, steps, NULL, 60000), ==, 2);
  g_assert_cmpuint (level_in ("c 0 A; c 60.001 B", JM_FUNNEL_ORDERED, steps, NULL, 60000), ==, 1);
  g_assert_cmpuint (level_in ("c 0 A; c 60 B", JM_FUNNEL_STRICT, steps, NULL, 60000), ==, 2);
  g_assert_cmpuint (level_in ("c 0 A; c 60.001 B", JM_FUNNEL_STRICT, steps, NULL, 60000), ==, 1);
  g_assert_cmpuint (level_in ("c 0 A; c 60 B", JM_FUNNEL_ANY, steps, NULL, 60000), ==, 2);
  g_assert_cmpuint (level_in ("c 0 A; c 60.001 B", JM_FUNNEL_ANY, steps, NULL, 60000), ==, 1);
  /* The default window is 14 days. */
  g_assert_cmpuint (level_in ("c 0 A; c 1209600 B", JM_FUNNEL_ORDERED, steps, NULL, -1), ==, 2);
  g_assert_cmpuint (level_in ("c 0 A; c 1209600.001 B", JM_FUNNEL_ORDERED, steps, NULL, -1),
                    ==, 1);
}

/* strict wants the very next event; ordered allows others between; any allows any order. */
static void
test_funnel_modes (void)
{
  const char *steps[] = { "A", "B", "C", NULL };

  g_assert_cmpuint (level_in ("c 0 A; c 1 X; c 2 B; c 3 C", JM_FUNNEL_STRICT, steps, NULL, -1),
                    ==, 1);
  g_assert_cmpuint (level_in ("c 0 A; c 1 X; c 2 B; c 3 C", JM_FUNNEL_ORDERED, steps, NULL, -1),
                    ==, 3);
  g_assert_cmpuint (level_in ("c 0 A; c 1 B; c 2 C", JM_FUNNEL_STRICT, steps, NULL, -1), ==, 3);
  /* A later start can do better in strict mode. */
  g_assert_cmpuint (level_in ("c 0 A; c 1 X; c 2 A; c 3 B; c 4 C", JM_FUNNEL_STRICT, steps,
                              NULL, -1), ==, 3);

  g_assert_cmpuint (level_in ("c 0 A; c 1 C; c 2 B", JM_FUNNEL_ORDERED, steps, NULL, -1), ==, 2);
  g_assert_cmpuint (level_in ("c 0 A; c 1 C; c 2 B", JM_FUNNEL_ANY, steps, NULL, -1), ==, 3);
  /* any still starts with step 1: what came before it does not count. */
  g_assert_cmpuint (level_in ("c 0 B; c 1 C; c 2 A", JM_FUNNEL_ANY, steps, NULL, -1), ==, 1);
}

/* In any mode a step reached before the previous one takes no time of its own. */
static void
test_funnel_any_times (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 10 C; c 25 B", FALSE, 0);
  const char *steps[] = { "A", "B", "C", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  options.mode = JM_FUNNEL_ANY;
  funnel = compute (log, &options);

  g_assert_cmpfloat (jm_funnel_get_step (funnel, 1)->from_previous.median, ==, 25.0);
  g_assert_cmpfloat (jm_funnel_get_step (funnel, 2)->from_previous.median, ==, 0.0);
  g_assert_cmpfloat (jm_funnel_get_step (funnel, 2)->from_start.median, ==, 25.0);
}

/* An exclusion between step 1 and the last matched step invalidates that chain only. */
static void
test_funnel_exclusion (void)
{
  const char *steps[] = { "A", "B", "C", NULL };
  const char *exclude[] = { "X", NULL };

  g_assert_cmpuint (level_in ("c 0 A; c 1 X; c 2 B", JM_FUNNEL_ORDERED, steps, exclude, -1),
                    ==, 1);
  /* A chain starting after the exclusion is fine. */
  g_assert_cmpuint (level_in ("c 0 A; c 1 X; c 2 A; c 3 B", JM_FUNNEL_ORDERED, steps, exclude,
                              -1), ==, 2);
  /* The part of the chain before the exclusion still counts. */
  g_assert_cmpuint (level_in ("c 0 A; c 1 B; c 2 X; c 3 C", JM_FUNNEL_ORDERED, steps, exclude,
                              -1), ==, 2);
  /* After the last matched step it does not matter. */
  g_assert_cmpuint (level_in ("c 0 A; c 1 B; c 2 C; c 3 X", JM_FUNNEL_ORDERED, steps, exclude,
                              -1), ==, 3);
  g_assert_cmpuint (level_in ("c 0 A; c 1 C; c 2 X; c 3 B", JM_FUNNEL_ANY, steps, exclude, -1),
                    ==, 1);
  g_assert_cmpuint (level_in ("c 0 A; c 1 B; c 2 X; c 3 C", JM_FUNNEL_ANY, steps, exclude, -1),
                    ==, 2);
  /* Without it the same events reach the end. */
  g_assert_cmpuint (level_in ("c 0 A; c 1 X; c 2 B; c 3 C", JM_FUNNEL_ORDERED, steps, NULL, -1),
                    ==, 3);
}

/* A step name may come back: A → B → A needs a second A after B. */
static void
test_funnel_repeated_steps (void)
{
  const char *steps[] = { "A", "B", "A", NULL };

  g_assert_cmpuint (level_in ("c 0 A; c 1 B; c 2 A", JM_FUNNEL_ORDERED, steps, NULL, -1), ==, 3);
  g_assert_cmpuint (level_in ("c 0 A; c 1 B", JM_FUNNEL_ORDERED, steps, NULL, -1), ==, 2);
  g_assert_cmpuint (level_in ("c 0 A; c 1 A; c 2 B", JM_FUNNEL_ORDERED, steps, NULL, -1), ==, 2);
  g_assert_cmpuint (level_in ("c 0 A; c 1 A; c 2 B", JM_FUNNEL_ANY, steps, NULL, -1), ==, 3);
  g_assert_cmpuint (level_in ("c 0 A; c 1 B; c 2 A", JM_FUNNEL_STRICT, steps, NULL, -1), ==, 3);
  g_assert_cmpuint (level_in ("c 0 A; c 1 B; c 2 B; c 3 A", JM_FUNNEL_STRICT, steps, NULL, -1),
                    ==, 2);
}

/* Equal timestamps follow the arrival order. */
static void
test_funnel_ties (void)
{
  const char *steps[] = { "A", "B", NULL };

  g_assert_cmpuint (level_in ("c 5 A; c 5 B", JM_FUNNEL_ORDERED, steps, NULL, -1), ==, 2);
  g_assert_cmpuint (level_in ("c 5 B; c 5 A", JM_FUNNEL_ORDERED, steps, NULL, -1), ==, 1);
  g_assert_cmpuint (level_in ("c 5 B; c 5 A", JM_FUNNEL_ANY, steps, NULL, -1), ==, 1);
  g_assert_cmpuint (level_in ("c 5 A; c 5 B", JM_FUNNEL_STRICT, steps, NULL, 0), ==, 2);
}

/* The chain that counts may start at a later step 1 than the first; its times and its
 * breakdown value are that chain's.
 */
static void
test_funnel_best_chain (void)
{
  /* The first A's window (1 day) closes before B; the second A reaches B, and so does the
   * third, but the second is the earliest start that does.
   */
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A free; c 172800 A pro;"
                                                  "c 172900 A team; c 173000 B",
                                                  FALSE, 0);
  const char *steps[] = { "A", "B", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  options.window_ms = DAY_MS;
  options.breakdown = "properties.plan";
  funnel = compute (log, &options);

  g_assert_cmpuint (jm_funnel_get_step (funnel, 1)->count, ==, 1);
  g_assert_cmpfloat (jm_funnel_get_step (funnel, 1)->from_previous.median, ==, 200.0);
  g_assert_cmpuint (jm_funnel_get_n_breakdown (funnel), ==, 1);
  g_assert_cmpstr (jm_funnel_get_breakdown_value (funnel, 0), ==, "pro");
}

/* Greedy matching: each step takes its earliest occurrence after the previous one. */
static void
test_funnel_greedy (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 10 B; c 20 B; c 50 C", FALSE, 0);
  const char *steps[] = { "A", "B", "C", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  funnel = compute (log, &options);

  g_assert_cmpfloat (jm_funnel_get_step (funnel, 1)->from_previous.median, ==, 10.0);
  g_assert_cmpfloat (jm_funnel_get_step (funnel, 2)->from_previous.median, ==, 40.0);
}

static void
test_funnel_breakdown (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("u1 0 A free; u1 5 B;"
                                                  "u2 0 A free;"
                                                  "u3 0 A pro; u3 7 B -;"
                                                  "u4 0 A -; u4 1 B;"
                                                  "u5 0 B pro",
                                                  FALSE, 0);
  const char *steps[] = { "A", "B", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  g_autoptr(JmFunnel) plain = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) plain_json = NULL;
  JsonArray *breakdown;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  options.breakdown = "properties.plan";
  funnel = compute (log, &options);

  /* free (2 units), then (none) and pro with 1 each, by name. */
  g_assert_cmpstr (jm_funnel_get_breakdown_field (funnel), ==, "properties.plan");
  g_assert_cmpuint (jm_funnel_get_n_breakdown (funnel), ==, 3);
  g_assert_cmpstr (jm_funnel_get_breakdown_value (funnel, 0), ==, "free");
  g_assert_cmpstr (jm_funnel_get_breakdown_value (funnel, 1), ==, "(none)");
  g_assert_cmpstr (jm_funnel_get_breakdown_value (funnel, 2), ==, "pro");
  g_assert_cmpuint (jm_funnel_get_breakdown_step (funnel, 0, 0)->count, ==, 2);
  g_assert_cmpuint (jm_funnel_get_breakdown_step (funnel, 0, 1)->count, ==, 1);
  g_assert_cmpfloat (jm_funnel_get_breakdown_step (funnel, 0, 1)->conversion_from_start, ==, 0.5);
  g_assert_cmpfloat (jm_funnel_get_breakdown_step (funnel, 0, 1)->from_start.median, ==, 5.0);
  g_assert_cmpfloat (jm_funnel_get_breakdown_step (funnel, 2, 1)->from_start.median, ==, 7.0);
  /* The overall funnel is all groups together. */
  g_assert_cmpuint (jm_funnel_get_step (funnel, 0)->count, ==, 4);
  g_assert_cmpuint (jm_funnel_get_step (funnel, 1)->count, ==, 3);
  g_assert_cmpfloat (jm_funnel_get_step (funnel, 1)->from_start.median, ==, 5.0);

  json = jm_funnel_to_json (funnel);
  breakdown = json_object_get_array_member (json_node_get_object (json), "breakdown");
  g_assert_cmpuint (json_array_get_length (breakdown), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (breakdown, 1),
                                                  "value"), ==, "(none)");

  /* A field no event has puts every unit under (none). */
  {
    g_autoptr(JmFunnel) nobody = NULL;

    options.breakdown = "properties.nobody";
    nobody = compute (log, &options);
    g_assert_cmpuint (jm_funnel_get_n_breakdown (nobody), ==, 1);
    g_assert_cmpstr (jm_funnel_get_breakdown_value (nobody, 0), ==, "(none)");
    g_assert_cmpuint (jm_funnel_get_breakdown_step (nobody, 0, 0)->count, ==, 4);
  }

  /* Without a breakdown the array is there, and empty. */
  options.breakdown = NULL;
  plain = compute (log, &options);
  g_assert_null (jm_funnel_get_breakdown_field (plain));
  plain_json = jm_funnel_to_json (plain);
  breakdown = json_object_get_array_member (json_node_get_object (plain_json), "breakdown");
  g_assert_nonnull (breakdown);
  g_assert_cmpuint (json_array_get_length (breakdown), ==, 0);
}

/* The units at each level: who never started, who dropped where, who finished. */
static void
test_funnel_dropped (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("u1 0 A; u1 1 B; u1 2 C;"
                                                  "u2 0 A; u2 1 B;"
                                                  "u3 0 A;"
                                                  "u4 0 A; u4 1 B;"
                                                  "u5 0 C",
                                                  FALSE, 0);
  const char *steps[] = { "A", "B", "C", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions options;
  guint expected[] = { 1, 1, 2, 1 };

  jm_funnel_options_init (&options);
  options.steps = steps;
  funnel = compute (log, &options);

  for (guint level = 0; level <= 3; level++)
    {
      g_auto(GStrv) ids = jm_funnel_dup_customer_ids_at_level (funnel, level);
      const guint32 *units;
      guint n_units;

      units = jm_funnel_get_units_at_level (funnel, level, &n_units);
      g_assert_cmpuint (n_units, ==, expected[level]);
      g_assert_cmpuint (g_strv_length (ids), ==, expected[level]);
      for (guint i = 0; i < n_units; i++)
        g_assert_cmpuint (jm_funnel_get_unit_level (funnel, units[i]), ==, level);
    }

  {
    g_auto(GStrv) dropped_after_b = jm_funnel_dup_customer_ids_at_level (funnel, 2);
    g_auto(GStrv) never = jm_funnel_dup_customer_ids_at_level (funnel, 0);
    g_auto(GStrv) done = jm_funnel_dup_customer_ids_at_level (funnel, 3);

    g_assert_true (g_strv_contains ((const char * const *) dropped_after_b, "u2"));
    g_assert_true (g_strv_contains ((const char * const *) dropped_after_b, "u4"));
    g_assert_cmpstr (never[0], ==, "u5");
    g_assert_cmpstr (done[0], ==, "u1");
  }
}

/* Per session, a journey split by a long pause is two units; the customer ids of its
 * drop-offs are given once.
 */
static void
test_funnel_sessions (void)
{
  const char *text = "c 0 A; c 7200 B; c 7300 A; d 0 A";
  g_autoptr(JmRefLog) sessions = jm_ref_log_new_parse (text, TRUE, 30 * 60 * 1000);
  g_autoptr(JmRefLog) customers = jm_ref_log_new_parse (text, FALSE, 0);
  const char *steps[] = { "A", "B", NULL };
  g_autoptr(JmFunnel) by_session = NULL;
  g_autoptr(JmFunnel) by_customer = NULL;
  g_auto(GStrv) level1 = NULL;
  g_autoptr(JsonNode) json = NULL;
  JmFunnelOptions options;
  guint n;

  jm_funnel_options_init (&options);
  options.steps = steps;
  by_session = compute (sessions, &options);
  by_customer = compute (customers, &options);

  /* Sessions: c [A], c [B A], d [A]: three units, none reaches B after A. */
  g_assert_cmpuint (jm_funnel_get_n_units (by_session), ==, 3);
  g_assert_cmpuint (jm_funnel_get_step (by_session, 0)->count, ==, 3);
  g_assert_cmpuint (jm_funnel_get_step (by_session, 1)->count, ==, 0);
  g_assert_false (jm_funnel_get_step (by_session, 1)->has_times);
  g_assert_cmpfloat (jm_funnel_get_step (by_session, 1)->conversion_from_start, ==, 0.0);
  jm_funnel_get_units_at_level (by_session, 1, &n);
  g_assert_cmpuint (n, ==, 3);
  level1 = jm_funnel_dup_customer_ids_at_level (by_session, 1);
  g_assert_cmpuint (g_strv_length (level1), ==, 2);

  g_assert_cmpuint (jm_funnel_get_n_units (by_customer), ==, 2);
  g_assert_cmpuint (jm_funnel_get_step (by_customer, 1)->count, ==, 1);

  json = jm_funnel_to_json (by_session);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "unit"), ==,
                   "session");
}

static void
test_funnel_invalid (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A", FALSE, 0);
  const char *none[] = { NULL };
  const char *steps[] = { "A", "B", NULL };
  const char *exclude_step[] = { "B", NULL };
  const char *unknown[] = { "Nope", "A", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = none;
  g_assert_null (jm_funnel_compute (log->units, &options, &error));
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  options.steps = steps;
  options.exclude = exclude_step;
  g_assert_null (jm_funnel_compute (log->units, &options, &error));
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  options.exclude = NULL;
  options.window_ms = -1;
  g_assert_null (jm_funnel_compute (log->units, &options, &error));
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  /* A breakdown needs a field of the events (properties.…, context.…, traits.…). */
  options.window_ms = DAY_MS;
  options.breakdown = "plan";
  g_assert_null (jm_funnel_compute (log->units, &options, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "plan"));
  g_clear_error (&error);
  options.breakdown = NULL;

  /* An unknown step name matches nothing: not an error. */
  options.window_ms = DAY_MS;
  options.steps = unknown;
  funnel = compute (log, &options);
  g_assert_cmpuint (jm_funnel_get_step (funnel, 0)->count, ==, 0);
  g_assert_cmpfloat (jm_funnel_get_step (funnel, 1)->conversion_from_start, ==, 0.0);
}

/* A one-step funnel counts the units that did it. */
static void
test_funnel_one_step (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("a 0 A; b 0 B; c 0 A", FALSE, 0);
  const char *steps[] = { "A", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  funnel = compute (log, &options);
  g_assert_cmpuint (jm_funnel_get_n_steps (funnel), ==, 1);
  g_assert_cmpuint (jm_funnel_get_step (funnel, 0)->count, ==, 2);
  g_assert_cmpfloat (jm_funnel_get_step (funnel, 0)->conversion_from_start, ==, 1.0);
}

static void
test_funnel_json (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 1.5 B", FALSE, 0);
  const char *steps[] = { "A", "B", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  options.mode = JM_FUNNEL_STRICT;
  options.window_ms = 90000;
  funnel = compute (log, &options);
  json = jm_funnel_to_json (funnel);
  text = json_to_string (json, FALSE);

  g_assert_cmpstr (text, ==,
                   "{\"unit\":\"customer\",\"mode\":\"strict\",\"window_seconds\":90.0,"
                   "\"units\":1,\"steps\":["
                   "{\"name\":\"A\",\"count\":1,\"conversion_from_start\":1.0,"
                   "\"conversion_from_previous\":1.0,\"median_seconds_from_previous\":null,"
                   "\"mean_seconds_from_previous\":null,\"p90_seconds_from_previous\":null,"
                   "\"median_seconds_from_start\":null,\"mean_seconds_from_start\":null,"
                   "\"p90_seconds_from_start\":null},"
                   "{\"name\":\"B\",\"count\":1,\"conversion_from_start\":1.0,"
                   "\"conversion_from_previous\":1.0,\"median_seconds_from_previous\":1.5,"
                   "\"mean_seconds_from_previous\":1.5,\"p90_seconds_from_previous\":1.5,"
                   "\"median_seconds_from_start\":1.5,\"mean_seconds_from_start\":1.5,"
                   "\"p90_seconds_from_start\":1.5}],\"breakdown\":[]}");
}

static void
test_funnel_csv (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("u1 0 A free; u1 2 B; u2 0 A", FALSE, 0);
  const char *steps[] = { "A", "B", NULL };
  g_autoptr(JmFunnel) funnel = NULL;
  g_autoptr(JmFunnel) plain = NULL;
  g_autoptr(JmTable) table = NULL;
  g_autoptr(JmTable) plain_table = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *plain_csv = NULL;
  JmFunnelOptions options;

  jm_funnel_options_init (&options);
  options.steps = steps;
  plain = compute (log, &options);
  plain_table = jm_funnel_to_table (plain);
  plain_csv = jm_table_to_csv (plain_table);
  g_assert_cmpstr (plain_csv, ==,
                   "step,name,count,conversion_from_start,conversion_from_previous,"
                   "median_seconds_from_previous,mean_seconds_from_previous,"
                   "p90_seconds_from_previous,median_seconds_from_start,"
                   "mean_seconds_from_start,p90_seconds_from_start\n"
                   "1,A,2,1,1,,,,,,\n"
                   "2,B,1,0.5,0.5,2,2,2,2,2,2\n");

  options.breakdown = "properties.plan";
  funnel = compute (log, &options);
  table = jm_funnel_to_table (funnel);
  csv = jm_table_to_csv (table);
  g_assert_cmpstr (csv, ==,
                   "value,step,name,count,conversion_from_start,conversion_from_previous,"
                   "median_seconds_from_previous,mean_seconds_from_previous,"
                   "p90_seconds_from_previous,median_seconds_from_start,"
                   "mean_seconds_from_start,p90_seconds_from_start\n"
                   ",1,A,2,1,1,,,,,,\n"
                   ",2,B,1,0.5,0.5,2,2,2,2,2,2\n"
                   "(none),1,A,1,1,1,,,,,,\n"
                   "(none),2,B,0,0,0,,,,,,\n"
                   "free,1,A,1,1,1,,,,,,\n"
                   "free,2,B,1,1,1,2,2,2,2,2,2\n");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
compare_with_reference (JmRefLog                 *log,
                        const JmFunnelOptions    *options,
                        const JmRefFunnelOptions *ref_options,
                        guint                     seed)
{
  g_autoptr(JmFunnel) funnel = compute (log, options);
  g_autoptr(JsonNode) got = jm_funnel_to_json (funnel);
  g_autofree guint *ref_levels = g_new0 (guint, log->n_ref_units + 1);
  g_autoptr(JsonNode) want = jm_ref_funnel (log->ref_units, log->n_ref_units,
                                            log->sessions ? "session" : "customer",
                                            ref_options, ref_levels);
  g_autoptr(GPtrArray) got_levels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) want_levels = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *where = NULL;

  if (!jm_ref_json_equal (got, want, &where))
    {
      g_autofree char *got_text = jm_ref_json_to_string (got);
      g_autofree char *want_text = jm_ref_json_to_string (want);

      g_test_message ("seed %u differs at %s\ngot: %s\nwant: %s",
                      seed, where, got_text, want_text);
      g_test_fail ();
      return;
    }

  /* Every unit's level, matched by customer and first timestamp. */
  g_assert_cmpuint (log->units->n_units, ==, log->n_ref_units);
  for (guint32 u = 0; u < log->units->n_units; u++)
    {
      g_autofree char *key = jm_ref_unit_key (log->units, u);

      g_ptr_array_add (got_levels, g_strdup_printf ("%s=%u", key,
                                                    jm_funnel_get_unit_level (funnel, u)));
    }
  for (guint u = 0; u < log->n_ref_units; u++)
    g_ptr_array_add (want_levels,
                     g_strdup_printf ("%s@%" G_GINT64_FORMAT "=%u", log->ref_units[u].customer,
                                      log->ref_units[u].events[0].ts, ref_levels[u]));
  g_ptr_array_sort (got_levels, compare_strings);
  g_ptr_array_sort (want_levels, compare_strings);
  for (guint i = 0; i < got_levels->len; i++)
    if (!g_str_equal (g_ptr_array_index (got_levels, i), g_ptr_array_index (want_levels, i)))
      {
        g_test_message ("seed %u: unit level %s, reference %s", seed,
                        (char *) g_ptr_array_index (got_levels, i),
                        (char *) g_ptr_array_index (want_levels, i));
        g_test_fail ();
        return;
      }
}

/* Thousands of random logs, in every mode with random windows, exclusions and breakdowns:
 * every number and every unit's level equals the reference's.
 */
static void
test_funnel_random (void)
{
  static const char * const alphabet[] = { "A", "B", "C", "D", "X", NULL };
  static const char * const step_names[] = { "A", "B", "C", "D", "Z", NULL };
  static const gint64 windows[] = { 0, 500, 2000, 6000, 20000, 14 * DAY_MS };

  for (guint seed = 1; seed <= 3000 && !g_test_failed (); seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      gboolean sessions = g_rand_int_range (rand, 0, 4) == 0;
      g_autoptr(JmRefLog) log = jm_ref_log_new_random (rand, alphabet, 36, sessions, 3000);
      const char *steps[5];
      const char *exclude[2] = { NULL, NULL };
      guint n_steps = g_rand_int_range (rand, 1, 5);
      JmFunnelOptions options;
      JmRefFunnelOptions ref_options;

      for (guint j = 0; j < n_steps; j++)
        steps[j] = step_names[g_rand_int_range (rand, 0, 5)];
      steps[n_steps] = NULL;
      /* An exclusion that is not a step. */
      if (g_rand_boolean (rand))
        {
          const char *candidate = g_rand_boolean (rand) ? "X" : "D";

          if (!g_strv_contains (steps, candidate))
            exclude[0] = candidate;
        }

      jm_funnel_options_init (&options);
      options.steps = steps;
      options.mode = g_rand_int_range (rand, 0, 3);
      options.window_ms = windows[g_rand_int_range (rand, 0, G_N_ELEMENTS (windows))];
      options.exclude = exclude;
      options.breakdown = g_rand_boolean (rand) ? "properties.plan" : NULL;

      ref_options.steps = steps;
      ref_options.mode = jm_funnel_mode_to_string (options.mode);
      ref_options.window_ms = options.window_ms;
      ref_options.exclude = exclude;
      ref_options.breakdown = options.breakdown != NULL;

      compare_with_reference (log, &options, &ref_options, seed);
    }
}

/* A log large enough to be split between two threads, in each mode. */
static void
test_funnel_large (void)
{
  static const char * const alphabet[] = { "home", "search", "product", "cart", "checkout",
                                           "help", NULL };
  const char *steps[] = { "home", "product", "cart", "checkout", NULL };
  const char *exclude[] = { "help", NULL };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(JmRefLog) log = jm_ref_log_new_random_large (rand, alphabet, 70000);

  for (JmFunnelMode mode = JM_FUNNEL_ORDERED; mode <= JM_FUNNEL_ANY; mode++)
    {
      JmFunnelOptions options;
      JmRefFunnelOptions ref_options;

      jm_funnel_options_init (&options);
      options.steps = steps;
      options.mode = mode;
      options.window_ms = 7 * DAY_MS;
      options.exclude = exclude;
      options.breakdown = "properties.plan";
      ref_options.steps = steps;
      ref_options.mode = jm_funnel_mode_to_string (mode);
      ref_options.window_ms = options.window_ms;
      ref_options.exclude = exclude;
      ref_options.breakdown = TRUE;

      compare_with_reference (log, &options, &ref_options, 11);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/funnel/ordered", test_funnel_ordered);
  g_test_add_func ("/jm/funnel/times", test_funnel_times);
  g_test_add_func ("/jm/funnel/window-edge", test_funnel_window_edge);
  g_test_add_func ("/jm/funnel/modes", test_funnel_modes);
  g_test_add_func ("/jm/funnel/any-times", test_funnel_any_times);
  g_test_add_func ("/jm/funnel/exclusion", test_funnel_exclusion);
  g_test_add_func ("/jm/funnel/repeated-steps", test_funnel_repeated_steps);
  g_test_add_func ("/jm/funnel/ties", test_funnel_ties);
  g_test_add_func ("/jm/funnel/best-chain", test_funnel_best_chain);
  g_test_add_func ("/jm/funnel/greedy", test_funnel_greedy);
  g_test_add_func ("/jm/funnel/breakdown", test_funnel_breakdown);
  g_test_add_func ("/jm/funnel/dropped", test_funnel_dropped);
  g_test_add_func ("/jm/funnel/sessions", test_funnel_sessions);
  g_test_add_func ("/jm/funnel/invalid", test_funnel_invalid);
  g_test_add_func ("/jm/funnel/one-step", test_funnel_one_step);
  g_test_add_func ("/jm/funnel/json", test_funnel_json);
  g_test_add_func ("/jm/funnel/csv", test_funnel_csv);
  g_test_add_func ("/jm/funnel/random", test_funnel_random);
  g_test_add_func ("/jm/funnel/large", test_funnel_large);

  return g_test_run ();
}
