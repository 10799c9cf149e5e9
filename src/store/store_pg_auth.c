/* store_pg_auth.c — users, scopes, sessions and reading the audit log on
 * PostgreSQL (the same statements as store_sqlite_auth.c). Multi-statement
 * writes run under a savepoint or a transaction of their own, so they are
 * atomic inside or outside a caller's transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg_int.h"

static int cmp_code(const void *a, const void *b) { return strcmp(a, b); }

#define USER_COLS                                                                      \
  "u.id, u.county, u.login, u.role, u.perms, u.password_hash, u.disabled, u.created_at," \
  " u.failed_logins, u.locked_until,"                                                  \
  " (SELECT string_agg(code, ',') FROM user_scope WHERE user_id = u.id)"

static void read_user(const PGresult *r, int i, int c, wg_user_row *u) {
  memset(u, 0, sizeof *u);
  u->id = wg__pg_i64(r, i, c + 0);
  wg__pg_copy(u->county, sizeof u->county, r, i, c + 1);
  wg__pg_copy(u->login, sizeof u->login, r, i, c + 2);
  u->role = (int)wg__pg_i64(r, i, c + 3);
  u->perms = (unsigned)wg__pg_i64(r, i, c + 4);
  wg__pg_copy(u->password_hash, sizeof u->password_hash, r, i, c + 5);
  u->disabled = (int)wg__pg_i64(r, i, c + 6);
  wg__pg_copy(u->created_at, sizeof u->created_at, r, i, c + 7);
  u->failed_logins = (int)wg__pg_i64(r, i, c + 8);
  u->locked_until = wg__pg_i64(r, i, c + 9);
  const char *list = wg__pg_col(r, i, c + 10);
  while (*list && u->nscopes < WG_STORE_MAX_SCOPES) {
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

wg_err wg__pg_user_add(wg_store_t *s, wg_user_row *u) {
  if (u->nscopes < 0 || u->nscopes > WG_STORE_MAX_SCOPES) return WG_EINVAL;
  if (!u->created_at[0]) wg__now_iso(u->created_at);
  wg_err e = wg__pg_sub_begin(s);
  if (e) return e;
  wg_pgp q = {0};
  wg__pgp_text(&q, u->county);
  wg__pgp_text(&q, u->login);
  wg__pgp_int(&q, u->role);
  wg__pgp_int(&q, (int64_t)u->perms);
  wg__pgp_text(&q, u->password_hash);
  wg__pgp_int(&q, u->disabled ? 1 : 0);
  wg__pgp_text(&q, u->created_at);
  wg__pgp_int(&q, u->failed_logins);
  wg__pgp_int(&q, u->locked_until);
  PGresult *r = wg__pg_exec(s,
                            "INSERT INTO app_user(county, login, role, perms, password_hash,"
                            " disabled, created_at, failed_logins, locked_until)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                            " ON CONFLICT (login) DO NOTHING RETURNING id",
                            &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_EEXIST;
  if (!e) u->id = wg__pg_i64(r, 0, 0);
  PQclear(r);
  for (int i = 0; i < u->nscopes && !e; i++) {
    wg_pgp qs = {0};
    wg__pgp_int(&qs, u->id);
    wg__pgp_text(&qs, u->county);
    wg__pgp_text(&qs, u->scopes[i]);
    r = wg__pg_exec(s,
                    "INSERT INTO user_scope(user_id, county, code) VALUES ($1, $2, $3)"
                    " ON CONFLICT DO NOTHING",
                    &qs, &e);
    /* a scope given twice is a caller error, not a taken login */
    if (!e && wg__pg_changes(r) != 1) e = WG_EINVAL;
    PQclear(r);
  }
  return wg__pg_sub_end(s, e);
}

static wg_err user_query(wg_store_t *s, const char *where, const char *login, int64_t id,
                         wg_user_row *out) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT " USER_COLS " FROM app_user u WHERE %s", where);
  wg_pgp q = {0};
  if (login)
    wg__pgp_text(&q, login);
  else
    wg__pgp_int(&q, id);
  wg_err e;
  PGresult *r = wg__pg_exec(s, sql, &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) read_user(r, 0, 0, out);
  PQclear(r);
  return e;
}

wg_err wg__pg_user_get(wg_store_t *s, const char *login, wg_user_row *out) {
  return user_query(s, "u.login = $1", login ? login : "", 0, out);
}

wg_err wg__pg_user_get_id(wg_store_t *s, int64_t id, wg_user_row *out) {
  return user_query(s, "u.id = $1", NULL, id, out);
}

