/* jm-graph-renderer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <math.h>

#include "jm-chart-renderer-private.h"
#include "jm-graph-renderer.h"

#define NODE_LENGTH 132
#define LAYER_SPACING 72
#define MARGIN 16
#define ARROW 9

typedef struct
{
  JmChartRenderer  parent;
  JmGraph         *graph;
  GArray          *medians;     /* double per edge */
  GArray          *pinned;      /* gboolean per node: START or END */
  JmGraphLayout   *layout;
  double           node_length;     /* what `layout` was computed with */
  double           layer_spacing;
  double           offset_x;
  double           offset_y;
  double           scale;
} JmGraphRenderer;

static const JmChartRendererClass graph_class;

static JmGraphLayout *
compute_layout (JmGraph  *graph,
                double    node_length,
                double    layer_spacing,
                GError  **error)
{
  JmGraphLayoutOptions options;
  g_autoptr(GError) local_error = NULL;
  JmGraphLayout *layout;

  jm_graph_layout_options_init (&options);
  options.node_length = node_length;
  options.min_node_breadth = 30;
  options.max_node_breadth = 64;
  options.node_spacing = 20;
  options.layer_spacing = layer_spacing;
  options.max_edge_width = 14;
  layout = jm_graph_layout_compute (graph, &options, &local_error);
  if (layout == NULL)
    g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                 "cannot lay out the journey graph: %s", local_error->message);

  return layout;
}

static gboolean
graph_layout (JmChartRenderer  *renderer,
              PangoLayout      *text,
              double            x,
              double            y,
              double            width,
              double            height,
              GError          **error)
{
  JmGraphRenderer *self = (JmGraphRenderer *) renderer;
  guint n_layers = jm_graph_layout_get_n_layers (self->layout);
  double node_length = NODE_LENGTH;
  double layer_spacing = LAYER_SPACING;
  double layout_width;
  double layout_height;

  /* A wide graph first gives up layer spacing, then box length, so that it fits at full
   * scale with readable labels; only past that is it scaled down.
   */
  if (n_layers > 1 && 2 * MARGIN + n_layers * node_length + (n_layers - 1) * layer_spacing > width)
    {
      node_length = CLAMP ((width - 2 * MARGIN - (n_layers - 1) * 36.0) / n_layers, 96,
                           NODE_LENGTH);
      layer_spacing = MAX ((width - 2 * MARGIN - n_layers * node_length) / (n_layers - 1), 36);
    }
  if (node_length != self->node_length || layer_spacing != self->layer_spacing)
    {
      JmGraphLayout *layout = compute_layout (self->graph, node_length, layer_spacing, error);

      if (layout == NULL)
        return FALSE;
      jm_graph_layout_free (self->layout);
      self->layout = layout;
      self->node_length = node_length;
      self->layer_spacing = layer_spacing;
    }

  layout_width = MAX (jm_graph_layout_get_width (self->layout), 1);
  layout_height = MAX (jm_graph_layout_get_height (self->layout), 1);
  /* Never enlarge past 1.25: big boxes with small text look empty. */
  self->scale = MIN (MIN (width / layout_width, height / layout_height), 1.25);
  self->offset_x = x + (width - layout_width * self->scale) / 2;
  self->offset_y = y + (height - layout_height * self->scale) / 2;

  return TRUE;
}

static gboolean
edge_in_flow (JmGraphRenderer   *self,
              const JmGraphEdge *edge)
{
  gint selected = self->parent.selected;

  return selected < 0 || edge->source == (guint) selected || edge->target == (guint) selected;
}

static gboolean
node_in_flow (JmGraphRenderer *self,
              guint            node)
{
  gint selected = self->parent.selected;
  guint n_edges;

  if (selected < 0 || node == (guint) selected)
    return TRUE;

  n_edges = jm_graph_layout_get_n_edges (self->layout);
  for (guint i = 0; i < n_edges; i++)
    {
      const JmGraphEdge *edge = jm_graph_layout_get_edge (self->layout, i);

      if ((edge->source == (guint) selected && edge->target == node) ||
          (edge->target == (guint) selected && edge->source == node))
        return TRUE;
    }

  return FALSE;
}

