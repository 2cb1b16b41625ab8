/* test-manifest.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Checks the Flatpak manifest (com.journeymapper.Desktop.json) for what users of the
 * Flatpak rely on: the app id and command that desktop files and D-Bus activation use, the
 * GNOME runtime, the libpq module that PostgreSQL sync needs, and a sandbox that grants
 * network, display, GPU and keyring access but no blanket file system access (files go
 * through the portals).
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

static JsonObject *manifest;

static JsonArray *
get_modules (void)
{
  g_assert_true (json_object_has_member (manifest, "modules"));
  return json_object_get_array_member (manifest, "modules");
}

static JsonObject *
find_module (const char *name)
{
  JsonArray *modules = get_modules ();

  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonNode *node = json_array_get_element (modules, i);
      JsonObject *module;

      /* A module may also be a string: the path of a separate module file. */
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      module = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (module, "name", NULL), name) == 0)
        return module;
    }

  return NULL;
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *string)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), string) == 0)
        return TRUE;
    }
  return FALSE;
}

/* All build commands or config options of a module, joined, for substring checks. */
static char *
module_commands (JsonObject *module)
{
  static const char * const members[] = { "build-commands", "config-opts" };
  g_autoptr(GString) all = g_string_new (NULL);

  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    {
      JsonArray *array;

      if (!json_object_has_member (module, members[m]))
        continue;
      array = json_object_get_array_member (module, members[m]);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_string_append (all, json_array_get_string_element (array, i));
          g_string_append_c (all, '\n');
        }
    }

  return g_string_free (g_steal_pointer (&all), FALSE);
}

static void
test_manifest_app (void)
{
  /* flatpak-builder accepts both spellings of the id. */
  const char *id = json_object_get_string_member_with_default (manifest, "id", NULL);

  if (id == NULL)
    id = json_object_get_string_member_with_default (manifest, "app-id", NULL);

  g_assert_cmpstr (id, ==, APPLICATION_ID);
  g_assert_cmpstr (json_object_get_string_member (manifest, "command"), ==, "journeymapper");
}

static void
test_manifest_runtime (void)
{
  g_assert_cmpstr (json_object_get_string_member (manifest, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (json_object_get_string_member (manifest, "sdk"), ==, "org.gnome.Sdk");
  g_assert_cmpstr (json_object_get_string_member (manifest, "runtime-version"), ==, "47");
}

static void
test_manifest_finish_args (void)
{
  static const char * const required[] = {
    "--share=network",                     /* ingest listener, sync, ClickHouse */
    "--share=ipc",                         /* X11 shared memory */
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",                        /* GL rendering of the charts */
    "--talk-name=org.freedesktop.secrets", /* saved backend passwords */
  };
  JsonArray *args;

  g_assert_true (json_object_has_member (manifest, "finish-args"));
  args = json_object_get_array_member (manifest, "finish-args");

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (!array_has_string (args, required[i]))
        g_error ("finish-args lack %s", required[i]);
    }

  /* Files are opened and saved through the portals: no blanket access. */
  for (guint i = 0; i < json_array_get_length (args); i++)
    {
      const char *arg = json_array_get_string_element (args, i);

      g_assert_nonnull (arg);
      if (g_str_has_prefix (arg, "--filesystem=home") ||
          g_str_has_prefix (arg, "--filesystem=host") ||
          g_str_equal (arg, "--socket=x11") ||
          g_str_equal (arg, "--device=all"))
        g_error ("finish-args grant %s", arg);
    }
}

static void
test_manifest_libpq (void)
{
  JsonObject *module = find_module ("libpq");
  g_autofree char *commands = NULL;
  JsonArray *sources;
  JsonObject *source;
  const char *url;
  const char *sha256;

  g_assert_nonnull (module);

  /* Only the client library is built, without the dependencies of psql. */
  commands = module_commands (module);
  g_assert_nonnull (strstr (commands, "src/interfaces/libpq"));
  g_assert_nonnull (strstr (commands, "--without-readline"));
  g_assert_nonnull (strstr (commands, "--without-icu"));

  /* PostgreSQL's released sources, pinned by checksum. */
  sources = json_object_get_array_member (module, "sources");
  g_assert_cmpuint (json_array_get_length (sources), >=, 1);
  source = json_array_get_object_element (sources, 0);
  g_assert_cmpstr (json_object_get_string_member (source, "type"), ==, "archive");
  url = json_object_get_string_member (source, "url");
  g_assert_true (g_str_has_prefix (url, "https://"));
  g_assert_nonnull (strstr (url, "/postgresql-"));
  sha256 = json_object_get_string_member (source, "sha256");
  g_assert_cmpuint (strlen (sha256), ==, 64);
  for (const char *c = sha256; *c; c++)
    g_assert_true (g_ascii_isxdigit (*c) && !g_ascii_isupper (*c));
}

static void
test_manifest_app_module (void)
{
  JsonArray *modules = get_modules ();
  guint n = json_array_get_length (modules);
  JsonObject *module;
  JsonObject *source;
  JsonArray *sources;

  /* The application is built last, after every library it links. */
  g_assert_cmpuint (n, >=, 2);
  module = json_array_get_object_element (modules, n - 1);
  g_assert_cmpstr (json_object_get_string_member (module, "name"), ==, "journeymapper");
  g_assert_cmpstr (json_object_get_string_member (module, "buildsystem"), ==, "meson");
  g_assert_true (find_module ("libpq") != module);

  sources = json_object_get_array_member (module, "sources");
  g_assert_cmpuint (json_array_get_length (sources), ==, 1);
  source = json_array_get_object_element (sources, 0);
  g_assert_cmpstr (json_object_get_string_member (source, "type"), ==, "dir");
  g_assert_cmpstr (json_object_get_string_member (source, "path"), ==, ".");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *path;
  JsonNode *root;
  int ret;

  g_test_init (&argc, &argv, NULL);

  path = g_getenv ("JM_MANIFEST");
  if (path == NULL)
    g_error ("JM_MANIFEST is not set (run this test through meson)");

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  manifest = json_node_get_object (root);

  g_test_add_func ("/jm/manifest/app", test_manifest_app);
  g_test_add_func ("/jm/manifest/runtime", test_manifest_runtime);
  g_test_add_func ("/jm/manifest/finish-args", test_manifest_finish_args);
  g_test_add_func ("/jm/manifest/libpq", test_manifest_libpq);
  g_test_add_func ("/jm/manifest/app-module", test_manifest_app_module);

  ret = g_test_run ();

  return ret;
}
