/* bench-ingest.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How fast the ingest listener takes events, and how that compares with the store alone.
 *
 * Default mode: for batches of 1, 20 and 100 events, `journeymapper-cli serve` is started on
 * a fresh workspace and loaded by concurrent HTTP/1.1 keep-alive connections (one thread with
 * a blocking socket each) posting native batches (POST /api/v1/events); every request waits
 * for its acknowledgement, which the listener gives only after the commit (synchronous=FULL).
 * Printed: requests/s, events/s, p50/p99 acknowledgement latency, the CPU time the listener
 * and the load generator spent per event, and beside them the raw ceiling: the same events
 * written by jm_store_insert_events() in this process, one transaction per batch,
 * synchronous=FULL. The targets are printed beside the figures. Rate limits are switched off
 * (`serve --key-rate 0 --address-rate 0`): the point is throughput.
 *
 * With --url URL --key KEY [--batch N] it loads a listener that is already running (one row,
 * no raw ceiling): handy with `perf record -p` on that listener.
 *
 * Two modes serve build-aux/crash-test-serve:
 *   --crash-load URL   posts batches with unique message ids until the listener goes away
 *                      (or --seconds pass), appending the ids of every acknowledged batch to
 *                      --acked FILE, flushed to disk before the next request;
 *   --check DB         checks that every id of the --acked files is stored in DB and that
 *                      PRAGMA integrity_check is ok (exit status 0 or 1).
 */

#define G_LOG_DOMAIN "jm-bench"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "journey.h"
#include "jm-store-private.h"

/* The targets of the ingest issue, printed beside the figures. */
#define TARGET_BATCH_EVENTS_PER_SECOND   50000.0
#define TARGET_SINGLE_REQUESTS_PER_SECOND 5000.0
#define TARGET_P99_MS                     50.0
#define TARGET_FRACTION_OF_RAW            0.5

#define RECEIVE_TIMEOUT_SECONDS 30

static const char * const event_names[] = {
  "Home Viewed", "Product Viewed", "Added to Cart", "Checkout Started", "Order Completed",
  "Search",
};

/* --------------------------------------------------------------------------------------
 * Request bodies: Segment-spec track messages with unique message ids
 */

typedef enum
{
  ROUTE_NATIVE,    /* POST /api/v1/events, Authorization: Bearer KEY, {"events":[…]} */
  ROUTE_SEGMENT,   /* POST /v1/batch, Authorization: Basic base64(KEY:), {"batch":[…]} */
} Route;

static guint32
next_random (guint32 *state)
{
  /* xorshift32: cheap, and each thread has its own state. */
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

/* Appends one track message. `id_prefix` and `seq` make the message id unique; the time
 * walks through March 2026 so that events spread over days like real traffic.
 */
static void
append_event (GString    *out,
              const char *id_prefix,
              guint64     seq,
              guint32    *rng)
{
  guint64 offset = seq % (31 * 86400);
  guint user = next_random (rng) % 20000;
  guint product = next_random (rng) % 500;

  g_string_append_printf (out,
                          "{\"type\":\"track\",\"messageId\":\"%s-%" G_GUINT64_FORMAT "\","
                          "\"userId\":\"user-%u\",\"event\":\"%s\","
                          "\"timestamp\":\"2026-03-%02uT%02u:%02u:%02u.%03uZ\","
                          "\"properties\":{\"product_id\":\"SKU-%u\",\"price\":%u.5,"
                          "\"category\":\"shoes\",\"quantity\":%u},"
                          "\"context\":{\"page\":{\"path\":\"/products/%u\","
                          "\"url\":\"https://shop.example/products/%u\"},"
                          "\"userAgent\":\"bench-ingest\",\"locale\":\"en-GB\"}}",
                          id_prefix, seq, user,
                          event_names[next_random (rng) % G_N_ELEMENTS (event_names)],
                          (guint) (1 + offset / 86400), (guint) (offset % 86400 / 3600),
                          (guint) (offset % 3600 / 60), (guint) (offset % 60),
                          (guint) (seq % 1000), product, 5 + product % 200, 1 + product % 3,
                          product, product);
}

/* Builds the body of a batch of `n` events with ids `id_prefix`-first_seq…; the ids go to
 * `ids` when it is not NULL.
 */
static void
build_body (GString    *body,
            Route       route,
            const char *id_prefix,
            guint64     first_seq,
            guint       n,
            guint32    *rng,
            GPtrArray  *ids)
{
  g_string_truncate (body, 0);
  g_string_append (body, route == ROUTE_NATIVE ? "{\"events\":[" : "{\"batch\":[");

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (body, ',');
      append_event (body, id_prefix, first_seq + i, rng);
      if (ids != NULL)
        g_ptr_array_add (ids, g_strdup_printf ("%s-%" G_GUINT64_FORMAT, id_prefix, first_seq + i));
    }

  g_string_append (body, "]}");
}

/* --------------------------------------------------------------------------------------
 * A minimal HTTP/1.1 client: one keep-alive connection, blocking socket, one request at a
 * time. Enough for a load generator; no TLS, no redirects.
 */

typedef struct
{
  struct addrinfo *address;   /* borrowed */
  char            *host;      /* Host header */
  int              fd;
  GString         *in;        /* received bytes not yet consumed */
  GString         *request;
} Connection;

