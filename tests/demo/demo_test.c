/* demo_test.c — the demo county: real divisions, the seat's communities and
 * estates, calibrated people with valid unique ID numbers and phones, a
 * year of history visible through as-of, determinism.
 *
 * The GB 11643 check below is written independently of src/ledger (weights
 * and the "10X98765432" map straight from the standard, as quoted in
 * shared/data/demographics/FACTS.md); the project's validator is used as a
 * second opinion. */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo.h"
#include "demo/demo_int.h"
#include "ledger/validate.h"
#include "test.h"

#define TODAY 20261129
#define SEED 20240601ULL
#define ASKED 5000L

static char *dir;

static char *db_path(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

/* Builds a demo into a fresh file; returns the error. */
static wg_err build(const char *name, uint64_t seed, long residents, wg_demo_summary *sum) {
  wg_store_t *s = NULL;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  wg_err e = wg_store_open(db_path(name), WG_STORE_CREATE, &s, &ei);
  if (e != WG_OK) return e;
  wg_demo_opts o;
  wg_demo_opts_init(&o);
  o.seed = seed;
  o.residents = residents;
  o.today = TODAY;
  e = wg_demo_build(s, &o, sum, &ei);
  if (e != WG_OK) printf("#   demo build failed: %s: %s\n", wg_strerror(e), ei.why);
  wg_store_close(s);
  return e;
}

static wg_demo_summary sum_a;
static int built_a;

/* ---- independent checks ---------------------------------------------------- */

static char gb11643_check(const char *id17) {
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char map[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; i++) {
    if (id17[i] < '0' || id17[i] > '9') return 0;
    sum += (id17[i] - '0') * w[i];
  }
  return map[sum % 11];
}

static int phone_ok(const char *p) {
  if (strlen(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9') return 0;
  for (int i = 2; i < 11; i++)
    if (p[i] < '0' || p[i] > '9') return 0;
  return 1;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Number of duplicates in a sorted array. */
static long dups(uint64_t *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_u64);
  long d = 0;
  for (size_t i = 1; i < n; i++) d += v[i] == v[i - 1];
  return d;
}

/* ---- walking the ledger ------------------------------------------------------ */

#define MAX_PEOPLE 20000
#define MAX_HH 20000

typedef struct walk {
  long n, active, male, a014, a1559, a60, adults;
  long bad_check, bad_birth, bad_sex, bad_validator, bad_phone, phones;
  long tag_veteran, tag_disabled, tag_low, tag_party, tag_alone, floating, registered;
  long alone_not_alone; /* elderly_alone but not in a one-person household or under 60 */
  uint64_t ids[MAX_PEOPLE], phone_keys[MAX_PEOPLE];
  size_t nphones;
  int hh_active[MAX_HH];  /* active members by household id */
  int hh_heads[MAX_HH];
  uint64_t hash;
} walk_t;

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
  return h;
}

static int walk_one(void *ctx, const wg_resident_t *r) {
  walk_t *w = ctx;
  if (w->n >= MAX_PEOPLE) return 1;
  w->hash = fnv(w->hash, r->id_number, strlen(r->id_number));
  w->hash = fnv(w->hash, r->name, strlen(r->name));
  w->hash = fnv(w->hash, r->phone, strlen(r->phone));
  w->hash = fnv(w->hash, r->relation, strlen(r->relation));
  w->hash = fnv(w->hash, r->tags, strlen(r->tags));
  int64_t nums[6] = {r->id, r->birth, r->household_id, r->dwelling_id, r->since, r->event_id};
  w->hash = fnv(w->hash, nums, sizeof nums);
  int small[3] = {r->sex, (int)r->residence, (int)r->status};
  w->hash = fnv(w->hash, small, sizeof small);

  char c = gb11643_check(r->id_number);
  if (strlen(r->id_number) != 18 || c != r->id_number[17]) w->bad_check++;
  char birth[9];
  snprintf(birth, sizeof birth, "%08d", (int)r->birth);
  if (strncmp(r->id_number + 6, birth, 8) != 0) w->bad_birth++;
  int seq_odd = (r->id_number[16] - '0') % 2;
  if ((r->sex == 'M') != seq_odd) w->bad_sex++;
  wg_idnum_t parsed;
  if (wg_idnum_parse(r->id_number, TODAY, &parsed) != WG_IDNUM_OK || parsed.birth != r->birth ||
      parsed.sex != r->sex)
    w->bad_validator++;
  w->ids[w->n] = strtoull(r->id_number, NULL, 10) / 10; /* the 17 digits */
  w->n++;
  if (r->phone[0]) {
    if (!phone_ok(r->phone)) w->bad_phone++;
    w->phone_keys[w->nphones++] = strtoull(r->phone, NULL, 10);
  }
  if (r->status != WG_ST_ACTIVE) return 0;
  w->active++;
  w->male += r->sex == 'M';
  int age = wg__demo_age(r->birth, TODAY);
  if (age < 15)
    w->a014++;
  else if (age < 60)
    w->a1559++;
  else
    w->a60++;
  if (age >= 18) w->adults++;
  if (r->phone[0]) w->phones++;
  w->tag_veteran += strstr(r->tags, ",veteran,") != NULL;
  w->tag_disabled += strstr(r->tags, ",disabled,") != NULL;
  w->tag_low += strstr(r->tags, ",low_income,") != NULL;
  w->tag_party += strstr(r->tags, ",party_member,") != NULL;
  w->tag_alone += strstr(r->tags, ",elderly_alone,") != NULL;
  w->floating += r->residence == WG_RES_FLOATING;
  w->registered += r->residence == WG_RES_REGISTERED;
  if (r->household_id > 0 && r->household_id < MAX_HH) {
    w->hh_active[r->household_id]++;
    if (strcmp(r->relation, "户主") == 0) w->hh_heads[r->household_id]++;
  }
  return 0;
}

/* Second pass: elderly living alone really live alone. */
typedef struct alone_check {
  walk_t *w;
} alone_check_t;

static int check_alone(void *ctx, const wg_resident_t *r) {
  walk_t *w = ((alone_check_t *)ctx)->w;
  if (!strstr(r->tags, ",elderly_alone,")) return 0;
  if (wg__demo_age(r->birth, TODAY) < 60 || r->household_id <= 0 ||
      r->household_id >= MAX_HH || w->hh_active[r->household_id] != 1)
    w->alone_not_alone++;
  return 0;
}

static walk_t *walk(wg_store_t *s, int32_t as_of, int include_inactive) {
  walk_t *w = calloc(1, sizeof *w);
  w->hash = 0xcbf29ce484222325ULL;
  wg_resident_filter f = {.county = "141127", .as_of = as_of,
                          .include_inactive = include_inactive};
  CHECK_EQ(wg_store_resident_each(s, &f, walk_one, w), WG_OK);
  alone_check_t ac = {w};
  CHECK_EQ(wg_store_resident_each(s, &f, check_alone, &ac), WG_OK);
  return w;
}

/* Hash of every row of every table, in rowid order: "byte-identical
 * content" as far as SQL can see. */
static uint64_t db_hash(const char *path) {
  sqlite3 *db;
  uint64_t h = 0xcbf29ce484222325ULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return 0;
  sqlite3_stmt *tables;
  sqlite3_prepare_v2(db,
                     "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                     "'sqlite_%' ORDER BY name",
                     -1, &tables, NULL);
  while (sqlite3_step(tables) == SQLITE_ROW) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid",
             (const char *)sqlite3_column_text(tables, 0));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) continue;
    while (sqlite3_step(st) == SQLITE_ROW)
      for (int c = 0; c < sqlite3_column_count(st); c++) {
        const unsigned char *t = sqlite3_column_text(st, c);
        h = fnv(h, t ? (const char *)t : "\x01", t ? strlen((const char *)t) + 1 : 1);
      }
    sqlite3_finalize(st);
  }
  sqlite3_finalize(tables);
  sqlite3_close(db);
  return h;
}

