/* features.c — the common feature layer: building it (for the readers),
 * looking values up, CRS conversion, WKB writing and walking. */
#include "io/features.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/features_int.h"
#include "io/geojson.h"
#include "io/shapefile.h"

wg_features_opts wg__features_opts(const wg_features_opts *o) {
  wg_features_opts r = o ? *o : (wg_features_opts){0};
  if (!r.max_bytes) r.max_bytes = WG__FEAT_MAX_BYTES;
  if (r.max_features <= 0) r.max_features = WG__FEAT_MAX_FEATURES;
  if (r.max_vertices <= 0) r.max_vertices = WG__FEAT_MAX_VERTICES;
  if (r.max_depth <= 0) r.max_depth = WG__FEAT_MAX_DEPTH;
  if (r.max_fields <= 0) r.max_fields = WG__FEAT_MAX_FIELDS;
  if (!r.max_value) r.max_value = WG__FEAT_MAX_VALUE;
  return r;
}

/* ---- polygons ---------------------------------------------------------- */

void wg__polyb_reset(wg__polyb *pb) {
  pb->npts = 0;
  pb->nrings = 0;
  pb->nparts = 0;
}

void wg__polyb_free(wg__polyb *pb) {
  if (!pb) return;
  free(pb->xy);
  free(pb->ring_start);
  free(pb->ring_part);
  memset(pb, 0, sizeof *pb);
}

wg_err wg__polyb_ring(wg__polyb *pb, int part, const double *xy, long npoints) {
  if (npoints < 0 || part < 0) return WG_EINVAL;
  int close = npoints > 0 && (xy[0] != xy[2 * (npoints - 1)] ||
                              xy[1] != xy[2 * (npoints - 1) + 1]);
  long need = pb->npts + npoints + close;
  if (need > pb->cappts) {
    long cap = pb->cappts ? pb->cappts : 64;
    while (cap < need) cap *= 2;
    double *nx = realloc(pb->xy, (size_t)cap * 2 * sizeof(double));
    if (!nx) return WG_ENOMEM;
    pb->xy = nx;
    pb->cappts = cap;
  }
  if (pb->nrings + 2 > pb->caprings) {
    int cap = pb->caprings ? pb->caprings * 2 : 8;
    long *ns = realloc(pb->ring_start, (size_t)(cap + 1) * sizeof(long));
    if (!ns) return WG_ENOMEM;
    pb->ring_start = ns;
    int *np = realloc(pb->ring_part, (size_t)cap * sizeof(int));
    if (!np) return WG_ENOMEM;
    pb->ring_part = np;
    pb->caprings = cap;
  }
  if (pb->nrings == 0) pb->ring_start[0] = 0;
  if (npoints) memcpy(pb->xy + 2 * pb->npts, xy, (size_t)npoints * 2 * sizeof(double));
  pb->npts += npoints;
  if (close) {
    pb->xy[2 * pb->npts] = xy[0];
    pb->xy[2 * pb->npts + 1] = xy[1];
    pb->npts++;
  }
  pb->ring_part[pb->nrings] = part;
  pb->nrings++;
  pb->ring_start[pb->nrings] = pb->npts;
  if (part + 1 > pb->nparts) pb->nparts = part + 1;
  return WG_OK;
}

double wg__ring_area(const double *xy, long npoints) {
  double a = 0;
  for (long i = 0; i + 1 < npoints; i++)
    a += xy[2 * i] * xy[2 * i + 3] - xy[2 * i + 2] * xy[2 * i + 1];
  return a / 2;
}

static unsigned char *put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) *p++ = (unsigned char)(v >> (8 * i));
  return p;
}

static unsigned char *put_f64(unsigned char *p, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  for (int i = 0; i < 8; i++) *p++ = (unsigned char)(v >> (8 * i));
  return p;
}

