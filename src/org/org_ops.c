/* org_ops.c — the organisation's writes: each validated, then written with
 * its audit row in one transaction (its own, or the caller's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"
#include "org/org.h"

/* Begins a transaction unless the caller has one (*own says which). */
static wg_err tx_begin(wg_store_t *s, int *own) {
  wg_err e = wg_store_begin(s);
  *own = e == WG_OK;
  return e == WG_ECONFLICT ? WG_OK : e;
}

static wg_err tx_end(wg_store_t *s, int own, wg_err e) {
  if (!own) return e;
  if (e == WG_OK) {
    e = wg_store_commit(s);
    if (e == WG_OK) return WG_OK;
  }
  wg_store_rollback(s);
  return e;
}

static wg_err audit(wg_store_t *s, const wg_org_actor *who, const char *action,
                    const char *target) {
  wg_audit_t a = {0};
  snprintf(a.actor, sizeof a.actor, "%s", who && who->actor ? who->actor : "unknown");
  snprintf(a.action, sizeof a.action, "%s", action);
  snprintf(a.target, sizeof a.target, "%s", target);
  snprintf(a.origin, sizeof a.origin, "%s", who && who->origin ? who->origin : "cli");
  return wg_store_audit_add(s, &a);
}

static wg_err bad(wg_errinfo *ei, wg_err e, const char *field, const char *why) {
  if (ei) snprintf(ei->field, sizeof ei->field, "%s", field);
  return wg_errinfo_set(ei, e, "%s", why);
}

static wg_err active_plan(wg_store_t *s, const char *county, int64_t *plan, wg_errinfo *ei) {
  wg_plan_t p;
  wg_err e = wg_store_plan_active(s, county, &p);
  if (e == WG_ENOTFOUND)
    return bad(ei, e, "grid", "the county has no active plan (wangge divide, plan activate)");
  if (e) return e;
  *plan = p.id;
  return WG_OK;
}

/* A grid of the active plan; WG_ENOTFOUND naming it otherwise. */
static wg_err grid_of_plan(wg_store_t *s, const char *county, const char *code, wg_grid_t *g,
                           int64_t *plan, wg_errinfo *ei) {
  size_t n = code ? strlen(code) : 0;
  int ok = n == 14 || n == 16 || n == 18;
  for (size_t i = 0; ok && i < n; i++) ok = code[i] >= '0' && code[i] <= '9';
  if (!ok) return bad(ei, WG_EINVAL, "grid", "a grid code is 14, 16 or 18 digits");
  int64_t p;
  wg_err e = active_plan(s, county, &p, ei);
  if (e) return e;
  if (plan) *plan = p;
  e = wg_store_grid_get(s, p, code, g);
  if (e == WG_ENOTFOUND) {
    if (ei) snprintf(ei->value, sizeof ei->value, "%s", code);
    return bad(ei, e, "grid", "no such grid in the active plan");
  }
  return e;
}

static wg_err community_of_county(wg_store_t *s, const char *county, const char *code,
                                  wg_errinfo *ei) {
  wg_division_t d;
  if (!code || strlen(code) != 12 || strncmp(code, county, 6) != 0 ||
      wg_store_division_get(s, code, &d) != WG_OK || d.level != WG_DIV_COMMUNITY) {
    if (ei) snprintf(ei->value, sizeof ei->value, "%s", code ? code : "");
    return bad(ei, WG_EINVAL, "community", "not a community or village code of the county");
  }
  return WG_OK;
}

static wg_err check_phone(char *phone, wg_errinfo *ei) {
  if (!phone[0]) return WG_OK;
  char out[WG_PHONE_LEN + 1];
  wg_err e = wg_phone_validate(phone, out, ei);
  if (e) {
    if (ei) snprintf(ei->field, sizeof ei->field, "phone");
    return e;
  }
  memcpy(phone, out, sizeof out);
  return WG_OK;
}

