/* cmd_init.c — `wangge init`, `wangge divisions`, `wangge db`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "territory/division.h"

/* Directory of the shipped division CSVs: $WANGGE_DATA/divisions, else the
 * repository's data/divisions compiled in. */
static void divisions_dir(char *out, size_t cap) {
  const char *env = getenv("WANGGE_DATA");
  snprintf(out, cap, "%s/divisions", env && *env ? env : WG_DATA_DIR);
}

int wg_cmd_init(const wg_cli *cli, int argc, char **argv) {
  static const struct option opts[] = {{"county", required_argument, 0, 'c'},
                                       {"divisions", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *county = NULL;
  char dir[1024];
  divisions_dir(dir, sizeof dir);
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'c': county = optarg; break;
      case 'd': snprintf(dir, sizeof dir, "%s", optarg); break;
      case 'h':
        printf("usage: wangge [--db PATH] init --county CODE [--divisions DIR]\n\n"
               "Creates the database (or migrates an existing one), records the county it\n"
               "serves and loads the county's division codes (its province and city too).\n\n"
               "  --county CODE     6-digit county code, e.g. 141127 (岚县)\n"
               "  --divisions DIR   division CSVs (default %s)\n", dir);
        return 0;
      default: return 2;
    }
  }
  if (!county || strlen(county) != 6 || strspn(county, "0123456789") != 6) {
    fprintf(stderr, "wangge init: --county needs a 6-digit county code (e.g. 141127)\n");
    return 2;
  }
  wg_store_t *s = wg_cli_open(cli, WG_STORE_CREATE);
  if (!s) return 1;
  long n = 0;
  wg_errinfo ei = {0};
  wg_err e = wg_division_load_dir(s, dir, county, &n, &ei);
  char code12[13];
  wg_division_t d;
  if (!e && wg_division_code_pad(county, code12) == WG_OK &&
      wg_store_division_get(s, code12, &d) != WG_OK) {
    e = wg_errinfo_set(&ei, WG_ENOTFOUND, "county %s is not in the division codes of %s",
                       county, dir);
  }
  if (!e) e = wg_store_meta_set(s, "county", county);
  if (e) {
    wg_cli_error("init", e, &ei);
    wg_store_close(s);
    return 1;
  }
  printf("%s: county %s %s, %ld divisions loaded, schema version %d\n", cli->db, county, d.name,
         n, wg_store_schema_version(s));
  wg_store_close(s);
  return 0;
}

static int print_division(void *ctx, const wg_division_t *d) {
  (void)ctx;
  static const char *const kinds[] = {"", "urban", "rural"};
  printf("%s\t%d\t%s\t%s\n", d->code, (int)d->level, d->name, kinds[d->kind % 3]);
  return 0;
}

int wg_cmd_divisions(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    printf("usage: wangge [--db PATH] divisions load DIR [--prefix CODE]\n"
           "       wangge [--db PATH] divisions list [--prefix CODE] [--level N]\n\n"
           "load: reads provinces.csv, cities.csv, areas.csv, streets_*.csv and\n"
           "      villages_*.csv from DIR (the NBS layout in data/divisions), keeping codes\n"
           "      under --prefix (e.g. 14 for Shanxi). One transaction.\n"
           "list: code, level (1 province … 5 community/village), name, kind.\n");
    return argc < 2 ? 2 : 0;
  }
  const char *prefix = "";
  int level = 0;
  const char *dir = NULL;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) prefix = argv[++i];
    else if (strcmp(argv[i], "--level") == 0 && i + 1 < argc) level = (int)strtol(argv[++i], NULL, 10);
    else if (!dir && argv[i][0] != '-') dir = argv[i];
    else {
      fprintf(stderr, "wangge divisions: unexpected '%s'\n", argv[i]);
      return 2;
    }
  }
  if (strcmp(argv[1], "load") == 0) {
    if (!dir) {
      fprintf(stderr, "wangge divisions load: which directory?\n");
      return 2;
    }
    wg_store_t *s = wg_cli_open(cli, WG_STORE_CREATE);
    if (!s) return 1;
    long n = 0;
    wg_errinfo ei = {0};
    wg_err e = wg_division_load_dir(s, dir, prefix, &n, &ei);
    wg_store_close(s);
    if (e) {
      wg_cli_error("divisions load", e, &ei);
      return 1;
    }
    printf("%ld divisions loaded\n", n);
    return 0;
  }
  if (strcmp(argv[1], "list") == 0) {
    wg_store_t *s = wg_cli_open(cli, 0);
    if (!s) return 1;
    wg_err e = wg_store_division_each(s, prefix, level, print_division, NULL);
    wg_store_close(s);
    if (e) wg_cli_error("divisions list", e, NULL);
    return e ? 1 : 0;
  }
  fprintf(stderr, "wangge divisions: unknown action '%s' (load, list)\n", argv[1]);
  return 2;
}

int wg_cmd_db(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    printf("usage: wangge [--db PATH] db check     full integrity check of the database\n"
           "       wangge [--db PATH] db version   schema version of the database\n");
    return argc < 2 ? 2 : 0;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  int rc = 0;
  if (strcmp(argv[1], "version") == 0) {
    printf("schema version %d (this wangge writes %d)\n", wg_store_schema_version(s),
           WG_SCHEMA_VERSION);
  } else if (strcmp(argv[1], "check") == 0) {
    char msg[512];
    wg_err e = wg_store_integrity(s, msg, sizeof msg);
    if (e) {
      fprintf(stderr, "wangge db check: %s: %s\n", cli->db, msg);
      rc = 1;
    } else {
      printf("%s: ok\n", cli->db);
    }
  } else {
    fprintf(stderr, "wangge db: unknown action '%s' (check, version)\n", argv[1]);
    rc = 2;
  }
  wg_store_close(s);
  return rc;
}

static int print_tag(void *ctx, const char *code, const char *zh, const char *en) {
  (void)ctx;
  printf("%-20s %s\t%s\n", code, zh, en);
  return 0;
}

int wg_cmd_tags(const wg_cli *cli, int argc, char **argv) {
  if (wg_cli_wants_help(argc, argv)) {
    printf("usage: wangge [--db PATH] tags                       list tags\n"
           "       wangge [--db PATH] tags add CODE 中文名 \"English name\"\n\n"
           "Tags mark groups of residents (veterans, elderly living alone, …). CODE is\n"
           "lower-case letters, digits and _; imports accept the code or either name.\n");
    return 0;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  int rc = 0;
  if (argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0)) {
    if (wg_store_tag_each(s, print_tag, NULL) != WG_OK) rc = 1;
  } else if (argc == 5 && strcmp(argv[1], "add") == 0) {
    const char *code = argv[2];
    size_t n = strlen(code);
    if (n == 0 || n > 31 || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != n) {
      fprintf(stderr, "wangge tags add: CODE must be 1-31 of a-z, 0-9 and _\n");
      rc = 2;
    } else if (!*argv[3] || !*argv[4]) {
      fprintf(stderr, "wangge tags add: both names are needed\n");
      rc = 2;
    } else if (wg_store_tag_put(s, code, argv[3], argv[4]) != WG_OK) {
      fprintf(stderr, "wangge tags add: %s\n", wg_store_errmsg(s));
      rc = 1;
    } else {
      printf("tag %s added\n", code);
    }
  } else {
    fprintf(stderr, "usage: wangge tags [list] | tags add CODE 中文名 \"English name\"\n");
    rc = 2;
  }
  wg_store_close(s);
  return rc;
}
