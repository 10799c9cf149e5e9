/* cmd_campaign.c — `wangge campaign` (专项工作), `wangge target` (指标与目标)
 * and `wangge report` (周通报、月调度、季推进, campaign reports). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign/campaign_ops.h"
#include "cli/cli.h"
#include "ledger/ledger.h"
#include "ledger/present.h"
#include "ledger/validate.h"
#include "report/report.h"
#include "target/target_ops.h"

/* ---- shared option parsing ------------------------------------------------------ */

typedef struct opts {
  const char *name, *template_code, *stages, *kind, *where, *date, *note, *stage, *unit,
      *level, *format, *out, *period, *division, *value, *reason, *until, *limit;
  int correct, pending, unmask, json, time;
  const char *pos[4];
  int npos;
} opts;

static int parse(const char *cmd, int argc, char **argv, int from, opts *o) {
  memset(o, 0, sizeof *o);
  for (int i = from; i < argc; i++) {
    const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(flag, field)         \
  if (!strcmp(k, flag)) {        \
    if (!v) goto missing;        \
    o->field = v;                \
    i++;                         \
    continue;                    \
  }
    OPT("--name", name) OPT("--template", template_code) OPT("--stages", stages)
    OPT("--kind", kind) OPT("--where", where) OPT("--date", date) OPT("--note", note)
    OPT("--stage", stage) OPT("--unit", unit) OPT("--level", level) OPT("--format", format)
    OPT("--out", out) OPT("--period", period) OPT("--division", division) OPT("--value", value)
    OPT("--reason", reason) OPT("--until", until) OPT("--limit", limit)
#undef OPT
    if (!strcmp(k, "--correct")) { o->correct = 1; continue; }
    if (!strcmp(k, "--pending")) { o->pending = 1; continue; }
    if (!strcmp(k, "--unmask")) { o->unmask = 1; continue; }
    if (!strcmp(k, "--json")) { o->json = 1; continue; }
    if (!strcmp(k, "--time")) { o->time = 1; continue; }
    if (k[0] == '-' && k[1]) {
      fprintf(stderr, "wangge %s: unknown option '%s'\n", cmd, k);
      return 0;
    }
    if (o->npos >= 4) {
      fprintf(stderr, "wangge %s: unexpected '%s'\n", cmd, k);
      return 0;
    }
    o->pos[o->npos++] = k;
    continue;
  missing:
    fprintf(stderr, "wangge %s: %s needs a value\n", cmd, k);
    return 0;
  }
  return 1;
}

static int parse_id(const char *cmd, const char *text, int64_t *id) {
  char *end = NULL;
  long long v = text ? strtoll(text, &end, 10) : 0;
  if (!text || !*text || *end || v <= 0) {
    fprintf(stderr, "wangge %s: '%s' is not a campaign number (wangge campaign list)\n", cmd,
            text ? text : "");
    return 0;
  }
  *id = v;
  return 1;
}

static int parse_day(const char *cmd, const char *flag, const char *text, int32_t *out) {
  int d;
  if (wg_date_parse(text, &d) != WG_DATE_OK) {
    fprintf(stderr, "wangge %s: %s '%s' is not a date (YYYY-MM-DD)\n", cmd, flag, text);
    return 0;
  }
  *out = d;
  return 1;
}

