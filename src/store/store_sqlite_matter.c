/* store_sqlite_matter.c — matters, their events, categories, photos and API
 * keys, for the SQLite backend of store.h.
 *
 * A matter's state change and its event are written under one SAVEPOINT
 * (atomic inside or outside a caller's transaction); the schema refuses an
 * update of a matter without a new event, and any change to an event. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* ---- helpers ------------------------------------------------------------ */

/* A statement kept by the store (see wg__store_cached): reset after use,
 * never finalized. */
static sqlite3_stmt *cached(wg_store_t *s, const char *sql) {
  return wg__store_cached(s, sql);
}

static wg_err run_cached(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return wg__sqlite_step_rc(rc);
}

static wg_err exec(wg_store_t *s, const char *sql) {
  int rc = sqlite3_exec(wg__store_db(s), sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? WG_OK : wg__sqlite_step_rc(rc);
}

static wg_err sp_begin(wg_store_t *s) {
  static const char sql[] = "SAVEPOINT wg_matter";
  sqlite3_stmt *st = cached(s, sql);
  return st ? run_cached(st) : WG_EDB;
}
static wg_err sp_end(wg_store_t *s, wg_err e) {
  if (e == WG_OK) {
    static const char sql[] = "RELEASE wg_matter";
    sqlite3_stmt *st = cached(s, sql);
    e = st ? run_cached(st) : WG_EDB;
    if (e == WG_OK) return WG_OK;
  }
  (void)exec(s, "ROLLBACK TO wg_matter");
  (void)exec(s, "RELEASE wg_matter");
  return e;
}

#define TEXT(st, i) sqlite3_column_text(st, i)

/* ---- categories ------------------------------------------------------------ */

#define CATEGORY_COLS \
  "code, name_zh, name_en, level, accept_h, dispatch_h, handle_h, verify_h, active, description"

static void read_category(sqlite3_stmt *st, wg_category_t *c) {
  memset(c, 0, sizeof *c);
  wg__copy_text(c->code, sizeof c->code, TEXT(st, 0));
  wg__copy_text(c->name_zh, sizeof c->name_zh, TEXT(st, 1));
  wg__copy_text(c->name_en, sizeof c->name_en, TEXT(st, 2));
  c->level = sqlite3_column_int(st, 3);
  for (int i = 0; i < WG_STAGE_COUNT_; i++) c->policy.hours[i] = sqlite3_column_int(st, 4 + i);
  c->active = sqlite3_column_int(st, 8);
  wg__copy_text(c->description, sizeof c->description, TEXT(st, 9));
}

wg_err wg_store_category_put(wg_store_t *s, const wg_category_t *c) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "INSERT OR REPLACE INTO matter_category(" CATEGORY_COLS
                                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, c->code);
  wg__bind_text(st, 2, c->name_zh);
  wg__bind_text(st, 3, c->name_en);
  sqlite3_bind_int(st, 4, c->level);
  for (int i = 0; i < WG_STAGE_COUNT_; i++) sqlite3_bind_int(st, 5 + i, c->policy.hours[i]);
  sqlite3_bind_int(st, 9, c->active ? 1 : 0);
  wg__bind_text(st, 10, c->description);
  wg_err e = wg__sqlite_run_done(st);
  return e == WG_EEXIST ? WG_EINVAL : e;
}

wg_err wg_store_category_get(wg_store_t *s, const char *code, wg_category_t *out) {
  sqlite3_stmt *st = cached(s, "SELECT " CATEGORY_COLS " FROM matter_category WHERE code = ?1");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, code ? code : "");
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (rc == SQLITE_ROW) read_category(st, out);
  sqlite3_reset(st);
  return e;
}

