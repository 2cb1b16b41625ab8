/* jm-segment.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-segment"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "jm-segment.h"
#include "jm-store-private.h"

const char *
jm_segment_kind_to_string (JmSegmentKind kind)
{
  return kind == JM_SEGMENT_LIST ? "list" : "filter";
}

void
jm_segment_free (JmSegment *segment)
{
  if (segment == NULL)
    return;

  g_free (segment->name);
  g_free (segment->where);
  g_clear_pointer (&segment->customer_ids, g_ptr_array_unref);
  g_free (segment);
}

static gboolean
validate_name (const char  *name,
               GError     **error)
{
  if (name == NULL || *name == '\0' || strlen (name) > 200 || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_INVALID,
                   "A segment needs a name of 1 to 200 characters");
      return FALSE;
    }

  return TRUE;
}

static gboolean
insert_segment (JmStore     *self,
                gint64       project,
                const char  *name,
                const char  *kind,
                const char  *definition,
                GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;

  stmt = jm_store_prepare_cached (self,
                                  "INSERT INTO segments (project, name, kind, definition, created) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5)",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, project);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, definition, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, jm_store_now_ms ());

  if (!jm_store_step_done (self, stmt, "save the segment", &local_error))
    {
      if (g_error_matches (local_error, JM_STORE_ERROR, JM_STORE_ERROR_EXISTS))
        g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_EXISTS,
                     "A segment named “%s” already exists; delete it first or pick another name",
                     name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static char *
definition_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

gboolean
jm_store_create_filter_segment (JmStore     *self,
                                gint64       project,
                                const char  *name,
                                const char  *where,
                                GError     **error)
{
  g_autoptr(JmWhere) parsed = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *definition = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (where != NULL, FALSE);

  if (!validate_name (name, error))
    return FALSE;

  parsed = jm_where_parse (where, NULL, error);
  if (parsed == NULL)
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "where");
  json_builder_add_string_value (builder, where);
  json_builder_end_object (builder);
  definition = definition_to_string (builder);

  return insert_segment (self, project, name, "filter", definition, error);
}

gboolean
jm_store_create_list_segment (JmStore            *self,
                              gint64              project,
                              const char         *name,
                              const char * const *customer_ids,
                              guint               n_customer_ids,
                              GError            **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *definition = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (customer_ids != NULL || n_customer_ids == 0, FALSE);

  if (!validate_name (name, error))
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "customers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_customer_ids; i++)
    json_builder_add_string_value (builder, customer_ids[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  definition = definition_to_string (builder);

  return insert_segment (self, project, name, "list", definition, error);
}

static JmSegment *
segment_from_row (sqlite3_stmt  *stmt,
                  GError       **error)
{
  g_autoptr(JmSegment) segment = g_new0 (JmSegment, 1);
  g_autoptr(JsonNode) definition = NULL;
  const char *kind = (const char *) sqlite3_column_text (stmt, 2);
  JsonObject *object;

  segment->id = sqlite3_column_int64 (stmt, 0);
  segment->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  segment->kind = g_strcmp0 (kind, "list") == 0 ? JM_SEGMENT_LIST : JM_SEGMENT_FILTER;
  segment->created = sqlite3_column_int64 (stmt, 4);

  definition = json_from_string ((const char *) sqlite3_column_text (stmt, 3), NULL);
  if (definition == NULL || !JSON_NODE_HOLDS_OBJECT (definition))
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_CORRUPT,
                   "The definition of the segment “%s” is damaged", segment->name);
      return NULL;
    }
  object = json_node_get_object (definition);

  if (segment->kind == JM_SEGMENT_FILTER)
    {
      segment->where = g_strdup (json_object_get_string_member_with_default (object, "where", NULL));
      if (segment->where == NULL)
        {
          g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_CORRUPT,
                       "The segment “%s” has no expression", segment->name);
          return NULL;
        }
    }
  else
    {
      JsonArray *customers = json_object_get_array_member (object, "customers");
      guint n = customers != NULL ? json_array_get_length (customers) : 0;

      segment->customer_ids = g_ptr_array_new_full (n, g_free);
      for (guint i = 0; i < n; i++)
        {
          const char *id = json_array_get_string_element (customers, i);

          if (id != NULL)
            g_ptr_array_add (segment->customer_ids, g_strdup (id));
        }
    }

  return g_steal_pointer (&segment);
}

GPtrArray *
jm_store_list_segments (JmStore  *self,
                        gint64    project,
                        GError  **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) segments = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT id, name, kind, definition, created FROM segments "
                                  "WHERE project = ?1 ORDER BY name",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  segments = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_segment_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JmSegment *segment = segment_from_row (stmt, error);

      if (segment == NULL)
        return NULL;
      g_ptr_array_add (segments, segment);
    }

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "list the segments");
      return NULL;
    }

  return g_steal_pointer (&segments);
}

JmSegment *
jm_store_load_segment (JmStore     *self,
                       gint64       project,
                       const char  *name,
                       GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT id, name, kind, definition, created FROM segments "
                                  "WHERE project = ?1 AND name = ?2",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "There is no segment “%s”; “segments list” shows the saved ones", name);
      return NULL;
    }

  if (rc != SQLITE_ROW)
    {
      jm_store_set_error_from_sqlite (self, error, "read the segment");
      return NULL;
    }

  return segment_from_row (stmt, error);
}

gboolean
jm_store_delete_segment (JmStore     *self,
                         gint64       project,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  stmt = jm_store_prepare_cached (self,
                                  "DELETE FROM segments WHERE project = ?1 AND name = ?2",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, project);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);

  if (!jm_store_step_done (self, stmt, "delete the segment", error))
    return FALSE;

  if (sqlite3_changes (jm_store_get_db (self)) == 0)
    {
      g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                   "There is no segment “%s”", name);
      return FALSE;
    }

  return TRUE;
}

gboolean
jm_segment_apply (JmSegment    *segment,
                  JmFilter     *filter,
                  JmWhere     **out_where,
                  GHashTable  **out_customers,
                  GError      **error)
{
  g_return_val_if_fail (segment != NULL, FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);
  g_return_val_if_fail (out_where != NULL, FALSE);
  g_return_val_if_fail (out_customers != NULL, FALSE);

  *out_where = NULL;
  *out_customers = NULL;

  if (segment->kind == JM_SEGMENT_FILTER)
    {
      g_autofree char *combined = NULL;
      JmWhere *where;

      /* Both were parsed on their own before, so the combination parses too; its column
       * numbers are not shown to anyone.
       */
      if (filter->where != NULL)
        combined = g_strdup_printf ("(%s) and (%s)", jm_where_get_text (filter->where),
                                    segment->where);
      else
        combined = g_strdup (segment->where);

      where = jm_where_parse (combined, NULL, error);
      if (where == NULL)
        {
          g_prefix_error (error, "Segment “%s”: ", segment->name);
          return FALSE;
        }

      filter->where = where;
      *out_where = where;
    }
  else
    {
      GHashTable *customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      for (guint i = 0; i < segment->customer_ids->len; i++)
        g_hash_table_add (customers, g_strdup (g_ptr_array_index (segment->customer_ids, i)));

      if (filter->customers != NULL)
        {
          GHashTableIter iter;
          gpointer key;

          /* A segment within a segment: keep the customers of both. */
          g_hash_table_iter_init (&iter, customers);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            if (!g_hash_table_contains (filter->customers, key))
              g_hash_table_iter_remove (&iter);
        }

      filter->customers = customers;
      *out_customers = customers;
    }

  return TRUE;
}
