/* geometry_grid.c — grid polygons that tile an area: Voronoi cells of the
 * units' locations, clipped to their group's area, unioned per label.
 *
 * Per group:
 *  1. Units with a label are sorted by (x, y); equal projected coordinates
 *     make one location (one Voronoi site).
 *  2. The group's area is its boundary polygon (made valid if it is not),
 *     else the convex hull of its locations buffered by `margin`.
 *  3. Cells: one location → the whole area; collinear locations → the slabs
 *     between the perpendicular bisectors of consecutive locations (GEOS
 *     copes with collinear sites too, but builds them from circumcentres of
 *     its far-away frame, a few ulps off; slabs are exact); otherwise
 *     GEOS's Voronoi diagram over an envelope larger than area and sites.
 *     GEOS 3.11 does
 *     not keep the input order of cells, so each cell is matched to the
 *     location nearest to its vertex average (a point inside the convex
 *     cell, whose nearest site is the cell's own).
 *  4. Each cell is clipped to the area (no clipping when it lies inside).
 *  5. Coincident units with different labels (an entrance split across
 *     grids) split their cell fairly: into wedges around the location, one
 *     per label, with angles proportional to the label's number of units
 *     there, the first (lowest) label starting due north and going
 *     clockwise. Every such label gets a piece touching the location, so
 *     contains() holds for each unit's own label (the point lies on the
 *     pieces' common corner).
 *  6. Pieces are unioned per label, measured in metres, un-projected and
 *     written as WKB.
 * The cells of a group tile its area exactly up to floating-point noise in
 * the clipping (relative 1e-12 or so), so gap and overlap are zero. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "territory/geometry_int.h"
#include "util/strmap.h"

#define WG_PI 3.14159265358979323846

typedef struct unit_site {
  double x, y;             /* projected */
  int group, label, unit;
} unit_site;

static int unit_site_cmp(const void *pa, const void *pb) {
  const unit_site *a = pa, *b = pb;
  if (a->group != b->group) return a->group < b->group ? -1 : 1;
  if (a->x != b->x) return a->x < b->x ? -1 : 1;
  if (a->y != b->y) return a->y < b->y ? -1 : 1;
  if (a->label != b->label) return a->label < b->label ? -1 : 1;
  return (a->unit > b->unit) - (a->unit < b->unit);
}

/* A piece of a label's polygon, owned by the list until unioned. */
typedef struct piece {
  int label;
  long seq;                /* insertion order: keeps the sort stable */
  GEOSGeometry *geom;
} piece;

typedef struct piece_list {
  piece *items;
  size_t n, cap;
} piece_list;

