/* test-units.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "jm-units.h"

/* 2026-05-28T20:26:40Z */
#define T0 G_GINT64_CONSTANT (1780000000000)
#define MINUTE (G_GINT64_CONSTANT (60) * 1000)
#define DAY (24 * 60 * MINUTE)

/* a: Home@0, Search@20m, Buy@40m, Home@1d      traits.plan "pro"
 * b: Home@-1d, Buy@5m                           traits.plan "free"
 * c: Home@2d                                    no traits
 */
static JmEventLog *
make_log (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  guint32 h;

  h = jm_event_log_builder_add (builder, "a", T0, "Home", NULL);
  jm_event_log_builder_set_field_json (builder, h, "traits.plan", "\"pro\"");
  jm_event_log_builder_add (builder, "a", T0 + 20 * MINUTE, "Search", NULL);
  jm_event_log_builder_add (builder, "a", T0 + 40 * MINUTE, "Buy", NULL);
  jm_event_log_builder_add (builder, "a", T0 + DAY, "Home", NULL);
  h = jm_event_log_builder_add (builder, "b", T0 - DAY, "Home", NULL);
  jm_event_log_builder_set_field_json (builder, h, "traits.plan", "\"free\"");
  jm_event_log_builder_add (builder, "b", T0 + 5 * MINUTE, "Buy", NULL);
  jm_event_log_builder_add (builder, "c", T0 + 2 * DAY, "Home", NULL);

  return jm_event_log_builder_finish (builder);
}

/* "a:Home,Search|b:Buy": units separated by '|', each "customer:names". */
static char *
describe (const JmUnits *units)
{
  const JmEventLogColumns *cols = jm_event_log_get_columns (units->log);
  GString *text = g_string_new (NULL);

  g_assert_cmpuint (units->offsets[0], ==, 0);
  g_assert_cmpuint (units->offsets[units->n_units], ==, units->n_events);

  for (guint32 u = 0; u < units->n_units; u++)
    {
      g_assert_cmpuint (units->offsets[u], <, units->offsets[u + 1]);
      g_string_append_printf (text, "%s%s:", u > 0 ? "|" : "",
                              jm_event_log_get_customer_id (units->log, units->unit_customer[u]));

      for (guint32 k = units->offsets[u]; k < units->offsets[u + 1]; k++)
        {
          guint32 i = units->events[k];

          g_assert_cmpuint (cols->customer[i], ==, units->unit_customer[u]);
          g_string_append_printf (text, "%s%s", k > units->offsets[u] ? "," : "",
                                  jm_event_log_get_name (units->log, cols->name[i]));
        }
    }

  return g_string_free (text, FALSE);
}

static char *
describe_filtered (JmEventLog     *log,
                   const JmFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmUnits) units = jm_units_new (log, filter, &error);

  g_assert_no_error (error);
  g_assert_nonnull (units);
  g_assert_cmpint (units->unit, ==, filter != NULL ? filter->unit : JM_UNIT_CUSTOMER);

  return describe (units);
}

