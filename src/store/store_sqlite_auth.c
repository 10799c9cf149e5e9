/* store_sqlite_auth.c — users, scopes, sessions and reading the audit log,
 * for the SQLite backend of store.h.
 *
 * Statements are prepared per call (the statement cache of store_sqlite.c
 * is private to that file); these calls are rare except wg_store_session_get,
 * which is one statement per HTTP request. Multi-statement writes run under
 * a SAVEPOINT, so they are atomic inside or outside a caller's transaction. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "store/store_pg.h"

/* ---- helpers ------------------------------------------------------------ */

static wg_err exec(wg_store_t *s, const char *sql) {
  int rc = sqlite3_exec(wg__store_db(s), sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? WG_OK : wg__sqlite_step_rc(rc);
}

/* SAVEPOINT helpers: nest inside a caller's transaction or make their own. */
static wg_err sp_begin(wg_store_t *s) { return exec(s, "SAVEPOINT wg_auth"); }
static wg_err sp_end(wg_store_t *s, wg_err e) {
  if (e == WG_OK) {
    e = exec(s, "RELEASE wg_auth");
    if (e == WG_OK) return WG_OK;
  }
  (void)exec(s, "ROLLBACK TO wg_auth");
  (void)exec(s, "RELEASE wg_auth");
  return e;
}

static int cmp_code(const void *a, const void *b) { return strcmp(a, b); }

/* ---- users ---------------------------------------------------------------- */

/* The columns read_user expects, starting at column 0 of its offset. */
#define USER_COLS                                                                      \
  "u.id, u.county, u.login, u.role, u.perms, u.password_hash, u.disabled, u.created_at," \
  " u.failed_logins, u.locked_until,"                                                  \
  " (SELECT group_concat(code, ',') FROM user_scope WHERE user_id = u.id)"

static void read_user(sqlite3_stmt *st, int c, wg_user_row *u) {
  memset(u, 0, sizeof *u);
  u->id = sqlite3_column_int64(st, c + 0);
  wg__copy_text(u->county, sizeof u->county, sqlite3_column_text(st, c + 1));
  wg__copy_text(u->login, sizeof u->login, sqlite3_column_text(st, c + 2));
  u->role = sqlite3_column_int(st, c + 3);
  u->perms = (unsigned)sqlite3_column_int64(st, c + 4);
  wg__copy_text(u->password_hash, sizeof u->password_hash, sqlite3_column_text(st, c + 5));
  u->disabled = sqlite3_column_int(st, c + 6);
  wg__copy_text(u->created_at, sizeof u->created_at, sqlite3_column_text(st, c + 7));
  u->failed_logins = sqlite3_column_int(st, c + 8);
  u->locked_until = sqlite3_column_int64(st, c + 9);
  const char *list = (const char *)sqlite3_column_text(st, c + 10);
  while (list && *list && u->nscopes < WG_STORE_MAX_SCOPES) {
    size_t n = strcspn(list, ",");
    if (n < sizeof u->scopes[0]) {
      memcpy(u->scopes[u->nscopes], list, n);
      u->scopes[u->nscopes][n] = '\0';
      u->nscopes++;
    }
    list += n;
    if (*list == ',') list++;
  }
  qsort(u->scopes, (size_t)u->nscopes, sizeof u->scopes[0], cmp_code);
}

wg_err wg_store_user_add(wg_store_t *s, wg_user_row *u) {
  WG__ON_PG(s, wg__pg_user_add(s, u));
  if (u->nscopes < 0 || u->nscopes > WG_STORE_MAX_SCOPES) return WG_EINVAL;
  if (!u->created_at[0]) wg__now_iso(u->created_at);
  wg_err e = sp_begin(s);
  if (e) return e;
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO app_user(county, login, role, perms, password_hash,"
                             " disabled, created_at, failed_logins, locked_until)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!st) return sp_end(s, WG_EDB);
  wg__bind_text(st, 1, u->county);
  wg__bind_text(st, 2, u->login);
  sqlite3_bind_int(st, 3, u->role);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)u->perms);
  wg__bind_text(st, 5, u->password_hash);
  sqlite3_bind_int(st, 6, u->disabled ? 1 : 0);
  wg__bind_text(st, 7, u->created_at);
  sqlite3_bind_int(st, 8, u->failed_logins);
  sqlite3_bind_int64(st, 9, u->locked_until);
  e = wg__sqlite_run_done(st);
  if (e) return sp_end(s, e);
  u->id = sqlite3_last_insert_rowid(wg__store_db(s));
  st = wg__sqlite_prepare(s, "INSERT INTO user_scope(user_id, county, code) VALUES (?1, ?2, ?3)");
  if (!st) return sp_end(s, WG_EDB);
  for (int i = 0; i < u->nscopes && !e; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, u->id);
    wg__bind_text(st, 2, u->county);
    wg__bind_text(st, 3, u->scopes[i]);
    int rc = sqlite3_step(st);
    /* a scope given twice is a caller error, not a taken login */
    if (rc != SQLITE_DONE) e = wg__sqlite_step_rc(rc) == WG_EEXIST ? WG_EINVAL : wg__sqlite_step_rc(rc);
  }
  sqlite3_finalize(st);
  return sp_end(s, e);
}

