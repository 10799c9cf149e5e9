/* Dividing the ledger: codes, nesting, coverage of every entrance, polygons
 * that locate their own entrances, activation, re-division stability and
 * never-reused numbers. Runs on a small demo county. */
#include <sqlite3.h>
#include <stdint.h>

#include "demo/demo.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "territory/plan.h"
#include "test.h"

static char *dir;
static char dbpath[512];
static wg_store_t *s;

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

static int64_t first_plan, second_plan;

TEST(divides_the_demo_county) {
  wg_plan_opts o;
  wg_plan_opts_init(&o);
  o.county = "141127";
  o.actor = "test";
  wg_plan_report rep;
  wg_errinfo ei = {0};
  wg_err e = wg_plan_divide(s, &o, &rep, &ei);
  if (e) printf("# %s\n", ei.why);
  CHECK_EQ(e, WG_OK);
  first_plan = rep.plan_id;
  CHECK(rep.plan_id > 0);
  CHECK(rep.units > 0);
  CHECK_EQ(rep.based_on, 0);
  /* Every entrance has an assignment at every level, in the right shape. */
  CHECK_EQ(scalar("SELECT count(*) FROM entrance"),
           scalar("SELECT count(DISTINCT entrance_id) FROM grid_assignment"));
  CHECK_EQ(scalar("SELECT count(*) FROM grid_assignment WHERE length(l1) != 14 OR "
                  "length(l2) != 16 OR length(l3) != 18"),
           0);
  CHECK_EQ(scalar("SELECT count(*) FROM grid_assignment WHERE substr(l2, 1, 14) != l1 OR "
                  "substr(l3, 1, 16) != l2"),
           0);
  /* Codes extend the entrance's own community code. */
  CHECK_EQ(scalar("SELECT count(*) FROM grid_assignment a JOIN entrance e ON e.id = a.entrance_id"
                  " JOIN building b ON b.id = e.building_id WHERE substr(a.l1, 1, 12) != b.community"),
           0);
  /* Grids: every level's households add up to the county's. */
  long total = rep.result.households;
  char sql[512];
  for (int l = 1; l <= 3; l++) {
    snprintf(sql, sizeof sql, "SELECT sum(households) FROM grid WHERE plan_id = %lld AND level = %d",
             (long long)rep.plan_id, l);
    CHECK_EQ(scalar(sql), total);
  }
  /* Urban level-3 grids keep the bounds unless a violation says why. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM grid g JOIN division d ON d.code = g.community WHERE"
           " g.plan_id = %lld AND g.level = 3 AND d.kind = 1 AND (g.households < 10 OR"
           " g.households > 20) AND NOT EXISTS (SELECT 1 FROM plan_violation v WHERE"
           " v.plan_id = g.plan_id AND v.code = g.code)",
           (long long)rep.plan_id);
  CHECK_EQ(scalar(sql), 0);
  /* The divide core's own checks held. */
  for (int l = 0; l < 3; l++) {
    CHECK_EQ(rep.result.stats[l].noncontiguous, 0);
    CHECK_EQ(rep.result.stats[l].nesting_errors, 0);
  }
  printf("# %d entrances, %ld households: %d / %d / %d grids, %d avoidable, %d forced\n",
         rep.units, total, rep.ngrids[0], rep.ngrids[1], rep.ngrids[2], rep.result.avoidable,
         rep.result.forced);
  wg_plan_report_free(&rep);
}

/* An entrance above the level-3 bound is split by floors: each of its
 * occupied dwellings lies in exactly one piece, pieces run bottom-up, and
 * each piece's households are those of its dwellings, within the bound. */
