/* demo_campaigns.c — the demo county's campaigns and targets: a finished
 * mass-testing round, an elderly-vaccination campaign in progress, a policy
 * push to veterans' households, and the skills-training indicator with a
 * year of weekly actuals per township.
 *
 * Deterministic for a seed and `today`: every timestamp is derived from
 * today, every draw from the demo's PRNG (its own stream). Needs the active
 * plan only for the grids a roll-up shows; the populations come from the
 * ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign_ops.h"
#include "demo/demo.h"
#include "demo/demo_int.h"
#include "territory/division.h"
#include "target/target_ops.h"

/* "YYYY-MM-DDTHH:MM:SSZ" for a day (yyyymmdd) and minutes after 08:00 China
 * time (00:00 UTC). */
static void stamp(int32_t day, long minutes, char out[32]) {
  long d = wg_day_number(day) + minutes / 1440;
  minutes %= 1440;
  int32_t ymd = wg_day_from_number(d);
  snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:00Z", (unsigned)(ymd / 10000) % 10000u,
           (unsigned)(ymd / 100 % 100) % 100u, (unsigned)(ymd % 100) % 100u,
           (unsigned)(minutes / 60) % 100u, (unsigned)(minutes % 60) % 100u);
}

static int32_t day_add(int32_t day, long n) { return wg_day_from_number(wg_day_number(day) + n); }

/* A township's own pace factor, stable for a seed. */
static double township_factor(uint64_t seed, const char *community, double lo, double hi) {
  uint64_t h = wg__demo_mix(seed ^ (uint64_t)strtoull(community, NULL, 10) / 1000ULL);
  return lo + (hi - lo) * (double)(h >> 11) / 9007199254740992.0;
}

typedef struct item_list {
  wg_campaign_item_row *it;
  long n, cap;
} item_list;

static int collect_item(void *ctx, const wg_campaign_item_row *it) {
  item_list *l = ctx;
  if (l->n == l->cap) {
    long cap = l->cap ? l->cap * 2 : 4096;
    void *p = realloc(l->it, sizeof *l->it * (size_t)cap);
    if (!p) return 1;
    l->it = p;
    l->cap = cap;
  }
  l->it[l->n++] = *it;
  return 0;
}

/* Moves item it through the stages in `plan` (stage, minutes since the
 * campaign's first day at 08:00 China time), in order. */
static wg_err walk(wg_campaign_marker_t *m, const wg_campaign_item_row *it, int32_t start,
                   const int *stages, const long *minutes, int n, const char *actor,
                   const char *note) {
  int from = it->stage;
  for (int k = 0; k < n; k++) {
    wg_campaign_event_row ev;
    memset(&ev, 0, sizeof ev);
    ev.item_id = it->id;
    ev.from_stage = from;
    ev.to_stage = stages[k];
    stamp(start, minutes[k], ev.at);
    snprintf(ev.actor, sizeof ev.actor, "%s", actor);
    if (note && k == n - 1) snprintf(ev.note, sizeof ev.note, "%s", note);
    wg_err e = wg_store_campaign_marker_move(m, &ev);
    if (e) return e;
    from = stages[k];
  }
  return WG_OK;
}

static wg_err create(wg_store_t *s, const char *name, const char *tmpl, const char *query,
                     int32_t day, int64_t *id, long *items, wg_errinfo *ei) {
  char at[32];
  stamp(day, 60, at);
  wg_campaign_spec sp = {.county = WG_DEMO_COUNTY, .name = name, .template_code = tmpl,
                         .query = query, .ref_date = day, .actor = "demo", .origin = "demo",
                         .created_at = at};
  return wg_campaign_create(s, &sp, id, items, ei);
}

static wg_err load_items(wg_store_t *s, int64_t id, item_list *l) {
  memset(l, 0, sizeof *l);
  wg_err e = wg_store_campaign_item_each(s, id, -1, collect_item, l);
  return e;
}

