/* geometry.h — the geometry wangge needs for grids, on GEOS (libgeos_c).
 *
 * Coordinates are WGS84 longitude/latitude degrees unless `lonlat` is 0
 * (then planar metres). Internally lon/lat is projected to local metres
 * (equirectangular about the data's mean latitude) so lengths and areas come
 * out in metres and square metres; east–west scale is off by about
 * tan(lat)·Δlat (0.11% per 10 km from the mean latitude at 36°N): fine
 * within a county, not for surveying. Latitudes beyond ±85° are rejected.
 * Input polygons may use either WKB byte order; only 2D Polygon and
 * MultiPolygon are read.
 *
 * Polygons cross this interface as WKB (ISO, 2D, little-endian) byte
 * strings: the form both SQLite (BLOB) and PostGIS store. Ownership: every
 * out-pointer this header fills is malloc'd and freed with the matching
 * _free; inputs are borrowed. */
#ifndef WG_GEOMETRY_H
#define WG_GEOMETRY_H

#include <stddef.h>

#include "util/err.h"

/* Caps: over one → WG_ETOOBIG, never an abort. */
#define WG_GEOM_MAX_POINTS 5000000      /* points, polygons, groups or labels per call */
#define WG_GEOM_MAX_VERTICES 1000000    /* vertices of one WKB polygon or one barrier */
#define WG_GEOM_MAX_NEIGHBOURS 64000000 /* adjacency entries (each edge counts twice) */

/* A linestring that adjacency may not cross (a river, a main road). */
typedef struct wg_geom_line {
  int npoints;
  const double *x, *y;     /* [npoints] */
} wg_geom_line;

/* Undirected adjacency in CSR form: neighbours of unit u are
 * adj[adj_start[u] .. adj_start[u+1]-1]. Each edge appears in both lists. */
typedef struct wg_geom_adjacency {
  int n;
  int *adj_start;          /* [n+1] */
  int *adj;                /* [adj_start[n]] */
  double *shared;          /* [adj_start[n]] shared boundary length (m) for
                              polygon adjacency; NULL for point adjacency */
} wg_geom_adjacency;

void wg_geom_adjacency_free(wg_geom_adjacency *a); /* accepts zeroed */

/* Neighbours of points: the edges of their Delaunay triangulation, minus
 * edges that cross a barrier and edges longer than max_edge metres (0 = no
 * limit), and only between points of the same group (group may be NULL;
 * any int values; each group is triangulated alone). Coincident points
 * (several entrances of one building) are all adjacent to each other and
 * share the neighbours of their location. An edge touching a barrier, even
 * at an end, is dropped. Collinear points are chained along their line.
 * Each list is in increasing order. out is overwritten (not freed first).
 * Errors: WG_EINVAL (bad coordinate — ei->why names the point —, barrier of
 * < 2 points, max_edge < 0), WG_ETOOBIG (caps above), WG_ENOMEM. */
wg_err wg_geom_point_adjacency(int n, const double *x, const double *y, int lonlat,
                               const int *group, const wg_geom_line *barriers, int nbarriers,
                               double max_edge, wg_geom_adjacency *out,
                               wg_errinfo *ei) WG_MUST_CHECK;

/* Neighbours of polygons (WKB): those sharing a boundary of positive length
 * (rook adjacency), with that length in metres. Boundaries are snapped to a
 * 1 mm grid when need be (edges stored a few ulps apart still match) and
 * shared lengths ≤ 1 cm are ignored, so touching corners do not count; nor do
 * edges separated by a wider sliver (clean such data first).
 * Errors: WG_EFORMAT (bad WKB, ei->why names the polygon), WG_EINVAL,
 * WG_ETOOBIG, WG_ENOMEM. */
wg_err wg_geom_polygon_adjacency(int n, const unsigned char *const *wkb, const size_t *wkb_len,
                                 int lonlat, wg_geom_adjacency *out,
                                 wg_errinfo *ei) WG_MUST_CHECK;

/* One polygon (or multipolygon) as WKB with its measures. */
typedef struct wg_geom_poly {
  unsigned char *wkb;      /* owned */
  size_t wkb_len;
  double area;             /* m² */
  double perimeter;        /* m */
  double polsby_popper;    /* 4πA / P², 0..1 */
  double minx, miny, maxx, maxy; /* bounding box in input coordinates */
} wg_geom_poly;

void wg_geom_poly_free(wg_geom_poly *p); /* frees p->wkb; accepts zeroed */

