/* store_pg_org.c — the organisation queries of a grid card on PostgreSQL
 * (wg__api_grid_org, every request): the same results as
 * store_sqlite_org.c. The rest of the organisation domain is SQLite-only
 * for now (store_int.h: WG_ENOTSUP here). Joins carry the county, grid
 * codes order bytewise as on SQLite. */
#include <string.h>

#include "store/store_pg_int.h"

wg_err wg__pg_staff_get(wg_store_t *s, int64_t id, wg_staff_row *out) {
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT id, county, kind, name, phone, full_time, level, community,"
                            " login, coalesce(resident_id, 0), skills, active, created_at"
                            " FROM staff WHERE id = $1::bigint",
                            &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) {
    memset(out, 0, sizeof *out);
    out->id = wg__pg_i64(r, 0, 0);
    wg__pg_copy(out->county, sizeof out->county, r, 0, 1);
    out->kind = (int)wg__pg_i64(r, 0, 2);
    wg__pg_copy(out->name, sizeof out->name, r, 0, 3);
    wg__pg_copy(out->phone, sizeof out->phone, r, 0, 4);
    out->full_time = (int)wg__pg_i64(r, 0, 5);
    out->level = (int)wg__pg_i64(r, 0, 6);
    wg__pg_copy(out->community, sizeof out->community, r, 0, 7);
    wg__pg_copy(out->login, sizeof out->login, r, 0, 8);
    out->resident_id = wg__pg_i64(r, 0, 9);
    wg__pg_copy(out->skills, sizeof out->skills, r, 0, 10);
    out->active = (int)wg__pg_i64(r, 0, 11);
    wg__pg_copy(out->created_at, sizeof out->created_at, r, 0, 12);
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_staff_grid_each(wg_store_t *s, const char *county, int64_t staff_id,
                              wg_staff_grid_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg__pgp_int(&q, staff_id);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT g.staff_id, g.grid FROM staff_grid g JOIN staff f ON"
                            " f.county = g.county AND f.id = g.staff_id WHERE g.county = $1"
                            " AND f.active = 1 AND ($2::bigint = 0 OR g.staff_id = $2::bigint)"
                            " ORDER BY g.grid COLLATE \"C\", g.staff_id",
                            &q, &e);
  for (int i = 0; !e && i < PQntuples(r); i++)
    if (fn(ctx, wg__pg_i64(r, i, 0), wg__pg_col(r, i, 1))) break;
  PQclear(r);
  return e;
}

wg_err wg__pg_party_org_each(wg_store_t *s, const char *county, wg_party_org_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT id, county, kind, name, grid, coalesce(plan_id, 0),"
                            " coalesce(member_id, 0), active, created_at FROM party_org"
                            " WHERE county = $1 AND active = 1 ORDER BY grid COLLATE \"C\"",
                            &q, &e);
  wg_party_org_row o;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&o, 0, sizeof o);
    o.id = wg__pg_i64(r, i, 0);
    wg__pg_copy(o.county, sizeof o.county, r, i, 1);
    o.kind = (int)wg__pg_i64(r, i, 2);
    wg__pg_copy(o.name, sizeof o.name, r, i, 3);
    wg__pg_copy(o.grid, sizeof o.grid, r, i, 4);
    o.plan_id = wg__pg_i64(r, i, 5);
    o.member_id = wg__pg_i64(r, i, 6);
    o.active = (int)wg__pg_i64(r, i, 7);
    wg__pg_copy(o.created_at, sizeof o.created_at, r, i, 8);
    if (fn(ctx, &o)) break;
  }
  PQclear(r);
  return e;
}

/* The statement for the code's level (l1, l2, l3 by its length). */
static const char *by_level(const char *code, const char *l1, const char *l2, const char *l3) {
  size_t n = code ? strlen(code) : 0;
  return n == 14 ? l1 : n == 16 ? l2 : l3;
}

#define HEADS(col)                                                                             \
  "SELECT h.staff_id, h.building_id, b.name FROM (SELECT DISTINCT e.county, e.building_id"    \
  " AS bid FROM grid_assignment a JOIN entrance e ON e.county = a.county AND"                  \
  " e.id = a.entrance_id WHERE a.plan_id = $1::bigint AND a." col " = $2) x"                  \
  " JOIN staff_building h ON h.county = x.county AND h.building_id = x.bid"                    \
  " JOIN building b ON b.county = h.county AND b.id = h.building_id"                           \
  " JOIN staff f ON f.county = h.county AND f.id = h.staff_id WHERE f.active = 1"              \
  " ORDER BY h.building_id, h.staff_id"

wg_err wg__pg_grid_building_heads(wg_store_t *s, int64_t plan_id, const char *code,
                                  wg_building_head_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg__pgp_text(&q, code);
  wg_err e;
  PGresult *r =
      wg__pg_exec(s, by_level(code, HEADS("l1"), HEADS("l2"), HEADS("l3")), &q, &e);
  for (int i = 0; !e && i < PQntuples(r); i++)
    if (fn(ctx, wg__pg_i64(r, i, 0), wg__pg_i64(r, i, 1), wg__pg_col(r, i, 2))) break;
  PQclear(r);
  return e;
}

#define MEMBERS(col)                                                                           \
  "SELECT count(*) FILTER (WHERE kind = 1), count(*) FILTER (WHERE kind = 1 AND"              \
  " in_service = 1 AND registered_on <> ''), count(*) FILTER (WHERE kind = 2) FROM ("         \
  "SELECT m.kind, m.in_service, m.registered_on FROM (SELECT DISTINCT county, entrance_id"    \
  " AS eid FROM grid_assignment WHERE plan_id = $1::bigint AND " col " = $2) x"               \
  " JOIN dwelling d ON d.county = x.county AND d.entrance_id = x.eid"                          \
  " JOIN resident r ON r.county = d.county AND r.dwelling_id = d.id"                           \
  " JOIN member m ON m.county = r.county AND m.resident_id = r.id WHERE m.active = 1"          \
  " UNION ALL SELECT kind, in_service, registered_on FROM member WHERE resident_id IS NULL"    \
  " AND active = 1 AND grid <> '' AND substr(grid, 1, length($2)) = $2) y"

wg_err wg__pg_grid_member_counts(wg_store_t *s, int64_t plan_id, const char *code, long *party,
                                 long *registered, long *volunteers) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg__pgp_text(&q, code);
  wg_err e;
  PGresult *r =
      wg__pg_exec(s, by_level(code, MEMBERS("l1"), MEMBERS("l2"), MEMBERS("l3")), &q, &e);
  long v[3] = {0, 0, 0};
  if (!e && PQntuples(r) == 1)
    for (int i = 0; i < 3; i++) v[i] = (long)wg__pg_i64(r, 0, i);
  PQclear(r);
  *party = v[0], *registered = v[1], *volunteers = v[2];
  return e;
}
