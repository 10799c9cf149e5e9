/* demo_places.c — where the demo county's people live: the county seat's
 * street grid on both banks of the 岚河, estates of 1–30-storey buildings
 * with entrances and dwellings, low-rise old quarters, villages as clusters
 * of courtyard houses, and the industrial park's workers' flats.
 *
 * Geometry is planned in metres east (x) and north (y) of the seat
 * (WGS84 38.28°N 111.67°E, FACTS.md) and converted to WGS84 degrees with a
 * local equirectangular projection, good to a few metres over a county.
 *
 * Seat layout: the river's centre line meanders gently around x = 0; each
 * bank has a grid of square blocks (170 m, 30 m streets) starting 110 m
 * from the line, so no building stands in the river or on its embankment
 * road. Every community fills whole rows of blocks on one bank, north to
 * south, so communities never straddle the river: the river stays a clean
 * barrier for grids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define M_PER_DEG_LAT 111000.0
#define BLOCK 170.0      /* block side (m) */
#define PITCH 200.0      /* block + street */
#define RIVER_CLEAR 110.0 /* river centre line to the first block */
#define ESTATE_SLOTS_X 3 /* residential buildings per block: 3 × 4 */
#define ESTATE_SLOTS_Y 4
#define OLD_SLOTS 6      /* low-rise houses per block: 6 × 6 */

void wg__demo_to_lonlat(double x, double y, double *lon, double *lat) {
  double lat0 = WG__DEMO_SEAT_LAT * 3.14159265358979323846 / 180.0;
  *lat = WG__DEMO_SEAT_LAT + y / M_PER_DEG_LAT;
  *lon = WG__DEMO_SEAT_LON + x / (M_PER_DEG_LAT * cos(lat0));
}

double wg__demo_river_x(double y) {
  /* ±40 m meander with a ~5 km wavelength, drifting a little west to the
   * south over the county (invented; the real channel is not surveyed here). */
  return 40.0 * sin(y / 800.0 + 0.5) + 0.01 * y;
}

char *wg__demo_river_geojson(void) {
  size_t cap = 16384, len = 0;
  char *out = malloc(cap);
  if (!out) return NULL;
  len += (size_t)snprintf(out, cap,
                          "{\"type\":\"Feature\",\"properties\":{\"name\":\"岚河\","
                          "\"name_en\":\"Lan River\",\"width_m\":%.0f},"
                          "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[",
                          2 * WG__DEMO_RIVER_HALF_WIDTH);
  /* dense through the seat (every 100 m within 5 km), sparse elsewhere */
  int first = 1;
  for (double y = 40000; y >= -40000 - 1e-9;) {
    double lon, lat;
    wg__demo_to_lonlat(wg__demo_river_x(y), y, &lon, &lat);
    int w = snprintf(out + len, cap - len, "%s[%.6f,%.6f]", first ? "" : ",", lon, lat);
    if (w < 0 || (size_t)w >= cap - len) {
      free(out);
      return NULL;
    }
    len += (size_t)w;
    first = 0;
    y -= fabs(y) <= 5000 ? 100 : 1000;
  }
  if (cap - len < 8) {
    free(out);
    return NULL;
  }
  snprintf(out + len, cap - len, "]}}");
  return out;
}

/* ---- townships ---------------------------------------------------------- */

/* Approximate seats of the township-level units, km east/north of the
 * county seat. Placed to spread the villages over the county's ~1,500 km²
 * in roughly the right directions; not surveyed positions. */
static const struct {
  const char *code;
  double x_km, y_km, radius_km;
} townships[] = {
    {"141127100000", 0, 0, 8},      /* 东村镇 (the seat) */
    {"141127101000", -2, -10, 6},   /* 岚城镇 */
    {"141127102000", 10, 10, 7},    /* 普明镇 */
    {"141127103000", 3, 23, 7},     /* 界河口镇 */
    {"141127201000", -13, -14, 7},  /* 上明乡 */
    {"141127202000", 14, -7, 7},    /* 王狮乡 */
    {"141127203000", -15, 6, 7},    /* 梁家庄乡 */
    {"141127204000", 6, -21, 6},    /* 顺会乡 */
    {"141127206000", -19, 18, 7},   /* 社科乡 */
    {"141127400000", 5, 5, 1},      /* 岚县普明工业园区 */
};

