/* api_org.c — the organisation and mobilisation API under /api/v1/org and
 * /api/v1/incidents, and the organisation part of the grid card.
 *
 * Reads are filtered by scope (http_scope.c): a principal sees staff,
 * members, shifts, visits and findings of the divisions and grids it sees.
 * Writes go through org.h's audited operations; who may make them is
 * decided in http_scope.c (wg__http_org_manager, wg__http_org_fieldwork):
 * community, township and county offices manage the organisation of their
 * scope; a grid worker records visits, service and contacts only in their
 * own grids. Phones are masked (present.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"
#include "ledger/present.h"
#include "ledger/validate.h"
#include "org/org.h"
#include "territory/plan.h"

/* ---- helpers --------------------------------------------------------------------- */

static json_t *jstr(const char *s) {
  json_t *j = json_string(s ? s : "");
  return j ? j : json_string("");
}

static json_t *jdate(int32_t ymd) {
  if (ymd <= 0) return json_null();
  char d[11];
  wg_date_format(ymd, d);
  return json_string(d);
}

static json_t *skills_json(const char *list) {
  json_t *a = json_array();
  for (const char *p = list; p && *p;) {
    size_t n = strcspn(p, ",");
    if (n) json_array_append_new(a, json_stringn(p, n));
    p += n;
    if (*p == ',') p++;
  }
  return a;
}

/* Staff answer for grids in public (网格员公示): their names are shown, but
 * not to auditors; members and volunteers are residents: their names are
 * masked like any resident's. Phones are always masked. */
static json_t *person_as(const wg_http_req *r, int resident, const char *name, const char *phone,
                         const char *key_name, const char *key_phone, json_t *o) {
  wg_present_person_t p;
  wg_present_person(name, phone, NULL, resident || r->who.role == WG_ROLE_AUDITOR, &p);
  json_object_set_new(o, key_name, jstr(p.name));
  json_object_set_new(o, key_phone, p.phone[0] ? jstr(p.phone) : json_null());
  return o;
}

static wg_store_t *store(wg_http_req *r) {
  wg_http_worker *w = wg__http_worker(r);
  return w ? w->store : NULL;
}

/* The JSON object of the request body; NULL after a 400. */
static json_t *body_object(wg_http_req *r) {
  json_error_t jerr;
  json_t *b = r->body ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
  if (!json_is_object(b)) {
    json_decref(b);
    wg__http_error(r, 400, "bad_request", "body", "a JSON object body is required");
    return NULL;
  }
  return b;
}

static const char *bstr(json_t *b, const char *k) {
  return json_string_value(json_object_get(b, k));
}

/* A string member copied into dst ("" when absent or not a string). */
static void bstr_copy(json_t *b, const char *k, char *dst, size_t cap) {
  const char *v = bstr(b, k);
  snprintf(dst, cap, "%s", v ? v : "");
}

static int64_t bint(json_t *b, const char *k) {
  json_t *v = json_object_get(b, k);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* A date member ("YYYY-MM-DD"), today (China) when absent; 0 after a 400. */
static int bdate(wg_http_req *r, json_t *b, const char *k, int32_t *out) {
  const char *v = bstr(b, k);
  int d;
  if (!v) {
    *out = wg_date_today_cst();
    return 1;
  }
  if (wg_date_parse(v, &d) != WG_DATE_OK) {
    wg__http_error(r, 400, "invalid_parameter", k, "%s must be a date (YYYY-MM-DD)", k);
    return 0;
  }
  *out = d;
  return 1;
}

static void fail_ei(wg_http_req *r, wg_err e, const wg_errinfo *ei) {
  wg__http_fail(r, e, ei->field[0] ? ei->field : NULL, ei->why[0] ? ei->why : NULL);
}

static const wg_org_actor *actor_of(wg_http_req *r, wg_org_actor *a) {
  a->actor = r->who.login;
  a->origin = "http";
  a->at = NULL;
  return a;
}

static const char *county_of(wg_http_req *r) { return r->srv->county; }

/* The member linked to the signed-in user, 0 when none. */
static int64_t my_member(wg_http_req *r, wg_store_t *s) {
  wg_member_row m;
  return wg_store_member_by_login(s, r->who.login, &m) == WG_OK ? m.id : 0;
}

/* The staff member linked to the signed-in user, 0 when none. */
static int64_t my_staff(wg_http_req *r, wg_store_t *s) {
  wg_staff_row st;
  return wg_store_staff_by_login(s, r->who.login, &st) == WG_OK ? st.id : 0;
}

static int id_param(wg_http_req *r, int i, const char *field, int64_t *out) {
  char *end;
  long long v = strtoll(r->params[i], &end, 10);
  if (*end || v <= 0) {
    wg__http_error(r, 400, "invalid_parameter", field, "%s must be a positive integer", field);
    return 0;
  }
  *out = v;
  return 1;
}

/* ---- the grid card's organisation ------------------------------------------------ */

typedef struct card_ctx {
  wg_http_req *r;
  wg_store_t *s;
  const char *code;
  json_t *workers, *heads;
  json_t *above;            /* workers of the grids that hold this one */
} card_ctx;

static int card_worker(void *ctx, int64_t staff_id, const char *grid) {
  card_ctx *c = ctx;
  size_t n = strlen(grid);
  int here = strcmp(grid, c->code) == 0;
  int above = !here && n < strlen(c->code) && strncmp(grid, c->code, n) == 0;
  if (!here && !above) return 0;
  wg_staff_row st;
  if (wg_store_staff_get(c->s, staff_id, &st) != WG_OK) return 0;
  json_t *o = json_pack("{s:I, s:s, s:i, s:b}", "id", (json_int_t)st.id, "kind",
                        st.kind == WG_STAFF_GRID_WORKER ? "grid-worker"
                        : st.kind == WG_STAFF_BUILDING_HEAD ? "building-head"
                                                             : "community-staff",
                        "level", st.level, "full_time", st.full_time);
  if (above) json_object_set_new(o, "grid", json_string(grid));
  json_array_append_new(here ? c->workers : c->above,
                        person_as(c->r, 0, st.name, st.phone, "name", "phone", o));
  return 0;
}

static int card_head(void *ctx, int64_t staff_id, int64_t building_id, const char *building) {
  card_ctx *c = ctx;
  wg_staff_row st;
  if (json_array_size(c->heads) >= 200 || wg_store_staff_get(c->s, staff_id, &st) != WG_OK)
    return 0;
  json_t *o = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)st.id, "building",
                        (json_int_t)building_id, "building_name", building ? building : "");
  json_array_append_new(c->heads, person_as(c->r, 0, st.name, st.phone, "name", "phone", o));
  return 0;
}

typedef struct porg_find {
  const char *code;
  wg_party_org_row row;
  int found;
  json_t *under;            /* organisations on sub-grids */
  json_t *above;            /* organisations on the grids holding it */
} porg_find;

