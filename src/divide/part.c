/* part.c — cutting one connected area into contiguous grids within bounds.
 *
 * 1. Recursive bisection: k parts are cut into floor(k/2) and the rest.
 *    Each cut grows side A from one end of a sweep direction (the principal
 *    axis of the units and its normal, both ways) by Prim's order on the
 *    projection, so A is connected; pockets of B cut off by A are given to
 *    A, so B is connected. Among the cuts whose A total fits the range that
 *    lets both sides hold their counts within bounds, the one with the least
 *    moment of inertia wins. If no sweep fits, any edge of a BFS spanning
 *    tree whose subtree fits is taken; failing that, the closest cut.
 * 2. If a part is still out of bounds and the area admits a count, a tree
 *    DP over a spanning tree (bitsets of reachable open-component totals
 *    0..hi) finds a partition into subtrees all within bounds when one
 *    exists on that tree; DP_TREES depth- and breadth-first trees from
 *    spread roots are tried. Small areas (EXACT_MAX units) the trees fail
 *    on get an exhaustive search over connected parts (ESU enumeration),
 *    within a step budget.
 * 3. wg__refine then moves boundary units between neighbouring grids,
 *    keeping contiguity: first to reduce bound violations, then to reduce
 *    total moment of inertia (a contiguous, bounded k-means), or, when the
 *    input gives areas and shared boundary lengths, to raise the sum of the
 *    grids' Polsby-Popper scores. Violations single moves cannot reduce get
 *    pairs of moves (one unit passed on through a third grid).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide_int.h"

#define BFS_CAP 50000         /* refine's contiguity probe gives up here */
#define DP_BUDGET 30000000.0  /* m * (hi+1) * words for the tree DP */
#define DP_TREES 24           /* spanning trees the DP tries */
#define EXACT_MAX 40          /* exact search for areas of at most this many */
#define EXACT_BUDGET 200000L  /* ... and at most this many search steps */

wg_err wg__part_init(wg__part_t *p, const wg__dv_t *dv, int *lab) {
  memset(p, 0, sizeof *p);
  p->dv = dv;
  p->lab = lab;
  size_t n = dv->n > 0 ? (size_t)dv->n : 1;
  p->mark = calloc(n, sizeof(int));
  p->loc = calloc(n, sizeof(int));
  p->vis = calloc(n, sizeof(int));
  p->reg = calloc(n, sizeof(int));
  p->queue = calloc(n, sizeof(int));
  if (!p->mark || !p->loc || !p->vis || !p->reg || !p->queue) {
    wg__part_free(p);
    return WG_ENOMEM;
  }
  return WG_OK;
}

void wg__part_free(wg__part_t *p) {
  if (!p) return;
  free(p->mark);
  free(p->loc);
  free(p->vis);
  free(p->reg);
  free(p->queue);
  free(p->gw);
  free(p->gm);
  free(p->gsx);
  free(p->gsy);
  free(p->ga);
  free(p->gp);
  free(p->gfrozen);
  memset(p, 0, sizeof *p);
}

wg_err wg__part_reserve(wg__part_t *p, int need) {
  if (need <= p->gcap) return WG_OK;
  int nc = p->gcap ? p->gcap : 64;
  while (nc < need) {
    if (nc > INT_MAX / 2) return WG_ETOOBIG;
    nc *= 2;
  }
  long *gw = realloc(p->gw, (size_t)nc * sizeof *gw);
  if (gw) p->gw = gw;
  int *gm = realloc(p->gm, (size_t)nc * sizeof *gm);
  if (gm) p->gm = gm;
  double *a = realloc(p->gsx, (size_t)nc * sizeof *a);
  if (a) p->gsx = a;
  double *b = realloc(p->gsy, (size_t)nc * sizeof *b);
  if (b) p->gsy = b;
  int *f = realloc(p->gfrozen, (size_t)nc * sizeof *f);
  if (f) p->gfrozen = f;
  double *ga = realloc(p->ga, (size_t)nc * sizeof *ga);
  if (ga) p->ga = ga;
  double *gp = realloc(p->gp, (size_t)nc * sizeof *gp);
  if (gp) p->gp = gp;
  if (!gw || !gm || !a || !b || !f || !ga || !gp) return WG_ENOMEM;
  for (int i = p->gcap; i < nc; i++) p->gfrozen[i] = 0;
  p->gcap = nc;
  return WG_OK;
}

/* ---- bisection ---------------------------------------------------------- */

typedef struct bis {
  wg__part_t *p;
  int *S;
  int m;
  double *key;
  int *order, *pos, *heap, *comp;
  long *W;
  unsigned char *side, *best_side;
  long rlo, rhi;
  double target;
  long best_dist;
  double best_score;
  int have_best;
} bis_t;

static int heap_less(const bis_t *b, int i, int j) {
  if (b->key[i] != b->key[j]) return b->key[i] < b->key[j];
  return b->S[i] < b->S[j];
}

static void heap_push(bis_t *b, int *hn, int v) {
  int i = (*hn)++;
  b->heap[i] = v;
  while (i > 0) {
    int par = (i - 1) / 2;
    if (!heap_less(b, b->heap[i], b->heap[par])) break;
    int t = b->heap[i];
    b->heap[i] = b->heap[par];
    b->heap[par] = t;
    i = par;
  }
}

static int heap_pop(bis_t *b, int *hn) {
  int top = b->heap[0];
  b->heap[0] = b->heap[--(*hn)];
  int i = 0;
  for (;;) {
    int l = 2 * i + 1, r = l + 1, s = i;
    if (l < *hn && heap_less(b, b->heap[l], b->heap[s])) s = l;
    if (r < *hn && heap_less(b, b->heap[r], b->heap[s])) s = r;
    if (s == i) break;
    int t = b->heap[i];
    b->heap[i] = b->heap[s];
    b->heap[s] = t;
    i = s;
  }
  return top;
}

