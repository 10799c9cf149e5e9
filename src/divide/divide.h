/* divide.h — the divide core: nested grids under hard household bounds.
 *
 * A library with no I/O. Units (buildings or entrances) with a household
 * count, a location, a group (community / village) and an adjacency graph
 * go in; for each unit and level the grid it lies in, the grids themselves
 * (numbered within their parent), and a list of violations come out.
 *
 *   level 1 ⊃ level 2 ⊃ level 3, every grid inside one group;
 *   grids are contiguous in the adjacency graph and cover every unit;
 *   a unit is split only when it alone exceeds the last level's upper bound,
 *   and then into the fewest pieces within that bound (wg_divide_piece_t),
 *   as even as possible except where a neighbour lighter than the last
 *   level's floor needs a lighter piece to make a grid with (the pieces'
 *   households are in the result).
 *
 * Numbering: within each parent, grids are sorted by rows then by x. The
 * parent's units span [ymin, ymax]; with k children there are
 * R = max(1, round(sqrt(k))) rows of height h = (ymax - ymin) / R, and a grid
 * whose centroid (mean of its units' coordinates) is cy lies in row
 * clamp(floor((ymax - cy) / h), 0, R - 1) (row 0 is the northernmost; all
 * in row 0 when h = 0). Grids sort
 * by (row, cx ascending, cy descending, lowest unit index) and are numbered
 * 1, 2, ... in that order. With a previous assignment, grids that persist
 * keep their number; new grids take max_used + 1, max_used + 2, ... in the
 * same order, where max_used is the highest number present in the previous
 * assignment under that parent or given in wg_divide_used_t, so a retired
 * number is never reused. A grid code is then the group's code followed by
 * two digits per level (caller's business).
 *
 * Compactness is a proxy the core can compute without polygons: for a grid
 * of m units with moment of inertia I about its centroid (unit masses, in
 * squared metres) and a typical area per unit a (the median squared length
 * of adjacency edges / 1.1, about right for lattices and Delaunay graphs),
 * each unit counted as a small disc of area a (adding m·a/(2π) to I),
 * compactness = min(1, m² a / (2π I)): a disc scores 1, a square 0.95, a
 * 2:1 rectangle 0.76, a 4:1 one 0.45 (Polsby-Popper: 0.79, 0.70, 0.50).
 *
 * With area and edge_length (polygons' areas and shared boundary lengths),
 * the local search instead maximises the sum over grids of Polsby-Popper
 * 4πA/P², A = Σ unit areas, P = Σ lengths of edges leaving the grid (to
 * other grids, other groups or, with outer_length, to nothing); bounds and
 * contiguity still come first. A split unit's pieces share its area and its
 * edges evenly. grid.compactness stays the inertia proxy.
 *
 * Forced or avoidable: a bound violation is forced when the grid holds one
 * unit alone over the bound, or a unit with no neighbour in its group, or a
 * unit lighter than the floor that no neighbour can join without passing
 * the ceiling (a split neighbour counting as the lightest piece the fewest
 * pieces allow, max(1, w - (k-1)·hi)), or when the grid's connected area (within its parent) holds
 * a total H with no k >= 1 such that k·lo <= H <= k·hi and that area is
 * fixed by the data (a connected part of the group at level 1; below, a
 * parent whose own size was forced or whose bounds admit no child count).
 * Everything else, and every contiguity, nesting or coverage error, is
 * avoidable. Structural impossibilities beyond these (e.g. a star, where
 * only one grid can hold the centre) are reported as avoidable.
 *
 * Stability (prev): previous grids lying wholly in their new parent that
 * still meet the rules are kept with their numbers; the rest is cut again.
 * A kept grid changes only when a neighbouring invalid grid cannot be
 * repaired otherwise (boundary moves, then regrouping the pair's grids one
 * level down, then re-cutting widening rings of neighbours); such grids
 * keep their number (kept = 2) as do new grids sharing a strict majority of
 * households with a previous grid both ways. A split unit cut into another
 * number of pieces than before (prev_pieces) gives its pieces the previous
 * numbers of the pieces with the same ordinal where it has none of its own.
 */
