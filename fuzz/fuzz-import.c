/* fuzz-import.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the import path: every input is imported into a fresh in-memory
 * workspace once as each input format (NDJSON, JSON, CSV and auto-detection), since a file
 * from a user can be anything whatever its name says. A bad record must only ever become an
 * entry in the import report: crashes, sanitizer reports, leaks and GLib criticals are bugs.
 */

#define G_LOG_DOMAIN "jm-fuzz"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <gio/gio.h>

#include "jm-import.h"
#include "jm-store.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* One workspace for the whole run: opening one (creating the schema) costs far more than an
 * import of a small input, and fuzzing is only as good as its executions per second. It is
 * emptied after every import, so each input starts from the same state.
 */
static JmStore *store;
static gint64 project;

static const JmInputFormat formats[] = {
  JM_INPUT_FORMAT_NDJSON,
  JM_INPUT_FORMAT_JSON,
  JM_INPUT_FORMAT_CSV,
  JM_INPUT_FORMAT_AUTO,
};

/* Bad input is expected to produce warnings and debug output only through the report;
 * drop messages and info to keep libFuzzer's output readable, but let criticals through
 * (they are made fatal in LLVMFuzzerInitialize).
 */
static void
quiet_log_handler (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    g_log_default_handler (log_domain, log_level, message, user_data);
}

static void
import_once (const uint8_t *data,
             size_t         size,
             JmInputFormat  format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmImporter) importer = NULL;
  g_autoptr(GInputStream) stream = NULL;
  const JmImportReport *report;
  JsonNode *json;

  importer = jm_importer_new (store, project);
  jm_importer_set_input_format (importer, format);

  /* The bytes are only borrowed: libFuzzer owns them for the duration of the call. */
  stream = g_memory_input_stream_new_from_data (data, size, NULL);

  /* FALSE is allowed (unreadable input, e.g. a broken gzip stream); crashing is not. */
  if (!jm_importer_import_stream (importer, stream, "fuzz-input", size, NULL, &error))
    g_assert_nonnull (error);
  else
    g_assert_no_error (error);
  g_clear_error (&error);

  report = jm_importer_get_report (importer);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->errors->len, <=, JM_IMPORT_MAX_ERRORS);

  /* The report is what the user sees: it must serialize whatever the input was. */
  json = jm_import_report_to_json (report);
  g_assert_nonnull (json);
  g_free (json_to_string (json, FALSE));
  json_node_unref (json);

  g_clear_pointer (&importer, jm_importer_free);
  jm_store_clear_events (store, &error);
  g_assert_no_error (error);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  static const uint8_t warm_up[] = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"}\n";
  g_autoptr(GError) error = NULL;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
  g_log_set_default_handler (quiet_log_handler, NULL);

  store = jm_store_open (":memory:", JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);

  /* GLib, GObject and SQLite allocate some state once per process (type registrations,
   * quarks, the SQLite VFS). Do that here, outside any fuzzed input, so LeakSanitizer's
   * per-input check does not report it as a leak of the first input.
   */
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    import_once (warm_up, sizeof warm_up - 1, formats[i]);

  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    import_once (data, size, formats[i]);

  return 0;
}
