/* encoding.c — UTF-8 validation and GB18030 conversion (glibc iconv). */
#include "io/encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

size_t wg_utf8_scan(const void *s, size_t n) {
  const unsigned char *p = s, *e = p + n;
  while (p < e) {
    unsigned c = *p;
    if (c < 0x80) {
      /* ASCII: skip a run eight bytes at a time */
      p++;
      while (e - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        if (w & UINT64_C(0x8080808080808080)) break;
        p += 8;
      }
      continue;
    }
    /* the common CJK case: E1..EC / EE..EF lead, two continuation bytes */
    if (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) && e - p >= 3 &&
        (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
      p += 3;
      continue;
    }
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;      /* no overlongs */
      else if (c == 0xED) hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      else if (c == 0xF4) hi = 0x8F; /* <= U+10FFFF */
    } else {
      break;
    }
    if ((size_t)(e - p) <= need) break;
    if (p[1] < lo || p[1] > hi) break;
    size_t i;
    for (i = 2; i <= need; i++)
      if ((p[i] & 0xC0) != 0x80) break;
    if (i <= need) break;
    p += need + 1;
  }
  return (size_t)(p - (const unsigned char *)s);
}

int wg_utf8_valid(const void *s, size_t n) { return wg_utf8_scan(s, n) == n; }

void *wg_gb18030_open(void) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  return cd == (iconv_t)-1 ? NULL : (void *)cd;
}

void wg_gb18030_close(void *cd) {
  if (cd) iconv_close((iconv_t)cd);
}

int wg_gb18030_to_utf8(void *cd, const char *in, size_t inlen, char *out,
                       size_t outcap, size_t *outlen) {
  void *own = NULL;
  if (!cd) {
    own = cd = wg_gb18030_open();
    if (!cd) return -3;
  }
  iconv((iconv_t)cd, NULL, NULL, NULL, NULL); /* reset shift state */
  char *ip = (char *)in, *op = out;
  size_t il = inlen, ol = outcap;
  int rc = 0;
  if (iconv((iconv_t)cd, &ip, &il, &op, &ol) == (size_t)-1)
    rc = errno == E2BIG ? -2 : -1; /* EILSEQ, or EINVAL: truncated input */
  if (own) wg_gb18030_close(own);
  if (rc == 0) *outlen = (size_t)(op - out);
  return rc;
}
