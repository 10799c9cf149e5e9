/* campaign_ops.c — campaigns on the store; see campaign_ops.h. */
#include "campaign/campaign_ops.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/table.h"
#include "ledger/validate.h"

/* ---- the view: a campaign through the active plan --------------------------- */

typedef struct grid_list {
  int n, cap;
  char (*code)[19];
} grid_list;

static int collect_grid(void *ctx, const wg_grid_t *g) {
  grid_list *l = ctx;
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 256;
    void *p = realloc(l->code, sizeof *l->code * (size_t)cap);
    if (!p) return 1;
    l->code = p;
    l->cap = cap;
  }
  snprintf(l->code[l->n++], 19, "%s", g->code);
  return 0;
}

static int find_grid(const wg_campaign_plan *v, const char *code) {
  int lo = 0, hi = v->ngrids - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = strcmp(v->grid_code[mid], code);
    if (!c) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

typedef struct where_ctx {
  wg_campaign_plan *v;
  int cap;
  wg_err err;
  int64_t max_id;           /* the largest entrance id seen */
} where_ctx;

static int collect_where(void *ctx, const wg_assignment_t *a) {
  where_ctx *w = ctx;
  wg_campaign_plan *v = w->v;
  int64_t have;
  if (a->entrance_id > w->max_id) w->max_id = a->entrance_id;
  /* A split entrance (pieces ≥ 1) counts in its first piece's grids:
   * which dwelling lies in which piece is not recorded. */
  if (wg_u64map_get(&v->entrance, (uint64_t)a->entrance_id, &have)) {
    if (v->where[have][2] < 0 && a->code[2][0]) v->where[have][2] = find_grid(v, a->code[2]);
    return 0;
  }
  if (v->nwhere == w->cap) {
    int cap = w->cap ? w->cap * 2 : 1024;
    void *p = realloc(v->where, sizeof *v->where * (size_t)cap);
    if (!p) {
      w->err = WG_ENOMEM;
      return 1;
    }
    v->where = p;
    w->cap = cap;
  }
  for (int l = 0; l < 3; l++) v->where[v->nwhere][l] = a->code[l][0] ? find_grid(v, a->code[l]) : -1;
  if ((w->err = wg_u64map_put(&v->entrance, (uint64_t)a->entrance_id, v->nwhere))) return 1;
  v->nwhere++;
  return 0;
}

wg_err wg_campaign_plan_load(wg_store_t *s, const char *county, wg_campaign_plan *v) {
  wg_plan_t plan;
  memset(v, 0, sizeof *v);
  wg_u64map_init(&v->entrance);
  wg_err e = wg_store_plan_active(s, county, &plan);
  if (e == WG_ENOTFOUND) return WG_OK;
  if (e) return e;
  v->plan_id = plan.id;
  grid_list gl = {0};
  e = wg_store_grid_each(s, plan.id, 0, collect_grid, &gl);
  v->grid_code = gl.code;
  v->ngrids = gl.n;
  if (!e) {
    where_ctx w = {v, 0, WG_OK, 0};
    e = wg_store_assignment_each(s, plan.id, collect_where, &w);
    if (!e) e = w.err;
    /* Entrance ids are row ids, dense in practice: an array beats the
     * hash map on the roll-up's hot path (one look-up per tally row). */
    if (!e && w.max_id > 0 && w.max_id <= 4 * (int64_t)v->nwhere + 1024) {
      v->dense = malloc(sizeof *v->dense * (size_t)(w.max_id + 1));
      if (v->dense) {
        for (int64_t i = 0; i <= w.max_id; i++) {
          int64_t wi;
          v->dense[i] = wg_u64map_get(&v->entrance, (uint64_t)i, &wi) ? (int32_t)wi : -1;
        }
        v->ndense = w.max_id + 1;
      }
    }
  }
  if (e) wg_campaign_plan_free(v);
  return e;
}

/* The where index of an entrance, or -1. */
static int where_of(const wg_campaign_plan *p, int64_t entrance_id) {
  if (entrance_id <= 0) return -1;
  if (p->ndense) return entrance_id < p->ndense ? p->dense[entrance_id] : -1;
  int64_t wi;
  return wg_u64map_get(&p->entrance, (uint64_t)entrance_id, &wi) ? (int)wi : -1;
}

void wg_campaign_plan_free(wg_campaign_plan *v) {
  if (!v) return;
  free(v->grid_code);
  free(v->where);
  free(v->dense);
  wg_u64map_free(&v->entrance);
  memset(v, 0, sizeof *v);
}

void wg_campaign_view_free(wg_campaign_view *v) {
  if (!v) return;
  wg_campaign_plan_free(&v->own);
  memset(v, 0, sizeof *v);
}

static wg_err open_row(wg_store_t *s, int64_t campaign_id, wg_campaign_view *v, wg_errinfo *ei) {
  memset(v, 0, sizeof *v);
  v->plan = &v->own;
  wg_err e = wg_store_campaign_get(s, campaign_id, &v->c);
  if (e == WG_ENOTFOUND)
    return wg_errinfo_set(ei, e, "no campaign %lld", (long long)campaign_id);
  if (e) return e;
  return wg_campaign_stages_parse(v->c.stages, &v->stages, ei);
}

wg_err wg_campaign_view_open(wg_store_t *s, int64_t campaign_id, wg_campaign_view *v,
                             wg_errinfo *ei) {
  wg_err e = open_row(s, campaign_id, v, ei);
  if (!e) e = wg_campaign_plan_load(s, v->c.county, &v->own);
  if (e) {
    wg_campaign_view_free(v);
    return e;
  }
  v->plan = &v->own;
  v->plan_id = v->own.plan_id;
  return WG_OK;
}

wg_err wg_campaign_view_open_with(wg_store_t *s, int64_t campaign_id, const wg_campaign_plan *plan,
                                  wg_campaign_view *v, wg_errinfo *ei) {
  wg_err e = open_row(s, campaign_id, v, ei);
  if (e) {
    wg_campaign_view_free(v);
    return e;
  }
  v->plan = plan;
  v->plan_id = plan->plan_id;
  return WG_OK;
}

/* The unit codes of every level for something at entrance in community. */
static void place(const wg_campaign_plan *p, int64_t entrance_id, const char *community,
                  char codes[WG_RL_COUNT_][19]) {
  memset(codes, 0, sizeof(char[WG_RL_COUNT_][19]));
  if (community && strlen(community) == 12) {
    snprintf(codes[WG_RL_COUNTY], 19, "%.6s000000", community);
    snprintf(codes[WG_RL_TOWNSHIP], 19, "%.9s000", community);
    snprintf(codes[WG_RL_COMMUNITY], 19, "%s", community);
  }
  int wi = where_of(p, entrance_id);
  if (wi >= 0)
    for (int l = 0; l < 3; l++)
      if (p->where[wi][l] >= 0)
        snprintf(codes[WG_RL_GRID1 + l], 19, "%s", p->grid_code[p->where[wi][l]]);
}

void wg_campaign_view_place(const wg_campaign_view *v, int64_t entrance_id,
                            const char *community, char codes[WG_RL_COUNT_][19]) {
  place(v->plan, entrance_id, community, codes);
}

int wg_campaign_view_in(const wg_campaign_view *v, int64_t entrance_id, const char *community,
                        const char *code) {
  if (!code || !*code) return 1;
  size_t n = strlen(code);
  char codes[WG_RL_COUNT_][19];
  wg_campaign_view_place(v, entrance_id, community, codes);
  if (n == 12) {
    if (!strcmp(code + 6, "000000")) return !strncmp(codes[WG_RL_COUNTY], code, 12);
    if (!strcmp(code + 9, "000")) return !strncmp(codes[WG_RL_TOWNSHIP], code, 12);
    return !strcmp(codes[WG_RL_COMMUNITY], code);
  }
  int level = (int)(n - 12) / 2;
  if (n != 14 && n != 16 && n != 18) return 0;
  return !strcmp(codes[WG_RL_GRID1 + level - 1], code);
}

/* ---- create ------------------------------------------------------------------- */

typedef struct build_ctx {
  const wg_campaign_query *q;
  const wg_campaign_plan *plan;
  int32_t ref;
  int kind;
  wg_campaign_item_row *items;
  long n, cap;
  wg_u64map households; /* household id → 1 (household campaigns) */
  wg_err err;
} build_ctx;

static int take_candidate(void *ctx, const wg_campaign_candidate *c) {
  build_ctx *b = ctx;
  char codes[WG_RL_COUNT_][19];
  place(b->plan, c->entrance_id, c->community, codes);
  wg_campaign_subject p = {c->sex, c->birth, c->residence, c->tags, c->community,
                           {codes[WG_RL_GRID1], codes[WG_RL_GRID2], codes[WG_RL_GRID3]}};
  if (!wg_campaign_query_match(b->q, &p, b->ref)) return 0;
  if (b->kind == WG_ITEM_HOUSEHOLD) {
    int64_t seen;
    if (!c->household_id || wg_u64map_get(&b->households, (uint64_t)c->household_id, &seen))
      return 0;
    if ((b->err = wg_u64map_put(&b->households, (uint64_t)c->household_id, 1))) return 1;
  }
  if (b->n == b->cap) {
    long cap = b->cap ? b->cap * 2 : 4096;
    void *np = realloc(b->items, sizeof *b->items * (size_t)cap);
    if (!np) {
      b->err = WG_ENOMEM;
      return 1;
    }
    b->items = np;
    b->cap = cap;
  }
  wg_campaign_item_row *it = &b->items[b->n++];
  memset(it, 0, sizeof *it);
  it->resident_id = b->kind == WG_ITEM_PERSON ? c->resident_id : 0;
  it->household_id = c->household_id;
  it->entrance_id = c->entrance_id;
  snprintf(it->community, sizeof it->community, "%s", c->community);
  return 0;
}

static wg_err resolve_tags(wg_store_t *s, char (*tags)[32], int n, const char *op,
                           wg_errinfo *ei) {
  for (int i = 0; i < n; i++) {
    char code[32];
    if (wg_store_tag_resolve(s, tags[i], code, sizeof code) != WG_OK) {
      if (ei) snprintf(ei->field, sizeof ei->field, "tag%s%.40s", op, tags[i]);
      return wg_errinfo_set(ei, WG_EINVAL,
                            "unknown tag '%s' (wangge tags lists them; add one with tags add)",
                            tags[i]);
    }
    memcpy(tags[i], code, sizeof code);
  }
  return WG_OK;
}

static void audit(wg_store_t *s, wg_audit_t *a, const char *actor, const char *action,
                  const char *origin) {
  memset(a, 0, sizeof *a);
  snprintf(a->actor, sizeof a->actor, "%s", actor ? actor : "");
  snprintf(a->action, sizeof a->action, "%s", action);
  snprintf(a->origin, sizeof a->origin, "%s", origin ? origin : "cli");
  (void)s;
}

wg_err wg_campaign_create(wg_store_t *s, const wg_campaign_spec *spec, int64_t *id, long *items,
                          wg_errinfo *ei) {
  const wg_campaign_template *t = NULL;
  if (spec->template_code && *spec->template_code) {
    t = wg_campaign_template_find(spec->template_code);
    if (!t) {
      if (ei) snprintf(ei->field, sizeof ei->field, "template");
      return wg_errinfo_set(ei, WG_EINVAL,
                            "unknown template '%s' (testing, vaccination, policy, visit)",
                            spec->template_code);
    }
  }
  if (!spec->name || !*spec->name || strlen(spec->name) >= 128) {
    if (ei) snprintf(ei->field, sizeof ei->field, "name");
    return wg_errinfo_set(ei, WG_EINVAL, "a campaign needs a name (1-127 bytes)");
  }
  if (!wg_date_valid(spec->ref_date)) {
    if (ei) snprintf(ei->field, sizeof ei->field, "date");
    return wg_errinfo_set(ei, WG_EINVAL, "the reference date is not a date");
  }
  const char *stages_text = spec->stages ? spec->stages : t ? t->stages : NULL;
  if (!stages_text) {
    if (ei) snprintf(ei->field, sizeof ei->field, "stages");
    return wg_errinfo_set(ei, WG_EINVAL, "give a template or the stages");
  }
  wg_campaign_stages stages;
  wg_err e = wg_campaign_stages_parse(stages_text, &stages, ei);
  if (e) return e;
  wg_campaign_query q;
  if ((e = wg_campaign_query_parse(spec->query ? spec->query : t ? t->query : "", &q, ei)))
    return e;
  if ((e = resolve_tags(s, q.tags, q.ntags, "=", ei))) return e;
  if ((e = resolve_tags(s, q.not_tags, q.nnot, "!=", ei))) return e;

  wg_campaign_row c;
  memset(&c, 0, sizeof c);
  snprintf(c.county, sizeof c.county, "%s", spec->county);
  snprintf(c.name, sizeof c.name, "%s", spec->name);
  snprintf(c.template_code, sizeof c.template_code, "%s", t ? t->code : "");
  c.kind = spec->kind ? spec->kind : t ? (int)t->kind : WG_ITEM_PERSON;
  wg_campaign_stages_format(&stages, c.stages, sizeof c.stages);
  wg_campaign_query_format(&q, c.query, sizeof c.query);
  c.ref_date = spec->ref_date;
  snprintf(c.actor, sizeof c.actor, "%s", spec->actor ? spec->actor : "");
  if (spec->created_at) snprintf(c.created_at, sizeof c.created_at, "%s", spec->created_at);

  wg_campaign_plan plan;
  if ((e = wg_campaign_plan_load(s, spec->county, &plan))) return e;
  build_ctx b = {.q = &q, .plan = &plan, .ref = spec->ref_date, .kind = c.kind};
  wg_u64map_init(&b.households);
  e = wg_store_campaign_candidates(s, spec->county, take_candidate, &b);
  if (!e) e = b.err;
  wg_u64map_free(&b.households);
  wg_campaign_plan_free(&plan);
  if (!e) e = wg_store_begin(s);
  if (e) {
    free(b.items);
    return e;
  }
  e = wg_store_campaign_add(s, &c);
  if (!e) e = wg_store_campaign_items_add(s, c.id, b.items, b.n);
  if (!e) {
    wg_audit_t a;
    audit(s, &a, spec->actor, "campaign_create", spec->origin);
    snprintf(a.target, sizeof a.target, "campaign:%lld", (long long)c.id);
    snprintf(a.reason, sizeof a.reason, "%.100s; %ld %s items; %.100s", c.name, b.n,
             wg_item_kind_name((wg_item_kind)c.kind), c.query);
    e = wg_store_audit_add(s, &a);
  }
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  free(b.items);
  if (!e) {
    *id = c.id;
    if (items) *items = b.n;
  }
  return e;
}

/* ---- roll-up ------------------------------------------------------------------- */

typedef struct unit_list {
  wg_rollup_unit *u;
  int n, cap;
  wg_strmap index;
  wg_err err;
} unit_list;

static int add_unit(unit_list *l, const char *code, const char *name, wg_rollup_level level) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 512;
    void *p = realloc(l->u, sizeof *l->u * (size_t)cap);
    if (!p) {
      l->err = WG_ENOMEM;
      return 1;
    }
    l->u = p;
    l->cap = cap;
  }
  wg_rollup_unit *u = &l->u[l->n];
  memset(u, 0, sizeof *u);
  size_t cn = strnlen(code, sizeof u->code - 1), nn = strnlen(name, sizeof u->name - 1);
  memcpy(u->code, code, cn);
  memcpy(u->name, name, nn);
  u->level = level;
  if ((l->err = wg_strmap_put(&l->index, code, strlen(code), l->n))) return 1;
  l->n++;
  return 0;
}

