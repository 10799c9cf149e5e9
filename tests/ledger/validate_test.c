/* validate_test.c — ID numbers, phones, dates, sex words and masks.
 *
 * ID reference values: the three valid examples in
 * shared/data/demographics/FACTS.md (GB 11643-1999), the 15->18 upgrade pair
 * from the task brief, and numbers built for Lan County (141127) whose
 * check characters were computed independently with a 4-line Python
 * implementation of the GB 11643 weights (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
 * S mod 11 -> "10X98765432"), not with the code under test. */
#include "ledger/validate.h"

#include "test.h"

#define TODAY 20261129 /* the clock every ID test runs against */

static wg_idnum_reason parse(const char *in, wg_idnum_t *id) {
  return wg_idnum_parse(in, TODAY, id);
}

TEST(idnum_valid_examples) {
  wg_idnum_t id;
  CHECK_EQ(parse("11010519491231002X", &id), WG_IDNUM_OK);
  CHECK_STR(id.number, "11010519491231002X");
  CHECK_EQ(id.birth, 19491231);
  CHECK_EQ(id.sex, 'F'); /* sequence 002: even */
  CHECK_EQ(id.upgraded, 0);

  /* FACTS.md's second example (a widely cited textbook example) is
   * well-formed, but its holder would be born 1880-01-01, before the
   * 1890-01-01 plausibility floor we apply to living residents: it comes
   * back TOO_OLD with every field parsed, so a caller may still accept it. */
  CHECK_EQ(parse("440524188001010014", &id), WG_IDNUM_TOO_OLD);
  CHECK_STR(id.number, "440524188001010014");
  CHECK_EQ(id.birth, 18800101);
  CHECK_EQ(id.sex, 'M'); /* 001: odd */
  CHECK(wg_idnum_key("440524188001010014") != 0);

  CHECK_EQ(parse("34052419800101001X", &id), WG_IDNUM_OK);
  CHECK_EQ(id.birth, 19800101);
  CHECK_EQ(id.sex, 'M');

  /* lower-case x is normalised; surrounding blanks ignored */
  CHECK_EQ(parse("  11010519491231002x\t", &id), WG_IDNUM_OK);
  CHECK_STR(id.number, "11010519491231002X");
  CHECK_EQ(parse("\xe3\x80\x80" "141127198001010010" "\xc2\xa0", &id), WG_IDNUM_OK);
  CHECK_STR(id.number, "141127198001010010");
}

TEST(idnum_check_char) {
  wg_idnum_t id;
  CHECK_EQ(wg_idnum_check_char("11010519491231002"), 'X');
  CHECK_EQ(wg_idnum_check_char("44052418800101001"), '4');
  CHECK_EQ(wg_idnum_check_char("1101051949123100A"), 0);

  CHECK_EQ(parse("110105194912310021", &id), WG_IDNUM_BAD_CHECK);
  CHECK_EQ(id.expected_check, 'X');
  CHECK_STR(id.number, "110105194912310021");
  CHECK_EQ(parse("440524188001010015", &id), WG_IDNUM_BAD_CHECK);
  CHECK_EQ(id.expected_check, '4');
  CHECK_EQ(id.birth, 0); /* nothing else filled on failure */
  CHECK_EQ(parse("34052419800101001", &id), WG_IDNUM_BAD_LENGTH);

  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_idnum_validate("440524188001010015", TODAY, &id, &ei), WG_EINVAL);
  CHECK_STR(ei.why, "check character is wrong (expected 4)");
  CHECK_STR(ei.value, "4405**********0015");
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_idnum_validate("11010519491231002X", TODAY, &id, &ei), WG_OK);
  CHECK_STR(ei.why, "");
  CHECK_EQ(wg_idnum_validate("", TODAY, &id, NULL), WG_EINVAL);
}