/* Grid polygons that tile an area: the Voronoi cells of the units (points),
 * clipped to the area of their group, unioned per label. The area of a
 * group is its boundary polygon when given (boundary[g] WKB, NULL = none),
 * else the convex hull of its points buffered by `margin` metres (hulls of
 * neighbouring groups may overlap each other: give boundaries to tile a
 * county). group[u] in 0..ngroups-1; group NULL = one group (ngroups
 * ignored, boundary[0] its boundary). labels[u] in 0..nlabels-1 (or -1 =
 * unit left out: it is no Voronoi site); labels should not span groups.
 * out gets nlabels polygons (an empty polygon, measures and bbox 0, for a
 * label without units). Coincident points share their cell; when they
 * carry different labels (an entrance split across grids) the cell is cut
 * into wedges around the point, one per label, angles proportional to the
 * label's units there, so each such label gets a piece touching the point.
 * A unit outside its group's boundary may end up outside its polygon.
 * On error all out[] are freed. Errors: WG_EINVAL (coordinates, labels,
 * groups, margin < 0, an empty area: collinear units with margin 0),
 * WG_EFORMAT (boundary WKB), WG_ETOOBIG, WG_ENOMEM. */
wg_err wg_geom_grid_polygons(int n, const double *x, const double *y, int lonlat,
                             const int *group, int ngroups,
                             const unsigned char *const *boundary, const size_t *boundary_len,
                             double margin, const int *labels, int nlabels, wg_geom_poly *out,
                             wg_errinfo *ei) WG_MUST_CHECK;

/* The measures of the units' own cells — the Voronoi cells
 * wg_geom_grid_polygons unions, with the same arguments — for the divide
 * core's shape objective: area[u] (m²; units at one location share its
 * cell equally), shared[e] for each entry of adj (m: the boundary the two
 * units' cells share, split evenly over the pairs of units at the two
 * locations; for units at the same location a notional cut through the
 * cell), outer[u] (m: the rest of the cell's boundary — the area's edge,
 * other groups, neighbours adj does not list such as across a barrier).
 * Errors: as wg_geom_grid_polygons. */
wg_err wg_geom_unit_cells(int n, const double *x, const double *y, int lonlat, const int *group,
                          int ngroups, const unsigned char *const *boundary,
                          const size_t *boundary_len, double margin, const wg_geom_adjacency *adj,
                          double *area, double *outer, double *shared,
                          wg_errinfo *ei) WG_MUST_CHECK;

/* Gap and overlap of a set of polygons against the area they should tile
 * (area WKB; NULL = the union of the polygons, so only overlap counts):
 * gap = area of the part of `area` no polygon covers (= area − union when
 * the polygons lie inside it), overlap = Σ areas − union, both in m² and
 * clamped at 0. Polygons with wkb NULL count as empty. */
wg_err wg_geom_coverage(int npolys, const wg_geom_poly *polys, const unsigned char *area,
                        size_t area_len, int lonlat, double *gap, double *overlap,
                        wg_errinfo *ei) WG_MUST_CHECK;

/* 1 when the point lies in (or on the boundary of) the polygon; points
 * within 1e-9 coordinate units of it count as on the boundary. 0 for bad
 * WKB. Parses the WKB on every call: for many lookups index the bboxes. */
int wg_geom_contains(const unsigned char *wkb, size_t wkb_len, double x, double y);

/* Writes a polygon as a GeoJSON geometry object ({"type":"Polygon", …} or
 * "MultiPolygon") with `decimals` (0..17) digits after the point (7 ≈ 1 cm
 * for degrees) into a malloc'd string (free()). Rings follow RFC 7946's
 * orientation (exterior counter-clockwise). Errors: WG_EINVAL, WG_EFORMAT,
 * WG_ETOOBIG, WG_ENOMEM. */
wg_err wg_geom_to_geojson(const unsigned char *wkb, size_t wkb_len, int decimals, char **out,
                          wg_errinfo *ei) WG_MUST_CHECK;

/* Polygons (WKB) unioned per label, for grid polygons made of unit
 * footprints: out[k] = the union of the polygons u with labels[u] == k
 * (an empty polygon when none; labels[u] == -1 leaves u out), with its
 * measures (metres). out has nlabels entries, each freed with
 * wg_geom_poly_free (all freed here on error). Errors: WG_EINVAL (label out
 * of range, GEOS failure), WG_EFORMAT (bad WKB: ei->why names the polygon),
 * WG_ETOOBIG, WG_ENOMEM. (geometry_union.c) */
wg_err wg_geom_union_by_label(int n, const unsigned char *const *wkb, const size_t *wkb_len,
                              int lonlat, const int *labels, int nlabels, wg_geom_poly *out,
                              wg_errinfo *ei) WG_MUST_CHECK;

#endif
