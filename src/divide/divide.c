/* divide.c — wg_divide_run: hierarchical division, stability, numbering.
 *
 * Units above the last level's ceiling are cut into pieces first, as even
 * as possible; a piece beside a light unit that even pieces leave with no
 * partner is made light enough to join it (reshape_pieces). Then top down:
 * level 1 within each group, level 2 within each level-1 grid, level 3
 * within each level-2 grid. Within one parent:
 *   1. with a previous assignment, every previous child grid lying wholly in
 *      the parent that still meets the rules (bounds, contiguity) is kept;
 *   2. the remaining units, per connected part, are cut afresh (part.c);
 *   3. local search improves the cut; kept grids give or take units only to
 *      repair a neighbour's bound violation (AZTool-style maintenance);
 *   4. if a repairable violation is left, each bad grid is merged with one
 *      neighbour and the union regrouped into two grids from parts one
 *      level down (the previous grids there first, so they survive whole),
 *      moving the fewest households (pair_repair); with a previous
 *      assignment, what is still bad and a ring of neighbours are then cut
 *      again (the ring widens, DISSOLVE_ROUNDS times), and at last the whole
 *      parent is divided afresh;
 *   5. look-ahead, so that the levels below can be met (children kept
 *      exactly as before whose previous children all still hold a total
 *      within bounds are trusted and skipped, which keeps re-division
 *      stable): a unit lighter than the last level's floor whose every
 *      neighbour in its grid would take it over the ceiling is moved to a
 *      sibling holding a partner, or the partner is brought in; a child
 *      that cannot be cut at the next level is merged with a sibling, cut
 *      there, and the parts regrouped into two grids moving the fewest
 *      households, or else one boundary unit is moved; a child (two levels
 *      up) that cannot be cut at the last level is merged with a sibling,
 *      the union cut at the last level and those parts grouped into two
 *      grids, the parts being kept as the last level's grids (deep_pair);
 *      failing that, the whole parent is cut at the last level first and
 *      those parts are grouped upwards (bottom-up), likewise kept;
 *   5b. at the last level, if a repairable violation is left, households
 *      are shifted between two pieces of one split unit and the parent cut
 *      again (shift_pieces);
 *   6. grids inherit a previous number when they share a strict majority of
 *      households with a previous grid both ways; the others take fresh
 *      numbers above the highest ever used (see divide.h for the order).
 * Results list grids by level, then parent, then number.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "divide/divide_int.h"

typedef struct ogrid {   /* a grid of the previous assignment */
  int level;             /* 0-based */
  int group;
  int number;
  int parent;            /* old grid index one level up, -1 at level 0 */
  int path[WG_DIVIDE_MAX_LEVELS];
  int count;             /* items */
  int maxchild;          /* highest child number ever used under it */
  long mu;               /* overlap mass of its items (see mass()) */
} ogrid_t;

typedef struct ngrid {   /* a grid being built */
  int level, parent, group, number;
  int old;               /* previous grid it continues, or -1 */
  int kept;              /* as wg_divide_grid_t.kept */
} ngrid_t;

typedef struct run {
  const wg_divide_input_t *in;
  wg__dv_t dv;
  wg__part_t part;
  int n;                 /* items */
  int *lab;              /* [nlevels*n] */
  ngrid_t *g;
  int ng, gcap;
  int passes;
  /* previous assignment */
  int *iprev;            /* [nlevels*n] previous number of each item */
  int *og;               /* [nlevels*n] old grid of each item, -1 */
  ogrid_t *old;
  int nold;
  int *group_max;        /* [ngroups] highest level-1 number used */
  int *ocnt;             /* [nold] scratch, kept zero between uses */
  long *oacc;            /* [nold] scratch, kept zero between uses */
  int *scratch;          /* [n] */
  int *scratch2;         /* [n] */
  int *preset;           /* [n] last-level part of each item fixed by a
                            bottom-up cut, or -1; NULL until needed */
} run_t;

/* Overlap mass: households dominate, zero-household units still count. */
static long mass(long w) { return w * 1024 + 1; }

/* ---- previous assignment -------------------------------------------------- */

typedef struct okey {
  int key[WG_DIVIDE_MAX_LEVELS + 1];
  int item;
} okey_t;

/* keys past the level are zero, so comparing them all is exact */
static int cmp_okey(const void *a, const void *b) {
  const okey_t *x = a, *y = b;
  for (int i = 0; i < WG_DIVIDE_MAX_LEVELS + 1; i++)
    if (x->key[i] != y->key[i]) return x->key[i] < y->key[i] ? -1 : 1;
  return (x->item > y->item) - (x->item < y->item);
}

static int path_cmp(const ogrid_t *o, int group, const int *path, int len) {
  if (o->group != group) return o->group < group ? -1 : 1;
  for (int i = 0; i < len; i++)
    if (o->path[i] != path[i]) return o->path[i] < path[i] ? -1 : 1;
  return 0;
}

/* Previous numbers per item: the unit's, or its piece's when the unit was
 * split into as many pieces before (prev_pieces, in order). */
static wg_err item_prev(run_t *r) {
  const wg_divide_input_t *in = r->in;
  const wg__dv_t *dv = &r->dv;
  int n = r->n, L = in->nlevels;
  r->iprev = malloc((size_t)L * (n > 0 ? n : 1) * sizeof(int));
  int *pcnt = calloc((size_t)(in->n > 0 ? in->n : 1), sizeof(int));
  int *pseen = calloc((size_t)(in->n > 0 ? in->n : 1), sizeof(int));
  if (!r->iprev || !pcnt || !pseen) {
    free(pcnt);
    free(pseen);
    return WG_ENOMEM;
  }
  for (int i = 0; i < n; i++)
    for (int l = 0; l < L; l++)
      r->iprev[(size_t)l * n + i] = in->prev[(size_t)l * in->n + dv->unit[i]];
  for (int k = 0; k < in->nprev_pieces; k++) pcnt[in->prev_pieces[k].unit]++;
  for (int k = 0; k < in->nprev_pieces; k++) {
    const wg_divide_piece_t *pc = &in->prev_pieces[k];
    int u = pc->unit, np = dv->ustart[u + 1] - dv->ustart[u];
    int j = pseen[u]++;
    if (np == pcnt[u] && np >= 2) {
      int i = dv->ustart[u] + j;
      for (int l = 0; l < L; l++) r->iprev[(size_t)l * n + i] = pc->grid[l];
      continue;
    }
    /* cut into another number of pieces now (or whole): where the unit
     * has no number of its own (its pieces lay in several grids), its
     * items take the numbers of the piece with the same ordinal, the last
     * piece's beyond, so that they stay where they were rather than
     * being cut out as a grid of their own */
    for (int i = dv->ustart[u] + j; i < dv->ustart[u + 1]; i++) {
      if (j != pcnt[u] - 1 && i > dv->ustart[u] + j) break;
      for (int l = 0; l < L; l++)
        if (in->prev[(size_t)l * in->n + u] == 0)
          r->iprev[(size_t)l * n + i] = pc->grid[l];
    }
  }
  free(pcnt);
  free(pseen);
  return WG_OK;
}

