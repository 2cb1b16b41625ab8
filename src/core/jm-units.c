/* jm-units.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-units"

#include "config.h"

#include <string.h>

#include "jm-event-log-private.h"
#include "jm-units.h"

/* Filters become a selection of the log's events (DESIGN §5): the time range and the where
 * expression remove events, the segment removes whole customers, and what is left is cut
 * into units. Sessions are cut over the remaining events, so a filter that removes the
 * middle of a visit can split it. Without any filter the units are the log's own customer
 * offsets (or, for the default gap, its session column).
 */

void
jm_filter_init (JmFilter *filter)
{
  g_return_if_fail (filter != NULL);

  memset (filter, 0, sizeof *filter);
  filter->unit = JM_UNIT_CUSTOMER;
  filter->session_gap_ms = JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS;
}

const char *
jm_unit_kind_to_string (JmUnitKind unit)
{
  switch (unit)
    {
    case JM_UNIT_CUSTOMER:
      return "customer";
    case JM_UNIT_SESSION:
      return "session";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
jm_unit_kind_from_string (const char *string,
                          JmUnitKind *out_unit)
{
  g_return_val_if_fail (out_unit != NULL, FALSE);

  if (g_strcmp0 (string, "customer") == 0)
    *out_unit = JM_UNIT_CUSTOMER;
  else if (g_strcmp0 (string, "session") == 0)
    *out_unit = JM_UNIT_SESSION;
  else
    return FALSE;

  return TRUE;
}

void
jm_units_free (JmUnits *units)
{
  if (units == NULL)
    return;

  g_clear_pointer (&units->log, jm_event_log_unref);
  g_free (units->offsets);
  g_free (units->events);
  g_free (units->unit_customer);
  g_free (units);
}

static JmUnits *
units_new (JmEventLog *log,
           JmUnitKind  unit)
{
  JmUnits *units = g_new0 (JmUnits, 1);

  units->log = jm_event_log_ref (log);
  units->unit = unit;

  return units;
}

/* No filter, one unit per customer: the log's offsets as they are. */
static JmUnits *
units_per_customer (JmEventLog *log)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (log);
  JmUnits *units = units_new (log, JM_UNIT_CUSTOMER);
  guint32 n = columns->n_events;
  guint32 u = 0;

  units->offsets = g_new (guint32, columns->n_customers + 1);
  units->unit_customer = g_new (guint32, MAX (columns->n_customers, 1));
  units->events = jm_column_new (MAX (n, 1), sizeof (guint32));

  for (guint32 i = 0; i < n; i++)
    units->events[i] = i;

  for (guint32 c = 0; c < columns->n_customers; c++)
    {
      if (columns->customer_offsets[c + 1] == columns->customer_offsets[c])
        continue;
      units->offsets[u] = columns->customer_offsets[c];
      units->unit_customer[u++] = c;
    }
  units->offsets[u] = n;
  units->n_units = u;
  units->n_events = n;

  return units;
}

/* No filter, sessions of the default gap: the log's session column. */
static JmUnits *
units_per_default_session (JmEventLog *log)
{
  const JmEventLogColumns *columns = jm_event_log_get_columns (log);
  JmUnits *units = units_new (log, JM_UNIT_SESSION);
  guint32 n = columns->n_events;
  guint32 u = 0;

  units->offsets = g_new (guint32, columns->n_sessions + 1);
  units->unit_customer = g_new (guint32, MAX (columns->n_sessions, 1));
  units->events = jm_column_new (MAX (n, 1), sizeof (guint32));

  for (guint32 i = 0; i < n; i++)
    {
      units->events[i] = i;
      if (i == 0 || columns->session[i] != columns->session[i - 1])
        {
          units->offsets[u] = i;
          units->unit_customer[u++] = columns->customer[i];
        }
    }
  g_assert (u == columns->n_sessions);
  units->offsets[u] = n;
  units->n_units = u;
  units->n_events = n;

  return units;
}

JmUnits *
jm_units_new (JmEventLog      *log,
              const JmFilter  *filter,
              GError         **error)
{
  const JmEventLogColumns *columns;
  JmFilter defaults;
  g_autofree gboolean *where_keep = NULL;
  g_autoptr(JmUnits) units = NULL;
  gboolean per_session;
  gint64 gap;
  guint32 n_units = 0;
  guint32 n_events = 0;

  g_return_val_if_fail (log != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filter == NULL)
    {
      jm_filter_init (&defaults);
      filter = &defaults;
    }

  columns = jm_event_log_get_columns (log);
  per_session = filter->unit == JM_UNIT_SESSION;
  gap = filter->session_gap_ms > 0 ? filter->session_gap_ms : JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS;

  if (!filter->has_from && !filter->has_to && filter->where == NULL &&
      filter->customers == NULL)
    {
      if (!per_session)
        return units_per_customer (log);
      if (gap == JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS)
        return units_per_default_session (log);
    }

  if (filter->where != NULL)
    {
      where_keep = jm_column_new (MAX (columns->n_events, 1), sizeof (gboolean));
      if (!jm_where_evaluate (filter->where, log, where_keep, error))
        return NULL;
    }

  units = units_new (log, per_session ? JM_UNIT_SESSION : JM_UNIT_CUSTOMER);
  units->events = jm_column_new (MAX (columns->n_events, 1), sizeof (guint32));
  units->offsets = g_new (guint32, (per_session ? columns->n_events : columns->n_customers) + 1);
  units->unit_customer = g_new (guint32, MAX (per_session ? columns->n_events
                                                          : columns->n_customers, 1));

  for (guint32 c = 0; c < columns->n_customers; c++)
    {
      guint32 start = columns->customer_offsets[c];
      guint32 end = columns->customer_offsets[c + 1];
      gboolean open = FALSE;
      gint64 last_ts = 0;

      if (filter->customers != NULL &&
          !g_hash_table_contains (filter->customers, jm_event_log_get_customer_id (log, c)))
        continue;

      for (guint32 i = start; i < end; i++)
        {
          gint64 ts = columns->ts[i];

          if ((filter->has_from && ts < filter->from_ms) ||
              (filter->has_to && ts >= filter->to_ms) ||
              (where_keep != NULL && !where_keep[i]))
            continue;

          /* A unit opens at the customer's first kept event and, per session, after every
           * gap (between kept events) longer than the inactivity gap.
           */
          if (!open || (per_session && ts - last_ts > gap))
            {
              units->offsets[n_units] = n_events;
              units->unit_customer[n_units++] = c;
              open = TRUE;
            }

          units->events[n_events++] = i;
          last_ts = ts;
        }
    }

  units->offsets[n_units] = n_events;
  units->n_units = n_units;
  units->n_events = n_events;
  units->offsets = g_renew (guint32, units->offsets, n_units + 1);
  units->unit_customer = g_renew (guint32, units->unit_customer, MAX (n_units, 1));
  units->events = g_renew (guint32, units->events, MAX (n_events, 1));

  return g_steal_pointer (&units);
}
