/* jm-funnel.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-funnel"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jm-analysis-error.h"
#include "jm-funnel.h"

/* Below this many events one thread is quicker than starting a second one. */
#define PARALLEL_MIN_EVENTS 65536

struct _JmFunnel
{
  JmEventLog    *log;              /* for the customer ids */
  JmUnitKind     unit;
  JmFunnelMode   mode;
  gint64         window_ms;
  guint64        n_units;
  guint          n_steps;
  char         **step_names;
  JmFunnelStep  *steps;

  char          *breakdown;
  guint          n_groups;
  char         **group_values;
  JmFunnelStep  *group_steps;      /* n_groups × n_steps */

  guint32       *level;            /* n_units */
  guint32       *unit_customer;    /* n_units */
  /* made on first use: the units by level */
  guint32       *level_offsets;    /* n_steps + 2 */
  guint32       *level_units;      /* n_units */
};

/* What every worker reads: the columns and the steps' names resolved to log name indices. */
typedef struct
{
  const guint32 *names;
  const gint64  *ts;
  const guint32 *offsets;
  const guint32 *events;
  guint          n_steps;
  JmFunnelMode   mode;
  gint64         window_ms;
  guint32       *step_name;        /* n_steps; G_MAXUINT32 for a name no event has */
  /* the steps each log name plays, ascending: role_steps[role_offsets[n] … role_offsets[n+1]) */
  guint32       *role_offsets;
  guint32       *role_steps;
  gboolean      *excluded;         /* per log name */
  guint32       *distinct;         /* any mode: per step, the index of its distinct name */
  guint32       *name_distinct;    /* any mode: per log name, that index or G_MAXUINT32 */
  guint32        n_distinct;
  const guint32 *field_value;      /* breakdown: value index per event, or NULL */
  guint32       *value_group;      /* breakdown: group per value index */
  guint          n_groups;
  guint32       *level;            /* output, per unit */
} FunnelSetup;

typedef struct
{
  gint64 *data;
  gsize   len;
  gsize   capacity;
} MsArray;

/* One worker's share: the units [first_unit, end_unit). */
typedef struct
{
  const FunnelSetup *setup;
  guint32            first_unit;
  guint32            end_unit;
  /* scratch */
  gint64            *best;
  gint64            *cur;
  gint64            *chain;
  guint32           *count_in;
  guint32           *need;
  /* per group × step */
  guint64           *counts;
  MsArray           *from_previous;
  MsArray           *from_start;
} FunnelWork;

void
jm_funnel_options_init (JmFunnelOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->mode = JM_FUNNEL_ORDERED;
  options->window_ms = JM_FUNNEL_DEFAULT_WINDOW_MS;
}

const char *
jm_funnel_mode_to_string (JmFunnelMode mode)
{
  switch (mode)
    {
    case JM_FUNNEL_ORDERED:
      return "ordered";
    case JM_FUNNEL_STRICT:
      return "strict";
    case JM_FUNNEL_ANY:
      return "any";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
jm_funnel_mode_from_string (const char   *text,
                            JmFunnelMode *out_mode)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_mode != NULL, FALSE);

  for (JmFunnelMode mode = JM_FUNNEL_ORDERED; mode <= JM_FUNNEL_ANY; mode++)
    if (g_str_equal (text, jm_funnel_mode_to_string (mode)))
      {
        *out_mode = mode;
        return TRUE;
      }

  return FALSE;
}

static inline void
ms_array_append (MsArray *array,
                 gint64   ms)
{
  if G_UNLIKELY (array->len == array->capacity)
    {
      array->capacity = MAX (16, array->capacity * 2);
      array->data = g_renew (gint64, array->data, array->capacity);
    }
  array->data[array->len++] = ms;
}

static inline gint64
ts_at (const FunnelSetup *setup,
       const guint32     *events,
       gint64             p)
{
  return setup->ts[events[p]];
}

static inline guint32
name_at (const FunnelSetup *setup,
         const guint32     *events,
         gint64             p)
{
  return setup->names[events[p]];
}

/* Fills chain[1 … level-1] by matching each step to its earliest occurrence after the
 * previous one, from the start in chain[0].
 */
static void
chain_greedy (FunnelWork    *work,
              const guint32 *events,
              gint64         n,
              guint          level)
{
  const FunnelSetup *setup = work->setup;
  guint j = 1;

  for (gint64 p = work->chain[0] + 1; p < n && j < level; p++)
    if (name_at (setup, events, p) == setup->step_name[j])
      work->chain[j++] = p;

  g_assert (j == level);
}