static int township_index(const char *code12) {
  for (size_t i = 0; i < sizeof townships / sizeof *townships; i++)
    if (strncmp(code12, townships[i].code, 9) == 0) return (int)i;
  return -1;
}

int wg__demo_township_lonlat(const char *code12, double *lon, double *lat) {
  int t = township_index(code12);
  if (t < 0) return 0;
  wg__demo_to_lonlat(townships[t].x_km * 1000, townships[t].y_km * 1000, lon, lat);
  return 1;
}

/* ---- the seat ------------------------------------------------------------ */

static wg_err build_urban(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                          wg__demo_dwellings_t *dw, int dry, int *blocks);

static void unit_rng(const wg__demo_t *d, const wg__demo_unit_t *u, wg__demo_rng_t *r) {
  /* a stream per unit: one unit's layout never shifts another's */
  wg__demo_rng_seed(r, d->seed, 0x504c414345ULL ^ (uint64_t)strtoull(u->code, NULL, 10));
}

void wg__demo_seat_plan(wg__demo_t *d, const wg__demo_unit_t *units, size_t n) {
  /* A dry run of every community's layout (same random stream as the real
   * one, nothing written) tells how many blocks each bank needs. */
  wg__demo_seat_t *st = &d->seat;
  memset(st, 0, sizeof *st);
  st->cols[0] = st->cols[1] = 1;
  double blocks[2] = {0, 0};
  for (size_t i = 0; i < n; i++) {
    wg__demo_unit_t u = units[i];
    wg__demo_rng_t r;
    int b = 0;
    unit_rng(d, &u, &r);
    (void)build_urban(d, &r, &u, NULL, 1, &b);
    blocks[u.side > 0] += b;
  }
  double rows = 0;
  memset(st, 0, sizeof *st);
  for (int b = 0; b < 2; b++) {
    /* a valley town: each bank about three times as long (N–S) as wide */
    st->cols[b] = (int)fmax(2.0, round(sqrt(blocks[b] / 3.0)));
    /* each community rounds up to whole rows: about half a row each */
    rows = fmax(rows, ceil(blocks[b] / st->cols[b]) + n / 4.0);
  }
  st->y_top = round(rows / 2.0) * PITCH;
  st->xmin = st->ymin = 1e9;
  st->xmax = st->ymax = -1e9;
}

/* South-west corner of block (row, col) on a bank (side -1 west, +1 east). */
static void block_origin(const wg__demo_seat_t *st, int side, int row, int col, double *x,
                         double *y) {
  *y = st->y_top - row * PITCH - BLOCK;
  *x = side > 0 ? RIVER_CLEAR + col * PITCH : -RIVER_CLEAR - col * PITCH - BLOCK;
}

/* Estate names. 滨河社区's six are fixed (易居苑 from local reporting, the
 * rest invented); the pools are invented but typical of a Shanxi county
 * town: work-unit compounds (家属院) of the 1980s–90s and developers' names
 * since. When a pool runs out (very large demos) names repeat with 二期,
 * 三期 … so every name stays unique in the county. */
static const char *const binhe_estates[6] = {"易居苑", "滨河花园", "岚河苑",
                                             "水岸家园", "阳光小区", "河畔人家"};
static const char *const unit_estates[] = {
    "县医院家属院", "粮食局家属院", "供销社家属楼", "电力小区",   "教育小区",
    "税务小区",     "农行家属院",   "水利局家属院", "交通局家属院", "邮电小区",
    "法院家属院",   "公安小区",     "财政小区",     "建行家属院",   "林业局家属院",
    "煤运小区",     "二中家属院",   "一中家属院",   "文化局家属院", "工商小区",
};
static const char *const new_estates[] = {
    "锦绣华庭", "金地苑",   "华苑小区", "东方家园", "凤凰城",   "幸福里",   "和平小区",
    "文昌苑",   "盛世华庭", "康乐园",   "祥和家园", "丽景苑",   "碧水苑",   "怡和园",
    "鑫源小区", "福馨苑",   "泰和园",   "惠民小区", "岚城华府", "翰林苑",   "金色家园",
    "书香苑",   "龙湾小区", "紫金苑",   "御景园",   "新世纪小区", "兴岚苑", "秀水苑",
    "锦华园",   "明珠小区", "宏远小区", "瑞丰苑",   "馨园小区", "春晖苑",   "同心苑",
    "安居小区", "景秀苑",   "嘉和园",   "美苑小区", "恒泰苑",   "南山小区", "凤山苑",
};
static const char *const phase_names[] = {"", "二期", "三期", "四期", "五期", "六期",
                                          "七期", "八期", "九期", "十期"};

