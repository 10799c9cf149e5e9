/* api_matter.c — matters over the JSON API: the queue per role, a matter
 * with its timeline, reports, steps, categories, figures and photos.
 * Scope goes through http_scope.c: listings take the principal's store
 * scope, a matter is visible by wg__http_can_see_matter, and who may take
 * a step is decided by the rules with the principal (wg__http_matter_who). */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/http_int.h"
#include "matter/figures.h"
#include "matter/matters.h"
#include "matter/photo.h"

/* ---- helpers ------------------------------------------------------------------ */

static json_t *iso_or_null(int64_t t) {
  if (!t) return json_null();
  char buf[32];
  wg_matter_time_iso(t, buf);
  return json_string(buf);
}

static json_t *str_or_null(const char *s) {
  return s && *s ? json_string(s) : json_null();
}

static int64_t now_s(void) {
  return (int64_t)time(NULL);
}

int wg__http_locate(wg_http_req *r, double lon, double lat, struct wg_located *out) {
  memset(out, 0, sizeof *out);
  int64_t active, ledger;
  if (wg__http_versions(r, &active, &ledger) != WG_OK || !active) return 0;
  wg_http_plan *p;
  if (wg__http_plan_get(r, active, &p) != WG_OK) return 0;
  int hit[3] = {-1, -1, -1};
  const int *cand;
  int ncand;
  wg__http_plan_cell(p, lon, lat, &cand, &ncand);
  for (int k = 0; k < ncand; k++) {
    const wg_http_grid *g = &p->grids[cand[k]];
    if (lon < g->minx - 1e-6 || lon > g->maxx + 1e-6 || lat < g->miny - 1e-6 ||
        lat > g->maxy + 1e-6)
      continue;
    if (g->level < 1 || g->level > 3 || !g->wkb) continue;
    if (wg__http_grid_contains(g, lon, lat)) hit[g->level - 1] = cand[k];
  }
  out->plan_id = active;
  int found = 0;
  for (int l = 0; l < 3; l++)
    if (hit[l] >= 0) {
      snprintf(out->code[l], sizeof out->code[l], "%s", p->grids[hit[l]].code);
      snprintf(out->community, sizeof out->community, "%s", p->grids[hit[l]].community);
      found = 1;
    }
  wg__http_plan_release(r->srv, p);
  return found;
}

/* A user's login for a handler id (a small per-request cache would pay off
 * only for long lists; lists show the id and the detail the login). */
static json_t *handler_json(wg_store_t *s, int64_t id) {
  if (!id) return json_null();
  wg_user_row *u = malloc(sizeof *u);
  json_t *j = NULL;
  if (u && wg_store_user_get_id(s, id, u) == WG_OK)
    j = json_pack("{s:I, s:s}", "id", (json_int_t)id, "login", u->login);
  free(u);
  return j ? j : json_pack("{s:I, s:n}", "id", (json_int_t)id, "login");
}

static json_t *actions_json(wg_http_req *r, const wg_matter_row *m) {
  json_t *a = json_array();
  unsigned kinds = wg__http_matter_kinds(r, m);
  for (int i = WG_MA_ACCEPT; i < WG_MA_COUNT_; i++) {
    unsigned allowed = wg_matter_allowed((wg_matter_action)i, m->st.status);
    if (!(allowed & kinds)) continue;
    if ((i == WG_MA_EXTEND_APPROVE || i == WG_MA_EXTEND_DENY) && !m->st.ext_pending) continue;
    if (i == WG_MA_EXTEND && m->st.ext_pending) continue;
    if (i == WG_MA_ESCALATE && m->st.level >= WG_MLEVEL_COUNTY) continue;
    json_array_append_new(a, json_string(wg_matter_action_name((wg_matter_action)i)));
  }
  return a;
}

static json_t *matter_json(wg_http_req *r, const wg_matter_row *m, int64_t now, int full) {
  char name[64], phone[24];
  wg_matters_reporter_masked(m, name, phone);
  json_t *grids = json_array();
  for (int l = 0; l < 3; l++) json_array_append_new(grids, str_or_null(m->grid[l]));
  json_t *j = json_pack(
      "{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
      " s:b, s:I}",
      "id", (json_int_t)m->id, "category", m->category, "title", m->title, "status",
      wg_matter_status_name(m->st.status), "status_zh", wg_matter_status_zh(m->st.status),
      "level_name", wg_matter_level_name(m->st.level), "level", m->st.level, "source", m->source,
      "lon", m->located ? json_real(wg__coord(m->lon)) : json_null(), "lat",
      m->located ? json_real(wg__coord(m->lat)) : json_null(), "address", str_or_null(m->address),
      "community", str_or_null(m->community), "grids", grids, "reported_at",
      iso_or_null(m->st.reported_at), "due_at", iso_or_null(m->st.due_at), "expected_at",
      iso_or_null(m->st.expected_at), "closed_at", iso_or_null(m->st.closed_at), "overdue",
      wg_matter_overdue(&m->st, now), "handler_id", (json_int_t)m->st.handler);
  if (!j) return NULL;
  if (!full) return j;
  json_object_set_new(j, "description", json_string(m->description));
  json_object_set_new(j, "reporter",
                      json_pack("{s:s, s:o, s:o}", "login", m->reporter, "name",
                                str_or_null(name), "phone", str_or_null(phone)));
  json_object_set_new(j, "handler", handler_json(r->worker->store, m->st.handler));
  json_object_set_new(
      j, "counts",
      json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "extensions", m->st.extensions, "reworks",
                m->st.reworks, "reopens", m->st.reopens, "escalations", m->st.escalations,
                "overdue_stages", m->st.overdue, "extension_pending_hours", m->st.ext_pending));
  json_object_set_new(j, "satisfaction", m->st.satisfaction ? json_integer(m->st.satisfaction)
                                                            : json_null());
  json_object_set_new(j, "merged_into",
                      m->st.merged_into ? json_integer(m->st.merged_into) : json_null());
  if (strcmp(m->reporter, r->who.login) == 0) json_object_set_new(j, "token", json_string(m->token));
  json_object_set_new(j, "actions", actions_json(r, m));
  return j;
}

