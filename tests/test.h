/* test.h — a tiny assertion harness printing TAP and "N passed, N failed".
 *
 *   TEST(name) { CHECK(x == 1); CHECK_STR(a, "b"); }
 *   int main(void) { RUN(name); return test_done(); }
 */
#ifndef WG_TEST_H
#define WG_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed_, test_failed_, test_no_;
static int test_cur_failed_;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) {                                                        \
      printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      test_cur_failed_ = 1;                                               \
    }                                                                     \
  } while (0)

#define CHECK_EQ(a, b)                                                      \
  do {                                                                      \
    long long a_ = (long long)(a), b_ = (long long)(b);                     \
    if (a_ != b_) {                                                         \
      printf("#   %s:%d: %s == %s failed: %lld != %lld\n", __FILE__,       \
             __LINE__, #a, #b, a_, b_);                                     \
      test_cur_failed_ = 1;                                                 \
    }                                                                       \
  } while (0)

#define CHECK_STR(a, b)                                                      \
  do {                                                                       \
    const char *a_ = (a), *b_ = (b);                                         \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                 \
      printf("#   %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__,    \
             __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");      \
      test_cur_failed_ = 1;                                                  \
    }                                                                        \
  } while (0)

#define CHECK_NEAR(a, b, eps)                                               \
  do {                                                                      \
    double a_ = (a), b_ = (b);                                              \
    if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps))) {                          \
      printf("#   %s:%d: %s ~ %s failed: %.9f vs %.9f\n", __FILE__,        \
             __LINE__, #a, #b, a_, b_);                                     \
      test_cur_failed_ = 1;                                                 \
    }                                                                       \
  } while (0)

#define RUN(name)                                                    \
  do {                                                               \
    test_cur_failed_ = 0;                                            \
    name();                                                          \
    ++test_no_;                                                      \
    if (test_cur_failed_) {                                          \
      ++test_failed_;                                                \
      printf("not ok %d - %s\n", test_no_, #name);                   \
    } else {                                                         \
      ++test_passed_;                                                \
      printf("ok %d - %s\n", test_no_, #name);                       \
    }                                                                \
  } while (0)

static inline int test_done(void) {
  printf("1..%d\n%d passed, %d failed\n", test_no_, test_passed_, test_failed_);
  return test_failed_ ? 1 : 0;
}

/* A fresh temporary directory path for this test (mkdtemp); caller frees. */
static inline char *test_tmpdir(void) {
  char *p = strdup("/tmp/wgtest.XXXXXX");
  if (!p || !mkdtemp(p)) { perror("mkdtemp"); exit(2); }
  return p;
}

#endif
