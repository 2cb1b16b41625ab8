/* trickle-stream.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <string.h>

/* An input stream that hands out its data a few bytes per read, so that readers meet every
 * buffer boundary: inside strings, escapes, quotes and line ends.
 */

#define TEST_TYPE_TRICKLE_STREAM (test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, TEST, TRICKLE_STREAM, GInputStream)

struct _TestTrickleStream
{
  GInputStream  parent_instance;
  GBytes       *bytes;
  gsize         position;
  gsize         step;
};

G_DEFINE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, G_TYPE_INPUT_STREAM)

static gssize
test_trickle_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (stream);
  gsize size;
  const guint8 *data = g_bytes_get_data (self->bytes, &size);
  gsize n = MIN (MIN (count, self->step), size - self->position);

  if (n == 0)
    return 0;

  memcpy (buffer, data + self->position, n);
  self->position += n;
  /* Vary the chunk size so boundaries fall everywhere. */
  self->step = self->step % 3 + 1;

  return (gssize) n;
}

static void
test_trickle_stream_finalize (GObject *object)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (object);

  g_bytes_unref (self->bytes);

  G_OBJECT_CLASS (test_trickle_stream_parent_class)->finalize (object);
}

static void
test_trickle_stream_class_init (TestTrickleStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = test_trickle_stream_finalize;
  stream_class->read_fn = test_trickle_stream_read;
}

static void
test_trickle_stream_init (TestTrickleStream *self)
{
  self->step = 1;
}

static inline GInputStream *
test_trickle_stream_new (const char *text,
                         gssize      length)
{
  TestTrickleStream *self = g_object_new (TEST_TYPE_TRICKLE_STREAM, NULL);

  self->bytes = g_bytes_new (text, length < 0 ? strlen (text) : (gsize) length);

  return G_INPUT_STREAM (self);
}

static inline GInputStream *
test_memory_stream_new (const char *text,
                        gssize      length)
{
  return g_memory_input_stream_new_from_data (g_memdup2 (text, length < 0 ? strlen (text)
                                                                           : (gsize) length),
                                              length < 0 ? (gssize) strlen (text) : length,
                                              g_free);
}
