/* cmd_matter.c — `wangge matter` (the closed loop from the console),
 * `wangge category` (categories and their deadlines) and `wangge apikey`
 * (keys of Open311 clients). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "matter/figures.h"
#include "matter/matters.h"
#include "matter/photo.h"

static void matter_usage(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] matter report --category C --title T [--description D]\n"
          "                 [--lon X --lat Y] [--address A] [--reporter LOGIN] [--name N]\n"
          "                 [--phone P] [--photo FILE]…\n"
          "       wangge [--db PATH] matter list [--open] [--status S] [--category C]\n"
          "                 [--grid CODE] [--handler LOGIN] [--limit N]\n"
          "       wangge [--db PATH] matter show ID\n"
          "       wangge [--db PATH] matter ACTION ID [--note TEXT] [--photo FILE]…\n"
          "       wangge [--db PATH] matter tick\n"
          "       wangge [--db PATH] matter check [ID]\n"
          "       wangge [--db PATH] matter figures [--by grid|worker|category]\n"
          "                 [--level 1-3] [--from DATE] [--to DATE]\n\n"
          "Matters (事项): reported, accepted (立案) or rejected, dispatched to a grid\n"
          "worker, handled, verified, closed (结案) and evaluated, each step an event on\n"
          "record. A located report is routed to its grids and grid worker; stage\n"
          "deadlines come from the category; `tick` escalates overdue matters one level\n"
          "(grid → community → township → county) — `wangge serve` runs it every minute.\n\n"
          "ACTION and its options:\n"
          "  accept | start | handle | verify | close | resume | escalate\n"
          "  reject --note WHY          rework --note WHY       suspend --note WHY\n"
          "  dispatch --to LOGIN        (a grid worker)\n"
          "  evaluate --satisfaction 1-5\n"
          "  extend --hours N --note WHY   extend --approve | --deny [--note]\n"
          "  reopen --note WHY          merge --into ID  (ID is a duplicate of that one)\n\n"
          "Every command takes --as LOGIN (act as that user, with their role and scope;\n"
          "without it the console acts as an office with every right) and --now TIME\n"
          "(ISO 8601 with zone, for back-dated entries and tests). Every write is\n"
          "audited. Reporter names and phones are always shown masked.\n");
}

/* ---- shared ------------------------------------------------------------------ */

typedef struct opts {
  const char *category, *title, *description, *address, *reporter, *name, *phone;
  const char *note, *to, *as, *now, *status, *grid, *handler, *by, *from, *until;
  const char *photos[8];
  int nphotos;
  int has_lon, has_lat, open, approve, deny, level;
  double lon, lat;
  long into, satisfaction, hours, limit;
} opts;

static int parse_long(const char *v, long min, long max, long *out) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (!*v || *end || errno || x < min || x > max) return 0;
  *out = x;
  return 1;
}

static int parse_double(const char *v, double *out) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (!*v || *end || errno) return 0;
  *out = x;
  return 1;
}

