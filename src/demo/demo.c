/* demo.c — orchestration of `wangge demo`: options, the plan (how many
 * households where), the walk over every community and village (places,
 * then people, then their year), and the summary read back from the store.
 *
 * Plan at the default size (130,000 residents, ~53,300 households at the
 * Lüliang mean of 2.44): ~30,000 households in the seat's ten urban
 * communities, ~300 in the industrial park's workers' flats, the rest in
 * the 136 villages, sized by a seeded log-normal weight. Every count scales
 * with --residents. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"
#include "ledger/validate.h"
#include "territory/division.h"

#ifndef WG_DATA_DIR
#define WG_DATA_DIR "data"
#endif

#define HOUSEHOLD_MEAN 2.44   /* Lüliang, 7th census */
#define URBAN_SHARE (30000.0 / 53300.0)
#define PARK_SHARE (300.0 / 53300.0)

/* The seat's urban communities under 东村镇. 滨河社区 and 人民路社区 are
 * named in local reporting (滨河社区: 6 estates, 7,500+ residents); the
 * other eight are invented, with names typical of a Shanxi county town
 * (the four 关 of the old walled town, streets, schools). Households at the
 * default size; sum 30,000. Bank: -1 west, +1 east; listed north to south
 * within each bank. */
static const struct {
  const char *name;
  int households, side, old_town;
} seat_communities[] = {
    {"北关社区", 2600, +1, 1},   /* invented */
    {"西苑社区", 3000, -1, 0},   /* invented */
    {"凤山社区", 3100, +1, 0},   /* invented */
    {"新华街社区", 3200, -1, 0}, /* invented */
    {"东关社区", 3300, +1, 1},   /* invented */
    {"西关社区", 2900, -1, 1},   /* invented */
    {"滨河社区", 3100, +1, 0},   /* local reporting */
    {"人民路社区", 3600, -1, 1}, /* local reporting */
    {"育才社区", 2500, +1, 0},   /* invented */
    {"南关社区", 2700, -1, 1},   /* invented */
};
#define SEAT_COMMUNITIES (sizeof seat_communities / sizeof *seat_communities)
#define SEAT_TOWNSHIP "141127100000"  /* 东村镇 */
#define PARK_COMMUNITY "141127400498" /* 岚县普明工业园区虚拟社区 */

static const struct {
  const char *code, *zh, *en;
} tag_defs[WG__TAG_COUNT] = {
    [WG__TAG_VETERAN] = {"veteran", "退役军人", "veteran"},
    [WG__TAG_ELDERLY_ALONE] = {"elderly_alone", "独居老人", "elderly living alone"},
    [WG__TAG_EMPTY_NEST] = {"empty_nest", "空巢老人", "empty-nest elderly"},
    [WG__TAG_DISABLED] = {"disabled", "残疾人", "disabled"},
    [WG__TAG_LOW_INCOME] = {"low_income", "低保户", "low-income"},
    [WG__TAG_EXTREME_POVERTY] = {"extreme_poverty", "特困人员", "extreme poverty support"},
    [WG__TAG_PARTY_MEMBER] = {"party_member", "党员", "Party member"},
    [WG__TAG_LEFT_BEHIND_CHILD] = {"left_behind_child", "留守儿童", "left-behind child"},
};

void wg_demo_opts_init(wg_demo_opts *o) {
  memset(o, 0, sizeof *o);
  o->seed = 1;
  o->residents = WG_DEMO_DEFAULT_RESIDENTS;
}

wg_err wg__demo_fail(wg__demo_t *d, wg_err e, const char *what) {
  if (d->ei && !d->ei->why[0])
    wg_errinfo_set(d->ei, e, "%s: %s (%s)", what, wg_strerror(e), wg_store_errmsg(d->s));
  return e;
}

