/* Campaigns: the query form, matching, stages, moves, the roll-up against a
 * brute-force count (in memory and on a small demo county through the
 * store), marking, bulk updates (all-or-nothing, scope) and history. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "campaign/campaign_ops.h"
#include "demo/demo.h"
#include "io/table.h"
#include "io/table_write.h"
#include "report/report.h"
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
  } else {
    printf("# sql: %s\n", sqlite3_errmsg(db));
  }
  sqlite3_close(db);
  return v;
}

static int sql_exec_fails(const char *sql) {
  sqlite3 *db;
  if (sqlite3_open(dbpath, &db) != SQLITE_OK) return 0;
  int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
  sqlite3_close(db);
  return rc != SQLITE_OK;
}

TEST(query_parses_terms) {
  wg_campaign_query q;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_campaign_query_parse("tag=退役军人 age>=60 age<80 sex=女 residence=户籍", &q, &ei),
           WG_OK);
  CHECK_EQ(q.ntags, 1);
  CHECK_STR(q.tags[0], "退役军人");
  CHECK_EQ(q.age_min, 60);
  CHECK_EQ(q.age_max, 79);
  CHECK_EQ(q.sex, 'F');
  CHECK_EQ(q.residence, 1);
  char buf[256];
  wg_campaign_query_format(&q, buf, sizeof buf);
  CHECK_STR(buf, "tag=退役军人 age>=60 age<=79 sex=F residence=registered");
  /* The canonical text parses back to the same query. */
  wg_campaign_query q2;
  CHECK_EQ(wg_campaign_query_parse(buf, &q2, NULL), WG_OK);
  CHECK(memcmp(&q, &q2, sizeof q) == 0);
  CHECK_EQ(wg_campaign_query_parse("grid=14112710000101,1411271000010203 division=141127100000"
                                   "\xe3\x80\x80tag!=vaccinated",
                                   &q, &ei),
           WG_OK);
  CHECK_EQ(q.ngrids, 2);
  CHECK_EQ(q.ndivisions, 1);
  CHECK_EQ(q.nnot, 1);
  /* Sixteen codes (the most) still make a canonical text that parses back
   * (a single grid= list of them would be too long for one term). */
  {
    char many[1024] = "grid=14112710000101,14112710000102";
    for (int i = 2; i < WG_CAMPAIGN_MAX_TERMS; i++) strcat(many, " grid=14112710000103");
    CHECK_EQ(wg_campaign_query_parse(many, &q, &ei), WG_OK);
    CHECK_EQ(q.ngrids, WG_CAMPAIGN_MAX_TERMS);
    char canon[2048];
    wg_campaign_query_format(&q, canon, sizeof canon);
    CHECK_EQ(wg_campaign_query_parse(canon, &q2, &ei), WG_OK);
    CHECK(memcmp(&q, &q2, sizeof q) == 0);
  }
  CHECK_EQ(wg_campaign_query_parse("", &q, &ei), WG_OK);
  CHECK_EQ(q.age_min, -1);
}

