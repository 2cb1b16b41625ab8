/* test-demo.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "journey.h"

#define DAY_MS  G_GINT64_CONSTANT (86400000)
#define HOUR_MS G_GINT64_CONSTANT (3600000)
#define SESSION_GAP_MS (30 * G_GINT64_CONSTANT (60000))

/* The journey names the demo uses (see the comment at the top of jm-demo.c). */
static const char * const journey_names[] = {
  "/", "/search", "/category/women", "/category/men", "/category/home", "/category/sale",
  "/product", "/cart", "/checkout/shipping", "/checkout/payment", "/checkout/review",
  "/order/confirmation", "/account/login", "/signup", "/help", "/help/returns",
  "Products Searched", "Product Added", "Order Completed", "Signed Up", "Logged In",
  "Checkout Error",
};

typedef enum
{
  TIER_HIGH,
  TIER_MEDIUM,
  TIER_LOW,
} Tier;

/* The planted session purchase rates (the table in jm-demo.c), as measured ranges. */
static const struct
{
  const char *channel;
  Tier        tier;
  double      min_rate;
  double      max_rate;
} planted_rates[] = {
  { JM_CHANNEL_EMAIL,          TIER_HIGH,   0.085, 0.140 },
  { JM_CHANNEL_PAID_SEARCH,    TIER_HIGH,   0.055, 0.095 },
  { JM_CHANNEL_DIRECT,         TIER_MEDIUM, 0.035, 0.065 },
  { JM_CHANNEL_AFFILIATE,      TIER_MEDIUM, 0.025, 0.065 },
  { JM_CHANNEL_ORGANIC_SEARCH, TIER_MEDIUM, 0.026, 0.052 },
  { JM_CHANNEL_REFERRAL,       TIER_MEDIUM, 0.016, 0.052 },
  { JM_CHANNEL_SOCIAL,         TIER_LOW,    0.005, 0.020 },
  { JM_CHANNEL_DISPLAY,        TIER_LOW,    0.000, 0.020 },
};

static gint64
date_ms (const char *date)
{
  gint64 ms = 0;

  g_assert_true (jm_time_parse (date, &ms));

  return ms;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

/* What the generator means a message's context to say, independently of jm-channel: the
 * campaign medium, else who referred the visitor; "" for a link within the shop or nothing.
 */
static const char *
intended_touch (JsonObject *context)
{
  static const struct { const char *medium; const char *channel; } media[] = {
    { "cpc", JM_CHANNEL_PAID_SEARCH }, { "email", JM_CHANNEL_EMAIL },
    { "social", JM_CHANNEL_SOCIAL }, { "display", JM_CHANNEL_DISPLAY },
    { "affiliate", JM_CHANNEL_AFFILIATE },
  };
  const char *medium = get_string (get_object (context, "campaign"), "medium");
  const char *referrer = get_string (get_object (context, "page"), "referrer");

  if (medium != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (media); i++)
        if (strcmp (medium, media[i].medium) == 0)
          return media[i].channel;

      g_error ("unexpected medium %s", medium);
    }

  if (referrer == NULL || g_str_has_prefix (referrer, "https://shop.example.com/"))
    return "";
  if (strstr (referrer, "google.") || strstr (referrer, "bing.") ||
      strstr (referrer, "duckduckgo."))
    return JM_CHANNEL_ORGANIC_SEARCH;
  if (strstr (referrer, "facebook.") || strstr (referrer, "instagram.") ||
      strstr (referrer, "tiktok."))
    return JM_CHANNEL_SOCIAL;

  return JM_CHANNEL_REFERRAL;
}

static gboolean
is_named (const JmEvent *event,
          const char    *name)
{
  return event->type == JM_EVENT_TRACK && g_strcmp0 (event->event, name) == 0;
}

static void
checksum_object (GChecksum  *checksum,
                 JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (object == NULL)
    {
      g_checksum_update (checksum, (const guchar *) "-", 1);
      return;
    }

  node = json_node_init_object (json_node_alloc (), object);
  text = json_to_string (node, FALSE);
  g_checksum_update (checksum, (const guchar *) text, -1);
}