static wg_err load_prev(run_t *r) {
  const wg_divide_input_t *in = r->in;
  const wg__dv_t *dv = &r->dv;
  int n = r->n, L = in->nlevels;
  if (item_prev(r)) return WG_ENOMEM;
  r->og = malloc((size_t)L * (n > 0 ? n : 1) * sizeof(int));
  r->group_max = calloc((size_t)dv->ngroups, sizeof(int));
  okey_t *keys = malloc((size_t)(n > 0 ? n : 1) * sizeof *keys);
  int *lvl_start = calloc((size_t)L + 1, sizeof(int));
  if (!r->og || !r->group_max || !keys || !lvl_start) goto nomem;
  int cap = 0;
  for (int l = 0; l < L; l++) {
    lvl_start[l] = r->nold;
    int cnt = 0;
    for (int i = 0; i < n; i++) {
      int ok = 1;
      r->og[(size_t)l * n + i] = -1;
      memset(keys[cnt].key, 0, sizeof keys[cnt].key);
      keys[cnt].key[0] = dv->group[i];
      for (int j = 0; j <= l; j++) {
        int num = r->iprev[(size_t)j * n + i];
        if (num <= 0) ok = 0;
        keys[cnt].key[j + 1] = num;
      }
      if (!ok) continue;
      keys[cnt++].item = i;
    }
    qsort(keys, (size_t)cnt, sizeof *keys, cmp_okey);
    for (int k = 0; k < cnt; k++) {
      if (k == 0 || memcmp(keys[k].key, keys[k - 1].key,
                           (size_t)(l + 2) * sizeof(int)) != 0) {
        if (wg__grow((void **)&r->old, &cap, r->nold + 1, sizeof(ogrid_t)))
          goto nomem;
        ogrid_t *o = &r->old[r->nold++];
        memset(o, 0, sizeof *o);
        o->level = l;
        o->group = keys[k].key[0];
        for (int j = 0; j <= l; j++) o->path[j] = keys[k].key[j + 1];
        o->number = keys[k].key[l + 1];
        o->parent = l > 0 ? r->og[(size_t)(l - 1) * n + keys[k].item] : -1;
      }
      int id = r->nold - 1, it = keys[k].item;
      r->og[(size_t)l * n + it] = id;
      r->old[id].count++;
      r->old[id].mu += mass(dv->w[it]);
    }
  }
  lvl_start[L] = r->nold;
  for (int o = 0; o < r->nold; o++) {
    ogrid_t *g = &r->old[o];
    if (g->parent >= 0) {
      if (r->old[g->parent].maxchild < g->number)
        r->old[g->parent].maxchild = g->number;
    } else if (r->group_max[g->group] < g->number) {
      r->group_max[g->group] = g->number;
    }
  }
  for (int i = 0; i < in->nused; i++) {
    const wg_divide_used_t *u = &in->used[i];
    if (u->level == 1) {
      if (r->group_max[u->group] < u->max_number)
        r->group_max[u->group] = u->max_number;
      continue;
    }
    int pl = u->level - 2, lo = lvl_start[pl], hi = lvl_start[pl + 1] - 1;
    while (lo <= hi) {
      int mid = (lo + hi) / 2;
      int c = path_cmp(&r->old[mid], u->group, u->path, pl + 1);
      if (c == 0) {
        if (r->old[mid].maxchild < u->max_number)
          r->old[mid].maxchild = u->max_number;
        break;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  r->ocnt = calloc((size_t)(r->nold > 0 ? r->nold : 1), sizeof(int));
  r->oacc = calloc((size_t)(r->nold > 0 ? r->nold : 1), sizeof(long));
  free(keys);
  free(lvl_start);
  if (!r->ocnt || !r->oacc) return WG_ENOMEM;
  return WG_OK;
nomem:
  free(keys);
  free(lvl_start);
  return WG_ENOMEM;
}

/* ---- grids ------------------------------------------------------------------ */

static int new_grid(run_t *r, int level, int parent, int group) {
  if (wg__grow((void **)&r->g, &r->gcap, r->ng + 1, sizeof(ngrid_t)))
    return -1;
  if (wg__part_reserve(&r->part, r->ng + 1)) return -1;
  ngrid_t *g = &r->g[r->ng];
  g->level = level;
  g->parent = parent;
  g->group = group;
  g->number = 0;
  g->old = -1;
  g->kept = 0;
  r->part.gfrozen[r->ng] = 0;
  return r->ng++;
}

/* Does old grid o sit under this parent's previous identity? */
static int old_under(const run_t *r, int o, int level, int parent, int group) {
  if (level == 0) return r->old[o].group == group;
  int q = r->g[parent].old;
  return q >= 0 && r->old[o].parent == q;
}

/* Cut every free component of R into grids. comp_buf is [m]. */
static wg_err cut_free(run_t *r, int level, int parent, int group, long lo,
                       long hi, int whole, const int *R, int m, int *comp_buf,
                       int use_preset) {
  int *lab = r->part.lab;
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  /* first list the components (the cuts below restamp mark and vis) */
  int *cstart = malloc(((size_t)(m > 0 ? m : 1) + 1) * sizeof(int));
  if (!cstart) return WG_ENOMEM;
  p->stamp++;
  int st = p->stamp;
  for (int i = 0; i < m; i++)
    if (lab[R[i]] < 0) p->mark[R[i]] = st;
  int stamp = ++p->visstamp, k = 0, nc = 0;
  for (int i = 0; i < m; i++) {
    int s = R[i];
    if (lab[s] >= 0 || p->vis[s] == stamp) continue;
    cstart[nc++] = k;
    comp_buf[k++] = s;
    p->vis[s] = stamp;
    for (int qh = k - 1; qh < k; qh++) {
      int v = comp_buf[qh];
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->mark[u] != st || p->vis[u] == stamp) continue;
        p->vis[u] = stamp;
        comp_buf[k++] = u;
      }
    }
  }
  cstart[nc] = k;
  wg_err err = WG_OK;
  for (int c = 0; c < nc && !err; c++) {
    int begin = cstart[c], end = cstart[c + 1], len = end - begin;
    if (whole) {
      int gid = new_grid(r, level, parent, group);
      if (gid < 0) err = WG_ENOMEM;
      for (int j = begin; j < end && !err; j++) lab[comp_buf[j]] = gid;
      continue;
    }
    /* reserve ids: at most len parts */
    int base = r->ng;
    if (wg__grow((void **)&r->g, &r->gcap, base + len, sizeof(ngrid_t)) ||
        wg__part_reserve(p, base + len)) {
      err = WG_ENOMEM;
      break;
    }
    if (use_preset) {
      /* the parent was cut bottom-up: its parts are this level's grids */
      const int *pre = r->preset;
      int *pmap = r->scratch2;
      for (int j = begin; j < end; j++) pmap[pre[comp_buf[j]]] = -1;
      for (int j = begin; j < end && !err; j++) {
        int a = pre[comp_buf[j]];
        if (pmap[a] < 0) {
          pmap[a] = new_grid(r, level, parent, group);
          if (pmap[a] < 0) err = WG_ENOMEM;
        }
        lab[comp_buf[j]] = pmap[a];
      }
      continue;
    }
    int parts = wg__part_region(p, comp_buf + begin, len, lo, hi, base);
    if (parts < 0) err = WG_ENOMEM;
    for (int j = 0; j < parts && !err; j++)
      if (new_grid(r, level, parent, group) < 0) err = WG_ENOMEM;
  }
  free(cstart);
  return err;
}

/* Grids of this parent (ids >= first) out of bounds while their connected
 * part of R admits a count: bad[g - first] = 1. Returns how many. */
static int repairable_left(run_t *r, const int *R, int m, long lo, long hi,
                           int first, int *comp_buf, char *bad) {
  int *lab = r->part.lab;
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  int nbad = 0;
  long *gw = p->gw;
  for (int g = first; g < r->ng; g++) {
    gw[g] = 0;
    bad[g - first] = 0;
  }
  for (int i = 0; i < m; i++) gw[lab[R[i]]] += dv->w[R[i]];
  for (int g = first; g < r->ng; g++) nbad += wg__viol(gw[g], lo, hi) > 0;
  if (!nbad) return 0;
  nbad = 0;
  /* components of R as a whole */
  p->stamp++;
  for (int i = 0; i < m; i++) p->mark[R[i]] = p->stamp;
  int stamp = ++p->visstamp, k = 0;
  for (int i = 0; i < m; i++) {
    int s = R[i];
    if (p->vis[s] == stamp) continue;
    int begin = k;
    long H = 0;
    comp_buf[k++] = s;
    p->vis[s] = stamp;
    for (int qh = begin; qh < k; qh++) {
      int v = comp_buf[qh];
      H += dv->w[v];
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->mark[u] != p->stamp || p->vis[u] == stamp) continue;
        p->vis[u] = stamp;
        comp_buf[k++] = u;
      }
    }
    if (!wg__admits(H, lo, hi, NULL, NULL)) continue;
    for (int j = begin; j < k; j++) {
      int g = lab[comp_buf[j]];
      if (wg__viol(gw[g], lo, hi) > 0 && !bad[g - first]) {
        bad[g - first] = 1;
        nbad++;
      }
    }
  }
  return nbad;
}

/* Free the bad grids and the grids bordering them (flags in bad[], ids >=
 * first), compact the surviving ids, and cut the freed units afresh. */
static wg_err dissolve_ring(run_t *r, int level, int parent, int group,
                            long lo, long hi, const int *R, int m, int first,
                            char *bad, int *comp_buf) {
  wg__part_t *p = &r->part;
  const wg__dv_t *dv = &r->dv;
  int *lab = p->lab;
  int k = r->ng - first;
  char *drop = calloc((size_t)k, 1);
  int *map = malloc((size_t)(k > 0 ? k : 1) * sizeof(int));
  if (!drop || !map) {
    free(drop);
    free(map);
    return WG_ENOMEM;
  }
  p->regstamp++;
  for (int i = 0; i < m; i++) p->reg[R[i]] = p->regstamp;
  for (int i = 0; i < m; i++) {
    int v = R[i], a = lab[v];
    if (!bad[a - first]) continue;
    drop[a - first] = 1;
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
      int u = dv->adj[e];
      if (p->reg[u] == p->regstamp) drop[lab[u] - first] = 1;
    }
  }
  int cnt = 0;
  for (int g = 0; g < k; g++) {
    if (drop[g]) {
      map[g] = -1;
      continue;
    }
    map[g] = first + cnt;
    r->g[first + cnt] = r->g[first + g];
    p->gfrozen[first + cnt] = p->gfrozen[first + g];
    cnt++;
  }
  r->ng = first + cnt;
  for (int i = 0; i < m; i++) lab[R[i]] = map[lab[R[i]] - first];
  free(drop);
  free(map);
  wg_err err =
      cut_free(r, level, parent, group, lo, hi, 0, R, m, comp_buf, 0);
  if (!err) err = wg__refine(p, R, m, lo, hi, r->passes);
  return err;
}

typedef struct sortg {
  int id, row;
  double cx, cy;
  int first;
} sortg_t;

static int cmp_sortg(const void *a, const void *b) {
  const sortg_t *x = a, *y = b;
  if (x->row != y->row) return x->row < y->row ? -1 : 1;
  if (x->cx != y->cx) return x->cx < y->cx ? -1 : 1;
  if (x->cy != y->cy) return x->cy > y->cy ? -1 : 1;
  return (x->first > y->first) - (x->first < y->first);
}

/* Previous identity and numbers for the children ids first..ng-1 of one
 * parent whose items are R[0..m). */
