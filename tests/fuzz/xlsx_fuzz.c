/* xlsx_fuzz.c — libFuzzer target for the XLSX reader.
 *
 * An input starting with "PK\3\4" is read as a whole workbook. Any other
 * input is split at "\n%%\n" into up to four XML parts (sheet,
 * sharedStrings, styles, workbook) and packed into a valid zip first, so
 * that the fuzzer spends its time in the XML handling rather than in zip
 * headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "io/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const void *buf, size_t len) {
  wg_table_t *t;
  wg_errinfo ei = {0};
  if (wg_table_open_mem(buf, len, NULL, &t, &ei) != WG_OK) return;
  wg_table_row row;
  int has;
  while (wg_table_next(t, &row, &has, &ei) == WG_OK && has) {
    for (int i = 0; i < row.ncells; i++)
      if (strlen(row.cells[i]) != row.lens[i]) __builtin_trap();
  }
  wg_table_close(t);
}

/* Zip the parts into a malloc'd buffer; NULL on failure. */
static void *pack(const char *const *names, const uint8_t *const *parts,
                  const size_t *lens, int n, size_t *outlen) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
  if (!src) return NULL;
  zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
  if (!z) {
    zip_source_free(src);
    return NULL;
  }
  zip_source_keep(src);
  for (int i = 0; i < n; i++) {
    zip_source_t *s = zip_source_buffer(z, parts[i], lens[i], 0);
    if (!s || zip_file_add(z, names[i], s, 0) < 0) {
      zip_source_free(s);
      zip_discard(z);
      zip_source_free(src);
      return NULL;
    }
  }
  if (zip_close(z) != 0) {
    zip_discard(z);
    zip_source_free(src);
    return NULL;
  }
  void *out = NULL;
  zip_stat_t st;
  if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
    out = malloc(st.size ? st.size : 1);
    if (out && zip_source_read(src, out, st.size) != (zip_int64_t)st.size) {
      free(out);
      out = NULL;
    }
    *outlen = st.size;
    zip_source_close(src);
  }
  zip_source_free(src);
  zip_error_fini(&ze);
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 4 && memcmp(data, "PK\3\4", 4) == 0) {
    read_all(data, size);
    return 0;
  }
  static const char *const names[] = {"xl/worksheets/sheet1.xml",
                                      "xl/sharedStrings.xml", "xl/styles.xml",
                                      "xl/workbook.xml"};
  static const char wb[] = "<workbook><sheets/></workbook>";
  const uint8_t *parts[4];
  size_t lens[4];
  int n = 0;
  const uint8_t *p = data, *end = data + size;
  while (n < 3) {
    const uint8_t *sep = NULL;
    for (const uint8_t *q = p; q + 4 <= end; q++)
      if (memcmp(q, "\n%%\n", 4) == 0) {
        sep = q;
        break;
      }
    if (!sep) break;
    parts[n] = p;
    lens[n++] = (size_t)(sep - p);
    p = sep + 4;
  }
  parts[n] = p;
  lens[n++] = (size_t)(end - p);
  if (n < 4) { /* always have a workbook */
    parts[n] = (const uint8_t *)wb;
    lens[n++] = sizeof wb - 1;
    const char *const *nm = names;
    const char *reordered[4];
    for (int i = 0; i < n - 1; i++) reordered[i] = nm[i];
    reordered[n - 1] = names[3];
    size_t len;
    void *zipped = pack(reordered, parts, lens, n, &len);
    if (zipped) read_all(zipped, len);
    free(zipped);
    return 0;
  }
  size_t len;
  void *zipped = pack(names, parts, lens, n, &len);
  if (zipped) read_all(zipped, len);
  free(zipped);
  return 0;
}
