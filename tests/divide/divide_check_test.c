/* divide_check_test.c — the plan checker on hand-drawn plans, and the
 * feasibility calculator for declared counts. */
#include "divide/divide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide_gen.h"
#include "test.h"

static int count_kind(const wg_divide_result_t *r, wg_divide_vkind_t k) {
  int c = 0;
  for (int i = 0; i < r->nviolations; i++) c += r->violations[i].kind == k;
  return c;
}

/* The model county's declared counts cannot nest. */
TEST(feasible_counts_lan_county) {
  long counts[3] = {75, 396, 1100};
  wg_divide_bounds_t b[3] = {{300, 500}, {50, 100}, {10, 20}};
  wg_divide_feasibility_t f;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_feasible_counts(3, counts, b, -1, &f, &ei), WG_OK);
  CHECK_EQ(f.feasible, 0);
  CHECK(strstr(f.reason, "1,100") != NULL);
  CHECK(strstr(f.reason, "22,000") != NULL);
  CHECK(strstr(f.reason, "75") != NULL);
  CHECK(strstr(f.reason, "22,500") != NULL);
  printf("#   %s\n", f.reason);
}

TEST(feasible_counts_ok_and_other_failures) {
  wg_divide_bounds_t b[3] = {{300, 500}, {50, 100}, {10, 20}};
  wg_divide_feasibility_t f;
  wg_errinfo ei;
  /* 75 / 450 / 3,000 nest: 30,000-37,500 households */
  long ok[3] = {75, 450, 3000};
  CHECK_EQ(wg_divide_feasible_counts(3, ok, b, -1, &f, &ei), WG_OK);
  CHECK_EQ(f.feasible, 1);
  CHECK_EQ(f.min_households, 30000);
  CHECK_EQ(f.max_households, 37500);
  printf("#   %s\n", f.reason);
  /* with an actual total outside that range */
  CHECK_EQ(wg_divide_feasible_counts(3, ok, b, 53000, &f, &ei), WG_OK);
  CHECK_EQ(f.feasible, 0);
  CHECK(strstr(f.reason, "53,000") != NULL);
  /* totals overlap (3,000-5,000 and 4,970-7,100), but a level-1 grid of
   * 300-500 holds 3 to 7 level-2 grids of 70-100, so 10 hold at most 70 */
  wg_divide_bounds_t b2[2] = {{300, 500}, {70, 100}};
  long nest[2] = {10, 71};
  CHECK_EQ(wg_divide_feasible_counts(2, nest, b2, -1, &f, &ei), WG_OK);
  CHECK_EQ(f.feasible, 0);
  CHECK(strstr(f.reason, "3 to 7") != NULL);
  CHECK(strstr(f.reason, "30 to 70") != NULL);
  printf("#   %s\n", f.reason);
  /* bounds that cannot nest at all */
  wg_divide_bounds_t odd[2] = {{100, 110}, {60, 70}};
  long c2[2] = {1, 1};
  CHECK_EQ(wg_divide_feasible_counts(2, c2, odd, -1, &f, &ei), WG_OK);
  CHECK_EQ(f.feasible, 0);
  printf("#   %s\n", f.reason);
  /* one level */
  long one[1] = {4};
  CHECK_EQ(wg_divide_feasible_counts(1, one, b, 1500, &f, &ei), WG_OK);
  CHECK_EQ(f.feasible, 1);
  /* bad arguments */
  long zero[1] = {0};
  CHECK_EQ(wg_divide_feasible_counts(1, zero, b, -1, &f, &ei), WG_EINVAL);
  CHECK_EQ(wg_divide_feasible_counts(4, ok, b, -1, &f, &ei), WG_EINVAL);
  wg_divide_bounds_t inv[1] = {{20, 10}};
  CHECK_EQ(wg_divide_feasible_counts(1, one, inv, -1, &f, &ei), WG_EINVAL);
}

/* A 6×4 lattice, two groups (columns 0-2 and 3-5), 5 households each. */
static void small_lattice(gen_inst *g) {
  gen_rng rng = {3};
  gen_lattice(g, &rng, 6, 4, 2, 1, 0, 1);
  for (int u = 0; u < g->n; u++) g->hh[u] = 5;
}

