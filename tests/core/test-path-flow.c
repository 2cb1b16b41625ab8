/* test-path-flow.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "jm-analysis-error.h"
#include "jm-path-flow.h"
#include "jm-reference.h"

static JmPathFlow *
compute (JmRefLog                *log,
         const JmPathFlowOptions *options)
{
  g_autoptr(GError) error = NULL;
  JmPathFlow *flow = jm_path_flow_compute (log->units, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (flow);
  return flow;
}

static const JmPathFlowNode *
find_node (const JmPathFlow *flow,
           guint             step,
           const char       *name)
{
  for (guint i = 0; i < jm_path_flow_get_n_nodes (flow); i++)
    {
      const JmPathFlowNode *node = jm_path_flow_get_node (flow, i);

      if (node->step == step && g_str_equal (node->name, name))
        return node;
    }
  return NULL;
}

static const JmPathFlowLink *
find_link (const JmPathFlow *flow,
           guint             step,
           const char       *source,
           const char       *target)
{
  for (guint i = 0; i < jm_path_flow_get_n_links (flow); i++)
    {
      const JmPathFlowLink *link = jm_path_flow_get_link (flow, i);

      if (link->step == step && g_str_equal (link->source, source) &&
          g_str_equal (link->target, target))
        return link;
    }
  return NULL;
}

static void
assert_node (const JmPathFlow *flow,
             guint             step,
             const char       *name,
             guint64           count,
             guint64           dropoff,
             guint64           entries)
{
  const JmPathFlowNode *node = find_node (flow, step, name);

  if (node == NULL)
    g_error ("no node (%u, %s)", step, name);
  g_assert_cmpuint (node->count, ==, count);
  g_assert_cmpuint (node->dropoff, ==, dropoff);
  g_assert_cmpuint (node->entries, ==, entries);
}

/* The shared data of the anchor tests:
 *   c1  H P C          c2  H P          c3  X H C P P      c4  P       c5  C
 */
static const char anchors_log[] =
  "c1 0 H; c1 10 P; c1 30 C;"
  "c2 0 H; c2 20 P;"
  "c3 0 X; c3 5 H; c3 6 C; c3 9 P; c3 12 P;"
  "c4 0 P;"
  "c5 0 C";

/* A start anchor: steps from the first occurrence; dropoff where a unit's journey ends. */
static void
test_paths_start (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse (anchors_log, FALSE, 0);
  g_autoptr(JmPathFlow) flow = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "H";
  options.steps = 3;
  flow = compute (log, &options);

  /* c4 and c5 never did H. */
  g_assert_cmpuint (jm_path_flow_get_n_units (flow), ==, 3);
  assert_node (flow, 1, "H", 3, 0, 0);
  assert_node (flow, 2, "P", 2, 1, 0);   /* c2 ends there */
  assert_node (flow, 2, "C", 1, 0, 0);
  assert_node (flow, 3, "C", 1, 1, 0);   /* c1's last event */
  assert_node (flow, 3, "P", 1, 0, 0);   /* c3 goes on (P P), beyond the steps shown */
  g_assert_cmpuint (jm_path_flow_get_n_nodes (flow), ==, 5);

  g_assert_cmpuint (find_link (flow, 1, "H", "P")->count, ==, 2);
  g_assert_cmpfloat (find_link (flow, 1, "H", "P")->median_seconds, ==, 15.0);
  g_assert_cmpfloat (find_link (flow, 1, "H", "C")->median_seconds, ==, 1.0);
  g_assert_cmpfloat (find_link (flow, 2, "P", "C")->median_seconds, ==, 20.0);
  g_assert_cmpfloat (find_link (flow, 2, "C", "P")->median_seconds, ==, 3.0);
  g_assert_cmpuint (jm_path_flow_get_n_links (flow), ==, 4);

  /* Ordered by step, then count: (1,H) (2,P) (2,C) … */
  g_assert_cmpstr (jm_path_flow_get_node (flow, 1)->name, ==, "P");
  g_assert_cmpstr (jm_path_flow_get_node (flow, 2)->name, ==, "C");
}

