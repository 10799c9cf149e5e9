/* divide_gen.h — instance generators and an independent plan verifier for
 * the divide tests. The verifier shares no code with src/divide. */
#ifndef WG_DIVIDE_GEN_H
#define WG_DIVIDE_GEN_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide.h"

typedef struct gen_rng {
  uint64_t s;
} gen_rng;

static inline uint64_t gen_next(gen_rng *r) {
  uint64_t x = r->s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  r->s = x;
  return x;
}

static inline double gen_unit(gen_rng *r) {
  return (double)(gen_next(r) >> 11) / 9007199254740992.0;
}

static inline long gen_range(gen_rng *r, long lo, long hi) {
  return lo + (long)(gen_next(r) % (uint64_t)(hi - lo + 1));
}

typedef struct gen_inst {
  int n, ngroups;
  long *hh;
  double *x, *y;
  int *group;
  int *xadj, *adj;
  /* edge list while building */
  int *eu, *ev;
  int ne, ecap;
  wg_divide_group_rule_t *rules;
} gen_inst;

static inline void gen_alloc(gen_inst *g, int n) {
  memset(g, 0, sizeof *g);
  g->n = n;
  g->hh = calloc((size_t)n + 1, sizeof(long));
  g->x = calloc((size_t)n + 1, sizeof(double));
  g->y = calloc((size_t)n + 1, sizeof(double));
  g->group = calloc((size_t)n + 1, sizeof(int));
  g->ngroups = 1;
}

static inline void gen_edge(gen_inst *g, int u, int v) {
  if (g->ne == g->ecap) {
    g->ecap = g->ecap ? g->ecap * 2 : 64;
    g->eu = realloc(g->eu, (size_t)g->ecap * sizeof(int));
    g->ev = realloc(g->ev, (size_t)g->ecap * sizeof(int));
  }
  g->eu[g->ne] = u;
  g->ev[g->ne] = v;
  g->ne++;
}

/* CSR from the edge list, each edge stored once (the core symmetrises). */
static inline void gen_csr(gen_inst *g) {
  free(g->xadj);
  free(g->adj);
  g->xadj = calloc((size_t)g->n + 1, sizeof(int));
  g->adj = malloc((size_t)(g->ne ? g->ne : 1) * sizeof(int));
  for (int e = 0; e < g->ne; e++) g->xadj[g->eu[e] + 1]++;
  for (int u = 0; u < g->n; u++) g->xadj[u + 1] += g->xadj[u];
  int *fill = malloc(((size_t)g->n + 1) * sizeof(int));
  memcpy(fill, g->xadj, ((size_t)g->n + 1) * sizeof(int));
  for (int e = 0; e < g->ne; e++) g->adj[fill[g->eu[e]]++] = g->ev[e];
  free(fill);
}

static inline void gen_free(gen_inst *g) {
  free(g->hh);
  free(g->x);
  free(g->y);
  free(g->group);
  free(g->xadj);
  free(g->adj);
  free(g->eu);
  free(g->ev);
  free(g->rules);
  memset(g, 0, sizeof *g);
}

/* W×H jittered lattice, spacing 10 m, triangulated (4-neighbours plus one
 * diagonal: a Delaunay-like graph). Groups are gx×gy blocks. Weights: zero
 * with probability zero_pct/100, else 1..maxw. */
static inline void gen_lattice(gen_inst *g, gen_rng *r, int W, int H, int gx,
                               int gy, int zero_pct, long maxw) {
  gen_alloc(g, W * H);
  g->ngroups = gx * gy;
  for (int j = 0; j < H; j++)
    for (int i = 0; i < W; i++) {
      int u = j * W + i;
      g->x[u] = i * 10.0 + (gen_unit(r) - 0.5) * 6.0;
      g->y[u] = j * 10.0 + (gen_unit(r) - 0.5) * 6.0;
      g->group[u] = (j * gy / H) * gx + (i * gx / W);
      g->hh[u] = (gen_range(r, 0, 99) < zero_pct) ? 0 : gen_range(r, 1, maxw);
      if (i + 1 < W) gen_edge(g, u, u + 1);
      if (j + 1 < H) gen_edge(g, u, u + W);
      if (i + 1 < W && j + 1 < H) gen_edge(g, u, u + W + 1);
    }
  gen_csr(g);
}

