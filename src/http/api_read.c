/* api_read.c — the read side of the JSON API under /api/v1.
 *
 * Each handler checks its parameters (unknown ones are refused), finds the
 * plan (?plan= or the active one), asks http_scope.c what the principal may
 * see, and answers from the store or the caches. Residents become text only
 * through present.h (masked). Listings answer
 * {"items": [...], "total": N, "limit": L, "offset": O, "next": cursor|null}
 * ordered by id (or code), so pages are stable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"
#include "ledger/present.h"
#include "territory/plan.h"
#include "ledger/validate.h"
#include "territory/coord.h"
#include "territory/geometry.h"

/* ---- helpers --------------------------------------------------------------------- */

static json_t *jstr(const char *s) {
  json_t *j = json_string(s ? s : "");
  return j ? j : json_string("");
}

static json_t *jcode_or_null(const char *s) {
  return s && *s ? jstr(s) : json_null();
}

/* The page envelope. next is the last id/code when the page is full. */
static json_t *envelope(json_t *items, long total, const wg_store_page *pg, json_t *next) {
  return json_pack("{s:o, s:I, s:i, s:I, s:o}", "items", items, "total", (json_int_t)total, "limit",
                   pg->limit, "offset", (json_int_t)pg->offset, "next", next ? next : json_null());
}

/* ?plan=ID or the active plan; 0 after setting an error. */
static int plan_param(wg_http_req *r, int64_t active, int64_t *plan_id) {
  long v;
  if (!wg__param_long(r, "plan", 0, 1, 2147483647L, &v)) return 0;
  if (v) {
    *plan_id = v;
    return 1;
  }
  if (!active) {
    wg__http_error(r, 404, "not_found", "plan",
                   "the county has no active plan yet (wangge divide, then plan activate)");
    return 0;
  }
  *plan_id = active;
  return 1;
}

static int versions(wg_http_req *r, int64_t *active, int64_t *ledger) {
  wg_err e = wg__http_versions(r, active, ledger);
  if (e) {
    if (!r->status) wg__http_fail(r, e, NULL, NULL);
    return 0;
  }
  return 1;
}

static int get_plan(wg_http_req *r, int64_t plan_id, wg_http_plan **p) {
  wg_err e = wg__http_plan_get(r, plan_id, p);
  if (e == WG_ENOTFOUND) {
    wg__http_error(r, 404, "not_found", "plan", "no plan %lld in this county", (long long)plan_id);
    return 0;
  }
  if (e) {
    if (!r->status) wg__http_fail(r, e, NULL, NULL);
    return 0;
  }
  return 1;
}

/* A grid code of 14, 16 or 18 digits, or a community code of 12: for ?grid=. */
static int grid_param(wg_http_req *r, const char **grid) {
  return wg__param_code(r, "grid", 14, 18, grid);
}

/* ---- divisions --------------------------------------------------------------------- */

typedef struct div_ctx {
  wg_http_req *r;
  const char *parent;
  long after;
  wg_store_page pg;
  long seen, total;
  json_t *items;
  char last[13];
  int failed;
} div_ctx;

static int div_row(void *ctx, const wg_division_t *d) {
  div_ctx *c = ctx;
  if (c->parent && strcmp(d->parent, c->parent) != 0) return 0;
  if (!wg__http_can_see(c->r, d->code)) return 0;
  if (c->after && strtoll(d->code, NULL, 10) <= c->after) return 0;
  c->total++;
  if (c->seen++ < c->pg.offset || (long)json_array_size(c->items) >= c->pg.limit) return 0;
  json_t *o = json_pack("{s:s, s:o, s:s, s:i, s:s, s:f, s:f}", "code", d->code, "parent",
                        jcode_or_null(d->parent), "name", d->name, "level", (int)d->level, "kind",
                        d->kind == WG_AREA_URBAN   ? "urban"
                        : d->kind == WG_AREA_RURAL ? "rural"
                                                   : "unknown",
                        "lon", wg__coord(d->lon), "lat", wg__coord(d->lat));
  if (!o || json_array_append_new(c->items, o)) {
    c->failed = 1;
    return 1;
  }
  memcpy(c->last, d->code, 13);
  return 0;
}

void wg__api_divisions(wg_http_req *r) {
  static const char *const allowed[] = {"parent", "level", "limit", "offset", "after", NULL};
  if (!wg__param_only(r, allowed)) return;
  div_ctx c = {.r = r};
  long level;
  if (!wg__param_code(r, "parent", 12, 12, &c.parent)) return;
  if (!wg__param_long(r, "level", 0, 1, 5, &level)) return;
  if (!wg__param_page(r, &c.pg, 1000)) return;
  c.after = (long)c.pg.after;
  c.items = json_array();
  /* Divisions of the county and its ancestors; a parent narrows the walk. */
  char prefix[13];
  snprintf(prefix, sizeof prefix, "%s", c.parent ? c.parent : "");
  wg_http_worker *w = wg__http_worker(r);
  if (!w) {
    json_decref(c.items);
    return;
  }
  size_t keep = strlen(prefix);
  while (keep > 2 && prefix[keep - 1] == '0') keep--;
  prefix[keep < 2 && c.parent ? 2 : keep] = '\0';
  if (!c.parent) prefix[0] = '\0';
  wg_err e = wg_store_division_each(w->store, prefix, (int)level, div_row, &c);
  if (e || c.failed) {
    json_decref(c.items);
    wg__http_fail(r, e ? e : WG_ENOMEM, NULL, NULL);
    return;
  }
  json_t *next = (long)json_array_size(c.items) == c.pg.limit && c.total > c.pg.offset + c.pg.limit
                     ? json_integer(strtoll(c.last, NULL, 10))
                     : NULL;
  wg__http_json(r, 200, envelope(c.items, c.total, &c.pg, next));
}

