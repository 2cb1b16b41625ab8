/* jm-live-bus.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-server"

#include "config.h"

#include "jm-live-bus.h"

struct _JmLiveSubscription
{
  gatomicrefcount  ref_count;
  JmLiveBus       *bus;
  gint64           project;
  GMainContext    *context;
  JmLiveBusNotify  notify;
  gpointer         user_data;

  /* Guarded by the bus's mutex */
  GQueue           queue;         /* GBytes* */
  gboolean         notify_pending;
  guint64          dropped;

  /* Only touched on the subscriber's context */
  gboolean         closed;
};

struct _JmLiveBus
{
  GMutex   mutex;
  guint    queue_length;
  GList   *subscriptions;   /* JmLiveSubscription* */
  guint64  dropped;
};

static JmLiveSubscription *
subscription_ref (JmLiveSubscription *subscription)
{
  g_atomic_ref_count_inc (&subscription->ref_count);
  return subscription;
}

static void
subscription_unref (gpointer data)
{
  JmLiveSubscription *subscription = data;

  if (!g_atomic_ref_count_dec (&subscription->ref_count))
    return;

  g_queue_clear_full (&subscription->queue, (GDestroyNotify)g_bytes_unref);
  g_main_context_unref (subscription->context);
  g_free (subscription);
}

JmLiveBus *
jm_live_bus_new (guint queue_length)
{
  JmLiveBus *self = g_new0 (JmLiveBus, 1);

  g_mutex_init (&self->mutex);
  self->queue_length = MAX (queue_length, 1);

  return self;
}

void
jm_live_bus_free (JmLiveBus *self)
{
  if (self == NULL)
    return;

  /* Subscribers unsubscribe before the bus goes; what is left is only their queues. */
  g_list_free_full (self->subscriptions, subscription_unref);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

gboolean
jm_live_bus_has_subscribers (JmLiveBus *self)
{
  gboolean any;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  any = self->subscriptions != NULL;
  g_mutex_unlock (&self->mutex);

  return any;
}

guint
jm_live_bus_get_n_subscribers (JmLiveBus *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = g_list_length (self->subscriptions);
  g_mutex_unlock (&self->mutex);

  return n;
}

guint64
jm_live_bus_get_dropped (JmLiveBus *self)
{
  guint64 dropped;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  dropped = self->dropped;
  g_mutex_unlock (&self->mutex);

  return dropped;
}

static gboolean
notify_cb (gpointer data)
{
  JmLiveSubscription *subscription = data;

  if (!subscription->closed)
    subscription->notify (subscription, subscription->user_data);

  return G_SOURCE_REMOVE;
}

/* With the bus's mutex held. */
static void
schedule_notify (JmLiveSubscription *subscription)
{
  GSource *source;

  if (subscription->notify_pending)
    return;

  subscription->notify_pending = TRUE;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, notify_cb, subscription_ref (subscription), subscription_unref);
  g_source_set_static_name (source, "[jm] live bus notify");
  g_source_attach (source, subscription->context);
  g_source_unref (source);
}

void
jm_live_bus_publish (JmLiveBus *self,
                     gint64     project,
                     GBytes    *message)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL);

  g_mutex_lock (&self->mutex);

  for (GList *l = self->subscriptions; l != NULL; l = l->next)
    {
      JmLiveSubscription *subscription = l->data;

      if (subscription->project != project)
        continue;

      if (subscription->queue.length >= self->queue_length)
        {
          subscription->dropped++;
          self->dropped++;
          continue;
        }

      g_queue_push_tail (&subscription->queue, g_bytes_ref (message));
      schedule_notify (subscription);
    }

  g_mutex_unlock (&self->mutex);
}

JmLiveSubscription *
jm_live_bus_subscribe (JmLiveBus       *self,
                       gint64           project,
                       GMainContext    *context,
                       JmLiveBusNotify  notify,
                       gpointer         user_data)
{
  JmLiveSubscription *subscription;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (notify != NULL, NULL);

  subscription = g_new0 (JmLiveSubscription, 1);
  g_atomic_ref_count_init (&subscription->ref_count);
  subscription->bus = self;
  subscription->project = project;
  subscription->context = g_main_context_ref (context);
  subscription->notify = notify;
  subscription->user_data = user_data;
  g_queue_init (&subscription->queue);

  g_mutex_lock (&self->mutex);
  self->subscriptions = g_list_prepend (self->subscriptions, subscription);
  g_mutex_unlock (&self->mutex);

  return subscription;
}

void
jm_live_bus_unsubscribe (JmLiveBus          *self,
                         JmLiveSubscription *subscription)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (subscription != NULL);

  subscription->closed = TRUE;

  g_mutex_lock (&self->mutex);
  self->subscriptions = g_list_remove (self->subscriptions, subscription);
  g_queue_clear_full (&subscription->queue, (GDestroyNotify)g_bytes_unref);
  g_mutex_unlock (&self->mutex);

  subscription_unref (subscription);
}

GBytes *
jm_live_subscription_pop (JmLiveSubscription *subscription)
{
  JmLiveBus *bus;
  GBytes *message;

  g_return_val_if_fail (subscription != NULL, NULL);

  bus = subscription->bus;

  g_mutex_lock (&bus->mutex);
  message = g_queue_pop_head (&subscription->queue);
  if (message == NULL)
    subscription->notify_pending = FALSE;
  g_mutex_unlock (&bus->mutex);

  return message;
}

void
jm_live_subscription_reschedule (JmLiveSubscription *subscription)
{
  JmLiveBus *bus;

  g_return_if_fail (subscription != NULL);

  bus = subscription->bus;

  g_mutex_lock (&bus->mutex);
  subscription->notify_pending = FALSE;
  if (subscription->queue.length > 0)
    schedule_notify (subscription);
  g_mutex_unlock (&bus->mutex);
}

guint64
jm_live_subscription_get_dropped (JmLiveSubscription *subscription)
{
  guint64 dropped;

  g_return_val_if_fail (subscription != NULL, 0);

  g_mutex_lock (&subscription->bus->mutex);
  dropped = subscription->dropped;
  g_mutex_unlock (&subscription->bus->mutex);

  return dropped;
}
