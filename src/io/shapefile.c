/* shapefile.c — ESRI Shapefiles into a wg_features_t, with shapelib. */
#include "io/shapefile.h"

#include <errno.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/encoding.h"
#include "io/features_int.h"

/* shapelib reports problems through a hook that prints to stderr; keep the
 * last message instead, for ei->why. */
static _Thread_local char shp_message[160];

static void shp_error(const char *message) {
  snprintf(shp_message, sizeof shp_message, "%s", message);
}

/* 1 when (x, y) lies inside the closed ring (even-odd rule). */
static int ring_contains(const double *xs, const double *ys, int n, double x, double y) {
  int in = 0;
  for (int i = 0, j = n - 1; i < n; j = i++)
    if ((ys[i] > y) != (ys[j] > y) &&
        x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i])
      in = !in;
  return in;
}

static double ring_area_xy(const double *xs, const double *ys, int n) {
  double a = 0;
  for (int i = 0, j = n - 1; i < n; j = i++) a += xs[j] * ys[i] - xs[i] * ys[j];
  return a / 2;
}

/* The record's rings into pb: exteriors (clockwise) become parts; each hole
 * joins the exterior containing its first vertex (else the one before it). */
static wg_err polygon_rings(const SHPObject *o, wg__polyb *pb, int feature, wg_errinfo *ei) {
  int nparts = o->nParts > 0 ? o->nParts : 1;
  int *part_of = malloc((size_t)nparts * sizeof(int));
  double *xy = malloc(((size_t)o->nVertices + 1) * 2 * sizeof(double));
  wg_err e = WG_OK;
  if (!part_of || !xy) {
    e = WG_ENOMEM;
    goto done;
  }
  int outers = 0;
  for (int r = 0; r < nparts; r++) {
    int s = o->nParts > 0 ? o->panPartStart[r] : 0;
    int t = r + 1 < o->nParts ? o->panPartStart[r + 1] : o->nVertices;
    if (s < 0 || t > o->nVertices || t - s < 3) {
      e = wg_errinfo_set(ei, WG_EFORMAT, "feature %d: a polygon ring has fewer than 3 points",
                         feature);
      goto done;
    }
    part_of[r] = ring_area_xy(o->padfX + s, o->padfY + s, t - s) <= 0 ? outers++ : -1;
  }
  if (outers == 0) /* every ring counter-clockwise: take them all as exteriors */
    for (int r = 0; r < nparts; r++) part_of[r] = outers++;
  for (int r = 0; r < nparts; r++) {
    if (part_of[r] >= 0) continue;
    int s = o->panPartStart[r];
    int owner = -1, last = -1;
    for (int q = 0; q < nparts && owner < 0; q++) {
      if (part_of[q] < 0) continue;
      int qs = o->nParts > 0 ? o->panPartStart[q] : 0;
      int qt = q + 1 < o->nParts ? o->panPartStart[q + 1] : o->nVertices;
      if (q < r) last = part_of[q];
      if (ring_contains(o->padfX + qs, o->padfY + qs, qt - qs, o->padfX[s], o->padfY[s]))
        owner = part_of[q];
    }
    part_of[r] = -2 - (owner >= 0 ? owner : last >= 0 ? last : 0);
  }
  /* exteriors first within each part: add rings part by part */
  for (int p = 0; p < outers && !e; p++) {
    for (int pass = 0; pass < 2 && !e; pass++) {
      for (int r = 0; r < nparts && !e; r++) {
        int is_outer = part_of[r] >= 0;
        int part = is_outer ? part_of[r] : -2 - part_of[r];
        if (part != p || is_outer != (pass == 0)) continue;
        int s = o->nParts > 0 ? o->panPartStart[r] : 0;
        int t = r + 1 < o->nParts ? o->panPartStart[r + 1] : o->nVertices;
        for (int i = s; i < t; i++) {
          xy[2 * (i - s)] = o->padfX[i];
          xy[2 * (i - s) + 1] = o->padfY[i];
          if (!isfinite(o->padfX[i]) || !isfinite(o->padfY[i]))
            e = wg_errinfo_set(ei, WG_EFORMAT, "feature %d: a coordinate is not finite",
                               feature);
        }
        if (!e) e = wg__polyb_ring(pb, p, xy, t - s);
      }
    }
  }
done:
  free(part_of);
  free(xy);
  return e;
}