typedef struct
{
  int      status;         /* 0: no response (connection failed or closed) */
  gboolean refused;        /* connect() was refused: nothing listens any more */
  int      retry_after;    /* seconds, from Retry-After; 0 when absent */
  GString *body;
} Response;

static void
connection_close (Connection *self)
{
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  g_string_truncate (self->in, 0);
}

static void
connection_init (Connection      *self,
                 struct addrinfo *address,
                 const char      *host)
{
  self->address = address;
  self->host = g_strdup (host);
  self->fd = -1;
  self->in = g_string_sized_new (16 * 1024);
  self->request = g_string_sized_new (64 * 1024);
}

static void
connection_clear (Connection *self)
{
  connection_close (self);
  g_free (self->host);
  g_string_free (self->in, TRUE);
  g_string_free (self->request, TRUE);
}

static gboolean
connection_open (Connection *self,
                 gboolean   *refused)
{
  struct timeval timeout = { RECEIVE_TIMEOUT_SECONDS, 0 };
  int one = 1;
  int fd;

  *refused = FALSE;
  fd = socket (self->address->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  if (connect (fd, self->address->ai_addr, self->address->ai_addrlen) != 0)
    {
      *refused = errno == ECONNREFUSED;
      close (fd);
      return FALSE;
    }

  self->fd = fd;
  g_string_truncate (self->in, 0);
  return TRUE;
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      ssize_t n = send (fd, data, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
write_all_file (int         fd,
                const char *data,
                gsize       length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Reads more bytes into self->in; FALSE on EOF or error. */
static gboolean
read_more (Connection *self)
{
  char buffer[16 * 1024];

  for (;;)
    {
      ssize_t n = recv (self->fd, buffer, sizeof buffer, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      g_string_append_len (self->in, buffer, n);
      return TRUE;
    }
}

/* Makes sure self->in holds at least `length` bytes. */
static gboolean
read_until_length (Connection *self,
                   gsize       length)
{
  while (self->in->len < length)
    if (!read_more (self))
      return FALSE;
  return TRUE;
}

/* The position just after the next CRLF at or after `from`, reading as needed; 0 on failure. */
static gsize
read_line_end (Connection *self,
               gsize       from)
{
  for (;;)
    {
      const char *found = NULL;

      if (self->in->len > from)
        found = g_strstr_len (self->in->str + from, self->in->len - from, "\r\n");
      if (found != NULL)
        return (gsize) (found - self->in->str) + 2;
      if (!read_more (self))
        return 0;
    }
}

static const char *
header_value (const char *line,
              gsize       line_length,
              const char *name,
              gsize      *value_length)
{
  gsize name_length = strlen (name);
  const char *value;
  const char *end = line + line_length;

  if (line_length <= name_length || g_ascii_strncasecmp (line, name, name_length) != 0 ||
      line[name_length] != ':')
    return NULL;

  value = line + name_length + 1;
  while (value < end && (*value == ' ' || *value == '\t'))
    value++;
  *value_length = (gsize) (end - value);
  return value;
}

/* Reads one response into `response`; FALSE when the connection failed or closed first. */
static gboolean
read_response (Connection *self,
               Response   *response)
{
  gssize content_length = -1;
  gboolean chunked = FALSE;
  gboolean close_after = FALSE;
  gsize pos, headers_end;
  const char *head_end;

  /* Status line and headers. */
  for (;;)
    {
      head_end = g_strstr_len (self->in->str, self->in->len, "\r\n\r\n");
      if (head_end != NULL)
        break;
      if (!read_more (self))
        return FALSE;
    }
  headers_end = (gsize) (head_end - self->in->str) + 4;

  if (sscanf (self->in->str, "HTTP/1.%*d %d", &response->status) != 1)
    return FALSE;

  pos = (gsize) (strchr (self->in->str, '\n') - self->in->str) + 1;
  while (pos < headers_end - 2)
    {
      const char *line = self->in->str + pos;
      const char *eol = strstr (line, "\r\n");
      gsize line_length = (gsize) (eol - line);
      gsize value_length = 0;
      const char *value;

      if ((value = header_value (line, line_length, "Content-Length", &value_length)) != NULL)
        content_length = (gssize) g_ascii_strtoll (value, NULL, 10);
      else if ((value = header_value (line, line_length, "Transfer-Encoding", &value_length)) != NULL)
        chunked = g_strstr_len (value, value_length, "chunked") != NULL;
      else if ((value = header_value (line, line_length, "Connection", &value_length)) != NULL)
        close_after = g_ascii_strncasecmp (value, "close", 5) == 0;
      else if ((value = header_value (line, line_length, "Retry-After", &value_length)) != NULL)
        response->retry_after = (int) g_ascii_strtoll (value, NULL, 10);

      pos += line_length + 2;
    }

  g_string_truncate (response->body, 0);

  if (chunked)
    {
      pos = headers_end;
      for (;;)
        {
          gsize line_end = read_line_end (self, pos);
          guint64 size;

          if (line_end == 0)
            return FALSE;
          size = g_ascii_strtoull (self->in->str + pos, NULL, 16);
          pos = line_end;
          if (size == 0)
            {
              /* Trailers, if any, end with an empty line. */
              for (;;)
                {
                  line_end = read_line_end (self, pos);
                  if (line_end == 0)
                    return FALSE;
                  if (line_end == pos + 2)
                    break;
                  pos = line_end;
                }
              pos = line_end;
              break;
            }
          if (!read_until_length (self, pos + size + 2))
            return FALSE;
          g_string_append_len (response->body, self->in->str + pos, (gssize) size);
          pos += size + 2;
        }
    }
  else if (content_length >= 0)
    {
      if (!read_until_length (self, headers_end + (gsize) content_length))
        return FALSE;
      g_string_append_len (response->body, self->in->str + headers_end, content_length);
      pos = headers_end + (gsize) content_length;
    }
  else
    {
      /* Delimited by the end of the connection. */
      while (read_more (self))
        ;
      g_string_append_len (response->body, self->in->str + headers_end,
                           (gssize) (self->in->len - headers_end));
      pos = self->in->len;
      close_after = TRUE;
    }

  g_string_erase (self->in, 0, (gssize) pos);
  if (close_after)
    connection_close (self);

  return TRUE;
}

/* POSTs `body`; fills `response` (status 0 when no response came). */
static void
connection_post (Connection *self,
                 const char *path,
                 const char *authorization,
                 GString    *body,
                 Response   *response)
{
  response->status = 0;
  response->refused = FALSE;
  response->retry_after = 0;

  if (self->fd < 0 && !connection_open (self, &response->refused))
    return;

  g_string_printf (self->request,
                   "POST %s HTTP/1.1\r\n"
                   "Host: %s\r\n"
                   "Authorization: %s\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                   "\r\n",
                   path, self->host, authorization, body->len);
  g_string_append_len (self->request, body->str, (gssize) body->len);

  if (!write_all (self->fd, self->request->str, self->request->len) ||
      !read_response (self, response))
    {
      response->status = 0;
      connection_close (self);
    }
}

/* The "accepted" count of a success document, or -1. */
static gint64
response_accepted (Response *response)
{
  g_autoptr(JsonNode) node = json_from_string (response->body->str, NULL);
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return -1;
  object = json_node_get_object (node);
  if (!json_object_has_member (object, "accepted"))
    return -1;
  return json_object_get_int_member (object, "accepted");
}

/* The address and Host header of a listener URL "http://ADDRESS:PORT/". */
static struct addrinfo *
resolve_url (const char  *url,
             char       **out_host,
             GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  struct addrinfo hints = { 0 };
  struct addrinfo *result = NULL;
  g_autofree char *port = NULL;
  const char *host;
  int rc;

  if (uri == NULL)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || g_uri_get_host (uri) == NULL ||
      g_uri_get_port (uri) <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a listener URL like http://127.0.0.1:8088/", url);
      return NULL;
    }

  host = g_uri_get_host (uri);
  port = g_strdup_printf ("%d", g_uri_get_port (uri));
  hints.ai_socktype = SOCK_STREAM;
  rc = getaddrinfo (host, port, &hints, &result);
  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Cannot resolve %s: %s", host, gai_strerror (rc));
      return NULL;
    }

  *out_host = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%s", host, port)
                                         : g_strdup_printf ("%s:%s", host, port);
  return result;
}

static char *
dup_authorization (Route       route,
                   const char *key)
{
  g_autofree char *user = NULL;
  g_autofree char *encoded = NULL;

  if (route == ROUTE_NATIVE)
    return g_strdup_printf ("Bearer %s", key);

  user = g_strdup_printf ("%s:", key);
  encoded = g_base64_encode ((const guchar *) user, strlen (user));
  return g_strdup_printf ("Basic %s", encoded);
}

static const char *
route_path (Route route)
{
  return route == ROUTE_NATIVE ? "/api/v1/events" : "/v1/batch";
}

/* --------------------------------------------------------------------------------------
 * Workspaces and the listener process
 */

static char *
create_workspace (const char  *path,
                  GError     **error)
{
  g_autoptr(JmStore) store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, error);
  gint64 project;

  if (store == NULL || !jm_store_lookup_project (store, NULL, &project, error))
    return NULL;

  return jm_store_create_api_key (store, project, "bench-ingest", JM_KEY_SCOPE_INGEST, NULL,
                                  error);
}

static gint64
count_events (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = jm_store_open (path, JM_STORE_OPEN_NO_CREATE, &error);
  g_autoptr(JmStoreStats) stats = NULL;

  if (store == NULL || (stats = jm_store_get_stats (store, &error)) == NULL)
    {
      g_printerr ("bench-ingest: cannot read %s: %s\n", path, error->message);
      return -1;
    }
  return stats->events;
}

/* Starts `CLI serve --db PATH --port 0 [EXTRA…]` and returns its URL. */
static GSubprocess *
start_server (const char  *cli,
              const char  *path,
              char       **extra_args,
              char       **out_url,
              GError     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "listening on ";

  g_ptr_array_add (argv, (char *) cli);
  g_ptr_array_add (argv, (char *) "serve");
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, (char *) path);
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  /* The benchmark measures throughput, not the rate limits (DESIGN §4 defaults: 1,000
   * events/s per key, 100 requests/s per address, which a load generator exceeds at once).
   */
  g_ptr_array_add (argv, (char *) "--key-rate");
  g_ptr_array_add (argv, (char *) "0");
  g_ptr_array_add (argv, (char *) "--address-rate");
  g_ptr_array_add (argv, (char *) "0");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, extra_args[i]);
  g_ptr_array_add (argv, NULL);

  server = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              error);
  if (server == NULL)
    return NULL;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "%s serve did not print “listening on URL” (it printed “%s”)", cli,
                     line != NULL ? line : "nothing");
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      return NULL;
    }

  *out_url = g_strdup (line + strlen (prefix));
  return g_steal_pointer (&server);
}