wg_err wg__polyb_wkb(const wg__polyb *pb, unsigned char **wkb, size_t *len, double *cx,
                     double *cy) {
  *wkb = NULL;
  *len = 0;
  int multi = pb->nparts > 1;
  size_t size = multi ? 9 : 0;
  for (int p = 0; p < pb->nparts; p++) size += 9;
  size += (size_t)pb->nrings * 4 + (size_t)pb->npts * 16;
  unsigned char *buf = malloc(size ? size : 1), *q = buf;
  if (!buf) return WG_ENOMEM;
  if (multi) {
    *q++ = 1;
    q = put_u32(q, 6);
    q = put_u32(q, (uint32_t)pb->nparts);
  }
  double sa = 0, sx = 0, sy = 0, mx = 0, my = 0;
  for (int p = 0; p < pb->nparts; p++) {
    int rings = 0;
    for (int r = 0; r < pb->nrings; r++) rings += pb->ring_part[r] == p;
    *q++ = 1;
    q = put_u32(q, 3);
    q = put_u32(q, (uint32_t)rings);
    int first = 1;
    for (int r = 0; r < pb->nrings; r++) {
      if (pb->ring_part[r] != p) continue;
      const double *xy = pb->xy + 2 * pb->ring_start[r];
      long np = pb->ring_start[r + 1] - pb->ring_start[r];
      q = put_u32(q, (uint32_t)np);
      /* centroid relative to the ring's first vertex keeps precision */
      double ox = np ? xy[0] : 0, oy = np ? xy[1] : 0, a = 0, rx = 0, ry = 0;
      for (long i = 0; i < np; i++) {
        q = put_f64(q, xy[2 * i]);
        q = put_f64(q, xy[2 * i + 1]);
        mx += xy[2 * i];
        my += xy[2 * i + 1];
        if (i + 1 < np) {
          double x0 = xy[2 * i] - ox, y0 = xy[2 * i + 1] - oy;
          double x1 = xy[2 * i + 2] - ox, y1 = xy[2 * i + 3] - oy;
          double c = x0 * y1 - x1 * y0;
          a += c;
          rx += (x0 + x1) * c;
          ry += (y0 + y1) * c;
        }
      }
      if (a != 0) {
        /* exterior adds, holes subtract, whatever their orientation */
        double w = fabs(a / 2) * (first ? 1 : -1);
        sa += w;
        sx += w * (ox + rx / (3 * a));
        sy += w * (oy + ry / (3 * a));
      }
      first = 0;
    }
  }
  if (sa > 0) {
    *cx = sx / sa;
    *cy = sy / sa;
  } else {
    *cx = pb->npts ? mx / (double)pb->npts : 0;
    *cy = pb->npts ? my / (double)pb->npts : 0;
  }
  *wkb = buf;
  *len = (size_t)(q - buf);
  return WG_OK;
}

/* ---- WKB walking ------------------------------------------------------- */

typedef struct wkb_cur {
  const unsigned char *p, *end;
} wkb_cur;

static int get_u32(wkb_cur *c, int le, uint32_t *v) {
  if (c->end - c->p < 4) return -1;
  uint32_t r = 0;
  for (int i = 0; i < 4; i++) r |= (uint32_t)c->p[le ? i : 3 - i] << (8 * i);
  c->p += 4;
  *v = r;
  return 0;
}

static int get_f64(wkb_cur *c, int le, double *d) {
  if (c->end - c->p < 8) return -1;
  uint64_t r = 0;
  for (int i = 0; i < 8; i++) r |= (uint64_t)c->p[le ? i : 7 - i] << (8 * i);
  c->p += 8;
  memcpy(d, &r, 8);
  return 0;
}

static int walk_polygon(wkb_cur *c, int part, double **scratch, long *cap, wg_wkb_ring_fn fn,
                        void *ctx) {
  if (c->p >= c->end) return -1;
  int le = *c->p++ == 1;
  uint32_t type, nrings;
  if (get_u32(c, le, &type) || type != 3 || get_u32(c, le, &nrings)) return -1;
  if (nrings > (size_t)(c->end - c->p) / 4) return -1;
  for (uint32_t r = 0; r < nrings; r++) {
    uint32_t np;
    if (get_u32(c, le, &np) || np > (size_t)(c->end - c->p) / 16) return -1;
    if ((long)np > *cap) {
      double *n = realloc(*scratch, ((size_t)np + 1) * 2 * sizeof(double));
      if (!n) return -1;
      *scratch = n;
      *cap = (long)np;
    }
    for (uint32_t i = 0; i < np; i++)
      if (get_f64(c, le, &(*scratch)[2 * i]) || get_f64(c, le, &(*scratch)[2 * i + 1]))
        return -1;
    if (fn(ctx, part, (int)r, (int)np, *scratch)) return -1;
  }
  return 0;
}

wg_err wg_wkb_rings(const unsigned char *wkb, size_t len, wg_wkb_ring_fn fn, void *ctx) {
  wkb_cur c = {wkb, wkb + len};
  double *scratch = NULL;
  long cap = 0;
  int bad = 0;
  if (len < 9) return WG_EFORMAT;
  int le = wkb[0] == 1;
  uint32_t type;
  wkb_cur peek = {wkb + 1, wkb + len};
  if (get_u32(&peek, le, &type)) return WG_EFORMAT;
  if (type == 3) {
    bad = walk_polygon(&c, 0, &scratch, &cap, fn, ctx);
  } else if (type == 6) {
    uint32_t nparts;
    c.p = peek.p;
    if (get_u32(&c, le, &nparts) || nparts > len / 9) {
      bad = 1;
    } else {
      for (uint32_t p = 0; p < nparts && !bad; p++)
        bad = walk_polygon(&c, (int)p, &scratch, &cap, fn, ctx);
    }
  } else {
    bad = 1;
  }
  free(scratch);
  return bad ? WG_EFORMAT : WG_OK;
}