wg_err wg__demo_event(wg__demo_t *d, wg__demo_rng_t *r, wg_event_kind kind,
                      int64_t resident_id, int32_t effective, const char *reason,
                      const char *detail, int64_t *id) {
  wg_event_t ev;
  memset(&ev, 0, sizeof ev);
  snprintf(ev.county, sizeof ev.county, "%s", WG_DEMO_COUNTY);
  ev.kind = kind;
  ev.resident_id = resident_id;
  ev.effective = effective;
  /* Recorded on the day or a few days later, in office hours (08:30–17:30
   * China time = 00:30–09:30 UTC); never after `today`. Derived, not read
   * from the clock, so the database is reproducible. */
  long day = wg__demo_days(effective) + (r ? wg__demo_rng_range(r, 0, 3) : 0);
  if (day > d->today_day) day = d->today_day;
  if (day < wg__demo_days(effective)) day = wg__demo_days(effective);
  int32_t rec = wg__demo_ymd(day);
  int secs = r ? 1800 + (int)wg__demo_rng_range(r, 0, 9 * 3600 - 1) : 3600;
  snprintf(ev.recorded_at, sizeof ev.recorded_at, "%04d-%02d-%02dT%02d:%02d:%02dZ",
           (int)(rec / 10000 % 10000), (int)(rec / 100 % 100), (int)(rec % 100),
           secs / 3600 % 24, secs / 60 % 60, secs % 60);
  snprintf(ev.actor, sizeof ev.actor, "%s", "demo");
  snprintf(ev.reason, sizeof ev.reason, "%s", reason);
  snprintf(ev.detail, sizeof ev.detail, "%s", detail ? detail : "");
  wg_err e = wg_store_event_add(d->s, &ev);
  if (e != WG_OK) return wg__demo_fail(d, e, "writing an event");
  d->events++;
  *id = ev.id;
  return WG_OK;
}

static wg_err mark_urban(wg__demo_t *d, int64_t hh) {
  size_t byte = (size_t)hh / 8;
  if (byte >= d->urban_hh_cap) {
    size_t cap = d->urban_hh_cap ? d->urban_hh_cap : 8192;
    while (cap <= byte) cap *= 2;
    unsigned char *grown = realloc(d->urban_hh, cap);
    if (!grown) return WG_ENOMEM;
    memset(grown + d->urban_hh_cap, 0, cap - d->urban_hh_cap);
    d->urban_hh = grown;
    d->urban_hh_cap = cap;
  }
  d->urban_hh[byte] |= (unsigned char)(1u << (hh % 8));
  return WG_OK;
}

wg_err wg__demo_household_new(wg__demo_t *d, const wg__demo_unit_t *u, int64_t dwelling,
                              int64_t *id) {
  /* 户号: township and community digits of the code + a serial. */
  char number[32];
  snprintf(number, sizeof number, "%.6s%06ld", u->code + 6, ++d->hh_serial);
  wg_err e = wg_store_household_ensure(d->s, WG_DEMO_COUNTY, number, dwelling, id);
  if (e != WG_OK) return wg__demo_fail(d, e, "writing a household");
  if (*id > d->max_household) d->max_household = *id;
  if (u->set == WG__SET_URBAN && (e = mark_urban(d, *id)) != WG_OK) return e;
  return WG_OK;
}

/* ---- the plan ------------------------------------------------------------ */

typedef struct units {
  wg__demo_unit_t *u;
  size_t n, cap;
} units_t;

static int collect_unit(void *ctx, const wg_division_t *dv) {
  units_t *us = ctx;
  if (us->n == us->cap) {
    size_t cap = us->cap ? us->cap * 2 : 256;
    wg__demo_unit_t *grown = realloc(us->u, cap * sizeof *grown);
    if (!grown) return 1; /* noticed by the caller: n < expected */
    us->u = grown;
    us->cap = cap;
  }
  wg__demo_unit_t *u = &us->u[us->n++];
  memset(u, 0, sizeof *u);
  snprintf(u->code, sizeof u->code, "%s", dv->code);
  snprintf(u->name, sizeof u->name, "%s", dv->name);
  u->set = dv->kind == WG_AREA_URBAN ? WG__SET_URBAN
           : strcmp(dv->code, PARK_COMMUNITY) == 0 ? WG__SET_PARK
                                                 : WG__SET_RURAL;
  return 0;
}

