/* jm-channel.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-channel"

#include <string.h>

#include "jm-channel.h"

/* Hosts are matched by whole domain labels: a name without a dot matches any label of the
 * host (www.google.co.uk is google, notgoogle.com is not), a name with a dot matches the
 * host itself or any of its subdomains (t.co, mobile.x.com).
 */
static const char * const social_hosts[] = {
  "facebook", "fb", "instagram", "twitter", "t.co", "x.com", "linkedin", "lnkd.in", "tiktok",
  "youtube", "youtu.be", "reddit",
};

static const char * const search_hosts[] = {
  "google", "bing", "duckduckgo", "yahoo", "baidu", "yandex", "ecosia",
};

/* utm_source values that name a social network without being a host. */
static const char * const social_sources[] = {
  "x", "ig",
};

static gboolean
host_matches (const char *host,
              const char *name)
{
  gsize host_length = strlen (host);
  gsize name_length = strlen (name);

  if (strchr (name, '.') != NULL)
    {
      if (host_length == name_length)
        return strcmp (host, name) == 0;

      return host_length > name_length &&
             host[host_length - name_length - 1] == '.' &&
             strcmp (host + host_length - name_length, name) == 0;
    }

  for (const char *label = host; label != NULL && *label != '\0';)
    {
      const char *dot = strchr (label, '.');
      gsize label_length = dot != NULL ? (gsize)(dot - label) : strlen (label);

      if (label_length == name_length && strncmp (label, name, name_length) == 0)
        return TRUE;

      label = dot != NULL ? dot + 1 : NULL;
    }

  return FALSE;
}

static gboolean
host_in (const char         *host,
         const char * const *names,
         gsize               n_names)
{
  for (gsize i = 0; i < n_names; i++)
    {
      if (host_matches (host, names[i]))
        return TRUE;
    }

  return FALSE;
}

/* The lowercased host of a URL ("https://user@Www.Example.com:8080/x" → "www.example.com"),
 * also of a scheme-less "example.com/path"; NULL when there is no plausible host (PostHog's
 * "$direct", an empty string).
 */
static char *
dup_url_host (const char *url)
{
  const char *start;
  const char *end;
  const char *at;
  const char *scheme;
  g_autofree char *host = NULL;

  if (url == NULL)
    return NULL;

  while (g_ascii_isspace (*url))
    url++;

  scheme = strstr (url, "://");
  if (scheme != NULL)
    start = scheme + 3;
  else if (g_str_has_prefix (url, "//"))
    start = url + 2;
  else
    start = url;

  end = start + strcspn (start, "/?#");

  /* userinfo@host */
  at = memchr (start, '@', end - start);
  if (at != NULL)
    start = at + 1;

  /* host:port */
  if (*start != '[')
    {
      const char *colon = memchr (start, ':', end - start);

      if (colon != NULL)
        end = colon;
    }

  if (end <= start)
    return NULL;

  host = g_ascii_strdown (start, end - start);

  while (host[0] != '\0' && host[strlen (host) - 1] == '.')
    host[strlen (host) - 1] = '\0';

  if (strchr (host, '.') == NULL && strcmp (host, "localhost") != 0)
    return NULL;

  for (const char *p = host; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_' &&
          *p != '[' && *p != ']' && *p != ':' && !((guchar)*p & 0x80))
        return NULL;
    }

  return g_steal_pointer (&host);
}

static const char *
skip_www (const char *host)
{
  return g_str_has_prefix (host, "www.") ? host + 4 : host;
}

static char *
normalize (const char *value)
{
  if (value == NULL)
    return NULL;

  while (g_ascii_isspace (*value))
    value++;

  /* Analytics tools write these for "no campaign". */
  if (*value == '\0' || g_str_has_prefix (value, "(none)") ||
      g_str_has_prefix (value, "(not set)"))
    return NULL;

  return g_strchomp (g_ascii_strdown (value, -1));
}

