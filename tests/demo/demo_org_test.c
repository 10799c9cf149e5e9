/* The demo county's organisation reproduces the model county's structure:
 * a branch on every level-1 grid, a group (≥ 3 members living there) or a
 * central household on every level-2 grid, a worker on every level-1 and
 * level-2 grid, a head for every building of two or more households, the
 * registered members scaled from 1,236 county-wide and 187 in 滨河社区,
 * and a closed call whose arrivals got service hours. */
#include <sqlite3.h>
#include <stdint.h>

#include "auth/auth.h"
#include "demo/demo.h"
#include "org/org.h"
#include "territory/plan.h"
#include "test.h"

#define RESIDENTS 20000L

static char *dir;
static char dbpath[512];
static wg_store_t *s;
static wg_demo_org_summary sum;

static long scalar(const char *sql) {
  sqlite3 *db;
  sqlite3_stmt *st;
  long v = -1;
  if (sqlite3_open(dbpath, &db) != SQLITE_OK) return -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    if (sqlite3_step(st) == SQLITE_ROW) v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return v;
}

TEST(structure_of_the_model_county) {
  wg_org_settings o;
  wg_org_settings_init(&o);
  wg_org_view v;
  CHECK_EQ(wg_org_view_load(s, "141127", &v, NULL), WG_OK);
  wg_org_report rep;
  CHECK_EQ(wg_org_check(&v, &o, &rep), WG_OK);
  CHECK_EQ(rep.count[WG_OF_GRID_NO_WORKER], 0);
  CHECK_EQ(rep.count[WG_OF_BUILDING_NO_HEAD], 0);
  CHECK_EQ(rep.count[WG_OF_L1_NO_BRANCH], 0);
  CHECK_EQ(rep.count[WG_OF_L2_NO_ORG], 0);
  CHECK_EQ(rep.count[WG_OF_GROUP_TOO_SMALL], 0);
  CHECK_EQ(rep.count[WG_OF_ORG_GRID_GONE], 0);
  CHECK_EQ(rep.count[WG_OF_ORG_WRONG_LEVEL], 0);
  /* a few holes are left on purpose, so the coverage table shows some */
  CHECK(rep.count[WG_OF_HOUSEHOLD_NO_CONTACT] > 0);
  CHECK(rep.count[WG_OF_HOUSEHOLD_NO_CONTACT] < v.nhouseholds / 50);
  wg_org_report_free(&rep);
  long l1 = 0, l2 = 0;
  for (int g = 0; g < v.ngrids; g++) l1 += v.grids[g].level == 1, l2 += v.grids[g].level == 2;
  CHECK_EQ(sum.branches, l1);
  CHECK_EQ(sum.groups + sum.central_households, l2);
  CHECK_EQ(sum.workers_l1, l1);
  CHECK_EQ(sum.workers_l2, l2);
  CHECK(sum.groups > 0 && sum.central_households > 0);
  /* Groups where ≥ 3 Party members live, central households elsewhere —
   * counted here from the ledger, not from the rules' code. */
  char sql[900];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM party_org o WHERE o.active = 1 AND o.kind = 2 AND (SELECT"
           " count(*) FROM member m JOIN resident r ON r.id = m.resident_id JOIN dwelling d ON"
           " d.id = r.dwelling_id JOIN grid_assignment a ON a.entrance_id = d.entrance_id AND"
           " a.plan_id = %lld WHERE m.kind = 1 AND a.l2 = o.grid) < 3",
           (long long)v.plan_id);
  CHECK_EQ(scalar(sql), 0);
  CHECK_EQ(scalar("SELECT count(*) FROM party_org WHERE kind = 3 AND member_id IS NULL"), 0);
  /* every Party member of the ledger is a member */
  CHECK_EQ(scalar("SELECT count(*) FROM resident WHERE status = 1 AND tags LIKE"
                  " '%,party_member,%' AND id NOT IN (SELECT resident_id FROM member WHERE"
                  " resident_id IS NOT NULL)"),
           0);
  wg_org_view_free(&v);
}

TEST(registered_members_scaled_from_the_model) {
  long want = (long)(1236.0 * RESIDENTS / 130000 + 0.5), binhe = (long)(187.0 * RESIDENTS / 130000 + 0.5);
  printf("# registered %ld (want %ld), in 滨河社区 %ld (want %ld)\n", sum.registered, want,
         sum.registered_binhe, binhe);
  CHECK_EQ(sum.registered, want);
  CHECK_EQ(sum.registered_binhe, binhe);
  CHECK_EQ(scalar("SELECT count(*) FROM member WHERE in_service = 1 AND registered_on != ''"), want);
  CHECK_EQ(scalar("SELECT count(*) FROM member m JOIN division d ON d.code = m.community WHERE"
                  " d.name = '滨河社区' AND m.in_service = 1"),
           binhe);
  CHECK_EQ(scalar("SELECT count(*) FROM member WHERE in_service = 1 AND employer = ''"), 0);
}

