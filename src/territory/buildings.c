/* buildings.c — a building layer into the standard addresses. */
#include "territory/buildings.h"

#include <stdlib.h>
#include <string.h>

#include "io/features.h"
#include "ledger/ledger.h"

/* The attribute given by name, else the first default present. */
static int find_field(const wg_features_t *f, const char *given, const char *const *defaults) {
  if (given) return wg_features_field(f, given);
  for (; *defaults; defaults++) {
    int i = wg_features_field(f, *defaults);
    if (i >= 0) return i;
  }
  return -1;
}

/* A whole number in [lo, hi] from an attribute value; 0 on anything else. */
static int whole(const char *v, long lo, long hi, long *out) {
  char *end;
  double d = strtod(v, &end);
  if (end == v || *end != '\0' || d != (double)(long)d) return 0;
  if ((long)d < lo || (long)d > hi) return 0;
  *out = (long)d;
  return 1;
}

typedef struct row {
  char community[13];
  const char *estate, *name;
  long entrances, households, floors;
} row;

wg_err wg_buildings_import(wg_store_t *s, const char *path, const wg_buildings_opts *o,
                           wg_buildings_result *res, wg_errinfo *ei) {
  static const char *const d_community[] = {"社区", "community", "村居", NULL};
  static const char *const d_estate[] = {"小区", "estate", "自然村", NULL};
  static const char *const d_name[] = {"楼栋", "name", "building", "楼号", NULL};
  static const char *const d_entrances[] = {"单元数", "entrances", NULL};
  static const char *const d_households[] = {"户数", "households", NULL};
  static const char *const d_floors[] = {"层数", "floors", "storeys", NULL};
  memset(res, 0, sizeof *res);
  wg_errinfo dummy;
  if (!ei) ei = &dummy;
  long max_listed = o->max_listed > 0 ? o->max_listed : 1000, listed = 0;
  char def_community[13] = "";
  if (o->community &&
      wg_ledger_community(s, o->county, o->community, def_community, ei) != WG_OK) {
    snprintf(ei->field, sizeof ei->field, "--community");
    return WG_EINVAL;
  }
  wg_features_t f = {0};
  wg_err e = wg_features_read(path, NULL, &f, ei);
  if (e) return e;
  snprintf(res->format, sizeof res->format, "%s", f.format ? f.format : "");
  row *rows = NULL;
  e = wg_features_to_wgs84(&f, o->crs, ei);
  if (e) goto out;
  if (!f.lonlat) {
    e = wg_errinfo_set(ei, WG_EINVAL, "coordinates are not longitude/latitude (a projected "
                                      "layer): reproject it to WGS84, GCJ-02 or BD-09");
    goto out;
  }
  int fc = find_field(&f, o->f_community, d_community), fe = find_field(&f, o->f_estate, d_estate),
      fn = find_field(&f, o->f_name, d_name), fen = find_field(&f, o->f_entrances, d_entrances),
      fh = find_field(&f, o->f_households, d_households), ff = find_field(&f, o->f_floors, d_floors);
  const char *missing = fn < 0 ? (o->f_name ? o->f_name : "楼栋/name")
                        : (fc < 0 && !def_community[0]) ? (o->f_community ? o->f_community
                                                                           : "社区/community")
                                                        : NULL;
  if (missing) {
    e = wg_errinfo_set(ei, WG_EREJECTED, "the layer has no attribute %s", missing);
    goto out;
  }
  rows = calloc((size_t)f.n + 1, sizeof *rows);
  if (!rows) {
    e = WG_ENOMEM;
    goto out;
  }
  res->features = f.n;
#define BAD(attr, value, ...)                                                          \
  do {                                                                                 \
    bad++;                                                                             \
    if (o->report && listed++ < max_listed) {                                          \
      fprintf(o->report, "%s: feature %d: %s '%.60s': ", path, i + 1, attr,            \
              (value) ? (value) : "");                                                 \
      fprintf(o->report, __VA_ARGS__);                                                 \
      fputc('\n', o->report);                                                          \
    }                                                                                  \
  } while (0)
  for (int i = 0; i < f.n; i++) {
    int bad = 0;
    row *r = &rows[i];
    const char *cv = fc >= 0 ? wg_features_value(&f, i, fc) : NULL;
    if (cv && *cv) {
      wg_errinfo cei = {0};
      if (wg_ledger_community(s, o->county, cv, r->community, &cei) != WG_OK)
        BAD(f.fields[fc], cv, "%s", cei.why);
    } else if (def_community[0]) {
      memcpy(r->community, def_community, 13);
    } else {
      BAD(fc >= 0 ? f.fields[fc] : "社区", "", "community is empty and no --community was given");
    }
    r->name = wg_features_value(&f, i, fn);
    if (!r->name || !*r->name)
      BAD(f.fields[fn], "", "building name is empty");
    else if (strlen(r->name) >= 64)
      BAD(f.fields[fn], r->name, "building name is longer than 63 bytes");
    r->estate = fe >= 0 ? wg_features_value(&f, i, fe) : NULL;
    if (!r->estate) r->estate = "";
    if (strlen(r->estate) >= 96) BAD(f.fields[fe], r->estate, "estate name is longer than 95 bytes");
    const char *v;
    r->entrances = 1;
    if (fen >= 0 && (v = wg_features_value(&f, i, fen)) && !whole(v, 1, 50, &r->entrances))
      BAD(f.fields[fen], v, "entrances must be a whole number from 1 to 50");
    if (fh >= 0 && (v = wg_features_value(&f, i, fh)) && !whole(v, 0, 100000, &r->households))
      BAD(f.fields[fh], v, "households must be a whole number from 0 to 100000");
    if (ff >= 0 && (v = wg_features_value(&f, i, ff)) && !whole(v, 0, 200, &r->floors))
      BAD(f.fields[ff], v, "floors must be a whole number from 0 to 200");
    if (bad) res->bad++;
  }
#undef BAD
  if (res->bad) {
    e = wg_errinfo_set(ei, WG_EREJECTED, "%ld of %d features are bad; nothing was imported",
                       res->bad, f.n);
    goto out;
  }
  if ((e = wg_store_begin(s))) goto out;
  for (int i = 0; i < f.n && !e; i++) {
    row *r = &rows[i];
    int64_t estate;
    e = wg_store_estate_ensure(s, r->community, r->estate, &estate);
    if (e) break;
    wg_building_t b = {.estate_id = estate, .floors = (int)r->floors, .lon = f.x[i],
                       .lat = f.y[i]};
    memcpy(b.community, r->community, 13);
    snprintf(b.name, sizeof b.name, "%s", r->name);
    if ((e = wg_store_building_ensure(s, &b))) break;
    e = wg_store_building_place(s, b.id, f.x[i], f.y[i], (int)r->floors,
                                f.wkb ? f.wkb[i] : NULL, f.wkb ? f.wkb_len[i] : 0);
    res->buildings++;
    /* Households spread over the entrances as evenly as whole numbers go. */
    for (long k = 0; k < r->entrances && !e; k++) {
      char name[32];
      snprintf(name, sizeof name, "%d单元", (int)(k + 1));
      int64_t entrance;
      e = wg_store_entrance_ensure(s, b.id, name, &entrance);
      long share = r->households / r->entrances + (k < r->households % r->entrances ? 1 : 0);
      if (!e) e = wg_store_entrance_declare(s, entrance, share);
      res->entrances++;
      res->households += share;
    }
  }
  if (!e) {
    wg_audit_t a = {.action = "import_buildings", .origin = "cli"};
    snprintf(a.actor, sizeof a.actor, "%s", o->actor ? o->actor : "unknown");
    const char *base = strrchr(path, '/');
    snprintf(a.target, sizeof a.target, "%.100s (%ld buildings)", base ? base + 1 : path,
             res->buildings);
    e = wg_store_audit_add(s, &a);
  }
  if (!e) e = wg_store_commit(s);
  if (e) {
    wg_store_rollback(s);
    if (!ei->why[0]) wg_errinfo_set(ei, e, "%s", wg_store_errmsg(s));
  }
out:
  free(rows);
  wg_features_free(&f);
  if (!ei->file[0]) snprintf(ei->file, sizeof ei->file, "%s", path);
  return e;
}
