/* jm-analysis-options.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "jm-analysis-error.h"
#include "jm-attribution.h"
#include "jm-funnel.h"
#include "jm-insights.h"
#include "jm-journey-graph.h"
#include "jm-path-flow.h"
#include "jm-retention.h"
#include "jm-table.h"
#include "jm-units.h"

G_BEGIN_DECLS

/* JmAnalysisOptions: the options of one analysis (DESIGN §11), given as name/value pairs with
 * the names of the command-line options without their dashes ("from", "where", "per",
 * "session-gap", "start", "steps", "step", …), and turned into the filter and the parameters of
 * the analysis with the command line's checks and messages. The command line (`analyze`,
 * `insights`) and the listener's read API (DESIGN §4) share this one path, so the same options
 * give the same JSON everywhere.
 *
 * Options are only stored by jm_analysis_options_set(); jm_analysis_options_check_filter()
 * checks the options every analysis takes, jm_analysis_options_check() the rest (in the order
 * the command line has always reported them). Every problem is a JM_ANALYSIS_ERROR_INVALID_OPTION
 * whose message names the option and the value given.
 */

typedef enum
{
  JM_ANALYSIS_GRAPH,
  JM_ANALYSIS_PATHS,
  JM_ANALYSIS_FUNNEL,
  JM_ANALYSIS_RETENTION,
  JM_ANALYSIS_ATTRIBUTION,
  JM_ANALYSIS_INSIGHTS,
} JmAnalysisKind;

/* How messages name the options: "--steps", "--start EVENT" on the command line; "steps",
 * "start=EVENT" for URL query parameters.
 */
typedef enum
{
  JM_ANALYSIS_OPTION_STYLE_COMMAND_LINE,
  JM_ANALYSIS_OPTION_STYLE_QUERY,
} JmAnalysisOptionStyle;

typedef struct _JmAnalysisOptions JmAnalysisOptions;
typedef struct _JmAnalysisResult JmAnalysisResult;

/* "graph", "paths", "funnel", "retention", "attribution", "insights". */
const char         *jm_analysis_kind_to_string        (JmAnalysisKind                kind);
gboolean            jm_analysis_kind_from_string      (const char                   *text,
                                                       JmAnalysisKind               *out_kind);

JmAnalysisOptions  *jm_analysis_options_new           (JmAnalysisKind                kind,
                                                       JmAnalysisOptionStyle         style);
void                jm_analysis_options_free          (JmAnalysisOptions            *self);
JmAnalysisKind      jm_analysis_options_get_kind      (const JmAnalysisOptions      *self);

/* TRUE when `name` is an option of this analysis (the common ones included). */
gboolean            jm_analysis_options_has_option    (const JmAnalysisOptions      *self,
                                                       const char                   *name);
/* Stores an option. A repeatable option ("step", "exclude", "clean", "segment-field") adds a
 * value; another option given again replaces its value. A flag ("collapse-repeats",
 * "unbounded") takes "", "true", "1", "false" or "0". INVALID_OPTION for an option this
 * analysis does not have, or a flag value that is none of those.
 */
gboolean            jm_analysis_options_set           (JmAnalysisOptions            *self,
                                                       const char                   *name,
                                                       const char                   *value,
                                                       GError                      **error);
/* The value of an option (the last one of a repeatable option), or NULL when not given. */
const char         *jm_analysis_options_get           (const JmAnalysisOptions      *self,
                                                       const char                   *name);

/* Checks from, to, where, per and session-gap and makes the filter. */
gboolean            jm_analysis_options_check_filter  (JmAnalysisOptions            *self,
                                                       GError                      **error);
/* Checks everything (the filter first, unless already checked). */
gboolean            jm_analysis_options_check         (JmAnalysisOptions            *self,
                                                       GError                      **error);
/* The filter made by the checks (without the segment, which is applied by the run). */
const JmFilter     *jm_analysis_options_get_filter    (const JmAnalysisOptions      *self);

/* Runs the checked analysis over `project` of `store`: applies the segment, takes `log` (or,
 * when NULL, loads the project's log through the cache beside the workspace, as
 * jm_event_log_load() does), makes the units and computes. Errors: the segment's (NOT_FOUND
 * of JM_STORE_ERROR for an unknown segment), the log's, and the analysis's own
 * (INVALID_OPTION for options only the data can refute, such as a bad cleaning rule).
 */
JmAnalysisResult   *jm_analysis_options_run           (const JmAnalysisOptions      *self,
                                                       JmStore                      *store,
                                                       gint64                        project,
                                                       JmEventLog                   *log,
                                                       GCancellable                 *cancellable,
                                                       GError                      **error);

void                jm_analysis_result_free           (JmAnalysisResult             *result);
JmAnalysisKind      jm_analysis_result_get_kind       (const JmAnalysisResult       *result);
JmEventLog         *jm_analysis_result_get_log        (const JmAnalysisResult       *result);
const JmUnits      *jm_analysis_result_get_units      (const JmAnalysisResult       *result);
/* The analysis itself; NULL unless the result is of that kind. */
JmJourneyGraph     *jm_analysis_result_get_graph      (const JmAnalysisResult       *result);
JmPathFlow         *jm_analysis_result_get_path_flow  (const JmAnalysisResult       *result);
JmFunnel           *jm_analysis_result_get_funnel     (const JmAnalysisResult       *result);
JmRetention        *jm_analysis_result_get_retention  (const JmAnalysisResult       *result);
JmAttribution      *jm_analysis_result_get_attribution (const JmAnalysisResult      *result);
JmInsights         *jm_analysis_result_get_insights   (const JmAnalysisResult       *result);
/* The JSON of DESIGN §12 and the table of `--format csv`. */
JsonNode           *jm_analysis_result_to_json        (const JmAnalysisResult       *result);
JmTable            *jm_analysis_result_to_table       (const JmAnalysisResult       *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmAnalysisOptions, jm_analysis_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmAnalysisResult, jm_analysis_result_free)

G_END_DECLS
