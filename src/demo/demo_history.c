/* demo_history.c — a year in the life of the demo county's ledger.
 *
 * Right after a household is imported, its year is planned: each possible
 * change is drawn with a yearly rate, given an effective date between the
 * import and `today`, sorted, and applied in date order through
 * wg_store_resident_update (one event each, actor "demo", a reason in
 * Chinese). Changes that no longer apply when their turn comes (a move of
 * someone who died in spring) are dropped. Rates (per year):
 *
 *   death            by age (Gompertz), ~7‰ overall
 *   birth            women 21–40 living with a husband, ~6‰ of residents
 *   household move   1.2% urban / 0.4% rural households, to a vacant dwelling
 *   leaving home     2.5% of grown children (22+) set up their own household
 *   move-out         young adults 2%; whole households 0.6% (floating 8%)
 *   move-in          new households into vacant dwellings (per unit)
 *   tags             低保 granted/withdrawn, disability certified, Party
 *                    membership, discharged soldiers; a widowed elder now
 *                    living alone
 *   corrections      a misspelt name (0.2%), a new phone number (1.2%)
 *
 * Vacant dwellings come from the unit's pool of dwellings empty at the
 * import; a dwelling vacated during the year is not offered again, so no
 * dwelling ever has two households at once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

enum plan_kind {
  P_DEATH,
  P_BIRTH,
  P_MOVE_HOUSEHOLD,
  P_LEAVE_HOME,
  P_MOVE_OUT_ONE,
  P_MOVE_OUT_HOUSEHOLD,
  P_LOW_INCOME_ADD,
  P_LOW_INCOME_REMOVE,
  P_DISABLED_ADD,
  P_PARTY_ADD,
  P_VETERAN_ADD,
  P_CORRECT_NAME,
  P_CORRECT_PHONE,
};

typedef struct plan_ev {
  long day;       /* effective day (days since 1970) */
  int kind;
  int who;        /* member index, or -1 for the household */
} plan_ev_t;

#define PLAN_MAX 48

typedef struct plan {
  plan_ev_t ev[PLAN_MAX];
  int n;
} plan_t;

static void plan_add(plan_t *p, wg__demo_t *d, wg__demo_rng_t *r, int kind, int who) {
  if (p->n >= PLAN_MAX) return;
  long span = d->today_day - d->start_day;
  p->ev[p->n].day = d->start_day + 1 + wg__demo_rng_range(r, 0, span - 1);
  p->ev[p->n].kind = kind;
  p->ev[p->n].who = who;
  p->n++;
}

static int plan_cmp(const void *a, const void *b) {
  const plan_ev_t *x = a, *y = b;
  if (x->day != y->day) return x->day < y->day ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->who - y->who;
}

/* Yearly probability of death at an age (Gompertz, fitted so the county's
 * crude death rate comes out near 7‰). */
static double death_p(int age) {
  double q = 0.000052 * exp(0.088 * age);
  if (age < 1) q += 0.004; /* infant mortality */
  return q > 0.5 ? 0.5 : q;
}

static double birth_p(int age, int children) {
  double p = age < 21 || age > 40 ? 0 : age < 25 ? 0.09 : age < 30 ? 0.15 : age < 35 ? 0.09 : 0.03;
  if (children == 1) p *= 0.55;
  if (children >= 2) p *= 0.12;
  return p;
}

static int active(const wg__demo_person_t *p) { return p->r.status == WG_ST_ACTIVE; }

static int has_tag(const wg__demo_person_t *p, int t) { return (p->tags >> t) & 1u; }

/* Writes the changed version of member p with a new event. */
static wg_err commit_change(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_person_t *p,
                            wg_event_kind kind, int32_t date, const char *reason,
                            const char *detail) {
  int64_t ev;
  wg_err e = wg__demo_event(d, r, kind, p->r.id, date, reason, detail, &ev);
  if (e != WG_OK) return e;
  p->r.event_id = ev;
  p->r.since = date;
  wg__demo_tags_render(d, p);
  e = wg_store_resident_update(d->s, &p->r);
  if (e != WG_OK) return wg__demo_fail(d, e, "updating a resident");
  return WG_OK;
}

static int pop_vacant(wg__demo_dwellings_t *vac, int64_t *id) {
  if (vac->n == 0) return 0;
  *id = vac->id[--vac->n];
  return 1;
}

static const char *pick_reason(wg__demo_rng_t *r, const char *const *reasons, size_t n) {
  return reasons[wg__demo_rng_range(r, 0, (long)n - 1)];
}
#define PICK(r, arr) pick_reason((r), (arr), sizeof(arr) / sizeof *(arr))

