/* jm-cli-layout.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "jm-cli-private.h"
#include "jm-sankey-layout.h"

/* `layout sankey`: lays out a graph given in d3-sankey's shape and prints the geometry of
 * DESIGN §12. It reads no workspace.
 */

static gboolean
read_index_or_name (JsonObject          *object,
                    const char          *member,
                    guint                link,
                    const JmSankeyGraph *graph,
                    GHashTable          *duplicates,
                    guint               *out_node,
                    GError             **error)
{
  JsonNode *node = json_object_get_member (object, member);
  guint n = jm_sankey_graph_get_n_nodes (graph);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    {
      g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                   "links[%u].%s: missing, give a node index or name", link, member);
      return FALSE;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *name = json_node_get_string (node);
      gint found = jm_sankey_graph_find_node (graph, name);

      if (found < 0)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "links[%u].%s: no node is named “%s”", link, member, name);
          return FALSE;
        }
      if (g_hash_table_contains (duplicates, name))
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "links[%u].%s: several nodes are named “%s”; refer to them by index",
                       link, member, name);
          return FALSE;
        }
      *out_node = (guint) found;
      return TRUE;
    }

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 index = json_node_get_int (node);

      if (index < 0 || index >= n)
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "links[%u].%s: node index %" G_GINT64_FORMAT " is out of range "
                       "(there are %u nodes)", link, member, index, n);
          return FALSE;
        }
      *out_node = (guint) index;
      return TRUE;
    }

  g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
               "links[%u].%s: expected a node index (integer) or name (string)", link, member);
  return FALSE;
}

static gboolean
read_number (JsonNode    *node,
             double      *out_value)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out_value = (double) json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out_value = json_node_get_double (node);
  else
    return FALSE;

  return TRUE;
}

/* d3-sankey's graph: {"nodes":[{"name"}],"links":[{"source","target","value"}]}, links by
 * node index or name. Two optional node members of ours: "layer" (an integer ≥ 0 pinning the
 * column) and "value" (a lower bound of the node's value).
 */
static JmSankeyGraph *
graph_from_json (JsonNode  *root,
                 GError   **error)
{
  g_autoptr(JmSankeyGraph) graph = jm_sankey_graph_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) duplicates = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *object;
  JsonNode *nodes_node;
  JsonNode *links_node;
  JsonArray *nodes;
  JsonArray *links;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                   "expected an object {\"nodes\":[…],\"links\":[…]}");
      return NULL;
    }
  object = json_node_get_object (root);
  nodes_node = json_object_get_member (object, "nodes");
  links_node = json_object_get_member (object, "links");
  if (nodes_node == NULL || !JSON_NODE_HOLDS_ARRAY (nodes_node))
    {
      g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                   "nodes: missing or not an array");
      return NULL;
    }
  if (links_node == NULL || !JSON_NODE_HOLDS_ARRAY (links_node))
    {
      g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                   "links: missing or not an array");
      return NULL;
    }
  nodes = json_node_get_array (nodes_node);
  links = json_node_get_array (links_node);

  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonNode *element = json_array_get_element (nodes, i);
      JsonObject *node;
      JsonNode *name_node;
      JsonNode *layer_node;
      JsonNode *value_node;
      g_autofree char *fallback = NULL;
      const char *name;
      guint layer = JM_SANKEY_LAYER_AUTO;
      guint index;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "nodes[%u]: expected an object {\"name\":…}", i);
          return NULL;
        }
      node = json_node_get_object (element);
      name_node = json_object_get_member (node, "name");
      if (name_node == NULL)
        name = fallback = g_strdup_printf ("%u", i);
      else if (JSON_NODE_HOLDS_VALUE (name_node) &&
               json_node_get_value_type (name_node) == G_TYPE_STRING)
        name = json_node_get_string (name_node);
      else
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "nodes[%u].name: expected a string", i);
          return NULL;
        }

      layer_node = json_object_get_member (node, "layer");
      if (layer_node != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (layer_node) ||
              json_node_get_value_type (layer_node) != G_TYPE_INT64 ||
              json_node_get_int (layer_node) < 0 || json_node_get_int (layer_node) > 100000)
            {
              g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                           "nodes[%u].layer: expected an integer from 0 to 100000", i);
              return NULL;
            }
          layer = (guint) json_node_get_int (layer_node);
        }

      index = jm_sankey_graph_add_node_in_layer (graph, name, layer);
      value_node = json_object_get_member (node, "value");
      if (value_node != NULL)
        {
          double value;

          if (!read_number (value_node, &value) || !isfinite (value) || value < 0.0)
            {
              g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                           "nodes[%u].value: expected a number ≥ 0", i);
              return NULL;
            }
          jm_sankey_graph_set_node_value (graph, index, value);
        }

      name = jm_sankey_graph_get_node_name (graph, index);
      if (g_hash_table_contains (seen, name))
        g_hash_table_add (duplicates, (gpointer) name);
      g_hash_table_add (seen, (gpointer) name);
    }

  for (guint i = 0; i < json_array_get_length (links); i++)
    {
      JsonNode *element = json_array_get_element (links, i);
      JsonObject *link;
      guint source;
      guint target;
      double value;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "links[%u]: expected an object {\"source\",\"target\",\"value\"}", i);
          return NULL;
        }
      link = json_node_get_object (element);
      if (!read_index_or_name (link, "source", i, graph, duplicates, &source, error) ||
          !read_index_or_name (link, "target", i, graph, duplicates, &target, error))
        return NULL;
      if (!read_number (json_object_get_member (link, "value"), &value))
        {
          g_set_error (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_GRAPH,
                       "links[%u].value: missing or not a number", i);
          return NULL;
        }
      jm_sankey_graph_add_link (graph, source, target, value);
    }

  return g_steal_pointer (&graph);
}