TEST(split_entrances_are_cut_by_floor) {
  char sql[1024];
  long long p = (long long)first_plan;
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT entrance_id) FROM grid_piece_dwelling WHERE plan_id = %lld", p);
  long split = scalar(sql);
  printf("# %ld split entrances with dwellings\n", split);
  CHECK(split > 0);
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT entrance_id) FROM grid_assignment WHERE plan_id = %lld AND piece > 0",
           p);
  CHECK_EQ(scalar(sql), split);
  /* Every occupied dwelling of a split entrance is placed, once. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM dwelling d WHERE d.entrance_id IN (SELECT entrance_id FROM"
           " grid_assignment WHERE plan_id = %lld AND piece > 0) AND EXISTS (SELECT 1 FROM resident r"
           " WHERE r.dwelling_id = d.id AND r.status = 1) AND NOT EXISTS (SELECT 1 FROM"
           " grid_piece_dwelling pd WHERE pd.plan_id = %lld AND pd.dwelling_id = d.id)",
           p, p);
  CHECK_EQ(scalar(sql), 0);
  /* Pieces run by floor: no dwelling of a later piece is below one of an
   * earlier piece. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM grid_piece_dwelling a JOIN grid_piece_dwelling b ON"
           " b.plan_id = a.plan_id AND b.entrance_id = a.entrance_id AND b.piece > a.piece"
           " JOIN dwelling da ON da.id = a.dwelling_id JOIN dwelling db ON db.id = b.dwelling_id"
           " WHERE a.plan_id = %lld AND da.floor > db.floor",
           p);
  CHECK_EQ(scalar(sql), 0);
  /* A piece's households are its dwellings' households, 1..20. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM grid_assignment a WHERE a.plan_id = %lld AND a.piece > 0 AND"
           " (a.households < 1 OR a.households > 20 OR a.households != (SELECT"
           " count(DISTINCT r.household_id) FROM grid_piece_dwelling pd JOIN resident r ON"
           " r.dwelling_id = pd.dwelling_id AND r.status = 1 WHERE pd.plan_id = a.plan_id AND"
           " pd.entrance_id = a.entrance_id AND pd.piece = a.piece))",
           p);
  CHECK_EQ(scalar(sql), 0);
}

TEST(locate_finds_each_buildings_grids) {
  CHECK_EQ(wg_store_plan_activate(s, first_plan), WG_OK);
  /* A sample of whole (unsplit) entrances of single-entrance buildings: the
   * point of the building lies in the grids the entrance was assigned to. */
  sqlite3 *db;
  CHECK_EQ(sqlite3_open(dbpath, &db), SQLITE_OK);
  sqlite3_stmt *st;
  CHECK_EQ(sqlite3_prepare_v2(db,
                              "SELECT b.lon, b.lat, a.l1, a.l2, a.l3 FROM grid_assignment a"
                              " JOIN entrance e ON e.id = a.entrance_id JOIN building b ON"
                              " b.id = e.building_id WHERE a.plan_id = ?1 AND a.piece = 0 AND"
                              " (SELECT count(*) FROM entrance x WHERE x.building_id = b.id) = 1"
                              " ORDER BY a.entrance_id LIMIT 200",
                              -1, &st, NULL),
           SQLITE_OK);
  sqlite3_bind_int64(st, 1, first_plan);
  int tried = 0, matched = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    wg_located at;
    tried++;
    if (wg_plan_locate(s, "141127", sqlite3_column_double(st, 0), sqlite3_column_double(st, 1),
                       &at) != WG_OK)
      continue;
    if (strcmp(at.code[0], (const char *)sqlite3_column_text(st, 2)) == 0 &&
        strcmp(at.code[1], (const char *)sqlite3_column_text(st, 3)) == 0 &&
        strcmp(at.code[2], (const char *)sqlite3_column_text(st, 4)) == 0)
      matched++;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  CHECK(tried > 50);
  CHECK_EQ(matched, tried);
  wg_located far;
  CHECK_EQ(wg_plan_locate(s, "141127", 100.0, 30.0, &far), WG_ENOTFOUND);
}