/* 全员核酸检测: 40 days ago, over three days; a few residents away are never
 * sampled, a few samples stop at "sent" (a broken tube, resampled in the
 * next round). */
static wg_err testing_round(wg_store_t *s, const wg_demo_opts *o, int32_t today,
                            wg_demo_campaigns_summary *sum, wg_errinfo *ei) {
  int32_t start = day_add(today, -40);
  int64_t id;
  long n;
  wg_err e = create(s, "全员核酸检测（第1轮）", "testing", "", start, &id, &n, ei);
  if (e) return e;
  sum->testing_id = id;
  item_list l;
  if ((e = load_items(s, id, &l))) return e;
  wg_campaign_marker_t *m = NULL;
  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, o->seed, 0x54455354ULL);
  if (!(e = wg_store_campaign_marker_open(s, id, &m))) e = wg_store_begin(s);
  for (long i = 0; i < l.n && !e; i++) {
    if (wg__demo_rng_chance(&r, 0.004)) continue; /* away */
    long sampled = wg__demo_rng_range(&r, 0, 2) * 1440 + wg__demo_rng_range(&r, 0, 600);
    long sent = sampled + wg__demo_rng_range(&r, 30, 180);
    long tested = sent + wg__demo_rng_range(&r, 240, 720);
    long reported = tested + wg__demo_rng_range(&r, 30, 240);
    int stages[4] = {1, 2, 3, 4};
    long when[4] = {sampled, sent, tested, reported};
    int nst = wg__demo_rng_chance(&r, 0.002) ? 2 : 4;
    e = walk(m, &l.it[i], start, stages, when, nst, "demo-lab", NULL);
    if (!e && nst == 4) sum->testing_reported++;
  }
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  wg_store_campaign_marker_close(m);
  free(l.it);
  sum->testing_items = n;
  return e;
}

/* 老年人疫苗接种: 30 days ago, in progress; townships at their own pace,
 * the second dose 21-28 days after the first. */
static wg_err vaccination(wg_store_t *s, const wg_demo_opts *o, int32_t today,
                          wg_demo_campaigns_summary *sum, wg_errinfo *ei) {
  int32_t start = day_add(today, -30);
  int64_t id;
  long n;
  wg_err e = create(s, "老年人新冠疫苗接种", "vaccination", "age>=60", start, &id, &n, ei);
  if (e) return e;
  sum->vaccination_id = id;
  sum->vaccination_items = n;
  item_list l;
  if ((e = load_items(s, id, &l))) return e;
  wg_campaign_marker_t *m = NULL;
  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, o->seed, 0x56414343ULL);
  if (!(e = wg_store_campaign_marker_open(s, id, &m))) e = wg_store_begin(s);
  for (long i = 0; i < l.n && !e; i++) {
    double f = township_factor(o->seed, l.it[i].community, 0.45, 0.9);
    if (!wg__demo_rng_chance(&r, f)) continue;
    long first = wg__demo_rng_range(&r, 0, 29) * 1440 + wg__demo_rng_range(&r, 0, 540);
    long second = first + wg__demo_rng_range(&r, 21, 28) * 1440;
    int stages[2] = {1, 2};
    long when[2] = {first, second};
    int nst = second < 30 * 1440 ? 2 : 1;
    e = walk(m, &l.it[i], start, stages, when, nst, "demo-clinic", NULL);
    if (!e) sum->vaccination_done += nst == 2;
  }
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  wg_store_campaign_marker_close(m);
  free(l.it);
  return e;
}

/* 退役军人优待政策推送: two weeks ago, households of veterans; delivered,
 * read, handled with a receipt number. */
