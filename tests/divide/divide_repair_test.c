/* divide_repair_test.c — regression tests for issue 3's follow-ups: split
 * units' pieces touching the neighbours, level-2 cuts repaired when they
 * leave no feasible level-3 cut, and Polsby-Popper as the local search's
 * objective when areas and shared boundary lengths are given. */
#include "divide/divide.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* The library's checker must agree with the run and find no hard error. */
static void check_clean(const wg_divide_input_t *in,
                        const wg_divide_result_t *res) {
  wg_divide_result_t chk;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_check(in, res->unit_grid, res->pieces, res->npieces,
                           &chk, &ei),
           WG_OK);
  CHECK_EQ(chk.avoidable, res->avoidable);
  CHECK_EQ(chk.forced, res->forced);
  for (int l = 0; l < in->nlevels; l++) {
    CHECK_EQ(chk.stats[l].out_of_bounds, res->stats[l].out_of_bounds);
    CHECK_EQ(chk.stats[l].noncontiguous, 0);
    CHECK_EQ(chk.stats[l].nesting_errors, 0);
  }
  CHECK_EQ(chk.unassigned, 0);
  wg_divide_result_free(&chk);
}

/* From the generated county (bench/divide_compare.sh, before the fix):
 * units of 9 and 19 households and a building of 23, which is split into
 * pieces of 12 and 11. {9, piece 11} = 20, {19}, {piece 12} fit 10-20; the
 * partitioner's graph used to join only the first piece to the neighbours,
 * so the 9 could only join the 12 and made a grid of 21. Every piece now
 * touches the neighbours, as the checker has always assumed. */
TEST(split_piece_reaches_neighbours) {
  long hh[3] = {9, 19, 23};
  double x[3] = {0, 50, 25}, y[3] = {0, 0, 20};
  int xs[4] = {0, 2, 3, 3};
  int adj[3] = {2, 1, 2}; /* 0-2, 0-1, 1-2 */
  wg_divide_input_t in;
  memset(&in, 0, sizeof in);
  in.n = 3;
  in.households = hh;
  in.x = x;
  in.y = y;
  in.adj_start = xs;
  in.adj = adj;
  in.nlevels = 1;
  in.bounds[0] = (wg_divide_bounds_t){10, 20};
  wg_divide_result_t res;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_OK);
  CHECK_EQ(res.npieces, 2);
  CHECK_EQ(res.stats[0].grids, 3);
  CHECK_EQ(res.stats[0].out_of_bounds, 0);
  CHECK_EQ(res.avoidable, 0);
  CHECK_EQ(res.forced, 1); /* the split notice only */
  CHECK_EQ(res.stats[0].max, 20);
  check_clean(&in, &res);
  wg_divide_result_free(&res);

  /* a unit cut into many pieces next to another: the pieces are chained
   * and only the first ones join (the graph stays linear), still valid */
  long hh2[2] = {400, 300};
  double x2[2] = {0, 30}, y2[2] = {0, 0};
  int xs2[3] = {0, 1, 1}, adj2[1] = {1};
  in.n = 2;
  in.households = hh2;
  in.x = x2;
  in.y = y2;
  in.adj_start = xs2;
  in.adj = adj2;
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_OK);
  CHECK_EQ(res.npieces, 20 + 15);
  CHECK_EQ(res.avoidable, 0);
  check_clean(&in, &res);
  wg_divide_result_free(&res);
}

/* An 8 x 6 lattice (seeded) of units of 4-19 households with bounds
 * 150-250 / 50-100 / 10-20. Before the look-ahead was strengthened the
 * level-2 cut left a grid of 7 units with no cut into level-3 grids within
 * 10-20 at all (exhaustive search), so one level-3 grid of 23 households
 * was out of bounds; now the level-2 grid is re-cut with a neighbour and
 * every grid is within bounds. */
static unsigned long long rng_state;
static long rnd(long lo, long hi) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return lo + (long)(rng_state % (unsigned long long)(hi - lo + 1));
}

TEST(level2_cut_repaired) {
  const int W = 8, H = 6, n = W * H;
  static const int seeds[3] = {1442, 1440, 1499};
  for (int t = 0; t < 3; t++) {
    rng_state = 0x9e3779b97f4a7c15ULL * (unsigned long long)seeds[t] + 1;
    long hh[8 * 6];
    double x[8 * 6], y[8 * 6];
    int xs[8 * 6 + 1], adj[8 * 6 * 3], k = 0;
    for (int j = 0; j < H; j++)
      for (int i = 0; i < W; i++) {
        int u = j * W + i;
        hh[u] = rnd(4, 19);
        x[u] = i * 25.0;
        y[u] = j * 25.0;
        xs[u] = k;
        if (i + 1 < W) adj[k++] = u + 1;
        if (j + 1 < H) adj[k++] = u + W;
        if (i + 1 < W && j + 1 < H && rnd(0, 1)) adj[k++] = u + W + 1;
      }
    xs[n] = k;
    wg_divide_input_t in;
    memset(&in, 0, sizeof in);
    in.n = n;
    in.households = hh;
    in.x = x;
    in.y = y;
    in.adj_start = xs;
    in.adj = adj;
    in.nlevels = 3;
    in.bounds[0] = (wg_divide_bounds_t){150, 250};
    in.bounds[1] = (wg_divide_bounds_t){50, 100};
    in.bounds[2] = (wg_divide_bounds_t){10, 20};
    wg_divide_result_t res;
    wg_errinfo ei;
    memset(&ei, 0, sizeof ei);
    CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_OK);
    CHECK_EQ(res.avoidable, 0);
    CHECK_EQ(res.forced, 0);
    for (int l = 0; l < 3; l++) CHECK_EQ(res.stats[l].out_of_bounds, 0);
    check_clean(&in, &res);
    wg_divide_result_free(&res);
  }
}

