/* server.c — libmicrohttpd glue: the daemon and its limits, the two-call
 * access handler, the per-thread store connections, responses with the
 * security headers, the wg_err → HTTP status table, static files, and the
 * graceful stop. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/http_int.h"

/* Per-connection buffer of libmicrohttpd: the request line and headers must
 * fit (over it MHD answers 414/431 itself). MHD clears it between requests,
 * so it is kept small. */
#define WG_HTTP_CONNECTION_MEMORY (16 * 1024)

/* ---- the one table: wg_err → HTTP status and error code -------------------- */

static const struct {
  int status;
  const char *code;
} err_table[WG_ERR_COUNT_] = {
    [WG_OK] = {200, "ok"},
    [WG_ENOMEM] = {500, "out_of_memory"},
    [WG_EINVAL] = {400, "invalid"},
    [WG_EIO] = {500, "io"},
    [WG_ENOTFOUND] = {404, "not_found"},
    [WG_EEXIST] = {409, "exists"},
    [WG_ECONFLICT] = {409, "conflict"},
    [WG_ETOOBIG] = {413, "too_big"},
    [WG_EFORMAT] = {400, "malformed"},
    [WG_EENCODING] = {400, "bad_encoding"},
    [WG_ESCHEMA] = {500, "schema"},
    [WG_ECORRUPT] = {500, "corrupt"},
    [WG_EDB] = {500, "database"},
    [WG_EBUSY] = {503, "busy"},
    [WG_EPERM] = {403, "forbidden"},
    [WG_EREJECTED] = {422, "rejected"},
    [WG_ENOTSUP] = {501, "not_supported"},
};

int wg__http_status_of(wg_err e, const char **code) {
  if ((int)e < 0 || e >= WG_ERR_COUNT_ || !err_table[e].code) {
    *code = "internal";
    return 500;
  }
  *code = err_table[e].code;
  return err_table[e].status;
}

/* ---- JSON and responses --------------------------------------------------- */

double wg__coord(double v) {
  double r = v * 1e7;
  r = r < 0 ? (double)(long long)(r - 0.5) : (double)(long long)(r + 0.5);
  return r / 1e7;
}

char *wg__json_dump(const json_t *j, size_t *len) {
  /* 12 significant digits: coordinates are rounded to 7 decimals first. */
  char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));
  if (len) *len = s ? strlen(s) : 0;
  return s;
}

static void set_body(wg_http_req *r, int status, char *body, size_t len, const char *ctype) {
  free(r->resp_body);
  r->resp_body = body;
  r->resp_len = len;
  r->status = status;
  r->content_type = ctype;
}

void wg__http_raw(wg_http_req *r, int status, char *body, size_t len, const char *ctype) {
  set_body(r, status, body, len, ctype);
}

void wg__http_json(wg_http_req *r, int status, json_t *body) {
  size_t len;
  char *s = body ? wg__json_dump(body, &len) : NULL;
  json_decref(body);
  if (!s) {
    static const char oom[] =
        "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"out of memory\",\"field\":null}}";
    char *c = strdup(oom);
    set_body(r, 500, c, c ? strlen(c) : 0, "application/json");
    return;
  }
  /* A trailing newline, as curl users expect. */
  char *n = realloc(s, len + 2);
  if (n) {
    n[len] = '\n';
    n[len + 1] = '\0';
    s = n;
    len++;
  }
  set_body(r, status, s, len, "application/json; charset=utf-8");
}

void wg__http_error(wg_http_req *r, int status, const char *code, const char *field,
                    const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *err = json_pack("{s:s, s:s, s:o}", "code", code, "message", msg, "field",
                          field ? json_string(field) : json_null());
  if (!err) {
    /* a field that is not UTF-8 cannot come here (decoded input is
     * checked), but keep going without it */
    err = json_pack("{s:s, s:s, s:n}", "code", code, "message", msg, "field");
  }
  wg__http_json(r, status, json_pack("{s:o}", "error", err));
}

