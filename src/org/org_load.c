/* org_load.c — fills a wg_org_view from the store for the county's active
 * plan: grids, where each household lives and what its members' tags are,
 * the last visit and contacts of each household, buildings and their heads,
 * staff and members with their grids, and the Party organisations (for one
 * on a grid a re-division retired: which active grids its entrances went
 * to). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org/org.h"
#include "util/strmap.h"

typedef struct loader {
  wg_org_view *v;
  wg_u64map entrance;          /* entrance id → index into where */
  int (*where)[3];
  long nwhere, capwhere;
  wg_u64map household;         /* household id → index */
  wg_u64map building;          /* building id → index */
  wg_u64map staff;             /* staff id → people index */
  long capgrids, caphh, capb, cappeople;
  int capporg;
  wg_err e;
} loader;

static int grow(void **p, long *cap, long need, size_t size) {
  if (need <= *cap) return 1;
  long c = *cap ? *cap * 2 : 256;
  while (c < need) c *= 2;
  void *t = realloc(*p, (size_t)c * size);
  if (!t) return 0;
  *p = t;
  *cap = c;
  return 1;
}

static int grid_row(void *ctx, const wg_grid_t *g) {
  loader *L = ctx;
  wg_org_view *v = L->v;
  if (!grow((void **)&v->grids, &L->capgrids, v->ngrids + 1, sizeof *v->grids)) {
    L->e = WG_ENOMEM;
    return 1;
  }
  wg_org_grid *o = &v->grids[v->ngrids++];
  memset(o, 0, sizeof *o);
  snprintf(o->code, sizeof o->code, "%s", g->code);
  snprintf(o->parent, sizeof o->parent, "%s", g->parent);
  snprintf(o->community, sizeof o->community, "%s", g->community);
  o->level = g->level;
  o->minx = g->minx, o->miny = g->miny, o->maxx = g->maxx, o->maxy = g->maxy;
  return 0;
}

static int assignment_row(void *ctx, const wg_assignment_t *a) {
  loader *L = ctx;
  int64_t idx;
  if (!wg_u64map_get(&L->entrance, (uint64_t)a->entrance_id, &idx)) {
    if (!grow((void **)&L->where, &L->capwhere, L->nwhere + 1, sizeof *L->where) ||
        wg_u64map_put(&L->entrance, (uint64_t)a->entrance_id, L->nwhere) != WG_OK) {
      L->e = WG_ENOMEM;
      return 1;
    }
    idx = L->nwhere++;
    for (int l = 0; l < 3; l++) L->where[idx][l] = -1;
  }
  for (int l = 0; l < 3; l++)
    if (a->code[l][0] && L->where[idx][l] < 0)
      L->where[idx][l] = wg_org_grid_find(L->v, a->code[l]);
  return 0;
}

static void entrance_grids(const loader *L, int64_t entrance, int out[3]) {
  int64_t idx;
  for (int l = 0; l < 3; l++) out[l] = -1;
  if (entrance > 0 && wg_u64map_get(&L->entrance, (uint64_t)entrance, &idx))
    memcpy(out, L->where[idx], sizeof L->where[idx]);
}

static int household_row(void *ctx, int64_t id, int64_t entrance, const char *community) {
  loader *L = ctx;
  wg_org_view *v = L->v;
  if (!grow((void **)&v->households, &L->caphh, v->nhouseholds + 1, sizeof *v->households) ||
      wg_u64map_put(&L->household, (uint64_t)id, v->nhouseholds) != WG_OK) {
    L->e = WG_ENOMEM;
    return 1;
  }
  wg_org_household *h = &v->households[v->nhouseholds++];
  memset(h, 0, sizeof *h);
  h->id = id;
  entrance_grids(L, entrance, h->grid);
  snprintf(h->community, sizeof h->community, "%s", community ? community : "");
  return 0;
}

