/* target_ops.h — targets on the store: indicators, targets assigned to
 * divisions, actuals reported per period. Every write is checked (a real
 * division of the county, a period of the right kind, a whole non-negative
 * amount) and audited in the same transaction. */
#ifndef WG_TARGET_OPS_H
#define WG_TARGET_OPS_H

#include "store/store.h"
#include "target/target.h"

typedef struct wg_target_who {
  const char *actor;
  const char *origin;      /* "cli" when NULL */
  const char *at;          /* ISO time, NULL = now (the demo backdates) */
} wg_target_who;

/* A new indicator: code [a-z0-9_] 1-31, a name, a unit (人次, 户, 万元),
 * the period its actuals are reported for. WG_EEXIST when the code is
 * taken; WG_EINVAL with ei->field. */
wg_err wg_target_indicator_add(wg_store_t *s, const char *county, const char *code,
                               const char *name, const char *unit, const char *period_type,
                               const wg_target_who *who, wg_errinfo *ei) WG_MUST_CHECK;

/* Assigns a target: the division (code, 12 digits, of the county), a period
 * at least as long as the indicator's (a year, quarter or month), a value
 * > 0. Replaces an earlier target for the same division and period. */
wg_err wg_target_assign(wg_store_t *s, const char *county, const char *indicator,
                        const char *division, const char *period, int64_t value,
                        const wg_target_who *who, wg_errinfo *ei) WG_MUST_CHECK;

/* Reports an actual for one period of the indicator's type (≥ 0);
 * replaces an earlier figure for the same division and period. */
wg_err wg_target_report(wg_store_t *s, const char *county, const char *indicator,
                        const char *division, const char *period, int64_t value,
                        const wg_target_who *who, wg_errinfo *ei) WG_MUST_CHECK;

/* An indicator with all its targets and actuals (malloc'd arrays; free
 * with wg_target_data_free). */
typedef struct wg_target_data {
  wg_indicator_row ind;
  wg_figure_row *targets, *actuals;
  int ntargets, nactuals;
} wg_target_data;

wg_err wg_target_load(wg_store_t *s, const char *county, const char *indicator,
                      wg_target_data *out, wg_errinfo *ei) WG_MUST_CHECK;
void wg_target_data_free(wg_target_data *d);

/* wg_target_evaluate on loaded data, with the divisions' names filled. */
wg_err wg_target_lines(wg_store_t *s, const wg_target_data *d, const wg_period *p,
                       wg_target_line **out, int *n) WG_MUST_CHECK;

#endif