wg_err wg_store_category_each(wg_store_t *s, int all, wg_category_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " CATEGORY_COLS
                                " FROM matter_category WHERE ?1 OR active ORDER BY code");
  if (!st) return WG_EDB;
  sqlite3_bind_int(st, 1, all ? 1 : 0);
  wg_category_t c;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_category(st, &c);
    if (fn(ctx, &c)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

/* ---- matters ---------------------------------------------------------------- */

/* The state columns, in wg_matter_state order as read_state expects. */
#define STATE_COLS                                                                           \
  "status, resume_to, level, handler, merged_into, ext_pending, extensions, reworks, reopens," \
  " escalations, satisfaction, reported_at, accepted_at, dispatched_at, started_at,"         \
  " handled_at, verified_at, closed_at, evaluated_at, stage_at, due_at, expected_at,"        \
  " ext_hours, overdue, paused_left, last_at"
enum { NSTATE = 26 };

#define MATTER_COLS                                                                          \
  "id, county, category, title, description, located, lon, lat, address, community,"       \
  " plan_id, grid1, grid2, grid3, reporter, reporter_name, reporter_phone, source, token," \
  " hours, version, " STATE_COLS
enum { NMATTER_HEAD = 21 };

static void bind_state(sqlite3_stmt *st, int c, const wg_matter_state *m) {
  const int64_t v[NSTATE] = {
      m->status,      m->resume_to,   m->level,        m->handler,     m->merged_into,
      m->ext_pending, m->extensions,  m->reworks,      m->reopens,     m->escalations,
      m->satisfaction, m->reported_at, m->accepted_at, m->dispatched_at, m->started_at,
      m->handled_at,  m->verified_at, m->closed_at,    m->evaluated_at, m->stage_at,
      m->due_at,      m->expected_at, m->ext_hours,    m->overdue,     m->paused_left,
      m->last_at};
  for (int i = 0; i < NSTATE; i++) sqlite3_bind_int64(st, c + i, v[i]);
}

static void read_state(sqlite3_stmt *st, int c, wg_matter_state *m) {
  int64_t v[NSTATE];
  for (int i = 0; i < NSTATE; i++) v[i] = sqlite3_column_int64(st, c + i);
  memset(m, 0, sizeof *m);
  m->status = (wg_matter_status)v[0];
  m->resume_to = (wg_matter_status)v[1];
  m->level = (int)v[2];
  m->handler = v[3];
  m->merged_into = v[4];
  m->ext_pending = (int)v[5];
  m->extensions = (int)v[6];
  m->reworks = (int)v[7];
  m->reopens = (int)v[8];
  m->escalations = (int)v[9];
  m->satisfaction = (int)v[10];
  m->reported_at = v[11];
  m->accepted_at = v[12];
  m->dispatched_at = v[13];
  m->started_at = v[14];
  m->handled_at = v[15];
  m->verified_at = v[16];
  m->closed_at = v[17];
  m->evaluated_at = v[18];
  m->stage_at = v[19];
  m->due_at = v[20];
  m->expected_at = v[21];
  m->ext_hours = (int)v[22];
  m->overdue = (int)v[23];
  m->paused_left = v[24];
  m->last_at = v[25];
}

static void read_matter(sqlite3_stmt *st, wg_matter_row *m) {
  memset(m, 0, sizeof *m);
  m->id = sqlite3_column_int64(st, 0);
  wg__copy_text(m->county, sizeof m->county, TEXT(st, 1));
  wg__copy_text(m->category, sizeof m->category, TEXT(st, 2));
  wg__copy_text(m->title, sizeof m->title, TEXT(st, 3));
  wg__copy_text(m->description, sizeof m->description, TEXT(st, 4));
  m->located = sqlite3_column_int(st, 5);
  m->lon = sqlite3_column_double(st, 6);
  m->lat = sqlite3_column_double(st, 7);
  wg__copy_text(m->address, sizeof m->address, TEXT(st, 8));
  wg__copy_text(m->community, sizeof m->community, TEXT(st, 9));
  m->plan_id = sqlite3_column_int64(st, 10);
  for (int i = 0; i < 3; i++) wg__copy_text(m->grid[i], sizeof m->grid[i], TEXT(st, 11 + i));
  wg__copy_text(m->reporter, sizeof m->reporter, TEXT(st, 14));
  wg__copy_text(m->reporter_name, sizeof m->reporter_name, TEXT(st, 15));
  wg__copy_text(m->reporter_phone, sizeof m->reporter_phone, TEXT(st, 16));
  wg__copy_text(m->source, sizeof m->source, TEXT(st, 17));
  wg__copy_text(m->token, sizeof m->token, TEXT(st, 18));
  const char *h = (const char *)TEXT(st, 19);
  if (h)
    sscanf(h, "%d,%d,%d,%d", &m->policy.hours[0], &m->policy.hours[1], &m->policy.hours[2],
           &m->policy.hours[3]);
  m->version = sqlite3_column_int(st, 20);
  read_state(st, NMATTER_HEAD, &m->st);
}

static wg_err event_insert(wg_store_t *s, const char *county, wg_matter_event_row *e) {
  sqlite3_stmt *st = cached(s,
                             "INSERT INTO matter_event(matter_id, seq, county, action, actor_kind,"
                             " actor, at, from_status, to_status, handler, other, value, note,"
                             " photos) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                             " ?13, ?14)");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, e->matter_id);
  sqlite3_bind_int(st, 2, e->seq);
  wg__bind_text(st, 3, county);
  sqlite3_bind_int(st, 4, e->ev.action);
  sqlite3_bind_int(st, 5, e->ev.actor);
  wg__bind_text(st, 6, e->actor);
  sqlite3_bind_int64(st, 7, e->ev.at);
  sqlite3_bind_int(st, 8, e->ev.from);
  sqlite3_bind_int(st, 9, e->ev.to);
  sqlite3_bind_int64(st, 10, e->ev.handler);
  sqlite3_bind_int64(st, 11, e->ev.other);
  sqlite3_bind_int(st, 12, e->ev.value);
  wg__bind_text(st, 13, e->note);
  wg__bind_text(st, 14, e->photos);
  return run_cached(st);
}

/* Inserts the matter row with version v (no event). */
static wg_err matter_row_insert(wg_store_t *s, wg_matter_row *m, int v);

wg_err wg_store_matter_insert(wg_store_t *s, wg_matter_row *m, wg_matter_event_row *ev) {
  wg_err e = sp_begin(s);
  if (e) return e;
  e = matter_row_insert(s, m, 1);
  if (e) return sp_end(s, e);
  m->version = 1;
  ev->matter_id = m->id;
  ev->seq = 1;
  return sp_end(s, event_insert(s, m->county, ev));
}

wg_err wg_store_matter_load(wg_store_t *s, wg_matter_row *m, wg_matter_event_row *evs, int n) {
  if (n < 1) return WG_EINVAL;
  wg_err e = matter_row_insert(s, m, n);
  for (int i = 0; i < n && !e; i++) {
    evs[i].matter_id = m->id;
    evs[i].seq = i + 1;
    e = event_insert(s, m->county, &evs[i]);
  }
  if (!e) m->version = n;
  return e;
}

static wg_err matter_row_insert(wg_store_t *s, wg_matter_row *m, int v) {
  wg_err e = WG_OK;
  sqlite3_stmt *st = cached(
      s, "INSERT INTO matter(county, category, title, description, located, lon, lat, address,"
         " community, plan_id, grid1, grid2, grid3, reporter, reporter_name, reporter_phone,"
         " source, token, hours, version, " STATE_COLS
         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
         " ?18, ?19, ?46, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33,"
         " ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45)");
  if (!st) return WG_EDB;
  char hours[64];
  snprintf(hours, sizeof hours, "%d,%d,%d,%d", m->policy.hours[0], m->policy.hours[1],
           m->policy.hours[2], m->policy.hours[3]);
  wg__bind_text(st, 1, m->county);
  wg__bind_text(st, 2, m->category);
  wg__bind_text(st, 3, m->title);
  wg__bind_text(st, 4, m->description);
  sqlite3_bind_int(st, 5, m->located ? 1 : 0);
  sqlite3_bind_double(st, 6, m->lon);
  sqlite3_bind_double(st, 7, m->lat);
  wg__bind_text(st, 8, m->address);
  wg__bind_text(st, 9, m->community);
  sqlite3_bind_int64(st, 10, m->plan_id);
  for (int i = 0; i < 3; i++) wg__bind_text(st, 11 + i, m->grid[i]);
  wg__bind_text(st, 14, m->reporter);
  wg__bind_text(st, 15, m->reporter_name);
  wg__bind_text(st, 16, m->reporter_phone);
  wg__bind_text(st, 17, m->source);
  wg__bind_text(st, 18, m->token);
  wg__bind_text(st, 19, hours);
  bind_state(st, 20, &m->st);
  sqlite3_bind_int(st, 46, v);
  e = run_cached(st);
  if (!e) m->id = sqlite3_last_insert_rowid(wg__store_db(s));
  return e;
}

wg_err wg_store_matter_update(wg_store_t *s, wg_matter_row *m, wg_matter_event_row *ev) {
  wg_err e = sp_begin(s);
  if (e) return e;
  ev->matter_id = m->id;
  ev->seq = m->version + 1;
  /* the event first: the schema's trigger wants it before the new version */
  e = event_insert(s, m->county, ev);
  if (e == WG_EEXIST) e = WG_ECONFLICT; /* someone appended this seq meanwhile */
  if (e) return sp_end(s, e);
  sqlite3_stmt *st = cached(s, "UPDATE matter SET version = ?2,"
                                " (" STATE_COLS ") = (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                                " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,"
                                " ?26, ?27, ?28) WHERE id = ?1 AND version = ?29");
  if (!st) return sp_end(s, WG_EDB);
  sqlite3_bind_int64(st, 1, m->id);
  sqlite3_bind_int(st, 2, m->version + 1);
  bind_state(st, 3, &m->st);
  sqlite3_bind_int(st, 29, m->version);
  e = run_cached(st);
  if (!e && sqlite3_changes(wg__store_db(s)) != 1) e = WG_ECONFLICT;
  e = sp_end(s, e);
  if (!e) m->version++;
  return e;
}

static wg_err matter_one(wg_store_t *s, const char *sql, int64_t id, const char *text,
                         wg_matter_row *out) {
  sqlite3_stmt *st = cached(s, sql);
  if (!st) return WG_EDB;
  if (text)
    wg__bind_text(st, 1, text);
  else
    sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (rc == SQLITE_ROW) read_matter(st, out);
  sqlite3_reset(st);
  return e;
}

wg_err wg_store_matter_get(wg_store_t *s, int64_t id, wg_matter_row *out) {
  static const char sql[] = "SELECT " MATTER_COLS " FROM matter WHERE id = ?1";
  return matter_one(s, sql, id, NULL, out);
}

wg_err wg_store_matter_by_token(wg_store_t *s, const char *token, wg_matter_row *out) {
  static const char sql[] = "SELECT " MATTER_COLS " FROM matter WHERE token = ?1";
  return matter_one(s, sql, 0, token ? token : "", out);
}

wg_err wg_store_matter_events(wg_store_t *s, int64_t id, wg_matter_event_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT matter_id, seq, action, actor_kind, actor, at, from_status,"
                             " to_status, handler, other, value, note, photos FROM matter_event"
                             " WHERE matter_id = ?1 ORDER BY seq");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  wg_matter_event_row e;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&e, 0, sizeof e);
    e.matter_id = sqlite3_column_int64(st, 0);
    e.seq = sqlite3_column_int(st, 1);
    e.ev.action = (wg_matter_action)sqlite3_column_int(st, 2);
    e.ev.actor = (wg_matter_actor)sqlite3_column_int(st, 3);
    wg__copy_text(e.actor, sizeof e.actor, TEXT(st, 4));
    e.ev.at = sqlite3_column_int64(st, 5);
    e.ev.from = (wg_matter_status)sqlite3_column_int(st, 6);
    e.ev.to = (wg_matter_status)sqlite3_column_int(st, 7);
    e.ev.handler = sqlite3_column_int64(st, 8);
    e.ev.other = sqlite3_column_int64(st, 9);
    e.ev.value = sqlite3_column_int(st, 10);
    wg__copy_text(e.note, sizeof e.note, TEXT(st, 11));
    wg__copy_text(e.photos, sizeof e.photos, TEXT(st, 12));
    e.ev.has_note = e.note[0] != '\0';
    if (fn(ctx, &e)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

/* ---- listings ------------------------------------------------------------------ */

/* A growable SQL text with a bounded size; binds collected alongside. */
typedef struct sqlbuf {
  char sql[8192];
  size_t len;
  int over;
  int nb;
  struct {
    int kind; /* 0 int64, 1 text */
    int64_t i;
    const char *t;
  } b[160];
} sqlbuf;

static void add(sqlbuf *q, const char *text) {
  size_t n = strlen(text);
  if (q->len + n + 1 > sizeof q->sql) {
    q->over = 1;
    return;
  }
  memcpy(q->sql + q->len, text, n + 1);
  q->len += n;
}

static void bind_i(sqlbuf *q, int64_t v) {
  if (q->nb >= 160) {
    q->over = 1;
    return;
  }
  q->b[q->nb].kind = 0;
  q->b[q->nb++].i = v;
  add(q, "?");
}

static void bind_t(sqlbuf *q, const char *v) {
  if (q->nb >= 160) {
    q->over = 1;
    return;
  }
  q->b[q->nb].kind = 1;
  q->b[q->nb++].t = v;
  add(q, "?");
}

static sqlite3_stmt *prepare_q(wg_store_t *s, const sqlbuf *q) {
  if (q->over) return NULL;
  sqlite3_stmt *st = wg__sqlite_prepare(s, q->sql);
  if (!st) return NULL;
  for (int i = 0; i < q->nb; i++) {
    if (q->b[i].kind)
      wg__bind_text(st, i + 1, q->b[i].t);
    else
      sqlite3_bind_int64(st, i + 1, q->b[i].i);
  }
  return st;
}

#define OPEN_STATUSES "(1, 2, 4, 5, 6, 7, 10)"

static void where_of(sqlbuf *q, const wg_matter_query *f) {
  add(q, " WHERE county = ");
  bind_t(q, f->county ? f->county : "");
  if (f->open_only) add(q, " AND status IN " OPEN_STATUSES);
  if (f->closed_only) add(q, " AND status NOT IN " OPEN_STATUSES);
  if (f->status) {
    add(q, " AND status = ");
    bind_i(q, f->status);
  }
  if (f->category) {
    add(q, " AND category = ");
    bind_t(q, f->category);
  }
  if (f->handler) {
    add(q, " AND handler = ");
    bind_i(q, f->handler);
  }
  if (f->reporter) {
    add(q, " AND reporter = ");
    bind_t(q, f->reporter);
  }
  if (f->source) {
    add(q, " AND source = ");
    bind_t(q, f->source);
  }
  if (f->grid) {
    add(q, " AND (grid1 = ");
    bind_t(q, f->grid);
    add(q, " OR grid2 = ");
    bind_t(q, f->grid);
    add(q, " OR grid3 = ");
    bind_t(q, f->grid);
    add(q, ")");
  }
  if (f->from) {
    add(q, " AND reported_at >= ");
    bind_i(q, f->from);
  }
  if (f->to) {
    add(q, " AND reported_at < ");
    bind_i(q, f->to);
  }
  if (f->updated_from) {
    add(q, " AND last_at >= ");
    bind_i(q, f->updated_from);
  }
  if (f->updated_to) {
    add(q, " AND last_at < ");
    bind_i(q, f->updated_to);
  }
  if (f->nids > 0) {
    add(q, " AND id IN (");
    for (int i = 0; i < f->nids && i < 100; i++) {
      if (i) add(q, ", ");
      bind_i(q, f->ids[i]);
    }
    add(q, ")");
  }
  const wg_store_scope *sc = f->scope;
  if (sc && !sc->all) {
    add(q, " AND (0");
    for (int i = 0; i < sc->nprefixes; i++) {
      add(q, " OR substr(community, 1, length(");
      bind_t(q, sc->prefixes[i]);
      add(q, ")) = ");
      bind_t(q, sc->prefixes[i]);
    }
    for (int i = 0; i < sc->ngrids; i++) {
      add(q, " OR ");
      bind_t(q, sc->grids[i]);
      add(q, " IN (grid1, grid2, grid3)");
    }
    add(q, ")");
  }
}

wg_err wg_store_matter_list(wg_store_t *s, const wg_matter_query *f, wg_matter_fn fn, void *ctx,
                            long *total) {
  sqlbuf *q = calloc(1, sizeof *q);
  wg_matter_row *m = malloc(sizeof *m);
  if (!q || !m) {
    free(q);
    free(m);
    return WG_ENOMEM;
  }
  wg_err e = WG_OK;
  if (total) {
    add(q, "SELECT count(*) FROM matter");
    where_of(q, f);
    sqlite3_stmt *st = prepare_q(s, q);
    if (!st) {
      e = q->over ? WG_ETOOBIG : WG_EDB;
    } else {
      int rc = sqlite3_step(st);
      *total = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
      e = wg__sqlite_step_rc(rc);
      sqlite3_finalize(st);
    }
    memset(q, 0, sizeof *q);
  }
  if (!e && fn) {
    add(q, "SELECT " MATTER_COLS " FROM matter");
    where_of(q, f);
    if (f->overdue_at > 0) {
      /* overdue open matters first, then the nearest deadline, then the rest, newest first */
      add(q, " ORDER BY (status IN " OPEN_STATUSES " AND due_at > 0 AND due_at <= ");
      bind_i(q, f->overdue_at);
      add(q, ") DESC, (status IN " OPEN_STATUSES " AND due_at > 0) DESC, due_at, id DESC");
    } else {
      add(q, " ORDER BY id DESC");
    }
    if (f->limit > 0 || f->offset > 0) {
      add(q, " LIMIT ");
      bind_i(q, f->limit > 0 ? f->limit : -1);
      add(q, " OFFSET ");
      bind_i(q, f->offset);
    }
    sqlite3_stmt *st = prepare_q(s, q);
    if (!st) {
      e = q->over ? WG_ETOOBIG : WG_EDB;
    } else {
      int rc;
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_matter(st, m);
        if (fn(ctx, m)) {
          rc = SQLITE_DONE;
          break;
        }
      }
      e = wg__sqlite_step_rc(rc);
      sqlite3_finalize(st);
    }
  }
  free(q);
  free(m);
  return e;
}

