/* divide_stability_test.c — re-division after the ledger changes: grids that
 * still meet the rules are kept with their numbers, new grids take fresh
 * numbers, and the share of households whose grid changed is reported. */
#include "divide/divide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide_gen.h"
#include "test.h"

static const long URBAN[6] = {300, 500, 50, 100, 10, 20};

/* prev[l*n+u] = number of u's level-l+1 grid */
static int *numbers_of(const wg_divide_result_t *res) {
  int n = res->n, L = res->nlevels;
  int *prev = calloc((size_t)L * n + 1, sizeof(int));
  for (int l = 0; l < L; l++)
    for (int u = 0; u < n; u++) {
      int g = res->unit_grid[(size_t)l * n + u];
      prev[(size_t)l * n + u] = g >= 0 ? res->grids[g].number : 0;
    }
  return prev;
}

/* Move `amount` households one at a time between random units, keeping each
 * unit at or below cap so nothing needs splitting. */
static void move_households(gen_inst *g, gen_rng *r, long amount, long cap) {
  long moved = 0;
  while (moved < amount) {
    int a = (int)gen_range(r, 0, g->n - 1), b = (int)gen_range(r, 0, g->n - 1);
    if (a == b || g->hh[a] == 0 || g->hh[b] >= cap) continue;
    g->hh[a]--;
    g->hh[b]++;
    moved++;
  }
}

/* Old grid of unit u at level l, identified by its number path. */
static long path_key(const int *prev, int n, int u, int l, int group) {
  long k = group;
  for (int j = 0; j <= l; j++) k = k * 1000 + prev[(size_t)j * n + u];
  return k;
}

typedef struct oldgrid {
  long key;
  int level, count, valid, kept, touches_invalid, ancestors_kept;
} oldgrid;

static int find_old(oldgrid *o, int no, long key, int level) {
  for (int i = 0; i < no; i++)
    if (o[i].key == key && o[i].level == level) return i;
  return -1;
}