static wg_err add_seat_communities(wg__demo_t *d) {
  for (size_t i = 0; i < SEAT_COMMUNITIES; i++) {
    wg_division_t dv;
    memset(&dv, 0, sizeof dv);
    /* 001–0xx: the range NBS uses for 居委会, unused under 东村镇 */
    snprintf(dv.code, sizeof dv.code, "141127100%03zu", i + 1);
    snprintf(dv.parent, sizeof dv.parent, "%s", SEAT_TOWNSHIP);
    snprintf(dv.name, sizeof dv.name, "%s", seat_communities[i].name);
    dv.level = WG_DIV_COMMUNITY;
    dv.kind = WG_AREA_URBAN;
    dv.lon = WG__DEMO_SEAT_LON;
    dv.lat = WG__DEMO_SEAT_LAT;
    wg_err e = wg_store_division_put(d->s, &dv);
    if (e != WG_OK) return wg__demo_fail(d, e, "adding the seat's communities");
  }
  return WG_OK;
}

/* Households per unit at the import: the seat's communities by the table
 * (scaled), the park a fixed share, the villages the rest by a seeded
 * log-normal weight (a few large villages, many small). */
static wg_err plan_households(wg__demo_t *d, units_t *us) {
  long total = lround((double)d->asked / HOUSEHOLD_MEAN);
  double urban_scale = (double)total * URBAN_SHARE / 30000.0;
  long park = lround((double)total * PARK_SHARE);
  if (park < 1) park = 1;
  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, d->seed, 0x504c414eULL);
  double *weight = calloc(us->n, sizeof *weight);
  if (!weight) return WG_ENOMEM;
  double weight_sum = 0;
  long urban = 0;
  for (size_t i = 0; i < us->n; i++) {
    wg__demo_unit_t *u = &us->u[i];
    if (u->set == WG__SET_URBAN) {
      u->households = lround(3000 * urban_scale); /* an urban unit not in the table */
      u->side = (i % 2) ? 1 : -1;
      for (size_t k = 0; k < SEAT_COMMUNITIES; k++)
        if (strcmp(u->name, seat_communities[k].name) == 0) {
          u->households = lround(seat_communities[k].households * urban_scale);
          u->side = seat_communities[k].side;
          u->old_town = seat_communities[k].old_town;
          u->is_binhe = strcmp(u->name, "滨河社区") == 0;
        }
      if (u->households < 1) u->households = 1;
      urban += u->households;
    } else if (u->set == WG__SET_PARK) {
      u->households = park;
    } else {
      weight[i] = exp(0.55 * wg__demo_rng_normal(&r));
      weight_sum += weight[i];
    }
  }
  long villages = total - urban - park;
  for (size_t i = 0; i < us->n; i++) {
    wg__demo_unit_t *u = &us->u[i];
    if (u->set != WG__SET_RURAL) continue;
    u->households = lround((double)villages * weight[i] / weight_sum);
    if (u->households < 1) u->households = 1;
  }
  free(weight);
  return WG_OK;
}

/* ---- one unit ------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Draws a household, steering the running mean toward target_mean: when
 * the county is short of people a one- or two-person draw is redrawn once
 * or twice, when over, a large one. Keeps the total within a few residents
 * of what was asked without distorting the size distribution much. */
static void draw_steered(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_setting set,
                         wg__demo_household_t *h) {
  double deficit = d->target_mean * (double)d->hh_done - (double)d->res_done;
  for (int attempt = 0; attempt < 3; attempt++) {
    /* Ages are drawn as of today (the calibration describes today's
     * ledger); nobody imported a year ago can be born after the import. */
    wg__demo_household_draw(r, &d->names, set, d->today, h);
    if (deficit > 2.0 && h->n <= 2) continue;
    if (deficit < -2.0 && h->n >= 3) continue;
    break;
  }
  for (int i = 0; i < h->n; i++)
    if (h->m[i].r.birth > d->start)
      h->m[i].r.birth = wg__demo_ymd(d->start_day - wg__demo_rng_range(r, 0, 300));
  d->hh_done++;
  d->res_done += h->n;
}

