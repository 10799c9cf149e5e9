/* The matters API and Open311 GeoReport v2 end to end: the server runs in
 * this process against a small divided demo county; a socket client checks
 * every Open311 endpoint in XML (parsed with expat) and JSON, with their
 * errors; the JSON API's queue, scope by role, steps with CSRF, timeline,
 * duplicates and merge, figures, photo upload by content; and many reports
 * posted at once through the group-commit writer. */
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>

#include "auth/auth.h"
#include "demo/demo.h"
#include "http/http.h"
#include "matter/matters.h"
#include "store/store_int.h"
#include "territory/plan.h"
#include "client.h"
#include "test.h"

static char *dir;
static char dbpath[512];
static wg_store_t *s;
static wg_http_server *srv;
static char api_key[48];
static char l3_code[19], other_l3[19], community[13];
static double in_lon, in_lat; /* a point inside l3_code */

typedef struct who {
  const char *login;
  wg_role role;
  const char *scope;
  char cookie[256]; /* "Cookie: …\r\nX-CSRF-Token: …\r\n" */
  char cookie_only[128];
} who;

static who admin = {.login = "admin1", .role = WG_ROLE_ADMIN, .scope = "141127000000"};
static who worker = {.login = "worker1", .role = WG_ROLE_GRID_WORKER, .scope = l3_code};
static who other = {.login = "worker2", .role = WG_ROLE_GRID_WORKER, .scope = other_l3};
static who cun = {.login = "community1", .role = WG_ROLE_COMMUNITY, .scope = community};
static who member = {.login = "member1", .role = WG_ROLE_MEMBER, .scope = community};

static char h_json[400];
static const char *as_json(const who *w) {
  snprintf(h_json, sizeof h_json, "%sContent-Type: application/json\r\n", w->cookie);
  return h_json;
}

static int post(const who *w, const char *target, const char *body, resp *r) {
  return http("POST", target, as_json(w), body, strlen(body), r);
}

static int get(const who *w, const char *target, resp *r) {
  return http("GET", target, w ? w->cookie_only : NULL, NULL, 0, r);
}

static int o311_post(const char *format, const char *form, resp *r) {
  char target[64];
  snprintf(target, sizeof target, "/open311/v2/requests.%s", format);
  return http("POST", target, "Content-Type: application/x-www-form-urlencoded\r\n", form,
              strlen(form), r);
}

