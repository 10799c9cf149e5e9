/* validate.c — personal-data validation and masking; see validate.h. */
#include "ledger/validate.h"

#include <assert.h>
#include <string.h>
#include <time.h>

/* ---- small text helpers ------------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length in bytes of the white space at s[0..len): ASCII blanks, U+00A0
 * (C2 A0) or U+3000 (E3 80 80); 0 when none. */
static size_t space_len(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  if (len >= 1 && (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r'))) return 1;
  if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0) return 2;
  if (len >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) return 3;
  return 0;
}

/* Same, for white space ending at s[len - 1]. */
static size_t space_len_back(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  if (len >= 1 && (u[len - 1] == ' ' || (u[len - 1] >= '\t' && u[len - 1] <= '\r')))
    return 1;
  if (len >= 2 && u[len - 2] == 0xC2 && u[len - 1] == 0xA0) return 2;
  if (len >= 3 && u[len - 3] == 0xE3 && u[len - 2] == 0x80 && u[len - 1] == 0x80)
    return 3;
  return 0;
}

/* Trim white space at both ends of the NUL-terminated in (NULL == "");
 * returns the start and sets *len. */
static const char *trim(const char *in, size_t *len) {
  if (!in) in = "";
  size_t n = strlen(in), k;
  while ((k = space_len(in, n)) > 0) {
    in += k;
    n -= k;
  }
  while ((k = space_len_back(in, n)) > 0) n -= k;
  *len = n;
  return in;
}

/* Byte length of the UTF-8 character at s (avail > 0 bytes); *valid says
 * whether it is a well-formed scalar value. An invalid byte counts as a
 * character of length 1. */
static size_t utf8_char(const char *s, size_t avail, int *valid) {
  const unsigned char *u = (const unsigned char *)s;
  unsigned char lo = 0x80, hi = 0xBF;
  size_t need;
  *valid = 0;
  if (u[0] < 0x80) {
    *valid = 1;
    return 1;
  }
  if (u[0] >= 0xC2 && u[0] <= 0xDF) need = 2;
  else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
    need = 3;
    if (u[0] == 0xE0) lo = 0xA0;      /* no overlongs */
    if (u[0] == 0xED) hi = 0x9F;      /* no surrogates */
  } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
    need = 4;
    if (u[0] == 0xF0) lo = 0x90;
    if (u[0] == 0xF4) hi = 0x8F;      /* <= U+10FFFF */
  } else {
    return 1;
  }
  if (avail < need || u[1] < lo || u[1] > hi) return 1;
  for (size_t i = 2; i < need; ++i)
    if (u[i] < 0x80 || u[i] > 0xBF) return 1;
  *valid = 1;
  return need;
}

static size_t utf8_count(const char *s, size_t len) {
  size_t chars = 0;
  int valid;
  for (size_t i = 0; i < len; i += utf8_char(s + i, len - i, &valid)) ++chars;
  return chars;
}

/* Bounded writer that never splits a character: a piece is written whole
 * or (once the buffer is full) not at all, but always counted. */
typedef struct out_buf {
  char *buf;
  size_t cap;
  size_t need;    /* bytes the whole output needs */
  size_t used;    /* bytes actually written */
  int full;       /* a piece did not fit; write nothing more */
} out_buf;

static void out_put(out_buf *o, const char *piece, size_t n) {
  if (!o->full && o->cap > 0 && o->used + n < o->cap) {
    memcpy(o->buf + o->used, piece, n);
    o->used += n;
  } else {
    o->full = 1;
  }
  o->need += n;
}

static size_t out_finish(out_buf *o) {
  if (o->cap > 0) o->buf[o->used] = '\0';
  return o->need;
}

/* Write s[0..len) keeping the first `head` and last `tail` characters and a
 * '*' for each one between. Revealed invalid or control characters print
 * as '?'. Requires head + tail <= character count. */
static size_t mask_middle(const char *s, size_t len, size_t head, size_t tail,
                          char *buf, size_t cap) {
  out_buf o = {buf, cap, 0, 0, 0};
  size_t chars = utf8_count(s, len), idx = 0;
  assert(head + tail <= chars);
  int valid;
  for (size_t i = 0; i < len; ++idx) {
    size_t k = utf8_char(s + i, len - i, &valid);
    if (idx >= head && idx + tail < chars) {
      out_put(&o, "*", 1);
    } else if (!valid || (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7F))) {
      out_put(&o, "?", 1);
    } else {
      out_put(&o, s + i, k);
    }
    i += k;
  }
  return out_finish(&o);
}

