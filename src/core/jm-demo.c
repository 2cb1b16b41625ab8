/* jm-demo.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The demo generator: a small European fashion and home shop, "Example Shop" at
 * shop.example.com, seen through a Segment-style browser tracker.
 *
 * Everything comes from GRand seeded with the options' seed and the customer's index, so the
 * same options give byte-identical messages, a customer does not change when only the number
 * of customers does, and a million customers are generated one by one in constant memory.
 *
 * Customers. About 18% (20 / (days + 20), at most 30%) are one-off visitors brought by the
 * social spike below; the others are regular customers with 1–37 sessions (about 8 on
 * average) spread over the whole period. 40% of the regular customers own two devices (a phone
 * and a computer), each with its own anonymous id, and use both when they come more than
 * once (about 27% of all customers); 35% already have an account from before the period
 * (some still logged in on their first device), the others may sign up. Until a device logs
 * in (`/account/login` + identify + "Logged In", or `/signup` + identify + "Signed Up") its
 * events are anonymous; the identify links the device's anonymous id to the user id
 * `u_000123`, so stitching matters. Checking out needs an account; customers who never check
 * out or sign up stay anonymous units.
 *
 * Time. Sessions are placed on days weighted by weekday (Saturday 0.60, Sunday 0.70 of a
 * weekday) and at hours following a daily curve in UTC (few at night, peaks at lunch and in the
 * evening); sessions of one customer are more than 30 minutes apart, events within a session
 * seconds to minutes (never more than 10 minutes) apart.
 *
 * Sessions. Each session has an acquisition channel, carried by the landing page's context
 * (context.campaign and/or context.page.referrer, DESIGN §6); the pages after it have the
 * previous page of the shop as referrer and no campaign, so they carry no touch. Whether the
 * session ends in an order is drawn at its start from the channel's planted rate; sessions
 * that do not buy leave at a drawn stage (bounce 34%, browsing 34%, cart 13%, shipping 7%,
 * payment 5%, review 3%, or they only read the help pages: 4%), with loops on the way:
 * product → search → product, product → product, cart → product → cart,
 * payment → shipping → payment.
 *
 * Planted purchase rate per session, by session channel. Measured rates are a little lower
 * (the broken-checkout day, sessions cut off at the end of the period); the ranges are what
 * 3,000 customers give for most seeds, and what the tests check with the default seed,
 * together with the order of the tiers (every high channel above every medium one, every
 * medium one above every low one, Email above Paid Search):
 *
 *   tier    channel          planted                                    measured range
 *   high    Email            10%, summer_sale 30%: about 11.8% overall  8.5–14%
 *   high    Paid Search      7.5%                                       5.5–9.5%
 *   medium  Direct           5%                                         3.5–6.5%
 *   medium  Affiliate        4.5%                                       2.5–6.5%
 *   medium  Organic Search   4%                                         2.6–5.2%
 *   medium  Referral         3.5%                                       1.6–5.2%
 *   low     Social           1.5%, spike visitors 0.5%: about 1.25%     0.5–2%
 *   low     Display          0.8%                                       0–2%
 *
 * Planted anomalies, fixed relative to the end of the period (when inside it):
 *
 *   1. Broken checkout on the day 10 days before the end (2026-06-21 by default): every
 *      payment submitted that day fails with a "Checkout Error" track (step "payment");
 *      customers retry, some look for help, and only 5% get through to "Order Completed".
 *   2. The Email campaign `summer_sale` runs from 30 to 16 days before the end
 *      (2026-06-01 to 2026-06-14 by default) for half of the Email sessions in that window,
 *      lands on /category/sale and converts at 3× the Email base rate (30% vs 10%).
 *   3. A volume spike 25 days before the end (2026-06-06 by default): an Instagram post
 *      (campaign `influencer_post`, or a plain instagram.com referrer) at 16:00 UTC brings
 *      one-off anonymous visitors: that Saturday has about four times the anonymous events
 *      of a usual day and 1.5 times the events of a weekday (2.5 times a Saturday's);
 *      72% of the visitors bounce and they almost never buy (0.5%).
 *
 * Journey names (22): the pages /, /search, /category/{women,men,home,sale}, /product,
 * /cart, /checkout/{shipping,payment,review}, /order/confirmation, /account/login, /signup,
 * /help, /help/returns and the tracks "Products Searched", "Product Added", "Order Completed",
 * "Signed Up", "Logged In" and "Checkout Error".
 */

#define G_LOG_DOMAIN "jm-demo"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jm-demo.h"
#include "jm-store-private.h"
#include "jm-event.h"
#include "jm-time.h"

#define SECOND_MS G_GINT64_CONSTANT (1000)
#define MINUTE_MS G_GINT64_CONSTANT (60000)
#define HOUR_MS   G_GINT64_CONSTANT (3600000)
#define DAY_MS    G_GINT64_CONSTANT (86400000)

#define SHOP_ORIGIN  "https://shop.example.com"
#define SHOP_NAME    "Example Shop"
#define BATCH_SIZE   5000
#define N_PRODUCTS   480
#define MAX_SESSIONS 40
#define MAX_CART     6

#define BROKEN_CHECKOUT_DAYS_BEFORE_END   10
#define BROKEN_CHECKOUT_SUCCESS           0.05
#define SUMMER_SALE_FIRST_DAY_BEFORE_END  30
#define SUMMER_SALE_END_DAY_BEFORE_END    16
#define SUMMER_SALE_SHARE                 0.5
#define SUMMER_SALE_LIFT                  3.0
#define SPIKE_DAYS_BEFORE_END             25
#define SPIKE_VISITORS_PER_DAY            20.0
#define SPIKE_PURCHASE_RATE               0.005

typedef enum
{
  CHANNEL_DIRECT,
  CHANNEL_ORGANIC_SEARCH,
  CHANNEL_PAID_SEARCH,
  CHANNEL_EMAIL,
  CHANNEL_SOCIAL,
  CHANNEL_REFERRAL,
  CHANNEL_DISPLAY,
  CHANNEL_AFFILIATE,
  N_CHANNELS
} Channel;

typedef enum
{
  GOAL_BOUNCE,
  GOAL_BROWSE,
  GOAL_HELP,
  GOAL_CART,
  GOAL_SHIPPING,
  GOAL_PAYMENT,
  GOAL_REVIEW,
  GOAL_PURCHASE,
} Goal;

typedef enum
{
  PAGE_NONE,
  PAGE_HOME,
  PAGE_SEARCH,
  PAGE_CATEGORY,
  PAGE_PRODUCT,
  PAGE_CART,
  PAGE_CHECKOUT,
  PAGE_ACCOUNT,
  PAGE_HELP,
} PageKind;

enum
{
  CATEGORY_WOMEN,
  CATEGORY_MEN,
  CATEGORY_HOME,
  CATEGORY_SALE,
};

/* Per channel: the planted purchase rate of a session, and its share of first visits, of
 * later visits by customers with an account (who get e-mail) and of later visits by
 * customers without one. Shares are relative weights.
 */
