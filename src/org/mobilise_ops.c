/* mobilise_ops.c — opening a call for an incident, answers, the live
 * head-count and closing with service hours. The proposal rules are in
 * mobilise.c; here the store is read (the view, the neighbouring grids from
 * the plan's polygons, who is busy on another open call) and written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "org/org.h"
#include "territory/geometry.h"
#include "territory/plan.h"

static wg_err tx_begin(wg_store_t *s, int *own) {
  wg_err e = wg_store_begin(s);
  *own = e == WG_OK;
  return e == WG_ECONFLICT ? WG_OK : e;
}

static wg_err tx_end(wg_store_t *s, int own, wg_err e) {
  if (!own) return e;
  if (e == WG_OK && (e = wg_store_commit(s)) == WG_OK) return WG_OK;
  wg_store_rollback(s);
  return e;
}

static wg_err audit(wg_store_t *s, const wg_org_actor *who, const char *action, int64_t id) {
  wg_audit_t a = {0};
  snprintf(a.actor, sizeof a.actor, "%s", who && who->actor ? who->actor : "unknown");
  snprintf(a.action, sizeof a.action, "%s", action);
  snprintf(a.target, sizeof a.target, "incident #%lld", (long long)id);
  snprintf(a.origin, sizeof a.origin, "%s", who && who->origin ? who->origin : "cli");
  return wg_store_audit_add(s, &a);
}

static void now_iso(char out[32]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static wg_err bad(wg_errinfo *ei, wg_err e, const char *field, const char *why) {
  if (ei) snprintf(ei->field, sizeof ei->field, "%s", field);
  return wg_errinfo_set(ei, e, "%s", why);
}

/* Grids of one level near the affected grid (boxes within ~300 m), with
 * their polygons, for the adjacency test. */
typedef struct near_ctx {
  const wg_org_view *v;
  double minx, miny, maxx, maxy;
  int *idx;
  unsigned char **wkb;
  size_t *len;
  int n, cap;
  wg_err e;
} near_ctx;

static int near_row(void *ctx, const wg_grid_t *g) {
  near_ctx *c = ctx;
  if (!g->geom || g->maxx < c->minx || g->minx > c->maxx || g->maxy < c->miny || g->miny > c->maxy)
    return 0;
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 32;
    int *i = realloc(c->idx, (size_t)cap * sizeof *i);
    if (i) c->idx = i;
    unsigned char **w = realloc(c->wkb, (size_t)cap * sizeof *w);
    if (w) c->wkb = w;
    size_t *l = realloc(c->len, (size_t)cap * sizeof *l);
    if (l) c->len = l;
    if (!i || !w || !l) {
      c->e = WG_ENOMEM;
      return 1;
    }
    c->cap = cap;
  }
  c->wkb[c->n] = malloc(g->geom_len);
  if (!c->wkb[c->n]) {
    c->e = WG_ENOMEM;
    return 1;
  }
  memcpy(c->wkb[c->n], g->geom, g->geom_len);
  c->len[c->n] = g->geom_len;
  c->idx[c->n] = wg_org_grid_find(c->v, g->code);
  c->n++;
  return 0;
}

/* The neighbours (same level, sharing a boundary) of grid g: *out
 * malloc'd indices into v->grids. */
static wg_err neighbours(wg_store_t *s, const wg_org_view *v, int g, int **out, int *n) {
  *out = NULL;
  *n = 0;
  const wg_org_grid *gr = &v->grids[g];
  const double pad = 0.003;
  near_ctx c = {.v = v, .minx = gr->minx - pad, .miny = gr->miny - pad, .maxx = gr->maxx + pad,
                .maxy = gr->maxy + pad};
  wg_err e = wg_store_grid_each(s, v->plan_id, gr->level, near_row, &c);
  if (!e) e = c.e;
  int self = -1;
  for (int i = 0; i < c.n; i++)
    if (c.idx[i] == g) self = i;
  if (!e && self >= 0 && c.n > 1) {
    wg_geom_adjacency adj = {0};
    wg_errinfo ei = {0};
    e = wg_geom_polygon_adjacency(c.n, (const unsigned char *const *)c.wkb, c.len, 1, &adj, &ei);
    if (!e) {
      int k = adj.adj_start[self + 1] - adj.adj_start[self];
      *out = malloc((size_t)(k ? k : 1) * sizeof **out);
      if (!*out) e = WG_ENOMEM;
      for (int j = 0; !e && j < k; j++) {
        int idx = c.idx[adj.adj[adj.adj_start[self] + j]];
        if (idx >= 0) (*out)[(*n)++] = idx;
      }
    }
    wg_geom_adjacency_free(&adj);
  }
  for (int i = 0; i < c.n; i++) free(c.wkb[i]);
  free(c.wkb);
  free(c.len);
  free(c.idx);
  return e;
}

