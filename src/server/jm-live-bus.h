/* jm-live-bus.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The in-process bus on which the listener publishes committed events (DESIGN §2: workspace
 * → live bus → WebSocket / app). Messages are immutable bytes shared by every subscriber.
 * Each subscriber has a bounded queue: when it is full, new messages for that subscriber are
 * dropped and counted, so a slow consumer costs at most its queue in memory. Publishing is
 * safe from any thread; a subscriber is told on its own main context that messages wait.
 */
typedef struct _JmLiveBus JmLiveBus;
typedef struct _JmLiveSubscription JmLiveSubscription;

/* Called on the subscriber's main context when its queue became non-empty. */
typedef void (*JmLiveBusNotify) (JmLiveSubscription *subscription,
                                 gpointer            user_data);

JmLiveBus          *jm_live_bus_new                  (guint               queue_length);
void                jm_live_bus_free                 (JmLiveBus          *self);

/* Whether anyone listens (publishers skip the work of building messages otherwise). */
gboolean            jm_live_bus_has_subscribers      (JmLiveBus          *self);

/* Queues `message` for every subscriber of `project`. */
void                jm_live_bus_publish              (JmLiveBus          *self,
                                                      gint64              project,
                                                      GBytes             *message);

/* Messages dropped because a subscriber's queue was full, since the bus was created. */
guint64             jm_live_bus_get_dropped          (JmLiveBus          *self);
guint               jm_live_bus_get_n_subscribers    (JmLiveBus          *self);

/* Subscribes to the events of `project`; `notify` runs on `context`. */
JmLiveSubscription *jm_live_bus_subscribe            (JmLiveBus          *self,
                                                      gint64              project,
                                                      GMainContext       *context,
                                                      JmLiveBusNotify     notify,
                                                      gpointer            user_data);
/* Ends a subscription; called on the subscriber's context, after which `notify` never runs. */
void                jm_live_bus_unsubscribe          (JmLiveBus          *self,
                                                      JmLiveSubscription *subscription);

/* The oldest queued message, or NULL when the queue is empty (then `notify` runs again when
 * the next message arrives). A subscriber that stops before the queue is empty must call
 * jm_live_subscription_reschedule() to be told again.
 */
GBytes             *jm_live_subscription_pop         (JmLiveSubscription *subscription);
void                jm_live_subscription_reschedule  (JmLiveSubscription *subscription);
guint64             jm_live_subscription_get_dropped (JmLiveSubscription *subscription);

G_END_DECLS