static int porg_on(void *ctx, const wg_party_org_row *r) {
  porg_find *f = ctx;
  if (!strcmp(r->grid, f->code)) {
    f->row = *r;
    f->found = 1;
  } else if (f->above && strlen(r->grid) < strlen(f->code) &&
             !strncmp(r->grid, f->code, strlen(r->grid))) {
    json_array_append_new(f->above, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->id,
                                              "kind",
                                              r->kind == WG_PORG_BRANCH ? "branch"
                                              : r->kind == WG_PORG_GROUP ? "group"
                                                                          : "central",
                                              "name", r->name, "grid", r->grid));
  } else if (f->under && !strncmp(r->grid, f->code, strlen(f->code))) {
    json_array_append_new(f->under, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)r->id, "kind",
                                              r->kind == WG_PORG_BRANCH ? "branch"
                                              : r->kind == WG_PORG_GROUP ? "group"
                                                                          : "central",
                                              "grid", r->grid));
  }
  return 0;
}

int wg__api_grid_org(wg_http_req *r, json_t *card, const char *code, int64_t plan_id) {
  wg_store_t *s = r->worker ? r->worker->store : NULL;
  if (!s) return 0;
  card_ctx c = {r, s, code, json_array(), json_array(), json_array()};
  wg_err e = wg_store_staff_grid_each(s, county_of(r), 0, card_worker, &c);
  if (!e) e = wg_store_grid_building_heads(s, plan_id, code, card_head, &c);
  porg_find f = {.code = code, .under = json_array(), .above = json_array()};
  if (!e) e = wg_store_party_org_each(s, county_of(r), porg_on, &f);
  long party = 0, registered = 0, volunteers = 0;
  if (!e) e = wg_store_grid_member_counts(s, plan_id, code, &party, &registered, &volunteers);
  if (e) {
    json_decref(c.workers);
    json_decref(c.heads);
    json_decref(c.above);
    json_decref(f.under);
    json_decref(f.above);
    return 0; /* the card without its organisation rather than no card */
  }
  json_t *porg = json_null();
  if (f.found) {
    porg = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)f.row.id, "kind",
                     f.row.kind == WG_PORG_BRANCH ? "branch"
                     : f.row.kind == WG_PORG_GROUP ? "group"
                                                   : "central",
                     "name", f.row.name);
    if (f.row.member_id) json_object_set_new(porg, "member", json_integer(f.row.member_id));
  }
  json_object_set_new(card, "workers", c.workers);
  json_object_set_new(card, "building_heads", c.heads);
  json_object_set_new(card, "party", porg);
  json_object_set_new(card, "party_below", f.under);
  /* Who answers for the grids that hold this one (a level-3 grid's worker
   * is its level-2 grid's), outermost first. */
  json_object_set_new(card, "workers_above", c.above);
  json_object_set_new(card, "party_above", f.above);
  json_object_set_new(card, "members", json_pack("{s:I, s:I, s:I}", "party", (json_int_t)party,
                                                 "registered", (json_int_t)registered,
                                                 "volunteers", (json_int_t)volunteers));
  return 1;
}

/* ---- staff ------------------------------------------------------------------------- */

typedef struct list_ctx {
  wg_http_req *r;
  wg_store_t *s;
  json_t *items;
  const char *community;
  const char *grid;
  int registered_only;
  wg_http_plan *plan;          /* the active plan's cache, or NULL */
  int64_t staff_id;
  int32_t date;
} list_ctx;

typedef struct grids_of {
  int64_t staff;
  json_t *codes;
  int visible;
  wg_http_req *r;
} grids_of;

static int staff_grid_of(void *ctx, int64_t staff, const char *grid) {
  grids_of *g = ctx;
  if (staff != g->staff) return 0;
  json_array_append_new(g->codes, jstr(grid));
  g->visible |= wg__http_can_see(g->r, grid);
  return 0;
}

static int staff_item(void *ctx, const wg_staff_row *st) {
  list_ctx *c = ctx;
  if (!st->active) return 0;
  grids_of g = {st->id, json_array(), 0, c->r};
  if (wg_store_staff_grid_each(c->s, st->county, st->id, staff_grid_of, &g) != WG_OK) {
    json_decref(g.codes);
    return 1;
  }
  /* Visible: staff of a community the principal sees, or assigned to a
   * grid it sees (a grid worker sees the staff of their grids). */
  int visible = wg__http_can_see(c->r, st->community) || g.visible;
  int in_grid = !c->grid;
  for (size_t i = 0; c->grid && i < json_array_size(g.codes); i++)
    in_grid |= !strncmp(json_string_value(json_array_get(g.codes, i)), c->grid, strlen(c->grid));
  if (!visible || !in_grid) {
    json_decref(g.codes);
    return 0;
  }
  json_t *o = json_pack("{s:I, s:s, s:i, s:b, s:s, s:o, s:o, s:o}", "id", (json_int_t)st->id,
                        "kind",
                        st->kind == WG_STAFF_GRID_WORKER ? "grid-worker"
                        : st->kind == WG_STAFF_BUILDING_HEAD ? "building-head"
                                                              : "community-staff",
                        "level", st->level, "full_time", st->full_time, "community", st->community,
                        "grids", g.codes, "skills", skills_json(st->skills), "login",
                        st->login[0] ? jstr(st->login) : json_null());
  json_array_append_new(c->items, person_as(c->r, 0, st->name, st->phone, "name", "phone", o));
  return 0;
}

static int place_filters(wg_http_req *r, list_ctx *c) {
  if (!wg__param_code(r, "community", 12, 12, &c->community)) return 0;
  if (!wg__param_code(r, "grid", 14, 18, &c->grid)) return 0;
  return 1;
}

/* Answers a listing of items (taking them), or the error e. */
static void listing(wg_http_req *r, json_t *items, wg_err e) {
  if (e) {
    json_decref(items);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  json_t *o = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items));
  wg__http_json(r, 200, o);
}

void wg__api_org_staff(wg_http_req *r) {
  static const char *const allowed[] = {"community", "grid", NULL};
  if (!wg__param_only(r, allowed)) return;
  list_ctx c = {.r = r, .items = json_array()};
  if (!place_filters(r, &c) || !(c.s = store(r))) {
    json_decref(c.items);
    return;
  }
  wg_err e = wg_store_staff_each(c.s, county_of(r), c.community, staff_item, &c);
  listing(r, c.items, e);
}

static int kind_of_staff(const char *w) {
  if (!w || !strcmp(w, "grid-worker")) return WG_STAFF_GRID_WORKER;
  if (!strcmp(w, "building-head")) return WG_STAFF_BUILDING_HEAD;
  if (!strcmp(w, "community-staff")) return WG_STAFF_COMMUNITY;
  return 0;
}

