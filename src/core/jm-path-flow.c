/* jm-path-flow.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-path-flow"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jm-analysis-error.h"
#include "jm-path-flow.h"
#include "jm-stats.h"

/* Below this many events one thread is quicker than starting a second one. */
#define PARALLEL_MIN_EVENTS 65536

struct _JmPathFlow
{
  JmUnitKind      unit;
  JmPathAnchor    anchor;
  char           *event;
  guint           steps;
  guint           top;
  guint64         n_units;
  GPtrArray      *names;      /* the rewritten names (char*), and "Other" */
  JmPathFlowNode *nodes;
  guint           n_nodes;
  JmPathFlowLink *links;
  guint           n_links;
};

/* The names after the cleaning rules: clean[i] is the rewritten name of log name i. */
typedef struct
{
  guint32   *clean;       /* n_log_names */
  guint32    n_clean;
  gboolean  *removed;     /* n_clean: excluded, or rewritten to "" */
  GPtrArray *names;       /* n_clean strings */
} CleanNames;

typedef struct
{
  guint64 count;
  guint64 dropoff;
  guint64 entries;
} NodeAcc;

/* One worker's share: the units [first_unit, end_unit). */
typedef struct
{
  const JmUnits           *units;
  const JmEventLogColumns *cols;
  const CleanNames        *names;
  const JmPathFlowOptions *options;
  guint32                  anchor;
  guint32                  first_unit;
  guint32                  end_unit;

  guint64                  n_units;     /* units containing the anchor */

  /* one unit's rewritten sequence */
  guint32                 *seq_name;
  gint64                  *seq_ts;
  gsize                    seq_capacity;

  JmPairIndex             *node_index;  /* (step - 1, clean name) */
  NodeAcc                 *node_acc;
  guint32                  node_capacity;
  JmPairIndex             *link_index;  /* (source node, target node) */
  guint64                 *link_count;
  guint32                  link_capacity;

  /* every transition: its link and duration, in blocks sized by an upper bound */
  guint32                 *trans_link;
  gint64                  *trans_ms;
  gsize                    n_trans;
  gsize                    max_trans;
  /* the second worker's link ids in the first's */
  guint32                 *link_map;
} PathWork;

void
jm_path_flow_options_init (JmPathFlowOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->anchor = JM_PATH_ANCHOR_START;
  options->steps = JM_PATH_FLOW_DEFAULT_STEPS;
  options->top = JM_PATH_FLOW_DEFAULT_TOP;
}

typedef struct
{
  GRegex *regex;
  char   *replacement;
} CleanRule;

static void
clean_rule_clear (CleanRule *rule)
{
  g_clear_pointer (&rule->regex, g_regex_unref);
  g_clear_pointer (&rule->replacement, g_free);
}

/* Splits "REGEX=REPLACEMENT" at its last unescaped '=' and compiles it. */
static gboolean
clean_rule_parse (CleanRule   *rule,
                  const char  *text,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *pattern = NULL;
  GString *replacement;
  const char *split = NULL;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '=')
        split = p;
    }

  if (split == NULL)
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Cleaning rule “%s” has no “=”: write it as REGEX=REPLACEMENT", text);
      return FALSE;
    }
  if (split == text)
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Cleaning rule “%s” has an empty regular expression", text);
      return FALSE;
    }

  pattern = g_strndup (text, split - text);
  rule->regex = g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, &local_error);
  if (rule->regex == NULL)
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Cleaning rule “%s”: invalid regular expression: %s",
                   text, local_error->message);
      return FALSE;
    }

  /* `\=` stands for '=' in the replacement; other escapes are GRegex's. */
  replacement = g_string_new (NULL);
  for (const char *p = split + 1; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] == '=')
        {
          g_string_append_c (replacement, '=');
          p++;
        }
      else if (*p == '\\' && p[1] != '\0')
        {
          g_string_append_len (replacement, p, 2);
          p++;
        }
      else
        g_string_append_c (replacement, *p);
    }
  rule->replacement = g_string_free (replacement, FALSE);

  if (!g_regex_check_replacement (rule->replacement, NULL, &local_error))
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Cleaning rule “%s”: invalid replacement: %s", text, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static void
clean_names_clear (CleanNames *names)
{
  g_clear_pointer (&names->clean, g_free);
  g_clear_pointer (&names->removed, g_free);
  g_clear_pointer (&names->names, g_ptr_array_unref);
}

