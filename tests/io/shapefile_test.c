/* shapefile_test.c — the Shapefile reader on small layers written here with
 * shapelib: points, polygons with holes and several parts, attributes of
 * every DBF type (GBK text included), and refusals. */
#include "io/shapefile.h"

#include <shapefil.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/features.h"
#include "test.h"

static char *dir;

static const char *path_in(const char *name) {
  static char buf[512];
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void write_points(const char *base) {
  SHPHandle shp = SHPCreate(path_in(base), SHPT_POINT);
  DBFHandle dbf = DBFCreate(path_in(base));
  DBFAddField(dbf, "hh", FTInteger, 6, 0);
  DBFAddField(dbf, "share", FTDouble, 8, 3);
  DBFAddField(dbf, "name", FTString, 20, 0);
  DBFAddField(dbf, "ok", FTLogical, 1, 0);
  const double xs[3] = {111.5, 111.6, 111.7}, ys[3] = {38.2, 38.3, 38.4};
  for (int i = 0; i < 3; i++) {
    SHPObject *o = SHPCreateSimpleObject(SHPT_POINT, 1, &xs[i], &ys[i], NULL);
    SHPWriteObject(shp, -1, o);
    SHPDestroyObject(o);
    DBFWriteIntegerAttribute(dbf, i, 0, 10 * (i + 1));
    DBFWriteDoubleAttribute(dbf, i, 1, 0.25 * i);
    DBFWriteLogicalAttribute(dbf, i, 3, i == 1 ? 'F' : 'T');
  }
  DBFWriteStringAttribute(dbf, 0, 2, "b1");
  DBFWriteStringAttribute(dbf, 1, 2, "\xc2\xa5\xb6\xb0"); /* 楼栋 in GBK */
  DBFWriteNULLAttribute(dbf, 2, 2);
  DBFClose(dbf);
  SHPClose(shp);
}

TEST(points) {
  write_points("pts");
  wg_features_t f;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_shapefile_read(path_in("pts.shp"), NULL, &f, &ei), WG_OK);
  CHECK_EQ(f.n, 3);
  CHECK_EQ(f.kind, WG_FEATURE_POINT);
  CHECK_STR(f.format, "shapefile");
  CHECK_EQ(f.lonlat, 1);
  CHECK_NEAR(f.x[2], 111.7, 1e-12);
  CHECK_NEAR(f.y[1], 38.3, 1e-12);
  CHECK_EQ(f.nfields, 4);
  int hh = wg_features_field(&f, "hh"), share = wg_features_field(&f, "share");
  int name = wg_features_field(&f, "name"), ok = wg_features_field(&f, "ok");
  CHECK_STR(wg_features_value(&f, 1, hh), "20");
  CHECK_EQ(f.types[(size_t)1 * 4 + (size_t)hh], WG_VALUE_NUMBER);
  CHECK_STR(wg_features_value(&f, 1, share), "0.25");
  CHECK_STR(wg_features_value(&f, 0, share), "0");
  CHECK_STR(wg_features_value(&f, 0, name), "b1");
  CHECK_STR(wg_features_value(&f, 1, name), "楼栋");
  CHECK(wg_features_value(&f, 2, name) == NULL);
  CHECK_STR(wg_features_value(&f, 0, ok), "true");
  CHECK_STR(wg_features_value(&f, 1, ok), "false");
  wg_features_free(&f);
  /* the sniffing entry point picks the shapefile reader */
  CHECK_EQ(wg_features_read(path_in("pts.shp"), NULL, &f, &ei), WG_OK);
  CHECK_STR(f.format, "shapefile");
  CHECK_EQ(f.n, 3);
  wg_features_free(&f);
}

/* Record 0: a 4×4 square (clockwise, as shapefiles store exteriors) with a
 * 2×2 hole; record 1: two unit squares, i.e. a MultiPolygon. */
static void write_polygons(const char *base) {
  SHPHandle shp = SHPCreate(path_in(base), SHPT_POLYGON);
  DBFHandle dbf = DBFCreate(path_in(base));
  DBFAddField(dbf, "hh", FTInteger, 6, 0);
  int starts0[2] = {0, 5};
  double x0[10] = {0, 0, 4, 4, 0, 1, 3, 3, 1, 1}, y0[10] = {0, 4, 4, 0, 0, 1, 1, 3, 3, 1};
  SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, 2, starts0, NULL, 10, x0, y0, NULL, NULL);
  SHPWriteObject(shp, -1, o);
  SHPDestroyObject(o);
  int starts1[2] = {0, 5};
  double x1[10] = {10, 10, 11, 11, 10, 20, 20, 21, 21, 20};
  double y1[10] = {0, 1, 1, 0, 0, 0, 1, 1, 0, 0};
  o = SHPCreateObject(SHPT_POLYGON, -1, 2, starts1, NULL, 10, x1, y1, NULL, NULL);
  SHPWriteObject(shp, -1, o);
  SHPDestroyObject(o);
  DBFWriteIntegerAttribute(dbf, 0, 0, 5);
  DBFWriteIntegerAttribute(dbf, 1, 0, 7);
  DBFClose(dbf);
  SHPClose(shp);
}

