/* jm-path-flow.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "jm-table.h"
#include "jm-units.h"

G_BEGIN_DECLS

/* JmPathFlow: the paths from or to an anchor event, step by step, as drawn by a Sankey
 * diagram (DESIGN §5 "Paths").
 *
 * Each unit's names are first rewritten by the cleaning rules (in order), then the excluded
 * names removed, then consecutive repeats collapsed (when asked; a run keeps its first event,
 * and so its time); the anchor and the exclusions are compared with the rewritten names. An
 * event whose name is rewritten to "" is removed like an excluded one.
 *
 * With a start anchor, a unit's first occurrence of the anchor is step 1 and the following
 * events steps 2…S; with an end anchor, its last occurrence is step S and the events before it
 * steps S-1 down to 1, so a short history starts at a higher step. Only units containing the
 * anchor count.
 *
 * Folding (top N): per step, the N nodes with the largest count are kept (ties: the smaller
 * name first) and the others merged into one node "Other" at that step, whose links continue;
 * a step with at most N nodes is left alone. The merged node's count, dropoff and entries are
 * sums (a unit is at one node per step), links are re-aggregated and their medians computed
 * over the durations of every underlying transition. A real event called "Other" is not told
 * apart from the merged node at a step where folding happens: they are one node.
 *
 * Nodes are ordered by step, then count (descending), then name; links by step, then count
 * (descending), then source, then target.
 */

#define JM_PATH_FLOW_OTHER "Other"
#define JM_PATH_FLOW_DEFAULT_STEPS 5
#define JM_PATH_FLOW_DEFAULT_TOP 10

typedef enum
{
  JM_PATH_ANCHOR_START,
  JM_PATH_ANCHOR_END,
} JmPathAnchor;

/* Everything borrowed: the caller keeps the strings alive during jm_path_flow_compute(). */
typedef struct
{
  JmPathAnchor        anchor;
  const char         *event;             /* the anchor event */
  guint               steps;             /* S ≥ 1, counted including the anchor */
  guint               top;               /* nodes kept per step; 0 = all */
  gboolean            collapse_repeats;
  const char * const *exclude;           /* NULL-terminated, or NULL */
  /* NULL-terminated "REGEX=REPLACEMENT" rules, or NULL. The rule splits at its last '=' that
   * is not escaped by a backslash: a regex may contain '=' freely (lookaheads, `\?id=\d+`),
   * a replacement writes '=' as `\=`. The replacement is GRegex's (`\0`, `\1`, `\g<name>`).
   * Every match of a rule is replaced, and the rules apply one after the other.
   */
  const char * const *clean;
} JmPathFlowOptions;

typedef struct
{
  guint       step;        /* 1 … S */
  const char *name;
  guint64     count;       /* units at this node */
  guint64     dropoff;     /* start anchor: units whose last event this is */
  guint64     entries;     /* end anchor: units whose shown path begins here */
} JmPathFlowNode;

typedef struct
{
  guint       step;        /* the source's step */
  const char *source;
  const char *target;
  guint64     count;
  gdouble     median_seconds;
} JmPathFlowLink;

typedef struct _JmPathFlow JmPathFlow;

/* Defaults: start anchor, no event, 5 steps, top 10, no exclusions or rules. */
void                   jm_path_flow_options_init       (JmPathFlowOptions        *options);

/* Fails with JM_ANALYSIS_ERROR_INVALID_OPTION for a missing anchor, steps < 1, or a cleaning
 * rule that has no '=' or whose regex or replacement GRegex refuses (the message names the
 * rule). An anchor that no event has gives an empty result.
 */
JmPathFlow            *jm_path_flow_compute            (const JmUnits            *units,
                                                        const JmPathFlowOptions  *options,
                                                        GError                  **error);
void                   jm_path_flow_free               (JmPathFlow               *self);

JmUnitKind             jm_path_flow_get_unit           (const JmPathFlow         *self);
JmPathAnchor           jm_path_flow_get_anchor         (const JmPathFlow         *self);
const char            *jm_path_flow_get_anchor_event   (const JmPathFlow         *self);
guint                  jm_path_flow_get_steps          (const JmPathFlow         *self);
/* Units containing the anchor. */
guint64                jm_path_flow_get_n_units        (const JmPathFlow         *self);
guint                  jm_path_flow_get_n_nodes        (const JmPathFlow         *self);
const JmPathFlowNode  *jm_path_flow_get_node           (const JmPathFlow         *self,
                                                        guint                     index);
guint                  jm_path_flow_get_n_links        (const JmPathFlow         *self);
const JmPathFlowLink  *jm_path_flow_get_link           (const JmPathFlow         *self,
                                                        guint                     index);

/* `{"unit","anchor":{"start":E}|{"end":E},"steps":S,"units":N,
 *   "nodes":[{"step","name","count","dropoff","entries"}],
 *   "links":[{"step","source","target","count","median_seconds"}]}` (DESIGN §12).
 */
JsonNode              *jm_path_flow_to_json            (const JmPathFlow         *self);
/* `--format csv`: one row per link, columns step,source,target,count,median_seconds (the
 * links carry the flow); the nodes are a second table.
 */
JmTable               *jm_path_flow_to_table           (const JmPathFlow         *self);
/* One row per node: step,name,count,dropoff,entries. */
JmTable               *jm_path_flow_nodes_to_table     (const JmPathFlow         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmPathFlow, jm_path_flow_free)

G_END_DECLS
