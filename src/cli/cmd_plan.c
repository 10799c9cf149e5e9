/* cmd_plan.c — dividing the ledger (`wangge divide` without --units),
 * `wangge plan …` and `wangge locate`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "territory/coord.h"
#include "territory/geometry.h"
#include "territory/plan.h"

static void print_report(const wg_plan_report *rep, int nlevels) {
  const wg_divide_result_t *r = &rep->result;
  printf("plan #%lld (draft)%s: %d entrances in %d communities, %ld households\n",
         (long long)rep->plan_id, rep->based_on ? " re-divided from the active plan" : "",
         rep->units, rep->groups, r->households);
  printf("  level  grids  min  median  max  out of bounds (forced)  non-contiguous  compactness  within ±20%%\n");
  for (int l = 0; l < nlevels; l++) {
    const wg_divide_level_stats_t *st = &r->stats[l];
    printf("  %5d  %5d  %3ld  %6ld  %3ld  %5d (%d)               %5d           %.2f         %3.0f%%\n",
           l + 1, st->grids, st->min, st->median, st->max, st->out_of_bounds,
           st->out_of_bounds_forced, st->noncontiguous, st->mean_compactness,
           st->within_target * 100);
  }
  printf("  violations: %d avoidable, %d forced by the data (see `wangge plan show %lld`)\n",
         r->avoidable, r->forced, (long long)rep->plan_id);
  if (rep->based_on)
    printf("  households whose grid changed: %.2f%% (%ld of %ld)\n", r->changed_share * 100,
           r->changed_households, r->households);
  printf("  time: %.2f s divide, %.2f s polygons, %.2f s in all\n", rep->seconds_divide,
         rep->seconds_polygons, rep->seconds_total);
}

int wg_cli_divide_ledger(const wg_cli *cli, int argc, char **argv) {
  static const struct option opts[] = {{"community", required_argument, 0, 'c'},
                                       {"bounds", required_argument, 0, 'b'},
                                       {"villages", required_argument, 0, 'v'},
                                       {"fresh", no_argument, 0, 'f'},
                                       {"no-shapes", no_argument, 0, 'S'},
                                       {"note", required_argument, 0, 'n'},
                                       {"activate", no_argument, 0, 'a'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  wg_plan_opts o;
  wg_plan_opts_init(&o);
  o.actor = cli->actor;
  const char *community = NULL, *bounds = NULL, *villages = NULL;
  int activate = 0, c;
  wg_errinfo ei = {0};
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'c': community = optarg; break;
      case 'b': bounds = optarg; break;
      case 'v':
        if (strcmp(optarg, "whole") != 0 && strcmp(optarg, "bounds") != 0) {
          fprintf(stderr, "wangge divide: --villages whole or bounds\n");
          return 2;
        }
        villages = optarg;
        break;
      case 'f': o.fresh = 1; break;
      case 'S': o.no_shapes = 1; break;
      case 'n': o.note = optarg; break;
      case 'a': activate = 1; break;
      case 'h':
        printf("usage: wangge [--db PATH] divide [--community C] [--bounds 300-500,50-100,10-20]\n"
               "       [--villages whole|bounds] [--fresh] [--no-shapes] [--note TEXT] [--activate]\n"
               "       wangge divide --units FILE …   (a file of units; see --units --help)\n\n"
               "Divides the ledger's households into nested grids and stores the result as a\n"
               "draft plan. Units are entrances; an entrance is split only when it alone holds\n"
               "more households than a level-3 grid may. Urban communities use --bounds\n"
               "(outermost first); a village is one level-1 grid whatever its size\n"
               "(--villages whole, the default) or follows the bounds too. With an active plan\n"
               "the division starts from it: grids that still meet the rules keep their codes\n"
               "(--fresh divides from scratch). Grid codes are the community code plus two\n"
               "digits per level. `wangge plan activate ID` makes a plan the one in use.\n"
               "Grids are shaped by their entrances' Voronoi cells (the pieces of the grid\n"
               "polygons) so they come out compact; --no-shapes uses the points only.\n"
               "Defaults for --bounds and --villages, and barrier lines (rivers, roads) that\n"
               "grids may not cross, come from `wangge settings`.\n");
        return 0;
      default: return 2;
    }
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7], code[13];
  int rc = 1;
  wg_plan_report rep;
  memset(&rep, 0, sizeof rep);
  char *saved_bounds = NULL, *saved_villages = NULL;
  if (!wg_cli_county(s, county)) goto done;
  o.county = county;
  /* Options win; otherwise the county's settings; otherwise the defaults. */
  if (!bounds && wg_store_meta_get(s, "divide.bounds", &saved_bounds) == WG_OK && *saved_bounds)
    bounds = saved_bounds;
  if (!villages && wg_store_meta_get(s, "divide.villages", &saved_villages) == WG_OK &&
      *saved_villages)
    villages = saved_villages;
  if (bounds && wg_plan_parse_bounds(bounds, &o, &ei) != WG_OK) {
    wg_cli_error("--bounds", WG_EINVAL, &ei);
    rc = 2;
    goto done;
  }
  if (villages) o.rural_whole_l1 = strcmp(villages, "whole") == 0;
  if (community) {
    wg_division_t d;
    if (strlen(community) == 12 && wg_store_division_get(s, community, &d) == WG_OK) {
      memcpy(code, community, 13);
    } else if (wg_store_division_find(s, county, community, &d) == WG_OK) {
      memcpy(code, d.code, 13);
    } else {
      fprintf(stderr, "wangge divide: no community '%s' in county %s\n", community, county);
      goto done;
    }
    o.community = code;
  }
  wg_err e = wg_plan_divide(s, &o, &rep, &ei);
  if (e) {
    wg_cli_error("divide", e, &ei);
    goto done;
  }
  print_report(&rep, o.nlevels);
  if (activate) {
    if (wg_store_plan_activate(s, rep.plan_id) != WG_OK) {
      fprintf(stderr, "wangge divide: cannot activate plan #%lld\n", (long long)rep.plan_id);
      goto done;
    }
    printf("plan #%lld is now active\n", (long long)rep.plan_id);
  }
  rc = rep.result.avoidable ? 1 : 0;
