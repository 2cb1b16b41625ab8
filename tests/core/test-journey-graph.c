/* test-journey-graph.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "jm-journey-graph.h"
#include "jm-reference.h"

static const JmJourneyGraphEdge *
find_edge (const JmJourneyGraph *graph,
           const char           *source,
           const char           *target)
{
  for (guint i = 0; i < jm_journey_graph_get_n_edges (graph); i++)
    {
      const JmJourneyGraphEdge *edge = jm_journey_graph_get_edge (graph, i);

      if (g_str_equal (edge->source, source) && g_str_equal (edge->target, target))
        return edge;
    }
  return NULL;
}

static void
assert_edge (const JmJourneyGraph *graph,
             guint                 index,
             const char           *source,
             const char           *target,
             guint64               count,
             gdouble               median)
{
  const JmJourneyGraphEdge *edge = jm_journey_graph_get_edge (graph, index);

  g_assert_cmpstr (edge->source, ==, source);
  g_assert_cmpstr (edge->target, ==, target);
  g_assert_cmpuint (edge->count, ==, count);
  if (median < 0)
    g_assert_false (edge->has_median);
  else
    {
      g_assert_true (edge->has_median);
      g_assert_cmpfloat_with_epsilon (edge->median_seconds, median, 1e-9);
    }
}

/* Counts, self-loops, START/END, the median of an even count and the order of everything. */
static void
test_graph_basic (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c1 0 A; c1 10 B; c1 20 B; c1 50 C;"
                                                  "c2 100 A; c2 130 B;"
                                                  "c3 0 B",
                                                  FALSE, 0);
  g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (log->units);
  const JmJourneyGraphNode *node;

  g_assert_cmpuint (jm_journey_graph_get_n_units (graph), ==, 3);
  g_assert_cmpuint (jm_journey_graph_get_n_events (graph), ==, 7);

  /* Nodes by events: B (4 events in 3 units), A (2 in 2), C (1 in 1). */
  g_assert_cmpuint (jm_journey_graph_get_n_nodes (graph), ==, 3);
  node = jm_journey_graph_get_node (graph, 0);
  g_assert_cmpstr (node->name, ==, "B");
  g_assert_cmpuint (node->events, ==, 4);
  g_assert_cmpuint (node->units, ==, 3);
  node = jm_journey_graph_get_node (graph, 1);
  g_assert_cmpstr (node->name, ==, "A");
  g_assert_cmpuint (node->events, ==, 2);
  g_assert_cmpuint (node->units, ==, 2);
  node = jm_journey_graph_get_node (graph, 2);
  g_assert_cmpstr (node->name, ==, "C");
  g_assert_cmpuint (node->events, ==, 1);

  /* Edges by count, then source, then target; A→B took 10 s and 30 s: median 20 s. */
  g_assert_cmpuint (jm_journey_graph_get_n_edges (graph), ==, 7);
  assert_edge (graph, 0, "A", "B", 2, 20.0);
  assert_edge (graph, 1, "B", "END", 2, -1);
  assert_edge (graph, 2, "START", "A", 2, -1);
  assert_edge (graph, 3, "B", "B", 1, 10.0);
  assert_edge (graph, 4, "B", "C", 1, 30.0);
  assert_edge (graph, 5, "C", "END", 1, -1);
  assert_edge (graph, 6, "START", "B", 1, -1);
  g_assert_true (jm_journey_graph_get_edge (graph, 2)->source_is_start);
  g_assert_true (jm_journey_graph_get_edge (graph, 1)->target_is_end);
}

/* An odd number of durations has its middle one as median; milliseconds are kept. */
static void
test_graph_median_odd (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("a 0 A; a 1.5 B;"
                                                  "b 0 A; b 7 B;"
                                                  "c 0 A; c 2.25 B;"
                                                  "d 0 A; d 2.75 B",
                                                  FALSE, 0);
  g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (log->units);
  g_autoptr(JmRefLog) log3 = jm_ref_log_new_parse ("a 0 A; a 1.5 B; b 0 A; b 7 B; c 0 A; c 2.25 B",
                                                   FALSE, 0);
  g_autoptr(JmJourneyGraph) graph3 = jm_journey_graph_compute (log3->units);

  /* {1.5, 2.25, 2.75, 7}: (2.25 + 2.75) / 2 */
  g_assert_cmpfloat (find_edge (graph, "A", "B")->median_seconds, ==, 2.5);
  /* {1.5, 2.25, 7} */
  g_assert_cmpfloat (find_edge (graph3, "A", "B")->median_seconds, ==, 2.25);
}

/* Equal timestamps follow the arrival order. */
static void
test_graph_ties (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 10 B; c 10 A; c 10 C", FALSE, 0);
  g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (log->units);

  g_assert_nonnull (find_edge (graph, "START", "B"));
  g_assert_nonnull (find_edge (graph, "B", "A"));
  g_assert_nonnull (find_edge (graph, "A", "C"));
  g_assert_null (find_edge (graph, "A", "B"));
  g_assert_cmpfloat (find_edge (graph, "B", "A")->median_seconds, ==, 0.0);
}

