/* jm-import.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-import"

#include "config.h"

#include <string.h>

#include "jm-csv-reader.h"
#include "jm-import.h"
#include "jm-json-scanner.h"
#include "jm-store-private.h"
#include "jm-time.h"

/* Importing files into the workspace.
 *
 * Reading and parsing take about as long as writing SQLite does, so the two run on
 * different threads: a worker reads the file, parses each record and turns it into a
 * JmEvent (with the text the store writes, see jm_event_prepare_for_store()), and hands
 * batches of events to the importing thread, which stores them, several batches per
 * transaction. A fixed set of batches circulates between the two (filled → full
 * queue → stored → free queue), which bounds memory whatever the size of the file and
 * makes the faster side wait for the slower one.
 *
 * JsonObject reference counts are not atomic, so an event never shares a tree with
 * anything the worker still holds: the worker drops its parse tree before it passes the
 * event on, and frees the events only once their batch has come back.
 */

/* The worker serializes each event and drops its json-glib trees (about 5 KB an event)
 * before queueing it, so a batch holds about 1 KB an event and the batches in flight stay
 * small. Several batches share one transaction (TRANSACTION_EVENTS): commits, and the
 * pages of the indexes they write again, are what limits the storing thread.
 */
#define BATCH_SIZE          2500
#define N_BATCHES           4
#define TRANSACTION_EVENTS  20000
#define TRANSACTION_INTERVAL (G_USEC_PER_SEC / 4)
#define MAX_RECORD_BYTES    (1024 * 1024)
#define READ_SIZE           (64 * 1024)
#define SNIFF_SIZE          (64 * 1024)
#define PROGRESS_EVENTS     65536
#define PROGRESS_INTERVAL   (G_USEC_PER_SEC / 2)

/* CSV columns and --map targets. */
typedef enum
{
  TARGET_USER_ID,
  TARGET_ANONYMOUS_ID,
  TARGET_EVENT,
  TARGET_TYPE,
  TARGET_TIMESTAMP,
  TARGET_MESSAGE_ID,
  TARGET_NAME,
  N_TOP_LEVEL_TARGETS,
  TARGET_PROPERTY = N_TOP_LEVEL_TARGETS,
  TARGET_CONTEXT,
  TARGET_TRAIT,
} TargetKind;

/* The Segment member each top-level target fills. */
static const char * const top_level_members[N_TOP_LEVEL_TARGETS] = {
  [TARGET_USER_ID]      = "userId",
  [TARGET_ANONYMOUS_ID] = "anonymousId",
  [TARGET_EVENT]        = "event",
  [TARGET_TYPE]         = "type",
  [TARGET_TIMESTAMP]    = "timestamp",
  [TARGET_MESSAGE_ID]   = "messageId",
  [TARGET_NAME]         = "name",
};

typedef struct
{
  TargetKind   kind;
  char       **path;     /* properties/context/traits: the member names below the root */
} Target;

typedef struct
{
  char   *column;        /* trimmed, as given */
  Target  target;
} Mapping;

struct _JmImporter
{
  JmStore              *store;
  gint64                project;
  JmInputFormat         format;
  GPtrArray            *mappings;     /* Mapping* */
  JmImportProgressFunc  progress_func;
  gpointer              progress_data;
  JmImportReport        report;
};

static void
target_clear (Target *target)
{
  g_clear_pointer (&target->path, g_strfreev);
}

static void
mapping_free (gpointer data)
{
  Mapping *mapping = data;

  g_free (mapping->column);
  target_clear (&mapping->target);
  g_free (mapping);
}

static void
import_error_free (gpointer data)
{
  JmImportError *error = data;

  if (error == NULL)
    return;

  g_free (error->file);
  g_free (error->field);
  g_free (error->reason);
  g_free (error);
}

gboolean
jm_input_format_from_string (const char    *string,
                             JmInputFormat *format)
{
  static const struct {
    const char    *name;
    JmInputFormat  format;
  } names[] = {
    { "auto", JM_INPUT_FORMAT_AUTO },
    { "ndjson", JM_INPUT_FORMAT_NDJSON },
    { "jsonl", JM_INPUT_FORMAT_NDJSON },
    { "json", JM_INPUT_FORMAT_JSON },
    { "csv", JM_INPUT_FORMAT_CSV },
  };

  g_return_val_if_fail (format != NULL, FALSE);

  if (string == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (string, names[i].name) == 0)
        {
          *format = names[i].format;
          return TRUE;
        }
    }

  return FALSE;
}

JmImporter *
jm_importer_new (JmStore *store,
                 gint64   project)
{
  JmImporter *self;

  g_return_val_if_fail (JM_IS_STORE (store), NULL);

  self = g_new0 (JmImporter, 1);
  self->store = g_object_ref (store);
  self->project = project;
  self->format = JM_INPUT_FORMAT_AUTO;
  self->mappings = g_ptr_array_new_with_free_func (mapping_free);
  self->report.files = g_ptr_array_new_with_free_func (g_free);
  self->report.errors = g_ptr_array_new_with_free_func (import_error_free);

  return self;
}

void
jm_importer_free (JmImporter *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->store);
  g_clear_pointer (&self->mappings, g_ptr_array_unref);
  g_clear_pointer (&self->report.files, g_ptr_array_unref);
  g_clear_pointer (&self->report.errors, g_ptr_array_unref);
  g_free (self);
}

void
jm_importer_set_input_format (JmImporter    *self,
                              JmInputFormat  format)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (format <= JM_INPUT_FORMAT_CSV);

  self->format = format;
}

void
jm_importer_set_progress_func (JmImporter           *self,
                               JmImportProgressFunc  func,
                               gpointer              user_data)
{
  g_return_if_fail (self != NULL);

  self->progress_func = func;
  self->progress_data = user_data;
}

