/* auth.c — roles, scopes, password hashing, sign-in, sessions, CSRF.
 *
 * Storage goes through store.h (wg_store_user_*, wg_store_session_*), so
 * no SQL lives here. Secrets: passwords are only handed to libsodium and
 * never copied; session tokens leave only in the caller's wg_session and
 * are stored as SHA-256; neither reaches an audit row or a message. */
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"

_Static_assert(WG_AUTH_MAX_SCOPES == WG_STORE_MAX_SCOPES, "scope caps differ");
_Static_assert(sizeof(((wg_user_row *)0)->password_hash) >= crypto_pwhash_STRBYTES,
               "password hash field too small");

/* An argon2id hash (INTERACTIVE limits) of a random password nobody knows:
 * verifying against it makes an unknown login cost what a known one does. */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$AiQ+9ws92fiCZwKzSU9yYg$"
    "scm39qpak0V+qk3VH2+03GFyju+Xd2FGAfzp8QHLP9Y";

static const char *const role_names[WG_ROLE_COUNT_] = {
    [WG_ROLE_ADMIN] = "admin",
    [WG_ROLE_COUNTY] = "county",
    [WG_ROLE_TOWNSHIP] = "township",
    [WG_ROLE_COMMUNITY] = "community",
    [WG_ROLE_GRID_WORKER] = "grid-worker",
    [WG_ROLE_MEMBER] = "member",
    [WG_ROLE_AUDITOR] = "auditor",
};

const char *wg_role_name(wg_role r) {
  if (r < WG_ROLE_ADMIN || r >= WG_ROLE_COUNT_) return "unknown";
  return role_names[r];
}

wg_err wg_role_parse(const char *name, wg_role *out) {
  if (!name) return WG_EINVAL;
  for (int r = WG_ROLE_ADMIN; r < WG_ROLE_COUNT_; r++) {
    if (strcmp(name, role_names[r]) == 0) {
      *out = (wg_role)r;
      return WG_OK;
    }
  }
  return WG_EINVAL;
}

void wg_auth_policy_init(wg_auth_policy *p) {
  p->max_failures = 5;
  p->lock_seconds = 900;
  p->idle_seconds = 1800;
  p->absolute_seconds = 43200;
  p->refresh_seconds = 60;
}

/* ---- codes and scope ------------------------------------------------------ */

/* Length of a well-formed code — 12, 14, 16 or 18 digits — else 0. Reads at
 * most 19 bytes, so it is safe on a char[19] that lacks its NUL. */
static size_t code_shape(const char *c) {
  size_t n = 0;
  for (; n < 19 && c[n]; n++)
    if (c[n] < '0' || c[n] > '9') return 0;
  return (n == 12 || n == 14 || n == 16 || n == 18) ? n : 0;
}

/* The significant prefix length of a 12-digit division code: province 2,
 * city 4, county 6, township 9, community/village 12 (NBS layout
 * 2+2+2+3+3, zeros fill the levels below). */
static size_t division_prefix(const char *code) {
  if (memcmp(code + 9, "000", 3) != 0) return 12;
  if (memcmp(code + 6, "000", 3) != 0) return 9;
  if (memcmp(code + 4, "00", 2) != 0) return 6;
  if (memcmp(code + 2, "00", 2) != 0) return 4;
  return 2;
}

/* How many leading characters of scope a code must share to be in it; 0
 * when the scope gives this role nothing. */
static size_t scope_prefix(wg_role role, const char *scope) {
  size_t n = code_shape(scope);
  if (n == 0) return 0;
  if (n == 12) return role == WG_ROLE_GRID_WORKER ? 0 : division_prefix(scope);
  return n;
}

int wg_auth_can_see(const wg_principal *p, const char *code) {
  if (!p || !code) return 0;
  size_t n = code_shape(code);
  if (n == 0) return 0;
  switch (p->role) {
    case WG_ROLE_ADMIN:
      return 1;
    case WG_ROLE_COUNTY:
    case WG_ROLE_TOWNSHIP:
    case WG_ROLE_COMMUNITY:
    case WG_ROLE_GRID_WORKER:
      break;
    default: /* auditor, member, anything unknown */
      return 0;
  }
  int nscopes = p->nscopes < 0 ? 0 : p->nscopes > WG_AUTH_MAX_SCOPES ? WG_AUTH_MAX_SCOPES
                                                                        : p->nscopes;
  for (int i = 0; i < nscopes; i++) {
    size_t len = scope_prefix(p->role, p->scopes[i]);
    if (len && n >= len && memcmp(code, p->scopes[i], len) == 0) return 1;
  }
  return 0;
}