/* Every field of every message of the first `customers` customers. */
static char *
dup_digest (guint    customers,
            guint64  seed,
            guint   *out_events)
{
  JmDemoOptions options;
  g_autoptr(JmDemo) demo = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  jm_demo_options_init (&options);
  options.customers = customers;
  options.seed = seed;
  demo = jm_demo_new (&options);

  while (jm_demo_next_customer (demo, events))
    ;

  for (guint i = 0; i < events->len; i++)
    {
      const JmEvent *event = g_ptr_array_index (events, i);
      g_autofree char *fields = NULL;

      fields = g_strdup_printf ("%d|%s|%s|%s|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%u|",
                                event->type, event->id, event->event, event->user_id,
                                event->anonymous_id, event->ts, event->received_at,
                                event->consent);
      g_checksum_update (checksum, (const guchar *) fields, -1);
      checksum_object (checksum, event->properties);
      checksum_object (checksum, event->context);
      checksum_object (checksum, event->traits);
    }

  *out_events = events->len;

  return g_strdup (g_checksum_get_string (checksum));
}

static void
test_defaults (void)
{
  JmDemoOptions options;

  jm_demo_options_init (&options);

  g_assert_cmpuint (options.customers, ==, 5000);
  g_assert_cmpuint (options.days, ==, 90);
  g_assert_cmpuint (options.seed, ==, 42);
  /* The period ends with 2026-06-30: its exclusive end is midnight UTC after it. */
  g_assert_cmpint (options.end_ms, ==, date_ms ("2026-07-01T00:00:00Z"));
}

static void
test_deterministic (void)
{
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *other_seed = NULL;
  g_autofree char *more_customers = NULL;
  guint n_first = 0;
  guint n_again = 0;
  guint n_other = 0;
  guint n_more = 0;

  first = dup_digest (300, 42, &n_first);
  again = dup_digest (300, 42, &n_again);
  other_seed = dup_digest (300, 43, &n_other);

  g_assert_cmpuint (n_first, >, 0);
  g_assert_cmpuint (n_first, ==, n_again);
  g_assert_cmpstr (first, ==, again);
  g_assert_cmpstr (first, !=, other_seed);

  /* Asking for more customers adds customers; it does not change the first ones. */
  g_free (dup_digest (301, 42, &n_more));
  g_assert_cmpuint (n_more, >, n_first);
  more_customers = dup_digest (300, 42, &n_more);
  g_assert_cmpstr (more_customers, ==, first);
}

static void
test_period (void)
{
  JmDemoOptions options;
  g_autoptr(JmDemo) demo = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 start_ms;
  guint customers = 0;

  for (guint i = 0; i < G_N_ELEMENTS (journey_names); i++)
    g_hash_table_add (names, (gpointer) journey_names[i]);

  jm_demo_options_init (&options);
  options.customers = 250;
  options.days = 30;
  options.seed = 7;
  options.end_ms = date_ms ("2025-03-01");
  start_ms = options.end_ms - 30 * DAY_MS;
  demo = jm_demo_new (&options);

  while (jm_demo_next_customer (demo, events))
    {
      gint64 previous_ts = G_MININT64;

      customers++;
      g_assert_cmpuint (events->len, >, 0);

      for (guint i = 0; i < events->len; i++)
        {
          const JmEvent *event = g_ptr_array_index (events, i);
          g_autofree char *name = jm_event_dup_journey_name (event);

          g_assert_cmpint (event->ts, >=, start_ms);
          g_assert_cmpint (event->ts, <, options.end_ms);
          g_assert_cmpint (event->ts, >, previous_ts);
          g_assert_cmpint (event->received_at, >, event->ts);
          g_assert_cmpint (event->received_at, <, event->ts + 10000);
          previous_ts = event->ts;

          g_assert_nonnull (event->id);
          g_assert_false (g_hash_table_contains (ids, event->id));
          g_hash_table_add (ids, g_strdup (event->id));
          g_assert_nonnull (event->anonymous_id);
          g_assert_true (event->consent & JM_CONSENT_ANALYTICS);

          if (jm_event_is_journey_event (event))
            {
              g_assert_nonnull (name);
              if (!g_hash_table_contains (names, name))
                g_error ("unexpected journey name %s", name);
              /* The broken checkout is planted 10 days before the end, on that day only. */
              g_assert_false (g_str_has_prefix (name, "Checkout Error") &&
                              !(event->ts >= options.end_ms - 10 * DAY_MS &&
                                event->ts < options.end_ms - 9 * DAY_MS));
            }
          else
            {
              g_assert_cmpint (event->type, ==, JM_EVENT_IDENTIFY);
              g_assert_nonnull (event->user_id);
              g_assert_nonnull (event->traits);
              g_assert_true (g_str_has_suffix (get_string (event->traits, "email"),
                                               "@example.com"));
            }

          if (event->type == JM_EVENT_PAGE)
            {
              JsonObject *page = get_object (event->context, "page");

              g_assert_cmpstr (get_string (page, "path"), ==,
                               get_string (event->properties, "path"));
              g_assert_cmpstr (get_string (page, "url"), ==, get_string (event->properties, "url"));
              g_assert_true (g_str_has_prefix (get_string (page, "url"),
                                               "https://shop.example.com/"));
              g_assert_nonnull (get_string (page, "title"));
              g_assert_nonnull (get_string (event->context, "userAgent"));
              g_assert_nonnull (get_string (event->context, "locale"));
              g_assert_nonnull (get_string (event->context, "session_id"));
              g_assert_true (g_str_has_prefix (get_string (event->context, "ip"), "203.0.113.") ||
                             g_str_has_prefix (get_string (event->context, "ip"), "198.51.100."));
            }
        }

      g_ptr_array_set_size (events, 0);
    }

  g_assert_cmpuint (customers, ==, 250);
  g_assert_false (jm_demo_next_customer (demo, events));
  g_assert_cmpuint (events->len, ==, 0);
}

