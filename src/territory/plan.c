/* plan.c — the ledger divided into grids: units from the store, the divide
 * core, codes, polygons, and the plan written back in one transaction. */
#include "territory/plan.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "territory/barriers.h"
#include "territory/geometry.h"
#include "util/strmap.h"

void wg_plan_opts_init(wg_plan_opts *o) {
  memset(o, 0, sizeof *o);
  o->nlevels = 3;
  o->bounds[0] = (wg_divide_bounds_t){300, 500};
  o->bounds[1] = (wg_divide_bounds_t){50, 100};
  o->bounds[2] = (wg_divide_bounds_t){10, 20};
  o->rural_whole_l1 = 1;
  o->margin = 30;
}

wg_err wg_plan_parse_bounds(const char *text, wg_plan_opts *o, wg_errinfo *ei) {
  int n = 0;
  const char *p = text;
  while (*p) {
    if (n == 3) return wg_errinfo_set(ei, WG_EINVAL, "at most three levels of bounds");
    char *end;
    long lo = strtol(p, &end, 10);
    if (end == p || *end != '-')
      return wg_errinfo_set(ei, WG_EINVAL, "bounds are LO-HI per level, e.g. 300-500,50-100,10-20");
    p = end + 1;
    long hi = strtol(p, &end, 10);
    if (end == p || (*end && *end != ','))
      return wg_errinfo_set(ei, WG_EINVAL, "bounds are LO-HI per level, e.g. 300-500,50-100,10-20");
    if (lo < 0 || hi < 1 || lo > hi)
      return wg_errinfo_set(ei, WG_EINVAL, "level %d: need 0 <= LO <= HI and HI >= 1 (got %ld-%ld)",
                            n + 1, lo, hi);
    o->bounds[n++] = (wg_divide_bounds_t){lo, hi};
    p = *end ? end + 1 : end;
  }
  if (n == 0) return wg_errinfo_set(ei, WG_EINVAL, "no bounds given");
  o->nlevels = n;
  return WG_OK;
}