/* ---- the layer --------------------------------------------------------- */

wg_err wg__features_init(wg_features_t *f, const char *format, char *const *fields,
                         int nfields) {
  memset(f, 0, sizeof *f);
  f->format = format;
  f->lonlat = 1;
  if (nfields) {
    f->fields = calloc((size_t)nfields, sizeof(char *));
    if (!f->fields) return WG_ENOMEM;
    for (int i = 0; i < nfields; i++) {
      f->fields[i] = strdup(fields[i]);
      if (!f->fields[i]) return WG_ENOMEM;
      f->nfields = i + 1;
    }
  }
  return WG_OK;
}

/* Capacity is kept in a hidden slot: the arrays grow by doubling n. */
static int grow_needed(int n) { return n == 0 || (n & (n - 1)) == 0; }

wg_err wg__features_add(wg_features_t *f, wg_feature_kind kind, double x, double y,
                        unsigned char *wkb, size_t wkb_len) {
  int n = f->n;
  if (grow_needed(n)) {
    size_t cap = n ? (size_t)n * 2 : 1;
    double *nx = realloc(f->x, cap * sizeof(double));
    if (nx) f->x = nx;
    double *ny = realloc(f->y, cap * sizeof(double));
    if (ny) f->y = ny;
    unsigned char **nw = realloc(f->wkb, cap * sizeof(unsigned char *));
    if (nw) f->wkb = nw;
    size_t *nl = realloc(f->wkb_len, cap * sizeof(size_t));
    if (nl) f->wkb_len = nl;
    char **nv = f->nfields ? realloc(f->values, cap * (size_t)f->nfields * sizeof(char *))
                           : f->values;
    if (nv) f->values = nv;
    unsigned char *nt = f->nfields ? realloc(f->types, cap * (size_t)f->nfields) : f->types;
    if (nt) f->types = nt;
    if (!nx || !ny || !nw || !nl || (f->nfields && (!nv || !nt))) {
      free(wkb);
      return WG_ENOMEM;
    }
  }
  f->x[n] = x;
  f->y[n] = y;
  f->wkb[n] = wkb;
  f->wkb_len[n] = wkb_len;
  for (int k = 0; k < f->nfields; k++) {
    f->values[(size_t)n * (size_t)f->nfields + (size_t)k] = NULL;
    f->types[(size_t)n * (size_t)f->nfields + (size_t)k] = WG_VALUE_NULL;
  }
  f->n = n + 1;
  if (f->kind == WG_FEATURE_NONE) f->kind = kind;
  if (!(fabs(x) <= 180 && fabs(y) <= 90)) f->lonlat = 0;
  return WG_OK;
}

wg_err wg__features_set(wg_features_t *f, int field, wg_value_type type, const char *text,
                        size_t len) {
  if (f->n == 0 || field < 0 || field >= f->nfields) return WG_EINVAL;
  size_t at = (size_t)(f->n - 1) * (size_t)f->nfields + (size_t)field;
  free(f->values[at]);
  f->values[at] = NULL;
  f->types[at] = WG_VALUE_NULL;
  if (type == WG_VALUE_NULL) return WG_OK;
  char *v = malloc(len + 1);
  if (!v) return WG_ENOMEM;
  memcpy(v, text, len);
  v[len] = '\0';
  f->values[at] = v;
  f->types[at] = (unsigned char)type;
  return WG_OK;
}

void wg_features_free(wg_features_t *f) {
  if (!f) return;
  if (f->wkb)
    for (int i = 0; i < f->n; i++) free(f->wkb[i]);
  if (f->values)
    for (size_t i = 0; i < (size_t)f->n * (size_t)f->nfields; i++) free(f->values[i]);
  if (f->fields)
    for (int i = 0; i < f->nfields; i++) free(f->fields[i]);
  free(f->x);
  free(f->y);
  free(f->wkb);
  free(f->wkb_len);
  free(f->values);
  free(f->types);
  free(f->fields);
  memset(f, 0, sizeof *f);
}

int wg_features_field(const wg_features_t *f, const char *name) {
  for (int i = 0; i < f->nfields; i++)
    if (strcmp(f->fields[i], name) == 0) return i;
  return -1;
}

const char *wg_features_value(const wg_features_t *f, int i, int field) {
  if (field < 0 || field >= f->nfields || i < 0 || i >= f->n) return NULL;
  return f->values[(size_t)i * (size_t)f->nfields + (size_t)field];
}

/* Convert the coordinates of a WKB in place: both byte orders, Polygon or
 * MultiPolygon (the walker validated the structure first). */
