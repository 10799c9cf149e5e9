/* io_int.h — internals shared by the files of src/io. Not for callers. */
#ifndef WG_IO_INT_H
#define WG_IO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "io/table.h"

#define WG__DEF_MAX_CELL 32767u
#define WG__DEF_MAX_CELLS 16384u
#define WG__DEF_MAX_ROW (16u << 20)

typedef struct wg__csv wg__csv;
typedef struct wg__xlsx wg__xlsx;

struct wg_table {
  const char *format;   /* "csv" / "xlsx" */
  const char *encoding; /* "utf-8", "utf-8-bom", "gb18030" */
  char file[256];       /* path or "<memory>", for error messages */
  wg_table_opts opts;   /* with the defaults filled in */
  wg_err err;           /* sticky error of wg_table_next */
  wg_errinfo err_ei;    /* its context, replayed on later calls */
  int named_xlsx;       /* read as CSV although the name says .xlsx */
  wg__csv *csv;         /* exactly one of csv / xlsx is set */
  wg__xlsx *xlsx;
};

/* Fill ei (file, row, field "column X" when col >= 0, why) and return err. */
wg_err wg__fail(const wg_table_t *t, wg_errinfo *ei, wg_err err, long row,
                int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Spreadsheet column letters for 0-based col ("A", "AB"); buf >= 8 bytes. */
void wg__col_name(int col, char *buf, size_t cap);

/* CSV backend (csv.c). Exactly one of fd >= 0 or mem is the source; size is
 * the total input size for progress. The backend owns fd and closes it. */
WG_MUST_CHECK wg_err wg__csv_open(wg_table_t *t, int fd, const unsigned char *mem,
                    size_t size, wg_errinfo *ei);
WG_MUST_CHECK wg_err wg__csv_next(wg_table_t *t, wg_table_row *row, int *has_row,
                    wg_errinfo *ei);
double wg__csv_progress(const wg__csv *c);
void wg__csv_free(wg__csv *c);

/* XLSX backend (xlsx_read.c). Exactly one of path or mem is the source. */
WG_MUST_CHECK wg_err wg__xlsx_open(wg_table_t *t, const char *path, const void *mem,
                     size_t size, wg_errinfo *ei);
WG_MUST_CHECK wg_err wg__xlsx_next(wg_table_t *t, wg_table_row *row, int *has_row,
                     wg_errinfo *ei);
double wg__xlsx_progress(const wg__xlsx *x);
void wg__xlsx_free(wg__xlsx *x);

#endif