#ifndef WG_DIVIDE_H
#define WG_DIVIDE_H

#include <stddef.h>

#include "util/err.h"

#define WG_DIVIDE_MAX_LEVELS 3
#define WG_DIVIDE_MAX_UNITS 20000000     /* cap on units per call */
#define WG_DIVIDE_MAX_ITEMS 40000000     /* cap on units + pieces */
#define WG_DIVIDE_MAX_HOUSEHOLDS 1000000000000L /* cap on any total */
#define WG_DIVIDE_SPLIT (-2) /* unit_grid: the unit's pieces lie in several grids */

typedef struct wg_divide_bounds {
  long lo;  /* fewest households a grid may hold (0 = no floor) */
  long hi;  /* most households a grid may hold (>= 1, >= lo) */
} wg_divide_bounds_t;

/* Per-group rule, e.g. urban communities vs villages. */
typedef struct wg_divide_group_rule {
  int whole_l1;    /* 1: each connected part of the group is one level-1 grid
                      whatever its size (level-1 bounds not applied) */
  int own_bounds;  /* 1: use bounds[] below instead of the input's */
  wg_divide_bounds_t bounds[WG_DIVIDE_MAX_LEVELS];
} wg_divide_group_rule_t;

/* The highest number ever used under one parent, including retired ones. */
typedef struct wg_divide_used {
  int group;       /* group id */
  int level;       /* level of the children, 1..nlevels */
  int path[WG_DIVIDE_MAX_LEVELS - 1]; /* the parent's numbers at levels
                                          1..level-1 (unused entries 0) */
  int max_number;  /* highest child number ever used */
} wg_divide_used_t;

/* A piece of a split unit; its grids per level (grid indices in a result,
 * labels for wg_divide_check, numbers in prev_pieces). */
typedef struct wg_divide_piece {
  int unit;
  long households;
  int grid[WG_DIVIDE_MAX_LEVELS];
} wg_divide_piece_t;

typedef struct wg_divide_input {
  int n;                       /* number of units */
  const long *households;      /* [n] households per unit, >= 0 */
  const double *x, *y;         /* [n] planar metres (y grows north) or
                                  longitude / latitude in degrees */
  int lonlat;                  /* 1: x, y are lon/lat; projected internally */
  const int *group;            /* [n] group id in 0..ngroups-1; NULL = all 0 */
  int ngroups;                 /* number of groups (>= 1 when n > 0) */
  const int *adj_start;        /* [n+1] CSR offsets into adj */
  const int *adj;              /* [adj_start[n]] neighbour units; made
                                  symmetric internally; edges between groups
                                  are ignored */
  int nlevels;                 /* 1..3 */
  wg_divide_bounds_t bounds[WG_DIVIDE_MAX_LEVELS]; /* outermost first */
  const wg_divide_group_rule_t *rules; /* [ngroups] or NULL */
  const int *prev;             /* [nlevels*n] level-major previous numbers
                                  (prev[l*n+u] = number of u's level-l+1 grid
                                  within its parent, 1..; 0 = none); NULL =
                                  divide afresh */
  const wg_divide_piece_t *prev_pieces; /* [nprev_pieces] previous numbers
                                  of split units' pieces (grid[l] = number
                                  at level l+1, in piece order per unit);
                                  used when a unit is cut into the same
                                  number of pieces again; may be NULL */
  int nprev_pieces;
  const wg_divide_used_t *used; /* [nused] highest numbers ever used; may be
                                  NULL */
  int nused;
  int refine_passes;           /* local-search passes per parent; 0 = 8 */
  /* Optional geometry for compactness (see the top of this file). When
   * area and edge_length are both given, the local search maximises the
   * grids' Polsby-Popper 4πA/P² instead of minimising the moment of
   * inertia of unit points. Units of one measure, any scale. */
  const double *area;          /* [n] area of each unit, >= 0; may be NULL */
  const double *edge_length;   /* [adj_start[n]] length of the boundary the
                                  unit shares with adj[e], >= 0, aligned with
                                  adj; an edge listed both ways takes the
                                  larger; may be NULL */
  const double *outer_length;  /* [n] length of each unit's boundary shared
                                  with no unit (e.g. the county line), >= 0;
                                  may be NULL (counted as 0) */
} wg_divide_input_t;