/* Parses options from argv[first]; 0 after printing the problem. */
static int parse_opts(const char *cmd, int argc, char **argv, int first, opts *o) {
  for (int i = first; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define STR(flag, field)          \
  if (strcmp(a, flag) == 0 && v) { \
    o->field = v;                  \
    i++;                           \
    continue;                      \
  }
    STR("--category", category)
    STR("--title", title)
    STR("--description", description)
    STR("--address", address)
    STR("--reporter", reporter)
    STR("--name", name)
    STR("--phone", phone)
    STR("--note", note)
    STR("--to", to)
    STR("--as", as)
    STR("--now", now)
    STR("--status", status)
    STR("--grid", grid)
    STR("--handler", handler)
    STR("--by", by)
    STR("--from", from)
    STR("--to-date", until)
#undef STR
    if (strcmp(a, "--photo") == 0 && v) {
      if (o->nphotos >= 8) {
        fprintf(stderr, "wangge %s: at most 8 photos\n", cmd);
        return 0;
      }
      o->photos[o->nphotos++] = v;
      i++;
    } else if ((strcmp(a, "--lon") == 0 || strcmp(a, "--lat") == 0) && v) {
      int lon = a[3] == 'o';
      if (!parse_double(v, lon ? &o->lon : &o->lat)) {
        fprintf(stderr, "wangge %s: %s wants a decimal number, not '%s'\n", cmd, a, v);
        return 0;
      }
      if (lon)
        o->has_lon = 1;
      else
        o->has_lat = 1;
      i++;
    } else if (strcmp(a, "--into") == 0 && v) {
      if (!parse_long(v, 1, LONG_MAX, &o->into)) goto bad;
      i++;
    } else if (strcmp(a, "--satisfaction") == 0 && v) {
      if (!parse_long(v, 1, 5, &o->satisfaction)) goto bad;
      i++;
    } else if (strcmp(a, "--hours") == 0 && v) {
      if (!parse_long(v, 1, 2160, &o->hours)) goto bad;
      i++;
    } else if (strcmp(a, "--limit") == 0 && v) {
      if (!parse_long(v, 1, 1000000, &o->limit)) goto bad;
      i++;
    } else if (strcmp(a, "--level") == 0 && v) {
      long l;
      if (!parse_long(v, 1, 3, &l)) goto bad;
      o->level = (int)l;
      i++;
    } else if (strcmp(a, "--open") == 0) {
      o->open = 1;
    } else if (strcmp(a, "--approve") == 0) {
      o->approve = 1;
    } else if (strcmp(a, "--deny") == 0) {
      o->deny = 1;
    } else {
      fprintf(stderr, "wangge %s: unexpected '%s' (see --help)\n", cmd, a);
      return 0;
    }
    continue;
  bad:
    fprintf(stderr, "wangge %s: %s: '%s' is out of range (see --help)\n", cmd, a, v);
    return 0;
  }
  return 1;
}

/* The principal of a login, for --as. */
static int principal_of(wg_store_t *s, const char *flag, const char *login, wg_principal *p) {
  wg_user_row *u = malloc(sizeof *u);
  if (!u) return 0;
  wg_err e = wg_store_user_get(s, login, u);
  if (e || u->disabled) {
    fprintf(stderr, "wangge matter: %s %s: %s\n", flag, login,
            e ? "no such user" : "the user is disabled");
    free(u);
    return 0;
  }
  memset(p, 0, sizeof *p);
  p->user_id = u->id;
  snprintf(p->login, sizeof p->login, "%s", u->login);
  p->role = (wg_role)u->role;
  p->perms = u->perms;
  p->nscopes = u->nscopes;
  for (int i = 0; i < u->nscopes && i < WG_AUTH_MAX_SCOPES; i++)
    memcpy(p->scopes[i], u->scopes[i], sizeof p->scopes[i]);
  free(u);
  return 1;
}

static int now_of(const opts *o, int64_t *now) {
  if (!o->now) {
    *now = (int64_t)time(NULL);
    return 1;
  }
  if (wg_matter_time_parse(o->now, now) != WG_OK) {
    fprintf(stderr, "wangge matter: --now wants ISO 8601 with a zone, e.g. "
                    "2026-03-01T09:30:00+08:00\n");
    return 0;
  }
  return 1;
}

/* Reads and stores the --photo files; list gets their hashes. */
static int save_photos(const wg_cli *cli, wg_store_t *s, const char *county, const opts *o,
                       char *list, size_t cap) {
  list[0] = '\0';
  char dir[4096];
  wg_photo_dir(cli->db, dir, sizeof dir);
  for (int i = 0; i < o->nphotos; i++) {
    FILE *f = fopen(o->photos[i], "rb");
    if (!f) {
      fprintf(stderr, "wangge matter: --photo %s: %s\n", o->photos[i], strerror(errno));
      return 0;
    }
    unsigned char *buf = malloc(WG_PHOTO_MAX + 1);
    size_t n = buf ? fread(buf, 1, WG_PHOTO_MAX + 1, f) : 0;
    fclose(f);
    char sha[65];
    wg_errinfo ei = {0};
    wg_err e = buf ? wg_photo_save(s, dir, county, buf, n, sha, &ei) : WG_ENOMEM;
    free(buf);
    if (e) {
      snprintf(ei.file, sizeof ei.file, "%s", o->photos[i]);
      wg_cli_error("matter: --photo", e, &ei);
      return 0;
    }
    size_t used = strlen(list);
    snprintf(list + used, cap - used, "%s%s", used ? "," : "", sha);
  }
  return 1;
}

static void print_time(const char *label, int64_t t) {
  if (!t) return;
  char iso[32];
  wg_matter_time_iso(t, iso);
  printf("  %-12s %s\n", label, iso);
}

