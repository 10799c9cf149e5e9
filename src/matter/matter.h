/* matter.h — matters (事项): the closed loop from report to evaluation, as
 * pure rules with no I/O.
 *
 * A matter's state is a small record; an action (report, accept, dispatch,
 * …) by an actor of some kind (reporter, handler, supervisor, the system's
 * deadline clock) at a time moves it by the one transition table. Each
 * applied action is logged as an event carrying everything apply needs, so
 * folding a matter's events with wg_matter_replay rebuilds its state
 * exactly. The clock is a parameter everywhere (unix seconds).
 *
 * Stages (数字城管: 信息收集 → 案卷建立 → 任务派遣 → 任务处理 → 处理反馈 →
 * 核实结案 → 综合评价): reported → accepted (立案) or rejected (不予立案) →
 * dispatched (派遣) → in progress → handled (反馈) → verified (核查) →
 * closed (结案) → evaluated (评价); verification may return the matter for
 * rework (返工); the handler may ask for an extension (延期) which a
 * supervisor approves or denies; a supervisor may suspend (挂账) and resume
 * it; the reporter may reopen a closed matter ("not fixed"); a duplicate is
 * merged into another matter (terminal). Escalation moves the matter up one
 * level (grid → community → township → county) without changing its stage. */
#ifndef WG_MATTER_H
#define WG_MATTER_H

#include <stdint.h>

#include "util/err.h"

typedef enum wg_matter_status {
  WG_MS_NONE = 0, /* before the report */
  WG_MS_REPORTED,
  WG_MS_ACCEPTED,
  WG_MS_REJECTED, /* terminal */
  WG_MS_DISPATCHED,
  WG_MS_IN_PROGRESS,
  WG_MS_HANDLED,
  WG_MS_VERIFIED,
  WG_MS_CLOSED,
  WG_MS_EVALUATED,
  WG_MS_SUSPENDED,
  WG_MS_MERGED, /* terminal: a duplicate of merged_into */
  WG_MS_COUNT_
} wg_matter_status;

typedef enum wg_matter_action {
  WG_MA_REPORT = 1,
  WG_MA_ACCEPT,
  WG_MA_REJECT,
  WG_MA_DISPATCH,       /* also re-dispatch to another handler */
  WG_MA_START,
  WG_MA_HANDLE,
  WG_MA_VERIFY,
  WG_MA_REWORK,
  WG_MA_CLOSE,
  WG_MA_EVALUATE,
  WG_MA_EXTEND,         /* the handler asks for more time (reason, hours) */
  WG_MA_EXTEND_APPROVE, /* a supervisor grants the pending request */
  WG_MA_EXTEND_DENY,
  WG_MA_SUSPEND,
  WG_MA_RESUME,
  WG_MA_REOPEN,
  WG_MA_MERGE,
  WG_MA_ESCALATE,
  WG_MA_COUNT_
} wg_matter_action;

/* Who acts, as the rules see it (the caller maps users onto these). */
typedef enum wg_matter_actor {
  WG_MACT_REPORTER = 1,   /* who reported it (resident, Open311 client) */
  WG_MACT_HANDLER = 2,    /* the grid worker the matter is routed or dispatched to */
  WG_MACT_SUPERVISOR = 4, /* the office at the matter's level or above */
  WG_MACT_SYSTEM = 8,     /* the deadline clock */
} wg_matter_actor;

/* Levels a matter is handled at. */
enum {
  WG_MLEVEL_GRID = 0,
  WG_MLEVEL_COMMUNITY = 1,
  WG_MLEVEL_TOWNSHIP = 2,
  WG_MLEVEL_COUNTY = 3,
};

/* Deadline stages, each with its allowance in hours. */
typedef enum wg_matter_stage {
  WG_STAGE_ACCEPT = 0,   /* reported → accepted/rejected */
  WG_STAGE_DISPATCH,     /* accepted → dispatched */
  WG_STAGE_HANDLE,       /* dispatched → handled (extensions add to it) */
  WG_STAGE_VERIFY,       /* handled → closed */
  WG_STAGE_COUNT_,
  WG_STAGE_NONE = -1,
} wg_matter_stage;

typedef struct wg_matter_policy {
  int hours[WG_STAGE_COUNT_]; /* each ≥ 1 */
} wg_matter_policy;

