/* divide_test.c — property tests of the divide core on generated instances,
 * edge cases and adversarial inputs. */
#include "divide/divide.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide_gen.h"
#include "test.h"

static const long URBAN[6] = {300, 500, 50, 100, 10, 20};

static int count_kind(const wg_divide_result_t *r, wg_divide_vkind_t k,
                      int forced) {
  int c = 0;
  for (int i = 0; i < r->nviolations; i++)
    if (r->violations[i].kind == k &&
        (forced < 0 || r->violations[i].forced == forced))
      c++;
  return c;
}

/* The library's own checker must agree with the run's report. */
static void check_agrees(const wg_divide_input_t *in,
                         const wg_divide_result_t *res) {
  wg_divide_result_t chk;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_check(in, res->unit_grid, res->pieces, res->npieces,
                           &chk, &ei),
           WG_OK);
  CHECK_EQ(chk.ngrids, res->ngrids);
  CHECK_EQ(chk.avoidable, res->avoidable);
  CHECK_EQ(chk.forced, res->forced);
  for (int l = 0; l < in->nlevels; l++) {
    CHECK_EQ(chk.stats[l].grids, res->stats[l].grids);
    CHECK_EQ(chk.stats[l].out_of_bounds, res->stats[l].out_of_bounds);
    CHECK_EQ(chk.stats[l].noncontiguous, 0);
    CHECK_EQ(chk.stats[l].nesting_errors, 0);
    CHECK_EQ(chk.stats[l].median, res->stats[l].median);
  }
  CHECK_EQ(chk.unassigned, 0);
  wg_divide_result_free(&chk);
}

/* Many lattices: random weights with zeros, several groups, an isolated
 * unit, a cut-off corner, a unit over the level-3 bound. */
TEST(property_many_instances) {
  int total_grids = 0, total_oob = 0, total_avoid = 0;
  double comp[3] = {0, 0, 0};
  int runs = 0, runs_at[3] = {0, 0, 0};
  for (int seed = 1; seed <= 24; seed++) {
    gen_rng rng = {0x9e3779b97f4a7c15ULL * (uint64_t)seed};
    gen_inst g;
    int W = 16 + (int)gen_range(&rng, 0, 30), H = 16 + (int)gen_range(&rng, 0, 30);
    int gx = 1 + (int)gen_range(&rng, 0, 2), gy = 1 + (int)gen_range(&rng, 0, 1);
    gen_lattice(&g, &rng, W, H, gx, gy, 15, 10);
    /* an isolated unit: drop every edge touching unit 5 */
    /* a big unit: 47 households (> 20) */
    g.hh[W * (H / 2) + W / 2] = 47;
    int iso = 5;
    int keep = 0;
    for (int e = 0; e < g.ne; e++)
      if (g.eu[e] != iso && g.ev[e] != iso) {
        g.eu[keep] = g.eu[e];
        g.ev[keep] = g.ev[e];
        keep++;
      }
    g.ne = keep;
    /* a disconnected part: cut a 4×3 block off the top-right corner */
    keep = 0;
    for (int e = 0; e < g.ne; e++) {
      int a = g.eu[e], b = g.ev[e];
      int ina = a % W >= W - 4 && a / W >= H - 3;
      int inb = b % W >= W - 4 && b / W >= H - 3;
      if (ina != inb) continue;
      g.eu[keep] = a;
      g.ev[keep] = b;
      keep++;
    }
    g.ne = keep;
    gen_csr(&g);
    wg_divide_input_t in;
    /* mostly three levels; some runs with one or two */
    int nlev = seed % 8 == 3 ? 2 : (seed % 8 == 5 ? 1 : 3);
    gen_input(&g, &in, nlev, URBAN + 2 * (3 - nlev));
    wg_divide_result_t res;
    wg_errinfo ei;
    memset(&ei, 0, sizeof ei);
    wg_err err = wg_divide_run(&in, &res, &ei);
    CHECK_EQ(err, WG_OK);
    if (err) {
      printf("#   %s\n", ei.why);
      gen_free(&g);
      continue;
    }
    vreport rep = verify(&in, &res, 1);
    CHECK_EQ(rep.failures, 0);
    CHECK_EQ(rep.unexplained, 0);
    CHECK_EQ(rep.noncontig, 0);
    if (rep.avoidable_oob)
      printf("#   seed %d: %d avoidable out-of-bounds grids\n", seed,
             rep.avoidable_oob);
    CHECK_EQ(rep.avoidable_oob, 0);
    CHECK_EQ(res.avoidable, 0);
    for (int v = 0; v < res.nviolations; v++)
      if (seed == 1 || !res.violations[v].forced)
      printf("#   [%s%s] %s\n", wg_divide_vkind_name(res.violations[v].kind),
             res.violations[v].forced ? ", forced" : "",
             res.violations[v].reason);
    /* the isolated unit is reported */
    if (g.hh[iso] < in.bounds[0].lo)
      CHECK(count_kind(&res, WG_DIVIDE_V_ISOLATED, 1) >= 1);
    CHECK_EQ(res.grids[res.unit_grid[iso]].units, 1);
    /* the big unit is split and reported */
    CHECK_EQ(count_kind(&res, WG_DIVIDE_V_UNIT_SPLIT, 1), 1);
    check_agrees(&in, &res);
    for (int l = 0; l < nlev; l++) {
      total_grids += res.stats[l].grids;
      total_oob += res.stats[l].out_of_bounds;
      comp[l] += rep.mean_compactness[l];
      runs_at[l]++;
    }
    total_avoid += res.avoidable;
    runs++;
    wg_divide_result_free(&res);
    gen_free(&g);
  }
  printf("#   %d runs, %d grids, %d out of bounds (all forced), %d avoidable; "
         "mean compactness L1 %.3f L2 %.3f L3 %.3f\n",
         runs, total_grids, total_oob, total_avoid,
         comp[0] / (runs_at[0] ? runs_at[0] : 1),
         comp[1] / (runs_at[1] ? runs_at[1] : 1),
         comp[2] / (runs_at[2] ? runs_at[2] : 1));
}