void wg__api_org_staff_add(wg_http_req *r) {
  wg_store_t *s = store(r);
  json_t *b = s ? body_object(r) : NULL;
  if (!b) return;
  wg_staff_row st = {0};
  snprintf(st.county, sizeof st.county, "%s", county_of(r));
  st.kind = kind_of_staff(bstr(b, "kind"));
  bstr_copy(b, "name", st.name, sizeof st.name);
  snprintf(st.phone, sizeof st.phone, "%.11s", bstr(b, "phone") ? bstr(b, "phone") : "");
  bstr_copy(b, "community", st.community, sizeof st.community);
  bstr_copy(b, "login", st.login, sizeof st.login);
  bstr_copy(b, "skills", st.skills, sizeof st.skills);
  st.level = (int)bint(b, "level");
  st.full_time = !json_is_false(json_object_get(b, "full_time"));
  const char *grids[32];
  int ng = 0;
  json_t *ga = json_object_get(b, "grids");
  for (size_t i = 0; i < json_array_size(ga) && ng < 32; i++)
    if (json_string_value(json_array_get(ga, i))) grids[ng++] = json_string_value(json_array_get(ga, i));
  if (!st.kind) {
    json_decref(b);
    wg__http_error(r, 400, "invalid_parameter", "kind", "grid-worker, building-head or community-staff");
    return;
  }
  if (!wg__http_org_manager(r, st.community)) {
    json_decref(b);
    wg__http_error(r, 403, "forbidden", "community", "only the community's office adds its staff");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  /* the staff member and their buildings together, or nothing */
  wg_err e = wg_store_begin(s);
  int own = e == WG_OK;
  if (e == WG_ECONFLICT) e = WG_OK;
  if (!e) e = wg_org_staff_add(s, actor_of(r, &a), &st, grids, ng, &ei);
  json_t *ba = json_object_get(b, "buildings");
  for (size_t i = 0; !e && i < json_array_size(ba); i++) {
    int64_t bid = json_is_integer(json_array_get(ba, i)) ? json_integer_value(json_array_get(ba, i)) : 0;
    e = wg_org_building_head(s, &a, st.id, bid, 1, &ei);
  }
  json_decref(b);
  if (own) {
    if (!e) e = wg_store_commit(s);
    if (e) wg_store_rollback(s);
  }
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)st.id));
}

/* ---- members ------------------------------------------------------------------------- */

static json_t *member_json(wg_http_req *r, const wg_member_row *m) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:b, s:s, s:o, s:o, s:b}", "id", (json_int_t)m->id,
                        "kind", m->kind == WG_MEMBER_PARTY ? "party" : "volunteer", "community",
                        m->community, "grid", m->grid[0] ? jstr(m->grid) : json_null(),
                        "in_service", m->in_service, "employer", m->employer, "registered_on",
                        jdate(m->registered_on), "skills", skills_json(m->skills), "from_ledger",
                        m->resident_id > 0);
  return person_as(r, 1, m->name, m->phone, "name", "phone", o);
}

/* The most specific grid of an entrance in the cached active plan, or "". */
static const char *entrance_grid(const wg_http_plan *p, int64_t entrance) {
  int64_t wi;
  if (!p || entrance <= 0 || !wg_u64map_get(&p->entrance, (uint64_t)entrance, &wi)) return "";
  const struct wg_http_where *w = &p->where[wi];
  if (w->npieces > 0 && p->pieces[w->first_piece].grid >= 0)
    return p->grids[p->pieces[w->first_piece].grid].code;
  for (int l = 2; l >= 0; l--)
    if (w->grid[l] >= 0) return p->grids[w->grid[l]].code;
  return "";
}

static int member_item(void *ctx, const wg_member_row *m) {
  list_ctx *c = ctx;
  if (!m->active || (c->registered_only && !m->registered_on)) return 0;
  /* Where the member lives: their home's grid (ledger members), or the
   * grid given by hand. */
  const char *home = m->grid[0] ? m->grid : entrance_grid(c->plan, m->entrance_id);
  int visible = m->entrance_id && c->plan
                    ? wg__http_can_see_entrance(c->r, c->plan, m->entrance_id, 0, m->community)
                    : wg__http_can_see(c->r, m->community) || (home[0] && wg__http_can_see(c->r, home));
  if (!visible || (c->grid && strncmp(home, c->grid, strlen(c->grid)) != 0)) return 0;
  json_t *o = member_json(c->r, m);
  json_object_set_new(o, "home_grid", home[0] ? jstr(home) : json_null());
  json_array_append_new(c->items, o);
  return 0;
}

void wg__api_org_members(wg_http_req *r) {
  static const char *const allowed[] = {"community", "grid", "registered", NULL};
  if (!wg__param_only(r, allowed)) return;
  list_ctx c = {.r = r, .items = json_array()};
  long reg;
  if (!place_filters(r, &c) || !wg__param_long(r, "registered", 0, 0, 1, &reg) || !(c.s = store(r))) {
    json_decref(c.items);
    return;
  }
  c.registered_only = (int)reg;
  int64_t active = 0, ledger = 0;
  if (wg__http_versions(r, &active, &ledger) == WG_OK && active &&
      wg__http_plan_get(r, active, &c.plan) != WG_OK)
    c.plan = NULL;
  wg_err e = wg_store_member_each(c.s, county_of(r), c.community, member_item, &c);
  if (c.plan) wg__http_plan_release(r->srv, c.plan);
  listing(r, c.items, e);
}

void wg__api_org_member_add(wg_http_req *r) {
  wg_store_t *s = store(r);
  json_t *b = s ? body_object(r) : NULL;
  if (!b) return;
  wg_member_row m = {0};
  snprintf(m.county, sizeof m.county, "%s", county_of(r));
  const char *kind = bstr(b, "kind");
  m.kind = !kind || !strcmp(kind, "party") ? WG_MEMBER_PARTY
           : !strcmp(kind, "volunteer")    ? WG_MEMBER_VOLUNTEER
                                           : 0;
  m.resident_id = bint(b, "resident");
  bstr_copy(b, "name", m.name, sizeof m.name);
  snprintf(m.phone, sizeof m.phone, "%.11s", bstr(b, "phone") ? bstr(b, "phone") : "");
  bstr_copy(b, "community", m.community, sizeof m.community);
  bstr_copy(b, "grid", m.grid, sizeof m.grid);
  bstr_copy(b, "skills", m.skills, sizeof m.skills);
  json_decref(b);
  if (!m.kind) {
    wg__http_error(r, 400, "invalid_parameter", "kind", "party or volunteer");
    return;
  }
  /* The community decides who it adds; a ledger resident's community is
   * checked after the look-up below. */
  wg_org_actor a;
  wg_errinfo ei = {0};
  if (m.community[0] && !wg__http_org_manager(r, m.community)) {
    wg__http_error(r, 403, "forbidden", "community", "outside your scope");
    return;
  }
  if (!m.community[0] && m.resident_id) {
    wg_resident_t res;
    int64_t ent;
    if (wg_store_resident_get(s, m.resident_id, &res) == WG_OK && res.dwelling_id &&
        wg_store_dwelling_place(s, res.dwelling_id, &ent, m.community) == WG_OK &&
        !wg__http_org_manager(r, m.community)) {
      wg__http_error(r, 403, "forbidden", "resident", "the resident lives outside your scope");
      return;
    }
  }
  wg_err e = wg_org_member_add(s, actor_of(r, &a), &m, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 201, member_json(r, &m));
}

