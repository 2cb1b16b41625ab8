/* jm-where.c
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "jm-where"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jm-where.h"

/* A recursive-descent parser over a small hand-written lexer; errors name the column (in
 * characters, 1-based) where the parser was when it gave up. Nesting (parentheses and
 * "not") is limited, so that hostile input cannot exhaust the stack, here or when evaluating.
 *
 * Evaluation works per distinct value, not per event: each comparison becomes a table of
 * booleans over its field's dictionary (a regular expression runs once per distinct value),
 * and the per-event pass is table look-ups combined by and/or/not.
 */

G_DEFINE_QUARK (jm-where-error-quark, jm_where_error)

#define MAX_DEPTH 64

typedef enum
{
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_MATCH,
} Op;

typedef enum
{
  LITERAL_STRING,
  LITERAL_INTEGER,
  LITERAL_DOUBLE,
  LITERAL_BOOLEAN,
} LiteralKind;

typedef struct
{
  LiteralKind  kind;
  char        *string;
  gint64       integer;
  double       number;    /* also set for integers */
  gboolean     boolean;
} Literal;

typedef enum
{
  NODE_OR,
  NODE_AND,
  NODE_NOT,
  NODE_COMPARE,
  NODE_IN,
  NODE_EXISTS,
} NodeKind;

typedef struct _Node Node;

struct _Node
{
  NodeKind   kind;
  GPtrArray *children;   /* or, and, not: Node* */
  guint      field;      /* index into JmWhere.fields */
  guint      leaf;       /* index of this comparison among all of them */
  Op         op;
  gboolean   negated;    /* not in */
  GArray    *literals;   /* Literal */
  GRegex    *regex;
};

struct _JmWhere
{
  char      *text;
  Node      *root;
  GPtrArray *fields;     /* char*, distinct, in order of appearance */
  guint      n_leaves;
};

static void
literal_clear (gpointer data)
{
  Literal *literal = data;

  g_clear_pointer (&literal->string, g_free);
}

static void
node_free (gpointer data)
{
  Node *node = data;

  if (node == NULL)
    return;

  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->literals, g_array_unref);
  g_clear_pointer (&node->regex, g_regex_unref);
  g_free (node);
}

static Node *
node_new (NodeKind kind)
{
  Node *node = g_new0 (Node, 1);

  node->kind = kind;
  if (kind == NODE_OR || kind == NODE_AND || kind == NODE_NOT)
    node->children = g_ptr_array_new_with_free_func (node_free);
  else
    {
      node->literals = g_array_new (FALSE, TRUE, sizeof (Literal));
      g_array_set_clear_func (node->literals, literal_clear);
    }

  return node;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Node, node_free)

/* Lexer ---------------------------------------------------------------------------------- */

typedef enum
{
  TOKEN_END,
  TOKEN_OPEN,
  TOKEN_CLOSE,
  TOKEN_COMMA,
  TOKEN_OP,
  TOKEN_STRING,
  TOKEN_NUMBER,
  TOKEN_WORD,
} TokenKind;

typedef struct
{
  TokenKind   kind;
  const char *start;
  gsize       length;
  Op          op;
  char       *string;   /* TOKEN_STRING: the unescaped text */
} Token;

typedef struct
{
  const char *text;
  const char *pos;
  Token       token;    /* the current (look-ahead) token */
  guint       depth;
  JmWhere    *where;
  GError     *error;
  const char *error_at;
} Parser;

static guint
column_of (Parser     *parser,
           const char *at)
{
  return g_utf8_pointer_to_offset (parser->text, at) + 1;
}

static gboolean
fail (Parser     *parser,
      const char *at,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (Parser     *parser,
      const char *at,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (parser->error != NULL)
    return FALSE;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  parser->error_at = at;
  parser->error = g_error_new (JM_WHERE_ERROR, JM_WHERE_ERROR_SYNTAX, "column %u: %s",
                               column_of (parser, at), message);
  return FALSE;
}

static gboolean
is_word_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || (guchar)c >= 0x80;
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.' || c == '-' || c == '$' || c == '@' ||
         (guchar)c >= 0x80;
}

