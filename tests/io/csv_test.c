/* csv_test.c — the CSV side of the table reader (src/io/csv.c). */
#include <iconv.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "io/table.h"
#include "test.h"

/* Read every row of data into a dump "ROW:cell|cell\n..."; returns the
 * malloc'd dump and the final error in *err (0 when the end was reached). */
static char *dump_opts(const void *data, size_t len, const wg_table_opts *o,
                       wg_err *err, wg_errinfo *ei) {
  size_t cap = len * 2 + 256, n = 0;
  char *out = malloc(cap);
  out[0] = '\0';
  wg_table_t *t;
  memset(ei, 0, sizeof *ei);
  *err = wg_table_open_mem(data, len, o, &t, ei);
  if (*err) return out;
  wg_table_row row;
  int has;
  while ((*err = wg_table_next(t, &row, &has, ei)) == WG_OK && has) {
    n += (size_t)snprintf(out + n, cap - n, "%ld:", row.row);
    for (int i = 0; i < row.ncells; i++) {
      if (strlen(row.cells[i]) != row.lens[i]) {
        printf("#   cell length mismatch at row %ld\n", row.row);
        *err = WG_ERR_COUNT_;
      }
      if (n + row.lens[i] + 8 > cap) {
        cap = cap * 2 + row.lens[i] + 8;
        char *grown = realloc(out, cap);
        if (!grown) { printf("# out of memory\n"); exit(2); }
        out = grown;
      }
      n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "|" : "", row.cells[i]);
    }
    n += (size_t)snprintf(out + n, cap - n, "\n");
  }
  wg_table_close(t);
  return out;
}

static char *dump(const char *s, wg_err *err, wg_errinfo *ei) {
  return dump_opts(s, strlen(s), NULL, err, ei);
}

#define EXPECT_ROWS(input, want)               \
  do {                                         \
    wg_err e_;                                 \
    wg_errinfo ei_;                            \
    char *d_ = dump(input, &e_, &ei_);         \
    CHECK_EQ(e_, WG_OK);                       \
    CHECK_STR(d_, want);                       \
    free(d_);                                  \
  } while (0)

TEST(quoting) {
  EXPECT_ROWS("a,\"b,c\",\"d\"\"e\"\r\n1,2,3\r\n", "1:a|b,c|d\"e\n2:1|2|3\n");
  EXPECT_ROWS("\"\",x,\"\"\"\"\n", "1:|x|\"\n");
  /* lenient: quote inside an unquoted cell, text after a closing quote */
  EXPECT_ROWS("ab\"c,\"q\"t\n", "1:ab\"c|qt\n");
  EXPECT_ROWS("a,b,\n", "1:a|b|\n");          /* trailing empty cell */
  EXPECT_ROWS("a,b", "1:a|b\n");              /* no final newline */
  EXPECT_ROWS("a,\"b\"", "1:a|b\n");          /* closing quote at EOF */
}

TEST(embedded_newlines) {
  EXPECT_ROWS("\"line1\nline2\",x\n\"y\r\nz\"\nlast\n",
              "1:line1\nline2|x\n2:y\r\nz\n3:last\n");
}

TEST(line_ends) {
  EXPECT_ROWS("a\r\nb\r\nc\r\n", "1:a\n2:b\n3:c\n");
  EXPECT_ROWS("a\nb\n", "1:a\n2:b\n");
  EXPECT_ROWS("a\rb\rc", "1:a\n2:b\n3:c\n");   /* old Mac CR */
  EXPECT_ROWS("a\r\nb\nc\rd", "1:a\n2:b\n3:c\n4:d\n");
}

TEST(blank_rows_are_skipped_but_counted) {
  EXPECT_ROWS("h1,h2\n\n,\nx,y\n\n\n", "1:h1|h2\n4:x|y\n");
  EXPECT_ROWS("h\r\n\r\nv\r\n", "1:h\n3:v\n");
}

