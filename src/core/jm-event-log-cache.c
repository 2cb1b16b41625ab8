/* jm-event-log-cache.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-event-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jm-event-log-private.h"

/* The event-log cache file.
 *
 * One file per project, beside the workspace: NAME.jmw.log for the default project and
 * NAME.jmw.ID.log for the project with id ID, so that a change to one project rewrites only
 * its own file. The file is little-endian (hosts of the other byte order do not use the
 * cache) and laid out so that a mapping of it is the log, without copying or decoding:
 *
 *   header (JmLogFileHeader, 320 bytes; its last field is an FNV-1a 64 checksum of the rest)
 *   columns   ts i64[n], rowid i64[n], customer u32[n], name u32[n], session u32[n],
 *             customer_offsets u32[customers + 1], channel u8[n], customer_anonymous
 *             u8[customers]
 *   dictionaries  offsets u32[count + 1] then NUL-terminated UTF-8 strings, for names,
 *             customer ids and channels
 *
 * Every section starts at a multiple of 8 and the header records each one's offset and size.
 * The file is current when its project, the project's creation time (which tells two
 * workspaces apart) and the workspace generation match. Opening checks the header, the
 * sizes, the dictionaries and that every index in the columns is in range (a scan at memory
 * speed, no decoding), so a damaged or hostile file is rebuilt rather than trusted. It is
 * written to a temporary file, synced and renamed over the old one, with mode 0600: it holds
 * customer ids.
 */

#define FILE_VERSION 1

static const guint8 file_magic[8] = { 'J', 'M', 'L', 'O', 'G', '\r', '\n', 0x1a };

enum {
  SECTION_TS,
  SECTION_ROWID,
  SECTION_CUSTOMER,
  SECTION_NAME,
  SECTION_SESSION,
  SECTION_CUSTOMER_OFFSETS,
  SECTION_CHANNEL,
  SECTION_CUSTOMER_ANONYMOUS,
  SECTION_NAME_OFFSETS,
  SECTION_NAME_BYTES,
  SECTION_CUSTOMER_ID_OFFSETS,
  SECTION_CUSTOMER_ID_BYTES,
  SECTION_CHANNEL_OFFSETS,
  SECTION_CHANNEL_BYTES,
  N_SECTIONS
};

typedef struct
{
  guint64 offset;
  guint64 size;
} JmLogFileSection;

typedef struct
{
  guint8           magic[8];
  guint32          version;
  guint32          header_size;
  gint64           project;
  gint64           project_created;
  gint64           generation;
  gint64           max_rowid;
  gint64           max_arrival;
  guint64          file_size;
  guint32          n_events;
  guint32          n_customers;
  guint32          n_sessions;
  guint32          n_names;
  guint32          n_channels;
  guint32          reserved;
  JmLogFileSection sections[N_SECTIONS];
  guint64          checksum;
} JmLogFileHeader;

G_STATIC_ASSERT (sizeof (JmLogFileHeader) == 320);
G_STATIC_ASSERT (G_STRUCT_OFFSET (JmLogFileHeader, checksum) == 312);

static guint64
header_checksum (const JmLogFileHeader *header)
{
  const guint8 *bytes = (const guint8 *)header;
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (gsize i = 0; i < G_STRUCT_OFFSET (JmLogFileHeader, checksum); i++)
    {
      hash ^= bytes[i];
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }

  return hash;
}

char *
jm_event_log_dup_cache_path (JmStore *store,
                             gint64   project)
{
  const char *path;
  gint64 default_project = -1;

  g_return_val_if_fail (JM_IS_STORE (store), NULL);

  path = jm_store_get_path (store);
  if (path == NULL || *path == '\0' || strcmp (path, ":memory:") == 0 ||
      g_str_has_prefix (path, "file:"))
    return NULL;

  if (jm_store_lookup_project (store, NULL, &default_project, NULL) &&
      project == default_project)
    return g_strconcat (path, ".log", NULL);

  return g_strdup_printf ("%s.%" G_GINT64_FORMAT ".log", path, project);
}

/* Writing ---------------------------------------------------------------------------------- */

