/* encoding_test.c — UTF-8 validation and GB18030 conversion. */
#include <stdint.h>

#include "io/encoding.h"
#include "test.h"

/* Reference validator, one code point at a time: decode, then reject
 * overlongs, surrogates and values past U+10FFFF. */
static size_t ref_scan(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80) { i++; continue; }
    else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return i;
    if (n - i < len) return i;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return n;
}

TEST(utf8_edge_cases) {
  struct { const char *s; size_t n, want; } cases[] = {
      {"plain ascii text", 16, 16},
      {"\xE5\xBC\xA0\xE4\xB8\x89", 6, 6},        /* 张三 */
      {"\xF0\x9F\x98\x80", 4, 4},                /* emoji */
      {"\xC0\x80", 2, 0},                        /* overlong NUL */
      {"\xE0\x80\xAF", 3, 0},                    /* overlong */
      {"\xED\xA0\x80", 3, 0},                    /* surrogate */
      {"\xF4\x90\x80\x80", 4, 0},                /* > U+10FFFF */
      {"ab\xE5\xBC", 4, 2},                      /* truncated */
      {"abcdefghij\xFF", 11, 10},
      {"\xEF\xBF\xBF", 3, 3},                    /* U+FFFF */
      {"\xE5\x41\xA0", 3, 0},                    /* bad continuation */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CHECK_EQ(wg_utf8_scan(cases[i].s, cases[i].n), cases[i].want);
    CHECK_EQ(wg_utf8_valid(cases[i].s, cases[i].n), cases[i].want == cases[i].n);
  }
}

/* The fast paths agree with the reference on many generated strings. */
TEST(utf8_differential) {
  static const unsigned char pool[] = {'a', 'Z', ' ', 0x80, 0xBF, 0xA0, 0x9F, 0x90,
                                       0xC2, 0xDF, 0xE0, 0xE5, 0xED, 0xEE, 0xEF,
                                       0xF0, 0xF4, 0xF5, 0xC0, 0xFF};
  unsigned seed = 12345;
  unsigned char buf[40];
  int mismatches = 0;
  for (int round = 0; round < 200000; round++) {
    size_t n = 1 + round % 39;
    for (size_t i = 0; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      buf[i] = pool[(seed >> 16) % sizeof pool];
    }
    if (wg_utf8_scan(buf, n) != ref_scan(buf, n)) mismatches++;
  }
  CHECK_EQ(mismatches, 0);
}

TEST(gb18030_conversion) {
  /* "张三" in GB18030 (GBK range) and U+1F600 (4-byte GB18030 form) */
  const char gb[] = "\xD5\xC5\xC8\xFD" "\x94\x39\xFC\x36";
  char out[32];
  size_t n = 0;
  CHECK_EQ(wg_gb18030_to_utf8(NULL, gb, 8, out, sizeof out, &n), 0);
  CHECK_EQ(n, 10);
  CHECK(memcmp(out, "\xE5\xBC\xA0\xE4\xB8\x89\xF0\x9F\x98\x80", 10) == 0);
  void *cd = wg_gb18030_open();
  CHECK(cd != NULL);
  CHECK_EQ(wg_gb18030_to_utf8(cd, "\xD5", 1, out, sizeof out, &n), -1); /* cut */
  CHECK_EQ(wg_gb18030_to_utf8(cd, "\xFF\xFF", 2, out, sizeof out, &n), -1);
  CHECK_EQ(wg_gb18030_to_utf8(cd, gb, 8, out, 3, &n), -2);               /* small */
  CHECK_EQ(wg_gb18030_to_utf8(cd, gb, 4, out, sizeof out, &n), 0);       /* reusable */
  CHECK_EQ(n, 6);
  wg_gb18030_close(cd);
  wg_gb18030_close(NULL);
}

int main(void) {
  RUN(utf8_edge_cases);
  RUN(utf8_differential);
  RUN(gb18030_conversion);
  return test_done();
}