/* Whether a scope code is of the kind the role needs (see auth.h). */
static int scope_fits_role(wg_role role, const char *code, const char *county) {
  size_t n = code_shape(code);
  if (n == 0 || strncmp(code, county, 6) != 0) return 0;
  size_t level = n == 12 ? division_prefix(code) : 0; /* 0: a grid */
  switch (role) {
    case WG_ROLE_ADMIN:
    case WG_ROLE_AUDITOR:
    case WG_ROLE_COUNTY:
      return level == 6;
    case WG_ROLE_TOWNSHIP:
      return level == 9;
    case WG_ROLE_COMMUNITY:
      return level == 12;
    case WG_ROLE_GRID_WORKER:
      return n > 12;
    case WG_ROLE_MEMBER:
      return n > 12 || level == 12;
    default:
      return 0;
  }
}

static const char *scope_kind(wg_role role) {
  switch (role) {
    case WG_ROLE_ADMIN:
    case WG_ROLE_AUDITOR:
    case WG_ROLE_COUNTY:
      return "the county's 12-digit code (e.g. 141127000000)";
    case WG_ROLE_TOWNSHIP:
      return "a township's 12-digit code (e.g. 141127100000)";
    case WG_ROLE_COMMUNITY:
      return "a community's or village's 12-digit code (e.g. 141127100001)";
    case WG_ROLE_GRID_WORKER:
      return "grid codes (14, 16 or 18 digits)";
    default:
      return "a community's 12-digit code or grid codes";
  }
}

/* ---- small helpers ---------------------------------------------------------- */

/* Sets ei's field, value and why; returns err. ei may be NULL. */
static wg_err fail(wg_errinfo *ei, wg_err err, const char *field, const char *value,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static wg_err fail(wg_errinfo *ei, wg_err err, const char *field, const char *value,
                   const char *fmt, ...) {
  if (!ei) return err;
  snprintf(ei->field, sizeof ei->field, "%s", field ? field : "");
  snprintf(ei->value, sizeof ei->value, "%s", value ? value : "");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ei->why, sizeof ei->why, fmt, ap);
  va_end(ap);
  return err;
}

static void iso_time(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, 32, "%lld", (long long)t);
}

