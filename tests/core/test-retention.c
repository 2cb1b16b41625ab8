/* test-retention.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-retention"

#include "config.h"

#include <string.h>

#include "jm-analysis-error.h"
#include "jm-retention.h"
#include "jm-time.h"

#define DAY  (G_GINT64_CONSTANT (86400000))
#define HOUR (G_GINT64_CONSTANT (3600000))

/* Midnight UTC of some dates (checked against a calendar). */
#define SUN_2026_03_01 G_GINT64_CONSTANT (1772323200000)
#define MON_2026_03_02 G_GINT64_CONSTANT (1772409600000)
#define MON_2026_02_23 G_GINT64_CONSTANT (1771804800000)
#define THU_2026_01_01 G_GINT64_CONSTANT (1767225600000)
#define MON_2025_12_29 G_GINT64_CONSTANT (1766966400000)

static JmUnits *
units_for (JmEventLog *log,
           JmUnitKind  unit,
           gint64      session_gap_ms)
{
  g_autoptr(GError) error = NULL;
  JmFilter filter;
  JmUnits *units;

  jm_filter_init (&filter);
  filter.unit = unit;
  if (session_gap_ms > 0)
    filter.session_gap_ms = session_gap_ms;
  units = jm_units_new (log, &filter, &error);
  g_assert_no_error (error);
  g_assert_nonnull (units);

  return units;
}

static JmRetention *
compute (JmEventLog         *log,
         const char         *cohort_event,
         const char         *return_event,
         JmRetentionPeriod   period,
         guint               periods,
         gboolean            unbounded,
         gint64              data_end_ms)
{
  g_autoptr(JmUnits) units = units_for (log, JM_UNIT_CUSTOMER, 0);
  g_autoptr(GError) error = NULL;
  JmRetentionOptions options;
  JmRetention *retention;

  jm_retention_options_init (&options);
  options.cohort_event = cohort_event;
  options.return_event = return_event;
  options.period = period;
  options.periods = periods;
  options.unbounded = unbounded;
  retention = jm_retention_compute (units, &options, data_end_ms, &error);
  g_assert_no_error (error);
  g_assert_nonnull (retention);

  return retention;
}

/* Asserts cohort `i` against "YYYY-MM-DD" and its retained values (-1 for null). */
static void
assert_cohort (const JmRetention *retention,
               guint              i,
               const char        *start,
               const gint64      *expected,
               guint              n_expected)
{
  const JmRetentionCohort *cohort;
  g_autofree char *date = NULL;

  g_assert_cmpuint (i, <, retention->n_cohorts);
  g_assert_cmpuint (n_expected, ==, retention->periods + 1);
  cohort = &retention->cohorts[i];
  date = jm_time_format_date (cohort->start_ms);
  g_assert_cmpstr (date, ==, start);
  g_assert_cmpint (cohort->size, ==, expected[0]);
  for (guint k = 0; k < n_expected; k++)
    g_assert_cmpint (cohort->retained[k], ==, expected[k]);
}

#define ASSERT_COHORT(r, i, start, ...) \
  G_STMT_START { \
    const gint64 expected_[] = { __VA_ARGS__ }; \
    assert_cohort ((r), (i), (start), expected_, G_N_ELEMENTS (expected_)); \
  } G_STMT_END