/* Normalises a skills list "a, b;c" → ",a,b,c," (ASCII words, ≤ 255 bytes). */
static wg_err norm_skills(char *skills, size_t cap, wg_errinfo *ei) {
  char out[256] = "";
  size_t len = 0;
  for (const char *p = skills; *p;) {
    size_t n = strcspn(p, ",;，、 ");
    if (n) {
      if (len == 0) out[len++] = ',';
      if (len + n + 2 > sizeof out) return bad(ei, WG_ETOOBIG, "skills", "too many skills");
      memcpy(out + len, p, n);
      len += n;
      out[len++] = ',';
      out[len] = '\0';
    }
    p += n;
    /* skip one separator (multi-byte ones too) */
    if (*p) {
      if (!strncmp(p, "，", 3) || !strncmp(p, "、", 3))
        p += 3;
      else
        p++;
    }
  }
  snprintf(skills, cap, "%s", out);
  return WG_OK;
}

wg_err wg_org_staff_add(wg_store_t *s, const wg_org_actor *who, wg_staff_row *r,
                        const char *const *grids, int ngrids, wg_errinfo *ei) {
  if (r->kind < WG_STAFF_GRID_WORKER || r->kind > WG_STAFF_COMMUNITY)
    return bad(ei, WG_EINVAL, "kind", "grid-worker, building-head or community-staff");
  if (!r->name[0]) return bad(ei, WG_EINVAL, "name", "a name is required");
  if (r->level < 0 || r->level > 3) return bad(ei, WG_EINVAL, "level", "a grid level 1 to 3");
  wg_err e = community_of_county(s, r->county, r->community, ei);
  if (!e) e = check_phone(r->phone, ei);
  if (!e) e = norm_skills(r->skills, sizeof r->skills, ei);
  if (e) return e;
  r->active = 1;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_staff_add(s, r);
  for (int i = 0; i < ngrids && !e; i++) {
    wg_grid_t g;
    e = grid_of_plan(s, r->county, grids[i], &g, NULL, ei);
    if (!e && strcmp(g.community, r->community) != 0)
      e = bad(ei, WG_EINVAL, "grid", "the grid is in another community");
    if (!e) e = wg_store_staff_grid_set(s, r->id, r->county, grids[i], 1);
  }
  char target[128];
  snprintf(target, sizeof target, "staff #%lld", (long long)r->id);
  if (!e) e = audit(s, who, "staff_add", target);
  return tx_end(s, own, e);
}

static wg_err staff_of(wg_store_t *s, int64_t id, wg_staff_row *r, wg_errinfo *ei) {
  wg_err e = wg_store_staff_get(s, id, r);
  if (e == WG_ENOTFOUND) return bad(ei, e, "staff", "no such staff member");
  return e;
}

wg_err wg_org_staff_assign(wg_store_t *s, const wg_org_actor *who, int64_t staff_id,
                           const char *grid, int on, wg_errinfo *ei) {
  wg_staff_row r;
  wg_grid_t g;
  wg_err e = staff_of(s, staff_id, &r, ei);
  if (!e && on) e = grid_of_plan(s, r.county, grid, &g, NULL, ei);
  if (e) return e;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_staff_grid_set(s, staff_id, r.county, grid, on);
  char target[128];
  snprintf(target, sizeof target, "staff #%lld grid %s", (long long)staff_id, grid);
  if (!e) e = audit(s, who, on ? "staff_assign" : "staff_release", target);
  return tx_end(s, own, e);
}

wg_err wg_org_building_head(wg_store_t *s, const wg_org_actor *who, int64_t staff_id,
                            int64_t building_id, int on, wg_errinfo *ei) {
  wg_staff_row r;
  wg_err e = staff_of(s, staff_id, &r, ei);
  if (e) return e;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_staff_building_set(s, staff_id, r.county, building_id, on);
  if (e == WG_EINVAL) e = bad(ei, WG_ENOTFOUND, "building", "no such building");
  char target[128];
  snprintf(target, sizeof target, "staff #%lld building #%lld", (long long)staff_id,
           (long long)building_id);
  if (!e) e = audit(s, who, on ? "building_head" : "building_head_off", target);
  return tx_end(s, own, e);
}