/* ISO 8601 with a zone. */
static int iso_zoned(const char *t) {
  regex_t re;
  regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$",
          REG_EXTENDED | REG_NOSUB);
  int ok = t && regexec(&re, t, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

/* The Open311 error list in each format: code and description. */
static int is_error(const resp *r, int status, const char *format) {
  if (r->status != status) {
    printf("#   status %d, want %d: %.200s\n", r->status, status, r->body ? r->body : "");
    return 0;
  }
  if (strcmp(format, "xml") == 0) {
    xml_doc *d = malloc(sizeof *d);
    int ok = xml_parse(r->body, r->len, d) && xml_count(d, "errors/error") == 1 &&
             strtol(xml_get(d, "errors/error/code", 0), NULL, 10) == status &&
             strlen(xml_get(d, "errors/error/description", 0)) > 0;
    free(d);
    return ok;
  }
  json_t *e = json_array_get(r->json, 0);
  return json_is_array(r->json) && json_integer_value(json_object_get(e, "code")) == status &&
         json_string_value(json_object_get(e, "description"));
}

/* ---- Open311 ---------------------------------------------------------------------- */

TEST(o311_discovery) {
  resp r;
  CHECK_EQ(http("GET", "/open311/v2/discovery.xml", NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  char ct[128];
  CHECK(header(&r, "Content-Type", ct, sizeof ct) && strstr(ct, "text/xml") && strstr(ct, "utf-8"));
  xml_doc *d = malloc(sizeof *d);
  CHECK(xml_parse(r.body, r.len, d));
  CHECK_STR(xml_get(d, "discovery/endpoints/endpoint/specification", 0),
            "http://wiki.open311.org/GeoReport_v2");
  CHECK_EQ(xml_count(d, "discovery/endpoints/endpoint/formats/format"), 2);
  CHECK(iso_zoned(xml_get(d, "discovery/changeset", 0)));
  free(d);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/discovery.json", NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  CHECK(json_is_array(json_object_get(r.json, "endpoints")));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/discovery.yaml", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "xml"));
  resp_free(&r);
}

TEST(o311_services) {
  resp r;
  CHECK_EQ(http("GET", "/open311/v2/services.xml?jurisdiction_id=141127", NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  xml_doc *d = malloc(sizeof *d);
  CHECK(xml_parse(r.body, r.len, d));
  CHECK(xml_count(d, "services/service") >= 8);
  CHECK(xml_count(d, "services/service/service_code") == xml_count(d, "services/service"));
  CHECK_STR(xml_get(d, "services/service/metadata", 0), "false");
  CHECK_STR(xml_get(d, "services/service/type", 0), "realtime");
  int found = 0;
  for (int i = 0; i < xml_count(d, "services/service"); i++)
    if (strcmp(xml_get(d, "services/service/service_code", i), "sanitation") == 0)
      found = strcmp(xml_get(d, "services/service/service_name", i), "环境卫生") == 0;
  CHECK(found); /* UTF-8 through */
  free(d);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/services.json", NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  CHECK(json_array_size(r.json) >= 8);
  CHECK(json_is_false(json_object_get(json_array_get(r.json, 0), "metadata")));
  resp_free(&r);
  /* another jurisdiction, an unknown parameter */
  CHECK_EQ(http("GET", "/open311/v2/services.json?jurisdiction_id=110101", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "json"));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/services.xml?foo=1", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 400, "xml"));
  resp_free(&r);
  /* one service's definition */
  CHECK_EQ(http("GET", "/open311/v2/services/safety.xml", NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  d = malloc(sizeof *d);
  CHECK(xml_parse(r.body, r.len, d));
  CHECK_STR(xml_get(d, "service_definition/service_code", 0), "safety");
  CHECK_EQ(xml_count(d, "service_definition/attributes"), 1);
  free(d);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/services/safety.json", NULL, NULL, 0, &r), 0);
  CHECK_STR(json_string_value(json_object_get(r.json, "service_code")), "safety");
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/services/nope.xml", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "xml"));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/services/nope.json", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "json"));
  resp_free(&r);
}

static char o311_id[32], o311_token[40];

TEST(o311_post_requests) {
  resp r;
  char form[1024];
  /* without a key, with a bad key, revoked keys are the same refusal */
  CHECK_EQ(o311_post("xml", "service_code=sanitation&lat=38.28&long=111.67", &r), 0);
  CHECK(is_error(&r, 403, "xml"));
  resp_free(&r);
  CHECK_EQ(o311_post("json", "api_key=wg_0000000000000000000000000000000000000000&service_code=sanitation&lat=38.28&long=111.67", &r), 0);
  CHECK(is_error(&r, 403, "json"));
  resp_free(&r);
  snprintf(form, sizeof form, "api_key=%s&service_code=nope&lat=%.7f&long=%.7f", api_key, in_lat,
           in_lon);
  CHECK_EQ(o311_post("xml", form, &r), 0);
  CHECK(is_error(&r, 404, "xml"));
  resp_free(&r);
  snprintf(form, sizeof form, "api_key=%s&service_code=sanitation", api_key);
  CHECK_EQ(o311_post("json", form, &r), 0);
  CHECK(is_error(&r, 400, "json")); /* no location */
  resp_free(&r);
  snprintf(form, sizeof form, "api_key=%s&service_code=sanitation&lat=91&long=111", api_key);
  CHECK_EQ(o311_post("xml", form, &r), 0);
  CHECK(is_error(&r, 400, "xml"));
  resp_free(&r);
  snprintf(form, sizeof form, "api_key=%s&jurisdiction_id=110101&service_code=sanitation&lat=%.7f&long=%.7f",
           api_key, in_lat, in_lon);
  CHECK_EQ(o311_post("xml", form, &r), 0);
  CHECK(is_error(&r, 404, "xml"));
  resp_free(&r);
  CHECK_EQ(http("POST", "/open311/v2/requests.json", "Content-Type: application/json\r\n", "{}", 2,
                &r),
           0);
  CHECK(is_error(&r, 400, "json"));
  resp_free(&r);
  /* a good one, in XML: routed to the grid of its point */
  snprintf(form, sizeof form,
           "api_key=%s&jurisdiction_id=141127&service_code=sanitation&lat=%.7f&long=%.7f"
           "&description=%%E5%%9E%%83%%E5%%9C%%BE%%E5%%A0%%86%%E7%%A7%%AF+3%%E5%%8F%%B7%%E6%%A5%%BC"
           "&first_name=%%E4%%B8%%89&last_name=%%E5%%BC%%A0&phone=13812345678&account_id=acct-7",
           api_key, in_lat, in_lon);
  CHECK_EQ(o311_post("xml", form, &r), 0);
  CHECK_EQ(r.status, 201);
  xml_doc *d = malloc(sizeof *d);
  CHECK(xml_parse(r.body, r.len, d));
  snprintf(o311_id, sizeof o311_id, "%s", xml_get(d, "service_requests/request/service_request_id", 0));
  snprintf(o311_token, sizeof o311_token, "%s", xml_get(d, "service_requests/request/token", 0));
  CHECK(strtol(o311_id, NULL, 10) > 0);
  CHECK_EQ(strlen(o311_token), 32);
  CHECK_STR(xml_get(d, "service_requests/request/account_id", 0), "acct-7");
  free(d);
  resp_free(&r);
  wg_matter_row m;
  CHECK_EQ(wg_store_matter_get(s, strtoll(o311_id, NULL, 10), &m), WG_OK);
  CHECK_STR(m.grid[2], l3_code);
  CHECK_STR(m.title, "垃圾堆积 3号楼");
  CHECK_STR(m.reporter, "open311:test-client");
  /* and in JSON */
  snprintf(form, sizeof form, "api_key=%s&service_code=safety&address_string=%%E6%%BB%%A8%%E6%%B2%%B3",
           api_key);
  CHECK_EQ(o311_post("json", form, &r), 0);
  CHECK_EQ(r.status, 201);
  json_t *e = json_array_get(r.json, 0);
  CHECK(json_string_value(json_object_get(e, "service_request_id")) != NULL);
  CHECK(json_string_value(json_object_get(e, "token")) != NULL);
  resp_free(&r);
}

TEST(o311_get_requests) {
  resp r;
  char target[256];
  snprintf(target, sizeof target, "/open311/v2/requests/%s.xml", o311_id);
  CHECK_EQ(http("GET", target, NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  xml_doc *d = malloc(sizeof *d);
  CHECK(xml_parse(r.body, r.len, d));
  CHECK_EQ(xml_count(d, "service_requests/request"), 1);
  CHECK_STR(xml_get(d, "service_requests/request/status", 0), "open");
  CHECK_STR(xml_get(d, "service_requests/request/service_code", 0), "sanitation");
  CHECK_STR(xml_get(d, "service_requests/request/service_name", 0), "环境卫生");
  CHECK(iso_zoned(xml_get(d, "service_requests/request/requested_datetime", 0)));
  CHECK(iso_zoned(xml_get(d, "service_requests/request/updated_datetime", 0)));
  CHECK(iso_zoned(xml_get(d, "service_requests/request/expected_datetime", 0)));
  CHECK(strlen(xml_get(d, "service_requests/request/status_notes", 0)) > 0);
  CHECK(strtod(xml_get(d, "service_requests/request/lat", 0), NULL) > 38);
  CHECK(strtod(xml_get(d, "service_requests/request/long", 0), NULL) > 111);
  CHECK(strstr(r.body, "13812345678") == NULL); /* never the reporter's phone */
  free(d);
  resp_free(&r);
  snprintf(target, sizeof target, "/open311/v2/requests/%s.json", o311_id);
  CHECK_EQ(http("GET", target, NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  json_t *q = json_array_get(r.json, 0);
  CHECK_STR(json_string_value(json_object_get(q, "status")), "open");
  CHECK(json_is_number(json_object_get(q, "lat")));
  CHECK(iso_zoned(json_string_value(json_object_get(q, "expected_datetime"))));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests/999999.xml", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "xml"));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests/abc.json", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "json"));
  resp_free(&r);
  /* filters */
  snprintf(target, sizeof target, "/open311/v2/requests.xml?service_request_id=%s,999999", o311_id);
  CHECK_EQ(http("GET", target, NULL, NULL, 0, &r), 0);
  d = malloc(sizeof *d);
  CHECK(xml_parse(r.body, r.len, d));
  CHECK_EQ(xml_count(d, "service_requests/request"), 1);
  free(d);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests.json?service_code=safety&status=open", NULL, NULL, 0,
                &r),
           0);
  CHECK_EQ(r.status, 200);
  CHECK(json_array_size(r.json) >= 1);
  size_t i;
  json_t *x;
  int all_safety = 1;
  json_array_foreach(r.json, i, x) all_safety &= strcmp(json_string_value(json_object_get(x, "service_code")), "safety") == 0;
  CHECK(all_safety);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests.json?status=closed", NULL, NULL, 0, &r), 0);
  CHECK_EQ(json_array_size(r.json), 0);
  resp_free(&r);
  CHECK_EQ(http("GET",
                "/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-12-31T23:59:59%2B08:00",
                NULL, NULL, 0, &r),
           0);
  CHECK_EQ(r.status, 200);
  CHECK_EQ(json_array_size(r.json), 0);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z", NULL, NULL, 0,
                &r),
           0);
  CHECK(json_array_size(r.json) >= 2);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests.xml?start_date=yesterday", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 400, "xml"));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests.json?status=pending", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 400, "json"));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/requests.xml?service_request_id=x", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 400, "xml"));
  resp_free(&r);
}

