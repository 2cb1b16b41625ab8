/* jm-event.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-event"

#include "config.h"

#include <math.h>
#include <string.h>

#include "jm-channel.h"
#include "jm-event.h"

G_DEFINE_QUARK (jm-event-error-quark, jm_event_error)

static const char * const type_names[] = {
  [JM_EVENT_TRACK]    = "track",
  [JM_EVENT_PAGE]     = "page",
  [JM_EVENT_SCREEN]   = "screen",
  [JM_EVENT_IDENTIFY] = "identify",
  [JM_EVENT_ALIAS]    = "alias",
  [JM_EVENT_GROUP]    = "group",
};

JmEvent *
jm_event_new (JmEventType type)
{
  JmEvent *event;

  g_return_val_if_fail (type <= JM_EVENT_GROUP, NULL);

  event = g_new0 (JmEvent, 1);
  event->type = type;
  event->properties = json_object_new ();
  event->context = json_object_new ();
  event->consent = JM_CONSENT_ALL;

  return event;
}

void
jm_event_free (JmEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->id);
  g_free (event->event);
  g_free (event->user_id);
  g_free (event->anonymous_id);
  g_free (event->previous_id);
  g_free (event->group_id);
  g_clear_pointer (&event->properties, json_object_unref);
  g_clear_pointer (&event->context, json_object_unref);
  g_clear_pointer (&event->traits, json_object_unref);
  g_free (event->properties_json);
  g_free (event->context_json);
  g_free (event->journey_name);
  g_free (event);
}

const char *
jm_event_type_to_string (JmEventType type)
{
  g_return_val_if_fail (type <= JM_EVENT_GROUP, NULL);

  return type_names[type];
}

gboolean
jm_event_type_from_string (const char  *string,
                           JmEventType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);

  if (string == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    {
      if (g_ascii_strcasecmp (string, type_names[i]) == 0)
        {
          *type = (JmEventType) i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
jm_event_is_journey_event (const JmEvent *event)
{
  g_return_val_if_fail (event != NULL, FALSE);

  return event->type == JM_EVENT_TRACK ||
         event->type == JM_EVENT_PAGE ||
         event->type == JM_EVENT_SCREEN;
}

static const char *
object_get_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
object_get_object (JsonObject *object,
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

/* The path of a URL: what lies between the authority and the query or fragment.
 * A relative reference that starts with '/' is a path already.
 */
static char *
dup_url_path (const char *url)
{
  const char *start;
  const char *end;
  const char *scheme_end;

  if (url == NULL || *url == '\0')
    return NULL;

  scheme_end = strstr (url, "://");
  if (scheme_end != NULL)
    {
      start = strchr (scheme_end + 3, '/');
      if (start == NULL)
        return g_strdup ("/");
    }
  else if (url[0] == '/')
    start = url;
  else
    return NULL;

  end = start + strcspn (start, "?#");
  if (end == start)
    return g_strdup ("/");

  return g_strndup (start, end - start);
}

char *
jm_event_dup_journey_name (const JmEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  switch (event->type)
    {
    case JM_EVENT_TRACK:
    case JM_EVENT_SCREEN:
      return event->event != NULL && *event->event != '\0' ? g_strdup (event->event) : NULL;

    case JM_EVENT_PAGE:
      {
        const char *path;
        char *from_url;

        path = object_get_string (event->properties, "path");
        if (path != NULL && *path != '\0')
          return g_strdup (path);

        from_url = dup_url_path (object_get_string (event->properties, "url"));
        if (from_url != NULL)
          return from_url;

        path = object_get_string (object_get_object (event->context, "page"), "path");
        if (path != NULL && *path != '\0')
          return g_strdup (path);

        return event->event != NULL && *event->event != '\0' ? g_strdup (event->event) : NULL;
      }

    case JM_EVENT_IDENTIFY:
    case JM_EVENT_ALIAS:
    case JM_EVENT_GROUP:
    default:
      return NULL;
    }
}

static void canonical_append_node (GString  *out,
                                   JsonNode *node);

static int
compare_member_names (gconstpointer a,
                      gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
canonical_append_string (GString    *out,
                         const char *string)
{
  g_string_append_c (out, '"');
  for (const char *p = string; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* A serialization with object members sorted by name, so that two messages with the same
 * content get the same id whatever order their producer wrote the members in.
 */
static void
canonical_append_object (GString    *out,
                         JsonObject *object)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GList *members;

  if (object == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    g_ptr_array_add (names, l->data);
  g_list_free (members);
  g_ptr_array_sort (names, compare_member_names);

  g_string_append_c (out, '{');
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (i > 0)
        g_string_append_c (out, ',');
      canonical_append_string (out, name);
      g_string_append_c (out, ':');
      canonical_append_node (out, json_object_get_member (object, name));
    }
  g_string_append_c (out, '}');
}

static void
canonical_append_node (GString  *out,
                       JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      canonical_append_object (out, json_node_get_object (node));
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            canonical_append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          canonical_append_string (out, json_node_get_string (node));
          break;

        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;

        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;

        case G_TYPE_DOUBLE:
          {
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer,
                                                  json_node_get_double (node)));
          }
          break;

        default:
          g_string_append (out, "null");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

static void
canonical_append_field (GString    *out,
                        const char *value)
{
  if (value != NULL)
    canonical_append_string (out, value);
  else
    g_string_append (out, "null");
  g_string_append_c (out, '\n');
}

char *
jm_event_dup_content_id (const JmEvent *event)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (event != NULL, NULL);

  out = g_string_sized_new (256);
  canonical_append_field (out, type_names[event->type]);
  canonical_append_field (out, event->event);
  canonical_append_field (out, event->user_id);
  canonical_append_field (out, event->anonymous_id);
  canonical_append_field (out, event->previous_id);
  canonical_append_field (out, event->group_id);
  g_string_append_printf (out, "%" G_GINT64_FORMAT "\n", event->ts);
  canonical_append_object (out, event->properties);
  g_string_append_c (out, '\n');
  canonical_append_object (out, event->context);
  g_string_append_c (out, '\n');
  canonical_append_object (out, event->traits);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) out->str, out->len);
}