static int piece_cmp(const void *pa, const void *pb) {
  const piece *a = pa, *b = pb;
  if (a->label != b->label) return a->label < b->label ? -1 : 1;
  return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Takes ownership of geom (destroyed when empty or on error). */
static wg_err piece_push(wg__geos *g, piece_list *l, int label, GEOSGeometry *geom,
                         wg_errinfo *ei) {
  char empty = GEOSisEmpty_r(g->h, geom);
  if (empty) {
    GEOSGeom_destroy_r(g->h, geom);
    return empty == 1 ? WG_OK : wg__geos_fail(g, ei, WG_EINVAL, "bad cell");
  }
  if (l->n == l->cap) {
    size_t ncap = l->cap ? 2 * l->cap : 1024;
    piece *np = realloc(l->items, ncap * sizeof *np);
    if (!np) {
      GEOSGeom_destroy_r(g->h, geom);
      return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for cells");
    }
    l->items = np, l->cap = ncap;
  }
  l->items[l->n] = (piece){label, (long)l->n, geom};
  ++l->n;
  return WG_OK;
}

/* A polygon from a closed ring of k ≥ 4 points (xy[2k], first == last).
 * GEOS owns the sequence and the ring once given, even when it fails. */
static GEOSGeometry *polygon_from(wg__geos *g, const double *xy, unsigned k) {
  GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(g->h, xy, k, 0, 0);
  GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(g->h, seq) : NULL;
  return ring ? GEOSGeom_createPolygon_r(g->h, ring, NULL, 0) : NULL;
}

typedef struct xy_item {
  double x, y;
} xy_item;

static int xy_distance(const void *a, const void *b, double *d, void *userdata) {
  (void)userdata;
  const xy_item *p = a, *q = b;
  *d = hypot(p->x - q->x, p->y - q->y);
  return 1; /* GEOS 3.11 treats 0 as failure, whatever its header says */
}

/* The group's area, projected: boundary WKB (made valid when needed) or
 * hull of the locations buffered by margin. */
static wg_err group_area(wg__geos *g, const wg__proj *p, int gi, const unsigned char *bwkb,
                         size_t blen, const double *lx, const double *ly, int k, double margin,
                         GEOSGeometry **out, wg_errinfo *ei) {
  *out = NULL;
  GEOSGeometry *geom = NULL;
  if (bwkb) {
    GEOSGeometry *raw = NULL;
    wg_err err = wg__wkb_read(g, bwkb, blen, &raw, ei);
    if (err) {
      if (ei) {
        char why[sizeof ei->why];
        snprintf(why, sizeof why, "%s", ei->why);
        wg_errinfo_set(ei, err, "boundary of group %d: %s", gi, why);
      }
      return err;
    }
    double x0, y0, x1, y1;
    if (p->lonlat && !GEOSisEmpty_r(g->h, raw) &&
        (!wg__geom_centre(g, raw, NULL, NULL, &x0, &y0, &x1, &y1) ||
         wg__check_xy(x0, y0, 1, "boundary of group", gi, ei) ||
         wg__check_xy(x1, y1, 1, "boundary of group", gi, ei))) {
      GEOSGeom_destroy_r(g->h, raw);
      return WG_EINVAL;
    }
    geom = wg__make_valid(g, wg__proj_geom(g, p, raw, 0));
    GEOSGeom_destroy_r(g->h, raw);
    if (!geom) return wg__geos_fail(g, ei, WG_EINVAL, "cannot use the boundary");
  } else {
    double *xy = malloc((size_t)k * 2 * sizeof *xy);
    if (!xy) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for a hull");
    for (int i = 0; i < k; ++i) xy[2 * i] = lx[i], xy[2 * i + 1] = ly[i];
    GEOSGeometry *pts = NULL;
    if (k == 1) {
      pts = GEOSGeom_createPointFromXY_r(g->h, lx[0], ly[0]);
    } else {
      pts = wg__linestring(g, xy, (unsigned)k);
    }
    free(xy);
    GEOSGeometry *hull = pts ? GEOSConvexHull_r(g->h, pts) : NULL;
    if (pts) GEOSGeom_destroy_r(g->h, pts);
    if (hull && margin > 0) {
      geom = GEOSBuffer_r(g->h, hull, margin, 8);
      GEOSGeom_destroy_r(g->h, hull);
    } else {
      geom = hull;
    }
    geom = wg__polygonal(g, geom);
    if (!geom) return wg__geos_fail(g, ei, WG_EINVAL, "cannot build the hull of a group");
  }
  double a = 0;
  if (!GEOSArea_r(g->h, geom, &a) || !(a > 0)) {
    GEOSGeom_destroy_r(g->h, geom);
    return wg_errinfo_set(ei, WG_EINVAL,
                          "group %d: its area is empty (give a boundary, or a margin > 0 "
                          "when its units are collinear)",
                          gi);
  }
  *out = geom;
  return WG_OK;
}

/* Cells of k ≥ 2 collinear locations: slabs between perpendicular
 * bisectors, big enough to cover box (half-size `big` around location 0).
 * order: locations sorted along the line. cells[order[i]] get the slabs. */
static wg_err slab_cells(wg__geos *g, const double *lx, const double *ly, int k, const int *order,
                         double big, GEOSGeometry **cells, wg_errinfo *ei) {
  double ox = lx[order[0]], oy = ly[order[0]];
  double dx = lx[order[k - 1]] - ox, dy = ly[order[k - 1]] - oy, len = hypot(dx, dy);
  dx /= len, dy /= len;
  double nx = -dy, ny = dx;
  double prev = -big;
  for (int i = 0; i < k; ++i) {
    double next = big;
    if (i + 1 < k) {
      double t0 = (lx[order[i]] - ox) * dx + (ly[order[i]] - oy) * dy;
      double t1 = (lx[order[i + 1]] - ox) * dx + (ly[order[i + 1]] - oy) * dy;
      next = 0.5 * (t0 + t1);
    }
    double uv[5][2] = {{prev, -big}, {next, -big}, {next, big}, {prev, big}, {prev, -big}};
    double xy[10];
    for (int j = 0; j < 5; ++j) {
      xy[2 * j] = ox + dx * uv[j][0] + nx * uv[j][1];
      xy[2 * j + 1] = oy + dy * uv[j][0] + ny * uv[j][1];
    }
    cells[order[i]] = polygon_from(g, xy, 5);
    if (!cells[order[i]]) return wg__geos_fail(g, ei, WG_ENOMEM, "cannot build a cell");
    prev = next;
  }
  return WG_OK;
}

/* Voronoi cells of k ≥ 3 non-collinear locations, matched to them. */
static wg_err voronoi_cells(wg__geos *g, const double *lx, const double *ly, int k,
                            const GEOSGeometry *env, GEOSGeometry **cells, wg_errinfo *ei) {
  wg_err err = WG_OK;
  GEOSGeometry *sites = NULL, *diagram = NULL, **pts = NULL, *probe = NULL;
  GEOSSTRtree *tree = NULL;
  xy_item *items = malloc((size_t)k * sizeof *items);
  double *xy = malloc((size_t)k * 2 * sizeof *xy);
  pts = calloc((size_t)k, sizeof *pts);
  if (!items || !xy || !pts) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for a Voronoi diagram");
    goto done;
  }
  for (int i = 0; i < k; ++i) {
    xy[2 * i] = lx[i], xy[2 * i + 1] = ly[i];
    items[i] = (xy_item){lx[i], ly[i]};
  }
  sites = wg__linestring(g, xy, (unsigned)k);
  if (!sites) {
    err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot build the sites");
    goto done;
  }
  diagram = GEOSVoronoiDiagram_r(g->h, sites, env, 0.0, 0);
  if (!diagram) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "Voronoi diagram failed");
    goto done;
  }
  int ncells = GEOSGetNumGeometries_r(g->h, diagram);
  if (ncells != k) {
    err = wg_errinfo_set(ei, WG_EINVAL, "Voronoi diagram has %d cells for %d points", ncells, k);
    goto done;
  }
  tree = GEOSSTRtree_create_r(g->h, 10);
  if (!tree) {
    err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot create a spatial index");
    goto done;
  }
  for (int i = 0; i < k; ++i) {
    /* the tree keeps a pointer to each point's envelope: keep them alive */
    pts[i] = GEOSGeom_createPointFromXY_r(g->h, lx[i], ly[i]);
    if (!pts[i]) {
      err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot build a point");
      goto done;
    }
    GEOSSTRtree_insert_r(g->h, tree, pts[i], &items[i]);
  }
  for (int c = 0; c < ncells; ++c) {
    const GEOSGeometry *cell = GEOSGetGeometryN_r(g->h, diagram, c);
    const GEOSGeometry *shell = cell ? GEOSGetExteriorRing_r(g->h, cell) : NULL;
    const GEOSCoordSequence *cs = shell ? GEOSGeom_getCoordSeq_r(g->h, shell) : NULL;
    unsigned size = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(g->h, cs, &size) || size < 4) {
      err = wg__geos_fail(g, ei, WG_EINVAL, "bad Voronoi cell");
      goto done;
    }
    xy_item centre = {0, 0};
    for (unsigned i = 0; i + 1 < size; ++i) { /* the last vertex repeats the first */
      double vx, vy;
      if (!GEOSCoordSeq_getXY_r(g->h, cs, i, &vx, &vy)) {
        err = wg__geos_fail(g, ei, WG_EINVAL, "bad Voronoi cell");
        goto done;
      }
      centre.x += vx, centre.y += vy;
    }
    centre.x /= size - 1, centre.y /= size - 1;
    probe = GEOSGeom_createPointFromXY_r(g->h, centre.x, centre.y);
    const xy_item *nearest =
        probe ? GEOSSTRtree_nearest_generic_r(g->h, tree, &centre, probe, xy_distance, NULL) : NULL;
    GEOSGeom_destroy_r(g->h, probe);
    probe = NULL;
    if (!nearest) {
      err = wg__geos_fail(g, ei, WG_EINVAL, "cannot match a Voronoi cell to its point");
      goto done;
    }
    long loc = nearest - items;
    if (cells[loc]) {
      err = wg_errinfo_set(ei, WG_EINVAL, "two Voronoi cells match point (%.3f, %.3f)",
                           items[loc].x, items[loc].y);
      goto done;
    }
    cells[loc] = GEOSGeom_clone_r(g->h, cell);
    if (!cells[loc]) {
      err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot copy a cell");
      goto done;
    }
  }
