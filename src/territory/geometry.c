/* geometry.c — point and polygon adjacency, coverage, point-in-polygon and
 * GeoJSON output on GEOS's reentrant C API, and the internals shared with
 * geometry_grid.c (context, projection, WKB; see geometry_int.h).
 *
 * Projection accuracy. Lon/lat input is projected equirectangularly about
 * the data's mean latitude φ0 on a sphere of radius R = 6371008.8 m. North–
 * south distances are exact on that sphere; east–west scale at latitude φ
 * is off by cos φ / cos φ0 − 1 ≈ −tan φ0 · (φ − φ0) (radians): at 36°N that
 * is 0.11% per 10 km from the mean latitude, 0.57% at the edge of a county
 * 100 km tall. The sphere itself differs from the WGS84 ellipsoid's local
 * radii by about 0.2% (north–south −0.2%, east–west +0.2% at 36°N).
 * Good enough for adjacency, compactness and areas within a county; not
 * for surveying. Polar data (|lat| > 85°) is rejected; data crossing the
 * antimeridian is not supported. */
#include "territory/geometry_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_RADIUS_M 6371008.8
#define WG_PI 3.14159265358979323846
#define MAX_LAT 85.0            /* the local projection degenerates near the poles */
#define SNAP_GRID_M 1e-3        /* boundaries this close are one (snap rounding) */
#define SHARED_MIN_M 1e-2       /* shorter shared boundaries are touching corners */
#define MAX_TOTAL_VERTICES 50000000L /* all polygons of one adjacency call */
#define MAX_GEOJSON_BYTES ((size_t)256 << 20)

/* ---------------------------------------------------------------- context */

static void on_geos_error(const char *message, void *userdata) {
  wg__geos *g = userdata;
  snprintf(g->error, sizeof g->error, "%s", message ? message : "");
}

static void on_geos_notice(const char *message, void *userdata) {
  wg__geos *g = userdata;
  snprintf(g->notice, sizeof g->notice, "%s", message ? message : "");
}

/* g must not move while the context lives: the handlers point at it. */
wg_err wg__geos_init(wg__geos *g, wg_errinfo *ei) {
  memset(g, 0, sizeof *g);
  g->h = GEOS_init_r();
  if (!g->h) return wg_errinfo_set(ei, WG_ENOMEM, "cannot create a GEOS context");
  GEOSContext_setErrorMessageHandler_r(g->h, on_geos_error, g);
  GEOSContext_setNoticeMessageHandler_r(g->h, on_geos_notice, g);
  return WG_OK;
}

void wg__geos_finish(wg__geos *g) {
  if (g && g->h) GEOS_finish_r(g->h);
  if (g) g->h = NULL;
}

wg_err wg__geos_fail(wg__geos *g, wg_errinfo *ei, wg_err err, const char *what) {
  const char *m = g->error[0] ? g->error : g->notice[0] ? g->notice : "GEOS failed";
  return wg_errinfo_set(ei, err, "%s: %s", what, m);
}

/* ------------------------------------------------------------- projection */

void wg__proj_init(wg__proj *p, int lonlat, double lon0, double lat0) {
  p->lonlat = lonlat != 0;
  p->lon0 = lonlat ? lon0 : 0;
  p->lat0 = lonlat ? lat0 : 0;
  p->ky = EARTH_RADIUS_M * WG_PI / 180.0;
  p->kx = p->ky * cos(p->lat0 * WG_PI / 180.0);
}

wg_err wg__check_xy(double x, double y, int lonlat, const char *what, long i,
                    wg_errinfo *ei) {
  if (!isfinite(x) || !isfinite(y))
    return wg_errinfo_set(ei, WG_EINVAL, "%s %ld: coordinate is not a finite number", what, i);
  if (lonlat && (x < -180 || x > 180 || y < -MAX_LAT || y > MAX_LAT))
    return wg_errinfo_set(ei, WG_EINVAL,
                          "%s %ld: (%.7f, %.7f) is not a longitude/latitude within "
                          "-180..180, -85..85",
                          what, i, x, y);
  return WG_OK;
}

static int proj_forward(double *x, double *y, void *userdata) {
  const wg__proj *p = userdata;
  *x = (*x - p->lon0) * p->kx;
  *y = (*y - p->lat0) * p->ky;
  return 1;
}

static int proj_inverse(double *x, double *y, void *userdata) {
  const wg__proj *p = userdata;
  *x = *x / p->kx + p->lon0;
  *y = *y / p->ky + p->lat0;
  return 1;
}

GEOSGeometry *wg__proj_geom(wg__geos *g, const wg__proj *p, const GEOSGeometry *geom,
                            int inverse) {
  if (!p->lonlat) return GEOSGeom_clone_r(g->h, geom);
  return GEOSGeom_transformXY_r(g->h, geom, inverse ? proj_inverse : proj_forward, (void *)p);
}

int wg__geom_centre(wg__geos *g, const GEOSGeometry *geom, double *cx, double *cy,
                    double *minx, double *miny, double *maxx, double *maxy) {
  double x0, y0, x1, y1;
  if (!GEOSGeom_getXMin_r(g->h, geom, &x0) || !GEOSGeom_getYMin_r(g->h, geom, &y0) ||
      !GEOSGeom_getXMax_r(g->h, geom, &x1) || !GEOSGeom_getYMax_r(g->h, geom, &y1))
    return 0;
  if (cx) *cx = 0.5 * (x0 + x1);
  if (cy) *cy = 0.5 * (y0 + y1);
  if (minx) *minx = x0;
  if (miny) *miny = y0;
  if (maxx) *maxx = x1;
  if (maxy) *maxy = y1;
  return 1;
}

/* -------------------------------------------------------------------- WKB */

typedef struct wkb_cursor {
  const unsigned char *p;
  size_t len, pos;
  long vertices;           /* counted so far, against WG_GEOM_MAX_VERTICES */
} wkb_cursor;