/* Compact JSON for the store. This is the hot path of ingest, so it writes into a reused
 * buffer rather than going through JsonGenerator (which allocates per node and prints every
 * double with 17 digits); the output is plain RFC 8259 JSON that json-glib and SQLite read
 * back.
 */
static void write_node (GString  *out,
                        JsonNode *node);

static void
write_string (GString    *out,
              const char *string)
{
  const char *run = string;
  const char *p;

  g_string_append_c (out, '"');

  for (p = string; *p != '\0'; p++)
    {
      guchar c = *p;

      /* JSON wants the quote, the backslash and the control characters escaped. */
      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, run, p - run);
      run = p + 1;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default: g_string_append_printf (out, "\\u%04x", c); break;
        }
    }

  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

static void
write_int (GString *out,
           gint64   value)
{
  char buffer[24];
  char *p = buffer + sizeof buffer;
  guint64 magnitude = value < 0 ? -(guint64)value : (guint64)value;

  do
    {
      *--p = '0' + magnitude % 10;
      magnitude /= 10;
    }
  while (magnitude > 0);

  if (value < 0)
    *--p = '-';

  g_string_append_len (out, p, buffer + sizeof buffer - p);
}

static void
write_double (GString *out,
              double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* JSON has no NaN or infinity. */
  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  /* Whole numbers (prices, counts sent as doubles) without printf */
  if (fabs (value) < 1e15 && value == (double)(gint64)value)
    {
      write_int (out, (gint64)value);
      g_string_append (out, ".0");
      return;
    }

  /* The shortest precision that reads back as the same number (17 digits always do) */
  g_ascii_formatd (buffer, sizeof buffer, "%.15g", value);
  if (g_ascii_strtod (buffer, NULL) != value)
    {
      g_ascii_formatd (buffer, sizeof buffer, "%.16g", value);
      if (g_ascii_strtod (buffer, NULL) != value)
        g_ascii_formatd (buffer, sizeof buffer, "%.17g", value);
    }

  g_string_append (out, buffer);

  /* Keep a double a double when read back ("2.0", not "2"). */
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (out, ".0");
}

static void
write_object (GString    *out,
              JsonObject *object)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  gboolean first = TRUE;

  g_string_append_c (out, '{');

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &member, &value))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;

      write_string (out, member);
      g_string_append_c (out, ':');
      write_node (out, value);
    }

  g_string_append_c (out, '}');
}

static void
write_node (GString  *out,
            JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      write_object (out, json_node_get_object (node));
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint length = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < length; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          write_string (out, json_node_get_string (node));
          break;

        case G_TYPE_INT64:
          write_int (out, json_node_get_int (node));
          break;

        case G_TYPE_DOUBLE:
          write_double (out, json_node_get_double (node));
          break;

        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;

        default:
          g_string_append (out, "null");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

void
jm_event_write_json_object (GString    *out,
                            JsonObject *object)
{
  g_return_if_fail (out != NULL);

  if (object == NULL)
    g_string_append (out, "{}");
  else
    write_object (out, object);
}

void
jm_event_prepare_for_store (JmEvent  *event,
                            GString  *scratch,
                            gboolean  drop_trees)
{
  g_return_if_fail (event != NULL);
  g_return_if_fail (scratch != NULL);

  if (event->prepared)
    return;

  if (event->id == NULL || event->id[0] == '\0')
    {
      g_free (event->id);
      event->id = jm_event_dup_content_id (event);
    }

  event->journey_name = jm_event_dup_journey_name (event);
  event->touch = jm_channel_for_context (event->context);

  g_string_truncate (scratch, 0);
  jm_event_write_json_object (scratch, event->properties);
  event->properties_json = g_strndup (scratch->str, scratch->len);

  g_string_truncate (scratch, 0);
  jm_event_write_json_object (scratch, event->context);
  event->context_json = g_strndup (scratch->str, scratch->len);

  event->prepared = TRUE;

  if (drop_trees)
    {
      g_clear_pointer (&event->properties, json_object_unref);
      g_clear_pointer (&event->context, json_object_unref);
    }
}
