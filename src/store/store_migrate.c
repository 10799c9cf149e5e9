/* store_migrate.c — moving a county from a SQLite store into a PostgreSQL
 * one (`wangge migrate`), verifiably and all-or-nothing.
 *
 * The table list below is the logical schema as the move sees it: every
 * table, its columns, which columns hold ids of which table, and how its
 * rows belong to a county. Rows are read from SQLite, ids shifted past the
 * ids the target already holds (so several counties can share one
 * database), and written with COPY inside one transaction. Then each table
 * is read back from the target: its row count and an order-independent
 * checksum (the sum of a BLAKE2b hash of each row's canonical text) must
 * equal the source's, computed over the same shifted values, or the
 * transaction is rolled back and nothing is written. */
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg_int.h"

enum scope { BY_COUNTY, ALL_ROWS, REFERENCE };
enum { MAXCOLS = 48 };

typedef struct mcol {
  const char *name;
  const char *ids_of; /* the table whose ids this column holds (shifted), or NULL;
                         0 stays 0 (the "none" of columns without NULL) */
  int geometry;       /* WKB on SQLite, geometry(…, 4326) on PostgreSQL */
  const char *ids_of2; /* a person: ids_of when person_kind is 1 (staff), this
                          table when it is 2 (member) */
} mcol;

typedef struct mtable {
  const char *name;
  enum scope scope;
  const char *key; /* REFERENCE: the key column */
  mcol cols[MAXCOLS];
} mtable;

/* Parents before children, so references hold at every step. Sessions are
 * not moved: users sign in again on the new database. */
