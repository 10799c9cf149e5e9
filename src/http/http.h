/* http.h — `wangge serve`: the JSON API and the web UI's static files.
 *
 * libmicrohttpd with its own polling threads (a pool, epoll where
 * available); each worker thread opens its own store connection on first
 * use (SQLite connections are never shared between threads). Handlers
 * queue their response on the last call of a request only, so keep-alive
 * holds. Every request gets an arena freed once when the response is done.
 * Errors are JSON {"error": {"code", "message", "field"}}; see docs/api.md. */
#ifndef WG_HTTP_H
#define WG_HTTP_H

#include <stddef.h>

#include "util/err.h"

typedef struct wg_http_opts {
  const char *db;            /* store URI (required) */
  const char *host;          /* numeric IPv4/IPv6 address; default "127.0.0.1" */
  int port;                  /* 0 = an ephemeral port (see wg_http_port) */
  const char *web_dir;       /* static assets; NULL = none */
  int threads;               /* worker threads (default 2) */
  size_t max_body;           /* request body cap in bytes (default 1 MiB → 413) */
  unsigned max_connections;  /* default 512 */
  unsigned timeout_seconds;  /* idle connection timeout (default 30) */
  int access_log;            /* 1: one line per request on stderr */
  int clock_seconds;         /* the matters' deadline clock runs this often
                                (default 60); 0 = not at all */
  const char *county;        /* county served (6 digits); NULL = the database's
                                "county" setting (a prefecture database on
                                PostgreSQL holds several) */
} wg_http_opts;

/* Defaults as documented above; db and web_dir NULL. */
void wg_http_opts_init(wg_http_opts *o);

typedef struct wg_http_server wg_http_server;

/* Opens the store once (to check it and read the county it serves), then
 * starts listening. On success *out is owned by the caller: stop it with
 * wg_http_stop. Errors: the store's (WG_ENOTFOUND, WG_ESCHEMA, …), WG_EINVAL
 * (bad address, no county in the database), WG_EIO (cannot listen: the port
 * is taken, …); ei->why says which. */
wg_err wg_http_start(const wg_http_opts *o, wg_http_server **out,
                     wg_errinfo *ei) WG_MUST_CHECK;

/* The port actually bound (useful with port 0). */
int wg_http_port(const wg_http_server *srv);

/* Graceful stop: stops accepting connections, lets requests in flight
 * finish (up to grace_ms), stops the threads, closes every store
 * connection and frees srv. Accepts NULL. */
void wg_http_stop(wg_http_server *srv, int grace_ms);

/* The route table, for documentation checks: method, path pattern
 * ("/api/v1/grids/{code}") and a one-line summary, all static. */
typedef struct wg_http_route_info {
  const char *method;
  const char *pattern;
  const char *summary;
} wg_http_route_info;

int wg_http_route_count(void);
const wg_http_route_info *wg_http_route_at(int i); /* NULL out of range */

#endif