static wg_err build_unit(wg__demo_t *d, wg__demo_unit_t *u, wg__demo_dwellings_t *dw) {
  dw->n = 0;
  d->hh_serial = 0;
  wg_err e = wg__demo_places_build(d, u, dw);
  if (e != WG_OK) return e;
  if ((size_t)u->households > dw->n) u->households = (long)dw->n;

  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, d->seed, 0x50454f50ULL ^ (uint64_t)strtoull(u->code, NULL, 10));
  /* Which dwellings are lived in: a random subset, numbered in address
   * order; the rest stay vacant for the year's moves and arrivals. */
  wg__demo_rng_shuffle(&r, dw->id, dw->n);
  size_t occupied = (size_t)u->households;
  qsort(dw->id, occupied, sizeof *dw->id, cmp_i64);
  wg__demo_dwellings_t vac = {.id = dw->id + occupied, .n = dw->n - occupied,
                              .cap = dw->n - occupied};

  for (size_t k = 0; k < occupied; k++) {
    wg__demo_household_t h;
    draw_steered(d, &r, u->set, &h);
    if ((e = wg__demo_household_finish(d, &r, u->set, 0, &h)) != WG_OK) return e;
    int64_t hh;
    if ((e = wg__demo_household_new(d, u, dw->id[k], &hh)) != WG_OK) return e;
    for (int i = 0; i < h.n; i++) {
      wg_resident_t *res = &h.m[i].r;
      res->household_id = hh;
      res->dwelling_id = dw->id[k];
      res->event_id = d->import_event;
      res->since = d->start;
      if ((e = wg_store_resident_insert(d->s, res)) != WG_OK)
        return wg__demo_fail(d, e, "importing a resident");
      d->imported++;
    }
    if ((e = wg__demo_history_household(d, &r, u, &h, &vac)) != WG_OK) return e;
  }
  if ((e = wg__demo_history_move_ins(d, &r, u, &vac)) != WG_OK) return e;

  /* The unit's centre on its division record. */
  wg_division_t dv;
  if ((e = wg_store_division_get(d->s, u->code, &dv)) != WG_OK)
    return wg__demo_fail(d, e, "reading a division");
  dv.lon = round(u->lon * 1e6) / 1e6;
  dv.lat = round(u->lat * 1e6) / 1e6;
  if ((e = wg_store_division_put(d->s, &dv)) != WG_OK)
    return wg__demo_fail(d, e, "placing a division");
  return WG_OK;
}

/* Township seats and the county on the map. */
static wg_err place_townships(wg__demo_t *d) {
  static const char *const codes[] = {"141127000000", "141127100000", "141127101000",
                                      "141127102000", "141127103000", "141127201000",
                                      "141127202000", "141127203000", "141127204000",
                                      "141127206000", "141127400000"};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    wg_division_t dv;
    wg_err e = wg_store_division_get(d->s, codes[i], &dv);
    if (e == WG_ENOTFOUND) continue;
    if (e != WG_OK) return wg__demo_fail(d, e, "reading a township");
    double lon = WG__DEMO_SEAT_LON, lat = WG__DEMO_SEAT_LAT;
    if (i > 0) wg__demo_township_lonlat(codes[i], &lon, &lat);
    dv.lon = round(lon * 1e6) / 1e6;
    dv.lat = round(lat * 1e6) / 1e6;
    if ((e = wg_store_division_put(d->s, &dv)) != WG_OK)
      return wg__demo_fail(d, e, "placing a township");
  }
  return WG_OK;
}

/* ---- summary --------------------------------------------------------------- */

typedef struct tally {
  wg__demo_t *d;
  wg_demo_summary *sum;
  unsigned char *seen; /* households with an active member */
  size_t seen_cap;
  long male;
  char tag_pat[WG__TAG_COUNT][40];
} tally_t;

