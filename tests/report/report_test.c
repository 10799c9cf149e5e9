/* Targets and reports: periods (ISO weeks), completion rounding, rankings
 * and laggards against a hand-computed fixture, the weekly/monthly/
 * quarterly reports' numbers, and the XLSX read back with wangge's own
 * reader. */
#include <stdlib.h>
#include <string.h>

#include "io/table.h"
#include "report/report.h"
#include "store/store.h"
#include "target/target.h"
#include "target/target_ops.h"
#include "test.h"

static char *dir;
static wg_store_t *s;

TEST(periods) {
  wg_period p;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_period_parse("2026-W47", &p, &ei), WG_OK);
  CHECK_EQ(p.first, 20261116);
  CHECK_EQ(p.last, 20261122);
  CHECK_EQ(wg_period_parse("2026-W01", &p, &ei), WG_OK);
  CHECK_EQ(p.first, 20251229); /* 1 January 2026 is a Thursday */
  CHECK_EQ(wg_period_parse("2026-W53", &p, &ei), WG_OK);
  CHECK_EQ(p.last, 20270103);
  CHECK_EQ(wg_period_parse("2025-W53", &p, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "2025 has 52 ISO weeks") != NULL);
  CHECK_EQ(wg_period_parse("2026-13", &p, &ei), WG_EINVAL);
  CHECK_EQ(wg_period_parse("2026-Q5", &p, &ei), WG_EINVAL);
  CHECK_EQ(wg_period_parse("Q4", &p, &ei), WG_EINVAL);
  CHECK_STR(ei.field, "period");
  CHECK_EQ(wg_period_parse("2024-02", &p, &ei), WG_OK);
  CHECK_EQ(p.last, 20240229);
  CHECK_EQ(wg_period_parse("2026-Q4", &p, &ei), WG_OK);
  CHECK_EQ(p.first, 20261001);
  CHECK_EQ(p.last, 20261231);
  wg_period_of(WG_PERIOD_WEEK, 20270101, &p);
  CHECK_STR(p.text, "2026-W53");
  wg_period_of(WG_PERIOD_WEEK, 20251229, &p);
  CHECK_STR(p.text, "2026-W01");
  wg_period_of(WG_PERIOD_WEEK, 20261122, &p);
  CHECK_STR(p.text, "2026-W47");
  CHECK_EQ(wg_period_anchor(&p), 20261119);
  wg_period n;
  wg_period_next(&p, &n);
  CHECK_STR(n.text, "2026-W48");
  CHECK_EQ(wg_day_from_number(wg_day_number(20240229) + 1), 20240301);
}

TEST(completion_rounding) {
  char out[24];
  CHECK_EQ(wg_target_pct(38200, 35000), 10914);
  wg_pct_format(wg_target_pct(38200, 35000), out);
  CHECK_STR(out, "109.14%");
  CHECK_EQ(wg_target_pct(2, 3), 6667);
  CHECK_EQ(wg_target_pct(1, 3), 3333);
  CHECK_EQ(wg_target_pct(1, 20000), 1); /* 0.005% rounds half up to 0.01% */
  CHECK_EQ(wg_target_pct(1, 20001), 0);
  CHECK_EQ(wg_target_pct(5, 0), 0);
  wg_pct_format(7, out);
  CHECK_STR(out, "0.07%");
}

/* The fixture: county 35,000 for 2026; townships A 15,000, B 12,000,
 * C 8,000. By 2026-W47: A 18,000 (120.00%), B 13,200 (110.00%), C 7,000
 * (87.50%), county 38,200 (109.14%). Pace on 22 Nov = 326/365 = 89.32%:
 * C is behind. W48 adds 5,000 to A (outside the weekly notice, inside the
 * November dispatch). */
