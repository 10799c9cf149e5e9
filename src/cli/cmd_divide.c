/* cmd_divide.c — file in, file out: `wangge divide --units FILE` divides a
 * GeoJSON or Shapefile layer of units (points or polygons) into nested
 * grids, and `wangge check` checks a plan file or declared grid counts.
 *
 * Grid codes in file mode: the level-1 code is the unit's --group value (or
 * "G" without --group) followed by the grid's number within its parent, two
 * digits per level (three when a parent at that level has more than 99
 * children): G01, G0103, G010307. Numbers run west→east, north→south within
 * the parent (divide.h). A unit the core split over several grids gets the
 * codes joined by ';' and a property grid_split listing each piece as
 * "l1/l2/l3:households" separated by ';'. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "divide/divide.h"
#include "io/features.h"
#include "io/geojson.h"
#include "territory/barriers.h"
#include "territory/geometry.h"
#include "util/strmap.h"

#define CODE_MAX 96         /* bytes of a grid code, NUL included */
#define GROUP_MAX 64        /* bytes of a --group value used in codes */
#define LISTED_MAX 50       /* violations printed in the text summary */
#define JSON_UNITS_MAX 20   /* units listed per violation in --json */

/* ---- shared: units from a file ----------------------------------------- */

typedef struct units {
  wg_features_t f;
  const char *path;
  long *households;        /* [n] */
  long total;
  int *group;              /* [n] */
  int ngroups;
  char **group_names;      /* [ngroups] code prefixes */
  wg_geom_adjacency adj;
  double *area;            /* [n] polygons: m² (NULL for points) */
  double *outer;           /* [n] polygons: boundary shared with no unit, m */
} units;

static void units_free(units *u) {
  wg_features_free(&u->f);
  free(u->households);
  free(u->group);
  if (u->group_names)
    for (int g = 0; g < u->ngroups; g++) free(u->group_names[g]);
  free(u->group_names);
  wg_geom_adjacency_free(&u->adj);
  free(u->area);
  free(u->outer);
  memset(u, 0, sizeof *u);
}

/* Area and perimeter of one polygon's rings (outer rings add, holes
 * subtract), in metres for lon/lat (equirectangular about lat0, as the
 * geometry module projects) or in the file's units. */
typedef struct measure {
  int lonlat;
  double k;                /* metres per degree of latitude */
  double coslat;
  double area, perimeter;
} measure;

static int measure_ring(void *ctx, int part, int ring, int npoints, const double *xy) {
  (void)part;
  measure *m = ctx;
  double sx = m->lonlat ? m->k * m->coslat : 1.0, sy = m->lonlat ? m->k : 1.0;
  double a = 0, len = 0;
  for (int i = 0; i + 1 < npoints; i++) {
    double x0 = xy[2 * i] * sx, y0 = xy[2 * i + 1] * sy;
    double x1 = xy[2 * i + 2] * sx, y1 = xy[2 * i + 3] * sy;
    a += x0 * y1 - x1 * y0;
    len += sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
  }
  a = fabs(a) / 2;
  m->area += ring == 0 ? a : -a;
  m->perimeter += len;
  return 0;
}

/* For polygon units: areas, and the boundary each shares with no other
 * unit, so the divide core can weigh compactness as Polsby-Popper does. */
static int measure_units(units *u) {
  const wg_features_t *f = &u->f;
  if (f->kind != WG_FEATURE_POLYGON || !u->adj.shared) return 1;
  u->area = calloc((size_t)f->n + 1, sizeof *u->area);
  u->outer = calloc((size_t)f->n + 1, sizeof *u->outer);
  if (!u->area || !u->outer) return 0;
  double lat0 = 0;
  for (int i = 0; i < f->n; i++) lat0 += f->y[i];
  lat0 = f->n ? lat0 / f->n : 0;
  for (int i = 0; i < f->n; i++) {
    measure m = {.lonlat = f->lonlat, .k = 6371008.8 * 3.14159265358979323846 / 180.0,
                 .coslat = cos(lat0 * 3.14159265358979323846 / 180.0)};
    if (wg_wkb_rings(f->wkb[i], f->wkb_len[i], measure_ring, &m) != WG_OK) return 0;
    double shared = 0;
    for (int k = u->adj.adj_start[i]; k < u->adj.adj_start[i + 1]; k++) shared += u->adj.shared[k];
    u->area[i] = m.area > 0 ? m.area : 0;
    u->outer[i] = m.perimeter > shared ? m.perimeter - shared : 0;
  }
  return 1;
}

static void fmt_thousands(long v, char *buf, size_t cap) {
  char tmp[32];
  int len = snprintf(tmp, sizeof tmp, "%ld", v < 0 ? -v : v);
  size_t o = 0;
  if (v < 0 && o + 1 < cap) buf[o++] = '-';
  for (int i = 0; i < len && o + 1 < cap; i++) {
    if (i > 0 && (len - i) % 3 == 0 && o + 1 < cap) buf[o++] = ',';
    if (o + 1 < cap) buf[o++] = tmp[i];
  }
  buf[o] = '\0';
}

/* "300-500,50-100,10-20" → bounds, 1..3 levels. Prints the error. */
static int parse_bounds(const char *cmd, const char *text, wg_divide_bounds_t *b, int *nlevels) {
  int n = 0;
  const char *p = text;
  while (*p) {
    char *end;
    if (n == WG_DIVIDE_MAX_LEVELS) goto bad;
    long lo = strtol(p, &end, 10);
    if (end == p || *end != '-') goto bad;
    p = end + 1;
    long hi = strtol(p, &end, 10);
    if (end == p || (*end != ',' && *end != '\0')) goto bad;
    if (lo < 0 || hi < 1 || lo > hi || hi > 1000000000L) goto bad;
    b[n].lo = lo;
    b[n].hi = hi;
    n++;
    p = *end ? end + 1 : end;
    if (*end == ',' && !*p) goto bad;
  }
  if (n == 0) goto bad;
  *nlevels = n;
  return 1;
bad:
  fprintf(stderr,
          "wangge %s: --bounds '%s': want one to three LO-HI ranges, outermost first, "
          "e.g. 300-500,50-100,10-20 (0 <= LO <= HI, HI >= 1)\n",
          cmd, text);
  return 0;
}

static void list_fields(const wg_features_t *f, char *buf, size_t cap) {
  size_t o = 0;
  buf[0] = '\0';
  for (int k = 0; k < f->nfields && o + 1 < cap; k++) {
    int w = snprintf(buf + o, cap - o, "%s%s", k ? ", " : "", f->fields[k]);
    if (w < 0) break;
    o += (size_t)w;
  }
  if (f->nfields == 0) snprintf(buf, cap, "none");
}

/* Reads the layer, households from `weight`, groups from `group_field`,
 * converts to WGS84 from crs, and (with_adj) the adjacency. Prints errors;
 * returns 0 on failure. */
