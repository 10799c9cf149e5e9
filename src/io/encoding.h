/* encoding.h — UTF-8 validation and GB18030 → UTF-8 conversion. */
#ifndef WG_IO_ENCODING_H
#define WG_IO_ENCODING_H

#include <stddef.h>

/* Offset of the first byte of s[0..n) that does not start a complete,
 * well-formed UTF-8 sequence (no overlongs, no surrogates, <= U+10FFFF);
 * n when all of s is valid. */
size_t wg_utf8_scan(const void *s, size_t n);

/* 1 if s[0..n) is entirely valid UTF-8, else 0. */
int wg_utf8_valid(const void *s, size_t n);

/* Convert GB18030 in[0..inlen) to UTF-8 in out[0..outcap). On success
 * returns 0 and sets *outlen; -1 when the input is not valid GB18030
 * (including a truncated final character); -2 when out is too small
 * (outcap >= 2 * inlen always suffices); -3 when iconv is unavailable.
 * cd is a caller-kept iconv descriptor from wg_gb18030_open, or NULL to use
 * a temporary one. */
int wg_gb18030_to_utf8(void *cd, const char *in, size_t inlen, char *out,
                       size_t outcap, size_t *outlen);

/* An iconv descriptor GB18030 → UTF-8 for wg_gb18030_to_utf8, or NULL.
 * Release with wg_gb18030_close (accepts NULL). */
void *wg_gb18030_open(void);
void wg_gb18030_close(void *cd);

#endif
