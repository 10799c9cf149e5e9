/* inst.c — input validation, unit → item expansion, graphs, k choice. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide_int.h"

wg_err wg__grow(void **arr, int *cap, int need, size_t sz) {
  if (need <= *cap) return WG_OK;
  long nc = *cap ? (long)*cap * 2 : 16;
  while (nc < need) nc *= 2;
  if (nc > INT_MAX) nc = INT_MAX;
  if (nc < need) return WG_ETOOBIG;
  void *q = realloc(*arr, (size_t)nc * sz);
  if (!q) return WG_ENOMEM;
  *arr = q;
  *cap = (int)nc;
  return WG_OK;
}

static int bounds_ok(const wg_divide_bounds_t *b) {
  return b->hi >= 1 && b->lo >= 0 && b->lo <= b->hi &&
         b->hi <= WG_DIVIDE_MAX_HOUSEHOLDS;
}

wg_err wg__dv_validate(const wg_divide_input_t *in, wg_errinfo *ei) {
  if (!in) return wg_errinfo_set(ei, WG_EINVAL, "no input");
  if (in->n < 0) return wg_errinfo_set(ei, WG_EINVAL, "negative unit count");
  if (in->n > WG_DIVIDE_MAX_UNITS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "%d units; the cap is %d", in->n,
                          WG_DIVIDE_MAX_UNITS);
  if (in->nlevels < 1 || in->nlevels > WG_DIVIDE_MAX_LEVELS)
    return wg_errinfo_set(ei, WG_EINVAL, "nlevels %d is not 1..3",
                          in->nlevels);
  for (int l = 0; l < in->nlevels; l++)
    if (!bounds_ok(&in->bounds[l]))
      return wg_errinfo_set(ei, WG_EINVAL,
                            "level %d bounds %ld-%ld: need 0 <= lo <= hi, "
                            "hi >= 1",
                            l + 1, in->bounds[l].lo, in->bounds[l].hi);
  if (in->n == 0) return WG_OK;
  if (!in->households || !in->x || !in->y || !in->adj_start ||
      (!in->adj && in->adj_start[in->n] > 0))
    return wg_errinfo_set(ei, WG_EINVAL,
                          "households, x, y and adjacency are required");
  int ngroups = in->group ? in->ngroups : 1;
  if (ngroups < 1) return wg_errinfo_set(ei, WG_EINVAL, "ngroups < 1");
  if (ngroups > WG_DIVIDE_MAX_UNITS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "%d groups; the cap is %d", ngroups,
                          WG_DIVIDE_MAX_UNITS);
  if (in->rules)
    for (int g = 0; g < ngroups; g++)
      if (in->rules[g].own_bounds)
        for (int l = 0; l < in->nlevels; l++)
          if (!bounds_ok(&in->rules[g].bounds[l]))
            return wg_errinfo_set(ei, WG_EINVAL,
                                  "group %d level %d bounds %ld-%ld invalid",
                                  g, l + 1, in->rules[g].bounds[l].lo,
                                  in->rules[g].bounds[l].hi);
  if (in->adj_start[0] != 0)
    return wg_errinfo_set(ei, WG_EINVAL, "adj_start[0] must be 0");
  long total = 0;
  for (int u = 0; u < in->n; u++) {
    long h = in->households[u];
    if (h < 0 || h > WG_DIVIDE_MAX_HOUSEHOLDS)
      return wg_errinfo_set(ei, WG_EINVAL, "unit %d: households %ld", u, h);
    total += h;
    if (total > WG_DIVIDE_MAX_HOUSEHOLDS)
      return wg_errinfo_set(ei, WG_ETOOBIG, "total households over %ld",
                            WG_DIVIDE_MAX_HOUSEHOLDS);
    if (!isfinite(in->x[u]) || !isfinite(in->y[u]))
      return wg_errinfo_set(ei, WG_EINVAL, "unit %d: coordinate not finite",
                            u);
    if (in->lonlat && (fabs(in->y[u]) > 90.0 || fabs(in->x[u]) > 360.0))
      return wg_errinfo_set(ei, WG_EINVAL, "unit %d: lon/lat %g,%g out of "
                            "range", u, in->x[u], in->y[u]);
    if (in->group && (in->group[u] < 0 || in->group[u] >= ngroups))
      return wg_errinfo_set(ei, WG_EINVAL, "unit %d: group %d not in 0..%d",
                            u, in->group[u], ngroups - 1);
    if (in->adj_start[u + 1] < in->adj_start[u])
      return wg_errinfo_set(ei, WG_EINVAL, "unit %d: adj_start decreases", u);
    for (int e = in->adj_start[u]; e < in->adj_start[u + 1]; e++)
      if (in->adj[e] < 0 || in->adj[e] >= in->n)
        return wg_errinfo_set(ei, WG_EINVAL,
                              "unit %d: neighbour %d not in 0..%d", u,
                              in->adj[e], in->n - 1);
    if (in->prev)
      for (int l = 0; l < in->nlevels; l++)
        if (in->prev[(size_t)l * in->n + u] < 0)
          return wg_errinfo_set(ei, WG_EINVAL,
                                "unit %d: previous level-%d number %d < 0", u,
                                l + 1, in->prev[(size_t)l * in->n + u]);
  }
  if (in->area || in->edge_length || in->outer_length)
    for (int u = 0; u < in->n; u++) {
      if (in->area && !(isfinite(in->area[u]) && in->area[u] >= 0))
        return wg_errinfo_set(ei, WG_EINVAL, "unit %d: area %g", u,
                              in->area[u]);
      if (in->outer_length &&
          !(isfinite(in->outer_length[u]) && in->outer_length[u] >= 0))
        return wg_errinfo_set(ei, WG_EINVAL, "unit %d: outer length %g", u,
                              in->outer_length[u]);
      for (int e = in->adj_start[u];
           in->edge_length && e < in->adj_start[u + 1]; e++)
        if (!(isfinite(in->edge_length[e]) && in->edge_length[e] >= 0))
          return wg_errinfo_set(ei, WG_EINVAL,
                                "unit %d: edge length %g to unit %d", u,
                                in->edge_length[e], in->adj[e]);
    }
  if (in->adj_start[in->n] > INT_MAX / 2)
    return wg_errinfo_set(ei, WG_ETOOBIG, "too many adjacency entries");
  if (in->nprev_pieces < 0 || (in->nprev_pieces > 0 && !in->prev_pieces))
    return wg_errinfo_set(ei, WG_EINVAL, "bad prev_pieces");
  for (int i = 0; i < in->nprev_pieces; i++) {
    const wg_divide_piece_t *pc = &in->prev_pieces[i];
    if (pc->unit < 0 || pc->unit >= in->n)
      return wg_errinfo_set(ei, WG_EINVAL, "prev_pieces[%d]: unit %d", i,
                            pc->unit);
    for (int l = 0; l < in->nlevels; l++)
      if (pc->grid[l] < 0)
        return wg_errinfo_set(ei, WG_EINVAL, "prev_pieces[%d]: number %d", i,
                              pc->grid[l]);
  }
  for (int i = 0; i < in->nused; i++) {
    const wg_divide_used_t *r = &in->used[i];
    if (r->group < 0 || r->group >= ngroups || r->level < 1 ||
        r->level > in->nlevels || r->max_number < 0)
      return wg_errinfo_set(ei, WG_EINVAL, "used[%d]: bad group/level/number",
                            i);
  }
  return WG_OK;
}

void wg__dv_bounds(const wg_divide_input_t *in, int group, int level,
                   long *lo, long *hi, int *whole) {
  const wg_divide_bounds_t *b = &in->bounds[level];
  int wh = 0;
  if (in->rules && in->group) {
    const wg_divide_group_rule_t *r = &in->rules[group];
    if (r->own_bounds) b = &r->bounds[level];
    wh = r->whole_l1 && level == 0;
  } else if (in->rules) {
    const wg_divide_group_rule_t *r = &in->rules[0];
    if (r->own_bounds) b = &r->bounds[level];
    wh = r->whole_l1 && level == 0;
  }
  *lo = b->lo;
  *hi = b->hi;
  if (whole) *whole = wh;
}

int wg__admits(long H, long lo, long hi, long *kmin, long *kmax) {
  long a = H <= 0 ? 1 : (H + hi - 1) / hi;
  if (a < 1) a = 1;
  long b = lo > 0 ? H / lo : LONG_MAX;
  if (kmin) *kmin = a;
  if (kmax) *kmax = b;
  return a <= b;
}

long wg__choose_k(long H, long lo, long hi, long maxparts) {
  long kmin, kmax, k;
  if (maxparts < 1) maxparts = 1;
  if (wg__admits(H, lo, hi, &kmin, &kmax)) {
    double mid = (lo + hi) / 2.0;
    k = (long)floor(H / mid + 0.5);
    if (k < kmin) k = kmin;
    if (k > kmax) k = kmax;
  } else {
    /* No admissible count: kmax = kmin - 1. Compare the two neighbours by
     * total violation. */
    long k1 = kmax, k2 = kmin;
    if (k1 < 1) {
      k = 1;
    } else {
      /* k1 parts of >= lo each would be over hi on average; k2 under lo */
      long v1 = H - k1 * hi, v2 = k2 * lo - H;
      k = v1 <= v2 ? k1 : k2;
    }
  }
  if (k > maxparts) k = maxparts;
  if (k < 1) k = 1;
  return k;
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void wg__dv_free(wg__dv_t *dv) {
  if (!dv) return;
  free(dv->w);
  free(dv->x);
  free(dv->y);
  free(dv->group);
  free(dv->unit);
  free(dv->ustart);
  free(dv->uxadj);
  free(dv->uadj);
  free(dv->xadj);
  free(dv->adj);
  free(dv->ia);
  free(dv->elen);
  free(dv->iext);
  memset(dv, 0, sizeof *dv);
}

