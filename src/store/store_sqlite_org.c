/* store_sqlite_org.c — organisation and mobilisation for the SQLite
 * backend of store.h: staff and their grids and buildings, members, the
 * Party organisation, service logs, contact, rosters, visits, incidents,
 * responders, notices and the webhook outbox.
 *
 * Statements are prepared per call; every value is bound. Dates are stored
 * as "YYYY-MM-DD" text like the ledger's. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"
#include "store/store_int.h"
#include "store/store_pg.h"

/* ---- helpers ------------------------------------------------------------ */

static wg_err step_rc(int rc) {
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return WG_OK;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return WG_EEXIST;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return WG_EINVAL;
  wg_err e = wg__store_rc(rc);
  return e == WG_OK ? WG_EDB : e;
}

/* Steps a write, finalizes; *id (may be NULL) gets the new rowid. */
static wg_err run_write(wg_store_t *s, sqlite3_stmt *st, int64_t *id) {
  if (!st) return WG_EDB;
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return step_rc(rc);
  if (id) *id = sqlite3_last_insert_rowid(wg__store_db(s));
  return WG_OK;
}

/* Steps an update of one row by id: WG_ENOTFOUND when none changed. */
static wg_err run_update(wg_store_t *s, sqlite3_stmt *st) {
  wg_err e = run_write(s, st, NULL);
  if (e == WG_OK && sqlite3_changes(wg__store_db(s)) == 0) return WG_ENOTFOUND;
  return e;
}

typedef int (*row_fn)(void *ctx, sqlite3_stmt *st);

/* Steps a query calling fn per row (non-zero stops); finalizes. */
static wg_err run_rows(sqlite3_stmt *st, row_fn fn, void *ctx) {
  if (!st) return WG_EDB;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(ctx, st)) {
      rc = SQLITE_DONE;
      break;
    }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : step_rc(rc);
}

static void bind_date(sqlite3_stmt *st, int i, int32_t ymd) {
  char d[11] = "";
  if (ymd > 0) wg_date_format(ymd, d);
  sqlite3_bind_text(st, i, d, -1, SQLITE_TRANSIENT);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id) {
  if (id > 0)
    sqlite3_bind_int64(st, i, id);
  else
    sqlite3_bind_null(st, i);
}

static void col_text(char *dst, size_t cap, sqlite3_stmt *st, int c) {
  wg__copy_text(dst, cap, sqlite3_column_text(st, c));
}

static int32_t col_date(sqlite3_stmt *st, int c) {
  const unsigned char *t = sqlite3_column_text(st, c);
  return t ? wg__date_parse((const char *)t) : 0;
}

/* Binds a prefix for "col LIKE ?||'%'" (NULL → ""). */
static void bind_prefix(sqlite3_stmt *st, int i, const char *prefix) {
  sqlite3_bind_text(st, i, prefix ? prefix : "", -1, SQLITE_TRANSIENT);
}

/* ---- staff ---------------------------------------------------------------- */

#define STAFF_COLS                                                                        \
  "id, county, kind, name, phone, full_time, level, community, login,"                    \
  " ifnull(resident_id, 0), skills, active, created_at"

static void read_staff(sqlite3_stmt *st, wg_staff_row *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  col_text(r->county, sizeof r->county, st, 1);
  r->kind = sqlite3_column_int(st, 2);
  col_text(r->name, sizeof r->name, st, 3);
  col_text(r->phone, sizeof r->phone, st, 4);
  r->full_time = sqlite3_column_int(st, 5);
  r->level = sqlite3_column_int(st, 6);
  col_text(r->community, sizeof r->community, st, 7);
  col_text(r->login, sizeof r->login, st, 8);
  r->resident_id = sqlite3_column_int64(st, 9);
  col_text(r->skills, sizeof r->skills, st, 10);
  r->active = sqlite3_column_int(st, 11);
  col_text(r->created_at, sizeof r->created_at, st, 12);
}

wg_err wg_store_staff_add(wg_store_t *s, wg_staff_row *r) {
  if (!r->created_at[0]) wg__now_iso(r->created_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO staff(county, kind, name, phone, full_time, level,"
                             " community, login, resident_id, skills, active, created_at)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->county);
  sqlite3_bind_int(st, 2, r->kind);
  wg__bind_text(st, 3, r->name);
  wg__bind_text(st, 4, r->phone);
  sqlite3_bind_int(st, 5, r->full_time ? 1 : 0);
  sqlite3_bind_int(st, 6, r->level);
  wg__bind_text(st, 7, r->community);
  wg__bind_text(st, 8, r->login);
  bind_id(st, 9, r->resident_id);
  wg__bind_text(st, 10, r->skills);
  sqlite3_bind_int(st, 11, r->active ? 1 : 0);
  wg__bind_text(st, 12, r->created_at);
  return run_write(s, st, &r->id);
}

typedef struct one_ctx {
  void *out;
  int found;
  void (*read)(sqlite3_stmt *, void *);
} one_ctx;

static int one_row(void *ctx, sqlite3_stmt *st) {
  one_ctx *c = ctx;
  c->read(st, c->out);
  c->found = 1;
  return 1;
}

static wg_err get_one(sqlite3_stmt *st, void (*read)(sqlite3_stmt *, void *), void *out) {
  one_ctx c = {out, 0, read};
  wg_err e = run_rows(st, one_row, &c);
  if (e) return e;
  return c.found ? WG_OK : WG_ENOTFOUND;
}

static void read_staff_v(sqlite3_stmt *st, void *out) { read_staff(st, out); }

wg_err wg_store_staff_get(wg_store_t *s, int64_t id, wg_staff_row *out) {
  WG__ON_PG(s, wg__pg_staff_get(s, id, out));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " STAFF_COLS " FROM staff WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  return get_one(st, read_staff_v, out);
}

wg_err wg_store_staff_by_login(wg_store_t *s, const char *login, wg_staff_row *out) {
  if (!login || !*login) return WG_ENOTFOUND;
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT " STAFF_COLS " FROM staff WHERE login = ?1 AND active = 1 ORDER BY id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, login);
  return get_one(st, read_staff_v, out);
}

wg_err wg_store_staff_update(wg_store_t *s, const wg_staff_row *r) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "UPDATE staff SET name = ?2, phone = ?3, full_time = ?4, level = ?5,"
                             " login = ?6, skills = ?7, active = ?8 WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, r->id);
  wg__bind_text(st, 2, r->name);
  wg__bind_text(st, 3, r->phone);
  sqlite3_bind_int(st, 4, r->full_time ? 1 : 0);
  sqlite3_bind_int(st, 5, r->level);
  wg__bind_text(st, 6, r->login);
  wg__bind_text(st, 7, r->skills);
  sqlite3_bind_int(st, 8, r->active ? 1 : 0);
  return run_update(s, st);
}

