/* store_pg.c — the PostgreSQL (+ PostGIS) backend of store.h: connection,
 * migrations, transactions, and the ledger, address and plan functions.
 *
 * One libpq connection per wg_store_t (the HTTP server opens one store per
 * worker thread). Hot statements are prepared once per connection, lazily,
 * by id; values always travel as parameters, never pasted into SQL. Error
 * messages kept for wg_store_errmsg are PostgreSQL's primary message only:
 * the DETAIL line may quote row values (personal data) and is dropped.
 *
 * Transactions mean what they mean on SQLite: wg_store_begin … commit or
 * rollback; a call outside one commits on its own. One difference the
 * interface already allows: after an error inside a transaction
 * PostgreSQL accepts nothing but the rollback — callers roll back on any
 * error anyway. Expected conflicts (get-or-create, a taken ID number) use
 * INSERT … ON CONFLICT DO NOTHING so they never abort the transaction. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"
#include "store/store_pg.h"
#include "store/store_pg_int.h"

enum stmt_id {
  ST_META_GET,
  ST_META_SET,
  ST_DIV_PUT,
  ST_DIV_GET,
  ST_DIV_FIND,
  ST_ESTATE_GET,
  ST_ESTATE_ADD,
  ST_BUILDING_GET,
  ST_BUILDING_ADD,
  ST_ENTRANCE_GET,
  ST_ENTRANCE_ADD,
  ST_ENTRANCE_NEW,
  ST_DWELLING_GET,
  ST_DWELLING_ADD,
  ST_DWELLING_NEW,
  ST_DWELLING_LABEL,
  ST_HOUSEHOLD_NUMBER,
  ST_EVENT_ADD,
  ST_EVENT_GET,
  ST_HOUSEHOLD_GET,
  ST_HOUSEHOLD_ADD,
  ST_RES_INSERT,
  ST_RES_UPDATE,
  ST_RES_GET,
  ST_RES_FIND,
  ST_RES_HISTORY,
  ST_TAG_PUT,
  ST_TAG_RESOLVE,
  ST_AUDIT_ADD,
  ST_GRID_ADD,
  ST_ASSIGN_ADD,
  ST_VIOLATION_ADD,
  ST_NUMBER_GET,
  ST_NUMBER_USE,
  ST_PROBE,
  ST_COUNT_
};

#define RES_COLS                                                                             \
  "id, county, id_number, name, sex, birth, phone, relation, residence, status,"             \
  " coalesce(household_id, 0), coalesce(dwelling_id, 0), tags, since, event_id"

static const char *const stmt_sql[ST_COUNT_] = {
    [ST_META_GET] = "SELECT value FROM meta WHERE key = $1",
    [ST_META_SET] = "INSERT INTO meta(key, value) VALUES ($1, $2)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_DIV_PUT] = "INSERT INTO division(code, parent, name, level, kind, lon, lat)"
                   " VALUES ($1, NULLIF($2, ''), $3, $4, $5, $6, $7)"
                   " ON CONFLICT(code) DO UPDATE SET parent = excluded.parent,"
                   " name = excluded.name, level = excluded.level,"
                   " kind = excluded.kind, lon = excluded.lon, lat = excluded.lat",
    [ST_DIV_GET] = "SELECT code, coalesce(parent, ''), name, level, kind, lon, lat"
                   " FROM division WHERE code = $1",
    [ST_DIV_FIND] = "SELECT code, coalesce(parent, ''), name, level, kind, lon, lat"
                    " FROM division WHERE name = $2 AND substr(code, 1, length($1)) = $1"
                    " ORDER BY code LIMIT 2",
    [ST_ESTATE_GET] = "SELECT id FROM estate WHERE county = substr($1, 1, 6)"
                      " AND community = $1 AND name = $2",
    [ST_ESTATE_ADD] = "INSERT INTO estate(county, community, name)"
                      " VALUES (substr($1, 1, 6), $1, $2) ON CONFLICT DO NOTHING RETURNING id",
    [ST_BUILDING_GET] = "SELECT id FROM building WHERE estate_id = $1 AND name = $2",
    [ST_BUILDING_ADD] = "INSERT INTO building(county, community, estate_id, name,"
                        " floors, lon, lat) VALUES (substr($1, 1, 6), $1, $2, $3, $4, $5, $6)"
                        " ON CONFLICT DO NOTHING RETURNING id",
    [ST_ENTRANCE_GET] = "SELECT id FROM entrance WHERE building_id = $1 AND name = $2",
    [ST_ENTRANCE_ADD] = "INSERT INTO entrance(county, building_id, name)"
                        " SELECT county, id, $2 FROM building WHERE id = $1"
                        " ON CONFLICT DO NOTHING RETURNING id",
    [ST_ENTRANCE_NEW] = "INSERT INTO entrance(county, building_id, name) VALUES ($3, $1, $2)"
                        " ON CONFLICT DO NOTHING RETURNING id",
    [ST_DWELLING_GET] = "SELECT id FROM dwelling WHERE entrance_id = $1 AND room = $2",
    [ST_DWELLING_ADD] = "INSERT INTO dwelling(county, entrance_id, floor, room)"
                        " SELECT county, id, $2, $3 FROM entrance WHERE id = $1"
                        " ON CONFLICT DO NOTHING RETURNING id",
    [ST_DWELLING_NEW] = "INSERT INTO dwelling(county, entrance_id, floor, room)"
                        " VALUES ($4, $1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
    [ST_DWELLING_LABEL] =
        "SELECT dv.name, es.name, b.name, en.name, d.room, dv.code, d.floor FROM dwelling d"
        " JOIN entrance en ON en.county = d.county AND en.id = d.entrance_id"
        " JOIN building b ON b.county = en.county AND b.id = en.building_id"
        " JOIN estate es ON es.county = b.county AND es.id = b.estate_id"
        " JOIN division dv ON dv.code = b.community WHERE d.id = $1",
    [ST_HOUSEHOLD_NUMBER] = "SELECT number FROM household WHERE id = $1",
    [ST_EVENT_ADD] = "INSERT INTO event(county, kind, resident_id, effective,"
                     " recorded_at, actor, reason, detail)"
                     " VALUES ($1, $2, NULLIF($3::bigint, 0), $4, $5, $6, $7, $8) RETURNING id",
    [ST_EVENT_GET] = "SELECT id, county, kind, coalesce(resident_id, 0), effective,"
                     " recorded_at, actor, reason, detail FROM event WHERE id = $1",
    [ST_HOUSEHOLD_GET] = "SELECT id FROM household WHERE county = $1 AND number = $2",
    [ST_HOUSEHOLD_ADD] = "INSERT INTO household(county, number, dwelling_id)"
                         " VALUES ($1, $2, NULLIF($3::bigint, 0))"
                         " ON CONFLICT DO NOTHING RETURNING id",
    [ST_RES_INSERT] =
        "INSERT INTO resident(county, id_number, name, sex, birth, phone, relation,"
        " residence, status, household_id, dwelling_id, tags, since, event_id)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULLIF($10::bigint, 0),"
        " NULLIF($11::bigint, 0), $12, $13, $14) ON CONFLICT DO NOTHING RETURNING id",
    [ST_RES_UPDATE] =
        "UPDATE resident SET county = $1, id_number = $2, name = $3, sex = $4,"
        " birth = $5, phone = $6, relation = $7, residence = $8, status = $9,"
        " household_id = NULLIF($10::bigint, 0), dwelling_id = NULLIF($11::bigint, 0),"
        " tags = $12, since = $13, event_id = $14 WHERE id = $15",
    [ST_RES_GET] = "SELECT " RES_COLS " FROM resident WHERE id = $1",
    [ST_RES_FIND] = "SELECT " RES_COLS " FROM resident WHERE id_number = $1",
    [ST_RES_HISTORY] =
        "SELECT resident_id, county, id_number, name, sex, birth, phone, relation,"
        " residence, status, coalesce(household_id, 0), coalesce(dwelling_id, 0), tags,"
        " valid_from, event_id, valid_to FROM resident_history WHERE resident_id = $1"
        " UNION ALL "
        "SELECT " RES_COLS ", '' FROM resident WHERE id = $1"
        " ORDER BY 14, 15",
    [ST_TAG_PUT] = "INSERT INTO tag(code, name_zh, name_en) VALUES ($1, $2, $3)"
                   " ON CONFLICT(code) DO UPDATE SET name_zh = excluded.name_zh,"
                   " name_en = excluded.name_en",
    [ST_TAG_RESOLVE] = "SELECT code FROM tag WHERE code = $1 OR name_zh = $1"
                       " OR lower(name_en) = lower($1) ORDER BY code LIMIT 1",
    [ST_AUDIT_ADD] = "INSERT INTO audit(at, actor, action, target, reason, origin)"
                     " VALUES ($1, $2, $3, $4, $5, $6)",
    [ST_GRID_ADD] = "INSERT INTO grid(plan_id, county, code, level, parent, community,"
                    " households, units, area, polsby_popper, minx, miny, maxx, maxy, geom)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
                    " ST_GeomFromWKB($15::bytea, 4326)) RETURNING id",
    [ST_ASSIGN_ADD] = "INSERT INTO grid_assignment(plan_id, entrance_id, piece, county,"
                      " households, l1, l2, l3) SELECT $1, $2, $3, county, $4, $5, $6, $7"
                      " FROM entrance WHERE id = $2",
    [ST_VIOLATION_ADD] = "INSERT INTO plan_violation(plan_id, county, kind, level, code, forced,"
                         " households, reason) SELECT $1, county, $2, $3, $4, $5, $6, $7 FROM"
                         " plan WHERE id = $1",
    [ST_NUMBER_GET] = "SELECT max_number FROM grid_number WHERE county = substr($1, 1, 6)"
                      " AND parent = $1",
    [ST_NUMBER_USE] = "INSERT INTO grid_number(county, parent, max_number)"
                      " VALUES (substr($1, 1, 6), $1, $2) ON CONFLICT(county, parent) DO UPDATE"
                      " SET max_number = greatest(grid_number.max_number, excluded.max_number)",
    [ST_PROBE] = "SELECT (SELECT id FROM plan WHERE county = $1 AND status = 2),"
                 " (SELECT max(id) FROM event), (SELECT max(id) FROM audit)",
};

struct wg_pg {
  PGconn *c;
  int in_tx;
  int bulk;
  int deferred; /* unique indexes of the people tables dropped until the commit */
  unsigned char prepared[ST_COUNT_];
  char err[320];
};