static wg_err number_children(run_t *r, int level, int parent, int group,
                              const int *R, int m, int first) {
  const wg__dv_t *dv = &r->dv;
  const wg_divide_input_t *in = r->in;
  int *lab = r->part.lab;
  int k = r->ng - first;
  if (k <= 0) return WG_OK;
  int n = r->n;
  /* per-child item lists via counting sort */
  int *cnt = calloc((size_t)(k > 0 ? k : 1) + 1, sizeof(int));
  int *items = r->scratch2;
  sortg_t *sg = calloc((size_t)k, sizeof *sg);
  long *gmu = calloc((size_t)k, sizeof(long));
  if (!cnt || !sg || !gmu) {
    free(cnt);
    free(sg);
    free(gmu);
    return WG_ENOMEM;
  }
  for (int i = 0; i < m; i++) cnt[lab[R[i]] - first + 1]++;
  for (int c = 0; c < k; c++) cnt[c + 1] += cnt[c];
  {
    int *fill = r->scratch;
    for (int c = 0; c < k; c++) fill[c] = cnt[c];
    for (int i = 0; i < m; i++) items[fill[lab[R[i]] - first]++] = R[i];
  }
  double ymin = INFINITY, ymax = -INFINITY;
  for (int i = 0; i < m; i++) {
    double y = in->y[dv->unit[R[i]]];
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  for (int c = 0; c < k; c++) {
    ngrid_t *g = &r->g[first + c];
    double sx = 0, sy = 0;
    int fi = INT_MAX;
    for (int j = cnt[c]; j < cnt[c + 1]; j++) {
      int it = items[j];
      sx += in->x[dv->unit[it]];
      sy += in->y[dv->unit[it]];
      if (it < fi) fi = it;
      gmu[c] += mass(dv->w[it]);
    }
    int len = cnt[c + 1] - cnt[c];
    sg[c].id = first + c;
    sg[c].cx = len ? sx / len : 0;
    sg[c].cy = len ? sy / len : 0;
    sg[c].first = fi;
    if (!r->og || g->old >= 0) continue;
    /* inherit by mutual majority */
    int bo = -1;
    long bacc = 0;
    for (int j = cnt[c]; j < cnt[c + 1]; j++) {
      int it = items[j], o = r->og[(size_t)level * n + it];
      if (o < 0 || !old_under(r, o, level, parent, group)) continue;
      long acc = r->oacc[o] += mass(dv->w[it]);
      if (acc > bacc || (acc == bacc && o < bo)) { /* ties: lower id */
        bacc = acc;
        bo = o;
      }
    }
    for (int j = cnt[c]; j < cnt[c + 1]; j++) {
      int o = r->og[(size_t)level * n + items[j]];
      if (o >= 0) r->oacc[o] = 0;
    }
    if (bo >= 0 && 2 * bacc > gmu[c] && 2 * bacc > r->old[bo].mu) g->old = bo;
  }
  int maxused = 0;
  if (r->og) {
    if (level == 0) maxused = r->group_max[group];
    else if (r->g[parent].old >= 0) maxused = r->old[r->g[parent].old].maxchild;
  }
  for (int c = 0; c < k; c++) {
    ngrid_t *g = &r->g[first + c];
    if (g->old < 0) continue;
    g->number = r->old[g->old].number;
    /* unchanged iff same items: same count and all items in old grid */
    int len = cnt[c + 1] - cnt[c], same = len == r->old[g->old].count;
    for (int j = cnt[c]; j < cnt[c + 1] && same; j++)
      same = r->og[(size_t)level * n + items[j]] == g->old;
    g->kept = same ? 1 : 2;
  }
  int R_rows = (int)floor(sqrt((double)k) + 0.5);
  if (R_rows < 1) R_rows = 1;
  double h = (ymax - ymin) / R_rows;
  for (int c = 0; c < k; c++) {
    int row = 0;
    if (h > 0) {
      row = (int)floor((ymax - sg[c].cy) / h);
      if (row > R_rows - 1) row = R_rows - 1;
      if (row < 0) row = 0;
    }
    sg[c].row = row;
  }
  qsort(sg, (size_t)k, sizeof *sg, cmp_sortg);
  int next = maxused;
  for (int c = 0; c < k; c++) {
    ngrid_t *g = &r->g[sg[c].id];
    if (g->old < 0) g->number = ++next;
  }
  free(cnt);
  free(sg);
  free(gmu);
  return WG_OK;
}


/* ---- look-ahead: can each child be cut at the next level? ------------------ */

#define STUCK_SEARCH 64    /* zero-household units explored around a unit */
#define LOOK_MAX_PARTS 14  /* bipartitions enumerated over at most this many */
#define MOVE_TRIES 64      /* single-unit moves tried per failing child */
#define DISSOLVE_ROUNDS 3  /* widening rings re-cut before a full re-cut */

/* A unit lighter than the last level's floor must share a last-level grid
 * with neighbours; if every neighbour it could join (directly or through
 * zero-household units, same grid only) would take it over the last level's
 * ceiling, its grid cannot be cut within bounds. Such a unit is moved to a
 * neighbouring sibling grid holding a partner, or else the partner is
 * brought into its grid, when this level's bounds and contiguity allow.
 * Cheap, and catches the common failure of heavy units. */
static int stuck_within(run_t *r, int v, long lo3, long hi3, int within) {
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  const int *lab = p->lab;
  long w = dv->w[v];
  if (w <= 0 || w >= lo3) return 0;
  int a = lab[v], zeros = 0;
  for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
    int u = dv->adj[e];
    if (within && (p->reg[u] != p->regstamp || lab[u] != a)) continue;
    if (dv->w[u] == 0) zeros = 1;
    else if (w + dv->w[u] <= hi3) return 0;
  }
  if (!zeros) return 1;
  int stamp = ++p->visstamp, qh = 0, qt = 0;
  p->queue[qt++] = v;
  p->vis[v] = stamp;
  while (qh < qt) {
    int x = p->queue[qh++];
    for (int e = dv->xadj[x]; e < dv->xadj[x + 1]; e++) {
      int u = dv->adj[e];
      if (p->vis[u] == stamp ||
          (within && (p->reg[u] != p->regstamp || lab[u] != a)))
        continue;
      p->vis[u] = stamp;
      if (dv->w[u] > 0) {
        if (w + dv->w[u] <= hi3) return 0;
        continue;
      }
      if (qt >= STUCK_SEARCH) return 0;
      p->queue[qt++] = u;
    }
  }
  return 1;
}

/* Cut S[0..m) at level+1 into scratch labels (the next level's lab array,
 * still unused) and report whether every part is within bounds. parts_out
 * (may be NULL) gets the part count; labels stay in nlab. */
static int level_ok(run_t *r, int tl, int group, int *S, int m,
                    int *parts_out, int *err) {
  wg__part_t *p = &r->part;
  const wg__dv_t *dv = &r->dv;
  long lo, hi;
  wg__dv_bounds(r->in, group, tl, &lo, &hi, NULL);
  int *save = p->lab;
  p->lab = r->lab + (size_t)tl * r->n;
  /* trial labels above every grid id, so that the local search below
   * finds its own per-grid sums and no frozen flags */
  int base = r->ng;
  if (wg__part_reserve(p, base + (m > 0 ? m : 1))) {
    p->lab = save;
    *err = 1;
    return 0;
  }
  int parts = wg__part_region(p, S, m, lo, hi, base);
  int ok = parts > 0;
  if (parts < 0) *err = 1;
  long *pw = parts > 0 ? calloc((size_t)parts, sizeof(long)) : NULL;
  if (parts > 0 && !pw) {
    *err = 1;
    ok = 0;
  }
  if (pw) {
    for (int i = 0; i < m; i++) pw[p->lab[S[i]] - base] += dv->w[S[i]];
    int bad = 0;
    for (int k = 0; k < parts; k++) bad += wg__viol(pw[k], lo, hi) > 0;
    if (bad) {
      /* the cut alone missed: let the local search move boundary units
       * (bounds first); it restamps reg, which the caller relies on */
      int saved = p->regstamp;
      for (int k = 0; k < parts; k++) p->gfrozen[base + k] = 0;
      if (wg__refine(p, S, m, lo, hi, r->passes)) *err = 1;
      for (int i = 0; i < m; i++) p->reg[S[i]] = saved;
      p->regstamp = saved;
      memset(pw, 0, (size_t)parts * sizeof(long));
      for (int i = 0; i < m; i++) pw[p->lab[S[i]] - base] += dv->w[S[i]];
    }
    for (int i = 0; i < m; i++) p->lab[S[i]] -= base;
    /* a part holding a unit no grid can hold within bounds is the data's
     * fault, not the cut's: excuse it */
    for (int i = 0; i < m; i++)
      if (wg__viol(pw[p->lab[S[i]]], lo, hi) &&
          stuck_within(r, S[i], lo, hi, 0))
        pw[p->lab[S[i]]] = lo;
    for (int k = 0; k < parts && ok; k++) ok = wg__viol(pw[k], lo, hi) == 0;
    free(pw);
  }
  p->lab = save;
  if (parts_out) *parts_out = parts;
  return ok;
}

static int next_level_ok(run_t *r, int level, int group, int *S, int m,
                         int *parts_out, int *err) {
  return level_ok(r, level + 1, group, S, m, parts_out, err);
}

/* Is the set bits of side connected in the part graph adjm? */
static int mask_connected(const unsigned *adjm, unsigned side) {
  if (!side) return 0;
  unsigned reach = side & (~side + 1u), prev = 0;
  while (reach != prev) {
    prev = reach;
    unsigned grow = reach;
    for (int i = 0; i < 32; i++)
      if (reach & (1u << i)) grow |= adjm[i];
    reach = grow & side;
  }
  return reach == side;
}

/* Child c cannot be cut at the next level: try moving one boundary unit
 * between c and a sibling, either way, such that both stay within this
 * level's bounds, connected, and can be cut at the next level. S and U are
 * [m] scratch. Returns 1 if moved, 0 if not, -1 on ENOMEM. */
static int move_one(run_t *r, int level, int group, const int *R, int m,
                    int c, int *S, int *U) {
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  int *lab = p->lab;
  int *nlab = r->lab + (size_t)(level + 1) * r->n;
  long lo, hi;
  wg__dv_bounds(r->in, group, level, &lo, &hi, NULL);
  long *gw = p->gw;
  int *gm = p->gm;
  for (int i = 0; i < m; i++) {
    gw[lab[R[i]]] = 0;
    gm[lab[R[i]]] = 0;
  }
  for (int i = 0; i < m; i++) {
    gw[lab[R[i]]] += dv->w[R[i]];
    gm[lab[R[i]]]++;
  }
  int tries = 0, err = 0;
  for (int i = 0; i < m && tries < MOVE_TRIES; i++) {
    int v = R[i], a = lab[v];
    if (gm[a] <= 1) continue; /* never empty a grid */
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
      int u = dv->adj[e];
      if (p->reg[u] != p->regstamp) continue;
      int b = lab[u];
      if (b == a || (a != c && b != c)) continue;
      if (wg__viol(gw[a] - dv->w[v], lo, hi) || wg__viol(gw[b] + dv->w[v], lo, hi))
        continue;
      if (!wg__stays_connected(p, v, a)) continue;
      tries++;
      lab[v] = b;
      int ms = 0, mu = 0;
      for (int k = 0; k < m; k++) {
        if (lab[R[k]] == a) S[ms++] = R[k];
        if (lab[R[k]] == b) U[mu++] = R[k];
      }
      int ok = next_level_ok(r, level, group, S, ms, NULL, &err);
      for (int k = 0; k < ms; k++) nlab[S[k]] = -1;
      if (ok && !err) ok = next_level_ok(r, level, group, U, mu, NULL, &err);
      for (int k = 0; k < mu; k++) nlab[U[k]] = -1;
      if (err) return -1;
      if (ok) return 1;
      lab[v] = a;
      break;
    }
  }
  return 0;
}

/* Group the parts part_of[R[i]] (ids 0..nparts-1) of one parent into this
 * level's grids: cut the parts' graph (small) within this level's bounds.
 * On success the children replace ids first..ng-1 and *done = 1; on failure
 * nothing changes. With into (two grid ids whose items R[0..m) are), the
 * parts must make exactly two grids, which take those ids instead. */