TEST(query_errors_name_the_term) {
  wg_campaign_query q;
  struct {
    const char *text, *field, *why_part;
  } bad[] = {
      {"age>=sixty", "age>=sixty", "whole number"},
      {"age>=80 age<60", "age<60", "contradict"},
      {"colour=red", "colour=red", "unknown key"},
      {"tag~x", "tag~x", "operator"},
      {"grid=123", "grid=123", "grid code"},
      {"division=1411", "division=1411", "12-digit"},
      {"sex=X", "sex=X", "sex=M"},
      {"residence=mars", "residence=mars", "registered"},
      {"age!=5", "age!=5", "not !="},
      {"tag=", "tag=", "empty"},
      {"justaword", "justaword", "key=value"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wg_errinfo ei = {0};
    CHECK_EQ(wg_campaign_query_parse(bad[i].text, &q, &ei), WG_EINVAL);
    CHECK_STR(ei.field, bad[i].field);
    if (!strstr(ei.why, bad[i].why_part)) printf("#   %s → %s\n", bad[i].text, ei.why);
    CHECK(strstr(ei.why, bad[i].why_part) != NULL);
  }
}

TEST(age_and_match) {
  CHECK_EQ(wg_age_on(19660301, 20260228), 59);
  CHECK_EQ(wg_age_on(19660301, 20260301), 60);
  CHECK_EQ(wg_age_on(19640229, 20240228), 59);
  CHECK_EQ(wg_age_on(19640229, 20240229), 60);
  CHECK_EQ(wg_age_on(19640229, 20250228), 60); /* 61st birthday on 1 March */
  CHECK_EQ(wg_age_on(19640229, 20250301), 61);
  wg_campaign_query q;
  CHECK_EQ(wg_campaign_query_parse("tag=veteran age>=60 tag!=disabled grid=1411271000010102",
                                   &q, NULL),
           WG_OK);
  wg_campaign_subject p = {'M', 19600101, 1, ",party_member,veteran,", "141127100001",
                           {"14112710000101", "1411271000010102", "141127100001010203"}};
  CHECK(wg_campaign_query_match(&q, &p, 20261129));
  p.birth = 19670101;
  CHECK(!wg_campaign_query_match(&q, &p, 20261129));
  p.birth = 19600101;
  p.tags = ",veteran,disabled,";
  CHECK(!wg_campaign_query_match(&q, &p, 20261129));
  p.tags = ",veterans,";  /* a tag is matched whole, not as a substring */
  CHECK(!wg_campaign_query_match(&q, &p, 20261129));
  p.tags = ",veteran,";
  p.grid[1] = "1411271000010103";
  CHECK(!wg_campaign_query_match(&q, &p, 20261129));
  CHECK_EQ(wg_campaign_query_parse("division=141127100000", &q, NULL), WG_OK);
  CHECK(wg_campaign_query_match(&q, &p, 20261129));
  CHECK_EQ(wg_campaign_query_parse("division=141127101000", &q, NULL), WG_OK);
  CHECK(!wg_campaign_query_match(&q, &p, 20261129));
}

TEST(stages_templates_and_moves) {
  wg_campaign_stages st;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_campaign_template_count(), 4);
  const wg_campaign_template *t = wg_campaign_template_find("testing");
  CHECK(t != NULL);
  CHECK_EQ(wg_campaign_stages_parse(t->stages, &st, &ei), WG_OK);
  CHECK_EQ(st.n, 5);
  CHECK_STR(st.s[1].name_zh, "已采样");
  CHECK_EQ(wg_campaign_stage_find(&st, "tested"), 3);
  CHECK_EQ(wg_campaign_stage_find(&st, "已报告"), 4);
  CHECK_EQ(wg_campaign_stage_find(&st, "sent"), 2);
  CHECK_EQ(wg_campaign_stage_find(&st, "1"), 1);
  CHECK_EQ(wg_campaign_stage_find(&st, "nope"), -1);
  CHECK_EQ(wg_campaign_template_find("policy")->kind, WG_ITEM_HOUSEHOLD);
  /* The policy push's last stage needs a receipt; the mark survives a round trip. */
  CHECK_EQ(wg_campaign_stages_parse(wg_campaign_template_find("policy")->stages, &st, &ei), WG_OK);
  CHECK(st.s[3].needs_note);
  CHECK(!st.s[2].needs_note);
  {
    char text[600];
    wg_campaign_stages back;
    wg_campaign_stages_format(&st, text, sizeof text);
    CHECK(strstr(text, "handled:已办结:handled:receipt") != NULL);
    CHECK_EQ(wg_campaign_stages_parse(text, &back, NULL), WG_OK);
    CHECK(memcmp(&st, &back, sizeof st) == 0);
  }
  CHECK_EQ(wg_campaign_stages_parse("a:x:y:maybe,b", &st, &ei), WG_EINVAL);
  CHECK_EQ(wg_campaign_stages_parse("a:x:y:receipt,b", &st, &ei), WG_EINVAL);
  CHECK_EQ(wg_campaign_stages_parse(t->stages, &st, &ei), WG_OK);
  char buf[600];
  wg_campaign_stages_format(&st, buf, sizeof buf);
  wg_campaign_stages st2;
  CHECK_EQ(wg_campaign_stages_parse(buf, &st2, NULL), WG_OK);
  CHECK(memcmp(&st, &st2, sizeof st) == 0);
  CHECK_EQ(wg_campaign_stages_parse("a", &st, &ei), WG_EINVAL);
  CHECK_EQ(wg_campaign_stages_parse("a,a", &st, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "twice") != NULL);
  CHECK_EQ(wg_campaign_stages_parse("A:x,b", &st, &ei), WG_EINVAL);
  CHECK_EQ(wg_campaign_stages_parse("to_visit:待走访,visited:已走访", &st, &ei), WG_OK);
  CHECK_STR(st.s[1].name_en, "visited");
  CHECK_EQ(wg_campaign_move_check(5, 0, 3, 0, NULL), WG_OK);
  CHECK_EQ(wg_campaign_move_check(5, 3, 3, 0, NULL), WG_EEXIST);
  CHECK_EQ(wg_campaign_move_check(5, 3, 1, 0, NULL), WG_ECONFLICT);
  CHECK_EQ(wg_campaign_move_check(5, 3, 1, 1, NULL), WG_OK);
  CHECK_EQ(wg_campaign_move_check(5, 0, 5, 0, NULL), WG_EINVAL);
}