static int host_is_little(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

static int wkb_u32(wkb_cursor *c, int swap, uint32_t *v) {
  if (c->len - c->pos < 4) return 0;
  unsigned char b[4];
  memcpy(b, c->p + c->pos, 4);
  if (swap) {
    unsigned char t = b[0];
    b[0] = b[3], b[3] = t, t = b[1], b[1] = b[2], b[2] = t;
  }
  memcpy(v, b, 4);
  c->pos += 4;
  return 1;
}

static int wkb_f64(wkb_cursor *c, int swap, double *v) {
  if (c->len - c->pos < 8) return 0;
  unsigned char b[8];
  memcpy(b, c->p + c->pos, 8);
  if (swap)
    for (int i = 0; i < 4; ++i) {
      unsigned char t = b[i];
      b[i] = b[7 - i], b[7 - i] = t;
    }
  memcpy(v, b, 8);
  c->pos += 8;
  return 1;
}

/* Reads a byte-order mark and a type. */
static wg_err wkb_header(wkb_cursor *c, int *swap, uint32_t *type, wg_errinfo *ei) {
  if (c->pos >= c->len) return wg_errinfo_set(ei, WG_EFORMAT, "WKB is truncated");
  unsigned order = c->p[c->pos++];
  if (order > 1)
    return wg_errinfo_set(ei, WG_EFORMAT, "WKB byte order mark %u is not 0 or 1", order);
  *swap = (order == 1) != host_is_little();
  if (!wkb_u32(c, *swap, type)) return wg_errinfo_set(ei, WG_EFORMAT, "WKB is truncated");
  return WG_OK;
}

static wg_err wkb_scan_polygon_body(wkb_cursor *c, int swap, wg_errinfo *ei) {
  uint32_t nrings;
  if (!wkb_u32(c, swap, &nrings)) return wg_errinfo_set(ei, WG_EFORMAT, "WKB is truncated");
  if (nrings > (c->len - c->pos) / 4)
    return wg_errinfo_set(ei, WG_EFORMAT, "WKB polygon declares %u rings, more than its bytes hold",
                          nrings);
  for (uint32_t r = 0; r < nrings; ++r) {
    uint32_t npts;
    if (!wkb_u32(c, swap, &npts)) return wg_errinfo_set(ei, WG_EFORMAT, "WKB is truncated");
    if (npts > (c->len - c->pos) / 16)
      return wg_errinfo_set(ei, WG_EFORMAT,
                            "WKB ring declares %u points, more than its bytes hold", npts);
    c->vertices += (long)npts;
    if (c->vertices > WG_GEOM_MAX_VERTICES)
      return wg_errinfo_set(ei, WG_ETOOBIG, "polygon has more than %d vertices",
                            WG_GEOM_MAX_VERTICES);
    for (uint32_t i = 0; i < 2 * npts; ++i) {
      double v;
      if (!wkb_f64(c, swap, &v)) return wg_errinfo_set(ei, WG_EFORMAT, "WKB is truncated");
      if (!isfinite(v))
        return wg_errinfo_set(ei, WG_EFORMAT, "WKB polygon has a coordinate that is not finite");
    }
  }
  return WG_OK;
}

/* Checks a whole Polygon / MultiPolygon WKB without allocating. */
static wg_err wkb_scan(const unsigned char *wkb, size_t len, wg_errinfo *ei) {
  wkb_cursor c = {wkb, len, 0, 0};
  int swap = 0;
  uint32_t type = 0;
  wg_err err = wkb_header(&c, &swap, &type, ei);
  if (err) return err;
  if (type == 3) {
    err = wkb_scan_polygon_body(&c, swap, ei);
  } else if (type == 6) {
    uint32_t nparts;
    if (!wkb_u32(&c, swap, &nparts)) return wg_errinfo_set(ei, WG_EFORMAT, "WKB is truncated");
    if (nparts > (c.len - c.pos) / 9)
      return wg_errinfo_set(ei, WG_EFORMAT,
                            "WKB multipolygon declares %u parts, more than its bytes hold", nparts);
    for (uint32_t i = 0; i < nparts && !err; ++i) {
      int pswap = 0;
      uint32_t ptype = 0;
      err = wkb_header(&c, &pswap, &ptype, ei);
      if (!err && ptype != 3)
        err = wg_errinfo_set(ei, WG_EFORMAT, "WKB multipolygon part has type %u, not Polygon",
                             ptype);
      if (!err) err = wkb_scan_polygon_body(&c, pswap, ei);
    }
  } else {
    return wg_errinfo_set(ei, WG_EFORMAT,
                          "WKB type %u is not a 2D Polygon (3) or MultiPolygon (6)", type);
  }
  if (!err && c.pos != c.len)
    err = wg_errinfo_set(ei, WG_EFORMAT, "WKB has %zu bytes after the geometry", c.len - c.pos);
  return err;
}

wg_err wg__wkb_read(wg__geos *g, const unsigned char *wkb, size_t len, GEOSGeometry **out,
                    wg_errinfo *ei) {
  *out = NULL;
  if (!wkb || len == 0) return wg_errinfo_set(ei, WG_EFORMAT, "WKB is empty");
  wg_err err = wkb_scan(wkb, len, ei);
  if (err) return err;
  GEOSWKBReader *r = GEOSWKBReader_create_r(g->h);
  if (!r) return wg__geos_fail(g, ei, WG_ENOMEM, "cannot create a WKB reader");
  *out = GEOSWKBReader_read_r(g->h, r, wkb, len);
  GEOSWKBReader_destroy_r(g->h, r);
  if (!*out) return wg__geos_fail(g, ei, WG_EFORMAT, "bad WKB polygon");
  return WG_OK;
}

wg_err wg__wkb_write(wg__geos *g, const GEOSGeometry *geom, unsigned char **out, size_t *len,
                     wg_errinfo *ei) {
  *out = NULL;
  *len = 0;
  GEOSWKBWriter *w = GEOSWKBWriter_create_r(g->h);
  if (!w) return wg__geos_fail(g, ei, WG_ENOMEM, "cannot create a WKB writer");
  GEOSWKBWriter_setOutputDimension_r(g->h, w, 2);
  GEOSWKBWriter_setByteOrder_r(g->h, w, GEOS_WKB_NDR);
  GEOSWKBWriter_setFlavor_r(g->h, w, GEOS_WKB_ISO);
  GEOSWKBWriter_setIncludeSRID_r(g->h, w, 0);
  size_t n = 0;
  unsigned char *buf = GEOSWKBWriter_write_r(g->h, w, geom, &n);
  GEOSWKBWriter_destroy_r(g->h, w);
  if (!buf) return wg__geos_fail(g, ei, WG_EINVAL, "cannot write WKB");
  *out = malloc(n ? n : 1); /* callers free with free(), not GEOSFree */
  if (!*out) {
    GEOSFree_r(g->h, buf);
    return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for WKB");
  }
  memcpy(*out, buf, n);
  *len = n;
  GEOSFree_r(g->h, buf);
  return WG_OK;
}

/* -------------------------------------------------------------- polygonal */

static int is_polygonal(int type) { return type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON; }

GEOSGeometry *wg__polygonal(wg__geos *g, GEOSGeometry *geom) {
  if (!geom) return NULL;
  int type = GEOSGeomTypeId_r(g->h, geom);
  if (type < 0) {
    GEOSGeom_destroy_r(g->h, geom);
    return NULL;
  }
  if (is_polygonal(type)) return geom;
  GEOSGeometry *result = NULL, **parts = NULL;
  int nparts = 0, cap = 0, ok = 1;
  int n = GEOSGetNumGeometries_r(g->h, geom);
  for (int i = 0; ok && i < n; ++i) {
    const GEOSGeometry *sub = GEOSGetGeometryN_r(g->h, geom, i);
    int st = sub ? GEOSGeomTypeId_r(g->h, sub) : -1;
    if (st < 0) ok = 0;
    if (!ok || !is_polygonal(st)) continue;
    int m = GEOSGetNumGeometries_r(g->h, sub); /* 1 for a Polygon */
    for (int j = 0; ok && j < m; ++j) {
      const GEOSGeometry *poly = GEOSGetGeometryN_r(g->h, sub, j);
      if (!poly || GEOSisEmpty_r(g->h, poly)) continue;
      if (nparts == cap) {
        int ncap = cap ? 2 * cap : 8;
        GEOSGeometry **np = realloc(parts, (size_t)ncap * sizeof *np);
        if (!np) {
          ok = 0;
          break;
        }
        parts = np, cap = ncap;
      }
      parts[nparts] = GEOSGeom_clone_r(g->h, poly);
      if (!parts[nparts]) ok = 0;
      else ++nparts;
    }
  }
  if (ok && n >= 0) {
    if (nparts == 0) {
      result = GEOSGeom_createEmptyPolygon_r(g->h);
    } else if (nparts == 1) {
      result = parts[0];
      nparts = 0;
    } else {
      /* GEOS takes the parts once called, even when it then fails */
      result = GEOSGeom_createCollection_r(g->h, GEOS_MULTIPOLYGON, parts, (unsigned)nparts);
      nparts = 0;
    }
  }
  for (int i = 0; i < nparts; ++i) GEOSGeom_destroy_r(g->h, parts[i]);
  free(parts);
  GEOSGeom_destroy_r(g->h, geom);
  return result;
}

GEOSGeometry *wg__make_valid(wg__geos *g, GEOSGeometry *geom) {
  if (!geom) return NULL;
  char valid = GEOSisValid_r(g->h, geom);
  g->notice[0] = '\0'; /* isValid reports the reason as a notice: not an error */
  if (valid == 1) return geom;
  GEOSGeometry *repaired = valid == 0 ? GEOSMakeValid_r(g->h, geom) : NULL;
  GEOSGeom_destroy_r(g->h, geom);
  return wg__polygonal(g, repaired);
}

/* -------------------------------------------------------------- adjacency */

void wg_geom_adjacency_free(wg_geom_adjacency *a) {
  if (!a) return;
  free(a->adj_start);
  free(a->adj);
  free(a->shared);
  memset(a, 0, sizeof *a);
}

/* A growable array of undirected edges (a < b) with optional lengths. */
typedef struct edge_list {
  int *a, *b;
  double *len;
  size_t n, cap;
} edge_list;

static void edge_list_free(edge_list *e) {
  free(e->a);
  free(e->b);
  free(e->len);
  memset(e, 0, sizeof *e);
}

static wg_err edge_list_push(edge_list *e, int a, int b, double len, wg_errinfo *ei) {
  if (e->n == e->cap) {
    size_t ncap = e->cap ? 2 * e->cap : 1024;
    int *na = realloc(e->a, ncap * sizeof *na);
    if (na) e->a = na;
    int *nb = realloc(e->b, ncap * sizeof *nb);
    if (nb) e->b = nb;
    double *nl = realloc(e->len, ncap * sizeof *nl);
    if (nl) e->len = nl;
    if (!na || !nb || !nl) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for edges");
    e->cap = ncap;
  }
  if (a > b) {
    int t = a;
    a = b, b = t;
  }
  e->a[e->n] = a, e->b[e->n] = b, e->len[e->n] = len;
  ++e->n;
  return WG_OK;
}

/* CSR from undirected edges, each list in increasing neighbour order (two
 * stable counting passes: by neighbour, then by owner). with_len fills
 * out->shared. */
static wg_err csr_from_edges(int n, const edge_list *e, int with_len, wg_geom_adjacency *out,
                             wg_errinfo *ei) {
  size_t m2 = 2 * e->n;
  if (m2 > WG_GEOM_MAX_NEIGHBOURS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d adjacency entries",
                          WG_GEOM_MAX_NEIGHBOURS);
  wg_err err = WG_OK;
  int *by_nbr_start = calloc((size_t)n + 1, sizeof(int));
  int *tmp_owner = malloc((m2 ? m2 : 1) * sizeof(int));
  int *tmp_nbr = malloc((m2 ? m2 : 1) * sizeof(int));
  double *tmp_len = malloc((m2 ? m2 : 1) * sizeof(double));
  out->n = n;
  out->adj_start = calloc((size_t)n + 1, sizeof(int));
  out->adj = malloc((m2 ? m2 : 1) * sizeof(int));
  out->shared = with_len ? malloc((m2 ? m2 : 1) * sizeof(double)) : NULL;
  if (!by_nbr_start || !tmp_owner || !tmp_nbr || !tmp_len || !out->adj_start || !out->adj ||
      (with_len && !out->shared)) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for adjacency");
    goto done;
  }
  /* pass 1: directed entries (owner, nbr) bucketed by nbr */
  for (size_t i = 0; i < e->n; ++i) ++by_nbr_start[e->a[i] + 1], ++by_nbr_start[e->b[i] + 1];
  for (int u = 0; u < n; ++u) by_nbr_start[u + 1] += by_nbr_start[u];
  for (size_t i = 0; i < e->n; ++i) {
    int k = by_nbr_start[e->b[i]]++;
    tmp_owner[k] = e->a[i], tmp_nbr[k] = e->b[i], tmp_len[k] = e->len[i];
    k = by_nbr_start[e->a[i]]++;
    tmp_owner[k] = e->b[i], tmp_nbr[k] = e->a[i], tmp_len[k] = e->len[i];
  }
  /* pass 2: by owner, keeping nbr order */
  for (size_t k = 0; k < m2; ++k) ++out->adj_start[tmp_owner[k] + 1];
  for (int u = 0; u < n; ++u) out->adj_start[u + 1] += out->adj_start[u];
  memcpy(by_nbr_start, out->adj_start, ((size_t)n + 1) * sizeof(int)); /* reuse as cursor */
  for (size_t k = 0; k < m2; ++k) {
    int pos = by_nbr_start[tmp_owner[k]]++;
    out->adj[pos] = tmp_nbr[k];
    if (with_len) out->shared[pos] = tmp_len[k];
  }
done:
  free(by_nbr_start);
  free(tmp_owner);
  free(tmp_nbr);
  free(tmp_len);
  if (err) wg_geom_adjacency_free(out);
  return err;
}