static const struct
{
  double purchase_rate;
  double first_weight;
  double known_weight;
  double unknown_weight;
} channels[N_CHANNELS] = {
  [CHANNEL_DIRECT]         = { 0.050, 0.18, 0.30, 0.30 },
  [CHANNEL_ORGANIC_SEARCH] = { 0.040, 0.26, 0.14, 0.22 },
  [CHANNEL_PAID_SEARCH]    = { 0.075, 0.20, 0.12, 0.18 },
  [CHANNEL_EMAIL]          = { 0.100, 0.00, 0.22, 0.00 },
  [CHANNEL_SOCIAL]         = { 0.015, 0.12, 0.08, 0.10 },
  [CHANNEL_REFERRAL]       = { 0.035, 0.08, 0.05, 0.07 },
  [CHANNEL_DISPLAY]        = { 0.008, 0.08, 0.04, 0.07 },
  [CHANNEL_AFFILIATE]      = { 0.045, 0.08, 0.05, 0.06 },
};

static const char * const category_slugs[] = { "women", "men", "home", "sale" };
static const char * const category_titles[] = { "Women", "Men", "Home", "Sale" };

static const char * const product_adjectives[] = {
  "Classic", "Linen", "Striped", "Organic", "Relaxed", "Vintage", "Everyday", "Woven",
  "Minimal", "Coastal", "Soft", "Recycled",
};

static const char * const product_nouns[3][8] = {
  { "Dress", "Blouse", "Skirt", "Sandals", "Cardigan", "Jumpsuit", "Sun Hat", "Tote Bag" },
  { "Shirt", "Chinos", "Sneakers", "Rain Jacket", "Polo", "Shorts", "Belt", "Hoodie" },
  { "Table Lamp", "Vase", "Cushion", "Towel Set", "Candle", "Throw", "Mug Set", "Planter" },
};

static const char * const search_queries[3][5] = {
  { "summer dress", "linen blouse", "sandals", "straw hat", "wrap skirt" },
  { "linen shirt", "chinos", "white sneakers", "rain jacket", "polo shirt" },
  { "desk lamp", "throw pillow", "ceramic vase", "bath towels", "scented candle" },
};

static const struct
{
  const char *code;
  const char *locale;
  double      weight;
} countries[] = {
  { "DE", "de-DE", 0.30 },
  { "FR", "fr-FR", 0.18 },
  { "ES", "es-ES", 0.12 },
  { "IT", "it-IT", 0.12 },
  { "NL", "nl-NL", 0.10 },
  { "AT", "de-AT", 0.06 },
  { "BE", "fr-BE", 0.06 },
  { "IE", "en-IE", 0.06 },
};

static const char * const first_names[] = {
  "anna", "lena", "marie", "sophie", "laura", "julia", "clara", "emma", "lucia", "sara",
  "paul", "lukas", "jan", "felix", "max", "leon", "marco", "pierre", "david", "tom",
};

static const char * const last_names[] = {
  "schmidt", "mueller", "weber", "fischer", "martin", "bernard", "garcia", "rossi",
  "jansen", "dubois", "moreau", "lopez", "bianchi", "visser", "murphy", "wagner",
};

static const char * const desktop_agents[] = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
  "Chrome/125.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
  "Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
  "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
};

static const char * const mobile_agents[] = {
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
  "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
  "Chrome/125.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
  "Chrome/125.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
  "Version/17.5 Mobile/15E148 Safari/604.1",
};

static const char * const organic_referrers[] = {
  "https://www.google.com/", "https://www.google.com/", "https://www.google.com/",
  "https://www.google.com/", "https://www.google.com/", "https://www.google.com/",
  "https://www.bing.com/", "https://www.bing.com/", "https://duckduckgo.com/",
};

static const char * const referral_referrers[] = {
  "https://www.modeblog.example.org/2026/summer-essentials",
  "https://news.example.net/style/the-best-linen-shirts",
  "https://www.giftguide.example.org/for-the-home",
  "https://forum.example.net/t/where-to-buy-sandals/4412",
};

/* Weekday weights, Monday first: weekends are clearly quieter. */
static const double weekday_weights[7] = { 1.05, 1.0, 1.0, 1.0, 0.92, 0.60, 0.70 };

/* Hour of the day (UTC): quiet nights, a lunch peak and a larger evening peak. */
static const double hour_weights[24] = {
  0.25, 0.12, 0.07, 0.05, 0.05, 0.08, 0.20, 0.45, 0.70, 0.85, 0.95, 1.10,
  1.50, 1.40, 1.00, 0.90, 0.90, 1.00, 1.25, 1.65, 1.90, 1.70, 1.10, 0.55,
};

/* Visitors after the spike's post at 16:00, decaying over the evening. */
static const double spike_hour_weights[24] = {
  0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.03, 0.04, 0.05, 0.05, 0.06,
  0.08, 0.08, 0.07, 0.07, 1.60, 1.30, 1.00, 0.80, 0.60, 0.40, 0.25, 0.10,
};

typedef struct
{
  char   id[8];
  guint8 category;
  guint8 on_sale;
  guint8 adjective;
  guint8 noun;
  gint32 price_cents;
} Product;

typedef struct
{
  char        anonymous_id[40];
  char        ip[16];
  const char *user_agent;
  gboolean    logged_in;
} Device;

typedef struct
{
  guint16 product;
  guint8  quantity;
} CartItem;

typedef struct
{
  char       user_id[24];
  char       email[64];
  guint      country;
  guint      interest;      /* the product category the customer mostly looks at */
  guint      consent;
  gboolean   spike_visitor;
  gboolean   has_account;
  gboolean   identified;    /* an identify with the traits was sent */
  gboolean   pro;
  gint64     signup_ms;
  Device     devices[2];
  guint      n_devices;
  CartItem   cart[MAX_CART];
  guint      n_cart;
} Customer;

struct _JmDemo
{
  JmDemoOptions options;
  gint64        start_ms;
  GRand        *rand;
  Product       products[N_PRODUCTS];
  guint64       next_customer;
  double        spike_share;
  gint64        broken_day_ms;    /* start of the broken-checkout day (may be outside) */
  gint64        spike_day_ms;
  gint64        sale_start_ms;
  gint64        sale_end_ms;

  /* The customer being generated and their messages. */
  Customer      customer;
  GPtrArray    *pending;
  gint64        now;

  /* The session being generated. */
  Device       *device;
  char          session_id[24];
  Channel       channel;
  const char   *utm_source;
  const char   *utm_medium;
  const char   *utm_campaign;
  const char   *external_referrer;
  PageKind      page_kind;
  int           product;          /* shown on the current page, or -1 */
  guint         category;         /* the category the session is about */
  char         *page_path;
  char         *page_url;
  char         *page_title;
  char         *page_search;      /* "?id=…", or NULL */
  char         *page_referrer;
  gboolean      on_landing_page;
  gint64        redirect_ms;      /* the next page follows this fast, not after reading; or -1 */
};

/* Randomness helpers */

static gboolean
chance (GRand  *rand,
        double  p)
{
  return g_rand_double (rand) < p;
}

static guint
pick_weighted (GRand        *rand,
               const double *weights,
               guint         n_weights)
{
  double total = 0.0;
  double r;

  for (guint i = 0; i < n_weights; i++)
    total += weights[i];

  r = g_rand_double (rand) * total;
  for (guint i = 0; i < n_weights; i++)
    {
      if (r < weights[i])
        return i;
      r -= weights[i];
    }

  return n_weights - 1;
}