TEST(o311_tokens) {
  resp r;
  char target[256];
  snprintf(target, sizeof target, "/open311/v2/tokens/%s.xml", o311_token);
  CHECK_EQ(http("GET", target, NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  xml_doc *d = malloc(sizeof *d);
  CHECK(xml_parse(r.body, r.len, d));
  CHECK_STR(xml_get(d, "service_requests/request/service_request_id", 0), o311_id);
  CHECK_STR(xml_get(d, "service_requests/request/token", 0), o311_token);
  free(d);
  resp_free(&r);
  snprintf(target, sizeof target, "/open311/v2/tokens/%s.json", o311_token);
  CHECK_EQ(http("GET", target, NULL, NULL, 0, &r), 0);
  CHECK_STR(json_string_value(json_object_get(json_array_get(r.json, 0), "service_request_id")),
            o311_id);
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/tokens/nope.xml", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "xml"));
  resp_free(&r);
  CHECK_EQ(http("GET", "/open311/v2/tokens/nope.json", NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "json"));
  resp_free(&r);
}

/* ---- the JSON API ------------------------------------------------------------------ */

static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                    'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1};

static int upload(const who *w, const void *bytes, size_t n, const char *fname, resp *r) {
  static const char b[] = "wgboundary42";
  char *body = malloc(n + 512);
  int k = snprintf(body, 512,
                   "--%s\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"%s\"\r\n"
                   "Content-Type: image/jpeg\r\n\r\n",
                   b, fname);
  memcpy(body + k, bytes, n);
  k += (int)n;
  k += snprintf(body + k, 64, "\r\n--%s--\r\n", b);
  char hdr[400];
  snprintf(hdr, sizeof hdr, "%sContent-Type: multipart/form-data; boundary=%s\r\n", w->cookie, b);
  int rc = http("POST", "/api/v1/photos", hdr, body, (size_t)k, r);
  free(body);
  return rc;
}

static char photo_sha[65];

TEST(photos_by_content) {
  resp r;
  CHECK_EQ(upload(&worker, png, sizeof png, "a.jpg", &r), 0); /* the name lies: content decides */
  CHECK_EQ(r.status, 201);
  CHECK_STR(json_string_value(json_object_get(r.json, "type")), "image/png");
  snprintf(photo_sha, sizeof photo_sha, "%s",
           json_string_value(json_object_get(r.json, "sha256")) ?: "");
  CHECK_EQ(strlen(photo_sha), 64);
  resp_free(&r);
  CHECK_EQ(upload(&worker, "GIF89a......", 12, "b.png", &r), 0);
  CHECK_EQ(r.status, 415);
  resp_free(&r);
  /* over the body cap: refused before the body is read */
  char hdr[400];
  snprintf(hdr, sizeof hdr, "%sContent-Type: multipart/form-data; boundary=x\r\n"
           "Content-Length: 9000000\r\n", worker.cookie);
  CHECK_EQ(http_head_only("POST", "/api/v1/photos", hdr, &r), 0);
  CHECK_EQ(r.status, 413);
  resp_free(&r);
  /* without CSRF */
  CHECK_EQ(http("POST", "/api/v1/photos", worker.cookie_only, "x", 1, &r), 0);
  CHECK_EQ(r.status, 403);
  resp_free(&r);
  char target[128];
  snprintf(target, sizeof target, "/api/v1/photos/%s", photo_sha);
  CHECK_EQ(get(&worker, target, &r), 0);
  CHECK_EQ(r.status, 200);
  CHECK_EQ(r.len, sizeof png);
  CHECK(r.body && memcmp(r.body, png, sizeof png) == 0);
  resp_free(&r);
  CHECK_EQ(get(NULL, target, &r), 0);
  CHECK_EQ(r.status, 401);
  resp_free(&r);
}

static int64_t mid;

static int64_t id_of(const resp *r) {
  return (int64_t)json_integer_value(json_object_get(r->json, "id"));
}

static int has_action(const resp *r, const char *a) {
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(r->json, "actions"), i, x) if (strcmp(json_string_value(x), a) == 0) return 1;
  return 0;
}

TEST(report_queue_and_scope) {
  resp r;
  char body[512];
  snprintf(body, sizeof body,
           "{\"category\":\"facility\",\"title\":\"路灯不亮\",\"lon\":%.7f,\"lat\":%.7f,"
           "\"photos\":[\"%s\"]}",
           in_lon, in_lat, photo_sha);
  CHECK_EQ(http("POST", "/api/v1/matters", worker.cookie_only, body, strlen(body), &r), 0);
  CHECK_EQ(r.status, 403); /* no CSRF token */
  resp_free(&r);
  CHECK_EQ(post(&worker, "/api/v1/matters", body, &r), 0);
  CHECK_EQ(r.status, 201);
  mid = id_of(&r);
  CHECK(mid > 0);
  CHECK_STR(json_string_value(json_object_get(r.json, "status")), "reported");
  CHECK_EQ(json_array_size(json_object_get(r.json, "timeline")), 1);
  resp_free(&r);
  /* a second report 10 m away is offered the first as a duplicate */
  snprintf(body, sizeof body,
           "{\"category\":\"facility\",\"title\":\"路灯坏了\",\"lon\":%.7f,\"lat\":%.7f}", in_lon,
           in_lat + 0.00009);
  CHECK_EQ(post(&cun, "/api/v1/matters", body, &r), 0);
  CHECK_EQ(r.status, 201);
  int64_t dup = id_of(&r);
  json_t *dups = json_object_get(r.json, "duplicates");
  CHECK(json_array_size(dups) >= 1);
  CHECK_EQ(json_integer_value(json_object_get(json_array_get(dups, 0), "id")), mid);
  resp_free(&r);
  /* errors name the field */
  CHECK_EQ(post(&worker, "/api/v1/matters", "{\"category\":\"nope\",\"title\":\"x\",\"lon\":1,\"lat\":1}", &r), 0);
  CHECK_EQ(r.status, 404);
  CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "category");
  resp_free(&r);
  CHECK_EQ(post(&worker, "/api/v1/matters", "{\"category\":\"order\",\"title\":5}", &r), 0);
  CHECK_EQ(r.status, 400);
  resp_free(&r);
  /* the other grid's worker neither sees nor lists it */
  char target[128];
  snprintf(target, sizeof target, "/api/v1/matters/%lld", (long long)mid);
  CHECK_EQ(get(&other, target, &r), 0);
  CHECK_EQ(r.status, 404);
  resp_free(&r);
  /* …nor its photo, now that the matter carries it; its worker still does */
  {
    char pt[128];
    snprintf(pt, sizeof pt, "/api/v1/photos/%s", photo_sha);
    CHECK_EQ(get(&other, pt, &r), 0);
    CHECK_EQ(r.status, 404);
    resp_free(&r);
    CHECK_EQ(get(&worker, pt, &r), 0);
    CHECK_EQ(r.status, 200);
    resp_free(&r);
  }
  CHECK_EQ(get(&other, "/api/v1/matters?queue=all", &r), 0);
  size_t i;
  json_t *x;
  int leaked = 0;
  json_array_foreach(json_object_get(r.json, "items"), i, x) leaked |= json_integer_value(json_object_get(x, "id")) == mid;
  CHECK(!leaked);
  resp_free(&r);
  /* the worker's own queue holds it; the community sees it, with its steps */
  CHECK_EQ(get(&worker, "/api/v1/matters", &r), 0);
  CHECK_STR(json_string_value(json_object_get(r.json, "queue")), "mine");
  CHECK(json_integer_value(json_object_get(r.json, "total")) >= 1);
  resp_free(&r);
  CHECK_EQ(get(&cun, target, &r), 0);
  CHECK_EQ(r.status, 200);
  CHECK(has_action(&r, "merge"));
  CHECK(has_action(&r, "accept"));
  resp_free(&r);
  /* the member sees what they reported only */
  CHECK_EQ(get(&member, target, &r), 0);
  CHECK_EQ(r.status, 404);
  resp_free(&r);
  /* merge the duplicate into the first: both reporters follow one matter */
  snprintf(target, sizeof target, "/api/v1/matters/%lld/merge", (long long)dup);
  snprintf(body, sizeof body, "{\"into\":%lld}", (long long)mid);
  CHECK_EQ(post(&cun, target, body, &r), 0);
  CHECK_EQ(r.status, 200);
  CHECK_STR(json_string_value(json_object_get(r.json, "status")), "merged");
  resp_free(&r);
  snprintf(target, sizeof target, "/api/v1/matters/%lld", (long long)mid);
  CHECK_EQ(get(&cun, target, &r), 0);
  CHECK_EQ(json_array_size(json_object_get(r.json, "merged")), 1);
  resp_free(&r);
}