/* GEOS takes the sequence even when building the line fails (its
 * constructor owns it before validating), so the sequence is never freed
 * here. */
GEOSGeometry *wg__linestring(wg__geos *g, const double *xy, unsigned k) {
  GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(g->h, xy, k, 0, 0);
  return seq ? GEOSGeom_createLineString_r(g->h, seq) : NULL;
}

/* ------------------------------------------------------- point adjacency */

typedef struct site {
  double x, y;             /* projected */
  int group;
  int unit;
} site;

static int site_cmp(const void *pa, const void *pb) {
  const site *a = pa, *b = pb;
  if (a->group != b->group) return a->group < b->group ? -1 : 1;
  if (a->x != b->x) return a->x < b->x ? -1 : 1;
  if (a->y != b->y) return a->y < b->y ? -1 : 1;
  return (a->unit > b->unit) - (a->unit < b->unit);
}

typedef struct along {
  double t;
  int loc;
} along;

static int along_cmp(const void *pa, const void *pb) {
  const along *a = pa, *b = pb;
  if (a->t != b->t) return a->t < b->t ? -1 : 1;
  return (a->loc > b->loc) - (a->loc < b->loc);
}

static int int_cmp(const void *pa, const void *pb) {
  int a = *(const int *)pa, b = *(const int *)pb;
  return (a > b) - (a < b);
}

/* 1 when the k points lie on one line (within 1e-9 of their extent); then
 * order[] (k entries) gets them sorted along it. k ≥ 2. */
static int collinear_order(const double *x, const double *y, int k, along *order) {
  double dx = 0, dy = 0, best = -1;
  for (int i = 1; i < k; ++i) {
    double d = hypot(x[i] - x[0], y[i] - y[0]);
    if (d > best) best = d, dx = x[i] - x[0], dy = y[i] - y[0];
  }
  if (!(best > 0)) return 0;
  for (int i = 0; i < k; ++i) {
    double cross = dx * (y[i] - y[0]) - dy * (x[i] - x[0]);
    if (fabs(cross) / best > 1e-9 * best) return 0;
  }
  for (int i = 0; i < k; ++i) {
    order[i].t = dx * (x[i] - x[0]) + dy * (y[i] - y[0]);
    order[i].loc = i;
  }
  qsort(order, (size_t)k, sizeof *order, along_cmp);
  return 1;
}