/* The length of a JSON-style number at `p` (-?digits[.digits][e[+-]digits]), or 0. */
static gsize
scan_number (const char *p)
{
  const char *start = p;

  if (*p == '-' || *p == '+')
    p++;
  if (!g_ascii_isdigit (*p))
    return 0;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.' && g_ascii_isdigit (p[1]))
    {
      p++;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      const char *exponent = p + 1;

      if (*exponent == '-' || *exponent == '+')
        exponent++;
      if (g_ascii_isdigit (*exponent))
        {
          p = exponent;
          while (g_ascii_isdigit (*p))
            p++;
        }
    }

  return p - start;
}

static gboolean
scan_string (Parser *parser)
{
  const char *start = parser->pos;
  char quote = *start;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = start + 1;

  while (*p != quote)
    {
      if (*p == '\0')
        return fail (parser, start, "this string has no closing %c", quote);

      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          switch (*p)
            {
            case '\\': g_string_append_c (text, '\\'); p++; break;
            case '"': g_string_append_c (text, '"'); p++; break;
            case '\'': g_string_append_c (text, '\''); p++; break;
            case 'n': g_string_append_c (text, '\n'); p++; break;
            case 't': g_string_append_c (text, '\t'); p++; break;
            case 'r': g_string_append_c (text, '\r'); p++; break;
            case 'u':
              {
                gunichar c = 0;

                for (guint k = 1; k <= 4; k++)
                  {
                    if (!g_ascii_isxdigit (p[k]))
                      return fail (parser, p - 1, "expected four hexadecimal digits after \\u");
                    c = c * 16 + g_ascii_xdigit_value (p[k]);
                  }
                if (c == 0 || !g_unichar_validate (c))
                  return fail (parser, p - 1, "\\u%04X is not a character", c);
                g_string_append_unichar (text, c);
                p += 5;
              }
              break;
            default:
              /* Kept as written, so that regular expressions read naturally: "\d+". */
              g_string_append_c (text, '\\');
              break;
            }
          continue;
        }

      g_string_append_c (text, *p);
      p++;
    }

  parser->token.kind = TOKEN_STRING;
  parser->token.start = start;
  parser->token.length = p + 1 - start;
  parser->token.string = g_string_free (g_steal_pointer (&text), FALSE);
  parser->pos = p + 1;

  return TRUE;
}

/* Reads the next token into parser->token. */
static gboolean
advance (Parser *parser)
{
  const char *p = parser->pos;
  Token *token = &parser->token;
  gsize length;

  g_clear_pointer (&token->string, g_free);

  while (g_ascii_isspace (*p))
    p++;

  parser->pos = p;
  token->start = p;
  token->length = 1;

  switch (*p)
    {
    case '\0':
      token->kind = TOKEN_END;
      token->length = 0;
      return TRUE;
    case '(':
      token->kind = TOKEN_OPEN;
      break;
    case ')':
      token->kind = TOKEN_CLOSE;
      break;
    case ',':
      token->kind = TOKEN_COMMA;
      break;
    case '=':
      token->kind = TOKEN_OP;
      token->op = OP_EQ;
      token->length = p[1] == '=' ? 2 : 1;
      break;
    case '!':
      if (p[1] != '=')
        return fail (parser, p, "expected != (“!” alone is not an operator; use “not”)");
      token->kind = TOKEN_OP;
      token->op = OP_NE;
      token->length = 2;
      break;
    case '<':
      token->kind = TOKEN_OP;
      token->op = p[1] == '=' ? OP_LE : OP_LT;
      token->length = p[1] == '=' ? 2 : 1;
      break;
    case '>':
      token->kind = TOKEN_OP;
      token->op = p[1] == '=' ? OP_GE : OP_GT;
      token->length = p[1] == '=' ? 2 : 1;
      break;
    case '~':
      token->kind = TOKEN_OP;
      token->op = OP_MATCH;
      break;
    case '"':
    case '\'':
      return scan_string (parser);
    default:
      if ((length = scan_number (p)) > 0)
        {
          if (is_word_char (p[length]))
            return fail (parser, p, "expected a number, found “%.*s”",
                         (int)(length + 1), p);
          token->kind = TOKEN_NUMBER;
          token->length = length;
        }
      else if (is_word_start (*p))
        {
          length = 0;
          while (is_word_char (p[length]))
            length++;
          token->kind = TOKEN_WORD;
          token->length = length;
        }
      else
        {
          gunichar c = g_utf8_get_char (p);
          char buffer[8] = { 0, };

          g_unichar_to_utf8 (c, buffer);
          return fail (parser, p, "unexpected character “%s”", buffer);
        }
      break;
    }

  parser->pos = p + token->length;
  return TRUE;
}