static void pool_name(wg__demo_seat_t *st, int work_unit, char *out, size_t cap) {
  const char *const *pool = work_unit ? unit_estates : new_estates;
  size_t n = work_unit ? sizeof unit_estates / sizeof *unit_estates
                       : sizeof new_estates / sizeof *new_estates;
  long k = st->pool_next[work_unit ? 0 : 1]++;
  size_t phase = (size_t)k / n;
  if (phase < sizeof phase_names / sizeof *phase_names)
    snprintf(out, cap, "%s%s", pool[(size_t)k % n], phase_names[phase]);
  else
    snprintf(out, cap, "%s%zu期", pool[(size_t)k % n], phase + 1);
}

/* A building's shape. */
typedef struct shape {
  int floors, entrances, per_floor;
} shape_t;

static int cap_of(const shape_t *s) { return s->floors * s->entrances * s->per_floor; }

/* Building types by estate era: 0 work-unit walk-ups, 1 2000s, 2 2010s. */
static shape_t draw_shape(wg__demo_rng_t *r, int era) {
  shape_t s;
  double u = wg__demo_rng_unit(r);
  if (era == 0 || (era == 1 && u < 0.7) || (era == 2 && u < 0.05)) {
    /* 多层 walk-up: 4–7 storeys, 2 flats per landing */
    s.floors = (int)wg__demo_rng_range(r, era == 0 ? 4 : 5, era == 0 ? 6 : 7);
    s.entrances = (int)wg__demo_rng_range(r, era == 0 ? 1 : 2, era == 0 ? 3 : 4);
    s.per_floor = 2;
  } else if ((era == 1) || u < 0.35) {
    /* 小高层 */
    s.floors = (int)wg__demo_rng_range(r, 9, 12);
    s.entrances = (int)wg__demo_rng_range(r, 1, 2);
    s.per_floor = (int)wg__demo_rng_range(r, 2, 3);
  } else if (u < 0.85) {
    /* 高层 */
    s.floors = (int)wg__demo_rng_range(r, 15, 18);
    s.entrances = (int)wg__demo_rng_range(r, 1, 2);
    s.per_floor = (int)wg__demo_rng_range(r, 2, 4);
  } else {
    /* towers of the newest estates */
    s.floors = (int)wg__demo_rng_range(r, 24, 30);
    s.entrances = 1;
    s.per_floor = 4;
  }
  return s;
}

/* Trims the last building of an estate so it does not dwarf what is left
 * to build: fewer entrances, then fewer flats a landing, then fewer
 * storeys but not below min_floors (an estate's last slab stays a slab;
 * a few more vacant flats are fine). Keeps cap ≥ need where it can. */
static void trim_shape(shape_t *s, long need, int min_floors) {
  if (need < 1) need = 1;
  while (s->entrances > 1 && (long)s->floors * (s->entrances - 1) * s->per_floor >= need)
    s->entrances--;
  while (s->per_floor > 2 && (long)s->floors * s->entrances * (s->per_floor - 1) >= need)
    s->per_floor--;
  while (s->floors > min_floors && (long)(s->floors - 1) * s->entrances * s->per_floor >= need)
    s->floors--;
}

static wg_err push_dwelling(wg__demo_dwellings_t *dw, int64_t id) {
  if (dw->n == dw->cap) {
    size_t cap = dw->cap ? dw->cap * 2 : 1024;
    int64_t *grown = realloc(dw->id, cap * sizeof *grown);
    if (!grown) return WG_ENOMEM;
    dw->id = grown;
    dw->cap = cap;
  }
  dw->id[dw->n++] = id;
  return WG_OK;
}

/* Writes one building with its entrances and dwellings. Entrance names
 * "1单元"… when named is set, else the building's only entrance "". Rooms
 * are floor * 100 + number ("501", "1203"); a one-dwelling house has room
 * "". */
