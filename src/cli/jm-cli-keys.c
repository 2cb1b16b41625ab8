/* jm-cli-keys.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-cli-private.h"

static int
run_create (int    argc,
            char **argv)
{
  JmCliCommon common = { 0 };
  g_autofree char *scope_name = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmApiKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  int status = JM_CLI_EXIT_OK;
  JmKeyScope scope = JM_KEY_SCOPE_INGEST;
  gint64 project;
  GOptionEntry key_entries[] = {
    { "scope", 0, 0, G_OPTION_ARG_STRING, &scope_name, "ingest, read or admin", "SCOPE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "A name to recognise the key by", "NAME" },
    { NULL }
  };

  context = g_option_context_new ("--scope ingest|read|admin - create an API key");
  g_option_context_set_description (context,
                                    "The secret is printed once and never stored: keep it.");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, key_entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if (scope_name == NULL)
    status = jm_cli_usage ("--scope is required (ingest, read or admin)");
  else if (!jm_key_scope_from_string (scope_name, &scope))
    status = jm_cli_usage ("unknown scope “%s” (ingest, read or admin)", scope_name);
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_cli_lookup_project (store, &common, &project, &error) ||
           (secret = jm_store_create_api_key (store, project, name, scope, &key, &error)) == NULL)
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      jm_api_key_add_json_members (key, builder, FALSE);
      json_builder_set_member_name (builder, "secret");
      json_builder_add_string_value (builder, secret);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      jm_cli_print_json (node);
    }
  else
    {
      g_print ("Created %s key %s for project “%s”.\n",
               jm_key_scope_to_string (key->scope), key->id, key->project_name);
      g_print ("Secret (shown only now, keep it safe):\n%s\n", secret);
    }

  jm_cli_common_clear (&common);
  return status;
}

static int
run_list (int    argc,
          char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;
  gint64 project = -1;

  context = g_option_context_new ("- list API keys (of every project unless --project)");
  entries = jm_cli_common_entries (&common, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, TRUE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           (common.project != NULL && !jm_cli_lookup_project (store, &common, &project, &error)) ||
           (keys = jm_store_list_api_keys (store, project, &error)) == NULL)
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "keys");
      json_builder_begin_array (builder);
      for (guint i = 0; i < keys->len; i++)
        {
          JmApiKey *key = g_ptr_array_index (keys, i);

          json_builder_begin_object (builder);
          jm_api_key_add_json_members (key, builder, TRUE);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      jm_cli_print_json (node);
    }
  else if (common.format == JM_OUTPUT_CSV)
    {
      const char *columns[] = { "id", "project", "name", "scope", "created", "last_used",
                                "revoked", NULL };
      g_autoptr(JmTable) table = jm_table_new (columns);

      for (guint i = 0; i < keys->len; i++)
        {
          JmApiKey *key = g_ptr_array_index (keys, i);
          char *cells[] = {
            g_strdup (key->id),
            g_strdup (key->project_name),
            g_strdup (key->name),
            g_strdup (jm_key_scope_to_string (key->scope)),
            jm_time_format_iso (key->created),
            key->last_used ? jm_time_format_iso (key->last_used) : NULL,
            key->revoked ? jm_time_format_iso (key->revoked) : NULL,
          };

          jm_table_add_row (table, cells);
        }
      jm_cli_print_table (table);
    }
  else
    {
      g_print ("%-14s %-16s %-8s %-20s %-24s %s\n",
               "ID", "PROJECT", "SCOPE", "NAME", "LAST USED", "STATE");
      for (guint i = 0; i < keys->len; i++)
        {
          JmApiKey *key = g_ptr_array_index (keys, i);
          g_autofree char *last_used = key->last_used ? jm_time_format_iso (key->last_used)
                                                      : g_strdup ("never");

          g_print ("%-14s %-16s %-8s %-20s %-24s %s\n", key->id, key->project_name,
                   jm_key_scope_to_string (key->scope), key->name != NULL ? key->name : "",
                   last_used, key->revoked ? "revoked" : "active");
        }
    }

  jm_cli_common_clear (&common);
  return status;
}

static int
run_revoke (int    argc,
            char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status = JM_CLI_EXIT_OK;

  context = g_option_context_new ("ID - revoke an API key");
  entries = jm_cli_common_entries (&common, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
    status = JM_CLI_EXIT_USAGE;
  else if (argc != 2)
    status = jm_cli_usage ("expected one key id");
  else if ((store = jm_cli_open_store (&common, &error)) == NULL ||
           !jm_store_revoke_api_key (store, argv[1], &error))
    status = jm_cli_fail (error);
  else if (common.format == JM_OUTPUT_JSON)
    jm_cli_print_confirmation ("id", argv[1], "revoked");
  else
    g_print ("Revoked key %s\n", argv[1]);

  jm_cli_common_clear (&common);
  return status;
}

static const JmCliCommand key_commands[] = {
  { "create", "Create a key (the secret is shown once)", run_create },
  { "list", "List keys", run_list },
  { "revoke", "Revoke a key", run_revoke },
};

int
jm_cli_run_keys (int    argc,
                 char **argv)
{
  return jm_cli_dispatch ("keys", key_commands, G_N_ELEMENTS (key_commands), argc, argv);
}
