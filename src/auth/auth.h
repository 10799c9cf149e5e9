/* auth.h — users, roles, scopes, sessions: who may see and change what.
 *
 * Scope is decided in one place, wg_auth_can_see: every read and write of
 * the HTTP API asks it before touching data (listings filter by the same
 * scope codes). A user is scoped to division
 * codes (12 digits: a county, township or community and everything below)
 * or to grid codes (14/16/18 digits: that grid and its sub-grids).
 *
 * Passwords: argon2id (libsodium crypto_pwhash_str_alg) with the
 * INTERACTIVE limits (2 passes over 64 MiB, about 0.1 s per hash), at least
 * 12 characters; lock-out after repeated failures. Sessions: 256-bit random
 * tokens, stored only as their SHA-256, with idle and absolute expiry; a
 * CSRF token per session. Every user change, sign-in (success or failure),
 * lock-out and sign-out writes an audit row; none holds a password or token.
 *
 * Test knob: with WG_AUTH_TEST_FAST=1 in the environment new hashes use
 * crypto_pwhash's MIN limits (fast, weak) so sanitizer builds of the tests
 * stay quick. Never set it in production; hashes made with it are upgraded
 * at the next successful sign-in without it.
 *
 * Thread safety: the functions keep no state of their own; a wg_store_t is
 * used by one thread at a time. */
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
  WG_AUTH_MIN_PASSWORD = 12,   /* characters (UTF-8 code points) */
  WG_AUTH_MAX_PASSWORD = 1024, /* bytes */
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
 * or a grid code (14/16/18 digits); 0 for anything else (NULL, other
 * lengths, non-digits). A division scope covers the codes that start with
 * its significant part: 141127000000 (a county) covers 141127…,
 * 141127100000 (a township) covers 141127100… (not 141127101…),
 * 141127100001 (a community) covers itself and its grids. A grid worker
 * scoped to grid G sees G, its sub-grids and nothing else (not its parent,
 * not the community as a whole; division scopes give a grid worker
 * nothing). Admins see every code; auditors see no personal data and
 * members see only their own records, which are not found by code: 0 for
 * every code. */
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

/* Creates a user. Login: 3-63 of [a-z0-9._-], starting with a letter or
 * digit; password 12 characters to WG_AUTH_MAX_PASSWORD bytes, no control
 * characters, not the login; 1..WG_AUTH_MAX_SCOPES scopes, known division
 * or grid codes of the county the store serves (meta "county"), of the
 * kind the role needs: admin, auditor and county → the county's code;
 * township → township codes; community → community codes; grid-worker →
 * grid codes; member → community or grid codes. Perms: UNMASK not for
 * auditors or members; MANAGE_USERS only for admin (implied) and county.
 * WG_EEXIST (login taken), WG_EINVAL with ei->field/value/why. Writes an
 * audit row (actor; origin "cli" when actor starts with "cli:", else
 * "api"). The caller owns and wipes the password. */
wg_err wg_auth_user_add(wg_store_t *s, const wg_user *u, const char *password,
                        const char *actor, wg_errinfo *ei) WG_MUST_CHECK;
/* passwd sets a new password (same rules as add), clears failures and
 * lock-out and ends the user's sessions; disable ends them too; enable
 * undoes disable. WG_ENOTFOUND for an unknown login. Each writes an audit
 * row. */
wg_err wg_auth_user_passwd(wg_store_t *s, const char *login, const char *password,
                           const char *actor, wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_auth_user_disable(wg_store_t *s, const char *login, const char *actor,
                            wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_auth_user_enable(wg_store_t *s, const char *login, const char *actor,
                           wg_errinfo *ei) WG_MUST_CHECK;
/* One user by login (no password hash leaves auth); WG_ENOTFOUND. */
wg_err wg_auth_user_get(wg_store_t *s, const char *login, wg_user *out) WG_MUST_CHECK;
/* Every user, ordered by login; fn returning non-zero stops the walk. */
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
  int refresh_seconds;         /* the idle expiry is written at most this often
                                  per session (default 60), so a busy session
                                  does not write on every request */
} wg_auth_policy;

void wg_auth_policy_init(wg_auth_policy *p);
/* Functions taking a policy accept NULL for the defaults. max_failures ≤ 0
 * disables lock-out. */

/* Signs in: checks the password (constant-time via libsodium), counts
 * failures, locks the account after too many, creates a session. `now` is
 * unix seconds (the caller's clock, so tests control it); origin is the
 * client address for the audit log. WG_EPERM (bad login or password, or a
 * disabled user — one message for all), WG_EBUSY (locked, also returned by
 * the failure that locks: ei->why says until when). An unknown login costs
 * the same hashing time as a known one. Expired sessions are purged. */
wg_err wg_auth_login(wg_store_t *s, const wg_auth_policy *pol, const char *login,
                     const char *password, const char *origin, int64_t now,
                     wg_session *out, wg_principal *who, wg_errinfo *ei) WG_MUST_CHECK;

/* Checks a session token: unknown, expired (idle or absolute) or of a
 * disabled user → WG_EPERM. On success refreshes the idle expiry and fills
 * *who (and *csrf_out, 65 bytes, when not NULL). */
wg_err wg_auth_session_check(wg_store_t *s, const wg_auth_policy *pol, const char *token,
                             int64_t now, wg_principal *who, char *csrf_out) WG_MUST_CHECK;

/* Signs out (the session row is deleted; the sign-out is audited).
 * WG_EPERM for an unknown token. */
wg_err wg_auth_logout(wg_store_t *s, const char *token, const char *origin) WG_MUST_CHECK;

/* Constant-time comparison of a presented CSRF token with the session's:
 * 1 when equal; 0 when either is NULL or not 64 characters. */
int wg_auth_csrf_ok(const char *expected, const char *presented);

#endif
