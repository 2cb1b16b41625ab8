/* jm-sankey-renderer.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-chart-renderer-private.h"
#include "jm-sankey-renderer.h"

#define NODE_WIDTH 14
#define LABEL_GAP 6
#define DROPOFF_LENGTH 22

typedef struct
{
  JmChartRenderer  parent;
  JmSankeyGraph   *graph;
  JmSankeyLayout  *layout;
  double           total;
  GArray          *dropoffs;      /* double per node */
  GArray          *medians;       /* double per link */
  guint           *color_index;   /* per node, into the series; G_MAXUINT for neutral */
  /* The selected node's flow, kept for the selection it was computed for. */
  gint             flow_for;
  guint8          *node_in_flow;
  guint8          *link_in_flow;
  double           line_height;
  /* The bands of the last raster draw, reused while nothing they depend on changes: a widget
   * redrawn for a tooltip or a scroll then composites one image instead of a thousand curves.
   */
  cairo_surface_t    *bands;
  const JmChartTheme *bands_theme;
  gint                bands_selected;
  double              bands_scale_x;
  double              bands_scale_y;
} JmSankeyRenderer;

static const JmChartRendererClass sankey_class;

static gboolean
is_other (const char *name)
{
  return g_strcmp0 (name, JM_PATH_FLOW_OTHER) == 0;
}

/* The same name gets the same colour in every column: names ranked by their total value. */
static void
assign_colors (JmSankeyRenderer *self)
{
  guint n_nodes = jm_sankey_layout_get_n_nodes (self->layout);
  g_autoptr(GHashTable) totals = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GHashTable) rank = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree double *values = NULL;

  for (guint i = 0; i < n_nodes; i++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (self->layout, i);
      if (!g_hash_table_contains (totals, node->name))
        {
          g_ptr_array_add (names, (gpointer) node->name);
          g_hash_table_insert (totals, (gpointer) node->name, GUINT_TO_POINTER (names->len));
        }
    }

  values = g_new0 (double, names->len + 1);
  for (guint i = 0; i < n_nodes; i++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (self->layout, i);
      guint slot = GPOINTER_TO_UINT (g_hash_table_lookup (totals, node->name)) - 1;

      values[slot] += node->value;
    }

  /* Rank by total value (descending), ties by first appearance: a stable sort by index. */
  for (guint i = 0; i < names->len; i++)
    {
      guint better = 0;

      for (guint j = 0; j < names->len; j++)
        {
          if (values[j] > values[i] || (values[j] == values[i] && j < i))
            better++;
        }
      g_hash_table_insert (rank, names->pdata[i], GUINT_TO_POINTER (better));
    }

  g_free (self->color_index);
  self->color_index = g_new0 (guint, MAX (n_nodes, 1));
  for (guint i = 0; i < n_nodes; i++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (self->layout, i);

      self->color_index[i] = is_other (node->name)
        ? G_MAXUINT
        : GPOINTER_TO_UINT (g_hash_table_lookup (rank, node->name)) % JM_CHART_N_SERIES;
    }
}

static gboolean
sankey_layout (JmChartRenderer  *renderer,
               PangoLayout      *text,
               double            x,
               double            y,
               double            width,
               double            height,
               GError          **error)
{
  JmSankeyRenderer *self = (JmSankeyRenderer *) renderer;
  JmSankeyOptions options;
  g_autoptr(GError) local_error = NULL;

  jm_chart_text_set (text, renderer->theme, JM_TEXT_REGULAR, "0", -1);
  jm_chart_text_size (text, NULL, &self->line_height);

  jm_sankey_options_init (&options);
  options.width = width;
  options.height = height;
  options.node_width = NODE_WIDTH;
  options.node_padding = 14;

  g_clear_pointer (&self->layout, jm_sankey_layout_free);
  self->layout = jm_sankey_layout_compute (self->graph, &options, &local_error);
  if (self->layout == NULL)
    {
      g_set_error (error, JM_RENDER_ERROR, JM_RENDER_ERROR_INVALID_CHART,
                   "cannot lay out the Sankey diagram: %s", local_error->message);
      return FALSE;
    }

  assign_colors (self);
  self->flow_for = -2;
  g_clear_pointer (&self->bands, cairo_surface_destroy);

  return TRUE;
}