static int step(const who *w, const char *action, const char *body) {
  char target[128];
  snprintf(target, sizeof target, "/api/v1/matters/%lld/%s", (long long)mid, action);
  resp r;
  if (post(w, target, body ? body : "{}", &r)) return -1;
  int st = r.status;
  if (st != 200 && st != 403 && st != 409 && st != 400 && st != 404)
    printf("#   %s: %d %.200s\n", action, st, r.body ? r.body : "");
  resp_free(&r);
  return st;
}

TEST(loop_steps) {
  CHECK_EQ(step(&other, "accept", NULL), 404); /* not in their grid: not there at all */
  CHECK_EQ(step(&worker, "fly", NULL), 404);
  CHECK_EQ(step(&cun, "dispatch", "{\"handler\":\"worker1\"}"), 409); /* not accepted yet */
  CHECK_EQ(step(&worker, "accept", NULL), 200);
  CHECK_EQ(step(&worker, "dispatch", "{\"handler\":\"worker1\"}"), 403); /* supervisors do */
  CHECK_EQ(step(&cun, "dispatch", "{\"handler\":\"nobody\"}"), 400);
  CHECK_EQ(step(&cun, "dispatch", "{\"handler\":\"worker1\"}"), 200);
  CHECK_EQ(step(&worker, "start", NULL), 200);
  CHECK_EQ(step(&worker, "extend", "{\"hours\":24}"), 400); /* no reason */
  CHECK_EQ(step(&worker, "extend", "{\"hours\":24,\"note\":\"等配件\"}"), 200);
  CHECK_EQ(step(&worker, "extend_approve", NULL), 403);
  CHECK_EQ(step(&cun, "extend_approve", NULL), 200);
  char body[200];
  snprintf(body, sizeof body, "{\"note\":\"已更换灯泡\",\"photos\":[\"%s\"]}", photo_sha);
  CHECK_EQ(step(&worker, "handle", body), 200);
  CHECK_EQ(step(&cun, "rework", "{\"note\":\"还是不亮\"}"), 200);
  CHECK_EQ(step(&worker, "handle", NULL), 200);
  CHECK_EQ(step(&cun, "verify", NULL), 200);
  CHECK_EQ(step(&cun, "close", NULL), 200);
  CHECK_EQ(step(&worker, "evaluate", "{\"satisfaction\":5}"), 200); /* the reporter */
  char target[128];
  snprintf(target, sizeof target, "/api/v1/matters/%lld", (long long)mid);
  resp r;
  CHECK_EQ(get(&cun, target, &r), 0);
  CHECK_STR(json_string_value(json_object_get(r.json, "status")), "evaluated");
  CHECK_EQ(json_array_size(json_object_get(r.json, "timeline")), 12);
  CHECK_EQ(json_integer_value(json_object_get(r.json, "satisfaction")), 5);
  resp_free(&r);
  CHECK_EQ(wg_matters_check(s, mid, NULL), WG_OK);
  /* Open311 publishes only what came through Open311 */
  char o311_target[128];
  snprintf(o311_target, sizeof o311_target, "/open311/v2/requests/%lld.json", (long long)mid);
  CHECK_EQ(http("GET", o311_target, NULL, NULL, 0, &r), 0);
  CHECK(is_error(&r, 404, "json"));
  resp_free(&r);
  /* the Open311 report, handled with a photo: closed, with its media_url */
  int64_t keep = mid;
  mid = strtoll(o311_id, NULL, 10);
  CHECK_EQ(step(&worker, "accept", NULL), 200);
  CHECK_EQ(step(&cun, "dispatch", "{\"handler\":\"worker1\"}"), 200);
  CHECK_EQ(step(&worker, "start", NULL), 200);
  CHECK_EQ(step(&worker, "handle", body), 200);
  CHECK_EQ(step(&cun, "verify", NULL), 200);
  CHECK_EQ(step(&cun, "close", "{\"note\":\"已修复\"}"), 200);
  mid = keep;
  CHECK_EQ(http("GET", "/open311/v2/requests.json?status=closed&start_date=2000-01-01T00:00:00Z", NULL, NULL, 0, &r), 0);
  CHECK(json_array_size(r.json) >= 1);
  int media = 0, notes = 0;
  size_t i;
  json_t *x;
  json_array_foreach(r.json, i, x) {
    const char *u = json_string_value(json_object_get(x, "media_url"));
    if (u && strstr(u, photo_sha) && strncmp(u, "http://", 7) == 0) media = 1;
    const char *sn = json_string_value(json_object_get(x, "status_notes"));
    if (sn && strstr(sn, "已修复")) notes = 1;
  }
  CHECK(media);
  CHECK(notes);
  resp_free(&r);
  char media_target[128];
  snprintf(media_target, sizeof media_target, "/open311/v2/media/%s", photo_sha);
  CHECK_EQ(http("GET", media_target, NULL, NULL, 0, &r), 0);
  CHECK_EQ(r.status, 200);
  CHECK_EQ(r.len, sizeof png);
  resp_free(&r);
}