/* A division given as a 12-digit code or a name within the county. */
static int resolve_division(wg_store_t *s, const char *county, const char *word, char out[13]) {
  wg_division_t d;
  if (word && strlen(word) == 12 && wg_store_division_get(s, word, &d) == WG_OK) {
    memcpy(out, d.code, 13);
    return 1;
  }
  wg_err e = word ? wg_store_division_find(s, county, word, &d) : WG_ENOTFOUND;
  if (e == WG_OK) {
    memcpy(out, d.code, 13);
    return 1;
  }
  fprintf(stderr, "wangge: --division '%s': %s\n", word ? word : "",
          e == WG_ECONFLICT ? "more than one division has this name: give the code"
                            : "no such division in this county (wangge divisions)");
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the process: on a shared machine, what the work itself costs. */
static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* ---- campaign ------------------------------------------------------------------ */

static void campaign_help(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] campaign ACTION [options]\n\n"
          "  templates                         the built-in campaign templates\n"
          "  create --name N (--template T | --stages S) [--where Q] [--kind person|household]\n"
          "         [--date D]                 pick the population and start the campaign\n"
          "  list                              campaigns, newest first\n"
          "  show ID                           stages and the county's figures\n"
          "  items ID [--unit CODE] [--pending] [--limit N] [--unmask --reason R]\n"
          "                                    the items (masked); --pending: not yet done\n"
          "  mark ID ITEM STAGE [--note N] [--correct]\n"
          "                                    move one item (item number, ID number or 户号)\n"
          "  import ID FILE [--stage S] [--time]  bulk update from CSV/XLSX (all or nothing)\n"
          "  rollup ID [--level L] [--json] [--time]\n"
          "                                    completion per stage at every level, ranked\n"
          "                                    (--time: 11 runs in process, times on stderr)\n"
          "  history ID [--unit CODE] [--until D]   items per stage at the end of each day\n\n"
          "Templates: testing (采样→送检→检测→报告), vaccination (60+, two doses),\n"
          "policy (households of veterans: 送达→阅知→办结), visit (households: 走访).\n"
          "The query (--where) is terms separated by spaces, all of which must hold:\n"
          "  tag=退役军人  tag!=vaccinated  age>=60  age<80  sex=F  residence=registered\n"
          "  grid=CODE[,CODE]  division=CODE[,CODE]\n"
          "Ages are taken on --date (default today). Levels: county township community\n"
          "grid1 grid2 grid3. Bulk-update columns:\n");
  wg_campaign_import_print_columns(out);
}

static void print_campaign(const wg_campaign_row *c) {
  char d[11];
  wg_date_format(c->ref_date, d);
  printf("#%lld  %s  [%s%s%s]  %ld %s items  query: %s  (date %s, by %s at %s)\n",
         (long long)c->id, c->name, c->template_code[0] ? c->template_code : "custom",
         c->kind == WG_ITEM_HOUSEHOLD ? ", " : "", c->kind == WG_ITEM_HOUSEHOLD ? "households" : "",
         c->items, c->kind == WG_ITEM_HOUSEHOLD ? "household" : "person",
         c->query[0] ? c->query : "(everyone)", d, c->actor, c->created_at);
}

static int list_one(void *ctx, const wg_campaign_row *c) {
  (void)ctx;
  print_campaign(c);
  return 0;
}

typedef struct items_ctx {
  wg_store_t *s;
  const wg_campaign_view *v;
  const char *unit;
  wg_unmask_grant grant;
  long limit, shown;
  wg_err err;
} items_ctx;

static int print_item(void *ctx, const wg_campaign_item_row *it) {
  items_ctx *x = ctx;
  if (x->unit && !wg_campaign_view_in(x->v, it->entrance_id, it->community, x->unit)) return 0;
  if (x->limit > 0 && x->shown >= x->limit) return 1;
  char codes[WG_RL_COUNT_][19];
  wg_campaign_view_place(x->v, it->entrance_id, it->community, codes);
  const char *grid = codes[WG_RL_GRID3][0]   ? codes[WG_RL_GRID3]
                     : codes[WG_RL_GRID1][0] ? codes[WG_RL_GRID1]
                                             : it->community;
  printf("%lld\t%s\t%s", (long long)it->id, x->v->stages.s[it->stage].name_zh, grid);
  if (it->resident_id) {
    wg_resident_t r;
    wg_present_row p;
    if ((x->err = wg_store_resident_get(x->s, it->resident_id, &r)) ||
        (x->err = wg_present_resident(x->s, &r, &x->grant, &p)))
      return 1;
    printf("\t%s\t%s\t%s\t%s", p.name, p.id_number, p.phone, p.address);
  } else {
    char number[40] = "";
    if (wg_store_household_number(x->s, it->household_id, number, sizeof number) != WG_OK)
      snprintf(number, sizeof number, "?");
    printf("\t户号 %s", number);
  }
  printf("\t%s\n", it->updated_at);
  x->shown++;
  return 0;
}