TEST(idnum_chars_and_length) {
  wg_idnum_t id;
  CHECK_EQ(parse(NULL, &id), WG_IDNUM_EMPTY);
  CHECK_EQ(parse("   ", &id), WG_IDNUM_EMPTY);
  CHECK_EQ(parse("1101051949123100X2", &id), WG_IDNUM_BAD_CHAR);   /* X inside */
  CHECK_EQ(parse("11010519491231002Y", &id), WG_IDNUM_BAD_CHAR);
  CHECK_EQ(parse("110105 19491231002X", &id), WG_IDNUM_BAD_CHAR);  /* inner space */
  CHECK_EQ(parse("１１０１０５１９４９１２３１００２Ｘ", &id), WG_IDNUM_BAD_CHAR); /* full width */
  CHECK_EQ(parse("11010549123100X", &id), WG_IDNUM_BAD_CHAR);      /* 15 with X */
  CHECK_EQ(parse("1101051949123100X", &id), WG_IDNUM_BAD_LENGTH);  /* 17 */
  CHECK_EQ(parse("11010519491231002X0", &id), WG_IDNUM_BAD_CHAR);  /* X not last */
  CHECK_EQ(parse("110105194912310020", &id), WG_IDNUM_BAD_CHECK);
  CHECK_EQ(parse("1101051949123100200", &id), WG_IDNUM_BAD_LENGTH); /* 19 */
  CHECK_EQ(parse("1234", &id), WG_IDNUM_BAD_LENGTH);
}

TEST(idnum_address) {
  wg_idnum_t id;
  /* check characters correct, so only the address code is at fault */
  CHECK_EQ(parse("000000198001010013", &id), WG_IDNUM_BAD_ADDRESS);
  CHECK_EQ(parse("990000198001010012", &id), WG_IDNUM_BAD_ADDRESS);
  CHECK_EQ(parse("16010119800101001X", &id), WG_IDNUM_BAD_ADDRESS);
  static const int good[] = {11, 15, 21, 23, 31, 37, 41, 46, 50, 54, 61, 65, 71, 81, 82};
  static const int bad[] = {0, 10, 16, 20, 24, 30, 38, 40, 47, 49, 55, 60, 66, 70, 72, 80, 83, 99};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; ++i)
    CHECK(wg_idnum_province_ok(good[i]));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
    CHECK(!wg_idnum_province_ok(bad[i]));
}

TEST(idnum_dates) {
  wg_idnum_t id;
  /* Feb 29: 2000 is leap (div by 400), 2024 leap, 2023 not, 1900 not (century) */
  CHECK_EQ(parse("141127200002290018", &id), WG_IDNUM_OK);
  CHECK_EQ(id.birth, 20000229);
  CHECK_EQ(parse("141127202402290024", &id), WG_IDNUM_OK);
  CHECK_EQ(id.sex, 'F');
  CHECK_EQ(parse("141127202302290019", &id), WG_IDNUM_BAD_DATE);
  CHECK_EQ(parse("141127190002290011", &id), WG_IDNUM_BAD_DATE);
  /* 1890-01-01 is the earliest accepted birth date */
  CHECK_EQ(parse("141127189001010032", &id), WG_IDNUM_OK);
  CHECK_EQ(parse("141127188912310015", &id), WG_IDNUM_TOO_OLD);
  CHECK_EQ(id.birth, 18891231);
  /* today is fine, tomorrow is in the future; a later clock accepts it */
  CHECK_EQ(parse("141127202611290047", &id), WG_IDNUM_OK);
  CHECK_EQ(parse("141127202611300057", &id), WG_IDNUM_FUTURE);
  CHECK_EQ(id.birth, 20261130);
  CHECK_EQ(parse("141127202611300050", &id), WG_IDNUM_BAD_CHECK); /* structure first */
  CHECK_EQ(wg_idnum_parse("141127202611300057", 20261130, &id), WG_IDNUM_OK);
  /* date problems are reported before a (then also wrong) check char */
  CHECK_EQ(parse("141127198013010010", &id), WG_IDNUM_BAD_DATE);
}

TEST(idnum_legacy_15) {
  wg_idnum_t id;
  CHECK_EQ(parse("110105491231002", &id), WG_IDNUM_OK);
  CHECK_STR(id.number, "11010519491231002X");
  CHECK_EQ(id.birth, 19491231);
  CHECK_EQ(id.sex, 'F');
  CHECK_EQ(id.upgraded, 1);
  CHECK_EQ(parse("141127800101001", &id), WG_IDNUM_OK);
  CHECK_STR(id.number, "141127198001010010");
  CHECK_EQ(parse("141127800230001", &id), WG_IDNUM_BAD_DATE); /* 1980-02-30 */
  CHECK_EQ(parse("991127800101001", &id), WG_IDNUM_BAD_ADDRESS);
}

TEST(idnum_key) {
  CHECK(wg_idnum_key("11010519491231002X") == UINT64_C(11010519491231002));
  CHECK(wg_idnum_key("440524188001010014") == UINT64_C(44052418800101001));
  CHECK(wg_idnum_key("440524188001010015") == 0);  /* wrong check */
  CHECK(wg_idnum_key("11010519491231002x") == 0);  /* not normalised */
  CHECK(wg_idnum_key("11010519491231002X1") == 0); /* too long */
  CHECK(wg_idnum_key("1101051949") == 0);
  CHECK(wg_idnum_key("") == 0);
  /* two numbers differing only in sequence get different keys */
  CHECK(wg_idnum_key("141127198001010010") != wg_idnum_key("34052419800101001X"));
}