static void
test_period_arithmetic (void)
{
  JmRetentionPeriod period;
  gint64 week;

  /* 1970-01-01 was a Thursday: its ISO week began on Monday 1969-12-29. */
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_WEEK, 0), ==, 0);
  g_assert_cmpint (jm_retention_period_start_ms (JM_RETENTION_PERIOD_WEEK, 0), ==, -3 * DAY);
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_WEEK, -3 * DAY), ==, 0);
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_WEEK, -3 * DAY - 1), ==, -1);
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_DAY, -1), ==, -1);

  /* Sunday 23:59:59.999 and Monday 00:00 are in consecutive weeks. */
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_WEEK, MON_2026_03_02 - 1) + 1,
                   ==,
                   jm_retention_period_index (JM_RETENTION_PERIOD_WEEK, MON_2026_03_02));
  week = jm_retention_period_index (JM_RETENTION_PERIOD_WEEK, SUN_2026_03_01 + 12 * HOUR);
  g_assert_cmpint (jm_retention_period_start_ms (JM_RETENTION_PERIOD_WEEK, week), ==,
                   MON_2026_02_23);

  /* Months across a year end and a leap day. */
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_MONTH, THU_2026_01_01),
                   ==, 56 * 12);
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_MONTH, THU_2026_01_01 - 1),
                   ==, 56 * 12 - 1);
  g_assert_cmpint (jm_retention_period_start_ms (JM_RETENTION_PERIOD_MONTH, 56 * 12), ==,
                   THU_2026_01_01);
  g_assert_cmpint (jm_retention_period_start_ms (JM_RETENTION_PERIOD_MONTH, -1), ==, -31 * DAY);
  /* 2024-02-29 and 2024-03-01 (UTC). */
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_MONTH,
                                              G_GINT64_CONSTANT (1709164800000)), ==, 54 * 12 + 1);
  g_assert_cmpint (jm_retention_period_index (JM_RETENTION_PERIOD_MONTH,
                                              G_GINT64_CONSTANT (1709251200000)), ==, 54 * 12 + 2);

  g_assert_true (jm_retention_period_from_string ("month", &period));
  g_assert_cmpint (period, ==, JM_RETENTION_PERIOD_MONTH);
  g_assert_false (jm_retention_period_from_string ("fortnight", &period));
  g_assert_cmpstr (jm_retention_period_to_string (JM_RETENTION_PERIOD_WEEK), ==, "week");
}

static void
test_week_boundary (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmRetention) retention = NULL;

  /* a signs up in the last millisecond of Sunday, b at the first of Monday. */
  jm_event_log_builder_add (builder, "a", MON_2026_03_02 - 1, "signup", "");
  jm_event_log_builder_add (builder, "b", MON_2026_03_02, "signup", "");
  /* a returns in the week of b's signup (its week 1), b a week later (its week 1). */
  jm_event_log_builder_add (builder, "a", MON_2026_03_02 + 2 * HOUR, "buy", "");
  jm_event_log_builder_add (builder, "b", MON_2026_03_02 + 7 * DAY, "buy", "");
  /* b also buys on its signup Monday: period 0 is the size, not a return. */
  jm_event_log_builder_add (builder, "b", MON_2026_03_02 + HOUR, "buy", "");
  log = jm_event_log_builder_finish (builder);

  retention = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 2, FALSE,
                       MON_2026_03_02 + 30 * DAY);
  g_assert_cmpuint (retention->n_cohorts, ==, 2);
  ASSERT_COHORT (retention, 0, "2026-02-23", 1, 1, 0);
  ASSERT_COHORT (retention, 1, "2026-03-02", 1, 1, 0);
}

static void
test_day_and_month_boundaries (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmRetention) days = NULL;
  g_autoptr(JmRetention) months = NULL;

  /* New Year's Eve 23:59:59.999 and New Year's Day 00:00. */
  jm_event_log_builder_add (builder, "a", THU_2026_01_01 - 1, "signup", "");
  jm_event_log_builder_add (builder, "a", THU_2026_01_01, "buy", "");
  jm_event_log_builder_add (builder, "b", THU_2026_01_01, "signup", "");
  jm_event_log_builder_add (builder, "b", THU_2026_01_01 + DAY - 1, "buy", "");
  jm_event_log_builder_add (builder, "b", THU_2026_01_01 + 31 * DAY, "buy", "");   /* Feb 1 */
  log = jm_event_log_builder_finish (builder);

  days = compute (log, "signup", "buy", JM_RETENTION_PERIOD_DAY, 1, FALSE,
                  THU_2026_01_01 + 60 * DAY);
  g_assert_cmpuint (days->n_cohorts, ==, 2);
  ASSERT_COHORT (days, 0, "2025-12-31", 1, 1);
  ASSERT_COHORT (days, 1, "2026-01-01", 1, 0);

  months = compute (log, "signup", "buy", JM_RETENTION_PERIOD_MONTH, 2, FALSE,
                    THU_2026_01_01 + 90 * DAY);
  g_assert_cmpuint (months->n_cohorts, ==, 2);
  ASSERT_COHORT (months, 0, "2025-12-01", 1, 1, 0);
  ASSERT_COHORT (months, 1, "2026-01-01", 1, 1, 0);
}