/* ---- helpers ------------------------------------------------------------ */

/* Points a zeroed wg_pgp at its own arrays; 0 when it is full. */
static int room(wg_pgp *q) {
  if (!q->v) {
    q->v = q->iv;
    q->len = q->ilen;
    q->fmt = q->ifmt;
    q->buf = q->ibuf;
    q->cap = WG_PGP_MAX;
  }
  return q->n < q->cap;
}

wg_pgp *wg__pgp_alloc(int cap) {
  size_t each = sizeof(const char *) + 2 * sizeof(int) + 24;
  wg_pgp *q = calloc(1, sizeof *q + (size_t)cap * each);
  if (!q) return NULL;
  char *p = (char *)(q + 1);
  q->v = (const char **)(void *)p;
  p += (size_t)cap * sizeof(const char *);
  q->len = (int *)(void *)p;
  p += (size_t)cap * sizeof(int);
  q->fmt = (int *)(void *)p;
  p += (size_t)cap * sizeof(int);
  q->buf = (char(*)[24])(void *)p;
  q->cap = cap;
  return q;
}

void wg__pgp_text(wg_pgp *q, const char *v) {
  if (!room(q)) return;
  q->v[q->n] = v ? v : "";
  q->len[q->n] = 0;
  q->fmt[q->n] = 0;
  q->n++;
}

void wg__pgp_null(wg_pgp *q) {
  if (!room(q)) return;
  q->v[q->n] = NULL;
  q->len[q->n] = 0;
  q->fmt[q->n] = 0;
  q->n++;
}

void wg__pgp_int(wg_pgp *q, int64_t v) {
  if (!room(q)) return;
  snprintf(q->buf[q->n], sizeof q->buf[0], "%lld", (long long)v);
  wg__pgp_text(q, q->buf[q->n]);
}

void wg__pgp_double(wg_pgp *q, double v) {
  if (!room(q)) return;
  snprintf(q->buf[q->n], sizeof q->buf[0], "%.17g", v);
  wg__pgp_text(q, q->buf[q->n]);
}

void wg__pgp_date(wg_pgp *q, int32_t ymd) {
  if (!room(q)) return;
  wg_date_format(ymd, q->buf[q->n]);
  wg__pgp_text(q, q->buf[q->n]);
}

void wg__pgp_blob(wg_pgp *q, const unsigned char *v, size_t len) {
  if (!v || !len) {
    wg__pgp_null(q);
    return;
  }
  if (!room(q)) return;
  q->v[q->n] = (const char *)v;
  q->len[q->n] = (int)len;
  q->fmt[q->n] = 1;
  q->n++;
}

const char *wg__pg_col(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

int64_t wg__pg_i64(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double wg__pg_double(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

void wg__pg_copy(char *dst, size_t cap, const PGresult *r, int row, int col) {
  snprintf(dst, cap, "%s", wg__pg_col(r, row, col));
}

/* SQLSTATE → wg_err; unique violations are WG_ECONFLICT here (callers that
 * mean "already exists" say WG_EEXIST, as the SQLite code does). */
static wg_err map_state(const char *st) {
  if (!st) return WG_EIO; /* no result at all: the connection is gone */
  if (strncmp(st, "23", 2) == 0) return WG_ECONFLICT;
  if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "55P03") == 0)
    return WG_EBUSY;
  if (strncmp(st, "08", 2) == 0 || strncmp(st, "53", 2) == 0 || strncmp(st, "58", 2) == 0 ||
      strncmp(st, "57P", 3) == 0) /* the server shut down or terminated us */
    return WG_EIO;
  if (strcmp(st, "54000") == 0 || strcmp(st, "54001") == 0) return WG_ETOOBIG;
  return WG_EDB;
}

/* Checks a result: WG_OK for a command or rows; else records the message
 * (primary text only) and maps the SQLSTATE. Does not clear r. */
static wg_err check(struct wg_pg *pg, const PGresult *r) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return WG_OK;
  const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  snprintf(pg->err, sizeof pg->err, "%s", msg ? msg : PQerrorMessage(pg->c));
  size_t n = strlen(pg->err);
  while (n && (pg->err[n - 1] == '\n' || pg->err[n - 1] == ' ')) pg->err[--n] = '\0';
  return map_state(r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL);
}

const char *wg__pg_sqlstate(const PGresult *r) {
  const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  return s ? s : "";
}

/* The session settings every connection gets. */
static const char session_sql[] =
    "SET client_min_messages = warning; SET client_encoding = 'UTF8';"
    " SET datestyle = 'ISO'; SET extra_float_digits = 3;"
    /* short queries: compiling them costs more than it saves */
    " SET jit = off";

/* A connection lost between transactions (the server restarted, a network
 * blip) is made again before the next statement, so a long-running `serve`
 * recovers; inside a transaction the loss is the transaction's error. */
static void revive(struct wg_pg *pg) {
  if (PQstatus(pg->c) != CONNECTION_BAD || pg->in_tx) return;
  PQreset(pg->c);
  if (PQstatus(pg->c) != CONNECTION_OK) return;
  memset(pg->prepared, 0, sizeof pg->prepared);
  PQclear(PQexec(pg->c, session_sql));
}

PGresult *wg__pg_exec(wg_store_t *s, const char *sql, const wg_pgp *q, wg_err *e) {
  struct wg_pg *pg = wg__store_pg(s);
  revive(pg);
  /* Without parameters, PQexec: it also runs several statements at once. */
  PGresult *r = q ? PQexecParams(pg->c, sql, q->n, NULL, q->v, q->len, q->fmt, 0)
                  : PQexec(pg->c, sql);
  *e = check(pg, r);
  return r;
}

/* Runs the cached prepared statement id with q. The caller PQclear()s. */
static PGresult *run(wg_store_t *s, enum stmt_id id, const wg_pgp *q, wg_err *e) {
  struct wg_pg *pg = wg__store_pg(s);
  revive(pg);
  char name[16];
  snprintf(name, sizeof name, "wg%d", (int)id);
  if (!pg->prepared[id]) {
    PGresult *p = PQprepare(pg->c, name, stmt_sql[id], 0, NULL);
    *e = check(pg, p);
    PQclear(p);
    if (*e) return NULL;
    pg->prepared[id] = 1;
  }
  PGresult *r = PQexecPrepared(pg->c, name, q ? q->n : 0, q ? q->v : NULL, q ? q->len : NULL,
                               q ? q->fmt : NULL, 0);
  *e = check(pg, r);
  return r;
}

/* Runs and discards the result. */
static wg_err run_done(wg_store_t *s, enum stmt_id id, const wg_pgp *q) {
  wg_err e;
  PQclear(run(s, id, q, &e));
  return e;
}

wg_err wg__pg_exec_done(wg_store_t *s, const char *sql, const wg_pgp *q) {
  wg_err e;
  PQclear(wg__pg_exec(s, sql, q, &e));
  return e;
}

/* Rows changed by a command result (0 when none or on error). */
long wg__pg_changes(const PGresult *r) {
  const char *t = r ? PQcmdTuples((PGresult *)r) : "";
  return *t ? strtol(t, NULL, 10) : 0;
}

/* A run whose first column of the first row is an id: WG_ENOTFOUND when no
 * row came back. */
static wg_err run_id(wg_store_t *s, enum stmt_id id, const wg_pgp *q, int64_t *out) {
  wg_err e;
  PGresult *r = run(s, id, q, &e);
  if (!e) {
    if (PQntuples(r) > 0)
      *out = wg__pg_i64(r, 0, 0);
    else
      e = WG_ENOTFOUND;
  }
  PQclear(r);
  return e;
}

/* For ROLLBACK and RELEASE on paths already failing: their own failure
 * changes nothing the caller can act on. */
