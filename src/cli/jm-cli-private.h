/* jm-cli-private.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "journey.h"

G_BEGIN_DECLS

/* Exit statuses of DESIGN §11. */
#define JM_CLI_EXIT_OK      0
#define JM_CLI_EXIT_FAILURE 1
#define JM_CLI_EXIT_USAGE   2

typedef enum
{
  JM_OUTPUT_TEXT,
  JM_OUTPUT_JSON,
  JM_OUTPUT_CSV,
} JmOutputFormat;

/* The options every command takes. */
typedef struct
{
  char           *db;
  char           *format_name;
  char           *project;
  JmOutputFormat  format;
} JmCliCommon;

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} JmCliCommand;

/* Entries for --db and --format (and --project when `with_project`); terminated. */
GOptionEntry   *jm_cli_common_entries      (JmCliCommon      *common,
                                            gboolean          with_project);
void            jm_cli_common_clear        (JmCliCommon      *common);

/* Parses argv with `context` plus the common entries; on failure prints the reason and
 * returns FALSE (the caller exits with JM_CLI_EXIT_USAGE). `allow_csv` says whether the
 * command's result is a table.
 */
gboolean        jm_cli_parse               (GOptionContext   *context,
                                            JmCliCommon      *common,
                                            gboolean          allow_csv,
                                            int              *argc,
                                            char           ***argv);

JmStore        *jm_cli_open_store          (JmCliCommon      *common,
                                            GError          **error);
gboolean        jm_cli_lookup_project      (JmStore          *store,
                                            JmCliCommon      *common,
                                            gint64           *out_id,
                                            GError          **error);
char           *jm_cli_dup_default_db      (void);

/* "journeymapper-cli COMMAND: MESSAGE" on stderr; returns JM_CLI_EXIT_USAGE. */
int             jm_cli_usage               (const char       *format,
                                            ...) G_GNUC_PRINTF (1, 2);
/* The error's message on stderr, one line; returns JM_CLI_EXIT_FAILURE. */
int             jm_cli_fail                (const GError     *error);

void            jm_cli_print_json          (JsonNode         *node);
/* `{"MEMBER":"VALUE"}`, with `"FLAG":true` added when `flag` is given (what `--format json`
 * prints for a command that changed one thing).
 */
void            jm_cli_print_confirmation  (const char       *member,
                                            const char       *value,
                                            const char       *flag);
void            jm_cli_print_table         (const JmTable    *table);
char           *jm_cli_format_time         (gint64            ms);
gboolean        jm_cli_stderr_is_terminal  (void);

int             jm_cli_run_analyze         (int               argc,
                                            char            **argv);
int             jm_cli_run_customers       (int               argc,
                                            char            **argv);
int             jm_cli_run_demo            (int               argc,
                                            char            **argv);
int             jm_cli_run_import          (int               argc,
                                            char            **argv);
int             jm_cli_run_insights        (int               argc,
                                            char            **argv);
int             jm_cli_run_keys            (int               argc,
                                            char            **argv);
int             jm_cli_run_layout          (int               argc,
                                            char            **argv);
int             jm_cli_run_projects        (int               argc,
                                            char            **argv);
int             jm_cli_run_render          (int               argc,
                                            char            **argv);
int             jm_cli_run_segments        (int               argc,
                                            char            **argv);
int             jm_cli_run_serve           (int               argc,
                                            char            **argv);
int             jm_cli_run_stats           (int               argc,
                                            char            **argv);

/* Runs the subcommand named by argv[1] among `commands`, or prints their list. */
int             jm_cli_dispatch            (const char         *group,
                                            const JmCliCommand *commands,
                                            guint               n_commands,
                                            int                 argc,
                                            char              **argv);

G_END_DECLS