/* A tiny deterministic generator. */
static uint64_t rng = 42;
static unsigned next(void) {
  rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)(rng >> 33);
}

TEST(rollup_equals_brute_force_in_memory) {
  /* 1 county, 3 townships, 9 communities, 20/60/150 grids; random groups. */
  enum { NU = 1 + 3 + 9 + 20 + 60 + 150, NG = 5000, NST = 5 };
  wg_rollup_unit units[NU];
  int first[WG_RL_COUNT_] = {0, 1, 4, 13, 33, 93}, count[WG_RL_COUNT_] = {1, 3, 9, 20, 60, 150};
  for (int l = 0; l < WG_RL_COUNT_; l++)
    for (int i = 0; i < count[l]; i++) {
      wg_rollup_unit *u = &units[first[l] + i];
      memset(u, 0, sizeof *u);
      snprintf(u->code, sizeof u->code, "%d-%03d", l, i);
      u->level = (wg_rollup_level)l;
    }
  static wg_rollup_group g[NG];
  for (int i = 0; i < NG; i++) {
    for (int l = 0; l < WG_RL_COUNT_; l++)
      g[i].unit[l] = next() % 17 == 0 ? -1 : first[l] + (int)(next() % (unsigned)count[l]);
    g[i].stage = (int)(next() % NST);
    g[i].count = 1 + next() % 9;
  }
  CHECK_EQ(wg_rollup_compute(units, NU, NST, g, NG), WG_OK);
  int bad = 0;
  for (int u = 0; u < NU; u++)
    for (int k = 0; k < NST; k++) {
      long brute = 0;
      for (int i = 0; i < NG; i++)
        for (int l = 0; l < WG_RL_COUNT_; l++)
          if (g[i].unit[l] == u && g[i].stage >= k) brute += g[i].count;
      if (brute != units[u].reached[k]) bad++;
    }
  CHECK_EQ(bad, 0);
  /* Ranks: a permutation 1..n per level, ordered by done share. */
  for (int l = 0; l < WG_RL_COUNT_; l++) {
    for (int i = 0; i < count[l]; i++)
      for (int j = 0; j < count[l]; j++) {
        const wg_rollup_unit *a = &units[first[l] + i], *b = &units[first[l] + j];
        if (i != j) CHECK(a->rank != b->rank);
        if (a->rank < b->rank && b->reached[0] > 0)
          CHECK((long long)a->reached[NST - 1] * b->reached[0] >=
                (long long)b->reached[NST - 1] * a->reached[0]);
      }
  }
  wg_rollup_unit half = {.reached = {3, 2}};
  CHECK_EQ(wg_rollup_share(&half, 2, 1), 6667);
  wg_rollup_group out_of_range = {{0, -1, -1, -1, -1, -1}, NST, 1};
  CHECK_EQ(wg_rollup_compute(units, NU, NST, &out_of_range, 1), WG_EINVAL);
}

/* ---- on the store ---------------------------------------------------------------- */

static int64_t testing_id, policy_id;