static wg_err group_parts(run_t *r, int level, int parent, int group,
                          const int *R, int m, const int *part_of, int nparts,
                          int first, const int *into, int *done) {
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  int *lab = p->lab;
  long lo, hi;
  wg__dv_bounds(r->in, group, level, &lo, &hi, NULL);
  *done = 0;
  wg__dv_t q;
  wg__part_t pq;
  memset(&q, 0, sizeof q);
  memset(&pq, 0, sizeof pq);
  int *qlab = NULL, *T = NULL, *cnt = NULL;
  wg_err res = WG_ENOMEM;
  q.n = q.nunits = nparts;
  q.area = dv->area;
  q.w = calloc((size_t)nparts, sizeof(long));
  q.x = calloc((size_t)nparts, sizeof(double));
  q.y = calloc((size_t)nparts, sizeof(double));
  q.xadj = calloc((size_t)(nparts > 0 ? nparts : 1) + 1, sizeof(int));
  cnt = calloc((size_t)nparts, sizeof(int));
  qlab = malloc((size_t)(nparts > 0 ? nparts : 1) * sizeof(int));
  T = malloc((size_t)(nparts > 0 ? nparts : 1) * sizeof(int));
  if (!q.w || !q.x || !q.y || !q.xadj || !cnt || !qlab || !T) goto out;
  p->stamp++;
  for (int i = 0; i < m; i++) p->mark[R[i]] = p->stamp;
  for (int i = 0; i < m; i++) {
    int v = R[i], a = part_of[v];
    q.w[a] += dv->w[v];
    q.x[a] += dv->x[v];
    q.y[a] += dv->y[v];
    cnt[a]++;
  }
  for (int a = 0; a < nparts; a++) {
    q.x[a] /= cnt[a] > 0 ? cnt[a] : 1;
    q.y[a] /= cnt[a] > 0 ? cnt[a] : 1;
  }
  /* the parts' graph (duplicate edges are harmless) */
  for (int pass = 0; pass < 2; pass++) {
    int *fill = cnt;
    if (pass == 1) {
      for (int a = 0; a < nparts; a++) q.xadj[a + 1] += q.xadj[a];
      q.adj = malloc((size_t)(q.xadj[nparts] > 0 ? q.xadj[nparts] : 1) *
                     sizeof(int));
      if (!q.adj) goto out;
      for (int a = 0; a < nparts; a++) fill[a] = q.xadj[a];
    }
    for (int i = 0; i < m; i++) {
      int v = R[i], a = part_of[v];
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->mark[u] != p->stamp || part_of[u] == a) continue;
        if (pass == 0) q.xadj[a + 1]++;
        else q.adj[fill[a]++] = part_of[u];
      }
    }
  }
  if (wg__part_init(&pq, &q, qlab)) goto out;
  for (int a = 0; a < nparts; a++) T[a] = a;
  int groups = wg__part_region(&pq, T, nparts, lo, hi, 0);
  if (groups < 0) goto out;
  for (int a = 0; a < nparts; a++) T[a] = a;
  if (wg__refine(&pq, T, nparts, lo, hi, r->passes)) goto out;
  {
    long *gw = calloc((size_t)groups, sizeof(long));
    if (!gw) goto out;
    for (int a = 0; a < nparts; a++) gw[qlab[a]] += q.w[a];
    int fits = 1;
    for (int g = 0; g < groups; g++) fits &= wg__viol(gw[g], lo, hi) == 0;
    free(gw);
    res = WG_OK;
    if (!fits) goto out;
  }
  if (into) {
    /* exactly two groups, into ids into[0] and into[1]: the group holding
     * more of into[0]'s households keeps that id */
    if (groups != 2) goto out;
    long keep = 0, other = 0;
    for (int i = 0; i < m; i++)
      if (lab[R[i]] == into[0]) {
        if (qlab[part_of[R[i]]] == 0) keep += mass(dv->w[R[i]]);
        else other += mass(dv->w[R[i]]);
      }
    int g0 = keep >= other ? 0 : 1;
    for (int i = 0; i < m; i++)
      lab[R[i]] = qlab[part_of[R[i]]] == g0 ? into[0] : into[1];
    *done = 1;
    goto out;
  }
  r->ng = first;
  for (int g = 0; g < groups; g++)
    if (new_grid(r, level, parent, group) < 0) {
      res = WG_ENOMEM;
      goto out;
    }
  for (int i = 0; i < m; i++) lab[R[i]] = first + qlab[part_of[R[i]]];
  *done = 1;
out:
  wg__part_free(&pq);
  free(q.w);
  free(q.x);
  free(q.y);
  free(q.xadj);
  free(q.adj);
  free(qlab);
  free(T);
  free(cnt);
  return res;
}

/* Last resort when some child cannot be cut further down: cut the whole
 * parent at the last level first, group those parts into this level's
 * grids, and remember the parts (preset) so the levels below group them
 * too. Leaves everything as it was when either step fails. */
static wg_err bottom_up(run_t *r, int level, int parent, int group, int *R,
                        int m, int first) {
  wg__part_t *p = &r->part;
  int n = r->n, deep = r->in->nlevels - 1;
  int *dlab = r->lab + (size_t)deep * n; /* unused until the last level */
  /* the partitioner needs a connected area */
  if (!wg__connected(p, R, m)) return WG_OK;
  int *S = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  if (!S) return WG_ENOMEM;
  memcpy(S, R, (size_t)m * sizeof(int));
  int parts = 0, err = 0, done = 0;
  int ok = level_ok(r, deep, group, S, m, &parts, &err);
  free(S);
  wg_err res = err ? WG_ENOMEM : WG_OK;
  if (ok && parts >= 2)
    res = group_parts(r, level, parent, group, R, m, dlab, parts, first, NULL,
                      &done);
  if (!res && done) {
    if (!r->preset) {
      r->preset = malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
      if (!r->preset) res = WG_ENOMEM;
      for (int i = 0; r->preset && i < n; i++) r->preset[i] = -1;
    }
    for (int i = 0; r->preset && i < m; i++) r->preset[R[i]] = dlab[R[i]];
  }
  for (int i = 0; i < m; i++) dlab[R[i]] = -1;
  return res;
}

/* Child c cannot be cut at the last level (two or more levels down): merge
 * it with each neighbouring sibling q in turn, cut the union at the last
 * level, and group those parts into two grids of this level, c and q, within
 * this level's bounds. The parts are remembered (preset) so that the levels
 * below group them again rather than cut afresh. reg must mark R. S and U
 * are [m] scratch. Returns 1 when repaired, 0 when not, -1 on ENOMEM. */
static int deep_pair(run_t *r, int level, int parent, int group, const int *R,
                     int m, int c, int *S, int *U) {
  wg__part_t *p = &r->part;
  const wg__dv_t *dv = &r->dv;
  int *lab = p->lab, n = r->n, deep = r->in->nlevels - 1;
  int *dlab = r->lab + (size_t)deep * n;
  int nq = 0;
  for (int i = 0; i < m; i++) {
    if (lab[R[i]] != c) continue;
    for (int e = dv->xadj[R[i]]; e < dv->xadj[R[i] + 1]; e++) {
      int u = dv->adj[e], q = lab[u], seen = 0;
      if (p->reg[u] != p->regstamp || q == c) continue;
      for (int j = 0; j < nq && !seen; j++) seen = U[j] == q;
      if (!seen) U[nq++] = q;
    }
  }
  int *qs = malloc((size_t)(nq > 0 ? nq : 1) * sizeof(int));
  if (!qs) return -1;
  memcpy(qs, U, (size_t)nq * sizeof(int));
  int ret = 0;
  for (int j = 0; j < nq && ret == 0; j++) {
    int q = qs[j], mu = 0, parts = 0, err = 0, done = 0;
    for (int i = 0; i < m; i++)
      if (lab[R[i]] == c || lab[R[i]] == q) U[mu++] = R[i];
    memcpy(S, U, (size_t)mu * sizeof(int));
    int ok = level_ok(r, deep, group, S, mu, &parts, &err);
    if (!err && ok && parts >= 2) {
      int into[2] = {c, q};
      if (group_parts(r, level, parent, group, U, mu, dlab, parts, r->ng,
                      into, &done))
        err = 1;
    }
    if (!err && done) {
      if (!r->preset) {
        r->preset = malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
        if (!r->preset) err = 1;
        for (int i = 0; r->preset && i < n; i++) r->preset[i] = -1;
      }
      for (int i = 0; r->preset && i < mu; i++) r->preset[U[i]] = dlab[U[i]];
      ret = 1;
    }
    for (int i = 0; i < mu; i++) dlab[U[i]] = -1;
    if (err) ret = -1;
  }
  free(qs);
  return ret;
}

static void unstick(run_t *r, int level, int group, const int *R, int m) {
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  int *lab = p->lab;
  long lo, hi, lo3, hi3;
  wg__dv_bounds(r->in, group, level, &lo, &hi, NULL);
  wg__dv_bounds(r->in, group, r->in->nlevels - 1, &lo3, &hi3, NULL);
  long *gw = p->gw;
  int *gm = p->gm;
  for (int i = 0; i < m; i++) {
    gw[lab[R[i]]] = 0;
    gm[lab[R[i]]] = 0;
  }
  for (int i = 0; i < m; i++) {
    gw[lab[R[i]]] += dv->w[R[i]];
    gm[lab[R[i]]]++;
  }
  for (int i = 0; i < m; i++) {
    int v = R[i], a = lab[v];
    if (gm[a] <= 1 || !stuck_within(r, v, lo3, hi3, 1)) continue;
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
      int u = dv->adj[e], b = lab[u];
      if (p->reg[u] != p->regstamp || b == a || dv->w[u] == 0 ||
          dv->w[v] + dv->w[u] > hi3)
        continue;
      long before = wg__viol(gw[a], lo, hi) + wg__viol(gw[b], lo, hi);
      long after = wg__viol(gw[a] - dv->w[v], lo, hi) +
                   wg__viol(gw[b] + dv->w[v], lo, hi);
      if (after > before || !wg__stays_connected(p, v, a)) continue;
      lab[v] = b;
      gw[a] -= dv->w[v];
      gw[b] += dv->w[v];
      gm[a]--;
      gm[b]++;
      break;
    }
    if (lab[v] != a) continue;
    /* v cannot leave: bring a partner in instead */
    for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
      int u = dv->adj[e], b = lab[u];
      if (p->reg[u] != p->regstamp || b == a || dv->w[u] == 0 ||
          dv->w[v] + dv->w[u] > hi3 || gm[b] <= 1)
        continue;
      long before = wg__viol(gw[a], lo, hi) + wg__viol(gw[b], lo, hi);
      long after = wg__viol(gw[a] + dv->w[u], lo, hi) +
                   wg__viol(gw[b] - dv->w[u], lo, hi);
      if (after > before || !wg__stays_connected(p, u, b)) continue;
      lab[u] = a;
      gw[b] -= dv->w[u];
      gw[a] += dv->w[u];
      gm[b]--;
      gm[a]++;
      break;
    }
  }
}

/* Is child c a previous grid kept exactly as it was (same items)? Such a
 * grid met the rules before and its own previous children are kept below
 * where they still do, so the look-ahead leaves it alone: trial cuts of it
 * would only re-cut the parent and lose stability. S is [m] scratch. */
static int kept_as_before(const run_t *r, int level, const int *R, int m,
                          int c) {
  int o = r->g[c].old;
  if (o < 0 || !r->og) return 0;
  const int *og = r->og + (size_t)level * r->n;
  int cnt = 0;
  for (int i = 0; i < m; i++) {
    if (r->part.lab[R[i]] != c) continue;
    if (og[R[i]] != o) return 0;
    cnt++;
  }
  return cnt == r->old[o].count;
}

/* Do the previous grids one level below child c (kept as before) all
 * still hold a total within that level's bounds? Piece sizes and moved
 * households can change them although c itself still fits. */
static int children_still_fit(run_t *r, int level, int group, const int *R,
                              int m, int c) {
  const wg__dv_t *dv = &r->dv;
  if (level + 1 >= r->in->nlevels) return 1;
  const int *og = r->og + (size_t)(level + 1) * r->n;
  long lo, hi;
  wg__dv_bounds(r->in, group, level + 1, &lo, &hi, NULL);
  int ok = 1;
  for (int i = 0; i < m; i++) {
    if (r->part.lab[R[i]] != c) continue;
    if (og[R[i]] < 0) ok = 0;
    else r->oacc[og[R[i]]] += dv->w[R[i]];
  }
  for (int i = 0; i < m; i++) {
    if (r->part.lab[R[i]] != c || og[R[i]] < 0) continue;
    if (wg__viol(r->oacc[og[R[i]]], lo, hi)) ok = 0;
  }
  for (int i = 0; i < m; i++)
    if (r->part.lab[R[i]] == c && og[R[i]] >= 0) r->oacc[og[R[i]]] = 0;
  return ok;
}