static int load_units(const char *cmd, const char *path, const char *weight,
                      const char *group_field, wg_crs crs, const char *barriers_path,
                      int with_adj, units *u) {
  wg_errinfo ei = {0};
  memset(u, 0, sizeof *u);
  u->path = path;
  wg_err e = wg_features_read(path, NULL, &u->f, &ei);
  if (!e) e = wg_features_to_wgs84(&u->f, crs, &ei);
  if (e) {
    wg_cli_error(cmd, e, &ei);
    return 0;
  }
  wg_features_t *f = &u->f;
  if (f->n == 0) {
    fprintf(stderr, "wangge %s: %s: no features\n", cmd, path);
    return 0;
  }
  if (crs != WG_CRS_WGS84 && !f->lonlat) {
    fprintf(stderr, "wangge %s: %s: --crs %s needs longitude/latitude coordinates\n", cmd, path,
            wg_crs_name(crs));
    return 0;
  }
  char fields[512];
  int wf = wg_features_field(f, weight);
  if (wf < 0) {
    list_fields(f, fields, sizeof fields);
    fprintf(stderr, "wangge %s: %s: no property '%s' for --weight (properties: %s)\n", cmd, path,
            weight, fields);
    return 0;
  }
  int gf = -1;
  if (group_field && (gf = wg_features_field(f, group_field)) < 0) {
    list_fields(f, fields, sizeof fields);
    fprintf(stderr, "wangge %s: %s: no property '%s' for --group (properties: %s)\n", cmd, path,
            group_field, fields);
    return 0;
  }
  u->households = malloc(sizeof(long) * (size_t)f->n);
  u->group = calloc((size_t)f->n, sizeof(int));
  if (!u->households || !u->group) goto nomem;
  for (int i = 0; i < f->n; i++) {
    const char *v = wg_features_value(f, i, wf);
    if (!v) {
      fprintf(stderr, "wangge %s: %s: feature %d: no value for '%s'\n", cmd, path, i, weight);
      return 0;
    }
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !(d == floor(d)) || fabs(d) > 1e12) {
      fprintf(stderr, "wangge %s: %s: feature %d: '%s' is '%.40s', not a whole number\n", cmd,
              path, i, weight, v);
      return 0;
    }
    if (d < 0) {
      fprintf(stderr, "wangge %s: %s: feature %d: '%s' is %.0f, a negative number\n", cmd, path,
              i, weight, d);
      return 0;
    }
    u->households[i] = (long)d;
    u->total += u->households[i];
  }
  u->ngroups = 1;
  if (gf >= 0) {
    wg_strmap map;
    wg_strmap_init(&map);
    int cap = 0;
    u->ngroups = 0;
    for (int i = 0; i < f->n; i++) {
      const char *v = wg_features_value(f, i, gf);
      if (!v || !*v) {
        wg_strmap_free(&map);
        fprintf(stderr, "wangge %s: %s: feature %d: no value for --group '%s'\n", cmd, path, i,
                group_field);
        return 0;
      }
      size_t len = strlen(v);
      if (len >= GROUP_MAX) {
        wg_strmap_free(&map);
        fprintf(stderr, "wangge %s: %s: feature %d: group '%.40s…' is longer than %d bytes\n",
                cmd, path, i, v, GROUP_MAX - 1);
        return 0;
      }
      int64_t id;
      if (!wg_strmap_get(&map, v, len, &id)) {
        if (u->ngroups == cap) {
          cap = cap ? cap * 2 : 16;
          char **nn = realloc(u->group_names, sizeof(char *) * (size_t)cap);
          if (!nn) {
            wg_strmap_free(&map);
            goto nomem;
          }
          u->group_names = nn;
        }
        id = u->ngroups;
        u->group_names[u->ngroups] = strdup(v);
        if (!u->group_names[u->ngroups]) {
          wg_strmap_free(&map);
          goto nomem;
        }
        u->ngroups++;
        if (wg_strmap_put(&map, v, len, id)) {
          wg_strmap_free(&map);
          goto nomem;
        }
      }
      u->group[i] = (int)id;
    }
    wg_strmap_free(&map);
  } else {
    u->group_names = calloc(1, sizeof(char *));
    if (!u->group_names || !(u->group_names[0] = strdup("G"))) goto nomem;
  }
  if (!with_adj) return 1;
  if (f->kind == WG_FEATURE_POINT) {
    /* Lines no neighbourhood crosses: rivers, main roads (GeoJSON). */
    wg_barriers bar = {0};
    e = barriers_path ? wg_barriers_load(&bar, barriers_path, &ei) : WG_OK;
    if (!e)
      e = wg_geom_point_adjacency(f->n, f->x, f->y, f->lonlat, u->group, bar.lines, bar.n, 0,
                                  &u->adj, &ei);
    wg_barriers_free(&bar);
  } else {
    e = wg_geom_polygon_adjacency(f->n, (const unsigned char *const *)f->wkb, f->wkb_len,
                                  f->lonlat, &u->adj, &ei);
  }
  if (e) {
    if (!ei.file[0]) snprintf(ei.file, sizeof ei.file, "%s", path);
    wg_cli_error(cmd, e, &ei);
    return 0;
  }
  if (!measure_units(u)) goto nomem;
  return 1;
nomem:
  fprintf(stderr, "wangge %s: out of memory\n", cmd);
  return 0;
}

static void input_of(const units *u, int nlevels, const wg_divide_bounds_t *b,
                     wg_divide_input_t *in) {
  memset(in, 0, sizeof *in);
  in->n = u->f.n;
  in->households = u->households;
  in->x = u->f.x;
  in->y = u->f.y;
  in->lonlat = u->f.lonlat;
  in->group = u->group;
  in->ngroups = u->ngroups;
  in->adj_start = u->adj.adj_start;
  in->adj = u->adj.adj;
  /* Polygons: weigh compactness by real areas and shared boundaries. */
  in->area = u->area;
  in->edge_length = u->area ? u->adj.shared : NULL;
  in->outer_length = u->outer;
  in->nlevels = nlevels;
  for (int l = 0; l < nlevels; l++) in->bounds[l] = b[l];
}

static const char *kind_name(const units *u) {
  return u->f.kind == WG_FEATURE_POINT ? "points" : "polygons";
}

/* Index of the first grid of each level in r->grids, and the end. */
static void level_starts(const wg_divide_result_t *r, int start[WG_DIVIDE_MAX_LEVELS + 1]) {
  for (int l = 0; l <= WG_DIVIDE_MAX_LEVELS; l++) start[l] = r->ngrids;
  for (int g = r->ngrids - 1; g >= 0; g--) start[r->grids[g].level - 1] = g;
  for (int l = WG_DIVIDE_MAX_LEVELS - 1; l >= 0; l--)
    if (start[l] > start[l + 1]) start[l] = start[l + 1];
}

/* Polygons per level: union of unit polygons per grid (polygon layers) or
 * Voronoi cells of the units unioned per grid (point layers). labels[u] =
 * grid index within the level, -1 = none. */
static wg_err level_polygons(const units *u, const int *labels, int nlabels, wg_geom_poly *out,
                             wg_errinfo *ei) {
  const wg_features_t *f = &u->f;
  if (f->kind == WG_FEATURE_POLYGON)
    return wg_geom_union_by_label(f->n, (const unsigned char *const *)f->wkb, f->wkb_len,
                                  f->lonlat, labels, nlabels, out, ei);
  return wg_geom_grid_polygons(f->n, f->x, f->y, f->lonlat, u->group, u->ngroups, NULL, NULL,
                               30.0, labels, nlabels, out, ei);
}

static void polys_free(wg_geom_poly *p, int n) {
  if (!p) return;
  for (int i = 0; i < n; i++) wg_geom_poly_free(&p[i]);
  free(p);
}

/* ---- summaries --------------------------------------------------------- */

typedef struct level_geo {
  int have;              /* polygons were measured */
  double gap, overlap;   /* m² */
  double mean_pp;        /* mean Polsby-Popper of non-empty polygons */
  double area;           /* m², all the level's polygons */
} level_geo;

