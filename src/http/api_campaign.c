/* api_campaign.c — /api/v1/campaigns, /api/v1/targets, /api/v1/reports.
 *
 * Who may do what:
 *  - campaigns: every staff role (admin, county, township, community, grid
 *    worker) lists them; roll-ups show only the units the principal may see
 *    (a grid worker: their grids), items and history likewise; marking and
 *    sheet uploads touch only items in scope (others are "forbidden", and a
 *    sheet naming one is rejected as a whole); creating is for the county
 *    office (admin, county).
 *  - targets: staff roles and auditors read them (figures, no personal
 *    data); the county office creates indicators and assigns targets; a
 *    division reports its own actuals (or the county office for anyone).
 *  - reports: downloads (XLSX or HTML, as attachments) for the county,
 *    township and community offices; each download is audited.
 * Scope decisions go through http_scope.c. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign/campaign_ops.h"
#include "http/http_int.h"
#include "ledger/ledger.h"
#include "ledger/present.h"
#include "ledger/validate.h"
#include "report/report.h"
#include "target/target_ops.h"

/* ---- helpers -------------------------------------------------------------------- */

static int staff(const wg_http_req *r) {
  switch (r->who.role) {
    case WG_ROLE_ADMIN:
    case WG_ROLE_COUNTY:
    case WG_ROLE_TOWNSHIP:
    case WG_ROLE_COMMUNITY:
    case WG_ROLE_GRID_WORKER: return 1;
    default: return 0;
  }
}

static int county_office(const wg_http_req *r) {
  return r->who.role == WG_ROLE_ADMIN || r->who.role == WG_ROLE_COUNTY;
}

static wg_store_t *store_of(wg_http_req *r) {
  wg_http_worker *w = wg__http_worker(r);
  return w ? w->store : NULL;
}

static json_t *body_json(wg_http_req *r) {
  const char *ctype = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
  if (!ctype || strncmp(ctype, "application/json", 16) != 0) {
    wg__http_error(r, 415, "unsupported_media_type", "Content-Type", "send a JSON body");
    return NULL;
  }
  json_error_t jerr;
  json_t *j = r->body ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
  if (!json_is_object(j)) {
    json_decref(j);
    wg__http_error(r, 400, "bad_request", "body", "the body is not a JSON object");
    return NULL;
  }
  return j;
}

static void fail_ei(wg_http_req *r, wg_err e, const wg_errinfo *ei) {
  wg__http_fail(r, e, ei->field[0] ? ei->field : NULL, ei->why);
}

/* ---- the active plan's grids, shared between requests ------------------------- */

/* Plans never change once made, so the grids and entrance assignment of the
 * active plan are loaded once per server and plan and shared (refcounted);
 * a newly activated plan replaces the entry, the old one is freed when its
 * last request ends. */
typedef struct shared_plan {
  wg_campaign_plan p;
  const wg_http_server *srv;
  int64_t plan_id;
  int refs;
  int retired;
} shared_plan;

static pthread_mutex_t plan_mu = PTHREAD_MUTEX_INITIALIZER;
static shared_plan *current;

static void plan_release(shared_plan *sp) {
  if (!sp) return;
  pthread_mutex_lock(&plan_mu);
  int drop = --sp->refs == 0 && sp->retired;
  pthread_mutex_unlock(&plan_mu);
  if (drop) {
    wg_campaign_plan_free(&sp->p);
    free(sp);
  }
}

/* The shared plan for the county's active plan now; NULL after an error
 * response. */
static shared_plan *plan_get(wg_http_req *r, wg_store_t *s) {
  int64_t active = 0, ledger = 0;
  wg_err e = wg__http_versions(r, &active, &ledger);
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return NULL;
  }
  pthread_mutex_lock(&plan_mu);
  if (current && current->srv == r->srv && current->plan_id == active) {
    current->refs++;
    shared_plan *sp = current;
    pthread_mutex_unlock(&plan_mu);
    return sp;
  }
  pthread_mutex_unlock(&plan_mu);
  shared_plan *fresh = calloc(1, sizeof *fresh);
  if (!fresh) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return NULL;
  }
  if ((e = wg_campaign_plan_load(s, r->srv->county, &fresh->p))) {
    free(fresh);
    wg__http_fail(r, e, NULL, NULL);
    return NULL;
  }
  fresh->srv = r->srv;
  fresh->plan_id = fresh->p.plan_id;
  fresh->refs = 2; /* the cache's and this request's */
  pthread_mutex_lock(&plan_mu);
  shared_plan *old = current;
  current = fresh;
  int drop = 0;
  if (old) {
    old->retired = 1;
    drop = --old->refs == 0;
  }
  pthread_mutex_unlock(&plan_mu);
  if (drop) {
    wg_campaign_plan_free(&old->p);
    free(old);
  }
  return fresh;
}