/* ---- grids ---------------------------------------------------------------------------- */

static json_t *geometry_of(const wg_http_grid *g) {
  if (!g->geojson) return json_null();
  json_t *j = json_loads(g->geojson, 0, NULL);
  return j ? j : json_null();
}

void wg__api_grids(wg_http_req *r) {
  static const char *const allowed[] = {"level",  "plan",  "format", "limit",
                                        "offset", "after", NULL};
  if (!wg__param_only(r, allowed)) return;
  long level;
  if (!wg__param_long(r, "level", 0, 1, 3, &level)) return;
  const char *format = wg__query_get(&r->query, "format");
  int geojson = 0;
  if (format && strcmp(format, "geojson") == 0)
    geojson = 1;
  else if (format && strcmp(format, "json") != 0) {
    wg__http_error(r, 400, "invalid_parameter", "format", "format must be json or geojson");
    return;
  }
  /* after is a grid code here. */
  const char *after = wg__query_get(&r->query, "after");
  if (after && !wg__param_code(r, "after", 12, 18, &after)) return;
  wg_query saved = r->query;
  for (int i = 0; i < r->query.n; i++)
    if (strcmp(r->query.key[i], "after") == 0) r->query.key[i] = "";
  wg_store_page pg;
  long max = geojson ? 5000 : 1000;
  const char *lim = wg__query_get(&r->query, "limit");
  int ok = wg__param_page(r, &pg, max);
  r->query = saved;
  if (!ok) return;
  if (!lim && geojson) pg.limit = 5000; /* a map wants a whole level */
  if (after && pg.offset) {
    wg__http_error(r, 400, "invalid_parameter", "offset",
                   "give either offset or after (a cursor), not both");
    return;
  }
  int64_t active, ledger, plan_id;
  if (!versions(r, &active, &ledger) || !plan_param(r, active, &plan_id)) return;
  wg_http_plan *p;
  if (!get_plan(r, plan_id, &p)) return;
  json_t *items = json_array();
  long total = 0, seen = 0;
  const char *last = NULL;
  for (int i = 0; i < p->ngrids; i++) {
    const wg_http_grid *g = &p->grids[i];
    if (level && g->level != level) continue;
    if (after && strcmp(g->code, after) <= 0) continue;
    if (!wg__http_can_see(r, g->code)) continue;
    total++;
    if (seen++ < pg.offset || (long)json_array_size(items) >= pg.limit) continue;
    json_t *props = json_pack(
        "{s:s, s:i, s:s, s:s, s:I, s:i, s:f, s:f, s:[ffff]}", "code", g->code, "level", g->level,
        "parent", g->parent, "community", g->community, "households",
        (json_int_t)g->plan_households, "units", g->units, "area", (double)(long long)g->area,
        "polsby_popper", (double)(long long)(g->polsby_popper * 1e4) / 1e4, "bbox",
        wg__coord(g->minx), wg__coord(g->miny), wg__coord(g->maxx), wg__coord(g->maxy));
    if (props && g->violation[0]) {
      json_object_set_new(props, "violation", json_string(g->violation));
      json_object_set_new(props, "violation_forced", json_boolean(g->violation_forced));
    }
    json_t *o = geojson ? json_pack("{s:s, s:s, s:o, s:o}", "type", "Feature", "id", g->code,
                                    "properties", props, "geometry", geometry_of(g))
                        : props;
    if (o) json_array_append_new(items, o);
    last = g->code;
  }
  json_t *body;
  json_t *next = (long)json_array_size(items) == pg.limit && total > pg.offset + pg.limit && last
                     ? jstr(last)
                     : NULL;
  if (geojson)
    body = json_pack("{s:s, s:o, s:I, s:I, s:o}", "type", "FeatureCollection", "features", items,
                     "plan", (json_int_t)plan_id, "total", (json_int_t)total, "next",
                     next ? next : json_null());
  else
    body = json_pack("{s:o, s:I, s:i, s:I, s:o, s:I}", "items", items, "total", (json_int_t)total,
                     "limit", pg.limit, "offset", (json_int_t)pg.offset, "next",
                     next ? next : json_null(), "plan", (json_int_t)plan_id);
  wg__http_plan_release(r->srv, p);
  if (geojson) r->content_type = NULL;
  wg__http_json(r, 200, body);
  if (geojson && r->status == 200) r->content_type = "application/geo+json";
}

static json_t *tag_counts(const wg_http_stats *st, int g) {
  json_t *o = json_object();
  for (int t = 0; t < st->ntags; t++) {
    double v = st->tags[(size_t)g * (size_t)st->ntags + (size_t)t];
    if (v >= 0.5) json_object_set_new(o, st->tag_code[t], json_integer((json_int_t)(v + 0.5)));
  }
  return o;
}