static void print_levels(const wg_divide_result_t *r, const wg_divide_bounds_t *b,
                         const level_geo *geo) {
  for (int l = 0; l < r->nlevels; l++) {
    const wg_divide_level_stats_t *s = &r->stats[l];
    char mn[32], md[32], mx[32];
    fmt_thousands(s->min, mn, sizeof mn);
    fmt_thousands(s->median, md, sizeof md);
    fmt_thousands(s->max, mx, sizeof mx);
    printf("level %d (%ld-%ld): %d grids; households min %s / median %s / max %s\n", l + 1,
           b[l].lo, b[l].hi, s->grids, mn, md, mx);
    printf("  out of bounds %d (%d forced, %d avoidable); contiguous %d of %d; nesting errors "
           "%d; mean compactness %.2f\n",
           s->out_of_bounds, s->out_of_bounds_forced, s->out_of_bounds - s->out_of_bounds_forced,
           s->grids - s->noncontiguous, s->grids, s->nesting_errors, s->mean_compactness);
    if (geo && geo[l].have)
      printf("  gap %.1f m², overlap %.1f m²; mean Polsby-Popper %.2f\n", geo[l].gap,
             geo[l].overlap, geo[l].mean_pp);
  }
}

/* codes[g] names result grid g (CODE_MAX bytes each), or NULL. */
static void print_violations(const wg_divide_result_t *r, const char *codes) {
  printf("violations: %d (%d forced, %d avoidable)\n", r->nviolations, r->forced, r->avoidable);
  int shown = 0;
  /* avoidable ones first: they are what the user must fix */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < r->nviolations; i++) {
      const wg_divide_violation_t *v = &r->violations[i];
      if ((pass == 0) != !v->forced) continue;
      if (shown++ == LISTED_MAX) {
        printf("  … and %d more (--json lists them all)\n", r->nviolations - LISTED_MAX);
        return;
      }
      if (shown > LISTED_MAX) return;
      printf("  %-9s %-10s", v->forced ? "forced" : "AVOIDABLE", wg_divide_vkind_name(v->kind));
      if (v->level) printf(" level %d", v->level);
      if (codes && v->grid >= 0) printf(" grid %s", codes + (size_t)v->grid * CODE_MAX);
      printf(": %s", v->reason);
      if (v->nunits > 0) {
        printf(" (feature%s", v->nunits > 1 ? "s" : "");
        for (int k = 0; k < v->nunits && k < 8; k++) printf(" %d", v->units[k]);
        if (v->nunits > 8) printf(" … %d in all", v->nunits);
        printf(")");
      }
      printf("\n");
    }
}

static json_t *json_levels(const wg_divide_result_t *r, const wg_divide_bounds_t *b,
                           const level_geo *geo) {
  json_t *a = json_array();
  for (int l = 0; l < r->nlevels; l++) {
    const wg_divide_level_stats_t *s = &r->stats[l];
    json_t *o = json_pack("{s:i,s:I,s:I,s:i,s:I,s:I,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:f}",
                          "level", l + 1, "lo", (json_int_t)b[l].lo, "hi", (json_int_t)b[l].hi,
                          "grids", s->grids, "min", (json_int_t)s->min, "median",
                          (json_int_t)s->median, "max", (json_int_t)s->max, "out_of_bounds",
                          s->out_of_bounds, "out_of_bounds_forced", s->out_of_bounds_forced,
                          "out_of_bounds_avoidable", s->out_of_bounds - s->out_of_bounds_forced,
                          "contiguous", s->grids - s->noncontiguous, "noncontiguous",
                          s->noncontiguous, "nesting_errors", s->nesting_errors,
                          "mean_compactness", s->mean_compactness, "within_target",
                          s->within_target);
    if (o && geo && geo[l].have) {
      json_object_set_new(o, "gap_m2", json_real(geo[l].gap));
      json_object_set_new(o, "overlap_m2", json_real(geo[l].overlap));
      json_object_set_new(o, "mean_polsby_popper", json_real(geo[l].mean_pp));
    }
    if (o) json_array_append_new(a, o);
  }
  return a;
}

static json_t *json_violations(const wg_divide_result_t *r, const char *codes) {
  json_t *a = json_array();
  for (int i = 0; i < r->nviolations; i++) {
    const wg_divide_violation_t *v = &r->violations[i];
    json_t *o = json_pack("{s:s,s:i,s:b,s:I,s:i,s:s}", "kind", wg_divide_vkind_name(v->kind),
                          "level", v->level, "forced", v->forced, "households",
                          (json_int_t)v->households, "nunits", v->nunits, "reason", v->reason);
    if (!o) continue;
    json_object_set_new(o, "grid", codes && v->grid >= 0
                                       ? json_string(codes + (size_t)v->grid * CODE_MAX)
                                       : json_null());
    json_t *us = json_array();
    for (int k = 0; k < v->nunits && k < JSON_UNITS_MAX; k++)
      json_array_append_new(us, json_integer(v->units[k]));
    json_object_set_new(o, "features", us);
    json_array_append_new(a, o);
  }
  return a;
}

static void json_print(json_t *o) {
  json_dumpf(o, stdout, JSON_COMPACT);
  putchar('\n');
  json_decref(o);
}

/* ---- divide ------------------------------------------------------------ */

static void divide_help(FILE *out) {
  fprintf(out,
          "usage: wangge divide --units FILE --weight FIELD --bounds LO-HI[,LO-HI[,LO-HI]]\n"
          "                     --out PLAN.geojson [options]\n\n"
          "Divides a file of units (buildings or entrances as points or polygons) into\n"
          "nested grids whose households lie within the bounds, and writes the units back\n"
          "with their grid codes. No database is used.\n\n"
          "  --units FILE      GeoJSON FeatureCollection or ESRI Shapefile (.shp with .shx\n"
          "                    and .dbf) of Points or Polygons/MultiPolygons\n"
          "  --weight FIELD    property holding each unit's households (whole number >= 0)\n"
          "  --bounds B        one to three LO-HI ranges, outermost first\n"
          "                    (e.g. 300-500,50-100,10-20)\n"
          "  --out FILE        GeoJSON of the input units with grid_l1, grid_l2, grid_l3\n"
          "  --grids-out FILE  GeoJSON of the grid polygons (code, level, parent,\n"
          "                    households, units, polsby_popper)\n"
          "  --group FIELD     property naming each unit's community or village: no grid\n"
          "                    crosses one, and its value starts the grid codes\n"
          "  --crs NAME        coordinates are wgs84 (default), gcj02 or bd09; output is WGS84\n"
          "  --barriers FILE   GeoJSON lines (rivers, main roads) that point units' neighbourhoods\n"
          "                    may not cross\n"
          "  --json            print one JSON object instead of the summary\n\n"
          "Without --units, wangge divide divides the ledger (wangge divide --help).\n"
          "Adjacency: polygons sharing a boundary, or the Delaunay neighbours of points.\n"
          "Codes: the --group value (or G) plus two digits per level: G01, G0103, G010307.\n"
          "Exit status: 0 done (forced violations are reported), 1 an avoidable violation\n"
          "or an error, 2 usage.\n");
}

typedef struct divide_args {
  const char *units, *weight, *bounds, *out, *grids_out, *group, *barriers;
  wg_crs crs;
  int json;
} divide_args;