/* ---- the queue ---------------------------------------------------------------------- */

typedef struct list_ctx {
  wg_http_req *r;
  json_t *items;
  int64_t now;
} list_ctx;

static int add_item(void *ctx, const wg_matter_row *m) {
  list_ctx *c = ctx;
  /* the SQL scope lets through what wg_auth_can_see allows; check again */
  if (!wg__http_can_see_matter(c->r, m)) return 0;
  json_t *j = matter_json(c->r, m, c->now, 0);
  if (j) json_array_append_new(c->items, j);
  return 0;
}

void wg__api_matters(wg_http_req *r) {
  static const char *const allowed[] = {"queue", "status", "open", "category", "grid", "limit",
                                        "offset", NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!wg__http_worker(r)) return;
  long limit, offset;
  if (!wg__param_long(r, "limit", 50, 1, 1000, &limit) ||
      !wg__param_long(r, "offset", 0, 0, 100000000, &offset))
    return;
  const char *queue = wg__query_get(&r->query, "queue");
  if (!queue) queue = "mine";
  if (strcmp(queue, "mine") && strcmp(queue, "all") && strcmp(queue, "reported")) {
    wg__http_error(r, 400, "invalid_parameter", "queue", "queue is mine, all or reported");
    return;
  }
  const char *grid = NULL;
  if (!wg__param_code(r, "grid", 14, 18, &grid)) return;
  int64_t active = 0, ledger;
  if (wg__http_versions(r, &active, &ledger) != WG_OK) active = 0;
  wg_store_scope sc;
  wg__http_store_scope(r, active, &sc);
  int64_t now = now_s();
  wg_matter_query q = {.county = r->srv->county, .scope = &sc, .limit = (int)limit,
                       .offset = offset, .overdue_at = now, .grid = grid};
  const char *status = wg__query_get(&r->query, "status");
  if (status) {
    wg_matter_status st;
    if (wg_matter_status_parse(status, &st) != WG_OK) {
      wg__http_error(r, 400, "invalid_parameter", "status", "no status '%.32s'", status);
      return;
    }
    q.status = st;
  }
  const char *open = wg__query_get(&r->query, "open");
  if (open && strcmp(open, "1") && strcmp(open, "true") && strcmp(open, "0") &&
      strcmp(open, "false")) {
    wg__http_error(r, 400, "invalid_parameter", "open", "open is true or false");
    return;
  }
  q.open_only = open && (open[0] == '1' || open[0] == 't');
  q.category = wg__query_get(&r->query, "category");
  if (strcmp(queue, "reported") == 0) {
    /* what I reported, wherever it is */
    q.scope = NULL;
    q.reporter = r->who.login;
  } else if (strcmp(queue, "mine") == 0) {
    if (!open) q.open_only = 1;
    if (r->who.role == WG_ROLE_GRID_WORKER) q.handler = r->who.user_id;
    if (r->who.role == WG_ROLE_MEMBER || r->who.role == WG_ROLE_AUDITOR) {
      q.scope = NULL;
      q.reporter = r->who.login;
    }
  } else if (r->who.role == WG_ROLE_MEMBER || r->who.role == WG_ROLE_AUDITOR) {
    wg__http_error(r, 403, "forbidden", "queue", "members and auditors see what they reported");
    return;
  }
  list_ctx c = {r, json_array(), now};
  long total = 0;
  wg_err e = wg_store_matter_list(r->worker->store, &q, add_item, &c, &total);
  if (e) {
    json_decref(c.items);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200,
                json_pack("{s:s, s:I, s:o}", "queue", queue, "total", (json_int_t)total, "items",
                          c.items));
}

/* ---- one matter -------------------------------------------------------------------- */

static int matter_param(wg_http_req *r, wg_matter_row *m) {
  const char *v = r->params[0];
  char *end;
  errno = 0;
  long long id = strtoll(v, &end, 10);
  if (!*v || *end || errno || id < 1) {
    wg__http_error(r, 400, "invalid_parameter", "id", "a matter id is a positive integer");
    return 0;
  }
  if (!wg__http_worker(r)) return 0;
  wg_err e = wg_store_matter_get(r->worker->store, id, m);
  if (e == WG_ENOTFOUND || (!e && !wg__http_can_see_matter(r, m))) {
    wg__http_error(r, 404, "not_found", "id", "no matter #%lld", id);
    return 0;
  }
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return 0;
  }
  return 1;
}

