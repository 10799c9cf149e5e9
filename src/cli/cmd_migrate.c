/* cmd_migrate.c — `wangge migrate`: move a county from the embedded SQLite
 * store into PostgreSQL, verifiably (counts and checksums per table) and
 * all-or-nothing on the target. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: wangge migrate --from sqlite:PATH --to postgresql://… [--county CODE]\n"
    "       [--skip-users]\n"
    "\n"
    "Copies one county's data from a SQLite database (a path or sqlite:PATH)\n"
    "into a PostgreSQL + PostGIS database (created and migrated to this\n"
    "wangge's schema if empty), in one transaction. Ids are shifted past those\n"
    "the target already holds, so several counties can share one database.\n"
    "Every table is read back: its row count and checksum must equal the\n"
    "source's, or nothing is written. Prints one line per table.\n"
    "\n"
    "  --county CODE  the county to move (default: the source's county setting)\n"
    "  --skip-users   leave user accounts behind (e.g. when their logins are\n"
    "                 taken in the target); sessions are never moved\n"
    "\n"
    "Exit status: 0 moved and verified, 1 failed (nothing written), 2 usage.\n";

static void print_row(void *ctx, const wg_migrate_row *r) {
  int *bad = ctx;
  printf("%-18s %10ld %10ld %10ld  %016" PRIx64 "  %016" PRIx64 "  %s\n", r->table,
         r->source_rows, r->target_rows, r->added, r->source_sum, r->target_sum,
         r->same ? "ok" : "DIFFERS");
  if (!r->same) ++*bad;
}

int wg_cmd_migrate(const wg_cli *cli, int argc, char **argv) {
  (void)cli;
  if (wg_cli_wants_help(argc, argv)) {
    fputs(usage, stdout);
    return 0;
  }
  const char *from = NULL, *to = NULL, *county = NULL;
  unsigned flags = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
      from = argv[++i];
    else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
      to = argv[++i];
    else if (strcmp(argv[i], "--county") == 0 && i + 1 < argc)
      county = argv[++i];
    else if (strcmp(argv[i], "--skip-users") == 0)
      flags |= WG_MIGRATE_SKIP_USERS;
    else {
      fprintf(stderr, "wangge migrate: unknown or incomplete option '%s'\n%s", argv[i], usage);
      return 2;
    }
  }
  if (!from || !to) {
    fprintf(stderr, "wangge migrate: --from and --to are needed\n%s", usage);
    return 2;
  }
  if (strncmp(to, "postgresql://", 13) != 0 && strncmp(to, "postgres://", 11) != 0) {
    fprintf(stderr, "wangge migrate: --to must be a postgresql:// URI\n");
    return 2;
  }
  wg_store_t *src = NULL, *dst = NULL;
  wg_errinfo ei = {0};
  wg_err e = wg_store_open(from, 0, &src, &ei);
  if (e) {
    wg_cli_error("--from", e, &ei);
    return 1;
  }
  char code[7];
  if (county) {
    snprintf(code, sizeof code, "%s", county);
  } else if (!wg_cli_county(src, code)) {
    wg_store_close(src);
    return 1;
  }
  memset(&ei, 0, sizeof ei);
  e = wg_store_open(to, WG_STORE_CREATE, &dst, &ei);
  if (e) {
    wg_cli_error("--to", e, &ei);
    wg_store_close(src);
    return 1;
  }
  printf("moving county %s into PostgreSQL (schema version %d)\n", code,
         wg_store_schema_version(dst));
  printf("%-18s %10s %10s %10s  %-16s  %-16s\n", "table", "source", "target", "added",
         "source checksum", "target checksum");
  int bad = 0;
  memset(&ei, 0, sizeof ei);
  e = wg_store_migrate_county(src, dst, code, flags, print_row, &bad, &ei);
  wg_store_close(dst);
  wg_store_close(src);
  if (e) {
    wg_cli_error("migrate", e, &ei);
    return 1;
  }
  printf("county %s moved: every table's count and checksum agree%s; committed\n", code,
         bad ? " (reference rows already in the target differ: kept as they were)" : "");
  return 0;
}
