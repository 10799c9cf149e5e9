/* demo_matters.c — a year of matters for the demo county.
 *
 * After the demo is divided: a grid worker per level-2 grid (signing in
 * with the demo password), then about 50,000 matters over the year before
 * `today`, each placed at a real entrance of the active plan (so its grids
 * are right), of a category drawn from a community-governance mix, living
 * its life through the rules of matter.h — accepted or rejected, dispatched,
 * handled late or on time (the deadline clock escalating the late ones),
 * extended, reworked, suspended, merged, closed, evaluated, reopened — and
 * stopping where `now` (today, 18:00 China time) finds it. Every event goes
 * through wg_matter_apply, so the trail replays; the matter and its events
 * are bulk-loaded in one transaction with one audit row for the load.
 * Deterministic: the same seed and `today` give the same matters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "demo/demo.h"
#include "demo/demo_int.h"
#include "matter/matter.h"
#include "util/strmap.h"

typedef struct place {
  double lon, lat;
  char grid[3][19];
  char community[13];
  int worker;              /* index into workers, -1 none */
} place;

typedef struct gen {
  wg__demo_rng_t rng;
  place *places;
  int nplaces, cap;
  wg_strmap entrance_at;   /* entrance id (text) → index into places (from units) */
  int64_t *worker_id;      /* per level-2 grid */
  char (*worker_login)[64];
  int nworkers;
  wg_strmap worker_of;     /* level-2 code → worker index */
  wg_category_t cats[16];
  int ncats;
  int failed;
} gen;

/* ---- places: entrances with their grids ----------------------------------- */

static int take_unit(void *ctx, const wg_unit_row *u) {
  gen *g = ctx;
  if (u->lon == 0 && u->lat == 0) return 0;
  if (g->nplaces == g->cap) {
    int cap = g->cap ? g->cap * 2 : 4096;
    place *p = realloc(g->places, (size_t)cap * sizeof *p);
    if (!p) {
      g->failed = 1;
      return 1;
    }
    g->places = p;
    g->cap = cap;
  }
  place *p = &g->places[g->nplaces];
  memset(p, 0, sizeof *p);
  /* spread entrances of a building a few metres apart */
  p->lon = u->lon + (u->entrance_no - (u->entrances - 1) / 2.0) * 0.00004;
  p->lat = u->lat;
  memcpy(p->community, u->community, sizeof p->community);
  p->worker = -1;
  char key[24];
  int n = snprintf(key, sizeof key, "%lld", (long long)u->entrance_id);
  if (wg_strmap_put(&g->entrance_at, key, (size_t)n, g->nplaces) != WG_OK) {
    g->failed = 1;
    return 1;
  }
  g->nplaces++;
  return 0;
}

static int take_assignment(void *ctx, const wg_assignment_t *a) {
  gen *g = ctx;
  if (a->piece != 0) return 0; /* split entrances: their pieces are not places */
  char key[24];
  int n = snprintf(key, sizeof key, "%lld", (long long)a->entrance_id);
  int64_t at;
  if (!wg_strmap_get(&g->entrance_at, key, (size_t)n, &at)) return 0;
  memcpy(g->places[at].grid, a->code, sizeof g->places[at].grid);
  return 0;
}

/* ---- grid workers: one per level-2 grid ------------------------------------- */

typedef struct workers_ctx {
  gen *g;
  wg_store_t *s;
  const char *hash;
  wg_err e;
} workers_ctx;

