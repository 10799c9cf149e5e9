/* store_sqlite.c — the embedded SQLite backend of store.h.
 *
 * One connection per wg_store_t, WAL journal, synchronous=FULL, foreign keys
 * on. Statements are prepared once per connection and cached by id. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ledger/validate.h"
#include "store/store_int.h"
#include "store/store_pg.h"

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
  ST_DWELLING_GET,
  ST_DWELLING_ADD,
  ST_DWELLING_LABEL,
  ST_HOUSEHOLD_NUMBER,
  ST_DWELLING_ID,
  ST_HOUSEHOLD_ID,
  ST_GRID_ADD,
  ST_GRID_RTREE,
  ST_ASSIGN_ADD,
  ST_NUMBER_GET,
  ST_NUMBER_USE,
  ST_VIOLATION_ADD,
  ST_ENTRANCE_NEW,
  ST_DWELLING_NEW,
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
  ST_COUNT_
};

static const char *const stmt_sql[ST_COUNT_] = {
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_DIV_PUT] = "INSERT INTO division(code, parent, name, level, kind, lon, lat)"
                   " VALUES (?1, NULLIF(?2, ''), ?3, ?4, ?5, ?6, ?7)"
                   " ON CONFLICT(code) DO UPDATE SET parent = excluded.parent,"
                   " name = excluded.name, level = excluded.level,"
                   " kind = excluded.kind, lon = excluded.lon, lat = excluded.lat",
    [ST_DIV_GET] = "SELECT code, ifnull(parent, ''), name, level, kind, lon, lat"
                   " FROM division WHERE code = ?1",
    [ST_DIV_FIND] = "SELECT code, ifnull(parent, ''), name, level, kind, lon, lat"
                    " FROM division WHERE name = ?2 AND substr(code, 1, length(?1)) = ?1"
                    " ORDER BY code LIMIT 2",
    [ST_ESTATE_GET] = "SELECT id FROM estate WHERE community = ?1 AND name = ?2",
    [ST_ESTATE_ADD] = "INSERT INTO estate(county, community, name)"
                      " VALUES (substr(?1, 1, 6), ?1, ?2)",
    [ST_BUILDING_GET] = "SELECT id FROM building WHERE estate_id = ?1 AND name = ?2",
    [ST_BUILDING_ADD] = "INSERT INTO building(county, community, estate_id, name,"
                        " floors, lon, lat) VALUES (substr(?1, 1, 6), ?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_ENTRANCE_GET] = "SELECT id FROM entrance WHERE building_id = ?1 AND name = ?2",
    [ST_ENTRANCE_ADD] = "INSERT INTO entrance(county, building_id, name)"
                        " SELECT county, id, ?2 FROM building WHERE id = ?1",
    [ST_DWELLING_GET] = "SELECT id FROM dwelling WHERE entrance_id = ?1 AND room = ?2",
    [ST_DWELLING_ADD] = "INSERT INTO dwelling(county, entrance_id, floor, room)"
                        " SELECT county, id, ?2, ?3 FROM entrance WHERE id = ?1",
    [ST_ENTRANCE_NEW] = "INSERT INTO entrance(county, building_id, name) VALUES (?3, ?1, ?2)",
    [ST_DWELLING_NEW] = "INSERT INTO dwelling(county, entrance_id, floor, room)"
                        " VALUES (?4, ?1, ?2, ?3)",
    [ST_HOUSEHOLD_NUMBER] = "SELECT number FROM household WHERE id = ?1",
    [ST_GRID_ADD] = "INSERT INTO grid(plan_id, county, code, level, parent, community,"
                    " households, units, area, polsby_popper, minx, miny, maxx, maxy, geom)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [ST_GRID_RTREE] = "INSERT INTO grid_rtree(id, minx, maxx, miny, maxy) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_ASSIGN_ADD] = "INSERT INTO grid_assignment(plan_id, entrance_id, piece, county,"
                      " households, l1, l2, l3) SELECT ?1, ?2, ?3, county, ?4, ?5, ?6, ?7"
                      " FROM entrance WHERE id = ?2",
    [ST_NUMBER_GET] = "SELECT max_number FROM grid_number WHERE county = substr(?1, 1, 6)"
                      " AND parent = ?1",
    [ST_NUMBER_USE] = "INSERT INTO grid_number(county, parent, max_number)"
                      " VALUES (substr(?1, 1, 6), ?1, ?2) ON CONFLICT(county, parent) DO UPDATE"
                      " SET max_number = max(max_number, excluded.max_number)",
    [ST_VIOLATION_ADD] = "INSERT INTO plan_violation(plan_id, county, kind, level, code, forced,"
                         " households, reason) SELECT ?1, county, ?2, ?3, ?4, ?5, ?6, ?7 FROM"
                         " plan WHERE id = ?1",
    [ST_DWELLING_ID] = "INSERT INTO dwelling(id, county, entrance_id, floor, room)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_HOUSEHOLD_ID] = "INSERT INTO household(id, county, number, dwelling_id)"
                        " VALUES (?1, ?2, ?3, NULLIF(?4, 0))",
    [ST_DWELLING_LABEL] =
        "SELECT dv.name, es.name, b.name, en.name, d.room, dv.code, d.floor FROM dwelling d"
        " JOIN entrance en ON en.id = d.entrance_id"
        " JOIN building b ON b.id = en.building_id"
        " JOIN estate es ON es.id = b.estate_id"
        " JOIN division dv ON dv.code = b.community WHERE d.id = ?1",
    [ST_EVENT_ADD] = "INSERT INTO event(county, kind, resident_id, effective,"
                     " recorded_at, actor, reason, detail)"
                     " VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6, ?7, ?8)",
    [ST_EVENT_GET] = "SELECT id, county, kind, ifnull(resident_id, 0), effective,"
                     " recorded_at, actor, reason, detail FROM event WHERE id = ?1",
    [ST_HOUSEHOLD_GET] = "SELECT id FROM household WHERE county = ?1 AND number = ?2",
    [ST_HOUSEHOLD_ADD] = "INSERT INTO household(county, number, dwelling_id)"
                         " VALUES (?1, ?2, NULLIF(?3, 0))",
    [ST_RES_INSERT] =
        "INSERT INTO resident(county, id_number, name, sex, birth, phone, relation,"
        " residence, status, household_id, dwelling_id, tags, since, event_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULLIF(?10, 0), NULLIF(?11, 0),"
        " ?12, ?13, ?14)",
    [ST_RES_UPDATE] =
        "UPDATE resident SET county = ?1, id_number = ?2, name = ?3, sex = ?4,"
        " birth = ?5, phone = ?6, relation = ?7, residence = ?8, status = ?9,"
        " household_id = NULLIF(?10, 0), dwelling_id = NULLIF(?11, 0), tags = ?12,"
        " since = ?13, event_id = ?14 WHERE id = ?15",
    [ST_RES_GET] = "SELECT id, county, id_number, name, sex, birth, phone, relation,"
                   " residence, status, ifnull(household_id, 0), ifnull(dwelling_id, 0),"
                   " tags, since, event_id FROM resident WHERE id = ?1",
    [ST_RES_FIND] = "SELECT id, county, id_number, name, sex, birth, phone, relation,"
                    " residence, status, ifnull(household_id, 0), ifnull(dwelling_id, 0),"
                    " tags, since, event_id FROM resident WHERE id_number = ?1",
    [ST_RES_HISTORY] =
        "SELECT resident_id, county, id_number, name, sex, birth, phone, relation,"
        " residence, status, ifnull(household_id, 0), ifnull(dwelling_id, 0), tags,"
        " valid_from, event_id, valid_to FROM resident_history WHERE resident_id = ?1"
        " UNION ALL "
        "SELECT id, county, id_number, name, sex, birth, phone, relation,"
        " residence, status, ifnull(household_id, 0), ifnull(dwelling_id, 0), tags,"
        " since, event_id, '' FROM resident WHERE id = ?1"
        " ORDER BY 14, 15",
    [ST_TAG_PUT] = "INSERT INTO tag(code, name_zh, name_en) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT(code) DO UPDATE SET name_zh = excluded.name_zh,"
                   " name_en = excluded.name_en",
    [ST_TAG_RESOLVE] = "SELECT code FROM tag WHERE code = ?1 OR name_zh = ?1"
                       " OR lower(name_en) = lower(?1) LIMIT 1",
    [ST_AUDIT_ADD] = "INSERT INTO audit(at, actor, action, target, reason, origin)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

enum batch_id { B_RESIDENT, B_DWELLING, B_HOUSEHOLD, B_COUNT_ };

struct wg_store {
  sqlite3 *db;      /* on a PostgreSQL store: an empty one refusing everything */
  struct wg_pg *pg; /* the PostgreSQL connection, or NULL for SQLite */
  sqlite3_stmt *batch[B_COUNT_]; /* WG_STORE_BATCH-row inserts, prepared on first use */
  char batch_dates[WG_STORE_BATCH][2][11];
  char batch_sex[WG_STORE_BATCH][2];
  sqlite3_stmt *stmts[ST_COUNT_];
  int in_tx;
  int bulk;      /* in a bulk transaction: foreign keys off until it ends */
  int deferred;  /* resident indexes dropped until the commit */
  int left_wal;  /* bulk load switched to a rollback journal; WAL again after */
  int version;
  char dates[16][11]; /* bind_date slots */
  char sex[2];        /* bind slot for resident.sex */
  struct {            /* statements of the other backend files (wg__store_cached) */
    const char *sql;
    sqlite3_stmt *st;
  } ext[WG__STORE_CACHED_MAX];
};

/* ---- helpers ------------------------------------------------------------ */

