/* xlsx_test.c — the XLSX side of the table reader (src/io/xlsx_read.c). */
#include <xlsxwriter.h>
#include <zip.h>

#include "io/table.h"
#include "test.h"

static char *tmpdir;

static char *tmp_path(const char *name) {
  size_t n = strlen(tmpdir) + strlen(name) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", tmpdir, name);
  return p;
}

/* Read every row of the file at path into "ROW:cell|cell\n..." (malloc'd);
 * the final error in *err. */
static char *dump_file(const char *path, wg_err *err, wg_errinfo *ei) {
  size_t cap = 1 << 16, n = 0;
  char *out = malloc(cap);
  out[0] = '\0';
  wg_table_t *t;
  memset(ei, 0, sizeof *ei);
  *err = wg_table_open(path, NULL, &t, ei);
  if (*err) return out;
  wg_table_row row;
  int has;
  while ((*err = wg_table_next(t, &row, &has, ei)) == WG_OK && has) {
    n += (size_t)snprintf(out + n, cap - n, "%ld:", row.row);
    for (int i = 0; i < row.ncells; i++)
      n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "|" : "", row.cells[i]);
    n += (size_t)snprintf(out + n, cap - n, "\n");
  }
  if (!*err) CHECK_NEAR(wg_table_progress(t), 1.0, 1e-9);
  wg_table_close(t);
  return out;
}

