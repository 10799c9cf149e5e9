/* target.c — periods, completion and rankings; see target.h. */
#include "target/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "territory/division.h"

/* ---- calendar --------------------------------------------------------------- */

/* Howard Hinnant's days_from_civil / civil_from_days. */
long wg_day_number(int32_t ymd) {
  int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int32_t wg_day_from_number(long z) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp + (mp < 10 ? 3 : -9);
  return (int32_t)((y + (m <= 2)) * 10000 + m * 100 + d);
}

/* 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
static int weekday(long days) {
  long w = (days + 3) % 7;
  return (int)(w < 0 ? w + 7 : w);
}

/* The Monday of ISO week 1 of year y. */
static long iso_week1(int y) {
  long jan4 = wg_day_number(y * 10000 + 104);
  return jan4 - weekday(jan4);
}

static int iso_weeks(int y) { return (int)((iso_week1(y + 1) - iso_week1(y)) / 7); }

static int month_days(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return d[m - 1];
}

static void fill(wg_period *p) {
  switch (p->type) {
    case WG_PERIOD_WEEK: {
      long mon = iso_week1(p->year) + 7L * (p->n - 1);
      p->first = wg_day_from_number(mon);
      p->last = wg_day_from_number(mon + 6);
      snprintf(p->text, sizeof p->text, "%04u-W%02u", (unsigned)p->year % 10000u, (unsigned)p->n % 100u);
      break;
    }
    case WG_PERIOD_MONTH:
      p->first = p->year * 10000 + p->n * 100 + 1;
      p->last = p->year * 10000 + p->n * 100 + month_days(p->year, p->n);
      snprintf(p->text, sizeof p->text, "%04u-%02u", (unsigned)p->year % 10000u, (unsigned)p->n % 100u);
      break;
    case WG_PERIOD_QUARTER: {
      int m0 = (p->n - 1) * 3 + 1;
      p->first = p->year * 10000 + m0 * 100 + 1;
      p->last = p->year * 10000 + (m0 + 2) * 100 + month_days(p->year, m0 + 2);
      snprintf(p->text, sizeof p->text, "%04u-Q%u", (unsigned)p->year % 10000u, (unsigned)p->n % 10u);
      break;
    }
    case WG_PERIOD_YEAR:
      p->first = p->year * 10000 + 101;
      p->last = p->year * 10000 + 1231;
      snprintf(p->text, sizeof p->text, "%04u", (unsigned)p->year % 10000u);
      break;
  }
}

static const char *const type_names[] = {"", "week", "month", "quarter", "year"};

const char *wg_period_type_name(wg_period_type t) {
  return t >= WG_PERIOD_WEEK && t <= WG_PERIOD_YEAR ? type_names[t] : "?";
}

wg_err wg_period_type_parse(const char *word, wg_period_type *out) {
  static const char *const zh[] = {"", "周", "月", "季", "年"};
  for (int i = 1; word && i <= 4; i++)
    if (!strcmp(word, type_names[i]) || !strcmp(word, zh[i])) {
      *out = (wg_period_type)i;
      return WG_OK;
    }
  return WG_EINVAL;
}

static int digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

wg_err wg_period_parse(const char *text, wg_period *out, wg_errinfo *ei) {
  memset(out, 0, sizeof *out);
  if (ei) snprintf(ei->field, sizeof ei->field, "period");
  size_t n = text ? strlen(text) : 0;
  if (n < 4 || !digits(text, 4))
    return wg_errinfo_set(ei, WG_EINVAL,
                          "'%.20s' is not a period: write 2026-W47 (ISO week), 2026-11 (month),"
                          " 2026-Q4 (quarter) or 2026 (year)",
                          text ? text : "");
  out->year = (int)strtol(text, NULL, 10);
  if (out->year < 1900 || out->year > 9998)
    return wg_errinfo_set(ei, WG_EINVAL, "the year %d is out of range", out->year);
  if (n == 4) {
    out->type = WG_PERIOD_YEAR;
  } else if (n == 8 && text[4] == '-' && (text[5] == 'W' || text[5] == 'w') && digits(text + 6, 2)) {
    out->type = WG_PERIOD_WEEK;
    out->n = (text[6] - '0') * 10 + text[7] - '0';
    int max = iso_weeks(out->year);
    if (out->n < 1 || out->n > max)
      return wg_errinfo_set(ei, WG_EINVAL, "%.8s does not exist: %d has %d ISO weeks", text,
                            out->year, max);
  } else if (n == 7 && text[4] == '-' && (text[5] == 'Q' || text[5] == 'q') && text[6] >= '1' &&
             text[6] <= '4') {
    out->type = WG_PERIOD_QUARTER;
    out->n = text[6] - '0';
  } else if (n == 7 && text[4] == '-' && digits(text + 5, 2)) {
    out->type = WG_PERIOD_MONTH;
    out->n = (text[5] - '0') * 10 + text[6] - '0';
    if (out->n < 1 || out->n > 12)
      return wg_errinfo_set(ei, WG_EINVAL, "%.7s: a month is 01-12", text);
  } else {
    return wg_errinfo_set(ei, WG_EINVAL,
                          "'%.20s' is not a period: write 2026-W47 (ISO week), 2026-11 (month),"
                          " 2026-Q4 (quarter) or 2026 (year)",
                          text);
  }
  fill(out);
  if (ei) ei->field[0] = '\0';
  return WG_OK;
}

