/* shapefile.h — ESRI Shapefiles (.shp + .shx + .dbf) read with shapelib.
 *
 * Point, PointZ and PointM layers become points (z and m dropped);
 * Polygon, PolygonZ and PolygonM layers become polygons, grouping each
 * record's rings the shapefile way (clockwise rings are exteriors,
 * counter-clockwise ones holes of the exterior that contains them) into a
 * Polygon or MultiPolygon WKB. Other shape types (arcs, multipoints,
 * multipatches) are refused. Attributes come from the .dbf next to the
 * .shp: text fields as strings (UTF-8; GB18030/GBK text, as Chinese
 * shapefiles usually carry, is converted), numeric fields as numbers,
 * logical fields as booleans, dates as YYYYMMDD strings. The .prj is not
 * read: coordinates are taken as they are (see wg_features_t.lonlat). */
#ifndef WG_IO_SHAPEFILE_H
#define WG_IO_SHAPEFILE_H

#include "io/features.h"

/* Read the shapefile at path (the .shp; its .shx and .dbf beside it). out is
 * zeroed first; free with wg_features_free, also after an error. Errors:
 * WG_EIO (missing or unreadable .shp/.shx/.dbf), WG_EFORMAT (unsupported
 * shape type, a record without geometry or with a broken ring: ei->why
 * names the 0-based feature), WG_ETOOBIG (caps of wg_features_opts),
 * WG_ENOMEM. */
wg_err wg_shapefile_read(const char *path, const wg_features_opts *opts, wg_features_t *out,
                         wg_errinfo *ei) WG_MUST_CHECK;

#endif