static inline void gen_input(const gen_inst *g, wg_divide_input_t *in,
                             int nlevels, const long *lohi) {
  memset(in, 0, sizeof *in);
  in->n = g->n;
  in->households = g->hh;
  in->x = g->x;
  in->y = g->y;
  in->group = g->group;
  in->ngroups = g->ngroups;
  in->adj_start = g->xadj;
  in->adj = g->adj;
  in->nlevels = nlevels;
  for (int l = 0; l < nlevels; l++) {
    in->bounds[l].lo = lohi[2 * l];
    in->bounds[l].hi = lohi[2 * l + 1];
  }
  in->rules = g->rules;
}

/* ---- independent verifier ------------------------------------------------ */

typedef struct vitem {
  int unit;
  long hh;
  int grid[WG_DIVIDE_MAX_LEVELS];
} vitem;

/* Symmetric same-group neighbour test via a sorted adjacency built here. */
typedef struct vgraph {
  int n;
  int *xadj, *adj;
} vgraph;

static inline void vgraph_build(vgraph *vg, const wg_divide_input_t *in) {
  int n = in->n;
  int *deg = calloc((size_t)n + 1, sizeof(int));
  for (int u = 0; u < n; u++)
    for (int e = in->adj_start[u]; e < in->adj_start[u + 1]; e++) {
      int v = in->adj[e];
      if (v == u) continue;
      if (in->group && in->group[u] != in->group[v]) continue;
      deg[u]++;
      deg[v]++;
    }
  vg->n = n;
  vg->xadj = calloc((size_t)n + 1, sizeof(int));
  for (int u = 0; u < n; u++) vg->xadj[u + 1] = vg->xadj[u] + deg[u];
  vg->adj = malloc((size_t)(vg->xadj[n] ? vg->xadj[n] : 1) * sizeof(int));
  for (int u = 0; u < n; u++) deg[u] = vg->xadj[u];
  for (int u = 0; u < n; u++)
    for (int e = in->adj_start[u]; e < in->adj_start[u + 1]; e++) {
      int v = in->adj[e];
      if (v == u) continue;
      if (in->group && in->group[u] != in->group[v]) continue;
      vg->adj[deg[u]++] = v;
      vg->adj[deg[v]++] = u;
    }
  free(deg);
}

static inline void vgraph_free(vgraph *vg) {
  free(vg->xadj);
  free(vg->adj);
}

static inline void vbounds(const wg_divide_input_t *in, int group, int l,
                           long *lo, long *hi, int *whole) {
  const wg_divide_bounds_t *b = &in->bounds[l];
  *whole = 0;
  if (in->rules) {
    if (in->rules[group].own_bounds) b = &in->rules[group].bounds[l];
    *whole = in->rules[group].whole_l1 && l == 0;
  }
  *lo = b->lo;
  *hi = b->hi;
}

typedef struct vreport {
  int failures;        /* hard-constraint failures */
  int out_of_bounds;   /* grids out of bounds */
  int unexplained;     /* out of bounds without a forced violation */
  int avoidable_oob;   /* out of bounds with an avoidable violation */
  int noncontig;
  double mean_compactness[WG_DIVIDE_MAX_LEVELS];
} vreport;

#define VFAIL(rep, ...)                  \
  do {                                   \
    if ((rep)->failures < 5) {           \
      printf("#   verify: " __VA_ARGS__); \
      printf("\n");                      \
    }                                    \
    (rep)->failures++;                   \
  } while (0)

/* Verify nesting, coverage, contiguity (BFS), bounds (or a forced
 * violation naming the grid), piece splitting and numbering order. */
