/* test-event.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-channel.h"
#include "jm-event.h"
#include "jm-json-scanner.h"

#define NOW_MS G_GINT64_CONSTANT (1782822896000)   /* 2026-06-30T12:34:56Z */

static JsonObject *
object_from_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = jm_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

static JmEvent *
event_from_text (const char *text)
{
  g_autoptr(JsonObject) object = object_from_text (text);
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  JmEvent *event;

  event = jm_event_new_from_json (object, NOW_MS, &field, &error);
  g_assert_no_error (error);
  g_assert_null (field);
  g_assert_nonnull (event);

  return event;
}

static void
assert_rejected (const char *text,
                 const char *expected_field,
                 const char *expected_words)
{
  g_autoptr(JsonObject) object = object_from_text (text);
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  g_autoptr(JmEvent) event = NULL;

  event = jm_event_new_from_json (object, NOW_MS, &field, &error);
  if (event != NULL)
    g_error ("%s was accepted", text);
  g_assert_error (error, JM_EVENT_ERROR, JM_EVENT_ERROR_INVALID);
  g_assert_cmpstr (field, ==, expected_field);
  if (strstr (error->message, expected_words) == NULL)
    g_error ("the reason “%s” for %s does not say “%s”", error->message, text, expected_words);
}

static const char *
member_string (JsonObject *object,
               const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  guint i;

  for (i = 0; parts[i + 1] != NULL; i++)
    {
      g_assert_true (json_object_has_member (object, parts[i]));
      object = json_object_get_object_member (object, parts[i]);
    }

  if (!json_object_has_member (object, parts[i]))
    return NULL;

  return json_object_get_string_member (object, parts[i]);
}

static void
test_track (void)
{
  g_autoptr(JmEvent) event = event_from_text (
    "{\"type\":\"track\",\"messageId\":\"m-1\",\"userId\":\"u-1\",\"anonymousId\":\"a-1\","
    "\"event\":\"Order Completed\",\"timestamp\":\"2026-06-30T14:34:56.5+02:00\","
    "\"receivedAt\":\"2026-06-30T12:35:00Z\",\"sentAt\":\"2026-06-30T12:34:59Z\","
    "\"properties\":{\"revenue\":42.5,\"items\":[1,2]},"
    "\"context\":{\"page\":{\"url\":\"https://shop.example/checkout\"}},"
    "\"integrations\":{\"All\":true}}");
  g_autofree char *name = jm_event_dup_journey_name (event);

  g_assert_cmpint (event->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event->id, ==, "m-1");
  g_assert_cmpstr (event->user_id, ==, "u-1");
  g_assert_cmpstr (event->anonymous_id, ==, "a-1");
  g_assert_cmpstr (event->event, ==, "Order Completed");
  g_assert_cmpstr (name, ==, "Order Completed");
  g_assert_cmpint (event->ts, ==, NOW_MS + 500);
  g_assert_cmpint (event->received_at, ==, NOW_MS + 4000);
  g_assert_cmpfloat (json_object_get_double_member (event->properties, "revenue"), ==, 42.5);
  g_assert_cmpstr (member_string (event->context, "page.url"), ==,
                   "https://shop.example/checkout");
  g_assert_null (event->traits);
  g_assert_cmpuint (event->consent, ==, JM_CONSENT_ALL);
}

static void
test_track_without_type (void)
{
  g_autoptr(JmEvent) event = event_from_text (
    "{\"event\":\"Signed Up\",\"userId\":123,\"timestamp\":1782822896}");

  g_assert_cmpint (event->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event->event, ==, "Signed Up");
  /* Numeric ids are accepted and become strings. */
  g_assert_cmpstr (event->user_id, ==, "123");
  g_assert_null (event->id);
  g_assert_cmpint (event->ts, ==, NOW_MS);
  g_assert_cmpuint (json_object_get_size (event->properties), ==, 0);
  g_assert_cmpuint (json_object_get_size (event->context), ==, 0);
}