static int tally_one(void *ctx, const wg_resident_t *r) {
  tally_t *t = ctx;
  wg_demo_summary *s = t->sum;
  s->residents++;
  if (r->sex == 'M') t->male++;
  int age = wg__demo_age(r->birth, t->d->today);
  if (age < 15)
    s->children_0_14++;
  else if (age < 60)
    s->working_15_59++;
  else
    s->elderly_60plus++;
  if (strstr(r->tags, t->tag_pat[WG__TAG_ELDERLY_ALONE])) s->elderly_alone++;
  if (strstr(r->tags, t->tag_pat[WG__TAG_VETERAN])) s->veterans++;
  if (strstr(r->tags, t->tag_pat[WG__TAG_DISABLED])) s->disabled++;
  if (strstr(r->tags, t->tag_pat[WG__TAG_LOW_INCOME])) s->low_income++;
  if (strstr(r->tags, t->tag_pat[WG__TAG_PARTY_MEMBER])) s->party_members++;
  if (r->residence == WG_RES_REGISTERED) s->registered++;
  if (r->residence == WG_RES_RESIDENT) s->resident_elsewhere_registered++;
  if (r->residence == WG_RES_FLOATING) s->floating++;
  if (r->phone[0]) s->with_phone++;
  int64_t hh = r->household_id;
  if (hh > 0 && (size_t)hh / 8 < t->seen_cap) {
    int urban = (size_t)hh / 8 < t->d->urban_hh_cap &&
                (t->d->urban_hh[hh / 8] >> (hh % 8) & 1);
    if (urban) s->urban_residents++;
    if (!(t->seen[hh / 8] >> (hh % 8) & 1)) {
      t->seen[hh / 8] |= (unsigned char)(1u << (hh % 8));
      s->households++;
      if (urban) s->urban_households++;
    }
  }
  return 0;
}

static wg_err summarise(wg__demo_t *d, wg_demo_summary *s) {
  tally_t t;
  memset(&t, 0, sizeof t);
  t.d = d;
  t.sum = s;
  t.seen_cap = (size_t)d->max_household / 8 + 1;
  t.seen = calloc(t.seen_cap, 1);
  if (!t.seen) return WG_ENOMEM;
  for (int k = 0; k < WG__TAG_COUNT; k++)
    snprintf(t.tag_pat[k], sizeof t.tag_pat[k], ",%s,", d->tag_code[k]);
  wg_resident_filter f;
  memset(&f, 0, sizeof f);
  f.county = WG_DEMO_COUNTY;
  wg_err e = wg_store_resident_each(d->s, &f, tally_one, &t);
  free(t.seen);
  if (e != WG_OK) return wg__demo_fail(d, e, "reading the ledger back");
  s->male_share = s->residents ? (double)t.male / (double)s->residents : 0;
  s->sex_ratio = s->residents > t.male ? 100.0 * (double)t.male / (double)(s->residents - t.male) : 0;
  s->mean_household_size = s->households ? (double)s->residents / (double)s->households : 0;
  return WG_OK;
}

/* ---- build --------------------------------------------------------------- */

static void progress(const wg_demo_opts *o, const char *stage, double fraction) {
  if (o->progress) o->progress(o->progress_ctx, stage, fraction);
}

static wg_err resolve_tags(wg__demo_t *d) {
  for (int k = 0; k < WG__TAG_COUNT; k++) {
    wg_err e = wg_store_tag_resolve(d->s, tag_defs[k].code, d->tag_code[k], sizeof d->tag_code[k]);
    if (e == WG_ENOTFOUND)
      e = wg_store_tag_resolve(d->s, tag_defs[k].zh, d->tag_code[k], sizeof d->tag_code[k]);
    if (e == WG_ENOTFOUND) {
      /* not built in (an older schema): register it */
      e = wg_store_tag_put(d->s, tag_defs[k].code, tag_defs[k].zh, tag_defs[k].en);
      snprintf(d->tag_code[k], sizeof d->tag_code[k], "%s", tag_defs[k].code);
    }
    if (e != WG_OK) return wg__demo_fail(d, e, "resolving the tags");
  }
  return WG_OK;
}

static wg_err write_meta(wg__demo_t *d) {
  char buf[64];
  struct {
    const char *key;
    const char *value;
  } kv[4];
  char seed[32], residents[32], today[16];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)d->seed);
  snprintf(residents, sizeof residents, "%ld", d->asked);
  snprintf(today, sizeof today, "%d", (int)d->today);
  snprintf(buf, sizeof buf, "%.6f,%.6f", WG__DEMO_SEAT_LON, WG__DEMO_SEAT_LAT);
  kv[0].key = "county", kv[0].value = WG_DEMO_COUNTY;
  kv[1].key = "demo.seed", kv[1].value = seed;
  kv[2].key = "demo.residents", kv[2].value = residents;
  kv[3].key = "demo.today", kv[3].value = today;
  for (size_t i = 0; i < 4; i++) {
    wg_err e = wg_store_meta_set(d->s, kv[i].key, kv[i].value);
    if (e != WG_OK) return wg__demo_fail(d, e, "writing settings");
  }
  wg_err e = wg_store_meta_set(d->s, "demo.seat", buf);
  if (e != WG_OK) return wg__demo_fail(d, e, "writing settings");
  char *river = wg__demo_river_geojson();
  if (!river) return WG_ENOMEM;
  e = wg_store_meta_set(d->s, "demo.river", river);
  free(river);
  if (e != WG_OK) return wg__demo_fail(d, e, "writing settings");
  return WG_OK;
}

