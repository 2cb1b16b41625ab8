/* journey.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-analysis-error.h"
#include "jm-analysis-options.h"
#include "jm-api-key.h"
#include "jm-attribution.h"
#include "jm-channel.h"
#include "jm-customer-profile-json.h"
#include "jm-demo.h"
#include "jm-event.h"
#include "jm-event-log.h"
#include "jm-funnel.h"
#include "jm-import.h"
#include "jm-insights.h"
#include "jm-journey-graph.h"
#include "jm-path-flow.h"
#include "jm-retention.h"
#include "jm-segment.h"
#include "jm-store.h"
#include "jm-table.h"
#include "jm-time.h"
#include "jm-units.h"
#include "jm-where.h"
