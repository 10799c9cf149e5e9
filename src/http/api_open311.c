/* api_open311.c — Open311 GeoReport v2 under /open311/v2/: discovery,
 * services (our categories), service requests (our matters) and tokens, in
 * XML (the spec's required format) and JSON, UTF-8, times in ISO 8601 with
 * their zone, the spec's error lists. jurisdiction_id is the county code;
 * POST requests needs an api_key (wangge apikey add).
 *
 * Only matters reported through Open311 are published here (the others
 * may hold what residents told staff in confidence). A merged matter
 * answers for the one it joined (status and notes), so both reporters
 * follow the same handling. Photos of a request are served
 * at /open311/v2/media/{sha256} (their media_url). */
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/http_int.h"
#include "matter/matters.h"

/* ---- output: a bounded growable buffer ------------------------------------------ */

typedef struct out {
  char *p;
  size_t len, cap;
  int failed;
} out;

static void put(out *o, const char *s, size_t n) {
  if (o->failed) return;
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 4096;
    while (cap < o->len + n + 1) cap *= 2;
    if (cap > (64u << 20)) {
      o->failed = 1;
      return;
    }
    char *q = realloc(o->p, cap);
    if (!q) {
      o->failed = 1;
      return;
    }
    o->p = q;
    o->cap = cap;
  }
  memcpy(o->p + o->len, s, n);
  o->len += n;
  o->p[o->len] = '\0';
}

static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

static void printf_(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_(out *o, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) put(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* XML text: escapes markup and drops characters XML 1.0 cannot carry. */
static void xml_text(out *o, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
      case '&': puts_(o, "&amp;"); break;
      case '<': puts_(o, "&lt;"); break;
      case '>': puts_(o, "&gt;"); break;
      case '"': puts_(o, "&quot;"); break;
      case '\'': puts_(o, "&apos;"); break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        put(o, (const char *)&c, 1);
    }
  }
}

/* ---- the two formats ------------------------------------------------------------------ */

typedef enum fmt { FMT_XML, FMT_JSON } fmt;

/* A document is a list of records of fields; each format writes it its own
 * way. Values are strings, or NULL for an empty element / JSON null. */
typedef struct doc {
  fmt f;
  out o;
  int records, fields;
  const char *list, *item; /* XML element names */
} doc;