/* Build a zip at path from n (name, content) pairs. */
static void make_zip(const char *path, int n, const char *const *names,
                     const char *const *contents) {
  int zerr;
  zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (!z) { printf("# zip_open %s failed\n", path); exit(2); }
  for (int i = 0; i < n; i++) {
    zip_source_t *s = zip_source_buffer(z, contents[i], strlen(contents[i]), 0);
    if (!s || zip_file_add(z, names[i], s, ZIP_FL_ENC_UTF_8) < 0) {
      printf("# zip_file_add failed\n");
      exit(2);
    }
  }
  if (zip_close(z) != 0) { printf("# zip_close failed\n"); exit(2); }
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define RNS "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
static const char *wb_xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook " NS " " RNS ">"
    "<workbookPr date1904=\"1\"/><sheets>"
    "<sheet name=\"Residents\" sheetId=\"7\" r:id=\"rId3\"/>"
    "<sheet name=\"Other\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char *rels_xml =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
    "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"strings.xml\"/>"
    "</Relationships>";
static const char *sst_xml =
    "<sst " NS " count=\"2\" uniqueCount=\"2\">"
    "<si><r><rPr><b/></rPr><t>Hel</t></r><r><t xml:space=\"preserve\">lo &amp; </t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>ignored</t></rPh></si>"
    "<si><t>张三</t><rPh><t>zhang</t></rPh></si>"
    "<si><t>a_x000D__x000A_b_x005F_x0041_ _xD83D__xDE00_ _x0000_</t></si></sst>";
static const char *styles_xml =
    "<styleSheet " NS "><numFmts count=\"2\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[Red]&quot;day&quot;0.00\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"31\"/></cellXfs></styleSheet>";

/* A workbook built by hand: rels with an absolute target and a non-default
 * sharedStrings name, rich text, phonetic runs, the 1904 date system, a
 * custom and a zh-CN built-in date format, prefixed namespaces, cells and
 * rows without r attributes, inline strings, booleans, errors. */
TEST(handmade_workbook) {
  const char *sheet =
      "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<x:sheetData>"
      "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c t=\"s\"><x:v>1</x:v></x:c>"
      "<x:c t=\"s\"><x:v>2</x:v></x:c></x:row>"
      "<x:row r=\"3\"><x:c r=\"B3\" s=\"1\"><x:v>0</x:v></x:c><x:c r=\"D3\" s=\"2\"><x:v>0.5</x:v></x:c>"
      "<x:c r=\"E3\" s=\"3\"><x:v>1</x:v></x:c></x:row>"
      "<x:row><x:c t=\"inlineStr\"><x:is><x:r><x:t>in</x:t></x:r><x:r><x:t>line</x:t></x:r></x:is></x:c>"
      "<x:c t=\"b\"><x:v>1</x:v></x:c><x:c t=\"e\"><x:v>#N/A</x:v></x:c>"
      "<x:c t=\"str\"><x:f>A1&amp;\"\"</x:f><x:v>formula text</x:v></x:c></x:row>"
      "<x:row r=\"9\"><x:c r=\"C9\" s=\"1\"/></x:row>"
      "<x:row r=\"10\"><x:c r=\"AA10\"><x:v>-0</x:v></x:c></x:row>"
      "<x:row r=\"11\"><x:c t=\"d\"><x:v>2021-05-04T00:00:00</x:v></x:c>"
      "<x:c t=\"d\"><x:v>2021-05-04T08:30:00</x:v></x:c><x:c r=\"d11\"><x:v>7</x:v></x:c></x:row>"
      "</x:sheetData></x:worksheet>";
  const char *names[] = {"[Content_Types].xml", "xl/workbook.xml",
                         "xl/_rels/workbook.xml.rels", "xl/strings.xml",
                         "xl/styles.xml", "xl/worksheets/data.xml",
                         "xl/worksheets/sheet1.xml"};
  const char *contents[] = {"<Types/>", wb_xml, rels_xml, sst_xml, styles_xml, sheet,
                            "<worksheet " NS "><sheetData><row r=\"1\"><c t=\"inlineStr\">"
                            "<is><t>wrong sheet</t></is></c></row></sheetData></worksheet>"};
  char *path = tmp_path("handmade.xlsx");
  make_zip(path, 7, names, contents);
  wg_err err;
  wg_errinfo ei;
  char *d = dump_file(path, &err, &ei);
  CHECK_EQ(err, WG_OK);
  CHECK_STR(d, "1:Hello & |张三|a\r\nb_x0041_ \xF0\x9F\x98\x80 _x0000_\n"
               "3:|1904-01-01||0.5|1904-01-02\n"
               "4:inline|TRUE|#N/A|formula text\n"
               "10:||||||||||||||||||||||||||0\n"
               "11:2021-05-04|2021-05-04T08:30:00||7\n");
  free(d);
  free(path);
}

TEST(workbook_from_libxlsxwriter) {
  char *path = tmp_path("written.xlsx");
  lxw_workbook *wb = workbook_new(path);
  lxw_worksheet *ws = workbook_add_worksheet(wb, "居民");
  lxw_format *ymd = workbook_add_format(wb);
  format_set_num_format(ymd, "yyyy-mm-dd");
  lxw_format *builtin14 = workbook_add_format(wb);
  format_set_num_format_index(builtin14, 14);
  lxw_format *hhmm = workbook_add_format(wb);
  format_set_num_format(hhmm, "hh:mm");
  lxw_format *money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00");
  const char *head[] = {"姓名", "身份证号", "出生日期", "年龄", "金额", "备注"};
  for (int i = 0; i < 6; i++) worksheet_write_string(ws, 0, (lxw_col_t)i, head[i], NULL);
  lxw_datetime born = {1990, 3, 7, 0, 0, 0};
  worksheet_write_string(ws, 1, 0, "张三", NULL);
  worksheet_write_number(ws, 1, 1, 123456789012345.0, NULL);
  worksheet_write_datetime(ws, 1, 2, &born, ymd);
  worksheet_write_number(ws, 1, 3, 34, NULL);
  worksheet_write_number(ws, 1, 4, 3.5, money);
  worksheet_write_string(ws, 1, 5, "北京市东城区", NULL);
  lxw_datetime leap = {2000, 2, 29, 13, 30, 0};
  worksheet_write_string(ws, 2, 0, "李四", NULL);
  worksheet_write_datetime(ws, 2, 2, &leap, builtin14);
  worksheet_write_number(ws, 2, 4, -0.1, NULL);
  worksheet_write_boolean(ws, 2, 5, 1, NULL);
  /* rows 4 and 5 skipped entirely */
  worksheet_write_string(ws, 5, 0, "王五", NULL);
  worksheet_write_number(ws, 5, 1, 1.10105194912E+17, NULL);
  worksheet_write_number(ws, 5, 3, 0, NULL);
  worksheet_write_string(ws, 6, 0, "Lotus", NULL);
  worksheet_write_number(ws, 6, 1, 1, ymd);
  worksheet_write_number(ws, 6, 2, 60, ymd);
  worksheet_write_number(ws, 6, 3, 61, ymd);
  worksheet_write_number(ws, 6, 4, 0.5, hhmm);
  worksheet_write_number(ws, 6, 5, 1e-7, NULL);
  worksheet_write_number(ws, 7, 0, 1e20, NULL);
  worksheet_write_number(ws, 7, 1, 9007199254740991.0, NULL);
  worksheet_write_number(ws, 7, 2, 1234567.25, NULL);
  worksheet_write_formula_str(ws, 7, 3, "=\"a\"&\"b\"", NULL, "ab");
  worksheet_write_blank(ws, 8, 0, ymd); /* styled but empty: not a row */
  worksheet_write_string(ws, 9, 1, "", NULL);
  worksheet_write_string(ws, 10, 0, "end", NULL);
  CHECK_EQ(workbook_close(wb), LXW_NO_ERROR);
  wg_err err;
  wg_errinfo ei;
  char *d = dump_file(path, &err, &ei);
  CHECK_EQ(err, WG_OK);
  CHECK_STR(d, "1:姓名|身份证号|出生日期|年龄|金额|备注\n"
               "2:张三|123456789012345|1990-03-07|34|3.5|北京市东城区\n"
               "3:李四||2000-02-29||-0.1|TRUE\n"
               "6:王五|1.10105194912e+17||0\n"
               "7:Lotus|1900-01-01|1900-02-29|1900-03-01|12:00:00|1e-07\n"
               "8:1e+20|9007199254740991|1234567.25|ab\n"
               "11:end\n");
  free(d);
  wg_table_t *t;
  CHECK_EQ(wg_table_open(path, NULL, &t, &ei), WG_OK);
  CHECK_STR(wg_table_format(t), "xlsx");
  CHECK_STR(wg_table_encoding(t), "utf-8");
  CHECK(wg_table_progress(t) < 0.01);
  wg_table_close(t);
  free(path);
}

/* constant_memory mode writes inline strings instead of sharedStrings. */
TEST(inline_strings_many_rows) {
  char *path = tmp_path("inline.xlsx");
  lxw_workbook_options o = {.constant_memory = LXW_TRUE};
  lxw_workbook *wb = workbook_new_opt(path, &o);
  lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
  char buf[64];
  for (int r = 0; r < 20000; r++) {
    snprintf(buf, sizeof buf, "居民%d", r);
    worksheet_write_string(ws, (lxw_row_t)r, 0, buf, NULL);
    worksheet_write_number(ws, (lxw_row_t)r, 2, r, NULL);
  }
  CHECK_EQ(workbook_close(wb), LXW_NO_ERROR);
  wg_table_t *t;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_open(path, NULL, &t, &ei), WG_OK);
  wg_table_row row;
  int has, bad = 0;
  long n = 0;
  double prev = 0;
  wg_err err;
  while ((err = wg_table_next(t, &row, &has, &ei)) == WG_OK && has) {
    snprintf(buf, sizeof buf, "居民%ld", n);
    if (row.row != n + 1 || row.ncells != 3 || strcmp(row.cells[0], buf) != 0 ||
        row.lens[1] != 0 || atol(row.cells[2]) != n)
      bad++;
    double p = wg_table_progress(t);
    if (p < prev) bad++;
    prev = p;
    n++;
  }
  CHECK_EQ(err, WG_OK);
  CHECK_EQ(n, 20000);
  CHECK_EQ(bad, 0);
  wg_table_close(t);
  free(path);
}

