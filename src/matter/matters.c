/* matters.c — matters against the store: report with routing, act, the
 * deadline clock and the trail check. */
#include "matter/matters.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/present.h"

/* ---- time ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yy + (*m <= 2));
}

void wg_matter_time_iso(int64_t t, char out[32]) {
  int64_t local = t + 8 * 3600; /* China Standard Time, no daylight saving */
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t sec = local - days * 86400;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d, (int)(sec / 3600),
           (int)(sec / 60 % 60), (int)(sec % 60));
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

wg_err wg_matter_time_parse(const char *t, int64_t *out) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!t || strlen(t) < 10 || !digits(t, 4, &y) || t[4] != '-' || !digits(t + 5, 2, &mo) ||
      t[7] != '-' || !digits(t + 8, 2, &d))
    return WG_EINVAL;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
      (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
    return WG_EINVAL;
  const char *p = t + 10;
  int64_t offset = 8 * 3600; /* a bare date: China time */
  if (*p == 'T' || *p == ' ') {
    if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi)) return WG_EINVAL;
    p += 6;
    if (*p == ':') {
      if (!digits(p + 1, 2, &se)) return WG_EINVAL;
      p += 3;
      if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++;
      }
    }
    if (h > 23 || mi > 59 || se > 60) return WG_EINVAL;
    if (*p == 'Z') {
      offset = 0;
      p++;
    } else if (*p == '+' || *p == '-') {
      int oh, om;
      int sign = *p == '-' ? -1 : 1;
      if (!digits(p + 1, 2, &oh)) return WG_EINVAL;
      p += 3;
      if (*p == ':') p++;
      if (!digits(p, 2, &om)) return WG_EINVAL;
      p += 2;
      if (oh > 14 || om > 59) return WG_EINVAL;
      offset = sign * (oh * 3600 + om * 60);
    } else {
      return WG_EINVAL; /* a time needs its zone */
    }
  }
  if (*p) return WG_EINVAL;
  *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return WG_OK;
}

/* ---- who is who --------------------------------------------------------------- */

int wg_matters_visible(const wg_principal *p, const wg_matter_row *m) {
  if (!p) return 1;
  if (p->role == WG_ROLE_ADMIN) return 1;
  if (m->reporter[0] && strcmp(m->reporter, p->login) == 0) return 1;
  for (int l = 2; l >= 0; l--)
    if (m->grid[l][0]) return wg_auth_can_see(p, m->grid[l]);
  if (m->community[0]) return wg_auth_can_see(p, m->community);
  /* a matter outside every grid and community: the county's */
  char county[13];
  snprintf(county, sizeof county, "%.6s000000", m->county);
  return wg_auth_can_see(p, county);
}

unsigned wg_matters_kinds(const wg_principal *p, const wg_matter_row *m) {
  if (!p) return WG_MACT_REPORTER | WG_MACT_HANDLER | WG_MACT_SUPERVISOR;
  unsigned k = 0;
  if (m->reporter[0] && strcmp(m->reporter, p->login) == 0) k |= WG_MACT_REPORTER;
  /* visibility by place, without the reporter's own right */
  int in_scope = 0;
  if (p->role == WG_ROLE_ADMIN) {
    in_scope = 1;
  } else {
    int found = 0;
    for (int l = 2; l >= 0 && !found; l--)
      if (m->grid[l][0]) {
        in_scope = wg_auth_can_see(p, m->grid[l]);
        found = 1;
      }
    if (!found) {
      char county[13];
      snprintf(county, sizeof county, "%.6s000000", m->county);
      in_scope = wg_auth_can_see(p, m->community[0] ? m->community : county);
    }
  }
  if (!in_scope) return k;
  switch (p->role) {
    case WG_ROLE_ADMIN:
    case WG_ROLE_COUNTY: k |= WG_MACT_SUPERVISOR; break;
    case WG_ROLE_TOWNSHIP:
      if (m->st.level <= WG_MLEVEL_TOWNSHIP) k |= WG_MACT_SUPERVISOR;
      break;
    case WG_ROLE_COMMUNITY:
      if (m->st.level <= WG_MLEVEL_COMMUNITY) k |= WG_MACT_SUPERVISOR;
      break;
    case WG_ROLE_GRID_WORKER:
      if (m->st.handler == p->user_id || m->st.handler == 0) k |= WG_MACT_HANDLER;
      break;
    default: break;
  }
  return k;
}