/* Adds the tags of ",a,b," to the union in dst (",x," form). */
static void tags_union(char *dst, size_t cap, const char *tags) {
  for (const char *p = tags; p && *p;) {
    if (*p == ',') {
      p++;
      continue;
    }
    size_t n = strcspn(p, ",");
    char one[64];
    if (n < sizeof one) {
      memcpy(one, p, n);
      one[n] = '\0';
      if (!wg_org_has_skill(dst, one)) {
        size_t len = strlen(dst);
        if (len == 0 && cap > n + 2)
          snprintf(dst, cap, ",%s,", one);
        else if (len + n + 2 <= cap)
          snprintf(dst + len, cap - len, "%s,", one);
      }
    }
    p += n;
  }
}

static int tags_row(void *ctx, int64_t entrance, int64_t dwelling, int64_t household,
                    const char *tags) {
  (void)entrance;
  (void)dwelling;
  loader *L = ctx;
  int64_t idx;
  if (household && tags && *tags && wg_u64map_get(&L->household, (uint64_t)household, &idx))
    tags_union(L->v->households[idx].tags, sizeof L->v->households[idx].tags, tags);
  return 0;
}

static int visit_row(void *ctx, int64_t household, int32_t last) {
  loader *L = ctx;
  int64_t idx;
  if (wg_u64map_get(&L->household, (uint64_t)household, &idx))
    L->v->households[idx].last_visit = last;
  return 0;
}

static int contact_row(void *ctx, int64_t household, int kind, int64_t person) {
  (void)kind, (void)person;
  loader *L = ctx;
  int64_t idx;
  if (wg_u64map_get(&L->household, (uint64_t)household, &idx)) L->v->households[idx].contacts++;
  return 0;
}

static int unit_row(void *ctx, const wg_unit_row *u) {
  loader *L = ctx;
  wg_org_view *v = L->v;
  int64_t idx;
  if (u->households <= 0) return 0;
  if (wg_u64map_get(&L->building, (uint64_t)u->building_id, &idx)) {
    v->buildings[idx].households += u->households;
    return 0;
  }
  if (!grow((void **)&v->buildings, &L->capb, v->nbuildings + 1, sizeof *v->buildings) ||
      wg_u64map_put(&L->building, (uint64_t)u->building_id, v->nbuildings) != WG_OK) {
    L->e = WG_ENOMEM;
    return 1;
  }
  wg_org_unit *b = &v->buildings[v->nbuildings++];
  memset(b, 0, sizeof *b);
  b->id = u->building_id;
  snprintf(b->community, sizeof b->community, "%s", u->community);
  entrance_grids(L, u->entrance_id, b->grid);
  b->households = u->households;
  return 0;
}

static wg_org_person *new_person(loader *L) {
  wg_org_view *v = L->v;
  if (!grow((void **)&v->people, &L->cappeople, v->npeople + 1, sizeof *v->people)) {
    L->e = WG_ENOMEM;
    return NULL;
  }
  wg_org_person *p = &v->people[v->npeople++];
  memset(p, 0, sizeof *p);
  for (int l = 0; l < 3; l++) p->grid[l] = -1;
  return p;
}

static int staff_row(void *ctx, const wg_staff_row *r) {
  loader *L = ctx;
  if (!r->active) return 0;
  if (wg_u64map_put(&L->staff, (uint64_t)r->id, L->v->npeople) != WG_OK) {
    L->e = WG_ENOMEM;
    return 1;
  }
  wg_org_person *p = new_person(L);
  if (!p) return 1;
  p->kind = WG_PERSON_STAFF;
  p->id = r->id;
  p->role = r->kind;
  p->level = r->level;
  snprintf(p->community, sizeof p->community, "%s", r->community);
  snprintf(p->skills, sizeof p->skills, "%s", r->skills);
  return 0;
}

static int staff_grid_row(void *ctx, int64_t staff, const char *grid) {
  loader *L = ctx;
  int64_t idx;
  if (!wg_u64map_get(&L->staff, (uint64_t)staff, &idx)) return 0;
  wg_org_person *p = &L->v->people[idx];
  int *t = realloc(p->grids, (size_t)(p->ngrids + 1) * sizeof *t);
  if (!t) {
    L->e = WG_ENOMEM;
    return 1;
  }
  p->grids = t;
  p->grids[p->ngrids++] = wg_org_grid_find(L->v, grid);
  return 0;
}