void wg__api_grid(wg_http_req *r) {
  static const char *const allowed[] = {"plan", NULL};
  if (!wg__param_only(r, allowed)) return;
  const char *code = r->params[0];
  size_t n = strlen(code);
  int ok = n == 14 || n == 16 || n == 18;
  for (size_t i = 0; ok && i < n; i++) ok = code[i] >= '0' && code[i] <= '9';
  if (!ok) {
    wg__http_error(r, 400, "invalid_parameter", "code",
                   "a grid code is 14, 16 or 18 digits (community code + 2 per level)");
    return;
  }
  int64_t active, ledger, plan_id;
  if (!versions(r, &active, &ledger) || !plan_param(r, active, &plan_id)) return;
  wg_http_plan *p;
  if (!get_plan(r, plan_id, &p)) return;
  int gi = wg__http_plan_find(p, code);
  if (gi < 0) {
    wg__http_plan_release(r->srv, p);
    wg__http_error(r, 404, "not_found", "code", "no grid %s in plan %lld", code,
                   (long long)plan_id);
    return;
  }
  if (!wg__http_can_see(r, code)) {
    wg__http_plan_release(r->srv, p);
    wg__http_error(r, 403, "forbidden", "code", "grid %s is outside your scope", code);
    return;
  }
  wg_http_stats *st;
  wg_err e = wg__http_stats_get(r, p, ledger, &st);
  if (e) {
    wg__http_plan_release(r->srv, p);
    if (!r->status) wg__http_fail(r, e, NULL, NULL);
    return;
  }
  /* Who may see a grid may see its sub-grids (codes extend codes), so the
   * card is the same for everyone who gets it: render it once per ledger
   * version and audit version (who is responsible changes apart from the
   * ledger, and every such change writes an audit row). */
  size_t len = 0;
  int64_t audit = wg__http_audit_version(r);
  char *body = wg__http_card_copy(r->srv, st, gi, audit, &len);
  if (!body) {
    const wg_http_grid *g = &p->grids[gi];
    json_t *children = json_array();
    for (int k = 0; k < g->nchildren; k++)
      json_array_append_new(children, jstr(p->grids[g->children[k]].code));
    json_t *card = json_pack(
        "{s:s, s:i, s:I, s:s, s:s, s:I, s:I, s:I, s:o, s:i, s:f, s:f, s:[ffff], s:o, s:o}", "code",
        g->code, "level", g->level, "plan", (json_int_t)plan_id, "parent", g->parent, "community",
        g->community, "households", (json_int_t)(st->households[gi] + 0.5), "plan_households",
        (json_int_t)g->plan_households, "residents", (json_int_t)(st->residents[gi] + 0.5), "tags",
        tag_counts(st, gi), "units", g->units, "area", (double)(long long)g->area, "polsby_popper",
        (double)(long long)(g->polsby_popper * 1e4) / 1e4, "bbox", wg__coord(g->minx),
        wg__coord(g->miny), wg__coord(g->maxx), wg__coord(g->maxy), "children", children, "polygon",
        geometry_of(g));
    /* A level-3 grid made of pieces of split entrances: which floors. */
    json_t *pieces = NULL;
    for (int k = 0; card && g->level == 3 && k < p->npieces; k++) {
      const struct wg_http_piece *pc = &p->pieces[k];
      if (pc->grid != gi) continue;
      if (!pieces) pieces = json_array();
      json_t *o = json_pack("{s:I, s:I, s:i}", "entrance", (json_int_t)pc->entrance_id,
                            "households", (json_int_t)pc->households, "dwellings", pc->ndwellings);
      if (o && pc->ndwellings > 0)
        json_object_set_new(o, "floors", json_pack("[ii]", pc->floor_lo, pc->floor_hi));
      if (o) json_array_append_new(pieces, o);
    }
    if (pieces) json_object_set_new(card, "pieces", pieces);
    if (card && g->violation[0]) {
      json_object_set_new(card, "violation", json_string(g->violation));
      json_object_set_new(card, "violation_forced", json_boolean(g->violation_forced));
    }
    /* Workers, building heads, the Party organisation and members. */
    int whole = card && wg__api_grid_org(r, card, code, plan_id);
    wg__http_json(r, 200, card);
    if (whole && r->status == 200 && r->resp_body)
      wg__http_card_keep(r->srv, st, gi, audit, r->resp_body, r->resp_len);
  } else {
    wg__http_raw(r, 200, body, len, "application/json; charset=utf-8");
  }
  wg__http_stats_release(r->srv, st);
  wg__http_plan_release(r->srv, p);
}

/* ---- buildings, households, residents ------------------------------------------------ */

typedef struct list_ctx {
  wg_http_req *r;
  wg_http_plan *plan; /* active plan (scope codes), may be NULL */
  wg_store_scope scope;
  json_t *items;
  int64_t last;
  int failed;
} list_ctx;

/* Common parameters of the place listings. 0 after an error. */
static int place_params(wg_http_req *r, wg_place_filter *f, wg_store_page *pg, int64_t *active,
                        int64_t *ledger) {
  memset(f, 0, sizeof *f);
  f->county = r->srv->county;
  if (!wg__param_code(r, "community", 12, 12, &f->community)) return 0;
  if (!grid_param(r, &f->grid)) return 0;
  if (!wg__param_page(r, pg, 1000)) return 0;
  if (!versions(r, active, ledger)) return 0;
  long v;
  if (!wg__param_long(r, "plan", 0, 1, 2147483647L, &v)) return 0;
  f->plan_id = v ? v : *active;
  if (f->grid && !f->plan_id) {
    wg__http_error(r, 404, "not_found", "plan", "the county has no active plan to find grid in");
    return 0;
  }
  return 1;
}