int32_t wg__date_parse(const char *t) {
  if (!t || strlen(t) != 10 || t[4] != '-' || t[7] != '-') return 0;
  int32_t v = 0;
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) continue;
    if (t[i] < '0' || t[i] > '9') return 0;
    v = v * 10 + (t[i] - '0');
  }
  return v;
}

void wg__now_iso(char out[32]) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void wg__copy_text(char *dst, size_t cap, const unsigned char *src) {
  snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

/* Maps a SQLite result code to wg_err. */
static wg_err map_rc(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return WG_OK;
    case SQLITE_NOMEM:
      return WG_ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return WG_EBUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return WG_ECORRUPT;
    case SQLITE_CONSTRAINT:
      return WG_ECONFLICT;
    case SQLITE_AUTH: /* a SQLite-only function on a PostgreSQL store */
      return WG_ENOTSUP;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return WG_EIO;
    default:
      return WG_EDB;
  }
}

/* Returns the cached prepared statement, reset and unbound. NULL on error. */
static sqlite3_stmt *stmt(wg_store_t *s, enum stmt_id id) {
  sqlite3_stmt *st = s->stmts[id];
  if (!st) {
    if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &st, NULL) != SQLITE_OK)
      return NULL;
    s->stmts[id] = st;
  } else {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  return st;
}

sqlite3_stmt *wg__store_cached(wg_store_t *s, const char *sql) {
  int i = 0;
  for (; i < WG__STORE_CACHED_MAX && s->ext[i].sql; i++)
    if (s->ext[i].sql == sql) {
      sqlite3_reset(s->ext[i].st);
      sqlite3_clear_bindings(s->ext[i].st);
      return s->ext[i].st;
    }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return NULL;
  }
  if (i < WG__STORE_CACHED_MAX) {
    s->ext[i].sql = sql;
    s->ext[i].st = st;
  }
  /* past the cap the statement is not kept: the caller's reset then leaks
   * it until close_v2, so the cap is sized for every caller */
  return st;
}

/* Runs a statement expecting no row; returns wg_err. */
static wg_err step_done(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  wg_err e = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? WG_OK : map_rc(rc);
  sqlite3_reset(st);
  return e;
}

void wg__bind_text(sqlite3_stmt *st, int i, const char *v) {
  sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* Dates are bound from per-connection slots that outlive the step (so
 * SQLite need not copy them); slot i serves parameter i. */
static void bind_date(wg_store_t *s, sqlite3_stmt *st, int i, int32_t ymd) {
  char *buf = s->dates[i & 15];
  wg_date_format(ymd, buf);
  sqlite3_bind_text(st, i, buf, -1, SQLITE_STATIC);
}

static wg_err exec(wg_store_t *s, const char *sql) {
  return map_rc(sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

/* ---- open / migrate ---------------------------------------------------- */

static int pragma_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int(st, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

static wg_err migrate(wg_store_t *s, int from, int upto, wg_errinfo *ei) {
  if (from >= upto) return WG_OK;
  if (exec(s, "BEGIN IMMEDIATE") != WG_OK)
    return wg_errinfo_set(ei, WG_EBUSY, "cannot lock the database to migrate it: %s",
                          sqlite3_errmsg(s->db));
  for (int v = from + 1; v <= upto; v++) {
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, wg__sqlite_migrations[v], NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
      wg_errinfo_set(ei, map_rc(rc), "migration to schema version %d failed: %s", v,
                     msg ? msg : sqlite3_errstr(rc));
      sqlite3_free(msg);
      exec(s, "ROLLBACK");
      return map_rc(rc) == WG_OK ? WG_EDB : map_rc(rc);
    }
  }
  char sql[96];
  snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", upto,
           WG_SQLITE_APP_ID);
  if (exec(s, sql) != WG_OK || exec(s, "COMMIT") != WG_OK) {
    wg_errinfo_set(ei, WG_EDB, "cannot record schema version: %s", sqlite3_errmsg(s->db));
    exec(s, "ROLLBACK");
    return WG_EDB;
  }
  return WG_OK;
}

/* Refuses every statement: a SQLite-only function on a PostgreSQL store
 * fails with SQLITE_AUTH (→ WG_ENOTSUP) instead of touching anything. */
static int refuse_all(void *ctx, int action, const char *a, const char *b, const char *c,
                      const char *d) {
  (void)ctx, (void)action, (void)a, (void)b, (void)c, (void)d;
  return SQLITE_DENY;
}

static wg_err open_pg(const char *uri, unsigned flags, int upto, wg_store_t **out,
                      wg_errinfo *ei) {
  wg_store_t *s = calloc(1, sizeof *s);
  if (!s) return WG_ENOMEM;
  if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    wg_store_close(s);
    return WG_ENOMEM;
  }
  sqlite3_set_authorizer(s->db, refuse_all, NULL);
  wg_err e = wg__pg_connect(uri, flags, upto, &s->pg, &s->version, ei);
  if (e) {
    wg_store_close(s);
    return e;
  }
  *out = s;
  return WG_OK;
}

wg_err wg__store_open_upto(const char *uri, unsigned flags, int upto, wg_store_t **out,
                           wg_errinfo *ei) {
  *out = NULL;
  if (!uri || !*uri) return wg_errinfo_set(ei, WG_EINVAL, "no database path given");
  if (strncmp(uri, "postgres://", 11) == 0 || strncmp(uri, "postgresql://", 13) == 0)
    return open_pg(uri, flags, upto, out, ei);
  const char *path = strncmp(uri, "sqlite:", 7) == 0 ? uri + 7 : uri;
  if (ei) snprintf(ei->file, sizeof ei->file, "%s", path);

  struct stat sb;
  int exists = stat(path, &sb) == 0;
  if (!exists && !(flags & WG_STORE_CREATE))
    return wg_errinfo_set(ei, WG_ENOTFOUND,
                          "no database here (run `wangge init` or `wangge demo` first)");
  if (exists && S_ISDIR(sb.st_mode))
    return wg_errinfo_set(ei, WG_EINVAL, "is a directory, not a database file");

  wg_store_t *s = calloc(1, sizeof *s);
  if (!s) return WG_ENOMEM;
  int oflags = (flags & WG_STORE_READONLY) ? SQLITE_OPEN_READONLY
                                           : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    wg_errinfo_set(ei, WG_EIO, "cannot open: %s", s->db ? sqlite3_errmsg(s->db) : "no memory");
    wg_store_close(s);
    return WG_EIO;
  }
  sqlite3_extended_result_codes(s->db, 1);
  sqlite3_busy_timeout(s->db, 5000);

  int version = 0, app_id = 0, tables = 0;
  rc = pragma_int(s->db, "PRAGMA user_version", &version);
  if (rc == SQLITE_OK) rc = pragma_int(s->db, "PRAGMA application_id", &app_id);
  if (rc == SQLITE_OK)
    rc = pragma_int(s->db, "SELECT count(*) FROM sqlite_master", &tables);
  if (rc != SQLITE_OK) {
    wg_err e = map_rc(rc);
    wg_errinfo_set(ei, e == WG_ECORRUPT ? WG_ECORRUPT : e, "%s",
                   e == WG_ECORRUPT ? "not a wangge database, or it is damaged "
                                      "(the file is not a readable SQLite database)"
                                    : sqlite3_errmsg(s->db));
    wg_store_close(s);
    return e == WG_OK ? WG_EDB : e;
  }
  if (app_id != WG_SQLITE_APP_ID && (tables > 0 || version > 0)) {
    wg_errinfo_set(ei, WG_ECORRUPT,
                   "a SQLite database, but not a wangge one (application id %d); refusing "
                   "to touch it", app_id);
    wg_store_close(s);
    return WG_ECORRUPT;
  }
  if (version > WG_SCHEMA_VERSION) {
    wg_errinfo_set(ei, WG_ESCHEMA,
                   "database schema version %d is newer than this wangge understands (%d); "
                   "upgrade wangge", version, WG_SCHEMA_VERSION);
    wg_store_close(s);
    return WG_ESCHEMA;
  }

  if (!(flags & WG_STORE_READONLY)) {
    /* WAL for concurrent readers; FULL so an acknowledged commit survives a
     * power cut. */
    if (exec(s, "PRAGMA journal_mode = WAL") != WG_OK ||
        exec(s, "PRAGMA synchronous = FULL") != WG_OK) {
      wg_errinfo_set(ei, WG_EIO, "cannot set journal mode: %s", sqlite3_errmsg(s->db));
      wg_store_close(s);
      return WG_EIO;
    }
  }
  (void)exec(s, "PRAGMA foreign_keys = ON");
  (void)exec(s, "PRAGMA cache_size = -65536");
  /* Index builds (after a bulk load) sort on a helper thread too. */
  (void)exec(s, "PRAGMA threads = 2");

  if (version < upto) {
    if (flags & WG_STORE_READONLY) {
      wg_errinfo_set(ei, WG_ESCHEMA,
                     "database schema version %d needs migrating to %d; open it writable once",
                     version, upto);
      wg_store_close(s);
      return WG_ESCHEMA;
    }
    wg_err e = migrate(s, version, upto, ei);
    if (e != WG_OK) {
      wg_store_close(s);
      return e;
    }
    version = upto;
  }
  s->version = version;
  *out = s;
  return WG_OK;
}

wg_err wg_store_open(const char *uri, unsigned flags, wg_store_t **out, wg_errinfo *ei) {
  return wg__store_open_upto(uri, flags, WG_SCHEMA_VERSION, out, ei);
}

void wg_store_close(wg_store_t *s) {
  if (!s) return;
  wg__pg_free(s->pg);
  for (int i = 0; i < ST_COUNT_; i++) sqlite3_finalize(s->stmts[i]);
  for (int i = 0; i < B_COUNT_; i++) sqlite3_finalize(s->batch[i]);
  for (int i = 0; i < WG__STORE_CACHED_MAX; i++) sqlite3_finalize(s->ext[i].st);
  if (s->db) sqlite3_close_v2(s->db);
  free(s);
}

