/* coord.c — WGS84 <-> GCJ-02 <-> BD-09; see coord.h for the contract. */
#include "territory/coord.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

#define WG_PI 3.14159265358979323846
#define KRASOVSKY_A 6378245.0                 /* semi-major axis, metres */
#define KRASOVSKY_EE 0.00669342162296594323   /* first eccentricity squared */
#define BD_X_PI (WG_PI * 3000.0 / 180.0)

/* Inverse transforms stop when the forward image of the estimate is this
 * close (degrees) to the target; 1e-10 deg is about 0.01 mm. */
#define INVERSE_TOLERANCE 1e-10
/* Each fixed-point step gains about three digits, so a handful suffice;
 * the bound only matters at the edge of the China box, where GCJ-02 is
 * discontinuous and the iteration may not settle. */
#define INVERSE_MAX_STEPS 30

static int point_ok(double lon, double lat) {
  return isfinite(lon) && isfinite(lat) && lon >= -180.0 && lon <= 180.0 &&
         lat >= -90.0 && lat <= 90.0;
}

int wg_coord_out_of_china(double lon, double lat) {
  return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

/* The published GCJ-02 perturbation polynomials, x = lon - 105,
 * y = lat - 35; results in metres-ish units scaled below. */
static double offset_lat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
             0.2 * sqrt(fabs(x));
  r += (20.0 * sin(6.0 * x * WG_PI) + 20.0 * sin(2.0 * x * WG_PI)) * 2.0 / 3.0;
  r += (20.0 * sin(y * WG_PI) + 40.0 * sin(y / 3.0 * WG_PI)) * 2.0 / 3.0;
  r += (160.0 * sin(y / 12.0 * WG_PI) + 320.0 * sin(y * WG_PI / 30.0)) * 2.0 / 3.0;
  return r;
}

static double offset_lon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y +
             0.1 * sqrt(fabs(x));
  r += (20.0 * sin(6.0 * x * WG_PI) + 20.0 * sin(2.0 * x * WG_PI)) * 2.0 / 3.0;
  r += (20.0 * sin(x * WG_PI) + 40.0 * sin(x / 3.0 * WG_PI)) * 2.0 / 3.0;
  r += (150.0 * sin(x / 12.0 * WG_PI) + 300.0 * sin(x / 30.0 * WG_PI)) * 2.0 / 3.0;
  return r;
}

typedef void (*forward_fn)(double lon, double lat, double *out_lon,
                           double *out_lat);

static void wgs_to_gcj(double lon, double lat, double *out_lon, double *out_lat) {
  if (wg_coord_out_of_china(lon, lat)) {
    *out_lon = lon;
    *out_lat = lat;
    return;
  }
  double dlat = offset_lat(lon - 105.0, lat - 35.0);
  double dlon = offset_lon(lon - 105.0, lat - 35.0);
  double radlat = lat / 180.0 * WG_PI;
  double magic = sin(radlat);
  magic = 1.0 - KRASOVSKY_EE * magic * magic;
  double sqrt_magic = sqrt(magic);
  /* metres -> degrees on the Krasovsky ellipsoid (meridian and parallel radii) */
  dlat = (dlat * 180.0) /
         ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * WG_PI);
  dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * cos(radlat) * WG_PI);
  *out_lon = lon + dlon;
  *out_lat = lat + dlat;
}

static void gcj_to_bd(double lon, double lat, double *out_lon, double *out_lat) {
  double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
  double theta = atan2(lat, lon) + 0.000003 * cos(lon * BD_X_PI);
  *out_lon = z * cos(theta) + 0.0065;
  *out_lat = z * sin(theta) + 0.006;
}

/* Solve forward(p) == (lon, lat) for p by fixed-point iteration
 * p <- p + (target - forward(p)). Both forward maps are the identity plus
 * a small, slowly varying offset, so the map is a strong contraction.
 * The start point is the usual one-step approximation. */
static void invert(forward_fn forward, double lon, double lat, double *out_lon,
                   double *out_lat) {
  double fx, fy;
  forward(lon, lat, &fx, &fy);
  double x = lon - (fx - lon), y = lat - (fy - lat);
  for (int step = 0; step < INVERSE_MAX_STEPS; ++step) {
    forward(x, y, &fx, &fy);
    double dx = lon - fx, dy = lat - fy;
    x += dx;
    y += dy;
    if (fabs(dx) < INVERSE_TOLERANCE && fabs(dy) < INVERSE_TOLERANCE) break;
  }
  *out_lon = x;
  *out_lat = y;
}