/* An end anchor: steps up to the last occurrence; short histories start at a higher step. */
static void
test_paths_end (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse (anchors_log, FALSE, 0);
  g_autoptr(JmPathFlow) flow = NULL;
  g_autoptr(JsonNode) json = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.anchor = JM_PATH_ANCHOR_END;
  options.event = "C";
  options.steps = 3;
  flow = compute (log, &options);

  /* c1 H P C, c3 X H C (its last C), c5 C */
  g_assert_cmpuint (jm_path_flow_get_n_units (flow), ==, 3);
  assert_node (flow, 1, "H", 1, 0, 1);
  assert_node (flow, 1, "X", 1, 0, 1);
  assert_node (flow, 2, "P", 1, 0, 0);
  assert_node (flow, 2, "H", 1, 0, 0);
  assert_node (flow, 3, "C", 3, 0, 1);   /* c5 enters at the anchor itself */
  g_assert_cmpuint (jm_path_flow_get_n_nodes (flow), ==, 5);
  g_assert_cmpuint (find_link (flow, 2, "H", "C")->count, ==, 1);
  g_assert_cmpfloat (find_link (flow, 1, "X", "H")->median_seconds, ==, 5.0);

  json = jm_path_flow_to_json (flow);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (json_node_get_object (json), "anchor"),
                     "end"), ==, "C");
}

/* With an end anchor and a long history, the path starts at step 1 and its first node counts
 * as the entry; a unit with two anchors uses its last one.
 */
static void
test_paths_end_last_occurrence (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 1 E; c 2 B; c 3 C; c 4 E; c 5 D",
                                                  FALSE, 0);
  g_autoptr(JmPathFlow) flow = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.anchor = JM_PATH_ANCHOR_END;
  options.event = "E";
  options.steps = 3;
  flow = compute (log, &options);

  g_assert_cmpuint (jm_path_flow_get_n_nodes (flow), ==, 3);
  assert_node (flow, 1, "B", 1, 0, 1);
  assert_node (flow, 2, "C", 1, 0, 0);
  assert_node (flow, 3, "E", 1, 0, 0);
}

/* Consecutive repeats collapse into their first event, after exclusions. */
static void
test_paths_collapse (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 1 B; c 2 B; c 3 X; c 4 B; c 10 C",
                                                  FALSE, 0);
  const char *exclude[] = { "X", NULL };
  g_autoptr(JmPathFlow) plain = NULL;
  g_autoptr(JmPathFlow) collapsed = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "A";
  options.exclude = exclude;
  plain = compute (log, &options);
  assert_node (plain, 2, "B", 1, 0, 0);
  assert_node (plain, 3, "B", 1, 0, 0);
  assert_node (plain, 4, "B", 1, 0, 0);
  assert_node (plain, 5, "C", 1, 1, 0);

  options.collapse_repeats = TRUE;
  collapsed = compute (log, &options);
  g_assert_cmpuint (jm_path_flow_get_n_nodes (collapsed), ==, 3);
  assert_node (collapsed, 2, "B", 1, 0, 0);
  assert_node (collapsed, 3, "C", 1, 1, 0);
  /* The run of B starts at 1 s, so C comes 9 s after it. */
  g_assert_cmpfloat (find_link (collapsed, 2, "B", "C")->median_seconds, ==, 9.0);
}

/* Rules rewrite first (in order), then exclusions see the rewritten names, then repeats
 * collapse; the anchor is a rewritten name too.
 */