/* Rewrites every distinct name once (not every event) and numbers the results. */
static gboolean
clean_names_init (CleanNames               *names,
                  JmEventLog               *log,
                  const JmPathFlowOptions  *options,
                  GError                  **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) rules = g_array_new (FALSE, TRUE, sizeof (CleanRule));
  guint32 n_log_names = jm_event_log_get_n_names (log);

  g_array_set_clear_func (rules, (GDestroyNotify) clean_rule_clear);

  for (guint i = 0; options->clean != NULL && options->clean[i] != NULL; i++)
    {
      CleanRule rule = { NULL, NULL };

      if (!clean_rule_parse (&rule, options->clean[i], error))
        {
          clean_rule_clear (&rule);
          return FALSE;
        }
      g_array_append_val (rules, rule);
    }

  names->clean = g_new (guint32, n_log_names);
  names->names = g_ptr_array_new_with_free_func (g_free);

  for (guint32 i = 0; i < n_log_names; i++)
    {
      g_autofree char *name = g_strdup (jm_event_log_get_name (log, i));
      gpointer id;

      for (guint r = 0; r < rules->len; r++)
        {
          const CleanRule *rule = &g_array_index (rules, CleanRule, r);
          g_autoptr(GError) local_error = NULL;
          char *rewritten;

          rewritten = g_regex_replace (rule->regex, name, -1, 0, rule->replacement, 0,
                                       &local_error);
          if (rewritten == NULL)
            {
              g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                           "Cleaning rule “%s”: %s", options->clean[r], local_error->message);
              return FALSE;
            }
          g_free (name);
          name = rewritten;
        }

      if (g_hash_table_lookup_extended (ids, name, NULL, &id))
        names->clean[i] = GPOINTER_TO_UINT (id);
      else
        {
          names->clean[i] = names->names->len;
          g_hash_table_insert (ids, name, GUINT_TO_POINTER (names->names->len));
          g_ptr_array_add (names->names, g_steal_pointer (&name));
        }
    }

  names->n_clean = names->names->len;
  names->removed = g_new0 (gboolean, names->n_clean + 1);
  for (guint32 c = 0; c < names->n_clean; c++)
    if (*(const char *) g_ptr_array_index (names->names, c) == '\0')
      names->removed[c] = TRUE;

  for (guint i = 0; options->exclude != NULL && options->exclude[i] != NULL; i++)
    {
      gpointer id;

      if (g_hash_table_lookup_extended (ids, options->exclude[i], NULL, &id))
        names->removed[GPOINTER_TO_UINT (id)] = TRUE;
    }

  return TRUE;
}

static guint32
clean_names_lookup (const CleanNames *names,
                    const char       *name)
{
  for (guint32 c = 0; c < names->n_clean; c++)
    if (g_str_equal (g_ptr_array_index (names->names, c), name))
      return c;

  return G_MAXUINT32;
}

static void
path_work_init (PathWork                *work,
                const JmUnits           *units,
                const CleanNames        *names,
                const JmPathFlowOptions *options,
                guint32                  anchor,
                guint32                  first_unit,
                guint32                  end_unit)
{
  memset (work, 0, sizeof *work);
  work->units = units;
  work->cols = jm_event_log_get_columns (units->log);
  work->names = names;
  work->options = options;
  work->anchor = anchor;
  work->first_unit = first_unit;
  work->end_unit = end_unit;
  work->node_index = jm_pair_index_new (options->steps, names->n_clean);
  work->link_index = jm_pair_index_new (0, 0);

  /* A unit shows at most S events, so at most S - 1 transitions. */
  for (guint32 u = first_unit; u < end_unit; u++)
    work->max_trans += MIN (options->steps, units->offsets[u + 1] - units->offsets[u]) - 1;
  work->trans_link = jm_stats_alloc_large (work->max_trans * sizeof (guint32));
  work->trans_ms = jm_stats_alloc_large (work->max_trans * sizeof (gint64));
}

