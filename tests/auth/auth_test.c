/* auth tests: the scope matrix of wg_auth_can_see, the password rule and
 * hash format, user management, sign-in, lock-out, session expiry and
 * refresh, disabled users, sign-out, CSRF, tokens stored only hashed, and
 * the audit rows each event leaves (never holding a password or token).
 *
 * Most hashing runs with WG_AUTH_TEST_FAST=1 (crypto_pwhash MIN limits) to
 * stay fast under ASan; production_hash_format and rehash_on_login use the
 * real limits. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "store/store_int.h"
#include "test.h"

static char *dir;
static wg_store_t *st;
static const char *const PW = "correct horse battery";
static const int64_t T0 = 1800000000; /* 2027-01-15: the test clock */

/* ---- fixtures ------------------------------------------------------------- */

static void put_div(wg_store_t *s, const char *code, const char *parent, int level) {
  wg_division_t d = {.level = (wg_division_level)level, .kind = WG_AREA_URBAN};
  snprintf(d.code, sizeof d.code, "%s", code);
  snprintf(d.parent, sizeof d.parent, "%s", parent);
  snprintf(d.name, sizeof d.name, "d%s", code);
  CHECK_EQ(wg_store_division_put(s, &d), WG_OK);
}

static void put_grid(wg_store_t *s, int64_t plan, const char *code, int level,
                     const char *parent) {
  wg_grid_t g = {.plan_id = plan, .county = "141127", .level = level, .households = 10,
                 .units = 1};
  snprintf(g.code, sizeof g.code, "%s", code);
  snprintf(g.parent, sizeof g.parent, "%s", parent);
  snprintf(g.community, sizeof g.community, "%.12s", code);
  CHECK_EQ(wg_store_grid_add(s, &g), WG_OK);
}

/* A county with two townships, three communities and a few grids. */
static wg_store_t *open_county(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_store_open(path, WG_STORE_CREATE, &s, &ei), WG_OK);
  CHECK_EQ(wg_store_meta_set(s, "county", "141127"), WG_OK);
  put_div(s, "141127000000", "", WG_DIV_COUNTY);
  put_div(s, "141127100000", "141127000000", WG_DIV_TOWNSHIP);
  put_div(s, "141127101000", "141127000000", WG_DIV_TOWNSHIP);
  put_div(s, "141127100001", "141127100000", WG_DIV_COMMUNITY);
  put_div(s, "141127100010", "141127100000", WG_DIV_COMMUNITY);
  put_div(s, "141127101001", "141127101000", WG_DIV_COMMUNITY);
  wg_plan_t p = {.county = "141127", .status = WG_PLAN_ACTIVE, .actor = "test", .nlevels = 3,
                 .bounds = "300-500,50-100,10-20"};
  CHECK_EQ(wg_store_plan_add(s, &p), WG_OK);
  put_grid(s, p.id, "14112710000101", 1, "141127100001");
  put_grid(s, p.id, "1411271000010101", 2, "14112710000101");
  put_grid(s, p.id, "141127100001010101", 3, "1411271000010101");
  put_grid(s, p.id, "14112710000102", 1, "141127100001");
  return s;
}

static wg_user make_user(const char *login, wg_role role, const char *scope) {
  wg_user u;
  memset(&u, 0, sizeof u);
  snprintf(u.login, sizeof u.login, "%s", login);
  u.role = role;
  u.nscopes = 1;
  snprintf(u.scopes[0], sizeof u.scopes[0], "%s", scope);
  return u;
}

static wg_principal principal(wg_role role, const char *scope) {
  wg_principal p;
  memset(&p, 0, sizeof p);
  p.role = role;
  if (scope) {
    p.nscopes = 1;
    snprintf(p.scopes[0], sizeof p.scopes[0], "%s", scope);
  }
  return p;
}

