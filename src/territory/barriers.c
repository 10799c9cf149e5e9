/* barriers.c — barrier lines from GeoJSON (jansson). */
#include "territory/barriers.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void wg_barriers_free(wg_barriers *b) {
  if (!b) return;
  for (int i = 0; i < b->n; i++) free((void *)b->lines[i].x);
  free(b->lines);
  memset(b, 0, sizeof *b);
}

/* Appends one coordinate array [[x, y], …] as a line. */
static wg_err add_line(wg_barriers *b, json_t *coords, wg_errinfo *ei) {
  size_t np = json_array_size(coords);
  if (np < 2) return wg_errinfo_set(ei, WG_EFORMAT, "a barrier line needs two points or more");
  if (np > WG_GEOM_MAX_VERTICES)
    return wg_errinfo_set(ei, WG_ETOOBIG, "a barrier line has more than %d points",
                          WG_GEOM_MAX_VERTICES);
  double *xy = malloc(np * 2 * sizeof *xy);
  wg_geom_line *lines = realloc(b->lines, (size_t)(b->n + 1) * sizeof *lines);
  if (lines) b->lines = lines;
  if (!xy || !lines) {
    free(xy);
    return WG_ENOMEM;
  }
  for (size_t k = 0; k < np; k++) {
    json_t *pt = json_array_get(coords, k);
    json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);
    if (!json_is_number(x) || !json_is_number(y)) {
      free(xy);
      return wg_errinfo_set(ei, WG_EFORMAT, "barrier point %zu is not [x, y]", k + 1);
    }
    xy[k] = json_number_value(x);
    xy[np + k] = json_number_value(y);
  }
  b->lines[b->n++] = (wg_geom_line){.npoints = (int)np, .x = xy, .y = xy + np};
  return WG_OK;
}

static wg_err add_geometry(wg_barriers *b, json_t *g, wg_errinfo *ei) {
  const char *type = json_string_value(json_object_get(g, "type"));
  json_t *coords = json_object_get(g, "coordinates");
  if (!type) return WG_OK;
  if (strcmp(type, "LineString") == 0) return add_line(b, coords, ei);
  if (strcmp(type, "MultiLineString") == 0) {
    for (size_t i = 0; i < json_array_size(coords); i++) {
      wg_err e = add_line(b, json_array_get(coords, i), ei);
      if (e) return e;
    }
  }
  return WG_OK;
}

wg_err wg_barriers_parse(wg_barriers *b, const char *text, wg_errinfo *ei) {
  json_error_t jerr;
  json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
  if (!root)
    return wg_errinfo_set(ei, WG_EFORMAT, "barriers are not GeoJSON: %s (line %d)", jerr.text,
                          jerr.line);
  wg_err e = WG_OK;
  json_t *features = json_object_get(root, "features");
  if (json_is_array(features)) {
    for (size_t i = 0; i < json_array_size(features) && !e; i++)
      e = add_geometry(b, json_object_get(json_array_get(features, i), "geometry"), ei);
  } else if (json_object_get(root, "geometry")) {
    e = add_geometry(b, json_object_get(root, "geometry"), ei);
  } else {
    e = add_geometry(b, root, ei);
  }
  json_decref(root);
  return e;
}

wg_err wg_barriers_load(wg_barriers *b, const char *path, wg_errinfo *ei) {
  FILE *f = fopen(path, "rb");
  if (!f) return wg_errinfo_set(ei, WG_EIO, "cannot open %s", path);
  char *text = NULL;
  size_t len = 0, cap = 0;
  enum { MAX_BYTES = 256 << 20 };
  wg_err e = WG_OK;
  for (;;) {
    if (len + 65536 + 1 > cap) {
      cap = cap ? cap * 2 : 65536 * 2;
      if (cap > MAX_BYTES + 65536 + 1) {
        e = wg_errinfo_set(ei, WG_ETOOBIG, "%s is larger than 256 MiB", path);
        break;
      }
      char *t = realloc(text, cap);
      if (!t) {
        e = WG_ENOMEM;
        break;
      }
      text = t;
    }
    size_t got = fread(text + len, 1, 65536, f);
    len += got;
    if (got < 65536) break;
  }
  if (!e && ferror(f)) e = wg_errinfo_set(ei, WG_EIO, "cannot read %s", path);
  fclose(f);
  if (!e) {
    text[len] = '\0';
    e = wg_barriers_parse(b, text, ei);
  }
  free(text);
  return e;
}