static wg_err policy_push(wg_store_t *s, const wg_demo_opts *o, int32_t today,
                          wg_demo_campaigns_summary *sum, wg_errinfo *ei) {
  int32_t start = day_add(today, -14);
  int64_t id;
  long n;
  wg_err e = create(s, "退役军人优待政策精准推送", "policy", "tag=veteran", start, &id, &n, ei);
  if (e) return e;
  sum->policy_id = id;
  sum->policy_items = n;
  item_list l;
  if ((e = load_items(s, id, &l))) return e;
  wg_campaign_marker_t *m = NULL;
  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, o->seed, 0x504f4c49ULL);
  if (!(e = wg_store_campaign_marker_open(s, id, &m))) e = wg_store_begin(s);
  for (long i = 0; i < l.n && !e; i++) {
    double f = township_factor(o->seed ^ 7, l.it[i].community, 0.7, 0.98);
    if (!wg__demo_rng_chance(&r, f)) continue;
    long delivered = wg__demo_rng_range(&r, 0, 10) * 1440 + wg__demo_rng_range(&r, 60, 540);
    long read = delivered + wg__demo_rng_range(&r, 60, 3 * 1440);
    long handled = read + wg__demo_rng_range(&r, 1440, 6 * 1440);
    int stages[3] = {1, 2, 3};
    long when[3] = {delivered, read, handled};
    int nst = 1;
    if (read < 14 * 1440 && wg__demo_rng_chance(&r, 0.8)) nst = 2;
    if (nst == 2 && handled < 14 * 1440 && wg__demo_rng_chance(&r, 0.7)) nst = 3;
    char receipt[64];
    snprintf(receipt, sizeof receipt, "回执 TY-%06lld", (long long)l.it[i].id);
    e = walk(m, &l.it[i], start, stages, when, nst, "demo-grid-worker", nst == 3 ? receipt : NULL);
    if (!e) sum->policy_handled += nst == 3;
  }
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  wg_store_campaign_marker_close(m);
  free(l.it);
  return e;
}

typedef struct township_list {
  char code[16][13];
  int n;
} township_list;

static int add_township(void *ctx, const wg_division_t *d) {
  township_list *t = ctx;
  if (t->n < 16) memcpy(t->code[t->n++], d->code, 13);
  return 0;
}

/* 职业技能培训: the city's target for the year, shared among townships; a
 * year of weekly actuals, scaled so the county stands at 38,200 of 35,000
 * (109.14%) in today's week. Some townships lag. */
