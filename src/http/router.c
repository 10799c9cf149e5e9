/* router.c — the route table, request-target parsing, parameter checks and
 * dispatch. Nothing here trusts its input: every parser is bounded and
 * reports the part that was wrong. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "ledger/validate.h"

#define P WG_ROUTE_PRINCIPAL

static const wg_http_route routes[] = {
    {{"POST", "/api/v1/session", "sign in ({\"login\", \"password\"}; sets the session cookie)"},
     wg__api_session_create,
     WG_ROUTE_SIGN_IN},
    {{"GET", "/api/v1/session", "who is signed in, with the CSRF token"},
     wg__api_session_get,
     P},
    {{"DELETE", "/api/v1/session", "sign out"}, wg__api_session_delete, P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/divisions", "divisions (?parent=, ?level=)"}, wg__api_divisions, P},
    {{"GET", "/api/v1/grids", "grids of a plan (?level=, ?plan=, ?format=geojson)"},
     wg__api_grids,
     P},
    {{"GET", "/api/v1/grids/{code}", "a grid card"}, wg__api_grid, P},
    {{"GET", "/api/v1/buildings", "buildings (?community=, ?grid=)"}, wg__api_buildings, P},
    {{"GET", "/api/v1/households", "households (?community=, ?grid=)"}, wg__api_households, P},
    {{"GET", "/api/v1/residents", "residents, masked (?community=, ?grid=, ?tag=, ?as_of=)"},
     wg__api_residents,
     P},
    {{"GET", "/api/v1/residents/{id}", "a resident with its history, masked"}, wg__api_resident, P},
    {{"GET", "/api/v1/plans", "plans of the county"}, wg__api_plans, P},
    {{"GET", "/api/v1/plans/{id}", "a plan with its summary"}, wg__api_plan, P},
    {{"GET", "/api/v1/plans/{id}/diff/{other}", "what changed from plan id to plan other"},
     wg__api_plan_diff,
     P},
    {{"POST", "/api/v1/plans/{id}/activate", "make a plan the one in use (county office; audited)"},
     wg__api_plan_activate,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/stats", "households, residents and tags per grid at every level"},
     wg__api_stats,
     P},
    {{"GET", "/api/v1/locate", "the grids holding a point (?lon=, ?lat=, ?crs=)"},
     wg__api_locate,
     P},
    {{"GET", "/api/v1/matters", "matters: my queue, overdue first (?queue=, ?status=, ?open=, ...)"},
     wg__api_matters,
     P},
    {{"POST", "/api/v1/matters", "report a matter (routed to its grid; duplicates offered)"},
     wg__api_matter_report,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/matters/{id}", "a matter with its timeline"}, wg__api_matter, P},
    {{"POST", "/api/v1/matters/{id}/{action}", "a step: accept, dispatch, handle, verify, ..."},
     wg__api_matter_act,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/matter-categories", "categories of matters with their deadlines"},
     wg__api_matter_categories,
     P},
    {{"GET", "/api/v1/matter-figures", "figures and rankings (?by=, ?level=, ?from=, ?to=)"},
     wg__api_matter_figures,
     P},
    {{"POST", "/api/v1/photos", "upload a photo (multipart/form-data, field photo)"},
     wg__api_photo_upload,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/photos/{sha256}", "a photo by its SHA-256"}, wg__api_photo, P},
    {{"GET", "/open311/v2/discovery.{format}", "Open311 GeoReport v2 discovery"},
     wg__o311_discovery,
     0},
    {{"GET", "/open311/v2/services.{format}", "Open311: the service list (our categories)"},
     wg__o311_services,
     0},
    {{"GET", "/open311/v2/services/{code}.{format}", "Open311: a service definition"},
     wg__o311_service,
     0},
    {{"GET", "/open311/v2/requests.{format}", "Open311: service requests (filters)"},
     wg__o311_requests,
     0},
    {{"POST", "/open311/v2/requests.{format}", "Open311: report a service request (api_key)"},
     wg__o311_request_post,
     WG_ROUTE_API_KEY},
    {{"GET", "/open311/v2/requests/{id}.{format}", "Open311: one service request"},
     wg__o311_request,
     0},
    {{"GET", "/open311/v2/tokens/{token}.{format}", "Open311: the request id of a token"},
     wg__o311_token,
     0},
    {{"GET", "/open311/v2/media/{sha256}", "Open311: a photo of a request (media_url)"},
     wg__o311_media,
     0},
    {{"GET", "/api/v1/org/staff", "grid workers, building heads, community staff (?community=, ?grid=)"},
     wg__api_org_staff,
     P},
    {{"POST", "/api/v1/org/staff", "add a staff member with their grids (community office; audited)"},
     wg__api_org_staff_add,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/org/members", "Party members and volunteers (?community=, ?grid=, ?registered=1)"},
     wg__api_org_members,
     P},
    {{"POST", "/api/v1/org/members", "add a Party member (from the ledger or external) or volunteer"},
     wg__api_org_member_add,
     P | WG_ROUTE_CSRF},
    {{"POST", "/api/v1/org/members/{id}/registration", "in-service registration with the home community"},
     wg__api_org_member_register,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/org/service", "service log with total hours (?member=, ?staff=, ?grid=, ?from=, ?to=)"},
     wg__api_org_service,
     P},
    {{"POST", "/api/v1/org/service", "log a service (in a grid of your scope)"},
     wg__api_org_service_add,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/org/rosters", "duty shifts (?place=, ?from=, ?to=)"}, wg__api_org_rosters, P},
    {{"POST", "/api/v1/org/rosters", "plan a duty shift"}, wg__api_org_roster_add, P | WG_ROUTE_CSRF},
    {{"POST", "/api/v1/org/rosters/{id}/close", "close a shift: done with a handover note, or missed"},
     wg__api_org_roster_close,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/org/visits", "visits (?mine=1, ?date=, ?household=)"}, wg__api_org_visits, P},
    {{"POST", "/api/v1/org/visits", "record a visit (a grid worker: in their grids only)"},
     wg__api_org_visit_add,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/org/visits/due", "due and overdue visits of a worker (?staff=, ?today=, ?ahead=)"},
     wg__api_org_visits_due,
     P},
    {{"GET", "/api/v1/org/coverage", "contact and visit coverage per grid (?level=, ?today=)"},
     wg__api_org_coverage,
     P},
    {{"GET", "/api/v1/org/check", "the organisation check's findings in scope (?kind=)"},
     wg__api_org_check,
     P},
    {{"GET", "/api/v1/incidents", "mobilisation calls with their head-counts"}, wg__api_incidents, P},
    {{"POST", "/api/v1/incidents", "open an incident and call responders"},
     wg__api_incident_open,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/incidents/{id}", "an incident, its responders and live head-count"},
     wg__api_incident,
     P},
    {{"POST", "/api/v1/incidents/{id}/responses", "a responder acknowledges, declines, arrives"},
     wg__api_incident_respond,
     P | WG_ROUTE_CSRF},
    {{"POST", "/api/v1/incidents/{id}/close", "close with a summary; arrivals get service hours"},
     wg__api_incident_close,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/notices", "the signed-in person's in-app notices"}, wg__api_notices, P},
    {{"GET", "/api/v1/campaigns", "campaigns of the county and the templates"}, wg__api_campaigns, P},
    {{"POST", "/api/v1/campaigns", "create a campaign from a template or stages and a query (county office; audited)"},
     wg__api_campaign_create,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/campaigns/{id}", "a campaign with the figures of the units you see"},
     wg__api_campaign,
     P},
    {{"GET", "/api/v1/campaigns/{id}/rollup", "completion per stage at every level, ranked (?level=)"},
     wg__api_campaign_rollup,
     P},
    {{"GET", "/api/v1/campaigns/{id}/history", "items per stage at the end of each day (?unit=)"},
     wg__api_campaign_history,
     P},
    {{"GET", "/api/v1/campaigns/{id}/items", "items in your scope, masked (?unit=, ?pending=1, ?limit=, ?offset=)"},
     wg__api_campaign_items,
     P},
    {{"POST", "/api/v1/campaigns/{id}/items/{item}/mark", "move an item to a stage ({\"stage\", \"note\", \"correct\"}; audited)"},
     wg__api_campaign_mark,
     P | WG_ROUTE_CSRF},
    {{"POST", "/api/v1/campaigns/{id}/import", "bulk update from a CSV/XLSX body, all or nothing (?stage=; audited)"},
     wg__api_campaign_import,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/campaigns/{id}/report", "the campaign report as a download (?format=xlsx|html; audited)"},
     wg__api_campaign_report,
     P},
    {{"GET", "/api/v1/targets", "indicators of the county"}, wg__api_targets, P},
    {{"POST", "/api/v1/targets", "a new indicator (county office; audited)"},
     wg__api_target_create,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/targets/{code}", "completion and ranking of every unit for a period (?period=)"},
     wg__api_target,
     P},
    {{"POST", "/api/v1/targets/{code}/targets", "assign a target to a division (county office; audited)"},
     wg__api_target_assign,
     P | WG_ROUTE_CSRF},
    {{"POST", "/api/v1/targets/{code}/actuals", "report an actual for a period (own division; audited)"},
     wg__api_target_actual,
     P | WG_ROUTE_CSRF},
    {{"GET", "/api/v1/reports/{kind}", "weekly, monthly or quarterly report as a download (?period=, ?format=; audited)"},
     wg__api_report,
     P},
    {{"POST", "/api/v1/org/contacts", "a person takes a household (包片联户) or gives it up"},
     wg__api_org_contact,
     P | WG_ROUTE_CSRF},
};

#undef P

enum { NROUTES = sizeof routes / sizeof routes[0] };

int wg_http_route_count(void) {
  return NROUTES;
}

const wg_http_route_info *wg_http_route_at(int i) {
  return i >= 0 && i < NROUTES ? &routes[i].info : NULL;
}

/* ---- matching ---------------------------------------------------------------- */

