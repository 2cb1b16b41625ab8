/* test-time.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "jm-time.h"

/* 2026-06-30T12:34:56Z */
#define REFERENCE_MS G_GINT64_CONSTANT (1782822896000)

static gint64
parse_ok (const char *text)
{
  gint64 ms = -1;

  if (!jm_time_parse (text, &ms))
    g_error ("“%s” was not accepted", text);

  return ms;
}

static void
test_iso_offsets (void)
{
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56Z"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30t12:34:56z"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30T14:34:56+02:00"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30T14:34:56+0200"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30T14:34:56+02"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30T07:04:56-0530"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30T07:04:56-05:30"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56+00:00"), ==, REFERENCE_MS);
  /* Crossing midnight with the offset. */
  g_assert_cmpint (parse_ok ("2026-07-01T01:34:56+13:00"), ==, REFERENCE_MS);
  /* PostgreSQL writes a space, sometimes one before the offset too. */
  g_assert_cmpint (parse_ok ("2026-06-30 14:34:56+02"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30 14:34:56 +02:00"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("  2026-06-30T12:34:56Z\n"), ==, REFERENCE_MS);
}

static void
test_iso_without_offset_is_utc (void)
{
  /* The test runs with TZ=Europe/Berlin (UTC+2 in summer): a time without an offset must
   * still be read as UTC.
   */
  g_assert_cmpstr (g_getenv ("TZ"), ==, "Europe/Berlin");
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30 12:34:56"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("2026-06-30T12:34"), ==, REFERENCE_MS - 56000);
  g_assert_cmpint (parse_ok ("2026-01-15T00:00:00"), ==, G_GINT64_CONSTANT (1768435200000));
}

static void
test_fractional_seconds (void)
{
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56.789Z"), ==, REFERENCE_MS + 789);
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56.7Z"), ==, REFERENCE_MS + 700);
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56.07Z"), ==, REFERENCE_MS + 70);
  /* Microseconds and nanoseconds are cut to the millisecond, never rounded up. */
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56.123456Z"), ==, REFERENCE_MS + 123);
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56.999999999Z"), ==, REFERENCE_MS + 999);
  g_assert_cmpint (parse_ok ("2026-06-30T14:34:56,5+02:00"), ==, REFERENCE_MS + 500);
  g_assert_cmpint (parse_ok ("2026-06-30T12:34:56.250"), ==, REFERENCE_MS + 250);
}

static void
test_epoch (void)
{
  JsonNode *node;
  gint64 ms = 0;

  g_assert_cmpint (parse_ok ("1782822896"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("1782822896000"), ==, REFERENCE_MS);
  g_assert_cmpint (parse_ok ("1782822896.789"), ==, REFERENCE_MS + 789);
  g_assert_cmpint (parse_ok ("1782822896789.4"), ==, REFERENCE_MS + 789);
  g_assert_cmpint (parse_ok ("0"), ==, 0);
  g_assert_cmpint (parse_ok ("-86400"), ==, -86400000);

  /* The boundary of DESIGN §12: below 10^11 seconds, from there milliseconds. */
  g_assert_cmpint (parse_ok ("99999999999"), ==, G_GINT64_CONSTANT (99999999999000));
  g_assert_cmpint (parse_ok ("100000000000"), ==, G_GINT64_CONSTANT (100000000000));

  node = json_node_init_int (json_node_alloc (), 1782822896);
  g_assert_true (jm_time_parse_json (node, &ms));
  g_assert_cmpint (ms, ==, REFERENCE_MS);
  json_node_unref (node);

  node = json_node_init_int (json_node_alloc (), 1782822896123);
  g_assert_true (jm_time_parse_json (node, &ms));
  g_assert_cmpint (ms, ==, REFERENCE_MS + 123);
  json_node_unref (node);

  /* 0.001 s is not exactly representable; it must still give 1 ms, not 0. */
  node = json_node_init_double (json_node_alloc (), 1782822896.001);
  g_assert_true (jm_time_parse_json (node, &ms));
  g_assert_cmpint (ms, ==, REFERENCE_MS + 1);
  json_node_unref (node);

  node = json_node_init_string (json_node_alloc (), "2026-06-30T12:34:56Z");
  g_assert_true (jm_time_parse_json (node, &ms));
  g_assert_cmpint (ms, ==, REFERENCE_MS);
  json_node_unref (node);

  node = json_node_init_boolean (json_node_alloc (), TRUE);
  g_assert_false (jm_time_parse_json (node, &ms));
  json_node_unref (node);

  node = json_node_init_null (json_node_alloc ());
  g_assert_false (jm_time_parse_json (node, &ms));
  json_node_unref (node);

  g_assert_false (jm_time_parse_json (NULL, &ms));
}

static void
test_date_only (void)
{
  g_assert_cmpint (parse_ok ("2026-06-30"), ==, G_GINT64_CONSTANT (1782777600000));
  g_assert_cmpint (parse_ok ("1970-01-01"), ==, 0);
  g_assert_cmpint (parse_ok ("1969-12-31"), ==, -86400000);
  g_assert_cmpint (parse_ok ("2024-02-29"), ==, G_GINT64_CONSTANT (1709164800000));
  g_assert_cmpint (parse_ok ("2000-02-29"), ==, G_GINT64_CONSTANT (951782400000));
}

static void
test_garbage (void)
{
  const char * const bad[] = {
    "", "   ", "yesterday", "2026-6-30", "2026-13-01", "2026-00-10", "2026-02-30",
    "2023-02-29", "1900-02-29", "2026-06-31", "2026-06-30T24:00:00Z", "2026-06-30T12:60:00Z",
    "2026-06-30T12:34:61Z", "2026-06-30T12Z", "2026-06-30T12:34:56+2", "2026-06-30T12:34:56+24:00",
    "2026-06-30T12:34:56.Z", "2026-06-30T12:34:56Zjunk", "2026-06-30T12:34:56 Z",
    "2026-06-30X12:34:56", "30/06/2026", "12abc", "1e9", "0x10", "+1782822896", "1.", ".5",
    "1782822896.", "--1", "99999999999999999999", "NaN", "2026-06-30T12:34:56 UTC",
  };
  gint64 ms = 42;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (jm_time_parse (bad[i], &ms))
        g_error ("“%s” was accepted as %" G_GINT64_FORMAT, bad[i], ms);
    }

  g_assert_false (jm_time_parse (NULL, &ms));
  /* A failed parse leaves the output alone. */
  g_assert_cmpint (ms, ==, 42);
}

static void
test_format (void)
{
  g_autofree char *iso = jm_time_format_iso (REFERENCE_MS + 7);
  g_autofree char *date = jm_time_format_date (REFERENCE_MS + 7);
  g_autofree char *before_epoch = jm_time_format_iso (-1);
  g_autofree char *epoch = jm_time_format_iso (0);
  g_autofree char *leap = jm_time_format_date (G_GINT64_CONSTANT (1709164800000));

  g_assert_cmpstr (iso, ==, "2026-06-30T12:34:56.007Z");
  g_assert_cmpstr (date, ==, "2026-06-30");
  g_assert_cmpstr (before_epoch, ==, "1969-12-31T23:59:59.999Z");
  g_assert_cmpstr (epoch, ==, "1970-01-01T00:00:00.000Z");
  g_assert_cmpstr (leap, ==, "2024-02-29");

  /* Formatting and parsing agree over a wide range of days. */
  for (gint64 ms = G_GINT64_CONSTANT (-5000000000000); ms < G_GINT64_CONSTANT (5000000000000);
       ms += G_GINT64_CONSTANT (86399999) * 37)
    {
      g_autofree char *text = jm_time_format_iso (ms);

      g_assert_cmpint (parse_ok (text), ==, ms);
    }
}

static void
test_now (void)
{
  gint64 now = jm_time_now_ms ();

  g_assert_cmpint (ABS (now - (gint64) time (NULL) * 1000), <, 5000);
}

static void
test_durations (void)
{
  const char * const bad[] = { "", "7", "7x", "-5m", "m", "5 m", "1.m", "s5", "5M", "1h 30" };
  gint64 ms = 0;

  g_assert_true (jm_time_parse_duration ("90s", &ms));
  g_assert_cmpint (ms, ==, 90000);
  g_assert_true (jm_time_parse_duration ("30m", &ms));
  g_assert_cmpint (ms, ==, 30 * 60000);
  g_assert_true (jm_time_parse_duration ("12h", &ms));
  g_assert_cmpint (ms, ==, 12 * 3600000);
  g_assert_true (jm_time_parse_duration ("7d", &ms));
  g_assert_cmpint (ms, ==, G_GINT64_CONSTANT (7) * 86400000);
  g_assert_true (jm_time_parse_duration ("2w", &ms));
  g_assert_cmpint (ms, ==, G_GINT64_CONSTANT (14) * 86400000);
  g_assert_true (jm_time_parse_duration ("1h30m", &ms));
  g_assert_cmpint (ms, ==, 90 * 60000);
  g_assert_true (jm_time_parse_duration ("1.5h", &ms));
  g_assert_cmpint (ms, ==, 90 * 60000);
  g_assert_true (jm_time_parse_duration ("250ms", &ms));
  g_assert_cmpint (ms, ==, 250);
  g_assert_true (jm_time_parse_duration ("0s", &ms));
  g_assert_cmpint (ms, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (jm_time_parse_duration (bad[i], &ms))
        g_error ("duration “%s” was accepted", bad[i]);
    }
  g_assert_false (jm_time_parse_duration ("100000000w", &ms));
  g_assert_false (jm_time_parse_duration (NULL, &ms));
}

int
main (int   argc,
      char *argv[])
{
  /* Make sure the local zone is not UTC, so that leaning on it would show. */
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  tzset ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/time/iso-offsets", test_iso_offsets);
  g_test_add_func ("/jm/time/iso-without-offset-is-utc", test_iso_without_offset_is_utc);
  g_test_add_func ("/jm/time/fractional-seconds", test_fractional_seconds);
  g_test_add_func ("/jm/time/epoch", test_epoch);
  g_test_add_func ("/jm/time/date-only", test_date_only);
  g_test_add_func ("/jm/time/garbage", test_garbage);
  g_test_add_func ("/jm/time/format", test_format);
  g_test_add_func ("/jm/time/now", test_now);
  g_test_add_func ("/jm/time/durations", test_durations);

  return g_test_run ();
}