static wg_err build(wg__demo_t *d, const wg_demo_opts *o, units_t *us) {
  wg_err e;
  if ((e = resolve_tags(d)) != WG_OK) return e;
  if ((e = write_meta(d)) != WG_OK) return e;
  if ((e = add_seat_communities(d)) != WG_OK) return e;
  if ((e = wg_store_division_each(d->s, WG_DEMO_COUNTY, WG_DIV_COMMUNITY, collect_unit, us)) !=
      WG_OK)
    return wg__demo_fail(d, e, "listing the communities");
  long expected = 0;
  if ((e = wg_store_division_count(d->s, WG_DEMO_COUNTY, WG_DIV_COMMUNITY, &expected)) != WG_OK)
    return wg__demo_fail(d, e, "counting the communities");
  if ((long)us->n != expected) return WG_ENOMEM;
  if (us->n <= SEAT_COMMUNITIES)
    return wg_errinfo_set(d->ei, WG_ENOTFOUND,
                          "no villages of 141127 were loaded from the division files");

  char detail[160];
  snprintf(detail, sizeof detail,
           "{\"source\":\"wangge demo\",\"seed\":%llu,\"residents\":%ld}",
           (unsigned long long)d->seed, d->asked);
  if ((e = wg__demo_event(d, NULL, WG_EV_IMPORT, 0, d->start, "演示数据：岚县模拟台账导入",
                          detail, &d->import_event)) != WG_OK)
    return e;

  if ((e = plan_households(d, us)) != WG_OK) return e;
  long total_households = 0;
  for (size_t i = 0; i < us->n; i++) total_households += us->u[i].households;
  d->target_mean = (double)d->asked / (double)total_households;

  /* The seat's layout needs all its communities first; villages keep out
   * of it. */
  size_t nurban = 0;
  for (size_t i = 0; i < us->n; i++) nurban += us->u[i].set == WG__SET_URBAN;
  wg__demo_unit_t *urban = malloc((nurban ? nurban : 1) * sizeof *urban);
  if (!urban) return WG_ENOMEM;
  for (size_t i = 0, k = 0; i < us->n; i++)
    if (us->u[i].set == WG__SET_URBAN) urban[k++] = us->u[i];
  wg__demo_seat_plan(d, urban, nurban);
  free(urban);
  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, d->seed, 0x56494c4cULL);
  if ((e = wg__demo_villages_plan(d, &r, us->u, us->n)) != WG_OK) return e;

  /* Build order: the seat's communities as listed in the table (north to
   * south on each bank; the layout depends on it), then every other unit
   * in code order. */
  size_t *order = malloc(us->n * sizeof *order), norder = 0;
  if (!order) return WG_ENOMEM;
  for (size_t k = 0; k < SEAT_COMMUNITIES; k++)
    for (size_t i = 0; i < us->n; i++)
      if (us->u[i].set == WG__SET_URBAN && strcmp(us->u[i].name, seat_communities[k].name) == 0)
        order[norder++] = i;
  for (size_t i = 0; i < us->n; i++) {
    int listed = 0;
    for (size_t k = 0; k < norder && !listed; k++) listed = order[k] == i;
    if (!listed) order[norder++] = i;
  }
  wg__demo_dwellings_t dw = {0};
  long done = 0;
  for (size_t k = 0; k < norder && e == WG_OK; k++) {
    wg__demo_unit_t *u = &us->u[order[k]];
    done += u->households;
    e = build_unit(d, u, &dw);
    progress(o, u->set == WG__SET_URBAN ? "county seat" : "villages",
             (double)done / (double)total_households);
  }
  free(order);
  free(dw.id);
  if (e != WG_OK) return e;
  return place_townships(d);
}