static guint
pick_index (GRand *rand,
            guint  n)
{
  return g_rand_int_range (rand, 0, (gint32) n);
}

/* A random element of a static array. */
#define PICK(rand, array) ((array)[pick_index ((rand), G_N_ELEMENTS (array))])

static gint64
pick_ms (GRand  *rand,
         gint64  min_ms,
         gint64  max_ms)
{
  g_assert (max_ms - min_ms < G_MAXINT32);

  return min_ms + g_rand_int_range (rand, 0, (gint32) (max_ms - min_ms + 1));
}

static void
format_uuid (GRand *rand,
             char   out[40])
{
  guint32 a = g_rand_int (rand);
  guint32 b = (g_rand_int (rand) & 0xffff0fff) | 0x00004000;
  guint32 c = (g_rand_int (rand) & 0x3fffffff) | 0x80000000;
  guint32 d = g_rand_int (rand);

  g_snprintf (out, 40, "%08x-%04x-%04x-%04x-%04x%08x",
              a, b >> 16, b & 0xffff, c >> 16, c & 0xffff, d);
}

static void
demo_seed (JmDemo  *self,
           guint64  stream)
{
  guint32 seed[5] = {
    (guint32) self->options.seed,
    (guint32) (self->options.seed >> 32),
    (guint32) stream,
    (guint32) (stream >> 32),
    0x4a4d444d,
  };

  g_rand_set_seed_array (self->rand, seed, G_N_ELEMENTS (seed));
}

static guint
day_weekday (gint64 day_start_ms)
{
  gint64 days = day_start_ms / DAY_MS;

  /* 1970-01-01 was a Thursday; 0 is Monday. */
  return (guint) (((days % 7) + 7 + 3) % 7);
}

static gboolean
in_day (gint64 ms,
        gint64 day_start_ms)
{
  return ms >= day_start_ms && ms < day_start_ms + DAY_MS;
}

/* Options */

void
jm_demo_options_init (JmDemoOptions *options)
{
  gint64 end_date_ms = 0;

  g_return_if_fail (options != NULL);

  if (!jm_time_parse (JM_DEMO_DEFAULT_END_DATE, &end_date_ms))
    g_assert_not_reached ();

  options->customers = JM_DEMO_DEFAULT_CUSTOMERS;
  options->days = JM_DEMO_DEFAULT_DAYS;
  options->seed = JM_DEMO_DEFAULT_SEED;
  options->end_ms = end_date_ms + DAY_MS;
}

/* The catalogue: the same for every customer of a seed. */
static void
demo_build_catalogue (JmDemo *self)
{
  static const int base_prices[3][2] = { { 19, 149 }, { 19, 159 }, { 9, 129 } };
  static const int endings[] = { 95, 99, 0, 50 };

  demo_seed (self, G_MAXUINT64);

  for (guint i = 0; i < N_PRODUCTS; i++)
    {
      Product *product = &self->products[i];
      guint category = i % 3;
      int euros = g_rand_int_range (self->rand, base_prices[category][0],
                                    base_prices[category][1] + 1);

      g_snprintf (product->id, sizeof product->id, "P%04u", 1001 + i);
      product->category = category;
      product->on_sale = chance (self->rand, 0.25);
      product->adjective = pick_index (self->rand, G_N_ELEMENTS (product_adjectives));
      product->noun = pick_index (self->rand, G_N_ELEMENTS (product_nouns[0]));
      product->price_cents = euros * 100 + endings[pick_index (self->rand, G_N_ELEMENTS (endings))];
      if (product->price_cents % 100 == 0 && euros > 20)
        product->price_cents -= 100;
    }
}

JmDemo *
jm_demo_new (const JmDemoOptions *options)
{
  JmDemo *self;
  gint64 end_ms;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->days > 0, NULL);
  g_return_val_if_fail (options->end_ms > (gint64) options->days * DAY_MS, NULL);

  end_ms = options->end_ms;

  self = g_new0 (JmDemo, 1);
  self->options = *options;
  self->start_ms = end_ms - (gint64) options->days * DAY_MS;
  self->rand = g_rand_new ();
  self->pending = g_ptr_array_new ();
  self->broken_day_ms = end_ms - BROKEN_CHECKOUT_DAYS_BEFORE_END * DAY_MS;
  self->spike_day_ms = end_ms - SPIKE_DAYS_BEFORE_END * DAY_MS;
  self->sale_start_ms = end_ms - SUMMER_SALE_FIRST_DAY_BEFORE_END * DAY_MS;
  self->sale_end_ms = end_ms - SUMMER_SALE_END_DAY_BEFORE_END * DAY_MS;

  /* The spike is sized against a day's regular traffic, which shrinks as the same customers
   * are spread over more days.
   */
  if (self->spike_day_ms >= self->start_ms)
    self->spike_share = MIN (0.3, SPIKE_VISITORS_PER_DAY /
                                  (options->days + SPIKE_VISITORS_PER_DAY));

  demo_build_catalogue (self);

  return self;
}

static void
demo_clear_page (JmDemo *self)
{
  g_clear_pointer (&self->page_path, g_free);
  g_clear_pointer (&self->page_url, g_free);
  g_clear_pointer (&self->page_title, g_free);
  g_clear_pointer (&self->page_search, g_free);
  g_clear_pointer (&self->page_referrer, g_free);
}

void
jm_demo_free (JmDemo *self)
{
  if (self == NULL)
    return;

  demo_clear_page (self);
  g_ptr_array_free (self->pending, TRUE);
  g_rand_free (self->rand);
  g_free (self);
}

/* Messages */

static JsonObject *
demo_context_new (JmDemo *self)
{
  JsonObject *context = json_object_new ();
  JsonObject *library = json_object_new ();

  if (self->page_path != NULL)
    {
      JsonObject *page = json_object_new ();

      json_object_set_string_member (page, "path", self->page_path);
      if (self->page_referrer != NULL)
        json_object_set_string_member (page, "referrer", self->page_referrer);
      if (self->page_search != NULL)
        json_object_set_string_member (page, "search", self->page_search);
      json_object_set_string_member (page, "title", self->page_title);
      json_object_set_string_member (page, "url", self->page_url);
      json_object_set_object_member (context, "page", page);
    }

  /* The tracker repeats the landing page's campaign on every message of that page load. */
  if (self->on_landing_page && self->utm_medium != NULL)
    {
      JsonObject *campaign = json_object_new ();

      json_object_set_string_member (campaign, "name", self->utm_campaign);
      json_object_set_string_member (campaign, "source", self->utm_source);
      json_object_set_string_member (campaign, "medium", self->utm_medium);
      json_object_set_object_member (context, "campaign", campaign);
    }

  json_object_set_string_member (context, "ip", self->device->ip);
  json_object_set_string_member (library, "name", "journey.js");
  json_object_set_string_member (library, "version", "1.2.0");
  json_object_set_object_member (context, "library", library);
  json_object_set_string_member (context, "locale", countries[self->customer.country].locale);
  json_object_set_string_member (context, "session_id", self->session_id);
  json_object_set_string_member (context, "userAgent", self->device->user_agent);

  return context;
}

