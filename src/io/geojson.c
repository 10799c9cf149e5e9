/* geojson.c — GeoJSON FeatureCollections in (jansson) and out (streamed). */
#include "io/geojson.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/features_int.h"
#include "util/strmap.h"

/* ---- reading ----------------------------------------------------------- */

/* Deepest nesting of [ and { outside strings; jansson would otherwise
 * recurse up to its own compiled-in limit of 2048. Sets *line to where the
 * cap was passed. */
static int json_too_deep(const char *s, size_t len, int max_depth, long *line) {
  int depth = 0, in_str = 0;
  long ln = 1;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '\n') ln++;
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = 0;
    } else if (c == '"') {
      in_str = 1;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        *line = ln;
        return 1;
      }
    } else if (c == ']' || c == '}') {
      depth--;
    }
  }
  return 0;
}

typedef struct reader {
  wg_features_opts o;
  wg_features_t *f;
  wg_errinfo *ei;
  wg__polyb pb;
  wg_strmap fieldmap;
  int i;                 /* feature being read */
} reader;

static wg_err bad(reader *r, const char *what) {
  return wg_errinfo_set(r->ei, WG_EFORMAT, "feature %d: %s", r->i, what);
}

/* A position: an array of at least two finite numbers (z and more ignored). */
static wg_err position(reader *r, const json_t *p, double *x, double *y) {
  if (!json_is_array(p) || json_array_size(p) < 2 || !json_is_number(json_array_get(p, 0)) ||
      !json_is_number(json_array_get(p, 1)))
    return bad(r, "a position is not an array of two numbers [x, y]");
  *x = json_number_value(json_array_get(p, 0));
  *y = json_number_value(json_array_get(p, 1));
  if (!isfinite(*x) || !isfinite(*y)) return bad(r, "a coordinate is not a finite number");
  return WG_OK;
}

/* Rings of one polygon (array of linear rings) into r->pb as `part`. */
static wg_err polygon(reader *r, const json_t *rings, int part) {
  if (!json_is_array(rings) || json_array_size(rings) == 0)
    return bad(r, "a polygon needs an array of rings");
  double *xy = NULL;
  size_t cap = 0;
  wg_err e = WG_OK;
  for (size_t k = 0; k < json_array_size(rings) && !e; k++) {
    const json_t *ring = json_array_get(rings, k);
    size_t np = json_is_array(ring) ? json_array_size(ring) : 0;
    if (np < 3) {
      e = bad(r, "a polygon ring has fewer than 3 positions");
      break;
    }
    if ((long)np + r->pb.npts > r->o.max_vertices) {
      e = wg_errinfo_set(r->ei, WG_ETOOBIG, "feature %d: more than %ld vertices", r->i,
                         r->o.max_vertices);
      break;
    }
    if (np > cap) {
      double *n = realloc(xy, np * 2 * sizeof(double));
      if (!n) {
        e = WG_ENOMEM;
        break;
      }
      xy = n;
      cap = np;
    }
    for (size_t j = 0; j < np && !e; j++)
      e = position(r, json_array_get(ring, j), &xy[2 * j], &xy[2 * j + 1]);
    if (!e) e = wg__polyb_ring(&r->pb, part, xy, (long)np);
    if (!e && r->pb.ring_start[r->pb.nrings] - r->pb.ring_start[r->pb.nrings - 1] < 4)
      e = bad(r, "a polygon ring has fewer than 3 distinct positions");
  }
  free(xy);
  return e;
}

