/* target_ops.c — targets on the store; see target_ops.h. */
#include "target/target_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wg_err field_error(wg_errinfo *ei, const char *field, wg_err e, const char *why) {
  if (ei) snprintf(ei->field, sizeof ei->field, "%s", field);
  return wg_errinfo_set(ei, e, "%s", why);
}

static int code_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (!n || n > 31) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return 0;
  return 1;
}

static wg_err audit(wg_store_t *s, const wg_target_who *who, const char *action,
                    const char *target, const char *reason) {
  wg_audit_t a;
  memset(&a, 0, sizeof a);
  snprintf(a.actor, sizeof a.actor, "%s", who && who->actor ? who->actor : "");
  snprintf(a.action, sizeof a.action, "%s", action);
  snprintf(a.target, sizeof a.target, "%s", target);
  snprintf(a.reason, sizeof a.reason, "%s", reason);
  snprintf(a.origin, sizeof a.origin, "%s", who && who->origin ? who->origin : "cli");
  return wg_store_audit_add(s, &a);
}

wg_err wg_target_indicator_add(wg_store_t *s, const char *county, const char *code,
                               const char *name, const char *unit, const char *period_type,
                               const wg_target_who *who, wg_errinfo *ei) {
  wg_period_type pt;
  if (!code_ok(code))
    return field_error(ei, "code", WG_EINVAL, "an indicator code is 1-31 characters of a-z, 0-9, _");
  if (!name || !*name || strlen(name) >= 128)
    return field_error(ei, "name", WG_EINVAL, "an indicator needs a name (1-127 bytes)");
  if (!unit || !*unit || strlen(unit) >= 24)
    return field_error(ei, "unit", WG_EINVAL, "an indicator needs a unit (人次, 户, …; 1-23 bytes)");
  if (wg_period_type_parse(period_type, &pt) != WG_OK)
    return field_error(ei, "period", WG_EINVAL, "the period type is week, month, quarter or year");
  wg_indicator_row r;
  memset(&r, 0, sizeof r);
  snprintf(r.county, sizeof r.county, "%s", county);
  snprintf(r.code, sizeof r.code, "%s", code);
  snprintf(r.name, sizeof r.name, "%s", name);
  snprintf(r.unit, sizeof r.unit, "%s", unit);
  snprintf(r.period_type, sizeof r.period_type, "%s", wg_period_type_name(pt));
  snprintf(r.actor, sizeof r.actor, "%s", who && who->actor ? who->actor : "");
  if (who && who->at) snprintf(r.created_at, sizeof r.created_at, "%s", who->at);
  wg_err e = wg_store_begin(s);
  if (e) return e;
  e = wg_store_indicator_add(s, &r);
  if (e == WG_EEXIST) field_error(ei, "code", e, "an indicator with this code exists");
  char target[128], reason[256];
  snprintf(target, sizeof target, "indicator:%s", code);
  snprintf(reason, sizeof reason, "%.100s (%.20s, per %s)", name, unit, r.period_type);
  if (!e) e = audit(s, who, "indicator_add", target, reason);
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  return e;
}