static gboolean
stop_server (GSubprocess  *server,
             GError      **error)
{
  g_subprocess_send_signal (server, SIGTERM);
  if (!g_subprocess_wait (server, NULL, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (server) || g_subprocess_get_exit_status (server) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the listener did not exit cleanly after SIGTERM");
      return FALSE;
    }
  return TRUE;
}

/* --------------------------------------------------------------------------------------
 * Benchmark mode
 */

enum { PHASE_WARM_UP, PHASE_MEASURE, PHASE_STOP };

typedef struct
{
  struct addrinfo *address;
  const char      *host;
  const char      *authorization;
  guint            batch;
  guint            index;
  volatile gint   *phase;

  /* Results of the measured phase. */
  guint64          requests;
  guint64          events;
  guint64          failed;
  guint64          rate_limited;
  GArray          *latencies;   /* gint64 µs */
  int              first_bad_status;
} LoadThread;

static gpointer
load_thread (gpointer data)
{
  LoadThread *self = data;
  Connection connection;
  Response response = { 0 };
  g_autoptr(GString) body = g_string_sized_new (64 * 1024);
  g_autofree char *prefix = g_strdup_printf ("bench-%u-%u-%u", (guint) getpid (), self->batch,
                                             self->index);
  guint32 rng = 0x9e3779b9u ^ (self->index * 2654435761u) ^ self->batch;
  guint64 seq = 0;

  connection_init (&connection, self->address, self->host);
  response.body = g_string_new (NULL);

  while (g_atomic_int_get (self->phase) != PHASE_STOP)
    {
      gint64 began, took;
      gboolean ok;

      build_body (body, ROUTE_NATIVE, prefix, seq, self->batch, &rng, NULL);
      seq += self->batch;

      began = g_get_monotonic_time ();
      connection_post (&connection, route_path (ROUTE_NATIVE), self->authorization, body,
                       &response);
      took = g_get_monotonic_time () - began;

      ok = response.status == 200 && response_accepted (&response) == (gint64) self->batch;

      if (g_atomic_int_get (self->phase) != PHASE_MEASURE)
        continue;

      if (ok)
        {
          self->requests++;
          self->events += self->batch;
          g_array_append_val (self->latencies, took);
        }
      else
        {
          self->failed++;
          if (response.status == 429)
            self->rate_limited++;
          if (self->first_bad_status == 0)
            self->first_bad_status = response.status != 0 ? response.status : -1;
          if (response.status == 0)
            g_usleep (10 * 1000);
        }
    }

  connection_clear (&connection);
  g_string_free (response.body, TRUE);
  return NULL;
}

typedef struct
{
  guint   batch;
  double  requests_per_second;
  double  events_per_second;
  double  p50_ms;
  double  p99_ms;
  guint64 failed;
  guint64 rate_limited;
  int     first_bad_status;
  double  server_us_per_event;   /* CPU time of the listener per acknowledged event */
  double  load_us_per_event;     /* CPU time of this load generator per event */
  double  raw_events_per_second;
  gboolean stored_all;
} BenchRow;

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted values, in ms. */
static double
percentile_ms (GArray *sorted,
               double  p)
{
  guint rank;

  if (sorted->len == 0)
    return 0;
  rank = (guint) MAX (1.0, ceil (p / 100.0 * sorted->len));
  return g_array_index (sorted, gint64, MIN (rank, sorted->len) - 1) / 1000.0;
}

/* CPU seconds (user + system) used so far by process `pid`, or by this process when 0. */
static double
cpu_seconds (GPid pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;
  struct rusage usage;

  if (pid == 0)
    {
      getrusage (RUSAGE_SELF, &usage);
      return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
             usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    }

  /* /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks; the name (field 2)
   * may contain spaces, so count from the closing parenthesis.
   */
  path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (after_name = strrchr (contents, ')')) == NULL)
    return 0;
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

/* Loads the listener at `url` with `connections` threads for a warm-up and `seconds` of
 * measurement; fills `row` (all but the raw ceiling). Returns the events acknowledged in
 * the measured window, or -1 with `error` set.
 */
static gint64
load_listener (const char  *url,
               GPid         server_pid,
               const char  *key,
               guint        batch,
               guint        connections,
               double       seconds,
               BenchRow    *row,
               GError     **error)
{
  g_autofree char *host = NULL;
  g_autofree char *authorization = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  struct addrinfo *address;
  LoadThread *threads;
  GThread **handles;
  volatile gint phase = PHASE_WARM_UP;
  guint64 requests = 0, events = 0;
  double server_cpu = 0, load_cpu;

  if ((address = resolve_url (url, &host, error)) == NULL)
    return -1;
  authorization = dup_authorization (ROUTE_NATIVE, key);

  threads = g_new0 (LoadThread, connections);
  handles = g_new0 (GThread *, connections);
  for (guint i = 0; i < connections; i++)
    {
      threads[i].address = address;
      threads[i].host = host;
      threads[i].authorization = authorization;
      threads[i].batch = batch;
      threads[i].index = i;
      threads[i].phase = &phase;
      threads[i].latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
      handles[i] = g_thread_new ("bench-load", load_thread, &threads[i]);
    }

  /* A short warm-up (connections, page cache, the listener's first commits), then the
   * measured window.
   */
  g_usleep (G_USEC_PER_SEC / 2);
  if (server_pid != 0)
    server_cpu = cpu_seconds (server_pid);
  load_cpu = cpu_seconds (0);
  g_atomic_int_set (&phase, PHASE_MEASURE);
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
  g_atomic_int_set (&phase, PHASE_STOP);
  if (server_pid != 0)
    server_cpu = cpu_seconds (server_pid) - server_cpu;
  load_cpu = cpu_seconds (0) - load_cpu;

  memset (row, 0, sizeof *row);
  row->batch = batch;
  for (guint i = 0; i < connections; i++)
    {
      g_thread_join (handles[i]);
      requests += threads[i].requests;
      events += threads[i].events;
      row->failed += threads[i].failed;
      row->rate_limited += threads[i].rate_limited;
      if (row->first_bad_status == 0)
        row->first_bad_status = threads[i].first_bad_status;
      g_array_append_vals (latencies, threads[i].latencies->data, threads[i].latencies->len);
      g_array_unref (threads[i].latencies);
    }
  g_free (threads);
  g_free (handles);
  freeaddrinfo (address);

  g_array_sort (latencies, compare_gint64);
  row->requests_per_second = requests / seconds;
  row->events_per_second = events / seconds;
  row->p50_ms = percentile_ms (latencies, 50);
  row->p99_ms = percentile_ms (latencies, 99);
  row->server_us_per_event = events > 0 ? 1e6 * server_cpu / events : 0;
  row->load_us_per_event = events > 0 ? 1e6 * load_cpu / events : 0;

  return (gint64) events;
}

/* Starts `serve` on a fresh workspace, loads it, stops it and checks that it kept
 * everything it acknowledged.
 */
static gboolean
bench_http (const char  *cli,
            const char  *dir,
            char       **extra_args,
            guint        batch,
            guint        connections,
            double       seconds,
            BenchRow    *row,
            GError     **error)
{
  g_autofree char *path = g_strdup_printf ("%s/http-%u.jmw", dir, batch);
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = NULL;
  gint64 events;
  gint64 stored;

  if ((key = create_workspace (path, error)) == NULL)
    return FALSE;
  if ((server = start_server (cli, path, extra_args, &url, error)) == NULL)
    return FALSE;

  events = load_listener (url, (GPid) atoi (g_subprocess_get_identifier (server)), key, batch,
                          connections, seconds, row, error);
  if (events < 0)
    {
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      return FALSE;
    }

  if (!stop_server (server, error))
    return FALSE;

  /* Everything acknowledged must be in the workspace (warm-up events come on top). */
  stored = count_events (path);
  row->stored_all = stored >= events;

  g_remove (path);
  return TRUE;
}

/* The same events through jm_store_insert_events() in this process: one transaction per
 * batch, synchronous=FULL. Only the insert calls are timed (not building the events).
 */
static gboolean
bench_raw (const char  *dir,
           guint        batch,
           double       seconds,
           double      *out_events_per_second,
           GError     **error)
{
  g_autofree char *path = g_strdup_printf ("%s/raw-%u.jmw", dir, batch);
  g_autofree char *prefix = g_strdup_printf ("raw-%u", batch);
  g_autoptr(JmStore) store = NULL;
  g_autoptr(GString) body = g_string_sized_new (64 * 1024);
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint32 rng = 0x2545f491u ^ batch;
  gint64 project;
  gint64 timed = 0;
  gint64 wall_began = g_get_monotonic_time ();
  guint64 seq = 0;
  guint64 events = 0;

  store = jm_store_open (path, JM_STORE_OPEN_DEFAULT, error);
  if (store == NULL || !jm_store_lookup_project (store, NULL, &project, error))
    return FALSE;

  while (timed < seconds * G_USEC_PER_SEC &&
         g_get_monotonic_time () - wall_began < 4 * seconds * G_USEC_PER_SEC)
    {
      g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) jm_event_free);
      JsonArray *array;
      JmInsertResult result;
      gint64 began;

      build_body (body, ROUTE_NATIVE, prefix, seq, batch, &rng, NULL);
      seq += batch;
      if (!json_parser_load_from_data (parser, body->str, (gssize) body->len, error))
        return FALSE;
      array = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "events");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JmEvent *event = jm_event_new_from_json (json_array_get_object_element (array, i),
                                                   jm_store_now_ms (), NULL, error);
          if (event == NULL)
            return FALSE;
          g_ptr_array_add (list, event);
        }

      began = g_get_monotonic_time ();
      if (!jm_store_insert_events (store, project, (JmEvent **) list->pdata, list->len, &result,
                                   error))
        return FALSE;
      timed += g_get_monotonic_time () - began;
      events += result.inserted;
    }

  *out_events_per_second = events / (timed / (double) G_USEC_PER_SEC);
  g_clear_object (&store);
  g_remove (path);
  return TRUE;
}