/* Appends a message `delay_ms` after the previous one, from the current device and page. */
static JmEvent *
demo_emit (JmDemo      *self,
           JmEventType  type,
           gint64       delay_ms)
{
  JmEvent *event = jm_event_new (type);
  char id[40];

  self->now += delay_ms;

  format_uuid (self->rand, id);
  event->id = g_strdup (id);
  event->ts = self->now;
  event->received_at = self->now + pick_ms (self->rand, 40, 1500);
  event->anonymous_id = g_strdup (self->device->anonymous_id);
  if (self->device->logged_in)
    event->user_id = g_strdup (self->customer.user_id);
  event->consent = self->customer.consent;
  g_clear_pointer (&event->context, json_object_unref);
  event->context = demo_context_new (self);

  g_ptr_array_add (self->pending, event);

  return event;
}

/* Time spent reading a page before the next one: mostly under a minute, sometimes several. */
static gint64
demo_dwell (JmDemo *self)
{
  double r = g_rand_double (self->rand);

  if (r < 0.70)
    return pick_ms (self->rand, 4 * SECOND_MS, 60 * SECOND_MS);
  else if (r < 0.95)
    return pick_ms (self->rand, 60 * SECOND_MS, 4 * MINUTE_MS);
  else
    return pick_ms (self->rand, 4 * MINUTE_MS, 10 * MINUTE_MS);
}

static JmEvent *
demo_track (JmDemo     *self,
            const char *name,
            gint64      min_delay_ms,
            gint64      max_delay_ms)
{
  gint64 delay_ms = pick_ms (self->rand, min_delay_ms, max_delay_ms);
  JmEvent *event = demo_emit (self, JM_EVENT_TRACK, delay_ms);

  event->event = g_strdup (name);

  return event;
}

/* Shows a page of the shop; `query` is the URL's query without '?', or NULL. */
static JmEvent *
demo_page (JmDemo     *self,
           PageKind    kind,
           const char *name,
           const char *path,
           const char *query,
           const char *title)
{
  g_autofree char *search = NULL;
  g_autofree char *referrer = NULL;
  JmEvent *event;
  gint64 delay = 0;

  if (self->page_url != NULL)
    {
      /* A page of the shop leads here: its URL is the referrer, the campaign is gone. */
      referrer = g_steal_pointer (&self->page_url);
      self->on_landing_page = FALSE;
      delay = self->redirect_ms >= 0 ? self->redirect_ms : demo_dwell (self);
      self->redirect_ms = -1;
    }
  else
    {
      referrer = g_strdup (self->external_referrer);
    }

  if (self->on_landing_page && self->utm_medium != NULL)
    search = g_strdup_printf ("?%s%sutm_source=%s&utm_medium=%s&utm_campaign=%s",
                              query != NULL ? query : "", query != NULL ? "&" : "",
                              self->utm_source, self->utm_medium, self->utm_campaign);
  else if (query != NULL)
    search = g_strdup_printf ("?%s", query);

  demo_clear_page (self);
  self->page_kind = kind;
  self->page_path = g_strdup (path);
  self->page_url = g_strconcat (SHOP_ORIGIN, path, search, NULL);
  self->page_title = g_strdup_printf ("%s – " SHOP_NAME, title);
  self->page_search = g_steal_pointer (&search);
  self->page_referrer = g_steal_pointer (&referrer);
  if (kind != PAGE_PRODUCT)
    self->product = -1;

  event = demo_emit (self, JM_EVENT_PAGE, delay);
  event->event = g_strdup (name);
  json_object_set_string_member (event->properties, "path", self->page_path);
  if (self->page_referrer != NULL)
    json_object_set_string_member (event->properties, "referrer", self->page_referrer);
  if (self->page_search != NULL)
    json_object_set_string_member (event->properties, "search", self->page_search);
  json_object_set_string_member (event->properties, "title", self->page_title);
  json_object_set_string_member (event->properties, "url", self->page_url);

  return event;
}

static char *
product_dup_name (const Product *product)
{
  return g_strdup_printf ("%s %s", product_adjectives[product->adjective],
                          product_nouns[product->category][product->noun]);
}

static void
set_product_properties (JsonObject    *properties,
                        const Product *product)
{
  g_autofree char *name = product_dup_name (product);

  json_object_set_string_member (properties, "product_id", product->id);
  json_object_set_string_member (properties, "name", name);
  json_object_set_string_member (properties, "category", category_slugs[product->category]);
  json_object_set_double_member (properties, "price", product->price_cents / 100.0);
}

/* Pages */

static void
demo_visit_home (JmDemo *self)
{
  demo_page (self, PAGE_HOME, "Home", "/", NULL, "Fashion and home");
}

static void
demo_visit_category (JmDemo *self,
                     guint   category)
{
  g_autofree char *path = g_strdup_printf ("/category/%s", category_slugs[category]);

  self->category = category;
  demo_page (self, PAGE_CATEGORY, "Category", path, NULL, category_titles[category]);
}

static void
demo_visit_search (JmDemo *self)
{
  guint category = self->category == CATEGORY_SALE ? self->customer.interest : self->category;
  const char *query = search_queries[category][pick_index (self->rand, 5)];
  g_autofree char *escaped = g_strdup (query);
  g_autofree char *url_query = NULL;
  JmEvent *track;

  g_strdelimit (escaped, " ", '+');
  url_query = g_strdup_printf ("q=%s", escaped);
  self->category = category;
  demo_page (self, PAGE_SEARCH, "Search", "/search", url_query, "Search results");

  track = demo_track (self, "Products Searched", 300, 2 * SECOND_MS);
  json_object_set_string_member (track->properties, "query", query);
  json_object_set_int_member (track->properties, "results", g_rand_int_range (self->rand, 0, 60));
}

static guint
demo_pick_product (JmDemo *self,
                   guint   category)
{
  /* Products of a category sit at i % 3 == category; sale pages list reduced ones. */
  for (guint tries = 0; ; tries++)
    {
      guint category_of_pick = category == CATEGORY_SALE ? pick_index (self->rand, 3) : category;
      guint i = pick_index (self->rand, N_PRODUCTS / 3) * 3 + category_of_pick;

      if (category != CATEGORY_SALE || self->products[i].on_sale || tries >= 8)
        return i;
    }
}

static void
demo_visit_product (JmDemo *self,
                    guint   index)
{
  const Product *product = &self->products[index];
  g_autofree char *query = g_strdup_printf ("id=%s", product->id);
  g_autofree char *name = product_dup_name (product);
  JmEvent *event;

  self->product = index;
  event = demo_page (self, PAGE_PRODUCT, "Product", "/product", query, name);
  set_product_properties (event->properties, product);
}

static void
demo_visit_cart (JmDemo *self)
{
  demo_page (self, PAGE_CART, "Cart", "/cart", NULL, "Your cart");
}

static void
demo_visit_help (JmDemo *self)
{
  demo_page (self, PAGE_HELP, "Help", "/help", NULL, "Help centre");
}

static void
demo_visit_returns (JmDemo *self)
{
  demo_page (self, PAGE_HELP, "Returns", "/help/returns", NULL, "Returns and refunds");
}