static JmEventLog *
gap_log (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();

  /* a: signs up in week 0, comes back in weeks 2 and 5 only. */
  jm_event_log_builder_add (builder, "a", MON_2025_12_29 + HOUR, "signup", "");
  jm_event_log_builder_add (builder, "a", MON_2025_12_29 + 14 * DAY, "buy", "");
  jm_event_log_builder_add (builder, "a", MON_2025_12_29 + 35 * DAY + HOUR, "buy", "");
  /* b: same cohort, comes back in week 1 only, twice. */
  jm_event_log_builder_add (builder, "b", MON_2025_12_29 + 6 * DAY, "signup", "");
  jm_event_log_builder_add (builder, "b", MON_2025_12_29 + 8 * DAY, "buy", "");
  jm_event_log_builder_add (builder, "b", MON_2025_12_29 + 9 * DAY, "buy", "");
  /* c: never signs up; its purchases count nowhere. */
  jm_event_log_builder_add (builder, "c", MON_2025_12_29 + 8 * DAY, "buy", "");

  return jm_event_log_builder_finish (builder);
}

static void
test_classic_and_unbounded (void)
{
  g_autoptr(JmEventLog) log = gap_log ();
  g_autoptr(JmRetention) classic = NULL;
  g_autoptr(JmRetention) unbounded = NULL;
  gint64 end = MON_2025_12_29 + 70 * DAY;

  classic = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 4, FALSE, end);
  g_assert_cmpuint (classic->n_cohorts, ==, 1);
  ASSERT_COHORT (classic, 0, "2025-12-29", 2, 1, 1, 0, 0);

  /* a returns in week 5, beyond the periods shown: retained at every k. */
  unbounded = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 4, TRUE, end);
  ASSERT_COHORT (unbounded, 0, "2025-12-29", 2, 2, 1, 1, 1);
}

static void
test_incomplete_periods (void)
{
  g_autoptr(JmEventLog) log = gap_log ();
  g_autoptr(JmRetention) retention = NULL;
  g_autoptr(JmRetention) exact = NULL;
  g_autoptr(JmRetention) unbounded = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;

  /* The data ends in the middle of week 2: weeks 2 and 3 are unknown. */
  retention = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 3, FALSE,
                       MON_2025_12_29 + 15 * DAY);
  ASSERT_COHORT (retention, 0, "2025-12-29", 2, 1, -1, -1);

  /* Data reaching the last millisecond of week 2 completes it; so does an exclusive --to
   * bound on the next Monday.
   */
  exact = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 3, FALSE,
                   MON_2025_12_29 + 21 * DAY - 1);
  ASSERT_COHORT (exact, 0, "2025-12-29", 2, 1, 1, -1);
  g_clear_pointer (&exact, jm_retention_free);
  exact = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 3, FALSE,
                   MON_2025_12_29 + 21 * DAY);
  ASSERT_COHORT (exact, 0, "2025-12-29", 2, 1, 1, -1);

  unbounded = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 3, TRUE,
                       MON_2025_12_29 + 15 * DAY);
  ASSERT_COHORT (unbounded, 0, "2025-12-29", 2, 2, -1, -1);

  json = jm_retention_to_json (retention);
  text = json_to_string (json, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"unit\":\"customer\",\"period\":\"week\",\"mode\":\"classic\","
                   "\"cohort_event\":\"signup\",\"return_event\":\"buy\",\"periods\":3,"
                   "\"cohorts\":[{\"start\":\"2025-12-29\",\"size\":2,"
                   "\"retained\":[2,1,null,null]}]}");
}

static void
test_data_end (void)
{
  g_autoptr(JmEventLog) log = gap_log ();
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) empty = jm_event_log_builder_finish (builder);
  JmFilter filter;

  /* The latest event of any customer, whatever the filters keep. */
  jm_filter_init (&filter);
  g_assert_cmpint (jm_retention_data_end_ms (log, &filter), ==, MON_2025_12_29 + 35 * DAY + HOUR);
  g_assert_cmpint (jm_retention_data_end_ms (log, NULL), ==, MON_2025_12_29 + 35 * DAY + HOUR);

  /* --to ends the data when it comes first; beyond the data it changes nothing. */
  filter.has_to = TRUE;
  filter.to_ms = MON_2025_12_29 + 14 * DAY;
  g_assert_cmpint (jm_retention_data_end_ms (log, &filter), ==, MON_2025_12_29 + 14 * DAY);
  filter.to_ms = MON_2025_12_29 + 365 * DAY;
  g_assert_cmpint (jm_retention_data_end_ms (log, &filter), ==, MON_2025_12_29 + 35 * DAY + HOUR);

  g_assert_cmpint (jm_retention_data_end_ms (empty, NULL), ==, G_MININT64);
}

