/* jm-table.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JmTable: a result as rows of text cells under named columns, for `--format csv` and the
 * application's CSV export. Column names are the JSON field names of DESIGN §12; a NULL cell
 * is an empty CSV field (JSON null).
 */
typedef struct
{
  GPtrArray *columns;   /* char* */
  GPtrArray *rows;      /* GPtrArray* of char* (NULL allowed), one cell per column */
} JmTable;

JmTable   *jm_table_new        (const char * const *columns);
/* Appends a row; takes ownership of the `n` cells given (which must match the columns). */
void       jm_table_add_row    (JmTable            *self,
                                char              **cells);
/* Convenience: a row from printf-free values, copied. */
void       jm_table_add_rowv   (JmTable            *self,
                                ...) G_GNUC_NULL_TERMINATED;
/* RFC 4180 text with a header line, CRLF-free ("\n" line ends). */
char      *jm_table_to_csv     (const JmTable      *self);
void       jm_table_free       (JmTable            *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmTable, jm_table_free)

G_END_DECLS