int wg_store_schema_version(wg_store_t *s) { return s->version; }

struct sqlite3 *wg__store_db(wg_store_t *s) { return s->db; }

struct wg_pg *wg__store_pg(wg_store_t *s) { return s->pg; }

wg_err wg__store_rc(int rc) { return map_rc(rc); }

sqlite3_stmt *wg__sqlite_prepare(wg_store_t *s, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(wg__store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

wg_err wg__sqlite_step_rc(int rc) {
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return WG_OK;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return WG_EEXIST;
  wg_err e = wg__store_rc(rc);
  return e == WG_OK ? WG_EDB : e;
}

wg_err wg__sqlite_run_done(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}

const char *wg_store_errmsg(wg_store_t *s) {
  if (s->pg)
    return sqlite3_errcode(s->db) == SQLITE_AUTH
               ? "this function is not available on PostgreSQL yet (SQLite only)"
               : wg__pg_errmsg(s->pg);
  return sqlite3_errmsg(s->db);
}

wg_err wg_store_integrity(wg_store_t *s, char *msg, size_t cap) {
  WG__ON_PG(s, wg__pg_integrity(s, msg, cap));
  static const char *const checks[] = {"PRAGMA integrity_check(5)", "PRAGMA foreign_key_check"};
  snprintf(msg, cap, "ok");
  for (size_t i = 0; i < 2; i++) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, checks[i], -1, &st, NULL);
    if (rc != SQLITE_OK) {
      snprintf(msg, cap, "%s", sqlite3_errmsg(s->db));
      return map_rc(rc) == WG_OK ? WG_EDB : map_rc(rc);
    }
    size_t n = 0;
    int bad = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const char *text = (const char *)sqlite3_column_text(st, 0);
      if (i == 0 && text && strcmp(text, "ok") == 0) continue;
      if (!bad) n = 0;
      bad = 1;
      int w = snprintf(msg + n, n < cap ? cap - n : 0, "%s%s", n ? "; " : "",
                       i == 0 ? (text ? text : "?") : "foreign key violation in table ");
      if (w > 0) n += (size_t)w;
      if (i == 1 && n < cap) {
        w = snprintf(msg + n, cap - n, "%s", text ? text : "?");
        if (w > 0) n += (size_t)w;
      }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      snprintf(msg, cap, "%s", sqlite3_errstr(rc));
      return WG_ECORRUPT;
    }
    if (bad) return WG_ECORRUPT;
  }
  return WG_OK;
}

wg_err wg_store_begin(wg_store_t *s) {
  WG__ON_PG(s, wg__pg_begin(s));
  if (s->in_tx) return WG_ECONFLICT;
  wg_err e = exec(s, "BEGIN IMMEDIATE");
  if (e == WG_OK) s->in_tx = 1;
  return e;
}

static void end_bulk(wg_store_t *s);

wg_err wg_store_begin_bulk(wg_store_t *s) {
  WG__ON_PG(s, wg__pg_begin_bulk(s));
  if (s->in_tx) return WG_ECONFLICT;
  /* foreign_keys can only change outside a transaction. */
  (void)exec(s, "PRAGMA foreign_keys = OFF");
  /* A bulk load writes every page once into a rollback journal database
   * instead of twice (WAL, then checkpoint). Leaving WAL needs exclusive
   * access: when another connection has the file open this fails and the
   * load simply runs in WAL mode. Atomicity and durability are the same. */
  s->left_wal = 0;
  sqlite3_stmt *jm;
  if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = DELETE", -1, &jm, NULL) == SQLITE_OK) {
    if (sqlite3_step(jm) == SQLITE_ROW &&
        strcmp((const char *)sqlite3_column_text(jm, 0), "delete") == 0)
      s->left_wal = 1;
    sqlite3_finalize(jm);
  }
  wg_err e = wg_store_begin(s);
  s->bulk = 1;
  if (e != WG_OK) end_bulk(s);
  return e;
}

/* The indexes of the people tables, as migration 1 created them; dropped for
 * a bulk load into empty tables and rebuilt (sorted, much faster) at commit. */
static const char bulk_indexes[] =
    "CREATE UNIQUE INDEX resident_id_number ON resident(id_number);"
    "CREATE INDEX resident_household ON resident(household_id);"
    "CREATE INDEX resident_dwelling ON resident(dwelling_id);"
    "CREATE UNIQUE INDEX dwelling_room ON dwelling(entrance_id, room);"
    "CREATE UNIQUE INDEX household_number ON household(county, number);";

wg_err wg_store_bulk_defer_indexes(wg_store_t *s) {
  WG__ON_PG(s, wg__pg_bulk_defer_indexes(s));
  if (!s->in_tx || !s->bulk || s->deferred) return WG_ECONFLICT;
  int has = 0;
  if (pragma_int(s->db,
                 "SELECT EXISTS (SELECT 1 FROM resident) OR EXISTS (SELECT 1 FROM dwelling)"
                 " OR EXISTS (SELECT 1 FROM household)",
                 &has) != SQLITE_OK)
    return WG_EDB;
  if (has) return WG_ECONFLICT;
  /* Cached statements may refer to the indexes: drop them first. */
  for (int i = 0; i < ST_COUNT_; i++) {
    sqlite3_finalize(s->stmts[i]);
    s->stmts[i] = NULL;
  }
  for (int i = 0; i < B_COUNT_; i++) {
    sqlite3_finalize(s->batch[i]);
    s->batch[i] = NULL;
  }
  wg_err e = exec(s, "DROP INDEX resident_id_number; DROP INDEX resident_household;"
                     " DROP INDEX resident_dwelling; DROP INDEX dwelling_room;"
                     " DROP INDEX household_number;");
  if (e == WG_OK) s->deferred = 1;
  return e;
}

static void end_bulk(wg_store_t *s) {
  if (!s->bulk) return;
  (void)exec(s, "PRAGMA foreign_keys = ON");
  if (s->left_wal) (void)exec(s, "PRAGMA journal_mode = WAL");
  s->left_wal = 0;
  s->bulk = 0;
}

wg_err wg_store_commit(wg_store_t *s) {
  WG__ON_PG(s, wg__pg_commit(s));
  if (!s->in_tx) return WG_ECONFLICT;
  if (s->deferred) {
    int rc = sqlite3_exec(s->db, bulk_indexes, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
      return (rc & 0xff) == SQLITE_CONSTRAINT ? WG_EEXIST : map_rc(rc);
    s->deferred = 0;
  }
  wg_err e = exec(s, "COMMIT");
  if (e == WG_OK) {
    s->in_tx = 0;
    end_bulk(s);
  }
  return e;
}

void wg_store_rollback(wg_store_t *s) {
  if (s && s->pg) {
    wg__pg_rollback(s);
    return;
  }
  if (!s || !s->in_tx) return;
  (void)exec(s, "ROLLBACK");
  s->in_tx = 0;
  s->deferred = 0; /* the DROP INDEX was rolled back too */
  end_bulk(s);
}

/* ---- meta ----------------------------------------------------------------- */

wg_err wg_store_meta_get(wg_store_t *s, const char *key, char **out) {
  WG__ON_PG(s, wg__pg_meta_get(s, key, out));
  *out = NULL;
  sqlite3_stmt *st = stmt(s, ST_META_GET);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, key);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
  }
  *out = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_reset(st);
  return *out ? WG_OK : WG_ENOMEM;
}

wg_err wg_store_meta_set(wg_store_t *s, const char *key, const char *value) {
  WG__ON_PG(s, wg__pg_meta_set(s, key, value));
  sqlite3_stmt *st = stmt(s, ST_META_SET);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, key);
  wg__bind_text(st, 2, value);
  return step_done(st);
}

/* ---- divisions ------------------------------------------------------------ */

wg_err wg_store_division_put(wg_store_t *s, const wg_division_t *d) {
  WG__ON_PG(s, wg__pg_division_put(s, d));
  sqlite3_stmt *st = stmt(s, ST_DIV_PUT);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, d->code);
  wg__bind_text(st, 2, d->parent);
  wg__bind_text(st, 3, d->name);
  sqlite3_bind_int(st, 4, (int)d->level);
  sqlite3_bind_int(st, 5, (int)d->kind);
  sqlite3_bind_double(st, 6, d->lon);
  sqlite3_bind_double(st, 7, d->lat);
  return step_done(st);
}

static void read_division(sqlite3_stmt *st, wg_division_t *d) {
  memset(d, 0, sizeof *d);
  wg__copy_text(d->code, sizeof d->code, sqlite3_column_text(st, 0));
  wg__copy_text(d->parent, sizeof d->parent, sqlite3_column_text(st, 1));
  wg__copy_text(d->name, sizeof d->name, sqlite3_column_text(st, 2));
  d->level = (wg_division_level)sqlite3_column_int(st, 3);
  d->kind = (wg_area_kind)sqlite3_column_int(st, 4);
  d->lon = sqlite3_column_double(st, 5);
  d->lat = sqlite3_column_double(st, 6);
}

wg_err wg_store_division_get(wg_store_t *s, const char *code, wg_division_t *out) {
  WG__ON_PG(s, wg__pg_division_get(s, code, out));
  sqlite3_stmt *st = stmt(s, ST_DIV_GET);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, code);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_division(st, out);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
}

wg_err wg_store_division_find(wg_store_t *s, const char *within, const char *name,
                              wg_division_t *out) {
  WG__ON_PG(s, wg__pg_division_find(s, within, name, out));
  sqlite3_stmt *st = stmt(s, ST_DIV_FIND);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, within);
  wg__bind_text(st, 2, name);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
  }
  read_division(st, out);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_ECONFLICT : WG_OK;
}

