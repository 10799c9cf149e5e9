/* check.c — the plan checker, violation reasons, counts feasibility.
 *
 * Contiguity here treats a split unit's pieces as adjacent to each other and
 * to every piece of every neighbour unit (they are dwellings of one
 * building), so any plan the partitioner makes passes, and hand-drawn plans
 * are judged on the real geometry.
 *
 * Forced or avoidable. A bound violation of a grid is forced when
 *   - the grid holds one unit that alone is above the upper bound (unit_over);
 *   - the grid's connected area (the connected part, within its parent, of
 *     the adjacency graph that contains the grid) is a single unit with no
 *     neighbour in its group (isolated);
 *   - the connected area's total H admits no k >= 1 with k·lo <= H <= k·hi,
 *     and that area is fixed by the data: at level 1 it is a connected part
 *     of the group; below, its parent's size was itself forced (forced
 *     violation, or a whole-village level-1 grid) or no total within the
 *     parent's bounds could be cut into children within theirs.
 * Otherwise it is avoidable. Non-contiguity, nesting, group crossing and
 * unassigned units are always avoidable.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide_int.h"

static const char *const vkind_names[WG_DIVIDE_V_COUNT_] = {
    [WG_DIVIDE_V_UNDER] = "under",
    [WG_DIVIDE_V_OVER] = "over",
    [WG_DIVIDE_V_NONCONTIG] = "noncontiguous",
    [WG_DIVIDE_V_UNIT_OVER] = "unit_over",
    [WG_DIVIDE_V_UNIT_SPLIT] = "unit_split",
    [WG_DIVIDE_V_ISOLATED] = "isolated",
    [WG_DIVIDE_V_NO_COUNT] = "no_count",
    [WG_DIVIDE_V_NESTING] = "nesting",
    [WG_DIVIDE_V_CROSS_GROUP] = "cross_group",
    [WG_DIVIDE_V_UNASSIGNED] = "unassigned",
};

const char *wg_divide_vkind_name(wg_divide_vkind_t kind) {
  if ((unsigned)kind >= WG_DIVIDE_V_COUNT_) return "unknown";
  return vkind_names[kind];
}

void wg_divide_result_free(wg_divide_result_t *out) {
  if (!out) return;
  free(out->unit_grid);
  free(out->grids);
  free(out->pieces);
  if (out->violations)
    for (int i = 0; i < out->nviolations; i++) free(out->violations[i].units);
  free(out->violations);
  memset(out, 0, sizeof *out);
}

/* ---- checker ---------------------------------------------------------------- */

typedef struct chk {
  const wg__dv_t *dv;
  const int *lab;
  wg_divide_result_t *out;
  int n, L, G;
  int vcap;
  int *gstart, *gitems; /* items per grid */
  int *imark, *ivis, *uvis;
  int stamp;
  int *queue;
} chk_t;

/* Append a violation listing the distinct units of items[0..m) (sorted by
 * item, so a unit's items are adjacent). */
static wg_err add_violation(chk_t *c, wg_divide_vkind_t kind, int level,
                            int grid, int group, int forced, long households,
                            const int *items, int m, const char *reason) {
  wg_divide_result_t *out = c->out;
  if (wg__grow((void **)&out->violations, &c->vcap, out->nviolations + 1,
               sizeof(wg_divide_violation_t)))
    return WG_ENOMEM;
  wg_divide_violation_t *v = &out->violations[out->nviolations];
  memset(v, 0, sizeof *v);
  v->kind = kind;
  v->level = level;
  v->grid = grid;
  v->group = group;
  v->forced = forced;
  v->households = households;
  size_t len = strnlen(reason, sizeof v->reason - 1);
  memcpy(v->reason, reason, len);
  v->reason[len] = '\0';
  int k = 0;
  v->units = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  if (!v->units) return WG_ENOMEM;
  int last = -1;
  for (int i = 0; i < m; i++) {
    int u = c->dv->unit[items[i]];
    if (u != last) v->units[k++] = u;
    last = u;
  }
  v->nunits = k;
  out->nviolations++;
  if (forced) out->forced++;
  else out->avoidable++;
  return WG_OK;
}

