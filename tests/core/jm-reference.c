/* jm-reference.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-reference"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jm-reference.h"

/* Statistics, the textbook way: sort a copy, then index. */

static int
ref_compare_ms (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static GArray *
ref_sorted (GArray *ms)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ms->len);

  g_array_append_vals (copy, ms->data, ms->len);
  g_array_sort (copy, ref_compare_ms);
  return copy;
}

static gdouble
ref_median (GArray *ms)
{
  g_autoptr(GArray) v = ref_sorted (ms);
  guint n = v->len;

  g_assert (n > 0);
  if (n % 2 == 1)
    return (gdouble) g_array_index (v, gint64, n / 2) / 1000.0;
  return (gdouble) (g_array_index (v, gint64, n / 2 - 1) + g_array_index (v, gint64, n / 2))
         / 2000.0;
}

static gdouble
ref_mean (GArray *ms)
{
  gint64 sum = 0;

  g_assert (ms->len > 0);
  for (guint i = 0; i < ms->len; i++)
    sum += g_array_index (ms, gint64, i);
  return (gdouble) sum / (gdouble) ms->len / 1000.0;
}

static gdouble
ref_p90 (GArray *ms)
{
  g_autoptr(GArray) v = ref_sorted (ms);
  guint rank = 1;

  /* The nearest rank: the smallest r with r ≥ 0.9·n. */
  while (10 * rank < 9 * v->len)
    rank++;
  return (gdouble) g_array_index (v, gint64, rank - 1) / 1000.0;
}

/* The values of a table, in no particular order (the callers sort them). */
static GPtrArray *
ref_values (GHashTable *table)
{
  GPtrArray *values = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (values, value);
  return values;
}

static GArray *
ms_array_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
ms_append (GArray *ms,
           gint64  value)
{
  g_array_append_val (ms, value);
}

/* ---------------------------------------------------------------- journey graph */

typedef struct
{
  const char *name;
  gint64      events;
  gint64      units;
} RefNode;

typedef struct
{
  const char *source;
  const char *target;
  gboolean    is_start;
  gboolean    is_end;
  gint64      count;
  GArray     *ms;
} RefEdge;

static void
ref_edge_free (gpointer data)
{
  RefEdge *edge = data;

  g_array_unref (edge->ms);
  g_free (edge);
}

static int
ref_compare_nodes (gconstpointer a,
                   gconstpointer b)
{
  const RefNode *x = *(RefNode * const *) a;
  const RefNode *y = *(RefNode * const *) b;

  if (x->events != y->events)
    return x->events > y->events ? -1 : 1;
  return strcmp (x->name, y->name);
}

static int
ref_compare_edges (gconstpointer a,
                   gconstpointer b)
{
  const RefEdge *x = *(RefEdge * const *) a;
  const RefEdge *y = *(RefEdge * const *) b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if (strcmp (x->source, y->source) != 0)
    return strcmp (x->source, y->source);
  if (strcmp (x->target, y->target) != 0)
    return strcmp (x->target, y->target);
  if (x->is_start != y->is_start)
    return x->is_start ? -1 : 1;
  return x->is_end == y->is_end ? 0 : x->is_end ? -1 : 1;
}

static RefEdge *
ref_edge (GHashTable *edges,
          const char *source,
          gboolean    is_start,
          const char *target,
          gboolean    is_end)
{
  char *key = g_strdup_printf ("%d\x1f%s\x1f%d\x1f%s", is_start, source, is_end, target);
  RefEdge *edge = g_hash_table_lookup (edges, key);

  if (edge == NULL)
    {
      edge = g_new0 (RefEdge, 1);
      edge->source = source;
      edge->target = target;
      edge->is_start = is_start;
      edge->is_end = is_end;
      edge->ms = ms_array_new ();
      g_hash_table_insert (edges, key, edge);
    }
  else
    g_free (key);

  return edge;
}