int wg__collinear_order(const double *x, const double *y, int k, int *order_out) {
  along *order = malloc((size_t)k * sizeof *order);
  if (!order) return -1;
  int r = collinear_order(x, y, k, order);
  if (r)
    for (int i = 0; i < k; ++i) order_out[i] = order[i].loc;
  free(order);
  return r;
}

/* Index of location (x, y) among the sorted locations lx/ly[lo, hi), -1 if none. */
static int find_location(const double *lx, const double *ly, int lo, int hi, double x, double y) {
  int end = hi;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (lx[mid] < x || (lx[mid] == x && ly[mid] < y)) lo = mid + 1;
    else hi = mid;
  }
  return (lo < end && lx[lo] == x && ly[lo] == y) ? lo : -1;
}

typedef struct edge_filter {
  wg__geos *g;
  const GEOSPreparedGeometry *barriers; /* NULL = none */
  double bx0, by0, bx1, by1;            /* the barriers' bounding box */
  double max_edge;
  const double *lx, *ly;
} edge_filter;

/* Adds the location edge (a, b) unless it is too long or crosses a barrier. */
static wg_err try_edge(const edge_filter *f, int a, int b, edge_list *edges, wg_errinfo *ei) {
  double len = hypot(f->lx[a] - f->lx[b], f->ly[a] - f->ly[b]);
  if (f->max_edge > 0 && len > f->max_edge) return WG_OK;
  /* edges clear of the barriers' box need no line built to know it */
  if (f->barriers && fmax(f->lx[a], f->lx[b]) >= f->bx0 && fmin(f->lx[a], f->lx[b]) <= f->bx1 &&
      fmax(f->ly[a], f->ly[b]) >= f->by0 && fmin(f->ly[a], f->ly[b]) <= f->by1) {
    double xy[4] = {f->lx[a], f->ly[a], f->lx[b], f->ly[b]};
    GEOSGeometry *line = wg__linestring(f->g, xy, 2);
    if (!line) return wg__geos_fail(f->g, ei, WG_ENOMEM, "cannot build an edge");
    char crosses = GEOSPreparedIntersects_r(f->g->h, f->barriers, line);
    GEOSGeom_destroy_r(f->g->h, line);
    if (crosses == 2) return wg__geos_fail(f->g, ei, WG_EINVAL, "barrier test failed");
    if (crosses) return WG_OK;
  }
  return edge_list_push(edges, a, b, len, ei);
}

/* Delaunay edges among locations [lo, hi) of one group (hi − lo ≥ 3, not
 * collinear). GEOS extracts the vertices of any geometry, so the points go
 * in as one linestring: far cheaper than a multipoint of n objects. */
static wg_err delaunay_edges(const edge_filter *f, int lo, int hi, edge_list *edges,
                             wg_errinfo *ei) {
  wg__geos *g = f->g;
  int k = hi - lo;
  wg_err err = WG_OK;
  GEOSGeometry *line = NULL, *tri = NULL;
  double *xy = malloc((size_t)k * 2 * sizeof *xy);
  if (!xy) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for triangulation");
  for (int i = 0; i < k; ++i) xy[2 * i] = f->lx[lo + i], xy[2 * i + 1] = f->ly[lo + i];
  line = wg__linestring(g, xy, (unsigned)k);
  free(xy);
  if (!line) {
    err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot build the points");
    goto done;
  }
  tri = GEOSDelaunayTriangulation_r(g->h, line, 0.0, 1);
  if (!tri) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "Delaunay triangulation failed");
    goto done;
  }
  int nedges = GEOSGetNumGeometries_r(g->h, tri);
  for (int i = 0; i < nedges && !err; ++i) {
    const GEOSGeometry *e = GEOSGetGeometryN_r(g->h, tri, i);
    const GEOSCoordSequence *es = e ? GEOSGeom_getCoordSeq_r(g->h, e) : NULL;
    double x0, y0, x1, y1;
    if (!es || !GEOSCoordSeq_getXY_r(g->h, es, 0, &x0, &y0) ||
        !GEOSCoordSeq_getXY_r(g->h, es, 1, &x1, &y1)) {
      err = wg__geos_fail(g, ei, WG_EINVAL, "bad triangulation edge");
      break;
    }
    int a = find_location(f->lx, f->ly, lo, hi, x0, y0);
    int b = find_location(f->lx, f->ly, lo, hi, x1, y1);
    if (a < 0 || b < 0 || a == b) {
      err = wg_errinfo_set(ei, WG_EINVAL, "triangulation returned a vertex not among the points");
      break;
    }
    err = try_edge(f, a, b, edges, ei);
  }
done:
  if (tri) GEOSGeom_destroy_r(g->h, tri);
  if (line) GEOSGeom_destroy_r(g->h, line);
  return err;
}

/* The barriers, projected, as one prepared multilinestring. */
static wg_err build_barriers(wg__geos *g, const wg__proj *p, const wg_geom_line *barriers,
                             int nbarriers, GEOSGeometry **geom, const GEOSPreparedGeometry **prep,
                             wg_errinfo *ei) {
  *geom = NULL;
  *prep = NULL;
  wg_err err = WG_OK;
  GEOSGeometry **lines = calloc((size_t)nbarriers, sizeof *lines);
  double *xy = NULL;
  if (!lines) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for barriers");
  for (int i = 0; i < nbarriers && !err; ++i) {
    const wg_geom_line *l = &barriers[i];
    if (l->npoints < 2 || !l->x || !l->y) {
      err = wg_errinfo_set(ei, WG_EINVAL, "barrier %d has fewer than 2 points", i);
      break;
    }
    if (l->npoints > WG_GEOM_MAX_VERTICES) {
      err = wg_errinfo_set(ei, WG_ETOOBIG, "barrier %d has more than %d points", i,
                           WG_GEOM_MAX_VERTICES);
      break;
    }
    free(xy);
    xy = malloc((size_t)l->npoints * 2 * sizeof *xy);
    if (!xy) {
      err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for barriers");
      break;
    }
    for (int j = 0; j < l->npoints && !err; ++j) {
      err = wg__check_xy(l->x[j], l->y[j], p->lonlat, "barrier point", j, ei);
      xy[2 * j] = wg__proj_x(p, l->x[j]);
      xy[2 * j + 1] = wg__proj_y(p, l->y[j]);
    }
    if (err) break;
    lines[i] = wg__linestring(g, xy, (unsigned)l->npoints);
    if (!lines[i]) err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot build a barrier");
  }
  free(xy);
  if (!err) {
    /* GEOS takes the lines once called, even when it then fails */
    *geom = GEOSGeom_createCollection_r(g->h, GEOS_MULTILINESTRING, lines, (unsigned)nbarriers);
    if (!*geom) err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot build the barriers");
  } else {
    for (int i = 0; i < nbarriers; ++i)
      if (lines[i]) GEOSGeom_destroy_r(g->h, lines[i]);
  }
  free(lines);
  if (!err) {
    *prep = GEOSPrepare_r(g->h, *geom);
    if (!*prep) err = wg__geos_fail(g, ei, WG_ENOMEM, "cannot prepare the barriers");
  }
  if (err && *geom) {
    GEOSGeom_destroy_r(g->h, *geom);
    *geom = NULL;
  }
  return err;
}

/* Unit-level CSR from location edges: the units of one location form a
 * clique, and every unit of L neighbours every unit of each neighbour of L. */