static int count_active(const wg__demo_household_t *h) {
  int n = 0;
  for (int i = 0; i < h->n; i++) n += active(&h->m[i]);
  return n;
}

/* After a death: the spouse takes over as head; an elder left on their own
 * is now an elder living alone. */
static wg_err after_death(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_household_t *h, int dead,
                          int32_t date) {
  wg_err e = WG_OK;
  if (strcmp(h->m[dead].r.relation, "户主") == 0) {
    for (int i = 0; i < h->n; i++) {
      wg__demo_person_t *p = &h->m[i];
      if (i == dead || !active(p) || strcmp(p->r.relation, "配偶") != 0) continue;
      snprintf(p->r.relation, sizeof p->r.relation, "%s", "户主");
      e = commit_change(d, r, p, WG_EV_CORRECTION, date, "原户主去世，变更户主",
                        "{\"field\":\"relation\",\"to\":\"户主\"}");
      d->corrections++;
      break;
    }
  }
  int couple = strcmp(h->m[dead].r.relation, "户主") == 0 || strcmp(h->m[dead].r.relation, "配偶") == 0;
  if (e == WG_OK && count_active(h) == 1) {
    for (int i = 0; i < h->n; i++) {
      wg__demo_person_t *p = &h->m[i];
      if (!active(p) || wg__demo_age(p->r.birth, date) < 60 ||
          has_tag(p, WG__TAG_ELDERLY_ALONE))
        continue;
      int widowed = couple && p->gen == 0 && (strcmp(p->r.relation, "户主") == 0 ||
                                              strcmp(p->r.relation, "配偶") == 0);
      p->tags |= 1u << WG__TAG_ELDERLY_ALONE;
      p->tags &= ~(1u << WG__TAG_EMPTY_NEST);
      e = commit_change(d, r, p, WG_EV_TAG_ADD, date,
                        widowed ? "配偶去世，现独自居住" : "同住亲属去世，现独自居住",
                        "{\"tag_add\":\"elderly_alone\",\"tag_remove\":\"empty_nest\"}");
      d->tag_changes++;
    }
  }
  return e;
}

static int children_of(const wg__demo_household_t *h, int32_t date, int *youngest_age) {
  int n = 0;
  *youngest_age = 99;
  for (int i = 0; i < h->n; i++)
    if (h->m[i].gen == 1 && active(&h->m[i])) {
      n++;
      int a = wg__demo_age(h->m[i].r.birth, date);
      if (a < *youngest_age) *youngest_age = a;
    }
  return n;
}

static int husband_present(const wg__demo_household_t *h) {
  for (int i = 0; i < h->n; i++)
    if (h->m[i].gen == 0 && h->m[i].r.sex == 'M' && active(&h->m[i]) &&
        (strcmp(h->m[i].r.relation, "户主") == 0 || strcmp(h->m[i].r.relation, "配偶") == 0))
      return 1;
  return 0;
}

static wg_err do_birth(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                       wg__demo_household_t *h, int mother, int32_t date) {
  (void)u;
  if (h->n >= WG__DEMO_HH_MAX) return WG_OK;
  int youngest;
  children_of(h, date, &youngest);
  if (youngest < 1 || !husband_present(h)) return WG_OK;
  /* The father's surname: the husband's. */
  size_t surname = h->m[mother].surname;
  for (int i = 0; i < h->n; i++)
    if (h->m[i].gen == 0 && h->m[i].r.sex == 'M' && active(&h->m[i])) surname = h->m[i].surname;
  wg__demo_person_t *b = &h->m[h->n];
  memset(b, 0, sizeof *b);
  b->r = h->m[mother].r; /* county, residence, household, dwelling */
  b->r.id = 0;
  b->r.sex = wg__demo_rng_chance(r, 0.535) ? 'M' : 'F';
  b->r.birth = date;
  b->r.phone[0] = '\0';
  snprintf(b->r.relation, sizeof b->r.relation, "%s", b->r.sex == 'M' ? "子" : "女");
  b->surname = surname;
  b->gen = 1;
  b->tags = h->m[mother].tags & (1u << WG__TAG_LOW_INCOME);
  wg__demo_person_name(d, r, b);
  /* registered where the parents are */
  int addr = 0;
  if (b->r.residence != WG_RES_REGISTERED) {
    for (size_t a = 0; a < wg__demo_addr_count; a++)
      if (strncmp(h->m[mother].r.id_number, wg__demo_addr_codes[a], 6) == 0) addr = (int)a;
  }
  wg_err e = wg__demo_id_make(&d->ids, addr, b->r.birth, b->r.sex, b->r.id_number);
  if (e != WG_OK) return wg__demo_fail(d, e, "making a newborn's ID number");
  wg__demo_tags_render(d, b);
  char detail[160];
  snprintf(detail, sizeof detail, "{\"mother\":%lld,\"relation\":\"%s\"}",
           (long long)h->m[mother].r.id, b->r.relation);
  int64_t ev;
  if ((e = wg__demo_event(d, r, WG_EV_BIRTH, 0, date, "新生儿出生登记", detail, &ev)) != WG_OK)
    return e;
  b->r.event_id = ev;
  b->r.since = date;
  b->r.status = WG_ST_ACTIVE;
  if ((e = wg_store_resident_insert(d->s, &b->r)) != WG_OK)
    return wg__demo_fail(d, e, "registering a newborn");
  h->n++;
  d->births++;
  return WG_OK;
}

