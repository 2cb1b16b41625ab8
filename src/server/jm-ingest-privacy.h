/* jm-ingest-privacy.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "journey.h"

G_BEGIN_DECLS

/* The privacy stage of the ingest pipeline (DESIGN §2: validate → auth → rate limit →
 * privacy → group commit; DESIGN §10). It runs on a decode worker, after the request was
 * authenticated for `project` and admitted by the rate limits, before anything is queued
 * for the commit: this is where per-project consent decisions and PII detection (mask, hash
 * or drop) act on each event. It may remove events from `events` (they are then neither
 * stored nor acknowledged as stored) and returns how many it removed.
 *
 * Today it keeps every event unchanged: the project's consent policy is enforced by the
 * store itself (jm_store_insert_events() drops events without analytics consent when the
 * project requires it, counted as `dropped`), and PII rules are not configured yet.
 */
guint jm_ingest_privacy_apply (gint64      project,
                               GPtrArray  *events);

G_END_DECLS