/* Child grids first..ng-1 of one parent (items R[0..m)) whose own division
 * at the next level fails are merged with a neighbouring sibling, the union
 * is cut at the next level, and its parts are regrouped into two grids
 * within this level's bounds, moving the fewest households. */
static wg_err look_ahead(run_t *r, int level, int parent, int group, int *R,
                         int m, int first) {
  int unfixed = 0;
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  int *lab = p->lab, n = r->n;
  int *nlab = r->lab + (size_t)(level + 1) * n;
  long lo, hi;
  wg__dv_bounds(r->in, group, level, &lo, &hi, NULL);
  int k = r->ng - first;
  if (k < 2) return WG_OK;
  int *S = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *U = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  if (!S || !U) {
    free(S);
    free(U);
    return WG_ENOMEM;
  }
  int err = 0;
  char *skip = calloc((size_t)(r->ng - first), 1);
  if (!skip) {
    free(S);
    free(U);
    return WG_ENOMEM;
  }
  for (int c = first; c < r->ng; c++)
    skip[c - first] = (char)(kept_as_before(r, level, R, m, c) &&
                             children_still_fit(r, level, group, R, m, c));
  for (int c = first; c < r->ng && !err; c++) {
    if (skip[c - first]) continue;
    int ms = 0;
    for (int i = 0; i < m; i++)
      if (lab[R[i]] == c) S[ms++] = R[i];
    int ok = ms == 0 || next_level_ok(r, level, group, S, ms, NULL, &err);
    for (int i = 0; i < ms; i++) nlab[S[i]] = -1;
    if (ok || err) continue;
    int fixed = 0;
    /* neighbouring siblings, in id order */
    for (int q = first; q < r->ng && !err; q++) {
      if (q == c) continue;
      int adjacent = 0;
      for (int i = 0; i < ms && !adjacent; i++)
        for (int e = dv->xadj[S[i]]; e < dv->xadj[S[i] + 1]; e++) {
          int u = dv->adj[e];
          if (p->reg[u] == p->regstamp && lab[u] == q) {
            adjacent = 1;
            break;
          }
        }
      if (!adjacent) continue;
      int mu = 0;
      for (int i = 0; i < m; i++)
        if (lab[R[i]] == c || lab[R[i]] == q) U[mu++] = R[i];
      int parts = 0;
      int fine = next_level_ok(r, level, group, U, mu, &parts, &err);
      if (!fine || parts < 2 || parts > LOOK_MAX_PARTS) {
        for (int i = 0; i < mu; i++) nlab[U[i]] = -1;
        continue;
      }
      /* part graph, weights, and what each part takes from c */
      unsigned adjm[LOOK_MAX_PARTS];
      long pw[LOOK_MAX_PARTS], from_c[LOOK_MAX_PARTS];
      memset(adjm, 0, sizeof adjm);
      memset(pw, 0, sizeof pw);
      memset(from_c, 0, sizeof from_c);
      p->stamp++;
      for (int i = 0; i < mu; i++) p->mark[U[i]] = p->stamp;
      for (int i = 0; i < mu; i++) {
        int v = U[i], a = nlab[v];
        pw[a] += dv->w[v];
        if (lab[v] == c) from_c[a] += dv->w[v] + 1; /* +1: count units */
        for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
          int u = dv->adj[e];
          if (p->mark[u] == p->stamp && nlab[u] != a) adjm[a] |= 1u << nlab[u];
        }
      }
      long total_c = 0;
      for (int a = 0; a < parts; a++) total_c += from_c[a];
      unsigned full = (1u << parts) - 1, best = 0;
      long best_moved = -1;
      for (unsigned side = 1; side < full; side++) {
        long wa = 0, keep = 0;
        for (int a = 0; a < parts; a++)
          if (side & (1u << a)) {
            wa += pw[a];
            keep += from_c[a];
          }
        long wb = 0;
        for (int a = 0; a < parts; a++)
          if (!(side & (1u << a))) wb += pw[a];
        if (wg__viol(wa, lo, hi) || wg__viol(wb, lo, hi)) continue;
        long moved = total_c - keep; /* c's mass leaving side A */
        if (best_moved >= 0 && moved >= best_moved) continue;
        if (!mask_connected(adjm, side) || !mask_connected(adjm, full & ~side))
          continue;
        best_moved = moved;
        best = side;
      }
      if (best_moved >= 0)
        for (int i = 0; i < mu; i++)
          lab[U[i]] = (best & (1u << nlab[U[i]])) ? c : q;
      for (int i = 0; i < mu; i++) nlab[U[i]] = -1;
      if (best_moved >= 0) {
        fixed = 1;
        break;
      }
    }
    if (!fixed && !err) {
      int mv = move_one(r, level, group, R, m, c, S, U);
      if (mv < 0) err = 1;
      if (mv == 0) unfixed++;
    }
  }
  /* two levels down or more: can each child be cut at the last level? */
  int deep = r->in->nlevels - 1;
  if (!err && !unfixed && level + 1 < deep) {
    int *dlab = r->lab + (size_t)deep * n;
    /* every child gets its chance at a repair before the fallback */
    for (int c = first; c < r->ng && !err; c++) {
      if (c - first < k && skip[c - first] &&
          kept_as_before(r, level, R, m, c))
        continue;
      int ms = 0;
      for (int i = 0; i < m; i++)
        if (lab[R[i]] == c) S[ms++] = R[i];
      int ok = !ms || level_ok(r, deep, group, S, ms, NULL, &err);
      for (int i = 0; i < ms; i++) dlab[S[i]] = -1;
      if (!ok && !err) {
        int got = deep_pair(r, level, parent, group, R, m, c, S, U);
        if (got < 0) err = 1;
        ok = got > 0;
      }
      if (!ok) unfixed = 1;
      for (int i = 0; i < ms; i++) dlab[S[i]] = -1;
    }
  }
  free(S);
  free(U);
  free(skip);
  if (!err && unfixed) return bottom_up(r, level, parent, group, R, m, first);
  return err ? WG_ENOMEM : WG_OK;
}

/* Parts of the items U[0..mu) for pair_repair: how = 0, the previous
 * grids one level down (connected pieces of them); 1, a trial cut at the
 * next level; 2, the items themselves. pid[i] gets U[i]'s part. Returns the
 * number of parts, 0 when unusable, -1 on ENOMEM. U may be reordered. */
static int repair_parts(run_t *r, int level, int group, int *U, int mu,
                        int *pid, int how) {
  wg__part_t *p = &r->part;
  const wg__dv_t *dv = &r->dv;
  int n = r->n;
  if (how == 2) {
    if (mu > LOOK_MAX_PARTS) return 0;
    for (int i = 0; i < mu; i++) pid[i] = i;
    return mu;
  }
  if (how == 1) {
    int parts = 0, err = 0;
    int fine = next_level_ok(r, level, group, U, mu, &parts, &err);
    int *nlab = r->lab + (size_t)(level + 1) * n;
    for (int i = 0; i < mu; i++) {
      pid[i] = nlab[U[i]];
      nlab[U[i]] = -1;
    }
    if (err) return -1;
    return fine ? parts : 0;
  }
  const int *key = r->og + (size_t)(level + 1) * n;
  p->stamp++;
  for (int i = 0; i < mu; i++) {
    p->mark[U[i]] = p->stamp;
    p->loc[U[i]] = i;
    pid[i] = -1;
  }
  int parts = 0;
  for (int s = 0; s < mu; s++) {
    if (pid[s] >= 0) continue;
    if (parts >= LOOK_MAX_PARTS) return 0;
    int qh = 0, qt = 0;
    p->queue[qt++] = s;
    pid[s] = parts;
    while (qh < qt) {
      int i = p->queue[qh++], v = U[i];
      for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
        int u = dv->adj[e];
        if (p->mark[u] != p->stamp || pid[p->loc[u]] >= 0 ||
            key[u] != key[v])
          continue;
        pid[p->loc[u]] = parts;
        p->queue[qt++] = p->loc[u];
      }
    }
    parts++;
  }
  return parts;
}

/* Bound violations left by the local search: each grid out of bounds (bad[],
 * ids >= first) is merged with one neighbouring sibling, the union split into
 * parts (repair_parts: the previous grids one level down first, so that they
 * survive whole) and the parts regrouped into two connected grids within
 * bounds, moving the fewest households; the neighbour that moves fewest
 * wins. Much gentler than re-cutting a ring of neighbours. Returns the
 * number of grids repaired, or -1 on ENOMEM. */