TEST(create_selects_the_query_population) {
  wg_errinfo ei = {0};
  wg_campaign_spec sp = {.county = "141127", .name = "全员核酸第1轮", .template_code = "testing",
                         .ref_date = 20261129, .actor = "test"};
  long items = 0;
  CHECK_EQ(wg_campaign_create(s, &sp, &testing_id, &items, &ei), WG_OK);
  CHECK_EQ(items, scalar("SELECT count(*) FROM resident WHERE status = 1"));
  /* Elderly: ages on the reference date, against SQL's own date arithmetic. */
  int64_t vac;
  sp.name = "老年人疫苗接种";
  sp.template_code = "vaccination";
  CHECK_EQ(wg_campaign_create(s, &sp, &vac, &items, &ei), WG_OK);
  CHECK_EQ(items, scalar("SELECT count(*) FROM resident WHERE status = 1 AND birth <= '1966-11-29'"));
  CHECK(items > 0);
  /* Households with a veteran. */
  sp.name = "退役军人政策推送";
  sp.template_code = "policy";
  sp.query = "tag=退役军人";
  CHECK_EQ(wg_campaign_create(s, &sp, &policy_id, &items, &ei), WG_OK);
  CHECK_EQ(items, scalar("SELECT count(DISTINCT household_id) FROM resident WHERE status = 1 AND"
                         " tags LIKE '%,veteran,%' AND household_id IS NOT NULL"));
  CHECK(items > 0);
  /* Every household of one grid. */
  char code[19] = "";
  sqlite3 *db;
  sqlite3_stmt *st;
  if (sqlite3_open(dbpath, &db) == SQLITE_OK) {
    if (sqlite3_prepare_v2(db, "SELECT code FROM grid WHERE level = 2 AND plan_id = (SELECT id FROM"
                               " plan WHERE status = 2) ORDER BY households DESC LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
      if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(code, sizeof code, "%s", (const char *)sqlite3_column_text(st, 0));
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
  }
  char q[64], sql[600];
  snprintf(q, sizeof q, "grid=%s", code);
  sp.name = "入户走访";
  sp.template_code = "visit";
  sp.query = q;
  int64_t visit;
  CHECK_EQ(wg_campaign_create(s, &sp, &visit, &items, &ei), WG_OK);
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT r.household_id) FROM resident r JOIN dwelling d ON d.id ="
           " r.dwelling_id JOIN grid_assignment a ON a.entrance_id = d.entrance_id AND a.plan_id ="
           " (SELECT id FROM plan WHERE status = 2) AND a.piece = (SELECT min(piece) FROM"
           " grid_assignment WHERE plan_id = a.plan_id AND entrance_id = a.entrance_id)"
           " WHERE r.status = 1 AND a.l2 = '%s'",
           code);
  CHECK_EQ(items, scalar(sql));
  CHECK(items > 0);
  /* Unknown tags are refused naming the term; nothing is written. */
  long before = scalar("SELECT count(*) FROM campaign");
  sp.query = "tag=火星人";
  CHECK_EQ(wg_campaign_create(s, &sp, &visit, &items, &ei), WG_EINVAL);
  CHECK_STR(ei.field, "tag=火星人");
  CHECK_EQ(scalar("SELECT count(*) FROM campaign"), before);
  CHECK_EQ(scalar("SELECT count(*) FROM audit WHERE action = 'campaign_create'"), before);
}