/* ordered: the level by a forward pass keeping, per level, the latest start of a chain
 * reaching it (a later start leaves more of the window); then the earliest start reaching that
 * level by a backward pass over the greedy completions.
 */
static guint
match_ordered (FunnelWork    *work,
               const guint32 *events,
               gint64         n)
{
  const FunnelSetup *setup = work->setup;
  guint n_steps = setup->n_steps;
  gint64 window = setup->window_ms;
  gint64 *best = work->best;
  gint64 *cur = work->cur;
  gint64 next_excluded = -1;
  guint level = 0;

  /* best[j] is only ever set for j < level, and those are reset before returning, so that a
   * unit costs time in its events, never in the number of steps.
   */
  for (gint64 p = 0; p < n && level < n_steps; p++)
    {
      guint32 name = name_at (setup, events, p);
      gint64 t;

      if (setup->excluded[name])
        {
          /* No chain started before can extend past an exclusion. */
          for (guint j = 0; j < level; j++)
            best[j] = -1;
          continue;
        }

      t = ts_at (setup, events, p);
      /* Descending, so that one event never plays two steps of the same chain. */
      for (guint32 r = setup->role_offsets[name + 1]; r-- > setup->role_offsets[name]; )
        {
          guint j = setup->role_steps[r];

          if (j == 0)
            {
              best[0] = p;
              level = MAX (level, 1);
            }
          else if (best[j - 1] >= 0 && t - ts_at (setup, events, best[j - 1]) <= window)
            {
              best[j] = best[j - 1];
              level = MAX (level, j + 1);
            }
        }
    }

  for (guint j = 0; j < level; j++)
    best[j] = -1;

  if (level == 0)
    return 0;

  if (level == 1)
    {
      for (gint64 p = 0; p < n; p++)
        if (name_at (setup, events, p) == setup->step_name[0])
          {
            work->chain[0] = p;
            return 1;
          }
      g_assert_not_reached ();
    }

  /* cur[j]: the position where greedily matching steps j … level-1, from the first
   * occurrence of step j at or after the current position, ends; -1 when it cannot.
   */
  for (guint j = 1; j < level; j++)
    cur[j] = -1;
  work->chain[0] = -1;

  for (gint64 p = n - 1; p >= 0; p--)
    {
      guint32 name = name_at (setup, events, p);

      if (setup->excluded[name])
        {
          next_excluded = p;
          continue;
        }

      for (guint32 r = setup->role_offsets[name]; r < setup->role_offsets[name + 1]; r++)
        {
          guint j = setup->role_steps[r];

          if (j == 0)
            {
              gint64 end = cur[1];

              if (end >= 0 &&
                  ts_at (setup, events, end) - ts_at (setup, events, p) <= window &&
                  (next_excluded < 0 || next_excluded > end))
                work->chain[0] = p;
            }
          else if (j < level)
            cur[j] = j == level - 1 ? p : cur[j + 1];
        }
    }

  g_assert (work->chain[0] >= 0);
  chain_greedy (work, events, n, level);

  return level;
}

/* strict: from each occurrence of step 1, the steps must follow one by one. */
static guint
match_strict (FunnelWork    *work,
              const guint32 *events,
              gint64         n)
{
  const FunnelSetup *setup = work->setup;
  guint n_steps = setup->n_steps;
  guint level = 0;

  for (gint64 p = 0; p < n && level < n_steps; p++)
    {
      gint64 start_ts;
      guint k = 1;

      if (name_at (setup, events, p) != setup->step_name[0])
        continue;

      start_ts = ts_at (setup, events, p);
      while (k < n_steps && p + k < n &&
             name_at (setup, events, p + k) == setup->step_name[k] &&
             ts_at (setup, events, p + k) - start_ts <= setup->window_ms)
        k++;

      if (k > level)
        {
          level = k;
          work->chain[0] = p;
        }
    }

  for (guint j = 1; j < level; j++)
    work->chain[j] = work->chain[0] + j;

  return level;
}

/* any: for each start, the events after it up to the window's end or the next exclusion
 * (a sliding range, since both ends only move forward) are counted per step name; the level
 * is the longest prefix of steps 2… whose names those counts cover.
 */
