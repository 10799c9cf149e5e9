/* matters.h — matters against the store: report (routed to its grid and
 * grid worker), act (the rules of matter.h, who may, the event and the new
 * state in one transaction with its audit row), the deadline clock,
 * duplicates, and checking a matter against its event trail.
 *
 * Routing: a report without a position but with a standard address takes
 * the position of the building the address names (estate + building, e.g.
 * "易居苑3号楼2单元501"). A located report is placed in the active plan's level-3/2/1
 * grids (wg_plan_locate, or a location the caller already resolved); the
 * responsible grid worker is the first enabled user of role grid-worker
 * scoped to the level-3 grid, else level 2, else level 1. The matter starts
 * at its category's level; a matter of grid level with no grid worker
 * starts at the community (or the county when it lies in no grid).
 *
 * Who acts as what on a matter (wg_matters_kinds): its reporter (by login)
 * as reporter; admin and county staff as supervisors; township staff as
 * supervisors while the matter is at township level or below, community
 * staff while at community or grid level (within their scope); a grid
 * worker as handler of matters dispatched to them, or of unassigned
 * matters in their grids. The console (no principal) acts as any but the
 * system. */
#ifndef WG_MATTERS_H
#define WG_MATTERS_H

#include "auth/auth.h"
#include "matter/matter.h"
#include "store/store.h"
#include "territory/plan.h"

typedef struct wg_matter_report {
  const char *category;       /* code, required, active */
  const char *title;          /* required, ≤ 127 bytes */
  const char *description;    /* ≤ 1023 bytes */
  int located;                /* lon/lat given */
  double lon, lat;            /* WGS84 */
  const char *address;        /* free text or standard address, optional */
  const wg_located *where;    /* grids already resolved for lon/lat, or NULL */
  const char *reporter;       /* login, "open311:<key>" or "public" */
  const char *reporter_name;  /* optional, personal */
  const char *reporter_phone; /* optional, personal */
  const char *source;         /* "cli", "web", "open311", "demo" */
  const char *photos;         /* comma-separated SHA-256 of stored photos, or NULL */
  wg_matter_actor kind;       /* reporter, or handler for a grid worker's own report */
  const char *actor;          /* for the event and audit */
  const char *origin;         /* audit: "cli", client address */
  int64_t now;                /* unix seconds */
  int no_audit;               /* bulk loads (the demo) audit once for the whole load */
  /* Work a caller may do beforehand on another connection (the group-commit
   * writer's requests do it on their own threads): */
  const wg_category_t *cat;   /* the category row of `category`, or NULL */
  int routed;                 /* handler below is the routing's answer for where */
  int64_t handler;            /* the grid worker (0 = none) */
} wg_matter_report;

/* The grid worker of a place: the first enabled grid-worker user scoped to
 * its level-3 grid, else level 2, else level 1 (0 = none). */
wg_err wg_matters_route(wg_store_t *s, const wg_located *where, int64_t *handler) WG_MUST_CHECK;

/* Reports a matter: checks, routes, applies REPORT and stores the matter
 * with its first event and an audit row in one transaction (or inside the
 * caller's). *out gets the stored matter. WG_EINVAL (ei->field says which
 * input), WG_ENOTFOUND (unknown category). */
wg_err wg_matters_report(wg_store_t *s, const char *county, const wg_matter_report *in,
                         wg_matter_row *out, wg_errinfo *ei) WG_MUST_CHECK;

/* Who acts: a signed-in principal, or the console (p NULL). */
typedef struct wg_matter_who {
  const wg_principal *p;      /* NULL = the console */
  const char *actor;          /* login or "cli:user" */
  const char *origin;         /* "cli" or the client address */
  int system;                 /* the deadline clock */
  int no_audit;               /* bulk loads */
} wg_matter_who;

/* 1 when p may see the matter (its most specific grid, else its
 * community, through wg_auth_can_see; its reporter always). */
int wg_matters_visible(const wg_principal *p, const wg_matter_row *m);
/* The actor kinds (WG_MACT_* bits) p holds on m; the console all but the
 * system. */
unsigned wg_matters_kinds(const wg_principal *p, const wg_matter_row *m);

/* What to do (ev->action and its arguments; at = the time). */
typedef struct wg_matter_step {
  wg_matter_action action;
  int64_t handler;            /* DISPATCH: user id of a grid worker */
  int64_t other;              /* MERGE: the surviving matter */
  int value;                  /* EVALUATE: 1..5; EXTEND: hours */
  const char *note;           /* reason / note */
  const char *photos;         /* comma-separated SHA-256, or NULL */
  int64_t now;
} wg_matter_step;

/* Takes a step on matter id as who, in one transaction (event, state,
 * audit). *out (may be NULL) gets the matter after it. WG_ENOTFOUND (no
 * such matter, or not visible to who), WG_EPERM, WG_ECONFLICT (not in this
 * state, or changed meanwhile), WG_EINVAL — each with ei->why. */
wg_err wg_matters_act(wg_store_t *s, int64_t id, const wg_matter_who *who,
                      const wg_matter_step *step, wg_matter_row *out,
                      wg_errinfo *ei) WG_MUST_CHECK;

/* The deadline clock: escalates every open matter of the county whose stage
 * deadline has passed at now (one level per passed deadline), as the
 * system. *escalated (may be NULL) gets how many. */
wg_err wg_matters_tick(wg_store_t *s, const char *county, int64_t now,
                       long *escalated) WG_MUST_CHECK;

/* Replays matter id's events and compares the result with its stored
 * state: WG_OK, or WG_ECORRUPT with ei->why. */
wg_err wg_matters_check(wg_store_t *s, int64_t id, wg_errinfo *ei) WG_MUST_CHECK;

/* Duplicates offered on a report: open matters of the category within
 * WG_MATTER_NEAR_M metres of the point. */
enum { WG_MATTER_NEAR_M = 50 };

/* Writes "2026-11-29T14:33:57+08:00" (China Standard Time) for t. */
void wg_matter_time_iso(int64_t t, char out[32]);
/* Parses ISO 8601 date-times with a zone (Z, ±hh:mm, ±hhmm) or a bare
 * date (midnight China time). WG_EINVAL when malformed. */
wg_err wg_matter_time_parse(const char *text, int64_t *out) WG_MUST_CHECK;

/* API keys of Open311 clients: "wg_" + 40 hex digits. new makes one and
 * its SHA-256 (hex); check finds the key in force for a presented key
 * (WG_EPERM when unknown or revoked; one answer for both). */
void wg_matters_apikey_new(char key[48], char hash[65]);
wg_err wg_matters_apikey_check(wg_store_t *s, const char *key,
                               wg_api_key_row *out) WG_MUST_CHECK;

/* The reporter's name and phone, masked, for any output. */
void wg_matters_reporter_masked(const wg_matter_row *m, char name[64], char phone[24]);

#endif