/* Compares the roll-up of campaign id with counts made by SQL alone. */
static void check_rollup_brute(int64_t id) {
  wg_campaign_view v;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_campaign_view_open(s, id, &v, &ei), WG_OK);
  wg_rollup_unit *u = NULL;
  int n = 0;
  CHECK_EQ(wg_campaign_rollup(s, &v, &u, &n), WG_OK);
  static const char *const expr[WG_RL_COUNT_] = {
      "substr(i.community, 1, 6) || '000000'", "substr(i.community, 1, 9) || '000'",
      "i.community", "a.l1", "a.l2", "a.l3"};
  int checked = 0, bad = 0, levels_seen[WG_RL_COUNT_] = {0};
  for (int k = 0; k < n; k++) {
    for (int st = 0; st < v.stages.n; st += v.stages.n - 1) {
      char sql[1200];
      snprintf(sql, sizeof sql,
               "SELECT count(*) FROM campaign_item i LEFT JOIN grid_assignment a ON"
               " a.entrance_id = i.entrance_id AND a.plan_id = %lld AND a.piece = (SELECT"
               " min(piece) FROM grid_assignment WHERE plan_id = a.plan_id AND entrance_id ="
               " a.entrance_id) WHERE i.campaign_id = %lld AND i.stage >= %d AND %s = '%s'",
               (long long)v.plan_id, (long long)id, st, expr[u[k].level], u[k].code);
      long brute = scalar(sql);
      if (brute != u[k].reached[st]) {
        if (bad < 5)
          printf("#   %s %s stage %d: rollup %ld, brute %ld\n", wg_rollup_level_name(u[k].level),
                 u[k].code, st, u[k].reached[st], brute);
        bad++;
      }
      checked++;
    }
    levels_seen[u[k].level]++;
  }
  CHECK_EQ(bad, 0);
  for (int l = 0; l < WG_RL_COUNT_; l++) CHECK(levels_seen[l] > 0);
  CHECK_EQ(u[0].level, WG_RL_COUNTY);
  CHECK_EQ(u[0].reached[0], v.c.items);
  printf("# roll-up of campaign %lld: %d units, %d counts checked\n", (long long)id, n, checked);
  free(u);
  wg_campaign_view_free(&v);
}

static int only_even(void *ctx, const wg_campaign_item_row *it) {
  (void)ctx;
  return it->id % 2 == 0;
}

