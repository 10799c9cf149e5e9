/* geometry_test.c — adjacency, grid polygons, coverage, contains and GeoJSON
 * of territory/geometry.h. */
#include "territory/geometry.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>

#include "test.h"

#define PI 3.14159265358979323846

/* ------------------------------------------------------------ helpers */

typedef struct wkb_buf {
  unsigned char *p;
  size_t n, cap;
} wkb_buf;

static void put_bytes(wkb_buf *b, const void *src, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    if (!b->p) exit(2);
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}

static void put_u32(wkb_buf *b, uint32_t v) {
  unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                         (unsigned char)(v >> 24)};
  put_bytes(b, le, 4);
}

static void put_f64(wkb_buf *b, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  unsigned char le[8];
  for (int i = 0; i < 8; ++i) le[i] = (unsigned char)(v >> (8 * i));
  put_bytes(b, le, 8);
}

/* Polygon WKB from rings given as closed xy lists. */
static void put_polygon(wkb_buf *b, int nrings, const int *npts, const double *const *rings) {
  unsigned char order = 1;
  put_bytes(b, &order, 1);
  put_u32(b, 3);
  put_u32(b, (uint32_t)nrings);
  for (int r = 0; r < nrings; ++r) {
    put_u32(b, (uint32_t)npts[r]);
    for (int i = 0; i < 2 * npts[r]; ++i) put_f64(b, rings[r][i]);
  }
}