/* Codes of every result grid into codes[g * CODE_MAX]. */
static void make_codes(const wg_divide_result_t *r, const units *u, char *codes) {
  int width[WG_DIVIDE_MAX_LEVELS] = {2, 2, 2};
  for (int g = 0; g < r->ngrids; g++) {
    int digits = r->grids[g].number > 9999 ? 6 : r->grids[g].number > 999 ? 4
                 : r->grids[g].number > 99 ? 3 : 2;
    if (digits > width[r->grids[g].level - 1]) width[r->grids[g].level - 1] = digits;
  }
  for (int g = 0; g < r->ngrids; g++) {
    const wg_divide_grid_t *gr = &r->grids[g];
    const char *prefix = gr->parent >= 0 ? codes + (size_t)gr->parent * CODE_MAX
                         : gr->group >= 0 && gr->group < u->ngroups ? u->group_names[gr->group]
                                                                      : "G";
    snprintf(codes + (size_t)g * CODE_MAX, CODE_MAX, "%.80s%0*d", prefix, width[gr->level - 1],
             gr->number);
  }
}

static int is_grid_prop(const char *name) {
  return strcmp(name, "grid_l1") == 0 || strcmp(name, "grid_l2") == 0 ||
         strcmp(name, "grid_l3") == 0 || strcmp(name, "grid_split") == 0;
}

/* Writes the units with their codes. piece_start: CSR of r->pieces by unit. */
static wg_err write_units(const char *path, const units *u, const wg_divide_result_t *r,
                          const char *codes, const int *piece_start, const int *piece_order,
                          wg_errinfo *ei) {
  const wg_features_t *f = &u->f;
  wg_geojson_writer w;
  wg_err e = wg_geojson_writer_open(&w, path, f->lonlat ? 7 : 3, ei);
  if (e) return e;
  wg_geojson_prop *props = malloc(sizeof *props * ((size_t)f->nfields + 4));
  char *text = malloc(4 * 4096);
  if (!props || !text) {
    free(props);
    free(text);
    wg_geojson_writer_abort(&w);
    return WG_ENOMEM;
  }
  static const char *names[4] = {"grid_l1", "grid_l2", "grid_l3", "grid_split"};
  for (int i = 0; i < f->n && !e; i++) {
    int np = 0;
    for (int k = 0; k < f->nfields; k++) {
      if (is_grid_prop(f->fields[k])) continue;
      size_t at = (size_t)i * (size_t)f->nfields + (size_t)k;
      props[np++] = (wg_geojson_prop){f->fields[k], f->values[at], (wg_value_type)f->types[at]};
    }
    int split = 0;
    for (int l = 0; l < r->nlevels; l++) {
      char *t = text + (size_t)l * 4096;
      int g = r->unit_grid[(size_t)l * (size_t)f->n + (size_t)i];
      t[0] = '\0';
      if (g >= 0) {
        snprintf(t, 4096, "%s", codes + (size_t)g * CODE_MAX);
      } else if (g == WG_DIVIDE_SPLIT) {
        split = 1;
        size_t o = 0;
        int last = -1;
        for (int p = piece_start[i]; p < piece_start[i + 1] && o + CODE_MAX + 2 < 4096; p++) {
          int pg = r->pieces[piece_order[p]].grid[l];
          if (pg == last || pg < 0) continue;
          o += (size_t)snprintf(t + o, 4096 - o, "%s%s", o ? ";" : "",
                                codes + (size_t)pg * CODE_MAX);
          last = pg;
        }
      }
      props[np++] = (wg_geojson_prop){names[l], t, t[0] ? WG_VALUE_STRING : WG_VALUE_NULL};
    }
    if (split) {
      char *t = text + 3 * 4096;
      size_t o = 0;
      t[0] = '\0';
      for (int p = piece_start[i]; p < piece_start[i + 1] && o + 3 * CODE_MAX + 24 < 4096; p++) {
        const wg_divide_piece_t *pc = &r->pieces[piece_order[p]];
        if (o) t[o++] = ';';
        for (int l = 0; l < r->nlevels; l++)
          o += (size_t)snprintf(t + o, 4096 - o, "%s%s", l ? "/" : "",
                                pc->grid[l] >= 0 ? codes + (size_t)pc->grid[l] * CODE_MAX : "");
        o += (size_t)snprintf(t + o, 4096 - o, ":%ld", pc->households);
      }
      props[np++] = (wg_geojson_prop){names[3], t, WG_VALUE_STRING};
    }
    if (f->kind == WG_FEATURE_POINT)
      e = wg_geojson_write_point(&w, f->x[i], f->y[i], props, np, ei);
    else
      e = wg_geojson_write_wkb(&w, f->wkb[i], f->wkb_len[i], props, np, ei);
  }
  free(props);
  free(text);
  if (e) {
    wg_geojson_writer_abort(&w);
    return e;
  }
  return wg_geojson_writer_close(&w, ei);
}

/* Unit → label (grid index within level l) for polygons; a split unit takes
 * its first piece's grid. */
static void level_labels(const wg_divide_result_t *r, int l, int start, const int *piece_start,
                         const int *piece_order, int *labels) {
  int n = r->n;
  for (int i = 0; i < n; i++) {
    int g = r->unit_grid[(size_t)l * (size_t)n + (size_t)i];
    if (g == WG_DIVIDE_SPLIT && piece_start[i] < piece_start[i + 1])
      g = r->pieces[piece_order[piece_start[i]]].grid[l];
    labels[i] = g >= 0 ? g - start : -1;
  }
}

static wg_err write_grids(const char *path, const units *u, const wg_divide_result_t *r,
                          const char *codes, const int *piece_start, const int *piece_order,
                          wg_errinfo *ei) {
  int start[WG_DIVIDE_MAX_LEVELS + 1];
  level_starts(r, start);
  wg_geojson_writer w;
  wg_err e = wg_geojson_writer_open(&w, path, u->f.lonlat ? 7 : 3, ei);
  if (e) return e;
  int *labels = malloc(sizeof(int) * (size_t)(u->f.n ? u->f.n : 1));
  if (!labels) e = WG_ENOMEM;
  for (int l = 0; l < r->nlevels && !e; l++) {
    int m = start[l + 1] - start[l];
    wg_geom_poly *polys = calloc((size_t)(m ? m : 1), sizeof *polys);
    if (!polys) {
      e = WG_ENOMEM;
      break;
    }
    level_labels(r, l, start[l], piece_start, piece_order, labels);
    e = level_polygons(u, labels, m, polys, ei);
    for (int k = 0; k < m && !e; k++) {
      const wg_divide_grid_t *g = &r->grids[start[l] + k];
      char lv[8], hh[24], un[16], pp[16];
      snprintf(lv, sizeof lv, "%d", g->level);
      snprintf(hh, sizeof hh, "%ld", g->households);
      snprintf(un, sizeof un, "%d", g->units);
      snprintf(pp, sizeof pp, "%.3f", polys[k].polsby_popper);
      wg_geojson_prop props[6] = {
          {"code", codes + (size_t)(start[l] + k) * CODE_MAX, WG_VALUE_STRING},
          {"level", lv, WG_VALUE_NUMBER},
          {"parent", g->parent >= 0 ? codes + (size_t)g->parent * CODE_MAX : NULL,
           g->parent >= 0 ? WG_VALUE_STRING : WG_VALUE_NULL},
          {"households", hh, WG_VALUE_NUMBER},
          {"units", un, WG_VALUE_NUMBER},
          {"polsby_popper", pp, WG_VALUE_NUMBER},
      };
      e = wg_geojson_write_wkb(&w, polys[k].wkb, polys[k].wkb_len, props, 6, ei);
    }
    polys_free(polys, m);
  }
  free(labels);
  if (e) {
    wg_geojson_writer_abort(&w);
    return e;
  }
  return wg_geojson_writer_close(&w, ei);
}