/* Prim order on key from the minimum-key unit; fills order, pos, W. */
static void prim_order(bis_t *b) {
  wg__part_t *p = b->p;
  const wg__dv_t *dv = p->dv;
  int m = b->m, start = 0;
  for (int i = 1; i < m; i++)
    if (heap_less(b, i, start)) start = i;
  int stamp = ++p->visstamp;
  int hn = 0, cnt = 0;
  heap_push(b, &hn, start);
  p->vis[b->S[start]] = stamp;
  while (hn > 0) {
    int i = heap_pop(b, &hn);
    b->pos[i] = cnt;
    b->order[cnt++] = i;
    int v = b->S[i];
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
      int u = dv->adj[e];
      if (p->mark[u] != p->stamp || p->vis[u] == stamp) continue;
      p->vis[u] = stamp;
      heap_push(b, &hn, p->loc[u]);
    }
  }
  /* the area is connected, but be safe: append anything unreached */
  for (int i = 0; i < m && cnt < m; i++)
    if (p->vis[b->S[i]] != stamp) {
      b->pos[i] = cnt;
      b->order[cnt++] = i;
    }
  b->W[0] = 0;
  for (int t = 0; t < m; t++) b->W[t + 1] = b->W[t] + dv->w[b->S[b->order[t]]];
}

static double side_inertia(const bis_t *b, int s) {
  const wg__dv_t *dv = b->p->dv;
  double sx = 0, sy = 0, sq = 0;
  int cnt = 0;
  for (int i = 0; i < b->m; i++)
    if (b->side[i] == s) {
      double x = dv->x[b->S[i]], y = dv->y[b->S[i]];
      sx += x;
      sy += y;
      sq += x * x + y * y;
      cnt++;
    }
  return cnt ? sq - (sx * sx + sy * sy) / cnt : 0.0;
}

/* Take the first t units of the order as A, hand B's pockets to A, score. */
static long eval_cut(bis_t *b, int t) {
  wg__part_t *p = b->p;
  const wg__dv_t *dv = p->dv;
  int m = b->m;
  for (int i = 0; i < m; i++) b->side[i] = b->pos[i] < t ? 0 : 1;
  /* components of B */
  int stamp = ++p->visstamp;
  int ncomp = 0, main_comp = -1;
  long main_w = -1;
  int main_n = 0;
  for (int i0 = 0; i0 < m; i0++) {
    if (b->side[i0] != 1 || p->vis[b->S[i0]] == stamp) continue;
    int qh = 0, qt = 0;
    long cw = 0;
    p->queue[qt++] = b->S[i0];
    p->vis[b->S[i0]] = stamp;
    while (qh < qt) {
      int v = p->queue[qh++];
      b->comp[p->loc[v]] = ncomp;
      cw += dv->w[v];
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->mark[u] != p->stamp || p->vis[u] == stamp ||
            b->side[p->loc[u]] != 1)
          continue;
        p->vis[u] = stamp;
        p->queue[qt++] = u;
      }
    }
    if (cw > main_w || (cw == main_w && qt > main_n)) {
      main_w = cw;
      main_n = qt;
      main_comp = ncomp;
    }
    ncomp++;
  }
  long wA = 0;
  for (int i = 0; i < m; i++) {
    if (b->side[i] == 1 && b->comp[i] != main_comp) b->side[i] = 0;
    if (b->side[i] == 0) wA += dv->w[b->S[i]];
  }
  int nA = 0;
  for (int i = 0; i < m; i++) nA += b->side[i] == 0;
  if (nA == 0 || nA == m) return LONG_MAX;
  long dist = wA < b->rlo ? b->rlo - wA : (wA > b->rhi ? wA - b->rhi : 0);
  double score = side_inertia(b, 0) + side_inertia(b, 1);
  if (!b->have_best || dist < b->best_dist ||
      (dist == b->best_dist && score < b->best_score)) {
    b->have_best = 1;
    b->best_dist = dist;
    b->best_score = score;
    memcpy(b->best_side, b->side, (size_t)m);
  }
  return dist;
}

static long absl(long v) { return v < 0 ? -v : v; }

/* Fallback: cut one edge of a BFS spanning tree whose subtree fits. */
static int tree_cut(bis_t *b, int root) {
  wg__part_t *p = b->p;
  const wg__dv_t *dv = p->dv;
  int m = b->m;
  int *par = b->comp; /* reuse: parent local index */
  long *sub = b->W;   /* reuse: subtree weights (m+1 long) */
  int stamp = ++p->visstamp;
  int qh = 0, qt = 0;
  b->order[qt++] = root;
  par[root] = -1;
  p->vis[b->S[root]] = stamp;
  while (qh < qt) {
    int i = b->order[qh++];
    int v = b->S[i];
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
      int u = dv->adj[e];
      if (p->mark[u] != p->stamp || p->vis[u] == stamp) continue;
      p->vis[u] = stamp;
      par[p->loc[u]] = i;
      b->order[qt++] = p->loc[u];
    }
  }
  if (qt < m) return 0;
  long H = 0;
  for (int i = 0; i < m; i++) {
    sub[i] = dv->w[b->S[i]];
    H += sub[i];
  }
  for (int k = m - 1; k > 0; k--) sub[par[b->order[k]]] += sub[b->order[k]];
  int cut = -1, sub_is_a = 0;
  long bestdev = LONG_MAX;
  for (int k = 1; k < m; k++) {
    int i = b->order[k];
    long s = sub[i];
    if (s >= b->rlo && s <= b->rhi && absl(s - (long)b->target) < bestdev) {
      bestdev = absl(s - (long)b->target);
      cut = i;
      sub_is_a = 1;
    }
    if (H - s >= b->rlo && H - s <= b->rhi &&
        absl(H - s - (long)b->target) < bestdev) {
      bestdev = absl(H - s - (long)b->target);
      cut = i;
      sub_is_a = 0;
    }
  }
  if (cut < 0) return 0;
  /* BFS order puts parents first: the cut node and its descendants form
   * the subtree */
  for (int k = 0; k < m; k++) {
    int i = b->order[k];
    int insub = (i == cut) || (k > 0 && b->side[par[i]]);
    b->side[i] = (unsigned char)insub;
    b->best_side[i] = (unsigned char)(sub_is_a ? !insub : insub);
  }
  b->have_best = 1;
  b->best_dist = 0;
  return 1;
}

/* Split S[0..m) into A (kA parts) and B (kB parts); reorder S with A first
 * and return |A|, or -1 on ENOMEM. */