static unsigned char *rect_wkb(double x0, double y0, double x1, double y1, size_t *len) {
  double ring[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
  const double *rings[1] = {ring};
  int npts[1] = {5};
  wkb_buf b = {0};
  put_polygon(&b, 1, npts, rings);
  *len = b.n;
  return b.p;
}

static int has_neighbour(const wg_geom_adjacency *a, int u, int v) {
  for (int j = a->adj_start[u]; j < a->adj_start[u + 1]; ++j)
    if (a->adj[j] == v) return 1;
  return 0;
}

static int degree(const wg_geom_adjacency *a, int u) {
  return a->adj_start[u + 1] - a->adj_start[u];
}

/* Symmetric, no self loops, no duplicates, lists sorted. */
static int well_formed(const wg_geom_adjacency *a) {
  for (int u = 0; u < a->n; ++u)
    for (int j = a->adj_start[u]; j < a->adj_start[u + 1]; ++j) {
      int v = a->adj[j];
      if (v < 0 || v >= a->n || v == u || !has_neighbour(a, v, u)) return 0;
      if (j > a->adj_start[u] && a->adj[j - 1] >= v) return 0;
    }
  return 1;
}

/* Number of connected components. */
static int components(const wg_geom_adjacency *a) {
  int *comp = malloc((size_t)a->n * sizeof *comp), *stack = malloc((size_t)a->n * sizeof *stack);
  int nc = 0;
  for (int u = 0; u < a->n; ++u) comp[u] = -1;
  for (int s = 0; s < a->n; ++s) {
    if (comp[s] >= 0) continue;
    int top = 0;
    stack[top++] = s;
    comp[s] = nc;
    while (top) {
      int u = stack[--top];
      for (int j = a->adj_start[u]; j < a->adj_start[u + 1]; ++j)
        if (comp[a->adj[j]] < 0) comp[a->adj[j]] = nc, stack[top++] = a->adj[j];
    }
    ++nc;
  }
  free(comp);
  free(stack);
  return nc;
}

static uint64_t rng_state = 88172645463325252ULL;
static double rnd(void) { /* xorshift64, uniform in [0, 1) */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* --------------------------------------------------- point adjacency */

/* Triangular lattice: Delaunay is unique, every interior point has exactly
 * its 6 lattice neighbours. */
TEST(lattice_triangular) {
  enum { W = 8, H = 7 };
  double x[W * H], y[W * H];
  for (int j = 0; j < H; ++j)
    for (int i = 0; i < W; ++i) {
      x[j * W + i] = 10.0 * i + (j % 2 ? 5.0 : 0.0);
      y[j * W + i] = 10.0 * sqrt(3.0) / 2 * j;
    }
  wg_geom_adjacency a = {0};
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_point_adjacency(W * H, x, y, 0, NULL, NULL, 0, 0, &a, &ei), WG_OK);
  CHECK_EQ(a.n, W * H);
  CHECK(a.shared == NULL);
  CHECK(well_formed(&a));
  for (int j = 1; j < H - 1; ++j)
    for (int i = 1; i < W - 1; ++i) {
      int u = j * W + i, off = j % 2; /* odd rows are shifted right */
      CHECK_EQ(degree(&a, u), 6);
      CHECK(has_neighbour(&a, u, u - 1) && has_neighbour(&a, u, u + 1));
      CHECK(has_neighbour(&a, u, u - W - 1 + off) && has_neighbour(&a, u, u - W + off));
      CHECK(has_neighbour(&a, u, u + W - 1 + off) && has_neighbour(&a, u, u + W + off));
    }
  wg_geom_adjacency_free(&a);
  wg_geom_adjacency_free(&a); /* twice is fine: zeroed */
}

/* Square lattice (degenerate Delaunay): rook neighbours always, diagonals
 * at most, nothing farther. */
TEST(lattice_square) {
  enum { W = 6 };
  double x[W * W], y[W * W];
  for (int i = 0; i < W * W; ++i) x[i] = 10.0 * (i % W), y[i] = 10.0 * (i / W);
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_point_adjacency(W * W, x, y, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  CHECK(well_formed(&a));
  for (int u = 0; u < W * W; ++u) {
    int i = u % W, j = u / W;
    if (i > 0) CHECK(has_neighbour(&a, u, u - 1));
    if (i < W - 1) CHECK(has_neighbour(&a, u, u + 1));
    if (j > 0) CHECK(has_neighbour(&a, u, u - W));
    if (j < W - 1) CHECK(has_neighbour(&a, u, u + W));
    for (int k = a.adj_start[u]; k < a.adj_start[u + 1]; ++k)
      CHECK(hypot(x[u] - x[a.adj[k]], y[u] - y[a.adj[k]]) < 10 * sqrt(2.0) + 1e-9);
  }
  wg_geom_adjacency_free(&a);
}

/* The units' own cells on a square lattice (10 m apart, hull buffered by
 * 5 m): interior cells are 10 × 10 squares sharing 10 m with each rook
 * neighbour and nothing with diagonal ones; edge cells add 10 m of outer
 * boundary; all cells add up to the buffered hull. Three entrances at one
 * spot share its cell. */
TEST(unit_cells_on_a_lattice) {
  enum { W = 6, N = W * W + 2 };
  double x[N], y[N];
  for (int i = 0; i < W * W; ++i) x[i] = 10.0 * (i % W), y[i] = 10.0 * (i / W);
  int c = 2 * W + 2; /* an interior unit; two more entrances there */
  x[W * W] = x[W * W + 1] = x[c];
  y[W * W] = y[W * W + 1] = y[c];
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_point_adjacency(N, x, y, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  double area[N], outer[N], *shared = malloc((size_t)a.adj_start[N] * sizeof *shared);
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_unit_cells(N, x, y, 0, NULL, 1, NULL, NULL, 5, &a, area, outer, shared, &ei),
           WG_OK);
  double total = 0;
  for (int u = 0; u < N; ++u) total += area[u];
  /* 50 × 50 square buffered by 5 m: 2500 + 4·50·5 + π·25 (GEOS's circle
   * is a polygon, a little smaller). */
  CHECK_NEAR(total, 2500 + 1000 + 25 * 3.14159265358979, 1.0);
  for (int u = 0; u < W * W; ++u) {
    int i = u % W, j = u / W;
    int interior = i > 0 && i < W - 1 && j > 0 && j < W - 1;
    int edge = !interior && (i == 0 || i == W - 1) != (j == 0 || j == W - 1);
    double want_area = u == c ? 100.0 / 3 : 100;
    if (interior || edge) CHECK_NEAR(area[u], want_area, 1e-6);
    if (interior) CHECK_NEAR(outer[u], u == c ? 0 : 0, 1e-6);
    if (edge) CHECK_NEAR(outer[u], 10, 1e-6);
    for (int k = a.adj_start[u]; k < a.adj_start[u + 1]; ++k) {
      int v = a.adj[k];
      double d = hypot(x[u] - x[v], y[u] - y[v]);
      if (!interior && !edge) continue;
      if (d > 10.5) CHECK_NEAR(shared[k], 0, 1e-6); /* diagonal: corners touch */
      else if (d > 0) {
        double want = (u == c || v == c) ? 10.0 / 3 : 10;
        if ((v >= W * W) && u != c) want = 10.0 / 3;
        CHECK_NEAR(shared[k], want, 1e-6);
      }
    }
  }
  /* The three at one spot: each a third, a notional cut between them. */
  for (int u = W * W; u < N; ++u) {
    CHECK_NEAR(area[u], 100.0 / 3, 1e-6);
    for (int k = a.adj_start[u]; k < a.adj_start[u + 1]; ++k)
      if (x[a.adj[k]] == x[u] && y[a.adj[k]] == y[u])
        CHECK_NEAR(shared[k], sqrt(100 / 3.14159265358979), 1e-6);
  }
  free(shared);
  wg_geom_adjacency_free(&a);
}

/* Three entrances at one spot: adjacent to each other, same outside
 * neighbours. */
TEST(coincident_points) {
  double x[] = {0, 10, 20, 0, 10, 20, 10, 10, 10};
  double y[] = {0, 0, 0, 20, 20, 20, 10, 10, 10};
  int n = 9;
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_point_adjacency(n, x, y, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  CHECK(well_formed(&a));
  for (int u = 6; u < 9; ++u) {
    for (int v = 6; v < 9; ++v)
      if (u != v) CHECK(has_neighbour(&a, u, v));
    for (int v = 0; v < 6; ++v) CHECK(has_neighbour(&a, u, v)); /* the centre sees all */
    CHECK_EQ(degree(&a, u), 8);
  }
  /* the corner (0,0) sees all three at the centre */
  for (int v = 6; v < 9; ++v) CHECK(has_neighbour(&a, 0, v));
  wg_geom_adjacency_free(&a);

  /* all points at one place */
  double sx[4] = {5, 5, 5, 5}, sy[4] = {7, 7, 7, 7};
  CHECK_EQ(wg_geom_point_adjacency(4, sx, sy, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  for (int u = 0; u < 4; ++u) CHECK_EQ(degree(&a, u), 3);
  wg_geom_adjacency_free(&a);
}

/* A river at x = 45 splits a 10×10 lattice: no edge crosses it, two parts. */
TEST(barrier_splits) {
  enum { W = 10 };
  double x[W * W], y[W * W];
  for (int i = 0; i < W * W; ++i) x[i] = 10.0 * (i % W) + 0.3 * (i / W % 3), y[i] = 10.0 * (i / W);
  double rx[] = {45, 46, 44, 45}, ry[] = {-50, 30, 60, 200};
  wg_geom_line river = {4, rx, ry};
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_point_adjacency(W * W, x, y, 0, NULL, &river, 1, 0, &a, NULL), WG_OK);
  CHECK(well_formed(&a));
  CHECK_EQ(components(&a), 2);
  for (int u = 0; u < W * W; ++u)
    for (int k = a.adj_start[u]; k < a.adj_start[u + 1]; ++k)
      CHECK((u % W < 5) == (a.adj[k] % W < 5));
  wg_geom_adjacency_free(&a);

  /* a short barrier cuts only some edges: still connected */
  double sx2[] = {45, 45}, sy2[] = {-5, 25};
  wg_geom_line wall = {2, sx2, sy2};
  CHECK_EQ(wg_geom_point_adjacency(W * W, x, y, 0, NULL, &wall, 1, 0, &a, NULL), WG_OK);
  CHECK_EQ(components(&a), 1);
  CHECK(!has_neighbour(&a, 4, 5));
  CHECK(has_neighbour(&a, 94, 95));
  wg_geom_adjacency_free(&a);

  /* a one-point barrier is an error */
  wg_geom_line bad = {1, sx2, sy2};
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_point_adjacency(W * W, x, y, 0, NULL, &bad, 1, 0, &a, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "barrier") != NULL);
}

/* max_edge drops the long edges between two clusters. */
TEST(max_edge_and_groups) {
  enum { N = 50 };
  double x[N], y[N];
  int group[N];
  for (int i = 0; i < N; ++i) {
    x[i] = (i < 25 ? 0 : 1000) + 10.0 * (i % 5) + rnd();
    y[i] = 10.0 * (i % 25 / 5) + rnd();
    group[i] = i % 5 < 2; /* columns 0–1 vs 2–4 in each cluster */
  }
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_point_adjacency(N, x, y, 0, NULL, NULL, 0, 50, &a, NULL), WG_OK);
  CHECK(well_formed(&a));
  CHECK_EQ(components(&a), 2);
  for (int u = 0; u < N; ++u)
    for (int k = a.adj_start[u]; k < a.adj_start[u + 1]; ++k)
      CHECK(hypot(x[u] - x[a.adj[k]], y[u] - y[a.adj[k]]) <= 50);
  wg_geom_adjacency_free(&a);

  CHECK_EQ(wg_geom_point_adjacency(N, x, y, 0, group, NULL, 0, 50, &a, NULL), WG_OK);
  CHECK(well_formed(&a));
  CHECK_EQ(components(&a), 4);
  for (int u = 0; u < N; ++u)
    for (int k = a.adj_start[u]; k < a.adj_start[u + 1]; ++k)
      CHECK_EQ(group[u], group[a.adj[k]]);
  wg_geom_adjacency_free(&a);
}

/* 0, 1, 2 points and collinear points (chained along the line). */
TEST(few_and_collinear) {
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_point_adjacency(0, NULL, NULL, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  CHECK_EQ(a.n, 0);
  CHECK(a.adj_start && a.adj_start[0] == 0);
  wg_geom_adjacency_free(&a);
  double x1[] = {3}, y1[] = {4};
  CHECK_EQ(wg_geom_point_adjacency(1, x1, y1, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  CHECK_EQ(degree(&a, 0), 0);
  wg_geom_adjacency_free(&a);
  double x2[] = {3, 9}, y2[] = {4, 4};
  CHECK_EQ(wg_geom_point_adjacency(2, x2, y2, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  CHECK(has_neighbour(&a, 0, 1) && has_neighbour(&a, 1, 0));
  wg_geom_adjacency_free(&a);
  /* shuffled along a diagonal: order 2, 0, 4, 1, 3 */
  double xc[] = {10, 30, 0, 40, 20}, yc[] = {5, 15, 0, 20, 10};
  CHECK_EQ(wg_geom_point_adjacency(5, xc, yc, 0, NULL, NULL, 0, 0, &a, NULL), WG_OK);
  CHECK(well_formed(&a));
  CHECK(has_neighbour(&a, 2, 0) && has_neighbour(&a, 0, 4) && has_neighbour(&a, 4, 1) &&
        has_neighbour(&a, 1, 3));
  CHECK_EQ(a.adj_start[5], 8);
  wg_geom_adjacency_free(&a);
}

TEST(point_errors) {
  wg_geom_adjacency a = {0};
  wg_errinfo ei = {0};
  double x[] = {112.5, NAN}, y[] = {38.9, 38.9};
  CHECK_EQ(wg_geom_point_adjacency(2, x, y, 1, NULL, NULL, 0, 0, &a, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "point 1") != NULL);
  double xb[] = {112.5, 212.5};
  CHECK_EQ(wg_geom_point_adjacency(2, xb, y, 1, NULL, NULL, 0, 0, &a, NULL), WG_EINVAL);
  CHECK_EQ(wg_geom_point_adjacency(WG_GEOM_MAX_POINTS + 1, x, y, 0, NULL, NULL, 0, 0, &a, NULL),
           WG_ETOOBIG);
  CHECK_EQ(wg_geom_point_adjacency(-1, x, y, 0, NULL, NULL, 0, 0, &a, NULL), WG_EINVAL);
  CHECK_EQ(wg_geom_point_adjacency(1, x, y, 0, NULL, NULL, 0, -1, &a, NULL), WG_EINVAL);
  CHECK(a.adj_start == NULL);
}

/* Lon/lat input: the same lattice in degrees near Lan County gives the same
 * graph as in metres. */
TEST(point_adjacency_lonlat) {
  enum { W = 6, H = 5 };
  double x[W * H], y[W * H];
  double kx = 6371008.8 * PI / 180 * cos(38.28 * PI / 180), ky = 6371008.8 * PI / 180;
  for (int j = 0; j < H; ++j)
    for (int i = 0; i < W; ++i) {
      x[j * W + i] = 111.57 + (20.0 * i + (j % 2 ? 10.0 : 0.0)) / kx;
      y[j * W + i] = 38.28 + 20.0 * sqrt(3.0) / 2 * j / ky;
    }
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_point_adjacency(W * H, x, y, 1, NULL, NULL, 0, 25, &a, NULL), WG_OK);
  CHECK(well_formed(&a));
  for (int j = 1; j < H - 1; ++j)
    for (int i = 1; i < W - 1; ++i) CHECK_EQ(degree(&a, j * W + i), 6);
  wg_geom_adjacency_free(&a);
  /* 15 m max edge cuts everything (edges are 20 m) */
  CHECK_EQ(wg_geom_point_adjacency(W * H, x, y, 1, NULL, NULL, 0, 15, &a, NULL), WG_OK);
  CHECK_EQ(a.adj_start[W * H], 0);
  wg_geom_adjacency_free(&a);
}

/* ------------------------------------------------- polygon adjacency */

/* 3×3 squares of side 100: rook neighbours with 100 m shared; corners
 * touching at a point are not adjacent. */
TEST(polygon_rook) {
  unsigned char *w[9];
  size_t len[9];
  for (int i = 0; i < 9; ++i)
    w[i] = rect_wkb(100.0 * (i % 3), 100.0 * (i / 3), 100.0 * (i % 3) + 100, 100.0 * (i / 3) + 100,
                    &len[i]);
  wg_geom_adjacency a = {0};
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_polygon_adjacency(9, (const unsigned char *const *)w, len, 0, &a, &ei), WG_OK);
  CHECK(well_formed(&a));
  CHECK(a.shared != NULL);
  CHECK_EQ(degree(&a, 4), 4);
  CHECK_EQ(degree(&a, 0), 2);
  CHECK_EQ(degree(&a, 1), 3);
  CHECK(has_neighbour(&a, 4, 1) && has_neighbour(&a, 4, 3) && has_neighbour(&a, 4, 5) &&
        has_neighbour(&a, 4, 7));
  CHECK(!has_neighbour(&a, 4, 0) && !has_neighbour(&a, 4, 8) && !has_neighbour(&a, 0, 4));
  for (int k = 0; k < a.adj_start[9]; ++k) CHECK_NEAR(a.shared[k], 100.0, 1e-9);
  wg_geom_adjacency_free(&a);
  for (int i = 0; i < 9; ++i) free(w[i]);

  /* a half-offset neighbour shares 50 m, and a T-junction vertex on one
   * side does not matter */
  unsigned char *v[2];
  size_t vl[2];
  v[0] = rect_wkb(0, 0, 100, 100, &vl[0]);
  double ring[12] = {100, 50, 200, 50, 200, 150, 100, 150, 100, 100, 100, 50};
  const double *rings[1] = {ring};
  int np[1] = {6};
  wkb_buf b = {0};
  put_polygon(&b, 1, np, rings);
  v[1] = b.p, vl[1] = b.n;
  CHECK_EQ(wg_geom_polygon_adjacency(2, (const unsigned char *const *)v, vl, 0, &a, NULL), WG_OK);
  CHECK_EQ(degree(&a, 0), 1);
  CHECK_NEAR(a.shared[0], 50.0, 1e-9);
  wg_geom_adjacency_free(&a);
  free(v[0]);
  free(v[1]);
}

/* A slanted shared edge where one side has an extra vertex not exactly on
 * the other's segment (a T-junction off by rounding): still adjacent, with
 * the full length, thanks to snap rounding. */
TEST(polygon_t_junction) {
  double a[10] = {0, 0, 10, 0, 13, 10, 0, 10, 0, 0};
  double b[12] = {10, 0, 20, 0, 20, 10, 13, 10, 11, 10.0 / 3, 10, 0};
  const double *ra[1] = {a}, *rb[1] = {b};
  int na[1] = {5}, nb[1] = {6};
  wkb_buf wa = {0}, wb = {0};
  put_polygon(&wa, 1, na, ra);
  put_polygon(&wb, 1, nb, rb);
  const unsigned char *w[2] = {wa.p, wb.p};
  size_t len[2] = {wa.n, wb.n};
  wg_geom_adjacency adj = {0};
  CHECK_EQ(wg_geom_polygon_adjacency(2, w, len, 0, &adj, NULL), WG_OK);
  CHECK_EQ(degree(&adj, 0), 1);
  if (degree(&adj, 0) == 1) CHECK_NEAR(adj.shared[0], sqrt(109.0), 1e-2);
  wg_geom_adjacency_free(&adj);
  free(wa.p);
  free(wb.p);
}

/* Lon/lat squares of 0.001°: shared lengths in metres. */
TEST(polygon_lonlat) {
  unsigned char *w[2];
  size_t len[2];
  w[0] = rect_wkb(111.570, 38.280, 111.571, 38.281, &len[0]);
  w[1] = rect_wkb(111.571, 38.280, 111.572, 38.281, &len[1]);
  wg_geom_adjacency a = {0};
  CHECK_EQ(wg_geom_polygon_adjacency(2, (const unsigned char *const *)w, len, 1, &a, NULL), WG_OK);
  CHECK_EQ(degree(&a, 0), 1);
  CHECK_NEAR(a.shared[0], 6371008.8 * PI / 180 * 0.001, 1e-3); /* ≈ 111.2 m north–south */
  wg_geom_adjacency_free(&a);
  free(w[0]);
  free(w[1]);
  /* rows of squares whose common edges are computed two ways and differ in
   * the last bits: all rook pairs found, no corner pair */
  enum { W = 4 };
  unsigned char *sq[W * W];
  size_t sl[W * W];
  double s = 0.001;
  for (int i = 0; i < W * W; ++i) {
    double x0 = 111.5 + s * (i % W), y0 = 38.2 + s * (i / W);
    sq[i] = rect_wkb(x0, y0, x0 + s, y0 + s, &sl[i]);
  }
  CHECK_EQ(wg_geom_polygon_adjacency(W * W, (const unsigned char *const *)sq, sl, 1, &a, NULL),
           WG_OK);
  CHECK(well_formed(&a));
  CHECK_EQ(a.adj_start[W * W], 4 * W * (W - 1));
  for (int i = 0; i < W * W; ++i) {
    if (i % W + 1 < W) CHECK(has_neighbour(&a, i, i + 1));
    if (i / W + 1 < W) CHECK(has_neighbour(&a, i, i + W));
    free(sq[i]);
  }
  wg_geom_adjacency_free(&a);
}

TEST(polygon_bad_wkb) {
  wg_geom_adjacency a = {0};
  wg_errinfo ei = {0};
  size_t len;
  unsigned char *good = rect_wkb(0, 0, 1, 1, &len);
  const unsigned char *w[1] = {good};
  size_t short_len = len - 3;
  CHECK_EQ(wg_geom_polygon_adjacency(1, w, &short_len, 0, &a, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "polygon 0") != NULL);
  const unsigned char *w2[2] = {good, good};
  size_t l2[2] = {len, len - 3};
  CHECK_EQ(wg_geom_polygon_adjacency(2, w2, l2, 0, &a, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "polygon 1") != NULL);
  /* a ring declaring 2^31 points in a few bytes */
  good[9] = 0, good[10] = 0, good[11] = 0, good[12] = 0x80;
  CHECK_EQ(wg_geom_polygon_adjacency(1, w, &len, 0, &a, &ei), WG_EFORMAT);
  free(good);
  /* an open ring: GEOS's message is captured, not printed */
  double tri[8] = {0, 0, 1, 0, 1, 1, 0, 1};
  const double *rings[1] = {tri};
  int np[1] = {4};
  wkb_buf b = {0};
  put_polygon(&b, 1, np, rings);
  w[0] = b.p;
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_geom_polygon_adjacency(1, w, &b.n, 0, &a, &ei), WG_EFORMAT);
  CHECK(strstr(ei.why, "closed") != NULL);
  if (!strstr(ei.why, "closed")) printf("#   why: %s\n", ei.why);
  free(b.p);
  /* a point (type 1) is not a polygon */
  wkb_buf pt = {0};
  unsigned char order = 1;
  put_bytes(&pt, &order, 1);
  put_u32(&pt, 1);
  put_f64(&pt, 1);
  put_f64(&pt, 2);
  w[0] = pt.p;
  CHECK_EQ(wg_geom_polygon_adjacency(1, w, &pt.n, 0, &a, &ei), WG_EFORMAT);
  free(pt.p);
  /* more vertices than the cap */
  wkb_buf big = {0};
  put_bytes(&big, &order, 1);
  put_u32(&big, 3);
  put_u32(&big, 1);
  put_u32(&big, WG_GEOM_MAX_VERTICES + 1);
  size_t need = big.n + 16 * ((size_t)WG_GEOM_MAX_VERTICES + 1);
  big.p = realloc(big.p, need);
  memset(big.p + big.n, 0, need - big.n);
  w[0] = big.p;
  CHECK_EQ(wg_geom_polygon_adjacency(1, w, &need, 0, &a, &ei), WG_ETOOBIG);
  free(big.p);
  CHECK(a.adj_start == NULL);
}

/* ---------------------------------------------------- grid polygons */

static void free_polys(wg_geom_poly *p, int n) {
  for (int i = 0; i < n; ++i) wg_geom_poly_free(&p[i]);
}

/* Random points with random labels in two groups with boundaries: each
 * group's grids tile its boundary with zero gap and overlap, and each
 * unit's point is in its own label's polygon. Some units share a location
 * with a unit of another label (a split entrance). */
TEST(grid_tiles_boundary) {
  enum { N = 400, L = 12 };
  double x[N], y[N];
  int group[N], label[N];
  for (int i = 0; i < N; ++i) {
    group[i] = i % 2;
    x[i] = (group[i] ? 1000 : 0) + 10 + 980 * rnd();
    y[i] = 10 + 780 * rnd();
    if (!group[i] && x[i] < 500 && y[i] > 400) y[i] -= 400; /* inside the L */
    label[i] = group[i] * (L / 2) + (int)(rnd() * (L / 2));
    if (i % 7 == 0) label[i] = -1; /* left out */
    if (i >= 2 && i % 10 == 3) { /* same place as unit i−2 (same group), another label */
      x[i] = x[i - 2], y[i] = y[i - 2];
      label[i] = group[i] * (L / 2) + (label[i - 2] - group[i] * (L / 2) + 1) % (L / 2);
    }
  }
  /* a concave boundary for group 0 (an L shape), a square for group 1 */
  double lring[14] = {0, 0, 1000, 0, 1000, 800, 500, 800, 500, 400, 0, 400, 0, 0};
  const double *rings0[1] = {lring};
  int np0[1] = {7};
  wkb_buf b0 = {0};
  put_polygon(&b0, 1, np0, rings0);
  size_t b1len;
  unsigned char *b1 = rect_wkb(1000, 0, 2000, 800, &b1len);
  const unsigned char *bounds[2] = {b0.p, b1};
  size_t blens[2] = {b0.n, b1len};

  wg_geom_poly polys[L];
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_grid_polygons(N, x, y, 0, group, 2, bounds, blens, 0, label, L, polys, &ei),
           WG_OK);
  if (ei.why[0]) printf("# %s\n", ei.why);
  for (int gi = 0; gi < 2; ++gi) {
    double gap = -1, overlap = -1, sum = 0;
    CHECK_EQ(wg_geom_coverage(L / 2, polys + gi * (L / 2), bounds[gi], blens[gi], 0, &gap,
                              &overlap, &ei),
             WG_OK);
    double area = gi ? 800000.0 : 600000.0;
    for (int l = 0; l < L / 2; ++l) sum += polys[gi * (L / 2) + l].area;
    CHECK(gap <= 1e-6 * area);
    CHECK(overlap <= 1e-6 * area);
    CHECK_NEAR(sum, area, 1e-6 * area);
  }
  for (int i = 0; i < N; ++i) {
    if (label[i] < 0) continue;
    const wg_geom_poly *p = &polys[label[i]];
    int in = wg_geom_contains(p->wkb, p->wkb_len, x[i], y[i]);
    CHECK(in);
    if (!in) printf("#   unit %d (%.3f, %.3f) not in label %d\n", i, x[i], y[i], label[i]);
    CHECK(x[i] >= p->minx && x[i] <= p->maxx && y[i] >= p->miny && y[i] <= p->maxy);
    CHECK(p->polsby_popper > 0 && p->polsby_popper <= 1);
    /* and in no other label's polygon, unless it sits on a border */
    for (int l = 0; l < L; ++l)
      if (l != label[i] && wg_geom_contains(polys[l].wkb, polys[l].wkb_len, x[i], y[i])) {
        int shared_spot = 0;
        for (int j = 0; j < N; ++j)
          if (label[j] == l && x[j] == x[i] && y[j] == y[i]) shared_spot = 1;
        CHECK(shared_spot);
      }
  }
  free_polys(polys, L);
  free(b0.p);
  free(b1);
}

/* No boundary: hull + margin. Overlap zero; labels without units get empty
 * polygons. */
TEST(grid_hull_margin) {
  enum { N = 60 };
  double x[N], y[N];
  int label[N];
  for (int i = 0; i < N; ++i) x[i] = 500 * rnd(), y[i] = 300 * rnd(), label[i] = i % 4;
  wg_geom_poly polys[5];
  CHECK_EQ(wg_geom_grid_polygons(N, x, y, 0, NULL, 0, NULL, NULL, 20, label, 5, polys, NULL),
           WG_OK);
  double gap = -1, overlap = -1, sum = 0;
  CHECK_EQ(wg_geom_coverage(5, polys, NULL, 0, 0, &gap, &overlap, NULL), WG_OK);
  CHECK_EQ(gap, 0);
  for (int l = 0; l < 5; ++l) sum += polys[l].area;
  CHECK(overlap <= 1e-6 * sum);
  CHECK(sum > 0);
  CHECK_EQ(polys[4].area, 0);
  CHECK(polys[4].wkb != NULL);
  char *js = NULL;
  CHECK_EQ(wg_geom_to_geojson(polys[4].wkb, polys[4].wkb_len, 3, &js, NULL), WG_OK);
  CHECK_STR(js, "{\"type\":\"Polygon\",\"coordinates\":[]}");
  free(js);
  for (int i = 0; i < N; ++i)
    CHECK(wg_geom_contains(polys[label[i]].wkb, polys[label[i]].wkb_len, x[i], y[i]));
  free_polys(polys, 5);

  /* collinear units: slabs; margin 0 would leave no area */
  double cx[4] = {0, 10, 20, 30}, cy[4] = {0, 10, 20, 30};
  int cl[4] = {0, 0, 1, 1};
  CHECK_EQ(wg_geom_grid_polygons(4, cx, cy, 0, NULL, 0, NULL, NULL, 5, cl, 2, polys, NULL), WG_OK);
  CHECK_EQ(wg_geom_coverage(2, polys, NULL, 0, 0, &gap, &overlap, NULL), WG_OK);
  CHECK(overlap < 1e-6);
  for (int i = 0; i < 4; ++i)
    CHECK(wg_geom_contains(polys[cl[i]].wkb, polys[cl[i]].wkb_len, cx[i], cy[i]));
  CHECK(!wg_geom_contains(polys[0].wkb, polys[0].wkb_len, 30, 30));
  free_polys(polys, 2);
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_grid_polygons(4, cx, cy, 0, NULL, 0, NULL, NULL, 0, cl, 2, polys, &ei),
           WG_EINVAL);
  CHECK(strstr(ei.why, "empty") != NULL);
  CHECK(polys[0].wkb == NULL && polys[1].wkb == NULL);
}

/* One unit in a square boundary: its polygon is the square, PP = π/4. */
TEST(grid_square_polsby_popper) {
  size_t blen;
  unsigned char *b = rect_wkb(0, 0, 200, 200, &blen);
  const unsigned char *bounds[1] = {b};
  double x[1] = {50}, y[1] = {120};
  int label[1] = {0};
  wg_geom_poly p[1];
  CHECK_EQ(wg_geom_grid_polygons(1, x, y, 0, NULL, 1, bounds, &blen, 0, label, 1, p, NULL), WG_OK);
  CHECK_NEAR(p[0].area, 40000, 1e-6);
  CHECK_NEAR(p[0].perimeter, 800, 1e-9);
  CHECK_NEAR(p[0].polsby_popper, PI / 4, 1e-12);
  CHECK_NEAR(p[0].minx, 0, 1e-12);
  CHECK_NEAR(p[0].maxy, 200, 1e-12);
  free_polys(p, 1);
  /* two labels in a row split the square in halves at the bisector */
  double x2[2] = {50, 150}, y2[2] = {100, 100};
  int l2[2] = {1, 0};
  wg_geom_poly q[2];
  CHECK_EQ(wg_geom_grid_polygons(2, x2, y2, 0, NULL, 1, bounds, &blen, 0, l2, 2, q, NULL), WG_OK);
  CHECK_NEAR(q[0].area, 20000, 1e-6);
  CHECK_NEAR(q[1].maxx, 100, 1e-9);
  CHECK_NEAR(q[0].minx, 100, 1e-9);
  free_polys(q, 2);
  /* three labels at one spot split the square in three by angle */
  double x3[4] = {100, 100, 100, 100}, y3[4] = {100, 100, 100, 100};
  int l3[4] = {2, 0, 1, 0};
  wg_geom_poly r[3];
  CHECK_EQ(wg_geom_grid_polygons(4, x3, y3, 0, NULL, 1, bounds, &blen, 0, l3, 3, r, NULL), WG_OK);
  CHECK_NEAR(r[0].area, 20000, 1e-6); /* label 0 has 2 of 4 units: half */
  CHECK_NEAR(r[1].area + r[2].area, 20000, 1e-6);
  for (int i = 0; i < 3; ++i) CHECK(wg_geom_contains(r[i].wkb, r[i].wkb_len, 100, 100));
  double gap, overlap;
  CHECK_EQ(wg_geom_coverage(3, r, b, blen, 0, &gap, &overlap, NULL), WG_OK);
  CHECK(gap < 1e-6 && overlap < 1e-6);
  free_polys(r, 3);
  free(b);
}

/* Lon/lat in, lon/lat out: polygons in degrees within the boundary, areas
 * in m², each unit inside its grid. */
TEST(grid_lonlat_round_trip) {
  enum { N = 200, L = 8 };
  double lon0 = 111.56, lat0 = 38.27, dlon = 0.02, dlat = 0.015;
  double x[N], y[N];
  int label[N];
  for (int i = 0; i < N; ++i) {
    x[i] = lon0 + dlon * (0.02 + 0.96 * rnd());
    y[i] = lat0 + dlat * (0.02 + 0.96 * rnd());
    label[i] = (int)(rnd() * L);
  }
  size_t blen;
  unsigned char *b = rect_wkb(lon0, lat0, lon0 + dlon, lat0 + dlat, &blen);
  const unsigned char *bounds[1] = {b};
  wg_geom_poly p[L];
  CHECK_EQ(wg_geom_grid_polygons(N, x, y, 1, NULL, 1, bounds, &blen, 0, label, L, p, NULL), WG_OK);
  double sum = 0, ky = 6371008.8 * PI / 180;
  double expect = dlon * ky * cos((lat0 + dlat / 2) * PI / 180) * dlat * ky;
  for (int l = 0; l < L; ++l) {
    sum += p[l].area;
    CHECK(p[l].minx >= lon0 - 1e-9 && p[l].maxx <= lon0 + dlon + 1e-9);
    CHECK(p[l].miny >= lat0 - 1e-9 && p[l].maxy <= lat0 + dlat + 1e-9);
  }
  CHECK_NEAR(sum / expect, 1.0, 1e-3); /* mean latitude of points ≈ box middle */
  double gap, overlap;
  CHECK_EQ(wg_geom_coverage(L, p, b, blen, 1, &gap, &overlap, NULL), WG_OK);
  CHECK(gap <= 1e-6 * expect && overlap <= 1e-6 * expect);
  for (int i = 0; i < N; ++i)
    CHECK(wg_geom_contains(p[label[i]].wkb, p[label[i]].wkb_len, x[i], y[i]));
  free_polys(p, L);
  free(b);
}

TEST(grid_errors) {
  double x[2] = {0, 1}, y[2] = {0, 1};
  int label[2] = {0, 5};
  int group[2] = {0, 3};
  wg_geom_poly p[2];
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_grid_polygons(2, x, y, 0, NULL, 1, NULL, NULL, 5, label, 2, p, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "label") != NULL);
  label[1] = 1;
  CHECK_EQ(wg_geom_grid_polygons(2, x, y, 0, group, 2, NULL, NULL, 5, label, 2, p, &ei), WG_EINVAL);
  CHECK(strstr(ei.why, "group") != NULL);
  CHECK_EQ(wg_geom_grid_polygons(2, x, y, 0, NULL, 1, NULL, NULL, -1, label, 2, p, &ei), WG_EINVAL);
  /* a malformed boundary */
  unsigned char junk[5] = {1, 3, 0, 0, 0};
  const unsigned char *bounds[1] = {junk};
  size_t blen = sizeof junk;
  CHECK_EQ(wg_geom_grid_polygons(2, x, y, 0, NULL, 1, bounds, &blen, 5, label, 2, p, &ei),
           WG_EFORMAT);
  CHECK(strstr(ei.why, "boundary of group 0") != NULL);
  CHECK(p[0].wkb == NULL);
  /* the second group's boundary is bad after the first group's cells exist:
   * everything made so far is freed (ASan's leak check) */
  size_t glen;
  unsigned char *good = rect_wkb(-10, -10, 10, 10, &glen);
  const unsigned char *two[2] = {good, junk};
  size_t twolen[2] = {glen, sizeof junk};
  group[1] = 1;
  CHECK_EQ(wg_geom_grid_polygons(2, x, y, 0, group, 2, two, twolen, 5, label, 2, p, &ei),
           WG_EFORMAT);
  CHECK(strstr(ei.why, "boundary of group 1") != NULL);
  CHECK(p[0].wkb == NULL && p[1].wkb == NULL);
  free(good);
  /* no units: every label empty */
  CHECK_EQ(wg_geom_grid_polygons(0, NULL, NULL, 0, NULL, 1, NULL, NULL, 5, NULL, 2, p, NULL),
           WG_OK);
  CHECK(p[0].area == 0 && p[1].wkb != NULL);
  free_polys(p, 2);
  double lx[1] = {111.5}, ly[1] = {38.2};
  int l1[1] = {1};
  CHECK_EQ(wg_geom_grid_polygons(1, lx, ly, 1, NULL, 1, NULL, NULL, 5, l1, 2, p, NULL), WG_OK);
  CHECK(p[0].area == 0 && p[0].wkb != NULL && p[0].minx == 0);
  CHECK_NEAR(p[1].area, 78.0, 0.5); /* a 5 m circle of 32 segments: 78.0 m² */
  CHECK(wg_geom_contains(p[1].wkb, p[1].wkb_len, 111.5, 38.2));
  CHECK(!wg_geom_contains(p[0].wkb, p[0].wkb_len, 111.5, 38.2));
  free_polys(p, 2);
}

/* Many generated instances of several shapes (uniform, a square lattice
 * with cocircular points, a few spots shared by many labels, points on a
 * line or nearly so, lon/lat): grids always tile the area with zero gap and
 * overlap, every unit lies in its grid, and point adjacency is a symmetric
 * connected graph. */
TEST(grid_property) {
  for (int seed = 0; seed < 30; ++seed) {
    int kind = seed % 6, lonlat = kind == 5, n = 20 + (int)(rnd() * 200);
    int nlabels = 1 + (int)(rnd() * 10), with_boundary = seed % 2;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int *label = malloc((size_t)n * sizeof *label);
    double kx = 6371008.8 * PI / 180 * cos(38.25 * PI / 180), ky = 6371008.8 * PI / 180;
    for (int i = 0; i < n; ++i) {
      double px = 0, py = 0;
      switch (kind) {
      case 1: px = 50 + 100 * (i % 9), py = 50 + 100 * (i / 9 % 9); break;
      case 2: {
        int spot = (int)(rnd() * 4);
        px = 200 + 150 * spot, py = 300 + 100 * (spot % 2);
        break;
      }
      case 3: px = 20 + 960.0 * i / n, py = 100 + 0.5 * px; break;
      case 4: /* 1e-6 and 1e-8 off the line, relative */
        px = 20 + 960.0 * i / n, py = 100 + 0.5 * px + (seed < 15 ? 1e-3 : 1e-5) * rnd();
        break;
      default: px = 10 + 980 * rnd(), py = 10 + 980 * rnd(); break;
      }
      x[i] = lonlat ? 111.5 + px / kx : px;
      y[i] = lonlat ? 38.2 + py / ky : py;
      label[i] = (int)(rnd() * nlabels);
    }
    size_t blen = 0;
    unsigned char *b = with_boundary ? lonlat ? rect_wkb(111.5, 38.2, 111.5 + 1000 / kx,
                                                         38.2 + 1000 / ky, &blen)
                                              : rect_wkb(0, 0, 1000, 1000, &blen)
                                     : NULL;
    const unsigned char *bounds[1] = {b};
    wg_geom_poly *p = calloc((size_t)nlabels, sizeof *p);
    wg_errinfo ei = {0};
    wg_err err = wg_geom_grid_polygons(n, x, y, lonlat, NULL, 1, b ? bounds : NULL,
                                       b ? &blen : NULL, 25, label, nlabels, p, &ei);
    CHECK_EQ(err, WG_OK);
    if (err) printf("#   seed %d kind %d: %s\n", seed, kind, ei.why);
    double gap = -1, overlap = -1, sum = 0;
    CHECK_EQ(wg_geom_coverage(nlabels, p, b, blen, lonlat, &gap, &overlap, NULL), WG_OK);
    for (int l = 0; l < nlabels; ++l) {
      sum += p[l].area;
      if (p[l].area > 0) CHECK(p[l].polsby_popper > 0 && p[l].polsby_popper <= 1 + 1e-12);
    }
    CHECK(sum > 0);
    if (b) CHECK_NEAR(sum / 1e6, 1.0, 1e-3); /* lon/lat: the projection's scale, ≲ 0.1% */
    CHECK(gap <= 1e-6 * sum);
    CHECK(overlap <= 1e-6 * sum);
    if (gap > 1e-6 * sum || overlap > 1e-6 * sum)
      printf("#   seed %d kind %d: gap %g overlap %g of %g\n", seed, kind, gap, overlap, sum);
    int misplaced = 0;
    for (int i = 0; i < n; ++i)
      misplaced += !wg_geom_contains(p[label[i]].wkb, p[label[i]].wkb_len, x[i], y[i]);
    CHECK_EQ(misplaced, 0);
    for (int l = 0; l < nlabels; ++l) wg_geom_poly_free(&p[l]);
    free(p);
    free(b);

    wg_geom_adjacency a = {0};
    CHECK_EQ(wg_geom_point_adjacency(n, x, y, lonlat, NULL, NULL, 0, 0, &a, NULL), WG_OK);
    CHECK(well_formed(&a));
    CHECK_EQ(components(&a), 1);
    wg_geom_adjacency_free(&a);
    free(x);
    free(y);
    free(label);
  }
}

/* Coverage measures known gaps and overlaps, and survives a bow-tie. */
TEST(coverage_known) {
  wg_geom_poly p[3] = {{0}};
  p[0].wkb = rect_wkb(0, 0, 10, 10, &p[0].wkb_len);
  p[1].wkb = rect_wkb(5, 0, 15, 10, &p[1].wkb_len);
  size_t alen;
  unsigned char *area = rect_wkb(0, 0, 20, 10, &alen);
  double gap = -1, overlap = -1;
  CHECK_EQ(wg_geom_coverage(3, p, area, alen, 0, &gap, &overlap, NULL), WG_OK); /* p[2]: no WKB */
  CHECK_NEAR(gap, 50, 1e-9);
  CHECK_NEAR(overlap, 50, 1e-9);
  CHECK_EQ(wg_geom_coverage(2, p, NULL, 0, 0, &gap, &overlap, NULL), WG_OK);
  CHECK_EQ(gap, 0);
  CHECK_NEAR(overlap, 50, 1e-9);
  double bow[10] = {0, 0, 10, 10, 10, 0, 0, 10, 0, 0};
  const double *rings[1] = {bow};
  int np[1] = {5};
  wkb_buf b = {0};
  put_polygon(&b, 1, np, rings);
  wg_geom_poly_free(&p[1]);
  p[1].wkb = b.p, p[1].wkb_len = b.n;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_coverage(2, p, area, alen, 0, &gap, &overlap, &ei), WG_OK);
  CHECK_NEAR(overlap, 50, 1e-9); /* the bow-tie's two triangles lie in the square */
  CHECK_NEAR(gap, 100, 1e-9);
  /* a degenerate 3-point ring: no crash, no leak, whatever GEOS makes of it */
  double flat[6] = {0, 0, 1, 0, 0, 0};
  const double *frings[1] = {flat};
  int fnp[1] = {3};
  wkb_buf fb = {0};
  put_polygon(&fb, 1, fnp, frings);
  wg_geom_poly_free(&p[1]);
  p[1].wkb = fb.p, p[1].wkb_len = fb.n;
  wg_err ferr = wg_geom_coverage(2, p, area, alen, 0, &gap, &overlap, &ei);
  CHECK(ferr == WG_OK || ferr == WG_EFORMAT || ferr == WG_EINVAL);
  if (ferr == WG_OK) CHECK_NEAR(gap, 100, 1e-9);
  /* lon/lat: a 0.001° square near 38°N is ~111 m × 87 m */
  wg_geom_poly q[1] = {{0}};
  q[0].wkb = rect_wkb(111.5, 38.2, 111.501, 38.201, &q[0].wkb_len);
  CHECK_EQ(wg_geom_coverage(1, q, q[0].wkb, q[0].wkb_len, 1, &gap, &overlap, NULL), WG_OK);
  CHECK_NEAR(gap, 0, 1e-9);
  CHECK_NEAR(overlap, 0, 1e-9);
  free_polys(q, 1);
  free_polys(p, 3);
  free(area);
}

