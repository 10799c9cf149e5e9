/* main.c — `wangge`: parses global options and dispatches a subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>

#include "cli/cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "wangge %s — grid-based community service and governance (网格化服务管理)\n\n"
          "usage: wangge [--db PATH] COMMAND [OPTIONS]\n\n"
          "global options:\n"
          "  --db PATH     database (default $WANGGE_DB, else ./wangge.db)\n"
          "  --version     print the version\n"
          "  -h, --help    this help; `wangge COMMAND --help` for a command\n\n"
          "commands:\n",
          WG_VERSION);
  for (const wg_command *c = wg_cli_commands; c->name; c++)
    fprintf(out, "  %-10s  %s\n", c->name, c->summary);
}

int main(int argc, char **argv) {
  wg_cli cli = {.db = getenv("WANGGE_DB")};
  if (!cli.db || !*cli.db) cli.db = "wangge.db";
  static char actor[80];
  struct passwd pw, *pwp = NULL;
  char pwbuf[1024];
  getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &pwp);
  snprintf(actor, sizeof actor, "cli:%s", pwp ? pwp->pw_name : "unknown");
  cli.actor = actor;

  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
      cli.db = argv[++i];
    } else if (strncmp(argv[i], "--db=", 5) == 0) {
      cli.db = argv[i] + 5;
    } else if (strcmp(argv[i], "--version") == 0) {
      printf("wangge %s\n", WG_VERSION);
      return 0;
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "wangge: unknown option '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (i >= argc) {
    usage(stderr);
    return 2;
  }
  for (const wg_command *c = wg_cli_commands; c->name; c++)
    if (strcmp(c->name, argv[i]) == 0) return c->run(&cli, argc - i, argv + i);
  fprintf(stderr, "wangge: unknown command '%s' (see wangge --help)\n", argv[i]);
  return 2;
}