static void
test_first_cohort_event_only (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmRetention) retention = NULL;

  /* a signs up again in week 1: it stays in cohort week 0 only. */
  jm_event_log_builder_add (builder, "a", MON_2025_12_29, "signup", "");
  jm_event_log_builder_add (builder, "a", MON_2025_12_29 + 7 * DAY, "signup", "");
  jm_event_log_builder_add (builder, "b", MON_2025_12_29 + 7 * DAY, "signup", "");
  jm_event_log_builder_add (builder, "b", MON_2025_12_29 + 14 * DAY, "buy", "");
  /* A purchase before the signup is not a return. */
  jm_event_log_builder_add (builder, "d", MON_2025_12_29, "buy", "");
  jm_event_log_builder_add (builder, "d", MON_2025_12_29 + 7 * DAY, "signup", "");
  log = jm_event_log_builder_finish (builder);

  retention = compute (log, "signup", "buy", JM_RETENTION_PERIOD_WEEK, 2, FALSE,
                       MON_2025_12_29 + 70 * DAY);
  g_assert_cmpuint (retention->n_cohorts, ==, 2);
  ASSERT_COHORT (retention, 0, "2025-12-29", 1, 0, 0);
  ASSERT_COHORT (retention, 1, "2026-01-05", 2, 1, 0);
}

static void
test_return_same_as_cohort (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmRetention) retention = NULL;
  g_autoptr(JmRetention) unbounded = NULL;

  /* a visits once; b twice in its first week; c in weeks 0 and 1; d in weeks 0 and 2. */
  jm_event_log_builder_add (builder, "a", MON_2025_12_29, "visit", "");
  jm_event_log_builder_add (builder, "b", MON_2025_12_29, "visit", "");
  jm_event_log_builder_add (builder, "b", MON_2025_12_29 + 3 * DAY, "visit", "");
  jm_event_log_builder_add (builder, "c", MON_2025_12_29 + DAY, "visit", "");
  jm_event_log_builder_add (builder, "c", MON_2025_12_29 + 8 * DAY, "visit", "");
  jm_event_log_builder_add (builder, "d", MON_2025_12_29 + DAY, "visit", "");
  jm_event_log_builder_add (builder, "d", MON_2025_12_29 + 15 * DAY, "visit", "");
  log = jm_event_log_builder_finish (builder);

  retention = compute (log, "visit", "visit", JM_RETENTION_PERIOD_WEEK, 2, FALSE,
                       MON_2025_12_29 + 70 * DAY);
  g_assert_cmpuint (retention->n_cohorts, ==, 1);
  ASSERT_COHORT (retention, 0, "2025-12-29", 4, 1, 1);

  unbounded = compute (log, "visit", "visit", JM_RETENTION_PERIOD_WEEK, 2, TRUE,
                       MON_2025_12_29 + 70 * DAY);
  ASSERT_COHORT (unbounded, 0, "2025-12-29", 4, 2, 1);
}

static void
test_unknown_event_and_options (void)
{
  g_autoptr(JmEventLog) log = gap_log ();
  g_autoptr(JmUnits) units = units_for (log, JM_UNIT_CUSTOMER, 0);
  g_autoptr(JmRetention) retention = NULL;
  g_autoptr(JmRetention) none = NULL;
  g_autoptr(GError) error = NULL;
  JmRetentionOptions options;

  /* A name no event has matches nothing: no cohort, or nobody returning. */
  none = compute (log, "nope", "buy", JM_RETENTION_PERIOD_WEEK, 2, FALSE, 0);
  g_assert_cmpuint (none->n_cohorts, ==, 0);
  retention = compute (log, "signup", "nope", JM_RETENTION_PERIOD_WEEK, 2, FALSE,
                       MON_2025_12_29 + 70 * DAY);
  ASSERT_COHORT (retention, 0, "2025-12-29", 2, 0, 0);

  jm_retention_options_init (&options);
  g_assert_cmpint (options.period, ==, JM_RETENTION_PERIOD_WEEK);
  g_assert_cmpuint (options.periods, ==, 8);
  g_assert_false (options.unbounded);
  options.cohort_event = "signup";
  options.return_event = "buy";
  options.periods = JM_RETENTION_MAX_PERIODS + 1;
  g_assert_null (jm_retention_compute (units, &options, 0, &error));
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);

  /* No periods after 0: only the sizes. */
  g_clear_pointer (&retention, jm_retention_free);
  retention = compute (log, "signup", "buy", JM_RETENTION_PERIOD_DAY, 0, FALSE, 0);
  g_assert_cmpuint (retention->n_cohorts, ==, 2);
  ASSERT_COHORT (retention, 0, "2025-12-29", 1);
  ASSERT_COHORT (retention, 1, "2026-01-04", 1);
}