/* ------------------------------------------------- contains, GeoJSON */

/* A 10×10 square with a 2×2 hole. */
static unsigned char *holed_wkb(size_t *len) {
  double shell[10] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0};
  double hole[10] = {4, 4, 6, 4, 6, 6, 4, 6, 4, 4}; /* counter-clockwise */
  const double *rings[2] = {shell, hole};
  int np[2] = {5, 5};
  wkb_buf b = {0};
  put_polygon(&b, 2, np, rings);
  *len = b.n;
  return b.p;
}

TEST(contains) {
  size_t len;
  unsigned char *w = holed_wkb(&len);
  CHECK(wg_geom_contains(w, len, 1, 1));
  CHECK(wg_geom_contains(w, len, 0, 5));   /* on the shell */
  CHECK(wg_geom_contains(w, len, 4, 5));   /* on the hole's edge */
  CHECK(!wg_geom_contains(w, len, 5, 5));  /* in the hole */
  CHECK(!wg_geom_contains(w, len, 11, 5)); /* outside */
  CHECK(!wg_geom_contains(w, len, NAN, 5));
  CHECK(!wg_geom_contains(w, len - 1, 1, 1)); /* malformed */
  CHECK(!wg_geom_contains(NULL, 0, 1, 1));
  free(w);
}