void wg__http_fail(wg_http_req *r, wg_err e, const char *field, const char *why) {
  const char *code;
  int status = wg__http_status_of(e, &code);
  /* Server-side failures do not leak details. */
  if (status >= 500)
    wg__http_error(r, status, code, NULL, "%s", wg_strerror(e));
  else
    wg__http_error(r, status, code, field, "%s", why && *why ? why : wg_strerror(e));
}

/* ---- worker threads and their store connections ----------------------------- */

static _Thread_local wg_http_worker *tls_worker;

wg_http_worker *wg__http_worker(wg_http_req *r) {
  if (r->worker) return r->worker;
  wg_http_worker *w = tls_worker;
  if (!w || w->srv != r->srv) {
    w = calloc(1, sizeof *w);
    wg_errinfo ei = {0};
    if (!w || wg_store_open(r->srv->db, 0, &w->store, &ei) != WG_OK ||
        wg_store_probe_open(w->store, &w->probe) != WG_OK) {
      if (w) wg_store_close(w->store);
      free(w);
      wg__http_error(r, 500, "database", NULL, "the database cannot be opened");
      return NULL;
    }
    w->srv = r->srv;
    pthread_mutex_lock(&r->srv->mu);
    w->next = r->srv->workers;
    r->srv->workers = w;
    pthread_mutex_unlock(&r->srv->mu);
    tls_worker = w;
  }
  r->worker = w;
  return w;
}

/* ---- static files ------------------------------------------------------------ */

static const char *content_type_of(const char *path) {
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".geojson", "application/geo+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
      {".webp", "image/webp"},
  };
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return "application/octet-stream";
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcasecmp(dot, types[i].ext) == 0) return types[i].type;
  return "application/octet-stream";
}

/* 1 when every segment of path is a plain name: no "", ".", "..", no
 * hidden files, no backslashes or control characters. */
static int safe_path(const char *path) {
  if (path[0] != '/') return 0;
  const char *s = path + 1;
  for (;;) {
    const char *e = strchr(s, '/');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    if (n == 0 || s[0] == '.') return 0;
    for (size_t i = 0; i < n; i++)
      if ((unsigned char)s[i] < 0x20 || s[i] == '\\' || s[i] == 0x7f) return 0;
    if (!e) return 1;
    s = e + 1;
  }
}

