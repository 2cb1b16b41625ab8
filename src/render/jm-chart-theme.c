/* jm-chart-theme.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-render"

#include "config.h"

#include <math.h>

#include "jm-chart-theme.h"

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, \
                   ((hex) & 0xff) / 255.0, 1.0 }
#define RGBA(hex, a) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, \
                       ((hex) & 0xff) / 255.0, (a) }

#define FONT_FAMILY "Cantarell, Inter, DejaVu Sans, sans-serif"

/* GNOME palette: blue 3, green 4, orange 3, purple 3, yellow 4, red 3, brown 3, and the teal of
 * libadwaita's accent colours. */
#define ADWAITA_LIGHT_SERIES \
  { RGB (0x3584e4), RGB (0x2ec27e), RGB (0xff7800), RGB (0x9141ac), \
    RGB (0xf5c211), RGB (0xe01b24), RGB (0x986a44), RGB (0x2190a4) }
/* The lighter shades (2) read better on the dark window colour. */
#define ADWAITA_DARK_SERIES \
  { RGB (0x62a0ea), RGB (0x57e389), RGB (0xffa348), RGB (0xc061cb), \
    RGB (0xf8e45c), RGB (0xf66151), RGB (0xcdab8f), RGB (0x5bc8dc) }
/* Okabe–Ito, the black replaced by a grey that shows on both backgrounds. */
#define OKABE_ITO_SERIES \
  { RGB (0x0072b2), RGB (0xe69f00), RGB (0x009e73), RGB (0xcc79a7), \
    RGB (0x56b4e9), RGB (0xd55e00), RGB (0xf0e442), RGB (0x999999) }

static const JmChartTheme themes[2][2] = {
  [JM_CHART_STYLE_LIGHT] = {
    [JM_CHART_PALETTE_DEFAULT] = {
      JM_CHART_STYLE_LIGHT, JM_CHART_PALETTE_DEFAULT,
      RGB (0xffffff), RGBA (0x000000, 0.8), RGBA (0x000000, 0.55), RGBA (0x000000, 0.08),
      RGBA (0x3584e4, 0.28), RGB (0x9a9996), RGB (0x1c71d8), RGB (0xc01c28),
      RGBA (0xffffff, 0.82), RGB (0xe8f1fc), RGB (0x1a5fb4),
      ADWAITA_LIGHT_SERIES, FONT_FAMILY, 12, 17,
    },
    [JM_CHART_PALETTE_COLORBLIND_SAFE] = {
      JM_CHART_STYLE_LIGHT, JM_CHART_PALETTE_COLORBLIND_SAFE,
      RGB (0xffffff), RGBA (0x000000, 0.8), RGBA (0x000000, 0.55), RGBA (0x000000, 0.08),
      RGBA (0x0072b2, 0.28), RGB (0x999999), RGB (0x0072b2), RGB (0xd55e00),
      RGBA (0xffffff, 0.82), RGB (0xeef5fb), RGB (0x004c7a),
      OKABE_ITO_SERIES, FONT_FAMILY, 12, 17,
    },
  },
  [JM_CHART_STYLE_DARK] = {
    [JM_CHART_PALETTE_DEFAULT] = {
      JM_CHART_STYLE_DARK, JM_CHART_PALETTE_DEFAULT,
      RGB (0x1e1e1e), RGB (0xffffff), RGBA (0xffffff, 0.6), RGBA (0xffffff, 0.1),
      RGBA (0x62a0ea, 0.32), RGB (0x77767b), RGB (0x78aeed), RGB (0xf66151),
      RGBA (0x1e1e1e, 0.82), RGB (0x2a2f38), RGB (0x3584e4),
      ADWAITA_DARK_SERIES, FONT_FAMILY, 12, 17,
    },
    [JM_CHART_PALETTE_COLORBLIND_SAFE] = {
      JM_CHART_STYLE_DARK, JM_CHART_PALETTE_COLORBLIND_SAFE,
      RGB (0x1e1e1e), RGB (0xffffff), RGBA (0xffffff, 0.6), RGBA (0xffffff, 0.1),
      RGBA (0x56b4e9, 0.32), RGB (0x888888), RGB (0x56b4e9), RGB (0xe69f00),
      RGBA (0x1e1e1e, 0.82), RGB (0x24303a), RGB (0x56b4e9),
      OKABE_ITO_SERIES, FONT_FAMILY, 12, 17,
    },
  },
};

const JmChartTheme *
jm_chart_theme_get (JmChartStyle   style,
                    JmChartPalette palette)
{
  g_return_val_if_fail (style <= JM_CHART_STYLE_DARK, &themes[0][0]);
  g_return_val_if_fail (palette <= JM_CHART_PALETTE_COLORBLIND_SAFE, &themes[0][0]);

  return &themes[style][palette];
}

gboolean
jm_chart_style_from_string (const char   *text,
                            JmChartStyle *out_style)
{
  g_return_val_if_fail (out_style != NULL, FALSE);

  if (g_strcmp0 (text, "light") == 0)
    *out_style = JM_CHART_STYLE_LIGHT;
  else if (g_strcmp0 (text, "dark") == 0)
    *out_style = JM_CHART_STYLE_DARK;
  else
    return FALSE;

  return TRUE;
}

gboolean
jm_chart_palette_from_string (const char     *text,
                              JmChartPalette *out_palette)
{
  g_return_val_if_fail (out_palette != NULL, FALSE);

  if (g_strcmp0 (text, "default") == 0)
    *out_palette = JM_CHART_PALETTE_DEFAULT;
  else if (g_strcmp0 (text, "colorblind") == 0 || g_strcmp0 (text, "colorblind-safe") == 0)
    *out_palette = JM_CHART_PALETTE_COLORBLIND_SAFE;
  else
    return FALSE;

  return TRUE;
}

JmChartColor
jm_chart_theme_heat_color (const JmChartTheme *self,
                           double              t)
{
  JmChartColor color;

  g_return_val_if_fail (self != NULL, (JmChartColor) { 0 });

  t = isfinite (t) ? CLAMP (t, 0, 1) : 0;
  /* A square root spreads the low rates, where most retention tables live. */
  t = sqrt (t);
  color.red = self->heat_low.red + (self->heat_high.red - self->heat_low.red) * t;
  color.green = self->heat_low.green + (self->heat_high.green - self->heat_low.green) * t;
  color.blue = self->heat_low.blue + (self->heat_high.blue - self->heat_low.blue) * t;
  color.alpha = 1;

  return color;
}

JmChartColor
jm_chart_theme_text_on (const JmChartTheme *self,
                        JmChartColor        fill)
{
  double luminance;

  g_return_val_if_fail (self != NULL, (JmChartColor) { 0 });

  luminance = 0.2126 * fill.red + 0.7152 * fill.green + 0.0722 * fill.blue;
  if (luminance > 0.55)
    return (JmChartColor) { 0, 0, 0, 0.8 };

  return (JmChartColor) { 1, 1, 1, 1 };
}