/* ---- report -------------------------------------------------------------------- */

static wg_err bad(wg_errinfo *ei, const char *field, const char *why) {
  if (ei) {
    snprintf(ei->field, sizeof ei->field, "%s", field);
    snprintf(ei->why, sizeof ei->why, "%s", why);
  }
  return WG_EINVAL;
}

/* Photos: up to 8 SHA-256 hex values, comma separated, each stored. */
static wg_err check_photos(wg_store_t *s, const char *list, wg_errinfo *ei) {
  if (!list || !*list) return WG_OK;
  if (strlen(list) >= 8 * 65) return bad(ei, "photos", "at most 8 photos per step");
  const char *p = list;
  while (*p) {
    size_t n = strcspn(p, ",");
    char sha[65], mime[32];
    if (n != 64) return bad(ei, "photos", "a photo is named by its SHA-256 (64 hex digits)");
    memcpy(sha, p, 64);
    sha[64] = '\0';
    if (wg_store_photo_get(s, sha, mime, sizeof mime, NULL) != WG_OK)
      return bad(ei, "photos", "no such photo: upload it first");
    p += n;
    if (*p == ',') p++;
  }
  return WG_OK;
}

static int text_ok(const char *t, size_t cap) {
  return t && strlen(t) < cap;
}

/* Runs fn inside a transaction of its own, or inside the caller's. */
static wg_err tx_begin(wg_store_t *s, int *own) {
  wg_err e = wg_store_begin(s);
  if (e == WG_ECONFLICT) {
    *own = 0;
    return WG_OK;
  }
  *own = e == WG_OK;
  return e;
}

static wg_err tx_end(wg_store_t *s, int own, wg_err e) {
  if (!own) return e;
  if (e == WG_OK) {
    e = wg_store_commit(s);
    if (e == WG_OK) return WG_OK;
  }
  wg_store_rollback(s);
  return e;
}

static wg_err audit(wg_store_t *s, const char *actor, const char *origin, const char *action,
                    int64_t id, const char *note) {
  wg_audit_t a = {0};
  snprintf(a.actor, sizeof a.actor, "%s", actor && *actor ? actor : "unknown");
  snprintf(a.action, sizeof a.action, "matter.%s", action);
  snprintf(a.target, sizeof a.target, "matter #%lld", (long long)id);
  snprintf(a.reason, sizeof a.reason, "%s", note ? note : "");
  snprintf(a.origin, sizeof a.origin, "%s", origin && *origin ? origin : "cli");
  return wg_store_audit_add(s, &a);
}