void wg_plan_report_free(wg_plan_report *r) {
  if (!r) return;
  wg_divide_result_free(&r->result);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Everything one division run holds; freed by work_free. */
typedef struct work {
  int n, cap;
  int64_t *entrance;       /* [n] entrance ids */
  long *households;        /* [n] */
  double *x, *y;           /* [n] lon/lat, entrances spread along their building */
  int *group;              /* [n] community index */
  int ngroups, gcap;
  char (*community)[13];   /* [ngroups] codes */
  wg_divide_group_rule_t *rules;
  wg_strmap groups;        /* code → index */
  int missing_position;    /* entrances whose building has no position */
  wg_barriers barriers;
  int *prev;               /* [nlevels*n] or NULL */
  wg_divide_piece_t *prev_pieces;
  int nprev_pieces, prev_pieces_cap;
  wg_divide_used_t *used;
  int nused, used_cap;
  wg_u64map unit_of;       /* entrance id → unit index + 1 */
  int nlevels;
  wg_err err;
} work;

static void work_free(work *w) {
  free(w->entrance);
  free(w->households);
  free(w->x);
  free(w->y);
  free(w->group);
  free(w->community);
  free(w->rules);
  wg_strmap_free(&w->groups);
  wg_barriers_free(&w->barriers);
  free(w->prev);
  free(w->prev_pieces);
  free(w->used);
  wg_u64map_free(&w->unit_of);
}

/* Grows an array to hold at least need elements (doubling). */
static int grow(void **p, int *cap, int need, size_t size) {
  if (need <= *cap) return 1;
  int c = *cap ? *cap * 2 : 1024;
  while (c < need) c *= 2;
  void *q = realloc(*p, (size_t)c * size);
  if (!q) return 0;
  *p = q;
  *cap = c;
  return 1;
}

static int add_unit(void *ctx, const wg_unit_row *u) {
  work *w = ctx;
  if (w->n == w->cap) {
    /* The five unit arrays grow together. */
    int cap = w->cap ? w->cap * 2 : 1024;
    void *a = realloc(w->entrance, (size_t)cap * sizeof *w->entrance);
    if (a) w->entrance = a;
    void *b = realloc(w->households, (size_t)cap * sizeof *w->households);
    if (b) w->households = b;
    void *c = realloc(w->x, (size_t)cap * sizeof *w->x);
    if (c) w->x = c;
    void *d = realloc(w->y, (size_t)cap * sizeof *w->y);
    if (d) w->y = d;
    void *f = realloc(w->group, (size_t)cap * sizeof *w->group);
    if (f) w->group = f;
    if (!a || !b || !c || !d || !f) {
      w->err = WG_ENOMEM;
      return 1;
    }
    w->cap = cap;
  }
  int64_t g;
  if (!wg_strmap_get(&w->groups, u->community, 12, &g)) {
    if (!grow((void **)&w->community, &w->gcap, w->ngroups + 1, sizeof *w->community) ||
        wg_strmap_put(&w->groups, u->community, 12, w->ngroups) != WG_OK) {
      w->err = WG_ENOMEM;
      return 1;
    }
    memcpy(w->community[w->ngroups], u->community, 13);
    g = w->ngroups++;
  }
  if (u->lon == 0 && u->lat == 0) w->missing_position++;
  /* Entrances of one building stand side by side, about 8 m apart west to
   * east, so each has its own place (and its own Voronoi cell). */
  double offset_m = (u->entrance_no - (u->entrances - 1) / 2.0) * 8.0;
  double coslat = cos(u->lat * 3.14159265358979323846 / 180.0);
  w->entrance[w->n] = u->entrance_id;
  w->households[w->n] = u->households;
  w->x[w->n] = u->lon + offset_m / (111320.0 * (coslat > 0.1 ? coslat : 0.1));
  w->y[w->n] = u->lat;
  w->group[w->n] = (int)g;
  if (wg_u64map_put(&w->unit_of, (uint64_t)u->entrance_id, w->n + 1) != WG_OK) {
    w->err = WG_ENOMEM;
    return 1;
  }
  w->n++;
  return 0;
}

/* Numbers of a code's levels: "141127100001" + "01" + "03" → {1, 3}. */
static int code_numbers(const char *code, int out[3]) {
  size_t len = strlen(code);
  if (len < 12 || (len - 12) % 2 != 0 || len > 18) return 0;
  int levels = (int)(len - 12) / 2;
  for (int l = 0; l < levels; l++)
    out[l] = (code[12 + 2 * l] - '0') * 10 + (code[13 + 2 * l] - '0');
  return levels;
}

static int add_prev(void *ctx, const wg_assignment_t *a) {
  work *w = ctx;
  int64_t u1;
  if (!wg_u64map_get(&w->unit_of, (uint64_t)a->entrance_id, &u1)) return 0; /* gone */
  int u = (int)u1 - 1;
  int nums[3] = {0, 0, 0};
  for (int l = 0; l < w->nlevels; l++) {
    int tmp[3];
    int lv = code_numbers(a->code[l], tmp);
    if (lv == l + 1) nums[l] = tmp[l];
  }
  if (a->piece == 0) {
    for (int l = 0; l < w->nlevels; l++) w->prev[l * w->n + u] = nums[l];
  } else {
    if (!grow((void **)&w->prev_pieces, &w->prev_pieces_cap, w->nprev_pieces + 1,
              sizeof *w->prev_pieces)) {
      w->err = WG_ENOMEM;
      return 1;
    }
    wg_divide_piece_t *p = &w->prev_pieces[w->nprev_pieces++];
    memset(p, 0, sizeof *p);
    p->unit = u;
    p->households = a->households;
    for (int l = 0; l < w->nlevels; l++) p->grid[l] = nums[l];
    /* The whole unit's upper levels are those of its pieces. */
    for (int l = 0; l + 1 < w->nlevels; l++) w->prev[l * w->n + u] = nums[l];
  }
  return 0;
}

static int add_used(void *ctx, const char *parent, int max_number) {
  work *w = ctx;
  int64_t g;
  if (!wg_strmap_get(&w->groups, parent, 12, &g)) return 0;
  int nums[3];
  int levels = code_numbers(parent, nums);
  if (levels >= w->nlevels) return 0;
  if (!grow((void **)&w->used, &w->used_cap, w->nused + 1, sizeof *w->used)) {
    w->err = WG_ENOMEM;
    return 1;
  }
  wg_divide_used_t *u = &w->used[w->nused++];
  memset(u, 0, sizeof *u);
  u->group = (int)g;
  u->level = levels + 1;
  for (int l = 0; l < levels; l++) u->path[l] = nums[l];
  u->max_number = max_number;
  return 0;
}

/* The code of grid g: its parent's code (the community's at level 1) and
 * two digits of its number. */
static wg_err grid_code(const wg_divide_result_t *r, const work *w, int g, char out[19],
                        wg_errinfo *ei) {
  const wg_divide_grid_t *gr = &r->grids[g];
  if (gr->number < 1 || gr->number > 99)
    return wg_errinfo_set(ei, WG_ETOOBIG,
                          "grid number %d under one parent does not fit two digits (codes "
                          "allow 99 grids per parent, retired numbers included)",
                          gr->number);
  char parent[19];
  if (gr->parent < 0) {
    memcpy(parent, w->community[gr->group], 13);
  } else {
    wg_err e = grid_code(r, w, gr->parent, parent, ei);
    if (e) return e;
  }
  size_t n = strlen(parent);
  if (n + 2 >= 19) return wg_errinfo_set(ei, WG_ETOOBIG, "grid code too long");
  memcpy(out, parent, n);
  out[n] = (char)('0' + gr->number / 10);
  out[n + 1] = (char)('0' + gr->number % 10);
  out[n + 2] = '\0';
  return WG_OK;
}

/* Label of unit u at level l (index among the level's grids), taking a
 * split unit's first piece. */
static int unit_label(const wg_divide_result_t *r, int l, int u, const int *first_of_level) {
  int g = r->unit_grid[l * r->n + u];
  if (g == WG_DIVIDE_SPLIT) {
    for (int p = 0; p < r->npieces; p++)
      if (r->pieces[p].unit == u) {
        g = r->pieces[p].grid[l];
        break;
      }
  }
  return g < 0 ? -1 : g - first_of_level[l];
}

static void summary_json(const wg_divide_result_t *r, int nlevels, int villages_whole, char *out,
                         size_t cap) {
  json_t *o = json_object();
  json_object_set_new(o, "villages", json_string(villages_whole ? "whole" : "bounds"));
  json_t *levels = json_array();
  for (int l = 0; l < nlevels; l++) {
    const wg_divide_level_stats_t *st = &r->stats[l];
    json_array_append_new(
        levels, json_pack("{s:i,s:i,s:I,s:I,s:I,s:i,s:i,s:i,s:i,s:f,s:f}", "level", l + 1,
                          "grids", st->grids, "min", (json_int_t)st->min, "median",
                          (json_int_t)st->median, "max", (json_int_t)st->max, "out_of_bounds",
                          st->out_of_bounds, "out_of_bounds_forced", st->out_of_bounds_forced,
                          "noncontiguous", st->noncontiguous, "nesting_errors",
                          st->nesting_errors, "mean_compactness", st->mean_compactness,
                          "within_target", st->within_target));
  }
  json_object_set_new(o, "levels", levels);
  json_object_set_new(o, "households", json_integer(r->households));
  json_object_set_new(o, "avoidable", json_integer(r->avoidable));
  json_object_set_new(o, "forced", json_integer(r->forced));
  json_object_set_new(o, "changed_share", json_real(r->changed_share));
  char *text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
  snprintf(out, cap, "%s", text ? text : "{}");
  free(text);
  json_decref(o);
}

/* Loads the units of county (or one community) with their groups, the
 * groups' rules and the barriers into w. */
static wg_err prepare(wg_store_t *s, const char *county, const char *community,
                      int rural_whole_l1, work *w, wg_errinfo *ei) {
  wg_err e = wg_store_unit_each(s, county, community, add_unit, w);
  if (e && e != WG_ENOMEM) return wg_errinfo_set(ei, e, "reading the units: %s", wg_store_errmsg(s));
  if (!e) e = w->err;
  if (e) return e;
  if (w->n == 0) {
    e = wg_errinfo_set(ei, WG_ENOTFOUND, "no entrances to divide in %s (import buildings or "
                                         "residents first)",
                       community ? community : county);
    return e;
  }
  if (w->missing_position) {
    e = wg_errinfo_set(ei, WG_EINVAL,
                       "%d entrances are in buildings without a position; give the buildings "
                       "coordinates (经度/纬度) first",
                       w->missing_position);
    return e;
  }
  /* Rules per group: villages one level-1 grid, unless told otherwise. */
  w->rules = calloc((size_t)w->ngroups, sizeof *w->rules);
  if (!w->rules) {
    e = WG_ENOMEM;
    return e;
  }
  for (int g = 0; g < w->ngroups; g++) {
    wg_division_t d;
    if (wg_store_division_get(s, w->community[g], &d) == WG_OK && d.kind == WG_AREA_RURAL)
      w->rules[g].whole_l1 = rural_whole_l1;
  }
  /* Barriers: the demo's river, and any the county stored. */
  static const char *const barrier_keys[] = {"demo.river", "barriers"};
  for (int k = 0; k < 2 && !e; k++) {
    char *text = NULL;
    /* An empty value is a setting put back to its default. */
    if (wg_store_meta_get(s, barrier_keys[k], &text) == WG_OK && text[0] &&
        (e = wg_barriers_parse(&w->barriers, text, ei)) != WG_OK)
      snprintf(ei->field, sizeof ei->field, "setting %s", barrier_keys[k]);
    free(text);
  }
  if (e) return e;

  return WG_OK;
}

/* Dwellings of an entrance, collected. */
typedef struct dwelling_list {
  wg_dwelling_load_t *items;
  int n, cap;
  int failed;
} dwelling_list;

static int add_dwelling(void *ctx, const wg_dwelling_load_t *d) {
  dwelling_list *l = ctx;
  if (!grow((void **)&l->items, &l->cap, l->n + 1, sizeof *l->items)) {
    l->failed = 1;
    return 1;
  }
  l->items[l->n++] = *d;
  return 0;
}

/* A split unit's pieces: one assignment row each, and its dwellings cut by
 * floor into runs that follow the pieces' sizes (wg_divide_fill_pieces), so
 * each piece's worker has whole floors (or runs of rooms). An entrance
 * without dwellings in the ledger (declared households only) gets the
 * rows without dwellings. */
static wg_err store_pieces(wg_store_t *s, int64_t plan_id, const wg_divide_result_t *r, int u,
                           int64_t entrance_id, int nlevels, long hi, char (*codes)[19],
                           wg_errinfo *ei) {
  int first = -1, np = 0;
  for (int k = 0; k < r->npieces; k++)
    if (r->pieces[k].unit == u) {
      if (first < 0) first = k;
      np++;
    }
  if (np == 0) return WG_OK;
  dwelling_list dl = {0};
  long *target = calloc((size_t)np, sizeof *target), *sums = calloc((size_t)np, sizeof *sums);
  long *weight = NULL;
  int *piece_of = NULL;
  wg_err e = target && sums ? WG_OK : WG_ENOMEM;
  if (!e) e = wg_store_entrance_dwellings(s, entrance_id, add_dwelling, &dl);
  if (!e && dl.failed) e = WG_ENOMEM;
  long occupied = 0;
  for (int i = 0; i < dl.n; i++) occupied += dl.items[i].households;
  int use_dwellings = !e && occupied > 0;
  if (use_dwellings) {
    weight = malloc((size_t)dl.n * sizeof *weight);
    piece_of = malloc((size_t)dl.n * sizeof *piece_of);
    if (!weight || !piece_of) e = WG_ENOMEM;
    for (int k = 0, j = 0; !e && k < r->npieces; k++)
      if (r->pieces[k].unit == u) target[j++] = r->pieces[k].households;
    for (int i = 0; !e && i < dl.n; i++) weight[i] = dl.items[i].households;
    if (!e) e = wg_divide_fill_pieces(dl.n, weight, np, target, hi, piece_of, sums, ei);
  }
  for (int k = first, j = 0; !e && k < r->npieces; k++) {
    if (r->pieces[k].unit != u) continue;
    wg_assignment_t pa = {.entrance_id = entrance_id, .piece = j + 1,
                          .households = use_dwellings ? sums[j] : r->pieces[k].households};
    for (int l = 0; l < nlevels && l < 3; l++)
      if (r->pieces[k].grid[l] >= 0) memcpy(pa.code[l], codes[r->pieces[k].grid[l]], sizeof pa.code[l]);
    e = wg_store_assignment_add(s, plan_id, &pa);
    j++;
  }
  for (int i = 0; use_dwellings && !e && i < dl.n; i++) {
    wg_piece_dwelling_t pd = {.entrance_id = entrance_id, .dwelling_id = dl.items[i].dwelling_id,
                              .piece = piece_of[i] + 1};
    e = wg_store_piece_dwelling_add(s, plan_id, &pd);
  }
  free(dl.items);
  free(target);
  free(sums);
  free(weight);
  free(piece_of);
  return e;
}

wg_err wg_plan_divide(wg_store_t *s, const wg_plan_opts *o, wg_plan_report *rep,
                      wg_errinfo *ei) {
  double t0 = now_s();
  memset(rep, 0, sizeof *rep);
  wg_errinfo dummy;
  if (!ei) ei = &dummy;
  work w = {.nlevels = o->nlevels};
  wg_strmap_init(&w.groups);
  wg_u64map_init(&w.unit_of);
  wg_geom_poly *polys = NULL;
  int npolys = 0;
  int *labels = NULL;
  char (*codes)[19] = NULL;
  wg_err e = prepare(s, o->county, o->community, o->rural_whole_l1, &w, ei);
  if (e) goto out;

  /* Re-divide from the active plan unless asked for a fresh start. */
  wg_plan_t active;
  int has_active = !o->fresh && wg_store_plan_active(s, o->county, &active) == WG_OK &&
                   active.nlevels == o->nlevels;
  if (has_active) {
    w.prev = calloc((size_t)w.n * (size_t)o->nlevels, sizeof *w.prev);
    if (!w.prev) {
      e = WG_ENOMEM;
      goto out;
    }
    e = wg_store_assignment_each(s, active.id, add_prev, &w);
    if (!e) e = w.err;
    if (e) goto out;
    rep->based_on = active.id;
  }
  e = wg_store_grid_number_each(s, o->county, add_used, &w);
  if (!e) e = w.err;
  if (e) goto out;

  wg_geom_adjacency adj = {0};
  e = wg_geom_point_adjacency(w.n, w.x, w.y, 1, w.group, w.barriers.lines, w.barriers.n, 0,
                              &adj, ei);
  if (e) goto out;
  /* The entrances' own cells (the pieces the grid polygons are made of),
   * measured, so the core shapes grids by their real outlines. */
  double *cell_area = NULL, *cell_outer = NULL, *cell_shared = NULL;
  if (!o->no_shapes) {
    cell_area = malloc((size_t)w.n * sizeof *cell_area);
    cell_outer = malloc((size_t)w.n * sizeof *cell_outer);
    cell_shared = malloc(((size_t)adj.adj_start[w.n] + 1) * sizeof *cell_shared);
    e = cell_area && cell_outer && cell_shared
            ? wg_geom_unit_cells(w.n, w.x, w.y, 1, w.group, w.ngroups, NULL, NULL, o->margin, &adj,
                                 cell_area, cell_outer, cell_shared, ei)
            : WG_ENOMEM;
    if (e) {
      free(cell_area);
      free(cell_outer);
      free(cell_shared);
      wg_geom_adjacency_free(&adj);
      goto out;
    }
  }
  wg_divide_input_t in = {
      .n = w.n,
      .households = w.households,
      .x = w.x,
      .y = w.y,
      .lonlat = 1,
      .group = w.group,
      .ngroups = w.ngroups,
      .adj_start = adj.adj_start,
      .adj = adj.adj,
      .nlevels = o->nlevels,
      .rules = w.rules,
      .prev = w.prev,
      .prev_pieces = w.prev_pieces,
      .nprev_pieces = w.nprev_pieces,
      .used = w.used,
      .nused = w.nused,
      .area = cell_area,
      .edge_length = cell_shared,
      .outer_length = cell_outer,
  };
  memcpy(in.bounds, o->bounds, sizeof in.bounds);
  double t1 = now_s();
  e = wg_divide_run(&in, &rep->result, ei);
  rep->seconds_divide = now_s() - t1;
  wg_geom_adjacency_free(&adj);
  free(cell_area);
  free(cell_outer);
  free(cell_shared);
  if (e) goto out;
  const wg_divide_result_t *r = &rep->result;
  rep->units = w.n;
  rep->groups = w.ngroups;
  rep->households = r->households;

  /* Codes, and the first grid index of each level. */
  codes = calloc((size_t)r->ngrids + 1, sizeof *codes);
  if (!codes) {
    e = WG_ENOMEM;
    goto out;
  }
  int first[3] = {0, 0, 0}, count[3] = {0, 0, 0};
  for (int g = r->ngrids - 1; g >= 0; g--) first[r->grids[g].level - 1] = g;
  for (int g = 0; g < r->ngrids; g++) count[r->grids[g].level - 1]++;
  for (int g = 0; g < r->ngrids && !e; g++) e = grid_code(r, &w, g, codes[g], ei);
  if (e) goto out;
  for (int l = 0; l < o->nlevels; l++) rep->ngrids[l] = count[l];

  /* Polygons per level: Voronoi cells of the entrances, per community. */
  t1 = now_s();
  polys = calloc((size_t)r->ngrids + 1, sizeof *polys);
  labels = malloc((size_t)w.n * sizeof *labels);
  if (!polys || !labels) {
    e = WG_ENOMEM;
    goto out;
  }
  npolys = r->ngrids;
  for (int l = 0; l < o->nlevels && !e; l++) {
    for (int u = 0; u < w.n; u++) labels[u] = unit_label(r, l, u, first);
    e = wg_geom_grid_polygons(w.n, w.x, w.y, 1, w.group, w.ngroups, NULL, NULL, o->margin, labels,
                              count[l], polys + first[l], ei);
  }
  rep->seconds_polygons = now_s() - t1;
  if (e) goto out;

  /* Write the plan. */
  if ((e = wg_store_begin(s))) goto out;
  wg_plan_t p = {.status = WG_PLAN_DRAFT, .based_on = rep->based_on, .nlevels = o->nlevels};
  memcpy(p.county, o->county, 7);
  snprintf(p.actor, sizeof p.actor, "%s", o->actor ? o->actor : "unknown");
  snprintf(p.note, sizeof p.note, "%s", o->note ? o->note : "");
  size_t bl = 0;
  for (int l = 0; l < o->nlevels; l++)
    bl += (size_t)snprintf(p.bounds + bl, sizeof p.bounds - bl, "%s%ld-%ld", l ? "," : "",
                           o->bounds[l].lo, o->bounds[l].hi);
  summary_json(r, o->nlevels, o->rural_whole_l1, p.summary, sizeof p.summary);
  e = wg_store_plan_add(s, &p);
  for (int g = 0; g < r->ngrids && !e; g++) {
    const wg_divide_grid_t *gr = &r->grids[g];
    wg_grid_t row = {.plan_id = p.id, .level = gr->level, .households = gr->households,
                     .units = gr->units, .area = polys[g].area,
                     .polsby_popper = polys[g].polsby_popper, .minx = polys[g].minx,
                     .miny = polys[g].miny, .maxx = polys[g].maxx, .maxy = polys[g].maxy,
                     .geom = polys[g].area > 0 ? polys[g].wkb : NULL,
                     .geom_len = polys[g].area > 0 ? polys[g].wkb_len : 0};
    memcpy(row.county, o->county, 7);
    memcpy(row.code, codes[g], sizeof row.code);
    memcpy(row.community, w.community[gr->group], 13);
    if (gr->parent < 0)
      memcpy(row.parent, w.community[gr->group], 13);
    else
      memcpy(row.parent, codes[gr->parent], sizeof row.parent);
    e = wg_store_grid_add(s, &row);
    if (!e) e = wg_store_grid_number_use(s, row.parent, gr->number);
  }
  for (int u = 0; u < w.n && !e; u++) {
    wg_assignment_t a = {.entrance_id = w.entrance[u]};
    int split = 0;
    for (int l = 0; l < o->nlevels && l < 3; l++) {
      int g = r->unit_grid[l * w.n + u];
      if (g == WG_DIVIDE_SPLIT) split = 1;
      else if (g >= 0) memcpy(a.code[l], codes[g], sizeof a.code[l]);
    }
    if (!split) {
      e = wg_store_assignment_add(s, p.id, &a);
      continue;
    }
    e = store_pieces(s, p.id, r, u, w.entrance[u], o->nlevels, o->bounds[o->nlevels - 1].hi,
                     codes, ei);
  }
  for (int v = 0; v < r->nviolations && !e; v++) {
    const wg_divide_violation_t *vi = &r->violations[v];
    wg_plan_violation_t row = {.level = vi->level, .forced = vi->forced,
                               .households = vi->households};
    snprintf(row.kind, sizeof row.kind, "%s", wg_divide_vkind_name(vi->kind));
    if (vi->grid >= 0)
      memcpy(row.code, codes[vi->grid], sizeof row.code);
    else if (vi->group >= 0)
      memcpy(row.code, w.community[vi->group], 13);
    snprintf(row.reason, sizeof row.reason, "%s", vi->reason);
    e = wg_store_violation_add(s, p.id, &row);
  }
  if (!e) {
    wg_audit_t a = {.action = "plan_create", .origin = "cli"};
    snprintf(a.actor, sizeof a.actor, "%s", p.actor);
    snprintf(a.target, sizeof a.target, "plan #%lld (%d grids)", (long long)p.id, r->ngrids);
    snprintf(a.reason, sizeof a.reason, "%s", p.note);
    e = wg_store_audit_add(s, &a);
  }
  if (!e) e = wg_store_commit(s);
  if (e) {
    wg_store_rollback(s);
    if (!ei->why[0]) wg_errinfo_set(ei, e, "cannot store the plan: %s", wg_store_errmsg(s));
    goto out;
  }
  rep->plan_id = p.id;
out:
  if (polys)
    for (int g = 0; g < npolys; g++) wg_geom_poly_free(&polys[g]);
  free(polys);
  free(labels);
  free(codes);
  work_free(&w);
  rep->seconds_total = now_s() - t0;
  return e;
}

typedef struct locate_ctx {
  double lon, lat;
  wg_located *out;
  int found;
} locate_ctx;

static int locate_one(void *ctx, const wg_grid_t *g) {
  locate_ctx *c = ctx;
  if (g->level < 1 || g->level > 3 || !g->geom) return 0;
  if (!wg_geom_contains(g->geom, g->geom_len, c->lon, c->lat)) return 0;
  memcpy(c->out->code[g->level - 1], g->code, sizeof c->out->code[0]);
  memcpy(c->out->community, g->community, 13);
  c->found = 1;
  return 0;
}

wg_err wg_plan_locate(wg_store_t *s, const char *county, double lon, double lat,
                      wg_located *out) {
  memset(out, 0, sizeof *out);
  wg_plan_t p;
  wg_err e = wg_store_plan_active(s, county, &p);
  if (e) return e;
  out->plan_id = p.id;
  locate_ctx c = {lon, lat, out, 0};
  e = wg_store_grid_at(s, p.id, lon, lat, locate_one, &c);
  if (e) return e;
  return c.found ? WG_OK : WG_ENOTFOUND;
}

/* One plan's assignments: per (entrance, piece) its codes, and per grid
 * code a membership signature (count and two 64-bit sums of member
 * hashes: equal signatures mean the same members). */
typedef struct plan_side {
  wg_strmap member;          /* "entrance/piece" → index into list */
  wg_assignment_t *list;
  int n, cap;
  wg_strmap grid;            /* code → index into sig */
  struct sig { uint64_t count, sum, mix; char code[19]; } *sig;
  int nsig, sigcap;
  int failed;
} plan_side;

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

static int collect_side(void *ctx, const wg_assignment_t *a) {
  plan_side *p = ctx;
  if (!grow((void **)&p->list, &p->cap, p->n + 1, sizeof *p->list)) goto fail;
  p->list[p->n] = *a;
  char key[48];
  int k = snprintf(key, sizeof key, "%lld/%d", (long long)a->entrance_id, a->piece);
  if (wg_strmap_put(&p->member, key, (size_t)k, p->n) != WG_OK) goto fail;
  p->n++;
  uint64_t h = mix64((uint64_t)a->entrance_id * 131 + (uint64_t)a->piece);
  for (int l = 0; l < 3; l++) {
    if (!a->code[l][0]) continue;
    size_t len = strlen(a->code[l]);
    int64_t i;
    if (!wg_strmap_get(&p->grid, a->code[l], len, &i)) {
      if (!grow((void **)&p->sig, &p->sigcap, p->nsig + 1, sizeof *p->sig)) goto fail;
      memset(&p->sig[p->nsig], 0, sizeof *p->sig);
      memcpy(p->sig[p->nsig].code, a->code[l], len + 1);
      i = p->nsig++;
      if (wg_strmap_put(&p->grid, a->code[l], len, i) != WG_OK) goto fail;
    }
    p->sig[i].count++;
    p->sig[i].sum += h;
    p->sig[i].mix += mix64(h);
  }
  return 0;
fail:
  p->failed = 1;
  return 1;
}

static void side_free(plan_side *p) {
  wg_strmap_free(&p->member);
  wg_strmap_free(&p->grid);
  free(p->list);
  free(p->sig);
}

static int unit_households(void *ctx, const wg_unit_row *u) {
  wg_u64map *m = ctx;
  return wg_u64map_put(m, (uint64_t)u->entrance_id, u->households + 1) != WG_OK;
}

wg_err wg_plan_compare(wg_store_t *s, int64_t a, int64_t b, wg_plan_diff *out) {
  memset(out, 0, sizeof *out);
  plan_side pa = {0}, pb = {0};
  wg_u64map hh;
  wg_u64map_init(&hh);
  wg_plan_t plan;
  wg_err e = wg_store_plan_get(s, a, &plan);
  if (!e) e = wg_store_plan_get(s, b, &(wg_plan_t){0});
  if (!e) e = wg_store_assignment_each(s, a, collect_side, &pa);
  if (!e) e = wg_store_assignment_each(s, b, collect_side, &pb);
  if (!e && (pa.failed || pb.failed)) e = WG_ENOMEM;
  if (!e) e = wg_store_unit_each(s, plan.county, NULL, unit_households, &hh);
  if (e) goto done;
  out->grids_a = pa.nsig;
  out->grids_b = pb.nsig;
  for (int i = 0; i < pa.nsig; i++) {
    int64_t j;
    if (!wg_strmap_get(&pb.grid, pa.sig[i].code, strlen(pa.sig[i].code), &j)) {
      out->only_a++;
    } else if (pa.sig[i].count == pb.sig[j].count && pa.sig[i].sum == pb.sig[j].sum &&
               pa.sig[i].mix == pb.sig[j].mix) {
      out->same++;
    } else {
      out->changed++;
    }
  }
  for (int j = 0; j < pb.nsig; j++)
    if (!wg_strmap_get(&pa.grid, pb.sig[j].code, strlen(pb.sig[j].code), &(int64_t){0}))
      out->only_b++;
  /* Households whose codes differ (a piece counts its own households). */
  for (int i = 0; i < pa.n; i++) {
    const wg_assignment_t *x = &pa.list[i];
    int64_t h1 = 0;
    long households = x->piece ? x->households
                               : (wg_u64map_get(&hh, (uint64_t)x->entrance_id, &h1) ? h1 - 1 : 0);
    out->households += households;
    char key[48];
    int k = snprintf(key, sizeof key, "%lld/%d", (long long)x->entrance_id, x->piece);
    int64_t j;
    if (!wg_strmap_get(&pb.member, key, (size_t)k, &j) ||
        memcmp(x->code, pb.list[j].code, sizeof x->code) != 0)
      out->changed_households += households;
  }
done:
  side_free(&pa);
  side_free(&pb);
  wg_u64map_free(&hh);
  return e;
}

/* ---- checking a stored plan --------------------------------------------- */

typedef struct check_ctx {
  work *w;
  int nlevels;
  wg_strmap codes[3];        /* code → label per level */
  int nlabels[3];
  int *labels;               /* [nlevels*n], -1 unassigned */
  unsigned char *in_plan;    /* [n] the unit has an assignment */
  wg_divide_piece_t *pieces;
  int npieces, cap;
  wg_err err;
} check_ctx;

static int label_of(check_ctx *c, int l, const char *code) {
  if (!code[0]) return -1;
  size_t len = strlen(code);
  int64_t v;
  if (wg_strmap_get(&c->codes[l], code, len, &v)) return (int)v;
  if (wg_strmap_put(&c->codes[l], code, len, c->nlabels[l]) != WG_OK) {
    c->err = WG_ENOMEM;
    return -1;
  }
  return c->nlabels[l]++;
}

static int check_assignment(void *ctx, const wg_assignment_t *a) {
  check_ctx *c = ctx;
  int64_t u1;
  if (!wg_u64map_get(&c->w->unit_of, (uint64_t)a->entrance_id, &u1)) return 0;
  int u = (int)u1 - 1, n = c->w->n;
  c->in_plan[u] = 1;
  if (a->piece == 0) {
    for (int l = 0; l < c->nlevels; l++) c->labels[l * n + u] = label_of(c, l, a->code[l]);
  } else {
    if (!grow((void **)&c->pieces, &c->cap, c->npieces + 1, sizeof *c->pieces)) {
      c->err = WG_ENOMEM;
      return 1;
    }
    wg_divide_piece_t *p = &c->pieces[c->npieces++];
    memset(p, 0, sizeof *p);
    p->unit = u;
    p->households = a->households;
    for (int l = 0; l < c->nlevels; l++) p->grid[l] = label_of(c, l, a->code[l]);
  }
  return c->err != WG_OK;
}

typedef struct poly_ctx {
  wg_geom_poly *polys;       /* [count] borrowed WKB pointers are copied */
  int n, cap, level;
  const char *community;     /* NULL = any */
  double pp_sum;
  int pp_n;
  wg_err err;
} poly_ctx;

static int collect_poly(void *ctx, const wg_grid_t *g) {
  poly_ctx *c = ctx;
  if (g->level != c->level || !g->geom || !g->geom_len) return 0;
  if (c->community && strcmp(g->community, c->community) != 0) return 0;
  if (!grow((void **)&c->polys, &c->cap, c->n + 1, sizeof *c->polys)) goto fail;
  wg_geom_poly *p = &c->polys[c->n];
  memset(p, 0, sizeof *p);
  p->wkb = malloc(g->geom_len);
  if (!p->wkb) goto fail;
  memcpy(p->wkb, g->geom, g->geom_len);
  p->wkb_len = g->geom_len;
  p->area = g->area;
  c->n++;
  c->pp_sum += g->polsby_popper;
  c->pp_n++;
  return 0;
fail:
  c->err = WG_ENOMEM;
  return 1;
}

static void poly_ctx_free(poly_ctx *c) {
  for (int i = 0; i < c->n; i++) wg_geom_poly_free(&c->polys[i]);
  free(c->polys);
  c->polys = NULL;
  c->n = c->cap = 0;
}

void wg_plan_check_report_free(wg_plan_check_report *r) {
  if (!r) return;
  wg_divide_result_free(&r->result);
  free(r->codes);
  r->codes = NULL;
}

typedef struct label_code {
  int label;
  const char *code;
} label_code;

static int cmp_label(const void *a, const void *b) {
  int x = ((const label_code *)a)->label, y = ((const label_code *)b)->label;
  return (x > y) - (x < y);
}

typedef struct code_list {
  label_code *items;
  int n;
} code_list;

static int list_code(void *ctx, const char *key, size_t len, int64_t value) {
  (void)len;
  code_list *c = ctx;
  c->items[c->n++] = (label_code){(int)value, key};
  return 0;
}

/* The checker makes one grid per label present, level by level, in label
 * order: give each result grid the code its label stands for. */
static wg_err name_grids(check_ctx *c, wg_plan_check_report *out) {
  const wg_divide_result_t *r = &out->result;
  out->codes = calloc((size_t)r->ngrids + 1, sizeof *out->codes);
  if (!out->codes) return WG_ENOMEM;
  int g = 0;
  for (int l = 0; l < c->nlevels && g < r->ngrids; l++) {
    code_list list = {calloc((size_t)c->nlabels[l] + 1, sizeof *list.items), 0};
    if (!list.items) return WG_ENOMEM;
    wg_strmap_each(&c->codes[l], list_code, &list);
    qsort(list.items, (size_t)list.n, sizeof *list.items, cmp_label);
    for (int k = 0; k < list.n && g < r->ngrids && r->grids[g].level == l + 1; k++, g++)
      snprintf(out->codes[g], sizeof out->codes[g], "%s", list.items[k].code);
    free(list.items);
  }
  return WG_OK;
}

wg_err wg_plan_check(wg_store_t *s, int64_t plan_id, wg_plan_check_report *out, wg_errinfo *ei) {
  memset(out, 0, sizeof *out);
  wg_errinfo dummy;
  if (!ei) ei = &dummy;
  wg_plan_t plan;
  wg_err e = wg_store_plan_get(s, plan_id, &plan);
  if (e) return wg_errinfo_set(ei, e, "no plan #%lld", (long long)plan_id);
  wg_plan_opts o;
  wg_plan_opts_init(&o);
  if ((e = wg_plan_parse_bounds(plan.bounds, &o, ei))) return e;
  int whole = strstr(plan.summary, "\"villages\":\"bounds\"") == NULL;
  out->nlevels = o.nlevels;
  memcpy(out->bounds, o.bounds, sizeof out->bounds);

  work w = {.nlevels = o.nlevels};
  wg_strmap_init(&w.groups);
  wg_u64map_init(&w.unit_of);
  check_ctx c = {.w = &w, .nlevels = o.nlevels};
  for (int l = 0; l < 3; l++) wg_strmap_init(&c.codes[l]);
  wg_geom_adjacency adj = {0};
  int *keep = NULL, *labels = NULL, *group = NULL;
  double *x = NULL, *y = NULL;
  long *hh = NULL;
  e = prepare(s, plan.county, NULL, whole, &w, ei);
  if (e) goto done;
  c.labels = malloc((size_t)w.n * (size_t)o.nlevels * sizeof *c.labels);
  c.in_plan = calloc((size_t)w.n, 1);
  if (!c.labels || !c.in_plan) {
    e = WG_ENOMEM;
    goto done;
  }
  for (int i = 0; i < w.n * o.nlevels; i++) c.labels[i] = -1;
  e = wg_store_assignment_each(s, plan_id, check_assignment, &c);
  if (!e) e = c.err;
  if (e) goto done;
  /* Only the communities the plan covers: a unit of such a community
   * without an assignment (a new entrance) is reported unassigned. */
  unsigned char *covered = calloc((size_t)w.ngroups + 1, 1);
  keep = malloc(((size_t)w.n + 1) * sizeof *keep);
  if (!covered || !keep) {
    free(covered);
    e = WG_ENOMEM;
    goto done;
  }
  for (int u = 0; u < w.n; u++)
    if (c.in_plan[u]) covered[w.group[u]] = 1;
  int m = 0;
  for (int u = 0; u < w.n; u++) keep[u] = covered[w.group[u]] ? m++ : -1;
  free(covered);
  x = malloc(((size_t)m + 1) * sizeof *x);
  y = malloc(((size_t)m + 1) * sizeof *y);
  hh = malloc(((size_t)m + 1) * sizeof *hh);
  group = malloc(((size_t)m + 1) * sizeof *group);
  labels = malloc(((size_t)m * (size_t)o.nlevels + 1) * sizeof *labels);
  if (!x || !y || !hh || !group || !labels) {
    e = WG_ENOMEM;
    goto done;
  }
  for (int u = 0; u < w.n; u++) {
    int k = keep[u];
    if (k < 0) continue;
    x[k] = w.x[u];
    y[k] = w.y[u];
    hh[k] = w.households[u];
    group[k] = w.group[u];
    for (int l = 0; l < o.nlevels; l++) labels[l * m + k] = c.labels[l * w.n + u];
  }
  for (int p = 0; p < c.npieces; p++) c.pieces[p].unit = keep[c.pieces[p].unit];
  out->units = m;
  e = wg_geom_point_adjacency(m, x, y, 1, group, w.barriers.lines, w.barriers.n, 0, &adj, ei);
  if (e) goto done;
  wg_divide_input_t in = {.n = m, .households = hh, .x = x, .y = y, .lonlat = 1,
                          .group = group, .ngroups = w.ngroups, .adj_start = adj.adj_start,
                          .adj = adj.adj, .nlevels = o.nlevels, .rules = w.rules};
  memcpy(in.bounds, o.bounds, sizeof in.bounds);
  e = wg_divide_check(&in, labels, c.pieces, c.npieces, &out->result, ei);
  if (!e) e = name_grids(&c, out);
  if (e) goto done;

  /* Polygons: overlap per level and community; levels 2-3 also their gap
   * against the union of the community's level-1 grids. */
  for (int l = 1; l <= o.nlevels && !e; l++) {
    poly_ctx all = {.level = l};
    e = wg_store_grid_each(s, plan_id, l, collect_poly, &all);
    if (!e) e = all.err;
    if (all.pp_n) out->mean_polsby_popper[l - 1] = all.pp_sum / all.pp_n;
    poly_ctx_free(&all);
    for (int g = 0; g < w.ngroups && !e; g++) {
      poly_ctx pc = {.level = l, .community = w.community[g]};
      e = wg_store_grid_each(s, plan_id, l, collect_poly, &pc);
      if (!e) e = pc.err;
      if (!e && pc.n > 0) {
        double gap = 0, overlap = 0;
        wg_geom_poly area = {0};
        if (l > 1) {
          poly_ctx top = {.level = 1, .community = w.community[g]};
          e = wg_store_grid_each(s, plan_id, 1, collect_poly, &top);
          if (!e) e = top.err;
          if (!e && top.n > 0) {
            const unsigned char **wkb = malloc((size_t)top.n * sizeof *wkb);
            size_t *len = malloc((size_t)top.n * sizeof *len);
            int *lab = calloc((size_t)top.n, sizeof *lab);
            if (!wkb || !len || !lab) e = WG_ENOMEM;
            for (int i = 0; !e && i < top.n; i++) {
              wkb[i] = top.polys[i].wkb;
              len[i] = top.polys[i].wkb_len;
            }
            if (!e) e = wg_geom_union_by_label(top.n, wkb, len, 1, lab, 1, &area, ei);
            free(wkb);
            free(len);
            free(lab);
          }
          poly_ctx_free(&top);
        }
        if (!e)
          e = wg_geom_coverage(pc.n, pc.polys, area.wkb, area.wkb_len, 1, &gap, &overlap, ei);
        wg_geom_poly_free(&area);
        out->gap_m2[l - 1] += gap;
        out->overlap_m2[l - 1] += overlap;
      }
      poly_ctx_free(&pc);
    }
  }
done:
  wg_geom_adjacency_free(&adj);
  for (int l = 0; l < 3; l++) wg_strmap_free(&c.codes[l]);
  free(c.labels);
  free(c.in_plan);
  free(c.pieces);
  free(keep);
  free(labels);
  free(group);
  free(x);
  free(y);
  free(hh);
  work_free(&w);
  return e;
}
