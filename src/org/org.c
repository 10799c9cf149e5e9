/* org.c — the organisation's rules over an in-memory view: settings,
 * the check with its proposals, visits due and coverage. No I/O. */
#include "org/org.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- settings ------------------------------------------------------------- */

void wg_org_settings_init(wg_org_settings *o) {
  memset(o, 0, sizeof *o);
  o->group_min = 3;
  o->head_min = 2;
  o->worker_levels = 1 | 2;
  snprintf(o->rules[0].tag, sizeof o->rules[0].tag, "elderly_alone");
  o->rules[0].days = 7;
  snprintf(o->rules[1].tag, sizeof o->rules[1].tag, "all");
  o->rules[1].days = 90;
  o->nrules = 2;
}

static int parse_int(const char *s, size_t n, int lo, int hi, int *out) {
  if (n == 0 || n > 6) return 0;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  if (v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

wg_err wg_org_settings_parse(wg_org_settings *o, const char *group_min, const char *worker_levels,
                             const char *visit_every, wg_errinfo *ei) {
  if (group_min && *group_min) {
    int v;
    if (!parse_int(group_min, strlen(group_min), 1, 1000, &v)) {
      if (ei) snprintf(ei->field, sizeof ei->field, "org.group_min");
      return wg_errinfo_set(ei, WG_EINVAL, "a number of members from 1 to 1000");
    }
    o->group_min = v;
  }
  if (worker_levels && *worker_levels) {
    int bits = 0;
    for (const char *p = worker_levels; *p;) {
      size_t n = strcspn(p, ",");
      int l;
      if (!parse_int(p, n, 1, 3, &l)) {
        if (ei) snprintf(ei->field, sizeof ei->field, "org.worker_levels");
        return wg_errinfo_set(ei, WG_EINVAL, "grid levels 1 to 3, comma separated, e.g. 1,2");
      }
      bits |= 1 << (l - 1);
      p += n;
      if (*p == ',') p++;
    }
    o->worker_levels = bits;
  }
  if (visit_every && *visit_every) {
    int n = 0;
    for (const char *p = visit_every; *p;) {
      size_t len = strcspn(p, ",");
      const char *colon = memchr(p, ':', len);
      int days;
      if (!colon || colon == p || (size_t)(colon - p) >= sizeof o->rules[0].tag ||
          n >= WG_ORG_MAX_RULES ||
          !parse_int(colon + 1, len - (size_t)(colon - p) - 1, 1, 3660, &days)) {
        if (ei) snprintf(ei->field, sizeof ei->field, "org.visit_every");
        return wg_errinfo_set(ei, WG_EINVAL,
                              "TAG:DAYS pairs, comma separated (tag code or all), e.g. "
                              "elderly_alone:7,all:90");
      }
      snprintf(o->rules[n].tag, sizeof o->rules[n].tag, "%.*s", (int)(colon - p), p);
      o->rules[n].days = days;
      n++;
      p += len;
      if (*p == ',') p++;
    }
    o->nrules = n;
  }
  return WG_OK;
}

int wg_org_has_skill(const char *list, const char *skill) {
  if (!list || !skill || !*skill) return 0;
  size_t n = strlen(skill);
  for (const char *p = strstr(list, skill); p; p = strstr(p + 1, skill))
    if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
  return 0;
}

int wg_org_visit_interval(const wg_org_settings *o, const char *tags) {
  int best = 0;
  for (int i = 0; i < o->nrules; i++) {
    int match = strcmp(o->rules[i].tag, "all") == 0 || wg_org_has_skill(tags, o->rules[i].tag);
    if (match && (!best || o->rules[i].days < best)) best = o->rules[i].days;
  }
  return best;
}

/* ---- dates and places ------------------------------------------------------ */

static long days_of(int32_t ymd) {
  /* days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's formula) */
  long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

long wg_org_days_between(int32_t a, int32_t b) { return days_of(b) - days_of(a); }

double wg_org_distance(double lon1, double lat1, double lon2, double lat2) {
  const double r = 6371008.8, k = 3.14159265358979323846 / 180;
  double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
  double a = sin(dlat / 2) * sin(dlat / 2) +
             cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
  return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

int wg_org_code_within(const char *inner, const char *outer) {
  size_t n = strlen(outer);
  return n && strncmp(inner, outer, n) == 0;
}

int wg_org_grid_find(const wg_org_view *v, const char *code) {
  int lo = 0, hi = v->ngrids - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = strcmp(v->grids[mid].code, code);
    if (!c) return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

void wg_org_members_per_grid(const wg_org_view *v, int in_service_only, long *out) {
  memset(out, 0, (size_t)v->ngrids * sizeof *out);
  for (long i = 0; i < v->npeople; i++) {
    const wg_org_person *p = &v->people[i];
    if (p->kind != WG_PERSON_MEMBER || !p->party || (in_service_only && !p->in_service))
      continue;
    for (int l = 0; l < 3; l++)
      if (p->grid[l] >= 0) out[p->grid[l]]++;
  }
}

/* ---- the check -------------------------------------------------------------- */

const char *wg_org_finding_name(wg_org_finding_kind k) {
  static const char *const names[WG_OF_KIND_COUNT_] = {
      [WG_OF_GRID_NO_WORKER] = "grid_without_worker",
      [WG_OF_BUILDING_NO_HEAD] = "building_without_head",
      [WG_OF_L1_NO_BRANCH] = "level1_without_branch",
      [WG_OF_L2_NO_ORG] = "level2_without_group",
      [WG_OF_GROUP_TOO_SMALL] = "group_too_small",
      [WG_OF_ORG_GRID_GONE] = "organisation_grid_gone",
      [WG_OF_ORG_WRONG_LEVEL] = "organisation_wrong_level",
      [WG_OF_ORG_GRID_REDRAWN] = "organisation_grid_redrawn",
      [WG_OF_STAFF_GRID_GONE] = "worker_grid_gone",
      [WG_OF_HOUSEHOLD_NO_CONTACT] = "household_without_contact",
  };
  return k > 0 && k < WG_OF_KIND_COUNT_ ? names[k] : "?";
}

static wg_err add(wg_org_report *r, wg_org_finding_kind kind, const char *code, int64_t id,
                  const char *what, const char *proposal) {
  if (r->n == r->cap) {
    long cap = r->cap ? r->cap * 2 : 64;
    wg_org_finding *t = realloc(r->items, (size_t)cap * sizeof *t);
    if (!t) return WG_ENOMEM;
    r->items = t;
    r->cap = cap;
  }
  wg_org_finding *f = &r->items[r->n++];
  memset(f, 0, sizeof *f);
  f->kind = kind;
  snprintf(f->code, sizeof f->code, "%s", code ? code : "");
  f->id = id;
  snprintf(f->what, sizeof f->what, "%s", what);
  snprintf(f->proposal, sizeof f->proposal, "%s", proposal ? proposal : "");
  r->count[kind]++;
  return WG_OK;
}

void wg_org_report_free(wg_org_report *r) {
  if (!r) return;
  free(r->items);
  memset(r, 0, sizeof *r);
}

static const char *porg_word(int kind) {
  return kind == WG_PORG_BRANCH ? "branch" : kind == WG_PORG_GROUP ? "group" : "central household";
}

/* A central-household candidate in grid g: the Party member living there
 * with the lowest id (registered in-service members first), or 0. */
static int64_t central_candidate(const wg_org_view *v, int g) {
  int64_t best = 0;
  int best_in = -1;
  int level = v->grids[g].level;
  for (long i = 0; i < v->npeople; i++) {
    const wg_org_person *p = &v->people[i];
    if (p->kind != WG_PERSON_MEMBER || !p->party || p->grid[level - 1] != g) continue;
    if (p->in_service > best_in) {
      best = p->id;
      best_in = p->in_service;
    }
  }
  return best;
}

wg_err wg_org_check(const wg_org_view *v, const wg_org_settings *o, wg_org_report *out) {
  memset(out, 0, sizeof *out);
  wg_err e = WG_OK;
  int ng = v->ngrids;
  long *members = calloc((size_t)(ng ? ng : 1), sizeof *members);
  int *workers = calloc((size_t)(ng ? ng : 1), sizeof *workers);
  int *org_at = malloc((size_t)(ng ? ng : 1) * sizeof *org_at);
  if (!members || !workers || !org_at) {
    e = WG_ENOMEM;
    goto done;
  }
  wg_org_members_per_grid(v, 0, members);
  for (int g = 0; g < ng; g++) org_at[g] = -1;
  char what[512], prop[512];

  /* Staff: own workers per grid, and assignments to grids that are gone
   * (the loader keeps those as index -1). */
  for (long i = 0; i < v->npeople && !e; i++) {
    const wg_org_person *p = &v->people[i];
    if (p->kind != WG_PERSON_STAFF || p->role != WG_STAFF_GRID_WORKER) continue;
    for (int k = 0; k < p->ngrids; k++) {
      if (p->grids[k] >= 0) {
        workers[p->grids[k]]++;
        continue;
      }
      snprintf(what, sizeof what, "grid worker #%lld is assigned to a grid the active plan has not",
               (long long)p->id);
      snprintf(prop, sizeof prop, "assign worker #%lld to the grids of plan #%lld",
               (long long)p->id, (long long)v->plan_id);
      e = add(out, WG_OF_STAFF_GRID_GONE, "", p->id, what, prop);
    }
  }
  for (int g = 0; g < ng && !e; g++) {
    const wg_org_grid *gr = &v->grids[g];
    if (!(o->worker_levels & (1 << (gr->level - 1))) || workers[g]) continue;
    snprintf(what, sizeof what, "level-%d grid %s has no grid worker", gr->level, gr->code);
    snprintf(prop, sizeof prop, "assign a level-%d grid worker (wangge org staff assign)",
             gr->level);
    e = add(out, WG_OF_GRID_NO_WORKER, gr->code, 0, what, prop);
  }
  for (long b = 0; b < v->nbuildings && !e; b++) {
    const wg_org_unit *u = &v->buildings[b];
    if (u->heads || u->households < o->head_min) continue;
    const char *code = u->grid[2] >= 0   ? v->grids[u->grid[2]].code
                       : u->grid[1] >= 0 ? v->grids[u->grid[1]].code
                                         : u->community;
    snprintf(what, sizeof what, "building #%lld in %s has no building head", (long long)u->id,
             code);
    e = add(out, WG_OF_BUILDING_NO_HEAD, code, u->id, what, "appoint a building head");
  }

  /* The Party organisation. */
  for (int k = 0; k < v->norgs && !e; k++) {
    const wg_org_porg *po = &v->orgs[k];
    const wg_party_org_row *r = &po->row;
    if (po->grid < 0) {
      snprintf(what, sizeof what, "%s #%lld (%s) sits on grid %s, which the active plan #%lld has not",
               porg_word(r->kind), (long long)r->id, r->name, r->grid, (long long)v->plan_id);
      int best = -1;
      long most = 0;
      for (int t = 0; t < po->nto; t++)
        if (po->to[t].entrances > most) {
          most = po->to[t].entrances;
          best = po->to[t].grid;
        }
      if (best < 0)
        snprintf(prop, sizeof prop, "dissolve %s #%lld: none of its grid's entrances is in a grid now",
                 porg_word(r->kind), (long long)r->id);
      else
        snprintf(prop, sizeof prop, "move %s #%lld to grid %s (%ld of its entrances are there)",
                 porg_word(r->kind), (long long)r->id, v->grids[best].code, most);
      e = add(out, WG_OF_ORG_GRID_GONE, r->grid, r->id, what, prop);
      continue;
    }
    int level = v->grids[po->grid].level;
    int want = r->kind == WG_PORG_BRANCH ? 1 : 2;
    if (level != want) {
      snprintf(what, sizeof what, "%s #%lld sits on level-%d grid %s; a %s belongs on level %d",
               porg_word(r->kind), (long long)r->id, level, r->grid, porg_word(r->kind), want);
      snprintf(prop, sizeof prop, "move %s #%lld to a level-%d grid", porg_word(r->kind),
               (long long)r->id, want);
      e = add(out, WG_OF_ORG_WRONG_LEVEL, r->grid, r->id, what, prop);
      continue;
    }
    org_at[po->grid] = k;
    /* Set up on an earlier plan: the grid kept its code; did it keep its
     * area? Unchanged when all its old entrances are in it and it has no
     * others. */
    if (r->plan_id > 0 && r->plan_id != v->plan_id) {
      int best = -1;
      long most = 0, here = 0;
      for (int t = 0; t < po->nto; t++) {
        if (po->to[t].grid == po->grid) here = po->to[t].entrances;
        if (po->to[t].entrances > most) most = po->to[t].entrances, best = po->to[t].grid;
      }
      if (here != po->old_entrances || po->same_code_entrances != po->old_entrances) {
        snprintf(what, sizeof what,
                 "%s #%lld's grid %s was redrawn by plan #%lld: %ld of its %ld entrances stayed, "
                 "it now has %ld",
                 porg_word(r->kind), (long long)r->id, r->grid, (long long)v->plan_id, here,
                 po->old_entrances, po->same_code_entrances);
        if (best < 0 || best == po->grid)
          snprintf(prop, sizeof prop, "confirm %s #%lld on %s as redrawn", porg_word(r->kind),
                   (long long)r->id, r->grid);
        else
          snprintf(prop, sizeof prop, "move %s #%lld to grid %s (%ld of its entrances are there)",
                   porg_word(r->kind), (long long)r->id, v->grids[best].code, most);
        e = add(out, WG_OF_ORG_GRID_REDRAWN, r->grid, r->id, what, prop);
        if (e) break;
      }
    }
    if (r->kind == WG_PORG_GROUP && members[po->grid] < o->group_min) {
      snprintf(what, sizeof what, "group #%lld on grid %s has %ld Party members living there (fewer than %d)",
               (long long)r->id, r->grid, members[po->grid], o->group_min);
      int64_t c = central_candidate(v, po->grid);
      if (c)
        snprintf(prop, sizeof prop, "turn group #%lld into a central household with member #%lld",
                 (long long)r->id, (long long)c);
      else
        snprintf(prop, sizeof prop, "turn group #%lld into a central household", (long long)r->id);
      e = add(out, WG_OF_GROUP_TOO_SMALL, r->grid, r->id, what, prop);
    }
  }
  for (int g = 0; g < ng && !e; g++) {
    const wg_org_grid *gr = &v->grids[g];
    if (org_at[g] >= 0 || gr->level > 2) continue;
    /* An organisation on a grid that is gone and proposed to move here
     * counts as the proposal for this grid too. */
    if (gr->level == 1) {
      snprintf(what, sizeof what, "level-1 grid %s has no Party branch", gr->code);
      snprintf(prop, sizeof prop, "set up a branch on %s (%ld Party members live there)", gr->code,
               members[g]);
      e = add(out, WG_OF_L1_NO_BRANCH, gr->code, 0, what, prop);
    } else {
      snprintf(what, sizeof what, "level-2 grid %s has neither a Party group nor a central household",
               gr->code);
      int64_t c = central_candidate(v, g);
      if (members[g] >= o->group_min)
        snprintf(prop, sizeof prop, "form a group on %s (%ld Party members live there)", gr->code,
                 members[g]);
      else if (c)
        snprintf(prop, sizeof prop, "make member #%lld's household the central household of %s (%ld member%s)",
                 (long long)c, gr->code, members[g], members[g] == 1 ? "" : "s");
      else
        snprintf(prop, sizeof prop, "no Party member lives in %s: name a central household from a neighbouring grid",
                 gr->code);
      e = add(out, WG_OF_L2_NO_ORG, gr->code, 0, what, prop);
    }
  }

  /* Household contact. */
  for (long h = 0; h < v->nhouseholds && !e; h++) {
    const wg_org_household *hh = &v->households[h];
    if (hh->contacts) continue;
    int g = hh->grid[2] >= 0 ? hh->grid[2] : hh->grid[1] >= 0 ? hh->grid[1] : hh->grid[0];
    const char *code = g >= 0 ? v->grids[g].code : hh->community;
    snprintf(what, sizeof what, "household #%lld in %s has no contact person", (long long)hh->id,
             code);
    e = add(out, WG_OF_HOUSEHOLD_NO_CONTACT, code, hh->id, what,
            "give it to a cadre or member (wangge org contact add)");
  }
done:
  free(members);
  free(workers);
  free(org_at);
  if (e) wg_org_report_free(out);
  return e;
}

/* ---- visits ------------------------------------------------------------------- */

static int cmp_due(const void *a, const void *b) {
  const wg_org_due *x = a, *y = b;
  if (x->days_overdue != y->days_overdue) return x->days_overdue > y->days_overdue ? -1 : 1;
  return x->household_id < y->household_id ? -1 : x->household_id > y->household_id;
}

/* Days overdue as of today (never visited: overdue by one interval). */
static int overdue_days(const wg_org_household *h, int interval, int32_t today) {
  if (!h->last_visit) return interval;
  return (int)(wg_org_days_between(h->last_visit, today) - interval);
}

wg_err wg_org_visits_due(const wg_org_view *v, const wg_org_settings *o, int64_t staff_id,
                         int32_t today, int ahead, wg_org_due **out, long *n) {
  *out = NULL;
  *n = 0;
  const wg_org_person *p = NULL;
  for (long i = 0; i < v->npeople && !p; i++)
    if (v->people[i].kind == WG_PERSON_STAFF && v->people[i].id == staff_id) p = &v->people[i];
  if (!p) return WG_ENOTFOUND;
  long cap = 0;
  for (long h = 0; h < v->nhouseholds; h++) {
    const wg_org_household *hh = &v->households[h];
    int mine = 0, where = -1;
    for (int l = 2; l >= 0; l--)
      if (hh->grid[l] >= 0) {
        if (where < 0) where = hh->grid[l];
        for (int k = 0; k < p->ngrids && !mine; k++) mine = p->grids[k] == hh->grid[l];
      }
    if (!mine) continue;
    int interval = wg_org_visit_interval(o, hh->tags);
    if (!interval) continue;
    int od = overdue_days(hh, interval, today);
    if (od < -ahead) continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      wg_org_due *t = realloc(*out, (size_t)cap * sizeof *t);
      if (!t) {
        free(*out);
        *out = NULL;
        *n = 0;
        return WG_ENOMEM;
      }
      *out = t;
    }
    (*out)[(*n)++] = (wg_org_due){hh->id, where, interval, hh->last_visit, od};
  }
  if (*n) qsort(*out, (size_t)*n, sizeof **out, cmp_due);
  return WG_OK;
}

void wg_org_coverage_compute(const wg_org_view *v, const wg_org_settings *o, int32_t today,
                             wg_org_coverage *c) {
  size_t bytes = (size_t)v->ngrids * sizeof(long);
  memset(c->households, 0, bytes);
  memset(c->contacted, 0, bytes);
  memset(c->to_visit, 0, bytes);
  memset(c->visited, 0, bytes);
  for (int l = 0; l < 3; l++)
    c->level_households[l] = c->level_contacted[l] = c->level_to_visit[l] = c->level_visited[l] = 0;
  for (long h = 0; h < v->nhouseholds; h++) {
    const wg_org_household *hh = &v->households[h];
    int interval = wg_org_visit_interval(o, hh->tags);
    int ok = interval && hh->last_visit && overdue_days(hh, interval, today) <= 0;
    for (int l = 0; l < 3; l++) {
      int g = hh->grid[l];
      if (g < 0) continue;
      c->households[g]++;
      c->contacted[g] += hh->contacts > 0;
      c->to_visit[g] += interval > 0;
      c->visited[g] += ok;
      c->level_households[l]++;
      c->level_contacted[l] += hh->contacts > 0;
      c->level_to_visit[l] += interval > 0;
      c->level_visited[l] += ok;
    }
  }
}