static void fixture(void) {
  static const struct {
    const char *code, *name;
    int level;
  } divs[] = {{"141127000000", "岚县", 3},
              {"141127100000", "甲镇", 4},
              {"141127101000", "乙镇", 4},
              {"141127200000", "丙乡", 4}};
  for (size_t i = 0; i < 4; i++) {
    wg_division_t d = {.level = (wg_division_level)divs[i].level};
    snprintf(d.code, sizeof d.code, "%s", divs[i].code);
    snprintf(d.parent, sizeof d.parent, "%s", i ? "141127000000" : "");
    snprintf(d.name, sizeof d.name, "%s", divs[i].name);
    CHECK_EQ(wg_store_division_put(s, &d), WG_OK);
  }
  CHECK_EQ(wg_store_meta_set(s, "county", "141127"), WG_OK);
  wg_target_who who = {.actor = "city"};
  wg_errinfo ei = {0};
  CHECK_EQ(wg_target_indicator_add(s, "141127", "skills_training", "职业技能培训", "人次", "week",
                                   &who, &ei),
           WG_OK);
  CHECK_EQ(wg_target_indicator_add(s, "141127", "skills_training", "x", "人", "week", &who, &ei),
           WG_EEXIST);
  CHECK_EQ(wg_target_assign(s, "141127", "skills_training", "141127000000", "2026", 35000, &who, &ei), WG_OK);
  CHECK_EQ(wg_target_assign(s, "141127", "skills_training", "141127100000", "2026", 15000, &who, &ei), WG_OK);
  CHECK_EQ(wg_target_assign(s, "141127", "skills_training", "141127101000", "2026", 12000, &who, &ei), WG_OK);
  CHECK_EQ(wg_target_assign(s, "141127", "skills_training", "141127200000", "2026", 8000, &who, &ei), WG_OK);
  static const struct {
    const char *div, *period;
    long v;
  } acts[] = {{"141127100000", "2026-W10", 17000}, {"141127100000", "2026-W47", 1000},
              {"141127101000", "2026-W20", 13000}, {"141127101000", "2026-W47", 200},
              {"141127200000", "2026-W30", 6900},  {"141127200000", "2026-W47", 100},
              {"141127100000", "2026-W48", 5000}};
  for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
    CHECK_EQ(wg_target_report(s, "141127", "skills_training", acts[i].div, acts[i].period,
                              acts[i].v, &who, &ei),
             WG_OK);
  /* Checks with clear errors. */
  CHECK_EQ(wg_target_report(s, "141127", "skills_training", "141127200000", "2026-11", 5, &who, &ei),
           WG_EINVAL);
  CHECK(strstr(ei.why, "per week") != NULL);
  CHECK_EQ(wg_target_assign(s, "141127", "skills_training", "141127200000", "2026-W47", 5, &who, &ei),
           WG_EINVAL);
  CHECK_EQ(wg_target_assign(s, "141127", "skills_training", "141127999000", "2026", 5, &who, &ei),
           WG_EINVAL);
  CHECK_STR(ei.field, "division");
  CHECK_EQ(wg_target_report(s, "141127", "skills_training", "141127200000", "2026-W47", -1, &who, &ei),
           WG_EINVAL);
  CHECK_EQ(wg_target_report(s, "141127", "nope", "141127200000", "2026-W47", 1, &who, &ei),
           WG_ENOTFOUND);
}

