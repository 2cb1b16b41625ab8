/* jm-cli-customers.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-cli-private.h"

static int
run_list (int    argc,
          char **argv)
{
  JmCliCommon common = { 0 };
  g_autofree char *search = NULL;
  int limit = 50;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  gint64 project;
  GOptionEntry list_entries[] = {
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, "Only ids containing TEXT", "TEXT" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N customers (default 50, 0: all)", "N" },
    { NULL }
  };

  context = g_option_context_new ("- list customers, most recently seen first");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, list_entries, NULL);

  if (!jm_cli_parse (context, &common, TRUE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if (limit < 0)
    status = jm_cli_usage ("--limit must be 0 or more");
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_cli_lookup_project (store, &common, &project, &error) ||
           (customers = jm_store_list_customers (store, project, search, limit, &error)) == NULL)
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonNode) node = jm_customers_to_json (customers);

      jm_cli_print_json (node);
    }
  else if (common.format == JM_OUTPUT_CSV)
    {
      const char *columns[] = { "customer_id", "first_seen", "last_seen", "events", NULL };
      g_autoptr(JmTable) table = jm_table_new (columns);

      for (guint i = 0; i < customers->len; i++)
        {
          JmCustomer *customer = g_ptr_array_index (customers, i);
          char *cells[] = {
            g_strdup (customer->customer_id),
            jm_time_format_iso (customer->first_seen),
            jm_time_format_iso (customer->last_seen),
            g_strdup_printf ("%" G_GINT64_FORMAT, customer->events),
          };

          jm_table_add_row (table, cells);
        }
      jm_cli_print_table (table);
    }
  else
    {
      g_print ("%-28s %-24s %-24s %8s\n", "CUSTOMER", "FIRST SEEN", "LAST SEEN", "EVENTS");
      for (guint i = 0; i < customers->len; i++)
        {
          JmCustomer *customer = g_ptr_array_index (customers, i);
          g_autofree char *first = jm_time_format_iso (customer->first_seen);
          g_autofree char *last = jm_time_format_iso (customer->last_seen);

          g_print ("%-28s %-24s %-24s %8" G_GINT64_FORMAT "\n",
                   customer->customer_id, first, last, customer->events);
        }
      if (customers->len == 0)
        g_print ("No customers%s.\n", search != NULL ? " match" : " yet");
    }

  jm_cli_common_clear (&common);
  return status;
}

static void
print_profile_text (JmCustomerProfile *profile)
{
  g_autofree char *first = jm_time_format_iso (profile->customer->first_seen);
  g_autofree char *last = jm_time_format_iso (profile->customer->last_seen);
  guint current_session = 0;

  g_print ("Customer   %s\n", profile->customer->customer_id);
  g_print ("First seen %s\n", first);
  g_print ("Last seen  %s\n", last);
  g_print ("Traits     %s\n", profile->customer->traits != NULL ? profile->customer->traits : "{}");
  g_print ("Devices    ");
  for (guint i = 0; i < profile->anonymous_ids->len; i++)
    g_print ("%s%s", i > 0 ? ", " : "", (const char *) g_ptr_array_index (profile->anonymous_ids, i));
  g_print ("%s\n", profile->anonymous_ids->len == 0 ? "—" : "");
  g_print ("Sessions   %u\n", profile->sessions);

  for (guint i = 0; i < profile->events->len; i++)
    {
      JmTimelineEvent *event = g_ptr_array_index (profile->events, i);
      g_autofree char *ts = jm_time_format_iso (event->ts);

      if (event->session != current_session && event->session != 0)
        {
          current_session = event->session;
          g_print ("\nSession %u%s%s\n", current_session,
                   event->touch != NULL && *event->touch != '\0' ? " — " : "",
                   event->touch != NULL ? event->touch : "");
        }
      g_print ("  %s  %-9s %s\n", ts, event->type, event->name != NULL ? event->name : "");
    }
}

static int
run_show (int    argc,
          char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmCustomerProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  gint64 project;

  context = g_option_context_new ("ID - show one customer's timeline");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, TRUE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc != 2)
    status = jm_cli_usage ("expected one customer id");
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_cli_lookup_project (store, &common, &project, &error) ||
           (profile = jm_store_load_customer (store, project, argv[1], &error)) == NULL)
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonNode) node = jm_customer_profile_to_json (profile);

      jm_cli_print_json (node);
    }
  else if (common.format == JM_OUTPUT_CSV)
    {
      g_autoptr(JmTable) table = jm_customer_profile_to_table (profile);

      jm_cli_print_table (table);
    }
  else
    print_profile_text (profile);

  jm_cli_common_clear (&common);
  return status;
}

static const JmCliCommand customer_commands[] = {
  { "list", "List customers", run_list },
  { "show", "Show one customer's timeline", run_show },
};

int
jm_cli_run_customers (int    argc,
                      char **argv)
{
  return jm_cli_dispatch ("customers", customer_commands, G_N_ELEMENTS (customer_commands),
                          argc, argv);
}
