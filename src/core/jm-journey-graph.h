/* jm-journey-graph.h
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

/* JmJourneyGraph: the directly-follows graph of the units' journeys (DESIGN §5 "Journey
 * graph"). A node per journey name; an edge a→b for every pair of consecutive events of a unit,
 * self-loops included, with the median time between them; and the virtual edges START→first
 * and last→END of every unit, whose median is null. START and END are edge ends only.
 *
 * Nodes are ordered by events (descending), then name; edges by count (descending), then
 * source, then target (names compared bytewise, START/END by their text).
 */

#define JM_JOURNEY_GRAPH_START "START"
#define JM_JOURNEY_GRAPH_END "END"

typedef struct
{
  const char *name;
  guint64     events;   /* occurrences */
  guint64     units;    /* units having it at least once */
} JmJourneyGraphNode;

typedef struct
{
  const char *source;           /* a name, or JM_JOURNEY_GRAPH_START */
  const char *target;           /* a name, or JM_JOURNEY_GRAPH_END */
  gboolean    source_is_start;  /* the virtual START (a real event may be called "START") */
  gboolean    target_is_end;
  guint64     count;
  gboolean    has_median;       /* FALSE for the virtual edges */
  gdouble     median_seconds;
} JmJourneyGraphEdge;

typedef struct _JmJourneyGraph JmJourneyGraph;

JmJourneyGraph           *jm_journey_graph_compute         (const JmUnits        *units);
void                      jm_journey_graph_free            (JmJourneyGraph       *self);

JmUnitKind                jm_journey_graph_get_unit        (const JmJourneyGraph *self);
/* The `units` and `events` of the JSON: units with at least one event, and their events. */
guint64                   jm_journey_graph_get_n_units     (const JmJourneyGraph *self);
guint64                   jm_journey_graph_get_n_events    (const JmJourneyGraph *self);
guint                     jm_journey_graph_get_n_nodes     (const JmJourneyGraph *self);
const JmJourneyGraphNode *jm_journey_graph_get_node        (const JmJourneyGraph *self,
                                                            guint                 index);
guint                     jm_journey_graph_get_n_edges     (const JmJourneyGraph *self);
const JmJourneyGraphEdge *jm_journey_graph_get_edge        (const JmJourneyGraph *self,
                                                            guint                 index);

/* `{"unit","units","events","nodes":[{"name","events","units"}],
 *   "edges":[{"source","target","count","median_seconds"}]}` (DESIGN §12).
 */
JsonNode                 *jm_journey_graph_to_json         (const JmJourneyGraph *self);
/* `--format csv`: one row per edge, columns source,target,count,median_seconds (empty for
 * the virtual edges). The edges carry the graph; the nodes are a second table.
 */
JmTable                  *jm_journey_graph_to_table        (const JmJourneyGraph *self);
/* One row per node: name,events,units. */
JmTable                  *jm_journey_graph_nodes_to_table  (const JmJourneyGraph *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmJourneyGraph, jm_journey_graph_free)

G_END_DECLS