#define C(n) {n, NULL, 0, NULL}
#define ID(n, of) {n, of, 0, NULL}
#define GEOM(n) {n, NULL, 1, NULL}
#define PERSON(n) {n, "staff", 0, "member"}
static const mtable tables[] = {
    {"division", REFERENCE, "code",
     {C("code"), C("parent"), C("name"), C("level"), C("kind"), C("lon"), C("lat")}},
    {"tag", REFERENCE, "code", {C("code"), C("name_zh"), C("name_en")}},
    {"meta", REFERENCE, "key", {C("key"), C("value")}},
    {"estate", BY_COUNTY, NULL, {ID("id", "estate"), C("county"), C("community"), C("name")}},
    {"building", BY_COUNTY, NULL,
     {ID("id", "building"), C("county"), C("community"), ID("estate_id", "estate"), C("name"),
      C("floors"), C("lon"), C("lat"), GEOM("footprint")}},
    {"entrance", BY_COUNTY, NULL,
     {ID("id", "entrance"), C("county"), ID("building_id", "building"), C("name"),
      C("declared_households")}},
    {"dwelling", BY_COUNTY, NULL,
     {ID("id", "dwelling"), C("county"), ID("entrance_id", "entrance"), C("floor"), C("room")}},
    {"event", BY_COUNTY, NULL,
     {ID("id", "event"), C("county"), C("kind"), ID("resident_id", "resident"), C("effective"),
      C("recorded_at"), C("actor"), C("reason"), C("detail")}},
    {"household", BY_COUNTY, NULL,
     {ID("id", "household"), C("county"), C("number"), ID("dwelling_id", "dwelling")}},
    {"resident", BY_COUNTY, NULL,
     {ID("id", "resident"), C("county"), C("id_number"), C("name"), C("sex"), C("birth"), C("phone"),
      C("relation"), C("residence"), C("status"), ID("household_id", "household"),
      ID("dwelling_id", "dwelling"), C("tags"), C("since"), ID("event_id", "event")}},
    {"resident_history", BY_COUNTY, NULL,
     {ID("resident_id", "resident"), C("county"), C("id_number"), C("name"), C("sex"), C("birth"),
      C("phone"), C("relation"), C("residence"), C("status"), ID("household_id", "household"),
      ID("dwelling_id", "dwelling"), C("tags"), C("valid_from"), C("valid_to"),
      ID("event_id", "event"), ID("ended_by", "event")}},
    {"plan", BY_COUNTY, NULL,
     {ID("id", "plan"), C("county"), C("status"), C("created_at"), C("actor"), C("note"),
      ID("based_on", "plan"), C("nlevels"), C("bounds"), C("summary")}},
    {"grid", BY_COUNTY, NULL,
     {ID("id", "grid"), ID("plan_id", "plan"), C("county"), C("code"), C("level"), C("parent"),
      C("community"), C("households"), C("units"), C("area"), C("polsby_popper"), C("minx"),
      C("miny"), C("maxx"), C("maxy"), GEOM("geom")}},
    {"grid_assignment", BY_COUNTY, NULL,
     {ID("plan_id", "plan"), ID("entrance_id", "entrance"), C("piece"), C("county"), C("households"),
      C("l1"), C("l2"), C("l3")}},
    {"plan_violation", BY_COUNTY, NULL,
     {ID("plan_id", "plan"), C("county"), C("kind"), C("level"), C("code"), C("forced"),
      C("households"), C("reason")}},
    {"grid_number", BY_COUNTY, NULL, {C("county"), C("parent"), C("max_number")}},
    {"audit", ALL_ROWS, NULL,
     {ID("id", "audit"), C("at"), C("actor"), C("action"), C("target"), C("reason"), C("origin")}},
    {"app_user", BY_COUNTY, NULL,
     {ID("id", "app_user"), C("county"), C("login"), C("role"), C("perms"), C("password_hash"),
      C("disabled"), C("created_at"), C("failed_logins"), C("locked_until")}},
    {"user_scope", BY_COUNTY, NULL, {ID("user_id", "app_user"), C("code"), C("county")}},
    {"grid_piece_dwelling", BY_COUNTY, NULL,
     {ID("plan_id", "plan"), ID("dwelling_id", "dwelling"), C("county"),
      ID("entrance_id", "entrance"), C("piece")}},
    /* matters (migration 6); handlers are user ids, shifted as app_user's
     * (with --skip-users they may name no account of the target, or
     * another one: re-dispatch after creating the accounts) */
    {"matter_category", REFERENCE, "code",
     {C("code"), C("name_zh"), C("name_en"), C("level"), C("accept_h"), C("dispatch_h"),
      C("handle_h"), C("verify_h"), C("active"), C("description")}},
    {"matter", BY_COUNTY, NULL,
     {ID("id", "matter"), C("county"), C("category"), C("title"), C("description"), C("located"),
      C("lon"), C("lat"), C("address"), C("community"), ID("plan_id", "plan"), C("grid1"),
      C("grid2"), C("grid3"), C("reporter"), C("reporter_name"), C("reporter_phone"),
      C("source"), C("token"), C("hours"), C("status"), C("resume_to"), C("level"),
      ID("handler", "app_user"), ID("merged_into", "matter"), C("ext_pending"), C("extensions"),
      C("reworks"), C("reopens"), C("escalations"), C("satisfaction"), C("reported_at"),
      C("accepted_at"), C("dispatched_at"), C("started_at"), C("handled_at"), C("verified_at"),
      C("closed_at"), C("evaluated_at"), C("stage_at"), C("due_at"), C("expected_at"),
      C("ext_hours"), C("overdue"), C("paused_left"), C("last_at"), C("version")}},
    {"matter_event", BY_COUNTY, NULL,
     {ID("matter_id", "matter"), C("seq"), C("county"), C("action"), C("actor_kind"), C("actor"),
      C("at"), C("from_status"), C("to_status"), ID("handler", "app_user"),
      ID("other", "matter"), C("value"), C("note"), C("photos")}},
    {"matter_photo", BY_COUNTY, NULL,
     {C("sha256"), C("county"), C("mime"), C("size"), C("created_at")}},
    {"api_key", BY_COUNTY, NULL,
     {ID("id", "api_key"), C("county"), C("name"), C("key_hash"), C("prefix"), C("created_at"),
      C("actor"), C("revoked_at")}},
    /* organisation and mobilisation (migration 7) */
    {"staff", BY_COUNTY, NULL,
     {ID("id", "staff"), C("county"), C("kind"), C("name"), C("phone"), C("full_time"), C("level"),
      C("community"), C("login"), ID("resident_id", "resident"), C("skills"), C("active"),
      C("created_at")}},
    {"staff_grid", BY_COUNTY, NULL, {ID("staff_id", "staff"), C("grid"), C("county")}},
    {"staff_building", BY_COUNTY, NULL,
     {ID("staff_id", "staff"), ID("building_id", "building"), C("county")}},
    {"member", BY_COUNTY, NULL,
     {ID("id", "member"), C("county"), C("kind"), C("name"), C("phone"),
      ID("resident_id", "resident"), C("community"), C("grid"), C("in_service"), C("employer"),
      C("registered_on"), C("skills"), C("login"), C("active"), C("created_at")}},
    {"party_org", BY_COUNTY, NULL,
     {ID("id", "party_org"), C("county"), C("kind"), C("name"), C("grid"), ID("plan_id", "plan"),
      ID("member_id", "member"), C("active"), C("created_at")}},
    {"incident", BY_COUNTY, NULL,
     {ID("id", "incident"), C("county"), C("title"), C("lon"), C("lat"), C("grid"), C("need"),
      C("skills"), C("due"), C("status"), C("created_at"), C("closed_at"), C("hours"),
      C("summary"), C("actor")}},
    {"service_log", BY_COUNTY, NULL,
     {ID("id", "service_log"), C("county"), ID("member_id", "member"), ID("staff_id", "staff"),
      C("kind"), C("date"), C("hours"), C("grid"), ID("household_id", "household"),
      ID("incident_id", "incident"), C("note"), C("recorded_at"), C("actor")}},
    {"contact", BY_COUNTY, NULL,
     {ID("household_id", "household"), C("person_kind"), PERSON("person_id"), C("county"),
      C("since")}},
    {"roster_shift", BY_COUNTY, NULL,
     {ID("id", "roster_shift"), C("county"), C("place"), ID("staff_id", "staff"), C("date"),
      C("shift"), C("status"), C("handover")}},
    {"visit", BY_COUNTY, NULL,
     {ID("id", "visit"), C("county"), ID("staff_id", "staff"), ID("household_id", "household"),
      C("date"), C("grid"), C("findings"), C("ledger_changes"), C("matter"), C("recorded_at"),
      C("actor")}},
    {"incident_responder", BY_COUNTY, NULL,
     {ID("incident_id", "incident"), C("person_kind"), PERSON("person_id"), C("county"),
      C("status"), C("distance"), C("updated_at")}},
    {"notice", BY_COUNTY, NULL,
     {ID("id", "notice"), C("county"), C("person_kind"), PERSON("person_id"),
      ID("incident_id", "incident"), C("text"), C("created_at")}},
    {"webhook_outbox", BY_COUNTY, NULL,
     {ID("id", "webhook_outbox"), C("county"), C("url"), C("body"), C("attempts"), C("next_at"),
      C("delivered_at"), C("last_error")}},
    /* campaigns and targets (migration 8); the tally rows come with the
     * items: the insert trigger counts them */
    {"campaign", BY_COUNTY, NULL,
     {ID("id", "campaign"), C("county"), C("name"), C("template"), C("kind"), C("stages"),
      C("query"), C("ref_date"), C("created_at"), C("actor"), C("items")}},
    {"campaign_item", BY_COUNTY, NULL,
     {ID("id", "campaign_item"), ID("campaign_id", "campaign"), C("county"),
      ID("resident_id", "resident"), ID("household_id", "household"),
      ID("entrance_id", "entrance"), C("community"), C("stage"), ID("event_id", "campaign_event"),
      C("updated_at"), C("updated_by")}},
    {"campaign_event", BY_COUNTY, NULL,
     {ID("id", "campaign_event"), ID("campaign_id", "campaign"), ID("item_id", "campaign_item"),
      C("county"), C("from_stage"), C("to_stage"), C("at"), C("actor"), C("note")}},
    {"campaign_tally", BY_COUNTY, NULL,
     {ID("campaign_id", "campaign"), ID("entrance_id", "entrance"), C("community"), C("stage"),
      C("county"), C("items")}},
    {"indicator", BY_COUNTY, NULL,
     {ID("id", "indicator"), C("county"), C("code"), C("name"), C("unit"), C("period_type"),
      C("created_at"), C("actor")}},
    {"target", BY_COUNTY, NULL,
     {ID("indicator_id", "indicator"), C("division"), C("period"), C("county"), C("value"),
      C("actor"), C("at")}},
    {"actual", BY_COUNTY, NULL,
     {ID("indicator_id", "indicator"), C("division"), C("period"), C("county"), C("value"),
      C("actor"), C("at")}},
};
enum { NTABLES = sizeof tables / sizeof tables[0] };