static void
test_short_period_has_no_anomalies (void)
{
  JmDemoOptions options;
  g_autoptr(JmDemo) demo = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  guint orders = 0;

  jm_demo_options_init (&options);
  options.customers = 300;
  options.days = 7;
  demo = jm_demo_new (&options);

  while (jm_demo_next_customer (demo, events))
    ;

  for (guint i = 0; i < events->len; i++)
    {
      const JmEvent *event = g_ptr_array_index (events, i);
      const char *campaign = get_string (get_object (event->context, "campaign"), "name");

      g_assert_cmpint (event->ts, >=, options.end_ms - 7 * DAY_MS);
      g_assert_false (is_named (event, "Checkout Error"));
      g_assert_cmpstr (campaign, !=, "summer_sale");
      g_assert_cmpstr (campaign, !=, "influencer_post");
      orders += is_named (event, "Order Completed");
    }

  g_assert_cmpuint (orders, >, 0);
}

static guint
count_messages (guint customers)
{
  JmDemoOptions options;
  g_autoptr(JmDemo) demo = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  guint n = 0;

  jm_demo_options_init (&options);
  options.customers = customers;
  demo = jm_demo_new (&options);

  while (jm_demo_next_customer (demo, events))
    {
      n += events->len;
      g_ptr_array_set_size (events, 0);
    }

  return n;
}

static void
test_volume (void)
{
  guint thousand = count_messages (1000);
  guint two_thousand = count_messages (2000);

  /* About 40 messages per customer: the default 5,000 customers give ~200k events. */
  g_assert_cmpuint (thousand, >=, 30 * 1000);
  g_assert_cmpuint (thousand, <=, 50 * 1000);
  g_assert_cmpfloat ((double) two_thousand / thousand, >, 1.8);
  g_assert_cmpfloat ((double) two_thousand / thousand, <, 2.2);
}

typedef struct
{
  guint sessions;
  guint purchases;
} Rate;

typedef struct
{
  gint64      start_ms;
  guint       days;
  GHashTable *rates;           /* channel → Rate* */
  Rate        summer_sale;
  Rate        other_email;
  guint      *events_per_day;
  guint      *anonymous_per_day;
  guint      *orders_per_day;
  guint       events_per_hour[24];
  guint       customers;
  guint       multi_device;
  guint       identified;
  guint       anonymous_only;
  guint       checkout_errors_elsewhere;
  GHashTable *names;
} Shape;

static Rate *
shape_rate (Shape      *shape,
            const char *channel)
{
  Rate *rate = g_hash_table_lookup (shape->rates, channel);

  if (rate == NULL)
    {
      rate = g_new0 (Rate, 1);
      g_hash_table_insert (shape->rates, (gpointer) channel, rate);
    }

  return rate;
}

static double
rate_of (const Rate *rate)
{
  g_assert_nonnull (rate);
  g_assert_cmpuint (rate->sessions, >, 100);

  return (double) rate->purchases / rate->sessions;
}

