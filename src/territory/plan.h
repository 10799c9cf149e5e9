/* plan.h — dividing the ledger's households into grids, and the plans
 * (versions of a division) that result.
 *
 * Units are entrances (单元): an entrance is never split unless it alone
 * holds more households than a level-3 grid may. Households per entrance come
 * from the ledger (households of active residents). Groups are communities
 * and villages: no grid crosses one. Urban communities use the urban bounds;
 * a rural village is one level-1 grid whatever its size (configurable) and is
 * divided below by the same bounds. Adjacency is the Delaunay triangulation
 * of the entrances' positions, cut by barriers (the river stored by the demo
 * as meta "demo.river", or any GeoJSON LineString in meta "barriers").
 *
 * Grid codes extend the 12-digit community code by two digits per level:
 * 141127100001 + 01 + 03 + 07. Numbers run west→east, north→south within the
 * parent (see divide.h); a re-division keeps the numbers of grids that
 * persist and gives new grids numbers never used before under that parent. */
#ifndef WG_PLAN_H
#define WG_PLAN_H

#include "divide/divide.h"
#include "store/store.h"

typedef struct wg_plan_opts {
  const char *county;           /* required */
  const char *community;        /* one community's code, or NULL = the county */
  int nlevels;                  /* 1..3 */
  wg_divide_bounds_t bounds[3]; /* urban bounds, outermost first */
  int rural_whole_l1;           /* villages: one level-1 grid each (default 1) */
  int fresh;                    /* ignore the active plan (no stability) */
  double margin;                /* metres around a group's units for polygons */
  int no_shapes;                /* 1: compactness from entrance points only,
                                   not from the entrances' Voronoi cells */
  const char *actor;
  const char *note;
} wg_plan_opts;

/* Defaults: the model county's urban bounds 300–500 / 50–100 / 10–20,
 * villages one level-1 grid, margin 30 m. */
void wg_plan_opts_init(wg_plan_opts *o);

/* Parses "300-500,50-100,10-20" (one to three levels, outermost first) into
 * o->bounds and o->nlevels. WG_EINVAL with ei->why when malformed. */
wg_err wg_plan_parse_bounds(const char *text, wg_plan_opts *o, wg_errinfo *ei) WG_MUST_CHECK;

typedef struct wg_plan_report {
  int64_t plan_id;
  int64_t based_on;             /* the active plan it re-divided, 0 = afresh */
  int units, groups, ngrids[3];
  long households;
  wg_divide_result_t result;    /* the core's result (owned; freed by _free) */
  double seconds_divide, seconds_polygons, seconds_total;
} wg_plan_report;

void wg_plan_report_free(wg_plan_report *r);

/* Divides the ledger of o->county (or one community) and stores the result
 * as a new draft plan with its grids, their polygons and every entrance's
 * assignment, in one transaction. With an active plan (and not o->fresh),
 * re-divides from it: grids that still meet the rules keep their codes.
 * The report says what came out, violations included (see divide.h). */
wg_err wg_plan_divide(wg_store_t *s, const wg_plan_opts *o, wg_plan_report *rep,
                      wg_errinfo *ei) WG_MUST_CHECK;

/* A stored plan checked against its own bounds and today's ledger (the
 * households may have changed since it was made): the divide core's checker
 * on the plan's assignment, and per level the overlap of the grid polygons
 * and, for levels 2 and 3, their gap against the level-1 grids they tile. */
typedef struct wg_plan_check_report {
  int nlevels;
  wg_divide_bounds_t bounds[3];
  int units;
  wg_divide_result_t result;    /* owned */
  char (*codes)[19];            /* [result.ngrids] the code of each result grid (owned) */
  double overlap_m2[3], gap_m2[3], mean_polsby_popper[3];
} wg_plan_check_report;

wg_err wg_plan_check(wg_store_t *s, int64_t plan_id, wg_plan_check_report *out,
                     wg_errinfo *ei) WG_MUST_CHECK;
void wg_plan_check_report_free(wg_plan_check_report *r);

/* The grids holding a WGS84 point in the county's active plan: codes at
 * levels 1..3 ("" where none). WG_ENOTFOUND when no grid holds it. */
typedef struct wg_located {
  int64_t plan_id;
  char code[3][19];
  char community[13];
} wg_located;

wg_err wg_plan_locate(wg_store_t *s, const char *county, double lon, double lat,
                      wg_located *out) WG_MUST_CHECK;

/* Differences between two plans: households whose grid changed at any
 * level, grids only in a, only in b, and in both with the same units. */
typedef struct wg_plan_diff {
  long households, changed_households;
  int grids_a, grids_b, only_a, only_b, same, changed;
} wg_plan_diff;

wg_err wg_plan_compare(wg_store_t *s, int64_t a, int64_t b, wg_plan_diff *out) WG_MUST_CHECK;

#endif