/* The state of one matter. Times are unix seconds, 0 = not yet. */
typedef struct wg_matter_state {
  wg_matter_status status;
  wg_matter_status resume_to;  /* SUSPENDED: the stage it returns to */
  int level;                   /* WG_MLEVEL_* */
  int64_t handler;             /* user id, 0 = none */
  int64_t merged_into;         /* MERGED: the surviving matter */
  int ext_pending;             /* hours asked by a pending extension, 0 = none */
  int extensions, reworks, reopens, escalations;
  int satisfaction;            /* EVALUATED: 1..5 */
  int64_t reported_at, accepted_at, dispatched_at, started_at, handled_at, verified_at,
      closed_at, evaluated_at;
  int64_t stage_at;            /* when the current stage began */
  int64_t due_at;              /* deadline of the current stage, 0 = none */
  int64_t expected_at;         /* when it is expected to be handled (Open311) */
  int ext_hours;               /* hours added by approved extensions */
  int overdue;                 /* stages that ran past their deadline (escalated by
                                  the clock) */
  int64_t paused_left;         /* SUSPENDED: seconds that were left of the stage */
  int64_t last_at;             /* time of the last event */
} wg_matter_state;

/* One action, and once applied, one event of the log. */
typedef struct wg_matter_event {
  wg_matter_action action;
  wg_matter_actor actor;       /* the kind the actor acted as */
  int64_t at;                  /* unix seconds; never before the previous event */
  int has_note;                /* a reason/note was given (reject, rework, extend,
                                  suspend, reopen need one) */
  int64_t handler;             /* DISPATCH: the handler (user id > 0); REPORT: the
                                  routed grid worker (0 = none) */
  int64_t other;               /* MERGE: the surviving matter id */
  int value;                   /* EVALUATE: satisfaction 1..5; EXTEND: hours 1..2160;
                                  REPORT: the starting level */
  wg_matter_status from, to;   /* filled by apply */
} wg_matter_event;

const char *wg_matter_status_name(wg_matter_status s);  /* "in_progress", … */
const char *wg_matter_status_zh(wg_matter_status s);    /* "处置中", … */
wg_err wg_matter_status_parse(const char *name, wg_matter_status *out) WG_MUST_CHECK;
const char *wg_matter_action_name(wg_matter_action a);  /* "extend_approve", … */
wg_err wg_matter_action_parse(const char *name, wg_matter_action *out) WG_MUST_CHECK;
const char *wg_matter_actor_name(wg_matter_actor k);    /* "handler", … */
const char *wg_matter_level_name(int level);            /* "grid", "community", … */

/* 1 when the status is open (not rejected, closed, evaluated or merged). */
int wg_matter_is_open(wg_matter_status s);

/* The state before any event (status NONE). */
void wg_matter_state_init(wg_matter_state *st);

/* The actor kinds (bit set) that may take action a in status s; 0 when a
 * is not possible in s at all. */
unsigned wg_matter_allowed(wg_matter_action a, wg_matter_status s);

/* Applies ev to *st under policy pol: checks the transition table, the
 * actor, the arguments and the conditions (an extension pending, a level
 * to escalate to, time moving forward), then updates *st and sets ev->from
 * and ev->to. On error *st and ev are unchanged and ei->why says why:
 * WG_ECONFLICT (not possible in this state), WG_EPERM (not by this kind of
 * actor), WG_EINVAL (missing note, bad value, time going backwards). */
wg_err wg_matter_apply(wg_matter_state *st, const wg_matter_policy *pol, wg_matter_event *ev,
                       wg_errinfo *ei) WG_MUST_CHECK;

/* Folds n events from the initial state into *out; each event's from/to
 * must match what apply gives. WG_ECORRUPT with ei->row (1-based event)
 * when the log does not replay. */
wg_err wg_matter_replay(const wg_matter_policy *pol, const wg_matter_event *evs, int n,
                        wg_matter_state *out, wg_errinfo *ei) WG_MUST_CHECK;

/* 1 when *st satisfies every invariant (a status that exists, times in
 * order, fields that belong to the status); else 0 with why (bounded). */
int wg_matter_state_valid(const wg_matter_state *st, char *why, size_t cap);

/* The stage whose deadline runs in status s (WG_STAGE_NONE when none). */
wg_matter_stage wg_matter_stage_of(wg_matter_status s);

/* The deadline clock: 1 when at `now` the matter's current stage is past
 * its deadline and the matter can still go up a level (the system then
 * applies WG_MA_ESCALATE at now), else 0. */
int wg_matter_due_escalation(const wg_matter_state *st, int64_t now);

/* 1 when the matter is overdue at now (open, with a deadline before now). */
int wg_matter_overdue(const wg_matter_state *st, int64_t now);

#endif
