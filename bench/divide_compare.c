/* divide_compare.c — the divide core side by side with METIS and a max-p
 * style region-growing baseline (issue 3).
 *
 * Not built by CMake; bench/divide_compare.sh builds and runs it:
 *   divide_compare [--reps N] [--only arkansas|county] [--no-geometry] [-v]
 *                  [ARKANSAS_JSON]
 *
 * Instances:
 *   arkansas  the 2,294 Arkansas 2020 block groups (GerryChain's dual graph,
 *             bench/data/arkansas-bg-2020), population as the weight, one
 *             group (the state), bounds = the urban rule × 300:
 *             90,000-150,000 / 15,000-30,000 / 3,000-6,000 people.
 *   county    the generated demo county of bench/divide_gen_county.h
 *             (~53,000 households, villages one level-1 grid each), bounds
 *             300-500 / 50-100 / 10-20.
 *
 * Methods, all producing three nested levels:
 *   ours          wg_divide_run; on Arkansas with the block groups' areas,
 *                 shared perimeters and state-line perimeters as area,
 *                 edge_length and outer_length (so its local search
 *                 maximises Polsby-Popper), unless --no-geometry.
 *   metis         METIS_PartGraphKway per level per parent (the group at
 *                 level 1, the level-1 grid at level 2, ...) with
 *                 k = ceil(H / T), T = (lo + hi) / 2, vertex weights =
 *                 households, unit edge weights, METIS_OPTION_CONTIG = 1;
 *                 a parent that is not connected is cut per connected
 *                 component (k per component), since METIS refuses CONTIG
 *                 on a disconnected graph.
 *   metis-free    the same with CONTIG = 0, whole parent at once.
 *   max-p         per level per parent and connected component: seeds in a
 *                 random order, each grows breadth-first over unassigned
 *                 neighbours until it reaches the floor lo (no ceiling);
 *                 regions that cannot reach it become enclaves, which join
 *                 the lightest neighbouring region; 10 seed orders, the one
 *                 with most regions kept (max-p's construction phase).
 * Whole-village rules (whole_l1) are honoured by every method. Units above
 * the last level's upper bound are cut for the peers as the core cuts them
 * (ceil(h / hi) even pieces; a piece touches its siblings and every piece of
 * the unit's neighbours, as wg_divide_check assumes).
 *
 * One evaluator for all: wg_divide_check on each plan's labels gives grids,
 * bounds (forced or avoidable), contiguity, nesting, the compactness proxy
 * and the share within ±20% of the target; Polsby-Popper comes from the
 * graph where it carries perimeters (Arkansas): per grid, area = Σ area,
 * perimeter = Σ boundary_perim + Σ shared_perim over edges leaving the grid,
 * PP = 4πA/P² (degrees of lon/lat, unprojected).
 *
 * Stability: 1% of households are moved (one at a time from a random unit to
 * a random unit of the same group, seeded), then ours re-divides with prev,
 * and every method rebuilds from scratch. A grid is unchanged when a grid of
 * the first plan at the same level holds exactly the same units (pieces
 * counted as unit + ordinal). A household's grid changed when, at some
 * level, its new grid does not continue its old one; a new grid continues
 * an old one when they share a strict majority of households both ways (the
 * rule by which the core carries grid numbers over), so for ours with prev
 * this is close to the core's own "households whose code changed".
 *
 * -v lists ours' avoidable violations with each unit's neighbours (their
 * households, whether they lie in another parent, their grid's total).
 */
#include <jansson.h>
#include <math.h>
#include <metis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "divide/divide.h"
#include "divide_gen_county.h"

#define NL 3
#define MAXP_TRIES 10

static int verbose; /* -v: list ours' avoidable violations */
static int use_geometry = 1; /* --no-geometry: ours without area/lengths */