wg_err wg_matters_report(wg_store_t *s, const char *county, const wg_matter_report *in,
                         wg_matter_row *out, wg_errinfo *ei) {
  wg_category_t cat;
  if (!in->category || !*in->category) return bad(ei, "category", "a category is required");
  wg_err e = WG_OK;
  if (in->cat && strcmp(in->cat->code, in->category) == 0)
    cat = *in->cat;
  else
    e = wg_store_category_get(s, in->category, &cat);
  if (e == WG_ENOTFOUND || (!e && !cat.active)) {
    if (ei) snprintf(ei->field, sizeof ei->field, "category");
    return wg_errinfo_set(ei, e ? e : WG_EINVAL, "no category '%.40s' (wangge category list)",
                          in->category);
  }
  if (e) return e;
  if (!in->title || !*in->title) return bad(ei, "title", "a title is required");
  if (!text_ok(in->title, sizeof out->title)) return bad(ei, "title", "at most 127 bytes");
  if (in->description && !text_ok(in->description, sizeof out->description))
    return bad(ei, "description", "at most 1023 bytes");
  if (in->address && !text_ok(in->address, sizeof out->address))
    return bad(ei, "address", "at most 255 bytes");
  if (in->reporter_name && !text_ok(in->reporter_name, sizeof out->reporter_name))
    return bad(ei, "reporter_name", "at most 63 bytes");
  if (in->reporter_phone && !text_ok(in->reporter_phone, sizeof out->reporter_phone))
    return bad(ei, "reporter_phone", "at most 23 bytes");
  if (in->located && (!(in->lon >= -180 && in->lon <= 180) || !(in->lat >= -90 && in->lat <= 90)))
    return bad(ei, "lon", "lon/lat must be WGS84 degrees");
  if (!in->located && (!in->address || !*in->address))
    return bad(ei, "lat", "a location (lon/lat) or an address is required");

  wg_matter_row *m = out;
  memset(m, 0, sizeof *m);
  snprintf(m->county, sizeof m->county, "%s", county);
  snprintf(m->category, sizeof m->category, "%s", cat.code);
  snprintf(m->title, sizeof m->title, "%s", in->title);
  snprintf(m->description, sizeof m->description, "%s", in->description ? in->description : "");
  snprintf(m->address, sizeof m->address, "%s", in->address ? in->address : "");
  snprintf(m->reporter, sizeof m->reporter, "%s", in->reporter ? in->reporter : "public");
  snprintf(m->reporter_name, sizeof m->reporter_name, "%s",
           in->reporter_name ? in->reporter_name : "");
  snprintf(m->reporter_phone, sizeof m->reporter_phone, "%s",
           in->reporter_phone ? in->reporter_phone : "");
  snprintf(m->source, sizeof m->source, "%s", in->source ? in->source : "cli");
  m->policy = cat.policy;
  m->located = in->located;
  m->lon = in->lon;
  m->lat = in->lat;

  /* a standard address without a position: the building it names gives one */
  if (!m->located && m->address[0]) {
    char community[13];
    double blon, blat;
    e = wg_store_building_match(s, county, m->address, &blon, &blat, community);
    if (e && e != WG_ENOTFOUND) return e;
    if (!e) {
      m->located = 1;
      m->lon = blon;
      m->lat = blat;
      snprintf(m->community, sizeof m->community, "%s", community); /* until a grid says */
    }
  }
  /* routing */
  wg_located loc;
  memset(&loc, 0, sizeof loc);
  int placed = 0;
  if (in->where) {
    loc = *in->where;
    placed = loc.code[0][0] || loc.code[1][0] || loc.code[2][0];
  }
  if (!placed && m->located && (!in->where || !in->located)) {
    e = wg_plan_locate(s, county, m->lon, m->lat, &loc);
    if (e && e != WG_ENOTFOUND) return e;
    placed = e == WG_OK;
  }
  int64_t handler = 0;
  if (placed) {
    m->plan_id = loc.plan_id;
    memcpy(m->grid, loc.code, sizeof m->grid);
    snprintf(m->community, sizeof m->community, "%s", loc.community);
    if (in->routed && in->where && in->located) {
      handler = in->handler;
    } else {
      e = wg_matters_route(s, &loc, &handler);
      if (e) return e;
    }
  }
  int level = cat.level;
  if (level == WG_MLEVEL_GRID && !handler)
    level = m->community[0] ? WG_MLEVEL_COMMUNITY : WG_MLEVEL_COUNTY;
  if (!m->community[0] && level < WG_MLEVEL_COUNTY) level = WG_MLEVEL_COUNTY;

  e = check_photos(s, in->photos, ei);
  if (e) return e;

  /* the token: the report time (so new tokens go to the end of their
   * index) and 96 random bits (so nobody guesses another's) */
  unsigned char rnd[12];
  randombytes_buf(rnd, sizeof rnd);
  snprintf(m->token, sizeof m->token, "%08llx", (unsigned long long)(in->now & 0xffffffffLL));
  sodium_bin2hex(m->token + 8, sizeof m->token - 8, rnd, sizeof rnd);

  wg_matter_event_row *ev = calloc(1, sizeof *ev);
  if (!ev) return WG_ENOMEM;
  ev->ev.action = WG_MA_REPORT;
  ev->ev.actor = in->kind ? in->kind : WG_MACT_REPORTER;
  ev->ev.at = in->now;
  ev->ev.handler = handler;
  ev->ev.value = level;
  snprintf(ev->actor, sizeof ev->actor, "%s", in->actor ? in->actor : m->reporter);
  snprintf(ev->photos, sizeof ev->photos, "%s", in->photos ? in->photos : "");
  wg_matter_state_init(&m->st);
  e = wg_matter_apply(&m->st, &m->policy, &ev->ev, ei);
  int own = 0;
  if (!e) e = tx_begin(s, &own);
  if (!e) {
    e = wg_store_matter_insert(s, m, ev);
    if (!e && !in->no_audit) e = audit(s, ev->actor, in->origin, "report", m->id, m->category);
    e = tx_end(s, own, e);
  }
  free(ev);
  return e;
}