static long sql_long(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    printf("#   sql error: %s: %s\n", sqlite3_errmsg(db), sql);
    return -1;
  }
  if (sqlite3_step(st) == SQLITE_ROW) v = (long)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* ---- tests ---------------------------------------------------------------- */

TEST(builds) {
  CHECK_EQ(build("a.db", SEED, ASKED, &sum_a), WG_OK);
  built_a = 1;
  wg_demo_summary_print(&sum_a, stdout);
  CHECK(sum_a.residents > 0);
}

TEST(real_divisions) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(db_path("a.db"), WG_STORE_READONLY, &s, NULL), WG_OK);
  if (!s) return;
  wg_division_t dv;
  CHECK_EQ(wg_store_division_get(s, "141127100000", &dv), WG_OK);
  CHECK_STR(dv.name, "东村镇");
  CHECK_NEAR(dv.lat, 38.28, 0.01);
  CHECK_NEAR(dv.lon, 111.67, 0.01);
  CHECK_EQ(wg_store_division_get(s, "141127000000", &dv), WG_OK);
  CHECK_STR(dv.name, "岚县");
  /* real village codes from data/divisions/villages_14_shanxi.csv */
  CHECK_EQ(wg_store_division_get(s, "141127100202", &dv), WG_OK);
  CHECK_STR(dv.name, "天湾村委会");
  CHECK_EQ(dv.kind, WG_AREA_RURAL);
  CHECK(dv.lon != 0 && dv.lat != 0);
  CHECK_EQ(wg_store_division_get(s, "141127101000", &dv), WG_OK);
  CHECK_STR(dv.name, "岚城镇");
  long n = 0;
  CHECK_EQ(wg_store_division_count(s, "141127", WG_DIV_TOWNSHIP, &n), WG_OK);
  CHECK_EQ(n, 10);
  CHECK_EQ(wg_store_division_count(s, "141127", WG_DIV_COMMUNITY, &n), WG_OK);
  CHECK_EQ(n, 137 + sum_a.urban_communities);
  CHECK_EQ(sum_a.townships, 10);
  CHECK_EQ(sum_a.villages, 136);
  CHECK(sum_a.urban_communities >= 5);
  /* the seat's communities, named in local reporting */
  CHECK_EQ(wg_store_division_find(s, "141127100", "滨河社区", &dv), WG_OK);
  CHECK_EQ(dv.kind, WG_AREA_URBAN);
  CHECK_STR(dv.parent, "141127100000");
  CHECK(strncmp(dv.code, "1411271000", 10) == 0); /* 001–099: the 居委会 range */
  CHECK_EQ(wg_store_division_find(s, "141127100", "人民路社区", &dv), WG_OK);
  char *v = NULL;
  CHECK_EQ(wg_store_meta_get(s, "county", &v), WG_OK);
  CHECK_STR(v, "141127");
  free(v);
  wg_store_close(s);
}

