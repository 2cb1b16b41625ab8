/* jm-csv-reader.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define JM_CSV_ERROR (jm_csv_error_quark ())

typedef enum
{
  JM_CSV_ERROR_NO_HEADER,        /* the input is empty */
  JM_CSV_ERROR_MALFORMED,        /* one record cannot be used; reading goes on */
} JmCsvError;

/* Largest record kept in memory; a longer one is reported and skipped. */
#define JM_CSV_READER_MAX_RECORD (1024 * 1024)

typedef enum
{
  JM_CSV_RECORD,        /* a record with as many fields as the header */
  JM_CSV_MALFORMED,     /* error set (JM_CSV_ERROR_MALFORMED); the record was skipped; go on */
  JM_CSV_END,
  JM_CSV_FAILED,        /* error set (I/O, cancelled); reading cannot go on */
} JmCsvResult;

typedef struct _JmCsvReader JmCsvReader;

GQuark              jm_csv_error_quark           (void);

/* An RFC 4180 reader: comma separated, fields optionally in double quotes (with `""` for
 * a quote, and commas and line breaks inside), CRLF or LF line ends, a UTF-8 byte order
 * mark ignored, the first record the header. Blank lines are skipped.
 */
JmCsvReader        *jm_csv_reader_new            (GInputStream   *stream);
void                jm_csv_reader_free           (JmCsvReader    *self);

/* Reads the header; fails with JM_CSV_ERROR_NO_HEADER on empty input. */
gboolean            jm_csv_reader_read_header    (JmCsvReader    *self,
                                                  GCancellable   *cancellable,
                                                  GError        **error);
/* The header's column names, as written (NULL-terminated; owned by the reader). */
const char * const *jm_csv_reader_get_header     (JmCsvReader    *self,
                                                  guint          *n_columns);

/* Reads the next record (the header first, if not read yet). Malformed records
 * (unterminated quote at the end, a field count other than the header's, a record over
 * JM_CSV_READER_MAX_RECORD, text that is not UTF-8) are reported one by one.
 */
JmCsvResult         jm_csv_reader_next           (JmCsvReader    *self,
                                                  GCancellable   *cancellable,
                                                  GError        **error);

/* The current record's fields (valid until the next call). */
guint               jm_csv_reader_get_n_fields   (JmCsvReader    *self);
const char         *jm_csv_reader_get_field      (JmCsvReader    *self,
                                                  guint           index,
                                                  gsize          *length);
/* The 1-based physical line where the current (or the malformed) record starts. */
guint64             jm_csv_reader_get_line       (JmCsvReader    *self);
/* Bytes consumed from the stream so far. */
guint64             jm_csv_reader_get_offset     (JmCsvReader    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmCsvReader, jm_csv_reader_free)

G_END_DECLS