/* CSR of pieces by unit: order[piece_start[u] .. piece_start[u+1]) are
 * the indices of u's pieces, in result order. */
static int pieces_by_unit(const wg_divide_result_t *r, int **start, int **order) {
  *start = calloc((size_t)r->n + 1, sizeof(int));
  *order = malloc(sizeof(int) * (size_t)(r->npieces ? r->npieces : 1));
  if (!*start || !*order) return 0;
  for (int p = 0; p < r->npieces; p++)
    if (r->pieces[p].unit >= 0 && r->pieces[p].unit < r->n) (*start)[r->pieces[p].unit + 1]++;
  for (int i = 0; i < r->n; i++) (*start)[i + 1] += (*start)[i];
  int *fill = malloc(sizeof(int) * ((size_t)r->n + 1));
  if (!fill) return 0;
  memcpy(fill, *start, sizeof(int) * ((size_t)r->n + 1));
  for (int p = 0; p < r->npieces; p++)
    if (r->pieces[p].unit >= 0 && r->pieces[p].unit < r->n) (*order)[fill[r->pieces[p].unit]++] = p;
  free(fill);
  return 1;
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int wg_cmd_divide(const wg_cli *cli, int argc, char **argv) {
  int file_mode = 0;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--units") == 0 || strncmp(argv[i], "--units=", 8) == 0) file_mode = 1;
  if (!file_mode) return wg_cli_divide_ledger(cli, argc, argv);
  static const struct option opts[] = {{"units", required_argument, 0, 'u'},
                                       {"weight", required_argument, 0, 'w'},
                                       {"bounds", required_argument, 0, 'b'},
                                       {"out", required_argument, 0, 'o'},
                                       {"grids-out", required_argument, 0, 'g'},
                                       {"group", required_argument, 0, 'G'},
                                       {"crs", required_argument, 0, 'C'},
                                       {"barriers", required_argument, 0, 'B'},
                                       {"json", no_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  divide_args a = {.crs = WG_CRS_WGS84};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'u': a.units = optarg; break;
      case 'w': a.weight = optarg; break;
      case 'b': a.bounds = optarg; break;
      case 'o': a.out = optarg; break;
      case 'g': a.grids_out = optarg; break;
      case 'G': a.group = optarg; break;
      case 'B': a.barriers = optarg; break;
      case 'j': a.json = 1; break;
      case 'C':
        if (wg_crs_parse(optarg, &a.crs) != WG_OK) {
          fprintf(stderr, "wangge divide: --crs must be wgs84, gcj02 or bd09\n");
          return 2;
        }
        break;
      case 'h': divide_help(stdout); return 0;
      default: divide_help(stderr); return 2;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "wangge divide: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  if (!a.weight || !a.bounds || !a.out) {
    fprintf(stderr, "wangge divide: --units needs --weight FIELD, --bounds B and --out FILE "
                    "(see wangge divide --help)\n");
    return 2;
  }
  wg_divide_bounds_t bounds[WG_DIVIDE_MAX_LEVELS];
  int nlevels;
  if (!parse_bounds("divide", a.bounds, bounds, &nlevels)) return 2;

  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  units u;
  int rc = 1;
  wg_divide_result_t r = {0};
  char *codes = NULL;
  int *pstart = NULL, *porder = NULL;
  wg_errinfo ei = {0};
  if (!load_units("divide", a.units, a.weight, a.group, a.crs, a.barriers, 1, &u)) goto done;
  wg_divide_input_t in;
  input_of(&u, nlevels, bounds, &in);
  wg_err e = wg_divide_run(&in, &r, &ei);
  if (e) {
    wg_cli_error("divide", e, &ei);
    goto done;
  }
  codes = calloc((size_t)(r.ngrids ? r.ngrids : 1), CODE_MAX);
  if (!codes || !pieces_by_unit(&r, &pstart, &porder)) {
    fprintf(stderr, "wangge divide: out of memory\n");
    goto done;
  }
  make_codes(&r, &u, codes);
  memset(&ei, 0, sizeof ei);
  if ((e = write_units(a.out, &u, &r, codes, pstart, porder, &ei))) {
    wg_cli_error("divide", e, &ei);
    goto done;
  }
  if (a.grids_out && (e = write_grids(a.grids_out, &u, &r, codes, pstart, porder, &ei))) {
    wg_cli_error("divide: --grids-out", e, &ei);
    goto done;
  }
  double secs = seconds_since(&t0);
  if (a.json) {
    json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:I,s:i,s:i,s:o,s:o,s:i,s:i,s:s,s:f}", "units_file",
                          a.units, "format", u.f.format, "kind", kind_name(&u), "units", u.f.n,
                          "households", (json_int_t)u.total, "groups", u.ngroups, "levels_count",
                          nlevels, "levels", json_levels(&r, bounds, NULL), "violations",
                          json_violations(&r, codes), "forced", r.forced, "avoidable",
                          r.avoidable, "out", a.out, "seconds", secs);
    if (o && a.grids_out) json_object_set_new(o, "grids_out", json_string(a.grids_out));
    if (o) json_print(o);
  } else {
    char hh[32];
    fmt_thousands(u.total, hh, sizeof hh);
    printf("divided %d units (%s, %s%s) holding %s households in %d group%s into %d level%s "
           "in %.2f s\n",
           u.f.n, kind_name(&u), u.f.format, u.f.lonlat ? ", lon/lat" : ", planar", hh,
           u.ngroups, u.ngroups == 1 ? "" : "s", nlevels, nlevels == 1 ? "" : "s", secs);
    print_levels(&r, bounds, NULL);
    print_violations(&r, codes);
    printf("wrote %s (units with grid_l1..grid_l%d)%s%s\n", a.out, nlevels,
           a.grids_out ? " and " : "", a.grids_out ? a.grids_out : "");
  }
  rc = r.avoidable > 0 ? 1 : 0;
done:
  free(codes);
  free(pstart);
  free(porder);
  wg_divide_result_free(&r);
  units_free(&u);
  return rc;
}

/* ---- check ------------------------------------------------------------- */

static void check_help(FILE *out) {
  fprintf(out,
          "usage: wangge check --plan-file FILE --weight FIELD --bounds B [options]\n"
          "       wangge check --counts N1[,N2[,N3]] --bounds B [--households H] [--json]\n\n"
          "Checks a plan, computed or hand drawn: a GeoJSON or Shapefile of units (points or\n"
          "polygons) whose properties grid_l1, grid_l2, grid_l3 name their grids (any\n"
          "text; equal text = same grid). Prints per level the grid count, min/median/max\n"
          "households, grids out of bounds (forced by the data or avoidable), non-contiguous\n"
          "grids, nesting errors, mean compactness and, from the grid polygons (unions of\n"
          "unit polygons, Voronoi cells of points, or --grids), gap and overlap area and\n"
          "mean Polsby-Popper.\n\n"
          "  --plan-file FILE  the plan (e.g. the --out of wangge divide)\n"
          "  --weight FIELD    property holding each unit's households\n"
          "  --bounds B        one to three LO-HI ranges, outermost first\n"
          "  --group FIELD     property naming each unit's community or village\n"
          "  --grids FILE      GeoJSON grid polygons with properties code and level\n"
          "                    (e.g. the --grids-out of wangge divide)\n"
          "  --crs NAME        coordinates are wgs84 (default), gcj02 or bd09\n"
          "  --barriers FILE   GeoJSON lines that point units' neighbourhoods may not cross\n"
          "  --counts LIST     declared grid counts per level, outermost first: can they\n"
          "                    nest within the bounds at all?\n"
          "  --households H    with --counts: the actual total\n"
          "  --json            print one JSON object\n\n"
          "Exit status: 0 the plan passes (or the counts can nest), 1 an avoidable\n"
          "violation, a nesting error, a gap or overlap, infeasible counts, or an error;\n"
          "2 usage.\n\n"
          "wangge check --plan ID [--json] checks a plan stored in the database against its\n"
          "own bounds and today's ledger, with the gap and overlap of its grid polygons.\n");
}