void wg__api_org_member_register(wg_http_req *r) {
  int64_t id;
  wg_store_t *s = store(r);
  if (!s || !id_param(r, 0, "id", &id)) return;
  json_t *b = body_object(r);
  if (!b) return;
  wg_member_row m;
  wg_err e = wg_store_member_get(s, id, &m);
  const char *community = bstr(b, "community") ? bstr(b, "community") : m.community;
  int32_t date;
  if (!e && !bdate(r, b, "date", &date)) {
    json_decref(b);
    return;
  }
  if (e == WG_ENOTFOUND || (!e && !wg__http_org_manager(r, community))) {
    json_decref(b);
    wg__http_error(r, e ? 404 : 403, e ? "not_found" : "forbidden", "id",
                   e ? "no such member" : "the community registers its members");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  if (!e)
    e = wg_org_member_register(s, actor_of(r, &a), id, community, bstr(b, "employer"), date,
                               bstr(b, "skills"), &ei);
  json_decref(b);
  if (!e) e = wg_store_member_get(s, id, &m);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 200, member_json(r, &m));
}

/* ---- service log ------------------------------------------------------------------------------ */

typedef struct service_ctx {
  wg_http_req *r;
  json_t *items;
  double hours;
} service_ctx;

static int service_item(void *ctx, const wg_service_row *sv) {
  service_ctx *c = ctx;
  /* An entry without a grid is the county office's to see. */
  int county_wide = c->r->who.role == WG_ROLE_ADMIN || c->r->who.role == WG_ROLE_COUNTY;
  if (sv->grid[0] ? !wg__http_can_see(c->r, sv->grid) : !county_wide) return 0;
  c->hours += sv->hours;
  if (json_array_size(c->items) >= 1000) return 0;
  json_t *o = json_pack("{s:I, s:s, s:o, s:f, s:o, s:o, s:o, s:s}", "id", (json_int_t)sv->id,
                        "kind", sv->kind, "date", jdate(sv->date), "hours", sv->hours, "grid",
                        sv->grid[0] ? jstr(sv->grid) : json_null(), "household",
                        sv->household_id ? json_integer(sv->household_id) : json_null(),
                        "incident", sv->incident_id ? json_integer(sv->incident_id) : json_null(),
                        "note", sv->note);
  if (sv->member_id) json_object_set_new(o, "member", json_integer(sv->member_id));
  if (sv->staff_id) json_object_set_new(o, "staff", json_integer(sv->staff_id));
  json_array_append_new(c->items, o);
  return 0;
}

void wg__api_org_service(wg_http_req *r) {
  static const char *const allowed[] = {"member", "staff", "grid", "from", "to", NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_service_filter f = {.county = county_of(r)};
  long member, staff;
  if (!wg__param_long(r, "member", 0, 0, 9007199254740991L, &member) ||
      !wg__param_long(r, "staff", 0, 0, 9007199254740991L, &staff) ||
      !wg__param_code(r, "grid", 14, 18, &f.grid_prefix) || !wg__param_date(r, "from", &f.from) ||
      !wg__param_date(r, "to", &f.to))
    return;
  f.member_id = member, f.staff_id = staff;
  wg_store_t *s = store(r);
  if (!s) return;
  service_ctx c = {r, json_array(), 0};
  wg_err e = wg_store_service_each(s, &f, service_item, &c);
  if (e) {
    json_decref(c.items);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200, json_pack("{s:o, s:I, s:f}", "items", c.items, "total",
                                  (json_int_t)json_array_size(c.items), "hours", c.hours));
}

void wg__api_org_service_add(wg_http_req *r) {
  wg_store_t *s = store(r);
  json_t *b = s ? body_object(r) : NULL;
  if (!b) return;
  wg_service_row sv = {0};
  snprintf(sv.county, sizeof sv.county, "%s", county_of(r));
  sv.member_id = bint(b, "member");
  sv.staff_id = bint(b, "staff");
  sv.household_id = bint(b, "household");
  bstr_copy(b, "kind", sv.kind, sizeof sv.kind);
  bstr_copy(b, "grid", sv.grid, sizeof sv.grid);
  bstr_copy(b, "note", sv.note, sizeof sv.note);
  json_t *h = json_object_get(b, "hours");
  sv.hours = json_is_number(h) ? json_number_value(h) : 0;
  if (!bdate(r, b, "date", &sv.date)) {
    json_decref(b);
    return;
  }
  json_decref(b);
  int allowed = 0;
  if (sv.household_id) {
    int64_t entrance = 0;
    char community[13] = "";
    allowed = wg_store_household_entrance(s, sv.household_id, &entrance, community) == WG_OK &&
              wg__http_org_fieldwork_entrance(r, entrance, community);
  } else {
    allowed = sv.grid[0] && wg__http_org_fieldwork(r, sv.grid);
  }
  if (!allowed) {
    wg__http_error(r, 403, "forbidden", "grid", "service is logged in a grid of your scope");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  wg_err e = wg_org_service_add(s, actor_of(r, &a), &sv, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)sv.id, "grid", sv.grid));
}

/* ---- rosters ------------------------------------------------------------------------------------- */

static json_t *shift_json(const wg_shift_row *sh) {
  static const char *const st[] = {"", "planned", "done", "missed"};
  return json_pack("{s:I, s:s, s:I, s:o, s:s, s:s, s:s}", "id", (json_int_t)sh->id, "place",
                   sh->place, "staff", (json_int_t)sh->staff_id, "date", jdate(sh->date), "shift",
                   sh->shift, "status", st[sh->status >= 1 && sh->status <= 3 ? sh->status : 1],
                   "handover", sh->handover);
}

static int shift_item(void *ctx, const wg_shift_row *sh) {
  list_ctx *c = ctx;
  if (!wg__http_can_see(c->r, sh->place) && !(c->staff_id && sh->staff_id == c->staff_id)) return 0;
  if (json_array_size(c->items) >= 1000) return 0;
  json_t *o = shift_json(sh);
  /* a shift of a past day still planned: nobody closed it (missed?) */
  json_object_set_new(o, "unclosed", json_boolean(sh->status == WG_SHIFT_PLANNED && sh->date < c->date));
  json_array_append_new(c->items, o);
  return 0;
}