static int split2(wg__part_t *p, int *S, int m, long kA, long kB, long lo,
                  long hi) {
  const wg__dv_t *dv = p->dv;
  bis_t b;
  memset(&b, 0, sizeof b);
  b.p = p;
  b.S = S;
  b.m = m;
  b.key = malloc((size_t)(m > 0 ? m : 1) * sizeof *b.key);
  b.order = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  b.pos = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  b.heap = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  b.comp = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  b.W = malloc(((size_t)m + 1) * sizeof(long));
  b.side = malloc((size_t)(m > 0 ? m : 1));
  b.best_side = malloc((size_t)(m > 0 ? m : 1));
  int ret = -1;
  if (!b.key || !b.order || !b.pos || !b.heap || !b.comp || !b.W || !b.side ||
      !b.best_side)
    goto done;

  p->stamp++;
  long H = 0;
  double mx = 0, my = 0;
  for (int i = 0; i < m; i++) {
    int v = S[i];
    p->mark[v] = p->stamp;
    p->loc[v] = i;
    H += dv->w[v];
    mx += dv->x[v];
    my += dv->y[v];
  }
  mx /= m;
  my /= m;
  double cxx = 0, cxy = 0, cyy = 0;
  for (int i = 0; i < m; i++) {
    double dx = dv->x[S[i]] - mx, dy = dv->y[S[i]] - my;
    cxx += dx * dx;
    cxy += dx * dy;
    cyy += dy * dy;
  }
  double th = 0.5 * atan2(2 * cxy, cxx - cyy);
  double e1x = cos(th), e1y = sin(th);
  long lhs = kA * lo, rhs = H - kB * hi;
  b.rlo = lhs > rhs ? lhs : rhs;
  lhs = kA * hi;
  rhs = H - kB * lo;
  b.rhi = lhs < rhs ? lhs : rhs;
  b.target = (double)H * (double)kA / (double)(kA + kB);

  int start0 = 0;
  for (int d = 0; d < 4; d++) {
    double dx = d < 2 ? e1x : -e1y, dy = d < 2 ? e1y : e1x;
    if (d & 1) {
      dx = -dx;
      dy = -dy;
    }
    for (int i = 0; i < m; i++)
      b.key[i] = dx * (dv->x[S[i]] - mx) + dy * (dv->y[S[i]] - my);
    prim_order(&b);
    if (d == 0) start0 = b.order[0];
    int tbest = 1;
    double dev = INFINITY;
    for (int t = 1; t < m; t++) {
      double dd = fabs((double)b.W[t] - b.target);
      if (dd < dev) {
        dev = dd;
        tbest = t;
      }
    }
    if (eval_cut(&b, tbest) == 0) continue;
    if (b.rlo <= b.rhi) {
      int tlo = -1, thi = -1;
      for (int t = 1; t < m; t++) {
        if (tlo < 0 && b.W[t] >= b.rlo) tlo = t;
        if (b.W[t] <= b.rhi) thi = t;
      }
      int cands[4] = {tlo, thi, tlo >= 0 ? (tlo + tbest) / 2 : -1,
                      thi >= 0 ? (tbest + thi) / 2 : -1};
      for (int c = 0; c < 4; c++)
        if (cands[c] >= 1 && cands[c] < m && cands[c] != tbest)
          eval_cut(&b, cands[c]);
    }
  }
  if (!b.have_best || b.best_dist > 0) {
    long keep_dist = b.have_best ? b.best_dist : LONG_MAX;
    double keep_score = b.best_score;
    unsigned char *keep = malloc((size_t)(m > 0 ? m : 1));
    if (!keep) goto done;
    if (b.have_best) memcpy(keep, b.best_side, (size_t)m);
    int had = b.have_best;
    if (!tree_cut(&b, start0)) {
      b.have_best = had;
      b.best_dist = keep_dist;
      b.best_score = keep_score;
      if (had) memcpy(b.best_side, keep, (size_t)m);
    }
    free(keep);
  }
  if (!b.have_best) {
    /* degenerate (e.g. unreachable units): first unit alone */
    memset(b.best_side, 1, (size_t)m);
    b.best_side[0] = 0;
  }
  /* stable reorder: A first */
  int *tmp = b.order;
  int k = 0;
  for (int i = 0; i < m; i++)
    if (b.best_side[i] == 0) tmp[k++] = S[i];
  ret = k;
  for (int i = 0; i < m; i++)
    if (b.best_side[i] == 1) tmp[k++] = S[i];
  memcpy(S, tmp, (size_t)m * sizeof(int));
done:
  free(b.key);
  free(b.order);
  free(b.pos);
  free(b.heap);
  free(b.comp);
  free(b.W);
  free(b.side);
  free(b.best_side);
  return ret;
}

/* ---- tree DP -------------------------------------------------------------- */

static void shl_or(uint64_t *dst, const uint64_t *src, long t, int W) {
  int ws = (int)(t / 64), bs = (int)(t % 64);
  for (int i = W - 1; i >= ws; i--) {
    uint64_t v = src[i - ws] << bs;
    if (bs && i - ws - 1 >= 0) v |= src[i - ws - 1] >> (64 - bs);
    dst[i] |= v;
  }
}

static int bit_get(const uint64_t *s, long t) {
  return (int)((s[t >> 6] >> (t & 63)) & 1u);
}

/* Nearest set bit in [lo, hi] to mid, or -1. */
static long nearest_in(const uint64_t *s, long lo, long hi, double mid) {
  long best = -1;
  double bd = INFINITY;
  for (long t = lo; t <= hi; t++)
    if (bit_get(s, t) && fabs((double)t - mid) < bd) {
      bd = fabs((double)t - mid);
      best = t;
    }
  return best;
}

/* Partition S[0..m) into subtrees of a BFS tree from S[root] with totals in
 * [lo, hi]. Labels next_label.. on success; returns parts, 0 when this tree
 * allows none, -1 on ENOMEM. */
