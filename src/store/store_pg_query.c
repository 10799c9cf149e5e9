/* store_pg_query.c — the read queries of the HTTP API on PostgreSQL: paged
 * listings with filters and scope, and the per-entrance tallies of the
 * dashboard statistics. The same queries as store_sqlite_query.c, built
 * from fixed fragments with every value bound ($n), never pasted; joins
 * carry the county so each stays on one shard of a distributed database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"
#include "store/store_pg_int.h"

enum { Q_SQL_CAP = 8192 };

typedef struct qbuild {
  char sql[Q_SQL_CAP];
  size_t len;
  int overflow;
  wg_pgp p;
  char scope_codes[32 * 20 + 4]; /* bound text arrays of grid codes */
  char grid_codes[40];
} qbuild;

static void q_add(qbuild *q, const char *text) {
  size_t n = strlen(text);
  if (q->len + n + 1 > sizeof q->sql) {
    q->overflow = 1;
    return;
  }
  memcpy(q->sql + q->len, text, n + 1);
  q->len += n;
}

static void q_param(qbuild *q) {
  if (q->p.n >= WG_PGP_MAX) {
    q->overflow = 1;
    return;
  }
  char buf[16];
  snprintf(buf, sizeof buf, "$%d", q->p.n);
  q_add(q, buf);
}

static void q_text(qbuild *q, const char *v) {
  wg__pgp_text(&q->p, v);
  q_param(q);
}

static void q_int(qbuild *q, int64_t v) {
  wg__pgp_int(&q->p, v);
  q_param(q);
  q_add(q, "::bigint");
}

/* Appends "<entrance ent — and dwelling dw, when given — lies in one of
 * the grids codes[] of plan_id at some level>": as on SQLite
 * (store_sqlite_query.c), with the codes bound once as a text array. */
static void q_in_grids(qbuild *q, int64_t plan_id, const char *const *codes, int n,
                       const char *ent, const char *dw, char *array, size_t cap) {
  size_t at = 0;
  array[at++] = '{';
  for (int i = 0; i < n && at + 21 < cap; i++)
    at += (size_t)snprintf(array + at, cap - at, "%s%s", i ? "," : "", codes[i]);
  array[at++] = '}';
  array[at] = '\0';
  char buf[256], arr[16];
  q_text(q, array);
  snprintf(arr, sizeof arr, "$%d", q->p.n);
  q_add(q, "::text[] IS NOT NULL AND ");
  snprintf(buf, sizeof buf,
           "(%s.id IN (SELECT entrance_id FROM grid_assignment WHERE county = %s.county"
           " AND plan_id = ",
           ent, ent);
  q_add(q, buf);
  q_int(q, plan_id);
  snprintf(buf, sizeof buf, " AND (l1 = ANY(%s::text[]) OR l2 = ANY(%s::text[]) OR l3 = ANY(%s::text[])))",
           arr, arr, arr);
  q_add(q, buf);
  if (dw) {
    q_add(q, " AND NOT EXISTS (SELECT 1 FROM grid_piece_dwelling pd JOIN grid_assignment a"
             " ON a.county = pd.county AND a.plan_id = pd.plan_id AND a.entrance_id = pd.entrance_id"
             " AND a.piece = pd.piece WHERE pd.plan_id = ");
    q_int(q, plan_id);
    snprintf(buf, sizeof buf,
             " AND pd.county = %s.county AND pd.dwelling_id = %s.id AND NOT (a.l1 = ANY(%s::text[])"
             " OR a.l2 = ANY(%s::text[]) OR a.l3 = ANY(%s::text[])))",
             dw, dw, arr, arr, arr);
    q_add(q, buf);
  }
  q_add(q, ")");
}

/* Appends "AND <entrance alias ent, building alias bld (and dwelling alias
 * dw, or NULL) is in scope>". */
static void q_scope(qbuild *q, const wg_store_scope *sc, const char *ent, const char *bld,
                    const char *dw) {
  if (!sc || sc->all) return;
  char buf[200];
  q_add(q, " AND (false");
  for (int i = 0; i < sc->nprefixes; i++) {
    snprintf(buf, sizeof buf, " OR substr(%s.community, 1, length(", bld);
    q_add(q, buf);
    q_text(q, sc->prefixes[i]);
    q_add(q, ")) = ");
    q_text(q, sc->prefixes[i]);
  }
  if (sc->ngrids > 0) {
    q_add(q, " OR (");
    q_in_grids(q, sc->plan_id, sc->grids, sc->ngrids, ent, dw, q->scope_codes,
               sizeof q->scope_codes);
    q_add(q, ")");
  }
  q_add(q, ")");
}