/* The tables with ids of their own (identity columns on PostgreSQL). */
static const char *const id_tables[] = {
    "estate",    "building",     "entrance", "dwelling",    "event",          "household",
    "resident",  "plan",         "grid",     "audit",       "app_user",       "matter",
    "api_key",   "staff",        "member",   "party_org",   "service_log",    "roster_shift",
    "visit",     "incident",     "notice",   "webhook_outbox", "campaign",    "campaign_item",
    "campaign_event", "indicator"};
enum { NIDS = sizeof id_tables / sizeof id_tables[0] };

static int id_index(const char *t) {
  for (int i = 0; i < NIDS; i++)
    if (strcmp(id_tables[i], t) == 0) return i;
  return -1;
}

static int ncols(const mtable *t) {
  int n = 0;
  while (n < MAXCOLS && t->cols[n].name) n++;
  return n;
}

/* ---- canonical rows and checksums ----------------------------------------- */

typedef struct sumbuf {
  char *p;
  size_t len, cap;
} sumbuf;

static int sb_add(sumbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  return 0;
}

static void hex_of(const unsigned char *p, size_t n, sumbuf *b) {
  static const char digits[] = "0123456789abcdef";
  char two[2];
  for (size_t i = 0; i < n; i++) {
    two[0] = digits[p[i] >> 4];
    two[1] = digits[p[i] & 15];
    (void)sb_add(b, two, 2);
  }
}