static void doc_begin(doc *d, fmt f, const char *list, const char *item) {
  memset(d, 0, sizeof *d);
  d->f = f;
  d->list = list;
  d->item = item;
  if (f == FMT_XML) {
    puts_(&d->o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<");
    puts_(&d->o, list);
    puts_(&d->o, ">");
  } else {
    puts_(&d->o, "[");
  }
}

static void rec_begin(doc *d) {
  if (d->f == FMT_XML) {
    printf_(&d->o, "<%s>", d->item);
  } else {
    puts_(&d->o, d->records ? ",{" : "{");
  }
  d->records++;
  d->fields = 0;
}

static void rec_end(doc *d) {
  if (d->f == FMT_XML)
    printf_(&d->o, "</%s>", d->item);
  else
    puts_(&d->o, "}");
}

static void field_raw(doc *d, const char *name, const char *value, int is_string) {
  if (d->f == FMT_XML) {
    if (!value || !*value) {
      printf_(&d->o, "<%s/>", name);
      return;
    }
    printf_(&d->o, "<%s>", name);
    xml_text(&d->o, value);
    printf_(&d->o, "</%s>", name);
    return;
  }
  printf_(&d->o, "%s\"%s\":", d->fields ? "," : "", name);
  d->fields++;
  if (!value) {
    puts_(&d->o, "null");
  } else if (!is_string) {
    puts_(&d->o, value);
  } else {
    json_t *s = json_string(value);
    char *enc = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    puts_(&d->o, enc ? enc : "null");
    free(enc);
    json_decref(s);
  }
}

static void field(doc *d, const char *name, const char *value) { field_raw(d, name, value, 1); }

static void field_num(doc *d, const char *name, const char *number) {
  field_raw(d, name, number, 0);
}

static void doc_send(wg_http_req *r, doc *d, int status) {
  if (d->f == FMT_XML)
    printf_(&d->o, "</%s>\n", d->list);
  else
    puts_(&d->o, "]\n");
  if (d->o.failed) {
    free(d->o.p);
    wg__http_error(r, 500, "out_of_memory", NULL, "out of memory");
    return;
  }
  wg__http_raw(r, status, d->o.p, d->o.len,
               d->f == FMT_XML ? "text/xml; charset=utf-8" : "application/json; charset=utf-8");
}

/* The spec's error list. */
static void o311_error(wg_http_req *r, fmt f, int status, const char *fmtstr, ...)
    __attribute__((format(printf, 4, 5)));
static void o311_error(wg_http_req *r, fmt f, int status, const char *fmtstr, ...) {
  char msg[512], code[16];
  va_list ap;
  va_start(ap, fmtstr);
  vsnprintf(msg, sizeof msg, fmtstr, ap);
  va_end(ap);
  doc d;
  doc_begin(&d, f, "errors", "error");
  rec_begin(&d);
  snprintf(code, sizeof code, "%d", status);
  field_num(&d, "code", code);
  field(&d, "description", msg);
  rec_end(&d);
  doc_send(r, &d, status);
}

/* The format from the route ("xml" / "json"); 0 after an error (in XML)
 * for any other. */
static int format_of(wg_http_req *r, int param, fmt *f) {
  const char *v = r->params[param];
  if (v && strcmp(v, "xml") == 0) {
    *f = FMT_XML;
    return 1;
  }
  if (v && strcmp(v, "json") == 0) {
    *f = FMT_JSON;
    return 1;
  }
  o311_error(r, FMT_XML, 404, "format '%.16s' is not served: use .xml or .json", v ? v : "");
  return 0;
}

/* jurisdiction_id, when given, must be the county code. */
static int jurisdiction_ok(wg_http_req *r, fmt f, const char *given) {
  if (!given || strcmp(given, r->srv->county) == 0) return 1;
  o311_error(r, f, 404, "jurisdiction_id '%.32s' is not served here (this is %s)", given,
             r->srv->county);
  return 0;
}

static int only_params(wg_http_req *r, fmt f, const char *const *allowed) {
  for (int i = 0; i < r->query.n; i++) {
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (strcmp(*a, r->query.key[i]) == 0) ok = 1;
    if (!ok) {
      o311_error(r, f, 400, "unknown parameter '%.64s'", r->query.key[i]);
      return 0;
    }
  }
  return 1;
}

/* ---- discovery and services ----------------------------------------------------------------- */

static void base_url(wg_http_req *r, char *buf, size_t cap) {
  const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
  int ok = host && *host && strlen(host) < 200;
  for (const char *c = host; ok && *c; c++)
    ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
         *c == '.' || *c == '-' || *c == ':' || *c == '[' || *c == ']';
  snprintf(buf, cap, "http://%s/open311/v2/", ok ? host : "127.0.0.1");
}

void wg__o311_discovery(wg_http_req *r) {
  fmt f;
  if (!format_of(r, 0, &f)) return;
  static const char *const allowed[] = {NULL};
  if (!only_params(r, f, allowed)) return;
  char url[300];
  base_url(r, url, sizeof url);
  doc d;
  memset(&d, 0, sizeof d);
  d.f = f;
  if (f == FMT_XML) {
    puts_(&d.o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<discovery>"
                "<changeset>2026-11-29T00:00:00+08:00</changeset>"
                "<contact>县综治中心 (county governance centre)</contact>"
                "<key_service>wangge apikey add NAME</key_service><endpoints><endpoint>"
                "<specification>http://wiki.open311.org/GeoReport_v2</specification><url>");
    xml_text(&d.o, url);
    puts_(&d.o, "</url><changeset>2026-11-29T00:00:00+08:00</changeset><type>production</type>"
                "<formats><format>text/xml</format><format>application/json</format></formats>"
                "</endpoint></endpoints></discovery>\n");
    if (d.o.failed) {
      free(d.o.p);
      wg__http_fail(r, WG_ENOMEM, NULL, NULL);
      return;
    }
    wg__http_raw(r, 200, d.o.p, d.o.len, "text/xml; charset=utf-8");
    return;
  }
  json_t *j = json_pack(
      "{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset",
      "2026-11-29T00:00:00+08:00", "contact", "县综治中心 (county governance centre)",
      "key_service", "wangge apikey add NAME", "endpoints", "specification",
      "http://wiki.open311.org/GeoReport_v2", "url", url, "changeset",
      "2026-11-29T00:00:00+08:00", "type", "production", "formats", "text/xml",
      "application/json");
  wg__http_json(r, 200, j);
}

static void service_fields(doc *d, const wg_category_t *c) {
  char desc[400];
  snprintf(desc, sizeof desc, "%s / %s%s%s", c->name_zh, c->name_en, c->description[0] ? " — " : "",
           c->description);
  field(d, "service_code", c->code);
  field(d, "service_name", c->name_zh);
  field(d, "description", desc);
  field_raw(d, "metadata", "false", 0);
  field(d, "type", "realtime");
  field(d, "keywords", c->name_en);
  field(d, "group", wg_matter_level_name(c->level));
}

static int service_item(void *ctx, const wg_category_t *c) {
  doc *d = ctx;
  rec_begin(d);
  service_fields(d, c);
  rec_end(d);
  return 0;
}

void wg__o311_services(wg_http_req *r) {
  fmt f;
  if (!format_of(r, 0, &f)) return;
  static const char *const allowed[] = {"jurisdiction_id", NULL};
  if (!only_params(r, f, allowed) ||
      !jurisdiction_ok(r, f, wg__query_get(&r->query, "jurisdiction_id")))
    return;
  if (!wg__http_worker(r)) return;
  doc d;
  doc_begin(&d, f, "services", "service");
  wg_err e = wg_store_category_each(r->worker->store, 0, service_item, &d);
  if (e) {
    free(d.o.p);
    o311_error(r, f, 500, "the service list cannot be read");
    return;
  }
  doc_send(r, &d, 200);
}

void wg__o311_service(wg_http_req *r) {
  fmt f;
  if (!format_of(r, 1, &f)) return;
  static const char *const allowed[] = {"jurisdiction_id", NULL};
  if (!only_params(r, f, allowed) ||
      !jurisdiction_ok(r, f, wg__query_get(&r->query, "jurisdiction_id")))
    return;
  if (!wg__http_worker(r)) return;
  wg_category_t c;
  if (wg_store_category_get(r->worker->store, r->params[0], &c) != WG_OK || !c.active) {
    o311_error(r, f, 404, "no service '%.40s'", r->params[0]);
    return;
  }
  /* our services carry no extra attributes (metadata false): the
   * definition is the code with an empty attribute list */
  if (f == FMT_XML) {
    out o = {0};
    puts_(&o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_definition><service_code>");
    xml_text(&o, c.code);
    puts_(&o, "</service_code><attributes/></service_definition>\n");
    if (o.failed) {
      free(o.p);
      wg__http_fail(r, WG_ENOMEM, NULL, NULL);
      return;
    }
    wg__http_raw(r, 200, o.p, o.len, "text/xml; charset=utf-8");
    return;
  }
  wg__http_json(r, 200, json_pack("{s:s, s:[]}", "service_code", c.code, "attributes"));
}

/* ---- requests ------------------------------------------------------------------------ */

static int is_closed(wg_matter_status s) {
  return !wg_matter_is_open(s);
}

typedef struct req_ctx {
  wg_http_req *r;
  doc d;
  char base[300];
  int n;
} req_ctx;

static int last_note(void *ctx, const wg_matter_event_row *e) {
  char *buf = ctx;
  if (e->note[0]) snprintf(buf, 512, "%s", e->note);
  return 0;
}

/* The first photo of the matter's timeline (the report's, or the first one
 * a handler attached). */
static int first_photo(void *ctx, const wg_matter_event_row *e) {
  char *buf = ctx;
  if (strlen(e->photos) < 64) return 0;
  snprintf(buf, 65, "%.64s", e->photos);
  return 1;
}

static int request_item(void *ctx, const wg_matter_row *m0) {
  req_ctx *c = ctx;
  wg_store_t *s = c->r->worker->store;
  const wg_matter_row *m = m0;
  wg_matter_row *survivor = NULL;
  char notes[700], note[512] = "", tmp[32];
  /* a duplicate answers with the matter it joined */
  if (m0->st.status == WG_MS_MERGED && m0->st.merged_into) {
    survivor = malloc(sizeof *survivor);
    if (survivor && wg_store_matter_get(s, m0->st.merged_into, survivor) == WG_OK) m = survivor;
  }
  if (wg_store_matter_events(s, m->id, last_note, note) != WG_OK) note[0] = '\0';
  if (m != m0)
    snprintf(notes, sizeof notes, "合并至 #%lld (merged into #%lld): %s%s%s", (long long)m->id,
             (long long)m->id, wg_matter_status_zh(m->st.status), note[0] ? " — " : "", note);
  else
    snprintf(notes, sizeof notes, "%s (%s)%s%.500s", wg_matter_status_zh(m->st.status),
             wg_matter_status_name(m->st.status), note[0] ? " — " : "", note);
  wg_category_t cat;
  if (wg_store_category_get(s, m0->category, &cat) != WG_OK) snprintf(cat.name_zh, 64, "%s", m0->category);
  doc *d = &c->d;
  rec_begin(d);
  snprintf(tmp, sizeof tmp, "%lld", (long long)m0->id);
  field(d, "service_request_id", tmp);
  field(d, "status", is_closed(m->st.status) ? "closed" : "open");
  field(d, "status_notes", notes);
  field(d, "service_name", cat.name_zh);
  field(d, "service_code", m0->category);
  field(d, "description", m0->description[0] ? m0->description : m0->title);
  char agency[160];
  wg_division_t div;
  const char *where = m->st.level == WG_MLEVEL_COUNTY || !m->community[0] ? NULL : m->community;
  char township[13];
  if (where && m->st.level == WG_MLEVEL_TOWNSHIP) {
    snprintf(township, sizeof township, "%.9s000", m->community);
    where = township;
  }
  char county[13];
  snprintf(county, sizeof county, "%.6s000000", m->county);
  if (wg_store_division_get(s, where ? where : county, &div) == WG_OK)
    snprintf(agency, sizeof agency, "%s%s", div.name,
             m->st.level == WG_MLEVEL_GRID ? " 网格员 (grid worker)" : "");
  else
    snprintf(agency, sizeof agency, "%s", wg_matter_level_name(m->st.level));
  field(d, "agency_responsible", agency);
  field(d, "service_notice", NULL);
  char iso[32];
  wg_matter_time_iso(m0->st.reported_at, iso);
  field(d, "requested_datetime", iso);
  wg_matter_time_iso(m->st.last_at, iso);
  field(d, "updated_datetime", iso);
  if (m->st.expected_at && !is_closed(m->st.status)) {
    wg_matter_time_iso(m->st.expected_at, iso);
    field(d, "expected_datetime", iso);
  } else {
    field(d, "expected_datetime", NULL);
  }
  field(d, "address", m0->address[0] ? m0->address : NULL);
  field(d, "address_id", NULL);
  field(d, "zipcode", NULL);
  if (m0->located) {
    char num[32];
    snprintf(num, sizeof num, "%.7f", m0->lat);
    field_num(d, "lat", num);
    snprintf(num, sizeof num, "%.7f", m0->lon);
    field_num(d, "long", num);
  } else {
    field_num(d, "lat", NULL);
    field_num(d, "long", NULL);
  }
  char sha[65] = "";
  if (wg_store_matter_events(s, m0->id, first_photo, sha) == WG_OK && sha[0]) {
    char url[400];
    snprintf(url, sizeof url, "%smedia/%s", c->base, sha);
    field(d, "media_url", url);
  } else {
    field(d, "media_url", NULL);
  }
  rec_end(d);
  free(survivor);
  c->n++;
  return 0;
}

/* "1,2,3" → ids (max). 0 when malformed. */
static int parse_ids(const char *v, int64_t *ids, int max, int *n) {
  *n = 0;
  while (*v) {
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || errno || x < 1 || *n >= max || (*end && *end != ',')) return 0;
    ids[(*n)++] = x;
    v = *end ? end + 1 : end;
  }
  return *n > 0;
}

void wg__o311_requests(wg_http_req *r) {
  fmt f;
  if (!format_of(r, 0, &f)) return;
  static const char *const allowed[] = {"jurisdiction_id", "service_request_id", "service_code",
                                        "start_date", "end_date", "status", NULL};
  if (!only_params(r, f, allowed) ||
      !jurisdiction_ok(r, f, wg__query_get(&r->query, "jurisdiction_id")))
    return;
  if (!wg__http_worker(r)) return;
  /* public reports only: matters reported inside wangge (by staff, the
   * web UI or the console) may carry what residents told in confidence */
  wg_matter_query q = {.county = r->srv->county, .limit = 1000, .source = "open311"};
  int64_t ids[100];
  const char *idv = wg__query_get(&r->query, "service_request_id");
  if (idv) {
    if (!parse_ids(idv, ids, 100, &q.nids)) {
      o311_error(r, f, 400, "service_request_id is a comma-separated list of up to 100 ids");
      return;
    }
    q.ids = ids;
  } else {
    const char *code = wg__query_get(&r->query, "service_code");
    const char *sd = wg__query_get(&r->query, "start_date");
    const char *ed = wg__query_get(&r->query, "end_date");
    const char *status = wg__query_get(&r->query, "status");
    q.category = code && *code ? code : NULL;
    if ((sd && wg_matter_time_parse(sd, &q.from) != WG_OK) ||
        (ed && wg_matter_time_parse(ed, &q.to) != WG_OK)) {
      o311_error(r, f, 400, "start_date and end_date are ISO 8601 times with a zone, "
                            "e.g. 2026-03-01T00:00:00+08:00");
      return;
    }
    if (q.to) q.to++; /* end_date is inclusive */
    int64_t now = (int64_t)time(NULL);
    /* without dates: the last 90 days, as the spec suggests */
    if (!sd && !ed) q.from = now - 90 * 86400;
    if (status) {
      int open = 0, closed = 0;
      const char *p = status;
      while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 4 && strncmp(p, "open", 4) == 0)
          open = 1;
        else if (n == 6 && strncmp(p, "closed", 6) == 0)
          closed = 1;
        else {
          o311_error(r, f, 400, "status is open, closed or open,closed");
          return;
        }
        p += n;
        if (*p == ',') p++;
      }
      if (open && !closed) q.open_only = 1;
      if (closed && !open) q.closed_only = 1;
    }
  }
  req_ctx *c = wg__arena_alloc(&r->pool, sizeof *c);
  if (!c) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  memset(c, 0, sizeof *c);
  c->r = r;
  base_url(r, c->base, sizeof c->base);
  doc_begin(&c->d, f, "service_requests", "request");
  wg_err e = wg_store_matter_list(r->worker->store, &q, request_item, c, NULL);
  if (e) {
    free(c->d.o.p);
    o311_error(r, f, 500, "the requests cannot be read");
    return;
  }
  doc_send(r, &c->d, 200);
}