/* Matches path against pattern segment by segment; {x} takes one non-empty
 * segment. The path is copied into buf, whose segments the params point at. */
static int match(const char *pattern, const char *path, char *buf, size_t cap,
                 const char **params) {
  size_t n = strlen(path);
  if (n + 1 > cap || path[0] != '/' || pattern[0] != '/') return 0;
  memcpy(buf, path, n + 1);
  const char *p = pattern + 1;
  char *s = buf + 1;
  int np = 0;
  for (;;) {
    const char *pend = strchr(p, '/');
    if (!pend) pend = p + strlen(p);
    char *send = strchr(s, '/');
    if (!send) send = s + strlen(s);
    size_t pl = (size_t)(pend - p), sl = (size_t)(send - s);
    const char *brace = memchr(p, '{', pl);
    const char *dot = brace ? memchr(brace, '.', (size_t)(pend - brace)) : NULL;
    if (brace && (brace != p || dot)) {
      /* "lit.{b}" or "{a}.{b}": the segment's last '.' splits it */
      char *sdot = NULL;
      for (char *c = s; c < send; c++)
        if (*c == '.') sdot = c;
      size_t lit = (size_t)(brace - p);
      if (!sdot || sdot + 1 >= send || np + (brace == p) + 1 > WG_ROUTE_MAX_PARAMS) return 0;
      if (brace == p) { /* {a}.{b} */
        if (sdot == s) return 0;
        params[np++] = s;
      } else if ((size_t)(sdot - s) + 1 != lit || memcmp(p, s, lit) != 0) {
        return 0;
      }
      *sdot = '\0';
      params[np++] = sdot + 1;
    } else if (pl && p[0] == '{') {
      if (!sl || np >= WG_ROUTE_MAX_PARAMS) return 0;
      params[np++] = s;
    } else if (pl != sl || memcmp(p, s, pl) != 0) {
      return 0;
    }
    int pmore = *pend == '/', smore = *send == '/';
    if (pmore != smore) return 0;
    if (!pmore) return 1;
    *send = '\0';
    p = pend + 1;
    s = send + 1;
  }
}