static uint64_t row_hash(const sumbuf *b) {
  unsigned char h[8];
  crypto_generichash(h, sizeof h, (const unsigned char *)b->p, b->len, NULL, 0);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | h[i];
  return v;
}

/* ---- reading the source ------------------------------------------------------ */

/* Appends text escaped for COPY's text format. */
static void copy_text(sumbuf *b, const char *s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    const char *esc = s[i] == '\\' ? "\\\\" : s[i] == '\n' ? "\\n" : s[i] == '\r' ? "\\r"
                      : s[i] == '\t' ? "\\t" : NULL;
    if (!esc) continue;
    (void)sb_add(b, s + start, i - start);
    (void)sb_add(b, esc, 2);
    start = i + 1;
  }
  (void)sb_add(b, s + start, n - start);
}

/* WKB → hex EWKB carrying SRID 4326 (what a geometry(…, 4326) column takes
 * in COPY). */
static int ewkb_hex(const unsigned char *w, size_t n, sumbuf *b) {
  if (n < 5 || (w[0] != 0 && w[0] != 1)) return -1;
  unsigned char head[9];
  head[0] = w[0];
  memcpy(head + 1, w + 1, 4);
  if (w[0] == 1) { /* little endian: flag in the type's high byte */
    head[4] |= 0x20;
    head[5] = 0xE6, head[6] = 0x10, head[7] = 0, head[8] = 0;
  } else {
    head[1] |= 0x20;
    head[5] = 0, head[6] = 0, head[7] = 0x10, head[8] = 0xE6;
  }
  hex_of(head, 9, b);
  hex_of(w + 5, n - 5, b);
  return 0;
}

