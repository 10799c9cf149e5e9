/* divide_gen_county.h — the generated county of the divide benchmarks.
 *
 * Shared by bench/divide_bench.c and bench/divide_compare.c (neither is
 * built by CMake); header-only, everything static.
 *
 * The instance: urban communities of ~2,000-3,200 households in entrances of
 * 4-30 households on a 25 m lattice, and villages of ~150-320 households in
 * courtyards of 1-6 households on a 15 m lattice, each village one level-1
 * grid (whole_l1). Each group is a jittered, triangulated lattice with 3% of
 * its edges dropped; edges are listed once (u < v in build order) and never
 * cross groups. 57% of households are urban.
 */
#ifndef WG_BENCH_DIVIDE_GEN_COUNTY_H
#define WG_BENCH_DIVIDE_GEN_COUNTY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide.h"

typedef struct cgen_rng {
  uint64_t s;
} cgen_rng_t;

static inline uint64_t cgen_next(cgen_rng_t *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return r->s;
}

/* Uniform in lo..hi inclusive. */
static inline long cgen_range(cgen_rng_t *r, long lo, long hi) {
  return lo + (long)(cgen_next(r) % (uint64_t)(hi - lo + 1));
}

static inline double cgen_unit01(cgen_rng_t *r) {
  return (double)(cgen_next(r) >> 11) / 9007199254740992.0;
}

typedef struct county {
  int n, cap, ngroups;
  long *hh;                    /* [n] households per unit */
  double *x, *y;               /* [n] planar metres */
  int *group;                  /* [n] group id */
  int *eu, *ev;                /* [ne] edge list, each edge once */
  long ne, ecap;
  wg_divide_group_rule_t *rules; /* [ngroups] */
  int rcap;
  int *xadj, *adj;             /* CSR of the edge list (one direction) */
} county_t;

static inline void *cgen_xrealloc(void *p, size_t sz) {
  void *q = realloc(p, sz);
  if (!q) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return q;
}

static inline void cgen_add_unit(county_t *c, double x, double y, long h,
                                 int g) {
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 1024;
    c->hh = cgen_xrealloc(c->hh, (size_t)c->cap * sizeof(long));
    c->x = cgen_xrealloc(c->x, (size_t)c->cap * sizeof(double));
    c->y = cgen_xrealloc(c->y, (size_t)c->cap * sizeof(double));
    c->group = cgen_xrealloc(c->group, (size_t)c->cap * sizeof(int));
  }
  c->hh[c->n] = h;
  c->x[c->n] = x;
  c->y[c->n] = y;
  c->group[c->n] = g;
  c->n++;
}

static inline void cgen_add_edge(county_t *c, int u, int v) {
  if (c->ne == c->ecap) {
    c->ecap = c->ecap ? 2 * c->ecap : 4096;
    c->eu = cgen_xrealloc(c->eu, (size_t)c->ecap * sizeof(int));
    c->ev = cgen_xrealloc(c->ev, (size_t)c->ecap * sizeof(int));
  }
  c->eu[c->ne] = u;
  c->ev[c->ne] = v;
  c->ne++;
}

/* One group: a jittered, triangulated W×H lattice at (ox, oy), spacing sp,
 * with households per unit from hlo..hhi until `target` is reached. */
static inline void cgen_add_group(county_t *c, cgen_rng_t *r, double ox,
                                  double oy, double sp, long target, long hlo,
                                  long hhi, int whole) {
  int g = c->ngroups++;
  if (c->ngroups > c->rcap) {
    c->rcap = c->rcap ? 2 * c->rcap : 64;
    c->rules = cgen_xrealloc(c->rules, (size_t)c->rcap * sizeof *c->rules);
  }
  memset(&c->rules[g], 0, sizeof c->rules[g]);
  c->rules[g].whole_l1 = whole;
  long avg = (hlo + hhi) / 2;
  int units = (int)(target / (avg ? avg : 1)) + 1;
  int W = 1;
  while (W * W < units) W++;
  int base = c->n;
  long sum = 0;
  for (int k = 0; k < units; k++) {
    int i = k % W, j = k / W;
    long h = cgen_range(r, hlo, hhi);
    if (sum + h > target) h = target - sum;
    if (h < 0) h = 0;
    sum += h;
    cgen_add_unit(c, ox + i * sp + (cgen_unit01(r) - 0.5) * sp * 0.5,
                  oy + j * sp + (cgen_unit01(r) - 0.5) * sp * 0.5, h, g);
  }
  for (int k = 0; k < units; k++) {
    int i = k % W, u = base + k;
    int nb[3] = {i + 1 < W && k + 1 < units ? u + 1 : -1,
                 k + W < units ? u + W : -1,
                 i + 1 < W && k + W + 1 < units ? u + W + 1 : -1};
    for (int t = 0; t < 3; t++)
      if (nb[t] >= 0 && cgen_range(r, 0, 99) >= 3) cgen_add_edge(c, u, nb[t]);
  }
}

static inline void cgen_build_csr(county_t *c) {
  c->xadj = calloc((size_t)c->n + 1, sizeof(int));
  c->adj = malloc((size_t)(c->ne ? c->ne : 1) * sizeof(int));
  int *fill = malloc(((size_t)c->n + 1) * sizeof(int));
  if (!c->xadj || !c->adj || !fill) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  for (long e = 0; e < c->ne; e++) c->xadj[c->eu[e] + 1]++;
  for (int u = 0; u < c->n; u++) c->xadj[u + 1] += c->xadj[u];
  memcpy(fill, c->xadj, ((size_t)c->n + 1) * sizeof(int));
  for (long e = 0; e < c->ne; e++) c->adj[fill[c->eu[e]]++] = c->ev[e];
  free(fill);
}

/* A county (or prefecture) of about `households`: 57% urban. Fills c (any
 * prior content is overwritten); release with county_free. Exits on OOM. */
static inline void county_make(county_t *c, long households, uint64_t seed) {
  memset(c, 0, sizeof *c);
  cgen_rng_t r = {seed};
  long urban = households * 57 / 100, rural = households - urban;
  int k = 0;
  for (long done = 0; done < urban; k++) {
    long t = cgen_range(&r, 2000, 3200);
    if (done + t > urban) t = urban - done;
    cgen_add_group(c, &r, (k % 20) * 2000.0, (k / 20) * 2000.0, 25.0, t, 4,
                   30, 0);
    done += t;
  }
  k = 0;
  for (long done = 0; done < rural; k++) {
    long t = cgen_range(&r, 150, 320);
    if (done + t > rural) t = rural - done;
    cgen_add_group(c, &r, 100000.0 + (k % 60) * 1500.0, (k / 60) * 1500.0,
                   15.0, t, 1, 6, 1);
    done += t;
  }
  cgen_build_csr(c);
}

/* Free what c owns; accepts a zeroed struct. */
static inline void county_free(county_t *c) {
  free(c->hh);
  free(c->x);
  free(c->y);
  free(c->group);
  free(c->eu);
  free(c->ev);
  free(c->rules);
  free(c->xadj);
  free(c->adj);
  memset(c, 0, sizeof *c);
}

#endif