static const char *login_of(wg_store_t *s, int64_t id, char *buf, size_t cap) {
  wg_user_row *u = malloc(sizeof *u);
  snprintf(buf, cap, "%s", id ? "?" : "-");
  if (u && id && wg_store_user_get_id(s, id, u) == WG_OK) snprintf(buf, cap, "%s", u->login);
  free(u);
  return buf;
}

static int print_event(void *ctx, const wg_matter_event_row *e) {
  (void)ctx;
  char iso[32];
  wg_matter_time_iso(e->ev.at, iso);
  printf("  %3d %s  %-14s %-11s → %-11s %s (%s)", e->seq, iso, wg_matter_action_name(e->ev.action),
         wg_matter_status_name(e->ev.from), wg_matter_status_name(e->ev.to), e->actor,
         wg_matter_actor_name(e->ev.actor));
  if (e->ev.action == WG_MA_ESCALATE) printf(" ↑");
  if (e->ev.action == WG_MA_EVALUATE) printf(" satisfaction %d", e->ev.value);
  if (e->ev.action == WG_MA_EXTEND) printf(" +%d h", e->ev.value);
  if (e->ev.action == WG_MA_MERGE) printf(" into #%lld", (long long)e->ev.other);
  if (e->note[0]) printf(" — %s", e->note);
  if (e->photos[0]) printf(" [photos %s]", e->photos);
  printf("\n");
  return 0;
}

static void show(wg_store_t *s, const wg_matter_row *m) {
  char name[64], phone[24], who[64];
  wg_matters_reporter_masked(m, name, phone);
  printf("matter #%lld  %s  [%s] %s\n", (long long)m->id, wg_matter_status_name(m->st.status),
         m->category, m->title);
  if (m->description[0]) printf("  %s\n", m->description);
  if (m->located) printf("  at           %.6f, %.6f\n", m->lon, m->lat);
  if (m->address[0]) printf("  address      %s\n", m->address);
  printf("  grids        %s %s %s\n", m->grid[0][0] ? m->grid[0] : "-",
         m->grid[1][0] ? m->grid[1] : "-", m->grid[2][0] ? m->grid[2] : "-");
  printf("  level        %s\n", wg_matter_level_name(m->st.level));
  printf("  handler      %s\n", login_of(s, m->st.handler, who, sizeof who));
  printf("  reporter     %s%s%s%s%s\n", m->reporter, name[0] ? " " : "", name,
         phone[0] ? " " : "", phone);
  printf("  token        %s\n", m->token);
  print_time("reported", m->st.reported_at);
  print_time("due", m->st.due_at);
  print_time("expected", m->st.expected_at);
  print_time("closed", m->st.closed_at);
  if (m->st.satisfaction) printf("  satisfaction %d/5\n", m->st.satisfaction);
  if (m->st.merged_into) printf("  merged into  #%lld\n", (long long)m->st.merged_into);
  if (m->st.ext_pending) printf("  extension    %d h asked, awaiting approval\n", m->st.ext_pending);
  printf("timeline:\n");
  if (wg_store_matter_events(s, m->id, print_event, NULL) != WG_OK)
    fprintf(stderr, "wangge matter: the timeline cannot be read\n");
}

typedef struct list_ctx {
  wg_store_t *s;
  int64_t now;
  long n;
} list_ctx;

static int print_row(void *ctx, const wg_matter_row *m) {
  list_ctx *c = ctx;
  char iso[32] = "-";
  if (m->st.due_at) wg_matter_time_iso(m->st.due_at, iso);
  int overdue = wg_matter_overdue(&m->st, c->now);
  printf("%-7lld %-11s %-11s %-9s %-25s %s%s\n", (long long)m->id,
         wg_matter_status_name(m->st.status), m->category, wg_matter_level_name(m->st.level),
         iso, overdue ? "OVERDUE " : "", m->title);
  c->n++;
  return 0;
}