void wg__o311_request(wg_http_req *r) {
  fmt f;
  if (!format_of(r, 1, &f)) return;
  static const char *const allowed[] = {"jurisdiction_id", NULL};
  if (!only_params(r, f, allowed) ||
      !jurisdiction_ok(r, f, wg__query_get(&r->query, "jurisdiction_id")))
    return;
  if (!wg__http_worker(r)) return;
  int64_t id;
  int n;
  wg_matter_row *m = wg__arena_alloc(&r->pool, sizeof *m);
  if (!parse_ids(r->params[0], &id, 1, &n) || !m ||
      wg_store_matter_get(r->worker->store, id, m) != WG_OK || strcmp(m->county, r->srv->county) ||
      strcmp(m->source, "open311") != 0) {
    o311_error(r, f, 404, "no service request '%.32s'", r->params[0]);
    return;
  }
  req_ctx *c = wg__arena_alloc(&r->pool, sizeof *c);
  if (!c) return;
  memset(c, 0, sizeof *c);
  c->r = r;
  base_url(r, c->base, sizeof c->base);
  doc_begin(&c->d, f, "service_requests", "request");
  request_item(c, m);
  doc_send(r, &c->d, 200);
}

void wg__o311_token(wg_http_req *r) {
  fmt f;
  if (!format_of(r, 1, &f)) return;
  static const char *const allowed[] = {"jurisdiction_id", NULL};
  if (!only_params(r, f, allowed) ||
      !jurisdiction_ok(r, f, wg__query_get(&r->query, "jurisdiction_id")))
    return;
  if (!wg__http_worker(r)) return;
  wg_matter_row *m = wg__arena_alloc(&r->pool, sizeof *m);
  if (!m || wg_store_matter_by_token(r->worker->store, r->params[0], m) != WG_OK) {
    o311_error(r, f, 404, "no request with token '%.40s'", r->params[0]);
    return;
  }
  doc d;
  doc_begin(&d, f, "service_requests", "request");
  rec_begin(&d);
  char id[32];
  snprintf(id, sizeof id, "%lld", (long long)m->id);
  field(&d, "service_request_id", id);
  field(&d, "token", m->token);
  rec_end(&d);
  doc_send(r, &d, 200);
}

