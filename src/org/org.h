/* org.h — the people side of the grids: who is responsible for each grid
 * and building, the Party organisation mapped onto grid levels, household
 * contact, visits and their frequency, and emergency mobilisation.
 *
 * Three layers:
 *  - the rules (org.c, mobilise.c): pure functions over an in-memory view
 *    (wg_org_view) and a date — no I/O, the clock is a parameter, so tests
 *    drive them with any "today";
 *  - the loader (org_load.c): fills a view from the store for the county's
 *    active plan;
 *  - the operations (org_ops.c): validated writes (staff, assignments,
 *    members, registration, organisations, service, contact, rosters,
 *    visits, incidents), each with its audit row in the same transaction.
 *
 * Names and phones leave through wg_present_person (present.h), masked.
 *
 * The Party mapping rules (DESIGN.md §1): a branch (党支部) on each level-1
 * grid; on each level-2 grid a group (党小组) when at least group_min Party
 * members live there, else a Party-member central household (党员中心户).
 * After a re-division every organisation whose grid is gone (or whose grid
 * now breaks the rule) is reported with a proposed change. */
#ifndef WG_ORG_H
#define WG_ORG_H

#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

/* ---- settings ------------------------------------------------------------ */

enum { WG_ORG_MAX_RULES = 16 };

typedef struct wg_org_settings {
  int group_min;               /* members for a group (default 3): meta org.group_min */
  int head_min;                /* households that make a building need a head
                                  (default 2): meta org.head_min_households */
  int worker_levels;           /* bit l-1 set: every level-l grid needs its own worker
                                  (default levels 1 and 2): meta org.worker_levels "1,2" */
  struct {
    char tag[32];              /* a tag code, or "all" */
    int days;
  } rules[WG_ORG_MAX_RULES];   /* visit every N days: meta org.visit_every
                                  "elderly_alone:7,all:90" */
  int nrules;
} wg_org_settings;

void wg_org_settings_init(wg_org_settings *o);
/* Parses the settings' texts (NULL = keep the default). WG_EINVAL with
 * ei->field and ei->why. */
wg_err wg_org_settings_parse(wg_org_settings *o, const char *group_min, const char *worker_levels,
                             const char *visit_every, wg_errinfo *ei) WG_MUST_CHECK;
/* Defaults overridden by the store's meta keys. */
wg_err wg_org_settings_load(wg_store_t *s, wg_org_settings *o, wg_errinfo *ei) WG_MUST_CHECK;
/* Days between visits for a household whose members carry tags (",a,b,"):
 * the smallest interval of a matching rule ("all" matches every one). 0 =
 * no rule asks for visits. */
int wg_org_visit_interval(const wg_org_settings *o, const char *tags);

/* ---- the view ------------------------------------------------------------ */

typedef struct wg_org_grid {
  char code[19];
  char parent[19];             /* the parent grid, or the community at level 1 */
  char community[13];
  int level;
  double minx, miny, maxx, maxy;
} wg_org_grid;

typedef struct wg_org_household {
  int64_t id;
  int grid[3];                 /* indices into grids per level, -1 none */
  char community[13];
  char tags[256];              /* union of its active members' tags ",a,b," */
  int32_t last_visit;          /* yyyymmdd, 0 = never */
  int contacts;                /* people who took it (包片联户) */
} wg_org_household;

typedef struct wg_org_person {
  int kind;                    /* WG_PERSON_STAFF / WG_PERSON_MEMBER */
  int64_t id;
  int role;                    /* staff: wg_staff_kind; member: wg_member_kind */
  int level;                   /* staff grid level */
  int party;                   /* a Party member */
  int in_service;              /* registered in-service member */
  char community[13];
  int grid[3];                 /* a member's home grid per level, -1 */
  int *grids;                  /* staff: indices of assigned grids (owned) */
  int ngrids;
  double lon, lat;             /* 0,0 unknown */
  char skills[256];
} wg_org_person;

typedef struct wg_org_unit {   /* a building with households */
  int64_t id;
  char community[13];
  int grid[3];                 /* of its first entrance */
  int heads;                   /* building heads assigned */
  long households;             /* households living there */
} wg_org_unit;