typedef struct busy_ctx {
  int64_t *keys;
  long n, cap;
  int64_t except;
  wg_err e;
} busy_ctx;

static int busy_row(void *ctx, const wg_responder_row *r) {
  busy_ctx *b = ctx;
  if (r->incident_id == b->except || r->status == WG_RESP_DECLINED) return 0;
  if (b->n == b->cap) {
    long cap = b->cap ? b->cap * 2 : 64;
    int64_t *t = realloc(b->keys, (size_t)cap * sizeof *t);
    if (!t) {
      b->e = WG_ENOMEM;
      return 1;
    }
    b->keys = t;
    b->cap = cap;
  }
  b->keys[b->n++] = ((int64_t)r->person_kind << 40) + r->person_id;
  return 0;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Minimal JSON string escaping for the webhook body. */
static void json_escape(char *out, size_t cap, const char *in) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p && o + 7 < cap; p++) {
    if (*p == '"' || *p == '\\') {
      out[o++] = '\\';
      out[o++] = (char)*p;
    } else if (*p < 0x20) {
      o += (size_t)snprintf(out + o, cap - o, "\\u%04x", *p);
    } else {
      out[o++] = (char)*p;
    }
  }
  out[o] = '\0';
}

wg_err wg_mobilise_open(wg_store_t *s, const wg_org_actor *who, wg_incident_row *r, long call,
                        long *called, wg_errinfo *ei) {
  *called = 0;
  if (!r->title[0]) return bad(ei, WG_EINVAL, "title", "what happened, in a few words");
  if (r->need < 1 || r->need > 100000) return bad(ei, WG_EINVAL, "need", "people needed, 1 to 100000");
  wg_err e;
  if (!r->grid[0]) {
    if (r->lon == 0 && r->lat == 0) return bad(ei, WG_EINVAL, "grid", "a grid code or a point (lon, lat)");
    wg_located loc;
    e = wg_plan_locate(s, r->county, r->lon, r->lat, &loc);
    if (e == WG_ENOTFOUND) return bad(ei, e, "lon", "no grid of the active plan holds the point");
    if (e) return e;
    for (int l = 2; l >= 0 && !r->grid[0]; l--)
      if (loc.code[l][0]) snprintf(r->grid, sizeof r->grid, "%s", loc.code[l]);
  }
  wg_org_view v;
  if ((e = wg_org_view_load(s, r->county, &v, ei))) return e;
  int g = wg_org_grid_find(&v, r->grid);
  if (g < 0) {
    wg_org_view_free(&v);
    return bad(ei, WG_ENOTFOUND, "grid", "no such grid in the active plan");
  }
  /* Skills as ",a,b,". */
  char skills[256] = "";
  size_t sl = 0;
  for (const char *p = r->skills; *p;) {
    size_t n = strcspn(p, ",");
    if (n && sl + n + 2 < sizeof skills) {
      if (!sl) skills[sl++] = ',';
      memcpy(skills + sl, p, n);
      sl += n;
      skills[sl++] = ',';
      skills[sl] = '\0';
    }
    p += n;
    if (*p == ',') p++;
  }
  snprintf(r->skills, sizeof r->skills, "%s", skills);
  int *near = NULL, nnear = 0;
  e = neighbours(s, &v, g, &near, &nnear);
  busy_ctx busy = {0};
  if (!e) e = wg_store_responder_each(s, r->county, 0, busy_row, &busy);
  if (!e) e = busy.e;
  if (busy.n) qsort(busy.keys, (size_t)busy.n, sizeof *busy.keys, cmp_i64);
  wg_mobilise_need need = {.lon = r->lon, .lat = r->lat, .grid = g, .need = r->need};
  snprintf(need.skills, sizeof need.skills, "%s", r->skills);
  wg_mobilise_candidate *cand = NULL;
  long ncand = 0;
  if (!e)
    e = wg_mobilise_propose(&v, &need, near, nnear, busy.keys, busy.n,
                            call > 0 ? call : 2L * r->need, &cand, &ncand);
  char *url = NULL;
  if (wg_store_meta_get(s, "mobilise.webhook", &url) != WG_OK) url = NULL;
  int own = 0;
  if (!e) e = tx_begin(s, &own);
  if (!e) {
    r->status = WG_INCIDENT_OPEN;
    snprintf(r->actor, sizeof r->actor, "%s", who && who->actor ? who->actor : "unknown");
    e = wg_store_incident_add(s, r);
    char title[400], text[512];
    json_escape(title, sizeof title, r->title);
    snprintf(text, sizeof text, "应急动员 #%lld：%s（网格 %s，需要 %d 人）", (long long)r->id,
             r->title, r->grid, r->need);
    for (long i = 0; i < ncand && !e; i++) {
      wg_responder_row rr = {.incident_id = r->id, .person_kind = cand[i].kind,
                             .person_id = cand[i].id, .status = WG_RESP_CALLED,
                             .distance = cand[i].distance < 1e9 ? cand[i].distance : 0};
      if (who && who->at) snprintf(rr.updated_at, sizeof rr.updated_at, "%s", who->at);
      e = wg_store_responder_put(s, r->county, &rr);
      if (!e)
        e = wg_store_notice_add(s, r->county, cand[i].kind, cand[i].id, r->id, text,
                                who ? who->at : NULL);
      if (!e && url && *url) {
        /* The gateway resolves the person to a phone number itself: no
         * personal data leaves in the message. */
        char body[768];
        snprintf(body, sizeof body,
                 "{\"event\":\"mobilise.call\",\"incident\":%lld,\"title\":\"%s\",\"grid\":\"%s\","
                 "\"need\":%d,\"person\":{\"kind\":\"%s\",\"id\":%lld},\"distance_m\":%.0f}",
                 (long long)r->id, title, r->grid, r->need,
                 cand[i].kind == WG_PERSON_STAFF ? "staff" : "member", (long long)cand[i].id,
                 rr.distance);
        e = wg_store_outbox_add(s, r->county, url, body);
      }
    }
    if (!e) e = audit(s, who, "incident_open", r->id);
    e = tx_end(s, own, e);
    if (!e) *called = ncand;
  }
  free(url);
  free(cand);
  free(near);
  free(busy.keys);
  wg_org_view_free(&v);
  return e;
}