static void q_grid(qbuild *q, const wg_place_filter *f, const char *ent, const char *dw) {
  if (!f->grid || !*f->grid) return;
  const char *codes[1] = {f->grid};
  q_add(q, " AND (");
  q_in_grids(q, f->plan_id, codes, 1, ent, dw, q->grid_codes, sizeof q->grid_codes);
  q_add(q, ")");
}

static void q_page(qbuild *q, const wg_store_page *pg, const char *order_col) {
  char buf[96];
  snprintf(buf, sizeof buf, " ORDER BY %s LIMIT ", order_col);
  q_add(q, buf);
  q_int(q, pg->limit);
  q_add(q, " OFFSET ");
  q_int(q, pg->offset);
}

static PGresult *q_run(wg_store_t *s, qbuild *q, wg_err *e) {
  if (q->overflow) {
    *e = WG_ETOOBIG;
    return NULL;
  }
  return wg__pg_exec(s, q->sql, &q->p, e);
}

static wg_err run_count(wg_store_t *s, qbuild *q, long *total) {
  wg_err e;
  PGresult *r = q_run(s, q, &e);
  *total = e ? 0 : (long)wg__pg_i64(r, 0, 0);
  PQclear(r);
  return e;
}

/* ---- buildings ------------------------------------------------------------ */

static void building_where(qbuild *q, const wg_place_filter *f, const wg_store_scope *sc,
                           int64_t after) {
  q_add(q, " FROM building b JOIN estate s ON s.county = b.county AND s.id = b.estate_id"
           " WHERE b.county = ");
  q_text(q, f->county);
  if (f->community && *f->community) {
    q_add(q, " AND b.community = ");
    q_text(q, f->community);
  }
  if ((f->grid && *f->grid) || (sc && !sc->all)) {
    q_add(q, " AND EXISTS (SELECT 1 FROM entrance e WHERE e.county = b.county"
             " AND e.building_id = b.id");
    q_grid(q, f, "e", NULL);
    q_scope(q, sc, "e", "b", NULL);
    q_add(q, ")");
  }
  if (after > 0) {
    q_add(q, " AND b.id > ");
    q_int(q, after);
  }
}

wg_err wg__pg_building_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                            const wg_store_page *pg, wg_building_page_fn fn, void *ctx,
                            long *total) {
  qbuild *q = calloc(1, sizeof *q);
  if (!q) return WG_ENOMEM;
  wg_err e = WG_OK;
  if (total) {
    q_add(q, "SELECT count(*)");
    building_where(q, f, sc, 0);
    e = run_count(s, q, total);
    memset(q, 0, sizeof *q);
  }
  if (!e) {
    q_add(q, "SELECT b.id, b.estate_id, b.county, b.community, b.name, b.floors, b.lon, b.lat,"
             " s.name, (SELECT count(*) FROM entrance e WHERE e.county = b.county"
             " AND e.building_id = b.id)");
    building_where(q, f, sc, pg->after);
    q_page(q, pg, "b.id");
    PGresult *r = q_run(s, q, &e);
    wg_building_t b;
    char estate[96];
    for (int i = 0; !e && i < PQntuples(r); i++) {
      memset(&b, 0, sizeof b);
      b.id = wg__pg_i64(r, i, 0);
      b.estate_id = wg__pg_i64(r, i, 1);
      wg__pg_copy(b.county, sizeof b.county, r, i, 2);
      wg__pg_copy(b.community, sizeof b.community, r, i, 3);
      wg__pg_copy(b.name, sizeof b.name, r, i, 4);
      b.floors = (int)wg__pg_i64(r, i, 5);
      b.lon = wg__pg_double(r, i, 6);
      b.lat = wg__pg_double(r, i, 7);
      wg__pg_copy(estate, sizeof estate, r, i, 8);
      if (fn(ctx, &b, estate, (int)wg__pg_i64(r, i, 9))) break;
    }
    PQclear(r);
  }
  free(q);
  return e;
}

