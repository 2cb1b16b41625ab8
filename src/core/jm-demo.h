/* jm-demo.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "jm-store.h"

G_BEGIN_DECLS

#define JM_DEMO_DEFAULT_CUSTOMERS 5000
#define JM_DEMO_DEFAULT_DAYS      90
#define JM_DEMO_DEFAULT_SEED      42
#define JM_DEMO_DEFAULT_END_DATE  "2026-06-30"

typedef struct
{
  guint   customers;
  guint   days;
  guint64 seed;
  gint64  end_ms;   /* exclusive end of the generated period: midnight UTC after end date */
} JmDemoOptions;

typedef struct
{
  guint64 customers;
  guint64 events;
  guint64 purchases;
  double  seconds;
} JmDemoReport;

typedef void (*JmDemoProgressFunc) (guint64  customers_done,
                                    guint64  customers_total,
                                    gpointer user_data);

typedef struct _JmDemo JmDemo;

/* Defaults: 5,000 customers, 90 days, seed 42, ending 2026-06-30. */
void      jm_demo_options_init       (JmDemoOptions        *options);

/* The generator alone, customer by customer, deterministic for a seed. */
JmDemo   *jm_demo_new                (const JmDemoOptions  *options);
void      jm_demo_free               (JmDemo               *self);
/* Appends the next customer's messages (JmEvent*, owned by the array) in time order;
 * FALSE when every customer has been generated.
 */
gboolean  jm_demo_next_customer      (JmDemo               *self,
                                      GPtrArray            *events);

/* Generates into a workspace's project, in batches, in constant memory. */
gboolean  jm_demo_generate           (JmStore              *store,
                                      gint64                project,
                                      const JmDemoOptions  *options,
                                      JmDemoProgressFunc    progress,
                                      gpointer              user_data,
                                      GCancellable         *cancellable,
                                      JmDemoReport         *report,
                                      GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmDemo, jm_demo_free)

G_END_DECLS