TEST(phone_forms) {
  char out[WG_PHONE_LEN + 1];
  static const char *const ok[] = {
      "13812345678",      " 13812345678 ",      "138 1234 5678",    "138-1234-5678",
      "+8613812345678",   "+86 138 1234 5678",  "+86-138-1234-5678", "8613812345678",
      "86 138 1234 5678", "008613812345678",    ("138\xc2\xa0" "1234\xc2\xa0" "5678"),
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
    CHECK_EQ(wg_phone_normalize(ok[i], out), WG_PHONE_OK);
    CHECK_STR(out, "13812345678");
  }
  CHECK_EQ(wg_phone_normalize("19912345678", out), WG_PHONE_OK);
  CHECK_STR(out, "19912345678");

  CHECK_EQ(wg_phone_normalize(NULL, out), WG_PHONE_EMPTY);
  CHECK_STR(out, "");
  CHECK_EQ(wg_phone_normalize("  ", out), WG_PHONE_EMPTY);
  CHECK_EQ(wg_phone_normalize("138.1234.5678", out), WG_PHONE_BAD_CHAR);
  CHECK_EQ(wg_phone_normalize("(+86)13812345678", out), WG_PHONE_BAD_CHAR);
  CHECK_EQ(wg_phone_normalize("1.38123E+10", out), WG_PHONE_BAD_CHAR);
  CHECK_EQ(wg_phone_normalize("138123456 78a", out), WG_PHONE_BAD_CHAR);
  CHECK_EQ(wg_phone_normalize("+1 415 555 0100", out), WG_PHONE_FOREIGN);
  CHECK_EQ(wg_phone_normalize("00852 9123 4567", out), WG_PHONE_FOREIGN);
  CHECK_EQ(wg_phone_normalize("0358-1234567", out), WG_PHONE_NOT_MOBILE);
  CHECK_EQ(wg_phone_normalize("03581234567", out), WG_PHONE_NOT_MOBILE);
  CHECK_EQ(wg_phone_normalize("6123456", out), WG_PHONE_NOT_MOBILE);
  CHECK_EQ(wg_phone_normalize("400-123-4567", out), WG_PHONE_NOT_MOBILE);
  CHECK_EQ(wg_phone_normalize("+86 358 1234567", out), WG_PHONE_NOT_MOBILE);
  CHECK_EQ(wg_phone_normalize("1381234567", out), WG_PHONE_BAD_LENGTH);
  CHECK_EQ(wg_phone_normalize("138123456789", out), WG_PHONE_BAD_LENGTH);
  CHECK_EQ(wg_phone_normalize("1381234567812345678901234567890", out),
           WG_PHONE_BAD_LENGTH);
  CHECK_EQ(wg_phone_normalize("12345678901", out), WG_PHONE_BAD_PREFIX);
  CHECK_EQ(wg_phone_normalize("10012345678", out), WG_PHONE_BAD_PREFIX);
  CHECK_STR(wg_phone_reason_str(WG_PHONE_NOT_MOBILE), "not a mobile number");

  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_phone_validate("0358-1234567", out, &ei), WG_EINVAL);
  CHECK_STR(ei.why, "not a mobile number");
  CHECK_STR(ei.value, "035******567"); /* 12 chars, not a mobile: 3 + 3 shown */
}