static gboolean
token_is_word (const Token *token,
               const char  *word)
{
  return token->kind == TOKEN_WORD && token->length == strlen (word) &&
         g_ascii_strncasecmp (token->start, word, token->length) == 0;
}

/* How a token is shown in a message. */
static char *
describe_token (const Token *token)
{
  if (token->kind == TOKEN_END)
    return g_strdup ("the end of the expression");

  return g_strdup_printf ("“%.*s”", (int)MIN (token->length, 40), token->start);
}

/* Parser --------------------------------------------------------------------------------- */

static Node *parse_or (Parser *parser);

static gboolean
enter (Parser     *parser,
       const char *at)
{
  if (parser->depth >= MAX_DEPTH)
    return fail (parser, at, "the expression nests more than %d levels deep", MAX_DEPTH);

  parser->depth++;
  return TRUE;
}

static guint
add_field (Parser     *parser,
           const char *field)
{
  GPtrArray *fields = parser->where->fields;

  for (guint i = 0; i < fields->len; i++)
    {
      if (strcmp (g_ptr_array_index (fields, i), field) == 0)
        return i;
    }

  g_ptr_array_add (fields, g_strdup (field));
  return fields->len - 1;
}

static const char field_hint[] =
  "a field (properties.NAME, context.NAME, traits.NAME, name or channel)";

/* A field name from the current word; its prefix is case-insensitive like the keywords. */
static gboolean
parse_field (Parser *parser,
             guint  *out_field)
{
  static const char * const prefixes[] = { "properties", "context", "traits" };
  const Token *token = &parser->token;
  g_autofree char *word = NULL;
  g_autofree char *found = NULL;

  if (token->kind != TOKEN_WORD)
    {
      found = describe_token (token);
      return fail (parser, token->start, "expected %s, found %s", field_hint, found);
    }

  word = g_strndup (token->start, token->length);

  if (token_is_word (token, "name") || token_is_word (token, "channel"))
    {
      g_autofree char *lower = g_ascii_strdown (word, -1);

      *out_field = add_field (parser, lower);
      return advance (parser);
    }

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      gsize length = strlen (prefixes[i]);

      if (token->length > length && word[length] == '.' &&
          g_ascii_strncasecmp (word, prefixes[i], length) == 0)
        {
          g_autofree char *field = g_strconcat (prefixes[i], word + length, NULL);

          if (!jm_event_log_field_is_valid (field))
            return fail (parser, token->start,
                         "expected a name after each dot of “%s”", word);

          *out_field = add_field (parser, field);
          return advance (parser);
        }
    }

  found = describe_token (token);
  return fail (parser, token->start, "expected %s, found %s", field_hint, found);
}

