/* features_int.h — shared between the feature readers (geojson.c,
 * shapefile.c) and features.c: building a wg_features_t and WKB. */
#ifndef WG_IO_FEATURES_INT_H
#define WG_IO_FEATURES_INT_H

#include "io/features.h"

#define WG__FEAT_MAX_BYTES ((size_t)1 << 30)
#define WG__FEAT_MAX_FEATURES 5000000
#define WG__FEAT_MAX_VERTICES 1000000L
#define WG__FEAT_MAX_DEPTH 64
#define WG__FEAT_MAX_FIELDS 1024
#define WG__FEAT_MAX_VALUE ((size_t)64 << 10)

/* Opts with every zero replaced by its default. */
wg_features_opts wg__features_opts(const wg_features_opts *o);

/* Rings of one feature's polygons, collected before they become WKB. */
typedef struct wg__polyb {
  double *xy;           /* all coordinates, (x, y) pairs */
  long npts, cappts;    /* pairs used / allocated */
  long *ring_start;     /* [nrings + 1] offsets into xy, in pairs */
  int *ring_part;       /* [nrings] polygon each ring belongs to */
  int nrings, caprings;
  int nparts;           /* polygons (1 + highest part seen) */
} wg__polyb;

void wg__polyb_reset(wg__polyb *pb); /* empties it, keeps the memory */
void wg__polyb_free(wg__polyb *pb);
/* Append a ring of npoints (x, y) pairs to polygon `part`; closes it when
 * its ends differ. Returns WG_ENOMEM or WG_OK. */
wg_err wg__polyb_ring(wg__polyb *pb, int part, const double *xy, long npoints) WG_MUST_CHECK;
/* The collected polygons as WKB (Polygon for one part, MultiPolygon for
 * several; rings grouped by part in part order) in a malloc'd buffer, and
 * the area centroid (vertex mean when the area is 0). */
wg_err wg__polyb_wkb(const wg__polyb *pb, unsigned char **wkb, size_t *len, double *cx,
                     double *cy) WG_MUST_CHECK;
/* Signed shoelace area of a closed ring (counter-clockwise > 0). */
double wg__ring_area(const double *xy, long npoints);

/* Start an empty layer with these property names (copied). */
wg_err wg__features_init(wg_features_t *f, const char *format, char *const *fields,
                         int nfields) WG_MUST_CHECK;
/* Append a feature (wkb owned by f from now on, also on error; NULL for a
 * point); its values are then set with wg__features_set. */
wg_err wg__features_add(wg_features_t *f, wg_feature_kind kind, double x, double y,
                        unsigned char *wkb, size_t wkb_len) WG_MUST_CHECK;
/* Set field of the last feature to a copy of text[0..len). */
wg_err wg__features_set(wg_features_t *f, int field, wg_value_type type, const char *text,
                        size_t len) WG_MUST_CHECK;

#endif