static guint
match_any (FunnelWork    *work,
           const guint32 *events,
           gint64         n)
{
  const FunnelSetup *setup = work->setup;
  guint n_steps = setup->n_steps;
  guint32 *count_in = work->count_in;
  guint32 *need = work->need;
  gint64 removed_to = -1;     /* positions ≤ this have left the range */
  gint64 hi = 0;              /* the range is (start, hi) */
  gint64 chosen = -1;
  gint64 chosen_hi = 0;
  guint level = 0;
  guint assigned;

  for (gint64 p = 0; p < n && level < n_steps; p++)
    {
      gint64 limit;
      guint k;

      if (name_at (setup, events, p) != setup->step_name[0])
        continue;

      /* Positions up to p leave the range. */
      for (gint64 q = removed_to + 1; q <= p && q < hi; q++)
        {
          guint32 d = setup->name_distinct[name_at (setup, events, q)];

          if (d != G_MAXUINT32)
            count_in[d]--;
        }
      removed_to = p;
      if (hi <= p)
        hi = p + 1;

      limit = ts_at (setup, events, p);
      limit = limit > G_MAXINT64 - setup->window_ms ? G_MAXINT64 : limit + setup->window_ms;
      while (hi < n && ts_at (setup, events, hi) <= limit &&
             !setup->excluded[name_at (setup, events, hi)])
        {
          guint32 d = setup->name_distinct[name_at (setup, events, hi)];

          if (d != G_MAXUINT32)
            count_in[d]++;
          hi++;
        }

      for (k = 1; k < n_steps; k++)
        {
          guint32 d = setup->distinct[k];

          if (++need[d] > count_in[d])
            break;
        }
      for (guint j = 1; j < n_steps && j <= k; j++)
        need[setup->distinct[j]] = 0;

      if (k > level)
        {
          level = k;
          chosen = p;
          chosen_hi = hi;
        }
    }

  /* The counts are zero again for the next unit. */
  for (gint64 q = removed_to + 1; q < hi; q++)
    {
      guint32 d = setup->name_distinct[name_at (setup, events, q)];

      if (d != G_MAXUINT32)
        count_in[d] = 0;
    }

  if (level == 0)
    return 0;

  /* Each occurrence in the range goes to the first step of its name still unmatched. */
  work->chain[0] = chosen;
  assigned = 1;
  for (guint j = 1; j < level; j++)
    work->chain[j] = -1;
  for (gint64 p = chosen + 1; p < chosen_hi && assigned < level; p++)
    {
      guint32 name = name_at (setup, events, p);

      for (guint j = 1; j < level; j++)
        if (work->chain[j] < 0 && setup->step_name[j] == name)
          {
            work->chain[j] = p;
            assigned++;
            break;
          }
    }
  g_assert (assigned == level);

  return level;
}

static gpointer
funnel_work_run (gpointer data)
{
  FunnelWork *work = data;
  const FunnelSetup *setup = work->setup;
  guint n_steps = setup->n_steps;

  for (guint32 u = work->first_unit; u < work->end_unit; u++)
    {
      const guint32 *events = setup->events + setup->offsets[u];
      gint64 n = setup->offsets[u + 1] - setup->offsets[u];
      guint level;
      guint group = 0;
      gint64 start_ts;
      gint64 prev_ts;

      switch (setup->mode)
        {
        case JM_FUNNEL_STRICT:
          level = match_strict (work, events, n);
          break;
        case JM_FUNNEL_ANY:
          level = match_any (work, events, n);
          break;
        case JM_FUNNEL_ORDERED:
        default:
          level = match_ordered (work, events, n);
          break;
        }

      setup->level[u] = level;
      if (level == 0)
        continue;

      if (setup->field_value != NULL)
        group = setup->value_group[setup->field_value[events[work->chain[0]]]];

      start_ts = prev_ts = ts_at (setup, events, work->chain[0]);
      work->counts[group * n_steps]++;
      for (guint j = 1; j < level; j++)
        {
          /* In any mode a step may occur before the previous one: it is reached when both
           * have occurred.
           */
          gint64 reached = MAX (prev_ts, ts_at (setup, events, work->chain[j]));

          work->counts[group * n_steps + j]++;
          ms_array_append (&work->from_previous[group * n_steps + j], reached - prev_ts);
          ms_array_append (&work->from_start[group * n_steps + j], reached - start_ts);
          prev_ts = reached;
        }
    }

  return NULL;
}