/* Writes a target (is_target) or an actual after checking it. */
static wg_err put_figure(wg_store_t *s, const char *county, const char *indicator,
                         const char *division, const char *period, int64_t value, int is_target,
                         const wg_target_who *who, wg_errinfo *ei) {
  wg_indicator_row ind;
  wg_err e = wg_store_indicator_get(s, county, indicator ? indicator : "", &ind);
  if (e == WG_ENOTFOUND)
    return field_error(ei, "indicator", e, "no such indicator (wangge target list)");
  if (e) return e;
  wg_division_t d;
  if (!division || strlen(division) != 12 || strncmp(division, county, 6) != 0 ||
      wg_store_division_get(s, division, &d) != WG_OK)
    return field_error(ei, "division", WG_EINVAL,
                       "not a division of this county (a 12-digit code, wangge divisions)");
  wg_period p;
  if ((e = wg_period_parse(period, &p, ei))) return e;
  wg_period_type it;
  if (wg_period_type_parse(ind.period_type, &it) != WG_OK) return WG_ECORRUPT;
  if (is_target && (p.type < it || p.type == WG_PERIOD_WEEK)) {
    char why[200];
    snprintf(why, sizeof why,
             "a target is set for a month, quarter or year at least as long as the indicator's"
             " %s, not for %s",
             ind.period_type, p.text);
    return field_error(ei, "period", WG_EINVAL, why);
  }
  if (!is_target && p.type != it) {
    char why[200];
    snprintf(why, sizeof why, "actuals of this indicator are reported per %s, not for %s",
             ind.period_type, p.text);
    return field_error(ei, "period", WG_EINVAL, why);
  }
  if (is_target ? value <= 0 : value < 0)
    return field_error(ei, "value", WG_EINVAL,
                       is_target ? "a target is a whole amount above 0" : "an actual is a whole amount, 0 or more");
  wg_figure_row f;
  memset(&f, 0, sizeof f);
  f.indicator_id = ind.id;
  snprintf(f.division, sizeof f.division, "%s", division);
  snprintf(f.period, sizeof f.period, "%s", p.text);
  f.value = value;
  snprintf(f.actor, sizeof f.actor, "%s", who && who->actor ? who->actor : "");
  if (who && who->at) snprintf(f.at, sizeof f.at, "%s", who->at);
  if ((e = wg_store_begin(s))) return e;
  e = is_target ? wg_store_target_put(s, &f) : wg_store_actual_put(s, &f);
  char target[128], reason[256];
  snprintf(target, sizeof target, "indicator:%s/%s/%s", ind.code, division, p.text);
  snprintf(reason, sizeof reason, "%s %lld %s", is_target ? "target" : "actual", (long long)value,
           ind.unit);
  if (!e) e = audit(s, who, is_target ? "target_assign" : "target_report", target, reason);
  if (!e) e = wg_store_commit(s);
  if (e) wg_store_rollback(s);
  return e;
}

wg_err wg_target_assign(wg_store_t *s, const char *county, const char *indicator,
                        const char *division, const char *period, int64_t value,
                        const wg_target_who *who, wg_errinfo *ei) {
  return put_figure(s, county, indicator, division, period, value, 1, who, ei);
}

wg_err wg_target_report(wg_store_t *s, const char *county, const char *indicator,
                        const char *division, const char *period, int64_t value,
                        const wg_target_who *who, wg_errinfo *ei) {
  return put_figure(s, county, indicator, division, period, value, 0, who, ei);
}

typedef struct fig_list {
  wg_figure_row *rows;
  int n, cap;
  wg_err err;
} fig_list;

static int collect(void *ctx, const wg_figure_row *f) {
  fig_list *l = ctx;
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 256;
    void *p = realloc(l->rows, sizeof *l->rows * (size_t)cap);
    if (!p) {
      l->err = WG_ENOMEM;
      return 1;
    }
    l->rows = p;
    l->cap = cap;
  }
  l->rows[l->n++] = *f;
  return 0;
}

wg_err wg_target_load(wg_store_t *s, const char *county, const char *indicator,
                      wg_target_data *out, wg_errinfo *ei) {
  memset(out, 0, sizeof *out);
  wg_err e = wg_store_indicator_get(s, county, indicator ? indicator : "", &out->ind);
  if (e == WG_ENOTFOUND) return field_error(ei, "indicator", e, "no such indicator");
  if (e) return e;
  fig_list t = {0}, a = {0};
  e = wg_store_target_each(s, out->ind.id, collect, &t);
  if (!e) e = t.err;
  if (!e) e = wg_store_actual_each(s, out->ind.id, collect, &a);
  if (!e) e = a.err;
  out->targets = t.rows;
  out->ntargets = t.n;
  out->actuals = a.rows;
  out->nactuals = a.n;
  if (e) wg_target_data_free(out);
  return e;
}

void wg_target_data_free(wg_target_data *d) {
  if (!d) return;
  free(d->targets);
  free(d->actuals);
  memset(d, 0, sizeof *d);
}

wg_err wg_target_lines(wg_store_t *s, const wg_target_data *d, const wg_period *p,
                       wg_target_line **out, int *n) {
  wg_err e = wg_target_evaluate(p, d->targets, d->ntargets, d->actuals, d->nactuals, out, n);
  for (int i = 0; !e && i < *n; i++) {
    wg_division_t dv;
    if (wg_store_division_get(s, (*out)[i].division, &dv) == WG_OK)
      snprintf((*out)[i].name, sizeof (*out)[i].name, "%s", dv.name);
    else
      snprintf((*out)[i].name, sizeof (*out)[i].name, "%s", (*out)[i].division);
  }
  return e;
}