static int cmd_report(const wg_cli *cli, wg_store_t *s, const char *county, const opts *o,
                      const wg_principal *p, int64_t now) {
  if (o->has_lon != o->has_lat) {
    fprintf(stderr, "wangge matter report: give both --lon and --lat\n");
    return 2;
  }
  char photos[8 * 65];
  if (!save_photos(cli, s, county, o, photos, sizeof photos)) return 1;
  const char *reporter = o->reporter ? o->reporter : p ? p->login : cli->actor;
  wg_matter_report in = {.category = o->category,
                         .title = o->title,
                         .description = o->description,
                         .located = o->has_lon,
                         .lon = o->lon,
                         .lat = o->lat,
                         .address = o->address,
                         .reporter = reporter,
                         .reporter_name = o->name,
                         .reporter_phone = o->phone,
                         .source = "cli",
                         .photos = photos,
                         .kind = p && p->role == WG_ROLE_GRID_WORKER ? WG_MACT_HANDLER
                                 : p && p->role != WG_ROLE_MEMBER   ? WG_MACT_SUPERVISOR
                                                                     : WG_MACT_REPORTER,
                         .actor = p ? p->login : cli->actor,
                         .origin = "cli",
                         .now = now};
  wg_matter_row *m = malloc(sizeof *m);
  wg_errinfo ei = {0};
  wg_err e = m ? wg_matters_report(s, county, &in, m, &ei) : WG_ENOMEM;
  if (e) {
    wg_cli_error("matter report", e, &ei);
    free(m);
    return 1;
  }
  printf("reported matter #%lld (token %s), %s level\n", (long long)m->id, m->token,
         wg_matter_level_name(m->st.level));
  list_ctx lc = {s, now, 0};
  if (m->located) {
    /* duplicates: open matters of the same category nearby (itself included) */
    printf("open %s matters within %d m (merge a duplicate with `matter merge ID --into …`):\n",
           m->category, WG_MATTER_NEAR_M);
    if (wg_store_matter_near(s, county, m->category, m->lon, m->lat, WG_MATTER_NEAR_M, print_row,
                             &lc) != WG_OK)
      fprintf(stderr, "wangge matter report: duplicates cannot be listed\n");
  }
  free(m);
  return 0;
}

static int cmd_list(wg_store_t *s, const char *county, const opts *o, const wg_principal *p,
                    int64_t now) {
  wg_matter_query q = {.county = county, .open_only = o->open, .category = o->category,
                       .grid = o->grid, .limit = o->limit ? (int)o->limit : 50,
                       .overdue_at = now};
  wg_store_scope sc = {0};
  if (o->status) {
    wg_matter_status st;
    if (wg_matter_status_parse(o->status, &st) != WG_OK) {
      fprintf(stderr, "wangge matter list: --status: no status '%s'\n", o->status);
      return 2;
    }
    q.status = st;
  }
  if (o->handler) {
    wg_principal h;
    if (!principal_of(s, "--handler", o->handler, &h)) return 1;
    q.handler = h.user_id;
  }
  if (p && p->role != WG_ROLE_ADMIN) {
    /* the same rows the API gives: grids for grid workers, division prefixes else */
    for (int i = 0; i < p->nscopes; i++) {
      size_t n = strlen(p->scopes[i]);
      if (n == 12 && p->role != WG_ROLE_GRID_WORKER && sc.nprefixes < 32) {
        static char pre[32][13];
        size_t cut = 12;
        while (cut > 6 && p->scopes[i][cut - 1] == '0') cut--;
        cut = cut <= 6 ? 6 : cut <= 9 ? 9 : 12;
        snprintf(pre[sc.nprefixes], sizeof pre[0], "%.*s", (int)cut, p->scopes[i]);
        sc.prefixes[sc.nprefixes] = pre[sc.nprefixes];
        sc.nprefixes++;
      } else if (n > 12 && sc.ngrids < 32) {
        sc.grids[sc.ngrids++] = p->scopes[i];
      }
    }
    q.scope = &sc;
  }
  list_ctx lc = {s, now, 0};
  long total = 0;
  printf("%-7s %-11s %-11s %-9s %-25s %s\n", "id", "status", "category", "level", "due",
         "title");
  wg_err e = wg_store_matter_list(s, &q, print_row, &lc, &total);
  if (e) {
    wg_cli_error("matter list", e, NULL);
    return 1;
  }
  printf("%ld of %ld matters\n", lc.n, total);
  return 0;
}