static int list_begin(wg_http_req *r, list_ctx *c, int64_t active) {
  memset(c, 0, sizeof *c);
  c->r = r;
  if (active && !get_plan(r, active, &c->plan)) return 0;
  wg__http_store_scope(r, active, &c->scope);
  c->items = json_array();
  return 1;
}

static void list_end(wg_http_req *r, list_ctx *c, wg_err e, long total, const wg_store_page *pg) {
  if (c->plan) wg__http_plan_release(r->srv, c->plan);
  if (e || c->failed) {
    json_decref(c->items);
    wg__http_fail(r, e ? e : WG_ENOMEM, NULL, NULL);
    return;
  }
  json_t *next =
      (long)json_array_size(c->items) == pg->limit && c->last ? json_integer(c->last) : NULL;
  wg__http_json(r, 200, envelope(c->items, total, pg, next));
}

static int building_row(void *ctx, const wg_building_t *b, const char *estate, int entrances) {
  list_ctx *c = ctx;
  c->last = b->id;
  /* Grid-scoped principals are restricted by the scope in SQL (a building
   * is listed when one of its entrances lies in their grids). */
  if (!c->scope.all && c->scope.ngrids == 0 && !wg__http_can_see(c->r, b->community)) return 0;
  json_t *o =
      json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:f, s:f}", "id", (json_int_t)b->id, "community",
                b->community, "estate", estate, "name", b->name, "floors", b->floors, "entrances",
                entrances, "lon", wg__coord(b->lon), "lat", wg__coord(b->lat));
  if (!o || json_array_append_new(c->items, o)) c->failed = 1;
  return c->failed;
}

/* A listing of places (buildings, households): the same parameters, scope
 * and envelope; only the store call differs. */
typedef wg_err (*place_page_fn)(wg_http_req *r, const wg_place_filter *f, list_ctx *c,
                                const wg_store_page *pg, long *total);

static void place_listing(wg_http_req *r, place_page_fn page) {
  static const char *const allowed[] = {"community", "grid",  "plan", "limit",
                                        "offset",    "after", NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_place_filter f;
  wg_store_page pg;
  int64_t active, ledger;
  if (!place_params(r, &f, &pg, &active, &ledger)) return;
  list_ctx c;
  if (!list_begin(r, &c, active)) return;
  long total = 0;
  wg_err e = page(r, &f, &c, &pg, &total);
  list_end(r, &c, e, total, &pg);
}

static wg_err building_page(wg_http_req *r, const wg_place_filter *f, list_ctx *c,
                            const wg_store_page *pg, long *total) {
  return wg_store_building_page(r->worker->store, f, &c->scope, pg, building_row, c, total);
}

void wg__api_buildings(wg_http_req *r) { place_listing(r, building_page); }

static int household_row(void *ctx, const wg_household_item *h) {
  list_ctx *c = ctx;
  c->last = h->id;
  if (!wg__http_can_see_entrance(c->r, c->plan, h->entrance_id, h->dwelling_id, h->community))
    return 0;
  char address[400] = "";
  if (h->dwelling_id &&
      wg_store_dwelling_label(c->r->worker->store, h->dwelling_id, address, sizeof address))
    address[0] = '\0';
  json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:o}", "id", (json_int_t)h->id, "number", h->number,
                        "members", (json_int_t)h->members, "address", address, "community",
                        jcode_or_null(h->community));
  if (!o || json_array_append_new(c->items, o)) c->failed = 1;
  return c->failed;
}

static wg_err household_page(wg_http_req *r, const wg_place_filter *f, list_ctx *c,
                             const wg_store_page *pg, long *total) {
  return wg_store_household_page(r->worker->store, f, &c->scope, pg, household_row, c, total);
}

void wg__api_households(wg_http_req *r) { place_listing(r, household_page); }

/* A resident as JSON, masked by present.h (the only way a resident becomes
 * text). NULL on failure. */
static json_t *resident_json_as(wg_store_t *s, const wg_resident_t *res,
                                const wg_unmask_grant *grant) {
  wg_present_row row;
  if (wg_present_resident(s, res, grant, &row) != WG_OK) return NULL;
  json_t *tags = json_array();
  const char *t = row.tags;
  while (*t) {
    const char *e = strchr(t, ',');
    size_t n = e ? (size_t)(e - t) : strlen(t);
    if (n) json_array_append_new(tags, json_stringn(t, n));
    t += n + (e ? 1 : 0);
  }
  char since[11];
  wg_date_format(res->since, since);
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s}", "id",
                   (json_int_t)res->id, "name", row.name, "sex", row.sex, "id_number",
                   row.id_number, "birth", row.birth, "phone", row.phone, "relation", row.relation,
                   "residence", row.residence, "status", row.status, "household", row.household,
                   "tags", tags, "address", row.address, "community",
                   jcode_or_null(row.where.community), "since", since);
}

static json_t *resident_json(wg_store_t *s, const wg_resident_t *res) {
  return resident_json_as(s, res, NULL);
}

static int resident_row(void *ctx, const wg_resident_t *res, int64_t entrance_id,
                        const char *community) {
  list_ctx *c = ctx;
  c->last = res->id;
  if (!wg__http_can_see_entrance(c->r, c->plan, entrance_id, res->dwelling_id, community))
    return 0;
  json_t *o = resident_json(c->r->worker->store, res);
  if (!o || json_array_append_new(c->items, o)) c->failed = 1;
  return c->failed;
}