static void
path_work_clear (PathWork *work)
{
  g_free (work->seq_name);
  g_free (work->seq_ts);
  jm_pair_index_free (work->node_index);
  g_free (work->node_acc);
  jm_pair_index_free (work->link_index);
  g_free (work->link_count);
  jm_stats_free_large (work->trans_link);
  jm_stats_free_large (work->trans_ms);
  g_free (work->link_map);
}

static inline guint32
work_node (PathWork *work,
           guint     step,
           guint32   name)
{
  guint32 id = jm_pair_index_add (work->node_index, step - 1, name);

  if G_UNLIKELY (id >= work->node_capacity)
    {
      guint32 capacity = MAX (64, work->node_capacity * 2);

      work->node_acc = g_renew (NodeAcc, work->node_acc, capacity);
      memset (work->node_acc + work->node_capacity, 0,
              (capacity - work->node_capacity) * sizeof (NodeAcc));
      work->node_capacity = capacity;
    }

  return id;
}

static inline guint32
work_link (PathWork *work,
           guint32   source,
           guint32   target)
{
  guint32 id = jm_pair_index_add (work->link_index, source, target);

  if G_UNLIKELY (id >= work->link_capacity)
    {
      guint32 capacity = MAX (64, work->link_capacity * 2);

      work->link_count = g_renew (guint64, work->link_count, capacity);
      memset (work->link_count + work->link_capacity, 0,
              (capacity - work->link_capacity) * sizeof (guint64));
      work->link_capacity = capacity;
    }

  return id;
}

static inline void
work_transition (PathWork *work,
                 guint32   link,
                 gint64    ms)
{
  g_assert (work->n_trans < work->max_trans);
  work->trans_link[work->n_trans] = link;
  work->trans_ms[work->n_trans] = ms;
  work->n_trans++;
}

static gpointer
path_work_run (gpointer data)
{
  PathWork *work = data;
  const guint32 *offsets = work->units->offsets;
  const guint32 *events = work->units->events;
  const guint32 *log_names = work->cols->name;
  const gint64 *ts = work->cols->ts;
  const guint32 *clean = work->names->clean;
  const gboolean *removed = work->names->removed;
  gboolean collapse = work->options->collapse_repeats;
  gboolean start_anchor = work->options->anchor == JM_PATH_ANCHOR_START;
  guint steps = work->options->steps;
  guint32 anchor = work->anchor;

  for (guint32 u = work->first_unit; u < work->end_unit; u++)
    {
      guint32 first = offsets[u];
      guint32 last = offsets[u + 1];
      gsize n = 0;
      gsize at = G_MAXSIZE;     /* the anchor's position in the sequence */
      gsize from, to;           /* the shown path: positions from … to - 1 */
      guint32 prev_node = 0;

      if (last - first > work->seq_capacity)
        {
          work->seq_capacity = MAX (last - first, 2 * work->seq_capacity);
          work->seq_name = g_renew (guint32, work->seq_name, work->seq_capacity);
          work->seq_ts = g_renew (gint64, work->seq_ts, work->seq_capacity);
        }

      for (guint32 p = first; p < last; p++)
        {
          guint32 ev = events[p];
          guint32 name = clean[log_names[ev]];

          if (removed[name])
            continue;
          if (collapse && n > 0 && work->seq_name[n - 1] == name)
            continue;

          work->seq_name[n] = name;
          work->seq_ts[n] = ts[ev];
          if (name == anchor && (!start_anchor || at == G_MAXSIZE))
            at = n;
          n++;

          /* A start anchor needs S events from it, and one more to know whether the path
           * ends with the unit's journey.
           */
          if (start_anchor && at != G_MAXSIZE && n > at + steps)
            break;
        }

      if (at == G_MAXSIZE)
        continue;

      work->n_units++;
      if (start_anchor)
        {
          from = at;
          to = MIN (n, at + steps);
        }
      else
        {
          from = at + 1 >= steps ? at + 1 - steps : 0;
          to = at + 1;
        }

      for (gsize i = from; i < to; i++)
        {
          guint step = start_anchor ? 1 + (i - at) : steps - (at - i);
          guint32 node = work_node (work, step, work->seq_name[i]);
          NodeAcc *acc = &work->node_acc[node];

          acc->count++;
          if (start_anchor && i == n - 1)
            acc->dropoff++;
          if (!start_anchor && i == from)
            acc->entries++;

          if (i > from)
            {
              guint32 link = work_link (work, prev_node, node);

              work->link_count[link]++;
              work_transition (work, link, work->seq_ts[i] - work->seq_ts[i - 1]);
            }
          prev_node = node;
        }
    }

  return NULL;
}