static const char *
met (gboolean ok)
{
  return ok ? "met" : "MISSED";
}

static int
run_benchmark (const char  *cli,
               char       **extra_args,
               guint        connections,
               double       seconds)
{
  static const guint batches[] = { 1, 20, 100 };
  BenchRow rows[G_N_ELEMENTS (batches)];
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jm-bench-ingest-XXXXXX", &error);
  BenchRow *single = &rows[0];
  BenchRow *hundred = &rows[2];

  if (dir == NULL)
    {
      g_printerr ("bench-ingest: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    {
      if (!bench_http (cli, dir, extra_args, batches[i], connections, seconds, &rows[i], &error) ||
          !bench_raw (dir, batches[i], MIN (seconds, 3.0), &rows[i].raw_events_per_second, &error))
        {
          g_printerr ("bench-ingest: batch of %u: %s\n", batches[i], error->message);
          g_rmdir (dir);
          return 1;
        }
    }
  g_rmdir (dir);

  g_print ("ingest over HTTP: journeymapper-cli serve, POST /api/v1/events, %u keep-alive "
           "connections, %.0f s per batch size, synchronous=FULL\n", connections, seconds);
  g_print ("raw ceiling: jm_store_insert_events() in one process, one transaction per batch, "
           "synchronous=FULL\n");
  g_print ("server / client CPU: CPU time of the listener / of this load generator per "
           "acknowledged event (both share this machine's %u cores)\n\n",
           g_get_num_processors ());
  g_print ("%6s %11s %10s %8s %8s %13s %7s %11s %11s %7s\n", "batch", "requests/s", "events/s",
           "p50 ms", "p99 ms", "raw events/s", "of raw", "server CPU", "client CPU", "failed");
  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    {
      BenchRow *row = &rows[i];

      g_print ("%6u %11.0f %10.0f %8.2f %8.2f %13.0f %6.0f%% %8.1f us %8.1f us %7"
               G_GUINT64_FORMAT "\n",
               row->batch, row->requests_per_second, row->events_per_second, row->p50_ms,
               row->p99_ms, row->raw_events_per_second,
               100.0 * row->events_per_second / MAX (row->raw_events_per_second, 1.0),
               row->server_us_per_event, row->load_us_per_event, row->failed);
      if (row->failed > 0)
        g_print ("       %" G_GUINT64_FORMAT " requests failed (first status %d; %" G_GUINT64_FORMAT
                 " rate limited)\n", row->failed, row->first_bad_status, row->rate_limited);
      if (!row->stored_all)
        g_print ("       ERROR: the workspace holds fewer events than were acknowledged\n");
    }

  g_print ("\ntargets:\n");
  g_print ("  single events: >= %.0f requests/s: %.0f, %s\n", TARGET_SINGLE_REQUESTS_PER_SECOND,
           single->requests_per_second,
           met (single->requests_per_second >= TARGET_SINGLE_REQUESTS_PER_SECOND));
  g_print ("  100-event batches: >= %.0f events/s: %.0f, %s\n", TARGET_BATCH_EVENTS_PER_SECOND,
           hundred->events_per_second,
           met (hundred->events_per_second >= TARGET_BATCH_EVENTS_PER_SECOND));
  g_print ("  100-event batches: >= %.0f%% of the raw ceiling: %.0f%%, %s\n",
           100 * TARGET_FRACTION_OF_RAW,
           100.0 * hundred->events_per_second / MAX (hundred->raw_events_per_second, 1.0),
           met (hundred->events_per_second >=
                TARGET_FRACTION_OF_RAW * hundred->raw_events_per_second));
  g_print ("  100-event batches: p99 <= %.0f ms: %.2f ms, %s\n", TARGET_P99_MS, hundred->p99_ms,
           met (hundred->p99_ms <= TARGET_P99_MS));

  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    if (!rows[i].stored_all)
      return 1;
  return 0;
}

/* --------------------------------------------------------------------------------------
 * Crash-load mode
 */

typedef struct
{
  struct addrinfo *address;
  const char      *host;
  const char      *key;
  const char      *prefix;
  guint            batch;
  guint            index;
  gint64           deadline;    /* monotonic µs */
  int              acked_fd;
  GMutex          *acked_lock;

  guint64          acked_requests;
  guint64          acked_events;
  guint64          failed;
  gboolean         write_failed;
} CrashThread;

/* Appends the ids, one a line, and waits until they are on disk. */
static gboolean
record_acked (CrashThread *self,
              GPtrArray   *ids)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean ok;

  for (guint i = 0; i < ids->len; i++)
    {
      g_string_append (text, g_ptr_array_index (ids, i));
      g_string_append_c (text, '\n');
    }

  g_mutex_lock (self->acked_lock);
  ok = write_all_file (self->acked_fd, text->str, text->len) && fdatasync (self->acked_fd) == 0;
  g_mutex_unlock (self->acked_lock);

  return ok;
}