/* ---- dates ---------------------------------------------------------------- */

static const char *const date_reasons[WG_DATE_REASON_COUNT_] = {
    [WG_DATE_OK] = "ok",
    [WG_DATE_EMPTY] = "date is empty",
    [WG_DATE_BAD_FORMAT] = ("date is not in a known format (YYYY-MM-DD, "
                            "YYYY/M/D, YYYY.M.D, YYYYMMDD, YYYY年M月D日)"),
    [WG_DATE_BAD_DAY] = "date is not a real calendar date",
};

const char *wg_date_reason_str(wg_date_reason r) {
  if ((unsigned)r >= WG_DATE_REASON_COUNT_) return "unknown date problem";
  return date_reasons[r];
}

static int is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int wg_date_valid(int yyyymmdd) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (yyyymmdd < 10101 || yyyymmdd > 99991231) return 0;
  int year = yyyymmdd / 10000, month = yyyymmdd / 100 % 100, day = yyyymmdd % 100;
  if (month < 1 || month > 12 || day < 1) return 0;
  int last = days[month - 1] + (month == 2 && is_leap(year));
  return day <= last;
}

int wg_date_today_cst(void) {
  /* Civil date from a day count (H. Hinnant's civil_from_days), so neither
   * the C library's broken-down-time calls nor the process time zone are
   * involved. */
  long long secs = (long long)time(NULL) + 8 * 3600;
  long long z = (secs >= 0 ? secs : secs - 86399) / 86400 + 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  long long day = doy - (153 * mp + 2) / 5 + 1;
  long long month = mp < 10 ? mp + 3 : mp - 9;
  long long year = yoe + era * 400 + (month <= 2);
  return (int)(year * 10000 + month * 100 + day);
}

/* Read 1..max_digits decimal digits at *p (not past end) into *value. */
static int read_number(const char **p, const char *end, int min_digits,
                       int max_digits, int *value) {
  int n = 0, v = 0;
  while (*p < end && is_digit(**p) && n < max_digits) {
    v = v * 10 + (**p - '0');
    ++*p;
    ++n;
  }
  if (n < min_digits || (*p < end && is_digit(**p))) return 0;
  *value = v;
  return 1;
}

/* Consume the literal lit at *p if present. */
static int eat(const char **p, const char *end, const char *lit) {
  size_t n = strlen(lit);
  if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0) return 0;
  *p += n;
  return 1;
}

wg_date_reason wg_date_parse(const char *in, int *out) {
  size_t len;
  const char *s = trim(in, &len), *p = s, *end = s + len;
  int year, month, day;
  assert(out);
  if (len == 0) return WG_DATE_EMPTY;
  size_t leading_digits = 0;
  while (leading_digits < len && is_digit(s[leading_digits])) ++leading_digits;
  if (leading_digits == len && len == 8) {
    year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    month = (s[4] - '0') * 10 + (s[5] - '0');
    day = (s[6] - '0') * 10 + (s[7] - '0');
  } else {
    if (!read_number(&p, end, 4, 4, &year)) return WG_DATE_BAD_FORMAT;
    if (p < end && (*p == '-' || *p == '/' || *p == '.')) {
      char sep = *p++;
      if (!read_number(&p, end, 1, 2, &month) || p >= end || *p++ != sep ||
          !read_number(&p, end, 1, 2, &day) || p != end)
        return WG_DATE_BAD_FORMAT;
    } else if (eat(&p, end, "年")) {
      if (!read_number(&p, end, 1, 2, &month) || !eat(&p, end, "月") ||
          !read_number(&p, end, 1, 2, &day))
        return WG_DATE_BAD_FORMAT;
      (void)eat(&p, end, "日");
      if (p != end) return WG_DATE_BAD_FORMAT;
    } else {
      return WG_DATE_BAD_FORMAT;
    }
  }
  int date = year * 10000 + month * 100 + day;
  if (!wg_date_valid(date)) return WG_DATE_BAD_DAY;
  *out = date;
  return WG_DATE_OK;
}