static inline vreport verify(const wg_divide_input_t *in,
                             const wg_divide_result_t *res, int check_order) {
  vreport rep;
  memset(&rep, 0, sizeof rep);
  int n = in->n, L = in->nlevels, G = res->ngrids;
  if (res->n != n || res->nlevels != L) {
    VFAIL(&rep, "n/nlevels mismatch");
    return rep;
  }
  /* items */
  int ni = 0;
  for (int u = 0; u < n; u++) {
    int np = 0;
    for (int k = 0; k < res->npieces; k++) np += res->pieces[k].unit == u;
    ni += np ? np : 1;
  }
  vitem *it = calloc((size_t)ni + 1, sizeof *it);
  int *ufirst = malloc(((size_t)n + 1) * sizeof(int));
  int *ucount = calloc((size_t)n + 1, sizeof(int));
  int k = 0;
  for (int u = 0; u < n; u++) {
    ufirst[u] = k;
    long sum = 0;
    int np = 0;
    for (int q = 0; q < res->npieces; q++)
      if (res->pieces[q].unit == u) {
        it[k].unit = u;
        it[k].hh = res->pieces[q].households;
        for (int l = 0; l < L; l++) it[k].grid[l] = res->pieces[q].grid[l];
        sum += it[k].hh;
        k++;
        np++;
      }
    long lo3, hi3;
    int wh;
    vbounds(in, in->group ? in->group[u] : 0, L - 1, &lo3, &hi3, &wh);
    if (np) {
      if (sum != in->households[u]) VFAIL(&rep, "unit %d pieces sum %ld", u, sum);
      if (in->households[u] <= hi3) VFAIL(&rep, "unit %d split needlessly", u);
      long want = (in->households[u] + hi3 - 1) / hi3;
      if (np != want) VFAIL(&rep, "unit %d: %d pieces, want %ld", u, np, want);
      for (int q = ufirst[u]; q < k; q++)
        if (it[q].hh > hi3) VFAIL(&rep, "unit %d piece over bound", u);
      for (int l = 0; l < L; l++) {
        int same = 1;
        for (int q = ufirst[u] + 1; q < k; q++)
          same &= it[q].grid[l] == it[ufirst[u]].grid[l];
        int want_g = same ? it[ufirst[u]].grid[l] : WG_DIVIDE_SPLIT;
        if (res->unit_grid[(size_t)l * n + u] != want_g)
          VFAIL(&rep, "unit %d level %d unit_grid inconsistent", u, l + 1);
      }
    } else {
      if (in->households[u] > hi3) VFAIL(&rep, "unit %d over bound not split", u);
      it[k].unit = u;
      it[k].hh = in->households[u];
      for (int l = 0; l < L; l++) it[k].grid[l] = res->unit_grid[(size_t)l * n + u];
      k++;
    }
    ucount[u] = k - ufirst[u];
  }
  ufirst[n] = k;
  /* coverage, levels, nesting, groups */
  long *gh = calloc((size_t)G + 1, sizeof(long));
  int *gm = calloc((size_t)G + 1, sizeof(int));
  for (int i = 0; i < ni; i++) {
    int grp = in->group ? in->group[it[i].unit] : 0;
    for (int l = 0; l < L; l++) {
      int g = it[i].grid[l];
      if (g < 0 || g >= G) {
        VFAIL(&rep, "unit %d level %d unassigned (%d)", it[i].unit, l + 1, g);
        continue;
      }
      if (res->grids[g].level != l + 1) VFAIL(&rep, "grid %d level wrong", g);
      if (res->grids[g].group != grp) VFAIL(&rep, "grid %d crosses group", g);
      int want_parent = l == 0 ? -1 : it[i].grid[l - 1];
      if (res->grids[g].parent != want_parent)
        VFAIL(&rep, "grid %d nesting: unit %d parent %d vs %d", g,
              it[i].unit, res->grids[g].parent, want_parent);
      gh[g] += it[i].hh;
      gm[g]++;
    }
  }
  for (int g = 0; g < G; g++) {
    if (gm[g] == 0) VFAIL(&rep, "grid %d empty", g);
    if (gh[g] != res->grids[g].households)
      VFAIL(&rep, "grid %d households %ld vs %ld", g, gh[g],
            res->grids[g].households);
  }
  /* contiguity: BFS over items of each grid; pieces of a unit adjacent to
   * each other and to all items of neighbour units */
  vgraph vg;
  vgraph_build(&vg, in);
  int *seen = calloc((size_t)ni + 1, sizeof(int));
  int *queue = malloc(((size_t)ni + 1) * sizeof(int));
  int *first_of = malloc(((size_t)G + 1) * sizeof(int));
  for (int g = 0; g < G; g++) first_of[g] = -1;
  for (int l = 0; l < L; l++)
    for (int i = 0; i < ni; i++) {
      int g = it[i].grid[l];
      if (g >= 0 && g < G && first_of[g] < 0) first_of[g] = i;
    }
  int stamp = 0;
  for (int g = 0; g < G; g++) {
    if (first_of[g] < 0) continue;
    int l = res->grids[g].level - 1;
    stamp++;
    int qh = 0, qt = 0;
    queue[qt++] = first_of[g];
    seen[first_of[g]] = stamp;
    while (qh < qt) {
      int i = queue[qh++], u = it[i].unit;
      for (int pass = -1; pass < vg.xadj[u + 1] - vg.xadj[u]; pass++) {
        int v = pass < 0 ? u : vg.adj[vg.xadj[u] + pass];
        for (int j = ufirst[v]; j < ufirst[v] + ucount[v]; j++)
          if (seen[j] != stamp && it[j].grid[l] == g) {
            seen[j] = stamp;
            queue[qt++] = j;
          }
      }
    }
    if (qt != gm[g]) {
      rep.noncontig++;
      VFAIL(&rep, "grid %d (level %d) not contiguous: %d of %d", g, l + 1, qt,
            gm[g]);
    }
  }
  /* bounds: out of bounds only with a violation naming the grid */
  for (int g = 0; g < G; g++) {
    long lo, hi;
    int whole;
    vbounds(in, res->grids[g].group, res->grids[g].level - 1, &lo, &hi, &whole);
    if (whole) continue;
    if (gh[g] >= lo && gh[g] <= hi) continue;
    rep.out_of_bounds++;
    int found = 0, forced = 0;
    for (int v = 0; v < res->nviolations; v++)
      if (res->violations[v].grid == g &&
          (res->violations[v].kind == WG_DIVIDE_V_UNDER ||
           res->violations[v].kind == WG_DIVIDE_V_OVER ||
           res->violations[v].kind == WG_DIVIDE_V_ISOLATED ||
           res->violations[v].kind == WG_DIVIDE_V_UNIT_OVER)) {
        found = 1;
        forced = res->violations[v].forced && res->violations[v].reason[0];
      }
    if (!found) {
      rep.unexplained++;
      VFAIL(&rep, "grid %d out of bounds (%ld not in %ld-%ld), not reported",
            g, gh[g], lo, hi);
    } else if (!forced) {
      rep.avoidable_oob++;
    }
  }
  /* numbering: within each parent 1..k distinct when check_order, and in
   * the documented row / x order */
  if (check_order) {
    for (int l = 0; l < L; l++) {
      /* parents: -1 per group at level 0 */
      for (int g = 0; g < G; g++) {
        if (res->grids[g].level != l + 1) continue;
        int pk = res->grids[g].parent, grp = res->grids[g].group;
        /* process each parent once: at its first child */
        int firstchild = 1;
        for (int h = 0; h < g; h++)
          if (res->grids[h].level == l + 1 && res->grids[h].parent == pk &&
              res->grids[h].group == grp)
            firstchild = 0;
        if (!firstchild) continue;
        int cnt = 0;
        int *kids = malloc((size_t)G * sizeof(int));
        for (int h = 0; h < G; h++)
          if (res->grids[h].level == l + 1 && res->grids[h].parent == pk &&
              res->grids[h].group == grp)
            kids[cnt++] = h;
        /* extent of the parent's units */
        double ymin = INFINITY, ymax = -INFINITY;
        for (int i = 0; i < ni; i++) {
          int gi = it[i].grid[l];
          if (gi < 0 || res->grids[gi].parent != pk ||
              res->grids[gi].group != grp)
            continue;
          double y = in->y[it[i].unit];
          if (y < ymin) ymin = y;
          if (y > ymax) ymax = y;
        }
        int rows = (int)floor(sqrt((double)cnt) + 0.5);
        if (rows < 1) rows = 1;
        double h = (ymax - ymin) / rows;
        int *byn = calloc((size_t)cnt + 1, sizeof(int));
        for (int c = 0; c < cnt; c++) {
          int num = res->grids[kids[c]].number;
          if (num < 1 || num > cnt || byn[num - 1]) {
            VFAIL(&rep, "numbers under parent %d not 1..%d", pk, cnt);
            break;
          }
          byn[num - 1] = kids[c] + 1;
        }
        for (int c = 0; c + 1 < cnt; c++) {
          if (!byn[c] || !byn[c + 1]) break;
          const wg_divide_grid_t *a = &res->grids[byn[c] - 1];
          const wg_divide_grid_t *b = &res->grids[byn[c + 1] - 1];
          int ra = h > 0 ? (int)floor((ymax - a->cy) / h) : 0;
          int rb = h > 0 ? (int)floor((ymax - b->cy) / h) : 0;
          if (ra > rows - 1) ra = rows - 1;
          if (rb > rows - 1) rb = rows - 1;
          if (ra < 0) ra = 0; /* a mean may round past ymax */
          if (rb < 0) rb = 0;
          if (ra > rb || (ra == rb && a->cx > b->cx))
            VFAIL(&rep, "numbering order under parent %d: %d before %d", pk,
                  a->number, b->number);
        }
        free(byn);
        free(kids);
      }
    }
  }
  for (int l = 0; l < L; l++) {
    double s = 0;
    int c = 0;
    for (int g = 0; g < G; g++)
      if (res->grids[g].level == l + 1) {
        s += res->grids[g].compactness;
        c++;
      }
    rep.mean_compactness[l] = c ? s / c : 0;
  }
  vgraph_free(&vg);
  free(seen);
  free(queue);
  free(first_of);
  free(gh);
  free(gm);
  free(it);
  free(ufirst);
  free(ucount);
  return rep;
}

#endif
