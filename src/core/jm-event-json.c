/* jm-event-json.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-event"

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-event.h"
#include "jm-time.h"

/* Reading and writing the Segment spec (https://segment.com/docs/connections/spec/), the
 * wire format of every ingest path, plus the line format of Mixpanel's raw export.
 */

/* Longest id or name accepted, in bytes. */
#define MAX_ID_BYTES 1024

static JmEvent *
fail (char        **bad_field,
      const char   *field,
      GError      **error,
      const char   *format,
      ...) G_GNUC_PRINTF (4, 5);

static JmEvent *
fail (char        **bad_field,
      const char   *field,
      GError      **error,
      const char   *format,
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

  return NULL;
}

static const char *
node_kind (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_STRING:
      return "a string";
    default:
      return "a number";
    }
}

/* A member that is absent or null counts as absent everywhere. */
static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, name);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A user-given string quoted in an error message: valid UTF-8 and at most 64 characters,
 * so a long or broken value can neither flood the message nor make it invalid UTF-8.
 */
static char *
dup_excerpt (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *head = NULL;

  if (g_utf8_strlen (valid, -1) <= 64)
    return g_steal_pointer (&valid);

  head = g_utf8_substring (valid, 0, 64);
  return g_strconcat (head, "…", NULL);
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

/* An id: a string, or a number (some SDKs send numeric user ids) written as an integer
 * where it is one. Empty strings count as absent.
 */
static gboolean
read_id (JsonNode    *node,
         const char  *field,
         char       **out,
         char       **bad_field,
         GError     **error)
{
  GType value_type;

  *out = NULL;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      fail (bad_field, field, error, "%s must be a string, not %s", field, node_kind (node));
      return FALSE;
    }

  value_type = json_node_get_value_type (node);

  if (value_type == G_TYPE_STRING)
    {
      const char *string = json_node_get_string (node);
      gsize length = strlen (string);

      if (length > MAX_ID_BYTES)
        {
          fail (bad_field, field, error, "%s is longer than %d bytes", field, MAX_ID_BYTES);
          return FALSE;
        }
      if (length > 0)
        *out = g_strndup (string, length);
      return TRUE;
    }

  if (value_type == G_TYPE_INT64)
    {
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      return TRUE;
    }

  if (value_type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      if (value == floor (value) && fabs (value) < 9007199254740992.0)
        *out = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
      else
        *out = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, value));
      return TRUE;
    }

  fail (bad_field, field, error, "%s must be a string, not %s", field, node_kind (node));

  return FALSE;
}

static gboolean
read_member_id (JsonObject  *object,
                const char  *member,
                const char  *field,
                char       **out,
                char       **bad_field,
                GError     **error)
{
  return read_id (get_member (object, member), field, out, bad_field, error);
}

/* properties/context/traits: an object or absent. The event shares the message's object. */
static gboolean
read_object (JsonObject  *object,
             const char  *member,
             JsonObject **out,
             char       **bad_field,
             GError     **error)
{
  JsonNode *node = get_member (object, member);

  *out = NULL;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (bad_field, member, error, "%s must be an object, not %s", member, node_kind (node));
      return FALSE;
    }

  *out = json_object_ref (json_node_get_object (node));

  return TRUE;
}

static gboolean
read_time (JsonObject  *object,
           const char  *member,
           const char  *field,
           gboolean    *found,
           gint64      *out_ms,
           char       **bad_field,
           GError     **error)
{
  JsonNode *node = get_member (object, member);

  *found = FALSE;

  if (node == NULL)
    return TRUE;

  if (!jm_time_parse_json (node, out_ms))
    {
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          g_autofree char *excerpt = dup_excerpt (json_node_get_string (node));

          fail (bad_field, field, error,
                "%s \"%s\" is not an ISO-8601 time or an epoch number", field, excerpt);
        }
      else
        fail (bad_field, field, error,
              "%s must be an ISO-8601 time or an epoch number, not %s", field,
              node_kind (node));
      return FALSE;
    }

  *found = TRUE;

  return TRUE;
}