JsonNode *
jm_ref_graph (const JmRefUnit *units,
              guint            n_units,
              const char      *unit_kind)
{
  g_autoptr(GHashTable) nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) edges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       ref_edge_free);
  g_autoptr(GPtrArray) node_list = NULL;
  g_autoptr(GPtrArray) edge_list = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 n_events = 0;
  gint64 n_nonempty = 0;

  for (guint u = 0; u < n_units; u++)
    {
      const JmRefUnit *unit = &units[u];
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      if (unit->n_events == 0)
        continue;
      n_nonempty++;

      for (guint i = 0; i < unit->n_events; i++)
        {
          const char *name = unit->events[i].name;
          RefNode *node = g_hash_table_lookup (nodes, name);

          if (node == NULL)
            {
              node = g_new0 (RefNode, 1);
              node->name = name;
              g_hash_table_insert (nodes, (gpointer) name, node);
            }
          node->events++;
          if (g_hash_table_add (seen, (gpointer) name))
            node->units++;
          n_events++;

          if (i == 0)
            ref_edge (edges, "START", TRUE, name, FALSE)->count++;
          else
            {
              RefEdge *edge = ref_edge (edges, unit->events[i - 1].name, FALSE, name, FALSE);

              edge->count++;
              ms_append (edge->ms, unit->events[i].ts - unit->events[i - 1].ts);
            }
          if (i == unit->n_events - 1)
            ref_edge (edges, name, FALSE, "END", TRUE)->count++;
        }
    }

  node_list = ref_values (nodes);
  g_ptr_array_sort (node_list, ref_compare_nodes);
  edge_list = ref_values (edges);
  g_ptr_array_sort (edge_list, ref_compare_edges);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, unit_kind);
  json_builder_set_member_name (builder, "units");
  json_builder_add_int_value (builder, n_nonempty);
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, n_events);
  json_builder_set_member_name (builder, "nodes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < node_list->len; i++)
    {
      RefNode *node = g_ptr_array_index (node_list, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, node->name);
      json_builder_set_member_name (builder, "events");
      json_builder_add_int_value (builder, node->events);
      json_builder_set_member_name (builder, "units");
      json_builder_add_int_value (builder, node->units);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "edges");
  json_builder_begin_array (builder);
  for (guint i = 0; i < edge_list->len; i++)
    {
      RefEdge *edge = g_ptr_array_index (edge_list, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, edge->source);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, edge->target);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, edge->count);
      json_builder_set_member_name (builder, "median_seconds");
      if (edge->is_start || edge->is_end)
        json_builder_add_null_value (builder);
      else
        json_builder_add_double_value (builder, ref_median (edge->ms));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------- paths */

typedef struct
{
  GRegex *regex;
  char   *replacement;
} RefRule;

/* The split is at the last '=' preceded by an even number of backslashes; in the
 * replacement, the backslash before each '=' goes.
 */
static RefRule
ref_rule_parse (const char *text)
{
  RefRule rule = { NULL, NULL };
  g_autofree char *pattern = NULL;
  GString *replacement = g_string_new (NULL);
  gssize split = -1;

  for (gssize i = strlen (text) - 1; i >= 0 && split < 0; i--)
    {
      guint backslashes = 0;

      if (text[i] != '=')
        continue;
      while (i - 1 - (gssize) backslashes >= 0 && text[i - 1 - backslashes] == '\\')
        backslashes++;
      if (backslashes % 2 == 0)
        split = i;
    }
  g_assert (split > 0);

  pattern = g_strndup (text, split);
  rule.regex = g_regex_new (pattern, 0, 0, NULL);
  g_assert (rule.regex != NULL);

  for (const char *p = text + split + 1; *p != '\0'; p++)
    if (!(p[0] == '\\' && p[1] == '='))
      g_string_append_c (replacement, *p);
  rule.replacement = g_string_free (replacement, FALSE);

  return rule;
}

typedef struct
{
  guint       step;
  const char *name;
  gint64      ts;
  gboolean    unit_last;    /* the unit's last event after the rewriting */
  gboolean    shown_first;  /* the first of the unit's shown path */
} RefPathPoint;

typedef struct
{
  guint       step;
  const char *name;
  gint64      count;
  gint64      dropoff;
  gint64      entries;
} RefPathNode;

typedef struct
{
  guint       step;
  const char *source;
  const char *target;
  GArray     *ms;
} RefPathLink;

static void
ref_path_link_free (gpointer data)
{
  RefPathLink *link = data;

  g_array_unref (link->ms);
  g_free (link);
}

static int
ref_compare_fold (gconstpointer a,
                  gconstpointer b)
{
  const RefPathNode *x = *(RefPathNode * const *) a;
  const RefPathNode *y = *(RefPathNode * const *) b;

  if (x->step != y->step)
    return x->step < y->step ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp (x->name, y->name);
}

static int
ref_compare_path_links (gconstpointer a,
                        gconstpointer b)
{
  const RefPathLink *x = *(RefPathLink * const *) a;
  const RefPathLink *y = *(RefPathLink * const *) b;

  if (x->step != y->step)
    return x->step < y->step ? -1 : 1;
  if (x->ms->len != y->ms->len)
    return x->ms->len > y->ms->len ? -1 : 1;
  if (strcmp (x->source, y->source) != 0)
    return strcmp (x->source, y->source);
  return strcmp (x->target, y->target);
}