static void
test_paths_clean_order (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 /home; c 1 /product/1; c 2 /product/2;"
                                                  "c 3 /help; c 4 /cart?id=7",
                                                  FALSE, 0);
  const char *clean[] = { "^/product/\\d+$=/product", "^/cart\\?id=\\d+$=/cart", NULL };
  const char *clean_then_other[] = { "^/product/\\d+$=/product", "^/product$=/item", NULL };
  const char *exclude[] = { "/help", NULL };
  const char *exclude_rewritten[] = { "/product", NULL };
  g_autoptr(JmPathFlow) flow = NULL;
  g_autoptr(JmPathFlow) excluded = NULL;
  g_autoptr(JmPathFlow) chained = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "/home";
  options.clean = clean;
  options.exclude = exclude;
  options.collapse_repeats = TRUE;
  flow = compute (log, &options);
  assert_node (flow, 2, "/product", 1, 0, 0);
  assert_node (flow, 3, "/cart", 1, 1, 0);
  g_assert_cmpuint (jm_path_flow_get_n_nodes (flow), ==, 3);

  /* Excluding the rewritten name removes both products. */
  options.exclude = exclude_rewritten;
  excluded = compute (log, &options);
  assert_node (excluded, 2, "/help", 1, 0, 0);
  assert_node (excluded, 3, "/cart", 1, 1, 0);

  /* The second rule sees the first one's output. */
  options.clean = clean_then_other;
  options.exclude = NULL;
  options.event = "/home";
  chained = compute (log, &options);
  assert_node (chained, 2, "/item", 1, 0, 0);
  g_assert_null (find_node (chained, 2, "/product"));
}

/* A rule splits at its last unescaped '='; "\=" writes '=' in the replacement; a name
 * rewritten to "" disappears.
 */
static void
test_paths_clean_split (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 s; c 1 a=b; c 2 q=1; c 3 noise", FALSE, 0);
  const char *clean[] = { "a=b=ab", "^q=\\d$=query\\=x", "^noise$=", NULL };
  g_autoptr(JmPathFlow) flow = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "s";
  options.clean = clean;
  flow = compute (log, &options);

  assert_node (flow, 2, "ab", 1, 0, 0);
  assert_node (flow, 3, "query=x", 1, 1, 0);
  g_assert_cmpuint (jm_path_flow_get_n_nodes (flow), ==, 3);
}

static void
test_paths_invalid (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A", FALSE, 0);
  const char *bad_regex[] = { "(unclosed=x", NULL };
  const char *no_equals[] = { "^abc$", NULL };
  const char *bad_replacement[] = { "a=\\g<", NULL };
  g_autoptr(GError) error = NULL;
  JmPathFlow *flow;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "A";

  options.clean = bad_regex;
  flow = jm_path_flow_compute (log->units, &options, &error);
  g_assert_null (flow);
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "(unclosed=x"));
  g_clear_error (&error);

  options.clean = no_equals;
  flow = jm_path_flow_compute (log->units, &options, &error);
  g_assert_null (flow);
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "^abc$"));
  g_clear_error (&error);

  options.clean = bad_replacement;
  flow = jm_path_flow_compute (log->units, &options, &error);
  g_assert_null (flow);
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  options.clean = NULL;
  options.steps = 0;
  flow = jm_path_flow_compute (log->units, &options, &error);
  g_assert_null (flow);
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  options.steps = 5;
  options.event = NULL;
  flow = jm_path_flow_compute (log->units, &options, &error);
  g_assert_null (flow);
  g_assert_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION);
}

/* An anchor no event has is not an error: there is just nothing to show. */
static void
test_paths_unknown_anchor (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 1 B", FALSE, 0);
  g_autoptr(JmPathFlow) flow = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "Z";
  flow = compute (log, &options);
  json = jm_path_flow_to_json (flow);
  text = json_to_string (json, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"unit\":\"customer\",\"anchor\":{\"start\":\"Z\"},\"steps\":5,\"units\":0,"
                   "\"nodes\":[],\"links\":[]}");
}

/* Step 2 has B (3 units), C (2), D (1), E (1): top 2 keeps B and C and folds D and E into
 * Other, which flows on to step 3 with every transition's time behind its median.
 */
