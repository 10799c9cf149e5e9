/* demo.h — `wangge demo`'s generator: a realistic synthetic county modelled
 * on Lan County (岚县, Lüliang, Shanxi; division code 141127).
 *
 * What it writes, through store.h only, in one transaction:
 *  - the real NBS 2023 divisions of Lan County (10 township-level units, 137
 *    village-level units) and their ancestors, loaded from data/divisions;
 *  - the county seat's urban communities under 东村镇 (141127100001…), which
 *    are not in the NBS list: 滨河社区 (6 estates, one of them 易居苑) and
 *    人民路社区 from local reporting, and invented ones beside them;
 *  - standard addresses: estates, buildings (1–30 storeys, WGS84 lon/lat on a
 *    street grid around the seat at about 38.28°N 111.67°E, on both banks of
 *    the 岚河, none in the river), entrances and dwellings; villages as
 *    clusters of courtyard houses around village centres within ~35 km;
 *  - households and residents calibrated to data/demographics/FACTS.md
 *    (Lüliang: 2.44 persons per household, sex ratio 107.84, ages 0–14
 *    19.43%, 15–59 63.85%, 60+ 16.71%) with valid, unique GB 11643 ID
 *    numbers, unique mobile numbers and special-group tags;
 *  - one import event a year before `today`, then a year of births, deaths,
 *    moves, move-outs, move-ins, tag changes and corrections, each its own
 *    event, so the ledger as of a mid-year date differs from today's.
 *
 * Deterministic: the same seed, size and `today` give byte-identical
 * database content (every timestamp written is derived, none read from the
 * clock). The demo streams people into the store; memory stays at a few
 * megabytes per million residents. */
#ifndef WG_DEMO_H
#define WG_DEMO_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"
#include "util/err.h"

#define WG_DEMO_COUNTY "141127"
#define WG_DEMO_DEFAULT_RESIDENTS 130000L
#define WG_DEMO_MIN_RESIDENTS 1000L
#define WG_DEMO_MAX_RESIDENTS 2000000L

typedef struct wg_demo_opts {
  uint64_t seed;         /* PRNG seed; any value (0 is fine) */
  long residents;        /* about this many residents today; 0 = default
                            130,000; else 1,000..2,000,000 */
  int32_t today;         /* yyyymmdd, the demo's "now"; 0 = today's date in
                            China Standard Time (not reproducible: pass a
                            date for byte-identical output) */
  const char *data_dir;  /* the repo's data/; NULL = WG_DATA_DIR (compiled in) */
  void (*progress)(void *ctx, const char *stage, double fraction); /* or NULL */
  void *progress_ctx;
} wg_demo_opts;

/* Fills o with the defaults (seed 1, 130,000 residents, today 0, data_dir
 * NULL, no progress callback). */
void wg_demo_opts_init(wg_demo_opts *o);

/* What the demo built; counts of residents are today's active ledger. */
typedef struct wg_demo_summary {
  uint64_t seed;
  long asked;                 /* residents asked for */
  int32_t history_from;       /* date of the import event (≈ today − 1 year) */
  int32_t today;
  /* territory */
  long townships;             /* township-level units (乡镇) */
  long communities;           /* village-level units incl. urban communities */
  long urban_communities;     /* 社区 of the county seat (generated) */
  long villages;              /* 村委会 */
  long estates, buildings, entrances, dwellings;
  /* people, today */
  long households;            /* households with at least one active member */
  long residents;             /* active residents */
  long urban_households, urban_residents; /* in the seat's urban communities */
  long imported;              /* residents entered by the import event */
  long children_0_14, working_15_59, elderly_60plus;
  long elderly_alone, veterans, disabled, low_income, party_members;
  long registered, resident_elsewhere_registered, floating;
  long with_phone;
  double male_share;          /* males / residents */
  double sex_ratio;           /* males per 100 females */
  double mean_household_size; /* residents / households */
  double occupancy;           /* occupied dwellings / dwellings at the import */
  /* the year of history */
  long events;                /* every event written, the import included */
  long births, deaths, moves, moved_out, moved_in, tag_changes, corrections;
} wg_demo_summary;