wg_err wg_org_staff_link(wg_store_t *s, const wg_org_actor *who, int64_t staff_id,
                         const char *login, wg_errinfo *ei) {
  wg_staff_row r;
  wg_err e = staff_of(s, staff_id, &r, ei);
  if (e) return e;
  if (login && *login) {
    wg_user_row u;
    if (wg_store_user_get(s, login, &u) != WG_OK)
      return bad(ei, WG_ENOTFOUND, "login", "no such user (wangge user add)");
  }
  snprintf(r.login, sizeof r.login, "%s", login ? login : "");
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_staff_update(s, &r);
  char target[128];
  snprintf(target, sizeof target, "staff #%lld login %.64s", (long long)staff_id, r.login);
  if (!e) e = audit(s, who, "staff_link", target);
  return tx_end(s, own, e);
}

wg_err wg_org_member_add(wg_store_t *s, const wg_org_actor *who, wg_member_row *r,
                         wg_errinfo *ei) {
  if (r->kind != WG_MEMBER_PARTY && r->kind != WG_MEMBER_VOLUNTEER)
    return bad(ei, WG_EINVAL, "kind", "party or volunteer");
  wg_err e;
  if (r->resident_id) {
    wg_resident_t res;
    e = wg_store_resident_get(s, r->resident_id, &res);
    if (e == WG_ENOTFOUND) return bad(ei, e, "resident", "no such resident in the ledger");
    if (e) return e;
    if (res.status != WG_ST_ACTIVE)
      return bad(ei, WG_EINVAL, "resident", "the resident has moved out or died");
    if (r->kind == WG_MEMBER_PARTY && !wg_org_has_skill(res.tags, "party_member"))
      return bad(ei, WG_EINVAL, "resident",
                 "the ledger does not tag this resident as a Party member (party_member)");
    snprintf(r->name, sizeof r->name, "%s", res.name);
    if (!r->phone[0]) snprintf(r->phone, sizeof r->phone, "%s", res.phone);
    if (!r->community[0] && res.dwelling_id) {
      int64_t ent;
      if (wg_store_dwelling_place(s, res.dwelling_id, &ent, r->community) != WG_OK)
        r->community[0] = '\0';
    }
  }
  if (!r->name[0]) return bad(ei, WG_EINVAL, "name", "a name is required");
  if ((e = community_of_county(s, r->county, r->community, ei))) return e;
  if (r->grid[0]) {
    wg_grid_t g;
    if ((e = grid_of_plan(s, r->county, r->grid, &g, NULL, ei))) return e;
  }
  if ((e = check_phone(r->phone, ei))) return e;
  if ((e = norm_skills(r->skills, sizeof r->skills, ei))) return e;
  if (r->login[0]) {
    wg_user_row u;
    if (wg_store_user_get(s, r->login, &u) != WG_OK)
      return bad(ei, WG_ENOTFOUND, "login", "no such user (wangge user add)");
  }
  if (r->in_service && !r->registered_on)
    return bad(ei, WG_EINVAL, "registered_on", "an in-service member's registration date");
  r->active = 1;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_member_add(s, r);
  if (e == WG_EEXIST) e = bad(ei, e, "resident", "this resident is already a member");
  char target[128];
  snprintf(target, sizeof target, "member #%lld", (long long)r->id);
  if (!e) e = audit(s, who, "member_add", target);
  return tx_end(s, own, e);
}

