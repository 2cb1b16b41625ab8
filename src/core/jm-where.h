/* jm-where.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jm-event-log.h"

G_BEGIN_DECLS

/* JmWhere: a parsed `--where` expression (DESIGN §5, issue "Filters and segments").
 *
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := unary ("and" unary)*
 *   unary   := "not" unary | primary
 *   primary := "(" expr ")" | field "exists" | field op literal
 *            | field "in" "(" literal ("," literal)* ")" | field "not" "in" "(" … ")"
 *   op      := "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" (regular expression match)
 *   field   := ("properties" | "context" | "traits") ("." name)+ | "name" | "channel"
 *   literal := "string" (double or single quotes, backslash escapes) | number | true | false
 *
 * Keywords are case-insensitive. Comparisons of a number with a number are numeric, of strings
 * lexicographic; a missing field makes every comparison false (and "not" of it true).
 * Terms over traits.* look at the event's customer, so an expression of traits alone selects
 * whole customers.
 *
 * Details: "not in" holds for a present value equal to none of the list (a missing field
 * fails it too). A string that is entirely a number ("42", "-1.5") compares numerically with
 * a number, so text columns of CSV imports still compare as numbers; otherwise values of
 * different kinds are unequal (= false, != true) and unordered (<, > false). true/false take
 * only = and !=. `~` searches (unanchored, PCRE syntax) strings and the text of numbers and
 * booleans. A JSON null is missing. `channel` is the event's own touch (missing when it has
 * none). In strings, \\ \" \' \n \t \r \uXXXX are escapes and any other backslash is kept,
 * so "\d+" reaches the regular expression as written. Field names after the dots are
 * letters, digits, _ - $ @ and non-ASCII characters. Parentheses and "not" nest at most 64
 * levels deep.
 */
typedef struct _JmWhere JmWhere;

#define JM_WHERE_ERROR (jm_where_error_quark ())

typedef enum
{
  JM_WHERE_ERROR_SYNTAX,   /* message: "column N: …" */
} JmWhereError;

GQuark     jm_where_error_quark   (void);

/* On a syntax error sets `error` with a message starting "column N:" (1-based) and, if given,
 * `out_column` to N.
 */
JmWhere   *jm_where_parse         (const char   *text,
                                   guint        *out_column,
                                   GError      **error);
void       jm_where_free          (JmWhere      *self);
const char *jm_where_get_text     (JmWhere      *self);
/* The distinct fields the expression reads ("properties.plan", "traits.country", "name",
 * …), in order of appearance: a new array of new strings.
 */
GPtrArray *jm_where_get_fields    (JmWhere      *self);
/* TRUE when the expression reads only traits.*: it selects whole customers. */
gboolean   jm_where_is_per_customer (JmWhere    *self);

/* Evaluates over every event of `log`, setting keep[i] to TRUE or FALSE. */
gboolean   jm_where_evaluate      (JmWhere      *self,
                                   JmEventLog   *log,
                                   gboolean     *keep,
                                   GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JmWhere, jm_where_free)

G_END_DECLS