/* Consent category names, ours and the Segment Consent Management ones. */
static guint
consent_from_name (const char *name)
{
  if (g_ascii_strcasecmp (name, "analytics") == 0)
    return JM_CONSENT_ANALYTICS;
  if (g_ascii_strcasecmp (name, "marketing") == 0 ||
      g_ascii_strcasecmp (name, "advertising") == 0)
    return JM_CONSENT_MARKETING;
  if (g_ascii_strcasecmp (name, "personalization") == 0 ||
      g_ascii_strcasecmp (name, "personalisation") == 0 ||
      g_ascii_strcasecmp (name, "functional") == 0)
    return JM_CONSENT_PERSONALIZATION;

  return 0;
}

/* Our own `consent`: an array of granted category names, or an object of booleans. */
static gboolean
read_consent (JsonNode  *node,
              guint     *out,
              char     **bad_field,
              GError   **error)
{
  guint consent = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          const char *name;
          guint category;

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING)
            {
              fail (bad_field, "consent", error,
                    "consent must list category names (analytics, marketing, "
                    "personalization), not %s", node_kind (element));
              return FALSE;
            }

          name = json_node_get_string (element);
          category = consent_from_name (name);
          if (category == 0)
            {
              g_autofree char *excerpt = dup_excerpt (name);

              fail (bad_field, "consent", error,
                    "Unknown consent category \"%s\" (use analytics, marketing or "
                    "personalization)", excerpt);
              return FALSE;
            }
          consent |= category;
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &value))
        {
          guint category = consent_from_name (name);

          if (category == 0)
            continue;

          if (!JSON_NODE_HOLDS_VALUE (value) ||
              json_node_get_value_type (value) != G_TYPE_BOOLEAN)
            {
              g_autofree char *field = g_strconcat ("consent.", name, NULL);

              fail (bad_field, field, error, "%s must be true or false, not %s",
                    field, node_kind (value));
              return FALSE;
            }

          if (json_node_get_boolean (value))
            consent |= category;
        }
    }
  else
    {
      fail (bad_field, "consent", error,
            "consent must be an array of category names or an object of booleans, not %s",
            node_kind (node));
      return FALSE;
    }

  *out = consent;

  return TRUE;
}

/* Segment's `context.consent.categoryPreferences`; categories it does not know stay off. */
static guint
read_category_preferences (JsonObject *preferences)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  guint consent = 0;

  json_object_iter_init (&iter, preferences);
  while (json_object_iter_next (&iter, &name, &value))
    {
      if (JSON_NODE_HOLDS_VALUE (value) &&
          json_node_get_value_type (value) == G_TYPE_BOOLEAN &&
          json_node_get_boolean (value))
        consent |= consent_from_name (name);
    }

  return consent;
}

static void
replace_object (JsonObject **slot,
                JsonObject  *object)
{
  if (*slot != NULL)
    json_object_unref (*slot);
  *slot = object;
}

static JsonObject *
ensure_object (JsonObject *parent,
               const char *name)
{
  JsonObject *child = get_object (parent, name);

  if (child == NULL)
    {
      child = json_object_new ();
      json_object_set_object_member (parent, name, child);
    }

  return child;
}

static char *
dup_node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

/* Mixpanel's export: {"event": E, "properties": {"distinct_id", "time", "$insert_id", …}}.
 * Its bookkeeping properties (`$…`, `mp_…`, token) are dropped; the page and campaign ones
 * move to where the Segment spec keeps them.
 */