wg_err wg_store_matter_near(wg_store_t *s, const char *county, const char *category, double lon,
                            double lat, double meters, wg_matter_fn fn, void *ctx) {
  /* a box first (through the partial index), the exact distance here */
  double dlat = meters / 111320.0;
  double c = cos(lat * 3.14159265358979323846 / 180.0);
  double dlon = meters / (111320.0 * (c > 0.01 ? c : 0.01));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " MATTER_COLS " FROM matter"
                                " WHERE category = ?2 AND status IN " OPEN_STATUSES
                                " AND lon BETWEEN ?3 AND ?4 AND lat BETWEEN ?5 AND ?6"
                                " AND located AND county = ?1 ORDER BY id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  wg__bind_text(st, 2, category);
  sqlite3_bind_double(st, 3, lon - dlon);
  sqlite3_bind_double(st, 4, lon + dlon);
  sqlite3_bind_double(st, 5, lat - dlat);
  sqlite3_bind_double(st, 6, lat + dlat);
  wg_matter_row *m = malloc(sizeof *m);
  if (!m) {
    sqlite3_finalize(st);
    return WG_ENOMEM;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_matter(st, m);
    double dy = (m->lat - lat) * 111320.0, dx = (m->lon - lon) * 111320.0 * c;
    if (sqrt(dx * dx + dy * dy) > meters) continue;
    if (fn(ctx, m)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  free(m);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_matter_due(wg_store_t *s, const char *county, int64_t now, int64_t *ids, int max,
                           int *n) {
  *n = 0;
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT id FROM matter WHERE due_at > 0 AND due_at <= ?2 AND level < 3"
                                " AND county = ?1 AND status IN " OPEN_STATUSES
                                " ORDER BY due_at, id LIMIT ?3");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  sqlite3_bind_int64(st, 2, now);
  sqlite3_bind_int(st, 3, max);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) ids[(*n)++] = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

/* Calls fn for each matter row of st (MATTER_COLS), then finalizes it. */
static wg_err walk_matters(sqlite3_stmt *st, wg_matter_fn fn, void *ctx) {
  wg_matter_row *m = malloc(sizeof *m);
  if (!m) {
    sqlite3_finalize(st);
    return WG_ENOMEM;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_matter(st, m);
    if (fn(ctx, m)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  free(m);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_matter_merged(wg_store_t *s, int64_t id, wg_matter_fn fn, void *ctx) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT " MATTER_COLS " FROM matter WHERE merged_into = ?1 ORDER BY id");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  return walk_matters(st, fn, ctx);
}

wg_err wg_store_photo_matters(wg_store_t *s, const char *sha256, wg_matter_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(
      s, "SELECT " MATTER_COLS " FROM matter WHERE id IN (SELECT matter_id FROM matter_event"
         " WHERE photos != '' AND instr(photos, ?1) > 0) ORDER BY id");
  if (!st) return WG_EDB;
  sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
  return walk_matters(st, fn, ctx);
}

wg_err wg_store_matter_facts(wg_store_t *s, const char *county, int64_t from, int64_t to,
                             wg_matter_fact_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT id, category, community, grid1, grid2, grid3, " STATE_COLS
                                " FROM matter WHERE county = ?1 AND reported_at >= ?2"
                                " AND reported_at < ?3");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  sqlite3_bind_int64(st, 2, from);
  sqlite3_bind_int64(st, 3, to > 0 ? to : INT64_MAX);
  wg_matter_fact f;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    f.id = sqlite3_column_int64(st, 0);
    wg__copy_text(f.category, sizeof f.category, TEXT(st, 1));
    wg__copy_text(f.community, sizeof f.community, TEXT(st, 2));
    for (int i = 0; i < 3; i++) wg__copy_text(f.grid[i], sizeof f.grid[i], TEXT(st, 3 + i));
    read_state(st, 6, &f.st);
    if (fn(ctx, &f)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_user_for_scope(wg_store_t *s, const char *code, int role, int64_t *user_id) {
  sqlite3_stmt *st = cached(s, "SELECT u.id FROM user_scope c JOIN app_user u ON u.id = c.user_id"
                                " WHERE c.code = ?1 AND u.role = ?2 AND NOT u.disabled"
                                " ORDER BY u.id LIMIT 1");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, code ? code : "");
  sqlite3_bind_int(st, 2, role);
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (rc == SQLITE_ROW) *user_id = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return e;
}

/* ---- photos ------------------------------------------------------------------ */

wg_err wg_store_photo_put(wg_store_t *s, const char *sha256, const char *county, const char *mime,
                          long size) {
  char now[32];
  wg__now_iso(now);
  sqlite3_stmt *st = wg__sqlite_prepare(s, "INSERT OR IGNORE INTO matter_photo(sha256, county, mime, size,"
                                " created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, sha256);
  wg__bind_text(st, 2, county);
  wg__bind_text(st, 3, mime);
  sqlite3_bind_int64(st, 4, size);
  wg__bind_text(st, 5, now);
  return wg__sqlite_run_done(st);
}

wg_err wg_store_photo_get(wg_store_t *s, const char *sha256, char *mime, size_t cap, long *size) {
  sqlite3_stmt *st = cached(s, "SELECT mime, size FROM matter_photo WHERE sha256 = ?1");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, sha256 ? sha256 : "");
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (rc == SQLITE_ROW) {
    wg__copy_text(mime, cap, TEXT(st, 0));
    if (size) *size = (long)sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  return e;
}

/* ---- API keys -------------------------------------------------------------------- */

#define KEY_COLS "id, county, name, key_hash, prefix, created_at, actor, revoked_at"

static void read_key(sqlite3_stmt *st, wg_api_key_row *k) {
  memset(k, 0, sizeof *k);
  k->id = sqlite3_column_int64(st, 0);
  wg__copy_text(k->county, sizeof k->county, TEXT(st, 1));
  wg__copy_text(k->name, sizeof k->name, TEXT(st, 2));
  wg__copy_text(k->key_hash, sizeof k->key_hash, TEXT(st, 3));
  wg__copy_text(k->prefix, sizeof k->prefix, TEXT(st, 4));
  wg__copy_text(k->created_at, sizeof k->created_at, TEXT(st, 5));
  wg__copy_text(k->actor, sizeof k->actor, TEXT(st, 6));
  wg__copy_text(k->revoked_at, sizeof k->revoked_at, TEXT(st, 7));
}

wg_err wg_store_api_key_add(wg_store_t *s, wg_api_key_row *k) {
  if (!k->created_at[0]) wg__now_iso(k->created_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s, "INSERT INTO api_key(county, name, key_hash, prefix, created_at,"
                                " actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, k->county);
  wg__bind_text(st, 2, k->name);
  wg__bind_text(st, 3, k->key_hash);
  wg__bind_text(st, 4, k->prefix);
  wg__bind_text(st, 5, k->created_at);
  wg__bind_text(st, 6, k->actor);
  wg_err e = wg__sqlite_run_done(st);
  if (!e) k->id = sqlite3_last_insert_rowid(wg__store_db(s));
  return e;
}

wg_err wg_store_api_key_each(wg_store_t *s, wg_api_key_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " KEY_COLS " FROM api_key ORDER BY name");
  if (!st) return WG_EDB;
  wg_api_key_row k;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_key(st, &k);
    if (fn(ctx, &k)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_api_key_revoke(wg_store_t *s, const char *name) {
  char now[32];
  wg__now_iso(now);
  sqlite3_stmt *st = wg__sqlite_prepare(s, "UPDATE api_key SET revoked_at = ?2 WHERE name = ?1"
                                " AND revoked_at = '' RETURNING id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, name ? name : "");
  wg__bind_text(st, 2, now);
  int rc = sqlite3_step(st);
  int changed = rc == SQLITE_ROW;
  if (changed) rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return wg__sqlite_step_rc(rc);
  if (changed) return WG_OK;
  wg_api_key_row k;
  st = wg__sqlite_prepare(s, "SELECT " KEY_COLS " FROM api_key WHERE name = ?1");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, name ? name : "");
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_key(st, &k);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? WG_ECONFLICT : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
}

wg_err wg_store_api_key_find(wg_store_t *s, const char *key_hash, wg_api_key_row *out) {
  sqlite3_stmt *st = cached(s, "SELECT " KEY_COLS " FROM api_key WHERE key_hash = ?1");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, key_hash ? key_hash : "");
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (rc == SQLITE_ROW) read_key(st, out);
  sqlite3_reset(st);
  return e;
}

/* ---- savepoints for batches ---------------------------------------------------------- */

wg_err wg_store_savepoint(wg_store_t *s) {
  static const char sql[] = "SAVEPOINT wg_batch_item";
  sqlite3_stmt *st = cached(s, sql);
  return st ? run_cached(st) : WG_EDB;
}

wg_err wg_store_savepoint_release(wg_store_t *s, int ok) {
  if (!ok) (void)exec(s, "ROLLBACK TO wg_batch_item");
  static const char sql[] = "RELEASE wg_batch_item";
  sqlite3_stmt *st = cached(s, sql);
  return st ? run_cached(st) : WG_EDB;
}

wg_err wg_store_audit_last_id(wg_store_t *s, int64_t *out) {
  static const char sql[] = "SELECT ifnull(max(id), 0) FROM audit";
  sqlite3_stmt *st = cached(s, sql);
  if (!st) return WG_EDB;
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : wg__sqlite_step_rc(rc);
}

wg_err wg_store_tune_batch_writer(wg_store_t *s) {
  return exec(s, "PRAGMA wal_autocheckpoint = 16384");
}

wg_err wg_store_building_match(wg_store_t *s, const char *county, const char *text, double *lon,
                               double *lat, char community[13]) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT b.lon, b.lat, b.community FROM building b"
                                " JOIN estate e ON e.id = b.estate_id"
                                " WHERE b.county = ?1 AND (b.lon <> 0 OR b.lat <> 0)"
                                " AND instr(?2, e.name || b.name) > 0"
                                " ORDER BY length(e.name || b.name) DESC, b.id LIMIT 1");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  wg__bind_text(st, 2, text ? text : "");
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (rc == SQLITE_ROW) {
    *lon = sqlite3_column_double(st, 0);
    *lat = sqlite3_column_double(st, 1);
    wg__copy_text(community, 13, TEXT(st, 2));
  }
  sqlite3_finalize(st);
  return e;
}

wg_err wg_store_matter_version(wg_store_t *s, int64_t *out) {
  /* the newest audit row of any matter action: one index probe per action
   * (audit_action keeps each action's rows in id order) */
  static const char sql[] =
      "SELECT ifnull(max(m), 0) FROM ("
      "SELECT max(id) AS m FROM audit WHERE action = 'matter.report'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.accept'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.reject'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.dispatch'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.start'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.handle'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.verify'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.rework'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.close'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.evaluate'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.extend'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.extend_approve'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.extend_deny'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.suspend'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.resume'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.reopen'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.merge'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.escalate'"
      " UNION ALL SELECT max(id) AS m FROM audit WHERE action = 'matter.demo'"
      ")";
  sqlite3_stmt *st = cached(s, sql);
  if (!st) return WG_EDB;
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : wg__sqlite_step_rc(rc);
}