wg_err wg_org_member_register(wg_store_t *s, const wg_org_actor *who, int64_t member_id,
                              const char *community, const char *employer, int32_t date,
                              const char *skills, wg_errinfo *ei) {
  wg_member_row m;
  wg_err e = wg_store_member_get(s, member_id, &m);
  if (e == WG_ENOTFOUND) return bad(ei, e, "member", "no such member");
  if (e) return e;
  if (m.kind != WG_MEMBER_PARTY)
    return bad(ei, WG_EINVAL, "member", "only Party members register in service");
  if (community && *community) {
    if ((e = community_of_county(s, m.county, community, ei))) return e;
    snprintf(m.community, sizeof m.community, "%s", community);
  }
  if (!wg_date_valid(date)) return bad(ei, WG_EINVAL, "date", "a registration date");
  if (!employer || !*employer) return bad(ei, WG_EINVAL, "employer", "the member's employer");
  snprintf(m.employer, sizeof m.employer, "%s", employer);
  if (skills) {
    snprintf(m.skills, sizeof m.skills, "%s", skills);
    if ((e = norm_skills(m.skills, sizeof m.skills, ei))) return e;
  }
  m.in_service = 1;
  m.registered_on = date;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_member_update(s, &m);
  char target[128];
  snprintf(target, sizeof target, "member #%lld community %s", (long long)member_id, m.community);
  if (!e) e = audit(s, who, "member_register", target);
  return tx_end(s, own, e);
}

static wg_err porg_rules(wg_store_t *s, const char *county, int kind, const char *grid,
                         int64_t member_id, int64_t *plan, wg_errinfo *ei) {
  if (kind < WG_PORG_BRANCH || kind > WG_PORG_CENTRAL)
    return bad(ei, WG_EINVAL, "kind", "branch, group or central");
  wg_grid_t g;
  wg_err e = grid_of_plan(s, county, grid, &g, plan, ei);
  if (e) return e;
  if (kind == WG_PORG_BRANCH && g.level != 1)
    return bad(ei, WG_EINVAL, "grid", "a branch sits on a level-1 grid");
  if (kind != WG_PORG_BRANCH && g.level != 2)
    return bad(ei, WG_EINVAL, "grid", "a group or central household sits on a level-2 grid");
  if (kind == WG_PORG_CENTRAL) {
    wg_member_row m;
    if (!member_id || wg_store_member_get(s, member_id, &m) != WG_OK || m.kind != WG_MEMBER_PARTY)
      return bad(ei, WG_EINVAL, "member", "a central household needs a Party member (--member)");
  }
  return WG_OK;
}

wg_err wg_org_party_add(wg_store_t *s, const wg_org_actor *who, wg_party_org_row *r,
                        wg_errinfo *ei) {
  wg_err e = porg_rules(s, r->county, r->kind, r->grid, r->member_id, &r->plan_id, ei);
  if (e) return e;
  if (!r->name[0])
    snprintf(r->name, sizeof r->name, "%s %s",
             r->kind == WG_PORG_BRANCH ? "党支部" : r->kind == WG_PORG_GROUP ? "党小组" : "党员中心户",
             r->grid);
  r->active = 1;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_party_org_add(s, r);
  if (e == WG_EEXIST) e = bad(ei, e, "grid", "the grid already has a Party organisation");
  char target[128];
  snprintf(target, sizeof target, "party org #%lld grid %s", (long long)r->id, r->grid);
  if (!e) e = audit(s, who, "party_org_add", target);
  return tx_end(s, own, e);
}

wg_err wg_org_party_change(wg_store_t *s, const wg_org_actor *who, int64_t id, const char *grid,
                           int kind, int64_t member_id, int dissolve, wg_errinfo *ei) {
  wg_party_org_row r;
  wg_err e = wg_store_party_org_get(s, id, &r);
  if (e == WG_ENOTFOUND || (!e && !r.active)) return bad(ei, WG_ENOTFOUND, "id", "no such organisation");
  if (e) return e;
  if (dissolve) {
    r.active = 0;
  } else {
    if (grid && *grid) snprintf(r.grid, sizeof r.grid, "%s", grid);
    if (kind) r.kind = kind;
    if (member_id) r.member_id = member_id;
    if (r.kind != WG_PORG_CENTRAL) r.member_id = 0;
    if ((e = porg_rules(s, r.county, r.kind, r.grid, r.member_id, &r.plan_id, ei))) return e;
  }
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_party_org_update(s, &r);
  if (e == WG_EEXIST) e = bad(ei, e, "grid", "the grid already has a Party organisation");
  char target[128];
  snprintf(target, sizeof target, "party org #%lld grid %s", (long long)id, r.grid);
  if (!e) e = audit(s, who, dissolve ? "party_org_dissolve" : "party_org_change", target);
  return tx_end(s, own, e);
}