typedef struct tally {
  long rows;
  uint64_t sum;
} tally;

/* Reads table t of the county from SQLite (ids shifted by off[]), feeding
 * COPY rows to the target and the checksum. */
static wg_err copy_table(sqlite3 *db, PGconn *c, const mtable *t, const char *county,
                         const int64_t off[NIDS], const char *into, tally *out, char *why,
                         size_t cap) {
  int n = ncols(t);
  char sql[8192], copy[2048];
  size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT ");
  size_t cl = (size_t)snprintf(copy, sizeof copy, "COPY %s (", into);
  for (int i = 0; i < n; i++) {
    const mcol *m = &t->cols[i];
    int k = m->ids_of ? id_index(m->ids_of) : -1;
    int k2 = m->ids_of2 ? id_index(m->ids_of2) : -1;
    if (k >= 0 && k2 >= 0)
      len += (size_t)snprintf(sql + len, sizeof sql - len,
                              "%sCASE WHEN %s = 0 THEN 0 WHEN person_kind = 1 THEN %s + %lld"
                              " ELSE %s + %lld END",
                              i ? ", " : "", m->name, m->name, (long long)off[k], m->name,
                              (long long)off[k2]);
    else if (k >= 0)
      len += (size_t)snprintf(sql + len, sizeof sql - len,
                              "%sCASE WHEN %s = 0 THEN 0 ELSE %s + %lld END", i ? ", " : "",
                              m->name, m->name, (long long)off[k]);
    else
      len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s", i ? ", " : "", m->name);
    cl += (size_t)snprintf(copy + cl, sizeof copy - cl, "%s%s", i ? ", " : "", m->name);
  }
  snprintf(sql + len, sizeof sql - len, " FROM %s%s", t->name,
           t->scope == BY_COUNTY ? " WHERE county = ?1" : "");
  snprintf(copy + cl, sizeof copy - cl, ") FROM STDIN");

  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    snprintf(why, cap, "%s: reading the source: %s", t->name, sqlite3_errmsg(db));
    return WG_EDB;
  }
  if (t->scope == BY_COUNTY) sqlite3_bind_text(st, 1, county, -1, SQLITE_STATIC);
  PGresult *r = PQexec(c, copy);
  if (PQresultStatus(r) != PGRES_COPY_IN) {
    snprintf(why, cap, "%s: %s", t->name, PQresultErrorMessage(r));
    PQclear(r);
    sqlite3_finalize(st);
    return WG_EDB;
  }
  PQclear(r);
  sumbuf line = {0}, canon = {0};
  wg_err e = WG_OK;
  int rc;
  memset(out, 0, sizeof *out);
  while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    line.len = canon.len = 0;
    for (int i = 0; i < n; i++) {
      char num[40];
      if (i) {
        (void)sb_add(&line, "\t", 1);
        (void)sb_add(&canon, "\x1f", 1);
      }
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL:
          (void)sb_add(&line, "\\N", 2);
          (void)sb_add(&canon, "\\N", 2);
          break;
        case SQLITE_INTEGER:
          snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
          (void)sb_add(&line, num, strlen(num));
          (void)sb_add(&canon, num, strlen(num));
          break;
        case SQLITE_FLOAT:
          snprintf(num, sizeof num, "%.17g", sqlite3_column_double(st, i));
          (void)sb_add(&line, num, strlen(num));
          (void)sb_add(&canon, num, strlen(num));
          break;
        case SQLITE_BLOB: {
          const unsigned char *w = sqlite3_column_blob(st, i);
          size_t bl = (size_t)sqlite3_column_bytes(st, i);
          if (!t->cols[i].geometry || ewkb_hex(w, bl, &line)) {
            snprintf(why, cap, "%s.%s: not a WKB geometry", t->name, t->cols[i].name);
            e = WG_EFORMAT;
          }
          hex_of(w, bl, &canon);
          break;
        }
        default: {
          const char *v = (const char *)sqlite3_column_text(st, i);
          size_t vl = (size_t)sqlite3_column_bytes(st, i);
          copy_text(&line, v, vl);
          (void)sb_add(&canon, v, vl);
        }
      }
    }
    (void)sb_add(&line, "\n", 1);
    if (!line.p || !canon.p) e = WG_ENOMEM;
    if (!e && PQputCopyData(c, line.p, (int)line.len) != 1) {
      snprintf(why, cap, "%s: %s", t->name, PQerrorMessage(c));
      e = WG_EIO;
    }
    if (!e) {
      out->rows++;
      out->sum += row_hash(&canon);
    }
  }
  if (!e && rc != SQLITE_DONE) {
    snprintf(why, cap, "%s: reading the source: %s", t->name, sqlite3_errmsg(db));
    e = WG_EDB;
  }
  sqlite3_finalize(st);
  free(line.p);
  free(canon.p);
  PQputCopyEnd(c, e ? "wangge: source error" : NULL);
  r = PQgetResult(c);
  if (!e && PQresultStatus(r) != PGRES_COMMAND_OK) {
    const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    snprintf(why, cap, "%s: the target refused the rows: %s", t->name, m ? m : "?");
    e = WG_ECONFLICT;
  }
  PQclear(r);
  while ((r = PQgetResult(c))) PQclear(r);
  return e;
}

