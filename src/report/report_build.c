/* report_build.c — the weekly notice, monthly dispatch, quarterly review
 * and campaign reports, filled from the store into the report model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign_ops.h"
#include "ledger/validate.h"
#include "report/report.h"
#include "target/target_ops.h"

static const char *const kind_names[] = {"", "weekly", "monthly", "quarterly"};

const char *wg_report_kind_name(wg_report_kind k) {
  return k >= WG_REPORT_WEEKLY && k <= WG_REPORT_QUARTERLY ? kind_names[k] : "?";
}

wg_err wg_report_kind_parse(const char *word, wg_report_kind *out) {
  for (int i = 1; word && i <= 3; i++)
    if (!strcmp(word, kind_names[i])) {
      *out = (wg_report_kind)i;
      return WG_OK;
    }
  return WG_EINVAL;
}

static void county_name(wg_store_t *s, const char *county, char *out, size_t cap) {
  char code[13];
  snprintf(code, sizeof code, "%.6s000000", county);
  wg_division_t d;
  if (wg_store_division_get(s, code, &d) == WG_OK) snprintf(out, cap, "%s", d.name);
  else snprintf(out, cap, "%s", county);
}

static void fmt_int(int64_t v, char *out, size_t cap) {
  char digits[32];
  long long x = (long long)v;
  snprintf(digits, sizeof digits, "%lld", x < 0 ? -x : x);
  size_t n = strlen(digits), o = 0;
  if (x < 0 && o + 1 < cap) out[o++] = '-';
  for (size_t i = 0; i < n && o + 2 < cap; i++) {
    if (i && (n - i) % 3 == 0) out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
}

static void fmt_day(int32_t d, char out[11]) {
  wg_date_format(d, out);
}

static int64_t ceil_div(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

/* ---- one indicator ------------------------------------------------------------ */

typedef struct ind_ctx {
  wg_store_t *s;
  wg_report *r;
  const wg_period *p;
  wg_report_kind kind;
  int section;
  wg_err err;
} ind_ctx;

static const char *const cn_num[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};

