/* cmd_user.c — `wangge user` (accounts, roles, scopes) and `wangge audit`
 * (the audit log, read-only). */
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"

static void user_usage(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] user add LOGIN --role ROLE --scope CODE [--scope CODE…]\n"
          "                               [--unmask] [--manage-users] --password-stdin\n"
          "       wangge [--db PATH] user list\n"
          "       wangge [--db PATH] user passwd LOGIN --password-stdin\n"
          "       wangge [--db PATH] user disable LOGIN\n"
          "       wangge [--db PATH] user enable LOGIN\n\n"
          "Accounts for the web UI and API. Each user has a role and is scoped to where\n"
          "they work; a grid worker sees their grids and nothing else.\n\n"
          "  LOGIN              3-63 of a-z, 0-9, '.', '_', '-'\n"
          "  --role ROLE        admin, county, township, community, grid-worker, member,\n"
          "                     auditor\n"
          "  --scope CODE       where the user works (up to %d): the county's code for\n"
          "                     admin, auditor and county users; a township's, a\n"
          "                     community's, or grid codes (14/16/18 digits) for\n"
          "                     township, community and grid-worker users; a community\n"
          "                     or grids for members\n"
          "  --unmask           may ask to see ID numbers and phones in clear (with a\n"
          "                     reason; audited)\n"
          "  --manage-users     may manage users through the API (admin and county)\n"
          "  --password-stdin   read the password from standard input (at least %d\n"
          "                     characters); from a terminal it is read without echo.\n"
          "                     Passwords are never taken on the command line.\n\n"
          "passwd sets a new password, clears a lock-out and ends the user's sessions.\n"
          "disable ends the user's sessions and refuses sign-in; users are never deleted.\n"
          "Every change is written to the audit log (wangge audit).\n",
          WG_AUTH_MAX_SCOPES, WG_AUTH_MIN_PASSWORD);
}

/* Reads a password from standard input into buf (cap bytes): one line from
 * a terminal (echo off), else everything up to EOF; one trailing newline
 * (LF or CRLF) is dropped. Returns 0, or 1 after printing the problem. */
static int read_password(const char *cmd, char *buf, size_t cap) {
  int tty = isatty(STDIN_FILENO);
  struct termios saved, quiet;
  int restore = 0;
  if (tty) {
    fprintf(stderr, "password: ");
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &saved) == 0) {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  size_t n = 0;
  int too_long = 0, failed = 0;
  for (;;) {
    char c;
    ssize_t got = read(STDIN_FILENO, &c, 1);
    if (got < 0) {
      failed = 1;
      break;
    }
    if (got == 0 || (tty && c == '\n')) break;
    if (n + 1 >= cap) {
      too_long = 1;
      if (tty) continue; /* drain the line */
      break;
    }
    buf[n++] = c;
  }
  buf[n] = '\0';
  if (restore) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    fputc('\n', stderr);
  }
  if (n && buf[n - 1] == '\n') buf[--n] = '\0';
  if (n && buf[n - 1] == '\r') buf[--n] = '\0';
  if (failed || too_long || memchr(buf, '\0', n)) {
    fprintf(stderr, "wangge %s: %s\n", cmd,
            failed ? "cannot read the password from standard input"
            : too_long ? "the password is too long"
                       : "the password contains a NUL byte");
    sodium_memzero(buf, cap);
    return 1;
  }
  return 0;
}

static int print_user(void *ctx, const wg_user *u) {
  (void)ctx;
  printf("%s\t%s\t%s\t", u->login, wg_role_name(u->role),
         u->disabled ? "disabled" : u->locked_until[0] ? "locked" : "active");
  if (!u->perms) printf("-");
  if (u->perms & WG_PERM_UNMASK) printf("unmask%s", u->perms & WG_PERM_MANAGE_USERS ? "," : "");
  if (u->perms & WG_PERM_MANAGE_USERS) printf("manage-users");
  printf("\t");
  for (int i = 0; i < u->nscopes; i++) printf("%s%s", i ? "," : "", u->scopes[i]);
  printf("\t%s\t%d\t%s\n", u->created_at, u->failed_logins,
         u->locked_until[0] ? u->locked_until : "-");
  return 0;
}

/* `user add`, `user passwd`, `user disable`, `user enable`. argv[0] is the
 * action. */
