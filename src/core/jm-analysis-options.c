/* jm-analysis-options.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-analysis"

#include "config.h"

#include <string.h>

#include "jm-analysis-error.h"
#include "jm-analysis-options.h"
#include "jm-segment.h"
#include "jm-time.h"

typedef enum
{
  OPTION_STRING,     /* one value; given again, the last one counts */
  OPTION_INT,        /* one value, a whole number */
  OPTION_FLAG,       /* on or off */
  OPTION_REPEATED,   /* every value counts, in order */
} OptionType;

#define ALL_KINDS ((1u << (JM_ANALYSIS_INSIGHTS + 1)) - 1)
#define KIND(k) (1u << (k))

typedef struct
{
  const char *name;
  OptionType  type;
  guint       kinds;   /* bit mask of JmAnalysisKind */
} OptionInfo;

static const OptionInfo option_infos[] = {
  { "from", OPTION_STRING, ALL_KINDS },
  { "to", OPTION_STRING, ALL_KINDS },
  { "where", OPTION_STRING, ALL_KINDS },
  { "segment", OPTION_STRING, ALL_KINDS },
  { "per", OPTION_STRING, ALL_KINDS },
  { "session-gap", OPTION_STRING, ALL_KINDS },
  { "start", OPTION_STRING, KIND (JM_ANALYSIS_PATHS) },
  { "end", OPTION_STRING, KIND (JM_ANALYSIS_PATHS) },
  { "steps", OPTION_INT, KIND (JM_ANALYSIS_PATHS) },
  { "top", OPTION_INT, KIND (JM_ANALYSIS_PATHS) },
  { "collapse-repeats", OPTION_FLAG, KIND (JM_ANALYSIS_PATHS) },
  { "exclude", OPTION_REPEATED, KIND (JM_ANALYSIS_PATHS) | KIND (JM_ANALYSIS_FUNNEL) },
  { "clean", OPTION_REPEATED, KIND (JM_ANALYSIS_PATHS) },
  { "step", OPTION_REPEATED, KIND (JM_ANALYSIS_FUNNEL) | KIND (JM_ANALYSIS_INSIGHTS) },
  { "window", OPTION_STRING, KIND (JM_ANALYSIS_FUNNEL) },
  { "mode", OPTION_STRING, KIND (JM_ANALYSIS_FUNNEL) },
  { "breakdown", OPTION_STRING, KIND (JM_ANALYSIS_FUNNEL) },
  { "cohort-event", OPTION_STRING, KIND (JM_ANALYSIS_RETENTION) },
  { "return-event", OPTION_STRING, KIND (JM_ANALYSIS_RETENTION) },
  { "period", OPTION_STRING, KIND (JM_ANALYSIS_RETENTION) },
  { "periods", OPTION_INT, KIND (JM_ANALYSIS_RETENTION) },
  { "unbounded", OPTION_FLAG, KIND (JM_ANALYSIS_RETENTION) },
  { "conversion", OPTION_STRING, KIND (JM_ANALYSIS_ATTRIBUTION) | KIND (JM_ANALYSIS_INSIGHTS) },
  { "lookback", OPTION_STRING, KIND (JM_ANALYSIS_ATTRIBUTION) },
  { "revenue-property", OPTION_STRING, KIND (JM_ANALYSIS_ATTRIBUTION) },
  { "segment-field", OPTION_REPEATED, KIND (JM_ANALYSIS_INSIGHTS) },
};

static const char * const kind_names[] = {
  [JM_ANALYSIS_GRAPH] = "graph",
  [JM_ANALYSIS_PATHS] = "paths",
  [JM_ANALYSIS_FUNNEL] = "funnel",
  [JM_ANALYSIS_RETENTION] = "retention",
  [JM_ANALYSIS_ATTRIBUTION] = "attribution",
  [JM_ANALYSIS_INSIGHTS] = "insights",
};

struct _JmAnalysisOptions
{
  JmAnalysisKind         kind;
  JmAnalysisOptionStyle  style;

  /* option name (static) → GPtrArray of char* values */
  GHashTable            *values;

  gboolean               filter_checked;
  gboolean               checked;
  JmFilter               filter;
  JmWhere               *where;

