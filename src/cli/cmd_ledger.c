/* cmd_ledger.c — `wangge ledger` (listing) and `wangge export residents`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/table_write.h"
#include "ledger/ledger.h"
#include "ledger/present.h"
#include "ledger/validate.h"

typedef struct listing {
  wg_store_t *s;
  wg_unmask_grant grant;
  long limit, shown;
  wg_table_writer_t *w; /* export target, or NULL for the terminal */
  wg_err err;
  wg_errinfo ei;
} listing;

static int emit(void *ctx, const wg_resident_t *r) {
  listing *l = ctx;
  if (l->limit > 0 && l->shown >= l->limit) return 1;
  wg_present_row p;
  if ((l->err = wg_present_resident(l->s, r, &l->grant, &p))) return 1;
  if (l->w) {
    if ((l->err = wg_table_writer_row(l->w, WG_PRESENT_NCOLS, p.cells, &l->ei))) return 1;
  } else {
    printf("%lld", (long long)r->id);
    for (int i = 0; i < WG_PRESENT_NCOLS; i++) printf("\t%s", p.cells[i]);
    printf("\n");
  }
  l->shown++;
  return 0;
}

typedef struct query_opts {
  wg_resident_filter f;
  char community[13];
  char tag[32];
  const char *reason;
  int unmask;
} query_opts;

/* Resolves --community and --tag words; prints errors. */
static int resolve_query(wg_store_t *s, query_opts *q, const char *community, const char *tag) {
  wg_errinfo ei = {0};
  if (community) {
    if (wg_ledger_community(s, q->f.county, community, q->community, &ei) != WG_OK) {
      wg_cli_error("--community", WG_ENOTFOUND, &ei);
      return 0;
    }
    q->f.community = q->community;
  }
  if (tag) {
    if (wg_store_tag_resolve(s, tag, q->tag, sizeof q->tag) != WG_OK) {
      fprintf(stderr, "wangge: --tag: unknown tag '%s'\n", tag);
      return 0;
    }
    q->f.tag = q->tag;
  }
  return 1;
}

static int run_listing(const wg_cli *cli, int argc, char **argv, int export) {
  static const struct option opts[] = {{"as-of", required_argument, 0, 'a'},
                                       {"community", required_argument, 0, 'c'},
                                       {"tag", required_argument, 0, 't'},
                                       {"all", no_argument, 0, 'A'},
                                       {"limit", required_argument, 0, 'l'},
                                       {"unmask", no_argument, 0, 'u'},
                                       {"reason", required_argument, 0, 'r'},
                                       {"format", required_argument, 0, 'f'},
                                       {"out", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  query_opts q = {0};
  const char *community = NULL, *tag = NULL, *format = NULL, *out = NULL;
  long limit = export ? 0 : 50;
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'a': {
        int d;
        if (wg_date_parse(optarg, &d) != WG_DATE_OK) {
          fprintf(stderr, "wangge: --as-of '%s' is not a date (YYYY-MM-DD)\n", optarg);
          return 2;
        }
        q.f.as_of = d;
        break;
      }
      case 'c': community = optarg; break;
      case 't': tag = optarg; break;
      case 'A': q.f.include_inactive = 1; break;
      case 'l': limit = strtol(optarg, NULL, 10); break;
      case 'u': q.unmask = 1; break;
      case 'r': q.reason = optarg; break;
      case 'f': format = optarg; break;
      case 'o': out = optarg; break;
      case 'h':
        if (export)
          printf("usage: wangge [--db PATH] export residents --out FILE [--format csv|xlsx]\n"
                 "       [--as-of DATE] [--community C] [--tag T] [--all] [--unmask --reason R]\n\n"
                 "Writes the ledger (or the ledger as it stood on DATE) to FILE. ID numbers\n"
                 "and phones are masked unless --unmask is given with a --reason; that use\n"
                 "is recorded in the audit log. --all includes moved-out and dead residents.\n");
        else
          printf("usage: wangge [--db PATH] ledger [--as-of DATE] [--community C] [--tag T]\n"
                 "       [--all] [--limit N] [--unmask --reason R]\n\n"
                 "Lists residents (first 50 unless --limit; 0 = all), masked. --as-of shows\n"
                 "the ledger as it stood on that date, from the event history.\n");
        return 0;
      default: return 2;
    }
  }
  if (export) {
    if (optind >= argc || strcmp(argv[optind], "residents") != 0 || !out) {
      fprintf(stderr, "usage: wangge export residents --out FILE [--format csv|xlsx] …\n");
      return 2;
    }
    if (!format) format = strstr(out, ".xlsx") ? "xlsx" : "csv";
    if (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
      fprintf(stderr, "wangge export: --format must be csv or xlsx\n");
      return 2;
    }
  } else if (optind != argc) {
    fprintf(stderr, "wangge ledger: unexpected '%s'\n", argv[optind]);
    return 2;
  }
  if (q.unmask && (!q.reason || !*q.reason)) {
    fprintf(stderr, "wangge: --unmask needs --reason (it is recorded in the audit log)\n");
    return 2;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  listing l = {.s = s, .limit = limit};
  if (!wg_cli_county(s, county)) goto done;
  q.f.county = county;
  if (!resolve_query(s, &q, community, tag)) goto done;
  if (q.unmask) {
    char target[128];
    snprintf(target, sizeof target, "%s residents%s%s", export ? "export" : "ledger",
             q.f.community ? " of " : "", q.f.community ? q.f.community : "");
    if (wg_present_unmask_grant(s, cli->actor, target, q.reason, "cli", &l.grant) != WG_OK) {
      fprintf(stderr, "wangge: cannot write the audit row; not unmasking\n");
      goto done;
    }
  }
  if (export) {
    wg_audit_t a = {.action = "export", .origin = "cli"};
    snprintf(a.actor, sizeof a.actor, "%s", cli->actor);
    snprintf(a.target, sizeof a.target, "%.100s", out);
    snprintf(a.reason, sizeof a.reason, "%s", q.reason ? q.reason : "");
    if (wg_store_audit_add(s, &a) != WG_OK ||
        wg_table_writer_open(out, format, &l.w, &l.ei) != WG_OK ||
        wg_table_writer_row(l.w, WG_PRESENT_NCOLS, wg_present_headers, &l.ei) != WG_OK) {
      wg_cli_error("export", WG_EIO, &l.ei);
      goto done;
    }
  }
  wg_err e = wg_store_resident_each(s, &q.f, emit, &l);
  if (!e) e = l.err;
  if (!e && l.w) {
    e = wg_table_writer_close(l.w, &l.ei);
    l.w = NULL;
  }
  if (e) {
    wg_cli_error(export ? "export" : "ledger", e, &l.ei);
    goto done;
  }
  if (export)
    printf("exported %ld residents to %s (%s)\n", l.shown, out,
           l.grant.granted ? "UNMASKED, audited" : "masked");
  else if (limit > 0 && l.shown == limit)
    fprintf(stderr, "(first %ld shown; --limit 0 for all)\n", limit);
  rc = 0;
done:
  wg_table_writer_abort(l.w);
  wg_store_close(s);
  return rc;
}

int wg_cmd_ledger(const wg_cli *cli, int argc, char **argv) {
  return run_listing(cli, argc, argv, 0);
}

int wg_cmd_export(const wg_cli *cli, int argc, char **argv) {
  return run_listing(cli, argc, argv, 1);
}