static int check_counts(const char *counts_text, const wg_divide_bounds_t *b, int nlevels,
                        long households, int json) {
  long counts[WG_DIVIDE_MAX_LEVELS];
  int n = 0;
  const char *p = counts_text;
  while (*p) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 1 || n == WG_DIVIDE_MAX_LEVELS || (*end && *end != ',')) {
      fprintf(stderr, "wangge check: --counts '%s': want one to three grid counts >= 1, "
                      "outermost first, e.g. 75,396,1100\n", counts_text);
      return 2;
    }
    counts[n++] = v;
    p = *end ? end + 1 : end;
  }
  if (n != nlevels) {
    fprintf(stderr, "wangge check: --counts gives %d level%s but --bounds %d\n", n,
            n == 1 ? "" : "s", nlevels);
    return 2;
  }
  wg_divide_feasibility_t f;
  wg_errinfo ei = {0};
  wg_err e = wg_divide_feasible_counts(nlevels, counts, b, households, &f, &ei);
  if (e) {
    wg_cli_error("check", e, &ei);
    return 2;
  }
  if (json) {
    json_t *cs = json_array(), *bs = json_array();
    for (int l = 0; l < n; l++) {
      json_array_append_new(cs, json_integer(counts[l]));
      json_array_append_new(bs, json_pack("{s:I,s:I}", "lo", (json_int_t)b[l].lo, "hi",
                                          (json_int_t)b[l].hi));
    }
    json_t *o = json_pack("{s:b,s:o,s:o,s:s}", "feasible", f.feasible, "counts", cs, "bounds",
                          bs, "reason", f.reason);
    if (o && f.feasible) {
      json_object_set_new(o, "min_households", json_integer(f.min_households));
      json_object_set_new(o, "max_households", json_integer(f.max_households));
    }
    if (o) json_print(o);
  } else {
    printf("%s: %s\n", f.feasible ? "feasible" : "infeasible", f.reason);
  }
  return f.feasible ? 0 : 1;
}

/* Pieces from grid_split ("l1/l2/l3:hh;…") of unit i into *pieces (labels
 * looked up in maps). Returns 0 and prints on a malformed value. */
static int parse_split(const char *path, int i, const char *text, int nlevels, wg_strmap *maps,
                       int *next_label, wg_divide_piece_t **pieces, int *npieces, int *cap) {
  const char *p = text;
  while (*p) {
    const char *semi = strchr(p, ';');
    size_t len = semi ? (size_t)(semi - p) : strlen(p);
    const char *colon = memchr(p, ':', len);
    if (!colon) goto bad;
    if (*npieces == *cap) {
      *cap = *cap ? *cap * 2 : 64;
      wg_divide_piece_t *np = realloc(*pieces, sizeof **pieces * (size_t)*cap);
      if (!np) goto bad;
      *pieces = np;
    }
    wg_divide_piece_t *pc = &(*pieces)[*npieces];
    memset(pc, 0, sizeof *pc);
    pc->unit = i;
    char *end;
    pc->households = strtol(colon + 1, &end, 10);
    if (end != p + len || pc->households < 0) goto bad;
    const char *q = p;
    for (int l = 0; l < nlevels; l++) {
      const char *slash = memchr(q, '/', (size_t)(colon - q));
      const char *stop = slash && l + 1 < nlevels ? slash : colon;
      if (stop == q) goto bad;
      int64_t lab;
      if (!wg_strmap_get(&maps[l], q, (size_t)(stop - q), &lab)) {
        lab = next_label[l]++;
        if (wg_strmap_put(&maps[l], q, (size_t)(stop - q), lab)) goto bad;
      }
      pc->grid[l] = (int)lab;
      q = stop + 1;
    }
    (*npieces)++;
    p = semi ? semi + 1 : p + len;
  }
  return 1;
bad:
  fprintf(stderr, "wangge check: %s: feature %d: grid_split '%.80s' is not "
                  "'l1/l2/l3:households;…'\n", path, i, text);
  return 0;
}

/* Overlap of Voronoi cells, group by group: the cells of different groups
 * are clipped to each group's own hull, and those hulls may overlap where no
 * community boundary is given — that is no fault of the plan. */
static wg_err coverage_by_group(const units *u, const int *lab, int nlabels,
                                const wg_geom_poly *polys, double *gap, double *overlap,
                                wg_errinfo *ei) {
  *gap = *overlap = 0;
  if (u->ngroups <= 1)
    return wg_geom_coverage(nlabels, polys, NULL, 0, u->f.lonlat, gap, overlap, ei);
  int *label_group = malloc(sizeof(int) * (size_t)(nlabels ? nlabels : 1));
  wg_geom_poly *sel = malloc(sizeof *sel * (size_t)(nlabels ? nlabels : 1));
  wg_err e = WG_OK;
  if (!label_group || !sel) e = WG_ENOMEM;
  for (int k = 0; k < nlabels && !e; k++) label_group[k] = -1;
  for (int i = 0; i < u->f.n && !e; i++)
    if (lab[i] >= 0 && label_group[lab[i]] < 0) label_group[lab[i]] = u->group[i];
  for (int g = 0; g < u->ngroups && !e; g++) {
    int m = 0;
    for (int k = 0; k < nlabels; k++)
      if (label_group[k] == g) sel[m++] = polys[k]; /* borrowed, not owned */
    double gg = 0, oo = 0;
    if (m > 0) e = wg_geom_coverage(m, sel, NULL, 0, u->f.lonlat, &gg, &oo, ei);
    *gap += gg;
    *overlap += oo;
  }
  free(label_group);
  free(sel);
  return e;
}

/* Measures the grid polygons of each level into geo[l]. From --grids when
 * given (features with code and level), else from the units. grid_label:
 * label → used; labels[l*n+u]. Returns 0 after printing on failure. */