  /* The parameters of each analysis, made by the checks (strings borrowed from `values`). */
  JmPathFlowOptions      paths;
  JmFunnelOptions        funnel;
  JmRetentionOptions     retention;
  JmAttributionOptions   attribution;
  JmInsightsOptions      insights;
};

struct _JmAnalysisResult
{
  JmAnalysisKind  kind;
  JmEventLog     *log;
  JmWhere        *segment_where;
  GHashTable     *segment_customers;
  JmUnits        *units;

  JmJourneyGraph *graph;
  JmPathFlow     *path_flow;
  JmFunnel       *funnel;
  JmRetention    *retention;
  JmAttribution  *attribution;
  JmInsights     *insights;
};

const char *
jm_analysis_kind_to_string (JmAnalysisKind kind)
{
  g_return_val_if_fail (kind <= JM_ANALYSIS_INSIGHTS, NULL);

  return kind_names[kind];
}

gboolean
jm_analysis_kind_from_string (const char     *text,
                              JmAnalysisKind *out_kind)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_str_equal (text, kind_names[i]))
        {
          *out_kind = (JmAnalysisKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

static const OptionInfo *
lookup_option (JmAnalysisKind  kind,
               const char     *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (option_infos); i++)
    if (g_str_equal (option_infos[i].name, name) && (option_infos[i].kinds & KIND (kind)) != 0)
      return &option_infos[i];

  return NULL;
}

JmAnalysisOptions *
jm_analysis_options_new (JmAnalysisKind        kind,
                         JmAnalysisOptionStyle style)
{
  JmAnalysisOptions *self;

  g_return_val_if_fail (kind <= JM_ANALYSIS_INSIGHTS, NULL);
  g_return_val_if_fail (style <= JM_ANALYSIS_OPTION_STYLE_QUERY, NULL);

  self = g_new0 (JmAnalysisOptions, 1);
  self->kind = kind;
  self->style = style;
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) g_ptr_array_unref);
  jm_filter_init (&self->filter);

  return self;
}

void
jm_analysis_options_free (JmAnalysisOptions *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->where, jm_where_free);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_free (self);
}

JmAnalysisKind
jm_analysis_options_get_kind (const JmAnalysisOptions *self)
{
  g_return_val_if_fail (self != NULL, JM_ANALYSIS_GRAPH);

  return self->kind;
}

gboolean
jm_analysis_options_has_option (const JmAnalysisOptions *self,
                                const char              *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return lookup_option (self->kind, name) != NULL;
}

/* "--name" or "name", as the style names options. */
static char *
option_label (const JmAnalysisOptions *self,
              const char              *name)
{
  if (self->style == JM_ANALYSIS_OPTION_STYLE_COMMAND_LINE)
    return g_strconcat ("--", name, NULL);

  return g_strdup (name);
}

/* "--name META" or "name=META". */
static char *
option_usage (const JmAnalysisOptions *self,
              const char              *name,
              const char              *meta)
{
  if (self->style == JM_ANALYSIS_OPTION_STYLE_COMMAND_LINE)
    return g_strconcat ("--", name, " ", meta, NULL);

  return g_strconcat (name, "=", meta, NULL);
}

static gboolean G_GNUC_PRINTF (2, 3)
invalid_option (GError     **error,
                const char  *format,
                ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (JM_ANALYSIS_ERROR,
                                                JM_ANALYSIS_ERROR_INVALID_OPTION,
                                                format, args));
  va_end (args);

  return FALSE;
}

gboolean
jm_analysis_options_set (JmAnalysisOptions  *self,
                         const char         *name,
                         const char         *value,
                         GError            **error)
{
  const OptionInfo *info;
  GPtrArray *values;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info = lookup_option (self->kind, name);
  if (info == NULL)
    {
      g_autofree char *label = option_label (self, name);

      return invalid_option (error, "%s is not an option of %s", label, kind_names[self->kind]);
    }

  if (info->type == OPTION_FLAG)
    {
      gboolean on;

      if (*value == '\0' || g_str_equal (value, "true") || g_str_equal (value, "1"))
        on = TRUE;
      else if (g_str_equal (value, "false") || g_str_equal (value, "0"))
        on = FALSE;
      else
        {
          g_autofree char *label = option_label (self, name);

          return invalid_option (error, "%s is on or off (true or false), not “%s”",
                                 label, value);
        }

      if (!on)
        {
          g_hash_table_remove (self->values, info->name);
          return TRUE;
        }
      value = "true";
    }

  values = g_hash_table_lookup (self->values, info->name);
  if (values == NULL)
    {
      values = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (values, NULL);
      g_hash_table_insert (self->values, (gpointer) info->name, values);
    }
  else if (info->type != OPTION_REPEATED)
    {
      g_ptr_array_set_size (values, 0);
      g_ptr_array_add (values, NULL);
    }

  /* Kept NULL-terminated, so that repeated options can be handed out as string vectors. */
  values->pdata[values->len - 1] = g_strdup (value);
  g_ptr_array_add (values, NULL);

  self->filter_checked = FALSE;
  self->checked = FALSE;

  return TRUE;
}