static long count_sql(wg_store_t *s, const char *sql) {
  sqlite3_stmt *q;
  long n = -1;
  if (sqlite3_prepare_v2(wg__store_db(s), sql, -1, &q, NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW)
    n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  return n;
}

static long audits(wg_store_t *s, const char *action) {
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s'", action);
  return count_sql(s, sql);
}

/* 1 when any audit column of any row contains needle. */
static int audit_contains(wg_store_t *s, const char *needle) {
  sqlite3_stmt *q;
  int found = 0;
  sqlite3_prepare_v2(wg__store_db(s),
                     "SELECT count(*) FROM audit WHERE instr(actor || target || reason || origin"
                     " || action, ?1) > 0", -1, &q, NULL);
  sqlite3_bind_text(q, 1, needle, -1, SQLITE_STATIC);
  if (sqlite3_step(q) == SQLITE_ROW) found = sqlite3_column_int(q, 0) > 0;
  sqlite3_finalize(q);
  return found;
}

/* 1 when the bytes of needle occur in the file. */
static int file_contains(const char *path, const char *needle) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = strlen(needle), cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  int found = 0;
  size_t got;
  while (!found && (got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    for (size_t i = 0; i + n <= len; i++)
      if (memcmp(buf + i, needle, n) == 0) found = 1;
    if (len >= n) { /* keep the tail, in case needle straddles reads */
      memmove(buf, buf + len - (n - 1), n - 1);
      len = n - 1;
    }
  }
  free(buf);
  fclose(f);
  return found;
}

/* ---- scope matrix --------------------------------------------------------- */

TEST(role_names) {
  for (int r = WG_ROLE_ADMIN; r < WG_ROLE_COUNT_; r++) {
    wg_role back;
    CHECK_EQ(wg_role_parse(wg_role_name((wg_role)r), &back), WG_OK);
    CHECK_EQ(back, r);
  }
  CHECK_STR(wg_role_name(WG_ROLE_GRID_WORKER), "grid-worker");
  wg_role r;
  CHECK_EQ(wg_role_parse("root", &r), WG_EINVAL);
  CHECK_EQ(wg_role_parse(NULL, &r), WG_EINVAL);
  CHECK_STR(wg_role_name((wg_role)0), "unknown");
  CHECK_STR(wg_role_name(WG_ROLE_COUNT_), "unknown");
}

struct see_case {
  wg_role role;
  const char *scope;
  const char *code;
  int want;
};

TEST(can_see_matrix) {
  static const struct see_case cases[] = {
      /* admin: every well-formed code, nothing malformed */
      {WG_ROLE_ADMIN, "141127000000", "141127100001", 1},
      {WG_ROLE_ADMIN, "141127000000", "320102000000", 1},
      {WG_ROLE_ADMIN, "141127000000", "141127100001010101", 1},
      {WG_ROLE_ADMIN, "141127000000", "14112710000", 0},
      {WG_ROLE_ADMIN, "141127000000", "1411271000x1", 0},
      {WG_ROLE_ADMIN, "141127000000", "", 0},
      /* county 141127: everything starting with 141127 */
      {WG_ROLE_COUNTY, "141127000000", "141127000000", 1},
      {WG_ROLE_COUNTY, "141127000000", "141127100001", 1},
      {WG_ROLE_COUNTY, "141127000000", "141127101001", 1},
      {WG_ROLE_COUNTY, "141127000000", "14112710000101", 1},
      {WG_ROLE_COUNTY, "141127000000", "141127100001010101", 1},
      {WG_ROLE_COUNTY, "141127000000", "141128100001", 0},      /* next county */
      {WG_ROLE_COUNTY, "141127000000", "141100000000", 0},      /* its city */
      {WG_ROLE_COUNTY, "141127000000", "14112710000", 0},       /* 11 digits */
      {WG_ROLE_COUNTY, "141127000000", "1411271000010", 0},     /* 13 digits */
      {WG_ROLE_COUNTY, "141127000000", "1411271000010101010", 0}, /* 19 digits */
      /* township 141127100: not its sibling 141127101, not the county */
      {WG_ROLE_TOWNSHIP, "141127100000", "141127100000", 1},
      {WG_ROLE_TOWNSHIP, "141127100000", "141127100001", 1},
      {WG_ROLE_TOWNSHIP, "141127100000", "141127100010", 1},
      {WG_ROLE_TOWNSHIP, "141127100000", "14112710000101", 1},
      {WG_ROLE_TOWNSHIP, "141127100000", "141127101001", 0},
      {WG_ROLE_TOWNSHIP, "141127100000", "141127101000", 0},
      {WG_ROLE_TOWNSHIP, "141127100000", "14112710100101", 0},
      {WG_ROLE_TOWNSHIP, "141127100000", "141127000000", 0},
      {WG_ROLE_TOWNSHIP, "141127100000", "14112710000", 0},
      /* community 141127100001: itself and its grids, not 141127100010's */
      {WG_ROLE_COMMUNITY, "141127100001", "141127100001", 1},
      {WG_ROLE_COMMUNITY, "141127100001", "14112710000101", 1},
      {WG_ROLE_COMMUNITY, "141127100001", "141127100001010101", 1},
      {WG_ROLE_COMMUNITY, "141127100001", "141127100010", 0},
      {WG_ROLE_COMMUNITY, "141127100001", "14112710001001", 0}, /* shares 1411271000 */
      {WG_ROLE_COMMUNITY, "141127100001", "141127100000", 0},
      {WG_ROLE_COMMUNITY, "141127100001", "141127000000", 0},
      /* grid worker on level-1 grid 14112710000101: it and below only */
      {WG_ROLE_GRID_WORKER, "14112710000101", "14112710000101", 1},
      {WG_ROLE_GRID_WORKER, "14112710000101", "1411271000010101", 1},
      {WG_ROLE_GRID_WORKER, "14112710000101", "141127100001010101", 1},
      {WG_ROLE_GRID_WORKER, "14112710000101", "14112710000102", 0},   /* sibling */
      {WG_ROLE_GRID_WORKER, "14112710000101", "1411271000010201", 0}, /* sibling's child */
      {WG_ROLE_GRID_WORKER, "14112710000101", "14112710000110", 0},
      {WG_ROLE_GRID_WORKER, "14112710000101", "141127100001", 0},     /* its community */
      {WG_ROLE_GRID_WORKER, "14112710000101", "141127100000", 0},
      {WG_ROLE_GRID_WORKER, "14112710000101", "141127000000", 0},
      {WG_ROLE_GRID_WORKER, "14112710000101", "141127100001010", 0},  /* 15 digits */
      /* grid worker on level-2 grid: not its parent, not its sibling */
      {WG_ROLE_GRID_WORKER, "1411271000010101", "1411271000010101", 1},
      {WG_ROLE_GRID_WORKER, "1411271000010101", "141127100001010101", 1},
      {WG_ROLE_GRID_WORKER, "1411271000010101", "141127100001010201", 0},
      {WG_ROLE_GRID_WORKER, "1411271000010101", "14112710000101", 0},
      {WG_ROLE_GRID_WORKER, "1411271000010101", "1411271000010102", 0},
      /* a division scope gives a grid worker nothing */
      {WG_ROLE_GRID_WORKER, "141127100001", "141127100001", 0},
      {WG_ROLE_GRID_WORKER, "141127100001", "14112710000101", 0},
      /* malformed scopes grant nothing */
      {WG_ROLE_TOWNSHIP, "14112710000", "141127100001", 0},
      {WG_ROLE_COUNTY, "1411", "141127100001", 0},
      {WG_ROLE_COUNTY, "", "141127100001", 0},
      /* members and auditors: no personal data by code */
      {WG_ROLE_MEMBER, "141127100001", "141127100001", 0},
      {WG_ROLE_MEMBER, "14112710000101", "14112710000101", 0},
      {WG_ROLE_AUDITOR, "141127000000", "141127000000", 0},
      {WG_ROLE_AUDITOR, "141127000000", "141127100001", 0},
      {(wg_role)0, "141127000000", "141127100001", 0},
      {WG_ROLE_COUNT_, "141127000000", "141127100001", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_principal p = principal(cases[i].role, cases[i].scope);
    int got = wg_auth_can_see(&p, cases[i].code);
    if (got != cases[i].want)
      printf("#   case %zu: %s scoped %s, code %s: got %d, want %d\n", i,
             wg_role_name(cases[i].role), cases[i].scope, cases[i].code, got, cases[i].want);
    CHECK_EQ(got, cases[i].want);
  }
}

TEST(can_see_edges) {
  wg_principal p = principal(WG_ROLE_COUNTY, "141127000000");
  CHECK_EQ(wg_auth_can_see(NULL, "141127100001"), 0);
  CHECK_EQ(wg_auth_can_see(&p, NULL), 0);
  /* several scopes: any one admits */
  wg_principal g = principal(WG_ROLE_GRID_WORKER, "14112710000101");
  g.nscopes = 2;
  snprintf(g.scopes[1], sizeof g.scopes[1], "%s", "14112710100105");
  CHECK_EQ(wg_auth_can_see(&g, "14112710100105"), 1);
  CHECK_EQ(wg_auth_can_see(&g, "1411271010010501"), 1);
  CHECK_EQ(wg_auth_can_see(&g, "14112710100104"), 0);
  /* a broken nscopes is clamped, and no scope means nothing */
  g.nscopes = -3;
  CHECK_EQ(wg_auth_can_see(&g, "14112710000101"), 0);
  g.nscopes = 1000;
  CHECK_EQ(wg_auth_can_see(&g, "14112710000101"), 1);
  wg_principal none = principal(WG_ROLE_COUNTY, NULL);
  CHECK_EQ(wg_auth_can_see(&none, "141127100001"), 0);
  /* a scope without its NUL (all 19 bytes digits) is malformed, not read past */
  memset(g.scopes[0], '1', sizeof g.scopes[0]);
  g.nscopes = 1;
  CHECK_EQ(wg_auth_can_see(&g, "111111111111111111"), 0);
}

/* ---- users ----------------------------------------------------------------- */

TEST(password_rule) {
  wg_errinfo ei = {0};
  wg_user u = make_user("pw.rule", WG_ROLE_COUNTY, "141127000000");
  CHECK_EQ(wg_auth_user_add(st, &u, "elevenchars", "test", &ei), WG_EINVAL);
  CHECK_STR(ei.field, "password");
  CHECK(strstr(ei.why, "12") != NULL);
  CHECK(strstr(ei.why, "elevenchars") == NULL);
  /* characters, not bytes: 11 Chinese characters are 33 bytes and too short */
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_auth_user_add(st, &u, "网格化服务管理岚县滨河", "test", &ei), WG_EINVAL);
  CHECK_EQ(wg_auth_user_add(st, &u, "pw.rule", "test", &ei), WG_EINVAL);
  CHECK_EQ(wg_auth_user_add(st, &u, "twelve chars\n", "test", &ei), WG_EINVAL);
  CHECK_EQ(wg_auth_user_add(st, &u, NULL, "test", &ei), WG_EINVAL);
  char *huge = malloc(WG_AUTH_MAX_PASSWORD + 2);
  memset(huge, 'x', WG_AUTH_MAX_PASSWORD + 1);
  huge[WG_AUTH_MAX_PASSWORD + 1] = '\0';
  CHECK_EQ(wg_auth_user_add(st, &u, huge, "test", &ei), WG_EINVAL);
  huge[WG_AUTH_MAX_PASSWORD] = '\0';
  u = make_user("pw.long", WG_ROLE_COUNTY, "141127000000");
  CHECK_EQ(wg_auth_user_add(st, &u, huge, "test", &ei), WG_OK);
  free(huge);
  /* exactly 12: fine; 12 Chinese characters: fine */
  u = make_user("pw.twelve", WG_ROLE_COUNTY, "141127000000");
  CHECK_EQ(wg_auth_user_add(st, &u, "abcdefghijkl", "test", &ei), WG_OK);
  u = make_user("pw.zh", WG_ROLE_COUNTY, "141127000000");
  CHECK_EQ(wg_auth_user_add(st, &u, "网格化服务管理岚县滨河社", "test", &ei), WG_OK);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM app_user WHERE login LIKE 'pw.%'"), 3);
}

TEST(user_add_checks) {
  wg_errinfo ei = {0};
  struct {
    const char *login;
    wg_role role;
    const char *scope;
    unsigned perms;
    const char *field;
  } bad[] = {
      {"ab", WG_ROLE_COUNTY, "141127000000", 0, "login"},
      {"Alice", WG_ROLE_COUNTY, "141127000000", 0, "login"},
      {"-alice", WG_ROLE_COUNTY, "141127000000", 0, "login"},
      {"al ice", WG_ROLE_COUNTY, "141127000000", 0, "login"},
      {"alice", (wg_role)0, "141127000000", 0, "role"},
      {"alice", WG_ROLE_COUNTY, "141128000000", 0, "scope"},       /* another county */
      {"alice", WG_ROLE_COUNTY, "141127100000", 0, "scope"},       /* county on a township */
      {"alice", WG_ROLE_TOWNSHIP, "141127100001", 0, "scope"},     /* township on a community */
      {"alice", WG_ROLE_COMMUNITY, "141127100000", 0, "scope"},
      {"alice", WG_ROLE_GRID_WORKER, "141127100001", 0, "scope"},  /* worker on a community */
      {"alice", WG_ROLE_GRID_WORKER, "14112710000199", 0, "scope"}, /* no such grid */
      {"alice", WG_ROLE_COMMUNITY, "141127100099", 0, "scope"},    /* no such community */
      {"alice", WG_ROLE_COMMUNITY, "14112710000", 0, "scope"},     /* 11 digits */
      {"alice", WG_ROLE_AUDITOR, "141127000000", WG_PERM_UNMASK, "perms"},
      {"alice", WG_ROLE_MEMBER, "141127100001", WG_PERM_UNMASK, "perms"},
      {"alice", WG_ROLE_GRID_WORKER, "14112710000101", WG_PERM_MANAGE_USERS, "perms"},
      {"alice", WG_ROLE_COUNTY, "141127000000", 1u << 7, "perms"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(&ei, 0, sizeof ei);
    wg_user u = make_user(bad[i].login, bad[i].role, bad[i].scope);
    u.perms = bad[i].perms;
    wg_err e = wg_auth_user_add(st, &u, PW, "test", &ei);
    if (e != WG_EINVAL || strcmp(ei.field, bad[i].field) != 0)
      printf("#   case %zu: err %d field '%s' why '%s'\n", i, (int)e, ei.field, ei.why);
    CHECK_EQ(e, WG_EINVAL);
    CHECK_STR(ei.field, bad[i].field);
  }
  /* a login filling its buffer without a NUL is refused, not overread */
  wg_user u = make_user("alice", WG_ROLE_COMMUNITY, "141127100001");
  memset(u.login, 'a', sizeof u.login);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_auth_user_add(st, &u, PW, "test", &ei), WG_EINVAL);
  CHECK_STR(ei.field, "login");
  u = make_user("alice", WG_ROLE_COMMUNITY, "141127100001");
  memset(u.scopes[0], '1', sizeof u.scopes[0]);
  CHECK_EQ(wg_auth_user_add(st, &u, PW, "test", &ei), WG_EINVAL);
  CHECK_STR(ei.field, "scope");
  u = make_user("alice", WG_ROLE_COMMUNITY, "141127100001");
  u.nscopes = 0;
  CHECK_EQ(wg_auth_user_add(st, &u, PW, "test", &ei), WG_EINVAL);
  u = make_user("alice", WG_ROLE_GRID_WORKER, "14112710000101");
  u.nscopes = 2;
  snprintf(u.scopes[1], sizeof u.scopes[1], "14112710000101");
  CHECK_EQ(wg_auth_user_add(st, &u, PW, "test", &ei), WG_EINVAL); /* scope given twice */
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM app_user WHERE login = 'alice'"), 0);
  CHECK_EQ(audits(st, "user_add") >= 0, 1);

  /* good ones, of every role */
  long before = audits(st, "user_add");
  struct {
    const char *login;
    wg_role role;
    const char *scope;
  } good[] = {
      {"root", WG_ROLE_ADMIN, "141127000000"},
      {"county.office", WG_ROLE_COUNTY, "141127000000"},
      {"dongcun", WG_ROLE_TOWNSHIP, "141127100000"},
      {"binhe", WG_ROLE_COMMUNITY, "141127100001"},
      {"worker1", WG_ROLE_GRID_WORKER, "14112710000101"},
      {"member1", WG_ROLE_MEMBER, "141127100001"},
      {"auditor", WG_ROLE_AUDITOR, "141127000000"},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    memset(&ei, 0, sizeof ei);
    u = make_user(good[i].login, good[i].role, good[i].scope);
    wg_err e = wg_auth_user_add(st, &u, PW, "cli:tester", &ei);
    if (e) printf("#   %s: %s\n", good[i].login, ei.why);
    CHECK_EQ(e, WG_OK);
  }
  CHECK_EQ(audits(st, "user_add"), before + 7);
  /* duplicate login */
  memset(&ei, 0, sizeof ei);
  u = make_user("binhe", WG_ROLE_COMMUNITY, "141127100010");
  CHECK_EQ(wg_auth_user_add(st, &u, PW, "test", &ei), WG_EEXIST);
  CHECK_STR(ei.field, "login");
  CHECK_EQ(audits(st, "user_add"), before + 7);

  /* a grid worker with two grids, with the right to unmask */
  u = make_user("worker2", WG_ROLE_GRID_WORKER, "14112710000102");
  u.nscopes = 2;
  snprintf(u.scopes[1], sizeof u.scopes[1], "1411271000010101");
  u.perms = WG_PERM_UNMASK;
  CHECK_EQ(wg_auth_user_add(st, &u, PW, "cli:tester", &ei), WG_OK);
  wg_user got;
  CHECK_EQ(wg_auth_user_get(st, "worker2", &got), WG_OK);
  CHECK_EQ(got.role, WG_ROLE_GRID_WORKER);
  CHECK_EQ(got.perms, WG_PERM_UNMASK);
  CHECK_EQ(got.nscopes, 2);
  CHECK_STR(got.scopes[0], "1411271000010101"); /* sorted */
  CHECK_STR(got.scopes[1], "14112710000102");
  CHECK_EQ(got.disabled, 0);
  CHECK_STR(got.locked_until, "");
  CHECK(got.created_at[0] == '2');
  CHECK_EQ(wg_auth_user_get(st, "nobody", &got), WG_ENOTFOUND);
  /* the audit row says who, what and from where */
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM audit WHERE action = 'user_add' AND"
                         " target = 'user:worker2' AND actor = 'cli:tester' AND origin = 'cli'"
                         " AND reason LIKE '%grid-worker%14112710000102%'"),
           1);
  CHECK(!audit_contains(st, PW));
}

