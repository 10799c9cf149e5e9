/* validate.h — checking, normalising and masking personal data.
 *
 * Everything a ledger import needs to say "row 12: ID number: '1411**********123X':
 * check character is wrong (expected 7)": GB 11643-1999 citizen ID numbers,
 * mainland mobile numbers, spreadsheet dates, sex words, and masks that never
 * print personal data in clear.
 *
 * The checkers return a reason enum (0 == OK) with a fixed English message
 * (wg_*_reason_str), so callers can count and report rejects by kind; the
 * *_validate wrappers turn that into the project's wg_err + wg_errinfo with
 * the value already masked. Leading and trailing white space (ASCII, U+00A0,
 * U+3000) is ignored everywhere; it is common in pasted spreadsheet cells.
 * No function allocates; all are thread-safe. */
#ifndef WG_VALIDATE_H
#define WG_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* ---- dates ------------------------------------------------------------ */

typedef enum wg_date_reason {
  WG_DATE_OK = 0,
  WG_DATE_EMPTY,      /* "date is empty" */
  WG_DATE_BAD_FORMAT, /* "date is not in a known format (YYYY-MM-DD, ...)" */
  WG_DATE_BAD_DAY,    /* "date is not a real calendar date" */
  WG_DATE_REASON_COUNT_
} wg_date_reason;

/* Static English message for r; never NULL. */
const char *wg_date_reason_str(wg_date_reason r);

/* 1 when yyyymmdd is a real Gregorian date with year 1..9999, else 0
 * (leap years: divisible by 4, except centuries not divisible by 400). */
int wg_date_valid(int yyyymmdd);

/* Today's date in China Standard Time (UTC+8, no DST) as yyyymmdd, from
 * the system clock; independent of the process time zone. */
int wg_date_today_cst(void);

/* Parse a spreadsheet date: "YYYY-MM-DD", "YYYY/M/D", "YYYY.M.D" (month and
 * day one or two digits, one separator kind throughout), "YYYYMMDD", or
 * "YYYY年M月D日" (the final 日 optional). On WG_DATE_OK stores yyyymmdd in
 * *out; otherwise leaves *out alone. in may be NULL (== empty). */
wg_date_reason wg_date_parse(const char *in, int *out);

/* Formats yyyymmdd as "YYYY-MM-DD" into out; "" for 0 or a negative value. */
void wg_date_format(int32_t yyyymmdd, char out[11]);

/* ---- citizen ID numbers (GB 11643-1999) ------------------------------- */

#define WG_IDNUM_LEN 18      /* characters in a normalised ID number */
#define WG_IDNUM_MIN_BIRTH 18900101

typedef enum wg_idnum_reason {
  WG_IDNUM_OK = 0,
  WG_IDNUM_EMPTY,       /* "ID number is empty" */
  WG_IDNUM_BAD_CHAR,    /* "ID number may hold only digits and a final X" */
  WG_IDNUM_BAD_LENGTH,  /* "ID number must have 18 characters (or 15 ...)" */
  WG_IDNUM_BAD_ADDRESS, /* "address code does not start with a real province code" */
  WG_IDNUM_BAD_DATE,    /* "birth date is not a real calendar date" */
  WG_IDNUM_BAD_CHECK,   /* "check character is wrong" */
  WG_IDNUM_TOO_OLD,     /* "birth date is before 1890-01-01" */
  WG_IDNUM_FUTURE,      /* "birth date is in the future" */
  WG_IDNUM_REASON_COUNT_
} wg_idnum_reason;

/* A parsed ID number. Plain value, no _free needed. */
typedef struct wg_idnum_t {
  char number[WG_IDNUM_LEN + 1]; /* normalised: 18 chars, upper-case X, NUL */
  int birth;                     /* birth date, yyyymmdd */
  char sex;                      /* 'M' (odd sequence) or 'F' (even) */
  char expected_check;           /* the correct check character; set also
                                    on WG_IDNUM_BAD_CHECK */
  unsigned char upgraded;        /* 1 when the input was a 15-digit number */
} wg_idnum_t;

/* Static English message for r; never NULL. */
const char *wg_idnum_reason_str(wg_idnum_reason r);

/* 1 when code2 (the first two digits of an address code, 0..99) is a real
 * province-level code: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82. */
int wg_idnum_province_ok(int code2);

/* The GB 11643 check character ('0'-'9' or 'X') for the first 17 digits at
 * digits17 (need not be NUL-terminated after them); 0 when any of the 17 is
 * not a digit. */
char wg_idnum_check_char(const char *digits17);