done:
  if (probe) GEOSGeom_destroy_r(g->h, probe);
  if (tree) GEOSSTRtree_destroy_r(g->h, tree);
  for (int i = 0; pts && i < k; ++i)
    if (pts[i]) GEOSGeom_destroy_r(g->h, pts[i]);
  if (diagram) GEOSGeom_destroy_r(g->h, diagram);
  if (sites) GEOSGeom_destroy_r(g->h, sites);
  free(pts);
  free(items);
  free(xy);
  return err;
}

/* Splits the clipped cell of a location shared by m ≥ 2 labels into wedges
 * (see the file comment) and pushes one piece per label. */
static wg_err split_cell(wg__geos *g, const GEOSGeometry *cell, double sx, double sy,
                         const int *labels, const int *counts, int m, piece_list *pieces,
                         wg_errinfo *ei) {
  double x0, y0, x1, y1;
  if (!wg__geom_centre(g, cell, NULL, NULL, &x0, &y0, &x1, &y1))
    return wg__geos_fail(g, ei, WG_EINVAL, "cannot measure a cell");
  double far = 0;
  double corners[4][2] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
  for (int i = 0; i < 4; ++i) {
    double d = hypot(corners[i][0] - sx, corners[i][1] - sy);
    if (d > far) far = d;
  }
  /* chords of ≤ 45° stay ≥ cos(22.5°)·R > far from the centre */
  double radius = 2 * far + 1;
  long total = 0;
  for (int j = 0; j < m; ++j) total += counts[j];
  double *rx = malloc(((size_t)m + 1) * sizeof *rx), *ry = malloc(((size_t)m + 1) * sizeof *ry);
  double *ang = malloc(((size_t)m + 1) * sizeof *ang);
  double *xy = NULL;
  wg_err err = WG_OK;
  if (!rx || !ry || !ang) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for a split cell");
    goto done;
  }
  long cum = 0;
  for (int j = 0; j <= m; ++j) {
    ang[j] = WG_PI / 2 - 2 * WG_PI * (double)cum / (double)total;
    rx[j] = sx + radius * cos(ang[j]);
    ry[j] = sy + radius * sin(ang[j]);
    if (j < m) cum += counts[j];
  }
  rx[m] = rx[0], ry[m] = ry[0]; /* the last ray is the first: same bits */
  for (int j = 0; j < m && !err; ++j) {
    double span = ang[j] - ang[j + 1];
    int steps = (int)ceil(span / (WG_PI / 4));
    if (steps < 1) steps = 1;
    free(xy);
    xy = malloc(((size_t)steps + 3) * 2 * sizeof *xy);
    if (!xy) {
      err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for a split cell");
      break;
    }
    unsigned k = 0;
    xy[2 * k] = sx, xy[2 * k + 1] = sy, ++k;
    xy[2 * k] = rx[j], xy[2 * k + 1] = ry[j], ++k;
    for (int s = 1; s < steps; ++s) {
      double a = ang[j] - span * s / steps;
      xy[2 * k] = sx + radius * cos(a), xy[2 * k + 1] = sy + radius * sin(a), ++k;
    }
    xy[2 * k] = rx[j + 1], xy[2 * k + 1] = ry[j + 1], ++k;
    xy[2 * k] = sx, xy[2 * k + 1] = sy, ++k;
    GEOSGeometry *wedge = polygon_from(g, xy, k);
    GEOSGeometry *part = wedge ? GEOSIntersection_r(g->h, wedge, cell) : NULL;
    if (wedge) GEOSGeom_destroy_r(g->h, wedge);
    part = wg__polygonal(g, part);
    if (!part) err = wg__geos_fail(g, ei, WG_EINVAL, "cannot split a cell");
    else err = piece_push(g, pieces, labels[j], part, ei);
  }