const JmImportReport *
jm_importer_get_report (JmImporter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->report;
}

/* `userId`, `properties.plan`, `context.page.url`, … */
static gboolean
parse_target (const char  *field,
              Target      *target)
{
  static const struct {
    const char *name;
    TargetKind  kind;
  } fixed[] = {
    { "userId", TARGET_USER_ID },
    { "anonymousId", TARGET_ANONYMOUS_ID },
    { "event", TARGET_EVENT },
    { "type", TARGET_TYPE },
    { "timestamp", TARGET_TIMESTAMP },
    { "messageId", TARGET_MESSAGE_ID },
    { "name", TARGET_NAME },
  };
  g_auto(GStrv) parts = NULL;
  guint n_parts;

  memset (target, 0, sizeof *target);

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      if (g_ascii_strcasecmp (field, fixed[i].name) == 0)
        {
          target->kind = fixed[i].kind;
          return TRUE;
        }
    }

  if (g_ascii_strcasecmp (field, "sessionId") == 0)
    {
      target->kind = TARGET_CONTEXT;
      target->path = g_strsplit ("session_id", ".", -1);
      return TRUE;
    }

  parts = g_strsplit (field, ".", -1);
  n_parts = g_strv_length (parts);
  if (n_parts < 2)
    return FALSE;
  for (guint i = 1; i < n_parts; i++)
    {
      if (*parts[i] == '\0')
        return FALSE;
    }

  if (g_str_equal (parts[0], "properties") && n_parts == 2)
    target->kind = TARGET_PROPERTY;
  else if (g_str_equal (parts[0], "traits") && n_parts == 2)
    target->kind = TARGET_TRAIT;
  else if (g_str_equal (parts[0], "context"))
    target->kind = TARGET_CONTEXT;
  else
    return FALSE;

  target->path = g_strdupv (parts + 1);

  return TRUE;
}

gboolean
jm_importer_add_mapping (JmImporter  *self,
                         const char  *mapping,
                         GError     **error)
{
  g_autofree char *column = NULL;
  g_autofree char *field = NULL;
  const char *equals;
  Mapping *entry;
  Target target;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (mapping != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Fields never contain '=', column names might. */
  equals = strrchr (mapping, '=');
  if (equals == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid mapping “%s”: write COLUMN=FIELD, e.g. customer=userId", mapping);
      return FALSE;
    }

  column = g_strstrip (g_strndup (mapping, equals - mapping));
  field = g_strstrip (g_strdup (equals + 1));

  if (*column == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid mapping “%s”: the column name is empty", mapping);
      return FALSE;
    }

  if (!parse_target (field, &target))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid mapping “%s”: unknown field “%s” (use userId, anonymousId, event, "
                   "type, timestamp, messageId, name, sessionId, properties.X, context.X.Y "
                   "or traits.X)", mapping, field);
      return FALSE;
    }

  entry = g_new0 (Mapping, 1);
  entry->column = g_steal_pointer (&column);
  entry->target = target;
  g_ptr_array_add (self->mappings, entry);

  return TRUE;
}

/* The pipeline between the worker and the importing thread. */

typedef struct
{
  GPtrArray *events;      /* JmEvent* */
  GPtrArray *errors;      /* JmImportError* */
  guint64    rejected;
  guint64    bytes_read;
  gboolean   last;
  GError    *error;       /* with `last`: why the file could not be read to its end */
} Batch;

typedef struct
{
  /* The column plan of a CSV file: a target per column. */
  Target   *targets;
  char    **columns;      /* trimmed header names */
  guint     n_columns;
  int       top_level[N_TOP_LEVEL_TARGETS];   /* first column of each, or -1 */
} CsvPlan;

typedef struct
{
  JmImporter     *importer;
  char           *name;
  GInputStream   *raw;
  GInputStream   *stream;       /* decompressed and buffered */
  gboolean        compressed;
  JmInputFormat   format;
  GCancellable   *cancellable;
  gint64          now_ms;

  GAsyncQueue    *full;
  GAsyncQueue    *free;
  Batch          *batches[N_BATCHES];
  Batch          *current;      /* the worker's */
  guint           n_listed;     /* errors listed in the report so far, for the cap */
  guint64         bytes_done;   /* the worker's last known position in the file */
  int             stop;         /* atomic: the importing thread wants the worker to stop */

  /* Worker state. */
  GString        *scratch;      /* reused by jm_event_prepare_for_store() */
  guint64       (*get_offset) (gpointer reader);
  gpointer        reader;
  CsvPlan         plan;
} ImportJob;

static Batch *
batch_new (void)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->events = g_ptr_array_new_full (BATCH_SIZE, (GDestroyNotify) jm_event_free);
  batch->errors = g_ptr_array_new_with_free_func (import_error_free);

  return batch;
}

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->events);
  g_ptr_array_unref (batch->errors);
  g_clear_error (&batch->error);
  g_free (batch);
}

static guint64
job_bytes_read (ImportJob *job)
{
  if (job->compressed)
    {
      if (G_IS_SEEKABLE (job->raw) && g_seekable_can_seek (G_SEEKABLE (job->raw)))
        return (guint64) g_seekable_tell (G_SEEKABLE (job->raw));
      return 0;
    }

  if (job->get_offset != NULL && job->reader != NULL)
    job->bytes_done = job->get_offset (job->reader);

  return job->bytes_done;
}

/* Hands the current batch over; FALSE when the worker is to stop. */
static gboolean
job_flush (ImportJob *job)
{
  job->current->bytes_read = job_bytes_read (job);
  g_async_queue_push (job->full, job->current);
  job->current = g_async_queue_pop (job->free);

  /* The stored events of this batch are freed here rather than on the importing thread,
   * which has the slower half of the work.
   */
  g_ptr_array_set_size (job->current->events, 0);

  return !g_atomic_int_get (&job->stop);
}