static gboolean
ref_strv_contains (const char * const *strv,
                   const char         *name)
{
  return strv != NULL && g_strv_contains (strv, name);
}

/* Counts nodes by (step, name) of the points, each name passed through `rename` (a
 * "step\x1fname" → name table) when given.
 */
static GHashTable *
ref_count_nodes (GPtrArray  *paths,
                 GHashTable *rename,
                 GHashTable *links)
{
  GHashTable *nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint u = 0; u < paths->len; u++)
    {
      GArray *path = g_ptr_array_index (paths, u);
      const char *prev_name = NULL;

      for (guint i = 0; i < path->len; i++)
        {
          RefPathPoint *point = &g_array_index (path, RefPathPoint, i);
          g_autofree char *raw_key = g_strdup_printf ("%u\x1f%s", point->step, point->name);
          const char *name = point->name;
          char *key;
          RefPathNode *node;

          if (rename != NULL && g_hash_table_contains (rename, raw_key))
            name = g_hash_table_lookup (rename, raw_key);

          key = g_strdup_printf ("%u\x1f%s", point->step, name);
          node = g_hash_table_lookup (nodes, key);
          if (node == NULL)
            {
              node = g_new0 (RefPathNode, 1);
              node->step = point->step;
              node->name = name;
              g_hash_table_insert (nodes, key, node);
            }
          else
            g_free (key);

          node->count++;
          node->dropoff += point->unit_last;
          node->entries += point->shown_first;

          if (links != NULL && i > 0)
            {
              char *link_key = g_strdup_printf ("%u\x1f%s\x1f%s", point->step - 1, prev_name, name);
              RefPathLink *link = g_hash_table_lookup (links, link_key);

              if (link == NULL)
                {
                  link = g_new0 (RefPathLink, 1);
                  link->step = point->step - 1;
                  link->source = prev_name;
                  link->target = name;
                  link->ms = ms_array_new ();
                  g_hash_table_insert (links, link_key, link);
                }
              else
                g_free (link_key);
              ms_append (link->ms, point->ts - g_array_index (path, RefPathPoint, i - 1).ts);
            }
          prev_name = name;
        }
    }

  return nodes;
}