static void
test_sessions_and_table (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmUnits) units = NULL;
  g_autoptr(JmRetention) retention = NULL;
  g_autoptr(JmTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  JmRetentionOptions options;

  /* Per session, each session is its own unit with its own first visit. */
  jm_event_log_builder_add (builder, "a", THU_2026_01_01, "visit", "");
  jm_event_log_builder_add (builder, "a", THU_2026_01_01 + DAY + HOUR, "visit", "");
  jm_event_log_builder_add (builder, "a", THU_2026_01_01 + DAY + HOUR + 600000, "buy", "");
  log = jm_event_log_builder_finish (builder);
  units = units_for (log, JM_UNIT_SESSION, 0);
  g_assert_cmpuint (units->n_units, ==, 2);

  jm_retention_options_init (&options);
  options.cohort_event = "visit";
  options.return_event = "buy";
  options.period = JM_RETENTION_PERIOD_DAY;
  options.periods = 2;
  retention = jm_retention_compute (units, &options, THU_2026_01_01 + 2 * DAY + HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpint (retention->unit, ==, JM_UNIT_SESSION);
  ASSERT_COHORT (retention, 0, "2026-01-01", 1, 0, -1);
  ASSERT_COHORT (retention, 1, "2026-01-02", 1, -1, -1);

  table = jm_retention_to_table (retention);
  csv = jm_table_to_csv (table);
  g_assert_cmpstr (csv, ==,
                   "start,size,retained_0,retained_1,retained_2\n"
                   "2026-01-01,1,1,0,\n"
                   "2026-01-02,1,1,,\n");
}

/* --- Reference implementation ---------------------------------------------------------
 *
 * Deliberately simple and independent of jm-retention.c: periods come from GDate calendar
 * arithmetic, and every (member, k) pair is decided by looking at all the unit's events.
 */

static gint64
ref_date_ms (const GDate *date)
{
  g_autoptr(GDate) epoch = g_date_new_dmy (1, G_DATE_JANUARY, 1970);

  return (gint64) g_date_days_between (epoch, date) * DAY;
}

static GDate *
ref_date_of (gint64 ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (ms >= 0 ? ms / 1000
                                                                   : -((-ms + 999) / 1000));
  int y, m, d;

  g_date_time_get_ymd (dt, &y, &m, &d);
  return g_date_new_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static gint64
ref_period_start (JmRetentionPeriod period,
                  gint64            ms)
{
  g_autoptr(GDate) date = ref_date_of (ms);

  if (period == JM_RETENTION_PERIOD_WEEK)
    g_date_subtract_days (date, g_date_get_weekday (date) - G_DATE_MONDAY);
  else if (period == JM_RETENTION_PERIOD_MONTH)
    g_date_set_day (date, 1);

  return ref_date_ms (date);
}

static gint64
ref_period_add (JmRetentionPeriod period,
                gint64            start_ms,
                guint             k)
{
  g_autoptr(GDate) date = ref_date_of (start_ms);

  if (period == JM_RETENTION_PERIOD_DAY)
    g_date_add_days (date, k);
  else if (period == JM_RETENTION_PERIOD_WEEK)
    g_date_add_days (date, 7 * k);
  else
    g_date_add_months (date, k);

  return ref_date_ms (date);
}

typedef struct
{
  gint64  start_ms;
  gint64 *retained;
} RefCohort;

static int
ref_compare (gconstpointer a,
             gconstpointer b)
{
  const RefCohort *ca = *(RefCohort * const *) a;
  const RefCohort *cb = *(RefCohort * const *) b;

  return (ca->start_ms > cb->start_ms) - (ca->start_ms < cb->start_ms);
}

static void
ref_cohort_free (gpointer data)
{
  RefCohort *cohort = data;

  g_free (cohort->retained);
  g_free (cohort);
}

static GPtrArray *
ref_retention (const JmUnits            *units,
               const JmRetentionOptions *options,
               gint64                    data_end_ms)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (units->log);
  g_autoptr(GHashTable) by_start = g_hash_table_new (g_int64_hash, g_int64_equal);
  GPtrArray *cohorts = g_ptr_array_new_with_free_func (ref_cohort_free);

  for (guint u = 0; u < units->n_units; u++)
    {
      const guint32 *events = units->events + units->offsets[u];
      guint n = units->offsets[u + 1] - units->offsets[u];
      RefCohort *cohort;
      gint64 start = 0;
      gboolean found = FALSE;

      for (guint i = 0; i < n && !found; i++)
        {
          const char *name = jm_event_log_get_name (units->log, columns->name[events[i]]);

          if (strcmp (name, options->cohort_event) == 0)
            {
              start = ref_period_start (options->period, columns->ts[events[i]]);
              found = TRUE;
            }
        }
      if (!found)
        continue;

      cohort = g_hash_table_lookup (by_start, &start);
      if (cohort == NULL)
        {
          cohort = g_new0 (RefCohort, 1);
          cohort->start_ms = start;
          cohort->retained = g_new0 (gint64, options->periods + 1);
          g_ptr_array_add (cohorts, cohort);
          g_hash_table_insert (by_start, &cohort->start_ms, cohort);
        }
      cohort->retained[0]++;

      for (guint k = 1; k <= options->periods; k++)
        {
          gint64 from = ref_period_add (options->period, start, k);
          gint64 to = ref_period_add (options->period, start, k + 1);
          gboolean retained = FALSE;

          for (guint i = 0; i < n; i++)
            {
              const char *name = jm_event_log_get_name (units->log, columns->name[events[i]]);
              gint64 ts = columns->ts[events[i]];

              if (strcmp (name, options->return_event) == 0 &&
                  ts >= from && (options->unbounded || ts < to))
                retained = TRUE;
            }
          if (retained)
            cohort->retained[k]++;
        }
    }

  g_ptr_array_sort (cohorts, ref_compare);
  for (guint c = 0; c < cohorts->len; c++)
    {
      RefCohort *cohort = g_ptr_array_index (cohorts, c);

      for (guint k = 1; k <= options->periods; k++)
        {
          if (ref_period_add (options->period, cohort->start_ms, k + 1) - 1 > data_end_ms)
            cohort->retained[k] = JM_RETENTION_INCOMPLETE;
        }
    }

  return cohorts;
}

static gint64
random_time (GRand  *rand,
             gint64  base)
{
  gint64 ts = base + (gint64) g_rand_double_range (rand, 0, 150.0 * DAY);

  /* Many events right at or just before a day's start, where periods turn over. */
  if (g_rand_int_range (rand, 0, 4) == 0)
    ts = (ts / DAY) * DAY - g_rand_int_range (rand, 0, 2);

  return ts;
}

static void
compare_with_reference (const JmUnits            *units,
                        const JmRetentionOptions *options,
                        gint64                    data_end,
                        guint                     seed)
{
  g_autoptr(JmRetention) retention = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GError) error = NULL;

  retention = jm_retention_compute (units, options, data_end, &error);
  g_assert_no_error (error);
  expected = ref_retention (units, options, data_end);

  if (retention->n_cohorts != expected->len)
    g_error ("seed %u: %u cohorts, expected %u", seed, retention->n_cohorts, expected->len);
  for (guint c = 0; c < expected->len; c++)
    {
      const RefCohort *want = g_ptr_array_index (expected, c);
      const JmRetentionCohort *got = &retention->cohorts[c];

      if (got->start_ms != want->start_ms)
        g_error ("seed %u: cohort %u starts at %" G_GINT64_FORMAT ", expected %"
                 G_GINT64_FORMAT, seed, c, got->start_ms, want->start_ms);
      g_assert_cmpint (got->size, ==, want->retained[0]);
      for (guint k = 0; k <= options->periods; k++)
        {
          if (got->retained[k] != want->retained[k])
            g_error ("seed %u: cohort %u retained[%u] = %" G_GINT64_FORMAT ", expected %"
                     G_GINT64_FORMAT, seed, c, k, got->retained[k], want->retained[k]);
        }
    }
}

