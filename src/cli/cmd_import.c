/* cmd_import.c — `wangge import residents FILE`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ledger/import.h"
#include "ledger/validate.h"
#include "territory/buildings.h"

static void import_help(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] import residents FILE [options]\n"
          "       wangge [--db PATH] import buildings FILE [options]\n\n"
          "buildings: a building layer (GeoJSON or ESRI Shapefile, points or footprints)\n"
          "  into the standard addresses: attributes 社区/community, 小区/estate,\n"
          "  楼栋/name, 单元数/entrances, 户数/households, 层数/floors (rename with\n"
          "  --field-community F, --field-estate, --field-name, --field-entrances,\n"
          "  --field-households, --field-floors); --community and --crs as below.\n"
          "  All-or-nothing; every bad feature is listed.\n\n"
          "residents:\n"
          "Imports residents from a CSV (UTF-8 with or without BOM, or GB18030/GBK) or\n"
          "XLSX file. All-or-nothing: if any row is bad, every bad row is listed (row,\n"
          "column, masked value, reason) and nothing is written.\n\n"
          "  --community C   community (12-digit code or name) for rows without one\n"
          "  --skip-bad      import the good rows; needs --rejects\n"
          "  --rejects F     write rejected rows with reasons to F (.csv or .xlsx)\n"
          "  --date D        date the residents are on the ledger from (default today)\n"
          "  --reason TEXT   why (recorded on the import event)\n"
          "  --max-listed N  list at most N bad fields (default 1000)\n"
          "  --crs NAME      coordinate system of 经度/纬度 columns: wgs84 (default),\n"
          "                  gcj02 (Amap, Tencent, WeChat) or bd09 (Baidu); stored as WGS84\n"
          "  --quiet         no progress line\n\n"
          "Columns are recognised by header (Chinese or English):\n");
  wg_import_print_columns(out);
}

int wg_cmd_import(const wg_cli *cli, int argc, char **argv) {
  static const struct option opts[] = {{"community", required_argument, 0, 'c'},
                                       {"skip-bad", no_argument, 0, 's'},
                                       {"rejects", required_argument, 0, 'r'},
                                       {"date", required_argument, 0, 'd'},
                                       {"reason", required_argument, 0, 'w'},
                                       {"max-listed", required_argument, 0, 'm'},
                                       {"quiet", no_argument, 0, 'q'},
                                       {"crs", required_argument, 0, 'C'},
                                       {"field-community", required_argument, 0, 1001},
                                       {"field-estate", required_argument, 0, 1002},
                                       {"field-name", required_argument, 0, 1003},
                                       {"field-entrances", required_argument, 0, 1004},
                                       {"field-households", required_argument, 0, 1005},
                                       {"field-floors", required_argument, 0, 1006},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  wg_import_opts o = {.report = stderr, .progress = 1, .actor = cli->actor};
  wg_buildings_opts bo = {.report = stderr, .actor = cli->actor};
  int c;
  while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
    switch (c) {
      case 'c': o.community = optarg; break;
      case 's': o.skip_bad = 1; break;
      case 'r': o.rejects_path = optarg; break;
      case 'd': {
        int d;
        if (wg_date_parse(optarg, &d) != WG_DATE_OK) {
          fprintf(stderr, "wangge import: --date '%s' is not a date (YYYY-MM-DD)\n", optarg);
          return 2;
        }
        o.effective = d;
        break;
      }
      case 'w': o.reason = optarg; break;
      case 'm': o.max_listed = strtol(optarg, NULL, 10); break;
      case 'q': o.progress = 0; break;
      case 1001: bo.f_community = optarg; break;
      case 1002: bo.f_estate = optarg; break;
      case 1003: bo.f_name = optarg; break;
      case 1004: bo.f_entrances = optarg; break;
      case 1005: bo.f_households = optarg; break;
      case 1006: bo.f_floors = optarg; break;
      case 'C':
        if (wg_crs_parse(optarg, &o.crs) != WG_OK) {
          fprintf(stderr, "wangge import: --crs must be wgs84, gcj02 or bd09\n");
          return 2;
        }
        break;
      case 'h': import_help(stdout); return 0;
      default: import_help(stderr); return 2;
    }
  }
  if (optind + 2 != argc ||
      (strcmp(argv[optind], "residents") != 0 && strcmp(argv[optind], "buildings") != 0)) {
    import_help(stderr);
    return 2;
  }
  const char *file = argv[optind + 1];
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  if (!wg_cli_county(s, county)) {
    wg_store_close(s);
    return 1;
  }
  if (strcmp(argv[optind], "buildings") == 0) {
    bo.county = county;
    bo.community = o.community;
    bo.crs = o.crs;
    wg_buildings_result br;
    wg_errinfo bei = {0};
    wg_err be = wg_buildings_import(s, file, &bo, &br, &bei);
    wg_store_close(s);
    if (be) {
      wg_cli_error("import buildings", be, &bei);
      return 1;
    }
    printf("imported %ld buildings from %s (%s): %ld entrances, %ld households declared\n",
           br.buildings, file, br.format, br.entrances, br.households);
    return 0;
  }
  o.county = county;
  wg_import_result res;
  wg_errinfo ei = {0};
  wg_err e = wg_import_residents(s, file, &o, &res, &ei);
  wg_store_close(s);
  if (e) {
    wg_cli_error("import", e, &ei);
    return 1;
  }
  printf("imported %ld residents from %s (%s, %s) in %.2f s: %ld rows, %ld rejected, "
         "%ld new households, %ld dwellings; import event #%lld\n",
         res.imported, file, res.format, res.encoding, res.seconds, res.rows, res.bad_rows,
         res.households, res.dwellings, (long long)res.event_id);
  if (res.bad_rows) printf("rejected rows and reasons: %s\n", o.rejects_path);
  return 0;
}
