/* test-json-scanner.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-json-scanner.h"
#include "trickle-stream.h"

typedef struct
{
  GPtrArray *elements;     /* char*, or "<skipped>" */
  GError    *error;        /* of the final FAILED, if any */
  guint64    failed_index;
} ScanResult;

static void
scan_result_clear (ScanResult *result)
{
  g_clear_pointer (&result->elements, g_ptr_array_unref);
  g_clear_error (&result->error);
}

/* Scans `text` twice, from memory and a few bytes at a time, and checks both agree. */
static void
scan (const char *text,
      gsize       max_element,
      ScanResult *result)
{
  ScanResult runs[2] = { { 0, }, { 0, } };

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(GInputStream) stream = run == 0 ? test_memory_stream_new (text, -1)
                                                : test_trickle_stream_new (text, -1);
      g_autoptr(JmJsonScanner) scanner = jm_json_scanner_new (stream, max_element);
      guint64 expected_index = 0;

      runs[run].elements = g_ptr_array_new_with_free_func (g_free);

      for (;;)
        {
          g_autoptr(GError) error = NULL;
          const char *element = NULL;
          gsize length = 0;
          guint64 index = 0;
          JmJsonScanResult status;

          status = jm_json_scanner_next (scanner, &element, &length, &index, NULL, &error);

          if (status == JM_JSON_SCAN_END)
            {
              g_assert_no_error (error);
              /* It stays at the end. */
              g_assert_cmpint (jm_json_scanner_next (scanner, NULL, NULL, NULL, NULL, NULL), ==,
                               JM_JSON_SCAN_END);
              break;
            }

          if (status == JM_JSON_SCAN_FAILED)
            {
              g_assert_nonnull (error);
              runs[run].error = g_steal_pointer (&error);
              runs[run].failed_index = index;
              break;
            }

          expected_index++;
          g_assert_cmpuint (index, ==, expected_index);

          if (status == JM_JSON_SCAN_SKIPPED)
            {
              g_assert_nonnull (error);
              g_ptr_array_add (runs[run].elements,
                               g_strdup_printf ("<skipped %d>", error->code));
              continue;
            }

          g_assert_no_error (error);
          g_assert_cmpuint (strlen (element), ==, length);
          g_ptr_array_add (runs[run].elements, g_strndup (element, length));
        }

      g_assert_cmpuint (jm_json_scanner_get_offset (scanner), <=, strlen (text));
    }

  g_assert_cmpuint (runs[0].elements->len, ==, runs[1].elements->len);
  for (guint i = 0; i < runs[0].elements->len; i++)
    g_assert_cmpstr (g_ptr_array_index (runs[0].elements, i), ==,
                     g_ptr_array_index (runs[1].elements, i));
  g_assert_true ((runs[0].error == NULL) == (runs[1].error == NULL));
  if (runs[0].error != NULL)
    {
      g_assert_cmpint (runs[0].error->code, ==, runs[1].error->code);
      g_assert_cmpuint (runs[0].failed_index, ==, runs[1].failed_index);
    }

  *result = runs[0];
  scan_result_clear (&runs[1]);
}

static void
assert_elements (ScanResult         *result,
                 const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_cmpuint (result->elements->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (result->elements, i), ==, expected[i]);
}

static void
test_simple_array (void)
{
  const char * const expected[] = { "{\"a\":1}", "{\"b\":2}", "3", "\"four\"", "null", NULL };
  ScanResult result;

  scan ("[{\"a\":1},{\"b\":2},3,\"four\",null]", 0, &result);
  assert_elements (&result, expected);
  g_assert_no_error (result.error);
  scan_result_clear (&result);
}