static int rollup_print(const wg_campaign_view *v, const wg_rollup_unit *u, int n,
                        const char *level, int json) {
  wg_rollup_level only = WG_RL_COUNT_;
  if (level && wg_rollup_level_parse(level, &only) != WG_OK) {
    fprintf(stderr, "wangge campaign: --level is county, township, community, grid1, grid2 or grid3\n");
    return 2;
  }
  int last = v->stages.n - 1;
  if (json) printf("{\"campaign\":%lld,\"stages\":[", (long long)v->c.id);
  for (int k = 0; json && k < v->stages.n; k++) printf("%s\"%s\"", k ? "," : "", v->stages.s[k].code);
  if (json) printf("],\"units\":[");
  int first = 1;
  for (int i = 0; i < n; i++) {
    if (only != WG_RL_COUNT_ && u[i].level != only) continue;
    char pc[24];
    wg_pct_format(wg_rollup_share(&u[i], v->stages.n, last), pc);
    if (json) {
      printf("%s{\"level\":\"%s\",\"code\":\"%s\",\"rank\":%d,\"reached\":[", first ? "" : ",",
             wg_rollup_level_name(u[i].level), u[i].code, u[i].rank);
      for (int k = 0; k < v->stages.n; k++) printf("%s%ld", k ? "," : "", u[i].reached[k]);
      printf("]}");
    } else {
      printf("%-9s %-18s %-16s", wg_rollup_level_name(u[i].level), u[i].code,
             strcmp(u[i].name, u[i].code) ? u[i].name : "");
      for (int k = 0; k < v->stages.n; k++) printf(" %7ld", u[i].reached[k]);
      printf("  %8s  #%d\n", pc, u[i].rank);
    }
    first = 0;
  }
  if (json) printf("]}\n");
  return 0;
}

typedef struct hist_ctx {
  int nstages;
} hist_ctx;

static int print_day(void *ctx, int32_t day, const long *reached, int nstages) {
  (void)ctx;
  char d[11];
  wg_date_format(day, d);
  printf("%s", d);
  for (int k = 0; k < nstages; k++) printf("\t%ld", reached[k]);
  printf("\n");
  return 0;
}