static wg_err put_building(wg__demo_t *d, int64_t estate, const char *community,
                           const char *name, const shape_t *s, int named_entrances,
                           double x, double y, wg__demo_dwellings_t *dw) {
  wg_building_t b;
  memset(&b, 0, sizeof b);
  b.estate_id = estate;
  snprintf(b.community, sizeof b.community, "%s", community);
  snprintf(b.name, sizeof b.name, "%s", name);
  b.floors = s->floors;
  wg__demo_to_lonlat(x, y, &b.lon, &b.lat);
  wg_err e = wg_store_building_ensure(d->s, &b);
  if (e != WG_OK) return wg__demo_fail(d, e, "writing a building");
  d->buildings++;
  for (int en = 1; en <= s->entrances; en++) {
    char ename[32] = "";
    if (named_entrances) snprintf(ename, sizeof ename, "%d单元", en);
    int64_t entrance;
    e = wg_store_entrance_ensure(d->s, b.id, ename, &entrance);
    if (e != WG_OK) return wg__demo_fail(d, e, "writing an entrance");
    d->entrances++;
    for (int f = 1; f <= s->floors; f++)
      for (int k = 1; k <= s->per_floor; k++) {
        char room[32] = "";
        if (cap_of(s) > 1) snprintf(room, sizeof room, "%d%02d", f, k);
        int64_t id;
        e = wg_store_dwelling_ensure(d->s, entrance, f, room, &id);
        if (e != WG_OK) return wg__demo_fail(d, e, "writing a dwelling");
        d->dwellings++;
        if ((e = push_dwelling(dw, id)) != WG_OK) return e;
      }
  }
  return WG_OK;
}

static wg_err put_estate(wg__demo_t *d, const char *community, const char *name, int64_t *id) {
  wg_err e = wg_store_estate_ensure(d->s, community, name, id);
  if (e != WG_OK) return wg__demo_fail(d, e, "writing an estate");
  d->estates++;
  return WG_OK;
}

static void extend(wg__demo_seat_t *st, double x, double y) {
  if (x < st->xmin) st->xmin = x;
  if (x > st->xmax) st->xmax = x;
  if (y < st->ymin) st->ymin = y;
  if (y > st->ymax) st->ymax = y;
}

/* Block cursor of one community: blocks in serpentine order over its rows. */
typedef struct cursor {
  const wg__demo_unit_t *u;
  int block;   /* next block index within the community */
  int slot;    /* next slot within the current block (0 = block unused) */
} cursor_t;

static void cursor_block(const wg__demo_t *d, const cursor_t *c, int block, double *x,
                         double *y) {
  int cols = d->seat.cols[c->u->side > 0];
  int row = c->u->row0 + block / cols, col = block % cols;
  if (row % 2) col = cols - 1 - col;
  block_origin(&d->seat, c->u->side, row, col, x, y);
}

/* Position of the next building slot; slots per block depend on the kind
 * (estate slabs or old-quarter houses). Starts a new block when the
 * current one is full. */
static void next_slot(wg__demo_t *d, wg__demo_rng_t *r, cursor_t *c, int old_quarter,
                      double *x, double *y) {
  int nx = old_quarter ? OLD_SLOTS : ESTATE_SLOTS_X, ny = old_quarter ? OLD_SLOTS : ESTATE_SLOTS_Y;
  if (c->slot >= nx * ny) {
    c->block++;
    c->slot = 0;
  }
  double bx, by;
  cursor_block(d, c, c->block, &bx, &by);
  int i = c->slot % nx, j = c->slot / nx;
  c->slot++;
  double sx = BLOCK / nx, sy = BLOCK / ny;
  /* rows from the north edge: buildings face south, front rows first */
  *x = bx + sx * (i + 0.5) + (wg__demo_rng_unit(r) - 0.5) * 4;
  *y = by + BLOCK - sy * (j + 0.5) + (wg__demo_rng_unit(r) - 0.5) * 4;
  extend(&d->seat, *x, *y);
}

/* Starts the next estate on a fresh block (estates never share a block). */
static void fresh_block(cursor_t *c) {
  if (c->slot > 0) {
    c->block++;
    c->slot = 0;
  }
}

/* Lays out and (unless dry) writes an urban community. A dry run draws
 * exactly what the real one draws and only counts blocks (*blocks). */
