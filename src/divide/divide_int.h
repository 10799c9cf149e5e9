/* divide_int.h — internals shared by the divide core's files.
 *
 * Units are expanded into items: a unit is one item, or, when it alone is
 * above the last level's upper bound, several pieces. The items of unit u
 * are ustart[u] .. ustart[u+1]-1. The item graph joins every item of a
 * unit to every item of its neighbour units (same group only) and a unit's
 * pieces to each other, as the checker does (inst.c caps this for units cut
 * into many pieces); the unit graph (uxadj/uadj) is the symmetric,
 * deduplicated same-group input graph. */
#ifndef WG_DIVIDE_INT_H
#define WG_DIVIDE_INT_H

#include <stdint.h>

#include "divide/divide.h"

typedef struct wg__dv {
  const wg_divide_input_t *in;
  int nunits;        /* units */
  int n;             /* items (units and pieces) */
  int nlevels;
  int ngroups;
  long *w;           /* [n] households per item */
  double *x, *y;     /* [n] projected coordinates, metres */
  int *group;        /* [n] group per item */
  int *unit;         /* [n] unit of each item */
  int *ustart;       /* [nunits+1] first item of each unit */
  int *uxadj, *uadj; /* unit graph CSR, symmetric, same group, no loops */
  int *xadj, *adj;   /* item graph CSR */
  double area;       /* typical area per unit (m²) for compactness */
  /* geometry, when the input gives area and edge_length (else NULL) */
  double *ia;        /* [n] area per item */
  double *elen;      /* [xadj[n]] shared boundary length per item edge */
  double *iext;      /* [n] boundary towards other groups or nothing */
} wg__dv_t;

/* Validate in; on failure fill ei with the unit / field and return
 * WG_EINVAL or WG_ETOOBIG. */
wg_err wg__dv_validate(const wg_divide_input_t *in, wg_errinfo *ei);

/* Build dv from in. npiece[u] (may be NULL) is the number of pieces of u
 * (0 or 1 = whole) and piece_w lists the pieces' households in unit order.
 * dv owns everything; release with wg__dv_free. */
wg_err wg__dv_build(wg__dv_t *dv, const wg_divide_input_t *in,
                    const int *npiece, const long *piece_w, wg_errinfo *ei);
void wg__dv_free(wg__dv_t *dv);

/* Bounds of (0-based) level for group; *whole = group is one level-1 grid. */
void wg__dv_bounds(const wg_divide_input_t *in, int group, int level,
                   long *lo, long *hi, int *whole);

/* 1 if some k >= 1 has k*lo <= H <= k*hi; kmin/kmax (may be NULL) get the
 * range ceil(H/hi) .. floor(H/lo) (kmax = LONG_MAX when lo == 0). */
int wg__admits(long H, long lo, long hi, long *kmin, long *kmax);

/* The fewest households one piece of a unit of w households can hold when
 * the unit is cut into the fewest pieces of at most hi (the last level's
 * ceiling): w itself when w <= hi, else max(1, w - (k-1)·hi), k = ⌈w/hi⌉. */
static inline long wg__piece_min(long w, long hi) {
  if (w <= hi || hi <= 0) return w;
  long k = (w + hi - 1) / hi, m = w - (k - 1) * hi;
  return m > 1 ? m : 1;
}

/* Parts to cut H into: an admissible k nearest H / ((lo+hi)/2), or, when
 * none is admissible, the k with the smallest bound violation; clamped to
 * 1..maxparts. */
long wg__choose_k(long H, long lo, long hi, long maxparts);

/* Bound violation of a grid of w households. */
static inline long wg__viol(long w, long lo, long hi) {
  return w < lo ? lo - w : (w > hi ? w - hi : 0);
}

/* Scratch shared by the partitioner; arrays sized dv->n. */
typedef struct wg__part {
  const wg__dv_t *dv;
  int *lab;          /* [n] current level's grid of each item */
  int *mark;         /* [n] region stamp */
  int stamp;
  int *loc;          /* [n] local index inside the current region */
  int *vis;          /* [n] visit stamp for BFS */
  int visstamp;
  int *reg;          /* [n] parent-region stamp used by refine */
  int *queue;        /* [n] BFS queue */
  int regstamp;
  /* per-grid sums for refine, indexed by grid id, capacity gcap */
  int gcap;
  long *gw;
  int *gm;
  double *gsx, *gsy; /* coordinate sums */
  double *ga, *gp;   /* area and perimeter sums (geometry input only) */
  int *gfrozen;      /* 0 free, 1 kept (moves only to fix violations),
                        2 immovable */
} wg__part_t;

wg_err wg__part_init(wg__part_t *p, const wg__dv_t *dv, int *lab);
void wg__part_free(wg__part_t *p);
/* Make room for grid ids below need in the per-grid arrays. */
wg_err wg__part_reserve(wg__part_t *p, int need);

/* Cut the connected item set S[0..m) into contiguous parts within [lo, hi]
 * (best effort when impossible) and label them next_label, next_label+1,
 * ... in lab. S is reordered. Returns the number of parts, or -1 on ENOMEM. */
int wg__part_region(wg__part_t *p, int *S, int m, long lo, long hi,
                    int next_label);

/* Local search over the items R[0..m) of one parent: move boundary items
 * between adjacent grids while contiguity holds, first to reduce bound
 * violations, then to reduce total moment of inertia, or with geometry
 * (dv->elen) to raise the sum of Polsby-Popper scores (free grids only).
 * Grid sums for every label in R are recomputed first. Returns WG_ENOMEM or
 * WG_OK. */
wg_err wg__refine(wg__part_t *p, const int *R, int m, long lo, long hi,
                  int passes);

/* Would grid a (items with lab == a and reg == regstamp) stay connected
 * without item v? */
int wg__stays_connected(wg__part_t *p, int v, int a);

/* 1 if the items items[0..m) are connected in the item graph. */
int wg__connected(wg__part_t *p, const int *items, int m);

/* Fill stats, violations and per-grid figures of out from item labels
 * lab[l*dv->n + i] (grid index or -1). out->grids[0..ngrids) must already
 * hold level, parent, group, number and kept. */
wg_err wg__check_fill(const wg__dv_t *dv, const int *lab,
                      wg_divide_result_t *out);

/* Growable array helper: ensure *cap >= need for *arr of elem-size sz. */
wg_err wg__grow(void **arr, int *cap, int need, size_t sz);

#endif