typedef struct each_ctx {
  void *fn;
  void *ctx;
} each_ctx;

static int staff_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_staff_row r;
  read_staff(st, &r);
  return ((wg_staff_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_staff_each(wg_store_t *s, const char *county, const char *prefix, wg_staff_fn fn,
                           void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " STAFF_COLS " FROM staff WHERE county = ?1"
                                " AND substr(community, 1, length(?2)) = ?2 ORDER BY id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  bind_prefix(st, 2, prefix);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, staff_row, &c);
}

wg_err wg_store_staff_grid_set(wg_store_t *s, int64_t staff_id, const char *county,
                               const char *grid, int on) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, on ? "INSERT OR IGNORE INTO staff_grid(staff_id, grid, county)"
                                     " VALUES (?1, ?2, ?3)"
                                   : "DELETE FROM staff_grid WHERE staff_id = ?1 AND grid = ?2"
                                     " AND county = ?3");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, staff_id);
  wg__bind_text(st, 2, grid);
  wg__bind_text(st, 3, county);
  return run_write(s, st, NULL);
}

wg_err wg_store_staff_building_set(wg_store_t *s, int64_t staff_id, const char *county,
                                   int64_t building_id, int on) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, on ? "INSERT OR IGNORE INTO staff_building(staff_id, building_id, county)"
                      " VALUES (?1, ?2, ?3)"
                    : "DELETE FROM staff_building WHERE staff_id = ?1 AND building_id = ?2"
                      " AND county = ?3");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, staff_id);
  sqlite3_bind_int64(st, 2, building_id);
  wg__bind_text(st, 3, county);
  return run_write(s, st, NULL);
}

static int staff_grid_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  return ((wg_staff_grid_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0),
                                   (const char *)sqlite3_column_text(st, 1));
}

wg_err wg_store_staff_grid_each(wg_store_t *s, const char *county, int64_t staff_id,
                                wg_staff_grid_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_staff_grid_each(s, county, staff_id, fn, ctx));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT g.staff_id, g.grid FROM staff_grid g JOIN staff f ON"
                                " f.id = g.staff_id WHERE g.county = ?1 AND f.active = 1 AND"
                                " (?2 = 0 OR g.staff_id = ?2) ORDER BY g.grid, g.staff_id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  sqlite3_bind_int64(st, 2, staff_id);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, staff_grid_row, &c);
}

static int staff_building_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  return ((wg_staff_building_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0),
                                       sqlite3_column_int64(st, 1));
}

wg_err wg_store_staff_building_each(wg_store_t *s, const char *county, int64_t staff_id,
                                    wg_staff_building_fn fn, void *ctx) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT b.staff_id, b.building_id FROM staff_building b JOIN staff f ON"
                 " f.id = b.staff_id WHERE b.county = ?1 AND f.active = 1 AND"
                 " (?2 = 0 OR b.staff_id = ?2) ORDER BY b.building_id, b.staff_id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  sqlite3_bind_int64(st, 2, staff_id);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, staff_building_row, &c);
}

/* ---- members -------------------------------------------------------------- */

#define MEMBER_COLS                                                                           \
  "m.id, m.county, m.kind, m.name, m.phone, ifnull(m.resident_id, 0), m.community, m.grid,"   \
  " m.in_service, m.employer, m.registered_on, m.skills, m.login, m.active, m.created_at,"    \
  " ifnull(r.household_id, 0), ifnull(d.entrance_id, 0), ifnull(b.lon, 0), ifnull(b.lat, 0)"
#define MEMBER_FROM                                                                       \
  " FROM member m LEFT JOIN resident r ON r.id = m.resident_id LEFT JOIN dwelling d ON"    \
  " d.id = r.dwelling_id LEFT JOIN entrance e ON e.id = d.entrance_id LEFT JOIN building b" \
  " ON b.id = e.building_id"