static void gcj_to_wgs(double lon, double lat, double *out_lon, double *out_lat) {
  invert(wgs_to_gcj, lon, lat, out_lon, out_lat);
}

static void bd_to_gcj(double lon, double lat, double *out_lon, double *out_lat) {
  invert(gcj_to_bd, lon, lat, out_lon, out_lat);
}

/* Range-check, then apply fn. */
static wg_err apply(forward_fn fn, double lon, double lat, double *out_lon,
                    double *out_lat) {
  assert(out_lon && out_lat);
  if (!point_ok(lon, lat)) return WG_EINVAL;
  fn(lon, lat, out_lon, out_lat);
  return WG_OK;
}

wg_err wg_coord_wgs84_to_gcj02(double lon, double lat, double *out_lon,
                               double *out_lat) {
  return apply(wgs_to_gcj, lon, lat, out_lon, out_lat);
}

wg_err wg_coord_gcj02_to_wgs84(double lon, double lat, double *out_lon,
                               double *out_lat) {
  return apply(gcj_to_wgs, lon, lat, out_lon, out_lat);
}

wg_err wg_coord_gcj02_to_bd09(double lon, double lat, double *out_lon,
                              double *out_lat) {
  return apply(gcj_to_bd, lon, lat, out_lon, out_lat);
}

wg_err wg_coord_bd09_to_gcj02(double lon, double lat, double *out_lon,
                              double *out_lat) {
  return apply(bd_to_gcj, lon, lat, out_lon, out_lat);
}

wg_err wg_coord_convert(double lon, double lat, wg_crs from, wg_crs to,
                        double *out_lon, double *out_lat) {
  assert(out_lon && out_lat);
  if ((unsigned)from >= WG_CRS_COUNT_ || (unsigned)to >= WG_CRS_COUNT_ ||
      !point_ok(lon, lat))
    return WG_EINVAL;
  /* Go through GCJ-02, the hub: BD-09 is defined on top of it. */
  double x = lon, y = lat;
  if (from != to) {
    if (from == WG_CRS_WGS84) wgs_to_gcj(x, y, &x, &y);
    else if (from == WG_CRS_BD09) bd_to_gcj(x, y, &x, &y);
    if (to == WG_CRS_WGS84) gcj_to_wgs(x, y, &x, &y);
    else if (to == WG_CRS_BD09) gcj_to_bd(x, y, &x, &y);
  }
  *out_lon = x;
  *out_lat = y;
  return WG_OK;
}

wg_err wg_coord_to_wgs84(double lon, double lat, wg_crs crs, double *out_lon,
                         double *out_lat) {
  return wg_coord_convert(lon, lat, crs, WG_CRS_WGS84, out_lon, out_lat);
}

static const char *const crs_names[WG_CRS_COUNT_] = {
    [WG_CRS_WGS84] = "wgs84",
    [WG_CRS_GCJ02] = "gcj02",
    [WG_CRS_BD09] = "bd09",
};

const char *wg_crs_name(wg_crs crs) {
  if ((unsigned)crs >= WG_CRS_COUNT_) return "unknown";
  return crs_names[crs];
}

/* ASCII case-insensitive compare of name against canon, skipping one
 * optional inner '-' in name (so "GCJ-02" matches "gcj02"). */
static int name_matches(const char *name, const char *canon) {
  const char *start = name;
  int dash_seen = 0;
  while (*name || *canon) {
    char c = *name;
    if (c == '-' && !dash_seen && name != start) {
      dash_seen = 1;
      ++name;
      continue;
    }
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != *canon) return 0;
    ++name;
    ++canon;
  }
  return 1;
}

wg_err wg_crs_parse(const char *name, wg_crs *out) {
  assert(out);
  if (!name) return WG_EINVAL;
  for (int i = 0; i < WG_CRS_COUNT_; ++i) {
    if (name_matches(name, crs_names[i])) {
      *out = (wg_crs)i;
      return WG_OK;
    }
  }
  return WG_EINVAL;
}