typedef struct conv_ctx {
  wg_crs crs;
  int bad;
} conv_ctx;

static int conv_check(void *ctx, int part, int ring, int npoints, const double *xy) {
  conv_ctx *c = ctx;
  (void)part, (void)ring;
  for (int i = 0; i < npoints; i++) {
    double a, b;
    if (wg_coord_to_wgs84(xy[2 * i], xy[2 * i + 1], c->crs, &a, &b) != WG_OK) c->bad = 1;
  }
  return c->bad;
}

static void conv_wkb(unsigned char *p, const unsigned char *end, wg_crs crs);

static unsigned char *conv_poly(unsigned char *p, const unsigned char *end, wg_crs crs) {
  int le = p[0] == 1;
  wkb_cur c = {p + 5, end};
  uint32_t nrings;
  if (get_u32(&c, le, &nrings)) return (unsigned char *)end;
  for (uint32_t r = 0; r < nrings; r++) {
    uint32_t np;
    if (get_u32(&c, le, &np)) return (unsigned char *)end;
    for (uint32_t i = 0; i < np; i++) {
      unsigned char *at = (unsigned char *)c.p;
      double x, y, ox = 0, oy = 0;
      if (get_f64(&c, le, &x) || get_f64(&c, le, &y)) return (unsigned char *)end;
      if (wg_coord_to_wgs84(x, y, crs, &ox, &oy) != WG_OK) ox = x, oy = y;
      double v[2] = {ox, oy};
      for (int k = 0; k < 2; k++) {
        uint64_t u;
        memcpy(&u, &v[k], 8);
        for (int b = 0; b < 8; b++) at[8 * k + (le ? b : 7 - b)] = (unsigned char)(u >> (8 * b));
      }
    }
  }
  return (unsigned char *)c.p;
}

static void conv_wkb(unsigned char *p, const unsigned char *end, wg_crs crs) {
  int le = p[0] == 1;
  wkb_cur c = {p + 1, end};
  uint32_t type;
  if (get_u32(&c, le, &type)) return;
  if (type == 3) {
    conv_poly(p, end, crs);
  } else if (type == 6) {
    uint32_t nparts;
    if (get_u32(&c, le, &nparts)) return;
    unsigned char *q = (unsigned char *)c.p;
    for (uint32_t i = 0; i < nparts && q < end; i++) q = conv_poly(q, end, crs);
  }
}

wg_err wg_features_to_wgs84(wg_features_t *f, wg_crs crs, wg_errinfo *ei) {
  if (crs == WG_CRS_WGS84) return WG_OK;
  for (int i = 0; i < f->n; i++) {
    double a, b;
    if (wg_coord_to_wgs84(f->x[i], f->y[i], crs, &a, &b) != WG_OK) {
      if (ei) ei->row = i + 1;
      return wg_errinfo_set(ei, WG_EINVAL,
                            "feature %d: coordinate (%g, %g) is not a %s longitude/latitude", i,
                            f->x[i], f->y[i], wg_crs_name(crs));
    }
    if (f->wkb && f->wkb[i]) {
      conv_ctx c = {crs, 0};
      if (wg_wkb_rings(f->wkb[i], f->wkb_len[i], conv_check, &c) != WG_OK) {
        if (ei) ei->row = i + 1;
        return wg_errinfo_set(ei, WG_EINVAL,
                              "feature %d: a vertex is not a %s longitude/latitude", i,
                              wg_crs_name(crs));
      }
      conv_wkb(f->wkb[i], f->wkb[i] + f->wkb_len[i], crs);
    }
    f->x[i] = a;
    f->y[i] = b;
  }
  f->lonlat = 1;
  return WG_OK;
}

wg_err wg_features_read(const char *path, const wg_features_opts *opts, wg_features_t *out,
                        wg_errinfo *ei) {
  memset(out, 0, sizeof *out);
  if (ei) snprintf(ei->file, sizeof ei->file, "%s", path);
  unsigned char magic[4] = {0};
  FILE *fp = fopen(path, "rb");
  size_t got = 0;
  if (fp) {
    got = fread(magic, 1, 4, fp);
    fclose(fp);
  }
  size_t plen = strlen(path);
  int shp_name = plen >= 4 && (strcmp(path + plen - 4, ".shp") == 0 ||
                               strcmp(path + plen - 4, ".SHP") == 0);
  int shp_magic = got == 4 && magic[0] == 0 && magic[1] == 0 && magic[2] == 0x27 &&
                  magic[3] == 0x0a;
  if (shp_magic || shp_name) return wg_shapefile_read(path, opts, out, ei);
  if (!fp) return wg_errinfo_set(ei, WG_EIO, "cannot open the file");
  return wg_geojson_read(path, opts, out, ei);
}