static int pair_repair(run_t *r, int level, int group, const int *R, int m,
                       long lo, long hi, int first, const char *bad) {
  wg__part_t *p = &r->part;
  const wg__dv_t *dv = &r->dv;
  int *lab = p->lab, L = r->in->nlevels, k = r->ng - first;
  int *U = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *pid = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *bestU = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *bestlab = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  long *gw = calloc((size_t)(k > 0 ? k : 1), sizeof(long));
  int *nb = malloc((size_t)(k > 0 ? k : 1) * sizeof(int));
  char *isnb = calloc((size_t)(k > 0 ? k : 1), 1);
  int fixed = -1;
  if (!U || !pid || !bestU || !bestlab || !gw || !nb || !isnb) goto out;
  fixed = 0;
  for (int i = 0; i < m; i++) gw[lab[R[i]] - first] += dv->w[R[i]];
  for (int a = first; a < r->ng; a++) {
    if (!bad[a - first] || !wg__viol(gw[a - first], lo, hi)) continue;
    p->regstamp++;
    for (int i = 0; i < m; i++) p->reg[R[i]] = p->regstamp;
    int nnb = 0;
    for (int i = 0; i < m; i++) {
      if (lab[R[i]] != a) continue;
      for (int e = dv->xadj[R[i]]; e < dv->xadj[R[i] + 1]; e++) {
        int u = dv->adj[e];
        if (p->reg[u] != p->regstamp || lab[u] == a || isnb[lab[u] - first])
          continue;
        isnb[lab[u] - first] = 1;
        nb[nnb++] = lab[u];
      }
    }
    for (int j = 0; j < nnb; j++) isnb[nb[j] - first] = 0;
    long best_moved = -1;
    int bestmu = 0;
    for (int j = 0; j < nnb; j++) {
      int b = nb[j];
      for (int how = r->og && level + 1 < L ? 0 : level + 1 < L ? 1 : 2;
           how <= 2; how++) {
        if (how == 2 && level + 1 < L) break;
        int mu = 0;
        for (int i = 0; i < m; i++)
          if (lab[R[i]] == a || lab[R[i]] == b) U[mu++] = R[i];
        int parts = repair_parts(r, level, group, U, mu, pid, how);
        if (parts < 0) {
          fixed = -1;
          goto out;
        }
        if (parts < 2 || parts > LOOK_MAX_PARTS) continue;
        unsigned adjm[LOOK_MAX_PARTS];
        long pw[LOOK_MAX_PARTS], in_a[LOOK_MAX_PARTS], in_b[LOOK_MAX_PARTS];
        memset(adjm, 0, sizeof adjm);
        memset(pw, 0, sizeof pw);
        memset(in_a, 0, sizeof in_a);
        memset(in_b, 0, sizeof in_b);
        p->stamp++;
        for (int i = 0; i < mu; i++) {
          p->mark[U[i]] = p->stamp;
          p->loc[U[i]] = i;
        }
        for (int i = 0; i < mu; i++) {
          int v = U[i], q = pid[i];
          pw[q] += dv->w[v];
          if (lab[v] == a) in_a[q] += mass(dv->w[v]);
          else in_b[q] += mass(dv->w[v]);
          for (int e = dv->xadj[v]; e < dv->xadj[v + 1]; e++) {
            int u = dv->adj[e];
            if (p->mark[u] == p->stamp && pid[p->loc[u]] != q)
              adjm[q] |= 1u << pid[p->loc[u]];
          }
        }
        unsigned full = (1u << parts) - 1, best = 0;
        long bm = -1;
        for (unsigned side = 1; side < full; side++) {
          long wa = 0, wb = 0, moved = 0;
          for (int q = 0; q < parts; q++)
            if (side & (1u << q)) {
              wa += pw[q];
              moved += in_b[q];
            } else {
              wb += pw[q];
              moved += in_a[q];
            }
          if (wg__viol(wa, lo, hi) || wg__viol(wb, lo, hi)) continue;
          if (bm >= 0 && moved >= bm) continue;
          if (!mask_connected(adjm, side) ||
              !mask_connected(adjm, full & ~side))
            continue;
          bm = moved;
          best = side;
        }
        if (bm < 0) continue;
        if (best_moved < 0 || bm < best_moved) {
          best_moved = bm;
          bestmu = mu;
          for (int i = 0; i < mu; i++) {
            bestU[i] = U[i];
            bestlab[i] = (best & (1u << pid[i])) ? a : b;
          }
        }
        break; /* this neighbour works; a coarser split would move more */
      }
    }
    if (best_moved < 0) continue;
    for (int i = 0; i < bestmu; i++) {
      int v = bestU[i];
      gw[lab[v] - first] -= dv->w[v];
      lab[v] = bestlab[i];
      gw[lab[v] - first] += dv->w[v];
    }
    fixed++;
  }
out:
  free(U);
  free(pid);
  free(bestU);
  free(bestlab);
  free(gw);
  free(nb);
  free(isnb);
  return fixed;
}

/* ---- last level: reshaping split units' pieces ----------------------------- */

#define SHIFT_TRIES 96     /* re-cuts tried per parent when reshaping pieces */

/* Cut the last level's parent R afresh and repair as divide_parent does. */
static wg_err recut_last(run_t *r, int level, int parent, int group, long lo,
                         long hi, int *R, int m, int first, int *comp_buf,
                         char *bad) {
  int *lab = r->part.lab;
  r->ng = first;
  for (int i = 0; i < m; i++) lab[R[i]] = -1;
  wg_err err =
      cut_free(r, level, parent, group, lo, hi, 0, R, m, comp_buf, 0);
  if (!err) err = wg__refine(&r->part, R, m, lo, hi, r->passes);
  for (int round = 0; !err && round < 2; round++) {
    if (!repairable_left(r, R, m, lo, hi, first, comp_buf, bad)) break;
    int got = pair_repair(r, level, group, R, m, lo, hi, first, bad);
    if (got < 0) err = WG_ENOMEM;
    if (got <= 0) break;
  }
  return err;
}

/* Pieces of a split unit are cut as evenly as possible, which can leave a
 * light unit with no partner: 9 households beside pieces of 19 and 14 fit
 * no grid of 10-20, though pieces of 11, 15 and 16 would. At the last level,
 * when grids of this parent are still out of bounds, shift households
 * between two pieces of one unit (one of them in this parent), each piece
 * staying within 1..hi (lo..hi outside this parent) and every grid the
 * shift touches above (and at this level outside the parent) no further
 * out of bounds than before, then cut the parent again; the first shift
 * that leaves no repairable violation is kept, else all is restored. The
 * unit's total is unchanged. Returns WG_OK or WG_ENOMEM. */
static wg_err shift_pieces(run_t *r, int level, int parent, int group,
                           int *R, int m, int first, int *comp_buf,
                           char *bad) {
  wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  int *lab = p->lab, n = r->n;
  long lo, hi;
  wg__dv_bounds(r->in, group, level, &lo, &hi, NULL);
  int k0 = r->ng - first, ng0 = r->ng;
  int *save = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  ngrid_t *gsave = malloc((size_t)(k0 > 0 ? k0 : 1) * sizeof *gsave);
  int *fsave = malloc((size_t)(k0 > 0 ? k0 : 1) * sizeof(int));
  long *tot = calloc((size_t)(ng0 > 0 ? ng0 : 1), sizeof(long));
  long *bw = malloc((size_t)(k0 > 0 ? k0 : 1) * sizeof(long));
  wg_err err = WG_ENOMEM;
  if (!save || !gsave || !fsave || !tot || !bw) goto out;
  err = WG_OK;
  for (int i = 0; i < m; i++) save[i] = lab[R[i]];
  memcpy(gsave, r->g + first, (size_t)k0 * sizeof *gsave);
  memcpy(fsave, p->gfrozen + first, (size_t)k0 * sizeof(int));
  /* households of every grid so far (this parent's current children too) */
  for (int l = 0; l <= level; l++)
    for (int i = 0; i < n; i++) {
      int g = r->lab[(size_t)l * n + i];
      if (g >= 0 && g < ng0) tot[g] += dv->w[i];
    }
  /* bad grids of the current cut: their households */
  int nb = 0;
  for (int g = first; g < ng0; g++)
    if (bad[g - first]) bw[nb++] = tot[g];
  p->stamp++;
  int inR = p->stamp;
  for (int i = 0; i < m; i++) p->mark[R[i]] = inR;
  int tries = 0, done = 0;
  for (int a = 0; a < m && !done && !err && tries < SHIFT_TRIES; a++) {
    int i = R[a], u = dv->unit[i];
    int b0 = dv->ustart[u], b1 = dv->ustart[u + 1];
    if (b1 - b0 < 2) continue;
    long wi = dv->w[i];
    /* targets: the bounds of a lone piece, and what would bring a bad grid
     * within bounds by joining it (or, inside it, by resizing) */
    long tg[2 + 4 * 8];
    int nt = 0;
    tg[nt++] = lo;
    tg[nt++] = hi;
    for (int b = 0; b < nb && b < 8; b++) {
      tg[nt++] = lo - bw[b];
      tg[nt++] = hi - bw[b];
      tg[nt++] = wi + lo - bw[b];
      tg[nt++] = wi - (bw[b] - hi);
    }
    for (int t = 0; t < nt && !done && !err && tries < SHIFT_TRIES; t++) {
      long ti = tg[t];
      int dup = 0;
      for (int s = 0; s < t; s++) dup |= tg[s] == ti;
      if (dup || ti < 1 || ti > hi || ti == wi) continue;
      long d = ti - wi; /* i gains d, j loses d */
      for (int j = b0; j < b1 && !done && !err && tries < SHIFT_TRIES; j++) {
        if (j == i) continue;
        long wj = dv->w[j] - d;
        int jin = p->mark[j] == inR;
        if (wj < (jin ? 1 : lo) || wj > hi) continue;
        int ok = 1;
        for (int l = 0; l <= level && ok; l++) {
          int gi = r->lab[(size_t)l * n + i], gj = r->lab[(size_t)l * n + j];
          if (l == level && jin) break; /* the re-cut decides */
          if (gi == gj || gj < 0) continue;
          long llo, lhi;
          int whole;
          wg__dv_bounds(r->in, group, l, &llo, &lhi, &whole);
          if (whole) continue;
          if (l < level && wg__viol(tot[gi] + d, llo, lhi) >
                               wg__viol(tot[gi], llo, lhi))
            ok = 0;
          if (wg__viol(tot[gj] - d, llo, lhi) > wg__viol(tot[gj], llo, lhi))
            ok = 0;
        }
        if (!ok) continue;
        tries++;
        dv->w[i] += d;
        dv->w[j] -= d;
        err = recut_last(r, level, parent, group, lo, hi, R, m, first,
                         comp_buf, bad);
        if (!err && !repairable_left(r, R, m, lo, hi, first, comp_buf, bad)) {
          done = 1;
          break;
        }
        dv->w[i] -= d;
        dv->w[j] += d;
      }
    }
  }
  if (!done) {
    /* restore the cut as it was */
    r->ng = first;
    if (!err && wg__part_reserve(p, ng0)) err = WG_ENOMEM;
    if (!err) {
      memcpy(r->g + first, gsave, (size_t)k0 * sizeof *gsave);
      memcpy(p->gfrozen + first, fsave, (size_t)k0 * sizeof(int));
      r->ng = ng0;
      for (int i = 0; i < m; i++) lab[R[i]] = save[i];
    }
  }
out:
  free(save);
  free(gsave);
  free(fsave);
  free(tot);
  free(bw);
  return err;
}

/* Pieces as even as possible can leave a light unit (below the last level's
 * floor) with no partner: 9 households whose neighbours are a unit of 17
 * and a unit of 25 cut into 13 and 12 fit no grid of 10-20, though pieces
 * of 11 and 14 would. For each such unit, in unit order, one piece of a
 * split neighbour (the one with the lightest possible piece, then the
 * lowest index) is made as heavy as joining the unit allows, hi - w, and its
 * households go to the neighbour's other pieces, none above hi; that piece
 * is then left alone. A unit reached only through zero-household units is
 * left to the rest of the search. Needs r->part for stuck_within. */