done:
  free(rx);
  free(ry);
  free(ang);
  free(xy);
  return err;
}

/* Clips one location's cell to the area and hands the pieces to its
 * labels. Takes ownership of cell. us: the location's units, sorted by label. */
/* The cell clipped to the area (no clipping when it lies inside); takes
 * ownership of cell. */
static wg_err clip_cell(wg__geos *g, GEOSGeometry *cell, const GEOSGeometry *area,
                        const GEOSPreparedGeometry *parea, GEOSGeometry **out, wg_errinfo *ei) {
  *out = NULL;
  char inside = GEOSPreparedContainsProperly_r(g->h, parea, cell);
  if (inside == 2) {
    GEOSGeom_destroy_r(g->h, cell);
    return wg__geos_fail(g, ei, WG_EINVAL, "cannot test a cell against the area");
  }
  if (inside) {
    *out = cell;
    return WG_OK;
  }
  *out = wg__polygonal(g, GEOSIntersection_r(g->h, cell, area));
  GEOSGeom_destroy_r(g->h, cell);
  return *out ? WG_OK : wg__geos_fail(g, ei, WG_EINVAL, "cannot clip a cell to the area");
}

static wg_err place_cell(wg__geos *g, GEOSGeometry *clipped, const unit_site *us, int nus,
                         piece_list *pieces, wg_errinfo *ei) {
  if (us[0].label == us[nus - 1].label) return piece_push(g, pieces, us[0].label, clipped, ei);
  char empty = GEOSisEmpty_r(g->h, clipped);
  if (empty) {
    GEOSGeom_destroy_r(g->h, clipped);
    return empty == 1 ? WG_OK : wg__geos_fail(g, ei, WG_EINVAL, "bad cell");
  }
  int *labels = malloc((size_t)nus * sizeof *labels);
  int *counts = malloc((size_t)nus * sizeof *counts);
  wg_err err = WG_OK;
  if (!labels || !counts) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for a split cell");
  } else {
    int m = 0;
    for (int i = 0; i < nus; ++i) {
      if (m == 0 || labels[m - 1] != us[i].label) labels[m] = us[i].label, counts[m++] = 0;
      ++counts[m - 1];
    }
    err = split_cell(g, clipped, us[0].x, us[0].y, labels, counts, m, pieces, ei);
  }
  free(labels);
  free(counts);
  GEOSGeom_destroy_r(g->h, clipped);
  return err;
}

/* The clipped Voronoi cells of one group's k locations (lx/ly): cells[l]
 * for location l, owned by the caller (each may be empty). */
static wg_err group_cells(wg__geos *g, const wg__proj *p, int gi, const unsigned char *bwkb,
                          size_t blen, double margin, const double *lx, const double *ly, int k,
                          GEOSGeometry **cells, wg_errinfo *ei) {
  GEOSGeometry *area = NULL, *env = NULL;
  const GEOSPreparedGeometry *parea = NULL;
  int *order = NULL;
  wg_err err = group_area(g, p, gi, bwkb, blen, lx, ly, k, margin, &area, ei);
  if (err) return err;
  order = malloc((size_t)k * sizeof *order);
  if (!order) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for cells");
    goto done;
  }
  /* an envelope around area and sites, with room to spare */
  double ax0, ay0, ax1, ay1;
  if (!wg__geom_centre(g, area, NULL, NULL, &ax0, &ay0, &ax1, &ay1)) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "cannot measure the area");
    goto done;
  }
  for (int i = 0; i < k; ++i) {
    ax0 = fmin(ax0, lx[i]), ay0 = fmin(ay0, ly[i]);
    ax1 = fmax(ax1, lx[i]), ay1 = fmax(ay1, ly[i]);
  }
  double pad = 0.1 * hypot(ax1 - ax0, ay1 - ay0) + 1;
  ax0 -= pad, ay0 -= pad, ax1 += pad, ay1 += pad;
  double exy[10] = {ax0, ay0, ax1, ay0, ax1, ay1, ax0, ay1, ax0, ay0};
  env = polygon_from(g, exy, 5);
  if (!env) {
    err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot build an envelope");
    goto done;
  }
  int collinear = k >= 2 ? wg__collinear_order(lx, ly, k, order) : 0;
  if (collinear < 0) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for cells");
    goto done;
  }
  if (k == 1) {
    cells[0] = GEOSGeom_clone_r(g->h, env);
    if (!cells[0]) err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot copy a cell");
  } else if (collinear) {
    err = slab_cells(g, lx, ly, k, order, 4 * hypot(ax1 - ax0, ay1 - ay0), cells, ei);
  } else {
    err = voronoi_cells(g, lx, ly, k, env, cells, ei);
  }
  if (err) goto done;
  parea = GEOSPrepare_r(g->h, area);
  if (!parea) {
    err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot prepare the area");
    goto done;
  }
  for (int l = 0; l < k && !err; ++l) {
    GEOSGeometry *cell = cells[l];
    cells[l] = NULL;
    err = clip_cell(g, cell, area, parea, &cells[l], ei);
  }