/* Symmetric, deduplicated, same-group unit graph. */
static wg_err build_unit_graph(wg__dv_t *dv, const wg_divide_input_t *in) {
  int n = in->n;
  const int *grp = in->group;
  int *deg = calloc((size_t)(n > 0 ? n : 1) + 1, sizeof *deg);
  if (!deg) return WG_ENOMEM;
  for (int u = 0; u < n; u++)
    for (int e = in->adj_start[u]; e < in->adj_start[u + 1]; e++) {
      int v = in->adj[e];
      if (v == u || (grp && grp[u] != grp[v])) continue;
      deg[u]++;
      deg[v]++;
    }
  dv->uxadj = malloc(((size_t)n + 1) * sizeof(int));
  if (!dv->uxadj) {
    free(deg);
    return WG_ENOMEM;
  }
  long acc = 0;
  for (int u = 0; u < n; u++) {
    dv->uxadj[u] = (int)acc;
    acc += deg[u];
  }
  dv->uxadj[n] = (int)acc;
  dv->uadj = malloc((size_t)(acc > 0 ? acc : 1) * sizeof(int));
  if (!dv->uadj) {
    free(deg);
    return WG_ENOMEM;
  }
  for (int u = 0; u < n; u++) deg[u] = dv->uxadj[u];
  for (int u = 0; u < n; u++)
    for (int e = in->adj_start[u]; e < in->adj_start[u + 1]; e++) {
      int v = in->adj[e];
      if (v == u || (grp && grp[u] != grp[v])) continue;
      dv->uadj[deg[u]++] = v;
      dv->uadj[deg[v]++] = u;
    }
  /* sort and dedup each row, compacting in place */
  int out = 0;
  for (int u = 0; u < n; u++) {
    int b = dv->uxadj[u], e = dv->uxadj[u + 1];
    qsort(dv->uadj + b, (size_t)(e - b), sizeof(int), cmp_int);
    dv->uxadj[u] = out;
    for (int i = b; i < e; i++)
      if (i == b || dv->uadj[i] != dv->uadj[i - 1]) dv->uadj[out++] = dv->uadj[i];
  }
  dv->uxadj[n] = out;
  free(deg);
  return WG_OK;
}