static int cmd_act(const wg_cli *cli, wg_store_t *s, const char *county, const char *verb,
                   const char *idtext, const opts *o, const wg_principal *p, int64_t now) {
  long id;
  if (!idtext || !parse_long(idtext, 1, LONG_MAX, &id)) {
    fprintf(stderr, "wangge matter %s: give the matter's number\n", verb);
    return 2;
  }
  wg_matter_action a;
  if (wg_matter_action_parse(verb, &a) != WG_OK || a == WG_MA_REPORT) {
    fprintf(stderr, "wangge matter: no action '%s' (see --help)\n", verb);
    return 2;
  }
  if (a == WG_MA_EXTEND && (o->approve || o->deny))
    a = o->approve ? WG_MA_EXTEND_APPROVE : WG_MA_EXTEND_DENY;
  wg_matter_step st = {.action = a, .note = o->note, .now = now};
  if (a == WG_MA_DISPATCH) {
    wg_principal h;
    if (!o->to) {
      fprintf(stderr, "wangge matter dispatch: --to LOGIN (a grid worker) is required\n");
      return 2;
    }
    if (!principal_of(s, "--to", o->to, &h)) return 1;
    st.handler = h.user_id;
  }
  if (a == WG_MA_MERGE) st.other = o->into;
  if (a == WG_MA_EVALUATE) st.value = (int)o->satisfaction;
  if (a == WG_MA_EXTEND) st.value = (int)o->hours;
  char photos[8 * 65];
  if (!save_photos(cli, s, county, o, photos, sizeof photos)) return 1;
  st.photos = photos;
  wg_matter_who who = {.p = p, .actor = p ? p->login : cli->actor, .origin = "cli"};
  wg_matter_row *m = malloc(sizeof *m);
  wg_errinfo ei = {0};
  wg_err e = m ? wg_matters_act(s, id, &who, &st, m, &ei) : WG_ENOMEM;
  if (e) {
    char what[64];
    snprintf(what, sizeof what, "matter %s #%ld", verb, id);
    wg_cli_error(what, e, &ei);
    free(m);
    return 1;
  }
  printf("matter #%ld %s, now %s (%s level)\n", id, wg_matter_action_name(a),
         wg_matter_status_name(m->st.status), wg_matter_level_name(m->st.level));
  free(m);
  return 0;
}

typedef struct check_ctx {
  wg_store_t *s;
  long checked, bad;
} check_ctx;

static int check_one(void *ctx, const wg_matter_row *m) {
  check_ctx *c = ctx;
  wg_errinfo ei = {0};
  c->checked++;
  if (wg_matters_check(c->s, m->id, &ei) != WG_OK) {
    fprintf(stderr, "matter #%lld: %s\n", (long long)m->id, ei.why);
    c->bad++;
  }
  return 0;
}

int wg_cmd_matter(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    matter_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *verb = argv[1];
  int takes_id = strcmp(verb, "report") && strcmp(verb, "list") && strcmp(verb, "tick") &&
                 strcmp(verb, "figures") && !(strcmp(verb, "check") == 0 && argc == 2);
  if (strcmp(verb, "check") == 0 && argc > 2 && argv[2][0] == '-') takes_id = 0;
  opts o = {0};
  if (!parse_opts("matter", argc, argv, takes_id ? 3 : 2, &o)) return 2;
  int64_t now;
  if (!now_of(&o, &now)) return 2;
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  wg_principal p, *pp = NULL;
  if (!wg_cli_county(s, county)) goto out;
  if (o.as) {
    if (!principal_of(s, "--as", o.as, &p)) goto out;
    pp = &p;
  }
  if (strcmp(verb, "report") == 0) {
    rc = cmd_report(cli, s, county, &o, pp, now);
  } else if (strcmp(verb, "list") == 0) {
    rc = cmd_list(s, county, &o, pp, now);
  } else if (strcmp(verb, "show") == 0) {
    long id;
    wg_matter_row *m = malloc(sizeof *m);
    if (argc < 3 || !parse_long(argv[2], 1, LONG_MAX, &id)) {
      fprintf(stderr, "wangge matter show: give the matter's number\n");
      rc = 2;
    } else if (!m || wg_store_matter_get(s, id, m) != WG_OK || !wg_matters_visible(pp, m)) {
      fprintf(stderr, "wangge matter show: no matter #%ld\n", id);
    } else {
      show(s, m);
      rc = 0;
    }
    free(m);
  } else if (strcmp(verb, "tick") == 0) {
    long n = 0;
    wg_err e = wg_matters_tick(s, county, now, &n);
    if (e) {
      wg_cli_error("matter tick", e, NULL);
    } else {
      printf("%ld matters escalated\n", n);
      rc = 0;
    }
  } else if (strcmp(verb, "check") == 0) {
    check_ctx c = {s, 0, 0};
    wg_err e;
    if (takes_id) {
      long id;
      wg_matter_row *m = malloc(sizeof *m);
      e = !parse_long(argv[2], 1, LONG_MAX, &id) ? WG_EINVAL
          : !m                                  ? WG_ENOMEM
                                                : wg_store_matter_get(s, id, m);
      if (!e) check_one(&c, m);
      free(m);
    } else {
      wg_matter_query q = {.county = county};
      e = wg_store_matter_list(s, &q, check_one, &c, NULL);
    }
    if (e) {
      wg_cli_error("matter check", e, NULL);
    } else {
      printf("%ld matters checked against their events: %ld differ\n", c.checked, c.bad);
      rc = c.bad ? 1 : 0;
    }
  } else if (strcmp(verb, "figures") == 0) {
    rc = wg_cli_matter_figures(s, county, o.by, o.level, o.from, o.until, now);
  } else {
    rc = cmd_act(cli, s, county, verb, argc > 2 ? argv[2] : NULL, &o, pp, now);
  }
out:
  wg_store_close(s);
  return rc;
}