JsonNode *
jm_ref_paths (const JmRefUnit        *units,
              guint                   n_units,
              const char             *unit_kind,
              const JmRefPathOptions *options)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) rules = g_array_new (FALSE, FALSE, sizeof (RefRule));
  g_autoptr(GHashTable) raw_nodes = NULL;
  g_autoptr(GHashTable) rename = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) nodes = NULL;
  g_autoptr(GHashTable) links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       ref_path_link_free);
  g_autoptr(GPtrArray) node_list = NULL;
  g_autoptr(GPtrArray) link_list = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  for (guint i = 0; options->clean != NULL && options->clean[i] != NULL; i++)
    {
      RefRule rule = ref_rule_parse (options->clean[i]);

      g_array_append_val (rules, rule);
    }

  for (guint u = 0; u < n_units; u++)
    {
      const JmRefUnit *unit = &units[u];
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      g_autoptr(GArray) times = ms_array_new ();
      gint anchor = -1;
      gint from, to;
      GArray *path;

      /* Rewrite, then exclude, then collapse. */
      for (guint i = 0; i < unit->n_events; i++)
        {
          char *name = g_strdup (unit->events[i].name);

          for (guint r = 0; r < rules->len; r++)
            {
              RefRule *rule = &g_array_index (rules, RefRule, r);
              char *rewritten = g_regex_replace (rule->regex, name, -1, 0, rule->replacement,
                                                 0, NULL);

              g_assert (rewritten != NULL);
              g_free (name);
              name = rewritten;
            }
          g_ptr_array_add (strings, name);

          if (*name == '\0' || ref_strv_contains (options->exclude, name))
            continue;
          if (options->collapse_repeats && names->len > 0 &&
              g_str_equal (g_ptr_array_index (names, names->len - 1), name))
            continue;
          g_ptr_array_add (names, name);
          ms_append (times, unit->events[i].ts);
        }

      for (guint i = 0; i < names->len; i++)
        if (g_str_equal (g_ptr_array_index (names, i), options->event))
          {
            if (!options->end_anchor)
              {
                anchor = i;
                break;
              }
            anchor = i;
          }
      if (anchor < 0)
        continue;

      if (!options->end_anchor)
        {
          from = anchor;
          to = MIN ((gint) names->len - 1, anchor + (gint) options->steps - 1);
        }
      else
        {
          from = MAX (0, anchor - (gint) options->steps + 1);
          to = anchor;
        }

      path = g_array_new (FALSE, TRUE, sizeof (RefPathPoint));
      for (gint i = from; i <= to; i++)
        {
          RefPathPoint point = { 0 };

          if (options->end_anchor)
            point.step = options->steps - (guint) (anchor - i);
          else
            point.step = 1 + (guint) (i - anchor);
          point.name = g_ptr_array_index (names, i);
          point.ts = g_array_index (times, gint64, i);
          point.unit_last = !options->end_anchor && i == (gint) names->len - 1;
          point.shown_first = options->end_anchor && i == from;
          g_array_append_val (path, point);
        }
      g_ptr_array_add (paths, path);
    }

  /* The unfolded nodes decide, per step, which names stay. */
  raw_nodes = ref_count_nodes (paths, NULL, NULL);
  node_list = ref_values (raw_nodes);
  g_ptr_array_sort (node_list, ref_compare_fold);
  for (guint i = 0; i < node_list->len; )
    {
      RefPathNode *first = g_ptr_array_index (node_list, i);
      guint end = i;

      while (end < node_list->len &&
             ((RefPathNode *) g_ptr_array_index (node_list, end))->step == first->step)
        end++;
      for (guint start = i; i < end; i++)
        if (options->top > 0 && end - start > options->top && i - start >= options->top)
          {
            RefPathNode *node = g_ptr_array_index (node_list, i);

            g_hash_table_insert (rename, g_strdup_printf ("%u\x1f%s", node->step, node->name),
                                 (gpointer) "Other");
          }
    }
  g_clear_pointer (&node_list, g_ptr_array_unref);

  /* Everything counted again with the folded names. */
  nodes = ref_count_nodes (paths, rename, links);
  node_list = ref_values (nodes);
  g_ptr_array_sort (node_list, ref_compare_fold);
  link_list = ref_values (links);
  g_ptr_array_sort (link_list, ref_compare_path_links);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, unit_kind);
  json_builder_set_member_name (builder, "anchor");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, options->end_anchor ? "end" : "start");
  json_builder_add_string_value (builder, options->event);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "steps");
  json_builder_add_int_value (builder, options->steps);
  json_builder_set_member_name (builder, "units");
  json_builder_add_int_value (builder, paths->len);
  json_builder_set_member_name (builder, "nodes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < node_list->len; i++)
    {
      RefPathNode *node = g_ptr_array_index (node_list, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "step");
      json_builder_add_int_value (builder, node->step);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, node->name);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, node->count);
      json_builder_set_member_name (builder, "dropoff");
      json_builder_add_int_value (builder, node->dropoff);
      json_builder_set_member_name (builder, "entries");
      json_builder_add_int_value (builder, node->entries);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "links");
  json_builder_begin_array (builder);
  for (guint i = 0; i < link_list->len; i++)
    {
      RefPathLink *link = g_ptr_array_index (link_list, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "step");
      json_builder_add_int_value (builder, link->step);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, link->source);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, link->target);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, link->ms->len);
      json_builder_set_member_name (builder, "median_seconds");
      json_builder_add_double_value (builder, ref_median (link->ms));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  for (guint r = 0; r < rules->len; r++)
    {
      g_regex_unref (g_array_index (rules, RefRule, r).regex);
      g_free (g_array_index (rules, RefRule, r).replacement);
    }

  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------- funnel */

#define REF_MAX_STEPS 16

typedef struct
{
  const JmRefUnit          *unit;
  const JmRefFunnelOptions *options;
  guint                     n_steps;
  guint                     start;
  guint                     chain[REF_MAX_STEPS];
  gboolean                 *used;
  guint                     best_depth;
  guint                     best_chain[REF_MAX_STEPS];
} RefSearch;

static gboolean
ref_excluded_between (RefSearch *search,
                      guint      from,
                      guint      to)
{
  for (guint p = from + 1; p < to; p++)
    if (ref_strv_contains (search->options->exclude, search->unit->events[p].name))
      return TRUE;
  return FALSE;
}

/* Tries every continuation, in increasing order of positions, so that the first chain found
 * of each length is the one with the earliest occurrences.
 */
static void
ref_search (RefSearch *search,
            guint      depth,
            guint      max_position)
{
  const JmRefUnit *unit = search->unit;
  const char *mode = search->options->mode;
  guint last = search->chain[depth - 1];

  if (depth > search->best_depth)
    {
      search->best_depth = depth;
      memcpy (search->best_chain, search->chain, depth * sizeof (guint));
    }
  if (depth == search->n_steps)
    return;

  for (guint q = search->start + 1; q < unit->n_events; q++)
    {
      guint max_q = MAX (max_position, q);

      if (search->best_depth == search->n_steps)
        return;
      if (g_str_equal (mode, "ordered") && q <= last)
        continue;
      if (g_str_equal (mode, "strict") && q != last + 1)
        continue;
      if (search->used[q])
        continue;
      if (!g_str_equal (unit->events[q].name, search->options->steps[depth]))
        continue;
      if (unit->events[q].ts - unit->events[search->start].ts > search->options->window_ms)
        continue;
      if (ref_excluded_between (search, search->start, max_q))
        continue;

      search->chain[depth] = q;
      search->used[q] = TRUE;
      ref_search (search, depth + 1, max_q);
      search->used[q] = FALSE;
    }
}

