/* coord_test.c — WGS84 / GCJ-02 / BD-09 conversions.
 *
 * Where the reference values come from:
 *  [CT] wandergis/coordtransform, test/app.js (the JavaScript library most
 *       Chinese projects copy; same constants as ours): input (116.404, 39.915).
 *       Its gcj02towgs84 and bd09togcj02 are one-step approximations, so for
 *       those we only require agreement within 1e-6 deg and check exactness
 *       against [PY] instead.
 *  [EV] googollee/eviltransform, python tests (TESTS list): WGS -> GCJ for
 *       Shanghai, Shenzhen and Beijing, given to ~1e-14 deg.
 *  [GC] hujiulong/gcoord, test/unit/crs/GCJ02.spec.js: GCJ -> WGS and
 *       GCJ -> BD at (123, 45), checked there to 5 decimals.
 *  [PY] our own evaluation of the published formulas in plain Python
 *       (math module, double precision), independent of this C code; the
 *       inverses there iterate to 1e-13 deg. */
#include "territory/coord.h"

#include <math.h>

#include "test.h"

#define EXACT 1e-9 /* degrees; ~0.1 mm */

TEST(wgs_to_gcj_reference) {
  double lon, lat;
  /* [CT] wgs84togcj02(116.404, 39.915) */
  CHECK_EQ(wg_coord_wgs84_to_gcj02(116.404, 39.915, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 116.41024449916938, EXACT);
  CHECK_NEAR(lat, 39.91640428150164, EXACT);
  /* [EV] shanghai, shenzhen, beijing (eviltransform lists lat first) */
  CHECK_EQ(wg_coord_wgs84_to_gcj02(121.5272106, 31.1774276, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 121.531541859215, EXACT);
  CHECK_NEAR(lat, 31.17530398364597, EXACT);
  CHECK_EQ(wg_coord_wgs84_to_gcj02(113.912316, 22.543847, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 113.9171764808363, EXACT);
  CHECK_NEAR(lat, 22.540796131694766, EXACT);
  CHECK_EQ(wg_coord_wgs84_to_gcj02(116.377817, 39.911954, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 116.38404722455657, EXACT);
  CHECK_NEAR(lat, 39.91334545536069, EXACT);
  /* [PY] Lan County seat, 东村镇 (approx. 111.67E 38.28N, FACTS.md) */
  CHECK_EQ(wg_coord_wgs84_to_gcj02(111.67, 38.28, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 111.676457718172, EXACT);
  CHECK_NEAR(lat, 38.280466630735, EXACT);
}

TEST(gcj_to_bd_reference) {
  double lon, lat;
  /* [CT] gcj02tobd09(116.404, 39.915) */
  CHECK_EQ(wg_coord_gcj02_to_bd09(116.404, 39.915, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 116.41036949371029, EXACT);
  CHECK_NEAR(lat, 39.92133699351021, EXACT);
  /* [GC] GCJ02.to.BD09([123, 45]) */
  CHECK_EQ(wg_coord_gcj02_to_bd09(123, 45, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 123.00636499, 1e-8);
  CHECK_NEAR(lat, 45.00636899, 1e-8);
  /* [PY] WGS -> BD at the Lan County seat */
  CHECK_EQ(wg_coord_convert(111.67, 38.28, WG_CRS_WGS84, WG_CRS_BD09, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 111.683032956833, EXACT);
  CHECK_NEAR(lat, 38.286248641455, EXACT);
}

TEST(inverses_are_exact) {
  double lon, lat, back_lon, back_lat;
  /* GCJ -> WGS at (116.404, 39.915): [PY] exact 116.397755754575,
   * 39.913596235609; [CT]'s one-step answer (116.39775550083061,
   * 39.91359571849836) is ~5e-7 deg (~6 cm) off. */
  CHECK_EQ(wg_coord_gcj02_to_wgs84(116.404, 39.915, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 116.397755754575, EXACT);
  CHECK_NEAR(lat, 39.913596235609, EXACT);
  CHECK_NEAR(lon, 116.39775550083061, 1e-6);
  CHECK_NEAR(lat, 39.91359571849836, 1e-6);
  CHECK(fabs(lat - 39.91359571849836) > 1e-7); /* not the one-step formula */
  CHECK_EQ(wg_coord_wgs84_to_gcj02(lon, lat, &back_lon, &back_lat), WG_OK);
  CHECK_NEAR(back_lon, 116.404, EXACT);
  CHECK_NEAR(back_lat, 39.915, EXACT);

  /* [GC] GCJ02.to.WGS84([123, 45]) to 5 decimals; [PY] exact */
  CHECK_EQ(wg_coord_gcj02_to_wgs84(123, 45, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 122.99395597, 1e-5);
  CHECK_NEAR(lat, 44.99804071, 1e-5);
  CHECK_NEAR(lon, 122.993955810078, EXACT);
  CHECK_NEAR(lat, 44.998040618439, EXACT);

  /* BD -> GCJ at (116.404, 39.915): [PY] exact; [CT] one-step within 1e-6 */
  CHECK_EQ(wg_coord_bd09_to_gcj02(116.404, 39.915, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 116.397627087857, EXACT);
  CHECK_NEAR(lat, 39.908656339478, EXACT);
  CHECK_NEAR(lon, 116.39762729119315, 1e-6);
  CHECK_NEAR(lat, 39.90865673957631, 1e-6);
  CHECK_EQ(wg_coord_gcj02_to_bd09(lon, lat, &back_lon, &back_lat), WG_OK);
  CHECK_NEAR(back_lon, 116.404, EXACT);
  CHECK_NEAR(back_lat, 39.915, EXACT);
}

TEST(round_trips) {
  /* A grid over mainland China and its corners, plus Lan County. */
  int checked = 0;
  for (double lon = 73.5; lon <= 135.0; lon += 3.7) {
    for (double lat = 3.9; lat <= 53.5; lat += 2.3) {
      double g_lon, g_lat, w_lon, w_lat, b_lon, b_lat;
      CHECK_EQ(wg_coord_wgs84_to_gcj02(lon, lat, &g_lon, &g_lat), WG_OK);
      CHECK_EQ(wg_coord_gcj02_to_wgs84(g_lon, g_lat, &w_lon, &w_lat), WG_OK);
      CHECK_NEAR(w_lon, lon, 1e-6);
      CHECK_NEAR(w_lat, lat, 1e-6);
      CHECK_EQ(wg_coord_convert(lon, lat, WG_CRS_WGS84, WG_CRS_BD09, &b_lon, &b_lat), WG_OK);
      CHECK_EQ(wg_coord_to_wgs84(b_lon, b_lat, WG_CRS_BD09, &w_lon, &w_lat), WG_OK);
      CHECK_NEAR(w_lon, lon, 1e-6);
      CHECK_NEAR(w_lat, lat, 1e-6);
      ++checked;
    }
  }
  CHECK(checked > 300);
  double lon, lat, b_lon, b_lat;
  CHECK_EQ(wg_coord_convert(111.67, 38.28, WG_CRS_WGS84, WG_CRS_GCJ02, &lon, &lat), WG_OK);
  CHECK_EQ(wg_coord_to_wgs84(lon, lat, WG_CRS_GCJ02, &lon, &lat), WG_OK); /* aliasing ok */
  CHECK_NEAR(lon, 111.67, 1e-9);
  CHECK_NEAR(lat, 38.28, 1e-9);
  CHECK_EQ(wg_coord_convert(111.67, 38.28, WG_CRS_GCJ02, WG_CRS_BD09, &b_lon, &b_lat), WG_OK);
  CHECK_EQ(wg_coord_convert(b_lon, b_lat, WG_CRS_BD09, WG_CRS_GCJ02, &lon, &lat), WG_OK);
  CHECK_NEAR(lon, 111.67, 1e-9);
  CHECK_NEAR(lat, 38.28, 1e-9);
}

TEST(offset_sanity) {
  /* The GCJ-02 shift near Beijing is a few hundred metres ([PY]: ~555 m,
   * mostly eastward); BD-09 adds roughly another kilometre. */
  double lon, lat;
  CHECK_EQ(wg_coord_wgs84_to_gcj02(116.404, 39.915, &lon, &lat), WG_OK);
  double metres_per_deg = 6371008.8 * 3.14159265358979323846 / 180.0;
  double dx = (lon - 116.404) * metres_per_deg * cos(39.915 * 3.14159265358979323846 / 180.0);
  double dy = (lat - 39.915) * metres_per_deg;
  double shift = sqrt(dx * dx + dy * dy);
  CHECK(shift > 100 && shift < 1000);
  CHECK_NEAR(shift, 555.0, 5.0);
  CHECK(dx > 0);
}

TEST(outside_china_is_identity) {
  double lon, lat;
  /* London, New York, Sydney, Singapore: GCJ-02 == WGS84 */
  static const double points[][2] = {{-0.1276, 51.5072}, {-74.006, 40.7128},
                                     {151.2093, -33.8688}, {103.8198, 0.3521},
                                     {180, 90}, {-180, -90}};
  for (size_t i = 0; i < sizeof points / sizeof points[0]; ++i) {
    CHECK(wg_coord_out_of_china(points[i][0], points[i][1]));
    CHECK_EQ(wg_coord_wgs84_to_gcj02(points[i][0], points[i][1], &lon, &lat), WG_OK);
    CHECK(lon == points[i][0] && lat == points[i][1]);
    CHECK_EQ(wg_coord_to_wgs84(points[i][0], points[i][1], WG_CRS_GCJ02, &lon, &lat), WG_OK);
    CHECK(lon == points[i][0] && lat == points[i][1]);
  }
  CHECK(!wg_coord_out_of_china(111.67, 38.28));
  CHECK(!wg_coord_out_of_china(116.404, 39.915));
}

TEST(range_checks) {
  double lon = 1, lat = 2;
  CHECK_EQ(wg_coord_wgs84_to_gcj02(180.0001, 45, &lon, &lat), WG_EINVAL);
  CHECK_EQ(wg_coord_gcj02_to_wgs84(183, 45, &lon, &lat), WG_EINVAL); /* [GC] uses 183 */
  CHECK_EQ(wg_coord_gcj02_to_bd09(-180.5, 45, &lon, &lat), WG_EINVAL);
  CHECK_EQ(wg_coord_bd09_to_gcj02(116, 90.01, &lon, &lat), WG_EINVAL);
  CHECK_EQ(wg_coord_to_wgs84(116, -91, WG_CRS_BD09, &lon, &lat), WG_EINVAL);
  CHECK_EQ(wg_coord_to_wgs84(NAN, 39, WG_CRS_GCJ02, &lon, &lat), WG_EINVAL);
  CHECK_EQ(wg_coord_to_wgs84(116, INFINITY, WG_CRS_GCJ02, &lon, &lat), WG_EINVAL);
  CHECK_EQ(wg_coord_to_wgs84(116, 39, (wg_crs)7, &lon, &lat), WG_EINVAL);
  CHECK_EQ(wg_coord_convert(116, 39, WG_CRS_WGS84, WG_CRS_COUNT_, &lon, &lat), WG_EINVAL);
  CHECK(lon == 1 && lat == 2); /* outputs untouched on error */
  CHECK_EQ(wg_coord_to_wgs84(116.404, 39.915, WG_CRS_WGS84, &lon, &lat), WG_OK);
  CHECK(lon == 116.404 && lat == 39.915);
}

TEST(crs_names) {
  wg_crs crs = WG_CRS_BD09;
  CHECK_EQ(wg_crs_parse("wgs84", &crs), WG_OK);
  CHECK_EQ(crs, WG_CRS_WGS84);
  CHECK_EQ(wg_crs_parse("GCJ02", &crs), WG_OK);
  CHECK_EQ(crs, WG_CRS_GCJ02);
  CHECK_EQ(wg_crs_parse("Bd09", &crs), WG_OK);
  CHECK_EQ(crs, WG_CRS_BD09);
  CHECK_EQ(wg_crs_parse("WGS-84", &crs), WG_OK);
  CHECK_EQ(crs, WG_CRS_WGS84);
  CHECK_EQ(wg_crs_parse("gcj-02", &crs), WG_OK);
  CHECK_EQ(crs, WG_CRS_GCJ02);
  crs = WG_CRS_BD09;
  CHECK_EQ(wg_crs_parse("mercator", &crs), WG_EINVAL);
  CHECK_EQ(wg_crs_parse("", &crs), WG_EINVAL);
  CHECK_EQ(wg_crs_parse("wgs", &crs), WG_EINVAL);
  CHECK_EQ(wg_crs_parse("wgs844", &crs), WG_EINVAL);
  CHECK_EQ(wg_crs_parse("-wgs84", &crs), WG_EINVAL);
  CHECK_EQ(wg_crs_parse("gcj--02", &crs), WG_EINVAL);
  CHECK_EQ(wg_crs_parse(NULL, &crs), WG_EINVAL);
  CHECK_EQ(crs, WG_CRS_BD09); /* untouched */
  CHECK_STR(wg_crs_name(WG_CRS_GCJ02), "gcj02");
  CHECK_STR(wg_crs_name((wg_crs)42), "unknown");
}

int main(void) {
  RUN(wgs_to_gcj_reference);
  RUN(gcj_to_bd_reference);
  RUN(inverses_are_exact);
  RUN(round_trips);
  RUN(offset_sanity);
  RUN(outside_china_is_identity);
  RUN(range_checks);
  RUN(crs_names);
  return test_done();
}