TEST(evaluation_matches_the_hand_computation) {
  wg_target_data d;
  CHECK_EQ(wg_target_load(s, "141127", "skills_training", &d, NULL), WG_OK);
  CHECK_EQ(d.ntargets, 4);
  CHECK_EQ(d.nactuals, 7);
  wg_period p;
  CHECK_EQ(wg_period_parse("2026-W47", &p, NULL), WG_OK);
  wg_target_line *l = NULL;
  int n = 0;
  CHECK_EQ(wg_target_lines(s, &d, &p, &l, &n), WG_OK);
  CHECK_EQ(n, 4);
  if (n == 4) {
    CHECK_STR(l[0].name, "岚县");
    CHECK_EQ(l[0].actual_cum, 38200);
    CHECK_EQ(l[0].actual_period, 1300);
    CHECK_EQ(l[0].pct, 10914);
    CHECK_EQ(l[0].pace, 8932);
    CHECK_EQ(l[0].rank, 1);
    CHECK_EQ(l[0].peers, 1);
    CHECK_STR(l[1].name, "甲镇");
    CHECK_EQ(l[1].pct, 12000);
    CHECK_EQ(l[1].rank, 1);
    CHECK_STR(l[2].name, "乙镇");
    CHECK_EQ(l[2].pct, 11000);
    CHECK_STR(l[3].name, "丙乡");
    CHECK_EQ(l[3].actual_cum, 7000);
    CHECK_EQ(l[3].pct, 8750);
    CHECK_EQ(l[3].rank, 3);
    CHECK_EQ(l[3].peers, 3);
    CHECK(l[3].behind);
    CHECK(!l[2].behind);
  }
  free(l);
  CHECK_EQ(wg_period_parse("2026-11", &p, NULL), WG_OK);
  CHECK_EQ(wg_target_lines(s, &d, &p, &l, &n), WG_OK);
  if (n == 4) {
    CHECK_EQ(l[0].actual_cum, 43200);
    CHECK_EQ(l[0].actual_period, 6300);
    CHECK_EQ(l[1].actual_cum, 23000);
    CHECK_EQ(l[1].pct, 15333);
  }
  free(l);
  wg_target_data_free(&d);
}

/* Finds the row whose first cell is name and returns its cell col (copied). */
static int sheet_cell(const char *path, const char *caption, const char *name, int col, char *out,
                      size_t cap) {
  wg_table_t *t = NULL;
  wg_errinfo ei = {0};
  if (wg_table_open(path, NULL, &t, &ei) != WG_OK) return 0;
  wg_table_row row;
  int has = 0, found = 0, in_table = caption == NULL;
  while (!found && wg_table_next(t, &row, &has, &ei) == WG_OK && has) {
    if (row.ncells > 0 && caption && !strcmp(row.cells[0], caption)) in_table = 1;
    if (in_table && row.ncells > col && !strcmp(row.cells[0], name)) {
      snprintf(out, cap, "%s", row.cells[col]);
      found = 1;
    }
  }
  wg_table_close(t);
  return found;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  if (b) b[n] = '\0';
  fclose(f);
  return b;
}

TEST(weekly_notice_contents_and_xlsx) {
  wg_report *r = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_report_build(s, "141127", WG_REPORT_WEEKLY, "2026-11", &r, &ei), WG_EINVAL);
  CHECK_STR(ei.field, "period");
  CHECK_EQ(wg_report_build(s, "141127", WG_REPORT_WEEKLY, "2026-W47", &r, &ei), WG_OK);
  if (!r) return;
  CHECK_STR(r->title, "岚县2026年第47周工作通报");
  /* The ranking table, in order. */
  const wg_report_table *t = NULL;
  for (int i = 0; i < r->n && !t; i++)
    if (r->blocks[i].kind == WG_BLOCK_TABLE) t = r->blocks[i].table;
  CHECK(t != NULL);
  if (t) {
    CHECK_EQ(t->nrows, 4);
    CHECK_STR(wg_report_cell_at(t, 0, 0)->text, "岚县");
    CHECK_EQ(wg_report_cell_at(t, 0, 3)->v, 38200);
    CHECK_EQ(wg_report_cell_at(t, 0, 4)->v, 10914);
    CHECK_STR(wg_report_cell_at(t, 3, 0)->text, "丙乡");
    CHECK_STR(wg_report_cell_at(t, 3, 6)->text, "3/3");
    CHECK_STR(wg_report_cell_at(t, 3, 7)->text, "滞后");
    CHECK(t->behind[3]);
    CHECK(!t->behind[1]);
  }
  char path[600], cell[128];
  snprintf(path, sizeof path, "%s/weekly.html", dir);
  CHECK_EQ(wg_report_write(r, "html", path, &ei), WG_OK);
  char *html = slurp(path);
  CHECK(html != NULL);
  if (html) {
    CHECK(strstr(html, "109.14%") != NULL);
    CHECK(strstr(html, "<svg") != NULL);
    CHECK(strstr(html, "进度滞后单位（完成率低于时序进度 89.32%）共 1 个：丙乡（87.50%）") != NULL);
    CHECK(strstr(html, "<script") == NULL);
    free(html);
  }
  snprintf(path, sizeof path, "%s/weekly.xlsx", dir);
  CHECK_EQ(wg_report_write(r, "xlsx", path, &ei), WG_OK);
  CHECK(sheet_cell(path, NULL, "岚县2026年第47周工作通报", 0, cell, sizeof cell));
  CHECK(sheet_cell(path, "完成情况及排名", "岚县", 3, cell, sizeof cell));
  CHECK_STR(cell, "38200");
  CHECK(sheet_cell(path, "完成情况及排名", "岚县", 4, cell, sizeof cell));
  CHECK_STR(cell, "1.0914");
  CHECK(sheet_cell(path, "完成情况及排名", "丙乡", 6, cell, sizeof cell));
  CHECK_STR(cell, "3/3");
  CHECK(sheet_cell(path, "完成情况及排名", "甲镇", 2, cell, sizeof cell));
  CHECK_STR(cell, "1000");
  CHECK_EQ(wg_report_write(r, "pdf", path, &ei), WG_EINVAL);
  wg_report_free(r);
}