static void *xmalloc(size_t sz) {
  void *p = malloc(sz ? sz : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static void *xcalloc(size_t n, size_t sz) {
  void *p = calloc(n ? n : 1, sz);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- instances ------------------------------------------------------------ */

typedef struct inst {
  const char *name;
  const char *weight;     /* what hh counts: "households" or "people" */
  int n, ngroups;
  long *hh;               /* [n] households (people for Arkansas) */
  double *x, *y;          /* [n] */
  int lonlat;
  int *group;             /* [n] */
  const int *in_xadj, *in_adj; /* adjacency as given to the core */
  int *xadj, *adj;        /* symmetric, deduplicated, same-group CSR */
  double *eperim;         /* [xadj[n]] shared perimeter per entry, or NULL */
  double *area, *bperim;  /* [n] unit area, state-boundary perimeter; NULL */
  wg_divide_bounds_t bounds[NL];
  const wg_divide_group_rule_t *rules; /* [ngroups] or NULL */
  county_t county;        /* owns the generated county's arrays */
} inst_t;

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* Symmetric, deduplicated, same-group CSR of a one- or two-way CSR. */
static void symmetrise(inst_t *I, const int *xadj, const int *adj) {
  int n = I->n;
  int *deg = xcalloc((size_t)n + 1, sizeof(int));
  for (int u = 0; u < n; u++)
    for (int j = xadj[u]; j < xadj[u + 1]; j++) {
      int v = adj[j];
      if (v == u || I->group[u] != I->group[v]) continue;
      deg[u]++;
      deg[v]++;
    }
  int *start = xmalloc(((size_t)n + 1) * sizeof(int));
  start[0] = 0;
  for (int u = 0; u < n; u++) start[u + 1] = start[u] + deg[u];
  int *tmp = xmalloc((size_t)start[n] * sizeof(int));
  int *fill = xmalloc((size_t)n * sizeof(int));
  memcpy(fill, start, (size_t)n * sizeof(int));
  for (int u = 0; u < n; u++)
    for (int j = xadj[u]; j < xadj[u + 1]; j++) {
      int v = adj[j];
      if (v == u || I->group[u] != I->group[v]) continue;
      tmp[fill[u]++] = v;
      tmp[fill[v]++] = u;
    }
  I->xadj = xmalloc(((size_t)n + 1) * sizeof(int));
  I->adj = xmalloc((size_t)start[n] * sizeof(int));
  int k = 0;
  for (int u = 0; u < n; u++) {
    I->xadj[u] = k;
    qsort(tmp + start[u], (size_t)deg[u], sizeof(int), cmp_int);
    for (int j = start[u]; j < start[u + 1]; j++)
      if (j == start[u] || tmp[j] != tmp[j - 1]) I->adj[k++] = tmp[j];
  }
  I->xadj[n] = k;
  free(deg);
  free(start);
  free(tmp);
  free(fill);
}

static void make_county_inst(inst_t *I) {
  memset(I, 0, sizeof *I);
  I->name = "generated county";
  I->weight = "households";
  county_make(&I->county, 53000, 20260101);
  county_t *c = &I->county;
  I->n = c->n;
  I->ngroups = c->ngroups;
  I->hh = c->hh;
  I->x = c->x;
  I->y = c->y;
  I->group = c->group;
  I->in_xadj = c->xadj;
  I->in_adj = c->adj;
  I->rules = c->rules;
  I->bounds[0] = (wg_divide_bounds_t){300, 500};
  I->bounds[1] = (wg_divide_bounds_t){50, 100};
  I->bounds[2] = (wg_divide_bounds_t){10, 20};
  symmetrise(I, c->xadj, c->adj);
}

typedef struct idpos {
  const char *id;
  int idx;
} idpos_t;

static int cmp_idpos(const void *a, const void *b) {
  return strcmp(((const idpos_t *)a)->id, ((const idpos_t *)b)->id);
}

static double num_field(json_t *o, const char *key, int *ok) {
  json_t *v = json_object_get(o, key);
  if (json_is_number(v)) return json_number_value(v);
  if (json_is_string(v)) {
    char *end;
    double d = strtod(json_string_value(v), &end);
    if (end != json_string_value(v)) return d;
  }
  if (ok) *ok = 0;
  return 0.0;
}

/* Arkansas block groups from GerryChain's node-link "adjacency" JSON. */
static int make_arkansas_inst(inst_t *I, const char *path) {
  memset(I, 0, sizeof *I);
  I->name = "Arkansas 2020 block groups";
  I->weight = "people";
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  if (!root) {
    fprintf(stderr, "%s: line %d: %s\n", path, je.line, je.text);
    return -1;
  }
  json_t *nodes = json_object_get(root, "nodes");
  json_t *adjs = json_object_get(root, "adjacency");
  if (!json_is_array(nodes) || !json_is_array(adjs) ||
      json_array_size(nodes) != json_array_size(adjs)) {
    fprintf(stderr, "%s: no nodes/adjacency arrays of equal length\n", path);
    json_decref(root);
    return -1;
  }
  int n = (int)json_array_size(nodes);
  I->n = n;
  I->ngroups = 1;
  I->lonlat = 1;
  I->hh = xmalloc((size_t)n * sizeof(long));
  I->x = xmalloc((size_t)n * sizeof(double));
  I->y = xmalloc((size_t)n * sizeof(double));
  I->group = xcalloc((size_t)n, sizeof(int));
  I->area = xmalloc((size_t)n * sizeof(double));
  I->bperim = xcalloc((size_t)n, sizeof(double));
  idpos_t *ids = xmalloc((size_t)n * sizeof *ids);
  for (int u = 0; u < n; u++) {
    json_t *nd = json_array_get(nodes, (size_t)u);
    int ok = 1;
    I->hh[u] = (long)num_field(nd, "tot_pop_20", &ok);
    I->x[u] = num_field(nd, "INTPTLON20", &ok);
    I->y[u] = num_field(nd, "INTPTLAT20", &ok);
    I->area[u] = num_field(nd, "area", &ok);
    if (json_object_get(nd, "boundary_perim"))
      I->bperim[u] = num_field(nd, "boundary_perim", &ok);
    ids[u].id = json_string_value(json_object_get(nd, "id"));
    ids[u].idx = u;
    if (!ok || !ids[u].id) {
      fprintf(stderr, "%s: node %d: missing field\n", path, u);
      json_decref(root);
      return -1;
    }
  }
  qsort(ids, (size_t)n, sizeof *ids, cmp_idpos);
  int *xadj = xmalloc(((size_t)n + 1) * sizeof(int));
  size_t ne = 0;
  for (int u = 0; u < n; u++) ne += json_array_size(json_array_get(adjs, (size_t)u));
  int *adj = xmalloc(ne * sizeof(int));
  double *per = xmalloc(ne * sizeof(double));
  int k = 0;
  for (int u = 0; u < n; u++) {
    xadj[u] = k;
    json_t *list = json_array_get(adjs, (size_t)u);
    for (size_t j = 0; j < json_array_size(list); j++) {
      json_t *e = json_array_get(list, j);
      idpos_t key = {json_string_value(json_object_get(e, "id")), 0};
      idpos_t *hit = key.id ? bsearch(&key, ids, (size_t)n, sizeof *ids, cmp_idpos)
                            : NULL;
      if (!hit) {
        fprintf(stderr, "%s: node %d: unknown neighbour\n", path, u);
        json_decref(root);
        return -1;
      }
      adj[k] = hit->idx;
      per[k] = num_field(e, "shared_perim", NULL);
      k++;
    }
  }
  xadj[n] = k;
  free(ids);
  json_decref(root);
  /* the file's adjacency is symmetric and simple (checked below) */
  I->xadj = xadj;
  I->adj = adj;
  I->eperim = per;
  I->in_xadj = xadj;
  I->in_adj = adj;
  for (int u = 0; u < n; u++)
    for (int j = xadj[u]; j < xadj[u + 1]; j++) {
      int v = adj[j], back = 0;
      for (int t = xadj[v]; t < xadj[v + 1]; t++) back += adj[t] == u;
      if (v == u || back != 1) {
        fprintf(stderr, "%s: adjacency not symmetric and simple at %d\n", path, u);
        return -1;
      }
    }
  I->bounds[0] = (wg_divide_bounds_t){90000, 150000};
  I->bounds[1] = (wg_divide_bounds_t){15000, 30000};
  I->bounds[2] = (wg_divide_bounds_t){3000, 6000};
  return 0;
}

static void inst_free(inst_t *I) {
  if (I->county.n) {
    county_free(&I->county);
  } else {
    free(I->hh);
    free(I->x);
    free(I->y);
    free(I->group);
  }
  if (I->eperim) { /* Arkansas: in_* are xadj/adj */
    free(I->eperim);
    free(I->area);
    free(I->bperim);
  }
  free(I->xadj);
  free(I->adj);
  memset(I, 0, sizeof *I);
}

static wg_divide_input_t make_input(const inst_t *I, const long *hh) {
  wg_divide_input_t in;
  memset(&in, 0, sizeof in);
  in.n = I->n;
  in.households = hh;
  in.x = I->x;
  in.y = I->y;
  in.lonlat = I->lonlat;
  in.group = I->group;
  in.ngroups = I->ngroups;
  in.adj_start = I->in_xadj;
  in.adj = I->in_adj;
  in.nlevels = NL;
  for (int l = 0; l < NL; l++) in.bounds[l] = I->bounds[l];
  in.rules = I->rules;
  if (use_geometry && I->eperim) {
    /* Arkansas: in_xadj/in_adj are xadj/adj, so eperim is aligned */
    in.area = I->area;
    in.edge_length = I->eperim;
    in.outer_length = I->bperim;
  }
  return in;
}

static wg_divide_bounds_t level_bounds(const inst_t *I, int g, int l) {
  if (I->rules && I->rules[g].own_bounds) return I->rules[g].bounds[l];
  return I->bounds[l];
}

/* ---- items: units, with units above the last ceiling cut into pieces ------ */

typedef struct items {
  int m;
  int *unit;     /* [m] */
  long *w;       /* [m] */
  int *ustart;   /* [n+1] */
  int *xadj, *adj; /* item graph */
} items_t;

static void items_build(items_t *it, const inst_t *I, const long *hh) {
  int n = I->n;
  it->ustart = xmalloc(((size_t)n + 1) * sizeof(int));
  int m = 0;
  for (int u = 0; u < n; u++) {
    it->ustart[u] = m;
    long hi = level_bounds(I, I->group[u], NL - 1).hi;
    m += hh[u] > hi ? (int)((hh[u] + hi - 1) / hi) : 1;
  }
  it->ustart[n] = m;
  it->m = m;
  it->unit = xmalloc((size_t)m * sizeof(int));
  it->w = xmalloc((size_t)m * sizeof(long));
  long ne = 0;
  for (int u = 0; u < n; u++) {
    int np = it->ustart[u + 1] - it->ustart[u];
    long base = hh[u] / np, extra = hh[u] % np;
    for (int j = 0; j < np; j++) {
      it->unit[it->ustart[u] + j] = u;
      it->w[it->ustart[u] + j] = base + (j < extra ? 1 : 0);
    }
    ne += (long)np * (np - 1);
    for (int j = I->xadj[u]; j < I->xadj[u + 1]; j++) {
      int v = I->adj[j];
      ne += (long)np * (it->ustart[v + 1] - it->ustart[v]);
    }
  }
  it->xadj = xmalloc(((size_t)m + 1) * sizeof(int));
  it->adj = xmalloc((size_t)ne * sizeof(int));
  int k = 0;
  for (int u = 0; u < n; u++)
    for (int i = it->ustart[u]; i < it->ustart[u + 1]; i++) {
      it->xadj[i] = k;
      for (int s = it->ustart[u]; s < it->ustart[u + 1]; s++)
        if (s != i) it->adj[k++] = s;
      for (int j = I->xadj[u]; j < I->xadj[u + 1]; j++) {
        int v = I->adj[j];
        for (int s = it->ustart[v]; s < it->ustart[v + 1]; s++) it->adj[k++] = s;
      }
    }
  it->xadj[m] = k;
}

static void items_free(items_t *it) {
  free(it->unit);
  free(it->w);
  free(it->ustart);
  free(it->xadj);
  free(it->adj);
  memset(it, 0, sizeof *it);
}

/* ---- peers ---------------------------------------------------------------- */

typedef enum peer { P_METIS, P_METIS_FREE, P_MAXP } peer_t;

typedef struct peer_ctx {
  const inst_t *I;
  const items_t *it;
  peer_t kind;
  int *lab;        /* [NL*m] level-major grid labels, dense per level */
  int next_label;  /* next free label at the current level */
  int *par;        /* [m] parent label at the current level */
  int *loc;        /* [m] local index within the current subset, -1 = out */
  int *comp;       /* [m] scratch */
  int *queue;      /* [m] */
  int *reg, *best; /* [m] max-p scratch */
  long *rw;        /* [m+1] region weights */
  idx_t *sx, *sa, *sw, *spart; /* METIS subgraph */
  uint64_t rng;
  int metis_calls, metis_fallbacks, metis_failures, disconnected_parents;
} peer_ctx_t;

static uint64_t rnd(peer_ctx_t *c) {
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 7;
  c->rng ^= c->rng << 17;
  return c->rng;
}

/* Label every item of set[0..s) with one new label. */
static void label_all(peer_ctx_t *c, int l, const int *set, int s) {
  int lab = c->next_label++;
  for (int i = 0; i < s; i++) c->lab[(size_t)l * c->it->m + set[i]] = lab;
}

/* Mark set[0..s) as the current subset (loc = local index). */
static void mark(peer_ctx_t *c, const int *set, int s) {
  for (int i = 0; i < s; i++) c->loc[set[i]] = i;
}

static void unmark(peer_ctx_t *c, const int *set, int s) {
  for (int i = 0; i < s; i++) c->loc[set[i]] = -1;
}

/* METIS on the subgraph induced by set[0..s) into k parts. */
static void run_metis(peer_ctx_t *c, int l, const int *set, int s, long k,
                      int contig) {
  const items_t *it = c->it;
  if (k > s) k = s;
  if (k <= 1) {
    label_all(c, l, set, s);
    return;
  }
  mark(c, set, s);
  int e = 0;
  for (int i = 0; i < s; i++) {
    c->sx[i] = e;
    c->sw[i] = (idx_t)it->w[set[i]];
    for (int j = it->xadj[set[i]]; j < it->xadj[set[i] + 1]; j++)
      if (c->loc[it->adj[j]] >= 0) c->sa[e++] = c->loc[it->adj[j]];
  }
  c->sx[s] = e;
  unmark(c, set, s);
  idx_t opt[METIS_NOPTIONS];
  METIS_SetDefaultOptions(opt);
  opt[METIS_OPTION_NUMBERING] = 0;
  opt[METIS_OPTION_CONTIG] = contig;
  idx_t nv = s, ncon = 1, np = (idx_t)k, obj = 0;
  c->metis_calls++;
  int rc = METIS_PartGraphKway(&nv, &ncon, c->sx, c->sa, c->sw, NULL, NULL,
                               &np, NULL, NULL, opt, &obj, c->spart);
  if (rc != METIS_OK && contig) {
    c->metis_fallbacks++;
    opt[METIS_OPTION_CONTIG] = 0;
    rc = METIS_PartGraphKway(&nv, &ncon, c->sx, c->sa, c->sw, NULL, NULL, &np,
                             NULL, NULL, opt, &obj, c->spart);
  }
  if (rc != METIS_OK) {
    c->metis_failures++;
    label_all(c, l, set, s);
    return;
  }
  /* parts METIS left empty get no label */
  int *map = c->queue;
  for (int p = 0; p < k; p++) map[p] = -1;
  for (int i = 0; i < s; i++) {
    int p = (int)c->spart[i];
    if (map[p] < 0) map[p] = c->next_label++;
    c->lab[(size_t)l * it->m + set[i]] = map[p];
  }
}

/* Max-p construction on the connected set[0..s) with floor lo. */
static void run_maxp(peer_ctx_t *c, int l, const int *set, int s, long lo) {
  const items_t *it = c->it;
  long H = 0;
  for (int i = 0; i < s; i++) H += it->w[set[i]];
  if (H < lo || s == 1) {
    label_all(c, l, set, s);
    return;
  }
  mark(c, set, s);
  int *order = c->comp, *reg = c->reg, *best = c->best, *q = c->queue;
  int bestp = 0;
  for (int t = 0; t < MAXP_TRIES; t++) {
    for (int i = 0; i < s; i++) {
      order[i] = i;
      reg[i] = -1;
    }
    for (int i = s - 1; i > 0; i--) {
      int j = (int)(rnd(c) % (uint64_t)(i + 1));
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    int p = 0;
    for (int oi = 0; oi < s; oi++) {
      int seed = order[oi];
      if (reg[seed] != -1) continue;
      int qh = 0, qt = 0;
      long w = it->w[set[seed]];
      reg[seed] = p;
      q[qt++] = seed;
      while (w < lo && qh < qt) {
        int a = set[q[qh++]];
        for (int j = it->xadj[a]; j < it->xadj[a + 1] && w < lo; j++) {
          int b = c->loc[it->adj[j]];
          if (b < 0 || reg[b] != -1) continue;
          reg[b] = p;
          w += it->w[set[b]];
          q[qt++] = b;
        }
      }
      if (w >= lo) {
        c->rw[p] = w;
        p++;
      } else {
        for (int i = 0; i < qt; i++) reg[q[i]] = -2; /* enclave */
      }
    }
    if (p == 0) continue;
    /* enclaves join the lightest neighbouring region, in waves */
    for (int changed = 1; changed;) {
      changed = 0;
      for (int i = 0; i < s; i++) {
        if (reg[i] != -2) continue;
        int to = -1;
        int a = set[i];
        for (int j = it->xadj[a]; j < it->xadj[a + 1]; j++) {
          int b = c->loc[it->adj[j]];
          if (b < 0 || reg[b] < 0) continue;
          if (to < 0 || c->rw[reg[b]] < c->rw[to]) to = reg[b];
        }
        if (to >= 0) {
          reg[i] = to;
          c->rw[to] += it->w[a];
          changed = 1;
        }
      }
    }
    for (int i = 0; i < s; i++)
      if (reg[i] < 0) reg[i] = 0; /* unreachable in a connected set */
    if (p > bestp) {
      bestp = p;
      memcpy(best, reg, (size_t)s * sizeof(int));
    }
  }
  unmark(c, set, s);
  if (bestp == 0) {
    label_all(c, l, set, s);
    return;
  }
  int base = c->next_label;
  c->next_label += bestp;
  for (int i = 0; i < s; i++) c->lab[(size_t)l * it->m + set[i]] = base + best[i];
}

/* Connected components of set[0..s) in the item graph: writes the items
 * grouped by component into out and component starts into cs; returns the
 * number of components. */
static int components(peer_ctx_t *c, const int *set, int s, int *out, int *cs) {
  const items_t *it = c->it;
  mark(c, set, s);
  int nc = 0, k = 0;
  for (int i = 0; i < s; i++) c->comp[i] = 0;
  for (int i = 0; i < s; i++) {
    if (c->comp[i]) continue;
    cs[nc++] = k;
    c->comp[i] = 1;
    int h = k;
    out[k++] = set[i];
    while (h < k) {
      int a = out[h++];
      for (int j = it->xadj[a]; j < it->xadj[a + 1]; j++) {
        int b = c->loc[it->adj[j]];
        if (b < 0 || c->comp[b]) continue;
        c->comp[b] = 1;
        out[k++] = set[b];
      }
    }
  }
  cs[nc] = k;
  unmark(c, set, s);
  return nc;
}

/* Divide the items into NL nested levels with the chosen peer. */
static void peer_divide(const inst_t *I, const items_t *it, peer_t kind,
                        int *lab, peer_ctx_t *c) {
  int m = it->m;
  memset(c, 0, sizeof *c);
  c->I = I;
  c->it = it;
  c->kind = kind;
  c->lab = lab;
  c->rng = 0x9e3779b97f4a7c15ULL;
  c->par = xmalloc((size_t)m * sizeof(int));
  c->loc = xmalloc((size_t)m * sizeof(int));
  c->comp = xmalloc((size_t)m * sizeof(int));
  c->queue = xmalloc(((size_t)m + 1) * sizeof(int));
  c->reg = xmalloc((size_t)m * sizeof(int));
  c->best = xmalloc((size_t)m * sizeof(int));
  c->rw = xmalloc(((size_t)m + 1) * sizeof(long));
  c->sx = xmalloc(((size_t)m + 1) * sizeof(idx_t));
  c->sa = xmalloc((size_t)it->xadj[m] * sizeof(idx_t));
  c->sw = xmalloc((size_t)m * sizeof(idx_t));
  c->spart = xmalloc((size_t)m * sizeof(idx_t));
  int *pstart = xmalloc(((size_t)m + 2) * sizeof(int));
  int *byp = xmalloc((size_t)m * sizeof(int));
  int *cset = xmalloc((size_t)m * sizeof(int));
  int *cs = xmalloc(((size_t)m + 1) * sizeof(int));
  for (int i = 0; i < m; i++) c->loc[i] = -1;
  int nparents = I->ngroups;
  for (int i = 0; i < m; i++) c->par[i] = I->group[it->unit[i]];
  for (int l = 0; l < NL; l++) {
    /* items by parent (counting sort) */
    memset(pstart, 0, ((size_t)nparents + 2) * sizeof(int));
    for (int i = 0; i < m; i++) pstart[c->par[i] + 2]++;
    for (int p = 0; p < nparents; p++) pstart[p + 2] += pstart[p + 1];
    for (int i = 0; i < m; i++) byp[pstart[c->par[i] + 1]++] = i;
    c->next_label = 0;
    for (int p = 0; p < nparents; p++) {
      int *set = byp + pstart[p], s = pstart[p + 1] - pstart[p];
      if (s == 0) continue;
      int g = I->group[it->unit[set[0]]];
      wg_divide_bounds_t b = level_bounds(I, g, l);
      long T = (b.lo + b.hi) / 2;
      if (T < 1) T = 1;
      long H = 0;
      for (int i = 0; i < s; i++) H += it->w[set[i]];
      int nc = components(c, set, s, cset, cs);
      if (nc > 1) c->disconnected_parents++;
      if (l == 0 && I->rules && I->rules[g].whole_l1) {
        for (int k = 0; k < nc; k++) label_all(c, l, cset + cs[k], cs[k + 1] - cs[k]);
        continue;
      }
      if (kind == P_METIS_FREE) {
        run_metis(c, l, set, s, (H + T - 1) / T, 0);
        continue;
      }
      for (int k = 0; k < nc; k++) {
        const int *cset_k = cset + cs[k];
        int sk = cs[k + 1] - cs[k];
        long Hk = 0;
        for (int i = 0; i < sk; i++) Hk += it->w[cset_k[i]];
        if (kind == P_METIS)
          run_metis(c, l, cset_k, sk, (Hk + T - 1) / T, 1);
        else
          run_maxp(c, l, cset_k, sk, b.lo);
      }
    }
    for (int i = 0; i < m; i++) c->par[i] = lab[(size_t)l * m + i];
    nparents = c->next_label;
  }
  free(pstart);
  free(byp);
  free(cset);
  free(cs);
  free(c->par);
  free(c->loc);
  free(c->comp);
  free(c->queue);
  free(c->reg);
  free(c->best);
  free(c->rw);
  free(c->sx);
  free(c->sa);
  free(c->sw);
  free(c->spart);
}

/* ---- the shared evaluator ------------------------------------------------- */

typedef struct eval {
  double time;                /* median wall time of the method, s */
  wg_divide_result_t chk;     /* wg_divide_check of the plan */
  double pp[NL];              /* mean Polsby-Popper, -1 = n/a */
  char note[160];
} eval_t;

/* Check a plan given as item labels (peers). */
static void check_items(const inst_t *I, const long *hh, const items_t *it,
                        const int *lab, eval_t *ev) {
  int n = I->n, m = it->m;
  int *labels = xmalloc((size_t)NL * n * sizeof(int));
  wg_divide_piece_t *pcs = xmalloc((size_t)m * sizeof *pcs);
  int np = 0;
  for (int u = 0; u < n; u++) {
    int b = it->ustart[u], e = it->ustart[u + 1];
    for (int l = 0; l < NL; l++) labels[(size_t)l * n + u] = lab[(size_t)l * m + b];
    if (e - b > 1)
      for (int i = b; i < e; i++) {
        pcs[np].unit = u;
        pcs[np].households = it->w[i];
        for (int l = 0; l < NL; l++) pcs[np].grid[l] = lab[(size_t)l * m + i];
        np++;
      }
  }
  wg_divide_input_t in = make_input(I, hh);
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  if (wg_divide_check(&in, labels, pcs, np, &ev->chk, &ei) != WG_OK) {
    fprintf(stderr, "check: %s\n", ei.why);
    exit(1);
  }
  free(labels);
  free(pcs);
}

/* Mean Polsby-Popper per level from the graph's perimeters (no pieces). */
static void polsby_popper(const inst_t *I, eval_t *ev) {
  const wg_divide_result_t *r = &ev->chk;
  for (int l = 0; l < NL; l++) ev->pp[l] = -1;
  if (!I->eperim || r->npieces > 0) return;
  double *A = xcalloc((size_t)r->ngrids, sizeof(double));
  double *P = xcalloc((size_t)r->ngrids, sizeof(double));
  for (int l = 0; l < NL; l++) {
    const int *ug = r->unit_grid + (size_t)l * I->n;
    for (int u = 0; u < I->n; u++) {
      int g = ug[u];
      A[g] += I->area[u];
      P[g] += I->bperim[u];
      for (int j = I->xadj[u]; j < I->xadj[u + 1]; j++)
        if (ug[I->adj[j]] != g) P[g] += I->eperim[j];
    }
  }
  double sum[NL] = {0};
  int cnt[NL] = {0};
  for (int g = 0; g < r->ngrids; g++) {
    int l = r->grids[g].level - 1;
    if (P[g] > 0) {
      sum[l] += 4 * M_PI * A[g] / (P[g] * P[g]);
      cnt[l]++;
    }
  }
  for (int l = 0; l < NL; l++) ev->pp[l] = cnt[l] ? sum[l] / cnt[l] : -1;
  free(A);
  free(P);
}

/* ---- methods -------------------------------------------------------------- */

enum { M_OURS, M_METIS, M_METIS_FREE, M_MAXP, M_COUNT };
static const char *const method_name[M_COUNT] = {"ours (wg_divide_run)",
                                                 "METIS -contig",
                                                 "METIS (no contig)", "max-p"};

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Run method `meth` reps times on hh (prev: ours' previous numbers or NULL),
 * evaluate the last plan. For ours, *res_out (if given) gets the result. */
static void run_method(const inst_t *I, const long *hh, int meth, int reps,
                       const int *prev, const wg_divide_piece_t *prev_pieces,
                       int nprev_pieces, eval_t *ev, wg_divide_result_t *res_out) {
  memset(ev, 0, sizeof *ev);
  double times[64];
  if (reps > 64) reps = 64;
  if (meth == M_OURS) {
    wg_divide_input_t in = make_input(I, hh);
    in.prev = prev;
    in.prev_pieces = prev_pieces;
    in.nprev_pieces = nprev_pieces;
    wg_divide_result_t res;
    for (int r = 0; r < reps; r++) {
      wg_errinfo ei;
      memset(&ei, 0, sizeof ei);
      double t0 = now();
      if (wg_divide_run(&in, &res, &ei) != WG_OK) {
        fprintf(stderr, "divide: %s\n", ei.why);
        exit(1);
      }
      times[r] = now() - t0;
      if (r + 1 < reps) wg_divide_result_free(&res);
    }
    /* evaluate through the same checker as the peers */
    wg_errinfo ei;
    memset(&ei, 0, sizeof ei);
    in.prev = NULL;
    if (wg_divide_check(&in, res.unit_grid, res.pieces, res.npieces, &ev->chk,
                        &ei) != WG_OK) {
      fprintf(stderr, "check: %s\n", ei.why);
      exit(1);
    }
    snprintf(ev->note, sizeof ev->note, "core's own count: %d avoidable, %d forced",
             res.avoidable, res.forced);
    if (res_out)
      *res_out = res;
    else
      wg_divide_result_free(&res);
  } else {
    peer_t kind = meth == M_METIS ? P_METIS : meth == M_METIS_FREE ? P_METIS_FREE : P_MAXP;
    items_t it;
    int *lab = NULL;
    peer_ctx_t c;
    for (int r = 0; r < reps; r++) {
      double t0 = now();
      memset(&it, 0, sizeof it);
      items_build(&it, I, hh);
      lab = xmalloc((size_t)NL * it.m * sizeof(int));
      peer_divide(I, &it, kind, lab, &c);
      times[r] = now() - t0;
      if (r + 1 < reps) {
        free(lab);
        items_free(&it);
      }
    }
    check_items(I, hh, &it, lab, ev);
    if (kind != P_MAXP)
      snprintf(ev->note, sizeof ev->note,
               "%d METIS calls, %d CONTIG fallbacks, %d failures; %d "
               "disconnected parents",
               c.metis_calls, c.metis_fallbacks, c.metis_failures,
               c.disconnected_parents);
    else
      snprintf(ev->note, sizeof ev->note, "%d disconnected parents",
               c.disconnected_parents);
    free(lab);
    items_free(&it);
  }
  qsort(times, (size_t)reps, sizeof(double), cmp_double);
  ev->time = times[reps / 2];
  polsby_popper(I, ev);
}

/* ---- stability ------------------------------------------------------------ */

static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Per grid of a checked plan, a hash of its member set (unit, piece
 * ordinal). Returns [ngrids]; caller frees. */
static uint64_t *grid_hashes(const wg_divide_result_t *r) {
  uint64_t *h = xcalloc((size_t)r->ngrids, sizeof(uint64_t));
  int *np = xcalloc((size_t)r->n, sizeof(int));
  for (int k = 0; k < r->npieces; k++) {
    const wg_divide_piece_t *pc = &r->pieces[k];
    uint64_t key = mix64((uint64_t)pc->unit * 64 + (uint64_t)np[pc->unit]++);
    for (int l = 0; l < r->nlevels; l++) h[pc->grid[l]] += key;
  }
  for (int u = 0; u < r->n; u++) {
    if (np[u]) continue;
    uint64_t key = mix64((uint64_t)u * 64);
    for (int l = 0; l < r->nlevels; l++) {
      int g = r->unit_grid[(size_t)l * r->n + u];
      if (g >= 0) h[g] += key;
    }
  }
  free(np);
  return h;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

typedef struct change {
  int grids, changed;          /* all levels */
  int lgrids[NL], lchanged[NL];
  double hh_share;             /* households whose grid changed at some level:
                                  their new grid is not the one continuing
                                  their old grid (strict majority of
                                  households both ways, as the core numbers) */
  double hh_share_level[NL];
} change_t;

typedef struct item {
  int unit, ord;     /* unit and piece ordinal (0 when whole) */
  int grid[NL];      /* grid index per level */
  long w;            /* households */
} item_t;

/* The plan's units and pieces in unit order, with households from hh for
 * whole units and from the pieces otherwise. Caller frees. */
static item_t *plan_items(const wg_divide_result_t *r, const long *hh, int *count) {
  int *np = xcalloc((size_t)r->n + 1, sizeof(int));
  for (int k = 0; k < r->npieces; k++) np[r->pieces[k].unit]++;
  int *first = xmalloc((size_t)r->n * sizeof(int));
  for (int u = 0; u < r->n; u++) first[u] = -1;
  for (int k = r->npieces - 1; k >= 0; k--) first[r->pieces[k].unit] = k;
  int m = 0;
  for (int u = 0; u < r->n; u++) m += np[u] ? np[u] : 1;
  item_t *it = xmalloc((size_t)m * sizeof *it);
  int i = 0;
  for (int u = 0; u < r->n; u++) {
    if (!np[u]) {
      it[i].unit = u;
      it[i].ord = 0;
      it[i].w = hh[u];
      for (int l = 0; l < NL; l++) it[i].grid[l] = r->unit_grid[(size_t)l * r->n + u];
      i++;
      continue;
    }
    /* a unit's pieces are listed together */
    for (int j = 0; j < np[u]; j++) {
      const wg_divide_piece_t *pc = &r->pieces[first[u] + j];
      it[i].unit = u;
      it[i].ord = j;
      it[i].w = pc->households;
      for (int l = 0; l < NL; l++) it[i].grid[l] = pc->grid[l];
      i++;
    }
  }
  free(np);
  free(first);
  *count = m;
  return it;
}

typedef struct ovl {
  int ga, gb;  /* old grid, new grid */
  long w;
  int item;
} ovl_t;

static int cmp_ovl(const void *a, const void *b) {
  const ovl_t *x = a, *y = b;
  if (x->ga != y->ga) return (x->ga > y->ga) - (x->ga < y->ga);
  return (x->gb > y->gb) - (x->gb < y->gb);
}

/* Compare plan b (after the move, households hh) with plan a (before). */
static change_t compare_plans(const wg_divide_result_t *a,
                              const wg_divide_result_t *b, const long *hh) {
  change_t ch;
  memset(&ch, 0, sizeof ch);
  uint64_t *ha = grid_hashes(a), *hb = grid_hashes(b);
  int *chg = xcalloc((size_t)b->ngrids, sizeof(int));
  uint64_t *sorted = xmalloc((size_t)a->ngrids * sizeof(uint64_t));
  for (int l = 0; l < NL; l++) {
    int na = 0;
    for (int g = 0; g < a->ngrids; g++)
      if (a->grids[g].level == l + 1) sorted[na++] = ha[g];
    qsort(sorted, (size_t)na, sizeof(uint64_t), cmp_u64);
    for (int g = 0; g < b->ngrids; g++) {
      if (b->grids[g].level != l + 1) continue;
      chg[g] = !bsearch(&hb[g], sorted, (size_t)na, sizeof(uint64_t), cmp_u64);
      ch.lgrids[l]++;
      ch.lchanged[l] += chg[g];
      ch.grids++;
      ch.changed += chg[g];
    }
  }
  free(sorted);
  /* households: items (unit, piece ordinal) of b with the new households;
   * an item's old grid is that of the same ordinal in a (its unit's last
   * piece when a cut it into fewer) */
  int ni = 0;
  item_t *ib = plan_items(b, hh, &ni);
  int na = 0;
  item_t *ia = plan_items(a, hh, &na);
  int *astart = xcalloc((size_t)a->n + 1, sizeof(int));
  for (int i = 0; i < na; i++) astart[ia[i].unit + 1]++;
  for (int u = 0; u < a->n; u++) astart[u + 1] += astart[u];
  long total = 0, moved = 0, lmoved[NL] = {0};
  int *mv = xcalloc((size_t)ni, sizeof(int));
  ovl_t *ov = xmalloc((size_t)ni * sizeof *ov);
  long *massa = xcalloc((size_t)a->ngrids, sizeof(long));
  long *massb = xcalloc((size_t)b->ngrids, sizeof(long));
  int *match = xmalloc((size_t)b->ngrids * sizeof(int));
  for (int l = 0; l < NL; l++) {
    for (int i = 0; i < ni; i++) {
      int u = ib[i].unit, cnt = astart[u + 1] - astart[u];
      int j = ib[i].ord < cnt ? ib[i].ord : cnt - 1;
      ov[i].ga = ia[astart[u] + j].grid[l];
      ov[i].gb = ib[i].grid[l];
      ov[i].w = ib[i].w;
      ov[i].item = i;
    }
    memset(massa, 0, (size_t)a->ngrids * sizeof(long));
    memset(massb, 0, (size_t)b->ngrids * sizeof(long));
    for (int i = 0; i < ni; i++) {
      if (ov[i].ga >= 0) massa[ov[i].ga] += ov[i].w;
      if (ov[i].gb >= 0) massb[ov[i].gb] += ov[i].w;
    }
    for (int g = 0; g < b->ngrids; g++) match[g] = -1;
    qsort(ov, (size_t)ni, sizeof *ov, cmp_ovl);
    for (int i = 0; i < ni;) {
      int k = i;
      long w = 0;
      while (k < ni && ov[k].ga == ov[i].ga && ov[k].gb == ov[i].gb) w += ov[k++].w;
      if (ov[i].ga >= 0 && ov[i].gb >= 0 && 2 * w > massa[ov[i].ga] &&
          2 * w > massb[ov[i].gb])
        match[ov[i].gb] = ov[i].ga;
      i = k;
    }
    for (int i = 0; i < ni; i++)
      if (ov[i].gb < 0 || match[ov[i].gb] != ov[i].ga) {
        mv[ov[i].item] = 1;
        lmoved[l] += ov[i].w;
      }
  }
  for (int i = 0; i < ni; i++) {
    total += ib[i].w;
    if (mv[i]) moved += ib[i].w;
  }
  ch.hh_share = total ? (double)moved / total : 0;
  for (int l = 0; l < NL; l++) ch.hh_share_level[l] = total ? (double)lmoved[l] / total : 0;
  free(ib);
  free(ia);
  free(astart);
  free(mv);
  free(ov);
  free(massa);
  free(massb);
  free(match);
  free(ha);
  free(hb);
  free(chg);
  return ch;
}

/* Move `share` of the households one at a time from a random unit to a
 * random unit of the same group (seeded), as bench/divide_bench.c does. */
static long *move_households(const inst_t *I, double share, uint64_t seed) {
  long *hh = xmalloc((size_t)I->n * sizeof(long));
  memcpy(hh, I->hh, (size_t)I->n * sizeof(long));
  long total = 0;
  for (int u = 0; u < I->n; u++) total += hh[u];
  cgen_rng_t r = {seed};
  long target = (long)(total * share), moved = 0;
  while (moved < target) {
    int a = (int)cgen_range(&r, 0, I->n - 1), b = (int)cgen_range(&r, 0, I->n - 1);
    if (a == b || hh[a] == 0 || I->group[a] != I->group[b]) continue;
    hh[a]--;
    hh[b]++;
    moved++;
  }
  return hh;
}

/* ---- report --------------------------------------------------------------- */

static void fmt_levels(char *buf, size_t cap, const double *v, const char *f) {
  size_t k = 0;
  for (int l = 0; l < NL && k < cap; l++) {
    if (l) k += (size_t)snprintf(buf + k, cap - k, " / ");
    if (k >= cap) break;
    if (v[l] < 0)
      k += (size_t)snprintf(buf + k, cap - k, "–");
    else
      k += (size_t)snprintf(buf + k, cap - k, f, v[l]);
  }
}

static void print_row(const char *name, const eval_t *ev) {
  const wg_divide_result_t *r = &ev->chk;
  double grids[NL], inb[NL], inbf[NL], contig[NL], pp[NL], prox[NL], w20[NL];
  for (int l = 0; l < NL; l++) {
    const wg_divide_level_stats_t *s = &r->stats[l];
    double gN = s->grids ? s->grids : 1;
    grids[l] = s->grids;
    inb[l] = 100.0 * (s->grids - s->out_of_bounds) / gN;
    inbf[l] = 100.0 * (s->grids - s->out_of_bounds + s->out_of_bounds_forced) / gN;
    contig[l] = 100.0 * (s->grids - s->noncontiguous) / gN;
    pp[l] = ev->pp[l];
    prox[l] = s->mean_compactness;
    w20[l] = 100.0 * s->within_target;
  }
  char a[96], b[96], c[96], d[96], e[96], f[96], g[96];
  fmt_levels(a, sizeof a, grids, "%.0f");
  fmt_levels(b, sizeof b, inb, "%.1f");
  fmt_levels(c, sizeof c, inbf, "%.1f");
  fmt_levels(d, sizeof d, contig, "%.1f");
  fmt_levels(e, sizeof e, pp, "%.3f");
  fmt_levels(f, sizeof f, prox, "%.3f");
  fmt_levels(g, sizeof g, w20, "%.1f");
  int nest = 0;
  for (int l = 0; l < NL; l++) nest += r->stats[l].nesting_errors;
  printf("| %s | %.3f s | %s | %s | %s | %s | %s | %s | %s | %d |\n", name,
         ev->time, a, b, c, d, e, f, g, nest);
}

static void run_instance(const inst_t *I, int reps) {
  long total = 0;
  for (int u = 0; u < I->n; u++) total += I->hh[u];
  long edges = 0;
  for (int u = 0; u < I->n; u++) edges += I->xadj[u + 1] - I->xadj[u];
  printf("\n### %s\n\n", I->name);
  printf("%d units, %ld %s, %d groups, %ld edges; bounds %ld-%ld / "
         "%ld-%ld / %ld-%ld %s; times are the median of %d runs\n\n",
         I->n, total, I->weight, I->ngroups, edges / 2, I->bounds[0].lo, I->bounds[0].hi,
         I->bounds[1].lo, I->bounds[1].hi, I->bounds[2].lo, I->bounds[2].hi, I->weight, reps);
  printf("| method | time | grids L1 / L2 / L3 | in bounds %% | in bounds or "
         "forced %% | contiguous %% | mean Polsby-Popper | mean compactness "
         "proxy | within ±20%% of target %% | nesting errors |\n");
  printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  eval_t ev[M_COUNT];
  wg_divide_result_t ours;
  memset(&ours, 0, sizeof ours);
  for (int m = 0; m < M_COUNT; m++) {
    run_method(I, I->hh, m, reps, NULL, NULL, 0, &ev[m], m == M_OURS ? &ours : NULL);
    print_row(method_name[m], &ev[m]);
  }
  printf("\n");
  for (int m = 0; m < M_COUNT; m++) {
    const wg_divide_result_t *r = &ev[m].chk;
    int kinds[WG_DIVIDE_V_COUNT_] = {0}, fk[WG_DIVIDE_V_COUNT_] = {0};
    for (int v = 0; v < r->nviolations; v++) {
      if (r->violations[v].forced) fk[r->violations[v].kind]++;
      else kinds[r->violations[v].kind]++;
    }
    printf("- %s: checker: %d avoidable (", method_name[m], r->avoidable);
    int first = 1;
    for (int k = 0; k < WG_DIVIDE_V_COUNT_; k++)
      if (kinds[k]) {
        printf("%s%s %d", first ? "" : ", ", wg_divide_vkind_name((wg_divide_vkind_t)k), kinds[k]);
        first = 0;
      }
    printf("), %d forced (", r->forced);
    first = 1;
    for (int k = 0; k < WG_DIVIDE_V_COUNT_; k++)
      if (fk[k]) {
        printf("%s%s %d", first ? "" : ", ", wg_divide_vkind_name((wg_divide_vkind_t)k), fk[k]);
        first = 0;
      }
    printf("); %s per grid min/median/max L1 %ld/%ld/%ld, L2 "
           "%ld/%ld/%ld, L3 %ld/%ld/%ld; %s\n",
           I->weight, r->stats[0].min, r->stats[0].median, r->stats[0].max, r->stats[1].min,
           r->stats[1].median, r->stats[1].max, r->stats[2].min,
           r->stats[2].median, r->stats[2].max, ev[m].note);
    if (verbose && m == M_OURS)
      for (int v = 0; v < r->nviolations; v++)
        if (!r->violations[v].forced) {
          printf("  - avoidable %s, level %d, %ld households, %d units: %s\n",
                 wg_divide_vkind_name(r->violations[v].kind), r->violations[v].level,
                 r->violations[v].households, r->violations[v].nunits,
                 r->violations[v].reason);
          for (int k = 0; k < r->violations[v].nunits && k < 4; k++) {
            int u = r->violations[v].units[k], l = r->violations[v].level - 1;
            const int *ug = r->unit_grid + (size_t)l * I->n;
            const int *pg = l ? r->unit_grid + (size_t)(l - 1) * I->n : NULL;
            printf("    unit %d (%ld):", u, I->hh[u]);
            for (int j = I->xadj[u]; j < I->xadj[u + 1]; j++) {
              int w = I->adj[j];
              if (ug[w] >= 0)
                printf(" %d(%ld%s, grid %ld)", w, I->hh[w],
                       pg && pg[w] != pg[u] ? ", other parent" : "",
                       r->grids[ug[w]].households);
              else
                printf(" %d(%ld, split)", w, I->hh[w]);
            }
            printf("\n");
          }
        }
  }

  /* stability */
  long *hh2 = move_households(I, 0.01, 77);
  int n = I->n;
  int *prev = xmalloc((size_t)NL * n * sizeof(int));
  for (int l = 0; l < NL; l++)
    for (int u = 0; u < n; u++) {
      int g = ours.unit_grid[(size_t)l * n + u];
      prev[(size_t)l * n + u] = g >= 0 ? ours.grids[g].number : 0;
    }
  wg_divide_piece_t *pp = xmalloc((size_t)(ours.npieces + 1) * sizeof *pp);
  for (int k = 0; k < ours.npieces; k++) {
    pp[k] = ours.pieces[k];
    for (int l = 0; l < NL; l++) pp[k].grid[l] = ours.grids[ours.pieces[k].grid[l]].number;
  }
  printf("\nStability: %ld %s (1%%) moved one at a time between random "
         "units of the same group (seed 77), then:\n\n", total / 100, I->weight);
  printf("| method | time | grids changed | L1 / L2 / L3 | %s whose "
         "grid changed | L1 / L2 / L3 | in bounds or forced %% after | "
         "contiguous %% after |\n", I->weight);
  printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (int m = -1; m < M_COUNT; m++) {
    eval_t e2;
    wg_divide_result_t res2;
    memset(&res2, 0, sizeof res2);
    int meth = m < 0 ? M_OURS : m;
    run_method(I, hh2, meth, reps, m < 0 ? prev : NULL, m < 0 ? pp : NULL,
               m < 0 ? ours.npieces : 0, &e2, meth == M_OURS ? &res2 : NULL);
    change_t ch = compare_plans(&ev[meth].chk, &e2.chk, hh2);
    char name[96];
    snprintf(name, sizeof name, "%s%s", method_name[meth],
             m < 0 ? ", re-divide with prev" : ", full rebuild");
    double lg[NL], lh[NL], inbf[NL], contig[NL];
    for (int l = 0; l < NL; l++) {
      const wg_divide_level_stats_t *s = &e2.chk.stats[l];
      double gN = s->grids ? s->grids : 1;
      lg[l] = ch.lgrids[l] ? 100.0 * ch.lchanged[l] / ch.lgrids[l] : 0;
      lh[l] = 100.0 * ch.hh_share_level[l];
      inbf[l] = 100.0 * (s->grids - s->out_of_bounds + s->out_of_bounds_forced) / gN;
      contig[l] = 100.0 * (s->grids - s->noncontiguous) / gN;
    }
    char a[96], b[96], c[96], d[96];
    fmt_levels(a, sizeof a, lg, "%.1f");
    fmt_levels(b, sizeof b, lh, "%.2f");
    fmt_levels(c, sizeof c, inbf, "%.1f");
    fmt_levels(d, sizeof d, contig, "%.1f");
    printf("| %s | %.3f s | %d of %d (%.1f%%) | %s | %.2f%% | %s | %s | %s |\n",
           name, e2.time, ch.changed, ch.grids,
           ch.grids ? 100.0 * ch.changed / ch.grids : 0.0, a, 100 * ch.hh_share, b,
           c, d);
    if (m < 0) {
      int kept = 0;
      for (int g = 0; g < res2.ngrids; g++) kept += res2.grids[g].kept == 1;
      printf("| (core's own count: grids not kept %d of %d (%.1f%%), %s "
             "whose code changed %.2f%%) | | | | | | | |\n",
             res2.ngrids - kept, res2.ngrids,
             res2.ngrids ? 100.0 * (res2.ngrids - kept) / res2.ngrids : 0.0,
             I->weight, 100 * res2.changed_share);
    }
    wg_divide_result_free(&res2);
    wg_divide_result_free(&e2.chk);
  }
  for (int m = 0; m < M_COUNT; m++) wg_divide_result_free(&ev[m].chk);
  wg_divide_result_free(&ours);
  free(prev);
  free(pp);
  free(hh2);
}

int main(int argc, char **argv) {
  int reps = 3;
  const char *only = NULL;
  const char *ark = "bench/data/arkansas-bg-2020/05_bg_census_consolidated.json";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = (int)strtol(argv[++i], NULL, 10);
      if (reps < 1 || reps > 64) reps = 3;
    } else if (strcmp(argv[i], "-v") == 0) {
      verbose = 1;
    } else if (strcmp(argv[i], "--no-geometry") == 0) {
      use_geometry = 0;
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      ark = argv[i];
    }
  }
  if (!only || strcmp(only, "arkansas") == 0) {
    inst_t I;
    if (make_arkansas_inst(&I, ark) != 0) return 1;
    run_instance(&I, reps);
    inst_free(&I);
  }
  if (!only || strcmp(only, "county") == 0) {
    inst_t I;
    make_county_inst(&I);
    run_instance(&I, reps);
    inst_free(&I);
  }
  return 0;
}