typedef struct find_ctx {
  int kind;
  int64_t id;
  wg_responder_row found;
  int have;
  int *statuses;
  long n, cap;
} find_ctx;

static int find_row(void *ctx, const wg_responder_row *r) {
  find_ctx *c = ctx;
  if (r->person_kind == c->kind && r->person_id == c->id) {
    c->found = *r;
    c->have = 1;
  }
  if (c->statuses) {
    if (c->n == c->cap) {
      long cap = c->cap * 2;
      int *t = realloc(c->statuses, (size_t)cap * sizeof *t);
      if (!t) return 1;
      c->statuses = t;
      c->cap = cap;
    }
    c->statuses[c->n++] = r->status;
  }
  return 0;
}

wg_err wg_mobilise_respond(wg_store_t *s, const wg_org_actor *who, int64_t incident_id,
                           int person_kind, int64_t person_id, int status, wg_errinfo *ei) {
  if (status != WG_RESP_ACKNOWLEDGED && status != WG_RESP_DECLINED && status != WG_RESP_ARRIVED)
    return bad(ei, WG_EINVAL, "status", "acknowledged, declined or arrived");
  wg_incident_row inc;
  wg_err e = wg_store_incident_get(s, incident_id, &inc);
  if (e == WG_ENOTFOUND) return bad(ei, e, "incident", "no such incident");
  if (e) return e;
  if (inc.status != WG_INCIDENT_OPEN) return bad(ei, WG_ECONFLICT, "incident", "the call is closed");
  find_ctx c = {.kind = person_kind, .id = person_id};
  if ((e = wg_store_responder_each(s, inc.county, incident_id, find_row, &c))) return e;
  if (!c.have) return bad(ei, WG_ENOTFOUND, "person", "this person was not called for the incident");
  c.found.status = status;
  c.found.updated_at[0] = '\0';
  if (who && who->at) snprintf(c.found.updated_at, sizeof c.found.updated_at, "%s", who->at);
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_responder_put(s, inc.county, &c.found);
  static const char *const actions[] = {"", "", "incident_ack", "incident_decline", "incident_arrive"};
  if (!e) e = audit(s, who, actions[status], incident_id);
  return tx_end(s, own, e);
}