static void
draw_edge (JmGraphRenderer   *self,
           cairo_t           *cr,
           const JmGraphEdge *edge,
           JmChartColor       color,
           double             alpha)
{
  const JmLayoutPoint *p = edge->points;
  JmLayoutPoint tip;
  JmLayoutPoint from;
  double angle;
  double head = ARROW + edge->width * 0.6;

  if (edge->n_points < 4)
    return;

  tip = p[edge->n_points - 1];
  from = p[edge->n_points - 2];
  angle = atan2 (tip.y - from.y, tip.x - from.x);

  cairo_save (cr);
  cairo_move_to (cr, p[0].x, p[0].y);
  for (guint k = 1; k + 2 < edge->n_points; k += 3)
    {
      JmLayoutPoint end = p[k + 2];

      /* The last curve stops short of the tip so the arrow head covers the end. */
      if (k + 3 == edge->n_points)
        end = (JmLayoutPoint) { tip.x - cos (angle) * head * 0.8,
                                tip.y - sin (angle) * head * 0.8 };
      cairo_curve_to (cr, p[k].x, p[k].y, p[k + 1].x, p[k + 1].y, end.x, end.y);
    }
  cairo_set_line_width (cr, MAX (edge->width, 1));
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  if (edge->back)
    {
      double dashes[] = { 6, 4 };

      cairo_set_dash (cr, dashes, 2, 0);
    }
  jm_chart_set_color (cr, color, alpha);
  cairo_stroke (cr);
  cairo_restore (cr);

  cairo_move_to (cr, tip.x, tip.y);
  cairo_line_to (cr, tip.x - cos (angle - 0.45) * head, tip.y - sin (angle - 0.45) * head);
  cairo_line_to (cr, tip.x - cos (angle + 0.45) * head, tip.y - sin (angle + 0.45) * head);
  cairo_close_path (cr);
  jm_chart_set_color (cr, color, MIN (alpha * 1.6, 1));
  cairo_fill (cr);
}

