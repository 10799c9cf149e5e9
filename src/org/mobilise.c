/* mobilise.c — proposing responders for an incident and counting heads.
 * No I/O: the view and the neighbouring grids come from the caller. */
#include <stdlib.h>
#include <string.h>

#include "org/org.h"

static int cmp_cand(const void *a, const void *b) {
  const wg_mobilise_candidate *x = a, *y = b;
  if (x->skills_matched != y->skills_matched) return x->skills_matched > y->skills_matched ? -1 : 1;
  if (x->distance != y->distance) return x->distance < y->distance ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* 1 when grid index g is the affected grid, under it, or a neighbour. */
static int in_area(const wg_org_view *v, const wg_mobilise_need *need, const int *near, int nnear,
                   int g) {
  if (g < 0) return 0;
  if (need->grid >= 0 && wg_org_code_within(v->grids[g].code, v->grids[need->grid].code)) return 1;
  for (int k = 0; k < nnear; k++)
    if (near[k] == g || wg_org_code_within(v->grids[g].code, v->grids[near[k]].code)) return 1;
  return 0;
}

static int matched(const char *need, const char *have) {
  int n = 0;
  for (const char *p = need; *p;) {
    size_t len = strcspn(p, ",");
    if (len) {
      char one[64];
      if (len < sizeof one) {
        memcpy(one, p, len);
        one[len] = '\0';
        n += wg_org_has_skill(have, one);
      }
    }
    p += len;
    if (*p == ',') p++;
  }
  return n;
}

wg_err wg_mobilise_propose(const wg_org_view *v, const wg_mobilise_need *need, const int *near,
                           int nnear, const int64_t *busy, long nbusy, long limit,
                           wg_mobilise_candidate **out, long *n) {
  *out = NULL;
  *n = 0;
  double x = need->lon, y = need->lat;
  if (x == 0 && y == 0 && need->grid >= 0) {
    const wg_org_grid *g = &v->grids[need->grid];
    x = (g->minx + g->maxx) / 2;
    y = (g->miny + g->maxy) / 2;
  }
  wg_mobilise_candidate *c = malloc((size_t)(v->npeople ? v->npeople : 1) * sizeof *c);
  if (!c) return WG_ENOMEM;
  long k = 0;
  for (long i = 0; i < v->npeople; i++) {
    const wg_org_person *p = &v->people[i];
    if (p->kind == WG_PERSON_STAFF && p->role == WG_STAFF_COMMUNITY && !p->ngrids) {
      /* community staff answer for their whole community */
      if (need->grid < 0 || strcmp(p->community, v->grids[need->grid].community) != 0) continue;
    } else {
      int inside = 0;
      if (p->kind == WG_PERSON_STAFF)
        for (int j = 0; j < p->ngrids && !inside; j++) inside = in_area(v, need, near, nnear, p->grids[j]);
      else
        for (int l = 0; l < 3 && !inside; l++) inside = in_area(v, need, near, nnear, p->grid[l]);
      if (!inside) continue;
    }
    int64_t key = ((int64_t)p->kind << 40) + p->id;
    if (busy && nbusy && bsearch(&key, busy, (size_t)nbusy, sizeof *busy, cmp_i64)) continue;
    double px = p->lon, py = p->lat;
    if (px == 0 && py == 0) {
      int g = p->kind == WG_PERSON_STAFF ? (p->ngrids ? p->grids[0] : -1)
              : p->grid[2] >= 0          ? p->grid[2]
              : p->grid[1] >= 0          ? p->grid[1]
                                         : p->grid[0];
      if (g >= 0) {
        px = (v->grids[g].minx + v->grids[g].maxx) / 2;
        py = (v->grids[g].miny + v->grids[g].maxy) / 2;
      }
    }
    c[k].kind = p->kind;
    c[k].id = p->id;
    c[k].distance = (px == 0 && py == 0) || (x == 0 && y == 0) ? 1e9 : wg_org_distance(x, y, px, py);
    c[k].skills_matched = need->skills[0] ? matched(need->skills, p->skills) : 0;
    k++;
  }
  qsort(c, (size_t)k, sizeof *c, cmp_cand);
  if (limit > 0 && k > limit) k = limit;
  *out = c;
  *n = k;
  return WG_OK;
}

void wg_mobilise_headcount(int need, const int *statuses, long n, wg_headcount *out) {
  memset(out, 0, sizeof *out);
  out->need = need;
  for (long i = 0; i < n; i++) {
    out->called++;
    switch (statuses[i]) {
      case WG_RESP_ACKNOWLEDGED: out->acknowledged++; break;
      case WG_RESP_DECLINED: out->declined++; break;
      case WG_RESP_ARRIVED: out->arrived++; break;
      default: break;
    }
  }
  out->on_the_way = out->acknowledged;
  long short_by = need - out->arrived - out->on_the_way;
  out->short_by = short_by > 0 ? short_by : 0;
  out->met = out->arrived >= need;
}
