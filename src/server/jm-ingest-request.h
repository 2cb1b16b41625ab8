/* jm-ingest-request.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "journey.h"

G_BEGIN_DECLS

/* Decoding an ingest request body into events: the first stage of the listener's pipeline
 * (DESIGN §2, §4). Pure functions of the bytes: no network, no store, so the fuzzer and the
 * unit tests reach every branch.
 */

#define JM_INGEST_ERROR (jm_ingest_error_quark ())

typedef enum
{
  JM_INGEST_ERROR_INVALID_JSON,    /* 400 invalid_json: the body is not JSON of the route's shape */
  JM_INGEST_ERROR_INVALID_EVENT,   /* 400 invalid_event: no event in the body is valid */
  JM_INGEST_ERROR_TOO_LARGE,       /* 413 payload_too_large: body, decompressed body or ratio */
} JmIngestError;

typedef enum
{
  JM_INGEST_SEGMENT_BATCH,    /* POST /v1/batch: {"batch":[…],"context","integrations","writeKey","sentAt"} */
  JM_INGEST_SEGMENT_SINGLE,   /* POST /v1/track|page|screen|identify|alias|group: one message */
  JM_INGEST_POSTHOG,          /* POST /batch/, /capture/, /e/, /i/v0/e/ */
  JM_INGEST_NATIVE,           /* POST /api/v1/events: {"events":[…]} */
} JmIngestRoute;

typedef struct
{
  gsize max_event_bytes;          /* 32 KiB: a larger event is rejected */
  gsize max_body_bytes;           /* 500 KB: a larger (compressed) body is TOO_LARGE */
  gsize max_decompressed_bytes;   /* 10 MB */
  guint max_ratio;                /* 100: decompressed / compressed */
} JmIngestLimits;

/* The limits of DESIGN §4. */
void              jm_ingest_limits_init_default  (JmIngestLimits       *limits);

/* At most this many rejections are listed; `n_items - events->len` counts them all. A body
 * of thousands of broken events must not cost more memory than the events themselves.
 */
#define JM_INGEST_MAX_REJECTIONS 1000

typedef struct
{
  guint  index;    /* 0-based position of the event in the request */
  char  *field;    /* dotted name of the offending field ("" for the whole event) */
  char  *reason;   /* what was wrong, for a person */
} JmIngestRejection;

/* The events of one request may share JSON objects with each other (a Segment batch's
 * context is merged into every message by reference): keep them together, on one thread.
 */
typedef struct
{
  GPtrArray *events;     /* JmEvent*: the valid events, ready for jm_store_insert_events() */
  GPtrArray *rejected;   /* JmIngestRejection*, by index */
  guint      n_items;    /* events in the request, valid or not */
  char      *write_key;  /* the key carried in the body (writeKey, api_key), or NULL */
} JmIngestRequest;

GQuark            jm_ingest_error_quark          (void);

/* Decompresses a gzip body within the limits (TOO_LARGE beyond max_decompressed_bytes or
 * max_ratio; INVALID_JSON when the gzip stream is damaged).
 */
GBytes           *jm_ingest_gunzip               (GBytes               *body,
                                                  const JmIngestLimits *limits,
                                                  GError              **error);

/* Decodes `body` (already decompressed) for `route`. `single_type` is the message type of
 * a JM_INGEST_SEGMENT_SINGLE route (ignored otherwise). `now_ms` is the receipt time, used
 * for timestamp correction from sentAt and for messages without a time.
 *
 * Returns NULL with INVALID_JSON when the body cannot be parsed or has the wrong shape,
 * INVALID_EVENT when no event is valid (the message names the first offending event index
 * and field: `event 3: field "timestamp": …`), TOO_LARGE when the body exceeds
 * max_body_bytes (or a single-message body's event exceeds max_event_bytes). Otherwise
 * every valid event is in `events` and every invalid one in `rejected` (the first
 * JM_INGEST_MAX_REJECTIONS of them; a body with no events at all is a valid, empty
 * request). The mapping of each route onto our model (PostHog's distinct ids in particular)
 * is described in jm-ingest-request.c and jm-posthog-message.c.
 *
 * `length` is held to max_body_bytes: a decompressed gzip body, which may be larger, goes
 * through jm_ingest_request_decode_body() instead.
 */
JmIngestRequest  *jm_ingest_request_decode       (JmIngestRoute         route,
                                                  JmEventType           single_type,
                                                  const char           *body,
                                                  gsize                 length,
                                                  gint64                now_ms,
                                                  const JmIngestLimits *limits,
                                                  GError              **error);

/* As jm_ingest_request_decode() for a body as received: when `gzipped` (Content-Encoding:
 * gzip) the compressed size is held to max_body_bytes and the body decompressed with
 * jm_ingest_gunzip(), whose output may then be up to max_decompressed_bytes.
 */
JmIngestRequest  *jm_ingest_request_decode_body  (JmIngestRoute         route,
                                                  JmEventType           single_type,
                                                  GBytes               *body,
                                                  gboolean              gzipped,
                                                  gint64                now_ms,
                                                  const JmIngestLimits *limits,
                                                  GError              **error);
void              jm_ingest_request_free         (JmIngestRequest      *request);

void              jm_ingest_rejection_free       (JmIngestRejection    *rejection);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmIngestRequest, jm_ingest_request_free)

G_END_DECLS
