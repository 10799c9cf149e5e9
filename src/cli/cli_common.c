/* cli_common.c — helpers every subcommand shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const wg_command wg_cli_commands[] = {
    {"init", "create a database for a county and load its division codes", wg_cmd_init},
    {"divisions", "load or list statistical division codes (行政区划)", wg_cmd_divisions},
    {"import", "import residents (CSV, XLSX) or buildings (GeoJSON, Shapefile)", wg_cmd_import},
    {"export", "export residents to CSV or XLSX (masked)", wg_cmd_export},
    {"ledger", "list the ledger, now or as it stood on a date", wg_cmd_ledger},
    {"resident", "show a resident's history; record moves, deaths, corrections, tags",
     wg_cmd_resident},
    {"plan", "list, show, compare, activate and export grid plans", wg_cmd_plan},
    {"locate", "the grids (levels 1-3) that hold a point", wg_cmd_locate},
    {"tags", "list or add resident tags (退役军人, 独居老人, …)", wg_cmd_tags},
    {"divide", "divide the ledger (or a file of units) into nested grids", wg_cmd_divide},
    {"check", "check a plan (stored or a file), or whether grid counts can fit bounds",
     wg_cmd_check},
    {"demo", "build the demo county (岚县), divide it and serve it", wg_cmd_demo},
    {"serve", "serve the JSON API and the web UI (loopback by default)", wg_cmd_serve},
    {"user", "add, list, disable users; set passwords (roles and scopes)", wg_cmd_user},
    {"audit", "list the audit log (who, when, what, from where)", wg_cmd_audit},
    {"matter", "matters (事项): report, route, handle, verify, close, evaluate; figures",
     wg_cmd_matter},
    {"category", "categories of matters and their stage deadlines", wg_cmd_category},
    {"apikey", "API keys of Open311 clients (add, list, revoke)", wg_cmd_apikey},
    {"settings", "the county's settings: division bounds, village rule, barriers", wg_cmd_settings},
    {"db", "database maintenance: check, version", wg_cmd_db},
    {"migrate", "move a county from SQLite into PostgreSQL, verified table by table",
     wg_cmd_migrate},
    {"org", "grid workers, Party organisation and members, service, contact, rosters, visits",
     wg_cmd_org},
    {"incident", "emergency mobilisation: open a call, answers, head-count, close", wg_cmd_incident},
    {"campaign", "campaigns (专项工作): create by query, mark stages, import, roll up", wg_cmd_campaign},
    {"target", "indicators and targets (周通报、月调度、季推进): assign, report actuals", wg_cmd_target},
    {"report", "weekly / monthly / quarterly reports and campaign reports (XLSX, HTML)", wg_cmd_report},
    {NULL, NULL, NULL},
};

void wg_cli_error(const char *what, wg_err err, const wg_errinfo *ei) {
  char msg[1024];
  wg_errinfo_format(ei, err, msg, sizeof msg);
  if (what && *what)
    fprintf(stderr, "wangge: %s: %s\n", what, msg);
  else
    fprintf(stderr, "wangge: %s\n", msg);
}

wg_store_t *wg_cli_open(const wg_cli *cli, unsigned flags) {
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  wg_err e = wg_store_open(cli->db, flags, &s, &ei);
  if (e) {
    wg_cli_error("", e, &ei);
    return NULL;
  }
  return s;
}

int wg_cli_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
  return 0;
}

int wg_cli_county(wg_store_t *s, char out[7]) {
  char *v = NULL;
  if (wg_store_meta_get(s, "county", &v) != WG_OK || !v || strlen(v) != 6) {
    fprintf(stderr, "wangge: this database serves no county yet (wangge init --county CODE)\n");
    free(v);
    return 0;
  }
  memcpy(out, v, 7);
  free(v);
  return 1;
}
