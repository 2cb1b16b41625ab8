/* jm-json-scanner.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define JM_JSON_SCANNER_ERROR (jm_json_scanner_error_quark ())

typedef enum
{
  JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY,   /* neither an array nor an object with a `batch` array */
  JM_JSON_SCANNER_ERROR_TRUNCATED,      /* the input ends inside the array */
  JM_JSON_SCANNER_ERROR_SYNTAX,         /* malformed structure between or after the elements */
  JM_JSON_SCANNER_ERROR_TOO_LARGE,      /* one element is larger than the limit */
  JM_JSON_SCANNER_ERROR_EMPTY,          /* an empty element, as in `[1,,2]` */
  JM_JSON_SCANNER_ERROR_INVALID,        /* jm_json_parse(): not valid JSON */
} JmJsonScannerError;

/* Default largest element kept in memory. */
#define JM_JSON_SCANNER_DEFAULT_MAX_ELEMENT (1024 * 1024)

typedef enum
{
  JM_JSON_SCAN_ELEMENT,   /* an element's text is returned */
  JM_JSON_SCAN_SKIPPED,   /* an element was unusable (error set, TOO_LARGE or EMPTY); go on */
  JM_JSON_SCAN_END,       /* the array (and the object around it) ended properly */
  JM_JSON_SCAN_FAILED,    /* error set; scanning cannot go on */
} JmJsonScanResult;

typedef struct _JmJsonScanner JmJsonScanner;

GQuark            jm_json_scanner_error_quark   (void);

/* Splits the elements out of a top-level JSON array, or of the `batch` array of an object
 * `{"batch": […], …}`, read from `stream`, without ever holding more than one element
 * (at most `max_element` bytes; 0 for the default) in memory.
 */
JmJsonScanner    *jm_json_scanner_new           (GInputStream   *stream,
                                                 gsize           max_element);
void              jm_json_scanner_free          (JmJsonScanner  *self);

/* Reads the next element. On JM_JSON_SCAN_ELEMENT, `element` points to its text
 * (NUL-terminated, without surrounding whitespace, valid until the next call) and
 * `length` to its length. `index` (optional) receives the 1-based index of the element
 * concerned, also for SKIPPED and for FAILED inside the array (0 before the first one).
 */
JmJsonScanResult  jm_json_scanner_next          (JmJsonScanner  *self,
                                                 const char    **element,
                                                 gsize          *length,
                                                 guint64        *index,
                                                 GCancellable   *cancellable,
                                                 GError        **error);

/* Bytes consumed from the stream so far. */
guint64           jm_json_scanner_get_offset    (JmJsonScanner  *self);

/* A strict RFC 8259 parser into a json-glib tree, several times faster than JsonParser
 * (which dominated import time). Integers that fit are G_TYPE_INT64, other numbers
 * G_TYPE_DOUBLE, as with JsonParser. Errors are JM_JSON_SCANNER_ERROR_INVALID with the
 * byte column.
 */
JsonNode         *jm_json_parse                 (const char     *data,
                                                 gsize           length,
                                                 GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmJsonScanner, jm_json_scanner_free)

G_END_DECLS