static int login_ok(const char *login) {
  if (!login) return 0;
  size_t n = strnlen(login, 64);
  if (n < 3 || n > 63) return 0;
  if (strspn(login, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n) return 0;
  return (login[0] >= 'a' && login[0] <= 'z') || (login[0] >= '0' && login[0] <= '9');
}

/* Checks the password rule; never puts the password into ei. */
static wg_err password_ok(const char *pw, const char *login, wg_errinfo *ei) {
  if (!pw) return fail(ei, WG_EINVAL, "password", "", "no password given");
  size_t bytes = strnlen(pw, WG_AUTH_MAX_PASSWORD + 1);
  if (bytes > WG_AUTH_MAX_PASSWORD)
    return fail(ei, WG_EINVAL, "password", "", "the password is longer than %d bytes",
                WG_AUTH_MAX_PASSWORD);
  size_t chars = 0;
  for (size_t i = 0; i < bytes; i++) {
    unsigned char c = (unsigned char)pw[i];
    if (c < 0x20 || c == 0x7f)
      return fail(ei, WG_EINVAL, "password", "",
                  "the password contains a control character (a stray newline?)");
    if ((c & 0xc0) != 0x80) chars++; /* count UTF-8 code points, not bytes */
  }
  if (chars < WG_AUTH_MIN_PASSWORD)
    return fail(ei, WG_EINVAL, "password", "", "the password must have at least %d characters",
                WG_AUTH_MIN_PASSWORD);
  if (login && strcmp(pw, login) == 0)
    return fail(ei, WG_EINVAL, "password", "", "the password must not be the login");
  return WG_OK;
}

/* WG_AUTH_TEST_FAST=1: cheap hashes for sanitizer test runs (see auth.h). */
static int test_fast(void) {
  const char *v = getenv("WG_AUTH_TEST_FAST");
  return v && strcmp(v, "1") == 0;
}

static void hash_limits(unsigned long long *ops, size_t *mem) {
  if (test_fast()) {
    *ops = crypto_pwhash_OPSLIMIT_MIN;
    *mem = crypto_pwhash_MEMLIMIT_MIN;
  } else {
    /* INTERACTIVE: 2 passes over 64 MiB, ~0.1 s on this class of machine;
     * a sign-in is interactive and a county server signs in few people. */
    *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  }
}

static wg_err sodium_ready(wg_errinfo *ei) {
  if (sodium_init() < 0) return fail(ei, WG_EIO, "", "", "cannot initialise libsodium");
  return WG_OK;
}

static wg_err hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], wg_errinfo *ei) {
  unsigned long long ops;
  size_t mem;
  hash_limits(&ops, &mem);
  if (crypto_pwhash_str_alg(out, pw, strlen(pw), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(ei, WG_ENOMEM, "password", "", "not enough memory to hash the password");
  return WG_OK;
}

/* 1 when pw matches hash (constant time inside libsodium). */
static int password_matches(const char *hash, const char *pw) {
  if (!pw) return 0;
  size_t n = strnlen(pw, WG_AUTH_MAX_PASSWORD + 1);
  if (n > WG_AUTH_MAX_PASSWORD) return 0;
  return crypto_pwhash_str_verify(hash, pw, n) == 0;
}

static int token_ok(const char *t) {
  if (!t) return 0;
  size_t n = strnlen(t, 65);
  return n == 64 && strspn(t, "0123456789abcdef") == 64;
}

/* Hex SHA-256 of a token: what the session table holds. */
static void token_hash(const char *token, char out[65]) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
  sodium_bin2hex(out, 65, h, sizeof h);
}

static void random_hex(char out[65]) {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  sodium_bin2hex(out, 65, b, sizeof b);
  sodium_memzero(b, sizeof b);
}

static const char *origin_of_actor(const char *actor) {
  return actor && strncmp(actor, "cli:", 4) == 0 ? "cli" : "api";
}

static wg_err audit(wg_store_t *s, const char *actor, const char *action, const char *target,
                    const char *reason, const char *origin) {
  wg_audit_t a;
  memset(&a, 0, sizeof a);
  snprintf(a.actor, sizeof a.actor, "%s", actor && *actor ? actor : "?");
  snprintf(a.action, sizeof a.action, "%s", action);
  snprintf(a.target, sizeof a.target, "%s", target ? target : "");
  snprintf(a.reason, sizeof a.reason, "%s", reason ? reason : "");
  snprintf(a.origin, sizeof a.origin, "%s", origin ? origin : "");
  return wg_store_audit_add(s, &a);
}

/* Begins a transaction unless the caller already has one (then the work
 * joins it); *own says whether we must end it. */
static wg_err tx_begin(wg_store_t *s, int *own) {
  wg_err e = wg_store_begin(s);
  *own = e == WG_OK;
  return e == WG_ECONFLICT ? WG_OK : e;
}

static wg_err tx_end(wg_store_t *s, int own, wg_err e) {
  if (!own) return e;
  if (e == WG_OK) {
    e = wg_store_commit(s);
    if (e == WG_OK) return WG_OK;
  }
  wg_store_rollback(s);
  return e;
}

static void user_from_row(const wg_user_row *r, wg_user *u) {
  memset(u, 0, sizeof *u);
  u->id = r->id;
  snprintf(u->login, sizeof u->login, "%s", r->login);
  u->role = (wg_role)r->role;
  u->perms = r->perms;
  u->disabled = r->disabled;
  u->nscopes = r->nscopes;
  memcpy(u->scopes, r->scopes, sizeof u->scopes);
  snprintf(u->created_at, sizeof u->created_at, "%s", r->created_at);
  u->failed_logins = r->failed_logins;
  if (r->locked_until > (int64_t)time(NULL)) iso_time(r->locked_until, u->locked_until);
}

static void principal_from_row(const wg_user_row *r, wg_principal *p) {
  memset(p, 0, sizeof *p);
  p->user_id = r->id;
  snprintf(p->login, sizeof p->login, "%s", r->login);
  p->role = (wg_role)r->role;
  p->perms = r->perms;
  if (p->role == WG_ROLE_ADMIN) p->perms |= WG_PERM_MANAGE_USERS;
  p->nscopes = r->nscopes;
  memcpy(p->scopes, r->scopes, sizeof p->scopes);
}

/* Wipes a user row (it holds a password hash) before it leaves the stack. */
static void row_wipe(wg_user_row *r) { sodium_memzero(r, sizeof *r); }

/* ---- users ------------------------------------------------------------------ */

static wg_err check_user(wg_store_t *s, const wg_user *u, const char *county,
                         wg_errinfo *ei) {
  if (!login_ok(u->login)) {
    char shown[64]; /* u->login may lack its NUL */
    snprintf(shown, sizeof shown, "%.*s", (int)sizeof shown - 1, u->login);
    return fail(ei, WG_EINVAL, "login", shown,
                "a login is 3-63 of a-z, 0-9, '.', '_' and '-', starting with a letter or "
                "digit");
  }
  if (u->role < WG_ROLE_ADMIN || u->role >= WG_ROLE_COUNT_)
    return fail(ei, WG_EINVAL, "role", "", "unknown role");
  unsigned known = WG_PERM_UNMASK | WG_PERM_MANAGE_USERS;
  if (u->perms & ~known) return fail(ei, WG_EINVAL, "perms", "", "unknown permission bits");
  if ((u->perms & WG_PERM_UNMASK) &&
      (u->role == WG_ROLE_AUDITOR || u->role == WG_ROLE_MEMBER))
    return fail(ei, WG_EINVAL, "perms", wg_role_name(u->role),
                "a %s may not unmask personal data", wg_role_name(u->role));
  if ((u->perms & WG_PERM_MANAGE_USERS) && u->role != WG_ROLE_ADMIN &&
      u->role != WG_ROLE_COUNTY)
    return fail(ei, WG_EINVAL, "perms", wg_role_name(u->role),
                "only admin and county users may manage users");
  if (u->nscopes < 1 || u->nscopes > WG_AUTH_MAX_SCOPES)
    return fail(ei, WG_EINVAL, "scope", "", "a user needs 1 to %d scopes",
                WG_AUTH_MAX_SCOPES);
  for (int i = 0; i < u->nscopes; i++) {
    const char *c = u->scopes[i];
    char shown[20];
    snprintf(shown, sizeof shown, "%.*s", 19, c);
    if (!code_shape(c))
      return fail(ei, WG_EINVAL, "scope", shown,
                  "not a division code (12 digits) or grid code (14, 16 or 18 digits)");
    for (int j = 0; j < i; j++)
      if (strncmp(c, u->scopes[j], 19) == 0)
        return fail(ei, WG_EINVAL, "scope", shown, "given twice");
    if (strncmp(c, county, 6) != 0)
      return fail(ei, WG_EINVAL, "scope", shown, "not in county %s, which this database serves",
                  county);
    if (!scope_fits_role(u->role, c, county))
      return fail(ei, WG_EINVAL, "scope", shown, "a %s user is scoped to %s",
                  wg_role_name(u->role), scope_kind(u->role));
    wg_err e = wg_store_code_known(s, c);
    if (e == WG_ENOTFOUND)
      return fail(ei, WG_EINVAL, "scope", shown,
                  "no such division or grid in this database");
    if (e) return e;
  }
  return WG_OK;
}

wg_err wg_auth_user_add(wg_store_t *s, const wg_user *u, const char *password,
                        const char *actor, wg_errinfo *ei) {
  wg_err e = sodium_ready(ei);
  if (e) return e;
  char *county = NULL;
  e = wg_store_meta_get(s, "county", &county);
  if (e == WG_ENOTFOUND || (!e && (!county || strlen(county) != 6))) {
    free(county);
    return fail(ei, WG_EINVAL, "", "", "this database serves no county yet (wangge init)");
  }
  if (e) return e;
  wg_user_row row;
  memset(&row, 0, sizeof row);
  snprintf(row.county, sizeof row.county, "%s", county);
  free(county);

  e = check_user(s, u, row.county, ei);
  if (!e) e = password_ok(password, u->login, ei);
  if (e) return e;
  wg_user_row existing;
  e = wg_store_user_get(s, u->login, &existing);
  row_wipe(&existing);
  if (e == WG_OK) return fail(ei, WG_EEXIST, "login", u->login, "this login is taken");
  if (e != WG_ENOTFOUND) return e;

  /* Hash before taking the write lock: it is the slow part. */
  e = hash_password(password, row.password_hash, ei);
  if (e) return e;
  snprintf(row.login, sizeof row.login, "%s", u->login);
  row.role = (int)u->role;
  row.perms = u->perms;
  row.disabled = u->disabled ? 1 : 0;
  row.nscopes = u->nscopes;
  for (int i = 0; i < u->nscopes; i++) snprintf(row.scopes[i], 19, "%.18s", u->scopes[i]);

  char reason[256];
  unsigned both = WG_PERM_UNMASK | WG_PERM_MANAGE_USERS;
  size_t n = (size_t)snprintf(reason, sizeof reason, "role=%s perms=%s%s%s scopes=",
                              wg_role_name(u->role), u->perms ? "" : "none",
                              (u->perms & WG_PERM_UNMASK) ? "unmask" : "",
                              (u->perms & both) == both    ? ",manage-users"
                              : (u->perms & both) == WG_PERM_MANAGE_USERS ? "manage-users"
                                                                          : "");
  for (int i = 0; i < row.nscopes && n < sizeof reason; i++)
    n += (size_t)snprintf(reason + n, sizeof reason - n, "%s%s", i ? "," : "", row.scopes[i]);
  char target[80];
  snprintf(target, sizeof target, "user:%s", row.login);

  int own;
  e = tx_begin(s, &own);
  if (!e) {
    e = wg_store_user_add(s, &row);
    if (e == WG_EEXIST) fail(ei, WG_EEXIST, "login", u->login, "this login is taken");
  }
  if (!e) e = audit(s, actor, "user_add", target, reason, origin_of_actor(actor));
  e = tx_end(s, own, e);
  row_wipe(&row);
  return e;
}

/* Looks a user up for a change; WG_ENOTFOUND with a message. */
static wg_err find_user(wg_store_t *s, const char *login, wg_user_row *row, wg_errinfo *ei) {
  wg_err e = login_ok(login) ? wg_store_user_get(s, login, row) : WG_ENOTFOUND;
  if (e == WG_ENOTFOUND)
    return fail(ei, WG_ENOTFOUND, "login", login ? login : "", "no such user");
  return e;
}

wg_err wg_auth_user_passwd(wg_store_t *s, const char *login, const char *password,
                           const char *actor, wg_errinfo *ei) {
  wg_err e = sodium_ready(ei);
  if (e) return e;
  wg_user_row row;
  e = find_user(s, login, &row, ei);
  if (!e) e = password_ok(password, login, ei);
  char hash[crypto_pwhash_STRBYTES];
  if (!e) e = hash_password(password, hash, ei);
  if (e) {
    row_wipe(&row);
    return e;
  }
  char target[80];
  snprintf(target, sizeof target, "user:%s", row.login);
  int own;
  e = tx_begin(s, &own);
  if (!e) e = wg_store_user_set_password(s, row.id, hash);
  if (!e) e = wg_store_session_delete_user(s, row.id);
  if (!e)
    e = audit(s, actor, "user_passwd", target, "password set; sessions ended",
              origin_of_actor(actor));
  e = tx_end(s, own, e);
  sodium_memzero(hash, sizeof hash);
  row_wipe(&row);
  return e;
}

static wg_err set_disabled(wg_store_t *s, const char *login, int disabled, const char *actor,
                           wg_errinfo *ei) {
  wg_user_row row;
  wg_err e = find_user(s, login, &row, ei);
  if (e) return e;
  char target[80];
  snprintf(target, sizeof target, "user:%s", row.login);
  int own;
  e = tx_begin(s, &own);
  if (!e) e = wg_store_user_set_disabled(s, row.id, disabled);
  if (!e)
    e = audit(s, actor, disabled ? "user_disable" : "user_enable", target,
              disabled ? (row.disabled ? "was disabled already" : "sessions ended")
                       : (row.disabled ? "" : "was enabled already"),
              origin_of_actor(actor));
  e = tx_end(s, own, e);
  row_wipe(&row);
  return e;
}

wg_err wg_auth_user_disable(wg_store_t *s, const char *login, const char *actor,
                            wg_errinfo *ei) {
  return set_disabled(s, login, 1, actor, ei);
}

wg_err wg_auth_user_enable(wg_store_t *s, const char *login, const char *actor,
                           wg_errinfo *ei) {
  return set_disabled(s, login, 0, actor, ei);
}

wg_err wg_auth_user_get(wg_store_t *s, const char *login, wg_user *out) {
  wg_user_row row;
  wg_err e = login_ok(login) ? wg_store_user_get(s, login, &row) : WG_ENOTFOUND;
  if (!e) user_from_row(&row, out);
  row_wipe(&row);
  return e;
}

struct each_ctx {
  wg_user_fn fn;
  void *ctx;
  wg_user user;
};

static int each_row(void *ctx, const wg_user_row *r) {
  struct each_ctx *c = ctx;
  user_from_row(r, &c->user);
  return c->fn(c->ctx, &c->user);
}

wg_err wg_auth_user_each(wg_store_t *s, wg_user_fn fn, void *ctx) {
  struct each_ctx c = {.fn = fn, .ctx = ctx};
  return wg_store_user_each(s, each_row, &c);
}

/* ---- sessions ----------------------------------------------------------------- */

static const wg_auth_policy *policy_or_default(const wg_auth_policy *pol,
                                               wg_auth_policy *def) {
  if (pol) return pol;
  wg_auth_policy_init(def);
  return def;
}

/* "session:" and the first 12 hex digits of the token's hash: lets the audit
 * log pair a sign-in with its sign-out without holding anything usable. */
static void session_label(const char *hash, char out[32]) {
  snprintf(out, 32, "session:%.12s", hash);
}

wg_err wg_auth_login(wg_store_t *s, const wg_auth_policy *pol, const char *login,
                     const char *password, const char *origin, int64_t now,
                     wg_session *out, wg_principal *who, wg_errinfo *ei) {
  wg_auth_policy def;
  pol = policy_or_default(pol, &def);
  if (out) memset(out, 0, sizeof *out);
  if (who) memset(who, 0, sizeof *who);
  wg_err e = sodium_ready(ei);
  if (e) return e;
  const char *org = origin ? origin : "";
  /* An attempted login goes to the audit log only when it could be one: a
   * password typed into the login field is usually not. */
  int shaped = login_ok(login);
  const char *actor = shaped ? login : "(not a login)";
  char target[80];
  snprintf(target, sizeof target, "user:%s", actor);

  wg_user_row row;
  e = shaped ? wg_store_user_get(s, login, &row) : WG_ENOTFOUND;
  if (e && e != WG_ENOTFOUND) return e;
  if (e == WG_ENOTFOUND) {
    /* Spend what a verification costs, so timing does not tell which logins
     * exist. */
    (void)password_matches(dummy_hash, password);
    e = audit(s, actor, "login_failed", target, "unknown login", org);
    return e ? e : fail(ei, WG_EPERM, "", "", "wrong login or password");
  }

  char until[32];
  if (row.locked_until > now) {
    iso_time(row.locked_until, until);
    row_wipe(&row);
    e = audit(s, actor, "login_failed", target, "account locked", org);
    return e ? e : fail(ei, WG_EBUSY, "", "", "too many failed sign-ins: locked until %s", until);
  }

  int good = password_matches(row.password_hash, password);
  if (!good || row.disabled) {
    int locked = 0, own;
    e = tx_begin(s, &own);
    if (!e && !row.disabled) {
      int64_t lock_until = now + (pol->lock_seconds > 0 ? pol->lock_seconds : 0);
      e = wg_store_user_login_failed(s, row.id, pol->max_failures > 0 ? pol->max_failures : INT_MAX,
                                     lock_until, &locked);
      iso_time(lock_until, until);
    }
    if (!e)
      e = audit(s, actor, "login_failed", target,
                row.disabled ? "account disabled" : "wrong password", org);
    if (!e && locked) {
      char why[128];
      snprintf(why, sizeof why, "%d failed sign-ins; locked until %s", pol->max_failures, until);
      e = audit(s, actor, "lockout", target, why, org);
    }
    e = tx_end(s, own, e);
    row_wipe(&row);
    if (e) return e;
    if (locked)
      return fail(ei, WG_EBUSY, "", "", "too many failed sign-ins: locked until %s", until);
    return fail(ei, WG_EPERM, "", "", "wrong login or password");
  }

  /* Hashes made with weaker limits (older defaults, the test knob) are
   * replaced while the password is at hand. */
  char rehash[crypto_pwhash_STRBYTES] = "";
  unsigned long long ops;
  size_t mem;
  hash_limits(&ops, &mem);
  if (!test_fast() && crypto_pwhash_str_needs_rehash(row.password_hash, ops, mem) != 0 &&
      hash_password(password, rehash, NULL) != WG_OK)
    rehash[0] = '\0';

  wg_session_row sr;
  memset(&sr, 0, sizeof sr);
  char token[65];
  random_hex(token);
  token_hash(token, sr.token_hash);
  random_hex(sr.csrf);
  sr.user_id = row.id;
  sr.created_at = now;
  sr.expires_absolute = now + pol->absolute_seconds;
  sr.expires_idle = now + pol->idle_seconds;
  if (sr.expires_idle > sr.expires_absolute) sr.expires_idle = sr.expires_absolute;
  snprintf(sr.origin, sizeof sr.origin, "%s", org);
  char label[32];
  session_label(sr.token_hash, label);

  int own;
  e = tx_begin(s, &own);
  if (!e && rehash[0]) e = wg_store_user_set_password(s, row.id, rehash);
  else if (!e && (row.failed_logins || row.locked_until)) e = wg_store_user_login_ok(s, row.id);
  if (!e) e = wg_store_session_purge(s, now, NULL);
  if (!e) e = wg_store_session_add(s, &sr);
  if (!e) e = audit(s, actor, "login", target, label, org);
  e = tx_end(s, own, e);
  sodium_memzero(rehash, sizeof rehash);
  if (!e) {
    if (out) {
      memcpy(out->token, token, sizeof out->token);
      memcpy(out->csrf, sr.csrf, sizeof out->csrf);
      out->expires_idle = sr.expires_idle;
      out->expires_absolute = sr.expires_absolute;
    }
    if (who) principal_from_row(&row, who);
  }
  sodium_memzero(token, sizeof token);
  row_wipe(&row);
  return e;
}

wg_err wg_auth_session_check(wg_store_t *s, const wg_auth_policy *pol, const char *token,
                             int64_t now, wg_principal *who, char *csrf_out) {
  wg_auth_policy def;
  pol = policy_or_default(pol, &def);
  if (who) memset(who, 0, sizeof *who);
  if (csrf_out) csrf_out[0] = '\0';
  if (!token_ok(token)) return WG_EPERM;
  if (sodium_init() < 0) return WG_EIO;
  char th[65];
  token_hash(token, th);
  wg_session_row sr;
  wg_user_row row;
  wg_err e = wg_store_session_get(s, th, &sr, &row);
  if (e == WG_ENOTFOUND) return WG_EPERM;
  if (e) return e;
  if (now >= sr.expires_idle || now >= sr.expires_absolute || row.disabled) {
    row_wipe(&row);
    e = wg_store_session_delete(s, th);
    return e && e != WG_ENOTFOUND ? e : WG_EPERM;
  }
  int64_t idle = now + pol->idle_seconds;
  if (idle > sr.expires_absolute) idle = sr.expires_absolute;
  if (idle - sr.expires_idle >= pol->refresh_seconds) {
    e = wg_store_session_touch(s, th, idle);
    if (e == WG_ENOTFOUND) e = WG_EPERM; /* signed out meanwhile */
    if (e) {
      row_wipe(&row);
      return e;
    }
  }
  if (who) principal_from_row(&row, who);
  if (csrf_out) memcpy(csrf_out, sr.csrf, 65);
  row_wipe(&row);
  return WG_OK;
}

wg_err wg_auth_logout(wg_store_t *s, const char *token, const char *origin) {
  if (!token_ok(token)) return WG_EPERM;
  if (sodium_init() < 0) return WG_EIO;
  char th[65];
  token_hash(token, th);
  wg_session_row sr;
  wg_user_row row;
  wg_err e = wg_store_session_get(s, th, &sr, &row);
  if (e == WG_ENOTFOUND) return WG_EPERM;
  if (e) return e;
  char target[80], label[32];
  snprintf(target, sizeof target, "user:%s", row.login);
  session_label(th, label);
  int own;
  e = tx_begin(s, &own);
  if (!e) e = wg_store_session_delete(s, th);
  if (!e) e = audit(s, row.login, "logout", target, label, origin ? origin : "");
  e = tx_end(s, own, e);
  row_wipe(&row);
  return e == WG_ENOTFOUND ? WG_EPERM : e;
}

int wg_auth_csrf_ok(const char *expected, const char *presented) {
  if (!expected || !presented) return 0;
  if (strnlen(expected, 65) != 64 || strnlen(presented, 65) != 64) return 0;
  return sodium_memcmp(expected, presented, 64) == 0;
}