static wg_divide_result_t run_ok(const wg_divide_input_t *in) {
  wg_divide_result_t res;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  wg_err err = wg_divide_run(in, &res, &ei);
  CHECK_EQ(err, WG_OK);
  if (err) printf("#   error: %s\n", ei.why);
  return res;
}

static const wg_divide_violation_t *find_kind(const wg_divide_result_t *r,
                                              wg_divide_vkind_t k, int level) {
  for (int i = 0; i < r->nviolations; i++)
    if (r->violations[i].kind == k && r->violations[i].level == level)
      return &r->violations[i];
  return NULL;
}

/* An isolated unit and a unit over the level-3 bound in a 10×10 lattice. */
TEST(edge_isolated_and_big_unit) {
  gen_rng rng = {77};
  gen_inst g;
  gen_lattice(&g, &rng, 10, 10, 1, 1, 0, 1);
  for (int u = 0; u < 100; u++) g.hh[u] = 4;
  g.hh[0] = 7;
  g.hh[55] = 47;
  int keep = 0;
  for (int e = 0; e < g.ne; e++)
    if (g.eu[e] != 0 && g.ev[e] != 0) {
      g.eu[keep] = g.eu[e];
      g.ev[keep] = g.ev[e];
      keep++;
    }
  g.ne = keep;
  gen_csr(&g);
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t res = run_ok(&in);
  vreport rep = verify(&in, &res, 1);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(res.avoidable, 0);
  /* the isolated unit: its own grid at every level, reported as forced */
  for (int l = 1; l <= 3; l++) {
    const wg_divide_violation_t *v = find_kind(&res, WG_DIVIDE_V_ISOLATED, l);
    CHECK(v != NULL);
    if (v) {
      CHECK(v->forced);
      CHECK_EQ(v->nunits, 1);
      CHECK_EQ(v->units[0], 0);
      CHECK(strstr(v->reason, "no neighbour") != NULL);
    }
    int g0 = res.unit_grid[(size_t)(l - 1) * 100 + 0];
    CHECK(g0 >= 0);
    if (g0 >= 0) CHECK_EQ(res.grids[g0].households, 7);
  }
  /* the big unit: 3 pieces of 15-16, each within 10-20 */
  CHECK_EQ(res.npieces, 3);
  long sum = 0;
  for (int i = 0; i < res.npieces; i++) {
    CHECK_EQ(res.pieces[i].unit, 55);
    CHECK(res.pieces[i].households >= 15 && res.pieces[i].households <= 16);
    sum += res.pieces[i].households;
  }
  CHECK_EQ(sum, 47);
  CHECK_EQ(res.unit_grid[2 * 100 + 55], WG_DIVIDE_SPLIT);
  const wg_divide_violation_t *sp = find_kind(&res, WG_DIVIDE_V_UNIT_SPLIT, 3);
  CHECK(sp != NULL && sp->forced && sp->units[0] == 55);
  check_agrees(&in, &res);
  wg_divide_result_free(&res);
  gen_free(&g);
}