TEST(ragged_rows) {
  wg_table_t *t;
  wg_errinfo ei = {0};
  const char *s = "a,b,c\n1\n1,2,3,4\n";
  CHECK_EQ(wg_table_open_mem(s, strlen(s), NULL, &t, &ei), WG_OK);
  wg_table_row row;
  int has, want[] = {3, 1, 4};
  for (int i = 0; i < 3; i++) {
    CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_OK);
    CHECK_EQ(has, 1);
    CHECK_EQ(row.ncells, want[i]);
    CHECK_EQ(row.row, i + 1);
  }
  CHECK_STR(row.cells[3], "4");
  CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_OK);
  CHECK_EQ(has, 0);
  CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_OK); /* stays at the end */
  CHECK_EQ(has, 0);
  CHECK_STR(wg_table_format(t), "csv");
  wg_table_close(t);
}

TEST(bom) {
  const char *s = "\xEF\xBB\xBFname,id\n\xE5\xBC\xA0\xE4\xB8\x89,1\n";
  wg_table_t *t;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_open_mem(s, strlen(s), NULL, &t, &ei), WG_OK);
  CHECK_STR(wg_table_encoding(t), "utf-8-bom");
  wg_table_close(t);
  EXPECT_ROWS(s, "1:name|id\n2:\xE5\xBC\xA0\xE4\xB8\x89|1\n");
  EXPECT_ROWS("\xE5\xBC\xA0,x\n", "1:\xE5\xBC\xA0|x\n");
}

/* UTF-8 → GB18030 bytes with iconv; caller frees. */
static char *to_gb(const char *utf8, size_t *outlen) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  size_t il = strlen(utf8), cap = il * 2 + 4, ol = cap;
  char *out = malloc(cap), *op = out, *ip = (char *)utf8;
  if (cd == (iconv_t)-1 || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
    printf("# iconv to GB18030 failed\n");
    exit(2);
  }
  iconv_close(cd);
  *outlen = (size_t)(op - out);
  return out;
}

static const char *gb_text =
    "姓名,身份证号,住址\r\n"
    "张三,110101199003071234,\"北京市东城区,景山街道\"\r\n"
    "欧阳娜娜,44030619950101002X,广东省深圳市\r\n";

TEST(gb18030) {
  size_t n;
  char *gb = to_gb(gb_text, &n);
  CHECK(memcmp(gb, gb_text, 6) != 0); /* really converted */
  wg_err err;
  wg_errinfo ei;
  char *d = dump_opts(gb, n, NULL, &err, &ei);
  CHECK_EQ(err, WG_OK);
  CHECK_STR(d, "1:姓名|身份证号|住址\n"
               "2:张三|110101199003071234|北京市东城区,景山街道\n"
               "3:欧阳娜娜|44030619950101002X|广东省深圳市\n");
  free(d);
  wg_table_t *t;
  CHECK_EQ(wg_table_open_mem(gb, n, NULL, &t, &ei), WG_OK);
  CHECK_STR(wg_table_encoding(t), "gb18030");
  wg_table_close(t);
  free(gb);
}

/* A file that is ASCII for its first MiB and GB18030 later. */
TEST(gb18030_after_ascii_block) {
  size_t gn;
  char *gb = to_gb("张三,北京\n", &gn);
  size_t pad_rows = 70000, n = 0; /* 70000 * 16 bytes > 1 MiB */
  char *buf = malloc(pad_rows * 16 + gn + 16);
  for (size_t i = 0; i < pad_rows; i++) n += (size_t)snprintf(buf + n, 17, "row%08zu,abc\n", i);
  memcpy(buf + n, gb, gn);
  n += gn;
  wg_table_t *t;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_open_mem(buf, n, NULL, &t, &ei), WG_OK);
  CHECK_STR(wg_table_encoding(t), "utf-8");
  wg_table_row row;
  int has;
  long rows = 0;
  wg_err err;
  while ((err = wg_table_next(t, &row, &has, &ei)) == WG_OK && has) {
    rows++;
    if (row.row == (long)pad_rows + 1) {
      CHECK_STR(row.cells[0], "张三");
      CHECK_STR(row.cells[1], "北京");
    }
  }
  CHECK_EQ(err, WG_OK);
  CHECK_EQ(rows, (long)pad_rows + 1);
  CHECK_STR(wg_table_encoding(t), "gb18030");
  wg_table_close(t);
  free(buf);
  free(gb);
}

