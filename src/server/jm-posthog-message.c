/* jm-posthog-message.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-ingest"

#include "config.h"

#include <string.h>

#include "jm-ingest-request-private.h"

/* PostHog's capture format read into our Segment-spec model, so that posthog-js,
 * posthog-node and the other PostHog SDKs can point their host at the listener.
 *
 * An event is `{"event", "distinct_id", "properties", "timestamp", "uuid", "offset",
 * "$set", "$set_once"}`. It becomes a Segment message that jm_event_new_from_json() reads:
 *
 *   uuid             → messageId (duplicates are dropped by the store)
 *   $pageview        → page; properties.url from $current_url, properties.path from
 *                      $pathname or the path of $current_url (what journeys are named by)
 *   $screen          → screen named by properties.$screen_name
 *   $identify        → identify: distinct_id is the user id, properties.$anon_distinct_id
 *                      the anonymous id it stitches, $set/$set_once the traits
 *   $set             → identify with the traits of $set/$set_once (it only sets person
 *                      properties)
 *   $create_alias    → alias of distinct_id and properties.alias (see below)
 *   $groupidentify   → group properties.$group_key with the traits of $group_set
 *   anything else    → track with that name ($autocapture, $pageleave, …)
 *
 * Who the event is about. PostHog has one distinct id per event, sometimes a person's own
 * id, sometimes a random id of a browser or device that has not signed in. Ours is
 * anonymous when
 *   - properties.$is_identified is false (posthog-js ≥ 1.120 and the mobile SDKs say so), or
 *   - without $is_identified, it equals properties.$device_id (posthog-js keeps the device
 *     id as the distinct id until identify()), or
 *   - it begins with `$` (an id PostHog made up, such as posthog-node's `$company_acme`
 *     for a group without a person);
 * otherwise it is the user id: server libraries (posthog-node, posthog-python, …) send
 * the ids of the application's own users. An identified event also carries $device_id
 * as its anonymous id, so a device's earlier anonymous events are stitched to the
 * person; $identify stitches its $anon_distinct_id the same way. $create_alias links two
 * ids: the identified one (by the rule above) is the user id and the other the previous id,
 * so posthog-node's alias({distinctId: user, alias: other}) links `other` to `user` and
 * posthog-js's alias(new_id) on an anonymous visitor links the visitor to `new_id`.
 *
 * The event's properties are kept as they are, PostHog's `$…` ones included (they are
 * data); only `token` (the project key) is removed. The context is derived from them:
 * page (url, path, referrer, title), campaign (utm_*), library, ip, userAgent and os, so
 * channels and attribution work as for Segment data. Person properties ($set, $set_once)
 * become traits on identify only.
 *
 * Time, as PostHog's ingestion does: with a `timestamp` and the request's (or event's)
 * `sent_at`, the event happened `sent_at - timestamp` before the request arrived (the
 * device's clock is not trusted; `$ignore_sent_at` turns this off); else `offset` ms
 * before arrival; else the timestamp as given; else the arrival time.
 */

/* Larger offsets (about 31,000 years) are nonsense, and would overflow. */
#define MAX_OFFSET_MS G_GINT64_CONSTANT (1000000000000000)

