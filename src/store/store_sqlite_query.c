/* store_sqlite_query.c — the read queries of the HTTP API on SQLite: paged
 * listings with filters and scope, per-entrance tallies for the dashboard
 * statistics, and a prepared probe for the per-request version check.
 *
 * Listings build their SQL from fixed fragments; every value is bound, never
 * pasted. Scope restricts rows to entrances that lie in a division prefix or
 * in a grid of the scope's plan at any level. An entrance split over
 * level-3 grids is in each of its pieces' grids; a dwelling of it that the
 * plan gave to one piece (grid_piece_dwelling) is only in that piece's
 * grids — so the worker of floors 1-6 does not see floor 7. A building is
 * listed when any of its entrances' pieces is in scope. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"
#include "store/store_int.h"
#include "store/store_pg.h"

/* ---- a tiny SQL builder with bound values ------------------------------- */

enum { Q_SQL_CAP = 16384, Q_MAX_BINDS = 400 };

typedef struct qbuild {
  char sql[Q_SQL_CAP];
  size_t len;
  int overflow;
  int nbinds;
  struct {
    int is_text;
    int64_t i;
    const char *s;
  } binds[Q_MAX_BINDS];
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

static void q_text(qbuild *q, const char *v) {
  if (q->nbinds >= Q_MAX_BINDS) {
    q->overflow = 1;
    return;
  }
  q->binds[q->nbinds].is_text = 1;
  q->binds[q->nbinds].s = v ? v : "";
  q->nbinds++;
  q_add(q, "?");
}

static void q_int(qbuild *q, int64_t v) {
  if (q->nbinds >= Q_MAX_BINDS) {
    q->overflow = 1;
    return;
  }
  q->binds[q->nbinds].is_text = 0;
  q->binds[q->nbinds].i = v;
  q->nbinds++;
  q_add(q, "?");
}

static int q_prepare(wg_store_t *s, qbuild *q, sqlite3_stmt **st) {
  if (q->overflow) return SQLITE_TOOBIG;
  int rc = sqlite3_prepare_v2(wg__store_db(s), q->sql, -1, st, NULL);
  if (rc != SQLITE_OK) return rc;
  for (int i = 0; i < q->nbinds; i++) {
    if (q->binds[i].is_text)
      sqlite3_bind_text(*st, i + 1, q->binds[i].s, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_int64(*st, i + 1, q->binds[i].i);
  }
  return SQLITE_OK;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col) {
  const unsigned char *t = sqlite3_column_text(st, col);
  snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Appends "(0 OR a.l1 = c OR a.l2 = c OR a.l3 = c ...)" for the codes, with
 * col the prefix of the level columns ("" or "a."). */
static void q_codes(qbuild *q, const char *col, const char *const *codes, int n) {
  char buf[32];
  q_add(q, "(0");
  for (int i = 0; i < n; i++)
    for (int l = 1; l <= 3; l++) {
      snprintf(buf, sizeof buf, " OR %sl%d = ", col, l);
      q_add(q, buf);
      q_text(q, codes[i]);
    }
  q_add(q, ")");
}

/* Appends "<entrance ent — and dwelling dw, when given — lies in one of
 * the grids codes[] of plan_id at some level>" (see the file comment). */
static void q_in_grids(qbuild *q, int64_t plan_id, const char *const *codes, int n,
                       const char *ent, const char *dw) {
  char buf[200];
  snprintf(buf, sizeof buf, "(%s.id IN (SELECT entrance_id FROM grid_assignment WHERE plan_id = ",
           ent);
  q_add(q, buf);
  q_int(q, plan_id);
  q_add(q, " AND ");
  q_codes(q, "", codes, n);
  q_add(q, ")");
  if (dw) {
    snprintf(buf, sizeof buf,
             " AND NOT EXISTS (SELECT 1 FROM grid_piece_dwelling pd JOIN grid_assignment a"
             " ON a.plan_id = pd.plan_id AND a.entrance_id = pd.entrance_id AND a.piece = pd.piece"
             " WHERE pd.plan_id = ");
    q_add(q, buf);
    q_int(q, plan_id);
    snprintf(buf, sizeof buf, " AND pd.dwelling_id = %s.id AND NOT ", dw);
    q_add(q, buf);
    q_codes(q, "a.", codes, n);
    q_add(q, ")");
  }
  q_add(q, ")");
}

/* Appends "AND <entrance alias ent, building alias bld (and dwelling alias
 * dw, or NULL) is in scope>". */
static void q_scope(qbuild *q, const wg_store_scope *sc, const char *ent, const char *bld,
                    const char *dw) {
  if (!sc || sc->all) return;
  char buf[160];
  q_add(q, " AND (0");
  for (int i = 0; i < sc->nprefixes; i++) {
    snprintf(buf, sizeof buf, " OR substr(%s.community, 1, length(", bld);
    q_add(q, buf);
    q_text(q, sc->prefixes[i]);
    q_add(q, ")) = ");
    q_text(q, sc->prefixes[i]);
  }
  if (sc->ngrids > 0) {
    q_add(q, " OR ");
    q_in_grids(q, sc->plan_id, sc->grids, sc->ngrids, ent, dw);
  }
  q_add(q, ")");
}

/* Appends "AND <entrance alias ent (and dwelling alias dw, or NULL) lies in
 * grid f->grid of f->plan_id>". */
static void q_grid(qbuild *q, const wg_place_filter *f, const char *ent, const char *dw) {
  if (!f->grid || !*f->grid) return;
  const char *codes[1] = {f->grid};
  q_add(q, " AND ");
  q_in_grids(q, f->plan_id, codes, 1, ent, dw);
}

static void q_page(qbuild *q, const wg_store_page *pg, const char *order_col) {
  char buf[96];
  snprintf(buf, sizeof buf, " ORDER BY %s LIMIT ", order_col);
  q_add(q, buf);
  q_int(q, pg->limit);
  q_add(q, " OFFSET ");
  q_int(q, pg->offset);
}

/* Runs the count(*) form of a listing. */
static wg_err run_count(wg_store_t *s, qbuild *q, long *total) {
  sqlite3_stmt *st;
  int rc = q_prepare(s, q, &st);
  if (rc != SQLITE_OK) return rc == SQLITE_TOOBIG ? WG_ETOOBIG : wg__store_rc(rc);
  rc = sqlite3_step(st);
  *total = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? WG_OK : wg__store_rc(rc);
}

/* ---- buildings ------------------------------------------------------------ */

static void building_where(qbuild *q, const wg_place_filter *f, const wg_store_scope *sc,
                           int64_t after) {
  q_add(q, " FROM building b JOIN estate s ON s.id = b.estate_id WHERE b.county = ");
  q_text(q, f->county);
  if (f->community && *f->community) {
    q_add(q, " AND b.community = ");
    q_text(q, f->community);
  }
  if ((f->grid && *f->grid) || (sc && !sc->all)) {
    q_add(q, " AND EXISTS (SELECT 1 FROM entrance e WHERE e.building_id = b.id");
    q_grid(q, f, "e", NULL);
    q_scope(q, sc, "e", "b", NULL);
    q_add(q, ")");
  }
  if (after > 0) {
    q_add(q, " AND b.id > ");
    q_int(q, after);
  }
}

wg_err wg_store_building_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                              const wg_store_page *pg, wg_building_page_fn fn, void *ctx,
                              long *total) {
  WG__ON_PG(s, wg__pg_building_page(s, f, sc, pg, fn, ctx, total));
  qbuild *q = calloc(1, sizeof *q);
  if (!q) return WG_ENOMEM;
  wg_err e = WG_OK;
  if (total) {
    q_add(q, "SELECT count(*)");
    building_where(q, f, sc, 0);
    e = run_count(s, q, total);
    memset(q, 0, sizeof *q);
  }
  if (e) goto out;
  q_add(q, "SELECT b.id, b.estate_id, b.county, b.community, b.name, b.floors, b.lon, b.lat,"
           " s.name, (SELECT count(*) FROM entrance e WHERE e.building_id = b.id)");
  building_where(q, f, sc, pg->after);
  q_page(q, pg, "b.id");
  sqlite3_stmt *st;
  int rc = q_prepare(s, q, &st);
  if (rc != SQLITE_OK) {
    e = rc == SQLITE_TOOBIG ? WG_ETOOBIG : wg__store_rc(rc);
    goto out;
  }
  wg_building_t b;
  char estate[96];
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&b, 0, sizeof b);
    b.id = sqlite3_column_int64(st, 0);
    b.estate_id = sqlite3_column_int64(st, 1);
    copy_col(b.county, sizeof b.county, st, 2);
    copy_col(b.community, sizeof b.community, st, 3);
    copy_col(b.name, sizeof b.name, st, 4);
    b.floors = sqlite3_column_int(st, 5);
    b.lon = sqlite3_column_double(st, 6);
    b.lat = sqlite3_column_double(st, 7);
    copy_col(estate, sizeof estate, st, 8);
    if (fn(ctx, &b, estate, sqlite3_column_int(st, 9))) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  e = rc == SQLITE_DONE ? WG_OK : wg__store_rc(rc);
out:
  free(q);
  return e;
}

/* ---- households ----------------------------------------------------------- */

static void household_where(qbuild *q, const wg_place_filter *f, const wg_store_scope *sc,
                            int64_t after) {
  q_add(q, " FROM household h LEFT JOIN dwelling d ON d.id = h.dwelling_id"
           " LEFT JOIN entrance e ON e.id = d.entrance_id"
           " LEFT JOIN building b ON b.id = e.building_id WHERE h.county = ");
  q_text(q, f->county);
  /* Households of the ledger today: at least one active member. */
  q_add(q, " AND EXISTS (SELECT 1 FROM resident r WHERE r.household_id = h.id AND r.status = 1)");
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

wg_err wg_store_household_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                               const wg_store_page *pg, wg_household_page_fn fn, void *ctx,
                               long *total) {
  WG__ON_PG(s, wg__pg_household_page(s, f, sc, pg, fn, ctx, total));
  qbuild *q = calloc(1, sizeof *q);
  if (!q) return WG_ENOMEM;
  wg_err e = WG_OK;
  if (total) {
    q_add(q, "SELECT count(*)");
    household_where(q, f, sc, 0);
    e = run_count(s, q, total);
    memset(q, 0, sizeof *q);
  }
  if (e) goto out;
  q_add(q, "SELECT h.id, h.number, ifnull(h.dwelling_id, 0), ifnull(e.id, 0),"
           " ifnull(b.community, ''),"
           " (SELECT count(*) FROM resident r WHERE r.household_id = h.id AND r.status = 1)");
  household_where(q, f, sc, pg->after);
  q_page(q, pg, "h.id");
  sqlite3_stmt *st;
  int rc = q_prepare(s, q, &st);
  if (rc != SQLITE_OK) {
    e = rc == SQLITE_TOOBIG ? WG_ETOOBIG : wg__store_rc(rc);
    goto out;
  }
  wg_household_item h;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&h, 0, sizeof h);
    h.id = sqlite3_column_int64(st, 0);
    copy_col(h.number, sizeof h.number, st, 1);
    h.dwelling_id = sqlite3_column_int64(st, 2);
    h.entrance_id = sqlite3_column_int64(st, 3);
    copy_col(h.community, sizeof h.community, st, 4);
    h.members = (long)sqlite3_column_int64(st, 5);
    if (fn(ctx, &h)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  e = rc == SQLITE_DONE ? WG_OK : wg__store_rc(rc);
out:
  free(q);
  return e;
}

/* ---- residents ------------------------------------------------------------ */

static const char res_cols[] =
    "id, county, id_number, name, sex, birth, phone, relation, residence, status,"
    " ifnull(household_id, 0) AS household_id, ifnull(dwelling_id, 0) AS dwelling_id, tags,"
    " since, event_id";
static const char hist_cols[] =
    "resident_id, county, id_number, name, sex, birth, phone, relation, residence, status,"
    " ifnull(household_id, 0), ifnull(dwelling_id, 0), tags, valid_from, event_id";

static void resident_where(qbuild *q, const wg_resident_query *f, const wg_store_scope *sc,
                           const char *as_of, int64_t after) {
  char sub[1024];
  if (f->as_of > 0) {
    q_add(q, " FROM (SELECT ");
    q_add(q, res_cols);
    q_add(q, " FROM resident WHERE since <= ");
    q_text(q, as_of);
    q_add(q, " UNION ALL SELECT ");
    q_add(q, hist_cols);
    q_add(q, " FROM resident_history WHERE valid_from <= ");
    q_text(q, as_of);
    q_add(q, " AND valid_to > ");
    q_text(q, as_of);
    q_add(q, ") r");
  } else {
    snprintf(sub, sizeof sub, " FROM (SELECT %s FROM resident) r", res_cols);
    q_add(q, sub);
  }
  q_add(q, " LEFT JOIN dwelling d ON d.id = r.dwelling_id"
           " LEFT JOIN entrance e ON e.id = d.entrance_id"
           " LEFT JOIN building b ON b.id = e.building_id");
  if (f->address[0]) q_add(q, " LEFT JOIN estate st ON st.id = b.estate_id");
  q_add(q, " WHERE r.county = ");
  q_text(q, f->place.county);
  if (!f->include_inactive) q_add(q, " AND r.status = 1");
  if (f->name && *f->name) {
    q_add(q, " AND instr(r.name, ");
    q_text(q, f->name);
    q_add(q, ") > 0");
  }
  for (int i = 0; i < WG_ADDRESS_TERMS && f->address[i]; i++) {
    q_add(q, " AND instr(ifnull(st.name, '') || ifnull(b.name, '') || ifnull(e.name, '')"
             " || ifnull(d.room, ''), ");
    q_text(q, f->address[i]);
    q_add(q, ") > 0");
  }
  if (f->tag && *f->tag) {
    q_add(q, " AND instr(r.tags, ',' || ");
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

wg_err wg_store_resident_page(wg_store_t *s, const wg_resident_query *f, const wg_store_scope *sc,
                              const wg_store_page *pg, wg_resident_page_fn fn, void *ctx,
                              long *total) {
  WG__ON_PG(s, wg__pg_resident_page(s, f, sc, pg, fn, ctx, total));
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
  if (e) goto out;
  q_add(q, "SELECT r.id, r.county, r.id_number, r.name, r.sex, r.birth, r.phone, r.relation,"
           " r.residence, r.status, r.household_id, r.dwelling_id, r.tags, r.since, r.event_id,"
           " ifnull(e.id, 0), ifnull(b.community, '')");
  resident_where(q, f, sc, as_of, pg->after);
  q_page(q, pg, "r.id");
  sqlite3_stmt *st;
  int rc = q_prepare(s, q, &st);
  if (rc != SQLITE_OK) {
    e = rc == SQLITE_TOOBIG ? WG_ETOOBIG : wg__store_rc(rc);
    goto out;
  }
  wg_resident_t r;
  char community[13];
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&r, 0, sizeof r);
    r.id = sqlite3_column_int64(st, 0);
    copy_col(r.county, sizeof r.county, st, 1);
    copy_col(r.id_number, sizeof r.id_number, st, 2);
    copy_col(r.name, sizeof r.name, st, 3);
    const unsigned char *sex = sqlite3_column_text(st, 4);
    r.sex = sex ? (char)sex[0] : '?';
    r.birth = wg__date_parse((const char *)sqlite3_column_text(st, 5));
    copy_col(r.phone, sizeof r.phone, st, 6);
    copy_col(r.relation, sizeof r.relation, st, 7);
    r.residence = (wg_residence)sqlite3_column_int(st, 8);
    r.status = (wg_status)sqlite3_column_int(st, 9);
    r.household_id = sqlite3_column_int64(st, 10);
    r.dwelling_id = sqlite3_column_int64(st, 11);
    copy_col(r.tags, sizeof r.tags, st, 12);
    r.since = wg__date_parse((const char *)sqlite3_column_text(st, 13));
    r.event_id = sqlite3_column_int64(st, 14);
    copy_col(community, sizeof community, st, 16);
    if (fn(ctx, &r, sqlite3_column_int64(st, 15), community)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  e = rc == SQLITE_DONE ? WG_OK : wg__store_rc(rc);
out:
  free(q);
  return e;
}

wg_err wg_store_dwelling_place(wg_store_t *s, int64_t dwelling_id, int64_t *entrance_id,
                               char community[13]) {
  WG__ON_PG(s, wg__pg_dwelling_place(s, dwelling_id, entrance_id, community));
  *entrance_id = 0;
  community[0] = '\0';
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(wg__store_db(s),
                              "SELECT e.id, b.community FROM dwelling d JOIN entrance e"
                              " ON e.id = d.entrance_id JOIN building b ON b.id = e.building_id"
                              " WHERE d.id = ?1",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return wg__store_rc(rc);
  sqlite3_bind_int64(st, 1, dwelling_id);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *entrance_id = sqlite3_column_int64(st, 0);
    copy_col(community, 13, st, 1);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : wg__store_rc(rc);
}

/* ---- residents by place (dashboard statistics) ---------------------------- */

wg_err wg_store_resident_place_each(wg_store_t *s, const char *county, wg_resident_place_fn fn,
                                    void *ctx) {
  WG__ON_PG(s, wg__pg_resident_place_each(s, county, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(wg__store_db(s),
                              "SELECT d.entrance_id, d.id, ifnull(r.household_id, 0), r.tags"
                              " FROM resident r JOIN dwelling d ON d.id = r.dwelling_id"
                              " WHERE r.county = ?1 AND r.status = 1",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return wg__store_rc(rc);
  sqlite3_bind_text(st, 1, county, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *tags = sqlite3_column_text(st, 3);
    if (fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           sqlite3_column_int64(st, 2), tags ? (const char *)tags : "")) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : wg__store_rc(rc);
}

/* ---- the per-request probe ---------------------------------------------------- */

struct wg_store_probe {
  wg_store_t *s;
  sqlite3_stmt *versions;
};

wg_err wg_store_probe_open(wg_store_t *s, wg_store_probe_t **out) {
  *out = NULL;
  wg_store_probe_t *p = calloc(1, sizeof *p);
  if (!p) return WG_ENOMEM;
  p->s = s;
  if (wg__store_pg(s)) { /* statements are per connection there: nothing to hold */
    *out = p;
    return WG_OK;
  }
  int rc = sqlite3_prepare_v3(wg__store_db(s),
                              "SELECT (SELECT id FROM plan WHERE county = ?1 AND status = 2),"
                              " (SELECT max(id) FROM event), (SELECT max(id) FROM audit)",
                              -1, SQLITE_PREPARE_PERSISTENT, &p->versions, NULL);
  if (rc != SQLITE_OK) {
    free(p);
    return wg__store_rc(rc);
  }
  *out = p;
  return WG_OK;
}

wg_err wg_store_probe_versions(wg_store_probe_t *p, const char *county, int64_t *active_plan,
                               int64_t *ledger_version, int64_t *audit_version) {
  WG__ON_PG(p->s,
            wg__pg_probe_versions(p->s, county, active_plan, ledger_version, audit_version));
  sqlite3_reset(p->versions);
  sqlite3_bind_text(p->versions, 1, county, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(p->versions);
  if (rc == SQLITE_ROW) {
    *active_plan = sqlite3_column_int64(p->versions, 0);
    *ledger_version = sqlite3_column_int64(p->versions, 1);
    if (audit_version) *audit_version = sqlite3_column_int64(p->versions, 2);
  }
  sqlite3_reset(p->versions);
  return rc == SQLITE_ROW ? WG_OK : wg__store_rc(rc);
}

void wg_store_probe_close(wg_store_probe_t *p) {
  if (!p) return;
  sqlite3_finalize(p->versions);
  free(p);
}
