/* test-csv-reader.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "jm-csv-reader.h"
#include "trickle-stream.h"

/* Reads `text` whole and a few bytes at a time; both must give the same transcript, one
 * line per record: "LINE: field|field|…" or "LINE: error: reason".
 */
static char *
read_all (const char  *text,
          gssize       length,
          char       **header_out)
{
  g_autofree char *first = NULL;

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(GInputStream) stream = run == 0 ? test_memory_stream_new (text, length)
                                                : test_trickle_stream_new (text, length);
      g_autoptr(JmCsvReader) reader = jm_csv_reader_new (stream);
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      const char * const *header;

      if (!jm_csv_reader_read_header (reader, NULL, &error))
        {
          g_string_append_printf (out, "header error %d", error->code);
        }
      else
        {
          header = jm_csv_reader_get_header (reader, NULL);
          if (header_out != NULL && run == 0)
            *header_out = g_strjoinv ("|", (char **) header);

          for (;;)
            {
              g_autoptr(GError) record_error = NULL;
              JmCsvResult result = jm_csv_reader_next (reader, NULL, &record_error);

              if (result == JM_CSV_END)
                break;
              g_assert_cmpint (result, !=, JM_CSV_FAILED);

              g_string_append_printf (out, "%" G_GUINT64_FORMAT ": ",
                                      jm_csv_reader_get_line (reader));
              if (result == JM_CSV_MALFORMED)
                {
                  g_assert_error (record_error, JM_CSV_ERROR, JM_CSV_ERROR_MALFORMED);
                  g_string_append_printf (out, "error: %s\n", record_error->message);
                  continue;
                }

              for (guint i = 0; i < jm_csv_reader_get_n_fields (reader); i++)
                {
                  gsize field_length;
                  const char *field = jm_csv_reader_get_field (reader, i, &field_length);

                  g_assert_cmpuint (strlen (field), ==, field_length);
                  g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", field);
                }
              g_string_append_c (out, '\n');
            }
        }

      if (run == 0)
        first = g_string_free (g_steal_pointer (&out), FALSE);
      else
        g_assert_cmpstr (out->str, ==, first);
    }

  return g_steal_pointer (&first);
}

static void
test_plain (void)
{
  g_autofree char *header = NULL;
  g_autofree char *records = read_all ("user_id,event,ts\nu1,Signup,1\nu2,Login,2", -1, &header);

  g_assert_cmpstr (header, ==, "user_id|event|ts");
  g_assert_cmpstr (records, ==, "2: u1|Signup|1\n3: u2|Login|2\n");
}

static void
test_quoting (void)
{
  g_autofree char *records = read_all (
    "a,b,c\n"
    "\"quoted\",\"with, comma\",\"with \"\"quotes\"\"\"\n"
    "\"\",,\"\"\"\"\n"
    "  spaced  ,mid\"quote,\"a\"b\n", -1, NULL);

  g_assert_cmpstr (records, ==,
                   "2: quoted|with, comma|with \"quotes\"\n"
                   "3: ||\"\n"
                   "4:   spaced  |mid\"quote|ab\n");
}

static void
test_embedded_newlines (void)
{
  g_autofree char *records = read_all (
    "id,note,n\n"
    "1,\"first line\nsecond line\",x\n"
    "2,\"three\n\nlines\",y\n"
    "3,plain,z\n"
    "4,\"crlf\r\ninside\",w\n"
    "5,last,v\n", -1, NULL);

  /* Records after multi-line fields still report the line they start on. */
  g_assert_cmpstr (records, ==,
                   "2: 1|first line\nsecond line|x\n"
                   "4: 2|three\n\nlines|y\n"
                   "7: 3|plain|z\n"
                   "8: 4|crlf\r\ninside|w\n"
                   "10: 5|last|v\n");
}

static void
test_crlf_and_bom (void)
{
  g_autofree char *header = NULL;
  g_autofree char *records = read_all (
    "\xef\xbb\xbfuser_id,event\r\nu1,A\r\n\r\nu2,\"B\r\nC\"\r\nu3,D\r\n", -1, &header);

  /* The BOM is not part of the first column's name. */
  g_assert_cmpstr (header, ==, "user_id|event");
  g_assert_cmpstr (records, ==, "2: u1|A\n4: u2|B\r\nC\n6: u3|D\n");
}

static void
test_blank_lines (void)
{
  g_autofree char *records = read_all ("\n\na,b\n\n1,2\n\n\n3,4\n\n", -1, NULL);

  g_assert_cmpstr (records, ==, "5: 1|2\n8: 3|4\n");
}