static wg_err build_urban(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                          wg__demo_dwellings_t *dw, int dry, int *blocks) {
  double occupancy = 0.86 + 0.05 * wg__demo_rng_unit(r);
  long need = (long)ceil((double)u->households / occupancy);
  if (need < u->households + 1) need = u->households + 1;
  double old_share = u->old_town ? 0.22 + 0.08 * wg__demo_rng_unit(r) : 0.0;
  long need_old = u->old_town ? (long)llround(need * old_share) : 0;
  if (u->old_town && need_old < 2) need_old = 2;
  long need_estates = need - need_old;
  if (need_estates < 1) need_estates = 1;

  int nest = u->is_binhe ? 6 : (int)fmax(2.0, round((double)need_estates * occupancy / 550.0));
  /* Rows: reserve what this community needs on its bank. */
  u->row0 = d->seat.next_row[u->side > 0];
  cursor_t c = {.u = u, .block = 0, .slot = 0};

  /* Estate sizes: random weights, so some are big and some small. */
  double *w = malloc((size_t)nest * sizeof *w);
  if (!w) return WG_ENOMEM;
  double wsum = 0;
  for (int i = 0; i < nest; i++) wsum += (w[i] = 0.55 + wg__demo_rng_unit(r) * 0.9);

  wg_err e = WG_OK;
  long built = 0;
  for (int i = 0; i < nest && e == WG_OK; i++) {
    long target = (long)llround(need_estates * w[i] / wsum);
    if (i == nest - 1) target = need_estates - built;
    if (target < 1) target = 1;
    int era;
    double v = wg__demo_rng_unit(r);
    if (u->old_town)
      era = v < 0.40 ? 0 : v < 0.85 ? 1 : 2;
    else
      era = v < 0.10 ? 0 : v < 0.50 ? 1 : 2;
    char name[96];
    if (u->is_binhe) {
      snprintf(name, sizeof name, "%s", binhe_estates[i]);
      if (i == 0) era = 2; /* 易居苑: high-rises of the 2010s */
    } else {
      pool_name(&d->seat, era == 0, name, sizeof name);
    }
    int64_t estate = 0;
    if (!dry && (e = put_estate(d, u->code, name, &estate)) != WG_OK) break;
    fresh_block(&c);
    long have = 0;
    for (int k = 1; have < target && e == WG_OK; k++) {
      shape_t s = draw_shape(r, era);
      if (cap_of(&s) > target - have) trim_shape(&s, target - have, s.floors < 4 ? s.floors : 4);
      char bname[32];
      snprintf(bname, sizeof bname, "%d号楼", k);
      double x, y;
      next_slot(d, r, &c, 0, &x, &y);
      if (!dry) e = put_building(d, estate, u->code, bname, &s, 1, x, y, dw);
      have += cap_of(&s);
    }
    built += have;
  }
  free(w);

  if (e == WG_OK && need_old > 0) {
    /* The old quarter: lanes of one- to three-storey houses, one entrance,
     * two to four flats a floor. Named after the community. */
    char name[96];
    size_t len = strlen(u->name);
    const char *suffix = "社区";
    size_t sl = strlen(suffix);
    int stem = len > sl && strcmp(u->name + len - sl, suffix) == 0 ? (int)(len - sl) : (int)len;
    snprintf(name, sizeof name, "%.*s平房区", stem, u->name);
    int64_t estate = 0;
    if (dry || (e = put_estate(d, u->code, name, &estate)) == WG_OK) {
      fresh_block(&c);
      long have = 0;
      for (int k = 1; have < need_old && e == WG_OK; k++) {
        static const double fw[] = {0.5, 0.35, 0.15};
        shape_t s = {.floors = 1 + (int)wg__demo_rng_pick(r, fw, 3), .entrances = 1,
                     .per_floor = (int)wg__demo_rng_range(r, 2, 4)};
        if (cap_of(&s) > need_old - have) trim_shape(&s, need_old - have, 1);
        char bname[32];
        snprintf(bname, sizeof bname, "%d号", k);
        double x, y;
        next_slot(d, r, &c, 1, &x, &y);
        if (!dry) e = put_building(d, estate, u->code, bname, &s, 0, x, y, dw);
        have += cap_of(&s);
      }
    }
  }
  if (e != WG_OK) return e;

  int cols = d->seat.cols[u->side > 0];
  int used = c.block + (c.slot > 0 ? 1 : 0);
  if (blocks) *blocks = used;
  if (dry) return WG_OK;
  u->rows = (used + cols - 1) / cols;
  if (u->rows < 1) u->rows = 1;
  u->cols = cols;
  d->seat.next_row[u->side > 0] += u->rows;
  /* centre: middle of its rows, half-way across its bank */
  double x0, y0, x1, y1;
  block_origin(&d->seat, u->side, u->row0, 0, &x0, &y0);
  block_origin(&d->seat, u->side, u->row0 + u->rows - 1, cols - 1, &x1, &y1);
  u->x0 = (x0 + x1 + BLOCK) / 2;
  u->y0 = (y0 + y1 + BLOCK) / 2;
  wg__demo_to_lonlat(u->x0, u->y0, &u->lon, &u->lat);
  return WG_OK;
}