done:
  if (err)
    for (int l = 0; l < k; ++l)
      if (cells[l]) GEOSGeom_destroy_r(g->h, cells[l]), cells[l] = NULL;
  free(order);
  if (parea) GEOSPreparedGeom_destroy_r(g->h, parea);
  if (env) GEOSGeom_destroy_r(g->h, env);
  if (area) GEOSGeom_destroy_r(g->h, area);
  return err;
}

/* One group's locations (of lx/ly, first unit at loc_first[l]): their
 * cells, cut or not by label, pushed as pieces. */
static wg_err group_pieces(wg__geos *g, const wg__proj *p, int gi, const unsigned char *bwkb,
                           size_t blen, double margin, const double *lx, const double *ly,
                           const int *loc_first, const unit_site *us, int k,
                           piece_list *pieces, wg_errinfo *ei) {
  GEOSGeometry **cells = calloc((size_t)k, sizeof *cells);
  if (!cells) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for cells");
  wg_err err = group_cells(g, p, gi, bwkb, blen, margin, lx, ly, k, cells, ei);
  for (int l = 0; l < k && !err; ++l) {
    GEOSGeometry *cell = cells[l];
    cells[l] = NULL;
    err = place_cell(g, cell, us + loc_first[l], loc_first[l + 1] - loc_first[l], pieces, ei);
  }
  for (int l = 0; l < k; ++l)
    if (cells[l]) GEOSGeom_destroy_r(g->h, cells[l]);
  free(cells);
  return err;
}

/* Union of a label's pieces. Voronoi cells share their edges vertex for
 * vertex, so GEOS's coverage union (edge cancellation, ~10× faster than
 * overlay) usually applies; where it does not (pieces cut by the area's
 * boundary or split around a shared location may meet at vertices computed
 * twice, a bit apart), or its area disagrees with the pieces' sum, the
 * full overlay union takes over. NULL on GEOS failure. */
static GEOSGeometry *fast_union(wg__geos *g, const GEOSGeometry *coll) {
  double sum = 0, a = 0, u = 0;
  int n = GEOSGetNumGeometries_r(g->h, coll);
  for (int i = 0; i < n; ++i) {
    const GEOSGeometry *part = GEOSGetGeometryN_r(g->h, coll, i);
    if (!part || !GEOSArea_r(g->h, part, &a)) return NULL;
    sum += a;
  }
  GEOSGeometry *cover = GEOSCoverageUnion_r(g->h, coll);
  if (cover) {
    cover = wg__polygonal(g, cover);
    if (cover && GEOSArea_r(g->h, cover, &u) && fabs(u - sum) <= 1e-9 * sum &&
        GEOSisValid_r(g->h, cover) == 1)
      return cover;
    if (cover) GEOSGeom_destroy_r(g->h, cover);
  }
  g->error[0] = g->notice[0] = '\0'; /* the failure above is no error of ours */
  return wg__polygonal(g, GEOSUnaryUnion_r(g->h, coll));
}

/* Unions a label's pieces (taking them), measures, un-projects, writes WKB. */
static wg_err finish_label(wg__geos *g, const wg__proj *p, piece *ps, size_t np, wg_geom_poly *out,
                           wg_errinfo *ei) {
  GEOSGeometry *geom = NULL, *coll = NULL, *lonlat = NULL;
  wg_err err = WG_OK;
  if (np == 0) {
    geom = GEOSGeom_createEmptyPolygon_r(g->h);
  } else if (np == 1) {
    geom = ps[0].geom;
    ps[0].geom = NULL;
  } else {
    GEOSGeometry **parts = malloc(np * sizeof *parts);
    if (!parts) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for a union");
    for (size_t i = 0; i < np; ++i) parts[i] = ps[i].geom;
    /* GEOS takes the pieces once called, even when it then fails */
    coll = GEOSGeom_createCollection_r(g->h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
    free(parts);
    for (size_t i = 0; i < np; ++i) ps[i].geom = NULL;
    if (!coll) return wg__geos_fail(g, ei, WG_ENOMEM, "cannot collect the cells");
    geom = fast_union(g, coll);
  }
  if (!geom) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "cannot union the cells of a grid");
    goto done;
  }
  double area = 0, perimeter = 0;
  if (!GEOSArea_r(g->h, geom, &area) || !GEOSLength_r(g->h, geom, &perimeter)) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "cannot measure a grid");
    goto done;
  }
  out->area = area;
  out->perimeter = perimeter;
  out->polsby_popper = perimeter > 0 ? 4 * WG_PI * area / (perimeter * perimeter) : 0;
  lonlat = wg__proj_geom(g, p, geom, 1);
  if (!lonlat) {
    err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot un-project a grid");
    goto done;
  }
  if (np > 0 && GEOSisEmpty_r(g->h, lonlat) == 0 &&
      !wg__geom_centre(g, lonlat, NULL, NULL, &out->minx, &out->miny, &out->maxx, &out->maxy)) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "cannot measure a grid");
    goto done;
  }
  err = wg__wkb_write(g, lonlat, &out->wkb, &out->wkb_len, ei);