static wg_err reshape_pieces(run_t *r) {
  wg__dv_t *dv = &r->dv;
  if (dv->n == dv->nunits) return WG_OK;
  char *fixed = calloc((size_t)dv->n, 1);
  char *stuck = calloc((size_t)dv->nunits, 1);
  int *demand = calloc((size_t)dv->nunits, sizeof(int));
  if (!fixed || !stuck || !demand) {
    free(fixed);
    free(stuck);
    free(demand);
    return WG_ENOMEM;
  }
  /* light units stuck beside even pieces, and how many such units each
   * split unit borders (its demand) */
  for (int v = 0; v < dv->nunits; v++) {
    int i = dv->ustart[v];
    if (dv->ustart[v + 1] - i != 1) continue;
    long lo, hi, w = dv->w[i];
    wg__dv_bounds(r->in, dv->group[i], dv->nlevels - 1, &lo, &hi, NULL);
    if (w <= 0 || w >= lo || hi - w < 1) continue;
    if (!stuck_within(r, i, lo, hi, 0)) continue;
    stuck[v] = 1;
    for (int e = dv->uxadj[v]; e < dv->uxadj[v + 1]; e++)
      demand[dv->uadj[e]]++;
  }
  for (int v = 0; v < dv->nunits; v++) {
    if (!stuck[v]) continue;
    int i = dv->ustart[v];
    long lo, hi, w = dv->w[i];
    wg__dv_bounds(r->in, dv->group[i], dv->nlevels - 1, &lo, &hi, NULL);
    /* a neighbour an earlier reshape already serves */
    if (!stuck_within(r, i, lo, hi, 0)) continue;
    int best = -1;
    long best_min = LONG_MAX;
    for (int e = dv->uxadj[v]; e < dv->uxadj[v + 1]; e++) {
      int u = dv->uadj[e], b0 = dv->ustart[u], b1 = dv->ustart[u + 1];
      if (b1 - b0 < 2) continue;
      long wu = 0, room = 0;
      int free_pieces = 0;
      for (int j = b0; j < b1; j++) {
        wu += dv->w[j];
        if (!fixed[j]) free_pieces++;
      }
      if (free_pieces < 2) continue;
      /* one free piece at hi - w, the other free ones at most hi */
      long fixed_w = 0;
      for (int j = b0; j < b1; j++)
        if (fixed[j]) fixed_w += dv->w[j];
      room = (hi - w) + (long)(free_pieces - 1) * hi;
      if (wu - fixed_w > room || wu - fixed_w - (hi - w) < free_pieces - 1)
        continue;
      /* the split unit fewest other stuck units border, then the one
       * with the lightest possible piece */
      long pm = wg__piece_min(wu, hi);
      if (best < 0 || demand[u] < demand[best] ||
          (demand[u] == demand[best] && pm < best_min)) {
        best_min = pm;
        best = u;
      }
    }
    if (best < 0) continue;
    int b0 = dv->ustart[best], b1 = dv->ustart[best + 1], jj = -1;
    for (int j = b0; j < b1; j++)
      if (!fixed[j] && (jj < 0 || dv->w[j] < dv->w[jj])) jj = j;
    long extra = dv->w[jj] - (hi - w);
    dv->w[jj] = hi - w;
    fixed[jj] = 1;
    /* extra > 0: spread it over the lightest free pieces; < 0: take it from
     * the heaviest, keeping every piece at least 1 */
    while (extra != 0) {
      int t = -1;
      for (int j = b0; j < b1; j++) {
        if (fixed[j]) continue;
        if (extra > 0 && dv->w[j] < hi && (t < 0 || dv->w[j] < dv->w[t])) t = j;
        if (extra < 0 && dv->w[j] > 1 && (t < 0 || dv->w[j] > dv->w[t])) t = j;
      }
      if (t < 0) break; /* cannot happen: room was checked */
      dv->w[t] += extra > 0 ? 1 : -1;
      extra += extra > 0 ? -1 : 1;
    }
  }
  free(fixed);
  free(stuck);
  free(demand);
  return WG_OK;
}

/* Divide one parent's items R[0..m) at level. */
static wg_err divide_parent(run_t *r, int level, int parent, int group,
                            int *R, int m) {
  const wg__dv_t *dv = &r->dv;
  wg__part_t *p = &r->part;
  int *lab = p->lab;
  int n = r->n;
  long lo, hi;
  int whole;
  wg__dv_bounds(r->in, group, level, &lo, &hi, &whole);
  int first = r->ng;
  int *buf = r->scratch;
  wg_err err = WG_OK;
  for (int i = 0; i < m; i++) lab[R[i]] = -1;
  int nkept = 0;
  if (r->og && !whole) {
    /* candidates: previous child grids wholly inside this parent */
    int ncand = 0;
    for (int i = 0; i < m; i++) {
      int o = r->og[(size_t)level * n + R[i]];
      if (o < 0 || !old_under(r, o, level, parent, group)) continue;
      if (r->ocnt[o]++ == 0) buf[ncand++] = o;
    }
    /* buf[0..ncand) holds candidate ids; items per candidate collected by a
     * scan (candidates are few per parent) */
    int *cand = malloc((size_t)(ncand > 0 ? ncand : 1) * sizeof(int));
    int *its = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
    if (!cand || !its) {
      free(cand);
      free(its);
      return WG_ENOMEM;
    }
    memcpy(cand, buf, (size_t)ncand * sizeof(int));
    /* sort candidate ids for determinism */
    for (int a = 1; a < ncand; a++)
      for (int b = a; b > 0 && cand[b - 1] > cand[b]; b--) {
        int t = cand[b];
        cand[b] = cand[b - 1];
        cand[b - 1] = t;
      }
    /* bucket items by candidate: position of candidate in cand */
    for (int c = 0; c < ncand; c++) buf[c] = 0;
    int *start = calloc((size_t)(ncand > 0 ? ncand : 1) + 1, sizeof(int));
    if (!start) {
      free(cand);
      free(its);
      return WG_ENOMEM;
    }
    for (int c = 0; c < ncand; c++) r->oacc[cand[c]] = c; /* temp index */
    for (int i = 0; i < m; i++) {
      int o = r->og[(size_t)level * n + R[i]];
      if (o >= 0 && r->ocnt[o] > 0 && old_under(r, o, level, parent, group))
        start[r->oacc[o] + 1]++;
    }
    for (int c = 0; c < ncand; c++) start[c + 1] += start[c];
    for (int c = 0; c < ncand; c++) buf[c] = start[c];
    for (int i = 0; i < m; i++) {
      int o = r->og[(size_t)level * n + R[i]];
      if (o >= 0 && r->ocnt[o] > 0 && old_under(r, o, level, parent, group))
        its[buf[r->oacc[o]]++] = R[i];
    }
    for (int c = 0; c < ncand; c++) r->oacc[cand[c]] = 0;
    for (int c = 0; c < ncand; c++) {
      int o = cand[c], len = start[c + 1] - start[c];
      int whole_in = r->ocnt[o] == r->old[o].count;
      r->ocnt[o] = 0;
      if (!whole_in) continue;
      long H = 0;
      for (int j = start[c]; j < start[c + 1]; j++) H += dv->w[its[j]];
      if (wg__viol(H, lo, hi) > 0) continue;
      if (!wg__connected(p, its + start[c], len)) continue;
      int gid = new_grid(r, level, parent, group);
      if (gid < 0) {
        free(cand);
        free(its);
        free(start);
        return WG_ENOMEM;
      }
      r->g[gid].old = o;
      p->gfrozen[gid] = 1;
      for (int j = start[c]; j < start[c + 1]; j++) lab[its[j]] = gid;
      nkept++;
    }
    free(cand);
    free(its);
    free(start);
  }
  int *comp_buf = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  if (!comp_buf) return WG_ENOMEM;
  /* a bottom-up cut above fixed this parent's last-level parts: group
   * them (intermediate level) or take them (last level) */
  int deep = r->in->nlevels - 1, use_preset = 0, grouped = 0;
  if (r->preset && nkept == 0 && !whole) {
    use_preset = 1;
    for (int i = 0; i < m && use_preset; i++)
      use_preset = r->preset[R[i]] >= 0;
  }
  if (use_preset && level < deep) {
    use_preset = 0;
    int *cpart = r->lab + (size_t)deep * n, *pmap = r->scratch2, k = 0;
    for (int i = 0; i < m; i++) pmap[r->preset[R[i]]] = -1;
    for (int i = 0; i < m; i++) {
      int a = r->preset[R[i]];
      if (pmap[a] < 0) pmap[a] = k++;
      cpart[R[i]] = pmap[a];
    }
    err = group_parts(r, level, parent, group, R, m, cpart, k, first, NULL,
                      &grouped);
    for (int i = 0; i < m; i++) cpart[R[i]] = -1;
    if (!grouped)
      for (int i = 0; i < m; i++) r->preset[R[i]] = -1;
  }
  if (!err && !grouped) {
    err = cut_free(r, level, parent, group, lo, hi, whole, R, m, comp_buf,
                   use_preset);
    if (!err && !whole) err = wg__refine(p, R, m, lo, hi, r->passes);
  }
  /* local repair left violations that a fresh cut could avoid: free the
   * bad grids with a ring of neighbours and cut again, widening the ring;
   * at last divide the whole parent afresh */
  char *bad = NULL;
  if (!err && !whole && !grouped) {
    bad = malloc((size_t)(m > 0 ? m : 1) + 1);
    if (!bad) err = WG_ENOMEM;
  }
  for (int round = 0; !err && bad && round < 2; round++) {
    if (!repairable_left(r, R, m, lo, hi, first, comp_buf, bad)) break;
    int got = pair_repair(r, level, group, R, m, lo, hi, first, bad);
    if (got < 0) err = WG_ENOMEM;
    if (got <= 0) break;
  }
  if (bad && nkept == 0) {
    free(bad);
    bad = NULL;
  }
  for (int round = 0; !err && bad && round < DISSOLVE_ROUNDS; round++) {
    if (!repairable_left(r, R, m, lo, hi, first, comp_buf, bad)) break;
    err = dissolve_ring(r, level, parent, group, lo, hi, R, m, first, bad,
                        comp_buf);
  }
  if (!err && bad && repairable_left(r, R, m, lo, hi, first, comp_buf, bad)) {
    r->ng = first;
    for (int i = 0; i < m; i++) lab[R[i]] = -1;
    err = cut_free(r, level, parent, group, lo, hi, whole, R, m, comp_buf,
                   0);
    if (!err) err = wg__refine(p, R, m, lo, hi, r->passes);
  }
  if (!err && !whole && level + 1 == r->in->nlevels && dv->n > dv->nunits) {
    /* pieces as even as possible may be what blocks the bounds */
    if (!bad) bad = malloc((size_t)(m > 0 ? m : 1) + 1);
    if (!bad) err = WG_ENOMEM;
    if (!err && repairable_left(r, R, m, lo, hi, first, comp_buf, bad))
      err = shift_pieces(r, level, parent, group, R, m, first, comp_buf, bad);
  }
  free(bad);
  free(comp_buf);
  if (!err && !whole && !grouped && level + 1 < r->in->nlevels) {
    /* refine set reg[] for R; unstick and look_ahead rely on it */
    p->regstamp++;
    for (int i = 0; i < m; i++) p->reg[R[i]] = p->regstamp;
    unstick(r, level, group, R, m);
    err = look_ahead(r, level, parent, group, R, m, first);
  }
  if (err) return err;
  for (int g = first; g < r->ng; g++) p->gfrozen[g] = 0;
  return number_children(r, level, parent, group, R, m, first);
}

/* Final order: within a level by (new parent index, group, number). The
 * parents of level l were placed when level l-1 was sorted. */