/* Builds the demo county into s (a fresh database, or one holding no
 * residents of 141127 yet). Division reference data is loaded first with
 * wg_division_load_dir (its own transaction); everything else is written in
 * one transaction, rolled back on any error. On success *sum (may be NULL)
 * is filled. Errors: WG_EINVAL (options out of range; ei->field names the
 * option), WG_ECONFLICT (the database already holds residents of 141127),
 * WG_EIO/WG_EFORMAT (data files unreadable; ei->file says which), WG_ENOMEM,
 * WG_EEXIST/WG_EDB and the like from the store (ei->why says where). */
wg_err wg_demo_build(wg_store_t *s, const wg_demo_opts *o, wg_demo_summary *sum,
                     wg_errinfo *ei) WG_MUST_CHECK;

/* Prints a human summary (Chinese labels with English) to out. */
void wg_demo_summary_print(const wg_demo_summary *sum, FILE *out);

/* A year of matters for the demo (demo_matters.c), after the demo is
 * divided (plan_id active) and its accounts exist: a grid worker per
 * level-2 grid (the demo password), then about `count` matters reported
 * over the year before today, each living its life by the rules up to
 * today 18:00 China time; one transaction, one audit row. Deterministic in
 * seed and today. *made (may be NULL) gets how many were stored. */
#define WG_DEMO_MATTERS 50000L
wg_err wg_demo_matters(wg_store_t *s, int64_t plan_id, int32_t today, uint64_t seed, long count,
                       long *made, wg_errinfo *ei) WG_MUST_CHECK;
/* ---- the organisation (demo_org.c) -------------------------------------------
 *
 * After the demo county is divided (plan_id active) and its accounts made:
 * a plausible organisation reproducing the model county's structure — a
 * grid worker on every level-1 and level-2 grid (full-time in the seat,
 * part-time in villages), a head for every building of two or more
 * households, community staff; every resident tagged party_member as a
 * member, about 1,236 of them registered in service county-wide (187 in
 * 滨河社区; scaled with the demo's size), volunteers; a Party branch on
 * every level-1 grid and on every level-2 grid a group (≥ 3 members living
 * there) or a central household; household contacts (a few holes left),
 * a year of service logs, visits at the frequency settings (some overdue),
 * four weeks of duty rosters and a week ahead, and a closed flood call in
 * 滨河社区 with 100+ arrivals. The `gridworker` account becomes the worker
 * of its grid. Deterministic for seed and today (timestamps derived). One
 * transaction. */
typedef struct wg_demo_org_summary {
  long workers_l1, workers_l2, building_heads, community_staff;
  long branches, groups, central_households;
  long members, registered, registered_binhe, volunteers;
  long contacts, households, visits, overdue, services, shifts, missed_shifts;
  long incident_called, incident_arrived;
  int64_t incident_id;
} wg_demo_org_summary;

wg_err wg_demo_org(wg_store_t *s, uint64_t seed, int32_t today, long residents_asked,
                   wg_demo_org_summary *sum, wg_errinfo *ei) WG_MUST_CHECK;
void wg_demo_org_print(const wg_demo_org_summary *sum, FILE *out);
/* ---- campaigns and targets (demo_campaigns.c) ------------------------------ */

typedef struct wg_demo_campaigns_summary {
  int64_t testing_id, vaccination_id, policy_id;
  long testing_items, testing_reported;   /* finished round: items, reported */
  long vaccination_items, vaccination_done; /* 60+: items, fully vaccinated */
  long policy_items, policy_handled;      /* veterans' households: items, handled */
  int skills_townships, skills_weeks;     /* the skills-training indicator */
  long skills_actuals;                    /* weekly figures written */
} wg_demo_campaigns_summary;

/* Adds the demo's campaigns and targets to a demo county (built, divided):
 * a mass-testing round finished 40 days before today, an elderly
 * vaccination in progress (30 days), a policy push to veterans' households
 * (14 days), and the skills-training indicator with targets for last year
 * and this year and 52 weeks of actuals per township, this year's summing
 * to 38,200 of 35,000 (109.14%) in today's week. Deterministic for
 * o->seed and today. */
wg_err wg_demo_campaigns(wg_store_t *s, const wg_demo_opts *o, int32_t today,
                         wg_demo_campaigns_summary *sum, wg_errinfo *ei) WG_MUST_CHECK;

#endif