static int add_division(void *ctx, const wg_division_t *d) {
  unit_list *l = ctx;
  wg_rollup_level level = d->level == WG_DIV_COUNTY     ? WG_RL_COUNTY
                          : d->level == WG_DIV_TOWNSHIP ? WG_RL_TOWNSHIP
                          : d->level == WG_DIV_COMMUNITY ? WG_RL_COMMUNITY
                                                        : WG_RL_COUNT_;
  if (level == WG_RL_COUNT_) return 0;
  return add_unit(l, d->code, d->name, level);
}

typedef struct group_ctx {
  const wg_campaign_view *v;
  unit_list *units;
  int *grid_unit; /* grid index → unit index */
  wg_rollup_group *g;
  long n, cap;
  wg_err err;
  /* Rows come ordered by entrance (then community, stage): the units of
   * the previous row are reused for the next stages of the same place. */
  int64_t last_entrance;
  char last_community[13];
  int last_unit[WG_RL_COUNT_];
} group_ctx;

static int unit_of(const unit_list *l, const char *code) {
  int64_t i;
  return code[0] && wg_strmap_get(&l->index, code, strlen(code), &i) ? (int)i : -1;
}

static int add_group(void *ctx, int64_t entrance_id, const char *community, int stage,
                     long count) {
  group_ctx *gc = ctx;
  if (gc->n == gc->cap) {
    long cap = gc->cap ? gc->cap * 2 : 4096;
    void *p = realloc(gc->g, sizeof *gc->g * (size_t)cap);
    if (!p) {
      gc->err = WG_ENOMEM;
      return 1;
    }
    gc->g = p;
    gc->cap = cap;
  }
  wg_rollup_group *g = &gc->g[gc->n++];
  g->stage = stage;
  g->count = count;
  if (gc->n > 1 && entrance_id == gc->last_entrance && !strcmp(community, gc->last_community)) {
    memcpy(g->unit, gc->last_unit, sizeof g->unit);
    return 0;
  }
  for (int l = 0; l < WG_RL_COUNT_; l++) g->unit[l] = -1;
  if (strlen(community) == 12) {
    char code[13];
    memcpy(code, community, 6);
    memcpy(code + 6, "000000", 7);
    g->unit[WG_RL_COUNTY] = unit_of(gc->units, code);
    memcpy(code, community, 9);
    memcpy(code + 9, "000", 4);
    g->unit[WG_RL_TOWNSHIP] = unit_of(gc->units, code);
    g->unit[WG_RL_COMMUNITY] = unit_of(gc->units, community);
  }
  int wi = where_of(gc->v->plan, entrance_id);
  if (wi >= 0)
    for (int l = 0; l < 3; l++) {
      int gi = gc->v->plan->where[wi][l];
      g->unit[WG_RL_GRID1 + l] = gi >= 0 ? gc->grid_unit[gi] : -1;
    }
  gc->last_entrance = entrance_id;
  size_t cn = strnlen(community, sizeof gc->last_community - 1);
  memcpy(gc->last_community, community, cn);
  gc->last_community[cn] = '\0';
  memcpy(gc->last_unit, g->unit, sizeof g->unit);
  return 0;
}