static JmEvent *
new_from_mixpanel (JsonObject  *object,
                   JsonObject  *mp_properties,
                   gint64       now_ms,
                   char       **bad_field,
                   GError     **error)
{
  static const struct {
    const char *property;
    const char *object;
    const char *member;
  } moved[] = {
    { "$current_url", "page", "url" },
    { "$referrer", "page", "referrer" },
    { "$title", "page", "title" },
    { "utm_source", "campaign", "source" },
    { "utm_medium", "campaign", "medium" },
    { "utm_campaign", "campaign", "name" },
    { "utm_term", "campaign", "term" },
    { "utm_content", "campaign", "content" },
  };
  g_autoptr(JmEvent) event = NULL;
  g_autofree char *distinct_id = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *user_id = NULL;
  const char *name;
  GList *members;
  gboolean found;
  JmEventType type = JM_EVENT_TRACK;

  name = get_string (object, "event");
  if (name == NULL || *name == '\0')
    return fail (bad_field, "event", error, "event must be a non-empty string");
  if (strlen (name) > MAX_ID_BYTES)
    return fail (bad_field, "event", error, "event is longer than %d bytes", MAX_ID_BYTES);

  if (g_str_equal (name, "$identify"))
    type = JM_EVENT_IDENTIFY;
  else if (g_str_equal (name, "$create_alias"))
    type = JM_EVENT_ALIAS;
  else if (g_str_equal (name, "$mp_web_page_view"))
    type = JM_EVENT_PAGE;

  event = jm_event_new (type);
  if (type == JM_EVENT_TRACK)
    event->event = g_strdup (name);

  if (!read_member_id (mp_properties, "distinct_id", "properties.distinct_id", &distinct_id,
                       bad_field, error) ||
      !read_member_id (mp_properties, "$device_id", "properties.$device_id", &device_id,
                       bad_field, error) ||
      !read_member_id (mp_properties, "$user_id", "properties.$user_id", &user_id,
                       bad_field, error) ||
      !read_member_id (mp_properties, "$insert_id", "properties.$insert_id", &event->id,
                       bad_field, error))
    return NULL;

  /* Simplified ID merge: `$device:…` distinct ids and distinct ids equal to the device id
   * are anonymous; a separate $user_id names the customer.
   */
  if (user_id != NULL)
    {
      event->user_id = g_steal_pointer (&user_id);
      event->anonymous_id = g_steal_pointer (&device_id);
    }
  else if (distinct_id != NULL &&
           ((device_id != NULL && g_str_equal (distinct_id, device_id)) ||
            g_str_has_prefix (distinct_id, "$device:")))
    {
      event->anonymous_id = g_str_has_prefix (distinct_id, "$device:")
                            ? g_strdup (distinct_id + strlen ("$device:"))
                            : g_steal_pointer (&distinct_id);
    }
  else
    {
      event->user_id = g_steal_pointer (&distinct_id);
      event->anonymous_id = g_steal_pointer (&device_id);
    }

  if (type == JM_EVENT_IDENTIFY)
    {
      g_autofree char *identified = NULL;
      g_autofree char *anonymous = NULL;

      if (!read_member_id (mp_properties, "$identified_id", "properties.$identified_id",
                           &identified, bad_field, error) ||
          !read_member_id (mp_properties, "$anon_id", "properties.$anon_id", &anonymous,
                           bad_field, error))
        return NULL;
      if (identified != NULL)
        {
          g_free (event->user_id);
          event->user_id = g_steal_pointer (&identified);
        }
      if (anonymous != NULL)
        {
          g_free (event->anonymous_id);
          event->anonymous_id = g_steal_pointer (&anonymous);
        }
    }
  else if (type == JM_EVENT_ALIAS)
    {
      g_autofree char *alias = NULL;

      if (!read_member_id (mp_properties, "alias", "properties.alias", &alias, bad_field, error))
        return NULL;
      if (alias == NULL)
        return fail (bad_field, "properties.alias", error,
                     "A $create_alias event needs properties.alias");
      event->previous_id = event->user_id != NULL ? g_steal_pointer (&event->user_id)
                                                  : g_steal_pointer (&event->anonymous_id);
      event->user_id = g_steal_pointer (&alias);
    }

  if (event->user_id == NULL && event->anonymous_id == NULL)
    return fail (bad_field, "properties.distinct_id", error,
                 "A Mixpanel event needs properties.distinct_id");
  if (type == JM_EVENT_ALIAS && event->previous_id == NULL)
    return fail (bad_field, "properties.distinct_id", error,
                 "A $create_alias event needs properties.distinct_id");

  if (!read_time (mp_properties, "time", "properties.time", &found, &event->ts,
                  bad_field, error))
    return NULL;
  if (!found)
    event->ts = now_ms;

  for (guint i = 0; i < G_N_ELEMENTS (moved); i++)
    {
      g_autofree char *text = dup_node_string (get_member (mp_properties, moved[i].property));

      /* Mixpanel writes "$direct" for "no referrer". */
      if (text == NULL || *text == '\0' || g_str_equal (text, "$direct"))
        continue;
      json_object_set_string_member (ensure_object (event->context, moved[i].object),
                                     moved[i].member, text);
    }

  if (type == JM_EVENT_PAGE)
    {
      JsonObject *page = get_object (event->context, "page");

      if (page != NULL && get_string (page, "url") != NULL)
        json_object_set_string_member (event->properties, "url", get_string (page, "url"));
    }

  /* In the order written (a JsonObjectIter would go in hash order). */
  members = json_object_get_members (mp_properties);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      JsonNode *value = json_object_get_member (mp_properties, member);

      if (member[0] == '$' || g_str_has_prefix (member, "mp_") ||
          g_str_has_prefix (member, "utm_") ||
          g_str_equal (member, "distinct_id") || g_str_equal (member, "time") ||
          g_str_equal (member, "token") ||
          (type == JM_EVENT_ALIAS && g_str_equal (member, "alias")))
        continue;

      json_object_set_member (event->properties, member, json_node_copy (value));
    }
  g_list_free (members);

  return g_steal_pointer (&event);
}

