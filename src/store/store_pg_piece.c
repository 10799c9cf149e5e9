/* store_pg_piece.c — split entrances on PostgreSQL: the same queries as
 * store_sqlite_piece.c. */
#include <string.h>

#include "store/store_pg_int.h"

#define ROOM_ORDER "length(d.room), d.room"

wg_err wg__pg_entrance_dwellings(wg_store_t *s, int64_t entrance_id, wg_dwelling_load_fn fn,
                                 void *ctx) {
  wg_pgp q = {0};
  wg__pgp_int(&q, entrance_id);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT d.id, d.floor, d.room,"
                            " (SELECT count(DISTINCT r.household_id) FROM resident r"
                            "  WHERE r.county = d.county AND r.dwelling_id = d.id AND r.status = 1)"
                            " FROM dwelling d WHERE d.entrance_id = $1::bigint"
                            " ORDER BY d.floor, " ROOM_ORDER ", d.id",
                            &q, &e);
  wg_dwelling_load_t d;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&d, 0, sizeof d);
    d.dwelling_id = wg__pg_i64(r, i, 0);
    d.floor = (int)wg__pg_i64(r, i, 1);
    wg__pg_copy(d.room, sizeof d.room, r, i, 2);
    d.households = (long)wg__pg_i64(r, i, 3);
    if (fn(ctx, &d)) break;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_piece_dwelling_add(wg_store_t *s, int64_t plan_id, const wg_piece_dwelling_t *d) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg__pgp_int(&q, d->dwelling_id);
  wg__pgp_int(&q, d->entrance_id);
  wg__pgp_int(&q, d->piece);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "INSERT INTO grid_piece_dwelling(plan_id, dwelling_id, county,"
                            " entrance_id, piece) SELECT $1::bigint, $2::bigint, county, $3::bigint,"
                            " $4::integer FROM entrance WHERE id = $3::bigint",
                            &q, &e);
  if (!e && wg__pg_changes(r) != 1) e = WG_ENOTFOUND;
  PQclear(r);
  return e;
}

wg_err wg__pg_piece_dwelling_each(wg_store_t *s, int64_t plan_id, wg_piece_dwelling_fn fn,
                                  void *ctx) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT p.entrance_id, p.dwelling_id, p.piece, d.floor, d.room"
                            " FROM grid_piece_dwelling p JOIN dwelling d ON d.county = p.county"
                            " AND d.id = p.dwelling_id WHERE p.plan_id = $1::bigint"
                            " ORDER BY p.entrance_id, p.piece, d.floor, " ROOM_ORDER ", d.id",
                            &q, &e);
  wg_piece_dwelling_t d;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&d, 0, sizeof d);
    d.entrance_id = wg__pg_i64(r, i, 0);
    d.dwelling_id = wg__pg_i64(r, i, 1);
    d.piece = (int)wg__pg_i64(r, i, 2);
    d.floor = (int)wg__pg_i64(r, i, 3);
    wg__pg_copy(d.room, sizeof d.room, r, i, 4);
    if (fn(ctx, &d)) break;
  }
  PQclear(r);
  return e;
}