static gboolean
parse_literal (Parser     *parser,
               Node       *node,
               const char *after)
{
  Token *token = &parser->token;
  Literal literal = { 0, };
  g_autofree char *found = NULL;

  if (token->kind == TOKEN_STRING)
    {
      literal.kind = LITERAL_STRING;
      literal.string = g_steal_pointer (&token->string);
    }
  else if (token->kind == TOKEN_NUMBER)
    {
      g_autofree char *text = g_strndup (token->start, token->length);
      char *end = NULL;
      gint64 integer;

      literal.number = g_ascii_strtod (text, NULL);
      integer = g_ascii_strtoll (text, &end, 10);
      if (end != NULL && *end == '\0' && literal.number == (double)integer)
        {
          literal.kind = LITERAL_INTEGER;
          literal.integer = integer;
        }
      else
        literal.kind = LITERAL_DOUBLE;
      literal.string = g_steal_pointer (&text);
    }
  else if (token_is_word (token, "true") || token_is_word (token, "false"))
    {
      literal.kind = LITERAL_BOOLEAN;
      literal.boolean = token_is_word (token, "true");
    }
  else
    {
      found = describe_token (token);
      return fail (parser, token->start,
                   "expected a value (a quoted string, a number, true or false) after %s, "
                   "found %s", after, found);
    }

  g_array_append_val (node->literals, literal);
  return advance (parser);
}

static gboolean
parse_list (Parser *parser,
            Node   *node,
            const char *after)
{
  g_autofree char *found = NULL;

  if (parser->token.kind != TOKEN_OPEN)
    {
      found = describe_token (&parser->token);
      return fail (parser, parser->token.start, "expected “(” after %s, found %s", after, found);
    }

  if (!advance (parser) || !parse_literal (parser, node, "“(”"))
    return FALSE;

  while (parser->token.kind == TOKEN_COMMA)
    {
      if (!advance (parser) || !parse_literal (parser, node, "“,”"))
        return FALSE;
    }

  if (parser->token.kind != TOKEN_CLOSE)
    {
      found = describe_token (&parser->token);
      return fail (parser, parser->token.start, "expected “,” or “)” in the list, found %s",
                   found);
    }

  return advance (parser);
}

static const char *
op_text (Op op)
{
  static const char * const texts[] = { "=", "!=", "<", "<=", ">", ">=", "~" };

  return texts[op];
}

static Node *
parse_primary (Parser *parser)
{
  g_autoptr(Node) node = NULL;
  g_autofree char *found = NULL;
  guint field = 0;

  if (parser->token.kind == TOKEN_OPEN)
    {
      const char *open = parser->token.start;

      if (!enter (parser, open) || !advance (parser))
        return NULL;

      node = parse_or (parser);
      if (node == NULL)
        return NULL;

      if (parser->token.kind != TOKEN_CLOSE)
        {
          found = describe_token (&parser->token);
          fail (parser, parser->token.start, "expected “)” to close the “(” of column %u, "
                "found %s", column_of (parser, open), found);
          return NULL;
        }

      parser->depth--;
      return advance (parser) ? g_steal_pointer (&node) : NULL;
    }

  if (!parse_field (parser, &field))
    return NULL;

  if (token_is_word (&parser->token, "exists"))
    {
      node = node_new (NODE_EXISTS);
      node->field = field;
      return advance (parser) ? g_steal_pointer (&node) : NULL;
    }

  if (token_is_word (&parser->token, "in"))
    {
      node = node_new (NODE_IN);
      node->field = field;
      return advance (parser) && parse_list (parser, node, "“in”")
        ? g_steal_pointer (&node) : NULL;
    }

  if (token_is_word (&parser->token, "not"))
    {
      if (!advance (parser))
        return NULL;

      if (!token_is_word (&parser->token, "in"))
        {
          found = describe_token (&parser->token);
          fail (parser, parser->token.start, "expected “in” after “not”, found %s", found);
          return NULL;
        }

      node = node_new (NODE_IN);
      node->field = field;
      node->negated = TRUE;
      return advance (parser) && parse_list (parser, node, "“not in”")
        ? g_steal_pointer (&node) : NULL;
    }

  if (parser->token.kind == TOKEN_OP)
    {
      const Literal *literal;
      const char *value_at;
      g_autofree char *after = g_strdup_printf ("“%s”", op_text (parser->token.op));

      node = node_new (NODE_COMPARE);
      node->field = field;
      node->op = parser->token.op;

      if (!advance (parser))
        return NULL;

      value_at = parser->token.start;
      if (!parse_literal (parser, node, after))
        return NULL;

      literal = &g_array_index (node->literals, Literal, 0);

      if (node->op == OP_MATCH)
        {
          g_autoptr(GError) regex_error = NULL;

          if (literal->kind != LITERAL_STRING)
            {
              fail (parser, value_at, "expected a regular expression in quotes after “~”");
              return NULL;
            }

          node->regex = g_regex_new (literal->string, G_REGEX_OPTIMIZE, 0, &regex_error);
          if (node->regex == NULL)
            {
              fail (parser, value_at, "invalid regular expression: %s", regex_error->message);
              return NULL;
            }
        }
      else if (literal->kind == LITERAL_BOOLEAN && node->op != OP_EQ && node->op != OP_NE)
        {
          fail (parser, value_at, "true and false can only be compared with = or !=");
          return NULL;
        }

      return g_steal_pointer (&node);
    }

  found = describe_token (&parser->token);
  fail (parser, parser->token.start,
        "expected an operator (=, !=, <, <=, >, >=, ~, in, not in or exists), found %s", found);
  return NULL;
}