wg_err wg_campaign_rollup(wg_store_t *s, const wg_campaign_view *v, wg_rollup_unit **units,
                          int *n) {
  *units = NULL;
  *n = 0;
  unit_list l = {0};
  wg_strmap_init(&l.index);
  group_ctx gc = {.v = v, .units = &l};
  wg_err e = wg_store_division_each(s, v->c.county, 0, add_division, &l);
  if (!e) e = l.err;
  const wg_campaign_plan *pl = v->plan;
  if (!e && !(gc.grid_unit = malloc(sizeof(int) * (size_t)(pl->ngrids + 1)))) e = WG_ENOMEM;
  for (int i = 0; !e && i < pl->ngrids; i++) {
    size_t len = strlen(pl->grid_code[i]);
    wg_rollup_level level = len == 14 ? WG_RL_GRID1 : len == 16 ? WG_RL_GRID2 : WG_RL_GRID3;
    gc.grid_unit[i] = l.n;
    if (add_unit(&l, pl->grid_code[i], pl->grid_code[i], level)) e = l.err;
  }
  if (!e) e = wg_store_campaign_groups(s, v->c.id, add_group, &gc);
  if (!e) e = gc.err;
  if (!e) e = wg_rollup_compute(l.u, l.n, v->stages.n, gc.g, gc.n);
  free(gc.g);
  free(gc.grid_unit);
  wg_strmap_free(&l.index);
  if (e) {
    free(l.u);
    return e;
  }
  /* Ordered by level, then code: divisions come by code, grids after. */
  int w = 0;
  wg_rollup_unit *sorted = malloc(sizeof *sorted * (size_t)(l.n ? l.n : 1));
  if (!sorted) {
    free(l.u);
    return WG_ENOMEM;
  }
  for (int lv = 0; lv < WG_RL_COUNT_; lv++)
    for (int i = 0; i < l.n; i++)
      if ((int)l.u[i].level == lv) sorted[w++] = l.u[i];
  free(l.u);
  *units = sorted;
  *n = w;
  return WG_OK;
}