static void
funnel_work_init (FunnelWork        *work,
                  const FunnelSetup *setup,
                  guint32            first_unit,
                  guint32            end_unit)
{
  gsize n_cells = (gsize) setup->n_groups * setup->n_steps;

  memset (work, 0, sizeof *work);
  work->setup = setup;
  work->first_unit = first_unit;
  work->end_unit = end_unit;
  work->best = g_new (gint64, setup->n_steps);
  for (guint j = 0; j < setup->n_steps; j++)
    work->best[j] = -1;
  work->cur = g_new (gint64, setup->n_steps + 1);
  work->chain = g_new (gint64, setup->n_steps);
  work->count_in = g_new0 (guint32, setup->n_distinct);
  work->need = g_new0 (guint32, setup->n_distinct);
  work->counts = g_new0 (guint64, n_cells);
  work->from_previous = g_new0 (MsArray, n_cells);
  work->from_start = g_new0 (MsArray, n_cells);
}

static void
funnel_work_clear (FunnelWork *work)
{
  gsize n_cells = (gsize) work->setup->n_groups * work->setup->n_steps;

  for (gsize i = 0; i < n_cells; i++)
    {
      g_free (work->from_previous[i].data);
      g_free (work->from_start[i].data);
    }
  g_free (work->from_previous);
  g_free (work->from_start);
  g_free (work->counts);
  g_free (work->best);
  g_free (work->cur);
  g_free (work->chain);
  g_free (work->count_in);
  g_free (work->need);
}

static void
ms_array_extend (MsArray       *into,
                 const MsArray *from)
{
  if (from->len == 0)
    return;
  if (into->len + from->len > into->capacity)
    {
      into->capacity = into->len + from->len;
      into->data = g_renew (gint64, into->data, into->capacity);
    }
  memcpy (into->data + into->len, from->data, from->len * sizeof (gint64));
  into->len += from->len;
}

static void
funnel_work_merge (FunnelWork       *into,
                   const FunnelWork *from)
{
  gsize n_cells = (gsize) into->setup->n_groups * into->setup->n_steps;

  for (gsize i = 0; i < n_cells; i++)
    {
      into->counts[i] += from->counts[i];
      ms_array_extend (&into->from_previous[i], &from->from_previous[i]);
      ms_array_extend (&into->from_start[i], &from->from_start[i]);
    }
}

static void
funnel_setup_clear (FunnelSetup *setup)
{
  g_free (setup->step_name);
  g_free (setup->role_offsets);
  g_free (setup->role_steps);
  g_free (setup->excluded);
  g_free (setup->distinct);
  g_free (setup->name_distinct);
  g_free (setup->value_group);
}

/* The text of a breakdown value. */
static char *
value_label (JsonNode *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return g_strdup (JM_FUNNEL_NO_VALUE);

  if (JSON_NODE_HOLDS_VALUE (value))
    {
      switch (json_node_get_value_type (value))
        {
        case G_TYPE_STRING:
          return g_strdup (json_node_get_string (value));
        case G_TYPE_INT64:
          return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
        case G_TYPE_DOUBLE:
          return jm_stats_format_double (json_node_get_double (value));
        case G_TYPE_BOOLEAN:
          return g_strdup (json_node_get_boolean (value) ? "true" : "false");
        default:
          break;
        }
    }

  return json_to_string (value, FALSE);
}

/* Fills one step's numbers; the duration arrays are reordered. */
static void
fill_step (JmFunnelStep *step,
           const char   *name,
           guint         index,
           guint64       count,
           guint64       count_first,
           guint64       count_previous,
           MsArray      *from_previous,
           MsArray      *from_start)
{
  step->name = name;
  step->count = count;
  step->conversion_from_start = count_first > 0 ? (gdouble) count / (gdouble) count_first : 0.0;
  if (index == 0)
    step->conversion_from_previous = step->conversion_from_start;
  else
    step->conversion_from_previous = count_previous > 0
                                     ? (gdouble) count / (gdouble) count_previous : 0.0;

  step->has_times = index > 0 && count > 0;
  if (step->has_times)
    {
      g_assert (from_previous->len == count && from_start->len == count);
      jm_stats_summarize (from_previous->data, from_previous->len, &step->from_previous);
      jm_stats_summarize (from_start->data, from_start->len, &step->from_start);
    }
}

typedef struct
{
  const guint64 *counts;
  char         **labels;
  guint          n_steps;
} GroupOrder;