done:
  if (lonlat) GEOSGeom_destroy_r(g->h, lonlat);
  if (geom) GEOSGeom_destroy_r(g->h, geom);
  if (coll) GEOSGeom_destroy_r(g->h, coll);
  return err;
}

/* Contract in geometry.h; the method is in the file comment. With group
 * NULL all units form one group and ngroups is ignored (boundary[0] is its
 * boundary when boundary is given). Units whose cell lies wholly outside
 * their group's boundary contribute nothing. Empty polygons have all
 * measures and the bounding box 0. On error every out[] is freed and
 * zeroed. Errors: WG_EINVAL (arguments, coordinates, labels, groups, an
 * empty area), WG_EFORMAT (boundary WKB), WG_ETOOBIG (caps), WG_ENOMEM. */
wg_err wg_geom_grid_polygons(int n, const double *x, const double *y, int lonlat,
                             const int *group, int ngroups,
                             const unsigned char *const *boundary, const size_t *boundary_len,
                             double margin, const int *labels, int nlabels, wg_geom_poly *out,
                             wg_errinfo *ei) {
  if (nlabels < 0 || (nlabels > 0 && !out))
    return wg_errinfo_set(ei, WG_EINVAL, "bad arguments to grid polygons");
  if (nlabels > WG_GEOM_MAX_POINTS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d labels", WG_GEOM_MAX_POINTS);
  for (int i = 0; i < nlabels; ++i) memset(&out[i], 0, sizeof out[i]);
  if (n < 0 || (n > 0 && (!x || !y || !labels)) || (boundary && !boundary_len))
    return wg_errinfo_set(ei, WG_EINVAL, "bad arguments to grid polygons");
  if (!group) ngroups = 1;
  if (ngroups < 1) return wg_errinfo_set(ei, WG_EINVAL, "ngroups must be at least 1");
  if (!isfinite(margin) || margin < 0)
    return wg_errinfo_set(ei, WG_EINVAL, "margin must be a finite number ≥ 0");
  if (n > WG_GEOM_MAX_POINTS || nlabels > WG_GEOM_MAX_POINTS || ngroups > WG_GEOM_MAX_POINTS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d points, labels or groups",
                          WG_GEOM_MAX_POINTS);
  double sx = 0, sy = 0;
  for (int i = 0; i < n; ++i) {
    wg_err err = wg__check_xy(x[i], y[i], lonlat, "point", i, ei);
    if (err) return err;
    if (labels[i] < -1 || labels[i] >= nlabels)
      return wg_errinfo_set(ei, WG_EINVAL, "point %d: label %d is not within -1..%d", i,
                            labels[i], nlabels - 1);
    if (group && (group[i] < 0 || group[i] >= ngroups))
      return wg_errinfo_set(ei, WG_EINVAL, "point %d: group %d is not within 0..%d", i,
                            group[i], ngroups - 1);
    sx += x[i], sy += y[i];
  }
  wg__proj p;
  wg__proj_init(&p, lonlat, n ? sx / n : 0, n ? sy / n : 0);

  wg__geos g;
  wg_err err = wg__geos_init(&g, ei);
  if (err) return err;
  piece_list pieces = {0};
  int nsites = 0;
  unit_site *us = malloc((size_t)(n ? n : 1) * sizeof *us);
  double *lx = malloc((size_t)(n ? n : 1) * sizeof *lx);
  double *ly = malloc((size_t)(n ? n : 1) * sizeof *ly);
  int *loc_first = malloc(((size_t)n + 1) * sizeof *loc_first);
  if (!us || !lx || !ly || !loc_first) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for %d points", n);
    goto done;
  }
  for (int i = 0; i < n; ++i) {
    if (labels[i] < 0) continue;
    us[nsites++] = (unit_site){wg__proj_x(&p, x[i]), wg__proj_y(&p, y[i]), group ? group[i] : 0,
                               labels[i], i};
  }
  qsort(us, (size_t)nsites, sizeof *us, unit_site_cmp);
  for (int lo = 0; lo < nsites && !err;) {
    int hi = lo, k = 0, gi = us[lo].group;
    while (hi < nsites && us[hi].group == gi) {
      if (hi == lo || us[hi].x != us[hi - 1].x || us[hi].y != us[hi - 1].y) {
        loc_first[k] = hi - lo;
        lx[k] = us[hi].x, ly[k] = us[hi].y, ++k;
      }
      ++hi;
    }
    loc_first[k] = hi - lo;
    const unsigned char *bwkb = boundary ? boundary[gi] : NULL;
    err = group_pieces(&g, &p, gi, bwkb, bwkb ? boundary_len[gi] : 0, margin, lx, ly, loc_first,
                       us + lo, k, &pieces, ei);
    lo = hi;
  }
  if (err) goto done;
  if (pieces.n) qsort(pieces.items, pieces.n, sizeof *pieces.items, piece_cmp);
  size_t at = 0;
  for (int l = 0; l < nlabels && !err; ++l) {
    size_t end = at;
    while (end < pieces.n && pieces.items[end].label == l) ++end;
    err = finish_label(&g, &p, pieces.items + at, end - at, &out[l], ei);
    at = end;
  }
done:
  for (size_t i = 0; i < pieces.n; ++i)
    if (pieces.items[i].geom) GEOSGeom_destroy_r(g.h, pieces.items[i].geom);
  free(pieces.items);
  free(us);
  free(lx);
  free(ly);
  free(loc_first);
  wg__geos_finish(&g);
  if (err)
    for (int l = 0; l < nlabels; ++l) wg_geom_poly_free(&out[l]);
  return err;
}