/* A lattice of rectangles whose column widths and row heights grow
 * geometrically (areas over two orders of magnitude, like block groups
 * from town to countryside), every unit 5 households, grids of 40-60.
 * Mean Polsby-Popper of the grids, measured on the rectangles: with area
 * and edge_length the local search maximises it, so it must beat the
 * inertia objective, which counts every unit's centre equally. */
#define PW 24
#define PH 18
typedef struct lattice {
  long hh[PW * PH];
  double x[PW * PH], y[PW * PH], area[PW * PH], outer[PW * PH];
  int xs[PW * PH + 1], adj[PW * PH * 4];
  double len[PW * PH * 4];
} lattice_t;

static void make_lattice(lattice_t *L) {
  double cw[PW], ch[PH], x0[PW + 1], y0[PH + 1];
  x0[0] = y0[0] = 0;
  for (int i = 0; i < PW; i++) {
    cw[i] = 100.0 * pow(1.2, i);
    x0[i + 1] = x0[i] + cw[i];
  }
  for (int j = 0; j < PH; j++) {
    ch[j] = 100.0 * pow(1.25, j);
    y0[j + 1] = y0[j] + ch[j];
  }
  int k = 0;
  for (int j = 0; j < PH; j++)
    for (int i = 0; i < PW; i++) {
      int u = j * PW + i;
      L->hh[u] = 5;
      L->x[u] = x0[i] + cw[i] / 2;
      L->y[u] = y0[j] + ch[j] / 2;
      L->area[u] = cw[i] * ch[j];
      L->outer[u] = (i == 0 ? ch[j] : 0) + (i == PW - 1 ? ch[j] : 0) +
                    (j == 0 ? cw[i] : 0) + (j == PH - 1 ? cw[i] : 0);
      L->xs[u] = k;
      /* both directions, as polygon adjacency usually comes */
      if (i > 0) { L->adj[k] = u - 1; L->len[k++] = ch[j]; }
      if (i + 1 < PW) { L->adj[k] = u + 1; L->len[k++] = ch[j]; }
      if (j > 0) { L->adj[k] = u - PW; L->len[k++] = cw[i]; }
      if (j + 1 < PH) { L->adj[k] = u + PW; L->len[k++] = cw[i]; }
    }
  L->xs[PW * PH] = k;
}

static double mean_pp(const lattice_t *L, const wg_divide_result_t *r) {
  int n = PW * PH, G = r->ngrids;
  double *A = calloc((size_t)G, sizeof(double));
  double *P = calloc((size_t)G, sizeof(double));
  for (int u = 0; u < n; u++) {
    int g = r->unit_grid[u];
    A[g] += L->area[u];
    P[g] += L->outer[u];
    for (int e = L->xs[u]; e < L->xs[u + 1]; e++)
      if (r->unit_grid[L->adj[e]] != g) P[g] += L->len[e];
  }
  double s = 0;
  for (int g = 0; g < G; g++) s += 4 * 3.14159265358979323846 * A[g] / (P[g] * P[g]);
  free(A);
  free(P);
  return G ? s / G : 0;
}

TEST(polsby_popper_with_unequal_areas) {
  lattice_t *L = calloc(1, sizeof *L);
  make_lattice(L);
  wg_divide_input_t in;
  memset(&in, 0, sizeof in);
  in.n = PW * PH;
  in.households = L->hh;
  in.x = L->x;
  in.y = L->y;
  in.adj_start = L->xs;
  in.adj = L->adj;
  in.nlevels = 1;
  in.bounds[0] = (wg_divide_bounds_t){40, 60};
  wg_divide_result_t plain, geo;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_run(&in, &plain, &ei), WG_OK);
  in.area = L->area;
  in.edge_length = L->len;
  in.outer_length = L->outer;
  CHECK_EQ(wg_divide_run(&in, &geo, &ei), WG_OK);
  double pp_plain = mean_pp(L, &plain), pp_geo = mean_pp(L, &geo);
  printf("# mean Polsby-Popper: inertia objective %.3f, with geometry %.3f\n",
         pp_plain, pp_geo);
  CHECK(pp_geo > pp_plain + 0.03);
  /* the bounds and contiguity guarantees are unchanged */
  CHECK_EQ(geo.avoidable, 0);
  CHECK_EQ(geo.stats[0].out_of_bounds, 0);
  check_clean(&in, &geo);
  /* deterministic */
  wg_divide_result_t again;
  CHECK_EQ(wg_divide_run(&in, &again, &ei), WG_OK);
  CHECK_EQ(memcmp(again.unit_grid, geo.unit_grid, (size_t)in.n * sizeof(int)),
           0);
  wg_divide_result_free(&again);
  /* a bad length is input validation, not an abort */
  L->len[3] = -1;
  CHECK_EQ(wg_divide_run(&in, &again, &ei), WG_EINVAL);
  wg_divide_result_free(&plain);
  wg_divide_result_free(&geo);
  free(L);
}

int main(void) {
  RUN(split_piece_reaches_neighbours);
  RUN(level2_cut_repaired);
  RUN(polsby_popper_with_unequal_areas);
  return test_done();
}