static int add_worker(void *ctx, const wg_grid_t *gr) {
  workers_ctx *w = ctx;
  gen *g = w->g;
  int i = g->nworkers;
  int64_t *ids = realloc(g->worker_id, (size_t)(i + 1) * sizeof *ids);
  if (!ids) goto fail;
  g->worker_id = ids;
  char(*logins)[64] = realloc(g->worker_login, (size_t)(i + 1) * sizeof *logins);
  if (!logins) goto fail;
  g->worker_login = logins;
  /* a level-2 grid that has its grid worker already (the demo's
   * `gridworker`) keeps them */
  int64_t existing;
  if (wg_store_user_for_scope(w->s, gr->code, WG_ROLE_GRID_WORKER, &existing) == WG_OK) {
    wg_user_row *x = malloc(sizeof *x);
    if (!x || wg_store_user_get_id(w->s, existing, x) != WG_OK) {
      free(x);
      goto fail;
    }
    ids[i] = existing;
    snprintf(logins[i], 64, "%s", x->login);
    free(x);
    if (wg_strmap_put(&g->worker_of, gr->code, strlen(gr->code), i) != WG_OK) goto fail;
    g->nworkers++;
    return 0;
  }
  wg_user_row *u = calloc(1, sizeof *u);
  if (!u) goto fail;
  snprintf(u->county, sizeof u->county, "%s", gr->county);
  /* gw-<community digits 7-12>-<level-1 no>-<level-2 no>: short and unique */
  snprintf(u->login, sizeof u->login, "gw%.12s", gr->code + 6);
  u->role = WG_ROLE_GRID_WORKER;
  snprintf(u->password_hash, sizeof u->password_hash, "%s", w->hash);
  u->nscopes = 1;
  snprintf(u->scopes[0], sizeof u->scopes[0], "%s", gr->code);
  snprintf(u->created_at, sizeof u->created_at, "%s", "2026-01-01T00:00:00Z");
  wg_err e = wg_store_user_add(w->s, u);
  int64_t id = u->id;
  snprintf(logins[i], 64, "%s", u->login);
  free(u);
  if (e == WG_EEXIST) return 0; /* a login of an earlier run */
  if (e) {
    w->e = e;
    return 1;
  }
  ids[i] = id;
  /* every account has its user_add audit row, as `wangge user add` writes */
  wg_audit_t a = {.actor = "demo", .action = "user_add", .origin = "cli"};
  snprintf(a.target, sizeof a.target, "user:%s", logins[i]);
  snprintf(a.reason, sizeof a.reason, "grid-worker %s", gr->code);
  if ((e = wg_store_audit_add(w->s, &a)) != WG_OK) {
    w->e = e;
    return 1;
  }
  if (wg_strmap_put(&g->worker_of, gr->code, strlen(gr->code), i) != WG_OK) goto fail;
  g->nworkers++;
  return 0;
fail:
  w->e = WG_ENOMEM;
  return 1;
}

static int take_category(void *ctx, const wg_category_t *c) {
  gen *g = ctx;
  if (g->ncats < 16) g->cats[g->ncats++] = *c;
  return 0;
}

/* ---- one matter's life ----------------------------------------------------------- */

typedef struct life {
  wg_matter_state st;
  const wg_matter_policy *pol;
  wg_matter_event_row ev[64];
  int n;
  int64_t now;
  int stopped;             /* reached now, or an error */
  const char *worker;      /* login of the handler */
  const char *office;      /* the supervising office */
  const char *reporter;
} life;

static const char *const notes_reject[] = {"不属于网格管理事项", "信息不全，无法核实", "重复上报"};
static const char *const notes_rework[] = {"现场核查未处理到位", "居民反映问题仍存在", "照片与现场不符"};
static const char *const notes_extend[] = {"需协调物业及相关部门", "等待配件到货", "涉及多户，需逐户协商"};
static const char *const notes_handle[] = {"已现场处置完毕", "已协调相关部门解决", "已调解，双方达成一致",
                                           "已清理完毕", "已维修恢复"};
static const char *const notes_suspend[] = {"需上级统筹解决，暂挂账", "涉及历史遗留问题"};
static const char *const notes_reopen[] = {"问题又出现了", "没有彻底解决"};

/* Applies an action at time t (after the clock escalates what fell due
 * before t). 0 once the matter reached `now` or on error. */