void wg__api_org_rosters(wg_http_req *r) {
  static const char *const allowed[] = {"place", "from", "to", "today", NULL};
  if (!wg__param_only(r, allowed)) return;
  const char *place;
  int32_t from, to, today;
  if (!wg__param_code(r, "place", 12, 18, &place) || !wg__param_date(r, "from", &from) ||
      !wg__param_date(r, "to", &to) || !wg__param_date(r, "today", &today))
    return;
  list_ctx c = {.r = r, .items = json_array(), .date = today ? today : wg_date_today_cst()};
  if (!(c.s = store(r))) {
    json_decref(c.items);
    return;
  }
  c.staff_id = my_staff(r, c.s);
  wg_err e = wg_store_shift_each(c.s, county_of(r), place, from, to, shift_item, &c);
  listing(r, c.items, e);
}

void wg__api_org_roster_add(wg_http_req *r) {
  wg_store_t *s = store(r);
  json_t *b = s ? body_object(r) : NULL;
  if (!b) return;
  wg_shift_row sh = {0};
  snprintf(sh.county, sizeof sh.county, "%s", county_of(r));
  bstr_copy(b, "place", sh.place, sizeof sh.place);
  bstr_copy(b, "shift", sh.shift, sizeof sh.shift);
  sh.staff_id = bint(b, "staff");
  int ok = bdate(r, b, "date", &sh.date);
  json_decref(b);
  if (!ok) return;
  if (!wg__http_org_manager(r, sh.place)) {
    wg__http_error(r, 403, "forbidden", "place", "rosters are planned by the office of the place");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  wg_err e = wg_org_shift_add(s, actor_of(r, &a), &sh, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 201, shift_json(&sh));
}

void wg__api_org_roster_close(wg_http_req *r) {
  int64_t id;
  wg_store_t *s = store(r);
  if (!s || !id_param(r, 0, "id", &id)) return;
  json_t *b = body_object(r);
  if (!b) return;
  const char *status = bstr(b, "status");
  int st = status && !strcmp(status, "done") ? WG_SHIFT_DONE
           : status && !strcmp(status, "missed") ? WG_SHIFT_MISSED
                                                  : 0;
  wg_shift_row sh;
  wg_err e = wg_store_shift_get(s, id, &sh);
  /* The one on duty closes their own shift; the office any of its place. */
  if (!e && !wg__http_org_manager(r, sh.place) && !(my_staff(r, s) == sh.staff_id)) {
    json_decref(b);
    wg__http_error(r, 403, "forbidden", "id", "not your shift");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  if (!e) e = wg_org_shift_close(s, actor_of(r, &a), id, st, bstr(b, "handover"), &ei);
  json_decref(b);
  if (!e) e = wg_store_shift_get(s, id, &sh);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 200, shift_json(&sh));
}

/* ---- visits ------------------------------------------------------------------------------------- */

static json_t *visit_json(const wg_visit_row *v) {
  return json_pack("{s:I, s:I, s:I, s:o, s:s, s:s, s:s, s:o}", "id", (json_int_t)v->id, "staff",
                   (json_int_t)v->staff_id, "household", (json_int_t)v->household_id, "date",
                   jdate(v->date), "grid", v->grid, "findings", v->findings, "ledger_changes",
                   v->ledger_changes, "matter", v->matter[0] ? jstr(v->matter) : json_null());
}

static int visit_item(void *ctx, const wg_visit_row *v) {
  list_ctx *c = ctx;
  if (!wg__http_can_see(c->r, v->grid) && !(c->staff_id && v->staff_id == c->staff_id)) return 0;
  if (json_array_size(c->items) < 1000) json_array_append_new(c->items, visit_json(v));
  return 0;
}

/* GET /api/v1/org/visits: ?mine=1 (the signed-in worker's), ?date= (a day,
 * default every day), ?household=. */
void wg__api_org_visits(wg_http_req *r) {
  static const char *const allowed[] = {"mine", "date", "household", NULL};
  if (!wg__param_only(r, allowed)) return;
  long mine, household;
  int32_t date;
  if (!wg__param_long(r, "mine", 0, 0, 1, &mine) || !wg__param_date(r, "date", &date) ||
      !wg__param_long(r, "household", 0, 0, 9007199254740991L, &household))
    return;
  list_ctx c = {.r = r, .items = json_array()};
  if (!(c.s = store(r))) {
    json_decref(c.items);
    return;
  }
  int64_t staff = mine ? my_staff(r, c.s) : 0;
  if (mine && !staff) {
    json_decref(c.items);
    wg__http_error(r, 404, "not_found", "mine", "your login is not linked to a staff member");
    return;
  }
  c.staff_id = staff;
  wg_err e = wg_store_visit_each(c.s, county_of(r), staff, household, date, date, visit_item, &c);
  listing(r, c.items, e);
}

void wg__api_org_visit_add(wg_http_req *r) {
  wg_store_t *s = store(r);
  json_t *b = s ? body_object(r) : NULL;
  if (!b) return;
  wg_visit_row v = {0};
  snprintf(v.county, sizeof v.county, "%s", county_of(r));
  v.household_id = bint(b, "household");
  v.staff_id = bint(b, "staff");
  bstr_copy(b, "findings", v.findings, sizeof v.findings);
  snprintf(v.ledger_changes, sizeof v.ledger_changes, "%s",
           bstr(b, "ledger_changes") ? bstr(b, "ledger_changes") : "");
  json_t *matter = json_object_get(b, "matter");
  if (json_is_integer(matter))
    snprintf(v.matter, sizeof v.matter, "%lld", (long long)json_integer_value(matter));
  else if (json_is_string(matter))
    snprintf(v.matter, sizeof v.matter, "%s", json_string_value(matter));
  int ok = bdate(r, b, "date", &v.date);
  json_decref(b);
  if (!ok) return;
  if (!v.staff_id) v.staff_id = my_staff(r, s);
  if (!v.staff_id) {
    wg__http_error(r, 400, "missing_parameter", "staff",
                   "give staff, or sign in with a login linked to a staff member");
    return;
  }
  int64_t entrance = 0;
  char community[13] = "";
  wg_err e = wg_store_household_entrance(s, v.household_id, &entrance, community);
  if (e == WG_ENOTFOUND) {
    wg__http_error(r, 404, "not_found", "household", "no such household");
    return;
  }
  /* The scope rule: a grid worker records visits only in their grids. */
  if (e || !wg__http_org_fieldwork_entrance(r, entrance, community)) {
    wg__http_error(r, 403, "forbidden", "household", "the household is outside your grids");
    return;
  }
  if (r->who.role == WG_ROLE_GRID_WORKER && v.staff_id != my_staff(r, s)) {
    wg__http_error(r, 403, "forbidden", "staff", "a grid worker records their own visits");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  e = wg_org_visit_add(s, actor_of(r, &a), &v, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 201, visit_json(&v));
}

/* Loads settings and the view; 0 after an error. */
static int load_view(wg_http_req *r, wg_store_t *s, wg_org_settings *o, wg_org_view *v) {
  wg_errinfo ei = {0};
  wg_err e = wg_org_settings_load(s, o, &ei);
  if (!e) e = wg_org_view_load(s, county_of(r), v, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return 0;
  }
  return 1;
}

/* GET /api/v1/org/visits/due: the signed-in worker's (or ?staff=) due and
 * overdue visits, most overdue first; ?today= (the clock), ?ahead=days. */
void wg__api_org_visits_due(wg_http_req *r) {
  static const char *const allowed[] = {"staff", "today", "ahead", NULL};
  if (!wg__param_only(r, allowed)) return;
  long staff, ahead;
  int32_t today;
  if (!wg__param_long(r, "staff", 0, 0, 9007199254740991L, &staff) ||
      !wg__param_date(r, "today", &today) || !wg__param_long(r, "ahead", 0, 0, 366, &ahead))
    return;
  if (!today) today = wg_date_today_cst();
  wg_store_t *s = store(r);
  if (!s) return;
  if (!staff) staff = my_staff(r, s);
  if (!staff) {
    wg__http_error(r, 404, "not_found", "staff", "your login is not linked to a staff member");
    return;
  }
  wg_staff_row st;
  if (wg_store_staff_get(s, staff, &st) != WG_OK) {
    wg__http_error(r, 404, "not_found", "staff", "no such staff member");
    return;
  }
  if (staff != my_staff(r, s) && !wg__http_can_see(r, st.community)) {
    wg__http_error(r, 403, "forbidden", "staff", "outside your scope");
    return;
  }
  /* Only the worker's grids are read: a phone waits for its list. */
  wg_org_settings o;
  wg_org_view v;
  grids_of gs = {staff, json_array(), 0, r};
  wg_errinfo ei = {0};
  wg_err le = wg_store_staff_grid_each(s, county_of(r), staff, staff_grid_of, &gs);
  const char *codes[WG_AUTH_MAX_SCOPES];
  int ncodes = 0;
  for (size_t i = 0; i < json_array_size(gs.codes) && ncodes < WG_AUTH_MAX_SCOPES; i++)
    codes[ncodes++] = json_string_value(json_array_get(gs.codes, i));
  if (!le) le = wg_org_settings_load(s, &o, &ei);
  if (!le) le = wg_org_view_load_grids(s, county_of(r), codes, ncodes, &v, &ei);
  json_decref(gs.codes);
  if (le) {
    fail_ei(r, le, &ei);
    return;
  }
  wg_org_due *due = NULL;
  long n = 0;
  wg_err e = wg_org_visits_due(&v, &o, staff, today, (int)ahead, &due, &n);
  if (e) {
    wg_org_view_free(&v);
    wg__http_fail(r, e, "staff", e == WG_ENOTFOUND ? "no active staff member" : NULL);
    return;
  }
  json_t *items = json_array();
  long overdue = 0;
  for (long i = 0; i < n; i++) {
    overdue += due[i].days_overdue > 0;
    if (i < 1000)
      json_array_append_new(
          items, json_pack("{s:I, s:s, s:i, s:o, s:i, s:b}", "household",
                           (json_int_t)due[i].household_id, "grid",
                           due[i].grid >= 0 ? v.grids[due[i].grid].code : "", "interval",
                           due[i].interval, "last_visit", jdate(due[i].last_visit),
                           "days_overdue", due[i].days_overdue, "overdue", due[i].days_overdue > 0));
  }
  free(due);
  wg_org_view_free(&v);
  wg__http_json(r, 200, json_pack("{s:I, s:o, s:o, s:I, s:I}", "staff", (json_int_t)staff, "today",
                                  jdate(today), "items", items, "total", (json_int_t)n, "overdue",
                                  (json_int_t)overdue));
}

/* GET /api/v1/org/coverage?level=&today=: contact and visit coverage per
 * grid the principal sees. */
void wg__api_org_coverage(wg_http_req *r) {
  static const char *const allowed[] = {"level", "today", NULL};
  if (!wg__param_only(r, allowed)) return;
  long level;
  int32_t today;
  if (!wg__param_long(r, "level", 2, 1, 3, &level) || !wg__param_date(r, "today", &today)) return;
  if (!today) today = wg_date_today_cst();
  wg_store_t *s = store(r);
  wg_org_settings o;
  wg_org_view v;
  if (!s || !load_view(r, s, &o, &v)) return;
  size_t n = (size_t)v.ngrids + 1;
  wg_org_coverage c = {calloc(n, sizeof(long)), calloc(n, sizeof(long)), calloc(n, sizeof(long)),
                       calloc(n, sizeof(long)), {0}, {0}, {0}, {0}};
  if (!c.households || !c.contacted || !c.to_visit || !c.visited) {
    free(c.households), free(c.contacted), free(c.to_visit), free(c.visited);
    wg_org_view_free(&v);
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  wg_org_coverage_compute(&v, &o, today, &c);
  json_t *items = json_array();
  long th = 0, tc = 0, tv = 0, tvd = 0;
  for (int g = 0; g < v.ngrids; g++) {
    if (v.grids[g].level != level || !wg__http_can_see(r, v.grids[g].code)) continue;
    th += c.households[g], tc += c.contacted[g], tv += c.to_visit[g], tvd += c.visited[g];
    json_array_append_new(items, json_pack("{s:s, s:I, s:I, s:I, s:I}", "code", v.grids[g].code,
                                           "households", (json_int_t)c.households[g], "contacted",
                                           (json_int_t)c.contacted[g], "to_visit",
                                           (json_int_t)c.to_visit[g], "visited",
                                           (json_int_t)c.visited[g]));
  }
  free(c.households), free(c.contacted), free(c.to_visit), free(c.visited);
  wg_org_view_free(&v);
  wg__http_json(r, 200, json_pack("{s:i, s:o, s:o, s:{s:I, s:I, s:I, s:I}}", "level", (int)level,
                                  "today", jdate(today), "items", items, "totals", "households",
                                  (json_int_t)th, "contacted", (json_int_t)tc, "to_visit",
                                  (json_int_t)tv, "visited", (json_int_t)tvd));
}

/* GET /api/v1/org/check: the findings of `wangge org check` in scope. */
void wg__api_org_check(wg_http_req *r) {
  static const char *const allowed[] = {"kind", NULL};
  if (!wg__param_only(r, allowed)) return;
  const char *kind = wg__query_get(&r->query, "kind");
  wg_store_t *s = store(r);
  wg_org_settings o;
  wg_org_view v;
  if (!s || !load_view(r, s, &o, &v)) return;
  wg_org_report rep;
  wg_err e = wg_org_check(&v, &o, &rep);
  int64_t plan = v.plan_id;
  wg_org_view_free(&v);
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  json_t *items = json_array(), *counts = json_object();
  for (int k = 1; k < WG_OF_KIND_COUNT_; k++)
    json_object_set_new(counts, wg_org_finding_name(k), json_integer(0));
  long total = 0;
  for (long i = 0; i < rep.n; i++) {
    const wg_org_finding *f = &rep.items[i];
    if (!wg__http_can_see(r, f->code)) continue;
    const char *name = wg_org_finding_name(f->kind);
    json_object_set_new(counts, name,
                        json_integer(json_integer_value(json_object_get(counts, name)) + 1));
    total++;
    if (kind && strcmp(kind, name)) continue;
    if (json_array_size(items) < 1000)
      json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:s, s:s}", "kind", name, "code",
                                             f->code, "id", (json_int_t)f->id, "what", f->what,
                                             "proposal", f->proposal));
  }
  wg_org_report_free(&rep);
  wg__http_json(r, 200, json_pack("{s:I, s:I, s:o, s:o}", "plan", (json_int_t)plan, "problems",
                                  (json_int_t)total, "counts", counts, "items", items));
}