static wg_err geometry(reader *r, const json_t *feature) {
  const json_t *g = json_object_get(feature, "geometry");
  if (!g || json_is_null(g)) return bad(r, "no geometry (null)");
  if (!json_is_object(g)) return bad(r, "geometry is not an object");
  const char *type = json_string_value(json_object_get(g, "type"));
  if (!type) return bad(r, "geometry has no \"type\"");
  const json_t *c = json_object_get(g, "coordinates");
  wg_feature_kind kind;
  double x = 0, y = 0;
  unsigned char *wkb = NULL;
  size_t wkb_len = 0;
  wg_err e;
  if (strcmp(type, "Point") == 0) {
    kind = WG_FEATURE_POINT;
    if ((e = position(r, c, &x, &y))) return e;
  } else if (strcmp(type, "Polygon") == 0 || strcmp(type, "MultiPolygon") == 0) {
    kind = WG_FEATURE_POLYGON;
    wg__polyb_reset(&r->pb);
    if (type[0] == 'P') {
      if ((e = polygon(r, c, 0))) return e;
    } else {
      if (!json_is_array(c) || json_array_size(c) == 0)
        return bad(r, "a MultiPolygon needs an array of polygons");
      for (size_t p = 0; p < json_array_size(c); p++)
        if ((e = polygon(r, json_array_get(c, p), (int)p))) return e;
    }
    if ((e = wg__polyb_wkb(&r->pb, &wkb, &wkb_len, &x, &y))) return e;
    r->f->vertices += r->pb.npts;
    for (long k = 0; k < r->pb.npts; k++)
      if (!(fabs(r->pb.xy[2 * k]) <= 180 && fabs(r->pb.xy[2 * k + 1]) <= 90)) r->f->lonlat = 0;
  } else {
    return wg_errinfo_set(r->ei, WG_EFORMAT,
                          "feature %d: geometry type %.40s is not supported (Point, Polygon "
                          "or MultiPolygon)",
                          r->i, type);
  }
  if (r->f->n > 0 && r->f->kind != kind) {
    free(wkb);
    return wg_errinfo_set(r->ei, WG_EFORMAT,
                          "feature %d is a %s but the features before it are %s: a layer "
                          "must be all points or all polygons",
                          r->i, type, r->f->kind == WG_FEATURE_POINT ? "points" : "polygons");
  }
  return wg__features_add(r->f, kind, x, y, wkb, wkb_len);
}

/* Shortest %g form that reads back exactly. */
static int format_real(double d, char *buf, size_t cap) {
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, cap, "%.*g", prec, d);
    if (strtod(buf, NULL) == d) break;
  }
  return (int)strlen(buf);
}

static wg_err properties(reader *r, const json_t *feature) {
  const json_t *props = json_object_get(feature, "properties");
  if (!props || json_is_null(props)) return WG_OK;
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)props, key, v) {
    int64_t field;
    if (!wg_strmap_get(&r->fieldmap, key, strlen(key), &field)) return WG_EINVAL;
    char num[64];
    wg_err e = WG_OK;
    switch (json_typeof(v)) {
      case JSON_STRING:
        if (json_string_length(v) > r->o.max_value)
          return wg_errinfo_set(r->ei, WG_ETOOBIG,
                                "feature %d: property \"%.60s\" is longer than %zu bytes", r->i,
                                key, r->o.max_value);
        e = wg__features_set(r->f, (int)field, WG_VALUE_STRING, json_string_value(v),
                             json_string_length(v));
        break;
      case JSON_INTEGER: {
        int len = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        e = wg__features_set(r->f, (int)field, WG_VALUE_NUMBER, num, (size_t)len);
        break;
      }
      case JSON_REAL: {
        int len = format_real(json_real_value(v), num, sizeof num);
        e = wg__features_set(r->f, (int)field, WG_VALUE_NUMBER, num, (size_t)len);
        break;
      }
      case JSON_TRUE: e = wg__features_set(r->f, (int)field, WG_VALUE_BOOL, "true", 4); break;
      case JSON_FALSE: e = wg__features_set(r->f, (int)field, WG_VALUE_BOOL, "false", 5); break;
      case JSON_OBJECT:
      case JSON_ARRAY: {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s) return WG_ENOMEM;
        size_t len = strlen(s);
        if (len > r->o.max_value) {
          free(s);
          return wg_errinfo_set(r->ei, WG_ETOOBIG,
                                "feature %d: property \"%.60s\" is longer than %zu bytes", r->i,
                                key, r->o.max_value);
        }
        e = wg__features_set(r->f, (int)field, WG_VALUE_JSON, s, len);
        free(s);
        break;
      }
      default: break;
    }
    if (e) return e;
  }
  return WG_OK;
}

