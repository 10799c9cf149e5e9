/* target.h — targets (周通报、月调度、季推进): periods, completion and
 * rankings, with no I/O.
 *
 * Periods are written "2026-W47" (ISO 8601 week: Monday to Sunday, week 1
 * holds 4 January), "2026-11" (month), "2026-Q4" (quarter) or "2026"
 * (year). A period is counted in a longer one by its anchor day: a week by
 * its Thursday (so a week belongs to the month, quarter and year that hold
 * most of its days, as ISO assigns weeks to years), any other period by its
 * first day.
 *
 * Completion = actual / target in hundredths of a percent, rounded half up
 * at the second decimal in integer arithmetic (38,200 of 35,000 → 10914 →
 * "109.14%"). A unit's actual is what it and the divisions below it
 * reported. Pace (时序进度) = days of the target period elapsed by the end
 * of the report period / days of the target period, same rounding; a unit
 * whose completion is below the pace is behind (a laggard). Peers are the
 * units of the same division level with a target for the same period;
 * rank 1 = highest completion (ties: higher actual, then code). */
#ifndef WG_TARGET_H
#define WG_TARGET_H

#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

typedef enum wg_period_type {
  WG_PERIOD_WEEK = 1,
  WG_PERIOD_MONTH,
  WG_PERIOD_QUARTER,
  WG_PERIOD_YEAR,
} wg_period_type;

const char *wg_period_type_name(wg_period_type t); /* "week", … */
wg_err wg_period_type_parse(const char *word, wg_period_type *out) WG_MUST_CHECK;

typedef struct wg_period {
  wg_period_type type;
  int year, n;            /* n: week 1-53, month 1-12, quarter 1-4, 0 for a year */
  int32_t first, last;    /* yyyymmdd, inclusive */
  char text[12];          /* canonical: "2026-W47", "2026-11", "2026-Q4", "2026" */
} wg_period;

/* Parses a period. WG_EINVAL with ei->field "period" and what is accepted
 * (e.g. "2026-W53 does not exist: 2026 has 52 ISO weeks"). */
wg_err wg_period_parse(const char *text, wg_period *out, wg_errinfo *ei) WG_MUST_CHECK;
/* The period of a type holding day (yyyymmdd). */
void wg_period_of(wg_period_type type, int32_t day, wg_period *out);
/* The anchor day (see above). */
int32_t wg_period_anchor(const wg_period *p);
/* The period after p (same type). */
void wg_period_next(const wg_period *p, wg_period *out);

/* Days since 1970-01-01 of yyyymmdd and back. */
long wg_day_number(int32_t yyyymmdd);
int32_t wg_day_from_number(long days);

/* Completion in hundredths of a percent (half up); 0 when target ≤ 0. */
int64_t wg_target_pct(int64_t actual, int64_t target);
/* "109.14%" (two decimals always). */
void wg_pct_format(int64_t hundredths, char out[24]);

/* One unit's line in a report. */
typedef struct wg_target_line {
  char division[13];
  char name[96];          /* filled by the caller */
  int level;              /* wg_division_level, from the code */
  char target_period[12];
  int64_t target;
  int64_t actual_period;  /* reported within the report period */
  int64_t actual_cum;     /* since the start of the target period, to its end */
  int64_t pct;            /* actual_cum / target, hundredths of a percent */
  int64_t pace;           /* time elapsed, hundredths of a percent */
  int rank, peers;
  int behind;             /* pct < pace */
} wg_target_line;

/* For report period p: one line per target whose period holds p's anchor
 * (a year target for a weekly notice, …), with actuals summed as above and
 * ranks among peers. *out is malloc'd (free()), ordered by division level,
 * then rank. Divisions' levels are read from their codes. */
wg_err wg_target_evaluate(const wg_period *p, const wg_figure_row *targets, int ntargets,
                          const wg_figure_row *actuals, int nactuals, wg_target_line **out,
                          int *n) WG_MUST_CHECK;

#endif