static gboolean
write_all (int           fd,
           const void   *data,
           gsize         size,
           const char   *path,
           GError      **error)
{
  const guint8 *bytes = data;

  while (size > 0)
    {
      gssize written = write (fd, bytes, MIN (size, (gsize)1 << 30));

      if (written < 0 && errno == EINTR)
        continue;

      if (written <= 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       "Could not write “%s”: %s", path, g_strerror (saved_errno));
          return FALSE;
        }

      bytes += written;
      size -= written;
    }

  return TRUE;
}

gboolean
jm_event_log_write_cache (JmEventLog  *self,
                          const char  *path,
                          gint64       project_created,
                          GError     **error)
{
  static const guint8 zeros[8] = { 0, };
  const JmEventLogColumns *columns = &self->columns;
  guint64 n = columns->n_events;
  guint64 n_customers = columns->n_customers;
  const void *data[N_SECTIONS];
  JmLogFileHeader header;
  g_autofree char *tmp_path = NULL;
  guint64 offset;
  gboolean ok = TRUE;
  int fd;

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "The event-log cache is little-endian only");
  return FALSE;
#endif

  memset (&header, 0, sizeof header);
  memcpy (header.magic, file_magic, sizeof file_magic);
  header.version = FILE_VERSION;
  header.header_size = sizeof header;
  header.project = self->project;
  header.project_created = project_created;
  header.generation = self->generation;
  header.max_rowid = self->max_rowid;
  header.max_arrival = self->max_arrival;
  header.n_events = columns->n_events;
  header.n_customers = columns->n_customers;
  header.n_sessions = columns->n_sessions;
  header.n_names = self->names.n;
  header.n_channels = self->channels.n;

#define SET_SECTION(id, pointer, bytes) \
  G_STMT_START { data[id] = (pointer); header.sections[id].size = (bytes); } G_STMT_END

  SET_SECTION (SECTION_TS, columns->ts, n * sizeof (gint64));
  SET_SECTION (SECTION_ROWID, columns->rowid, n * sizeof (gint64));
  SET_SECTION (SECTION_CUSTOMER, columns->customer, n * sizeof (guint32));
  SET_SECTION (SECTION_NAME, columns->name, n * sizeof (guint32));
  SET_SECTION (SECTION_SESSION, columns->session, n * sizeof (guint32));
  SET_SECTION (SECTION_CUSTOMER_OFFSETS, columns->customer_offsets,
               (n_customers + 1) * sizeof (guint32));
  SET_SECTION (SECTION_CHANNEL, columns->channel, n);
  SET_SECTION (SECTION_CUSTOMER_ANONYMOUS, self->customer_anonymous, n_customers);
  SET_SECTION (SECTION_NAME_OFFSETS, self->names.offsets,
               (self->names.n + 1) * sizeof (guint32));
  SET_SECTION (SECTION_NAME_BYTES, self->names.bytes, self->names.offsets[self->names.n]);
  SET_SECTION (SECTION_CUSTOMER_ID_OFFSETS, self->customer_ids.offsets,
               (self->customer_ids.n + 1) * sizeof (guint32));
  SET_SECTION (SECTION_CUSTOMER_ID_BYTES, self->customer_ids.bytes,
               self->customer_ids.offsets[self->customer_ids.n]);
  SET_SECTION (SECTION_CHANNEL_OFFSETS, self->channels.offsets,
               (self->channels.n + 1) * sizeof (guint32));
  SET_SECTION (SECTION_CHANNEL_BYTES, self->channels.bytes,
               self->channels.offsets[self->channels.n]);