typedef struct
{
  gint64  counts[REF_MAX_STEPS];
  GArray *from_previous[REF_MAX_STEPS];
  GArray *from_start[REF_MAX_STEPS];
} RefFunnelGroup;

static RefFunnelGroup *
ref_funnel_group_new (void)
{
  RefFunnelGroup *group = g_new0 (RefFunnelGroup, 1);

  for (guint j = 0; j < REF_MAX_STEPS; j++)
    {
      group->from_previous[j] = ms_array_new ();
      group->from_start[j] = ms_array_new ();
    }
  return group;
}

static void
ref_funnel_group_free (gpointer data)
{
  RefFunnelGroup *group = data;

  for (guint j = 0; j < REF_MAX_STEPS; j++)
    {
      g_array_unref (group->from_previous[j]);
      g_array_unref (group->from_start[j]);
    }
  g_free (group);
}

static void
ref_add_times (JsonBuilder *builder,
               const char  *what,
               GArray      *ms,
               gboolean     has)
{
  g_autofree char *median = g_strdup_printf ("median_seconds_from_%s", what);
  g_autofree char *mean = g_strdup_printf ("mean_seconds_from_%s", what);
  g_autofree char *p90 = g_strdup_printf ("p90_seconds_from_%s", what);

  json_builder_set_member_name (builder, median);
  if (has)
    json_builder_add_double_value (builder, ref_median (ms));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, mean);
  if (has)
    json_builder_add_double_value (builder, ref_mean (ms));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, p90);
  if (has)
    json_builder_add_double_value (builder, ref_p90 (ms));
  else
    json_builder_add_null_value (builder);
}

static void
ref_add_steps (JsonBuilder              *builder,
               const JmRefFunnelOptions *options,
               guint                     n_steps,
               RefFunnelGroup           *group)
{
  json_builder_begin_array (builder);
  for (guint j = 0; j < n_steps; j++)
    {
      gint64 count = group->counts[j];
      gint64 first = group->counts[0];
      gint64 previous = j > 0 ? group->counts[j - 1] : first;
      gboolean has = j > 0 && count > 0;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, options->steps[j]);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, count);
      json_builder_set_member_name (builder, "conversion_from_start");
      json_builder_add_double_value (builder, first > 0 ? (gdouble) count / first : 0.0);
      json_builder_set_member_name (builder, "conversion_from_previous");
      json_builder_add_double_value (builder, previous > 0 ? (gdouble) count / previous : 0.0);
      ref_add_times (builder, "previous", group->from_previous[j], has);
      ref_add_times (builder, "start", group->from_start[j], has);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

typedef struct
{
  const char     *label;
  RefFunnelGroup *group;
} RefLabelled;

static int
ref_compare_groups (gconstpointer a,
                    gconstpointer b)
{
  const RefLabelled *x = a;
  const RefLabelled *y = b;

  if (x->group->counts[0] != y->group->counts[0])
    return x->group->counts[0] > y->group->counts[0] ? -1 : 1;
  return strcmp (x->label, y->label);
}