static void indicator_section(ind_ctx *x, const wg_indicator_row *ind) {
  wg_target_data d;
  wg_err e = wg_target_load(x->s, ind->county, ind->code, &d, NULL);
  if (e) {
    x->err = e;
    return;
  }
  wg_target_line *lines = NULL;
  int n = 0;
  if ((e = wg_target_lines(x->s, &d, x->p, &lines, &n))) {
    x->err = e;
    wg_target_data_free(&d);
    return;
  }
  if (!n) {
    wg_target_data_free(&d);
    return;
  }
  wg_report *r = x->r;
  char heading[256], a[32], b[32], pc[24], pace[24];
  snprintf(heading, sizeof heading, "%s、%s（%s）", cn_num[x->section % 10], ind->name, ind->unit);
  x->section++;
  wg_report_heading(r, heading);
  const wg_target_line *top = &lines[0];
  fmt_int(top->actual_cum, a, sizeof a);
  fmt_int(top->target, b, sizeof b);
  wg_pct_format(top->pct, pc);
  wg_pct_format(top->pace, pace);
  char period_sum[32];
  fmt_int(top->actual_period, period_sum, sizeof period_sum);
  wg_report_para(r, "%s本期完成 %s %s，累计完成 %s %s，为 %s 目标 %s 的 %s（时序进度 %s）%s。",
                 top->name, period_sum, ind->unit, a, ind->unit, top->target_period, b, pc, pace,
                 top->pct >= 10000 ? "，已完成全年目标" : top->behind ? "，进度滞后" : "");

  const char *cols[] = {"单位", "目标", "本期完成", "累计完成", "完成率", "时序进度", "排名", "状态"};
  wg_report_table *t = wg_report_table_add(r, "完成情况及排名", 8, cols);
  for (int i = 0; i < n; i++) {
    const wg_target_line *l = &lines[i];
    wg_report_row(r, t, l->behind);
    wg_report_text(r, t, l->name);
    wg_report_int(r, t, l->target);
    wg_report_int(r, t, l->actual_period);
    wg_report_int(r, t, l->actual_cum);
    wg_report_pct(r, t, l->pct);
    wg_report_pct(r, t, l->pace);
    char rank[32];
    snprintf(rank, sizeof rank, "%d/%d", l->rank, l->peers);
    wg_report_text(r, t, rank);
    wg_report_text(r, t, l->pct >= 10000 ? "已完成" : l->behind ? "滞后" : "正常");
  }
  /* Laggards named, among the units below the top level. */
  char names[2048] = "";
  size_t used = 0;
  int laggards = 0;
  for (int i = 0; i < n; i++) {
    const wg_target_line *l = &lines[i];
    if (l->level == top->level || !l->behind) continue;
    wg_pct_format(l->pct, pc);
    int w = snprintf(names + used, sizeof names - used, "%s%s（%s）", laggards ? "、" : "", l->name, pc);
    if (w > 0 && (size_t)w < sizeof names - used) used += (size_t)w;
    laggards++;
  }
  if (laggards)
    wg_report_para(r, "进度滞后单位（完成率低于时序进度 %s）共 %d 个：%s。", pace, laggards, names);
  else
    wg_report_para(r, "各单位完成率均不低于时序进度。");

  wg_report_chart *bars = wg_report_chart_add(r, "各单位完成率与时序进度", WG_CHART_BARS, "%",
                                              (double)top->pace / 100.0);
  for (int i = 0; i < n; i++)
    if (lines[i].level != top->level)
      wg_report_point(r, bars, lines[i].name, (double)lines[i].pct / 100.0);

  /* The trend of reported actuals (all units) per period of the
   * indicator's type, from the start of the target period to this one. */
  wg_period tp, ip;
  wg_period_type it;
  if (wg_period_parse(top->target_period, &tp, NULL) == WG_OK &&
      wg_period_type_parse(ind->period_type, &it) == WG_OK) {
    char title[200];
    snprintf(title, sizeof title, "每%s完成（%s）", it == WG_PERIOD_WEEK ? "周" : it == WG_PERIOD_MONTH ? "月" : "期",
             ind->unit);
    wg_report_chart *line = wg_report_chart_add(r, title, WG_CHART_LINE, ind->unit, -1);
    wg_period_of(it, tp.first, &ip);
    for (int guard = 0; guard < 400 && wg_period_anchor(&ip) <= x->p->last; guard++) {
      int64_t sum = 0;
      for (int i = 0; i < d.nactuals; i++)
        if (!strcmp(d.actuals[i].period, ip.text)) sum += d.actuals[i].value;
      if (wg_period_anchor(&ip) >= tp.first) wg_report_point(r, line, ip.text, (double)sum);
      wg_period next;
      wg_period_next(&ip, &next);
      ip = next;
    }
  }

  if (x->kind == WG_REPORT_MONTHLY) {
    wg_report_para(r, "存在问题：");
    int problems = 0;
    for (int i = 0; i < n; i++) {
      const wg_target_line *l = &lines[i];
      if (l->level == top->level || !l->behind) continue;
      int64_t due = ceil_div(l->pace * l->target, 10000);
      fmt_int(due - l->actual_cum, a, sizeof a);
      wg_pct_format(l->pct, pc);
      wg_report_para(r, "%d. %s完成率 %s，低于时序进度，差 %s %s。", ++problems, l->name, pc, a,
                     ind->unit);
    }
    if (!problems) wg_report_para(r, "无单位低于时序进度。");
    wg_report_para(r, "下步工作：");
    const char *cols2[] = {"单位", "尚需完成", "剩余周数", "每周需完成"};
    wg_report_table *t2 = wg_report_table_add(r, "距目标所需", 4, cols2);
    long weeks_left = (wg_day_number(tp.last) - wg_day_number(x->p->last) + 6) / 7;
    if (weeks_left < 0) weeks_left = 0;
    for (int i = 0; i < n; i++) {
      const wg_target_line *l = &lines[i];
      int64_t left = l->target - l->actual_cum;
      if (left <= 0) continue;
      wg_report_row(r, t2, l->behind);
      wg_report_text(r, t2, l->name);
      wg_report_int(r, t2, left);
      wg_report_int(r, t2, weeks_left);
      wg_report_int(r, t2, weeks_left ? ceil_div(left, weeks_left) : left);
    }
  }

  if (x->kind == WG_REPORT_QUARTERLY) {
    /* The quarter's months side by side. */
    const char *cols3[] = {"单位", "", "", "", "本季合计", "累计完成", "完成率", "排名"};
    wg_period m[3];
    char mcol[3][16];
    wg_period_of(WG_PERIOD_MONTH, x->p->first, &m[0]);
    wg_period_next(&m[0], &m[1]);
    wg_period_next(&m[1], &m[2]);
    for (int k = 0; k < 3; k++) {
      snprintf(mcol[k], sizeof mcol[k], "%d月", m[k].n);
      cols3[1 + k] = mcol[k];
    }
    wg_report_table *t3 = wg_report_table_add(r, "本季分月完成", 8, cols3);
    for (int i = 0; i < n; i++) {
      const wg_target_line *l = &lines[i];
      wg_report_row(r, t3, l->behind);
      wg_report_text(r, t3, l->name);
      size_t sig = l->level == 3 ? 6 : l->level == 4 ? 9 : 12;
      for (int k = 0; k < 3; k++) {
        int64_t sum = 0;
        for (int j = 0; j < d.nactuals; j++) {
          wg_period ap;
          if (strncmp(d.actuals[j].division, l->division, sig) != 0 ||
              wg_period_parse(d.actuals[j].period, &ap, NULL) != WG_OK)
            continue;
          int32_t an = wg_period_anchor(&ap);
          if (an >= m[k].first && an <= m[k].last) sum += d.actuals[j].value;
        }
        wg_report_int(r, t3, sum);
      }
      wg_report_int(r, t3, l->actual_period);
      wg_report_int(r, t3, l->actual_cum);
      wg_report_pct(r, t3, l->pct);
      char rank[32];
      snprintf(rank, sizeof rank, "%d/%d", l->rank, l->peers);
      wg_report_text(r, t3, rank);
    }
  }
  free(lines);
  wg_target_data_free(&d);
}