static void read_member(sqlite3_stmt *st, void *out) {
  wg_member_row *r = out;
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  col_text(r->county, sizeof r->county, st, 1);
  r->kind = sqlite3_column_int(st, 2);
  col_text(r->name, sizeof r->name, st, 3);
  col_text(r->phone, sizeof r->phone, st, 4);
  r->resident_id = sqlite3_column_int64(st, 5);
  col_text(r->community, sizeof r->community, st, 6);
  col_text(r->grid, sizeof r->grid, st, 7);
  r->in_service = sqlite3_column_int(st, 8);
  col_text(r->employer, sizeof r->employer, st, 9);
  r->registered_on = col_date(st, 10);
  col_text(r->skills, sizeof r->skills, st, 11);
  col_text(r->login, sizeof r->login, st, 12);
  r->active = sqlite3_column_int(st, 13);
  col_text(r->created_at, sizeof r->created_at, st, 14);
  r->household_id = sqlite3_column_int64(st, 15);
  r->entrance_id = sqlite3_column_int64(st, 16);
  r->lon = sqlite3_column_double(st, 17);
  r->lat = sqlite3_column_double(st, 18);
}

wg_err wg_store_member_add(wg_store_t *s, wg_member_row *r) {
  if (!r->created_at[0]) wg__now_iso(r->created_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO member(county, kind, name, phone, resident_id,"
                             " community, grid, in_service, employer, registered_on, skills,"
                             " login, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                             " ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->county);
  sqlite3_bind_int(st, 2, r->kind);
  wg__bind_text(st, 3, r->name);
  wg__bind_text(st, 4, r->phone);
  bind_id(st, 5, r->resident_id);
  wg__bind_text(st, 6, r->community);
  wg__bind_text(st, 7, r->grid);
  sqlite3_bind_int(st, 8, r->in_service ? 1 : 0);
  wg__bind_text(st, 9, r->employer);
  bind_date(st, 10, r->registered_on);
  wg__bind_text(st, 11, r->skills);
  wg__bind_text(st, 12, r->login);
  sqlite3_bind_int(st, 13, r->active ? 1 : 0);
  wg__bind_text(st, 14, r->created_at);
  return run_write(s, st, &r->id);
}

wg_err wg_store_member_get(wg_store_t *s, int64_t id, wg_member_row *out) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " MEMBER_COLS MEMBER_FROM " WHERE m.id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  return get_one(st, read_member, out);
}

wg_err wg_store_member_by_login(wg_store_t *s, const char *login, wg_member_row *out) {
  if (!login || !*login) return WG_ENOTFOUND;
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " MEMBER_COLS MEMBER_FROM " WHERE m.login = ?1 AND"
                                " m.active = 1 ORDER BY m.id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, login);
  return get_one(st, read_member, out);
}

wg_err wg_store_member_update(wg_store_t *s, const wg_member_row *r) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "UPDATE member SET name = ?2, phone = ?3, community = ?4, grid = ?5,"
                             " in_service = ?6, employer = ?7, registered_on = ?8, skills = ?9,"
                             " login = ?10, active = ?11 WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, r->id);
  wg__bind_text(st, 2, r->name);
  wg__bind_text(st, 3, r->phone);
  wg__bind_text(st, 4, r->community);
  wg__bind_text(st, 5, r->grid);
  sqlite3_bind_int(st, 6, r->in_service ? 1 : 0);
  wg__bind_text(st, 7, r->employer);
  bind_date(st, 8, r->registered_on);
  wg__bind_text(st, 9, r->skills);
  wg__bind_text(st, 10, r->login);
  sqlite3_bind_int(st, 11, r->active ? 1 : 0);
  return run_update(s, st);
}

