/* cmd_org.c — `wangge org …`: staff, members and registration, the Party
 * organisation, service logs, household contact, rosters, visits, the
 * check, and imports/exports of staff and members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/table.h"
#include "io/table_write.h"
#include "ledger/ledger.h"
#include "ledger/present.h"
#include "ledger/validate.h"
#include "org/org.h"

/* ---- argument helpers ------------------------------------------------------- */

typedef struct args {
  int argc;
  char **argv;
  int first;          /* first argument after the subcommand words */
  const char *const *valued;
  const char *const *flags;
  const char *pos[4]; /* positional arguments */
  int npos;
  int bad;
} args;

static int in_list(const char *const *l, const char *s) {
  for (; l && *l; l++)
    if (strcmp(*l, s) == 0) return 1;
  return 0;
}

/* Checks every option is known and valued ones have a value. */
static int args_init(args *a, int argc, char **argv, int first, const char *const *valued,
                     const char *const *flags, const char *cmd) {
  memset(a, 0, sizeof *a);
  a->argc = argc, a->argv = argv, a->first = first, a->valued = valued, a->flags = flags;
  for (int i = first; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] == '-') {
      if (in_list(valued, argv[i])) {
        if (i + 1 >= argc) {
          fprintf(stderr, "wangge %s: %s needs a value\n", cmd, argv[i]);
          return 0;
        }
        i++;
      } else if (!in_list(flags, argv[i])) {
        fprintf(stderr, "wangge %s: unknown option %s (see --help)\n", cmd, argv[i]);
        return 0;
      }
    } else if (a->npos < 4) {
      a->pos[a->npos++] = argv[i];
    } else {
      fprintf(stderr, "wangge %s: unexpected '%s'\n", cmd, argv[i]);
      return 0;
    }
  }
  return 1;
}

static const char *opt(const args *a, const char *name) {
  for (int i = a->first; i + 1 < a->argc; i++)
    if (strcmp(a->argv[i], name) == 0) return a->argv[i + 1];
  return NULL;
}

static int flag(const args *a, const char *name) {
  for (int i = a->first; i < a->argc; i++)
    if (strcmp(a->argv[i], name) == 0) return 1;
  return 0;
}

static int num(const char *v, const char *what, int64_t *out) {
  char *end;
  long long x = v ? strtoll(v, &end, 10) : 0;
  if (!v || !*v || *end || x < 0) {
    fprintf(stderr, "wangge: %s must be a number, not '%s'\n", what, v ? v : "");
    return 0;
  }
  *out = x;
  return 1;
}

static int date_arg(const char *v, const char *what, int32_t *out) {
  int d;
  if (!v) {
    *out = wg_date_today_cst();
    return 1;
  }
  if (wg_date_parse(v, &d) != WG_DATE_OK) {
    fprintf(stderr, "wangge: %s must be a date (YYYY-MM-DD), not '%s'\n", what, v);
    return 0;
  }
  *out = d;
  return 1;
}

