/* table_write_test.c — CSV and XLSX writers, and round trips through the
 * reader. */
#include <dirent.h>
#include <zip.h>

#include "io/table.h"
#include "io/table_write.h"
#include "test.h"

static char *tmpdir;

static char *tmp_path(const char *name) {
  size_t n = strlen(tmpdir) + strlen(name) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", tmpdir, name);
  return p;
}

static int exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

/* Files in tmpdir whose name contains ".tmp" (left-over temp files). */
static int temp_files_left(void) {
  DIR *d = opendir(tmpdir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strstr(e->d_name, ".tmp")) n++;
  closedir(d);
  return n;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  *len = fread(b, 1, (size_t)n, f);
  b[*len] = '\0';
  fclose(f);
  return b;
}

#define NROWS 5
#define NCOLS 5
static const char *rows[NROWS][NCOLS] = {
    {"姓名", "身份证号", "电话", "备注", "金额"},
    {"张三", "110101199003071234", "=HYPERLINK(\"x\")", "a,b \"quoted\"", "-5"},
    {"李四", "44030619950101002X", "+86 138", "line1\r\nline2", "@SUM(A1)"},
    {"", "0012", "-", NULL, "+3.25"},
    {"a\x01b\tc", "_x0041_ __x005F_", "😀", "x", "@"},
};
/* what the reader gives back (CSV: with the injection guard) */
static const char *csv_back =
    "1:姓名|身份证号|电话|备注|金额\n"
    "2:张三|110101199003071234|'=HYPERLINK(\"x\")|a,b \"quoted\"|-5\n"
    "3:李四|44030619950101002X|'+86 138|line1\r\nline2|'@SUM(A1)\n"
    "4:|0012|'-||+3.25\n"
    "5:a\x01b\tc|_x0041_ __x005F_|😀|x|'@\n";
static const char *xlsx_back =
    "1:姓名|身份证号|电话|备注|金额\n"
    "2:张三|110101199003071234|=HYPERLINK(\"x\")|a,b \"quoted\"|-5\n"
    "3:李四|44030619950101002X|+86 138|line1\r\nline2|@SUM(A1)\n"
    "4:|0012|-||+3.25\n"
    "5:a\x01b\tc|_x0041_ __x005F_|😀|x|@\n";

static wg_err write_all(const char *path, const char *format, wg_errinfo *ei) {
  wg_table_writer_t *w;
  wg_err err = wg_table_writer_open(path, format, &w, ei);
  if (err) return err;
  for (int r = 0; r < NROWS && !err; r++) err = wg_table_writer_row(w, NCOLS, rows[r], ei);
  if (err) {
    wg_table_writer_abort(w);
    return err;
  }
  return wg_table_writer_close(w, ei);
}

static char *read_back(const char *path, wg_err *err) {
  size_t cap = 4096, n = 0;
  char *out = malloc(cap);
  out[0] = '\0';
  wg_table_t *t;
  wg_errinfo ei = {0};
  if ((*err = wg_table_open(path, NULL, &t, &ei)) != WG_OK) return out;
  wg_table_row row;
  int has;
  while ((*err = wg_table_next(t, &row, &has, &ei)) == WG_OK && has) {
    n += (size_t)snprintf(out + n, cap - n, "%ld:", row.row);
    for (int i = 0; i < row.ncells; i++)
      n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "|" : "", row.cells[i]);
    n += (size_t)snprintf(out + n, cap - n, "\n");
  }
  wg_table_close(t);
  return out;
}

TEST(csv_bytes_and_round_trip) {
  char *path = tmp_path("out.csv");
  wg_errinfo ei = {0};
  CHECK_EQ(write_all(path, "csv", &ei), WG_OK);
  size_t len;
  char *raw = slurp(path, &len);
  CHECK(raw && len > 3 && memcmp(raw, "\xEF\xBB\xBF姓名,身份证号", 3 + 6 + 1 + 12) == 0);
  CHECK(strstr(raw, "金额\r\n张三,") != NULL);                   /* CRLF */
  CHECK(strstr(raw, ",\"a,b \"\"quoted\"\"\",-5\r\n") != NULL);   /* RFC 4180 */
  CHECK(strstr(raw, ",\"'=HYPERLINK(\"\"x\"\")\",") != NULL);     /* guard + quote */
  CHECK(strstr(raw, "\r\n,0012,'-,,+3.25\r\n") != NULL);
  wg_err err;
  char *back = read_back(path, &err);
  CHECK_EQ(err, WG_OK);
  CHECK_STR(back, csv_back);
  free(back);
  free(raw);
  CHECK_EQ(temp_files_left(), 0);
  free(path);
}