static int member_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_member_row r;
  read_member(st, &r);
  return ((wg_member_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_member_each(wg_store_t *s, const char *county, const char *prefix,
                            wg_member_fn fn, void *ctx) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT " MEMBER_COLS MEMBER_FROM " WHERE m.county = ?1 AND"
                 " substr(m.community, 1, length(?2)) = ?2 ORDER BY m.id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  bind_prefix(st, 2, prefix);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, member_row, &c);
}

/* ---- the Party organisation ------------------------------------------------- */

#define PORG_COLS \
  "id, county, kind, name, grid, ifnull(plan_id, 0), ifnull(member_id, 0), active, created_at"

static void read_porg(sqlite3_stmt *st, void *out) {
  wg_party_org_row *r = out;
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  col_text(r->county, sizeof r->county, st, 1);
  r->kind = sqlite3_column_int(st, 2);
  col_text(r->name, sizeof r->name, st, 3);
  col_text(r->grid, sizeof r->grid, st, 4);
  r->plan_id = sqlite3_column_int64(st, 5);
  r->member_id = sqlite3_column_int64(st, 6);
  r->active = sqlite3_column_int(st, 7);
  col_text(r->created_at, sizeof r->created_at, st, 8);
}

wg_err wg_store_party_org_add(wg_store_t *s, wg_party_org_row *r) {
  if (!r->created_at[0]) wg__now_iso(r->created_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO party_org(county, kind, name, grid, plan_id, member_id,"
                             " active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->county);
  sqlite3_bind_int(st, 2, r->kind);
  wg__bind_text(st, 3, r->name);
  wg__bind_text(st, 4, r->grid);
  bind_id(st, 5, r->plan_id);
  bind_id(st, 6, r->member_id);
  sqlite3_bind_int(st, 7, r->active ? 1 : 0);
  wg__bind_text(st, 8, r->created_at);
  return run_write(s, st, &r->id);
}

wg_err wg_store_party_org_get(wg_store_t *s, int64_t id, wg_party_org_row *out) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " PORG_COLS " FROM party_org WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  return get_one(st, read_porg, out);
}

wg_err wg_store_party_org_update(wg_store_t *s, const wg_party_org_row *r) {
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "UPDATE party_org SET kind = ?2, name = ?3, grid = ?4, plan_id = ?5,"
                             " member_id = ?6, active = ?7 WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_int(st, 2, r->kind);
  wg__bind_text(st, 3, r->name);
  wg__bind_text(st, 4, r->grid);
  bind_id(st, 5, r->plan_id);
  bind_id(st, 6, r->member_id);
  sqlite3_bind_int(st, 7, r->active ? 1 : 0);
  return run_update(s, st);
}

static int porg_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_party_org_row r;
  read_porg(st, &r);
  return ((wg_party_org_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_party_org_each(wg_store_t *s, const char *county, wg_party_org_fn fn,
                               void *ctx) {
  WG__ON_PG(s, wg__pg_party_org_each(s, county, fn, ctx));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " PORG_COLS " FROM party_org WHERE county = ?1 AND"
                                " active = 1 ORDER BY grid");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, porg_row, &c);
}

/* ---- service logs ------------------------------------------------------------- */

wg_err wg_store_service_add(wg_store_t *s, wg_service_row *r) {
  if (!r->recorded_at[0]) wg__now_iso(r->recorded_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO service_log(county, member_id, staff_id, kind, date,"
                             " hours, grid, household_id, incident_id, note, recorded_at, actor)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->county);
  bind_id(st, 2, r->member_id);
  bind_id(st, 3, r->staff_id);
  wg__bind_text(st, 4, r->kind);
  bind_date(st, 5, r->date);
  sqlite3_bind_double(st, 6, r->hours);
  wg__bind_text(st, 7, r->grid);
  bind_id(st, 8, r->household_id);
  bind_id(st, 9, r->incident_id);
  wg__bind_text(st, 10, r->note);
  wg__bind_text(st, 11, r->recorded_at);
  wg__bind_text(st, 12, r->actor);
  return run_write(s, st, &r->id);
}

static int service_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_service_row r;
  memset(&r, 0, sizeof r);
  r.id = sqlite3_column_int64(st, 0);
  col_text(r.county, sizeof r.county, st, 1);
  r.member_id = sqlite3_column_int64(st, 2);
  r.staff_id = sqlite3_column_int64(st, 3);
  col_text(r.kind, sizeof r.kind, st, 4);
  r.date = col_date(st, 5);
  r.hours = sqlite3_column_double(st, 6);
  col_text(r.grid, sizeof r.grid, st, 7);
  r.household_id = sqlite3_column_int64(st, 8);
  r.incident_id = sqlite3_column_int64(st, 9);
  col_text(r.note, sizeof r.note, st, 10);
  col_text(r.recorded_at, sizeof r.recorded_at, st, 11);
  col_text(r.actor, sizeof r.actor, st, 12);
  return ((wg_service_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_service_each(wg_store_t *s, const wg_service_filter *f, wg_service_fn fn,
                             void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(
      s, "SELECT id, county, ifnull(member_id, 0), ifnull(staff_id, 0), kind, date, hours, grid,"
         " ifnull(household_id, 0), ifnull(incident_id, 0), note, recorded_at, actor"
         " FROM service_log WHERE county = ?1 AND (?2 = 0 OR member_id = ?2) AND"
         " (?3 = 0 OR staff_id = ?3) AND substr(grid, 1, length(?4)) = ?4 AND"
         " (?5 = '' OR date >= ?5) AND (?6 = '' OR date <= ?6) ORDER BY date, id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, f->county);
  sqlite3_bind_int64(st, 2, f->member_id);
  sqlite3_bind_int64(st, 3, f->staff_id);
  bind_prefix(st, 4, f->grid_prefix);
  bind_date(st, 5, f->from);
  bind_date(st, 6, f->to);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, service_row, &c);
}

/* ---- contact ---------------------------------------------------------------------- */

wg_err wg_store_contact_set(wg_store_t *s, const char *county, int64_t household_id,
                            int person_kind, int64_t person_id, int32_t since, int on) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, on ? "INSERT OR IGNORE INTO contact(household_id, person_kind, person_id,"
                      " county, since) VALUES (?1, ?2, ?3, ?4, ?5)"
                    : "DELETE FROM contact WHERE household_id = ?1 AND person_kind = ?2 AND"
                      " person_id = ?3 AND county = ?4 AND ?5 IS NOT NULL");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, household_id);
  sqlite3_bind_int(st, 2, person_kind);
  sqlite3_bind_int64(st, 3, person_id);
  wg__bind_text(st, 4, county);
  bind_date(st, 5, since);
  return run_write(s, st, NULL);
}

static int contact_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  return ((wg_contact_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
                                sqlite3_column_int64(st, 2));
}

wg_err wg_store_contact_each(wg_store_t *s, const char *county, wg_contact_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT household_id, person_kind, person_id FROM contact"
                                " WHERE county = ?1 ORDER BY household_id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, contact_row, &c);
}

/* ---- rosters ---------------------------------------------------------------------- */

#define SHIFT_COLS "id, county, place, staff_id, date, shift, status, handover"

static void read_shift(sqlite3_stmt *st, void *out) {
  wg_shift_row *r = out;
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  col_text(r->county, sizeof r->county, st, 1);
  col_text(r->place, sizeof r->place, st, 2);
  r->staff_id = sqlite3_column_int64(st, 3);
  r->date = col_date(st, 4);
  col_text(r->shift, sizeof r->shift, st, 5);
  r->status = sqlite3_column_int(st, 6);
  col_text(r->handover, sizeof r->handover, st, 7);
}

wg_err wg_store_shift_add(wg_store_t *s, wg_shift_row *r) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "INSERT INTO roster_shift(county, place, staff_id, date, shift,"
                                " status, handover) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->county);
  wg__bind_text(st, 2, r->place);
  sqlite3_bind_int64(st, 3, r->staff_id);
  bind_date(st, 4, r->date);
  wg__bind_text(st, 5, r->shift);
  sqlite3_bind_int(st, 6, r->status ? r->status : WG_SHIFT_PLANNED);
  wg__bind_text(st, 7, r->handover);
  return run_write(s, st, &r->id);
}

wg_err wg_store_shift_get(wg_store_t *s, int64_t id, wg_shift_row *out) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " SHIFT_COLS " FROM roster_shift WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  return get_one(st, read_shift, out);
}

wg_err wg_store_shift_update(wg_store_t *s, const wg_shift_row *r) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "UPDATE roster_shift SET status = ?2, handover = ?3 WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_int(st, 2, r->status);
  wg__bind_text(st, 3, r->handover);
  return run_update(s, st);
}

