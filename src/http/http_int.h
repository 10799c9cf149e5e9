/* http_int.h — internals shared by the files of src/http. */
#ifndef WG_HTTP_INT_H
#define WG_HTTP_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "auth/auth.h"
#include "http/http.h"
#include "store/store.h"
#include "util/strmap.h"

/* ---- request arena (h2o's req->pool) ------------------------------------ */

/* A bump allocator in chunks; everything is released at once by
 * wg__arena_free. Allocation fails (NULL) past WG_ARENA_CAP bytes. */
enum { WG_ARENA_CHUNK = 8192, WG_ARENA_CAP = 64 << 20 };

typedef struct wg_arena_chunk wg_arena_chunk;
typedef struct wg_arena {
  wg_arena_chunk *head;
  size_t used_total;
} wg_arena;

void wg__arena_init(wg_arena *a);
void *wg__arena_alloc(wg_arena *a, size_t n);     /* 16-byte aligned, or NULL */
char *wg__arena_strndup(wg_arena *a, const char *s, size_t n);
void wg__arena_free(wg_arena *a);                  /* accepts zeroed */

/* ---- query strings --------------------------------------------------------- */

enum { WG_QUERY_MAX_PARAMS = 32, WG_URI_MAX = 4096 };

typedef struct wg_query {
  int n;
  const char *key[WG_QUERY_MAX_PARAMS];
  const char *value[WG_QUERY_MAX_PARAMS];
} wg_query;

/* Percent-decodes src[0..n) into the arena ('+' → ' ' when form is set).
 * NULL when malformed (bad escape, NUL byte, invalid UTF-8) or out of
 * memory. */
char *wg__http_decode(wg_arena *a, const char *src, size_t n, int form);

/* Splits a raw request target "/path?k=v&…" into a decoded path and query
 * parameters. WG_EINVAL with *field set to the bad part ("path", or the
 * parameter's key) on malformed input, WG_ETOOBIG over the caps, WG_ENOMEM. */
wg_err wg__http_parse_target(wg_arena *a, const char *raw, char **path, wg_query *q,
                             const char **field) WG_MUST_CHECK;

/* The value of key, NULL when absent; a key given twice counts as the first. */
const char *wg__query_get(const wg_query *q, const char *key);

/* ---- the server, its threads and caches ------------------------------------ */

/* How long a worker reuses the active plan and ledger version it read:
 * answers may lag a plan activation or a ledger change by this much. */
enum { WG_HTTP_VERSIONS_TTL_MS = 50 };

typedef struct wg_http_worker {
  struct wg_http_server *srv;
  wg_store_t *store;
  wg_store_probe_t *probe;
  int64_t active_plan, ledger_version; /* read at versions_until - TTL */
  int64_t audit_version;               /* the newest audit row then */
  double versions_until;               /* monotonic ms */
  struct wg_http_worker *next;
} wg_http_worker;

/* One grid of a plan, as served: geometry and card data (immutable). */
typedef struct wg_http_grid {
  char code[19];
  char parent[19];
  char community[13];
  int level;
  long plan_households;       /* households when the plan was made */
  int units;
  double area, polsby_popper;
  double minx, miny, maxx, maxy;
  unsigned char *wkb;
  size_t wkb_len;
  char *geojson;              /* the polygon as a GeoJSON geometry, or NULL */
  double *xy;                 /* the rings' vertices (x, y pairs), parsed once */
  int *ring_start;            /* [nrings + 1] offsets into xy (in points) */
  double *ring_box;           /* [nrings * 4] minx, miny, maxx, maxy */
  int nrings;                 /* 0: WKB not parsed, fall back to GEOS */
  int *children;              /* indices into the plan's grids */
  int nchildren;
  char violation[24];         /* the first rule this grid breaks ("" = none) */
  int violation_forced;       /* 1: the data forces it; 0: avoidable */
} wg_http_grid;