/* Visit every item of unit u in the marked set not yet visited. */
static void push_unit_items(chk_t *c, int u, int *qt) {
  const wg__dv_t *dv = c->dv;
  for (int i = dv->ustart[u]; i < dv->ustart[u + 1]; i++)
    if (c->imark[i] == c->stamp && c->ivis[i] != c->stamp) {
      c->ivis[i] = c->stamp;
      c->queue[(*qt)++] = i;
    }
}

/* BFS over the marked items (imark == stamp) from s, with the pieces rule.
 * Writes visited items into queue; returns their count. */
static int bfs_marked(chk_t *c, int s) {
  const wg__dv_t *dv = c->dv;
  int qh = 0, qt = 0;
  c->ivis[s] = c->stamp;
  c->queue[qt++] = s;
  while (qh < qt) {
    int i = c->queue[qh++];
    int u = dv->unit[i];
    if (c->uvis[u] == c->stamp) continue;
    c->uvis[u] = c->stamp;
    push_unit_items(c, u, &qt);
    for (int e = dv->uxadj[u]; e < dv->uxadj[u + 1]; e++)
      push_unit_items(c, dv->uadj[e], &qt);
  }
  return qt;
}

/* exists H in [plo, phi] and k >= 1 with k*lo <= H <= k*hi */
static int interval_admits(long plo, long phi, long lo, long hi) {
  long k = plo <= 0 ? 1 : (plo + hi - 1) / hi;
  if (k < 1) k = 1;
  return k * lo <= phi;
}

#define STUCK_CAP 64 /* zero-household units explored around a light unit */

/* A unit with 0 < w < lo is stuck when no grid within [lo, hi] can hold it:
 * through its zero-household neighbours it reaches only units v with
 * w + w_v > hi, where a split neighbour counts as its lightest possible
 * piece (wg__piece_min). Same-group neighbours only, so this is forced by
 * the data.
 * Returns 1 if stuck; conservative (0) when the search is cut off. */
static int unit_stuck(chk_t *c, int u, long lo, long hi) {
  const wg__dv_t *dv = c->dv;
  const wg_divide_input_t *in = dv->in;
  long w = in->households[u];
  if (w <= 0 || w >= lo) return 0;
  /* a split neighbour can give a piece as light as wg__piece_min */
  long lo3, hi3;
  wg__dv_bounds(in, dv->group[dv->ustart[u]], dv->nlevels - 1, &lo3, &hi3,
                NULL);
  int zeros = 0;
  for (int e = dv->uxadj[u]; e < dv->uxadj[u + 1]; e++) {
    long wv = wg__piece_min(in->households[dv->uadj[e]], hi3);
    if (wv == 0) zeros = 1;
    else if (w + wv <= hi) return 0;
  }
  if (!zeros) return dv->uxadj[u + 1] > dv->uxadj[u];
  /* walk the zero-household units around u */
  c->stamp++;
  int qh = 0, qt = 0;
  c->queue[qt++] = u;
  c->uvis[u] = c->stamp;
  while (qh < qt) {
    int x = c->queue[qh++];
    for (int e = dv->uxadj[x]; e < dv->uxadj[x + 1]; e++) {
      int v = dv->uadj[e];
      if (c->uvis[v] == c->stamp) continue;
      c->uvis[v] = c->stamp;
      long wv = wg__piece_min(in->households[v], hi3);
      if (wv > 0) {
        if (w + wv <= hi) return 0;
        continue;
      }
      if (qt >= STUCK_CAP) return 0;
      c->queue[qt++] = v;
    }
  }
  return 1;
}