static gboolean
job_add_event (ImportJob *job,
               JmEvent   *event)
{
  /* What the store derives from a message (the content hash of one without an id, the
   * journey name, the channel, the JSON text of properties and context) is computed here,
   * off the storing thread. The trees are dropped right away: the store no longer reads
   * them, and their memory is reused by the next record while it is still in the cache.
   */
  jm_event_prepare_for_store (event, job->scratch, TRUE);

  g_ptr_array_add (job->current->events, event);

  if (job->current->events->len >= BATCH_SIZE)
    return job_flush (job);

  return TRUE;
}

static void
job_reject (ImportJob  *job,
            guint64     line,
            const char *field,
            const char *reason)
{
  job->current->rejected++;

  if (job->n_listed < JM_IMPORT_MAX_ERRORS)
    {
      JmImportError *error = g_new0 (JmImportError, 1);

      error->file = g_strdup (job->name);
      error->line = line;
      error->field = g_strdup (field);
      error->reason = g_strdup (reason);
      g_ptr_array_add (job->current->errors, error);
      job->n_listed++;
    }
}

static gboolean
job_check_cancelled (ImportJob  *job,
                     GError    **error)
{
  return g_cancellable_set_error_if_cancelled (job->cancellable, error);
}

/* One Segment (or Mixpanel) message. */
static gboolean
job_add_message (ImportJob  *job,
                 guint64     line,
                 JsonObject *object)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  JmEvent *event;

  event = jm_event_new_from_json (object, job->now_ms, &field, &error);
  if (event == NULL)
    {
      job_reject (job, line, field, error->message);
      return TRUE;
    }

  return job_add_event (job, event);
}

/* A parsed JSON record: a message, or (in NDJSON) a whole Segment batch on one line. */
static gboolean
job_add_json (ImportJob  *job,
              guint64     line,
              const char *text,
              gsize       length,
              gboolean    batch_allowed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *batch;

  root = jm_json_parse (text, length, &error);
  if (root == NULL)
    {
      g_autofree char *reason = g_strconcat ("Invalid JSON: ", error->message, NULL);

      job_reject (job, line, NULL, reason);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      job_reject (job, line, NULL, "Not a JSON object: every message must be an object");
      return TRUE;
    }

  object = json_node_get_object (root);
  batch = json_object_get_member (object, "batch");

  if (batch_allowed && batch != NULL && JSON_NODE_HOLDS_ARRAY (batch) &&
      !json_object_has_member (object, "type") && !json_object_has_member (object, "event"))
    {
      JsonArray *array = json_node_get_array (batch);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_OBJECT (element))
            {
              job_reject (job, line, NULL, "Not a JSON object: every message must be an object");
              continue;
            }
          if (!job_add_message (job, line, json_node_get_object (element)))
            return FALSE;
        }

      return TRUE;
    }

  return job_add_message (job, line, object);
}

/* NDJSON: a line reader that never holds more than one line (of at most MAX_RECORD_BYTES). */

typedef struct
{
  GInputStream *stream;
  char         *buffer;
  gsize         size;
  gsize         start;      /* first byte of the next line */
  gsize         scanned;    /* bytes from start known to hold no newline */
  gsize         end;
  gboolean      eof;
  guint64       offset;     /* bytes consumed before buffer[0] */
  guint64       line;
} LineReader;

typedef enum
{
  LINE_OK,
  LINE_TOO_LONG,
  LINE_END,
  LINE_FAILED,
} LineResult;

static guint64
line_reader_get_offset (gpointer data)
{
  LineReader *reader = data;

  return reader->offset + reader->start;
}