static int act(gen *g, life *l, wg_matter_action a, wg_matter_actor who, int64_t t,
               const char *note, int value) {
  (void)g;
  if (l->stopped) return 0;
  /* the deadline clock runs first */
  while (l->st.due_at && l->st.due_at <= t && wg_matter_due_escalation(&l->st, l->st.due_at) &&
         l->n < 60) {
    if (l->st.due_at > l->now) break;
    wg_matter_event_row *e = &l->ev[l->n];
    memset(e, 0, sizeof *e);
    e->ev.action = WG_MA_ESCALATE;
    e->ev.actor = WG_MACT_SYSTEM;
    e->ev.at = l->st.due_at;
    if (wg_matter_apply(&l->st, l->pol, &e->ev, NULL) != WG_OK) break;
    snprintf(e->actor, sizeof e->actor, "system");
    l->n++;
  }
  if (t > l->now || l->n >= 62) {
    l->stopped = 1;
    return 0;
  }
  wg_matter_event_row *e = &l->ev[l->n];
  memset(e, 0, sizeof *e);
  e->ev.action = a;
  e->ev.actor = who;
  e->ev.at = t < l->st.last_at ? l->st.last_at : t;
  e->ev.has_note = note != NULL;
  e->ev.value = value;
  e->ev.handler = a == WG_MA_DISPATCH || a == WG_MA_REPORT ? l->st.handler : 0;
  if (a == WG_MA_MERGE) e->ev.other = value, e->ev.value = 0;
  if (wg_matter_apply(&l->st, l->pol, &e->ev, NULL) != WG_OK) {
    l->stopped = 1; /* an action the rules refuse ends the story here */
    return 0;
  }
  snprintf(e->note, sizeof e->note, "%s", note ? note : "");
  snprintf(e->actor, sizeof e->actor, "%s",
           who == WG_MACT_HANDLER      ? l->worker
           : who == WG_MACT_SUPERVISOR ? l->office
           : who == WG_MACT_REPORTER   ? l->reporter
                                       : "system");
  l->n++;
  return 1;
}

#define PICK(arr) arr[wg__demo_rng_range(&g->rng, 0, (long)(sizeof arr / sizeof *arr) - 1)]

/* A delay of about frac of the stage allowance (lognormal), late with
 * probability p_late (then 1.2–3× the allowance). */
static int64_t delay(gen *g, int hours, double frac, double p_late) {
  double h = hours;
  double x = wg__demo_rng_chance(&g->rng, p_late)
                 ? h * (1.2 + 1.8 * wg__demo_rng_unit(&g->rng))
                 : h * frac * exp(0.6 * wg__demo_rng_normal(&g->rng));
  if (x > h * 0.98 && x < h * 1.2) x = h * 0.9; /* on time unless drawn late */
  if (x < 0.05) x = 0.05;
  return (int64_t)(x * 3600);
}

