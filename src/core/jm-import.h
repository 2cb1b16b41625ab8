/* jm-import.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "jm-store.h"

G_BEGIN_DECLS

typedef enum
{
  JM_INPUT_FORMAT_AUTO,
  JM_INPUT_FORMAT_NDJSON,
  JM_INPUT_FORMAT_JSON,
  JM_INPUT_FORMAT_CSV,
} JmInputFormat;

#define JM_IMPORT_MAX_ERRORS 100

typedef struct
{
  char   *file;
  guint64 line;     /* NDJSON/CSV: the line (of the record's start); JSON array: 1-based element */
  char   *field;    /* dotted field name, or NULL */
  char   *reason;
} JmImportError;

typedef struct
{
  GPtrArray *files;        /* char*, as given */
  guint64    imported;     /* every stored message, identify/alias/group included */
  guint64    duplicates;
  guint64    rejected;
  guint64    dropped;      /* refused by consent policy */
  GPtrArray *errors;       /* JmImportError*, at most JM_IMPORT_MAX_ERRORS; counts are not capped */
  double     seconds;
} JmImportReport;

/* Called from the importing thread with bytes consumed so far and the file's size (0 when
 * unknown, e.g. gzip from a pipe).
 */
typedef void (*JmImportProgressFunc) (const char *file,
                                      guint64     bytes_read,
                                      guint64     bytes_total,
                                      guint64     events,
                                      gpointer    user_data);

typedef struct _JmImporter JmImporter;

gboolean        jm_input_format_from_string   (const char            *string,
                                               JmInputFormat         *format);

JmImporter     *jm_importer_new               (JmStore               *store,
                                               gint64                 project);
void            jm_importer_free              (JmImporter            *self);
void            jm_importer_set_input_format  (JmImporter            *self,
                                               JmInputFormat          format);
/* `--map COLUMN=FIELD`: FIELD is one of userId, anonymousId, event, type, timestamp,
 * messageId, name, sessionId, or properties.X / context.X.Y / traits.X. CSV only.
 */
gboolean        jm_importer_add_mapping       (JmImporter            *self,
                                               const char            *mapping,
                                               GError               **error);
void            jm_importer_set_progress_func (JmImporter            *self,
                                               JmImportProgressFunc   func,
                                               gpointer               user_data);
/* Imports one file (gzip detected by magic bytes). Bad records are counted and listed in
 * the report, never fatal; returns FALSE only when the file cannot be read at all or the
 * workspace cannot be written.
 */
gboolean        jm_importer_import_file       (JmImporter            *self,
                                               GFile                 *file,
                                               GCancellable          *cancellable,
                                               GError               **error);
/* As jm_importer_import_file(), from a stream; `name` is what errors call the file. */
gboolean        jm_importer_import_stream     (JmImporter            *self,
                                               GInputStream          *stream,
                                               const char            *name,
                                               guint64                size,
                                               GCancellable          *cancellable,
                                               GError               **error);
const JmImportReport *jm_importer_get_report  (JmImporter            *self);

/* The report as the JSON of DESIGN §12. */
JsonNode       *jm_import_report_to_json      (const JmImportReport  *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmImporter, jm_importer_free)

G_END_DECLS