/* Splits s in place into words separated by spaces (ASCII or the
 * ideographic space U+3000); 0 when there are more than WG_ADDRESS_TERMS. */
static int split_words(char *s, const char *out[WG_ADDRESS_TERMS]) {
  int n = 0;
  char *p = s;
  for (;;) {
    while (*p == ' ' || strncmp(p, "\xe3\x80\x80", 3) == 0) p += *p == ' ' ? 1 : 3;
    if (!*p) return 1;
    if (n == WG_ADDRESS_TERMS) return 0;
    out[n++] = p;
    while (*p && *p != ' ' && strncmp(p, "\xe3\x80\x80", 3) != 0) p++;
    if (!*p) return 1;
    int w = *p == ' ' ? 1 : 3;
    *p = '\0';
    p += w;
  }
}

void wg__api_residents(wg_http_req *r) {
  static const char *const allowed[] = {
      "community", "grid",  "plan",   "tag",   "as_of", "include_inactive",
      "household", "name",  "address", "limit", "offset", "after", NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_resident_query q;
  char words[256];
  memset(&q, 0, sizeof q);
  wg_store_page pg;
  int64_t active, ledger;
  long inactive, household;
  if (!wg__param_date(r, "as_of", &q.as_of)) return;
  if (!wg__param_long(r, "include_inactive", 0, 0, 1, &inactive)) return;
  if (!wg__param_long(r, "household", 0, 1, 9007199254740991L, &household)) return;
  if (!place_params(r, &q.place, &pg, &active, &ledger)) return;
  q.include_inactive = (int)inactive;
  q.household_id = household;
  const char *tag = wg__query_get(&r->query, "tag");
  char tag_code[32];
  if (tag) {
    if (strlen(tag) > 64 ||
        wg_store_tag_resolve(r->worker->store, tag, tag_code, sizeof tag_code) != WG_OK) {
      wg__http_error(r, 400, "invalid_parameter", "tag",
                     "unknown tag (see wangge tags; codes such as veteran, elderly_alone)");
      return;
    }
    q.tag = tag_code;
  }
  const char *name = wg__query_get(&r->query, "name");
  if (name && *name) {
    if (strlen(name) > 64) {
      wg__http_error(r, 400, "invalid_parameter", "name", "a name is at most 64 bytes");
      return;
    }
    q.name = name;
  }
  const char *address = wg__query_get(&r->query, "address");
  if (address && *address) {
    if (strlen(address) >= sizeof words) {
      wg__http_error(r, 400, "invalid_parameter", "address", "an address search is at most 255 bytes");
      return;
    }
    memcpy(words, address, strlen(address) + 1);
    if (!split_words(words, q.address)) {
      wg__http_error(r, 400, "invalid_parameter", "address",
                     "an address search is at most 4 words (estate, building, entrance, room)");
      return;
    }
  }
  if (q.as_of) {
    /* A well-formed date the ledger cannot answer for: the future. */
    /* Today in China Standard Time (UTC+8), where the ledger is kept. */
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    int32_t now = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if (q.as_of > now) {
      wg__http_error(r, 422, "unprocessable", "as_of",
                     "as_of is in the future; the ledger only knows the past and today");
      return;
    }
  }
  list_ctx c;
  if (!list_begin(r, &c, active)) return;
  long total = 0;
  wg_err e = wg_store_resident_page(r->worker->store, &q, &c.scope, &pg, resident_row, &c, &total);
  list_end(r, &c, e, total, &pg);
}

typedef struct history_ctx {
  wg_store_t *s;
  json_t *versions;
  int failed;
  const wg_unmask_grant *grant; /* clear ID numbers and phones when granted */
} history_ctx;

static int history_row(void *ctx, const wg_resident_t *v, int32_t valid_to) {
  history_ctx *h = ctx;
  json_t *o = resident_json_as(h->s, v, h->grant);
  if (!o) {
    h->failed = 1;
    return 1;
  }
  char to[11] = "";
  if (valid_to) wg_date_format(valid_to, to);
  json_object_set_new(
      o, "valid_from",
      json_object_get(o, "since") ? json_incref(json_object_get(o, "since")) : json_null());
  json_object_set_new(o, "valid_to", valid_to ? jstr(to) : json_null());
  wg_event_t ev;
  if (v->event_id && wg_store_event_get(h->s, v->event_id, &ev) == WG_OK) {
    char eff[11];
    wg_date_format(ev.effective, eff);
    json_object_set_new(o, "event",
                        json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)ev.id, "kind",
                                  wg_event_kind_name(ev.kind), "effective", eff, "recorded_at",
                                  ev.recorded_at, "reason", ev.reason));
  }
  if (json_array_append_new(h->versions, o)) h->failed = 1;
  return h->failed;
}