/* The broken-file cases: each a clear error. */
static void expect_error(const char *path, wg_err want, const char *why_part,
                         long row) {
  wg_err err;
  wg_errinfo ei;
  char *d = dump_file(path, &err, &ei);
  free(d);
  CHECK_EQ(err, want);
  if (!strstr(ei.why, why_part)) {
    printf("#   why \"%s\" lacks \"%s\"\n", ei.why, why_part);
    CHECK(0);
  }
  CHECK_EQ(ei.row, row);
  CHECK_STR(ei.file, path);
}

static const char *min_names[] = {"xl/workbook.xml", "xl/sharedStrings.xml",
                                  "xl/worksheets/sheet1.xml"};
static const char *min_wb = "<workbook " NS "><sheets/></workbook>";

TEST(not_a_zip_and_truncated) {
  char *path = tmp_path("garbage.xlsx");
  FILE *f = fopen(path, "wb");
  fputs("PK\3\4 this is not really a zip archive at all", f);
  fclose(f);
  expect_error(path, WG_EFORMAT, "not an XLSX workbook: damaged or truncated", 0);
  /* a real workbook cut in half */
  char *good = tmp_path("good.xlsx");
  lxw_workbook *wb = workbook_new(good);
  lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
  for (int r = 0; r < 200; r++) worksheet_write_string(ws, (lxw_row_t)r, 0, "x", NULL);
  CHECK_EQ(workbook_close(wb), LXW_NO_ERROR);
  f = fopen(good, "rb");
  char buf[65536];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  f = fopen(path, "wb");
  fwrite(buf, 1, n / 2, f);
  fclose(f);
  expect_error(path, WG_EFORMAT, "not an XLSX workbook", 0);
  /* from memory, too */
  wg_table_t *t;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_open_mem(buf, n / 2, NULL, &t, &ei), WG_EFORMAT);
  CHECK_STR(ei.file, "<memory>");
  CHECK_EQ(wg_table_open_mem(buf, n, NULL, &t, &ei), WG_OK); /* whole: fine */
  wg_table_row row;
  int has;
  CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_OK);
  CHECK_EQ(has, 1);
  CHECK_STR(row.cells[0], "x");
  wg_table_close(t);
  free(good);
  free(path);
}

