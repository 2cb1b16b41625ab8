/* test-event-log.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jm-event-log-private.h"
#include "jm-store-private.h"

/* 2026-05-28T20:26:40Z */
#define T0 G_GINT64_CONSTANT (1780000000000)
#define MINUTE (60 * 1000)

typedef struct
{
  char    *dir;
  char    *path;
  JmStore *store;
  gint64   project;
  guint    next_id;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jm-test-event-log-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.jmw", NULL);
  fixture->store = jm_store_open (fixture->path, JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (fixture->store, NULL, &fixture->project, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  GDir *dir;
  const char *name;

  g_clear_object (&fixture->store);

  g_chmod (fixture->dir, 0700);
  dir = g_dir_open (fixture->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_remove (path);
    }
  g_dir_close (dir);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* Helpers */

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JmEvent *
make_event (Fixture     *fixture,
            JmEventType  type,
            const char  *user_id,
            const char  *anonymous_id,
            gint64       ts,
            const char  *name)
{
  JmEvent *event = jm_event_new (type);

  event->id = g_strdup_printf ("e%u", ++fixture->next_id);
  event->user_id = g_strdup (user_id);
  event->anonymous_id = g_strdup (anonymous_id);
  event->ts = ts;
  event->event = g_strdup (name);

  return event;
}

static void
set_properties (JmEvent    *event,
                const char *json)
{
  json_object_unref (event->properties);
  event->properties = parse_object (json);
}

static void
set_context (JmEvent    *event,
             const char *json)
{
  json_object_unref (event->context);
  event->context = parse_object (json);
}

/* Inserts the events (taking them) in one call, in the order given. */
static void
insert (Fixture *fixture,
        JmEvent *first,
        ...)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_event_free);
  g_autoptr(GError) error = NULL;
  JmInsertResult result;
  va_list args;

  va_start (args, first);
  for (JmEvent *event = first; event != NULL; event = va_arg (args, JmEvent *))
    g_ptr_array_add (events, event);
  va_end (args);

  jm_store_insert_events (fixture->store, fixture->project, (JmEvent **)events->pdata,
                          events->len, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result.inserted, ==, events->len);
}

static void
track (Fixture    *fixture,
       const char *user_id,
       const char *anonymous_id,
       gint64      ts,
       const char *name)
{
  insert (fixture, make_event (fixture, JM_EVENT_TRACK, user_id, anonymous_id, ts, name), NULL);
}

static JmEventLog *
build (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JmEventLog *log = jm_event_log_build (fixture->store, fixture->project, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (log);

  return log;
}

static JmEventLog *
load (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JmEventLog *log = jm_event_log_load (fixture->store, fixture->project, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (log);

  return log;
}

/* "customer:name@minutes" for each event in log order, e.g. "a:Home@0 a:Buy@5". */
static char *
describe (JmEventLog *log)
{
  const JmEventLogColumns *cols = jm_event_log_get_columns (log);
  GString *text = g_string_new (NULL);

  for (guint32 i = 0; i < cols->n_events; i++)
    g_string_append_printf (text, "%s%s%s:%s@%" G_GINT64_FORMAT,
                            i > 0 ? " " : "",
                            jm_event_log_is_anonymous (log, cols->customer[i]) ? "~" : "",
                            jm_event_log_get_customer_id (log, cols->customer[i]),
                            jm_event_log_get_name (log, cols->name[i]),
                            (cols->ts[i] - T0) / MINUTE);

  return g_string_free (text, FALSE);
}

/* Two logs hold the same events in the same order with the same dictionaries. */
static void
assert_logs_equal (JmEventLog *a,
                   JmEventLog *b)
{
  const JmEventLogColumns *x = jm_event_log_get_columns (a);
  const JmEventLogColumns *y = jm_event_log_get_columns (b);
  guint32 n = x->n_events;

  g_assert_cmpuint (x->n_events, ==, y->n_events);
  g_assert_cmpuint (x->n_customers, ==, y->n_customers);
  g_assert_cmpuint (x->n_sessions, ==, y->n_sessions);
  g_assert_cmpmem (x->customer, n * 4, y->customer, n * 4);
  g_assert_cmpmem (x->ts, n * 8, y->ts, n * 8);
  g_assert_cmpmem (x->name, n * 4, y->name, n * 4);
  g_assert_cmpmem (x->channel, n, y->channel, n);
  g_assert_cmpmem (x->session, n * 4, y->session, n * 4);
  g_assert_cmpmem (x->rowid, n * 8, y->rowid, n * 8);
  g_assert_cmpmem (x->customer_offsets, (x->n_customers + 1) * 4,
                   y->customer_offsets, (y->n_customers + 1) * 4);

  g_assert_cmpuint (jm_event_log_get_n_names (a), ==, jm_event_log_get_n_names (b));
  for (guint32 k = 0; k < jm_event_log_get_n_names (a); k++)
    g_assert_cmpstr (jm_event_log_get_name (a, k), ==, jm_event_log_get_name (b, k));

  g_assert_cmpuint (jm_event_log_get_n_channels (a), ==, jm_event_log_get_n_channels (b));
  for (guint k = 0; k < jm_event_log_get_n_channels (a); k++)
    g_assert_cmpstr (jm_event_log_get_channel (a, k), ==, jm_event_log_get_channel (b, k));

  for (guint32 c = 0; c < x->n_customers; c++)
    {
      g_assert_cmpstr (jm_event_log_get_customer_id (a, c), ==,
                       jm_event_log_get_customer_id (b, c));
      g_assert_cmpint (jm_event_log_is_anonymous (a, c), ==, jm_event_log_is_anonymous (b, c));
    }

  g_assert_cmpint (jm_event_log_get_generation (a), ==, jm_event_log_get_generation (b));
}

static char *
cache_path (Fixture *fixture)
{
  return jm_event_log_dup_cache_path (fixture->store, fixture->project);
}

/* Tests */

static void
test_sort_order (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autofree char *text = NULL;
  const JmEventLogColumns *cols;

  /* Out of time order, and two events of "a" at the same ts: arrival decides. */
  track (fixture, "b", NULL, T0 + 10 * MINUTE, "Later");
  track (fixture, "a", NULL, T0 + 5 * MINUTE, "Second");
  track (fixture, "a", NULL, T0 + 5 * MINUTE, "Third");
  track (fixture, "b", NULL, T0, "First");
  track (fixture, "a", NULL, T0, "First");
  insert (fixture,
          make_event (fixture, JM_EVENT_TRACK, "a", NULL, T0 + 7 * MINUTE, "Tie1"),
          make_event (fixture, JM_EVENT_TRACK, "a", NULL, T0 + 7 * MINUTE, "Tie2"),
          NULL);

  log = build (fixture);
  text = describe (log);
  g_assert_cmpstr (text, ==,
                   "a:First@0 a:Second@5 a:Third@5 a:Tie1@7 a:Tie2@7 b:First@0 b:Later@10");

  cols = jm_event_log_get_columns (log);
  g_assert_cmpuint (cols->n_customers, ==, 2);
  g_assert_cmpuint (cols->customer_offsets[0], ==, 0);
  g_assert_cmpuint (cols->customer_offsets[1], ==, 5);
  g_assert_cmpuint (cols->customer_offsets[2], ==, 7);

  /* Names are numbered in strcmp order, whatever order the events came in. */
  g_assert_cmpuint (jm_event_log_get_n_names (log), ==, 6);
  g_assert_cmpstr (jm_event_log_get_name (log, 0), ==, "First");
  g_assert_cmpstr (jm_event_log_get_name (log, 5), ==, "Tie2");
}

static void
test_anonymous_units (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autofree char *text = NULL;
  guint32 index;

  /* A device never linked is a unit of its own, even when its id is also a customer id. */
  track (fixture, NULL, "x", T0, "Home");
  track (fixture, NULL, "x", T0 + MINUTE, "Search");
  track (fixture, "x", "other-device", T0 + 2 * MINUTE, "Login");
  track (fixture, NULL, "y", T0, "Home");

  log = build (fixture);
  text = describe (log);
  g_assert_cmpstr (text, ==, "x:Login@2 ~x:Home@0 ~x:Search@1 ~y:Home@0");

  g_assert_true (jm_event_log_lookup_customer (log, "x", &index));
  g_assert_cmpuint (index, ==, 0);
  g_assert_false (jm_event_log_is_anonymous (log, 0));
  g_assert_true (jm_event_log_lookup_customer (log, "y", &index));
  g_assert_cmpuint (index, ==, 2);
  g_assert_true (jm_event_log_is_anonymous (log, 2));
  g_assert_false (jm_event_log_lookup_customer (log, "nobody", NULL));
}

static void
test_stitched_units (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autofree char *text = NULL;
  JmEvent *identify;

  track (fixture, NULL, "device-1", T0, "Home");
  track (fixture, NULL, "device-1", T0 + MINUTE, "Pricing");
  track (fixture, NULL, "device-2", T0 + 3 * MINUTE, "Home");

  identify = make_event (fixture, JM_EVENT_IDENTIFY, "ann", "device-1", T0 + 2 * MINUTE, NULL);
  identify->traits = parse_object ("{\"plan\": \"pro\"}");
  insert (fixture, identify, NULL);

  track (fixture, "ann", NULL, T0 + 4 * MINUTE, "Signup");

  log = build (fixture);
  text = describe (log);

  /* The identify is not a step; the device's earlier events are Ann's now. */
  g_assert_cmpstr (text, ==, "ann:Home@0 ann:Pricing@1 ann:Signup@4 ~device-2:Home@3");
  g_assert_false (jm_event_log_lookup_name (log, "identify", NULL));
}

static void
test_unnamed_events (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autofree char *text = NULL;
  JmEvent *page;

  page = make_event (fixture, JM_EVENT_PAGE, "a", NULL, T0 + MINUTE, NULL);
  set_properties (page, "{\"path\": \"/pricing\"}");
  insert (fixture, page, NULL);

  /* A page view with no path, url or name at all is no step. */
  insert (fixture, make_event (fixture, JM_EVENT_PAGE, "a", NULL, T0 + 2 * MINUTE, NULL), NULL);
  insert (fixture, make_event (fixture, JM_EVENT_SCREEN, "a", NULL, T0, "Launch"), NULL);

  log = build (fixture);
  text = describe (log);
  g_assert_cmpstr (text, ==, "a:Launch@0 a:/pricing@1");
}

static void
test_sessions (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  const JmEventLogColumns *cols;
  const gint64 gap = JM_EVENT_LOG_DEFAULT_SESSION_GAP_MS;

  g_assert_cmpint (gap, ==, 30 * MINUTE);

  track (fixture, "a", NULL, T0, "A1");
  track (fixture, "a", NULL, T0 + gap, "A2");               /* exactly 30 min: same session */
  track (fixture, "a", NULL, T0 + 2 * gap + 1, "A3");       /* 30 min + 1 ms: a new one */
  track (fixture, "a", NULL, T0 + 2 * gap + 1, "A4");       /* same time */
  track (fixture, "b", NULL, T0 + 2 * gap + 2, "B1");       /* another customer: new */

  log = build (fixture);
  cols = jm_event_log_get_columns (log);

  g_assert_cmpuint (cols->n_events, ==, 5);
  g_assert_cmpuint (cols->n_sessions, ==, 3);
  g_assert_cmpuint (cols->session[0], ==, 0);
  g_assert_cmpuint (cols->session[1], ==, 0);
  g_assert_cmpuint (cols->session[2], ==, 1);
  g_assert_cmpuint (cols->session[3], ==, 1);
  g_assert_cmpuint (cols->session[4], ==, 2);
}

static void
test_channels (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  const JmEventLogColumns *cols;
  JmEvent *email;
  JmEvent *paid;

  email = make_event (fixture, JM_EVENT_TRACK, "a", NULL, T0, "Home");
  set_context (email, "{\"campaign\": {\"medium\": \"email\", \"source\": \"newsletter\"}}");
  paid = make_event (fixture, JM_EVENT_TRACK, "b", NULL, T0, "Home");
  set_context (paid, "{\"campaign\": {\"medium\": \"cpc\", \"source\": \"google\"}}");
  insert (fixture,
          email,
          make_event (fixture, JM_EVENT_TRACK, "a", NULL, T0 + MINUTE, "Buy"),
          paid,
          NULL);

  log = build (fixture);
  cols = jm_event_log_get_columns (log);

  g_assert_cmpuint (jm_event_log_get_n_channels (log), ==, 3);
  g_assert_cmpstr (jm_event_log_get_channel (log, 0), ==, "");
  g_assert_cmpstr (jm_event_log_get_channel (log, cols->channel[0]), ==, "Email");
  g_assert_cmpuint (cols->channel[1], ==, 0);
  g_assert_cmpstr (jm_event_log_get_channel (log, cols->channel[2]), ==, "Paid Search");
}

static void
add_sample_events (Fixture *fixture)
{
  JmEvent *event;

  track (fixture, "ann", "d1", T0, "Home");
  track (fixture, NULL, "d2", T0 + MINUTE, "Home");
  event = make_event (fixture, JM_EVENT_TRACK, "bob", NULL, T0 + 2 * MINUTE, "Buy");
  set_context (event, "{\"campaign\": {\"medium\": \"email\"}}");
  insert (fixture, event, NULL);
  track (fixture, "ann", NULL, T0 + 90 * MINUTE, "Buy");
}

static void
test_cache_round_trip (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JmEventLog) built = NULL;
  g_autoptr(JmEventLog) first = NULL;
  g_autoptr(JmEventLog) second = NULL;
  g_autofree char *path = cache_path (fixture);
  g_autofree char *expected = g_strconcat (fixture->path, ".log", NULL);
  g_autoptr(GError) error = NULL;
  const JmEventLogField *field;
  GStatBuf buf;

  add_sample_events (fixture);
  g_assert_cmpstr (path, ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  first = load (fixture);
  g_assert_false (jm_event_log_is_mapped (first));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);

  second = load (fixture);
  g_assert_true (jm_event_log_is_mapped (second));
  g_assert_true (jm_event_log_get_store (second) == fixture->store);

  built = build (fixture);
  assert_logs_equal (second, built);
  assert_logs_equal (first, built);

  /* A mapped log reads property columns like a built one. */
  field = jm_event_log_get_field (second, "context.campaign.medium", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (field->n_values, ==, 2);
  g_assert_cmpstr (json_node_get_string (field->values[field->value[2]]), ==, "email");
}

static void
test_cache_other_project (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmEventLog) again = NULL;
  g_autoptr(JmEventLog) other_log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *default_path = cache_path (fixture);
  g_autofree char *other_path = NULL;
  g_autofree char *expected = NULL;
  gint64 default_project = fixture->project;
  gint64 other;

  add_sample_events (fixture);
  jm_store_create_project (fixture->store, "shop", &other, &error);
  g_assert_no_error (error);

  other_path = jm_event_log_dup_cache_path (fixture->store, other);
  expected = g_strdup_printf ("%s.%" G_GINT64_FORMAT ".log", fixture->path, other);
  g_assert_cmpstr (other_path, ==, expected);

  fixture->project = other;
  track (fixture, "zoe", NULL, T0, "Open");

  log = load (fixture);
  g_assert_true (g_file_test (other_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (default_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (jm_event_log_get_columns (log)->n_events, ==, 1);
  g_assert_cmpint (jm_event_log_get_project (log), ==, other);

  again = load (fixture);
  g_assert_true (jm_event_log_is_mapped (again));
  assert_logs_equal (log, again);

  /* The other project's file is not taken for the default project's log. */
  g_assert_true (g_rename (other_path, default_path) == 0);
  other_log = jm_event_log_load (fixture->store, default_project, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (jm_event_log_is_mapped (other_log));
  g_assert_cmpuint (jm_event_log_get_columns (other_log)->n_events, ==, 4);
}

static void
test_cache_stale (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JmEventLog) first = NULL;
  g_autoptr(JmEventLog) second = NULL;
  g_autoptr(JmEventLog) third = NULL;
  g_autofree char *text = NULL;

  add_sample_events (fixture);
  first = load (fixture);

  track (fixture, "carl", NULL, T0 + 3 * MINUTE, "Home");

  second = load (fixture);
  g_assert_false (jm_event_log_is_mapped (second));
  g_assert_cmpuint (jm_event_log_get_columns (second)->n_events, ==, 5);
  g_assert_cmpint (jm_event_log_get_generation (second), !=,
                   jm_event_log_get_generation (first));
  text = describe (second);
  g_assert_nonnull (strstr (text, "carl:Home@3"));

  /* The rewritten cache is current again. */
  third = load (fixture);
  g_assert_true (jm_event_log_is_mapped (third));
  assert_logs_equal (second, third);
}

typedef enum
{
  DAMAGE_TRUNCATE,
  DAMAGE_EMPTY,
  DAMAGE_HEADER_BYTE,
  DAMAGE_RANDOM,
  DAMAGE_RANDOM_BODY,
  DAMAGE_INDEX,
  DAMAGE_CHANNEL,
  DAMAGE_DICTIONARY,
} Damage;

#define ALIGN8(x) (((x) + 7) & ~(gsize)7)

static void
damage_file (const char *path,
             Damage      damage,
             guint32     n_events,
             guint32     n_customers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 320);

  switch (damage)
    {
    case DAMAGE_TRUNCATE:
      length -= 8;
      break;

    case DAMAGE_EMPTY:
      length = 0;
      break;

    case DAMAGE_HEADER_BYTE:
      /* The generation, inside the checksummed header. */
      contents[40] ^= 0x01;
      break;

    case DAMAGE_RANDOM:
      {
        g_autoptr(GRand) rand = g_rand_new_with_seed (42);

        for (gsize i = 0; i < length; i++)
          contents[i] = g_rand_int (rand);
      }
      break;

    case DAMAGE_RANDOM_BODY:
      {
        g_autoptr(GRand) rand = g_rand_new_with_seed (7);

        /* A valid header over garbage. */
        for (gsize i = 320; i < length; i++)
          contents[i] = g_rand_int (rand);
      }
      break;

    case DAMAGE_INDEX:
      {
        /* The format (jm-event-log-cache.c): a 320-byte header, then ts and rowid (8 bytes
         * each per event), then the customer column. An index out of range must be caught.
         */
        gsize customer = 320 + 16 * (gsize)n_events;

        memset (contents + customer, 0xff, 4);
      }
      break;

    case DAMAGE_CHANNEL:
      {
        /* …then name, session and the customer offsets; then the channel column. The
         * last event's channel is past the 16-byte blocks of the check.
         */
        gsize channel = 320 + 16 * (gsize)n_events + 3 * ALIGN8 (4 * (gsize)n_events) +
                        ALIGN8 (4 * ((gsize)n_customers + 1));

        contents[channel + n_events - 1] = (char)0xff;
      }
      break;

    case DAMAGE_DICTIONARY:
      /* The channel names are the very last bytes: break the last one's terminator. */
      {
        gsize end = length;

        while (contents[end - 1] == '\0')
          end--;
        contents[end] = 'X';
      }
      break;

    default:
      g_assert_not_reached ();
    }

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static void
test_cache_damaged (Fixture       *fixture,
                    gconstpointer  data)
{
  Damage damage = GPOINTER_TO_INT (data);
  g_autoptr(JmEventLog) first = NULL;
  g_autoptr(JmEventLog) second = NULL;
  g_autoptr(JmEventLog) third = NULL;
  g_autofree char *path = cache_path (fixture);

  add_sample_events (fixture);
  first = load (fixture);
  g_assert_false (jm_event_log_is_mapped (first));

  damage_file (path, damage, jm_event_log_get_columns (first)->n_events,
               jm_event_log_get_columns (first)->n_customers);

  second = load (fixture);
  g_assert_false (jm_event_log_is_mapped (second));
  assert_logs_equal (first, second);

  third = load (fixture);
  g_assert_true (jm_event_log_is_mapped (third));
  assert_logs_equal (first, third);
}

static void
test_cache_read_only_store (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JmStore) read_only = NULL;
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cache_path (fixture);

  add_sample_events (fixture);

  read_only = jm_store_open (fixture->path, JM_STORE_OPEN_READONLY, &error);
  g_assert_no_error (error);

  log = jm_event_log_load (read_only, fixture->project, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jm_event_log_get_columns (log)->n_events, ==, 4);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_cache_read_only_directory (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmEventLog) again = NULL;
  g_autofree char *path = cache_path (fixture);

  if (geteuid () == 0)
    {
      g_test_skip ("root can write to a read-only directory");
      return;
    }

  add_sample_events (fixture);
  g_assert_cmpint (g_chmod (fixture->dir, 0500), ==, 0);

  log = load (fixture);
  g_assert_cmpuint (jm_event_log_get_columns (log)->n_events, ==, 4);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  again = load (fixture);
  g_assert_false (jm_event_log_is_mapped (again));
  assert_logs_equal (log, again);
}

static void
test_cache_in_memory (void)
{
  g_autoptr(JmStore) store = NULL;
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 project;

  store = jm_store_open (":memory:", JM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  jm_store_lookup_project (store, NULL, &project, &error);
  g_assert_no_error (error);

  g_assert_null (jm_event_log_dup_cache_path (store, project));

  log = jm_event_log_load (store, project, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jm_event_log_get_columns (log)->n_events, ==, 0);
  g_assert_cmpuint (jm_event_log_get_columns (log)->n_customers, ==, 0);
}

static void
test_unknown_project (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;

  log = jm_event_log_load (fixture->store, 9999, NULL, &error);
  g_assert_error (error, JM_STORE_ERROR, JM_STORE_ERROR_NOT_FOUND);
  g_assert_null (log);
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;

  add_sample_events (fixture);
  g_cancellable_cancel (cancellable);

  log = jm_event_log_build (fixture->store, fixture->project, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (log);
}

static void
test_append (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmEventLog) unchanged = NULL;
  g_autoptr(JmEventLog) appended = NULL;
  g_autoptr(JmEventLog) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JmEvent *event;

  add_sample_events (fixture);
  log = load (fixture);

  unchanged = jm_event_log_append (log, fixture->store, &error);
  g_assert_no_error (error);
  g_assert_true (unchanged == log);

  /* Later events of known customers (one at the very time of an earlier event), a new
   * customer sorting first, a new name, a new channel, a new anonymous device.
   */
  track (fixture, "ann", NULL, T0, "Same time");
  track (fixture, "ann", NULL, T0 + 30 * MINUTE, "Pricing");
  track (fixture, "aaron", NULL, T0 + 5 * MINUTE, "Home");
  track (fixture, NULL, "d3", T0 - MINUTE, "Home");
  event = make_event (fixture, JM_EVENT_TRACK, "bob", NULL, T0 + MINUTE, "Home");
  set_context (event, "{\"page\": {\"referrer\": \"https://www.google.com/\"}}");
  insert (fixture, event, NULL);

  appended = jm_event_log_append (log, fixture->store, &error);
  g_assert_no_error (error);
  rebuilt = build (fixture);
  assert_logs_equal (appended, rebuilt);

  text = describe (appended);
  g_assert_cmpstr (text, ==,
                   "aaron:Home@5 ann:Home@0 ann:Same time@0 ann:Pricing@30 ann:Buy@90 "
                   "bob:Home@1 bob:Buy@2 ~d2:Home@1 ~d3:Home@-1");

  /* Fields of the appended log see the new events too. */
  {
    const JmEventLogField *field;

    field = jm_event_log_get_field (appended, "context.page.referrer", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (field->n_values, ==, 2);
    g_assert_cmpuint (field->value[5], ==, 1);
  }
}

/* After events were deleted (demo --replace here; erasure and retention the same way), the
 * append cannot keep the old log: what it returns holds only what the workspace still has,
 * whether events arrived since or not.
 */
static void
test_append_after_deletion (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmEventLog) emptied = NULL;
  g_autoptr(JmEventLog) refilled = NULL;
  g_autoptr(JmEventLog) from_emptied = NULL;
  g_autoptr(JmEventLog) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  add_sample_events (fixture);
  log = load (fixture);
  g_assert_cmpuint (log->columns.n_events, >, 0);

  g_assert_true (jm_store_clear_events (fixture->store, &error));
  g_assert_no_error (error);

  emptied = jm_event_log_append (log, fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (emptied->columns.n_events, ==, 0);

  /* New events after the deletion: only they are in the log, from the old log or the
   * emptied one.
   */
  track (fixture, "zoe", NULL, T0, "Home");
  refilled = jm_event_log_append (log, fixture->store, &error);
  g_assert_no_error (error);
  from_emptied = jm_event_log_append (emptied, fixture->store, &error);
  g_assert_no_error (error);
  rebuilt = build (fixture);
  assert_logs_equal (refilled, rebuilt);
  assert_logs_equal (from_emptied, rebuilt);

  text = describe (refilled);
  g_assert_cmpstr (text, ==, "zoe:Home@0");
}

static void
test_append_non_journey (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmEventLog) appended = NULL;
  g_autoptr(JmEventLog) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  JmEvent *identify;

  add_sample_events (fixture);
  log = build (fixture);

  /* New traits for a known customer: no journey event, the columns stay. */
  identify = make_event (fixture, JM_EVENT_IDENTIFY, "bob", NULL, T0 + 5 * MINUTE, NULL);
  identify->traits = parse_object ("{\"plan\": \"team\"}");
  insert (fixture, identify, NULL);

  appended = jm_event_log_append (log, fixture->store, &error);
  g_assert_no_error (error);
  g_assert_true (appended != log);
  rebuilt = build (fixture);
  assert_logs_equal (appended, rebuilt);
  g_assert_true (jm_event_log_get_columns (appended)->ts == jm_event_log_get_columns (log)->ts);

  /* …and traits loaded from the new log are the new ones. */
  {
    const JmEventLogField *field = jm_event_log_get_field (appended, "traits.plan", &error);
    guint32 bob;

    g_assert_no_error (error);
    g_assert_true (jm_event_log_lookup_customer (appended, "bob", &bob));
    g_assert_cmpstr (json_node_get_string (
                       field->values[field->value[jm_event_log_get_columns (appended)
                                                    ->customer_offsets[bob]]]), ==, "team");
  }
}

static void
test_append_stitching (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmEventLog) appended = NULL;
  g_autoptr(JmEventLog) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  add_sample_events (fixture);
  log = build (fixture);

  /* Device d2 was anonymous; now it logs in as carl: its Home moves to carl. */
  track (fixture, "carl", "d2", T0 + 10 * MINUTE, "Login");

  appended = jm_event_log_append (log, fixture->store, &error);
  g_assert_no_error (error);
  rebuilt = build (fixture);
  assert_logs_equal (appended, rebuilt);

  text = describe (appended);
  g_assert_cmpstr (text, ==, "ann:Home@0 ann:Buy@90 bob:Buy@2 carl:Home@1 carl:Login@10");
}

static void
test_append_alias (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(JmEventLog) appended = NULL;
  g_autoptr(JmEventLog) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  JmEvent *alias;

  add_sample_events (fixture);
  log = build (fixture);

  alias = make_event (fixture, JM_EVENT_ALIAS, "dave", NULL, T0 + 10 * MINUTE, NULL);
  alias->previous_id = g_strdup ("d2");
  insert (fixture, alias, NULL);

  appended = jm_event_log_append (log, fixture->store, &error);
  g_assert_no_error (error);
  rebuilt = build (fixture);
  assert_logs_equal (appended, rebuilt);
}

static gint64
integer_at (const JmEventLogField *field,
            guint32                event)
{
  JsonNode *node = field->values[field->value[event]];

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);

  return json_node_get_int (node);
}

static const char *
string_at (const JmEventLogField *field,
           guint32                event)
{
  JsonNode *node = field->values[field->value[event]];

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);

  return json_node_get_string (node);
}

static void
test_fields (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;
  const JmEventLogField *field;
  JmEvent *e1, *e2, *e3, *e4, *identify;

  e1 = make_event (fixture, JM_EVENT_TRACK, "ann", NULL, T0, "Buy");
  set_properties (e1, "{\"revenue\": 5, \"plan\": \"pro\", \"cart\": {\"items\": 3}, "
                      "\"gift\": true, \"note\": null}");
  set_context (e1, "{\"campaign\": {\"source\": \"newsletter\"}}");
  e2 = make_event (fixture, JM_EVENT_TRACK, "ann", NULL, T0 + MINUTE, "Buy");
  set_properties (e2, "{\"revenue\": \"5\", \"plan\": \"pro\", \"cart\": {\"items\": 3}}");
  e3 = make_event (fixture, JM_EVENT_TRACK, NULL, "device", T0, "Home");
  set_properties (e3, "{\"revenue\": 7.5, \"plan\": \"caf\\u00e9\"}");
  e4 = make_event (fixture, JM_EVENT_TRACK, "bob", NULL, T0, "Home");
  identify = make_event (fixture, JM_EVENT_IDENTIFY, "ann", NULL, T0, NULL);
  identify->traits = parse_object ("{\"plan\": \"enterprise\", \"seats\": 12}");
  set_properties (identify, "{\"revenue\": 1000}");
  insert (fixture, e1, e2, e3, e4, identify, NULL);

  /* Positions: ann 0, 1; bob 2; ~device 3. */
  log = load (fixture);

  field = jm_event_log_get_field (log, "properties.revenue", &error);
  g_assert_no_error (error);
  g_assert_cmpint (integer_at (field, 0), ==, 5);
  g_assert_cmpstr (string_at (field, 1), ==, "5");      /* a string stays a string */
  g_assert_cmpuint (field->value[2], ==, 0);            /* missing */
  g_assert_cmpfloat (json_node_get_double (field->values[field->value[3]]), ==, 7.5);
  g_assert_cmpuint (field->n_values, ==, 4);            /* missing, 5, "5", 7.5: not 1000 */
  g_assert_null (field->values[0]);

  /* Cached: the same field twice is the same column. */
  g_assert_true (jm_event_log_get_field (log, "properties.revenue", &error) == field);

  field = jm_event_log_get_field (log, "properties.plan", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (field->value[0], ==, field->value[1]);
  g_assert_cmpstr (string_at (field, 3), ==, "café");

  field = jm_event_log_get_field (log, "properties.cart", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (field->values[field->value[0]]));
  g_assert_cmpuint (field->value[0], ==, field->value[1]);

  field = jm_event_log_get_field (log, "properties.cart.items", &error);
  g_assert_no_error (error);
  g_assert_cmpint (integer_at (field, 1), ==, 3);

  field = jm_event_log_get_field (log, "properties.gift", &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_value_type (field->values[field->value[0]]), ==,
                   G_TYPE_BOOLEAN);
  g_assert_true (json_node_get_boolean (field->values[field->value[0]]));

  /* A JSON null counts as missing. */
  field = jm_event_log_get_field (log, "properties.note", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (field->value[0], ==, 0);
  g_assert_cmpuint (field->n_values, ==, 1);

  field = jm_event_log_get_field (log, "context.campaign.source", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string_at (field, 0), ==, "newsletter");
  g_assert_cmpuint (field->value[1], ==, 0);

  /* Traits are the customer's: on all of Ann's events, none on an anonymous device. */
  field = jm_event_log_get_field (log, "traits.plan", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string_at (field, 0), ==, "enterprise");
  g_assert_cmpstr (string_at (field, 1), ==, "enterprise");
  g_assert_cmpuint (field->value[2], ==, 0);
  g_assert_cmpuint (field->value[3], ==, 0);

  field = jm_event_log_get_field (log, "traits.seats", &error);
  g_assert_no_error (error);
  g_assert_cmpint (integer_at (field, 1), ==, 12);

  /* A field no event has: all missing. */
  field = jm_event_log_get_field (log, "properties.nothing.here", &error);
  g_assert_no_error (error);
  for (guint32 i = 0; i < 4; i++)
    g_assert_cmpuint (field->value[i], ==, 0);
}

static void
test_fields_invalid (void)
{
  static const char * const invalid[] = {
    "plan", "properties", "properties.", "properties..x", "props.x", "traits.a\"b", "",
    "Properties.plan",
  };
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;

  jm_event_log_builder_add (builder, "a", T0, "Home", NULL);
  log = jm_event_log_builder_finish (builder);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (jm_event_log_get_field (log, invalid[i], &error));
      g_assert_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_INVALID_FIELD);
      g_assert_false (jm_event_log_field_is_valid (invalid[i]));
    }

  g_assert_true (jm_event_log_field_is_valid ("properties.a b.c-d"));
}

typedef struct
{
  JmEventLog            *log;
  const char            *field;
  const JmEventLogField *result;
} FieldThread;

static gpointer
load_field_thread (gpointer data)
{
  FieldThread *thread = data;
  g_autoptr(GError) error = NULL;

  thread->result = jm_event_log_get_field (thread->log, thread->field, &error);
  g_assert_no_error (error);

  return NULL;
}

static void
test_fields_threads (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmEventLog) log = NULL;
  FieldThread threads[8];
  GThread *handles[8];
  JmEvent *events[200];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autofree char *customer = g_strdup_printf ("c%u", i % 17);
      g_autofree char *properties = g_strdup_printf ("{\"n\": %u, \"k\": \"v%u\"}", i, i % 5);

      events[i] = make_event (fixture, JM_EVENT_TRACK, customer, NULL, T0 + i, "Step");
      set_properties (events[i], properties);
    }
  jm_store_insert_events (fixture->store, fixture->project, events, G_N_ELEMENTS (events),
                          NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    jm_event_free (events[i]);

  log = build (fixture);

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      threads[t].log = log;
      threads[t].field = t % 2 == 0 ? "properties.n" : "properties.k";
      handles[t] = g_thread_new ("field", load_field_thread, &threads[t]);
    }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (handles[t]);

  for (guint t = 2; t < G_N_ELEMENTS (threads); t++)
    g_assert_true (threads[t].result == threads[t % 2].result);

  g_assert_cmpuint (threads[0].result->n_values, ==, 201);
  g_assert_cmpuint (threads[1].result->n_values, ==, 6);

  /* Each event got its own value back, through the rowid mapping. */
  for (guint32 i = 0; i < 200; i++)
    {
      const JmEventLogColumns *cols = jm_event_log_get_columns (log);
      gint64 n = json_node_get_int (threads[0].result->values[threads[0].result->value[i]]);

      g_assert_cmpint (cols->ts[i] - T0, ==, n);
    }
}