TEST(figures) {
  resp r;
  CHECK_EQ(get(&admin, "/api/v1/matter-figures?by=grid&level=3", &r), 0);
  CHECK_EQ(r.status, 200);
  json_t *rows = json_object_get(r.json, "rows");
  CHECK(json_array_size(rows) >= 1);
  CHECK(json_object_get(r.json, "total") && !json_is_null(json_object_get(r.json, "total")));
  resp_free(&r);
  CHECK_EQ(get(&worker, "/api/v1/matter-figures?by=grid&level=3", &r), 0);
  CHECK_EQ(r.status, 200);
  size_t i;
  json_t *x;
  int foreign = 0;
  json_array_foreach(json_object_get(r.json, "rows"), i, x) foreign |= strcmp(json_string_value(json_object_get(x, "key")), l3_code) != 0;
  CHECK(!foreign);
  CHECK(json_is_null(json_object_get(r.json, "total")));
  resp_free(&r);
  /* the county office's figures are cached while nothing changes, and a
   * new report shows at once */
  CHECK_EQ(get(&admin, "/api/v1/matter-figures?by=category", &r), 0);
  json_int_t before = json_integer_value(json_object_get(json_object_get(r.json, "total"), "received"));
  char first[256];
  snprintf(first, sizeof first, "%.255s", r.body ? r.body : "");
  resp_free(&r);
  CHECK_EQ(get(&admin, "/api/v1/matter-figures?by=category", &r), 0);
  CHECK(r.body && strncmp(r.body, first, strlen(first)) == 0);
  resp_free(&r);
  char body[256];
  snprintf(body, sizeof body, "{\"category\":\"order\",\"title\":\"占道\",\"lon\":%.7f,\"lat\":%.7f}",
           in_lon, in_lat);
  CHECK_EQ(post(&cun, "/api/v1/matters", body, &r), 0);
  CHECK_EQ(r.status, 201);
  resp_free(&r);
  CHECK_EQ(get(&admin, "/api/v1/matter-figures?by=category", &r), 0);
  CHECK_EQ(json_integer_value(json_object_get(json_object_get(r.json, "total"), "received")), before + 1);
  resp_free(&r);
  CHECK_EQ(get(&admin, "/api/v1/matter-figures?by=planet", &r), 0);
  CHECK_EQ(r.status, 400);
  resp_free(&r);
  CHECK_EQ(get(&member, "/api/v1/matter-figures", &r), 0);
  CHECK_EQ(r.status, 403);
  resp_free(&r);
  CHECK_EQ(get(&admin, "/api/v1/matter-categories", &r), 0);
  CHECK(json_array_size(json_object_get(r.json, "items")) >= 8);
  resp_free(&r);
}