static json_t *photos_json(const char *list) {
  json_t *a = json_array();
  const char *p = list;
  while (p && *p) {
    size_t n = strcspn(p, ",");
    if (n == 64) {
      char url[128];
      snprintf(url, sizeof url, "/api/v1/photos/%.64s", p);
      json_array_append_new(a, json_pack("{s:s#, s:s}", "sha256", p, (int)64, "url", url));
    }
    p += n;
    if (*p == ',') p++;
  }
  return a;
}

static int timeline_item(void *ctx, const wg_matter_event_row *e) {
  json_t *a = ctx;
  json_t *j = json_pack("{s:i, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o}", "seq", e->seq, "action",
                        wg_matter_action_name(e->ev.action), "at", iso_or_null(e->ev.at), "actor",
                        e->actor, "as", wg_matter_actor_name(e->ev.actor), "from",
                        wg_matter_status_name(e->ev.from), "to", wg_matter_status_name(e->ev.to),
                        "note", str_or_null(e->note), "photos", photos_json(e->photos));
  if (!j) return 0;
  if (e->ev.action == WG_MA_EVALUATE) json_object_set_new(j, "satisfaction", json_integer(e->ev.value));
  if (e->ev.action == WG_MA_EXTEND) json_object_set_new(j, "hours", json_integer(e->ev.value));
  if (e->ev.action == WG_MA_MERGE) json_object_set_new(j, "into", json_integer(e->ev.other));
  if (e->ev.action == WG_MA_DISPATCH || e->ev.action == WG_MA_REPORT)
    json_object_set_new(j, "handler_id", json_integer(e->ev.handler));
  json_array_append_new(a, j);
  return 0;
}

static int merged_item(void *ctx, const wg_matter_row *m) {
  json_array_append_new(ctx, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)m->id, "title",
                                       m->title, "reported_at", iso_or_null(m->st.reported_at)));
  return 0;
}

static void send_matter(wg_http_req *r, int status, const wg_matter_row *m, json_t *extra) {
  wg_store_t *s = r->worker->store;
  json_t *j = matter_json(r, m, now_s(), 1);
  json_t *timeline = json_array(), *merged = json_array();
  wg_err e = j ? wg_store_matter_events(s, m->id, timeline_item, timeline) : WG_ENOMEM;
  if (!e) e = wg_store_matter_merged(s, m->id, merged_item, merged);
  if (e) {
    json_decref(j);
    json_decref(timeline);
    json_decref(merged);
    json_decref(extra);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  json_object_set_new(j, "timeline", timeline);
  json_object_set_new(j, "merged", merged);
  if (extra) json_object_update(j, extra);
  json_decref(extra);
  wg__http_json(r, status, j);
}

void wg__api_matter(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_matter_row *m = wg__arena_alloc(&r->pool, sizeof *m);
  if (!m) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  if (!matter_param(r, m)) return;
  send_matter(r, 200, m, NULL);
}

/* ---- JSON bodies ------------------------------------------------------------------------ */

static json_t *json_body(wg_http_req *r) {
  const char *ctype = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
  if (!ctype || strncmp(ctype, "application/json", 16) != 0) {
    wg__http_error(r, 415, "unsupported_media_type", "Content-Type",
                   "send the body as application/json");
    return NULL;
  }
  json_error_t err;
  json_t *j = r->body_len ? json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err)
                          : json_object();
  if (!j || !json_is_object(j)) {
    json_decref(j);
    wg__http_error(r, 400, "malformed", "body", "the body is not a JSON object");
    return NULL;
  }
  return j;
}

/* A string member (NULL when absent); 0 after a 400 when of another type. */
static int member_str(wg_http_req *r, json_t *o, const char *key, const char **out) {
  json_t *v = json_object_get(o, key);
  *out = NULL;
  if (!v || json_is_null(v)) return 1;
  if (!json_is_string(v)) {
    wg__http_error(r, 400, "invalid", key, "%s must be a string", key);
    return 0;
  }
  *out = json_string_value(v);
  return 1;
}

static int member_num(wg_http_req *r, json_t *o, const char *key, int *has, double *out) {
  json_t *v = json_object_get(o, key);
  *has = 0;
  if (!v || json_is_null(v)) return 1;
  if (!json_is_number(v)) {
    wg__http_error(r, 400, "invalid", key, "%s must be a number", key);
    return 0;
  }
  *has = 1;
  *out = json_number_value(v);
  return 1;
}

/* photos: an array of SHA-256 strings → "a,b" in the arena. */
static int member_photos(wg_http_req *r, json_t *o, const char **out) {
  json_t *v = json_object_get(o, "photos");
  *out = NULL;
  if (!v || json_is_null(v)) return 1;
  if (!json_is_array(v) || json_array_size(v) > 8) {
    wg__http_error(r, 400, "invalid", "photos", "photos is an array of up to 8 SHA-256 names");
    return 0;
  }
  char *list = wg__arena_alloc(&r->pool, 8 * 65 + 1);
  if (!list) return 0;
  list[0] = '\0';
  size_t i;
  json_t *x;
  json_array_foreach(v, i, x) {
    if (!json_is_string(x) || strlen(json_string_value(x)) != 64) {
      wg__http_error(r, 400, "invalid", "photos", "photos is an array of SHA-256 names");
      return 0;
    }
    size_t used = strlen(list);
    snprintf(list + used, 8 * 65 + 1 - used, "%s%s", used ? "," : "", json_string_value(x));
  }
  *out = list;
  return 1;
}