/* Shared boundary length per unit-graph entry (*ulen) and boundary
 * towards other groups or nothing per unit (*uext), from the input. */
static wg_err unit_lengths(const wg__dv_t *dv, const wg_divide_input_t *in,
                           double **ulen, double **uext) {
  int n = in->n;
  const int *grp = in->group;
  *ulen = calloc((size_t)(dv->uxadj[n] > 0 ? dv->uxadj[n] : 1),
                 sizeof(double));
  *uext = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
  if (!*ulen || !*uext) return WG_ENOMEM;
  for (int u = 0; u < n; u++) {
    if (in->outer_length) (*uext)[u] += in->outer_length[u];
    for (int e = in->adj_start[u]; e < in->adj_start[u + 1]; e++) {
      int v = in->adj[e];
      double len = in->edge_length[e];
      if (v == u) continue;
      if (grp && grp[u] != grp[v]) {
        (*uext)[u] += len;
        continue;
      }
      for (int side = 0; side < 2; side++) {
        int a = side ? v : u, b = side ? u : v;
        const int *row = dv->uadj + dv->uxadj[a];
        const int *hit = bsearch(&b, row, (size_t)(dv->uxadj[a + 1] -
                                                   dv->uxadj[a]),
                                 sizeof(int), cmp_int);
        if (!hit) continue;
        double *slot = *ulen + (hit - dv->uadj);
        if (len > *slot) *slot = len;
      }
    }
  }
  return WG_OK;
}

