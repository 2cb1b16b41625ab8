/* jm-customer-profile-json.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-customer"

#include "config.h"

#include "jm-customer-profile-json.h"
#include "jm-time.h"

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       ms)
{
  g_autofree char *iso = jm_time_format_iso (ms);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, iso);
}

static void
add_traits_member (JsonBuilder *builder,
                   const char  *traits)
{
  g_autoptr(JsonNode) node = traits != NULL ? json_from_string (traits, NULL) : NULL;

  json_builder_set_member_name (builder, "traits");
  if (node != NULL)
    json_builder_add_value (builder, g_steal_pointer (&node));
  else
    {
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
    }
}

JsonNode *
jm_customers_to_json (GPtrArray *customers)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (customers != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "customers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < customers->len; i++)
    {
      JmCustomer *customer = g_ptr_array_index (customers, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "customer_id");
      json_builder_add_string_value (builder, customer->customer_id);
      add_time_member (builder, "first_seen", customer->first_seen);
      add_time_member (builder, "last_seen", customer->last_seen);
      json_builder_set_member_name (builder, "events");
      json_builder_add_int_value (builder, customer->events);
      add_traits_member (builder, customer->traits);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
jm_customer_profile_to_json (const JmCustomerProfile *profile)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (profile->customer != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "customer_id");
  json_builder_add_string_value (builder, profile->customer->customer_id);
  add_time_member (builder, "first_seen", profile->customer->first_seen);
  add_time_member (builder, "last_seen", profile->customer->last_seen);
  add_traits_member (builder, profile->customer->traits);
  json_builder_set_member_name (builder, "anonymous_ids");
  json_builder_begin_array (builder);
  for (guint i = 0; profile->anonymous_ids != NULL && i < profile->anonymous_ids->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (profile->anonymous_ids, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "sessions");
  json_builder_add_int_value (builder, profile->sessions);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; profile->events != NULL && i < profile->events->len; i++)
    {
      JmTimelineEvent *event = g_ptr_array_index (profile->events, i);

      json_builder_begin_object (builder);
      add_time_member (builder, "ts", event->ts);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, event->type);
      json_builder_set_member_name (builder, "name");
      if (event->name != NULL)
        json_builder_add_string_value (builder, event->name);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "session");
      if (event->session != 0)
        json_builder_add_int_value (builder, event->session);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "touch");
      json_builder_add_string_value (builder, event->touch != NULL ? event->touch : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JmTable *
jm_customer_profile_to_table (const JmCustomerProfile *profile)
{
  const char *columns[] = { "ts", "type", "name", "session", "touch", NULL };
  JmTable *table;

  g_return_val_if_fail (profile != NULL, NULL);

  table = jm_table_new (columns);
  for (guint i = 0; profile->events != NULL && i < profile->events->len; i++)
    {
      JmTimelineEvent *event = g_ptr_array_index (profile->events, i);
      char *cells[] = {
        jm_time_format_iso (event->ts),
        g_strdup (event->type),
        g_strdup (event->name),
        event->session ? g_strdup_printf ("%u", event->session) : NULL,
        g_strdup (event->touch),
      };

      jm_table_add_row (table, cells);
    }

  return table;
}