static wg_err units_from_locations(int n, int nloc, const int *loc_first, const site *sites,
                                   const edge_list *le, wg_geom_adjacency *out, wg_errinfo *ei) {
  wg_geom_adjacency loc = {0};
  wg_err err = csr_from_edges(nloc, le, 0, &loc, ei);
  if (err) return err;
  long long total = 0;
  for (int l = 0; l < nloc; ++l) {
    long long k = loc_first[l + 1] - loc_first[l], deg = k - 1;
    for (int j = loc.adj_start[l]; j < loc.adj_start[l + 1]; ++j)
      deg += loc_first[loc.adj[j] + 1] - loc_first[loc.adj[j]];
    total += k * deg;
    if (total > WG_GEOM_MAX_NEIGHBOURS) {
      wg_geom_adjacency_free(&loc);
      return wg_errinfo_set(ei, WG_ETOOBIG,
                            "more than %d adjacency entries (many points at one location?)",
                            WG_GEOM_MAX_NEIGHBOURS);
    }
  }
  out->n = n;
  out->adj_start = calloc((size_t)n + 1, sizeof(int));
  out->adj = malloc((size_t)(total ? total : 1) * sizeof(int));
  if (!out->adj_start || !out->adj) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for adjacency");
    goto done;
  }
  for (int l = 0; l < nloc; ++l) {
    int k = loc_first[l + 1] - loc_first[l], deg = k - 1;
    for (int j = loc.adj_start[l]; j < loc.adj_start[l + 1]; ++j)
      deg += loc_first[loc.adj[j] + 1] - loc_first[loc.adj[j]];
    for (int s = loc_first[l]; s < loc_first[l + 1]; ++s) out->adj_start[sites[s].unit + 1] = deg;
  }
  for (int u = 0; u < n; ++u) out->adj_start[u + 1] += out->adj_start[u];
  for (int l = 0; l < nloc; ++l) {
    for (int s = loc_first[l]; s < loc_first[l + 1]; ++s) {
      int u = sites[s].unit, pos = out->adj_start[u];
      for (int t = loc_first[l]; t < loc_first[l + 1]; ++t)
        if (t != s) out->adj[pos++] = sites[t].unit;
      for (int j = loc.adj_start[l]; j < loc.adj_start[l + 1]; ++j)
        for (int t = loc_first[loc.adj[j]]; t < loc_first[loc.adj[j] + 1]; ++t)
          out->adj[pos++] = sites[t].unit;
      if (pos != out->adj_start[u + 1]) {
        err = wg_errinfo_set(ei, WG_EINVAL, "internal error building adjacency");
        goto done;
      }
      qsort(out->adj + out->adj_start[u], (size_t)(pos - out->adj_start[u]), sizeof(int),
            int_cmp);
    }
  }
done:
  wg_geom_adjacency_free(&loc);
  if (err) wg_geom_adjacency_free(out);
  return err;
}

/* Contract in geometry.h. Points are sorted by (group, x, y); equal
 * projected coordinates make one location; each group's locations are
 * triangulated alone (or chained along their line when collinear), and GEOS
 * edge endpoints, exact copies of the input, are mapped back by binary
 * search over the sorted locations. An edge touching a barrier (even at an
 * end point) is dropped. */
wg_err wg_geom_point_adjacency(int n, const double *x, const double *y, int lonlat,
                               const int *group, const wg_geom_line *barriers, int nbarriers,
                               double max_edge, wg_geom_adjacency *out, wg_errinfo *ei) {
  if (!out) return wg_errinfo_set(ei, WG_EINVAL, "no output adjacency");
  memset(out, 0, sizeof *out);
  if (n < 0 || (n > 0 && (!x || !y)) || nbarriers < 0 || (nbarriers > 0 && !barriers))
    return wg_errinfo_set(ei, WG_EINVAL, "bad arguments to point adjacency");
  if (!isfinite(max_edge) || max_edge < 0)
    return wg_errinfo_set(ei, WG_EINVAL, "max_edge must be a finite number ≥ 0");
  if (n > WG_GEOM_MAX_POINTS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d points", WG_GEOM_MAX_POINTS);
  double sx = 0, sy = 0;
  for (int i = 0; i < n; ++i) {
    wg_err err = wg__check_xy(x[i], y[i], lonlat, "point", i, ei);
    if (err) return err;
    sx += x[i], sy += y[i];
  }
  wg__proj p;
  wg__proj_init(&p, lonlat, n ? sx / n : 0, n ? sy / n : 0);

  wg__geos g;
  wg_err err = wg__geos_init(&g, ei);
  if (err) return err;
  site *sites = malloc((size_t)(n ? n : 1) * sizeof *sites);
  int *loc_first = malloc(((size_t)n + 1) * sizeof *loc_first);
  double *lx = malloc((size_t)(n ? n : 1) * sizeof *lx);
  double *ly = malloc((size_t)(n ? n : 1) * sizeof *ly);
  int *lgroup = malloc((size_t)(n ? n : 1) * sizeof *lgroup);
  along *order = malloc((size_t)(n ? n : 1) * sizeof *order);
  edge_list edges = {0};
  GEOSGeometry *bgeom = NULL;
  const GEOSPreparedGeometry *bprep = NULL;
  if (!sites || !loc_first || !lx || !ly || !lgroup || !order) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for %d points", n);
    goto done;
  }
  for (int i = 0; i < n; ++i) {
    sites[i].x = wg__proj_x(&p, x[i]);
    sites[i].y = wg__proj_y(&p, y[i]);
    sites[i].group = group ? group[i] : 0;
    sites[i].unit = i;
  }
  qsort(sites, (size_t)n, sizeof *sites, site_cmp);
  int nloc = 0;
  for (int i = 0; i < n; ++i) {
    if (i == 0 || sites[i].group != sites[i - 1].group || sites[i].x != sites[i - 1].x ||
        sites[i].y != sites[i - 1].y) {
      loc_first[nloc] = i;
      lx[nloc] = sites[i].x, ly[nloc] = sites[i].y, lgroup[nloc] = sites[i].group;
      ++nloc;
    }
  }
  loc_first[nloc] = n;
  if (nbarriers > 0) {
    err = build_barriers(&g, &p, barriers, nbarriers, &bgeom, &bprep, ei);
    if (err) goto done;
  }
  edge_filter f = {&g, bprep, 0, 0, 0, 0, max_edge, lx, ly};
  if (bgeom && !wg__geom_centre(&g, bgeom, NULL, NULL, &f.bx0, &f.by0, &f.bx1, &f.by1)) {
    err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot measure the barriers");
    goto done;
  }
  for (int lo = 0; lo < nloc && !err;) {
    int hi = lo + 1;
    while (hi < nloc && lgroup[hi] == lgroup[lo]) ++hi;
    int k = hi - lo;
    if (k >= 2 && collinear_order(lx + lo, ly + lo, k, order)) {
      for (int i = 0; i + 1 < k && !err; ++i)
        err = try_edge(&f, lo + order[i].loc, lo + order[i + 1].loc, &edges, ei);
    } else if (k >= 3) {
      err = delaunay_edges(&f, lo, hi, &edges, ei);
    }
    lo = hi;
  }
  if (!err) err = units_from_locations(n, nloc, loc_first, sites, &edges, out, ei);
done:
  if (bprep) GEOSPreparedGeom_destroy_r(g.h, bprep);
  if (bgeom) GEOSGeom_destroy_r(g.h, bgeom);
  edge_list_free(&edges);
  free(sites);
  free(loc_first);
  free(lx);
  free(ly);
  free(lgroup);
  free(order);
  wg__geos_finish(&g);
  if (err) wg_geom_adjacency_free(out);
  return err;
}

/* ----------------------------------------------------- polygon adjacency */

