/* figures.h — the standard figures of matters, per group (a grid of some
 * level, a community, a township, a worker, a category, the county) and
 * period, with rankings as city bulletins publish them. Pure: facts in,
 * figures out; `now` is a parameter.
 *
 *   received      reported in the period
 *   accepted      of those, accepted (立案)
 *   due           应结案: accepted and past their expected time at the cut-off
 *                 (min(now, end of period)), or closed
 *   closed        结案 (closed or evaluated)
 *   closure_rate  closed / due
 *   on_time_rate  closed by the expected time (extensions included) / due
 *   rework_rate   matters returned for rework / matters handled
 *   extension_rate matters extended / matters dispatched
 *   mean hours    accept, dispatch, handle, close (verify + close) stages
 *   satisfaction  mean of evaluations (1-5), and how many evaluated
 *   overdue_open  open and past their stage deadline at now
 * Rankings: by on-time rate, then closure rate, then received (desc). */
#ifndef WG_MATTER_FIGURES_H
#define WG_MATTER_FIGURES_H

#include "store/store.h"

typedef enum wg_figures_by {
  WG_FIG_COUNTY = 0,
  WG_FIG_GRID1,
  WG_FIG_GRID2,
  WG_FIG_GRID3,
  WG_FIG_COMMUNITY,
  WG_FIG_TOWNSHIP,
  WG_FIG_WORKER,
  WG_FIG_CATEGORY,
  WG_FIG_BY_COUNT_
} wg_figures_by;

const char *wg_figures_by_name(wg_figures_by by); /* "grid1", "worker", … */
wg_err wg_figures_by_parse(const char *name, wg_figures_by *out) WG_MUST_CHECK;

typedef struct wg_figures_row {
  char key[40];                /* grid/division code, user id, category code, county */
  long received, accepted, due, closed, on_time, reworked, handled, extended, dispatched;
  long evaluated, overdue_open, open;
  double satisfaction_sum;
  double stage_sum[4];         /* seconds: accept, dispatch, handle, close */
  long stage_n[4];
  double closure_rate, on_time_rate, rework_rate, extension_rate, satisfaction;
  double mean_hours[4];        /* -1 when no matter went through the stage */
  int rank;                    /* 1 = best */
} wg_figures_row;

typedef struct wg_figures {
  wg_figures_by by;
  int64_t from, to, now;       /* the period [from, to) and the cut-off time */
  int n;
  wg_figures_row *rows;        /* ranked order */
  wg_figures_row total;        /* all groups together */
  struct wg_figures_acc *acc;  /* the key index while adding */
} wg_figures;

/* Starts an accumulation. */
void wg_figures_init(wg_figures *f, wg_figures_by by, int64_t from, int64_t to, int64_t now);
/* Adds one matter (reported in the period). WG_ENOMEM. */
wg_err wg_figures_add(wg_figures *f, const wg_matter_fact *m) WG_MUST_CHECK;
/* Computes the rates and ranks. */
void wg_figures_finish(wg_figures *f);
void wg_figures_free(wg_figures *f); /* accepts zeroed */

/* Reads the county's matters of the period from the store and computes. */
wg_err wg_figures_compute(wg_store_t *s, const char *county, wg_figures_by by, int64_t from,
                          int64_t to, int64_t now, wg_figures *out) WG_MUST_CHECK;

#endif