const wg_http_route *wg__http_route(const char *method, const char *path, const char **params,
                                    int *status, char *allow, size_t allow_cap) {
  static _Thread_local char buf[WG_URI_MAX + 1];
  const wg_http_route *found = NULL;
  int path_known = 0;
  if (allow_cap) allow[0] = '\0';
  const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
  for (int i = 0; i < NROUTES; i++) {
    const char *tmp[WG_ROUTE_MAX_PARAMS] = {0};
    if (!match(routes[i].info.pattern, path, buf, sizeof buf, tmp)) continue;
    path_known = 1;
    if (strcmp(routes[i].info.method, m) == 0) {
      found = &routes[i];
      for (int k = 0; k < WG_ROUTE_MAX_PARAMS; k++) params[k] = tmp[k];
      break;
    }
    size_t used = strlen(allow);
    snprintf(allow + used, allow_cap - used, "%s%s", used ? ", " : "", routes[i].info.method);
  }
  if (found) {
    *status = 200;
    return found;
  }
  *status = path_known ? 405 : 404;
  return NULL;
}

/* ---- target parsing ----------------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int utf8_ok(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    if (c < 0x80) {
      if (c == 0) return 0;
      i++;
      continue;
    }
    int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (!len || i + (size_t)len > n) return 0;
    unsigned cp = c & (0x3F >> (len - 1));
    for (int k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += (size_t)len;
  }
  return 1;
}

char *wg__http_decode(wg_arena *a, const char *src, size_t n, int form) {
  char *out = wg__arena_alloc(a, n + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = src[i];
    if (c == '%') {
      if (i + 2 >= n) return NULL;
      int h = hexval(src[i + 1]), l = h < 0 ? -1 : hexval(src[i + 2]);
      if (h < 0 || l < 0) return NULL;
      out[o++] = (char)(h * 16 + l);
      i += 2;
    } else if (c == '+' && form) {
      out[o++] = ' ';
    } else {
      out[o++] = c;
    }
  }
  out[o] = '\0';
  if (!utf8_ok((const unsigned char *)out, o)) return NULL;
  return out;
}

wg_err wg__http_parse_target(wg_arena *a, const char *raw, char **path, wg_query *q,
                             const char **field) {
  memset(q, 0, sizeof *q);
  *path = NULL;
  *field = "path";
  if (!raw) return WG_EINVAL;
  size_t n = strlen(raw);
  if (n > WG_URI_MAX) return WG_ETOOBIG;
  if (n == 0 || raw[0] != '/') return WG_EINVAL;
  const char *qm = memchr(raw, '?', n);
  const char *hash = memchr(raw, '#', n);
  if (hash && (!qm || hash < qm)) return WG_EINVAL;
  size_t plen = qm ? (size_t)(qm - raw) : n;
  *path = wg__http_decode(a, raw, plen, 0);
  if (!*path) return WG_EINVAL;
  if (!qm) return WG_OK;
  const char *s = qm + 1, *end = raw + n;
  if (hash) end = hash;
  while (s < end) {
    const char *amp = memchr(s, '&', (size_t)(end - s));
    const char *pend = amp ? amp : end;
    if (pend > s) {
      if (q->n >= WG_QUERY_MAX_PARAMS) {
        *field = "query";
        return WG_ETOOBIG;
      }
      const char *eq = memchr(s, '=', (size_t)(pend - s));
      const char *kend = eq ? eq : pend;
      char *key = wg__http_decode(a, s, (size_t)(kend - s), 1);
      if (!key) {
        *field = "query";
        return WG_EINVAL;
      }
      char *val =
          eq ? wg__http_decode(a, eq + 1, (size_t)(pend - eq - 1), 1) : wg__arena_strndup(a, "", 0);
      if (!val) {
        *field = key;
        return WG_EINVAL;
      }
      if (!*key) {
        *field = "query";
        return WG_EINVAL;
      }
      q->key[q->n] = key;
      q->value[q->n] = val;
      q->n++;
    }
    s = amp ? amp + 1 : end;
  }
  *field = NULL;
  return WG_OK;
}

const char *wg__query_get(const wg_query *q, const char *key) {
  for (int i = 0; i < q->n; i++)
    if (strcmp(q->key[i], key) == 0) return q->value[i];
  return NULL;
}

/* ---- parameters ------------------------------------------------------------------ */