static void exec_quiet(wg_store_t *s, const char *sql) {
  wg_err e = wg__pg_exec_done(s, sql, NULL);
  (void)e;
}

wg_err wg__pg_sub_begin(wg_store_t *s) {
  return wg__pg_exec_done(s, wg__store_pg(s)->in_tx ? "SAVEPOINT wg_sub" : "BEGIN", NULL);
}

wg_err wg__pg_sub_end(wg_store_t *s, wg_err e) {
  struct wg_pg *pg = wg__store_pg(s);
  if (pg->in_tx) {
    if (!e && !(e = wg__pg_exec_done(s, "RELEASE SAVEPOINT wg_sub", NULL))) return WG_OK;
    exec_quiet(s, "ROLLBACK TO SAVEPOINT wg_sub");
    exec_quiet(s, "RELEASE SAVEPOINT wg_sub");
    return e;
  }
  if (!e && !(e = wg__pg_exec_done(s, "COMMIT", NULL))) return WG_OK;
  exec_quiet(s, "ROLLBACK");
  return e;
}

/* ---- open / migrate ---------------------------------------------------- */

static wg_err migrate(wg_store_t *s, struct wg_pg *pg, int from, int upto, int *reached,
                      wg_errinfo *ei) {
  (void)s;
  *reached = from;
  int last = from;
  while (last < upto && wg__pg_migrations[last + 1]) last++;
  if (last == from) return WG_OK;
  PGresult *r = PQexec(pg->c, "BEGIN; LOCK TABLE wg_schema IN EXCLUSIVE MODE");
  wg_err e = check(pg, r);
  PQclear(r);
  if (e) return wg_errinfo_set(ei, e, "cannot lock the database to migrate it: %s", pg->err);
  /* Someone may have migrated while we waited for the lock. */
  r = PQexec(pg->c, "SELECT version FROM wg_schema");
  e = check(pg, r);
  int now = !e && PQntuples(r) ? (int)wg__pg_i64(r, 0, 0) : from;
  PQclear(r);
  for (int v = now + 1; !e && v <= last; v++) {
    r = PQexec(pg->c, wg__pg_migrations[v]);
    e = check(pg, r);
    PQclear(r);
    if (e) wg_errinfo_set(ei, e, "migration to schema version %d failed: %s", v, pg->err);
  }
  if (!e) {
    char sql[64];
    snprintf(sql, sizeof sql, "UPDATE wg_schema SET version = %d", last > now ? last : now);
    r = PQexec(pg->c, sql);
    e = check(pg, r);
    PQclear(r);
    if (e) wg_errinfo_set(ei, e, "cannot record schema version: %s", pg->err);
  }
  r = PQexec(pg->c, e ? "ROLLBACK" : "COMMIT");
  if (!e) e = check(pg, r);
  PQclear(r);
  if (!e) *reached = last > now ? last : now;
  return e;
}

wg_err wg__pg_connect(const char *uri, unsigned flags, int upto, struct wg_pg **out,
                      int *version, wg_errinfo *ei) {
  *out = NULL;
  struct wg_pg *pg = calloc(1, sizeof *pg);
  if (!pg) return WG_ENOMEM;
  pg->c = PQconnectdb(uri);
  if (!pg->c || PQstatus(pg->c) != CONNECTION_OK) {
    /* libpq's message names host and database, never the password. */
    const char *m = pg->c ? PQerrorMessage(pg->c) : "no memory";
    char why[200];
    snprintf(why, sizeof why, "%s", m);
    why[strcspn(why, "\n")] = '\0';
    wg_errinfo_set(ei, WG_EIO, "cannot connect to PostgreSQL: %s", why);
    wg__pg_free(pg);
    return WG_EIO;
  }
  PGresult *r = PQexec(pg->c, session_sql);
  PQclear(r);
  /* Not a wangge database: tables but no wg_schema. */
  r = PQexec(pg->c,
             "SELECT (SELECT to_regclass('wg_schema') IS NOT NULL),"
             " (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())");
  wg_err e = check(pg, r);
  int has_schema = !e && strcmp(wg__pg_col(r, 0, 0), "t") == 0;
  long tables = e ? 0 : (long)wg__pg_i64(r, 0, 1);
  PQclear(r);
  if (e) {
    wg_errinfo_set(ei, e, "%s", pg->err);
    wg__pg_free(pg);
    return e;
  }
  /* PostGIS's own table spatial_ref_sys lives in the schema too. */
  if (!has_schema && tables > 1) {
    wg__pg_free(pg);
    return wg_errinfo_set(ei, WG_ECORRUPT,
                          "a PostgreSQL database, but not a wangge one (it has tables but no "
                          "wg_schema); refusing to touch it");
  }
  if (!has_schema) {
    if (flags & WG_STORE_READONLY) {
      wg__pg_free(pg);
      return wg_errinfo_set(ei, WG_ESCHEMA, "empty database; open it writable once");
    }
    r = PQexec(pg->c,
               "CREATE TABLE IF NOT EXISTS wg_schema (version integer NOT NULL);"
               " INSERT INTO wg_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM wg_schema)");
    e = check(pg, r);
    PQclear(r);
    if (e) {
      wg_errinfo_set(ei, e, "cannot create the schema table: %s", pg->err);
      wg__pg_free(pg);
      return e;
    }
  }
  r = PQexec(pg->c, "SELECT version FROM wg_schema");
  e = check(pg, r);
  int v = !e && PQntuples(r) ? (int)wg__pg_i64(r, 0, 0) : 0;
  PQclear(r);
  if (!e && v > WG_SCHEMA_VERSION)
    e = wg_errinfo_set(ei, WG_ESCHEMA,
                       "database schema version %d is newer than this wangge understands (%d); "
                       "upgrade wangge",
                       v, WG_SCHEMA_VERSION);
  if (!e && v < upto && !(flags & WG_STORE_READONLY)) e = migrate(NULL, pg, v, upto, &v, ei);
  if (e) {
    wg__pg_free(pg);
    return e;
  }
  *version = v;
  *out = pg;
  return WG_OK;
}

void wg__pg_free(struct wg_pg *pg) {
  if (!pg) return;
  if (pg->c) PQfinish(pg->c);
  free(pg);
}

const char *wg__pg_errmsg(struct wg_pg *pg) { return pg->err[0] ? pg->err : "not an error"; }

PGconn *wg__pg_conn(wg_store_t *s) { return wg__store_pg(s)->c; }

wg_err wg__pg_integrity(wg_store_t *s, char *msg, size_t cap) {
  /* PostgreSQL checks pages itself; what can go wrong is ours: a broken
   * reference left by a bulk load, or a geometry PostGIS finds invalid. */
  snprintf(msg, cap, "ok");
  wg_err e;
  PGresult *r = wg__pg_exec(
      s,
      "SELECT 'resident ' || count(*) FROM resident r WHERE r.dwelling_id IS NOT NULL AND NOT"
      " EXISTS (SELECT 1 FROM dwelling d WHERE d.county = r.county AND d.id = r.dwelling_id)"
      " HAVING count(*) > 0"
      " UNION ALL SELECT 'grid geometry ' || count(*) FROM grid WHERE geom IS NOT NULL"
      " AND NOT ST_IsValid(geom) HAVING count(*) > 0",
      NULL, &e);
  if (!e && PQntuples(r) > 0) {
    snprintf(msg, cap, "%s bad rows", wg__pg_col(r, 0, 0));
    e = WG_ECORRUPT;
  } else if (e) {
    snprintf(msg, cap, "%s", wg__store_pg(s)->err);
  }
  PQclear(r);
  return e;
}

/* ---- transactions --------------------------------------------------------- */

wg_err wg__pg_begin(wg_store_t *s) {
  struct wg_pg *pg = wg__store_pg(s);
  if (pg->in_tx) return WG_ECONFLICT;
  wg_err e = wg__pg_exec_done(s, "BEGIN", NULL);
  if (!e) pg->in_tx = 1;
  return e;
}

wg_err wg__pg_begin_bulk(wg_store_t *s) {
  wg_err e = wg__pg_begin(s);
  if (e) return e;
  /* References are checked once, at the commit (all foreign keys are
   * DEFERRABLE). */
  e = wg__pg_exec_done(s, "SET CONSTRAINTS ALL DEFERRED", NULL);
  if (e) {
    wg__pg_rollback(s);
    return e;
  }
  wg__store_pg(s)->bulk = 1;
  return WG_OK;
}

/* The unique indexes a bulk load into empty people tables drops (DDL is
 * transactional here: a rollback brings them back) and the commit builds
 * again, sorted, in one pass each. */
static const char bulk_indexes[] =
    /* deferred reference checks run first: an index cannot be built over
     * rows with checks pending */
    "SET CONSTRAINTS ALL IMMEDIATE;"
    "CREATE UNIQUE INDEX resident_id_number ON resident(id_number);"
    "CREATE UNIQUE INDEX dwelling_room ON dwelling(county, entrance_id, room);"
    "CREATE UNIQUE INDEX household_number ON household(county, number);";