static int check_geometry(const units *u, const char *grids_path, int nlevels,
                          const int *labels, const int *nlabels, wg_strmap *maps,
                          level_geo *geo, int *mismatched) {
  const wg_features_t *f = &u->f;
  wg_errinfo ei = {0};
  wg_err e = WG_OK;
  wg_geom_poly area = {0};
  int have_area = 0;
  /* the area the grids should tile: the union of the unit polygons */
  if (f->kind == WG_FEATURE_POLYGON) {
    int *zero = calloc((size_t)f->n, sizeof(int));
    if (!zero) return 0;
    e = wg_geom_union_by_label(f->n, (const unsigned char *const *)f->wkb, f->wkb_len,
                               f->lonlat, zero, 1, &area, &ei);
    free(zero);
    if (e) goto fail;
    have_area = 1;
  }
  wg_features_t gf = {0};
  if (grids_path) {
    if ((e = wg_features_read(grids_path, NULL, &gf, &ei))) goto fail;
    if (gf.n > 0 && gf.kind != WG_FEATURE_POLYGON) {
      fprintf(stderr, "wangge check: %s: grid polygons must be Polygons\n", grids_path);
      goto fail_quiet;
    }
    int cf = wg_features_field(&gf, "code"), lf = wg_features_field(&gf, "level");
    if (cf < 0 || lf < 0) {
      fprintf(stderr, "wangge check: %s: grid polygons need properties 'code' and 'level'\n",
              grids_path);
      goto fail_quiet;
    }
    int *gl = malloc(sizeof(int) * (size_t)(gf.n ? gf.n : 1));
    if (!gl) goto fail_quiet;
    wg_geom_poly *l1 = NULL;
    int nl1 = 0;
    for (int l = 0; l < nlevels && !e; l++) {
      int found = 0;
      char *seen = calloc((size_t)(nlabels[l] ? nlabels[l] : 1), 1);
      for (int k = 0; k < gf.n; k++) {
        const char *lv = wg_features_value(&gf, k, lf), *code = wg_features_value(&gf, k, cf);
        gl[k] = -1;
        if (!lv || !code || strtol(lv, NULL, 10) != l + 1) continue;
        int64_t lab;
        if (wg_strmap_get(&maps[l], code, strlen(code), &lab)) {
          if (seen && seen[lab]) {
            (*mismatched)++; /* two polygons for one grid */
            continue;
          }
          if (seen) seen[lab] = 1;
        } else {
          (*mismatched)++; /* a polygon for a grid without units */
        }
        gl[k] = found++;
      }
      for (int k = 0; k < nlabels[l]; k++) *mismatched += seen && !seen[k];
      free(seen);
      wg_geom_poly *polys = calloc((size_t)(found ? found : 1), sizeof *polys);
      if (!polys) break;
      e = wg_geom_union_by_label(gf.n, (const unsigned char *const *)gf.wkb, gf.wkb_len,
                                 gf.lonlat, gl, found, polys, &ei);
      double gap = 0, overlap = 0;
      if (!e) {
        const unsigned char *aw = have_area ? area.wkb : NULL;
        size_t al = have_area ? area.wkb_len : 0;
        if (!have_area && l > 0 && nl1) {
          /* no unit polygons: lower levels should tile the level-1 union */
          int *zero = calloc((size_t)gf.n, sizeof(int));
          if (zero) {
            for (int k = 0; k < gf.n; k++) {
              const char *lv = wg_features_value(&gf, k, lf);
              zero[k] = lv && strtol(lv, NULL, 10) == 1 ? 0 : -1;
            }
            wg_geom_poly_free(&area);
            e = wg_geom_union_by_label(gf.n, (const unsigned char *const *)gf.wkb, gf.wkb_len,
                                       gf.lonlat, zero, 1, &area, &ei);
            free(zero);
            aw = area.wkb;
            al = area.wkb_len;
          }
        }
        if (!e) e = wg_geom_coverage(found, polys, aw, al, gf.lonlat, &gap, &overlap, &ei);
      }
      if (!e) {
        double s = 0;
        int m = 0;
        for (int k = 0; k < found; k++)
          if (polys[k].area > 0) s += polys[k].polsby_popper, m++;
        geo[l] = (level_geo){1, gap, overlap, m ? s / m : 0, 0};
        for (int k = 0; k < found; k++) geo[l].area += polys[k].area;
      }
      if (l == 0) {
        l1 = polys;
        nl1 = found;
      } else {
        polys_free(polys, found);
      }
    }
    polys_free(l1, nl1);
    free(gl);
    wg_features_free(&gf);
    if (e) goto fail;
  } else {
    int *lab = malloc(sizeof(int) * (size_t)f->n);
    if (!lab) goto fail_quiet;
    for (int l = 0; l < nlevels && !e; l++) {
      for (int i = 0; i < f->n; i++) lab[i] = labels[(size_t)l * (size_t)f->n + (size_t)i];
      wg_geom_poly *polys = calloc((size_t)(nlabels[l] ? nlabels[l] : 1), sizeof *polys);
      if (!polys) break;
      double gap = 0, overlap = 0;
      e = level_polygons(u, lab, nlabels[l], polys, &ei);
      if (e && f->kind == WG_FEATURE_POINT) {
        /* cells of points are a by-product: report, do not fail the check */
        char msg[512];
        wg_errinfo_format(&ei, e, msg, sizeof msg);
        fprintf(stderr, "wangge check: level %d: grid polygons (Voronoi cells) not measured: %s\n",
                l + 1, msg);
        memset(&ei, 0, sizeof ei);
        polys_free(polys, nlabels[l]);
        e = WG_OK;
        continue;
      }
      if (!e && have_area)
        e = wg_geom_coverage(nlabels[l], polys, area.wkb, area.wkb_len, f->lonlat, &gap,
                             &overlap, &ei);
      else if (!e)
        e = coverage_by_group(u, lab, nlabels[l], polys, &gap, &overlap, &ei);
      if (!e) {
        double s = 0;
        int m = 0;
        for (int k = 0; k < nlabels[l]; k++)
          if (polys[k].area > 0) s += polys[k].polsby_popper, m++;
        geo[l] = (level_geo){1, gap, overlap, m ? s / m : 0, 0};
        for (int k = 0; k < nlabels[l]; k++) geo[l].area += polys[k].area;
      }
      polys_free(polys, nlabels[l]);
    }
    free(lab);
    if (e) goto fail;
  }
  wg_geom_poly_free(&area);
  return 1;
fail:
  wg_cli_error("check", e, &ei);
fail_quiet:
  wg_features_free(&gf);
  wg_geom_poly_free(&area);
  return 0;
}

