/* jm-insights.h
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

/* JmInsights: automatic findings about the units' journeys (DESIGN §5 "Insights", §12
 * `insights`). Every finding is a deterministic statistic with the numbers behind it in its
 * evidence and a plain-language recommendation; the same units and options always give the
 * same insights in the same order.
 *
 * Conversion. The conversion event is the option's, or else the most frequent track event
 * whose name matches /order|purchase|checkout.?complete|convert|signup/i (a journey name that
 * starts with "/" is a page, not a track event); without one, the kinds that need conversions
 * are skipped. A unit converts when it has the conversion event; a session converts when the
 * event is one of its events.
 *
 * Sessions. Some kinds look at sessions, because the behaviour they test belongs to a visit (a
 * campaign, a channel, a loop) while a customer's conversion over months mixes many visits, and
 * customers with many visits would look better in every segment. With --per session a session
 * is a unit; with customer units, a unit's events split wherever the gap between consecutive
 * events exceeds the default session gap (30 minutes), as in attribution.
 *
 * Kinds:
 *
 *   funnel_dropoff       The funnel (the option's steps, or else the main path from the most
 *                        frequent entry event — first event of a unit — to the conversion:
 *                        backwards from the conversion, each step's most frequent predecessor
 *                        in the journey graph, self-loops and names already taken aside, until
 *                        the entry event; when that is longer than 6 steps, the entry event and
 *                        the last 5) is computed in ordered mode with the default window.
 *                        Reported: the step with the
 *                        largest share of units lost (among the steps reached by at least
 *                        min_units units, when any is), with the count lost and the median time
 *                        to the next step of those who went on. Descriptive: always reported
 *                        when there is a funnel of at least 2 steps.
 *   segment_difference   For each segment field, each value held by at least min_units (and
 *                        not by all but fewer than min_units) is tested against the other values
 *                        of that field with a two-proportion z-test (pooled, two-sided). traits.*
 *                        fields are per unit (a unit's value and whether it converts); other
 *                        fields per session (the first value the session's events have, and
 *                        whether it converts). Units or sessions without a value take part in
 *                        no test of that field. The field "channel" is the session channel
 *                        (DESIGN §6: the touch of the session's first event, Direct when none)
 *                        and is reported as channel_performance.
 *   channel_performance  The channel tests above.
 *                        The p-values of all segment and channel tests are corrected together
 *                        (Benjamini–Hochberg); a test with q ≤ max_q is reported (at most 10
 *                        per segment field, the largest |z|). The evidence's "units" are
 *                        sessions or units as its "per" says.
 *   converter_event      Per unit: whether a unit had an event before its first conversion
 *                        (converters) or at all (non-converters). Odds ratio with a 95% Woolf
 *                        (logit) interval, 0.5 added to every cell when one is 0. Reported when
 *                        the interval lies above 1, at least 5 converters had the event, and the
 *                        event is neither the conversion nor a funnel step: the
 *                        max_converter_events largest odds ratios.
 *   friction_loop        Per session: back-and-forth a→b→a (a ≠ b) and repeats a→a among
 *                        consecutive events, the conversion event aside. Sessions with the loop
 *                        are compared with the sessions that have the same events (a, and b)
 *                        without it (two-proportion z-test, Benjamini–Hochberg over the loops
 *                        held by at least min_units sessions); reported when the loop's
 *                        sessions convert less and q ≤ max_q.
 *   volume_anomaly       Per UTC day (a first or last day that the data cover only in part —
 *                        they start after its first hour or end before its last — is left out;
 *                        at most the last 3,660 days; at least 7 days needed), three metrics:
 *                        events     the number of events: a spike or a drop.
 *                                   Counts are put on the variance-stabilising Anscombe scale
 *                                   t = 2·√(x + 3/8); a day's usual value is the median of its 6
 *                                   nearest days of the same weekday (of the 6 nearest days with
 *                                   less than three weeks), the day itself left out; the noise σ
 *                                   is estimated from the differences t(d) − t(d − 7) (or
 *                                   t(d) − t(d − 1)), which hold neither the weekly pattern nor
 *                                   much trend: MAD/0.6745 — or, when larger, the standard
 *                                   deviation of their middle 80%, steadier over a few weeks —
 *                                   divided by √2, and at least 1 (Poisson noise). z = (t − usual)
 *                                   / (σ·√(1 + π/2k)), k the days of the median: the last
 *                                   factor is the noise of the median itself. |z| ≥ anomaly_z
 *                                   is reported.
 *                        conversions  the number of conversion events: a drop, when that count
 *                                   has z ≤ −anomaly_z as above and the day's share of
 *                                   converting sessions has too (a day of fewer visits, or of
 *                                   many extra visitors who do not buy, is no breakage), and the
 *                                   median day has at least 3 conversions.
 *                        step_conversion  per funnel step k → k+1, the share of the day's
 *                                   sessions reaching step k that go on to step k+1 in the same
 *                                   session: a drop. A broken step shows here long before the
 *                                   daily conversion count, a small number, says anything. Each
 *                                   day's share is put on the binomial Anscombe scale,
 *                                   (2·asin √((x + 3/8)/(n + 3/4)) − 2·asin √p₀)·√(n + 1/2) with
 *                                   p₀ the share over all days, then the robust z-score around
 *                                   the median with the scale above (at least 1); reported when
 *                                   z ≤ −anomaly_z and at least 5 sessions would usually go on.
 *                        The evidence gives the date, the day's value, the usual value
 *                        ("median") and z; at most 10 days per metric, the strongest.
 *   Sessions belong to the day they start on.
 *
 * Severity:
 *   tests (segment, channel, loop)  high when q < 0.001 and the effect is large (one rate at
 *                                   least 1.5 times the other); medium when q < 0.01; else low.
 *   converter_event                 the same with the Wald p-value of log(OR), large: OR ≥ 2.
 *   volume_anomaly                  high when |z| ≥ 5 and the value is at most half or at least
 *                                   twice the usual; medium when |z| ≥ 5 or it is; else low.
 *   funnel_dropoff                  high when ≥ 70% are lost, medium ≥ 40%, else low.
 * Insights are sorted by severity, then strength (|z| of the test or anomaly, the Wald z of a
 * converter event, 10 × the share lost of a drop-off), then kind, then title.
 */