/* ---- history ------------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's
 * algorithms), so no time-zone state is touched. */
static long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int32_t civil_from_days(long z) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp + (mp < 10 ? 3 : -9);
  return (int32_t)((y + (m <= 2)) * 10000 + m * 100 + d);
}

static long day_number(int32_t ymd) {
  return days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* The China Standard Time day (UTC+8) of an ISO 8601 UTC time
 * "YYYY-MM-DDTHH:MM:SSZ"; 0 when it is not that shape. */
static int32_t cst_day(const char *iso) {
  int y, mo, d, h, mi, sec;
  if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) return 0;
  long days = days_from_civil(y, mo, d) + (h + 8 >= 24 ? 1 : 0);
  return civil_from_days(days);
}

typedef struct history_ctx {
  const wg_campaign_view *v;
  const char *unit;
  int nstages;
  long reached[WG_CAMPAIGN_MAX_STAGES];
  int32_t day;                 /* the day being accumulated, 0 before any */
  int32_t last_day;
  wg_campaign_day_fn fn;
  void *ctx;
  int stopped;
} history_ctx;

/* Emits the days from h->day up to (not including) until. */
static void flush_days(history_ctx *h, int32_t until) {
  if (!h->day || h->stopped) return;
  for (long d = day_number(h->day); d < day_number(until) && !h->stopped; d++)
    if (h->fn(h->ctx, civil_from_days(d), h->reached, h->nstages)) h->stopped = 1;
}