/* ---- categories ---------------------------------------------------------------- */

static int print_category(void *ctx, const wg_category_t *c) {
  (void)ctx;
  printf("%-12s %-14s %-28s %-9s %4d %4d %4d %4d %s\n", c->code, c->name_zh, c->name_en,
         wg_matter_level_name(c->level), c->policy.hours[0], c->policy.hours[1],
         c->policy.hours[2], c->policy.hours[3], c->active ? "" : "(inactive)");
  return 0;
}

int wg_cmd_category(const wg_cli *cli, int argc, char **argv) {
  if (wg_cli_wants_help(argc, argv) ||
      (argc > 1 && strcmp(argv[1], "list") && strcmp(argv[1], "set"))) {
    printf("usage: wangge [--db PATH] category [list]\n"
           "       wangge [--db PATH] category set CODE [--zh NAME] [--en NAME]\n"
           "              [--level grid|community|township|county] [--hours A,D,H,V]\n"
           "              [--active yes|no]\n\n"
           "Categories of matters: where each starts and the hours allowed per stage —\n"
           "A accept (立案), D dispatch (派遣), H handle (处置), V verify and close (核查结案).\n"
           "set changes a category or adds one (a new one needs --zh, --en, --hours).\n");
    return wg_cli_wants_help(argc, argv) ? 0 : 2;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  int rc = 0;
  if (argc == 1 || strcmp(argv[1], "list") == 0) {
    printf("%-12s %-14s %-28s %-9s %4s %4s %4s %4s\n", "code", "名称", "name", "level", "A", "D",
           "H", "V");
    if (wg_store_category_each(s, 1, print_category, NULL) != WG_OK) rc = 1;
    wg_store_close(s);
    return rc;
  }
  if (argc < 3) {
    fprintf(stderr, "wangge category set: give the CODE\n");
    wg_store_close(s);
    return 2;
  }
  wg_category_t c;
  const char *code = argv[2];
  int fresh = wg_store_category_get(s, code, &c) != WG_OK;
  if (fresh) {
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", code);
    c.active = 1;
  }
  int ok = strlen(code) >= 1 && strlen(code) <= 32;
  for (const char *q = code; ok && *q; q++)
    ok = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '-';
  if (!ok) {
    fprintf(stderr, "wangge category set: CODE is 1-32 of a-z, 0-9, '_', '-'\n");
    rc = 2;
  }
  for (int i = 3; i < argc && !rc; i += 2) { /* option, value */
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      fprintf(stderr, "wangge category set: %s needs a value\n", a);
      rc = 2;
    } else if (strcmp(a, "--zh") == 0) {
      snprintf(c.name_zh, sizeof c.name_zh, "%s", v);
    } else if (strcmp(a, "--en") == 0) {
      snprintf(c.name_en, sizeof c.name_en, "%s", v);
    } else if (strcmp(a, "--level") == 0) {
      int l = -1;
      for (int k = 0; k <= 3; k++)
        if (strcmp(v, wg_matter_level_name(k)) == 0) l = k;
      if (l < 0) {
        fprintf(stderr, "wangge category set: --level is grid, community, township or county\n");
        rc = 2;
      }
      c.level = l;
    } else if (strcmp(a, "--hours") == 0) {
      int h[4], n = 0;
      char tail;
      n = sscanf(v, "%d,%d,%d,%d%c", &h[0], &h[1], &h[2], &h[3], &tail);
      if (n != 4 || h[0] < 1 || h[1] < 1 || h[2] < 1 || h[3] < 1 || h[0] > 8760 ||
          h[1] > 8760 || h[2] > 8760 || h[3] > 8760) {
        fprintf(stderr, "wangge category set: --hours wants four whole hours 1-8760, e.g. "
                        "24,24,72,48\n");
        rc = 2;
      } else {
        memcpy(c.policy.hours, h, sizeof h);
      }
    } else if (strcmp(a, "--active") == 0) {
      c.active = strcmp(v, "yes") == 0;
      if (!c.active && strcmp(v, "no")) {
        fprintf(stderr, "wangge category set: --active yes or no\n");
        rc = 2;
      }
    } else {
      fprintf(stderr, "wangge category set: unexpected '%s'\n", a);
      rc = 2;
    }
  }
  if (!rc && (!c.name_zh[0] || !c.name_en[0] || c.policy.hours[0] < 1)) {
    fprintf(stderr, "wangge category set: a new category needs --zh, --en and --hours\n");
    rc = 2;
  }
  if (!rc) {
    wg_err e = wg_store_begin(s);
    if (!e) e = wg_store_category_put(s, &c);
    wg_audit_t au = {.action = "category.set", .origin = "cli"};
    snprintf(au.actor, sizeof au.actor, "%s", cli->actor);
    snprintf(au.target, sizeof au.target, "category %s", c.code);
    snprintf(au.reason, sizeof au.reason, "%s %d,%d,%d,%d %s", wg_matter_level_name(c.level),
             c.policy.hours[0], c.policy.hours[1], c.policy.hours[2], c.policy.hours[3],
             c.active ? "active" : "inactive");
    if (!e) e = wg_store_audit_add(s, &au);
    if (!e) e = wg_store_commit(s);
    if (e) {
      wg_store_rollback(s);
      wg_cli_error("category set", e, NULL);
      rc = 1;
    } else {
      printf("category %s %s\n", c.code, fresh ? "added" : "changed");
    }
  }
  wg_store_close(s);
  return rc;
}