TEST(work_records) {
  CHECK(sum.visits > sum.households / 2);
  CHECK(sum.overdue > 0 && sum.overdue < sum.households / 2);
  CHECK(sum.services > 0);
  CHECK(sum.shifts > 0 && sum.missed_shifts > 0);
  CHECK_EQ(scalar("SELECT count(*) FROM roster_shift WHERE status = 2 AND handover = ''"), 0);
  /* the gridworker account is the worker of its own grid */
  CHECK_EQ(scalar("SELECT count(*) FROM staff s JOIN staff_grid g ON g.staff_id = s.id JOIN"
                  " user_scope u ON u.code = g.grid JOIN app_user a ON a.id = u.user_id WHERE"
                  " s.login = 'gridworker' AND a.login = 'gridworker'"),
           1);
}

TEST(closed_call_with_service_hours) {
  CHECK(sum.incident_id > 0);
  CHECK(sum.incident_called > 0);
  CHECK(sum.incident_arrived * 4 >= sum.incident_called * 3 - 4);
  char sql[200];
  snprintf(sql, sizeof sql, "SELECT status FROM incident WHERE id = %lld", (long long)sum.incident_id);
  CHECK_EQ(scalar(sql), WG_INCIDENT_CLOSED);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM service_log WHERE incident_id = %lld AND hours = 5",
           (long long)sum.incident_id);
  CHECK_EQ(scalar(sql), sum.incident_arrived);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM incident_responder WHERE incident_id = %lld AND status = 4",
           (long long)sum.incident_id);
  CHECK_EQ(scalar(sql), sum.incident_arrived);
}

int main(void) {
  dir = test_tmpdir();
  snprintf(dbpath, sizeof dbpath, "%s/demo_org.db", dir);
  if (wg_store_open(dbpath, WG_STORE_CREATE, &s, NULL) != WG_OK) return 2;
  wg_demo_opts d;
  wg_demo_opts_init(&d);
  d.residents = RESIDENTS;
  d.seed = 1;
  d.today = 20261129;
  wg_errinfo ei = {0};
  if (wg_demo_build(s, &d, NULL, &ei) != WG_OK) {
    printf("# demo: %s\n", ei.why);
    return 2;
  }
  wg_plan_opts po;
  wg_plan_opts_init(&po);
  po.county = "141127";
  po.actor = "test";
  wg_plan_report rep;
  memset(&rep, 0, sizeof rep);
  if (wg_plan_divide(s, &po, &rep, &ei) != WG_OK || wg_store_plan_activate(s, rep.plan_id) != WG_OK)
    return 2;
  /* the demo's gridworker account on the first level-2 grid of 滨河社区 */
  wg_division_t binhe;
  if (wg_store_division_find(s, "141127", "滨河社区", &binhe) != WG_OK) return 2;
  char sql[256], grid[19] = "";
  snprintf(sql, sizeof sql, "SELECT min(code) FROM grid WHERE level = 2 AND community = '%s'",
           binhe.code);
  sqlite3 *db;
  sqlite3_stmt *st;
  sqlite3_open(dbpath, &db);
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    snprintf(grid, sizeof grid, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  setenv("WG_AUTH_TEST_FAST", "1", 1);
  wg_user u = {.role = WG_ROLE_GRID_WORKER, .nscopes = 1};
  snprintf(u.login, sizeof u.login, "gridworker");
  snprintf(u.scopes[0], sizeof u.scopes[0], "%s", grid);
  if (wg_auth_user_add(s, &u, "correct horse battery", "test", &ei) != WG_OK) return 2;
  wg_plan_report_free(&rep);
  if (wg_demo_org(s, 1, 20261129, RESIDENTS, &sum, &ei) != WG_OK) {
    printf("# demo org: %s\n", ei.why);
    return 2;
  }
  wg_demo_org_print(&sum, stdout);
  RUN(structure_of_the_model_county);
  RUN(registered_members_scaled_from_the_model);
  RUN(work_records);
  RUN(closed_call_with_service_hours);
  wg_store_close(s);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
