/* coord.h — conversion between the coordinate systems of Chinese maps.
 *
 * WGS84 is what GPS receivers and the rest of the world use; GCJ-02 is the
 * obfuscated system every map published in mainland China must use (Amap,
 * Tencent, Apple/Google in China); BD-09 is Baidu's further offset on top
 * of GCJ-02. wangge stores WGS84 and converts at the edges.
 *
 * The forward transforms follow the widely published formulas (Krasovsky
 * ellipsoid a = 6378245.0, ee = 0.00669342162296594323; BD-09 with
 * x_pi = pi * 3000 / 180). The inverses have no closed form and are solved
 * by fixed-point iteration to better than 1e-9 degrees (about 0.1 mm).
 * Outside the usual China bounding box GCJ-02 equals WGS84; GCJ-02 jumps
 * at the box edge, so within ~0.01 degree of it (open sea and foreign land
 * only) the inverse may be off by up to that jump.
 *
 * All angles are decimal degrees, longitude first. Every function checks
 * that its input is finite and within lon -180..180, lat -90..90 and
 * returns WG_EINVAL otherwise, leaving the outputs untouched. */
#ifndef WG_COORD_H
#define WG_COORD_H

#include "util/err.h"

typedef enum wg_crs {
  WG_CRS_WGS84 = 0, /* GPS, OpenStreetMap, GeoJSON (RFC 7946) */
  WG_CRS_GCJ02,     /* "Mars coordinates": Amap, Tencent */
  WG_CRS_BD09,      /* Baidu */
  WG_CRS_COUNT_
} wg_crs;

/* Parse a CRS name: "wgs84", "gcj02", "bd09" (ASCII case-insensitive; the
 * spellings "wgs-84", "gcj-02", "bd-09" are accepted too). Writes *out only
 * on success. Errors: WG_EINVAL for NULL or an unknown name. */
wg_err wg_crs_parse(const char *name, wg_crs *out) WG_MUST_CHECK;

/* Canonical lower-case name of a CRS ("wgs84", "gcj02", "bd09"); static
 * string, "unknown" for an out-of-range value. */
const char *wg_crs_name(wg_crs crs);

/* 1 when (lon, lat) lies outside the box within which GCJ-02 is applied
 * (lon 72.004..137.8347, lat 0.8293..55.8271), else 0. The box is the one
 * all published implementations use; it is coarse (it includes Mongolia,
 * parts of Korea and Japan). */
int wg_coord_out_of_china(double lon, double lat);

/* Pairwise conversions. Each writes the converted point to *out_lon,
 * *out_lat (which must not be NULL). Errors: WG_EINVAL on an input out of
 * range or not finite. */
wg_err wg_coord_wgs84_to_gcj02(double lon, double lat, double *out_lon,
                               double *out_lat) WG_MUST_CHECK;
wg_err wg_coord_gcj02_to_wgs84(double lon, double lat, double *out_lon,
                               double *out_lat) WG_MUST_CHECK;
wg_err wg_coord_gcj02_to_bd09(double lon, double lat, double *out_lon,
                              double *out_lat) WG_MUST_CHECK;
wg_err wg_coord_bd09_to_gcj02(double lon, double lat, double *out_lon,
                              double *out_lat) WG_MUST_CHECK;

/* Any supported CRS to any other (identity when from == to, after the
 * range check). Errors: WG_EINVAL on a bad point or an unknown crs. */
wg_err wg_coord_convert(double lon, double lat, wg_crs from, wg_crs to,
                        double *out_lon, double *out_lat) WG_MUST_CHECK;

/* Shorthand for wg_coord_convert(lon, lat, crs, WG_CRS_WGS84, ...): what
 * importers call on points captured with a phone map. */
wg_err wg_coord_to_wgs84(double lon, double lat, wg_crs crs, double *out_lon,
                         double *out_lat) WG_MUST_CHECK;

#endif