/* ---- API keys -------------------------------------------------------------------- */

static int print_key(void *ctx, const wg_api_key_row *k) {
  (void)ctx;
  printf("%-24s %s…  created %s by %s%s%s\n", k->name, k->prefix, k->created_at, k->actor,
         k->revoked_at[0] ? ", revoked " : "", k->revoked_at);
  return 0;
}

int wg_cmd_apikey(const wg_cli *cli, int argc, char **argv) {
  int known = argc > 1 && (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "list") == 0 ||
                           strcmp(argv[1], "revoke") == 0);
  if (wg_cli_wants_help(argc, argv) || !known ||
      (strcmp(argv[1], "list") != 0 && argc != 3)) {
    printf("usage: wangge [--db PATH] apikey add NAME\n"
           "       wangge [--db PATH] apikey list\n"
           "       wangge [--db PATH] apikey revoke NAME\n\n"
           "Keys of Open311 clients (POST /open311/v2/requests takes api_key). A new key\n"
           "is printed once: only its SHA-256 is kept, so it cannot be shown again.\n");
    return wg_cli_wants_help(argc, argv) ? 0 : 2;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  if (!wg_cli_county(s, county)) goto out;
  if (strcmp(argv[1], "list") == 0) {
    rc = wg_store_api_key_each(s, print_key, NULL) == WG_OK ? 0 : 1;
    goto out;
  }
  const char *name = argv[2];
  size_t n = strlen(name);
  int ok = n >= 1 && n < 64;
  for (size_t i = 0; ok && i < n; i++)
    ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
         name[i] == '-' || name[i] == '_' || name[i] == '.';
  if (!ok) {
    fprintf(stderr, "wangge apikey: NAME is 1-63 of a-z, 0-9, '.', '_', '-'\n");
    rc = 2;
    goto out;
  }
  wg_audit_t au = {.origin = "cli"};
  snprintf(au.actor, sizeof au.actor, "%s", cli->actor);
  snprintf(au.target, sizeof au.target, "api key %s", name);
  char key[48] = "";
  wg_err e = wg_store_begin(s);
  if (strcmp(argv[1], "add") == 0) {
    wg_api_key_row k = {0};
    char hash[65];
    wg_matters_apikey_new(key, hash);
    snprintf(k.county, sizeof k.county, "%s", county);
    snprintf(k.name, sizeof k.name, "%s", name);
    snprintf(k.key_hash, sizeof k.key_hash, "%s", hash);
    snprintf(k.prefix, sizeof k.prefix, "%.7s", key);
    snprintf(k.actor, sizeof k.actor, "%s", cli->actor);
    snprintf(au.action, sizeof au.action, "apikey.add");
    if (!e) e = wg_store_api_key_add(s, &k);
  } else {
    snprintf(au.action, sizeof au.action, "apikey.revoke");
    if (!e) e = wg_store_api_key_revoke(s, name);
  }
  if (!e) e = wg_store_audit_add(s, &au);
  if (!e) e = wg_store_commit(s);
  if (e) {
    wg_store_rollback(s);
    wg_errinfo ei = {0};
    if (e == WG_EEXIST) snprintf(ei.why, sizeof ei.why, "a key named %s exists", name);
    if (e == WG_ENOTFOUND) snprintf(ei.why, sizeof ei.why, "no key named %s", name);
    if (e == WG_ECONFLICT) snprintf(ei.why, sizeof ei.why, "%s is already revoked", name);
    wg_cli_error("apikey", e, &ei);
  } else if (key[0]) {
    printf("%s\n", key);
    fprintf(stderr, "api key %s added; it is shown this once — keep it now\n", name);
    rc = 0;
  } else {
    printf("api key %s revoked\n", name);
    rc = 0;
  }
out:
  wg_store_close(s);
  return rc;
}

