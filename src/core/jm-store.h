/* jm-store.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "jm-event.h"

G_BEGIN_DECLS

#define JM_STORE_ERROR (jm_store_error_quark ())

typedef enum
{
  JM_STORE_ERROR_NOT_A_WORKSPACE,   /* not SQLite, or SQLite but not ours */
  JM_STORE_ERROR_CORRUPT,           /* quick_check failed */
  JM_STORE_ERROR_TOO_NEW,           /* written by a newer JourneyMapper */
  JM_STORE_ERROR_NOT_FOUND,         /* no such project, key, customer, … */
  JM_STORE_ERROR_EXISTS,            /* a project (or other named thing) already exists */
  JM_STORE_ERROR_INVALID,           /* an argument a user gave is not acceptable */
  JM_STORE_ERROR_FAILED,            /* SQLite said no (disk full, I/O error, …) */
} JmStoreError;

/* The current schema version, PRAGMA user_version of a workspace written by this build. */
#define JM_STORE_SCHEMA_VERSION 2

/* PRAGMA application_id of every workspace ("JMWS"). */
#define JM_STORE_APPLICATION_ID 0x4A4D5753

/* The project of a new workspace, used wherever none is named. */
#define JM_STORE_DEFAULT_PROJECT "default"

typedef enum
{
  JM_STORE_OPEN_DEFAULT   = 0,
  JM_STORE_OPEN_NO_CREATE = 1 << 0,   /* fail with G_IO_ERROR_NOT_FOUND when missing */
  JM_STORE_OPEN_READONLY  = 1 << 1,
} JmStoreOpenFlags;

#define JM_TYPE_STORE (jm_store_get_type ())
G_DECLARE_FINAL_TYPE (JmStore, jm_store, JM, STORE, GObject)

typedef struct
{
  gint64  id;
  char   *name;
  char   *settings;   /* JSON */
  gint64  created;    /* ms */
  gint64  events;
} JmProject;

typedef struct
{
  guint inserted;     /* stored now */
  guint duplicates;   /* ids already present in the project: ignored */
  guint dropped;      /* refused by the project's consent policy */
} JmInsertResult;

typedef struct
{
  gint64      projects;
  gint64      events;
  gint64      customers;
  gint64      first_ts;     /* ms, 0 when there are no events */
  gint64      last_ts;
  GHashTable *by_type;      /* type name → gint64* count */
  gint64      file_bytes;   /* the workspace file with its WAL */
} JmStoreStats;

typedef struct
{
  char   *customer_id;
  gint64  first_seen;   /* ms */
  gint64  last_seen;
  char   *traits;       /* JSON */
  gint64  events;
} JmCustomer;

typedef struct
{
  gint64  ts;
  char   *type;
  char   *name;         /* journey name; NULL for identify/alias/group */
  guint   session;      /* 1-based session number (30 min inactivity gap) */
  char   *touch;        /* the event's own touch, "" when none */
} JmTimelineEvent;

typedef struct
{
  JmCustomer *customer;
  GPtrArray  *anonymous_ids;   /* char* */
  guint       sessions;
  GPtrArray  *events;          /* JmTimelineEvent*, ordered by (ts, arrival, id) */
} JmCustomerProfile;

GQuark             jm_store_error_quark          (void);

/* Opens (and, unless NO_CREATE, creates) a workspace. Files from elsewhere are opened
 * defensively (SQLITE_DBCONFIG_DEFENSIVE, trusted_schema=OFF, quick_check) and migrated
 * forward to JM_STORE_SCHEMA_VERSION. `path` may be ":memory:".
 */
JmStore           *jm_store_open                 (const char           *path,
                                                  JmStoreOpenFlags      flags,
                                                  GError              **error);
const char        *jm_store_get_path             (JmStore              *self);
int                jm_store_get_schema_version   (JmStore              *self);

/* Projects */
gboolean           jm_store_create_project       (JmStore              *self,
                                                  const char           *name,
                                                  gint64               *out_id,
                                                  GError              **error);
/* Looks a project up by name (NULL: the default project). */
gboolean           jm_store_lookup_project       (JmStore              *self,
                                                  const char           *name,
                                                  gint64               *out_id,
                                                  GError              **error);
GPtrArray         *jm_store_list_projects        (JmStore              *self,
                                                  GError              **error);
void               jm_project_free               (JmProject            *project);
/* Adds the members of a project in `projects list` JSON: name, created (ISO-8601), events,
 * settings (null when unreadable).
 */
void               jm_project_add_json_members   (const JmProject      *project,
                                                  JsonBuilder          *builder);

/* Events: one transaction per call. Ids missing from events are filled with the content
 * hash; duplicates (same id in the project) are ignored and counted; customers are upserted
 * (first/last seen, identify traits merged), identities linked (identify/alias and any
 * message carrying both a user id and an anonymous id, retroactively for that anonymous
 * id's earlier events), the touch derived and the arrival order assigned.
 */
gboolean           jm_store_insert_events        (JmStore              *self,
                                                  gint64                project,
                                                  JmEvent             **events,
                                                  guint                 n_events,
                                                  JmInsertResult       *result,
                                                  GError              **error);

/* Deletes every event, customer, identity and consent of every project (demo --replace). */
gboolean           jm_store_clear_events         (JmStore              *self,
                                                  GError              **error);

/* Statistics over the whole workspace (`stats`). */
JmStoreStats      *jm_store_get_stats            (JmStore              *self,
                                                  GError              **error);
void               jm_store_stats_free           (JmStoreStats         *stats);

/* Customers, most recently seen first; `search` (may be NULL) matches a substring of the id. */
GPtrArray         *jm_store_list_customers       (JmStore              *self,
                                                  gint64                project,
                                                  const char           *search,
                                                  guint                 limit,
                                                  GError              **error);
void               jm_customer_free              (JmCustomer           *customer);

/* One customer's timeline (`customers show`); NOT_FOUND when unknown. */
JmCustomerProfile *jm_store_load_customer        (JmStore              *self,
                                                  gint64                project,
                                                  const char           *customer_id,
                                                  GError              **error);
void               jm_customer_profile_free      (JmCustomerProfile    *profile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmProject, jm_project_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmStoreStats, jm_store_stats_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmCustomer, jm_customer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmCustomerProfile, jm_customer_profile_free)

G_END_DECLS
