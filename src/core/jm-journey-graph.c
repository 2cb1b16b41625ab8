/* jm-journey-graph.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-journey-graph"

#include "config.h"

#include <string.h>

#include "jm-journey-graph.h"
#include "jm-stats.h"

/* Below this many events one thread is quicker than starting a second one. */
#define PARALLEL_MIN_EVENTS 65536

struct _JmJourneyGraph
{
  JmEventLog         *log;     /* owns the name strings */
  JmUnitKind          unit;
  guint64             n_units;
  guint64             n_events;
  JmJourneyGraphNode *nodes;
  guint               n_nodes;
  JmJourneyGraphEdge *edges;
  guint               n_edges;
};

/* One worker's share: the units [first_unit, end_unit). The work takes two passes over the
 * events: the first counts nodes and edges, the second writes every transition's duration
 * into its edge's slice of one array sized exactly, so that nothing is reallocated or copied.
 */
typedef struct
{
  const JmUnits           *units;
  const JmEventLogColumns *cols;
  guint32                  first_unit;
  guint32                  end_unit;
  guint32                  n_names;
  guint64                 *node_events;
  guint64                 *node_units;
  guint32                 *last_unit;
  JmPairIndex             *index;      /* (source, target); START = n_names, END = n_names + 1 */
  guint64                 *count;      /* per edge of this worker */
  guint32                  capacity;
  gint64                 **next;       /* second pass: where each edge's next duration goes */
} GraphWork;

static inline guint32
work_edge (GraphWork *work,
           guint32    source,
           guint32    target)
{
  guint32 id = jm_pair_index_add (work->index, source, target);

  if G_UNLIKELY (id >= work->capacity)
    {
      guint32 capacity = MAX (64, work->capacity * 2);

      work->count = g_renew (guint64, work->count, capacity);
      memset (work->count + work->capacity, 0, (capacity - work->capacity) * sizeof (guint64));
      work->capacity = capacity;
    }

  return id;
}

/* Counts one transition (the id first: counting may grow the array). */
static inline void
count_edge (GraphWork *work,
            guint32    source,
            guint32    target)
{
  guint32 id = work_edge (work, source, target);

  work->count[id]++;
}

static inline void
count_node (GraphWork *work,
            guint32    name,
            guint32    unit)
{
  work->node_events[name]++;
  if (work->last_unit[name] != unit)
    {
      work->last_unit[name] = unit;
      work->node_units[name]++;
    }
}

static gpointer
graph_work_count (gpointer data)
{
  GraphWork *work = data;
  const guint32 *offsets = work->units->offsets;
  const guint32 *events = work->units->events;
  const guint32 *names = work->cols->name;
  guint32 start = work->n_names;
  guint32 end = work->n_names + 1;

  for (guint32 u = work->first_unit; u < work->end_unit; u++)
    {
      guint32 p = offsets[u];
      guint32 last = offsets[u + 1];
      guint32 prev;

      if (p == last)
        continue;

      prev = names[events[p]];
      count_node (work, prev, u);
      count_edge (work, start, prev);

      for (p++; p < last; p++)
        {
          guint32 name = names[events[p]];

          count_node (work, name, u);
          count_edge (work, prev, name);
          prev = name;
        }

      count_edge (work, prev, end);
    }

  return NULL;
}

static gpointer
graph_work_fill (gpointer data)
{
  GraphWork *work = data;
  const guint32 *offsets = work->units->offsets;
  const guint32 *events = work->units->events;
  const guint32 *names = work->cols->name;
  const gint64 *ts = work->cols->ts;
  gint64 **next = work->next;

  for (guint32 u = work->first_unit; u < work->end_unit; u++)
    {
      guint32 p = offsets[u];
      guint32 last = offsets[u + 1];
      guint32 prev;
      gint64 prev_ts;

      if (p == last)
        continue;

      prev = names[events[p]];
      prev_ts = ts[events[p]];
      for (p++; p < last; p++)
        {
          guint32 ev = events[p];
          guint32 name = names[ev];

          *next[jm_pair_index_add (work->index, prev, name)]++ = ts[ev] - prev_ts;
          prev = name;
          prev_ts = ts[ev];
        }
    }

  return NULL;
}