/* ---- many reports at once through the group-commit writer ------------------------- */

enum { POSTERS = 8, EACH = 12 };
static int posted_ok[POSTERS];

static void *poster(void *arg) {
  int k = (int)(intptr_t)arg;
  for (int i = 0; i < EACH; i++) {
    char form[512];
    snprintf(form, sizeof form,
             "api_key=%s&service_code=%s&lat=%.7f&long=%.7f&description=batch+%d+%d", api_key,
             i % 2 ? "sanitation" : "bogus", in_lat, in_lon, k, i);
    resp r;
    if (o311_post("json", form, &r) == 0 && r.status == (i % 2 ? 201 : 404)) posted_ok[k]++;
    resp_free(&r);
  }
  return NULL;
}

TEST(concurrent_posts_are_durable_and_distinct) {
  long before = 0, after = 0;
  wg_matter_query q = {.county = "141127"};
  CHECK_EQ(wg_store_matter_list(s, &q, NULL, NULL, &before), WG_OK);
  pthread_t t[POSTERS];
  for (int k = 0; k < POSTERS; k++) pthread_create(&t[k], NULL, poster, (void *)(intptr_t)k);
  for (int k = 0; k < POSTERS; k++) pthread_join(t[k], NULL);
  int ok = 0;
  for (int k = 0; k < POSTERS; k++) ok += posted_ok[k];
  CHECK_EQ(ok, POSTERS * EACH);
  CHECK_EQ(wg_store_matter_list(s, &q, NULL, NULL, &after), WG_OK);
  CHECK_EQ(after - before, POSTERS * EACH / 2);
}