/* ---- ID numbers ------------------------------------------------------------ */

static const char *const idnum_reasons[WG_IDNUM_REASON_COUNT_] = {
    [WG_IDNUM_OK] = "ok",
    [WG_IDNUM_EMPTY] = "ID number is empty",
    [WG_IDNUM_BAD_CHAR] = "ID number may hold only digits and a final X",
    [WG_IDNUM_BAD_LENGTH] =
        "ID number must have 18 characters (or 15 digits for the old format)",
    [WG_IDNUM_BAD_ADDRESS] = "address code does not start with a real province code",
    [WG_IDNUM_BAD_DATE] = "birth date is not a real calendar date",
    [WG_IDNUM_BAD_CHECK] = "check character is wrong",
    [WG_IDNUM_TOO_OLD] = "birth date is before 1890-01-01",
    [WG_IDNUM_FUTURE] = "birth date is in the future",
};

const char *wg_idnum_reason_str(wg_idnum_reason r) {
  if ((unsigned)r >= WG_IDNUM_REASON_COUNT_) return "unknown ID number problem";
  return idnum_reasons[r];
}

int wg_idnum_province_ok(int code2) {
  return (code2 >= 11 && code2 <= 15) || (code2 >= 21 && code2 <= 23) ||
         (code2 >= 31 && code2 <= 37) || (code2 >= 41 && code2 <= 46) ||
         (code2 >= 50 && code2 <= 54) || (code2 >= 61 && code2 <= 65) ||
         code2 == 71 || code2 == 81 || code2 == 82;
}

char wg_idnum_check_char(const char *digits17) {
  static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char map[] = "10X98765432";
  int sum = 0;
  assert(digits17);
  for (int i = 0; i < 17; ++i) {
    if (!is_digit(digits17[i])) return 0;
    sum += (digits17[i] - '0') * weights[i];
  }
  return map[sum % 11];
}

wg_idnum_reason wg_idnum_parse(const char *in, int today_yyyymmdd,
                               wg_idnum_t *out) {
  size_t len;
  const char *s = trim(in, &len);
  assert(out);
  assert(wg_date_valid(today_yyyymmdd));
  memset(out, 0, sizeof *out);
  if (len == 0) return WG_IDNUM_EMPTY;
  for (size_t i = 0; i < len; ++i) {
    int x_at_end = (s[i] == 'X' || s[i] == 'x') && i + 1 == len && len == 18;
    if (!is_digit(s[i]) && !x_at_end) {
      /* A stray X elsewhere is a character problem, a wrong count a length one. */
      return (s[i] == 'X' || s[i] == 'x') && len != 18 && len != 15 && i + 1 == len
                 ? WG_IDNUM_BAD_LENGTH
                 : WG_IDNUM_BAD_CHAR;
    }
  }
  if (len != 18 && len != 15) return WG_IDNUM_BAD_LENGTH;

  char number[WG_IDNUM_LEN + 1];
  if (len == 15) {
    memcpy(number, s, 6);
    memcpy(number + 6, "19", 2);
    memcpy(number + 8, s + 6, 9);
  } else {
    memcpy(number, s, 17);
  }
  char expected = wg_idnum_check_char(number);
  assert(expected);
  number[17] = len == 15 ? expected : (s[17] == 'x' ? 'X' : s[17]);
  number[18] = '\0';

  if (!wg_idnum_province_ok((number[0] - '0') * 10 + (number[1] - '0')))
    return WG_IDNUM_BAD_ADDRESS;
  int birth = 0;
  for (int i = 6; i < 14; ++i) birth = birth * 10 + (number[i] - '0');
  if (!wg_date_valid(birth)) return WG_IDNUM_BAD_DATE;
  memcpy(out->number, number, sizeof number);
  out->expected_check = expected;
  if (number[17] != expected) return WG_IDNUM_BAD_CHECK;
  /* Well-formed per GB 11643 from here on; what follows is plausibility,
   * so the caller gets the parsed fields either way. */
  out->birth = birth;
  out->sex = (number[16] - '0') % 2 ? 'M' : 'F';
  out->upgraded = len == 15;
  if (birth < WG_IDNUM_MIN_BIRTH) return WG_IDNUM_TOO_OLD;
  if (birth > today_yyyymmdd) return WG_IDNUM_FUTURE;
  return WG_IDNUM_OK;
}

