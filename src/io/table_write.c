/* table_write.c — CSV and XLSX writers behind one interface. */
#include "io/table_write.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "io/encoding.h"
#include "io/io_int.h"

#define CSV_OUT_BUF ((size_t)256 << 10)
#define XLSX_MAX_ROWS 1048576L
#define XLSX_MAX_COLS 16384
#define XLSX_MAX_CELL 32767 /* characters */

struct wg_table_writer {
  int xlsx;                 /* 1: XLSX, 0: CSV */
  char *path;               /* final name */
  char *tmp;                /* temporary name beside it */
  long rows;                /* rows written so far */
  wg_err err;               /* first error; the writer is then dead */
  /* CSV */
  int fd;
  char *buf;
  size_t len;
  /* XLSX */
  lxw_workbook *wb;
  lxw_worksheet *ws;
  lxw_format *bold;
  unsigned char *width;     /* display width per column, capped at 255 */
  int ncols;
};

static wg_err wfail(const char *path, wg_errinfo *ei, wg_err err, long row,
                    int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static wg_err wfail(const char *path, wg_errinfo *ei, wg_err err, long row,
                    int col, const char *fmt, ...) {
  if (!ei) return err;
  snprintf(ei->file, sizeof ei->file, "%s", path);
  ei->row = row;
  ei->field[0] = '\0';
  if (col >= 0) {
    char name[8];
    wg__col_name(col, name, sizeof name);
    snprintf(ei->field, sizeof ei->field, "column %s", name);
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ei->why, sizeof ei->why, fmt, ap);
  va_end(ap);
  return err;
}

static void writer_free(wg_table_writer_t *w) {
  if (!w) return;
  if (w->fd >= 0) close(w->fd);
  if (w->wb) {
    /* libxlsxwriter has no discard: closing writes the temp name, which is
     * then removed below. */
    workbook_close(w->wb);
  }
  if (w->tmp) unlink(w->tmp);
  free(w->tmp);
  free(w->path);
  free(w->buf);
  free(w->width);
  free(w);
}

void wg_table_writer_abort(wg_table_writer_t *w) { writer_free(w); }

wg_err wg_table_writer_open(const char *path, const char *format,
                            wg_table_writer_t **out, wg_errinfo *ei) {
  *out = NULL;
  int xlsx;
  if (format && strcmp(format, "csv") == 0) xlsx = 0;
  else if (format && strcmp(format, "xlsx") == 0) xlsx = 1;
  else
    return wfail(path, ei, WG_EINVAL, 0, -1, "unknown export format \"%s\"",
                 format ? format : "(null)");
  wg_table_writer_t *w = calloc(1, sizeof *w);
  if (!w) return wfail(path, ei, WG_ENOMEM, 0, -1, "out of memory");
  w->fd = -1;
  w->xlsx = xlsx;
  size_t n = strlen(path);
  w->path = strdup(path);
  w->tmp = malloc(n + 16);
  if (!w->path || !w->tmp) {
    writer_free(w);
    return wfail(path, ei, WG_ENOMEM, 0, -1, "out of memory");
  }
  memcpy(w->tmp, path, n);
  memcpy(w->tmp + n, ".tmpXXXXXX", 11);
  int fd = mkstemp(w->tmp);
  if (fd < 0) {
    int e = errno;
    free(w->tmp);
    w->tmp = NULL;
    writer_free(w);
    return wfail(path, ei, WG_EIO, 0, -1, "cannot create a file beside it: %s",
                 strerror(e));
  }
  if (!xlsx) {
    w->fd = fd;
    w->buf = malloc(CSV_OUT_BUF);
    if (!w->buf) {
      writer_free(w);
      return wfail(path, ei, WG_ENOMEM, 0, -1, "out of memory");
    }
    memcpy(w->buf, "\xEF\xBB\xBF", 3);
    w->len = 3;
  } else {
    close(fd); /* the name is reserved; libxlsxwriter rewrites it on close */
    lxw_workbook_options o = {.constant_memory = LXW_TRUE};
    w->wb = workbook_new_opt(w->tmp, &o);
    w->ws = w->wb ? workbook_add_worksheet(w->wb, NULL) : NULL;
    w->bold = w->wb ? workbook_add_format(w->wb) : NULL;
    if (!w->ws || !w->bold) {
      writer_free(w);
      return wfail(path, ei, WG_ENOMEM, 0, -1, "cannot start the workbook");
    }
    format_set_bold(w->bold);
    worksheet_freeze_panes(w->ws, 1, 0);
  }
  *out = w;
  return WG_OK;
}

static wg_err csv_flush(wg_table_writer_t *w, wg_errinfo *ei) {
  size_t off = 0;
  while (off < w->len) {
    ssize_t n = write(w->fd, w->buf + off, w->len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return wfail(w->path, ei, WG_EIO, 0, -1, "write failed: %s", strerror(errno));
    off += (size_t)n;
  }
  w->len = 0;
  return WG_OK;
}

static wg_err csv_put(wg_table_writer_t *w, const char *s, size_t n,
                      wg_errinfo *ei) {
  while (n > 0) {
    if (w->len == CSV_OUT_BUF) {
      wg_err err = csv_flush(w, ei);
      if (err) return err;
    }
    size_t k = CSV_OUT_BUF - w->len;
    if (k > n) k = n;
    memcpy(w->buf + w->len, s, k);
    w->len += k;
    s += k;
    n -= k;
  }
  return WG_OK;
}

/* "-5", "+3.25", "12": a cell that Excel reads as a number, not a formula. */
static int plain_number(const char *s) {
  int digits = 0;
  if (*s == '+' || *s == '-') s++;
  while (*s >= '0' && *s <= '9') s++, digits++;
  if (*s == '.') {
    s++;
    while (*s >= '0' && *s <= '9') s++, digits++;
  }
  return digits > 0 && *s == '\0';
}

static wg_err csv_cell(wg_table_writer_t *w, const char *s, wg_errinfo *ei) {
  size_t n = strlen(s);
  int guard = n > 0 && strchr("=+-@\t\r", s[0]) && !plain_number(s);
  int quote = strpbrk(s, ",\"\r\n") != NULL;
  wg_err err = WG_OK;
  if (quote) err = csv_put(w, "\"", 1, ei);
  if (!err && guard) err = csv_put(w, "'", 1, ei);
  if (!quote) return err ? err : csv_put(w, s, n, ei);
  const char *p = s, *q;
  while (!err && (q = strchr(p, '"')) != NULL) {
    err = csv_put(w, p, (size_t)(q - p) + 1, ei);
    if (!err) err = csv_put(w, "\"", 1, ei); /* double it */
    p = q + 1;
  }
  if (!err) err = csv_put(w, p, strlen(p), ei);
  if (!err) err = csv_put(w, "\"", 1, ei);
  return err;
}

/* Approximate display width: CJK and other 3/4-byte characters count 2. */
static size_t display_width(const char *s) {
  size_t wd = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x80) wd += 1;
    else if (*p >= 0xE0) wd += 2;
    else if (*p >= 0xC0) wd += 1;
  return wd;
}

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Text that looks like an OOXML escape ("_x0041_") would be read back as
 * the character it names; protect its '_' as "_x005F_" (what Excel does).
 * Returns a malloc'd copy, or NULL when s needs no change or on ENOMEM
 * (*oom set). */
static char *xlsx_protect(const char *s, int *oom) {
  size_t hits = 0, n = strlen(s);
  *oom = 0;
  for (const char *p = strstr(s, "_x"); p; p = strstr(p + 1, "_x"))
    if (is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) && is_hex(p[5]) && p[6] == '_')
      hits++;
  if (!hits) return NULL;
  char *out = malloc(n + hits * 6 + 1), *o = out;
  if (!out) {
    *oom = 1;
    return NULL;
  }
  for (const char *p = s; *p; p++) {
    if (p[0] == '_' && p[1] == 'x' && is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) &&
        is_hex(p[5]) && p[6] == '_') {
      memcpy(o, "_x005F_", 7);
      o += 7;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
  return out;
}

static wg_err xlsx_row(wg_table_writer_t *w, int ncells,
                       const char *const *cells, wg_errinfo *ei) {
  if (w->rows >= XLSX_MAX_ROWS)
    return wfail(w->path, ei, WG_ETOOBIG, w->rows + 1, -1,
                 "more than %ld rows do not fit in one sheet", XLSX_MAX_ROWS);
  if (ncells > XLSX_MAX_COLS)
    return wfail(w->path, ei, WG_ETOOBIG, w->rows + 1, -1,
                 "more than %d columns", XLSX_MAX_COLS);
  if (ncells > w->ncols) {
    unsigned char *nw = realloc(w->width, (size_t)ncells);
    if (!nw) return wfail(w->path, ei, WG_ENOMEM, w->rows + 1, -1, "out of memory");
    memset(nw + w->ncols, 0, (size_t)(ncells - w->ncols));
    w->width = nw;
    w->ncols = ncells;
  }
  for (int i = 0; i < ncells; i++) {
    const char *s = cells[i];
    if (!s || !*s) continue;
    int oom;
    char *prot = xlsx_protect(s, &oom);
    if (oom) return wfail(w->path, ei, WG_ENOMEM, w->rows + 1, i, "out of memory");
    lxw_error le = worksheet_write_string(w->ws, (lxw_row_t)w->rows,
                                          (lxw_col_t)i, prot ? prot : s,
                                          w->rows == 0 ? w->bold : NULL);
    free(prot);
    if (le == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
      return wfail(w->path, ei, WG_ETOOBIG, w->rows + 1, i,
                   "cell longer than %d characters", XLSX_MAX_CELL);
    if (le != LXW_NO_ERROR)
      return wfail(w->path, ei, WG_EIO, w->rows + 1, i, "%s", lxw_strerror(le));
    size_t wd = display_width(s);
    if (w->rows == 0) wd += 2; /* bold header */
    if (wd > w->width[i]) w->width[i] = wd > 255 ? 255 : (unsigned char)wd;
  }
  return WG_OK;
}

wg_err wg_table_writer_row(wg_table_writer_t *w, int ncells,
                           const char *const *cells, wg_errinfo *ei) {
  if (w->err) return wfail(w->path, ei, w->err, w->rows, -1, "writer failed earlier");
  if (ncells < 0) ncells = 0;
  for (int i = 0; i < ncells; i++)
    if (cells[i] && !wg_utf8_valid(cells[i], strlen(cells[i])))
      return w->err = wfail(w->path, ei, WG_EENCODING, w->rows + 1, i,
                            "text is not valid UTF-8");
  wg_err err = WG_OK;
  if (w->xlsx) {
    err = xlsx_row(w, ncells, cells, ei);
  } else {
    for (int i = 0; i < ncells && !err; i++) {
      if (i > 0) err = csv_put(w, ",", 1, ei);
      if (!err) err = csv_cell(w, cells[i] ? cells[i] : "", ei);
    }
    if (!err) err = csv_put(w, "\r\n", 2, ei);
  }
  if (err) return w->err = err;
  w->rows++;
  return WG_OK;
}

wg_err wg_table_writer_close(wg_table_writer_t *w, wg_errinfo *ei) {
  if (!w) return wfail("", ei, WG_EINVAL, 0, -1, "no writer");
  wg_err err = w->err;
  if (err) { /* ei already told the caller why, at the failing row */
    writer_free(w);
    return err;
  }
  if (!w->xlsx) {
    err = csv_flush(w, ei);
    if (!err && fsync(w->fd) != 0)
      err = wfail(w->path, ei, WG_EIO, 0, -1, "fsync failed: %s", strerror(errno));
    if (close(w->fd) != 0 && !err)
      err = wfail(w->path, ei, WG_EIO, 0, -1, "close failed: %s", strerror(errno));
    w->fd = -1;
  } else {
    for (int i = 0; i < w->ncols; i++) {
      double wd = w->width[i] < 8 ? 8 : w->width[i] > 60 ? 60 : w->width[i];
      worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, wd + 1, NULL);
    }
    lxw_error le = workbook_close(w->wb);
    w->wb = NULL;
    if (le != LXW_NO_ERROR)
      err = wfail(w->path, ei, WG_EIO, 0, -1, "cannot write the workbook: %s",
                  lxw_strerror(le));
  }
  if (!err && rename(w->tmp, w->path) != 0)
    err = wfail(w->path, ei, WG_EIO, 0, -1, "cannot rename into place: %s",
                strerror(errno));
  if (!err) {
    free(w->tmp);
    w->tmp = NULL; /* committed: nothing to unlink */
  }
  writer_free(w);
  return err;
}
