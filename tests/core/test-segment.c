/* test-segment.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "journey.h"

static JmStore *
open_store (gint64 *project)
{
  g_autoptr(GError) error = NULL;
  JmStore *store = jm_store_open (":memory:", JM_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_true (jm_store_lookup_project (store, NULL, project, &error));
  g_assert_no_error (error);

  return store;
}

static void
test_filter_segment (void)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmSegment) segment = NULL;
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GError) error = NULL;
  gint64 project;

  store = open_store (&project);

  g_assert_true (jm_store_create_filter_segment (store, project, "pro users",
                                                 "traits.plan = \"pro\"", &error));
  g_assert_no_error (error);

  /* A second segment of the same name is refused, and says why. */
  g_assert_false (jm_store_create_filter_segment (store, project, "pro users",
                                                  "traits.plan = \"free\"", &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "pro users"));
  g_clear_error (&error);

  /* A broken expression is never saved: the error points at the column. */
  g_assert_false (jm_store_create_filter_segment (store, project, "broken",
                                                  "properties.price > ", &error));
  g_assert_error (error, JM_WHERE_ERROR, JM_WHERE_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, "column "));
  g_clear_error (&error);

  segments = jm_store_list_segments (store, project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (segments->len, ==, 1);

  segment = jm_store_load_segment (store, project, "pro users", &error);
  g_assert_no_error (error);
  g_assert_cmpint (segment->kind, ==, JM_SEGMENT_FILTER);
  g_assert_cmpstr (segment->where, ==, "traits.plan = \"pro\"");

  g_assert_true (jm_store_delete_segment (store, project, "pro users", &error));
  g_assert_no_error (error);
  g_assert_false (jm_store_delete_segment (store, project, "pro users", &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (jm_store_load_segment (store, project, "pro users", &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
}

static JmEventLog *
build_log (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JsonNode) pro = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) free_plan = json_node_new (JSON_NODE_VALUE);
  guint32 handle;

  json_node_set_string (pro, "pro");
  json_node_set_string (free_plan, "free");

  handle = jm_event_log_builder_add (builder, "alice", 1000, "/", NULL);
  jm_event_log_builder_set_field (builder, handle, "traits.plan", pro);
  jm_event_log_builder_add (builder, "alice", 2000, "/pricing", NULL);
  handle = jm_event_log_builder_add (builder, "bob", 1500, "/", NULL);
  jm_event_log_builder_set_field (builder, handle, "traits.plan", free_plan);
  jm_event_log_builder_add (builder, "carol", 1700, "/help", NULL);

  return jm_event_log_builder_finish (builder);
}

static guint
count_units (JmEventLog *log,
             JmSegment  *segment,
             const char *where)
{
  g_autoptr(JmWhere) own_where = NULL;
  g_autoptr(JmWhere) combined = NULL;
  g_autoptr(GHashTable) customers = NULL;
  g_autoptr(JmUnits) units = NULL;
  g_autoptr(GError) error = NULL;
  JmFilter filter;

  jm_filter_init (&filter);
  if (where != NULL)
    {
      own_where = jm_where_parse (where, NULL, &error);
      g_assert_no_error (error);
      filter.where = own_where;
    }

  g_assert_true (jm_segment_apply (segment, &filter, &combined, &customers, &error));
  g_assert_no_error (error);

  units = jm_units_new (log, &filter, &error);
  g_assert_no_error (error);

  return units->n_units;
}

static void
test_apply (void)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) log = build_log ();
  g_autoptr(JmSegment) pros = NULL;
  g_autoptr(JmSegment) listed = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { "alice", "carol", "nobody" };
  gint64 project;

  store = open_store (&project);

  g_assert_true (jm_store_create_filter_segment (store, project, "pros", "traits.plan = \"pro\"",
                                                 &error));
  g_assert_true (jm_store_create_list_segment (store, project, "picked", ids, G_N_ELEMENTS (ids),
                                               &error));
  g_assert_no_error (error);

  pros = jm_store_load_segment (store, project, "pros", &error);
  listed = jm_store_load_segment (store, project, "picked", &error);
  g_assert_no_error (error);
  g_assert_cmpint (listed->kind, ==, JM_SEGMENT_LIST);
  g_assert_cmpuint (listed->customer_ids->len, ==, 3);

  /* A trait filter selects whole customers: alice, not bob (free) nor carol (no plan). */
  g_assert_cmpuint (count_units (log, pros, NULL), ==, 1);
  /* The analyst's own filter and the segment must both hold. */
  g_assert_cmpuint (count_units (log, pros, "name = \"/help\""), ==, 0);
  /* A list segment keeps its customers that have events; unknown ids are ignored. */
  g_assert_cmpuint (count_units (log, listed, NULL), ==, 2);
  g_assert_cmpuint (count_units (log, listed, "name = \"/help\""), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/segment/filter", test_filter_segment);
  g_test_add_func ("/jm/segment/apply", test_apply);

  return g_test_run ();
}