/* First pass: every property name, in first-seen order. */
static wg_err collect_fields(reader *r, const json_t *features, char ***names, int *n) {
  int cap = 0;
  *names = NULL;
  *n = 0;
  for (size_t i = 0; i < json_array_size(features); i++) {
    r->i = (int)i;
    const json_t *feat = json_array_get(features, i);
    if (!json_is_object(feat)) return bad(r, "not a GeoJSON Feature object");
    const json_t *props = json_object_get(feat, "properties");
    if (!props || json_is_null(props)) continue;
    if (!json_is_object(props)) return bad(r, "\"properties\" is not an object");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)props, key, v) {
      int64_t field;
      size_t klen = strlen(key);
      if (wg_strmap_get(&r->fieldmap, key, klen, &field)) continue;
      if (*n >= r->o.max_fields)
        return wg_errinfo_set(r->ei, WG_ETOOBIG, "feature %d: more than %d property names",
                              r->i, r->o.max_fields);
      if (klen > 255) return bad(r, "a property name is longer than 255 bytes");
      if (*n == cap) {
        cap = cap ? cap * 2 : 16;
        char **nn = realloc(*names, (size_t)cap * sizeof(char *));
        if (!nn) return WG_ENOMEM;
        *names = nn;
      }
      (*names)[(*n)++] = (char *)key; /* borrowed from the JSON tree */
      if (wg_strmap_put(&r->fieldmap, key, klen, *n - 1)) return WG_ENOMEM;
    }
  }
  return WG_OK;
}

static wg_err read_json(const char *buf, size_t len, const wg_features_opts *opts,
                        wg_features_t *out, wg_errinfo *ei) {
  reader r = {.o = wg__features_opts(opts), .f = out, .ei = ei};
  memset(out, 0, sizeof *out);
  out->format = "geojson";
  if (len > r.o.max_bytes)
    return wg_errinfo_set(ei, WG_ETOOBIG, "the file is larger than %zu bytes", r.o.max_bytes);
  long line = 0;
  if (json_too_deep(buf, len, r.o.max_depth, &line))
    return wg_errinfo_set(ei, WG_ETOOBIG, "line %ld: JSON nested deeper than %d levels", line,
                          r.o.max_depth);
  json_error_t jerr;
  json_t *root = json_loadb(buf, len, JSON_ALLOW_NUL, &jerr);
  if (!root)
    return wg_errinfo_set(ei, WG_EFORMAT, "malformed JSON at line %d, column %d: %s",
                          jerr.line, jerr.column, jerr.text);
  wg_err e = WG_OK;
  const char *type = json_string_value(json_object_get(root, "type"));
  const json_t *features = json_object_get(root, "features");
  char **names = NULL;
  int nnames = 0;
  wg_strmap_init(&r.fieldmap);
  if (!json_is_object(root) || !type || strcmp(type, "FeatureCollection") != 0 ||
      !json_is_array(features)) {
    e = wg_errinfo_set(ei, WG_EFORMAT,
                       "not a GeoJSON FeatureCollection (an object with \"type\": "
                       "\"FeatureCollection\" and a \"features\" array)");
    goto done;
  }
  if (json_array_size(features) > (size_t)r.o.max_features) {
    e = wg_errinfo_set(ei, WG_ETOOBIG, "more than %d features", r.o.max_features);
    goto done;
  }
  if ((e = collect_fields(&r, features, &names, &nnames))) goto done;
  if ((e = wg__features_init(out, "geojson", names, nnames))) goto done;
  for (size_t i = 0; i < json_array_size(features) && !e; i++) {
    r.i = (int)i;
    const json_t *feat = json_array_get(features, i);
    const char *ft = json_string_value(json_object_get(feat, "type"));
    if (!ft || strcmp(ft, "Feature") != 0) {
      e = bad(&r, "not a GeoJSON Feature (\"type\": \"Feature\")");
      break;
    }
    if ((e = geometry(&r, feat))) break;
    e = properties(&r, feat);
  }
done:
  free(names);
  wg_strmap_free(&r.fieldmap);
  wg__polyb_free(&r.pb);
  json_decref(root);
  return e;
}