#undef SET_SECTION

  g_assert (self->customer_anonymous != NULL || n_customers == 0);

  offset = sizeof header;
  for (guint s = 0; s < N_SECTIONS; s++)
    {
      header.sections[s].offset = offset;
      offset += header.sections[s].size;
      offset = (offset + 7) & ~(guint64)7;
    }
  header.file_size = offset;
  header.checksum = header_checksum (&header);

  tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create a file beside “%s”: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  ok = write_all (fd, &header, sizeof header, tmp_path, error);

  for (guint s = 0; s < N_SECTIONS && ok; s++)
    {
      guint64 end = header.sections[s].offset + header.sections[s].size;
      guint64 padding = ((end + 7) & ~(guint64)7) - end;

      ok = write_all (fd, data[s], header.sections[s].size, tmp_path, error) &&
           write_all (fd, zeros, padding, tmp_path, error);
    }

  if (ok && fsync (fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not write “%s”: %s", tmp_path, g_strerror (saved_errno));
      ok = FALSE;
    }

  if (close (fd) != 0 && ok)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not write “%s”: %s", tmp_path, g_strerror (saved_errno));
      ok = FALSE;
    }

  if (ok && g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not replace “%s”: %s", path, g_strerror (saved_errno));
      ok = FALSE;
    }

  if (!ok)
    g_unlink (tmp_path);

  return ok;
}

/* Reading ---------------------------------------------------------------------------------- */

static gpointer
corrupt (GError     **error,
         const char  *path,
         const char  *what)
{
  g_set_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_CORRUPT,
               "The event-log cache “%s” is damaged (%s); it will be rebuilt", path, what);
  return NULL;
}

/* A dictionary: offsets start at 0, strictly increase (each string has its NUL), end at the
 * size of the bytes; every string ends with a NUL and is UTF-8.
 */
static gboolean
check_string_table (const guint32 *offsets,
                    guint32        n,
                    const char    *bytes,
                    guint64        n_bytes)
{
  if (offsets[0] != 0 || offsets[n] != n_bytes)
    return FALSE;

  for (guint32 i = 0; i < n; i++)
    {
      if (offsets[i + 1] <= offsets[i] || bytes[offsets[i + 1] - 1] != '\0' ||
          !g_utf8_validate (bytes + offsets[i], offsets[i + 1] - offsets[i] - 1, NULL))
        return FALSE;
    }

  return TRUE;
}

/* Whether any of `values[0..n)` is `limit` or more: the one pass over the events when a
 * cache is opened, so it runs on 16 bytes at a time (GCC and Clang vector extensions; 16 bytes
 * is what every SIMD unit handles natively) to stay at memory speed.
 */
#if defined(__GNUC__)
typedef guint32 JmU32Vector __attribute__ ((vector_size (16)));
typedef gint32 JmI32Vector __attribute__ ((vector_size (16)));
typedef guint8 JmU8Vector __attribute__ ((vector_size (16)));
typedef gint8 JmI8Vector __attribute__ ((vector_size (16)));
#endif

static gboolean
any_u32_at_least (const guint32 *values,
                  gsize          n,
                  guint32        limit)
{
  gsize i = 0;

  if (limit == 0)
    return n > 0;

#if defined(__GNUC__)
  {
    /* v ≥ limit as a signed comparison, which every SIMD unit has: flip the sign bits. */
    JmI32Vector bound = (JmI32Vector){ 0 } + (gint32)((limit - 1) ^ 0x80000000u);
    JmI32Vector seen = { 0 };

    for (; i + 4 <= n; i += 4)
      {
        JmU32Vector v;

        memcpy (&v, values + i, sizeof v);
        seen |= ((JmI32Vector)(v ^ 0x80000000u) > bound);
      }

    for (guint k = 0; k < 4; k++)
      {
        if (seen[k] != 0)
          return TRUE;
      }
  }
#endif


  for (; i < n; i++)
    {
      if (values[i] >= limit)
        return TRUE;
    }

  return FALSE;
}