static void stability_case(uint64_t seed, int W, int H) {
  gen_rng rng = {seed};
  gen_inst g;
  gen_lattice(&g, &rng, W, H, 2, 1, 15, 10);
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t r0;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_divide_run(&in, &r0, &ei), WG_OK);
  int n = g.n;
  int *prev = numbers_of(&r0);

  /* 1. nothing changed: everything kept, nothing moved */
  in.prev = prev;
  wg_divide_result_t same;
  CHECK_EQ(wg_divide_run(&in, &same, &ei), WG_OK);
  CHECK_EQ(same.ngrids, r0.ngrids);
  int all_kept = 1;
  for (int i = 0; i < same.ngrids; i++) all_kept &= same.grids[i].kept == 1;
  CHECK(all_kept);
  CHECK_NEAR(same.changed_share, 0.0, 1e-12);
  CHECK(memcmp(same.unit_grid, r0.unit_grid, 3 * (size_t)n * sizeof(int)) ==
        0);
  wg_divide_result_free(&same);

  /* 2. move 1% of households */
  long total = 0;
  for (int u = 0; u < n; u++) total += g.hh[u];
  long *before = malloc((size_t)n * sizeof(long));
  memcpy(before, g.hh, (size_t)n * sizeof(long));
  move_households(&g, &rng, total / 100, 20);
  wg_divide_result_t r1;
  CHECK_EQ(wg_divide_run(&in, &r1, &ei), WG_OK);
  vreport rep = verify(&in, &r1, 0);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(r1.avoidable, 0);

  /* old grids under the new weights */
  int cap = 3 * n, no = 0;
  oldgrid *o = calloc((size_t)cap, sizeof *o);
  int *og = malloc(3 * (size_t)n * sizeof(int));
  long *ow = calloc((size_t)cap, sizeof(long));
  for (int l = 0; l < 3; l++)
    for (int u = 0; u < n; u++) {
      long key = path_key(prev, n, u, l, g.group[u]);
      int id = find_old(o, no, key, l);
      if (id < 0) {
        id = no++;
        o[id].key = key;
        o[id].level = l;
      }
      o[id].count++;
      ow[id] += g.hh[u];
      og[(size_t)l * n + u] = id;
    }
  for (int i = 0; i < no; i++) {
    long lo = URBAN[2 * o[i].level], hi = URBAN[2 * o[i].level + 1];
    o[i].valid = ow[i] >= lo && ow[i] <= hi; /* contiguity held before */
  }
  /* kept: a new grid with exactly the old units and the old number */
  for (int gi = 0; gi < r1.ngrids; gi++) {
    int l = r1.grids[gi].level - 1, first = -1, cnt = 0, same_old = 1;
    for (int u = 0; u < n; u++)
      if (r1.unit_grid[(size_t)l * n + u] == gi) {
        if (first < 0) first = u;
        cnt++;
        if (og[(size_t)l * n + u] != og[(size_t)l * n + first]) same_old = 0;
      }
    if (first < 0) continue;
    int id = og[(size_t)l * n + first];
    int unchanged = same_old && cnt == o[id].count &&
                    r1.grids[gi].number == prev[(size_t)l * n + first];
    if (r1.grids[gi].kept == 1) CHECK(unchanged);
    if (unchanged) o[id].kept = 1;
  }
  /* touching an invalid grid of the same level */
  for (int e = 0; e < g.ne; e++) {
    int u = g.eu[e], v = g.ev[e];
    if (g.group[u] != g.group[v]) continue;
    for (int l = 0; l < 3; l++) {
      int a = og[(size_t)l * n + u], b = og[(size_t)l * n + v];
      if (a == b) continue;
      if (!o[b].valid) o[a].touches_invalid = 1;
      if (!o[a].valid) o[b].touches_invalid = 1;
    }
  }
  int eligible = 0, kept = 0, strict = 0, strict_kept = 0;
  for (int i = 0; i < no; i++) {
    /* ancestors kept: look at any unit of the grid */
    int anc = 1;
    for (int u = 0; u < n && anc; u++) {
      if (og[(size_t)o[i].level * n + u] != i) continue;
      for (int l = 0; l < o[i].level; l++)
        if (!o[og[(size_t)l * n + u]].kept) anc = 0;
      break;
    }
    if (!o[i].valid || !anc) continue;
    eligible++;
    kept += o[i].kept;
    if (!o[i].touches_invalid) {
      strict++;
      strict_kept += o[i].kept;
    }
  }
  /* valid grids whose parents were kept and which border no invalid grid
   * are kept, unless a repair had to widen to them (rings, see divide.c):
   * at least 95% of them; grids bordering an invalid one may give or take
   * units in a repair */
  CHECK(strict_kept * 100 >= strict * 95);
  CHECK(eligible > 0);
  /* fresh numbers never reuse an old number under the same parent */
  for (int gi = 0; gi < r1.ngrids; gi++) {
    if (r1.grids[gi].kept) continue;
    int l = r1.grids[gi].level - 1, par = r1.grids[gi].parent;
    for (int u = 0; u < n; u++) {
      int pu = l == 0 ? -1 : r1.unit_grid[(size_t)(l - 1) * n + u];
      if (pu != par || g.group[u] != r1.grids[gi].group) continue;
      /* units of the same parent: their old number at l must differ unless
       * the parent is new (then old numbers are in another code space) */
      if (l > 0 && r1.grids[par].kept == 0) continue;
      /* only units whose old parent code is this parent's code */
      int same_parent = 1;
      for (int j = 0, a = par; j < l; j++) {
        /* walk up from par: level l-1-j */
        int lv = l - 1 - j;
        if (prev[(size_t)lv * n + u] != r1.grids[a].number) same_parent = 0;
        a = r1.grids[a].parent;
      }
      if (!same_parent) continue;
      CHECK(prev[(size_t)l * n + u] != r1.grids[gi].number);
    }
  }
  /* changed share, computed here from codes */
  long changed = 0;
  for (int u = 0; u < n; u++) {
    int diff = 0;
    for (int l = 0; l < 3; l++) {
      int gi = r1.unit_grid[(size_t)l * n + u];
      if (gi < 0 || r1.grids[gi].number != prev[(size_t)l * n + u]) diff = 1;
    }
    if (diff) changed += g.hh[u];
  }
  long tot1 = 0;
  for (int u = 0; u < n; u++) tot1 += g.hh[u];
  CHECK_NEAR(r1.changed_share, (double)changed / tot1, 1e-9);
  int grids_changed = 0;
  for (int gi = 0; gi < r1.ngrids; gi++) grids_changed += r1.grids[gi].kept != 1;
  printf("#   seed %llu: %dx%d, moved 1%% of %ld households: %.1f%% of "
         "households changed grid (L1 %.1f%%, L2 %.1f%%); %d of %d grids "
         "changed; %d/%d valid old grids kept (%d/%d away from invalid ones)\n",
         (unsigned long long)seed, W, H, total, 100 * r1.changed_share,
         100 * r1.changed_share_level[0], 100 * r1.changed_share_level[1],
         grids_changed, r1.ngrids, kept, eligible, strict_kept, strict);
  CHECK(r1.changed_share < 0.25);
  free(o);
  free(og);
  free(ow);
  free(before);
  wg_divide_result_free(&r1);
  wg_divide_result_free(&r0);
  free(prev);
  gen_free(&g);
}