TEST(polygons) {
  write_polygons("poly");
  wg_features_t f;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_shapefile_read(path_in("poly.shp"), NULL, &f, &ei), WG_OK);
  CHECK_EQ(f.n, 2);
  CHECK_EQ(f.kind, WG_FEATURE_POLYGON);
  CHECK_EQ(f.vertices, 20);
  /* a Polygon of two rings (exterior, hole) */
  CHECK_EQ(le32(f.wkb[0] + 1), 3);
  CHECK_EQ(le32(f.wkb[0] + 5), 2);
  CHECK_NEAR(f.x[0], 2, 1e-12);
  CHECK_NEAR(f.y[0], 2, 1e-12);
  /* a MultiPolygon of two parts */
  CHECK_EQ(le32(f.wkb[1] + 1), 6);
  CHECK_EQ(le32(f.wkb[1] + 5), 2);
  CHECK_NEAR(f.x[1], 15.5, 1e-12);
  CHECK_STR(wg_features_value(&f, 1, 0), "7");
  CHECK_EQ(f.lonlat, 1);
  wg_features_free(&f);
}

TEST(refusals) {
  wg_features_t f;
  wg_errinfo ei = {0};
  /* a line layer */
  SHPHandle shp = SHPCreate(path_in("line"), SHPT_ARC);
  DBFHandle dbf = DBFCreate(path_in("line"));
  DBFAddField(dbf, "a", FTInteger, 4, 0);
  double x[2] = {0, 1}, y[2] = {0, 1};
  SHPObject *o = SHPCreateSimpleObject(SHPT_ARC, 2, x, y, NULL);
  SHPWriteObject(shp, -1, o);
  SHPDestroyObject(o);
  DBFWriteIntegerAttribute(dbf, 0, 0, 1);
  DBFClose(dbf);
  SHPClose(shp);
  CHECK_EQ(wg_shapefile_read(path_in("line.shp"), NULL, &f, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "not supported") != NULL);
  wg_features_free(&f);
  /* a missing .dbf */
  write_points("nodbf");
  unlink(path_in("nodbf.dbf"));
  CHECK_EQ(wg_shapefile_read(path_in("nodbf.shp"), NULL, &f, &ei), WG_EIO);
  CHECK(strstr(ei.why, ".dbf") != NULL);
  wg_features_free(&f);
  /* missing altogether */
  CHECK_EQ(wg_shapefile_read(path_in("none.shp"), NULL, &f, &ei), WG_EIO);
  CHECK_EQ(wg_features_read(path_in("none.shp"), NULL, &f, &ei), WG_EIO);
  /* caps */
  wg_features_opts op = {.max_features = 2};
  CHECK_EQ(wg_shapefile_read(path_in("pts.shp"), &op, &f, &ei), WG_ETOOBIG);
  op = (wg_features_opts){.max_vertices = 9};
  CHECK_EQ(wg_shapefile_read(path_in("poly.shp"), &op, &f, &ei), WG_ETOOBIG);
  CHECK(strstr(ei.why, "feature 0") != NULL);
  wg_features_free(&f);
  /* a truncated .shp */
  FILE *fp = fopen(path_in("pts.shp"), "r+b");
  CHECK(fp != NULL);
  if (fp) {
    CHECK_EQ(ftruncate(fileno(fp), 120), 0);
    fclose(fp);
  }
  wg_err e = wg_shapefile_read(path_in("pts.shp"), NULL, &f, &ei);
  CHECK(e == WG_EFORMAT || e == WG_EIO);
  wg_features_free(&f);
}

static void cleanup(void) {
  const char *bases[] = {"pts", "poly", "line", "nodbf"};
  const char *exts[] = {".shp", ".shx", ".dbf"};
  for (int b = 0; b < 4; b++)
    for (int e = 0; e < 3; e++) {
      char name[64];
      snprintf(name, sizeof name, "%s%s", bases[b], exts[e]);
      unlink(path_in(name));
    }
  rmdir(dir);
}

int main(void) {
  dir = test_tmpdir();
  RUN(points);
  RUN(polygons);
  RUN(refusals);
  cleanup();
  free(dir);
  return test_done();
}