static int history_event(void *ctx, const wg_campaign_event_row *ev) {
  history_ctx *h = ctx;
  if (h->unit && !wg_campaign_view_in(h->v, ev->entrance_id, ev->community, h->unit)) return 0;
  int32_t day = cst_day(ev->at);
  if (!day) return 0;
  if (h->last_day && day > h->last_day) return 1;
  if (h->day && day > h->day) flush_days(h, day);
  if (!h->day || day > h->day) h->day = day;
  /* reached[k] counts items at stage ≥ k (k ≥ 1): a move from f to t adds
   * one to stages f+1..t, a correction back removes one from t+1..f. */
  if (ev->to_stage > ev->from_stage)
    for (int k = ev->from_stage + 1; k <= ev->to_stage && k < h->nstages; k++) h->reached[k]++;
  else
    for (int k = ev->to_stage + 1; k <= ev->from_stage && k < h->nstages; k++) h->reached[k]--;
  return h->stopped;
}

static int count_item(void *ctx, const wg_campaign_item_row *it) {
  history_ctx *h = ctx;
  if (!h->unit || wg_campaign_view_in(h->v, it->entrance_id, it->community, h->unit))
    h->reached[0]++;
  return 0;
}

wg_err wg_campaign_history(wg_store_t *s, const wg_campaign_view *v, const char *unit,
                           int32_t last_day, wg_campaign_day_fn fn, void *ctx) {
  history_ctx h = {.v = v, .unit = unit && *unit ? unit : NULL, .nstages = v->stages.n,
                   .last_day = last_day, .fn = fn, .ctx = ctx};
  /* Every item is at stage 0 or beyond from the start. */
  wg_err e = wg_store_campaign_item_each(s, v->c.id, -1, count_item, &h);
  if (!e) e = wg_store_campaign_event_each(s, v->c.id, 0, history_event, &h);
  if (e) return e;
  if (!h.day) return WG_OK;
  int32_t end = last_day ? last_day : h.day;
  flush_days(&h, civil_from_days(day_number(end) + 1));
  return WG_OK;
}

