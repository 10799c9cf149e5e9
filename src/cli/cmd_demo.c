/* cmd_demo.c — `wangge demo`: build the demo county (and, once the web UI
 * exists, serve it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "demo/demo.h"
#include "ledger/validate.h"
#include "auth/auth.h"
#include "territory/plan.h"

static void progress(void *ctx, const char *stage, double fraction) {
  (void)ctx;
  if (!isatty(2)) return;
  fprintf(stderr, "\rbuilding the demo county: %-24s %3.0f%%", stage, fraction * 100);
  if (fraction >= 1.0) fprintf(stderr, "\n");
  fflush(stderr);
}

/* An existing file may be replaced only when it is an earlier demo. */
static int may_replace(const wg_cli *cli) {
  if (strncmp(cli->db, "postgres", 8) == 0) {
    /* A PostgreSQL database is never dropped: the demo goes into an empty
     * one only. */
    wg_store_t *s = NULL;
    if (wg_store_open(cli->db, WG_STORE_CREATE, &s, NULL) != WG_OK) return 1; /* say why later */
    char *v = NULL;
    int empty = wg_store_meta_get(s, "county", &v) == WG_ENOTFOUND;
    free(v);
    wg_store_close(s);
    return empty;
  }
  if (access(cli->db, F_OK) != 0) return 1;
  wg_store_t *s = NULL;
  if (wg_store_open(cli->db, 0, &s, NULL) != WG_OK) return 0;
  char *v = NULL;
  int ok = wg_store_meta_get(s, "demo", &v) == WG_OK;
  free(v);
  wg_store_close(s);
  return ok;
}

/* The demo's sign-in accounts: one per kind of user, sharing one password
 * that is printed (this is a demo database, never a county's). */
#define DEMO_PASSWORD "wangge-demo-2026"

typedef struct first_grid {
  const char *community;
  char code[19];
} first_grid;

static int take_first(void *ctx, const wg_grid_t *g) {
  first_grid *f = ctx;
  if (strcmp(g->community, f->community) != 0) return 0;
  memcpy(f->code, g->code, sizeof f->code);
  return 1;
}

static wg_err demo_users(wg_store_t *s, int64_t plan_id, wg_errinfo *ei) {
  wg_division_t binhe;
  wg_err e = wg_store_division_find(s, WG_DEMO_COUNTY, "滨河社区", &binhe);
  if (e) return wg_errinfo_set(ei, e, "the demo has no 滨河社区");
  first_grid grid = {.community = binhe.code};
  e = wg_store_grid_each(s, plan_id, 2, take_first, &grid);
  if (e) return e;
  struct {
    const char *login;
    wg_role role;
    unsigned perms;
    const char *scope;
  } accounts[] = {
      {"admin", WG_ROLE_ADMIN, WG_PERM_UNMASK | WG_PERM_MANAGE_USERS, "141127000000"},
      {"county", WG_ROLE_COUNTY, WG_PERM_UNMASK, "141127000000"},
      {"binhe", WG_ROLE_COMMUNITY, 0, binhe.code},
      {"gridworker", WG_ROLE_GRID_WORKER, 0, grid.code},
  };
  for (size_t i = 0; i < sizeof accounts / sizeof *accounts && !e; i++) {
    wg_user u = {.role = accounts[i].role, .perms = accounts[i].perms, .nscopes = 1};
    snprintf(u.login, sizeof u.login, "%s", accounts[i].login);
    snprintf(u.scopes[0], sizeof u.scopes[0], "%s", accounts[i].scope);
    e = wg_auth_user_add(s, &u, DEMO_PASSWORD, "demo", ei);
  }
  if (!e)
    printf("  账号 accounts:           admin, county, binhe (滨河社区), gridworker (its grid %s);\n"
           "                           password for all: %s\n",
           grid.code, DEMO_PASSWORD);
  return e;
}