wg_err wg_org_household_grid(wg_store_t *s, const char *county, int64_t household_id,
                             char code[19]) {
  code[0] = '\0';
  int64_t ent;
  char community[13];
  wg_err e = wg_store_household_entrance(s, household_id, &ent, community);
  if (e) return e;
  wg_plan_t p;
  e = wg_store_plan_active(s, county, &p);
  if (e == WG_ENOTFOUND) return WG_OK;
  if (e) return e;
  char codes[3][19];
  e = wg_store_entrance_grids(s, p.id, ent, codes);
  if (e == WG_ENOTFOUND) return WG_OK;
  if (e) return e;
  for (int l = 2; l >= 0 && !code[0]; l--)
    if (codes[l][0]) memcpy(code, codes[l], 19);
  return WG_OK;
}

wg_err wg_org_service_add(wg_store_t *s, const wg_org_actor *who, wg_service_row *r,
                          wg_errinfo *ei) {
  if ((r->member_id > 0) == (r->staff_id > 0))
    return bad(ei, WG_EINVAL, "member", "a service entry is one member's or one staff member's");
  if (!r->kind[0]) return bad(ei, WG_EINVAL, "kind", "the kind of service (visit_care, policy, cleaning, emergency, …)");
  if (!wg_date_valid(r->date)) return bad(ei, WG_EINVAL, "date", "the date of the service");
  if (!(r->hours > 0 && r->hours <= 24)) return bad(ei, WG_EINVAL, "hours", "hours from 0 to 24");
  wg_err e;
  if (r->member_id) {
    wg_member_row m;
    if ((e = wg_store_member_get(s, r->member_id, &m)) == WG_ENOTFOUND)
      return bad(ei, e, "member", "no such member");
    if (e) return e;
  }
  if (r->household_id) {
    char code[19];
    e = wg_org_household_grid(s, r->county, r->household_id, code);
    if (e == WG_ENOTFOUND) return bad(ei, e, "household", "no such household");
    if (e) return e;
    if (!r->grid[0]) memcpy(r->grid, code, sizeof r->grid);
  } else if (r->grid[0]) {
    wg_grid_t g;
    if ((e = grid_of_plan(s, r->county, r->grid, &g, NULL, ei))) return e;
  }
  snprintf(r->actor, sizeof r->actor, "%s", who && who->actor ? who->actor : "unknown");
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_service_add(s, r);
  char target[128];
  snprintf(target, sizeof target, "service #%lld", (long long)r->id);
  if (!e) e = audit(s, who, "service_add", target);
  return tx_end(s, own, e);
}