int wg_cmd_campaign(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    campaign_help(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *action = argv[1];
  if (!strcmp(action, "templates")) {
    for (int i = 0; i < wg_campaign_template_count(); i++) {
      const wg_campaign_template *t = wg_campaign_template_at(i);
      printf("%-12s %s / %s (%s items; default query: %s)\n  stages: %s\n", t->code, t->name_zh,
             t->name_en, t->kind == WG_ITEM_HOUSEHOLD ? "household" : "person",
             t->query[0] ? t->query : "everyone", t->stages);
    }
    return 0;
  }
  opts o;
  if (!parse("campaign", argc, argv, 2, &o)) return 2;
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  wg_errinfo ei = {0};
  wg_err e = WG_OK;
  wg_campaign_view v;
  memset(&v, 0, sizeof v);
  int64_t id = 0;
  if (!wg_cli_county(s, county)) goto done;

  if (!strcmp(action, "create")) {
    wg_campaign_spec sp = {.county = county, .name = o.name, .template_code = o.template_code,
                           .stages = o.stages, .query = o.where, .actor = cli->actor,
                           .ref_date = wg_ledger_today()};
    if (o.kind) {
      wg_item_kind k;
      if (wg_item_kind_parse(o.kind, &k) != WG_OK) {
        fprintf(stderr, "wangge campaign: --kind is person or household\n");
        rc = 2;
        goto done;
      }
      sp.kind = k;
    }
    if (o.date && !parse_day("campaign", "--date", o.date, &sp.ref_date)) goto done;
    long items = 0;
    if ((e = wg_campaign_create(s, &sp, &id, &items, &ei))) {
      wg_cli_error("campaign create", e, &ei);
      goto done;
    }
    printf("campaign #%lld created: %ld items\n", (long long)id, items);
    rc = 0;
    goto done;
  }
  if (!strcmp(action, "list")) {
    e = wg_store_campaign_each(s, county, list_one, NULL);
    rc = e ? 1 : 0;
    goto done;
  }
  /* Everything else names a campaign. */
  if (o.npos < 1 || !parse_id("campaign", o.pos[0], &id)) {
    campaign_help(stderr);
    rc = 2;
    goto done;
  }
  if ((e = wg_campaign_view_open(s, id, &v, &ei))) {
    wg_cli_error("campaign", e, &ei);
    goto done;
  }
  if (!strcmp(action, "show")) {
    print_campaign(&v.c);
    wg_rollup_unit *u = NULL;
    int n = 0;
    if ((e = wg_campaign_rollup(s, &v, &u, &n))) goto done;
    for (int k = 0; k < v.stages.n; k++) {
      char pc[24];
      long reached = n && u[0].level == WG_RL_COUNTY ? u[0].reached[k] : 0;
      wg_pct_format(n ? wg_rollup_share(&u[0], v.stages.n, k) : 0, pc);
      printf("  %d %-14s %-16s %8ld  %s\n", k, v.stages.s[k].code, v.stages.s[k].name_zh, reached,
             k ? pc : "");
    }
    free(u);
    rc = 0;
  } else if (!strcmp(action, "items")) {
    items_ctx x = {.s = s, .v = &v, .unit = o.unit, .limit = o.limit ? strtol(o.limit, NULL, 10) : 50};
    if (o.unmask) {
      char target[128];
      snprintf(target, sizeof target, "campaign:%lld items", (long long)id);
      if (wg_present_unmask_grant(s, cli->actor, target, o.reason, "cli", &x.grant) != WG_OK) {
        fprintf(stderr, "wangge campaign: --unmask needs --reason (it is audited)\n");
        goto done;
      }
    }
    e = wg_store_campaign_item_each(s, id, o.pending ? v.stages.n - 2 : -1, print_item, &x);
    if (!e) e = x.err;
    if (!e) fprintf(stderr, "%ld items shown\n", x.shown);
    rc = e ? 1 : 0;
  } else if (!strcmp(action, "mark")) {
    if (o.npos < 3) {
      fprintf(stderr, "wangge campaign mark: needs ID ITEM STAGE\n");
      rc = 2;
      goto done;
    }
    wg_campaign_mark_opts mo = {.actor = cli->actor, .correct = o.correct};
    char *end = NULL;
    long long item = strtoll(o.pos[1], &end, 10);
    int is_item = *end == '\0' && strlen(o.pos[1]) < 15 && item > 0;
    wg_campaign_item_row it;
    e = wg_campaign_mark(s, &v, is_item ? item : 0, is_item ? NULL : o.pos[1], o.pos[2], o.note,
                         &mo, &it, &ei);
    /* Digits may be an item number or a household number (户号). */
    if (e == WG_ENOTFOUND && is_item) {
      memset(&ei, 0, sizeof ei);
      e = wg_campaign_mark(s, &v, 0, o.pos[1], o.pos[2], o.note, &mo, &it, &ei);
    }
    if (e == WG_EEXIST) {
      printf("item %lld is at %s already: nothing to do\n", is_item ? item : 0, o.pos[2]);
      rc = 0;
      e = WG_OK;
    } else if (e) {
      wg_cli_error("campaign mark", e, &ei);
    } else {
      printf("item %lld → %s (%s)\n", (long long)it.id, v.stages.s[it.stage].code,
             v.stages.s[it.stage].name_zh);
      rc = 0;
    }
  } else if (!strcmp(action, "import")) {
    if (o.npos < 2) {
      fprintf(stderr, "wangge campaign import: needs ID FILE\n");
      rc = 2;
      goto done;
    }
    wg_campaign_mark_opts mo = {.actor = cli->actor, .correct = o.correct};
    wg_campaign_import_result res;
    double t0 = now_ms(), c0 = cpu_ms();
    e = wg_campaign_import(s, &v, o.pos[1], NULL, 0, o.stage, &mo, stderr, &res, &ei);
    if (o.time)
      fprintf(stderr, "import: %.1f ms in process (CPU %.1f ms)\n", now_ms() - t0, cpu_ms() - c0);
    if (e) {
      wg_cli_error("campaign import", e, &ei);
    } else {
      printf("%s: %ld rows, %ld items moved, %ld already there\n", o.pos[1], res.rows, res.moved,
             res.unchanged);
      rc = 0;
    }
  } else if (!strcmp(action, "rollup")) {
    wg_rollup_unit *u = NULL;
    int n = 0;
    if (o.time) {
      /* Each run: the roll-up of every level from the store (the GROUP BY
       * over the items' index, then the counts to every unit); the plan's
       * grids are loaded once, as a server keeps them. */
      double t[11], c[11];
      for (int i = 0; i < 11 && !e; i++) {
        double t0 = now_ms(), c0 = cpu_ms();
        free(u);
        u = NULL;
        e = wg_campaign_rollup(s, &v, &u, &n);
        t[i] = now_ms() - t0;
        c[i] = cpu_ms() - c0;
      }
      if (e) goto done;
      qsort(t, 11, sizeof t[0], cmp_double);
      qsort(c, 11, sizeof c[0], cmp_double);
      double t0 = now_ms();
      wg_campaign_view fresh;
      wg_err fe = wg_campaign_view_open(s, id, &fresh, NULL);
      double open_ms = now_ms() - t0;
      if (!fe) wg_campaign_view_free(&fresh);
      fprintf(stderr,
              "rollup of campaign #%lld: %ld items, %d units at 6 levels: median %.2f ms, best "
              "%.2f ms, worst %.2f ms over 11 runs; CPU median %.2f ms (loading the plan's "
              "grids once: %.2f ms)\n",
              (long long)id, v.c.items, n, t[5], t[0], t[10], c[5], open_ms);
    } else if ((e = wg_campaign_rollup(s, &v, &u, &n))) {
      goto done;
    }
    if (!o.json) {
      printf("%-9s %-18s %-16s", "level", "code", "name");
      for (int k = 0; k < v.stages.n; k++) printf(" %7.7s", v.stages.s[k].code);
      printf("  %8s  rank\n", "done");
    }
    rc = rollup_print(&v, u, n, o.level, o.json);
    free(u);
  } else if (!strcmp(action, "history")) {
    int32_t until = 0;
    if (o.until && !parse_day("campaign", "--until", o.until, &until)) goto done;
    printf("day");
    for (int k = 0; k < v.stages.n; k++) printf("\t%s", v.stages.s[k].code);
    printf("\n");
    e = wg_campaign_history(s, &v, o.unit, until, print_day, NULL);
    rc = e ? 1 : 0;
  } else {
    fprintf(stderr, "wangge campaign: unknown action '%s'\n", action);
    campaign_help(stderr);
    rc = 2;
  }
done:
  if (e && rc == 1 && !ei.why[0]) wg_cli_error("campaign", e, &ei);
  wg_campaign_view_free(&v);
  wg_store_close(s);
  return rc;
}

/* ---- target ------------------------------------------------------------------- */

static void target_help(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] target ACTION [options]\n\n"
          "  add CODE --name N --unit U --period week|month|quarter|year\n"
          "                                    a new indicator (e.g. skills_training 人次 week)\n"
          "  list                              indicators\n"
          "  assign CODE --division D --period P --value V\n"
          "                                    a target from above (P: 2026, 2026-Q4, 2026-11)\n"
          "  report CODE --division D --period P --value V\n"
          "                                    an actual for one period (2026-W47 for weekly)\n"
          "  show CODE --period P              completion and ranking of every unit\n\n"
          "D is a 12-digit division code or a name. Completion = actual / target, two\n"
          "decimals rounded half up (38,200 of 35,000 = 109.14%%); a unit is behind when\n"
          "below the pace (share of the target period elapsed).\n");
}