static gboolean
any_u8_at_least (const guint8 *values,
                 gsize         n,
                 guint8        limit)
{
  gsize i = 0;

  if (limit == 0)
    return n > 0;

#if defined(__GNUC__)
  {
    JmI8Vector bound = (JmI8Vector){ 0 } + (gint8)((guint8)(limit - 1) ^ 0x80);
    JmI8Vector seen = { 0 };

    for (; i + 16 <= n; i += 16)
      {
        JmU8Vector v;

        memcpy (&v, values + i, sizeof v);
        seen |= ((JmI8Vector)(v ^ 0x80) > bound);
      }

    for (guint k = 0; k < 16; k++)
      {
        if (seen[k] != 0)
          return TRUE;
      }
  }
#endif

  for (; i < n; i++)
    {
      if (values[i] >= limit)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  const JmEventLogColumns *columns;
  guint32                  n_names;
  guint32                  n_channels;
  guint32                  first;
  guint32                  end;
  gboolean                 bad;
} BoundCheck;

static gpointer
check_bounds (gpointer data)
{
  BoundCheck *check = data;
  const JmEventLogColumns *columns = check->columns;
  gsize n = check->end - check->first;

  check->bad = any_u32_at_least (columns->customer + check->first, n, columns->n_customers) ||
               any_u32_at_least (columns->name + check->first, n, check->n_names) ||
               any_u32_at_least (columns->session + check->first, n, columns->n_sessions) ||
               (check->n_channels < 256 &&
                any_u8_at_least (columns->channel + check->first, n, check->n_channels));

  return NULL;
}

/* Whether every index in the columns is in range. Analyses index arrays with them, so an
 * index out of range must never reach them; this is the only pass over the events, at
 * memory speed, on two cores for large logs.
 */
static gboolean
columns_in_bounds (const JmEventLogColumns *columns,
                   guint32                  n_names,
                   guint32                  n_channels)
{
  BoundCheck checks[2] = {
    { columns, n_names, n_channels, 0, columns->n_events, FALSE },
    { columns, n_names, n_channels, columns->n_events, columns->n_events, FALSE },
  };
  GThread *thread = NULL;

  if (columns->n_events >= 1000000 && g_get_num_processors () > 1)
    {
      checks[0].end = checks[1].first = (columns->n_events / 2) & ~15u;
      thread = g_thread_try_new ("jm-event-log", check_bounds, &checks[1], NULL);
      if (thread == NULL)
        checks[0].end = columns->n_events;
    }

  check_bounds (&checks[0]);
  if (thread != NULL)
    g_thread_join (thread);

  return !checks[0].bad && !checks[1].bad;
}

JmEventLog *
jm_event_log_read_cache (const char  *path,
                         gint64       project,
                         gint64       project_created,
                         gint64       generation,
                         GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(JmEventLog) log = NULL;
  JmLogFileHeader header;
  const char *contents;
  const guint32 *offsets;
  guint64 length;
  guint64 expected[N_SECTIONS];

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "The event-log cache is little-endian only");
  return NULL;
#endif

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;

  contents = g_mapped_file_get_contents (mapped);
  length = g_mapped_file_get_length (mapped);

  if (length < sizeof header)
    return corrupt (error, path, "too short");

  memcpy (&header, contents, sizeof header);

  if (memcmp (header.magic, file_magic, sizeof file_magic) != 0)
    return corrupt (error, path, "not an event-log cache");

  if (header.version != FILE_VERSION || header.header_size != sizeof header)
    {
      g_set_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_STALE,
                   "The event-log cache “%s” has another format version", path);
      return NULL;
    }

  if (header.checksum != header_checksum (&header))
    return corrupt (error, path, "header checksum");

  if (header.file_size != length)
    return corrupt (error, path, "truncated");

  if (header.project != project || header.project_created != project_created ||
      header.generation != generation)
    {
      g_set_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_STALE,
                   "The event-log cache “%s” is out of date", path);
      return NULL;
    }

  if (header.n_channels == 0 || header.n_channels > 256)
    return corrupt (error, path, "channel count");

  expected[SECTION_TS] = (guint64)header.n_events * sizeof (gint64);
  expected[SECTION_ROWID] = (guint64)header.n_events * sizeof (gint64);
  expected[SECTION_CUSTOMER] = (guint64)header.n_events * sizeof (guint32);
  expected[SECTION_NAME] = (guint64)header.n_events * sizeof (guint32);
  expected[SECTION_SESSION] = (guint64)header.n_events * sizeof (guint32);
  expected[SECTION_CUSTOMER_OFFSETS] = ((guint64)header.n_customers + 1) * sizeof (guint32);
  expected[SECTION_CHANNEL] = header.n_events;
  expected[SECTION_CUSTOMER_ANONYMOUS] = header.n_customers;
  expected[SECTION_NAME_OFFSETS] = ((guint64)header.n_names + 1) * sizeof (guint32);
  expected[SECTION_NAME_BYTES] = G_MAXUINT64;
  expected[SECTION_CUSTOMER_ID_OFFSETS] = ((guint64)header.n_customers + 1) * sizeof (guint32);
  expected[SECTION_CUSTOMER_ID_BYTES] = G_MAXUINT64;
  expected[SECTION_CHANNEL_OFFSETS] = ((guint64)header.n_channels + 1) * sizeof (guint32);
  expected[SECTION_CHANNEL_BYTES] = G_MAXUINT64;

  for (guint s = 0; s < N_SECTIONS; s++)
    {
      const JmLogFileSection *section = &header.sections[s];

      if (section->offset < sizeof header || section->offset % 8 != 0 ||
          section->offset > length || section->size > length - section->offset ||
          (expected[s] != G_MAXUINT64 && section->size != expected[s]))
        return corrupt (error, path, "section table");
    }

  log = jm_event_log_new_empty ();