struct list_ctx {
  int n;
  int saw_root;
};

static int list_user(void *ctx, const wg_user *u) {
  struct list_ctx *c = ctx;
  c->n++;
  if (strcmp(u->login, "root") == 0) c->saw_root = 1;
  return 0;
}

TEST(user_each) {
  struct list_ctx c = {0};
  CHECK_EQ(wg_auth_user_each(st, list_user, &c), WG_OK);
  CHECK_EQ(c.n, count_sql(st, "SELECT count(*) FROM app_user"));
  CHECK(c.saw_root);
}

/* ---- sign-in ------------------------------------------------------------------ */

static int is_hex64(const char *s) {
  return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

TEST(login_success_and_failure) {
  wg_auth_policy pol;
  wg_auth_policy_init(&pol);
  wg_session ses;
  wg_principal who;
  wg_errinfo ei = {0};
  long ok0 = audits(st, "login"), bad0 = audits(st, "login_failed");
  CHECK_EQ(wg_auth_login(st, &pol, "worker1", PW, "10.0.0.7", T0, &ses, &who, &ei), WG_OK);
  CHECK(is_hex64(ses.token));
  CHECK(is_hex64(ses.csrf));
  CHECK(strcmp(ses.token, ses.csrf) != 0);
  CHECK_EQ(ses.expires_idle, T0 + 1800);
  CHECK_EQ(ses.expires_absolute, T0 + 43200);
  CHECK_STR(who.login, "worker1");
  CHECK_EQ(who.role, WG_ROLE_GRID_WORKER);
  CHECK_EQ(who.nscopes, 1);
  CHECK_STR(who.scopes[0], "14112710000101");
  CHECK(who.user_id > 0);
  CHECK_EQ(wg_auth_can_see(&who, "1411271000010101"), 1);
  CHECK_EQ(wg_auth_can_see(&who, "14112710000102"), 0);
  CHECK_EQ(audits(st, "login"), ok0 + 1);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM audit WHERE action = 'login' AND"
                         " actor = 'worker1' AND origin = '10.0.0.7'"),
           1);
  /* the session works, and hands back its CSRF token */
  wg_principal again;
  char csrf[65];
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 5, &again, csrf), WG_OK);
  CHECK_STR(again.login, "worker1");
  CHECK_STR(csrf, ses.csrf);

  /* wrong password and unknown login: one answer */
  wg_errinfo e1 = {0}, e2 = {0};
  CHECK_EQ(wg_auth_login(st, &pol, "worker1", "wrong password!", "10.0.0.8", T0, &ses, &who, &e1),
           WG_EPERM);
  CHECK_EQ(wg_auth_login(st, &pol, "nosuchuser", PW, "10.0.0.8", T0, &ses, &who, &e2), WG_EPERM);
  CHECK_STR(e1.why, e2.why);
  CHECK_STR(ses.token, ""); /* nothing handed out on failure */
  CHECK_EQ(who.user_id, 0);
  CHECK_EQ(wg_auth_login(st, NULL, NULL, NULL, NULL, T0, NULL, NULL, NULL), WG_EPERM);
  CHECK_EQ(wg_auth_login(st, &pol, "worker1", "", "x", T0, NULL, NULL, NULL), WG_EPERM);
  CHECK_EQ(audits(st, "login_failed"), bad0 + 4);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM audit WHERE action = 'login_failed' AND"
                         " actor = 'nosuchuser' AND reason = 'unknown login'"),
           1);
  /* a password typed into the login field is not logged */
  CHECK_EQ(wg_auth_login(st, &pol, "My Secret Pass!", PW, "x", T0, NULL, NULL, NULL), WG_EPERM);
  CHECK(!audit_contains(st, "My Secret Pass!"));
  CHECK(!audit_contains(st, "wrong password!"));
  CHECK(!audit_contains(st, PW));
  /* a failure was counted, a success clears it */
  CHECK_EQ(count_sql(st, "SELECT failed_logins FROM app_user WHERE login = 'worker1'"), 2);
  CHECK_EQ(wg_auth_login(st, &pol, "worker1", PW, "x", T0, NULL, NULL, NULL), WG_OK);
  CHECK_EQ(count_sql(st, "SELECT failed_logins FROM app_user WHERE login = 'worker1'"), 0);
  /* admin implies managing users */
  CHECK_EQ(wg_auth_login(st, &pol, "root", PW, "x", T0, NULL, &who, NULL), WG_OK);
  CHECK(who.perms & WG_PERM_MANAGE_USERS);
}