static void
graph_draw (JmChartRenderer *renderer,
            cairo_t         *cr,
            PangoLayout     *text)
{
  JmGraphRenderer *self = (JmGraphRenderer *) renderer;
  const JmChartTheme *theme = renderer->theme;
  guint n_nodes = jm_graph_layout_get_n_nodes (self->layout);
  guint n_edges = jm_graph_layout_get_n_edges (self->layout);
  gboolean selection = renderer->selected >= 0;
  JmChartColor edge_color = theme->foreground;
  GArray *placed;

  if (n_nodes == 0)
    {
      jm_chart_text_set (text, theme, JM_TEXT_REGULAR, "No journeys to show", -1);
      jm_chart_text_draw (cr, text, theme->dim_foreground,
                          renderer->plot_x + renderer->plot_width / 2,
                          renderer->plot_y + renderer->plot_height / 2, 0.5, 0.5);
      return;
    }

  cairo_save (cr);
  cairo_translate (cr, self->offset_x, self->offset_y);
  cairo_scale (cr, self->scale, self->scale);

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < n_edges; i++)
        {
          const JmGraphEdge *edge = jm_graph_layout_get_edge (self->layout, i);
          gboolean in_flow = edge_in_flow (self, edge);

          if (in_flow != (pass == 1))
            continue;
          if (selection && in_flow)
            draw_edge (self, cr, edge, theme->accent, 0.75);
          else
            draw_edge (self, cr, edge, edge_color, selection ? 0.06 : 0.22);
        }
    }

  for (guint i = 0; i < n_nodes; i++)
    {
      const JmGraphNode *node = jm_graph_layout_get_node (self->layout, i);
      gboolean pinned = g_array_index (self->pinned, gboolean, i);
      gboolean dim = !node_in_flow (self, i);
      JmChartColor fill = pinned ? theme->neutral : theme->series[i % JM_CHART_N_SERIES];
      JmChartColor on_fill = jm_chart_theme_text_on (theme, fill);
      double box_width = node->x1 - node->x0;
      double box_height = node->y1 - node->y0;
      double cx = (node->x0 + node->x1) / 2;
      double cy = (node->y0 + node->y1) / 2;
      double name_height;
      g_autofree char *count = jm_chart_format_count (node->value);

      jm_chart_rounded_rectangle (cr, node->x0, node->y0, node->x1, node->y1,
                                  pinned ? box_height / 2 : 6);
      jm_chart_set_color (cr, fill, dim ? 0.25 : 1);
      cairo_fill (cr);
      if (selection && (guint) renderer->selected == i)
        {
          jm_chart_rounded_rectangle (cr, node->x0 - 3, node->y0 - 3, node->x1 + 3,
                                      node->y1 + 3, 8);
          cairo_set_line_width (cr, 2.5);
          jm_chart_set_color (cr, theme->accent, 1);
          cairo_stroke (cr);
        }

      jm_chart_text_set (text, theme, JM_TEXT_BOLD, node->name, box_width - 12);
      jm_chart_text_size (text, NULL, &name_height);
      if (pinned || box_height < 2 * name_height + 4)
        {
          g_autofree char *line = pinned ? g_strdup (node->name)
                                         : g_strdup_printf ("%s · %s", node->name, count);

          jm_chart_text_set (text, theme, JM_TEXT_BOLD, line, box_width - 12);
          jm_chart_text_draw (cr, text, on_fill, cx, cy, 0.5, 0.5);
        }
      else
        {
          jm_chart_text_draw (cr, text, on_fill, cx, cy, 0.5, 1);
          jm_chart_text_set (text, theme, JM_TEXT_SMALL, count, box_width - 12);
          jm_chart_text_draw (cr, text, on_fill, cx, cy, 0.5, 0);
        }
    }

  /* Counts and median times on the selected node's edges; a label that would cover one already
   * placed is left out (the tooltip still has it).
   */
  placed = g_array_new (FALSE, FALSE, sizeof (double) * 4);
  for (guint i = 0; i < n_edges && selection; i++)
    {
      const JmGraphEdge *edge = jm_graph_layout_get_edge (self->layout, i);
      double median = g_array_index (self->medians, double, i);
      guint middle;
      JmLayoutPoint at;
      g_autofree char *count = NULL;
      g_autofree char *label = NULL;
      double w;
      double h;
      double box[4];
      gboolean overlaps = FALSE;

      if (!edge_in_flow (self, edge) || edge->n_points < 4)
        continue;
      middle = ((edge->n_points - 1) / 3 / 2) * 3;
      at = jm_layout_bezier_point (edge->points[middle], edge->points[middle + 1],
                                   edge->points[middle + 2], edge->points[middle + 3], 0.5);
      count = jm_chart_format_count (edge->value);
      if (isnan (median))
        label = g_strdup (count);
      else
        {
          g_autofree char *duration = jm_chart_format_duration (median);

          label = g_strdup_printf ("%s · %s", count, duration);
        }
      jm_chart_text_set (text, theme, JM_TEXT_SMALL, label, -1);
      jm_chart_text_size (text, &w, &h);
      box[0] = at.x - w / 2 - 4;
      box[1] = at.y - h / 2 - 1;
      box[2] = at.x + w / 2 + 4;
      box[3] = at.y + h / 2 + 1;
      for (guint k = 0; k < placed->len && !overlaps; k++)
        {
          const double *other = &g_array_index (placed, double, 4 * k);

          overlaps = box[0] < other[2] && other[0] < box[2] && box[1] < other[3] &&
                     other[1] < box[3];
        }
      if (overlaps)
        continue;
      g_array_append_vals (placed, box, 1);
      jm_chart_rounded_rectangle (cr, at.x - w / 2 - 4, at.y - h / 2 - 1, at.x + w / 2 + 4,
                                  at.y + h / 2 + 1, 4);
      jm_chart_set_color (cr, theme->label_background, 1);
      cairo_fill (cr);
      jm_chart_text_draw (cr, text, theme->foreground, at.x, at.y, 0.5, 0.5);
    }

  g_array_unref (placed);
  cairo_restore (cr);
}

