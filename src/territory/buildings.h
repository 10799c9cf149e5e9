/* buildings.h — a county's building layer (GeoJSON or Shapefile points or
 * footprints) into the ledger's standard addresses.
 *
 * Each feature is a building: its community (code or name), estate, name,
 * number of entrances, households and storeys come from attributes whose
 * names can be chosen; its position is the point (or the footprint's
 * centroid) converted to WGS84. All-or-nothing like the resident import:
 * every bad feature is reported (feature number, attribute, value, reason)
 * and nothing is written. The households a layer declares are used for
 * division only where the ledger has no residents yet. */
#ifndef WG_BUILDINGS_H
#define WG_BUILDINGS_H

#include <stdio.h>

#include "store/store.h"
#include "territory/coord.h"

typedef struct wg_buildings_opts {
  const char *county;        /* required */
  const char *community;     /* default community (code or name) */
  wg_crs crs;                /* of the file's coordinates (default WGS84) */
  /* Attribute names; NULL = the defaults (Chinese or English):
   * 社区/community, 小区/estate, 楼栋/name, 单元数/entrances, 户数/households,
   * 层数/floors. */
  const char *f_community, *f_estate, *f_name, *f_entrances, *f_households, *f_floors;
  const char *actor;
  FILE *report;              /* bad features are listed here */
  long max_listed;           /* 0 = 1000 */
} wg_buildings_opts;

typedef struct wg_buildings_result {
  long features, buildings, entrances, households, bad;
  char format[16];
} wg_buildings_result;

wg_err wg_buildings_import(wg_store_t *s, const char *path, const wg_buildings_opts *o,
                           wg_buildings_result *res, wg_errinfo *ei) WG_MUST_CHECK;

#endif