static void
test_ragged_rows (void)
{
  g_autofree char *records = read_all (
    "a,b,c\n"
    "1,2,3\n"
    "1,2\n"
    "1,2,3,4\n"
    "\"x,y\",2,3\n", -1, NULL);

  g_assert_cmpstr (records, ==,
                   "2: 1|2|3\n"
                   "3: error: Expected 3 fields as in the header, found 2\n"
                   "4: error: Expected 3 fields as in the header, found 4\n"
                   "5: x,y|2|3\n");
}

static void
test_unterminated_quote (void)
{
  g_autofree char *records = read_all (
    "a,b\n"
    "1,2\n"
    "3,\"never closed\n"
    "4,5\n", -1, NULL);

  g_assert_cmpstr (records, ==,
                   "2: 1|2\n"
                   "3: error: Unterminated quoted field: the quote opened in the record starting "
                   "on line 3 is never closed\n");
}

static void
test_not_utf8 (void)
{
  g_autofree char *records = read_all ("name,city\nA,M\xfcnchen\nB,Köln\n", -1, NULL);

  g_assert_cmpstr (records, ==,
                   "2: error: The record is not valid UTF-8 (save the file as UTF-8)\n"
                   "3: B|Köln\n");
}

static void
test_nul_byte (void)
{
  static const char text[] = "a,b\n1,x\0y\n2,z\n";
  g_autofree char *records = read_all (text, sizeof text - 1, NULL);

  g_assert_cmpstr (records, ==, "2: error: The record contains a NUL byte\n3: 2|z\n");
}

static void
test_oversize_record (void)
{
  g_autoptr(GString) text = g_string_new ("a,b\n1,\"");
  g_autofree char *records = NULL;

  for (guint i = 0; i < JM_CSV_READER_MAX_RECORD / 32; i++)
    g_string_append (text, "0123456789012345678901234567890123456789012345678901234567890,\n");
  g_string_append (text, "\",end\n2,after\n");

  {
    g_autoptr(GInputStream) stream = test_memory_stream_new (text->str, text->len);
    g_autoptr(JmCsvReader) reader = jm_csv_reader_new (stream);
    g_autoptr(GError) error = NULL;
    guint64 lines_in_field = JM_CSV_READER_MAX_RECORD / 32;

    g_assert_true (jm_csv_reader_read_header (reader, NULL, &error));
    g_assert_cmpint (jm_csv_reader_next (reader, NULL, &error), ==, JM_CSV_MALFORMED);
    g_assert_error (error, JM_CSV_ERROR, JM_CSV_ERROR_MALFORMED);
    g_assert_cmpuint (jm_csv_reader_get_line (reader), ==, 2);
    g_clear_error (&error);

    g_assert_cmpint (jm_csv_reader_next (reader, NULL, &error), ==, JM_CSV_RECORD);
    g_assert_no_error (error);
    g_assert_cmpuint (jm_csv_reader_get_line (reader), ==, 3 + lines_in_field);
    g_assert_cmpstr (jm_csv_reader_get_field (reader, 1, NULL), ==, "after");
    g_assert_cmpint (jm_csv_reader_next (reader, NULL, &error), ==, JM_CSV_END);
    g_assert_cmpuint (jm_csv_reader_get_offset (reader), ==, text->len);
  }
}

static void
test_empty_input (void)
{
  g_autofree char *empty = read_all ("", 0, NULL);
  g_autofree char *blank = read_all ("\n\r\n", -1, NULL);
  g_autofree char *header_only = read_all ("a,b\n", -1, NULL);

  g_assert_cmpstr (empty, ==, "header error 0");
  g_assert_cmpstr (blank, ==, "header error 0");
  g_assert_cmpstr (header_only, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/csv-reader/plain", test_plain);
  g_test_add_func ("/jm/csv-reader/quoting", test_quoting);
  g_test_add_func ("/jm/csv-reader/embedded-newlines", test_embedded_newlines);
  g_test_add_func ("/jm/csv-reader/crlf-and-bom", test_crlf_and_bom);
  g_test_add_func ("/jm/csv-reader/blank-lines", test_blank_lines);
  g_test_add_func ("/jm/csv-reader/ragged-rows", test_ragged_rows);
  g_test_add_func ("/jm/csv-reader/unterminated-quote", test_unterminated_quote);
  g_test_add_func ("/jm/csv-reader/not-utf8", test_not_utf8);
  g_test_add_func ("/jm/csv-reader/nul-byte", test_nul_byte);
  g_test_add_func ("/jm/csv-reader/oversize-record", test_oversize_record);
  g_test_add_func ("/jm/csv-reader/empty-input", test_empty_input);

  return g_test_run ();
}