/* Marks everything upstream and downstream of the selected node. */
static void
update_flow (JmSankeyRenderer *self)
{
  guint n_nodes = jm_sankey_layout_get_n_nodes (self->layout);
  guint n_links = jm_sankey_layout_get_n_links (self->layout);
  gint selected = self->parent.selected;
  gboolean changed = TRUE;

  if (self->flow_for == selected)
    return;

  g_free (self->node_in_flow);
  g_free (self->link_in_flow);
  self->node_in_flow = g_malloc0 (MAX (n_nodes, 1));
  self->link_in_flow = g_malloc0 (MAX (n_links, 1));
  self->flow_for = selected;

  if (selected < 0 || (guint) selected >= n_nodes)
    {
      memset (self->node_in_flow, 1, n_nodes);
      memset (self->link_in_flow, 1, n_links);
      return;
    }

  /* Downstream (bit 1) and upstream (bit 2) reachability by relaxation: a DAG's links are few
   * enough per column that passes until nothing changes stay cheap.
   */
  self->node_in_flow[selected] = 3;
  while (changed)
    {
      changed = FALSE;
      for (guint i = 0; i < n_links; i++)
        {
          const JmSankeyLink *link = jm_sankey_layout_get_link (self->layout, i);

          if ((self->node_in_flow[link->source] & 1) && !(self->node_in_flow[link->target] & 1))
            {
              self->node_in_flow[link->target] |= 1;
              changed = TRUE;
            }
          if ((self->node_in_flow[link->target] & 2) && !(self->node_in_flow[link->source] & 2))
            {
              self->node_in_flow[link->source] |= 2;
              changed = TRUE;
            }
        }
    }

  for (guint i = 0; i < n_links; i++)
    {
      const JmSankeyLink *link = jm_sankey_layout_get_link (self->layout, i);

      self->link_in_flow[i] = ((self->node_in_flow[link->source] & 1) &&
                               (self->node_in_flow[link->target] & 1)) ||
                              ((self->node_in_flow[link->source] & 2) &&
                               (self->node_in_flow[link->target] & 2));
    }
}

static JmChartColor
node_color (JmSankeyRenderer *self,
            guint             node)
{
  const JmChartTheme *theme = self->parent.theme;

  if (self->color_index[node] == G_MAXUINT)
    return theme->neutral;

  return theme->series[self->color_index[node]];
}

static void
band_path (cairo_t            *cr,
           const JmSankeyLink *link,
           double              x,
           double              y)
{
  double half = MAX (link->width, 1) / 2;
  const JmLayoutPoint *p = link->points;

  cairo_move_to (cr, x + p[0].x, y + p[0].y - half);
  for (guint k = 1; k < link->n_points; k++)
    {
      double mid = x + (p[k - 1].x + p[k].x) / 2;

      cairo_curve_to (cr, mid, y + p[k - 1].y - half, mid, y + p[k].y - half,
                      x + p[k].x, y + p[k].y - half);
    }
  cairo_line_to (cr, x + p[link->n_points - 1].x, y + p[link->n_points - 1].y + half);
  for (guint k = link->n_points - 1; k > 0; k--)
    {
      double mid = x + (p[k - 1].x + p[k].x) / 2;

      cairo_curve_to (cr, mid, y + p[k].y + half, mid, y + p[k - 1].y + half,
                      x + p[k - 1].x, y + p[k - 1].y + half);
    }
  cairo_close_path (cr);
}

static void
draw_label_pill (cairo_t            *cr,
                 const JmChartTheme *theme,
                 double              x0,
                 double              y0,
                 double              width,
                 double              height)
{
  jm_chart_rounded_rectangle (cr, x0 - 3, y0 - 1, x0 + width + 3, y0 + height + 1, 4);
  jm_chart_set_color (cr, theme->label_background, 1);
  cairo_fill (cr);
}