static Node *
parse_unary (Parser *parser)
{
  if (token_is_word (&parser->token, "not"))
    {
      g_autoptr(Node) node = node_new (NODE_NOT);
      Node *child;

      if (!enter (parser, parser->token.start) || !advance (parser))
        return NULL;

      child = parse_unary (parser);
      if (child == NULL)
        return NULL;

      parser->depth--;
      g_ptr_array_add (node->children, child);
      return g_steal_pointer (&node);
    }

  return parse_primary (parser);
}

/* and/or chains are n-ary nodes built in a loop: long chains do not deepen the recursion. */
static Node *
parse_chain (Parser     *parser,
             NodeKind    kind,
             const char *keyword)
{
  g_autoptr(Node) chain = NULL;
  Node *operand;

  operand = kind == NODE_OR ? parse_chain (parser, NODE_AND, "and") : parse_unary (parser);
  if (operand == NULL)
    return NULL;

  while (token_is_word (&parser->token, keyword))
    {
      if (chain == NULL)
        {
          chain = node_new (kind);
          g_ptr_array_add (chain->children, operand);
        }

      if (!advance (parser))
        return NULL;

      operand = kind == NODE_OR ? parse_chain (parser, NODE_AND, "and") : parse_unary (parser);
      if (operand == NULL)
        return NULL;

      g_ptr_array_add (chain->children, operand);
    }

  return chain != NULL ? g_steal_pointer (&chain) : operand;
}

static Node *
parse_or (Parser *parser)
{
  return parse_chain (parser, NODE_OR, "or");
}

static void
number_leaves (JmWhere *self,
               Node    *node)
{
  if (node->children != NULL)
    {
      for (guint i = 0; i < node->children->len; i++)
        number_leaves (self, g_ptr_array_index (node->children, i));
    }
  else
    node->leaf = self->n_leaves++;
}