/* Moves members (mask of member indices) to dwelling `to` as household
 * `hh`; relation of a lone mover becomes 户主. */
static wg_err move_members(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_household_t *h,
                           unsigned mask, int64_t hh, int64_t to, int32_t date,
                           const char *reason) {
  wg_err e = WG_OK;
  for (int i = 0; i < h->n && e == WG_OK; i++) {
    wg__demo_person_t *p = &h->m[i];
    if (!(mask & (1u << i)) || !active(p)) continue;
    char detail[128];
    snprintf(detail, sizeof detail, "{\"dwelling\":{\"from\":%lld,\"to\":%lld}}",
             (long long)p->r.dwelling_id, (long long)to);
    p->r.dwelling_id = to;
    p->r.household_id = hh;
    e = commit_change(d, r, p, WG_EV_MOVE, date, reason, detail);
    d->moves++;
  }
  return e;
}

static wg_err apply(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                    wg__demo_household_t *h, const plan_ev_t *pe, wg__demo_dwellings_t *vac) {
  int32_t date = wg__demo_ymd(pe->day);
  wg__demo_person_t *p = pe->who >= 0 ? &h->m[pe->who] : NULL;
  if (p && !active(p)) return WG_OK;
  if (!p && count_active(h) == 0) return WG_OK;
  int rural = u->set == WG__SET_RURAL;
  wg_err e = WG_OK;
  switch (pe->kind) {
    case P_DEATH: {
      static const char *const reasons[] = {"因病去世", "因病去世", "自然死亡", "意外身故"};
      p->r.status = WG_ST_DEAD;
      e = commit_change(d, r, p, WG_EV_DEATH, date, PICK(r, reasons), "{\"status\":\"dead\"}");
      d->deaths++;
      if (e == WG_OK) e = after_death(d, r, h, pe->who, date);
      break;
    }
    case P_BIRTH:
      e = do_birth(d, r, u, h, pe->who, date);
      break;
    case P_MOVE_HOUSEHOLD: {
      int64_t to, hh;
      if (!pop_vacant(vac, &to)) break;
      if ((e = wg__demo_household_new(d, u, to, &hh)) != WG_OK) break;
      static const char *const reasons[] = {"购置新房，全户搬迁", "租房搬迁", "房屋拆迁安置"};
      e = move_members(d, r, h, ~0u, hh, to, date, PICK(r, reasons));
      break;
    }
    case P_LEAVE_HOME: {
      int64_t to, hh;
      if (wg__demo_age(p->r.birth, date) < 22 || !pop_vacant(vac, &to)) break;
      if ((e = wg__demo_household_new(d, u, to, &hh)) != WG_OK) break;
      snprintf(p->r.relation, sizeof p->r.relation, "%s", "户主");
      e = move_members(d, r, h, 1u << pe->who, hh, to, date, "成年子女分户另居");
      break;
    }
    case P_MOVE_OUT_ONE: {
      int age = wg__demo_age(p->r.birth, date);
      const char *reason = age <= 19                              ? "考入大学，户口迁出"
                           : p->r.sex == 'F' && age >= 22 && age <= 32 &&
                                   wg__demo_rng_chance(r, 0.5) ? "婚嫁迁出"
                                                                : "外出务工，迁往外地";
      p->r.status = WG_ST_MOVED_OUT;
      e = commit_change(d, r, p, WG_EV_MOVE_OUT, date, reason, "{\"status\":\"moved_out\"}");
      d->moved_out++;
      break;
    }
    case P_MOVE_OUT_HOUSEHOLD: {
      static const char *const reasons[] = {"全户迁往太原市", "全户迁往离石区",
                                            "全户迁往外省", "投靠子女，全户迁出"};
      const char *reason =
          h->m[0].r.residence == WG_RES_FLOATING ? "流动人口离开本地" : PICK(r, reasons);
      for (int i = 0; i < h->n && e == WG_OK; i++) {
        if (!active(&h->m[i])) continue;
        h->m[i].r.status = WG_ST_MOVED_OUT;
        e = commit_change(d, r, &h->m[i], WG_EV_MOVE_OUT, date, reason,
                          "{\"status\":\"moved_out\"}");
        d->moved_out++;
      }
      break;
    }
    case P_LOW_INCOME_ADD:
    case P_LOW_INCOME_REMOVE: {
      int add = pe->kind == P_LOW_INCOME_ADD;
      if (h->m[0].r.residence == WG_RES_FLOATING || has_tag(&h->m[0], WG__TAG_LOW_INCOME) == add)
        break;
      const char *reason = !add  ? "家庭收入超过低保标准，退出低保"
                           : rural ? "经审核纳入农村最低生活保障"
                                   : "经审核纳入城市最低生活保障";
      for (int i = 0; i < h->n && e == WG_OK; i++) {
        if (!active(&h->m[i])) continue;
        if (add)
          h->m[i].tags |= 1u << WG__TAG_LOW_INCOME;
        else
          h->m[i].tags &= ~(1u << WG__TAG_LOW_INCOME);
        e = commit_change(d, r, &h->m[i], add ? WG_EV_TAG_ADD : WG_EV_TAG_REMOVE, date, reason,
                          add ? "{\"tag_add\":\"low_income\"}" : "{\"tag_remove\":\"low_income\"}");
        d->tag_changes++;
      }
      break;
    }
    case P_DISABLED_ADD:
    case P_PARTY_ADD:
    case P_VETERAN_ADD: {
      int tag = pe->kind == P_DISABLED_ADD ? WG__TAG_DISABLED
                : pe->kind == P_PARTY_ADD  ? WG__TAG_PARTY_MEMBER
                                           : WG__TAG_VETERAN;
      if (has_tag(p, tag)) break;
      const char *reason = tag == WG__TAG_DISABLED       ? "新办理残疾人证"
                           : tag == WG__TAG_PARTY_MEMBER ? "预备党员按期转正"
                                                         : "退役返乡登记";
      char detail[96];
      snprintf(detail, sizeof detail, "{\"tag_add\":\"%s\"}", d->tag_code[tag]);
      p->tags |= 1u << tag;
      e = commit_change(d, r, p, WG_EV_TAG_ADD, date, reason, detail);
      d->tag_changes++;
      break;
    }
    case P_CORRECT_NAME: {
      char old[64];
      snprintf(old, sizeof old, "%s", p->r.name);
      for (int tries = 0; tries < 5 && strcmp(old, p->r.name) == 0; tries++)
        wg__demo_person_name(d, r, p);
      if (strcmp(old, p->r.name) == 0) break;
      e = commit_change(d, r, p, WG_EV_CORRECTION, date, "姓名录入有误，依户口簿更正",
                        "{\"field\":\"name\"}");
      d->corrections++;
      break;
    }
    case P_CORRECT_PHONE:
      if (!p->r.phone[0]) break;
      wg__demo_phone_make(&d->phones, p->r.phone);
      e = commit_change(d, r, p, WG_EV_CORRECTION, date, "联系电话变更", "{\"field\":\"phone\"}");
      d->corrections++;
      break;
    default:
      break;
  }
  return e;
}