typedef struct wg_org_porg {
  wg_party_org_row row;
  int grid;                    /* index in the active plan, -1 = gone */
  /* set up on an earlier plan: where the entrances of its grid then are
   * now (active grids of the same level), how many there were, and how
   * many entrances the grid of the same code has now */
  long old_entrances, same_code_entrances;
  int nto;
  struct { int grid; long entrances; } to[8];
} wg_org_porg;

typedef struct wg_org_view {
  char county[7];
  int64_t plan_id;
  wg_org_grid *grids;          /* ordered by code */
  int ngrids;
  wg_org_household *households;
  long nhouseholds;
  wg_org_person *people;
  long npeople;
  wg_org_unit *buildings;
  long nbuildings;
  wg_org_porg *orgs;
  int norgs;
} wg_org_view;

/* Loads the view of the county's active plan. WG_ENOTFOUND when the county
 * has no active plan. Free with wg_org_view_free. */
wg_err wg_org_view_load(wg_store_t *s, const char *county, wg_org_view *v,
                        wg_errinfo *ei) WG_MUST_CHECK;
void wg_org_view_free(wg_org_view *v); /* accepts zeroed */
/* A lighter view for one worker's visits: every grid, but only the
 * households of the given grid codes (and their sub-grids), their last
 * visits and contacts, and the active staff with their grids — no members,
 * buildings or organisations. Enough for wg_org_visits_due and
 * wg_org_coverage_compute over those grids. */
wg_err wg_org_view_load_grids(wg_store_t *s, const char *county, const char *const *codes,
                              int ncodes, wg_org_view *v, wg_errinfo *ei) WG_MUST_CHECK;
/* The index of a grid code, or -1. */
int wg_org_grid_find(const wg_org_view *v, const char *code);
/* 1 when grid code `inner` is `outer` or lies under it. */
int wg_org_code_within(const char *inner, const char *outer);

/* ---- the check ----------------------------------------------------------- */

typedef enum wg_org_finding_kind {
  WG_OF_GRID_NO_WORKER = 1,    /* a grid of a worker level without its own worker */
  WG_OF_BUILDING_NO_HEAD,      /* a building with households and no head */
  WG_OF_L1_NO_BRANCH,          /* a level-1 grid without a branch */
  WG_OF_L2_NO_ORG,             /* a level-2 grid with neither group nor central household */
  WG_OF_GROUP_TOO_SMALL,       /* a group where fewer than group_min members live */
  WG_OF_ORG_GRID_GONE,         /* an organisation on a grid the active plan does not have */
  WG_OF_ORG_WRONG_LEVEL,       /* a branch not on a level-1 grid, a group not on level 2 */
  WG_OF_ORG_GRID_REDRAWN,      /* its grid kept its code but a re-division redrew it */
  WG_OF_STAFF_GRID_GONE,       /* a worker assigned to a grid the active plan does not have */
  WG_OF_HOUSEHOLD_NO_CONTACT,  /* a household nobody took */
  WG_OF_KIND_COUNT_
} wg_org_finding_kind;

const char *wg_org_finding_name(wg_org_finding_kind k); /* "grid_without_worker", … */

typedef struct wg_org_finding {
  wg_org_finding_kind kind;
  char code[19];               /* the grid (or community) concerned */
  int64_t id;                  /* building, organisation, staff or household id, 0 */
  char what[160];              /* in words */
  char proposal[200];          /* the proposed change, "" */
} wg_org_finding;

typedef struct wg_org_report {
  wg_org_finding *items;
  long n, cap;
  long count[WG_OF_KIND_COUNT_];
} wg_org_report;

/* Runs every rule over v. Memory: free with wg_org_report_free. */
wg_err wg_org_check(const wg_org_view *v, const wg_org_settings *o,
                    wg_org_report *out) WG_MUST_CHECK;
void wg_org_report_free(wg_org_report *r);

/* Party members living in each grid: out[ngrids] (caller-allocated). */
void wg_org_members_per_grid(const wg_org_view *v, int in_service_only, long *out);

/* ---- visits and coverage ---------------------------------------------------- */

typedef struct wg_org_due {
  int64_t household_id;
  int grid;                    /* most specific grid index */
  int interval;                /* days */
  int32_t last_visit;          /* 0 = never */
  int days_overdue;            /* > 0 overdue; ≤ 0 due in -days */
} wg_org_due;

/* The households in the grids of staff member `staff_id` (and their
 * sub-grids) that a rule asks to visit and whose visit is due on or before
 * `today` + ahead days, most overdue first. *out malloc'd (free). */
