/* jm-time.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-time"

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-time.h"

/* Event times are parsed once per imported message, so this is a small strict parser of
 * its own rather than GDateTime: it is several times faster, never consults the local time
 * zone (a time without an offset is UTC, whatever TZ says), and refuses the loose forms
 * GDateTime would guess at.
 */

#define MS_PER_SECOND G_GINT64_CONSTANT (1000)
#define MS_PER_DAY    G_GINT64_CONSTANT (86400000)

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z */
#define MIN_MS G_GINT64_CONSTANT (-62167219200000)
#define MAX_MS G_GINT64_CONSTANT (253402300799999)

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static gint64
days_from_civil (gint64 year,
                 guint  month,
                 guint  day)
{
  gint64 era;
  guint year_of_era;
  guint day_of_year;
  guint day_of_era;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  year_of_era = (guint) (year - era * 400);
  day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

  return era * 146097 + (gint64) day_of_era - 719468;
}

static void
civil_from_days (gint64  days,
                 gint64 *out_year,
                 guint  *out_month,
                 guint  *out_day)
{
  gint64 era;
  guint day_of_era;
  guint year_of_era;
  guint day_of_year;
  guint mp;
  guint month;

  days += 719468;
  era = (days >= 0 ? days : days - 146096) / 146097;
  day_of_era = (guint) (days - era * 146097);
  year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  mp = (5 * day_of_year + 2) / 153;
  month = mp < 10 ? mp + 3 : mp - 9;

  *out_year = (gint64) year_of_era + era * 400 + (month <= 2);
  *out_month = month;
  *out_day = day_of_year - (153 * mp + 2) / 5 + 1;
}