wg_err wg_org_contact(wg_store_t *s, const wg_org_actor *who, int64_t household_id,
                      int person_kind, int64_t person_id, int32_t since, int on,
                      wg_errinfo *ei) {
  char county[7];
  wg_err e;
  if (person_kind == WG_PERSON_STAFF) {
    wg_staff_row r;
    if ((e = staff_of(s, person_id, &r, ei))) return e;
    memcpy(county, r.county, sizeof county);
  } else if (person_kind == WG_PERSON_MEMBER) {
    wg_member_row m;
    if ((e = wg_store_member_get(s, person_id, &m)) == WG_ENOTFOUND)
      return bad(ei, e, "member", "no such member");
    if (e) return e;
    memcpy(county, m.county, sizeof county);
  } else {
    return bad(ei, WG_EINVAL, "person", "staff or member");
  }
  int64_t ent;
  char community[13];
  if ((e = wg_store_household_entrance(s, household_id, &ent, community)) == WG_ENOTFOUND)
    return bad(ei, e, "household", "no such household");
  if (e) return e;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_contact_set(s, county, household_id, person_kind, person_id, since, on);
  char target[128];
  snprintf(target, sizeof target, "household #%lld %s #%lld", (long long)household_id,
           person_kind == WG_PERSON_STAFF ? "staff" : "member", (long long)person_id);
  if (!e) e = audit(s, who, on ? "contact_add" : "contact_remove", target);
  return tx_end(s, own, e);
}

wg_err wg_org_shift_add(wg_store_t *s, const wg_org_actor *who, wg_shift_row *r,
                        wg_errinfo *ei) {
  wg_staff_row st;
  wg_err e = staff_of(s, r->staff_id, &st, ei);
  if (e) return e;
  size_t n = strlen(r->place);
  if (n == 12) {
    if ((e = community_of_county(s, r->county, r->place, ei))) return e;
  } else {
    wg_grid_t g;
    if ((e = grid_of_plan(s, r->county, r->place, &g, NULL, ei))) return e;
  }
  if (!wg_date_valid(r->date)) return bad(ei, WG_EINVAL, "date", "the date of the shift");
  if (!r->shift[0]) snprintf(r->shift, sizeof r->shift, "day");
  r->status = WG_SHIFT_PLANNED;
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_shift_add(s, r);
  char target[128];
  snprintf(target, sizeof target, "shift #%lld %s", (long long)r->id, r->place);
  if (!e) e = audit(s, who, "shift_add", target);
  return tx_end(s, own, e);
}

wg_err wg_org_shift_close(wg_store_t *s, const wg_org_actor *who, int64_t id, int status,
                          const char *handover, wg_errinfo *ei) {
  if (status != WG_SHIFT_DONE && status != WG_SHIFT_MISSED)
    return bad(ei, WG_EINVAL, "status", "done or missed");
  wg_shift_row r;
  wg_err e = wg_store_shift_get(s, id, &r);
  if (e == WG_ENOTFOUND) return bad(ei, e, "shift", "no such shift");
  if (e) return e;
  if (r.status != WG_SHIFT_PLANNED) return bad(ei, WG_ECONFLICT, "shift", "the shift is closed already");
  r.status = status;
  if (handover) snprintf(r.handover, sizeof r.handover, "%s", handover);
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_shift_update(s, &r);
  char target[128];
  snprintf(target, sizeof target, "shift #%lld", (long long)id);
  if (!e) e = audit(s, who, status == WG_SHIFT_DONE ? "shift_done" : "shift_missed", target);
  return tx_end(s, own, e);
}

wg_err wg_org_visit_add(wg_store_t *s, const wg_org_actor *who, wg_visit_row *r,
                        wg_errinfo *ei) {
  wg_staff_row st;
  wg_err e = staff_of(s, r->staff_id, &st, ei);
  if (e) return e;
  if (!wg_date_valid(r->date)) return bad(ei, WG_EINVAL, "date", "the date of the visit");
  e = wg_org_household_grid(s, r->county, r->household_id, r->grid);
  if (e == WG_ENOTFOUND) return bad(ei, e, "household", "no such household");
  if (e) return e;
  snprintf(r->actor, sizeof r->actor, "%s", who && who->actor ? who->actor : "unknown");
  int own;
  if ((e = tx_begin(s, &own))) return e;
  e = wg_store_visit_add(s, r);
  char target[128];
  snprintf(target, sizeof target, "visit #%lld household #%lld", (long long)r->id,
           (long long)r->household_id);
  if (!e) e = audit(s, who, "visit_add", target);
  return tx_end(s, own, e);
}