static void
demo_add_to_cart (JmDemo *self)
{
  const Product *product;
  JmEvent *track;
  guint quantity = chance (self->rand, 0.12) ? 2 : 1;
  Customer *customer = &self->customer;
  guint i;

  g_assert (self->product >= 0);
  product = &self->products[self->product];

  track = demo_track (self, "Product Added", 3 * SECOND_MS, 40 * SECOND_MS);
  set_product_properties (track->properties, product);
  json_object_set_int_member (track->properties, "quantity", quantity);

  for (i = 0; i < customer->n_cart; i++)
    {
      if (customer->cart[i].product == self->product)
        {
          customer->cart[i].quantity += quantity;
          return;
        }
    }

  if (customer->n_cart < MAX_CART)
    {
      customer->cart[customer->n_cart].product = self->product;
      customer->cart[customer->n_cart].quantity = quantity;
      customer->n_cart++;
    }
}

static void
demo_set_traits (JmDemo  *self,
                 JmEvent *event)
{
  g_autofree char *signup_date = jm_time_format_date (self->customer.signup_ms);

  event->traits = json_object_new ();
  json_object_set_string_member (event->traits, "email", self->customer.email);
  json_object_set_string_member (event->traits, "plan", self->customer.pro ? "pro" : "free");
  json_object_set_string_member (event->traits, "country",
                                 countries[self->customer.country].code);
  json_object_set_string_member (event->traits, "signup_date", signup_date);
}

/* The device becomes the customer's: from now on its messages carry the user id. */
static void
demo_identify (JmDemo *self)
{
  JmEvent *event;

  self->device->logged_in = TRUE;
  self->customer.identified = TRUE;
  event = demo_emit (self, JM_EVENT_IDENTIFY, pick_ms (self->rand, 200, 1500));
  demo_set_traits (self, event);
}

static void
demo_log_in (JmDemo *self)
{
  JmEvent *track;

  demo_page (self, PAGE_ACCOUNT, "Log In", "/account/login", NULL, "Log in");
  self->now += pick_ms (self->rand, 8 * SECOND_MS, 50 * SECOND_MS);
  demo_identify (self);
  track = demo_track (self, "Logged In", 100, 800);
  json_object_set_string_member (track->properties, "method", "password");
}

static void
demo_sign_up (JmDemo *self)
{
  JmEvent *track;

  demo_page (self, PAGE_ACCOUNT, "Sign Up", "/signup", NULL, "Create your account");
  self->now += pick_ms (self->rand, 20 * SECOND_MS, 2 * MINUTE_MS);
  self->customer.has_account = TRUE;
  self->customer.signup_ms = self->now;
  demo_identify (self);
  track = demo_track (self, "Signed Up", 100, 800);
  json_object_set_string_member (track->properties, "method", "email");
  json_object_set_string_member (track->properties, "plan", self->customer.pro ? "pro" : "free");
}

/* Browsing: home, category and search pages until `views` product pages were seen in this
 * call; it always ends on a product page.
 */
static void
demo_browse (JmDemo *self,
             guint   views)
{
  guint seen = 0;

  for (guint steps = 0; seen < views && steps < 4 * views + 4; steps++)
    {
      double r = g_rand_double (self->rand);

      switch (self->page_kind)
        {
        case PAGE_HOME:
          if (r < 0.50)
            demo_visit_category (self, chance (self->rand, 0.75) ? self->category : CATEGORY_SALE);
          else if (r < 0.85)
            demo_visit_search (self);
          else
            {
              demo_visit_product (self, demo_pick_product (self, self->category));
              seen++;
            }
          break;

        case PAGE_CATEGORY:
          if (r < 0.82)
            {
              demo_visit_product (self, demo_pick_product (self, self->category));
              seen++;
            }
          else if (r < 0.92)
            demo_visit_category (self, pick_index (self->rand, 4));
          else
            demo_visit_search (self);
          break;

        case PAGE_SEARCH:
          if (r < 0.85)
            {
              demo_visit_product (self, demo_pick_product (self, self->category));
              seen++;
            }
          else
            demo_visit_search (self);
          break;

        case PAGE_PRODUCT:
          if (r < 0.35)
            {
              /* "You may also like": another product of the same category. */
              guint category = self->products[self->product].category;

              demo_visit_product (self, demo_pick_product (self, category));
              seen++;
            }
          else if (r < 0.65)
            demo_visit_search (self);
          else if (r < 0.90)
            demo_visit_category (self, self->category);
          else
            demo_visit_home (self);
          break;

        case PAGE_NONE:
        case PAGE_CART:
        case PAGE_CHECKOUT:
        case PAGE_ACCOUNT:
        case PAGE_HELP:
        default:
          if (r < 0.4)
            demo_visit_home (self);
          else if (r < 0.7)
            demo_visit_search (self);
          else
            demo_visit_category (self, self->category);
          break;
        }
    }

  if (self->page_kind != PAGE_PRODUCT)
    demo_visit_product (self, demo_pick_product (self, self->category));
}

static guint
demo_pick_views (JmDemo *self,
                 double  more)
{
  guint views = 1;

  while (views < 8 && chance (self->rand, more))
    views++;

  return views;
}

static gboolean
demo_checkout_is_broken (JmDemo *self)
{
  return in_day (self->now, self->broken_day_ms);
}

static void
demo_complete_order (JmDemo *self)
{
  Customer *customer = &self->customer;
  JmEvent *track;
  char order_id[40];
  g_autofree char *query = NULL;
  gint64 revenue_cents = 0;

  for (guint i = 0; i < customer->n_cart; i++)
    revenue_cents += (gint64) self->products[customer->cart[i].product].price_cents *
                     customer->cart[i].quantity;

  format_uuid (self->rand, order_id);
  order_id[8] = '\0';

  track = demo_track (self, "Order Completed", 2 * SECOND_MS, 25 * SECOND_MS);
  json_object_set_string_member (track->properties, "order_id", order_id);
  json_object_set_double_member (track->properties, "revenue", revenue_cents / 100.0);
  json_object_set_int_member (track->properties, "products", customer->n_cart);
  json_object_set_string_member (track->properties, "currency", "EUR");

  customer->n_cart = 0;

  query = g_strdup_printf ("order=%s", order_id);
  self->redirect_ms = pick_ms (self->rand, 300, 2500);
  demo_page (self, PAGE_CHECKOUT, "Order Confirmation", "/order/confirmation", query,
             "Thank you for your order");
}

static void
demo_visit_checkout (JmDemo     *self,
                     const char *step)
{
  g_autofree char *path = g_strdup_printf ("/checkout/%s", step);
  g_autofree char *title = g_strdup_printf ("Checkout: %s", step);

  title[10] = g_ascii_toupper (title[10]);
  demo_page (self, PAGE_CHECKOUT, "Checkout", path, NULL, title);
}

/* On the broken-checkout day submitting the payment fails, again on each retry, unless the
 * outage ends (at midnight) or, rarely, an attempt gets through. Returns whether the payment
 * went through, the customer being on the payment page.
 */
static gboolean
demo_pay_during_outage (JmDemo *self)
{
  guint attempts = 1 + (chance (self->rand, 0.6) ? 1 : 0) + (chance (self->rand, 0.2) ? 1 : 0);

  for (guint i = 0; i < attempts; i++)
    {
      gint64 delay_ms = pick_ms (self->rand, 5 * SECOND_MS, 40 * SECOND_MS);
      JmEvent *track;

      if (i > 0)
        demo_visit_checkout (self, "payment");

      if (!in_day (self->now + delay_ms, self->broken_day_ms))
        return TRUE;

      track = demo_emit (self, JM_EVENT_TRACK, delay_ms);
      track->event = g_strdup ("Checkout Error");
      json_object_set_string_member (track->properties, "step", "payment");
      json_object_set_string_member (track->properties, "error", "payment_provider_timeout");
      json_object_set_int_member (track->properties, "code", 504);
    }

  if (!chance (self->rand, BROKEN_CHECKOUT_SUCCESS))
    return FALSE;

  demo_visit_checkout (self, "payment");

  return TRUE;
}

