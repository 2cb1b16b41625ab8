/* jm-table.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-table"

#include "config.h"

#include <string.h>

#include "jm-table.h"

JmTable *
jm_table_new (const char * const *columns)
{
  JmTable *self;

  g_return_val_if_fail (columns != NULL, NULL);

  self = g_new0 (JmTable, 1);
  self->columns = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; columns[i] != NULL; i++)
    g_ptr_array_add (self->columns, g_strdup (columns[i]));

  return self;
}

void
jm_table_add_row (JmTable  *self,
                  char    **cells)
{
  GPtrArray *row;

  g_return_if_fail (self != NULL);

  row = g_ptr_array_new_full (self->columns->len, g_free);
  for (guint i = 0; i < self->columns->len; i++)
    g_ptr_array_add (row, cells[i]);
  g_ptr_array_add (self->rows, row);
}

void
jm_table_add_rowv (JmTable *self,
                   ...)
{
  g_autofree char **cells = NULL;
  va_list args;

  g_return_if_fail (self != NULL);

  cells = g_new0 (char *, self->columns->len);
  va_start (args, self);
  for (guint i = 0; i < self->columns->len; i++)
    cells[i] = g_strdup (va_arg (args, const char *));
  va_end (args);

  jm_table_add_row (self, cells);
}

static void
append_cell (GString    *out,
             const char *cell)
{
  if (cell == NULL)
    return;

  if (strpbrk (cell, ",\"\r\n") == NULL)
    {
      g_string_append (out, cell);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = cell; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_line (GString   *out,
             GPtrArray *cells)
{
  for (guint i = 0; i < cells->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_cell (out, g_ptr_array_index (cells, i));
    }
  g_string_append_c (out, '\n');
}

char *
jm_table_to_csv (const JmTable *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  append_line (out, self->columns);
  for (guint i = 0; i < self->rows->len; i++)
    append_line (out, g_ptr_array_index (self->rows, i));

  return g_string_free (out, FALSE);
}

void
jm_table_free (JmTable *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->columns);
  g_ptr_array_unref (self->rows);
  g_free (self);
}
