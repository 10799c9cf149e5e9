/* table.c — format detection and dispatch for the table reader. */
#include "io/table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io_int.h"

wg_err wg__fail(const wg_table_t *t, wg_errinfo *ei, wg_err err, long row,
                int col, const char *fmt, ...) {
  if (!ei) return err;
  if (t) snprintf(ei->file, sizeof ei->file, "%s", t->file);
  ei->row = row > 0 ? row : 0;
  ei->value[0] = '\0';
  if (col >= 0) {
    char name[8];
    wg__col_name(col, name, sizeof name);
    snprintf(ei->field, sizeof ei->field, "column %s", name);
  } else {
    ei->field[0] = '\0';
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ei->why, sizeof ei->why, fmt, ap);
  va_end(ap);
  return err;
}

void wg__col_name(int col, char *buf, size_t cap) {
  char tmp[8];
  int n = 0;
  if (cap == 0) return;
  if (col < 0) col = 0;
  /* bijective base 26: A..Z, AA..ZZ, AAA.. */
  unsigned v = (unsigned)col + 1;
  while (v > 0 && n < (int)sizeof tmp) {
    v--;
    tmp[n++] = (char)('A' + v % 26);
    v /= 26;
  }
  size_t i = 0;
  while (n > 0 && i + 1 < cap) buf[i++] = tmp[--n];
  buf[i] = '\0';
}

static void fill_opts(wg_table_t *t, const wg_table_opts *opts) {
  if (opts) t->opts = *opts;
  if (!t->opts.max_cell) t->opts.max_cell = WG__DEF_MAX_CELL;
  if (!t->opts.max_cells_per_row) t->opts.max_cells_per_row = WG__DEF_MAX_CELLS;
  if (!t->opts.max_row) t->opts.max_row = WG__DEF_MAX_ROW;
  if (!t->opts.delimiter) t->opts.delimiter = ',';
  /* Row storage must be able to hold at least one maximal cell. */
  if (t->opts.max_row < t->opts.max_cell + 16) t->opts.max_row = t->opts.max_cell + 16;
}

static const unsigned char zip_magic[4] = {'P', 'K', 3, 4};
static const unsigned char ole_magic[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                           0xA1, 0xB1, 0x1A, 0xE1};

/* Decide the format from the first bytes; refuse what we can name. */
static wg_err sniff(wg_table_t *t, const unsigned char *head, size_t n,
                    int *is_xlsx, wg_errinfo *ei) {
  *is_xlsx = n >= 4 && memcmp(head, zip_magic, 4) == 0;
  if (n >= 8 && memcmp(head, ole_magic, 8) == 0)
    return wg__fail(t, ei, WG_EFORMAT, 0, -1,
                    "legacy .xls (Excel 97-2003) or password-protected "
                    "workbook; save it as .xlsx or CSV UTF-8");
  if (n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) ||
                 (head[0] == 0xFE && head[1] == 0xFF)))
    return wg__fail(t, ei, WG_EENCODING, 0, -1,
                    "UTF-16 text is not supported; save the file as "
                    "\"CSV UTF-8\" or .xlsx");
  return WG_OK;
}

/* 1 when path ends in .xlsx or .xlsm (any case). */
static int named_xlsx(const char *path) {
  size_t n = strlen(path);
  return n >= 5 && path[n - 5] == '.' && (strncasecmp(path + n - 4, "xlsx", 4) == 0 ||
                                          strncasecmp(path + n - 4, "xlsm", 4) == 0);
}

static wg_table_t *table_new(const char *file, const wg_table_opts *opts) {
  wg_table_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  snprintf(t->file, sizeof t->file, "%s", file);
  fill_opts(t, opts);
  t->encoding = "utf-8";
  return t;
}

wg_err wg_table_open(const char *path, const wg_table_opts *opts,
                     wg_table_t **out, wg_errinfo *ei) {
  *out = NULL;
  wg_table_t *t = table_new(path, opts);
  if (!t) return wg__fail(NULL, ei, WG_ENOMEM, 0, -1, "out of memory");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    wg_err err = wg__fail(t, ei, WG_EIO, 0, -1, "cannot open: %s", strerror(e));
    wg_table_close(t);
    return err;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    wg_err err = wg__fail(t, ei, WG_EIO, 0, -1, "not a regular file");
    wg_table_close(t);
    return err;
  }
  unsigned char head[8];
  ssize_t n = pread(fd, head, sizeof head, 0);
  if (n < 0) {
    int e = errno;
    close(fd);
    wg_err err = wg__fail(t, ei, WG_EIO, 0, -1, "cannot read: %s", strerror(e));
    wg_table_close(t);
    return err;
  }
  int is_xlsx;
  wg_err err = sniff(t, head, (size_t)n, &is_xlsx, ei);
  if (!err && is_xlsx) {
    close(fd);
    err = wg__xlsx_open(t, path, NULL, 0, ei);
  } else if (!err) {
    t->named_xlsx = named_xlsx(path);
    err = wg__csv_open(t, fd, NULL, (size_t)st.st_size, ei); /* takes fd */
  } else {
    close(fd);
  }
  if (err) {
    wg_table_close(t);
    return err;
  }
  *out = t;
  return WG_OK;
}

wg_err wg_table_open_mem(const void *buf, size_t len, const wg_table_opts *opts,
                         wg_table_t **out, wg_errinfo *ei) {
  *out = NULL;
  wg_table_t *t = table_new("<memory>", opts);
  if (!t) return wg__fail(NULL, ei, WG_ENOMEM, 0, -1, "out of memory");
  int is_xlsx;
  wg_err err = sniff(t, buf, len, &is_xlsx, ei);
  if (!err)
    err = is_xlsx ? wg__xlsx_open(t, NULL, buf, len, ei)
                  : wg__csv_open(t, -1, buf, len, ei);
  if (err) {
    wg_table_close(t);
    return err;
  }
  *out = t;
  return WG_OK;
}

wg_err wg_table_next(wg_table_t *t, wg_table_row *row, int *has_row,
                     wg_errinfo *ei) {
  *has_row = 0;
  memset(row, 0, sizeof *row);
  if (t->err) {
    if (ei) *ei = t->err_ei;
    return t->err;
  }
  /* The backends report into t->err_ei (no 700-byte memset per row). */
  wg_err err = t->csv ? wg__csv_next(t, row, has_row, &t->err_ei)
                      : wg__xlsx_next(t, row, has_row, &t->err_ei);
  if (err) {
    *has_row = 0;
    /* Binary junk named .xlsx fails as CSV text: say what it is not. */
    if (t->named_xlsx && (err == WG_EENCODING || err == WG_EFORMAT)) {
      size_t n = strlen(t->err_ei.why);
      snprintf(t->err_ei.why + n, sizeof t->err_ei.why - n,
               " (named .xlsx, but not an XLSX workbook: no zip signature)");
    }
    t->err = err;
    if (ei) *ei = t->err_ei;
  }
  return err;
}

double wg_table_progress(const wg_table_t *t) {
  if (!t) return 0;
  return t->csv ? wg__csv_progress(t->csv) : wg__xlsx_progress(t->xlsx);
}

const char *wg_table_format(const wg_table_t *t) { return t->format; }

const char *wg_table_encoding(const wg_table_t *t) { return t->encoding; }

void wg_table_close(wg_table_t *t) {
  if (!t) return;
  wg__csv_free(t->csv);
  wg__xlsx_free(t->xlsx);
  free(t);
}