/* Check an ID number as typed. Accepts 18 characters (the last may be a
 * lower-case x) or a legacy 15-digit number (6 address + YYMMDD + 3 sequence),
 * which is upgraded by inserting "19" and computing the check character.
 * Tests, in order: characters, length, province code, calendar date, check
 * character -- these make a number well-formed per GB 11643 -- then the
 * plausibility of the birth date: not before WG_IDNUM_MIN_BIRTH (1890-01-01)
 * and not after today_yyyymmdd (a valid date, supplied by the caller so the
 * clock is testable).
 * On WG_IDNUM_OK, and also on WG_IDNUM_TOO_OLD / WG_IDNUM_FUTURE (well-formed
 * but implausible; a caller may choose to accept them), *out is filled in
 * full. On WG_IDNUM_BAD_CHECK only out->number (the input, X upper-cased)
 * and out->expected_check (the right character) are set. Otherwise *out is
 * zeroed. in may be NULL (== empty). */
wg_idnum_reason wg_idnum_parse(const char *in, int today_yyyymmdd,
                               wg_idnum_t *out);

/* wg_idnum_parse as a wg_err: WG_OK, or WG_EINVAL with ei->value set to the
 * masked input and ei->why to the reason (plus "(expected C)" for a wrong
 * check character). ei may be NULL; its other fields are not touched. */
wg_err wg_idnum_validate(const char *in, int today_yyyymmdd, wg_idnum_t *out,
                         wg_errinfo *ei) WG_MUST_CHECK;

/* Duplicate-detection key: the first 17 digits of a valid normalised
 * 18-character ID number as an integer (unique, since the check character
 * is derived from them). 0 when id18 is not 17 digits plus the correct check
 * character; never 0 otherwise (valid numbers start with a province code). */
uint64_t wg_idnum_key(const char *id18);

/* ---- mobile numbers ---------------------------------------------------- */

#define WG_PHONE_LEN 11      /* digits in a normalised mobile number */

typedef enum wg_phone_reason {
  WG_PHONE_OK = 0,
  WG_PHONE_EMPTY,      /* "phone number is empty" */
  WG_PHONE_BAD_CHAR,   /* "phone number may hold only digits, spaces, hyphens and a leading +86" */
  WG_PHONE_FOREIGN,    /* "not a mainland China number (country code is not +86)" */
  WG_PHONE_NOT_MOBILE, /* "not a mobile number" (landline, 400/800, short code) */
  WG_PHONE_BAD_LENGTH, /* "mobile number must have 11 digits" */
  WG_PHONE_BAD_PREFIX, /* "mobile number must start with 13-19" */
  WG_PHONE_REASON_COUNT_
} wg_phone_reason;

/* Static English message for r; never NULL. */
const char *wg_phone_reason_str(wg_phone_reason r);

/* Normalise a mainland mobile number to its 11 digits (^1[3-9][0-9]{9}$).
 * Accepted: spaces, hyphens, U+00A0 and U+3000 between digits; one leading
 * "+86", "86" or "0086" country prefix (e.g. "+86 138-1234-5678").
 * On WG_PHONE_OK writes the 11 digits and a NUL to out; otherwise out[0] is
 * set to NUL. in may be NULL (== empty). */
wg_phone_reason wg_phone_normalize(const char *in, char out[WG_PHONE_LEN + 1]);

/* wg_phone_normalize as a wg_err: WG_OK, or WG_EINVAL with ei->value the
 * masked input and ei->why the reason. ei may be NULL. */
wg_err wg_phone_validate(const char *in, char out[WG_PHONE_LEN + 1],
                         wg_errinfo *ei) WG_MUST_CHECK;

/* ---- sex ---------------------------------------------------------------- */

/* 'M' or 'F' from a spreadsheet word: 男 男性 M male 1 / 女 女性 F female 2
 * (ASCII case-insensitive; 1/2 as in GB/T 2261.1). 0 for anything else,
 * including NULL and empty. */
char wg_sex_normalize(const char *in);

/* ---- masking -------------------------------------------------------------
 * Each mask writes into buf (cap bytes, cap may be 0 with buf NULL), always
 * NUL-terminated when cap > 0, never splitting a UTF-8 character, and
 * returns the length the whole mask needs (excluding the NUL), as snprintf
 * does: a result >= cap means it was truncated. Hidden characters become one
 * '*' each; revealed bytes that are not valid UTF-8 or are control
 * characters print as '?'. Values are trimmed first; in may be NULL. */

/* ID number: 18+ characters keep the first 4 and last 4
 * ("1411**********123X"); 15 keep 4 and 3 ("1101********002"); shorter
 * values keep n/4 at each end (never more than half); under 4 characters,
 * all stars. Never reveals more than 8 characters. Works on malformed input. */
size_t wg_mask_idnum(const char *in, char *buf, size_t cap);

/* Phone: a valid mobile number in any accepted form is shown normalised,
 * first 3 + 4 stars + last 4 ("138****5678"). Anything else keeps
 * min(3, n/4) and min(4, n/4) characters at the ends. */
size_t wg_mask_phone(const char *in, char *buf, size_t cap);

/* Name: the first character (UTF-8 aware), a star for each other one
 * ("张三" -> "张*"); a common compound surname is kept whole when at least
 * one character follows it ("欧阳娜娜" -> "欧阳**"); a one-character value
 * becomes "*". */
size_t wg_mask_name(const char *in, char *buf, size_t cap);

#endif