/* Reads n polygon WKBs, checks lon/lat ranges, and chooses the projection:
 * origin at the mean of the non-empty polygons' bounding-box centres. geoms
 * (n entries, owned by the caller, NULL-initialised) get the projected
 * geometries. what names the input in messages. */
static wg_err read_projected(wg__geos *g, int n, const unsigned char *const *wkb,
                             const size_t *wkb_len, int lonlat, const char *what,
                             GEOSGeometry **geoms, wg__proj *p, wg_errinfo *ei) {
  double sx = 0, sy = 0;
  long nonempty = 0, total_vertices = 0;
  for (int i = 0; i < n; ++i) {
    wg_err err = wg__wkb_read(g, wkb[i], wkb_len[i], &geoms[i], ei);
    if (err) {
      if (ei) {
        char why[sizeof ei->why];
        snprintf(why, sizeof why, "%s", ei->why);
        wg_errinfo_set(ei, err, "%s %d: %s", what, i, why);
      }
      return err;
    }
    total_vertices += GEOSGetNumCoordinates_r(g->h, geoms[i]);
    if (total_vertices > MAX_TOTAL_VERTICES)
      return wg_errinfo_set(ei, WG_ETOOBIG, "%ss have more than %ld vertices in all", what,
                            MAX_TOTAL_VERTICES);
    if (GEOSisEmpty_r(g->h, geoms[i])) continue;
    double cx, cy, x0, y0, x1, y1;
    if (!wg__geom_centre(g, geoms[i], &cx, &cy, &x0, &y0, &x1, &y1))
      return wg__geos_fail(g, ei, WG_EINVAL, "cannot measure a polygon");
    if (lonlat) {
      wg_err e1 = wg__check_xy(x0, y0, lonlat, what, i, ei);
      if (e1) return e1;
      e1 = wg__check_xy(x1, y1, lonlat, what, i, ei);
      if (e1) return e1;
    }
    sx += cx, sy += cy, ++nonempty;
  }
  wg__proj_init(p, lonlat, nonempty ? sx / nonempty : 0, nonempty ? sy / nonempty : 0);
  for (int i = 0; i < n && p->lonlat; ++i) {
    GEOSGeometry *q = wg__proj_geom(g, p, geoms[i], 0);
    if (!q) return wg__geos_fail(g, ei, WG_ENOMEM, "cannot project a polygon");
    GEOSGeom_destroy_r(g->h, geoms[i]);
    geoms[i] = q;
  }
  return WG_OK;
}

typedef struct candidates {
  int *items;
  size_t n, cap;
  int self;                /* only items > self are kept */
  int oom;
} candidates;

static void collect_candidate(void *item, void *userdata) {
  candidates *c = userdata;
  int j = *(const int *)item;
  if (j <= c->self || c->oom) return;
  if (c->n == c->cap) {
    size_t ncap = c->cap ? 2 * c->cap : 64;
    int *ni = realloc(c->items, ncap * sizeof *ni);
    if (!ni) {
      c->oom = 1;
      return;
    }
    c->items = ni, c->cap = ncap;
  }
  c->items[c->n++] = j;
}

/* Length of the boundary two polygons share (boundaries a, b with boxes
 * ba, bb: minx, miny, maxx, maxy), 0 when at most SHARED_MIN_M. Only the
 * parts inside the boxes' common area (grown by the snap distance) can be
 * shared, so the boundaries are cut to it first: long boundaries then cost
 * little, and polygons touching at a corner are done when a cut part is
 * too short to share enough. The exact intersection comes next (enough
 * when the polygons store their common vertices identically); snap
 * rounding, far slower in GEOS 3.11 (it seeds a random generator per
 * call), only when that finds too little. */
static wg_err shared_length(wg__geos *g, const GEOSGeometry *a, const double *ba,
                            const GEOSGeometry *b, const double *bb, double *len,
                            wg_errinfo *ei) {
  double x0 = fmax(ba[0], bb[0]) - SNAP_GRID_M, y0 = fmax(ba[1], bb[1]) - SNAP_GRID_M;
  double x1 = fmin(ba[2], bb[2]) + SNAP_GRID_M, y1 = fmin(ba[3], bb[3]) + SNAP_GRID_M;
  *len = 0;
  double la = 0, lb = 0, exact = 0, snapped = 0;
  GEOSGeometry *ca = GEOSClipByRect_r(g->h, a, x0, y0, x1, y1);
  GEOSGeometry *cb = ca ? GEOSClipByRect_r(g->h, b, x0, y0, x1, y1) : NULL;
  GEOSGeometry *common = NULL;
  wg_err err = WG_OK;
  if (!cb || !GEOSLength_r(g->h, ca, &la) || !GEOSLength_r(g->h, cb, &lb)) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "cannot cut two boundaries");
    goto done;
  }
  if (la <= SHARED_MIN_M || lb <= SHARED_MIN_M) goto done;
  common = GEOSIntersection_r(g->h, ca, cb);
  if (!common || !GEOSLength_r(g->h, common, &exact)) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "cannot intersect two boundaries");
    goto done;
  }
  if (exact > SHARED_MIN_M) {
    *len = exact;
    goto done;
  }
  char near = GEOSDistanceWithin_r(g->h, ca, cb, SNAP_GRID_M);
  if (near == 2) err = wg__geos_fail(g, ei, WG_EINVAL, "cannot measure two boundaries");
  if (near != 1) goto done;
  GEOSGeom_destroy_r(g->h, common);
  common = GEOSIntersectionPrec_r(g->h, ca, cb, SNAP_GRID_M);
  if (!common || !GEOSLength_r(g->h, common, &snapped)) {
    err = wg__geos_fail(g, ei, WG_EINVAL, "cannot intersect two boundaries");
    goto done;
  }
  if (snapped > SHARED_MIN_M) *len = snapped;
done:
  if (common) GEOSGeom_destroy_r(g->h, common);
  if (cb) GEOSGeom_destroy_r(g->h, cb);
  if (ca) GEOSGeom_destroy_r(g->h, ca);
  return err;
}

/* Contract in geometry.h. Candidates come from an STR-tree of envelopes;
 * a pair is adjacent when the intersection of the two boundaries, computed
 * with snap rounding to a 1 mm grid when need be, is longer than 1 cm
 * (corners and crossings have length 0). The grid makes edges that two polygons share
 * but store a few ulps apart (vertices computed separately, re-projected)
 * coincide; wider slivers between non-matching edges still separate. */