static int shift_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_shift_row r;
  read_shift(st, &r);
  return ((wg_shift_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_shift_each(wg_store_t *s, const char *county, const char *prefix, int32_t from,
                           int32_t to, wg_shift_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " SHIFT_COLS " FROM roster_shift WHERE county = ?1 AND"
                                " substr(place, 1, length(?2)) = ?2 AND (?3 = '' OR date >= ?3)"
                                " AND (?4 = '' OR date <= ?4) ORDER BY date, id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  bind_prefix(st, 2, prefix);
  bind_date(st, 3, from);
  bind_date(st, 4, to);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, shift_row, &c);
}

/* ---- visits ------------------------------------------------------------------------ */

wg_err wg_store_visit_add(wg_store_t *s, wg_visit_row *r) {
  if (!r->recorded_at[0]) wg__now_iso(r->recorded_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO visit(county, staff_id, household_id, date, grid,"
                             " findings, ledger_changes, matter, recorded_at, actor)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->county);
  sqlite3_bind_int64(st, 2, r->staff_id);
  sqlite3_bind_int64(st, 3, r->household_id);
  bind_date(st, 4, r->date);
  wg__bind_text(st, 5, r->grid);
  wg__bind_text(st, 6, r->findings);
  wg__bind_text(st, 7, r->ledger_changes);
  wg__bind_text(st, 8, r->matter);
  wg__bind_text(st, 9, r->recorded_at);
  wg__bind_text(st, 10, r->actor);
  return run_write(s, st, &r->id);
}

static int visit_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_visit_row r;
  memset(&r, 0, sizeof r);
  r.id = sqlite3_column_int64(st, 0);
  col_text(r.county, sizeof r.county, st, 1);
  r.staff_id = sqlite3_column_int64(st, 2);
  r.household_id = sqlite3_column_int64(st, 3);
  r.date = col_date(st, 4);
  col_text(r.grid, sizeof r.grid, st, 5);
  col_text(r.findings, sizeof r.findings, st, 6);
  col_text(r.ledger_changes, sizeof r.ledger_changes, st, 7);
  col_text(r.matter, sizeof r.matter, st, 8);
  col_text(r.recorded_at, sizeof r.recorded_at, st, 9);
  col_text(r.actor, sizeof r.actor, st, 10);
  return ((wg_visit_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_visit_each(wg_store_t *s, const char *county, int64_t staff_id,
                           int64_t household_id, int32_t from, int32_t to, wg_visit_fn fn,
                           void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(
      s, "SELECT id, county, staff_id, household_id, date, grid, findings, ledger_changes,"
         " matter, recorded_at, actor FROM visit WHERE county = ?1 AND (?2 = 0 OR staff_id = ?2)"
         " AND (?3 = 0 OR household_id = ?3) AND (?4 = '' OR date >= ?4) AND"
         " (?5 = '' OR date <= ?5) ORDER BY date DESC, id DESC");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  sqlite3_bind_int64(st, 2, staff_id);
  sqlite3_bind_int64(st, 3, household_id);
  bind_date(st, 4, from);
  bind_date(st, 5, to);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, visit_row, &c);
}

static int visit_last_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  return ((wg_visit_last_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0), col_date(st, 1));
}

wg_err wg_store_visit_last_each(wg_store_t *s, const char *county, wg_visit_last_fn fn,
                                void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT household_id, max(date) FROM visit WHERE county = ?1"
                                " GROUP BY household_id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, visit_last_row, &c);
}

static int household_place_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  return ((wg_household_place_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0),
                                        sqlite3_column_int64(st, 1),
                                        (const char *)sqlite3_column_text(st, 2));
}

wg_err wg_store_household_place_each(wg_store_t *s, const char *county,
                                     wg_household_place_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(
      s, "SELECT h.id, d.entrance_id, b.community FROM household h JOIN dwelling d ON"
         " d.id = h.dwelling_id JOIN entrance e ON e.id = d.entrance_id JOIN building b ON"
         " b.id = e.building_id WHERE h.county = ?1 AND EXISTS (SELECT 1 FROM resident r"
         " WHERE r.household_id = h.id AND r.status = 1) ORDER BY h.id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, household_place_row, &c);
}

/* ---- incidents, responders, notices ---------------------------------------------- */

#define INCIDENT_COLS                                                                      \
  "id, county, title, lon, lat, grid, need, skills, due, status, created_at, closed_at,"  \
  " hours, summary, actor"

static void read_incident(sqlite3_stmt *st, void *out) {
  wg_incident_row *r = out;
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  col_text(r->county, sizeof r->county, st, 1);
  col_text(r->title, sizeof r->title, st, 2);
  r->lon = sqlite3_column_double(st, 3);
  r->lat = sqlite3_column_double(st, 4);
  col_text(r->grid, sizeof r->grid, st, 5);
  r->need = sqlite3_column_int(st, 6);
  col_text(r->skills, sizeof r->skills, st, 7);
  col_text(r->due, sizeof r->due, st, 8);
  r->status = sqlite3_column_int(st, 9);
  col_text(r->created_at, sizeof r->created_at, st, 10);
  col_text(r->closed_at, sizeof r->closed_at, st, 11);
  r->hours = sqlite3_column_double(st, 12);
  col_text(r->summary, sizeof r->summary, st, 13);
  col_text(r->actor, sizeof r->actor, st, 14);
}

wg_err wg_store_incident_add(wg_store_t *s, wg_incident_row *r) {
  if (!r->created_at[0]) wg__now_iso(r->created_at);
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO incident(county, title, lon, lat, grid, need, skills,"
                             " due, status, created_at, closed_at, hours, summary, actor)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                             " ?14)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->county);
  wg__bind_text(st, 2, r->title);
  sqlite3_bind_double(st, 3, r->lon);
  sqlite3_bind_double(st, 4, r->lat);
  wg__bind_text(st, 5, r->grid);
  sqlite3_bind_int(st, 6, r->need);
  wg__bind_text(st, 7, r->skills);
  wg__bind_text(st, 8, r->due);
  sqlite3_bind_int(st, 9, r->status ? r->status : WG_INCIDENT_OPEN);
  wg__bind_text(st, 10, r->created_at);
  wg__bind_text(st, 11, r->closed_at);
  sqlite3_bind_double(st, 12, r->hours);
  wg__bind_text(st, 13, r->summary);
  wg__bind_text(st, 14, r->actor);
  return run_write(s, st, &r->id);
}

wg_err wg_store_incident_get(wg_store_t *s, int64_t id, wg_incident_row *out) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " INCIDENT_COLS " FROM incident WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  return get_one(st, read_incident, out);
}

wg_err wg_store_incident_update(wg_store_t *s, const wg_incident_row *r) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "UPDATE incident SET status = ?2, closed_at = ?3, hours = ?4,"
                                " summary = ?5 WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_int(st, 2, r->status);
  wg__bind_text(st, 3, r->closed_at);
  sqlite3_bind_double(st, 4, r->hours);
  wg__bind_text(st, 5, r->summary);
  return run_update(s, st);
}

