/* journey.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-api-key.h"
#include "jm-channel.h"
#include "jm-demo.h"
#include "jm-event.h"
#include "jm-import.h"
#include "jm-store.h"
#include "jm-time.h"