TEST(checker_hand_drawn_errors) {
  gen_inst g;
  small_lattice(&g);
  wg_divide_input_t in;
  long lohi[4] = {20, 40, 10, 20};
  gen_input(&g, &in, 2, lohi);
  int n = g.n;
  int *lab = malloc(2 * (size_t)n * sizeof(int));
  /* level 1: per group one grid (60 households: over 40 — avoidable) */
  for (int u = 0; u < n; u++) lab[u] = g.group[u];
  /* level 2: rows of three units (15 households) within each group */
  for (int u = 0; u < n; u++) lab[n + u] = 100 + (u / 6) * 2 + g.group[u];
  wg_divide_result_t r;
  wg_errinfo ei;
  CHECK_EQ(wg_divide_check(&in, lab, NULL, 0, &r, &ei), WG_OK);
  CHECK_EQ(r.stats[0].grids, 2);
  CHECK_EQ(r.stats[0].out_of_bounds, 2);
  CHECK_EQ(r.stats[0].out_of_bounds_forced, 0);
  CHECK_EQ(r.stats[1].grids, 8);
  CHECK_EQ(r.stats[1].out_of_bounds, 0);
  CHECK_EQ(r.stats[1].min, 15);
  CHECK_EQ(r.stats[1].median, 15);
  CHECK_EQ(r.stats[1].max, 15);
  CHECK_EQ(r.stats[0].noncontiguous, 0);
  CHECK_EQ(count_kind(&r, WG_DIVIDE_V_OVER), 2);
  CHECK_EQ(r.avoidable, 2);
  CHECK(r.stats[1].mean_compactness > 0.0 && r.stats[1].mean_compactness <= 1.0);
  wg_divide_result_free(&r);

  /* a non-contiguous level-2 grid: units 0 and 2 only (1 elsewhere) */
  lab[n + 1] = 500;
  /* a nesting error: unit 8 (group 0) put in a level-2 grid of row 0 */
  lab[n + 8] = 100;
  /* a grid across groups: unit 3 (group 1) in grid 100 too */
  lab[n + 3] = 100;
  /* an unassigned unit */
  lab[n + 23] = -1;
  CHECK_EQ(wg_divide_check(&in, lab, NULL, 0, &r, &ei), WG_OK);
  CHECK(count_kind(&r, WG_DIVIDE_V_NONCONTIG) >= 1);
  CHECK(count_kind(&r, WG_DIVIDE_V_CROSS_GROUP) == 1);
  CHECK(count_kind(&r, WG_DIVIDE_V_NESTING) == 1);
  CHECK(count_kind(&r, WG_DIVIDE_V_UNASSIGNED) == 1);
  CHECK_EQ(r.unassigned, 1);
  CHECK(r.stats[1].nesting_errors >= 1);
  CHECK(r.stats[1].noncontiguous >= 1);
  for (int i = 0; i < r.nviolations; i++) {
    CHECK(r.violations[i].reason[0] != '\0');
    if (r.violations[i].kind != WG_DIVIDE_V_UNIT_SPLIT)
      CHECK(!r.violations[i].forced || r.violations[i].kind == WG_DIVIDE_V_UNDER);
  }
  wg_divide_result_free(&r);
  free(lab);
  gen_free(&g);
}

/* Forced violations in a hand-drawn plan: an unsplit unit over the bound,
 * an isolated unit, and split pieces given explicitly. */
TEST(checker_forced_and_pieces) {
  gen_inst g;
  small_lattice(&g);
  g.hh[0] = 30; /* alone over 10-20 */
  /* isolate unit 23 */
  int keep = 0;
  for (int e = 0; e < g.ne; e++)
    if (g.eu[e] != 23 && g.ev[e] != 23) {
      g.eu[keep] = g.eu[e];
      g.ev[keep] = g.ev[e];
      keep++;
    }
  g.ne = keep;
  gen_csr(&g);
  wg_divide_input_t in;
  long lohi[2] = {10, 20};
  gen_input(&g, &in, 1, lohi);
  int n = g.n;
  int *lab = malloc((size_t)n * sizeof(int));
  /* pairs of horizontally adjacent units, unit 0 alone, unit 23 alone */
  for (int u = 0; u < n; u++) lab[u] = u / 2 + 10;
  lab[0] = 1;
  lab[1] = 2;
  lab[22] = 3;
  lab[23] = 4;
  wg_divide_result_t r;
  wg_errinfo ei;
  CHECK_EQ(wg_divide_check(&in, lab, NULL, 0, &r, &ei), WG_OK);
  int unit_over = 0, isolated = 0;
  for (int i = 0; i < r.nviolations; i++) {
    const wg_divide_violation_t *v = &r.violations[i];
    if (v->kind == WG_DIVIDE_V_UNIT_OVER) {
      unit_over++;
      CHECK(v->forced);
      CHECK(strstr(v->reason, "unit 0") != NULL);
    }
    if (v->kind == WG_DIVIDE_V_ISOLATED) {
      isolated++;
      CHECK(v->forced);
    }
  }
  CHECK_EQ(unit_over, 1);
  CHECK_EQ(isolated, 1);
  wg_divide_result_free(&r);
  /* the same unit given as two pieces of 15: no unit_over, a split notice */
  wg_divide_piece_t pc[2] = {{.unit = 0, .households = 15, .grid = {1}},
                             {.unit = 0, .households = 15, .grid = {5}}};
  CHECK_EQ(wg_divide_check(&in, lab, pc, 2, &r, &ei), WG_OK);
  CHECK_EQ(count_kind(&r, WG_DIVIDE_V_UNIT_OVER), 0);
  CHECK_EQ(count_kind(&r, WG_DIVIDE_V_UNIT_SPLIT), 1);
  CHECK_EQ(r.unit_grid[0], WG_DIVIDE_SPLIT);
  CHECK_EQ(r.npieces, 2);
  wg_divide_result_free(&r);
  /* pieces that do not add up are refused */
  pc[1].households = 14;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_check(&in, lab, pc, 2, &r, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "unit 0") != NULL);
  wg_divide_result_free(&r);
  free(lab);
  gen_free(&g);
}

