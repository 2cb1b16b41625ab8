/* jm-analysis-error.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-analysis"

#include "config.h"

#include "jm-analysis-error.h"

G_DEFINE_QUARK (jm-analysis-error-quark, jm_analysis_error)