wg_err wg__pg_bulk_defer_indexes(wg_store_t *s) {
  struct wg_pg *pg = wg__store_pg(s);
  if (!pg->in_tx || !pg->bulk || pg->deferred) return WG_ECONFLICT;
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT (EXISTS (SELECT 1 FROM resident) OR EXISTS (SELECT 1 FROM"
                            " dwelling) OR EXISTS (SELECT 1 FROM household))::int",
                            NULL, &e);
  int has = e ? 1 : (int)wg__pg_i64(r, 0, 0);
  PQclear(r);
  if (e) return e;
  if (has) return WG_ECONFLICT;
  e = wg__pg_exec_done(s, "DROP INDEX resident_id_number, dwelling_room, household_number",
                       NULL);
  if (!e) pg->deferred = 1;
  return e;
}

wg_err wg__pg_commit(wg_store_t *s) {
  struct wg_pg *pg = wg__store_pg(s);
  if (!pg->in_tx) return WG_ECONFLICT;
  if (pg->deferred) {
    wg_err e;
    PGresult *r = wg__pg_exec(s, bulk_indexes, NULL, &e);
    int dup = e && strcmp(wg__pg_sqlstate(r), "23505") == 0;
    PQclear(r);
    /* The transaction is still open (aborted): the caller rolls back. */
    if (e) return dup ? WG_EEXIST : e;
    pg->deferred = 0;
  }
  wg_err e;
  PGresult *r = wg__pg_exec(s, "COMMIT", NULL, &e);
  /* COMMIT of a transaction a failed statement aborted rolls back and says
   * so only in its tag: that is no success. */
  if (!e && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
    snprintf(pg->err, sizeof pg->err, "the transaction was rolled back after an error");
    e = WG_ECONFLICT;
  }
  PQclear(r);
  /* A failed COMMIT has rolled back: the transaction is over either way. */
  pg->in_tx = 0;
  pg->bulk = 0;
  return e;
}

void wg__pg_rollback(wg_store_t *s) {
  struct wg_pg *pg = wg__store_pg(s);
  if (!pg->in_tx) return;
  exec_quiet(s, "ROLLBACK");
  pg->in_tx = 0;
  pg->bulk = 0;
  pg->deferred = 0; /* the DROP INDEX was rolled back too */
}

/* ---- meta ------------------------------------------------------------------ */

wg_err wg__pg_meta_get(wg_store_t *s, const char *key, char **out) {
  *out = NULL;
  wg_pgp q = {0};
  wg__pgp_text(&q, key);
  wg_err e;
  PGresult *r = run(s, ST_META_GET, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e && !(*out = strdup(wg__pg_col(r, 0, 0)))) e = WG_ENOMEM;
  PQclear(r);
  return e;
}

wg_err wg__pg_meta_set(wg_store_t *s, const char *key, const char *value) {
  wg_pgp q = {0};
  wg__pgp_text(&q, key);
  wg__pgp_text(&q, value);
  return run_done(s, ST_META_SET, &q);
}

/* ---- divisions ------------------------------------------------------------- */

wg_err wg__pg_division_put(wg_store_t *s, const wg_division_t *d) {
  wg_pgp q = {0};
  wg__pgp_text(&q, d->code);
  wg__pgp_text(&q, d->parent);
  wg__pgp_text(&q, d->name);
  wg__pgp_int(&q, d->level);
  wg__pgp_int(&q, d->kind);
  wg__pgp_double(&q, d->lon);
  wg__pgp_double(&q, d->lat);
  return run_done(s, ST_DIV_PUT, &q);
}

static void read_division(const PGresult *r, int i, wg_division_t *d) {
  memset(d, 0, sizeof *d);
  wg__pg_copy(d->code, sizeof d->code, r, i, 0);
  wg__pg_copy(d->parent, sizeof d->parent, r, i, 1);
  wg__pg_copy(d->name, sizeof d->name, r, i, 2);
  d->level = (wg_division_level)wg__pg_i64(r, i, 3);
  d->kind = (wg_area_kind)wg__pg_i64(r, i, 4);
  d->lon = wg__pg_double(r, i, 5);
  d->lat = wg__pg_double(r, i, 6);
}

wg_err wg__pg_division_get(wg_store_t *s, const char *code, wg_division_t *out) {
  wg_pgp q = {0};
  wg__pgp_text(&q, code);
  wg_err e;
  PGresult *r = run(s, ST_DIV_GET, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) read_division(r, 0, out);
  PQclear(r);
  return e;
}

wg_err wg__pg_division_find(wg_store_t *s, const char *within, const char *name,
                            wg_division_t *out) {
  wg_pgp q = {0};
  wg__pgp_text(&q, within);
  wg__pgp_text(&q, name);
  wg_err e;
  PGresult *r = run(s, ST_DIV_FIND, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) {
    read_division(r, 0, out);
    if (PQntuples(r) > 1) e = WG_ECONFLICT;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_division_each(wg_store_t *s, const char *prefix, int level, wg_division_fn fn,
                            void *ctx) {
  wg_pgp q = {0};
  wg__pgp_text(&q, prefix);
  wg__pgp_int(&q, level);
  wg_err e;
  PGresult *r = wg__pg_exec(
      s,
      "SELECT code, coalesce(parent, ''), name, level, kind, lon, lat FROM division"
      " WHERE substr(code, 1, length($1)) = $1 AND ($2 = 0 OR level = $2) ORDER BY code",
      &q, &e);
  wg_division_t d;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    read_division(r, i, &d);
    if (fn(ctx, &d)) break;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_division_count(wg_store_t *s, const char *prefix, int level, long *out) {
  wg_pgp q = {0};
  wg__pgp_text(&q, prefix);
  wg__pgp_int(&q, level);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT count(*) FROM division WHERE substr(code, 1, length($1)) = $1"
                            " AND ($2 = 0 OR level = $2)",
                            &q, &e);
  *out = e ? 0 : (long)wg__pg_i64(r, 0, 0);
  PQclear(r);
  return e;
}

/* ---- standard addresses ------------------------------------------------------ */

/* Get-or-create: look up with `get`; if absent insert with `add` (ON
 * CONFLICT DO NOTHING RETURNING id); when the insert returns nothing
 * (someone else made it, or the parent is missing) look up once more. */
static wg_err get_or_add(wg_store_t *s, enum stmt_id get, const wg_pgp *qg, enum stmt_id add,
                         const wg_pgp *qa, int64_t *id) {
  wg_err e = run_id(s, get, qg, id);
  if (e != WG_ENOTFOUND) return e;
  e = run_id(s, add, qa, id);
  if (e != WG_ENOTFOUND) return e;
  return run_id(s, get, qg, id);
}

/* Insert only: a conflict (nothing returned) is WG_ECONFLICT. */
static wg_err add_only(wg_store_t *s, enum stmt_id add, const wg_pgp *qa, int64_t *id) {
  wg_err e = run_id(s, add, qa, id);
  return e == WG_ENOTFOUND ? WG_ECONFLICT : e;
}

wg_err wg__pg_estate_ensure(wg_store_t *s, const char *community, const char *name, int64_t *id) {
  wg_pgp q = {0};
  wg__pgp_text(&q, community);
  wg__pgp_text(&q, name);
  return get_or_add(s, ST_ESTATE_GET, &q, ST_ESTATE_ADD, &q, id);
}

static void bind_building(wg_pgp *q, const wg_building_t *b) {
  wg__pgp_text(q, b->community);
  wg__pgp_int(q, b->estate_id);
  wg__pgp_text(q, b->name);
  wg__pgp_int(q, b->floors);
  wg__pgp_double(q, b->lon);
  wg__pgp_double(q, b->lat);
}

wg_err wg__pg_building_ensure(wg_store_t *s, wg_building_t *b) {
  wg_pgp qg = {0}, qa = {0};
  wg__pgp_int(&qg, b->estate_id);
  wg__pgp_text(&qg, b->name);
  bind_building(&qa, b);
  snprintf(b->county, sizeof b->county, "%.6s", b->community);
  return get_or_add(s, ST_BUILDING_GET, &qg, ST_BUILDING_ADD, &qa, &b->id);
}

wg_err wg__pg_building_place(wg_store_t *s, int64_t building_id, double lon, double lat,
                             int floors, const unsigned char *footprint, size_t footprint_len) {
  wg_pgp q = {0};
  wg__pgp_int(&q, building_id);
  wg__pgp_double(&q, lon);
  wg__pgp_double(&q, lat);
  wg__pgp_int(&q, floors);
  wg__pgp_blob(&q, footprint, footprint_len);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "UPDATE building SET lon = $2, lat = $3,"
                            " floors = CASE WHEN $4::int > 0 THEN $4::int ELSE floors END,"
                            " footprint = coalesce(ST_GeomFromWKB($5::bytea, 4326), footprint)"
                            " WHERE id = $1",
                            &q, &e);
  if (!e && wg__pg_changes(r) != 1) e = WG_ENOTFOUND;
  PQclear(r);
  return e;
}

wg_err wg__pg_entrance_declare(wg_store_t *s, int64_t entrance_id, long households) {
  wg_pgp q = {0};
  wg__pgp_int(&q, entrance_id);
  wg__pgp_int(&q, households);
  wg_err e;
  PGresult *r =
      wg__pg_exec(s, "UPDATE entrance SET declared_households = $2 WHERE id = $1", &q, &e);
  if (!e && wg__pg_changes(r) != 1) e = WG_ENOTFOUND;
  PQclear(r);
  return e;
}

wg_err wg__pg_entrance_ensure(wg_store_t *s, int64_t building_id, const char *name,
                              int64_t *id) {
  wg_pgp q = {0};
  wg__pgp_int(&q, building_id);
  wg__pgp_text(&q, name);
  return get_or_add(s, ST_ENTRANCE_GET, &q, ST_ENTRANCE_ADD, &q, id);
}

wg_err wg__pg_dwelling_ensure(wg_store_t *s, int64_t entrance_id, int floor, const char *room,
                              int64_t *id) {
  wg_pgp qg = {0}, qa = {0};
  wg__pgp_int(&qg, entrance_id);
  wg__pgp_text(&qg, room);
  wg__pgp_int(&qa, entrance_id);
  wg__pgp_int(&qa, floor);
  wg__pgp_text(&qa, room);
  return get_or_add(s, ST_DWELLING_GET, &qg, ST_DWELLING_ADD, &qa, id);
}

wg_err wg__pg_estate_add(wg_store_t *s, const char *community, const char *name, int64_t *id) {
  wg_pgp q = {0};
  wg__pgp_text(&q, community);
  wg__pgp_text(&q, name);
  return add_only(s, ST_ESTATE_ADD, &q, id);
}

wg_err wg__pg_building_add(wg_store_t *s, wg_building_t *b) {
  wg_pgp q = {0};
  bind_building(&q, b);
  snprintf(b->county, sizeof b->county, "%.6s", b->community);
  return add_only(s, ST_BUILDING_ADD, &q, &b->id);
}

wg_err wg__pg_entrance_add(wg_store_t *s, const char *county, int64_t building_id,
                           const char *name, int64_t *id) {
  wg_pgp q = {0};
  wg__pgp_int(&q, building_id);
  wg__pgp_text(&q, name);
  wg__pgp_text(&q, county);
  return add_only(s, ST_ENTRANCE_NEW, &q, id);
}

wg_err wg__pg_dwelling_add(wg_store_t *s, const char *county, int64_t entrance_id, int floor,
                           const char *room, int64_t *id) {
  wg_pgp q = {0};
  wg__pgp_int(&q, entrance_id);
  wg__pgp_int(&q, floor);
  wg__pgp_text(&q, room);
  wg__pgp_text(&q, county);
  return add_only(s, ST_DWELLING_NEW, &q, id);
}

/* Many rows in one statement: head, then n copies of tuple whose '?' are
 * numbered $1, $2, … in turn, then tail. The values come from q (already
 * bound, ncol per row); q->n must be n * tuple's '?'. One round trip for
 * the whole batch. The caller PQclear()s. */
static PGresult *insert_rows(wg_store_t *s, const char *head, const char *tuple, int n,
                             const char *tail, const wg_pgp *q, wg_err *e) {
  size_t cap = strlen(head) + strlen(tail) + (size_t)n * (strlen(tuple) * 3 + 8) + 1;
  char *sql = malloc(cap);
  if (!sql) {
    *e = WG_ENOMEM;
    return NULL;
  }
  size_t len = (size_t)snprintf(sql, cap, "%s", head);
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (i) sql[len++] = ',';
    for (const char *t = tuple; *t; t++) {
      if (*t == '?')
        len += (size_t)snprintf(sql + len, cap - len, "$%d", ++k);
      else
        sql[len++] = *t;
    }
  }
  snprintf(sql + len, cap - len, "%s", tail);
  PGresult *r = wg__pg_exec(s, sql, q, e);
  free(sql);
  return r;
}

/* A batch of caller-assigned rows: a taken id (ON CONFLICT on the primary
 * key leaves it out) is WG_ECONFLICT, another unique key WG_EEXIST, and
 * then nothing of the batch is written (the savepoint), as on SQLite. */
static wg_err batch_rows(wg_store_t *s, const char *head, const char *tuple, int n,
                         const wg_pgp *q) {
  wg_err e = wg__pg_sub_begin(s);
  if (e) return e;
  PGresult *r = insert_rows(s, head, tuple, n, " ON CONFLICT (county, id) DO NOTHING", q, &e);
  if (e == WG_ECONFLICT && strcmp(wg__pg_sqlstate(r), "23505") == 0) e = WG_EEXIST;
  if (!e && wg__pg_changes(r) != n) e = WG_ECONFLICT;
  PQclear(r);
  return wg__pg_sub_end(s, e);
}

/* Caller-assigned ids: move the identity past them so later inserts do
 * not collide. */
static wg_err bump_identity(wg_store_t *s, const char *table) {
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
           " greatest((SELECT max(id) FROM %s), 1))",
           table, table);
  return wg__pg_exec_done(s, sql, NULL);
}