TEST(xlsx_round_trip) {
  char *path = tmp_path("out.xlsx");
  wg_errinfo ei = {0};
  CHECK_EQ(write_all(path, "xlsx", &ei), WG_OK);
  wg_err err;
  char *back = read_back(path, &err);
  CHECK_EQ(err, WG_OK);
  CHECK_STR(back, xlsx_back);
  free(back);
  /* frozen header, column widths, bold header style, strings only */
  int zerr;
  zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
  CHECK(z != NULL);
  zip_file_t *f = z ? zip_fopen(z, "xl/worksheets/sheet1.xml", 0) : NULL;
  CHECK(f != NULL);
  static char xml[65536];
  zip_int64_t n = f ? zip_fread(f, xml, sizeof xml - 1) : 0;
  xml[n > 0 ? n : 0] = '\0';
  CHECK(strstr(xml, "state=\"frozen\"") != NULL);
  CHECK(strstr(xml, "<cols>") != NULL);
  CHECK(strstr(xml, "t=\"n\"") == NULL);
  CHECK(strstr(xml, "<c r=\"B2\" t=\"inlineStr\"") != NULL ||
        strstr(xml, "<c r=\"B2\" t=\"s\"") != NULL);
  if (f) zip_fclose(f);
  f = z ? zip_fopen(z, "xl/styles.xml", 0) : NULL;
  n = f ? zip_fread(f, xml, sizeof xml - 1) : 0;
  xml[n > 0 ? n : 0] = '\0';
  CHECK(strstr(xml, "<b/>") != NULL);
  if (f) zip_fclose(f);
  if (z) zip_discard(z);
  CHECK_EQ(temp_files_left(), 0);
  free(path);
}

TEST(failures_leave_no_file) {
  wg_errinfo ei = {0};
  wg_table_writer_t *w;
  CHECK_EQ(wg_table_writer_open("/nonexistent/dir/x.csv", "csv", &w, &ei), WG_EIO);
  CHECK_EQ(wg_table_writer_open("/tmp/x.ods", "ods", &w, &ei), WG_EINVAL);
  for (int x = 0; x < 2; x++) {
    char *path = tmp_path(x ? "bad.xlsx" : "bad.csv");
    CHECK_EQ(wg_table_writer_open(path, x ? "xlsx" : "csv", &w, &ei), WG_OK);
    const char *good[] = {"a", "b"}, *bad[] = {"ok", "\xC3\x28"};
    CHECK_EQ(wg_table_writer_row(w, 2, good, &ei), WG_OK);
    CHECK_EQ(wg_table_writer_row(w, 2, bad, &ei), WG_EENCODING);
    CHECK_EQ(ei.row, 2);
    CHECK_STR(ei.field, "column B");
    CHECK_EQ(wg_table_writer_row(w, 2, good, &ei), WG_EENCODING); /* dead now */
    CHECK_EQ(wg_table_writer_close(w, &ei), WG_EENCODING);
    CHECK(!exists(path));
    CHECK_EQ(temp_files_left(), 0);
    /* abort discards a healthy writer too */
    CHECK_EQ(wg_table_writer_open(path, x ? "xlsx" : "csv", &w, &ei), WG_OK);
    CHECK_EQ(wg_table_writer_row(w, 2, good, &ei), WG_OK);
    wg_table_writer_abort(w);
    CHECK(!exists(path));
    CHECK_EQ(temp_files_left(), 0);
    free(path);
  }
  wg_table_writer_abort(NULL);
  /* an XLSX cell over Excel's limit */
  char *path = tmp_path("long.xlsx");
  CHECK_EQ(wg_table_writer_open(path, "xlsx", &w, &ei), WG_OK);
  char *big = malloc(40001);
  memset(big, 'x', 40000);
  big[40000] = '\0';
  const char *cells[] = {big};
  CHECK_EQ(wg_table_writer_row(w, 1, cells, &ei), WG_ETOOBIG);
  wg_table_writer_abort(w);
  CHECK(!exists(path));
  free(big);
  free(path);
}

/* Replacing an existing file is atomic: the old content stays until close. */
TEST(replace_existing) {
  char *path = tmp_path("replace.csv");
  FILE *f = fopen(path, "wb");
  fputs("old\r\n", f);
  fclose(f);
  wg_table_writer_t *w;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_writer_open(path, "csv", &w, &ei), WG_OK);
  const char *c[] = {"new"};
  CHECK_EQ(wg_table_writer_row(w, 1, c, &ei), WG_OK);
  size_t len;
  char *raw = slurp(path, &len);
  CHECK_STR(raw, "old\r\n");
  free(raw);
  CHECK_EQ(wg_table_writer_close(w, &ei), WG_OK);
  raw = slurp(path, &len);
  CHECK_STR(raw, "\xEF\xBB\xBFnew\r\n");
  free(raw);
  free(path);
}

int main(void) {
  tmpdir = test_tmpdir();
  RUN(csv_bytes_and_round_trip);
  RUN(xlsx_round_trip);
  RUN(failures_leave_no_file);
  RUN(replace_existing);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) printf("# cleanup failed\n");
  free(tmpdir);
  return test_done();
}