static void
test_page_and_screen (void)
{
  g_autoptr(JmEvent) page = event_from_text (
    "{\"type\":\"page\",\"anonymousId\":\"a-1\",\"name\":\"Pricing\","
    "\"timestamp\":\"2026-06-30T12:34:56Z\","
    "\"properties\":{\"url\":\"https://example.com/pricing?plan=pro\",\"title\":\"Pricing\"}}");
  g_autoptr(JmEvent) screen = event_from_text (
    "{\"type\":\"screen\",\"userId\":\"u-1\",\"name\":\"Cart\",\"timestamp\":1782822896000}");
  g_autofree char *page_name = jm_event_dup_journey_name (page);
  g_autofree char *screen_name = jm_event_dup_journey_name (screen);

  g_assert_cmpint (page->type, ==, JM_EVENT_PAGE);
  g_assert_cmpstr (page->event, ==, "Pricing");
  g_assert_null (page->user_id);
  g_assert_cmpstr (page->anonymous_id, ==, "a-1");
  g_assert_cmpstr (page_name, ==, "/pricing");

  g_assert_cmpint (screen->type, ==, JM_EVENT_SCREEN);
  g_assert_cmpstr (screen->event, ==, "Cart");
  g_assert_cmpstr (screen_name, ==, "Cart");
  g_assert_cmpint (screen->ts, ==, NOW_MS);
}

static void
test_identify (void)
{
  g_autoptr(JmEvent) identify = event_from_text (
    "{\"type\":\"identify\",\"userId\":\"u-1\",\"anonymousId\":\"a-1\","
    "\"traits\":{\"email\":\"ada@example.com\",\"plan\":\"pro\"},"
    "\"timestamp\":\"2026-06-30T12:34:56Z\"}");
  g_autoptr(JmEvent) in_context = event_from_text (
    "{\"type\":\"identify\",\"userId\":\"u-2\",\"context\":{\"traits\":{\"plan\":\"free\"}},"
    "\"timestamp\":\"2026-06-30T12:34:56Z\"}");
  g_autofree char *name = jm_event_dup_journey_name (identify);

  g_assert_cmpint (identify->type, ==, JM_EVENT_IDENTIFY);
  g_assert_nonnull (identify->traits);
  g_assert_cmpstr (json_object_get_string_member (identify->traits, "plan"), ==, "pro");
  g_assert_null (name);

  g_assert_nonnull (in_context->traits);
  g_assert_cmpstr (json_object_get_string_member (in_context->traits, "plan"), ==, "free");
}

static void
test_alias_and_group (void)
{
  g_autoptr(JmEvent) alias = event_from_text (
    "{\"type\":\"alias\",\"previousId\":\"a-1\",\"userId\":\"u-1\","
    "\"timestamp\":\"2026-06-30T12:34:56Z\"}");
  g_autoptr(JmEvent) group = event_from_text (
    "{\"type\":\"group\",\"userId\":\"u-1\",\"groupId\":\"acme\","
    "\"traits\":{\"employees\":12},\"timestamp\":\"2026-06-30T12:34:56Z\"}");

  g_assert_cmpint (alias->type, ==, JM_EVENT_ALIAS);
  g_assert_cmpstr (alias->previous_id, ==, "a-1");
  g_assert_cmpstr (alias->user_id, ==, "u-1");
  g_assert_false (jm_event_is_journey_event (alias));

  g_assert_cmpint (group->type, ==, JM_EVENT_GROUP);
  g_assert_cmpstr (group->group_id, ==, "acme");
  g_assert_cmpint (json_object_get_int_member (group->traits, "employees"), ==, 12);
}

static void
test_time_fallbacks (void)
{
  g_autoptr(JmEvent) original = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\","
    "\"originalTimestamp\":\"2026-06-30T12:00:00Z\",\"receivedAt\":\"2026-06-30T13:00:00Z\"}");
  g_autoptr(JmEvent) received = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\","
    "\"receivedAt\":\"2026-06-30T13:00:00Z\"}");
  g_autoptr(JmEvent) none = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"timestamp\":null}");

  g_assert_cmpint (original->ts, ==, G_GINT64_CONSTANT (1782820800000));
  g_assert_cmpint (original->received_at, ==, G_GINT64_CONSTANT (1782824400000));
  g_assert_cmpint (received->ts, ==, G_GINT64_CONSTANT (1782824400000));
  g_assert_cmpint (none->ts, ==, NOW_MS);
  g_assert_cmpint (none->received_at, ==, 0);
}