/* From the cart to the stage the session was going to reach. */
static void
demo_checkout (JmDemo *self,
               Goal    goal)
{
  Customer *customer = &self->customer;

  if (!self->device->logged_in)
    {
      /* Checking out needs an account; some give up right there. */
      if (customer->has_account)
        {
          if (goal < GOAL_PURCHASE && chance (self->rand, 0.30))
            {
              demo_page (self, PAGE_ACCOUNT, "Log In", "/account/login", NULL, "Log in");
              return;
            }
          demo_log_in (self);
        }
      else
        {
          if (goal < GOAL_PURCHASE && chance (self->rand, 0.40))
            {
              demo_page (self, PAGE_ACCOUNT, "Sign Up", "/signup", NULL, "Create your account");
              return;
            }
          demo_sign_up (self);
        }
    }

  demo_visit_checkout (self, "shipping");
  if (goal == GOAL_SHIPPING)
    return;

  demo_visit_checkout (self, "payment");
  if (chance (self->rand, 0.12))
    {
      /* Back to change the address, then on again. */
      demo_visit_checkout (self, "shipping");
      demo_visit_checkout (self, "payment");
    }
  if (goal == GOAL_PAYMENT)
    return;

  if (demo_checkout_is_broken (self) && !demo_pay_during_outage (self))
    {
      if (chance (self->rand, 0.35))
        demo_visit_help (self);
      return;
    }

  demo_visit_checkout (self, "review");
  if (goal == GOAL_REVIEW)
    return;

  demo_complete_order (self);
}

/* Sessions */

static void
demo_pick_touch (JmDemo *self,
                 Channel channel)
{
  static const char * const social_sources[] = { "facebook", "instagram", "tiktok" };
  static const char * const social_referrers[] = {
    "https://l.facebook.com/", "https://l.instagram.com/", "https://www.tiktok.com/",
  };
  static const char * const social_campaigns[] = { "spring_lookbook", "summer_reels", "ugc_video" };
  static const char * const email_campaigns[] = { "weekly_newsletter", "new_arrivals" };
  static const char * const paid_campaigns[] = {
    "brand", "generic_women", "generic_men", "generic_home",
  };
  guint i;

  self->channel = channel;
  self->utm_source = NULL;
  self->utm_medium = NULL;
  self->utm_campaign = NULL;
  self->external_referrer = NULL;

  switch (channel)
    {
    case CHANNEL_ORGANIC_SEARCH:
      self->external_referrer = PICK (self->rand, organic_referrers);
      break;

    case CHANNEL_PAID_SEARCH:
      if (chance (self->rand, 0.85))
        {
          self->utm_source = "google";
          self->external_referrer = "https://www.google.com/";
        }
      else
        {
          self->utm_source = "bing";
          self->external_referrer = "https://www.bing.com/";
        }
      self->utm_medium = "cpc";
      self->utm_campaign = PICK (self->rand, paid_campaigns);
      break;

    case CHANNEL_EMAIL:
      self->utm_source = "newsletter";
      self->utm_medium = "email";
      if (self->now >= self->sale_start_ms && self->now < self->sale_end_ms &&
          chance (self->rand, SUMMER_SALE_SHARE))
        self->utm_campaign = "summer_sale";
      else if (self->customer.n_cart > 0 && chance (self->rand, 0.3))
        self->utm_campaign = "abandoned_cart";
      else
        self->utm_campaign = PICK (self->rand, email_campaigns);
      break;

    case CHANNEL_SOCIAL:
      i = pick_index (self->rand, G_N_ELEMENTS (social_sources));
      self->external_referrer = social_referrers[i];
      if (chance (self->rand, 0.65))
        {
          self->utm_source = social_sources[i];
          self->utm_medium = "social";
          self->utm_campaign = PICK (self->rand, social_campaigns);
        }
      break;

    case CHANNEL_REFERRAL:
      self->external_referrer = PICK (self->rand, referral_referrers);
      break;

    case CHANNEL_DISPLAY:
      self->utm_medium = "display";
      if (chance (self->rand, 0.5))
        {
          self->utm_source = "gdn";
          self->utm_campaign = "prospecting_summer";
          self->external_referrer = "https://news.example.net/";
        }
      else
        {
          self->utm_source = "criteo";
          self->utm_campaign = "retargeting";
        }
      break;

    case CHANNEL_AFFILIATE:
      self->utm_medium = "affiliate";
      self->utm_source = chance (self->rand, 0.6) ? "awin" : "tradedoubler";
      self->utm_campaign = chance (self->rand, 0.5) ? "partner_deals" : "cashback";
      if (chance (self->rand, 0.6))
        self->external_referrer = "https://www.cashback.example.org/shops/example-shop";
      break;

    case CHANNEL_DIRECT:
    case N_CHANNELS:
    default:
      break;
    }
}

static double
demo_purchase_rate (JmDemo *self)
{
  double rate = channels[self->channel].purchase_rate;

  if (g_strcmp0 (self->utm_campaign, "summer_sale") == 0)
    rate *= SUMMER_SALE_LIFT;

  return rate;
}

static Goal
demo_pick_goal (JmDemo *self)
{
  static const double weights[] = {
    [GOAL_BOUNCE] = 0.34, [GOAL_BROWSE] = 0.34, [GOAL_HELP] = 0.04, [GOAL_CART] = 0.13,
    [GOAL_SHIPPING] = 0.07, [GOAL_PAYMENT] = 0.05, [GOAL_REVIEW] = 0.03,
  };

  return pick_weighted (self->rand, weights, G_N_ELEMENTS (weights));
}

/* The first page of a session, by channel and campaign. */
static void
demo_land (JmDemo *self,
           Goal    goal)
{
  double r = g_rand_double (self->rand);

  self->category = self->customer.interest;
  if (chance (self->rand, 0.2))
    self->category = pick_index (self->rand, 3);

  if (goal == GOAL_HELP)
    {
      if (r < 0.5)
        demo_visit_help (self);
      else
        demo_visit_returns (self);
      return;
    }

  switch (self->channel)
    {
    case CHANNEL_EMAIL:
      if (g_strcmp0 (self->utm_campaign, "summer_sale") == 0)
        demo_visit_category (self, CATEGORY_SALE);
      else if (g_strcmp0 (self->utm_campaign, "abandoned_cart") == 0)
        demo_visit_cart (self);
      else if (r < 0.5)
        demo_visit_category (self, r < 0.2 ? CATEGORY_SALE : self->category);
      else if (r < 0.8)
        demo_visit_product (self, demo_pick_product (self, self->category));
      else
        demo_visit_home (self);
      break;

    case CHANNEL_PAID_SEARCH:
    case CHANNEL_ORGANIC_SEARCH:
    case CHANNEL_REFERRAL:
      if (r < 0.40)
        demo_visit_product (self, demo_pick_product (self, self->category));
      else if (r < 0.70)
        demo_visit_category (self, self->category);
      else
        demo_visit_home (self);
      break;

    case CHANNEL_SOCIAL:
    case CHANNEL_AFFILIATE:
      if (r < 0.55)
        demo_visit_product (self, demo_pick_product (self, CATEGORY_SALE));
      else if (r < 0.80)
        demo_visit_category (self, CATEGORY_SALE);
      else
        demo_visit_home (self);
      break;

    case CHANNEL_DISPLAY:
      if (r < 0.40)
        demo_visit_home (self);
      else if (r < 0.80)
        demo_visit_category (self, CATEGORY_SALE);
      else
        demo_visit_product (self, demo_pick_product (self, self->category));
      break;

    case CHANNEL_DIRECT:
    case N_CHANNELS:
    default:
      if (self->customer.n_cart > 0 && r < 0.15)
        demo_visit_cart (self);
      else if (r < 0.85)
        demo_visit_home (self);
      else
        demo_visit_product (self, demo_pick_product (self, self->category));
      break;
    }
}