/* Adds the second worker's nodes and links to the first's; its transitions stay where they
 * are, their links mapped by `from->link_map`.
 */
static void
path_work_merge (PathWork *into,
                 PathWork *from)
{
  guint32 n_nodes = jm_pair_index_get_size (from->node_index);
  guint32 n_links = jm_pair_index_get_size (from->link_index);
  g_autofree guint32 *node_map = g_new (guint32, n_nodes);
  guint32 *link_map = g_new (guint32, MAX (1, n_links));

  into->n_units += from->n_units;

  for (guint32 id = 0; id < n_nodes; id++)
    {
      guint32 to = work_node (into,
                              jm_pair_index_get_first (from->node_index, id) + 1,
                              jm_pair_index_get_second (from->node_index, id));

      into->node_acc[to].count += from->node_acc[id].count;
      into->node_acc[to].dropoff += from->node_acc[id].dropoff;
      into->node_acc[to].entries += from->node_acc[id].entries;
      node_map[id] = to;
    }

  for (guint32 id = 0; id < n_links; id++)
    {
      guint32 to = work_link (into,
                              node_map[jm_pair_index_get_first (from->link_index, id)],
                              node_map[jm_pair_index_get_second (from->link_index, id)]);

      into->link_count[to] += from->link_count[id];
      link_map[id] = to;
    }

  from->link_map = link_map;
}

/* Orders raw nodes by step, then as folding keeps them: count descending, then name. */
typedef struct
{
  const NodeAcc   *acc;
  const GPtrArray *names;
  const guint32   *node_step;
  const guint32   *node_name;
} FoldOrder;

static int
compare_fold (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const FoldOrder *order = user_data;
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  if (order->node_step[x] != order->node_step[y])
    return order->node_step[x] < order->node_step[y] ? -1 : 1;
  if (order->acc[x].count != order->acc[y].count)
    return order->acc[x].count > order->acc[y].count ? -1 : 1;
  return strcmp (g_ptr_array_index (order->names, order->node_name[x]),
                 g_ptr_array_index (order->names, order->node_name[y]));
}

static int
compare_nodes (gconstpointer a,
               gconstpointer b)
{
  const JmPathFlowNode *x = a;
  const JmPathFlowNode *y = b;

  if (x->step != y->step)
    return x->step < y->step ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp (x->name, y->name);
}

static int
compare_links (gconstpointer a,
               gconstpointer b)
{
  const JmPathFlowLink *x = a;
  const JmPathFlowLink *y = b;
  int cmp;

  if (x->step != y->step)
    return x->step < y->step ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if ((cmp = strcmp (x->source, y->source)) != 0)
    return cmp;
  return strcmp (x->target, y->target);
}