static int ring_closed(json_t *ring) {
  size_t n = json_array_size(ring);
  if (n < 4) return 0;
  json_t *a = json_array_get(ring, 0), *b = json_array_get(ring, n - 1);
  return json_real_value(json_array_get(a, 0)) == json_real_value(json_array_get(b, 0)) &&
         json_real_value(json_array_get(a, 1)) == json_real_value(json_array_get(b, 1));
}

TEST(to_geojson) {
  size_t len;
  unsigned char *w = holed_wkb(&len);
  char *js = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_geom_to_geojson(w, len, 2, &js, &ei), WG_OK);
  json_error_t jerr;
  json_t *root = js ? json_loads(js, 0, &jerr) : NULL;
  CHECK(root != NULL);
  CHECK_STR(json_string_value(json_object_get(root, "type")), "Polygon");
  json_t *coords = json_object_get(root, "coordinates");
  CHECK_EQ(json_array_size(coords), 2);
  CHECK(ring_closed(json_array_get(coords, 0)) && ring_closed(json_array_get(coords, 1)));
  CHECK(strstr(js, "[10.00,0.00]") != NULL); /* fixed decimals */
  /* RFC 7946 orientation: shell counter-clockwise (given so), hole clockwise
   * (given counter-clockwise: reversed, so 4,4 is followed by 4,6) */
  CHECK(strstr(js, "[[4.00,4.00],[4.00,6.00]") != NULL);
  json_decref(root);
  free(js);
  free(w);

  /* a multipolygon of two squares */
  wkb_buf b = {0};
  unsigned char order = 1;
  put_bytes(&b, &order, 1);
  put_u32(&b, 6);
  put_u32(&b, 2);
  for (int k = 0; k < 2; ++k) {
    double ring[10] = {k * 3.0, 0, k * 3.0 + 1, 0, k * 3.0 + 1, 1, k * 3.0, 1, k * 3.0, 0};
    const double *rings[1] = {ring};
    int np[1] = {5};
    put_polygon(&b, 1, np, rings);
  }
  CHECK_EQ(wg_geom_to_geojson(b.p, b.n, 7, &js, &ei), WG_OK);
  root = js ? json_loads(js, 0, &jerr) : NULL;
  CHECK(root != NULL);
  CHECK_STR(json_string_value(json_object_get(root, "type")), "MultiPolygon");
  coords = json_object_get(root, "coordinates");
  CHECK_EQ(json_array_size(coords), 2);
  CHECK(ring_closed(json_array_get(json_array_get(coords, 1), 0)));
  json_decref(root);
  free(js);
  js = NULL;
  CHECK_EQ(wg_geom_to_geojson(b.p, b.n, 18, &js, &ei), WG_EINVAL);
  CHECK_EQ(wg_geom_to_geojson(b.p, b.n - 1, 3, &js, &ei), WG_EFORMAT);
  CHECK(js == NULL);
  free(b.p);
}