TEST(lockout) {
  wg_auth_policy pol;
  wg_auth_policy_init(&pol);
  pol.max_failures = 3;
  pol.lock_seconds = 600;
  wg_errinfo ei = {0};
  long locks0 = audits(st, "lockout");
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", "not the password", "1.2.3.4", T0, NULL, NULL, &ei),
           WG_EPERM);
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", "not the password", "1.2.3.4", T0 + 1, NULL, NULL,
                         &ei),
           WG_EPERM);
  /* the third failure locks */
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", "not the password", "1.2.3.4", T0 + 2, NULL, NULL,
                         &ei),
           WG_EBUSY);
  CHECK(strstr(ei.why, "locked until") != NULL);
  CHECK_EQ(audits(st, "lockout"), locks0 + 1);
  CHECK_EQ(count_sql(st, "SELECT locked_until FROM app_user WHERE login = 'binhe'"),
           T0 + 2 + 600);
  /* while locked, even the right password is refused, and not checked */
  memset(&ei, 0, sizeof ei);
  wg_session ses;
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", PW, "1.2.3.4", T0 + 300, &ses, NULL, &ei), WG_EBUSY);
  CHECK(strstr(ei.why, "locked until") != NULL);
  CHECK_STR(ses.token, "");
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", PW, "1.2.3.4", T0 + 2 + 599, NULL, NULL, NULL),
           WG_EBUSY);
  /* the lock ends at its time */
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", PW, "1.2.3.4", T0 + 2 + 600, &ses, NULL, NULL), WG_OK);
  CHECK_EQ(count_sql(st, "SELECT locked_until + failed_logins FROM app_user WHERE login = 'binhe'"),
           0);
  /* after the lock the full number of tries is back */
  for (int i = 0; i < 2; i++)
    CHECK_EQ(wg_auth_login(st, &pol, "binhe", "nope nope nope", "1.2.3.4", T0 + 700 + i, NULL, NULL,
                           NULL),
             WG_EPERM);
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", PW, "1.2.3.4", T0 + 710, NULL, NULL, NULL), WG_OK);
  /* lock-out switched off */
  pol.max_failures = 0;
  for (int i = 0; i < 5; i++)
    CHECK_EQ(wg_auth_login(st, &pol, "binhe", "nope nope nope", "x", T0 + 800, NULL, NULL, NULL),
             WG_EPERM);
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", PW, "x", T0 + 801, NULL, NULL, NULL), WG_OK);
  /* wg_user shows a current lock */
  pol.max_failures = 1;
  int64_t now = (int64_t)time(NULL);
  CHECK_EQ(wg_auth_login(st, &pol, "binhe", "nope nope nope", "x", now, NULL, NULL, NULL),
           WG_EBUSY);
  wg_user u;
  CHECK_EQ(wg_auth_user_get(st, "binhe", &u), WG_OK);
  CHECK(u.locked_until[0] == '2');
}