typedef enum
{
  JM_INSIGHT_FUNNEL_DROPOFF,
  JM_INSIGHT_SEGMENT_DIFFERENCE,
  JM_INSIGHT_CONVERTER_EVENT,
  JM_INSIGHT_FRICTION_LOOP,
  JM_INSIGHT_VOLUME_ANOMALY,
  JM_INSIGHT_CHANNEL_PERFORMANCE,
} JmInsightKind;

typedef enum
{
  JM_INSIGHT_HIGH,
  JM_INSIGHT_MEDIUM,
  JM_INSIGHT_LOW,
} JmInsightSeverity;

#define JM_INSIGHTS_DEFAULT_MIN_UNITS        30
#define JM_INSIGHTS_DEFAULT_MAX_Q            0.05
#define JM_INSIGHTS_DEFAULT_ANOMALY_Z        3.5
#define JM_INSIGHTS_DEFAULT_CONVERTER_EVENTS 5
#define JM_INSIGHTS_CHANNEL_FIELD            "channel"

/* Everything borrowed: the caller keeps the strings alive during jm_insights_compute(). */
typedef struct
{
  const char         *conversion_event;     /* NULL: chosen automatically */
  const char * const *funnel_steps;         /* NULL-terminated; NULL: chosen automatically */
  const char * const *segment_fields;       /* NULL-terminated; NULL: the defaults */
  guint               min_units;            /* units (or sessions) a segment needs */
  gdouble             max_q;                /* Benjamini–Hochberg level */
  gdouble             anomaly_z;            /* robust z threshold of volume anomalies */
  guint               max_converter_events;
} JmInsightsOptions;

/* One finding; everything is owned by the JmInsights. */
typedef struct
{
  JmInsightKind      kind;
  JmInsightSeverity  severity;
  char              *title;
  JsonObject        *evidence;
  char              *recommendation;
  gdouble            strength;
} JmInsight;