static void
graph_work_init (GraphWork     *work,
                 const JmUnits *units,
                 guint32        n_names,
                 guint32        first_unit,
                 guint32        end_unit)
{
  memset (work, 0, sizeof *work);
  work->units = units;
  work->cols = jm_event_log_get_columns (units->log);
  work->first_unit = first_unit;
  work->end_unit = end_unit;
  work->n_names = n_names;
  work->node_events = g_new0 (guint64, n_names);
  work->node_units = g_new0 (guint64, n_names);
  work->last_unit = g_new (guint32, n_names);
  if (n_names > 0)
    memset (work->last_unit, 0xff, n_names * sizeof (guint32));
  work->index = jm_pair_index_new (n_names + 2, n_names + 2);
}

static void
graph_work_clear (GraphWork *work)
{
  g_free (work->count);
  g_free (work->next);
  g_free (work->node_events);
  g_free (work->node_units);
  g_free (work->last_unit);
  jm_pair_index_free (work->index);
}

/* Runs `func` on each worker, the second one in a thread of its own. */
static void
run_works (GThreadFunc  func,
           GraphWork   *works,
           guint        n_works)
{
  GThread *thread = NULL;

  if (n_works == 2)
    thread = g_thread_new ("jm-graph", func, &works[1]);
  func (&works[0]);
  if (thread != NULL)
    g_thread_join (thread);
}

/* The medians of the edges [first, end), for one of two threads. */
typedef struct
{
  JmJourneyGraphEdge *edges;
  gint64             *ms;
  const gsize        *offsets;
  guint               first;
  guint               end;
} MedianWork;

static gpointer
median_work_run (gpointer data)
{
  MedianWork *work = data;

  for (guint i = work->first; i < work->end; i++)
    if (work->edges[i].has_median)
      work->edges[i].median_seconds =
        jm_stats_median_seconds (work->ms + work->offsets[i],
                                 work->offsets[i + 1] - work->offsets[i]);
  return NULL;
}

static int
compare_nodes (gconstpointer a,
               gconstpointer b)
{
  const JmJourneyGraphNode *x = a;
  const JmJourneyGraphNode *y = b;

  if (x->events != y->events)
    return x->events > y->events ? -1 : 1;
  return strcmp (x->name, y->name);
}