wg_err wg_geom_polygon_adjacency(int n, const unsigned char *const *wkb, const size_t *wkb_len,
                                 int lonlat, wg_geom_adjacency *out, wg_errinfo *ei) {
  if (!out) return wg_errinfo_set(ei, WG_EINVAL, "no output adjacency");
  memset(out, 0, sizeof *out);
  if (n < 0 || (n > 0 && (!wkb || !wkb_len)))
    return wg_errinfo_set(ei, WG_EINVAL, "bad arguments to polygon adjacency");
  if (n > WG_GEOM_MAX_POINTS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d polygons", WG_GEOM_MAX_POINTS);
  wg__geos g;
  wg_err err = wg__geos_init(&g, ei);
  if (err) return err;
  GEOSGeometry **geoms = calloc((size_t)(n ? n : 1), sizeof *geoms);
  GEOSGeometry **bounds = calloc((size_t)(n ? n : 1), sizeof *bounds);
  int *ids = malloc((size_t)(n ? n : 1) * sizeof *ids);
  double *box = malloc((size_t)(n ? n : 1) * 4 * sizeof *box); /* minx miny maxx maxy */
  GEOSSTRtree *tree = NULL;
  candidates cand = {0};
  edge_list edges = {0};
  GEOSGeometry *probe = NULL;
  if (!geoms || !bounds || !ids || !box) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for %d polygons", n);
    goto done;
  }
  wg__proj p;
  err = read_projected(&g, n, wkb, wkb_len, lonlat, "polygon", geoms, &p, ei);
  if (err) goto done;
  tree = GEOSSTRtree_create_r(g.h, 10);
  if (!tree) {
    err = wg__geos_fail(&g, ei, WG_ENOMEM, "cannot create a spatial index");
    goto done;
  }
  for (int i = 0; i < n; ++i) {
    ids[i] = i;
    if (GEOSisEmpty_r(g.h, geoms[i])) continue;
    GEOSSTRtree_insert_r(g.h, tree, geoms[i], &ids[i]);
    bounds[i] = GEOSBoundary_r(g.h, geoms[i]);
    if (!bounds[i] || !wg__geom_centre(&g, geoms[i], NULL, NULL, &box[4 * i], &box[4 * i + 1],
                                       &box[4 * i + 2], &box[4 * i + 3])) {
      err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot take a polygon's boundary");
      goto done;
    }
  }
  for (int i = 0; i < n && !err; ++i) {
    if (!bounds[i]) continue;
    cand.n = 0, cand.self = i;
    /* the box grown by the snap distance: a line along its diagonal */
    const double *bi = &box[4 * i];
    double diag[4] = {bi[0] - SNAP_GRID_M, bi[1] - SNAP_GRID_M, bi[2] + SNAP_GRID_M,
                      bi[3] + SNAP_GRID_M};
    probe = wg__linestring(&g, diag, 2);
    if (!probe) {
      err = wg__geos_fail(&g, ei, WG_ENOMEM, "cannot build a query");
      break;
    }
    GEOSSTRtree_query_r(g.h, tree, probe, collect_candidate, &cand);
    GEOSGeom_destroy_r(g.h, probe);
    probe = NULL;
    if (cand.oom) {
      err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for candidates");
      break;
    }
    for (size_t c = 0; c < cand.n && !err; ++c) {
      int j = cand.items[c];
      double len = 0;
      err = shared_length(&g, bounds[i], bi, bounds[j], &box[4 * j], &len, ei);
      if (!err && len > 0) err = edge_list_push(&edges, i, j, len, ei);
    }
  }
  if (!err) err = csr_from_edges(n, &edges, 1, out, ei);
done:
  if (probe) GEOSGeom_destroy_r(g.h, probe);
  if (tree) GEOSSTRtree_destroy_r(g.h, tree);
  for (int i = 0; geoms && i < n; ++i) {
    if (geoms[i]) GEOSGeom_destroy_r(g.h, geoms[i]);
    if (bounds && bounds[i]) GEOSGeom_destroy_r(g.h, bounds[i]);
  }
  free(geoms);
  free(bounds);
  free(ids);
  free(box);
  free(cand.items);
  edge_list_free(&edges);
  wg__geos_finish(&g);
  if (err) wg_geom_adjacency_free(out);
  return err;
}

/* --------------------------------------------------------------- coverage */

void wg_geom_poly_free(wg_geom_poly *p) {
  if (!p) return;
  free(p->wkb);
  memset(p, 0, sizeof *p);
}

/* Contract in geometry.h. All inputs share one projection (origin at the
 * mean of their bounding-box centres). gap is the area of the part of
 * `area` that no polygon covers; overlap is Σ areas − area(union); both are
 * clamped at 0 (rounding can make them −1e-9). Polygons with no WKB count
 * as empty. */
wg_err wg_geom_coverage(int npolys, const wg_geom_poly *polys, const unsigned char *area,
                        size_t area_len, int lonlat, double *gap, double *overlap,
                        wg_errinfo *ei) {
  if (npolys < 0 || (npolys > 0 && !polys) || !gap || !overlap)
    return wg_errinfo_set(ei, WG_EINVAL, "bad arguments to coverage");
  if (npolys > WG_GEOM_MAX_POINTS)
    return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d polygons", WG_GEOM_MAX_POINTS);
  *gap = *overlap = 0;
  int ngeoms = npolys + (area ? 1 : 0);
  const unsigned char **wkbs = malloc((size_t)(ngeoms ? ngeoms : 1) * sizeof *wkbs);
  size_t *lens = malloc((size_t)(ngeoms ? ngeoms : 1) * sizeof *lens);
  GEOSGeometry **geoms = calloc((size_t)(ngeoms ? ngeoms : 1), sizeof *geoms);
  GEOSGeometry *coll = NULL, *uni = NULL, *rest = NULL;
  wg__geos g;
  wg_err err = wg__geos_init(&g, ei);
  if (err) {
    free(wkbs), free(lens), free(geoms);
    return err;
  }
  if (!wkbs || !lens || !geoms) {
    err = wg_errinfo_set(ei, WG_ENOMEM, "out of memory for coverage");
    goto done;
  }
  /* empty polygons stand in for missing WKB: one POLYGON EMPTY, 9 bytes */
  static const unsigned char empty_wkb[9] = {1, 3, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < npolys; ++i) {
    int have = polys[i].wkb && polys[i].wkb_len;
    wkbs[i] = have ? polys[i].wkb : empty_wkb;
    lens[i] = have ? polys[i].wkb_len : sizeof empty_wkb;
  }
  if (area) wkbs[npolys] = area, lens[npolys] = area_len;
  wg__proj p;
  err = read_projected(&g, ngeoms, wkbs, lens, lonlat, "polygon", geoms, &p, ei);
  if (err) goto done;
  /* hand-drawn plans may hold self-intersecting polygons: overlay needs
   * valid input, and the repaired shape is what such a polygon means */
  for (int i = 0; i < ngeoms; ++i) {
    geoms[i] = wg__make_valid(&g, geoms[i]);
    if (!geoms[i]) {
      err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot repair an invalid polygon");
      goto done;
    }
  }
  double sum = 0, uarea = 0, a;
  for (int i = 0; i < npolys; ++i) {
    if (!GEOSArea_r(g.h, geoms[i], &a)) {
      err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot measure a polygon");
      goto done;
    }
    sum += a;
  }
  /* GEOS takes the polygons once called, even when it then fails */
  coll = GEOSGeom_createCollection_r(g.h, GEOS_GEOMETRYCOLLECTION, geoms, (unsigned)npolys);
  for (int i = 0; i < npolys; ++i) geoms[i] = NULL;
  if (!coll) {
    err = wg__geos_fail(&g, ei, WG_ENOMEM, "cannot collect the polygons");
    goto done;
  }
  uni = GEOSUnaryUnion_r(g.h, coll);
  if (!uni || !GEOSArea_r(g.h, uni, &uarea)) {
    err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot union the polygons");
    goto done;
  }
  if (area) {
    rest = GEOSDifference_r(g.h, geoms[npolys], uni);
    if (!rest || !GEOSArea_r(g.h, rest, &a)) {
      err = wg__geos_fail(&g, ei, WG_EINVAL, "cannot subtract the polygons from the area");
      goto done;
    }
    *gap = a > 0 ? a : 0;
  }
  *overlap = sum - uarea > 0 ? sum - uarea : 0;
done:
  if (rest) GEOSGeom_destroy_r(g.h, rest);
  if (uni) GEOSGeom_destroy_r(g.h, uni);
  if (coll) GEOSGeom_destroy_r(g.h, coll);
  for (int i = 0; geoms && i < ngeoms; ++i)
    if (geoms[i]) GEOSGeom_destroy_r(g.h, geoms[i]);
  free(wkbs);
  free(lens);
  free(geoms);
  wg__geos_finish(&g);
  return err;
}