void wg__api_resident(wg_http_req *r) {
  static const char *const allowed[] = {"unmask", "reason", NULL};
  if (!wg__param_only(r, allowed)) return;
  long unmask = 0;
  if (!wg__param_long(r, "unmask", 0, 0, 1, &unmask)) return;
  const char *reason = wg__query_get(&r->query, "reason");
  if (unmask && !(r->who.perms & WG_PERM_UNMASK)) {
    wg__http_error(r, 403, "forbidden", "unmask", "you may not see ID numbers and phones in clear");
    return;
  }
  if (unmask && (!reason || !*reason)) {
    wg__http_error(r, 422, "reason_required", "reason",
                   "seeing ID numbers and phones in clear needs a reason (it is audited)");
    return;
  }
  const char *idtext = r->params[0];
  char *end;
  long long id = strtoll(idtext, &end, 10);
  if (*end || id <= 0 || idtext[0] < '1' || idtext[0] > '9' || strlen(idtext) > 15) {
    wg__http_error(r, 400, "invalid_parameter", "id", "a resident id is a positive integer");
    return;
  }
  int64_t active, ledger;
  if (!versions(r, &active, &ledger)) return;
  wg_store_t *s = r->worker->store;
  wg_resident_t res;
  wg_err e = wg_store_resident_get(s, id, &res);
  if (e || strcmp(res.county, r->srv->county) != 0) {
    wg__http_fail(r, e ? e : WG_ENOTFOUND, "id",
                  e == WG_ENOTFOUND || !e ? "no such resident" : NULL);
    return;
  }
  int64_t entrance = 0;
  char community[13] = "";
  if (res.dwelling_id &&
      (e = wg_store_dwelling_place(s, res.dwelling_id, &entrance, community)) != WG_OK &&
      e != WG_ENOTFOUND) {
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg_http_plan *p = NULL;
  if (active && !get_plan(r, active, &p)) return;
  int visible = wg__http_can_see_entrance(r, p, entrance, res.dwelling_id, community);
  if (p) wg__http_plan_release(r->srv, p);
  if (!visible) {
    wg__http_error(r, 403, "forbidden", "id", "this resident is outside your scope");
    return;
  }
  /* Unmasking writes its audit row first; no row, no clear data. */
  wg_unmask_grant grant = {0};
  if (unmask) {
    char target[48];
    snprintf(target, sizeof target, "resident #%lld", id);
    if ((e = wg_present_unmask_grant(s, r->who.login, target, reason, "http", &grant)) != WG_OK) {
      wg__http_fail(r, e, NULL, NULL);
      return;
    }
  }
  json_t *o = resident_json_as(s, &res, &grant);
  history_ctx h = {s, json_array(), 0, &grant};
  e = o ? wg_store_resident_versions(s, id, history_row, &h) : WG_ENOMEM;
  if (e || h.failed || !o) {
    json_decref(o);
    json_decref(h.versions);
    wg__http_fail(r, e ? e : WG_ENOMEM, NULL, NULL);
    return;
  }
  json_object_set_new(o, "history", h.versions);
  wg__http_json(r, 200, o);
}

/* ---- plans ------------------------------------------------------------------------------ */

static json_t *plan_json(const wg_plan_t *p, int with_summary) {
  json_t *o =
      json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:i, s:s}", "id", (json_int_t)p->id, "status",
                wg_plan_status_name(p->status), "created_at", p->created_at, "actor", p->actor,
                "note", p->note, "based_on", p->based_on ? json_integer(p->based_on) : json_null(),
                "levels", p->nlevels, "bounds", p->bounds);
  if (o && with_summary) {
    json_t *sum = p->summary[0] ? json_loads(p->summary, 0, NULL) : NULL;
    json_object_set_new(o, "summary", sum ? sum : json_null());
  }
  return o;
}

/* Plans are the county office's business: visible to who sees the county. */
static int can_see_plans(wg_http_req *r) {
  char county[13];
  snprintf(county, sizeof county, "%s000000", r->srv->county);
  return wg__http_can_see(r, county);
}

typedef struct plans_ctx {
  json_t *items;
  wg_store_page pg;
  long seen, total;
  int64_t last;
} plans_ctx;

static int plan_row(void *ctx, const wg_plan_t *p) {
  plans_ctx *c = ctx;
  if (p->id <= c->pg.after) return 0;
  c->total++;
  if (c->seen++ < c->pg.offset || (long)json_array_size(c->items) >= c->pg.limit) return 0;
  json_t *o = plan_json(p, 0);
  if (o) json_array_append_new(c->items, o);
  c->last = p->id;
  return 0;
}