JsonNode *
jm_ref_funnel (const JmRefUnit          *units,
               guint                     n_units,
               const char               *unit_kind,
               const JmRefFunnelOptions *options,
               guint                    *out_levels)
{
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        ref_funnel_group_free);
  g_autoptr(GArray) labelled = g_array_new (FALSE, FALSE, sizeof (RefLabelled));
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  RefFunnelGroup *all = ref_funnel_group_new ();
  guint n_steps = g_strv_length ((char **) options->steps);
  GHashTableIter iter;
  gpointer key, value;

  g_assert (n_steps <= REF_MAX_STEPS);

  for (guint u = 0; u < n_units; u++)
    {
      const JmRefUnit *unit = &units[u];
      g_autofree gboolean *used = g_new0 (gboolean, unit->n_events + 1);
      guint level = 0;
      guint chain[REF_MAX_STEPS];

      for (guint i = 0; i < unit->n_events; i++)
        {
          RefSearch search = { 0 };

          if (!g_str_equal (unit->events[i].name, options->steps[0]))
            continue;

          search.unit = unit;
          search.options = options;
          search.n_steps = n_steps;
          search.start = i;
          search.chain[0] = i;
          search.used = used;
          used[i] = TRUE;
          ref_search (&search, 1, i);
          used[i] = FALSE;

          if (search.best_depth > level)
            {
              level = search.best_depth;
              memcpy (chain, search.best_chain, level * sizeof (guint));
            }
        }

      if (out_levels != NULL)
        out_levels[u] = level;
      if (level == 0)
        continue;

      for (guint pass = 0; pass < 2; pass++)
        {
          RefFunnelGroup *group = all;
          gint64 reached_previous = unit->events[chain[0]].ts;

          if (pass == 1)
            {
              const char *label;

              if (!options->breakdown)
                break;
              label = unit->events[chain[0]].value;
              if (label == NULL)
                label = "(none)";
              group = g_hash_table_lookup (groups, label);
              if (group == NULL)
                {
                  group = ref_funnel_group_new ();
                  g_hash_table_insert (groups, (gpointer) label, group);
                }
            }

          group->counts[0]++;
          for (guint j = 1; j < level; j++)
            {
              gint64 reached = unit->events[chain[0]].ts;

              for (guint k = 1; k <= j; k++)
                reached = MAX (reached, unit->events[chain[k]].ts);
              group->counts[j]++;
              ms_append (group->from_previous[j], reached - reached_previous);
              ms_append (group->from_start[j], reached - unit->events[chain[0]].ts);
              reached_previous = reached;
            }
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, unit_kind);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, options->mode);
  json_builder_set_member_name (builder, "window_seconds");
  json_builder_add_double_value (builder, options->window_ms / 1000.0);
  json_builder_set_member_name (builder, "units");
  json_builder_add_int_value (builder, n_units);
  json_builder_set_member_name (builder, "steps");
  ref_add_steps (builder, options, n_steps, all);

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      RefLabelled item = { key, value };

      g_array_append_val (labelled, item);
    }
  g_array_sort (labelled, ref_compare_groups);

  json_builder_set_member_name (builder, "breakdown");
  json_builder_begin_array (builder);
  for (guint g = 0; g < labelled->len; g++)
    {
      RefLabelled *item = &g_array_index (labelled, RefLabelled, g);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, item->label);
      json_builder_set_member_name (builder, "steps");
      ref_add_steps (builder, options, n_steps, item->group);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  ref_funnel_group_free (all);

  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------- logs */

typedef struct
{
  const char *customer;
  gint64      ts;
  const char *name;
  const char *value;      /* label */
  JsonNode   *plan;       /* as stored, or NULL */
  guint       arrival;
} GenEvent;

static int
compare_gen (gconstpointer a,
             gconstpointer b)
{
  const GenEvent *x = a;
  const GenEvent *y = b;
  int cmp = strcmp (x->customer, y->customer);

  if (cmp != 0)
    return cmp;
  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return x->arrival < y->arrival ? -1 : x->arrival > y->arrival;
}

/* Builds the log, its units and the reference units from generated events. */
static JmRefLog *
ref_log_assemble (GArray    *gen,
                  GPtrArray *strings,
                  gboolean   sessions,
                  gint64     session_gap_ms)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) units = g_array_new (FALSE, FALSE, sizeof (JmRefUnit));
  JmRefLog *self = g_new0 (JmRefLog, 1);
  JmFilter filter;

  for (guint i = 0; i < gen->len; i++)
    {
      GenEvent *event = &g_array_index (gen, GenEvent, i);
      guint32 handle = jm_event_log_builder_add (builder, event->customer, event->ts,
                                                 event->name, NULL);

      if (event->plan != NULL)
        jm_event_log_builder_set_field (builder, handle, "properties.plan", event->plan);
      event->arrival = i;
    }
  self->log = jm_event_log_builder_finish (builder);

  jm_filter_init (&filter);
  filter.unit = sessions ? JM_UNIT_SESSION : JM_UNIT_CUSTOMER;
  filter.session_gap_ms = session_gap_ms;
  self->units = jm_units_new (self->log, &filter, &error);
  g_assert_no_error (error);

  /* The reference units: each customer's events in (ts, arrival) order, cut at long gaps. */
  g_array_sort (gen, compare_gen);
  for (guint i = 0; i < gen->len; )
    {
      guint end = i + 1;

      while (end < gen->len &&
             g_str_equal (g_array_index (gen, GenEvent, end).customer,
                          g_array_index (gen, GenEvent, i).customer) &&
             !(sessions && g_array_index (gen, GenEvent, end).ts -
                           g_array_index (gen, GenEvent, end - 1).ts > session_gap_ms))
        end++;

      {
        JmRefUnit unit = { 0 };

        unit.customer = g_array_index (gen, GenEvent, i).customer;
        unit.n_events = end - i;
        unit.events = g_new0 (JmRefEvent, unit.n_events);
        for (guint k = 0; k < unit.n_events; k++)
          {
            GenEvent *event = &g_array_index (gen, GenEvent, i + k);

            unit.events[k].name = event->name;
            unit.events[k].ts = event->ts;
            unit.events[k].value = event->value;
          }
        g_array_append_val (units, unit);
      }
      i = end;
    }

  for (guint i = 0; i < gen->len; i++)
    g_clear_pointer (&g_array_index (gen, GenEvent, i).plan, json_node_unref);

  self->sessions = sessions;
  self->strings = g_ptr_array_ref (strings);
  self->n_ref_units = units->len;
  self->ref_units = (JmRefUnit *) (gpointer) g_array_free (g_steal_pointer (&units), FALSE);

  return self;
}