/* Runs a user query with one bound key and reads the first row. */
static wg_err user_query(wg_store_t *s, const char *where, const char *login, int64_t id,
                         wg_user_row *out) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT " USER_COLS " FROM app_user u WHERE %s", where);
  sqlite3_stmt *st = wg__sqlite_prepare(s, sql);
  if (!st) return WG_EDB;
  if (login)
    wg__bind_text(st, 1, login);
  else
    sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  wg_err e = WG_OK;
  if (rc == SQLITE_ROW)
    read_user(st, 0, out);
  else
    e = rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  sqlite3_finalize(st);
  return e;
}

wg_err wg_store_user_get(wg_store_t *s, const char *login, wg_user_row *out) {
  WG__ON_PG(s, wg__pg_user_get(s, login, out));
  return user_query(s, "u.login = ?1", login ? login : "", 0, out);
}

wg_err wg_store_user_get_id(wg_store_t *s, int64_t id, wg_user_row *out) {
  WG__ON_PG(s, wg__pg_user_get_id(s, id, out));
  return user_query(s, "u.id = ?1", NULL, id, out);
}

wg_err wg_store_user_each(wg_store_t *s, wg_user_row_fn fn, void *ctx) {
  WG__ON_PG(s, wg__pg_user_each(s, fn, ctx));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "SELECT " USER_COLS " FROM app_user u ORDER BY u.login");
  if (!st) return WG_EDB;
  wg_user_row *u = malloc(sizeof *u);
  if (!u) {
    sqlite3_finalize(st);
    return WG_ENOMEM;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_user(st, 0, u);
    if (fn(ctx, u)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  free(u);
  return wg__sqlite_step_rc(rc);
}

/* Runs an UPDATE on one user; WG_ENOTFOUND when no row changed. */
static wg_err user_update(wg_store_t *s, sqlite3_stmt *st) {
  if (!st) return WG_EDB;
  wg_err e = wg__sqlite_run_done(st);
  if (e == WG_OK && sqlite3_changes(wg__store_db(s)) == 0) e = WG_ENOTFOUND;
  return e;
}

wg_err wg_store_user_set_password(wg_store_t *s, int64_t id, const char *hash) {
  WG__ON_PG(s, wg__pg_user_set_password(s, id, hash));
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "UPDATE app_user SET password_hash = ?2, failed_logins = 0,"
                             " locked_until = 0 WHERE id = ?1");
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    wg__bind_text(st, 2, hash);
  }
  return user_update(s, st);
}

wg_err wg_store_user_set_disabled(wg_store_t *s, int64_t id, int disabled) {
  WG__ON_PG(s, wg__pg_user_set_disabled(s, id, disabled));
  wg_err e = sp_begin(s);
  if (e) return e;
  sqlite3_stmt *st = wg__sqlite_prepare(s, "UPDATE app_user SET disabled = ?2 WHERE id = ?1");
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, disabled ? 1 : 0);
  }
  e = user_update(s, st);
  if (!e && disabled) {
    st = wg__sqlite_prepare(s, "DELETE FROM session WHERE user_id = ?1");
    if (!st) return sp_end(s, WG_EDB);
    sqlite3_bind_int64(st, 1, id);
    e = wg__sqlite_run_done(st);
  }
  return sp_end(s, e);
}

