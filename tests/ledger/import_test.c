/* Import of residents: encodings, BOM, headers, bad rows, duplicates,
 * all-or-nothing, --skip-bad with rejects, XLSX, the event trail, and a
 * 1,000,000-row file. */
#include <iconv.h>
#include <sqlite3.h>
#include <stdint.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "io/table.h"
#include "ledger/import.h"
#include "ledger/ledger.h"
#include "ledger/validate.h"
#include "store/store.h"
#include "test.h"

static char *dir;
static int dbn;

static char *path_of(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static void write_file(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  fwrite(text, 1, len, f);
  fclose(f);
}

/* A fresh database with Lan County's community 141127100001 (滨河社区). */
static wg_store_t *fresh_db(void) {
  char name[32];
  snprintf(name, sizeof name, "db%d.db", ++dbn);
  wg_store_t *s = NULL;
  if (wg_store_open(path_of(name), WG_STORE_CREATE, &s, NULL) != WG_OK) exit(2);
  const wg_division_t divs[] = {
      {.code = "141127000000", .name = "岚县", .level = WG_DIV_COUNTY},
      {.code = "141127100000", .parent = "141127000000", .name = "东村镇", .level = WG_DIV_TOWNSHIP},
      {.code = "141127100001", .parent = "141127100000", .name = "滨河社区", .level = WG_DIV_COMMUNITY},
      {.code = "141127100200", .parent = "141127100000", .name = "东村村委会", .level = WG_DIV_COMMUNITY},
  };
  for (size_t i = 0; i < sizeof divs / sizeof *divs; i++)
    if (wg_store_division_put(s, &divs[i]) != WG_OK) exit(2);
  if (wg_store_meta_set(s, "county", "141127") != WG_OK) exit(2);
  return s;
}

/* A valid, unique ID number for n < 1,440,000: the birth date comes from
 * n / 1000 and the sequence from n % 1000. */
static void make_id(long n, char out[19]) {
  int k = (int)(n / 1000) % 1440;
  char digits[24];
  snprintf(digits, sizeof digits, "141127%04d%02d%02d%03d", 1940 + k % 60, 1 + (k / 60) % 12,
           1 + k / 720, (int)(n % 1000));
  memcpy(out, digits, 17);
  out[17] = wg_idnum_check_char(digits);
  out[18] = 0;
}

static long count(wg_store_t *s) {
  wg_resident_filter f = {.county = "141127", .include_inactive = 1};
  long n = -1;
  if (wg_store_resident_count(s, &f, &n) != WG_OK) return -1;
  return n;
}

static wg_import_opts opts(FILE *report) {
  wg_import_opts o = {.county = "141127", .actor = "test", .report = report};
  return o;
}

static const char good_csv[] =
    "姓名,性别,身份证号,联系电话,与户主关系,社区,小区,楼栋,单元,室,标签\n"
    "王芳,女,11010519491231002X,13812345678,户主,滨河社区,易居苑,3号楼,2单元,501,退役军人\n"
    "李伟,男,34052419800101001X,+86 139-0000-1111,配偶,滨河社区,易居苑,3号楼,2单元,501,\n"
    "张敏,女,141127200001010029,,子女,141127100001,易居苑,3号楼,2单元,502,残疾人、低保户\n";

TEST(imports_good_csv_with_event) {
  wg_store_t *s = fresh_db();
  write_file(path_of("good.csv"), good_csv, sizeof good_csv - 1);
  wg_import_opts o = opts(NULL);
  o.effective = 20250101;
  wg_import_result res;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_import_residents(s, path_of("good.csv"), &o, &res, &ei), WG_OK);
  CHECK_EQ(res.rows, 3);
  CHECK_EQ(res.imported, 3);
  CHECK_EQ(res.households, 2); /* by dwelling: 501 and 502 */
  CHECK_STR(res.format, "csv");
  wg_resident_t r;
  CHECK_EQ(wg_store_resident_find(s, "34052419800101001X", &r), WG_OK);
  CHECK_STR(r.phone, "13900001111");
  CHECK_EQ(r.sex, 'M');
  CHECK_EQ(r.birth, 19800101);
  CHECK_EQ(r.since, 20250101);
  wg_resident_t head;
  CHECK_EQ(wg_store_resident_find(s, "11010519491231002X", &head), WG_OK);
  CHECK_EQ(head.household_id, r.household_id);
  CHECK_STR(head.tags, ",veteran,");
  CHECK_EQ(wg_store_resident_find(s, "141127200001010029", &r), WG_OK);
  CHECK_STR(r.tags, ",disabled,low_income,");
  CHECK(r.household_id != head.household_id);
  wg_event_t ev;
  CHECK_EQ(wg_store_event_get(s, r.event_id, &ev), WG_OK);
  CHECK_EQ(ev.kind, WG_EV_IMPORT);
  CHECK_STR(ev.actor, "test");
  CHECK(strstr(ev.reason, "good.csv") != NULL);
  CHECK_EQ(res.event_id, ev.id);
  char label[256];
  CHECK_EQ(wg_store_dwelling_label(s, r.dwelling_id, label, sizeof label), WG_OK);
  CHECK_STR(label, "滨河社区 易居苑 3号楼 2单元 502");
  wg_store_close(s);
}