static void
test_mixpanel (void)
{
  g_autoptr(JmEvent) event = event_from_text (
    "{\"event\":\"Viewed Item\",\"properties\":{\"time\":1782822896,"
    "\"distinct_id\":\"customer-7\",\"$insert_id\":\"ins-1\",\"$device_id\":\"dev-7\","
    "\"$current_url\":\"https://shop.example/item/3\",\"$referrer\":\"https://www.google.com/\","
    "\"utm_source\":\"newsletter\",\"utm_medium\":\"email\",\"utm_campaign\":\"june\","
    "\"mp_lib\":\"web\",\"$browser\":\"Firefox\",\"token\":\"abc\",\"mp_processing_time_ms\":1,"
    "\"item\":\"shoes\",\"price\":30}}");
  g_autoptr(JmEvent) anonymous = event_from_text (
    "{\"event\":\"Landed\",\"properties\":{\"time\":1782822896123,"
    "\"distinct_id\":\"dev-9\",\"$device_id\":\"dev-9\",\"$referrer\":\"$direct\"}}");
  g_autoptr(JmEvent) device_prefix = event_from_text (
    "{\"event\":\"Landed\",\"properties\":{\"time\":1782822896,"
    "\"distinct_id\":\"$device:dev-10\"}}");

  g_assert_cmpint (event->type, ==, JM_EVENT_TRACK);
  g_assert_cmpstr (event->event, ==, "Viewed Item");
  g_assert_cmpstr (event->user_id, ==, "customer-7");
  g_assert_cmpstr (event->anonymous_id, ==, "dev-7");
  g_assert_cmpstr (event->id, ==, "ins-1");
  g_assert_cmpint (event->ts, ==, NOW_MS);
  g_assert_cmpstr (member_string (event->context, "page.url"), ==, "https://shop.example/item/3");
  g_assert_cmpstr (member_string (event->context, "page.referrer"), ==, "https://www.google.com/");
  g_assert_cmpstr (member_string (event->context, "campaign.source"), ==, "newsletter");
  g_assert_cmpstr (member_string (event->context, "campaign.medium"), ==, "email");
  g_assert_cmpstr (member_string (event->context, "campaign.name"), ==, "june");
  /* Only the customer's own properties are left. */
  g_assert_cmpuint (json_object_get_size (event->properties), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (event->properties, "item"), ==, "shoes");
  g_assert_cmpint (json_object_get_int_member (event->properties, "price"), ==, 30);

  g_assert_null (anonymous->user_id);
  g_assert_cmpstr (anonymous->anonymous_id, ==, "dev-9");
  g_assert_cmpint (anonymous->ts, ==, NOW_MS + 123);
  g_assert_false (json_object_has_member (anonymous->context, "page"));

  g_assert_null (device_prefix->user_id);
  g_assert_cmpstr (device_prefix->anonymous_id, ==, "dev-10");

  assert_rejected ("{\"event\":\"E\",\"properties\":{\"time\":\"soon\",\"distinct_id\":\"x\"}}",
                   "properties.time", "soon");
  assert_rejected ("{\"event\":\"E\",\"properties\":{\"time\":1782822896,\"$insert_id\":\"i\"}}",
                   "properties.distinct_id", "distinct_id");
}

