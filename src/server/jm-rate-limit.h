/* jm-rate-limit.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Token buckets keyed by a string (an API key id, a client address), DESIGN §4: each key may
 * spend `rate` tokens per second with bursts of up to `burst`. Safe to use from any thread.
 */
typedef struct _JmRateLimiter JmRateLimiter;

/* A `rate` of 0 (or less) means no limit. */
JmRateLimiter *jm_rate_limiter_new   (double          rate,
                                      double          burst);
void           jm_rate_limiter_free  (JmRateLimiter  *self);

/* Takes `cost` tokens from the bucket of `key` at time `now_us` (monotonic microseconds).
 * Returns FALSE when the bucket cannot pay, with the whole seconds after which it can in
 * `retry_after` (at least 1). A cost above the burst is paid from a full bucket and leaves
 * the bucket in debt, so a large request waits longer afterwards rather than never passing.
 */
gboolean       jm_rate_limiter_take  (JmRateLimiter  *self,
                                      const char     *key,
                                      double          cost,
                                      gint64          now_us,
                                      guint          *retry_after);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmRateLimiter, jm_rate_limiter_free)

G_END_DECLS