static int tree_dp(wg__part_t *p, int *S, int m, long lo, long hi, int root,
                   int dfs, int next_label) {
  const wg__dv_t *dv = p->dv;
  int W = (int)(hi / 64) + 1;
  int ret = -1;
  int *order = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *par = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *cstart = calloc((size_t)(m > 0 ? m : 1) + 1, sizeof(int));
  int *clist = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  long *tgt = malloc((size_t)(m > 0 ? m : 1) * sizeof(long));
  int *lbl = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  uint64_t *R = calloc((size_t)(m > 0 ? m : 1) * W, sizeof(uint64_t));
  uint64_t *Pb = calloc((size_t)(m > 0 ? m : 1) * W, sizeof(uint64_t));
  uint64_t *tmp = malloc((size_t)W * sizeof(uint64_t));
  if (!order || !par || !cstart || !clist || !tgt || !lbl || !R || !Pb || !tmp)
    goto done;
  ret = 0;
  p->stamp++;
  for (int i = 0; i < m; i++) {
    p->mark[S[i]] = p->stamp;
    p->loc[S[i]] = i;
  }
  int stamp = ++p->visstamp;
  int qt = 0;
  if (!dfs) {
    int qh = 0;
    order[qt++] = root;
    par[root] = -1;
    p->vis[S[root]] = stamp;
    while (qh < qt) {
      int i = order[qh++];
      int v = S[i];
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->mark[u] != p->stamp || p->vis[u] == stamp) continue;
        p->vis[u] = stamp;
        par[p->loc[u]] = i;
        order[qt++] = p->loc[u];
      }
    }
  } else {
    /* depth-first: long paths, which cut more freely than bushy trees.
     * stk holds local indices, tgt[] their next edge offset. */
    int *stk = clist; /* free until the children lists are built */
    int sp = 0;
    stk[sp++] = root;
    par[root] = -1;
    p->vis[S[root]] = stamp;
    order[qt++] = root;
    tgt[root] = dv->xadj[S[root]];
    while (sp > 0) {
      int i = stk[sp - 1], v = S[i];
      int e = (int)tgt[i];
      while (e < dv->xadj[v + 1] &&
             (p->mark[dv->adj[e]] != p->stamp || p->vis[dv->adj[e]] == stamp))
        e++;
      if (e >= dv->xadj[v + 1]) {
        sp--;
        continue;
      }
      tgt[i] = e + 1;
      int u = dv->adj[e], j = p->loc[u];
      p->vis[u] = stamp;
      par[j] = i;
      order[qt++] = j;
      tgt[j] = dv->xadj[u];
      stk[sp++] = j;
    }
  }
  if (qt < m) goto done;
  for (int k = 1; k < m; k++) cstart[par[order[k]] + 1]++;
  for (int i = 0; i < m; i++) cstart[i + 1] += cstart[i];
  {
    int *fill = lbl; /* temp */
    for (int i = 0; i < m; i++) fill[i] = cstart[i];
    for (int k = 1; k < m; k++) clist[fill[par[order[k]]]++] = order[k];
  }
  uint64_t lastmask =
      (hi % 64 == 63) ? ~(uint64_t)0 : (((uint64_t)1 << (hi % 64 + 1)) - 1);
  for (int k = m - 1; k >= 0; k--) {
    int v = order[k];
    uint64_t *cur = R + (size_t)v * W;
    long wv = dv->w[S[v]];
    if (wv > hi) goto done;
    cur[wv >> 6] |= (uint64_t)1 << (wv & 63);
    for (int c = cstart[v]; c < cstart[v + 1]; c++) {
      int ch = clist[c];
      const uint64_t *rc = R + (size_t)ch * W;
      memcpy(Pb + (size_t)ch * W, cur, (size_t)W * sizeof(uint64_t));
      memset(tmp, 0, (size_t)W * sizeof(uint64_t));
      if (nearest_in(rc, lo, hi, (lo + hi) / 2.0) >= 0)
        memcpy(tmp, cur, (size_t)W * sizeof(uint64_t));
      for (long t = 0; t <= hi; t++)
        if (bit_get(rc, t)) shl_or(tmp, cur, t, W);
      tmp[W - 1] &= lastmask;
      memcpy(cur, tmp, (size_t)W * sizeof(uint64_t));
    }
  }
  double mid = (lo + hi) / 2.0;
  long s0 = nearest_in(R + (size_t)root * W, lo, hi, mid);
  if (s0 < 0) goto done;
  int parts = 1;
  tgt[root] = s0;
  lbl[root] = next_label;
  for (int k = 0; k < m; k++) {
    int v = order[k];
    long s = tgt[v];
    for (int c = cstart[v + 1] - 1; c >= cstart[v]; c--) {
      int ch = clist[c];
      const uint64_t *rc = R + (size_t)ch * W, *prior = Pb + (size_t)ch * W;
      long close = nearest_in(rc, lo, hi, mid);
      if (close >= 0 && bit_get(prior, s)) {
        lbl[ch] = next_label + parts++;
        tgt[ch] = close;
        continue;
      }
      long found = -1;
      for (long t = 0; t <= s; t++)
        if (bit_get(rc, t) && bit_get(prior, s - t)) {
          found = t;
          break;
        }
      if (found < 0) { /* cannot happen if the DP is right; refuse */
        ret = 0;
        goto done;
      }
      lbl[ch] = lbl[v];
      tgt[ch] = found;
      s -= found;
    }
  }
  for (int i = 0; i < m; i++) p->lab[S[i]] = lbl[i];
  ret = parts;
done:
  free(order);
  free(par);
  free(cstart);
  free(clist);
  free(tgt);
  free(lbl);
  free(R);
  free(Pb);
  free(tmp);
  return ret;
}

/* ---- exact search for small areas ---------------------------------------- */

/* Depth-first search over partitions of a small connected area into
 * connected parts within [lo, hi]. The part holding the lowest unassigned
 * unit is enumerated with ESU (each connected set once: grow only by
 * exclusive neighbours of higher index). Bounded by a step budget. */
typedef struct ex {
  wg__part_t *p;
  const int *S;
  int m;
  long lo, hi;
  int *asg;       /* part of each local unit, -1 unassigned */
  int *nbc;       /* set members adjacent to each local unit */
  unsigned char *inset;
  int *set;       /* sets being grown, m entries per part depth */
  int *extbuf;    /* ext lists, stacked */
  long top;       /* first free entry of extbuf */
  int parts;
  long budget;
} ex_t;