/* ---- marking ---------------------------------------------------------------------- */

/* Moves it to stage `to` through the marker (no transaction, no audit). */
static wg_err move_item(wg_campaign_marker_t *m, const wg_campaign_view *v,
                        wg_campaign_item_row *it, int to, const char *note,
                        const wg_campaign_mark_opts *o, wg_errinfo *ei) {
  if (o->can_mark && !o->can_mark(o->can_mark_ctx, it))
    return wg_errinfo_set(ei, WG_EPERM, "the item is not in your grids");
  wg_err e = wg_campaign_move_check(v->stages.n, it->stage, to, o->correct, ei);
  if (e) return e;
  if (to < it->stage && (!note || !*note))
    return wg_errinfo_set(ei, WG_EINVAL, "a correction needs a note saying why");
  if (v->stages.s[to].needs_note && (!note || !*note))
    return wg_errinfo_set(ei, WG_EINVAL, "%s needs a receipt number in the note",
                          v->stages.s[to].name_zh);
  wg_campaign_event_row ev;
  memset(&ev, 0, sizeof ev);
  ev.item_id = it->id;
  ev.from_stage = it->stage;
  ev.to_stage = to;
  snprintf(ev.at, sizeof ev.at, "%s", o->at ? o->at : "");
  snprintf(ev.actor, sizeof ev.actor, "%s", o->actor ? o->actor : "");
  snprintf(ev.note, sizeof ev.note, "%s", note ? note : "");
  e = wg_store_campaign_marker_move(m, &ev);
  if (e == WG_ECONFLICT) return wg_errinfo_set(ei, e, "the item was moved by someone else meanwhile");
  if (!e) {
    it->stage = to;
    snprintf(it->updated_at, sizeof it->updated_at, "%s", ev.at);
    snprintf(it->updated_by, sizeof it->updated_by, "%s", ev.actor);
  }
  return e;
}

/* Looks an item up by a key: an ID number (18 characters or 15 digits, as
 * typed), else a household number. */
static wg_err find_by_key(wg_campaign_marker_t *m, int64_t item_id, const char *key,
                          wg_campaign_item_row *it) {
  if (item_id > 0) return wg_store_campaign_marker_find(m, item_id, NULL, NULL, it);
  wg_idnum_t idn;
  if (key && wg_idnum_parse(key, 99991231, &idn) == WG_IDNUM_OK)
    return wg_store_campaign_marker_find(m, 0, idn.number, NULL, it);
  return wg_store_campaign_marker_find(m, 0, NULL, key, it);
}

wg_err wg_campaign_mark(wg_store_t *s, const wg_campaign_view *v, int64_t item_id,
                        const char *key, const char *stage_word, const char *note,
                        const wg_campaign_mark_opts *o, wg_campaign_item_row *out,
                        wg_errinfo *ei) {
  int to = wg_campaign_stage_find(&v->stages, stage_word);
  if (to < 0) {
    if (ei) snprintf(ei->field, sizeof ei->field, "stage");
    return wg_errinfo_set(ei, WG_EINVAL, "'%.60s' is not a stage of this campaign",
                          stage_word ? stage_word : "");
  }
  wg_campaign_marker_t *m = NULL;
  wg_err e = wg_store_campaign_marker_open(s, v->c.id, &m);
  if (e) return e;
  if ((e = wg_store_begin(s))) {
    wg_store_campaign_marker_close(m);
    return e;
  }
  wg_campaign_item_row it;
  e = find_by_key(m, item_id, key, &it);
  if (e == WG_ENOTFOUND) wg_errinfo_set(ei, e, "no such item in campaign %lld", (long long)v->c.id);
  if (!e) e = move_item(m, v, &it, to, note, o, ei);
  if (!e) {
    wg_audit_t a;
    audit(s, &a, o->actor, "campaign_mark", o->origin);
    snprintf(a.target, sizeof a.target, "campaign:%lld/item:%lld", (long long)v->c.id,
             (long long)it.id);
    snprintf(a.reason, sizeof a.reason, "→ %s%s%.200s", v->stages.s[to].code,
             note && *note ? "; " : "", note ? note : "");
    e = wg_store_audit_add(s, &a);
  }
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  wg_store_campaign_marker_close(m);
  if (!e && out) *out = it;
  return e;
}

/* ---- bulk update ----------------------------------------------------------------- */

enum { COL_ITEM, COL_IDNUM, COL_HOUSEHOLD, COL_STAGE, COL_NOTE, COL_COUNT_ };

