/* barriers.h — lines that grid adjacency may not cross (rivers, main roads,
 * railways), read from GeoJSON: a LineString or MultiLineString geometry, a
 * Feature, or a FeatureCollection of them. Other geometries are ignored. */
#ifndef WG_BARRIERS_H
#define WG_BARRIERS_H

#include "territory/geometry.h"

typedef struct wg_barriers {
  int n;
  wg_geom_line *lines;    /* [n]; each line owns its coordinates */
} wg_barriers;

/* Appends the lines in the GeoJSON text to b (which may already hold some).
 * WG_EFORMAT with ei->why when the text is not GeoJSON or a line has fewer
 * than two numeric points; WG_ETOOBIG past WG_GEOM_MAX_VERTICES points in a
 * line. */
wg_err wg_barriers_parse(wg_barriers *b, const char *geojson, wg_errinfo *ei) WG_MUST_CHECK;

/* The same for a file (capped at 256 MiB). */
wg_err wg_barriers_load(wg_barriers *b, const char *path, wg_errinfo *ei) WG_MUST_CHECK;

void wg_barriers_free(wg_barriers *b); /* accepts a zeroed struct */

#endif