void wg_period_of(wg_period_type type, int32_t day, wg_period *out) {
  memset(out, 0, sizeof *out);
  out->type = type;
  out->year = day / 10000;
  int m = day / 100 % 100;
  switch (type) {
    case WG_PERIOD_WEEK: {
      long d = wg_day_number(day);
      long thu = d - weekday(d) + 3;
      out->year = wg_day_from_number(thu) / 10000;
      out->n = (int)((d - iso_week1(out->year)) / 7) + 1;
      break;
    }
    case WG_PERIOD_MONTH: out->n = m; break;
    case WG_PERIOD_QUARTER: out->n = (m - 1) / 3 + 1; break;
    case WG_PERIOD_YEAR: out->n = 0; break;
  }
  fill(out);
}

int32_t wg_period_anchor(const wg_period *p) {
  if (p->type == WG_PERIOD_WEEK) return wg_day_from_number(wg_day_number(p->first) + 3);
  return p->first;
}

void wg_period_next(const wg_period *p, wg_period *out) {
  wg_period_of(p->type, wg_day_from_number(wg_day_number(p->last) + 1), out);
}

/* ---- completion -------------------------------------------------------------- */

int64_t wg_target_pct(int64_t actual, int64_t target) {
  if (target <= 0) return 0;
  if (actual < 0) return -wg_target_pct(-actual, target);
  return (actual * 20000 + target) / (2 * target);
}

void wg_pct_format(int64_t h, char out[24]) {
  const char *sign = h < 0 ? "-" : "";
  if (h < 0) h = -h;
  snprintf(out, 24, "%s%lld.%02lld%%", sign, (long long)(h / 100), (long long)(h % 100));
}

/* The significant prefix of a division code (county 6, township 9, …). */
static size_t sig_len(const char *code) {
  static const size_t cuts[] = {2, 4, 6, 9};
  for (int i = 0; i < 4; i++) {
    int zeros = 1;
    for (size_t k = cuts[i]; k < 12 && zeros; k++) zeros = code[k] == '0';
    if (zeros) return cuts[i];
  }
  return 12;
}

static int cmp_line(const void *a, const void *b) {
  const wg_target_line *x = a, *y = b;
  if (x->level != y->level) return x->level - y->level;
  if (strcmp(x->target_period, y->target_period)) return strcmp(x->target_period, y->target_period);
  if (x->pct != y->pct) return x->pct > y->pct ? -1 : 1;
  if (x->actual_cum != y->actual_cum) return x->actual_cum > y->actual_cum ? -1 : 1;
  return strcmp(x->division, y->division);
}

wg_err wg_target_evaluate(const wg_period *p, const wg_figure_row *targets, int ntargets,
                          const wg_figure_row *actuals, int nactuals, wg_target_line **out,
                          int *n) {
  *out = NULL;
  *n = 0;
  wg_target_line *lines = calloc((size_t)(ntargets ? ntargets : 1), sizeof *lines);
  if (!lines) return WG_ENOMEM;
  int32_t anchor = wg_period_anchor(p);
  /* Actual periods parsed once. */
  int32_t *act_anchor = malloc(sizeof(int32_t) * (size_t)(nactuals ? nactuals : 1));
  if (!act_anchor) {
    free(lines);
    return WG_ENOMEM;
  }
  for (int i = 0; i < nactuals; i++) {
    wg_period ap;
    act_anchor[i] = wg_period_parse(actuals[i].period, &ap, NULL) == WG_OK ? wg_period_anchor(&ap) : 0;
  }
  int w = 0;
  for (int t = 0; t < ntargets; t++) {
    wg_period tp;
    if (wg_period_parse(targets[t].period, &tp, NULL) != WG_OK) continue;
    if (anchor < tp.first || anchor > tp.last) continue;
    wg_target_line *l = &lines[w++];
    snprintf(l->division, sizeof l->division, "%s", targets[t].division);
    l->level = (int)wg_division_code_level(l->division);
    snprintf(l->target_period, sizeof l->target_period, "%s", tp.text);
    l->target = targets[t].value;
    size_t sig = sig_len(l->division);
    int32_t upto = p->last < tp.last ? p->last : tp.last;
    for (int i = 0; i < nactuals; i++) {
      if (!act_anchor[i] || strncmp(actuals[i].division, l->division, sig) != 0) continue;
      if (act_anchor[i] >= tp.first && act_anchor[i] <= upto) l->actual_cum += actuals[i].value;
      if (act_anchor[i] >= p->first && act_anchor[i] <= p->last) l->actual_period += actuals[i].value;
    }
    l->pct = wg_target_pct(l->actual_cum, l->target);
    long total = wg_day_number(tp.last) - wg_day_number(tp.first) + 1;
    long elapsed = wg_day_number(upto) - wg_day_number(tp.first) + 1;
    l->pace = wg_target_pct(elapsed, total);
    l->behind = l->pct < l->pace;
  }
  free(act_anchor);
  qsort(lines, (size_t)w, sizeof *lines, cmp_line);
  /* Ranks within each run of (level, target period). */
  for (int i = 0; i < w;) {
    int j = i;
    while (j < w && lines[j].level == lines[i].level &&
           !strcmp(lines[j].target_period, lines[i].target_period))
      j++;
    for (int k = i; k < j; k++) {
      lines[k].rank = k - i + 1;
      lines[k].peers = j - i;
    }
    i = j;
  }
  *out = lines;
  *n = w;
  return WG_OK;
}
