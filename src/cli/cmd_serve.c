/* cmd_serve.c — `wangge serve`: the JSON API and the web UI over HTTP. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "org/webhook.h"
#include "http/http.h"

#ifndef WG_WEB_DIR
#define WG_WEB_DIR WG_DATA_DIR "/../web"
#endif

static void usage(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] serve [--listen ADDR:PORT] [--web DIR] [--threads N]\n"
          "       [--log] [--county CODE]\n\n"
          "Serves the JSON API (/api/v1/…) and the web UI. Listens on 127.0.0.1:8080\n"
          "(this machine only) unless --listen names another address, e.g.\n"
          "--listen 0.0.0.0:8080 or --listen [::1]:8080; port 0 picks a free one.\n"
          "--web DIR serves the UI from DIR (default: the web/ of this source tree).\n"
          "Stops on SIGINT or SIGTERM after finishing requests in flight.\n"
          "--county CODE serves that county of a database holding several (a\n"
          "prefecture on PostgreSQL); default: the database's county setting.\n");
}

/* "host:port", "[v6]:port" or ":port". 0 when malformed. */
static int parse_listen(const char *v, char *host, size_t cap, int *port) {
  const char *colon;
  if (v[0] == '[') {
    const char *close = strchr(v, ']');
    if (!close || close[1] != ':') return 0;
    snprintf(host, cap, "%.*s", (int)(close - v - 1), v + 1);
    colon = close + 1;
  } else {
    colon = strrchr(v, ':');
    if (!colon) return 0;
    snprintf(host, cap, "%.*s", (int)(colon - v), v);
    if (!host[0]) snprintf(host, cap, "127.0.0.1");
  }
  char *end;
  long p = strtol(colon + 1, &end, 10);
  if (!colon[1] || *end || p < 0 || p > 65535) return 0;
  *port = (int)p;
  return 1;
}

int wg_cmd_serve(const wg_cli *cli, int argc, char **argv) {
  wg_http_opts o;
  wg_http_opts_init(&o);
  o.db = cli->db;
  o.web_dir = WG_WEB_DIR;
  int web_given = 0;
  char host[128] = "127.0.0.1";
  o.host = host;
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(argv[i], "--listen") == 0 && v) {
      if (!parse_listen(v, host, sizeof host, &o.port)) {
        fprintf(stderr, "wangge serve: --listen wants ADDR:PORT, e.g. 127.0.0.1:8080\n");
        return 2;
      }
      i++;
    } else if (strcmp(argv[i], "--web") == 0 && v) {
      o.web_dir = v;
      web_given = 1;
      i++;
    } else if (strcmp(argv[i], "--threads") == 0 && v) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*end || n < 1 || n > 64) {
        fprintf(stderr, "wangge serve: --threads must be 1 to 64\n");
        return 2;
      }
      o.threads = (int)n;
      i++;
    } else if (strcmp(argv[i], "--county") == 0 && v) {
      o.county = v;
      i++;
    } else if (strcmp(argv[i], "--log") == 0) {
      o.access_log = 1;
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "wangge serve: unexpected '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!web_given && access(o.web_dir, R_OK) != 0) {
    fprintf(stderr, "wangge serve: no web UI at %s; serving the API only\n", o.web_dir);
    o.web_dir = NULL;
  }
  /* Signals are taken by sigwait here; the server's threads inherit the
   * blocked mask and never see them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  wg_http_server *srv = NULL;
  wg_errinfo ei = {0};
  wg_err e = wg_http_start(&o, &srv, &ei);
  if (e) {
    wg_cli_error("serve", e, &ei);
    return 1;
  }
  /* Mobilisation webhooks are delivered by their own thread, never from a
   * request. */
  wg_webhook_worker *webhook = NULL;
  if (wg_webhook_start(cli->db, 1000, &webhook) != WG_OK)
    fprintf(stderr, "wangge serve: webhook delivery not started\n");
  int ipv6 = strchr(host, ':') != NULL;
  printf("wangge serving %s on http://%s%s%s:%d/\n", cli->db, ipv6 ? "[" : "", host,
         ipv6 ? "]" : "", wg_http_port(srv));
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  fprintf(stderr, "wangge serve: %s, finishing requests in flight\n",
          sig == SIGTERM ? "SIGTERM" : "SIGINT");
  wg_http_stop(srv, 10000);
  wg_webhook_stop(webhook);
  return 0;
}