/* ---- the units' own cells, measured (wg_geom_unit_cells) ------------------ */

/* Adds the boundary of a (multi)polygon cell, segment by segment, to the
 * shared length with the neighbouring location whose site is as far from
 * the segment's midpoint as this one's (a Voronoi edge is the bisector of
 * its two sites), or to outer when there is none among cand[]. */
typedef struct cell_walk {
  double sx, sy;           /* this location's site */
  const int *cand;         /* candidate neighbour locations */
  int ncand;
  const double *lx, *ly;   /* all locations' sites */
  double *len;             /* [ncand] shared length found per candidate */
  double outer;
} cell_walk;

static int walk_ring(wg__geos *g, const GEOSGeometry *ring, cell_walk *w) {
  const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(g->h, ring);
  unsigned size = 0;
  if (!cs || !GEOSCoordSeq_getSize_r(g->h, cs, &size)) return 0;
  double px = 0, py = 0;
  for (unsigned i = 0; i < size; ++i) {
    double qx, qy;
    if (!GEOSCoordSeq_getXY_r(g->h, cs, i, &qx, &qy)) return 0;
    if (i > 0) {
      double len = hypot(qx - px, qy - py);
      if (len > 0) {
        double mx = 0.5 * (px + qx), my = 0.5 * (py + qy);
        double d0 = hypot(mx - w->sx, my - w->sy), best = INFINITY;
        int bj = -1;
        for (int j = 0; j < w->ncand; ++j) {
          double d = fabs(hypot(mx - w->lx[w->cand[j]], my - w->ly[w->cand[j]]) - d0);
          if (d < best) best = d, bj = j;
        }
        /* Equidistant up to the clipping's rounding (1 mm, or 1e-7 of the
         * distance for far sites). */
        if (bj >= 0 && best <= 1e-3 + 1e-7 * d0)
          w->len[bj] += len;
        else
          w->outer += len;
      }
    }
    px = qx, py = qy;
  }
  return 1;
}

static int walk_cell(wg__geos *g, const GEOSGeometry *cell, cell_walk *w) {
  int np = GEOSGetNumGeometries_r(g->h, cell);
  for (int i = 0; i < np; ++i) {
    const GEOSGeometry *poly = GEOSGetGeometryN_r(g->h, cell, i);
    if (!poly || GEOSGeomTypeId_r(g->h, poly) != GEOS_POLYGON) continue;
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(g->h, poly);
    if (!shell || !walk_ring(g, shell, w)) return 0;
    int nh = GEOSGetNumInteriorRings_r(g->h, poly);
    for (int h = 0; h < nh; ++h) {
      const GEOSGeometry *hole = GEOSGetInteriorRingN_r(g->h, poly, h);
      if (!hole || !walk_ring(g, hole, w)) return 0;
    }
  }
  return 1;
}