static void
demo_start_session (JmDemo *self,
                    gint64  start_ms,
                    Device *device)
{
  char id[40];

  self->now = start_ms;
  self->device = device;
  format_uuid (self->rand, id);
  g_snprintf (self->session_id, sizeof self->session_id, "s_%.8s%.4s", id, id + 9);
  demo_clear_page (self);
  self->page_kind = PAGE_NONE;
  self->product = -1;
  self->on_landing_page = TRUE;
  self->redirect_ms = -1;
}

static void
demo_session_flow (JmDemo *self,
                   Goal    goal)
{
  Customer *customer = &self->customer;

  demo_land (self, goal);

  /* A device still logged in from before identifies the visitor on the first visit, and now
   * and then again.
   */
  if (self->device->logged_in && (!customer->identified || chance (self->rand, 0.3)))
    demo_identify (self);

  if (goal == GOAL_BOUNCE)
    return;

  if (goal == GOAL_HELP)
    {
      if (g_strcmp0 (self->page_path, "/help") == 0 && chance (self->rand, 0.6))
        demo_visit_returns (self);
      if (customer->has_account && !self->device->logged_in && chance (self->rand, 0.4))
        demo_log_in (self);
      else if (chance (self->rand, 0.3))
        demo_visit_home (self);
      return;
    }

  /* Some come back to log in, or decide to create an account while browsing. */
  if (!self->device->logged_in)
    {
      if (customer->has_account && chance (self->rand, 0.15))
        demo_log_in (self);
      else if (!customer->has_account && goal == GOAL_BROWSE && chance (self->rand, 0.04))
        demo_sign_up (self);
    }

  if (self->page_kind == PAGE_CART && customer->n_cart > 0 && goal >= GOAL_CART)
    {
      /* Back for what is already in the cart. */
      if (chance (self->rand, 0.25))
        {
          demo_visit_product (self, customer->cart[0].product);
          demo_visit_cart (self);
        }
    }
  else
    {
      demo_browse (self, demo_pick_views (self, goal == GOAL_PURCHASE ? 0.55 : 0.5));
      if (goal == GOAL_BROWSE)
        {
          if (chance (self->rand, 0.05))
            demo_visit_returns (self);
          return;
        }

      demo_add_to_cart (self);
      if (goal == GOAL_PURCHASE && chance (self->rand, 0.3))
        {
          demo_browse (self, demo_pick_views (self, 0.4));
          demo_add_to_cart (self);
        }

      demo_visit_cart (self);
      if (chance (self->rand, 0.15) && customer->n_cart > 0)
        {
          /* A second look at something in the cart. */
          guint item = pick_index (self->rand, customer->n_cart);

          demo_visit_product (self, customer->cart[item].product);
          demo_visit_cart (self);
        }
    }

  if (goal == GOAL_CART)
    return;

  demo_checkout (self, goal);
}

/* A start time on a day weighted by weekday and at an hour of the daily curve. */
static gint64
demo_pick_session_start (JmDemo *self)
{
  gint64 day_ms;
  guint hour;

  for (;;)
    {
      day_ms = self->start_ms + pick_index (self->rand, self->options.days) * DAY_MS;
      if (chance (self->rand, weekday_weights[day_weekday (day_ms)] / 1.05))
        break;
    }

  hour = pick_weighted (self->rand, hour_weights, G_N_ELEMENTS (hour_weights));

  return day_ms + hour * HOUR_MS + pick_ms (self->rand, 0, HOUR_MS - 1);
}

static int
compare_ms (gconstpointer a,
            gconstpointer b)
{
  gint64 ma = *(const gint64 *) a;
  gint64 mb = *(const gint64 *) b;

  return (ma > mb) - (ma < mb);
}

static void
demo_new_device (JmDemo  *self,
                 Device  *device,
                 gboolean mobile)
{
  format_uuid (self->rand, device->anonymous_id);
  if (mobile)
    device->user_agent = PICK (self->rand, mobile_agents);
  else
    device->user_agent = PICK (self->rand, desktop_agents);
  g_snprintf (device->ip, sizeof device->ip, "%s.%u",
              chance (self->rand, 0.5) ? "203.0.113" : "198.51.100",
              1 + pick_index (self->rand, 254));
  device->logged_in = FALSE;
}

static void
demo_begin_customer (JmDemo  *self,
                     guint64  index)
{
  Customer *customer = &self->customer;
  double country_weights[G_N_ELEMENTS (countries)];
  double r;
  gboolean mobile;

  demo_seed (self, index);
  memset (customer, 0, sizeof *customer);

  for (guint i = 0; i < G_N_ELEMENTS (countries); i++)
    country_weights[i] = countries[i].weight;

  g_snprintf (customer->user_id, sizeof customer->user_id, "u_%06" G_GUINT64_FORMAT, index + 1);
  customer->spike_visitor = self->spike_share > 0 && chance (self->rand, self->spike_share);
  customer->country = pick_weighted (self->rand, country_weights, G_N_ELEMENTS (country_weights));
  customer->interest = pick_index (self->rand, 3);
  customer->pro = chance (self->rand, 0.25);
  g_snprintf (customer->email, sizeof customer->email, "%s.%s.%" G_GUINT64_FORMAT "@example.com",
              PICK (self->rand, first_names),
              PICK (self->rand, last_names),
              index + 1);

  r = g_rand_double (self->rand);
  if (r < 0.75)
    customer->consent = JM_CONSENT_ALL;
  else if (r < 0.90)
    customer->consent = JM_CONSENT_ANALYTICS | JM_CONSENT_PERSONALIZATION;
  else
    customer->consent = JM_CONSENT_ANALYTICS;

  mobile = chance (self->rand, 0.58);
  demo_new_device (self, &customer->devices[0], mobile);
  customer->n_devices = 1;
  if (!customer->spike_visitor && chance (self->rand, 0.40))
    {
      demo_new_device (self, &customer->devices[1], !mobile);
      customer->n_devices = 2;
    }

  if (!customer->spike_visitor && chance (self->rand, 0.35))
    {
      customer->has_account = TRUE;
      customer->signup_ms = self->start_ms - pick_ms (self->rand, 20, 900) * DAY_MS;
      customer->devices[0].logged_in = chance (self->rand, 0.4);
    }
}