/* Batches are at most WG_STORE_BATCH rows; their parameters go in a
 * wg_pgp on the heap. */

wg_err wg__pg_dwelling_insert_batch(wg_store_t *s, const char *county, const wg_dwelling_row *rows,
                                    int n) {
  if (n <= 0) return WG_OK;
  if (n > WG_STORE_BATCH) return WG_EINVAL;
  wg_pgp *q = wg__pgp_alloc(5 * n);
  if (!q) return WG_ENOMEM;
  for (int i = 0; i < n; i++) {
    wg__pgp_int(q, rows[i].id);
    wg__pgp_text(q, county);
    wg__pgp_int(q, rows[i].entrance_id);
    wg__pgp_int(q, rows[i].floor);
    wg__pgp_text(q, rows[i].room);
  }
  wg_err e = batch_rows(s, "INSERT INTO dwelling(id, county, entrance_id, floor, room) VALUES ",
                        "(?, ?, ?, ?, ?)", n, q);
  free(q);
  return e ? e : bump_identity(s, "dwelling");
}

wg_err wg__pg_household_insert_batch(wg_store_t *s, const char *county,
                                     const wg_household_row *rows, int n) {
  if (n <= 0) return WG_OK;
  if (n > WG_STORE_BATCH) return WG_EINVAL;
  wg_pgp *q = wg__pgp_alloc(4 * n);
  if (!q) return WG_ENOMEM;
  for (int i = 0; i < n; i++) {
    wg__pgp_int(q, rows[i].id);
    wg__pgp_text(q, county);
    wg__pgp_text(q, rows[i].number);
    wg__pgp_int(q, rows[i].dwelling_id);
  }
  wg_err e = batch_rows(s, "INSERT INTO household(id, county, number, dwelling_id) VALUES ",
                        "(?, ?, ?, NULLIF(?::bigint, 0))", n, q);
  free(q);
  return e ? e : bump_identity(s, "household");
}