static int ex_rec(ex_t *e);

/* neighbours of local unit i, as local indices */
#define EX_FOR_NB(e, i, u, body)                                          \
  do {                                                                    \
    int v_ = (e)->S[i];                                                   \
    for (int x_ = (e)->p->dv->xadj[v_]; x_ < (e)->p->dv->xadj[v_ + 1]; x_++) { \
      int g_ = (e)->p->dv->adj[x_];                                       \
      if ((e)->p->mark[g_] != (e)->p->stamp) continue;                    \
      int u = (e)->p->loc[g_];                                            \
      body                                                                \
    }                                                                     \
  } while (0)

static int ex_grow(ex_t *e, int s, int k, long sum, int *ext, int next) {
  if (--e->budget < 0) return -1;
  int *set = e->set + (size_t)e->parts * e->m;
  if (sum >= e->lo && sum <= e->hi) {
    for (int j = 0; j < k; j++) e->asg[set[j]] = e->parts;
    e->parts++;
    int r = ex_rec(e);
    if (r != 0) return r;
    e->parts--;
    for (int j = 0; j < k; j++) e->asg[set[j]] = -1;
  }
  for (int t = next - 1; t >= 0; t--) {
    int w = ext[t];
    if (sum + e->p->dv->w[e->S[w]] > e->hi) continue;
    /* new ext: ext[0..t) plus exclusive neighbours of w above s */
    int *ne = e->extbuf + e->top;
    int nn = 0;
    for (int j = 0; j < t; j++) ne[nn++] = ext[j];
    e->inset[w] = 1;
    set[k] = w;
    EX_FOR_NB(e, w, u, {
      if (e->nbc[u]++ == 0 && !e->inset[u] && u > s && e->asg[u] < 0) {
        int dup = 0;
        for (int j = 0; j < nn; j++) dup |= ne[j] == u;
        if (!dup) ne[nn++] = u;
      }
    });
    e->top += nn;
    int r = ex_grow(e, s, k + 1, sum + e->p->dv->w[e->S[w]], ne, nn);
    e->top -= nn;
    EX_FOR_NB(e, w, u, { e->nbc[u]--; });
    e->inset[w] = 0;
    if (r != 0) return r;
  }
  return 0;
}

static int ex_rec(ex_t *e) {
  int s = -1;
  for (int i = 0; i < e->m; i++)
    if (e->asg[i] < 0) {
      s = i;
      break;
    }
  if (s < 0) return 1;
  e->inset[s] = 1;
  e->set[(size_t)e->parts * e->m] = s;
  int *ext = e->extbuf + e->top;
  int nn = 0;
  EX_FOR_NB(e, s, u, {
    if (e->nbc[u]++ == 0 && u > s && e->asg[u] < 0) {
      int dup = 0;
      for (int j = 0; j < nn; j++) dup |= ext[j] == u;
      if (!dup) ext[nn++] = u;
    }
  });
  e->top += nn;
  int r = ex_grow(e, s, 1, e->p->dv->w[e->S[s]], ext, nn);
  e->top -= nn;
  EX_FOR_NB(e, s, u, { e->nbc[u]--; });
  e->inset[s] = 0;
  return r;
}

/* Returns parts (labels next_label..) on success, 0 if none found within
 * the budget, -1 on ENOMEM. */
static int exact_search(wg__part_t *p, const int *S, int m, long lo, long hi,
                        int next_label) {
  ex_t e;
  memset(&e, 0, sizeof e);
  e.p = p;
  e.S = S;
  e.m = m;
  e.lo = lo;
  e.hi = hi;
  e.budget = EXACT_BUDGET;
  e.asg = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  e.nbc = calloc((size_t)m, sizeof(int));
  e.inset = calloc((size_t)m, 1);
  e.set = malloc((size_t)(m > 0 ? m : 1) * m * sizeof(int));
  /* ext lists: at most m entries per frame, at most m*m nested frames */
  e.extbuf = malloc(((size_t)m * m * m + m) * sizeof(int));
  int ret = -1;
  if (!e.asg || !e.nbc || !e.inset || !e.set || !e.extbuf) goto done;
  p->stamp++;
  for (int i = 0; i < m; i++) {
    p->mark[S[i]] = p->stamp;
    p->loc[S[i]] = i;
    e.asg[i] = -1;
  }
  ret = ex_rec(&e) == 1 ? e.parts : 0;
  if (ret > 0)
    for (int i = 0; i < m; i++) p->lab[S[i]] = next_label + e.asg[i];
done:
  free(e.asg);
  free(e.nbc);
  free(e.inset);
  free(e.set);
  free(e.extbuf);
  return ret;
}

/* Parts next_label..next_label+parts-1 of S[0..m) still out of bounds:
 * search each such part together with its neighbouring parts exhaustively
 * (when they hold at most EXACT_MAX items) and, when a cut of that
 * neighbourhood within bounds exists, take it. Labels are then made dense
 * again. Returns the number of parts, or -1 on ENOMEM. */
