/* test-import.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "jm-import.h"
#include "jm-store-private.h"

typedef struct
{
  JmStore    *store;
  gint64      project;
  JmImporter *importer;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->store = jm_store_open (":memory:", JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (jm_store_lookup_project (fixture->store, NULL, &fixture->project, &error));
  g_assert_no_error (error);
  fixture->importer = jm_importer_new (fixture->store, fixture->project);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->importer, jm_importer_free);
  g_assert_finalize_object (fixture->store);
}

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "core", "data", name, NULL);
}

static gboolean
import_data_file (Fixture     *fixture,
                  const char  *name,
                  GError     **error)
{
  g_autofree char *path = data_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return jm_importer_import_file (fixture->importer, file, NULL, error);
}

static gboolean
import_text (Fixture     *fixture,
             const char  *name,
             const char  *text,
             gssize       length,
             GError     **error)
{
  gsize size = length < 0 ? strlen (text) : (gsize) length;
  g_autoptr(GInputStream) stream =
    g_memory_input_stream_new_from_data (g_memdup2 (text, size), size, g_free);

  return jm_importer_import_stream (fixture->importer, stream, name, size, NULL, error);
}

static const JmImportReport *
report (Fixture *fixture)
{
  return jm_importer_get_report (fixture->importer);
}

static const JmImportError *
report_error (Fixture *fixture,
              guint    index)
{
  g_assert_cmpuint (index, <, report (fixture)->errors->len);

  return g_ptr_array_index (report (fixture)->errors, index);
}

static void
assert_error (Fixture    *fixture,
              guint       index,
              guint64     line,
              const char *field,
              const char *words)
{
  const JmImportError *error = report_error (fixture, index);

  g_assert_cmpuint (error->line, ==, line);
  g_assert_cmpstr (error->field, ==, field);
  if (strstr (error->reason, words) == NULL)
    g_error ("error %u (line %" G_GUINT64_FORMAT ") says “%s”, not “%s”", index, error->line,
             error->reason, words);
}

/* One text column of the stored events, as "value;value;…" in (ts, arrival) order. */
static char *
query_column (Fixture    *fixture,
              const char *sql)
{
  sqlite3 *db = jm_store_get_db (fixture->store);
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      if (out->len > 0)
        g_string_append_c (out, ';');
      g_string_append (out, text != NULL ? text : "NULL");
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gint64
count_events (Fixture *fixture)
{
  g_autofree char *count = query_column (fixture, "SELECT count(*) FROM events");

  return g_ascii_strtoll (count, NULL, 10);
}

static void
test_ndjson (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *customers = NULL;
  g_autofree char *types = NULL;

  g_assert_true (import_data_file (fixture, "segment.ndjson", &error));
  g_assert_no_error (error);

  g_assert_cmpuint (report (fixture)->imported, ==, 7);
  g_assert_cmpuint (report (fixture)->rejected, ==, 5);
  g_assert_cmpuint (report (fixture)->duplicates, ==, 0);
  g_assert_cmpuint (report (fixture)->errors->len, ==, 5);
  g_assert_cmpuint (report (fixture)->files->len, ==, 1);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (report (fixture)->files, 0),
                                   "segment.ndjson"));
  g_assert_true (g_str_has_suffix (report_error (fixture, 0)->file, "segment.ndjson"));

  /* Line numbers count the blank line too. */
  assert_error (fixture, 0, 3, NULL, "Invalid JSON");
  assert_error (fixture, 1, 6, "event", "non-empty");
  assert_error (fixture, 2, 7, NULL, "Not a JSON object");
  assert_error (fixture, 3, 8, "timestamp", "yesterday");
  assert_error (fixture, 4, 13, "type", "wave");

  g_assert_cmpint (count_events (fixture), ==, 7);
  types = query_column (fixture, "SELECT type FROM events ORDER BY ts");
  g_assert_cmpstr (types, ==, "identify;page;track;track;screen;alias;group");
  names = query_column (fixture, "SELECT name FROM events ORDER BY ts");
  g_assert_cmpstr (names, ==, "NULL;/;Product Viewed;Order Completed;Cart;NULL;NULL");
  /* The anonymous page view belongs to u1 through the identify before it. */
  customers = query_column (fixture, "SELECT customer_id FROM events ORDER BY ts");
  g_assert_cmpstr (customers, ==, "u1;u1;u1;u1;u2;u2;u2");
}

