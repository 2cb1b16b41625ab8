/* jm-ingest-writer.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "journey.h"
#include "jm-live-bus.h"
#include "jm-server-metrics.h"

G_BEGIN_DECLS

/* The group commit of the listener (DESIGN §4). One thread owns the only writing connection
 * to the workspace (synchronous=FULL). It takes every batch queued while the previous
 * transaction was being written, stores them in one transaction (the batches of a project
 * together, in their order), commits (one fsync for all of them), counts them in the
 * metrics, publishes what was stored on the live bus, and only then hands the batches back.
 * When the store fails, the whole transaction is rolled back and every batch of it comes back
 * with the error: nothing is acknowledged that was not kept.
 */
typedef struct _JmIngestWriter JmIngestWriter;

typedef struct
{
  gint64          project;
  GPtrArray      *events;     /* JmEvent*, prepared for the store (owned by the caller) */

  /* Set by the writer when the transaction failed (nothing of it was stored) */
  GError         *error;

  gpointer        user_data;
} JmIngestBatch;

/* Called on the writer thread with the batches of one transaction (JmIngestBatch*, in the
 * order they were queued), after their commit or failure.
 */
typedef void (*JmIngestWriterDone) (GPtrArray *batches,
                                    gpointer   user_data);

/* Opens the workspace and starts the writer thread. */
JmIngestWriter *jm_ingest_writer_new              (const char          *workspace_path,
                                                   JmLiveBus           *bus,
                                                   JmServerMetrics     *metrics,
                                                   JmIngestWriterDone   done,
                                                   gpointer             user_data,
                                                   GError             **error);
/* Writes every batch still queued, answers them, and stops the thread. */
void            jm_ingest_writer_free             (JmIngestWriter      *self);

void            jm_ingest_writer_push             (JmIngestWriter      *self,
                                                   JmIngestBatch       *batch);

/* Events in the workspace: counted once when the writer starts, plus what it stored since. */
gint64          jm_ingest_writer_get_event_count  (JmIngestWriter      *self);
/* Whether the last transaction failed (the store is unavailable until one succeeds). */
gboolean        jm_ingest_writer_is_failing       (JmIngestWriter      *self);

/* Runs `sql` on the writer's connection, between two transactions, and waits for it. For
 * tests: a small PRAGMA max_page_count makes the disk "full" for the writer alone.
 */
gboolean        jm_ingest_writer_exec             (JmIngestWriter      *self,
                                                   const char          *sql,
                                                   GError             **error);

G_END_DECLS