/* ---- figures ----------------------------------------------------------------------- */

static void pct(double r, long den) {
  if (den)
    printf(" %6.1f%%", r * 100);
  else
    printf(" %7s", "-");
}

int wg_cli_matter_figures(wg_store_t *s, const char *county, const char *by_name, int level,
                          const char *from, const char *to, int64_t now) {
  wg_figures_by by = WG_FIG_COUNTY;
  if (by_name && wg_figures_by_parse(by_name, &by) != WG_OK) {
    fprintf(stderr, "wangge matter figures: --by grid, community, township, worker, category "
                    "or county\n");
    return 2;
  }
  if (by == WG_FIG_GRID3 && level) by = (wg_figures_by)(WG_FIG_GRID1 + level - 1);
  int64_t t0 = 0, t1 = 0;
  if ((from && wg_matter_time_parse(from, &t0) != WG_OK) ||
      (to && wg_matter_time_parse(to, &t1) != WG_OK)) {
    fprintf(stderr, "wangge matter figures: --from/--to-date want a date (YYYY-MM-DD)\n");
    return 2;
  }
  wg_figures f;
  wg_err e = wg_figures_compute(s, county, by, t0, t1, now, &f);
  if (e) {
    wg_cli_error("matter figures", e, NULL);
    return 1;
  }
  printf("%-4s %-20s %8s %8s %8s %8s %8s %8s %8s %8s %8s %6s\n", "rank", wg_figures_by_name(by),
         "received", "due", "closed", "结案率", "按期率", "rework", "extend", "handle_h",
         "overdue", "satis");
  for (int i = -1; i < f.n; i++) {
    const wg_figures_row *r = i < 0 ? &f.total : &f.rows[i];
    char rank[8];
    snprintf(rank, sizeof rank, "%d", i < 0 ? 0 : r->rank);
    printf("%-4s %-20s %8ld %8ld %8ld", i < 0 ? "" : rank, i < 0 ? "(all)" : r->key, r->received,
           r->due, r->closed);
    pct(r->closure_rate, r->due);
    pct(r->on_time_rate, r->due);
    pct(r->rework_rate, r->handled);
    pct(r->extension_rate, r->dispatched);
    if (r->mean_hours[2] >= 0)
      printf(" %8.1f", r->mean_hours[2]);
    else
      printf(" %8s", "-");
    printf(" %8ld", r->overdue_open);
    if (r->evaluated)
      printf(" %6.2f\n", r->satisfaction);
    else
      printf(" %6s\n", "-");
  }
  wg_figures_free(&f);
  return 0;
}