/* The {id} route parameter as a campaign, seen through the active plan
 * (*sp: the shared plan to release after use). */
static int open_campaign(wg_http_req *r, wg_store_t *s, wg_campaign_view *v, shared_plan **sp) {
  char *end = NULL;
  long long id = r->params[0] ? strtoll(r->params[0], &end, 10) : 0;
  memset(v, 0, sizeof *v);
  *sp = NULL;
  if (!r->params[0] || *end || id <= 0) {
    wg__http_error(r, 400, "invalid_parameter", "id", "a campaign id is a positive integer");
    return 0;
  }
  if (!(*sp = plan_get(r, s))) return 0;
  wg_errinfo ei = {0};
  wg_err e = wg_campaign_view_open_with(s, id, &(*sp)->p, v, &ei);
  if (!e && strcmp(v->c.county, r->srv->county) != 0) e = WG_ENOTFOUND;
  if (e) {
    wg_campaign_view_free(v);
    plan_release(*sp);
    *sp = NULL;
    if (e == WG_ENOTFOUND) wg__http_error(r, 404, "not_found", "id", "no campaign %lld", id);
    else wg__http_fail(r, e, NULL, NULL);
    return 0;
  }
  return 1;
}

/* Ends what open_campaign began. */
static void close_campaign(wg_campaign_view *v, shared_plan *sp) {
  wg_campaign_view_free(v);
  plan_release(sp);
}

static json_t *stages_json(const wg_campaign_stages *st) {
  json_t *a = json_array();
  for (int k = 0; k < st->n; k++)
    json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:b}", "code", st->s[k].code, "zh",
                                       st->s[k].name_zh, "en", st->s[k].name_en, "receipt",
                                       st->s[k].needs_note));
  return a;
}

static json_t *campaign_json(const wg_campaign_row *c) {
  wg_campaign_stages st;
  if (wg_campaign_stages_parse(c->stages, &st, NULL) != WG_OK) st.n = 0;
  char ref[11];
  wg_date_format(c->ref_date, ref);
  return json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)c->id, "name",
                   c->name, "template", c->template_code, "kind",
                   wg_item_kind_name((wg_item_kind)c->kind), "stages", stages_json(&st), "query",
                   c->query, "ref_date", ref, "created_at", c->created_at, "actor", c->actor,
                   "items", (json_int_t)c->items);
}

/* ---- campaigns ---------------------------------------------------------------------- */

static int list_row(void *ctx, const wg_campaign_row *c) {
  json_array_append_new(ctx, campaign_json(c));
  return 0;
}

void wg__api_campaigns(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_store_t *s = store_of(r);
  if (!s) return;
  json_t *items = json_array();
  if (staff(r)) {
    wg_err e = wg_store_campaign_each(s, r->srv->county, list_row, items);
    if (e) {
      json_decref(items);
      wg__http_fail(r, e, NULL, NULL);
      return;
    }
  }
  json_t *templates = json_array();
  for (int i = 0; i < wg_campaign_template_count(); i++) {
    const wg_campaign_template *t = wg_campaign_template_at(i);
    json_array_append_new(templates,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "code", t->code, "zh", t->name_zh,
                                    "en", t->name_en, "kind", wg_item_kind_name(t->kind), "query",
                                    t->query, "stages", t->stages));
  }
  wg__http_json(r, 200, json_pack("{s:o,s:o}", "items", items, "templates", templates));
}