const char *
jm_analysis_options_get (const JmAnalysisOptions *self,
                         const char              *name)
{
  GPtrArray *values;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  values = g_hash_table_lookup (self->values, name);
  if (values == NULL || values->len < 2)
    return NULL;

  return g_ptr_array_index (values, values->len - 2);
}

/* The values of a repeated option as a NULL-terminated vector, or NULL when none. */
static const char * const *
get_all (const JmAnalysisOptions *self,
         const char              *name)
{
  GPtrArray *values = g_hash_table_lookup (self->values, name);

  if (values == NULL || values->len < 2)
    return NULL;

  return (const char * const *) values->pdata;
}

static gboolean
get_flag (const JmAnalysisOptions *self,
          const char              *name)
{
  return jm_analysis_options_get (self, name) != NULL;
}

/* The value of a whole-number option, `fallback` when not given. */
static gboolean
get_int (const JmAnalysisOptions  *self,
         const char               *name,
         gint64                    fallback,
         gint64                   *out_value,
         GError                  **error)
{
  const char *text = jm_analysis_options_get (self, name);

  if (text == NULL)
    {
      *out_value = fallback;
      return TRUE;
    }

  if (!g_ascii_string_to_signed (text, 10, G_MININT, G_MAXINT, out_value, NULL))
    {
      g_autofree char *label = option_label (self, name);

      return invalid_option (error, "%s must be a whole number, not “%s”", label, text);
    }

  return TRUE;
}

static gboolean
parse_time_option (const JmAnalysisOptions  *self,
                   const char               *name,
                   gint64                   *out_ms,
                   GError                  **error)
{
  const char *text = jm_analysis_options_get (self, name);
  g_autofree char *label = NULL;

  if (jm_time_parse (text, out_ms) && strchr (text, '-') != NULL)
    return TRUE;

  label = option_label (self, name);
  return invalid_option (error, "%s must be a date (2026-06-01) or an ISO-8601 time, not “%s”",
                         label, text);
}

gboolean
jm_analysis_options_check_filter (JmAnalysisOptions  *self,
                                  GError            **error)
{
  JmFilter *filter;
  const char *per;
  const char *session_gap;
  const char *where;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  filter = &self->filter;
  g_clear_pointer (&self->where, jm_where_free);
  jm_filter_init (filter);
  self->filter_checked = FALSE;
  self->checked = FALSE;

  per = jm_analysis_options_get (self, "per");
  if (per == NULL || g_str_equal (per, "customer"))
    filter->unit = JM_UNIT_CUSTOMER;
  else if (g_str_equal (per, "session"))
    filter->unit = JM_UNIT_SESSION;
  else
    {
      g_autofree char *label = option_label (self, "per");

      return invalid_option (error, "%s must be customer or session, not “%s”", label, per);
    }

  session_gap = jm_analysis_options_get (self, "session-gap");
  if (session_gap != NULL &&
      (!jm_time_parse_duration (session_gap, &filter->session_gap_ms) ||
       filter->session_gap_ms <= 0))
    {
      g_autofree char *label = option_label (self, "session-gap");

      return invalid_option (error, "%s must be a duration such as 30m or 2h, not “%s”",
                             label, session_gap);
    }

  if (jm_analysis_options_get (self, "from") != NULL)
    {
      if (!parse_time_option (self, "from", &filter->from_ms, error))
        return FALSE;
      filter->has_from = TRUE;
    }

  if (jm_analysis_options_get (self, "to") != NULL)
    {
      if (!parse_time_option (self, "to", &filter->to_ms, error))
        return FALSE;
      filter->has_to = TRUE;
    }

  where = jm_analysis_options_get (self, "where");
  if (where != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      self->where = jm_where_parse (where, NULL, &local_error);
      if (self->where == NULL)
        {
          g_autofree char *label = option_label (self, "where");

          return invalid_option (error, "%s: %s", label, local_error->message);
        }
      filter->where = self->where;
    }

  self->filter_checked = TRUE;
  return TRUE;
}