void wg__o311_media(wg_http_req *r) {
  static const char *const allowed[] = {NULL};
  if (!wg__param_only(r, allowed)) return;
  wg__http_photo_file(r, r->params[0]);
}

/* ---- POST requests ------------------------------------------------------------------------ */

enum { NFIELDS = 16, FIELD_CAP = 1024 };

static const char *const post_fields[NFIELDS] = {
    "api_key",    "jurisdiction_id", "service_code", "lat",        "long",  "address_string",
    "address_id", "email",           "device_id",    "account_id", "first_name",
    "last_name",  "phone",           "description",  "media_url",  NULL};

typedef struct post_ctx {
  char *value[NFIELDS];
  size_t len[NFIELDS];
  int too_long;
  char bad_key[64];
} post_ctx;

static int post_field(void *ctx, const char *key, const char *filename, const char *ctype,
                      const char *data, uint64_t off, size_t size) {
  (void)filename;
  (void)ctype;
  (void)off;
  post_ctx *c = ctx;
  if (!key) return 1;
  for (int i = 0; post_fields[i]; i++) {
    if (strcmp(key, post_fields[i]) != 0) continue;
    if (c->len[i] + size >= FIELD_CAP) {
      c->too_long = 1;
      snprintf(c->bad_key, sizeof c->bad_key, "%s", key);
      return 1;
    }
    memcpy(c->value[i] + c->len[i], data, size);
    c->len[i] += size;
    c->value[i][c->len[i]] = '\0';
    return 1;
  }
  /* attribute[…] is allowed by the spec; our services define none */
  return 1;
}