void wg__api_campaign_create(wg_http_req *r) {
  if (!county_office(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "campaigns are issued by the county office");
    return;
  }
  json_t *b = body_json(r);
  if (!b) return;
  wg_store_t *s = store_of(r);
  if (!s) {
    json_decref(b);
    return;
  }
  const char *date = json_string_value(json_object_get(b, "date"));
  int32_t ref = 0;
  int d;
  if (date && wg_date_parse(date, &d) == WG_DATE_OK) ref = d;
  else if (date) {
    json_decref(b);
    wg__http_error(r, 400, "invalid", "date", "date is YYYY-MM-DD");
    return;
  } else ref = wg_ledger_today();
  wg_campaign_spec sp = {.county = r->srv->county,
                         .name = json_string_value(json_object_get(b, "name")),
                         .template_code = json_string_value(json_object_get(b, "template")),
                         .stages = json_string_value(json_object_get(b, "stages")),
                         .query = json_string_value(json_object_get(b, "where")),
                         .ref_date = ref, .actor = r->who.login, .origin = "http"};
  const char *kind = json_string_value(json_object_get(b, "kind"));
  if (kind) {
    wg_item_kind k;
    if (wg_item_kind_parse(kind, &k) != WG_OK) {
      json_decref(b);
      wg__http_error(r, 400, "invalid", "kind", "kind is person or household");
      return;
    }
    sp.kind = k;
  }
  int64_t id = 0;
  long items = 0;
  wg_errinfo ei = {0};
  wg_err e = wg_campaign_create(s, &sp, &id, &items, &ei);
  json_decref(b);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg_campaign_row c;
  if ((e = wg_store_campaign_get(s, id, &c))) {
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 201, campaign_json(&c));
}

/* 1 when unit outer holds unit inner (division codes by their significant
 * prefix: county 6 digits, township 9; grids by code prefix). */
static int unit_contains(const char *outer, const char *inner) {
  size_t n = strlen(outer);
  if (n == 12) n = !strcmp(outer + 6, "000000") ? 6 : !strcmp(outer + 9, "000") ? 9 : 12;
  return strcmp(outer, inner) != 0 && strlen(inner) >= n && !strncmp(outer, inner, n);
}

/* A unit's figures as JSON. */
static json_t *unit_json(const wg_campaign_view *v, const wg_rollup_unit *u) {
  json_t *reached = json_array();
  for (int k = 0; k < v->stages.n; k++) json_array_append_new(reached, json_integer(u->reached[k]));
  long share = wg_rollup_share(u, v->stages.n, v->stages.n - 1);
  return json_pack("{s:s,s:s,s:s,s:o,s:f,s:i}", "level", wg_rollup_level_name(u->level), "code",
                   u->code, "name", u->name, "reached", reached, "done_pct", (double)share / 100.0,
                   "rank", u->rank);
}

void wg__api_campaign(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!staff(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "campaigns are for staff");
    return;
  }
  wg_store_t *s = store_of(r);
  wg_campaign_view v;
  shared_plan *sp = NULL;
  if (!s || !open_campaign(r, s, &v, &sp)) return;
  wg_rollup_unit *u = NULL;
  int n = 0;
  wg_err e = wg_campaign_rollup(s, &v, &u, &n);
  if (e) {
    close_campaign(&v, sp);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  json_t *o = campaign_json(&v.c);
  /* The outermost units the principal sees: the county, else its own
   * township, communities or grids (units come outermost level first). */
  json_t *top = json_array();
  const char *kept[64];
  int nkept = 0;
  for (int i = 0; i < n && nkept < 64; i++) {
    if (!wg__http_can_see(r, u[i].code)) continue;
    int inside = 0;
    for (int k = 0; k < nkept && !inside; k++) inside = unit_contains(kept[k], u[i].code);
    if (inside) continue;
    kept[nkept++] = u[i].code;
    json_array_append_new(top, unit_json(&v, &u[i]));
  }
  json_object_set_new(o, "units", top);
  json_object_set_new(o, "plan", json_integer(v.plan_id));
  free(u);
  close_campaign(&v, sp);
  wg__http_json(r, 200, o);
}