static const char fold_log[] =
  "u1 0 S; u1 1 B; u1 2 Z;"
  "u2 0 S; u2 1 B; u2 3 Z;"
  "u3 0 S; u3 1 B;"
  "u4 0 S; u4 1 C; u4 5 Z;"
  "u5 0 S; u5 1 C; u5 6 Y;"
  "u6 0 S; u6 1 D; u6 11 Z;"
  "u7 0 S; u7 2 E; u7 32 Z;"
  "u8 0 S; u8 1 E; u8 41 Z";

static void
test_paths_top (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse (fold_log, FALSE, 0);
  g_autoptr(JmPathFlow) flow = NULL;
  JmPathFlowOptions options;
  guint64 per_step[4] = { 0 };

  jm_path_flow_options_init (&options);
  options.event = "S";
  options.steps = 3;
  options.top = 2;
  flow = compute (log, &options);

  assert_node (flow, 2, "B", 3, 1, 0);
  assert_node (flow, 2, "C", 2, 0, 0);
  assert_node (flow, 2, "Other", 3, 0, 0);   /* D and both E */
  g_assert_null (find_node (flow, 2, "D"));
  g_assert_null (find_node (flow, 2, "E"));
  /* Step 3 has Z (6) and Y (1): nothing to fold. */
  assert_node (flow, 3, "Z", 6, 6, 0);
  assert_node (flow, 3, "Y", 1, 1, 0);

  /* Other → Z over 10 s, 30 s and 40 s: median 30 s (not a mean of medians). */
  g_assert_cmpuint (find_link (flow, 2, "Other", "Z")->count, ==, 3);
  g_assert_cmpfloat (find_link (flow, 2, "Other", "Z")->median_seconds, ==, 30.0);
  /* S → Other over 1 s, 2 s and 1 s: median 1 s. */
  g_assert_cmpuint (find_link (flow, 1, "S", "Other")->count, ==, 3);
  g_assert_cmpfloat (find_link (flow, 1, "S", "Other")->median_seconds, ==, 1.0);

  /* Counts are conserved: every unit is at one node per step it reaches. */
  for (guint i = 0; i < jm_path_flow_get_n_nodes (flow); i++)
    per_step[jm_path_flow_get_node (flow, i)->step] += jm_path_flow_get_node (flow, i)->count;
  g_assert_cmpuint (per_step[1], ==, 8);
  g_assert_cmpuint (per_step[2], ==, 8);
  g_assert_cmpuint (per_step[3], ==, 7);
}

/* --top 0 folds nothing; a step with no more nodes than the top is left alone. */
static void
test_paths_top_all (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse (fold_log, FALSE, 0);
  g_autoptr(JmPathFlow) all = NULL;
  g_autoptr(JmPathFlow) four = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "S";
  options.steps = 3;
  options.top = 0;
  all = compute (log, &options);
  g_assert_null (find_node (all, 2, "Other"));
  assert_node (all, 2, "D", 1, 0, 0);
  assert_node (all, 2, "E", 2, 0, 0);

  options.top = 4;
  four = compute (log, &options);
  g_assert_null (find_node (four, 2, "Other"));
  g_assert_cmpuint (jm_path_flow_get_n_nodes (four), ==, jm_path_flow_get_n_nodes (all));
}

/* Ties at the fold boundary go to the smaller name; a real "Other" is the fold's node. */
static void
test_paths_top_ties (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("a 0 S; a 1 C; b 0 S; b 1 B; c 0 S; c 1 Other;"
                                                  "d 0 S; d 1 A",
                                                  FALSE, 0);
  g_autoptr(JmPathFlow) flow = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "S";
  options.steps = 2;
  options.top = 2;
  flow = compute (log, &options);

  /* All four have 1 unit: A and B stay, C and the real Other make one Other. */
  assert_node (flow, 2, "A", 1, 1, 0);
  assert_node (flow, 2, "B", 1, 1, 0);
  assert_node (flow, 2, "Other", 2, 2, 0);
  g_assert_cmpuint (jm_path_flow_get_n_nodes (flow), ==, 4);
}