wg_err wg_idnum_validate(const char *in, int today_yyyymmdd, wg_idnum_t *out,
                         wg_errinfo *ei) {
  wg_idnum_reason r = wg_idnum_parse(in, today_yyyymmdd, out);
  if (r == WG_IDNUM_OK) return WG_OK;
  if (!ei) return WG_EINVAL;
  (void)wg_mask_idnum(in, ei->value, sizeof ei->value);
  if (r == WG_IDNUM_BAD_CHECK)
    return wg_errinfo_set(ei, WG_EINVAL, "%s (expected %c)", wg_idnum_reason_str(r),
                          out->expected_check);
  return wg_errinfo_set(ei, WG_EINVAL, "%s", wg_idnum_reason_str(r));
}

uint64_t wg_idnum_key(const char *id18) {
  assert(id18);
  char check = wg_idnum_check_char(id18); /* stops at the first non-digit */
  if (!check || id18[17] != check || id18[18] != '\0') return 0;
  uint64_t key = 0;
  for (int i = 0; i < 17; ++i) key = key * 10 + (uint64_t)(id18[i] - '0');
  return key;
}

/* ---- mobile numbers ---------------------------------------------------------- */

static const char *const phone_reasons[WG_PHONE_REASON_COUNT_] = {
    [WG_PHONE_OK] = "ok",
    [WG_PHONE_EMPTY] = "phone number is empty",
    [WG_PHONE_BAD_CHAR] =
        "phone number may hold only digits, spaces, hyphens and a leading +86",
    [WG_PHONE_FOREIGN] = "not a mainland China number (country code is not +86)",
    [WG_PHONE_NOT_MOBILE] = "not a mobile number",
    [WG_PHONE_BAD_LENGTH] = "mobile number must have 11 digits",
    [WG_PHONE_BAD_PREFIX] = "mobile number must start with 13-19",
};

const char *wg_phone_reason_str(wg_phone_reason r) {
  if ((unsigned)r >= WG_PHONE_REASON_COUNT_) return "unknown phone number problem";
  return phone_reasons[r];
}

wg_phone_reason wg_phone_normalize(const char *in, char out[WG_PHONE_LEN + 1]) {
  size_t len;
  const char *s = trim(in, &len), *end = s + len;
  /* 15 digits is the longest acceptable form ("0086" + 11); keep a few
   * more so the length check below can tell "too long" apart. */
  char digits[20];
  size_t ndigits = 0, k;
  int plus = 0;
  assert(out);
  out[0] = '\0';
  if (len == 0) return WG_PHONE_EMPTY;
  if (*s == '+') {
    plus = 1;
    ++s;
  }
  for (const char *p = s; p < end;) {
    if (is_digit(*p)) {
      if (ndigits < sizeof digits) digits[ndigits] = *p;
      ++ndigits;
      ++p;
    } else if (*p == '-') {
      ++p;
    } else if ((k = space_len(p, (size_t)(end - p))) > 0) {
      p += k;
    } else {
      return WG_PHONE_BAD_CHAR;
    }
  }
  if (ndigits == 0) return WG_PHONE_BAD_CHAR;
  if (ndigits > sizeof digits) ndigits = sizeof digits; /* surely too long */
  const char *d = digits;
  if (plus) {
    if (ndigits < 2 || d[0] != '8' || d[1] != '6') return WG_PHONE_FOREIGN;
    d += 2;
    ndigits -= 2;
  } else if (ndigits == 13 && d[0] == '8' && d[1] == '6') {
    d += 2;
    ndigits -= 2;
  } else if (ndigits >= 4 && d[0] == '0' && d[1] == '0') {
    if (d[2] != '8' || d[3] != '6') return WG_PHONE_FOREIGN;
    d += 4;
    ndigits -= 4;
  }
  if (ndigits == 0 || d[0] != '1') return WG_PHONE_NOT_MOBILE;
  if (ndigits != WG_PHONE_LEN) return WG_PHONE_BAD_LENGTH;
  if (d[1] < '3') return WG_PHONE_BAD_PREFIX;
  memcpy(out, d, WG_PHONE_LEN);
  out[WG_PHONE_LEN] = '\0';
  return WG_PHONE_OK;
}