TEST(zip_without_workbook) {
  char *path = tmp_path("nowb.xlsx");
  const char *names[] = {"word/document.xml"};
  const char *contents[] = {"<document/>"};
  make_zip(path, 1, names, contents);
  expect_error(path, WG_EFORMAT, "not an XLSX workbook: no xl/workbook.xml", 0);
  const char *names2[] = {"xl/workbook.xml"};
  const char *contents2[] = {min_wb};
  make_zip(path, 1, names2, contents2);
  expect_error(path, WG_EFORMAT, "the first sheet (xl/worksheets/sheet1.xml) is missing", 0);
  free(path);
}

TEST(shared_string_out_of_range) {
  char *path = tmp_path("sst.xlsx");
  const char *contents[] = {
      min_wb, "<sst " NS "><si><t>only</t></si></sst>",
      "<worksheet " NS "><sheetData>"
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
      "<row r=\"7\"><c r=\"A7\" t=\"s\"><v>0</v></c><c r=\"C7\" t=\"s\"><v>812</v></c></row>"
      "</sheetData></worksheet>"};
  make_zip(path, 3, min_names, contents);
  expect_error(path, WG_EFORMAT, "sharedStrings index 812 out of range at row 7, column C", 7);
  free(path);
}

TEST(doctype_and_entity_bomb) {
  char *path = tmp_path("bomb.xlsx");
  const char *bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
      "<sst " NS "><si><t>&lol3;</t></si></sst>";
  const char *contents[] = {min_wb, bomb, "<worksheet " NS "/>"};
  make_zip(path, 3, min_names, contents);
  expect_error(path, WG_EFORMAT, "DOCTYPE", 0);
  const char *ext =
      "<!DOCTYPE w [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<worksheet " NS "><sheetData><row><c t=\"inlineStr\"><is><t>&x;</t></is></c>"
      "</row></sheetData></worksheet>";
  const char *contents2[] = {min_wb, "<sst " NS "/>", ext};
  make_zip(path, 3, min_names, contents2);
  expect_error(path, WG_EFORMAT, "DOCTYPE", 0);
  free(path);
}

TEST(hostile_structure) {
  char *path = tmp_path("hostile.xlsx");
  /* nesting */
  size_t n = 0;
  char deep[4096];
  n += (size_t)snprintf(deep, sizeof deep, "<worksheet " NS "><sheetData><row><c><v>");
  for (int i = 0; i < 100; i++) n += (size_t)snprintf(deep + n, sizeof deep - n, "<a>");
  snprintf(deep + n, sizeof deep - n, "</v></c></row></sheetData></worksheet>");
  const char *c1[] = {min_wb, "<sst " NS "/>", deep};
  make_zip(path, 3, min_names, c1);
  expect_error(path, WG_ETOOBIG, "nested deeper", 1);
  /* rows out of order */
  const char *c2[] = {min_wb, "<sst " NS "/>",
                      "<worksheet " NS "><sheetData><row r=\"5\"><c><v>1</v></c></row>"
                      "<row r=\"3\"><c><v>1</v></c></row></sheetData></worksheet>"};
  make_zip(path, 3, min_names, c2);
  expect_error(path, WG_EFORMAT, "out of order", 3);
  /* broken XML */
  const char *c3[] = {min_wb, "<sst " NS "/>",
                      "<worksheet " NS "><sheetData><row><c><v>1</v></row>"};
  make_zip(path, 3, min_names, c3);
  expect_error(path, WG_EFORMAT, "broken XML", 1);
  /* a cell past the column cap */
  const char *c4[] = {min_wb, "<sst " NS "/>",
                      "<worksheet " NS "><sheetData><row r=\"2\"><c r=\"XFE2\"><v>1</v></c>"
                      "</row></sheetData></worksheet>"};
  make_zip(path, 3, min_names, c4);
  expect_error(path, WG_ETOOBIG, "more than 16384 cells", 2);
  /* a numeric cell that is not a short number */
  char *longv = malloc(100000);
  n = (size_t)snprintf(longv, 100000, "<worksheet " NS "><sheetData><row><c><v>");
  memset(longv + n, '7', 1000);
  snprintf(longv + n + 1000, 1000, "</v></c></row></sheetData></worksheet>");
  const char *c5[] = {min_wb, "<sst " NS "/>", longv};
  make_zip(path, 3, min_names, c5);
  expect_error(path, WG_EFORMAT, "not a number", 1);
  /* an inline string over the cell cap */
  n = (size_t)snprintf(longv, 100000, "<worksheet " NS "><sheetData><row><c t=\"inlineStr\"><is><t>");
  memset(longv + n, 'y', 40000);
  snprintf(longv + n + 40000, 1000, "</t></is></c></row></sheetData></worksheet>");
  const char *c6[] = {min_wb, "<sst " NS "/>", longv};
  make_zip(path, 3, min_names, c6);
  expect_error(path, WG_ETOOBIG, "longer than 32767", 1);
  /* a shared string over the cell cap, reported where it is used */
  n = (size_t)snprintf(longv, 100000, "<sst " NS "><si><t>ok</t></si><si><t>");
  memset(longv + n, 'z', 40000);
  snprintf(longv + n + 40000, 1000, "</t></si></sst>");
  const char *c7[] = {min_wb, longv,
                      "<worksheet " NS "><sheetData><row><c t=\"s\"><v>0</v></c></row>"
                      "<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>"
                      "</sheetData></worksheet>"};
  make_zip(path, 3, min_names, c7);
  expect_error(path, WG_ETOOBIG, "longer than 32767", 2);
  free(longv);
  free(path);
}