static gboolean fail (char       **bad_field,
                      const char  *field,
                      GError     **error,
                      const char  *format,
                      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (char       **bad_field,
      const char  *field,
      GError     **error,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (bad_field != NULL)
    *bad_field = g_strdup (field);
  g_set_error_literal (error, JM_EVENT_ERROR, JM_EVENT_ERROR_INVALID, message);

  return FALSE;
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A non-empty string, for copying into the context. */
static const char *
get_text (JsonObject *object,
          const char *name)
{
  const char *text = get_string (object, name);

  return text != NULL && *text != '\0' ? text : NULL;
}

/* An id: a non-empty string or an integer (PostHog SDKs accept numbers as distinct ids).
 * Absent, null and "" leave `out` NULL.
 */
static gboolean
read_id (JsonObject  *object,
         const char  *member,
         const char  *field,
         char       **out,
         char       **bad_field,
         GError     **error)
{
  JsonNode *node = get_member (object, member);
  GType value_type;

  *out = NULL;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return fail (bad_field, field, error, "%s must be a string, not %s", field,
                 jm_ingest_node_kind (node));

  value_type = json_node_get_value_type (node);
  if (value_type == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      gsize length = strlen (text);

      if (length > JM_INGEST_MAX_ID_BYTES)
        return fail (bad_field, field, error, "%s is longer than %d bytes", field,
                     JM_INGEST_MAX_ID_BYTES);
      if (length > 0)
        *out = g_strndup (text, length);
      return TRUE;
    }

  if (value_type == G_TYPE_INT64)
    {
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      return TRUE;
    }

  return fail (bad_field, field, error, "%s must be a string, not %s", field,
               jm_ingest_node_kind (node));
}

gboolean
jm_posthog_message_get_api_key (JsonObject  *message,
                                const char **key,
                                char       **field,
                                GError     **error)
{
  static const struct {
    const char *member;
    const char *field;
    gboolean    in_properties;
  } places[] = {
    { "api_key", "api_key", FALSE },
    { "token", "token", FALSE },
    { "token", "properties.token", TRUE },
  };
  JsonObject *properties = NULL;
  JsonNode *node;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  *key = NULL;

  node = get_member (message, "properties");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    properties = json_node_get_object (node);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      node = get_member (places[i].in_properties ? properties : message, places[i].member);
      if (node == NULL)
        continue;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return fail (field, places[i].field, error, "%s must be a string, not %s",
                     places[i].field, jm_ingest_node_kind (node));

      if (*json_node_get_string (node) != '\0')
        {
          *key = json_node_get_string (node);
          return TRUE;
        }
    }

  return TRUE;
}

/* Whether a distinct id names a person (see the rule at the top of this file). */
static gboolean
distinct_id_is_identified (JsonObject *properties,
                           const char *distinct_id)
{
  JsonNode *node = get_member (properties, "$is_identified");
  const char *device_id;

  if (distinct_id[0] == '$')
    return FALSE;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);

  device_id = get_string (properties, "$device_id");
  if (device_id != NULL && g_str_equal (device_id, distinct_id))
    return FALSE;

  return TRUE;
}

/* "https://shop.example/cart?x=1#top" → "/cart"; "/" when the URL has no path. */
static char *
dup_url_path (const char *url)
{
  const char *p = strstr (url, "://");
  gsize length;

  if (p == NULL)
    return NULL;

  p = strpbrk (p + 3, "/?#");
  if (p == NULL || *p != '/')
    return g_strdup ("/");

  length = strcspn (p, "?#");

  return g_strndup (p, length);
}

static void
set_text (JsonObject *object,
          const char *member,
          const char *text)
{
  if (text != NULL)
    json_object_set_string_member (object, member, text);
}

static void
add_object_if_filled (JsonObject *parent,
                      const char *member,
                      JsonObject *child)
{
  if (json_object_get_size (child) > 0)
    json_object_set_object_member (parent, member, child);
  else
    json_object_unref (child);
}

/* The Segment context PostHog keeps among the properties. */
static JsonObject *
context_from_properties (JsonObject *properties,
                         const char *path)
{
  static const struct {
    const char *property;
    const char *member;
  } campaign_fields[] = {
    { "utm_source", "source" },
    { "utm_medium", "medium" },
    { "utm_campaign", "name" },
    { "utm_term", "term" },
    { "utm_content", "content" },
  };
  JsonObject *context = json_object_new ();
  JsonObject *page = json_object_new ();
  JsonObject *campaign = json_object_new ();
  JsonObject *library = json_object_new ();
  JsonObject *os = json_object_new ();
  const char *referrer;

  set_text (page, "url", get_text (properties, "$current_url"));
  set_text (page, "path", path);
  /* PostHog writes "$direct" for "no referrer". */
  referrer = get_text (properties, "$referrer");
  if (referrer != NULL && !g_str_equal (referrer, "$direct"))
    set_text (page, "referrer", referrer);
  set_text (page, "title", get_text (properties, "$title"));
  add_object_if_filled (context, "page", page);

  for (guint i = 0; i < G_N_ELEMENTS (campaign_fields); i++)
    set_text (campaign, campaign_fields[i].member,
              get_text (properties, campaign_fields[i].property));
  add_object_if_filled (context, "campaign", campaign);

  set_text (library, "name", get_text (properties, "$lib"));
  set_text (library, "version", get_text (properties, "$lib_version"));
  add_object_if_filled (context, "library", library);

  set_text (os, "name", get_text (properties, "$os"));
  set_text (os, "version", get_text (properties, "$os_version"));
  add_object_if_filled (context, "os", os);

  set_text (context, "ip", get_text (properties, "$ip"));
  set_text (context, "userAgent", get_text (properties, "$raw_user_agent"));

  return context;
}