static int incident_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_incident_row r;
  read_incident(st, &r);
  return ((wg_incident_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_incident_each(wg_store_t *s, const char *county, wg_incident_fn fn, void *ctx) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "SELECT " INCIDENT_COLS " FROM incident WHERE county = ?1 ORDER BY id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, incident_row, &c);
}

wg_err wg_store_responder_put(wg_store_t *s, const char *county, const wg_responder_row *r) {
  char now[32];
  wg__now_iso(now);
  sqlite3_stmt *st = wg__sqlite_prepare(s, "INSERT OR REPLACE INTO incident_responder(incident_id,"
                                " person_kind, person_id, county, status, distance, updated_at)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, r->incident_id);
  sqlite3_bind_int(st, 2, r->person_kind);
  sqlite3_bind_int64(st, 3, r->person_id);
  wg__bind_text(st, 4, county);
  sqlite3_bind_int(st, 5, r->status);
  sqlite3_bind_double(st, 6, r->distance);
  wg__bind_text(st, 7, r->updated_at[0] ? r->updated_at : now);
  return run_write(s, st, NULL);
}

static int responder_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  wg_responder_row r;
  memset(&r, 0, sizeof r);
  r.incident_id = sqlite3_column_int64(st, 0);
  r.person_kind = sqlite3_column_int(st, 1);
  r.person_id = sqlite3_column_int64(st, 2);
  r.status = sqlite3_column_int(st, 3);
  r.distance = sqlite3_column_double(st, 4);
  col_text(r.updated_at, sizeof r.updated_at, st, 5);
  return ((wg_responder_fn)c->fn)(c->ctx, &r);
}

wg_err wg_store_responder_each(wg_store_t *s, const char *county, int64_t incident_id,
                               wg_responder_fn fn, void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(
      s, "SELECT r.incident_id, r.person_kind, r.person_id, r.status, r.distance, r.updated_at"
         " FROM incident_responder r JOIN incident i ON i.id = r.incident_id WHERE"
         " r.county = ?1 AND (r.incident_id = ?2 OR (?2 = 0 AND i.status = 1))"
         " ORDER BY r.distance, r.person_kind, r.person_id");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  sqlite3_bind_int64(st, 2, incident_id);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, responder_row, &c);
}

wg_err wg_store_notice_add(wg_store_t *s, const char *county, int person_kind, int64_t person_id,
                           int64_t incident_id, const char *text, const char *at) {
  char now[32];
  wg__now_iso(now);
  sqlite3_stmt *st = wg__sqlite_prepare(s, "INSERT INTO notice(county, person_kind, person_id, incident_id,"
                                " text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  sqlite3_bind_int(st, 2, person_kind);
  sqlite3_bind_int64(st, 3, person_id);
  bind_id(st, 4, incident_id);
  wg__bind_text(st, 5, text);
  wg__bind_text(st, 6, at && *at ? at : now);
  return run_write(s, st, NULL);
}

static int notice_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  return ((wg_notice_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                               (const char *)sqlite3_column_text(st, 2),
                               (const char *)sqlite3_column_text(st, 3));
}

wg_err wg_store_notice_each(wg_store_t *s, int person_kind, int64_t person_id, wg_notice_fn fn,
                            void *ctx) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT id, ifnull(incident_id, 0), text, created_at FROM notice"
                                " WHERE person_kind = ?1 AND person_id = ?2 ORDER BY id DESC");
  if (!st) return WG_EDB;
  sqlite3_bind_int(st, 1, person_kind);
  sqlite3_bind_int64(st, 2, person_id);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, notice_row, &c);
}

