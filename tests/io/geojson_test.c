/* geojson_test.c — the GeoJSON reader (features, properties, WKB, caps,
 * errors naming the feature) and the streaming writer (round trips). */
#include "io/geojson.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/features.h"
#include "test.h"

static wg_err read_str(const char *json, const wg_features_opts *o, wg_features_t *f,
                       wg_errinfo *ei) {
  memset(ei, 0, sizeof *ei);
  return wg_geojson_read_mem(json, strlen(json), o, f, ei);
}

#define FC(features) "{\"type\":\"FeatureCollection\",\"features\":[" features "]}"
#define PT(x, y, props)                                                                  \
  "{\"type\":\"Feature\",\"properties\":" props ",\"geometry\":{\"type\":\"Point\","     \
  "\"coordinates\":[" #x "," #y "]}}"
#define SQUARE(props)                                                                    \
  "{\"type\":\"Feature\",\"properties\":" props ",\"geometry\":{\"type\":\"Polygon\","   \
  "\"coordinates\":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}}"

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double le64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
  double d;
  memcpy(&d, &v, 8);
  return d;
}

TEST(points_and_properties) {
  wg_features_t f;
  wg_errinfo ei;
  const char *j = FC(PT(111.5, 38.2, "{\"hh\":12,\"name\":\"楼 \\\"1\\\"\",\"share\":0.5,"
                                     "\"ok\":true,\"none\":null,\"tags\":[1,\"a\"]}") ","
                     PT(111.6, 38.3, "{\"hh\":3,\"extra\":\"x\"}") "," PT(111.7, 38.4, "null"));
  CHECK_EQ(read_str(j, NULL, &f, &ei), WG_OK);
  CHECK_EQ(f.n, 3);
  CHECK_EQ(f.kind, WG_FEATURE_POINT);
  CHECK_EQ(f.lonlat, 1);
  CHECK_STR(f.format, "geojson");
  CHECK_NEAR(f.x[1], 111.6, 1e-12);
  CHECK_NEAR(f.y[2], 38.4, 1e-12);
  CHECK(f.wkb[0] == NULL);
  int hh = wg_features_field(&f, "hh"), name = wg_features_field(&f, "name");
  int share = wg_features_field(&f, "share"), ok = wg_features_field(&f, "ok");
  int none = wg_features_field(&f, "none"), tags = wg_features_field(&f, "tags");
  int extra = wg_features_field(&f, "extra");
  CHECK_EQ(f.nfields, 7);
  CHECK(hh == 0 && name == 1 && extra == 6);
  CHECK_EQ(wg_features_field(&f, "nope"), -1);
  CHECK_STR(wg_features_value(&f, 0, hh), "12");
  CHECK_EQ(f.types[hh], WG_VALUE_NUMBER);
  CHECK_STR(wg_features_value(&f, 0, name), "楼 \"1\"");
  CHECK_EQ(f.types[name], WG_VALUE_STRING);
  CHECK_STR(wg_features_value(&f, 0, share), "0.5");
  CHECK_STR(wg_features_value(&f, 0, ok), "true");
  CHECK_EQ(f.types[ok], WG_VALUE_BOOL);
  CHECK(wg_features_value(&f, 0, none) == NULL);
  CHECK_STR(wg_features_value(&f, 0, tags), "[1,\"a\"]");
  CHECK_EQ(f.types[tags], WG_VALUE_JSON);
  CHECK(wg_features_value(&f, 0, extra) == NULL);
  CHECK_STR(wg_features_value(&f, 1, extra), "x");
  CHECK(wg_features_value(&f, 2, hh) == NULL);
  CHECK(wg_features_value(&f, 9, hh) == NULL);
  wg_features_free(&f);
  wg_features_free(&f); /* twice is fine: it zeroes */
}

TEST(polygon_wkb_and_centroid) {
  wg_features_t f;
  wg_errinfo ei;
  /* an unclosed ring is closed; a square with a hole in one corner */
  const char *j =
      FC("{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\","
         "\"coordinates\":[[[0,0],[4,0],[4,4],[0,4]],[[0,0],[0,2],[2,2],[2,0],[0,0]]]}}");
  CHECK_EQ(read_str(j, NULL, &f, &ei), WG_OK);
  CHECK_EQ(f.kind, WG_FEATURE_POLYGON);
  CHECK_EQ(f.vertices, 10);
  const unsigned char *w = f.wkb[0];
  CHECK_EQ(f.wkb_len[0], 9 + 4 + 5 * 16 + 4 + 5 * 16);
  CHECK_EQ(w[0], 1);
  CHECK_EQ(le32(w + 1), 3);
  CHECK_EQ(le32(w + 5), 2);
  CHECK_EQ(le32(w + 9), 5);
  CHECK_NEAR(le64(w + 13 + 4 * 16), 0, 0); /* closing vertex = first */
  CHECK_NEAR(le64(w + 13 + 2 * 16 + 8), 4, 0);
  /* area 16 - 4 = 12; centroid (2·16 - 1·4)/12 = 7/3 on both axes */
  CHECK_NEAR(f.x[0], 7.0 / 3, 1e-12);
  CHECK_NEAR(f.y[0], 7.0 / 3, 1e-12);
  wg_features_free(&f);
}