/* ---- incidents --------------------------------------------------------------------------------- */

static json_t *incident_json(wg_store_t *s, const wg_incident_row *inc) {
  wg_headcount h = {0};
  if (wg_mobilise_count(s, inc->id, &h) != WG_OK) memset(&h, 0, sizeof h);
  return json_pack("{s:I, s:s, s:s, s:f, s:f, s:i, s:o, s:s, s:s, s:s, s:o, s:f, s:s, s:{s:i, "
                   "s:I, s:I, s:I, s:I, s:I, s:b}}",
                   "id", (json_int_t)inc->id, "title", inc->title, "grid", inc->grid, "lon",
                   inc->lon, "lat", inc->lat, "need", inc->need, "skills", skills_json(inc->skills),
                   "due", inc->due, "status", inc->status == WG_INCIDENT_OPEN ? "open" : "closed",
                   "created_at", inc->created_at, "closed_at",
                   inc->closed_at[0] ? jstr(inc->closed_at) : json_null(), "hours", inc->hours,
                   "summary", inc->summary, "headcount", "need", h.need, "called",
                   (json_int_t)h.called, "acknowledged", (json_int_t)h.acknowledged, "declined",
                   (json_int_t)h.declined, "arrived", (json_int_t)h.arrived, "short_by",
                   (json_int_t)h.short_by, "met", h.met);
}