/* Two groups: a 1,000-household community and a 180-household village. */
static void make_village(gen_inst *g) {
  gen_rng rng = {4242};
  gen_lattice(g, &rng, 20, 10, 2, 1, 0, 1);
  /* left half (group 0): 100 units of 10 = 1,000; right (group 1): 180 */
  int vill = 0;
  for (int u = 0; u < 200; u++) {
    if (g->group[u] == 0) {
      g->hh[u] = 10;
    } else {
      g->hh[u] = (vill % 5 == 0) ? 0 : (vill % 5 == 1 ? 1 : 2);
      vill++;
    }
  }
  long tot = 0;
  for (int u = 0; u < 200; u++)
    if (g->group[u] == 1) tot += g->hh[u];
  /* top up the village to exactly 180 */
  for (int u = 0; u < 200 && tot < 180; u++)
    if (g->group[u] == 1) {
      g->hh[u] += 1;
      tot++;
    }
}

TEST(edge_village_180) {
  gen_inst g;
  make_village(&g);
  long vill = 0;
  for (int u = 0; u < 200; u++)
    if (g.group[u] == 1) vill += g.hh[u];
  CHECK_EQ(vill, 180);
  /* a) the village rule: one level-1 grid whatever its size */
  g.rules = calloc(2, sizeof *g.rules);
  g.rules[1].whole_l1 = 1;
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t res = run_ok(&in);
  vreport rep = verify(&in, &res, 1);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(res.avoidable, 0);
  CHECK_EQ(res.forced, 0);
  int l1_village = 0;
  for (int i = 0; i < res.ngrids; i++)
    if (res.grids[i].level == 1 && res.grids[i].group == 1) {
      l1_village++;
      CHECK_EQ(res.grids[i].households, 180);
      CHECK_EQ(res.grids[i].number, 1);
    }
  CHECK_EQ(l1_village, 1);
  check_agrees(&in, &res);
  wg_divide_result_free(&res);
  /* b) no village rule: the village fits no count of level-1 grids */
  free(g.rules);
  g.rules = NULL;
  gen_input(&g, &in, 3, URBAN);
  res = run_ok(&in);
  rep = verify(&in, &res, 1);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(res.avoidable, 0);
  const wg_divide_violation_t *nc = find_kind(&res, WG_DIVIDE_V_NO_COUNT, 1);
  CHECK(nc != NULL);
  if (nc) {
    CHECK(nc->forced);
    CHECK_EQ(nc->households, 180);
    CHECK_EQ(nc->group, 1);
    CHECK(strstr(nc->reason, "180") != NULL);
    printf("#   %s\n", nc->reason);
  }
  const wg_divide_violation_t *un = find_kind(&res, WG_DIVIDE_V_UNDER, 1);
  CHECK(un != NULL && un->forced);
  /* below level 1 the village is divided within bounds */
  CHECK_EQ(res.stats[1].out_of_bounds, 0);
  CHECK_EQ(res.stats[2].out_of_bounds, 0);
  check_agrees(&in, &res);
  wg_divide_result_free(&res);
  gen_free(&g);
}