static gboolean
line_reader_read (LineReader    *reader,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gssize n;

  if (reader->end == reader->size)
    {
      /* Move the partial line to the front. */
      memmove (reader->buffer, reader->buffer + reader->start, reader->end - reader->start);
      reader->offset += reader->start;
      reader->end -= reader->start;
      reader->scanned -= reader->start;
      reader->start = 0;
    }

  n = g_input_stream_read (reader->stream, reader->buffer + reader->end,
                           MIN (reader->size - reader->end, (gsize) G_MAXSSIZE),
                           cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    reader->eof = TRUE;
  reader->end += (gsize) n;

  return TRUE;
}

static LineResult
line_reader_next (LineReader    *reader,
                  const char   **line,
                  gsize         *length,
                  GCancellable  *cancellable,
                  GError       **error)
{
  for (;;)
    {
      char *newline = memchr (reader->buffer + reader->scanned, '\n',
                              reader->end - reader->scanned);

      if (newline != NULL || (reader->eof && reader->start < reader->end))
        {
          gsize line_end = newline != NULL ? (gsize) (newline - reader->buffer) : reader->end;

          *line = reader->buffer + reader->start;
          *length = line_end - reader->start;
          if (*length > 0 && (*line)[*length - 1] == '\r')
            (*length)--;
          reader->line++;
          reader->start = newline != NULL ? line_end + 1 : line_end;
          reader->scanned = reader->start;
          return LINE_OK;
        }

      if (reader->eof)
        return LINE_END;

      reader->scanned = reader->end;

      if (reader->end - reader->start > MAX_RECORD_BYTES)
        {
          /* Too long: drop it and everything up to the next newline, buffering nothing. */
          reader->line++;
          reader->offset += reader->end;
          reader->start = reader->scanned = reader->end = 0;

          for (;;)
            {
              if (!line_reader_read (reader, cancellable, error))
                return LINE_FAILED;
              newline = memchr (reader->buffer, '\n', reader->end);
              if (newline != NULL)
                {
                  reader->start = reader->scanned = (gsize) (newline - reader->buffer) + 1;
                  return LINE_TOO_LONG;
                }
              if (reader->eof)
                {
                  reader->start = reader->scanned = reader->end;
                  return LINE_TOO_LONG;
                }
              reader->offset += reader->end;
              reader->end = 0;
            }
        }

      if (!line_reader_read (reader, cancellable, error))
        return LINE_FAILED;
    }
}

static gboolean
is_blank (const char *text,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isspace (text[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_ndjson (ImportJob  *job,
             GError    **error)
{
  LineReader reader = { 0, };
  gboolean ok = TRUE;

  reader.stream = job->stream;
  reader.size = MAX_RECORD_BYTES + READ_SIZE;
  reader.buffer = g_malloc (reader.size);
  job->reader = &reader;
  job->get_offset = line_reader_get_offset;

  while (ok)
    {
      const char *line = NULL;
      gsize length = 0;
      LineResult result;

      if (job_check_cancelled (job, error))
        {
          ok = FALSE;
          break;
        }

      result = line_reader_next (&reader, &line, &length, job->cancellable, error);

      if (result == LINE_END)
        break;
      if (result == LINE_FAILED)
        {
          ok = FALSE;
          break;
        }
      if (result == LINE_TOO_LONG)
        {
          job_reject (job, reader.line, NULL, "The line is longer than 1 MB");
          continue;
        }

      if (reader.line == 1 && length >= 3 && memcmp (line, "\xef\xbb\xbf", 3) == 0)
        {
          line += 3;
          length -= 3;
        }

      if (is_blank (line, length))
        continue;

      ok = job_add_json (job, reader.line, line, length, TRUE);
    }

  job->reader = NULL;
  g_free (reader.buffer);

  return ok;
}

static guint64
scanner_get_offset (gpointer reader)
{
  return jm_json_scanner_get_offset (reader);
}

static gboolean
read_json (ImportJob  *job,
           GError    **error)
{
  g_autoptr(JmJsonScanner) scanner = jm_json_scanner_new (job->stream, MAX_RECORD_BYTES);
  gboolean ok = TRUE;

  job->reader = scanner;
  job->get_offset = scanner_get_offset;

  while (ok)
    {
      g_autoptr(GError) local_error = NULL;
      const char *element = NULL;
      gsize length = 0;
      guint64 index = 0;
      JmJsonScanResult result;

      result = jm_json_scanner_next (scanner, &element, &length, &index, job->cancellable,
                                     &local_error);

      if (result == JM_JSON_SCAN_END)
        break;

      if (result == JM_JSON_SCAN_ELEMENT)
        {
          ok = job_add_json (job, index, element, length, FALSE);
          continue;
        }

      if (result == JM_JSON_SCAN_SKIPPED)
        {
          job_reject (job, index, NULL, local_error->message);
          continue;
        }

      /* Failed: a file that is not an array at all cannot be imported; a broken one keeps
       * what came before the break, which is reported like a bad record.
       */
      if (local_error->domain == JM_JSON_SCANNER_ERROR &&
          local_error->code != JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY)
        {
          job_reject (job, MAX (index, 1), NULL, local_error->message);
          break;
        }

      if (local_error->domain == JM_JSON_SCANNER_ERROR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "%s is not a JSON array of messages: %s", job->name,
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }

  job->reader = NULL;

  return ok;
}

/* CSV */

static const struct {
  const char *header;
  const char *field;
} csv_columns[] = {
  { "customer_id", "userId" },
  { "user_id", "userId" },
  { "userid", "userId" },
  { "distinct_id", "userId" },
  { "case_id", "userId" },
  { "anonymous_id", "anonymousId" },
  { "anonymousid", "anonymousId" },
  { "device_id", "anonymousId" },
  { "event", "event" },
  { "event_name", "event" },
  { "activity", "event" },
  { "action", "event" },
  { "type", "type" },
  { "timestamp", "timestamp" },
  { "time", "timestamp" },
  { "ts", "timestamp" },
  { "datetime", "timestamp" },
  { "event_time", "timestamp" },
  { "session_id", "sessionId" },
  { "message_id", "messageId" },
  { "event_id", "messageId" },
  { "id", "messageId" },
  { "url", "context.page.url" },
  { "page_url", "context.page.url" },
  { "referrer", "context.page.referrer" },
  { "utm_source", "context.campaign.source" },
  { "utm_medium", "context.campaign.medium" },
  { "utm_campaign", "context.campaign.name" },
};

static void
csv_plan_clear (CsvPlan *plan)
{
  for (guint i = 0; i < plan->n_columns; i++)
    target_clear (&plan->targets[i]);
  g_clear_pointer (&plan->targets, g_free);
  g_clear_pointer (&plan->columns, g_strfreev);
  plan->n_columns = 0;
}

static gboolean
plan_has (const CsvPlan *plan,
          TargetKind     kind)
{
  return plan->top_level[kind] >= 0;
}

static gboolean
csv_plan_build (ImportJob           *job,
                const char * const  *header,
                guint                n_columns,
                GError             **error)
{
  JmImporter *self = job->importer;
  CsvPlan *plan = &job->plan;
  g_autofree char *columns = NULL;

  plan->n_columns = n_columns;
  plan->targets = g_new0 (Target, n_columns);
  plan->columns = g_new0 (char *, n_columns + 1);
  for (guint i = 0; i < N_TOP_LEVEL_TARGETS; i++)
    plan->top_level[i] = -1;

  for (guint i = 0; i < n_columns; i++)
    {
      const char *field = NULL;
      gboolean mapped = FALSE;

      plan->columns[i] = g_strstrip (g_strdup (header[i]));

      /* An explicit --map wins over the automatic one. */
      for (guint m = self->mappings->len; m > 0 && !mapped; m--)
        {
          const Mapping *mapping = g_ptr_array_index (self->mappings, m - 1);

          if (g_ascii_strcasecmp (mapping->column, plan->columns[i]) == 0)
            {
              plan->targets[i].kind = mapping->target.kind;
              plan->targets[i].path = g_strdupv (mapping->target.path);
              mapped = TRUE;
            }
        }

      for (guint c = 0; c < G_N_ELEMENTS (csv_columns) && !mapped && field == NULL; c++)
        {
          if (g_ascii_strcasecmp (csv_columns[c].header, plan->columns[i]) == 0)
            field = csv_columns[c].field;
        }

      if (!mapped && field != NULL)
        {
          gboolean known = parse_target (field, &plan->targets[i]);

          g_assert (known);
        }
      else if (!mapped)
        {
          plan->targets[i].kind = TARGET_PROPERTY;
          plan->targets[i].path = g_new0 (char *, 2);
          plan->targets[i].path[0] = g_strdup (plan->columns[i]);
        }

      if (plan->targets[i].kind < N_TOP_LEVEL_TARGETS &&
          plan->top_level[plan->targets[i].kind] < 0)
        plan->top_level[plan->targets[i].kind] = (int) i;
    }

  columns = g_strjoinv (", ", plan->columns);

  for (guint m = 0; m < self->mappings->len; m++)
    {
      const Mapping *mapping = g_ptr_array_index (self->mappings, m);
      gboolean found = FALSE;

      for (guint i = 0; i < n_columns && !found; i++)
        found = g_ascii_strcasecmp (mapping->column, plan->columns[i]) == 0;

      if (!found)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s has no column “%s” to map (its header is: %s)",
                       job->name, mapping->column, columns);
          return FALSE;
        }
    }

  if (!plan_has (plan, TARGET_EVENT) && !plan_has (plan, TARGET_NAME))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has no event column (its header is: %s); name one with "
                   "--map COLUMN=event", job->name, columns);
      return FALSE;
    }

  if (!plan_has (plan, TARGET_TIMESTAMP))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has no time column (its header is: %s); name one with "
                   "--map COLUMN=timestamp", job->name, columns);
      return FALSE;
    }

  if (!plan_has (plan, TARGET_USER_ID) && !plan_has (plan, TARGET_ANONYMOUS_ID))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has no customer column (its header is: %s); name one with "
                   "--map COLUMN=userId", job->name, columns);
      return FALSE;
    }

  return TRUE;
}