typedef struct _JmInsights JmInsights;

/* The default segment fields, tried in this order when they exist: "channel",
 * "traits.plan", "context.campaign.name", "context.locale".
 */
extern const char * const jm_insights_default_segment_fields[];

/* Automatic conversion event and funnel, the default segment fields, min_units 30,
 * max_q 0.05, anomaly_z 3.5, 5 converter events.
 */
void                jm_insights_options_init        (JmInsightsOptions        *options);

/* Fails with JM_ANALYSIS_ERROR_INVALID_OPTION when min_units is 0, max_q is not in (0, 1] or
 * anomaly_z is not positive, and with the log's error when a segment field is malformed or
 * cannot be read. No units, or no conversion event, is not an error: fewer kinds apply.
 */
JmInsights         *jm_insights_compute             (const JmUnits            *units,
                                                     const JmInsightsOptions  *options,
                                                     GError                  **error);
void                jm_insights_free                (JmInsights               *self);

JmUnitKind          jm_insights_get_unit            (const JmInsights         *self);
guint64             jm_insights_get_n_units         (const JmInsights         *self);
/* The conversion event used, or NULL when there is none. */
const char         *jm_insights_get_conversion_event (const JmInsights        *self);
/* The funnel used (NULL-terminated, empty when none). */
const char * const *jm_insights_get_funnel_steps    (const JmInsights         *self);
guint               jm_insights_get_n_insights      (const JmInsights         *self);
const JmInsight    *jm_insights_get_insight         (const JmInsights         *self,
                                                     guint                     index);

const char         *jm_insight_kind_to_string       (JmInsightKind             kind);
const char         *jm_insight_severity_to_string   (JmInsightSeverity         severity);

/* `{"unit","units","conversion_event","funnel":[…],"insights":[{"kind","severity","title",
 * "evidence":{…},"recommendation"}]}` (DESIGN §12; conversion_event is null when none).
 */
JsonNode           *jm_insights_to_json             (const JmInsights         *self);
/* One row per insight: kind, severity, title, recommendation. */
JmTable            *jm_insights_to_table            (const JmInsights         *self);

/* The statistics behind the insights, for tests and for other analyses. */

/* P(Z ≥ z) of the standard normal distribution, from erfc(). */
gdouble             jm_insights_normal_sf           (gdouble                   z);
/* Pooled two-proportion z-test of x1/n1 against x2/n2: z > 0 when the first rate is higher;
 * the two-sided p-value. z = 0, p = 1 when a group is empty or the pooled rate is 0 or 1.
 */
void                jm_insights_two_proportion_test (guint64                   x1,
                                                     guint64                   n1,
                                                     guint64                   x2,
                                                     guint64                   n2,
                                                     gdouble                  *out_z,
                                                     gdouble                  *out_p);
/* Benjamini–Hochberg adjusted p-values (q-values) of n p-values, in their order. */
void                jm_insights_benjamini_hochberg  (const gdouble            *p,
                                                     gdouble                  *out_q,
                                                     gsize                     n);
/* Robust z-scores 0.6745·(x − median)/MAD of n values (MAD 0: the mean absolute deviation ×
 * 1.2533 stands for MAD/0.6745); FALSE, with nothing written, when all values are equal.
 */
gboolean            jm_insights_robust_z            (const gdouble            *values,
                                                     gsize                     n,
                                                     gdouble                  *out_z);
/* Odds ratio (a·d)/(b·c) of the 2×2 table [a b; c d] with its 95% Woolf interval; 0.5 is added
 * to every cell when one of them is 0. out_se is the standard error of log(OR).
 */
void                jm_insights_odds_ratio          (guint64                   a,
                                                     guint64                   b,
                                                     guint64                   c,
                                                     guint64                   d,
                                                     gdouble                  *out_or,
                                                     gdouble                  *out_low,
                                                     gdouble                  *out_high,
                                                     gdouble                  *out_se);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmInsights, jm_insights_free)

G_END_DECLS