wg_err wg_demo_build(wg_store_t *s, const wg_demo_opts *o, wg_demo_summary *sum,
                     wg_errinfo *ei) {
  wg_demo_opts defaults;
  if (!o) {
    wg_demo_opts_init(&defaults);
    o = &defaults;
  }
  long asked = o->residents ? o->residents : WG_DEMO_DEFAULT_RESIDENTS;
  if (asked < WG_DEMO_MIN_RESIDENTS || asked > WG_DEMO_MAX_RESIDENTS) {
    if (ei) snprintf(ei->field, sizeof ei->field, "residents");
    return wg_errinfo_set(ei, WG_EINVAL, "residents must be %ld to %ld, not %ld",
                          WG_DEMO_MIN_RESIDENTS, WG_DEMO_MAX_RESIDENTS, asked);
  }
  int32_t today = o->today ? o->today : wg_date_today_cst();
  if (!wg_date_valid(today) || today < 19800101 || today > 21000101) {
    if (ei) snprintf(ei->field, sizeof ei->field, "today");
    return wg_errinfo_set(ei, WG_EINVAL, "today must be a date from 1980 to 2100, not %d",
                          (int)today);
  }
  const char *data_dir = o->data_dir ? o->data_dir : WG_DATA_DIR;

  /* Refuse to mix with an existing ledger: ID numbers would collide. */
  wg_resident_filter f;
  memset(&f, 0, sizeof f);
  f.county = WG_DEMO_COUNTY;
  f.include_inactive = 1;
  long existing = 0;
  wg_err e = wg_store_resident_count(s, &f, &existing);
  if (e != WG_OK) return wg_errinfo_set(ei, e, "cannot read the ledger: %s", wg_store_errmsg(s));
  if (existing > 0)
    return wg_errinfo_set(ei, WG_ECONFLICT,
                          "the database already holds %ld residents of 141127; the demo "
                          "needs a fresh database", existing);

  wg__demo_t *d = calloc(1, sizeof *d);
  if (!d) return WG_ENOMEM;
  d->s = s;
  d->ei = ei;
  d->seed = o->seed;
  d->asked = asked;
  d->today = today;
  d->today_day = wg__demo_days(today);
  d->start_day = d->today_day - 365;
  d->start = wg__demo_ymd(d->start_day);
  wg__demo_ids_init(&d->ids, o->seed);
  wg__demo_phones_init(&d->phones, o->seed);
  units_t us = {0};

  e = wg__demo_names_load(&d->names, data_dir, ei);
  if (e == WG_OK) {
    progress(o, "divisions", 0);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/divisions", data_dir);
    /* reference data: its own transaction (insert-or-replace, idempotent) */
    e = wg_division_load_dir(s, dir, WG_DEMO_COUNTY, NULL, ei);
  }
  int in_tx = 0;
  if (e == WG_OK) {
    e = wg_store_begin(s);
    if (e != WG_OK) wg_errinfo_set(ei, e, "cannot start a transaction: %s", wg_store_errmsg(s));
    in_tx = e == WG_OK;
  }
  if (e == WG_OK) e = build(d, o, &us);
  wg_demo_summary local = {0};
  wg_demo_summary *out = sum ? sum : &local;
  if (e == WG_OK) {
    progress(o, "summary", 0.99);
    memset(out, 0, sizeof *out);
    e = summarise(d, out);
  }
  if (e == WG_OK) {
    e = wg_store_commit(s);
    if (e != WG_OK) wg_errinfo_set(ei, e, "cannot commit: %s", wg_store_errmsg(s));
    else in_tx = 0;
  }
  if (in_tx) wg_store_rollback(s);

  if (e == WG_OK) {
    out->seed = d->seed;
    out->asked = d->asked;
    out->history_from = d->start;
    out->today = d->today;
    long n = 0;
    if (wg_store_division_count(s, WG_DEMO_COUNTY, WG_DIV_TOWNSHIP, &n) == WG_OK)
      out->townships = n;
    out->communities = (long)us.n;
    for (size_t i = 0; i < us.n; i++) {
      out->urban_communities += us.u[i].set == WG__SET_URBAN;
      out->villages += us.u[i].set == WG__SET_RURAL;
    }
    out->estates = d->estates;
    out->buildings = d->buildings;
    out->entrances = d->entrances;
    out->dwellings = d->dwellings;
    out->imported = d->imported;
    out->occupancy = d->dwellings ? (double)d->hh_done / (double)d->dwellings : 0;
    out->events = d->events;
    out->births = d->births;
    out->deaths = d->deaths;
    out->moves = d->moves;
    out->moved_out = d->moved_out;
    out->moved_in = d->moved_in;
    out->tag_changes = d->tag_changes;
    out->corrections = d->corrections;
    progress(o, "done", 1.0);
  }
  free(us.u);
  free(d->urban_hh);
  wg__demo_names_free(&d->names);
  wg__demo_ids_free(&d->ids);
  free(d);
  return e;
}

