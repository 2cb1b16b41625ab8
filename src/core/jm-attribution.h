/* jm-attribution.h
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

/* Multi-touch attribution (DESIGN §5 "Attribution", §6 "Channels", §12 `analyze attribution`).
 *
 * Attribution is always per customer. Units built with --per session are refused
 * (JM_ANALYSIS_ERROR_INVALID_OPTION): a session unit has exactly one touchpoint, so every model
 * would degenerate into last touch.
 *
 * Touchpoints: a customer's (filtered) events are split into sessions wherever the gap between
 * consecutive events exceeds `session_gap_ms`; each session start is a touchpoint whose channel
 * is the touch of the session's first event, "Direct" when it has none (a touch spelled
 * "Direct" is the same channel). The channels reported, in strcmp order of their names, are
 * those that start a session somewhere, plus Direct when it takes a conversion without
 * touchpoint.
 *
 * Conversions: every occurrence of the conversion event counts. Its touchpoints are the
 * customer's session starts at or before it in sequence order with
 * conversion_ts - touchpoint_ts <= lookback_ms (a touchpoint exactly one lookback before still
 * counts; the session holding the conversion is one of them unless it began more than a
 * lookback earlier). A touchpoint can be credited for several conversions. A conversion with no
 * touchpoint in the window is credited wholly to "Direct" in every model that uses the window
 * (all but markov, whose paths have no lookback and always hold at least the conversion's own
 * session, so it never meets an empty path).
 *
 * Models, for touchpoints t_1 … t_n (oldest first) of one conversion:
 *   first_touch     t_1 gets 1
 *   last_touch      t_n gets 1
 *   linear          1/n each
 *   time_decay      weights 2^(-(conversion_ts - t_i)/half_life), normalised to 1
 *   position_based  40% t_1, 40% t_n, 20% shared by the others; n = 1: 100%; n = 2: 50/50
 *   markov          first-order Markov chain with states START, the channels, CONVERSION and
 *                   NULL over the paths: for each conversion, the channels of all the
 *                   customer's session starts from the beginning of the data up to it (no
 *                   lookback: DESIGN's "channel path up to each conversion"); for a customer
 *                   without conversion, the channels of all its sessions, ending in NULL.
 *                   Converters' sessions after their last conversion are not a path.
 *                   P(conversion) is solved exactly from the absorbing chain (a linear solve,
 *                   not a simulation); the removal effect of channel c is
 *                   1 - P(conversion with c removed) / P(conversion), where removing c sends
 *                   every transition into c to NULL. Repeated channels are kept (self-loops
 *                   do not change absorption probabilities). The conversions are shared in
 *                   proportion to the removal effects.
 * Each model's credits sum to the number of conversions.
 *
 * Revenue: the conversion event's revenue property (JSON numbers only; a missing or
 * non-numeric value is 0). Each model's revenue credit shares each conversion's revenue with the
 * same weights as its conversion credit (markov: the total revenue in proportion to the removal
 * effects), so each model's revenue credits sum to the revenue.
 */

typedef enum
{
  JM_ATTRIBUTION_FIRST_TOUCH,
  JM_ATTRIBUTION_LAST_TOUCH,
  JM_ATTRIBUTION_LINEAR,
  JM_ATTRIBUTION_TIME_DECAY,
  JM_ATTRIBUTION_POSITION_BASED,
  JM_ATTRIBUTION_MARKOV,
  JM_ATTRIBUTION_N_MODELS
} JmAttributionModel;

#define JM_ATTRIBUTION_DEFAULT_LOOKBACK_MS   (G_GINT64_CONSTANT (30) * 24 * 60 * 60 * 1000)
#define JM_ATTRIBUTION_DEFAULT_HALF_LIFE_MS  (G_GINT64_CONSTANT (7) * 24 * 60 * 60 * 1000)
#define JM_ATTRIBUTION_DEFAULT_REVENUE       "properties.revenue"
#define JM_ATTRIBUTION_DIRECT                "Direct"

typedef struct
{
  const char *conversion_event;  /* journey name */
  gint64      lookback_ms;       /* default 30 days; >= 0 */
  /* "revenue", "properties.revenue" or any event field path ("context.…"); a bare name is a
   * property. Default "properties.revenue".
   */
  const char *revenue_property;
  gint64      session_gap_ms;    /* the filter's session gap; default 30 minutes */
  gint64      half_life_ms;      /* time decay; default 7 days; > 0 */
} JmAttributionOptions;

typedef struct
{
  char   *channel;
  double  credit[JM_ATTRIBUTION_N_MODELS];    /* conversions credited */
  double  revenue[JM_ATTRIBUTION_N_MODELS];   /* revenue credited */
  double  removal_effect;                     /* markov removal effect, 0 … 1 */
} JmAttributionChannel;

typedef struct
{
  char                 *conversion_event;
  char                 *revenue_property;   /* full field path */
  gint64                lookback_ms;
  gint64                conversions;
  double                revenue;
  double                conversion_probability;  /* markov P(conversion) from START */
  guint                 n_channels;
  JmAttributionChannel *channels;   /* by name; every channel that is a touchpoint somewhere */
} JmAttribution;

void                jm_attribution_options_init     (JmAttributionOptions        *options);
/* "first_touch", "last_touch", "linear", "time_decay", "position_based", "markov". */
const char         *jm_attribution_model_to_string  (JmAttributionModel           model);

/* One pass over the units (which must be per customer). A conversion event that no event has
 * is not an error: nothing converts. Fails with JM_ANALYSIS_ERROR_INVALID_OPTION when the units
 * are sessions, an option is out of range or the revenue property is not a field name,
 * JM_ANALYSIS_ERROR_FAILED when the revenue field cannot be read from the workspace.
 */
JmAttribution      *jm_attribution_compute          (const JmUnits               *units,
                                                     const JmAttributionOptions  *options,
                                                     GError                     **error);
void                jm_attribution_free             (JmAttribution               *self);

/* The §12 document: {"unit":"customer","conversion_event","lookback_seconds",
 * "revenue_property","conversions","revenue","channels":[{"channel","first_touch",…,
 * "markov"}],"revenue_credit":[{"channel","first_touch",…,"markov"}]}: revenue_credit has the
 * same channels in the same order, its model fields being revenue amounts. ("unit" and
 * "revenue_property" are additions to §12.)
 */
JsonNode           *jm_attribution_to_json          (const JmAttribution         *self);
/* One row per channel: channel, the six conversion credits, then the six revenue credits as
 * revenue_first_touch … revenue_markov.
 */
JmTable            *jm_attribution_to_table         (const JmAttribution         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmAttribution, jm_attribution_free)

G_END_DECLS