static const char *
ref_intern (GPtrArray  *strings,
            const char *text)
{
  char *copy = g_strdup (text);

  g_ptr_array_add (strings, copy);
  return copy;
}

JmRefLog *
jm_ref_log_new_random (GRand              *rand,
                       const char * const *alphabet,
                       guint               max_events,
                       gboolean            sessions,
                       gint64              session_gap_ms)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) gen = g_array_new (FALSE, TRUE, sizeof (GenEvent));
  guint n_alphabet = g_strv_length ((char **) alphabet);
  guint n_customers = g_rand_int_range (rand, 1, 7);
  guint n_events = g_rand_int_range (rand, 0, max_events + 1);
  const char *customers[6];

  for (guint c = 0; c < n_customers; c++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", c);

      customers[c] = ref_intern (strings, id);
    }

  for (guint i = 0; i < n_events; i++)
    {
      GenEvent event = { 0 };

      event.customer = customers[g_rand_int_range (rand, 0, n_customers)];
      /* Half-second steps give many ties; a few events get odd milliseconds. */
      event.ts = G_GINT64_CONSTANT (1780000000000) + g_rand_int_range (rand, 0, 40) * 500;
      if (g_rand_int_range (rand, 0, 8) == 0)
        event.ts += g_rand_int_range (rand, 0, 500);
      event.name = alphabet[g_rand_int_range (rand, 0, n_alphabet)];

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:
          event.plan = json_node_init_string (json_node_alloc (), "free");
          event.value = "free";
          break;
        case 1:
          event.plan = json_node_init_string (json_node_alloc (), "pro");
          event.value = "pro";
          break;
        case 2:
          event.plan = json_node_init_int (json_node_alloc (), 3);
          event.value = "3";
          break;
        case 3:
          event.plan = json_node_init_boolean (json_node_alloc (), TRUE);
          event.value = "true";
          break;
        case 4:
          event.plan = json_node_init_null (json_node_alloc ());
          event.value = NULL;
          break;
        default:
          break;
        }
      g_array_append_val (gen, event);
    }

  return ref_log_assemble (gen, strings, sessions, session_gap_ms);
}

JmRefLog *
jm_ref_log_new_random_large (GRand              *rand,
                             const char * const *alphabet,
                             guint               n_events)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) gen = g_array_new (FALSE, TRUE, sizeof (GenEvent));
  g_autoptr(GPtrArray) customers = g_ptr_array_new ();
  guint n_alphabet = g_strv_length ((char **) alphabet);
  guint n_customers = MAX (1, n_events / 6);

  for (guint c = 0; c < n_customers; c++)
    {
      g_autofree char *id = g_strdup_printf ("u%06u", c);

      g_ptr_array_add (customers, (gpointer) ref_intern (strings, id));
    }

  for (guint i = 0; i < n_events; i++)
    {
      GenEvent event = { 0 };

      event.customer = g_ptr_array_index (customers, g_rand_int_range (rand, 0, n_customers));
      event.ts = G_GINT64_CONSTANT (1780000000000) +
                 (gint64) g_rand_int_range (rand, 0, 30 * 24 * 3600) * 1000;
      event.name = alphabet[g_rand_int_range (rand, 0, n_alphabet)];
      if (g_rand_boolean (rand))
        {
          event.value = g_rand_boolean (rand) ? "free" : "pro";
          event.plan = json_node_init_string (json_node_alloc (), event.value);
        }
      g_array_append_val (gen, event);
    }

  return ref_log_assemble (gen, strings, FALSE, 0);
}