static gpointer
crash_thread (gpointer data)
{
  CrashThread *self = data;
  Route route = self->index % 2 == 0 ? ROUTE_NATIVE : ROUTE_SEGMENT;
  g_autofree char *authorization = dup_authorization (route, self->key);
  g_autofree char *prefix = g_strdup_printf ("%s-t%u", self->prefix, self->index);
  g_autoptr(GString) body = g_string_sized_new (64 * 1024);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  Connection connection;
  Response response = { 0 };
  guint32 rng = 0x1b873593u ^ (self->index * 2654435761u);
  guint64 seq = 0;
  gboolean have_batch = FALSE;

  connection_init (&connection, self->address, self->host);
  response.body = g_string_new (NULL);

  while (g_get_monotonic_time () < self->deadline)
    {
      /* A batch is sent again until it is acknowledged: its ids must not change. */
      if (!have_batch)
        {
          g_ptr_array_set_size (ids, 0);
          build_body (body, route, prefix, seq, self->batch, &rng, ids);
          seq += self->batch;
          have_batch = TRUE;
        }

      connection_post (&connection, route_path (route), authorization, body, &response);

      if (response.refused)
        break;   /* the listener is gone */

      if (response.status == 200 && response_accepted (&response) == (gint64) self->batch)
        {
          if (!record_acked (self, ids))
            {
              self->write_failed = TRUE;
              break;
            }
          self->acked_requests++;
          self->acked_events += self->batch;
          have_batch = FALSE;
          continue;
        }

      self->failed++;
      if (response.status == 429)
        g_usleep ((gulong) MAX (response.retry_after, 1) * G_USEC_PER_SEC);
      else
        g_usleep (20 * 1000);
    }

  connection_clear (&connection);
  g_string_free (response.body, TRUE);
  return NULL;
}