void wg__api_campaign_rollup(wg_http_req *r) {
  static const char *const allowed[] = {"level", NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!staff(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "campaigns are for staff");
    return;
  }
  const char *lv = wg__query_get(&r->query, "level");
  wg_rollup_level only = WG_RL_COUNT_;
  if (lv && wg_rollup_level_parse(lv, &only) != WG_OK) {
    wg__http_error(r, 400, "invalid_parameter", "level",
                   "level is county, township, community, grid1, grid2 or grid3");
    return;
  }
  wg_store_t *s = store_of(r);
  wg_campaign_view v;
  shared_plan *sp = NULL;
  if (!s || !open_campaign(r, s, &v, &sp)) return;
  wg_rollup_unit *u = NULL;
  int n = 0;
  wg_err e = wg_campaign_rollup(s, &v, &u, &n);
  if (e) {
    close_campaign(&v, sp);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  json_t *units = json_array();
  for (int i = 0; i < n; i++) {
    if (only != WG_RL_COUNT_ && u[i].level != only) continue;
    if (!wg__http_can_see(r, u[i].code)) continue;
    json_array_append_new(units, unit_json(&v, &u[i]));
  }
  free(u);
  json_t *o = json_pack("{s:I,s:o,s:o}", "campaign", (json_int_t)v.c.id, "stages",
                        stages_json(&v.stages), "units", units);
  close_campaign(&v, sp);
  wg__http_json(r, 200, o);
}

typedef struct day_ctx {
  json_t *days;
} day_ctx;

static int history_day(void *ctx, int32_t day, const long *reached, int nstages) {
  day_ctx *d = ctx;
  char text[11];
  wg_date_format(day, text);
  json_t *a = json_array();
  for (int k = 0; k < nstages; k++) json_array_append_new(a, json_integer(reached[k]));
  json_array_append_new(d->days, json_pack("{s:s,s:o}", "day", text, "reached", a));
  return 0;
}

/* The unit a request is about: ?unit=, else the county for principals who
 * see it, else the principal's first scope. 0 after a 403. */
static int unit_param(wg_http_req *r, char out[19]) {
  const char *unit = NULL;
  if (!wg__param_code(r, "unit", 12, 18, &unit)) return 0;
  if (!unit) {
    char county[13];
    snprintf(county, sizeof county, "%s000000", r->srv->county);
    unit = wg__http_can_see(r, county) ? county : r->who.nscopes ? r->who.scopes[0] : "";
  }
  if (!wg__http_can_see(r, unit)) {
    wg__http_error(r, 403, "forbidden", "unit", "this unit is outside your scope");
    return 0;
  }
  snprintf(out, 19, "%s", unit);
  return 1;
}

void wg__api_campaign_history(wg_http_req *r) {
  static const char *const allowed[] = {"unit", NULL};
  if (!wg__param_only(r, allowed)) return;
  char unit[19];
  if (!staff(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "campaigns are for staff");
    return;
  }
  if (!unit_param(r, unit)) return;
  wg_store_t *s = store_of(r);
  wg_campaign_view v;
  shared_plan *sp = NULL;
  if (!s || !open_campaign(r, s, &v, &sp)) return;
  day_ctx d = {json_array()};
  wg_err e = wg_campaign_history(s, &v, unit, 0, history_day, &d);
  json_t *o = json_pack("{s:I,s:s,s:o,s:o}", "campaign", (json_int_t)v.c.id, "unit", unit,
                        "stages", stages_json(&v.stages), "days", d.days);
  close_campaign(&v, sp);
  if (e) {
    json_decref(o);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200, o);
}

/* 1 when r may see (and so work) an item: through its most specific grid,
 * else its community (http_scope.c decides). */
static int item_visible(wg_http_req *r, const wg_campaign_view *v, const wg_campaign_item_row *it) {
  char codes[WG_RL_COUNT_][19];
  wg_campaign_view_place(v, it->entrance_id, it->community, codes);
  return wg__http_can_see_place(r, codes[WG_RL_GRID1], codes[WG_RL_GRID2], codes[WG_RL_GRID3],
                                codes[WG_RL_COMMUNITY]);
}

static json_t *item_json(wg_http_req *r, wg_store_t *s, const wg_campaign_view *v,
                         const wg_campaign_item_row *it) {
  char codes[WG_RL_COUNT_][19];
  wg_campaign_view_place(v, it->entrance_id, it->community, codes);
  json_t *o = json_pack("{s:I,s:i,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)it->id, "stage",
                        it->stage, "stage_code", v->stages.s[it->stage].code, "updated_at",
                        it->updated_at, "updated_by", it->updated_by, "community", it->community,
                        "grid", codes[WG_RL_GRID3][0] ? codes[WG_RL_GRID3] : codes[WG_RL_GRID1]);
  (void)r;
  if (it->resident_id) {
    wg_resident_t res;
    wg_present_row p;
    if (wg_store_resident_get(s, it->resident_id, &res) == WG_OK &&
        wg_present_resident(s, &res, NULL, &p) == WG_OK)
      json_object_set_new(o, "person", json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", p.name,
                                                 "id_number", p.id_number, "phone", p.phone,
                                                 "birth", p.birth, "address", p.address));
  } else {
    char number[40] = "";
    if (wg_store_household_number(s, it->household_id, number, sizeof number) != WG_OK)
      number[0] = '\0';
    json_object_set_new(o, "household", json_pack("{s:s}", "number", number));
  }
  return o;
}