static void
test_paths_csv (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 A; c 1.5 B", FALSE, 0);
  g_autoptr(JmPathFlow) flow = NULL;
  g_autoptr(JmTable) links = NULL;
  g_autoptr(JmTable) nodes = NULL;
  g_autofree char *links_csv = NULL;
  g_autofree char *nodes_csv = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "A";
  flow = compute (log, &options);
  links = jm_path_flow_to_table (flow);
  nodes = jm_path_flow_nodes_to_table (flow);
  links_csv = jm_table_to_csv (links);
  nodes_csv = jm_table_to_csv (nodes);

  g_assert_cmpstr (links_csv, ==, "step,source,target,count,median_seconds\n1,A,B,1,1.5\n");
  g_assert_cmpstr (nodes_csv, ==, "step,name,count,dropoff,entries\n1,A,1,0,0\n2,B,1,1,0\n");
}

/* Per session, each visit is a path of its own. */
static void
test_paths_sessions (void)
{
  g_autoptr(JmRefLog) log = jm_ref_log_new_parse ("c 0 H; c 10 P; c 4000 H; c 4010 C",
                                                  TRUE, 30 * 60 * 1000);
  g_autoptr(JmPathFlow) flow = NULL;
  JmPathFlowOptions options;

  jm_path_flow_options_init (&options);
  options.event = "H";
  flow = compute (log, &options);

  g_assert_cmpuint (jm_path_flow_get_n_units (flow), ==, 2);
  assert_node (flow, 1, "H", 2, 0, 0);
  assert_node (flow, 2, "P", 1, 1, 0);
  assert_node (flow, 2, "C", 1, 1, 0);
}

static const char *
random_subset (GRand              *rand,
               const char * const *pool,
               const char        **out,
               guint               max)
{
  guint n = g_rand_int_range (rand, 0, max + 1);
  guint pool_len = g_strv_length ((char **) pool);

  for (guint i = 0; i < n; i++)
    out[i] = pool[g_rand_int_range (rand, 0, pool_len)];
  out[n] = NULL;
  return n > 0 ? out[0] : NULL;
}

/* Thousands of random logs and options: every number equals the reference's. */
static void
test_paths_random (void)
{
  static const char * const alphabet[] = { "A", "B", "C", "D", "E", "Other", NULL };
  static const char * const events[] = { "A", "B", "C", "X", "Other", NULL };
  static const char * const rules[] = {
    "^A$=B", "[CD]=X", "E=", "^B$=Other", "^(.)$=\\1\\1", "X=A", "^AA$=A", NULL
  };

  for (guint seed = 1; seed <= 3000 && !g_test_failed (); seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      gboolean sessions = g_rand_int_range (rand, 0, 4) == 0;
      g_autoptr(JmRefLog) log = jm_ref_log_new_random (rand, alphabet, 40, sessions, 3000);
      const char *exclude[3];
      const char *clean[3];
      JmPathFlowOptions options;
      JmRefPathOptions ref_options;
      g_autoptr(JmPathFlow) flow = NULL;
      g_autoptr(JsonNode) got = NULL;
      g_autoptr(JsonNode) want = NULL;
      g_autofree char *where = NULL;

      jm_path_flow_options_init (&options);
      options.anchor = g_rand_boolean (rand) ? JM_PATH_ANCHOR_START : JM_PATH_ANCHOR_END;
      options.event = events[g_rand_int_range (rand, 0, g_strv_length ((char **) events))];
      options.steps = g_rand_int_range (rand, 1, 7);
      options.top = g_rand_int_range (rand, 0, 5);
      options.collapse_repeats = g_rand_boolean (rand);
      random_subset (rand, alphabet, exclude, 2);
      random_subset (rand, rules, clean, 2);
      options.exclude = exclude;
      options.clean = clean;

      ref_options.end_anchor = options.anchor == JM_PATH_ANCHOR_END;
      ref_options.event = options.event;
      ref_options.steps = options.steps;
      ref_options.top = options.top;
      ref_options.collapse_repeats = options.collapse_repeats;
      ref_options.exclude = exclude;
      ref_options.clean = clean;

      flow = compute (log, &options);
      got = jm_path_flow_to_json (flow);
      want = jm_ref_paths (log->ref_units, log->n_ref_units,
                           sessions ? "session" : "customer", &ref_options);

      if (!jm_ref_json_equal (got, want, &where))
        {
          g_autofree char *got_text = jm_ref_json_to_string (got);
          g_autofree char *want_text = jm_ref_json_to_string (want);

          g_test_message ("seed %u differs at %s\ngot: %s\nwant: %s",
                          seed, where, got_text, want_text);
          g_test_fail ();
        }
    }
}