static int print_indicator(void *ctx, const wg_indicator_row *ind) {
  (void)ctx;
  printf("%-24s %s (%s, per %s)\n", ind->code, ind->name, ind->unit, ind->period_type);
  return 0;
}

int wg_cmd_target(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    target_help(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *action = argv[1];
  opts o;
  if (!parse("target", argc, argv, 2, &o)) return 2;
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7], division[13];
  int rc = 1;
  wg_errinfo ei = {0};
  wg_err e = WG_OK;
  wg_target_who who = {.actor = cli->actor};
  if (!wg_cli_county(s, county)) goto done;
  if (!strcmp(action, "list")) {
    e = wg_store_indicator_each(s, county, print_indicator, NULL);
    rc = e ? 1 : 0;
  } else if (!strcmp(action, "add")) {
    e = wg_target_indicator_add(s, county, o.npos ? o.pos[0] : NULL, o.name, o.unit, o.period, &who, &ei);
    if (e) wg_cli_error("target add", e, &ei);
    else rc = 0;
  } else if (!strcmp(action, "assign") || !strcmp(action, "report")) {
    if (!o.npos || !o.value || !o.period || !o.division) {
      fprintf(stderr, "wangge target %s: needs CODE --division D --period P --value V\n", action);
      rc = 2;
      goto done;
    }
    if (!resolve_division(s, county, o.division, division)) goto done;
    char *end = NULL;
    long long value = strtoll(o.value, &end, 10);
    if (*end || !*o.value) {
      fprintf(stderr, "wangge target: --value '%s' is not a whole number\n", o.value);
      rc = 2;
      goto done;
    }
    e = action[0] == 'a' ? wg_target_assign(s, county, o.pos[0], division, o.period, value, &who, &ei)
                         : wg_target_report(s, county, o.pos[0], division, o.period, value, &who, &ei);
    if (e) wg_cli_error(action[0] == 'a' ? "target assign" : "target report", e, &ei);
    else rc = 0;
  } else if (!strcmp(action, "show")) {
    wg_period p;
    wg_target_data d;
    if (!o.npos || !o.period) {
      fprintf(stderr, "wangge target show: needs CODE --period P\n");
      rc = 2;
      goto done;
    }
    if ((e = wg_period_parse(o.period, &p, &ei))) {
      wg_cli_error("target show", e, &ei);
      goto done;
    }
    if ((e = wg_target_load(s, county, o.pos[0], &d, &ei))) {
      wg_cli_error("target show", e, &ei);
      goto done;
    }
    wg_target_line *l = NULL;
    int n = 0;
    if (!(e = wg_target_lines(s, &d, &p, &l, &n))) {
      printf("%s (%s) for %s\n", d.ind.name, d.ind.unit, p.text);
      printf("%-14s %-16s %8s %10s %10s %10s %9s %9s  %s\n", "division", "name", "period",
             "target", "this", "total", "done", "pace", "rank");
      for (int i = 0; i < n; i++) {
        char pc[24], pace[24];
        wg_pct_format(l[i].pct, pc);
        wg_pct_format(l[i].pace, pace);
        printf("%-14s %-16s %8s %10lld %10lld %10lld %9s %9s  %d/%d%s\n", l[i].division, l[i].name,
               l[i].target_period, (long long)l[i].target, (long long)l[i].actual_period,
               (long long)l[i].actual_cum, pc, pace, l[i].rank, l[i].peers,
               l[i].behind ? "  behind" : "");
      }
      rc = 0;
    }
    free(l);
    wg_target_data_free(&d);
  } else {
    fprintf(stderr, "wangge target: unknown action '%s'\n", action);
    target_help(stderr);
    rc = 2;
  }
done:
  wg_store_close(s);
  return rc;
}

