/* demo_campaigns_test.c — the demo's campaigns and targets exist with
 * plausible figures: a finished testing round, an elderly vaccination in
 * progress, a veterans policy push with receipts, skills-training targets
 * with a year of weekly actuals per township at 109.14% in today's week;
 * the same seed gives the same figures. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign_ops.h"
#include "demo/demo.h"
#include "target/target_ops.h"
#include "territory/plan.h"
#include "test.h"

#define TODAY 20261129

static char *dir;

static wg_err build(const char *path, wg_demo_campaigns_summary *cs) {
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  wg_err e = wg_store_open(path, WG_STORE_CREATE, &s, &ei);
  if (e) return e;
  wg_demo_opts o;
  wg_demo_opts_init(&o);
  o.residents = 3000;
  o.seed = 5;
  o.today = TODAY;
  e = wg_demo_build(s, &o, NULL, &ei);
  wg_plan_opts po;
  wg_plan_opts_init(&po);
  po.county = WG_DEMO_COUNTY;
  po.actor = "demo";
  wg_plan_report rep;
  memset(&rep, 0, sizeof rep);
  if (!e) e = wg_plan_divide(s, &po, &rep, &ei);
  if (!e) e = wg_store_plan_activate(s, rep.plan_id);
  wg_plan_report_free(&rep);
  if (!e) e = wg_demo_campaigns(s, &o, TODAY, cs, &ei);
  if (e) printf("# %s\n", ei.why);
  wg_store_close(s);
  return e;
}

static long scalar(const char *path, const char *sql) {
  sqlite3 *db;
  sqlite3_stmt *st;
  long v = -1;
  if (sqlite3_open(path, &db) != SQLITE_OK) return -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    if (sqlite3_step(st) == SQLITE_ROW) v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return v;
}

static char path_a[600], path_b[600];
static wg_demo_campaigns_summary a, b;

TEST(campaigns_exist_with_plausible_figures) {
  CHECK_EQ(build(path_a, &a), WG_OK);
  /* The finished testing round: everyone active, nearly all reported. */
  CHECK_EQ(a.testing_items, scalar(path_a, "SELECT count(*) FROM resident WHERE status = 1"));
  CHECK(a.testing_reported > a.testing_items * 98 / 100);
  CHECK(a.testing_reported < a.testing_items);
  CHECK_EQ(scalar(path_a, "SELECT count(*) FROM campaign_item WHERE campaign_id = 1 AND stage = 4"),
           a.testing_reported);
  /* Every stage change is an event before today. */
  CHECK_EQ(scalar(path_a, "SELECT count(*) FROM campaign_event WHERE at >= '2026-11-29'"), 0);
  /* Vaccination in progress: some done, many not. */
  CHECK(a.vaccination_items > 100);
  CHECK(a.vaccination_done > 0);
  CHECK(a.vaccination_done < a.vaccination_items / 2);
  CHECK(scalar(path_a, "SELECT count(*) FROM campaign_item WHERE campaign_id = 2 AND stage = 0") > 0);
  /* The policy push: veterans' households, some handled with a receipt. */
  CHECK_EQ(a.policy_items, scalar(path_a, "SELECT count(DISTINCT household_id) FROM resident WHERE"
                                          " status = 1 AND tags LIKE '%,veteran,%'"));
  CHECK(a.policy_handled > 0);
  CHECK_EQ(scalar(path_a, "SELECT count(*) FROM campaign_event WHERE campaign_id = 3 AND to_stage = 3"
                          " AND note LIKE '回执 TY-%'"),
           a.policy_handled);
  /* Skills training: 52 weeks × townships; 38,200 of 35,000 today. */
  CHECK_EQ(a.skills_weeks, 52);
  CHECK_EQ(a.skills_townships, 10);
  CHECK_EQ(a.skills_actuals, 520);
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(path_a, 0, &s, NULL), WG_OK);
  if (s) {
    wg_target_data d;
    CHECK_EQ(wg_target_load(s, WG_DEMO_COUNTY, "skills_training", &d, NULL), WG_OK);
    wg_period p;
    wg_period_of(WG_PERIOD_WEEK, TODAY, &p);
    wg_target_line *l = NULL;
    int n = 0;
    CHECK_EQ(wg_target_lines(s, &d, &p, &l, &n), WG_OK);
    CHECK_EQ(n, 11);
    if (n == 11) {
      CHECK_EQ(l[0].actual_cum, 38200);
      CHECK_EQ(l[0].target, 35000);
      CHECK_EQ(l[0].pct, 10914);
      int behind = 0;
      long sum = 0;
      for (int i = 1; i < n; i++) {
        behind += l[i].behind;
        sum += l[i].target;
      }
      CHECK(behind >= 1);
      CHECK_EQ(sum, 35000);
    }
    free(l);
    wg_target_data_free(&d);
    /* A roll-up of the vaccination shows every level. */
    wg_campaign_view v;
    CHECK_EQ(wg_campaign_view_open(s, a.vaccination_id, &v, NULL), WG_OK);
    wg_rollup_unit *u = NULL;
    CHECK_EQ(wg_campaign_rollup(s, &v, &u, &n), WG_OK);
    int levels[WG_RL_COUNT_] = {0};
    for (int i = 0; i < n; i++) levels[u[i].level]++;
    for (int k = 0; k < WG_RL_COUNT_; k++) CHECK(levels[k] > 0);
    free(u);
    wg_campaign_view_free(&v);
    wg_store_close(s);
  }
}

TEST(deterministic) {
  CHECK_EQ(build(path_b, &b), WG_OK);
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  CHECK_EQ(scalar(path_a, "SELECT sum(stage * id) FROM campaign_item"),
           scalar(path_b, "SELECT sum(stage * id) FROM campaign_item"));
  CHECK_EQ(scalar(path_a, "SELECT sum(value * length(period)) FROM actual"),
           scalar(path_b, "SELECT sum(value * length(period)) FROM actual"));
}

int main(void) {
  dir = test_tmpdir();
  snprintf(path_a, sizeof path_a, "%s/a.db", dir);
  snprintf(path_b, sizeof path_b, "%s/b.db", dir);
  RUN(campaigns_exist_with_plausible_figures);
  RUN(deterministic);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