/* ---- webhook outbox ------------------------------------------------------------------ */

wg_err wg_store_outbox_add(wg_store_t *s, const char *county, const char *url,
                           const char *body) {
  sqlite3_stmt *st =
      wg__sqlite_prepare(s, "INSERT INTO webhook_outbox(county, url, body) VALUES (?1, ?2, ?3)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, county);
  wg__bind_text(st, 2, url);
  wg__bind_text(st, 3, body);
  return run_write(s, st, NULL);
}

static void read_outbox(sqlite3_stmt *st, void *out) {
  wg_outbox_row *r = out;
  r->id = sqlite3_column_int64(st, 0);
  col_text(r->url, sizeof r->url, st, 1);
  const unsigned char *b = sqlite3_column_text(st, 2);
  r->body = strdup(b ? (const char *)b : "");
  r->attempts = sqlite3_column_int(st, 3);
}

wg_err wg_store_outbox_next(wg_store_t *s, int64_t now, int max_attempts, wg_outbox_row *out) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT id, url, body, attempts FROM webhook_outbox WHERE"
                                " delivered_at = '' AND next_at <= ?1 AND attempts < ?2"
                                " ORDER BY id LIMIT 1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, now);
  sqlite3_bind_int(st, 2, max_attempts);
  wg_err e = get_one(st, read_outbox, out);
  if (!e && !out->body) return WG_ENOMEM;
  return e;
}

wg_err wg_store_outbox_done(wg_store_t *s, int64_t id, int ok, const char *error,
                            int64_t next_at) {
  char now[32];
  wg__now_iso(now);
  sqlite3_stmt *st = wg__sqlite_prepare(s, "UPDATE webhook_outbox SET attempts = attempts + 1,"
                                " delivered_at = ?2, last_error = ?3, next_at = ?4 WHERE id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  wg__bind_text(st, 2, ok ? now : "");
  wg__bind_text(st, 3, error ? error : "");
  sqlite3_bind_int64(st, 4, next_at);
  return run_update(s, st);
}

static int count_pair(void *ctx, sqlite3_stmt *st) {
  long *v = ctx;
  v[0] = (long)sqlite3_column_int64(st, 0);
  v[1] = (long)sqlite3_column_int64(st, 1);
  return 1;
}

wg_err wg_store_outbox_counts(wg_store_t *s, long *delivered, long *pending) {
  long v[2] = {0, 0};
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT count(*) FILTER (WHERE delivered_at != ''),"
                                " count(*) FILTER (WHERE delivered_at = '') FROM webhook_outbox");
  wg_err e = run_rows(st, count_pair, v);
  *delivered = v[0];
  *pending = v[1];
  return e;
}

/* ---- look-ups for the operations ------------------------------------------------------ */

typedef struct entrance_out {
  int64_t *entrance;
  char *community;
} entrance_out;

static void read_entrance(sqlite3_stmt *st, void *out) {
  entrance_out *o = out;
  *o->entrance = sqlite3_column_int64(st, 0);
  col_text(o->community, 13, st, 1);
}

wg_err wg_store_household_entrance(wg_store_t *s, int64_t household_id, int64_t *entrance_id,
                                   char community[13]) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT d.entrance_id, b.community FROM household h JOIN"
                                " dwelling d ON d.id = h.dwelling_id JOIN entrance e ON"
                                " e.id = d.entrance_id JOIN building b ON b.id = e.building_id"
                                " WHERE h.id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, household_id);
  entrance_out o = {entrance_id, community};
  return get_one(st, read_entrance, &o);
}

static void read_codes(sqlite3_stmt *st, void *out) {
  char(*codes)[19] = out;
  for (int l = 0; l < 3; l++) col_text(codes[l], 19, st, l);
}

wg_err wg_store_entrance_grids(wg_store_t *s, int64_t plan_id, int64_t entrance_id,
                               char codes[3][19]) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT l1, l2, l3 FROM grid_assignment WHERE plan_id = ?1 AND"
                                " entrance_id = ?2 ORDER BY l3 = '', piece LIMIT 1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, plan_id);
  sqlite3_bind_int64(st, 2, entrance_id);
  return get_one(st, read_codes, codes);
}

static void read_grid(sqlite3_stmt *st, void *out) {
  wg_grid_t *g = out;
  memset(g, 0, sizeof *g);
  g->id = sqlite3_column_int64(st, 0);
  g->plan_id = sqlite3_column_int64(st, 1);
  col_text(g->county, sizeof g->county, st, 2);
  col_text(g->code, sizeof g->code, st, 3);
  g->level = sqlite3_column_int(st, 4);
  col_text(g->parent, sizeof g->parent, st, 5);
  col_text(g->community, sizeof g->community, st, 6);
  g->households = (long)sqlite3_column_int64(st, 7);
  g->units = sqlite3_column_int(st, 8);
  g->minx = sqlite3_column_double(st, 9);
  g->miny = sqlite3_column_double(st, 10);
  g->maxx = sqlite3_column_double(st, 11);
  g->maxy = sqlite3_column_double(st, 12);
}