wg_err wg_store_user_login_failed(wg_store_t *s, int64_t id, int max_failures,
                                  int64_t lock_until, int *locked) {
  WG__ON_PG(s, wg__pg_user_login_failed(s, id, max_failures, lock_until, locked));
  if (locked) *locked = 0;
  /* One statement, so concurrent failures cannot lose a count. The right
   * hand sides all see the row as it was. */
  sqlite3_stmt *st = wg__sqlite_prepare(
      s,
      "UPDATE app_user SET"
      " failed_logins = CASE WHEN failed_logins + 1 >= ?2 THEN 0 ELSE failed_logins + 1 END,"
      " locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3 ELSE locked_until END"
      " WHERE id = ?1 RETURNING failed_logins = 0 AND locked_until = ?3");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, max_failures);
  sqlite3_bind_int64(st, 3, lock_until);
  int rc = sqlite3_step(st);
  wg_err e = WG_OK;
  if (rc == SQLITE_ROW) {
    if (locked) *locked = sqlite3_column_int(st, 0);
    rc = sqlite3_step(st);
  } else if (rc == SQLITE_DONE) {
    e = WG_ENOTFOUND;
  }
  if (!e && rc != SQLITE_DONE) e = wg__sqlite_step_rc(rc);
  sqlite3_finalize(st);
  return e;
}

wg_err wg_store_user_login_ok(wg_store_t *s, int64_t id) {
  WG__ON_PG(s, wg__pg_user_login_ok(s, id));
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "UPDATE app_user SET failed_logins = 0, locked_until = 0"
                             " WHERE id = ?1");
  if (st) sqlite3_bind_int64(st, 1, id);
  return user_update(s, st);
}

wg_err wg_store_code_known(wg_store_t *s, const char *code) {
  WG__ON_PG(s, wg__pg_code_known(s, code));
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT EXISTS (SELECT 1 FROM division WHERE code = ?1)"
                             " OR EXISTS (SELECT 1 FROM grid WHERE code = ?1)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, code);
  int rc = sqlite3_step(st);
  wg_err e = rc == SQLITE_ROW ? (sqlite3_column_int(st, 0) ? WG_OK : WG_ENOTFOUND) : wg__sqlite_step_rc(rc);
  sqlite3_finalize(st);
  return e;
}

/* ---- sessions --------------------------------------------------------------- */

wg_err wg_store_session_add(wg_store_t *s, const wg_session_row *r) {
  WG__ON_PG(s, wg__pg_session_add(s, r));
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "INSERT INTO session(token_hash, csrf, user_id, created_at,"
                             " expires_idle, expires_absolute, origin)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, r->token_hash);
  wg__bind_text(st, 2, r->csrf);
  sqlite3_bind_int64(st, 3, r->user_id);
  sqlite3_bind_int64(st, 4, r->created_at);
  sqlite3_bind_int64(st, 5, r->expires_idle);
  sqlite3_bind_int64(st, 6, r->expires_absolute);
  wg__bind_text(st, 7, r->origin);
  return wg__sqlite_run_done(st);
}

wg_err wg_store_session_get(wg_store_t *s, const char *token_hash, wg_session_row *out,
                            wg_user_row *user) {
  WG__ON_PG(s, wg__pg_session_get(s, token_hash, out, user));
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT s.token_hash, s.csrf, s.user_id, s.created_at,"
                             " s.expires_idle, s.expires_absolute, s.origin, " USER_COLS
                             " FROM session s JOIN app_user u ON u.id = s.user_id"
                             " WHERE s.token_hash = ?1");
  if (!st) return WG_EDB;
  wg__bind_text(st, 1, token_hash);
  int rc = sqlite3_step(st);
  wg_err e = WG_OK;
  if (rc == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    wg__copy_text(out->token_hash, sizeof out->token_hash, sqlite3_column_text(st, 0));
    wg__copy_text(out->csrf, sizeof out->csrf, sqlite3_column_text(st, 1));
    out->user_id = sqlite3_column_int64(st, 2);
    out->created_at = sqlite3_column_int64(st, 3);
    out->expires_idle = sqlite3_column_int64(st, 4);
    out->expires_absolute = sqlite3_column_int64(st, 5);
    wg__copy_text(out->origin, sizeof out->origin, sqlite3_column_text(st, 6));
    if (user) read_user(st, 7, user);
  } else {
    e = rc == SQLITE_DONE ? WG_ENOTFOUND : wg__sqlite_step_rc(rc);
  }
  sqlite3_finalize(st);
  return e;
}