static int user_change(const wg_cli *cli, const char *action, int argc, char **argv) {
  static const struct option opts[] = {{"role", required_argument, 0, 'r'},
                                       {"scope", required_argument, 0, 's'},
                                       {"unmask", no_argument, 0, 'u'},
                                       {"manage-users", no_argument, 0, 'm'},
                                       {"password-stdin", no_argument, 0, 'p'},
                                       {0, 0, 0, 0}};
  char cmd[32];
  snprintf(cmd, sizeof cmd, "user %s", action);
  int is_add = strcmp(action, "add") == 0, is_passwd = strcmp(action, "passwd") == 0;
  wg_user u;
  memset(&u, 0, sizeof u);
  const char *role = NULL;
  int stdin_pw = 0, c;
  /* getopt_long accepts abbreviations: `--password SECRET` would pass as
   * --password-stdin. Refuse anything like a password option outright. */
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--pa", 4) == 0 && strcmp(argv[i], "--password-stdin") != 0) {
      fprintf(stderr,
              "wangge %s: unexpected option '%s': passwords are never taken on the command "
              "line; use --password-stdin\n", cmd, argv[i]);
      return 2;
    }
  }
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    int ok = 1;
    switch (c) {
      case 'r': role = optarg; ok = is_add; break;
      case 's':
        ok = is_add;
        if (ok && u.nscopes >= WG_AUTH_MAX_SCOPES) {
          fprintf(stderr, "wangge %s: at most %d --scope\n", cmd, WG_AUTH_MAX_SCOPES);
          return 2;
        }
        if (ok && strlen(optarg) > 18) {
          fprintf(stderr, "wangge %s: --scope '%s' is not a division or grid code\n", cmd, optarg);
          return 2;
        }
        if (ok) snprintf(u.scopes[u.nscopes++], sizeof u.scopes[0], "%s", optarg);
        break;
      case 'u': u.perms |= WG_PERM_UNMASK; ok = is_add; break;
      case 'm': u.perms |= WG_PERM_MANAGE_USERS; ok = is_add; break;
      case 'p': stdin_pw = 1; ok = is_add || is_passwd; break;
      default: ok = 0; break;
    }
    if (!ok) {
      fprintf(stderr, "wangge %s: unexpected option '%s' (see wangge user --help)\n", cmd,
              argv[optind - 1]);
      return 2;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "wangge %s: give exactly one LOGIN (see wangge user --help)\n", cmd);
    return 2;
  }
  const char *login = argv[optind];
  if (is_add) {
    if (!role || wg_role_parse(role, &u.role) != WG_OK) {
      fprintf(stderr,
              "wangge %s: --role must be one of admin, county, township, community, "
              "grid-worker, member, auditor\n", cmd);
      return 2;
    }
    if (u.nscopes == 0) {
      fprintf(stderr, "wangge %s: at least one --scope CODE is needed\n", cmd);
      return 2;
    }
    snprintf(u.login, sizeof u.login, "%s", login);
  }
  if ((is_add || is_passwd) && !stdin_pw) {
    fprintf(stderr,
            "wangge %s: give the password on standard input with --password-stdin "
            "(never on the command line)\n", cmd);
    return 2;
  }

  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char pw[WG_AUTH_MAX_PASSWORD + 3]; /* + CRLF, so an over-long one is seen */
  pw[0] = '\0';
  wg_errinfo ei;
  memset(&ei, 0, sizeof ei);
  wg_err e = WG_OK;
  if ((is_add || is_passwd) && read_password(cmd, pw, sizeof pw)) {
    wg_store_close(s);
    return 1;
  }
  if (is_add)
    e = wg_auth_user_add(s, &u, pw, cli->actor, &ei);
  else if (is_passwd)
    e = wg_auth_user_passwd(s, login, pw, cli->actor, &ei);
  else if (strcmp(action, "disable") == 0)
    e = wg_auth_user_disable(s, login, cli->actor, &ei);
  else
    e = wg_auth_user_enable(s, login, cli->actor, &ei);
  sodium_memzero(pw, sizeof pw);
  wg_store_close(s);
  if (e) {
    wg_cli_error(cmd, e, &ei);
    return e == WG_EINVAL ? 2 : 1;
  }
  if (is_add)
    printf("user %s added (%s)\n", login, wg_role_name(u.role));
  else if (is_passwd)
    printf("password of %s set; its sessions ended\n", login);
  else
    printf("user %s %sd\n", login, action);
  return 0;
}