/* CSV cells that look like numbers a person wrote (no leading zeros but `0.x`, no `+`,
 * no exponent, few enough digits to survive a double) become JSON numbers; zip codes,
 * long ids and the like stay strings.
 */
static JsonNode *
cell_to_node (const char *text,
              gsize       length)
{
  const char *p = text;
  const char *end = text + length;
  const char *integer_start;
  gsize digits = 0;
  gboolean fraction = FALSE;

  if (p < end && *p == '-')
    p++;
  integer_start = p;

  if (p < end && *p == '0')
    {
      p++;
      digits++;
    }
  else
    {
      while (p < end && g_ascii_isdigit (*p))
        {
          p++;
          digits++;
        }
    }

  if (digits == 0)
    goto string;

  if (p < end && *p == '.')
    {
      gsize fraction_digits = 0;

      p++;
      while (p < end && g_ascii_isdigit (*p))
        {
          p++;
          fraction_digits++;
        }
      if (fraction_digits == 0)
        goto string;
      digits += fraction_digits;
      fraction = TRUE;
    }

  if (p != end || digits > 15)
    goto string;

  /* "-0" is not how anyone writes zero. */
  if (!fraction && integer_start != text && *integer_start == '0')
    goto string;

  if (fraction)
    return json_node_init_double (json_node_alloc (), g_ascii_strtod (text, NULL));
  return json_node_init_int (json_node_alloc (), g_ascii_strtoll (text, NULL, 10));

string:
  return json_node_init_string (json_node_alloc (), text);
}

static JsonObject *
child_object (JsonObject *parent,
              const char *name)
{
  JsonNode *node = json_object_get_member (parent, name);
  JsonObject *child;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);

  child = json_object_new ();
  json_object_set_object_member (parent, name, child);

  return child;
}

static void
set_path (JsonObject  *root,
          char       **path,
          JsonNode    *value)
{
  JsonObject *object = root;
  guint i;

  for (i = 0; path[i + 1] != NULL; i++)
    object = child_object (object, path[i]);

  json_object_set_member (object, path[i], value);
}

/* The path of a URL, for `page` rows. */
static char *
url_path (const char *url)
{
  const char *start;
  const char *scheme = strstr (url, "://");

  if (scheme != NULL)
    {
      start = strchr (scheme + 3, '/');
      if (start == NULL)
        return g_strdup ("/");
    }
  else if (url[0] == '/')
    start = url;
  else
    return NULL;

  return g_strndup (start, strcspn (start, "?#"));
}