JmWhere *
jm_where_parse (const char  *text,
                guint       *out_column,
                GError     **error)
{
  g_autoptr(JmWhere) self = NULL;
  Parser parser = { 0, };
  const char *invalid = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_column != NULL)
    *out_column = 0;

  self = g_new0 (JmWhere, 1);
  self->text = g_strdup (text);
  self->fields = g_ptr_array_new_with_free_func (g_free);

  parser.text = self->text;
  parser.pos = self->text;
  parser.where = self;

  if (!g_utf8_validate (text, -1, &invalid))
    {
      /* Columns are counted in characters of the valid part. */
      g_set_error (error, JM_WHERE_ERROR, JM_WHERE_ERROR_SYNTAX,
                   "column %ld: the expression is not valid UTF-8",
                   g_utf8_pointer_to_offset (text, invalid) + 1);
      if (out_column != NULL)
        *out_column = g_utf8_pointer_to_offset (text, invalid) + 1;
      return NULL;
    }

  if (advance (&parser))
    self->root = parse_or (&parser);

  if (self->root != NULL && parser.token.kind != TOKEN_END)
    {
      g_autofree char *found = describe_token (&parser.token);

      fail (&parser, parser.token.start, "expected “and”, “or” or the end of the expression, "
            "found %s", found);
    }

  g_clear_pointer (&parser.token.string, g_free);

  if (parser.error != NULL)
    {
      if (out_column != NULL)
        *out_column = column_of (&parser, parser.error_at);
      g_propagate_error (error, parser.error);
      return NULL;
    }

  number_leaves (self, self->root);

  return g_steal_pointer (&self);
}

void
jm_where_free (JmWhere *self)
{
  if (self == NULL)
    return;

  node_free (self->root);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_free (self->text);
  g_free (self);
}

const char *
jm_where_get_text (JmWhere *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

GPtrArray *
jm_where_get_fields (JmWhere *self)
{
  GPtrArray *fields;

  g_return_val_if_fail (self != NULL, NULL);

  fields = g_ptr_array_new_full (self->fields->len, g_free);
  for (guint i = 0; i < self->fields->len; i++)
    g_ptr_array_add (fields, g_strdup (g_ptr_array_index (self->fields, i)));

  return fields;
}

gboolean
jm_where_is_per_customer (JmWhere *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->fields->len; i++)
    {
      if (!g_str_has_prefix (g_ptr_array_index (self->fields, i), "traits."))
        return FALSE;
    }

  return TRUE;
}

/* Evaluation ------------------------------------------------------------------------------ */

typedef enum
{
  VALUE_MISSING,
  VALUE_STRING,
  VALUE_INTEGER,
  VALUE_DOUBLE,
  VALUE_BOOLEAN,
  VALUE_OTHER,     /* an object or an array */
} ValueKind;

typedef struct
{
  ValueKind   kind;
  const char *string;
  gint64      integer;
  double      number;
  gboolean    boolean;
} Value;

static void
value_from_node (Value    *value,
                 JsonNode *node)
{
  memset (value, 0, sizeof *value);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;

  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      value->kind = VALUE_OTHER;
      return;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      value->kind = VALUE_STRING;
      value->string = json_node_get_string (node);
      break;
    case G_TYPE_INT64:
      value->kind = VALUE_INTEGER;
      value->integer = json_node_get_int (node);
      value->number = (double)value->integer;
      break;
    case G_TYPE_DOUBLE:
      value->kind = VALUE_DOUBLE;
      value->number = json_node_get_double (node);
      break;
    case G_TYPE_BOOLEAN:
      value->kind = VALUE_BOOLEAN;
      value->boolean = json_node_get_boolean (node);
      break;
    default:
      value->kind = VALUE_OTHER;
      break;
    }
}

/* A string that is entirely a number, as numbers are written in JSON. */
static gboolean
parse_numeric_string (const char *string,
                      double     *out_number)
{
  gsize length = scan_number (string);

  if (length == 0 || string[length] != '\0')
    return FALSE;

  *out_number = g_ascii_strtod (string, NULL);
  return TRUE;
}

static gboolean
op_holds (Op  op,
          int cmp)
{
  switch (op)
    {
    case OP_EQ: return cmp == 0;
    case OP_NE: return cmp != 0;
    case OP_LT: return cmp < 0;
    case OP_LE: return cmp <= 0;
    case OP_GT: return cmp > 0;
    case OP_GE: return cmp >= 0;
    case OP_MATCH:
    default:
      return FALSE;
    }
}