/* ---- sessions ------------------------------------------------------------------ */

static int64_t idle_in_db(const char *token) {
  unsigned char h[crypto_hash_sha256_BYTES];
  char hex[65], sql[200];
  crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  snprintf(sql, sizeof sql,
           "SELECT ifnull(max(expires_idle), -1) FROM session WHERE token_hash = '%s'", hex);
  return count_sql(st, sql);
}

TEST(session_idle_expiry_and_refresh) {
  wg_auth_policy pol;
  wg_auth_policy_init(&pol);
  wg_session ses;
  CHECK_EQ(wg_auth_login(st, &pol, "dongcun", PW, "x", T0, &ses, NULL, NULL), WG_OK);
  CHECK_EQ(idle_in_db(ses.token), T0 + 1800);
  /* within the refresh granularity nothing is written */
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 30, NULL, NULL), WG_OK);
  CHECK_EQ(idle_in_db(ses.token), T0 + 1800);
  /* later, the idle expiry moves */
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 100, NULL, NULL), WG_OK);
  CHECK_EQ(idle_in_db(ses.token), T0 + 1900);
  /* alive past the original idle expiry thanks to the refresh */
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 1850, NULL, NULL), WG_OK);
  CHECK_EQ(idle_in_db(ses.token), T0 + 3650);
  /* idle too long: gone, and stays gone */
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 3650, NULL, NULL), WG_EPERM);
  CHECK_EQ(idle_in_db(ses.token), -1);
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 10, NULL, NULL), WG_EPERM);
  /* refresh every time when the granularity is 0 */
  pol.refresh_seconds = 0;
  CHECK_EQ(wg_auth_login(st, &pol, "dongcun", PW, "x", T0, &ses, NULL, NULL), WG_OK);
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 1, NULL, NULL), WG_OK);
  CHECK_EQ(idle_in_db(ses.token), T0 + 1801);
}

