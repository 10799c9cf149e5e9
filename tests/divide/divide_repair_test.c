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

/* A light unit beside a split one: 9 households next to a building of 25,
 * whose even pieces (13, 12) would make a grid of 21 with it. The pieces
 * are reshaped to 11 and 14 ({9, 11} = 20, {14}). The checker does not call
 * the even cut's 21 forced: a building of 25 can give a piece as light as
 * 5 (wg__piece_min), so the 9 was never stuck. */
TEST(light_unit_reshapes_piece) {
  long hh[2] = {9, 25};
  double x[2] = {0, 30}, y[2] = {0, 0};
  int xs[3] = {0, 1, 1}, adj[1] = {1};
  wg_divide_input_t in;
  memset(&in, 0, sizeof in);
  in.n = 2;
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
  CHECK_EQ(res.stats[0].grids, 2);
  CHECK_EQ(res.stats[0].out_of_bounds, 0);
  CHECK_EQ(res.avoidable, 0);
  CHECK_EQ(res.forced, 1); /* the split notice only */
  CHECK_EQ(res.pieces[0].households + res.pieces[1].households, 25);
  CHECK(res.pieces[0].households <= 11 || res.pieces[1].households <= 11);
  check_clean(&in, &res);
  wg_divide_result_free(&res);

  /* the even cut, checked: {9, 12} = 21 is avoidable, not forced */
  int labels[2] = {0, -1};
  wg_divide_piece_t pc[2] = {{1, 13, {1, 0, 0}}, {1, 12, {0, 0, 0}}};
  CHECK_EQ(wg_divide_check(&in, labels, pc, 2, &res, &ei), WG_OK);
  CHECK_EQ(res.stats[0].out_of_bounds, 1);
  CHECK_EQ(res.avoidable, 1);
  wg_divide_result_free(&res);
}

/* The demo county's level-1 grid 1411271000090 5 (before the fix, through
 * `wangge demo`): 12 entrances, 410 households, most of them above 20 and
 * split. Units of 9, 10 and 7 form a path (9 - 10 - 7); the 9 also touches
 * buildings of 57 (pieces 19) and 42 (pieces 14), the 7 only buildings
 * whose pieces are 14 or more. {9, 10} leaves the 7 needing a piece of at
 * most 13, {10, 7} leaves the 9 needing one of at most 11: even pieces
 * allow neither, so a level-3 grid of 9 was left (reported avoidable). At
 * the last level the pieces of the 42 are now reshaped (11, 15, 16) and
 * {9, 11} = 20. Coordinates are the entrances' lon/lat. */
TEST(demo_level1_grid_pieces_reshaped) {
  long hh[12] = {27, 57, 54, 9, 10, 7, 43, 60, 42, 43, 28, 30};
  double x[12] = {111.6761567, 111.6738317, 111.6739232, 111.6737807,
                  111.6738722, 111.6739637, 111.6745182, 111.6751624,
                  111.6738300, 111.6739216, 111.6744904, 111.6745819};
  double y[12] = {38.2682477, 38.2689977, 38.2689977, 38.2686274,
                  38.2686274, 38.2686274, 38.2686197, 38.2686256,
                  38.2682228, 38.2682228, 38.2682158, 38.2682158};
  int xs[13] = {0, 2, 5, 8, 11, 17, 22, 26, 29, 33, 37, 42, 46};
  int adj[46] = {7, 11, 2, 3, 4, 1, 4, 5, 1, 4, 8, 1, 2, 3, 5, 8,
                 9, 2, 4, 6, 9, 10, 5, 7, 10, 11, 0, 6, 11, 3, 4, 9,
                 10, 4, 5, 8, 10, 5, 6, 8, 9, 11, 0, 6, 7, 10};
  /* the county cut this grid as a level-1 grid of 300-500; here the group
   * is one level-1 grid (a whole-village rule) with the same bounds below */
  wg_divide_group_rule_t rule;
  memset(&rule, 0, sizeof rule);
  rule.whole_l1 = 1;
  wg_divide_input_t in;
  memset(&in, 0, sizeof in);
  in.n = 12;
  in.households = hh;
  in.x = x;
  in.y = y;
  in.lonlat = 1;
  in.adj_start = xs;
  in.adj = adj;
  in.nlevels = 3;
  in.bounds[0] = (wg_divide_bounds_t){300, 500};
  in.bounds[1] = (wg_divide_bounds_t){50, 100};
  in.bounds[2] = (wg_divide_bounds_t){10, 20};
  in.rules = &rule;
  wg_divide_result_t res;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_OK);
  CHECK_EQ(res.avoidable, 0);
  for (int l = 0; l < 3; l++) CHECK_EQ(res.stats[l].out_of_bounds, 0);
  check_clean(&in, &res);
  /* every split unit's pieces still add up and stay within 1..20 */
  long sum[12] = {0};
  for (int k = 0; k < res.npieces; k++) {
    CHECK(res.pieces[k].households >= 1 && res.pieces[k].households <= 20);
    sum[res.pieces[k].unit] += res.pieces[k].households;
  }
  for (int u = 0; u < 12; u++)
    if (hh[u] > 20) CHECK_EQ(sum[u], hh[u]);
  wg_divide_result_free(&res);
}

int main(void) {
  RUN(split_piece_reaches_neighbours);
  RUN(level2_cut_repaired);
  RUN(polsby_popper_with_unequal_areas);
  RUN(light_unit_reshapes_piece);
  RUN(demo_level1_grid_pieces_reshaped);
  return test_done();
}