static void fail_ei(wg_http_req *r, wg_err e, const wg_errinfo *ei, const char *field) {
  wg__http_fail(r, e, ei->field[0] ? ei->field : field, ei->why);
}

/* ---- report ---------------------------------------------------------------------------- */

typedef struct dup_ctx {
  wg_http_req *r;
  json_t *items;
  int64_t self;
} dup_ctx;

static int dup_item(void *ctx, const wg_matter_row *m) {
  dup_ctx *c = ctx;
  if (m->id == c->self || !wg__http_can_see_matter(c->r, m)) return 0;
  json_t *j = matter_json(c->r, m, now_s(), 0);
  if (j) json_array_append_new(c->items, j);
  return 0;
}

void wg__api_matter_report(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!wg__http_worker(r)) return;
  json_t *b = json_body(r);
  if (!b) return;
  const char *category, *title, *description, *address, *name, *phone, *photos;
  double lon = 0, lat = 0;
  int has_lon, has_lat;
  if (!member_str(r, b, "category", &category) || !member_str(r, b, "title", &title) ||
      !member_str(r, b, "description", &description) || !member_str(r, b, "address", &address) ||
      !member_str(r, b, "reporter_name", &name) || !member_str(r, b, "reporter_phone", &phone) ||
      !member_num(r, b, "lon", &has_lon, &lon) || !member_num(r, b, "lat", &has_lat, &lat) ||
      !member_photos(r, b, &photos)) {
    json_decref(b);
    return;
  }
  if (has_lon != has_lat) {
    json_decref(b);
    wg__http_error(r, 400, "invalid", has_lon ? "lat" : "lon", "give both lon and lat");
    return;
  }
  wg_located where;
  int placed = has_lon && wg__http_locate(r, lon, lat, &where);
  char origin[64];
  wg__http_client_address(r, origin, sizeof origin);
  wg_matter_report in = {.category = category,
                         .title = title,
                         .description = description,
                         .located = has_lon,
                         .lon = lon,
                         .lat = lat,
                         .address = address,
                         .where = placed ? &where : NULL,
                         .reporter = r->who.login,
                         .reporter_name = name,
                         .reporter_phone = phone,
                         .source = "web",
                         .photos = photos,
                         .kind = r->who.role == WG_ROLE_GRID_WORKER ? WG_MACT_HANDLER
                                 : r->who.role == WG_ROLE_MEMBER ||
                                         r->who.role == WG_ROLE_AUDITOR
                                     ? WG_MACT_REPORTER
                                     : WG_MACT_SUPERVISOR,
                         .actor = r->who.login,
                         .origin = origin,
                         .now = now_s()};
  /* without a resolved place the service locates through the store; with
   * an active plan cached, "in no grid" is already the answer */
  wg_located none;
  if (has_lon && !placed) {
    memset(&none, 0, sizeof none);
    in.where = &none;
  }
  wg_matter_row *m = wg__arena_alloc(&r->pool, sizeof *m);
  wg_errinfo ei = {0};
  wg_err e = m ? wg_matters_report(r->worker->store, r->srv->county, &in, m, &ei) : WG_ENOMEM;
  json_decref(b);
  if (e) {
    fail_ei(r, e, &ei, NULL);
    return;
  }
  dup_ctx d = {r, json_array(), m->id};
  if (m->located)
    e = wg_store_matter_near(r->worker->store, m->county, m->category, m->lon, m->lat,
                             WG_MATTER_NEAR_M, dup_item, &d);
  send_matter(r, 201, m, json_pack("{s:o}", "duplicates", d.items));
}

/* ---- a step ------------------------------------------------------------------------------ */

void wg__api_matter_act(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg_matter_action a;
  if (wg_matter_action_parse(r->params[1], &a) != WG_OK || a == WG_MA_REPORT) {
    wg__http_error(r, 404, "not_found", "action", "no step '%.32s'", r->params[1]);
    return;
  }
  wg_matter_row *m = wg__arena_alloc(&r->pool, sizeof *m);
  if (!m) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  if (!matter_param(r, m)) return;
  json_t *b = json_body(r);
  if (!b) return;
  const char *note, *handler, *photos;
  double into = 0, satisfaction = 0, hours = 0, handler_id = 0;
  int has_into, has_sat, has_hours, has_hid;
  if (!member_str(r, b, "note", &note) || !member_str(r, b, "handler", &handler) ||
      !member_num(r, b, "handler_id", &has_hid, &handler_id) ||
      !member_num(r, b, "into", &has_into, &into) ||
      !member_num(r, b, "satisfaction", &has_sat, &satisfaction) ||
      !member_num(r, b, "hours", &has_hours, &hours) || !member_photos(r, b, &photos)) {
    json_decref(b);
    return;
  }
  wg_matter_step st = {.action = a, .note = note, .photos = photos, .now = now_s(),
                       .other = (int64_t)into, .handler = (int64_t)handler_id};
  if (a == WG_MA_EVALUATE) st.value = has_sat ? (int)satisfaction : 0;
  if (a == WG_MA_EXTEND) st.value = has_hours ? (int)hours : 0;
  if (a == WG_MA_DISPATCH && handler) {
    wg_user_row *u = wg__arena_alloc(&r->pool, sizeof *u);
    if (!u || wg_store_user_get(r->worker->store, handler, u) != WG_OK) {
      wg__http_error(r, 400, "invalid", "handler", "no user '%.63s'", handler);
      json_decref(b);
      return;
    }
    st.handler = u->id;
  }
  wg_matter_who who;
  char origin[64];
  wg__http_matter_who(r, &who, origin, sizeof origin);
  wg_errinfo ei = {0};
  wg_err e = wg_matters_act(r->worker->store, m->id, &who, &st, m, &ei);
  json_decref(b);
  if (e) {
    fail_ei(r, e, &ei, "action");
    return;
  }
  send_matter(r, 200, m, NULL);
}

