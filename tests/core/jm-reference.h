/* jm-reference.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "jm-event-log.h"
#include "jm-units.h"

G_BEGIN_DECLS

/* Deliberately simple reference implementations of the journey graph, paths and funnels,
 * for the tests to compare the optimized analyses with. They share no code with them: they
 * work on plain per-unit lists of named events, key everything by strings, sort instead of
 * selecting, and try every chain instead of being clever. Each returns the JSON document of
 * DESIGN §12, so that the comparison covers every number and the order of everything.
 *
 * Also here: random logs for the property tests, a log from a compact text, and a JSON
 * comparison.
 */

typedef struct
{
  const char *name;
  gint64      ts;        /* ms */
  const char *value;     /* the breakdown field's text at this event, NULL when missing */
} JmRefEvent;

typedef struct
{
  const char *customer;
  JmRefEvent *events;    /* in sequence order */
  guint       n_events;
} JmRefUnit;

typedef struct
{
  gboolean            end_anchor;
  const char         *event;
  guint               steps;
  guint               top;
  gboolean            collapse_repeats;
  const char * const *exclude;
  const char * const *clean;
} JmRefPathOptions;

typedef struct
{
  const char * const *steps;
  const char         *mode;        /* "ordered", "strict", "any" */
  gint64              window_ms;
  const char * const *exclude;
  gboolean            breakdown;   /* by JmRefEvent.value */
} JmRefFunnelOptions;

JsonNode *jm_ref_graph   (const JmRefUnit          *units,
                          guint                     n_units,
                          const char               *unit_kind);
JsonNode *jm_ref_paths   (const JmRefUnit          *units,
                          guint                     n_units,
                          const char               *unit_kind,
                          const JmRefPathOptions   *options);
/* out_levels, if given, receives each unit's level. */
JsonNode *jm_ref_funnel  (const JmRefUnit          *units,
                          guint                     n_units,
                          const char               *unit_kind,
                          const JmRefFunnelOptions *options,
                          guint                    *out_levels);

/* A random log and its units, drawn from `rand`: a few customers, names from `alphabet`,
 * timestamps with many ties, events added in random arrival order, and a "properties.plan"
 * on some events. With sessions, units split at gaps over `session_gap_ms`.
 */
typedef struct
{
  JmEventLog *log;
  JmUnits    *units;
  JmRefUnit  *ref_units;
  guint       n_ref_units;
  gboolean    sessions;
  GPtrArray  *strings;   /* owned strings the ref units point to */
} JmRefLog;

JmRefLog *jm_ref_log_new_random (GRand              *rand,
                                 const char * const *alphabet,
                                 guint               max_events,
                                 gboolean            sessions,
                                 gint64              session_gap_ms);
/* A large random log: about n_events events over customers of about six events each, spread
 * over a month, for the analyses' two-thread path.
 */
JmRefLog *jm_ref_log_new_random_large (GRand              *rand,
                                       const char * const *alphabet,
                                       guint               n_events);
/* A log from lines "CUSTOMER SECONDS NAME [PLAN]" separated by ';' or newlines, added in that
 * order (their arrival order). SECONDS may have a fraction ("1.5"). PLAN sets
 * "properties.plan" (a string; "-" for none).
 */
JmRefLog *jm_ref_log_new_parse  (const char         *text,
                                 gboolean            sessions,
                                 gint64              session_gap_ms);
void      jm_ref_log_free       (JmRefLog           *self);

/* The unit's customer id and first timestamp, "CUSTOMER@TS", which identifies a unit in
 * both the JmUnits and the reference.
 */
char     *jm_ref_unit_key       (const JmUnits      *units,
                                 guint32             unit);

/* Compares two JSON documents: same members, same order of array elements, integers equal,
 * doubles within 1e-9 relative. On a difference returns FALSE and sets out_where to its path.
 */
gboolean  jm_ref_json_equal     (JsonNode           *a,
                                 JsonNode           *b,
                                 char              **out_where);
char     *jm_ref_json_to_string (JsonNode           *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmRefLog, jm_ref_log_free)

G_END_DECLS
