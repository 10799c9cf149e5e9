/* csv_fuzz.c — libFuzzer target for the CSV reader.
 * The first input byte picks small caps so that the cap paths are reached;
 * the rest is the file. Inputs that would be sniffed as XLSX are skipped. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  wg_table_opts o = {0};
  uint8_t mode = data[0];
  data++, size--;
  if (size >= 4 && memcmp(data, "PK\3\4", 4) == 0) return 0;
  if (mode & 1) o.max_cell = 1u + (mode >> 4);
  if (mode & 2) o.max_cells_per_row = 1u + ((mode >> 2) & 7);
  if (mode & 4) o.delimiter = ';';
  if (mode & 8) o.max_row = 64;
  wg_table_t *t;
  wg_errinfo ei = {0};
  if (wg_table_open_mem(data, size, &o, &t, &ei) != WG_OK) return 0;
  wg_table_row row;
  int has;
  size_t sum = 0;
  while (wg_table_next(t, &row, &has, &ei) == WG_OK && has) {
    for (int i = 0; i < row.ncells; i++) {
      /* every cell is NUL-terminated at its length, and touches memory */
      if (row.cells[i][row.lens[i]] != '\0') __builtin_trap();
      if (strlen(row.cells[i]) != row.lens[i]) __builtin_trap();
      sum += row.lens[i];
    }
    double p = wg_table_progress(t);
    if (!(p >= 0 && p <= 1)) __builtin_trap();
  }
  (void)wg_table_encoding(t);
  wg_table_close(t);
  return (int)(sum & 0);
}