wg_err wg_store_division_each(wg_store_t *s, const char *prefix, int level,
                              wg_division_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_division_each(s, prefix, level, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(
      s->db,
      "SELECT code, ifnull(parent, ''), name, level, kind, lon, lat FROM division"
      " WHERE substr(code, 1, length(?1)) = ?1 AND (?2 = 0 OR level = ?2) ORDER BY code",
      -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  wg__bind_text(st, 1, prefix);
  sqlite3_bind_int(st, 2, level);
  wg_division_t d;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_division(st, &d);
    if (fn(ctx, &d)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_division_count(wg_store_t *s, const char *prefix, int level, long *out) {
  WG__ON_PG(s, wg__pg_division_count(s, prefix, level, out));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "SELECT count(*) FROM division WHERE substr(code, 1, "
                              "length(?1)) = ?1 AND (?2 = 0 OR level = ?2)",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  wg__bind_text(st, 1, prefix);
  sqlite3_bind_int(st, 2, level);
  rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? WG_OK : map_rc(rc);
}

/* ---- standard addresses -------------------------------------------------- */

/* Runs an INSERT bound by the caller and returns the new rowid. */
static wg_err add_only(wg_store_t *s, sqlite3_stmt *add, int64_t *id) {
  int rc = sqlite3_step(add);
  sqlite3_reset(add);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return WG_ECONFLICT;
  if (rc != SQLITE_DONE) return map_rc(rc);
  if (sqlite3_changes(s->db) != 1) return WG_ENOTFOUND; /* parent missing */
  *id = sqlite3_last_insert_rowid(s->db);
  return WG_OK;
}

/* Looks up an id with `get` (bound by bind_get); if absent runs `add`
 * (bound by bind_add) and returns the new rowid. */
static wg_err get_or_add(wg_store_t *s, sqlite3_stmt *get, sqlite3_stmt *add, int64_t *id) {
  int rc = sqlite3_step(get);
  if (rc == SQLITE_ROW) {
    *id = sqlite3_column_int64(get, 0);
    sqlite3_reset(get);
    return WG_OK;
  }
  sqlite3_reset(get);
  if (rc != SQLITE_DONE) return map_rc(rc);
  rc = sqlite3_step(add);
  sqlite3_reset(add);
  if (rc != SQLITE_DONE) return map_rc(rc);
  if (sqlite3_changes(s->db) != 1) return WG_ENOTFOUND; /* parent missing */
  *id = sqlite3_last_insert_rowid(s->db);
  return WG_OK;
}

wg_err wg_store_estate_ensure(wg_store_t *s, const char *community, const char *name,
                              int64_t *id) {
  WG__ON_PG(s, wg__pg_estate_ensure(s, community, name, id));
  sqlite3_stmt *get = stmt(s, ST_ESTATE_GET), *add = stmt(s, ST_ESTATE_ADD);
  if (!get || !add) return WG_EDB;
  wg__bind_text(get, 1, community);
  wg__bind_text(get, 2, name);
  wg__bind_text(add, 1, community);
  wg__bind_text(add, 2, name);
  return get_or_add(s, get, add, id);
}

wg_err wg_store_building_ensure(wg_store_t *s, wg_building_t *b) {
  WG__ON_PG(s, wg__pg_building_ensure(s, b));
  sqlite3_stmt *get = stmt(s, ST_BUILDING_GET), *add = stmt(s, ST_BUILDING_ADD);
  if (!get || !add) return WG_EDB;
  sqlite3_bind_int64(get, 1, b->estate_id);
  wg__bind_text(get, 2, b->name);
  wg__bind_text(add, 1, b->community);
  sqlite3_bind_int64(add, 2, b->estate_id);
  wg__bind_text(add, 3, b->name);
  sqlite3_bind_int(add, 4, b->floors);
  sqlite3_bind_double(add, 5, b->lon);
  sqlite3_bind_double(add, 6, b->lat);
  snprintf(b->county, sizeof b->county, "%.6s", b->community);
  return get_or_add(s, get, add, &b->id);
}

wg_err wg_store_building_place(wg_store_t *s, int64_t building_id, double lon, double lat,
                               int floors, const unsigned char *footprint, size_t footprint_len) {
  WG__ON_PG(s, wg__pg_building_place(s, building_id, lon, lat, floors, footprint, footprint_len));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "UPDATE building SET lon = ?2, lat = ?3,"
                              " floors = CASE WHEN ?4 > 0 THEN ?4 ELSE floors END,"
                              " footprint = ifnull(?5, footprint) WHERE id = ?1",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  sqlite3_bind_int64(st, 1, building_id);
  sqlite3_bind_double(st, 2, lon);
  sqlite3_bind_double(st, 3, lat);
  sqlite3_bind_int(st, 4, floors);
  if (footprint && footprint_len)
    sqlite3_bind_blob(st, 5, footprint, (int)footprint_len, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 5);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return map_rc(rc);
  return sqlite3_changes(s->db) == 1 ? WG_OK : WG_ENOTFOUND;
}

wg_err wg_store_entrance_declare(wg_store_t *s, int64_t entrance_id, long households) {
  WG__ON_PG(s, wg__pg_entrance_declare(s, entrance_id, households));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "UPDATE entrance SET declared_households = ?2 WHERE id = ?1", -1,
                              &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  sqlite3_bind_int64(st, 1, entrance_id);
  sqlite3_bind_int64(st, 2, households);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return map_rc(rc);
  return sqlite3_changes(s->db) == 1 ? WG_OK : WG_ENOTFOUND;
}

wg_err wg_store_entrance_ensure(wg_store_t *s, int64_t building_id, const char *name,
                                int64_t *id) {
  WG__ON_PG(s, wg__pg_entrance_ensure(s, building_id, name, id));
  sqlite3_stmt *get = stmt(s, ST_ENTRANCE_GET), *add = stmt(s, ST_ENTRANCE_ADD);
  if (!get || !add) return WG_EDB;
  sqlite3_bind_int64(get, 1, building_id);
  wg__bind_text(get, 2, name);
  sqlite3_bind_int64(add, 1, building_id);
  wg__bind_text(add, 2, name);
  return get_or_add(s, get, add, id);
}

wg_err wg_store_dwelling_ensure(wg_store_t *s, int64_t entrance_id, int floor,
                                const char *room, int64_t *id) {
  WG__ON_PG(s, wg__pg_dwelling_ensure(s, entrance_id, floor, room, id));
  sqlite3_stmt *get = stmt(s, ST_DWELLING_GET), *add = stmt(s, ST_DWELLING_ADD);
  if (!get || !add) return WG_EDB;
  sqlite3_bind_int64(get, 1, entrance_id);
  wg__bind_text(get, 2, room);
  sqlite3_bind_int64(add, 1, entrance_id);
  sqlite3_bind_int(add, 2, floor);
  wg__bind_text(add, 3, room);
  return get_or_add(s, get, add, id);
}

wg_err wg_store_estate_add(wg_store_t *s, const char *community, const char *name,
                           int64_t *id) {
  WG__ON_PG(s, wg__pg_estate_add(s, community, name, id));
  sqlite3_stmt *add = stmt(s, ST_ESTATE_ADD);
  if (!add) return WG_EDB;
  wg__bind_text(add, 1, community);
  wg__bind_text(add, 2, name);
  return add_only(s, add, id);
}

wg_err wg_store_building_add(wg_store_t *s, wg_building_t *b) {
  WG__ON_PG(s, wg__pg_building_add(s, b));
  sqlite3_stmt *add = stmt(s, ST_BUILDING_ADD);
  if (!add) return WG_EDB;
  wg__bind_text(add, 1, b->community);
  sqlite3_bind_int64(add, 2, b->estate_id);
  wg__bind_text(add, 3, b->name);
  sqlite3_bind_int(add, 4, b->floors);
  sqlite3_bind_double(add, 5, b->lon);
  sqlite3_bind_double(add, 6, b->lat);
  snprintf(b->county, sizeof b->county, "%.6s", b->community);
  return add_only(s, add, &b->id);
}

wg_err wg_store_entrance_add(wg_store_t *s, const char *county, int64_t building_id,
                             const char *name, int64_t *id) {
  WG__ON_PG(s, wg__pg_entrance_add(s, county, building_id, name, id));
  sqlite3_stmt *add = stmt(s, ST_ENTRANCE_NEW);
  if (!add) return WG_EDB;
  sqlite3_bind_int64(add, 1, building_id);
  wg__bind_text(add, 2, name);
  wg__bind_text(add, 3, county);
  return add_only(s, add, id);
}

wg_err wg_store_dwelling_add(wg_store_t *s, const char *county, int64_t entrance_id, int floor,
                             const char *room, int64_t *id) {
  WG__ON_PG(s, wg__pg_dwelling_add(s, county, entrance_id, floor, room, id));
  sqlite3_stmt *add = stmt(s, ST_DWELLING_NEW);
  if (!add) return WG_EDB;
  sqlite3_bind_int64(add, 1, entrance_id);
  sqlite3_bind_int(add, 2, floor);
  wg__bind_text(add, 3, room);
  wg__bind_text(add, 4, county);
  return add_only(s, add, id);
}

wg_err wg_store_county_counts(wg_store_t *s, const char *county, long *dwellings,
                              long *residents) {
  WG__ON_PG(s, wg__pg_county_counts(s, county, dwellings, residents));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "SELECT (SELECT count(*) FROM dwelling WHERE county = ?1),"
                              " (SELECT count(*) FROM resident WHERE county = ?1)",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  wg__bind_text(st, 1, county);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *dwellings = (long)sqlite3_column_int64(st, 0);
    *residents = (long)sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? WG_OK : map_rc(rc);
}

wg_err wg_store_dwelling_parts(wg_store_t *s, int64_t dwelling_id, wg_dwelling_parts *out) {
  WG__ON_PG(s, wg__pg_dwelling_parts(s, dwelling_id, out));
  sqlite3_stmt *st = stmt(s, ST_DWELLING_LABEL);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, dwelling_id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    wg__copy_text(out->community_name, sizeof out->community_name, sqlite3_column_text(st, 0));
    wg__copy_text(out->estate, sizeof out->estate, sqlite3_column_text(st, 1));
    wg__copy_text(out->building, sizeof out->building, sqlite3_column_text(st, 2));
    wg__copy_text(out->entrance, sizeof out->entrance, sqlite3_column_text(st, 3));
    wg__copy_text(out->room, sizeof out->room, sqlite3_column_text(st, 4));
    wg__copy_text(out->community, sizeof out->community, sqlite3_column_text(st, 5));
    out->floor = sqlite3_column_int(st, 6);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
}

wg_err wg_store_dwelling_label(wg_store_t *s, int64_t dwelling_id, char *buf, size_t cap) {
  WG__ON_PG(s, wg__pg_dwelling_label(s, dwelling_id, buf, cap));
  wg_dwelling_parts p;
  wg_err e = wg_store_dwelling_parts(s, dwelling_id, &p);
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

wg_err wg_store_household_number(wg_store_t *s, int64_t id, char *out, size_t cap) {
  WG__ON_PG(s, wg__pg_household_number(s, id, out, cap));
  sqlite3_stmt *st = stmt(s, ST_HOUSEHOLD_NUMBER);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) wg__copy_text(out, cap, sqlite3_column_text(st, 0));
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
}

/* ---- events ---------------------------------------------------------------- */

static const char *const event_names[WG_EV_KIND_COUNT_] = {
    [WG_EV_IMPORT] = "import",         [WG_EV_REGISTER] = "register",
    [WG_EV_MOVE_IN] = "move_in",       [WG_EV_MOVE_OUT] = "move_out",
    [WG_EV_MOVE] = "move",             [WG_EV_BIRTH] = "birth",
    [WG_EV_DEATH] = "death",           [WG_EV_CORRECTION] = "correction",
    [WG_EV_TAG_ADD] = "tag_add",       [WG_EV_TAG_REMOVE] = "tag_remove",
};

const char *wg_event_kind_name(wg_event_kind k) {
  if ((unsigned)k >= WG_EV_KIND_COUNT_ || !event_names[k]) return "unknown";
  return event_names[k];
}

wg_err wg_event_kind_parse(const char *name, wg_event_kind *out) {
  for (int k = 1; k < WG_EV_KIND_COUNT_; k++)
    if (name && strcmp(name, event_names[k]) == 0) {
      *out = (wg_event_kind)k;
      return WG_OK;
    }
  return WG_EINVAL;
}

wg_err wg_store_event_add(wg_store_t *s, wg_event_t *ev) {
  WG__ON_PG(s, wg__pg_event_add(s, ev));
  sqlite3_stmt *st = stmt(s, ST_EVENT_ADD);
  if (!st) return WG_EDB;
  if (!ev->recorded_at[0]) wg__now_iso(ev->recorded_at);
  wg__bind_text(st, 1, ev->county);
  sqlite3_bind_int(st, 2, (int)ev->kind);
  sqlite3_bind_int64(st, 3, ev->resident_id);
  bind_date(s, st, 4, ev->effective);
  wg__bind_text(st, 5, ev->recorded_at);
  wg__bind_text(st, 6, ev->actor);
  wg__bind_text(st, 7, ev->reason);
  wg__bind_text(st, 8, ev->detail);
  wg_err e = step_done(st);
  if (e == WG_OK) ev->id = sqlite3_last_insert_rowid(s->db);
  return e;
}

wg_err wg_store_event_get(wg_store_t *s, int64_t id, wg_event_t *out) {
  WG__ON_PG(s, wg__pg_event_get(s, id, out));
  sqlite3_stmt *st = stmt(s, ST_EVENT_GET);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    wg__copy_text(out->county, sizeof out->county, sqlite3_column_text(st, 1));
    out->kind = (wg_event_kind)sqlite3_column_int(st, 2);
    out->resident_id = sqlite3_column_int64(st, 3);
    out->effective = wg__date_parse((const char *)sqlite3_column_text(st, 4));
    wg__copy_text(out->recorded_at, sizeof out->recorded_at, sqlite3_column_text(st, 5));
    wg__copy_text(out->actor, sizeof out->actor, sqlite3_column_text(st, 6));
    wg__copy_text(out->reason, sizeof out->reason, sqlite3_column_text(st, 7));
    wg__copy_text(out->detail, sizeof out->detail, sqlite3_column_text(st, 8));
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
}

/* ---- households and residents ---------------------------------------------- */

wg_err wg_store_household_ensure(wg_store_t *s, const char *county, const char *number,
                                 int64_t dwelling_id, int64_t *id) {
  WG__ON_PG(s, wg__pg_household_ensure(s, county, number, dwelling_id, id));
  sqlite3_stmt *get = stmt(s, ST_HOUSEHOLD_GET), *add = stmt(s, ST_HOUSEHOLD_ADD);
  if (!get || !add) return WG_EDB;
  wg__bind_text(get, 1, county);
  wg__bind_text(get, 2, number);
  wg__bind_text(add, 1, county);
  wg__bind_text(add, 2, number);
  sqlite3_bind_int64(add, 3, dwelling_id);
  return get_or_add(s, get, add, id);
}

wg_err wg_store_household_add(wg_store_t *s, const char *county, const char *number,
                              int64_t dwelling_id, int64_t *id) {
  WG__ON_PG(s, wg__pg_household_add(s, county, number, dwelling_id, id));
  sqlite3_stmt *add = stmt(s, ST_HOUSEHOLD_ADD);
  if (!add) return WG_EDB;
  wg__bind_text(add, 1, county);
  wg__bind_text(add, 2, number);
  sqlite3_bind_int64(add, 3, dwelling_id);
  return add_only(s, add, id);
}

static const char *const residence_names[] = {"", "registered", "resident", "floating"};
static const char *const status_names[] = {"", "active", "moved_out", "dead"};

const char *wg_residence_name(wg_residence r) {
  return (r >= WG_RES_REGISTERED && r <= WG_RES_FLOATING) ? residence_names[r] : "unknown";
}

const char *wg_status_name(wg_status st) {
  return (st >= WG_ST_ACTIVE && st <= WG_ST_DEAD) ? status_names[st] : "unknown";
}

static void bind_resident(wg_store_t *s, sqlite3_stmt *st, const wg_resident_t *r) {
  s->sex[0] = r->sex;
  s->sex[1] = '\0';
  wg__bind_text(st, 1, r->county);
  wg__bind_text(st, 2, r->id_number);
  wg__bind_text(st, 3, r->name);
  sqlite3_bind_text(st, 4, s->sex, 1, SQLITE_STATIC);
  bind_date(s, st, 5, r->birth);
  wg__bind_text(st, 6, r->phone);
  wg__bind_text(st, 7, r->relation);
  sqlite3_bind_int(st, 8, (int)r->residence);
  sqlite3_bind_int(st, 9, (int)r->status);
  sqlite3_bind_int64(st, 10, r->household_id);
  sqlite3_bind_int64(st, 11, r->dwelling_id);
  wg__bind_text(st, 12, r->tags);
  bind_date(s, st, 13, r->since);
  sqlite3_bind_int64(st, 14, r->event_id);
}

/* Reads the 15 resident columns in the order of ST_RES_GET. */
static void read_resident(sqlite3_stmt *st, wg_resident_t *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  wg__copy_text(r->county, sizeof r->county, sqlite3_column_text(st, 1));
  wg__copy_text(r->id_number, sizeof r->id_number, sqlite3_column_text(st, 2));
  wg__copy_text(r->name, sizeof r->name, sqlite3_column_text(st, 3));
  const unsigned char *sex = sqlite3_column_text(st, 4);
  r->sex = sex ? (char)sex[0] : '?';
  r->birth = wg__date_parse((const char *)sqlite3_column_text(st, 5));
  wg__copy_text(r->phone, sizeof r->phone, sqlite3_column_text(st, 6));
  wg__copy_text(r->relation, sizeof r->relation, sqlite3_column_text(st, 7));
  r->residence = (wg_residence)sqlite3_column_int(st, 8);
  r->status = (wg_status)sqlite3_column_int(st, 9);
  r->household_id = sqlite3_column_int64(st, 10);
  r->dwelling_id = sqlite3_column_int64(st, 11);
  wg__copy_text(r->tags, sizeof r->tags, sqlite3_column_text(st, 12));
  r->since = wg__date_parse((const char *)sqlite3_column_text(st, 13));
  r->event_id = sqlite3_column_int64(st, 14);
}

wg_err wg_store_resident_insert(wg_store_t *s, wg_resident_t *r) {
  WG__ON_PG(s, wg__pg_resident_insert(s, r));
  sqlite3_stmt *st = stmt(s, ST_RES_INSERT);
  if (!st) return WG_EDB;
  bind_resident(s, st, r);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_DONE) {
    r->id = sqlite3_last_insert_rowid(s->db);
    return WG_OK;
  }
  if (rc == SQLITE_CONSTRAINT_UNIQUE) return WG_EEXIST;
  return map_rc(rc);
}

/* The batch statement `id`: head followed by WG_STORE_BATCH copies of tuple,
 * prepared once per connection. NULL on error. */
static sqlite3_stmt *batch_stmt(wg_store_t *s, enum batch_id id, const char *head,
                                const char *tuple) {
  if (s->batch[id]) {
    sqlite3_reset(s->batch[id]);
    return s->batch[id];
  }
  size_t hl = strlen(head), tl = strlen(tuple);
  size_t cap = hl + WG_STORE_BATCH * (tl + 1) + 1;
  char *sql = malloc(cap);
  if (!sql) return NULL;
  memcpy(sql, head, hl);
  size_t len = hl;
  for (int i = 0; i < WG_STORE_BATCH; i++) {
    if (i) sql[len++] = ',';
    memcpy(sql + len, tuple, tl);
    len += tl;
  }
  sql[len] = '\0';
  if (sqlite3_prepare_v3(s->db, sql, (int)len, SQLITE_PREPARE_PERSISTENT, &s->batch[id], NULL) !=
      SQLITE_OK)
    s->batch[id] = NULL;
  free(sql);
  return s->batch[id];
}

static wg_err batch_step(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_CONSTRAINT_UNIQUE) return WG_EEXIST;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return WG_ECONFLICT;
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_dwelling_insert_batch(wg_store_t *s, const char *county,
                                      const wg_dwelling_row *rows, int n) {
  WG__ON_PG(s, wg__pg_dwelling_insert_batch(s, county, rows, n));
  for (; n > 0 && n < WG_STORE_BATCH; n--, rows++) { /* a short tail: one by one */
    sqlite3_stmt *st = stmt(s, ST_DWELLING_ID);
    if (!st) return WG_EDB;
    sqlite3_bind_int64(st, 1, rows->id);
    wg__bind_text(st, 2, county);
    sqlite3_bind_int64(st, 3, rows->entrance_id);
    sqlite3_bind_int(st, 4, rows->floor);
    wg__bind_text(st, 5, rows->room);
    wg_err e = batch_step(st);
    if (e) return e;
  }
  if (n == 0) return WG_OK;
  sqlite3_stmt *st = batch_stmt(s, B_DWELLING,
                                "INSERT INTO dwelling(id, county, entrance_id, floor, room) VALUES ",
                                "(?,?,?,?,?)");
  if (!st) return WG_EDB;
  for (int i = 0; i < n; i++) {
    int b = i * 5;
    sqlite3_bind_int64(st, b + 1, rows[i].id);
    wg__bind_text(st, b + 2, county);
    sqlite3_bind_int64(st, b + 3, rows[i].entrance_id);
    sqlite3_bind_int(st, b + 4, rows[i].floor);
    wg__bind_text(st, b + 5, rows[i].room);
  }
  return batch_step(st);
}

wg_err wg_store_household_insert_batch(wg_store_t *s, const char *county,
                                       const wg_household_row *rows, int n) {
  WG__ON_PG(s, wg__pg_household_insert_batch(s, county, rows, n));
  for (; n > 0 && n < WG_STORE_BATCH; n--, rows++) {
    sqlite3_stmt *st = stmt(s, ST_HOUSEHOLD_ID);
    if (!st) return WG_EDB;
    sqlite3_bind_int64(st, 1, rows->id);
    wg__bind_text(st, 2, county);
    wg__bind_text(st, 3, rows->number);
    sqlite3_bind_int64(st, 4, rows->dwelling_id);
    wg_err e = batch_step(st);
    if (e) return e;
  }
  if (n == 0) return WG_OK;
  sqlite3_stmt *st = batch_stmt(s, B_HOUSEHOLD,
                                "INSERT INTO household(id, county, number, dwelling_id) VALUES ",
                                "(?,?,?,NULLIF(?,0))");
  if (!st) return WG_EDB;
  for (int i = 0; i < n; i++) {
    int b = i * 4;
    sqlite3_bind_int64(st, b + 1, rows[i].id);
    wg__bind_text(st, b + 2, county);
    wg__bind_text(st, b + 3, rows[i].number);
    sqlite3_bind_int64(st, b + 4, rows[i].dwelling_id);
  }
  return batch_step(st);
}

wg_err wg_store_resident_insert_batch(wg_store_t *s, wg_resident_t *rs, int n) {
  WG__ON_PG(s, wg__pg_resident_insert_batch(s, rs, n));
  enum { NCOL = 14 };
  if (n <= 0) return WG_OK;
  if (n < WG_STORE_BATCH) {
    for (int i = 0; i < n; i++) {
      wg_err e = wg_store_resident_insert(s, &rs[i]);
      if (e) return e;
    }
    return WG_OK;
  }
  sqlite3_stmt *st = batch_stmt(
      s, B_RESIDENT,
      "INSERT INTO resident(county, id_number, name, sex, birth, phone, relation,"
      " residence, status, household_id, dwelling_id, tags, since, event_id) VALUES ",
      "(?,?,?,?,?,?,?,?,?,NULLIF(?,0),NULLIF(?,0),?,?,?)");
  if (!st) return WG_EDB;

  for (int i = 0; i < n; i++) {
    const wg_resident_t *r = &rs[i];
    int b = i * NCOL;
    s->batch_sex[i][0] = r->sex;
    s->batch_sex[i][1] = '\0';
    wg_date_format(r->birth, s->batch_dates[i][0]);
    wg_date_format(r->since, s->batch_dates[i][1]);
    wg__bind_text(st, b + 1, r->county);
    wg__bind_text(st, b + 2, r->id_number);
    wg__bind_text(st, b + 3, r->name);
    sqlite3_bind_text(st, b + 4, s->batch_sex[i], 1, SQLITE_STATIC);
    sqlite3_bind_text(st, b + 5, s->batch_dates[i][0], -1, SQLITE_STATIC);
    wg__bind_text(st, b + 6, r->phone);
    wg__bind_text(st, b + 7, r->relation);
    sqlite3_bind_int(st, b + 8, (int)r->residence);
    sqlite3_bind_int(st, b + 9, (int)r->status);
    sqlite3_bind_int64(st, b + 10, r->household_id);
    sqlite3_bind_int64(st, b + 11, r->dwelling_id);
    wg__bind_text(st, b + 12, r->tags);
    sqlite3_bind_text(st, b + 13, s->batch_dates[i][1], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, b + 14, r->event_id);
  }
  wg_err e = batch_step(st);
  if (e) return e;
  /* One statement allocates consecutive rowids after the largest. */
  int64_t last = sqlite3_last_insert_rowid(s->db);
  for (int i = 0; i < n; i++) rs[i].id = last - (n - 1) + i;
  return WG_OK;
}

wg_err wg_store_resident_update(wg_store_t *s, const wg_resident_t *r) {
  WG__ON_PG(s, wg__pg_resident_update(s, r));
  sqlite3_stmt *st = stmt(s, ST_RES_UPDATE);
  if (!st) return WG_EDB;
  bind_resident(s, st, r);
  sqlite3_bind_int64(st, 15, r->id);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_DONE) return sqlite3_changes(s->db) == 1 ? WG_OK : WG_ENOTFOUND;
  if (rc == SQLITE_CONSTRAINT_UNIQUE) return WG_EEXIST;
  if (rc == SQLITE_CONSTRAINT_TRIGGER) return WG_ECONFLICT;
  return map_rc(rc);
}

static wg_err get_one_resident(sqlite3_stmt *st, wg_resident_t *out) {
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_resident(st, out);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
}

wg_err wg_store_resident_get(wg_store_t *s, int64_t id, wg_resident_t *out) {
  WG__ON_PG(s, wg__pg_resident_get(s, id, out));
  sqlite3_stmt *st = stmt(s, ST_RES_GET);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  return get_one_resident(st, out);
}

wg_err wg_store_resident_find(wg_store_t *s, const char *id_number, wg_resident_t *out) {
  WG__ON_PG(s, wg__pg_resident_find(s, id_number, out));
  sqlite3_stmt *st = stmt(s, ST_RES_FIND);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, id_number);
  return get_one_resident(st, out);
}

wg_err wg_store_resident_versions(wg_store_t *s, int64_t id, wg_version_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_resident_versions(s, id, fn, ctx));
  sqlite3_stmt *st = stmt(s, ST_RES_HISTORY);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  int rc, found = 0;
  wg_resident_t r;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_resident(st, &r);
    found = 1;
    if (fn(ctx, &r, wg__date_parse((const char *)sqlite3_column_text(st, 15)))) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return map_rc(rc);
  return found ? WG_OK : WG_ENOTFOUND;
}