/* A plan's grids and entrance assignments (immutable once built). */
typedef struct wg_http_plan {
  int refs;                   /* under srv->cache_mu */
  int64_t plan_id;
  int nlevels;
  int ngrids;
  wg_http_grid *grids;        /* ordered by code */
  wg_strmap by_code;          /* code → index */
  wg_u64map entrance;         /* entrance id → index into where[] */
  struct wg_http_where {
    int grid[3];              /* level-1..3 grid indices, -1 = none/split */
    int first_piece, npieces; /* pieces[] of a split entrance */
  } *where;
  int nwhere;
  struct wg_http_piece {
    int grid;                 /* level-3 grid index */
    long households;
    int64_t entrance_id;
    int floor_lo, floor_hi;   /* the floors of its dwellings (ndwellings > 0) */
    int ndwellings;
  } *pieces;
  int npieces;
  wg_u64map dwelling_piece;   /* dwelling id → index into pieces[] (split
                                 entrances' dwellings the plan placed) */
  /* Point look-up: a uniform grid of cells over the polygons' extent; cell
   * c lists (in code order) the grids whose box, widened by the contains
   * tolerance, touches it: cell_items[cell_start[c] .. cell_start[c+1]). */
  double x0, y0, cw, ch;
  int nx, ny;
  int *cell_start;
  int *cell_items;
} wg_http_plan;

/* The candidate grids (indices, code order) for a point: *n of them at
 * *items, or 0 when the point is outside every box. */
void wg__http_plan_cell(const wg_http_plan *p, double x, double y, const int **items, int *n);

/* Live figures per grid for one plan and ledger version. */
typedef struct wg_http_stats {
  int refs;
  int64_t plan_id, ledger_version;
  int ngrids;
  int ntags;
  char (*tag_code)[32];
  char (*tag_zh)[64];
  char (*tag_en)[64];
  double *households;         /* [ngrids] */
  double *residents;          /* [ngrids] */
  double *tags;               /* [ngrids * ntags] */
  double computed_ms;
  /* Rendered bodies, filled once (under srv->cache_mu): the grid cards
   * (the same for everyone who may see the grid) and the whole statistics
   * per level filter (0..3) for principals who see every grid. */
  char **card;                /* [ngrids] */
  size_t *card_len;
  int64_t *card_audit;        /* [ngrids] the audit version each card was made at */
  char *all_body[4];
  size_t all_len[4];
} wg_http_stats;

/* Recently checked sessions (direct-mapped by token): a hit within
 * WG_HTTP_SESSION_TTL_MS skips the store. A disabled user or ended
 * session is refused at the latest that long after the change (at once for
 * sign-outs through wg__http_session_forget). */
enum { WG_HTTP_SESSION_SLOTS = 256, WG_HTTP_SESSION_TTL_MS = 1000 };
typedef struct wg_http_session_slot {
  char token[65];
  char csrf[65];
  wg_principal who;
  double until_ms;            /* monotonic */
} wg_http_session_slot;

struct wg_http_server {
  wg_http_opts opts;
  char db[1024];
  char web_dir[4096];
  char county[7];
  struct MHD_Daemon *daemon;
  int port;
  pthread_mutex_t mu;         /* workers, in_flight */
  pthread_cond_t idle;
  wg_http_worker *workers;
  int in_flight;
  pthread_mutex_t cache_mu;   /* plan and stats caches, builder */
  pthread_cond_t built;       /* the builder finished */
  int building;               /* a builder thread is recomputing the figures */
  wg_http_plan *plan;
  wg_http_stats *stats;
  pthread_mutex_t session_mu;
  wg_http_session_slot sessions[WG_HTTP_SESSION_SLOTS];
  /* the matters' deadline clock (matter_clock.c) */
  pthread_t clock;
  int clock_running;
  int clock_stop;             /* under clock_mu */
  pthread_mutex_t clock_mu;
  pthread_cond_t clock_cv;
  /* the matters' group-commit writer (matter_writer.c) */
  pthread_t writer;
  int writer_running, writer_stop;
  pthread_mutex_t writer_mu;
  pthread_cond_t writer_cv;
  struct wg_http_job *jobs, *jobs_tail;
  /* the matters' facts for figures, by audit version (api_matter.c) */
  struct wg_http_facts *facts;  /* under cache_mu */
};

/* Frees the facts cache (server stop). */
void wg__http_facts_free(struct wg_http_server *srv);

/* Group commit for reports: jobs from many requests are written by one
 * thread in one transaction per batch (each in a savepoint of its own), so
 * one fsync makes a whole batch durable. A handler submits a report and
 * sets r->deferred; the connection is suspended until the batch commits
 * and the writer resumes it. */
