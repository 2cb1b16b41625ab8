/* jm-time.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Epoch numbers below this are seconds, others milliseconds (DESIGN §12). */
#define JM_TIME_EPOCH_SECONDS_LIMIT G_GINT64_CONSTANT (100000000000)

/* Parses ISO-8601 (UTC when no offset; fractional seconds kept to the millisecond),
 * a date `YYYY-MM-DD` (midnight UTC), or an epoch number in seconds or milliseconds
 * (fractional seconds allowed). Returns FALSE for anything else.
 */
gboolean  jm_time_parse           (const char *text,
                                   gint64     *out_ms);

/* As jm_time_parse(), for a JSON string or number. */
gboolean  jm_time_parse_json      (JsonNode   *node,
                                   gint64     *out_ms);

/* `2026-06-30T12:34:56.789Z` */
char     *jm_time_format_iso      (gint64      ms);

/* `2026-06-30` */
char     *jm_time_format_date     (gint64      ms);

/* Current wall-clock time in ms since the epoch. */
gint64    jm_time_now_ms          (void);

/* Parses a duration such as `90s`, `30m`, `12h`, `7d`, `2w` (DESIGN §11) into milliseconds. */
gboolean  jm_time_parse_duration  (const char *text,
                                   gint64     *out_ms);

G_END_DECLS