/* ---- printing -------------------------------------------------------------- */

static double pct(long part, long whole) { return whole ? 100.0 * (double)part / (double)whole : 0; }

static void print_date(FILE *out, int32_t ymd) {
  fprintf(out, "%04d-%02d-%02d", (int)(ymd / 10000), (int)(ymd / 100 % 100), (int)(ymd % 100));
}

void wg_demo_summary_print(const wg_demo_summary *s, FILE *out) {
  fprintf(out, "岚县（模拟）Lan County, synthetic — 141127, seed %llu, %ld residents asked\n",
          (unsigned long long)s->seed, s->asked);
  fprintf(out, "  台账期间 history:        ");
  print_date(out, s->history_from);
  fprintf(out, " (导入 import) → ");
  print_date(out, s->today);
  fprintf(out, " (今天 today)\n");
  fprintf(out, "  行政区划 divisions:      %ld 乡镇 townships, %ld 社区/村 communities "
               "(%ld 城镇社区 urban, %ld 村委会 villages)\n",
          s->townships, s->communities, s->urban_communities, s->villages);
  fprintf(out, "  标准地址 addresses:      %ld 小区/自然村 estates, %ld 楼栋 buildings, "
               "%ld 单元 entrances, %ld 房屋 dwellings (入住 occupied %.1f%%)\n",
          s->estates, s->buildings, s->entrances, s->dwellings, s->occupancy * 100);
  fprintf(out, "  实有人口 population:     %ld 居民 residents in %ld 户 households "
               "(户均 %.2f per household)\n",
          s->residents, s->households, s->mean_household_size);
  fprintf(out, "    城区 county seat:      %ld residents in %ld households\n", s->urban_residents,
          s->urban_households);
  fprintf(out, "    性别 sex:              男 male %.1f%%, 性别比 sex ratio %.1f\n",
          s->male_share * 100, s->sex_ratio);
  fprintf(out, "    年龄 age:              0–14 %.1f%%, 15–59 %.1f%%, 60+ %.1f%%\n",
          pct(s->children_0_14, s->residents), pct(s->working_15_59, s->residents),
          pct(s->elderly_60plus, s->residents));
  fprintf(out, "    户籍 residence:        户籍 registered %.1f%%, 常住 resident %.1f%%, "
               "流动 floating %.1f%%\n",
          pct(s->registered, s->residents), pct(s->resident_elsewhere_registered, s->residents),
          pct(s->floating, s->residents));
  fprintf(out, "  重点人群 special groups: 独居老人 elderly alone %ld (%.1f%% of 60+), "
               "退役军人 veterans %ld, 残疾人 disabled %ld (%.1f%%),\n"
               "                           低保 low-income %ld (%.1f%%), 党员 Party members %ld, "
               "手机 with phone %ld\n",
          s->elderly_alone, pct(s->elderly_alone, s->elderly_60plus), s->veterans, s->disabled,
          pct(s->disabled, s->residents), s->low_income, pct(s->low_income, s->residents),
          s->party_members, s->with_phone);
  fprintf(out, "  变动 events:             %ld (导入 imported %ld; 出生 births %ld, 死亡 deaths "
               "%ld, 迁移 moves %ld, 迁出 moved out %ld, 迁入 moved in %ld, 标签 tag changes "
               "%ld, 更正 corrections %ld)\n",
          s->events, s->imported, s->births, s->deaths, s->moves, s->moved_out, s->moved_in,
          s->tag_changes, s->corrections);
}