static void
test_builder (void)
{
  g_autoptr(JmEventLogBuilder) builder = jm_event_log_builder_new ();
  g_autoptr(JmEventLog) log = NULL;
  g_autoptr(GError) error = NULL;
  const JmEventLogColumns *cols;
  const JmEventLogField *field;
  guint32 handle;

  handle = jm_event_log_builder_add (builder, "zed", T0, "Home", "Email");
  g_assert_cmpuint (handle, ==, 0);
  jm_event_log_builder_set_field_json (builder, handle, "properties.plan", "\"pro\"");
  jm_event_log_builder_set_field_json (builder, handle, "traits.country", "\"DE\"");
  handle = jm_event_log_builder_add (builder, "amy", T0 + MINUTE, "Buy", NULL);
  jm_event_log_builder_set_field_json (builder, handle, "properties.plan", "42");
  jm_event_log_builder_add (builder, "amy", T0, "Home", "");
  jm_event_log_builder_add (builder, "zed", T0, "Tie", NULL);
  jm_event_log_builder_add (builder, "zed", T0 + 31 * MINUTE, "Back", NULL);

  log = jm_event_log_builder_finish (builder);
  cols = jm_event_log_get_columns (log);
  g_assert_null (jm_event_log_get_store (log));

  /* Customers by id; ties in ts kept in the order of addition. */
  {
    g_autofree char *text = describe (log);

    g_assert_cmpstr (text, ==, "amy:Home@0 amy:Buy@1 zed:Home@0 zed:Tie@0 zed:Back@31");
  }
  g_assert_cmpuint (cols->n_sessions, ==, 3);
  g_assert_cmpstr (jm_event_log_get_channel (log, cols->channel[2]), ==, "Email");
  g_assert_cmpuint (cols->channel[0], ==, 0);
  g_assert_cmpstr (jm_event_log_get_name (log, 0), ==, "Back");
  g_assert_cmpstr (jm_event_log_get_name (log, 3), ==, "Tie");

  field = jm_event_log_get_field (log, "properties.plan", &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (field->values[field->value[1]]), ==, 42);
  g_assert_cmpstr (json_node_get_string (field->values[field->value[2]]), ==, "pro");
  g_assert_cmpuint (field->value[0], ==, 0);

  /* A trait set on one event belongs to all of the customer's events. */
  field = jm_event_log_get_field (log, "traits.country", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (field->value[0], ==, 0);
  for (guint32 i = 2; i < 5; i++)
    g_assert_cmpstr (json_node_get_string (field->values[field->value[i]]), ==, "DE");

  /* Fields never set are all missing. */
  field = jm_event_log_get_field (log, "context.page.path", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (field->n_values, ==, 1);
}

static void
test_covering_index (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JmEventLog) scanned = NULL;
  g_autoptr(JmEventLog) indexed = NULL;
  g_autoptr(JmEventLog) appended = NULL;
  g_autoptr(JmEventLog) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  char *message = NULL;

  add_sample_events (fixture);
  track (fixture, "ann", NULL, T0 + 5 * MINUTE, "Pricing");
  insert (fixture,
          make_event (fixture, JM_EVENT_TRACK, "bob", NULL, T0, "Tie"),
          make_event (fixture, JM_EVENT_TRACK, "bob", NULL, T0, "Tie"),
          NULL);
  indexed = build (fixture);

  /* A workspace without the covering index of schema 2 (the build's fast path): the same
   * log, read from the table instead of the index.
   */
  g_assert_cmpint (sqlite3_exec (jm_store_get_db (fixture->store), "DROP INDEX events_journey",
                                 NULL, NULL, &message), ==, SQLITE_OK);
  g_assert_null (message);
  scanned = build (fixture);
  assert_logs_equal (scanned, indexed);

  g_assert_cmpint (sqlite3_exec (jm_store_get_db (fixture->store),
                                 "CREATE INDEX events_journey ON events "
                                 "(project, customer_id, ts, arrival, anonymous_id, name, touch) "
                                 "WHERE type IN ('track', 'page', 'screen') AND name IS NOT NULL",
                                 NULL, NULL, &message), ==, SQLITE_OK);
  g_assert_null (message);

  track (fixture, "bob", NULL, T0 + 3 * MINUTE, "Home");
  appended = jm_event_log_append (indexed, fixture->store, &error);
  g_assert_no_error (error);
  rebuilt = build (fixture);
  assert_logs_equal (appended, rebuilt);
}

/* Many customers, anonymous devices among them, with events in no particular order. */
static void
add_many_events (Fixture *fixture,
                 guint    n_customers)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)jm_event_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  static const char * const names[] = { "Home", "Search", "Product", "Cart", "Buy" };

  for (guint i = 0; i < n_customers * 6; i++)
    {
      guint c = g_rand_int_range (rand, 0, n_customers);
      g_autofree char *id = g_strdup_printf ("c%04u", c);
      JmEvent *event = make_event (fixture, JM_EVENT_TRACK, c % 5 == 0 ? NULL : id,
                                   c % 5 == 0 ? id : NULL,
                                   T0 + g_rand_int_range (rand, 0, 600) * MINUTE / 10,
                                   names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))]);

      if (i % 7 == 0)
        set_context (event, "{\"campaign\": {\"medium\": \"email\"}}");
      if (i % 3 == 0)
        {
          g_autofree char *properties = g_strdup_printf ("{\"price\": %u}", i % 50);

          set_properties (event, properties);
        }
      g_ptr_array_add (events, event);
    }

  jm_store_insert_events (fixture->store, fixture->project, (JmEvent **)events->pdata,
                          events->len, NULL, &error);
  g_assert_no_error (error);
}