TEST(monthly_and_quarterly) {
  wg_report *r = NULL;
  wg_errinfo ei = {0};
  char path[600], cell[128];
  CHECK_EQ(wg_report_build(s, "141127", WG_REPORT_MONTHLY, "2026-11", &r, &ei), WG_OK);
  snprintf(path, sizeof path, "%s/monthly.xlsx", dir);
  CHECK_EQ(wg_report_write(r, "xlsx", path, &ei), WG_OK);
  /* Month: A did 1,000 + 5,000; the county 6,300. */
  CHECK(sheet_cell(path, "完成情况及排名", "甲镇", 2, cell, sizeof cell));
  CHECK_STR(cell, "6000");
  CHECK(sheet_cell(path, "完成情况及排名", "岚县", 2, cell, sizeof cell));
  CHECK_STR(cell, "6300");
  /* Next tasks: C needs 1,000 more in the 5 weeks left of 2026. */
  CHECK(sheet_cell(path, "距目标所需", "丙乡", 1, cell, sizeof cell));
  CHECK_STR(cell, "1000");
  CHECK(sheet_cell(path, "距目标所需", "丙乡", 2, cell, sizeof cell));
  CHECK_STR(cell, "5");
  CHECK(sheet_cell(path, "距目标所需", "丙乡", 3, cell, sizeof cell));
  CHECK_STR(cell, "200");
  wg_report_free(r);
  CHECK_EQ(wg_report_build(s, "141127", WG_REPORT_QUARTERLY, "2026-Q4", &r, &ei), WG_OK);
  snprintf(path, sizeof path, "%s/quarter.xlsx", dir);
  CHECK_EQ(wg_report_write(r, "xlsx", path, &ei), WG_OK);
  /* Quarter by month: A: October 0, November 6,000, December 0. */
  CHECK(sheet_cell(path, "本季分月完成", "甲镇", 1, cell, sizeof cell));
  CHECK_STR(cell, "0");
  CHECK(sheet_cell(path, "本季分月完成", "甲镇", 2, cell, sizeof cell));
  CHECK_STR(cell, "6000");
  CHECK(sheet_cell(path, "本季分月完成", "岚县", 5, cell, sizeof cell));
  CHECK_STR(cell, "43200");
  wg_report_free(r);
}

int main(void) {
  RUN(periods);
  RUN(completion_rounding);
  dir = test_tmpdir();
  char dbpath[600];
  snprintf(dbpath, sizeof dbpath, "%s/report.db", dir);
  if (wg_store_open(dbpath, WG_STORE_CREATE, &s, NULL) != WG_OK) return 2;
  RUN(fixture);
  RUN(evaluation_matches_the_hand_computation);
  RUN(weekly_notice_contents_and_xlsx);
  RUN(monthly_and_quarterly);
  wg_store_close(s);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