#define LOCAL_EXACT_CALLS 64
static int local_exact(wg__part_t *p, int *S, int m, long lo, long hi,
                       int next_label, int parts) {
  const wg__dv_t *dv = p->dv;
  int cap = parts + m + 1;
  long *pw = calloc((size_t)cap, sizeof(long));
  char *inL = calloc((size_t)cap, 1);
  int *Ls = malloc((size_t)cap * sizeof(int));
  int *T = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *dense = malloc((size_t)cap * sizeof(int));
  int ret = -1;
  if (!pw || !inL || !Ls || !T || !dense) goto out;
  for (int i = 0; i < m; i++) pw[p->lab[S[i]] - next_label] += dv->w[S[i]];
  int nl = parts, calls = 0;
  for (int g = 0; g < nl && calls < LOCAL_EXACT_CALLS; g++) {
    if (!wg__viol(pw[g], lo, hi)) continue;
    p->stamp++;
    for (int i = 0; i < m; i++) p->mark[S[i]] = p->stamp;
    int nL = 0;
    Ls[nL++] = g;
    inL[g] = 1;
    for (int i = 0; i < m; i++) {
      if (p->lab[S[i]] - next_label != g) continue;
      for (int e = dv->xadj[S[i]]; e < dv->xadj[S[i] + 1]; e++) {
        int u = dv->adj[e];
        if (p->mark[u] != p->stamp) continue;
        int h = p->lab[u] - next_label;
        if (!inL[h]) {
          inL[h] = 1;
          Ls[nL++] = h;
        }
      }
    }
    int cnt = 0;
    for (int i = 0; i < m; i++)
      if (inL[p->lab[S[i]] - next_label]) T[cnt++] = S[i];
    for (int j = 0; j < nL; j++) inL[Ls[j]] = 0;
    if (cnt > EXACT_MAX || nl + cnt > cap - 1) continue;
    calls++;
    int tmp = next_label + cap; /* labels above every part */
    int got = exact_search(p, T, cnt, lo, hi, tmp);
    if (got < 0) goto out;
    if (got == 0) continue;
    /* the neighbourhood's labels are reused, new ones appended */
    for (int j = 0; j < nL; j++) pw[Ls[j]] = 0;
    for (int i = 0; i < cnt; i++) {
      int a = p->lab[T[i]] - tmp;
      int h = a < nL ? Ls[a] : nl + (a - nL);
      p->lab[T[i]] = next_label + h;
      pw[h] += dv->w[T[i]];
    }
    if (got > nL) nl += got - nL;
    g = -1; /* labels moved: look again from the start */
  }
  for (int h = 0; h < nl; h++) dense[h] = -1;
  int k = 0;
  for (int i = 0; i < m; i++) {
    int h = p->lab[S[i]] - next_label;
    if (dense[h] < 0) dense[h] = k++;
  }
  for (int i = 0; i < m; i++)
    p->lab[S[i]] = next_label + dense[p->lab[S[i]] - next_label];
  ret = k;
out:
  free(pw);
  free(inL);
  free(Ls);
  free(T);
  free(dense);
  return ret;
}

/* ---- driver --------------------------------------------------------------- */

typedef struct span {
  int off, len;
  long k;
} span_t;

static int cmp_item(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int wg__part_region(wg__part_t *p, int *S, int m, long lo, long hi,
                    int next_label) {
  const wg__dv_t *dv = p->dv;
  if (m <= 0) return 0;
  /* the result must not depend on how the caller listed the units */
  qsort(S, (size_t)m, sizeof(int), cmp_item);
  long H = 0, nz = 0;
  for (int i = 0; i < m; i++) {
    H += dv->w[S[i]];
    nz += dv->w[S[i]] > 0;
  }
  long k = wg__choose_k(H, lo, hi, nz > 0 ? nz : 1);
  span_t *st = malloc((size_t)(m > 0 ? m : 1) * sizeof *st);
  if (!st) return -1;
  int top = 0, parts = 0;
  st[top++] = (span_t){0, m, k};
  while (top > 0) {
    span_t s = st[--top];
    if (s.k <= 1 || s.len <= 1) {
      for (int i = 0; i < s.len; i++) p->lab[S[s.off + i]] = next_label + parts;
      parts++;
      continue;
    }
    long kA = s.k / 2, kB = s.k - kA;
    int mA = split2(p, S + s.off, s.len, kA, kB, lo, hi);
    if (mA < 0) {
      free(st);
      return -1;
    }
    /* never ask a side for more parts than it has weighted units */
    long nzA = 0, nzB = 0;
    for (int i = 0; i < s.len; i++)
      if (dv->w[S[s.off + i]] > 0) {
        if (i < mA) nzA++;
        else nzB++;
      }
    long kb = kB < nzB ? kB : (nzB > 0 ? nzB : 1);
    long ka = kA < nzA ? kA : (nzA > 0 ? nzA : 1);
    st[top++] = (span_t){s.off + mA, s.len - mA, kb};
    st[top++] = (span_t){s.off, mA, ka};
  }
  free(st);

  /* any part out of bounds while the area admits a count: try the DP */
  if (!wg__admits(H, lo, hi, NULL, NULL)) return parts;
  long *pw = calloc((size_t)parts, sizeof(long));
  if (!pw) return -1;
  for (int i = 0; i < m; i++) pw[p->lab[S[i]] - next_label] += dv->w[S[i]];
  int bad = 0;
  for (int g = 0; g < parts; g++) bad += wg__viol(pw[g], lo, hi) > 0;
  free(pw);
  if (!bad) return parts;
  double cost = (double)m * (double)(hi + 1) * (double)(hi / 64 + 1);
  /* spanning trees differ in what they allow: try depth-first and
   * breadth-first trees from spread roots */
  int tries = 2 * m < DP_TREES ? 2 * m : DP_TREES;
  for (int r = 0; cost <= DP_BUDGET && r < tries; r++) {
    int root = (int)((long)(r / 2) * m / ((tries + 1) / 2));
    int got = tree_dp(p, S, m, lo, hi, root, !(r & 1), next_label);
    if (got < 0) return -1;
    if (got > 0) return got;
  }
  /* no tree allows it (tree_dp leaves lab alone then): search small
   * areas exhaustively, within a step budget; in larger ones, each part
   * out of bounds with its neighbouring parts */
  if (m <= EXACT_MAX) {
    int got = exact_search(p, S, m, lo, hi, next_label);
    if (got < 0) return -1;
    if (got > 0) return got;
  }
  return local_exact(p, S, m, lo, hi, next_label, parts);
}

/* ---- refine --------------------------------------------------------------- */

int wg__connected(wg__part_t *p, const int *items, int m) {
  const wg__dv_t *dv = p->dv;
  if (m <= 1) return 1;
  p->stamp++;
  for (int i = 0; i < m; i++) p->mark[items[i]] = p->stamp;
  int stamp = ++p->visstamp;
  int qh = 0, qt = 0;
  p->queue[qt++] = items[0];
  p->vis[items[0]] = stamp;
  while (qh < qt) {
    int v = p->queue[qh++];
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
      int u = dv->adj[e];
      if (p->mark[u] != p->stamp || p->vis[u] == stamp) continue;
      p->vis[u] = stamp;
      p->queue[qt++] = u;
    }
  }
  return qt == m;
}