wg_err wg_phone_validate(const char *in, char out[WG_PHONE_LEN + 1],
                         wg_errinfo *ei) {
  wg_phone_reason r = wg_phone_normalize(in, out);
  if (r == WG_PHONE_OK) return WG_OK;
  if (!ei) return WG_EINVAL;
  (void)wg_mask_phone(in, ei->value, sizeof ei->value);
  return wg_errinfo_set(ei, WG_EINVAL, "%s", wg_phone_reason_str(r));
}

/* ---- sex ------------------------------------------------------------------------ */

/* ASCII case-insensitive equality of s[0..len) and the lower-case word. */
static int word_is(const char *s, size_t len, const char *word) {
  if (strlen(word) != len) return 0;
  for (size_t i = 0; i < len; ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != word[i]) return 0;
  }
  return 1;
}

char wg_sex_normalize(const char *in) {
  static const char *const male[] = {"男", "男性", "m", "male", "1"};
  static const char *const female[] = {"女", "女性", "f", "female", "2"};
  size_t len;
  const char *s = trim(in, &len);
  for (size_t i = 0; i < sizeof male / sizeof male[0]; ++i) {
    if (word_is(s, len, male[i])) return 'M';
    if (word_is(s, len, female[i])) return 'F';
  }
  return 0;
}

/* ---- masks ------------------------------------------------------------------------ */

size_t wg_mask_idnum(const char *in, char *buf, size_t cap) {
  size_t len;
  const char *s = trim(in, &len);
  size_t chars = utf8_count(s, len), head, tail;
  if (chars >= 16) {
    head = tail = 4;
  } else if (chars == 15) {
    head = 4; /* the city; the last 3 are the sequence, not the birth day */
    tail = 3;
  } else {
    head = tail = chars / 4;
  }
  return mask_middle(s, len, head, tail, buf, cap);
}

size_t wg_mask_phone(const char *in, char *buf, size_t cap) {
  char mobile[WG_PHONE_LEN + 1];
  if (wg_phone_normalize(in, mobile) == WG_PHONE_OK)
    return mask_middle(mobile, WG_PHONE_LEN, 3, 4, buf, cap);
  size_t len;
  const char *s = trim(in, &len);
  size_t chars = utf8_count(s, len);
  size_t head = chars / 4 < 3 ? chars / 4 : 3, tail = chars / 4 < 4 ? chars / 4 : 4;
  return mask_middle(s, len, head, tail, buf, cap);
}

/* Compound surnames common enough to matter (from the Hundred Family
 * Surnames and their frequency today). */
static const char *const compound_surnames[] = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
    "长孙", "宇文", "司徒", "司空", "夏侯", "令狐", "轩辕", "端木", "独孤",
    "南宫", "西门", "呼延", "澹台", "申屠", "百里", "万俟", "钟离", "赫连",
    "闻人", "濮阳", "太史", "拓跋", "淳于", "鲜于", "第五",
};

size_t wg_mask_name(const char *in, char *buf, size_t cap) {
  size_t len;
  const char *s = trim(in, &len);
  size_t chars = utf8_count(s, len), head = 1;
  if (chars <= 1) {
    head = 0;
  } else if (chars >= 3) {
    for (size_t i = 0; i < sizeof compound_surnames / sizeof compound_surnames[0]; ++i) {
      size_t n = strlen(compound_surnames[i]);
      if (len >= n && memcmp(s, compound_surnames[i], n) == 0) {
        head = 2;
        break;
      }
    }
  }
  return mask_middle(s, len, head, 0, buf, cap);
}

void wg_date_format(int32_t ymd, char out[11]) {
  if (ymd <= 0 || ymd > 99991231) {
    out[0] = '\0';
    return;
  }
  int y = (int)(ymd / 10000), m = (int)(ymd / 100 % 100), d = (int)(ymd % 100);
  out[0] = (char)('0' + y / 1000);
  out[1] = (char)('0' + y / 100 % 10);
  out[2] = (char)('0' + y / 10 % 10);
  out[3] = (char)('0' + y % 10);
  out[4] = '-';
  out[5] = (char)('0' + m / 10);
  out[6] = (char)('0' + m % 10);
  out[7] = '-';
  out[8] = (char)('0' + d / 10);
  out[9] = (char)('0' + d % 10);
  out[10] = '\0';
}