/* Person properties: $set_once, overridden by $set, from the event or its properties (the
 * first is where posthog-js writes them, the second where posthog-node does). Those found
 * among the properties are moved out of them with `take`.
 */
static gboolean
read_person_properties (JsonObject  *message,
                        JsonObject  *properties,
                        gboolean     take,
                        JsonObject **out,
                        char       **bad_field,
                        GError     **error)
{
  static const char *const names[] = { "$set_once", "$set" };
  g_autoptr(JsonObject) traits = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gboolean in_properties = FALSE;
      JsonNode *node = get_member (message, names[i]);
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      if (node == NULL)
        {
          node = get_member (properties, names[i]);
          in_properties = node != NULL;
        }
      if (node == NULL)
        continue;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_autofree char *field = in_properties ? g_strconcat ("properties.", names[i], NULL)
                                                 : g_strdup (names[i]);

          return fail (bad_field, field, error, "%s must be an object, not %s", field,
                       jm_ingest_node_kind (node));
        }

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &member, &value))
        json_object_set_member (traits, member, json_node_copy (value));

      if (in_properties && take)
        json_object_remove_member (properties, names[i]);
    }

  *out = json_object_get_size (traits) > 0 ? g_steal_pointer (&traits) : NULL;

  return TRUE;
}

/* Our field names back in PostHog's words, for errors from jm_event_new_from_json() (which
 * the checks here make rare).
 */
static char *
posthog_field (const char *field)
{
  static const struct {
    const char *segment;
    const char *posthog;
  } names[] = {
    { "messageId", "uuid" },
    { "userId", "distinct_id" },
    { "anonymousId", "distinct_id" },
    { "previousId", "properties.alias" },
    { "groupId", "properties.$group_key" },
    { "name", "properties.$screen_name" },
    { "traits", "$set" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_strcmp0 (field, names[i].segment) == 0)
        return g_strdup (names[i].posthog);
    }

  return g_strdup (field != NULL ? field : "");
}

static gboolean
read_time (JsonObject  *message,
           gint64       now_ms,
           gboolean     have_sent_at,
           gint64       sent_at,
           JsonObject  *properties,
           gint64      *out_ms,
           char       **bad_field,
           GError     **error)
{
  JsonNode *timestamp = get_member (message, "timestamp");
  JsonNode *offset = get_member (message, "offset");
  JsonNode *node;
  gint64 ts = now_ms;

  if (timestamp != NULL && !jm_time_parse_json (timestamp, &ts))
    {
      if (JSON_NODE_HOLDS_VALUE (timestamp) &&
          json_node_get_value_type (timestamp) == G_TYPE_STRING)
        return fail (bad_field, "timestamp", error,
                     "timestamp \"%.64s\" is not an ISO-8601 time or an epoch number",
                     json_node_get_string (timestamp));
      return fail (bad_field, "timestamp", error,
                   "timestamp must be an ISO-8601 time or an epoch number, not %s",
                   jm_ingest_node_kind (timestamp));
    }

  node = get_member (message, "sent_at");
  if (node != NULL)
    {
      if (!jm_time_parse_json (node, &sent_at))
        return fail (bad_field, "sent_at", error,
                     "sent_at is not an ISO-8601 time or an epoch number");
      have_sent_at = TRUE;
    }

  node = get_member (properties, "$ignore_sent_at");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node))
    have_sent_at = FALSE;

  if (timestamp != NULL && have_sent_at)
    {
      if (!jm_ingest_correct_time (now_ms, sent_at, ts, &ts))
        return fail (bad_field, "sent_at", error,
                     "sent_at and timestamp are too far apart to correct the device's clock");
    }
  else if (offset != NULL)
    {
      gint64 ms;

      /* Milliseconds before the request arrived; a fraction is dropped. */
      if (!JSON_NODE_HOLDS_VALUE (offset) ||
          (json_node_get_value_type (offset) != G_TYPE_INT64 &&
           json_node_get_value_type (offset) != G_TYPE_DOUBLE))
        return fail (bad_field, "offset", error, "offset must be a number of milliseconds, not %s",
                     jm_ingest_node_kind (offset));

      if (json_node_get_value_type (offset) == G_TYPE_INT64)
        {
          ms = json_node_get_int (offset);
        }
      else
        {
          double value = json_node_get_double (offset);

          ms = value > -1e15 && value < 1e15 ? (gint64) value : G_MAXINT64;
        }

      /* now − offset, with the range checks of the sent_at correction. */
      if (ms <= -MAX_OFFSET_MS || ms >= MAX_OFFSET_MS ||
          !jm_ingest_correct_time (now_ms, 0, -ms, &ts))
        return fail (bad_field, "offset", error,
                     "offset is not a plausible number of milliseconds");
    }

  *out_ms = ts;

  return TRUE;
}