/* lon/lat input: the same lattice in degrees divides like the metric one. */
TEST(lonlat_input) {
  gen_rng rng = {55};
  gen_inst g;
  gen_lattice(&g, &rng, 30, 30, 1, 1, 10, 10);
  /* ~10 m spacing near Lan County (38.3 N, 111.6 E) */
  for (int u = 0; u < g.n; u++) {
    g.x[u] = 111.6 + g.x[u] / (111320.0 * 0.7846);
    g.y[u] = 38.3 + g.y[u] / 111320.0;
  }
  wg_divide_input_t in;
  long lohi[6] = {300, 500, 50, 100, 10, 20};
  gen_input(&g, &in, 3, lohi);
  in.lonlat = 1;
  wg_divide_result_t r;
  wg_errinfo ei;
  CHECK_EQ(wg_divide_run(&in, &r, &ei), WG_OK);
  vreport rep = verify(&in, &r, 1);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(r.avoidable, 0);
  CHECK(r.stats[2].mean_compactness > 0.5);
  wg_divide_result_free(&r);
  g.y[0] = 95.0; /* latitude out of range */
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_run(&in, &r, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "unit 0") != NULL);
  wg_divide_result_free(&r);
  gen_free(&g);
}

/* Random hand-drawn plans on random graphs: the checker never fails and
 * every grid is accounted for. */
TEST(checker_random_plans) {
  gen_rng rng = {424242};
  for (int it = 0; it < 400; it++) {
    gen_inst g;
    int n = (int)gen_range(&rng, 1, 30);
    gen_alloc(&g, n);
    g.ngroups = (int)gen_range(&rng, 1, 3);
    for (int u = 0; u < n; u++) {
      g.x[u] = gen_unit(&rng) * 50;
      g.y[u] = gen_unit(&rng) * 50;
      g.hh[u] = gen_range(&rng, 0, 40);
      g.group[u] = (int)gen_range(&rng, 0, g.ngroups - 1);
    }
    for (int e = 0; e < 2 * n; e++)
      gen_edge(&g, (int)gen_range(&rng, 0, n - 1), (int)gen_range(&rng, 0, n - 1));
    gen_csr(&g);
    int nlev = (int)gen_range(&rng, 1, 3);
    long b[6] = {30, 90, 15, 40, 5, 20};
    wg_divide_input_t in;
    gen_input(&g, &in, nlev, b);
    int *lab = malloc((size_t)nlev * n * sizeof(int));
    for (int i = 0; i < nlev * n; i++) lab[i] = (int)gen_range(&rng, -1, 6);
    wg_divide_result_t r;
    wg_errinfo ei;
    CHECK_EQ(wg_divide_check(&in, lab, NULL, 0, &r, &ei), WG_OK);
    int grids = 0;
    for (int l = 0; l < nlev; l++) grids += r.stats[l].grids;
    CHECK_EQ(grids, r.ngrids);
    CHECK_EQ(r.avoidable + r.forced, r.nviolations);
    wg_divide_result_free(&r);
    free(lab);
    gen_free(&g);
  }
}

int main(void) {
  RUN(feasible_counts_lan_county);
  RUN(feasible_counts_ok_and_other_failures);
  RUN(checker_hand_drawn_errors);
  RUN(checker_forced_and_pieces);
  RUN(lonlat_input);
  RUN(checker_random_plans);
  return test_done();
}