static int
compare_groups (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const GroupOrder *order = user_data;
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;
  guint64 cx = order->counts[x * order->n_steps];
  guint64 cy = order->counts[y * order->n_steps];

  if (cx != cy)
    return cx > cy ? -1 : 1;
  return strcmp (order->labels[x], order->labels[y]);
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

static gboolean
funnel_setup_init (FunnelSetup            *setup,
                   const JmUnits          *units,
                   const JmFunnelOptions  *options,
                   GPtrArray              *labels,
                   GError                **error)
{
  JmEventLog *log = units->log;
  const JmEventLogColumns *cols = jm_event_log_get_columns (log);
  guint32 n_names = jm_event_log_get_n_names (log);
  guint n_steps = g_strv_length ((char **) options->steps);
  g_autofree guint32 *role_counts = g_new0 (guint32, n_names + 1);

  setup->names = cols->name;
  setup->ts = cols->ts;
  setup->offsets = units->offsets;
  setup->events = units->events;
  setup->n_steps = n_steps;
  setup->mode = options->mode;
  setup->window_ms = options->window_ms;

  setup->step_name = g_new (guint32, n_steps);
  for (guint j = 0; j < n_steps; j++)
    if (!jm_event_log_lookup_name (log, options->steps[j], &setup->step_name[j]))
      setup->step_name[j] = G_MAXUINT32;

  setup->excluded = g_new0 (gboolean, n_names);
  for (guint i = 0; options->exclude != NULL && options->exclude[i] != NULL; i++)
    {
      guint32 name;

      for (guint j = 0; j < n_steps; j++)
        if (g_str_equal (options->exclude[i], options->steps[j]))
          {
            g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                         "“%s” is both a funnel step and an exclusion event",
                         options->exclude[i]);
            return FALSE;
          }
      if (jm_event_log_lookup_name (log, options->exclude[i], &name))
        setup->excluded[name] = TRUE;
    }

  /* The roles of each name, as a CSR table. */
  setup->role_offsets = g_new0 (guint32, n_names + 1);
  setup->role_steps = g_new (guint32, n_steps);
  for (guint j = 0; j < n_steps; j++)
    if (setup->step_name[j] != G_MAXUINT32)
      setup->role_offsets[setup->step_name[j] + 1]++;
  for (guint32 i = 0; i < n_names; i++)
    setup->role_offsets[i + 1] += setup->role_offsets[i];
  for (guint j = 0; j < n_steps; j++)
    if (setup->step_name[j] != G_MAXUINT32)
      {
        guint32 name = setup->step_name[j];

        setup->role_steps[setup->role_offsets[name] + role_counts[name]++] = j;
      }

  setup->distinct = g_new (guint32, n_steps);
  setup->name_distinct = g_new (guint32, n_names);
  if (n_names > 0)
    memset (setup->name_distinct, 0xff, n_names * sizeof (guint32));
  for (guint j = 0; j < n_steps; j++)
    {
      guint32 name = setup->step_name[j];

      if (name == G_MAXUINT32)
        setup->distinct[j] = setup->n_distinct++;
      else
        {
          if (setup->name_distinct[name] == G_MAXUINT32)
            setup->name_distinct[name] = setup->n_distinct++;
          setup->distinct[j] = setup->name_distinct[name];
        }
    }

  setup->n_groups = 1;
  if (options->breakdown != NULL)
    {
      g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GError) local_error = NULL;
      const JmEventLogField *field;

      field = jm_event_log_get_field (log, options->breakdown, &local_error);
      if (field == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Breakdown “%s”: ", options->breakdown);
          return FALSE;
        }

      setup->field_value = field->value;
      setup->value_group = g_new (guint32, MAX (1, field->n_values));
      g_ptr_array_set_size (labels, 0);
      for (guint32 v = 0; v < MAX (1, field->n_values); v++)
        {
          g_autofree char *label = value_label (v < field->n_values ? field->values[v] : NULL);
          gpointer id;

          if (g_hash_table_lookup_extended (ids, label, NULL, &id))
            setup->value_group[v] = GPOINTER_TO_UINT (id);
          else
            {
              setup->value_group[v] = labels->len;
              g_hash_table_insert (ids, label, GUINT_TO_POINTER (labels->len));
              g_ptr_array_add (labels, g_steal_pointer (&label));
            }
        }
      setup->n_groups = labels->len;
    }

  return TRUE;
}