static int
run_crash_load (const char *url,
                const char *key,
                const char *acked_path,
                const char *prefix,
                guint       connections,
                guint       batch,
                double      seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  struct addrinfo *address;
  CrashThread *threads;
  GThread **handles;
  GMutex lock;
  guint64 requests = 0, events = 0, failed = 0;
  gboolean write_failed = FALSE;
  int fd;

  if ((address = resolve_url (url, &host, &error)) == NULL)
    {
      g_printerr ("bench-ingest: %s\n", error->message);
      return 2;
    }
  fd = open (acked_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      g_printerr ("bench-ingest: cannot open %s: %s\n", acked_path, g_strerror (errno));
      freeaddrinfo (address);
      return 1;
    }

  g_mutex_init (&lock);
  threads = g_new0 (CrashThread, connections);
  handles = g_new0 (GThread *, connections);
  for (guint i = 0; i < connections; i++)
    {
      threads[i].address = address;
      threads[i].host = host;
      threads[i].key = key;
      threads[i].prefix = prefix;
      threads[i].batch = batch;
      threads[i].index = i;
      threads[i].deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
      threads[i].acked_fd = fd;
      threads[i].acked_lock = &lock;
      handles[i] = g_thread_new ("crash-load", crash_thread, &threads[i]);
    }
  for (guint i = 0; i < connections; i++)
    {
      g_thread_join (handles[i]);
      requests += threads[i].acked_requests;
      events += threads[i].acked_events;
      failed += threads[i].failed;
      write_failed |= threads[i].write_failed;
    }
  g_free (threads);
  g_free (handles);
  g_mutex_clear (&lock);
  freeaddrinfo (address);
  close (fd);

  g_print ("crash-load: %" G_GUINT64_FORMAT " requests acknowledged (%" G_GUINT64_FORMAT
           " events), %" G_GUINT64_FORMAT " not acknowledged\n", requests, events, failed);
  if (write_failed)
    {
      g_printerr ("bench-ingest: cannot write %s\n", acked_path);
      return 1;
    }
  return 0;
}