static void
shape_add_session (Shape       *shape,
                   const char  *channel,
                   const char  *campaign,
                   gboolean     bought)
{
  Rate *rate = shape_rate (shape, channel);

  rate->sessions++;
  rate->purchases += bought;

  if (strcmp (channel, JM_CHANNEL_EMAIL) == 0)
    {
      Rate *email = g_strcmp0 (campaign, "summer_sale") == 0 ? &shape->summer_sale
                                                             : &shape->other_email;

      email->sessions++;
      email->purchases += bought;
    }
}

/* Splits one customer's messages into sessions the way the analyses do (30 minutes of
 * inactivity) and counts what the tests look at.
 */
static void
shape_add_customer (Shape     *shape,
                    GPtrArray *events)
{
  g_autoptr(GHashTable) devices = g_hash_table_new (g_str_hash, g_str_equal);
  const char *channel = NULL;
  const char *campaign = NULL;
  gboolean bought = FALSE;
  gboolean identified = FALSE;
  gint64 previous_ts = 0;

  shape->customers++;

  for (guint i = 0; i < events->len; i++)
    {
      const JmEvent *event = g_ptr_array_index (events, i);
      const char *touch = jm_channel_for_context (event->context);
      g_autofree char *name = NULL;
      guint day;

      g_hash_table_add (devices, event->anonymous_id);
      identified |= event->user_id != NULL;

      /* Every message's context says what the generator meant it to. */
      g_assert_cmpstr (touch, ==, intended_touch (event->context));

      if (!jm_event_is_journey_event (event))
        continue;

      if (channel != NULL && event->ts - previous_ts > SESSION_GAP_MS)
        {
          shape_add_session (shape, channel, campaign, bought);
          channel = NULL;
        }

      if (channel == NULL)
        {
          /* The first event of a session is its landing page, which carries the touch. */
          g_assert_cmpint (event->type, ==, JM_EVENT_PAGE);
          channel = touch[0] != '\0' ? touch : JM_CHANNEL_DIRECT;
          campaign = get_string (get_object (event->context, "campaign"), "name");
          bought = FALSE;
        }
      else if (event->type == JM_EVENT_PAGE)
        {
          /* Later pages of a session are reached from the shop itself: no new touch. */
          g_assert_cmpstr (touch, ==, "");
        }
      previous_ts = event->ts;

      name = jm_event_dup_journey_name (event);
      g_hash_table_add (shape->names, g_steal_pointer (&name));

      day = (event->ts - shape->start_ms) / DAY_MS;
      g_assert_cmpuint (day, <, shape->days);
      shape->events_per_day[day]++;
      if (event->user_id == NULL)
        shape->anonymous_per_day[day]++;
      shape->events_per_hour[(event->ts / HOUR_MS) % 24]++;

      if (is_named (event, "Order Completed"))
        {
          bought = TRUE;
          shape->orders_per_day[day]++;
          g_assert_cmpfloat (json_object_get_double_member (event->properties, "revenue"), >, 0);
          g_assert_cmpstr (get_string (event->properties, "currency"), ==, "EUR");
          g_assert_nonnull (get_string (event->properties, "order_id"));
        }

      if (is_named (event, "Checkout Error") && day != shape->days - 10)
        shape->checkout_errors_elsewhere++;
    }

  if (channel != NULL)
    shape_add_session (shape, channel, campaign, bought);

  shape->multi_device += g_hash_table_size (devices) > 1;
  shape->identified += identified;
  shape->anonymous_only += !identified;
}

static double
mean_of_days (const guint *per_day,
              guint        first,
              guint        last,
              guint        skip)
{
  double sum = 0;
  guint n = 0;

  for (guint d = first; d <= last; d++)
    {
      if (d == skip)
        continue;
      sum += per_day[d];
      n++;
    }

  return sum / n;
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint ua = *(const guint *) a;
  guint ub = *(const guint *) b;

  return (ua > ub) - (ua < ub);
}

static double
median_of_days (const guint *per_day,
                guint        first,
                guint        last)
{
  g_autofree guint *copy = g_memdup2 (per_day + first, (last - first + 1) * sizeof (guint));
  guint n = last - first + 1;

  qsort (copy, n, sizeof (guint), compare_uint);

  return n % 2 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2.0;
}