wg_err wg_org_visits_due(const wg_org_view *v, const wg_org_settings *o, int64_t staff_id,
                         int32_t today, int ahead, wg_org_due **out, long *n) WG_MUST_CHECK;

/* Per grid: households, those with a contact, those a rule asks to visit and
 * those visited within their interval as of today. Arrays of v->ngrids
 * (caller-allocated); per-level totals in level_*[3]. */
typedef struct wg_org_coverage {
  long *households, *contacted, *to_visit, *visited;
  long level_households[3], level_contacted[3], level_to_visit[3], level_visited[3];
} wg_org_coverage;

void wg_org_coverage_compute(const wg_org_view *v, const wg_org_settings *o, int32_t today,
                             wg_org_coverage *c);

/* Days from yyyymmdd a to b (b - a). */
long wg_org_days_between(int32_t a, int32_t b);

/* ---- mobilisation (mobilise.c) ---------------------------------------------- */

typedef struct wg_mobilise_need {
  double lon, lat;             /* the place (WGS84); 0,0 = the grid's centre */
  int grid;                    /* index of the affected grid, -1 */
  int need;                    /* people wanted */
  char skills[256];            /* ",first_aid," or "" */
} wg_mobilise_need;

typedef struct wg_mobilise_candidate {
  int kind;                    /* WG_PERSON_* */
  int64_t id;
  double distance;             /* metres */
  int skills_matched;          /* how many needed skills they have */
} wg_mobilise_candidate;

/* Proposes responders: people whose grids (staff: assigned; members: home)
 * are the affected grid, lie under it, or are among `near` (indices of
 * neighbouring grids, any level), not already on another open call (busy:
 * sorted pairs kind*2^40+id, or NULL), skill matches first then nearest
 * first (ties by kind, id). At most limit (0 = all). *out malloc'd. */
wg_err wg_mobilise_propose(const wg_org_view *v, const wg_mobilise_need *need, const int *near,
                           int nnear, const int64_t *busy, long nbusy, long limit,
                           wg_mobilise_candidate **out, long *n) WG_MUST_CHECK;

/* Live head-count of a call. */
typedef struct wg_headcount {
  int need;
  long called, acknowledged, declined, arrived;
  long on_the_way;             /* acknowledged, not yet arrived */
  long short_by;               /* need - arrived - on_the_way, ≥ 0 */
  int met;                     /* arrived ≥ need */
} wg_headcount;

void wg_mobilise_headcount(int need, const int *statuses, long n, wg_headcount *out);
/* Great-circle distance in metres. */
double wg_org_distance(double lon1, double lat1, double lon2, double lat2);
/* 1 when a "first_aid" style skill is in the list ",a,b,". */
int wg_org_has_skill(const char *list, const char *skill);

/* ---- operations (org_ops.c): validated, audited writes ---------------------
 *
 * Each checks its input (ei says which field and why: WG_EINVAL, or
 * WG_ENOTFOUND for an unknown id or code), writes, and appends an audit row
 * (actor, origin "cli"/"http", the target) in the same transaction: its own,
 * or the caller's when one is open (an import). Grid codes must be grids of
 * the active plan. */

typedef struct wg_org_actor {
  const char *actor;           /* login or "cli:user" */
  const char *origin;          /* "cli", "http" */
  const char *at;              /* ISO time the mobilisation rows carry, NULL =
                                  now (the demo passes its own clock) */
} wg_org_actor;

/* Adds a staff member with its grids (ngrids codes, may be 0). Name
 * required; phone optional (11-digit mobile); community a community code of
 * the county; grids within that community. Sets r->id. */