static int count_rows(const char *sql) {
  sqlite3_stmt *st;
  int n = -1;
  if (sqlite3_prepare_v2(wg__store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* Every step and report over HTTP is in the audit log, once. */
TEST(every_write_audited) {
  CHECK_EQ(count_rows("SELECT count(*) FROM audit WHERE action LIKE 'matter.%'"),
           count_rows("SELECT count(*) FROM matter_event"));
  CHECK(count_rows("SELECT count(*) FROM audit WHERE action = 'photo.upload'") >= 1);
}

static void sign_in(who *w) {
  wg_user u;
  memset(&u, 0, sizeof u);
  snprintf(u.login, sizeof u.login, "%s", w->login);
  u.role = w->role;
  u.nscopes = 1;
  snprintf(u.scopes[0], sizeof u.scopes[0], "%s", w->scope);
  wg_session sess;
  wg_principal p;
  wg_errinfo ei = {0};
  if (wg_auth_user_add(s, &u, "correct horse battery", "test", &ei) != WG_OK ||
      wg_auth_login(s, NULL, w->login, "correct horse battery", "test", (int64_t)time(NULL),
                    &sess, &p, &ei) != WG_OK) {
    printf("# user %s: %s\n", w->login, ei.why);
    exit(2);
  }
  snprintf(w->cookie_only, sizeof w->cookie_only, "Cookie: wg_session=%s\r\n", sess.token);
  snprintf(w->cookie, sizeof w->cookie, "Cookie: wg_session=%s\r\nX-CSRF-Token: %s\r\n",
           sess.token, sess.csrf);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  setenv("WG_AUTH_TEST_FAST", "1", 1);
  dir = test_tmpdir();
  snprintf(dbpath, sizeof dbpath, "%s/demo.db", dir);
  wg_errinfo ei = {0};
  if (wg_store_open(dbpath, WG_STORE_CREATE, &s, &ei) != WG_OK) return 2;
  wg_demo_opts o;
  wg_demo_opts_init(&o);
  o.residents = 3000;
  o.today = 20261129;
  if (wg_demo_build(s, &o, NULL, &ei) != WG_OK) {
    printf("# demo: %s\n", ei.why);
    return 2;
  }
  wg_plan_opts po;
  wg_plan_opts_init(&po);
  po.county = "141127";
  po.actor = "test";
  wg_plan_report rep;
  memset(&rep, 0, sizeof rep);
  if (wg_plan_divide(s, &po, &rep, &ei) != WG_OK ||
      wg_store_plan_activate(s, rep.plan_id) != WG_OK) {
    printf("# divide: %s\n", ei.why);
    return 2;
  }
  int64_t plan = rep.plan_id;
  wg_plan_report_free(&rep);
  /* a building inside a level-3 grid, and another level-3 grid */
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(wg__store_db(s),
                         "SELECT b.lon, b.lat, a.l3 FROM grid_assignment a"
                         " JOIN entrance e ON e.id = a.entrance_id"
                         " JOIN building b ON b.id = e.building_id"
                         " WHERE a.plan_id = ?1 AND a.piece = 0 AND a.l3 <> '' AND b.lon > 0"
                         " ORDER BY a.l3 LIMIT 1",
                         -1, &st, NULL) != SQLITE_OK)
    return 2;
  sqlite3_bind_int64(st, 1, plan);
  if (sqlite3_step(st) != SQLITE_ROW) return 2;
  in_lon = sqlite3_column_double(st, 0);
  in_lat = sqlite3_column_double(st, 1);
  sqlite3_finalize(st);
  wg_located loc;
  if (wg_plan_locate(s, "141127", in_lon, in_lat, &loc) != WG_OK || !loc.code[2][0]) {
    printf("# the building is in no level-3 grid\n");
    return 2;
  }
  snprintf(l3_code, sizeof l3_code, "%s", loc.code[2]);
  snprintf(community, sizeof community, "%s", loc.community);
  if (sqlite3_prepare_v2(wg__store_db(s), "SELECT max(code) FROM grid WHERE level = 3 AND code <> ?1",
                         -1, &st, NULL) != SQLITE_OK)
    return 2;
  wg__bind_text(st, 1, l3_code);
  if (sqlite3_step(st) == SQLITE_ROW)
    snprintf(other_l3, sizeof other_l3, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sign_in(&admin);
  sign_in(&worker);
  sign_in(&other);
  sign_in(&cun);
  sign_in(&member);
  char hash[65];
  wg_matters_apikey_new(api_key, hash);
  wg_api_key_row k = {.county = "141127", .name = "test-client", .actor = "test"};
  snprintf(k.key_hash, sizeof k.key_hash, "%s", hash);
  snprintf(k.prefix, sizeof k.prefix, "%.7s", api_key);
  if (wg_store_api_key_add(s, &k) != WG_OK) return 2;

  wg_http_opts ho;
  wg_http_opts_init(&ho);
  ho.db = dbpath;
  ho.port = 0;
  if (wg_http_start(&ho, &srv, &ei) != WG_OK) {
    printf("# start: %s\n", ei.why);
    return 2;
  }
  client_port = wg_http_port(srv);
  RUN(o311_discovery);
  RUN(o311_services);
  RUN(o311_post_requests);
  RUN(o311_get_requests);
  RUN(o311_tokens);
  RUN(photos_by_content);
  RUN(report_queue_and_scope);
  RUN(loop_steps);
  RUN(figures);
  RUN(concurrent_posts_are_durable_and_distinct);
  RUN(every_write_audited);
  wg_http_stop(srv, 5000);
  wg_store_close(s);
  return test_done();
}