/* The unit at which the events before it make up about half of all events. */
static guint32
split_units (const JmUnits *units)
{
  guint32 half = units->n_events / 2;
  guint32 lo = 0;
  guint32 hi = units->n_units;

  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;

      if (units->offsets[mid] < half)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* Folds each step's smaller nodes into "Other" and builds the final nodes and links. */
static void
path_flow_finish (JmPathFlow *self,
                  PathWork   *works,
                  guint       n_works)
{
  PathWork *work = &works[0];
  gsize n_trans = 0;
  guint32 n_raw_nodes = jm_pair_index_get_size (work->node_index);
  guint32 n_raw_links = jm_pair_index_get_size (work->link_index);
  guint32 n_final_nodes;
  guint32 n_final_links;
  guint32 other = G_MAXUINT32;
  g_autofree guint32 *node_name = g_new (guint32, MAX (1, n_raw_nodes));
  g_autofree guint32 *node_final = g_new (guint32, MAX (1, n_raw_nodes));
  g_autofree guint32 *by_step = g_new (guint32, MAX (1, n_raw_nodes));
  g_autofree guint32 *node_step = g_new (guint32, MAX (1, n_raw_nodes));
  g_autofree guint32 *link_final = g_new (guint32, MAX (1, n_raw_links));
  g_autofree gsize *ms_offsets = NULL;
  gint64 *ms;
  g_autoptr(JmPairIndex) final_nodes = NULL;
  g_autoptr(JmPairIndex) final_links = NULL;
  FoldOrder order;

  /* The merged node's name: a real "Other" if there is one, so that a step never shows two. */
  for (guint32 c = 0; c < self->names->len; c++)
    if (g_str_equal (g_ptr_array_index (self->names, c), JM_PATH_FLOW_OTHER))
      other = c;
  if (other == G_MAXUINT32)
    {
      other = self->names->len;
      g_ptr_array_add (self->names, g_strdup (JM_PATH_FLOW_OTHER));
    }

  /* The raw nodes by step, each step's in folding order. */
  for (guint32 id = 0; id < n_raw_nodes; id++)
    {
      node_step[id] = jm_pair_index_get_first (work->node_index, id);
      node_name[id] = jm_pair_index_get_second (work->node_index, id);
      by_step[id] = id;
    }
  order.acc = work->node_acc;
  order.names = self->names;
  order.node_step = node_step;
  order.node_name = node_name;
  g_qsort_with_data (by_step, n_raw_nodes, sizeof (guint32), compare_fold, &order);

  final_nodes = jm_pair_index_new (self->steps, self->names->len);
  for (guint32 i = 0; i < n_raw_nodes; )
    {
      guint32 step = node_step[by_step[i]];
      guint32 end = i;
      gboolean fold;

      while (end < n_raw_nodes && node_step[by_step[end]] == step)
        end++;
      fold = self->top > 0 && end - i > self->top;

      for (guint32 rank = 0; i < end; i++, rank++)
        {
          guint32 id = by_step[i];
          guint32 name = fold && rank >= self->top ? other : node_name[id];

          node_final[id] = jm_pair_index_add (final_nodes, step, name);
        }
    }

  n_final_nodes = jm_pair_index_get_size (final_nodes);
  self->n_nodes = n_final_nodes;
  self->nodes = g_new0 (JmPathFlowNode, MAX (1, n_final_nodes));
  for (guint32 f = 0; f < n_final_nodes; f++)
    {
      self->nodes[f].step = jm_pair_index_get_first (final_nodes, f) + 1;
      self->nodes[f].name = g_ptr_array_index (self->names,
                                               jm_pair_index_get_second (final_nodes, f));
    }
  for (guint32 id = 0; id < n_raw_nodes; id++)
    {
      JmPathFlowNode *node = &self->nodes[node_final[id]];

      node->count += work->node_acc[id].count;
      node->dropoff += work->node_acc[id].dropoff;
      node->entries += work->node_acc[id].entries;
    }

  /* Links between the final nodes, and their durations gathered per final link. */
  final_links = jm_pair_index_new (n_final_nodes, n_final_nodes);
  for (guint32 id = 0; id < n_raw_links; id++)
    link_final[id] = jm_pair_index_add (final_links,
                                        node_final[jm_pair_index_get_first (work->link_index, id)],
                                        node_final[jm_pair_index_get_second (work->link_index, id)]);

  n_final_links = jm_pair_index_get_size (final_links);
  ms_offsets = g_new0 (gsize, n_final_links + 1);
  for (guint32 id = 0; id < n_raw_links; id++)
    ms_offsets[link_final[id] + 1] += work->link_count[id];
  for (guint32 f = 0; f < n_final_links; f++)
    ms_offsets[f + 1] += ms_offsets[f];
  for (guint w = 0; w < n_works; w++)
    n_trans += works[w].n_trans;
  g_assert (ms_offsets[n_final_links] == n_trans);

  ms = jm_stats_alloc_large (n_trans * sizeof (gint64));
  {
    g_autofree gsize *cursor = g_memdup2 (ms_offsets, (n_final_links + 1) * sizeof (gsize));

    for (guint w = 0; w < n_works; w++)
      {
        const PathWork *from = &works[w];

        for (gsize i = 0; i < from->n_trans; i++)
          {
            guint32 link = from->link_map != NULL ? from->link_map[from->trans_link[i]]
                                                  : from->trans_link[i];

            ms[cursor[link_final[link]]++] = from->trans_ms[i];
          }
      }
  }

  self->n_links = n_final_links;
  self->links = g_new0 (JmPathFlowLink, MAX (1, n_final_links));
  for (guint32 f = 0; f < n_final_links; f++)
    {
      JmPathFlowLink *link = &self->links[f];
      const JmPathFlowNode *source = &self->nodes[jm_pair_index_get_first (final_links, f)];
      const JmPathFlowNode *target = &self->nodes[jm_pair_index_get_second (final_links, f)];

      link->step = source->step;
      link->source = source->name;
      link->target = target->name;
      link->count = ms_offsets[f + 1] - ms_offsets[f];
      link->median_seconds = jm_stats_median_seconds (ms + ms_offsets[f], link->count);
    }

  jm_stats_free_large (ms);

  qsort (self->nodes, self->n_nodes, sizeof (JmPathFlowNode), compare_nodes);
  qsort (self->links, self->n_links, sizeof (JmPathFlowLink), compare_links);
}

JmPathFlow *
jm_path_flow_compute (const JmUnits            *units,
                      const JmPathFlowOptions  *options,
                      GError                  **error)
{
  g_autoptr(JmPathFlow) self = NULL;
  CleanNames names = { NULL, 0, NULL, NULL };
  PathWork works[2];
  guint n_works = 1;
  guint32 anchor;

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (units->log != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->event == NULL || *options->event == '\0')
    {
      g_set_error_literal (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                           "Paths need an anchor: a start or an end event");
      return NULL;
    }
  if (options->steps < 1)
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Paths need at least 1 step, not %u", options->steps);
      return NULL;
    }
  if (!clean_names_init (&names, units->log, options, error))
    {
      clean_names_clear (&names);
      return NULL;
    }

  self = g_new0 (JmPathFlow, 1);
  self->unit = units->unit;
  self->anchor = options->anchor;
  self->event = g_strdup (options->event);
  self->steps = options->steps;
  self->top = options->top;

  anchor = clean_names_lookup (&names, options->event);
  if (anchor != G_MAXUINT32 && names.removed[anchor])
    anchor = G_MAXUINT32;

  if (units->n_events >= PARALLEL_MIN_EVENTS && g_get_num_processors () > 1)
    {
      guint32 split = split_units (units);

      path_work_init (&works[0], units, &names, options, anchor, 0, split);
      path_work_init (&works[1], units, &names, options, anchor, split, units->n_units);
      n_works = 2;
    }
  else
    path_work_init (&works[0], units, &names, options, anchor, 0, units->n_units);

  /* An anchor that no event has: every count is 0. */
  if (anchor != G_MAXUINT32)
    {
      if (n_works == 2)
        {
          GThread *thread = g_thread_new ("jm-paths", path_work_run, &works[1]);

          path_work_run (&works[0]);
          g_thread_join (thread);
          path_work_merge (&works[0], &works[1]);
        }
      else
        path_work_run (&works[0]);
    }

  self->n_units = works[0].n_units;
  self->names = g_steal_pointer (&names.names);
  path_flow_finish (self, works, anchor != G_MAXUINT32 ? n_works : 1);

  for (guint i = 0; i < n_works; i++)
    path_work_clear (&works[i]);
  clean_names_clear (&names);

  return g_steal_pointer (&self);
}