static int staff_building_row(void *ctx, int64_t staff, int64_t building) {
  (void)staff;
  loader *L = ctx;
  int64_t idx;
  if (wg_u64map_get(&L->building, (uint64_t)building, &idx)) L->v->buildings[idx].heads++;
  return 0;
}

static int member_row(void *ctx, const wg_member_row *r) {
  loader *L = ctx;
  if (!r->active) return 0;
  wg_org_person *p = new_person(L);
  if (!p) return 1;
  p->kind = WG_PERSON_MEMBER;
  p->id = r->id;
  p->role = r->kind;
  p->party = r->kind == WG_MEMBER_PARTY;
  p->in_service = r->in_service && r->registered_on > 0;
  snprintf(p->community, sizeof p->community, "%s", r->community);
  snprintf(p->skills, sizeof p->skills, "%s", r->skills);
  p->lon = r->lon;
  p->lat = r->lat;
  entrance_grids(L, r->entrance_id, p->grid);
  if (p->grid[0] < 0 && r->grid[0]) {
    int g = wg_org_grid_find(L->v, r->grid);
    /* a grid given by hand: it and its ancestors */
    while (g >= 0) {
      p->grid[L->v->grids[g].level - 1] = g;
      g = L->v->grids[g].level > 1 ? wg_org_grid_find(L->v, L->v->grids[g].parent) : -1;
    }
  }
  return 0;
}

static int porg_row(void *ctx, const wg_party_org_row *r) {
  loader *L = ctx;
  wg_org_view *v = L->v;
  long cap = L->capporg;
  if (!grow((void **)&v->orgs, &cap, v->norgs + 1, sizeof *v->orgs)) {
    L->e = WG_ENOMEM;
    return 1;
  }
  L->capporg = (int)cap;
  wg_org_porg *o = &v->orgs[v->norgs++];
  memset(o, 0, sizeof *o);
  o->row = *r;
  o->grid = wg_org_grid_find(v, r->grid);
  return 0;
}

/* For organisations on grids that are gone: tally which active grids the
 * entrances of their old grid (in the plan they were set up on) lie in. */
typedef struct gone_ctx {
  loader *L;
  int64_t plan;
} gone_ctx;

static int gone_row(void *ctx, const wg_assignment_t *a) {
  gone_ctx *c = ctx;
  wg_org_view *v = c->L->v;
  int now[3];
  entrance_grids(c->L, a->entrance_id, now);
  for (int k = 0; k < v->norgs; k++) {
    wg_org_porg *o = &v->orgs[k];
    if (o->row.plan_id != c->plan) continue;
    int level = (int)(strlen(o->row.grid) - 12) / 2;
    if (level < 1 || level > 3 || strcmp(a->code[level - 1], o->row.grid) != 0) continue;
    o->old_entrances++;
    int g = now[level - 1];
    if (g < 0) continue;
    int t = 0;
    while (t < o->nto && o->to[t].grid != g) t++;
    if (t == o->nto) {
      if (o->nto == 8) continue;
      o->to[o->nto].grid = g;
      o->to[o->nto].entrances = 0;
      o->nto++;
    }
    o->to[t].entrances++;
  }
  return 0;
}

static int cmp_grid(const void *a, const void *b) {
  return strcmp(((const wg_org_grid *)a)->code, ((const wg_org_grid *)b)->code);
}