static const char *const col_alias[COL_COUNT_][6] = {
    [COL_ITEM] = {"条目", "条目编号", "item", "item_id", NULL},
    [COL_IDNUM] = {"身份证号", "身份证号码", "公民身份号码", "id_number", "id", NULL},
    [COL_HOUSEHOLD] = {"户号", "household", "household_number", NULL},
    [COL_STAGE] = {"环节", "状态", "stage", "status", NULL},
    [COL_NOTE] = {"备注", "回执", "note", "receipt", NULL},
};
static const char *const col_name[COL_COUNT_] = {"item_id", "id_number", "household", "stage",
                                                 "note"};

void wg_campaign_import_print_columns(FILE *out) {
  for (int c = 0; c < COL_COUNT_; c++) {
    fprintf(out, "  %s:", col_name[c]);
    for (int k = 0; col_alias[c][k]; k++) fprintf(out, "%s %s", k ? "," : "", col_alias[c][k]);
    fprintf(out, "\n");
  }
}

static int column_of(const char *header) {
  /* Headers are matched ASCII-case-insensitively after trimming blanks. */
  char h[64];
  size_t n = strlen(header);
  while (n && (header[n - 1] == ' ' || header[n - 1] == '\t')) n--;
  while (n && (*header == ' ' || *header == '\t')) header++, n--;
  if (n >= sizeof h) return -1;
  for (size_t i = 0; i < n; i++)
    h[i] = (header[i] >= 'A' && header[i] <= 'Z') ? (char)(header[i] + 32) : header[i];
  h[n] = '\0';
  for (int c = 0; c < COL_COUNT_; c++)
    for (int k = 0; col_alias[c][k]; k++)
      if (!strcmp(h, col_alias[c][k])) return c;
  return -1;
}

typedef struct import_state {
  const char *file;
  FILE *report;
  long listed;
  wg_campaign_import_result *res;
} import_state;

static void bad(import_state *st, long row, const char *field, const char *value, const char *why) {
  if (!st->report || st->listed >= 1000) return;
  st->listed++;
  if (value && *value)
    fprintf(st->report, "%s: row %ld: %s '%s': %s\n", st->file, row, field, value, why);
  else
    fprintf(st->report, "%s: row %ld: %s: %s\n", st->file, row, field, why);
}

/* A key as shown in an error: ID numbers masked. */
static void shown_key(const char *key, int is_idnum, char *buf, size_t cap) {
  if (is_idnum) wg_mask_idnum(key, buf, cap);
  else snprintf(buf, cap, "%.60s", key);
}

