/* divide_pieces_test.c — a split unit's dwellings cut into runs that follow
 * the core's pieces (wg_divide_fill_pieces). */
#include "divide/divide.h"

#include <stdint.h>

#include "test.h"

static uint64_t rng = 88172645463325252ull;
static long next(long n) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (long)(rng % (uint64_t)n);
}

TEST(one_household_per_dwelling_gives_the_targets_exactly) {
  long w[66], target[4] = {17, 17, 16, 16}, sums[4];
  int piece[66];
  for (int i = 0; i < 66; i++) w[i] = 1;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_divide_fill_pieces(66, w, 4, target, 20, piece, sums, &ei), WG_OK);
  for (int k = 0; k < 4; k++) CHECK_EQ(sums[k], target[k]);
  CHECK_EQ(piece[0], 0);
  CHECK_EQ(piece[16], 0);
  CHECK_EQ(piece[17], 1);
  CHECK_EQ(piece[65], 3);
}

TEST(random_dwellings_keep_every_rule) {
  wg_errinfo ei = {0};
  for (int trial = 0; trial < 20000; trial++) {
    int n = 1 + (int)next(120), np = 1 + (int)next(7);
    long w[120], target[8], sums[8], total = 0;
    int piece[120], nonempty = 0;
    for (int i = 0; i < n; i++) {
      w[i] = next(10) < 2 ? 0 : 1 + next(next(5) == 0 ? 4 : 1); /* mostly 1, some empty, some 2-4 */
      total += w[i];
      nonempty += w[i] > 0;
    }
    for (int k = 0; k < np; k++) target[k] = total / np + (k < total % np);
    long hi = next(2) ? 20 : 0;
    CHECK_EQ(wg_divide_fill_pieces(n, w, np, target, hi, piece, sums, &ei), WG_OK);
    long sum = 0;
    int bad_order = 0, bad_range = 0;
    for (int i = 0; i < n; i++) {
      if (piece[i] < 0 || piece[i] >= np) bad_range++;
      if (i && piece[i] < piece[i - 1]) bad_order++;
    }
    for (int k = 0; k < np; k++) sum += sums[k];
    CHECK_EQ(bad_range, 0);
    CHECK_EQ(bad_order, 0);
    CHECK_EQ(sum, total);
    /* Every piece holds someone when there are enough occupied dwellings. */
    if (nonempty >= np)
      for (int k = 0; k < np; k++)
        if (sums[k] <= 0) {
          CHECK(sums[k] > 0);
          break;
        }
    /* The sums recomputed from piece_of agree. */
    long again[8] = {0};
    for (int i = 0; i < n; i++) again[piece[i]] += w[i];
    for (int k = 0; k < np; k++) CHECK_EQ(again[k], sums[k]);
    if (test_cur_failed_) {
      printf("#   trial %d: n %d pieces %d\n", trial, n, np);
      return;
    }
  }
}

TEST(within_the_cap_when_the_targets_are) {
  /* 40 households, 2 pieces of 20, dwellings of 1 or 2: no piece above 20
   * unless the last one must take the rest. */
  wg_errinfo ei = {0};
  for (int trial = 0; trial < 5000; trial++) {
    long w[60], target[3], sums[3], total = 0;
    int piece[60], n = 0;
    while (total < 54) {
      w[n] = 1 + next(2);
      total += w[n++];
    }
    for (int k = 0; k < 3; k++) target[k] = total / 3 + (k < total % 3);
    CHECK_EQ(wg_divide_fill_pieces(n, w, 3, target, 20, piece, sums, &ei), WG_OK);
    CHECK(sums[0] <= 20 && sums[1] <= 20);
    /* Each piece within 2 households of its target (the largest dwelling). */
    for (int k = 0; k < 2; k++) CHECK(sums[k] >= target[k] - 2 && sums[k] <= target[k] + 2);
    if (test_cur_failed_) return;
  }
}

TEST(bad_input) {
  wg_errinfo ei = {0};
  long w[2] = {1, -1}, t[1] = {2};
  int p[2];
  CHECK_EQ(wg_divide_fill_pieces(2, w, 1, t, 0, p, NULL, &ei), WG_EINVAL);
  CHECK_EQ(wg_divide_fill_pieces(1, w, 0, t, 0, p, NULL, &ei), WG_EINVAL);
  CHECK_EQ(wg_divide_fill_pieces(0, NULL, 1, t, 0, NULL, NULL, &ei), WG_OK);
}

int main(void) {
  RUN(one_household_per_dwelling_gives_the_targets_exactly);
  RUN(random_dwellings_keep_every_rule);
  RUN(within_the_cap_when_the_targets_are);
  RUN(bad_input);
  return test_done();
}