static guint
demo_pick_session_count (JmDemo *self)
{
  double r = g_rand_double (self->rand);

  if (r < 0.40)
    return 1 + pick_index (self->rand, 3);
  else if (r < 0.80)
    return 3 + pick_index (self->rand, 10);
  else
    return 10 + pick_index (self->rand, 28);
}

static void
demo_generate_spike_visitor (JmDemo *self)
{
  static const double weights[] = {
    [GOAL_BOUNCE] = 0.72, [GOAL_BROWSE] = 0.22, [GOAL_HELP] = 0.0, [GOAL_CART] = 0.045,
    [GOAL_SHIPPING] = 0.01,
  };
  gint64 start = self->spike_day_ms +
                 pick_weighted (self->rand, spike_hour_weights, 24) * HOUR_MS +
                 pick_ms (self->rand, 0, HOUR_MS - 1);
  Goal goal;

  demo_start_session (self, start, &self->customer.devices[0]);
  self->channel = CHANNEL_SOCIAL;
  self->external_referrer = "https://l.instagram.com/";
  if (chance (self->rand, 0.7))
    {
      self->utm_source = "instagram";
      self->utm_medium = "social";
      self->utm_campaign = "influencer_post";
    }
  else
    {
      self->utm_source = NULL;
      self->utm_medium = NULL;
      self->utm_campaign = NULL;
    }

  if (chance (self->rand, SPIKE_PURCHASE_RATE))
    goal = GOAL_PURCHASE;
  else
    goal = pick_weighted (self->rand, weights, G_N_ELEMENTS (weights));

  demo_session_flow (self, goal);
}

static void
demo_generate_regular (JmDemo *self)
{
  Customer *customer = &self->customer;
  gint64 starts[MAX_SESSIONS];
  guint n_sessions = demo_pick_session_count (self);
  gint64 last_ms = G_MININT64;
  gboolean used_second = FALSE;

  for (guint i = 0; i < n_sessions; i++)
    starts[i] = demo_pick_session_start (self);
  qsort (starts, n_sessions, sizeof starts[0], compare_ms);

  for (guint i = 0; i < n_sessions; i++)
    {
      double weights[N_CHANNELS];
      Device *device = &customer->devices[0];
      gint64 start = starts[i];
      Goal goal;

      /* Sessions never run into each other: a new one starts after a break. */
      if (last_ms != G_MININT64)
        start = MAX (start, last_ms + 31 * MINUTE_MS + pick_ms (self->rand, 0, 3 * HOUR_MS));
      if (start >= self->options.end_ms)
        break;

      if (customer->n_devices == 2 && i > 0 && chance (self->rand, used_second ? 0.45 : 0.6))
        {
          device = &customer->devices[1];
          used_second = TRUE;
        }

      demo_start_session (self, start, device);

      for (guint c = 0; c < N_CHANNELS; c++)
        {
          if (customer->has_account)
            weights[c] = channels[c].known_weight;
          else if (i == 0)
            weights[c] = channels[c].first_weight;
          else
            weights[c] = channels[c].unknown_weight;
        }
      demo_pick_touch (self, pick_weighted (self->rand, weights, N_CHANNELS));

      if (chance (self->rand, demo_purchase_rate (self)))
        goal = GOAL_PURCHASE;
      else
        goal = demo_pick_goal (self);

      demo_session_flow (self, goal);
      last_ms = self->now;
    }
}

gboolean
jm_demo_next_customer (JmDemo    *self,
                       GPtrArray *events)
{
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (events != NULL, FALSE);

  if (self->next_customer >= self->options.customers)
    return FALSE;

  demo_begin_customer (self, self->next_customer);
  self->next_customer++;

  if (self->customer.spike_visitor)
    demo_generate_spike_visitor (self);
  else
    demo_generate_regular (self);

  /* Messages are in time order; what would fall after the end of the period is dropped. */
  for (i = 0; i < self->pending->len; i++)
    {
      JmEvent *event = g_ptr_array_index (self->pending, i);

      if (event->ts >= self->options.end_ms)
        break;
      g_ptr_array_add (events, event);
    }
  for (; i < self->pending->len; i++)
    jm_event_free (g_ptr_array_index (self->pending, i));
  g_ptr_array_set_size (self->pending, 0);

  return TRUE;
}

/* Into a workspace */

static gboolean
demo_flush (JmStore    *store,
            gint64      project,
            GPtrArray  *batch,
            GError    **error)
{
  JmInsertResult result = { 0 };

  if (batch->len == 0)
    return TRUE;

  if (!jm_store_insert_events (store, project, (JmEvent **) batch->pdata, batch->len,
                               &result, error))
    return FALSE;

  g_ptr_array_set_size (batch, 0);

  return TRUE;
}

static gboolean
demo_generate_into (JmStore             *store,
                    gint64               project,
                    const JmDemoOptions *options,
                    JmDemoProgressFunc   progress,
                    gpointer             user_data,
                    GCancellable        *cancellable,
                    JmDemoReport        *report,
                    GError             **error)
{
  g_autoptr(JmDemo) demo = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  JmDemoReport local = { 0 };
  gint64 began = g_get_monotonic_time ();

  g_return_val_if_fail (JM_IS_STORE (store), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options->days == 0 || options->end_ms <= (gint64) options->days * DAY_MS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The demo period must be at least one day long and end after 1970");
      return FALSE;
    }

  demo = jm_demo_new (options);
  batch = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);

  if (progress != NULL)
    progress (0, options->customers, user_data);

  for (;;)
    {
      guint first = batch->len;

      if (!jm_demo_next_customer (demo, batch))
        break;

      local.customers++;
      for (guint i = first; i < batch->len; i++)
        {
          const JmEvent *event = g_ptr_array_index (batch, i);

          local.events++;
          if (event->type == JM_EVENT_TRACK && g_strcmp0 (event->event, "Order Completed") == 0)
            local.purchases++;
        }

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (batch->len >= BATCH_SIZE)
        {
          if (!demo_flush (store, project, batch, error))
            return FALSE;

          if (progress != NULL)
            progress (local.customers, options->customers, user_data);
        }
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !demo_flush (store, project, batch, error))
    return FALSE;

  local.seconds = (g_get_monotonic_time () - began) / (double) G_USEC_PER_SEC;

  if (progress != NULL)
    progress (local.customers, options->customers, user_data);

  g_debug ("Generated %" G_GUINT64_FORMAT " customers, %" G_GUINT64_FORMAT " messages and %"
           G_GUINT64_FORMAT " orders in %.2f s",
           local.customers, local.events, local.purchases, local.seconds);

  if (report != NULL)
    *report = local;

  return TRUE;
}

gboolean
jm_demo_generate (JmStore             *store,
                  gint64               project,
                  const JmDemoOptions *options,
                  JmDemoProgressFunc   progress,
                  gpointer             user_data,
                  GCancellable        *cancellable,
                  JmDemoReport        *report,
                  GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (JM_IS_STORE (store), FALSE);

  /* Demo data can always be generated again, so it is written as a bulk import (no fsync
   * per batch) rather than with the durability the listener needs.
   */
  jm_store_set_bulk_import (store, TRUE);
  ok = demo_generate_into (store, project, options, progress, user_data, cancellable, report,
                           error);
  jm_store_set_bulk_import (store, FALSE);

  return ok;
}