/* Labels beside the nodes, top to bottom per column; their boxes go to `placed`. */
static void
draw_node_labels (JmSankeyRenderer *self,
                  cairo_t          *cr,
                  PangoLayout      *text,
                  double            x,
                  double            y,
                  GArray           *placed)
{
  const JmChartTheme *theme = self->parent.theme;
  guint n_nodes = jm_sankey_layout_get_n_nodes (self->layout);
  guint n_layers = jm_sankey_layout_get_n_layers (self->layout);
  double pitch = n_layers > 1 ? (jm_sankey_layout_get_width (self->layout) - NODE_WIDTH) /
                                (n_layers - 1) : jm_sankey_layout_get_width (self->layout);
  double max_width = MAX (pitch - NODE_WIDTH - 3 * LABEL_GAP, 24);
  double total = self->total;
  g_autofree double *column_bottom = g_new (double, MAX (n_layers, 1));
  g_autofree guint *order = g_new (guint, MAX (n_nodes, 1));
  g_autoptr(PangoLayout) detail_text = pango_layout_copy (text);

  if (total <= 0)
    {
      g_autofree double *columns = g_new0 (double, MAX (n_layers, 1));

      for (guint i = 0; i < n_nodes; i++)
        {
          const JmSankeyNode *node = jm_sankey_layout_get_node (self->layout, i);

          columns[node->layer] += node->value;
          total = MAX (total, columns[node->layer]);
        }
    }

  for (guint l = 0; l < n_layers; l++)
    column_bottom[l] = -G_MAXDOUBLE;

  /* Top to bottom in each column, so a label that would overlap the one above is left out. */
  for (guint i = 0; i < n_nodes; i++)
    order[i] = i;
  for (guint i = 1; i < n_nodes; i++)
    {
      guint item = order[i];
      const JmSankeyNode *a = jm_sankey_layout_get_node (self->layout, item);
      guint j = i;

      while (j > 0)
        {
          const JmSankeyNode *b = jm_sankey_layout_get_node (self->layout, order[j - 1]);

          if (b->layer < a->layer || (b->layer == a->layer && b->y0 <= a->y0))
            break;
          order[j] = order[j - 1];
          j--;
        }
      order[j] = item;
    }

  for (guint k = 0; k < n_nodes; k++)
    {
      guint i = order[k];
      const JmSankeyNode *node = jm_sankey_layout_get_node (self->layout, i);
      gboolean last = n_layers > 1 && node->layer == n_layers - 1;
      double anchor_x = last ? x + node->x0 - LABEL_GAP : x + node->x1 + LABEL_GAP;
      double centre = y + (node->y0 + node->y1) / 2;
      double name_width;
      double name_height;
      double detail_width;
      double block_height;
      double top;
      gboolean two_lines;
      gboolean dim = !self->node_in_flow[i];
      g_autofree char *count = jm_chart_format_count (node->value);
      g_autofree char *share = jm_chart_format_percent (total > 0 ? node->value / total : 0);
      g_autofree char *detail = g_strdup_printf ("%s · %s", count, share);

      jm_chart_text_set (text, theme, JM_TEXT_BOLD, node->name, max_width);
      jm_chart_text_size (text, &name_width, &name_height);
      two_lines = node->y1 - node->y0 >= name_height * 1.6 || n_nodes <= 2 * n_layers;
      block_height = two_lines ? 2 * name_height : name_height;
      top = centre - block_height / 2;
      if (top < column_bottom[node->layer] + 2)
        {
          if (!two_lines || centre - name_height / 2 < column_bottom[node->layer] + 2)
            continue;
          two_lines = FALSE;
          block_height = name_height;
          top = centre - block_height / 2;
        }
      column_bottom[node->layer] = top + block_height;

      jm_chart_text_set (detail_text, theme, JM_TEXT_SMALL, detail, max_width);
      jm_chart_text_size (detail_text, &detail_width, NULL);
      if (!two_lines)
        detail_width = 0;

      {
        double left = last ? anchor_x - MAX (name_width, detail_width) : anchor_x;
        double box[4] = { left - 3, top - 1, left + MAX (name_width, detail_width) + 3,
                          top + block_height + 1 };

        g_array_append_vals (placed, box, 1);
        draw_label_pill (cr, theme, left, top, MAX (name_width, detail_width), block_height);
      }

      /* `text` still holds the name: each label is laid out once. */
      jm_chart_text_draw (cr, text, dim ? theme->dim_foreground : theme->foreground, anchor_x,
                          top, last ? 1 : 0, 0);
      if (two_lines)
        jm_chart_text_draw (cr, detail_text, theme->dim_foreground, anchor_x, top + name_height,
                            last ? 1 : 0, 0);
    }
}

