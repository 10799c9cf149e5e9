/* feasible.c — can declared grid counts nest within the bounds at all? */
#include <stdio.h>
#include <string.h>

#include "divide/divide_int.h"

#define MAX_COUNT 100000000L      /* counts above this are refused */
#define MAX_BOUND 10000000000L    /* keeps count × bound inside a long */

/* n with thousands separators ("22,500") into buf. */
static const char *commas(long n, char *buf, size_t cap) {
  char tmp[32];
  int len = snprintf(tmp, sizeof tmp, "%ld", n < 0 ? -n : n);
  size_t k = 0;
  if (n < 0 && k + 1 < cap) buf[k++] = '-';
  for (int i = 0; i < len && k + 1 < cap; i++) {
    buf[k++] = tmp[i];
    int rest = len - i - 1;
    if (rest > 0 && rest % 3 == 0 && k + 1 < cap) buf[k++] = ',';
  }
  buf[k] = '\0';
  return buf;
}

static long lmax(long a, long b) { return a > b ? a : b; }
static long lmin(long a, long b) { return a < b ? a : b; }

wg_err wg_divide_feasible_counts(int nlevels, const long *counts,
                                 const wg_divide_bounds_t *bounds,
                                 long households, wg_divide_feasibility_t *out,
                                 wg_errinfo *ei) {
  if (!out || !counts || !bounds)
    return wg_errinfo_set(ei, WG_EINVAL, "missing argument");
  memset(out, 0, sizeof *out);
  if (nlevels < 1 || nlevels > WG_DIVIDE_MAX_LEVELS)
    return wg_errinfo_set(ei, WG_EINVAL, "nlevels %d is not 1..3", nlevels);
  for (int l = 0; l < nlevels; l++) {
    if (counts[l] < 1 || counts[l] > MAX_COUNT)
      return wg_errinfo_set(ei, WG_EINVAL, "level %d count %ld not in 1..%ld",
                            l + 1, counts[l], MAX_COUNT);
    if (bounds[l].lo < 0 || bounds[l].hi < 1 || bounds[l].lo > bounds[l].hi ||
        bounds[l].hi > MAX_BOUND)
      return wg_errinfo_set(ei, WG_EINVAL, "level %d bounds %ld-%ld invalid",
                            l + 1, bounds[l].lo, bounds[l].hi);
  }
  char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
  /* 1. each level's own range of totals */
  long lo = 0, hi = 0;
  int llo = 0, lhi = 0;
  for (int l = 0; l < nlevels; l++) {
    long x = counts[l] * bounds[l].lo, y = counts[l] * bounds[l].hi;
    if (l == 0 || x > lo) {
      lo = x;
      llo = l;
    }
    if (l == 0 || y < hi) {
      hi = y;
      lhi = l;
    }
  }
  if (lo > hi) {
    snprintf(out->reason, sizeof out->reason,
             "cannot nest: %s level-%d grids of at most %s households hold at "
             "most %s households, but %s level-%d grids of at least %s need "
             "at least %s",
             commas(counts[lhi], a, sizeof a), lhi + 1,
             commas(bounds[lhi].hi, b, sizeof b), commas(hi, c, sizeof c),
             commas(counts[llo], d, sizeof d), llo + 1,
             commas(bounds[llo].lo, e, sizeof e), commas(lo, f, sizeof f));
    return WG_OK;
  }
  /* 2. whole numbers of children per parent, and 3. balanced nesting */
  for (int l = 0; l + 1 < nlevels; l++) {
    long P = counts[l], C = counts[l + 1];
    long plo = bounds[l].lo, phi = bounds[l].hi;
    long clo = bounds[l + 1].lo, chi = bounds[l + 1].hi;
    long jmin = lmax(1, (plo + chi - 1) / chi);
    long jmax = clo > 0 ? phi / clo : MAX_COUNT;
    if (jmin > jmax) {
      snprintf(out->reason, sizeof out->reason,
               "cannot nest: a level-%d grid of %s-%s households cannot be cut "
               "into level-%d grids of %s-%s",
               l + 1, commas(plo, a, sizeof a), commas(phi, b, sizeof b), l + 2,
               commas(clo, c, sizeof c), commas(chi, d, sizeof d));
      return WG_OK;
    }
    if (C < P * jmin || C > P * jmax) {
      snprintf(out->reason, sizeof out->reason,
               "cannot nest: each level-%d grid of %s-%s households holds %ld "
               "to %ld level-%d grids of %s-%s, so %s level-%d grids hold %s "
               "to %s level-%d grids, not %s",
               l + 1, commas(plo, a, sizeof a), commas(phi, b, sizeof b), jmin,
               jmax, l + 2, commas(clo, c, sizeof c), commas(chi, d, sizeof d),
               commas(P, e, sizeof e), l + 1, commas(P * jmin, f, sizeof f),
               commas(P * jmax, g, sizeof g), l + 2, commas(C, h, sizeof h));
      return WG_OK;
    }
    long q = C / P, r = C % P;
    long lo1 = lmax(plo, q * clo), hi1 = lmin(phi, q * chi);
    long lo2 = lmax(plo, (q + 1) * clo), hi2 = lmin(phi, (q + 1) * chi);
    if (lo1 > hi1 || (r > 0 && lo2 > hi2)) {
      long j = lo1 > hi1 ? q : q + 1;
      snprintf(out->reason, sizeof out->reason,
               "cannot nest: spreading %s level-%d grids over %s level-%d "
               "grids gives some %ld children, and %ld grids of %s-%s do not "
               "fit one grid of %s-%s",
               commas(C, a, sizeof a), l + 2, commas(P, b, sizeof b), l + 1, j,
               j, commas(clo, c, sizeof c), commas(chi, d, sizeof d),
               commas(plo, e, sizeof e), commas(phi, f, sizeof f));
      return WG_OK;
    }
    long blo = r * lo2 + (P - r) * lo1, bhi = r * hi2 + (P - r) * hi1;
    if (r == 0) {
      blo = P * lo1;
      bhi = P * hi1;
    }
    lo = lmax(lo, blo);
    hi = lmin(hi, bhi);
    if (lo > hi) {
      snprintf(out->reason, sizeof out->reason,
               "cannot nest: with %s level-%d grids spread evenly over %s "
               "level-%d grids the total must lie in %s-%s, which the other "
               "levels exclude",
               commas(C, a, sizeof a), l + 2, commas(P, b, sizeof b), l + 1,
               commas(blo, c, sizeof c), commas(bhi, d, sizeof d));
      return WG_OK;
    }
  }
  if (households >= 0 && (households < lo || households > hi)) {
    snprintf(out->reason, sizeof out->reason,
             "cannot fit: these counts allow %s-%s households, not %s",
             commas(lo, a, sizeof a), commas(hi, b, sizeof b),
             commas(households, c, sizeof c));
    out->min_households = lo;
    out->max_households = hi;
    return WG_OK;
  }
  out->feasible = 1;
  out->min_households = lo;
  out->max_households = hi;
  snprintf(out->reason, sizeof out->reason,
           "the counts can nest: totals of %s-%s households fit every level "
           "(children spread evenly over parents)",
           commas(lo, a, sizeof a), commas(hi, b, sizeof b));
  return WG_OK;
}