int wg__stays_connected(wg__part_t *p, int v, int a) {
  const wg__dv_t *dv = p->dv;
  int first = -1, targets = 0;
  p->stamp++;
  for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
    int u = dv->adj[e];
    if (p->reg[u] != p->regstamp || p->lab[u] != a) continue;
    if (p->mark[u] == p->stamp) continue;
    p->mark[u] = p->stamp;
    targets++;
    if (first < 0) first = u;
  }
  if (targets <= 1) return 1;
  int stamp = ++p->visstamp;
  int qh = 0, qt = 0, found = 1;
  p->queue[qt++] = first;
  p->vis[first] = stamp;
  p->vis[v] = stamp; /* v is gone */
  while (qh < qt) {
    int x = p->queue[qh++];
    for (int e = dv->xadj[x]; e < dv->xadj[x + 1]; e++) {
      int u = dv->adj[e];
      if (p->vis[u] == stamp || p->reg[u] != p->regstamp || p->lab[u] != a)
        continue;
      p->vis[u] = stamp;
      if (p->mark[u] == p->stamp && ++found == targets) return 1;
      if (qt >= BFS_CAP) return 0;
      p->queue[qt++] = u;
    }
  }
  return 0;
}

static void move_item(wg__part_t *p, int v, int to) {
  const wg__dv_t *dv = p->dv;
  int a = p->lab[v];
  p->gw[a] -= dv->w[v];
  p->gm[a]--;
  p->gw[to] += dv->w[v];
  p->gm[to]++;
  p->lab[v] = to;
}

/* Does item w touch grid g (items of this parent)? */
static int touches(const wg__part_t *p, int w, int g) {
  const wg__dv_t *dv = p->dv;
  for (int e = dv->xadj[w]; e < dv->xadj[w + 1]; e++)
    if (p->reg[dv->adj[e]] == p->regstamp && p->lab[dv->adj[e]] == g)
      return 1;
  return 0;
}

/* Bound violations single moves cannot reduce: pairs of moves, v from a to
 * b then w either out of b to a third grid (push) or from a third grid into
 * a (pull), applied when they lower the total violation of the three grids
 * and keep all of them connected. Kept grids take part (this only fixes
 * violations); immovable ones do not. gw and gm must be current. Returns
 * the number of pairs applied. */
static int chain_repair(wg__part_t *p, const int *R, int m, long lo,
                        long hi) {
  const wg__dv_t *dv = p->dv;
  int *lab = p->lab, applied = 0;
  for (int i = 0; i < m; i++) {
    int v = R[i], a = lab[v];
    if (p->gfrozen[a] == 2 || p->gm[a] <= 1) continue;
    int conn = -1; /* a stays connected without v: unknown yet */
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1] && lab[v] == a; e++) {
      int u = dv->adj[e], b = lab[u];
      if (p->reg[u] != p->regstamp || b == a || p->gfrozen[b] == 2) continue;
      long va = wg__viol(p->gw[a], lo, hi), vb = wg__viol(p->gw[b], lo, hi);
      if (!va && !vb) continue;
      if (conn < 0) conn = wg__stays_connected(p, v, a);
      if (!conn) break;
      move_item(p, v, b);
      int done = 0;
      for (int j = 0; j < m && !done; j++) {
        int w = R[j], x = lab[w], push = x == b && w != v;
        if (!push && (x == a || x == b || p->gfrozen[x] == 2)) continue;
        if (!push && !touches(p, w, a)) continue;
        if (p->gm[x] <= 1) continue;
        /* push: w from b to a neighbouring c; pull: w from x into a */
        for (int f = dv->xadj[w]; f < dv->xadj[w + 1] && !done; f++) {
          int y = dv->adj[f];
          if (p->reg[y] != p->regstamp) continue;
          int c = push ? lab[y] : x, to = push ? c : a;
          if (c == a || c == b || p->gfrozen[c] == 2) continue;
          long wc = p->gw[c], ww = dv->w[w];
          long before = va + vb + wg__viol(wc, lo, hi), after;
          if (push)
            after = wg__viol(p->gw[a], lo, hi) +
                    wg__viol(p->gw[b] - ww, lo, hi) +
                    wg__viol(wc + ww, lo, hi);
          else
            after = wg__viol(p->gw[a] + ww, lo, hi) +
                    wg__viol(p->gw[b], lo, hi) + wg__viol(wc - ww, lo, hi);
          if (after >= before) {
            if (!push) break; /* the gain does not depend on y */
            continue;
          }
          if (!wg__stays_connected(p, w, x)) break;
          move_item(p, w, to);
          done = 1;
        }
      }
      if (done) {
        applied++;
        break;
      }
      move_item(p, v, a);
    }
  }
  return applied;
}

/* After the local search: chains of two moves while they help. */
static void chain_rounds(wg__part_t *p, const int *R, int m, long lo,
                         long hi) {
  for (int round = 0; round < 4; round++) {
    int bad = 0;
    for (int i = 0; i < m && !bad; i++)
      bad = wg__viol(p->gw[p->lab[R[i]]], lo, hi) > 0;
    if (!bad || !chain_repair(p, R, m, lo, hi)) break;
  }
}

static double pp_score(double A, double P) {
  return P > 0 ? 4 * 3.14159265358979323846 * A / (P * P) : 0.0;
}

/* Σ shared boundary of item v with grid g (items of this parent). */
static double len_to(const wg__part_t *p, int v, int g) {
  const wg__dv_t *dv = p->dv;
  double s = 0;
  for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
    int u = dv->adj[e];
    if (p->reg[u] == p->regstamp && p->lab[u] == g) s += dv->elen[e];
  }
  return s;
}

/* wg__refine with geometry: the same moves, ranked by bound violation and
 * then by the gain in Σ Polsby-Popper of the two grids. gw, gm, gsx, gsy
 * are already summed over R. Moving v from a to b: P_a loses v's boundary
 * outside a and gains its boundary with a (P_a - t + 2 l_a), P_b the
 * reverse (P_b + t - 2 l_b), t = v's whole boundary. */
