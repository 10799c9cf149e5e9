/* geojson.h — GeoJSON (RFC 7946) FeatureCollections: reading features into
 * a wg_features_t, and writing features one by one.
 *
 * Reading: a FeatureCollection whose features have Point, Polygon or
 * MultiPolygon geometry (anything else is refused naming the feature's
 * index, 0-based). Properties: strings, numbers and booleans become text;
 * nested objects and arrays are kept as compact JSON text; null = absent.
 * Caps (wg_features_opts): file size, features, vertices per feature, JSON
 * nesting depth, distinct property names, bytes per value → WG_ETOOBIG with
 * the place in ei. The whole file is parsed in memory (jansson).
 *
 * Writing streams: each feature is written as it is given, through stdio's
 * buffer; nothing grows with the number of features. Coordinates are
 * written with a fixed number of decimals. */
#ifndef WG_IO_GEOJSON_H
#define WG_IO_GEOJSON_H

#include <stdio.h>

#include "io/features.h"

/* Read the file at path (ei->file = path). out is zeroed first and must be
 * freed with wg_features_free, also after an error. Errors: WG_EIO,
 * WG_EFORMAT (malformed JSON with line and column, not a FeatureCollection,
 * unsupported or broken geometry: ei->row = feature index + 1 and ei->why
 * names it), WG_ETOOBIG, WG_ENOMEM. */
wg_err wg_geojson_read(const char *path, const wg_features_opts *opts, wg_features_t *out,
                       wg_errinfo *ei) WG_MUST_CHECK;

/* Same from len bytes at buf (borrowed); ei->file = "<memory>". */
wg_err wg_geojson_read_mem(const void *buf, size_t len, const wg_features_opts *opts,
                           wg_features_t *out, wg_errinfo *ei) WG_MUST_CHECK;

/* One property of a feature being written. value NULL or type
 * WG_VALUE_NULL writes null; NUMBER, BOOL and JSON values are written as
 * they are (the caller vouches they are valid JSON), STRING is escaped. */
typedef struct wg_geojson_prop {
  const char *name;
  const char *value;
  wg_value_type type;
} wg_geojson_prop;

typedef struct wg_geojson_writer {
  FILE *fp;
  int owned;          /* 1: fp was opened here and is closed at the end */
  int decimals;       /* digits after the point in coordinates */
  long features;      /* written so far */
  char path[256];
} wg_geojson_writer;

/* Start a FeatureCollection in the file at path ("-" = stdout) with
 * coordinates written with `decimals` digits (0..15; 7 ≈ 1 cm in degrees).
 * w is caller-allocated. Errors: WG_EIO, WG_EINVAL. */
wg_err wg_geojson_writer_open(wg_geojson_writer *w, const char *path, int decimals,
                              wg_errinfo *ei) WG_MUST_CHECK;

/* Same on an open stream (not closed by the writer). */
void wg_geojson_writer_start(wg_geojson_writer *w, FILE *fp, int decimals);

/* Write a Point feature. */
wg_err wg_geojson_write_point(wg_geojson_writer *w, double x, double y,
                              const wg_geojson_prop *props, int nprops,
                              wg_errinfo *ei) WG_MUST_CHECK;

/* Write a Polygon / MultiPolygon feature from WKB (either byte order).
 * Errors: WG_EFORMAT on malformed WKB, WG_EIO. */
wg_err wg_geojson_write_wkb(wg_geojson_writer *w, const unsigned char *wkb, size_t wkb_len,
                            const wg_geojson_prop *props, int nprops,
                            wg_errinfo *ei) WG_MUST_CHECK;

/* End the collection and close the file; WG_EIO when any write failed
 * (the disk filled up). */
wg_err wg_geojson_writer_close(wg_geojson_writer *w, wg_errinfo *ei) WG_MUST_CHECK;

/* Close after an error and remove the partial file (not stdout). */
void wg_geojson_writer_abort(wg_geojson_writer *w);

/* Write s as a JSON string literal (quotes included) to fp. */
void wg_json_write_string(FILE *fp, const char *s);

#endif