static int
compare_edges (gconstpointer a,
               gconstpointer b)
{
  const JmJourneyGraphEdge *x = a;
  const JmJourneyGraphEdge *y = b;
  int cmp;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if ((cmp = strcmp (x->source, y->source)) != 0)
    return cmp;
  if ((cmp = strcmp (x->target, y->target)) != 0)
    return cmp;
  /* Only a real event called START or END can tie here: the virtual edge goes first. */
  if (x->source_is_start != y->source_is_start)
    return x->source_is_start ? -1 : 1;
  if (x->target_is_end != y->target_is_end)
    return x->target_is_end ? -1 : 1;
  return 0;
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

JmJourneyGraph *
jm_journey_graph_compute (const JmUnits *units)
{
  g_autoptr(JmJourneyGraph) self = NULL;
  GraphWork works[2];
  guint n_works = 1;
  guint32 n_names;
  guint32 n_edges;
  guint32 n_first;
  g_autofree guint32 *global = NULL;     /* the second worker's edge ids in the first's */
  g_autofree guint64 *first_count = NULL;
  g_autofree gsize *offsets = NULL;
  gint64 *ms;
  MedianWork medians[2];

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (units->log != NULL, NULL);

  self = g_new0 (JmJourneyGraph, 1);
  self->log = jm_event_log_ref (units->log);
  self->unit = units->unit;
  self->n_units = units->n_units;
  self->n_events = units->n_events;

  n_names = jm_event_log_get_n_names (units->log);

  if (units->n_events >= PARALLEL_MIN_EVENTS && g_get_num_processors () > 1)
    {
      guint32 split = split_units (units);

      graph_work_init (&works[0], units, n_names, 0, split);
      graph_work_init (&works[1], units, n_names, split, units->n_units);
      n_works = 2;
    }
  else
    graph_work_init (&works[0], units, n_names, 0, units->n_units);

  run_works (graph_work_count, works, n_works);

  /* The first worker's index numbers every edge; its counts become the totals. */
  n_first = jm_pair_index_get_size (works[0].index);
  first_count = g_memdup2 (works[0].count, MAX (1, n_first) * sizeof (guint64));
  if (n_works == 2)
    {
      guint32 n_second = jm_pair_index_get_size (works[1].index);

      global = g_new (guint32, MAX (1, n_second));
      for (guint32 id = 0; id < n_second; id++)
        {
          guint32 to = work_edge (&works[0],
                                  jm_pair_index_get_first (works[1].index, id),
                                  jm_pair_index_get_second (works[1].index, id));

          works[0].count[to] += works[1].count[id];
          global[id] = to;
        }
      for (guint32 i = 0; i < n_names; i++)
        {
          works[0].node_events[i] += works[1].node_events[i];
          works[0].node_units[i] += works[1].node_units[i];
        }
    }
  n_edges = jm_pair_index_get_size (works[0].index);

  self->nodes = g_new0 (JmJourneyGraphNode, MAX (1, n_names));
  for (guint32 i = 0; i < n_names; i++)
    if (works[0].node_events[i] > 0)
      {
        JmJourneyGraphNode *node = &self->nodes[self->n_nodes++];

        node->name = jm_event_log_get_name (units->log, i);
        node->events = works[0].node_events[i];
        node->units = works[0].node_units[i];
      }
  qsort (self->nodes, self->n_nodes, sizeof (JmJourneyGraphNode), compare_nodes);

  self->n_edges = n_edges;
  self->edges = g_new0 (JmJourneyGraphEdge, MAX (1, n_edges));
  offsets = g_new0 (gsize, n_edges + 1);
  for (guint32 id = 0; id < n_edges; id++)
    {
      JmJourneyGraphEdge *edge = &self->edges[id];
      guint32 source = jm_pair_index_get_first (works[0].index, id);
      guint32 target = jm_pair_index_get_second (works[0].index, id);

      edge->source_is_start = source == n_names;
      edge->target_is_end = target == n_names + 1;
      edge->source = edge->source_is_start ? JM_JOURNEY_GRAPH_START
                                           : jm_event_log_get_name (units->log, source);
      edge->target = edge->target_is_end ? JM_JOURNEY_GRAPH_END
                                         : jm_event_log_get_name (units->log, target);
      edge->count = works[0].count[id];
      edge->has_median = !edge->source_is_start && !edge->target_is_end;
      offsets[id + 1] = offsets[id] + (edge->has_median ? edge->count : 0);
    }

  /* Each edge's slice of the durations: the first worker's part, then the second's. */
  ms = jm_stats_alloc_large (offsets[n_edges] * sizeof (gint64));
  works[0].next = g_new (gint64 *, MAX (1, n_edges));
  for (guint32 id = 0; id < n_edges; id++)
    works[0].next[id] = ms + offsets[id];
  if (n_works == 2)
    {
      guint32 n_second = jm_pair_index_get_size (works[1].index);

      works[1].next = g_new (gint64 *, MAX (1, n_second));
      for (guint32 id = 0; id < n_second; id++)
        works[1].next[id] = ms + offsets[global[id]] +
                            (global[id] < n_first ? first_count[global[id]] : 0);
    }

  run_works (graph_work_fill, works, n_works);

  /* The medians, split over the threads by the number of durations. */
  medians[0] = (MedianWork) { self->edges, ms, offsets, 0, n_edges };
  if (n_works == 2)
    {
      GThread *thread;
      guint split = 0;

      while (split < n_edges && offsets[split] < offsets[n_edges] / 2)
        split++;
      medians[0].end = split;
      medians[1] = (MedianWork) { self->edges, ms, offsets, split, n_edges };
      thread = g_thread_new ("jm-graph-medians", median_work_run, &medians[1]);
      median_work_run (&medians[0]);
      g_thread_join (thread);
    }
  else
    median_work_run (&medians[0]);

  jm_stats_free_large (ms);
  for (guint i = 0; i < n_works; i++)
    graph_work_clear (&works[i]);

  qsort (self->edges, self->n_edges, sizeof (JmJourneyGraphEdge), compare_edges);

  return g_steal_pointer (&self);
}

void
jm_journey_graph_free (JmJourneyGraph *self)
{
  if (self == NULL)
    return;

  g_free (self->nodes);
  g_free (self->edges);
  g_clear_pointer (&self->log, jm_event_log_unref);
  g_free (self);
}

JmUnitKind
jm_journey_graph_get_unit (const JmJourneyGraph *self)
{
  g_return_val_if_fail (self != NULL, JM_UNIT_CUSTOMER);

  return self->unit;
}

guint64
jm_journey_graph_get_n_units (const JmJourneyGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_units;
}

guint64
jm_journey_graph_get_n_events (const JmJourneyGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_events;
}

guint
jm_journey_graph_get_n_nodes (const JmJourneyGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_nodes;
}

const JmJourneyGraphNode *
jm_journey_graph_get_node (const JmJourneyGraph *self,
                           guint                 index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_nodes, NULL);

  return &self->nodes[index];
}