wg_err wg_store_session_touch(wg_store_t *s, const char *token_hash, int64_t expires_idle) {
  WG__ON_PG(s, wg__pg_session_touch(s, token_hash, expires_idle));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "UPDATE session SET expires_idle = ?2 WHERE token_hash = ?1");
  if (st) {
    wg__bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, expires_idle);
  }
  return user_update(s, st);
}

wg_err wg_store_session_delete(wg_store_t *s, const char *token_hash) {
  WG__ON_PG(s, wg__pg_session_delete(s, token_hash));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "DELETE FROM session WHERE token_hash = ?1");
  if (st) wg__bind_text(st, 1, token_hash);
  return user_update(s, st);
}

wg_err wg_store_session_delete_user(wg_store_t *s, int64_t user_id) {
  WG__ON_PG(s, wg__pg_session_delete_user(s, user_id));
  sqlite3_stmt *st = wg__sqlite_prepare(s, "DELETE FROM session WHERE user_id = ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, user_id);
  return wg__sqlite_run_done(st);
}

wg_err wg_store_session_purge(wg_store_t *s, int64_t now, long *deleted) {
  WG__ON_PG(s, wg__pg_session_purge(s, now, deleted));
  if (deleted) *deleted = 0;
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "DELETE FROM session WHERE expires_idle <= ?1"
                             " OR expires_absolute <= ?1");
  if (!st) return WG_EDB;
  sqlite3_bind_int64(st, 1, now);
  wg_err e = wg__sqlite_run_done(st);
  if (!e && deleted) *deleted = sqlite3_changes(wg__store_db(s));
  return e;
}

/* ---- audit log ------------------------------------------------------------ */

wg_err wg_store_audit_each(wg_store_t *s, const wg_audit_filter *f, wg_audit_fn fn,
                           void *ctx) {
  WG__ON_PG(s, wg__pg_audit_each(s, f, fn, ctx));
  sqlite3_stmt *st = wg__sqlite_prepare(s,
                             "SELECT id, at, actor, action, target, reason, origin FROM audit"
                             " WHERE (?1 IS NULL OR actor = ?1)"
                             " AND (?2 IS NULL OR action = ?2)"
                             " AND (?3 IS NULL OR at >= ?3)"
                             " ORDER BY id DESC LIMIT ?4");
  if (!st) return WG_EDB;
  if (f && f->actor) wg__bind_text(st, 1, f->actor);
  if (f && f->action) wg__bind_text(st, 2, f->action);
  if (f && f->since) wg__bind_text(st, 3, f->since);
  sqlite3_bind_int64(st, 4, f && f->limit > 0 ? f->limit : -1);
  wg_audit_row r;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&r, 0, sizeof r);
    r.id = sqlite3_column_int64(st, 0);
    wg__copy_text(r.at, sizeof r.at, sqlite3_column_text(st, 1));
    wg__copy_text(r.a.actor, sizeof r.a.actor, sqlite3_column_text(st, 2));
    wg__copy_text(r.a.action, sizeof r.a.action, sqlite3_column_text(st, 3));
    wg__copy_text(r.a.target, sizeof r.a.target, sqlite3_column_text(st, 4));
    wg__copy_text(r.a.reason, sizeof r.a.reason, sqlite3_column_text(st, 5));
    wg__copy_text(r.a.origin, sizeof r.a.origin, sqlite3_column_text(st, 6));
    if (fn(ctx, &r)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return wg__sqlite_step_rc(rc);
}
