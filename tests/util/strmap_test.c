#include "test.h"
#include "util/strmap.h"

static int add_value(void *ctx, const char *key, size_t len, int64_t value) {
  (void)key;
  (void)len;
  *(long *)ctx += (long)value;
  return 0;
}

TEST(strmap_put_get_grow) {
  wg_strmap m;
  wg_strmap_init(&m);
  char key[32];
  for (int i = 0; i < 50000; i++) {
    int n = snprintf(key, sizeof key, "k%d", i);
    CHECK_EQ(wg_strmap_put(&m, key, (size_t)n, i * 3), WG_OK);
  }
  CHECK_EQ(m.count, 50000);
  int64_t v = -1;
  CHECK(wg_strmap_get(&m, "k49999", 6, &v));
  CHECK_EQ(v, 49999 * 3);
  CHECK(!wg_strmap_get(&m, "k50000", 6, &v));
  CHECK(wg_strmap_get(&m, "k4999", 4, &v)); /* the key is "k499" */
  CHECK_EQ(v, 499 * 3);
  CHECK_EQ(wg_strmap_put(&m, "k7", 2, -1), WG_OK);
  CHECK(wg_strmap_get(&m, "k7", 2, &v));
  CHECK_EQ(v, -1);
  CHECK_EQ(m.count, 50000);
  /* Keys are compared by bytes and length, embedded NULs included. */
  CHECK_EQ(wg_strmap_put(&m, "a\0b", 3, 1), WG_OK);
  CHECK(!wg_strmap_get(&m, "a", 1, &v));
  long sum = 0;
  wg_strmap_each(&m, add_value, &sum);
  long want = 0;
  for (int i = 0; i < 50000; i++) want += i == 7 ? -1 : i * 3;
  CHECK_EQ(sum, want + 1); /* and the "a\0b" key's 1 */
  wg_strmap_free(&m);
  wg_strmap_free(&m);
}

TEST(u64map_put_get) {
  wg_u64map m;
  wg_u64map_init(&m);
  for (uint64_t i = 1; i <= 100000; i++) CHECK_EQ(wg_u64map_put(&m, i * 1000003ULL, (int64_t)i), WG_OK);
  int64_t v;
  CHECK_EQ(wg_u64map_put(&m, 0, 1), WG_EINVAL);
  CHECK(!wg_u64map_get(&m, 0, &v));
  CHECK(wg_u64map_get(&m, 1000003ULL, &v));
  CHECK_EQ(v, 1);
  CHECK(wg_u64map_get(&m, 99999ULL * 1000003ULL, &v));
  CHECK_EQ(v, 99999);
  CHECK(!wg_u64map_get(&m, 7, &v));
  CHECK_EQ(m.count, 100000);
  wg_u64map_free(&m);
  /* Reserved up front: no growth while filling, same answers. */
  wg_u64map_init(&m);
  CHECK_EQ(wg_u64map_reserve(&m, 100000), WG_OK);
  size_t cap = m.capacity;
  CHECK(cap * 3 >= 100000 * 4);
  for (uint64_t i = 1; i <= 100000; i++) {
    wg_u64map_prefetch(&m, i);
    CHECK_EQ(wg_u64map_put(&m, i, (int64_t)i * 2), WG_OK);
  }
  CHECK_EQ(m.capacity, cap);
  CHECK(wg_u64map_get(&m, 77777, &v));
  CHECK_EQ(v, 155554);
  wg_u64map_free(&m);
}

int main(void) {
  RUN(strmap_put_get_grow);
  RUN(u64map_put_get);
  return test_done();
}