struct wg_matter_report;
struct wg_matter_row;
typedef struct wg_http_job {
  struct wg_http_req *r;
  const struct wg_matter_report *in;   /* valid until the response (arena) */
  struct wg_matter_row *out;
  wg_errinfo ei;
  wg_err err;
  struct wg_http_job *next;
} wg_http_job;
void wg__http_writer_start(struct wg_http_server *srv);
void wg__http_writer_stop(struct wg_http_server *srv);
/* Hands job (in the request's arena) to the writer: the server suspends
 * the request and queues the job (wg__http_writer_enqueue); done runs on a
 * request thread once the job is durable or failed (job->err). */
void wg__http_writer_submit(struct wg_http_req *r, wg_http_job *job,
                            void (*done)(struct wg_http_req *r));
void wg__http_writer_enqueue(struct wg_http_req *r);
/* The job of a deferred request. */
wg_http_job *wg__http_job_of(struct wg_http_req *r);

/* Starts / stops the thread that runs the matters' deadline clock
 * (wg_matters_tick) every opts.clock_seconds on its own store connection. */
void wg__http_clock_start(struct wg_http_server *srv);
void wg__http_clock_stop(struct wg_http_server *srv);

/* ---- a request ------------------------------------------------------------- */

enum { WG_ROUTE_MAX_PARAMS = 2 };

typedef struct wg_http_req {
  wg_arena pool;
  struct wg_http_server *srv;
  struct MHD_Connection *conn;
  wg_http_worker *worker;
  int started;                /* the access handler has seen this request */
  void (*deferred)(struct wg_http_req *r); /* set by a handler that handed work to the
                                  writer: the connection is suspended and this makes the
                                  response once the work is done */
  int deferred_done;          /* the writer finished (under the writer's lock) */
  struct wg_http_job *job;    /* the deferred work, if any */
  const char *method;
  char *raw_target;           /* as received, query included */
  char *path;                 /* decoded */
  wg_query query;
  const char *params[WG_ROUTE_MAX_PARAMS]; /* {placeholders} of the route */
  char *body;
  size_t body_len;
  int body_toobig;
  int bad_target;             /* parse failure: reported on the last call */
  const char *bad_field;
  wg_err bad_err;
  /* who asks */
  wg_principal who;
  int have_who;
  char csrf[65];
  /* the response */
  int status;
  char *resp_body;            /* malloc'd (handed to MHD) */
  size_t resp_len;
  const char *content_type;
  int resp_fd;                /* static file, -1 = none */
  size_t fd_size;
  char etag[64];
  char last_modified[40];
  char allow[64];
  char set_cookie[160];       /* Set-Cookie of the response, "" = none */
  char disposition[160];      /* Content-Disposition (downloads), "" = none */
  int is_api;
  double t0;
} wg_http_req;