/* Builds the query for a resident filter. Columns as ST_RES_GET. */
static int prepare_filter(wg_store_t *s, const wg_resident_filter *f, int count_only,
                          sqlite3_stmt **out) {
  static const char cols[] =
      "id, county, id_number, name, sex, birth, phone, relation, residence, status,"
      " ifnull(household_id, 0) AS household_id, ifnull(dwelling_id, 0) AS dwelling_id,"
      " tags, since, event_id";
  static const char hcols[] =
      "resident_id, county, id_number, name, sex, birth, phone, relation, residence,"
      " status, ifnull(household_id, 0), ifnull(dwelling_id, 0), tags, valid_from,"
      " event_id";
  /* Conditions shared by both halves; ?1 county, ?2 as-of, ?3 community,
   * ?4 tag pattern, ?5 include inactive. */
  static const char cond[] =
      " county = ?1 AND (?5 OR status = 1) AND (?4 = '' OR instr(tags, ?4) > 0)"
      " AND (?3 = '' OR dwelling_id IN (SELECT d.id FROM dwelling d JOIN entrance e"
      " ON e.id = d.entrance_id JOIN building b ON b.id = e.building_id"
      " WHERE b.community = ?3))";
  char sql[2048];
  if (f->as_of > 0)
    snprintf(sql, sizeof sql,
             "SELECT %s FROM (SELECT %s FROM resident WHERE since <= ?2 AND %s"
             " UNION ALL SELECT %s FROM resident_history WHERE valid_from <= ?2"
             " AND valid_to > ?2 AND %s)%s",
             count_only ? "count(*)" : "*", cols, cond, hcols, cond,
             count_only ? "" : " ORDER BY 1");
  else
    snprintf(sql, sizeof sql, "SELECT %s FROM resident WHERE ?2 = ?2 AND %s%s",
             count_only ? "count(*)" : cols, cond, count_only ? "" : " ORDER BY id");
  int rc = sqlite3_prepare_v2(s->db, sql, -1, out, NULL);
  if (rc != SQLITE_OK) return rc;
  char pattern[64] = "";
  if (f->tag && *f->tag) snprintf(pattern, sizeof pattern, ",%s,", f->tag);
  wg__bind_text(*out, 1, f->county);
  char as_of[11];
  wg_date_format(f->as_of, as_of);
  sqlite3_bind_text(*out, 2, as_of, -1, SQLITE_TRANSIENT);
  wg__bind_text(*out, 3, f->community ? f->community : "");
  sqlite3_bind_text(*out, 4, pattern, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(*out, 5, f->include_inactive ? 1 : 0);
  return SQLITE_OK;
}

wg_err wg_store_resident_each(wg_store_t *s, const wg_resident_filter *f,
                              wg_resident_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_resident_each(s, f, fn, ctx));
  sqlite3_stmt *st;
  int rc = prepare_filter(s, f, 0, &st);
  if (rc != SQLITE_OK) return map_rc(rc);
  wg_resident_t r;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_resident(st, &r);
    if (fn(ctx, &r)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_resident_count(wg_store_t *s, const wg_resident_filter *f, long *out) {
  WG__ON_PG(s, wg__pg_resident_count(s, f, out));
  sqlite3_stmt *st;
  int rc = prepare_filter(s, f, 1, &st);
  if (rc != SQLITE_OK) return map_rc(rc);
  rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? WG_OK : map_rc(rc);
}

/* ---- tags ----------------------------------------------------------------- */

wg_err wg_store_tag_put(wg_store_t *s, const char *code, const char *name_zh,
                        const char *name_en) {
  WG__ON_PG(s, wg__pg_tag_put(s, code, name_zh, name_en));
  sqlite3_stmt *st = stmt(s, ST_TAG_PUT);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, code);
  wg__bind_text(st, 2, name_zh);
  wg__bind_text(st, 3, name_en);
  return step_done(st);
}

wg_err wg_store_tag_resolve(wg_store_t *s, const char *word, char *code_out, size_t cap) {
  WG__ON_PG(s, wg__pg_tag_resolve(s, word, code_out, cap));
  sqlite3_stmt *st = stmt(s, ST_TAG_RESOLVE);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, word);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) wg__copy_text(code_out, cap, sqlite3_column_text(st, 0));
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? WG_OK : rc == SQLITE_DONE ? WG_ENOTFOUND : map_rc(rc);
}