TEST(places) {
  sqlite3 *db;
  CHECK_EQ(sqlite3_open_v2(db_path("a.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM estate e JOIN division d ON d.code = e.community"
                        " WHERE d.name = '滨河社区'"),
           6);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM estate WHERE name = '易居苑'"
                        " AND community LIKE '141127100%'"),
           1);
  /* storeys 1–30, 1–4 entrances, 1–4 dwellings per floor per entrance */
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM building WHERE floors < 1 OR floors > 30"), 0);
  CHECK(sql_long(db, "SELECT max(floors) FROM building") >= 11);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM (SELECT building_id, count(*) n FROM entrance"
                        " GROUP BY building_id HAVING n < 1 OR n > 4)"),
           0);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM (SELECT entrance_id, floor, count(*) n"
                        " FROM dwelling GROUP BY entrance_id, floor HAVING n > 4)"),
           0);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM building WHERE id NOT IN"
                        " (SELECT building_id FROM entrance)"),
           0);
  /* room numbers like 501 / 1203 in the seat's estates */
  CHECK(sql_long(db, "SELECT count(*) FROM dwelling WHERE room = '501'") > 0);
  /* occupancy */
  double occ = (double)sql_long(db, "SELECT count(DISTINCT dwelling_id) FROM resident"
                                    " WHERE status = 1") /
               (double)sql_long(db, "SELECT count(*) FROM dwelling");
  CHECK(occ > 0.80 && occ < 0.95);
  CHECK(sum_a.occupancy > 0.84 && sum_a.occupancy < 0.93);
  /* geometry: within ~35 km of the seat, none in the river, every urban
   * community on one bank */
  sqlite3_stmt *st;
  sqlite3_prepare_v2(db, "SELECT community, lon, lat FROM building", -1, &st, NULL);
  long far = 0, in_river = 0, n = 0;
  double lat0 = 38.28 * 3.14159265358979 / 180;
  struct {
    char code[13];
    int west, east;
  } banks[32];
  int nb = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *comm = (const char *)sqlite3_column_text(st, 0);
    double lon = sqlite3_column_double(st, 1), lat = sqlite3_column_double(st, 2);
    double y = (lat - 38.28) * 111000, x = (lon - 111.67) * 111000 * cos(lat0);
    n++;
    if (hypot(x, y) > 35500) far++;
    if (fabs(x - wg__demo_river_x(y)) <= WG__DEMO_RIVER_HALF_WIDTH) in_river++;
    if (strncmp(comm, "1411271000", 10) == 0) {
      int k;
      for (k = 0; k < nb && strcmp(banks[k].code, comm) != 0; k++) {
      }
      if (k == nb && nb < 32) {
        snprintf(banks[nb].code, sizeof banks[nb].code, "%s", comm);
        banks[nb].west = banks[nb].east = 0;
        nb++;
      }
      if (k < 32) {
        if (x < wg__demo_river_x(y)) banks[k].west = 1;
        else banks[k].east = 1;
      }
    }
  }
  sqlite3_finalize(st);
  CHECK(n > 1000);
  CHECK_EQ(far, 0);
  CHECK_EQ(in_river, 0);
  int west = 0, east = 0;
  for (int k = 0; k < nb; k++) {
    CHECK(!(banks[k].west && banks[k].east));
    west += banks[k].west;
    east += banks[k].east;
  }
  CHECK(west >= 2 && east >= 2); /* communities on both banks */
  /* the seat holds a bit over half of all households */
  double urban = (double)sum_a.urban_households / (double)sum_a.households;
  CHECK(urban > 0.5 && urban < 0.62);
  sqlite3_close(db);
}

