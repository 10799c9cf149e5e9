/* matters_store_test.c — matters in the store: seeded categories, report
 * with routing to a grid worker, the loop through wg_matters_act with its
 * events and audit rows, append-only events, state rebuilt from events,
 * the deadline clock escalating with a controllable time, scope. */
#include <sqlite3.h>
#include <stdint.h>
#include <unistd.h>

#include "matter/matters.h"
#include "store/store_int.h"
#include "test.h"

static char *dir;
static wg_store_t *s;
static int64_t worker_id, other_worker_id;

static const int64_t T0 = 1767225600; /* 2026-01-01T00:00:00Z */

static int count_cat(void *ctx, const wg_category_t *c) {
  (void)c;
  (*(int *)ctx)++;
  return 0;
}

static int64_t add_user(const char *login, int role, const char *scope) {
  wg_user_row u = {.county = "141127", .role = role, .nscopes = 1,
                   .password_hash = "$argon2id$fake"};
  snprintf(u.login, sizeof u.login, "%s", login);
  snprintf(u.scopes[0], sizeof u.scopes[0], "%s", scope);
  CHECK_EQ(wg_store_user_add(s, &u), WG_OK);
  return u.id;
}

static const wg_located where = {.plan_id = 1,
                                 .code = {"14112710000101", "1411271000010102",
                                          "141127100001010203"},
                                 .community = "141127100001"};

static int64_t report(int64_t at, const char *category) {
  wg_matter_report in = {.category = category, .title = "路灯不亮", .located = 1,
                         .lon = 111.67, .lat = 38.28, .where = &where, .reporter = "resident1",
                         .reporter_phone = "13812345678", .source = "cli",
                         .actor = "resident1", .now = at};
  wg_matter_row m;
  wg_errinfo ei = {0};
  wg_err e = wg_matters_report(s, "141127", &in, &m, &ei);
  if (e) printf("#   report: %s (%s)\n", wg_strerror(e), ei.why);
  CHECK_EQ(e, WG_OK);
  return m.id;
}

static wg_err step(int64_t id, const wg_principal *p, wg_matter_action a, int64_t at,
                   const char *note) {
  wg_matter_who who = {.p = p, .actor = p ? p->login : "cli:test", .origin = "cli"};
  wg_matter_step st = {.action = a, .now = at, .note = note, .handler = other_worker_id,
                       .value = a == WG_MA_EXTEND ? 24 : 5};
  return wg_matters_act(s, id, &who, &st, NULL, NULL);
}