/* ---- households ----------------------------------------------------------- */

static void household_where(qbuild *q, const wg_place_filter *f, const wg_store_scope *sc,
                            int64_t after) {
  q_add(q, " FROM household h LEFT JOIN dwelling d ON d.county = h.county AND d.id = h.dwelling_id"
           " LEFT JOIN entrance e ON e.county = d.county AND e.id = d.entrance_id"
           " LEFT JOIN building b ON b.county = e.county AND b.id = e.building_id"
           " WHERE h.county = ");
  q_text(q, f->county);
  q_add(q, " AND EXISTS (SELECT 1 FROM resident r WHERE r.county = h.county"
           " AND r.household_id = h.id AND r.status = 1)");
  if (f->community && *f->community) {
    q_add(q, " AND b.community = ");
    q_text(q, f->community);
  }
  q_grid(q, f, "e", "d");
  q_scope(q, sc, "e", "b", "d");
  if (after > 0) {
    q_add(q, " AND h.id > ");
    q_int(q, after);
  }
}

wg_err wg__pg_household_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                             const wg_store_page *pg, wg_household_page_fn fn, void *ctx,
                             long *total) {
  qbuild *q = calloc(1, sizeof *q);
  if (!q) return WG_ENOMEM;
  wg_err e = WG_OK;
  if (total) {
    q_add(q, "SELECT count(*)");
    household_where(q, f, sc, 0);
    e = run_count(s, q, total);
    memset(q, 0, sizeof *q);
  }
  if (!e) {
    q_add(q, "SELECT h.id, h.number, coalesce(h.dwelling_id, 0), coalesce(e.id, 0),"
             " coalesce(b.community, ''),"
             " (SELECT count(*) FROM resident r WHERE r.county = h.county"
             " AND r.household_id = h.id AND r.status = 1)");
    household_where(q, f, sc, pg->after);
    q_page(q, pg, "h.id");
    PGresult *r = q_run(s, q, &e);
    wg_household_item h;
    for (int i = 0; !e && i < PQntuples(r); i++) {
      memset(&h, 0, sizeof h);
      h.id = wg__pg_i64(r, i, 0);
      wg__pg_copy(h.number, sizeof h.number, r, i, 1);
      h.dwelling_id = wg__pg_i64(r, i, 2);
      h.entrance_id = wg__pg_i64(r, i, 3);
      wg__pg_copy(h.community, sizeof h.community, r, i, 4);
      h.members = (long)wg__pg_i64(r, i, 5);
      if (fn(ctx, &h)) break;
    }
    PQclear(r);
  }
  free(q);
  return e;
}

/* ---- residents ------------------------------------------------------------ */

static const char res_cols[] =
    "id, county, id_number, name, sex, birth, phone, relation, residence, status,"
    " coalesce(household_id, 0) AS household_id, coalesce(dwelling_id, 0) AS dwelling_id, tags,"
    " since, event_id";
static const char hist_cols[] =
    "resident_id, county, id_number, name, sex, birth, phone, relation, residence, status,"
    " coalesce(household_id, 0), coalesce(dwelling_id, 0), tags, valid_from, event_id";