static void
test_consent (void)
{
  g_autoptr(JmEvent) array = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"consent\":[\"analytics\",\"Marketing\"]}");
  g_autoptr(JmEvent) empty = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"consent\":[]}");
  g_autoptr(JmEvent) object = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\","
    "\"consent\":{\"analytics\":true,\"marketing\":false,\"personalization\":true,\"other\":1}}");
  g_autoptr(JmEvent) segment = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"context\":{\"consent\":"
    "{\"categoryPreferences\":{\"Analytics\":true,\"Advertising\":false,\"Functional\":true,"
    "\"C0004\":true}}}}");
  g_autoptr(JmEvent) segment_marketing = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"context\":{\"consent\":"
    "{\"categoryPreferences\":{\"MARKETING\":true}}}}");
  g_autoptr(JmEvent) absent = event_from_text (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}");

  g_assert_cmpuint (array->consent, ==, JM_CONSENT_ANALYTICS | JM_CONSENT_MARKETING);
  g_assert_cmpuint (empty->consent, ==, 0);
  g_assert_cmpuint (object->consent, ==, JM_CONSENT_ANALYTICS | JM_CONSENT_PERSONALIZATION);
  g_assert_cmpuint (segment->consent, ==, JM_CONSENT_ANALYTICS | JM_CONSENT_PERSONALIZATION);
  g_assert_cmpuint (segment_marketing->consent, ==, JM_CONSENT_MARKETING);
  g_assert_cmpuint (absent->consent, ==, JM_CONSENT_ALL);

  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"consent\":[\"cookies\"]}",
                   "consent", "cookies");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"consent\":\"all\"}",
                   "consent", "consent must be");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\","
                   "\"consent\":{\"analytics\":\"yes\"}}",
                   "consent.analytics", "true or false");
}

static void
test_validation (void)
{
  g_autofree char *long_id = g_strnfill (1025, 'x');
  g_autofree char *long_message = g_strdup_printf (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"%s\"}", long_id);
  g_autofree char *long_event = g_strdup_printf (
    "{\"type\":\"track\",\"event\":\"%s\",\"userId\":\"u\"}", long_id);
  g_autofree char *ok_id = g_strnfill (1024, 'x');
  g_autofree char *ok_message = g_strdup_printf (
    "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"%s\"}", ok_id);
  g_autoptr(JmEvent) at_limit = event_from_text (ok_message);

  g_assert_cmpuint (strlen (at_limit->user_id), ==, 1024);

  assert_rejected ("{\"type\":\"track\",\"userId\":\"u\"}", "event", "non-empty");
  assert_rejected ("{\"type\":\"track\",\"event\":\"\",\"userId\":\"u\"}", "event", "non-empty");
  assert_rejected ("{\"type\":\"track\",\"event\":42,\"userId\":\"u\"}", "event", "non-empty");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\"}", "userId", "anonymousId");
  assert_rejected ("{\"type\":\"page\",\"userId\":\"\",\"anonymousId\":null}", "userId",
                   "anonymousId");
  assert_rejected ("{\"type\":\"alias\",\"userId\":\"u\"}", "previousId", "previousId");
  assert_rejected ("{\"type\":\"alias\",\"previousId\":\"a\"}", "userId", "userId");
  assert_rejected ("{\"type\":\"group\",\"userId\":\"u\"}", "groupId", "groupId");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"timestamp\":\"soon\"}",
                   "timestamp", "soon");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"timestamp\":true}",
                   "timestamp", "a boolean");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\","
                   "\"originalTimestamp\":\"2026-02-30\"}",
                   "originalTimestamp", "2026-02-30");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"properties\":[1]}",
                   "properties", "an array");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"context\":\"web\"}",
                   "context", "a string");
  assert_rejected ("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":7}", "traits", "a number");
  assert_rejected ("{\"type\":\"identify\",\"userId\":\"u\",\"context\":{\"traits\":[]}}",
                   "context.traits", "an array");
  assert_rejected ("{\"type\":\"purchase\",\"userId\":\"u\"}", "type", "purchase");
  assert_rejected ("{\"type\":3,\"userId\":\"u\"}", "type", "a number");
  assert_rejected ("{\"userId\":\"u\"}", "type", "no type");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":{\"id\":1}}", "userId",
                   "an object");
  assert_rejected ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"messageId\":[1]}",
                   "messageId", "an array");
  assert_rejected ("{\"type\":\"page\",\"userId\":\"u\",\"name\":false}", "name", "a boolean");
  assert_rejected (long_message, "userId", "1024");
  assert_rejected (long_event, "event", "1024");
}