wg_err wg_campaign_import(wg_store_t *s, const wg_campaign_view *v, const char *path,
                          const void *buf, size_t len, const char *default_stage,
                          const wg_campaign_mark_opts *o, FILE *report,
                          wg_campaign_import_result *res, wg_errinfo *ei) {
  memset(res, 0, sizeof *res);
  import_state st = {buf ? "<upload>" : path, report, 0, res};
  int default_to = -1;
  if (default_stage && *default_stage) {
    default_to = wg_campaign_stage_find(&v->stages, default_stage);
    if (default_to < 0) {
      if (ei) snprintf(ei->field, sizeof ei->field, "stage");
      return wg_errinfo_set(ei, WG_EINVAL, "'%.60s' is not a stage of this campaign",
                            default_stage);
    }
  }
  wg_table_t *t = NULL;
  wg_err e = buf ? wg_table_open_mem(buf, len, NULL, &t, ei) : wg_table_open(path, NULL, &t, ei);
  if (e) return e;
  snprintf(res->format, sizeof res->format, "%s", wg_table_format(t));
  wg_campaign_marker_t *m = NULL;
  if ((e = wg_store_campaign_marker_open(s, v->c.id, &m))) {
    wg_table_close(t);
    return e;
  }
  if ((e = wg_store_begin(s))) {
    wg_store_campaign_marker_close(m);
    wg_table_close(t);
    return e;
  }
  int col[COL_COUNT_];
  for (int c = 0; c < COL_COUNT_; c++) col[c] = -1;
  wg_table_row row;
  int has = 0, header = 1;
  /* Items already moved by this file: a second row for the same item is
   * taken in order (e.g. sampled, then tested). */
  while (!(e = wg_table_next(t, &row, &has, ei)) && has) {
    if (header) {
      header = 0;
      for (int i = 0; i < row.ncells; i++) {
        int c = column_of(row.cells[i]);
        if (c < 0) continue;
        if (col[c] >= 0) {
          if (ei) snprintf(ei->field, sizeof ei->field, "%.60s", row.cells[i]);
          e = wg_errinfo_set(ei, WG_EREJECTED, "two columns mean %s", col_name[c]);
          break;
        }
        col[c] = i;
      }
      if (e) break;
      if (col[COL_ITEM] < 0 && col[COL_IDNUM] < 0 && col[COL_HOUSEHOLD] < 0) {
        e = wg_errinfo_set(ei, WG_EREJECTED,
                           "no column naming the item (条目/item_id, 身份证号/id_number or "
                           "户号/household) in the header");
        break;
      }
      if (col[COL_STAGE] < 0 && default_to < 0) {
        e = wg_errinfo_set(ei, WG_EREJECTED,
                           "no stage column (环节/stage) in the header and no default stage given");
        break;
      }
      continue;
    }
    res->rows++;
    const char *cell[COL_COUNT_];
    for (int c = 0; c < COL_COUNT_; c++)
      cell[c] = col[c] >= 0 && col[c] < row.ncells ? row.cells[col[c]] : "";
    int to = default_to;
    if (cell[COL_STAGE][0]) {
      to = wg_campaign_stage_find(&v->stages, cell[COL_STAGE]);
      if (to < 0) {
        bad(&st, row.row, "stage", cell[COL_STAGE], "not a stage of this campaign");
        res->bad_rows++;
        continue;
      }
    } else if (to < 0) {
      bad(&st, row.row, "stage", "", "empty, and no default stage given");
      res->bad_rows++;
      continue;
    }
    wg_campaign_item_row it;
    wg_err fe;
    char shown[64];
    const char *field;
    if (cell[COL_ITEM][0]) {
      char *end = NULL;
      long long id = strtoll(cell[COL_ITEM], &end, 10);
      field = "item_id";
      snprintf(shown, sizeof shown, "%.40s", cell[COL_ITEM]);
      fe = (id > 0 && end && !*end) ? wg_store_campaign_marker_find(m, id, NULL, NULL, &it)
                                    : WG_EINVAL;
    } else if (cell[COL_IDNUM][0]) {
      field = "id_number";
      shown_key(cell[COL_IDNUM], 1, shown, sizeof shown);
      wg_idnum_t idn;
      wg_errinfo vei = {0};
      fe = wg_idnum_validate(cell[COL_IDNUM], 99991231, &idn, &vei);
      if (fe) {
        bad(&st, row.row, field, shown, vei.why);
        res->bad_rows++;
        continue;
      }
      fe = wg_store_campaign_marker_find(m, 0, idn.number, NULL, &it);
    } else if (cell[COL_HOUSEHOLD][0]) {
      field = "household";
      shown_key(cell[COL_HOUSEHOLD], 0, shown, sizeof shown);
      fe = wg_store_campaign_marker_find(m, 0, NULL, cell[COL_HOUSEHOLD], &it);
    } else {
      bad(&st, row.row, "item", "", "the row names no item (item id, ID number or household)");
      res->bad_rows++;
      continue;
    }
    if (fe == WG_EINVAL) {
      bad(&st, row.row, field, shown, "not an item number");
      res->bad_rows++;
      continue;
    }
    if (fe == WG_ENOTFOUND) {
      bad(&st, row.row, field, shown, "no such item in this campaign");
      res->bad_rows++;
      continue;
    }
    if (fe) {
      e = fe;
      break;
    }
    wg_errinfo mei = {0};
    fe = move_item(m, v, &it, to, cell[COL_NOTE], o, &mei);
    if (fe == WG_EEXIST) {
      res->unchanged++;
      continue;
    }
    if (fe == WG_EPERM) {
      /* Out of scope reads as not found: the file must not reveal items. */
      bad(&st, row.row, field, shown, "no such item in your grids");
      res->bad_rows++;
      continue;
    }
    if (fe == WG_ECONFLICT || fe == WG_EINVAL) {
      bad(&st, row.row, "stage", cell[COL_STAGE], mei.why);
      res->bad_rows++;
      continue;
    }
    if (fe) {
      e = fe;
      break;
    }
    res->moved++;
  }
  if (!e && header) e = wg_errinfo_set(ei, WG_EREJECTED, "no header row (the file has no rows)");
  if (!e && res->bad_rows) {
    if (ei) ei->row = 0, ei->field[0] = '\0';
    e = wg_errinfo_set(ei, WG_EREJECTED, "%ld of %ld rows are bad; nothing was written",
                       res->bad_rows, res->rows);
  }
  if (!e) {
    wg_audit_t a;
    audit(s, &a, o->actor, "campaign_import", o->origin);
    snprintf(a.target, sizeof a.target, "campaign:%lld", (long long)v->c.id);
    snprintf(a.reason, sizeof a.reason, "%.120s: %ld rows, %ld moved, %ld unchanged",
             st.file, res->rows, res->moved, res->unchanged);
    e = wg_store_audit_add(s, &a);
  }
  if (!e) e = wg_store_commit(s);
  if (e) {
    wg_store_rollback(s);
    res->moved = 0;
  }
  wg_store_campaign_marker_close(m);
  wg_table_close(t);
  return e;
}