static void
assert_fields_equal (JmEventLog *a,
                     JmEventLog *b,
                     const char *name)
{
  g_autoptr(GError) error = NULL;
  const JmEventLogField *x = jm_event_log_get_field (a, name, &error);
  const JmEventLogField *y;
  guint32 n = jm_event_log_get_columns (a)->n_events;

  g_assert_no_error (error);
  y = jm_event_log_get_field (b, name, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (x->n_values, ==, y->n_values);
  g_assert_cmpmem (x->value, n * 4, y->value, n * 4);
  for (guint32 v = 1; v < x->n_values; v++)
    g_assert_true (json_node_equal (x->values[v], y->values[v]));
}

/* Several fields loaded in one scan are those loaded one by one; a malformed name loads
 * nothing.
 */
static void
test_load_fields (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const fields[] = {
    "properties.price", "context.campaign.medium", "properties.missing", NULL
  };
  static const char * const malformed[] = { "properties.price", "price", NULL };
  g_autoptr(JmEventLog) one_by_one = NULL;
  g_autoptr(JmEventLog) together = NULL;
  g_autoptr(GError) error = NULL;

  add_many_events (fixture, 200);
  one_by_one = build (fixture);
  together = build (fixture);

  g_assert_false (jm_event_log_load_fields (together, malformed, &error));
  g_assert_error (error, JM_EVENT_LOG_ERROR, JM_EVENT_LOG_ERROR_INVALID_FIELD);
  g_clear_error (&error);

  g_assert_true (jm_event_log_load_fields (together, fields, &error));
  g_assert_no_error (error);

  for (guint i = 0; fields[i] != NULL; i++)
    assert_fields_equal (one_by_one, together, fields[i]);
  g_assert_cmpuint (jm_event_log_get_field (together, "properties.missing", NULL)->n_values,
                    ==, 1);
}

static void
test_parts (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JmEventLog) single = NULL;
  g_autoptr(JmEventLog) parted = NULL;
  g_autoptr(JmEventLog) single_indexed = NULL;
  g_autoptr(JmEventLog) parted_indexed = NULL;

  add_many_events (fixture, 400);

  /* Table scans first: a workspace without schema 2's covering index. */
  g_assert_cmpint (sqlite3_exec (jm_store_get_db (fixture->store), "DROP INDEX events_journey",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  jm_event_log_set_scan_parts (1, 0, 0);
  single = build (fixture);
  g_assert_cmpuint (single->n_scan_parts, ==, 1);

  /* The same log from a table scan in three parts… */
  jm_event_log_set_scan_parts (3, 10, 10);
  parted = build (fixture);
  g_assert_cmpuint (parted->n_scan_parts, ==, 3);
  assert_logs_equal (single, parted);

  /* Fields read in three parts are those read in one (each log loads a field once). */
  jm_event_log_set_scan_parts (1, 0, 0);
  g_assert_nonnull (jm_event_log_get_field (single, "properties.price", NULL));
  g_assert_nonnull (jm_event_log_get_field (parted, "context.campaign.medium", NULL));
  jm_event_log_set_scan_parts (3, 10, 10);
  assert_fields_equal (parted, single, "properties.price");
  assert_fields_equal (single, parted, "context.campaign.medium");
  g_assert_cmpuint (jm_event_log_get_field (parted, "properties.price", NULL)->n_values, ==, 51);

  /* …and from the index, whole or in three ranges of customers. */
  g_assert_cmpint (sqlite3_exec (jm_store_get_db (fixture->store),
                                 "CREATE INDEX events_journey ON events "
                                 "(project, customer_id, ts, arrival, anonymous_id, name, touch) "
                                 "WHERE type IN ('track', 'page', 'screen') AND name IS NOT NULL",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  jm_event_log_set_scan_parts (1, 0, 0);
  single_indexed = build (fixture);
  assert_logs_equal (single, single_indexed);

  jm_event_log_set_scan_parts (3, 10, 10);
  parted_indexed = build (fixture);
  g_assert_cmpuint (parted_indexed->n_scan_parts, ==, 3);
  assert_logs_equal (single, parted_indexed);

  jm_event_log_set_scan_parts (0, 0, 0);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JmEventLog) first = NULL;
  g_autoptr(JmEventLog) second = NULL;

  first = load (fixture);
  g_assert_cmpuint (jm_event_log_get_columns (first)->n_events, ==, 0);
  g_assert_cmpuint (jm_event_log_get_columns (first)->customer_offsets[0], ==, 0);
  g_assert_cmpuint (jm_event_log_get_n_channels (first), ==, 1);

  second = load (fixture);
  g_assert_true (jm_event_log_is_mapped (second));
  assert_logs_equal (first, second);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/jm/event-log/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_DAMAGE(path, damage) \
  g_test_add ("/jm/event-log/cache/damaged/" path, Fixture, GINT_TO_POINTER (damage), \
              fixture_setup, test_cache_damaged, fixture_teardown)

  ADD ("sort-order", test_sort_order);
  ADD ("anonymous-units", test_anonymous_units);
  ADD ("stitched-units", test_stitched_units);
  ADD ("unnamed-events", test_unnamed_events);
  ADD ("sessions", test_sessions);
  ADD ("channels", test_channels);
  ADD ("empty", test_empty);
  ADD ("covering-index", test_covering_index);
  ADD ("parts", test_parts);
  ADD ("unknown-project", test_unknown_project);
  ADD ("cancelled", test_cancelled);
  ADD ("cache/round-trip", test_cache_round_trip);
  ADD ("cache/other-project", test_cache_other_project);
  ADD ("cache/stale", test_cache_stale);
  ADD ("cache/read-only-store", test_cache_read_only_store);
  ADD ("cache/read-only-directory", test_cache_read_only_directory);
  g_test_add_func ("/jm/event-log/cache/in-memory", test_cache_in_memory);
  ADD_DAMAGE ("truncated", DAMAGE_TRUNCATE);
  ADD_DAMAGE ("empty", DAMAGE_EMPTY);
  ADD_DAMAGE ("header", DAMAGE_HEADER_BYTE);
  ADD_DAMAGE ("random", DAMAGE_RANDOM);
  ADD_DAMAGE ("random-body", DAMAGE_RANDOM_BODY);
  ADD_DAMAGE ("index", DAMAGE_INDEX);
  ADD_DAMAGE ("channel", DAMAGE_CHANNEL);
  ADD_DAMAGE ("dictionary", DAMAGE_DICTIONARY);
  ADD ("append", test_append);
  ADD ("append/after-deletion", test_append_after_deletion);
  ADD ("append/non-journey", test_append_non_journey);
  ADD ("append/stitching", test_append_stitching);
  ADD ("append/alias", test_append_alias);
  ADD ("fields", test_fields);
  ADD ("fields/several-in-one-scan", test_load_fields);
  ADD ("fields/threads", test_fields_threads);
  g_test_add_func ("/jm/event-log/fields/invalid", test_fields_invalid);
  g_test_add_func ("/jm/event-log/builder", test_builder);

#undef ADD
#undef ADD_DAMAGE

  return g_test_run ();
}
