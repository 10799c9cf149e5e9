/* cli.h — subcommands of the `wangge` binary.
 *
 * Each command takes the global options already parsed (the database URI)
 * and its own argv (argv[0] is the command name). It returns the process
 * exit status: 0 success, 1 the work failed or found problems, 2 usage. */
#ifndef WG_CLI_H
#define WG_CLI_H

typedef struct wg_cli {
  const char *db;      /* --db, $WANGGE_DB, or "wangge.db" */
  const char *actor;   /* who runs it, for events and audit: "cli:<user>" */
} wg_cli;

typedef struct wg_command {
  const char *name;
  const char *summary;
  int (*run)(const wg_cli *cli, int argc, char **argv);
} wg_command;

/* NULL-terminated table of commands, in help order. */
extern const wg_command wg_cli_commands[];

int wg_cmd_init(const wg_cli *cli, int argc, char **argv);
int wg_cmd_divisions(const wg_cli *cli, int argc, char **argv);
int wg_cmd_import(const wg_cli *cli, int argc, char **argv);
int wg_cmd_export(const wg_cli *cli, int argc, char **argv);
int wg_cmd_ledger(const wg_cli *cli, int argc, char **argv);
int wg_cmd_resident(const wg_cli *cli, int argc, char **argv);
int wg_cmd_demo(const wg_cli *cli, int argc, char **argv);
int wg_cmd_db(const wg_cli *cli, int argc, char **argv);
int wg_cmd_tags(const wg_cli *cli, int argc, char **argv);
int wg_cmd_divide(const wg_cli *cli, int argc, char **argv);
int wg_cmd_check(const wg_cli *cli, int argc, char **argv);
int wg_cmd_plan(const wg_cli *cli, int argc, char **argv);
int wg_cmd_settings(const wg_cli *cli, int argc, char **argv);
int wg_cmd_locate(const wg_cli *cli, int argc, char **argv);
int wg_cmd_user(const wg_cli *cli, int argc, char **argv);
int wg_cmd_audit(const wg_cli *cli, int argc, char **argv);
int wg_cmd_serve(const wg_cli *cli, int argc, char **argv);
int wg_cmd_migrate(const wg_cli *cli, int argc, char **argv);
int wg_cmd_org(const wg_cli *cli, int argc, char **argv);
int wg_cmd_incident(const wg_cli *cli, int argc, char **argv);
int wg_cmd_campaign(const wg_cli *cli, int argc, char **argv);
int wg_cmd_target(const wg_cli *cli, int argc, char **argv);
int wg_cmd_report(const wg_cli *cli, int argc, char **argv);
/* `wangge divide` on the ledger (cmd_plan.c); the divide command calls it
 * when no --units file is given. */
int wg_cli_divide_ledger(const wg_cli *cli, int argc, char **argv);
/* `wangge check --plan ID [--json]` (cmd_plan.c). */
int wg_cli_check_plan(const wg_cli *cli, const char *id, int json);

int wg_cmd_matter(const wg_cli *cli, int argc, char **argv);
int wg_cmd_category(const wg_cli *cli, int argc, char **argv);
int wg_cmd_apikey(const wg_cli *cli, int argc, char **argv);

/* Shared helpers for commands (cli_common.c). */
#include "store/store.h"

/* Prints "wangge: <context>: <message>" for err to stderr. */
void wg_cli_error(const char *what, wg_err err, const wg_errinfo *ei);
/* Opens the store named by cli->db; prints the error and returns NULL on
 * failure. */
wg_store_t *wg_cli_open(const wg_cli *cli, unsigned flags);
/* True when argv[i] is -h or --help. */
int wg_cli_wants_help(int argc, char **argv);
/* The county this database serves (meta "county"), into out[7]; prints an
 * error when unset. */
int wg_cli_county(wg_store_t *s, char out[7]);

/* `wangge matter figures` (cmd_matter.c). */
int wg_cli_matter_figures(wg_store_t *s, const char *county, const char *by, int level,
                          const char *from, const char *to, int64_t now);

#endif
