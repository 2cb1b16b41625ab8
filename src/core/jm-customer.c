/* jm-customer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-store"

#include <string.h>

#include "jm-store-private.h"

/* The inactivity gap that starts a new session (DESIGN §5). */
#define SESSION_GAP_MS (30 * 60 * 1000)

static JmCustomer *
customer_from_row (sqlite3_stmt *stmt)
{
  JmCustomer *customer = g_new0 (JmCustomer, 1);

  customer->customer_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  customer->first_seen = sqlite3_column_int64 (stmt, 1);
  customer->last_seen = sqlite3_column_int64 (stmt, 2);
  customer->traits = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
  customer->events = sqlite3_column_int64 (stmt, 4);

  return customer;
}

/* A LIKE pattern matching `text` anywhere, with LIKE's own wildcards escaped. */
static char *
substring_pattern (const char *text)
{
  GString *pattern = g_string_sized_new (strlen (text) + 2);

  g_string_append_c (pattern, '%');

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }

  g_string_append_c (pattern, '%');

  return g_string_free (pattern, FALSE);
}

GPtrArray *
jm_store_list_customers (JmStore     *self,
                         gint64       project,
                         const char  *search,
                         guint        limit,
                         GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autofree char *pattern = NULL;
  int rc;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = jm_store_prepare_cached (self,
                                  "SELECT c.customer_id, c.first_seen, c.last_seen, c.traits, "
                                  "  (SELECT count(*) FROM events AS e "
                                  "   WHERE e.project = c.project "
                                  "     AND e.customer_id = c.customer_id) "
                                  "FROM customers AS c "
                                  "WHERE c.project = ?1 "
                                  "  AND (?2 IS NULL OR c.customer_id LIKE ?2 ESCAPE '\\') "
                                  "ORDER BY c.last_seen DESC, c.customer_id "
                                  "LIMIT ?3",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  if (search != NULL && search[0] != '\0')
    {
      pattern = substring_pattern (search);
      sqlite3_bind_text (stmt, 2, pattern, -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_null (stmt, 2);
    }
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64)limit : -1);

  customers = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_customer_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (customers, customer_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "list the customers");
      return NULL;
    }

  return g_steal_pointer (&customers);
}

void
jm_customer_free (JmCustomer *customer)
{
  if (customer == NULL)
    return;

  g_free (customer->customer_id);
  g_free (customer->traits);
  g_free (customer);
}

static void
timeline_event_free (JmTimelineEvent *event)
{
  g_free (event->type);
  g_free (event->name);
  g_free (event->touch);
  g_free (event);
}

static JmCustomer *
load_customer_row (JmStore     *self,
                   gint64       project,
                   const char  *customer_id,
                   GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  int rc;

  stmt = jm_store_prepare_cached (self,
                                  "SELECT c.customer_id, c.first_seen, c.last_seen, c.traits, "
                                  "  (SELECT count(*) FROM events AS e "
                                  "   WHERE e.project = c.project "
                                  "     AND e.customer_id = c.customer_id) "
                                  "FROM customers AS c "
                                  "WHERE c.project = ?1 AND c.customer_id = ?2",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  sqlite3_bind_text (stmt, 2, customer_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return customer_from_row (stmt);

  if (rc == SQLITE_DONE)
    {
      g_autofree char *project_name = jm_store_dup_project_name (self, project, error);

      if (project_name != NULL)
        g_set_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND,
                     "No customer “%s” in project “%s”", customer_id, project_name);
    }
  else
    {
      jm_store_set_error_from_sqlite (self, error, "look the customer up");
    }

  return NULL;
}

static GPtrArray *
load_anonymous_ids (JmStore     *self,
                    gint64       project,
                    const char  *customer_id,
                    GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  int rc;

  stmt = jm_store_prepare_cached (self,
                                  "SELECT anonymous_id FROM identities "
                                  "WHERE project = ?1 AND customer_id = ?2 "
                                  "ORDER BY created, anonymous_id",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  sqlite3_bind_text (stmt, 2, customer_id, -1, SQLITE_STATIC);

  ids = g_ptr_array_new_with_free_func (g_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "read the customer’s identities");
      return NULL;
    }

  return g_steal_pointer (&ids);
}

static gboolean
is_journey_type (const char *type)
{
  return strcmp (type, "track") == 0 || strcmp (type, "page") == 0 ||
         strcmp (type, "screen") == 0;
}

/* Sessions split the journey events (track, page, screen) wherever more than 30 minutes
 * pass between two of them. identify/alias/group are not journey steps: they carry the
 * number of the session in progress, 0 before the first one.
 */
static GPtrArray *
load_timeline (JmStore     *self,
               gint64       project,
               const char  *customer_id,
               guint       *out_sessions,
               GError     **error)
{
  g_autoptr(JmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gboolean have_previous = FALSE;
  gint64 previous_ts = 0;
  guint session = 0;
  int rc;

  stmt = jm_store_prepare_cached (self,
                                  "SELECT ts, type, name, touch FROM events "
                                  "WHERE project = ?1 AND customer_id = ?2 "
                                  "ORDER BY ts, arrival, id",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, project);
  sqlite3_bind_text (stmt, 2, customer_id, -1, SQLITE_STATIC);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify)timeline_event_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JmTimelineEvent *event = g_new0 (JmTimelineEvent, 1);

      event->ts = sqlite3_column_int64 (stmt, 0);
      event->type = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
      event->name = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
      event->touch = g_strdup ((const char *)sqlite3_column_text (stmt, 3));

      if (is_journey_type (event->type))
        {
          if (!have_previous || event->ts - previous_ts > SESSION_GAP_MS)
            session++;

          have_previous = TRUE;
          previous_ts = event->ts;
        }
      else
        {
          g_clear_pointer (&event->name, g_free);
        }

      event->session = session;
      g_ptr_array_add (events, event);
    }

  if (rc != SQLITE_DONE)
    {
      jm_store_set_error_from_sqlite (self, error, "read the customer’s events");
      return NULL;
    }

  *out_sessions = session;

  return g_steal_pointer (&events);
}

JmCustomerProfile *
jm_store_load_customer (JmStore     *self,
                        gint64       project,
                        const char  *customer_id,
                        GError     **error)
{
  g_autoptr(JmCustomerProfile) profile = NULL;

  g_return_val_if_fail (JM_IS_STORE (self), NULL);
  g_return_val_if_fail (customer_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  profile = g_new0 (JmCustomerProfile, 1);

  if (!(profile->customer = load_customer_row (self, project, customer_id, error)) ||
      !(profile->anonymous_ids = load_anonymous_ids (self, project, customer_id, error)) ||
      !(profile->events = load_timeline (self, project, customer_id, &profile->sessions, error)))
    return NULL;

  return g_steal_pointer (&profile);
}

void
jm_customer_profile_free (JmCustomerProfile *profile)
{
  if (profile == NULL)
    return;

  g_clear_pointer (&profile->customer, jm_customer_free);
  g_clear_pointer (&profile->anonymous_ids, g_ptr_array_unref);
  g_clear_pointer (&profile->events, g_ptr_array_unref);
  g_free (profile);
}
