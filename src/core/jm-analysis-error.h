/* jm-analysis-error.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The error domain of the analyses (journey graph, paths, funnels). A name that no event
 * has is never an error: it simply matches nothing.
 */
#define JM_ANALYSIS_ERROR (jm_analysis_error_quark ())

typedef enum
{
  JM_ANALYSIS_ERROR_INVALID_OPTION,   /* an option cannot be used as given (bad regex, 0 steps…) */
  JM_ANALYSIS_ERROR_FAILED,           /* the data needed could not be read */
} JmAnalysisError;

GQuark jm_analysis_error_quark (void);

G_END_DECLS
