/* geometry.h — the geometry wangge needs for grids, on GEOS (libgeos_c).
 *
 * Coordinates are WGS84 longitude/latitude degrees unless `lonlat` is 0
 * (then planar metres). Internally lon/lat is projected to local metres
 * (equirectangular about the data's mean latitude) so lengths and areas come
 * out in metres and square metres.
 *
 * Polygons cross this interface as WKB (ISO, 2D, little-endian) byte
 * strings: the form both SQLite (BLOB) and PostGIS store. Ownership: every
 * out-pointer this header fills is malloc'd and freed with the matching
 * _free; inputs are borrowed. */
#ifndef WG_GEOMETRY_H
#define WG_GEOMETRY_H

#include <stddef.h>

#include "util/err.h"

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
 * limit), and only between points of the same group (group may be NULL).
 * Coincident points (several entrances of one building) are all adjacent to
 * each other and share the neighbours of their location. */
wg_err wg_geom_point_adjacency(int n, const double *x, const double *y, int lonlat,
                               const int *group, const wg_geom_line *barriers, int nbarriers,
                               double max_edge, wg_geom_adjacency *out,
                               wg_errinfo *ei) WG_MUST_CHECK;

/* Neighbours of polygons (WKB): those sharing a boundary of positive length
 * (rook adjacency), with that length. */
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
 * else the convex hull of its points buffered by `margin` metres.
 * labels[u] in 0..nlabels-1 (or -1 = unit left out); out gets nlabels
 * polygons (an empty polygon for a label without units). Coincident points
 * share their cell. */
wg_err wg_geom_grid_polygons(int n, const double *x, const double *y, int lonlat,
                             const int *group, int ngroups,
                             const unsigned char *const *boundary, const size_t *boundary_len,
                             double margin, const int *labels, int nlabels, wg_geom_poly *out,
                             wg_errinfo *ei) WG_MUST_CHECK;

/* Gap and overlap of a set of polygons against the area they should tile
 * (area WKB; NULL = the union of the polygons, so only overlap counts):
 * gap = area − union, overlap = Σ areas − union, both in m². */
wg_err wg_geom_coverage(int npolys, const wg_geom_poly *polys, const unsigned char *area,
                        size_t area_len, int lonlat, double *gap, double *overlap,
                        wg_errinfo *ei) WG_MUST_CHECK;

/* 1 when the point lies in (or on the boundary of) the polygon. */
int wg_geom_contains(const unsigned char *wkb, size_t wkb_len, double x, double y);

/* Writes a polygon as a GeoJSON geometry object ({"type":"Polygon", …}) with
 * `decimals` digits after the point (7 ≈ 1 cm for degrees) into a malloc'd
 * string. */
wg_err wg_geom_to_geojson(const unsigned char *wkb, size_t wkb_len, int decimals, char **out,
                          wg_errinfo *ei) WG_MUST_CHECK;

#endif
