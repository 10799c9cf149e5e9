/* demo_org.c — the demo county's organisation (see demo.h): staff on every
 * level-1 and level-2 grid, building heads, members and their registration,
 * the Party organisation on the grids, contacts, visits, service logs,
 * rosters and a closed mobilisation call. Bulk rows go straight to the
 * store (one audit row for the whole); the Party organisation and the call
 * use the audited operations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"
#include "ledger/validate.h"
#include "org/org.h"
#include "util/strmap.h"

/* The model county's registered in-service members: 1,236 county-wide, 187
 * in 滨河社区, for the default 130,000 residents. */
#define MODEL_REGISTERED 1236
#define MODEL_REGISTERED_BINHE 187

typedef struct person {
  int64_t id, household;
  char name[64];
  char phone[12];
  int32_t birth;
  int party;
  int hh;                      /* index into the view's households */
  int used;                    /* already staff */
} person;

typedef struct people {
  person *p;
  long n, cap;
  int32_t today;
  wg_u64map hh;                /* household id → view index */
} people;

static int take_resident(void *ctx, const wg_resident_t *r) {
  people *ps = ctx;
  int64_t idx;
  if (!r->household_id || !wg_u64map_get(&ps->hh, (uint64_t)r->household_id, &idx)) return 0;
  if (ps->n == ps->cap) {
    long cap = ps->cap ? ps->cap * 2 : 4096;
    person *t = realloc(ps->p, (size_t)cap * sizeof *t);
    if (!t) return 1;
    ps->p = t;
    ps->cap = cap;
  }
  person *p = &ps->p[ps->n++];
  memset(p, 0, sizeof *p);
  p->id = r->id;
  p->household = r->household_id;
  snprintf(p->name, sizeof p->name, "%s", r->name);
  snprintf(p->phone, sizeof p->phone, "%s", r->phone);
  p->birth = r->birth;
  p->party = strstr(r->tags, ",party_member,") != NULL;
  p->hh = (int)idx;
  return 0;
}

static const char *const skills[] = {"first_aid", "driving", "electrician", "plumbing",
                                     "counselling", "law", "medical", "teaching", "it"};
static const char *const employers[] = {
    "岚县人民医院", "岚县第一中学", "岚县财政局", "国网岚县供电公司", "岚县公安局",
    "岚县农村商业银行", "岚县住房和城乡建设局", "岚县市场监督管理局", "岚县教育科技局",
    "岚县人力资源和社会保障局", "岚县中医院", "岚县应急管理局", "岚县税务局",
    "东村镇人民政府", "岚县融媒体中心"};
static const char *const findings[] = {
    "家中情况正常", "老人身体尚可，已提醒按时服药", "反映楼道照明损坏", "家庭成员信息有变动，已登记",
    "咨询医保缴费政策，已解答", "独居老人，已联系子女", "反映邻里噪音问题", "无异常",
    "新生儿已登记", "宣传防诈骗知识"};
static const char *const service_kinds[] = {"visit_care", "policy", "cleaning", "patrol",
                                            "visit_care", "policy"};

static void pick_skills(wg__demo_rng_t *r, char *out, size_t cap) {
  out[0] = '\0';
  int n = (int)wg__demo_rng_range(r, 0, 2);
  size_t len = 0;
  unsigned used = 0;
  for (int i = 0; i < n; i++) {
    int k = (int)wg__demo_rng_range(r, 0, (long)(sizeof skills / sizeof *skills) - 1);
    if (used & (1u << k)) continue;
    used |= 1u << k;
    len += (size_t)snprintf(out + len, cap - len, "%s%s,", len ? "" : ",", skills[k]);
  }
}

static void iso_at(int32_t ymd, int hour, int minute, char out[32]) {
  snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:00Z", (int)(ymd / 10000), (int)(ymd / 100 % 100),
           (int)(ymd % 100), hour, minute);
}

/* The next unused adult (25–55) of a community, cycling from a random start. */
static person *adult_of(people *ps, wg_org_view *v, const char *community, int32_t today,
                        wg__demo_rng_t *r) {
  if (!ps->n) return NULL;
  long start = wg__demo_rng_range(r, 0, ps->n - 1);
  for (long k = 0; k < ps->n; k++) {
    person *p = &ps->p[(start + k) % ps->n];
    int age = wg__demo_age(p->birth, today);
    if (p->used || age < 25 || age > 55 || strcmp(v->households[p->hh].community, community))
      continue;
    p->used = 1;
    return p;
  }
  return NULL;
}