/* A community of 520 households: 1 grid holds at most 500, 2 need 600. */
TEST(edge_group_fits_no_count) {
  gen_rng rng = {99};
  gen_inst g;
  gen_lattice(&g, &rng, 13, 10, 1, 1, 0, 1);
  for (int u = 0; u < 130; u++) g.hh[u] = 4; /* 520 */
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t res = run_ok(&in);
  vreport rep = verify(&in, &res, 1);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(res.avoidable, 0);
  const wg_divide_violation_t *nc = find_kind(&res, WG_DIVIDE_V_NO_COUNT, 1);
  CHECK(nc != NULL);
  if (nc) {
    CHECK(nc->forced);
    CHECK(strstr(nc->reason, "520") != NULL);
    CHECK(strstr(nc->reason, "at most 500") != NULL);
    CHECK(strstr(nc->reason, "at least 600") != NULL);
    CHECK_EQ(nc->nunits, 130);
    printf("#   %s\n", nc->reason);
  }
  CHECK_EQ(res.stats[0].grids, 1);
  CHECK_EQ(res.stats[0].out_of_bounds_forced, 1);
  CHECK_EQ(res.stats[1].out_of_bounds, 0);
  CHECK_EQ(res.stats[2].out_of_bounds, 0);
  wg_divide_result_free(&res);
  gen_free(&g);
}

/* Per-group bounds: group 1 uses 100-200 / 20-40 / 5-10. */
TEST(per_group_bounds) {
  gen_rng rng = {606};
  gen_inst g;
  gen_lattice(&g, &rng, 30, 20, 2, 1, 10, 8);
  g.rules = calloc(2, sizeof *g.rules);
  g.rules[1].own_bounds = 1;
  g.rules[1].bounds[0] = (wg_divide_bounds_t){100, 200};
  g.rules[1].bounds[1] = (wg_divide_bounds_t){20, 40};
  g.rules[1].bounds[2] = (wg_divide_bounds_t){5, 10};
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t res = run_ok(&in);
  vreport rep = verify(&in, &res, 1);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(res.avoidable, 0);
  for (int i = 0; i < res.ngrids; i++) {
    const wg_divide_grid_t *gr = &res.grids[i];
    long hi = gr->group == 1 ? (gr->level == 1 ? 200 : gr->level == 2 ? 40 : 10)
                             : URBAN[2 * (gr->level - 1) + 1];
    CHECK(gr->households <= hi);
  }
  /* units of 9 or 10 households in group 1 exceed no bound; an 11 would be
   * split into two pieces */
  CHECK_EQ(res.npieces, 0);
  wg_divide_result_free(&res);
  gen_free(&g);
}

/* Zero-household units are covered and sit in a neighbouring grid. */
TEST(edge_zero_households) {
  gen_rng rng = {5};
  gen_inst g;
  gen_lattice(&g, &rng, 30, 30, 1, 1, 40, 10);
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t res = run_ok(&in);
  vreport rep = verify(&in, &res, 1);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(res.avoidable, 0);
  /* every zero unit is adjacent to a unit of its own level-3 grid */
  int lonely = 0;
  for (int u = 0; u < g.n; u++) {
    if (g.hh[u] != 0) continue;
    int gu = res.unit_grid[2 * (size_t)g.n + u], mate = 0;
    if (res.grids[gu].units == 1) continue;
    for (int v = 0; v < g.n && !mate; v++) {
      if (v == u || res.unit_grid[2 * (size_t)g.n + v] != gu) continue;
      for (int e = 0; e < g.ne; e++)
        if ((g.eu[e] == u && g.ev[e] == v) || (g.eu[e] == v && g.ev[e] == u))
          mate = 1;
    }
    lonely += !mate;
  }
  CHECK_EQ(lonely, 0);
  wg_divide_result_free(&res);
  gen_free(&g);
}

/* Inputs built to trip loops: all zero, one unit, stars, lines, no edges,
 * one giant unit, nothing at all. Each must end, cover, and explain. */
static void adversarial_case(gen_inst *g, const char *name) {
  wg_divide_input_t in;
  gen_input(g, &in, 3, URBAN);
  wg_divide_result_t res = run_ok(&in);
  vreport rep = verify(&in, &res, 1);
  if (rep.failures || rep.unexplained)
    printf("#   case %s: %d failures\n", name, rep.failures);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(rep.unexplained, 0);
  printf("#   %-12s n=%-6d grids %d/%d/%d, violations %d (%d avoidable)\n",
         name, g->n, res.stats[0].grids, res.stats[1].grids,
         res.stats[2].grids, res.nviolations, res.avoidable);
  wg_divide_result_free(&res);
}