JmRefLog *
jm_ref_log_new_parse (const char *text,
                      gboolean    sessions,
                      gint64      session_gap_ms)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) gen = g_array_new (FALSE, TRUE, sizeof (GenEvent));
  g_auto(GStrv) lines = g_regex_split_simple ("[;\n]", text, 0, 0);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      GenEvent event = { 0 };
      char *end = NULL;
      gdouble seconds;

      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      fields = g_regex_split_simple ("\\s+", lines[i], 0, 0);
      g_assert_cmpuint (g_strv_length (fields), >=, 3);

      event.customer = ref_intern (strings, fields[0]);
      seconds = g_ascii_strtod (fields[1], &end);
      g_assert (end != NULL && *end == '\0');
      event.ts = G_GINT64_CONSTANT (1780000000000) + (gint64) llround (seconds * 1000.0);
      event.name = ref_intern (strings, fields[2]);
      if (fields[3] != NULL && !g_str_equal (fields[3], "-"))
        {
          event.value = ref_intern (strings, fields[3]);
          event.plan = json_node_init_string (json_node_alloc (), fields[3]);
        }
      g_array_append_val (gen, event);
    }

  return ref_log_assemble (gen, strings, sessions, session_gap_ms);
}

void
jm_ref_log_free (JmRefLog *self)
{
  if (self == NULL)
    return;

  for (guint u = 0; u < self->n_ref_units; u++)
    g_free (self->ref_units[u].events);
  g_free (self->ref_units);
  g_clear_pointer (&self->units, jm_units_free);
  g_clear_pointer (&self->log, jm_event_log_unref);
  g_clear_pointer (&self->strings, g_ptr_array_unref);
  g_free (self);
}

char *
jm_ref_unit_key (const JmUnits *units,
                 guint32        unit)
{
  const JmEventLogColumns *cols = jm_event_log_get_columns (units->log);
  guint32 first = units->events[units->offsets[unit]];

  return g_strdup_printf ("%s@%" G_GINT64_FORMAT,
                          jm_event_log_get_customer_id (units->log,
                                                        units->unit_customer[unit]),
                          cols->ts[first]);
}

/* ---------------------------------------------------------------- JSON */

static gboolean
json_equal_at (JsonNode   *a,
               JsonNode   *b,
               GString    *where)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_VALUE:
      {
        GType ta = json_node_get_value_type (a);
        GType tb = json_node_get_value_type (b);

        if (ta == G_TYPE_STRING || tb == G_TYPE_STRING)
          return ta == tb && g_str_equal (json_node_get_string (a), json_node_get_string (b));
        if (ta == G_TYPE_BOOLEAN || tb == G_TYPE_BOOLEAN)
          return ta == tb && json_node_get_boolean (a) == json_node_get_boolean (b);
        if (ta == G_TYPE_INT64 && tb == G_TYPE_INT64)
          return json_node_get_int (a) == json_node_get_int (b);
        {
          gdouble x = json_node_get_double (a);
          gdouble y = json_node_get_double (b);

          return fabs (x - y) <= 1e-9 * MAX (1.0, MAX (fabs (x), fabs (y)));
        }
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a);
        JsonArray *y = json_node_get_array (b);
        gsize len = where->len;

        if (json_array_get_length (x) != json_array_get_length (y))
          {
            g_string_append (where, " (lengths differ)");
            return FALSE;
          }
        for (guint i = 0; i < json_array_get_length (x); i++)
          {
            g_string_append_printf (where, "[%u]", i);
            if (!json_equal_at (json_array_get_element (x, i), json_array_get_element (y, i),
                                where))
              return FALSE;
            g_string_truncate (where, len);
          }
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a);
        JsonObject *y = json_node_get_object (b);
        g_autoptr(GList) members = json_object_get_members (x);
        gsize len = where->len;

        if (json_object_get_size (x) != json_object_get_size (y))
          {
            g_string_append (where, " (members differ)");
            return FALSE;
          }
        for (GList *l = members; l != NULL; l = l->next)
          {
            g_string_append_printf (where, ".%s", (const char *) l->data);
            if (!json_object_has_member (y, l->data) ||
                !json_equal_at (json_object_get_member (x, l->data),
                                json_object_get_member (y, l->data), where))
              return FALSE;
            g_string_truncate (where, len);
          }
        return TRUE;
      }

    default:
      return FALSE;
    }
}

gboolean
jm_ref_json_equal (JsonNode  *a,
                   JsonNode  *b,
                   char     **out_where)
{
  g_autoptr(GString) where = g_string_new ("$");

  if (json_equal_at (a, b, where))
    return TRUE;

  if (out_where != NULL)
    *out_where = g_strdup (where->str);
  return FALSE;
}

char *
jm_ref_json_to_string (JsonNode *node)
{
  return json_to_string (node, TRUE);
}