/* One CSV record as the Segment message it describes. */
static JsonObject *
csv_record_to_message (ImportJob   *job,
                       JmCsvReader *reader)
{
  CsvPlan *plan = &job->plan;
  JsonObject *message = json_object_new ();
  JsonObject *objects[3] = { NULL, NULL, NULL };
  static const char * const object_names[3] = { "properties", "context", "traits" };
  const char *type;

  for (guint i = 0; i < plan->n_columns; i++)
    {
      const Target *target = &plan->targets[i];
      gsize length;
      const char *value = jm_csv_reader_get_field (reader, i, &length);
      guint slot;

      if (length == 0)
        continue;

      if (target->kind < N_TOP_LEVEL_TARGETS)
        {
          const char *member = top_level_members[target->kind];

          /* Several columns may name the same field: the first non-empty one counts. */
          if (!json_object_has_member (message, member))
            json_object_set_string_member (message, member, value);
          continue;
        }

      slot = target->kind - TARGET_PROPERTY;
      if (objects[slot] == NULL)
        objects[slot] = json_object_new ();

      set_path (objects[slot], target->path,
                target->kind == TARGET_CONTEXT
                  ? json_node_init_string (json_node_alloc (), value)
                  : cell_to_node (value, length));
    }

  /* Rows are track events unless a type column says otherwise. */
  if (!json_object_has_member (message, "type"))
    json_object_set_string_member (message, "type", "track");

  /* Page rows get the path (their journey name) from the url, as analytics.js does. */
  type = json_object_get_string_member_with_default (message, "type", NULL);
  if (type != NULL && g_ascii_strcasecmp (type, "page") == 0 && objects[1] != NULL)
    {
      JsonNode *page = json_object_get_member (objects[1], "page");
      const char *url = NULL;

      if (page != NULL && JSON_NODE_HOLDS_OBJECT (page))
        url = json_object_get_string_member_with_default (json_node_get_object (page), "url",
                                                          NULL);

      if (url != NULL)
        {
          g_autofree char *path = url_path (url);

          if (objects[0] == NULL)
            objects[0] = json_object_new ();
          if (!json_object_has_member (objects[0], "url"))
            json_object_set_string_member (objects[0], "url", url);
          if (path != NULL && !json_object_has_member (objects[0], "path"))
            json_object_set_string_member (objects[0], "path", path);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      if (objects[i] != NULL)
        json_object_set_object_member (message, object_names[i], objects[i]);
    }

  return message;
}

/* Errors name the column the user wrote rather than the Segment field it fed. */
static const char *
csv_field_name (const CsvPlan *plan,
                const char    *field)
{
  if (field == NULL)
    return NULL;

  for (guint kind = 0; kind < N_TOP_LEVEL_TARGETS; kind++)
    {
      if (g_str_equal (field, top_level_members[kind]) && plan->top_level[kind] >= 0)
        return plan->columns[plan->top_level[kind]];
    }

  /* A missing customer is reported on whichever customer column the file has. */
  if (g_str_equal (field, "userId") && plan->top_level[TARGET_ANONYMOUS_ID] >= 0)
    return plan->columns[plan->top_level[TARGET_ANONYMOUS_ID]];

  return field;
}

static guint64
csv_get_offset (gpointer reader)
{
  return jm_csv_reader_get_offset (reader);
}

static gboolean
read_csv (ImportJob  *job,
          GError    **error)
{
  g_autoptr(JmCsvReader) reader = jm_csv_reader_new (job->stream);
  g_autoptr(GError) local_error = NULL;
  const char * const *header;
  guint n_columns;
  gboolean ok = TRUE;

  job->reader = reader;
  job->get_offset = csv_get_offset;

  if (!jm_csv_reader_read_header (reader, job->cancellable, &local_error))
    {
      if (local_error->domain == JM_CSV_ERROR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "%s cannot be read as CSV: %s", job->name, local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      job->reader = NULL;
      return FALSE;
    }

  header = jm_csv_reader_get_header (reader, &n_columns);
  if (!csv_plan_build (job, header, n_columns, error))
    {
      job->reader = NULL;
      return FALSE;
    }

  while (ok)
    {
      g_autoptr(JsonObject) message = NULL;
      g_autoptr(GError) record_error = NULL;
      g_autofree char *field = NULL;
      JmCsvResult result;
      JmEvent *event;

      if (job_check_cancelled (job, error))
        {
          ok = FALSE;
          break;
        }

      result = jm_csv_reader_next (reader, job->cancellable, &record_error);

      if (result == JM_CSV_END)
        break;
      if (result == JM_CSV_FAILED)
        {
          g_propagate_error (error, g_steal_pointer (&record_error));
          ok = FALSE;
          break;
        }
      if (result == JM_CSV_MALFORMED)
        {
          job_reject (job, jm_csv_reader_get_line (reader), NULL, record_error->message);
          continue;
        }

      message = csv_record_to_message (job, reader);
      event = jm_event_new_from_json (message, job->now_ms, &field, &record_error);
      if (event == NULL)
        {
          job_reject (job, jm_csv_reader_get_line (reader), csv_field_name (&job->plan, field),
                      record_error->message);
          continue;
        }

      ok = job_add_event (job, event);
    }

  job->reader = NULL;

  return ok;
}

static gpointer
import_worker (gpointer data)
{
  ImportJob *job = data;
  GError *error = NULL;
  gboolean ok;

  switch (job->format)
    {
    case JM_INPUT_FORMAT_JSON:
      ok = read_json (job, &error);
      break;

    case JM_INPUT_FORMAT_CSV:
      ok = read_csv (job, &error);
      break;

    case JM_INPUT_FORMAT_NDJSON:
    case JM_INPUT_FORMAT_AUTO:
    default:
      ok = read_ndjson (job, &error);
      break;
    }

  g_assert (ok || error != NULL || g_atomic_int_get (&job->stop));

  job->current->last = TRUE;
  job->current->error = error;
  job->current->bytes_read = job_bytes_read (job);
  g_async_queue_push (job->full, g_steal_pointer (&job->current));

  return NULL;
}

/* Format detection. */

static gboolean
has_suffix (const char *name,
            const char *suffix)
{
  gsize name_length = strlen (name);
  gsize suffix_length = strlen (suffix);

  return name_length >= suffix_length &&
         g_ascii_strcasecmp (name + name_length - suffix_length, suffix) == 0;
}

/* Whether a text starting with `{` is a Segment batch object rather than the first of
 * many NDJSON lines: a `batch` member in the first object, and no second object after it.
 */
static gboolean
looks_like_batch_object (const guint8 *data,
                         gsize         length)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  gboolean expect_key = FALSE;
  gboolean key = FALSE;
  gboolean has_batch = FALSE;
  gsize key_start = 0;

  for (gsize i = 0; i < length; i++)
    {
      guint8 c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            {
              in_string = FALSE;
              if (key && i - key_start == 5 && memcmp (data + key_start, "batch", 5) == 0)
                has_batch = TRUE;
            }
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          key = depth == 1 && expect_key;
          key_start = i + 1;
          break;

        case '{':
        case '[':
          depth++;
          expect_key = c == '{' && depth == 1;
          break;

        case '}':
        case ']':
          if (depth > 0)
            depth--;
          if (depth == 0)
            {
              for (i++; i < length && g_ascii_isspace (data[i]); i++)
                ;
              return has_batch && (i >= length || data[i] != '{');
            }
          break;

        case ',':
          if (depth == 1)
            expect_key = TRUE;
          break;

        case ':':
          if (depth == 1)
            expect_key = FALSE;
          break;

        default:
          break;
        }
    }

  return has_batch;
}