TEST(invalid_encoding) {
  wg_err err;
  wg_errinfo ei;
  /* 0xFF is neither UTF-8 nor GB18030 */
  char *d = dump("name\nok\n\xFF\xFE\x80,x\n", &err, &ei);
  CHECK_EQ(err, WG_EENCODING);
  CHECK_EQ(ei.row, 3);
  CHECK_STR(ei.file, "<memory>");
  CHECK_STR(ei.field, "column A");
  CHECK(strstr(ei.why, "GB18030") != NULL);
  CHECK_STR(d, "1:name\n2:ok\n"); /* the good rows came first */
  free(d);
  /* valid UTF-8 rows, then a row that is not */
  d = dump("\xE5\xBC\xA0\n\xE5\xBC\n", &err, &ei);
  CHECK_EQ(err, WG_EENCODING);
  CHECK_EQ(ei.row, 2);
  free(d);
  /* a BOM promises UTF-8 */
  d = dump("\xEF\xBB\xBF" "a\nb,\xC3\x28\n", &err, &ei);
  CHECK_EQ(err, WG_EENCODING);
  CHECK_EQ(ei.row, 2);
  CHECK_STR(ei.field, "column B");
  free(d);
  /* UTF-16 is refused with a clear message */
  d = dump_opts("\xFF\xFEh\0i\0", 6, NULL, &err, &ei);
  CHECK_EQ(err, WG_EENCODING);
  CHECK(strstr(ei.why, "UTF-16") != NULL);
  free(d);
  /* NUL bytes: a binary file */
  d = dump_opts("a,b\nc\0d\n", 8, NULL, &err, &ei);
  CHECK_EQ(err, WG_EFORMAT);
  CHECK_EQ(ei.row, 2);
  free(d);
}

TEST(caps) {
  wg_err err;
  wg_errinfo ei;
  wg_table_opts o = {.max_cell = 10, .max_cells_per_row = 4};
  char *d = dump_opts("a,b\n0123456789,x\n01234567890\n", 29, &o, &err, &ei);
  CHECK_EQ(err, WG_ETOOBIG);
  CHECK_EQ(ei.row, 3);
  CHECK(strstr(ei.why, "longer than 10") != NULL);
  free(d);
  const char *q = "a\n\"01234\"\"56789\"\n"; /* 11 bytes once unescaped */
  d = dump_opts(q, strlen(q), &o, &err, &ei);
  CHECK_EQ(err, WG_ETOOBIG);
  CHECK_EQ(ei.row, 2);
  free(d);
  const char *c = "1,2,3,4\n1,2,3,4,5\n";
  d = dump_opts(c, strlen(c), &o, &err, &ei);
  CHECK_EQ(err, WG_ETOOBIG);
  CHECK_EQ(ei.row, 2);
  CHECK(strstr(ei.why, "more than 4 cells") != NULL);
  free(d);
  /* default cell cap: 32767 bytes; a 40000-byte cell across blocks */
  size_t big = 40000;
  char *s = malloc(big + 16);
  memcpy(s, "h\n", 2);
  memset(s + 2, 'x', big);
  memcpy(s + 2 + big, "\n", 2);
  d = dump_opts(s, big + 3, NULL, &err, &ei);
  CHECK_EQ(err, WG_ETOOBIG);
  CHECK_EQ(ei.row, 2);
  free(d);
  s[2 + 32767] = '\n'; /* exactly at the cap is fine */
  d = dump_opts(s, 2 + 32768, NULL, &err, &ei);
  CHECK_EQ(err, WG_OK);
  free(d);
  free(s);
  /* default cells-per-row cap: 16384 */
  s = malloc(16385 * 2 + 8);
  size_t n = 0;
  for (int i = 0; i < 16385; i++) s[n++] = 'a', s[n++] = ',';
  s[n - 1] = '\n';
  d = dump_opts(s, n, NULL, &err, &ei);
  CHECK_EQ(err, WG_ETOOBIG);
  CHECK_EQ(ei.row, 1);
  free(d);
  d = dump_opts(s + 2, n - 2, NULL, &err, &ei); /* 16384 cells: fine */
  CHECK_EQ(err, WG_OK);
  free(d);
  free(s);
  /* record cap (a quoted cell that never ends is caught by it, too) */
  wg_table_opts r = {.max_row = 4096};
  s = malloc(100000);
  memset(s, 'y', 100000);
  s[0] = '"';
  d = dump_opts(s, 100000, &r, &err, &ei);
  CHECK_EQ(err, WG_ETOOBIG);
  free(d);
  free(s);
}