TEST(marks_move_items_with_events) {
  wg_campaign_view v;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_campaign_view_open(s, testing_id, &v, &ei), WG_OK);
  wg_campaign_mark_opts o = {.actor = "worker1"};
  int64_t first = scalar("SELECT min(id) FROM campaign_item WHERE campaign_id = 1");
  wg_campaign_item_row it;
  CHECK_EQ(wg_campaign_mark(s, &v, first, NULL, "sampled", NULL, &o, &it, &ei), WG_OK);
  CHECK_EQ(it.stage, 1);
  CHECK_EQ(wg_campaign_mark(s, &v, first, NULL, "sampled", NULL, &o, &it, &ei), WG_EEXIST);
  CHECK_EQ(wg_campaign_mark(s, &v, first, NULL, "已报告", NULL, &o, &it, &ei), WG_OK);
  CHECK_EQ(wg_campaign_mark(s, &v, first, NULL, "sent", NULL, &o, &it, &ei), WG_ECONFLICT);
  o.correct = 1;
  CHECK_EQ(wg_campaign_mark(s, &v, first, NULL, "sent", NULL, &o, &it, &ei), WG_EINVAL);
  CHECK_EQ(wg_campaign_mark(s, &v, first, NULL, "sent", "录入错误", &o, &it, &ei), WG_OK);
  o.correct = 0;
  CHECK_EQ(wg_campaign_mark(s, &v, first, NULL, "nope", NULL, &o, &it, &ei), WG_EINVAL);
  CHECK_STR(ei.field, "stage");
  CHECK_EQ(wg_campaign_mark(s, &v, 999999999, NULL, "sent", NULL, &o, &it, &ei), WG_ENOTFOUND);
  /* By ID number. */
  char sql[300], idn[19] = "";
  snprintf(sql, sizeof sql, "SELECT 1");
  sqlite3 *db;
  sqlite3_stmt *st;
  if (sqlite3_open(dbpath, &db) == SQLITE_OK) {
    if (sqlite3_prepare_v2(db, "SELECT r.id_number FROM campaign_item i JOIN resident r ON r.id ="
                               " i.resident_id WHERE i.campaign_id = 1 AND i.stage = 0 LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
      if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(idn, sizeof idn, "%s", (const char *)sqlite3_column_text(st, 0));
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
  }
  CHECK_EQ(wg_campaign_mark(s, &v, 0, idn, "tested", NULL, &o, &it, &ei), WG_OK);
  CHECK_EQ(it.stage, 3);
  /* Scope: out-of-scope items are refused. */
  wg_campaign_mark_opts scoped = {.actor = "worker2", .can_mark = only_even};
  int64_t odd = first % 2 ? first : first + 1;
  CHECK_EQ(wg_campaign_mark(s, &v, odd, NULL, "reported", NULL, &scoped, &it, &ei), WG_EPERM);
  /* A household of the policy push: 已办结 needs its receipt number. */
  {
    wg_campaign_view pv;
    CHECK_EQ(wg_campaign_view_open(s, policy_id, &pv, &ei), WG_OK);
    char q[120];
    snprintf(q, sizeof q, "SELECT min(id) FROM campaign_item WHERE campaign_id = %lld",
             (long long)policy_id);
    int64_t hh = scalar(q);
    CHECK_EQ(wg_campaign_mark(s, &pv, hh, NULL, "handled", NULL, &o, &it, &ei), WG_EINVAL);
    CHECK(strstr(ei.why, "receipt") != NULL);
    CHECK_EQ(wg_campaign_mark(s, &pv, hh, NULL, "handled", "回执 TY-000001", &o, &it, &ei), WG_OK);
    CHECK_EQ(it.stage, 3);
    wg_campaign_view_free(&pv);
  }
  /* The trail: 3 events of the first item (sampled, reported, the
   * correction); append-only. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM campaign_event WHERE item_id = %lld",
           (long long)first);
  CHECK_EQ(scalar(sql), 3);
  CHECK(sql_exec_fails("UPDATE campaign_event SET to_stage = 0"));
  CHECK(sql_exec_fails("DELETE FROM campaign_event"));
  CHECK(sql_exec_fails("UPDATE campaign_item SET stage = 4 WHERE id = 1"));
  CHECK_EQ(scalar("SELECT count(*) FROM audit WHERE action = 'campaign_mark'"), 5);
  wg_campaign_view_free(&v);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

TEST(import_is_all_or_nothing_and_reports_rows) {
  wg_campaign_view v;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_campaign_view_open(s, testing_id, &v, &ei), WG_OK);
  char path[600], body[200000];
  snprintf(path, sizeof path, "%s/lab.csv", dir);
  /* 500 items marked "tested" by item id, one bad stage and one unknown
   * item: rejected, nothing written. */
  size_t used = (size_t)snprintf(body, sizeof body, "条目,环节,备注\n");
  int64_t base = scalar("SELECT min(id) FROM campaign_item WHERE campaign_id = 1 AND stage = 0");
  for (int i = 0; i < 500; i++)
    used += (size_t)snprintf(body + used, sizeof body - used, "%lld,%s,lab-7\n",
                             (long long)(base + i), i == 17 ? "检测完了" : "已检测");
  snprintf(body + used, sizeof body - used, "999999999,tested,\n");
  write_file(path, body);
  long events = scalar("SELECT count(*) FROM campaign_event");
  char report[4096] = "";
  FILE *rep = fmemopen(report, sizeof report, "w");
  wg_campaign_import_result res;
  wg_campaign_mark_opts o = {.actor = "lab"};
  CHECK_EQ(wg_campaign_import(s, &v, path, NULL, 0, NULL, &o, rep, &res, &ei), WG_EREJECTED);
  fclose(rep);
  CHECK_EQ(res.bad_rows, 2);
  CHECK_EQ(res.rows, 501);
  CHECK(strstr(report, "row 19: stage '检测完了': not a stage") != NULL);
  CHECK(strstr(report, "row 502: item_id '999999999': no such item") != NULL);
  CHECK_EQ(scalar("SELECT count(*) FROM campaign_event"), events);
  /* Fixed: all 500 move, with one audit row for the file. */
  used = (size_t)snprintf(body, sizeof body, "item_id,stage\n");
  for (int i = 0; i < 500; i++)
    used += (size_t)snprintf(body + used, sizeof body - used, "%lld,tested\n", (long long)(base + i));
  write_file(path, body);
  CHECK_EQ(wg_campaign_import(s, &v, path, NULL, 0, NULL, &o, NULL, &res, &ei), WG_OK);
  CHECK_EQ(res.moved, 500);
  CHECK_EQ(scalar("SELECT count(*) FROM campaign_event"), events + 500);
  CHECK_EQ(scalar("SELECT count(*) FROM audit WHERE action = 'campaign_import'"), 1);
  /* Again: nothing to do, every row unchanged. */
  CHECK_EQ(wg_campaign_import(s, &v, path, NULL, 0, NULL, &o, NULL, &res, &ei), WG_OK);
  CHECK_EQ(res.unchanged, 500);
  /* Default stage, from memory, with a scope: odd items are "not in your
   * grids" and reject the sheet. */
  char mem[200];
  int mlen = snprintf(mem, sizeof mem, "item_id\n%lld\n%lld\n", (long long)(base + 600),
                      (long long)(base + 601));
  wg_campaign_mark_opts scoped = {.actor = "w", .can_mark = only_even};
  CHECK_EQ(wg_campaign_import(s, &v, NULL, mem, (size_t)mlen, "sampled", &scoped, NULL, &res, &ei),
           WG_EREJECTED);
  CHECK_EQ(res.bad_rows, 1);
  /* An XLSX sheet (written by wangge's own writer) by ID number. */
  snprintf(path, sizeof path, "%s/lab.xlsx", dir);
  wg_table_writer_t *w = NULL;
  CHECK_EQ(wg_table_writer_open(path, "xlsx", &w, &ei), WG_OK);
  const char *head[] = {"身份证号", "环节", "备注"};
  CHECK_EQ(wg_table_writer_row(w, 3, head, &ei), WG_OK);
  sqlite3 *db;
  sqlite3_stmt *st;
  int written = 0;
  if (sqlite3_open(dbpath, &db) == SQLITE_OK) {
    if (sqlite3_prepare_v2(db, "SELECT r.id_number FROM campaign_item i JOIN resident r ON r.id ="
                               " i.resident_id WHERE i.campaign_id = 1 AND i.stage = 0 LIMIT 50",
                           -1, &st, NULL) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        const char *row[] = {(const char *)sqlite3_column_text(st, 0), "已送检", "xlsx"};
        CHECK_EQ(wg_table_writer_row(w, 3, row, &ei), WG_OK);
        written++;
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
  }
  CHECK_EQ(wg_table_writer_close(w, &ei), WG_OK);
  CHECK_EQ(written, 50);
  CHECK_EQ(wg_campaign_import(s, &v, path, NULL, 0, NULL, &o, NULL, &res, &ei), WG_OK);
  CHECK_STR(res.format, "xlsx");
  CHECK_EQ(res.moved, 50);
  CHECK_EQ(scalar("SELECT count(*) FROM campaign_event WHERE note = 'xlsx' AND to_stage = 2"), 50);
  /* Headers without an item column are refused. */
  mlen = snprintf(mem, sizeof mem, "姓名,环节\n张三,已采样\n");
  CHECK_EQ(wg_campaign_import(s, &v, NULL, mem, (size_t)mlen, NULL, &o, NULL, &res, &ei),
           WG_EREJECTED);
  CHECK(strstr(ei.why, "no column naming the item") != NULL);
  wg_campaign_view_free(&v);
}

typedef struct history_seen {
  long last[8];
  int days;
} history_seen;

static int on_day(void *ctx, int32_t day, const long *reached, int nstages) {
  history_seen *h = ctx;
  (void)day;
  memcpy(h->last, reached, sizeof(long) * (size_t)nstages);
  h->days++;
  return 0;
}

TEST(rollup_equals_brute_force_on_the_store) {
  /* Random stages for a third of the items, through the marker. */
  wg_campaign_view v;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_campaign_view_open(s, testing_id, &v, &ei), WG_OK);
  wg_campaign_marker_t *m = NULL;
  CHECK_EQ(wg_store_campaign_marker_open(s, testing_id, &m), WG_OK);
  CHECK_EQ(wg_store_begin(s), WG_OK);
  long n = scalar("SELECT max(id) FROM campaign_item WHERE campaign_id = 1");
  for (int64_t id = 1; id <= n; id += 3) {
    wg_campaign_item_row it;
    if (wg_store_campaign_marker_find(m, id, NULL, NULL, &it) != WG_OK) continue;
    int to = (int)(next() % 5);
    if (to <= it.stage) continue;
    wg_campaign_event_row ev = {.item_id = id, .from_stage = it.stage, .to_stage = to};
    snprintf(ev.actor, sizeof ev.actor, "gen");
    snprintf(ev.at, sizeof ev.at, "2026-11-%02dT%02d:00:00Z", 20 + (int)(id % 8), (int)(id % 24));
    CHECK_EQ(wg_store_campaign_marker_move(m, &ev), WG_OK);
  }
  CHECK_EQ(wg_store_commit(s), WG_OK);
  wg_store_campaign_marker_close(m);
  check_rollup_brute(testing_id);
  check_rollup_brute(policy_id);
  /* History: the last day's figures are today's roll-up for the county. */
  wg_rollup_unit *u = NULL;
  int nu = 0;
  CHECK_EQ(wg_campaign_rollup(s, &v, &u, &nu), WG_OK);
  history_seen h = {{0}, 0};
  CHECK_EQ(wg_campaign_history(s, &v, NULL, 0, on_day, &h), WG_OK);
  CHECK(h.days >= 8);
  for (int k = 0; k < v.stages.n; k++) CHECK_EQ(h.last[k], u[0].reached[k]);
  free(u);
  wg_campaign_view_free(&v);
}

TEST(campaign_report_reads_back) {
  wg_report *r = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_report_build_campaign(s, testing_id, &r, &ei), WG_OK);
  if (!r) return;
  char path[600];
  snprintf(path, sizeof path, "%s/campaign.xlsx", dir);
  CHECK_EQ(wg_report_write(r, "xlsx", path, &ei), WG_OK);
  wg_report_free(r);
  /* The county table: the total and the reported count as in the store. */
  wg_table_t *t = NULL;
  CHECK_EQ(wg_table_open(path, NULL, &t, &ei), WG_OK);
  wg_table_row row;
  int has = 0, in_county = 0;
  char total[32] = "", reported[32] = "";
  while (t && wg_table_next(t, &row, &has, &ei) == WG_OK && has) {
    if (row.ncells && !strcmp(row.cells[0], "全县")) in_county = 1;
    if (!in_county || row.ncells < 2) continue;
    if (!strcmp(row.cells[0], "总数")) snprintf(total, sizeof total, "%s", row.cells[1]);
    if (!strcmp(row.cells[0], "已报告")) {
      snprintf(reported, sizeof reported, "%s", row.cells[1]);
      in_county = 0;
    }
  }
  wg_table_close(t);
  char want[32];
  snprintf(want, sizeof want, "%ld", scalar("SELECT count(*) FROM campaign_item WHERE campaign_id = 1"));
  CHECK_STR(total, want);
  snprintf(want, sizeof want, "%ld",
           scalar("SELECT count(*) FROM campaign_item WHERE campaign_id = 1 AND stage = 4"));
  CHECK_STR(reported, want);
}