wg_err wg_geojson_read_mem(const void *buf, size_t len, const wg_features_opts *opts,
                           wg_features_t *out, wg_errinfo *ei) {
  if (ei) snprintf(ei->file, sizeof ei->file, "<memory>");
  return read_json(buf, len, opts, out, ei);
}

wg_err wg_geojson_read(const char *path, const wg_features_opts *opts, wg_features_t *out,
                       wg_errinfo *ei) {
  memset(out, 0, sizeof *out);
  if (ei) snprintf(ei->file, sizeof ei->file, "%s", path);
  wg_features_opts o = wg__features_opts(opts);
  FILE *fp = fopen(path, "rb");
  if (!fp) return wg_errinfo_set(ei, WG_EIO, "cannot open: %s", strerror(errno));
  char *buf = NULL;
  size_t len = 0, cap = 0;
  wg_err e = WG_OK;
  for (;;) {
    if (len == cap) {
      if (cap > o.max_bytes) {
        e = wg_errinfo_set(ei, WG_ETOOBIG, "the file is larger than %zu bytes", o.max_bytes);
        break;
      }
      size_t ncap = cap ? cap * 2 : 65536;
      char *n = realloc(buf, ncap + 1);
      if (!n) {
        e = WG_ENOMEM;
        break;
      }
      buf = n;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0) {
      if (ferror(fp)) e = wg_errinfo_set(ei, WG_EIO, "read error");
      break;
    }
  }
  fclose(fp);
  if (!e) e = read_json(buf, len, &o, out, ei);
  free(buf);
  return e;
}

/* ---- writing ----------------------------------------------------------- */

void wg_json_write_string(FILE *fp, const char *s) {
  putc('"', fp);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
      case '"': fputs("\\\"", fp); break;
      case '\\': fputs("\\\\", fp); break;
      case '\n': fputs("\\n", fp); break;
      case '\r': fputs("\\r", fp); break;
      case '\t': fputs("\\t", fp); break;
      default:
        if (*p < 0x20) fprintf(fp, "\\u%04x", *p);
        else putc(*p, fp);
    }
  }
  putc('"', fp);
}

void wg_geojson_writer_start(wg_geojson_writer *w, FILE *fp, int decimals) {
  memset(w, 0, sizeof *w);
  w->fp = fp;
  w->decimals = decimals < 0 ? 0 : decimals > 15 ? 15 : decimals;
  fputs("{\"type\":\"FeatureCollection\",\"features\":[", fp);
}

wg_err wg_geojson_writer_open(wg_geojson_writer *w, const char *path, int decimals,
                              wg_errinfo *ei) {
  memset(w, 0, sizeof *w);
  if (decimals < 0 || decimals > 15)
    return wg_errinfo_set(ei, WG_EINVAL, "decimals must be 0..15");
  if (ei) snprintf(ei->file, sizeof ei->file, "%s", path);
  int out = strcmp(path, "-") == 0;
  FILE *fp = out ? stdout : fopen(path, "wb");
  if (!fp) return wg_errinfo_set(ei, WG_EIO, "cannot create: %s", strerror(errno));
  wg_geojson_writer_start(w, fp, decimals);
  w->owned = !out;
  snprintf(w->path, sizeof w->path, "%s", path);
  return WG_OK;
}

static void write_coord(wg_geojson_writer *w, double x, double y) {
  /* -0.0000000 reads back fine but looks odd; print 0 instead */
  if (x == 0) x = 0;
  if (y == 0) y = 0;
  fprintf(w->fp, "[%.*f,%.*f]", w->decimals, x, w->decimals, y);
}