int wg_cmd_check(const wg_cli *cli, int argc, char **argv) {
  (void)cli;
  static const struct option opts[] = {{"plan-file", required_argument, 0, 'f'},
                                       {"plan", required_argument, 0, 'p'},
                                       {"weight", required_argument, 0, 'w'},
                                       {"bounds", required_argument, 0, 'b'},
                                       {"group", required_argument, 0, 'G'},
                                       {"grids", required_argument, 0, 'g'},
                                       {"crs", required_argument, 0, 'C'},
                                       {"barriers", required_argument, 0, 'B'},
                                       {"counts", required_argument, 0, 'n'},
                                       {"households", required_argument, 0, 'H'},
                                       {"json", no_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *plan_file = NULL, *plan_id = NULL, *weight = NULL, *bounds_text = NULL,
             *group = NULL, *grids = NULL, *counts = NULL, *barriers = NULL;
  long households = -1;
  wg_crs crs = WG_CRS_WGS84;
  int json = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'f': plan_file = optarg; break;
      case 'p': plan_id = optarg; break;
      case 'w': weight = optarg; break;
      case 'b': bounds_text = optarg; break;
      case 'B': barriers = optarg; break;
      case 'G': group = optarg; break;
      case 'g': grids = optarg; break;
      case 'n': counts = optarg; break;
      case 'j': json = 1; break;
      case 'H': {
        char *end;
        households = strtol(optarg, &end, 10);
        if (end == optarg || *end || households < 0) {
          fprintf(stderr, "wangge check: --households wants a whole number >= 0\n");
          return 2;
        }
        break;
      }
      case 'C':
        if (wg_crs_parse(optarg, &crs) != WG_OK) {
          fprintf(stderr, "wangge check: --crs must be wgs84, gcj02 or bd09\n");
          return 2;
        }
        break;
      case 'h': check_help(stdout); return 0;
      default: check_help(stderr); return 2;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "wangge check: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  if (plan_id) return wg_cli_check_plan(cli, plan_id, json);
  if (!bounds_text || (!counts && !plan_file) || (counts && plan_file)) {
    fprintf(stderr, "wangge check: give --bounds and either --plan-file FILE or --counts LIST "
                    "(see wangge check --help)\n");
    return 2;
  }
  wg_divide_bounds_t bounds[WG_DIVIDE_MAX_LEVELS];
  int nlevels;
  if (!parse_bounds("check", bounds_text, bounds, &nlevels)) return 2;
  if (counts) return check_counts(counts, bounds, nlevels, households, json);
  if (!weight) {
    fprintf(stderr, "wangge check: --plan-file needs --weight FIELD (the households property)\n");
    return 2;
  }

  units u;
  int rc = 1, npieces = 0, piece_cap = 0, next_label[WG_DIVIDE_MAX_LEVELS] = {0};
  int *labels = NULL, mismatched = 0;
  wg_divide_piece_t *pieces = NULL;
  wg_divide_result_t r = {0};
  char *codes = NULL;
  wg_strmap maps[WG_DIVIDE_MAX_LEVELS];
  for (int l = 0; l < WG_DIVIDE_MAX_LEVELS; l++) wg_strmap_init(&maps[l]);
  level_geo geo[WG_DIVIDE_MAX_LEVELS] = {{0}};
  if (!load_units("check", plan_file, weight, group, crs, barriers, 1, &u)) goto done;
  int n = u.f.n;
  labels = malloc(sizeof(int) * (size_t)n * (size_t)nlevels);
  if (!labels) goto done;
  int split_field = wg_features_field(&u.f, "grid_split");
  for (int l = 0; l < nlevels; l++) {
    char name[32];
    snprintf(name, sizeof name, "grid_l%d", l + 1);
    int fld = wg_features_field(&u.f, name);
    if (fld < 0) {
      fprintf(stderr, "wangge check: %s: no property '%s' (--bounds gives %d level%s)\n",
              plan_file, name, nlevels, nlevels == 1 ? "" : "s");
      goto done;
    }
    for (int i = 0; i < n; i++) {
      const char *v = wg_features_value(&u.f, i, fld);
      int lab = -1;
      if (v && *v) {
        int64_t got;
        if (wg_strmap_get(&maps[l], v, strlen(v), &got)) {
          lab = (int)got;
        } else {
          lab = next_label[l]++;
          if (wg_strmap_put(&maps[l], v, strlen(v), lab)) goto done;
        }
      }
      labels[(size_t)l * (size_t)n + (size_t)i] = lab;
    }
  }
  if (split_field >= 0)
    for (int i = 0; i < n; i++) {
      const char *v = wg_features_value(&u.f, i, split_field);
      if (v && *v &&
          !parse_split(plan_file, i, v, nlevels, maps, next_label, &pieces, &npieces, &piece_cap))
        goto done;
    }
  /* a unit whose code lists several grids ("a;b") must come with grid_split */
  for (int l = 0; l < nlevels; l++)
    for (int i = 0; i < n; i++) {
      const char *v = wg_features_value(&u.f, i, wg_features_field(&u.f, l == 0   ? "grid_l1"
                                                                         : l == 1 ? "grid_l2"
                                                                                  : "grid_l3"));
      if (v && strchr(v, ';') && (split_field < 0 || !wg_features_value(&u.f, i, split_field))) {
        fprintf(stderr, "wangge check: %s: feature %d: grid_l%d '%.80s' names several grids but "
                        "the unit has no grid_split\n", plan_file, i, l + 1, v);
        goto done;
      }
    }
  wg_divide_input_t in;
  input_of(&u, nlevels, bounds, &in);
  wg_errinfo ei = {0};
  wg_err e = wg_divide_check(&in, labels, pieces, npieces, &r, &ei);
  if (e) {
    wg_cli_error("check", e, &ei);
    goto done;
  }
  /* name the result's grids by the codes of their units */
  codes = calloc((size_t)(r.ngrids ? r.ngrids : 1), CODE_MAX);
  if (!codes) goto done;
  for (int l = 0; l < nlevels; l++) {
    char name[32];
    snprintf(name, sizeof name, "grid_l%d", l + 1);
    int fld = wg_features_field(&u.f, name);
    for (int i = 0; i < n; i++) {
      int g = r.unit_grid[(size_t)l * (size_t)n + (size_t)i];
      const char *v = wg_features_value(&u.f, i, fld);
      if (g >= 0 && g < r.ngrids && v && !codes[(size_t)g * CODE_MAX])
        snprintf(codes + (size_t)g * CODE_MAX, CODE_MAX, "%s", v);
    }
  }
  if (!check_geometry(&u, grids, nlevels, labels, next_label, maps, geo, &mismatched)) goto done;

  int geo_errors = 0, nesting = 0;
  for (int l = 0; l < nlevels; l++) {
    nesting += r.stats[l].nesting_errors;
    /* floating-point noise of the unions: up to a millionth of the area
     * (plus 0.01 m²) is no gap */
    double tol = 0.01 + 1e-6 * geo[l].area;
    if (geo[l].have && (geo[l].gap > tol || geo[l].overlap > tol)) geo_errors++;
  }
  int failed = r.avoidable > 0 || nesting > 0 || geo_errors > 0 || mismatched > 0;
  if (json) {
    json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:I,s:i,s:i,s:o,s:o,s:i,s:i,s:i,s:i,s:i,s:b}",
                          "plan_file", plan_file, "format", u.f.format, "kind", kind_name(&u),
                          "units", n, "households", (json_int_t)u.total, "groups", u.ngroups,
                          "levels_count", nlevels, "levels", json_levels(&r, bounds, geo),
                          "violations", json_violations(&r, codes), "forced", r.forced,
                          "avoidable", r.avoidable, "nesting_errors", nesting,
                          "unassigned", r.unassigned, "grid_polygon_mismatches", mismatched,
                          "ok", !failed);
    if (o) json_print(o);
  } else {
    char hh[32];
    fmt_thousands(u.total, hh, sizeof hh);
    printf("checked %s: %d units (%s) holding %s households in %d group%s, %d level%s\n",
           plan_file, n, kind_name(&u), hh, u.ngroups, u.ngroups == 1 ? "" : "s", nlevels,
           nlevels == 1 ? "" : "s");
    print_levels(&r, bounds, geo);
    print_violations(&r, codes);
    if (r.unassigned) printf("units without a grid at some level: %d\n", r.unassigned);
    if (mismatched)
      printf("grid polygons not matching the plan's grids (missing, extra or doubled): %d\n",
             mismatched);
    if (failed) {
      printf("FAILED:");
      if (r.avoidable) printf(" %d avoidable violation%s;", r.avoidable, r.avoidable == 1 ? "" : "s");
      if (nesting) printf(" %d nesting error%s;", nesting, nesting == 1 ? "" : "s");
      if (geo_errors) printf(" gap or overlap at %d level%s;", geo_errors, geo_errors == 1 ? "" : "s");
      if (mismatched) printf(" %d grid polygon mismatch%s;", mismatched, mismatched == 1 ? "" : "es");
      printf("\n");
    } else {
      printf("OK: no avoidable violation, nesting error, gap or overlap\n");
    }
  }
  rc = failed ? 1 : 0;
done:
  for (int l = 0; l < WG_DIVIDE_MAX_LEVELS; l++) wg_strmap_free(&maps[l]);
  free(labels);
  free(pieces);
  free(codes);
  wg_divide_result_free(&r);
  units_free(&u);
  return rc;
}