static int each_indicator(void *ctx, const wg_indicator_row *ind) {
  ind_ctx *x = ctx;
  indicator_section(x, ind);
  return x->err != WG_OK;
}

/* ---- campaigns ------------------------------------------------------------------- */

/* A campaign's completion by township (and county), laggards named: the
 * units whose done share is below the county's. */
static wg_err campaign_summary(wg_store_t *s, wg_report *r, const wg_campaign_row *c,
                               int with_levels) {
  wg_campaign_view v;
  wg_err e = wg_campaign_view_open(s, c->id, &v, NULL);
  if (e) return e;
  wg_rollup_unit *u = NULL;
  int n = 0;
  if ((e = wg_campaign_rollup(s, &v, &u, &n))) {
    wg_campaign_view_free(&v);
    return e;
  }
  int last = v.stages.n - 1;
  const wg_rollup_unit *county = n && u[0].level == WG_RL_COUNTY ? &u[0] : NULL;
  long county_share = county ? wg_rollup_share(county, v.stages.n, last) : 0;
  char pc[24], a[32], b[32];
  if (county) {
    fmt_int(county->reached[last], a, sizeof a);
    fmt_int(county->reached[0], b, sizeof b);
    wg_pct_format(county_share, pc);
    wg_report_para(r, "%s：共 %s %s，已%s %s，完成率 %s。", c->name, b,
                   c->kind == 2 ? "户" : "人", v.stages.s[last].name_zh, a, pc);
  }
  wg_rollup_level levels[3] = {WG_RL_TOWNSHIP, WG_RL_COMMUNITY, WG_RL_GRID1};
  int nlevels = with_levels ? 3 : 1;
  static const char *const level_zh[WG_RL_COUNT_] = {"县", "乡镇（街道）", "村（社区）",
                                                     "一级网格", "二级网格", "三级网格"};
  for (int li = 0; li < nlevels; li++) {
    wg_rollup_level lv = levels[li];
    char title[200];
    snprintf(title, sizeof title, "%s · 按%s", c->name, level_zh[lv]);
    const char *cols[WG_REPORT_MAX_COLS];
    char stage_cols[WG_CAMPAIGN_MAX_STAGES][40];
    int nc = 0;
    cols[nc++] = "单位";
    cols[nc++] = "总数";
    for (int k = 1; k < v.stages.n && nc < WG_REPORT_MAX_COLS - 3; k++) {
      snprintf(stage_cols[k], sizeof stage_cols[k], "%s", v.stages.s[k].name_zh);
      cols[nc++] = stage_cols[k];
    }
    cols[nc++] = "完成率";
    cols[nc++] = "排名";
    wg_report_table *t = wg_report_table_add(r, title, nc, cols);
    /* By rank. */
    int count = 0;
    for (int i = 0; i < n; i++)
      if (u[i].level == lv && u[i].reached[0] > 0) count++;
    for (int rank = 1; rank <= n; rank++) {
      for (int i = 0; i < n; i++) {
        if (u[i].level != lv || u[i].rank != rank || u[i].reached[0] == 0) continue;
        long share = wg_rollup_share(&u[i], v.stages.n, last);
        wg_report_row(r, t, share < county_share);
        wg_report_text(r, t, u[i].name);
        wg_report_int(r, t, u[i].reached[0]);
        for (int k = 1; k < v.stages.n && k < WG_REPORT_MAX_COLS - 3; k++)
          wg_report_int(r, t, u[i].reached[k]);
        wg_report_pct(r, t, share);
        char rk[32];
        snprintf(rk, sizeof rk, "%d/%d", u[i].rank, count);
        wg_report_text(r, t, rk);
      }
    }
    if (li == 0) {
      char names[2048] = "";
      size_t used = 0;
      int lag = 0;
      for (int i = 0; i < n; i++) {
        if (u[i].level != lv || !u[i].reached[0]) continue;
        long share = wg_rollup_share(&u[i], v.stages.n, last);
        if (share >= county_share) continue;
        wg_pct_format(share, pc);
        int w = snprintf(names + used, sizeof names - used, "%s%s（%s）", lag ? "、" : "", u[i].name, pc);
        if (w > 0 && (size_t)w < sizeof names - used) used += (size_t)w;
        lag++;
      }
      wg_pct_format(county_share, pc);
      if (lag) wg_report_para(r, "低于全县完成率（%s）的单位 %d 个：%s。", pc, lag, names);
      wg_report_chart *bars = wg_report_chart_add(r, "各乡镇（街道）完成率", WG_CHART_BARS, "%",
                                                  (double)county_share / 100.0);
      for (int i = 0; i < n; i++)
        if (u[i].level == lv && u[i].reached[0])
          wg_report_point(r, bars, u[i].name, (double)wg_rollup_share(&u[i], v.stages.n, last) / 100.0);
    }
  }
  free(u);
  wg_campaign_view_free(&v);
  return WG_OK;
}