static void resident_where(qbuild *q, const wg_resident_query *f, const wg_store_scope *sc,
                           const char *as_of, int64_t after) {
  q_add(q, " FROM (SELECT ");
  q_add(q, res_cols);
  q_add(q, " FROM resident WHERE county = ");
  q_text(q, f->place.county);
  if (f->as_of > 0) {
    q_add(q, " AND since <= ");
    q_text(q, as_of);
    q_add(q, " UNION ALL SELECT ");
    q_add(q, hist_cols);
    q_add(q, " FROM resident_history WHERE county = ");
    q_text(q, f->place.county);
    q_add(q, " AND valid_from <= ");
    q_text(q, as_of);
    q_add(q, " AND valid_to > ");
    q_text(q, as_of);
  }
  q_add(q, ") r LEFT JOIN dwelling d ON d.county = r.county AND d.id = r.dwelling_id"
           " LEFT JOIN entrance e ON e.county = d.county AND e.id = d.entrance_id"
           " LEFT JOIN building b ON b.county = e.county AND b.id = e.building_id");
  if (f->address[0])
    q_add(q, " LEFT JOIN estate st ON st.county = b.county AND st.id = b.estate_id");
  q_add(q, " WHERE true");
  if (!f->include_inactive) q_add(q, " AND r.status = 1");
  if (f->name && *f->name) {
    q_add(q, " AND strpos(r.name, ");
    q_text(q, f->name);
    q_add(q, ") > 0");
  }
  for (int i = 0; i < WG_ADDRESS_TERMS && f->address[i]; i++) {
    q_add(q, " AND strpos(coalesce(st.name, '') || coalesce(b.name, '') || coalesce(e.name, '')"
             " || coalesce(d.room, ''), ");
    q_text(q, f->address[i]);
    q_add(q, ") > 0");
  }
  if (f->tag && *f->tag) {
    q_add(q, " AND strpos(r.tags, ',' || ");
    q_text(q, f->tag);
    q_add(q, " || ',') > 0");
  }
  if (f->household_id > 0) {
    q_add(q, " AND r.household_id = ");
    q_int(q, f->household_id);
  }
  if (f->place.community && *f->place.community) {
    q_add(q, " AND b.community = ");
    q_text(q, f->place.community);
  }
  q_grid(q, &f->place, "e", "d");
  q_scope(q, sc, "e", "b", "d");
  if (after > 0) {
    q_add(q, " AND r.id > ");
    q_int(q, after);
  }
}

wg_err wg__pg_resident_page(wg_store_t *s, const wg_resident_query *f, const wg_store_scope *sc,
                            const wg_store_page *pg, wg_resident_page_fn fn, void *ctx,
                            long *total) {
  qbuild *q = calloc(1, sizeof *q);
  if (!q) return WG_ENOMEM;
  char as_of[11];
  wg_date_format(f->as_of, as_of);
  wg_err e = WG_OK;
  if (total) {
    q_add(q, "SELECT count(*)");
    resident_where(q, f, sc, as_of, 0);
    e = run_count(s, q, total);
    memset(q, 0, sizeof *q);
  }
  if (!e) {
    q_add(q, "SELECT r.id, r.county, r.id_number, r.name, r.sex, r.birth, r.phone, r.relation,"
             " r.residence, r.status, r.household_id, r.dwelling_id, r.tags, r.since,"
             " r.event_id, coalesce(e.id, 0), coalesce(b.community, '')");
    resident_where(q, f, sc, as_of, pg->after);
    q_page(q, pg, "r.id");
    PGresult *r = q_run(s, q, &e);
    wg_resident_t v;
    char community[13];
    for (int i = 0; !e && i < PQntuples(r); i++) {
      wg__pg_read_resident(r, i, &v);
      wg__pg_copy(community, sizeof community, r, i, 16);
      if (fn(ctx, &v, wg__pg_i64(r, i, 15), community)) break;
    }
    PQclear(r);
  }
  free(q);
  return e;
}

wg_err wg__pg_dwelling_place(wg_store_t *s, int64_t dwelling_id, int64_t *entrance_id,
                             char community[13]) {
  *entrance_id = 0;
  community[0] = '\0';
  wg_pgp q = {0};
  wg__pgp_int(&q, dwelling_id);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT e.id, b.community FROM dwelling d JOIN entrance e"
                            " ON e.county = d.county AND e.id = d.entrance_id JOIN building b"
                            " ON b.county = e.county AND b.id = e.building_id WHERE d.id = $1",
                            &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) {
    *entrance_id = wg__pg_i64(r, 0, 0);
    wg__pg_copy(community, 13, r, 0, 1);
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_resident_place_each(wg_store_t *s, const char *county, wg_resident_place_fn fn,
                                  void *ctx) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT d.entrance_id, d.id, coalesce(r.household_id, 0), r.tags"
                            " FROM resident r JOIN dwelling d ON d.county = r.county"
                            " AND d.id = r.dwelling_id WHERE r.county = $1 AND r.status = 1",
                            &q, &e);
  for (int i = 0; !e && i < PQntuples(r); i++)
    if (fn(ctx, wg__pg_i64(r, i, 0), wg__pg_i64(r, i, 1), wg__pg_i64(r, i, 2),
           wg__pg_col(r, i, 3)))
      break;
  PQclear(r);
  return e;
}