TEST(bom_and_gb18030_and_crlf) {
  /* UTF-8 with BOM and CRLF. */
  wg_store_t *s = fresh_db();
  char buf[2048];
  size_t n = 0;
  memcpy(buf, "\xef\xbb\xbf", 3);
  n = 3;
  for (const char *p = good_csv; *p; p++) {
    if (*p == '\n') buf[n++] = '\r';
    buf[n++] = *p;
  }
  write_file(path_of("bom.csv"), buf, n);
  wg_import_opts o = opts(NULL);
  wg_import_result res;
  CHECK_EQ(wg_import_residents(s, path_of("bom.csv"), &o, &res, NULL), WG_OK);
  CHECK_EQ(res.imported, 3);
  CHECK_STR(res.encoding, "utf-8-bom");
  wg_store_close(s);

  /* The same file in GB18030, as Excel on a Chinese Windows saves it. */
  s = fresh_db();
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  char *in = (char *)good_csv, *out = buf;
  size_t inleft = sizeof good_csv - 1, outleft = sizeof buf;
  CHECK(iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1);
  iconv_close(cd);
  write_file(path_of("gbk.csv"), buf, sizeof buf - outleft);
  CHECK_EQ(wg_import_residents(s, path_of("gbk.csv"), &o, &res, NULL), WG_OK);
  CHECK_EQ(res.imported, 3);
  CHECK_STR(res.encoding, "gb18030");
  wg_resident_t r;
  CHECK_EQ(wg_store_resident_find(s, "11010519491231002X", &r), WG_OK);
  CHECK_STR(r.name, "王芳");
  wg_store_close(s);
}

TEST(english_headers_and_address_column) {
  wg_store_t *s = fresh_db();
  static const char csv[] =
      "Name,ID_Number,Phone,Address,Household,Residence_Type\n"
      "Wang Fang,11010519491231002X,13812345678,滨河社区易居苑3号楼2单元501室,H001,floating\n"
      "Li Wei,34052419800101001X,,易居苑3号楼2单元501,H001,流动\n";
  write_file(path_of("en.csv"), csv, sizeof csv - 1);
  wg_import_opts o = opts(NULL);
  o.community = "滨河社区";
  wg_import_result res;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_import_residents(s, path_of("en.csv"), &o, &res, &ei), WG_OK);
  CHECK_EQ(res.imported, 2);
  CHECK_EQ(res.households, 1);
  wg_resident_t a, b;
  CHECK_EQ(wg_store_resident_find(s, "11010519491231002X", &a), WG_OK);
  CHECK_EQ(wg_store_resident_find(s, "34052419800101001X", &b), WG_OK);
  CHECK_EQ(a.dwelling_id, b.dwelling_id);
  CHECK_EQ(a.residence, WG_RES_FLOATING);
  char label[256];
  CHECK_EQ(wg_store_dwelling_label(s, a.dwelling_id, label, sizeof label), WG_OK);
  CHECK_STR(label, "滨河社区 易居苑 3号楼 2单元 501");
  wg_store_close(s);
}

/* Reads the whole report written to a memstream. */
static int report_has(const char *report, const char *needle) {
  return report && strstr(report, needle) != NULL;
}