int wg_cmd_demo(const wg_cli *cli, int argc, char **argv) {
  wg_demo_opts o;
  wg_demo_opts_init(&o);
  o.progress = progress;
  int serve = 1;
  const char *listen = NULL;
  long matters = -1; /* -1: scaled to the residents */
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(argv[i], "--seed") == 0 && v) {
      o.seed = strtoull(v, NULL, 10);
      i++;
    } else if (strcmp(argv[i], "--residents") == 0 && v) {
      char *end;
      o.residents = strtol(v, &end, 10);
      if (*end || o.residents < WG_DEMO_MIN_RESIDENTS || o.residents > WG_DEMO_MAX_RESIDENTS) {
        fprintf(stderr, "wangge demo: --residents must be %ld to %ld\n", WG_DEMO_MIN_RESIDENTS,
                WG_DEMO_MAX_RESIDENTS);
        return 2;
      }
      i++;
    } else if (strcmp(argv[i], "--today") == 0 && v) {
      int d;
      if (wg_date_parse(v, &d) != WG_DATE_OK) {
        fprintf(stderr, "wangge demo: --today '%s' is not a date\n", v);
        return 2;
      }
      o.today = d;
      i++;
    } else if (strcmp(argv[i], "--matters") == 0 && v) {
      char *end;
      matters = strtol(v, &end, 10);
      if (*end || matters < 0 || matters > 2000000) {
        fprintf(stderr, "wangge demo: --matters must be 0 to 2000000\n");
        return 2;
      }
      i++;
    } else if (strcmp(argv[i], "--no-serve") == 0) {
      serve = 0;
    } else if (strcmp(argv[i], "--listen") == 0 && v) {
      listen = v;
      i++;
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      printf("usage: wangge [--db PATH] demo [--seed N] [--residents N] [--today DATE]\n"
             "       [--matters N] [--no-serve | --listen ADDR:PORT]\n\n"
             "Builds a realistic synthetic county modelled on Lan County (岚县, 141127):\n"
             "real township and village codes, the county seat's urban communities,\n"
             "estates, buildings, households and residents (default about 130,000) with\n"
             "valid ID numbers and a year of ledger history. Deterministic for a seed and\n"
             "date. Replaces the database only if it is an earlier demo. Then divides it\n"
             "into grids, creates demo accounts and serves it (`wangge serve`) unless\n"
             "--no-serve. A year of matters comes with it: a grid worker per level-2 grid\n"
             "and --matters N reports (default 50,000 for the default county, scaled to\n"
             "--residents; 0 for none).\n");
      return 0;
    } else {
      fprintf(stderr, "wangge demo: unexpected '%s'\n", argv[i]);
      return 2;
    }
  }
  if (!may_replace(cli)) {
    fprintf(stderr, "wangge demo: %s exists and is not a demo database; not replacing it\n",
            cli->db);
    return 1;
  }
  char side[1100];
  unlink(cli->db);
  snprintf(side, sizeof side, "%s-wal", cli->db);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", cli->db);
  unlink(side);
  wg_store_t *s = wg_cli_open(cli, WG_STORE_CREATE);
  if (!s) return 1;
  wg_demo_summary sum;
  wg_errinfo ei = {0};
  wg_err e = wg_demo_build(s, &o, &sum, &ei);
  if (!e) e = wg_store_meta_set(s, "demo", "1");
  /* Divide it into grids with the model county's bounds and make that the
   * plan in use. */
  wg_plan_opts po;
  wg_plan_opts_init(&po);
  po.county = WG_DEMO_COUNTY;
  po.actor = "demo";
  po.note = "demo county, model bounds";
  wg_plan_report rep;
  memset(&rep, 0, sizeof rep);
  if (!e) {
    progress(NULL, "dividing into grids", 0.0);
    e = wg_plan_divide(s, &po, &rep, &ei);
    if (!e) e = wg_store_plan_activate(s, rep.plan_id);
    progress(NULL, "dividing into grids", 1.0);
  }
  if (e) {
    wg_store_close(s);
    wg_plan_report_free(&rep);
    wg_cli_error("demo", e, &ei);
    return 1;
  }
  printf("demo county written to %s\n", cli->db);
  wg_demo_summary_print(&sum, stdout);
  printf("  网格 grids:              plan #%lld active: %d level-1, %d level-2, %d level-3 grids "
         "(%d violations forced by the data, %d avoidable; `wangge plan show %lld`)\n",
         (long long)rep.plan_id, rep.ngrids[0], rep.ngrids[1], rep.ngrids[2], rep.result.forced,
         rep.result.avoidable, (long long)rep.plan_id);
  e = demo_users(s, rep.plan_id, &ei);
  if (matters < 0)
    matters = (long)((double)WG_DEMO_MATTERS * (double)(o.residents ? o.residents
                                                                      : WG_DEMO_DEFAULT_RESIDENTS) /
                     (double)WG_DEMO_DEFAULT_RESIDENTS);
  if (!e && matters > 0) {
    long made = 0;
    progress(NULL, "a year of matters", 0.0);
    e = wg_demo_matters(s, rep.plan_id, sum.today, o.seed, matters, &made, &ei);
    progress(NULL, "a year of matters", 1.0);
    if (!e)
      printf("\n  事项 matters:            %ld over the year, one grid worker per level-2 grid "
             "(`wangge matter figures`)\n",
             made);
  }
  /* The organisation on the grids: staff, members, Party organisation,
   * visits, rosters and a closed mobilisation call. */
  wg_demo_org_summary org;
  if (!e) {
    progress(NULL, "organisation", 0.0);
    e = wg_demo_org(s, o.seed, sum.today, sum.asked, &org, &ei);
    progress(NULL, "organisation", 1.0);
    if (!e) wg_demo_org_print(&org, stdout);
  }
  if (!e) {
    wg_demo_campaigns_summary cs;
    progress(NULL, "campaigns and targets", 0.0);
    e = wg_demo_campaigns(s, &o, sum.today, &cs, &ei);
    progress(NULL, "campaigns and targets", 1.0);
    if (!e)
      printf("  专项 campaigns:          #%lld testing round (%ld of %ld reported), #%lld elderly "
             "vaccination (%ld of %ld done), #%lld veterans policy push (%ld of %ld handled); "
             "skills-training targets, %d weeks × %d townships of actuals\n",
             (long long)cs.testing_id, cs.testing_reported, cs.testing_items,
             (long long)cs.vaccination_id, cs.vaccination_done, cs.vaccination_items,
             (long long)cs.policy_id, cs.policy_handled, cs.policy_items, cs.skills_weeks,
             cs.skills_townships);
  }
  wg_store_close(s);
  wg_plan_report_free(&rep);
  if (e) {
    wg_cli_error("demo accounts and organisation", e, &ei);
    return 1;
  }
  if (!serve) return 0;
  /* Serve the demo county (loopback unless --listen says otherwise). */
  fflush(stdout);
  char *serve_argv[4] = {(char *)"serve", NULL, NULL, NULL};
  int serve_argc = 1;
  if (listen) {
    serve_argv[serve_argc++] = (char *)"--listen";
    serve_argv[serve_argc++] = (char *)listen;
  }
  return wg_cmd_serve(cli, serve_argc, serve_argv);
}