static const char *pf(const post_ctx *c, const char *key) {
  for (int i = 0; post_fields[i]; i++)
    if (strcmp(post_fields[i], key) == 0) return c->len[i] ? c->value[i] : NULL;
  return NULL;
}

/* Copies at most cap-1 bytes of s, not splitting a UTF-8 character, and
 * stopping at the first line break. */
static void utf8_head(char *dst, size_t cap, const char *s) {
  size_t n = 0;
  while (s[n] && s[n] != '\n' && s[n] != '\r' && n + 1 < cap) n++;
  while (n > 0 && s[n] && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

/* A POST's state while the writer has it (job first: the writer's job is
 * the whole of it). */
typedef struct o311_post {
  wg_http_job job;
  wg_matter_report in;
  wg_located where;
  wg_category_t cat;
  wg_matter_row m;
  fmt f;
  const char *account_id;
  char title[128], name[64], reporter[64], origin[64], description[1024];
} o311_post;

static void post_done(wg_http_req *r) {
  o311_post *p = (o311_post *)wg__http_job_of(r);
  wg_err e = p->job.err;
  if (e) {
    int status = e == WG_EINVAL ? 400 : e == WG_ENOTFOUND ? 404 : e == WG_EBUSY ? 503 : 500;
    o311_error(r, p->f, status, "%s",
               status < 500 && p->job.ei.why[0] ? p->job.ei.why : wg_strerror(e));
    return;
  }
  doc d;
  doc_begin(&d, p->f, "service_requests", "request");
  rec_begin(&d);
  char id[32];
  snprintf(id, sizeof id, "%lld", (long long)p->m.id);
  field(&d, "service_request_id", id);
  field(&d, "token", p->m.token);
  field(&d, "service_notice", "已受理上报，请凭编号查询进度 (received; follow it by its id)");
  field(&d, "account_id", p->account_id);
  rec_end(&d);
  doc_send(r, &d, 201);
}

void wg__o311_request_post(wg_http_req *r) {
  fmt f;
  if (!format_of(r, 0, &f)) return;
  static const char *const allowed[] = {NULL};
  if (!only_params(r, f, allowed)) return;
  if (!wg__http_worker(r)) return;
  post_ctx *c = wg__arena_alloc(&r->pool, sizeof *c);
  if (!c) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  memset(c, 0, sizeof *c);
  for (int i = 0; post_fields[i]; i++) {
    c->value[i] = wg__arena_alloc(&r->pool, FIELD_CAP);
    if (!c->value[i]) {
      wg__http_fail(r, WG_ENOMEM, NULL, NULL);
      return;
    }
    c->value[i][0] = '\0';
  }
  const char *ctype = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
  if (!ctype || (strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0 &&
                 strncasecmp(ctype, "multipart/form-data", 19) != 0)) {
    o311_error(r, f, 400, "send the request as application/x-www-form-urlencoded");
    return;
  }
  int ok = wg__http_form(r, post_field, c);
  if (!ok) {
    o311_error(r, f, 400, "the form body is malformed");
    return;
  }
  if (c->too_long) {
    o311_error(r, f, 400, "%s is over %d bytes", c->bad_key, FIELD_CAP - 1);
    return;
  }
  wg_api_key_row key;
  if (wg_matters_apikey_check(r->worker->store, pf(c, "api_key"), &key) != WG_OK) {
    o311_error(r, f, 403, "a valid api_key is required to post a service request");
    return;
  }
  if (!jurisdiction_ok(r, f, pf(c, "jurisdiction_id"))) return;
  const char *code = pf(c, "service_code");
  if (!code) {
    o311_error(r, f, 400, "service_code is required");
    return;
  }
  wg_category_t cat;
  if (wg_store_category_get(r->worker->store, code, &cat) != WG_OK || !cat.active) {
    o311_error(r, f, 404, "no service '%.40s'", code);
    return;
  }
  const char *lat_s = pf(c, "lat"), *lon_s = pf(c, "long"), *addr = pf(c, "address_string");
  double lat = 0, lon = 0;
  int located = 0;
  if (lat_s || lon_s) {
    char *e1 = NULL, *e2 = NULL;
    errno = 0;
    if (lat_s) lat = strtod(lat_s, &e1);
    if (lon_s) lon = strtod(lon_s, &e2);
    if (!lat_s || !lon_s || *e1 || *e2 || errno || !(lat >= -90 && lat <= 90) ||
        !(lon >= -180 && lon <= 180)) {
      o311_error(r, f, 400, "lat and long are WGS84 decimal degrees, both given");
      return;
    }
    located = 1;
  }
  if (!located && !addr && !pf(c, "address_id")) {
    o311_error(r, f, 400, "a location is required: lat and long, or address_string");
    return;
  }
  o311_post *p = wg__arena_alloc(&r->pool, sizeof *p);
  if (!p) {
    wg__http_fail(r, WG_ENOMEM, NULL, NULL);
    return;
  }
  memset(p, 0, sizeof *p);
  p->f = f;
  p->account_id = pf(c, "account_id");
  const char *desc = pf(c, "description");
  utf8_head(p->title, sizeof p->title, desc ? desc : cat.name_zh);
  if (!p->title[0]) snprintf(p->title, sizeof p->title, "%s", cat.name_zh);
  if (pf(c, "last_name") || pf(c, "first_name"))
    snprintf(p->name, sizeof p->name, "%.30s%.30s", pf(c, "last_name") ? pf(c, "last_name") : "",
             pf(c, "first_name") ? pf(c, "first_name") : "");
  snprintf(p->reporter, sizeof p->reporter, "open311:%.50s", key.name);
  wg__http_client_address(r, p->origin, sizeof p->origin);
  /* routed here, from the cached plan: the writer only writes */
  if (!located || !wg__http_locate(r, lon, lat, &p->where)) memset(&p->where, 0, sizeof p->where);
  snprintf(p->description, sizeof p->description, "%.1000s", desc ? desc : "");
  p->cat = cat;
  int64_t handler = 0;
  if (wg_matters_route(r->worker->store, &p->where, &handler) != WG_OK) handler = -1;
  p->in = (wg_matter_report){.category = code,
                             .cat = &p->cat,
                             .routed = handler >= 0,
                             .handler = handler > 0 ? handler : 0,
                             .title = p->title,
                             .description = p->description,
                             .located = located,
                             .lon = lon,
                             .lat = lat,
                             .address = addr && strlen(addr) < 256 ? addr : NULL,
                             .where = &p->where,
                             .reporter = p->reporter,
                             .reporter_name = p->name,
                             .reporter_phone = pf(c, "phone") && strlen(pf(c, "phone")) < 24
                                                   ? pf(c, "phone")
                                                   : NULL,
                             .source = "open311",
                             .kind = WG_MACT_REPORTER,
                             .actor = p->reporter,
                             .origin = p->origin,
                             .now = (int64_t)time(NULL)};
  p->job.in = &p->in;
  p->job.out = &p->m;
  /* durable before answered: the group-commit writer writes it */
  wg__http_writer_submit(r, &p->job, post_done);
}