TEST(session_absolute_expiry) {
  wg_auth_policy pol;
  wg_auth_policy_init(&pol);
  wg_session ses;
  CHECK_EQ(wg_auth_login(st, &pol, "dongcun", PW, "x", T0, &ses, NULL, NULL), WG_OK);
  /* busy all day: every 1000 s, never idle */
  int64_t t = T0;
  int alive = 1;
  for (t = T0 + 1000; t < T0 + 43200; t += 1000)
    if (wg_auth_session_check(st, &pol, ses.token, t, NULL, NULL) != WG_OK) alive = 0;
  CHECK(alive);
  /* the idle expiry never passes the absolute one */
  CHECK(idle_in_db(ses.token) <= T0 + 43200);
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 43199, NULL, NULL), WG_OK);
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 43200, NULL, NULL), WG_EPERM);
  /* malformed tokens */
  CHECK_EQ(wg_auth_session_check(st, &pol, NULL, T0, NULL, NULL), WG_EPERM);
  CHECK_EQ(wg_auth_session_check(st, &pol, "", T0, NULL, NULL), WG_EPERM);
  CHECK_EQ(wg_auth_session_check(st, &pol, "zz", T0, NULL, NULL), WG_EPERM);
  char upper[65];
  memset(upper, 'A', 64);
  upper[64] = '\0';
  CHECK_EQ(wg_auth_session_check(st, &pol, upper, T0, NULL, NULL), WG_EPERM);
  char fresh[65];
  memset(fresh, '0', 64);
  fresh[64] = '\0';
  CHECK_EQ(wg_auth_session_check(st, &pol, fresh, T0, NULL, NULL), WG_EPERM);
  /* expired sessions are purged at the next sign-in */
  CHECK_EQ(wg_auth_login(st, &pol, "dongcun", PW, "x", T0 + 100000, NULL, NULL, NULL), WG_OK);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM session WHERE expires_absolute <= 1800100000"), 0);
}

TEST(disabled_user) {
  wg_auth_policy pol;
  wg_auth_policy_init(&pol);
  wg_session ses;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_auth_login(st, &pol, "member1", PW, "x", T0, &ses, NULL, NULL), WG_OK);
  CHECK_EQ(wg_auth_user_disable(st, "member1", "cli:tester", &ei), WG_OK);
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 1, NULL, NULL), WG_EPERM);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_auth_login(st, &pol, "member1", PW, "x", T0 + 2, &ses, NULL, &ei), WG_EPERM);
  CHECK(strstr(ei.why, "wrong login or password") != NULL); /* says nothing more */
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM audit WHERE action = 'login_failed' AND"
                         " actor = 'member1' AND reason = 'account disabled'"),
           1);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM audit WHERE action = 'user_disable' AND"
                         " target = 'user:member1' AND actor = 'cli:tester'"),
           1);
  wg_user u;
  CHECK_EQ(wg_auth_user_get(st, "member1", &u), WG_OK);
  CHECK_EQ(u.disabled, 1);
  CHECK_EQ(wg_auth_user_disable(st, "nobody", "cli:tester", &ei), WG_ENOTFOUND);
  CHECK_EQ(wg_auth_user_enable(st, "member1", "cli:tester", &ei), WG_OK);
  CHECK_EQ(wg_auth_login(st, &pol, "member1", PW, "x", T0 + 3, &ses, NULL, NULL), WG_OK);
  CHECK_EQ(audits(st, "user_enable"), 1);
  /* users are never deleted */
  CHECK(sqlite3_exec(wg__store_db(st), "DELETE FROM app_user WHERE login = 'member1'", NULL,
                     NULL, NULL) != SQLITE_OK);
}