done:
  free(saved_bounds);
  free(saved_villages);
  wg_plan_report_free(&rep);
  wg_store_close(s);
  return rc;
}

static int print_plan(void *ctx, const wg_plan_t *p) {
  (void)ctx;
  printf("#%-4lld %-8s %s  by %-16s bounds %-22s based on %s%lld  %s\n", (long long)p->id,
         wg_plan_status_name(p->status), p->created_at, p->actor, p->bounds,
         p->based_on ? "#" : "", (long long)p->based_on, p->note);
  return 0;
}

static int print_violation(void *ctx, const wg_plan_violation_t *v) {
  int *shown = ctx;
  if ((*shown)++ >= 200) return 1;
  printf("  %-9s %-12s level %d  %-18s %6ld households: %s\n",
         v->forced ? "forced" : "AVOIDABLE", v->kind, v->level, v->code, v->households, v->reason);
  return 0;
}

static int print_grid(void *ctx, const wg_grid_t *g) {
  (void)ctx;
  printf("  %-18s level %d  %5ld households  %4d units  %9.0f m²  PP %.2f\n", g->code, g->level,
         g->households, g->units, g->area, g->polsby_popper);
  return 0;
}

typedef struct export_ctx {
  FILE *f;
  int first;
  wg_err err;
} export_ctx;

