/* backend.h — run a store-level test against SQLite (the default) or
 * PostgreSQL: when WG_TEST_PG holds a cluster URI (scripts/pg-test-cluster,
 * e.g. postgresql:///wangge?host=DIR/pgsock&user=wangge), every database a
 * test names is a fresh PostgreSQL database made from template wg_template
 * (PostGIS installed) on first use in the process.
 *
 *   #define BACKEND_TAG "store"   // keeps databases of test files apart
 *   #include "backend.h"
 *   wg_store_open(backend_uri(dir, "a.db"), …);
 */
#ifndef WG_TEST_BACKEND_H
#define WG_TEST_BACKEND_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BACKEND_TAG
#define BACKEND_TAG "t"
#endif

/* The cluster URI, or NULL when testing SQLite. */
static inline const char *backend_pg(void) {
  const char *u = getenv("WG_TEST_PG");
  return u && *u ? u : NULL;
}

/* base with its database name replaced by db (bounded into out). */
static inline void backend_with_db(const char *base, const char *db, char *out, size_t cap) {
  const char *q = strchr(base, '?');
  size_t end = q ? (size_t)(q - base) : strlen(base);
  size_t slash = end;
  while (slash > 0 && base[slash - 1] != '/') slash--;
  snprintf(out, cap, "%.*s%s%s", (int)slash, base, db, q ? q : "");
}

/* Runs sql on the database at uri; 0 when it succeeded. */
static inline int backend_sql(const char *uri, const char *sql) {
  PGconn *c = PQconnectdb(uri);
  int ok = 0;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult *r = PQexec(c, "SET client_min_messages = warning");
    PQclear(r);
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
  }
  PQfinish(c);
  return ok ? 0 : 1;
}

/* At the top of a TEST whose store functions are not ported to PostgreSQL
 * yet (they answer WG_ENOTSUP there): skips it on PostgreSQL, saying so. */
#define BACKEND_SQLITE_ONLY()                                        \
  do {                                                               \
    if (backend_pg()) {                                              \
      printf("# %s: SQLite only (not ported to PostgreSQL yet)\n", __func__); \
      return;                                                        \
    }                                                                \
  } while (0)

/* The URI of test database name: dir/name for SQLite, else a PostgreSQL
 * database wgt_<tag>_<name> created (afresh) on its first use here. The
 * returned string is valid until the next call. */
static inline const char *backend_uri(const char *dir, const char *name) {
  static char buf[1024];
  static char made[64][64];
  static int nmade;
  const char *pg = backend_pg();
  if (!pg) {
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
  }
  char db[64];
  int n = snprintf(db, sizeof db, "wgt_%s_", BACKEND_TAG);
  for (const char *p = name; *p && n < (int)sizeof db - 1; p++)
    db[n++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_');
  db[n] = '\0';
  int seen = 0;
  for (int i = 0; i < nmade; i++) seen |= strcmp(made[i], db) == 0;
  if (!seen) {
    char admin[1024], sql[256];
    backend_with_db(pg, "postgres", admin, sizeof admin);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    if (backend_sql(admin, sql)) fprintf(stderr, "backend: cannot drop %s\n", db);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE wg_template", db);
    if (backend_sql(admin, sql)) fprintf(stderr, "backend: cannot create %s\n", db);
    if (nmade < 64) snprintf(made[nmade++], sizeof made[0], "%s", db);
  }
  backend_with_db(pg, db, buf, sizeof buf);
  return buf;
}

/* Runs a query on either backend (uri as backend_uri gives it): parameters
 * $1, $2, … each used once, in order, bound as text; fn gets each row's
 * columns as text (NULL → ""), non-zero stops. Returns 0 when the query ran. */
typedef int (*backend_row_fn)(void *ctx, int ncols, const char *const *cols);
static inline int backend_query(const char *uri, const char *sql, int nparams,
                         const char *const *params, backend_row_fn fn, void *ctx) {
  const char *cols[32];
  if (strncmp(uri, "postgresql://", 13) == 0) {
    PGconn *c = PQconnectdb(uri);
    int rc = 1;
    if (PQstatus(c) == CONNECTION_OK) {
      PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
      if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        rc = 0;
        int n = PQnfields(r) < 32 ? PQnfields(r) : 32;
        for (int i = 0; i < PQntuples(r); i++) {
          for (int k = 0; k < n; k++) cols[k] = PQgetvalue(r, i, k);
          if (fn(ctx, n, cols)) break;
        }
      }
      PQclear(r);
    }
    PQfinish(c);
    return rc;
  }
  sqlite3 *db;
  sqlite3_stmt *st;
  int rc = 1;
  sqlite3_open(strncmp(uri, "sqlite:", 7) == 0 ? uri + 7 : uri, &db);
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    for (int i = 0; i < nparams; i++) sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
    int n = sqlite3_column_count(st) < 32 ? sqlite3_column_count(st) : 32;
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int k = 0; k < n; k++) {
        const unsigned char *t = sqlite3_column_text(st, k);
        cols[k] = t ? (const char *)t : "";
      }
      if (fn(ctx, n, cols)) break;
    }
    rc = 0;
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return rc;
}

/* The first column of the first row as a number (-1 when none). */
static inline int backend_long_fn(void *ctx, int n, const char *const *cols) {
  *(long long *)ctx = n > 0 ? strtoll(cols[0], NULL, 10) : -1;
  return 1;
}
static inline long long backend_long(const char *uri, const char *sql, int nparams,
                              const char *const *params) {
  long long v = -1;
  if (backend_query(uri, sql, nparams, params, backend_long_fn, &v)) return -1;
  return v;
}

#endif