wg_err wg_mobilise_count(wg_store_t *s, int64_t incident_id, wg_headcount *out) {
  wg_incident_row inc;
  wg_err e = wg_store_incident_get(s, incident_id, &inc);
  if (e) return e;
  find_ctx c = {.kind = 0, .cap = 64};
  c.statuses = malloc(64 * sizeof *c.statuses);
  if (!c.statuses) return WG_ENOMEM;
  e = wg_store_responder_each(s, inc.county, incident_id, find_row, &c);
  if (!e) wg_mobilise_headcount(inc.need, c.statuses, c.n, out);
  free(c.statuses);
  return e;
}

typedef struct close_ctx {
  wg_responder_row *rows;
  long n, cap;
} close_ctx;

static int close_row(void *ctx, const wg_responder_row *r) {
  close_ctx *c = ctx;
  if (r->status != WG_RESP_ARRIVED) return 0;
  if (c->n == c->cap) {
    long cap = c->cap ? c->cap * 2 : 64;
    wg_responder_row *t = realloc(c->rows, (size_t)cap * sizeof *t);
    if (!t) return 1;
    c->rows = t;
    c->cap = cap;
  }
  c->rows[c->n++] = *r;
  return 0;
}

wg_err wg_mobilise_close(wg_store_t *s, const wg_org_actor *who, int64_t incident_id,
                         double hours, const char *summary, wg_errinfo *ei) {
  if (!(hours > 0 && hours <= 24)) return bad(ei, WG_EINVAL, "hours", "service hours per responder, 0 to 24");
  wg_incident_row inc;
  wg_err e = wg_store_incident_get(s, incident_id, &inc);
  if (e == WG_ENOTFOUND) return bad(ei, e, "incident", "no such incident");
  if (e) return e;
  if (inc.status != WG_INCIDENT_OPEN) return bad(ei, WG_ECONFLICT, "incident", "already closed");
  close_ctx c = {0};
  if ((e = wg_store_responder_each(s, inc.county, incident_id, close_row, &c))) {
    free(c.rows);
    return e;
  }
  int own;
  if ((e = tx_begin(s, &own))) {
    free(c.rows);
    return e;
  }
  /* the service date: the day the incident was opened (YYYY-MM-DD…) */
  int32_t today = 0;
  if (strlen(inc.created_at) >= 10) {
    char d[9] = {inc.created_at[0], inc.created_at[1], inc.created_at[2], inc.created_at[3],
                 inc.created_at[5], inc.created_at[6], inc.created_at[8], inc.created_at[9], 0};
    today = (int32_t)strtol(d, NULL, 10);
  }
  for (long i = 0; i < c.n && !e; i++) {
    wg_service_row sv = {0};
    snprintf(sv.county, sizeof sv.county, "%s", inc.county);
    if (c.rows[i].person_kind == WG_PERSON_MEMBER)
      sv.member_id = c.rows[i].person_id;
    else
      sv.staff_id = c.rows[i].person_id;
    snprintf(sv.kind, sizeof sv.kind, "emergency");
    sv.date = today;
    sv.hours = hours;
    snprintf(sv.grid, sizeof sv.grid, "%s", inc.grid);
    sv.incident_id = incident_id;
    snprintf(sv.note, sizeof sv.note, "%.200s", inc.title);
    snprintf(sv.actor, sizeof sv.actor, "%s", who && who->actor ? who->actor : "unknown");
    if (who && who->at) snprintf(sv.recorded_at, sizeof sv.recorded_at, "%s", who->at);
    e = wg_store_service_add(s, &sv);
  }
  inc.status = WG_INCIDENT_CLOSED;
  if (who && who->at)
    snprintf(inc.closed_at, sizeof inc.closed_at, "%s", who->at);
  else
    now_iso(inc.closed_at);
  inc.hours = hours;
  snprintf(inc.summary, sizeof inc.summary, "%s", summary ? summary : "");
  if (!e) e = wg_store_incident_update(s, &inc);
  if (!e) e = audit(s, who, "incident_close", incident_id);
  free(c.rows);
  return tx_end(s, own, e);
}