static int format_number(double d, char *buf, size_t cap) {
  if (d == floor(d) && fabs(d) < 9007199254740992.0) return snprintf(buf, cap, "%.0f", d);
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, cap, "%.*g", prec, d);
    if (strtod(buf, NULL) == d) break;
  }
  return (int)strlen(buf);
}

static wg_err attributes(DBFHandle dbf, wg_features_t *f, int rec, void **cd, wg_errinfo *ei) {
  for (int k = 0; k < f->nfields; k++) {
    if (DBFIsAttributeNULL(dbf, rec, k)) continue;
    char name[XBASE_FLDNAME_LEN_READ + 1];
    int width, dec;
    DBFFieldType t = DBFGetFieldInfo(dbf, k, name, &width, &dec);
    const char *s = DBFReadStringAttribute(dbf, rec, k);
    if (!s) continue;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ') len--;
    while (len && *s == ' ') s++, len--;
    if (len == 0) continue;
    wg_err e = WG_OK;
    if (t == FTInteger || t == FTDouble) {
      char buf[64], *end;
      char tmp[64];
      snprintf(tmp, sizeof tmp, "%.*s", (int)(len < 63 ? len : 63), s);
      double d = strtod(tmp, &end);
      if (end != tmp && *end == '\0' && isfinite(d)) {
        int n = format_number(d, buf, sizeof buf);
        e = wg__features_set(f, k, WG_VALUE_NUMBER, buf, (size_t)n);
      } else {
        e = wg__features_set(f, k, WG_VALUE_STRING, s, len);
      }
    } else if (t == FTLogical) {
      char c = *s;
      if (c == 'T' || c == 't' || c == 'Y' || c == 'y')
        e = wg__features_set(f, k, WG_VALUE_BOOL, "true", 4);
      else if (c == 'F' || c == 'f' || c == 'N' || c == 'n')
        e = wg__features_set(f, k, WG_VALUE_BOOL, "false", 5);
    } else if (wg_utf8_valid(s, len)) {
      e = wg__features_set(f, k, WG_VALUE_STRING, s, len);
    } else {
      if (!*cd) *cd = wg_gb18030_open();
      char out[1024];
      size_t outlen;
      if (len > 500 || wg_gb18030_to_utf8(*cd, s, len, out, sizeof out, &outlen) != 0)
        return wg_errinfo_set(ei, WG_EENCODING,
                              "feature %d: field %s is neither UTF-8 nor GB18030 text", rec,
                              name);
      e = wg__features_set(f, k, WG_VALUE_STRING, out, outlen);
    }
    if (e) return e;
  }
  return WG_OK;
}