typedef struct camp_ctx {
  wg_store_t *s;
  wg_report *r;
  int shown;
  wg_err err;
} camp_ctx;

static int each_campaign(void *ctx, const wg_campaign_row *c) {
  camp_ctx *x = ctx;
  if (c->items <= 0) return 0;
  x->err = campaign_summary(x->s, x->r, c, 0);
  x->shown++;
  return x->err != WG_OK;
}

wg_err wg_report_build(wg_store_t *s, const char *county, wg_report_kind kind,
                       const char *period, wg_report **out, wg_errinfo *ei) {
  *out = NULL;
  wg_period p;
  wg_err e = wg_period_parse(period, &p, ei);
  if (e) return e;
  wg_period_type want = kind == WG_REPORT_WEEKLY    ? WG_PERIOD_WEEK
                        : kind == WG_REPORT_MONTHLY ? WG_PERIOD_MONTH
                                                    : WG_PERIOD_QUARTER;
  if (p.type != want) {
    if (ei) snprintf(ei->field, sizeof ei->field, "period");
    return wg_errinfo_set(ei, WG_EINVAL, "a %s report is for a %s (e.g. %s), not %s",
                          wg_report_kind_name(kind), wg_period_type_name(want),
                          want == WG_PERIOD_WEEK ? "2026-W47" : want == WG_PERIOD_MONTH ? "2026-11" : "2026-Q4",
                          p.text);
  }
  char name[96], title[256], sub[256], d1[11], d2[11];
  county_name(s, county, name, sizeof name);
  if (kind == WG_REPORT_WEEKLY)
    snprintf(title, sizeof title, "%s%d年第%d周工作通报", name, p.year, p.n);
  else if (kind == WG_REPORT_MONTHLY)
    snprintf(title, sizeof title, "%s%d年%d月工作调度", name, p.year, p.n);
  else
    snprintf(title, sizeof title, "%s%d年第%d季度工作推进", name, p.year, p.n);
  fmt_day(p.first, d1);
  fmt_day(p.last, d2);
  snprintf(sub, sizeof sub, "统计周期：%s 至 %s（%s）", d1, d2, p.text);
  wg_report *r = wg_report_new(title, sub);
  if (!r) return WG_ENOMEM;
  ind_ctx x = {s, r, &p, kind, 0, WG_OK};
  e = wg_store_indicator_each(s, county, each_indicator, &x);
  if (!e) e = x.err;
  if (!e) {
    char heading[64];
    snprintf(heading, sizeof heading, "%s、专项工作", cn_num[x.section % 10]);
    wg_report_heading(r, heading);
    camp_ctx cc = {s, r, 0, WG_OK};
    e = wg_store_campaign_each(s, county, each_campaign, &cc);
    if (!e) e = cc.err;
    if (!e && !cc.shown) wg_report_para(r, "本期无专项工作。");
  }
  if (!e && r->oom) e = WG_ENOMEM;
  if (e) {
    wg_report_free(r);
    return e;
  }
  *out = r;
  return WG_OK;
}