/* Sets a response body as is (takes body, malloc'd). */
void wg__http_raw(wg_http_req *r, int status, char *body, size_t len, const char *ctype);
/* Sets a JSON response (takes the reference to body). */
void wg__http_json(wg_http_req *r, int status, json_t *body);
/* Sets an error response {"error": {code, message, field}}. */
void wg__http_error(wg_http_req *r, int status, const char *code, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Maps a wg_err to a status and code by the one table, with the message
 * (ei->why when set, else wg_strerror) and field. */
void wg__http_fail(wg_http_req *r, wg_err e, const char *field, const char *why);
/* The status and code string the table gives e. */
int wg__http_status_of(wg_err e, const char **code);

/* The worker of the calling thread, with an open store; NULL and an error
 * response set when the store cannot be opened. */
wg_http_worker *wg__http_worker(wg_http_req *r);

/* ---- router ---------------------------------------------------------------- */

enum {
  WG_ROUTE_PRINCIPAL = 1 << 0, /* needs a signed-in principal (401 without) */
  WG_ROUTE_CSRF = 1 << 1,      /* state-changing: needs the CSRF token */
  WG_ROUTE_SIGN_IN = 1 << 2,   /* the one state-changing route without a session yet (so
                                  without CSRF token): sign-in, which takes only JSON */
  WG_ROUTE_API_KEY = 1 << 3,   /* state-changing without a session: Open311 POST, checked by
                                  its api_key (no cookie is read, so no CSRF token) */
};

typedef void (*wg_http_handler)(wg_http_req *r);

typedef struct wg_http_route {
  wg_http_route_info info;
  wg_http_handler handler;
  unsigned flags;
} wg_http_route;

/* Finds the route for method and path. Returns the route, or NULL with
 * *status 404 (no such path) or 405 (path exists, not the method; allow
 * gets the methods). Fills params (arena strings) on a match. */
const wg_http_route *wg__http_route(const char *method, const char *path, const char **params,
                                    int *status, char *allow, size_t allow_cap);

/* Routes and runs a request whose body is complete. */
void wg__http_dispatch(wg_http_req *r);

/* Static files from the web directory (GET/HEAD); sets the response. */
void wg__http_static(wg_http_req *r);

/* ---- parameters ----------------------------------------------------------- */

/* Each returns 1 with the value (default when absent), or 0 after setting a
 * 400 error naming the parameter. */
int wg__param_long(wg_http_req *r, const char *key, long def, long min, long max, long *out);
int wg__param_code(wg_http_req *r, const char *key, int min_len, int max_len, const char **out);
int wg__param_date(wg_http_req *r, const char *key, int32_t *out);
int wg__param_double(wg_http_req *r, const char *key, int required, double *out);
/* limit (default 50, 1..1000), offset (≥ 0), after (id ≥ 0); offset and
 * after together are refused. */
int wg__param_page(wg_http_req *r, wg_store_page *pg, long max_limit);
/* Refuses parameters a route does not know (400 naming it). allowed is a
 * NULL-terminated list. */
int wg__param_only(wg_http_req *r, const char *const *allowed);

/* ---- scope (http_scope.c): the one place requests meet auth ---------------- */

/* The require_principal step: resolves the session cookie into r->who.
 * Returns 1, or 0 after setting a 401 response. */
int wg__http_require_principal(wg_http_req *r);
/* Drops a token from the session cache (call on sign-out). */
void wg__http_session_forget(struct wg_http_server *srv, const char *token);
/* The require_csrf step for state-changing requests: 1, or 0 after a 403. */
int wg__http_require_csrf(wg_http_req *r);
/* 1 when the principal may see the object with this code (division or
 * grid code); the only caller of wg_auth_can_see. */
int wg__http_can_see(const wg_http_req *r, const char *code);
/* The piece (index into p->pieces) a dwelling of a split entrance belongs
 * to, or -1 (not split, not placed by the plan, or dwelling_id 0). */
int wg__http_dwelling_piece(const wg_http_plan *p, int64_t dwelling_id);
/* 1 when the principal may see the dwelling of the entrance (its most
 * specific grid code in plan p — for a split entrance, the grid of the
 * dwelling's piece, or of any piece when the plan placed no such dwelling
 * — else its community). dwelling_id may be 0. */
int wg__http_can_see_entrance(const wg_http_req *r, const wg_http_plan *p, int64_t entrance_id,
                              int64_t dwelling_id, const char *community);
/* 1 when the principal may see the matter (its most specific grid, else its
 * community; or they reported it). */
struct wg_matter_row;
struct wg_matter_who;
int wg__http_can_see_matter(const wg_http_req *r, const struct wg_matter_row *m);
/* The matter.h actor kinds the principal holds on the matter (for the
 * steps offered; the step itself is decided again when taken). */
unsigned wg__http_matter_kinds(const wg_http_req *r, const struct wg_matter_row *m);
/* Who acts on a matter through the API: the principal, never the console
 * (which may act as anyone); origin (cap bytes) gets the client address. */
void wg__http_matter_who(wg_http_req *r, struct wg_matter_who *who, char *origin, size_t cap);
/* 1 when the principal may see something placed at these grid codes
 * (levels 1-3, "" where none) in community: decided on its most specific
 * grid, else on the community (campaign items). */
int wg__http_can_see_place(const wg_http_req *r, const char *grid1, const char *grid2,
                           const char *grid3, const char *community);
/* Fills a store scope for listings (prefix and grid codes from the
 * principal; plan_id the active plan). Strings point into r. */
void wg__http_store_scope(wg_http_req *r, int64_t active_plan, wg_store_scope *sc);

/* ---- caches (http_cache.c) ------------------------------------------------- */

/* The active plan id and ledger version now (through the worker's probe). */
wg_err wg__http_versions(wg_http_req *r, int64_t *active_plan, int64_t *ledger_version)
    WG_MUST_CHECK;
/* The audit version read with them (call wg__http_versions first): it
 * changes with every write outside the ledger (the organisation). */
int64_t wg__http_audit_version(const wg_http_req *r);
/* A grid card body cached for st's ledger version and audit version
 * audit, copied (malloc'd; NULL when none); and keeping a newer one. */
char *wg__http_card_copy(wg_http_server *srv, struct wg_http_stats *st, int gi, int64_t audit,
                         size_t *out_len);
void wg__http_card_keep(wg_http_server *srv, struct wg_http_stats *st, int gi, int64_t audit,
                        const char *body, size_t body_len);
/* A reference to plan_id's grids (built on first use); release with
 * wg__http_plan_release. WG_ENOTFOUND for an unknown plan of the county. */
wg_err wg__http_plan_get(wg_http_req *r, int64_t plan_id, wg_http_plan **out) WG_MUST_CHECK;
void wg__http_plan_release(struct wg_http_server *srv, wg_http_plan *p);
/* The live figures of plan p at ledger_version, cached per version. When
 * the ledger has moved on since the cached figures, these are returned
 * (their ledger_version says which) while a builder thread computes the new
 * ones: a dashboard never waits for a recompute. The first figures of a
 * plan are computed in the request. */
wg_err wg__http_stats_get(wg_http_req *r, wg_http_plan *p, int64_t ledger_version,
                          wg_http_stats **out) WG_MUST_CHECK;
void wg__http_stats_release(struct wg_http_server *srv, wg_http_stats *st);
/* Waits for a builder thread, then frees the caches. */
void wg__http_cache_free(struct wg_http_server *srv);
/* The index of code in p, or -1. */
int wg__http_plan_find(const wg_http_plan *p, const char *code);
/* 1 when grid g holds the point (or it lies within 1e-9 of its boundary):
 * the answer of wg_geom_contains, on vertices parsed once. */
int wg__http_grid_contains(const wg_http_grid *g, double x, double y);
/* Builds the active plan's caches and the statistics bodies before the
 * first request (best effort: errors only mean a slower first request). */
void wg__http_warm(struct wg_http_server *srv, wg_store_t *s);
/* A copy (malloc) of a cached body in *slot, or NULL; and the store of a
 * new one (taken; freed when the slot was filled meanwhile). */
char *wg__http_body_copy(struct wg_http_server *srv, char *const *slot, const size_t *len,
                         size_t *out_len);
void wg__http_body_keep(struct wg_http_server *srv, char **slot, size_t *len, const char *body,
                        size_t body_len);

/* ---- handlers (api_read.c) ----------------------------------------------- */

void wg__api_divisions(wg_http_req *r);
void wg__api_grids(wg_http_req *r);
void wg__api_grid(wg_http_req *r);
void wg__api_buildings(wg_http_req *r);
void wg__api_households(wg_http_req *r);
void wg__api_residents(wg_http_req *r);
void wg__api_resident(wg_http_req *r);
void wg__api_plans(wg_http_req *r);
void wg__api_plan(wg_http_req *r);
void wg__api_stats(wg_http_req *r);
void wg__api_locate(wg_http_req *r);
void wg__api_session_create(wg_http_req *r);
void wg__api_plan_diff(wg_http_req *r);
void wg__api_plan_activate(wg_http_req *r);
void wg__api_session_get(wg_http_req *r);
void wg__api_session_delete(wg_http_req *r);

/* ---- handlers (api_campaign.c) -------------------------------------------- */

void wg__api_campaigns(wg_http_req *r);
void wg__api_campaign_create(wg_http_req *r);
void wg__api_campaign(wg_http_req *r);
void wg__api_campaign_rollup(wg_http_req *r);
void wg__api_campaign_history(wg_http_req *r);
void wg__api_campaign_items(wg_http_req *r);
void wg__api_campaign_mark(wg_http_req *r);
void wg__api_campaign_import(wg_http_req *r);
void wg__api_campaign_report(wg_http_req *r);
void wg__api_report(wg_http_req *r);
void wg__api_targets(wg_http_req *r);
void wg__api_target_create(wg_http_req *r);
void wg__api_target(wg_http_req *r);
void wg__api_target_assign(wg_http_req *r);
void wg__api_target_actual(wg_http_req *r);

/* The statistics body for level (0 = all) as visible to r (NULL: to
 * someone who sees every grid); *all_visible says whether r saw every
 * grid of the level. malloc'd, NULL on failure. */
char *wg__api_stats_body(const wg_http_req *r, const wg_http_plan *p, const wg_http_stats *st,
                         int level, size_t *len, int *all_visible);

/* Rounds a coordinate to 7 decimals (≈ 1 cm) for JSON. */
double wg__coord(double v);
/* Dumps JSON with the project's real precision. malloc'd. */
char *wg__json_dump(const json_t *j, size_t *len);

/* ---- matters and Open311 (api_matter.c, api_open311.c) ----------------------- */

void wg__api_matters(wg_http_req *r);
void wg__api_matter_report(wg_http_req *r);
void wg__api_matter(wg_http_req *r);
void wg__api_matter_act(wg_http_req *r);
void wg__api_matter_categories(wg_http_req *r);
void wg__api_matter_figures(wg_http_req *r);
void wg__api_photo_upload(wg_http_req *r);
void wg__api_photo(wg_http_req *r);
void wg__o311_discovery(wg_http_req *r);
void wg__o311_services(wg_http_req *r);
void wg__o311_service(wg_http_req *r);
void wg__o311_requests(wg_http_req *r);
void wg__o311_request_post(wg_http_req *r);
void wg__o311_request(wg_http_req *r);
void wg__o311_token(wg_http_req *r);
void wg__o311_media(wg_http_req *r);

/* The grids of a point in the cached active plan (level 1..3 codes and the
 * community), for routing without a database query; 0 when in none. */
struct wg_located;
int wg__http_locate(wg_http_req *r, double lon, double lat, struct wg_located *out);

/* The client address for audit rows. */
void wg__http_client_address(wg_http_req *r, char *out, size_t cap);

/* A photo file (from the directory beside the database) as the response. */
void wg__http_photo_file(wg_http_req *r, const char *sha256);

/* Parses a form or multipart body through libmicrohttpd's post processor:
 * fn gets each field's key, file name (NULL for plain fields), content type
 * and its data in pieces (off = offset). Returns 0 after a 400 when the
 * body is not of that type or is malformed. */
typedef int (*wg_http_field_fn)(void *ctx, const char *key, const char *filename,
                                const char *ctype, const char *data, uint64_t off, size_t size);
int wg__http_form(wg_http_req *r, wg_http_field_fn fn, void *ctx);
/* ---- organisation and mobilisation (api_org.c) ------------------------------- */

/* Scope of organisation writes (http_scope.c): a manager is an admin,
 * county, township or community user who sees code; field work (visits,
 * service, contacts) is also open to a grid worker in their own grids. */
int wg__http_org_manager(const wg_http_req *r, const char *code);
int wg__http_org_fieldwork(const wg_http_req *r, const char *code);
/* The same for a household's entrance (each piece's grid of a split one). */
int wg__http_org_fieldwork_entrance(wg_http_req *r, int64_t entrance_id, const char *community);

/* Adds workers, building heads, the Party organisation and member counts
 * to a grid card being built; 0 when they could not be read (the card goes
 * out without them and is not cached). */
int wg__api_grid_org(wg_http_req *r, json_t *card, const char *code, int64_t plan_id);
void wg__api_org_staff(wg_http_req *r);
void wg__api_org_staff_add(wg_http_req *r);
void wg__api_org_members(wg_http_req *r);
void wg__api_org_member_add(wg_http_req *r);
void wg__api_org_member_register(wg_http_req *r);
void wg__api_org_service(wg_http_req *r);
void wg__api_org_service_add(wg_http_req *r);
void wg__api_org_rosters(wg_http_req *r);
void wg__api_org_roster_add(wg_http_req *r);
void wg__api_org_roster_close(wg_http_req *r);
void wg__api_org_visits(wg_http_req *r);
void wg__api_org_visit_add(wg_http_req *r);
void wg__api_org_visits_due(wg_http_req *r);
void wg__api_org_coverage(wg_http_req *r);
void wg__api_org_check(wg_http_req *r);
void wg__api_incidents(wg_http_req *r);
void wg__api_incident_open(wg_http_req *r);
void wg__api_incident(wg_http_req *r);
void wg__api_incident_respond(wg_http_req *r);
void wg__api_incident_close(wg_http_req *r);
void wg__api_notices(wg_http_req *r);
void wg__api_org_contact(wg_http_req *r);

#endif
