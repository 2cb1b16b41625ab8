/* jm-attribution-renderer.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-attribution-geometry.h"
#include "jm-attribution.h"
#include "jm-chart-renderer.h"

G_BEGIN_DECLS

/* Attribution bars: a group of horizontal bars per channel, one per model in the series
 * colours with a legend, on a shared axis with grid lines; bars thick enough carry their value.
 * Channels are ordered by their total credit over the models, largest first. Items are
 * channels; a selected channel stays vivid and the others fade.
 */

/* Copies everything. `values` holds n_channels × n_models credits, channel after channel, in
 * the order given. Fails with JM_RENDER_ERROR_INVALID_CHART for a missing name, no model, more
 * models than the palette has colours, or a value that is negative or not finite.
 */
JmChartRenderer             *jm_attribution_renderer_new       (const char * const *channels,
                                                                guint               n_channels,
                                                                const char * const *models,
                                                                guint               n_models,
                                                                const double       *values,
                                                                GError            **error);
/* The six models' conversion credits, or with `revenue` their revenue credits. */
JmChartRenderer             *jm_attribution_renderer_new_for_attribution (const JmAttribution *attribution,
                                                                          gboolean             revenue);
/* The bars of the last draw, or NULL before it; groups are in drawing order. */
const JmAttributionGeometry *jm_attribution_renderer_get_geometry (const JmChartRenderer *self);
/* The channel (item) drawn as group `group`. */
guint                        jm_attribution_renderer_get_group_item (const JmChartRenderer *self,
                                                                     guint                  group);

G_END_DECLS