TEST(dates) {
  int d = 0;
  CHECK_EQ(wg_date_parse("1980-01-05", &d), WG_DATE_OK);
  CHECK_EQ(d, 19800105);
  CHECK_EQ(wg_date_parse("1980/1/5", &d), WG_DATE_OK);
  CHECK_EQ(d, 19800105);
  CHECK_EQ(wg_date_parse("1980.12.31", &d), WG_DATE_OK);
  CHECK_EQ(d, 19801231);
  CHECK_EQ(wg_date_parse("19800105", &d), WG_DATE_OK);
  CHECK_EQ(d, 19800105);
  CHECK_EQ(wg_date_parse("2020-1-5", &d), WG_DATE_OK); /* 8 bytes, not YYYYMMDD */
  CHECK_EQ(d, 20200105);
  CHECK_EQ(wg_date_parse("1980年1月5日", &d), WG_DATE_OK);
  CHECK_EQ(d, 19800105);
  CHECK_EQ(wg_date_parse("1980年01月05日", &d), WG_DATE_OK);
  CHECK_EQ(wg_date_parse(" 1980年1月5 ", &d), WG_DATE_OK);
  CHECK_EQ(wg_date_parse("2000-02-29", &d), WG_DATE_OK);
  CHECK_EQ(d, 20000229);
  CHECK_EQ(wg_date_parse("2024/2/29", &d), WG_DATE_OK);

  d = 7;
  CHECK_EQ(wg_date_parse("2023-02-29", &d), WG_DATE_BAD_DAY);
  CHECK_EQ(d, 7); /* untouched on failure */
  CHECK_EQ(wg_date_parse("1900-02-29", &d), WG_DATE_BAD_DAY);
  CHECK_EQ(wg_date_parse("2021-04-31", &d), WG_DATE_BAD_DAY);
  CHECK_EQ(wg_date_parse("20211301", &d), WG_DATE_BAD_DAY);
  CHECK_EQ(wg_date_parse("2021-00-10", &d), WG_DATE_BAD_DAY);
  CHECK_EQ(wg_date_parse("2021.1.0", &d), WG_DATE_BAD_DAY);
  CHECK_EQ(wg_date_parse("00000101", &d), WG_DATE_BAD_DAY);
  CHECK_EQ(wg_date_parse(NULL, &d), WG_DATE_EMPTY);
  CHECK_EQ(wg_date_parse("", &d), WG_DATE_EMPTY);
  CHECK_EQ(wg_date_parse("2021-1/5", &d), WG_DATE_BAD_FORMAT);   /* mixed separators */
  CHECK_EQ(wg_date_parse("21-1-5", &d), WG_DATE_BAD_FORMAT);     /* 2-digit year */
  CHECK_EQ(wg_date_parse("2021-001-5", &d), WG_DATE_BAD_FORMAT);
  CHECK_EQ(wg_date_parse("2021-1-5x", &d), WG_DATE_BAD_FORMAT);
  CHECK_EQ(wg_date_parse("2021-1-", &d), WG_DATE_BAD_FORMAT);
  CHECK_EQ(wg_date_parse("2021年1月", &d), WG_DATE_BAD_FORMAT);
  CHECK_EQ(wg_date_parse("2021年1月5日x", &d), WG_DATE_BAD_FORMAT);
  CHECK_EQ(wg_date_parse("1980010", &d), WG_DATE_BAD_FORMAT);
  CHECK_EQ(wg_date_parse("1980-01-05 00:00:00", &d), WG_DATE_BAD_FORMAT);
  CHECK_EQ(wg_date_parse("32874", &d), WG_DATE_BAD_FORMAT); /* Excel serial */

  CHECK(wg_date_valid(20240229));
  CHECK(!wg_date_valid(21000229));
  CHECK(wg_date_valid(24000229));
  CHECK(!wg_date_valid(0));
  CHECK(!wg_date_valid(-20200101));
  int today = wg_date_today_cst();
  CHECK(wg_date_valid(today));
  CHECK(today >= 20250101);
}

TEST(sex_words) {
  static const char *const male[] = {"男", "男性", "M", "m", "male", "MALE", " Male ", "1"};
  static const char *const female[] = {"女", "女性", "F", "f", "female", "Female", "2"};
  static const char *const neither[] = {NULL, "", "3", "0", "男女", "man", "mf", "9"};
  for (size_t i = 0; i < sizeof male / sizeof male[0]; ++i)
    CHECK_EQ(wg_sex_normalize(male[i]), 'M');
  for (size_t i = 0; i < sizeof female / sizeof female[0]; ++i)
    CHECK_EQ(wg_sex_normalize(female[i]), 'F');
  for (size_t i = 0; i < sizeof neither / sizeof neither[0]; ++i)
    CHECK_EQ(wg_sex_normalize(neither[i]), 0);
}