typedef struct items_ctx {
  wg_http_req *r;
  wg_store_t *s;
  const wg_campaign_view *v;
  const char *unit;
  json_t *items;
  long skip, limit, total;
  int64_t last;
} items_ctx;

static int item_row(void *ctx, const wg_campaign_item_row *it) {
  items_ctx *x = ctx;
  if (!item_visible(x->r, x->v, it)) return 0;
  if (x->unit && !wg_campaign_view_in(x->v, it->entrance_id, it->community, x->unit)) return 0;
  x->total++;
  if (x->skip > 0) {
    x->skip--;
    return 0;
  }
  if ((long)json_array_size(x->items) < x->limit) {
    json_array_append_new(x->items, item_json(x->r, x->s, x->v, it));
    x->last = it->id;
  }
  return 0;
}

void wg__api_campaign_items(wg_http_req *r) {
  static const char *const allowed[] = {"unit", "pending", "limit", "offset", NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!staff(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "campaigns are for staff");
    return;
  }
  long pending, limit, offset;
  const char *unit = NULL;
  if (!wg__param_long(r, "pending", 0, 0, 1, &pending) ||
      !wg__param_long(r, "limit", 50, 1, 1000, &limit) ||
      !wg__param_long(r, "offset", 0, 0, 100000000, &offset) ||
      !wg__param_code(r, "unit", 12, 18, &unit))
    return;
  if (unit && !wg__http_can_see(r, unit)) {
    wg__http_error(r, 403, "forbidden", "unit", "this unit is outside your scope");
    return;
  }
  wg_store_t *s = store_of(r);
  wg_campaign_view v;
  shared_plan *sp = NULL;
  if (!s || !open_campaign(r, s, &v, &sp)) return;
  items_ctx x = {r, s, &v, unit, json_array(), offset, limit, 0, 0};
  wg_err e = wg_store_campaign_item_each(s, v.c.id, pending ? v.stages.n - 2 : -1, item_row, &x);
  json_t *o = json_pack("{s:o,s:I,s:o}", "items", x.items, "total", (json_int_t)x.total, "stages",
                        stages_json(&v.stages));
  close_campaign(&v, sp);
  if (e) {
    json_decref(o);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200, o);
}

typedef struct scope_ctx {
  wg_http_req *r;
  const wg_campaign_view *v;
} scope_ctx;

static int can_mark(void *ctx, const wg_campaign_item_row *it) {
  scope_ctx *c = ctx;
  return item_visible(c->r, c->v, it);
}

void wg__api_campaign_mark(wg_http_req *r) {
  if (!staff(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "campaigns are for staff");
    return;
  }
  char *end = NULL;
  long long item = r->params[1] ? strtoll(r->params[1], &end, 10) : 0;
  if (!r->params[1] || *end || item <= 0) {
    wg__http_error(r, 400, "invalid_parameter", "item", "an item id is a positive integer");
    return;
  }
  json_t *b = body_json(r);
  if (!b) return;
  wg_store_t *s = store_of(r);
  wg_campaign_view v;
  shared_plan *sp = NULL;
  if (!s || !open_campaign(r, s, &v, &sp)) {
    json_decref(b);
    return;
  }
  scope_ctx sc = {r, &v};
  wg_campaign_mark_opts o = {.actor = r->who.login, .origin = "http",
                             .correct = json_is_true(json_object_get(b, "correct")),
                             .can_mark = can_mark, .can_mark_ctx = &sc};
  wg_errinfo ei = {0};
  wg_campaign_item_row it;
  const char *stage = json_string_value(json_object_get(b, "stage"));
  wg_err e = wg_campaign_mark(s, &v, item, NULL, stage, json_string_value(json_object_get(b, "note")),
                              &o, &it, &ei);
  json_decref(b);
  if (e == WG_EEXIST) {
    /* Idempotent: already there. */
    wg_campaign_marker_t *m = NULL;
    e = wg_store_campaign_marker_open(s, v.c.id, &m);
    if (!e) e = wg_store_campaign_marker_find(m, item, NULL, NULL, &it);
    wg_store_campaign_marker_close(m);
  }
  if (e) {
    if (e == WG_EINVAL && !ei.field[0]) snprintf(ei.field, sizeof ei.field, "stage");
    fail_ei(r, e, &ei);
  } else {
    wg__http_json(r, 200, item_json(r, s, &v, &it));
  }
  close_campaign(&v, sp);
}