static gboolean
check_paths (JmAnalysisOptions  *self,
             GError            **error)
{
  const char *start = jm_analysis_options_get (self, "start");
  const char *end = jm_analysis_options_get (self, "end");
  gint64 steps, top;

  if ((start == NULL) == (end == NULL))
    {
      g_autofree char *start_usage = option_usage (self, "start", "EVENT");
      g_autofree char *end_usage = option_usage (self, "end", "EVENT");

      return invalid_option (error, "give either %s or %s", start_usage, end_usage);
    }

  if (!get_int (self, "steps", JM_PATH_FLOW_DEFAULT_STEPS, &steps, error))
    return FALSE;
  if (steps < 1 || steps > 1000)
    {
      g_autofree char *label = option_label (self, "steps");

      return invalid_option (error, "%s must be from 1 to 1000", label);
    }

  if (!get_int (self, "top", JM_PATH_FLOW_DEFAULT_TOP, &top, error))
    return FALSE;
  if (top < 0)
    {
      g_autofree char *label = option_label (self, "top");

      return invalid_option (error, "%s must be 0 or more", label);
    }

  jm_path_flow_options_init (&self->paths);
  self->paths.anchor = start != NULL ? JM_PATH_ANCHOR_START : JM_PATH_ANCHOR_END;
  self->paths.event = start != NULL ? start : end;
  self->paths.steps = steps;
  self->paths.top = top;
  self->paths.collapse_repeats = get_flag (self, "collapse-repeats");
  self->paths.exclude = get_all (self, "exclude");
  self->paths.clean = get_all (self, "clean");

  return TRUE;
}

static gboolean
check_funnel (JmAnalysisOptions  *self,
              GError            **error)
{
  const char * const *steps = get_all (self, "step");
  const char *window = jm_analysis_options_get (self, "window");
  const char *mode = jm_analysis_options_get (self, "mode");

  jm_funnel_options_init (&self->funnel);

  if (steps == NULL || g_strv_length ((char **) steps) < 2)
    {
      g_autofree char *usage = option_usage (self, "step", "EVENT");

      return invalid_option (error, "a funnel needs at least two %s", usage);
    }

  if (window != NULL && !jm_time_parse_duration (window, &self->funnel.window_ms))
    {
      g_autofree char *label = option_label (self, "window");

      return invalid_option (error, "%s must be a duration such as 14d or 12h, not “%s”",
                             label, window);
    }

  if (mode != NULL && !jm_funnel_mode_from_string (mode, &self->funnel.mode))
    {
      g_autofree char *label = option_label (self, "mode");

      return invalid_option (error, "%s must be ordered, strict or any, not “%s”", label, mode);
    }

  self->funnel.steps = steps;
  self->funnel.exclude = get_all (self, "exclude");
  self->funnel.breakdown = jm_analysis_options_get (self, "breakdown");

  return TRUE;
}

static gboolean
check_retention (JmAnalysisOptions  *self,
                 GError            **error)
{
  const char *cohort_event = jm_analysis_options_get (self, "cohort-event");
  const char *return_event = jm_analysis_options_get (self, "return-event");
  const char *period = jm_analysis_options_get (self, "period");
  gint64 periods;

  jm_retention_options_init (&self->retention);

  if (cohort_event == NULL || return_event == NULL)
    {
      g_autofree char *cohort_label = option_label (self, "cohort-event");
      g_autofree char *return_label = option_label (self, "return-event");

      return invalid_option (error, "%s and %s are required", cohort_label, return_label);
    }

  if (period != NULL && !jm_retention_period_from_string (period, &self->retention.period))
    {
      g_autofree char *label = option_label (self, "period");

      return invalid_option (error, "%s must be day, week or month, not “%s”", label, period);
    }

  if (!get_int (self, "periods", 8, &periods, error))
    return FALSE;
  if (periods < 1 || periods > 1000)
    {
      g_autofree char *label = option_label (self, "periods");

      return invalid_option (error, "%s must be from 1 to 1000", label);
    }

  self->retention.cohort_event = cohort_event;
  self->retention.return_event = return_event;
  self->retention.periods = periods;
  self->retention.unbounded = get_flag (self, "unbounded");

  return TRUE;
}