wg_err wg_matters_route(wg_store_t *s, const wg_located *where, int64_t *handler) {
  *handler = 0;
  for (int l = 2; l >= 0 && !*handler; l--) {
    if (!where->code[l][0]) continue;
    wg_err e = wg_store_user_for_scope(s, where->code[l], WG_ROLE_GRID_WORKER, handler);
    if (e && e != WG_ENOTFOUND) return e;
  }
  return WG_OK;
}

/* ---- act ------------------------------------------------------------------------- */

wg_err wg_matters_act(wg_store_t *s, int64_t id, const wg_matter_who *who,
                      const wg_matter_step *step, wg_matter_row *out, wg_errinfo *ei) {
  wg_matter_row *m = malloc(sizeof *m);
  wg_matter_event_row *ev = calloc(1, sizeof *ev);
  wg_err e = m && ev ? WG_OK : WG_ENOMEM;
  int own = 0;
  if (!e) e = tx_begin(s, &own);
  if (e) goto done;
  e = wg_store_matter_get(s, id, m);
  if (e == WG_ENOTFOUND || (!e && !who->system && !wg_matters_visible(who->p, m))) {
    e = wg_errinfo_set(ei, WG_ENOTFOUND, "no matter #%lld", (long long)id);
    goto end;
  }
  if (e) goto end;
  if (step->note && strlen(step->note) >= sizeof ev->note) {
    e = bad(ei, "note", "a note is at most 511 bytes");
    goto end;
  }
  if ((e = check_photos(s, step->photos, ei))) goto end;

  unsigned kinds = who->system ? WG_MACT_SYSTEM : wg_matters_kinds(who->p, m);
  unsigned allowed = wg_matter_allowed(step->action, m->st.status);
  unsigned both = kinds & allowed;
  wg_matter_actor kind = both & WG_MACT_SUPERVISOR ? WG_MACT_SUPERVISOR
                         : both & WG_MACT_HANDLER  ? WG_MACT_HANDLER
                         : both & WG_MACT_REPORTER ? WG_MACT_REPORTER
                         : both & WG_MACT_SYSTEM   ? WG_MACT_SYSTEM
                                                   : 0;
  if (allowed && !kind) {
    e = wg_errinfo_set(ei, WG_EPERM, "you may not %s this matter (it is %s, at %s level)",
                       wg_matter_action_name(step->action), wg_matter_status_name(m->st.status),
                       wg_matter_level_name(m->st.level));
    goto end;
  }
  if (!kind) kind = WG_MACT_SUPERVISOR; /* apply says why the state refuses it */

  if (step->action == WG_MA_DISPATCH) {
    wg_user_row *u = malloc(sizeof *u);
    e = u ? wg_store_user_get_id(s, step->handler, u) : WG_ENOMEM;
    if (e == WG_ENOTFOUND || (!e && (u->role != WG_ROLE_GRID_WORKER || u->disabled)))
      e = bad(ei, "handler", "dispatch to an enabled user of role grid-worker");
    free(u);
    if (e) goto end;
  }
  if (step->action == WG_MA_MERGE) {
    wg_matter_row *o = malloc(sizeof *o);
    e = o ? wg_store_matter_get(s, step->other, o) : WG_ENOMEM;
    if (e == WG_ENOTFOUND || (!e && (o->id == m->id || strcmp(o->county, m->county) ||
                                     !wg_matter_is_open(o->st.status))))
      e = bad(ei, "into", "merge into another open matter of the county");
    free(o);
    if (e) goto end;
  }

  ev->ev.action = step->action;
  ev->ev.actor = kind;
  ev->ev.at = step->now;
  ev->ev.handler = step->handler;
  ev->ev.other = step->other;
  ev->ev.value = step->value;
  ev->ev.has_note = step->note && *step->note;
  snprintf(ev->note, sizeof ev->note, "%s", step->note ? step->note : "");
  snprintf(ev->photos, sizeof ev->photos, "%s", step->photos ? step->photos : "");
  snprintf(ev->actor, sizeof ev->actor, "%s",
           who->system ? "system" : who->actor ? who->actor : "unknown");
  if (ev->ev.at < m->st.last_at) ev->ev.at = m->st.last_at; /* clocks of two machines */
  e = wg_matter_apply(&m->st, &m->policy, &ev->ev, ei);
  if (!e) e = wg_store_matter_update(s, m, ev);
  if (!e && !who->no_audit)
    e = audit(s, ev->actor, who->system ? "system" : who->origin,
              wg_matter_action_name(step->action), m->id, ev->note);
end:
  e = tx_end(s, own, e);
  if (!e && out) *out = *m;
done:
  free(m);
  free(ev);
  return e;
}