#define SECTION(type, id) ((const type *)(gconstpointer)(contents + header.sections[id].offset))

  log->columns.n_events = header.n_events;
  log->columns.n_customers = header.n_customers;
  log->columns.n_sessions = header.n_sessions;
  log->columns.ts = SECTION (gint64, SECTION_TS);
  log->columns.rowid = SECTION (gint64, SECTION_ROWID);
  log->columns.customer = SECTION (guint32, SECTION_CUSTOMER);
  log->columns.name = SECTION (guint32, SECTION_NAME);
  log->columns.session = SECTION (guint32, SECTION_SESSION);
  log->columns.customer_offsets = SECTION (guint32, SECTION_CUSTOMER_OFFSETS);
  log->columns.channel = SECTION (guint8, SECTION_CHANNEL);
  log->customer_anonymous = SECTION (guint8, SECTION_CUSTOMER_ANONYMOUS);

  log->names.n = header.n_names;
  log->names.offsets = SECTION (guint32, SECTION_NAME_OFFSETS);
  log->names.bytes = SECTION (char, SECTION_NAME_BYTES);
  log->customer_ids.n = header.n_customers;
  log->customer_ids.offsets = SECTION (guint32, SECTION_CUSTOMER_ID_OFFSETS);
  log->customer_ids.bytes = SECTION (char, SECTION_CUSTOMER_ID_BYTES);
  log->channels.n = header.n_channels;
  log->channels.offsets = SECTION (guint32, SECTION_CHANNEL_OFFSETS);
  log->channels.bytes = SECTION (char, SECTION_CHANNEL_BYTES);

#undef SECTION

  if (!check_string_table (log->names.offsets, log->names.n, log->names.bytes,
                           header.sections[SECTION_NAME_BYTES].size) ||
      !check_string_table (log->customer_ids.offsets, log->customer_ids.n,
                           log->customer_ids.bytes,
                           header.sections[SECTION_CUSTOMER_ID_BYTES].size) ||
      !check_string_table (log->channels.offsets, log->channels.n, log->channels.bytes,
                           header.sections[SECTION_CHANNEL_BYTES].size) ||
      log->channels.offsets[1] != 1)
    return corrupt (error, path, "dictionaries");

  offsets = log->columns.customer_offsets;
  if (offsets[0] != 0 || offsets[header.n_customers] != header.n_events)
    return corrupt (error, path, "customer offsets");
  for (guint32 c = 0; c < header.n_customers; c++)
    {
      if (offsets[c + 1] < offsets[c])
        return corrupt (error, path, "customer offsets");
    }

  if (!columns_in_bounds (&log->columns, header.n_names, header.n_channels) ||
      any_u8_at_least (log->customer_anonymous, header.n_customers, 2))
    return corrupt (error, path, "index out of range");

  log->mapped = g_steal_pointer (&mapped);
  log->project = header.project;
  log->generation = header.generation;
  log->max_rowid = header.max_rowid;
  log->max_arrival = header.max_arrival;
  jm_event_log_index_names (log);

  return g_steal_pointer (&log);
}