/* Reads back the rows of t in the target (select: WHERE …) and tallies them
 * the way copy_table tallied the source. */
static wg_err tally_target(PGconn *c, const mtable *t, const char *from_where,
                           const char *const *params, int nparams, tally *out) {
  int n = ncols(t);
  char sql[4096];
  size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT ");
  for (int i = 0; i < n; i++)
    len += (size_t)snprintf(sql + len, sizeof sql - len,
                            t->cols[i].geometry ? "%sST_AsBinary(x.%s, 'NDR')" : "%sx.%s",
                            i ? ", " : "", t->cols[i].name);
  snprintf(sql + len, sizeof sql - len, " %s", from_where);
  PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    PQclear(r);
    return WG_EDB;
  }
  sumbuf canon = {0};
  memset(out, 0, sizeof *out);
  for (int i = 0; i < PQntuples(r); i++) {
    canon.len = 0;
    for (int k = 0; k < n; k++) {
      char num[40];
      if (k) (void)sb_add(&canon, "\x1f", 1);
      if (PQgetisnull(r, i, k)) {
        (void)sb_add(&canon, "\\N", 2);
        continue;
      }
      const char *v = PQgetvalue(r, i, k);
      Oid ty = PQftype(r, k);
      if (ty == 20 || ty == 21 || ty == 23) {
        snprintf(num, sizeof num, "%lld", strtoll(v, NULL, 10));
        (void)sb_add(&canon, num, strlen(num));
      } else if (ty == 700 || ty == 701) {
        snprintf(num, sizeof num, "%.17g", strtod(v, NULL));
        (void)sb_add(&canon, num, strlen(num));
      } else if (ty == 17) {
        size_t bl = 0;
        unsigned char *bin = PQunescapeBytea((const unsigned char *)v, &bl);
        if (bin) hex_of(bin, bl, &canon);
        PQfreemem(bin);
      } else {
        (void)sb_add(&canon, v, (size_t)PQgetlength(r, i, k));
      }
    }
    out->rows++;
    out->sum += canon.p ? row_hash(&canon) : 0;
  }
  free(canon.p);
  PQclear(r);
  return WG_OK;
}

static wg_err pg_do(PGconn *c, const char *sql, char *why, size_t cap) {
  PGresult *r = PQexec(c, sql);
  ExecStatusType st = PQresultStatus(r);
  wg_err e = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? WG_OK : WG_EDB;
  if (e) {
    const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    snprintf(why, cap, "%s", m ? m : PQerrorMessage(c));
  }
  PQclear(r);
  return e;
}