static void
assert_units (JmEventLog     *log,
              const JmFilter *filter,
              const char     *expected)
{
  g_autofree char *text = describe_filtered (log, filter);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_no_filter (void)
{
  g_autoptr(JmEventLog) log = make_log ();
  g_autoptr(JmUnits) units = NULL;
  JmFilter filter;

  assert_units (log, NULL, "a:Home,Search,Buy,Home|b:Home,Buy|c:Home");

  jm_filter_init (&filter);
  g_assert_cmpint (filter.unit, ==, JM_UNIT_CUSTOMER);
  g_assert_cmpint (filter.session_gap_ms, ==, 30 * MINUTE);
  units = jm_units_new (log, &filter, NULL);
  g_assert_cmpuint (units->n_units, ==, 3);
  g_assert_cmpuint (units->n_events, ==, 7);

  filter.unit = JM_UNIT_SESSION;
  assert_units (log, &filter, "a:Home,Search,Buy|a:Home|b:Home|b:Buy|c:Home");

  /* A filter that keeps everything gives what the shortcuts give. */
  filter.has_from = TRUE;
  filter.from_ms = 0;
  assert_units (log, &filter, "a:Home,Search,Buy|a:Home|b:Home|b:Buy|c:Home");
  filter.unit = JM_UNIT_CUSTOMER;
  assert_units (log, &filter, "a:Home,Search,Buy,Home|b:Home,Buy|c:Home");
}

static void
test_dates (void)
{
  g_autoptr(JmEventLog) log = make_log ();
  JmFilter filter;

  /* --from is inclusive, --to exclusive; customers left with nothing are no unit. */
  jm_filter_init (&filter);
  filter.has_from = TRUE;
  filter.from_ms = T0;
  filter.has_to = TRUE;
  filter.to_ms = T0 + 40 * MINUTE;
  assert_units (log, &filter, "a:Home,Search|b:Buy");

  filter.to_ms = T0 + 40 * MINUTE + 1;
  assert_units (log, &filter, "a:Home,Search,Buy|b:Buy");

  filter.from_ms = T0 + 1;
  assert_units (log, &filter, "a:Search,Buy|b:Buy");

  filter.has_to = FALSE;
  filter.from_ms = T0 + DAY;
  assert_units (log, &filter, "a:Home|c:Home");

  filter.has_from = FALSE;
  filter.has_to = TRUE;
  filter.to_ms = T0;
  assert_units (log, &filter, "b:Home");

  filter.to_ms = T0 - DAY;
  assert_units (log, &filter, "");
}

static void
test_where (void)
{
  g_autoptr(JmEventLog) log = make_log ();
  g_autoptr(JmWhere) not_search = jm_where_parse ("name != 'Search'", NULL, NULL);
  g_autoptr(JmWhere) buy = jm_where_parse ("name = 'Buy'", NULL, NULL);
  JmFilter filter;

  jm_filter_init (&filter);
  filter.where = not_search;
  assert_units (log, &filter, "a:Home,Buy,Home|b:Home,Buy|c:Home");

  /* Sessions are cut over the remaining events: without Search, Home and Buy are 40
   * minutes apart.
   */
  filter.unit = JM_UNIT_SESSION;
  assert_units (log, &filter, "a:Home|a:Buy|a:Home|b:Home|b:Buy|c:Home");

  filter.unit = JM_UNIT_CUSTOMER;
  filter.where = buy;
  assert_units (log, &filter, "a:Buy|b:Buy");
}

static void
test_traits (void)
{
  g_autoptr(JmEventLog) log = make_log ();
  g_autoptr(JmWhere) pro = jm_where_parse ("traits.plan = 'pro'", NULL, NULL);
  g_autoptr(JmWhere) not_pro = jm_where_parse ("traits.plan != 'pro'", NULL, NULL);
  g_autoptr(JmWhere) no_plan = jm_where_parse ("not traits.plan exists", NULL, NULL);
  g_autoptr(JmWhere) mixed = jm_where_parse ("traits.plan = 'free' and name = 'Buy'", NULL,
                                             NULL);
  JmFilter filter;

  /* Terms over traits keep or drop whole customers. */
  jm_filter_init (&filter);
  filter.where = pro;
  assert_units (log, &filter, "a:Home,Search,Buy,Home");
  filter.where = not_pro;
  assert_units (log, &filter, "b:Home,Buy");
  filter.where = no_plan;
  assert_units (log, &filter, "c:Home");
  filter.where = mixed;
  assert_units (log, &filter, "b:Buy");
}

static void
test_segment (void)
{
  g_autoptr(JmEventLog) log = make_log ();
  g_autoptr(GHashTable) segment = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);
  JmFilter filter;

  g_hash_table_add (segment, (gpointer)"b");
  g_hash_table_add (segment, (gpointer)"c");
  g_hash_table_add (segment, (gpointer)"someone else");

  jm_filter_init (&filter);
  filter.customers = segment;
  assert_units (log, &filter, "b:Home,Buy|c:Home");

  filter.has_from = TRUE;
  filter.from_ms = T0;
  assert_units (log, &filter, "b:Buy|c:Home");

  filter.unit = JM_UNIT_SESSION;
  filter.has_from = FALSE;
  assert_units (log, &filter, "b:Home|b:Buy|c:Home");

  filter.customers = empty;
  assert_units (log, &filter, "");
}

static void
test_session_gap (void)
{
  g_autoptr(JmEventLog) log = make_log ();
  JmFilter filter;

  jm_filter_init (&filter);
  filter.unit = JM_UNIT_SESSION;

  /* a's first events are exactly 20 minutes apart: a gap of 20 minutes keeps them
   * together ("exceeds"), one millisecond less splits them.
   */
  filter.session_gap_ms = 20 * MINUTE;
  assert_units (log, &filter, "a:Home,Search,Buy|a:Home|b:Home|b:Buy|c:Home");

  filter.session_gap_ms = 20 * MINUTE - 1;
  assert_units (log, &filter, "a:Home|a:Search|a:Buy|a:Home|b:Home|b:Buy|c:Home");

  filter.session_gap_ms = 25 * 60 * MINUTE;
  assert_units (log, &filter, "a:Home,Search,Buy,Home|b:Home,Buy|c:Home");

  /* No gap given: the default. */
  filter.session_gap_ms = 0;
  assert_units (log, &filter, "a:Home,Search,Buy|a:Home|b:Home|b:Buy|c:Home");
}

static void
test_unit_kind (void)
{
  JmUnitKind unit;

  g_assert_cmpstr (jm_unit_kind_to_string (JM_UNIT_CUSTOMER), ==, "customer");
  g_assert_cmpstr (jm_unit_kind_to_string (JM_UNIT_SESSION), ==, "session");
  g_assert_true (jm_unit_kind_from_string ("session", &unit));
  g_assert_cmpint (unit, ==, JM_UNIT_SESSION);
  g_assert_true (jm_unit_kind_from_string ("customer", &unit));
  g_assert_cmpint (unit, ==, JM_UNIT_CUSTOMER);
  g_assert_false (jm_unit_kind_from_string ("visit", &unit));
  g_assert_false (jm_unit_kind_from_string (NULL, &unit));
}

static void
test_empty_log (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = jm_event_log_builder_finish (builder);
  g_autoptr(JmWhere) where = jm_where_parse ("properties.x = 1", NULL, NULL);
  JmFilter filter;

  jm_filter_init (&filter);
  assert_units (log, &filter, "");
  filter.unit = JM_UNIT_SESSION;
  assert_units (log, &filter, "");
  filter.where = where;
  assert_units (log, &filter, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/units/no-filter", test_no_filter);
  g_test_add_func ("/jm/units/dates", test_dates);
  g_test_add_func ("/jm/units/where", test_where);
  g_test_add_func ("/jm/units/traits", test_traits);
  g_test_add_func ("/jm/units/segment", test_segment);
  g_test_add_func ("/jm/units/session-gap", test_session_gap);
  g_test_add_func ("/jm/units/unit-kind", test_unit_kind);
  g_test_add_func ("/jm/units/empty-log", test_empty_log);

  return g_test_run ();
}