wg_err wg_store_tag_each(wg_store_t *s, wg_tag_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_tag_each(s, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db, "SELECT code, name_zh, name_en FROM tag ORDER BY code", -1,
                              &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
           (const char *)sqlite3_column_text(st, 2))) {
      rc = SQLITE_DONE;
      break;
    }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

/* ---- units ----------------------------------------------------------------- */

wg_err wg_store_unit_each(wg_store_t *s, const char *county, const char *community,
                          wg_unit_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_unit_each(s, county, community, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(
      s->db,
      "SELECT en.id, b.id, b.community, b.lon, b.lat,"
      " (SELECT count(*) FROM entrance e2 WHERE e2.building_id = b.id AND e2.id < en.id),"
      " (SELECT count(*) FROM entrance e3 WHERE e3.building_id = b.id),"
      " ifnull(nullif((SELECT count(DISTINCT r.household_id) FROM dwelling d JOIN resident r"
      "    ON r.dwelling_id = d.id WHERE d.entrance_id = en.id AND r.status = 1), 0),"
      "    en.declared_households)"
      " FROM entrance en JOIN building b ON b.id = en.building_id"
      " WHERE b.county = ?1 AND (?2 = '' OR b.community = ?2)"
      " ORDER BY b.community, b.id, en.id",
      -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  wg__bind_text(st, 1, county);
  wg__bind_text(st, 2, community ? community : "");
  wg_unit_row u;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&u, 0, sizeof u);
    u.entrance_id = sqlite3_column_int64(st, 0);
    u.building_id = sqlite3_column_int64(st, 1);
    wg__copy_text(u.community, sizeof u.community, sqlite3_column_text(st, 2));
    u.lon = sqlite3_column_double(st, 3);
    u.lat = sqlite3_column_double(st, 4);
    u.entrance_no = sqlite3_column_int(st, 5);
    u.entrances = sqlite3_column_int(st, 6);
    u.households = (long)sqlite3_column_int64(st, 7);
    if (fn(ctx, &u)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

/* ---- plans and grids -------------------------------------------------------- */

static const char *const plan_status_names[] = {"", "draft", "active", "retired"};

const char *wg_plan_status_name(wg_plan_status st) {
  return (st >= WG_PLAN_DRAFT && st <= WG_PLAN_RETIRED) ? plan_status_names[st] : "unknown";
}

wg_err wg_store_plan_add(wg_store_t *s, wg_plan_t *p) {
  WG__ON_PG(s, wg__pg_plan_add(s, p));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "INSERT INTO plan(county, status, created_at, actor, note, based_on,"
                              " nlevels, bounds, summary) VALUES (?1, ?2, ?3, ?4, ?5,"
                              " NULLIF(?6, 0), ?7, ?8, ?9)",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  if (!p->created_at[0]) wg__now_iso(p->created_at);
  wg__bind_text(st, 1, p->county);
  sqlite3_bind_int(st, 2, (int)p->status);
  wg__bind_text(st, 3, p->created_at);
  wg__bind_text(st, 4, p->actor);
  wg__bind_text(st, 5, p->note);
  sqlite3_bind_int64(st, 6, p->based_on);
  sqlite3_bind_int(st, 7, p->nlevels);
  wg__bind_text(st, 8, p->bounds);
  wg__bind_text(st, 9, p->summary);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return (rc & 0xff) == SQLITE_CONSTRAINT ? WG_ECONFLICT : map_rc(rc);
  p->id = sqlite3_last_insert_rowid(s->db);
  return WG_OK;
}

static const char plan_cols[] =
    "SELECT id, county, status, created_at, actor, note, ifnull(based_on, 0), nlevels, bounds,"
    " summary FROM plan";

static void read_plan(sqlite3_stmt *st, wg_plan_t *p) {
  memset(p, 0, sizeof *p);
  p->id = sqlite3_column_int64(st, 0);
  wg__copy_text(p->county, sizeof p->county, sqlite3_column_text(st, 1));
  p->status = (wg_plan_status)sqlite3_column_int(st, 2);
  wg__copy_text(p->created_at, sizeof p->created_at, sqlite3_column_text(st, 3));
  wg__copy_text(p->actor, sizeof p->actor, sqlite3_column_text(st, 4));
  wg__copy_text(p->note, sizeof p->note, sqlite3_column_text(st, 5));
  p->based_on = sqlite3_column_int64(st, 6);
  p->nlevels = sqlite3_column_int(st, 7);
  wg__copy_text(p->bounds, sizeof p->bounds, sqlite3_column_text(st, 8));
  wg__copy_text(p->summary, sizeof p->summary, sqlite3_column_text(st, 9));
}

/* Runs a plan query with one bound value; fn per row (or the first row into
 * *one when fn is NULL). */
static wg_err plan_query(wg_store_t *s, const char *where, const char *text, int64_t id,
                         wg_plan_fn fn, void *ctx, wg_plan_t *one) {
  char sql[512];
  snprintf(sql, sizeof sql, "%s %s", plan_cols, where);
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  if (text)
    wg__bind_text(st, 1, text);
  else
    sqlite3_bind_int64(st, 1, id);
  int found = 0;
  wg_plan_t p;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    found = 1;
    if (!fn) {
      read_plan(st, one);
      rc = SQLITE_DONE;
      break;
    }
    read_plan(st, &p);
    if (fn(ctx, &p)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return map_rc(rc);
  return (!fn && !found) ? WG_ENOTFOUND : WG_OK;
}

wg_err wg_store_plan_get(wg_store_t *s, int64_t id, wg_plan_t *out) {
  WG__ON_PG(s, wg__pg_plan_get(s, id, out));
  return plan_query(s, "WHERE id = ?1", NULL, id, NULL, NULL, out);
}

wg_err wg_store_plan_active(wg_store_t *s, const char *county, wg_plan_t *out) {
  WG__ON_PG(s, wg__pg_plan_active(s, county, out));
  return plan_query(s, "WHERE county = ?1 AND status = 2", county, 0, NULL, NULL, out);
}

wg_err wg_store_plan_each(wg_store_t *s, const char *county, wg_plan_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_plan_each(s, county, fn, ctx));
  return plan_query(s, "WHERE county = ?1 ORDER BY id", county, 0, fn, ctx, NULL);
}

wg_err wg_store_plan_activate(wg_store_t *s, int64_t id) {
  WG__ON_PG(s, wg__pg_plan_activate(s, id));
  wg_plan_t p;
  wg_err e = wg_store_plan_get(s, id, &p);
  if (e) return e;
  if (p.status == WG_PLAN_RETIRED) return WG_ECONFLICT;
  if (p.status == WG_PLAN_ACTIVE) return WG_OK;
  int own = !s->in_tx;
  if (own && (e = wg_store_begin(s))) return e;
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "UPDATE plan SET status = 3 WHERE county = ?1 AND status = 2;"
                              , -1, &st, NULL);
  if (rc == SQLITE_OK) {
    wg__bind_text(st, 1, p.county);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
  }
  if (rc == SQLITE_DONE &&
      (rc = sqlite3_prepare_v2(s->db, "UPDATE plan SET status = 2 WHERE id = ?1", -1, &st,
                               NULL)) == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
  }
  e = rc == SQLITE_DONE ? WG_OK : map_rc(rc);
  if (own) {
    if (!e) e = wg_store_commit(s);
    if (e) wg_store_rollback(s);
  }
  return e;
}

wg_err wg_store_grid_add(wg_store_t *s, wg_grid_t *g) {
  WG__ON_PG(s, wg__pg_grid_add(s, g));
  sqlite3_stmt *st = stmt(s, ST_GRID_ADD);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, g->plan_id);
  wg__bind_text(st, 2, g->county);
  wg__bind_text(st, 3, g->code);
  sqlite3_bind_int(st, 4, g->level);
  wg__bind_text(st, 5, g->parent);
  wg__bind_text(st, 6, g->community);
  sqlite3_bind_int64(st, 7, g->households);
  sqlite3_bind_int(st, 8, g->units);
  sqlite3_bind_double(st, 9, g->area);
  sqlite3_bind_double(st, 10, g->polsby_popper);
  sqlite3_bind_double(st, 11, g->minx);
  sqlite3_bind_double(st, 12, g->miny);
  sqlite3_bind_double(st, 13, g->maxx);
  sqlite3_bind_double(st, 14, g->maxy);
  if (g->geom && g->geom_len)
    sqlite3_bind_blob(st, 15, g->geom, (int)g->geom_len, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 15);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return (rc & 0xff) == SQLITE_CONSTRAINT ? WG_ECONFLICT : map_rc(rc);
  g->id = sqlite3_last_insert_rowid(s->db);
  if (g->geom && g->geom_len) {
    sqlite3_stmt *rt = stmt(s, ST_GRID_RTREE);
    if (!rt) return WG_EDB;
    sqlite3_bind_int64(rt, 1, g->id);
    sqlite3_bind_double(rt, 2, g->minx);
    sqlite3_bind_double(rt, 3, g->maxx);
    sqlite3_bind_double(rt, 4, g->miny);
    sqlite3_bind_double(rt, 5, g->maxy);
    return step_done(rt);
  }
  return WG_OK;
}

static const char grid_cols[] =
    "SELECT g.id, g.plan_id, g.county, g.code, g.level, g.parent, g.community, g.households,"
    " g.units, g.area, g.polsby_popper, ifnull(g.minx, 0), ifnull(g.miny, 0),"
    " ifnull(g.maxx, 0), ifnull(g.maxy, 0), g.geom FROM grid g";

static wg_err grid_walk(sqlite3_stmt *st, wg_grid_fn fn, void *ctx) {
  int rc;
  wg_grid_t g;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&g, 0, sizeof g);
    g.id = sqlite3_column_int64(st, 0);
    g.plan_id = sqlite3_column_int64(st, 1);
    wg__copy_text(g.county, sizeof g.county, sqlite3_column_text(st, 2));
    wg__copy_text(g.code, sizeof g.code, sqlite3_column_text(st, 3));
    g.level = sqlite3_column_int(st, 4);
    wg__copy_text(g.parent, sizeof g.parent, sqlite3_column_text(st, 5));
    wg__copy_text(g.community, sizeof g.community, sqlite3_column_text(st, 6));
    g.households = (long)sqlite3_column_int64(st, 7);
    g.units = sqlite3_column_int(st, 8);
    g.area = sqlite3_column_double(st, 9);
    g.polsby_popper = sqlite3_column_double(st, 10);
    g.minx = sqlite3_column_double(st, 11);
    g.miny = sqlite3_column_double(st, 12);
    g.maxx = sqlite3_column_double(st, 13);
    g.maxy = sqlite3_column_double(st, 14);
    g.geom = sqlite3_column_blob(st, 15);
    g.geom_len = (size_t)sqlite3_column_bytes(st, 15);
    if (fn(ctx, &g)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_grid_each(wg_store_t *s, int64_t plan_id, int level, wg_grid_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_grid_each(s, plan_id, level, fn, ctx));
  char sql[768];
  snprintf(sql, sizeof sql, "%s WHERE g.plan_id = ?1 AND (?2 = 0 OR g.level = ?2) ORDER BY g.code",
           grid_cols);
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  sqlite3_bind_int64(st, 1, plan_id);
  sqlite3_bind_int(st, 2, level);
  return grid_walk(st, fn, ctx);
}

wg_err wg_store_grid_at(wg_store_t *s, int64_t plan_id, double lon, double lat, wg_grid_fn fn,
                        void *ctx) {
  WG__ON_PG(s, wg__pg_grid_at(s, plan_id, lon, lat, fn, ctx));
  char sql[768];
  snprintf(sql, sizeof sql,
           "%s JOIN grid_rtree r ON r.id = g.id WHERE r.minx <= ?2 AND r.maxx >= ?2"
           " AND r.miny <= ?3 AND r.maxy >= ?3 AND g.plan_id = ?1 ORDER BY g.level, g.code",
           grid_cols);
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  sqlite3_bind_int64(st, 1, plan_id);
  sqlite3_bind_double(st, 2, lon);
  sqlite3_bind_double(st, 3, lat);
  return grid_walk(st, fn, ctx);
}

wg_err wg_store_assignment_add(wg_store_t *s, int64_t plan_id, const wg_assignment_t *a) {
  WG__ON_PG(s, wg__pg_assignment_add(s, plan_id, a));
  sqlite3_stmt *st = stmt(s, ST_ASSIGN_ADD);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, plan_id);
  sqlite3_bind_int64(st, 2, a->entrance_id);
  sqlite3_bind_int(st, 3, a->piece);
  sqlite3_bind_int64(st, 4, a->households);
  wg__bind_text(st, 5, a->code[0]);
  wg__bind_text(st, 6, a->code[1]);
  wg__bind_text(st, 7, a->code[2]);
  return step_done(st);
}