static const char * const random_names[] = { "signup", "visit", "buy", "other" };

/* Adds a customer's events around `base`; returns the latest time. */
static gint64
build_random_customer (GRand             *rand,
                       JmEventLogBuilder *builder,
                       const char        *id,
                       gint64             base,
                       guint              n_events)
{
  gint64 latest = G_MININT64;

  for (guint e = 0; e < n_events; e++)
    {
      gint64 ts = random_time (rand, base);

      latest = MAX (latest, ts);
      jm_event_log_builder_add (builder, id, ts,
                                random_names[g_rand_int_range (rand, 0,
                                                               G_N_ELEMENTS (random_names))],
                                "");
    }

  return latest;
}

static void
test_random_against_reference (void)
{
  const guint n_logs = 2000;

  for (guint seed = 1; seed <= n_logs; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
      g_autoptr(JmEventLog) log = NULL;
      g_autoptr(JmUnits) units = NULL;
      JmRetentionOptions options;
      guint n_customers = g_rand_int_range (rand, 1, 25);
      /* Around the turn of a year, so months and weeks cross it. */
      gint64 base = THU_2026_01_01 - g_rand_int_range (rand, 0, 120) * DAY;
      gint64 latest = base;
      gint64 data_end;

      for (guint c = 0; c < n_customers; c++)
        {
          g_autofree char *id = g_strdup_printf ("c%u", c);

          latest = MAX (latest, build_random_customer (rand, builder, id, base,
                                                       g_rand_int_range (rand, 0, 30)));
        }
      log = jm_event_log_builder_finish (builder);
      units = units_for (log,
                         g_rand_int_range (rand, 0, 5) == 0 ? JM_UNIT_SESSION : JM_UNIT_CUSTOMER,
                         g_rand_boolean (rand) ? 6 * HOUR : 0);

      jm_retention_options_init (&options);
      options.cohort_event = random_names[g_rand_int_range (rand, 0, 3)];
      options.return_event = g_rand_int_range (rand, 0, 4) == 0
        ? options.cohort_event
        : random_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (random_names))];
      options.period = (JmRetentionPeriod) g_rand_int_range (rand, 0, 3);
      options.periods = g_rand_int_range (rand, 0, 12);
      options.unbounded = g_rand_boolean (rand);
      data_end = g_rand_boolean (rand) ? latest
                                       : base + g_rand_int_range (rand, 0, 160) * DAY;

      compare_with_reference (units, &options, data_end, seed);
    }
}