static wg_err add_staff(wg_store_t *s, person *p, int kind, int level, int full_time,
                        const char *community, const char *grid, int64_t building, int32_t today,
                        int64_t *id) {
  wg_staff_row st = {.kind = kind, .level = level, .full_time = full_time, .active = 1};
  snprintf(st.county, sizeof st.county, WG_DEMO_COUNTY);
  snprintf(st.community, sizeof st.community, "%s", community);
  if (p) {
    snprintf(st.name, sizeof st.name, "%s", p->name);
    snprintf(st.phone, sizeof st.phone, "%s", p->phone);
    st.resident_id = p->id;
  } else {
    snprintf(st.name, sizeof st.name, "网格员");
  }
  iso_at(today, 1, 0, st.created_at);
  wg_err e = wg_store_staff_add(s, &st);
  if (!e && grid) e = wg_store_staff_grid_set(s, st.id, WG_DEMO_COUNTY, grid, 1);
  if (!e && building) e = wg_store_staff_building_set(s, st.id, WG_DEMO_COUNTY, building, 1);
  if (id) *id = st.id;
  return e;
}

typedef struct resp_list {
  wg_responder_row *r;
  long n, cap;
} resp_list;

static int collect_resp(void *ctx, const wg_responder_row *row) {
  resp_list *l = ctx;
  if (l->n == l->cap) {
    long cap = l->cap ? l->cap * 2 : 256;
    wg_responder_row *t = realloc(l->r, (size_t)cap * sizeof *t);
    if (!t) return 1;
    l->r = t;
    l->cap = cap;
  }
  l->r[l->n++] = *row;
  return 0;
}