static gboolean
check_attribution (JmAnalysisOptions  *self,
                   GError            **error)
{
  const char *conversion = jm_analysis_options_get (self, "conversion");
  const char *lookback = jm_analysis_options_get (self, "lookback");
  const char *revenue_property = jm_analysis_options_get (self, "revenue-property");

  jm_attribution_options_init (&self->attribution);

  if (conversion == NULL)
    {
      g_autofree char *usage = option_usage (self, "conversion", "EVENT");

      return invalid_option (error, "%s is required", usage);
    }

  if (lookback != NULL && !jm_time_parse_duration (lookback, &self->attribution.lookback_ms))
    {
      g_autofree char *label = option_label (self, "lookback");

      return invalid_option (error, "%s must be a duration such as 30d, not “%s”",
                             label, lookback);
    }

  if (self->filter.unit == JM_UNIT_SESSION)
    return invalid_option (error, "attribution is per customer: its touchpoints are the sessions");

  self->attribution.conversion_event = conversion;
  self->attribution.session_gap_ms = self->filter.session_gap_ms;
  if (revenue_property != NULL)
    self->attribution.revenue_property = revenue_property;

  return TRUE;
}

static gboolean
check_insights (JmAnalysisOptions  *self,
                GError            **error)
{
  const char * const *steps = get_all (self, "step");

  jm_insights_options_init (&self->insights);

  if (steps != NULL && g_strv_length ((char **) steps) < 2)
    {
      g_autofree char *usage = option_usage (self, "step", "EVENT");

      return invalid_option (error, "give at least two %s, or none", usage);
    }

  self->insights.conversion_event = jm_analysis_options_get (self, "conversion");
  self->insights.funnel_steps = steps;
  self->insights.segment_fields = get_all (self, "segment-field");

  return TRUE;
}

gboolean
jm_analysis_options_check (JmAnalysisOptions  *self,
                           GError            **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->filter_checked && !jm_analysis_options_check_filter (self, error))
    return FALSE;

  switch (self->kind)
    {
    case JM_ANALYSIS_GRAPH:
      break;
    case JM_ANALYSIS_PATHS:
      ok = check_paths (self, error);
      break;
    case JM_ANALYSIS_FUNNEL:
      ok = check_funnel (self, error);
      break;
    case JM_ANALYSIS_RETENTION:
      ok = check_retention (self, error);
      break;
    case JM_ANALYSIS_ATTRIBUTION:
      ok = check_attribution (self, error);
      break;
    case JM_ANALYSIS_INSIGHTS:
      ok = check_insights (self, error);
      break;
    default:
      g_assert_not_reached ();
    }

  self->checked = ok;
  return ok;
}

const JmFilter *
jm_analysis_options_get_filter (const JmAnalysisOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->filter;
}