int main(void) {
  setenv("WANGGE_TODAY", "20261129", 1);
  RUN(query_parses_terms);
  RUN(query_errors_name_the_term);
  RUN(age_and_match);
  RUN(stages_templates_and_moves);
  RUN(rollup_equals_brute_force_in_memory);
  dir = test_tmpdir();
  snprintf(dbpath, sizeof dbpath, "%s/campaign.db", dir);
  if (wg_store_open(dbpath, WG_STORE_CREATE, &s, NULL) != WG_OK) return 2;
  wg_demo_opts d;
  wg_demo_opts_init(&d);
  d.residents = 3000;
  d.seed = 11;
  d.today = 20261129;
  wg_errinfo ei = {0};
  if (wg_demo_build(s, &d, NULL, &ei) != WG_OK) {
    printf("# demo: %s\n", ei.why);
    return 2;
  }
  wg_plan_opts o;
  wg_plan_opts_init(&o);
  o.county = "141127";
  o.actor = "test";
  wg_plan_report rep;
  if (wg_plan_divide(s, &o, &rep, &ei) != WG_OK) return 2;
  if (wg_store_plan_activate(s, rep.plan_id) != WG_OK) return 2;
  wg_plan_report_free(&rep);
  RUN(create_selects_the_query_population);
  RUN(marks_move_items_with_events);
  RUN(import_is_all_or_nothing_and_reports_rows);
  RUN(rollup_equals_brute_force_on_the_store);
  RUN(campaign_report_reads_back);
  wg_store_close(s);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