TEST(multipolygon) {
  wg_features_t f;
  wg_errinfo ei;
  const char *j = FC("{\"type\":\"Feature\",\"properties\":{\"hh\":1},\"geometry\":{\"type\":"
                     "\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],"
                     "[[[3,0],[4,0],[4,1],[3,1],[3,0]]]]}}," SQUARE("{\"hh\":2}"));
  CHECK_EQ(read_str(j, NULL, &f, &ei), WG_OK);
  CHECK_EQ(f.n, 2);
  const unsigned char *w = f.wkb[0];
  CHECK_EQ(le32(w + 1), 6);
  CHECK_EQ(le32(w + 5), 2);
  CHECK_EQ(w[9], 1);
  CHECK_EQ(le32(w + 10), 3);
  CHECK_EQ(f.wkb_len[0], 9 + 2 * (9 + 4 + 5 * 16));
  CHECK_NEAR(f.x[0], 2.0, 1e-12);
  CHECK_NEAR(f.y[0], 0.5, 1e-12);
  CHECK_NEAR(f.x[1], 1.0, 1e-12);
  CHECK_EQ(f.lonlat, 1);
  wg_features_free(&f);
}

/* Every refusal names the feature (0-based) and what is wrong. */
TEST(errors_name_the_feature) {
  wg_features_t f;
  wg_errinfo ei;
  const char *line = FC(PT(1, 2, "{}") ",{\"type\":\"Feature\",\"properties\":{},\"geometry\":"
                                     "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}}");
  CHECK_EQ(read_str(line, NULL, &f, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "feature 1") && strstr(ei.why, "LineString"));
  wg_features_free(&f);

  CHECK_EQ(read_str("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":", NULL, &f, &ei),
           WG_EFORMAT);
  CHECK(strstr(ei.why, "malformed JSON at line 1") != NULL);
  CHECK_STR(ei.file, "<memory>");
  wg_features_free(&f);

  CHECK_EQ(read_str("{\"type\":\"Feature\"}", NULL, &f, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "FeatureCollection") != NULL);
  CHECK_EQ(read_str("[]", NULL, &f, &ei), WG_EFORMAT);

  CHECK_EQ(read_str(FC(PT(1, 2, "{}") "," SQUARE("{}")), NULL, &f, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "feature 1 is a Polygon") && strstr(ei.why, "all points or all polygons"));
  wg_features_free(&f);

  CHECK_EQ(read_str(FC("{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}"), NULL, &f,
                    &ei),
           WG_EFORMAT);
  CHECK(strstr(ei.why, "feature 0: no geometry") != NULL);
  CHECK_EQ(read_str(FC(PT(1, "\"a\"", "{}")), NULL, &f, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "feature 0: a position") != NULL);
  CHECK_EQ(read_str(FC("{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":"
                       "\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}}"),
                    NULL, &f, &ei),
           WG_EFORMAT);
  CHECK(strstr(ei.why, "fewer than 3") != NULL);
  CHECK_EQ(read_str(FC("{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":"
                       "\"Polygon\",\"coordinates\":[]}}"),
                    NULL, &f, &ei),
           WG_EFORMAT);
  CHECK_EQ(read_str(FC("{\"type\":\"Feature\",\"properties\":3,\"geometry\":null}"), NULL, &f,
                    &ei),
           WG_EFORMAT);
  CHECK(strstr(ei.why, "properties") != NULL);
  CHECK_EQ(read_str(FC("3"), NULL, &f, &ei), WG_EFORMAT);
  CHECK_EQ(read_str(FC("{\"type\":\"Thing\",\"geometry\":null}"), NULL, &f, &ei), WG_EFORMAT);
  wg_features_free(&f);
}

TEST(caps) {
  wg_features_t f;
  wg_errinfo ei;
  wg_features_opts o = {.max_features = 2};
  CHECK_EQ(read_str(FC(PT(1, 2, "{}") "," PT(1, 2, "{}") "," PT(1, 2, "{}")), &o, &f, &ei),
           WG_ETOOBIG);
  CHECK(strstr(ei.why, "more than 2 features") != NULL);
  o = (wg_features_opts){.max_vertices = 4};
  CHECK_EQ(read_str(FC(SQUARE("{}")), &o, &f, &ei), WG_ETOOBIG);
  CHECK(strstr(ei.why, "feature 0: more than 4 vertices") != NULL);
  wg_features_free(&f);
  o = (wg_features_opts){.max_depth = 5};
  CHECK_EQ(read_str(FC(PT(1, 2, "{\"a\":[[[[1]]]]}")), &o, &f, &ei), WG_ETOOBIG);
  CHECK(strstr(ei.why, "deeper than 5") != NULL);
  /* brackets inside strings do not count */
  CHECK_EQ(read_str(FC(PT(1, 2, "{\"a\":\"[[[[[[[[\"}")), &o, &f, &ei), WG_OK);
  wg_features_free(&f);
  o = (wg_features_opts){.max_bytes = 10};
  CHECK_EQ(read_str(FC(PT(1, 2, "{}")), &o, &f, &ei), WG_ETOOBIG);
  o = (wg_features_opts){.max_fields = 1};
  CHECK_EQ(read_str(FC(PT(1, 2, "{\"a\":1,\"b\":2}")), &o, &f, &ei), WG_ETOOBIG);
  o = (wg_features_opts){.max_value = 3};
  CHECK_EQ(read_str(FC(PT(1, 2, "{\"a\":\"abcd\"}")), &o, &f, &ei), WG_ETOOBIG);
  CHECK(strstr(ei.why, "feature 0: property \"a\"") != NULL);
  wg_features_free(&f);
  /* a deep document is refused before jansson recurses into it */
  size_t deep = 100000;
  char *s = malloc(deep * 2 + 1);
  memset(s, '[', deep);
  memset(s + deep, ']', deep);
  s[2 * deep] = '\0';
  CHECK_EQ(read_str(s, NULL, &f, &ei), WG_ETOOBIG);
  free(s);
  wg_features_free(&f);
}

TEST(planar_coordinates) {
  wg_features_t f;
  wg_errinfo ei;
  CHECK_EQ(read_str(FC(PT(500000, 4200000, "{}") "," PT(500010, 4200000, "{}")), NULL, &f, &ei),
           WG_OK);
  CHECK_EQ(f.lonlat, 0);
  CHECK_EQ(wg_features_to_wgs84(&f, WG_CRS_GCJ02, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "feature 0") != NULL);
  wg_features_free(&f);
}

TEST(crs_conversion) {
  wg_features_t f;
  wg_errinfo ei;
  const char *j = FC("{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\","
                     "\"coordinates\":[[[111.5,38.2],[111.501,38.2],[111.501,38.201],"
                     "[111.5,38.201],[111.5,38.2]]]}}");
  CHECK_EQ(read_str(j, NULL, &f, &ei), WG_OK);
  double cx = f.x[0];
  CHECK_EQ(wg_features_to_wgs84(&f, WG_CRS_GCJ02, &ei), WG_OK);
  /* GCJ-02 is offset some hundreds of metres from WGS84 in Shanxi */
  CHECK(cx - f.x[0] > 0.001 && cx - f.x[0] < 0.01);
  double wx, wy;
  CHECK_EQ(wg_coord_to_wgs84(111.5, 38.2, WG_CRS_GCJ02, &wx, &wy), WG_OK);
  CHECK_NEAR(le64(f.wkb[0] + 13), wx, 1e-12);
  CHECK_NEAR(le64(f.wkb[0] + 21), wy, 1e-12);
  CHECK_EQ(wg_features_to_wgs84(&f, WG_CRS_WGS84, &ei), WG_OK);
  wg_features_free(&f);
}

typedef struct ring_log {
  int rings, points, parts;
  double first_x;
} ring_log;

static int log_ring(void *ctx, int part, int ring, int npoints, const double *xy) {
  ring_log *l = ctx;
  if (l->rings == 0) l->first_x = xy[0];
  l->rings++;
  l->points += npoints;
  if (part + 1 > l->parts) l->parts = part + 1;
  (void)ring;
  return 0;
}

TEST(wkb_walk_both_byte_orders) {
  /* big-endian POLYGON((1 0, 2 0, 2 1, 1 0)) */
  unsigned char be[9 + 4 + 4 * 16] = {0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 4};
  double pts[8] = {1, 0, 2, 0, 2, 1, 1, 0};
  for (int i = 0; i < 8; i++) {
    uint64_t v;
    memcpy(&v, &pts[i], 8);
    for (int b = 0; b < 8; b++) be[13 + 8 * i + b] = (unsigned char)(v >> (56 - 8 * b));
  }
  ring_log l = {0};
  CHECK_EQ(wg_wkb_rings(be, sizeof be, log_ring, &l), WG_OK);
  CHECK_EQ(l.rings, 1);
  CHECK_EQ(l.points, 4);
  CHECK_NEAR(l.first_x, 1, 0);
  /* truncated, and a lying ring count */
  CHECK_EQ(wg_wkb_rings(be, sizeof be - 1, log_ring, &l), WG_EFORMAT);
  be[12] = 200;
  CHECK_EQ(wg_wkb_rings(be, sizeof be, log_ring, &l), WG_EFORMAT);
  unsigned char point[21] = {1, 1, 0, 0, 0};
  CHECK_EQ(wg_wkb_rings(point, sizeof point, log_ring, &l), WG_EFORMAT);
}

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

TEST(writer_round_trip) {
  char *dir = test_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/out.geojson", dir);
  wg_features_t f;
  wg_errinfo ei;
  const char *j =
      FC("{\"type\":\"Feature\",\"properties\":{\"n\":\"a\\\"b\\\\c\\nd\\u0001 楼\",\"hh\":7},"
         "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]],"
         "[[0.1,0.05],[0.9,0.05],[0.9,0.8],[0.1,0.05]]],[[[3,0],[4,0],[4,1],[3,0]]]]}}");
  CHECK_EQ(read_str(j, NULL, &f, &ei), WG_OK);
  wg_geojson_writer w;
  CHECK_EQ(wg_geojson_writer_open(&w, path, 3, &ei), WG_OK);
  wg_geojson_prop props[3] = {{"n", wg_features_value(&f, 0, 0), WG_VALUE_STRING},
                              {"hh", "7", WG_VALUE_NUMBER},
                              {"grid_l1", NULL, WG_VALUE_NULL}};
  CHECK_EQ(wg_geojson_write_wkb(&w, f.wkb[0], f.wkb_len[0], props, 3, &ei), WG_OK);
  CHECK_EQ(wg_geojson_write_point(&w, 111.123456789, -0.0, props + 1, 1, &ei), WG_OK);
  unsigned char junk[5] = {1, 9, 0, 0, 0};
  CHECK_EQ(wg_geojson_write_wkb(&w, junk, sizeof junk, NULL, 0, &ei), WG_EFORMAT);
  CHECK_EQ(w.features, 2);
  CHECK_EQ(wg_geojson_writer_close(&w, &ei), WG_OK);
  const char *text = slurp(path);
  CHECK(text && strstr(text, "[111.123,0.000]") != NULL);
  CHECK(text && strstr(text, "\"grid_l1\":null") != NULL);
  CHECK(text && strstr(text, "\\u0001") != NULL);
  wg_features_t g;
  CHECK_EQ(wg_features_read(path, NULL, &g, &ei), WG_EFORMAT); /* mixed kinds are refused… */
  CHECK(strstr(ei.why, "feature 1 is a Point") != NULL);
  wg_features_free(&g);
  /* …so write the polygon alone and compare */
  CHECK_EQ(wg_geojson_writer_open(&w, path, 3, &ei), WG_OK);
  CHECK_EQ(wg_geojson_write_wkb(&w, f.wkb[0], f.wkb_len[0], props, 2, &ei), WG_OK);
  CHECK_EQ(wg_geojson_writer_close(&w, &ei), WG_OK);
  CHECK_EQ(wg_features_read(path, NULL, &g, &ei), WG_OK);
  CHECK_EQ(g.n, 1);
  CHECK_STR(wg_features_value(&g, 0, 0), wg_features_value(&f, 0, 0));
  CHECK_STR(wg_features_value(&g, 0, 1), "7");
  CHECK_EQ(g.wkb_len[0], f.wkb_len[0]);
  CHECK(g.wkb_len[0] == f.wkb_len[0] && memcmp(g.wkb[0], f.wkb[0], f.wkb_len[0]) == 0);
  wg_features_free(&g);
  wg_features_free(&f);
  /* abort removes the partial file */
  CHECK_EQ(wg_geojson_writer_open(&w, path, 7, &ei), WG_OK);
  wg_geojson_writer_abort(&w);
  CHECK(fopen(path, "rb") == NULL);
  CHECK_EQ(wg_geojson_writer_open(&w, "/nonexistent/dir/x.geojson", 7, &ei), WG_EIO);
  CHECK_EQ(wg_features_read("/nonexistent/x.geojson", NULL, &g, &ei), WG_EIO);
  wg_features_free(&g);
  rmdir(dir);
  free(dir);
}

int main(void) {
  RUN(points_and_properties);
  RUN(polygon_wkb_and_centroid);
  RUN(multipolygon);
  RUN(errors_name_the_feature);
  RUN(caps);
  RUN(planar_coordinates);
  RUN(crs_conversion);
  RUN(wkb_walk_both_byte_orders);
  RUN(writer_round_trip);
  return test_done();
}