static void
test_nesting_and_strings (void)
{
  const char *text =
    "\xef\xbb\xbf [\n"
    "  {\"list\": [1, [2, {\"x\": [3]}]], \"o\": {\"p\": {}}},\n"
    "\t{\"s\": \"brackets ] } [ { and , commas\"},\r\n"
    "  {\"q\": \"an \\\"escaped\\\" quote, and a \\\\\", \"t\": \"\\\\\"},\n"
    "  {\"u\": \"caf\\u00e9 \\ud83d\\ude00 \\u005d\"}\n"
    "\n]\n  ";
  const char * const expected[] = {
    "{\"list\": [1, [2, {\"x\": [3]}]], \"o\": {\"p\": {}}}",
    "{\"s\": \"brackets ] } [ { and , commas\"}",
    "{\"q\": \"an \\\"escaped\\\" quote, and a \\\\\", \"t\": \"\\\\\"}",
    "{\"u\": \"caf\\u00e9 \\ud83d\\ude00 \\u005d\"}",
    NULL,
  };
  ScanResult result;

  scan (text, 0, &result);
  assert_elements (&result, expected);
  g_assert_no_error (result.error);

  /* Each element parses on its own to what was written. */
  {
    g_autoptr(GError) error = NULL;
    const char *element = g_ptr_array_index (result.elements, 3);
    g_autoptr(JsonNode) node = jm_json_parse (element, strlen (element), &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "u"), ==,
                     "café 😀 ]");
  }
  {
    g_autoptr(GError) error = NULL;
    const char *element = g_ptr_array_index (result.elements, 2);
    g_autoptr(JsonNode) node = jm_json_parse (element, strlen (element), &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "q"), ==,
                     "an \"escaped\" quote, and a \\");
  }

  scan_result_clear (&result);
}

static void
test_empty_array (void)
{
  ScanResult result;

  scan ("  [ \n ] ", 0, &result);
  g_assert_cmpuint (result.elements->len, ==, 0);
  g_assert_no_error (result.error);
  scan_result_clear (&result);
}

static void
test_batch_object (void)
{
  const char *text =
    "{\"writeKey\": \"k]{\\\"batch\\\"\", \"context\": {\"batch\": [\"not this one\"]},\n"
    " \"list\": [{\"batch\": 1}],\n"
    " \"batch\": [\n"
    "   {\"type\": \"track\", \"event\": \"A\"},\n"
    "   {\"type\": \"page\", \"name\": \"[B]\"}\n"
    " ],\n"
    " \"sentAt\": \"2026-06-30T12:00:00Z\", \"more\": {\"nested\": [1, 2, {\"x\": \"}\"}]}\n"
    "}\n";
  const char * const expected[] = {
    "{\"type\": \"track\", \"event\": \"A\"}",
    "{\"type\": \"page\", \"name\": \"[B]\"}",
    NULL,
  };
  ScanResult result;

  scan (text, 0, &result);
  assert_elements (&result, expected);
  g_assert_no_error (result.error);
  scan_result_clear (&result);

  /* The batch first, nothing after it. */
  scan ("{\"batch\":[1,2]}", 0, &result);
  g_assert_cmpuint (result.elements->len, ==, 2);
  g_assert_no_error (result.error);
  scan_result_clear (&result);
}

static void
test_truncated (void)
{
  const char * const expected[] = { "{\"a\":1}", "{\"b\":[2]}", NULL };
  ScanResult result;

  /* Cut inside the third element: the first two are kept. */
  scan ("[{\"a\":1},{\"b\":[2]},{\"c\":\"unfinished", 0, &result);
  assert_elements (&result, expected);
  g_assert_error (result.error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_TRUNCATED);
  g_assert_cmpuint (result.failed_index, ==, 3);
  scan_result_clear (&result);

  /* Cut between elements. */
  scan ("[{\"a\":1},{\"b\":[2]},", 0, &result);
  assert_elements (&result, expected);
  g_assert_error (result.error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_TRUNCATED);
  scan_result_clear (&result);

  scan ("[{\"a\":1},{\"b\":[2]}", 0, &result);
  assert_elements (&result, expected);
  g_assert_error (result.error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_TRUNCATED);
  g_assert_cmpuint (result.failed_index, ==, 2);
  scan_result_clear (&result);

  /* A batch object cut after its array. */
  scan ("{\"batch\":[{\"a\":1},{\"b\":[2]}], \"sentAt\": \"2026", 0, &result);
  assert_elements (&result, expected);
  g_assert_error (result.error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_TRUNCATED);
  scan_result_clear (&result);
}