static int
compare_doubles (double a,
                 double b)
{
  return a < b ? -1 : (a > b ? 1 : 0);
}

/* Numbers compare as numbers (a string that is a whole number counts as one: CSV imports
 * store numbers as text), strings as strings (byte order, which is code point order),
 * booleans only for (in)equality. Values of different kinds are unequal and unordered;
 * a missing value makes every comparison false.
 */
static gboolean
compare_value (const Value   *value,
               Op             op,
               const Literal *literal,
               GRegex        *regex)
{
  gboolean value_is_number = value->kind == VALUE_INTEGER || value->kind == VALUE_DOUBLE;
  gboolean literal_is_number = literal->kind == LITERAL_INTEGER ||
                               literal->kind == LITERAL_DOUBLE;
  double number;

  if (value->kind == VALUE_MISSING)
    return FALSE;

  if (op == OP_MATCH)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];
      const char *text = NULL;

      switch (value->kind)
        {
        case VALUE_STRING:
          text = value->string;
          break;
        case VALUE_INTEGER:
          g_snprintf (buffer, sizeof buffer, "%" G_GINT64_FORMAT, value->integer);
          text = buffer;
          break;
        case VALUE_DOUBLE:
          text = g_ascii_dtostr (buffer, sizeof buffer, value->number);
          break;
        case VALUE_BOOLEAN:
          text = value->boolean ? "true" : "false";
          break;
        case VALUE_MISSING:
        case VALUE_OTHER:
        default:
          return FALSE;
        }

      return g_regex_match (regex, text, 0, NULL);
    }

  if (value_is_number && literal_is_number)
    {
      if (value->kind == VALUE_INTEGER && literal->kind == LITERAL_INTEGER)
        return op_holds (op, value->integer < literal->integer ? -1
                             : value->integer > literal->integer ? 1 : 0);
      return op_holds (op, compare_doubles (value->number, literal->number));
    }

  if (value_is_number && literal->kind == LITERAL_STRING &&
      parse_numeric_string (literal->string, &number))
    return op_holds (op, compare_doubles (value->number, number));

  if (value->kind == VALUE_STRING && literal_is_number &&
      parse_numeric_string (value->string, &number))
    return op_holds (op, compare_doubles (number, literal->number));

  if (value->kind == VALUE_STRING && literal->kind == LITERAL_STRING)
    return op_holds (op, strcmp (value->string, literal->string));

  if (value->kind == VALUE_BOOLEAN && literal->kind == LITERAL_BOOLEAN)
    return op_holds (op, value->boolean == literal->boolean ? 0 : 1);

  /* Different kinds: not equal, and not ordered. */
  return op == OP_NE;
}

static gboolean
leaf_holds (const Node  *node,
            const Value *value)
{
  const Literal *literals = (const Literal *)(gconstpointer)node->literals->data;

  if (value->kind == VALUE_MISSING)
    return FALSE;

  switch (node->kind)
    {
    case NODE_EXISTS:
      return TRUE;

    case NODE_COMPARE:
      return compare_value (value, node->op, &literals[0], node->regex);

    case NODE_IN:
      for (guint i = 0; i < node->literals->len; i++)
        {
          if (compare_value (value, OP_EQ, &literals[i], NULL))
            return !node->negated;
        }
      return node->negated;

    case NODE_OR:
    case NODE_AND:
    case NODE_NOT:
    default:
      g_assert_not_reached ();
    }
}

/* Where a field's per-event value indices come from. */
typedef struct
{
  const guint32         *u32;       /* a loaded field or the name column */
  const guint8          *u8;        /* the channel column */
  const JmEventLogField *field;     /* NULL for name and channel */
  guint32                n_values;
} FieldColumn;

typedef struct
{
  const FieldColumn *columns;
  guint8           **tables;        /* per leaf: value index → holds */
} Evaluation;