static JmChartHitKind
graph_hit_test (const JmChartRenderer *renderer,
                double                 x,
                double                 y,
                gint                  *out_index)
{
  const JmGraphRenderer *self = (const JmGraphRenderer *) renderer;

  switch (jm_graph_layout_hit_test (self->layout, (x - self->offset_x) / self->scale,
                                    (y - self->offset_y) / self->scale, 4 / self->scale,
                                    out_index))
    {
    case JM_LAYOUT_HIT_NODE:
      return JM_CHART_HIT_NODE;
    case JM_LAYOUT_HIT_LINK:
      return JM_CHART_HIT_LINK;
    case JM_LAYOUT_HIT_NONE:
    default:
      return JM_CHART_HIT_NONE;
    }
}

static guint
graph_get_n_items (const JmChartRenderer *renderer)
{
  return jm_graph_get_n_nodes (((const JmGraphRenderer *) renderer)->graph);
}

static const char *
graph_get_item_name (const JmChartRenderer *renderer,
                     guint                  item)
{
  const JmGraphRenderer *self = (const JmGraphRenderer *) renderer;

  return jm_graph_layout_get_node (self->layout, item)->name;
}

static void
graph_finalize (JmChartRenderer *renderer)
{
  JmGraphRenderer *self = (JmGraphRenderer *) renderer;

  g_clear_pointer (&self->graph, jm_graph_free);
  g_clear_pointer (&self->layout, jm_graph_layout_free);
  g_clear_pointer (&self->medians, g_array_unref);
  g_clear_pointer (&self->pinned, g_array_unref);
}

static const JmChartRendererClass graph_class = {
  .kind = "graph",
  .layout = graph_layout,
  .draw = graph_draw,
  .hit_test = graph_hit_test,
  .get_n_items = graph_get_n_items,
  .get_item_name = graph_get_item_name,
  .finalize = graph_finalize,
};

JmChartRenderer *
jm_graph_renderer_new (JmGraph  *graph,
                       GError  **error)
{
  JmGraphRenderer *self;
  g_autoptr(JmGraphLayout) layout = NULL;
  double nan_value = NAN;

  g_return_val_if_fail (graph != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Laid out once here to check the graph; draws adapt the spacing to their width. */
  layout = compute_layout (graph, NODE_LENGTH, LAYER_SPACING, error);
  if (layout == NULL)
    {
      jm_graph_free (graph);
      return NULL;
    }

  self = g_new0 (JmGraphRenderer, 1);
  self->layout = g_steal_pointer (&layout);
  self->node_length = NODE_LENGTH;
  self->layer_spacing = LAYER_SPACING;
  jm_chart_renderer_init (&self->parent, &graph_class);
  self->graph = graph;
  self->medians = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < jm_graph_get_n_edges (graph); i++)
    g_array_append_val (self->medians, nan_value);
  self->pinned = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (self->pinned, jm_graph_get_n_nodes (graph));
  self->scale = 1;

  return &self->parent;
}

void
jm_graph_renderer_set_edge_median (JmChartRenderer *renderer,
                                   guint            edge,
                                   double           seconds)
{
  JmGraphRenderer *self = (JmGraphRenderer *) renderer;

  g_return_if_fail (renderer != NULL && renderer->klass == &graph_class);
  g_return_if_fail (edge < self->medians->len);

  g_array_index (self->medians, double, edge) = seconds;
}

static guint
share_of (double share,
          guint  n)
{
  if (!(share > 0) || n == 0)
    return 0;

  return MIN ((guint) ceil (MIN (share, 1) * n - 1e-9), n);
}

