/* figures.c — matters' figures per group, rates and rankings. */
#include "matter/figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"

static const char *const by_names[WG_FIG_BY_COUNT_] = {
    "county", "grid1", "grid2", "grid3", "community", "township", "worker", "category"};

const char *wg_figures_by_name(wg_figures_by by) {
  return (int)by >= 0 && by < WG_FIG_BY_COUNT_ ? by_names[by] : "?";
}

wg_err wg_figures_by_parse(const char *name, wg_figures_by *out) {
  for (int i = 0; name && i < WG_FIG_BY_COUNT_; i++)
    if (strcmp(name, by_names[i]) == 0) {
      *out = (wg_figures_by)i;
      return WG_OK;
    }
  if (name && strcmp(name, "grid") == 0) {
    *out = WG_FIG_GRID3;
    return WG_OK;
  }
  return WG_EINVAL;
}

/* The key → row index while adding. */
struct wg_figures_acc {
  wg_strmap index;
  int cap;
};
typedef struct wg_figures_acc acc;

void wg_figures_init(wg_figures *f, wg_figures_by by, int64_t from, int64_t to, int64_t now) {
  memset(f, 0, sizeof *f);
  f->by = by;
  f->from = from;
  f->to = to;
  f->now = now;
}

static acc *acc_of(wg_figures *f) {
  if (!f->acc) {
    f->acc = calloc(1, sizeof *f->acc);
    if (f->acc) wg_strmap_init(&f->acc->index);
  }
  return f->acc;
}

static void acc_drop(wg_figures *f) {
  if (!f->acc) return;
  wg_strmap_free(&f->acc->index);
  free(f->acc);
  f->acc = NULL;
}

static void key_of(const wg_figures *f, const wg_matter_fact *m, char key[40]) {
  switch (f->by) {
    case WG_FIG_GRID1: memcpy(key, m->grid[0], sizeof m->grid[0]); break;
    case WG_FIG_GRID2: memcpy(key, m->grid[1], sizeof m->grid[1]); break;
    case WG_FIG_GRID3: memcpy(key, m->grid[2], sizeof m->grid[2]); break;
    case WG_FIG_COMMUNITY: memcpy(key, m->community, sizeof m->community); break;
    case WG_FIG_TOWNSHIP:
      snprintf(key, 40, "%s", m->community[0] ? m->community : "");
      if (key[0]) memcpy(key + 9, "000", 4);
      break;
    case WG_FIG_WORKER: snprintf(key, 40, "%lld", (long long)m->st.handler); break;
    case WG_FIG_CATEGORY: snprintf(key, 40, "%s", m->category); break;
    default: snprintf(key, 40, "county"); break;
  }
}

static void add_to(wg_figures_row *r, const wg_figures *f, const wg_matter_fact *m) {
  const wg_matter_state *st = &m->st;
  int64_t cut = f->to > 0 && f->to < f->now ? f->to : f->now;
  int closed = st->closed_at > 0;
  r->received++;
  if (st->accepted_at) r->accepted++;
  if (closed || (st->accepted_at && st->expected_at <= cut)) r->due++;
  if (closed) {
    r->closed++;
    if (st->closed_at <= st->expected_at) r->on_time++;
  }
  if (st->handled_at || closed) r->handled++;
  if (st->reworks) r->reworked++;
  if (st->dispatched_at) r->dispatched++;
  if (st->extensions) r->extended++;
  if (st->satisfaction) {
    r->evaluated++;
    r->satisfaction_sum += st->satisfaction;
  }
  if (wg_matter_is_open(st->status)) {
    r->open++;
    if (wg_matter_overdue(st, f->now)) r->overdue_open++;
  }
  const int64_t spans[4][2] = {{st->reported_at, st->accepted_at},
                               {st->accepted_at, st->dispatched_at},
                               {st->dispatched_at, st->handled_at},
                               {st->handled_at, st->closed_at}};
  for (int i = 0; i < 4; i++)
    if (spans[i][0] && spans[i][1] >= spans[i][0]) {
      r->stage_sum[i] += (double)(spans[i][1] - spans[i][0]);
      r->stage_n[i]++;
    }
}

wg_err wg_figures_add(wg_figures *f, const wg_matter_fact *m) {
  acc *a = acc_of(f);
  if (!a) return WG_ENOMEM;
  char key[40];
  key_of(f, m, key);
  add_to(&f->total, f, m);
  if (!key[0] || strcmp(key, "0") == 0) return WG_OK; /* no grid / no worker: total only */
  int64_t at;
  size_t klen = strlen(key);
  if (!wg_strmap_get(&a->index, key, klen, &at)) {
    if (f->n == a->cap) {
      int cap = a->cap ? a->cap * 2 : 64;
      wg_figures_row *n = realloc(f->rows, (size_t)cap * sizeof *n);
      if (!n) return WG_ENOMEM;
      f->rows = n;
      a->cap = cap;
    }
    at = f->n++;
    memset(&f->rows[at], 0, sizeof f->rows[at]);
    memcpy(f->rows[at].key, key, klen + 1);
    if (wg_strmap_put(&a->index, key, klen, at) != WG_OK) return WG_ENOMEM;
  }
  add_to(&f->rows[at], f, m);
  return WG_OK;
}

static void rates(wg_figures_row *r) {
  r->closure_rate = r->due ? (double)r->closed / (double)r->due : 0;
  r->on_time_rate = r->due ? (double)r->on_time / (double)r->due : 0;
  r->rework_rate = r->handled ? (double)r->reworked / (double)r->handled : 0;
  r->extension_rate = r->dispatched ? (double)r->extended / (double)r->dispatched : 0;
  r->satisfaction = r->evaluated ? r->satisfaction_sum / (double)r->evaluated : 0;
  for (int i = 0; i < 4; i++)
    r->mean_hours[i] = r->stage_n[i] ? r->stage_sum[i] / (double)r->stage_n[i] / 3600.0 : -1;
}

static int by_rank(const void *pa, const void *pb) {
  const wg_figures_row *a = pa, *b = pb;
  if (a->on_time_rate != b->on_time_rate) return a->on_time_rate > b->on_time_rate ? -1 : 1;
  if (a->closure_rate != b->closure_rate) return a->closure_rate > b->closure_rate ? -1 : 1;
  if (a->received != b->received) return a->received > b->received ? -1 : 1;
  return strcmp(a->key, b->key);
}

void wg_figures_finish(wg_figures *f) {
  for (int i = 0; i < f->n; i++) rates(&f->rows[i]);
  rates(&f->total);
  if (f->n) qsort(f->rows, (size_t)f->n, sizeof *f->rows, by_rank);
  for (int i = 0; i < f->n; i++) f->rows[i].rank = i + 1;
  acc_drop(f);
}

void wg_figures_free(wg_figures *f) {
  if (!f) return;
  acc_drop(f);
  free(f->rows);
  f->rows = NULL;
  f->n = 0;
}

static int add_fact(void *ctx, const wg_matter_fact *m) {
  return wg_figures_add(ctx, m) != WG_OK;
}

wg_err wg_figures_compute(wg_store_t *s, const char *county, wg_figures_by by, int64_t from,
                          int64_t to, int64_t now, wg_figures *out) {
  wg_figures_init(out, by, from, to, now);
  wg_err e = wg_store_matter_facts(s, county, from, to, add_fact, out);
  wg_figures_finish(out);
  if (e) wg_figures_free(out);
  return e;
}