static void
test_shape (void)
{
  JmDemoOptions options;
  g_autoptr(JmDemo) demo = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  g_autofree guint *events_per_day = NULL;
  g_autofree guint *anonymous_per_day = NULL;
  g_autofree guint *orders_per_day = NULL;
  g_autoptr(GHashTable) rates = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Shape shape = { 0 };
  guint broken, spike;
  double weekday = 0, weekend = 0;
  guint n_weekday = 0, n_weekend = 0;
  guint night = 0, evening = 0, lunch = 0, morning = 0;

  jm_demo_options_init (&options);
  options.customers = 3000;
  demo = jm_demo_new (&options);

  shape.start_ms = options.end_ms - options.days * DAY_MS;
  shape.days = options.days;
  shape.rates = rates;
  shape.names = names;
  shape.events_per_day = events_per_day = g_new0 (guint, options.days);
  shape.anonymous_per_day = anonymous_per_day = g_new0 (guint, options.days);
  shape.orders_per_day = orders_per_day = g_new0 (guint, options.days);

  while (jm_demo_next_customer (demo, events))
    {
      shape_add_customer (&shape, events);
      g_ptr_array_set_size (events, 0);
    }

  g_assert_cmpuint (shape.customers, ==, 3000);

  /* A moderate number of distinct steps keeps the journey map readable. */
  g_assert_cmpuint (g_hash_table_size (names), >=, 20);
  g_assert_cmpuint (g_hash_table_size (names), <=, 25);

  /* Purchase rate per session channel: inside the planted ranges, the tiers in order. */
  for (guint i = 0; i < G_N_ELEMENTS (planted_rates); i++)
    {
      double rate = rate_of (g_hash_table_lookup (rates, planted_rates[i].channel));

      g_test_message ("%s: %.4f", planted_rates[i].channel, rate);
      g_assert_cmpfloat (rate, >=, planted_rates[i].min_rate);
      g_assert_cmpfloat (rate, <=, planted_rates[i].max_rate);

      for (guint j = 0; j < G_N_ELEMENTS (planted_rates); j++)
        {
          if (planted_rates[i].tier < planted_rates[j].tier)
            g_assert_cmpfloat (rate, >,
                               rate_of (g_hash_table_lookup (rates, planted_rates[j].channel)));
        }
    }
  g_assert_cmpfloat (rate_of (g_hash_table_lookup (rates, JM_CHANNEL_EMAIL)), >,
                     rate_of (g_hash_table_lookup (rates, JM_CHANNEL_PAID_SEARCH)));
  g_assert_cmpuint (g_hash_table_size (rates), ==, G_N_ELEMENTS (planted_rates));

  /* The summer_sale campaign converts far better than the rest of Email. */
  g_test_message ("summer_sale %.4f, other Email %.4f",
                  rate_of (&shape.summer_sale), rate_of (&shape.other_email));
  g_assert_cmpfloat (rate_of (&shape.summer_sale), >=, 2 * rate_of (&shape.other_email));

  /* The broken checkout: almost no orders that day, Checkout Error on no other day. */
  broken = options.days - 10;
  g_test_message ("orders on the broken day %u, around it %.1f", orders_per_day[broken],
                  mean_of_days (orders_per_day, broken - 3, broken + 3, broken));
  g_assert_cmpfloat (orders_per_day[broken], <,
                     0.35 * mean_of_days (orders_per_day, broken - 3, broken + 3, broken));
  g_assert_cmpuint (shape.checkout_errors_elsewhere, ==, 0);

  /* The spike: a few times the usual anonymous traffic, and clearly more events. */
  spike = options.days - 25;
  g_test_message ("spike day: %u events, %u anonymous; median %.0f, %.0f", events_per_day[spike],
                  anonymous_per_day[spike], median_of_days (events_per_day, spike - 14, spike + 14),
                  median_of_days (anonymous_per_day, spike - 14, spike + 14));
  g_assert_cmpfloat (anonymous_per_day[spike], >=,
                     2.5 * median_of_days (anonymous_per_day, spike - 14, spike + 14));
  g_assert_cmpfloat (events_per_day[spike], >=,
                     1.3 * median_of_days (events_per_day, spike - 14, spike + 14));

  /* Weekly seasonality: weekends are clearly quieter (the anomaly days left out). */
  for (guint d = 0; d < options.days; d++)
    {
      gint64 day_ms = shape.start_ms + d * DAY_MS;
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (day_ms / 1000);

      if (d == spike || d == broken)
        continue;

      if (g_date_time_get_day_of_week (date) >= 6)
        {
          weekend += events_per_day[d];
          n_weekend++;
        }
      else
        {
          weekday += events_per_day[d];
          n_weekday++;
        }
    }
  g_test_message ("weekend/weekday: %.2f", (weekend / n_weekend) / (weekday / n_weekday));
  g_assert_cmpfloat ((weekend / n_weekend) / (weekday / n_weekday), <, 0.8);

  /* Daily curve (UTC): quiet nights, busy lunch and evening. */
  for (guint h = 2; h < 5; h++)
    night += shape.events_per_hour[h];
  for (guint h = 7; h < 10; h++)
    morning += shape.events_per_hour[h];
  for (guint h = 11; h < 14; h++)
    lunch += shape.events_per_hour[h];
  for (guint h = 19; h < 22; h++)
    evening += shape.events_per_hour[h];
  g_assert_cmpuint (night * 8, <, morning);
  g_assert_cmpuint (morning, <, lunch);
  g_assert_cmpuint (lunch, <, evening);

  /* Devices and identities: about 30% use two devices, many stay anonymous. */
  g_test_message ("multi-device %u, identified %u, anonymous only %u of %u",
                  shape.multi_device, shape.identified, shape.anonymous_only, shape.customers);
  g_assert_cmpfloat ((double) shape.multi_device / shape.customers, >, 0.2);
  g_assert_cmpfloat ((double) shape.multi_device / shape.customers, <, 0.4);
  g_assert_cmpfloat ((double) shape.anonymous_only / shape.customers, >, 0.2);
  g_assert_cmpfloat ((double) shape.identified / shape.customers, >, 0.35);
}

