/* demo_rng.c — the demo's own PRNG (xoshiro256**, seeded by splitmix64)
 * and civil-date arithmetic. Never rand(): output must not depend on the C
 * library, and two builds with one seed must be identical. */
#include <math.h>

#include "demo/demo_int.h"

uint64_t wg__demo_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void wg__demo_rng_seed(wg__demo_rng_t *r, uint64_t seed, uint64_t stream) {
  uint64_t x = wg__demo_mix(seed) ^ wg__demo_mix(stream * 0x632be59bd9b4e019ULL + 1);
  for (int i = 0; i < 4; i++) {
    x += 0x9e3779b97f4a7c15ULL;
    r->s[i] = wg__demo_mix(x);
  }
  if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1; /* never all zero */
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t wg__demo_rng_u64(wg__demo_rng_t *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double wg__demo_rng_unit(wg__demo_rng_t *r) {
  return (double)(wg__demo_rng_u64(r) >> 11) * 0x1.0p-53;
}

long wg__demo_rng_range(wg__demo_rng_t *r, long lo, long hi) {
  if (hi <= lo) return lo;
  double span = (double)(hi - lo) + 1.0;
  long v = lo + (long)(wg__demo_rng_unit(r) * span); /* spans here are < 2^31 */
  return v > hi ? hi : v;
}

int wg__demo_rng_chance(wg__demo_rng_t *r, double p) {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return wg__demo_rng_unit(r) < p;
}

double wg__demo_rng_normal(wg__demo_rng_t *r) {
  /* Box–Muller, one value per call (the other is dropped: simpler state). */
  double u1 = wg__demo_rng_unit(r), u2 = wg__demo_rng_unit(r);
  if (u1 < 1e-300) u1 = 1e-300;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

size_t wg__demo_rng_pick(wg__demo_rng_t *r, const double *w, size_t n) {
  double total = 0;
  for (size_t i = 0; i < n; i++) total += w[i];
  double x = wg__demo_rng_unit(r) * total;
  for (size_t i = 0; i < n; i++) {
    if (x < w[i]) return i;
    x -= w[i];
  }
  /* rounding: the last non-zero weight */
  for (size_t i = n; i-- > 0;)
    if (w[i] > 0) return i;
  return 0;
}

void wg__demo_rng_shuffle(wg__demo_rng_t *r, int64_t *a, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)wg__demo_rng_range(r, 0, (long)i - 1);
    int64_t t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
  }
}

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). */
long wg__demo_days(int32_t ymd) {
  long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int32_t wg__demo_ymd(long z) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  return (int32_t)(y * 10000 + m * 100 + d);
}

int wg__demo_age(int32_t birth, int32_t on) {
  int a = (int)(on / 10000 - birth / 10000);
  if (on % 10000 < birth % 10000) a--;
  return a;
}