void wg__http_static(wg_http_req *r) {
  wg_http_server *srv = r->srv;
  const char *path = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
  /* The web directory also holds the front-end build's inputs: only the
   * page, its scripts, styles and the vendored packages are served. */
  int build_input = strncmp(path, "/node_modules/", 14) == 0 || strncmp(path, "/package", 8) == 0 ||
                    strncmp(path, "/vendor.new/", 12) == 0;
  if (!srv->web_dir[0] || strlen(path) > 512 || !safe_path(path) || build_input) {
    wg__http_error(r, 404, "not_found", NULL, "no such file");
    return;
  }
  char full[PATH_MAX + 600], real[PATH_MAX];
  snprintf(full, sizeof full, "%s%s", srv->web_dir, path);
  /* Symlinks may point anywhere: the resolved file must stay inside. */
  size_t wl = strlen(srv->web_dir);
  if (!realpath(full, real) || strncmp(real, srv->web_dir, wl) != 0 || real[wl] != '/') {
    wg__http_error(r, 404, "not_found", NULL, "no such file");
    return;
  }
  int fd = open(real, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    if (fd >= 0) close(fd);
    wg__http_error(r, 404, "not_found", NULL, "no such file");
    return;
  }
  snprintf(r->etag, sizeof r->etag, "\"%llx-%llx\"", (unsigned long long)sb.st_size,
           (unsigned long long)sb.st_mtim.tv_sec * 1000000000ULL +
               (unsigned long long)sb.st_mtim.tv_nsec);
  struct tm tm;
  gmtime_r(&sb.st_mtim.tv_sec, &tm);
  strftime(r->last_modified, sizeof r->last_modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  r->content_type = content_type_of(real);
  const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
  if (inm && strcmp(inm, r->etag) == 0) {
    close(fd);
    r->status = 304;
    return;
  }
  r->resp_fd = fd;
  r->fd_size = (size_t)sb.st_size;
  r->status = 200;
}

/* ---- the access handler -------------------------------------------------------- */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static wg_http_req *req_new(wg_http_server *srv, const char *uri) {
  wg_http_req *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  wg__arena_init(&r->pool);
  r->srv = srv;
  r->resp_fd = -1;
  r->t0 = now_ms();
  size_t n = uri ? strnlen(uri, WG_URI_MAX + 1) : 0;
  r->raw_target = wg__arena_strndup(&r->pool, uri ? uri : "", n);
  pthread_mutex_lock(&srv->mu);
  srv->in_flight++;
  pthread_mutex_unlock(&srv->mu);
  return r;
}

/* MHD calls this first for every request, with the target as received
 * (query included, not yet decoded); its result becomes the request's
 * context. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn) {
  (void)conn;
  return req_new(cls, uri);
}

static void add_headers(wg_http_req *r, struct MHD_Response *resp) {
  MHD_add_response_header(resp, "Content-Security-Policy",
                          "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                          "frame-ancestors 'none'");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  if (r->is_api || !r->etag[0])
    MHD_add_response_header(resp, "Cache-Control", "no-store");
  else
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
  if (r->content_type) MHD_add_response_header(resp, "Content-Type", r->content_type);
  if (r->etag[0]) MHD_add_response_header(resp, "ETag", r->etag);
  if (r->last_modified[0]) MHD_add_response_header(resp, "Last-Modified", r->last_modified);
  if (r->allow[0] && r->status == 405) MHD_add_response_header(resp, "Allow", r->allow);
  if (r->set_cookie[0]) MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
  if (r->disposition[0]) MHD_add_response_header(resp, "Content-Disposition", r->disposition);
  if (r->status == 401)
    MHD_add_response_header(resp, "WWW-Authenticate", "Cookie realm=\"wangge\"");
}

static enum MHD_Result respond(struct MHD_Connection *conn, wg_http_req *r) {
  struct MHD_Response *resp;
  if (r->resp_fd >= 0) {
    resp = MHD_create_response_from_fd((uint64_t)r->fd_size, r->resp_fd);
    if (resp) r->resp_fd = -1; /* MHD closes it */
  } else {
    resp = MHD_create_response_from_buffer(
        r->resp_len, r->resp_body ? r->resp_body : (char *)"",
        r->resp_body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (resp) r->resp_body = NULL;
  }
  if (!resp) return MHD_NO;
  add_headers(r, resp);
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
  (void)url;
  (void)version;
  wg_http_server *srv = cls;
  wg_http_req *r = *con_cls;
  if (!r) {
    r = req_new(srv, url);
    if (!r) return MHD_NO;
    *con_cls = r;
  }
  if (!r->started) {
    r->started = 1;
    r->conn = conn;
    r->method = wg__arena_strndup(&r->pool, method, strlen(method));
    if (!r->method || !r->raw_target) return MHD_NO;
    const char *field = NULL;
    wg_err e = wg__http_parse_target(&r->pool, r->raw_target, &r->path, &r->query, &field);
    if (e) {
      r->bad_target = 1;
      r->bad_err = e;
      r->bad_field = field;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
      char *end;
      errno = 0;
      unsigned long long n = strtoull(cl, &end, 10);
      if (errno || *end || n > srv->opts.max_body) {
        /* Refuse before reading it: answering now closes the connection,
         * which is what an oversized upload deserves. */
        r->body_toobig = 1;
        wg__http_dispatch(r);
        return respond(conn, r);
      }
    }
    return MHD_YES; /* the second call brings the body or the end */
  }
  if (r->deferred) {
    /* resumed by the writer: the work is done, make the response */
    pthread_mutex_lock(&srv->writer_mu);
    int done = r->deferred_done;
    pthread_mutex_unlock(&srv->writer_mu);
    if (!done) return MHD_YES;
    void (*fn)(wg_http_req *) = r->deferred;
    r->deferred = NULL;
    fn(r);
    if (!r->status) wg__http_error(r, 500, "internal", NULL, "the handler gave no response");
    return respond(conn, r);
  }
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    if (!r->body_toobig) {
      if (r->body_len + n > srv->opts.max_body) {
        r->body_toobig = 1;
      } else {
        if (!r->body) {
          r->body = wg__arena_alloc(&r->pool, srv->opts.max_body + 1);
          if (!r->body) return MHD_NO;
        }
        memcpy(r->body + r->body_len, upload_data, n);
        r->body_len += n;
        r->body[r->body_len] = '\0';
      }
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  wg__http_dispatch(r);
  if (r->deferred) {
    /* handed to the writer: queued only once suspended, so its resume
     * always finds the connection suspended */
    MHD_suspend_connection(conn);
    wg__http_writer_enqueue(r);
    return MHD_YES;
  }
  return respond(conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)conn;
  (void)toe;
  wg_http_server *srv = cls;
  wg_http_req *r = *con_cls;
  if (!r) return;
  *con_cls = NULL;
  if (srv->opts.access_log && r->method)
    fprintf(stderr, "%s %.200s %d %.2fms\n", r->method, r->raw_target ? r->raw_target : "?",
            r->status, now_ms() - r->t0);
  if (r->resp_fd >= 0) close(r->resp_fd);
  free(r->resp_body);
  wg__arena_free(&r->pool);
  free(r);
  pthread_mutex_lock(&srv->mu);
  srv->in_flight--;
  if (srv->in_flight == 0) pthread_cond_broadcast(&srv->idle);
  pthread_mutex_unlock(&srv->mu);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap) {
  wg_http_server *srv = cls;
  if (!srv->opts.access_log) return;
  fprintf(stderr, "libmicrohttpd: ");
  vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ---------------------------------------------------------------- */

void wg_http_opts_init(wg_http_opts *o) {
  memset(o, 0, sizeof *o);
  o->host = "127.0.0.1";
  o->port = 8080;
  o->threads = 2;
  o->max_body = 1 << 20;
  o->max_connections = 512;
  o->timeout_seconds = 30;
  o->clock_seconds = 60;
}

static void server_free(wg_http_server *srv) {
  wg_http_worker *w = srv->workers;
  while (w) {
    wg_http_worker *next = w->next;
    wg_store_probe_close(w->probe);
    wg_store_close(w->store);
    free(w);
    w = next;
  }
  wg__http_cache_free(srv);
  wg__http_facts_free(srv);
  pthread_mutex_destroy(&srv->mu);
  pthread_cond_destroy(&srv->idle);
  pthread_mutex_destroy(&srv->cache_mu);
  pthread_mutex_destroy(&srv->session_mu);
  pthread_cond_destroy(&srv->built);
  pthread_mutex_destroy(&srv->clock_mu);
  pthread_cond_destroy(&srv->clock_cv);
  pthread_mutex_destroy(&srv->writer_mu);
  pthread_cond_destroy(&srv->writer_cv);
  sodium_memzero(srv->sessions, sizeof srv->sessions);
  free(srv);
}

wg_err wg_http_start(const wg_http_opts *o, wg_http_server **out, wg_errinfo *ei) {
  *out = NULL;
  if (!o->db) return wg_errinfo_set(ei, WG_EINVAL, "no database given");
  wg_http_server *srv = calloc(1, sizeof *srv);
  if (!srv) return WG_ENOMEM;
  srv->opts = *o;
  if (srv->opts.threads < 1) srv->opts.threads = 1;
  if (srv->opts.threads > 64) srv->opts.threads = 64;
  if (!srv->opts.host) srv->opts.host = "127.0.0.1";
  pthread_mutex_init(&srv->mu, NULL);
  pthread_cond_init(&srv->idle, NULL);
  pthread_mutex_init(&srv->cache_mu, NULL);
  pthread_mutex_init(&srv->session_mu, NULL);
  pthread_cond_init(&srv->built, NULL);
  pthread_mutex_init(&srv->clock_mu, NULL);
  pthread_cond_init(&srv->clock_cv, NULL);
  pthread_mutex_init(&srv->writer_mu, NULL);
  pthread_cond_init(&srv->writer_cv, NULL);
  snprintf(srv->db, sizeof srv->db, "%s", o->db);
  if (o->web_dir && *o->web_dir) {
    char real[PATH_MAX];
    if (!realpath(o->web_dir, real)) {
      server_free(srv);
      return wg_errinfo_set(ei, WG_ENOTFOUND, "web directory %s: %s", o->web_dir, strerror(errno));
    }
    snprintf(srv->web_dir, sizeof srv->web_dir, "%s", real);
  }

  /* Check the store and learn its county before listening. */
  wg_store_t *s = NULL;
  wg_err e = wg_store_open(srv->db, 0, &s, ei);
  if (e) {
    server_free(srv);
    return e;
  }
  char *county = NULL;
  if (o->county)
    county = strdup(o->county);
  else
    e = wg_store_meta_get(s, "county", &county);
  wg_store_close(s);
  if (e || !county || strlen(county) != 6) {
    free(county);
    server_free(srv);
    return wg_errinfo_set(ei, WG_EINVAL, o->county ? "--county wants a 6-digit county code"
                                                   : "the database serves no county yet (wangge init)");
  }
  memcpy(srv->county, county, 7);
  free(county);
  /* Caches of the active plan and its figures, before the first request. */
  if (wg_store_open(srv->db, 0, &s, NULL) == WG_OK) {
    wg__http_warm(srv, s);
    wg_store_close(s);
  }

  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
#ifdef __linux__
  flags |= MHD_USE_EPOLL;
#endif
  if (strchr(srv->opts.host, ':')) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)srv->opts.port);
    if (inet_pton(AF_INET6, srv->opts.host, &a6->sin6_addr) != 1) goto bad_host;
    flags |= MHD_USE_IPv6;
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)srv->opts.port);
    if (inet_pton(AF_INET, srv->opts.host, &a4->sin_addr) != 1) goto bad_host;
  }
  if (srv->opts.port < 0 || srv->opts.port > 65535) goto bad_host;

  /* clang-format off */
  srv->daemon = MHD_start_daemon(
      flags, (uint16_t)srv->opts.port, NULL, NULL, on_request, srv,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->opts.threads,
      MHD_OPTION_CONNECTION_LIMIT, srv->opts.max_connections,
      MHD_OPTION_CONNECTION_TIMEOUT, srv->opts.timeout_seconds,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WG_HTTP_CONNECTION_MEMORY,
      MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
      MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
      MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
      MHD_OPTION_END);
  /* clang-format on */
  if (!srv->daemon) {
    int err = errno;
    server_free(srv);
    return wg_errinfo_set(ei, WG_EIO, "cannot listen on %s:%d: %s", o->host ? o->host : "", o->port,
                          err ? strerror(err) : "libmicrohttpd refused to start");
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
  srv->port = info ? info->port : srv->opts.port;
  wg__http_clock_start(srv);
  wg__http_writer_start(srv);
  *out = srv;
  return WG_OK;
bad_host:
  server_free(srv);
  return wg_errinfo_set(ei, WG_EINVAL, "'%s' port %d is not a numeric IP address and port", o->host,
                        o->port);
}

int wg_http_port(const wg_http_server *srv) {
  return srv ? srv->port : 0;
}

void wg_http_stop(wg_http_server *srv, int grace_ms) {
  if (!srv) return;
  wg__http_clock_stop(srv);
  /* Stop accepting; connections already open keep being served. */
  MHD_socket ls = MHD_quiesce_daemon(srv->daemon);
  if (ls != MHD_INVALID_SOCKET) close(ls);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += grace_ms / 1000;
  until.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&srv->mu);
  while (srv->in_flight > 0)
    if (pthread_cond_timedwait(&srv->idle, &srv->mu, &until) == ETIMEDOUT) break;
  pthread_mutex_unlock(&srv->mu);
  wg__http_writer_stop(srv);
  MHD_stop_daemon(srv->daemon);
  server_free(srv);
}