typedef struct
{
  guint64  events;
  guint64  sessions;
  guint64  anonymous_before;   /* messages sent before the device was identified */
  guint    devices;
  char    *anonymous_ids[2];
} Expected;

static void
expected_free (gpointer data)
{
  Expected *expected = data;

  g_free (expected->anonymous_ids[0]);
  g_free (expected->anonymous_ids[1]);
  g_free (expected);
}

/* What the store should know about each identified customer, from the generator itself: every
 * message of each device that was ever identified belongs to the customer, including those sent
 * before.
 */
static GHashTable *
dup_expected_customers (const JmDemoOptions *options,
                        guint64             *out_purchases)
{
  g_autoptr(JmDemo) demo = jm_demo_new (options);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
  GHashTable *customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, expected_free);

  *out_purchases = 0;

  while (jm_demo_next_customer (demo, events))
    {
      g_autoptr(GHashTable) linked = g_hash_table_new (g_str_hash, g_str_equal);
      const char *user_id = NULL;
      Expected *expected;
      gint64 previous_ts = 0;

      for (guint i = 0; i < events->len; i++)
        {
          const JmEvent *event = g_ptr_array_index (events, i);

          if (event->user_id != NULL)
            {
              user_id = event->user_id;
              g_hash_table_add (linked, event->anonymous_id);
            }
          *out_purchases += is_named (event, "Order Completed");
        }

      if (user_id == NULL)
        {
          g_ptr_array_set_size (events, 0);
          continue;
        }

      expected = g_new0 (Expected, 1);
      for (guint i = 0; i < events->len; i++)
        {
          const JmEvent *event = g_ptr_array_index (events, i);

          if (!g_hash_table_contains (linked, event->anonymous_id))
            continue;

          if (expected->devices == 0 ||
              (expected->devices == 1 &&
               strcmp (expected->anonymous_ids[0], event->anonymous_id) != 0))
            expected->anonymous_ids[expected->devices++] = g_strdup (event->anonymous_id);

          expected->events++;
          if (event->user_id == NULL)
            expected->anonymous_before++;
          if (jm_event_is_journey_event (event))
            {
              if (expected->sessions == 0 || event->ts - previous_ts > SESSION_GAP_MS)
                expected->sessions++;
              previous_ts = event->ts;
            }
        }

      g_hash_table_insert (customers, g_strdup (user_id), expected);
      g_ptr_array_set_size (events, 0);
    }

  return customers;
}