typedef struct fkey {
  int parent, group, number, id;
} fkey_t;

static int cmp_final(const void *a, const void *b) {
  const fkey_t *x = a, *y = b;
  if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
  if (x->group != y->group) return x->group < y->group ? -1 : 1;
  if (x->number != y->number) return x->number < y->number ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static void free_run(run_t *r) {
  wg__part_free(&r->part);
  wg__dv_free(&r->dv);
  free(r->lab);
  free(r->g);
  free(r->og);
  free(r->iprev);
  free(r->old);
  free(r->group_max);
  free(r->ocnt);
  free(r->oacc);
  free(r->scratch);
  free(r->scratch2);
  free(r->preset);
}

/* Pieces: a unit above the last level's upper bound is cut into the fewest
 * pieces of at most that bound, as even as possible (reshape_pieces and
 * shift_pieces may later move households between them). */
static wg_err plan_pieces(const wg_divide_input_t *in, int **npiece_out,
                          long **pw_out, wg_errinfo *ei) {
  int n = in->n;
  int *np = calloc((size_t)(n > 0 ? n : 1), sizeof(int));
  if (!np) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory");
  long total = 0;
  for (int u = 0; u < n; u++) {
    long lo, hi;
    int g = in->group ? in->group[u] : 0;
    wg__dv_bounds(in, g, in->nlevels - 1, &lo, &hi, NULL);
    long w = in->households[u];
    if (w > hi) {
      long k = (w + hi - 1) / hi;
      if (total + k > WG_DIVIDE_MAX_ITEMS) {
        free(np);
        return wg_errinfo_set(ei, WG_ETOOBIG,
                              "unit %d: %ld households would make too many "
                              "pieces",
                              u, w);
      }
      np[u] = (int)k;
      total += k;
    }
  }
  long *pw = malloc((size_t)(total > 0 ? total : 1) * sizeof(long));
  if (!pw) {
    free(np);
    return wg_errinfo_set(ei, WG_ENOMEM, "out of memory");
  }
  long k = 0;
  for (int u = 0; u < n; u++)
    if (np[u] > 1) {
      long w = in->households[u], base = w / np[u], extra = w % np[u];
      for (int j = 0; j < np[u]; j++) pw[k++] = base + (j < extra ? 1 : 0);
    }
  *npiece_out = np;
  *pw_out = pw;
  return WG_OK;
}

wg_err wg_divide_run(const wg_divide_input_t *in, wg_divide_result_t *out,
                     wg_errinfo *ei) {
  if (!out) return wg_errinfo_set(ei, WG_EINVAL, "no result struct");
  memset(out, 0, sizeof *out);
  wg_err err = wg__dv_validate(in, ei);
  if (err) return err;
  run_t r;
  memset(&r, 0, sizeof r);
  r.in = in;
  r.passes = in->refine_passes > 0 ? in->refine_passes : 8;
  int *npiece = NULL;
  long *pw = NULL;
  err = plan_pieces(in, &npiece, &pw, ei);
  if (err) return err;
  err = wg__dv_build(&r.dv, in, npiece, pw, ei);
  if (err) {
    free(npiece);
    free(pw);
    return err;
  }
  const wg__dv_t *dv = &r.dv;
  int n = r.n = dv->n, L = in->nlevels;
  size_t nn = n ? (size_t)n : 1;
  r.lab = malloc((size_t)L * nn * sizeof(int));
  r.scratch = malloc(nn * sizeof(int) + sizeof(int));
  r.scratch2 = malloc(nn * sizeof(int) + sizeof(int));
  if (!r.lab || !r.scratch || !r.scratch2) goto nomem;
  for (size_t i = 0; i < (size_t)L * nn; i++) r.lab[i] = -1;
  if (wg__part_init(&r.part, dv, r.lab)) goto nomem;
  if (reshape_pieces(&r)) goto nomem;
  if (in->prev && n > 0 && load_prev(&r)) goto nomem;

  int *R = malloc(nn * sizeof(int));
  if (!R) goto nomem;
  for (int l = 0; l < L && n > 0; l++) {
    r.part.lab = r.lab + (size_t)l * n;
    /* parents: groups at level 0, else the grids of level l-1 */
    int np = 0, pfirst = 0;
    const int *key;
    if (l == 0) {
      np = dv->ngroups;
      key = dv->group;
    } else {
      pfirst = -1;
      for (int g = 0; g < r.ng; g++)
        if (r.g[g].level == l - 1) {
          if (pfirst < 0) pfirst = g;
          np = g - pfirst + 1;
        }
      key = r.lab + (size_t)(l - 1) * n;
      if (pfirst < 0) break;
    }
    int *start = calloc((size_t)(np > 0 ? np : 1) + 1, sizeof(int));
    int *fill = malloc((size_t)(np > 0 ? np : 1) * sizeof(int));
    if (!start || !fill) {
      free(start);
      free(fill);
      free(R);
      goto nomem;
    }
    for (int i = 0; i < n; i++) start[key[i] - pfirst + 1]++;
    for (int c = 0; c < np; c++) start[c + 1] += start[c];
    for (int c = 0; c < np; c++) fill[c] = start[c];
    for (int i = 0; i < n; i++) R[fill[key[i] - pfirst]++] = i;
    free(fill);
    for (int c = 0; c < np && !err; c++) {
      int m = start[c + 1] - start[c];
      if (m == 0) continue;
      int parent = l == 0 ? -1 : pfirst + c;
      int group = l == 0 ? c : r.g[parent].group;
      err = divide_parent(&r, l, parent, group, R + start[c], m);
    }
    free(start);
    if (err) {
      free(R);
      free_run(&r);
      free(npiece);
      free(pw);
      return wg_errinfo_set(ei, err, "dividing level %d: %s", l + 1,
                            wg_strerror(err));
    }
  }
  free(R);

  /* result: grids ordered by level, then parent, then number */
  int *perm = malloc((size_t)(r.ng > 0 ? r.ng : 1) * sizeof(int));
  int *inv = malloc((size_t)(r.ng > 0 ? r.ng : 1) * sizeof(int));
  if (!perm || !inv) {
    free(perm);
    free(inv);
    goto nomem;
  }
  fkey_t *fk = malloc((size_t)(r.ng > 0 ? r.ng : 1) * sizeof *fk);
  if (!fk) {
    free(perm);
    free(inv);
    goto nomem;
  }
  /* grids were created level by level, so each level is one id range */
  for (int l = 0, b = 0; l < L; l++) {
    int e = b;
    while (e < r.ng && r.g[e].level == l) e++;
    for (int k = b; k < e; k++) {
      const ngrid_t *g = &r.g[k];
      fk[k] = (fkey_t){g->parent >= 0 ? inv[g->parent] : -1, g->group,
                       g->number, k};
    }
    qsort(fk + b, (size_t)(e - b), sizeof *fk, cmp_final);
    for (int k = b; k < e; k++) {
      perm[k] = fk[k].id;
      inv[fk[k].id] = k;
    }
    b = e;
  }
  free(fk);
  for (size_t i = 0; i < (size_t)L * n; i++)
    if (r.lab[i] >= 0) r.lab[i] = inv[r.lab[i]];
  {
    ngrid_t *ng2 = malloc((size_t)(r.ng > 0 ? r.ng : 1) * sizeof *ng2);
    if (!ng2) {
      free(perm);
      free(inv);
      goto nomem;
    }
    for (int k = 0; k < r.ng; k++) {
      ng2[k] = r.g[perm[k]];
      if (ng2[k].parent >= 0) ng2[k].parent = inv[ng2[k].parent];
    }
    free(r.g);
    r.g = ng2;
    r.gcap = r.ng;
  }
  free(perm);
  free(inv);
  out->n = in->n;
  out->nlevels = L;
  out->ngrids = r.ng;
  out->grids = calloc((size_t)(r.ng > 0 ? r.ng : 1), sizeof *out->grids);
  out->unit_grid = malloc((size_t)L * (in->n > 0 ? in->n : 1) * sizeof(int));
  if (!out->grids || !out->unit_grid) goto nomem_out;
  for (int g = 0; g < r.ng; g++) {
    out->grids[g].level = r.g[g].level + 1;
    out->grids[g].parent = r.g[g].parent;
    out->grids[g].group = r.g[g].group;
    out->grids[g].number = r.g[g].number;
    out->grids[g].kept = r.g[g].kept;
  }
  int npieces = 0;
  for (int u = 0; u < in->n; u++)
    if (dv->ustart[u + 1] - dv->ustart[u] > 1)
      npieces += dv->ustart[u + 1] - dv->ustart[u];
  out->pieces = calloc((size_t)(npieces > 0 ? npieces : 1), sizeof *out->pieces);
  if (!out->pieces) goto nomem_out;
  for (int u = 0; u < in->n; u++) {
    int b = dv->ustart[u], e = dv->ustart[u + 1];
    for (int l = 0; l < L; l++) {
      int g = r.lab[(size_t)l * n + b];
      for (int i = b + 1; i < e; i++)
        if (r.lab[(size_t)l * n + i] != g) g = WG_DIVIDE_SPLIT;
      out->unit_grid[(size_t)l * in->n + u] = g;
    }
    if (e - b > 1)
      for (int i = b; i < e; i++) {
        wg_divide_piece_t *pc = &out->pieces[out->npieces++];
        pc->unit = u;
        pc->households = dv->w[i];
        for (int l = 0; l < WG_DIVIDE_MAX_LEVELS; l++)
          pc->grid[l] = l < L ? r.lab[(size_t)l * n + i] : -1;
      }
  }
  err = wg__check_fill(dv, r.lab, out);
  if (err) goto nomem_out;
  if (in->prev) {
    long changed[WG_DIVIDE_MAX_LEVELS] = {0};
    for (int i = 0; i < n; i++) {
      int diff = 0;
      int path[WG_DIVIDE_MAX_LEVELS] = {0};
      int g = r.lab[(size_t)(L - 1) * n + i];
      for (int l = L - 1; l >= 0; l--) {
        path[l] = g >= 0 ? r.g[g].number : 0;
        g = g >= 0 ? r.g[g].parent : -1;
      }
      for (int l = 0; l < L; l++) {
        if (path[l] != r.iprev[(size_t)l * n + i]) diff = 1;
        if (diff) changed[l] += dv->w[i];
      }
    }
    out->changed_households = changed[L - 1];
    for (int l = 0; l < L; l++)
      out->changed_share_level[l] =
          out->households ? (double)changed[l] / out->households : 0.0;
    out->changed_share = out->changed_share_level[L - 1];
  }
  free_run(&r);
  free(npiece);
  free(pw);
  return WG_OK;
nomem_out:
  wg_divide_result_free(out);
nomem:
  free_run(&r);
  free(npiece);
  free(pw);
  return wg_errinfo_set(ei, WG_ENOMEM, "out of memory dividing %d units",
                        in->n);
}