JmEvent *
jm_posthog_message_to_event (JsonObject  *message,
                             gint64       now_ms,
                             gboolean     have_sent_at,
                             gint64       sent_at,
                             char       **bad_field,
                             GError     **error)
{
  g_autoptr(JsonObject) segment = NULL;
  g_autoptr(JsonObject) properties = NULL;
  g_autoptr(JsonObject) traits = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *distinct_id = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *anonymous_id = NULL;
  g_autofree char *previous_id = NULL;
  g_autofree char *group_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *field = NULL;
  JmEventType type = JM_EVENT_TRACK;
  JmEvent *event;
  JsonNode *node;
  const char *name;
  const char *device_id;
  gint64 ts = now_ms;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (bad_field == NULL || *bad_field == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = get_member (message, "event");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fail (bad_field, "event", error, "event must be the event's name, a string, not %s",
            jm_ingest_node_kind (node));
      return NULL;
    }
  name = json_node_get_string (node);
  if (*name == '\0' || strlen (name) > JM_INGEST_MAX_ID_BYTES)
    {
      fail (bad_field, "event", error, "event must be a name of 1 to %d bytes",
            JM_INGEST_MAX_ID_BYTES);
      return NULL;
    }

  node = get_member (message, "properties");
  if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (bad_field, "properties", error, "properties must be an object, not %s",
            jm_ingest_node_kind (node));
      return NULL;
    }
  properties = node != NULL ? json_object_ref (json_node_get_object (node)) : json_object_new ();

  if (!read_id (message, "distinct_id", "distinct_id", &distinct_id, bad_field, error) ||
      (distinct_id == NULL &&
       !read_id (properties, "distinct_id", "properties.distinct_id", &distinct_id,
                 bad_field, error)) ||
      !read_id (message, "uuid", "uuid", &uuid, bad_field, error))
    return NULL;
  if (distinct_id == NULL)
    {
      fail (bad_field, "distinct_id", error, "A PostHog event needs a distinct_id");
      return NULL;
    }

  if (!read_time (message, now_ms, have_sent_at, sent_at, properties, &ts, bad_field, error))
    return NULL;

  device_id = get_text (properties, "$device_id");

  if (g_str_equal (name, "$pageview"))
    type = JM_EVENT_PAGE;
  else if (g_str_equal (name, "$screen"))
    type = JM_EVENT_SCREEN;
  else if (g_str_equal (name, "$identify") || g_str_equal (name, "$set"))
    type = JM_EVENT_IDENTIFY;
  else if (g_str_equal (name, "$create_alias"))
    type = JM_EVENT_ALIAS;
  else if (g_str_equal (name, "$groupidentify"))
    type = JM_EVENT_GROUP;

  if (type == JM_EVENT_IDENTIFY && g_str_equal (name, "$identify") && distinct_id[0] != '$')
    {
      /* identify() names the person; the id they had before is $anon_distinct_id. */
      if (!read_id (properties, "$anon_distinct_id", "properties.$anon_distinct_id",
                    &anonymous_id, bad_field, error))
        return NULL;
      if (anonymous_id == NULL && device_id != NULL)
        anonymous_id = g_strdup (device_id);
      user_id = g_steal_pointer (&distinct_id);
    }
  else if (type == JM_EVENT_ALIAS)
    {
      g_autofree char *alias = NULL;

      if (!read_id (properties, "alias", "properties.alias", &alias, bad_field, error))
        return NULL;
      if (alias == NULL)
        {
          fail (bad_field, "properties.alias", error,
                "A $create_alias event needs properties.alias, the id to link");
          return NULL;
        }
      if (distinct_id_is_identified (properties, distinct_id))
        {
          user_id = g_steal_pointer (&distinct_id);
          previous_id = g_steal_pointer (&alias);
        }
      else
        {
          user_id = g_steal_pointer (&alias);
          previous_id = g_steal_pointer (&distinct_id);
        }
    }
  else if (distinct_id_is_identified (properties, distinct_id))
    {
      user_id = g_steal_pointer (&distinct_id);
      if (device_id != NULL)
        anonymous_id = g_strdup (device_id);
    }
  else
    {
      anonymous_id = g_steal_pointer (&distinct_id);
    }

  if (anonymous_id != NULL && user_id != NULL && g_str_equal (anonymous_id, user_id))
    g_clear_pointer (&anonymous_id, g_free);
  if (anonymous_id != NULL && strlen (anonymous_id) > JM_INGEST_MAX_ID_BYTES)
    g_clear_pointer (&anonymous_id, g_free);

  if (type == JM_EVENT_IDENTIFY &&
      !read_person_properties (message, properties, TRUE, &traits, bad_field, error))
    return NULL;

  if (type == JM_EVENT_GROUP)
    {
      node = get_member (properties, "$group_set");
      if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
        {
          fail (bad_field, "properties.$group_set", error,
                "properties.$group_set must be an object, not %s", jm_ingest_node_kind (node));
          return NULL;
        }
      if (node != NULL)
        traits = json_object_ref (json_node_get_object (node));
      if (!read_id (properties, "$group_key", "properties.$group_key", &group_id,
                    bad_field, error))
        return NULL;
      if (group_id == NULL)
        {
          fail (bad_field, "properties.$group_key", error,
                "A $groupidentify event needs properties.$group_key");
          return NULL;
        }
    }

  /* The path names page journeys (DESIGN §5). */
  path = g_strdup (get_text (properties, "$pathname"));
  if (path == NULL && get_text (properties, "$current_url") != NULL)
    path = dup_url_path (get_text (properties, "$current_url"));

  json_object_remove_member (properties, "token");

  segment = json_object_new ();
  json_object_set_string_member (segment, "type", jm_event_type_to_string (type));
  set_text (segment, "messageId", uuid);
  set_text (segment, "userId", user_id);
  set_text (segment, "anonymousId", anonymous_id);
  set_text (segment, "previousId", previous_id);
  set_text (segment, "groupId", group_id);

  if (type == JM_EVENT_TRACK)
    {
      json_object_set_string_member (segment, "event", name);
    }
  else if (type == JM_EVENT_SCREEN)
    {
      node = get_member (properties, "$screen_name");
      if (node != NULL && (!JSON_NODE_HOLDS_VALUE (node) ||
                           json_node_get_value_type (node) != G_TYPE_STRING))
        {
          fail (bad_field, "properties.$screen_name", error,
                "properties.$screen_name must be a string, not %s", jm_ingest_node_kind (node));
          return NULL;
        }
      set_text (segment, "name", get_text (properties, "$screen_name"));
    }
  else if (type == JM_EVENT_PAGE)
    {
      if (!json_object_has_member (properties, "url"))
        set_text (properties, "url", get_text (properties, "$current_url"));
      if (!json_object_has_member (properties, "path"))
        set_text (properties, "path", path);
    }

  json_object_set_object_member (segment, "properties", json_object_ref (properties));
  json_object_set_object_member (segment, "context", context_from_properties (properties, path));
  if (traits != NULL)
    json_object_set_object_member (segment, "traits", g_steal_pointer (&traits));

  event = jm_event_new_from_json (segment, now_ms, &field, &local_error);
  if (event == NULL)
    {
      g_autofree char *posthog = posthog_field (field);

      fail (bad_field, posthog, error, "%s", local_error->message);
      return NULL;
    }

  event->ts = ts;

  return event;
}