wg_err wg__pg_user_each(wg_store_t *s, wg_user_row_fn fn, void *ctx) {
  wg_user_row *u = malloc(sizeof *u);
  if (!u) return WG_ENOMEM;
  wg_err e;
  /* COLLATE "C": the order SQLite gives (bytewise). */
  PGresult *r =
      wg__pg_exec(s, "SELECT " USER_COLS " FROM app_user u ORDER BY u.login COLLATE \"C\"", NULL,
                  &e);
  for (int i = 0; !e && i < PQntuples(r); i++) {
    read_user(r, i, 0, u);
    if (fn(ctx, u)) break;
  }
  PQclear(r);
  free(u);
  return e;
}

/* Runs an UPDATE/DELETE of one row; WG_ENOTFOUND when none changed. */
static wg_err one_row(wg_store_t *s, const char *sql, const wg_pgp *q) {
  wg_err e;
  PGresult *r = wg__pg_exec(s, sql, q, &e);
  if (!e && wg__pg_changes(r) == 0) e = WG_ENOTFOUND;
  PQclear(r);
  return e;
}

wg_err wg__pg_user_set_password(wg_store_t *s, int64_t id, const char *hash) {
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  wg__pgp_text(&q, hash);
  return one_row(s,
                 "UPDATE app_user SET password_hash = $2, failed_logins = 0,"
                 " locked_until = 0 WHERE id = $1",
                 &q);
}

wg_err wg__pg_user_set_disabled(wg_store_t *s, int64_t id, int disabled) {
  wg_err e = wg__pg_sub_begin(s);
  if (e) return e;
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  wg__pgp_int(&q, disabled ? 1 : 0);
  e = one_row(s, "UPDATE app_user SET disabled = $2 WHERE id = $1", &q);
  if (!e && disabled) {
    wg_pgp q1 = {0};
    wg__pgp_int(&q1, id);
    e = wg__pg_exec_done(s, "DELETE FROM session WHERE user_id = $1", &q1);
  }
  return wg__pg_sub_end(s, e);
}

wg_err wg__pg_user_login_failed(wg_store_t *s, int64_t id, int max_failures, int64_t lock_until,
                                int *locked) {
  if (locked) *locked = 0;
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  wg__pgp_int(&q, max_failures);
  wg__pgp_int(&q, lock_until);
  wg_err e;
  PGresult *r = wg__pg_exec(
      s,
      "UPDATE app_user SET"
      " failed_logins = CASE WHEN failed_logins + 1 >= $2::int THEN 0 ELSE failed_logins + 1 END,"
      " locked_until = CASE WHEN failed_logins + 1 >= $2::int THEN $3::bigint"
      " ELSE locked_until END"
      " WHERE id = $1 RETURNING (failed_logins = 0 AND locked_until = $3::bigint)::int",
      &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e && locked) *locked = (int)wg__pg_i64(r, 0, 0);
  PQclear(r);
  return e;
}

wg_err wg__pg_user_login_ok(wg_store_t *s, int64_t id) {
  wg_pgp q = {0};
  wg__pgp_int(&q, id);
  return one_row(s, "UPDATE app_user SET failed_logins = 0, locked_until = 0 WHERE id = $1", &q);
}

wg_err wg__pg_code_known(wg_store_t *s, const char *code) {
  wg_pgp q = {0};
  wg__pgp_text(&q, code);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT (EXISTS (SELECT 1 FROM division WHERE code = $1)"
                            " OR EXISTS (SELECT 1 FROM grid WHERE code = $1))::int",
                            &q, &e);
  if (!e) e = wg__pg_i64(r, 0, 0) ? WG_OK : WG_ENOTFOUND;
  PQclear(r);
  return e;
}

/* ---- sessions ------------------------------------------------------------------ */

wg_err wg__pg_session_add(wg_store_t *s, const wg_session_row *row) {
  wg_pgp q = {0};
  wg__pgp_text(&q, row->token_hash);
  wg__pgp_text(&q, row->csrf);
  wg__pgp_int(&q, row->user_id);
  wg__pgp_int(&q, row->created_at);
  wg__pgp_int(&q, row->expires_idle);
  wg__pgp_int(&q, row->expires_absolute);
  wg__pgp_text(&q, row->origin);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "INSERT INTO session(token_hash, csrf, user_id, created_at,"
                            " expires_idle, expires_absolute, origin)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                            &q, &e);
  if (!e && wg__pg_changes(r) != 1) e = WG_EEXIST;
  PQclear(r);
  return e;
}