/* ---- the deadline clock ------------------------------------------------------------ */

wg_err wg_matters_tick(wg_store_t *s, const char *county, int64_t now, long *escalated) {
  if (escalated) *escalated = 0;
  enum { BATCH = 256 };
  int64_t ids[BATCH];
  for (int rounds = 0; rounds < 100000; rounds++) {
    int n = 0;
    wg_err e = wg_store_matter_due(s, county, now, ids, BATCH, &n);
    if (e) return e;
    long done = 0;
    for (int i = 0; i < n; i++) {
      wg_matter_row *m = malloc(sizeof *m);
      if (!m) return WG_ENOMEM;
      e = wg_store_matter_get(s, ids[i], m);
      int due = !e && wg_matter_due_escalation(&m->st, now);
      free(m);
      if (e) return e;
      if (!due) continue;
      wg_matter_who sys = {.system = 1, .origin = "system"};
      wg_matter_step step = {.action = WG_MA_ESCALATE, .now = now};
      e = wg_matters_act(s, ids[i], &sys, &step, NULL, NULL);
      if (e == WG_ECONFLICT) continue; /* someone acted meanwhile: next tick */
      if (e) return e;
      done++;
      if (escalated) (*escalated)++;
    }
    /* the due list holds only matters that can still go up; stop when a
     * round escalates nothing (each escalation moves its deadline on) */
    if (n < BATCH || done == 0) break;
  }
  return WG_OK;
}

/* ---- the trail check ------------------------------------------------------------------ */

typedef struct collect {
  wg_matter_event *evs;
  int n, cap;
  int failed;
} collect;

static int collect_event(void *ctx, const wg_matter_event_row *e) {
  collect *c = ctx;
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 16;
    wg_matter_event *n = realloc(c->evs, (size_t)cap * sizeof *n);
    if (!n) {
      c->failed = 1;
      return 1;
    }
    c->evs = n;
    c->cap = cap;
  }
  c->evs[c->n++] = e->ev;
  return 0;
}

wg_err wg_matters_check(wg_store_t *s, int64_t id, wg_errinfo *ei) {
  wg_matter_row *m = malloc(sizeof *m);
  if (!m) return WG_ENOMEM;
  collect c = {0};
  wg_err e = wg_store_matter_get(s, id, m);
  if (!e) e = wg_store_matter_events(s, id, collect_event, &c);
  if (!e && c.failed) e = WG_ENOMEM;
  if (!e) {
    wg_matter_state st;
    e = wg_matter_replay(&m->policy, c.evs, c.n, &st, ei);
    if (!e && (c.n != m->version || memcmp(&st, &m->st, sizeof st) != 0))
      e = wg_errinfo_set(ei, WG_ECORRUPT,
                         "matter #%lld: its stored state differs from its %d events",
                         (long long)id, c.n);
  }
  free(c.evs);
  free(m);
  return e;
}

/* ---- API keys, masking ------------------------------------------------------------ */

void wg_matters_apikey_new(char key[48], char hash[65]) {
  unsigned char rnd[20];
  randombytes_buf(rnd, sizeof rnd);
  memcpy(key, "wg_", 3);
  sodium_bin2hex(key + 3, 41, rnd, sizeof rnd);
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
  sodium_bin2hex(hash, 65, h, sizeof h);
  sodium_memzero(rnd, sizeof rnd);
}

wg_err wg_matters_apikey_check(wg_store_t *s, const char *key, wg_api_key_row *out) {
  if (!key || strlen(key) != 43 || strncmp(key, "wg_", 3) != 0) return WG_EPERM;
  unsigned char h[crypto_hash_sha256_BYTES];
  char hash[65];
  crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
  sodium_bin2hex(hash, sizeof hash, h, sizeof h);
  wg_err e = wg_store_api_key_find(s, hash, out);
  if (e == WG_ENOTFOUND || (!e && out->revoked_at[0])) return WG_EPERM;
  return e;
}

void wg_matters_reporter_masked(const wg_matter_row *m, char name[64], char phone[24]) {
  wg_present_reporter(m->reporter_name, m->reporter_phone, name, phone);
}