static gboolean
is_mixpanel (JsonObject *object,
             JsonObject *properties)
{
  if (properties == NULL || json_object_has_member (object, "type") ||
      json_object_has_member (object, "userId") || json_object_has_member (object, "anonymousId"))
    return FALSE;

  return json_object_has_member (properties, "distinct_id") ||
         json_object_has_member (properties, "$insert_id") ||
         (json_object_has_member (properties, "time") &&
          !json_object_has_member (object, "timestamp"));
}

JmEvent *
jm_event_new_from_json (JsonObject  *object,
                        gint64       now_ms,
                        char       **bad_field,
                        GError     **error)
{
  g_autoptr(JmEvent) event = NULL;
  JsonNode *type_node;
  JsonObject *properties = NULL;
  JsonObject *context = NULL;
  JsonObject *traits = NULL;
  JsonNode *consent_node;
  JmEventType type;
  gboolean found;
  gboolean have_received;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (bad_field == NULL || *bad_field == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type_node = get_member (object, "type");

  if (type_node == NULL)
    {
      if (get_member (object, "event") == NULL)
        return fail (bad_field, "type", error,
                     "The message has no type (track, page, screen, identify, alias or "
                     "group) and no event");

      if (is_mixpanel (object, get_object (object, "properties")))
        return new_from_mixpanel (object, get_object (object, "properties"), now_ms,
                                  bad_field, error);

      type = JM_EVENT_TRACK;
    }
  else if (!JSON_NODE_HOLDS_VALUE (type_node) ||
           json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      return fail (bad_field, "type", error, "type must be a string, not %s",
                   node_kind (type_node));
    }
  else if (!jm_event_type_from_string (json_node_get_string (type_node), &type))
    {
      g_autofree char *excerpt = dup_excerpt (json_node_get_string (type_node));

      return fail (bad_field, "type", error,
                   "Unknown type \"%s\" (use track, page, screen, identify, alias or group)",
                   excerpt);
    }

  event = jm_event_new (type);

  if (!read_member_id (object, "messageId", "messageId", &event->id, bad_field, error) ||
      !read_member_id (object, "userId", "userId", &event->user_id, bad_field, error) ||
      !read_member_id (object, "anonymousId", "anonymousId", &event->anonymous_id,
                       bad_field, error))
    return NULL;

  switch (type)
    {
    case JM_EVENT_TRACK:
      {
        JsonNode *node = get_member (object, "event");

        if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
            json_node_get_value_type (node) != G_TYPE_STRING ||
            *json_node_get_string (node) == '\0')
          return fail (bad_field, "event", error,
                       "A track message needs a non-empty string event");
        if (!read_id (node, "event", &event->event, bad_field, error))
          return NULL;
      }
      break;

    case JM_EVENT_PAGE:
    case JM_EVENT_SCREEN:
      {
        JsonNode *node = get_member (object, "name");

        if (node != NULL && (!JSON_NODE_HOLDS_VALUE (node) ||
                             json_node_get_value_type (node) != G_TYPE_STRING))
          return fail (bad_field, "name", error, "name must be a string, not %s",
                       node_kind (node));
        if (!read_id (node, "name", &event->event, bad_field, error))
          return NULL;
      }
      break;

    case JM_EVENT_ALIAS:
      if (!read_member_id (object, "previousId", "previousId", &event->previous_id,
                           bad_field, error))
        return NULL;
      if (event->previous_id == NULL)
        return fail (bad_field, "previousId", error, "An alias message needs previousId");
      if (event->user_id == NULL)
        return fail (bad_field, "userId", error, "An alias message needs userId");
      break;

    case JM_EVENT_GROUP:
      if (!read_member_id (object, "groupId", "groupId", &event->group_id, bad_field, error))
        return NULL;
      if (event->group_id == NULL)
        return fail (bad_field, "groupId", error, "A group message needs groupId");
      break;

    case JM_EVENT_IDENTIFY:
    default:
      break;
    }

  if (event->user_id == NULL && event->anonymous_id == NULL)
    return fail (bad_field, "userId", error,
                 "The message needs a userId or an anonymousId");

  /* The event time: timestamp, else the client's originalTimestamp, else the time the
   * message was received; a message without any is timed now.
   */
  if (!read_time (object, "timestamp", "timestamp", &found, &event->ts, bad_field, error))
    return NULL;
  if (!found &&
      !read_time (object, "originalTimestamp", "originalTimestamp", &found, &event->ts,
                  bad_field, error))
    return NULL;
  if (!read_time (object, "receivedAt", "receivedAt", &have_received, &event->received_at,
                  bad_field, error))
    return NULL;
  if (!found)
    event->ts = have_received ? event->received_at : now_ms;

  if (!read_object (object, "properties", &properties, bad_field, error))
    return NULL;
  if (properties != NULL)
    replace_object (&event->properties, properties);

  if (!read_object (object, "context", &context, bad_field, error))
    return NULL;
  if (context != NULL)
    replace_object (&event->context, context);

  if (!read_object (object, "traits", &traits, bad_field, error))
    return NULL;
  if (traits == NULL && type == JM_EVENT_IDENTIFY)
    {
      JsonNode *node = get_member (event->context, "traits");

      if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
        return fail (bad_field, "context.traits", error,
                     "context.traits must be an object, not %s", node_kind (node));
      if (node != NULL)
        traits = json_object_ref (json_node_get_object (node));
    }
  event->traits = traits;

  consent_node = get_member (object, "consent");
  if (consent_node != NULL)
    {
      if (!read_consent (consent_node, &event->consent, bad_field, error))
        return NULL;
    }
  else
    {
      JsonObject *preferences = get_object (get_object (event->context, "consent"),
                                            "categoryPreferences");

      if (preferences != NULL)
        event->consent = read_category_preferences (preferences);
    }

  return g_steal_pointer (&event);
}