TEST(bad_rows_reject_whole_file_and_are_all_named) {
  wg_store_t *s = fresh_db();
  static const char csv[] =
      "姓名,身份证号,联系电话,社区,楼栋,室\n"
      "王芳,11010519491231002X,13812345678,滨河社区,3号楼,501\n"
      "李伟,110105194912310021,13812345678,滨河社区,3号楼,501\n"   /* bad check */
      ",34052419800101001X,1381234,滨河社区,3号楼,502\n"           /* no name, bad phone */
      "张敏,11010519491231002X,,滨河社区,3号楼,503\n"              /* duplicate of row 2 */
      "赵刚,141127200001010029,,不存在社区,3号楼,504\n";           /* unknown community */
  write_file(path_of("bad.csv"), csv, sizeof csv - 1);
  char *report = NULL;
  size_t rlen = 0;
  FILE *rep = open_memstream(&report, &rlen);
  wg_import_opts o = opts(rep);
  wg_import_result res;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_import_residents(s, path_of("bad.csv"), &o, &res, &ei), WG_EREJECTED);
  fclose(rep);
  CHECK_EQ(res.rows, 5);
  CHECK_EQ(res.bad_rows, 4);
  CHECK_EQ(res.errors, 5);
  CHECK_EQ(res.imported, 0);
  CHECK_EQ(count(s), 0);
  CHECK(report_has(report, "row 3: 身份证号 '1101**********0021': check character is wrong"));
  CHECK(report_has(report, "row 4: 姓名: name is empty"));
  CHECK(report_has(report, "row 4: 联系电话 '"));
  CHECK(report_has(report, "row 5: 身份证号 '1101**********002X': duplicate ID number in this file (also on row 2)"));
  CHECK(report_has(report, "row 6: 社区 '不存在社区'"));
  /* The clear ID and phone never appear in the report. */
  CHECK(!report_has(report, "110105194912310021"));
  CHECK(!report_has(report, "13812345678"));
  CHECK(strstr(ei.why, "4 of 5 rows are bad") != NULL);
  free(report);
  wg_store_close(s);
}

TEST(skip_bad_writes_rejects) {
  wg_store_t *s = fresh_db();
  static const char csv[] =
      "姓名,身份证号,社区,楼栋,室\n"
      "王芳,11010519491231002X,滨河社区,3号楼,501\n"
      "李伟,110105194912310021,滨河社区,3号楼,501\n"
      "张敏,34052419800101001X,滨河社区,3号楼,502\n";
  write_file(path_of("skip.csv"), csv, sizeof csv - 1);
  wg_import_opts o = opts(NULL);
  o.skip_bad = 1;
  o.rejects_path = path_of("rejects.csv");
  wg_import_result res;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_import_residents(s, path_of("skip.csv"), &o, &res, &ei), WG_OK);
  CHECK_EQ(res.imported, 2);
  CHECK_EQ(res.bad_rows, 1);
  CHECK_EQ(count(s), 2);
  wg_table_t *t = NULL;
  CHECK_EQ(wg_table_open(path_of("rejects.csv"), NULL, &t, NULL), WG_OK);
  wg_table_row row;
  int has = 0;
  CHECK_EQ(wg_table_next(t, &row, &has, NULL), WG_OK);
  CHECK(has && row.ncells == 7);
  CHECK_EQ(wg_table_next(t, &row, &has, NULL), WG_OK);
  CHECK(has);
  if (has && row.ncells == 7) {
    CHECK_STR(row.cells[0], "3");
    CHECK_STR(row.cells[1], "李伟");
    CHECK(strstr(row.cells[6], "check character is wrong") != NULL);
  }
  CHECK_EQ(wg_table_next(t, &row, &has, NULL), WG_OK);
  CHECK(!has);
  wg_table_close(t);
  /* --skip-bad without a rejects file is refused up front. */
  o.rejects_path = NULL;
  CHECK_EQ(wg_import_residents(s, path_of("skip.csv"), &o, &res, &ei), WG_EINVAL);
  wg_store_close(s);
}

TEST(duplicates_against_ledger) {
  wg_store_t *s = fresh_db();
  write_file(path_of("g1.csv"), good_csv, sizeof good_csv - 1);
  wg_import_opts o = opts(NULL);
  wg_import_result res;
  CHECK_EQ(wg_import_residents(s, path_of("g1.csv"), &o, &res, NULL), WG_OK);
  char *report = NULL;
  size_t rlen = 0;
  FILE *rep = open_memstream(&report, &rlen);
  o.report = rep;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_import_residents(s, path_of("g1.csv"), &o, &res, &ei), WG_EREJECTED);
  fclose(rep);
  CHECK_EQ(res.bad_rows, 3);
  CHECK(report_has(report, "row 2: 身份证号 '1101**********002X': already in the ledger"));
  CHECK(report_has(report, "row 4: "));
  CHECK_EQ(count(s), 3);
  free(report);
  wg_store_close(s);
}