static guint
days_in_month (gint64 year,
               guint  month)
{
  static const guint8 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

  return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads exactly `n` ASCII digits. */
static gboolean
read_digits (const char **p,
             guint        n,
             guint       *out)
{
  guint value = 0;

  for (guint i = 0; i < n; i++)
    {
      char c = (*p)[i];

      if (c < '0' || c > '9')
        return FALSE;
      value = value * 10 + (guint) (c - '0');
    }

  *p += n;
  *out = value;

  return TRUE;
}

/* An epoch number as text: `-?[0-9]+(\.[0-9]+)?`. Below JM_TIME_EPOCH_SECONDS_LIMIT in
 * magnitude it is seconds, otherwise milliseconds.
 */
static gboolean
parse_epoch_text (const char *p,
                  const char *end,
                  gint64     *out_ms)
{
  const char *digits = p;
  gboolean seen_point = FALSE;
  guint n_digits = 0;
  char buffer[64];
  double value;

  if (p < end && *p == '-')
    p++;

  for (const char *q = p; q < end; q++)
    {
      if (*q >= '0' && *q <= '9')
        n_digits++;
      else if (*q == '.' && !seen_point && n_digits > 0 && q + 1 < end)
        seen_point = TRUE;
      else
        return FALSE;
    }

  if (n_digits == 0 || (gsize) (end - digits) >= sizeof buffer)
    return FALSE;

  memcpy (buffer, digits, end - digits);
  buffer[end - digits] = '\0';
  value = g_ascii_strtod (buffer, NULL);

  if (!seen_point)
    {
      /* Integers go through integer arithmetic so that large millisecond values keep
       * every digit.
       */
      gint64 integer;

      if (n_digits > 18)
        return FALSE;
      integer = g_ascii_strtoll (buffer, NULL, 10);
      if (integer > -JM_TIME_EPOCH_SECONDS_LIMIT && integer < JM_TIME_EPOCH_SECONDS_LIMIT)
        integer *= MS_PER_SECOND;
      if (integer < MIN_MS || integer > MAX_MS)
        return FALSE;
      *out_ms = integer;
      return TRUE;
    }

  if (fabs (value) < (double) JM_TIME_EPOCH_SECONDS_LIMIT)
    value *= 1000.0;
  value = round (value);
  if (!isfinite (value) || value < (double) MIN_MS || value > (double) MAX_MS)
    return FALSE;

  *out_ms = (gint64) value;

  return TRUE;
}

/* ISO-8601 extended format: `YYYY-MM-DD`, optionally followed by `T` (or a space) and
 * `HH:MM[:SS[.fff…]]`, optionally followed by `Z` or an offset `±HH[:MM]` / `±HHMM`.
 */
static gboolean
parse_iso (const char *p,
           const char *end,
           gint64     *out_ms)
{
  guint year, month, day;
  guint hour = 0, minute = 0, second = 0, millisecond = 0;
  gint64 offset_minutes = 0;
  gint64 ms;

  if (end - p < 10)
    return FALSE;

  if (!read_digits (&p, 4, &year) || *p++ != '-' ||
      !read_digits (&p, 2, &month) || *p++ != '-' ||
      !read_digits (&p, 2, &day))
    return FALSE;

  if (month < 1 || month > 12 || day < 1 || day > days_in_month (year, month))
    return FALSE;

  if (p < end)
    {
      if (*p != 'T' && *p != 't' && *p != ' ')
        return FALSE;
      p++;

      if (end - p < 5 ||
          !read_digits (&p, 2, &hour) || *p++ != ':' ||
          !read_digits (&p, 2, &minute))
        return FALSE;

      if (p < end && *p == ':')
        {
          p++;
          if (end - p < 2 || !read_digits (&p, 2, &second))
            return FALSE;

          if (p < end && (*p == '.' || *p == ','))
            {
              guint n = 0;

              p++;
              /* Fractions beyond the millisecond are cut off, not rounded, so a time
               * never moves into the next second.
               */
              while (p < end && *p >= '0' && *p <= '9')
                {
                  if (n < 3)
                    millisecond = millisecond * 10 + (guint) (*p - '0');
                  n++;
                  p++;
                }
              if (n == 0)
                return FALSE;
              for (; n < 3; n++)
                millisecond *= 10;
            }
        }

      if (hour > 23 || minute > 59 || second > 59)
        return FALSE;

      if (p < end && *p == ' ' && p + 1 < end && (p[1] == '+' || p[1] == '-'))
        p++;

      if (p < end)
        {
          if ((*p == 'Z' || *p == 'z') && p + 1 == end)
            {
              p++;
            }
          else if (*p == '+' || *p == '-')
            {
              gboolean negative = *p == '-';
              guint offset_hours;
              guint offset_mins = 0;

              p++;
              if (end - p < 2 || !read_digits (&p, 2, &offset_hours))
                return FALSE;
              if (p < end && *p == ':')
                p++;
              if (p < end && (end - p < 2 || !read_digits (&p, 2, &offset_mins)))
                return FALSE;
              if (offset_hours > 23 || offset_mins > 59)
                return FALSE;
              offset_minutes = offset_hours * 60 + offset_mins;
              if (negative)
                offset_minutes = -offset_minutes;
            }
          else
            {
              return FALSE;
            }
        }
    }

  if (p != end)
    return FALSE;

  ms = days_from_civil (year, month, day) * MS_PER_DAY
       + ((gint64) hour * 3600 + (gint64) minute * 60 + second) * MS_PER_SECOND
       + millisecond
       - offset_minutes * 60 * MS_PER_SECOND;

  *out_ms = ms;

  return TRUE;
}

gboolean
jm_time_parse (const char *text,
               gint64     *out_ms)
{
  const char *start;
  const char *end;
  gint64 ms = 0;
  gboolean ok;

  g_return_val_if_fail (out_ms != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  start = text;
  while (g_ascii_isspace (*start))
    start++;
  end = start + strlen (start);
  while (end > start && g_ascii_isspace (end[-1]))
    end--;

  if (start == end)
    return FALSE;

  /* Four digits and a dash start a date; anything else numeric is an epoch number. */
  if (end - start >= 5 && start[4] == '-' && g_ascii_isdigit (start[0]))
    ok = parse_iso (start, end, &ms);
  else
    ok = parse_epoch_text (start, end, &ms);

  if (ok)
    *out_ms = ms;

  return ok;
}

gboolean
jm_time_parse_json (JsonNode *node,
                    gint64   *out_ms)
{
  GType value_type;

  g_return_val_if_fail (out_ms != NULL, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  value_type = json_node_get_value_type (node);

  if (value_type == G_TYPE_STRING)
    return jm_time_parse (json_node_get_string (node), out_ms);

  if (value_type == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      if (value > -JM_TIME_EPOCH_SECONDS_LIMIT && value < JM_TIME_EPOCH_SECONDS_LIMIT)
        value *= MS_PER_SECOND;
      if (value < MIN_MS || value > MAX_MS)
        return FALSE;
      *out_ms = value;
      return TRUE;
    }

  if (value_type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (!isfinite (value))
        return FALSE;
      if (fabs (value) < (double) JM_TIME_EPOCH_SECONDS_LIMIT)
        value *= 1000.0;
      value = round (value);
      if (value < (double) MIN_MS || value > (double) MAX_MS)
        return FALSE;
      *out_ms = (gint64) value;
      return TRUE;
    }

  return FALSE;
}

static void
split_ms (gint64  ms,
          gint64 *year,
          guint  *month,
          guint  *day,
          guint  *ms_of_day)
{
  gint64 days = ms / MS_PER_DAY;
  gint64 rest = ms % MS_PER_DAY;

  if (rest < 0)
    {
      rest += MS_PER_DAY;
      days -= 1;
    }

  civil_from_days (days, year, month, day);
  *ms_of_day = (guint) rest;
}

char *
jm_time_format_iso (gint64 ms)
{
  gint64 year;
  guint month, day, ms_of_day;

  split_ms (ms, &year, &month, &day, &ms_of_day);

  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02u-%02uT%02u:%02u:%02u.%03uZ",
                          year, month, day,
                          ms_of_day / 3600000,
                          ms_of_day / 60000 % 60,
                          ms_of_day / 1000 % 60,
                          ms_of_day % 1000);
}

char *
jm_time_format_date (gint64 ms)
{
  gint64 year;
  guint month, day, ms_of_day;

  split_ms (ms, &year, &month, &day, &ms_of_day);

  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02u-%02u", year, month, day);
}

gint64
jm_time_now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Longest duration accepted: 1,000 years is far beyond any window or gap a user means. */
#define MAX_DURATION_MS (G_GINT64_CONSTANT (1000) * 366 * MS_PER_DAY)

gboolean
jm_time_parse_duration (const char *text,
                        gint64     *out_ms)
{
  const char *p;
  double total = 0;
  gboolean any = FALSE;

  g_return_val_if_fail (out_ms != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  p = text;
  while (g_ascii_isspace (*p))
    p++;

  /* One or more `<number><unit>` parts: `90s`, `1.5h`, `1h30m`. */
  while (*p != '\0' && !g_ascii_isspace (*p))
    {
      const char *number_start = p;
      char buffer[32];
      double value;
      double unit;

      while (g_ascii_isdigit (*p))
        p++;
      if (*p == '.' && g_ascii_isdigit (p[1]))
        {
          p++;
          while (g_ascii_isdigit (*p))
            p++;
        }

      if (p == number_start || (gsize) (p - number_start) >= sizeof buffer)
        return FALSE;
      memcpy (buffer, number_start, p - number_start);
      buffer[p - number_start] = '\0';
      value = g_ascii_strtod (buffer, NULL);

      if (p[0] == 'm' && p[1] == 's')
        {
          unit = 1;
          p += 2;
        }
      else
        {
          switch (*p)
            {
            case 's': unit = 1000; break;
            case 'm': unit = 60 * 1000; break;
            case 'h': unit = 3600 * 1000; break;
            case 'd': unit = 86400 * 1000; break;
            case 'w': unit = 7 * 86400 * 1000; break;
            default: return FALSE;
            }
          p++;
        }

      total += value * unit;
      any = TRUE;

      if (total > (double) MAX_DURATION_MS)
        return FALSE;
    }

  while (g_ascii_isspace (*p))
    p++;

  if (!any || *p != '\0')
    return FALSE;

  *out_ms = (gint64) round (total);

  return TRUE;
}