static int fail(const char *what, wg_err e, const wg_errinfo *ei) {
  wg_cli_error(what, e, ei);
  return 1;
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static const char *staff_kind_name(int k) {
  return k == WG_STAFF_GRID_WORKER    ? "grid-worker"
         : k == WG_STAFF_BUILDING_HEAD ? "building-head"
                                       : "community-staff";
}

static int staff_kind_parse(const char *w) {
  if (!w) return 0;
  if (!strcmp(w, "grid-worker") || !strcmp(w, "网格员")) return WG_STAFF_GRID_WORKER;
  if (!strcmp(w, "building-head") || !strcmp(w, "楼栋长")) return WG_STAFF_BUILDING_HEAD;
  if (!strcmp(w, "community-staff") || !strcmp(w, "社区工作人员") || !strcmp(w, "社区干部"))
    return WG_STAFF_COMMUNITY;
  return 0;
}

static int member_kind_parse(const char *w) {
  if (!w || !*w || !strcmp(w, "party") || !strcmp(w, "党员")) return WG_MEMBER_PARTY;
  if (!strcmp(w, "volunteer") || !strcmp(w, "志愿者")) return WG_MEMBER_VOLUNTEER;
  return 0;
}

/* Resolves a community code or name into out; prints the error. */
static int community_arg(wg_store_t *s, const char *county, const char *word, char out[13]) {
  wg_errinfo ei = {0};
  if (wg_ledger_community(s, county, word, out, &ei) != WG_OK) {
    wg_cli_error("--community", WG_ENOTFOUND, &ei);
    return 0;
  }
  return 1;
}

/* ---- check --------------------------------------------------------------------- */

static int org_check(wg_store_t *s, const char *county, int json) {
  wg_org_settings o;
  wg_org_view v;
  wg_org_report rep;
  wg_errinfo ei = {0};
  wg_err e = wg_org_settings_load(s, &o, &ei);
  if (e) return fail("org check: settings", e, &ei);
  if ((e = wg_org_view_load(s, county, &v, &ei))) return fail("org check", e, &ei);
  if ((e = wg_org_check(&v, &o, &rep))) {
    wg_org_view_free(&v);
    return fail("org check", e, NULL);
  }
  if (json) {
    printf("{\"plan\":%lld,\"problems\":%ld,\"counts\":{", (long long)v.plan_id, rep.n);
    for (int k = 1; k < WG_OF_KIND_COUNT_; k++)
      printf("%s\"%s\":%ld", k > 1 ? "," : "", wg_org_finding_name(k), rep.count[k]);
    printf("},\"findings\":[");
    for (long i = 0; i < rep.n; i++) {
      const wg_org_finding *f = &rep.items[i];
      printf("%s{\"kind\":\"%s\",\"code\":", i ? "," : "", wg_org_finding_name(f->kind));
      json_str(stdout, f->code);
      printf(",\"id\":%lld,\"what\":", (long long)f->id);
      json_str(stdout, f->what);
      printf(",\"proposal\":");
      json_str(stdout, f->proposal);
      printf("}");
    }
    printf("]}\n");
  } else {
    printf("organisation of plan #%lld: %d grids, %ld households, %ld buildings, %ld people, %d "
           "Party organisations\n",
           (long long)v.plan_id, v.ngrids, v.nhouseholds, v.nbuildings, v.npeople, v.norgs);
    for (int k = 1; k < WG_OF_KIND_COUNT_; k++)
      printf("  %-28s %ld\n", wg_org_finding_name(k), rep.count[k]);
    long shown = 0;
    for (long i = 0; i < rep.n; i++) {
      const wg_org_finding *f = &rep.items[i];
      /* households without contact can be thousands: list the first 50 */
      if (f->kind == WG_OF_HOUSEHOLD_NO_CONTACT && shown++ >= 50) continue;
      printf("%s: %s%s%s\n", wg_org_finding_name(f->kind), f->what,
             f->proposal[0] ? " → " : "", f->proposal);
    }
    if (shown > 50) printf("… and %ld more households without a contact\n", shown - 50);
    printf(rep.n ? "%ld problems\n" : "OK: no problem found\n", rep.n);
  }
  long n = rep.n;
  wg_org_report_free(&rep);
  wg_org_view_free(&v);
  return n ? 1 : 0;
}

/* ---- staff ------------------------------------------------------------------------ */

static int print_staff(void *ctx, const wg_staff_row *r) {
  (void)ctx;
  wg_present_person_t p;
  wg_present_person(r->name, r->phone, NULL, 0, &p);
  printf("%lld\t%s\t%s\t%s\tlevel %d\t%s\t%s\t%s%s\n", (long long)r->id, staff_kind_name(r->kind),
         p.name, p.phone[0] ? p.phone : "-", r->level, r->full_time ? "full-time" : "part-time",
         r->community, r->login[0] ? "login " : "", r->login);
  return 0;
}

static int print_staff_grid(void *ctx, int64_t staff, const char *grid) {
  (void)ctx;
  printf("  staff %lld → grid %s\n", (long long)staff, grid);
  return 0;
}

static int staff_cmd(const wg_cli *cli, wg_store_t *s, const char *county, int argc, char **argv) {
  static const char *const valued[] = {"--kind", "--name", "--phone", "--community", "--level",
                                       "--grid", "--login", "--skills", "--resident", NULL};
  static const char *const flags[] = {"--part-time", "--json", NULL};
  args a;
  if (argc < 2 || !args_init(&a, argc, argv, 2, valued, flags, "org staff")) return 2;
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  const char *sub = argv[1];
  if (!strcmp(sub, "add")) {
    wg_staff_row r = {0};
    snprintf(r.county, sizeof r.county, "%s", county);
    r.kind = staff_kind_parse(opt(&a, "--kind") ? opt(&a, "--kind") : "grid-worker");
    if (!r.kind) {
      fprintf(stderr, "wangge org staff add: --kind grid-worker, building-head or community-staff\n");
      return 2;
    }
    snprintf(r.name, sizeof r.name, "%s", opt(&a, "--name") ? opt(&a, "--name") : "");
    snprintf(r.phone, sizeof r.phone, "%s", opt(&a, "--phone") ? opt(&a, "--phone") : "");
    snprintf(r.login, sizeof r.login, "%s", opt(&a, "--login") ? opt(&a, "--login") : "");
    snprintf(r.skills, sizeof r.skills, "%s", opt(&a, "--skills") ? opt(&a, "--skills") : "");
    r.full_time = !flag(&a, "--part-time");
    int64_t v = 0;
    if (opt(&a, "--level") && !num(opt(&a, "--level"), "--level", &v)) return 2;
    r.level = (int)v;
    if (opt(&a, "--resident") && !num(opt(&a, "--resident"), "--resident", &r.resident_id)) return 2;
    if (!opt(&a, "--community")) {
      fprintf(stderr, "wangge org staff add: --community is required\n");
      return 2;
    }
    if (!community_arg(s, county, opt(&a, "--community"), r.community)) return 1;
    const char *grids[32];
    int ngrids = 0;
    for (int i = 2; i + 1 < argc && ngrids < 32; i++)
      if (!strcmp(argv[i], "--grid")) grids[ngrids++] = argv[i + 1];
    if (r.kind == WG_STAFF_GRID_WORKER && !r.level && ngrids)
      r.level = (int)(strlen(grids[0]) - 12) / 2;
    wg_err e = wg_org_staff_add(s, &who, &r, grids, ngrids, &ei);
    if (e) return fail("org staff add", e, &ei);
    printf("staff #%lld added\n", (long long)r.id);
    return 0;
  }
  if (!strcmp(sub, "list")) {
    char community[13] = "";
    if (opt(&a, "--community") && !community_arg(s, county, opt(&a, "--community"), community))
      return 1;
    wg_err e = wg_store_staff_each(s, county, community, print_staff, NULL);
    if (!e) e = wg_store_staff_grid_each(s, county, 0, print_staff_grid, NULL);
    return e ? fail("org staff list", e, NULL) : 0;
  }
  if ((!strcmp(sub, "assign") || !strcmp(sub, "release") || !strcmp(sub, "head") ||
       !strcmp(sub, "unhead") || !strcmp(sub, "link")) &&
      a.npos == 2) {
    int64_t id;
    if (!num(a.pos[0], "the staff id", &id)) return 2;
    wg_err e;
    if (!strcmp(sub, "link")) {
      e = wg_org_staff_link(s, &who, id, a.pos[1], &ei);
    } else if (!strcmp(sub, "head") || !strcmp(sub, "unhead")) {
      int64_t b;
      if (!num(a.pos[1], "the building id", &b)) return 2;
      e = wg_org_building_head(s, &who, id, b, !strcmp(sub, "head"), &ei);
    } else {
      e = wg_org_staff_assign(s, &who, id, a.pos[1], !strcmp(sub, "assign"), &ei);
    }
    if (e) return fail("org staff", e, &ei);
    printf("staff #%lld: %s %s\n", (long long)id, sub, a.pos[1]);
    return 0;
  }
  fprintf(stderr, "wangge org staff: add, list, assign ID GRID, release ID GRID, head ID "
                  "BUILDING, unhead ID BUILDING, link ID LOGIN (see wangge org --help)\n");
  return 2;
}

/* ---- members ------------------------------------------------------------------------- */

typedef struct member_list {
  int registered_only;
  long n;
} member_list;

static int print_member(void *ctx, const wg_member_row *r) {
  member_list *l = ctx;
  if (l->registered_only && !r->registered_on) return 0;
  wg_present_person_t p;
  wg_present_person(r->name, r->phone, NULL, 0, &p);
  char reg[11] = "-";
  if (r->registered_on) wg_date_format(r->registered_on, reg);
  printf("%lld\t%s\t%s\t%s\t%s\t%s\tregistered %s\t%s\t%s\n", (long long)r->id,
         r->kind == WG_MEMBER_PARTY ? "party" : "volunteer", p.name, p.phone[0] ? p.phone : "-",
         r->community, r->resident_id ? "ledger" : "external", reg,
         r->employer[0] ? r->employer : "-", r->skills[0] ? r->skills : "-");
  l->n++;
  return 0;
}

static int member_cmd(const wg_cli *cli, wg_store_t *s, const char *county, int argc, char **argv) {
  static const char *const valued[] = {"--resident", "--name",     "--phone", "--community",
                                       "--grid",     "--skills",   "--employer", "--date",
                                       "--login",    NULL};
  static const char *const flags[] = {"--volunteer", "--registered", NULL};
  args a;
  if (argc < 2 || !args_init(&a, argc, argv, 2, valued, flags, "org member")) return 2;
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  const char *sub = argv[1];
  if (!strcmp(sub, "add")) {
    wg_member_row r = {0};
    snprintf(r.county, sizeof r.county, "%s", county);
    r.kind = flag(&a, "--volunteer") ? WG_MEMBER_VOLUNTEER : WG_MEMBER_PARTY;
    if (opt(&a, "--resident") && !num(opt(&a, "--resident"), "--resident", &r.resident_id)) return 2;
    snprintf(r.name, sizeof r.name, "%s", opt(&a, "--name") ? opt(&a, "--name") : "");
    snprintf(r.phone, sizeof r.phone, "%s", opt(&a, "--phone") ? opt(&a, "--phone") : "");
    snprintf(r.grid, sizeof r.grid, "%s", opt(&a, "--grid") ? opt(&a, "--grid") : "");
    snprintf(r.skills, sizeof r.skills, "%s", opt(&a, "--skills") ? opt(&a, "--skills") : "");
    snprintf(r.login, sizeof r.login, "%s", opt(&a, "--login") ? opt(&a, "--login") : "");
    if (opt(&a, "--community") && !community_arg(s, county, opt(&a, "--community"), r.community))
      return 1;
    wg_err e = wg_org_member_add(s, &who, &r, &ei);
    if (e) return fail("org member add", e, &ei);
    printf("member #%lld added\n", (long long)r.id);
    return 0;
  }
  if (!strcmp(sub, "register") && a.npos == 1) {
    int64_t id;
    int32_t date;
    char community[13] = "";
    if (!num(a.pos[0], "the member id", &id) || !date_arg(opt(&a, "--date"), "--date", &date))
      return 2;
    if (opt(&a, "--community") && !community_arg(s, county, opt(&a, "--community"), community))
      return 1;
    wg_err e = wg_org_member_register(s, &who, id, community, opt(&a, "--employer"), date,
                                      opt(&a, "--skills"), &ei);
    if (e) return fail("org member register", e, &ei);
    printf("member #%lld registered\n", (long long)id);
    return 0;
  }
  if (!strcmp(sub, "list")) {
    char community[13] = "";
    if (opt(&a, "--community") && !community_arg(s, county, opt(&a, "--community"), community))
      return 1;
    member_list l = {flag(&a, "--registered"), 0};
    wg_err e = wg_store_member_each(s, county, community, print_member, &l);
    if (e) return fail("org member list", e, NULL);
    printf("%ld members\n", l.n);
    return 0;
  }
  fprintf(stderr, "wangge org member: add, register ID, list (see wangge org --help)\n");
  return 2;
}

/* Registered in-service members per grid of the active plan. */
static int members_per_grid(wg_store_t *s, const char *county, int level) {
  wg_org_view v;
  wg_errinfo ei = {0};
  wg_err e = wg_org_view_load(s, county, &v, &ei);
  if (e) return fail("org members", e, &ei);
  long *all = calloc((size_t)v.ngrids + 1, sizeof *all), *reg = calloc((size_t)v.ngrids + 1, sizeof *reg);
  if (!all || !reg) {
    free(all), free(reg), wg_org_view_free(&v);
    return fail("org members", WG_ENOMEM, NULL);
  }
  wg_org_members_per_grid(&v, 0, all);
  wg_org_members_per_grid(&v, 1, reg);
  printf("grid\tParty members living there\tregistered in service\n");
  for (int g = 0; g < v.ngrids; g++)
    if (v.grids[g].level == level) printf("%s\t%ld\t%ld\n", v.grids[g].code, all[g], reg[g]);
  free(all), free(reg), wg_org_view_free(&v);
  return 0;
}

/* ---- Party organisation ------------------------------------------------------------------ */

static int print_porg(void *ctx, const wg_party_org_row *r) {
  (void)ctx;
  static const char *const kinds[] = {"", "branch", "group", "central"};
  printf("%lld\t%s\t%s\t%s", (long long)r->id, kinds[r->kind], r->grid, r->name);
  if (r->member_id) printf("\tmember %lld", (long long)r->member_id);
  printf("\n");
  return 0;
}

static int party_cmd(const wg_cli *cli, wg_store_t *s, const char *county, int argc, char **argv) {
  static const char *const valued[] = {"--grid", "--member", "--name", NULL};
  args a;
  if (argc < 2 || !args_init(&a, argc, argv, 2, valued, NULL, "org party")) return 2;
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  const char *sub = argv[1];
  int64_t member = 0;
  if (opt(&a, "--member") && !num(opt(&a, "--member"), "--member", &member)) return 2;
  if (!strcmp(sub, "add") && a.npos == 1) {
    wg_party_org_row r = {0};
    snprintf(r.county, sizeof r.county, "%s", county);
    r.kind = !strcmp(a.pos[0], "branch") ? WG_PORG_BRANCH
             : !strcmp(a.pos[0], "group") ? WG_PORG_GROUP
             : !strcmp(a.pos[0], "central") ? WG_PORG_CENTRAL
                                            : 0;
    snprintf(r.grid, sizeof r.grid, "%s", opt(&a, "--grid") ? opt(&a, "--grid") : "");
    snprintf(r.name, sizeof r.name, "%s", opt(&a, "--name") ? opt(&a, "--name") : "");
    r.member_id = member;
    wg_err e = wg_org_party_add(s, &who, &r, &ei);
    if (e) return fail("org party add", e, &ei);
    printf("Party organisation #%lld set up on %s\n", (long long)r.id, r.grid);
    return 0;
  }
  if ((!strcmp(sub, "move") || !strcmp(sub, "to-central") || !strcmp(sub, "to-group") ||
       !strcmp(sub, "dissolve")) &&
      a.npos == 1) {
    int64_t id;
    if (!num(a.pos[0], "the organisation id", &id)) return 2;
    int kind = !strcmp(sub, "to-central") ? WG_PORG_CENTRAL : !strcmp(sub, "to-group") ? WG_PORG_GROUP : 0;
    wg_err e = wg_org_party_change(s, &who, id, opt(&a, "--grid"), kind, member,
                                   !strcmp(sub, "dissolve"), &ei);
    if (e) return fail("org party", e, &ei);
    printf("Party organisation #%lld: %s\n", (long long)id, sub);
    return 0;
  }
  if (!strcmp(sub, "list")) {
    wg_err e = wg_store_party_org_each(s, county, print_porg, NULL);
    return e ? fail("org party list", e, NULL) : 0;
  }
  fprintf(stderr, "wangge org party: add branch|group|central --grid G [--member ID], move ID "
                  "--grid G, to-central ID --member M, to-group ID, dissolve ID, list\n");
  return 2;
}

/* ---- service ------------------------------------------------------------------------------ */

typedef struct totals {
  const char *by;            /* member, grid, kind */
  struct { char key[32]; double hours; long n; } *rows;
  long n, cap;
} totals;

static int tally_service(void *ctx, const wg_service_row *r) {
  totals *t = ctx;
  char key[32];
  if (!strcmp(t->by, "grid"))
    snprintf(key, sizeof key, "%s", r->grid[0] ? r->grid : "-");
  else if (!strcmp(t->by, "branch"))
    snprintf(key, sizeof key, "%.14s", r->grid[0] ? r->grid : "-");
  else if (!strcmp(t->by, "kind"))
    snprintf(key, sizeof key, "%s", r->kind);
  else
    snprintf(key, sizeof key, "%s %lld", r->member_id ? "member" : "staff",
             (long long)(r->member_id ? r->member_id : r->staff_id));
  long i = 0;
  while (i < t->n && strcmp(t->rows[i].key, key)) i++;
  if (i == t->n) {
    if (t->n == t->cap) {
      long cap = t->cap ? t->cap * 2 : 64;
      void *p = realloc(t->rows, (size_t)cap * sizeof *t->rows);
      if (!p) return 1;
      t->rows = p;
      t->cap = cap;
    }
    memset(&t->rows[t->n], 0, sizeof t->rows[0]);
    snprintf(t->rows[t->n].key, sizeof t->rows[0].key, "%s", key);
    t->n++;
  }
  t->rows[i].hours += r->hours;
  t->rows[i].n++;
  return 0;
}

static int service_cmd(const wg_cli *cli, wg_store_t *s, const char *county, int argc, char **argv) {
  static const char *const valued[] = {"--member", "--staff", "--kind",  "--date", "--hours",
                                       "--grid",   "--household", "--note", "--by", "--from",
                                       "--to",     NULL};
  args a;
  if (argc < 2 || !args_init(&a, argc, argv, 2, valued, NULL, "org service")) return 2;
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  if (!strcmp(argv[1], "add")) {
    wg_service_row r = {0};
    snprintf(r.county, sizeof r.county, "%s", county);
    if (opt(&a, "--member") && !num(opt(&a, "--member"), "--member", &r.member_id)) return 2;
    if (opt(&a, "--staff") && !num(opt(&a, "--staff"), "--staff", &r.staff_id)) return 2;
    if (opt(&a, "--household") && !num(opt(&a, "--household"), "--household", &r.household_id))
      return 2;
    if (!date_arg(opt(&a, "--date"), "--date", &r.date)) return 2;
    snprintf(r.kind, sizeof r.kind, "%s", opt(&a, "--kind") ? opt(&a, "--kind") : "");
    snprintf(r.grid, sizeof r.grid, "%s", opt(&a, "--grid") ? opt(&a, "--grid") : "");
    snprintf(r.note, sizeof r.note, "%s", opt(&a, "--note") ? opt(&a, "--note") : "");
    char *hend = NULL;
    r.hours = opt(&a, "--hours") ? strtod(opt(&a, "--hours"), &hend) : 0;
    if (hend && *hend) r.hours = -1; /* refused: hours from 0 to 24 */
    wg_err e = wg_org_service_add(s, &who, &r, &ei);
    if (e) return fail("org service add", e, &ei);
    printf("service #%lld logged (%.1f h)\n", (long long)r.id, r.hours);
    return 0;
  }
  if (!strcmp(argv[1], "totals")) {
    totals t = {.by = opt(&a, "--by") ? opt(&a, "--by") : "member"};
    if (strcmp(t.by, "member") && strcmp(t.by, "grid") && strcmp(t.by, "branch") &&
        strcmp(t.by, "kind")) {
      fprintf(stderr, "wangge org service totals: --by member, grid, branch or kind\n");
      return 2;
    }
    wg_service_filter f = {.county = county};
    if ((opt(&a, "--from") && !date_arg(opt(&a, "--from"), "--from", &f.from)) ||
        (opt(&a, "--to") && !date_arg(opt(&a, "--to"), "--to", &f.to)))
      return 2;
    wg_err e = wg_store_service_each(s, &f, tally_service, &t);
    if (e) {
      free(t.rows);
      return fail("org service totals", e, NULL);
    }
    printf("%s\tentries\thours\n", t.by);
    for (long i = 0; i < t.n; i++)
      printf("%s\t%ld\t%.1f\n", t.rows[i].key, t.rows[i].n, t.rows[i].hours);
    free(t.rows);
    return 0;
  }
  fprintf(stderr, "wangge org service: add, totals [--by member|grid|branch|kind]\n");
  return 2;
}

/* ---- contact, rosters, visits ----------------------------------------------------------------- */

static int coverage_cmd(wg_store_t *s, const char *county, int level, int32_t today) {
  wg_org_settings o;
  wg_org_view v;
  wg_errinfo ei = {0};
  wg_err e = wg_org_settings_load(s, &o, &ei);
  if (!e) e = wg_org_view_load(s, county, &v, &ei);
  if (e) return fail("org coverage", e, &ei);
  size_t n = (size_t)v.ngrids + 1;
  wg_org_coverage c = {calloc(n, sizeof(long)), calloc(n, sizeof(long)), calloc(n, sizeof(long)),
                       calloc(n, sizeof(long)), {0}, {0}, {0}, {0}};
  if (!c.households || !c.contacted || !c.to_visit || !c.visited) {
    e = WG_ENOMEM;
  } else {
    wg_org_coverage_compute(&v, &o, today, &c);
    printf("level\tgrids\thouseholds\twith contact\tto visit\tvisited in time\n");
    for (int l = 0; l < 3; l++) {
      int grids = 0;
      for (int g = 0; g < v.ngrids; g++) grids += v.grids[g].level == l + 1;
      printf("%d\t%d\t%ld\t%ld (%.1f%%)\t%ld\t%ld (%.1f%%)\n", l + 1, grids, c.level_households[l],
             c.level_contacted[l],
             c.level_households[l] ? 100.0 * c.level_contacted[l] / c.level_households[l] : 0,
             c.level_to_visit[l], c.level_visited[l],
             c.level_to_visit[l] ? 100.0 * c.level_visited[l] / c.level_to_visit[l] : 0);
    }
    if (level) {
      printf("\ngrid\thouseholds\twith contact\tto visit\tvisited in time\n");
      for (int g = 0; g < v.ngrids; g++)
        if (v.grids[g].level == level)
          printf("%s\t%ld\t%ld\t%ld\t%ld\n", v.grids[g].code, c.households[g], c.contacted[g],
                 c.to_visit[g], c.visited[g]);
    }
  }
  free(c.households), free(c.contacted), free(c.to_visit), free(c.visited);
  wg_org_view_free(&v);
  return e ? fail("org coverage", e, NULL) : 0;
}

static int contact_cmd(const wg_cli *cli, wg_store_t *s, const char *county, int argc, char **argv) {
  static const char *const valued[] = {"--household", "--staff", "--member", "--date", "--level",
                                       NULL};
  args a;
  if (argc < 2 || !args_init(&a, argc, argv, 2, valued, NULL, "org contact")) return 2;
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  if (!strcmp(argv[1], "add") || !strcmp(argv[1], "remove")) {
    int64_t hh, person = 0;
    int32_t since;
    int kind = opt(&a, "--staff") ? WG_PERSON_STAFF : WG_PERSON_MEMBER;
    if (!num(opt(&a, "--household"), "--household", &hh) ||
        !num(opt(&a, "--staff") ? opt(&a, "--staff") : opt(&a, "--member"), "--staff/--member",
             &person) ||
        !date_arg(opt(&a, "--date"), "--date", &since))
      return 2;
    wg_err e = wg_org_contact(s, &who, hh, kind, person, since, !strcmp(argv[1], "add"), &ei);
    if (e) return fail("org contact", e, &ei);
    printf("household #%lld: contact %s\n", (long long)hh, !strcmp(argv[1], "add") ? "added" : "removed");
    return 0;
  }
  if (!strcmp(argv[1], "coverage")) {
    int64_t level = 0;
    if (opt(&a, "--level") && !num(opt(&a, "--level"), "--level", &level)) return 2;
    return coverage_cmd(s, county, (int)level, wg_date_today_cst());
  }
  fprintf(stderr, "wangge org contact: add|remove --household H --staff ID|--member ID, coverage [--level L]\n");
  return 2;
}

static int print_shift(void *ctx, const wg_shift_row *r) {
  const int32_t *today = ctx;
  static const char *const st[] = {"", "planned", "done", "missed"};
  char d[11];
  wg_date_format(r->date, d);
  /* a past day's shift still planned: nobody closed it */
  int unclosed = r->status == WG_SHIFT_PLANNED && r->date < *today;
  printf("%lld\t%s\t%s\t%s\tstaff %lld\t%s\t%s\n", (long long)r->id, d, r->shift, r->place,
         (long long)r->staff_id, unclosed ? "planned, not closed" : st[r->status], r->handover);
  return 0;
}

static int roster_cmd(const wg_cli *cli, wg_store_t *s, const char *county, int argc, char **argv) {
  static const char *const valued[] = {"--place", "--staff", "--date", "--shift", "--handover",
                                       "--from",  "--to",    "--today", NULL};
  static const char *const flags[] = {"--done", "--missed", NULL};
  args a;
  if (argc < 2 || !args_init(&a, argc, argv, 2, valued, flags, "org roster")) return 2;
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  if (!strcmp(argv[1], "add")) {
    wg_shift_row r = {0};
    snprintf(r.county, sizeof r.county, "%s", county);
    snprintf(r.place, sizeof r.place, "%s", opt(&a, "--place") ? opt(&a, "--place") : "");
    snprintf(r.shift, sizeof r.shift, "%s", opt(&a, "--shift") ? opt(&a, "--shift") : "");
    if (!num(opt(&a, "--staff"), "--staff", &r.staff_id) || !date_arg(opt(&a, "--date"), "--date", &r.date))
      return 2;
    wg_err e = wg_org_shift_add(s, &who, &r, &ei);
    if (e) return fail("org roster add", e, &ei);
    printf("shift #%lld planned\n", (long long)r.id);
    return 0;
  }
  if (!strcmp(argv[1], "close") && a.npos == 1) {
    int64_t id;
    if (!num(a.pos[0], "the shift id", &id)) return 2;
    if (flag(&a, "--done") == flag(&a, "--missed")) {
      fprintf(stderr, "wangge org roster close: --done or --missed\n");
      return 2;
    }
    wg_err e = wg_org_shift_close(s, &who, id, flag(&a, "--done") ? WG_SHIFT_DONE : WG_SHIFT_MISSED,
                                  opt(&a, "--handover"), &ei);
    if (e) return fail("org roster close", e, &ei);
    printf("shift #%lld closed\n", (long long)id);
    return 0;
  }
  if (!strcmp(argv[1], "list")) {
    int32_t from = 0, to = 0, today;
    if ((opt(&a, "--from") && !date_arg(opt(&a, "--from"), "--from", &from)) ||
        (opt(&a, "--to") && !date_arg(opt(&a, "--to"), "--to", &to)) ||
        !date_arg(opt(&a, "--today"), "--today", &today))
      return 2;
    wg_err e = wg_store_shift_each(s, county, opt(&a, "--place"), from, to, print_shift, &today);
    return e ? fail("org roster list", e, NULL) : 0;
  }
  fprintf(stderr, "wangge org roster: add --place P --staff ID --date D [--shift S], close ID "
                  "--done|--missed [--handover TEXT], list [--place P --from D --to D]\n");
  return 2;
}

static int visit_cmd(const wg_cli *cli, wg_store_t *s, const char *county, int argc, char **argv) {
  static const char *const valued[] = {"--staff", "--household", "--date", "--findings",
                                       "--changes", "--matter", "--today", "--ahead", "--level",
                                       NULL};
  args a;
  if (argc < 2 || !args_init(&a, argc, argv, 2, valued, NULL, "org visit")) return 2;
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  if (!strcmp(argv[1], "add")) {
    wg_visit_row r = {0};
    snprintf(r.county, sizeof r.county, "%s", county);
    if (!num(opt(&a, "--staff"), "--staff", &r.staff_id) ||
        !num(opt(&a, "--household"), "--household", &r.household_id) ||
        !date_arg(opt(&a, "--date"), "--date", &r.date))
      return 2;
    snprintf(r.findings, sizeof r.findings, "%s", opt(&a, "--findings") ? opt(&a, "--findings") : "");
    snprintf(r.ledger_changes, sizeof r.ledger_changes, "%s", opt(&a, "--changes") ? opt(&a, "--changes") : "");
    snprintf(r.matter, sizeof r.matter, "%s", opt(&a, "--matter") ? opt(&a, "--matter") : "");
    wg_err e = wg_org_visit_add(s, &who, &r, &ei);
    if (e) return fail("org visit add", e, &ei);
    printf("visit #%lld recorded (grid %s)\n", (long long)r.id, r.grid);
    return 0;
  }
  int32_t today;
  if (!date_arg(opt(&a, "--today"), "--today", &today)) return 2;
  if (!strcmp(argv[1], "due")) {
    int64_t staff, ahead = 0;
    if (!num(opt(&a, "--staff"), "--staff", &staff)) return 2;
    if (opt(&a, "--ahead") && !num(opt(&a, "--ahead"), "--ahead", &ahead)) return 2;
    wg_org_settings o;
    wg_org_view v;
    wg_err e = wg_org_settings_load(s, &o, &ei);
    if (!e) e = wg_org_view_load(s, county, &v, &ei);
    if (e) return fail("org visit due", e, &ei);
    wg_org_due *due = NULL;
    long n = 0;
    e = wg_org_visits_due(&v, &o, staff, today, (int)ahead, &due, &n);
    if (e == WG_ENOTFOUND) fprintf(stderr, "wangge org visit due: no active staff member %lld\n", (long long)staff);
    long overdue = 0;
    for (long i = 0; !e && i < n; i++) {
      char last[11] = "never";
      if (due[i].last_visit) wg_date_format(due[i].last_visit, last);
      overdue += due[i].days_overdue > 0;
      printf("household %lld\t%s\tevery %d days\tlast %s\t%s %d days\n", (long long)due[i].household_id,
             due[i].grid >= 0 ? v.grids[due[i].grid].code : "-", due[i].interval, last,
             due[i].days_overdue > 0 ? "overdue" : "due in", abs(due[i].days_overdue));
    }
    if (!e) printf("%ld households due, %ld overdue\n", n, overdue);
    free(due);
    wg_org_view_free(&v);
    return e ? 1 : 0;
  }
  if (!strcmp(argv[1], "coverage")) {
    int64_t level = 0;
    if (opt(&a, "--level") && !num(opt(&a, "--level"), "--level", &level)) return 2;
    return coverage_cmd(s, county, (int)level, today);
  }
  fprintf(stderr, "wangge org visit: add --staff ID --household H [--date D --findings T --changes "
                  "T --matter REF], due --staff ID [--today D --ahead N], coverage [--level L]\n");
  return 2;
}

/* ---- import / export ------------------------------------------------------------------------------ */

/* Columns of the staff and member files (Chinese / English headers). */
enum { C_NAME, C_PHONE, C_KIND, C_FULL, C_LEVEL, C_COMMUNITY, C_GRIDS, C_LOGIN, C_SKILLS,
       C_IDNUM, C_INSERVICE, C_EMPLOYER, C_REGISTERED, C_GRID, C_NCOLS };
static const struct {
  const char *zh, *en;
} columns[C_NCOLS] = {
    [C_NAME] = {"姓名", "name"},          [C_PHONE] = {"联系电话", "phone"},
    [C_KIND] = {"类型", "kind"},          [C_FULL] = {"专兼职", "full_time"},
    [C_LEVEL] = {"网格层级", "level"},    [C_COMMUNITY] = {"社区", "community"},
    [C_GRIDS] = {"负责网格", "grids"},    [C_LOGIN] = {"账号", "login"},
    [C_SKILLS] = {"技能", "skills"},      [C_IDNUM] = {"身份证号", "id_number"},
    [C_INSERVICE] = {"在职党员", "in_service"}, [C_EMPLOYER] = {"工作单位", "employer"},
    [C_REGISTERED] = {"报到日期", "registered_on"}, [C_GRID] = {"居住网格", "grid"},
};

static int column_of(const char *h) {
  for (int c = 0; c < C_NCOLS; c++)
    if (!strcmp(h, columns[c].zh) || !strcmp(h, columns[c].en)) return c;
  if (!strcmp(h, "电话") || !strcmp(h, "手机")) return C_PHONE;
  return -1;
}

static int yes(const char *v) {
  return !strcmp(v, "是") || !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true") ||
         !strcmp(v, "专职") || !strcmp(v, "full-time");
}

static int import_cmd(const wg_cli *cli, wg_store_t *s, const char *county, const char *what,
                      const char *path) {
  int staff = !strcmp(what, "staff");
  if (!staff && strcmp(what, "members")) {
    fprintf(stderr, "wangge org import: staff FILE or members FILE\n");
    return 2;
  }
  wg_table_t *t = NULL;
  wg_errinfo ei = {0};
  wg_err e = wg_table_open(path, NULL, &t, &ei);
  if (e) return fail("org import", e, &ei);
  wg_org_actor who = {cli->actor, "cli", NULL};
  int col[C_NCOLS];
  for (int c = 0; c < C_NCOLS; c++) col[c] = -1;
  wg_table_row row;
  int has;
  long rows = 0, bad = 0, written = 0;
  int header = 1, in_tx = 0;
  if (wg_store_begin(s) == WG_OK) in_tx = 1;
  while (!(e = wg_table_next(t, &row, &has, &ei)) && has) {
    if (header) {
      for (int i = 0; i < row.ncells; i++) {
        int c = column_of(row.cells[i]);
        if (c >= 0 && col[c] < 0) col[c] = i;
      }
      header = 0;
      if (col[C_NAME] < 0 && (staff || col[C_IDNUM] < 0)) {
        fprintf(stderr, "wangge org import: %s: row 1: no 姓名/name column\n", path);
        bad++;
        break;
      }
      if (col[C_COMMUNITY] < 0 && (staff || col[C_IDNUM] < 0)) {
        fprintf(stderr, "wangge org import: %s: row 1: no 社区/community column\n", path);
        bad++;
        break;
      }
      continue;
    }
    rows++;
    const char *cell[C_NCOLS];
    for (int c = 0; c < C_NCOLS; c++)
      cell[c] = col[c] >= 0 && col[c] < row.ncells ? row.cells[col[c]] : "";
    wg_errinfo rei = {0};
    wg_err re = WG_OK;
    char community[13] = "";
    if (cell[C_COMMUNITY][0] &&
        wg_ledger_community(s, county, cell[C_COMMUNITY], community, &rei) != WG_OK) {
      snprintf(rei.field, sizeof rei.field, "%s", columns[C_COMMUNITY].zh);
      re = WG_EINVAL;
    }
    if (!re && staff) {
      wg_staff_row r = {0};
      snprintf(r.county, sizeof r.county, "%s", county);
      r.kind = staff_kind_parse(cell[C_KIND][0] ? cell[C_KIND] : "网格员");
      snprintf(r.name, sizeof r.name, "%s", cell[C_NAME]);
      snprintf(r.phone, sizeof r.phone, "%.11s", cell[C_PHONE]);
      if (strlen(cell[C_PHONE]) > 11) snprintf(r.phone, sizeof r.phone, "x");
      r.full_time = !cell[C_FULL][0] || yes(cell[C_FULL]);
      char *lend = NULL;
      long lv = cell[C_LEVEL][0] ? strtol(cell[C_LEVEL], &lend, 10) : 0;
      if (cell[C_LEVEL][0] && (*lend || lv < 1 || lv > 3)) lv = -1; /* refused by the op */
      r.level = (int)lv;
      memcpy(r.community, community, sizeof community);
      snprintf(r.login, sizeof r.login, "%s", cell[C_LOGIN]);
      snprintf(r.skills, sizeof r.skills, "%s", cell[C_SKILLS]);
      const char *grids[32];
      char buf[32][19];
      int ng = 0;
      for (const char *p = cell[C_GRIDS]; *p && ng < 32;) {
        size_t n = strcspn(p, ";,； ");
        if (n && n < 19) {
          memcpy(buf[ng], p, n);
          buf[ng][n] = '\0';
          grids[ng] = buf[ng];
          ng++;
        }
        p += n;
        while (*p == ';' || *p == ',' || *p == ' ') p++;
        if (!strncmp(p, "；", 3)) p += 3;
      }
      if (!r.kind) {
        snprintf(rei.field, sizeof rei.field, "%s", columns[C_KIND].zh);
        re = wg_errinfo_set(&rei, WG_EINVAL, "网格员, 楼栋长 or 社区工作人员");
      } else {
        re = wg_org_staff_add(s, &who, &r, grids, ng, &rei);
      }
    } else if (!re) {
      wg_member_row r = {0};
      snprintf(r.county, sizeof r.county, "%s", county);
      r.kind = member_kind_parse(cell[C_KIND]);
      snprintf(r.name, sizeof r.name, "%s", cell[C_NAME]);
      snprintf(r.phone, sizeof r.phone, "%.11s", cell[C_PHONE]);
      memcpy(r.community, community, sizeof community);
      snprintf(r.grid, sizeof r.grid, "%.18s", cell[C_GRID]);
      snprintf(r.employer, sizeof r.employer, "%s", cell[C_EMPLOYER]);
      snprintf(r.skills, sizeof r.skills, "%s", cell[C_SKILLS]);
      r.in_service = yes(cell[C_INSERVICE]);
      int d = 0;
      if (cell[C_REGISTERED][0] && wg_date_parse(cell[C_REGISTERED], &d) != WG_DATE_OK) {
        snprintf(rei.field, sizeof rei.field, "%s", columns[C_REGISTERED].zh);
        re = wg_errinfo_set(&rei, WG_EINVAL, "a date YYYY-MM-DD");
      }
      r.registered_on = d;
      if (!re && cell[C_IDNUM][0]) {
        wg_resident_t res;
        if (wg_store_resident_find(s, cell[C_IDNUM], &res) != WG_OK) {
          snprintf(rei.field, sizeof rei.field, "%s", columns[C_IDNUM].zh);
          wg_mask_idnum(cell[C_IDNUM], rei.value, sizeof rei.value);
          re = wg_errinfo_set(&rei, WG_ENOTFOUND, "no resident with this ID number in the ledger");
        } else {
          r.resident_id = res.id;
        }
      }
      if (!r.kind && !re) {
        snprintf(rei.field, sizeof rei.field, "%s", columns[C_KIND].zh);
        re = wg_errinfo_set(&rei, WG_EINVAL, "党员 or 志愿者");
      }
      if (!re) re = wg_org_member_add(s, &who, &r, &rei);
    }
    if (re) {
      bad++;
      rei.row = row.row;
      snprintf(rei.file, sizeof rei.file, "%s", path);
      /* phone values never appear in clear */
      if (!strcmp(rei.field, "phone")) wg_mask_phone(cell[C_PHONE], rei.value, sizeof rei.value);
      wg_cli_error("org import", re, &rei);
    } else {
      written++;
    }
  }
  wg_table_close(t);
  if (e) wg_cli_error("org import", e, &ei);
  if (e || bad || !in_tx) {
    if (in_tx) wg_store_rollback(s);
    fprintf(stderr, "wangge org import: %ld bad rows of %ld; nothing imported\n", bad, rows);
    return 1;
  }
  wg_audit_t au = {.action = "org_import", .origin = "cli"};
  snprintf(au.actor, sizeof au.actor, "%s", cli->actor);
  snprintf(au.target, sizeof au.target, "%s %.100s", what, path);
  e = wg_store_audit_add(s, &au);
  if (!e) e = wg_store_commit(s);
  if (e) {
    wg_store_rollback(s);
    return fail("org import", e, NULL);
  }
  printf("imported %ld %s from %s\n", written, what, path);
  return 0;
}

typedef struct export_ctx {
  wg_table_writer_t *w;
  wg_store_t *s;
  wg_errinfo ei;
  wg_err e;
  long n;
} export_ctx;

static int export_staff(void *ctx, const wg_staff_row *r) {
  export_ctx *x = ctx;
  wg_present_person_t p;
  wg_present_person(r->name, r->phone, NULL, 0, &p);
  char level[4];
  snprintf(level, sizeof level, "%d", r->level);
  const char *kinds[] = {"", "网格员", "楼栋长", "社区工作人员"};
  const char *cells[] = {p.name, p.phone, kinds[r->kind], r->full_time ? "专职" : "兼职", level,
                         r->community, "", r->login, r->skills};
  x->e = wg_table_writer_row(x->w, 9, cells, &x->ei);
  x->n++;
  return x->e != WG_OK;
}

static int export_member(void *ctx, const wg_member_row *r) {
  export_ctx *x = ctx;
  wg_present_person_t p;
  wg_present_person(r->name, r->phone, NULL, 0, &p);
  char reg[11] = "";
  if (r->registered_on) wg_date_format(r->registered_on, reg);
  const char *cells[] = {p.name, p.phone, r->kind == WG_MEMBER_PARTY ? "党员" : "志愿者",
                         r->community, r->grid, r->in_service ? "是" : "否", r->employer, reg,
                         r->skills};
  x->e = wg_table_writer_row(x->w, 9, cells, &x->ei);
  x->n++;
  return x->e != WG_OK;
}

static int export_cmd(wg_store_t *s, const char *county, const char *what, const char *path) {
  int staff = !strcmp(what, "staff");
  if (!staff && strcmp(what, "members")) {
    fprintf(stderr, "wangge org export: staff --out FILE or members --out FILE\n");
    return 2;
  }
  const char *dot = strrchr(path, '.');
  export_ctx x = {.s = s};
  wg_err e = wg_table_writer_open(path, dot && !strcmp(dot, ".xlsx") ? "xlsx" : "csv", &x.w, &x.ei);
  if (e) return fail("org export", e, &x.ei);
  static const char *const staff_head[] = {"姓名", "联系电话", "类型", "专兼职", "网格层级",
                                           "社区", "负责网格", "账号", "技能"};
  static const char *const member_head[] = {"姓名", "联系电话", "类型", "社区", "居住网格",
                                            "在职党员", "工作单位", "报到日期", "技能"};
  e = wg_table_writer_row(x.w, 9, staff ? staff_head : member_head, &x.ei);
  if (!e) e = staff ? wg_store_staff_each(s, county, NULL, export_staff, &x)
                    : wg_store_member_each(s, county, NULL, export_member, &x);
  if (!e) e = x.e;
  if (e) {
    wg_table_writer_abort(x.w);
    return fail("org export", e, &x.ei);
  }
  if ((e = wg_table_writer_close(x.w, &x.ei))) return fail("org export", e, &x.ei);
  printf("exported %ld %s to %s (phones masked)\n", x.n, what, path);
  return 0;
}

/* ---- the command ---------------------------------------------------------------------------------- */

static void usage(FILE *f) {
  fprintf(f,
          "usage: wangge [--db PATH] org SUBCOMMAND …\n\n"
          "The organisation on the grids of the active plan: staff, Party members, the Party\n"
          "organisation (branch ↔ level-1 grid, group or central household ↔ level-2 grid),\n"
          "service logs, household contact, duty rosters and visits. Phones are masked.\n\n"
          "  check [--json]                       grids without a worker, buildings without a head,\n"
          "                                       level-1 grids without a branch, level-2 grids with\n"
          "                                       neither group nor central household, organisations\n"
          "                                       a re-division broke (with the proposed change),\n"
          "                                       households without a contact; exit 1 when any\n"
          "  staff add --name N --community C [--kind grid-worker|building-head|community-staff]\n"
          "            [--level L] [--part-time] [--grid G]… [--phone P] [--login L] [--skills a,b]\n"
          "  staff list [--community C]\n"
          "  staff assign|release ID GRID         staff head|unhead ID BUILDING   staff link ID LOGIN\n"
          "  member add (--resident ID | --name N --community C) [--volunteer] [--grid G]\n"
          "            [--phone P] [--skills a,b]\n"
          "  member register ID --employer E [--date D] [--community C] [--skills a,b]\n"
          "                                       in-service registration (在职党员报到)\n"
          "  member list [--community C] [--registered]\n"
          "  members [--level L]                  Party members and registered ones per grid\n"
          "  party add branch|group|central --grid G [--member ID] [--name N]\n"
          "  party move ID --grid G | to-central ID --member M | to-group ID | dissolve ID | list\n"
          "  service add (--member ID|--staff ID) --kind K --hours H [--date D] [--grid G]\n"
          "            [--household H] [--note T]   kinds: visit_care, policy, cleaning, emergency, …\n"
          "  service totals [--by member|grid|branch|kind] [--from D] [--to D]\n"
          "  contact add|remove --household H (--staff ID|--member ID)   contact coverage [--level L]\n"
          "  roster add --place CODE --staff ID [--date D] [--shift S]\n"
          "  roster close ID --done|--missed [--handover TEXT]\n"
          "  roster list [--place P] [--from D] [--to D] [--today D]   (past shifts never closed\n"
          "                                       show as \"planned, not closed\")\n"
          "  visit add --staff ID --household H [--date D] [--findings T] [--changes T] [--matter REF]\n"
          "  visit due --staff ID [--today D] [--ahead N]   overdue and due visits, most overdue first\n"
          "  visit coverage [--today D] [--level L]\n"
          "  import staff|members FILE            CSV or XLSX, all-or-nothing (docs/data-formats.md)\n"
          "  export staff|members --out FILE      CSV or .xlsx, phones masked\n\n"
          "settings (wangge settings set KEY VALUE): org.group_min (3), org.worker_levels (1,2),\n"
          "org.visit_every (elderly_alone:7,all:90), mobilise.webhook (http://… URL).\n");
}

int wg_cmd_org(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      (argc > 2 && wg_cli_wants_help(argc - 1, argv + 1))) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 2;
  if (!wg_cli_county(s, county)) {
    rc = 1;
  } else if (!strcmp(argv[1], "check")) {
    args a;
    static const char *const flags[] = {"--json", NULL};
    rc = args_init(&a, argc, argv, 2, NULL, flags, "org check") ? org_check(s, county, flag(&a, "--json")) : 2;
  } else if (!strcmp(argv[1], "staff")) {
    rc = staff_cmd(cli, s, county, argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "member")) {
    rc = member_cmd(cli, s, county, argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "members")) {
    static const char *const valued[] = {"--level", NULL};
    args a;
    int64_t level = 2;
    if (args_init(&a, argc, argv, 2, valued, NULL, "org members") &&
        (!opt(&a, "--level") || num(opt(&a, "--level"), "--level", &level)))
      rc = members_per_grid(s, county, (int)level);
  } else if (!strcmp(argv[1], "party")) {
    rc = party_cmd(cli, s, county, argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "service")) {
    rc = service_cmd(cli, s, county, argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "contact")) {
    rc = contact_cmd(cli, s, county, argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "roster")) {
    rc = roster_cmd(cli, s, county, argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "visit")) {
    rc = visit_cmd(cli, s, county, argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "import") && argc == 4) {
    rc = import_cmd(cli, s, county, argv[2], argv[3]);
  } else if (!strcmp(argv[1], "export") && argc == 5 && !strcmp(argv[3], "--out")) {
    rc = export_cmd(s, county, argv[2], argv[4]);
  } else {
    fprintf(stderr, "wangge org: unknown subcommand '%s' (wangge org --help)\n", argv[1]);
  }
  wg_store_close(s);
  return rc;
}