static long count_rows(const char *sql) {
  sqlite3_stmt *st;
  long n = -1;
  if (sqlite3_prepare_v2(wg__store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = (long)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

TEST(categories_seeded_and_editable) {
  int n = 0;
  CHECK_EQ(wg_store_category_each(s, 1, count_cat, &n), WG_OK);
  CHECK(n >= 8);
  wg_category_t c;
  CHECK_EQ(wg_store_category_get(s, "safety", &c), WG_OK);
  CHECK_STR(c.name_zh, "安全隐患");
  CHECK_EQ(c.level, WG_MLEVEL_COMMUNITY);
  c.policy.hours[WG_STAGE_HANDLE] = 36;
  CHECK_EQ(wg_store_category_put(s, &c), WG_OK);
  CHECK_EQ(wg_store_category_get(s, "safety", &c), WG_OK);
  CHECK_EQ(c.policy.hours[WG_STAGE_HANDLE], 36);
  c.policy.hours[0] = 0; /* the schema refuses a zero allowance */
  CHECK(wg_store_category_put(s, &c) != WG_OK);
}

TEST(report_routes_to_the_grid_worker) {
  int64_t id = report(T0, "sanitation");
  wg_matter_row m;
  CHECK_EQ(wg_store_matter_get(s, id, &m), WG_OK);
  CHECK_EQ(m.st.status, WG_MS_REPORTED);
  CHECK_EQ(m.st.handler, worker_id); /* scoped to the level-3 grid */
  CHECK_EQ(m.st.level, WG_MLEVEL_GRID);
  CHECK_STR(m.grid[2], "141127100001010203");
  CHECK_EQ(strlen(m.token), 32);
  wg_matter_row byt;
  CHECK_EQ(wg_store_matter_by_token(s, m.token, &byt), WG_OK);
  CHECK_EQ(byt.id, id);
  /* a category that starts higher */
  int64_t id2 = report(T0, "building");
  CHECK_EQ(wg_store_matter_get(s, id2, &m), WG_OK);
  CHECK_EQ(m.st.level, WG_MLEVEL_TOWNSHIP);
  /* errors name the field */
  wg_matter_report in = {.category = "nope", .title = "x", .located = 1, .now = T0};
  wg_errinfo ei = {0};
  CHECK_EQ(wg_matters_report(s, "141127", &in, &m, &ei), WG_ENOTFOUND);
  CHECK_STR(ei.field, "category");
  in.category = "order";
  in.located = 0;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_matters_report(s, "141127", &in, &m, &ei), WG_EINVAL);
  CHECK_STR(ei.field, "lat");
}

TEST(loop_with_roles_events_audit_and_rebuild) {
  wg_principal worker = {.user_id = worker_id, .login = "gw1", .role = WG_ROLE_GRID_WORKER,
                         .nscopes = 1, .scopes = {"141127100001010203"}};
  wg_principal community = {.user_id = 99, .login = "binhe", .role = WG_ROLE_COMMUNITY,
                            .nscopes = 1, .scopes = {"141127100001"}};
  wg_principal stranger = {.user_id = 98, .login = "gw9", .role = WG_ROLE_GRID_WORKER,
                           .nscopes = 1, .scopes = {"141127100002010101"}};
  wg_principal reporter = {.user_id = 97, .login = "resident1", .role = WG_ROLE_MEMBER};
  long audits = count_rows("SELECT count(*) FROM audit WHERE action LIKE 'matter.%'");
  int64_t id = report(T0 + 10, "sanitation");
  CHECK_EQ(step(id, &stranger, WG_MA_ACCEPT, T0 + 20, NULL), WG_ENOTFOUND); /* out of scope */
  CHECK_EQ(step(id, &reporter, WG_MA_ACCEPT, T0 + 20, NULL), WG_EPERM);
  CHECK_EQ(step(id, &worker, WG_MA_ACCEPT, T0 + 20, NULL), WG_OK);
  CHECK_EQ(step(id, &worker, WG_MA_DISPATCH, T0 + 30, NULL), WG_EPERM); /* supervisors dispatch */
  CHECK_EQ(step(id, &community, WG_MA_DISPATCH, T0 + 30, NULL), WG_OK);
  /* dispatched to the other worker: the first one is no longer the handler */
  CHECK_EQ(step(id, &worker, WG_MA_START, T0 + 40, NULL), WG_EPERM);
  wg_principal other = {.user_id = other_worker_id, .login = "gw2",
                        .role = WG_ROLE_GRID_WORKER, .nscopes = 1,
                        .scopes = {"1411271000010102"}};
  CHECK_EQ(step(id, &other, WG_MA_START, T0 + 40, NULL), WG_OK);
  CHECK_EQ(step(id, &other, WG_MA_EXTEND, T0 + 50, NULL), WG_EINVAL); /* needs a reason */
  CHECK_EQ(step(id, &other, WG_MA_EXTEND, T0 + 50, "等配件"), WG_OK);
  CHECK_EQ(step(id, &community, WG_MA_EXTEND_APPROVE, T0 + 60, NULL), WG_OK);
  CHECK_EQ(step(id, &other, WG_MA_HANDLE, T0 + 70, "已清理"), WG_OK);
  CHECK_EQ(step(id, &community, WG_MA_REWORK, T0 + 80, "没扫干净"), WG_OK);
  CHECK_EQ(step(id, &other, WG_MA_HANDLE, T0 + 90, NULL), WG_OK);
  CHECK_EQ(step(id, &community, WG_MA_VERIFY, T0 + 100, NULL), WG_OK);
  CHECK_EQ(step(id, &community, WG_MA_CLOSE, T0 + 110, NULL), WG_OK);
  CHECK_EQ(step(id, &reporter, WG_MA_EVALUATE, T0 + 120, NULL), WG_OK);
  wg_matter_row m;
  CHECK_EQ(wg_store_matter_get(s, id, &m), WG_OK);
  CHECK_EQ(m.st.status, WG_MS_EVALUATED);
  CHECK_EQ(m.st.reworks, 1);
  CHECK_EQ(m.st.extensions, 1);
  CHECK_EQ(m.version, 12);
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM matter_event WHERE matter_id = %lld",
           (long long)id);
  CHECK_EQ(count_rows(sql), 12);
  /* every write audited: report + 11 steps */
  CHECK_EQ(count_rows("SELECT count(*) FROM audit WHERE action LIKE 'matter.%'"), audits + 12);
  wg_errinfo ei = {0};
  CHECK_EQ(wg_matters_check(s, id, &ei), WG_OK);
  /* the trail cannot be changed, nor the state without an event */
  CHECK(sqlite3_exec(wg__store_db(s), "UPDATE matter_event SET note = 'x'", 0, 0, 0) != SQLITE_OK);
  CHECK(sqlite3_exec(wg__store_db(s), "DELETE FROM matter_event", 0, 0, 0) != SQLITE_OK);
  CHECK(sqlite3_exec(wg__store_db(s), "UPDATE matter SET status = 2", 0, 0, 0) != SQLITE_OK);
  CHECK(sqlite3_exec(wg__store_db(s), "DELETE FROM matter", 0, 0, 0) != SQLITE_OK);
}

/* Every matter's stored state equals the fold of its events. */
static int check_each(void *ctx, const wg_matter_row *m) {
  wg_errinfo ei = {0};
  if (wg_matters_check(s, m->id, &ei) != WG_OK) {
    printf("#   %s\n", ei.why);
    (*(int *)ctx)++;
  }
  return 0;
}

TEST(deadline_clock_escalates) {
  int64_t id = report(T0 + 1000, "dispute"); /* accept within 24 h */
  long n = -1;
  /* (earlier matters, reported at T0, fall due here: they go up, this one not) */
  CHECK_EQ(wg_matters_tick(s, "141127", T0 + 1000 + 24 * 3600 - 1, &n), WG_OK);
  wg_matter_row m;
  CHECK_EQ(wg_store_matter_get(s, id, &m), WG_OK);
  CHECK_EQ(m.st.level, WG_MLEVEL_GRID);
  CHECK_EQ(wg_matters_tick(s, "141127", T0 + 1000 + 24 * 3600, &n), WG_OK);
  CHECK(n >= 1);
  CHECK_EQ(wg_store_matter_get(s, id, &m), WG_OK);
  CHECK_EQ(m.st.level, WG_MLEVEL_COMMUNITY);
  CHECK_EQ(m.st.overdue, 1);
  /* a far future: up to the county and no further */
  CHECK_EQ(wg_matters_tick(s, "141127", T0 + 1000 + 48 * 3600, &n), WG_OK);
  CHECK_EQ(wg_matters_tick(s, "141127", T0 + 1000 + 72 * 3600, &n), WG_OK);
  CHECK_EQ(wg_matters_tick(s, "141127", T0 + 1000 + 960 * 3600, &n), WG_OK);
  CHECK_EQ(wg_store_matter_get(s, id, &m), WG_OK);
  CHECK_EQ(m.st.level, WG_MLEVEL_COUNTY);
  CHECK_EQ(m.st.escalations, 3);
  CHECK_EQ(wg_matters_tick(s, "141127", T0 + 1000 + 2000 * 3600, &n), WG_OK);
  CHECK_EQ(wg_store_matter_get(s, id, &m), WG_OK);
  CHECK_EQ(m.st.escalations, 3);
  CHECK_EQ(wg_matters_tick(s, "141127", T0 + 1000 + 4000 * 3600, &n), WG_OK);
  CHECK_EQ(n, 0); /* everything is at the county now */
  /* community staff supervise it no more; the county does */
  wg_principal community = {.user_id = 99, .login = "binhe", .role = WG_ROLE_COMMUNITY,
                            .nscopes = 1, .scopes = {"141127100001"}};
  CHECK_EQ(step(id, &community, WG_MA_REJECT, T0 + 2001 * 3600, "重复"), WG_EPERM);
  CHECK_EQ(step(id, NULL, WG_MA_REJECT, T0 + 2001 * 3600, "重复"), WG_OK);
  int bad = 0;
  wg_matter_query q = {.county = "141127"};
  CHECK_EQ(wg_store_matter_list(s, &q, check_each, &bad, NULL), WG_OK);
  CHECK_EQ(bad, 0);
}

static int count_m(void *ctx, const wg_matter_row *m) {
  (void)m;
  (*(int *)ctx)++;
  return 0;
}

TEST(near_merge_and_scoped_list) {
  int64_t a = report(T0 + 5000, "facility");
  int64_t b = report(T0 + 5001, "facility");
  int n = 0;
  CHECK_EQ(wg_store_matter_near(s, "141127", "facility", 111.67, 38.2803, 50, count_m, &n), WG_OK);
  CHECK(n >= 2); /* 33 m away */
  n = 0;
  CHECK_EQ(wg_store_matter_near(s, "141127", "facility", 111.67, 38.2810, 50, count_m, &n), WG_OK);
  CHECK_EQ(n, 0); /* 111 m away */
  wg_matter_who con = {.actor = "cli:test"};
  wg_matter_step st = {.action = WG_MA_MERGE, .other = a, .now = T0 + 5002};
  CHECK_EQ(wg_matters_act(s, b, &con, &st, NULL, NULL), WG_OK);
  st.other = b; /* not into a merged one */
  CHECK_EQ(wg_matters_act(s, a, &con, &st, NULL, NULL), WG_EINVAL);
  n = 0;
  CHECK_EQ(wg_store_matter_merged(s, a, count_m, &n), WG_OK);
  CHECK_EQ(n, 1);
  /* a grid worker's listing holds their grids only */
  wg_store_scope sc = {.ngrids = 1, .grids = {"141127100002010101"}};
  wg_matter_query q = {.county = "141127", .scope = &sc};
  long total = -1;
  n = 0;
  CHECK_EQ(wg_store_matter_list(s, &q, count_m, &n, &total), WG_OK);
  CHECK_EQ(total, 0);
  sc.grids[0] = "1411271000010102";
  CHECK_EQ(wg_store_matter_list(s, &q, count_m, &n, &total), WG_OK);
  CHECK(total > 3);
}

TEST(time_iso) {
  char buf[32];
  wg_matter_time_iso(T0, buf);
  CHECK_STR(buf, "2026-01-01T08:00:00+08:00");
  int64_t t;
  CHECK_EQ(wg_matter_time_parse("2026-01-01T08:00:00+08:00", &t), WG_OK);
  CHECK_EQ(t, T0);
  CHECK_EQ(wg_matter_time_parse("2026-01-01T00:00:00Z", &t), WG_OK);
  CHECK_EQ(t, T0);
  CHECK_EQ(wg_matter_time_parse("2026-01-01", &t), WG_OK);
  CHECK_EQ(t, T0 - 8 * 3600);
  CHECK_EQ(wg_matter_time_parse("2026-01-01T08:00:00", &t), WG_EINVAL); /* no zone */
  CHECK_EQ(wg_matter_time_parse("2026-02-30", &t), WG_EINVAL);
}

int main(void) {
  setenv("WG_AUTH_TEST_FAST", "1", 1);
  dir = test_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/m.db", dir);
  wg_errinfo ei = {0};
  if (wg_store_open(path, WG_STORE_CREATE, &s, &ei) != WG_OK) return 2;
  if (wg_store_meta_set(s, "county", "141127") != WG_OK) return 2;
  worker_id = add_user("gw1", WG_ROLE_GRID_WORKER, "141127100001010203");
  other_worker_id = add_user("gw2", WG_ROLE_GRID_WORKER, "1411271000010102");
  RUN(categories_seeded_and_editable);
  RUN(report_routes_to_the_grid_worker);
  RUN(loop_with_roles_events_audit_and_rebuild);
  RUN(deadline_clock_escalates);
  RUN(near_merge_and_scoped_list);
  RUN(time_iso);
  wg_store_close(s);
  return test_done();
}