JsonObject *
jm_event_to_json (const JmEvent *event)
{
  JsonObject *object;
  g_autofree char *timestamp = NULL;

  g_return_val_if_fail (event != NULL, NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "type", jm_event_type_to_string (event->type));

  if (event->id != NULL)
    json_object_set_string_member (object, "messageId", event->id);
  if (event->user_id != NULL)
    json_object_set_string_member (object, "userId", event->user_id);
  if (event->anonymous_id != NULL)
    json_object_set_string_member (object, "anonymousId", event->anonymous_id);

  if (event->event != NULL)
    {
      if (event->type == JM_EVENT_TRACK)
        json_object_set_string_member (object, "event", event->event);
      else if (event->type == JM_EVENT_PAGE || event->type == JM_EVENT_SCREEN)
        json_object_set_string_member (object, "name", event->event);
    }

  if (event->previous_id != NULL)
    json_object_set_string_member (object, "previousId", event->previous_id);
  if (event->group_id != NULL)
    json_object_set_string_member (object, "groupId", event->group_id);

  timestamp = jm_time_format_iso (event->ts);
  json_object_set_string_member (object, "timestamp", timestamp);

  if (event->received_at != 0)
    {
      g_autofree char *received_at = jm_time_format_iso (event->received_at);

      json_object_set_string_member (object, "receivedAt", received_at);
    }

  /* The objects are shared with the event, as json_node_copy() shares them. */
  json_object_set_object_member (object, "properties",
                                 event->properties != NULL ? json_object_ref (event->properties)
                                                           : json_object_new ());
  json_object_set_object_member (object, "context",
                                 event->context != NULL ? json_object_ref (event->context)
                                                        : json_object_new ());
  if (event->traits != NULL)
    json_object_set_object_member (object, "traits", json_object_ref (event->traits));

  if ((event->consent & JM_CONSENT_ALL) != JM_CONSENT_ALL)
    {
      JsonArray *consent = json_array_new ();

      if (event->consent & JM_CONSENT_ANALYTICS)
        json_array_add_string_element (consent, "analytics");
      if (event->consent & JM_CONSENT_MARKETING)
        json_array_add_string_element (consent, "marketing");
      if (event->consent & JM_CONSENT_PERSONALIZATION)
        json_array_add_string_element (consent, "personalization");
      json_object_set_array_member (object, "consent", consent);
    }

  return object;
}