static int export_grid(void *ctx, const wg_grid_t *g) {
  export_ctx *x = ctx;
  char *geom = NULL;
  if (g->geom && g->geom_len) {
    wg_errinfo ei = {0};
    if ((x->err = wg_geom_to_geojson(g->geom, g->geom_len, 7, &geom, &ei))) return 1;
  }
  fprintf(x->f,
          "%s{\"type\":\"Feature\",\"properties\":{\"code\":\"%s\",\"level\":%d,"
          "\"parent\":\"%s\",\"community\":\"%s\",\"households\":%ld,\"units\":%d},"
          "\"geometry\":%s}",
          x->first ? "\n" : ",\n", g->code, g->level, g->parent, g->community, g->households,
          g->units, geom ? geom : "null");
  x->first = 0;
  free(geom);
  return 0;
}

static int64_t plan_id_arg(const char *text) {
  const char *p = text[0] == '#' ? text + 1 : text;
  char *end;
  long long v = strtoll(p, &end, 10);
  return (*p && !*end && v > 0) ? v : -1;
}

int wg_cmd_plan(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    printf("usage: wangge [--db PATH] plan list\n"
           "       wangge [--db PATH] plan show ID [--grids]   figures, violations (and grids)\n"
           "       wangge [--db PATH] plan activate ID         make ID the plan in use\n"
           "       wangge [--db PATH] plan diff A B            what changed between two plans\n"
           "       wangge [--db PATH] plan export ID --level N --out grids.geojson\n");
    return argc < 2 ? 2 : 0;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  const char *action = argv[1];
  if (!wg_cli_county(s, county)) goto done;
  if (strcmp(action, "list") == 0) {
    rc = wg_store_plan_each(s, county, print_plan, NULL) == WG_OK ? 0 : 1;
    goto done;
  }
  int64_t id = argc > 2 ? plan_id_arg(argv[2]) : -1;
  wg_plan_t p;
  if (id < 0 || wg_store_plan_get(s, id, &p) != WG_OK) {
    fprintf(stderr, "wangge plan %s: no plan '%s'\n", action, argc > 2 ? argv[2] : "");
    rc = 2;
    goto done;
  }
  if (strcmp(action, "show") == 0) {
    print_plan(NULL, &p);
    printf("  summary: %s\n", p.summary);
    int shown = 0;
    if (wg_store_violation_each(s, id, print_violation, &shown) != WG_OK) goto done;
    if (shown == 0) printf("  no violations\n");
    if (argc > 3 && strcmp(argv[3], "--grids") == 0 &&
        wg_store_grid_each(s, id, 0, print_grid, NULL) != WG_OK)
      goto done;
    rc = 0;
  } else if (strcmp(action, "activate") == 0) {
    wg_err e = wg_store_plan_activate(s, id);
    if (e == WG_ECONFLICT)
      fprintf(stderr, "wangge plan activate: plan #%lld is retired\n", (long long)id);
    else if (e)
      wg_cli_error("plan activate", e, NULL);
    else {
      wg_audit_t a = {.action = "plan_activate", .origin = "cli"};
      snprintf(a.actor, sizeof a.actor, "%s", cli->actor);
      snprintf(a.target, sizeof a.target, "plan #%lld", (long long)id);
      if (wg_store_audit_add(s, &a) != WG_OK) fprintf(stderr, "wangge: audit row not written\n");
      printf("plan #%lld is now active\n", (long long)id);
      rc = 0;
    }
  } else if (strcmp(action, "diff") == 0) {
    int64_t other = argc > 3 ? plan_id_arg(argv[3]) : -1;
    wg_plan_diff d;
    if (other < 0 || wg_plan_compare(s, id, other, &d) != WG_OK) {
      fprintf(stderr, "wangge plan diff: needs two plans\n");
      rc = 2;
      goto done;
    }
    printf("plan #%lld → #%lld: %d grids → %d; %d unchanged, %d changed, %d retired, %d new\n",
           (long long)id, (long long)other, d.grids_a, d.grids_b, d.same, d.changed, d.only_a,
           d.only_b);
    printf("households whose grid changed: %ld of %ld (%.2f%%)\n", d.changed_households,
           d.households, d.households ? 100.0 * (double)d.changed_households / (double)d.households : 0.0);
    rc = 0;
  } else if (strcmp(action, "export") == 0) {
    int level = 0;
    const char *out = NULL;
    for (int i = 3; i + 1 < argc; i += 2) {
      if (strcmp(argv[i], "--level") == 0) level = (int)strtol(argv[i + 1], NULL, 10);
      else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
    }
    if (!out || level < 1 || level > p.nlevels) {
      fprintf(stderr, "wangge plan export: needs --level 1..%d and --out FILE\n", p.nlevels);
      rc = 2;
      goto done;
    }
    export_ctx x = {.f = fopen(out, "w"), .first = 1};
    if (!x.f) {
      perror(out);
      goto done;
    }
    fprintf(x.f, "{\"type\":\"FeatureCollection\",\"features\":[");
    wg_err e = wg_store_grid_each(s, id, level, export_grid, &x);
    fprintf(x.f, "\n]}\n");
    if (fclose(x.f) != 0 && !e) e = WG_EIO;
    if (!e) e = x.err;
    if (e) {
      wg_cli_error("plan export", e, NULL);
      goto done;
    }
    printf("level-%d grids of plan #%lld written to %s\n", level, (long long)id, out);
    rc = 0;
  } else {
    fprintf(stderr, "wangge plan: unknown action '%s'\n", action);
    rc = 2;
  }
done:
  wg_store_close(s);
  return rc;
}