int wg_cmd_user(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    user_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *action = argv[1];
  if (strcmp(action, "list") == 0) {
    if (argc != 2) {
      fprintf(stderr, "wangge user list: unexpected '%s'\n", argv[2]);
      return 2;
    }
    wg_store_t *s = wg_cli_open(cli, 0);
    if (!s) return 1;
    printf("login\trole\tstatus\tperms\tscopes\tcreated\tfailures\tlocked_until\n");
    wg_err e = wg_auth_user_each(s, print_user, NULL);
    wg_store_close(s);
    if (e) wg_cli_error("user list", e, NULL);
    return e ? 1 : 0;
  }
  if (strcmp(action, "add") == 0 || strcmp(action, "passwd") == 0 ||
      strcmp(action, "disable") == 0 || strcmp(action, "enable") == 0)
    return user_change(cli, action, argc - 1, argv + 1);
  fprintf(stderr, "wangge user: unknown action '%s' (add, list, passwd, disable, enable)\n",
          action);
  return 2;
}

/* ---- audit ------------------------------------------------------------------ */

/* Prints a field with tabs, newlines and other control characters as spaces,
 * so one row stays one line whatever a reason holds. */
static void put_field(const char *v) {
  for (; *v; v++) putchar((unsigned char)*v < 0x20 || *v == 0x7f ? ' ' : *v);
}

struct audit_ctx {
  long rows;
};

static int print_audit(void *ctx, const wg_audit_row *r) {
  struct audit_ctx *c = ctx;
  c->rows++;
  const char *fields[] = {r->a.actor, r->a.action, r->a.target, r->a.origin, r->a.reason};
  printf("%" PRId64 "\t%s", r->id, r->at);
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    putchar('\t');
    put_field(fields[i]);
  }
  putchar('\n');
  return 0;
}

static int date_ok(const char *d) {
  if (strlen(d) < 10 || d[4] != '-' || d[7] != '-') return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return 0;
  return strlen(d) == 10 || d[10] == 'T';
}

int wg_cmd_audit(const wg_cli *cli, int argc, char **argv) {
  static const struct option opts[] = {{"actor", required_argument, 0, 'a'},
                                       {"action", required_argument, 0, 'x'},
                                       {"since", required_argument, 0, 's'},
                                       {"limit", required_argument, 0, 'l'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  wg_audit_filter f = {.limit = 100};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'a': f.actor = optarg; break;
      case 'x': f.action = optarg; break;
      case 's':
        if (!date_ok(optarg)) {
          fprintf(stderr, "wangge audit: --since wants YYYY-MM-DD (or YYYY-MM-DDTHH:MM:SSZ)\n");
          return 2;
        }
        f.since = optarg;
        break;
      case 'l': {
        char *end;
        long n = strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end || n < 0) {
          fprintf(stderr, "wangge audit: --limit wants a number (0 = all)\n");
          return 2;
        }
        f.limit = n;
        break;
      }
      case 'h':
        printf("usage: wangge [--db PATH] audit [--actor LOGIN] [--action ACTION]\n"
               "                            [--since DATE] [--limit N]\n\n"
               "Lists the audit log, newest first: id, time (UTC), actor, action, target,\n"
               "origin, reason. Actions include user_add, user_passwd, user_disable,\n"
               "user_enable, login, login_failed, lockout, logout, unmask, export, import.\n"
               "The log cannot be changed or deleted through wangge.\n\n"
               "  --actor LOGIN   only rows of this actor (a login, or cli:USER)\n"
               "  --action NAME   only this action\n"
               "  --since DATE    rows at or after DATE (YYYY-MM-DD, UTC)\n"
               "  --limit N       at most N rows (default 100; 0 = all)\n");
        return 0;
      default: return 2;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "wangge audit: unexpected '%s'\n", argv[optind]);
    return 2;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  struct audit_ctx ctx = {0};
  wg_err e = wg_store_audit_each(s, &f, print_audit, &ctx);
  wg_store_close(s);
  if (e) {
    wg_cli_error("audit", e, NULL);
    return 1;
  }
  if (f.limit && ctx.rows == f.limit)
    fprintf(stderr, "(the newest %ld rows; --limit 0 for all)\n", f.limit);
  return 0;
}
