/* store_pg_int.h — libpq helpers shared by the store_pg*.c files. */
#ifndef WG_STORE_PG_INT_H
#define WG_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_pg.h"

/* Parameters of one statement, as libpq wants them: text values (numbers
 * formatted into buf), or binary for blobs. Values are borrowed: they must
 * outlive the call that runs the statement. A zeroed wg_pgp ({0}) holds
 * WG_PGP_MAX values in itself; wg__pgp_alloc makes a larger one for
 * batches. Past the capacity values are dropped and PostgreSQL refuses the
 * statement (too few parameters). */
enum { WG_PGP_MAX = 160 };
typedef struct wg_pgp {
  int n, cap;
  const char **v; /* these four point at the arrays below (or the heap) */
  int *len;
  int *fmt;
  char (*buf)[24];
  const char *iv[WG_PGP_MAX];
  int ilen[WG_PGP_MAX];
  int ifmt[WG_PGP_MAX];
  char ibuf[WG_PGP_MAX][24];
} wg_pgp;

/* A wg_pgp for cap values on the heap (NULL when out of memory); free it
 * with free(). */
wg_pgp *wg__pgp_alloc(int cap);

void wg__pgp_text(wg_pgp *q, const char *v); /* NULL binds "" (as on SQLite) */
void wg__pgp_null(wg_pgp *q);
void wg__pgp_int(wg_pgp *q, int64_t v);
void wg__pgp_double(wg_pgp *q, double v);
void wg__pgp_date(wg_pgp *q, int32_t yyyymmdd); /* "YYYY-MM-DD", "" for 0 */
void wg__pgp_blob(wg_pgp *q, const unsigned char *v, size_t len); /* NULL/0 → NULL */

/* Runs sql with q (may be NULL); *e is WG_OK or the mapped error (the
 * message is kept for wg_store_errmsg). The caller PQclear()s the result,
 * even on error. */
PGresult *wg__pg_exec(wg_store_t *s, const char *sql, const wg_pgp *q, wg_err *e);
wg_err wg__pg_exec_done(wg_store_t *s, const char *sql, const wg_pgp *q) WG_MUST_CHECK;
long wg__pg_changes(const PGresult *r);
const char *wg__pg_sqlstate(const PGresult *r); /* "" when none */
PGconn *wg__pg_conn(wg_store_t *s);

/* Column readers: NULL reads as "" / 0. */
const char *wg__pg_col(const PGresult *r, int row, int col);
int64_t wg__pg_i64(const PGresult *r, int row, int col);
double wg__pg_double(const PGresult *r, int row, int col);
void wg__pg_copy(char *dst, size_t cap, const PGresult *r, int row, int col);
/* The 15 resident columns (RES_COLS order) of row i. */
void wg__pg_read_resident(const PGresult *r, int i, wg_resident_t *out);

/* A savepoint inside a caller's transaction, else a transaction of its
 * own; sub_end commits (e == WG_OK) or undoes, and returns the outcome. */
wg_err wg__pg_sub_begin(wg_store_t *s) WG_MUST_CHECK;
wg_err wg__pg_sub_end(wg_store_t *s, wg_err e) WG_MUST_CHECK;

#endif