void
jm_path_flow_free (JmPathFlow *self)
{
  if (self == NULL)
    return;

  g_free (self->event);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_free (self->nodes);
  g_free (self->links);
  g_free (self);
}

JmUnitKind
jm_path_flow_get_unit (const JmPathFlow *self)
{
  g_return_val_if_fail (self != NULL, JM_UNIT_CUSTOMER);

  return self->unit;
}

JmPathAnchor
jm_path_flow_get_anchor (const JmPathFlow *self)
{
  g_return_val_if_fail (self != NULL, JM_PATH_ANCHOR_START);

  return self->anchor;
}

const char *
jm_path_flow_get_anchor_event (const JmPathFlow *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->event;
}

guint
jm_path_flow_get_steps (const JmPathFlow *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->steps;
}

guint64
jm_path_flow_get_n_units (const JmPathFlow *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_units;
}

guint
jm_path_flow_get_n_nodes (const JmPathFlow *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_nodes;
}

const JmPathFlowNode *
jm_path_flow_get_node (const JmPathFlow *self,
                       guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_nodes, NULL);

  return &self->nodes[index];
}

guint
jm_path_flow_get_n_links (const JmPathFlow *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_links;
}

const JmPathFlowLink *
jm_path_flow_get_link (const JmPathFlow *self,
                       guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_links, NULL);

  return &self->links[index];
}