static gboolean
contains_string (GPtrArray  *strings,
                 const char *string)
{
  for (guint i = 0; i < strings->len; i++)
    if (strcmp (g_ptr_array_index (strings, i), string) == 0)
      return TRUE;

  return FALSE;
}

static void
count_progress_cb (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  guint64 *calls = user_data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (total, ==, 150);
  calls[0]++;
  calls[1] = done;
}

static void
test_generate_into_store (void)
{
  JmDemoOptions options;
  JmDemoReport report = { 0 };
  JmDemoReport again = { 0 };
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(JmStoreStats) stats_again = NULL;
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint64 purchases = 0;
  guint64 progress[2] = { 0, 0 };
  guint multi_device = 0;
  guint stitched_history = 0;
  gint64 project;

  jm_demo_options_init (&options);
  options.customers = 150;

  store = jm_store_open (":memory:", JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);

  jm_demo_generate (store, project, &options, count_progress_cb, progress, NULL, &report, &error);
  g_assert_no_error (error);

  expected = dup_expected_customers (&options, &purchases);

  g_assert_cmpuint (report.customers, ==, 150);
  g_assert_cmpuint (report.purchases, ==, purchases);
  g_assert_cmpuint (report.purchases, >, 0);
  g_assert_cmpfloat (report.seconds, >, 0);
  g_assert_cmpuint (progress[0], >=, 2);
  g_assert_cmpuint (progress[1], ==, 150);

  stats = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->events, ==, report.events);
  g_assert_cmpint (stats->first_ts, >=, options.end_ms - options.days * DAY_MS);
  g_assert_cmpint (stats->last_ts, <, options.end_ms);

  /* Identified customers own the whole history of their devices, anonymous part included. */
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *customer_id = key;
      const Expected *want = value;
      g_autoptr(JmCustomerProfile) profile = NULL;

      profile = jm_store_load_customer (store, project, customer_id, &error);
      g_assert_no_error (error);

      g_assert_cmpuint (profile->events->len, ==, want->events);
      g_assert_cmpuint (profile->sessions, ==, want->sessions);
      g_assert_cmpuint (profile->anonymous_ids->len, ==, want->devices);
      for (guint d = 0; d < want->devices; d++)
        g_assert_true (contains_string (profile->anonymous_ids, want->anonymous_ids[d]));
      g_assert_nonnull (profile->customer->traits);
      g_assert_nonnull (strstr (profile->customer->traits, "@example.com"));

      multi_device += want->devices > 1;
      stitched_history += want->anonymous_before > 0;
    }

  g_test_message ("%u identified customers, %u on two devices, %u with an anonymous history",
                  g_hash_table_size (expected), multi_device, stitched_history);
  g_assert_cmpuint (multi_device, >=, 10);
  g_assert_cmpuint (stitched_history, >=, g_hash_table_size (expected) / 3);

  /* Generating again stores nothing twice: the message ids are the same. */
  jm_demo_generate (store, project, &options, NULL, NULL, NULL, &again, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again.events, ==, report.events);
  stats_again = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats_again->events, ==, stats->events);
  g_assert_cmpint (stats_again->customers, ==, stats->customers);
}

static void
cancel_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  if (done > 0)
    g_cancellable_cancel (user_data);
}

static void
test_generate_cancelled (void)
{
  JmDemoOptions options;
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmStoreStats) stats = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  JmDemoReport report = { 0 };
  gint64 project;

  jm_demo_options_init (&options);
  options.customers = 100000;

  store = jm_store_open (":memory:", JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);

  g_assert_false (jm_demo_generate (store, project, &options, cancel_progress_cb, cancellable,
                                    cancellable, &report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* It stopped after the first batch instead of generating 100,000 customers. */
  stats = jm_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->events, >, 0);
  g_assert_cmpint (stats->events, <, 20000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/demo/defaults", test_defaults);
  g_test_add_func ("/jm/demo/deterministic", test_deterministic);
  g_test_add_func ("/jm/demo/period", test_period);
  g_test_add_func ("/jm/demo/short-period", test_short_period_has_no_anomalies);
  g_test_add_func ("/jm/demo/volume", test_volume);
  g_test_add_func ("/jm/demo/shape", test_shape);
  g_test_add_func ("/jm/demo/generate", test_generate_into_store);
  g_test_add_func ("/jm/demo/generate-cancelled", test_generate_cancelled);

  return g_test_run ();
}
