/* jm-chart-theme.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JmChartTheme: the colours and fonts every chart is drawn with.
 *
 * Light and dark follow libadwaita's window colours and GNOME's palette; the colour-blind-safe
 * palette is Okabe and Ito's eight colours, told apart under every common colour-vision
 * deficiency. Series colours are used in order; the heat scale runs from `heat_low` (no one
 * retained) to `heat_high` (everyone).
 */

#define JM_CHART_N_SERIES 8

typedef enum
{
  JM_CHART_STYLE_LIGHT,
  JM_CHART_STYLE_DARK,
} JmChartStyle;

typedef enum
{
  JM_CHART_PALETTE_DEFAULT,
  JM_CHART_PALETTE_COLORBLIND_SAFE,
} JmChartPalette;

typedef struct
{
  double red;
  double green;
  double blue;
  double alpha;
} JmChartColor;

typedef struct
{
  JmChartStyle   style;
  JmChartPalette palette;
  JmChartColor   background;
  JmChartColor   foreground;       /* titles and labels */
  JmChartColor   dim_foreground;   /* secondary labels, axes */
  JmChartColor   grid;
  JmChartColor   link;             /* flows and edges at rest */
  JmChartColor   neutral;          /* "Other", START/END */
  JmChartColor   accent;           /* the selection */
  JmChartColor   dropoff;
  JmChartColor   label_background; /* the pill behind labels drawn over flows */
  JmChartColor   heat_low;
  JmChartColor   heat_high;
  JmChartColor   series[JM_CHART_N_SERIES];
  const char    *font_family;      /* a Pango family list */
  double         font_size;        /* labels, in pixels */
  double         title_size;
} JmChartTheme;

/* A theme lives as long as the program; never NULL. */
const JmChartTheme *jm_chart_theme_get               (JmChartStyle        style,
                                                      JmChartPalette      palette);
/* "light", "dark". */
gboolean            jm_chart_style_from_string       (const char         *text,
                                                      JmChartStyle       *out_style);
/* "default", "colorblind" (also "colorblind-safe"). */
gboolean            jm_chart_palette_from_string     (const char         *text,
                                                      JmChartPalette     *out_palette);
/* The colour at `t` ∈ [0, 1] of the heat scale. */
JmChartColor        jm_chart_theme_heat_color        (const JmChartTheme *self,
                                                      double              t);
/* The foreground that reads on `fill`: the theme's dark or light text by the fill's luminance. */
JmChartColor        jm_chart_theme_text_on           (const JmChartTheme *self,
                                                      JmChartColor        fill);

G_END_DECLS