static void
test_huge_element_skipped (void)
{
  g_autofree char *big = g_strnfill (5000, 'x');
  g_autofree char *text = g_strdup_printf (
    "[{\"a\":1}, {\"big\":\"%s\", \"n\":[%s]}, {\"c\":3}, \"%s\", 4]", big, "1,2,3", big);
  const char * const expected[] = { "{\"a\":1}", "<skipped 3>", "{\"c\":3}", "<skipped 3>", "4",
                                    NULL };
  ScanResult result;

  g_assert_cmpint (JM_JSON_SCANNER_ERROR_TOO_LARGE, ==, 3);
  scan (text, 1024, &result);
  assert_elements (&result, expected);
  g_assert_no_error (result.error);
  scan_result_clear (&result);
}

static void
test_empty_elements (void)
{
  const char * const expected[] = { "1", "<skipped 4>", "2", "<skipped 4>", NULL };
  ScanResult result;

  g_assert_cmpint (JM_JSON_SCANNER_ERROR_EMPTY, ==, 4);
  scan ("[1,,2,]", 0, &result);
  assert_elements (&result, expected);
  g_assert_no_error (result.error);
  scan_result_clear (&result);
}

static void
test_not_an_array (void)
{
  const char * const texts[] = {
    "", "   ", "hello", "{\"type\":\"track\"}", "{\"batch\": {\"a\": 1}}", "\"[1,2]\"",
    "{\"batch\" 1}", "42",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      ScanResult result;

      scan (texts[i], 0, &result);
      g_assert_cmpuint (result.elements->len, ==, 0);
      g_assert_error (result.error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_NOT_AN_ARRAY);
      scan_result_clear (&result);
    }
}

static void
test_trailing_garbage (void)
{
  const char * const expected[] = { "1", "2", NULL };
  ScanResult result;

  scan ("[1,2] [3]", 0, &result);
  assert_elements (&result, expected);
  g_assert_error (result.error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_SYNTAX);
  scan_result_clear (&result);
}

static void
test_cancelled (void)
{
  g_autoptr(GInputStream) stream = test_memory_stream_new ("[1,2]", -1);
  g_autoptr(JmJsonScanner) scanner = jm_json_scanner_new (stream, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_cmpint (jm_json_scanner_next (scanner, NULL, NULL, NULL, cancellable, &error), ==,
                   JM_JSON_SCAN_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The parser */

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = jm_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

static void
test_parse_values (void)
{
  g_autoptr(JsonNode) node = parse (
    " {\"int\": -42, \"big\": 12345678901234567890, \"max\": 9223372036854775807,"
    " \"double\": 2.5e3, \"fraction\": -0.125, \"zero\": 0, \"t\": true, \"f\": false,"
    " \"n\": null, \"s\": \"tab\\there \\/ \\b\\f\\n\\r\", \"empty\": {}, \"list\": [],"
    " \"nested\": {\"a\": [1, {\"b\": [\"c\"]}]}, \"dup\": 1, \"dup\": 2,"
    " \"utf8\": \"Grüße, 東京\"} ");
  JsonObject *object = json_node_get_object (node);
  JsonArray *array;

  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "int")), ==,
                   G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (object, "int"), ==, -42);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "big")), ==,
                   G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (object, "big"), ==, 12345678901234567890.0);
  g_assert_cmpint (json_object_get_int_member (object, "max"), ==, G_MAXINT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "double")), ==,
                   G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (object, "double"), ==, 2500.0);
  g_assert_cmpfloat (json_object_get_double_member (object, "fraction"), ==, -0.125);
  g_assert_cmpint (json_object_get_int_member (object, "zero"), ==, 0);
  g_assert_true (json_object_get_boolean_member (object, "t"));
  g_assert_false (json_object_get_boolean_member (object, "f"));
  g_assert_true (json_object_get_null_member (object, "n"));
  g_assert_cmpstr (json_object_get_string_member (object, "s"), ==, "tab\there / \b\f\n\r");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (object, "empty")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "list")), ==, 0);
  array = json_object_get_array_member (json_object_get_object_member (object, "nested"), "a");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (json_array_get_object_element (array, 1), "b"),
                     0), ==, "c");
  /* The last of duplicate members wins, as with JsonParser. */
  g_assert_cmpint (json_object_get_int_member (object, "dup"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "utf8"), ==, "Grüße, 東京");

  /* Members keep their order. */
  {
    GList *members = json_object_get_members (object);

    g_assert_cmpstr (members->data, ==, "int");
    g_assert_cmpstr (g_list_last (members)->data, ==, "utf8");
    g_list_free (members);
  }
}