/* First stuck unit among items[0..m), or -1. */
static int stuck_in(chk_t *c, const int *items, int m, long lo, long hi) {
  for (int j = 0; j < m; j++) {
    int u = c->dv->unit[items[j]];
    if (c->dv->ustart[u + 1] - c->dv->ustart[u] > 1) continue;
    if (unit_stuck(c, u, lo, hi)) return u;
  }
  return -1;
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

wg_err wg__check_fill(const wg__dv_t *dv, const int *lab,
                      wg_divide_result_t *out) {
  const wg_divide_input_t *in = dv->in;
  chk_t c;
  memset(&c, 0, sizeof c);
  c.dv = dv;
  c.lab = lab;
  c.out = out;
  c.n = dv->n;
  c.L = dv->nlevels;
  c.G = out->ngrids;
  int n = c.n, L = c.L, G = c.G;
  size_t nn = n ? (size_t)n : 1;
  wg_err err = WG_ENOMEM;
  char why[400];
  c.gstart = calloc((size_t)G + 1, sizeof(int));
  c.gitems = malloc((size_t)L * nn * sizeof(int));
  c.imark = calloc(nn, sizeof(int));
  c.ivis = calloc(nn, sizeof(int));
  c.uvis = calloc((size_t)(dv->nunits > 0 ? dv->nunits : 1), sizeof(int));
  c.queue = malloc(nn * sizeof(int));
  int *dom = malloc(nn * sizeof(int));
  long *domw = malloc(nn * sizeof(long));
  int *domsingle = malloc(nn * sizeof(int));
  int *gsizeforced = calloc((size_t)(G > 0 ? G : 1), sizeof(int));
  int *gbad = calloc((size_t)(G > 0 ? G : 1), sizeof(int)); /* 1 oob, 2 forced */
  int *gnoncontig = calloc((size_t)(G > 0 ? G : 1), sizeof(int));
  int *gnest = calloc((size_t)(G > 0 ? G : 1), sizeof(int));
  long *hh = malloc((size_t)(G > 0 ? G : 1) * sizeof(long));
  if (!c.gstart || !c.gitems || !c.imark || !c.ivis || !c.uvis || !c.queue ||
      !dom || !domw || !domsingle || !gsizeforced || !gbad || !gnoncontig ||
      !gnest || !hh)
    goto done;

  out->households = 0;
  for (int i = 0; i < n; i++) out->households += dv->w[i];

  /* items per grid */
  for (int l = 0; l < L; l++)
    for (int i = 0; i < n; i++) {
      int g = lab[(size_t)l * n + i];
      if (g >= 0) c.gstart[g + 1]++;
    }
  for (int g = 0; g < G; g++) c.gstart[g + 1] += c.gstart[g];
  {
    int *fill = malloc((size_t)(G > 0 ? G : 1) * sizeof(int));
    if (!fill) goto done;
    for (int g = 0; g < G; g++) fill[g] = c.gstart[g];
    for (int l = 0; l < L; l++)
      for (int i = 0; i < n; i++) {
        int g = lab[(size_t)l * n + i];
        if (g >= 0) c.gitems[fill[g]++] = i;
      }
    free(fill);
  }

  /* per-grid figures */
  for (int g = 0; g < G; g++) {
    wg_divide_grid_t *gr = &out->grids[g];
    long w = 0;
    double sx = 0, sy = 0, px = 0, py = 0, pq = 0;
    int m = c.gstart[g + 1] - c.gstart[g];
    for (int j = c.gstart[g]; j < c.gstart[g + 1]; j++) {
      int i = c.gitems[j];
      w += dv->w[i];
      sx += in->x[dv->unit[i]];
      sy += in->y[dv->unit[i]];
      px += dv->x[i];
      py += dv->y[i];
      pq += dv->x[i] * dv->x[i] + dv->y[i] * dv->y[i];
    }
    hh[g] = w;
    gr->households = w;
    gr->units = m;
    gr->cx = m ? sx / m : 0;
    gr->cy = m ? sy / m : 0;
    /* each unit stands for a small disc of area a, so its own inertia
     * a/(2π) is added: a disc of m units then scores 1 for any m */
    const double two_pi = 2 * 3.14159265358979323846;
    double I = m ? pq - (px * px + py * py) / m : 0;
    if (I < 0) I = 0;
    I += m * dv->area / two_pi;
    double comp = m ? (double)m * m * dv->area / (two_pi * I) : 1.0;
    if (comp > 1.0) comp = 1.0;
    gr->compactness = comp;
  }

  /* unassigned units */
  for (int l = 0; l < L; l++) {
    int k = 0;
    for (int i = 0; i < n; i++)
      if (lab[(size_t)l * n + i] < 0) c.queue[k++] = i;
    if (k == 0) continue;
    snprintf(why, sizeof why, "%d unit(s) or pieces have no level-%d grid; "
             "every unit must be covered", k, l + 1);
    if (add_violation(&c, WG_DIVIDE_V_UNASSIGNED, l + 1, -1, -1, 0, 0, c.queue,
                      k, why))
      goto done;
  }
  {
    int un = 0;
    for (int u = 0; u < dv->nunits; u++) {
      int miss = 0;
      for (int i = dv->ustart[u]; i < dv->ustart[u + 1] && !miss; i++)
        for (int l = 0; l < L; l++)
          if (lab[(size_t)l * n + i] < 0) miss = 1;
      un += miss;
    }
    out->unassigned = un;
  }

  /* contiguity, nesting, group crossing */
  for (int g = 0; g < G; g++) {
    int b = c.gstart[g], e = c.gstart[g + 1], m = e - b;
    if (m == 0) continue;
    wg_divide_grid_t *gr = &out->grids[g];
    int l = gr->level - 1;
    c.stamp++;
    for (int j = b; j < e; j++) c.imark[c.gitems[j]] = c.stamp;
    if (bfs_marked(&c, c.gitems[b]) != m) {
      gnoncontig[g] = 1;
      snprintf(why, sizeof why, "level-%d grid %d (number %d, %ld households) "
               "is not contiguous: its units fall apart in the adjacency "
               "graph", gr->level, g, gr->number, hh[g]);
      if (add_violation(&c, WG_DIVIDE_V_NONCONTIG, gr->level, g, gr->group, 0,
                        hh[g], c.gitems + b, m, why))
        goto done;
    }
    int cross = 0, nest = 0;
    for (int j = b; j < e; j++) {
      int i = c.gitems[j];
      if (dv->group[i] != gr->group) cross = 1;
      if (l > 0 && lab[(size_t)(l - 1) * n + i] != gr->parent) nest = 1;
    }
    if (cross) {
      gnest[g] = 1;
      snprintf(why, sizeof why, "level-%d grid %d (number %d) spans several "
               "groups; grids never cross a community or village",
               gr->level, g, gr->number);
      if (add_violation(&c, WG_DIVIDE_V_CROSS_GROUP, gr->level, g, -1, 0,
                        hh[g], c.gitems + b, m, why))
        goto done;
    }
    if (nest) {
      gnest[g] = 1;
      snprintf(why, sizeof why, "level-%d grid %d (number %d) is not inside "
               "one level-%d grid", gr->level, g, gr->number, gr->level - 1);
      if (add_violation(&c, WG_DIVIDE_V_NESTING, gr->level, g, gr->group, 0,
                        hh[g], c.gitems + b, m, why))
        goto done;
    }
  }

  /* levels: connected areas, counts, bounds */
  for (int l = 0; l < L; l++) {
    /* connected areas: components among items with the same parent key */
    for (int i = 0; i < n; i++) dom[i] = -1;
    int nd = 0;
    for (int s = 0; s < n; s++) {
      if (dom[s] >= 0) continue;
      int pk = l == 0 ? dv->group[s] : lab[(size_t)(l - 1) * n + s];
      if (l > 0 && pk < 0) continue;
      /* mark the parent's items: walk the parent's item list */
      c.stamp++;
      if (l == 0) {
        /* the unit graph is already within groups: mark everything */
        c.imark[s] = c.stamp;
      } else {
        for (int j = c.gstart[pk]; j < c.gstart[pk + 1]; j++)
          c.imark[c.gitems[j]] = c.stamp;
      }
      int cnt;
      if (l == 0) {
        /* BFS over the unit graph, group-restricted by construction */
        int qh = 0, qt = 0;
        c.queue[qt++] = s;
        c.ivis[s] = c.stamp;
        while (qh < qt) {
          int i = c.queue[qh++];
          int u = dv->unit[i];
          if (c.uvis[u] == c.stamp) continue;
          c.uvis[u] = c.stamp;
          for (int k = dv->ustart[u]; k < dv->ustart[u + 1]; k++)
            if (c.ivis[k] != c.stamp) {
              c.ivis[k] = c.stamp;
              c.queue[qt++] = k;
            }
          for (int e = dv->uxadj[u]; e < dv->uxadj[u + 1]; e++) {
            int v = dv->uadj[e];
            for (int k = dv->ustart[v]; k < dv->ustart[v + 1]; k++)
              if (c.ivis[k] != c.stamp) {
                c.ivis[k] = c.stamp;
                c.queue[qt++] = k;
              }
          }
        }
        cnt = qt;
      } else {
        cnt = bfs_marked(&c, s);
      }
      long w = 0;
      int single = 1, u0 = dv->unit[c.queue[0]];
      for (int k = 0; k < cnt; k++) {
        dom[c.queue[k]] = nd;
        w += dv->w[c.queue[k]];
        if (dv->unit[c.queue[k]] != u0) single = 0;
      }
      domw[nd] = w;
      domsingle[nd] = single && dv->uxadj[u0 + 1] == dv->uxadj[u0];
      /* count check for this area */
      long lo, hi, kmin, kmax;
      int whole;
      wg__dv_bounds(in, dv->group[s], l, &lo, &hi, &whole);
      if (!(l == 0 && whole) && !wg__admits(w, lo, hi, &kmin, &kmax)) {
        int forced = 1;
        if (l > 0) {
          long plo, phi;
          int pwhole;
          wg__dv_bounds(in, dv->group[s], l - 1, &plo, &phi, &pwhole);
          forced = gsizeforced[pk] || (l == 1 && pwhole) ||
                   !interval_admits(plo, phi, lo, hi);
        }
        int pos = 0;
        pos += snprintf(why + pos, sizeof why - pos,
                        "a connected area of %d unit(s) in group %d",
                        cnt, dv->group[s]);
        if (l > 0)
          pos += snprintf(why + pos, sizeof why - pos,
                          " inside level-%d grid %d", l, pk);
        if (kmax < 1)
          snprintf(why + pos, sizeof why - pos,
                   " holds %ld households, fewer than the %ld one level-%d "
                   "grid needs",
                   w, lo, l + 1);
        else
          snprintf(why + pos, sizeof why - pos,
                   " holds %ld households: %ld level-%d grid(s) of at most %ld "
                   "hold at most %ld, %ld grids of at least %ld need at least "
                   "%ld",
                   w, kmax, l + 1, hi, kmax * hi, kmin, lo, kmin * lo);
        /* list the area's items in item order */
        int *its = malloc((size_t)(cnt > 0 ? cnt : 1) * sizeof(int));
        if (!its) goto done;
        memcpy(its, c.queue, (size_t)cnt * sizeof(int));
        for (int a = 1; a < cnt; a++) /* insertion sort is fine: small */
          for (int b2 = a; b2 > 0 && its[b2 - 1] > its[b2]; b2--) {
            int t = its[b2];
            its[b2] = its[b2 - 1];
            its[b2 - 1] = t;
          }
        err = add_violation(&c, WG_DIVIDE_V_NO_COUNT, l + 1,
                            l > 0 ? pk : -1, dv->group[s], forced, w, its, cnt,
                            why);
        free(its);
        if (err) goto done;
        err = WG_ENOMEM;
        domsingle[nd] |= forced ? 2 : 0; /* bit 2: area size forced */
      }
      nd++;
    }

    /* bounds per grid of this level */
    for (int g = 0; g < G; g++) {
      wg_divide_grid_t *gr = &out->grids[g];
      if (gr->level != l + 1) continue;
      int b = c.gstart[g], e = c.gstart[g + 1];
      if (b == e) continue;
      long lo, hi;
      int whole;
      wg__dv_bounds(in, gr->group, l, &lo, &hi, &whole);
      if (l == 0 && whole) {
        gsizeforced[g] = 1;
        continue;
      }
      long v = wg__viol(hh[g], lo, hi);
      if (v == 0) continue;
      int d = dom[c.gitems[b]];
      int forced = 0;
      wg_divide_vkind_t kind = hh[g] < lo ? WG_DIVIDE_V_UNDER : WG_DIVIDE_V_OVER;
      long bigw = 0;
      int bigu = -1;
      for (int j = b; j < e; j++)
        if (dv->w[c.gitems[j]] > hi && dv->w[c.gitems[j]] > bigw) {
          bigw = dv->w[c.gitems[j]];
          bigu = dv->unit[c.gitems[j]];
        }
      int pos = snprintf(why, sizeof why,
                         "level-%d grid %d (number %d) holds %ld households, "
                         "%s the %s bound %ld",
                         l + 1, g, gr->number, hh[g],
                         hh[g] < lo ? "under" : "over",
                         hh[g] < lo ? "lower" : "upper", hh[g] < lo ? lo : hi);
      if (bigu >= 0) {
        kind = WG_DIVIDE_V_UNIT_OVER;
        forced = 1;
        snprintf(why + pos, sizeof why - pos,
                 "; forced: unit %d alone holds %ld households", bigu, bigw);
      } else if ((bigu = stuck_in(&c, c.gitems + b, e - b, lo, hi)) >= 0) {
        forced = 1;
        snprintf(why + pos, sizeof why - pos,
                 "; forced: unit %d (%ld households) cannot reach %ld: every "
                 "unit it can join would take it over %ld",
                 bigu, in->households[bigu], lo, hi);
      } else if (d >= 0 && (domsingle[d] & 1)) {
        kind = WG_DIVIDE_V_ISOLATED;
        forced = 1;
        snprintf(why + pos, sizeof why - pos,
                 "; forced: unit %d has no neighbour in its group, so it is "
                 "a grid of its own",
                 dv->unit[c.gitems[b]]);
      } else if (d >= 0 && (domsingle[d] & 2)) {
        forced = 1;
        snprintf(why + pos, sizeof why - pos,
                 "; forced: its connected area of %ld households fits no "
                 "count of grids of %ld-%ld",
                 domw[d], lo, hi);
      } else if (d >= 0) {
        long kmin, kmax;
        wg__admits(domw[d], lo, hi, &kmin, &kmax);
        if (kmax < 1 || kmax == LONG_MAX || kmax < kmin)
          snprintf(why + pos, sizeof why - pos,
                   "; avoidable: the area's total %ld households is not fixed "
                   "by the data", domw[d]);
        else
          snprintf(why + pos, sizeof why - pos,
                   "; avoidable: its connected area of %ld households fits %ld "
                   "to %ld grids",
                   domw[d], kmin, kmax);
      }
      gbad[g] = forced ? 2 : 1;
      gsizeforced[g] = forced;
      if (add_violation(&c, kind, l + 1, g, gr->group, forced, hh[g],
                        c.gitems + b, e - b, why))
        goto done;
    }
  }

  /* split units (notices) */
  for (int u = 0; u < dv->nunits; u++) {
    int b = dv->ustart[u], e = dv->ustart[u + 1];
    if (e - b <= 1) continue;
    long lo, hi;
    wg__dv_bounds(in, dv->group[b], L - 1, &lo, &hi, NULL);
    snprintf(why, sizeof why, "unit %d holds %ld households, over the level-%d "
             "upper bound %ld: split into %d pieces of %ld-%ld households",
             u, in->households[u], L, hi, e - b, dv->w[e - 1], dv->w[b]);
    int one = b;
    if (add_violation(&c, WG_DIVIDE_V_UNIT_SPLIT, L, -1, dv->group[b], 1,
                      in->households[u], &one, 1, why))
      goto done;
  }

  /* stats */
  for (int l = 0; l < L; l++) {
    wg_divide_level_stats_t *st = &out->stats[l];
    memset(st, 0, sizeof *st);
    int k = 0, within = 0, rated = 0;
    double comp = 0;
    long *ws = malloc((size_t)(G > 0 ? G : 1) * sizeof(long));
    if (!ws) goto done;
    for (int g = 0; g < G; g++) {
      wg_divide_grid_t *gr = &out->grids[g];
      if (gr->level != l + 1 || gr->units == 0) continue;
      ws[k++] = hh[g];
      comp += gr->compactness;
      if (gbad[g]) st->out_of_bounds++;
      if (gbad[g] == 2) st->out_of_bounds_forced++;
      st->noncontiguous += gnoncontig[g];
      st->nesting_errors += gnest[g];
      long lo, hi;
      int whole;
      wg__dv_bounds(in, gr->group, l, &lo, &hi, &whole);
      if (l == 0 && whole) continue;
      double mid = (lo + hi) / 2.0;
      rated++;
      within += fabs((double)hh[g] - mid) <= 0.2 * mid;
    }
    st->grids = k;
    if (k > 0) {
      qsort(ws, (size_t)k, sizeof(long), cmp_long);
      st->min = ws[0];
      st->max = ws[k - 1];
      st->median = ws[k / 2];
      st->mean_compactness = comp / k;
    }
    st->within_target = rated ? (double)within / rated : 1.0;
    free(ws);
  }
  err = WG_OK;
done:
  free(c.gstart);
  free(c.gitems);
  free(c.imark);
  free(c.ivis);
  free(c.uvis);
  free(c.queue);
  free(dom);
  free(domw);
  free(domsingle);
  free(gsizeforced);
  free(gbad);
  free(gnoncontig);
  free(gnest);
  free(hh);
  return err;
}

/* ---- public checker ------------------------------------------------------------ */

typedef struct lpair {
  int label, item;
} lpair_t;

static int cmp_lpair(const void *a, const void *b) {
  const lpair_t *x = a, *y = b;
  if (x->label != y->label) return x->label < y->label ? -1 : 1;
  return (x->item > y->item) - (x->item < y->item);
}

typedef struct pidx {
  int unit, idx;
} pidx_t;

static int cmp_pidx(const void *a, const void *b) {
  const pidx_t *x = a, *y = b;
  if (x->unit != y->unit) return x->unit < y->unit ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

wg_err wg_divide_check(const wg_divide_input_t *in, const int *labels,
                       const wg_divide_piece_t *pieces, int npieces,
                       wg_divide_result_t *out, wg_errinfo *ei) {
  if (!out) return wg_errinfo_set(ei, WG_EINVAL, "no result struct");
  memset(out, 0, sizeof *out);
  wg_err err = wg__dv_validate(in, ei);
  if (err) return err;
  if (in->n > 0 && !labels)
    return wg_errinfo_set(ei, WG_EINVAL, "no labels to check");
  if (npieces < 0 || (npieces > 0 && !pieces))
    return wg_errinfo_set(ei, WG_EINVAL, "bad pieces");
  int nu = in->n, L = in->nlevels;
  int *npiece = calloc((size_t)(nu > 0 ? nu : 1), sizeof(int));
  long *pw = malloc((size_t)(npieces > 0 ? npieces : 1) * sizeof(long));
  pidx_t *order = malloc((size_t)(npieces > 0 ? npieces : 1) * sizeof *order);
  long *psum = calloc((size_t)(nu > 0 ? nu : 1), sizeof(long));
  wg__dv_t dv;
  memset(&dv, 0, sizeof dv);
  int *lab = NULL;
  lpair_t *pairs = NULL;
  if (!npiece || !pw || !order || !psum) goto nomem;
  for (int k = 0; k < npieces; k++) {
    int u = pieces[k].unit;
    if (u < 0 || u >= nu || pieces[k].households < 0) {
      err = wg_errinfo_set(ei, WG_EINVAL, "piece %d: bad unit %d or "
                           "households %ld", k, u, pieces[k].households);
      goto fail;
    }
    order[k] = (pidx_t){u, k};
    npiece[u]++;
    psum[u] += pieces[k].households;
  }
  for (int u = 0; u < nu; u++)
    if (npiece[u] > 0 && psum[u] != in->households[u]) {
      err = wg_errinfo_set(ei, WG_EINVAL, "unit %d: pieces hold %ld "
                           "households, the unit %ld", u, psum[u],
                           in->households[u]);
      goto fail;
    }
  qsort(order, (size_t)npieces, sizeof *order, cmp_pidx);
  for (int k = 0; k < npieces; k++) pw[k] = pieces[order[k].idx].households;
  /* a unit with one piece stays whole */
  {
    int k = 0;
    for (int j = 0; j < npieces; j++)
      if (npiece[order[j].unit] > 1) pw[k++] = pw[j];
  }
  err = wg__dv_build(&dv, in, npiece, pw, ei);
  if (err) goto fail;
  int n = dv.n;
  size_t nn = n ? (size_t)n : 1;
  lab = malloc((size_t)L * nn * sizeof(int));
  pairs = malloc(nn * sizeof *pairs);
  if (!lab || !pairs) goto nomem;
  for (int u = 0; u < nu; u++)
    for (int l = 0; l < L; l++) {
      int b = dv.ustart[u];
      if (npiece[u] > 1) continue;
      int v = labels[(size_t)l * nu + u];
      lab[(size_t)l * n + b] = v >= 0 ? v : -1;
    }
  {
    int j = 0;
    while (j < npieces) {
      int u = order[j].unit;
      if (npiece[u] <= 1) {
        j++;
        continue;
      }
      for (int q = 0; q < npiece[u]; q++, j++)
        for (int l = 0; l < L; l++) {
          int v = pieces[order[j].idx].grid[l];
          lab[(size_t)l * n + dv.ustart[u] + q] = v >= 0 ? v : -1;
        }
    }
  }
  /* dense grid ids, level by level */
  int G = 0, gcap = 0;
  wg_divide_grid_t *grids = NULL;
  for (int l = 0; l < L; l++) {
    int k = 0;
    for (int i = 0; i < n; i++)
      if (lab[(size_t)l * n + i] >= 0)
        pairs[k++] = (lpair_t){lab[(size_t)l * n + i], i};
    qsort(pairs, (size_t)k, sizeof *pairs, cmp_lpair);
    for (int j = 0; j < k; j++) {
      if (j == 0 || pairs[j].label != pairs[j - 1].label) {
        if (wg__grow((void **)&grids, &gcap, G + 1, sizeof *grids)) {
          free(grids);
          goto nomem;
        }
        wg_divide_grid_t *gr = &grids[G++];
        memset(gr, 0, sizeof *gr);
        gr->level = l + 1;
        gr->group = dv.group[pairs[j].item];
        gr->parent = l > 0 ? lab[(size_t)(l - 1) * n + pairs[j].item] : -1;
      }
      lab[(size_t)l * n + pairs[j].item] = G - 1;
    }
  }
  out->n = nu;
  out->nlevels = L;
  out->grids = grids;
  out->ngrids = G;
  out->unit_grid = malloc((size_t)L * (nu > 0 ? nu : 1) * sizeof(int));
  if (!out->unit_grid) goto nomem;
  for (int u = 0; u < nu; u++)
    for (int l = 0; l < L; l++) {
      int b = dv.ustart[u], e = dv.ustart[u + 1];
      int g = lab[(size_t)l * n + b];
      for (int i = b + 1; i < e; i++)
        if (lab[(size_t)l * n + i] != g) g = WG_DIVIDE_SPLIT;
      out->unit_grid[(size_t)l * nu + u] = g;
    }
  if (npieces > 0) {
    out->pieces = malloc((size_t)(npieces > 0 ? npieces : 1) * sizeof *out->pieces);
    if (!out->pieces) goto nomem;
    for (int u = 0; u < nu; u++)
      for (int i = dv.ustart[u]; npiece[u] > 1 && i < dv.ustart[u + 1]; i++) {
        wg_divide_piece_t *pc = &out->pieces[out->npieces++];
        pc->unit = u;
        pc->households = dv.w[i];
        for (int l = 0; l < WG_DIVIDE_MAX_LEVELS; l++)
          pc->grid[l] = l < L ? lab[(size_t)l * n + i] : -1;
      }
  }
  err = wg__check_fill(&dv, lab, out);
  if (err) goto nomem;
  free(npiece);
  free(pw);
  free(order);
  free(psum);
  free(lab);
  free(pairs);
  wg__dv_free(&dv);
  return WG_OK;
nomem:
  err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory checking a plan");
fail:
  wg_divide_result_free(out);
  free(npiece);
  free(pw);
  free(order);
  free(psum);
  free(lab);
  free(pairs);
  wg__dv_free(&dv);
  return err;
}