/* The whole life, by draws. */
static void simulate(gen *g, life *l, int64_t t, int64_t prev_same_category, int handler_known) {
  const int *h = l->pol->hours;
  (void)handler_known;
  double u = wg__demo_rng_unit(&g->rng);
  if (u < 0.035) { /* not a matter for the grid */
    act(g, l, WG_MA_REJECT, WG_MACT_SUPERVISOR, t + delay(g, h[0], 0.2, 0.02), PICK(notes_reject), 0);
    return;
  }
  if (u < 0.055 && prev_same_category > 0) {
    act(g, l, WG_MA_MERGE, WG_MACT_SUPERVISOR, t + delay(g, h[0], 0.2, 0.02), NULL,
        (int)prev_same_category);
    return;
  }
  if (!act(g, l, WG_MA_ACCEPT, handler_known ? WG_MACT_HANDLER : WG_MACT_SUPERVISOR,
           t += delay(g, h[0], 0.25, 0.04), NULL, 0))
    return;
  if (!act(g, l, WG_MA_DISPATCH, WG_MACT_SUPERVISOR, t += delay(g, h[1], 0.2, 0.03), NULL, 0))
    return;
  if (wg__demo_rng_chance(&g->rng, 0.01)) {
    if (!act(g, l, WG_MA_SUSPEND, WG_MACT_SUPERVISOR, t += 3600, PICK(notes_suspend), 0)) return;
    if (!act(g, l, WG_MA_RESUME, WG_MACT_SUPERVISOR, t += 86400 * wg__demo_rng_range(&g->rng, 3, 40),
             NULL, 0))
      return;
  }
  if (!act(g, l, WG_MA_START, WG_MACT_HANDLER, t += delay(g, h[2], 0.05, 0.0), NULL, 0)) return;
  int extended = 0;
  if (wg__demo_rng_chance(&g->rng, 0.07)) {
    int hours = (int)wg__demo_rng_range(&g->rng, 1, 7) * 24;
    if (!act(g, l, WG_MA_EXTEND, WG_MACT_HANDLER, t += delay(g, h[2], 0.2, 0.0), PICK(notes_extend),
             hours))
      return;
    int ok = wg__demo_rng_chance(&g->rng, 0.85);
    if (!act(g, l, ok ? WG_MA_EXTEND_APPROVE : WG_MA_EXTEND_DENY, WG_MACT_SUPERVISOR,
             t += delay(g, 8, 0.3, 0.0), ok ? NULL : "理由不充分，请按期办结", 0))
      return;
    extended = ok;
  }
  for (int round = 0; round < 3; round++) {
    double late = extended ? 0.03 : 0.09;
    if (!act(g, l, WG_MA_HANDLE, WG_MACT_HANDLER, t += delay(g, h[2], 0.35, late),
             PICK(notes_handle), 0))
      return;
    if (wg__demo_rng_chance(&g->rng, round ? 0.02 : 0.06)) {
      if (!act(g, l, WG_MA_REWORK, WG_MACT_SUPERVISOR, t += delay(g, h[3], 0.2, 0.0),
               PICK(notes_rework), 0))
        return;
      continue;
    }
    break;
  }
  if (!act(g, l, WG_MA_VERIFY, WG_MACT_SUPERVISOR, t += delay(g, h[3], 0.3, 0.03), NULL, 0)) return;
  if (!act(g, l, WG_MA_CLOSE, WG_MACT_SUPERVISOR, t += delay(g, h[3], 0.1, 0.0), NULL, 0)) return;
  if (wg__demo_rng_chance(&g->rng, 0.012)) {
    if (!act(g, l, WG_MA_REOPEN, WG_MACT_REPORTER, t += 86400 * wg__demo_rng_range(&g->rng, 1, 10),
             PICK(notes_reopen), 0))
      return;
    if (!act(g, l, WG_MA_START, WG_MACT_HANDLER, t += delay(g, h[2], 0.05, 0.0), NULL, 0)) return;
    if (!act(g, l, WG_MA_HANDLE, WG_MACT_HANDLER, t += delay(g, h[2], 0.3, 0.05), PICK(notes_handle),
             0))
      return;
    if (!act(g, l, WG_MA_VERIFY, WG_MACT_SUPERVISOR, t += delay(g, h[3], 0.3, 0.0), NULL, 0)) return;
    if (!act(g, l, WG_MA_CLOSE, WG_MACT_SUPERVISOR, t += delay(g, h[3], 0.1, 0.0), NULL, 0)) return;
  }
  if (wg__demo_rng_chance(&g->rng, 0.7)) {
    static const double w[5] = {0.02, 0.03, 0.10, 0.30, 0.55};
    int sat = (int)wg__demo_rng_pick(&g->rng, w, 5) + 1;
    act(g, l, WG_MA_EVALUATE, WG_MACT_REPORTER, t + delay(g, 48, 0.3, 0.0), NULL, sat);
  }
}