void wg__api_campaign_import(wg_http_req *r) {
  static const char *const allowed[] = {"stage", NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!staff(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "campaigns are for staff");
    return;
  }
  if (!r->body || !r->body_len) {
    wg__http_error(r, 400, "bad_request", "body", "send the sheet (CSV or XLSX) as the body");
    return;
  }
  wg_store_t *s = store_of(r);
  wg_campaign_view v;
  shared_plan *sp = NULL;
  if (!s || !open_campaign(r, s, &v, &sp)) return;
  scope_ctx sc = {r, &v};
  wg_campaign_mark_opts o = {.actor = r->who.login, .origin = "http", .can_mark = can_mark,
                             .can_mark_ctx = &sc};
  char *report = NULL;
  size_t report_len = 0;
  FILE *rep = open_memstream(&report, &report_len);
  wg_campaign_import_result res;
  wg_errinfo ei = {0};
  wg_err e = wg_campaign_import(s, &v, NULL, r->body, r->body_len,
                                wg__query_get(&r->query, "stage"), &o, rep, &res, &ei);
  if (rep) fclose(rep);
  close_campaign(&v, sp);
  json_t *rows = json_array();
  for (char *line = report; line && *line;) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    /* "<upload>: row N: …" → the part after the file name. */
    const char *text = line;
    if (n > 10 && !strncmp(line, "<upload>: ", 10)) text += 10, n -= 10;
    json_array_append_new(rows, json_stringn(text, n));
    line = nl ? nl + 1 : line + strlen(line);
  }
  free(report);
  if (e) {
    const char *code;
    int status = wg__http_status_of(e, &code);
    json_t *err = json_pack("{s:s,s:s,s:o}", "code", code, "message",
                            status >= 500 ? wg_strerror(e) : (ei.why[0] ? ei.why : wg_strerror(e)),
                            "field", ei.field[0] ? json_string(ei.field) : json_null());
    wg__http_json(r, status, json_pack("{s:o,s:o,s:I}", "error", err, "rows", rows, "bad_rows",
                                       (json_int_t)res.bad_rows));
    return;
  }
  wg__http_json(r, 200, json_pack("{s:I,s:I,s:I,s:s,s:o}", "rows", (json_int_t)res.rows, "moved",
                                  (json_int_t)res.moved, "unchanged", (json_int_t)res.unchanged,
                                  "format", res.format, "problems", rows));
}

/* ---- downloads -------------------------------------------------------------------- */

static int reports_allowed(const wg_http_req *r) {
  return county_office(r) || r->who.role == WG_ROLE_TOWNSHIP || r->who.role == WG_ROLE_COMMUNITY;
}

static void send_report(wg_http_req *r, wg_store_t *s, wg_report *rep, const char *format,
                        const char *name) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/wangge-report-XXXXXX");
  int fd = mkstemp(path);
  wg_errinfo ei = {0};
  wg_err e = fd < 0 ? WG_EIO : WG_OK;
  if (fd >= 0) close(fd);
  if (!e) e = wg_report_write(rep, format, path, &ei);
  char *data = NULL;
  size_t len = 0;
  if (!e) {
    FILE *f = fopen(path, "rb");
    if (!f) e = WG_EIO;
    if (f) {
      fseek(f, 0, SEEK_END);
      long n = ftell(f);
      fseek(f, 0, SEEK_SET);
      data = n >= 0 ? malloc((size_t)n + 1) : NULL;
      if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) e = WG_EIO;
      len = (size_t)n;
      fclose(f);
    }
  }
  if (fd >= 0) unlink(path);
  wg_audit_t a = {.action = "report", .origin = "http"};
  snprintf(a.actor, sizeof a.actor, "%s", r->who.login);
  snprintf(a.target, sizeof a.target, "%.120s", name);
  if (!e) e = wg_store_audit_add(s, &a);
  if (e) {
    free(data);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  int xlsx = !strcmp(format, "xlsx");
  snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s.%s\"", name, format);
  wg__http_raw(r, 200, data, len,
               xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    : "text/html; charset=utf-8");
}

