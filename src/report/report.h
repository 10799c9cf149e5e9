/* report.h — reports (周通报、月调度、季推进, campaign reports) as a small
 * document model, and its two renderers: XLSX (formatted tables,
 * libxlsxwriter) and HTML (printable, self-contained, charts as inline SVG
 * drawn by wangge: no script, no external file).
 *
 * A report is a title, a subtitle and a list of blocks: headings,
 * paragraphs, tables (text, whole numbers, percentages in hundredths; a row
 * may be flagged "behind" and is then highlighted) and charts (bars with a
 * reference line, e.g. completion against the pace; or a line over time).
 * The builders (report_build.c) fill it from the store; the renderers do
 * the file I/O. Allocation failures are remembered and reported by the
 * renderers (WG_ENOMEM), so building code need not check every call. */
#ifndef WG_REPORT_H
#define WG_REPORT_H

#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

enum { WG_REPORT_MAX_COLS = 16 };

typedef enum wg_report_cell_kind {
  WG_RC_TEXT = 1,
  WG_RC_INT,
  WG_RC_PCT,              /* v in hundredths of a percent: 10914 = 109.14% */
} wg_report_cell_kind;

typedef struct wg_report_cell {
  wg_report_cell_kind kind;
  int64_t v;
  char *text;
} wg_report_cell;

typedef struct wg_report_table {
  char *title;
  int ncols;
  char *cols[WG_REPORT_MAX_COLS];
  int nrows, cap;          /* rows × ncols cells */
  wg_report_cell *cells;
  unsigned char *behind;   /* [nrows] */
  int filled;              /* cells of the row being written */
} wg_report_table;

typedef enum wg_report_chart_kind {
  WG_CHART_BARS = 1,       /* one bar per label, values in percent, reference line */
  WG_CHART_LINE,           /* values over labels (time) */
} wg_report_chart_kind;

typedef struct wg_report_chart {
  char *title;
  wg_report_chart_kind kind;
  char *unit;              /* "%" or the indicator's unit */
  double ref;              /* reference value (pace), < 0 = none */
  int n, cap;
  char **labels;
  double *values;
} wg_report_chart;

typedef enum wg_report_block_kind {
  WG_BLOCK_HEADING = 1,
  WG_BLOCK_PARA,
  WG_BLOCK_TABLE,
  WG_BLOCK_CHART,
} wg_report_block_kind;

typedef struct wg_report_block {
  wg_report_block_kind kind;
  char *text;
  wg_report_table *table;
  wg_report_chart *chart;
} wg_report_block;

typedef struct wg_report {
  char *title, *subtitle;
  int n, cap;
  wg_report_block *blocks;
  int oom;                 /* an allocation failed somewhere */
} wg_report;

/* A new report; NULL when out of memory. Free with wg_report_free. */
wg_report *wg_report_new(const char *title, const char *subtitle);
void wg_report_free(wg_report *r); /* accepts NULL */

void wg_report_heading(wg_report *r, const char *text);
void wg_report_para(wg_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A table with ncols (≤ WG_REPORT_MAX_COLS) column headers; rows are added
 * with wg_report_row and filled left to right with the cell calls. The
 * table belongs to r. NULL when out of memory (calls on NULL do nothing). */
wg_report_table *wg_report_table_add(wg_report *r, const char *title, int ncols,
                                     const char *const *cols);
void wg_report_row(wg_report *r, wg_report_table *t, int behind);
void wg_report_text(wg_report *r, wg_report_table *t, const char *text);
void wg_report_int(wg_report *r, wg_report_table *t, int64_t v);
void wg_report_pct(wg_report *r, wg_report_table *t, int64_t hundredths);
wg_report_chart *wg_report_chart_add(wg_report *r, const char *title, wg_report_chart_kind kind,
                                     const char *unit, double ref);
void wg_report_point(wg_report *r, wg_report_chart *c, const char *label, double value);

/* The cell at (row, col) of t; NULL out of range. For tests. */
const wg_report_cell *wg_report_cell_at(const wg_report_table *t, int row, int col);

/* Writes the report to path ("xlsx" or "html"): a temporary file beside it
 * renamed into place, so nothing half-written appears. WG_EINVAL (unknown
 * format), WG_ENOMEM (building failed), WG_EIO (ei->file, ei->why). */
wg_err wg_report_write(const wg_report *r, const char *format, const char *path, wg_errinfo *ei)
    WG_MUST_CHECK;

/* The HTML as a malloc'd string (*len its length); NULL when out of
 * memory. */
char *wg_report_html(const wg_report *r, size_t *len);

/* ---- builders (report_build.c) ---------------------------------------------- */

typedef enum wg_report_kind {
  WG_REPORT_WEEKLY = 1,    /* 周通报 */
  WG_REPORT_MONTHLY,       /* 月调度 */
  WG_REPORT_QUARTERLY,     /* 季推进 */
} wg_report_kind;

const char *wg_report_kind_name(wg_report_kind k); /* "weekly", … */
wg_err wg_report_kind_parse(const char *word, wg_report_kind *out) WG_MUST_CHECK;

/* The weekly notice, monthly dispatch or quarterly review of the county for
 * period text (2026-W47, 2026-11, 2026-Q4: the kind's period type, else
 * WG_EINVAL naming the period): every indicator with a target holding the
 * period (completion and ranking of every unit, laggards named; the month
 * adds problems and next tasks, the quarter the months side by side), and
 * the campaigns with items (completion by township, laggards). *out is
 * owned by the caller (wg_report_free). */
wg_err wg_report_build(wg_store_t *s, const char *county, wg_report_kind kind,
                       const char *period, wg_report **out, wg_errinfo *ei) WG_MUST_CHECK;

/* A campaign's report: completion per stage for the county, every
 * township and community and level-1 grid (with ranks), laggards, the
 * daily trend. */
wg_err wg_report_build_campaign(wg_store_t *s, int64_t campaign_id, wg_report **out,
                                wg_errinfo *ei) WG_MUST_CHECK;

#endif