TEST(people) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(db_path("a.db"), WG_STORE_READONLY, &s, NULL), WG_OK);
  if (!s) return;
  walk_t *all = walk(s, 0, 1);
  walk_t *w = walk(s, 0, 0);
  wg_store_close(s);

  /* size */
  CHECK(labs(w->active - ASKED) <= ASKED / 50);
  CHECK_EQ(w->active, sum_a.residents);
  /* ID numbers: checksum, birth date, sex parity, uniqueness */
  CHECK(all->n > w->n);
  CHECK_EQ(all->bad_check, 0);
  CHECK_EQ(all->bad_birth, 0);
  CHECK_EQ(all->bad_sex, 0);
  CHECK_EQ(all->bad_validator, 0);
  CHECK_EQ(dups(all->ids, (size_t)all->n), 0);
  /* phones: pattern, unique, most adults */
  CHECK_EQ(all->bad_phone, 0);
  CHECK_EQ(dups(all->phone_keys, all->nphones), 0);
  CHECK(w->phones > w->adults * 7 / 10);
  /* calibration (FACTS.md, Lüliang) */
  double n = (double)w->active;
  double hh = 0;
  for (int i = 0; i < MAX_HH; i++) hh += w->hh_active[i] > 0;
  printf("#   mean household %.3f, sex ratio %.1f, ages %.1f/%.1f/%.1f\n", n / hh,
         100.0 * w->male / (n - w->male), 100 * w->a014 / n, 100 * w->a1559 / n,
         100 * w->a60 / n);
  CHECK_NEAR(n / hh, 2.44, 0.08);
  CHECK_NEAR(sum_a.mean_household_size, 2.44, 0.08);
  CHECK_NEAR(100.0 * w->male / (n - w->male), 107.84, 5.0);
  CHECK_NEAR(100 * w->a014 / n, 19.43, 2.5);
  CHECK_NEAR(100 * w->a1559 / n, 63.85, 3.0);
  CHECK_NEAR(100 * w->a60 / n, 16.71, 2.5);
  /* special groups */
  printf("#   disabled %.2f%%, low income %.2f%%, veterans %.2f%% of adults, party %.2f%% of "
         "adults, alone %.1f%% of 60+, floating %.1f%%\n",
         100 * w->tag_disabled / n, 100 * w->tag_low / n, 100.0 * w->tag_veteran / w->adults,
         100.0 * w->tag_party / w->adults, 100.0 * w->tag_alone / w->a60, 100 * w->floating / n);
  CHECK_NEAR(100 * w->tag_disabled / n, 6.0, 2.0);
  CHECK(100 * w->tag_low / n >= 4.0 && 100 * w->tag_low / n <= 10.0);
  CHECK(100.0 * w->tag_veteran / w->adults >= 0.7 && 100.0 * w->tag_veteran / w->adults <= 2.2);
  CHECK_NEAR(100.0 * w->tag_party / w->adults, 7.0, 2.0);
  CHECK(100.0 * w->tag_alone / w->a60 >= 10 && 100.0 * w->tag_alone / w->a60 <= 20);
  CHECK_EQ(w->alone_not_alone, 0);
  CHECK_NEAR(100 * w->floating / n, 7.0, 3.0);
  CHECK_NEAR(100 * w->registered / n, 85.0, 4.0);
  CHECK_EQ(w->tag_alone, sum_a.elderly_alone);
  CHECK_EQ(w->tag_veteran, sum_a.veterans);
  /* never two heads in a household */
  long two_heads = 0;
  for (int i = 0; i < MAX_HH; i++) two_heads += w->hh_heads[i] > 1;
  CHECK_EQ(two_heads, 0);
  free(all);
  free(w);
}