wg_err wg_org_view_load(wg_store_t *s, const char *county, wg_org_view *v, wg_errinfo *ei) {
  memset(v, 0, sizeof *v);
  snprintf(v->county, sizeof v->county, "%s", county);
  wg_plan_t plan;
  wg_err e = wg_store_plan_active(s, county, &plan);
  if (e == WG_ENOTFOUND)
    return wg_errinfo_set(ei, e, "the county has no active plan (wangge divide, plan activate)");
  if (e) return wg_errinfo_set(ei, e, "reading the active plan: %s", wg_store_errmsg(s));
  v->plan_id = plan.id;
  loader L = {.v = v};
  wg_u64map_init(&L.entrance);
  wg_u64map_init(&L.household);
  wg_u64map_init(&L.building);
  wg_u64map_init(&L.staff);
#define STEP(call, what)                                                         \
  do {                                                                           \
    if (!e) {                                                                    \
      e = (call);                                                                \
      if (!e) e = L.e;                                                           \
      if (e) wg_errinfo_set(ei, e, "reading %s: %s", what, wg_store_errmsg(s)); \
    }                                                                            \
  } while (0)
  STEP(wg_store_grid_each(s, plan.id, 0, grid_row, &L), "grids");
  if (!e && v->ngrids) qsort(v->grids, (size_t)v->ngrids, sizeof *v->grids, cmp_grid);
  STEP(wg_store_assignment_each(s, plan.id, assignment_row, &L), "grid assignments");
  STEP(wg_store_household_place_each(s, county, household_row, &L), "households");
  STEP(wg_store_resident_place_each(s, county, tags_row, &L), "residents' tags");
  STEP(wg_store_visit_last_each(s, county, visit_row, &L), "visits");
  STEP(wg_store_contact_each(s, county, contact_row, &L), "contacts");
  STEP(wg_store_unit_each(s, county, NULL, unit_row, &L), "buildings");
  STEP(wg_store_staff_each(s, county, NULL, staff_row, &L), "staff");
  STEP(wg_store_staff_grid_each(s, county, 0, staff_grid_row, &L), "staff grids");
  STEP(wg_store_staff_building_each(s, county, 0, staff_building_row, &L), "building heads");
  STEP(wg_store_member_each(s, county, NULL, member_row, &L), "members");
  STEP(wg_store_party_org_each(s, county, porg_row, &L), "Party organisations");
  /* Entrances per grid of the active plan now (for a redrawn grid). */
  long *units = e ? NULL : calloc((size_t)v->ngrids + 1, sizeof *units);
  if (!e && !units) e = WG_ENOMEM;
  for (long i = 0; !e && i < L.nwhere; i++)
    for (int l = 0; l < 3; l++)
      if (L.where[i][l] >= 0) units[L.where[i][l]]++;
  for (int k = 0; !e && k < v->norgs; k++)
    if (v->orgs[k].grid >= 0) v->orgs[k].same_code_entrances = units[v->orgs[k].grid];
  free(units);
  /* Earlier plans of organisations set up before the active plan, each
   * read once. */
  for (int k = 0; k < v->norgs && !e; k++) {
    int64_t plan_k = v->orgs[k].row.plan_id;
    if (plan_k <= 0 || plan_k == plan.id) continue;
    int seen = 0;
    for (int j = 0; j < k && !seen; j++) seen = v->orgs[j].row.plan_id == plan_k;
    if (seen) continue;
    gone_ctx c = {&L, plan_k};
    STEP(wg_store_assignment_each(s, plan_k, gone_row, &c), "an earlier plan");
  }
#undef STEP
  free(L.where);
  wg_u64map_free(&L.entrance);
  wg_u64map_free(&L.household);
  wg_u64map_free(&L.building);
  wg_u64map_free(&L.staff);
  if (e) wg_org_view_free(v);
  return e;
}

void wg_org_view_free(wg_org_view *v) {
  if (!v) return;
  for (long i = 0; i < v->npeople; i++) free(v->people[i].grids);
  free(v->grids);
  free(v->households);
  free(v->people);
  free(v->buildings);
  free(v->orgs);
  memset(v, 0, sizeof *v);
}

