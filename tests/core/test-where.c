/* test-where.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "jm-where.h"

#define T0 G_GINT64_CONSTANT (1780000000000)
#define MINUTE (60 * 1000)

static void
test_parse_valid (void)
{
  static const struct {
    const char *text;
    const char *fields;   /* comma-separated, in order */
  } cases[] = {
    { "name = \"Home\"", "name" },
    { "NAME = 'Home'", "name" },
    { "name == 'Home'", "name" },
    { "properties.plan = 'pro' and traits.country in ('DE', 'FR')",
      "properties.plan,traits.country" },
    { "not (channel = \"Email\" or channel exists)", "channel" },
    { "properties.revenue >= 10.5 or properties.revenue < -3e2", "properties.revenue" },
    { "properties.url ~ \"^/product/\\d+\"", "properties.url" },
    { "Properties.plan NOT IN ('a', \"b\", 3, true)", "properties.plan" },
    { "traits.vip = TRUE", "traits.vip" },
    { "properties.a-b.c_d$ exists", "properties.a-b.c_d$" },
    { "context.campaign.source != 'x' and name = 'y' and context.campaign.source = 'z'",
      "context.campaign.source,name" },
    { "properties.größe > 3", "properties.größe" },
    { "  ( ( name = 'a' ) )  ", "name" },
    { "name = 'it\\'s' or name = \"say \\\"hi\\\"\" or name = '\\u00e9'", "name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JmWhere) where = NULL;
      g_autoptr(GPtrArray) fields = NULL;
      g_autofree char *joined = NULL;

      where = jm_where_parse (cases[i].text, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (where);
      g_assert_cmpstr (jm_where_get_text (where), ==, cases[i].text);

      fields = jm_where_get_fields (where);
      g_ptr_array_add (fields, NULL);
      joined = g_strjoinv (",", (char **)fields->pdata);
      g_assert_cmpstr (joined, ==, cases[i].fields);
    }
}

static void
test_parse_invalid (void)
{
  static const struct {
    const char *text;
    guint       column;
    const char *message;
  } cases[] = {
    { "", 1, "expected a field" },
    { "   ", 4, "expected a field" },
    { "plan = 1", 1, "expected a field" },
    { "name", 5, "expected an operator" },
    { "name =", 7, "expected a value" },
    { "name = \"Home", 8, "no closing" },
    { "name = 'a' and", 15, "expected a field" },
    { "name = 'a' or or name = 'b'", 15, "expected a field" },
    { "(name = 'a'", 12, "expected “)”" },
    { "name = 'a')", 11, "expected “and”, “or” or the end" },
    { "name = 'a' name = 'b'", 12, "expected “and”, “or” or the end" },
    { "name ! 'a'", 6, "use “not”" },
    { "name in 'a'", 9, "expected “(”" },
    { "name in ()", 10, "expected a value" },
    { "name in ('a' 'b')", 14, "expected “,” or “)”" },
    { "name not 'a'", 10, "expected “in”" },
    { "name ~ 'a('", 8, "invalid regular expression" },
    { "name ~ 5", 8, "regular expression in quotes" },
    { "name < true", 8, "true and false" },
    { "properties. = 1", 1, "expected a name after each dot" },
    { "properties..x = 1", 1, "expected a name after each dot" },
    { "name = 5x", 8, "expected a number" },
    { "name = 'a' & name = 'b'", 12, "unexpected character “&”" },
    { "name = 'café' and x", 19, "expected a field" },
    { "name = '\\u00'", 9, "hexadecimal" },
    { "name = nope", 8, "expected a value" },
    { "not", 4, "expected a field" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JmWhere) where = NULL;
      g_autofree char *prefix = g_strdup_printf ("column %u: ", cases[i].column);
      guint column = 0;

      where = jm_where_parse (cases[i].text, &column, &error);
      g_assert_null (where);
      g_assert_error (error, JM_WHERE_ERROR, JM_WHERE_ERROR_SYNTAX);

      if (column != cases[i].column || !g_str_has_prefix (error->message, prefix) ||
          strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: expected column %u and “%s”, got %u and “%s”", cases[i].text,
                 cases[i].column, cases[i].message, column, error->message);
    }
}

static void
test_parse_depth (void)
{
  g_autoptr(GString) ok = g_string_new (NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) nots = g_string_new (NULL);
  g_autoptr(GString) chain = g_string_new ("name = 'x0'");
  g_autoptr(JmWhere) where = NULL;
  g_autoptr(GError) error = NULL;
  guint column = 0;

  /* 64 levels of parentheses parse, 65 do not. */
  for (guint i = 0; i < 64; i++)
    g_string_append_c (ok, '(');
  g_string_append (ok, "name exists");
  for (guint i = 0; i < 64; i++)
    g_string_append_c (ok, ')');
  where = jm_where_parse (ok->str, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&where, jm_where_free);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '(');
  where = jm_where_parse (deep->str, &column, &error);
  g_assert_error (error, JM_WHERE_ERROR, JM_WHERE_ERROR_SYNTAX);
  g_assert_null (where);
  g_assert_cmpuint (column, ==, 65);
  g_assert_nonnull (strstr (error->message, "64 levels"));
  g_clear_error (&error);

  for (guint i = 0; i < 100000; i++)
    g_string_append (nots, "not ");
  g_string_append (nots, "name exists");
  where = jm_where_parse (nots->str, &column, &error);
  g_assert_error (error, JM_WHERE_ERROR, JM_WHERE_ERROR_SYNTAX);
  g_assert_cmpuint (column, ==, 64 * 4 + 1);
  g_clear_error (&error);

  /* Long and/or chains are flat, not deep. */
  for (guint i = 1; i < 20000; i++)
    g_string_append_printf (chain, i % 2 ? " or name = 'x%u'" : " and name != 'x%u'", i);
  where = jm_where_parse (chain->str, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (where);
}

/* The log of the evaluation cases (positions in brackets):
 *   a: [0] Home  [1] Buy     (traits.country DE)
 *   b: [2] Home  [3] Search  (traits.country FR)
 *   c: [4] Home
 */
static JmEventLog *
make_log (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  guint32 h;

  h = jm_event_log_builder_add (builder, "a", T0, "Home", "Email");
  jm_event_log_builder_set_field_json (builder, h, "properties.plan", "\"pro\"");
  jm_event_log_builder_set_field_json (builder, h, "properties.revenue", "10");
  jm_event_log_builder_set_field_json (builder, h, "properties.url", "\"/product/12\"");
  jm_event_log_builder_set_field_json (builder, h, "properties.gift", "true");
  jm_event_log_builder_set_field_json (builder, h, "traits.country", "\"DE\"");

  h = jm_event_log_builder_add (builder, "a", T0 + MINUTE, "Buy", NULL);
  jm_event_log_builder_set_field_json (builder, h, "properties.plan", "\"pro\"");
  jm_event_log_builder_set_field_json (builder, h, "properties.revenue", "25.5");
  jm_event_log_builder_set_field_json (builder, h, "properties.items", "{\"n\": 1}");
  jm_event_log_builder_set_field_json (builder, h, "properties.gift", "false");

  h = jm_event_log_builder_add (builder, "b", T0, "Home", NULL);
  jm_event_log_builder_set_field_json (builder, h, "properties.plan", "\"free\"");
  jm_event_log_builder_set_field_json (builder, h, "properties.revenue", "\"7\"");
  jm_event_log_builder_set_field_json (builder, h, "properties.url", "\"/about\"");
  jm_event_log_builder_set_field_json (builder, h, "traits.country", "\"FR\"");

  h = jm_event_log_builder_add (builder, "b", T0 + MINUTE, "Search", NULL);
  jm_event_log_builder_set_field_json (builder, h, "properties.plan", "\"Pro\"");
  jm_event_log_builder_set_field_json (builder, h, "properties.note", "null");

  jm_event_log_builder_add (builder, "c", T0, "Home", "Paid Search");

  return jm_event_log_builder_finish (builder);
}

static void
test_evaluate (void)
{
  static const struct {
    const char *text;
    const char *keep;   /* one digit per event */
  } cases[] = {
    { "name = \"Home\"", "10101" },
    { "name != \"Home\"", "01010" },
    { "NAME = 'Home' AND Properties.plan = 'pro'", "10000" },
    /* strings */
    { "properties.plan = \"pro\"", "11000" },
    { "properties.plan != \"pro\"", "00110" },
    { "not properties.plan = \"pro\"", "00111" },
    { "properties.plan > \"free\"", "11000" },
    { "properties.plan <= \"free\"", "00110" },
    /* numbers, and numbers written as strings */
    { "properties.revenue > 9", "11000" },
    { "properties.revenue < 9", "00100" },
    { "properties.revenue = \"10\"", "10000" },
    { "properties.revenue = 10.0", "10000" },
    { "properties.revenue >= 10 and properties.revenue <= 25.5", "11000" },
    { "properties.revenue > '9'", "11000" },
    { "properties.plan < 5", "00000" },
    { "properties.plan != 5", "11110" },
    /* booleans, objects, nulls */
    { "properties.gift = true", "10000" },
    { "properties.gift != true", "01000" },
    { "properties.gift = 'true'", "00000" },
    { "properties.items.n = 1", "01000" },
    { "properties.items = 1", "00000" },
    { "properties.items exists", "01000" },
    { "properties.note exists", "00000" },
    /* lists, existence, missing fields */
    { "properties.plan in (\"pro\", 'free')", "11100" },
    { "properties.plan not in (\"pro\")", "00110" },
    { "not properties.plan in (\"pro\")", "00111" },
    { "properties.plan exists", "11110" },
    { "not properties.plan exists", "00001" },
    { "properties.missing = 1", "00000" },
    { "properties.missing != 1", "00000" },
    { "properties.missing = 1 or not properties.missing = 1", "11111" },
    /* regular expressions */
    { "properties.url ~ \"^/product/\\d+$\"", "10000" },
    { "name ~ '^(Home|Buy)$'", "11101" },
    { "properties.revenue ~ '^2'", "01000" },
    { "properties.gift ~ 'fal'", "01000" },
    /* traits: the customer's */
    { "traits.country = \"DE\"", "11000" },
    { "traits.country = \"DE\" or name = \"Search\"", "11010" },
    /* channel: the event's own touch */
    { "channel = \"Email\"", "10000" },
    { "channel exists", "10001" },
    { "not channel exists", "01110" },
    /* precedence: not > and > or */
    { "name = \"Home\" or name = \"Buy\" and properties.plan = \"free\"", "10101" },
    { "(name = \"Home\" or name = \"Buy\") and properties.plan = \"free\"", "00100" },
    { "not name = \"Home\" and not name = \"Search\"", "01000" },
    { "not (name = \"Home\" and properties.plan = \"pro\")", "01111" },
  };
  g_autoptr(JmEventLog) log = make_log ();

  g_assert_cmpuint (jm_event_log_get_columns (log)->n_events, ==, 5);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JmWhere) where = NULL;
      gboolean keep[5];
      char result[6] = { 0, };

      where = jm_where_parse (cases[i].text, NULL, &error);
      g_assert_no_error (error);

      jm_where_evaluate (where, log, keep, &error);
      g_assert_no_error (error);

      for (guint k = 0; k < 5; k++)
        result[k] = keep[k] ? '1' : '0';

      if (strcmp (result, cases[i].keep) != 0)
        g_error ("“%s”: expected %s, got %s", cases[i].text, cases[i].keep, result);
    }
}