wg_err wg_store_migrate_county(wg_store_t *from, wg_store_t *to, const char *county,
                               unsigned flags, wg_migrate_fn fn, void *ctx, wg_errinfo *ei) {
  if (wg__store_pg(from) || !wg__store_pg(to))
    return wg_errinfo_set(ei, WG_EINVAL,
                          "moves from a SQLite store (--from) into a PostgreSQL one (--to)");
  if (!county || strlen(county) != 6)
    return wg_errinfo_set(ei, WG_EINVAL, "a county is 6 digits");
  /* The target is as new as PostgreSQL gets; tables of SQLite migrations
   * not ported yet are not in the list below and stay behind. */
  int vf = wg_store_schema_version(from), vt = wg_store_schema_version(to);
  if (vt != wg__pg_schema_latest() || vf < vt)
    return wg_errinfo_set(ei, WG_ESCHEMA,
                          "schema versions differ: source %d, target %d (open both with this "
                          "wangge first)",
                          vf, vt);
  sqlite3 *db = wg__store_db(from);
  PGconn *c = wg__pg_conn(to);
  char why[512] = "";
  /* The source is read in one transaction: a consistent snapshot. */
  if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return wg_errinfo_set(ei, WG_EBUSY, "cannot read the source: %s", sqlite3_errmsg(db));
  wg_err e = pg_do(c,
                   "BEGIN; SET CONSTRAINTS ALL DEFERRED;"
                   " LOCK TABLE estate, building, entrance, dwelling, event, household, resident,"
                   " resident_history, plan, grid, grid_assignment, plan_violation, grid_number,"
                   " audit, app_user, user_scope, division, tag, meta, grid_piece_dwelling,"
                   " matter_category, matter, matter_event, matter_photo, api_key, staff,"
                   " staff_grid, staff_building, member, party_org, incident, service_log,"
                   " contact, roster_shift, visit, incident_responder, notice, webhook_outbox,"
                   " campaign, campaign_item, campaign_event, campaign_tally, indicator, target,"
                   " actual"
                   " IN SHARE ROW EXCLUSIVE MODE",
                   why, sizeof why);
  /* The county must not be there yet. */
  if (!e) {
    const char *p[] = {county};
    PGresult *r = PQexecParams(c,
                               "SELECT (EXISTS (SELECT 1 FROM estate WHERE county = $1)"
                               " OR EXISTS (SELECT 1 FROM event WHERE county = $1)"
                               " OR EXISTS (SELECT 1 FROM plan WHERE county = $1)"
                               " OR EXISTS (SELECT 1 FROM app_user WHERE county = $1))::int",
                               1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      e = WG_EDB;
      snprintf(why, sizeof why, "%s", PQerrorMessage(c));
    } else if (strcmp(PQgetvalue(r, 0, 0), "1") == 0) {
      e = WG_EEXIST;
      snprintf(why, sizeof why,
               "county %s already has data in the target; nothing was written", county);
    }
    PQclear(r);
  }
  /* Ids shift past those the target holds. */
  int64_t off[NIDS] = {0};
  for (int i = 0; !e && i < NIDS; i++) {
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", id_tables[i]);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
      off[i] = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
      e = WG_EDB;
    PQclear(r);
  }
  if (!e) e = pg_do(c,
                    "CREATE TEMP TABLE mig_division (LIKE division) ON COMMIT DROP;"
                    " CREATE TEMP TABLE mig_tag (LIKE tag) ON COMMIT DROP;"
                    " CREATE TEMP TABLE mig_meta (LIKE meta) ON COMMIT DROP;"
                    " CREATE TEMP TABLE mig_matter_category (LIKE matter_category) ON COMMIT DROP",
                    why, sizeof why);
  int skip_users = (flags & WG_MIGRATE_SKIP_USERS) != 0;
  long mismatches = 0;
  for (int i = 0; !e && i < NTABLES; i++) {
    const mtable *t = &tables[i];
    if (skip_users && (strcmp(t->name, "app_user") == 0 || strcmp(t->name, "user_scope") == 0))
      continue;
    char into[64];
    snprintf(into, sizeof into, t->scope == REFERENCE ? "mig_%s" : "%s", t->name);
    tally src, dst;
    wg_migrate_row row = {.table = t->name};
    if (strcmp(t->name, "campaign_tally") == 0) {
      /* The insert trigger counted the items just copied; the source's
       * tally (rows left at zero included) replaces that count. */
      const char *p[] = {county};
      PGresult *r = PQexecParams(c, "DELETE FROM campaign_tally WHERE county = $1", 1, NULL, p,
                                 NULL, NULL, 0);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        e = WG_EDB;
        snprintf(why, sizeof why, "campaign_tally: %s", PQerrorMessage(c));
      }
      PQclear(r);
      if (e) break;
    }
    e = copy_table(db, c, t, county, off, into, &src, why, sizeof why);
    if (e) break;
    char where[512];
    if (t->scope == REFERENCE) {
      /* Reference rows the target lacks are added; those it has stay, and
       * must be the same rows. */
      char sql[512];
      snprintf(sql, sizeof sql,
               "INSERT INTO %s SELECT * FROM mig_%s ON CONFLICT (%s) DO NOTHING", t->name,
               t->name, t->key);
      PGresult *r = PQexec(c, sql);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        e = WG_EDB;
        snprintf(why, sizeof why, "%s: %s", t->name, PQerrorMessage(c));
      } else {
        row.added = strtol(PQcmdTuples(r), NULL, 10);
      }
      PQclear(r);
      snprintf(where, sizeof where, "FROM %s x JOIN mig_%s m ON m.%s = x.%s", t->name, t->name,
               t->key, t->key);
      if (!e) e = tally_target(c, t, where, NULL, 0, &dst);
    } else if (t->scope == ALL_ROWS) {
      char lo[24];
      snprintf(lo, sizeof lo, "%lld", (long long)off[id_index(t->name)]);
      const char *p[] = {lo};
      snprintf(where, sizeof where, "FROM %s x WHERE x.id > $1::bigint", t->name);
      e = tally_target(c, t, where, p, 1, &dst);
      row.added = dst.rows;
    } else {
      const char *p[] = {county};
      snprintf(where, sizeof where, "FROM %s x WHERE x.county = $1", t->name);
      e = tally_target(c, t, where, p, 1, &dst);
      row.added = dst.rows;
    }
    if (e) {
      if (!why[0]) snprintf(why, sizeof why, "%s: reading back: %s", t->name, PQerrorMessage(c));
      break;
    }
    row.source_rows = src.rows;
    row.target_rows = dst.rows;
    row.source_sum = src.sum;
    row.target_sum = dst.sum;
    /* Reference rows that already were in the target and differ are
     * reported, not fatal (another county's settings, a newer code list). */
    row.same = src.rows == dst.rows && src.sum == dst.sum;
    if (!row.same && t->scope != REFERENCE) mismatches++;
    if (fn) fn(ctx, &row);
  }
  /* The identities continue after the ids now present. */
  for (int i = 0; !e && i < NIDS; i++) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
             " greatest((SELECT max(id) FROM %s), 1))",
             id_tables[i], id_tables[i]);
    e = pg_do(c, sql, why, sizeof why);
  }
  if (!e && mismatches) {
    e = WG_ECORRUPT;
    snprintf(why, sizeof why,
             "%ld tables differ between source and target after copying; rolled back, nothing "
             "was written",
             mismatches);
  }
  if (!e) e = pg_do(c, "SET CONSTRAINTS ALL IMMEDIATE", why, sizeof why);
  if (!e) {
    PGresult *r = PQexec(c, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(r), "COMMIT") != 0) {
      e = WG_EDB;
      snprintf(why, sizeof why, "commit failed: %s", PQerrorMessage(c));
    }
    PQclear(r);
  } else {
    char ignore[64];
    (void)pg_do(c, "ROLLBACK", ignore, sizeof ignore);
  }
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  return e ? wg_errinfo_set(ei, e, "%s", why) : WG_OK;
}
