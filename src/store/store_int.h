/* store_int.h — internals shared by the store's files. */
#ifndef WG_STORE_INT_H
#define WG_STORE_INT_H

#include "store/store.h"

/* 'WGGE': marks a SQLite file as a wangge database. */
#define WG_SQLITE_APP_ID 0x57474745

/* migrations[v] upgrades version v-1 to v; index 0 unused. */
extern const char *const wg__sqlite_migrations[WG_SCHEMA_VERSION + 1];

/* Test hook: open/create like wg_store_open but migrate only up to
 * version `upto` (to build "older" databases in tests). */
wg_err wg__store_open_upto(const char *uri, unsigned flags, int upto,
                           wg_store_t **out, wg_errinfo *ei);

/* For backend files beyond store_sqlite.c (e.g. store_sqlite_auth.c): the
 * connection, and the mapping of SQLite result codes to wg_err. */
struct sqlite3;
struct sqlite3 *wg__store_db(wg_store_t *s);
wg_err wg__store_rc(int rc);

/* Helpers every SQLite backend file shares (store_sqlite.c). */
/* A statement prepared for the caller to finalize; NULL on error (the
 * connection's error message says why). */
struct sqlite3_stmt *wg__sqlite_prepare(wg_store_t *s, const char *sql);
/* A step's result as wg_err: DONE/ROW → WG_OK, a UNIQUE or PRIMARY KEY
 * violation → WG_EEXIST, anything else mapped (never WG_OK). */
wg_err wg__sqlite_step_rc(int rc);
/* Steps a statement expecting no row and finalizes it. */
wg_err wg__sqlite_run_done(struct sqlite3_stmt *st);
struct sqlite3_stmt;
/* Binds v ("" for NULL) without copying: v must outlive the step. */
void wg__bind_text(struct sqlite3_stmt *st, int i, const char *v);
/* Copies a column's text (NULL → "") into dst, bounded. */
void wg__copy_text(char *dst, size_t cap, const unsigned char *src);
/* The current time, ISO 8601 UTC ("2026-11-29T06:33:57Z"). */
void wg__now_iso(char out[32]);

/* A statement of another backend file, prepared once per connection and
 * kept until the store closes, found by the address of its SQL (a string
 * literal: never a buffer). Reset and unbound when returned; the caller
 * resets it after use (sqlite3_reset), never finalizes it. NULL when it
 * does not prepare. */
#define WG__STORE_CACHED_MAX 48
struct sqlite3_stmt *wg__store_cached(wg_store_t *s, const char *sql);

/* "YYYY-MM-DD" as stored → yyyymmdd (0 when not that shape). */
int32_t wg__date_parse(const char *text);

/* ---- backends: SQLite and PostgreSQL ---------------------------------------
 *
 * A wg_store_t is a SQLite database, or a PostgreSQL one when wg_store_open
 * was given a postgresql:// or postgres:// URI (store_pg*.c). Every function
 * of store.h starts with
 *
 *     WG__ON_PG(s, wg__pg_<name>(s, <the same arguments>));
 *
 * which, on a PostgreSQL store, returns what the PostgreSQL implementation
 * returns; the SQLite code below it runs only on SQLite.
 *
 * A function with no PostgreSQL implementation yet (SQLite-only: it has no
 * WG__ON_PG line) still compiles and works on SQLite. On a PostgreSQL store
 * wg__store_db() returns a private, empty in-memory SQLite connection that
 * refuses every statement, so such a function fails cleanly: prepare and
 * exec return SQLITE_AUTH, which wg__store_rc maps to WG_ENOTSUP ("not
 * available on this database backend yet"), and wg_store_errmsg says which.
 * It never touches the PostgreSQL data and never crashes.
 *
 * Porting a function to PostgreSQL:
 *  1. its tables: the next migration in schema_pg.c, in step with
 *     schema_sqlite.c (same table and column names — store_pg_test compares
 *     them; county first in every key of county data; geometry columns as
 *     geometry(…, 4326) with a GiST index);
 *  2. wg_err wg__pg_<name>(wg_store_t *s, …) in a store_pg_<domain>.c, using
 *     the helpers of store_pg_int.h (prepared statements with $n parameters,
 *     wg__pg_* error mapping: unique violation → WG_ECONFLICT/WG_EEXIST as
 *     the SQLite code does);
 *  3. the WG__ON_PG line at the top of the SQLite function;
 *  4. run tests/store and tests/http with WG_TEST_PG set (make test does). */
struct wg_pg;
struct wg_pg *wg__store_pg(wg_store_t *s); /* NULL on a SQLite store */
#define WG__ON_PG(s, call)              \
  do {                                  \
    if (wg__store_pg(s)) return (call); \
  } while (0)

#endif
