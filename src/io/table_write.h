/* table_write.h — write a table of text cells as CSV or XLSX (exports).
 *
 *   wg_table_writer_t *w;
 *   if (!wg_table_writer_open("out.xlsx", "xlsx", &w, &ei)) {
 *     err = wg_table_writer_row(w, 3, header, &ei);  ... more rows ...
 *     err = err ? (wg_table_writer_abort(w), err) : wg_table_writer_close(w, &ei);
 *   }
 *
 * Nothing appears at path until wg_table_writer_close succeeds: rows go to a
 * temporary file beside it ("path.tmpXXXXXX") that is renamed into place.
 * The file is created with mode 0600 (exports hold personal data); widen it
 * with chmod if it must be shared.
 *
 * CSV: UTF-8 with BOM (Excel in China then opens it as UTF-8), CRLF line
 * ends, RFC 4180 quoting, and formula-injection guard: a cell starting with
 * = + - @ TAB or CR gets a leading apostrophe, unless it is a plain number
 * such as "-5" or "+3.25".
 * XLSX: one sheet, every cell a string (ID numbers stay text), header row
 * (the first row written) bold and frozen, column widths from the content. */
#ifndef WG_IO_TABLE_WRITE_H
#define WG_IO_TABLE_WRITE_H

#include "util/err.h"

typedef struct wg_table_writer wg_table_writer_t;

/* Start writing path in format "csv" or "xlsx". On success *out owns the
 * writer: finish with wg_table_writer_close or wg_table_writer_abort.
 * Errors: WG_EINVAL (unknown format), WG_EIO (cannot create the temp file),
 * WG_ENOMEM. */
WG_MUST_CHECK wg_err wg_table_writer_open(const char *path, const char *format,
                                          wg_table_writer_t **out,
                                          wg_errinfo *ei);

/* Append one row of ncells NUL-terminated UTF-8 cells (NULL = empty).
 * Errors: WG_EENCODING (a cell is not UTF-8), WG_ETOOBIG (XLSX: cell over
 * 32767 characters, more than 1048576 rows or 16384 columns), WG_EIO. After
 * an error the writer can only be aborted. */
WG_MUST_CHECK wg_err wg_table_writer_row(wg_table_writer_t *w, int ncells,
                                         const char *const *cells,
                                         wg_errinfo *ei);

/* Finish the file and rename it to path; frees w in every case. On error
 * the temporary file is removed and path is left untouched. */
WG_MUST_CHECK wg_err wg_table_writer_close(wg_table_writer_t *w,
                                           wg_errinfo *ei);

/* Discard everything written and free w. Accepts NULL. */
void wg_table_writer_abort(wg_table_writer_t *w);

#endif