static int format_param(wg_http_req *r, const char **format) {
  *format = wg__query_get(&r->query, "format");
  if (!*format) *format = "html";
  if (strcmp(*format, "html") && strcmp(*format, "xlsx")) {
    wg__http_error(r, 400, "invalid_parameter", "format", "format is xlsx or html");
    return 0;
  }
  return 1;
}

void wg__api_campaign_report(wg_http_req *r) {
  static const char *const allowed[] = {"format", NULL};
  if (!wg__param_only(r, allowed)) return;
  const char *format;
  if (!format_param(r, &format)) return;
  if (!reports_allowed(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "reports are for the county, township and community offices");
    return;
  }
  wg_store_t *s = store_of(r);
  wg_campaign_view v;
  shared_plan *sp = NULL;
  if (!s || !open_campaign(r, s, &v, &sp)) return;
  int64_t id = v.c.id;
  close_campaign(&v, sp);
  wg_report *rep = NULL;
  wg_errinfo ei = {0};
  wg_err e = wg_report_build_campaign(s, id, &rep, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  char name[64];
  snprintf(name, sizeof name, "campaign-%lld", (long long)id);
  send_report(r, s, rep, format, name);
  wg_report_free(rep);
}

void wg__api_report(wg_http_req *r) {
  static const char *const allowed[] = {"period", "format", NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_report_kind kind;
  if (wg_report_kind_parse(r->params[0], &kind) != WG_OK) {
    wg__http_error(r, 404, "not_found", "kind", "reports are weekly, monthly or quarterly");
    return;
  }
  const char *format, *period = wg__query_get(&r->query, "period");
  if (!format_param(r, &format)) return;
  if (!period) {
    wg__http_error(r, 400, "invalid_parameter", "period", "give ?period= (2026-W47, 2026-11, 2026-Q4)");
    return;
  }
  if (!reports_allowed(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "reports are for the county, township and community offices");
    return;
  }
  wg_store_t *s = store_of(r);
  if (!s) return;
  wg_report *rep = NULL;
  wg_errinfo ei = {0};
  wg_err e = wg_report_build(s, r->srv->county, kind, period, &rep, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  char name[64];
  snprintf(name, sizeof name, "%s-%.12s", wg_report_kind_name(kind), period);
  send_report(r, s, rep, format, name);
  wg_report_free(rep);
}

/* ---- targets ---------------------------------------------------------------------- */

static int targets_readable(const wg_http_req *r) {
  return staff(r) || r->who.role == WG_ROLE_AUDITOR;
}

static int indicator_row(void *ctx, const wg_indicator_row *ind) {
  json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:s}", "code", ind->code, "name", ind->name,
                                       "unit", ind->unit, "period_type", ind->period_type));
  return 0;
}

void wg__api_targets(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_store_t *s = store_of(r);
  if (!s) return;
  json_t *items = json_array();
  wg_err e = targets_readable(r) ? wg_store_indicator_each(s, r->srv->county, indicator_row, items)
                                 : WG_OK;
  if (e) {
    json_decref(items);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200, json_pack("{s:o}", "items", items));
}

void wg__api_target_create(wg_http_req *r) {
  if (!county_office(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "indicators are set by the county office");
    return;
  }
  json_t *b = body_json(r);
  if (!b) return;
  wg_store_t *s = store_of(r);
  if (!s) {
    json_decref(b);
    return;
  }
  wg_target_who who = {.actor = r->who.login, .origin = "http"};
  wg_errinfo ei = {0};
  const char *code = json_string_value(json_object_get(b, "code"));
  wg_err e = wg_target_indicator_add(s, r->srv->county, code,
                                     json_string_value(json_object_get(b, "name")),
                                     json_string_value(json_object_get(b, "unit")),
                                     json_string_value(json_object_get(b, "period_type")), &who, &ei);
  wg_indicator_row ind;
  if (!e) e = wg_store_indicator_get(s, r->srv->county, code, &ind);
  json_decref(b);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  json_t *o = json_array();
  indicator_row(o, &ind);
  json_t *one = json_incref(json_array_get(o, 0));
  json_decref(o);
  wg__http_json(r, 201, one);
}