wg_err wg__pg_county_counts(wg_store_t *s, const char *county, long *dwellings,
                            long *residents) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT (SELECT count(*) FROM dwelling WHERE county = $1),"
                            " (SELECT count(*) FROM resident WHERE county = $1)",
                            &q, &e);
  if (!e) {
    *dwellings = (long)wg__pg_i64(r, 0, 0);
    *residents = (long)wg__pg_i64(r, 0, 1);
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_dwelling_parts(wg_store_t *s, int64_t dwelling_id, wg_dwelling_parts *out) {
  wg_pgp q = {0};
  wg__pgp_int(&q, dwelling_id);
  wg_err e;
  PGresult *r = run(s, ST_DWELLING_LABEL, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) {
    memset(out, 0, sizeof *out);
    wg__pg_copy(out->community_name, sizeof out->community_name, r, 0, 0);
    wg__pg_copy(out->estate, sizeof out->estate, r, 0, 1);
    wg__pg_copy(out->building, sizeof out->building, r, 0, 2);
    wg__pg_copy(out->entrance, sizeof out->entrance, r, 0, 3);
    wg__pg_copy(out->room, sizeof out->room, r, 0, 4);
    wg__pg_copy(out->community, sizeof out->community, r, 0, 5);
    out->floor = (int)wg__pg_i64(r, 0, 6);
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_dwelling_label(wg_store_t *s, int64_t dwelling_id, char *buf, size_t cap) {
  wg_dwelling_parts p;
  wg_err e = wg__pg_dwelling_parts(s, dwelling_id, &p);
  if (e) return e;
  const char *parts[5] = {p.community_name, p.estate, p.building, p.entrance, p.room};
  size_t n = 0;
  buf[0] = '\0';
  for (int i = 0; i < 5 && n < cap; i++) {
    if (!parts[i][0]) continue;
    int w = snprintf(buf + n, cap - n, "%s%s", n ? " " : "", parts[i]);
    if (w > 0) n += (size_t)w;
  }
  return WG_OK;
}

wg_err wg__pg_household_number(wg_store_t *s, int64_t id, char *out, size_t cap) {
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  wg_err e;
  PGresult *r = run(s, ST_HOUSEHOLD_NUMBER, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) wg__pg_copy(out, cap, r, 0, 0);
  PQclear(r);
  return e;
}

/* ---- events ---------------------------------------------------------------- */

wg_err wg__pg_event_add(wg_store_t *s, wg_event_t *ev) {
  if (!ev->recorded_at[0]) wg__now_iso(ev->recorded_at);
  wg_pgp q = {0};
  wg__pgp_text(&q, ev->county);
  wg__pgp_int(&q, ev->kind);
  wg__pgp_int(&q, ev->resident_id);
  wg__pgp_date(&q, ev->effective);
  wg__pgp_text(&q, ev->recorded_at);
  wg__pgp_text(&q, ev->actor);
  wg__pgp_text(&q, ev->reason);
  wg__pgp_text(&q, ev->detail);
  return run_id(s, ST_EVENT_ADD, &q, &ev->id);
}

wg_err wg__pg_event_get(wg_store_t *s, int64_t id, wg_event_t *out) {
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  wg_err e;
  PGresult *r = run(s, ST_EVENT_GET, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) {
    memset(out, 0, sizeof *out);
    out->id = wg__pg_i64(r, 0, 0);
    wg__pg_copy(out->county, sizeof out->county, r, 0, 1);
    out->kind = (wg_event_kind)wg__pg_i64(r, 0, 2);
    out->resident_id = wg__pg_i64(r, 0, 3);
    out->effective = wg__date_parse(wg__pg_col(r, 0, 4));
    wg__pg_copy(out->recorded_at, sizeof out->recorded_at, r, 0, 5);
    wg__pg_copy(out->actor, sizeof out->actor, r, 0, 6);
    wg__pg_copy(out->reason, sizeof out->reason, r, 0, 7);
    wg__pg_copy(out->detail, sizeof out->detail, r, 0, 8);
  }
  PQclear(r);
  return e;
}

/* ---- households and residents ------------------------------------------------ */

wg_err wg__pg_household_ensure(wg_store_t *s, const char *county, const char *number,
                               int64_t dwelling_id, int64_t *id) {
  wg_pgp qg = {0}, qa = {0};
  wg__pgp_text(&qg, county);
  wg__pgp_text(&qg, number);
  wg__pgp_text(&qa, county);
  wg__pgp_text(&qa, number);
  wg__pgp_int(&qa, dwelling_id);
  return get_or_add(s, ST_HOUSEHOLD_GET, &qg, ST_HOUSEHOLD_ADD, &qa, id);
}

wg_err wg__pg_household_add(wg_store_t *s, const char *county, const char *number,
                            int64_t dwelling_id, int64_t *id) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg__pgp_text(&q, number);
  wg__pgp_int(&q, dwelling_id);
  return add_only(s, ST_HOUSEHOLD_ADD, &q, id);
}

static void bind_resident(wg_pgp *q, const wg_resident_t *r) {
  wg__pgp_text(q, r->county);
  wg__pgp_text(q, r->id_number);
  wg__pgp_text(q, r->name);
  if (room(q)) {
    q->buf[q->n][0] = r->sex;
    q->buf[q->n][1] = '\0';
    wg__pgp_text(q, q->buf[q->n]);
  }
  wg__pgp_date(q, r->birth);
  wg__pgp_text(q, r->phone);
  wg__pgp_text(q, r->relation);
  wg__pgp_int(q, r->residence);
  wg__pgp_int(q, r->status);
  wg__pgp_int(q, r->household_id);
  wg__pgp_int(q, r->dwelling_id);
  wg__pgp_text(q, r->tags);
  wg__pgp_date(q, r->since);
  wg__pgp_int(q, r->event_id);
}

void wg__pg_read_resident(const PGresult *res, int i, wg_resident_t *r) {
  memset(r, 0, sizeof *r);
  r->id = wg__pg_i64(res, i, 0);
  wg__pg_copy(r->county, sizeof r->county, res, i, 1);
  wg__pg_copy(r->id_number, sizeof r->id_number, res, i, 2);
  wg__pg_copy(r->name, sizeof r->name, res, i, 3);
  const char *sex = wg__pg_col(res, i, 4);
  r->sex = *sex ? sex[0] : '?';
  r->birth = wg__date_parse(wg__pg_col(res, i, 5));
  wg__pg_copy(r->phone, sizeof r->phone, res, i, 6);
  wg__pg_copy(r->relation, sizeof r->relation, res, i, 7);
  r->residence = (wg_residence)wg__pg_i64(res, i, 8);
  r->status = (wg_status)wg__pg_i64(res, i, 9);
  r->household_id = wg__pg_i64(res, i, 10);
  r->dwelling_id = wg__pg_i64(res, i, 11);
  wg__pg_copy(r->tags, sizeof r->tags, res, i, 12);
  r->since = wg__date_parse(wg__pg_col(res, i, 13));
  r->event_id = wg__pg_i64(res, i, 14);
}

wg_err wg__pg_resident_insert(wg_store_t *s, wg_resident_t *r) {
  wg_pgp q = {0};
  bind_resident(&q, r);
  wg_err e = run_id(s, ST_RES_INSERT, &q, &r->id);
  return e == WG_ENOTFOUND ? WG_EEXIST : e;
}

wg_err wg__pg_resident_insert_batch(wg_store_t *s, wg_resident_t *rs, int n) {
  if (n <= 0) return WG_OK;
  if (n > WG_STORE_BATCH) return WG_EINVAL;
  wg_pgp *q = wg__pgp_alloc(14 * n);
  if (!q) return WG_ENOMEM;
  for (int i = 0; i < n; i++) bind_resident(q, &rs[i]);
  /* All of the batch or nothing of it (a savepoint), inside or outside a
   * transaction; ids come back with the ID number they belong to. */
  wg_err e = wg__pg_sub_begin(s);
  PGresult *r = NULL;
  if (!e)
    r = insert_rows(s,
                    "INSERT INTO resident(county, id_number, name, sex, birth, phone, relation,"
                    " residence, status, household_id, dwelling_id, tags, since, event_id) VALUES ",
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?::bigint, 0), NULLIF(?::bigint, 0), ?, ?, ?)",
                    n, " RETURNING id, id_number", q, &e);
  if (e == WG_ECONFLICT && strcmp(wg__pg_sqlstate(r), "23505") == 0) e = WG_EEXIST;
  if (!e && PQntuples(r) != n) e = WG_EDB;
  for (int i = 0; !e && i < n; i++) {
    const char *idn = wg__pg_col(r, i, 1);
    int k = i; /* rows come back in order; the ID number says for sure */
    if (strcmp(rs[k].id_number, idn) != 0)
      for (k = 0; k < n && strcmp(rs[k].id_number, idn) != 0; k++) {
      }
    if (k == n) e = WG_EDB;
    else rs[k].id = wg__pg_i64(r, i, 0);
  }
  PQclear(r);
  free(q);
  return wg__pg_sub_end(s, e);
}

wg_err wg__pg_resident_update(wg_store_t *s, const wg_resident_t *r) {
  wg_pgp q = {0};
  bind_resident(&q, r);
  wg__pgp_int(&q, r->id);
  wg_err e;
  PGresult *res = run(s, ST_RES_UPDATE, &q, &e);
  if (e == WG_ECONFLICT && strcmp(wg__pg_sqlstate(res), "23505") == 0) e = WG_EEXIST;
  if (!e && wg__pg_changes(res) != 1) e = WG_ENOTFOUND;
  PQclear(res);
  return e;
}

static wg_err get_one_resident(wg_store_t *s, enum stmt_id id, const wg_pgp *q,
                               wg_resident_t *out) {
  wg_err e;
  PGresult *r = run(s, id, q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) wg__pg_read_resident(r, 0, out);
  PQclear(r);
  return e;
}

wg_err wg__pg_resident_get(wg_store_t *s, int64_t id, wg_resident_t *out) {
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  return get_one_resident(s, ST_RES_GET, &q, out);
}

wg_err wg__pg_resident_find(wg_store_t *s, const char *id_number, wg_resident_t *out) {
  wg_pgp q = {0};
  wg__pgp_text(&q, id_number);
  return get_one_resident(s, ST_RES_FIND, &q, out);
}

wg_err wg__pg_resident_versions(wg_store_t *s, int64_t id, wg_version_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  wg_err e;
  PGresult *r = run(s, ST_RES_HISTORY, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  wg_resident_t v;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    wg__pg_read_resident(r, i, &v);
    if (fn(ctx, &v, wg__date_parse(wg__pg_col(r, i, 15)))) break;
  }
  PQclear(r);
  return e;
}

/* The query of a resident filter (columns as RES_COLS); $1 county, $2 as-of,
 * $3 community, $4 tag pattern, $5 include inactive. */