static void
test_evaluate_long_chain (void)
{
  g_autoptr(JmEventLog) log = make_log ();
  g_autoptr(GString) chain = g_string_new ("name = 'x0'");
  g_autoptr(JmWhere) where = NULL;
  g_autoptr(GError) error = NULL;
  gboolean keep[5];

  for (guint i = 1; i < 5000; i++)
    g_string_append_printf (chain, " or name = 'x%u'", i);
  g_string_append (chain, " or name = 'Search'");

  where = jm_where_parse (chain->str, NULL, &error);
  g_assert_no_error (error);
  jm_where_evaluate (where, log, keep, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < 5; k++)
    g_assert_cmpint (keep[k], ==, k == 3);
}

static void
test_per_customer (void)
{
  g_autoptr(JmWhere) traits = jm_where_parse ("traits.a = 1 and not traits.b exists", NULL, NULL);
  g_autoptr(JmWhere) mixed = jm_where_parse ("traits.a = 1 and name = 'x'", NULL, NULL);

  g_assert_true (jm_where_is_per_customer (traits));
  g_assert_false (jm_where_is_per_customer (mixed));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jm/where/parse/valid", test_parse_valid);
  g_test_add_func ("/jm/where/parse/invalid", test_parse_invalid);
  g_test_add_func ("/jm/where/parse/depth", test_parse_depth);
  g_test_add_func ("/jm/where/evaluate", test_evaluate);
  g_test_add_func ("/jm/where/evaluate/long-chain", test_evaluate_long_chain);
  g_test_add_func ("/jm/where/per-customer", test_per_customer);

  return g_test_run ();
}
