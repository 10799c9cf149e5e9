/* http_cache.c — what the API serves from memory: a plan's grids (codes,
 * polygons as WKB and as GeoJSON, children, the entrance → grid map),
 * immutable once a plan is written, and the live figures per grid, cached
 * per (plan, ledger version) so the dashboard costs one map look-up until
 * the ledger changes. Both are shared by the worker threads through
 * reference counts under srv->cache_mu; builds run outside the lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"
#include "territory/geometry.h"

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

wg_err wg__http_versions(wg_http_req *r, int64_t *active_plan, int64_t *ledger_version) {
  wg_http_worker *w = wg__http_worker(r);
  if (!w) return WG_EDB;
  double now = mono_ms();
  if (now >= w->versions_until) {
    wg_err e = wg_store_probe_versions(w->probe, r->srv->county, &w->active_plan,
                                       &w->ledger_version, &w->audit_version);
    if (e) return e;
    w->versions_until = now + WG_HTTP_VERSIONS_TTL_MS;
  }
  *active_plan = w->active_plan;
  *ledger_version = w->ledger_version;
  return WG_OK;
}

int64_t wg__http_audit_version(const wg_http_req *r) {
  return r->worker ? r->worker->audit_version : 0;
}

int wg__http_plan_find(const wg_http_plan *p, const char *code) {
  int64_t i;
  if (!code || !wg_strmap_get(&p->by_code, code, strlen(code), &i)) return -1;
  return (int)i;
}

/* ---- point in polygon on parsed rings ------------------------------------------ */

typedef struct wkb_cursor {
  const unsigned char *p;
  size_t left;
  int little;
} wkb_cursor;

static int rd_u8(wkb_cursor *c, unsigned *v) {
  if (c->left < 1) return 0;
  *v = c->p[0];
  c->p++;
  c->left--;
  return 1;
}