TEST(adversarial_inputs) {
  gen_rng rng = {31337};
  gen_inst g;
  /* all weights zero */
  gen_lattice(&g, &rng, 12, 12, 1, 1, 100, 1);
  adversarial_case(&g, "all-zero");
  gen_free(&g);
  /* single units of 0, 15 and 1,000 households */
  long one[3] = {0, 15, 1000};
  for (int k = 0; k < 3; k++) {
    gen_alloc(&g, 1);
    g.hh[0] = one[k];
    gen_csr(&g);
    adversarial_case(&g, "single");
    gen_free(&g);
  }
  /* star: an empty centre with 400 leaves */
  gen_alloc(&g, 401);
  for (int i = 1; i <= 400; i++) {
    double a = i * 0.0157;
    g.x[i] = 100 * cos(a);
    g.y[i] = 100 * sin(a);
    g.hh[i] = gen_range(&rng, 1, 19);
    gen_edge(&g, 0, i);
  }
  gen_csr(&g);
  adversarial_case(&g, "star");
  gen_free(&g);
  /* line of 3,000 units */
  gen_alloc(&g, 3000);
  for (int i = 0; i < 3000; i++) {
    g.x[i] = i * 10.0;
    g.hh[i] = gen_range(&rng, 0, 9);
    if (i) gen_edge(&g, i - 1, i);
  }
  gen_csr(&g);
  adversarial_case(&g, "line");
  gen_free(&g);
  /* no edges at all */
  gen_alloc(&g, 60);
  for (int i = 0; i < 60; i++) {
    g.x[i] = (i % 8) * 10.0;
    g.y[i] = (i / 8) * 10.0;
    g.hh[i] = 12;
  }
  gen_csr(&g);
  adversarial_case(&g, "no-edges");
  gen_free(&g);
  /* one giant unit of 100,000 households among ten */
  gen_alloc(&g, 10);
  for (int i = 0; i < 10; i++) {
    g.x[i] = i * 10.0;
    g.hh[i] = i == 3 ? 100000 : 5;
    if (i) gen_edge(&g, i - 1, i);
  }
  gen_csr(&g);
  adversarial_case(&g, "giant-unit");
  gen_free(&g);
  /* self loops, duplicate and one-way edges, edges across groups */
  gen_lattice(&g, &rng, 15, 15, 3, 1, 10, 10);
  for (int u = 0; u < g.n; u += 7) gen_edge(&g, u, u);
  for (int u = 0; u + 1 < g.n; u += 5) gen_edge(&g, u + 1, u);
  gen_csr(&g);
  adversarial_case(&g, "messy-graph");
  gen_free(&g);
  /* nothing */
  gen_alloc(&g, 0);
  gen_csr(&g);
  adversarial_case(&g, "empty");
  gen_free(&g);
}

/* Small random graphs with random bounds (including no floor and bounds
 * that do not nest), random groups and a random previous assignment: no
 * crash, and every hard constraint holds or is reported. */
TEST(random_small_instances) {
  gen_rng rng = {0xdecafbadULL};
  int bad = 0;
  for (int it = 0; it < 300; it++) {
    gen_inst g;
    int n = (int)gen_range(&rng, 1, 40);
    gen_alloc(&g, n);
    g.ngroups = (int)gen_range(&rng, 1, 3);
    for (int u = 0; u < n; u++) {
      g.x[u] = gen_unit(&rng) * 100;
      g.y[u] = gen_unit(&rng) * 100;
      g.hh[u] = gen_range(&rng, 0, 3) == 0 ? 0 : gen_range(&rng, 1, 30);
      g.group[u] = (int)gen_range(&rng, 0, g.ngroups - 1);
    }
    int ne = (int)gen_range(&rng, 0, 3 * n);
    for (int e = 0; e < ne; e++)
      gen_edge(&g, (int)gen_range(&rng, 0, n - 1), (int)gen_range(&rng, 0, n - 1));
    gen_csr(&g);
    int nlev = (int)gen_range(&rng, 1, 3);
    long b[6];
    long hi = gen_range(&rng, 40, 400);
    for (int l = 0; l < nlev; l++) {
      b[2 * l + 1] = hi;
      b[2 * l] = gen_range(&rng, 0, 1) ? 0 : gen_range(&rng, 1, hi);
      hi = gen_range(&rng, 5, hi / 2 > 5 ? hi / 2 : 5);
    }
    wg_divide_input_t in;
    gen_input(&g, &in, nlev, b);
    int *prev = NULL;
    if (it % 3 == 0) {
      prev = calloc((size_t)nlev * n, sizeof(int));
      for (int i = 0; i < nlev * n; i++) prev[i] = (int)gen_range(&rng, 0, 3);
      in.prev = prev;
    }
    wg_divide_result_t res;
    wg_errinfo ei;
    wg_err err = wg_divide_run(&in, &res, &ei);
    CHECK_EQ(err, WG_OK);
    if (!err) {
      vreport rep = verify(&in, &res, prev == NULL);
      if (rep.failures || rep.unexplained) bad++;
      CHECK_EQ(rep.failures, 0);
      CHECK_EQ(rep.unexplained, 0);
      wg_divide_result_t chk;
      CHECK_EQ(wg_divide_check(&in, res.unit_grid, res.pieces, res.npieces,
                               &chk, &ei),
               WG_OK);
      CHECK_EQ(chk.avoidable, res.avoidable);
      wg_divide_result_free(&chk);
    }
    wg_divide_result_free(&res);
    free(prev);
    gen_free(&g);
  }
  CHECK_EQ(bad, 0);
}

