/* test-channel.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "jm-channel.h"

typedef struct
{
  const char *medium;
  const char *source;
  const char *referrer;
  const char *page_url;
  const char *expected;
} ClassifyCase;

static const ClassifyCase classify_cases[] = {
  /* utm_medium rules */
  { "cpc", NULL, NULL, NULL, JM_CHANNEL_PAID_SEARCH },
  { "CPC", "google", NULL, NULL, JM_CHANNEL_PAID_SEARCH },
  { "ppc", NULL, NULL, NULL, JM_CHANNEL_PAID_SEARCH },
  { "paidsearch", NULL, NULL, NULL, JM_CHANNEL_PAID_SEARCH },
  { "paid_search", NULL, NULL, NULL, JM_CHANNEL_PAID_SEARCH },
  { "paid-social", "facebook", NULL, NULL, JM_CHANNEL_PAID_SEARCH },
  { "display", NULL, NULL, NULL, JM_CHANNEL_DISPLAY },
  { "banner", NULL, NULL, NULL, JM_CHANNEL_DISPLAY },
  { "cpm", NULL, NULL, NULL, JM_CHANNEL_DISPLAY },
  { "email", "newsletter-june", NULL, NULL, JM_CHANNEL_EMAIL },
  { "e-mail", NULL, NULL, NULL, JM_CHANNEL_EMAIL },
  { " Email ", NULL, NULL, NULL, JM_CHANNEL_EMAIL },
  { "newsletter", NULL, NULL, NULL, JM_CHANNEL_EMAIL },
  { "affiliate", NULL, NULL, NULL, JM_CHANNEL_AFFILIATE },
  { "social", NULL, NULL, NULL, JM_CHANNEL_SOCIAL },
  { "social-network", NULL, NULL, NULL, JM_CHANNEL_SOCIAL },
  { "sm", NULL, NULL, NULL, JM_CHANNEL_SOCIAL },
  { "organic", "google", NULL, NULL, JM_CHANNEL_ORGANIC_SEARCH },

  /* a campaign beats the referrer, even an internal one */
  { "email", NULL, "https://www.google.com/", NULL, JM_CHANNEL_EMAIL },
  { "cpc", NULL, "https://shop.example/", "https://shop.example/cart", JM_CHANNEL_PAID_SEARCH },

  /* social sources */
  { NULL, "facebook", NULL, NULL, JM_CHANNEL_SOCIAL },
  { NULL, "Instagram", NULL, NULL, JM_CHANNEL_SOCIAL },
  { NULL, "t.co", NULL, NULL, JM_CHANNEL_SOCIAL },
  { NULL, "x", NULL, NULL, JM_CHANNEL_SOCIAL },
  { NULL, "m.facebook.com", NULL, NULL, JM_CHANNEL_SOCIAL },
  { "referral", "linkedin", NULL, NULL, JM_CHANNEL_SOCIAL },

  /* social referrers */
  { NULL, NULL, "https://www.facebook.com/", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://l.facebook.com/l.php?u=x", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://t.co/abc123", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://x.com/someone/status/1", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://mobile.x.com/", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://lnkd.in/xyz", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://www.linkedin.com/feed/", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://www.tiktok.com/@shop", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://www.youtube.com/watch?v=1", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://old.reddit.com/r/x", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://www.instagram.com/", NULL, JM_CHANNEL_SOCIAL },
  { NULL, NULL, "https://twitter.com/", NULL, JM_CHANNEL_SOCIAL },

  /* search engines */
  { NULL, NULL, "https://www.google.com/", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://www.google.co.uk/search?q=shoes", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://WWW.GOOGLE.DE:443/", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://www.bing.com/search?q=x", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://duckduckgo.com/", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://search.yahoo.com/", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://www.baidu.com/", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://yandex.ru/search/", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "https://www.ecosia.org/search", NULL, JM_CHANNEL_ORGANIC_SEARCH },
  { NULL, NULL, "google.com/search?q=x", NULL, JM_CHANNEL_ORGANIC_SEARCH },

  /* look-alike hosts are ordinary referrers */
  { NULL, NULL, "https://notgoogle.com/", NULL, JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://googleblog.example/", NULL, JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://myfacebook.net/", NULL, JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://box.com/", NULL, JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://t.com/", NULL, JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://nott.co/", NULL, JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://bingo.example/", NULL, JM_CHANNEL_REFERRAL },
  { NULL, "notfacebook", NULL, NULL, JM_CHANNEL_REFERRAL },

  /* other referrers, internal ones */
  { NULL, NULL, "https://blog.example.org/post", NULL, JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://blog.example.org/post", "https://shop.example/", JM_CHANNEL_REFERRAL },
  { NULL, NULL, "https://shop.example/cart", "https://shop.example/checkout", "" },
  { NULL, NULL, "https://www.shop.example/", "https://shop.example/checkout", "" },
  { NULL, NULL, "http://SHOP.example:8080/a", "https://shop.example/b", "" },
  { NULL, NULL, "https://www.google.com/", "https://www.google.com/maps", "" },

  /* tagged, but with nothing recognised */
  { "qr-code", NULL, NULL, NULL, JM_CHANNEL_REFERRAL },
  { NULL, "partner-site", NULL, NULL, JM_CHANNEL_REFERRAL },
  { "print", "flyer", "https://shop.example/", "https://shop.example/", JM_CHANNEL_REFERRAL },

  /* nothing */
  { NULL, NULL, NULL, NULL, "" },
  { "", "", "", "", "" },
  { "(none)", NULL, NULL, NULL, "" },
  { NULL, NULL, "$direct", NULL, "" },
  { NULL, NULL, NULL, "https://shop.example/", "" },
};

static void
test_classify (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (classify_cases); i++)
    {
      const ClassifyCase *c = &classify_cases[i];
      const char *channel = jm_channel_classify (c->medium, c->source, c->referrer, c->page_url);

      g_test_message ("medium=%s source=%s referrer=%s url=%s",
                      c->medium, c->source, c->referrer, c->page_url);
      g_assert_cmpstr (channel, ==, c->expected);
    }
}

typedef struct
{
  const char *context;
  const char *expected;
} ContextCase;

static const ContextCase context_cases[] = {
  /* Segment's campaign object */
  { "{\"campaign\":{\"name\":\"spring\",\"medium\":\"cpc\",\"source\":\"google\"}}",
    JM_CHANNEL_PAID_SEARCH },
  /* utm_* spellings */
  { "{\"campaign\":{\"utm_medium\":\"email\",\"utm_source\":\"mailchimp\"}}", JM_CHANNEL_EMAIL },
  { "{\"campaign\":{\"utm_source\":\"facebook\"}}", JM_CHANNEL_SOCIAL },
  /* referrers */
  { "{\"page\":{\"referrer\":\"https://www.bing.com/\",\"url\":\"https://shop.example/\"}}",
    JM_CHANNEL_ORGANIC_SEARCH },
  { "{\"page\":{\"referrer\":\"https://shop.example/a\",\"url\":\"https://shop.example/b\"}}",
    "" },
  { "{\"page\":{\"referrer\":\"\",\"url\":\"https://shop.example/b\"}}", "" },
  { "{\"referrer\":\"https://news.example/\"}", JM_CHANNEL_REFERRAL },
  { "{\"referrer\":{\"type\":\"link\",\"url\":\"https://www.reddit.com/r/x\"}}",
    JM_CHANNEL_SOCIAL },
  { "{\"page\":{\"referrer\":\"https://shop.example/a\",\"url\":\"https://shop.example/b\"},"
    "\"campaign\":{\"medium\":\"affiliate\"}}", JM_CHANNEL_AFFILIATE },
  /* nothing of use, or values of the wrong type */
  { "{}", "" },
  { "{\"locale\":\"de-DE\",\"page\":{\"url\":\"https://shop.example/\"}}", "" },
  { "{\"campaign\":\"cpc\",\"page\":{\"referrer\":42}}", "" },
  { "{\"campaign\":{\"medium\":null}}", "" },
};

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_for_context (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (context_cases); i++)
    {
      g_autoptr(JsonObject) context = parse_object (context_cases[i].context);

      g_test_message ("context %s", context_cases[i].context);
      g_assert_cmpstr (jm_channel_for_context (context), ==, context_cases[i].expected);
    }

  g_assert_cmpstr (jm_channel_for_context (NULL), ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/channel/classify", test_classify);
  g_test_add_func ("/jm/channel/for-context", test_for_context);

  return g_test_run ();
}