typedef enum wg_divide_vkind {
  WG_DIVIDE_V_UNDER = 0,  /* grid below the lower bound */
  WG_DIVIDE_V_OVER,       /* grid above the upper bound */
  WG_DIVIDE_V_NONCONTIG,  /* grid not connected in the adjacency graph */
  WG_DIVIDE_V_UNIT_OVER,  /* one unit alone above the bound, not split */
  WG_DIVIDE_V_UNIT_SPLIT, /* a unit above the last bound was split (notice) */
  WG_DIVIDE_V_ISOLATED,   /* a unit with no neighbour in its group */
  WG_DIVIDE_V_NO_COUNT,   /* a connected area whose total fits no count */
  WG_DIVIDE_V_NESTING,    /* a grid spans several parents */
  WG_DIVIDE_V_CROSS_GROUP,/* a grid spans several groups */
  WG_DIVIDE_V_UNASSIGNED, /* a unit without a grid */
  WG_DIVIDE_V_COUNT_
} wg_divide_vkind_t;

/* Static lower-case name of a violation kind ("under", "over", ...). */
const char *wg_divide_vkind_name(wg_divide_vkind_t kind);

typedef struct wg_divide_violation {
  wg_divide_vkind_t kind;
  int level;        /* 1..nlevels, 0 when not tied to a level */
  int grid;         /* index into result grids, -1 if none */
  int group;        /* group id, -1 if several */
  int forced;       /* 1: the data makes it unavoidable; 0: avoidable */
  long households;  /* the figure at stake (grid or area total, unit size) */
  int nunits;
  int *units;       /* [nunits] units involved, owned by the result */
  char reason[320]; /* plain English, with the numbers */
} wg_divide_violation_t;

typedef struct wg_divide_grid {
  int level;          /* 1..nlevels */
  int parent;         /* index of the parent grid, -1 at level 1 */
  int group;          /* group id */
  int number;         /* 1-based number within the parent (0 from check) */
  long households;
  int units;          /* units (and pieces) in the grid */
  double cx, cy;      /* centroid: mean of the units' input coordinates */
  double compactness; /* inertia proxy, see top of file; 0..1 */
  int kept;           /* 0 new, 1 unchanged from prev (same units, same
                         number), 2 changed but number kept */
} wg_divide_grid_t;

typedef struct wg_divide_level_stats {
  int grids;
  long min, median, max;      /* households per grid */
  int out_of_bounds;          /* grids under or over the bounds */
  int out_of_bounds_forced;   /* ... of which forced by the data */
  int noncontiguous;
  int nesting_errors;         /* grids spanning several parents or groups */
  double mean_compactness;
  double within_target;       /* share of grids within ±20% of (lo+hi)/2 */
} wg_divide_level_stats_t;