static JmInputFormat
sniff_format (const guint8 *data,
              gsize         length,
              const char   *name)
{
  gsize i = 0;

  if (has_suffix (name, ".csv") || has_suffix (name, ".csv.gz"))
    return JM_INPUT_FORMAT_CSV;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < length && g_ascii_isspace (data[i]))
    i++;

  if (i == length)
    return JM_INPUT_FORMAT_NDJSON;
  if (data[i] == '[')
    return JM_INPUT_FORMAT_JSON;
  if (data[i] == '{')
    return looks_like_batch_object (data + i, length - i) ? JM_INPUT_FORMAT_JSON
                                                         : JM_INPUT_FORMAT_NDJSON;

  return JM_INPUT_FORMAT_CSV;
}

/* Fills a buffered stream's buffer with up to `want` bytes (less at the end of input). */
static gboolean
fill_buffer (GBufferedInputStream  *stream,
             gsize                  want,
             GCancellable          *cancellable,
             GError               **error)
{
  while (g_buffered_input_stream_get_available (stream) < want)
    {
      gssize n = g_buffered_input_stream_fill (stream,
                                               want - g_buffered_input_stream_get_available (stream),
                                               cancellable, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
    }

  return TRUE;
}

static void
report_progress (JmImporter *self,
                 ImportJob  *job,
                 guint64     bytes_read,
                 guint64     bytes_total,
                 guint64     events)
{
  if (self->progress_func != NULL)
    self->progress_func (job->name, bytes_read, bytes_total, events, self->progress_data);
}

static void
job_clear (ImportJob *job)
{
  for (guint i = 0; i < N_BATCHES; i++)
    g_clear_pointer (&job->batches[i], batch_free);
  g_clear_pointer (&job->full, g_async_queue_unref);
  g_clear_pointer (&job->free, g_async_queue_unref);
  csv_plan_clear (&job->plan);
  if (job->scratch != NULL)
    g_string_free (g_steal_pointer (&job->scratch), TRUE);
  g_clear_object (&job->stream);
  g_clear_object (&job->raw);
  g_clear_pointer (&job->name, g_free);
}

/* Runs the worker and stores what it hands over, on the calling thread. */
static gboolean
run_job (JmImporter    *self,
         ImportJob     *job,
         guint64        bytes_total,
         GCancellable  *cancellable,
         GError       **error)
{
  GError *failure = NULL;
  GThread *thread;
  JmInsertResult pending = { 0, };   /* stored in the open transaction */
  guint64 pending_events = 0;
  gboolean in_transaction = FALSE;
  gint64 transaction_began = 0;
  guint64 events = 0;
  guint64 reported_events = 0;
  guint64 bytes_read = 0;
  gint64 reported_time = g_get_monotonic_time ();

  job->full = g_async_queue_new ();
  job->free = g_async_queue_new ();
  for (guint i = 0; i < N_BATCHES; i++)
    {
      job->batches[i] = batch_new ();
      if (i > 0)
        g_async_queue_push (job->free, job->batches[i]);
    }
  job->current = job->batches[0];
  job->n_listed = self->report.errors->len;
  job->scratch = g_string_sized_new (4096);

  jm_store_set_bulk_import (self->store, TRUE);

  thread = g_thread_new ("jm-import", import_worker, job);

  for (;;)
    {
      Batch *batch = g_async_queue_pop (job->full);
      gboolean last = batch->last;
      gint64 now;

      if (failure == NULL && batch->events->len > 0)
        {
          JmInsertResult result = { 0, };

          if (!in_transaction && jm_store_begin (self->store, &failure))
            {
              in_transaction = TRUE;
              transaction_began = g_get_monotonic_time ();
            }

          if (failure == NULL &&
              jm_store_insert_events (self->store, self->project,
                                      (JmEvent **) batch->events->pdata, batch->events->len,
                                      &result, &failure))
            {
              pending.inserted += result.inserted;
              pending.duplicates += result.duplicates;
              pending.dropped += result.dropped;
              pending_events += batch->events->len;
            }
        }

      /* Bad records are listed even when storing failed: they were read. */
      for (guint i = 0; i < batch->errors->len; i++)
        g_ptr_array_add (self->report.errors, g_steal_pointer (&batch->errors->pdata[i]));
      g_ptr_array_set_size (batch->errors, 0);
      self->report.rejected += batch->rejected;
      events += batch->events->len + batch->rejected;
      bytes_read = batch->bytes_read;

      if (failure == NULL && batch->error != NULL)
        failure = g_steal_pointer (&batch->error);
      if (failure == NULL)
        g_cancellable_set_error_if_cancelled (cancellable, &failure);
      if (failure != NULL)
        g_atomic_int_set (&job->stop, 1);

      /* What was stored before a failure is kept, as when each batch was committed alone.
       * A transaction holds the workspace's write lock, which the listener waits for: it is
       * also committed when the worker has nothing ready and it has been open a while.
       */
      now = g_get_monotonic_time ();
      if (in_transaction &&
          (last || failure != NULL || pending_events >= TRANSACTION_EVENTS ||
           (now - transaction_began >= TRANSACTION_INTERVAL &&
            g_async_queue_length (job->full) <= 0)))
        {
          if (jm_store_commit (self->store, failure == NULL ? &failure : NULL))
            {
              self->report.imported += pending.inserted;
              self->report.duplicates += pending.duplicates;
              self->report.dropped += pending.dropped;
            }
          else
            {
              g_atomic_int_set (&job->stop, 1);
            }
          in_transaction = FALSE;
          pending = (JmInsertResult) { 0, };
          pending_events = 0;
        }

      g_clear_error (&batch->error);
      batch->rejected = 0;
      batch->last = FALSE;

      if (last)
        break;

      g_async_queue_push (job->free, batch);

      if (events - reported_events >= PROGRESS_EVENTS || now - reported_time >= PROGRESS_INTERVAL)
        {
          report_progress (self, job, bytes_read, bytes_total, events);
          reported_events = events;
          reported_time = now;
        }
    }

  g_thread_join (thread);

  g_assert (!in_transaction);
  jm_store_set_bulk_import (self->store, FALSE);

  if (failure == NULL)
    report_progress (self, job, bytes_total > 0 ? bytes_total : bytes_read, bytes_total, events);

  if (failure != NULL)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }

  return TRUE;
}