/* Moves the residents of one dwelling in each of a few buildings out. */
static void move_some_out(int how_many) {
  sqlite3 *db;
  sqlite3_stmt *st;
  if (sqlite3_open(dbpath, &db) != SQLITE_OK) return;
  int64_t ids[4096];
  int n = 0;
  if (sqlite3_prepare_v2(db,
                         "SELECT id FROM resident WHERE status = 1 ORDER BY (id * 7919) % 1009,"
                         " id LIMIT ?1",
                         -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_int(st, 1, how_many);
    while (sqlite3_step(st) == SQLITE_ROW && n < 4096) ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  for (int i = 0; i < n; i++) {
    wg_change c = {.kind = WG_EV_MOVE_OUT, .resident_id = ids[i], .actor = "test",
                   .reason = "test move"};
    wg_errinfo ei = {0};
    if (wg_ledger_apply(s, &c, NULL, &ei) != WG_OK) printf("# move out: %s\n", ei.why);
  }
}

TEST(redivision_is_stable_and_never_reuses_numbers) {
  long residents = scalar("SELECT count(*) FROM resident WHERE status = 1");
  move_some_out((int)(residents / 100)); /* about 1% */
  wg_plan_opts o;
  wg_plan_opts_init(&o);
  o.county = "141127";
  o.actor = "test";
  wg_plan_report rep;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_plan_divide(s, &o, &rep, &ei), WG_OK);
  second_plan = rep.plan_id;
  CHECK_EQ(rep.based_on, first_plan);
  printf("# after moving 1%% out: %.2f%% of households changed grid\n",
         rep.result.changed_share * 100);
  CHECK(rep.result.changed_share < 0.10);
  wg_plan_diff d;
  CHECK_EQ(wg_plan_compare(s, first_plan, second_plan, &d), WG_OK);
  CHECK(d.same > 0);
  CHECK(d.grids_a > 0 && d.grids_b > 0);
  printf("# diff: %d same, %d changed, %d retired, %d new grids\n", d.same, d.changed, d.only_a,
         d.only_b);
  /* A code that disappeared is never given again: no grid of the new plan
   * has a code that the first plan had and that was not kept unchanged
   * or changed in place (the ones in only_a are retired). */
  char sql[400];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM grid n WHERE n.plan_id = %lld AND EXISTS (SELECT 1 FROM grid o"
           " WHERE o.plan_id = %lld AND o.code = n.code) = 0 AND CAST(substr(n.code, -2) AS"
           " INTEGER) <= (SELECT max(CAST(substr(o.code, -2) AS INTEGER)) FROM grid o WHERE"
           " o.plan_id = %lld AND o.parent = n.parent)",
           (long long)second_plan, (long long)first_plan, (long long)first_plan);
  CHECK_EQ(scalar(sql), 0);
  /* The first plan stays as it was; activating the second retires it. */
  CHECK_EQ(wg_store_plan_activate(s, second_plan), WG_OK);
  wg_plan_t p;
  CHECK_EQ(wg_store_plan_get(s, first_plan, &p), WG_OK);
  CHECK_EQ(p.status, WG_PLAN_RETIRED);
  CHECK_EQ(wg_store_plan_activate(s, first_plan), WG_ECONFLICT);
  wg_plan_report_free(&rep);
}

TEST(bounds_parse) {
  wg_plan_opts o;
  wg_plan_opts_init(&o);
  CHECK_EQ(wg_plan_parse_bounds("100-200,20-40", &o, NULL), WG_OK);
  CHECK_EQ(o.nlevels, 2);
  CHECK_EQ(o.bounds[1].hi, 40);
  CHECK_EQ(wg_plan_parse_bounds("300-500,50-100,10-20,1-2", &o, NULL), WG_EINVAL);
  CHECK_EQ(wg_plan_parse_bounds("500-300", &o, NULL), WG_EINVAL);
  CHECK_EQ(wg_plan_parse_bounds("abc", &o, NULL), WG_EINVAL);
  CHECK_EQ(wg_plan_parse_bounds("", &o, NULL), WG_EINVAL);
}

int main(void) {
  setenv("WANGGE_TODAY", "20261129", 1);
  dir = test_tmpdir();
  snprintf(dbpath, sizeof dbpath, "%s/plan.db", dir);
  if (wg_store_open(dbpath, WG_STORE_CREATE, &s, NULL) != WG_OK) return 2;
  wg_demo_opts d;
  wg_demo_opts_init(&d);
  d.residents = 6000;
  d.seed = 7;
  d.today = 20261129;
  wg_demo_summary sum;
  wg_errinfo ei = {0};
  if (wg_demo_build(s, &d, &sum, &ei) != WG_OK) {
    printf("# demo: %s\n", ei.why);
    return 2;
  }
  RUN(divides_the_demo_county);
  RUN(split_entrances_are_cut_by_floor);
  RUN(locate_finds_each_buildings_grids);
  RUN(redivision_is_stable_and_never_reuses_numbers);
  RUN(bounds_parse);
  wg_store_close(s);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