/* Counts and median times on the selected flow's bands that are wide enough to carry them, in
 * the middle of their first gap; a label that would cover one already placed (node labels
 * included) is left out.
 */
static void
draw_link_labels (JmSankeyRenderer *self,
                  cairo_t          *cr,
                  PangoLayout      *text,
                  double            x,
                  double            y,
                  GArray           *placed)
{
  const JmChartTheme *theme = self->parent.theme;
  guint n_links = jm_sankey_layout_get_n_links (self->layout);

  for (guint i = 0; i < n_links; i++)
    {
      const JmSankeyLink *link = jm_sankey_layout_get_link (self->layout, i);
      double median = g_array_index (self->medians, double, i);
      g_autofree char *count = NULL;
      g_autofree char *label = NULL;
      JmLayoutPoint a;
      JmLayoutPoint b;
      double w;
      double h;
      double mx;
      double my;
      double box[4];
      gboolean overlaps = FALSE;

      if (!self->link_in_flow[i] || link->width < self->line_height + 2 || link->n_points < 2)
        continue;

      count = jm_chart_format_count (link->value);
      if (isnan (median))
        label = g_strdup (count);
      else
        {
          g_autofree char *duration = jm_chart_format_duration (median);

          label = g_strdup_printf ("%s · %s", count, duration);
        }

      a = link->points[0];
      b = link->points[1];
      mx = (a.x + b.x) / 2;
      my = jm_layout_flow_curve_y_at (a, b, mx);
      jm_chart_text_set (text, theme, JM_TEXT_SMALL, label, (b.x - a.x) * 0.4);
      jm_chart_text_size (text, &w, &h);
      box[0] = x + mx - w / 2 - 3;
      box[1] = y + my - h / 2 - 1;
      box[2] = x + mx + w / 2 + 3;
      box[3] = y + my + h / 2 + 1;
      for (guint k = 0; k < placed->len && !overlaps; k++)
        {
          const double *other = &g_array_index (placed, double, 4 * k);

          overlaps = box[0] < other[2] && other[0] < box[2] && box[1] < other[3] &&
                     other[1] < box[3];
        }
      if (overlaps)
        continue;
      g_array_append_vals (placed, box, 1);
      draw_label_pill (cr, theme, x + mx - w / 2, y + my - h / 2, w, h);
      jm_chart_text_draw (cr, text, theme->foreground, x + mx, y + my, 0.5, 0.5);
    }
}

/* Faded bands first, so the emphasised flow lies on top. Curves are flattened to a quarter
 * pixel, finer than anti-aliasing shows.
 */