/* --------------------------------------------------------------- contains */

/* Contract in geometry.h; 0 also for malformed WKB or a non-finite point.
 * Coordinates are compared as given (no projection is needed to decide
 * containment). A point within 1e-9 coordinate units of the polygon (0.1 mm
 * in degrees, 1 nm in metres) counts as on its boundary: un-projecting grid
 * polygons moves their vertices by an ulp or so, and a unit's location on a
 * grid's corner must not fall out of it. */
int wg_geom_contains(const unsigned char *wkb, size_t wkb_len, double x, double y) {
  if (!isfinite(x) || !isfinite(y)) return 0;
  wg__geos g;
  if (wg__geos_init(&g, NULL)) return 0;
  GEOSGeometry *poly = NULL, *pt = NULL;
  int inside = 0;
  if (wg__wkb_read(&g, wkb, wkb_len, &poly, NULL) == WG_OK) {
    pt = GEOSGeom_createPointFromXY_r(g.h, x, y);
    if (pt) inside = GEOSIntersects_r(g.h, poly, pt) == 1;
    double d;
    if (pt && !inside && GEOSisEmpty_r(g.h, poly) == 0 && GEOSDistance_r(g.h, poly, pt, &d) == 1)
      inside = d <= 1e-9;
  }
  if (pt) GEOSGeom_destroy_r(g.h, pt);
  if (poly) GEOSGeom_destroy_r(g.h, poly);
  wg__geos_finish(&g);
  return inside;
}

/* ---------------------------------------------------------------- GeoJSON */

typedef struct text_buf {
  char *p;
  size_t len, cap;
  wg_err err;              /* first failure: WG_ENOMEM or WG_ETOOBIG */
} text_buf;

static void tb_put(text_buf *b, const char *s, size_t n) {
  if (b->err) return;
  if (b->len + n + 1 > b->cap) {
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + n + 1) ncap *= 2;
    if (ncap > MAX_GEOJSON_BYTES) {
      b->err = WG_ETOOBIG;
      return;
    }
    char *np = realloc(b->p, ncap);
    if (!np) {
      b->err = WG_ENOMEM;
      return;
    }
    b->p = np, b->cap = ncap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void tb_str(text_buf *b, const char *s) { tb_put(b, s, strlen(s)); }

static void tb_num(text_buf *b, double v, int decimals) {
  char tmp[400]; /* %.17f of ±1.8e308 needs 327 */
  int w = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
  if (w < 0 || (size_t)w >= sizeof tmp) {
    if (!b->err) b->err = WG_ETOOBIG;
    return;
  }
  tb_put(b, tmp, (size_t)w);
}

/* One ring as [[x,y],…]; reversed when its orientation is not the one
 * RFC 7946 asks for (exterior counter-clockwise, holes clockwise). */
static wg_err ring_json(wg__geos *g, const GEOSGeometry *ring, int exterior, int decimals,
                        text_buf *b, wg_errinfo *ei) {
  const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(g->h, ring);
  unsigned int size = 0;
  char ccw = 0;
  if (!seq || !GEOSCoordSeq_getSize_r(g->h, seq, &size) ||
      (size >= 4 && !GEOSCoordSeq_isCCW_r(g->h, seq, &ccw)))
    return wg__geos_fail(g, ei, WG_EFORMAT, "bad polygon ring");
  int reverse = size >= 4 && (exterior ? !ccw : ccw);
  tb_str(b, "[");
  for (unsigned int i = 0; i < size; ++i) {
    double x, y;
    if (!GEOSCoordSeq_getXY_r(g->h, seq, reverse ? size - 1 - i : i, &x, &y))
      return wg__geos_fail(g, ei, WG_EFORMAT, "bad polygon ring");
    tb_str(b, i ? ",[" : "[");
    tb_num(b, x, decimals);
    tb_str(b, ",");
    tb_num(b, y, decimals);
    tb_str(b, "]");
  }
  tb_str(b, "]");
  return WG_OK;
}

static wg_err polygon_json(wg__geos *g, const GEOSGeometry *poly, int decimals, text_buf *b,
                           wg_errinfo *ei) {
  tb_str(b, "[");
  if (!GEOSisEmpty_r(g->h, poly)) {
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(g->h, poly);
    int nholes = GEOSGetNumInteriorRings_r(g->h, poly);
    if (!shell || nholes < 0) return wg__geos_fail(g, ei, WG_EFORMAT, "bad polygon");
    wg_err err = ring_json(g, shell, 1, decimals, b, ei);
    for (int i = 0; i < nholes && !err; ++i) {
      tb_str(b, ",");
      const GEOSGeometry *hole = GEOSGetInteriorRingN_r(g->h, poly, i);
      err = hole ? ring_json(g, hole, 0, decimals, b, ei)
                 : wg__geos_fail(g, ei, WG_EFORMAT, "bad polygon hole");
    }
    if (err) return err;
  }
  tb_str(b, "]");
  return WG_OK;
}

/* Contract in geometry.h. decimals 0..17. A MultiPolygon WKB gives a
 * "MultiPolygon" object; an empty polygon {"type":"Polygon","coordinates":[]}.
 * Numbers are printed with "%.*f", so the C locale's decimal point is
 * assumed (wangge never calls setlocale for LC_NUMERIC). *out is freed with
 * free(). Errors: WG_EINVAL (decimals, NULL out), WG_EFORMAT (WKB),
 * WG_ETOOBIG (caps), WG_ENOMEM. */
wg_err wg_geom_to_geojson(const unsigned char *wkb, size_t wkb_len, int decimals, char **out,
                          wg_errinfo *ei) {
  if (!out) return wg_errinfo_set(ei, WG_EINVAL, "no output string");
  *out = NULL;
  if (decimals < 0 || decimals > 17)
    return wg_errinfo_set(ei, WG_EINVAL, "decimals %d is not within 0..17", decimals);
  wg__geos g;
  wg_err err = wg__geos_init(&g, ei);
  if (err) return err;
  GEOSGeometry *geom = NULL;
  text_buf b = {0};
  err = wg__wkb_read(&g, wkb, wkb_len, &geom, ei);
  if (err) goto done;
  int type = GEOSGeomTypeId_r(g.h, geom);
  if (type == GEOS_POLYGON) {
    tb_str(&b, "{\"type\":\"Polygon\",\"coordinates\":");
    err = polygon_json(&g, geom, decimals, &b, ei);
  } else {
    tb_str(&b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
    int nparts = GEOSGetNumGeometries_r(g.h, geom);
    for (int i = 0; i < nparts && !err; ++i) {
      if (i) tb_str(&b, ",");
      const GEOSGeometry *part = GEOSGetGeometryN_r(g.h, geom, i);
      err = part ? polygon_json(&g, part, decimals, &b, ei)
                 : wg__geos_fail(&g, ei, WG_EFORMAT, "bad multipolygon");
    }
    tb_str(&b, "]");
  }
  tb_str(&b, "}");
  if (!err && b.err)
    err = wg_errinfo_set(ei, b.err, b.err == WG_ETOOBIG ? "GeoJSON text over its cap"
                                                         : "out of memory for GeoJSON");
done:
  if (geom) GEOSGeom_destroy_r(g.h, geom);
  wg__geos_finish(&g);
  if (err) free(b.p);
  else *out = b.p;
  return err;
}