static int rd_u32(wkb_cursor *c, uint32_t *v) {
  if (c->left < 4) return 0;
  const unsigned char *b = c->p;
  *v = c->little
           ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
           : (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
  c->p += 4;
  c->left -= 4;
  return 1;
}

static int rd_f64(wkb_cursor *c, double *v) {
  if (c->left < 8) return 0;
  uint64_t u = 0;
  for (int i = 0; i < 8; i++) u |= (uint64_t)c->p[c->little ? i : 7 - i] << (8 * i);
  memcpy(v, &u, sizeof *v);
  c->p += 8;
  c->left -= 8;
  return 1;
}

/* Appends the rings of one WKB polygon (header included) to g. */
static int parse_polygon(wkb_cursor *c, wg_http_grid *g, int *pcap, int *rcap, int *npts) {
  unsigned order;
  uint32_t type, nrings;
  if (!rd_u8(c, &order) || order > 1) return 0;
  c->little = order == 1;
  if (!rd_u32(c, &type) || type != 3 || !rd_u32(c, &nrings) || nrings > 100000) return 0;
  for (uint32_t r = 0; r < nrings; r++) {
    uint32_t n;
    if (!rd_u32(c, &n) || n > WG_GEOM_MAX_VERTICES || (size_t)n * 16 > c->left) return 0;
    if (g->nrings + 2 > *rcap) {
      int cap = *rcap ? *rcap * 2 : 8;
      int *s = realloc(g->ring_start, (size_t)cap * sizeof *s);
      if (!s) return 0;
      g->ring_start = s;
      *rcap = cap;
    }
    if (*npts + (int)n > *pcap) {
      int cap = *pcap ? *pcap : 64;
      while (cap < *npts + (int)n) cap *= 2;
      double *xy = realloc(g->xy, (size_t)cap * 2 * sizeof *xy);
      if (!xy) return 0;
      g->xy = xy;
      *pcap = cap;
    }
    g->ring_start[g->nrings] = *npts;
    for (uint32_t i = 0; i < n; i++) {
      if (!rd_f64(c, &g->xy[2 * *npts]) || !rd_f64(c, &g->xy[2 * *npts + 1])) return 0;
      ++*npts;
    }
    g->nrings++;
    g->ring_start[g->nrings] = *npts;
  }
  return 1;
}

/* Parses the grid's WKB (Polygon or MultiPolygon, either byte order). */
static int parse_rings(wg_http_grid *g) {
  wkb_cursor c = {g->wkb, g->wkb_len, 1};
  int pcap = 0, rcap = 0, npts = 0;
  unsigned order;
  uint32_t type;
  if (!rd_u8(&c, &order) || order > 1) return 0;
  c.little = order == 1;
  if (!rd_u32(&c, &type)) return 0;
  if (type == 3) {
    c = (wkb_cursor){g->wkb, g->wkb_len, 1};
    return parse_polygon(&c, g, &pcap, &rcap, &npts) && g->nrings > 0;
  }
  if (type != 6) return 0;
  uint32_t npolys;
  if (!rd_u32(&c, &npolys) || npolys > 100000) return 0;
  for (uint32_t i = 0; i < npolys; i++)
    if (!parse_polygon(&c, g, &pcap, &rcap, &npts)) return 0;
  return g->nrings > 0;
}

/* The bounding box of each ring, so a look-up skips rings far away (a
 * point outside a ring's box is outside the ring: its crossings with the
 * ring are even and it is on none of its edges). */
static int ring_boxes(wg_http_grid *g) {
  g->ring_box = malloc((size_t)g->nrings * 4 * sizeof *g->ring_box);
  if (!g->ring_box) return 0;
  for (int r = 0; r < g->nrings; r++) {
    double *b = g->ring_box + 4 * r;
    const double *v = g->xy + 2 * g->ring_start[r];
    int n = g->ring_start[r + 1] - g->ring_start[r];
    b[0] = b[2] = n ? v[0] : 0;
    b[1] = b[3] = n ? v[1] : 0;
    for (int i = 1; i < n; i++) {
      if (v[2 * i] < b[0]) b[0] = v[2 * i];
      if (v[2 * i] > b[2]) b[2] = v[2 * i];
      if (v[2 * i + 1] < b[1]) b[1] = v[2 * i + 1];
      if (v[2 * i + 1] > b[3]) b[3] = v[2 * i + 1];
    }
  }
  return 1;
}

/* Squared distance from (x, y) to the segment a–b. */
static double seg_dist2(double x, double y, double ax, double ay, double bx, double by) {
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
  if (t < 0) t = 0;
  if (t > 1) t = 1;
  double px = ax + t * dx - x, py = ay + t * dy - y;
  return px * px + py * py;
}

int wg__http_grid_contains(const wg_http_grid *g, double x, double y) {
  if (!g->wkb) return 0;
  if (g->nrings == 0) return wg_geom_contains(g->wkb, g->wkb_len, x, y);
  /* Even-odd over every ring: holes and the parts of a multipolygon (which
   * do not overlap) come out right; on or within 1e-9 of an edge counts as
   * inside, as for wg_geom_contains. */
  int inside = 0;
  for (int r = 0; r < g->nrings; r++) {
    const double *b = g->ring_box + 4 * r;
    if (x < b[0] - 1e-9 || x > b[2] + 1e-9 || y < b[1] - 1e-9 || y > b[3] + 1e-9) continue;
    const double *v = g->xy + 2 * g->ring_start[r];
    int n = g->ring_start[r + 1] - g->ring_start[r];
    for (int i = 0, j = n - 1; i < n; j = i++) {
      double xi = v[2 * i], yi = v[2 * i + 1], xj = v[2 * j], yj = v[2 * j + 1];
      /* Near the edge's box only: most edges are far from the point. */
      if (!(x < (xi < xj ? xi : xj) - 1e-9 || x > (xi > xj ? xi : xj) + 1e-9 ||
            y < (yi < yj ? yi : yj) - 1e-9 || y > (yi > yj ? yi : yj) + 1e-9) &&
          seg_dist2(x, y, xi, yi, xj, yj) <= 1e-18)
        return 1;
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

static void plan_free(wg_http_plan *p) {
  if (!p) return;
  for (int i = 0; i < p->ngrids; i++) {
    free(p->grids[i].wkb);
    free(p->grids[i].geojson);
    free(p->grids[i].children);
    free(p->grids[i].xy);
    free(p->grids[i].ring_start);
    free(p->grids[i].ring_box);
  }
  free(p->grids);
  wg_strmap_free(&p->by_code);
  wg_u64map_free(&p->entrance);
  free(p->where);
  free(p->pieces);
  wg_u64map_free(&p->dwelling_piece);
  free(p->cell_start);
  free(p->cell_items);
  free(p);
}

typedef struct plan_build {
  wg_http_plan *p;
  int cap, where_cap, piece_cap;
  wg_err err;
} plan_build;

/* Grows *arr (of elem bytes) to hold need elements, doubling. */
static int grow(void **arr, int *cap, int need, size_t elem) {
  if (need <= *cap) return 1;
  int c = *cap ? *cap * 2 : 1024;
  while (c < need) c *= 2;
  void *n = realloc(*arr, (size_t)c * elem);
  if (!n) return 0;
  *arr = n;
  *cap = c;
  return 1;
}

static int add_grid(void *ctx, const wg_grid_t *g) {
  plan_build *b = ctx;
  wg_http_plan *p = b->p;
  if (p->ngrids == b->cap) {
    int cap = b->cap ? b->cap * 2 : 256;
    wg_http_grid *n = realloc(p->grids, (size_t)cap * sizeof *n);
    if (!n) goto nomem;
    p->grids = n;
    b->cap = cap;
  }
  wg_http_grid *h = &p->grids[p->ngrids];
  memset(h, 0, sizeof *h);
  memcpy(h->code, g->code, sizeof h->code);
  memcpy(h->parent, g->parent, sizeof h->parent);
  memcpy(h->community, g->community, sizeof h->community);
  h->level = g->level;
  h->plan_households = g->households;
  h->units = g->units;
  h->area = g->area;
  h->polsby_popper = g->polsby_popper;
  h->minx = g->minx;
  h->miny = g->miny;
  h->maxx = g->maxx;
  h->maxy = g->maxy;
  p->ngrids++;
  if (g->geom && g->geom_len) {
    h->wkb = malloc(g->geom_len);
    if (!h->wkb) goto nomem;
    memcpy(h->wkb, g->geom, g->geom_len);
    h->wkb_len = g->geom_len;
    wg_errinfo ei = {0};
    if (wg_geom_to_geojson(h->wkb, h->wkb_len, 7, &h->geojson, &ei) != WG_OK) h->geojson = NULL;
    if (!parse_rings(h) || !ring_boxes(h)) {
      free(h->xy);
      free(h->ring_start);
      free(h->ring_box);
      h->xy = NULL;
      h->ring_start = NULL;
      h->ring_box = NULL;
      h->nrings = 0;
    }
  }
  return 0;
nomem:
  b->err = WG_ENOMEM;
  return 1;
}

static int add_assignment(void *ctx, const wg_assignment_t *a) {
  plan_build *b = ctx;
  wg_http_plan *p = b->p;
  int64_t wi;
  if (!wg_u64map_get(&p->entrance, (uint64_t)a->entrance_id, &wi)) {
    if (!grow((void **)&p->where, &b->where_cap, p->nwhere + 1, sizeof *p->where)) goto nomem;
    wi = p->nwhere++;
    struct wg_http_where *w = &p->where[wi];
    w->grid[0] = w->grid[1] = w->grid[2] = -1;
    w->first_piece = -1;
    w->npieces = 0;
    if (wg_u64map_put(&p->entrance, (uint64_t)a->entrance_id, wi) != WG_OK) goto nomem;
  }
  struct wg_http_where *w = &p->where[wi];
  if (a->piece == 0) {
    for (int l = 0; l < 3; l++) w->grid[l] = wg__http_plan_find(p, a->code[l]);
  } else {
    /* A split entrance has only piece rows (1, 2, …), all in the same
     * level-1 and level-2 grids; they arrive together. */
    w->grid[0] = wg__http_plan_find(p, a->code[0]);
    w->grid[1] = wg__http_plan_find(p, a->code[1]);
    w->grid[2] = -1;
    if (!grow((void **)&p->pieces, &b->piece_cap, p->npieces + 1, sizeof *p->pieces)) goto nomem;
    if (w->first_piece < 0) w->first_piece = p->npieces;
    memset(&p->pieces[p->npieces], 0, sizeof p->pieces[p->npieces]);
    p->pieces[p->npieces].grid = wg__http_plan_find(p, a->code[2]);
    p->pieces[p->npieces].households = a->households;
    p->pieces[p->npieces].entrance_id = a->entrance_id;
    p->npieces++;
    w->npieces++;
  }
  return 0;
nomem:
  b->err = WG_ENOMEM;
  return 1;
}

/* Marks a grid with the rule it breaks; an avoidable violation outranks a
 * forced one. Area-wide violations (a community code) mark no grid. */
static int add_violation(void *ctx, const wg_plan_violation_t *v) {
  wg_http_plan *p = ctx;
  int gi = wg__http_plan_find(p, v->code);
  if (gi < 0 || strcmp(v->kind, "unit_split") == 0) return 0; /* a split is a notice */
  wg_http_grid *g = &p->grids[gi];
  if (g->violation[0] && !(g->violation_forced && !v->forced)) return 0;
  snprintf(g->violation, sizeof g->violation, "%s", v->kind);
  g->violation_forced = v->forced;
  return 0;
}

/* Records which piece a dwelling of a split entrance belongs to (rows come
 * after the assignments, which made the pieces). */
static int add_piece_dwelling(void *ctx, const wg_piece_dwelling_t *d) {
  plan_build *b = ctx;
  wg_http_plan *p = b->p;
  int64_t wi;
  if (!wg_u64map_get(&p->entrance, (uint64_t)d->entrance_id, &wi)) return 0;
  const struct wg_http_where *w = &p->where[wi];
  if (d->piece < 1 || d->piece > w->npieces) return 0;
  struct wg_http_piece *pc = &p->pieces[w->first_piece + d->piece - 1];
  if (pc->ndwellings == 0 || d->floor < pc->floor_lo) pc->floor_lo = d->floor;
  if (pc->ndwellings == 0 || d->floor > pc->floor_hi) pc->floor_hi = d->floor;
  pc->ndwellings++;
  if (wg_u64map_put(&p->dwelling_piece, (uint64_t)d->dwelling_id, w->first_piece + d->piece - 1) !=
      WG_OK) {
    b->err = WG_ENOMEM;
    return 1;
  }
  return 0;
}

int wg__http_dwelling_piece(const wg_http_plan *p, int64_t dwelling_id) {
  int64_t pc;
  if (dwelling_id <= 0 || !wg_u64map_get(&p->dwelling_piece, (uint64_t)dwelling_id, &pc)) return -1;
  return (int)pc;
}

enum { CELLS = 128 };
#define BOX_SLACK 1e-6 /* ≥ wg_geom_contains's tolerance */

static void cell_range(const wg_http_plan *p, const wg_http_grid *g, int *cx0, int *cy0, int *cx1,
                       int *cy1) {
  double fx0 = (g->minx - BOX_SLACK - p->x0) / p->cw, fx1 = (g->maxx + BOX_SLACK - p->x0) / p->cw;
  double fy0 = (g->miny - BOX_SLACK - p->y0) / p->ch, fy1 = (g->maxy + BOX_SLACK - p->y0) / p->ch;
  *cx0 = fx0 < 0 ? 0 : fx0 >= p->nx ? p->nx - 1 : (int)fx0;
  *cx1 = fx1 < 0 ? 0 : fx1 >= p->nx ? p->nx - 1 : (int)fx1;
  *cy0 = fy0 < 0 ? 0 : fy0 >= p->ny ? p->ny - 1 : (int)fy0;
  *cy1 = fy1 < 0 ? 0 : fy1 >= p->ny ? p->ny - 1 : (int)fy1;
}

/* Buckets the grids with polygons into CELLS × CELLS cells (two passes:
 * count, then fill, so each cell's list stays in code order). */
static wg_err build_cells(wg_http_plan *p) {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int any = 0;
  for (int i = 0; i < p->ngrids; i++) {
    const wg_http_grid *g = &p->grids[i];
    if (!g->wkb) continue;
    if (!any || g->minx < x0) x0 = g->minx;
    if (!any || g->miny < y0) y0 = g->miny;
    if (!any || g->maxx > x1) x1 = g->maxx;
    if (!any || g->maxy > y1) y1 = g->maxy;
    any = 1;
  }
  if (!any) return WG_OK;
  p->x0 = x0 - BOX_SLACK;
  p->y0 = y0 - BOX_SLACK;
  p->nx = p->ny = CELLS;
  p->cw = (x1 - x0 + 2 * BOX_SLACK) / CELLS;
  p->ch = (y1 - y0 + 2 * BOX_SLACK) / CELLS;
  p->cell_start = calloc((size_t)CELLS * CELLS + 1, sizeof *p->cell_start);
  if (!p->cell_start) return WG_ENOMEM;
  size_t total = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < p->ngrids; i++) {
      const wg_http_grid *g = &p->grids[i];
      if (!g->wkb) continue;
      int cx0, cy0, cx1, cy1;
      cell_range(p, g, &cx0, &cy0, &cx1, &cy1);
      for (int cy = cy0; cy <= cy1; cy++)
        for (int cx = cx0; cx <= cx1; cx++) {
          int c = cy * CELLS + cx;
          if (pass == 0)
            p->cell_start[c + 1]++;
          else
            p->cell_items[p->cell_start[c]++] = i;
        }
    }
    if (pass == 0) {
      for (int c = 0; c < CELLS * CELLS; c++) p->cell_start[c + 1] += p->cell_start[c];
      total = (size_t)p->cell_start[CELLS * CELLS];
      p->cell_items = malloc((total ? total : 1) * sizeof *p->cell_items);
      if (!p->cell_items) return WG_ENOMEM;
    }
  }
  /* The fill pass advanced each start to the next cell's: shift back. */
  for (int c = CELLS * CELLS; c > 0; c--) p->cell_start[c] = p->cell_start[c - 1];
  p->cell_start[0] = 0;
  return WG_OK;
}

void wg__http_plan_cell(const wg_http_plan *p, double x, double y, const int **items, int *n) {
  *items = NULL;
  *n = 0;
  if (!p->cell_start) return;
  double fx = (x - p->x0) / p->cw, fy = (y - p->y0) / p->ch;
  if (!(fx >= 0 && fx < p->nx && fy >= 0 && fy < p->ny)) return;
  int c = (int)fy * p->nx + (int)fx;
  *items = p->cell_items + p->cell_start[c];
  *n = p->cell_start[c + 1] - p->cell_start[c];
}

static wg_err plan_build_all(wg_store_t *s, const char *county, int64_t plan_id,
                             wg_http_plan **out) {
  *out = NULL;
  wg_plan_t meta;
  wg_err e = wg_store_plan_get(s, plan_id, &meta);
  if (e) return e;
  if (strcmp(meta.county, county) != 0) return WG_ENOTFOUND;
  wg_http_plan *p = calloc(1, sizeof *p);
  if (!p) return WG_ENOMEM;
  p->plan_id = plan_id;
  p->nlevels = meta.nlevels;
  wg_strmap_init(&p->by_code);
  wg_u64map_init(&p->entrance);
  wg_u64map_init(&p->dwelling_piece);
  plan_build b = {p, 0, 0, 0, WG_OK};
  e = wg_store_grid_each(s, plan_id, 0, add_grid, &b);
  if (!e) e = b.err;
  for (int i = 0; !e && i < p->ngrids; i++)
    e = wg_strmap_put(&p->by_code, p->grids[i].code, strlen(p->grids[i].code), i);
  /* Children: each grid's parent is a grid (levels 2, 3) or a community. */
  for (int i = 0; !e && i < p->ngrids; i++) {
    int pi = p->grids[i].level > 1 ? wg__http_plan_find(p, p->grids[i].parent) : -1;
    if (pi < 0) continue;
    wg_http_grid *par = &p->grids[pi];
    int *n = realloc(par->children, (size_t)(par->nchildren + 1) * sizeof *n);
    if (!n) {
      e = WG_ENOMEM;
      break;
    }
    par->children = n;
    par->children[par->nchildren++] = i;
  }
  if (!e) e = build_cells(p);
  if (!e) e = wg_store_violation_each(s, plan_id, add_violation, p);
  if (!e) e = wg_store_assignment_each(s, plan_id, add_assignment, &b);
  if (!e) e = b.err;
  if (!e) e = wg_store_piece_dwelling_each(s, plan_id, add_piece_dwelling, &b);
  if (!e) e = b.err;
  if (e) {
    plan_free(p);
    return e;
  }
  p->refs = 1;
  *out = p;
  return WG_OK;
}

wg_err wg__http_plan_get(wg_http_req *r, int64_t plan_id, wg_http_plan **out) {
  wg_http_server *srv = r->srv;
  *out = NULL;
  pthread_mutex_lock(&srv->cache_mu);
  if (srv->plan && srv->plan->plan_id == plan_id) {
    srv->plan->refs++;
    *out = srv->plan;
  }
  pthread_mutex_unlock(&srv->cache_mu);
  if (*out) return WG_OK;
  wg_http_worker *w = wg__http_worker(r);
  if (!w) return WG_EDB;
  wg_http_plan *p;
  wg_err e = plan_build_all(w->store, srv->county, plan_id, &p);
  if (e) return e;
  pthread_mutex_lock(&srv->cache_mu);
  wg_http_plan *old = srv->plan;
  srv->plan = p;
  p->refs++; /* the cache's reference and the caller's */
  int free_old = old && --old->refs == 0;
  pthread_mutex_unlock(&srv->cache_mu);
  if (free_old) plan_free(old);
  *out = p;
  return WG_OK;
}

void wg__http_plan_release(wg_http_server *srv, wg_http_plan *p) {
  if (!p) return;
  pthread_mutex_lock(&srv->cache_mu);
  int gone = --p->refs == 0;
  pthread_mutex_unlock(&srv->cache_mu);
  if (gone) plan_free(p);
}

/* ---- live figures ------------------------------------------------------------- */

static void stats_free(wg_http_stats *st) {
  if (!st) return;
  free(st->tag_code);
  free(st->tag_zh);
  free(st->tag_en);
  free(st->households);
  free(st->residents);
  free(st->tags);
  for (int i = 0; st->card && i < st->ngrids; i++) free(st->card[i]);
  free(st->card);
  free(st->card_len);
  free(st->card_audit);
  for (int l = 0; l < 4; l++) free(st->all_body[l]);
  free(st);
}

typedef struct tag_list {
  wg_http_stats *st;
  int cap;
  int failed;
} tag_list;

static int add_tag(void *ctx, const char *code, const char *zh, const char *en) {
  tag_list *t = ctx;
  wg_http_stats *st = t->st;
  if (st->ntags == t->cap) {
    int cap = t->cap ? t->cap * 2 : 16;
    void *a = realloc(st->tag_code, (size_t)cap * sizeof *st->tag_code);
    if (a) st->tag_code = a;
    void *b = realloc(st->tag_zh, (size_t)cap * sizeof *st->tag_zh);
    if (b) st->tag_zh = b;
    void *c = realloc(st->tag_en, (size_t)cap * sizeof *st->tag_en);
    if (c) st->tag_en = c;
    if (!a || !b || !c) {
      t->failed = 1;
      return 1;
    }
    t->cap = cap;
  }
  snprintf(st->tag_code[st->ntags], 32, "%s", code);
  snprintf(st->tag_zh[st->ntags], 64, "%s", zh);
  snprintf(st->tag_en[st->ntags], 64, "%s", en);
  st->ntags++;
  return 0;
}

typedef struct tally_ctx {
  wg_http_stats *st;
  const wg_http_plan *p;
  wg_u64map households; /* (household, entrance) pairs seen */
  int failed;
} tally_ctx;

/* Adds v to what[] (tag < 0) or to tag's counts for every grid holding
 * the entrance; a split entrance's level-3 share goes to the piece of the
 * dwelling (piece ≥ 0), or, for a dwelling the plan did not place, to its
 * pieces by their households. */
static void credit(tally_ctx *c, const struct wg_http_where *w, int piece, double *what, double v,
                   int tag) {
  int nt = c->st->ntags;
  for (int l = 0; l < 3; l++) {
    int g = w->grid[l];
    if (l == 2 && g < 0 && piece >= 0) g = c->p->pieces[piece].grid;
    if (g >= 0) {
      if (tag < 0)
        what[g] += v;
      else
        c->st->tags[(size_t)g * (size_t)nt + (size_t)tag] += v;
    } else if (l == 2 && w->npieces > 0) {
      long total = 0;
      for (int k = 0; k < w->npieces; k++) total += c->p->pieces[w->first_piece + k].households;
      for (int k = 0; k < w->npieces && total > 0; k++) {
        const struct wg_http_piece *pc = &c->p->pieces[w->first_piece + k];
        if (pc->grid < 0) continue;
        double share = v * (double)pc->households / (double)total;
        if (tag < 0)
          what[pc->grid] += share;
        else
          c->st->tags[(size_t)pc->grid * (size_t)nt + (size_t)tag] += share;
      }
    }
  }
}

static int tally(void *ctx, int64_t entrance, int64_t dwelling, int64_t household,
                 const char *tags) {
  tally_ctx *c = ctx;
  int64_t wi;
  if (!wg_u64map_get(&c->p->entrance, (uint64_t)entrance, &wi)) return 0;
  const struct wg_http_where *w = &c->p->where[wi];
  int piece = w->npieces > 0 ? wg__http_dwelling_piece(c->p, dwelling) : -1;
  credit(c, w, piece, c->st->residents, 1, -1);
  if (household > 0) {
    /* A household counts once per entrance it lives in. */
    uint64_t key = (uint64_t)household * 0x1000003ULL + (uint64_t)entrance + 1;
    int64_t dummy;
    if (!wg_u64map_get(&c->households, key, &dummy)) {
      if (wg_u64map_put(&c->households, key, 1) != WG_OK) {
        c->failed = 1;
        return 1;
      }
      credit(c, w, piece, c->st->households, 1, -1);
    }
  }
  if (!tags[0]) return 0;
  const char *s = tags;
  while (*s) {
    while (*s == ',') s++;
    const char *e = s;
    while (*e && *e != ',') e++;
    if (e > s)
      for (int t = 0; t < c->st->ntags; t++)
        if (strlen(c->st->tag_code[t]) == (size_t)(e - s) &&
            memcmp(c->st->tag_code[t], s, (size_t)(e - s)) == 0) {
          credit(c, w, piece, NULL, 1, t);
          break;
        }
    s = e;
  }
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static wg_err stats_build(wg_store_t *s, const char *county, const wg_http_plan *p, int64_t version,
                          wg_http_stats **out) {
  double t0 = now_ms();
  wg_http_stats *st = calloc(1, sizeof *st);
  if (!st) return WG_ENOMEM;
  st->plan_id = p->plan_id;
  st->ledger_version = version;
  st->ngrids = p->ngrids;
  tag_list tl = {st, 0, 0};
  wg_err e = wg_store_tag_each(s, add_tag, &tl);
  if (!e && tl.failed) e = WG_ENOMEM;
  size_t n = (size_t)(p->ngrids ? p->ngrids : 1);
  if (!e) {
    st->households = calloc(n, sizeof *st->households);
    st->residents = calloc(n, sizeof *st->residents);
    st->tags = calloc(n * (size_t)(st->ntags ? st->ntags : 1), sizeof *st->tags);
    if (!st->households || !st->residents || !st->tags) e = WG_ENOMEM;
  }
  tally_ctx c = {st, p, {0}, 0};
  wg_u64map_init(&c.households);
  if (!e) {
    st->card = calloc(n, sizeof *st->card);
    st->card_len = calloc(n, sizeof *st->card_len);
    st->card_audit = calloc(n, sizeof *st->card_audit);
    if (!st->card || !st->card_len || !st->card_audit) e = WG_ENOMEM;
  }
  if (!e) e = wg_store_resident_place_each(s, county, tally, &c);
  if (!e && c.failed) e = WG_ENOMEM;
  wg_u64map_free(&c.households);
  if (e) {
    stats_free(st);
    return e;
  }
  st->computed_ms = now_ms() - t0;
  st->refs = 1;
  *out = st;
  return WG_OK;
}

/* Installs st as the cached figures unless newer ones are there. Takes
 * the builder's reference to st. */
static void stats_install(wg_http_server *srv, wg_http_stats *st) {
  wg_http_stats *old = NULL;
  pthread_mutex_lock(&srv->cache_mu);
  if (!srv->stats || srv->stats->plan_id != st->plan_id ||
      srv->stats->ledger_version < st->ledger_version) {
    old = srv->stats;
    srv->stats = st;
    st = NULL;
  }
  int free_old = old && --old->refs == 0;
  pthread_mutex_unlock(&srv->cache_mu);
  if (free_old) stats_free(old);
  if (st) wg__http_stats_release(srv, st);
}

/* Renders the bodies for principals who see every grid, once. */
static void prerender(wg_http_plan *p, wg_http_stats *st) {
  for (int level = 0; level <= 3; level++) {
    size_t len;
    int all;
    char *body = wg__api_stats_body(NULL, p, st, level, &len, &all);
    if (body) {
      st->all_body[level] = body;
      st->all_len[level] = len;
    }
  }
}

typedef struct builder_job {
  wg_http_server *srv;
  wg_http_plan *plan; /* a reference */
  int64_t version;
} builder_job;

static void *builder(void *arg) {
  builder_job *job = arg;
  wg_http_server *srv = job->srv;
  wg_store_t *s = NULL;
  wg_http_stats *st = NULL;
  if (wg_store_open(srv->db, 0, &s, NULL) == WG_OK &&
      stats_build(s, srv->county, job->plan, job->version, &st) == WG_OK) {
    prerender(job->plan, st);
    stats_install(srv, st);
  }
  wg_store_close(s);
  wg__http_plan_release(srv, job->plan);
  free(job);
  pthread_mutex_lock(&srv->cache_mu);
  srv->building = 0;
  pthread_cond_broadcast(&srv->built);
  pthread_mutex_unlock(&srv->cache_mu);
  return NULL;
}

wg_err wg__http_stats_get(wg_http_req *r, wg_http_plan *p, int64_t version, wg_http_stats **out) {
  wg_http_server *srv = r->srv;
  *out = NULL;
  builder_job *job = NULL;
  pthread_mutex_lock(&srv->cache_mu);
  wg_http_stats *cur = srv->stats;
  if (cur && cur->plan_id == p->plan_id && cur->ledger_version >= version) {
    cur->refs++;
    *out = cur;
  } else if (cur && cur->plan_id == p->plan_id) {
    /* Stale: serve these, rebuild behind. */
    cur->refs++;
    *out = cur;
    if (!srv->building && (job = malloc(sizeof *job)) != NULL) {
      srv->building = 1;
      p->refs++;
      *job = (builder_job){srv, p, version};
    }
  }
  pthread_mutex_unlock(&srv->cache_mu);
  if (job) {
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, builder, job) != 0) {
      wg__http_plan_release(srv, p);
      free(job);
      pthread_mutex_lock(&srv->cache_mu);
      srv->building = 0;
      pthread_cond_broadcast(&srv->built);
      pthread_mutex_unlock(&srv->cache_mu);
    }
    pthread_attr_destroy(&attr);
  }
  if (*out) return WG_OK;
  wg_http_worker *w = wg__http_worker(r);
  if (!w) return WG_EDB;
  wg_http_stats *st;
  wg_err e = stats_build(w->store, srv->county, p, version, &st);
  if (e) return e;
  st->refs++; /* the cache's and the caller's */
  stats_install(srv, st);
  *out = st;
  return WG_OK;
}

void wg__http_stats_release(wg_http_server *srv, wg_http_stats *st) {
  if (!st) return;
  pthread_mutex_lock(&srv->cache_mu);
  int gone = --st->refs == 0;
  pthread_mutex_unlock(&srv->cache_mu);
  if (gone) stats_free(st);
}

char *wg__http_body_copy(wg_http_server *srv, char *const *slot, const size_t *len,
                         size_t *out_len) {
  char *copy = NULL;
  pthread_mutex_lock(&srv->cache_mu);
  if (*slot) {
    copy = malloc(*len + 1);
    if (copy) {
      memcpy(copy, *slot, *len + 1);
      *out_len = *len;
    }
  }
  pthread_mutex_unlock(&srv->cache_mu);
  return copy;
}

void wg__http_body_keep(wg_http_server *srv, char **slot, size_t *len, const char *body,
                        size_t body_len) {
  char *copy = malloc(body_len + 1);
  if (!copy) return;
  memcpy(copy, body, body_len + 1);
  pthread_mutex_lock(&srv->cache_mu);
  if (!*slot) {
    *slot = copy;
    *len = body_len;
    copy = NULL;
  }
  pthread_mutex_unlock(&srv->cache_mu);
  free(copy);
}

char *wg__http_card_copy(wg_http_server *srv, wg_http_stats *st, int gi, int64_t audit,
                         size_t *out_len) {
  char *copy = NULL;
  pthread_mutex_lock(&srv->cache_mu);
  if (st->card[gi] && st->card_audit[gi] == audit) {
    copy = malloc(st->card_len[gi] + 1);
    if (copy) {
      memcpy(copy, st->card[gi], st->card_len[gi] + 1);
      *out_len = st->card_len[gi];
    }
  }
  pthread_mutex_unlock(&srv->cache_mu);
  return copy;
}

void wg__http_card_keep(wg_http_server *srv, wg_http_stats *st, int gi, int64_t audit,
                        const char *body, size_t body_len) {
  char *copy = malloc(body_len + 1);
  if (!copy) return;
  memcpy(copy, body, body_len + 1);
  pthread_mutex_lock(&srv->cache_mu);
  if (!st->card[gi] || st->card_audit[gi] < audit) {
    char *old = st->card[gi];
    st->card[gi] = copy;
    st->card_len[gi] = body_len;
    st->card_audit[gi] = audit;
    copy = old;
  }
  pthread_mutex_unlock(&srv->cache_mu);
  free(copy);
}

void wg__http_warm(wg_http_server *srv, wg_store_t *s) {
  wg_store_probe_t *probe;
  if (wg_store_probe_open(s, &probe) != WG_OK) return;
  int64_t plan_id = 0, version = 0;
  wg_err e = wg_store_probe_versions(probe, srv->county, &plan_id, &version, NULL);
  wg_store_probe_close(probe);
  if (e || !plan_id) return;
  wg_http_plan *p;
  if (plan_build_all(s, srv->county, plan_id, &p) != WG_OK) return;
  wg_http_stats *st;
  if (stats_build(s, srv->county, p, version, &st) != WG_OK) {
    plan_free(p);
    return;
  }
  prerender(p, st);
  /* Before any worker runs: no lock needed, but keep the discipline. */
  pthread_mutex_lock(&srv->cache_mu);
  srv->plan = p;
  srv->stats = st;
  pthread_mutex_unlock(&srv->cache_mu);
}

void wg__http_cache_free(wg_http_server *srv) {
  pthread_mutex_lock(&srv->cache_mu);
  while (srv->building) pthread_cond_wait(&srv->built, &srv->cache_mu);
  pthread_mutex_unlock(&srv->cache_mu);
  if (srv->plan && --srv->plan->refs == 0) plan_free(srv->plan);
  if (srv->stats && --srv->stats->refs == 0) stats_free(srv->stats);
  srv->plan = NULL;
  srv->stats = NULL;
}