static JsonNode *
layout_to_json (const JmSankeyLayout *layout,
                double                layout_ms)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "nodes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < jm_sankey_layout_get_n_nodes (layout); i++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (layout, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, node->name);
      json_builder_set_member_name (builder, "layer");
      json_builder_add_int_value (builder, node->layer);
      json_builder_set_member_name (builder, "x0");
      json_builder_add_double_value (builder, node->x0);
      json_builder_set_member_name (builder, "x1");
      json_builder_add_double_value (builder, node->x1);
      json_builder_set_member_name (builder, "y0");
      json_builder_add_double_value (builder, node->y0);
      json_builder_set_member_name (builder, "y1");
      json_builder_add_double_value (builder, node->y1);
      json_builder_set_member_name (builder, "value");
      json_builder_add_double_value (builder, node->value);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "links");
  json_builder_begin_array (builder);
  for (guint i = 0; i < jm_sankey_layout_get_n_links (layout); i++)
    {
      const JmSankeyLink *link = jm_sankey_layout_get_link (layout, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, jm_sankey_layout_get_node (layout,
                                                                         link->source)->name);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, jm_sankey_layout_get_node (layout,
                                                                         link->target)->name);
      json_builder_set_member_name (builder, "value");
      json_builder_add_double_value (builder, link->value);
      json_builder_set_member_name (builder, "y0");
      json_builder_add_double_value (builder, link->y0);
      json_builder_set_member_name (builder, "y1");
      json_builder_add_double_value (builder, link->y1);
      json_builder_set_member_name (builder, "width");
      json_builder_add_double_value (builder, link->width);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "weighted_crossings");
  json_builder_add_double_value (builder, jm_sankey_layout_get_weighted_crossings (layout));
  json_builder_set_member_name (builder, "layout_ms");
  json_builder_add_double_value (builder, layout_ms);
  json_builder_set_member_name (builder, "width");
  json_builder_add_double_value (builder, jm_sankey_layout_get_width (layout));
  json_builder_set_member_name (builder, "height");
  json_builder_add_double_value (builder, jm_sankey_layout_get_height (layout));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
print_layout_text (const JmSankeyLayout *layout,
                   double                layout_ms)
{
  g_print ("%u nodes in %u columns, %u links on a %g by %g canvas\n",
           jm_sankey_layout_get_n_nodes (layout), jm_sankey_layout_get_n_layers (layout),
           jm_sankey_layout_get_n_links (layout), jm_sankey_layout_get_width (layout),
           jm_sankey_layout_get_height (layout));
  g_print ("weighted crossings: %g (laid out in %.2f ms)\n\n",
           jm_sankey_layout_get_weighted_crossings (layout), layout_ms);

  g_print ("%-24s %6s %9s %9s %9s %9s %10s\n", "node", "column", "x0", "x1", "y0", "y1",
           "value");
  for (guint i = 0; i < jm_sankey_layout_get_n_nodes (layout); i++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (layout, i);

      g_print ("%-24s %6u %9.1f %9.1f %9.1f %9.1f %10g\n", node->name, node->layer, node->x0,
               node->x1, node->y0, node->y1, node->value);
    }

  g_print ("\n%-24s %-24s %10s %9s %9s %9s\n", "source", "target", "value", "y0", "y1",
           "width");
  for (guint i = 0; i < jm_sankey_layout_get_n_links (layout); i++)
    {
      const JmSankeyLink *link = jm_sankey_layout_get_link (layout, i);

      g_print ("%-24s %-24s %10g %9.1f %9.1f %9.1f\n",
               jm_sankey_layout_get_node (layout, link->source)->name,
               jm_sankey_layout_get_node (layout, link->target)->name, link->value, link->y0,
               link->y1, link->width);
    }
}