static const char *
channel_for_medium (const char *medium)
{
  static const char * const paid[] = { "cpc", "ppc", "paidsearch" };
  static const char * const display[] = { "display", "banner", "cpm" };
  static const char * const email[] = { "email", "e-mail", "e_mail", "newsletter" };
  static const char * const affiliate[] = { "affiliate", "affiliates" };
  static const char * const social[] = { "social", "sm", "social-media", "social_media" };

  if (g_str_has_prefix (medium, "paid"))
    return JM_CHANNEL_PAID_SEARCH;

  for (guint i = 0; i < G_N_ELEMENTS (paid); i++)
    if (strcmp (medium, paid[i]) == 0)
      return JM_CHANNEL_PAID_SEARCH;

  for (guint i = 0; i < G_N_ELEMENTS (display); i++)
    if (strcmp (medium, display[i]) == 0)
      return JM_CHANNEL_DISPLAY;

  for (guint i = 0; i < G_N_ELEMENTS (email); i++)
    if (strcmp (medium, email[i]) == 0)
      return JM_CHANNEL_EMAIL;

  for (guint i = 0; i < G_N_ELEMENTS (affiliate); i++)
    if (strcmp (medium, affiliate[i]) == 0)
      return JM_CHANNEL_AFFILIATE;

  if (g_str_has_prefix (medium, "social-") || g_str_has_prefix (medium, "social_"))
    return JM_CHANNEL_SOCIAL;

  for (guint i = 0; i < G_N_ELEMENTS (social); i++)
    if (strcmp (medium, social[i]) == 0)
      return JM_CHANNEL_SOCIAL;

  if (strcmp (medium, "organic") == 0)
    return JM_CHANNEL_ORGANIC_SEARCH;

  return NULL;
}

static gboolean
source_is_social (const char *source)
{
  g_autofree char *host = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (social_sources); i++)
    if (strcmp (source, social_sources[i]) == 0)
      return TRUE;

  /* "facebook", "m.facebook.com", "https://t.co/…" */
  if (strchr (source, '.') == NULL)
    return host_in (source, social_hosts, G_N_ELEMENTS (social_hosts));

  host = dup_url_host (source);

  return host != NULL && host_in (host, social_hosts, G_N_ELEMENTS (social_hosts));
}

const char *
jm_channel_classify (const char *utm_medium,
                     const char *utm_source,
                     const char *referrer,
                     const char *page_url)
{
  g_autofree char *medium = normalize (utm_medium);
  g_autofree char *source = normalize (utm_source);
  g_autofree char *referrer_host = dup_url_host (referrer);
  const char *channel;

  if (medium != NULL && (channel = channel_for_medium (medium)) != NULL)
    return channel;

  if (source != NULL && source_is_social (source))
    return JM_CHANNEL_SOCIAL;

  if (referrer_host != NULL)
    {
      g_autofree char *page_host = dup_url_host (page_url);

      /* A link within the site itself is no marketing touch. */
      if (page_host != NULL && strcmp (skip_www (page_host), skip_www (referrer_host)) == 0)
        g_clear_pointer (&referrer_host, g_free);
    }

  if (referrer_host != NULL)
    {
      if (host_in (referrer_host, social_hosts, G_N_ELEMENTS (social_hosts)))
        return JM_CHANNEL_SOCIAL;

      if (host_in (referrer_host, search_hosts, G_N_ELEMENTS (search_hosts)))
        return JM_CHANNEL_ORGANIC_SEARCH;

      return JM_CHANNEL_REFERRAL;
    }

  /* Tagged, but with nothing we recognise. */
  if (medium != NULL || source != NULL)
    return JM_CHANNEL_REFERRAL;

  return "";
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

const char *
jm_channel_for_context (JsonObject *context)
{
  JsonObject *campaign;
  JsonObject *page;
  const char *medium;
  const char *source;
  const char *referrer;

  if (context == NULL || json_object_get_size (context) == 0)
    return "";

  campaign = get_object (context, "campaign");
  page = get_object (context, "page");

  if ((medium = get_string (campaign, "medium")) == NULL)
    medium = get_string (campaign, "utm_medium");
  if ((source = get_string (campaign, "source")) == NULL)
    source = get_string (campaign, "utm_source");

  if ((referrer = get_string (page, "referrer")) == NULL || referrer[0] == '\0')
    {
      if ((referrer = get_string (context, "referrer")) == NULL)
        referrer = get_string (get_object (context, "referrer"), "url");
    }

  /* The common case, an event with no campaign and no referrer, costs no allocation. */
  if (medium == NULL && source == NULL && (referrer == NULL || referrer[0] == '\0'))
    return "";

  return jm_channel_classify (medium, source, referrer, get_string (page, "url"));
}