void wg__api_target(wg_http_req *r) {
  static const char *const allowed[] = {"period", NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!targets_readable(r)) {
    wg__http_error(r, 403, "forbidden", NULL, "targets are for staff");
    return;
  }
  wg_store_t *s = store_of(r);
  if (!s) return;
  wg_errinfo ei = {0};
  wg_period p;
  const char *period = wg__query_get(&r->query, "period");
  wg_err e;
  if (period) {
    if ((e = wg_period_parse(period, &p, &ei))) {
      fail_ei(r, e, &ei);
      return;
    }
  } else {
    wg_period_of(WG_PERIOD_WEEK, wg_ledger_today(), &p);
  }
  wg_target_data d;
  if ((e = wg_target_load(s, r->srv->county, r->params[0], &d, &ei))) {
    fail_ei(r, e, &ei);
    return;
  }
  wg_target_line *l = NULL;
  int n = 0;
  e = wg_target_lines(s, &d, &p, &l, &n);
  json_t *lines = json_array();
  for (int i = 0; !e && i < n; i++)
    json_array_append_new(
        lines, json_pack("{s:s,s:s,s:i,s:s,s:I,s:I,s:I,s:f,s:f,s:i,s:i,s:b}", "division",
                         l[i].division, "name", l[i].name, "level", l[i].level, "target_period",
                         l[i].target_period, "target", (json_int_t)l[i].target, "actual_period",
                         (json_int_t)l[i].actual_period, "actual_cum", (json_int_t)l[i].actual_cum,
                         "pct", (double)l[i].pct / 100.0, "pace", (double)l[i].pace / 100.0, "rank",
                         l[i].rank, "peers", l[i].peers, "behind", l[i].behind));
  /* The weekly series of all units' actuals, for a trend. */
  json_t *series = json_object();
  for (int i = 0; !e && i < d.nactuals; i++) {
    json_t *cur = json_object_get(series, d.actuals[i].period);
    json_int_t v = (cur ? json_integer_value(cur) : 0) + (json_int_t)d.actuals[i].value;
    json_object_set_new(series, d.actuals[i].period, json_integer(v));
  }
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "code", d.ind.code, "name", d.ind.name,
                        "unit", d.ind.unit, "period_type", d.ind.period_type, "period", p.text,
                        "lines", lines, "actuals", series);
  free(l);
  wg_target_data_free(&d);
  if (e) {
    json_decref(o);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200, o);
}

static void put_figure(wg_http_req *r, int is_target) {
  json_t *b = body_json(r);
  if (!b) return;
  const char *division = json_string_value(json_object_get(b, "division"));
  const char *period = json_string_value(json_object_get(b, "period"));
  json_t *jv = json_object_get(b, "value");
  if (!json_is_integer(jv)) {
    json_decref(b);
    wg__http_error(r, 400, "invalid", "value", "value is a whole number");
    return;
  }
  /* Targets come from the county office; a division reports its own. */
  int ok = county_office(r) ||
           (!is_target && division && strlen(division) == 12 &&
            (r->who.role == WG_ROLE_TOWNSHIP || r->who.role == WG_ROLE_COMMUNITY) &&
            wg__http_can_see(r, division));
  if (!ok) {
    json_decref(b);
    wg__http_error(r, 403, "forbidden", "division",
                   is_target ? "targets are assigned by the county office"
                             : "you report actuals for your own division only");
    return;
  }
  wg_store_t *s = store_of(r);
  if (!s) {
    json_decref(b);
    return;
  }
  wg_target_who who = {.actor = r->who.login, .origin = "http"};
  wg_errinfo ei = {0};
  int64_t value = (int64_t)json_integer_value(jv);
  wg_err e = is_target ? wg_target_assign(s, r->srv->county, r->params[0], division, period, value, &who, &ei)
                       : wg_target_report(s, r->srv->county, r->params[0], division, period, value, &who, &ei);
  json_t *o = json_pack("{s:s,s:s,s:s,s:I}", "indicator", r->params[0], "division",
                        division ? division : "", "period", period ? period : "", "value",
                        (json_int_t)value);
  json_decref(b);
  if (e) {
    json_decref(o);
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 200, o);
}

void wg__api_target_assign(wg_http_req *r) { put_figure(r, 1); }
void wg__api_target_actual(wg_http_req *r) { put_figure(r, 0); }