/* ---- categories, figures ------------------------------------------------------------------ */

static int category_item(void *ctx, const wg_category_t *c) {
  json_array_append_new(
      ctx, json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:i, s:i, s:i}, s:b, s:s}", "code", c->code,
                     "name_zh", c->name_zh, "name_en", c->name_en, "level",
                     wg_matter_level_name(c->level), "hours", "accept", c->policy.hours[0],
                     "dispatch", c->policy.hours[1], "handle", c->policy.hours[2], "verify",
                     c->policy.hours[3], "active", c->active, "description", c->description));
  return 0;
}

void wg__api_matter_categories(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!wg__http_worker(r)) return;
  json_t *a = json_array();
  wg_err e = wg_store_category_each(r->worker->store, 1, category_item, a);
  if (e) {
    json_decref(a);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  wg__http_json(r, 200, json_pack("{s:o}", "items", a));
}

/* The figures rows as JSON text, written directly: thousands of rows of
 * numbers are the hot part of the figures page. Rates and hours are fixed
 * point (4 and 2 decimals). */
typedef struct tbuf {
  char *p;
  size_t len, cap;
  int failed;
} tbuf;

static void tput(tbuf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 65536;
    while (cap < b->len + n + 1) cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) {
      b->failed = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

#define TPUTS(b, lit) tput(b, lit, sizeof lit - 1)

static void tlong(tbuf *b, const char *name, long v) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, ",\"%s\":%ld", name, v);
  if (n > 0) tput(b, buf, (size_t)n);
}

/* v as a fixed-point decimal (digits 4 or 2), or null; after a comma
 * unless first */
static void tfixed_(tbuf *b, const char *name, double v, int has, int digits, int first) {
  char buf[80];
  int n;
  const char *sep = first ? "" : ",";
  if (!has) {
    n = snprintf(buf, sizeof buf, "%s\"%s\":null", sep, name);
  } else {
    long scale = digits == 4 ? 10000 : 100;
    long x = (long)(v * (double)scale + (v < 0 ? -0.5 : 0.5));
    long ip = x / scale, fp = labs(x % scale);
    n = snprintf(buf, sizeof buf, digits == 4 ? "%s\"%s\":%s%ld.%04ld" : "%s\"%s\":%s%ld.%02ld",
                 sep, name, x < 0 && ip == 0 ? "-" : "", ip, fp);
  }
  if (n > 0) tput(b, buf, (size_t)n);
}

static void tfixed(tbuf *b, const char *name, double v, int has, int digits) {
  tfixed_(b, name, v, has, digits, 0);
}

static void figures_row_text(tbuf *b, const wg_figures_row *f) {
  TPUTS(b, "{\"key\":\"");
  tput(b, f->key, strlen(f->key)); /* codes, ids and category codes: no escaping needed */
  TPUTS(b, "\"");
  tlong(b, "rank", f->rank);
  tlong(b, "received", f->received);
  tlong(b, "accepted", f->accepted);
  tlong(b, "due", f->due);
  tlong(b, "closed", f->closed);
  tlong(b, "on_time", f->on_time);
  tlong(b, "open", f->open);
  tlong(b, "overdue_open", f->overdue_open);
  tfixed(b, "closure_rate", f->closure_rate, f->due > 0, 4);
  tfixed(b, "on_time_rate", f->on_time_rate, f->due > 0, 4);
  tfixed(b, "rework_rate", f->rework_rate, f->handled > 0, 4);
  tfixed(b, "extension_rate", f->extension_rate, f->dispatched > 0, 4);
  tfixed(b, "satisfaction", f->satisfaction, f->evaluated > 0, 2);
  tlong(b, "evaluated", f->evaluated);
  static const char *const names[4] = {"accept", "dispatch", "handle", "close"};
  TPUTS(b, ",\"mean_hours\":{");
  for (int i = 0; i < 4; i++) tfixed_(b, names[i], f->mean_hours[i], f->mean_hours[i] >= 0, 2, i == 0);
  TPUTS(b, "}}");
}