static int
run_sankey (int    argc,
            char **argv)
{
  JmCliCommon common = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *common_entries = NULL;
  g_autofree char *graph_file = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JmSankeyGraph) graph = NULL;
  g_autoptr(JmSankeyLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  JmSankeyOptions options;
  int iterations = -1;
  gint64 began;
  double layout_ms = 0.0;
  int status = JM_CLI_EXIT_OK;

  jm_sankey_options_init (&options);
  {
    GOptionEntry entries[] = {
      { "graph", 0, 0, G_OPTION_ARG_FILENAME, &graph_file,
        "The graph, in d3-sankey's shape {\"nodes\":[{\"name\"}],\"links\":[{\"source\","
        "\"target\",\"value\"}]}", "FILE.json" },
      { "width", 0, 0, G_OPTION_ARG_DOUBLE, &options.width, "Width (default 960)", "W" },
      { "height", 0, 0, G_OPTION_ARG_DOUBLE, &options.height, "Height (default 600)", "H" },
      { "node-width", 0, 0, G_OPTION_ARG_DOUBLE, &options.node_width,
        "Node width (default 24)", "W" },
      { "node-padding", 0, 0, G_OPTION_ARG_DOUBLE, &options.node_padding,
        "Vertical gap between nodes (default 8)", "P" },
      { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations,
        "Rounds of ordering sweeps at most (default 4)", "N" },
      { NULL }
    };

    context = g_option_context_new ("- lay out a Sankey diagram of a graph file");
    g_option_context_add_main_entries (context, entries, NULL);
    common_entries = jm_cli_common_entries (&common, FALSE);
    g_option_context_add_main_entries (context, common_entries, NULL);
    if (!jm_cli_parse (context, &common, FALSE, &argc, &argv))
      {
        jm_cli_common_clear (&common);
        return JM_CLI_EXIT_USAGE;
      }
  }

  if (argc > 1)
    status = jm_cli_usage ("unexpected argument “%s”", argv[1]);
  else if (graph_file == NULL)
    status = jm_cli_usage ("missing --graph FILE.json");
  else if (iterations > 1000)
    status = jm_cli_usage ("--iterations must be at most 1000");
  if (status != JM_CLI_EXIT_OK)
    {
      jm_cli_common_clear (&common);
      return status;
    }
  if (iterations >= 0)
    options.ordering_iterations = (guint) iterations;

  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, graph_file, &error))
    {
      g_prefix_error (&error, "%s: ", graph_file);
      jm_cli_common_clear (&common);
      return jm_cli_fail (error);
    }
  graph = graph_from_json (json_parser_get_root (parser), &error);
  if (graph != NULL)
    {
      began = g_get_monotonic_time ();
      layout = jm_sankey_layout_compute (graph, &options, &error);
      layout_ms = (g_get_monotonic_time () - began) / 1000.0;
    }
  if (layout == NULL && g_error_matches (error, JM_LAYOUT_ERROR, JM_LAYOUT_ERROR_INVALID_OPTION))
    {
      jm_cli_common_clear (&common);
      return jm_cli_usage ("%s", error->message);
    }
  if (layout == NULL)
    {
      g_prefix_error (&error, "%s: ", graph_file);
      jm_cli_common_clear (&common);
      return jm_cli_fail (error);
    }

  if (common.format == JM_OUTPUT_JSON)
    {
      g_autoptr(JsonNode) root = layout_to_json (layout, layout_ms);

      jm_cli_print_json (root);
    }
  else
    print_layout_text (layout, layout_ms);

  jm_cli_common_clear (&common);

  return JM_CLI_EXIT_OK;
}

static const JmCliCommand layout_commands[] = {
  { "sankey", "Lay out a Sankey diagram of a graph file (d3-sankey's shape)", run_sankey },
};

int
jm_cli_run_layout (int    argc,
                   char **argv)
{
  return jm_cli_dispatch ("layout", layout_commands, G_N_ELEMENTS (layout_commands), argc, argv);
}