typedef struct inc_ctx {
  wg_http_req *r;
  wg_store_t *s;
  json_t *items;
} inc_ctx;

static int incident_item(void *ctx, const wg_incident_row *inc) {
  inc_ctx *c = ctx;
  if (wg__http_can_see(c->r, inc->grid)) json_array_append_new(c->items, incident_json(c->s, inc));
  return 0;
}

void wg__api_incidents(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  inc_ctx c = {r, store(r), json_array()};
  if (!c.s) {
    json_decref(c.items);
    return;
  }
  wg_err e = wg_store_incident_each(c.s, county_of(r), incident_item, &c);
  listing(r, c.items, e);
}

void wg__api_incident_open(wg_http_req *r) {
  wg_store_t *s = store(r);
  json_t *b = s ? body_object(r) : NULL;
  if (!b) return;
  wg_incident_row inc = {0};
  snprintf(inc.county, sizeof inc.county, "%s", county_of(r));
  bstr_copy(b, "title", inc.title, sizeof inc.title);
  bstr_copy(b, "grid", inc.grid, sizeof inc.grid);
  bstr_copy(b, "due", inc.due, sizeof inc.due);
  json_t *sk = json_object_get(b, "skills");
  size_t used = 0;
  for (size_t i = 0; i < json_array_size(sk); i++) {
    const char *v = json_string_value(json_array_get(sk, i));
    if (v && used + strlen(v) + 2 < sizeof inc.skills)
      used += (size_t)snprintf(inc.skills + used, sizeof inc.skills - used, "%s%s", used ? "," : "", v);
  }
  json_t *lon = json_object_get(b, "lon"), *lat = json_object_get(b, "lat");
  inc.lon = json_is_number(lon) ? json_number_value(lon) : 0;
  inc.lat = json_is_number(lat) ? json_number_value(lat) : 0;
  inc.need = (int)bint(b, "need");
  long call = (long)bint(b, "call");
  json_decref(b);
  if (!inc.grid[0] && (inc.lon || inc.lat)) {
    wg_located loc;
    if (wg_plan_locate(s, inc.county, inc.lon, inc.lat, &loc) == WG_OK)
      for (int l = 2; l >= 0 && !inc.grid[0]; l--)
        if (loc.code[l][0]) snprintf(inc.grid, sizeof inc.grid, "%s", loc.code[l]);
  }
  if (!inc.grid[0] || !wg__http_org_manager(r, inc.grid)) {
    wg__http_error(r, 403, "forbidden", "grid", "a call is opened by the office of the place");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  long called = 0;
  wg_err e = wg_mobilise_open(s, actor_of(r, &a), &inc, call, &called, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  json_t *o = incident_json(s, &inc);
  json_object_set_new(o, "called", json_integer(called));
  wg__http_json(r, 201, o);
}

typedef struct resp_ctx {
  wg_http_req *r;
  wg_store_t *s;
  json_t *items;
} resp_ctx;

static int responder_item(void *ctx, const wg_responder_row *rr) {
  resp_ctx *c = ctx;
  static const char *const st[] = {"", "called", "acknowledged", "declined", "arrived"};
  char name[64] = "", phone[12] = "";
  if (rr->person_kind == WG_PERSON_STAFF) {
    wg_staff_row x;
    if (wg_store_staff_get(c->s, rr->person_id, &x) == WG_OK)
      snprintf(name, sizeof name, "%s", x.name), snprintf(phone, sizeof phone, "%s", x.phone);
  } else {
    wg_member_row x;
    if (wg_store_member_get(c->s, rr->person_id, &x) == WG_OK)
      snprintf(name, sizeof name, "%s", x.name), snprintf(phone, sizeof phone, "%s", x.phone);
  }
  json_t *o = json_pack("{s:s, s:I, s:s, s:f, s:s}", "kind",
                        rr->person_kind == WG_PERSON_STAFF ? "staff" : "member", "id",
                        (json_int_t)rr->person_id, "status",
                        st[rr->status >= 1 && rr->status <= 4 ? rr->status : 1], "distance_m",
                        (double)(long long)rr->distance, "updated_at", rr->updated_at);
  json_array_append_new(c->items, person_as(c->r, rr->person_kind != WG_PERSON_STAFF, name, phone,
                                             "name", "phone", o));
  return 0;
}

typedef struct called_ctx {
  int kind;
  int64_t id;
  int found;
} called_ctx;

static int called_row(void *ctx, const wg_responder_row *rr) {
  called_ctx *c = ctx;
  if (rr->person_kind == c->kind && rr->person_id == c->id) c->found = 1;
  return c->found;
}

/* 1 when the signed-in person (staff or member) was called to incident. */
static int called_to(wg_http_req *r, wg_store_t *s, int64_t incident) {
  called_ctx c = {WG_PERSON_STAFF, my_staff(r, s), 0};
  if (c.id && wg_store_responder_each(s, r->srv->county, incident, called_row, &c) == WG_OK &&
      c.found)
    return 1;
  c.kind = WG_PERSON_MEMBER;
  c.id = my_member(r, s);
  c.found = 0;
  return c.id && wg_store_responder_each(s, r->srv->county, incident, called_row, &c) == WG_OK &&
         c.found;
}

static int incident_param(wg_http_req *r, wg_store_t *s, wg_incident_row *inc) {
  int64_t id;
  if (!id_param(r, 0, "id", &id)) return 0;
  wg_err e = wg_store_incident_get(s, id, inc);
  if (e == WG_ENOTFOUND) {
    wg__http_error(r, 404, "not_found", "id", "no such incident");
    return 0;
  }
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return 0;
  }
  if (!wg__http_can_see(r, inc->grid) && !called_to(r, s, inc->id)) {
    wg__http_error(r, 403, "forbidden", "id", "the incident is outside your scope");
    return 0;
  }
  return 1;
}

void wg__api_incident(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_store_t *s = store(r);
  wg_incident_row inc;
  if (!s || !incident_param(r, s, &inc)) return;
  resp_ctx c = {r, s, json_array()};
  wg_err e = wg_store_responder_each(s, county_of(r), inc.id, responder_item, &c);
  if (e) {
    json_decref(c.items);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  json_t *o = incident_json(s, &inc);
  json_object_set_new(o, "responders", c.items);
  wg__http_json(r, 200, o);
}

void wg__api_incident_respond(wg_http_req *r) {
  wg_store_t *s = store(r);
  wg_incident_row inc;
  if (!s || !incident_param(r, s, &inc)) return;
  json_t *b = body_object(r);
  if (!b) return;
  const char *kind = bstr(b, "kind"), *status = bstr(b, "status");
  int pk = kind && !strcmp(kind, "staff") ? WG_PERSON_STAFF : WG_PERSON_MEMBER;
  int64_t pid = bint(b, "id");
  int st = !status                          ? 0
           : !strcmp(status, "acknowledged") ? WG_RESP_ACKNOWLEDGED
           : !strcmp(status, "declined")     ? WG_RESP_DECLINED
           : !strcmp(status, "arrived")      ? WG_RESP_ARRIVED
                                             : 0;
  json_decref(b);
  /* The office records answers; a responder signed in answers for themself. */
  if (!wg__http_org_manager(r, inc.grid) &&
      !(pk == WG_PERSON_STAFF && pid && pid == my_staff(r, s)) &&
      !(pk == WG_PERSON_MEMBER && pid && pid == my_member(r, s))) {
    wg__http_error(r, 403, "forbidden", "id", "you answer for yourself only");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  wg_err e = wg_mobilise_respond(s, actor_of(r, &a), inc.id, pk, pid, st, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 200, incident_json(s, &inc));
}

void wg__api_incident_close(wg_http_req *r) {
  wg_store_t *s = store(r);
  wg_incident_row inc;
  if (!s || !incident_param(r, s, &inc)) return;
  json_t *b = body_object(r);
  if (!b) return;
  json_t *h = json_object_get(b, "hours");
  double hours = json_is_number(h) ? json_number_value(h) : 0;
  char summary[512];
  bstr_copy(b, "summary", summary, sizeof summary);
  json_decref(b);
  if (!wg__http_org_manager(r, inc.grid)) {
    wg__http_error(r, 403, "forbidden", "id", "the office of the place closes the call");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  wg_err e = wg_mobilise_close(s, actor_of(r, &a), inc.id, hours, summary, &ei);
  if (!e) e = wg_store_incident_get(s, inc.id, &inc);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 200, incident_json(s, &inc));
}

static int notice_item(void *ctx, int64_t id, int64_t incident, const char *text,
                       const char *at) {
  json_t *items = ctx;
  if (json_array_size(items) < 200)
    json_array_append_new(items, json_pack("{s:I, s:o, s:s, s:s}", "id", (json_int_t)id,
                                           "incident", incident ? json_integer(incident) : json_null(),
                                           "text", text ? text : "", "created_at", at ? at : ""));
  return 0;
}

/* GET /api/v1/notices: the signed-in person's in-app notices. */
void wg__api_notices(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_store_t *s = store(r);
  if (!s) return;
  json_t *items = json_array();
  int64_t staff = my_staff(r, s), member = my_member(r, s);
  wg_err e = staff ? wg_store_notice_each(s, WG_PERSON_STAFF, staff, notice_item, items) : WG_OK;
  if (!e && member) e = wg_store_notice_each(s, WG_PERSON_MEMBER, member, notice_item, items);
  listing(r, items, e);
}

/* POST /api/v1/org/contacts: {household, kind: staff|member, id, on}: a
 * person takes a household (包片联户) or gives it up; field work in scope. */
void wg__api_org_contact(wg_http_req *r) {
  wg_store_t *s = store(r);
  json_t *b = s ? body_object(r) : NULL;
  if (!b) return;
  int64_t household = bint(b, "household"), person = bint(b, "id");
  const char *kind = bstr(b, "kind");
  int pk = kind && !strcmp(kind, "staff") ? WG_PERSON_STAFF
           : kind && !strcmp(kind, "member") ? WG_PERSON_MEMBER
                                             : 0;
  int on = !json_is_false(json_object_get(b, "on"));
  int32_t since;
  int ok = bdate(r, b, "date", &since);
  json_decref(b);
  if (!ok) return;
  if (!pk) {
    wg__http_error(r, 400, "invalid_parameter", "kind", "staff or member");
    return;
  }
  int64_t entrance = 0;
  char community[13] = "";
  wg_err e = wg_store_household_entrance(s, household, &entrance, community);
  if (e == WG_ENOTFOUND) {
    wg__http_error(r, 404, "not_found", "household", "no such household");
    return;
  }
  if (e || !wg__http_org_fieldwork_entrance(r, entrance, community)) {
    wg__http_error(r, 403, "forbidden", "household", "the household is outside your grids");
    return;
  }
  wg_org_actor a;
  wg_errinfo ei = {0};
  e = wg_org_contact(s, actor_of(r, &a), household, pk, person, since, on, &ei);
  if (e) {
    fail_ei(r, e, &ei);
    return;
  }
  wg__http_json(r, 200, json_pack("{s:I, s:s, s:I, s:b}", "household", (json_int_t)household,
                                  "kind", pk == WG_PERSON_STAFF ? "staff" : "member", "id",
                                  (json_int_t)person, "on", on));
}