JmChartRenderer *
jm_graph_renderer_new_for_journey_graph (const JmJourneyGraph *journey,
                                         double                node_share,
                                         double                edge_share)
{
  g_autoptr(GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) medians = g_array_new (FALSE, FALSE, sizeof (double));
  JmGraph *graph = jm_graph_new ();
  JmChartRenderer *self;
  guint n_nodes = jm_journey_graph_get_n_nodes (journey);
  guint n_edges = jm_journey_graph_get_n_edges (journey);
  guint keep_nodes = share_of (node_share, n_nodes);
  guint keep_edges;
  guint start = G_MAXUINT;
  guint end = G_MAXUINT;
  g_autofree char *units = NULL;
  g_autofree char *events = NULL;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (journey != NULL, NULL);

  /* Nodes come ordered by events, most first. */
  for (guint i = 0; i < keep_nodes; i++)
    {
      const JmJourneyGraphNode *node = jm_journey_graph_get_node (journey, i);

      g_hash_table_insert (kept, (gpointer) node->name,
                           GUINT_TO_POINTER (jm_graph_add_node (graph, node->name, node->events,
                                                                JM_GRAPH_PIN_NONE) + 1));
    }

  /* Edges between kept nodes, most travelled first (their order). */
  for (guint i = 0; i < n_edges; i++)
    {
      const JmJourneyGraphEdge *edge = jm_journey_graph_get_edge (journey, i);

      if ((edge->source_is_start || g_hash_table_contains (kept, edge->source)) &&
          (edge->target_is_end || g_hash_table_contains (kept, edge->target)))
        g_array_append_val (edges, i);
    }
  keep_edges = share_of (edge_share, edges->len);

  for (guint k = 0; k < keep_edges; k++)
    {
      const JmJourneyGraphEdge *edge = jm_journey_graph_get_edge (journey,
                                                                  g_array_index (edges, guint, k));
      guint source;
      guint target;
      double median = edge->has_median ? edge->median_seconds : NAN;

      if (edge->source_is_start)
        {
          if (start == G_MAXUINT)
            start = jm_graph_add_node (graph, JM_JOURNEY_GRAPH_START, 0, JM_GRAPH_PIN_FIRST);
          source = start;
        }
      else
        source = GPOINTER_TO_UINT (g_hash_table_lookup (kept, edge->source)) - 1;

      if (edge->target_is_end)
        {
          if (end == G_MAXUINT)
            end = jm_graph_add_node (graph, JM_JOURNEY_GRAPH_END, 0, JM_GRAPH_PIN_LAST);
          target = end;
        }
      else
        target = GPOINTER_TO_UINT (g_hash_table_lookup (kept, edge->target)) - 1;

      jm_graph_add_edge (graph, source, target, edge->count);
      g_array_append_val (medians, median);
    }

  /* Counts of an analysis are valid values and every edge joins two added nodes. */
  self = jm_graph_renderer_new (graph, NULL);
  g_assert (self != NULL);
  for (guint i = 0; i < medians->len; i++)
    jm_graph_renderer_set_edge_median (self, i, g_array_index (medians, double, i));
  if (start != G_MAXUINT)
    g_array_index (((JmGraphRenderer *) self)->pinned, gboolean, start) = TRUE;
  if (end != G_MAXUINT)
    g_array_index (((JmGraphRenderer *) self)->pinned, gboolean, end) = TRUE;

  units = jm_chart_format_count (jm_journey_graph_get_n_units (journey));
  events = jm_chart_format_count (jm_journey_graph_get_n_events (journey));
  subtitle = g_strdup_printf ("%s %ss · %s events · showing %u of %u touchpoints and %u of %u "
                              "transitions", units,
                              jm_unit_kind_to_string (jm_journey_graph_get_unit (journey)),
                              events, keep_nodes, n_nodes, keep_edges, n_edges);
  jm_chart_renderer_set_title (self, "Journey map");
  jm_chart_renderer_set_subtitle (self, subtitle);

  return self;
}

const JmGraphLayout *
jm_graph_renderer_get_layout (const JmChartRenderer *renderer,
                              double                *out_x,
                              double                *out_y,
                              double                *out_scale)
{
  const JmGraphRenderer *self = (const JmGraphRenderer *) renderer;

  g_return_val_if_fail (renderer != NULL && renderer->klass == &graph_class, NULL);

  if (out_x != NULL)
    *out_x = self->offset_x;
  if (out_y != NULL)
    *out_y = self->offset_y;
  if (out_scale != NULL)
    *out_scale = self->scale;

  return self->layout;
}