static wg_err refine_pp(wg__part_t *p, const int *R, int m, long lo,
                        long hi, int passes) {
  const wg__dv_t *dv = p->dv;
  for (int i = 0; i < m; i++) {
    int g = p->lab[R[i]];
    p->ga[g] = 0;
    p->gp[g] = 0;
  }
  for (int i = 0; i < m; i++) {
    int v = R[i], g = p->lab[v];
    p->ga[g] += dv->ia[v];
    p->gp[g] += dv->iext[v];
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++)
      if (p->reg[dv->adj[e]] != p->regstamp || p->lab[dv->adj[e]] != g)
        p->gp[g] += dv->elen[e];
  }
  const double eps = 1e-12;
  for (int pass = 0; pass < passes; pass++) {
    int moved = 0;
    for (int i = 0; i < m; i++) {
      int v = R[i], a = p->lab[v];
      if (p->gfrozen[a] == 2 || p->gm[a] <= 1) continue;
      long wv = dv->w[v], wa = p->gw[a];
      double t = dv->iext[v];
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) t += dv->elen[e];
      double la = len_to(p, v, a), av = dv->ia[v];
      double pa_new = pp_score(p->ga[a] - av, p->gp[a] - t + 2 * la);
      double pa_old = pp_score(p->ga[a], p->gp[a]);
      int best = -1;
      long best_dv = 0;
      double best_di = -eps;
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->reg[u] != p->regstamp) continue;
        int bg = p->lab[u];
        if (bg == a || bg == best || p->gfrozen[bg] == 2) continue;
        long wb = p->gw[bg];
        long dviol = wg__viol(wa - wv, lo, hi) + wg__viol(wb + wv, lo, hi) -
                     wg__viol(wa, lo, hi) - wg__viol(wb, lo, hi);
        if (dviol > 0) continue;
        if ((p->gfrozen[a] || p->gfrozen[bg]) && dviol >= 0) continue;
        double lb = len_to(p, v, bg);
        double di = pa_old + pp_score(p->ga[bg], p->gp[bg]) - pa_new -
                    pp_score(p->ga[bg] + av, p->gp[bg] + t - 2 * lb);
        if (dviol < best_dv || (dviol == best_dv && di < best_di)) {
          best = bg;
          best_dv = dviol;
          best_di = di;
        }
      }
      if (best < 0) continue;
      if (!wg__stays_connected(p, v, a)) continue;
      double lb = len_to(p, v, best);
      p->lab[v] = best;
      p->gw[a] -= wv;
      p->gm[a]--;
      p->gsx[a] -= dv->x[v];
      p->gsy[a] -= dv->y[v];
      p->ga[a] -= av;
      p->gp[a] += 2 * la - t;
      p->gw[best] += wv;
      p->gm[best]++;
      p->gsx[best] += dv->x[v];
      p->gsy[best] += dv->y[v];
      p->ga[best] += av;
      p->gp[best] += t - 2 * lb;
      moved++;
    }
    if (!moved) break;
  }
  chain_rounds(p, R, m, lo, hi);
  return WG_OK;
}

wg_err wg__refine(wg__part_t *p, const int *R, int m, long lo, long hi,
                  int passes) {
  const wg__dv_t *dv = p->dv;
  if (m <= 1) return WG_OK;
  p->regstamp++;
  int maxlab = 0;
  for (int i = 0; i < m; i++) {
    p->reg[R[i]] = p->regstamp;
    if (p->lab[R[i]] > maxlab) maxlab = p->lab[R[i]];
  }
  wg_err err = wg__part_reserve(p, maxlab + 1);
  if (err) return err;
  for (int i = 0; i < m; i++) {
    int g = p->lab[R[i]];
    p->gw[g] = 0;
    p->gm[g] = 0;
    p->gsx[g] = p->gsy[g] = 0;
  }
  for (int i = 0; i < m; i++) {
    int v = R[i], g = p->lab[v];
    p->gw[g] += dv->w[v];
    p->gm[g]++;
    p->gsx[g] += dv->x[v];
    p->gsy[g] += dv->y[v];
  }
  if (dv->elen) return refine_pp(p, R, m, lo, hi, passes);
  double eps = 1e-9 * (dv->area > 0 ? dv->area : 1.0);
  for (int pass = 0; pass < passes; pass++) {
    int moved = 0;
    for (int i = 0; i < m; i++) {
      int v = R[i], a = p->lab[v];
      if (p->gfrozen[a] == 2 || p->gm[a] <= 1) continue;
      long wv = dv->w[v], wa = p->gw[a];
      double ca_x = p->gsx[a] / p->gm[a], ca_y = p->gsy[a] / p->gm[a];
      double dxa = dv->x[v] - ca_x, dya = dv->y[v] - ca_y;
      double out_a = (double)p->gm[a] / (p->gm[a] - 1) * (dxa * dxa + dya * dya);
      int best = -1;
      long best_dv = 0;
      double best_di = -eps;
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->reg[u] != p->regstamp) continue;
        int bg = p->lab[u];
        if (bg == a || p->gfrozen[bg] == 2) continue;
        long wb = p->gw[bg];
        long dviol = wg__viol(wa - wv, lo, hi) + wg__viol(wb + wv, lo, hi) -
                     wg__viol(wa, lo, hi) - wg__viol(wb, lo, hi);
        if (dviol > 0) continue;
        if ((p->gfrozen[a] || p->gfrozen[bg]) && dviol >= 0) continue;
        double cbx = p->gsx[bg] / p->gm[bg], cby = p->gsy[bg] / p->gm[bg];
        double dxb = dv->x[v] - cbx, dyb = dv->y[v] - cby;
        double di = (double)p->gm[bg] / (p->gm[bg] + 1) * (dxb * dxb + dyb * dyb) -
                    out_a;
        if (dviol < best_dv || (dviol == best_dv && di < best_di)) {
          best = bg;
          best_dv = dviol;
          best_di = di;
        }
      }
      if (best < 0) continue;
      if (!wg__stays_connected(p, v, a)) continue;
      p->lab[v] = best;
      p->gw[a] -= wv;
      p->gm[a]--;
      p->gsx[a] -= dv->x[v];
      p->gsy[a] -= dv->y[v];
      p->gw[best] += wv;
      p->gm[best]++;
      p->gsx[best] += dv->x[v];
      p->gsy[best] += dv->y[v];
      moved++;
    }
    if (!moved) break;
  }
  chain_rounds(p, R, m, lo, hi);
  return WG_OK;
}