/* ---- villages -------------------------------------------------------------- */

/* Stem of a village committee's name: 天湾村委会 → 天湾村, 东村村委会 → 东村. */
static void village_stem(const char *name, char *out, size_t cap) {
  static const char *const suffixes[] = {"村民委员会", "村委会", "居委会", "社区"};
  size_t len = strlen(name);
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    size_t sl = strlen(suffixes[i]);
    if (len > sl && strcmp(name + len - sl, suffixes[i]) == 0) {
      len -= sl;
      break;
    }
  }
  const char *cun = "村";
  size_t cl = strlen(cun);
  int ends_cun = len >= cl && strncmp(name + len - cl, cun, cl) == 0;
  snprintf(out, cap, "%.*s%s", (int)len, name, ends_cun ? "" : cun);
}

wg_err wg__demo_villages_plan(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *units,
                              size_t n) {
  /* The built-up area with a margin: villages keep out of it. */
  double margin = 1200;
  double bx0 = -RIVER_CLEAR - (d->seat.cols[0] + 1) * PITCH - margin,
         bx1 = RIVER_CLEAR + (d->seat.cols[1] + 1) * PITCH + margin;
  double by1 = d->seat.y_top + margin, by0 = -d->seat.y_top - 2 * PITCH - margin;
  for (size_t i = 0; i < n; i++) {
    wg__demo_unit_t *u = &units[i];
    if (u->set == WG__SET_URBAN) continue;
    int t = township_index(u->code);
    double cx = t >= 0 ? townships[t].x_km * 1000 : 0, cy = t >= 0 ? townships[t].y_km * 1000 : 0;
    double rad = t >= 0 ? townships[t].radius_km * 1000 : 8000;
    double x = cx, y = cy;
    for (int attempt = 0; attempt < 200; attempt++) {
      double a = wg__demo_rng_unit(r) * 6.283185307179586;
      double rr = (u->set == WG__SET_PARK ? 0 : 600) + sqrt(wg__demo_rng_unit(r)) * rad;
      x = cx + rr * cos(a);
      y = cy + rr * sin(a);
      if (hypot(x, y) > 34000) continue;
      if (x > bx0 && x < bx1 && y > by0 && y < by1) continue;
      int close = 0;
      for (size_t k = 0; k < i && !close; k++)
        if (units[k].set != WG__SET_URBAN && hypot(units[k].x0 - x, units[k].y0 - y) < 900)
          close = 1;
      if (!close) break;
    }
    u->x0 = x;
    u->y0 = y;
    wg__demo_to_lonlat(x, y, &u->lon, &u->lat);
  }
  return WG_OK;
}

/* Keeps a house off the river: pushes it out of the channel and its banks. */
static double off_river(double x, double y) {
  double rx = wg__demo_river_x(y), keep = WG__DEMO_RIVER_HALF_WIDTH + 25;
  if (fabs(x - rx) < keep) x = x < rx ? rx - keep - 5 : rx + keep + 5;
  return x;
}

/* A cluster of courtyard houses on a sunflower spiral around (cx, cy):
 * even spacing (~16 m between neighbours' centres) without a grid look. */