wg_err wg__demo_history_household(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                                  wg__demo_household_t *h, wg__demo_dwellings_t *vac) {
  plan_t plan;
  plan.n = 0;
  int rural = u->set == WG__SET_RURAL;
  int floating = h->m[0].r.residence == WG_RES_FLOATING;
  int32_t on = d->start;
  int low = has_tag(&h->m[0], WG__TAG_LOW_INCOME);

  for (int i = 0; i < h->n; i++) {
    wg__demo_person_t *p = &h->m[i];
    int age = wg__demo_age(p->r.birth, on);
    if (wg__demo_rng_chance(r, death_p(age))) plan_add(&plan, d, r, P_DEATH, i);
    if (p->r.sex == 'F' && p->gen == 0) {
      int youngest, kids = children_of(h, on, &youngest);
      if (wg__demo_rng_chance(r, birth_p(age, kids))) plan_add(&plan, d, r, P_BIRTH, i);
    }
    if (p->gen == 1 && age >= 22 && wg__demo_rng_chance(r, 0.025))
      plan_add(&plan, d, r, P_LEAVE_HOME, i);
    if (age >= 17 && age <= 35 && h->n > 1 && strcmp(p->r.relation, "户主") != 0 &&
        wg__demo_rng_chance(r, 0.02))
      plan_add(&plan, d, r, P_MOVE_OUT_ONE, i);
    double dis = age < 45 ? 0.0008 : age < 65 ? 0.002 : 0.005;
    if (wg__demo_rng_chance(r, dis)) plan_add(&plan, d, r, P_DISABLED_ADD, i);
    if (age >= 20 && age <= 45 && wg__demo_rng_chance(r, 0.003))
      plan_add(&plan, d, r, P_PARTY_ADD, i);
    if (p->r.sex == 'M' && age >= 20 && age <= 26 && wg__demo_rng_chance(r, 0.01))
      plan_add(&plan, d, r, P_VETERAN_ADD, i);
    if (age >= 16 && wg__demo_rng_chance(r, 0.002)) plan_add(&plan, d, r, P_CORRECT_NAME, i);
    if (p->r.phone[0] && wg__demo_rng_chance(r, 0.012)) plan_add(&plan, d, r, P_CORRECT_PHONE, i);
  }
  if (wg__demo_rng_chance(r, rural ? 0.004 : 0.012)) plan_add(&plan, d, r, P_MOVE_HOUSEHOLD, -1);
  if (wg__demo_rng_chance(r, floating ? 0.08 : 0.006))
    plan_add(&plan, d, r, P_MOVE_OUT_HOUSEHOLD, -1);
  if (!low && wg__demo_rng_chance(r, rural ? 0.008 : 0.003))
    plan_add(&plan, d, r, P_LOW_INCOME_ADD, -1);
  if (low && wg__demo_rng_chance(r, 0.12)) plan_add(&plan, d, r, P_LOW_INCOME_REMOVE, -1);

  qsort(plan.ev, (size_t)plan.n, sizeof *plan.ev, plan_cmp);
  for (int k = 0; k < plan.n; k++) {
    wg_err e = apply(d, r, u, h, &plan.ev[k], vac);
    if (e != WG_OK) return e;
  }
  return WG_OK;
}