/* Enough events for the analysis to split the units over threads. */
static void
test_large_against_reference (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260630);
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmUnits) units = NULL;
  JmRetentionOptions options;
  gint64 latest = G_MININT64;

  for (guint c = 0; c < 12000; c++)
    {
      char id[32];

      g_snprintf (id, sizeof id, "c%u", c);
      latest = MAX (latest, build_random_customer (rand, builder, id, MON_2025_12_29,
                                                   g_rand_int_range (rand, 1, 20)));
    }
  log = jm_event_log_builder_finish (builder);
  units = units_for (log, JM_UNIT_CUSTOMER, 0);
  g_assert_cmpuint (units->n_events, >=, 100000);

  jm_retention_options_init (&options);
  options.cohort_event = "signup";
  options.return_event = "buy";
  compare_with_reference (units, &options, latest, 0);
  options.unbounded = TRUE;
  options.period = JM_RETENTION_PERIOD_DAY;
  options.periods = 30;
  compare_with_reference (units, &options, latest, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/retention/period-arithmetic", test_period_arithmetic);
  g_test_add_func ("/jm/retention/week-boundary", test_week_boundary);
  g_test_add_func ("/jm/retention/day-and-month-boundaries", test_day_and_month_boundaries);
  g_test_add_func ("/jm/retention/classic-and-unbounded", test_classic_and_unbounded);
  g_test_add_func ("/jm/retention/incomplete-periods", test_incomplete_periods);
  g_test_add_func ("/jm/retention/data-end", test_data_end);
  g_test_add_func ("/jm/retention/first-cohort-event-only", test_first_cohort_event_only);
  g_test_add_func ("/jm/retention/return-same-as-cohort", test_return_same_as_cohort);
  g_test_add_func ("/jm/retention/unknown-event-and-options", test_unknown_event_and_options);
  g_test_add_func ("/jm/retention/sessions-and-table", test_sessions_and_table);
  g_test_add_func ("/jm/retention/random-against-reference", test_random_against_reference);
  g_test_add_func ("/jm/retention/large-against-reference", test_large_against_reference);

  return g_test_run ();
}