/* A log large enough to be split between two threads. */
static void
test_paths_large (void)
{
  static const char * const alphabet[] = { "home", "search", "product", "cart", "checkout",
                                           "help", NULL };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(JmRefLog) log = jm_ref_log_new_random_large (rand, alphabet, 70000);

  for (guint anchor = 0; anchor < 2; anchor++)
    {
      const char *exclude[] = { "help", NULL };
      JmPathFlowOptions options;
      JmRefPathOptions ref_options = { 0 };
      g_autoptr(JmPathFlow) flow = NULL;
      g_autoptr(JsonNode) got = NULL;
      g_autoptr(JsonNode) want = NULL;
      g_autofree char *where = NULL;

      jm_path_flow_options_init (&options);
      options.anchor = anchor == 0 ? JM_PATH_ANCHOR_START : JM_PATH_ANCHOR_END;
      options.event = anchor == 0 ? "home" : "checkout";
      options.top = 3;
      options.exclude = exclude;
      options.collapse_repeats = TRUE;
      ref_options.end_anchor = anchor == 1;
      ref_options.event = options.event;
      ref_options.steps = options.steps;
      ref_options.top = options.top;
      ref_options.collapse_repeats = TRUE;
      ref_options.exclude = exclude;

      flow = compute (log, &options);
      got = jm_path_flow_to_json (flow);
      want = jm_ref_paths (log->ref_units, log->n_ref_units, "customer", &ref_options);
      if (!jm_ref_json_equal (got, want, &where))
        {
          g_test_message ("anchor %u differs at %s", anchor, where);
          g_test_fail ();
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/path-flow/start", test_paths_start);
  g_test_add_func ("/jm/path-flow/end", test_paths_end);
  g_test_add_func ("/jm/path-flow/end-last-occurrence", test_paths_end_last_occurrence);
  g_test_add_func ("/jm/path-flow/collapse", test_paths_collapse);
  g_test_add_func ("/jm/path-flow/clean-order", test_paths_clean_order);
  g_test_add_func ("/jm/path-flow/clean-split", test_paths_clean_split);
  g_test_add_func ("/jm/path-flow/invalid", test_paths_invalid);
  g_test_add_func ("/jm/path-flow/unknown-anchor", test_paths_unknown_anchor);
  g_test_add_func ("/jm/path-flow/top", test_paths_top);
  g_test_add_func ("/jm/path-flow/top-all", test_paths_top_all);
  g_test_add_func ("/jm/path-flow/top-ties", test_paths_top_ties);
  g_test_add_func ("/jm/path-flow/csv", test_paths_csv);
  g_test_add_func ("/jm/path-flow/sessions", test_paths_sessions);
  g_test_add_func ("/jm/path-flow/random", test_paths_random);
  g_test_add_func ("/jm/path-flow/large", test_paths_large);

  return g_test_run ();
}