wg_err wg__demo_history_move_ins(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                                 wg__demo_dwellings_t *vac) {
  double rate = u->set == WG__SET_URBAN ? 0.022 : u->set == WG__SET_PARK ? 0.08 : 0.010;
  double expected = rate * (double)u->households;
  long arrivals = (long)floor(expected) + (wg__demo_rng_chance(r, expected - floor(expected)) ? 1 : 0);
  for (long k = 0; k < arrivals; k++) {
    int64_t to, hh;
    if (!pop_vacant(vac, &to)) break;
    long day = d->start_day + 1 + wg__demo_rng_range(r, 0, d->today_day - d->start_day - 1);
    int32_t date = wg__demo_ymd(day);
    wg__demo_household_t h;
    /* who arrives: drawn as of the arrival day */
    wg__demo_household_draw(r, &d->names, u->set, date, &h);
    wg_err e = wg__demo_household_finish(d, r, u->set, 1, &h);
    if (e != WG_OK) return e;
    if ((e = wg__demo_household_new(d, u, to, &hh)) != WG_OK) return e;
    const char *reason = h.m[0].r.residence == WG_RES_FLOATING ? "务工租房入住，流动人口登记"
                         : h.m[0].r.residence == WG_RES_RESIDENT ? "购房入住，户籍在外地"
                                                                 : "户口迁入";
    char detail[96];
    snprintf(detail, sizeof detail, "{\"members\":%d,\"dwelling\":%lld}", h.n, (long long)to);
    int64_t ev;
    if ((e = wg__demo_event(d, r, WG_EV_MOVE_IN, 0, date, reason, detail, &ev)) != WG_OK)
      return e;
    for (int i = 0; i < h.n; i++) {
      wg__demo_person_t *p = &h.m[i];
      p->r.household_id = hh;
      p->r.dwelling_id = to;
      p->r.event_id = ev;
      p->r.since = date;
      if ((e = wg_store_resident_insert(d->s, &p->r)) != WG_OK)
        return wg__demo_fail(d, e, "registering a new arrival");
      d->moved_in++;
    }
  }
  return WG_OK;
}