guint
jm_journey_graph_get_n_edges (const JmJourneyGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_edges;
}

const JmJourneyGraphEdge *
jm_journey_graph_get_edge (const JmJourneyGraph *self,
                           guint                 index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_edges, NULL);

  return &self->edges[index];
}

JsonNode *
jm_journey_graph_to_json (const JmJourneyGraph *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, jm_unit_kind_to_string (self->unit));
  json_builder_set_member_name (builder, "units");
  json_builder_add_int_value (builder, self->n_units);
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, self->n_events);

  json_builder_set_member_name (builder, "nodes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_nodes; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, self->nodes[i].name);
      json_builder_set_member_name (builder, "events");
      json_builder_add_int_value (builder, self->nodes[i].events);
      json_builder_set_member_name (builder, "units");
      json_builder_add_int_value (builder, self->nodes[i].units);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "edges");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_edges; i++)
    {
      const JmJourneyGraphEdge *edge = &self->edges[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, edge->source);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, edge->target);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, edge->count);
      json_builder_set_member_name (builder, "median_seconds");
      if (edge->has_median)
        json_builder_add_double_value (builder, edge->median_seconds);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JmTable *
jm_journey_graph_to_table (const JmJourneyGraph *self)
{
  static const char * const columns[] = { "source", "target", "count", "median_seconds", NULL };
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  table = jm_table_new (columns);
  for (guint i = 0; i < self->n_edges; i++)
    {
      const JmJourneyGraphEdge *edge = &self->edges[i];
      char *cells[4];

      cells[0] = g_strdup (edge->source);
      cells[1] = g_strdup (edge->target);
      cells[2] = g_strdup_printf ("%" G_GUINT64_FORMAT, edge->count);
      cells[3] = edge->has_median ? jm_stats_format_double (edge->median_seconds) : NULL;
      jm_table_add_row (table, cells);
    }

  return table;
}

JmTable *
jm_journey_graph_nodes_to_table (const JmJourneyGraph *self)
{
  static const char * const columns[] = { "name", "events", "units", NULL };
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  table = jm_table_new (columns);
  for (guint i = 0; i < self->n_nodes; i++)
    {
      char *cells[3];

      cells[0] = g_strdup (self->nodes[i].name);
      cells[1] = g_strdup_printf ("%" G_GUINT64_FORMAT, self->nodes[i].events);
      cells[2] = g_strdup_printf ("%" G_GUINT64_FORMAT, self->nodes[i].units);
      jm_table_add_row (table, cells);
    }

  return table;
}