void wg__api_plans(wg_http_req *r) {
  static const char *const allowed[] = {"limit", "offset", "after", NULL};
  if (!wg__param_only(r, allowed)) return;
  plans_ctx c = {0};
  if (!wg__param_page(r, &c.pg, 1000)) return;
  wg_http_worker *w = wg__http_worker(r);
  if (!w) return;
  c.items = json_array();
  wg_err e = can_see_plans(r) ? wg_store_plan_each(w->store, r->srv->county, plan_row, &c) : WG_OK;
  if (e) {
    json_decref(c.items);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  json_t *next = (long)json_array_size(c.items) == c.pg.limit && c.total > c.pg.offset + c.pg.limit
                     ? json_integer(c.last)
                     : NULL;
  wg__http_json(r, 200, envelope(c.items, c.total, &c.pg, next));
}

static int plan_route_param(wg_http_req *r, int i, const char *field, wg_plan_t *out);

void wg__api_plan(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_plan_t p;
  if (!plan_route_param(r, 0, "id", &p)) return;
  if (!can_see_plans(r)) {
    wg__http_error(r, 403, "forbidden", "id", "plans are visible to the county's offices");
    return;
  }
  wg__http_json(r, 200, plan_json(&p, 1));
}

/* Parses route parameter i as a plan id of this county into *out; 0 after
 * setting the error response. */
static int plan_route_param(wg_http_req *r, int i, const char *field, wg_plan_t *out) {
  char *end;
  long long id = strtoll(r->params[i], &end, 10);
  if (*end || id <= 0 || r->params[i][0] < '1' || r->params[i][0] > '9' ||
      strlen(r->params[i]) > 12) {
    wg__http_error(r, 400, "invalid_parameter", field, "a plan id is a positive integer");
    return 0;
  }
  wg_http_worker *w = wg__http_worker(r);
  if (!w) return 0;
  wg_err e = wg_store_plan_get(w->store, id, out);
  if (e || strcmp(out->county, r->srv->county) != 0) {
    wg__http_fail(r, e ? e : WG_ENOTFOUND, field, "no such plan");
    return 0;
  }
  return 1;
}

void wg__api_plan_diff(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_plan_t a, b;
  if (!plan_route_param(r, 0, "id", &a) || !plan_route_param(r, 1, "other", &b)) return;
  if (!can_see_plans(r)) {
    wg__http_error(r, 403, "forbidden", "id", "plans are visible to the county's offices");
    return;
  }
  wg_plan_diff d;
  wg_err e = wg_plan_compare(r->worker->store, a.id, b.id, &d);
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200,
                json_pack("{s:I,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:I,s:I}", "from", (json_int_t)a.id, "to",
                          (json_int_t)b.id, "grids_from", d.grids_a, "grids_to", d.grids_b,
                          "unchanged", d.same, "changed", d.changed, "retired", d.only_a, "new",
                          d.only_b, "households", (json_int_t)d.households,
                          "households_changed", (json_int_t)d.changed_households));
}

void wg__api_plan_activate(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_plan_t p;
  if (!plan_route_param(r, 0, "id", &p)) return;
  /* Which division is used county-wide is the county office's decision. */
  if (r->who.role != WG_ROLE_ADMIN && r->who.role != WG_ROLE_COUNTY) {
    wg__http_error(r, 403, "forbidden", "id", "only the county office activates a plan");
    return;
  }
  wg_store_t *s = r->worker->store;
  wg_err e = wg_store_plan_activate(s, p.id);
  if (e == WG_ECONFLICT) {
    wg__http_error(r, 409, "conflict", "id",
                   "plan #%lld is retired; divide again to make a new draft", (long long)p.id);
    return;
  }
  wg_audit_t a = {.action = "plan_activate", .origin = "http"};
  snprintf(a.actor, sizeof a.actor, "%s", r->who.login);
  snprintf(a.target, sizeof a.target, "plan #%lld", (long long)p.id);
  if (!e) e = wg_store_audit_add(s, &a);
  if (!e) e = wg_store_plan_get(s, p.id, &p);
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200, plan_json(&p, 0));
}

/* ---- stats ------------------------------------------------------------------------------- */

char *wg__api_stats_body(const wg_http_req *r, const wg_http_plan *p, const wg_http_stats *st,
                         int level, size_t *len, int *all_visible) {
  json_t *grids = json_array();
  double lv_hh[3] = {0}, lv_res[3] = {0};
  int lv_n[3] = {0};
  double *tag_total = calloc((size_t)(st->ntags ? st->ntags : 1), sizeof *tag_total);
  *all_visible = 1;
  for (int i = 0; i < p->ngrids; i++) {
    const wg_http_grid *g = &p->grids[i];
    if (level && g->level != level) continue;
    if (g->level < 1 || g->level > 3) continue;
    if (r && !wg__http_can_see(r, g->code)) {
      *all_visible = 0;
      continue;
    }
    lv_n[g->level - 1]++;
    lv_hh[g->level - 1] += st->households[i];
    lv_res[g->level - 1] += st->residents[i];
    /* Residents per tag count each visible grid once: those of the level
     * asked for, or else the top-most visible ones (level 1, or a grid
     * whose parent grid is outside the scope, as for a grid worker). */
    int top = level ? 1 : (g->level == 1 || (r && !wg__http_can_see(r, g->parent)));
    if (tag_total && top)
      for (int t = 0; t < st->ntags; t++)
        tag_total[t] += st->tags[(size_t)i * (size_t)st->ntags + (size_t)t];
    json_array_append_new(
        grids,
        json_pack("{s:s, s:i, s:s, s:I, s:I, s:o}", "code", g->code, "level", g->level, "parent",
                  g->parent, "households", (json_int_t)(st->households[i] + 0.5), "residents",
                  (json_int_t)(st->residents[i] + 0.5), "tags", tag_counts(st, i)));
  }
  json_t *tags = json_array();
  for (int t = 0; t < st->ntags; t++)
    json_array_append_new(
        tags, json_pack("{s:s, s:s, s:s, s:I}", "code", st->tag_code[t], "name_zh", st->tag_zh[t],
                        "name_en", st->tag_en[t], "residents",
                        (json_int_t)(tag_total ? tag_total[t] + 0.5 : 0)));
  free(tag_total);
  json_t *levels = json_array();
  for (int l = 0; l < 3; l++)
    if (lv_n[l])
      json_array_append_new(levels, json_pack("{s:i, s:i, s:I, s:I}", "level", l + 1, "grids",
                                              lv_n[l], "households", (json_int_t)(lv_hh[l] + 0.5),
                                              "residents", (json_int_t)(lv_res[l] + 0.5)));
  json_t *body = json_pack("{s:I, s:I, s:f, s:o, s:o, s:o}", "plan", (json_int_t)p->plan_id,
                           "ledger_version", (json_int_t)st->ledger_version, "computed_ms",
                           (double)(long long)(st->computed_ms * 100) / 100, "tags", tags, "levels",
                           levels, "grids", grids);
  char *s = body ? wg__json_dump(body, len) : NULL;
  json_decref(body);
  return s;
}

