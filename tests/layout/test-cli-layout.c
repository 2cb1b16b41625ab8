/* test-cli-layout.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* `journeymapper-cli layout sankey`, run as a user would. */

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jm-test-cli-layout-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_graph (Fixture    *fixture,
             const char *name,
             const char *json)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);

  return path;
}

static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("JM_CLI");
  const char *arg;
  int status;
  va_list args;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);

  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static JsonObject *
node_named (JsonArray  *nodes,
            const char *name)
{
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);

      if (g_str_equal (json_object_get_string_member (node, "name"), name))
        return node;
    }
  g_assert_not_reached ();
}

static void
test_json (Fixture       *fixture,
           gconstpointer  data)
{
  /* Crossed as given (a→d over b→c); links by index and by name; a long link a→e. */
  g_autofree char *path = write_graph (fixture, "graph.json",
    "{\"nodes\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"d\"},"
    "{\"name\":\"e\"}],"
    "\"links\":[{\"source\":0,\"target\":3,\"value\":4},{\"source\":\"b\",\"target\":\"c\","
    "\"value\":2},{\"source\":\"c\",\"target\":\"e\",\"value\":2},"
    "{\"source\":\"d\",\"target\":4,\"value\":4},{\"source\":0,\"target\":\"e\","
    "\"value\":1.5}]}");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *nodes;
  JsonArray *links;
  JsonObject *a;
  JsonObject *first;

  g_assert_cmpint (run_cli (&out, &err, "layout", "sankey", "--graph", path, "--format", "json",
                            "--width", "500", "--height", "300", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  nodes = json_object_get_array_member (root, "nodes");
  links = json_object_get_array_member (root, "links");
  g_assert_cmpuint (json_array_get_length (nodes), ==, 5);
  g_assert_cmpuint (json_array_get_length (links), ==, 5);
  g_assert_cmpfloat (json_object_get_double_member (root, "weighted_crossings"), ==, 0);
  g_assert_true (json_object_has_member (root, "layout_ms"));
  g_assert_cmpfloat (json_object_get_double_member (root, "layout_ms"), >=, 0);

  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);

      g_assert_cmpfloat (json_object_get_double_member (node, "x0"), >=, 0);
      g_assert_cmpfloat (json_object_get_double_member (node, "x1"), <=, 500);
      g_assert_cmpfloat (json_object_get_double_member (node, "y0"), >=, 0);
      g_assert_cmpfloat (json_object_get_double_member (node, "y1"), <=, 300);
    }
  a = node_named (nodes, "a");
  g_assert_cmpint (json_object_get_int_member (a, "layer"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (a, "value"), ==, 5.5);
  g_assert_cmpint (json_object_get_int_member (node_named (nodes, "e"), "layer"), ==, 2);

  /* Links name their nodes; y0 is the band's centre inside its source. */
  first = json_array_get_object_element (links, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "source"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (first, "target"), ==, "d");
  g_assert_cmpfloat (json_object_get_double_member (first, "value"), ==, 4);
  g_assert_cmpfloat (json_object_get_double_member (first, "y0") -
                     json_object_get_double_member (first, "width") / 2, >=,
                     json_object_get_double_member (a, "y0") - 1e-6);
  g_assert_cmpfloat (json_object_get_double_member (first, "y0") +
                     json_object_get_double_member (first, "width") / 2, <=,
                     json_object_get_double_member (a, "y1") + 1e-6);

  /* The text form tells the same story. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, NULL, "layout", "sankey", "--graph", path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "weighted crossings: 0"));
  g_assert_nonnull (strstr (out, "5 nodes in 3 columns"));
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  const struct { const char *json; const char *needle; } cases[] = {
    { "{\"nodes\":[{\"name\":\"a\"}],\"links\":[{\"source\":0,\"target\":\"b\",\"value\":1}]}",
      "links[0].target: no node is named “b”" },
    { "{\"nodes\":[{\"name\":\"a\"}],\"links\":[{\"source\":0,\"target\":7,\"value\":1}]}",
      "links[0].target: node index 7 is out of range" },
    { "{\"nodes\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"links\":[{\"source\":0,\"target\":1,"
      "\"value\":1},{\"source\":1,\"target\":0,\"value\":1}]}", "cycle" },
    { "{\"nodes\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"links\":[{\"source\":0,\"target\":1}]}",
      "links[0].value" },
    { "{\"nodes\":[{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"c\"}],\"links\":[{\"source\":"
      "\"a\",\"target\":\"c\",\"value\":1}]}", "several nodes are named “a”" },
    { "{\"nodes\":[{\"name\":3}],\"links\":[]}", "nodes[0].name" },
    { "{\"nodes\":[],\"links\":", "graph.json" },
    { "[1,2]", "expected an object" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = write_graph (fixture, "graph.json", cases[c].json);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_test_message ("case %u", c);
      g_assert_cmpint (run_cli (&out, &err, "layout", "sankey", "--graph", path, "--format",
                                "json", NULL), ==, 1);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, cases[c].needle));
      g_assert_null (strchr (err, '\n') == NULL ? NULL : strchr (strchr (err, '\n') + 1, '\n'));
    }

  {
    g_autofree char *path = write_graph (fixture, "ok.json", "{\"nodes\":[],\"links\":[]}");
    g_autofree char *err = NULL;
    g_autofree char *err2 = NULL;
    g_autofree char *err3 = NULL;

    g_assert_cmpint (run_cli (NULL, &err, "layout", "sankey", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "--graph"));
    g_assert_cmpint (run_cli (NULL, &err2, "layout", "sankey", "--graph", path, "--height", "-1",
                              NULL), ==, 2);
    g_assert_nonnull (strstr (err2, "height"));
    g_assert_cmpint (run_cli (NULL, &err3, "layout", "pie", NULL), ==, 2);
    g_assert_nonnull (strstr (err3, "sankey"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/jm/cli/layout/sankey-json", Fixture, NULL, fixture_set_up, test_json,
              fixture_tear_down);
  g_test_add ("/jm/cli/layout/errors", Fixture, NULL, fixture_set_up, test_errors,
              fixture_tear_down);

  return g_test_run ();
}