int wg__param_only(wg_http_req *r, const char *const *allowed) {
  for (int i = 0; i < r->query.n; i++) {
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (strcmp(*a, r->query.key[i]) == 0) ok = 1;
    if (!ok) {
      wg__http_error(r, 400, "unknown_parameter", r->query.key[i],
                     "this route takes no parameter named '%.64s'", r->query.key[i]);
      return 0;
    }
    for (int k = 0; k < i; k++)
      if (strcmp(r->query.key[k], r->query.key[i]) == 0) {
        wg__http_error(r, 400, "duplicate_parameter", r->query.key[i],
                       "parameter '%.64s' is given more than once", r->query.key[i]);
        return 0;
      }
  }
  return 1;
}

int wg__param_long(wg_http_req *r, const char *key, long def, long min, long max, long *out) {
  const char *v = wg__query_get(&r->query, key);
  if (!v) {
    *out = def;
    return 1;
  }
  char *end;
  errno = 0;
  long x = (*v >= '0' && *v <= '9') || *v == '-' ? strtol(v, &end, 10) : 0;
  if (!((*v >= '0' && *v <= '9') || *v == '-') || errno || *end || x < min || x > max) {
    wg__http_error(r, 400, "invalid_parameter", key, "%s must be an integer from %ld to %ld", key,
                   min, max);
    return 0;
  }
  *out = x;
  return 1;
}

int wg__param_code(wg_http_req *r, const char *key, int min_len, int max_len, const char **out) {
  const char *v = wg__query_get(&r->query, key);
  *out = NULL;
  if (!v) return 1;
  size_t n = strlen(v);
  int ok = n >= (size_t)min_len && n <= (size_t)max_len && n % 2 == 0;
  for (size_t i = 0; ok && i < n; i++) ok = v[i] >= '0' && v[i] <= '9';
  if (!ok) {
    wg__http_error(r, 400, "invalid_parameter", key, "%s must be a code of %d to %d digits", key,
                   min_len, max_len);
    return 0;
  }
  *out = v;
  return 1;
}