gboolean
jm_importer_import_stream (JmImporter    *self,
                           GInputStream  *stream,
                           const char    *name,
                           guint64        size,
                           GCancellable  *cancellable,
                           GError       **error)
{
  ImportJob job = { 0, };
  GInputStream *buffered;
  const guint8 *peeked;
  gsize n_peeked;
  gint64 started;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  started = g_get_monotonic_time ();

  g_ptr_array_add (self->report.files, g_strdup (name));

  job.importer = self;
  job.name = g_strdup (name);
  job.raw = g_object_ref (stream);
  job.cancellable = cancellable;
  job.now_ms = jm_time_now_ms ();

  /* gzip is recognised by its magic bytes, whatever the file is called. */
  buffered = g_buffered_input_stream_new_sized (stream, SNIFF_SIZE);
  if (!fill_buffer (G_BUFFERED_INPUT_STREAM (buffered), 2, cancellable, error))
    {
      g_object_unref (buffered);
      goto out;
    }

  peeked = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &n_peeked);
  if (n_peeked >= 2 && peeked[0] == 0x1f && peeked[1] == 0x8b)
    {
      g_autoptr(GZlibDecompressor) decompressor =
        g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      g_autoptr(GInputStream) converter =
        g_converter_input_stream_new (buffered, G_CONVERTER (decompressor));

      g_object_unref (buffered);
      buffered = g_buffered_input_stream_new_sized (converter, SNIFF_SIZE);
      job.compressed = TRUE;
    }
  job.stream = buffered;

  job.format = self->format;
  if (job.format == JM_INPUT_FORMAT_AUTO)
    {
      g_autoptr(GError) local_error = NULL;

      if (!fill_buffer (G_BUFFERED_INPUT_STREAM (buffered), SNIFF_SIZE, cancellable,
                        &local_error))
        {
          if (job.compressed && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s is not a valid gzip file: %s", name, local_error->message);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }

      peeked = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered),
                                                    &n_peeked);
      job.format = sniff_format (peeked, n_peeked, name);
    }

  g_debug ("Importing %s as %s%s", name,
           job.format == JM_INPUT_FORMAT_JSON ? "JSON" :
           job.format == JM_INPUT_FORMAT_CSV ? "CSV" : "NDJSON",
           job.compressed ? " (gzip)" : "");

  ok = run_job (self, &job, size, cancellable, error);

out:
  job_clear (&job);
  self->report.seconds += (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;

  return ok;
}

/* The name errors give a file: relative to the working directory when it is inside it,
 * which is how it was most likely given.
 */
static char *
display_name (GFile *file)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr(GFile) cwd_file = g_file_new_for_path (cwd);
  char *relative = g_file_get_relative_path (cwd_file, file);

  return relative != NULL ? relative : g_file_get_parse_name (file);
}

gboolean
jm_importer_import_file (JmImporter    *self,
                         GFile         *file,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *name = NULL;
  guint64 size = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                         cancellable, NULL);
  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE))
    size = (guint64) g_file_info_get_size (info);

  name = display_name (file);

  return jm_importer_import_stream (self, G_INPUT_STREAM (stream), name, size,
                                    cancellable, error);
}

JsonNode *
jm_import_report_to_json (const JmImportReport *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (report != NULL, NULL);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; report->files != NULL && i < report->files->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (report->files, i));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "imported");
  json_builder_add_int_value (builder, (gint64) report->imported);
  json_builder_set_member_name (builder, "duplicates");
  json_builder_add_int_value (builder, (gint64) report->duplicates);
  json_builder_set_member_name (builder, "rejected");
  json_builder_add_int_value (builder, (gint64) report->rejected);
  json_builder_set_member_name (builder, "dropped");
  json_builder_add_int_value (builder, (gint64) report->dropped);

  json_builder_set_member_name (builder, "errors");
  json_builder_begin_array (builder);
  for (guint i = 0; report->errors != NULL && i < report->errors->len; i++)
    {
      const JmImportError *error = g_ptr_array_index (report->errors, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, error->file);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, (gint64) error->line);
      json_builder_set_member_name (builder, "field");
      if (error->field != NULL)
        json_builder_add_string_value (builder, error->field);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, error->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, report->seconds);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