JmAnalysisResult *
jm_analysis_options_run (const JmAnalysisOptions  *self,
                         JmStore                  *store,
                         gint64                    project,
                         JmEventLog               *log,
                         GCancellable             *cancellable,
                         GError                  **error)
{
  g_autoptr(JmAnalysisResult) result = NULL;
  const char *segment_name;
  JmFilter filter;
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->checked, NULL);
  g_return_val_if_fail (JM_IS_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = g_new0 (JmAnalysisResult, 1);
  result->kind = self->kind;

  /* The segment narrows a copy: the options stay reusable. */
  filter = self->filter;

  segment_name = jm_analysis_options_get (self, "segment");
  if (segment_name != NULL)
    {
      g_autoptr(JmSegment) segment = jm_store_load_segment (store, project, segment_name, error);

      if (segment == NULL ||
          !jm_segment_apply (segment, &filter, &result->segment_where, &result->segment_customers,
                             error))
        return NULL;
    }

  if (log != NULL)
    result->log = jm_event_log_ref (log);
  else
    result->log = jm_event_log_load (store, project, cancellable, error);
  if (result->log == NULL)
    return NULL;

  result->units = jm_units_new (result->log, &filter, error);
  if (result->units == NULL)
    return NULL;

  switch (self->kind)
    {
    case JM_ANALYSIS_GRAPH:
      result->graph = jm_journey_graph_compute (result->units);
      break;
    case JM_ANALYSIS_PATHS:
      result->path_flow = jm_path_flow_compute (result->units, &self->paths, error);
      ok = result->path_flow != NULL;
      break;
    case JM_ANALYSIS_FUNNEL:
      result->funnel = jm_funnel_compute (result->units, &self->funnel, error);
      ok = result->funnel != NULL;
      break;
    case JM_ANALYSIS_RETENTION:
      result->retention = jm_retention_compute (result->units, &self->retention,
                                                jm_retention_data_end_ms (result->log, &filter),
                                                error);
      ok = result->retention != NULL;
      break;
    case JM_ANALYSIS_ATTRIBUTION:
      result->attribution = jm_attribution_compute (result->units, &self->attribution, error);
      ok = result->attribution != NULL;
      break;
    case JM_ANALYSIS_INSIGHTS:
      result->insights = jm_insights_compute (result->units, &self->insights, error);
      ok = result->insights != NULL;
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return NULL;

  return g_steal_pointer (&result);
}

void
jm_analysis_result_free (JmAnalysisResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->graph, jm_journey_graph_free);
  g_clear_pointer (&result->path_flow, jm_path_flow_free);
  g_clear_pointer (&result->funnel, jm_funnel_free);
  g_clear_pointer (&result->retention, jm_retention_free);
  g_clear_pointer (&result->attribution, jm_attribution_free);
  g_clear_pointer (&result->insights, jm_insights_free);
  g_clear_pointer (&result->units, jm_units_free);
  g_clear_pointer (&result->segment_where, jm_where_free);
  g_clear_pointer (&result->segment_customers, g_hash_table_unref);
  g_clear_pointer (&result->log, jm_event_log_unref);
  g_free (result);
}

JmAnalysisKind
jm_analysis_result_get_kind (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, JM_ANALYSIS_GRAPH);

  return result->kind;
}

JmEventLog *
jm_analysis_result_get_log (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->log;
}

const JmUnits *
jm_analysis_result_get_units (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->units;
}

JmJourneyGraph *
jm_analysis_result_get_graph (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->graph;
}

JmPathFlow *
jm_analysis_result_get_path_flow (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->path_flow;
}

JmFunnel *
jm_analysis_result_get_funnel (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->funnel;
}

JmRetention *
jm_analysis_result_get_retention (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->retention;
}

JmAttribution *
jm_analysis_result_get_attribution (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->attribution;
}

JmInsights *
jm_analysis_result_get_insights (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->insights;
}

JsonNode *
jm_analysis_result_to_json (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  switch (result->kind)
    {
    case JM_ANALYSIS_GRAPH:
      return jm_journey_graph_to_json (result->graph);
    case JM_ANALYSIS_PATHS:
      return jm_path_flow_to_json (result->path_flow);
    case JM_ANALYSIS_FUNNEL:
      return jm_funnel_to_json (result->funnel);
    case JM_ANALYSIS_RETENTION:
      return jm_retention_to_json (result->retention);
    case JM_ANALYSIS_ATTRIBUTION:
      return jm_attribution_to_json (result->attribution);
    case JM_ANALYSIS_INSIGHTS:
      return jm_insights_to_json (result->insights);
    default:
      g_assert_not_reached ();
    }
}

JmTable *
jm_analysis_result_to_table (const JmAnalysisResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  switch (result->kind)
    {
    case JM_ANALYSIS_GRAPH:
      return jm_journey_graph_to_table (result->graph);
    case JM_ANALYSIS_PATHS:
      return jm_path_flow_to_table (result->path_flow);
    case JM_ANALYSIS_FUNNEL:
      return jm_funnel_to_table (result->funnel);
    case JM_ANALYSIS_RETENTION:
      return jm_retention_to_table (result->retention);
    case JM_ANALYSIS_ATTRIBUTION:
      return jm_attribution_to_table (result->attribution);
    case JM_ANALYSIS_INSIGHTS:
      return jm_insights_to_table (result->insights);
    default:
      g_assert_not_reached ();
    }
}