void wg__api_stats(wg_http_req *r) {
  static const char *const allowed[] = {"plan", "level", NULL};
  if (!wg__param_only(r, allowed)) return;
  long level;
  if (!wg__param_long(r, "level", 0, 1, 3, &level)) return;
  int64_t active, ledger, plan_id;
  if (!versions(r, &active, &ledger) || !plan_param(r, active, &plan_id)) return;
  wg_http_plan *p;
  if (!get_plan(r, plan_id, &p)) return;
  wg_http_stats *st;
  wg_err e = wg__http_stats_get(r, p, ledger, &st);
  if (e) {
    wg__http_plan_release(r->srv, p);
    if (!r->status) wg__http_fail(r, e, NULL, NULL);
    return;
  }
  /* Who sees every grid gets the body rendered once per ledger version. */
  int sees_all = 1;
  for (int i = 0; i < p->ngrids && sees_all; i++)
    if (!level || p->grids[i].level == level) sees_all = wg__http_can_see(r, p->grids[i].code);
  size_t len = 0;
  char *body =
      sees_all ? wg__http_body_copy(r->srv, &st->all_body[level], &st->all_len[level], &len) : NULL;
  if (!body) {
    int all = 0;
    body = wg__api_stats_body(r, p, st, (int)level, &len, &all);
    if (body && all)
      wg__http_body_keep(r->srv, &st->all_body[level], &st->all_len[level], body, len);
  }
  wg__http_stats_release(r->srv, st);
  wg__http_plan_release(r->srv, p);
  if (!body) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  wg__http_raw(r, 200, body, len, "application/json; charset=utf-8");
}

/* ---- locate ----------------------------------------------------------------------------- */

void wg__api_locate(wg_http_req *r) {
  static const char *const allowed[] = {"lon", "lat", "crs", NULL};
  if (!wg__param_only(r, allowed)) return;
  double lon = 0, lat = 0;
  if (!wg__param_double(r, "lon", 1, &lon) || !wg__param_double(r, "lat", 1, &lat)) return;
  wg_crs crs = WG_CRS_WGS84;
  const char *crs_name = wg__query_get(&r->query, "crs");
  if (crs_name && wg_crs_parse(crs_name, &crs) != WG_OK) {
    wg__http_error(r, 400, "invalid_parameter", "crs", "crs must be wgs84, gcj02 or bd09");
    return;
  }
  double x, y;
  if (wg_coord_to_wgs84(lon, lat, crs, &x, &y) != WG_OK) {
    wg__http_error(r, 422, "unprocessable", lon < -180 || lon > 180 ? "lon" : "lat",
                   "not a point on Earth: lon must be -180..180, lat -90..90");
    return;
  }
  int64_t active, ledger;
  if (!versions(r, &active, &ledger)) return;
  if (!active) {
    wg__http_error(r, 404, "not_found", "plan", "the county has no active plan yet");
    return;
  }
  wg_http_plan *p;
  if (!get_plan(r, active, &p)) return;
  /* The same test as wg_plan_locate: bounding box, then the polygon; a
   * later grid (in code order) of the same level wins on a shared edge. */
  int hit[3] = {-1, -1, -1};
  const int *cand;
  int ncand;
  wg__http_plan_cell(p, x, y, &cand, &ncand);
  for (int k = 0; k < ncand; k++) {
    const wg_http_grid *g = &p->grids[cand[k]];
    /* Widened like the R*Tree's float boxes, so that a point within
     * wg_geom_contains's tolerance of an edge is tested as there. */
    if (x < g->minx - 1e-6 || x > g->maxx + 1e-6 || y < g->miny - 1e-6 || y > g->maxy + 1e-6)
      continue;
    if (g->level < 1 || g->level > 3 || !g->wkb) continue;
    if (wg__http_grid_contains(g, x, y)) hit[g->level - 1] = cand[k];
  }
  if (hit[0] < 0 && hit[1] < 0 && hit[2] < 0) {
    wg__http_plan_release(r->srv, p);
    wg__http_error(r, 404, "not_found", NULL, "no grid of plan %lld holds this point",
                   (long long)active);
    return;
  }
  json_t *grids = json_array();
  const char *community = NULL;
  for (int l = 0; l < 3; l++) {
    const char *code = hit[l] >= 0 ? p->grids[hit[l]].code : NULL;
    if (hit[l] >= 0) community = p->grids[hit[l]].community;
    json_array_append_new(grids,
                          json_pack("{s:i, s:o}", "level", l + 1, "code",
                                    code && wg__http_can_see(r, code) ? jstr(code) : json_null()));
  }
  json_t *body = json_pack(
      "{s:I, s:{s:f, s:f}, s:s, s:o, s:o}", "plan", (json_int_t)active, "point", "lon",
      wg__coord(x), "lat", wg__coord(y), "crs", wg_crs_name(crs), "community",
      community && wg__http_can_see(r, community) ? jstr(community) : json_null(), "grids", grids);
  wg__http_plan_release(r->srv, p);
  wg__http_json(r, 200, body);
}