wg_err wg_demo_org(wg_store_t *s, uint64_t seed, int32_t today, long residents_asked,
                   wg_demo_org_summary *sum, wg_errinfo *ei) {
  wg_demo_org_summary local;
  if (!sum) sum = &local;
  memset(sum, 0, sizeof *sum);
  wg_org_actor who = {"demo", "cli", NULL};
  wg_org_view v;
  memset(&v, 0, sizeof v);
  people ps = {.today = today};
  wg_u64map_init(&ps.hh);
  int64_t *l2_worker = NULL, *l1_worker = NULL;
  long *members_in = NULL;
  wg_err e = wg_store_begin(s);
  if (e) return wg_errinfo_set(ei, e, "cannot start a transaction: %s", wg_store_errmsg(s));
  wg__demo_rng_t r;
  wg__demo_rng_seed(&r, seed, 0x4f524730ULL);

  if ((e = wg_org_view_load(s, WG_DEMO_COUNTY, &v, ei))) goto done;
  for (long h = 0; h < v.nhouseholds && !e; h++)
    e = wg_u64map_put(&ps.hh, (uint64_t)v.households[h].id, h);
  wg_resident_filter f = {.county = WG_DEMO_COUNTY};
  if (!e) e = wg_store_resident_each(s, &f, take_resident, &ps);
  if (e) {
    wg_errinfo_set(ei, e, "reading the ledger: %s", wg_store_errmsg(s));
    goto done;
  }
  wg_division_t binhe;
  int have_binhe = wg_store_division_find(s, WG_DEMO_COUNTY, "滨河社区", &binhe) == WG_OK;

  /* ---- members: every Party member of the ledger; some registered ---- */
  double scale = (double)(residents_asked ? residents_asked : WG_DEMO_DEFAULT_RESIDENTS) /
                 (double)WG_DEMO_DEFAULT_RESIDENTS;
  long want_reg = (long)(MODEL_REGISTERED * scale + 0.5),
       want_binhe = (long)(MODEL_REGISTERED_BINHE * scale + 0.5);
  /* candidates: working-age Party members, Binhe's first, each group shuffled */
  int64_t *cand = malloc((size_t)(ps.n ? ps.n : 1) * sizeof *cand);
  long nb = 0, no = 0;
  if (!cand) {
    e = WG_ENOMEM;
    goto done;
  }
  for (long i = 0; i < ps.n; i++) {
    int age = wg__demo_age(ps.p[i].birth, today);
    if (!ps.p[i].party || age < 22 || age > 60) continue;
    if (have_binhe && !strcmp(v.households[ps.p[i].hh].community, binhe.code)) cand[nb++] = i;
  }
  no = nb;
  for (long i = 0; i < ps.n; i++) {
    int age = wg__demo_age(ps.p[i].birth, today);
    if (!ps.p[i].party || age < 22 || age > 60) continue;
    if (!(have_binhe && !strcmp(v.households[ps.p[i].hh].community, binhe.code))) cand[no++] = i;
  }
  wg__demo_rng_shuffle(&r, cand, (size_t)nb);
  wg__demo_rng_shuffle(&r, cand + nb, (size_t)(no - nb));
  char *registered = calloc((size_t)(ps.n ? ps.n : 1), 1);
  if (!registered) {
    free(cand);
    e = WG_ENOMEM;
    goto done;
  }
  long take_b = nb < want_binhe ? nb : want_binhe;
  for (long k = 0; k < take_b; k++) registered[cand[k]] = 1;
  long rest = want_reg - take_b;
  for (long k = nb; k < no && rest > 0; k++, rest--) registered[cand[k]] = 1;
  free(cand);
  for (long i = 0; i < ps.n && !e; i++) {
    person *p = &ps.p[i];
    int volunteer = !p->party && wg__demo_age(p->birth, today) >= 18 &&
                    wg__demo_age(p->birth, today) <= 65 && wg__demo_rng_chance(&r, 1.0 / 150);
    if (!p->party && !volunteer) continue;
    wg_member_row m = {.kind = p->party ? WG_MEMBER_PARTY : WG_MEMBER_VOLUNTEER,
                       .resident_id = p->id, .active = 1};
    snprintf(m.county, sizeof m.county, WG_DEMO_COUNTY);
    snprintf(m.name, sizeof m.name, "%s", p->name);
    snprintf(m.phone, sizeof m.phone, "%s", p->phone);
    snprintf(m.community, sizeof m.community, "%s", v.households[p->hh].community);
    pick_skills(&r, m.skills, sizeof m.skills);
    iso_at(today, 2, 0, m.created_at);
    if (registered[i]) {
      m.in_service = 1;
      m.registered_on = wg__demo_ymd(wg__demo_days(today) - wg__demo_rng_range(&r, 10, 3 * 365));
      snprintf(m.employer, sizeof m.employer, "%s",
               employers[wg__demo_rng_range(&r, 0, (long)(sizeof employers / sizeof *employers) - 1)]);
      sum->registered++;
      if (have_binhe && !strcmp(m.community, binhe.code)) sum->registered_binhe++;
    }
    e = wg_store_member_add(s, &m);
    if (p->party)
      sum->members++;
    else
      sum->volunteers++;
  }
  free(registered);
  if (e) {
    wg_errinfo_set(ei, e, "writing members: %s", wg_store_errmsg(s));
    goto done;
  }

  /* ---- staff: a worker per level-1 and level-2 grid, building heads ---- */
  l1_worker = calloc((size_t)v.ngrids + 1, sizeof *l1_worker);
  l2_worker = calloc((size_t)v.ngrids + 1, sizeof *l2_worker);
  if (!l1_worker || !l2_worker) {
    e = WG_ENOMEM;
    goto done;
  }
  for (int g = 0; g < v.ngrids && !e; g++) {
    const wg_org_grid *gr = &v.grids[g];
    if (gr->level > 2) continue;
    wg_division_t d;
    int urban = wg_store_division_get(s, gr->community, &d) == WG_OK && d.kind == WG_AREA_URBAN;
    person *p = adult_of(&ps, &v, gr->community, today, &r);
    int64_t id;
    e = add_staff(s, p, WG_STAFF_GRID_WORKER, gr->level, urban || gr->level == 1, gr->community,
                  gr->code, 0, today, &id);
    if (gr->level == 1) {
      l1_worker[g] = id;
      sum->workers_l1++;
    } else {
      l2_worker[g] = id;
      sum->workers_l2++;
    }
  }
  for (long b = 0; b < v.nbuildings && !e; b++) {
    const wg_org_unit *u = &v.buildings[b];
    if (u->households < 2) continue;
    person *p = adult_of(&ps, &v, u->community, today, &r);
    e = add_staff(s, p, WG_STAFF_BUILDING_HEAD, 0, 0, u->community, NULL, u->id, today, NULL);
    sum->building_heads++;
  }
  /* community staff: two per urban community (社区两委) */
  for (int g = 0; g < v.ngrids && !e; g++) {
    if (v.grids[g].level != 1 || (g > 0 && !strcmp(v.grids[g - 1].community, v.grids[g].community)))
      continue;
    wg_division_t d;
    if (wg_store_division_get(s, v.grids[g].community, &d) != WG_OK || d.kind != WG_AREA_URBAN)
      continue;
    for (int k = 0; k < 2 && !e; k++) {
      person *p = adult_of(&ps, &v, v.grids[g].community, today, &r);
      e = add_staff(s, p, WG_STAFF_COMMUNITY, 0, 1, v.grids[g].community, NULL, 0, today, NULL);
      sum->community_staff++;
    }
  }
  if (e) {
    wg_errinfo_set(ei, e, "writing staff: %s", wg_store_errmsg(s));
    goto done;
  }

  /* ---- the Party organisation, from the members who live in each grid ---- */
  wg_org_view_free(&v);
  if ((e = wg_org_view_load(s, WG_DEMO_COUNTY, &v, ei))) goto done;
  members_in = calloc((size_t)v.ngrids + 1, sizeof *members_in);
  if (!members_in) {
    e = WG_ENOMEM;
    goto done;
  }
  wg_org_members_per_grid(&v, 0, members_in);
  for (int g = 0; g < v.ngrids && !e; g++) {
    const wg_org_grid *gr = &v.grids[g];
    if (gr->level > 2) continue;
    wg_party_org_row po = {.kind = gr->level == 1 ? WG_PORG_BRANCH : WG_PORG_GROUP};
    snprintf(po.county, sizeof po.county, WG_DEMO_COUNTY);
    snprintf(po.grid, sizeof po.grid, "%s", gr->code);
    iso_at(today, 4, 0, po.created_at);
    if (gr->level == 2 && members_in[g] < 3) {
      po.kind = WG_PORG_CENTRAL;
      for (long i = 0; i < v.npeople && !po.member_id; i++)
        if (v.people[i].kind == WG_PERSON_MEMBER && v.people[i].party && v.people[i].grid[1] == g)
          po.member_id = v.people[i].id;
      if (!po.member_id) {
        /* nobody lives there: a member of the next grid takes it on */
        wg_member_row m = {.kind = WG_MEMBER_PARTY, .active = 1};
        snprintf(m.county, sizeof m.county, WG_DEMO_COUNTY);
        person *p = adult_of(&ps, &v, gr->community, today, &r);
        snprintf(m.name, sizeof m.name, "%s", p ? p->name : "党员");
        snprintf(m.community, sizeof m.community, "%s", gr->community);
        snprintf(m.grid, sizeof m.grid, "%s", gr->code);
        iso_at(today, 2, 0, m.created_at);
        e = wg_store_member_add(s, &m);
        po.member_id = m.id;
        sum->members++;
      }
    }
    if (!e) e = wg_org_party_add(s, &who, &po, ei);
    sum->branches += po.kind == WG_PORG_BRANCH;
    sum->groups += po.kind == WG_PORG_GROUP;
    sum->central_households += po.kind == WG_PORG_CENTRAL;
  }
  if (e) goto done;

  /* ---- the demo gridworker account works its grid ---- */
  wg_user_row u;
  if (wg_store_user_get(s, "gridworker", &u) == WG_OK && u.nscopes > 0) {
    int g = wg_org_grid_find(&v, u.scopes[0]);
    int64_t staff = g >= 0 ? (v.grids[g].level == 1 ? l1_worker[g] : l2_worker[g]) : 0;
    wg_staff_row st;
    if (staff && wg_store_staff_get(s, staff, &st) == WG_OK) {
      snprintf(st.login, sizeof st.login, "gridworker");
      e = wg_store_staff_update(s, &st);
    }
  }
  if (!e && wg_store_user_get(s, "binhe", &u) == WG_OK && u.nscopes > 0) {
    for (long i = 0; i < v.npeople; i++)
      if (v.people[i].kind == WG_PERSON_STAFF && v.people[i].role == WG_STAFF_COMMUNITY &&
          !strcmp(v.people[i].community, u.scopes[0])) {
        wg_staff_row st;
        if (wg_store_staff_get(s, v.people[i].id, &st) == WG_OK) {
          snprintf(st.login, sizeof st.login, "binhe");
          e = wg_store_staff_update(s, &st);
        }
        break;
      }
  }

  /* ---- contacts, visits ---- */
  wg_org_settings os;
  wg_org_settings_init(&os);
  int32_t since = wg__demo_ymd(wg__demo_days(today) - 200);
  /* registered members take up to 8 households of their own level-2 grid */
  int *taken = calloc((size_t)v.npeople + 1, sizeof *taken);
  if (!taken) {
    e = WG_ENOMEM;
    goto done;
  }
  long member_cursor = 0;
  for (long h = 0; h < v.nhouseholds && !e; h++) {
    const wg_org_household *hh = &v.households[h];
    int g2 = hh->grid[1], g1 = hh->grid[0];
    int64_t worker = g2 >= 0 && l2_worker[g2] ? l2_worker[g2] : g1 >= 0 ? l1_worker[g1] : 0;
    sum->households++;
    if (!wg__demo_rng_chance(&r, 0.004)) {
      int by_member = 0;
      for (long k = 0; k < 32 && v.npeople; k++) {
        long i = (member_cursor + k) % v.npeople;
        wg_org_person *p = &v.people[i];
        if (p->kind == WG_PERSON_MEMBER && p->in_service && p->grid[1] == g2 && g2 >= 0 &&
            taken[i] < 8) {
          taken[i]++;
          member_cursor = i;
          e = wg_store_contact_set(s, WG_DEMO_COUNTY, hh->id, WG_PERSON_MEMBER, p->id, since, 1);
          by_member = 1;
          break;
        }
      }
      if (!e && !by_member && worker)
        e = wg_store_contact_set(s, WG_DEMO_COUNTY, hh->id, WG_PERSON_STAFF, worker, since, 1);
      sum->contacts++;
    }
    int interval = wg_org_visit_interval(&os, hh->tags);
    if (!interval || !worker || e) continue;
    /* the last visit within 1.25 intervals: about a fifth overdue */
    long last = wg__demo_days(today) - wg__demo_rng_range(&r, 0, interval + interval / 4);
    int visits = interval <= 7 ? 8 : 1;
    for (int k = 0; k < visits && !e; k++) {
      long day = last - (long)k * interval - (k ? wg__demo_rng_range(&r, -1, 1) : 0);
      wg_visit_row vr = {.staff_id = worker, .household_id = hh->id, .date = wg__demo_ymd(day)};
      snprintf(vr.county, sizeof vr.county, WG_DEMO_COUNTY);
      int gi = hh->grid[2] >= 0 ? hh->grid[2] : g2 >= 0 ? g2 : g1;
      if (gi >= 0) snprintf(vr.grid, sizeof vr.grid, "%s", v.grids[gi].code);
      snprintf(vr.findings, sizeof vr.findings, "%s",
               findings[wg__demo_rng_range(&r, 0, (long)(sizeof findings / sizeof *findings) - 1)]);
      if (wg__demo_rng_chance(&r, 0.05)) snprintf(vr.ledger_changes, sizeof vr.ledger_changes, "联系电话更新");
      iso_at(wg__demo_ymd(day), 3, (int)wg__demo_rng_range(&r, 0, 59), vr.recorded_at);
      snprintf(vr.actor, sizeof vr.actor, "demo");
      e = wg_store_visit_add(s, &vr);
      sum->visits++;
    }
    sum->overdue += wg__demo_days(today) - last > interval;
  }
  free(taken);
  if (e) {
    wg_errinfo_set(ei, e, "writing contacts and visits: %s", wg_store_errmsg(s));
    goto done;
  }

  /* ---- a year of service by registered members and volunteers ---- */
  for (long i = 0; i < v.npeople && !e; i++) {
    const wg_org_person *p = &v.people[i];
    if (p->kind != WG_PERSON_MEMBER || (!p->in_service && p->party)) continue;
    int n = (int)wg__demo_rng_range(&r, 2, 8);
    for (int k = 0; k < n && !e; k++) {
      wg_service_row sv = {.member_id = p->id};
      snprintf(sv.county, sizeof sv.county, WG_DEMO_COUNTY);
      snprintf(sv.kind, sizeof sv.kind, "%s",
               service_kinds[wg__demo_rng_range(&r, 0, (long)(sizeof service_kinds / sizeof *service_kinds) - 1)]);
      sv.date = wg__demo_ymd(wg__demo_days(today) - wg__demo_rng_range(&r, 1, 360));
      sv.hours = (double)wg__demo_rng_range(&r, 2, 8) / 2;
      int g = p->grid[1] >= 0 ? p->grid[1] : p->grid[0];
      if (g >= 0) snprintf(sv.grid, sizeof sv.grid, "%s", v.grids[g].code);
      iso_at(sv.date, 10, 0, sv.recorded_at);
      snprintf(sv.actor, sizeof sv.actor, "demo");
      e = wg_store_service_add(s, &sv);
      sum->services++;
    }
  }
  /* ---- duty rosters: urban communities, four weeks back, one ahead ---- */
  for (int g = 0; g < v.ngrids && !e; g++) {
    if (v.grids[g].level != 1 || (g > 0 && !strcmp(v.grids[g - 1].community, v.grids[g].community)))
      continue;
    wg_division_t d;
    if (wg_store_division_get(s, v.grids[g].community, &d) != WG_OK || d.kind != WG_AREA_URBAN)
      continue;
    /* the community's level-1 workers take turns */
    int64_t crew[16];
    int ncrew = 0;
    for (int k = g; k < v.ngrids && ncrew < 16 && !strcmp(v.grids[k].community, v.grids[g].community); k++)
      if (v.grids[k].level == 1 && l1_worker[k]) crew[ncrew++] = l1_worker[k];
    if (!ncrew) continue;
    for (long day = -28; day <= 7 && !e; day++)
      for (int sh = 0; sh < 2 && !e; sh++) {
        wg_shift_row row = {.staff_id = crew[(day + 28 + sh) % ncrew]};
        snprintf(row.county, sizeof row.county, WG_DEMO_COUNTY);
        snprintf(row.place, sizeof row.place, "%s", v.grids[g].community);
        snprintf(row.shift, sizeof row.shift, "%s", sh ? "夜班 18:00-08:00" : "白班 08:00-18:00");
        row.date = wg__demo_ymd(wg__demo_days(today) + day);
        row.status = day >= 0 ? WG_SHIFT_PLANNED : wg__demo_rng_chance(&r, 0.03) ? WG_SHIFT_MISSED : WG_SHIFT_DONE;
        if (row.status == WG_SHIFT_DONE)
          snprintf(row.handover, sizeof row.handover, "%s",
                   wg__demo_rng_chance(&r, 0.8) ? "无异常，已交接" : "接群众来电一次，已转网格员处理");
        e = wg_store_shift_add(s, &row);
        sum->shifts++;
        sum->missed_shifts += row.status == WG_SHIFT_MISSED;
      }
  }
  if (e) {
    wg_errinfo_set(ei, e, "writing service and rosters: %s", wg_store_errmsg(s));
    goto done;
  }

  /* ---- a closed flood call in 滨河社区 ---- */
  if (have_binhe) {
    int g = -1;
    /* the level-1 grid of Binhe with the most households */
    long best = -1;
    long *hh_in = calloc((size_t)v.ngrids + 1, sizeof *hh_in);
    if (!hh_in) {
      e = WG_ENOMEM;
      goto done;
    }
    for (long h = 0; h < v.nhouseholds; h++)
      if (v.households[h].grid[0] >= 0) hh_in[v.households[h].grid[0]]++;
    for (int k = 0; k < v.ngrids; k++)
      if (v.grids[k].level == 1 && !strcmp(v.grids[k].community, binhe.code) && hh_in[k] > best)
        best = hh_in[k], g = k;
    free(hh_in);
    if (g >= 0) {
      wg_incident_row inc = {.need = 120};
      snprintf(inc.county, sizeof inc.county, WG_DEMO_COUNTY);
      snprintf(inc.title, sizeof inc.title, "岚河滨河段汛情：转移沿河低洼处居民、封堵漫水点");
      snprintf(inc.grid, sizeof inc.grid, "%s", v.grids[g].code);
      int32_t day = wg__demo_ymd(wg__demo_days(today) - 23);
      iso_at(day, 6, 40, inc.created_at);
      iso_at(day, 10, 0, inc.due);
      long called = 0;
      /* the demo's clock, not the wall's: the call at 06:40, answers by
       * 09:30, closed at 18:00 */
      char at[32];
      who.at = inc.created_at;
      e = wg_mobilise_open(s, &who, &inc, 170, &called, ei);
      iso_at(day, 9, 30, at);
      who.at = at;
      sum->incident_id = inc.id;
      sum->incident_called = called;
      /* answers, nearest first: most arrive, some decline, a few only
       * acknowledge, the last say nothing */
      resp_list rl = {0};
      if (!e) e = wg_store_responder_each(s, WG_DEMO_COUNTY, inc.id, collect_resp, &rl);
      long arrive = rl.n * 3 / 4, decline = rl.n / 12, ack = rl.n / 20;
      for (long i = 0; i < rl.n && !e; i++) {
        int st = i < arrive ? WG_RESP_ARRIVED
                 : i < arrive + decline ? WG_RESP_DECLINED
                 : i < arrive + decline + ack ? WG_RESP_ACKNOWLEDGED
                                              : 0;
        if (st) e = wg_mobilise_respond(s, &who, inc.id, rl.r[i].person_kind, rl.r[i].person_id, st, ei);
        sum->incident_arrived += st == WG_RESP_ARRIVED;
      }
      free(rl.r);
      char summary[256];
      snprintf(summary, sizeof summary,
               "%ld 人到岗（需要 %d 人），转移沿河低洼处居民 46 户 112 人，封堵漫水点 3 处，无人员伤亡",
               sum->incident_arrived, inc.need);
      char closed[32];
      iso_at(day, 18, 0, closed);
      who.at = closed;
      if (!e) e = wg_mobilise_close(s, &who, inc.id, 5, summary, ei);
      who.at = NULL;
    }
  }
  if (!e) {
    wg_audit_t a = {.action = "demo_org", .origin = "cli"};
    snprintf(a.actor, sizeof a.actor, "demo");
    snprintf(a.target, sizeof a.target, "organisation of %s", WG_DEMO_COUNTY);
    e = wg_store_audit_add(s, &a);
  }
  if (!e) {
    e = wg_store_commit(s);
    if (e) wg_errinfo_set(ei, e, "cannot commit: %s", wg_store_errmsg(s));
  }
done:
  free(members_in);
  free(l1_worker);
  free(l2_worker);
  free(ps.p);
  wg_u64map_free(&ps.hh);
  wg_org_view_free(&v);
  if (e) {
    wg_store_rollback(s);
    return e;
  }
  return WG_OK;
}

void wg_demo_org_print(const wg_demo_org_summary *m, FILE *out) {
  fprintf(out,
          "  组织 organisation:       网格员 grid workers %ld level-1 + %ld level-2, 楼栋长 building "
          "heads %ld, 社区工作人员 community staff %ld;\n"
          "                           党支部 branches %ld, 党小组 groups %ld, 党员中心户 central "
          "households %ld;\n"
          "                           党员 Party members %ld (在职党员报到 registered %ld, 滨河社区 %ld), "
          "志愿者 volunteers %ld;\n"
          "                           包片联户 contacts %ld of %ld households, 入户走访 visits %ld "
          "(%ld households overdue), 服务 service entries %ld, 值班 shifts %ld (%ld missed)\n"
          "  应急动员 mobilisation:   call #%lld closed: %ld called, %ld arrived\n",
          m->workers_l1, m->workers_l2, m->building_heads, m->community_staff, m->branches,
          m->groups, m->central_households, m->members, m->registered, m->registered_binhe,
          m->volunteers, m->contacts, m->households, m->visits, m->overdue, m->services, m->shifts,
          m->missed_shifts, (long long)m->incident_id, m->incident_called, m->incident_arrived);
}