TEST(passwd) {
  wg_auth_policy pol;
  wg_auth_policy_init(&pol);
  pol.max_failures = 1;
  wg_session ses;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_auth_login(st, &pol, "county.office", PW, "x", T0, &ses, NULL, NULL), WG_OK);
  CHECK_EQ(wg_auth_login(st, &pol, "county.office", "guess guess guess", "x", T0, NULL, NULL,
                         NULL),
           WG_EBUSY);
  CHECK_EQ(wg_auth_user_passwd(st, "county.office", "short", "cli:tester", &ei), WG_EINVAL);
  CHECK_EQ(wg_auth_user_passwd(st, "nobody", "a new long password", "cli:tester", &ei),
           WG_ENOTFOUND);
  CHECK_EQ(wg_auth_user_passwd(st, "county.office", "a new long password", "cli:tester", &ei),
           WG_OK);
  /* the lock is cleared, sessions ended, the old password gone */
  CHECK_EQ(wg_auth_session_check(st, &pol, ses.token, T0 + 1, NULL, NULL), WG_EPERM);
  pol.max_failures = 5;
  CHECK_EQ(wg_auth_login(st, &pol, "county.office", PW, "x", T0 + 1, NULL, NULL, NULL), WG_EPERM);
  CHECK_EQ(wg_auth_login(st, &pol, "county.office", "a new long password", "x", T0 + 2, NULL,
                         NULL, NULL),
           WG_OK);
  CHECK_EQ(audits(st, "user_passwd"), 1);
  CHECK(!audit_contains(st, "a new long password"));
}

TEST(logout) {
  wg_session ses;
  CHECK_EQ(wg_auth_login(st, NULL, "worker1", PW, "10.0.0.9", T0, &ses, NULL, NULL), WG_OK);
  long out0 = audits(st, "logout");
  CHECK_EQ(wg_auth_logout(st, ses.token, "10.0.0.9"), WG_OK);
  CHECK_EQ(wg_auth_session_check(st, NULL, ses.token, T0 + 1, NULL, NULL), WG_EPERM);
  CHECK_EQ(wg_auth_logout(st, ses.token, "10.0.0.9"), WG_EPERM);
  CHECK_EQ(wg_auth_logout(st, "not a token", "10.0.0.9"), WG_EPERM);
  CHECK_EQ(wg_auth_logout(st, NULL, NULL), WG_EPERM);
  CHECK_EQ(audits(st, "logout"), out0 + 1);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM audit WHERE action = 'logout' AND"
                         " actor = 'worker1' AND origin = '10.0.0.9' AND reason LIKE 'session:%'"),
           1);
  /* sign-in and sign-out rows carry the same session label */
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM audit a JOIN audit b ON a.reason = b.reason"
                         " WHERE a.action = 'login' AND b.action = 'logout'"),
           1);
}

TEST(csrf) {
  char a[65], b[65];
  memset(a, 'a', 64);
  a[64] = '\0';
  memcpy(b, a, sizeof a);
  CHECK_EQ(wg_auth_csrf_ok(a, b), 1);
  b[63] = 'b';
  CHECK_EQ(wg_auth_csrf_ok(a, b), 0);
  b[63] = 'a';
  b[0] = 'c';
  CHECK_EQ(wg_auth_csrf_ok(a, b), 0);
  CHECK_EQ(wg_auth_csrf_ok(a, NULL), 0);
  CHECK_EQ(wg_auth_csrf_ok(NULL, a), 0);
  CHECK_EQ(wg_auth_csrf_ok(a, "aaaa"), 0);
  CHECK_EQ(wg_auth_csrf_ok("", ""), 0);
  char longer[80];
  memset(longer, 'a', 79);
  longer[79] = '\0';
  CHECK_EQ(wg_auth_csrf_ok(a, longer), 0);
  /* the session's own token passes, another session's does not */
  wg_session s1, s2;
  CHECK_EQ(wg_auth_login(st, NULL, "worker2", PW, "x", T0, &s1, NULL, NULL), WG_OK);
  CHECK_EQ(wg_auth_login(st, NULL, "worker2", PW, "x", T0, &s2, NULL, NULL), WG_OK);
  char csrf[65];
  CHECK_EQ(wg_auth_session_check(st, NULL, s1.token, T0 + 1, NULL, csrf), WG_OK);
  CHECK_EQ(wg_auth_csrf_ok(csrf, s1.csrf), 1);
  CHECK_EQ(wg_auth_csrf_ok(csrf, s2.csrf), 0);
}

TEST(tokens_stored_hashed) {
  wg_session ses;
  CHECK_EQ(wg_auth_login(st, NULL, "auditor", PW, "x", T0, &ses, NULL, NULL), WG_OK);
  /* the table holds the SHA-256 of the token, never the token */
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM session WHERE token_hash = '%s'", ses.token);
  CHECK_EQ(count_sql(st, sql), 0);
  CHECK(idle_in_db(ses.token) > 0);
  CHECK(!audit_contains(st, ses.token));
  CHECK(!audit_contains(st, ses.csrf));
  /* nor anywhere in the database files */
  char path[512];
  snprintf(path, sizeof path, "%s/auth.db", dir);
  CHECK(!file_contains(path, ses.token));
  snprintf(path, sizeof path, "%s/auth.db-wal", dir);
  CHECK(!file_contains(path, ses.token));
  CHECK(!file_contains(path, PW));
  snprintf(path, sizeof path, "%s/auth.db", dir);
  CHECK(!file_contains(path, PW));
  /* every password hash is argon2id */
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM app_user"
                         " WHERE password_hash NOT LIKE '$argon2id$%'"),
           0);
  /* audit rows cannot be changed or deleted */
  CHECK(sqlite3_exec(wg__store_db(st), "UPDATE audit SET reason = ''", NULL, NULL, NULL) !=
        SQLITE_OK);
  CHECK(sqlite3_exec(wg__store_db(st), "DELETE FROM audit", NULL, NULL, NULL) != SQLITE_OK);
}