TEST(stability_after_moving_one_percent) {
  stability_case(11, 40, 30);
  stability_case(12, 50, 40);
  stability_case(13, 30, 30);
}

/* Highest used numbers are honoured: with no previous level-1 grids and a
 * record saying 50 was used, level-1 grids are numbered from 51. */
TEST(fresh_numbers_above_used) {
  gen_rng rng = {8};
  gen_inst g;
  gen_lattice(&g, &rng, 30, 30, 1, 1, 10, 10);
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  int *prev = calloc(3 * (size_t)g.n, sizeof(int));
  wg_divide_used_t used = {.group = 0, .level = 1, .max_number = 50};
  in.prev = prev;
  in.used = &used;
  in.nused = 1;
  wg_divide_result_t res;
  wg_errinfo ei;
  CHECK_EQ(wg_divide_run(&in, &res, &ei), WG_OK);
  int k = res.stats[0].grids, ok = 1;
  int *seen = calloc((size_t)k + 1, sizeof(int));
  for (int i = 0; i < res.ngrids; i++)
    if (res.grids[i].level == 1) {
      int num = res.grids[i].number;
      if (num < 51 || num > 50 + k || seen[num - 51]) ok = 0;
      else seen[num - 51] = 1;
    }
  CHECK(ok);
  CHECK(k > 1);
  /* level-2 children of new level-1 grids start at 1 */
  for (int i = 0; i < res.ngrids; i++)
    if (res.grids[i].level == 2) CHECK(res.grids[i].number <= 20);
  CHECK_NEAR(res.changed_share, 1.0, 1e-12);
  free(seen);
  free(prev);
  wg_divide_result_free(&res);
  gen_free(&g);
}

/* A grid pushed over its bound is repaired; one pushed far over is split
 * and the bigger part keeps the number. */