static int cmp_time(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* ---- the generator ------------------------------------------------------------------ */

static const struct {
  const char *code;
  double weight;
  const char *titles[4];
} mix[] = {
    {"sanitation", 25, {"垃圾堆放未清运", "楼道杂物堆积", "污水外溢", "绿化带垃圾"}},
    {"facility", 18, {"路灯不亮", "井盖破损", "健身器材损坏", "道路坑洼"}},
    {"dispute", 14, {"邻里噪音纠纷", "物业费纠纷", "楼上漏水纠纷", "停车位纠纷"}},
    {"order", 10, {"占道经营", "夜间施工扰民", "车辆乱停乱放", "流浪犬伤人隐患"}},
    {"livelihood", 10, {"低保申请咨询", "就业援助求助", "医保缴费咨询", "困难家庭救助"}},
    {"safety", 8, {"楼道电动车充电", "燃气管道老化", "消防通道堵塞", "电线私拉乱接"}},
    {"elderly", 6, {"独居老人需要探望", "老人行动不便求助", "残疾人出行求助", "空巢老人就医求助"}},
    {"health", 5, {"病媒生物滋生", "小餐馆卫生问题", "疫苗接种咨询", "饮用水异味"}},
    {"building", 2, {"私搭乱建", "占用绿地搭建", "违规加层", "阳台违规外扩"}},
    {"other", 2, {"其他诉求", "意见建议", "政策咨询", "其他问题"}},
};
enum { NMIX = sizeof mix / sizeof *mix };

wg_err wg_demo_matters(wg_store_t *s, int64_t plan_id, int32_t today, uint64_t seed, long count,
                       long *made, wg_errinfo *ei) {
  if (made) *made = 0;
  gen *g = calloc(1, sizeof *g);
  life *l = malloc(sizeof *l);
  wg_matter_row *m = malloc(sizeof *m);
  wg_user_row *gw = malloc(sizeof *gw);
  wg_err e = g && l && m && gw ? WG_OK : WG_ENOMEM;
  if (e) goto out;
  wg_strmap_init(&g->entrance_at);
  wg_strmap_init(&g->worker_of);
  wg__demo_rng_seed(&g->rng, seed, 0x6d617474657273ULL); /* "matters" */
  /* the demo password's hash, from the demo's grid worker */
  e = wg_store_user_get(s, "gridworker", gw);
  if (e) {
    e = wg_errinfo_set(ei, e, "the demo accounts are made first");
    goto out;
  }
  if ((e = wg_store_unit_each(s, WG_DEMO_COUNTY, NULL, take_unit, g)) ||
      (e = wg_store_assignment_each(s, plan_id, take_assignment, g)))
    goto out;
  if (g->failed) {
    e = WG_ENOMEM;
    goto out;
  }
  if ((e = wg_store_category_each(s, 0, take_category, g))) goto out;
  e = wg_store_begin(s);
  if (e) goto out;
  workers_ctx wc = {g, s, gw->password_hash, WG_OK};
  e = wg_store_grid_each(s, plan_id, 2, add_worker, &wc);
  if (!e) e = wc.e;
  /* the places' workers; keep only placed entrances */
  int kept = 0;
  for (int i = 0; i < g->nplaces && !e; i++) {
    place *p = &g->places[i];
    if (!p->grid[0][0]) continue;
    int64_t w;
    p->worker = p->grid[1][0] && wg_strmap_get(&g->worker_of, p->grid[1], strlen(p->grid[1]), &w)
                    ? (int)w
                    : -1;
    g->places[kept++] = *p;
  }
  g->nplaces = kept;
  if (!e && !kept) e = wg_errinfo_set(ei, WG_ENOTFOUND, "no entrance of the plan has a position");
  /* now: today 18:00 China time; the year before it */
  int64_t now = (int64_t)wg__demo_days(today) * 86400 + 10 * 3600;
  int64_t start = now - 365 * 86400;
  double weights[NMIX];
  for (int i = 0; i < NMIX; i++) weights[i] = mix[i].weight;
  static const double hour_w[24] = {0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1,  3, 6, 8, 8, 6,
                                    4,   5,   7,   7,   6,   5,   4,  3, 2, 1, 0.6, 0.3};
  /* reports in time order: draw the times, sort them */
  int64_t *times = e ? NULL : malloc((size_t)count * sizeof *times);
  if (!e && !times) e = WG_ENOMEM;
  for (long i = 0; !e && i < count; i++) {
    long day = wg__demo_rng_range(&g->rng, 0, 364);
    int hour = (int)wg__demo_rng_pick(&g->rng, hour_w, 24);
    times[i] = start + day * 86400 + (hour - 8) * 3600 + wg__demo_rng_range(&g->rng, 0, 3599);
  }
  if (!e) qsort(times, (size_t)count, sizeof *times, cmp_time);
  int64_t last_of[NMIX] = {0};
  long n = 0;
  for (long i = 0; !e && i < count; i++) {
    int c = (int)wg__demo_rng_pick(&g->rng, weights, NMIX);
    const wg_category_t *cat = NULL;
    for (int k = 0; k < g->ncats; k++)
      if (strcmp(g->cats[k].code, mix[c].code) == 0) cat = &g->cats[k];
    if (!cat) continue;
    const place *p = &g->places[wg__demo_rng_range(&g->rng, 0, g->nplaces - 1)];
    memset(m, 0, sizeof *m);
    snprintf(m->county, sizeof m->county, "%s", WG_DEMO_COUNTY);
    snprintf(m->category, sizeof m->category, "%s", cat->code);
    snprintf(m->title, sizeof m->title, "%s", mix[c].titles[wg__demo_rng_range(&g->rng, 0, 3)]);
    m->located = 1;
    m->lon = p->lon + (wg__demo_rng_unit(&g->rng) - 0.5) * 0.0001;
    m->lat = p->lat + (wg__demo_rng_unit(&g->rng) - 0.5) * 0.0001;
    m->plan_id = plan_id;
    memcpy(m->grid, p->grid, sizeof m->grid);
    memcpy(m->community, p->community, sizeof m->community);
    int by_worker = p->worker >= 0 && wg__demo_rng_chance(&g->rng, 0.6);
    snprintf(m->reporter, sizeof m->reporter, "%s",
             by_worker ? g->worker_login[p->worker] : "public");
    snprintf(m->source, sizeof m->source, "%s", by_worker ? "web" : "open311");
    snprintf(m->token, sizeof m->token, "demo%012llx%016llx", (unsigned long long)i,
             (unsigned long long)wg__demo_rng_u64(&g->rng));
    m->policy = cat->policy;
    memset(l, 0, sizeof *l);
    l->pol = &m->policy;
    l->now = now;
    l->worker = p->worker >= 0 ? g->worker_login[p->worker] : "office";
    l->office = "office";
    l->reporter = m->reporter;
    wg_matter_state_init(&l->st);
    wg_matter_event_row *ev = &l->ev[0];
    memset(ev, 0, sizeof *ev);
    ev->ev.action = WG_MA_REPORT;
    ev->ev.actor = by_worker ? WG_MACT_HANDLER : WG_MACT_REPORTER;
    ev->ev.at = times[i];
    ev->ev.handler = p->worker >= 0 ? g->worker_id[p->worker] : 0;
    ev->ev.value = cat->level == WG_MLEVEL_GRID && p->worker < 0 ? WG_MLEVEL_COMMUNITY : cat->level;
    snprintf(ev->actor, sizeof ev->actor, "%s", m->reporter);
    if (times[i] > now || wg_matter_apply(&l->st, l->pol, &ev->ev, NULL) != WG_OK) continue;
    l->n = 1;
    /* a matter without a worker is dispatched to none: leave it at its office */
    if (p->worker >= 0) simulate(g, l, times[i], last_of[c], by_worker);
    m->st = l->st;
    e = wg_store_matter_load(s, m, l->ev, l->n);
    if (!e) {
      if (wg_matter_is_open(m->st.status)) last_of[c] = m->id;
      n++;
    }
  }
  free(times);
  if (!e) {
    wg_audit_t a = {.actor = "demo", .action = "matter.demo", .origin = "cli"};
    snprintf(a.target, sizeof a.target, "%ld matters, %d grid workers", n, g->nworkers);
    snprintf(a.reason, sizeof a.reason, "the demo county's year of matters");
    e = wg_store_audit_add(s, &a);
  }
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  if (!e && made) *made = n;
out:
  if (g) {
    free(g->places);
    free(g->worker_id);
    free(g->worker_login);
    wg_strmap_free(&g->entrance_at);
    wg_strmap_free(&g->worker_of);
  }
  free(g);
  free(l);
  free(m);
  free(gw);
  return e;
}