TEST(history) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(db_path("a.db"), WG_STORE_READONLY, &s, NULL), WG_OK);
  if (!s) return;
  int32_t start = sum_a.history_from;
  CHECK(start > 20251100 && start < TODAY);
  wg_resident_filter f = {.county = "141127"};
  long before = -1, at_start = -1, mid = -1, now = -1, dead_now = -1, dead_start = -1;
  f.as_of = wg__demo_ymd(wg__demo_days(start) - 1);
  CHECK_EQ(wg_store_resident_count(s, &f, &before), WG_OK);
  f.as_of = start;
  CHECK_EQ(wg_store_resident_count(s, &f, &at_start), WG_OK);
  f.as_of = 20260601;
  CHECK_EQ(wg_store_resident_count(s, &f, &mid), WG_OK);
  f.as_of = 0;
  CHECK_EQ(wg_store_resident_count(s, &f, &now), WG_OK);
  CHECK_EQ(before, 0);
  CHECK_EQ(at_start, sum_a.imported);
  CHECK_EQ(now, sum_a.residents);
  CHECK(mid != at_start && mid != now);
  /* the dead: nobody at the import, some today */
  walk_t *ws = walk(s, start, 1), *wn = walk(s, 0, 1);
  dead_start = ws->n - ws->active;
  dead_now = wn->n - wn->active;
  CHECK_EQ(dead_start, 0);
  CHECK(dead_now > 0);
  CHECK(wn->n > ws->n); /* births and arrivals */
  CHECK(ws->hash != wn->hash);
  free(ws);
  free(wn);
  CHECK(sum_a.births > 0 && sum_a.deaths > 0 && sum_a.moves > 0 && sum_a.moved_out > 0 &&
        sum_a.moved_in > 0 && sum_a.tag_changes > 0 && sum_a.corrections > 0);
  /* births ~6‰, deaths ~7‰ a year */
  CHECK(sum_a.births >= ASKED * 2 / 1000 && sum_a.births <= ASKED * 12 / 1000);
  CHECK(sum_a.deaths >= ASKED * 3 / 1000 && sum_a.deaths <= ASKED * 13 / 1000);
  /* the import event */
  wg_event_t ev;
  CHECK_EQ(wg_store_event_get(s, 1, &ev), WG_OK);
  CHECK_EQ(ev.kind, WG_EV_IMPORT);
  CHECK_STR(ev.actor, "demo");
  CHECK_EQ(ev.effective, start);
  wg_store_close(s);

  sqlite3 *db;
  CHECK_EQ(sqlite3_open_v2(db_path("a.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM event"), sum_a.events);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM event WHERE actor <> 'demo' OR reason = ''"), 0);
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM event WHERE effective < '%04d-%02d-%02d' OR effective > "
           "'2026-11-29' OR recorded_at < effective OR recorded_at > '2026-11-30'",
           (int)(start / 10000), (int)(start / 100 % 100), (int)(start % 100));
  CHECK_EQ(sql_long(db, sql), 0);
  CHECK(sql_long(db, "SELECT count(DISTINCT kind) FROM event") >= 8);
  /* every change to a resident went through its own event */
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM resident_history h JOIN event e ON"
                        " e.id = h.ended_by WHERE e.resident_id <> h.resident_id"),
           0);
  sqlite3_close(db);
}