TEST(empty_and_header_only_and_bad_header) {
  wg_store_t *s = fresh_db();
  wg_import_opts o = opts(NULL);
  wg_import_result res;
  wg_errinfo ei = {0};
  write_file(path_of("empty.csv"), "", 0);
  CHECK_EQ(wg_import_residents(s, path_of("empty.csv"), &o, &res, &ei), WG_EFORMAT);
  write_file(path_of("hdr.csv"), "姓名,身份证号,社区,楼栋,室\n", strlen("姓名,身份证号,社区,楼栋,室\n"));
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_import_residents(s, path_of("hdr.csv"), &o, &res, &ei), WG_EREJECTED);
  CHECK(strstr(ei.why, "no data rows") != NULL);
  write_file(path_of("noid.csv"), "姓名,社区,室\n王芳,滨河社区,501\n", strlen("姓名,社区,室\n王芳,滨河社区,501\n"));
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_import_residents(s, path_of("noid.csv"), &o, &res, &ei), WG_EREJECTED);
  CHECK(strstr(ei.why, "no ID number column") != NULL);
  write_file(path_of("twice.csv"), "姓名,身份证号,身份证号码,室\n", strlen("姓名,身份证号,身份证号码,室\n"));
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_import_residents(s, path_of("twice.csv"), &o, &res, &ei), WG_EREJECTED);
  CHECK(strstr(ei.why, "two columns mean the same field") != NULL);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_import_residents(s, path_of("missing.csv"), &o, &res, &ei), WG_EIO);
  CHECK_EQ(count(s), 0);
  wg_store_close(s);
}

TEST(xlsx_import) {
  wg_store_t *s = fresh_db();
  lxw_workbook *wb = workbook_new(path_of("r.xlsx"));
  lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
  const char *hdr[] = {"姓名", "身份证号", "出生日期", "社区", "楼栋", "单元", "室"};
  for (int i = 0; i < 7; i++) worksheet_write_string(ws, 0, (lxw_col_t)i, hdr[i], NULL);
  lxw_format *datef = workbook_add_format(wb);
  format_set_num_format(datef, "yyyy-mm-dd");
  worksheet_write_string(ws, 1, 0, "王芳", NULL);
  worksheet_write_string(ws, 1, 1, "11010519491231002X", NULL);
  lxw_datetime dt = {1949, 12, 31, 0, 0, 0};
  worksheet_write_datetime(ws, 1, 2, &dt, datef);
  worksheet_write_string(ws, 1, 3, "滨河社区", NULL);
  worksheet_write_string(ws, 1, 4, "3号楼", NULL);
  worksheet_write_string(ws, 1, 5, "2单元", NULL);
  worksheet_write_number(ws, 1, 6, 501, NULL); /* a room typed as a number */
  /* Row 3 left empty; row 4 has an ID typed as a number (loses the X). */
  worksheet_write_string(ws, 3, 0, "李伟", NULL);
  worksheet_write_number(ws, 3, 1, 340524198001010010.0, NULL);
  worksheet_write_string(ws, 3, 3, "滨河社区", NULL);
  worksheet_write_string(ws, 3, 4, "3号楼", NULL);
  worksheet_write_string(ws, 3, 6, "502", NULL);
  CHECK_EQ(workbook_close(wb), LXW_NO_ERROR);
  char *report = NULL;
  size_t rlen = 0;
  FILE *rep = open_memstream(&report, &rlen);
  wg_import_opts o = opts(rep);
  wg_import_result res;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_import_residents(s, path_of("r.xlsx"), &o, &res, &ei), WG_EREJECTED);
  fclose(rep);
  CHECK_STR(res.format, "xlsx");
  CHECK_EQ(res.rows, 2);
  CHECK_EQ(res.bad_rows, 1);
  CHECK(report_has(report, "row 4: 身份证号"));
  free(report);
  CHECK_EQ(count(s), 0);
  wg_store_close(s);
}