wg_err wg_shapefile_read(const char *path, const wg_features_opts *opts, wg_features_t *out,
                         wg_errinfo *ei) {
  memset(out, 0, sizeof *out);
  out->format = "shapefile";
  if (ei) snprintf(ei->file, sizeof ei->file, "%s", path);
  wg_features_opts o = wg__features_opts(opts);
  struct stat st;
  if (stat(path, &st) != 0) return wg_errinfo_set(ei, WG_EIO, "cannot open: %s", strerror(errno));
  if ((size_t)st.st_size > o.max_bytes)
    return wg_errinfo_set(ei, WG_ETOOBIG, "the file is larger than %zu bytes", o.max_bytes);
  SAHooks hooks;
  SASetupDefaultHooks(&hooks);
  hooks.Error = shp_error;
  shp_message[0] = '\0';
  SHPHandle shp = SHPOpenLL(path, "rb", &hooks);
  if (!shp)
    return wg_errinfo_set(ei, WG_EIO, "cannot open as a shapefile (is the .shx beside it?)%s%s",
                          shp_message[0] ? ": " : "", shp_message);
  DBFHandle dbf = DBFOpenLL(path, "rb", &hooks);
  wg__polyb pb = {0};
  char **names = NULL;
  void *cd = NULL;
  wg_err e = WG_OK;
  if (!dbf) {
    e = wg_errinfo_set(ei, WG_EIO, "cannot open the .dbf beside it");
    goto done;
  }
  int n = 0, type = 0;
  double mn[4], mx[4];
  SHPGetInfo(shp, &n, &type, mn, mx);
  int points = type == SHPT_POINT || type == SHPT_POINTZ || type == SHPT_POINTM;
  int polys = type == SHPT_POLYGON || type == SHPT_POLYGONZ || type == SHPT_POLYGONM;
  if (!points && !polys) {
    e = wg_errinfo_set(ei, WG_EFORMAT,
                       "shape type %d is not supported (Point or Polygon layers only)", type);
    goto done;
  }
  if (n > o.max_features) {
    e = wg_errinfo_set(ei, WG_ETOOBIG, "more than %d features", o.max_features);
    goto done;
  }
  if (DBFGetRecordCount(dbf) != n) {
    e = wg_errinfo_set(ei, WG_EFORMAT, "the .dbf has %d records but the .shp %d shapes",
                       DBFGetRecordCount(dbf), n);
    goto done;
  }
  int nf = DBFGetFieldCount(dbf);
  if (nf > o.max_fields) {
    e = wg_errinfo_set(ei, WG_ETOOBIG, "more than %d fields", o.max_fields);
    goto done;
  }
  names = calloc((size_t)(nf > 0 ? nf : 1), sizeof(char *));
  if (!names) {
    e = WG_ENOMEM;
    goto done;
  }
  for (int k = 0; k < nf; k++) {
    char name[XBASE_FLDNAME_LEN_READ + 1] = {0};
    int width, dec;
    DBFGetFieldInfo(dbf, k, name, &width, &dec);
    names[k] = strdup(name);
    if (!names[k]) {
      e = WG_ENOMEM;
      goto done;
    }
  }
  if ((e = wg__features_init(out, "shapefile", names, nf))) goto done;
  for (int i = 0; i < n && !e; i++) {
    SHPObject *obj = SHPReadObject(shp, i);
    if (!obj || obj->nSHPType == SHPT_NULL || obj->nVertices == 0) {
      if (obj) SHPDestroyObject(obj);
      if (obj || !shp_message[0])
        e = wg_errinfo_set(ei, WG_EFORMAT, "feature %d: no geometry (null shape)", i);
      else
        e = wg_errinfo_set(ei, WG_EFORMAT, "feature %d: unreadable record: %s", i, shp_message);
      break;
    }
    if (obj->nVertices > o.max_vertices) {
      SHPDestroyObject(obj);
      e = wg_errinfo_set(ei, WG_ETOOBIG, "feature %d: more than %ld vertices", i,
                         o.max_vertices);
      break;
    }
    if (points) {
      double x = obj->padfX[0], y = obj->padfY[0];
      if (!isfinite(x) || !isfinite(y))
        e = wg_errinfo_set(ei, WG_EFORMAT, "feature %d: a coordinate is not finite", i);
      else
        e = wg__features_add(out, WG_FEATURE_POINT, x, y, NULL, 0);
    } else {
      wg__polyb_reset(&pb);
      e = polygon_rings(obj, &pb, i, ei);
      unsigned char *wkb = NULL;
      size_t len = 0;
      double cx = 0, cy = 0;
      if (!e) e = wg__polyb_wkb(&pb, &wkb, &len, &cx, &cy);
      if (!e) {
        out->vertices += pb.npts;
        for (long k = 0; k < pb.npts; k++)
          if (!(fabs(pb.xy[2 * k]) <= 180 && fabs(pb.xy[2 * k + 1]) <= 90)) out->lonlat = 0;
        e = wg__features_add(out, WG_FEATURE_POLYGON, cx, cy, wkb, len);
      }
    }
    SHPDestroyObject(obj);
    if (!e) e = attributes(dbf, out, i, &cd, ei);
  }
done:
  if (names)
    for (int k = 0; k < (dbf ? DBFGetFieldCount(dbf) : 0); k++) free(names[k]);
  free(names);
  wg__polyb_free(&pb);
  wg_gb18030_close(cd);
  if (dbf) DBFClose(dbf);
  SHPClose(shp);
  return e;
}