static void
draw_bands (JmSankeyRenderer *self,
            cairo_t          *cr,
            double            x,
            double            y)
{
  guint n_links = jm_sankey_layout_get_n_links (self->layout);
  gboolean selection = self->parent.selected >= 0;

  cairo_save (cr);
  cairo_set_tolerance (cr, 0.25);
  for (guint pass = 0; pass < (selection ? 2 : 1); pass++)
    {
      for (guint i = 0; i < n_links; i++)
        {
          const JmSankeyLink *link = jm_sankey_layout_get_link (self->layout, i);
          gboolean in_flow = self->link_in_flow[i];
          double alpha;

          if (selection && in_flow != (pass == 1))
            continue;
          alpha = !selection ? 0.38 : in_flow ? 0.62 : 0.10;
          band_path (cr, link, x, y);
          jm_chart_set_color (cr, node_color (self, link->source), alpha);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}

/* On raster targets drawn without rotation or skew, the bands go through an image of the plot
 * kept between draws (see the struct); vector targets (SVG, PDF) always get the curves.
 */
static void
draw_bands_cached (JmSankeyRenderer *self,
                   cairo_t          *cr,
                   double            x,
                   double            y)
{
  JmChartRenderer *renderer = &self->parent;
  cairo_surface_t *target = cairo_get_target (cr);
  cairo_matrix_t matrix;
  double sx;
  double sy;
  int width;
  int height;
  cairo_t *bands_cr;

  cairo_get_matrix (cr, &matrix);
  sx = matrix.xx;
  sy = matrix.yy;
  if (cairo_surface_get_type (target) != CAIRO_SURFACE_TYPE_IMAGE ||
      matrix.xy != 0 || matrix.yx != 0 || sx <= 0 || sy <= 0)
    {
      draw_bands (self, cr, x, y);
      return;
    }

  width = (int) ceil (renderer->plot_width * sx) + 2;
  height = (int) ceil (renderer->plot_height * sy) + 2;
  if (self->bands == NULL || self->bands_theme != renderer->theme ||
      self->bands_selected != renderer->selected || self->bands_scale_x != sx ||
      self->bands_scale_y != sy || cairo_image_surface_get_width (self->bands) != width ||
      cairo_image_surface_get_height (self->bands) != height)
    {
      g_clear_pointer (&self->bands, cairo_surface_destroy);
      self->bands = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      bands_cr = cairo_create (self->bands);
      /* One pixel of margin for the anti-aliased edges. */
      cairo_scale (bands_cr, sx, sy);
      cairo_translate (bands_cr, 1 / sx, 1 / sy);
      draw_bands (self, bands_cr, 0, 0);
      cairo_destroy (bands_cr);
      self->bands_theme = renderer->theme;
      self->bands_selected = renderer->selected;
      self->bands_scale_x = sx;
      self->bands_scale_y = sy;
    }

  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, 1 / sx, 1 / sy);
  cairo_set_source_surface (cr, self->bands, -1, -1);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
sankey_draw (JmChartRenderer *renderer,
             cairo_t         *cr,
             PangoLayout     *text)
{
  JmSankeyRenderer *self = (JmSankeyRenderer *) renderer;
  const JmChartTheme *theme = renderer->theme;
  double x = renderer->plot_x;
  double y = renderer->plot_y;
  guint n_nodes = jm_sankey_layout_get_n_nodes (self->layout);
  guint n_layers = jm_sankey_layout_get_n_layers (self->layout);
  gboolean selection = renderer->selected >= 0;
  GArray *placed;

  update_flow (self);

  if (n_nodes == 0)
    {
      jm_chart_text_set (text, theme, JM_TEXT_REGULAR, "No paths to show", -1);
      jm_chart_text_draw (cr, text, theme->dim_foreground, x + renderer->plot_width / 2,
                          y + renderer->plot_height / 2, 0.5, 0.5);
      return;
    }

  draw_bands_cached (self, cr, x, y);

  for (guint i = 0; i < n_nodes; i++)
    {
      const JmSankeyNode *node = jm_sankey_layout_get_node (self->layout, i);
      double dropoff = i < self->dropoffs->len ? g_array_index (self->dropoffs, double, i) : 0;
      double alpha = self->node_in_flow[i] ? 1 : 0.3;

      /* Units that stop here leave through a fading stub at the node's foot. */
      if (dropoff > 0 && node->value > 0 && node->layer + 1 < n_layers)
        {
          double h = (node->y1 - node->y0) * MIN (dropoff / node->value, 1);
          cairo_pattern_t *fade = cairo_pattern_create_linear (x + node->x1, 0,
                                                               x + node->x1 + DROPOFF_LENGTH, 0);

          cairo_pattern_add_color_stop_rgba (fade, 0, theme->dropoff.red, theme->dropoff.green,
                                             theme->dropoff.blue, 0.45 * alpha);
          cairo_pattern_add_color_stop_rgba (fade, 1, theme->dropoff.red, theme->dropoff.green,
                                             theme->dropoff.blue, 0);
          cairo_rectangle (cr, x + node->x1, y + node->y1 - h, DROPOFF_LENGTH, h);
          cairo_set_source (cr, fade);
          cairo_fill (cr);
          cairo_pattern_destroy (fade);
        }

      jm_chart_rounded_rectangle (cr, x + node->x0, y + node->y0, x + node->x1,
                                  y + MAX (node->y1, node->y0 + 1), 3);
      jm_chart_set_color (cr, node_color (self, i), alpha);
      cairo_fill (cr);

      if (selection && (guint) renderer->selected == i)
        {
          jm_chart_rounded_rectangle (cr, x + node->x0 - 2.5, y + node->y0 - 2.5,
                                      x + node->x1 + 2.5, y + MAX (node->y1, node->y0 + 1) + 2.5,
                                      4);
          cairo_set_line_width (cr, 2);
          jm_chart_set_color (cr, theme->accent, 1);
          cairo_stroke (cr);
        }
    }

  placed = g_array_new (FALSE, FALSE, sizeof (double) * 4);
  draw_node_labels (self, cr, text, x, y, placed);
  if (selection)
    draw_link_labels (self, cr, text, x, y, placed);
  g_array_unref (placed);
}

static JmChartHitKind
sankey_hit_test (const JmChartRenderer *renderer,
                 double                 x,
                 double                 y,
                 gint                  *out_index)
{
  const JmSankeyRenderer *self = (const JmSankeyRenderer *) renderer;

  switch (jm_sankey_layout_hit_test (self->layout, x - renderer->plot_x, y - renderer->plot_y,
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
sankey_get_n_items (const JmChartRenderer *renderer)
{
  return jm_sankey_graph_get_n_nodes (((const JmSankeyRenderer *) renderer)->graph);
}

static const char *
sankey_get_item_name (const JmChartRenderer *renderer,
                      guint                  item)
{
  return jm_sankey_graph_get_node_name (((const JmSankeyRenderer *) renderer)->graph, item);
}

static void
sankey_finalize (JmChartRenderer *renderer)
{
  JmSankeyRenderer *self = (JmSankeyRenderer *) renderer;

  g_clear_pointer (&self->graph, jm_sankey_graph_free);
  g_clear_pointer (&self->layout, jm_sankey_layout_free);
  g_clear_pointer (&self->dropoffs, g_array_unref);
  g_clear_pointer (&self->medians, g_array_unref);
  g_clear_pointer (&self->color_index, g_free);
  g_clear_pointer (&self->node_in_flow, g_free);
  g_clear_pointer (&self->link_in_flow, g_free);
  g_clear_pointer (&self->bands, cairo_surface_destroy);
}

static const JmChartRendererClass sankey_class = {
  .kind = "sankey",
  .layout = sankey_layout,
  .draw = sankey_draw,
  .hit_test = sankey_hit_test,
  .get_n_items = sankey_get_n_items,
  .get_item_name = sankey_get_item_name,
  .finalize = sankey_finalize,
};

JmChartRenderer *
jm_sankey_renderer_new (JmSankeyGraph *graph,
                        double         total)
{
  JmSankeyRenderer *self;
  double nan_value = NAN;

  g_return_val_if_fail (graph != NULL, NULL);

  self = g_new0 (JmSankeyRenderer, 1);
  jm_chart_renderer_init (&self->parent, &sankey_class);
  self->graph = graph;
  self->total = isfinite (total) && total > 0 ? total : 0;
  self->dropoffs = g_array_new (FALSE, TRUE, sizeof (double));
  g_array_set_size (self->dropoffs, jm_sankey_graph_get_n_nodes (graph));
  self->medians = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < jm_sankey_graph_get_n_links (graph); i++)
    g_array_append_val (self->medians, nan_value);
  self->flow_for = -2;

  return &self->parent;
}

void
jm_sankey_renderer_set_node_dropoff (JmChartRenderer *renderer,
                                     guint            node,
                                     double           dropoff)
{
  JmSankeyRenderer *self = (JmSankeyRenderer *) renderer;

  g_return_if_fail (renderer != NULL && renderer->klass == &sankey_class);
  g_return_if_fail (node < self->dropoffs->len);

  g_array_index (self->dropoffs, double, node) = isfinite (dropoff) && dropoff > 0 ? dropoff : 0;
}

void
jm_sankey_renderer_set_link_median (JmChartRenderer *renderer,
                                    guint            link,
                                    double           seconds)
{
  JmSankeyRenderer *self = (JmSankeyRenderer *) renderer;

  g_return_if_fail (renderer != NULL && renderer->klass == &sankey_class);
  g_return_if_fail (link < self->medians->len);

  g_array_index (self->medians, double, link) = seconds;
}

JmChartRenderer *
jm_sankey_renderer_new_for_path_flow (const JmPathFlow *flow)
{
  g_autoptr(GHashTable) nodes = NULL;
  JmSankeyGraph *graph;
  JmChartRenderer *self;
  guint n_nodes;
  guint n_links;
  g_autofree char *units = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (flow != NULL, NULL);

  nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  graph = jm_sankey_graph_new ();
  n_nodes = jm_path_flow_get_n_nodes (flow);
  n_links = jm_path_flow_get_n_links (flow);

  for (guint i = 0; i < n_nodes; i++)
    {
      const JmPathFlowNode *node = jm_path_flow_get_node (flow, i);
      guint index = jm_sankey_graph_add_node_in_layer (graph, node->name, node->step - 1);

      jm_sankey_graph_set_node_value (graph, index, node->count);
      g_hash_table_insert (nodes, g_strdup_printf ("%u\x1f%s", node->step, node->name),
                           GUINT_TO_POINTER (index + 1));
    }

  for (guint i = 0; i < n_links; i++)
    {
      const JmPathFlowLink *link = jm_path_flow_get_link (flow, i);
      g_autofree char *source_key = g_strdup_printf ("%u\x1f%s", link->step, link->source);
      g_autofree char *target_key = g_strdup_printf ("%u\x1f%s", link->step + 1, link->target);
      guint source = GPOINTER_TO_UINT (g_hash_table_lookup (nodes, source_key));
      guint target = GPOINTER_TO_UINT (g_hash_table_lookup (nodes, target_key));

      /* Every link of a path flow joins two of its nodes. */
      g_assert (source > 0 && target > 0);
      jm_sankey_graph_add_link (graph, source - 1, target - 1, link->count);
    }

  self = jm_sankey_renderer_new (graph, jm_path_flow_get_n_units (flow));
  for (guint i = 0; i < n_nodes; i++)
    jm_sankey_renderer_set_node_dropoff (self, i, jm_path_flow_get_node (flow, i)->dropoff);
  for (guint i = 0; i < n_links; i++)
    jm_sankey_renderer_set_link_median (self, i, jm_path_flow_get_link (flow, i)->median_seconds);

  units = jm_chart_format_count (jm_path_flow_get_n_units (flow));
  title = g_strdup_printf ("Paths %s “%s”",
                           jm_path_flow_get_anchor (flow) == JM_PATH_ANCHOR_START ? "from" : "to",
                           jm_path_flow_get_anchor_event (flow));
  subtitle = g_strdup_printf ("%s %ss · %u steps", units,
                              jm_unit_kind_to_string (jm_path_flow_get_unit (flow)),
                              jm_path_flow_get_steps (flow));
  jm_chart_renderer_set_title (self, title);
  jm_chart_renderer_set_subtitle (self, subtitle);

  return self;
}

const JmSankeyLayout *
jm_sankey_renderer_get_layout (const JmChartRenderer *renderer,
                               double                *out_x,
                               double                *out_y)
{
  const JmSankeyRenderer *self = (const JmSankeyRenderer *) renderer;

  g_return_val_if_fail (renderer != NULL && renderer->klass == &sankey_class, NULL);

  if (out_x != NULL)
    *out_x = renderer->plot_x;
  if (out_y != NULL)
    *out_y = renderer->plot_y;

  return renderer->laid_out ? self->layout : NULL;
}

gboolean
jm_sankey_renderer_link_is_emphasised (const JmChartRenderer *renderer,
                                       guint                  link)
{
  JmSankeyRenderer *self = (JmSankeyRenderer *) renderer;

  g_return_val_if_fail (renderer != NULL && renderer->klass == &sankey_class, FALSE);
  g_return_val_if_fail (renderer->laid_out, FALSE);
  g_return_val_if_fail (link < jm_sankey_layout_get_n_links (self->layout), FALSE);

  update_flow (self);

  return self->link_in_flow[link];
}
