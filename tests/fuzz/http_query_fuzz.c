/* http_query_fuzz.c — libFuzzer target for the HTTP request-target parser,
 * the router and the parameter checks: any bytes as "METHOD target"; the
 * parsed parameters are then run through every validator a route uses.
 * Nothing may crash, leak or read out of bounds, and every refusal must
 * come with an error body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 3 * WG_URI_MAX) return 0;
  static const char *const methods[] = {"GET", "HEAD", "POST", "DELETE", "PUT", "PATCH"};
  const char *method = methods[data[0] % 6];
  char *raw = malloc(size);
  if (!raw) return 0;
  memcpy(raw, data + 1, size - 1);
  raw[size - 1] = '\0';

  wg_http_server srv;
  memset(&srv, 0, sizeof srv);
  srv.opts.max_body = 1 << 20;
  wg_http_req r;
  memset(&r, 0, sizeof r);
  wg__arena_init(&r.pool);
  r.srv = &srv;
  r.method = method;
  r.resp_fd = -1;
  const char *field = NULL;
  wg_err e = wg__http_parse_target(&r.pool, raw, &r.path, &r.query, &field);
  if (e == WG_OK) {
    int status;
    char allow[64];
    const char *params[WG_ROUTE_MAX_PARAMS] = {0};
    const wg_http_route *rt = wg__http_route(method, r.path, params, &status, allow, sizeof allow);
    if (!rt && status != 404 && status != 405) abort();
    for (int i = 0; rt && i < WG_ROUTE_MAX_PARAMS; i++)
      if (params[i] && !*params[i]) abort(); /* placeholders are never empty */
    /* Every validator, each on a fresh response. */
    static const char *const allowed[] = {"limit", "offset", "after", "level", "plan", "lon",
                                          "lat", "as_of", "community", "grid", NULL};
    wg_store_page pg;
    long v;
    const char *code;
    int32_t date;
    double d;
    int ok = wg__param_only(&r, allowed);
    if (!ok && !r.resp_body) abort();
    free(r.resp_body);
    r.resp_body = NULL;
    ok = wg__param_page(&r, &pg, 1000);
    if (ok && (pg.limit < 1 || pg.limit > 1000 || pg.offset < 0 || pg.after < 0)) abort();
    free(r.resp_body);
    r.resp_body = NULL;
    ok = wg__param_long(&r, "level", 0, 1, 3, &v);
    if (ok && v != 0 && (v < 1 || v > 3)) abort();
    free(r.resp_body);
    r.resp_body = NULL;
    ok = wg__param_code(&r, "grid", 14, 18, &code);
    if (ok && code && (strlen(code) < 14 || strlen(code) > 18)) abort();
    free(r.resp_body);
    r.resp_body = NULL;
    (void)wg__param_date(&r, "as_of", &date);
    free(r.resp_body);
    r.resp_body = NULL;
    (void)wg__param_double(&r, "lon", 1, &d);
    free(r.resp_body);
    r.resp_body = NULL;
  } else if (e != WG_EINVAL && e != WG_ETOOBIG && e != WG_ENOMEM) {
    abort();
  }
  wg__arena_free(&r.pool);
  free(raw);
  return 0;
}