TEST(coordinates_in_gcj02_are_stored_as_wgs84) {
  wg_store_t *s = fresh_db();
  /* GCJ-02 of WGS84 (116.404, 39.915): the reference pair of the
   * coordtransform project's tests, also used in tests/territory. */
  static const char csv[] =
      "姓名,身份证号,社区,楼栋,室,经度,纬度\n"
      "王芳,11010519491231002X,滨河社区,3号楼,501,116.41024449916938,39.91640428150164\n"
      "李伟,34052419800101001X,滨河社区,4号楼,101,,\n";
  write_file(path_of("gcj.csv"), csv, sizeof csv - 1);
  wg_import_opts o = opts(NULL);
  o.crs = WG_CRS_GCJ02;
  wg_import_result res;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_import_residents(s, path_of("gcj.csv"), &o, &res, &ei), WG_OK);
  char name[32];
  snprintf(name, sizeof name, "db%d.db", dbn);
  wg_store_close(s);
  sqlite3 *db;
  CHECK_EQ(sqlite3_open(path_of(name), &db), SQLITE_OK);
  sqlite3_stmt *st;
  CHECK_EQ(sqlite3_prepare_v2(db, "SELECT name, lon, lat FROM building ORDER BY name", -1, &st, NULL),
           SQLITE_OK);
  CHECK_EQ(sqlite3_step(st), SQLITE_ROW);
  CHECK_STR((const char *)sqlite3_column_text(st, 0), "3号楼");
  CHECK_NEAR(sqlite3_column_double(st, 1), 116.404, 1e-6);
  CHECK_NEAR(sqlite3_column_double(st, 2), 39.915, 1e-6);
  CHECK_EQ(sqlite3_step(st), SQLITE_ROW);
  CHECK_NEAR(sqlite3_column_double(st, 1), 0.0, 1e-12); /* no position given */
  sqlite3_finalize(st);
  sqlite3_close(db);

  /* Half a position, or a latitude out of range, is a bad row. */
  s = fresh_db();
  static const char bad_csv[] =
      "姓名,身份证号,社区,楼栋,室,经度,纬度\n"
      "王芳,11010519491231002X,滨河社区,3号楼,501,116.4,\n"
      "李伟,34052419800101001X,滨河社区,4号楼,101,116.4,95\n"
      "张敏,141127200001010029,滨河社区,4号楼,102,东经116,39.9\n";
  write_file(path_of("badpos.csv"), bad_csv, sizeof bad_csv - 1);
  char *report = NULL;
  size_t rlen = 0;
  FILE *rep = open_memstream(&report, &rlen);
  o = opts(rep);
  CHECK_EQ(wg_import_residents(s, path_of("badpos.csv"), &o, &res, &ei), WG_EREJECTED);
  fclose(rep);
  CHECK(report_has(report, "row 2: 纬度: a position needs both longitude and latitude"));
  CHECK(report_has(report, "row 3: 经度 '116.4': longitude must be -180..180 and latitude -90..90"));
  CHECK(report_has(report, "row 4: 经度 '东经116': not a number of degrees"));
  free(report);
  wg_store_close(s);
}

TEST(one_million_rows) {
  const long N = 1000000;
  FILE *f = fopen(path_of("big.csv"), "w");
  fprintf(f, "姓名,性别,身份证号,联系电话,社区,小区,楼栋,单元,室\n");
  char id[19];
  for (long i = 0; i < N; i++) {
    make_id(i, id);
    long dwelling = i / 3;
    fprintf(f, "居民%ld,%s,%s,1%ld%09ld,滨河社区,小区%ld,%ld号楼,%ld单元,%ld%02ld\n", i,
            (id[16] - '0') % 2 ? "男" : "女", id, 3 + i % 7, i, dwelling / 5000,
            dwelling / 100 % 50, 1 + dwelling / 20 % 5, 1 + dwelling / 4 % 5, 1 + dwelling % 4);
  }
  fclose(f);
  wg_store_t *s = fresh_db();
  wg_import_opts o = opts(stderr);
  o.max_listed = 5;
  wg_import_result res;
  wg_errinfo ei = {0};
  wg_err e = wg_import_residents(s, path_of("big.csv"), &o, &res, &ei);
  if (e) {
    char msg[512];
    wg_errinfo_format(&ei, e, msg, sizeof msg);
    printf("# %s\n", msg);
  }
  CHECK_EQ(e, WG_OK);
  CHECK_EQ(res.rows, N);
  CHECK_EQ(res.imported, N);
  CHECK_EQ(count(s), N);
  printf("# 1,000,000 rows in %.2f s (sanitizer build)\n", res.seconds);
  wg_store_close(s);
  unlink(path_of("big.csv"));
}

int main(void) {
  setenv("WANGGE_TODAY", "20261129", 1);
  dir = test_tmpdir();
  RUN(imports_good_csv_with_event);
  RUN(bom_and_gb18030_and_crlf);
  RUN(english_headers_and_address_column);
  RUN(bad_rows_reject_whole_file_and_are_all_named);
  RUN(skip_bad_writes_rejects);
  RUN(duplicates_against_ledger);
  RUN(empty_and_header_only_and_bad_header);
  RUN(xlsx_import);
  RUN(coordinates_in_gcj02_are_stored_as_wgs84);
  RUN(one_million_rows);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