/* --------------------------------------------------------------------------------------
 * Check mode
 */

static int
run_check (const char  *db_path,
           char       **acked_paths)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JmStore) store = NULL;
  sqlite3_stmt *lookup = NULL;
  sqlite3_stmt *check = NULL;
  gint64 project;
  guint64 acked = 0, missing = 0;
  gboolean integrity_ok = TRUE;
  gint64 stored;
  int rc;

  store = jm_store_open (db_path, JM_STORE_OPEN_NO_CREATE, &error);
  if (store == NULL || !jm_store_lookup_project (store, NULL, &project, &error))
    {
      g_printerr ("bench-ingest: cannot open %s: %s\n", db_path, error->message);
      return 1;
    }

  rc = sqlite3_prepare_v2 (jm_store_get_db (store),
                           "SELECT 1 FROM events WHERE project = ? AND id = ?", -1, &lookup, NULL);
  g_assert (rc == SQLITE_OK);
  sqlite3_bind_int64 (lookup, 1, project);

  for (guint f = 0; acked_paths != NULL && acked_paths[f] != NULL; f++)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (acked_paths[f], &contents, NULL, &error))
        {
          g_printerr ("bench-ingest: %s\n", error->message);
          sqlite3_finalize (lookup);
          return 1;
        }
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (lines[i][0] == '\0')
            continue;
          acked++;
          sqlite3_bind_text (lookup, 2, lines[i], -1, SQLITE_STATIC);
          if (sqlite3_step (lookup) != SQLITE_ROW)
            {
              if (missing < 5)
                g_print ("check: acknowledged but not stored: %s\n", lines[i]);
              missing++;
            }
          sqlite3_reset (lookup);
        }
    }
  sqlite3_finalize (lookup);

  rc = sqlite3_prepare_v2 (jm_store_get_db (store), "PRAGMA integrity_check", -1, &check, NULL);
  g_assert (rc == SQLITE_OK);
  while ((rc = sqlite3_step (check)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (check, 0);

      if (g_strcmp0 (text, "ok") != 0)
        {
          g_print ("check: integrity_check: %s\n", text);
          integrity_ok = FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    integrity_ok = FALSE;
  sqlite3_finalize (check);

  g_clear_object (&store);
  stored = count_events (db_path);

  g_print ("check: %" G_GUINT64_FORMAT " acknowledged, %" G_GUINT64_FORMAT " of them missing, %"
           G_GINT64_FORMAT " stored, integrity %s\n", acked, missing, stored,
           integrity_ok ? "ok" : "FAILED");

  return missing == 0 && integrity_ok && stored >= (gint64) acked ? 0 : 1;
}

/* -------------------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = NULL;
  g_autofree char *crash_load = NULL;
  g_autofree char *key = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *check = NULL;
  g_autofree char *url = NULL;
  g_auto(GStrv) acked = NULL;
  g_auto(GStrv) serve_args = NULL;
  int connections = 16;
  int batch = 20;
  double seconds = 0;
  GOptionEntry entries[] = {
    { "cli", 0, 0, G_OPTION_ARG_FILENAME, &cli,
      "journeymapper-cli to start (default: the one of this build, or $JM_CLI)", "PATH" },
    { "serve-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &serve_args,
      "Extra argument for `serve` (repeatable)", "ARG" },
    { "connections", 'c', 0, G_OPTION_ARG_INT, &connections,
      "Concurrent connections (default 16)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds,
      "Measured seconds per batch size (default 5); with --crash-load the longest run "
      "(default 30)", "S" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url,
      "Load a running listener at URL (with --key and --batch) instead of starting one", "URL" },
    { "crash-load", 0, 0, G_OPTION_ARG_STRING, &crash_load,
      "Load the listener at URL until it goes away, recording acknowledged ids", "URL" },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Ingest key for --url and --crash-load", "KEY" },
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix,
      "Message-id prefix for --crash-load (unique per run)", "TEXT" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Events per request for --url and --crash-load (default 20)",
      "N" },
    { "acked", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &acked,
      "File of acknowledged ids (written by --crash-load, read by --check; repeatable)", "FILE" },
    { "check", 0, 0, G_OPTION_ARG_FILENAME, &check,
      "Check that every acknowledged id is stored in DB and the file is intact", "DB" },
    { NULL }
  };

  context = g_option_context_new ("- load the ingest listener");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-ingest: %s\n", error->message);
      return 2;
    }
  if (connections < 1 || connections > 256 || batch < 1 || batch > 1000 || seconds < 0)
    {
      g_printerr ("bench-ingest: --connections must be 1–256, --batch 1–1000, --seconds ≥ 0\n");
      return 2;
    }

  if (check != NULL)
    {
      if (acked == NULL)
        {
          g_printerr ("bench-ingest: --check needs --acked FILE\n");
          return 2;
        }
      return run_check (check, acked);
    }

  if (crash_load != NULL)
    {
      if (key == NULL || prefix == NULL || acked == NULL || acked[0] == NULL ||
          acked[1] != NULL)
        {
          g_printerr ("bench-ingest: --crash-load needs --key, --prefix and one --acked FILE\n");
          return 2;
        }
      return run_crash_load (crash_load, key, acked[0], prefix, (guint) connections,
                             (guint) batch, seconds > 0 ? seconds : 30);
    }

  if (url != NULL)
    {
      BenchRow row;

      if (key == NULL)
        {
          g_printerr ("bench-ingest: --url needs --key\n");
          return 2;
        }
      if (load_listener (url, 0, key, (guint) batch, (guint) connections, seconds > 0 ? seconds : 5,
                         &row, &error) < 0)
        {
          g_printerr ("bench-ingest: %s\n", error->message);
          return 1;
        }
      g_print ("%u-event batches, %d connections: %.0f requests/s, %.0f events/s, p50 %.2f ms, "
               "p99 %.2f ms, %" G_GUINT64_FORMAT " failed\n", row.batch, connections,
               row.requests_per_second, row.events_per_second, row.p50_ms, row.p99_ms,
               row.failed);
      return row.failed == 0 ? 0 : 1;
    }

  if (cli == NULL)
    cli = g_strdup (g_getenv ("JM_CLI") != NULL ? g_getenv ("JM_CLI") : JM_CLI_PATH);
  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("bench-ingest: %s is not an executable (use --cli)\n", cli);
      return 2;
    }

  return run_benchmark (cli, serve_args, (guint) connections, seconds > 0 ? seconds : 5);
}