/* Pieces of two neighbouring units are all joined pairwise when there are
 * at most this many pairs, as the checker assumes; beyond, only the first
 * pieces are (the graph would grow quadratically). A unit's own pieces form
 * a clique up to PIECE_CLIQUE pieces, a chain beyond. */
#define PIECE_PAIRS 64
#define PIECE_CLIQUE 8

wg_err wg__dv_build(wg__dv_t *dv, const wg_divide_input_t *in,
                    const int *npiece, const long *piece_w, wg_errinfo *ei) {
  memset(dv, 0, sizeof *dv);
  dv->in = in;
  dv->nunits = in->n;
  dv->nlevels = in->nlevels;
  dv->ngroups = in->group ? in->ngroups : 1;
  int n = in->n;
  dv->ustart = malloc(((size_t)n + 1) * sizeof(int));
  if (!dv->ustart) goto nomem;
  long items = 0;
  for (int u = 0; u < n; u++) {
    dv->ustart[u] = (int)items;
    items += (npiece && npiece[u] > 1) ? npiece[u] : 1;
    if (items > WG_DIVIDE_MAX_ITEMS) {
      wg__dv_free(dv);
      return wg_errinfo_set(ei, WG_ETOOBIG,
                            "more than %d units and pieces",
                            WG_DIVIDE_MAX_ITEMS);
    }
  }
  dv->ustart[n] = (int)items;
  dv->n = (int)items;
  size_t ni = items > 0 ? (size_t)items : 1;
  dv->w = malloc(ni * sizeof(long));
  dv->x = malloc(ni * sizeof(double));
  dv->y = malloc(ni * sizeof(double));
  dv->group = malloc(ni * sizeof(int));
  dv->unit = malloc(ni * sizeof(int));
  if (!dv->w || !dv->x || !dv->y || !dv->group || !dv->unit) goto nomem;

  double lat0 = 0.0;
  if (in->lonlat && n > 0) {
    double s = 0.0;
    for (int u = 0; u < n; u++) s += in->y[u];
    lat0 = s / n;
  }
  const double R = 6371008.8, d2r = 3.14159265358979323846 / 180.0;
  long pw = 0;
  for (int u = 0; u < n; u++) {
    double px = in->x[u], py = in->y[u];
    if (in->lonlat) {
      px = R * cos(lat0 * d2r) * in->x[u] * d2r;
      py = R * in->y[u] * d2r;
    }
    int g = in->group ? in->group[u] : 0;
    for (int i = dv->ustart[u]; i < dv->ustart[u + 1]; i++) {
      dv->w[i] = (npiece && npiece[u] > 1) ? piece_w[pw++] : in->households[u];
      dv->x[i] = px;
      dv->y[i] = py;
      dv->group[i] = g;
      dv->unit[i] = u;
    }
  }

  /* centre the coordinates so inertia sums keep their precision */
  if (dv->n > 0) {
    double mx = 0.0, my = 0.0;
    for (int i = 0; i < dv->n; i++) {
      mx += dv->x[i];
      my += dv->y[i];
    }
    mx /= dv->n;
    my /= dv->n;
    for (int i = 0; i < dv->n; i++) {
      dv->x[i] -= mx;
      dv->y[i] -= my;
    }
  }

  if (build_unit_graph(dv, in) != WG_OK) goto nomem;

  /* item graph: a whole unit is one item; the pieces of a split unit are
   * joined to each other and to every item of the neighbour units (each
   * piece is part of the same building), within the caps above */
  double *ulen = NULL, *uext = NULL;
  int geo = in->area && in->edge_length;
  if (geo && unit_lengths(dv, in, &ulen, &uext) != WG_OK) {
    free(ulen);
    free(uext);
    goto nomem;
  }
  long ne = 0;
  for (int u = 0; u < n; u++) {
    long np = dv->ustart[u + 1] - dv->ustart[u];
    for (int j = dv->uxadj[u]; j < dv->uxadj[u + 1]; j++) {
      int v = dv->uadj[j];
      long nq = dv->ustart[v + 1] - dv->ustart[v];
      ne += np * nq <= PIECE_PAIRS ? np * nq : 1;
    }
    ne += np <= PIECE_CLIQUE ? np * (np - 1) : 2L * (np - 1);
  }
  if (ne > INT_MAX) {
    free(ulen);
    free(uext);
    wg__dv_free(dv);
    return wg_errinfo_set(ei, WG_ETOOBIG, "graph too large");
  }
  dv->xadj = malloc(((size_t)dv->n + 1) * sizeof(int));
  dv->adj = malloc((size_t)(ne > 0 ? ne : 1) * sizeof(int));
  if (geo) {
    dv->elen = malloc((size_t)(ne > 0 ? ne : 1) * sizeof(double));
    dv->ia = malloc(ni * sizeof(double));
    dv->iext = malloc(ni * sizeof(double));
  }
  if (!dv->xadj || !dv->adj ||
      (geo && (!dv->elen || !dv->ia || !dv->iext))) {
    free(ulen);
    free(uext);
    goto nomem;
  }
  int k = 0;
  for (int u = 0; u < n; u++) {
    int b = dv->ustart[u], e = dv->ustart[u + 1], np = e - b;
    for (int i = b; i < e; i++) {
      dv->xadj[i] = k;
      if (geo) {
        dv->ia[i] = in->area[u] / np;
        dv->iext[i] = uext[u] / np;
      }
      for (int j = dv->uxadj[u]; j < dv->uxadj[u + 1]; j++) {
        int v = dv->uadj[j], vb = dv->ustart[v], nq = dv->ustart[v + 1] - vb;
        if ((long)np * nq <= PIECE_PAIRS) {
          for (int t = 0; t < nq; t++) {
            if (geo) dv->elen[k] = ulen[j] / ((double)np * nq);
            dv->adj[k++] = vb + t;
          }
        } else if (i == b) {
          if (geo) dv->elen[k] = ulen[j];
          dv->adj[k++] = vb;
        }
      }
      for (int t = b; t < e; t++) {
        if (t == i || (np > PIECE_CLIQUE && t != i - 1 && t != i + 1))
          continue;
        if (geo) dv->elen[k] = 0.0;
        dv->adj[k++] = t;
      }
    }
  }
  dv->xadj[dv->n] = k;
  free(ulen);
  free(uext);

  /* typical area per unit: the median squared edge length (sampled when
   * there are many edges) / 1.1, which is close to the area per point for a
   * triangulated lattice and for a random Delaunay graph alike */
  {
    int ue = dv->uxadj[n];
    int stride = ue > 200000 ? ue / 100000 : 1;
    int cap = ue / stride + 1, cnt = 0;
    double *len = malloc((size_t)(cap > 0 ? cap : 1) * sizeof(double));
    if (!len) goto nomem;
    for (int u = 0; u < n && cnt < cap; u++)
      for (int j = dv->uxadj[u]; j < dv->uxadj[u + 1] && cnt < cap; j++) {
        if (j % stride) continue;
        int v = dv->uadj[j];
        double dx = dv->x[dv->ustart[u]] - dv->x[dv->ustart[v]];
        double dy = dv->y[dv->ustart[u]] - dv->y[dv->ustart[v]];
        double d2 = dx * dx + dy * dy;
        if (d2 > 0) len[cnt++] = d2;
      }
    if (cnt > 0) {
      qsort(len, (size_t)cnt, sizeof(double), cmp_double);
      dv->area = len[cnt / 2] / 1.1;
    } else {
      dv->area = 1.0;
    }
    free(len);
  }
  return WG_OK;
nomem:
  wg__dv_free(dv);
  return wg_errinfo_set(ei, WG_ENOMEM, "out of memory building the graph");
}