JmFunnel *
jm_funnel_compute (const JmUnits          *units,
                   const JmFunnelOptions  *options,
                   GError                **error)
{
  g_autoptr(JmFunnel) self = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  FunnelSetup setup = { 0 };
  FunnelWork works[2];
  guint n_works = 1;
  guint n_steps;
  g_autofree guint *group_order = NULL;
  GroupOrder order;

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (units->log != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->steps == NULL || options->steps[0] == NULL)
    {
      g_set_error_literal (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                           "A funnel needs at least one step");
      return NULL;
    }
  if (options->window_ms < 0)
    {
      g_set_error_literal (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                           "A funnel's window cannot be negative");
      return NULL;
    }
  if (options->mode > JM_FUNNEL_ANY)
    {
      g_set_error (error, JM_ANALYSIS_ERROR, JM_ANALYSIS_ERROR_INVALID_OPTION,
                   "Unknown funnel mode %d", (int) options->mode);
      return NULL;
    }

  if (!funnel_setup_init (&setup, units, options, labels, error))
    {
      funnel_setup_clear (&setup);
      return NULL;
    }

  n_steps = setup.n_steps;
  self = g_new0 (JmFunnel, 1);
  self->unit = units->unit;
  self->mode = options->mode;
  self->window_ms = options->window_ms;
  self->n_units = units->n_units;
  self->n_steps = n_steps;
  self->step_names = g_strdupv ((char **) options->steps);
  self->breakdown = g_strdup (options->breakdown);
  self->log = jm_event_log_ref (units->log);
  self->level = jm_stats_alloc_large (units->n_units * sizeof (guint32));
  self->unit_customer = jm_stats_alloc_large (units->n_units * sizeof (guint32));
  if (units->n_units > 0)
    memcpy (self->unit_customer, units->unit_customer, units->n_units * sizeof (guint32));
  setup.level = self->level;

  if (units->n_events >= PARALLEL_MIN_EVENTS && g_get_num_processors () > 1)
    {
      guint32 split = split_units (units);
      GThread *thread;

      funnel_work_init (&works[0], &setup, 0, split);
      funnel_work_init (&works[1], &setup, split, units->n_units);
      n_works = 2;
      thread = g_thread_new ("jm-funnel", funnel_work_run, &works[1]);
      funnel_work_run (&works[0]);
      g_thread_join (thread);
      funnel_work_merge (&works[0], &works[1]);
    }
  else
    {
      funnel_work_init (&works[0], &setup, 0, units->n_units);
      funnel_work_run (&works[0]);
    }

  /* The overall steps: the groups' counts and durations together. */
  self->steps = g_new0 (JmFunnelStep, n_steps);
  {
    g_autofree guint64 *counts = g_new0 (guint64, n_steps);

    for (guint j = 0; j < n_steps; j++)
      for (guint g = 0; g < setup.n_groups; g++)
        counts[j] += works[0].counts[g * n_steps + j];

    for (guint j = 0; j < n_steps; j++)
      {
        MsArray from_previous = { NULL, 0, 0 };
        MsArray from_start = { NULL, 0, 0 };

        if (setup.n_groups == 1)
          {
            from_previous = works[0].from_previous[j];
            from_start = works[0].from_start[j];
            /* The group arrays are summarized again below only for a breakdown. */
          }
        else
          for (guint g = 0; g < setup.n_groups; g++)
            {
              ms_array_extend (&from_previous, &works[0].from_previous[g * n_steps + j]);
              ms_array_extend (&from_start, &works[0].from_start[g * n_steps + j]);
            }

        fill_step (&self->steps[j], self->step_names[j], j, counts[j], counts[0],
                   j > 0 ? counts[j - 1] : 0, &from_previous, &from_start);

        if (setup.n_groups > 1)
          {
            g_free (from_previous.data);
            g_free (from_start.data);
          }
      }
  }

  if (options->breakdown != NULL)
    {
      guint n_shown = 0;

      group_order = g_new (guint, setup.n_groups);
      for (guint g = 0; g < setup.n_groups; g++)
        if (works[0].counts[g * n_steps] > 0)
          group_order[n_shown++] = g;

      order.counts = works[0].counts;
      order.labels = (char **) labels->pdata;
      order.n_steps = n_steps;
      g_qsort_with_data (group_order, n_shown, sizeof (guint), compare_groups, &order);

      self->n_groups = n_shown;
      self->group_values = g_new0 (char *, n_shown + 1);
      self->group_steps = g_new0 (JmFunnelStep, MAX (1, (gsize) n_shown * n_steps));
      for (guint i = 0; i < n_shown; i++)
        {
          guint g = group_order[i];
          const guint64 *counts = &works[0].counts[g * n_steps];

          self->group_values[i] = g_strdup (g_ptr_array_index (labels, g));
          for (guint j = 0; j < n_steps; j++)
            fill_step (&self->group_steps[i * n_steps + j], self->step_names[j], j,
                       counts[j], counts[0], j > 0 ? counts[j - 1] : 0,
                       &works[0].from_previous[g * n_steps + j],
                       &works[0].from_start[g * n_steps + j]);
        }
    }

  for (guint i = 0; i < n_works; i++)
    funnel_work_clear (&works[i]);
  funnel_setup_clear (&setup);

  return g_steal_pointer (&self);
}