/* Per session, a long pause ends one journey and starts another. */
static void
test_graph_sessions (void)
{
  const char *text = "c 0 A; c 60 B; c 7200 C; c 7210 D";
  g_autoptr(JmRefLog) sessions = jm_ref_log_new_parse (text, TRUE, 30 * 60 * 1000);
  g_autoptr(JmRefLog) customers = jm_ref_log_new_parse (text, FALSE, 0);
  g_autoptr(JmJourneyGraph) by_session = jm_journey_graph_compute (sessions->units);
  g_autoptr(JmJourneyGraph) by_customer = jm_journey_graph_compute (customers->units);
  g_autoptr(JsonNode) json = jm_journey_graph_to_json (by_session);

  g_assert_cmpuint (jm_journey_graph_get_n_units (by_session), ==, 2);
  g_assert_null (find_edge (by_session, "B", "C"));
  g_assert_nonnull (find_edge (by_session, "B", "END"));
  g_assert_nonnull (find_edge (by_session, "START", "C"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "unit"), ==,
                   "session");

  g_assert_cmpuint (jm_journey_graph_get_n_units (by_customer), ==, 1);
  g_assert_cmpfloat (find_edge (by_customer, "B", "C")->median_seconds, ==, 7140.0);
}

/* The JSON has exactly the fields of DESIGN §12, with null medians on virtual edges. */
static void
test_graph_json (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 2 A", FALSE, 0);
  g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (log->units);
  g_autoptr(JsonNode) json = jm_journey_graph_to_json (graph);
  g_autofree char *text = json_to_string (json, FALSE);

  g_assert_cmpstr (text, ==,
                   "{\"unit\":\"customer\",\"units\":1,\"events\":2,"
                   "\"nodes\":[{\"name\":\"A\",\"events\":2,\"units\":1}],"
                   "\"edges\":[{\"source\":\"A\",\"target\":\"A\",\"count\":1,"
                   "\"median_seconds\":2.0},"
                   "{\"source\":\"A\",\"target\":\"END\",\"count\":1,\"median_seconds\":null},"
                   "{\"source\":\"START\",\"target\":\"A\",\"count\":1,"
                   "\"median_seconds\":null}]}");
}

static void
test_graph_csv (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 0.1 B,x", FALSE, 0);
  g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (log->units);
  g_autoptr(JmTable) edges = jm_journey_graph_to_table (graph);
  g_autoptr(JmTable) nodes = jm_journey_graph_nodes_to_table (graph);
  g_autofree char *edges_csv = jm_table_to_csv (edges);
  g_autofree char *nodes_csv = jm_table_to_csv (nodes);

  g_assert_cmpstr (edges_csv, ==,
                   "source,target,count,median_seconds\n"
                   "A,\"B,x\",1,0.1\n"
                   "\"B,x\",END,1,\n"
                   "START,A,1,\n");
  g_assert_cmpstr (nodes_csv, ==,
                   "name,events,units\n"
                   "A,1,1\n"
                   "\"B,x\",1,1\n");
}

static void
test_graph_empty (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("", FALSE, 0);
  g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (log->units);

  g_assert_cmpuint (jm_journey_graph_get_n_units (graph), ==, 0);
  g_assert_cmpuint (jm_journey_graph_get_n_nodes (graph), ==, 0);
  g_assert_cmpuint (jm_journey_graph_get_n_edges (graph), ==, 0);
}

static void
compare_with_reference (JmRefLog *log)
{
  g_autoptr(JmJourneyGraph) graph = jm_journey_graph_compute (log->units);
  g_autoptr(JsonNode) got = jm_journey_graph_to_json (graph);
  g_autoptr(JsonNode) want = jm_ref_graph (log->ref_units, log->n_ref_units,
                                           log->sessions ? "session" : "customer");
  g_autofree char *where = NULL;

  if (!jm_ref_json_equal (got, want, &where))
    {
      g_autofree char *got_text = jm_ref_json_to_string (got);
      g_autofree char *want_text = jm_ref_json_to_string (want);

      g_test_message ("differs at %s\ngot: %s\nwant: %s", where, got_text, want_text);
      g_test_fail ();
    }
}

/* Thousands of random small logs: every number equals the reference's. */
static void
test_graph_random (void)
{
  static const char * const alphabet[] = { "A", "B", "C", "D", NULL };

  for (guint seed = 1; seed <= 2000 && !g_test_failed (); seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      gboolean sessions = g_rand_boolean (rand);
      g_autoptr(JmRefLog) log = jm_ref_log_new_random (rand, alphabet, 40, sessions, 2000);

      compare_with_reference (log);
      if (g_test_failed ())
        g_test_message ("seed %u", seed);
    }
}

/* A log large enough to be split between two threads. */
static void
test_graph_large (void)
{
  static const char * const alphabet[] = { "home", "search", "product", "cart", "checkout",
                                           "help", NULL };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(JmRefLog) log = jm_ref_log_new_random_large (rand, alphabet, 70000);

  compare_with_reference (log);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/journey-graph/basic", test_graph_basic);
  g_test_add_func ("/jm/journey-graph/median-odd", test_graph_median_odd);
  g_test_add_func ("/jm/journey-graph/ties", test_graph_ties);
  g_test_add_func ("/jm/journey-graph/sessions", test_graph_sessions);
  g_test_add_func ("/jm/journey-graph/json", test_graph_json);
  g_test_add_func ("/jm/journey-graph/csv", test_graph_csv);
  g_test_add_func ("/jm/journey-graph/empty", test_graph_empty);
  g_test_add_func ("/jm/journey-graph/random", test_graph_random);
  g_test_add_func ("/jm/journey-graph/large", test_graph_large);

  return g_test_run ();
}
