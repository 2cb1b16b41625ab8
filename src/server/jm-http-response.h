/* jm-http-response.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The error codes of DESIGN §4, as they appear in {"error":{"code":…}}. */
#define JM_HTTP_INVALID_JSON           "invalid_json"
#define JM_HTTP_INVALID_EVENT          "invalid_event"
#define JM_HTTP_UNAUTHORIZED           "unauthorized"
#define JM_HTTP_FORBIDDEN              "forbidden"
#define JM_HTTP_NOT_FOUND              "not_found"
#define JM_HTTP_METHOD_NOT_ALLOWED     "method_not_allowed"
#define JM_HTTP_PAYLOAD_TOO_LARGE      "payload_too_large"
#define JM_HTTP_UNSUPPORTED_MEDIA_TYPE "unsupported_media_type"
#define JM_HTTP_RATE_LIMITED           "rate_limited"
#define JM_HTTP_UNAVAILABLE            "unavailable"
#define JM_HTTP_INVALID_REQUEST        "invalid_request"

/* Sets the status and a JSON body (application/json; charset=utf-8) on `msg`. */
void jm_http_respond_json   (SoupServerMessage *msg,
                             guint              status,
                             JsonNode          *body);

/* Sets the status and the body {"error":{"code":CODE,"message":MESSAGE}}. */
void jm_http_respond_error  (SoupServerMessage *msg,
                             guint              status,
                             const char        *code,
                             const char        *format,
                             ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
