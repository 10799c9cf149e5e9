/* features.h — a layer of map features (points or polygons) with their
 * attributes, whatever file it came from (GeoJSON or ESRI Shapefile), so
 * callers such as `wangge divide --units FILE` need not care which.
 *
 *   wg_features_t f; wg_errinfo ei = {0};
 *   wg_err e = wg_features_read(path, NULL, &f, &ei);   (sniffs the format)
 *   int w = wg_features_field(&f, "households");
 *   ... f.x[i], f.y[i], f.wkb[i], wg_features_value(&f, i, w) ...
 *   wg_features_free(&f);
 *
 * Polygons are kept as WKB (ISO, 2D, little-endian: a Polygon, or a
 * MultiPolygon when the feature has several parts), the form geometry.h
 * takes. Every feature of a layer has the same kind. */
#ifndef WG_IO_FEATURES_H
#define WG_IO_FEATURES_H

#include <stddef.h>

#include "territory/coord.h"
#include "util/err.h"

typedef enum wg_feature_kind {
  WG_FEATURE_NONE = 0,    /* empty layer */
  WG_FEATURE_POINT,       /* Point (GeoJSON) / Point, PointZ, PointM (shp) */
  WG_FEATURE_POLYGON      /* Polygon or MultiPolygon */
} wg_feature_kind;

/* How an attribute value was written in the file (for writing it back). */
typedef enum wg_value_type {
  WG_VALUE_NULL = 0,      /* absent or null: value pointer is NULL */
  WG_VALUE_STRING,        /* text */
  WG_VALUE_NUMBER,        /* a JSON number, as text ("12", "0.5") */
  WG_VALUE_BOOL,          /* "true" / "false" */
  WG_VALUE_JSON           /* an object or array, as compact JSON text */
} wg_value_type;

/* Caps for readers; a zeroed struct (or NULL) means the defaults. Over a
 * cap → WG_ETOOBIG with the place in ei. */
typedef struct wg_features_opts {
  size_t max_bytes;       /* size of the file; 0 = 1 GiB */
  int max_features;       /* 0 = 5,000,000 */
  long max_vertices;      /* per feature; 0 = 1,000,000 */
  int max_depth;          /* JSON nesting depth; 0 = 64 */
  int max_fields;         /* distinct property names; 0 = 1,024 */
  size_t max_value;       /* bytes of one property value; 0 = 64 KiB */
} wg_features_opts;

typedef struct wg_features {
  int n;                  /* features */
  wg_feature_kind kind;   /* all features share it */
  int lonlat;             /* 1: every coordinate is a plausible lon/lat
                             (|x| <= 180, |y| <= 90); 0: planar metres */
  double *x, *y;          /* [n] the point, or the polygon's area centroid */
  unsigned char **wkb;    /* [n] polygons as WKB (NULL for points) */
  size_t *wkb_len;        /* [n] */
  long vertices;          /* total vertices of all polygons */
  int nfields;
  char **fields;          /* [nfields] property names, first-seen order */
  char **values;          /* [n*nfields] feature-major UTF-8 text, NULL =
                             absent or null */
  unsigned char *types;   /* [n*nfields] wg_value_type of each value */
  const char *format;     /* "geojson" or "shapefile" (static) */
} wg_features_t;

/* Read path as GeoJSON or Shapefile: a file starting with the shapefile
 * magic (or named .shp) is a Shapefile, anything else GeoJSON. out is
 * caller-allocated and zeroed here; free it with wg_features_free (also
 * after an error). ei->file = path. Errors: WG_EIO, WG_EFORMAT (malformed
 * file, unsupported geometry: ei says which feature), WG_ETOOBIG, WG_ENOMEM. */
wg_err wg_features_read(const char *path, const wg_features_opts *opts, wg_features_t *out,
                        wg_errinfo *ei) WG_MUST_CHECK;

/* Release what f owns and zero it; accepts a zeroed or half-filled struct. */
void wg_features_free(wg_features_t *f);

/* Index of the property named name, or -1. */
int wg_features_field(const wg_features_t *f, const char *name);

/* Value of field for feature i (NULL when absent, null, or field < 0). */
const char *wg_features_value(const wg_features_t *f, int i, int field);

/* Convert every coordinate (points, centroids, polygon vertices) from crs to
 * WGS84 in place. Errors: WG_EINVAL naming the feature with a coordinate out
 * of lon/lat range. A no-op for WGS84. */
wg_err wg_features_to_wgs84(wg_features_t *f, wg_crs crs, wg_errinfo *ei) WG_MUST_CHECK;

/* Walk the coordinates of a Polygon / MultiPolygon WKB (either byte order):
 * calls fn for every ring (part = polygon index, ring 0 = exterior) with its
 * npoints coordinates as (x, y) pairs copied into a scratch array the walker
 * owns. Returns WG_EFORMAT on malformed WKB or a nonzero return of fn. */
typedef int (*wg_wkb_ring_fn)(void *ctx, int part, int ring, int npoints, const double *xy);
wg_err wg_wkb_rings(const unsigned char *wkb, size_t len, wg_wkb_ring_fn fn,
                    void *ctx) WG_MUST_CHECK;

#endif
