/* divide_bench.c — times the divide core on generated counties.
 *
 * Not built by CMake. Build and run by hand (the generator is in
 * bench/divide_gen_county.h, shared with bench/divide_compare.c):
 *   gcc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -Isrc bench/divide_bench.c \
 *       src/divide/check.c src/divide/divide.c src/divide/feasible.c \
 *       src/divide/inst.c src/divide/part.c src/util/err.c -lm \
 *       -o /tmp/divide_bench
 *   /tmp/divide_bench            # demo county (~53,000 households)
 *   /tmp/divide_bench 1000000    # generated prefecture (~1,000,000)
 *
 * The instance: urban communities of ~2,500 households in entrances of
 * 4-30 households on a 25 m lattice (bounds 300-500 / 50-100 / 10-20), and
 * villages of ~150-320 households in courtyards of 1-6 households on a 15 m
 * lattice, each village one level-1 grid (whole_l1) divided below by the
 * same bounds. Adjacency: triangulated lattice with 3% of edges dropped.
 * Prints wall time of wg_divide_run, peak RSS of the process, grids in
 * bounds, compactness, and a re-division after moving 1% of households.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "divide/divide.h"
#include "divide_gen_county.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static void report(const char *what, const wg_divide_result_t *res, double t) {
  printf("%s: %.3f s, %ld households, %d grids, %d violations (%d avoidable, "
         "%d forced)\n",
         what, t, res->households, res->ngrids, res->nviolations,
         res->avoidable, res->forced);
  for (int l = 0; l < res->nlevels; l++) {
    const wg_divide_level_stats_t *s = &res->stats[l];
    printf("  L%d: %6d grids, households min/median/max %ld/%ld/%ld, in "
           "bounds %.2f%% (out %d, forced %d), contiguous %.2f%%, within "
           "±20%% of target %.1f%%, mean compactness %.3f\n",
           l + 1, s->grids, s->min, s->median, s->max,
           s->grids ? 100.0 * (s->grids - s->out_of_bounds) / s->grids : 100.0,
           s->out_of_bounds, s->out_of_bounds_forced,
           s->grids ? 100.0 * (s->grids - s->noncontiguous) / s->grids : 100.0,
           100.0 * s->within_target, s->mean_compactness);
  }
}

int main(int argc, char **argv) {
  long households = argc > 1 ? strtol(argv[1], NULL, 10) : 53000;
  county_t c;
  county_make(&c, households, 20260101);
  printf("instance: %ld households, %d units, %d groups, %ld edges\n",
         households, c.n, c.ngroups, c.ne);
  wg_divide_input_t in;
  memset(&in, 0, sizeof in);
  in.n = c.n;
  in.households = c.hh;
  in.x = c.x;
  in.y = c.y;
  in.group = c.group;
  in.ngroups = c.ngroups;
  in.adj_start = c.xadj;
  in.adj = c.adj;
  in.nlevels = 3;
  in.bounds[0] = (wg_divide_bounds_t){300, 500};
  in.bounds[1] = (wg_divide_bounds_t){50, 100};
  in.bounds[2] = (wg_divide_bounds_t){10, 20};
  in.rules = c.rules;
  wg_divide_result_t res;
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  double t0 = now();
  wg_err err = wg_divide_run(&in, &res, &ei);
  double t1 = now();
  if (err) {
    fprintf(stderr, "divide: %s\n", ei.why);
    return 1;
  }
  report("divide", &res, t1 - t0);
  if (argc > 2 && strcmp(argv[2], "-v") == 0)
    for (int v = 0; v < res.nviolations; v++)
      if (!res.violations[v].forced)
        printf("  avoidable %s: %s\n", wg_divide_vkind_name(res.violations[v].kind),
               res.violations[v].reason);
  printf("  peak RSS after divide: %.1f MB\n", peak_rss_kb() / 1024.0);

  /* stability: move 1% of households and re-divide */
  int *prev = malloc(3 * (size_t)c.n * sizeof(int));
  for (int l = 0; l < 3; l++)
    for (int u = 0; u < c.n; u++) {
      int g = res.unit_grid[(size_t)l * c.n + u];
      prev[(size_t)l * c.n + u] = g >= 0 ? res.grids[g].number : 0;
    }
  /* split units' pieces may sit in several grids: no single number */
  for (int l = 0; l < 3; l++)
    for (int u = 0; u < c.n; u++)
      if (prev[(size_t)l * c.n + u] < 0) prev[(size_t)l * c.n + u] = 0;
  for (int l = 0; l < 3; l++)
    for (int u = 0; u < c.n; u++)
      if (res.unit_grid[(size_t)l * c.n + u] == WG_DIVIDE_SPLIT)
        prev[(size_t)l * c.n + u] = 0;
  cgen_rng_t r = {77};
  long moved = 0, target = res.households / 100;
  while (moved < target) {
    int a = (int)cgen_range(&r, 0, c.n - 1), b = (int)cgen_range(&r, 0, c.n - 1);
    if (a == b || c.hh[a] == 0 || c.group[a] != c.group[b]) continue;
    c.hh[a]--;
    c.hh[b]++;
    moved++;
  }
  in.prev = prev;
  /* pieces' previous numbers */
  wg_divide_piece_t *pp = malloc((size_t)(res.npieces > 0 ? res.npieces : 1) * sizeof *pp);
  for (int k = 0; k < res.npieces; k++) {
    pp[k] = res.pieces[k];
    for (int l = 0; l < 3; l++) pp[k].grid[l] = res.grids[res.pieces[k].grid[l]].number;
  }
  in.prev_pieces = pp;
  in.nprev_pieces = res.npieces;
  wg_divide_result_t res2;
  t0 = now();
  err = wg_divide_run(&in, &res2, &ei);
  t1 = now();
  if (err) {
    fprintf(stderr, "re-divide: %s\n", ei.why);
    return 1;
  }
  int changed = 0;
  for (int g = 0; g < res2.ngrids; g++) changed += res2.grids[g].kept != 1;
  report("re-divide after moving 1% of households", &res2, t1 - t0);
  printf("  households whose grid changed: %.2f%% (L1 %.2f%%, L2 %.2f%%, L3 "
         "%.2f%%); grids changed %d of %d (%.2f%%)\n",
         100 * res2.changed_share, 100 * res2.changed_share_level[0],
         100 * res2.changed_share_level[1], 100 * res2.changed_share_level[2],
         changed, res2.ngrids, 100.0 * changed / res2.ngrids);
  printf("  peak RSS: %.1f MB\n", peak_rss_kb() / 1024.0);
  wg_divide_result_free(&res);
  wg_divide_result_free(&res2);
  free(prev);
  free(pp);
  county_free(&c);
  return 0;
}