static inline guint32
value_index (const FieldColumn *column,
             guint32            i)
{
  return column->u32 != NULL ? column->u32[i] : column->u8[i];
}

static gboolean
evaluate_node (const Node       *node,
               const Evaluation *evaluation,
               guint32           i)
{
  switch (node->kind)
    {
    case NODE_OR:
      for (guint k = 0; k < node->children->len; k++)
        {
          if (evaluate_node (g_ptr_array_index (node->children, k), evaluation, i))
            return TRUE;
        }
      return FALSE;

    case NODE_AND:
      for (guint k = 0; k < node->children->len; k++)
        {
          if (!evaluate_node (g_ptr_array_index (node->children, k), evaluation, i))
            return FALSE;
        }
      return TRUE;

    case NODE_NOT:
      return !evaluate_node (g_ptr_array_index (node->children, 0), evaluation, i);

    case NODE_COMPARE:
    case NODE_IN:
    case NODE_EXISTS:
    default:
      return evaluation->tables[node->leaf][value_index (&evaluation->columns[node->field], i)];
    }
}

/* Allocates and fills the table of every comparison under `node`. */
static void
build_tables (const Node       *node,
              JmEventLog       *log,
              const Evaluation *evaluation)
{
  const FieldColumn *column;
  guint8 *table;

  if (node->children != NULL)
    {
      for (guint k = 0; k < node->children->len; k++)
        build_tables (g_ptr_array_index (node->children, k), log, evaluation);
      return;
    }

  column = &evaluation->columns[node->field];
  table = g_malloc0 (MAX (column->n_values, 1));
  evaluation->tables[node->leaf] = table;

  for (guint32 v = 0; v < column->n_values; v++)
    {
      Value value = { 0, };

      if (column->field != NULL)
        value_from_node (&value, column->field->values[v]);
      else if (column->u32 != NULL)
        {
          value.kind = VALUE_STRING;
          value.string = jm_event_log_get_name (log, v);
        }
      else if (v > 0)
        {
          /* Channel 0 is "no touch": the field is missing. */
          value.kind = VALUE_STRING;
          value.string = jm_event_log_get_channel (log, v);
        }

      table[v] = leaf_holds (node, &value);
    }
}

gboolean
jm_where_evaluate (JmWhere     *self,
                   JmEventLog  *log,
                   gboolean    *keep,
                   GError     **error)
{
  const JmEventLogColumns *columns;
  g_autofree FieldColumn *field_columns = NULL;
  g_autofree guint8 **tables = NULL;
  Evaluation evaluation;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (keep != NULL || jm_event_log_get_columns (log)->n_events == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  columns = jm_event_log_get_columns (log);
  field_columns = g_new0 (FieldColumn, MAX (self->fields->len, 1));

  for (guint f = 0; f < self->fields->len; f++)
    {
      const char *name = g_ptr_array_index (self->fields, f);
      FieldColumn *column = &field_columns[f];

      if (strcmp (name, "name") == 0)
        {
          column->u32 = columns->name;
          column->n_values = jm_event_log_get_n_names (log);
        }
      else if (strcmp (name, "channel") == 0)
        {
          column->u8 = columns->channel;
          column->n_values = jm_event_log_get_n_channels (log);
        }
      else
        {
          column->field = jm_event_log_get_field (log, name, error);
          if (column->field == NULL)
            return FALSE;
          column->u32 = column->field->value;
          column->n_values = column->field->n_values;
        }
    }

  tables = g_new0 (guint8 *, MAX (self->n_leaves, 1));
  evaluation.columns = field_columns;
  evaluation.tables = tables;
  build_tables (self->root, log, &evaluation);

  for (guint32 i = 0; i < columns->n_events; i++)
    keep[i] = evaluate_node (self->root, &evaluation, i);

  for (guint l = 0; l < self->n_leaves; l++)
    g_free (tables[l]);

  return TRUE;
}