/* A long non-ASCII value quoted in an error is cut at a character boundary: the message
 * stays valid UTF-8 (it ends up in JSON responses and import reports).
 */
static void
test_error_excerpt_is_utf8 (void)
{
  GString *value = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_field = NULL;
  JmEvent *event;

  /* "xy" then 100 three-byte characters: a cut at byte 64 would split one of them. */
  g_string_append (value, "xy");
  for (guint i = 0; i < 100; i++)
    g_string_append (value, "€");
  text = g_strdup_printf ("{\"type\":\"%s\",\"userId\":\"u\"}", value->str);
  g_string_free (value, TRUE);

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  event = jm_event_new_from_json (json_node_get_object (json_parser_get_root (parser)), NOW_MS,
                                  &bad_field, &error);
  g_assert_null (event);
  g_assert_cmpstr (bad_field, ==, "type");
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "xy€€€"));
  g_assert_nonnull (strstr (error->message, "…"));
}

static void
test_to_json_round_trip (void)
{
  g_autoptr(JmEvent) event = event_from_text (
    "{\"type\":\"page\",\"messageId\":\"m-9\",\"userId\":\"u-1\",\"anonymousId\":\"a-1\","
    "\"name\":\"Home\",\"timestamp\":\"2026-06-30T14:34:56.25+02:00\","
    "\"receivedAt\":\"2026-06-30T12:35:00Z\","
    "\"properties\":{\"path\":\"/\"},\"context\":{\"locale\":\"de-DE\"},"
    "\"consent\":[\"analytics\"]}");
  g_autoptr(JsonObject) json = jm_event_to_json (event);
  g_autoptr(JmEvent) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JmEvent) alias = event_from_text (
    "{\"type\":\"alias\",\"previousId\":\"a-1\",\"userId\":\"u-1\",\"timestamp\":0}");
  g_autoptr(JsonObject) alias_json = jm_event_to_json (alias);
  g_autoptr(JmEvent) track = event_from_text (
    "{\"type\":\"track\",\"event\":\"Buy\",\"userId\":\"u\",\"timestamp\":0}");
  g_autoptr(JsonObject) track_json = jm_event_to_json (track);

  g_assert_cmpstr (json_object_get_string_member (json, "type"), ==, "page");
  g_assert_cmpstr (json_object_get_string_member (json, "messageId"), ==, "m-9");
  g_assert_cmpstr (json_object_get_string_member (json, "name"), ==, "Home");
  g_assert_false (json_object_has_member (json, "event"));
  g_assert_cmpstr (json_object_get_string_member (json, "timestamp"), ==,
                   "2026-06-30T12:34:56.250Z");
  g_assert_cmpstr (json_object_get_string_member (json, "receivedAt"), ==,
                   "2026-06-30T12:35:00.000Z");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json, "consent")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json, "consent"), 0),
                   ==, "analytics");

  again = jm_event_new_from_json (json, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->type, ==, event->type);
  g_assert_cmpstr (again->id, ==, event->id);
  g_assert_cmpstr (again->user_id, ==, event->user_id);
  g_assert_cmpstr (again->anonymous_id, ==, event->anonymous_id);
  g_assert_cmpstr (again->event, ==, event->event);
  g_assert_cmpint (again->ts, ==, event->ts);
  g_assert_cmpint (again->received_at, ==, event->received_at);
  g_assert_cmpuint (again->consent, ==, event->consent);
  g_assert_cmpstr (json_object_get_string_member (again->properties, "path"), ==, "/");
  g_assert_cmpstr (json_object_get_string_member (again->context, "locale"), ==, "de-DE");

  {
    g_autofree char *id_before = jm_event_dup_content_id (event);
    g_autofree char *id_after = jm_event_dup_content_id (again);

    g_assert_cmpstr (id_before, ==, id_after);
  }

  g_assert_cmpstr (json_object_get_string_member (alias_json, "previousId"), ==, "a-1");
  g_assert_cmpstr (json_object_get_string_member (alias_json, "timestamp"), ==,
                   "1970-01-01T00:00:00.000Z");
  g_assert_false (json_object_has_member (alias_json, "consent"));
  g_assert_false (json_object_has_member (alias_json, "receivedAt"));
  g_assert_cmpstr (json_object_get_string_member (track_json, "event"), ==, "Buy");
  g_assert_false (json_object_has_member (track_json, "name"));
}

