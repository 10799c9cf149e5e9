/* table.h — streaming reader for spreadsheet tables (CSV and XLSX).
 *
 * A table yields rows of UTF-8 text cells, whatever the input format and
 * encoding. The format is detected from the content (a zip local-file magic
 * "PK\3\4" means XLSX, anything else is read as CSV), never from the name.
 *
 *   wg_table_t *t; wg_table_row row; int has_row; wg_errinfo ei = {0};
 *   wg_err err = wg_table_open(path, NULL, &t, &ei);
 *   while (!err && !(err = wg_table_next(t, &row, &has_row, &ei)) && has_row)
 *     use(row.row, row.ncells, row.cells, row.lens);
 *   wg_table_close(t);
 *
 * Rows whose cells are all empty (blank CSV lines, ",,," lines, empty XLSX
 * rows) are not reported; the row number of the next row still counts them,
 * so `row.row` is always the row number a spreadsheet user sees (header = 1).
 * An empty input (no bytes, or only a BOM) is refused with WG_EFORMAT
 * "empty file" at open.
 *
 * CSV: RFC 4180 (quoted cells may hold delimiters, doubled quotes and line
 * breaks; CRLF, LF and CR line ends); one record is one row even when a
 * quoted cell spans lines. Lenient like Excel: a stray quote inside an
 * unquoted cell is kept, text after a closing quote is appended. Rows keep
 * their own cell counts (ragged rows are reported as they are). UTF-8 with
 * or without BOM, else GB18030; UTF-16 and NUL bytes are refused.
 *
 * XLSX: the first sheet of the workbook. Text cells as written (rich-text
 * runs joined, phonetic guides dropped, _xHHHH_ escapes undone); numbers
 * with a date format as YYYY-MM-DD (1900 system with Lotus's 1900-02-29, or
 * 1904), with a time-only format as HH:MM:SS; other numbers: integers below
 * 2^53 as plain digits, anything else in the shortest form that reads back
 * exactly (so an 18-digit ID number saved as a number shows as
 * "1.10105194912e+17", never as made-up digits); booleans TRUE / FALSE;
 * error cells as their text (#N/A). Missing cells are empty strings and
 * trailing empty cells are dropped, so ncells is 1 + the last non-empty
 * column. */
#ifndef WG_IO_TABLE_H
#define WG_IO_TABLE_H

#include <stddef.h>

#include "util/err.h"

typedef struct wg_table wg_table_t;

/* Reader options; a zeroed struct (or NULL) means all defaults. */
typedef struct wg_table_opts {
  size_t max_cell;          /* bytes of UTF-8 in one cell; 0 = 32767 */
  size_t max_cells_per_row; /* cells in one row; 0 = 16384 */
  size_t max_row;           /* bytes in one CSV record; 0 = 16 MiB */
  char delimiter;           /* CSV field separator; 0 = ',' */
} wg_table_opts;

/* One row. Pointers stay valid until the next wg_table_next or close. */
typedef struct wg_table_row {
  long row;                 /* 1-based row number as the user sees it */
  int ncells;               /* number of cells (ragged rows reported as-is) */
  const char *const *cells; /* ncells NUL-terminated UTF-8 strings */
  const size_t *lens;       /* their lengths in bytes */
} wg_table_row;

/* Open the file at path. On success *out owns the table: release it with
 * wg_table_close. Errors: WG_EIO (cannot open/read), WG_EFORMAT (empty,
 * damaged, not a workbook, legacy .xls), WG_ETOOBIG (a cap), WG_EENCODING
 * (UTF-16), WG_ENOMEM. ei->file is set to path. */
WG_MUST_CHECK wg_err wg_table_open(const char *path, const wg_table_opts *opts,
                                   wg_table_t **out, wg_errinfo *ei);

/* Same, reading len bytes at buf. The buffer is borrowed, not copied: it
 * must stay valid and unchanged until wg_table_close. ei->file = "<memory>". */
WG_MUST_CHECK wg_err wg_table_open_mem(const void *buf, size_t len,
                                       const wg_table_opts *opts,
                                       wg_table_t **out, wg_errinfo *ei);

/* Read the next non-empty row into *row and set *has_row = 1; at the end of
 * the table set *has_row = 0 and return WG_OK. On error ei gets the file,
 * row (and column in ei->field) and the reason; the error is sticky: later
 * calls return it again. */
WG_MUST_CHECK wg_err wg_table_next(wg_table_t *t, wg_table_row *row,
                                   int *has_row, wg_errinfo *ei);

/* Fraction 0..1 of the input consumed so far (1 at the end). */
double wg_table_progress(const wg_table_t *t);

/* "csv" or "xlsx". Static string. */
const char *wg_table_format(const wg_table_t *t);

/* Text encoding of the input: "utf-8", "utf-8-bom", "gb18030" (CSV), or
 * "utf-8" for XLSX. A CSV whose first MiB is pure ASCII reports "utf-8"
 * until a later row proves it GB18030. Static string. */
const char *wg_table_encoding(const wg_table_t *t);

/* Release the table and all rows. Accepts NULL. */
void wg_table_close(wg_table_t *t);

#endif