typedef struct wg_divide_result {
  int n, nlevels;
  int *unit_grid;         /* [nlevels*n] level-major grid index of each unit,
                             WG_DIVIDE_SPLIT when its pieces differ, -1 when
                             unassigned (check only) */
  int ngrids;
  wg_divide_grid_t *grids;/* level 1 grids first, then level 2, ...;
                             within a level by parent, then number */
  int npieces;
  wg_divide_piece_t *pieces;
  int nviolations;
  wg_divide_violation_t *violations;
  int avoidable;          /* violations not forced by the data */
  int forced;             /* forced ones, unit_split notices included */
  int unassigned;         /* units without a grid at some level */
  wg_divide_level_stats_t stats[WG_DIVIDE_MAX_LEVELS];
  long households;        /* total */
  long changed_households;/* with prev: households whose code changed at
                             some level */
  double changed_share;   /* changed_households / households */
  double changed_share_level[WG_DIVIDE_MAX_LEVELS];
} wg_divide_result_t;

/* Divide in->n units into nested grids. out is caller-allocated; on success
 * it owns arrays to release with wg_divide_result_free (also after an error).
 * Errors: WG_EINVAL (bad input, ei->why says which unit/field), WG_ETOOBIG
 * (over a cap), WG_ENOMEM. Deterministic: the same input gives the same
 * output. Violations are never an error: they are listed in out, with the
 * same stats wg_divide_check gives for the result. Not thread-hostile: no
 * global state, so calls on different inputs may run in parallel. */
wg_err wg_divide_run(const wg_divide_input_t *in, wg_divide_result_t *out,
                     wg_errinfo *ei) WG_MUST_CHECK;

/* Check any assignment (hand-drawn or computed) against in's bounds, rules
 * and graph. labels[l*n+u] is any integer naming u's level-l+1 grid (equal
 * labels = same grid), -1 = unassigned. pieces (may be NULL) describe split
 * units; their grid[] fields are labels, and the units' own labels are then
 * ignored. in->prev is not used. out gets grids (number 0), stats and
 * violations; release with wg_divide_result_free. */
wg_err wg_divide_check(const wg_divide_input_t *in, const int *labels,
                       const wg_divide_piece_t *pieces, int npieces,
                       wg_divide_result_t *out, wg_errinfo *ei) WG_MUST_CHECK;

/* Free what out owns; accepts a zeroed or half-filled struct. Leaves it
 * zeroed. */
void wg_divide_result_free(wg_divide_result_t *out);

typedef struct wg_divide_feasibility {
  int feasible;        /* 1: the counts can nest within the bounds */
  long min_households; /* totals all levels allow (when feasible) */
  long max_households;
  char reason[640];    /* why not, with the numbers; or the allowed range */
} wg_divide_feasibility_t;

/* Can counts[l] grids at level l+1 (outermost first) nest within bounds[l]?
 * households: the actual total if known, or -1. Checks every level's total
 * range (count × lo .. count × hi), that each parent can hold a whole number
 * of children, and the range a balanced nesting allows.
 * Errors: WG_EINVAL on nlevels outside 1..3, counts < 1 or bad bounds. */
wg_err wg_divide_feasible_counts(int nlevels, const long *counts,
                                 const wg_divide_bounds_t *bounds,
                                 long households, wg_divide_feasibility_t *out,
                                 wg_errinfo *ei) WG_MUST_CHECK;

/* Which piece of a split unit each of its dwellings goes to: n dwellings in
 * reading order (floor, then room) with weight[i] ≥ 0 households each, cut
 * into npieces runs of consecutive dwellings (piece_of[i] in 0..npieces-1,
 * never decreasing), so that the pieces' sums follow target[] (the core's
 * pieces' households): a dwelling goes to the next piece once more than
 * half of it would lie past the current piece's share of the running total,
 * or when it would take the current piece above hi (hi ≤ 0: no cap); a
 * piece is never left without a dwelling while dwellings remain for the
 * pieces after it. Empty dwellings ride with the run they fall in. sums[]
 * (may be NULL) gets each piece's households. Errors: WG_EINVAL on
 * n < 0, npieces < 1, a negative weight or target. */
wg_err wg_divide_fill_pieces(int n, const long *weight, int npieces, const long *target, long hi,
                             int *piece_of, long *sums, wg_errinfo *ei) WG_MUST_CHECK;

#endif