/* Grid polygons written as GeoJSON parse and close their rings. */
TEST(grid_geojson) {
  enum { N = 80, L = 6 };
  double x[N], y[N];
  int label[N];
  for (int i = 0; i < N; ++i)
    x[i] = 111.5 + 0.01 * rnd(), y[i] = 38.2 + 0.01 * rnd(), label[i] = i % L;
  wg_geom_poly p[L];
  CHECK_EQ(wg_geom_grid_polygons(N, x, y, 1, NULL, 1, NULL, NULL, 30, label, L, p, NULL), WG_OK);
  for (int l = 0; l < L; ++l) {
    char *js = NULL;
    CHECK_EQ(wg_geom_to_geojson(p[l].wkb, p[l].wkb_len, 7, &js, NULL), WG_OK);
    json_error_t jerr;
    json_t *root = js ? json_loads(js, 0, &jerr) : NULL;
    CHECK(root != NULL);
    const char *type = json_string_value(json_object_get(root, "type"));
    CHECK(type && (!strcmp(type, "Polygon") || !strcmp(type, "MultiPolygon")));
    json_t *coords = json_object_get(root, "coordinates");
    if (type && !strcmp(type, "Polygon")) CHECK(ring_closed(json_array_get(coords, 0)));
    else CHECK(ring_closed(json_array_get(json_array_get(coords, 0), 0)));
    json_decref(root);
    free(js);
  }
  free_polys(p, L);
}

int main(void) {
  RUN(lattice_triangular);
  RUN(lattice_square);
  RUN(unit_cells_on_a_lattice);
  RUN(coincident_points);
  RUN(barrier_splits);
  RUN(max_edge_and_groups);
  RUN(few_and_collinear);
  RUN(point_errors);
  RUN(point_adjacency_lonlat);
  RUN(polygon_rook);
  RUN(polygon_t_junction);
  RUN(polygon_lonlat);
  RUN(polygon_bad_wkb);
  RUN(grid_tiles_boundary);
  RUN(grid_hull_margin);
  RUN(grid_square_polsby_popper);
  RUN(grid_lonlat_round_trip);
  RUN(grid_errors);
  RUN(grid_property);
  RUN(coverage_known);
  RUN(contains);
  RUN(to_geojson);
  RUN(grid_geojson);
  return test_done();
}
