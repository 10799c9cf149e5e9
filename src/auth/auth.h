/* auth.h — users, roles, scopes, sessions: who may see and change what.
 *
 * Scope is decided in one place, wg_auth_can_see: every read and write of
 * the HTTP API asks it before touching data (listings filter by the same
 * scope codes). A user is scoped to division
 * codes (12 digits: a county, township or community and everything below)
 * or to grid codes (14/16/18 digits: that grid and its sub-grids).
 *
 * Passwords: argon2id (libsodium crypto_pwhash_str), at least 12 characters;
 * lock-out after repeated failures. Sessions: 256-bit random tokens, stored
 * hashed, with idle and absolute expiry; a CSRF token per session. */
#ifndef WG_AUTH_H
#define WG_AUTH_H

#include <stdint.h>

#include "store/store.h"

typedef enum wg_role {
  WG_ROLE_ADMIN = 1,   /* everything, user management */
  WG_ROLE_COUNTY,      /* 县综治中心: the county */
  WG_ROLE_TOWNSHIP,    /* 乡镇: a township */
  WG_ROLE_COMMUNITY,   /* 社区两委: a community or village */
  WG_ROLE_GRID_WORKER, /* 网格员 / 楼栋长: their grids only */
  WG_ROLE_MEMBER,      /* 在职党员 / volunteer: their own records */
  WG_ROLE_AUDITOR,     /* reads the audit log; no personal data */
  WG_ROLE_COUNT_
} wg_role;

const char *wg_role_name(wg_role r);                       /* "grid-worker", … */
wg_err wg_role_parse(const char *name, wg_role *out) WG_MUST_CHECK;

enum {
  WG_AUTH_MAX_SCOPES = 32,
  WG_AUTH_MIN_PASSWORD = 12,
};

/* Permissions beyond the role's reading and writing within scope. */
enum {
  WG_PERM_UNMASK = 1 << 0,     /* may ask for clear ID numbers and phones (with a reason) */
  WG_PERM_MANAGE_USERS = 1 << 1,
};

typedef struct wg_principal {
  int64_t user_id;
  char login[64];
  wg_role role;
  unsigned perms;
  int nscopes;
  char scopes[WG_AUTH_MAX_SCOPES][19]; /* division (12) or grid (14/16/18) codes */
} wg_principal;

/* 1 when p may see the object identified by code: a 12-digit division code
 * or a grid code. A county user scoped to 141127000000 sees every code that
 * starts with 141127; a grid worker scoped to grid G sees G, its sub-grids
 * and nothing else (not its parent, not the community as a whole). Admins
 * see everything; auditors see no personal data (0 for every code). */
int wg_auth_can_see(const wg_principal *p, const char *code);

/* ---- users (CLI and API) ---------------------------------------------- */

typedef struct wg_user {
  int64_t id;
  char login[64];
  wg_role role;
  unsigned perms;
  int disabled;
  int nscopes;
  char scopes[WG_AUTH_MAX_SCOPES][19];
  char created_at[32];
  int failed_logins;
  char locked_until[32];       /* "" when not locked */
} wg_user;

/* Creates a user. Login: 3-63 of [a-z0-9._-]; password ≥ 12 characters;
 * scopes must be known division or grid codes of the county. WG_EEXIST,
 * WG_EINVAL with ei->field/why. Writes an audit row (actor). */
wg_err wg_auth_user_add(wg_store_t *s, const wg_user *u, const char *password,
                        const char *actor, wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_auth_user_passwd(wg_store_t *s, const char *login, const char *password,
                           const char *actor, wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_auth_user_disable(wg_store_t *s, const char *login, const char *actor,
                            wg_errinfo *ei) WG_MUST_CHECK;
typedef int (*wg_user_fn)(void *ctx, const wg_user *u);
wg_err wg_auth_user_each(wg_store_t *s, wg_user_fn fn, void *ctx) WG_MUST_CHECK;

/* ---- sessions (HTTP) ---------------------------------------------------- */

typedef struct wg_session {
  char token[65];              /* hex, for the HttpOnly cookie */
  char csrf[65];               /* hex, echoed by the client in X-CSRF-Token */
  int64_t expires_idle;        /* unix seconds */
  int64_t expires_absolute;
} wg_session;

typedef struct wg_auth_policy {
  int max_failures;            /* before lock-out (default 5) */
  int lock_seconds;            /* default 900 */
  int idle_seconds;            /* default 1800 */
  int absolute_seconds;        /* default 43200 */
} wg_auth_policy;

void wg_auth_policy_init(wg_auth_policy *p);

/* Signs in: checks the password (constant-time via libsodium), counts
 * failures, locks the account after too many, creates a session. `now` is
 * unix seconds (the caller's clock, so tests control it); origin is the
 * client address for the audit log. WG_EPERM (bad login or password — one
 * message for both), WG_EBUSY (locked: ei->why says until when). */
wg_err wg_auth_login(wg_store_t *s, const wg_auth_policy *pol, const char *login,
                     const char *password, const char *origin, int64_t now,
                     wg_session *out, wg_principal *who, wg_errinfo *ei) WG_MUST_CHECK;

/* Checks a session token: unknown, expired (idle or absolute) or of a
 * disabled user → WG_EPERM. On success refreshes the idle expiry and fills
 * *who (and *csrf_out, 65 bytes, when not NULL). */
wg_err wg_auth_session_check(wg_store_t *s, const wg_auth_policy *pol, const char *token,
                             int64_t now, wg_principal *who, char *csrf_out) WG_MUST_CHECK;

/* Signs out (the session row is deleted; the sign-out is audited). */
wg_err wg_auth_logout(wg_store_t *s, const char *token, const char *origin) WG_MUST_CHECK;

/* Constant-time comparison of a presented CSRF token with the session's. */
int wg_auth_csrf_ok(const char *expected, const char *presented);

#endif