static PGresult *run_filter(wg_store_t *s, const wg_resident_filter *f, int count_only,
                            wg_err *e) {
  static const char hcols[] =
      "resident_id, county, id_number, name, sex, birth, phone, relation, residence,"
      " status, coalesce(household_id, 0), coalesce(dwelling_id, 0), tags, valid_from,"
      " event_id";
  static const char cond[] =
      " county = $1 AND ($5::int <> 0 OR status = 1) AND ($4 = '' OR strpos(tags, $4) > 0)"
      " AND ($3 = '' OR dwelling_id IN (SELECT d.id FROM dwelling d JOIN entrance e"
      " ON e.county = d.county AND e.id = d.entrance_id JOIN building b"
      " ON b.county = e.county AND b.id = e.building_id"
      " WHERE d.county = $1 AND b.community = $3))";
  char sql[2048];
  if (f->as_of > 0)
    snprintf(sql, sizeof sql,
             "SELECT %s FROM (SELECT %s FROM resident WHERE since <= $2 AND %s"
             " UNION ALL SELECT %s FROM resident_history WHERE valid_from <= $2"
             " AND valid_to > $2 AND %s) v%s",
             count_only ? "count(*)" : "*", RES_COLS, cond, hcols, cond,
             count_only ? "" : " ORDER BY 1");
  else
    snprintf(sql, sizeof sql, "SELECT %s FROM resident WHERE $2::text = $2::text AND %s%s",
             count_only ? "count(*)" : RES_COLS, cond, count_only ? "" : " ORDER BY id");
  char pattern[64] = "";
  if (f->tag && *f->tag) snprintf(pattern, sizeof pattern, ",%s,", f->tag);
  wg_pgp q = {0};
  wg__pgp_text(&q, f->county);
  wg__pgp_date(&q, f->as_of);
  wg__pgp_text(&q, f->community ? f->community : "");
  wg__pgp_text(&q, pattern);
  wg__pgp_int(&q, f->include_inactive ? 1 : 0);
  return wg__pg_exec(s, sql, &q, e);
}

wg_err wg__pg_resident_each(wg_store_t *s, const wg_resident_filter *f, wg_resident_fn fn,
                            void *ctx) {
  wg_err e;
  PGresult *r = run_filter(s, f, 0, &e);
  wg_resident_t v;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    wg__pg_read_resident(r, i, &v);
    if (fn(ctx, &v)) break;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_resident_count(wg_store_t *s, const wg_resident_filter *f, long *out) {
  wg_err e;
  PGresult *r = run_filter(s, f, 1, &e);
  *out = e ? 0 : (long)wg__pg_i64(r, 0, 0);
  PQclear(r);
  return e;
}

/* ---- tags -------------------------------------------------------------------- */

wg_err wg__pg_tag_put(wg_store_t *s, const char *code, const char *name_zh,
                      const char *name_en) {
  wg_pgp q = {0};
  wg__pgp_text(&q, code);
  wg__pgp_text(&q, name_zh);
  wg__pgp_text(&q, name_en);
  return run_done(s, ST_TAG_PUT, &q);
}

wg_err wg__pg_tag_resolve(wg_store_t *s, const char *word, char *code_out, size_t cap) {
  wg_pgp q = {0};
  wg__pgp_text(&q, word);
  wg_err e;
  PGresult *r = run(s, ST_TAG_RESOLVE, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) wg__pg_copy(code_out, cap, r, 0, 0);
  PQclear(r);
  return e;
}

wg_err wg__pg_tag_each(wg_store_t *s, wg_tag_fn fn, void *ctx) {
  wg_err e;
  PGresult *r = wg__pg_exec(s, "SELECT code, name_zh, name_en FROM tag ORDER BY code", NULL, &e);
  for (int i = 0; !e && i < PQntuples(r); i++)
    if (fn(ctx, wg__pg_col(r, i, 0), wg__pg_col(r, i, 1), wg__pg_col(r, i, 2))) break;
  PQclear(r);
  return e;
}

/* ---- units --------------------------------------------------------------------- */

wg_err wg__pg_unit_each(wg_store_t *s, const char *county, const char *community, wg_unit_fn fn,
                        void *ctx) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg__pgp_text(&q, community ? community : "");
  wg_err e;
  PGresult *r = wg__pg_exec(
      s,
      "WITH hh AS (SELECT d.entrance_id, count(DISTINCT r.household_id) AS n"
      "   FROM dwelling d JOIN resident r ON r.county = d.county AND r.dwelling_id = d.id"
      "   WHERE d.county = $1 AND r.status = 1 GROUP BY d.entrance_id)"
      " SELECT en.id, b.id, b.community, b.lon, b.lat,"
      " row_number() OVER (PARTITION BY b.id ORDER BY en.id) - 1,"
      " count(*) OVER (PARTITION BY b.id),"
      " coalesce(nullif(hh.n, 0), en.declared_households)"
      " FROM entrance en JOIN building b ON b.county = en.county AND b.id = en.building_id"
      " LEFT JOIN hh ON hh.entrance_id = en.id"
      " WHERE b.county = $1 AND ($2 = '' OR b.community = $2)"
      " ORDER BY b.community, b.id, en.id",
      &q, &e);
  wg_unit_row u;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&u, 0, sizeof u);
    u.entrance_id = wg__pg_i64(r, i, 0);
    u.building_id = wg__pg_i64(r, i, 1);
    wg__pg_copy(u.community, sizeof u.community, r, i, 2);
    u.lon = wg__pg_double(r, i, 3);
    u.lat = wg__pg_double(r, i, 4);
    u.entrance_no = (int)wg__pg_i64(r, i, 5);
    u.entrances = (int)wg__pg_i64(r, i, 6);
    u.households = (long)wg__pg_i64(r, i, 7);
    if (fn(ctx, &u)) break;
  }
  PQclear(r);
  return e;
}

/* ---- plans and grids --------------------------------------------------------------- */

wg_err wg__pg_plan_add(wg_store_t *s, wg_plan_t *p) {
  if (!p->created_at[0]) wg__now_iso(p->created_at);
  wg_pgp q = {0};
  wg__pgp_text(&q, p->county);
  wg__pgp_int(&q, p->status);
  wg__pgp_text(&q, p->created_at);
  wg__pgp_text(&q, p->actor);
  wg__pgp_text(&q, p->note);
  wg__pgp_int(&q, p->based_on);
  wg__pgp_int(&q, p->nlevels);
  wg__pgp_text(&q, p->bounds);
  wg__pgp_text(&q, p->summary);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "INSERT INTO plan(county, status, created_at, actor, note, based_on,"
                            " nlevels, bounds, summary) VALUES ($1, $2, $3, $4, $5,"
                            " NULLIF($6::bigint, 0), $7, $8, $9) RETURNING id",
                            &q, &e);
  if (!e) p->id = wg__pg_i64(r, 0, 0);
  PQclear(r);
  return e;
}

static void read_plan(const PGresult *r, int i, wg_plan_t *p) {
  memset(p, 0, sizeof *p);
  p->id = wg__pg_i64(r, i, 0);
  wg__pg_copy(p->county, sizeof p->county, r, i, 1);
  p->status = (wg_plan_status)wg__pg_i64(r, i, 2);
  wg__pg_copy(p->created_at, sizeof p->created_at, r, i, 3);
  wg__pg_copy(p->actor, sizeof p->actor, r, i, 4);
  wg__pg_copy(p->note, sizeof p->note, r, i, 5);
  p->based_on = wg__pg_i64(r, i, 6);
  p->nlevels = (int)wg__pg_i64(r, i, 7);
  wg__pg_copy(p->bounds, sizeof p->bounds, r, i, 8);
  wg__pg_copy(p->summary, sizeof p->summary, r, i, 9);
}