wg_err wg_store_assignment_each(wg_store_t *s, int64_t plan_id, wg_assignment_fn fn,
                                void *ctx) {
  WG__ON_PG(s, wg__pg_assignment_each(s, plan_id, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "SELECT entrance_id, piece, households, l1, l2, l3 FROM"
                              " grid_assignment WHERE plan_id = ?1 ORDER BY entrance_id, piece",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  sqlite3_bind_int64(st, 1, plan_id);
  wg_assignment_t a;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&a, 0, sizeof a);
    a.entrance_id = sqlite3_column_int64(st, 0);
    a.piece = sqlite3_column_int(st, 1);
    a.households = (long)sqlite3_column_int64(st, 2);
    for (int i = 0; i < 3; i++) wg__copy_text(a.code[i], sizeof a.code[i], sqlite3_column_text(st, 3 + i));
    if (fn(ctx, &a)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_violation_add(wg_store_t *s, int64_t plan_id, const wg_plan_violation_t *v) {
  WG__ON_PG(s, wg__pg_violation_add(s, plan_id, v));
  sqlite3_stmt *st = stmt(s, ST_VIOLATION_ADD);
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, plan_id);
  wg__bind_text(st, 2, v->kind);
  sqlite3_bind_int(st, 3, v->level);
  wg__bind_text(st, 4, v->code);
  sqlite3_bind_int(st, 5, v->forced);
  sqlite3_bind_int64(st, 6, v->households);
  wg__bind_text(st, 7, v->reason);
  return step_done(st);
}

wg_err wg_store_violation_each(wg_store_t *s, int64_t plan_id, wg_violation_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_violation_each(s, plan_id, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "SELECT kind, level, code, forced, households, reason FROM"
                              " plan_violation WHERE plan_id = ?1 ORDER BY forced, level, code",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  sqlite3_bind_int64(st, 1, plan_id);
  wg_plan_violation_t v;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&v, 0, sizeof v);
    wg__copy_text(v.kind, sizeof v.kind, sqlite3_column_text(st, 0));
    v.level = sqlite3_column_int(st, 1);
    wg__copy_text(v.code, sizeof v.code, sqlite3_column_text(st, 2));
    v.forced = sqlite3_column_int(st, 3);
    v.households = (long)sqlite3_column_int64(st, 4);
    wg__copy_text(v.reason, sizeof v.reason, sqlite3_column_text(st, 5));
    if (fn(ctx, &v)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_grid_number_each(wg_store_t *s, const char *county, wg_number_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_grid_number_each(s, county, fn, ctx));
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(s->db,
                              "SELECT parent, max_number FROM grid_number WHERE county = ?1"
                              " ORDER BY parent",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return map_rc(rc);
  wg__bind_text(st, 1, county);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1))) {
      rc = SQLITE_DONE;
      break;
    }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_grid_number_used(wg_store_t *s, const char *parent, int *max_number) {
  WG__ON_PG(s, wg__pg_grid_number_used(s, parent, max_number));
  sqlite3_stmt *st = stmt(s, ST_NUMBER_GET);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, parent);
  int rc = sqlite3_step(st);
  *max_number = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? WG_OK : map_rc(rc);
}

wg_err wg_store_grid_number_use(wg_store_t *s, const char *parent, int number) {
  WG__ON_PG(s, wg__pg_grid_number_use(s, parent, number));
  sqlite3_stmt *st = stmt(s, ST_NUMBER_USE);
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, parent);
  sqlite3_bind_int(st, 2, number);
  return step_done(st);
}

/* ---- audit ---------------------------------------------------------------- */

wg_err wg_store_audit_add(wg_store_t *s, const wg_audit_t *a) {
  WG__ON_PG(s, wg__pg_audit_add(s, a));
  sqlite3_stmt *st = stmt(s, ST_AUDIT_ADD);
  if (!st) return WG_EDB;
  char at[32];
  wg__now_iso(at);
  wg__bind_text(st, 1, at);
  wg__bind_text(st, 2, a->actor);
  wg__bind_text(st, 3, a->action);
  wg__bind_text(st, 4, a->target);
  wg__bind_text(st, 5, a->reason);
  wg__bind_text(st, 6, a->origin);
  return step_done(st);
}