int wg__param_date(wg_http_req *r, const char *key, int32_t *out) {
  const char *v = wg__query_get(&r->query, key);
  *out = 0;
  if (!v) return 1;
  int d;
  if (wg_date_parse(v, &d) != WG_DATE_OK) {
    wg__http_error(r, 400, "invalid_parameter", key, "%s must be a date (YYYY-MM-DD)", key);
    return 0;
  }
  *out = d;
  return 1;
}

int wg__param_double(wg_http_req *r, const char *key, int required, double *out) {
  const char *v = wg__query_get(&r->query, key);
  if (!v) {
    if (!required) return 1;
    wg__http_error(r, 400, "missing_parameter", key, "%s is required", key);
    return 0;
  }
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  int ok = *v && !errno && !*end && isfinite(x);
  for (const char *c = v; ok && *c; c++)
    ok = (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '+' || *c == 'e' || *c == 'E';
  if (!ok) {
    wg__http_error(r, 400, "invalid_parameter", key, "%s must be a decimal number", key);
    return 0;
  }
  *out = x;
  return 1;
}

int wg__param_page(wg_http_req *r, wg_store_page *pg, long max_limit) {
  long limit, offset, after;
  if (!wg__param_long(r, "limit", 50, 1, max_limit, &limit)) return 0;
  if (!wg__param_long(r, "offset", 0, 0, 100000000, &offset)) return 0;
  if (!wg__param_long(r, "after", 0, 0, 9007199254740991L, &after)) return 0;
  if (offset && after) {
    wg__http_error(r, 400, "invalid_parameter", "offset",
                   "give either offset or after (a cursor), not both");
    return 0;
  }
  pg->limit = (int)limit;
  pg->offset = offset;
  pg->after = after;
  return 1;
}

/* ---- dispatch -------------------------------------------------------------------- */

void wg__http_dispatch(wg_http_req *r) {
  int is_api = strncmp(r->path ? r->path : "", "/api/", 5) == 0 ||
               strcmp(r->path ? r->path : "", "/api") == 0 ||
               strncmp(r->path ? r->path : "", "/open311/", 9) == 0;
  r->is_api = is_api || !r->path;
  if (r->bad_target) {
    if (r->bad_err == WG_ETOOBIG)
      wg__http_error(r, 414, "uri_too_long", r->bad_field,
                     "the request target is over %d bytes or has over %d parameters", WG_URI_MAX,
                     WG_QUERY_MAX_PARAMS);
    else
      wg__http_error(r, 400, "bad_request", r->bad_field, "malformed request target (%s)",
                     r->bad_field ? r->bad_field : "path");
    return;
  }
  if (r->body_toobig) {
    wg__http_error(r, 413, "too_big", "body", "the request body exceeds %zu bytes",
                   r->srv->opts.max_body);
    return;
  }
  if (!is_api) {
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
      snprintf(r->allow, sizeof r->allow, "GET, HEAD");
      wg__http_error(r, 405, "method_not_allowed", NULL, "static files are read with GET");
      return;
    }
    wg__http_static(r);
    return;
  }
  int status;
  const wg_http_route *rt =
      wg__http_route(r->method, r->path, r->params, &status, r->allow, sizeof r->allow);
  if (!rt) {
    if (status == 405)
      wg__http_error(r, 405, "method_not_allowed", NULL, "%s is not allowed here (allowed: %s)",
                     r->method, r->allow);
    else
      wg__http_error(r, 404, "not_found", NULL, "no such route: %.200s", r->path);
    return;
  }
  /* Route params live in a thread-local buffer: copy them into the arena. */
  for (int i = 0; i < WG_ROUTE_MAX_PARAMS; i++)
    if (r->params[i]) {
      r->params[i] = wg__arena_strndup(&r->pool, r->params[i], strlen(r->params[i]));
      if (!r->params[i]) {
        wg__http_fail(r, WG_ENOMEM, NULL, NULL);
        return;
      }
    }
  if ((rt->flags & WG_ROUTE_PRINCIPAL) && !wg__http_require_principal(r)) return;
  if (!(rt->flags & (WG_ROUTE_SIGN_IN | WG_ROUTE_API_KEY)) &&
      ((rt->flags & WG_ROUTE_CSRF) || (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))) &&
      !wg__http_require_csrf(r))
    return;
  rt->handler(r);
  if (!r->status) wg__http_error(r, 500, "internal", NULL, "the handler gave no response");
}