wg_err wg_store_grid_get(wg_store_t *s, int64_t plan_id, const char *code, wg_grid_t *out) {
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT id, plan_id, county, code, level, parent, community,"
                                " households, units, ifnull(minx, 0), ifnull(miny, 0),"
                                " ifnull(maxx, 0), ifnull(maxy, 0) FROM grid WHERE plan_id = ?1"
                                " AND code = ?2");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, plan_id);
  wg__bind_text(st, 2, code);
  return get_one(st, read_grid, out);
}

/* ---- grid card ---------------------------------------------------------------------- */

/* "l1 = ?", "l2 = ?" or "l3 = ?" by the code's length. */
static const char *level_column(const char *code) {
  size_t n = strlen(code);
  return n == 14 ? "l1" : n == 16 ? "l2" : "l3";
}

static int head_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  return ((wg_building_head_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0),
                                      sqlite3_column_int64(st, 1),
                                      (const char *)sqlite3_column_text(st, 2));
}

wg_err wg_store_grid_building_heads(wg_store_t *s, int64_t plan_id, const char *code,
                                    wg_building_head_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_grid_building_heads(s, plan_id, code, fn, ctx));
  char sql[640];
  snprintf(sql, sizeof sql,
           /* the grid's buildings first (one pass over the plan's rows),
            * then their heads by index */
           "SELECT h.staff_id, h.building_id, b.name FROM (SELECT DISTINCT e.building_id AS bid"
           " FROM grid_assignment a JOIN entrance e ON e.id = a.entrance_id WHERE a.plan_id = ?1"
           " AND a.%s = ?2) x JOIN staff_building h ON h.building_id = x.bid JOIN building b ON"
           " b.id = h.building_id JOIN staff f ON f.id = h.staff_id WHERE f.active = 1"
           " ORDER BY h.building_id, h.staff_id",
           level_column(code));
  sqlite3_stmt *st = wg__sqlite_prepare(s, sql);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, plan_id);
  wg__bind_text(st, 2, code);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, head_row, &c);
}

static int three_longs(void *ctx, sqlite3_stmt *st) {
  long *v = ctx;
  for (int i = 0; i < 3; i++) v[i] = (long)sqlite3_column_int64(st, i);
  return 1;
}

wg_err wg_store_grid_member_counts(wg_store_t *s, int64_t plan_id, const char *code, long *party,
                                   long *registered, long *volunteers) {
  WG__ON_PG(s, wg__pg_grid_member_counts(s, plan_id, code, party, registered, volunteers));
  char sql[900];
  /* the grid's entrances first, then who lives there; members outside
   * the ledger by their grid code */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FILTER (WHERE kind = 1), count(*) FILTER (WHERE kind = 1 AND"
           " in_service = 1 AND registered_on != ''), count(*) FILTER (WHERE kind = 2) FROM ("
           "SELECT m.kind, m.in_service, m.registered_on FROM (SELECT DISTINCT entrance_id AS eid"
           " FROM grid_assignment WHERE plan_id = ?1 AND %s = ?2) x JOIN dwelling d ON"
           " d.entrance_id = x.eid JOIN resident r ON r.dwelling_id = d.id JOIN member m ON"
           " m.resident_id = r.id WHERE m.active = 1 UNION ALL SELECT kind, in_service,"
           " registered_on FROM member WHERE resident_id IS NULL AND active = 1 AND grid != ''"
           " AND substr(grid, 1, length(?2)) = ?2)",
           level_column(code));
  sqlite3_stmt *st = wg__sqlite_prepare(s, sql);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, plan_id);
  wg__bind_text(st, 2, code);
  long v[3] = {0, 0, 0};
  wg_err e = run_rows(st, three_longs, v);
  *party = v[0], *registered = v[1], *volunteers = v[2];
  return e;
}

static int grid_household_row(void *ctx, sqlite3_stmt *st) {
  each_ctx *c = ctx;
  char codes[3][19];
  for (int l = 0; l < 3; l++) col_text(codes[l], sizeof codes[l], st, 1 + l);
  return ((wg_grid_household_fn)c->fn)(c->ctx, sqlite3_column_int64(st, 0),
                                       (const char(*)[19])codes,
                                       (const char *)sqlite3_column_text(st, 4),
                                       (const char *)sqlite3_column_text(st, 5));
}

wg_err wg_store_grid_households(wg_store_t *s, int64_t plan_id, const char *code,
                                wg_grid_household_fn fn, void *ctx) {
  char sql[900];
  /* one row per household: the first assignment row of its entrance (a
   * split entrance: the first piece), its members' tags */
  snprintf(sql, sizeof sql,
           "SELECT r.household_id, a.l1, a.l2, a.l3, b.community, group_concat(r.tags) FROM"
           " (SELECT entrance_id, min(piece) AS piece FROM grid_assignment WHERE plan_id = ?1 AND"
           " %s = ?2 GROUP BY entrance_id) x JOIN grid_assignment a ON a.plan_id = ?1 AND"
           " a.entrance_id = x.entrance_id AND a.piece = x.piece JOIN entrance e ON e.id ="
           " x.entrance_id JOIN building b ON b.id = e.building_id JOIN dwelling d ON"
           " d.entrance_id = x.entrance_id JOIN resident r ON r.dwelling_id = d.id WHERE"
           " r.status = 1 AND r.household_id IS NOT NULL GROUP BY r.household_id"
           " ORDER BY r.household_id",
           level_column(code));
  sqlite3_stmt *st = wg__sqlite_prepare(s, sql);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, plan_id);
  wg__bind_text(st, 2, code);
  each_ctx c = {(void *)fn, ctx};
  return run_rows(st, grid_household_row, &c);
}