int wg_cmd_locate(const wg_cli *cli, int argc, char **argv) {
  double lon = 0, lat = 0;
  int have_lon = 0, have_lat = 0;
  wg_crs crs = WG_CRS_WGS84;
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    char *end;
    if (strcmp(argv[i], "--lon") == 0 && v) {
      lon = strtod(v, &end);
      have_lon = *end == '\0';
      i++;
    } else if (strcmp(argv[i], "--lat") == 0 && v) {
      lat = strtod(v, &end);
      have_lat = *end == '\0';
      i++;
    } else if (strcmp(argv[i], "--crs") == 0 && v) {
      if (wg_crs_parse(v, &crs) != WG_OK) {
        fprintf(stderr, "wangge locate: --crs wgs84, gcj02 or bd09\n");
        return 2;
      }
      i++;
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      printf("usage: wangge [--db PATH] locate --lon X --lat Y [--crs wgs84|gcj02|bd09]\n\n"
             "Prints the grids (levels 1-3) of the active plan that hold the point.\n");
      return 0;
    } else {
      fprintf(stderr, "wangge locate: unexpected '%s'\n", argv[i]);
      return 2;
    }
  }
  if (!have_lon || !have_lat) {
    fprintf(stderr, "wangge locate: needs --lon and --lat (degrees)\n");
    return 2;
  }
  double x, y;
  if (wg_coord_to_wgs84(lon, lat, crs, &x, &y) != WG_OK) {
    fprintf(stderr, "wangge locate: not a position (longitude -180..180, latitude -90..90)\n");
    return 2;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  if (wg_cli_county(s, county)) {
    wg_located at;
    wg_err e = wg_plan_locate(s, county, x, y, &at);
    if (e == WG_ENOTFOUND && at.plan_id == 0)
      fprintf(stderr, "wangge locate: no active plan (wangge divide, then plan activate)\n");
    else if (e == WG_ENOTFOUND)
      fprintf(stderr, "wangge locate: no grid of plan #%lld holds %.6f, %.6f\n",
              (long long)at.plan_id, x, y);
    else if (e)
      wg_cli_error("locate", e, NULL);
    else {
      printf("community %s\nlevel 1   %s\nlevel 2   %s\nlevel 3   %s\n", at.community, at.code[0],
             at.code[1], at.code[2]);
      rc = 0;
    }
  }
  wg_store_close(s);
  return rc;
}

