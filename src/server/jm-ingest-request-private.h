/* jm-ingest-request-private.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-ingest-request.h"

G_BEGIN_DECLS

/* Longest id or event name accepted, as jm_event_new_from_json() checks. */
#define JM_INGEST_MAX_ID_BYTES 1024

/* "a string", "an array", … for messages about a value of the wrong kind. */
const char  *jm_ingest_node_kind                (JsonNode    *node);

/* Segment's clock-skew correction, shared by every route: a message stamped `ts` by a
 * device whose clock read `sent_at` when it sent the request happened `sent_at - ts` before
 * the request arrived at `now_ms`. FALSE when the result is not a representable time (the
 * two times are absurdly far apart).
 */
gboolean     jm_ingest_correct_time             (gint64       now_ms,
                                                 gint64       sent_at,
                                                 gint64       ts,
                                                 gint64      *out_ms);

/* The ingest key carried by one PostHog event: `api_key` (or `token`) on the event, else
 * `properties.token`. Returns FALSE with `field` and `error` set when one of them is not a
 * string; `key` is NULL when the event carries none. `key` points into `message`.
 */
gboolean     jm_posthog_message_get_api_key     (JsonObject  *message,
                                                 const char **key,
                                                 char       **field,
                                                 GError     **error);

/* Reads one PostHog event (posthog-js, posthog-node, the capture API) into our model; see
 * jm-posthog-message.c for the mapping. `have_sent_at`/`sent_at` is the request's sent_at
 * (an event's own `sent_at` wins). May modify `message` (the token leaves its properties).
 * On failure returns NULL with `bad_field` set to the PostHog name of the offending field.
 */
JmEvent     *jm_posthog_message_to_event        (JsonObject  *message,
                                                 gint64       now_ms,
                                                 gboolean     have_sent_at,
                                                 gint64       sent_at,
                                                 char       **bad_field,
                                                 GError     **error);

G_END_DECLS