static void
test_ndjson_crlf_and_bom (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = data_path ("segment.ndjson");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  joined = g_strjoinv ("\r\n", lines);
  text = g_strconcat ("\xef\xbb\xbf", joined, NULL);

  g_assert_true (import_text (fixture, "crlf.ndjson", text, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 7);
  g_assert_cmpuint (report (fixture)->rejected, ==, 5);
  assert_error (fixture, 0, 3, NULL, "Invalid JSON");
  assert_error (fixture, 4, 13, "type", "wave");
  g_assert_cmpstr (report_error (fixture, 0)->file, ==, "crlf.ndjson");
}

static void
test_ndjson_batch_lines (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *text =
    "{\"batch\":[{\"type\":\"track\",\"userId\":\"x\",\"event\":\"A\",\"timestamp\":1},"
    "{\"type\":\"track\",\"event\":\"B\",\"timestamp\":2},"
    "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"C\",\"timestamp\":3}],\"sentAt\":\"x\"}\n"
    "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"D\",\"timestamp\":4}\n";

  g_assert_true (import_text (fixture, "batches.ndjson", text, -1, &error));
  g_assert_cmpuint (report (fixture)->imported, ==, 3);
  g_assert_cmpuint (report (fixture)->rejected, ==, 1);
  assert_error (fixture, 0, 1, "userId", "anonymousId");
}

static void
test_json_array (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *properties = NULL;

  g_assert_true (import_data_file (fixture, "segment-array.json", &error));
  g_assert_no_error (error);

  g_assert_cmpuint (report (fixture)->imported, ==, 3);
  g_assert_cmpuint (report (fixture)->rejected, ==, 3);
  /* For a JSON array, `line` is the element's 1-based index. */
  assert_error (fixture, 0, 2, NULL, "Invalid JSON");
  assert_error (fixture, 1, 4, NULL, "Not a JSON object");
  assert_error (fixture, 2, 5, "userId", "anonymousId");

  names = query_column (fixture, "SELECT name FROM events ORDER BY ts");
  g_assert_cmpstr (names, ==, "Signed Up;/pricing;Upgraded");
  properties = query_column (fixture, "SELECT properties FROM events WHERE name = 'Signed Up'");
  g_assert_cmpstr (properties, ==, "{\"tags\":[\"a\",\"]\"],\"note\":\"a \\\"quoted\\\" [bracket]\"}");
}

static void
test_json_truncated (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *text =
    "[{\"type\":\"track\",\"userId\":\"x\",\"event\":\"A\",\"timestamp\":1},\n"
    " {\"type\":\"track\",\"userId\":\"x\",\"event\":\"B\",\"timestamp\":2},\n"
    " {\"type\":\"track\",\"userId\":\"x\",\"eve";

  /* What came before the cut is kept; the cut is reported like a bad record. */
  g_assert_true (import_text (fixture, "cut.json", text, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 2);
  g_assert_cmpuint (report (fixture)->rejected, ==, 1);
  assert_error (fixture, 0, 3, NULL, "ends inside element 3");
}

static void
test_json_batch (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *customers = NULL;

  g_assert_true (import_data_file (fixture, "segment-batch.json", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 3);
  g_assert_cmpuint (report (fixture)->rejected, ==, 0);

  customers = query_column (fixture, "SELECT customer_id FROM events ORDER BY ts");
  g_assert_cmpstr (customers, ==, "b1;b1;b1");
}

static void
test_mixpanel (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *properties = NULL;
  g_autofree char *context = NULL;

  g_assert_true (import_data_file (fixture, "mixpanel.ndjson", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 3);

  rows = query_column (fixture,
                       "SELECT id || ',' || name || ',' || coalesce(customer_id, '-') || ',' || "
                       "coalesce(anonymous_id, '-') || ',' || ts FROM events ORDER BY ts");
  g_assert_cmpstr (rows, ==,
                   "mp-1,Viewed Item,m1,dev-1,1780308000000;"
                   "mp-2,Added to Cart,m1,-,1780308060000;"
                   "mp-3,Landed,-,dev-2,1780308120000");

  properties = query_column (fixture, "SELECT properties FROM events WHERE id = 'mp-1'");
  g_assert_cmpstr (properties, ==, "{\"item\":\"shoes\",\"price\":30}");
  context = query_column (fixture,
                          "SELECT json_extract(context, '$.page.url') || ' ' || "
                          "json_extract(context, '$.campaign.source') || ' ' || touch "
                          "FROM events WHERE id = 'mp-1'");
  g_assert_cmpstr (context, ==, "https://shop.example/item/7 google Paid Search");
}

static void
test_times (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  g_assert_true (import_data_file (fixture, "times.ndjson", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 9);

  rows = query_column (fixture, "SELECT name || '=' || ts FROM events ORDER BY arrival");
  g_assert_cmpstr (rows, ==,
                   "seconds=1780308000000;"
                   "milliseconds=1780308000123;"
                   "fractional=1780308000500;"
                   "seconds-string=1780308000000;"
                   "offset=1780308000000;"
                   "negative-offset=1780308000000;"
                   "no-offset=1780308000000;"
                   "date=1780272000000;"
                   "original=1780308000250");
}

static void
test_csv_auto_mapping (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *page_properties = NULL;
  g_autofree char *page_context = NULL;
  g_autofree char *cart_properties = NULL;
  g_autofree char *checkout_properties = NULL;
  g_autofree char *last_properties = NULL;

  g_assert_true (import_data_file (fixture, "events.csv", &error));
  g_assert_no_error (error);

  g_assert_cmpuint (report (fixture)->imported, ==, 4);
  g_assert_cmpuint (report (fixture)->rejected, ==, 4);
  /* Fields are named by the column the file has; lines count the quoted line break. */
  assert_error (fixture, 0, 6, "Activity", "non-empty");
  assert_error (fixture, 1, 7, "Timestamp", "not-a-time");
  assert_error (fixture, 2, 9, NULL, "Expected 14 fields");
  assert_error (fixture, 3, 10, "Case_ID", "anonymousId");

  rows = query_column (fixture,
                       "SELECT type || ',' || name || ',' || customer_id || ',' || ts "
                       "FROM events ORDER BY ts");
  g_assert_cmpstr (rows, ==,
                   "track,Visit,c2,1780304400000;"
                   "page,/landing,c1,1780308000000;"
                   "track,Add to Cart,c1,1780308060000;"
                   "track,Checkout,c1,1780308120000");

  /* Numbers are compared through SQLite, which reads them back exactly. */
  page_properties = query_column (fixture,
                                  "SELECT json_type(properties, '$.price') || ' ' || "
                                  "(json_extract(properties, '$.price') = 19.99) || ' ' || "
                                  "json_type(properties, '$.zip') || ' ' || "
                                  "json_extract(properties, '$.zip') || ' ' || "
                                  "json_extract(properties, '$.note') || ' ' || "
                                  "json_extract(properties, '$.url') || ' ' || "
                                  "json_extract(properties, '$.path') || ' ' || "
                                  "(SELECT group_concat(key) FROM json_each(properties)) "
                                  "FROM events WHERE type = 'page'");
  g_assert_cmpstr (page_properties, ==,
                   "real 1 text 01234 hello, world https://shop.example/landing?x=1 /landing "
                   "price,zip,note,url,path");
  page_context = query_column (fixture, "SELECT context FROM events WHERE type = 'page'");
  g_assert_cmpstr (page_context, ==,
                   "{\"session_id\":\"s1\",\"page\":{\"url\":\"https://shop.example/landing?x=1\","
                   "\"referrer\":\"https://www.google.com/\"},"
                   "\"campaign\":{\"source\":\"google\",\"medium\":\"cpc\",\"name\":\"summer\"}}");
  cart_properties = query_column (fixture,
                                  "SELECT properties FROM events WHERE name = 'Add to Cart'");
  g_assert_cmpstr (cart_properties, ==, "{\"price\":5,\"note\":\"multi\\nline note\"}");
  last_properties = query_column (fixture,
                                  "SELECT properties FROM events WHERE customer_id = 'c2'");
  g_assert_cmpstr (last_properties, ==, "{\"price\":-3,\"zip\":\"007\",\"note\":\"say \\\"hi\\\"\"}");
  checkout_properties = query_column (fixture,
                                      "SELECT json_type(properties, '$.price') || ' ' || "
                                      "json_extract(properties, '$.price') "
                                      "FROM events WHERE name = 'Checkout'");
  g_assert_cmpstr (checkout_properties, ==, "real 0.5");
}

static void
test_csv_mapping (Fixture       *fixture,
                  gconstpointer  data)
{
  const char * const mappings[] = {
    "who=userId", "WHAT = event", "when=timestamp", "where=context.location.city",
    "plan=properties.tier",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  /* Without mappings the file cannot be imported, and the error shows its header. */
  g_assert_false (import_data_file (fixture, "mapped.csv", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "no event column"));
  g_assert_nonnull (strstr (error->message, "who, what, when, where, plan"));
  g_assert_nonnull (strstr (error->message, "--map"));
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (mappings); i++)
    {
      g_assert_true (jm_importer_add_mapping (fixture->importer, mappings[i], &error));
      g_assert_no_error (error);
    }

  g_assert_true (import_data_file (fixture, "mapped.csv", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 2);

  rows = query_column (fixture,
                       "SELECT customer_id || ',' || name || ',' || ts || ',' || "
                       "json_extract(context, '$.location.city') || ',' || properties "
                       "FROM events ORDER BY ts");
  g_assert_cmpstr (rows, ==,
                   "p1,Signed Up,1780272000000,Berlin,{\"tier\":\"pro\"};"
                   "p2,Signed Up,1780358400000,Paris,{\"tier\":\"free\"}");
}

static void
test_csv_mapping_errors (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const bad[] = {
    "who", "who=user", "=userId", "who=properties.", "who=context", "who=traits.a.b",
    "who=properties", "who=payload.x",
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (jm_importer_add_mapping (fixture->importer, bad[i], &error))
        g_error ("mapping “%s” was accepted", bad[i]);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

  /* A column that the file does not have. */
  g_assert_true (jm_importer_add_mapping (fixture->importer, "who=userId", &error));
  g_assert_true (jm_importer_add_mapping (fixture->importer, "what=event", &error));
  g_assert_true (jm_importer_add_mapping (fixture->importer, "when=timestamp", &error));
  g_assert_true (jm_importer_add_mapping (fixture->importer, "customer=userId", &error));
  g_assert_false (import_data_file (fixture, "mapped.csv", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "“customer”"));
  g_assert_cmpint (count_events (fixture), ==, 0);
}

static void
test_csv_missing_time (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (import_text (fixture, "no-time.csv", "user_id,event\nu,E\n", -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "no time column"));
  g_assert_nonnull (strstr (error->message, "user_id, event"));
}

static GBytes *
gzip_bytes (const char *text,
            gsize       length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GInputStream) plain = g_memory_input_stream_new_from_data (text, length, NULL);
  g_autoptr(GInputStream) compressed = g_converter_input_stream_new (plain, G_CONVERTER (compressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (out, compressed, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
test_gzip (Fixture       *fixture,
           gconstpointer  data)
{
  const char * const names[] = { "segment.ndjson", "events.csv", "segment-array.json" };
  const guint64 imported[] = { 7, 4, 3 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jm-import-XXXXXX", &error);

  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = data_path (names[i]);
      g_autofree char *contents = NULL;
      gsize length;
      g_autoptr(GBytes) compressed = NULL;
      /* No .gz, and no .csv either: gzip and CSV are recognised by their content. */
      g_autofree char *target_name = g_strdup_printf ("upload-%u.bin", i);
      g_autofree char *target = g_build_filename (dir, target_name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (target);
      guint64 before = report (fixture)->imported;

      g_assert_true (g_file_get_contents (path, &contents, &length, &error));
      compressed = gzip_bytes (contents, length);
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (compressed, NULL))[0], ==, 0x1f);
      g_assert_true (g_file_set_contents (target, g_bytes_get_data (compressed, NULL),
                                          g_bytes_get_size (compressed), &error));

      g_assert_true (jm_importer_import_file (fixture->importer, file, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (report (fixture)->imported - before, ==, imported[i]);

      g_assert_cmpint (g_unlink (target), ==, 0);
    }

  g_assert_cmpuint (report (fixture)->rejected, ==, 5 + 4 + 3);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_corrupt_gzip (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char text[] = "\x1f\x8b\x08\x00garbage that is not deflate";

  g_assert_false (import_text (fixture, "broken.gz", text, sizeof text - 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_import_twice (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const names[] = {
    "segment.ndjson", "segment-array.json", "events.csv", "mixpanel.ndjson", "times.ndjson",
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint64 imported;
      gint64 events;

      g_assert_true (import_data_file (fixture, names[i], &error));
      g_assert_no_error (error);
      imported = report (fixture)->imported;
      events = count_events (fixture);
      g_assert_cmpint (events, ==, (gint64) imported);

      /* Again: nothing new, every message a duplicate (with or without a message id). */
      g_assert_true (import_data_file (fixture, names[i], &error));
      g_assert_no_error (error);
      g_assert_cmpuint (report (fixture)->imported, ==, imported);
      g_assert_cmpint (count_events (fixture), ==, events);
    }

  g_assert_cmpuint (report (fixture)->duplicates, ==, report (fixture)->imported);
  g_assert_cmpuint (report (fixture)->files->len, ==, 2 * G_N_ELEMENTS (names));
}

static void
test_report_json (Fixture       *fixture,
                  gconstpointer  data)
{
  const char * const keys[] = {
    "files", "imported", "duplicates", "rejected", "dropped", "errors", "seconds",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *errors;
  JsonObject *first;
  GList *members;
  guint i = 0;

  g_assert_true (import_data_file (fixture, "segment.ndjson", &error));
  g_assert_true (import_data_file (fixture, "segment.ndjson", &error));

  node = jm_import_report_to_json (report (fixture));
  object = json_node_get_object (node);

  members = json_object_get_members (object);
  g_assert_cmpuint (g_list_length (members), ==, G_N_ELEMENTS (keys));
  for (GList *l = members; l != NULL; l = l->next)
    g_assert_cmpstr (l->data, ==, keys[i++]);
  g_list_free (members);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "files")), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "imported"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (object, "duplicates"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (object, "rejected"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (object, "dropped"), ==, 0);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "seconds")), ==,
                   G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (object, "seconds"), >, 0);

  errors = json_object_get_array_member (object, "errors");
  g_assert_cmpuint (json_array_get_length (errors), ==, 10);
  first = json_array_get_object_element (errors, 0);
  g_assert_cmpuint (json_object_get_size (first), ==, 4);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (first, "file"), "segment.ndjson"));
  g_assert_cmpint (json_object_get_int_member (first, "line"), ==, 3);
  g_assert_true (json_object_get_null_member (first, "field"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "reason"), "Invalid JSON"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 1), "field"),
                   ==, "event");
}

static void
test_missing_file (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("no-such-dir/no-such-file.ndjson");

  g_assert_false (jm_importer_import_file (fixture->importer, file, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (report (fixture)->imported, ==, 0);
}

static void
test_wrong_format (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  jm_importer_set_input_format (fixture->importer, JM_INPUT_FORMAT_JSON);
  g_assert_false (import_data_file (fixture, "events.csv", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "not a JSON array"));
  g_clear_error (&error);

  /* NDJSON forced on a pretty-printed JSON array: the lines that are whole messages are
   * imported, every other line is a bad record, none is fatal.
   */
  jm_importer_set_input_format (fixture->importer, JM_INPUT_FORMAT_NDJSON);
  g_assert_true (import_data_file (fixture, "segment-array.json", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 1);
  g_assert_cmpuint (report (fixture)->rejected, >, 10);
}

static void
test_format_names (void)
{
  JmInputFormat format = JM_INPUT_FORMAT_CSV;

  g_assert_true (jm_input_format_from_string ("auto", &format));
  g_assert_cmpint (format, ==, JM_INPUT_FORMAT_AUTO);
  g_assert_true (jm_input_format_from_string ("ndjson", &format));
  g_assert_cmpint (format, ==, JM_INPUT_FORMAT_NDJSON);
  g_assert_true (jm_input_format_from_string ("JSON", &format));
  g_assert_cmpint (format, ==, JM_INPUT_FORMAT_JSON);
  g_assert_true (jm_input_format_from_string ("csv", &format));
  g_assert_cmpint (format, ==, JM_INPUT_FORMAT_CSV);
  g_assert_false (jm_input_format_from_string ("xml", &format));
  g_assert_false (jm_input_format_from_string (NULL, &format));
}

static void
test_long_line (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_string_append (text, "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"A\",\"timestamp\":1}\n");
  g_string_append (text, "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"");
  for (guint i = 0; i < 1536 * 1024 / 8; i++)
    g_string_append (text, "abcdefgh");
  g_string_append (text, "\",\"timestamp\":2}\n");
  g_string_append (text, "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"C\",\"timestamp\":3}");

  g_assert_true (import_text (fixture, "long.ndjson", text->str, text->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 2);
  g_assert_cmpuint (report (fixture)->rejected, ==, 1);
  assert_error (fixture, 0, 2, NULL, "longer than 1 MB");
}

static void
test_error_cap (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 150; i++)
    g_string_append (text, "{\"type\":\"track\",\"event\":\"no user\"}\n");
  g_string_append (text, "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"A\",\"timestamp\":1}\n");

  g_assert_true (import_text (fixture, "bad.ndjson", text->str, text->len, &error));
  g_assert_cmpuint (report (fixture)->imported, ==, 1);
  g_assert_cmpuint (report (fixture)->rejected, ==, 150);
  g_assert_cmpuint (report (fixture)->errors->len, ==, JM_IMPORT_MAX_ERRORS);
  assert_error (fixture, JM_IMPORT_MAX_ERRORS - 1, JM_IMPORT_MAX_ERRORS, "userId", "anonymousId");

  /* The cap holds across files. */
  g_assert_true (import_text (fixture, "bad2.ndjson", text->str, text->len, &error));
  g_assert_cmpuint (report (fixture)->rejected, ==, 300);
  g_assert_cmpuint (report (fixture)->errors->len, ==, JM_IMPORT_MAX_ERRORS);
}

typedef struct
{
  GThread *thread;
  guint    calls;
  guint64  last_bytes;
  guint64  last_total;
  guint64  last_events;
  gboolean monotonic;
} Progress;

static void
progress_cb (const char *file,
             guint64     bytes_read,
             guint64     bytes_total,
             guint64     events,
             gpointer    user_data)
{
  Progress *progress = user_data;

  g_assert_true (g_thread_self () == progress->thread);
  g_assert_cmpstr (file, ==, "many.ndjson");
  if (bytes_read < progress->last_bytes || events < progress->last_events)
    progress->monotonic = FALSE;
  progress->calls++;
  progress->last_bytes = bytes_read;
  progress->last_total = bytes_total;
  progress->last_events = events;
}

static void
test_many_events_and_progress (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Progress progress = { g_thread_self (), 0, 0, 0, 0, TRUE };
  const guint n = 80000;
  g_autofree char *distinct = NULL;

  /* Several batches, and more than the progress interval in events. */
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text,
                            "{\"type\":\"track\",\"userId\":\"u%u\",\"event\":\"E%u\","
                            "\"timestamp\":%u,\"properties\":{\"i\":%u}}\n",
                            i % 97, i % 5, 1780308000 + i, i);
  g_string_append (text, "not json\n");

  jm_importer_set_progress_func (fixture->importer, progress_cb, &progress);
  g_assert_true (import_text (fixture, "many.ndjson", text->str, text->len, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (report (fixture)->imported, ==, n);
  g_assert_cmpuint (report (fixture)->rejected, ==, 1);
  assert_error (fixture, 0, n + 1, NULL, "Invalid JSON");
  g_assert_cmpint (count_events (fixture), ==, n);
  distinct = query_column (fixture, "SELECT count(DISTINCT json_extract(properties, '$.i')) FROM events");
  g_assert_cmpstr (distinct, ==, "80000");

  g_assert_cmpuint (progress.calls, >=, 2);
  g_assert_true (progress.monotonic);
  g_assert_cmpuint (progress.last_bytes, ==, text->len);
  g_assert_cmpuint (progress.last_total, ==, text->len);
  g_assert_cmpuint (progress.last_events, ==, n + 1);
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = data_path ("segment.ndjson");
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_cancellable_cancel (cancellable);
  g_assert_false (jm_importer_import_file (fixture->importer, file, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (count_events (fixture), ==, 0);
}

static void
cancel_cb (const char *file,
           guint64     bytes_read,
           guint64     bytes_total,
           guint64     events,
           gpointer    user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancelled_midway (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 300000;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
                            "\"timestamp\":%u}\n", 1780308000 + i);
  stream = g_memory_input_stream_new_from_data (text->str, text->len, NULL);

  /* Cancelled from the first progress report: the import stops early, keeping what was
   * stored so far, and the worker does not hang.
   */
  jm_importer_set_progress_func (fixture->importer, cancel_cb, cancellable);
  g_assert_false (jm_importer_import_stream (fixture->importer, stream, "big.ndjson", text->len,
                                             cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (report (fixture)->imported, >, 0);
  g_assert_cmpuint (report (fixture)->imported, <, n);
  g_assert_cmpint (count_events (fixture), ==, (gint64) report (fixture)->imported);
}

static void
test_store_failure (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JmImporter) importer = jm_importer_new (fixture->store, 424242);
  g_autofree char *path = data_path ("segment.ndjson");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  /* The workspace refusing the events (here: no such project) ends the import. */
  g_assert_false (jm_importer_import_file (importer, file, NULL, &error));
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (jm_importer_get_report (importer)->imported, ==, 0);
}

static void
test_consent_dropped (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) patch = json_object_new ();
  g_autoptr(GError) error = NULL;
  const char *text =
    "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"A\",\"timestamp\":1,\"consent\":[\"analytics\"]}\n"
    "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"B\",\"timestamp\":2,\"consent\":[\"marketing\"]}\n"
    "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"C\",\"timestamp\":3,"
    "\"context\":{\"consent\":{\"categoryPreferences\":{\"Analytics\":false}}}}\n"
    "{\"type\":\"track\",\"userId\":\"x\",\"event\":\"D\",\"timestamp\":4}\n";

  json_object_set_string_member (patch, "consent_policy", "require_analytics");
  g_assert_true (jm_store_update_project_settings (fixture->store, fixture->project, patch, &error));
  g_assert_no_error (error);

  g_assert_true (import_text (fixture, "consent.ndjson", text, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 2);
  g_assert_cmpuint (report (fixture)->dropped, ==, 2);
  g_assert_cmpuint (report (fixture)->rejected, ==, 0);
}

static void
test_sniffing (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* A CSV without a .csv name. */
  g_assert_true (import_text (fixture, "export.txt",
                              "user_id,event,timestamp\nu,E,2026-06-01T10:00:00Z\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 1);

  /* A pretty-printed batch whose first key is not "batch". */
  g_assert_true (import_text (fixture, "request.json",
                              "{\n  \"sentAt\": \"x\",\n  \"batch\": [\n    {\"type\": \"track\", "
                              "\"userId\": \"u\", \"event\": \"F\", \"timestamp\": 2}\n  ]\n}\n",
                              -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 2);
  g_assert_cmpuint (report (fixture)->rejected, ==, 0);

  /* Request bodies, one per line: NDJSON, although each has a batch. */
  g_assert_true (import_text (fixture, "requests.log",
                              "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"G\","
                              "\"timestamp\":3}]}\n"
                              "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"H\","
                              "\"timestamp\":4}]}\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 4);
  g_assert_cmpuint (report (fixture)->rejected, ==, 0);

  /* An empty file imports nothing and is no error. */
  g_assert_true (import_text (fixture, "empty.ndjson", "", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (fixture)->imported, ==, 4);
}

#define ADD_IMPORT_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD_IMPORT_TEST ("/jm/import/ndjson", test_ndjson);
  ADD_IMPORT_TEST ("/jm/import/ndjson-crlf-and-bom", test_ndjson_crlf_and_bom);
  ADD_IMPORT_TEST ("/jm/import/ndjson-batch-lines", test_ndjson_batch_lines);
  ADD_IMPORT_TEST ("/jm/import/json-array", test_json_array);
  ADD_IMPORT_TEST ("/jm/import/json-truncated", test_json_truncated);
  ADD_IMPORT_TEST ("/jm/import/json-batch", test_json_batch);
  ADD_IMPORT_TEST ("/jm/import/mixpanel", test_mixpanel);
  ADD_IMPORT_TEST ("/jm/import/times", test_times);
  ADD_IMPORT_TEST ("/jm/import/csv-auto-mapping", test_csv_auto_mapping);
  ADD_IMPORT_TEST ("/jm/import/csv-mapping", test_csv_mapping);
  ADD_IMPORT_TEST ("/jm/import/csv-mapping-errors", test_csv_mapping_errors);
  ADD_IMPORT_TEST ("/jm/import/csv-missing-time", test_csv_missing_time);
  ADD_IMPORT_TEST ("/jm/import/gzip", test_gzip);
  ADD_IMPORT_TEST ("/jm/import/corrupt-gzip", test_corrupt_gzip);
  ADD_IMPORT_TEST ("/jm/import/import-twice", test_import_twice);
  ADD_IMPORT_TEST ("/jm/import/report-json", test_report_json);
  ADD_IMPORT_TEST ("/jm/import/missing-file", test_missing_file);
  ADD_IMPORT_TEST ("/jm/import/wrong-format", test_wrong_format);
  g_test_add_func ("/jm/import/format-names", test_format_names);
  ADD_IMPORT_TEST ("/jm/import/long-line", test_long_line);
  ADD_IMPORT_TEST ("/jm/import/error-cap", test_error_cap);
  ADD_IMPORT_TEST ("/jm/import/many-events-and-progress", test_many_events_and_progress);
  ADD_IMPORT_TEST ("/jm/import/cancelled", test_cancelled);
  ADD_IMPORT_TEST ("/jm/import/cancelled-midway", test_cancelled_midway);
  ADD_IMPORT_TEST ("/jm/import/store-failure", test_store_failure);
  ADD_IMPORT_TEST ("/jm/import/consent-dropped", test_consent_dropped);
  ADD_IMPORT_TEST ("/jm/import/sniffing", test_sniffing);

  return g_test_run ();
}