wg_err wg__pg_session_get(wg_store_t *s, const char *token_hash, wg_session_row *out,
                          wg_user_row *user) {
  wg_pgp q = {0};
  wg__pgp_text(&q, token_hash);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT s.token_hash, s.csrf, s.user_id, s.created_at,"
                            " s.expires_idle, s.expires_absolute, s.origin, " USER_COLS
                            " FROM session s JOIN app_user u ON u.id = s.user_id"
                            " WHERE s.token_hash = $1",
                            &q, &e);
  if (!e && PQntuples(r) == 0) e = WG_ENOTFOUND;
  if (!e) {
    memset(out, 0, sizeof *out);
    wg__pg_copy(out->token_hash, sizeof out->token_hash, r, 0, 0);
    wg__pg_copy(out->csrf, sizeof out->csrf, r, 0, 1);
    out->user_id = wg__pg_i64(r, 0, 2);
    out->created_at = wg__pg_i64(r, 0, 3);
    out->expires_idle = wg__pg_i64(r, 0, 4);
    out->expires_absolute = wg__pg_i64(r, 0, 5);
    wg__pg_copy(out->origin, sizeof out->origin, r, 0, 6);
    if (user) read_user(r, 0, 7, user);
  }
  PQclear(r);
  return e;
}

wg_err wg__pg_session_touch(wg_store_t *s, const char *token_hash, int64_t expires_idle) {
  wg_pgp q = {0};
  wg__pgp_text(&q, token_hash);
  wg__pgp_int(&q, expires_idle);
  return one_row(s, "UPDATE session SET expires_idle = $2 WHERE token_hash = $1", &q);
}

wg_err wg__pg_session_delete(wg_store_t *s, const char *token_hash) {
  wg_pgp q = {0};
  wg__pgp_text(&q, token_hash);
  return one_row(s, "DELETE FROM session WHERE token_hash = $1", &q);
}

wg_err wg__pg_session_delete_user(wg_store_t *s, int64_t user_id) {
  wg_pgp q = {0};
  wg__pgp_int(&q, user_id);
  return wg__pg_exec_done(s, "DELETE FROM session WHERE user_id = $1", &q);
}

wg_err wg__pg_session_purge(wg_store_t *s, int64_t now, long *deleted) {
  if (deleted) *deleted = 0;
  wg_pgp q = {0};
  wg__pgp_int(&q, now);
  wg_err e;
  PGresult *r = wg__pg_exec(
      s, "DELETE FROM session WHERE expires_idle <= $1 OR expires_absolute <= $1", &q, &e);
  if (!e && deleted) *deleted = wg__pg_changes(r);
  PQclear(r);
  return e;
}

/* ---- audit log ------------------------------------------------------------------ */

wg_err wg__pg_audit_each(wg_store_t *s, const wg_audit_filter *f, wg_audit_fn fn, void *ctx) {
  wg_pgp q = {0};
  if (f && f->actor)
    wg__pgp_text(&q, f->actor);
  else
    wg__pgp_null(&q);
  if (f && f->action)
    wg__pgp_text(&q, f->action);
  else
    wg__pgp_null(&q);
  if (f && f->since)
    wg__pgp_text(&q, f->since);
  else
    wg__pgp_null(&q);
  if (f && f->limit > 0)
    wg__pgp_int(&q, f->limit);
  else
    wg__pgp_null(&q);
  wg_err e;
  PGresult *r = wg__pg_exec(s,
                            "SELECT id, at, actor, action, target, reason, origin FROM audit"
                            " WHERE ($1::text IS NULL OR actor = $1)"
                            " AND ($2::text IS NULL OR action = $2)"
                            " AND ($3::text IS NULL OR at >= $3)"
                            " ORDER BY id DESC LIMIT $4::bigint",
                            &q, &e);
  wg_audit_row a;
  for (int i = 0; !e && i < PQntuples(r); i++) {
    memset(&a, 0, sizeof a);
    a.id = wg__pg_i64(r, i, 0);
    wg__pg_copy(a.at, sizeof a.at, r, i, 1);
    wg__pg_copy(a.a.actor, sizeof a.a.actor, r, i, 2);
    wg__pg_copy(a.a.action, sizeof a.a.action, r, i, 3);
    wg__pg_copy(a.a.target, sizeof a.a.target, r, i, 4);
    wg__pg_copy(a.a.reason, sizeof a.a.reason, r, i, 5);
    wg__pg_copy(a.a.origin, sizeof a.a.origin, r, i, 6);
    if (fn(ctx, &a)) break;
  }
  PQclear(r);
  return e;
}