static void
test_parse_matches_json_glib (void)
{
  const char *text =
    "{\"type\":\"track\",\"event\":\"Order \\\"Completed\\\"\",\"properties\":{\"revenue\":19.99,"
    "\"items\":[{\"sku\":\"a\",\"qty\":2},{\"sku\":\"b\",\"qty\":1}],\"coupon\":null,"
    "\"gift\":false},\"context\":{\"page\":{\"url\":\"https://x.example/?q=\\u00fc\"}}}";
  g_autoptr(JsonNode) ours = parse (text);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *ours_text = NULL;
  g_autofree char *theirs_text = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  ours_text = json_to_string (ours, FALSE);
  theirs_text = json_to_string (json_parser_get_root (parser), FALSE);
  g_assert_cmpstr (ours_text, ==, theirs_text);
  g_assert_true (json_node_equal (ours, json_parser_get_root (parser)));
}

static void
test_parse_errors (void)
{
  const char * const bad[] = {
    "", "   ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]",
    "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
    "\"\\ud800\\u0041\"", "\"\\u0000\"", "\"raw\ttab\"", "\"line\nbreak\"", "01", "1.", ".5",
    "+1", "-", "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nul", "falsey", "1e999",
    "{\"a\":1} x", "[1] [2]", "\"\xff\xfe\"", "\"\xc3\"", "{\"\xe9\":1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = jm_json_parse (bad[i], strlen (bad[i]), &error);

      if (node != NULL)
        g_error ("“%s” was accepted", bad[i]);
      g_assert_error (error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_INVALID);
    }
}

static void
test_parse_error_position (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = jm_json_parse ("{\"a\": [1, 2,, 3]}", 17, &error);

  g_assert_null (node);
  g_assert_nonnull (strstr (error->message, "column 13"));
}

static void
test_parse_depth_limit (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) fine = NULL;

  for (guint i = 0; i < 100; i++)
    g_string_append (deep, "[");
  for (guint i = 0; i < 100; i++)
    g_string_append (deep, "]");
  fine = parse (deep->str);
  g_assert_nonnull (fine);

  g_string_truncate (deep, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "{\"a\":[");
  node = jm_json_parse (deep->str, deep->len, &error);
  g_assert_null (node);
  g_assert_error (error, JM_JSON_SCANNER_ERROR, JM_JSON_SCANNER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "deep"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/json-scanner/simple-array", test_simple_array);
  g_test_add_func ("/jm/json-scanner/nesting-and-strings", test_nesting_and_strings);
  g_test_add_func ("/jm/json-scanner/empty-array", test_empty_array);
  g_test_add_func ("/jm/json-scanner/batch-object", test_batch_object);
  g_test_add_func ("/jm/json-scanner/truncated", test_truncated);
  g_test_add_func ("/jm/json-scanner/huge-element-skipped", test_huge_element_skipped);
  g_test_add_func ("/jm/json-scanner/empty-elements", test_empty_elements);
  g_test_add_func ("/jm/json-scanner/not-an-array", test_not_an_array);
  g_test_add_func ("/jm/json-scanner/trailing-garbage", test_trailing_garbage);
  g_test_add_func ("/jm/json-scanner/cancelled", test_cancelled);
  g_test_add_func ("/jm/json-parse/values", test_parse_values);
  g_test_add_func ("/jm/json-parse/matches-json-glib", test_parse_matches_json_glib);
  g_test_add_func ("/jm/json-parse/errors", test_parse_errors);
  g_test_add_func ("/jm/json-parse/error-position", test_parse_error_position);
  g_test_add_func ("/jm/json-parse/depth-limit", test_parse_depth_limit);

  return g_test_run ();
}
