/* store_sqlite_campaign.c — campaigns, their items and events, and targets
 * (indicators, targets, actuals), for the SQLite backend of store.h.
 *
 * Statements are prepared per call, except in the marker, which keeps its
 * statements for a bulk update of thousands of items. Multi-statement
 * writes run under a SAVEPOINT, so they are atomic inside or outside a
 * caller's transaction. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"
#include "store/store_int.h"

static wg_err exec(wg_store_t *s, const char *sql) {
  int rc = sqlite3_exec(wg__store_db(s), sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? WG_OK : wg__sqlite_step_rc(rc);
}

static wg_err sp_begin(wg_store_t *s) { return exec(s, "SAVEPOINT wg_campaign"); }
static wg_err sp_end(wg_store_t *s, wg_err e) {
  if (e == WG_OK) {
    e = exec(s, "RELEASE wg_campaign");
    if (e == WG_OK) return WG_OK;
  }
  (void)exec(s, "ROLLBACK TO wg_campaign");
  (void)exec(s, "RELEASE wg_campaign");
  return e;
}

static void date_text(int32_t d, char out[11]) { wg_date_format(d, out); }

/* ---- campaigns ----------------------------------------------------------------- */

#define CAMPAIGN_COLS \
  "id, county, name, template, kind, stages, query, ref_date, created_at, actor, items"

static void read_campaign(sqlite3_stmt *st, wg_campaign_row *c) {
  memset(c, 0, sizeof *c);
  c->id = sqlite3_column_int64(st, 0);
  wg__copy_text(c->county, sizeof c->county, sqlite3_column_text(st, 1));
  wg__copy_text(c->name, sizeof c->name, sqlite3_column_text(st, 2));
  wg__copy_text(c->template_code, sizeof c->template_code, sqlite3_column_text(st, 3));
  c->kind = sqlite3_column_int(st, 4);
  wg__copy_text(c->stages, sizeof c->stages, sqlite3_column_text(st, 5));
  wg__copy_text(c->query, sizeof c->query, sqlite3_column_text(st, 6));
  c->ref_date = wg__date_parse((const char *)sqlite3_column_text(st, 7));
  wg__copy_text(c->created_at, sizeof c->created_at, sqlite3_column_text(st, 8));
  wg__copy_text(c->actor, sizeof c->actor, sqlite3_column_text(st, 9));
  c->items = (long)sqlite3_column_int64(st, 10);
}