TEST(overfull_grid_is_repaired) {
  gen_rng rng = {21};
  gen_inst g;
  gen_lattice(&g, &rng, 40, 30, 1, 1, 10, 10);
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t r0, r1;
  wg_errinfo ei;
  CHECK_EQ(wg_divide_run(&in, &r0, &ei), WG_OK);
  int *prev = numbers_of(&r0);
  /* add 300 households to the units of level-1 grid 0 */
  int target = 0;
  long added = 0;
  while (added < 300)
    for (int u = 0; u < g.n && added < 300; u++)
      if (r0.unit_grid[u] == target && g.hh[u] < 20) {
        g.hh[u]++;
        added++;
      }
  in.prev = prev;
  CHECK_EQ(wg_divide_run(&in, &r1, &ei), WG_OK);
  vreport rep = verify(&in, &r1, 0);
  CHECK_EQ(rep.failures, 0);
  CHECK_EQ(r1.avoidable, 0);
  for (int v = 0; v < r1.nviolations; v++)
    if (!r1.violations[v].forced) printf("#   %s\n", r1.violations[v].reason);
  CHECK(r1.stats[0].grids > r0.stats[0].grids);
  int old_number = r0.grids[target].number, holders = 0;
  for (int i = 0; i < r1.ngrids; i++)
    if (r1.grids[i].level == 1 && r1.grids[i].number == old_number) holders++;
  CHECK_EQ(holders, 1);
  printf("#   overfull level-1 grid: %d -> %d level-1 grids, %.1f%% of "
         "households changed grid\n",
         r0.stats[0].grids, r1.stats[0].grids, 100 * r1.changed_share);
  free(prev);
  wg_divide_result_free(&r0);
  wg_divide_result_free(&r1);
  gen_free(&g);
}

/* Split units keep their pieces' numbers through prev_pieces. */
TEST(split_units_are_stable) {
  gen_rng rng = {90};
  gen_inst g;
  gen_lattice(&g, &rng, 30, 30, 1, 1, 10, 10);
  for (int u = 0; u < g.n; u += 37) g.hh[u] = 25 + (u % 30); /* 2-3 pieces */
  wg_divide_input_t in;
  gen_input(&g, &in, 3, URBAN);
  wg_divide_result_t r0, r1;
  wg_errinfo ei;
  CHECK_EQ(wg_divide_run(&in, &r0, &ei), WG_OK);
  CHECK(r0.npieces > 0);
  int *prev = numbers_of(&r0);
  for (size_t i = 0; i < 3 * (size_t)g.n; i++)
    if (prev[i] < 0) prev[i] = 0; /* WG_DIVIDE_SPLIT has no number */
  for (int l = 0; l < 3; l++)
    for (int u = 0; u < g.n; u++)
      if (r0.unit_grid[(size_t)l * g.n + u] == WG_DIVIDE_SPLIT)
        prev[(size_t)l * g.n + u] = 0;
  wg_divide_piece_t *pp = malloc((size_t)r0.npieces * sizeof *pp);
  for (int k = 0; k < r0.npieces; k++) {
    pp[k] = r0.pieces[k];
    for (int l = 0; l < 3; l++) pp[k].grid[l] = r0.grids[r0.pieces[k].grid[l]].number;
  }
  in.prev = prev;
  in.prev_pieces = pp;
  in.nprev_pieces = r0.npieces;
  CHECK_EQ(wg_divide_run(&in, &r1, &ei), WG_OK);
  CHECK_NEAR(r1.changed_share, 0.0, 1e-12);
  int all_kept = 1;
  for (int i = 0; i < r1.ngrids; i++) all_kept &= r1.grids[i].kept == 1;
  CHECK(all_kept);
  /* without prev_pieces the split units' households count as changed */
  in.prev_pieces = NULL;
  in.nprev_pieces = 0;
  wg_divide_result_free(&r1);
  CHECK_EQ(wg_divide_run(&in, &r1, &ei), WG_OK);
  CHECK(r1.changed_share > 0.0);
  free(pp);
  free(prev);
  wg_divide_result_free(&r0);
  wg_divide_result_free(&r1);
  gen_free(&g);
}

int main(void) {
  RUN(stability_after_moving_one_percent);
  RUN(fresh_numbers_above_used);
  RUN(overfull_grid_is_repaired);
  RUN(split_units_are_stable);
  return test_done();
}
