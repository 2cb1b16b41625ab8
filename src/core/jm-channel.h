/* jm-channel.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define JM_CHANNEL_DIRECT         "Direct"
#define JM_CHANNEL_PAID_SEARCH    "Paid Search"
#define JM_CHANNEL_ORGANIC_SEARCH "Organic Search"
#define JM_CHANNEL_DISPLAY        "Display"
#define JM_CHANNEL_EMAIL          "Email"
#define JM_CHANNEL_AFFILIATE      "Affiliate"
#define JM_CHANNEL_SOCIAL         "Social"
#define JM_CHANNEL_REFERRAL       "Referral"

/* The touch of one event from its own context (DESIGN §6): context.campaign.{medium,source}
 * (also utm_medium/utm_source spellings), context.page.referrer (or context.referrer.url),
 * and for the "internal referrer" rule the host of context.page.url. Returns "" (a static
 * string) when the context carries no marketing touch at all; the session channel of such a
 * touch is Direct.
 */
const char *jm_channel_for_context  (JsonObject  *context);

/* The same rules over already extracted values (any may be NULL). */
const char *jm_channel_classify     (const char  *utm_medium,
                                     const char  *utm_source,
                                     const char  *referrer,
                                     const char  *page_url);

G_END_DECLS