wg_err wg_store_campaign_add(wg_store_t *s, wg_campaign_row *c) {
  if (!c->created_at[0]) wg__now_iso(c->created_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO campaign(county, name, template, kind, stages, query,"
                             " ref_date, created_at, actor) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
  if (!st) return WG_EDB;
  char ref[11];
  date_text(c->ref_date, ref);
  wg__bind_text(st, 1, c->county);
  wg__bind_text(st, 2, c->name);
  wg__bind_text(st, 3, c->template_code);
  sqlite3_bind_int(st, 4, c->kind);
  wg__bind_text(st, 5, c->stages);
  wg__bind_text(st, 6, c->query);
  wg__bind_text(st, 7, ref);
  wg__bind_text(st, 8, c->created_at);
  wg__bind_text(st, 9, c->actor);
  wg_err e = wg__sqlite_step_rc(sqlite3_step(st));
  sqlite3_finalize(st);
  if (!e) c->id = sqlite3_last_insert_rowid(wg__store_db(s));
  return e;
}

wg_err wg_store_campaign_get(wg_store_t *s, int64_t id, wg_campaign_row *out) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " CAMPAIGN_COLS " FROM campaign WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (!e) read_campaign(st, out);
  sqlite3_finalize(st);
  return e;
}

wg_err wg_store_campaign_each(wg_store_t *s, const char *county, wg_campaign_row_fn fn,
                              void *ctx) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT " CAMPAIGN_COLS " FROM campaign WHERE county = ?1 ORDER BY id DESC");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    wg_campaign_row c;
    read_campaign(st, &c);
    if (fn(ctx, &c)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_campaign_candidates(wg_store_t *s, const char *county,
                                    wg_campaign_candidate_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT r.id, ifnull(r.household_id, 0), ifnull(d.entrance_id, 0),"
                             " ifnull(b.community, ''), r.sex, r.birth, r.residence, r.tags"
                             " FROM resident r LEFT JOIN dwelling d ON d.id = r.dwelling_id"
                             " LEFT JOIN entrance en ON en.id = d.entrance_id"
                             " LEFT JOIN building b ON b.id = en.building_id"
                             " WHERE r.county = ?1 AND r.status = 1 ORDER BY r.id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    wg_campaign_candidate c;
    memset(&c, 0, sizeof c);
    c.resident_id = sqlite3_column_int64(st, 0);
    c.household_id = sqlite3_column_int64(st, 1);
    c.entrance_id = sqlite3_column_int64(st, 2);
    wg__copy_text(c.community, sizeof c.community, sqlite3_column_text(st, 3));
    const unsigned char *sex = sqlite3_column_text(st, 4);
    c.sex = sex ? (char)sex[0] : 0;
    c.birth = wg__date_parse((const char *)sqlite3_column_text(st, 5));
    c.residence = sqlite3_column_int(st, 6);
    const unsigned char *tags = sqlite3_column_text(st, 7);
    c.tags = tags ? (const char *)tags : "";
    if (fn(ctx, &c)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_campaign_items_add(wg_store_t *s, int64_t campaign_id,
                                   wg_campaign_item_row *rows, long n) {
  wg_err e = sp_begin(s);
  if (e) return e;
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO campaign_item(campaign_id, county, resident_id,"
                             " household_id, entrance_id, community, stage)"
                             " SELECT ?1, county, NULLIF(?2, 0), NULLIF(?3, 0), ?4, ?5, ?6"
                             " FROM campaign WHERE id = ?1");
  if (!st) return sp_end(s, WG_EDB);
  for (long i = 0; i < n && !e; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_int64(st, 2, rows[i].resident_id);
    sqlite3_bind_int64(st, 3, rows[i].household_id);
    sqlite3_bind_int64(st, 4, rows[i].entrance_id);
    wg__bind_text(st, 5, rows[i].community);
    sqlite3_bind_int(st, 6, rows[i].stage);
    e = wg__sqlite_step_rc(sqlite3_step(st));
    if (!e && sqlite3_changes(wg__store_db(s)) != 1) e = WG_ENOTFOUND;
    if (!e) {
      rows[i].id = sqlite3_last_insert_rowid(wg__store_db(s));
      rows[i].campaign_id = campaign_id;
    }
  }
  sqlite3_finalize(st);
  if (e) return sp_end(s, e);
  st = wg__sqlite_prepare(s,
               "UPDATE campaign SET items = (SELECT count(*) FROM campaign_item"
               " WHERE campaign_id = ?1) WHERE id = ?1");
  if (!st) return sp_end(s, WG_EDB);
  sqlite3_bind_int64(st, 1, campaign_id);
  e = wg__sqlite_step_rc(sqlite3_step(st));
  sqlite3_finalize(st);
  return sp_end(s, e);
}

#define ITEM_COLS                                                                            \
  "id, campaign_id, ifnull(resident_id, 0), ifnull(household_id, 0), entrance_id, community," \
  " stage, updated_at, updated_by"

static void read_item(sqlite3_stmt *st, wg_campaign_item_row *it) {
  memset(it, 0, sizeof *it);
  it->id = sqlite3_column_int64(st, 0);
  it->campaign_id = sqlite3_column_int64(st, 1);
  it->resident_id = sqlite3_column_int64(st, 2);
  it->household_id = sqlite3_column_int64(st, 3);
  it->entrance_id = sqlite3_column_int64(st, 4);
  wg__copy_text(it->community, sizeof it->community, sqlite3_column_text(st, 5));
  it->stage = sqlite3_column_int(st, 6);
  wg__copy_text(it->updated_at, sizeof it->updated_at, sqlite3_column_text(st, 7));
  wg__copy_text(it->updated_by, sizeof it->updated_by, sqlite3_column_text(st, 8));
}

wg_err wg_store_campaign_item_each(wg_store_t *s, int64_t campaign_id, int max_stage,
                                   wg_campaign_item_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT " ITEM_COLS " FROM campaign_item WHERE campaign_id = ?1"
                             " AND (?2 < 0 OR stage <= ?2) ORDER BY id");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, campaign_id);
  sqlite3_bind_int(st, 2, max_stage);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    wg_campaign_item_row it;
    read_item(st, &it);
    if (fn(ctx, &it)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_campaign_groups(wg_store_t *s, int64_t campaign_id, wg_campaign_group_fn fn,
                                void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT entrance_id, community, stage, items FROM campaign_tally"
                             " WHERE campaign_id = ?1 AND items > 0");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, campaign_id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *c = sqlite3_column_text(st, 1);
    if (fn(ctx, sqlite3_column_int64(st, 0), c ? (const char *)c : "", sqlite3_column_int(st, 2),
           (long)sqlite3_column_int64(st, 3))) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_campaign_event_each(wg_store_t *s, int64_t campaign_id, int64_t item_id,
                                    wg_campaign_event_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT e.id, e.item_id, e.from_stage, e.to_stage, e.at, e.actor,"
                             " e.note, i.entrance_id, i.community FROM campaign_event e"
                             " JOIN campaign_item i ON i.id = e.item_id"
                             " WHERE e.campaign_id = ?1 AND (?2 = 0 OR e.item_id = ?2)"
                             " ORDER BY e.at, e.id");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, campaign_id);
  sqlite3_bind_int64(st, 2, item_id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    wg_campaign_event_row ev;
    memset(&ev, 0, sizeof ev);
    ev.id = sqlite3_column_int64(st, 0);
    ev.item_id = sqlite3_column_int64(st, 1);
    ev.from_stage = sqlite3_column_int(st, 2);
    ev.to_stage = sqlite3_column_int(st, 3);
    wg__copy_text(ev.at, sizeof ev.at, sqlite3_column_text(st, 4));
    wg__copy_text(ev.actor, sizeof ev.actor, sqlite3_column_text(st, 5));
    wg__copy_text(ev.note, sizeof ev.note, sqlite3_column_text(st, 6));
    ev.entrance_id = sqlite3_column_int64(st, 7);
    wg__copy_text(ev.community, sizeof ev.community, sqlite3_column_text(st, 8));
    if (fn(ctx, &ev)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

/* ---- the marker ------------------------------------------------------------------ */

enum { MK_BY_ID, MK_BY_RESIDENT, MK_BY_HOUSEHOLD, MK_EVENT, MK_UPDATE, MK_COUNT_ };

struct wg_campaign_marker {
  wg_store_t *s;
  int64_t campaign_id;
  sqlite3_stmt *st[MK_COUNT_];
};

wg_err wg_store_campaign_marker_open(wg_store_t *s, int64_t campaign_id,
                                     wg_campaign_marker_t **out) {
  static const char *const sql[MK_COUNT_] = {
      [MK_BY_ID] = "SELECT " ITEM_COLS " FROM campaign_item WHERE campaign_id = ?1 AND id = ?2",
      [MK_BY_RESIDENT] = "SELECT " ITEM_COLS " FROM campaign_item WHERE campaign_id = ?1"
                         " AND resident_id = (SELECT id FROM resident WHERE id_number = ?2)",
      /* A household item by the household's number, or by a member's ID
       * number. */
      [MK_BY_HOUSEHOLD] =
          "SELECT " ITEM_COLS " FROM campaign_item WHERE campaign_id = ?1 AND resident_id IS NULL"
          " AND household_id = coalesce((SELECT h.id FROM household h JOIN campaign c"
          " ON c.id = ?1 WHERE h.county = c.county AND h.number = ?3),"
          " (SELECT household_id FROM resident WHERE id_number = ?2))",
      [MK_EVENT] = "INSERT INTO campaign_event(campaign_id, item_id, county, from_stage,"
                   " to_stage, at, actor, note) SELECT ?1, ?2, county, ?3, ?4, ?5, ?6, ?7"
                   " FROM campaign WHERE id = ?1",
      [MK_UPDATE] = ("UPDATE campaign_item SET stage = ?3, event_id = ?4, updated_at = ?5,"
                     " updated_by = ?6 WHERE id = ?2 AND campaign_id = ?1 AND stage = ?7"),
  };
  *out = NULL;
  wg_campaign_marker_t *m = calloc(1, sizeof *m);
  if (!m) return WG_ENOMEM;
  m->s = s;
  m->campaign_id = campaign_id;
  for (int i = 0; i < MK_COUNT_; i++) {
    int rc = sqlite3_prepare_v3(wg__store_db(s), sql[i], -1, SQLITE_PREPARE_PERSISTENT, &m->st[i],
                                NULL);
    if (rc != SQLITE_OK) {
      wg_store_campaign_marker_close(m);
      return wg__store_rc(rc) ? wg__store_rc(rc) : WG_EDB;
    }
  }
  *out = m;
  return WG_OK;
}

void wg_store_campaign_marker_close(wg_campaign_marker_t *m) {
  if (!m) return;
  for (int i = 0; i < MK_COUNT_; i++) sqlite3_finalize(m->st[i]);
  free(m);
}

static wg_err find_one(sqlite3_stmt *st, wg_campaign_item_row *out) {
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (!e) read_item(st, out);
  sqlite3_reset(st);
  return e;
}

wg_err wg_store_campaign_marker_find(wg_campaign_marker_t *m, int64_t item_id,
                                     const char *id_number, const char *household_number,
                                     wg_campaign_item_row *out) {
  sqlite3_stmt *st;
  if (item_id > 0) {
    st = m->st[MK_BY_ID];
    sqlite3_bind_int64(st, 1, m->campaign_id);
    sqlite3_bind_int64(st, 2, item_id);
    return find_one(st, out);
  }
  wg_err e = WG_ENOTFOUND;
  if (id_number && *id_number) {
    st = m->st[MK_BY_RESIDENT];
    sqlite3_bind_int64(st, 1, m->campaign_id);
    sqlite3_bind_text(st, 2, id_number, -1, SQLITE_TRANSIENT);
    e = find_one(st, out);
    if (e != WG_ENOTFOUND) return e;
  }
  if ((id_number && *id_number) || (household_number && *household_number)) {
    st = m->st[MK_BY_HOUSEHOLD];
    sqlite3_bind_int64(st, 1, m->campaign_id);
    sqlite3_bind_text(st, 2, id_number ? id_number : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, household_number ? household_number : "", -1, SQLITE_TRANSIENT);
    e = find_one(st, out);
  }
  return e;
}

wg_err wg_store_campaign_marker_move(wg_campaign_marker_t *m, wg_campaign_event_row *ev) {
  if (!ev->at[0]) wg__now_iso(ev->at);
  sqlite3_stmt *st = m->st[MK_EVENT];
  sqlite3_bind_int64(st, 1, m->campaign_id);
  sqlite3_bind_int64(st, 2, ev->item_id);
  sqlite3_bind_int(st, 3, ev->from_stage);
  sqlite3_bind_int(st, 4, ev->to_stage);
  sqlite3_bind_text(st, 5, ev->at, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, ev->actor, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, ev->note, -1, SQLITE_STATIC);
  wg_err e = wg__sqlite_step_rc(sqlite3_step(st));
  sqlite3_reset(st);
  if (e) return e;
  ev->id = sqlite3_last_insert_rowid(wg__store_db(m->s));
  st = m->st[MK_UPDATE];
  sqlite3_bind_int64(st, 1, m->campaign_id);
  sqlite3_bind_int64(st, 2, ev->item_id);
  sqlite3_bind_int(st, 3, ev->to_stage);
  sqlite3_bind_int64(st, 4, ev->id);
  sqlite3_bind_text(st, 5, ev->at, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, ev->actor, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 7, ev->from_stage);
  e = wg__sqlite_step_rc(sqlite3_step(st));
  sqlite3_reset(st);
  /* The event stays only if the caller commits: a stale from_stage is a
   * conflict the caller rolls back. */
  if (!e && sqlite3_changes(wg__store_db(m->s)) != 1) e = WG_ECONFLICT;
  return e;
}

/* ---- targets ------------------------------------------------------------------- */

#define INDICATOR_COLS "id, county, code, name, unit, period_type, created_at, actor"

static void read_indicator(sqlite3_stmt *st, wg_indicator_row *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  wg__copy_text(r->county, sizeof r->county, sqlite3_column_text(st, 1));
  wg__copy_text(r->code, sizeof r->code, sqlite3_column_text(st, 2));
  wg__copy_text(r->name, sizeof r->name, sqlite3_column_text(st, 3));
  wg__copy_text(r->unit, sizeof r->unit, sqlite3_column_text(st, 4));
  wg__copy_text(r->period_type, sizeof r->period_type, sqlite3_column_text(st, 5));
  wg__copy_text(r->created_at, sizeof r->created_at, sqlite3_column_text(st, 6));
  wg__copy_text(r->actor, sizeof r->actor, sqlite3_column_text(st, 7));
}

wg_err wg_store_indicator_add(wg_store_t *s, wg_indicator_row *ind) {
  if (!ind->created_at[0]) wg__now_iso(ind->created_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO indicator(county, code, name, unit, period_type,"
                             " created_at, actor) VALUES (?1,?2,?3,?4,?5,?6,?7)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, ind->county);
  wg__bind_text(st, 2, ind->code);
  wg__bind_text(st, 3, ind->name);
  wg__bind_text(st, 4, ind->unit);
  wg__bind_text(st, 5, ind->period_type);
  wg__bind_text(st, 6, ind->created_at);
  wg__bind_text(st, 7, ind->actor);
  wg_err e = wg__sqlite_step_rc(sqlite3_step(st));
  sqlite3_finalize(st);
  if (!e) ind->id = sqlite3_last_insert_rowid(wg__store_db(s));
  return e;
}

wg_err wg_store_indicator_get(wg_store_t *s, const char *county, const char *code,
                              wg_indicator_row *out) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT " INDICATOR_COLS " FROM indicator WHERE county = ?1 AND code = ?2");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  wg__bind_text(st, 2, code);
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  if (!e) read_indicator(st, out);
  sqlite3_finalize(st);
  return e;
}

wg_err wg_store_indicator_each(wg_store_t *s, const char *county, wg_indicator_fn fn,
                               void *ctx) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT " INDICATOR_COLS " FROM indicator WHERE county = ?1 ORDER BY code");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    wg_indicator_row r;
    read_indicator(st, &r);
    if (fn(ctx, &r)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

static wg_err figure_put(wg_store_t *s, const char *table, wg_figure_row *f) {
  if (!f->at[0]) wg__now_iso(f->at);
  char sql[400];
  snprintf(sql, sizeof sql,
           "INSERT INTO %s(indicator_id, division, period, county, value, actor, at)"
           " SELECT ?1, ?2, ?3, county, ?4, ?5, ?6 FROM indicator WHERE id = ?1"
           " ON CONFLICT(indicator_id, division, period) DO UPDATE SET value = excluded.value,"
           " actor = excluded.actor, at = excluded.at",
           table);
  sqlite3_stmt *st = wg__sqlite_prepare(s, sql);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, f->indicator_id);
  wg__bind_text(st, 2, f->division);
  wg__bind_text(st, 3, f->period);
  sqlite3_bind_int64(st, 4, f->value);
  wg__bind_text(st, 5, f->actor);
  wg__bind_text(st, 6, f->at);
  wg_err e = wg__sqlite_step_rc(sqlite3_step(st));
  if (!e && sqlite3_changes(wg__store_db(s)) != 1) e = WG_ENOTFOUND;
  sqlite3_finalize(st);
  return e;
}

wg_err wg_store_target_put(wg_store_t *s, wg_figure_row *t) { return figure_put(s, "target", t); }
wg_err wg_store_actual_put(wg_store_t *s, wg_figure_row *a) { return figure_put(s, "actual", a); }

static wg_err figure_each(wg_store_t *s, const char *table, int64_t indicator_id,
                          wg_figure_fn fn, void *ctx) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT indicator_id, division, period, value, actor, at FROM %s"
           " WHERE indicator_id = ?1 ORDER BY division, period",
           table);
  sqlite3_stmt *st = wg__sqlite_prepare(s, sql);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, indicator_id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    wg_figure_row f;
    memset(&f, 0, sizeof f);
    f.indicator_id = sqlite3_column_int64(st, 0);
    wg__copy_text(f.division, sizeof f.division, sqlite3_column_text(st, 1));
    wg__copy_text(f.period, sizeof f.period, sqlite3_column_text(st, 2));
    f.value = sqlite3_column_int64(st, 3);
    wg__copy_text(f.actor, sizeof f.actor, sqlite3_column_text(st, 4));
    wg__copy_text(f.at, sizeof f.at, sqlite3_column_text(st, 5));
    if (fn(ctx, &f)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

wg_err wg_store_target_each(wg_store_t *s, int64_t indicator_id, wg_figure_fn fn, void *ctx) {
  return figure_each(s, "target", indicator_id, fn, ctx);
}
wg_err wg_store_actual_each(wg_store_t *s, int64_t indicator_id, wg_figure_fn fn, void *ctx) {
  return figure_each(s, "actual", indicator_id, fn, ctx);
}