/* What the import's worker computes for the store must be what the store computes itself:
 * the same content id, journey name, channel and compact JSON.
 */
static void
test_prepare_for_store (void)
{
  static const char text[] =
    "{\"type\": \"page\", \"anonymousId\": \"a1\", \"timestamp\": 1782822896000,"
    " \"properties\": {\"url\": \"https://shop.example/cart?x=1\", \"price\": 2.50,"
    " \"qty\": 2, \"whole\": 3.0, \"note\": \"say \\\"hi\\\"\\n\", \"tags\": [true, null]},"
    " \"context\": {\"campaign\": {\"medium\": \"email\", \"source\": \"news\"}}}";
  g_autoptr(JmEvent) reference = event_from_text (text);
  g_autoptr(JmEvent) event = event_from_text (text);
  g_autoptr(GString) scratch = g_string_new ("left over");
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *content_id = jm_event_dup_content_id (reference);
  g_autofree char *name = jm_event_dup_journey_name (reference);

  g_assert_null (event->id);
  jm_event_prepare_for_store (event, scratch, TRUE);

  g_assert_true (event->prepared);
  g_assert_cmpstr (event->id, ==, content_id);
  g_assert_cmpstr (event->journey_name, ==, name);
  g_assert_cmpstr (event->journey_name, ==, "/cart");
  g_assert_cmpstr (event->touch, ==, jm_channel_for_context (reference->context));
  g_assert_cmpstr (event->touch, ==, JM_CHANNEL_EMAIL);
  g_assert_cmpstr (event->properties_json, ==,
                   "{\"url\":\"https://shop.example/cart?x=1\",\"price\":2.5,\"qty\":2,"
                   "\"whole\":3.0,\"note\":\"say \\\"hi\\\"\\n\",\"tags\":[true,null]}");
  jm_event_write_json_object (expected, reference->context);
  g_assert_cmpstr (event->context_json, ==, expected->str);
  g_assert_null (event->properties);
  g_assert_null (event->context);

  /* A message id is kept as it is. */
  g_clear_pointer (&event, jm_event_free);
  event = event_from_text ("{\"type\": \"track\", \"event\": \"Buy\", \"userId\": \"u\","
                           " \"messageId\": \"m-1\"}");
  jm_event_prepare_for_store (event, scratch, FALSE);
  g_assert_cmpstr (event->id, ==, "m-1");
  g_assert_cmpstr (event->journey_name, ==, "Buy");
  g_assert_cmpstr (event->touch, ==, "");
  g_assert_cmpstr (event->properties_json, ==, "{}");
  g_assert_nonnull (event->properties);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/event/track", test_track);
  g_test_add_func ("/jm/event/track-without-type", test_track_without_type);
  g_test_add_func ("/jm/event/page-and-screen", test_page_and_screen);
  g_test_add_func ("/jm/event/identify", test_identify);
  g_test_add_func ("/jm/event/alias-and-group", test_alias_and_group);
  g_test_add_func ("/jm/event/time-fallbacks", test_time_fallbacks);
  g_test_add_func ("/jm/event/mixpanel", test_mixpanel);
  g_test_add_func ("/jm/event/consent", test_consent);
  g_test_add_func ("/jm/event/validation", test_validation);
  g_test_add_func ("/jm/event/error-excerpt-is-utf8", test_error_excerpt_is_utf8);
  g_test_add_func ("/jm/event/to-json-round-trip", test_to_json_round_trip);
  g_test_add_func ("/jm/event/prepare-for-store", test_prepare_for_store);

  return g_test_run ();
}