TEST(unterminated_quote) {
  wg_err err;
  wg_errinfo ei;
  char *d = dump("a,b\n1,2\n3,\"open\nmore\n4,5\n", &err, &ei);
  CHECK_EQ(err, WG_EFORMAT);
  CHECK_EQ(ei.row, 3);
  CHECK(strstr(ei.why, "unterminated quote") != NULL);
  CHECK(strstr(ei.why, "line 3") != NULL);
  CHECK_STR(d, "1:a|b\n2:1|2\n");
  free(d);
  /* sticky: asking again gives the same error */
  wg_table_t *t;
  const char *s = "\"x";
  CHECK_EQ(wg_table_open_mem(s, 2, NULL, &t, &ei), WG_OK);
  wg_table_row row;
  int has;
  CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_EFORMAT);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_EFORMAT);
  CHECK_EQ(ei.row, 1);
  CHECK_EQ(has, 0);
  wg_table_close(t);
}

TEST(empty_file) {
  wg_err err;
  wg_errinfo ei;
  char *d = dump("", &err, &ei);
  CHECK_EQ(err, WG_EFORMAT);
  CHECK_STR(ei.why, "empty file");
  free(d);
  d = dump("\xEF\xBB\xBF", &err, &ei);
  CHECK_EQ(err, WG_EFORMAT);
  free(d);
  d = dump("\n\n,,\n", &err, &ei); /* only blank rows: no rows at all */
  CHECK_EQ(err, WG_OK);
  CHECK_STR(d, "");
  free(d);
}

TEST(legacy_xls_and_missing_file) {
  wg_err err;
  wg_errinfo ei;
  char *d = dump_opts("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", 12, NULL, &err, &ei);
  CHECK_EQ(err, WG_EFORMAT);
  CHECK(strstr(ei.why, ".xls") != NULL);
  free(d);
  wg_table_t *t = (wg_table_t *)1;
  CHECK_EQ(wg_table_open("/nonexistent/dir/x.csv", NULL, &t, &ei), WG_EIO);
  CHECK(t == NULL);
  CHECK_STR(ei.file, "/nonexistent/dir/x.csv");
  wg_table_close(NULL);
}

TEST(delimiter_option) {
  wg_table_opts o = {.delimiter = '\t'};
  wg_err err;
  wg_errinfo ei;
  const char *s = "a\tb,c\n\"x\ty\"\tz\n";
  char *d = dump_opts(s, strlen(s), &o, &err, &ei);
  CHECK_EQ(err, WG_OK);
  CHECK_STR(d, "1:a|b,c\n2:x\ty|z\n");
  free(d);
}

