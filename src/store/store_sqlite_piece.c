/* store_sqlite_piece.c — split entrances: their dwellings in reading order,
 * and which piece (level-3 grid) of a plan each dwelling belongs to. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"
#include "store/store_pg.h"

/* Room numbers in reading order: "2" before "10", then by text. */
#define ROOM_ORDER "length(d.room), d.room"

wg_err wg_store_entrance_dwellings(wg_store_t *s, int64_t entrance_id, wg_dwelling_load_fn fn,
                                   void *ctx) {
  WG__ON_PG(s, wg__pg_entrance_dwellings(s, entrance_id, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(wg__store_db(s),
                              "SELECT d.id, d.floor, d.room,"
                              " (SELECT count(DISTINCT r.household_id) FROM resident r"
                              "  WHERE r.dwelling_id = d.id AND r.status = 1)"
                              " FROM dwelling d WHERE d.entrance_id = ?1"
                              " ORDER BY d.floor, " ROOM_ORDER ", d.id",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return wg__store_rc(rc);
  sqlite3_bind_int64(st, 1, entrance_id);
  wg_dwelling_load_t d;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&d, 0, sizeof d);
    d.dwelling_id = sqlite3_column_int64(st, 0);
    d.floor = sqlite3_column_int(st, 1);
    wg__copy_text(d.room, sizeof d.room, sqlite3_column_text(st, 2));
    d.households = (long)sqlite3_column_int64(st, 3);
    if (fn(ctx, &d)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : wg__store_rc(rc);
}

wg_err wg_store_piece_dwelling_add(wg_store_t *s, int64_t plan_id, const wg_piece_dwelling_t *d) {
  WG__ON_PG(s, wg__pg_piece_dwelling_add(s, plan_id, d));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(wg__store_db(s),
                              "INSERT INTO grid_piece_dwelling(plan_id, dwelling_id, county,"
                              " entrance_id, piece) SELECT ?1, ?2, county, ?3, ?4 FROM entrance"
                              " WHERE id = ?3",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return wg__store_rc(rc);
  sqlite3_bind_int64(st, 1, plan_id);
  sqlite3_bind_int64(st, 2, d->dwelling_id);
  sqlite3_bind_int64(st, 3, d->entrance_id);
  sqlite3_bind_int(st, 4, d->piece);
  rc = sqlite3_step(st);
  int changed = sqlite3_changes(wg__store_db(s));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return wg__store_rc(rc);
  return changed == 1 ? WG_OK : WG_ENOTFOUND;
}

wg_err wg_store_piece_dwelling_each(wg_store_t *s, int64_t plan_id, wg_piece_dwelling_fn fn,
                                    void *ctx) {
  WG__ON_PG(s, wg__pg_piece_dwelling_each(s, plan_id, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(wg__store_db(s),
                              "SELECT p.entrance_id, p.dwelling_id, p.piece, d.floor, d.room"
                              " FROM grid_piece_dwelling p JOIN dwelling d ON d.id = p.dwelling_id"
                              " WHERE p.plan_id = ?1"
                              " ORDER BY p.entrance_id, p.piece, d.floor, " ROOM_ORDER ", d.id",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return wg__store_rc(rc);
  sqlite3_bind_int64(st, 1, plan_id);
  wg_piece_dwelling_t d;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&d, 0, sizeof d);
    d.entrance_id = sqlite3_column_int64(st, 0);
    d.dwelling_id = sqlite3_column_int64(st, 1);
    d.piece = sqlite3_column_int(st, 2);
    d.floor = sqlite3_column_int(st, 3);
    wg__copy_text(d.room, sizeof d.room, sqlite3_column_text(st, 4));
    if (fn(ctx, &d)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : wg__store_rc(rc);
}
