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

#endif