/* Records that straddle the 1 MiB block boundary, with a CRLF split by it. */
TEST(block_boundaries) {
  size_t block = (size_t)1 << 20, n = 0;
  char *s = malloc(block * 3);
  n += (size_t)snprintf(s, 64, "head\r\n");
  while (n < block - 40) n += (size_t)snprintf(s + n, 64, "abcdefghi,123\r\n");
  /* pad so that the CR of this record is the last byte of the block */
  size_t pad = block - 1 - n - 4;
  memcpy(s + n, "\"q", 2);
  memset(s + n + 2, 'p', pad - 1);
  n += pad + 1;
  memcpy(s + n, "\"\"\"", 3); /* doubled quote then closing quote */
  n += 3;
  if (n != block - 1) printf("# layout wrong: %zu\n", n);
  s[n++] = '\r';
  s[n++] = '\n';
  memcpy(s + n, "\"quoted,\r\nacross\",tail\r\n", 24);
  n += 24;
  wg_table_t *t;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_open_mem(s, n, NULL, &t, &ei), WG_OK);
  wg_table_row row, last = {0};
  int has;
  long rows = 0, prev = 0, gaps = 0;
  char bigcell_end = 0, second_last[32] = "";
  wg_err err;
  while ((err = wg_table_next(t, &row, &has, &ei)) == WG_OK && has) {
    rows++;
    if (row.row != prev + 1) gaps++;
    prev = row.row;
    if (row.cells[0][0] == 'q' && row.cells[0][1] == 'p') bigcell_end = row.cells[0][row.lens[0] - 1];
    if (row.ncells == 2) snprintf(second_last, sizeof second_last, "%s", row.cells[0]);
    last = row;
  }
  CHECK_EQ(err, WG_OK);
  CHECK_EQ(gaps, 0);
  CHECK_EQ(bigcell_end, '"');
  CHECK_STR(second_last, "quoted,\r\nacross");
  CHECK_EQ(last.row, rows);
  wg_table_close(t);
  free(s);
}

/* Write n data rows of about 100 bytes to path; returns bytes written. */
static size_t write_big(const char *path, long n) {
  FILE *f = fopen(path, "wb");
  if (!f) { perror(path); exit(2); }
  fputs("\xEF\xBB\xBFname,id_number,phone,address,household,note\r\n", f);
  for (long i = 0; i < n; i++)
    fprintf(f, "\xE5\xBC\xA0%ld,1101011990%08ld,138%08ld,\"No. %ld, Jingshan "
               "Street\",H%07ld,ok\r\n", i, i, i, i % 1000, i / 3);
  long size = ftell(f);
  fclose(f);
  return (size_t)size;
}

TEST(progress_and_million_rows) {
  const char *path = "/tmp/wg_io_csv_1m_test.csv";
  long n = 1000000;
  size_t size = write_big(path, n);
  wg_table_t *t;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_open(path, NULL, &t, &ei), WG_OK);
  CHECK(wg_table_progress(t) < 0.001);
  wg_table_row row;
  int has;
  long rows = 0, last = 0, monotone = 1;
  double prev = 0, mid = -1;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  wg_err err;
  while ((err = wg_table_next(t, &row, &has, &ei)) == WG_OK && has) {
    rows++;
    last = row.row;
    if ((rows & 0xFFF) == 0) {
      double p = wg_table_progress(t);
      if (p < prev) monotone = 0;
      prev = p;
      if (rows == 4096 * 122) mid = p; /* about half way */
    }
    if (row.ncells != 6) break;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
  CHECK_EQ(err, WG_OK);
  CHECK_EQ(rows, n + 1);
  CHECK_EQ(last, n + 1);
  CHECK(monotone);
  CHECK(mid > 0.3 && mid < 0.7);
  CHECK_NEAR(wg_table_progress(t), 1.0, 1e-9);
  printf("# %ld rows (%zu bytes) in %.3f s: %.0f rows/s\n", rows, size, secs,
         (double)rows / secs);
  wg_table_close(t);
  unlink(path);
}

int main(void) {
  RUN(quoting);
  RUN(embedded_newlines);
  RUN(line_ends);
  RUN(blank_rows_are_skipped_but_counted);
  RUN(ragged_rows);
  RUN(bom);
  RUN(gb18030);
  RUN(gb18030_after_ascii_block);
  RUN(invalid_encoding);
  RUN(caps);
  RUN(unterminated_quote);
  RUN(empty_file);
  RUN(legacy_xls_and_missing_file);
  RUN(delimiter_option);
  RUN(block_boundaries);
  RUN(progress_and_million_rows);
  return test_done();
}