static wg_err skills_training(wg_store_t *s, const wg_demo_opts *o, int32_t today,
                              wg_demo_campaigns_summary *sum, wg_errinfo *ei) {
  wg_target_who who = {.actor = "demo", .origin = "demo"};
  char at[32];
  stamp(day_add(today, -365), 0, at);
  who.at = at;
  wg_err e = wg_target_indicator_add(s, WG_DEMO_COUNTY, "skills_training", "职业技能培训", "人次",
                                     "week", &who, ei);
  if (e) return e;
  township_list t = {0};
  if ((e = wg_store_division_each(s, WG_DEMO_COUNTY, WG_DIV_TOWNSHIP, add_township, &t))) return e;
  if (!t.n) return WG_OK;
  wg_period now, first;
  wg_period_of(WG_PERIOD_WEEK, today, &now);
  wg_period_of(WG_PERIOD_WEEK, day_add(today, -357), &first); /* 52 weeks incl. this one */
  int this_year = now.year;
  /* Targets: 35,000 this year (the county), shared by weights; last year
   * 33,000. */
  double w[16], wsum = 0, pace[16];
  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, o->seed, 0x534b494cULL);
  /* Paces spread evenly from 0.7 to 1.4 and dealt out at random, so some
   * township always lags and some is well ahead. */
  int64_t order[16];
  for (int i = 0; i < t.n; i++) order[i] = i;
  wg__demo_rng_shuffle(&r, order, (size_t)t.n);
  for (int i = 0; i < t.n; i++) {
    w[i] = 0.5 + wg__demo_rng_unit(&r);
    wsum += w[i];
    pace[i] = 0.7 + 0.7 * (double)order[i] / (t.n > 1 ? t.n - 1 : 1);
  }
  static const long county_target[2] = {33000, 35000};
  for (int y = 0; y < 2 && !e; y++) {
    char period[8], county[13];
    snprintf(period, sizeof period, "%04u", (unsigned)(this_year - 1 + y) % 10000u);
    snprintf(county, sizeof county, "%s000000", WG_DEMO_COUNTY);
    e = wg_target_assign(s, WG_DEMO_COUNTY, "skills_training", county, period,
                         county_target[y], &who, ei);
    long given = 0;
    for (int i = 0; i < t.n && !e; i++) {
      long v = i == t.n - 1 ? county_target[y] - given
                            : (long)(county_target[y] * w[i] / wsum / 10) * 10;
      given += v;
      e = wg_target_assign(s, WG_DEMO_COUNTY, "skills_training", t.code[i], period, v, &who, ei);
    }
  }
  /* Weekly figures: seasonal (a lull at the Spring Festival, a push in
   * autumn), per-township pace, noise; this year's weeks scaled so the
   * county total up to today's week is exactly 38,200. */
  enum { MAXW = 60 };
  double raw[16][MAXW];
  char periods[MAXW][12];
  int nw = 0, year_of[MAXW];
  for (wg_period p = first; nw < MAXW && wg_period_anchor(&p) <= wg_period_anchor(&now); nw++) {
    memcpy(periods[nw], p.text, sizeof periods[nw]);
    year_of[nw] = p.year;
    double season = 1.0 + 0.4 * (p.n >= 36 && p.n <= 47) - 0.6 * (p.n >= 5 && p.n <= 7);
    for (int i = 0; i < t.n; i++)
      raw[i][nw] = w[i] * pace[i] * season * (0.6 + 0.8 * wg__demo_rng_unit(&r));
    wg_period next;
    wg_period_next(&p, &next);
    p = next;
  }
  double this_sum = 0, last_sum = 0;
  for (int k = 0; k < nw; k++)
    for (int i = 0; i < t.n; i++) *(year_of[k] == this_year ? &this_sum : &last_sum) += raw[i][k];
  /* Last year's weeks: at the pace of about 33,000 a year. */
  int last_weeks = 0;
  for (int k = 0; k < nw; k++) last_weeks += year_of[k] != this_year;
  double last_scale = last_sum > 0 ? 33000.0 / 52.0 * last_weeks / last_sum : 0;
  long want = 38200, total = 0;
  double scale = this_sum > 0 ? want / this_sum : 0;
  long values[16][MAXW];
  for (int k = 0; k < nw; k++)
    for (int i = 0; i < t.n; i++) {
      double v = raw[i][k] * (year_of[k] == this_year ? scale : last_scale);
      values[i][k] = v > 0 ? (long)v : 0;
      if (year_of[k] == this_year) total += values[i][k];
    }
  /* The rounding left over: one more each for the latest figures. */
  for (int k = nw - 1; k >= 0 && total < want; k--)
    for (int i = t.n - 1; i >= 0 && total < want; i--)
      if (year_of[k] == this_year) values[i][k]++, total++;
  for (int k = 0; k < nw && !e; k++)
    for (int i = 0; i < t.n && !e; i++) {
      char at2[32];
      wg_period p;
      if (wg_period_parse(periods[k], &p, NULL) != WG_OK) continue;
      stamp(day_add(p.last, 1), 60, at2);
      who.at = at2;
      e = wg_target_report(s, WG_DEMO_COUNTY, "skills_training", t.code[i], periods[k],
                           values[i][k], &who, ei);
      sum->skills_actuals++;
    }
  sum->skills_townships = t.n;
  sum->skills_weeks = nw;
  return e;
}

wg_err wg_demo_campaigns(wg_store_t *s, const wg_demo_opts *o, int32_t today,
                         wg_demo_campaigns_summary *sum, wg_errinfo *ei) {
  memset(sum, 0, sizeof *sum);
  wg_err e = testing_round(s, o, today, sum, ei);
  if (!e) e = vaccination(s, o, today, sum, ei);
  if (!e) e = policy_push(s, o, today, sum, ei);
  if (!e) e = skills_training(s, o, today, sum, ei);
  return e;
}