static wg_err plan_query(wg_store_t *s, const char *where, const char *text, int64_t id,
                         wg_plan_fn fn, void *ctx, wg_plan_t *one) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT id, county, status, created_at, actor, note, coalesce(based_on, 0), nlevels,"
           " bounds, summary FROM plan %s",
           where);
  wg_pgp q = {0};
  if (text)
    wg__pgp_text(&q, text);
  else
    wg__pgp_int(&q, id);
  wg_err e;
  PGresult *r = wg__pg_exec(s, sql, &q, &e);
  if (!e && !fn && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e && !fn) read_plan(r, 0, one);
  wg_plan_t p;
  for (int i = 0; !e && fn && i < PQntuples(r); i++) {
    read_plan(r, i, &p);
    if (fn(ctx, &p)) break;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_plan_get(wg_store_t *s, int64_t id, wg_plan_t *out) {
  return plan_query(s, "WHERE id = $1", NULL, id, NULL, NULL, out);
}

wg_err wg__pg_plan_active(wg_store_t *s, const char *county, wg_plan_t *out) {
  return plan_query(s, "WHERE county = $1 AND status = 2", county, 0, NULL, NULL, out);
}

wg_err wg__pg_plan_each(wg_store_t *s, const char *county, wg_plan_fn fn, void *ctx) {
  return plan_query(s, "WHERE county = $1 ORDER BY id", county, 0, fn, ctx, NULL);
}

wg_err wg__pg_plan_activate(wg_store_t *s, int64_t id) {
  wg_plan_t p;
  wg_err e = wg__pg_plan_get(s, id, &p);
  if (e) return e;
  if (p.status == WG_PLAN_RETIRED) return WG_ECONFLICT;
  if (p.status == WG_PLAN_ACTIVE) return WG_OK;
  if ((e = wg__pg_sub_begin(s))) return e;
  wg_pgp q = {0};
  wg__pgp_text(&q, p.county);
  e = wg__pg_exec_done(s, "UPDATE plan SET status = 3 WHERE county = $1 AND status = 2", &q);
  if (!e) {
    wg_pgp q2 = {0};
    wg__pgp_int(&q2, id);
    e = wg__pg_exec_done(s, "UPDATE plan SET status = 2 WHERE id = $1", &q2);
  }
  return wg__pg_sub_end(s, e);
}

wg_err wg__pg_grid_add(wg_store_t *s, wg_grid_t *g) {
  wg_pgp q = {0};
  wg__pgp_int(&q, g->plan_id);
  wg__pgp_text(&q, g->county);
  wg__pgp_text(&q, g->code);
  wg__pgp_int(&q, g->level);
  wg__pgp_text(&q, g->parent);
  wg__pgp_text(&q, g->community);
  wg__pgp_int(&q, g->households);
  wg__pgp_int(&q, g->units);
  wg__pgp_double(&q, g->area);
  wg__pgp_double(&q, g->polsby_popper);
  wg__pgp_double(&q, g->minx);
  wg__pgp_double(&q, g->miny);
  wg__pgp_double(&q, g->maxx);
  wg__pgp_double(&q, g->maxy);
  wg__pgp_blob(&q, g->geom, g->geom_len);
  return run_id(s, ST_GRID_ADD, &q, &g->id);
}

#define GRID_COLS                                                                           \
  "SELECT g.id, g.plan_id, g.county, g.code, g.level, g.parent, g.community, g.households," \
  " g.units, g.area, g.polsby_popper, coalesce(g.minx, 0), coalesce(g.miny, 0),"           \
  " coalesce(g.maxx, 0), coalesce(g.maxy, 0), ST_AsBinary(g.geom, 'NDR') FROM grid g"

static wg_err grid_walk(PGresult *r, wg_err e, wg_grid_fn fn, void *ctx) {
  wg_grid_t g;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&g, 0, sizeof g);
    g.id = wg__pg_i64(r, i, 0);
    g.plan_id = wg__pg_i64(r, i, 1);
    wg__pg_copy(g.county, sizeof g.county, r, i, 2);
    wg__pg_copy(g.code, sizeof g.code, r, i, 3);
    g.level = (int)wg__pg_i64(r, i, 4);
    wg__pg_copy(g.parent, sizeof g.parent, r, i, 5);
    wg__pg_copy(g.community, sizeof g.community, r, i, 6);
    g.households = (long)wg__pg_i64(r, i, 7);
    g.units = (int)wg__pg_i64(r, i, 8);
    g.area = wg__pg_double(r, i, 9);
    g.polsby_popper = wg__pg_double(r, i, 10);
    g.minx = wg__pg_double(r, i, 11);
    g.miny = wg__pg_double(r, i, 12);
    g.maxx = wg__pg_double(r, i, 13);
    g.maxy = wg__pg_double(r, i, 14);
    unsigned char *wkb = NULL;
    size_t len = 0;
    if (!PQgetisnull(r, i, 15)) {
      wkb = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 15), &len);
      if (!wkb) {
        e = WG_ENOMEM;
        break;
      }
    }
    g.geom = wkb;
    g.geom_len = len;
    int stop = fn(ctx, &g);
    PQfreemem(wkb);
    if (stop) break;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_grid_each(wg_store_t *s, int64_t plan_id, int level, wg_grid_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg__pgp_int(&q, level);
  wg_err e;
  PGresult *r = wg__pg_exec(
      s, GRID_COLS " WHERE g.plan_id = $1 AND ($2 = 0 OR g.level = $2) ORDER BY g.code", &q, &e);
  return grid_walk(r, e, fn, ctx);
}

wg_err wg__pg_grid_at(wg_store_t *s, int64_t plan_id, double lon, double lat, wg_grid_fn fn,
                      void *ctx) {
  /* PostGIS answers exactly (the GiST index finds the candidates, ST_Covers
   * decides), so the caller's exact test only confirms. */
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg__pgp_double(&q, lon);
  wg__pgp_double(&q, lat);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            GRID_COLS " WHERE g.plan_id = $1 AND ST_Covers(g.geom,"
                                      " ST_SetSRID(ST_MakePoint($2, $3), 4326))"
                                      " ORDER BY g.level, g.code",
                            &q, &e);
  return grid_walk(r, e, fn, ctx);
}

wg_err wg__pg_assignment_add(wg_store_t *s, int64_t plan_id, const wg_assignment_t *a) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg__pgp_int(&q, a->entrance_id);
  wg__pgp_int(&q, a->piece);
  wg__pgp_int(&q, a->households);
  wg__pgp_text(&q, a->code[0]);
  wg__pgp_text(&q, a->code[1]);
  wg__pgp_text(&q, a->code[2]);
  return run_done(s, ST_ASSIGN_ADD, &q);
}

wg_err wg__pg_assignment_each(wg_store_t *s, int64_t plan_id, wg_assignment_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT entrance_id, piece, households, l1, l2, l3 FROM"
                            " grid_assignment WHERE plan_id = $1 ORDER BY entrance_id, piece",
                            &q, &e);
  wg_assignment_t a;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&a, 0, sizeof a);
    a.entrance_id = wg__pg_i64(r, i, 0);
    a.piece = (int)wg__pg_i64(r, i, 1);
    a.households = (long)wg__pg_i64(r, i, 2);
    for (int k = 0; k < 3; k++) wg__pg_copy(a.code[k], sizeof a.code[k], r, i, 3 + k);
    if (fn(ctx, &a)) break;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_violation_add(wg_store_t *s, int64_t plan_id, const wg_plan_violation_t *v) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg__pgp_text(&q, v->kind);
  wg__pgp_int(&q, v->level);
  wg__pgp_text(&q, v->code);
  wg__pgp_int(&q, v->forced);
  wg__pgp_int(&q, v->households);
  wg__pgp_text(&q, v->reason);
  return run_done(s, ST_VIOLATION_ADD, &q);
}

wg_err wg__pg_violation_each(wg_store_t *s, int64_t plan_id, wg_violation_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_int(&q, plan_id);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT kind, level, code, forced, households, reason FROM"
                            " plan_violation WHERE plan_id = $1 ORDER BY forced, level, code",
                            &q, &e);
  wg_plan_violation_t v;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&v, 0, sizeof v);
    wg__pg_copy(v.kind, sizeof v.kind, r, i, 0);
    v.level = (int)wg__pg_i64(r, i, 1);
    wg__pg_copy(v.code, sizeof v.code, r, i, 2);
    v.forced = (int)wg__pg_i64(r, i, 3);
    v.households = (long)wg__pg_i64(r, i, 4);
    wg__pg_copy(v.reason, sizeof v.reason, r, i, 5);
    if (fn(ctx, &v)) break;
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_grid_number_each(wg_store_t *s, const char *county, wg_number_fn fn, void *ctx) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg_err e;
  PGresult *r = wg__pg_exec(
      s, "SELECT parent, max_number FROM grid_number WHERE county = $1 ORDER BY parent", &q, &e);
  for (int i = 0; !e && i < PQntuples(r); i++)
    if (fn(ctx, wg__pg_col(r, i, 0), (int)wg__pg_i64(r, i, 1))) break;
  PQclear(r);
  return e;
}

wg_err wg__pg_grid_number_used(wg_store_t *s, const char *parent, int *max_number) {
  wg_pgp q = {0};
  wg__pgp_text(&q, parent);
  wg_err e;
  PGresult *r = run(s, ST_NUMBER_GET, &q, &e);
  *max_number = !e && PQntuples(r) ? (int)wg__pg_i64(r, 0, 0) : 0;
  PQclear(r);
  return e;
}

wg_err wg__pg_grid_number_use(wg_store_t *s, const char *parent, int number) {
  wg_pgp q = {0};
  wg__pgp_text(&q, parent);
  wg__pgp_int(&q, number);
  return run_done(s, ST_NUMBER_USE, &q);
}

/* ---- audit ------------------------------------------------------------------------- */

wg_err wg__pg_audit_add(wg_store_t *s, const wg_audit_t *a) {
  char at[32];
  wg__now_iso(at);
  wg_pgp q = {0};
  wg__pgp_text(&q, at);
  wg__pgp_text(&q, a->actor);
  wg__pgp_text(&q, a->action);
  wg__pgp_text(&q, a->target);
  wg__pgp_text(&q, a->reason);
  wg__pgp_text(&q, a->origin);
  return run_done(s, ST_AUDIT_ADD, &q);
}

/* ---- the per-request probe ---------------------------------------------------------- */

wg_err wg__pg_probe_versions(wg_store_t *s, const char *county, int64_t *active_plan,
                             int64_t *ledger_version, int64_t *audit_version) {
  wg_pgp q = {0};
  wg__pgp_text(&q, county);
  wg_err e;
  PGresult *r = run(s, ST_PROBE, &q, &e);
  if (!e) {
    *active_plan = wg__pg_i64(r, 0, 0);
    *ledger_version = wg__pg_i64(r, 0, 1);
    if (audit_version) *audit_version = wg__pg_i64(r, 0, 2);
  }
  PQclear(r);
  return e;
}