/* ---- report -------------------------------------------------------------------- */

static void report_help(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] report KIND --period P --format xlsx|html --out FILE\n"
          "       wangge [--db PATH] report campaign ID --format xlsx|html --out FILE\n\n"
          "  weekly     周通报: P is an ISO week, 2026-W47\n"
          "  monthly    月调度: P is a month, 2026-11 (adds problems and next tasks)\n"
          "  quarterly  季推进: P is a quarter, 2026-Q4 (adds the months side by side)\n"
          "  campaign   one campaign: every stage, every level, ranks, laggards, daily trend\n\n"
          "Each target report lists every indicator with a target covering P (completion and\n"
          "ranking of every unit, laggards named) and the campaigns. XLSX has formatted tables;\n"
          "HTML is printable and self-contained, with charts as inline SVG.\n");
}

int wg_cmd_report(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    report_help(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  opts o;
  if (!parse("report", argc, argv, 2, &o)) return 2;
  int is_campaign = !strcmp(argv[1], "campaign");
  wg_report_kind kind = WG_REPORT_WEEKLY;
  if (!is_campaign && wg_report_kind_parse(argv[1], &kind) != WG_OK) {
    fprintf(stderr, "wangge report: KIND is weekly, monthly, quarterly or campaign\n");
    return 2;
  }
  if (!o.out || !o.format || (!is_campaign && !o.period)) {
    fprintf(stderr, "wangge report: needs %s--format xlsx|html --out FILE\n",
            is_campaign ? "ID " : "--period P ");
    return 2;
  }
  if (strcmp(o.format, "xlsx") && strcmp(o.format, "html")) {
    fprintf(stderr, "wangge report: --format is xlsx or html\n");
    return 2;
  }
  int64_t id = 0;
  if (is_campaign && (o.npos < 1 || !parse_id("report", o.pos[0], &id))) return 2;
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  wg_errinfo ei = {0};
  wg_report *r = NULL;
  wg_err e = WG_OK;
  if (!wg_cli_county(s, county)) goto done;
  e = is_campaign ? wg_report_build_campaign(s, id, &r, &ei)
                  : wg_report_build(s, county, kind, o.period, &r, &ei);
  if (!e) e = wg_report_write(r, o.format, o.out, &ei);
  if (!e) {
    wg_audit_t a = {.action = "report", .origin = "cli"};
    snprintf(a.actor, sizeof a.actor, "%s", cli->actor);
    snprintf(a.target, sizeof a.target, "%.120s", o.out);
    snprintf(a.reason, sizeof a.reason, "%s %s", argv[1], is_campaign ? o.pos[0] : o.period);
    e = wg_store_audit_add(s, &a);
  }
  if (e) {
    wg_cli_error("report", e, &ei);
  } else {
    printf("%s written\n", o.out);
    rc = 0;
  }
done:
  wg_report_free(r);
  wg_store_close(s);
  return rc;
}