TEST(mask_idnum) {
  char buf[64];
  CHECK_EQ(wg_mask_idnum("14112719800101123X", buf, sizeof buf), 18);
  CHECK_STR(buf, "1411**********123X");
  wg_mask_idnum("11010519491231002x", buf, sizeof buf);
  CHECK_STR(buf, "1101**********002x");
  wg_mask_idnum("110105491231002", buf, sizeof buf);
  CHECK_STR(buf, "1101********002");
  wg_mask_idnum("1101051949123100", buf, sizeof buf);     /* 16: malformed */
  CHECK_STR(buf, "1101********3100");
  wg_mask_idnum("11010519491231002X99", buf, sizeof buf); /* 20: still 8 shown */
  CHECK_STR(buf, "1101************2X99");
  wg_mask_idnum("12345678", buf, sizeof buf);
  CHECK_STR(buf, "12****78");
  wg_mask_idnum("1234", buf, sizeof buf);
  CHECK_STR(buf, "1**4");
  wg_mask_idnum("123", buf, sizeof buf);
  CHECK_STR(buf, "***");
  wg_mask_idnum("", buf, sizeof buf);
  CHECK_STR(buf, "");
  wg_mask_idnum(NULL, buf, sizeof buf);
  CHECK_STR(buf, "");
  /* multibyte and broken bytes: counted per character, never split */
  wg_mask_idnum("张三李四王五赵六", buf, sizeof buf);
  CHECK_STR(buf, "张三****赵六");
  wg_mask_idnum("\xff" "2345678", buf, sizeof buf);
  CHECK_STR(buf, "?2****78");
  /* bounded: truncated output is a prefix, NUL-terminated */
  char small[6];
  CHECK_EQ(wg_mask_idnum("14112719800101123X", small, sizeof small), 18);
  CHECK_STR(small, "1411*");
  CHECK_EQ(wg_mask_idnum("14112719800101123X", NULL, 0), 18);
  char two[4];
  wg_mask_idnum("张三李四王五赵六", two, sizeof two); /* 张 is 3 bytes: fits exactly */
  CHECK_STR(two, "张");
  wg_mask_idnum("张三李四王五赵六", two, 3);
  CHECK_STR(two, "");
}

TEST(mask_phone) {
  char buf[32];
  CHECK_EQ(wg_mask_phone("13812345678", buf, sizeof buf), 11);
  CHECK_STR(buf, "138****5678");
  wg_mask_phone("+86 138-1234-5678", buf, sizeof buf);
  CHECK_STR(buf, "138****5678");
  wg_mask_phone("1381234567", buf, sizeof buf); /* 10: not valid */
  CHECK_STR(buf, "13******67");
  wg_mask_phone("110", buf, sizeof buf);
  CHECK_STR(buf, "***");
  wg_mask_phone("", buf, sizeof buf);
  CHECK_STR(buf, "");
  char small[5];
  wg_mask_phone("13812345678", small, sizeof small);
  CHECK_STR(small, "138*");
}

TEST(mask_name) {
  char buf[64];
  CHECK_EQ(wg_mask_name("张三", buf, sizeof buf), 4);
  CHECK_STR(buf, "张*");
  wg_mask_name("王小明", buf, sizeof buf);
  CHECK_STR(buf, "王**");
  wg_mask_name("欧阳娜娜", buf, sizeof buf);
  CHECK_STR(buf, "欧阳**");
  wg_mask_name("欧阳锋", buf, sizeof buf);
  CHECK_STR(buf, "欧阳*");
  wg_mask_name("欧阳", buf, sizeof buf); /* nothing would be hidden */
  CHECK_STR(buf, "欧*");
  wg_mask_name("阿卜杜拉·买买提", buf, sizeof buf);
  CHECK_STR(buf, "阿*******");
  wg_mask_name("李", buf, sizeof buf);
  CHECK_STR(buf, "*");
  wg_mask_name(" 张伟 ", buf, sizeof buf);
  CHECK_STR(buf, "张*");
  wg_mask_name("John Smith", buf, sizeof buf);
  CHECK_STR(buf, "J*********");
  wg_mask_name("𠀀三", buf, sizeof buf); /* 4-byte character (CJK Ext. B) */
  CHECK_STR(buf, "𠀀*");
  wg_mask_name("\xe5\xbc" "三", buf, sizeof buf); /* truncated first char: */
  CHECK_STR(buf, "?**");                        /* 2 bad bytes + 三 = 3 chars */
  wg_mask_name("", buf, sizeof buf);
  CHECK_STR(buf, "");
  char small[4];
  CHECK_EQ(wg_mask_name("张三", small, sizeof small), 4);
  CHECK_STR(small, "张");
}

int main(void) {
  RUN(idnum_valid_examples);
  RUN(idnum_check_char);
  RUN(idnum_chars_and_length);
  RUN(idnum_address);
  RUN(idnum_dates);
  RUN(idnum_legacy_15);
  RUN(idnum_key);
  RUN(phone_forms);
  RUN(dates);
  RUN(sex_words);
  RUN(mask_idnum);
  RUN(mask_phone);
  RUN(mask_name);
  return test_done();
}