int wg_cli_check_plan(const wg_cli *cli, const char *id_text, int json) {
  int64_t id = plan_id_arg(id_text);
  if (id < 0) {
    fprintf(stderr, "wangge check: --plan needs a plan number\n");
    return 2;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  wg_plan_check_report r;
  wg_errinfo ei = {0};
  wg_err e = wg_plan_check(s, id, &r, &ei);
  wg_store_close(s);
  if (e) {
    wg_cli_error("check", e, &ei);
    wg_plan_check_report_free(&r);
    return 1;
  }
  /* Polygon areas agree to within a square metre; more is a real gap or
   * overlap. */
  const double tolerance = 1.0;
  int nesting = 0, geometry_bad = 0;
  for (int l = 0; l < r.nlevels; l++) {
    nesting += r.result.stats[l].nesting_errors;
    if (r.gap_m2[l] > tolerance || r.overlap_m2[l] > tolerance) geometry_bad = 1;
  }
  int failed = r.result.avoidable > 0 || nesting > 0 || geometry_bad || r.result.unassigned > 0;
  if (json) {
    printf("{\"plan\":%lld,\"ok\":%s,\"units\":%d,\"avoidable\":%d,\"forced\":%d,"
           "\"unassigned\":%d,\"levels\":[",
           (long long)id, failed ? "false" : "true", r.units, r.result.avoidable, r.result.forced,
           r.result.unassigned);
    for (int l = 0; l < r.nlevels; l++) {
      const wg_divide_level_stats_t *st = &r.result.stats[l];
      printf("%s{\"level\":%d,\"grids\":%d,\"min\":%ld,\"median\":%ld,\"max\":%ld,"
             "\"out_of_bounds\":%d,\"out_of_bounds_forced\":%d,\"noncontiguous\":%d,"
             "\"nesting_errors\":%d,\"gap_m2\":%.1f,\"overlap_m2\":%.1f,"
             "\"mean_polsby_popper\":%.4f}",
             l ? "," : "", l + 1, st->grids, st->min, st->median, st->max, st->out_of_bounds,
             st->out_of_bounds_forced, st->noncontiguous, st->nesting_errors, r.gap_m2[l],
             r.overlap_m2[l], r.mean_polsby_popper[l]);
    }
    printf("]}\n");
  } else {
    printf("plan #%lld against today's ledger: %d entrances, %ld households\n", (long long)id,
           r.units, r.result.households);
    for (int l = 0; l < r.nlevels; l++) {
      const wg_divide_level_stats_t *st = &r.result.stats[l];
      printf("level %d (%ld-%ld): %d grids; households min %ld / median %ld / max %ld; out of "
             "bounds %d (%d forced); non-contiguous %d; nesting errors %d; gap %.1f m², overlap "
             "%.1f m²; mean Polsby-Popper %.2f\n",
             l + 1, r.bounds[l].lo, r.bounds[l].hi, st->grids, st->min, st->median, st->max,
             st->out_of_bounds, st->out_of_bounds_forced, st->noncontiguous, st->nesting_errors,
             r.gap_m2[l], r.overlap_m2[l], r.mean_polsby_popper[l]);
    }
    int shown = 0;
    for (int v = 0; v < r.result.nviolations && shown < 50; v++) {
      const wg_divide_violation_t *vi = &r.result.violations[v];
      if (vi->forced) continue;
      const char *code = vi->grid >= 0 && r.codes ? r.codes[vi->grid] : "";
      printf("  AVOIDABLE %s level %d %s: %s\n", wg_divide_vkind_name(vi->kind), vi->level, code,
             vi->reason);
      shown++;
    }
    printf("%s: %d avoidable violations, %d forced by the data, %d unassigned entrances\n",
           failed ? "FAILED" : "OK", r.result.avoidable, r.result.forced, r.result.unassigned);
  }
  wg_plan_check_report_free(&r);
  return failed ? 1 : 0;
}