/* A sheet entry that inflates more than 1000:1 is refused at open. */
TEST(zip_bomb_ratio) {
  char *path = tmp_path("ratio.xlsx");
  size_t big = (size_t)48 << 20;
  char *sheet = malloc(big + 256);
  size_t n = (size_t)snprintf(sheet, 256, "<worksheet " NS "><sheetData>");
  memset(sheet + n, ' ', big);
  snprintf(sheet + n + big, 256, "</sheetData></worksheet>");
  const char *c[] = {min_wb, "<sst " NS "/>", sheet};
  int zerr;
  zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  for (int i = 0; i < 3; i++) {
    zip_source_t *s = zip_source_buffer(z, c[i], strlen(c[i]), 0);
    zip_int64_t idx = zip_file_add(z, min_names[i], s, 0);
    zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9);
  }
  CHECK_EQ(zip_close(z), 0);
  free(sheet);
  expect_error(path, WG_ETOOBIG, "zip bomb", 0);
  free(path);
}

/* expat holds a tag whole: one that grows past 16 MiB is refused (stored
 * uncompressed, so the ratio cap does not trigger first). */
TEST(huge_tag) {
  char *path = tmp_path("tag.xlsx");
  size_t big = (size_t)17 << 20;
  char *sheet = malloc(big + 512);
  size_t n = (size_t)snprintf(sheet, 512, "<worksheet " NS "><sheetData>"
                              "<row r=\"1\"><c><v>1</v></c></row><row r=\"2\" x=\"");
  unsigned seed = 1;
  for (size_t i = 0; i < big; i++) {
    seed = seed * 1103515245u + 12345u;
    sheet[n + i] = (char)('a' + (seed >> 16) % 26);
  }
  snprintf(sheet + n + big, 512, "\"/></sheetData></worksheet>");
  const char *c[] = {min_wb, "<sst " NS "/>", sheet};
  int zerr;
  zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  for (int i = 0; i < 3; i++) {
    zip_source_t *s = zip_source_buffer(z, c[i], strlen(c[i]), 0);
    zip_int64_t idx = zip_file_add(z, min_names[i], s, 0);
    zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
  }
  CHECK_EQ(zip_close(z), 0);
  free(sheet);
  wg_table_t *t;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_table_open(path, NULL, &t, &ei), WG_OK);
  wg_table_row row;
  int has;
  CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_OK);
  CHECK_EQ(row.row, 1);
  CHECK_EQ(wg_table_next(t, &row, &has, &ei), WG_ETOOBIG);
  CHECK_EQ(ei.row, 2);
  CHECK(strstr(ei.why, "larger than 16777216 bytes") != NULL);
  wg_table_close(t);
  free(path);
}

int main(void) {
  tmpdir = test_tmpdir();
  RUN(handmade_workbook);
  RUN(workbook_from_libxlsxwriter);
  RUN(inline_strings_many_rows);
  RUN(not_a_zip_and_truncated);
  RUN(zip_without_workbook);
  RUN(shared_string_out_of_range);
  RUN(doctype_and_entity_bomb);
  RUN(hostile_structure);
  RUN(zip_bomb_ratio);
  RUN(huge_tag);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) printf("# cleanup failed\n");
  free(tmpdir);
  return test_done();
}