/* Same input, same output, byte for byte. */
TEST(determinism) {
  gen_rng rng = {2024};
  gen_inst g;
  gen_lattice(&g, &rng, 40, 35, 2, 2, 20, 12);
  g.hh[100] = 63;
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t a = run_ok(&in), b = run_ok(&in);
  CHECK_EQ(a.ngrids, b.ngrids);
  CHECK_EQ(a.nviolations, b.nviolations);
  CHECK_EQ(a.npieces, b.npieces);
  if (a.ngrids == b.ngrids && a.nviolations == b.nviolations) {
    CHECK(memcmp(a.unit_grid, b.unit_grid, 3 * (size_t)g.n * sizeof(int)) == 0);
    CHECK(memcmp(a.grids, b.grids, (size_t)a.ngrids * sizeof *a.grids) == 0);
    for (int i = 0; i < a.nviolations; i++)
      CHECK_STR(a.violations[i].reason, b.violations[i].reason);
  }
  wg_divide_result_free(&a);
  wg_divide_result_free(&b);
  gen_free(&g);
}

TEST(invalid_input) {
  gen_rng rng = {1};
  gen_inst g;
  gen_lattice(&g, &rng, 5, 5, 1, 1, 0, 5);
  wg_divide_input_t in;
  wg_divide_result_t res;
  wg_errinfo ei;
  long bad[6] = {500, 300, 50, 100, 10, 20};
  gen_input(&g, &in, 3, bad);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "level 1") != NULL);
  wg_divide_result_free(&res);
  gen_input(&g, &in, 0, URBAN);
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_EINVAL);
  gen_input(&g, &in, 3, URBAN);
  g.adj[3] = 999;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "999") != NULL);
  gen_csr(&g);
  gen_input(&g, &in, 3, URBAN);
  g.hh[4] = -1;
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_EINVAL);
  g.hh[4] = 1;
  g.group[2] = 7;
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_EINVAL);
  g.group[2] = 0;
  CHECK_EQ(wg_divide_run(&in, NULL, &ei), WG_EINVAL);
  /* free is safe on zeroed and freed results */
  wg_divide_result_t z;
  memset(&z, 0, sizeof z);
  wg_divide_result_free(&z);
  wg_divide_result_free(&z);
  wg_divide_result_free(NULL);
  CHECK_STR(wg_divide_vkind_name(WG_DIVIDE_V_NO_COUNT), "no_count");
  CHECK_STR(wg_divide_vkind_name(WG_DIVIDE_V_COUNT_), "unknown");
  gen_free(&g);
}

int main(void) {
  RUN(property_many_instances);
  RUN(edge_isolated_and_big_unit);
  RUN(edge_village_180);
  RUN(edge_group_fits_no_count);
  RUN(per_group_bounds);
  RUN(edge_zero_households);
  RUN(adversarial_inputs);
  RUN(random_small_instances);
  RUN(determinism);
  RUN(invalid_input);
  return test_done();
}