static wg_err build_cluster(wg__demo_t *d, wg__demo_rng_t *r, const wg__demo_unit_t *u,
                            const char *estate_name, long houses, double cx, double cy,
                            wg__demo_dwellings_t *dw) {
  int64_t estate;
  wg_err e = put_estate(d, u->code, estate_name, &estate);
  for (long k = 0; k < houses && e == WG_OK; k++) {
    double rr = 17.0 * sqrt((double)k + 0.5), a = (double)k * 2.399963229728653;
    double x = cx + rr * cos(a) + (wg__demo_rng_unit(r) - 0.5) * 6;
    double y = cy + rr * sin(a) + (wg__demo_rng_unit(r) - 0.5) * 6;
    x = off_river(x, y);
    shape_t s = {.floors = wg__demo_rng_chance(r, 0.22) ? 2 : 1, .entrances = 1, .per_floor = 1};
    /* one dwelling per courtyard house, whatever its storeys */
    char bname[32];
    snprintf(bname, sizeof bname, "%ld号", k + 1);
    wg_building_t b;
    memset(&b, 0, sizeof b);
    b.estate_id = estate;
    snprintf(b.community, sizeof b.community, "%s", u->code);
    snprintf(b.name, sizeof b.name, "%s", bname);
    b.floors = s.floors;
    wg__demo_to_lonlat(x, y, &b.lon, &b.lat);
    if ((e = wg_store_building_ensure(d->s, &b)) != WG_OK)
      return wg__demo_fail(d, e, "writing a house");
    d->buildings++;
    int64_t entrance, id;
    if ((e = wg_store_entrance_ensure(d->s, b.id, "", &entrance)) != WG_OK)
      return wg__demo_fail(d, e, "writing an entrance");
    d->entrances++;
    if ((e = wg_store_dwelling_ensure(d->s, entrance, 1, "", &id)) != WG_OK)
      return wg__demo_fail(d, e, "writing a dwelling");
    d->dwellings++;
    e = push_dwelling(dw, id);
  }
  return e;
}

static wg_err build_village(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                            wg__demo_dwellings_t *dw) {
  double occupancy = 0.85 + 0.07 * wg__demo_rng_unit(r);
  long houses = (long)ceil((double)u->households / occupancy);
  if (houses < u->households + 1) houses = u->households + 1;
  char stem[96];
  village_stem(u->name, stem, sizeof stem);
  if (houses <= 420) return build_cluster(d, r, u, stem, houses, u->x0, u->y0, dw);
  /* Large villages: the old village and a newer settlement (新村, often
   * built for relocation) a kilometre away. */
  long second = houses * 3 / 10;
  wg_err e = build_cluster(d, r, u, stem, houses - second, u->x0, u->y0, dw);
  if (e != WG_OK) return e;
  double a = wg__demo_rng_unit(r) * 6.283185307179586;
  char name[128];
  size_t sl = strlen(stem);
  /* 天湾村 → 天湾新村, but 东村 → 东村新村 (a one-character stem keeps 村) */
  int cun = sl > 6 && strcmp(stem + sl - 3, "村") == 0;
  snprintf(name, sizeof name, "%.*s新村", (int)(cun ? sl - 3 : sl), stem);
  return build_cluster(d, r, u, name, second, u->x0 + 1000 * cos(a), u->y0 + 1000 * sin(a), dw);
}

/* The industrial park's virtual community: workers' flats (职工公寓) of
 * five or six storeys next to the plants. */
static wg_err build_park(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                         wg__demo_dwellings_t *dw) {
  long need = (long)ceil((double)u->households / 0.88);
  if (need < u->households + 1) need = u->households + 1;
  int64_t estate;
  wg_err e = put_estate(d, u->code, "园区职工公寓", &estate);
  long have = 0;
  for (int k = 1; have < need && e == WG_OK; k++) {
    shape_t s = {.floors = (int)wg__demo_rng_range(r, 5, 6), .entrances = 2, .per_floor = 4};
    if (cap_of(&s) > need - have) trim_shape(&s, need - have, 2);
    char bname[32];
    snprintf(bname, sizeof bname, "%d号楼", k);
    double x = u->x0 + ((k - 1) % 4) * 70.0, y = u->y0 - ((k - 1) / 4) * 50.0;
    e = put_building(d, estate, u->code, bname, &s, 1, x, y, dw);
    have += cap_of(&s);
  }
  return e;
}

wg_err wg__demo_places_build(wg__demo_t *d, wg__demo_unit_t *u, wg__demo_dwellings_t *dw) {
  wg__demo_rng_t r;
  unit_rng(d, u, &r);
  switch (u->set) {
    case WG__SET_URBAN: return build_urban(d, &r, u, dw, 0, NULL);
    case WG__SET_PARK: return build_park(d, &r, u, dw);
    case WG__SET_RURAL:
    default: return build_village(d, &r, u, dw);
  }
}