/* 1 when the principal may see a figures row of this grouping. */
static int may_see_key(wg_http_req *r, wg_figures_by by, const char *key) {
  switch (by) {
    case WG_FIG_GRID1:
    case WG_FIG_GRID2:
    case WG_FIG_GRID3:
    case WG_FIG_COMMUNITY: return wg__http_can_see(r, key);
    case WG_FIG_TOWNSHIP: return wg__http_can_see(r, key) || r->who.role == WG_ROLE_COUNTY;
    default:
      /* county-wide groupings (workers, categories, the county) for the
       * county office */
      return r->who.role == WG_ROLE_ADMIN || r->who.role == WG_ROLE_COUNTY;
  }
}

/* The county's matters as facts, kept while no matter changes (the newest
 * audit row of a matter action stays the same):
 * figures for any grouping and period are then a pass over memory; the
 * county office's bodies are kept too, per query and minute. */
enum { FIG_BODIES = 16 };

typedef struct wg_http_facts {
  int refs;                 /* under cache_mu */
  int64_t version;          /* audit id when read */
  wg_matter_fact *v;
  long n, cap;
  int failed;
  /* Rendered figures for the county office (who see every group), per
   * query and minute (overdue counts move with the clock); under cache_mu. */
  struct fig_body {
    char key[128];
    int64_t minute;
    char *body;
    size_t len;
  } bodies[FIG_BODIES];
  int next_body;
} wg_http_facts;

static void facts_unref(wg_http_facts *f) {
  if (f && --f->refs == 0) {
    for (int i = 0; i < FIG_BODIES; i++) free(f->bodies[i].body);
    free(f->v);
    free(f);
  }
}

/* A copy of a cached body (malloc), or NULL. Under cache_mu. */
static char *fig_cached(wg_http_facts *f, const char *key, int64_t minute, size_t *len) {
  for (int i = 0; i < FIG_BODIES; i++) {
    struct fig_body *b = &f->bodies[i];
    if (!b->body || b->minute != minute || strcmp(b->key, key) != 0) continue;
    char *c = malloc(b->len + 1);
    if (c) {
      memcpy(c, b->body, b->len + 1);
      *len = b->len;
    }
    return c;
  }
  return NULL;
}

/* Keeps a copy of body. Under cache_mu. */
static void fig_keep(wg_http_facts *f, const char *key, int64_t minute, const char *body,
                     size_t len) {
  struct fig_body *b = &f->bodies[f->next_body];
  char *c = malloc(len + 1);
  if (!c) return;
  memcpy(c, body, len + 1);
  free(b->body);
  snprintf(b->key, sizeof b->key, "%s", key);
  b->minute = minute;
  b->body = c;
  b->len = len;
  f->next_body = (f->next_body + 1) % FIG_BODIES;
}

void wg__http_facts_free(wg_http_server *srv) {
  pthread_mutex_lock(&srv->cache_mu);
  facts_unref(srv->facts);
  srv->facts = NULL;
  pthread_mutex_unlock(&srv->cache_mu);
}

static int keep_fact(void *ctx, const wg_matter_fact *m) {
  wg_http_facts *f = ctx;
  if (f->n == f->cap) {
    long cap = f->cap ? f->cap * 2 : 4096;
    wg_matter_fact *v = realloc(f->v, (size_t)cap * sizeof *v);
    if (!v) {
      f->failed = 1;
      return 1;
    }
    f->v = v;
    f->cap = cap;
  }
  f->v[f->n++] = *m;
  return 0;
}

/* A reference to facts no older than the audit log (release with
 * facts_release); NULL after an error response. */
static wg_http_facts *facts_get(wg_http_req *r) {
  wg_http_server *srv = r->srv;
  int64_t version = 0;
  wg_err e = wg_store_matter_version(r->worker->store, &version);
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return NULL;
  }
  pthread_mutex_lock(&srv->cache_mu);
  wg_http_facts *f = srv->facts;
  if (f && f->version == version) {
    f->refs++;
    pthread_mutex_unlock(&srv->cache_mu);
    return f;
  }
  pthread_mutex_unlock(&srv->cache_mu);
  f = calloc(1, sizeof *f);
  if (!f) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return NULL;
  }
  f->refs = 1;
  f->version = version;
  e = wg_store_matter_facts(r->worker->store, r->srv->county, 0, 0, keep_fact, f);
  if (!e && f->failed) e = WG_ENOMEM;
  if (e) {
    facts_unref(f);
    wg__http_fail(r, e, NULL, NULL);
    return NULL;
  }
  pthread_mutex_lock(&srv->cache_mu);
  if (!srv->facts || srv->facts->version < version) {
    facts_unref(srv->facts);
    srv->facts = f;
    f->refs++;
  }
  pthread_mutex_unlock(&srv->cache_mu);
  return f;
}

static void facts_release(wg_http_server *srv, wg_http_facts *f) {
  pthread_mutex_lock(&srv->cache_mu);
  facts_unref(f);
  pthread_mutex_unlock(&srv->cache_mu);
}

