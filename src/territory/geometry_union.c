/* geometry_union.c — polygons unioned per label (grid polygons from unit
 * footprints), with their measures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "territory/geometry.h"
#include "territory/geometry_int.h"

/* Area, perimeter and Polsby-Popper of a projected geometry; bounding box
 * of the unprojected one. */
static wg_err measure(wg__geos *g, const GEOSGeometry *proj, const GEOSGeometry *geom,
                      wg_geom_poly *p, wg_errinfo *ei) {
  double area = 0, len = 0;
  if (!GEOSArea_r(g->h, proj, &area) || !GEOSLength_r(g->h, proj, &len))
    return wg__geos_fail(g, ei, WG_EINVAL, "measuring a polygon");
  p->area = area;
  p->perimeter = len;
  p->polsby_popper = len > 0 ? 4 * 3.14159265358979323846 * area / (len * len) : 0;
  if (p->polsby_popper > 1) p->polsby_popper = 1;
  if (!GEOSisEmpty_r(g->h, geom)) {
    GEOSGeom_getXMin_r(g->h, geom, &p->minx);
    GEOSGeom_getYMin_r(g->h, geom, &p->miny);
    GEOSGeom_getXMax_r(g->h, geom, &p->maxx);
    GEOSGeom_getYMax_r(g->h, geom, &p->maxy);
  }
  return WG_OK;
}

wg_err wg_geom_union_by_label(int n, const unsigned char *const *wkb, const size_t *wkb_len,
                              int lonlat, const int *labels, int nlabels, wg_geom_poly *out,
                              wg_errinfo *ei) {
  if (n < 0 || nlabels < 0) return wg_errinfo_set(ei, WG_EINVAL, "negative count");
  if (n > WG_GEOM_MAX_POINTS || nlabels > WG_GEOM_MAX_POINTS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d polygons or labels", WG_GEOM_MAX_POINTS);
  for (int k = 0; k < nlabels; k++) memset(&out[k], 0, sizeof out[k]);
  wg__geos g;
  wg_err e = wg__geos_init(&g, ei);
  if (e) return e;
  GEOSGeometry **geoms = calloc((size_t)(n ? n : 1), sizeof *geoms);
  int *order = malloc(sizeof(int) * (size_t)(n ? n : 1));
  int *start = calloc((size_t)nlabels + 1, sizeof(int));
  GEOSGeometry **parts = malloc(sizeof *parts * (size_t)(n ? n : 1));
  if (!geoms || !order || !start || !parts) {
    e = WG_ENOMEM;
    goto done;
  }
  /* read and project every polygon about the mean of their centres */
  double sx = 0, sy = 0;
  int counted = 0;
  for (int u = 0; u < n; u++) {
    if (labels[u] < -1 || labels[u] >= nlabels) {
      e = wg_errinfo_set(ei, WG_EINVAL, "polygon %d: label %d out of range", u, labels[u]);
      goto done;
    }
    if (labels[u] < 0) continue;
    if ((e = wg__wkb_read(&g, wkb[u], wkb_len[u], &geoms[u], ei))) {
      char why[sizeof ei->why];
      if (ei) {
        memcpy(why, ei->why, sizeof why);
        snprintf(ei->why, sizeof ei->why, "polygon %d: %.200s", u, why);
      }
      goto done;
    }
    double cx, cy, a, b, c, d;
    if (!GEOSisEmpty_r(g.h, geoms[u]) && wg__geom_centre(&g, geoms[u], &cx, &cy, &a, &b, &c, &d)) {
      sx += cx;
      sy += cy;
      counted++;
    }
  }
  wg__proj proj;
  wg__proj_init(&proj, lonlat, counted ? sx / counted : 0, counted ? sy / counted : 0);
  for (int u = 0; u < n; u++) {
    if (!geoms[u]) continue;
    GEOSGeometry *p = wg__proj_geom(&g, &proj, geoms[u], 0);
    if (!p) {
      e = wg__geos_fail(&g, ei, WG_EINVAL, "projecting a polygon");
      goto done;
    }
    GEOSGeom_destroy_r(g.h, geoms[u]);
    geoms[u] = p;
  }
  /* bucket the polygons by label */
  for (int u = 0; u < n; u++)
    if (labels[u] >= 0) start[labels[u] + 1]++;
  for (int k = 0; k < nlabels; k++) start[k + 1] += start[k];
  {
    int *fill = malloc(sizeof(int) * ((size_t)nlabels + 1));
    if (!fill) {
      e = WG_ENOMEM;
      goto done;
    }
    memcpy(fill, start, sizeof(int) * ((size_t)nlabels + 1));
    for (int u = 0; u < n; u++)
      if (labels[u] >= 0) order[fill[labels[u]]++] = u;
    free(fill);
  }
  for (int k = 0; k < nlabels && !e; k++) {
    int m = start[k + 1] - start[k];
    GEOSGeometry *merged;
    if (m == 0) {
      merged = GEOSGeom_createEmptyPolygon_r(g.h);
    } else {
      /* the collection takes ownership of the parts: hand it clones */
      for (int i = 0; i < m; i++) parts[i] = GEOSGeom_clone_r(g.h, geoms[order[start[k] + i]]);
      GEOSGeometry *coll =
          GEOSGeom_createCollection_r(g.h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)m);
      merged = coll ? GEOSUnaryUnion_r(g.h, coll) : NULL;
      if (coll) GEOSGeom_destroy_r(g.h, coll);
      if (merged) merged = wg__polygonal(&g, merged);
    }
    if (!merged) {
      e = wg__geos_fail(&g, ei, WG_EINVAL, "union of a label's polygons");
      break;
    }
    GEOSGeometry *back = wg__proj_geom(&g, &proj, merged, 1);
    if (!back) {
      GEOSGeom_destroy_r(g.h, merged);
      e = wg__geos_fail(&g, ei, WG_EINVAL, "un-projecting a polygon");
      break;
    }
    e = measure(&g, merged, back, &out[k], ei);
    if (!e) e = wg__wkb_write(&g, back, &out[k].wkb, &out[k].wkb_len, ei);
    GEOSGeom_destroy_r(g.h, merged);
    GEOSGeom_destroy_r(g.h, back);
  }
done:
  if (geoms)
    for (int u = 0; u < n; u++)
      if (geoms[u]) GEOSGeom_destroy_r(g.h, geoms[u]);
  free(geoms);
  free(order);
  free(start);
  free(parts);
  wg__geos_finish(&g);
  if (e)
    for (int k = 0; k < nlabels; k++) wg_geom_poly_free(&out[k]);
  return e;
}
