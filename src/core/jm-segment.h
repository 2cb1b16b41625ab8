/* jm-segment.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-store.h"
#include "jm-units.h"

G_BEGIN_DECLS

/* A saved segment (DESIGN §3): kind `filter` is a where-expression evaluated anew on every
 * analysis; kind `list` is a fixed set of customer ids (e.g. the units that dropped out of a
 * funnel step).
 */
typedef enum
{
  JM_SEGMENT_FILTER,
  JM_SEGMENT_LIST,
} JmSegmentKind;

typedef struct
{
  gint64         id;
  char          *name;
  JmSegmentKind  kind;
  char          *where;          /* filter: the expression */
  GPtrArray     *customer_ids;   /* list: char* customer ids */
  gint64         created;        /* ms */
} JmSegment;

const char *jm_segment_kind_to_string    (JmSegmentKind   kind);

/* Saves a filter segment; the expression is checked first (errors say the column). */
gboolean    jm_store_create_filter_segment (JmStore            *self,
                                            gint64              project,
                                            const char         *name,
                                            const char         *where,
                                            GError            **error);
gboolean    jm_store_create_list_segment   (JmStore            *self,
                                            gint64              project,
                                            const char         *name,
                                            const char * const *customer_ids,
                                            guint               n_customer_ids,
                                            GError            **error);
GPtrArray  *jm_store_list_segments         (JmStore            *self,
                                            gint64              project,
                                            GError            **error);
JmSegment  *jm_store_load_segment          (JmStore            *self,
                                            gint64              project,
                                            const char         *name,
                                            GError            **error);
gboolean    jm_store_delete_segment        (JmStore            *self,
                                            gint64              project,
                                            const char         *name,
                                            GError            **error);
void        jm_segment_free                (JmSegment          *segment);

/* Narrows `filter` to the segment: a filter segment is combined with the filter's own
 * where-expression (both must hold), a list segment selects its customers (those of both
 * when the filter already had a set). What is put into the filter is returned in
 * `out_where` / `out_customers` for the caller to free after the analysis.
 */
gboolean    jm_segment_apply               (JmSegment          *segment,
                                            JmFilter           *filter,
                                            JmWhere           **out_where,
                                            GHashTable        **out_customers,
                                            GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmSegment, jm_segment_free)

G_END_DECLS