void
jm_funnel_free (JmFunnel *self)
{
  if (self == NULL)
    return;

  g_strfreev (self->step_names);
  g_free (self->steps);
  g_free (self->breakdown);
  g_strfreev (self->group_values);
  g_free (self->group_steps);
  g_clear_pointer (&self->log, jm_event_log_unref);
  jm_stats_free_large (self->level);
  jm_stats_free_large (self->unit_customer);
  g_free (self->level_offsets);
  g_free (self->level_units);
  g_free (self);
}

JmUnitKind
jm_funnel_get_unit (const JmFunnel *self)
{
  g_return_val_if_fail (self != NULL, JM_UNIT_CUSTOMER);

  return self->unit;
}

JmFunnelMode
jm_funnel_get_mode (const JmFunnel *self)
{
  g_return_val_if_fail (self != NULL, JM_FUNNEL_ORDERED);

  return self->mode;
}

gint64
jm_funnel_get_window_ms (const JmFunnel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->window_ms;
}

guint64
jm_funnel_get_n_units (const JmFunnel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_units;
}

guint
jm_funnel_get_n_steps (const JmFunnel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_steps;
}

const JmFunnelStep *
jm_funnel_get_step (const JmFunnel *self,
                    guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_steps, NULL);

  return &self->steps[index];
}

const char *
jm_funnel_get_breakdown_field (const JmFunnel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->breakdown;
}

guint
jm_funnel_get_n_breakdown (const JmFunnel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_groups;
}

const char *
jm_funnel_get_breakdown_value (const JmFunnel *self,
                               guint           group)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (group < self->n_groups, NULL);

  return self->group_values[group];
}

const JmFunnelStep *
jm_funnel_get_breakdown_step (const JmFunnel *self,
                              guint           group,
                              guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (group < self->n_groups, NULL);
  g_return_val_if_fail (index < self->n_steps, NULL);

  return &self->group_steps[group * self->n_steps + index];
}

guint
jm_funnel_get_unit_level (const JmFunnel *self,
                          guint32         unit)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (unit < self->n_units, 0);

  return self->level[unit];
}

/* The units by level, a counting sort so that each list stays in unit order. Made once, on
 * first use: most callers never ask.
 */
static const guint32 *
ensure_level_units (const JmFunnel *self)
{
  JmFunnel *mutable_self = (JmFunnel *) self;

  if (g_once_init_enter (&mutable_self->level_offsets))
    {
      guint32 *offsets = g_new0 (guint32, self->n_steps + 2);
      g_autofree guint32 *cursor = NULL;

      mutable_self->level_units = g_new (guint32, MAX (1, self->n_units));
      for (guint32 u = 0; u < self->n_units; u++)
        offsets[self->level[u] + 1]++;
      for (guint l = 0; l <= self->n_steps; l++)
        offsets[l + 1] += offsets[l];
      cursor = g_memdup2 (offsets, (self->n_steps + 2) * sizeof (guint32));
      for (guint32 u = 0; u < self->n_units; u++)
        mutable_self->level_units[cursor[self->level[u]]++] = u;

      g_once_init_leave (&mutable_self->level_offsets, offsets);
    }

  return self->level_offsets;
}

const guint32 *
jm_funnel_get_units_at_level (const JmFunnel *self,
                              guint           level,
                              guint          *out_n_units)
{
  const guint32 *offsets;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (level <= self->n_steps, NULL);
  g_return_val_if_fail (out_n_units != NULL, NULL);

  offsets = ensure_level_units (self);
  *out_n_units = offsets[level + 1] - offsets[level];
  return self->level_units + offsets[level];
}

char **
jm_funnel_dup_customer_ids_at_level (const JmFunnel *self,
                                     guint           level)
{
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  const guint32 *at_level;
  guint n_units;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (level <= self->n_steps, NULL);

  seen = g_hash_table_new (NULL, NULL);
  ids = g_ptr_array_new ();
  at_level = jm_funnel_get_units_at_level (self, level, &n_units);
  for (guint i = 0; i < n_units; i++)
    {
      guint32 customer = self->unit_customer[at_level[i]];

      if (g_hash_table_add (seen, GUINT_TO_POINTER (customer + 1)))
        g_ptr_array_add (ids, g_strdup (jm_event_log_get_customer_id (self->log, customer)));
    }
  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

static void
add_summary (JsonBuilder             *builder,
             const char              *median,
             const char              *mean,
             const char              *p90,
             gboolean                 has_times,
             const JmDurationSummary *summary)
{
  json_builder_set_member_name (builder, median);
  if (has_times)
    json_builder_add_double_value (builder, summary->median);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, mean);
  if (has_times)
    json_builder_add_double_value (builder, summary->mean);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, p90);
  if (has_times)
    json_builder_add_double_value (builder, summary->p90);
  else
    json_builder_add_null_value (builder);
}