TEST(deterministic) {
  if (!built_a) return;
  wg_demo_summary b, c;
  CHECK_EQ(build("b.db", SEED, ASKED, &b), WG_OK);
  CHECK(memcmp(&sum_a, &b, sizeof b) == 0);
  CHECK_EQ(db_hash(db_path("a.db")), db_hash(db_path("b.db")));
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(db_path("b.db"), WG_STORE_READONLY, &s, NULL), WG_OK);
  walk_t *wb = walk(s, 0, 1);
  wg_store_close(s);
  CHECK_EQ(wg_store_open(db_path("a.db"), WG_STORE_READONLY, &s, NULL), WG_OK);
  walk_t *wa = walk(s, 0, 1);
  wg_store_close(s);
  CHECK(wa->hash == wb->hash);
  free(wa);
  free(wb);

  CHECK_EQ(build("c.db", SEED + 1, ASKED, &c), WG_OK);
  CHECK(db_hash(db_path("a.db")) != db_hash(db_path("c.db")));
  CHECK(memcmp(&sum_a, &c, sizeof c) != 0);
}

TEST(small_and_refusals) {
  wg_demo_summary s1;
  CHECK_EQ(build("small.db", 3, WG_DEMO_MIN_RESIDENTS, &s1), WG_OK);
  CHECK(labs(s1.residents - WG_DEMO_MIN_RESIDENTS) <= WG_DEMO_MIN_RESIDENTS / 20);
  sqlite3 *db;
  CHECK_EQ(sqlite3_open_v2(db_path("small.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM estate e JOIN division d ON d.code = e.community"
                        " WHERE d.name = '滨河社区'"),
           6);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM estate WHERE name = '易居苑'"), 1);
  CHECK_EQ(sql_long(db, "SELECT count(*) FROM division WHERE name = '人民路社区'"), 1);
  sqlite3_close(db);

  /* out of range */
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(db_path("bad.db"), WG_STORE_CREATE, &s, NULL), WG_OK);
  wg_demo_opts o;
  wg_demo_opts_init(&o);
  o.today = TODAY;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  o.residents = WG_DEMO_MIN_RESIDENTS - 1;
  CHECK_EQ(wg_demo_build(s, &o, NULL, &ei), WG_EINVAL);
  CHECK_STR(ei.field, "residents");
  o.residents = WG_DEMO_MAX_RESIDENTS + 1;
  CHECK_EQ(wg_demo_build(s, &o, NULL, NULL), WG_EINVAL);
  o.residents = 0;
  o.today = 20261331;
  CHECK_EQ(wg_demo_build(s, &o, NULL, NULL), WG_EINVAL);
  wg_store_close(s);
  /* a database that already holds the county's residents */
  CHECK_EQ(wg_store_open(db_path("small.db"), 0, &s, NULL), WG_OK);
  o.today = TODAY;
  o.residents = WG_DEMO_MIN_RESIDENTS;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_demo_build(s, &o, NULL, &ei), WG_ECONFLICT);
  CHECK(strstr(ei.why, "fresh") != NULL);
  wg_store_close(s);
}

int main(void) {
  dir = test_tmpdir();
  RUN(builds);
  if (built_a) {
    RUN(real_divisions);
    RUN(places);
    RUN(people);
    RUN(history);
    RUN(deterministic);
  }
  RUN(small_and_refusals);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