wg_err wg_geom_unit_cells(int n, const double *x, const double *y, int lonlat, const int *group,
                          int ngroups, const unsigned char *const *boundary,
                          const size_t *boundary_len, double margin, const wg_geom_adjacency *adj,
                          double *area, double *outer, double *shared, wg_errinfo *ei) {
  if (n < 0 || (n > 0 && (!x || !y || !adj || !area || !outer || !shared)) ||
      (adj && adj->n != n) || (boundary && !boundary_len))
    return wg_errinfo_set(ei, WG_EINVAL, "bad arguments to unit cells");
  if (!group) ngroups = 1;
  if (ngroups < 1) return wg_errinfo_set(ei, WG_EINVAL, "ngroups must be at least 1");
  if (!isfinite(margin) || margin < 0)
    return wg_errinfo_set(ei, WG_EINVAL, "margin must be a finite number ≥ 0");
  if (n > WG_GEOM_MAX_POINTS || ngroups > WG_GEOM_MAX_POINTS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d points or groups", WG_GEOM_MAX_POINTS);
  if (n == 0) return WG_OK;
  double sx = 0, sy = 0;
  for (int i = 0; i < n; ++i) {
    wg_err err = wg__check_xy(x[i], y[i], lonlat, "point", i, ei);
    if (err) return err;
    if (group && (group[i] < 0 || group[i] >= ngroups))
      return wg_errinfo_set(ei, WG_EINVAL, "point %d: group %d is not within 0..%d", i, group[i],
                            ngroups - 1);
    sx += x[i], sy += y[i];
  }
  wg__proj p;
  wg__proj_init(&p, lonlat, sx / n, sy / n);
  wg__geos g;
  wg_err err = wg__geos_init(&g, ei);
  if (err) return err;
  unit_site *us = malloc((size_t)n * sizeof *us);
  double *lx = malloc((size_t)n * sizeof *lx), *ly = malloc((size_t)n * sizeof *ly);
  double *larea = calloc((size_t)n, sizeof *larea), *louter = calloc((size_t)n, sizeof *louter);
  int *loc_of = malloc((size_t)n * sizeof *loc_of), *loc_n = calloc((size_t)n, sizeof *loc_n);
  int *cand = malloc((size_t)n * sizeof *cand), *seen = malloc((size_t)n * sizeof *seen);
  double *clen = calloc((size_t)n, sizeof *clen);
  GEOSGeometry **cells = calloc((size_t)n, sizeof *cells);
  wg_u64map pair; /* (location a, location b) → index into plen */
  wg_u64map_init(&pair);
  double *plen = NULL;
  size_t npair = 0, pcap = 0;
  if (!us || !lx || !ly || !larea || !louter || !loc_of || !loc_n || !cand || !seen || !clen ||
      !cells) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for %d points", n);
    goto done;
  }
  for (int i = 0; i < n; ++i)
    us[i] = (unit_site){wg__proj_x(&p, x[i]), wg__proj_y(&p, y[i]), group ? group[i] : 0, 0, i};
  qsort(us, (size_t)n, sizeof *us, unit_site_cmp);
  int nloc = 0;
  for (int i = 0; i < n; ++i) {
    if (i == 0 || us[i].group != us[i - 1].group || us[i].x != us[i - 1].x ||
        us[i].y != us[i - 1].y)
      lx[nloc] = us[i].x, ly[nloc] = us[i].y, ++nloc;
    loc_of[us[i].unit] = nloc - 1;
    loc_n[nloc - 1]++;
  }
  for (int i = 0; i < n; ++i) seen[i] = -1;
  /* Per group: its locations' cells, then each cell's boundary. */
  for (int lo = 0, ulo = 0; lo < nloc && !err;) {
    int gi = us[ulo].group, hi = lo, uhi = ulo;
    while (uhi < n && us[uhi].group == gi) ++uhi;
    hi = loc_of[us[uhi - 1].unit] + 1;
    const unsigned char *bwkb = boundary ? boundary[gi] : NULL;
    err = group_cells(&g, &p, gi, bwkb, bwkb ? boundary_len[gi] : 0, margin, lx + lo, ly + lo,
                      hi - lo, cells + lo, ei);
    for (int l = lo; l < hi && !err; ++l) {
      double a = 0;
      if (cells[l] && GEOSArea_r(g.h, cells[l], &a) != 1) {
        err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot measure a cell");
        break;
      }
      larea[l] = a;
      /* Candidates: the locations of the neighbours of this location's units. */
      int nc = 0;
      for (int i = ulo; i < uhi; ++i) {
        int u = us[i].unit;
        if (loc_of[u] != l) continue;
        for (int k = adj->adj_start[u]; k < adj->adj_start[u + 1]; ++k) {
          int m = loc_of[adj->adj[k]];
          if (m != l && seen[m] != l) seen[m] = l, cand[nc++] = m;
        }
      }
      for (int j = 0; j < nc; ++j) clen[j] = 0;
      cell_walk w = {lx[l], ly[l], cand, nc, lx, ly, clen, 0};
      if (cells[l] && !walk_cell(&g, cells[l], &w)) {
        err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot read a cell");
        break;
      }
      louter[l] = w.outer;
      for (int j = 0; j < nc && !err; ++j) {
        if (clen[j] <= 0) continue;
        if (npair == pcap) {
          size_t nc2 = pcap ? 2 * pcap : 4096;
          double *np2 = realloc(plen, nc2 * sizeof *np2);
          if (!np2) {
            err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for cell edges");
            break;
          }
          plen = np2, pcap = nc2;
        }
        plen[npair] = clen[j];
        uint64_t key = (uint64_t)l * (uint64_t)n + (uint64_t)cand[j] + 1;
        if (wg_u64map_put(&pair, key, (int64_t)npair) != WG_OK) {
          err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for cell edges");
          break;
        }
        npair++;
      }
    }
    lo = hi, ulo = uhi;
  }
  if (err) goto done;
  /* Per unit: its share of its location's cell; per adjacency entry, the
   * shared boundary split over the pairs of units of the two locations.
   * Units at one location (entrances of a building) share a notional
   * boundary: a cut between them would run through the cell's middle. */
  for (int u = 0; u < n; ++u) {
    int l = loc_of[u], k = loc_n[l];
    area[u] = larea[l] / k;
    outer[u] = louter[l] / k;
    for (int e = adj->adj_start[u]; e < adj->adj_start[u + 1]; ++e) {
      int m = loc_of[adj->adj[e]];
      int64_t idx;
      if (m == l)
        shared[e] = k > 1 ? 2.0 * sqrt(larea[l] / WG_PI) / (k - 1) : 0;
      else if (wg_u64map_get(&pair, (uint64_t)l * (uint64_t)n + (uint64_t)m + 1, &idx))
        shared[e] = plen[idx] / ((double)k * loc_n[m]);
      else
        shared[e] = 0;
    }
  }
done:
  for (int l = 0; cells && l < n; ++l)
    if (cells[l]) GEOSGeom_destroy_r(g.h, cells[l]);
  free(cells);
  free(us);
  free(lx);
  free(ly);
  free(larea);
  free(louter);
  free(loc_of);
  free(loc_n);
  free(cand);
  free(seen);
  free(clen);
  free(plen);
  wg_u64map_free(&pair);
  wg__geos_finish(&g);
  return err;
}