static void
add_steps (JsonBuilder        *builder,
           const JmFunnelStep *steps,
           guint               n_steps)
{
  json_builder_begin_array (builder);
  for (guint j = 0; j < n_steps; j++)
    {
      const JmFunnelStep *step = &steps[j];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, step->name);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, step->count);
      json_builder_set_member_name (builder, "conversion_from_start");
      json_builder_add_double_value (builder, step->conversion_from_start);
      json_builder_set_member_name (builder, "conversion_from_previous");
      json_builder_add_double_value (builder, step->conversion_from_previous);
      add_summary (builder, "median_seconds_from_previous", "mean_seconds_from_previous",
                   "p90_seconds_from_previous", step->has_times, &step->from_previous);
      add_summary (builder, "median_seconds_from_start", "mean_seconds_from_start",
                   "p90_seconds_from_start", step->has_times, &step->from_start);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
jm_funnel_to_json (const JmFunnel *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, jm_unit_kind_to_string (self->unit));
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, jm_funnel_mode_to_string (self->mode));
  json_builder_set_member_name (builder, "window_seconds");
  json_builder_add_double_value (builder, (gdouble) self->window_ms / 1000.0);
  json_builder_set_member_name (builder, "units");
  json_builder_add_int_value (builder, self->n_units);
  json_builder_set_member_name (builder, "steps");
  add_steps (builder, self->steps, self->n_steps);

  json_builder_set_member_name (builder, "breakdown");
  json_builder_begin_array (builder);
  for (guint g = 0; g < self->n_groups; g++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, self->group_values[g]);
      json_builder_set_member_name (builder, "steps");
      add_steps (builder, &self->group_steps[g * self->n_steps], self->n_steps);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
format_time (gboolean has_times,
             gdouble  seconds)
{
  return has_times ? jm_stats_format_double (seconds) : NULL;
}

static void
add_table_rows (JmTable            *table,
                const char         *value,
                gboolean            with_value,
                const JmFunnelStep *steps,
                guint               n_steps)
{
  for (guint j = 0; j < n_steps; j++)
    {
      const JmFunnelStep *step = &steps[j];
      char *cells[13];
      guint c = 0;

      if (with_value)
        cells[c++] = g_strdup (value);
      cells[c++] = g_strdup_printf ("%u", j + 1);
      cells[c++] = g_strdup (step->name);
      cells[c++] = g_strdup_printf ("%" G_GUINT64_FORMAT, step->count);
      cells[c++] = jm_stats_format_double (step->conversion_from_start);
      cells[c++] = jm_stats_format_double (step->conversion_from_previous);
      cells[c++] = format_time (step->has_times, step->from_previous.median);
      cells[c++] = format_time (step->has_times, step->from_previous.mean);
      cells[c++] = format_time (step->has_times, step->from_previous.p90);
      cells[c++] = format_time (step->has_times, step->from_start.median);
      cells[c++] = format_time (step->has_times, step->from_start.mean);
      cells[c++] = format_time (step->has_times, step->from_start.p90);
      jm_table_add_row (table, cells);
    }
}

JmTable *
jm_funnel_to_table (const JmFunnel *self)
{
  static const char * const columns[] = {
    "value", "step", "name", "count", "conversion_from_start", "conversion_from_previous",
    "median_seconds_from_previous", "mean_seconds_from_previous", "p90_seconds_from_previous",
    "median_seconds_from_start", "mean_seconds_from_start", "p90_seconds_from_start", NULL
  };
  gboolean with_value;
  JmTable *table;

  g_return_val_if_fail (self != NULL, NULL);

  with_value = self->breakdown != NULL;
  table = jm_table_new (with_value ? columns : columns + 1);
  add_table_rows (table, NULL, with_value, self->steps, self->n_steps);
  for (guint g = 0; g < self->n_groups; g++)
    add_table_rows (table, self->group_values[g], with_value,
                    &self->group_steps[g * self->n_steps], self->n_steps);

  return table;
}