wg_err wg_org_settings_load(wg_store_t *s, wg_org_settings *o, wg_errinfo *ei) {
  wg_org_settings_init(o);
  char *gm = NULL, *wl = NULL, *ve = NULL;
  if (wg_store_meta_get(s, "org.group_min", &gm) != WG_OK) gm = NULL;
  if (wg_store_meta_get(s, "org.worker_levels", &wl) != WG_OK) wl = NULL;
  if (wg_store_meta_get(s, "org.visit_every", &ve) != WG_OK) ve = NULL;
  wg_err e = wg_org_settings_parse(o, gm, wl, ve, ei);
  char *hm = NULL;
  if (!e && wg_store_meta_get(s, "org.head_min_households", &hm) == WG_OK && hm && *hm) {
    char *end;
    long v = strtol(hm, &end, 10);
    if (*end || v < 1 || v > 10000) {
      if (ei) snprintf(ei->field, sizeof ei->field, "org.head_min_households");
      e = wg_errinfo_set(ei, WG_EINVAL, "a number of households from 1 to 10000");
    } else {
      o->head_min = (int)v;
    }
  }
  free(hm);
  free(gm);
  free(wl);
  free(ve);
  return e;
}

/* ---- the lighter view of some grids ------------------------------------------ */

static int grid_household_row(void *ctx, int64_t id, const char codes[3][19],
                              const char *community, const char *tags) {
  loader *L = ctx;
  wg_org_view *v = L->v;
  int64_t idx;
  if (wg_u64map_get(&L->household, (uint64_t)id, &idx)) return 0; /* under two codes */
  if (!grow((void **)&v->households, &L->caphh, v->nhouseholds + 1, sizeof *v->households) ||
      wg_u64map_put(&L->household, (uint64_t)id, v->nhouseholds) != WG_OK) {
    L->e = WG_ENOMEM;
    return 1;
  }
  wg_org_household *h = &v->households[v->nhouseholds++];
  memset(h, 0, sizeof *h);
  h->id = id;
  for (int l = 0; l < 3; l++) h->grid[l] = codes[l][0] ? wg_org_grid_find(v, codes[l]) : -1;
  snprintf(h->community, sizeof h->community, "%s", community ? community : "");
  tags_union(h->tags, sizeof h->tags, tags);
  return 0;
}

wg_err wg_org_view_load_grids(wg_store_t *s, const char *county, const char *const *codes,
                              int ncodes, wg_org_view *v, wg_errinfo *ei) {
  memset(v, 0, sizeof *v);
  snprintf(v->county, sizeof v->county, "%s", county);
  wg_plan_t plan;
  wg_err e = wg_store_plan_active(s, county, &plan);
  if (e == WG_ENOTFOUND)
    return wg_errinfo_set(ei, e, "the county has no active plan (wangge divide, plan activate)");
  if (e) return wg_errinfo_set(ei, e, "reading the active plan: %s", wg_store_errmsg(s));
  v->plan_id = plan.id;
  loader L = {.v = v};
  wg_u64map_init(&L.entrance);
  wg_u64map_init(&L.household);
  wg_u64map_init(&L.building);
  wg_u64map_init(&L.staff);
#define STEP(call, what)                                                         \
  do {                                                                           \
    if (!e) {                                                                    \
      e = (call);                                                                \
      if (!e) e = L.e;                                                           \
      if (e) wg_errinfo_set(ei, e, "reading %s: %s", what, wg_store_errmsg(s)); \
    }                                                                            \
  } while (0)
  STEP(wg_store_grid_each(s, plan.id, 0, grid_row, &L), "grids");
  if (!e && v->ngrids) qsort(v->grids, (size_t)v->ngrids, sizeof *v->grids, cmp_grid);
  for (int i = 0; i < ncodes && !e; i++)
    STEP(wg_store_grid_households(s, plan.id, codes[i], grid_household_row, &L), "households");
  STEP(wg_store_visit_last_each(s, county, visit_row, &L), "visits");
  STEP(wg_store_contact_each(s, county, contact_row, &L), "contacts");
  STEP(wg_store_staff_each(s, county, NULL, staff_row, &L), "staff");
  STEP(wg_store_staff_grid_each(s, county, 0, staff_grid_row, &L), "staff grids");
#undef STEP
  wg_u64map_free(&L.entrance);
  wg_u64map_free(&L.household);
  wg_u64map_free(&L.building);
  wg_u64map_free(&L.staff);
  if (e) wg_org_view_free(v);
  return e;
}