typedef struct trend_ctx {
  wg_report *r;
  wg_report_chart *c;
  int last;
} trend_ctx;

static int on_day(void *ctx, int32_t day, const long *reached, int nstages) {
  trend_ctx *t = ctx;
  (void)nstages;
  char d[11];
  fmt_day(day, d);
  wg_report_point(t->r, t->c, d + 5, (double)reached[t->last]);
  return 0;
}

wg_err wg_report_build_campaign(wg_store_t *s, int64_t campaign_id, wg_report **out,
                                wg_errinfo *ei) {
  *out = NULL;
  wg_campaign_view v;
  wg_err e = wg_campaign_view_open(s, campaign_id, &v, ei);
  if (e) return e;
  char title[256], sub[900], name[96], ref[11];
  county_name(s, v.c.county, name, sizeof name);
  snprintf(title, sizeof title, "%s专项工作报告：%s", name, v.c.name);
  fmt_day(v.c.ref_date, ref);
  snprintf(sub, sizeof sub, "对象：%s（%s）· 基准日 %s · 创建于 %.10s", v.c.query[0] ? v.c.query : "全体",
           v.c.kind == 2 ? "户" : "人", ref, v.c.created_at);
  wg_report *r = wg_report_new(title, sub);
  if (!r) {
    wg_campaign_view_free(&v);
    return WG_ENOMEM;
  }
  wg_report_heading(r, "一、各环节进度");
  wg_rollup_unit *u = NULL;
  int n = 0;
  e = wg_campaign_rollup(s, &v, &u, &n);
  if (!e && n && u[0].level == WG_RL_COUNTY) {
    const char *cols[] = {"环节", "已达到", "占比"};
    wg_report_table *t = wg_report_table_add(r, "全县", 3, cols);
    for (int k = 0; k < v.stages.n; k++) {
      wg_report_row(r, t, 0);
      wg_report_text(r, t, k == 0 ? "总数" : v.stages.s[k].name_zh);
      wg_report_int(r, t, u[0].reached[k]);
      wg_report_pct(r, t, wg_rollup_share(&u[0], v.stages.n, k));
    }
  }
  free(u);
  if (!e) {
    wg_report_heading(r, "二、分级完成情况及排名");
    e = campaign_summary(s, r, &v.c, 1);
  }
  if (!e) {
    wg_report_heading(r, "三、每日进度");
    char ct[160];
    snprintf(ct, sizeof ct, "累计%s（%s）", v.stages.s[v.stages.n - 1].name_zh, v.c.kind == 2 ? "户" : "人");
    trend_ctx tc = {r, wg_report_chart_add(r, ct, WG_CHART_LINE, "", -1), v.stages.n - 1};
    e = wg_campaign_history(s, &v, NULL, 0, on_day, &tc);
  }
  wg_campaign_view_free(&v);
  if (!e && r->oom) e = WG_ENOMEM;
  if (e) {
    wg_report_free(r);
    return e;
  }
  *out = r;
  return WG_OK;
}
