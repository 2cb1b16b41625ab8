/* jm-event.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The message types of the Segment spec; the first three are journey events (DESIGN §5). */
typedef enum
{
  JM_EVENT_TRACK,
  JM_EVENT_PAGE,
  JM_EVENT_SCREEN,
  JM_EVENT_IDENTIFY,
  JM_EVENT_ALIAS,
  JM_EVENT_GROUP,
} JmEventType;

/* Consent categories, stored as a bitmask in events.consent and consents.categories. */
typedef enum
{
  JM_CONSENT_ANALYTICS       = 1 << 0,
  JM_CONSENT_MARKETING       = 1 << 1,
  JM_CONSENT_PERSONALIZATION = 1 << 2,
} JmConsent;

#define JM_CONSENT_ALL (JM_CONSENT_ANALYTICS | JM_CONSENT_MARKETING | JM_CONSENT_PERSONALIZATION)

/* Largest accepted event, serialized (DESIGN §4). */
#define JM_EVENT_MAX_BYTES (32 * 1024)

/* One message as received, before it is stored. Strings are owned; NULL when absent.
 * `properties` and `context` are never NULL (empty objects when absent).
 */
typedef struct
{
  JmEventType type;
  char       *id;            /* client message id; NULL: the store uses jm_event_dup_content_id() */
  char       *event;         /* track: the event name; page/screen: the `name` field */
  char       *user_id;
  char       *anonymous_id;
  char       *previous_id;   /* alias */
  char       *group_id;      /* group */
  gint64      ts;            /* event time, ms since the epoch, UTC */
  gint64      received_at;   /* ms; 0: the store sets the time of insertion */
  JsonObject *properties;
  JsonObject *context;
  JsonObject *traits;        /* identify/group traits, or NULL */
  guint       consent;       /* JmConsent bitmask */

  /* What the store derives from the message, set by jm_event_prepare_for_store() so that
   * the work can be done off the storing thread (the import's parse worker). When
   * `prepared` is set the store reads these instead of properties and context, which
   * may then have been dropped (NULL).
   */
  gboolean    prepared;
  char       *properties_json;   /* compact JSON of properties */
  char       *context_json;      /* compact JSON of context */
  char       *journey_name;      /* jm_event_dup_journey_name(), or NULL */
  const char *touch;             /* jm_channel_for_context() of context (static) */
} JmEvent;

#define JM_EVENT_ERROR (jm_event_error_quark ())

typedef enum
{
  JM_EVENT_ERROR_INVALID,
} JmEventError;

GQuark       jm_event_error_quark          (void);

JmEvent     *jm_event_new                  (JmEventType     type);
void         jm_event_free                 (JmEvent        *event);

const char  *jm_event_type_to_string       (JmEventType     type);
gboolean     jm_event_type_from_string     (const char     *string,
                                            JmEventType    *type);

gboolean     jm_event_is_journey_event     (const JmEvent  *event);

/* The journey name of DESIGN §5: track → event; page → properties.path, else the path of
 * properties.url or context.page.path, else name; screen → name. NULL for identify, alias
 * and group (and for a journey event that has no name at all).
 */
char        *jm_event_dup_journey_name     (const JmEvent  *event);

/* SHA-256 (hex) of the message's canonical content, used as its id when the source has none,
 * so that identical rows count as duplicates.
 */
char        *jm_event_dup_content_id       (const JmEvent  *event);

/* Appends the compact JSON of `object` (`{}` for NULL) to `out`: the text the store keeps
 * in events.properties and events.context.
 */
void         jm_event_write_json_object    (GString        *out,
                                            JsonObject     *object);

/* Computes the content id (when the message has no id), the journey name, the channel and
 * the stored JSON of properties and context (see `prepared`). `scratch` is a reused
 * buffer. With `drop_trees` properties and context are freed once serialized.
 */
void         jm_event_prepare_for_store    (JmEvent        *event,
                                            GString        *scratch,
                                            gboolean        drop_trees);

/* Parses one Segment-spec message (type track/page/screen/identify/alias/group; a message
 * with `event` and no `type` is a track). Mixpanel export lines
 * ({"event", "properties": {"distinct_id", "time", …}}) are recognised too.
 * `now_ms` is used when the message carries no time at all. On failure returns NULL, sets
 * `bad_field` (if given) to the dotted name of the offending field and `error` to a reason
 * a user can act on.
 */
JmEvent     *jm_event_new_from_json        (JsonObject     *object,
                                            gint64          now_ms,
                                            char          **bad_field,
                                            GError        **error);

/* The message as a Segment-spec JSON object (what jm_event_new_from_json() reads back). */
JsonObject  *jm_event_to_json              (const JmEvent  *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmEvent, jm_event_free)

G_END_DECLS