wg_err wg_org_staff_add(wg_store_t *s, const wg_org_actor *who, wg_staff_row *r,
                        const char *const *grids, int ngrids, wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_org_staff_assign(wg_store_t *s, const wg_org_actor *who, int64_t staff_id,
                           const char *grid, int on, wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_org_building_head(wg_store_t *s, const wg_org_actor *who, int64_t staff_id,
                            int64_t building_id, int on, wg_errinfo *ei) WG_MUST_CHECK;
/* Links a staff member to a user login ("" unlinks). */
wg_err wg_org_staff_link(wg_store_t *s, const wg_org_actor *who, int64_t staff_id,
                         const char *login, wg_errinfo *ei) WG_MUST_CHECK;

/* Adds a Party member or volunteer: with r->resident_id, name, phone and
 * community come from the ledger (a Party member must carry the
 * party_member tag); without, name and community are required. */
wg_err wg_org_member_add(wg_store_t *s, const wg_org_actor *who, wg_member_row *r,
                         wg_errinfo *ei) WG_MUST_CHECK;
/* In-service registration (在职党员报到) with the home community. */
wg_err wg_org_member_register(wg_store_t *s, const wg_org_actor *who, int64_t member_id,
                              const char *community, const char *employer, int32_t date,
                              const char *skills, wg_errinfo *ei) WG_MUST_CHECK;

/* Sets up a branch (level-1 grid), group (level-2) or central household
 * (level-2, with member_id); WG_EEXIST when the grid has one. */
wg_err wg_org_party_add(wg_store_t *s, const wg_org_actor *who, wg_party_org_row *r,
                        wg_errinfo *ei) WG_MUST_CHECK;
/* Moves an organisation to another grid of the active plan and/or changes
 * its kind (group ↔ central household, member_id for the latter); or
 * dissolves it (dissolve = 1). */
wg_err wg_org_party_change(wg_store_t *s, const wg_org_actor *who, int64_t id, const char *grid,
                           int kind, int64_t member_id, int dissolve,
                           wg_errinfo *ei) WG_MUST_CHECK;

/* A service log entry (member or staff, kind, date, hours, grid, household). */
wg_err wg_org_service_add(wg_store_t *s, const wg_org_actor *who, wg_service_row *r,
                          wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_org_contact(wg_store_t *s, const wg_org_actor *who, int64_t household_id,
                      int person_kind, int64_t person_id, int32_t since, int on,
                      wg_errinfo *ei) WG_MUST_CHECK;
wg_err wg_org_shift_add(wg_store_t *s, const wg_org_actor *who, wg_shift_row *r,
                        wg_errinfo *ei) WG_MUST_CHECK;
/* Closes a shift: done (with its handover note) or missed. */
wg_err wg_org_shift_close(wg_store_t *s, const wg_org_actor *who, int64_t id, int status,
                          const char *handover, wg_errinfo *ei) WG_MUST_CHECK;
/* Records a visit; r->grid is filled with the household's grid. */
wg_err wg_org_visit_add(wg_store_t *s, const wg_org_actor *who, wg_visit_row *r,
                        wg_errinfo *ei) WG_MUST_CHECK;
/* The most specific grid code of the household in the active plan ("" when
 * none) into code[19]. */
wg_err wg_org_household_grid(wg_store_t *s, const char *county, int64_t household_id,
                             char code[19]) WG_MUST_CHECK;

/* ---- mobilisation operations (mobilise_ops.c) -------------------------------- */

/* Opens an incident and calls responders: proposes (affected grid, its
 * sub-grids and its neighbours at the same level by the plan's polygons),
 * calls the first `call` of them (0 = twice the need), writes a notice for
 * each and queues one webhook message per call when meta
 * "mobilise.webhook" holds a URL. r->grid may be "" when lon/lat are given
 * (the point is located). Sets r->id; *called the number called. */
wg_err wg_mobilise_open(wg_store_t *s, const wg_org_actor *who, wg_incident_row *r, long call,
                        long *called, wg_errinfo *ei) WG_MUST_CHECK;
/* A responder's answer: WG_RESP_ACKNOWLEDGED, _DECLINED or _ARRIVED.
 * WG_ENOTFOUND when the person was not called; WG_ECONFLICT when closed. */
wg_err wg_mobilise_respond(wg_store_t *s, const wg_org_actor *who, int64_t incident_id,
                           int person_kind, int64_t person_id, int status,
                           wg_errinfo *ei) WG_MUST_CHECK;
/* The live head-count of an incident. */
wg_err wg_mobilise_count(wg_store_t *s, int64_t incident_id, wg_headcount *out) WG_MUST_CHECK;
/* Closes an incident with a summary: each arrived responder gets `hours`
 * of emergency service in the service log. */
wg_err wg_mobilise_close(wg_store_t *s, const wg_org_actor *who, int64_t incident_id,
                         double hours, const char *summary, wg_errinfo *ei) WG_MUST_CHECK;

#endif