static void begin_feature(wg_geojson_writer *w) {
  fputs(w->features ? ",\n" : "\n", w->fp);
  fputs("{\"type\":\"Feature\",\"properties\":", w->fp);
}

static void write_props(wg_geojson_writer *w, const wg_geojson_prop *props, int nprops) {
  putc('{', w->fp);
  for (int i = 0; i < nprops; i++) {
    if (i) putc(',', w->fp);
    wg_json_write_string(w->fp, props[i].name);
    putc(':', w->fp);
    if (!props[i].value || props[i].type == WG_VALUE_NULL) fputs("null", w->fp);
    else if (props[i].type == WG_VALUE_STRING) wg_json_write_string(w->fp, props[i].value);
    else fputs(props[i].value, w->fp);
  }
  putc('}', w->fp);
}

wg_err wg_geojson_write_point(wg_geojson_writer *w, double x, double y,
                              const wg_geojson_prop *props, int nprops, wg_errinfo *ei) {
  (void)ei;
  begin_feature(w);
  write_props(w, props, nprops);
  fputs(",\"geometry\":{\"type\":\"Point\",\"coordinates\":", w->fp);
  write_coord(w, x, y);
  fputs("}}", w->fp);
  w->features++;
  return WG_OK;
}

static int ring_ok(void *ctx, int part, int ring, int npoints, const double *xy) {
  (void)ctx, (void)part, (void)ring, (void)npoints, (void)xy;
  return 0;
}

typedef struct ring_writer {
  wg_geojson_writer *w;
  int multi, last_part;
} ring_writer;

static int write_ring(void *ctx, int part, int ring, int npoints, const double *xy) {
  ring_writer *rw = ctx;
  FILE *fp = rw->w->fp;
  if (ring == 0) {
    if (part > 0) fputs("],", fp);
    if (rw->multi) putc('[', fp);
  } else {
    putc(',', fp);
  }
  putc('[', fp);
  for (int i = 0; i < npoints; i++) {
    if (i) putc(',', fp);
    write_coord(rw->w, xy[2 * i], xy[2 * i + 1]);
  }
  putc(']', fp);
  rw->last_part = part;
  return 0;
}

wg_err wg_geojson_write_wkb(wg_geojson_writer *w, const unsigned char *wkb, size_t wkb_len,
                            const wg_geojson_prop *props, int nprops, wg_errinfo *ei) {
  /* validate first, so a bad WKB leaves no half-written feature */
  wg_err e = wg_wkb_rings(wkb, wkb_len, ring_ok, NULL);
  if (e) return wg_errinfo_set(ei, WG_EFORMAT, "feature %ld: malformed polygon WKB", w->features);
  uint32_t type = wkb_len >= 5 ? (wkb[0] == 1 ? (uint32_t)wkb[1] : (uint32_t)wkb[4]) : 0;
  int multi = type == 6;
  begin_feature(w);
  write_props(w, props, nprops);
  fprintf(w->fp, ",\"geometry\":{\"type\":\"%s\",\"coordinates\":[",
          multi ? "MultiPolygon" : "Polygon");
  ring_writer rw = {w, multi, -1};
  e = wg_wkb_rings(wkb, wkb_len, write_ring, &rw);
  if (multi && rw.last_part >= 0) putc(']', w->fp);
  fputs("]}}", w->fp);
  w->features++;
  return e;
}

wg_err wg_geojson_writer_close(wg_geojson_writer *w, wg_errinfo *ei) {
  if (!w->fp) return WG_OK;
  fputs("\n]}\n", w->fp);
  int failed = ferror(w->fp);
  if (w->owned) failed |= fclose(w->fp) != 0;
  else failed |= fflush(w->fp) != 0;
  w->fp = NULL;
  if (failed) return wg_errinfo_set(ei, WG_EIO, "write failed (disk full?)");
  return WG_OK;
}

void wg_geojson_writer_abort(wg_geojson_writer *w) {
  if (!w->fp) return;
  if (w->owned) {
    fclose(w->fp);
    remove(w->path);
  }
  w->fp = NULL;
}