void wg__api_matter_figures(wg_http_req *r) {
  static const char *const allowed[] = {"by", "level", "from", "to", NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!wg__http_worker(r)) return;
  const char *byname = wg__query_get(&r->query, "by");
  wg_figures_by by = WG_FIG_GRID3;
  if (byname && wg_figures_by_parse(byname, &by) != WG_OK) {
    wg__http_error(r, 400, "invalid_parameter", "by",
                   "by is grid, community, township, worker, category or county");
    return;
  }
  long level;
  if (!wg__param_long(r, "level", 0, 0, 3, &level)) return;
  if ((by == WG_FIG_GRID3 || by == WG_FIG_GRID1 || by == WG_FIG_GRID2) && level)
    by = (wg_figures_by)(WG_FIG_GRID1 + level - 1);
  int64_t from = 0, to = 0;
  const char *f = wg__query_get(&r->query, "from"), *t = wg__query_get(&r->query, "to");
  if (f && wg_matter_time_parse(f, &from) != WG_OK) {
    wg__http_error(r, 400, "invalid_parameter", "from",
                   "from is a date (YYYY-MM-DD) or an ISO 8601 time with a zone");
    return;
  }
  if (t && wg_matter_time_parse(t, &to) != WG_OK) {
    wg__http_error(r, 400, "invalid_parameter", "to",
                   "to is a date (YYYY-MM-DD) or an ISO 8601 time with a zone");
    return;
  }
  if (r->who.role == WG_ROLE_MEMBER || r->who.role == WG_ROLE_AUDITOR) {
    wg__http_error(r, 403, "forbidden", NULL, "figures are for staff");
    return;
  }
  int64_t now = now_s();
  wg_http_facts *facts = facts_get(r);
  if (!facts) return;
  int all = r->who.role == WG_ROLE_ADMIN || r->who.role == WG_ROLE_COUNTY;
  char key[128];
  snprintf(key, sizeof key, "%d|%lld|%lld", (int)by, (long long)from, (long long)to);
  if (all) {
    size_t len = 0;
    pthread_mutex_lock(&r->srv->cache_mu);
    char *hit = fig_cached(facts, key, now / 60, &len);
    pthread_mutex_unlock(&r->srv->cache_mu);
    if (hit) {
      facts_release(r->srv, facts);
      wg__http_raw(r, 200, hit, len, "application/json; charset=utf-8");
      return;
    }
  }
  wg_figures fig;
  wg_figures_init(&fig, by, from, to, now);
  wg_err e = WG_OK;
  for (long i = 0; i < facts->n && !e; i++) {
    const wg_matter_fact *m = &facts->v[i];
    if ((from && m->st.reported_at < from) || (to && m->st.reported_at >= to)) continue;
    e = wg_figures_add(&fig, m);
  }
  wg_figures_finish(&fig);
  if (e) {
    facts_release(r->srv, facts);
    wg_figures_free(&fig);
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  tbuf b = {0};
  char head[200], t0[40] = "null", t1[40] = "null", iso[32];
  if (from) {
    wg_matter_time_iso(from, iso);
    snprintf(t0, sizeof t0, "\"%s\"", iso);
  }
  if (to) {
    wg_matter_time_iso(to, iso);
    snprintf(t1, sizeof t1, "\"%s\"", iso);
  }
  int n = snprintf(head, sizeof head, "{\"by\":\"%s\",\"from\":%s,\"to\":%s,\"total\":",
                   wg_figures_by_name(by), t0, t1);
  if (n > 0) tput(&b, head, (size_t)n);
  /* the county total for the county office only */
  if (all)
    figures_row_text(&b, &fig.total);
  else
    TPUTS(&b, "null");
  TPUTS(&b, ",\"rows\":[");
  int first = 1;
  for (int i = 0; i < fig.n; i++) {
    if (!may_see_key(r, by, fig.rows[i].key)) continue;
    if (!first) TPUTS(&b, ",");
    first = 0;
    figures_row_text(&b, &fig.rows[i]);
  }
  TPUTS(&b, "]}\n");
  wg_figures_free(&fig);
  if (b.failed) {
    facts_release(r->srv, facts);
    free(b.p);
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  if (all) {
    pthread_mutex_lock(&r->srv->cache_mu);
    fig_keep(facts, key, now / 60, b.p, b.len);
    pthread_mutex_unlock(&r->srv->cache_mu);
  }
  facts_release(r->srv, facts);
  wg__http_raw(r, 200, b.p, b.len, "application/json; charset=utf-8");
}

/* ---- photos ---------------------------------------------------------------------------- */

typedef struct upload {
  wg_http_req *r;
  unsigned char *buf;
  size_t len, cap;
  int files, too_big;
} upload;

static int upload_field(void *ctx, const char *key, const char *filename, const char *ctype,
                        const char *data, uint64_t off, size_t size) {
  (void)filename;
  (void)ctype;
  upload *u = ctx;
  if (!key || strcmp(key, "photo") != 0) return 1; /* other fields are ignored */
  if (off == 0) u->files++;
  if (u->files > 1) return 1;
  if (u->len + size > u->cap) {
    u->too_big = 1;
    return 1;
  }
  memcpy(u->buf + u->len, data, size);
  u->len += size;
  return 1;
}

void wg__api_photo_upload(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  if (!wg__http_worker(r)) return;
  upload u = {r, NULL, 0, r->srv->opts.max_body, 0, 0};
  if (u.cap > WG_PHOTO_MAX) u.cap = WG_PHOTO_MAX;
  u.buf = wg__arena_alloc(&r->pool, u.cap + 1);
  if (!u.buf) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  if (!wg__http_form(r, upload_field, &u)) return;
  if (u.files != 1) {
    wg__http_error(r, 400, "invalid", "photo", "send one file in the field 'photo'");
    return;
  }
  if (u.too_big) {
    wg__http_error(r, 413, "too_big", "photo", "a photo is at most %zu bytes", u.cap);
    return;
  }
  char dir[1100], sha[65];
  wg_photo_dir(r->srv->db, dir, sizeof dir);
  wg_errinfo ei = {0};
  wg_err e = wg_photo_save(r->worker->store, dir, r->srv->county, u.buf, u.len, sha, &ei);
  if (e == WG_EFORMAT) {
    wg__http_error(r, 415, "unsupported_media_type", "photo", "%s", ei.why);
    return;
  }
  if (e) {
    fail_ei(r, e, &ei, "photo");
    return;
  }
  char origin[64];
  wg__http_client_address(r, origin, sizeof origin);
  wg_audit_t a = {.action = "photo.upload"};
  snprintf(a.actor, sizeof a.actor, "%s", r->who.login);
  snprintf(a.target, sizeof a.target, "photo %.64s", sha);
  snprintf(a.origin, sizeof a.origin, "%s", origin);
  e = wg_store_audit_add(r->worker->store, &a);
  if (e) {
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  char url[128];
  snprintf(url, sizeof url, "/api/v1/photos/%s", sha);
  wg__http_json(r, 201, json_pack("{s:s, s:s, s:s, s:I}", "sha256", sha, "url", url, "type",
                                  wg_photo_sniff(u.buf, u.len), "size", (json_int_t)u.len));
}

void wg__http_photo_file(wg_http_req *r, const char *sha) {
  if (!wg__http_worker(r)) return;
  char mime[32], dir[1100], path[1300];
  long size = 0;
  wg_photo_dir(r->srv->db, dir, sizeof dir);
  if (!wg_photo_path(dir, sha, path, sizeof path) ||
      wg_store_photo_get(r->worker->store, sha, mime, sizeof mime, &size) != WG_OK) {
    wg__http_error(r, 404, "not_found", "sha256", "no such photo");
    return;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    if (fd >= 0) close(fd);
    wg__http_error(r, 404, "not_found", "sha256", "the photo's file is missing");
    return;
  }
  /* the content never changes under its name */
  snprintf(r->etag, sizeof r->etag, "\"%.32s\"", sha);
  r->content_type = mime[0] == 'i' && strcmp(mime, "image/png") == 0    ? "image/png"
                    : strcmp(mime, "image/webp") == 0                     ? "image/webp"
                                                                          : "image/jpeg";
  r->resp_fd = fd;
  r->fd_size = (size_t)sb.st_size;
  r->status = 200;
}

typedef struct photo_seen {
  wg_http_req *r;
  int attached, visible;
} photo_seen;

static int photo_matter(void *ctx, const wg_matter_row *m) {
  photo_seen *p = ctx;
  p->attached++;
  if (wg__http_can_see_matter(p->r, m)) p->visible = 1;
  return p->visible;
}

/* A photo is as visible as the matters that carry it: once attached, only
 * to who may see one of them (404 to others, as for the matter); before
 * that (just uploaded) to any signed-in user who has its hash. */
void wg__api_photo(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  const char *sha = r->params[0];
  size_t n = strlen(sha);
  int hex = n == 64;
  for (size_t i = 0; hex && i < n; i++) hex = (sha[i] >= '0' && sha[i] <= '9') || (sha[i] >= 'a' && sha[i] <= 'f');
  if (hex) {
    if (!wg__http_worker(r)) return;
    photo_seen p = {r, 0, 0};
    wg_err e = wg_store_photo_matters(r->worker->store, sha, photo_matter, &p);
    if (e) {
      wg__http_fail(r, e, NULL, NULL);
      return;
    }
    if (p.attached && !p.visible) {
      wg__http_error(r, 404, "not_found", "sha256", "no such photo");
      return;
    }
  }
  wg__http_photo_file(r, sha);
}

/* ---- forms through libmicrohttpd's post processor ------------------------------------ */

typedef struct form_ctx {
  wg_http_field_fn fn;
  void *ctx;
} form_ctx;

static enum MHD_Result form_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size) {
  (void)kind;
  (void)transfer_encoding;
  form_ctx *f = cls;
  return f->fn(f->ctx, key, filename, content_type, data, off, size) ? MHD_YES : MHD_NO;
}

int wg__http_form(wg_http_req *r, wg_http_field_fn fn, void *ctx) {
  form_ctx f = {fn, ctx};
  struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 1024, form_iter, &f);
  if (!pp) {
    wg__http_error(r, 415, "unsupported_media_type", "Content-Type",
                   "send multipart/form-data or application/x-www-form-urlencoded");
    return 0;
  }
  enum MHD_Result ok = r->body_len ? MHD_post_process(pp, r->body, r->body_len) : MHD_YES;
  if (MHD_destroy_post_processor(pp) != MHD_YES) ok = MHD_NO;
  if (ok != MHD_YES) {
    wg__http_error(r, 400, "malformed", "body", "the form body is malformed");
    return 0;
  }
  return 1;
}
