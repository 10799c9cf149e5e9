/* geometry_int.h — internals shared by geometry.c and geometry_grid.c:
 * the GEOS context with captured messages, the local projection, WKB in and
 * out with caps. Not for use outside src/territory/geometry*.c. */
#ifndef WG_GEOMETRY_INT_H
#define WG_GEOMETRY_INT_H

#include <geos_c.h>
#include <stddef.h>

#include "territory/geometry.h"

/* A reentrant GEOS context whose error and notice messages are captured
 * here instead of printed (GEOS prints to stdout by default). */
typedef struct wg__geos {
  GEOSContextHandle_t h;
  char error[200];         /* last GEOS error message, "" = none */
  char notice[200];        /* last GEOS notice, "" = none */
} wg__geos;

/* Creates the context. g must stay put while it lives (the message
 * handlers point at it). WG_ENOMEM (with ei->why) when GEOS cannot. */
wg_err wg__geos_init(wg__geos *g, wg_errinfo *ei) WG_MUST_CHECK;

/* Destroys the context; accepts a zeroed or failed one. */
void wg__geos_finish(wg__geos *g);

/* Sets ei->why to "<what>: <GEOS error or notice>" and returns err. */
wg_err wg__geos_fail(wg__geos *g, wg_errinfo *ei, wg_err err, const char *what);

/* The local projection: equirectangular about (lon0, lat0),
 *   x = R·(lon − lon0)·cos(lat0),  y = R·(lat − lat0)   (angles in radians),
 * R = 6371008.8 m (mean Earth radius). Identity when lonlat == 0. */
typedef struct wg__proj {
  int lonlat;              /* 0 = identity (input already in metres) */
  double lon0, lat0;       /* origin, degrees */
  double kx, ky;           /* metres per degree of longitude / latitude */
} wg__proj;

void wg__proj_init(wg__proj *p, int lonlat, double lon0, double lat0);

static inline double wg__proj_x(const wg__proj *p, double lon) {
  return p->lonlat ? (lon - p->lon0) * p->kx : lon;
}
static inline double wg__proj_y(const wg__proj *p, double lat) {
  return p->lonlat ? (lat - p->lat0) * p->ky : lat;
}

/* Checks one input coordinate pair: finite, and within lon −180..180,
 * lat −90..90 when lonlat. WG_EINVAL with ei->why naming `what` and `i`. */
wg_err wg__check_xy(double x, double y, int lonlat, const char *what, long i,
                    wg_errinfo *ei) WG_MUST_CHECK;

/* A new geometry: g projected (inverse == 0) or un-projected (inverse == 1).
 * Identity projections return a clone. NULL on GEOS failure. Caller owns the
 * result (GEOSGeom_destroy_r). */
GEOSGeometry *wg__proj_geom(wg__geos *g, const wg__proj *p, const GEOSGeometry *geom,
                            int inverse);

/* Reads a 2D Polygon or MultiPolygon WKB (either byte order). The bytes are
 * checked first (structure, counts against the remaining length, finite
 * coordinates, at most WG_GEOM_MAX_VERTICES vertices) so GEOS never
 * allocates from an untrusted count. *out is owned by the caller.
 * Errors: WG_EFORMAT (malformed, other type), WG_ETOOBIG (cap). */
wg_err wg__wkb_read(wg__geos *g, const unsigned char *wkb, size_t len, GEOSGeometry **out,
                    wg_errinfo *ei) WG_MUST_CHECK;

/* Writes geom as 2D little-endian ISO WKB into a malloc'd buffer. */
wg_err wg__wkb_write(wg__geos *g, const GEOSGeometry *geom, unsigned char **out, size_t *len,
                     wg_errinfo *ei) WG_MUST_CHECK;

/* Takes ownership of geom and returns its polygonal part: a Polygon or
 * MultiPolygon, an empty Polygon when it has none (overlay results may carry
 * stray lines or points where polygons only touch). NULL on GEOS failure
 * (geom is freed either way). */
GEOSGeometry *wg__polygonal(wg__geos *g, GEOSGeometry *geom);

/* Takes ownership of a polygonal geom and returns it valid: itself when
 * GEOS finds it valid, else its GEOSMakeValid repair (polygonal part).
 * NULL on GEOS failure (geom is freed either way). */
GEOSGeometry *wg__make_valid(wg__geos *g, GEOSGeometry *geom);

/* Bounding box of geom (non-empty) and its centre; any out-pointer may be
 * NULL. Returns 0 on GEOS failure (or an empty geom). */
int wg__geom_centre(wg__geos *g, const GEOSGeometry *geom, double *cx, double *cy,
                    double *minx, double *miny, double *maxx, double *maxy);

/* A linestring through k ≥ 2 points xy[2k] (GEOS extracts the vertices of
 * any geometry, so this also feeds point sets to the triangulation cheaply).
 * NULL on GEOS failure. Caller owns the result. */
GEOSGeometry *wg__linestring(wg__geos *g, const double *xy, unsigned k);

/* 1 when the k ≥ 2 points lie on one line (within 1e-9 of their extent);
 * then order_out[0..k) gets their indices sorted along it. −1 when out of
 * memory. */
int wg__collinear_order(const double *x, const double *y, int k, int *order_out);

#endif