JsonNode *
jm_path_flow_to_json (const JmPathFlow *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, jm_unit_kind_to_string (self->unit));
  json_builder_set_member_name (builder, "anchor");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, self->anchor == JM_PATH_ANCHOR_START ? "start" : "end");
  json_builder_add_string_value (builder, self->event);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "steps");
  json_builder_add_int_value (builder, self->steps);
  json_builder_set_member_name (builder, "units");
  json_builder_add_int_value (builder, self->n_units);

  json_builder_set_member_name (builder, "nodes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_nodes; i++)
    {
      const JmPathFlowNode *node = &self->nodes[i];

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
  for (guint i = 0; i < self->n_links; i++)
    {
      const JmPathFlowLink *link = &self->links[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "step");
      json_builder_add_int_value (builder, link->step);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, link->source);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, link->target);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, link->count);
      json_builder_set_member_name (builder, "median_seconds");
      json_builder_add_double_value (builder, link->median_seconds);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JmTable *
jm_path_flow_to_table (const JmPathFlow *self)
{
  static const char * const columns[] = {
    "step", "source", "target", "count", "median_seconds", NULL
  };
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  table = jm_table_new (columns);
  for (guint i = 0; i < self->n_links; i++)
    {
      const JmPathFlowLink *link = &self->links[i];
      char *cells[5];

      cells[0] = g_strdup_printf ("%u", link->step);
      cells[1] = g_strdup (link->source);
      cells[2] = g_strdup (link->target);
      cells[3] = g_strdup_printf ("%" G_GUINT64_FORMAT, link->count);
      cells[4] = jm_stats_format_double (link->median_seconds);
      jm_table_add_row (table, cells);
    }

  return table;
}

JmTable *
jm_path_flow_nodes_to_table (const JmPathFlow *self)
{
  static const char * const columns[] = {
    "step", "name", "count", "dropoff", "entries", NULL
  };
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  table = jm_table_new (columns);
  for (guint i = 0; i < self->n_nodes; i++)
    {
      const JmPathFlowNode *node = &self->nodes[i];
      char *cells[5];

      cells[0] = g_strdup_printf ("%u", node->step);
      cells[1] = g_strdup (node->name);
      cells[2] = g_strdup_printf ("%" G_GUINT64_FORMAT, node->count);
      cells[3] = g_strdup_printf ("%" G_GUINT64_FORMAT, node->dropoff);
      cells[4] = g_strdup_printf ("%" G_GUINT64_FORMAT, node->entries);
      jm_table_add_row (table, cells);
    }

  return table;
}