struct audit_list {
  int n;
  int64_t last_id;
  int ordered;
};

static int collect_audit(void *ctx, const wg_audit_row *r) {
  struct audit_list *c = ctx;
  if (c->n && r->id >= c->last_id) c->ordered = 0;
  c->last_id = r->id;
  c->n++;
  return 0;
}

TEST(audit_listing) {
  struct audit_list c = {.ordered = 1};
  wg_audit_filter f = {.action = "login_failed"};
  CHECK_EQ(wg_store_audit_each(st, &f, collect_audit, &c), WG_OK);
  CHECK_EQ(c.n, audits(st, "login_failed"));
  CHECK(c.ordered); /* newest first */
  c = (struct audit_list){.ordered = 1};
  f = (wg_audit_filter){.actor = "worker1", .action = "login", .limit = 2};
  CHECK_EQ(wg_store_audit_each(st, &f, collect_audit, &c), WG_OK);
  CHECK_EQ(c.n, 2);
  c = (struct audit_list){.ordered = 1};
  f = (wg_audit_filter){.since = "2999-01-01"};
  CHECK_EQ(wg_store_audit_each(st, &f, collect_audit, &c), WG_OK);
  CHECK_EQ(c.n, 0);
  c = (struct audit_list){.ordered = 1};
  f = (wg_audit_filter){.since = "2000-01-01"};
  CHECK_EQ(wg_store_audit_each(st, &f, collect_audit, &c), WG_OK);
  CHECK_EQ(c.n, count_sql(st, "SELECT count(*) FROM audit"));
  CHECK_EQ(wg_store_audit_each(st, NULL, collect_audit, &c), WG_OK);
  /* every event kind left rows */
  const char *kinds[] = {"user_add", "user_passwd", "user_disable", "user_enable",
                         "login", "login_failed", "lockout", "logout"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) CHECK(audits(st, kinds[i]) > 0);
}

/* ---- hashing with the production limits ---------------------------------------- */

TEST(production_hash_format) {
  unsetenv("WG_AUTH_TEST_FAST");
  wg_user u = make_user("prod.hash", WG_ROLE_COMMUNITY, "141127100010");
  wg_errinfo ei = {0};
  CHECK_EQ(wg_auth_user_add(st, &u, PW, "test", &ei), WG_OK);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM app_user WHERE login = 'prod.hash' AND"
                         " password_hash LIKE '$argon2id$v=19$m=65536,t=2,p=1$%'"),
           1);
  /* a hash made with the test knob is upgraded at the next sign-in */
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM app_user WHERE login = 'binhe' AND"
                         " password_hash LIKE '$argon2id$v=19$m=8,t=1,p=1$%'"),
           1);
  CHECK_EQ(wg_auth_login(st, NULL, "binhe", PW, "x", (int64_t)time(NULL) + 100000, NULL, NULL,
                         NULL),
           WG_OK);
  CHECK_EQ(count_sql(st, "SELECT count(*) FROM app_user WHERE login = 'binhe' AND"
                         " password_hash LIKE '$argon2id$v=19$m=65536,t=2,p=1$%'"),
           1);
  CHECK_EQ(wg_auth_login(st, NULL, "binhe", PW, "x", (int64_t)time(NULL) + 100001, NULL, NULL,
                         NULL),
           WG_OK);
  setenv("WG_AUTH_TEST_FAST", "1", 1);
}

/* ---- schema ----------------------------------------------------------------------- */

TEST(migrates_to_users) {
  char path[512];
  snprintf(path, sizeof path, "%s/old.db", dir);
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg__store_open_upto(path, WG_STORE_CREATE, 3, &s, &ei), WG_OK);
  CHECK_EQ(wg_store_meta_set(s, "county", "141127"), WG_OK);
  put_div(s, "141127000000", "", WG_DIV_COUNTY);
  wg_audit_t a = {.actor = "old", .action = "export", .origin = "cli"};
  CHECK_EQ(wg_store_audit_add(s, &a), WG_OK);
  wg_store_close(s);
  CHECK_EQ(wg_store_open(path, 0, &s, &ei), WG_OK);
  CHECK_EQ(wg_store_schema_version(s), WG_SCHEMA_VERSION); /* migrated to the newest */
  wg_user u = make_user("first.admin", WG_ROLE_ADMIN, "141127000000");
  CHECK_EQ(wg_auth_user_add(s, &u, PW, "cli:root", &ei), WG_OK);
  CHECK_EQ(count_sql(s, "SELECT count(*) FROM audit"), 2);
  wg_store_close(s);
}

int main(void) {
  setenv("WG_AUTH_TEST_FAST", "1", 1);
  dir = test_tmpdir();
  RUN(role_names);
  RUN(can_see_matrix);
  RUN(can_see_edges);
  st = open_county("auth.db");
  RUN(password_rule);
  RUN(user_add_checks);
  RUN(user_each);
  RUN(login_success_and_failure);
  RUN(lockout);
  RUN(session_idle_expiry_and_refresh);
  RUN(session_absolute_expiry);
  RUN(disabled_user);
  RUN(passwd);
  RUN(logout);
  RUN(csrf);
  RUN(tokens_stored_hashed);
  RUN(audit_listing);
  RUN(production_hash_format);
  wg_store_close(st);
  RUN(migrates_to_users);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) printf("# could not remove %s\n", dir);
  free(dir);
  return test_done();
}
