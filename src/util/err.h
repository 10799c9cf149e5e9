/* err.h — the one error currency of wangge.
 *
 * Fallible functions return wg_err (WG_OK == 0). When an error reaches a
 * user it carries context in a wg_errinfo: which file, row, field, the value
 * (already masked if personal) and why. */
#ifndef WG_ERR_H
#define WG_ERR_H

#include <stddef.h>

#define WG_MUST_CHECK __attribute__((warn_unused_result))

typedef enum wg_err {
  WG_OK = 0,
  WG_ENOMEM,     /* out of memory */
  WG_EINVAL,     /* invalid argument or input value */
  WG_EIO,        /* read or write failed */
  WG_ENOTFOUND,  /* no such object */
  WG_EEXIST,     /* already exists (e.g. duplicate ID number) */
  WG_ECONFLICT,  /* conflicting state */
  WG_ETOOBIG,    /* a cap was exceeded (row, field, entry, body) */
  WG_EFORMAT,    /* malformed file (CSV, XLSX, zip, XML) */
  WG_EENCODING,  /* text in an unknown or broken encoding */
  WG_ESCHEMA,    /* database schema is newer than this binary */
  WG_ECORRUPT,   /* database is not a wangge database or is damaged */
  WG_EDB,        /* other database error */
  WG_EBUSY,      /* database is locked */
  WG_EPERM,      /* not permitted */
  WG_EREJECTED,  /* input rejected: bad rows reported, nothing written */
  WG_ENOTSUP,    /* not available on this store backend (yet) */
  WG_ERR_COUNT_
} wg_err;

/* Static English description of an error code; never NULL. */
const char *wg_strerror(wg_err err);

/* Context for a user-facing error. All fields optional; zero = unset. */
typedef struct wg_errinfo {
  char file[256];    /* input file */
  long row;          /* 1-based data row (header is row 1 in a spreadsheet) */
  char field[64];    /* column / field name */
  char value[96];    /* offending value, masked if personal */
  char why[256];     /* reason in plain words */
} wg_errinfo;

/* Set ei->why from a printf format. ei may be NULL (then nothing happens).
 * Returns err so callers can write `return wg_errinfo_set(ei, WG_EINVAL, ...)`. */
wg_err wg_errinfo_set(wg_errinfo *ei, wg_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Format "file: row N: field F: value 'V': why" into buf (bounded). */
void wg_errinfo_format(const wg_errinfo *ei, wg_err err, char *buf, size_t cap);

#endif
