/* matter.c — the transition table of matters, apply and replay. No I/O. */
#include "matter/matter.h"

#include <stdio.h>
#include <string.h>

#define R WG_MACT_REPORTER
#define H WG_MACT_HANDLER
#define S WG_MACT_SUPERVISOR
#define Y WG_MACT_SYSTEM

/* action × status → who may. The target status is in apply (some actions
 * keep the status, resume returns to where it was). */
static const unsigned char table[WG_MA_COUNT_][WG_MS_COUNT_] = {
    [WG_MA_REPORT] = {[WG_MS_NONE] = R | H | S},
    [WG_MA_ACCEPT] = {[WG_MS_REPORTED] = H | S},
    [WG_MA_REJECT] = {[WG_MS_REPORTED] = H | S},
    [WG_MA_DISPATCH] = {[WG_MS_ACCEPTED] = S, [WG_MS_DISPATCHED] = S},
    [WG_MA_START] = {[WG_MS_DISPATCHED] = H},
    [WG_MA_HANDLE] = {[WG_MS_IN_PROGRESS] = H},
    [WG_MA_VERIFY] = {[WG_MS_HANDLED] = S},
    [WG_MA_REWORK] = {[WG_MS_HANDLED] = S},
    [WG_MA_CLOSE] = {[WG_MS_VERIFIED] = S},
    [WG_MA_EVALUATE] = {[WG_MS_CLOSED] = R | S},
    [WG_MA_EXTEND] = {[WG_MS_DISPATCHED] = H, [WG_MS_IN_PROGRESS] = H},
    [WG_MA_EXTEND_APPROVE] = {[WG_MS_DISPATCHED] = S, [WG_MS_IN_PROGRESS] = S},
    [WG_MA_EXTEND_DENY] = {[WG_MS_DISPATCHED] = S, [WG_MS_IN_PROGRESS] = S},
    [WG_MA_SUSPEND] = {[WG_MS_ACCEPTED] = S, [WG_MS_DISPATCHED] = S, [WG_MS_IN_PROGRESS] = S},
    [WG_MA_RESUME] = {[WG_MS_SUSPENDED] = S},
    [WG_MA_REOPEN] = {[WG_MS_CLOSED] = R | S, [WG_MS_EVALUATED] = R | S},
    [WG_MA_MERGE] = {[WG_MS_REPORTED] = H | S, [WG_MS_ACCEPTED] = H | S},
    [WG_MA_ESCALATE] = {[WG_MS_REPORTED] = H | S | Y,
                        [WG_MS_ACCEPTED] = H | S | Y,
                        [WG_MS_DISPATCHED] = H | S | Y,
                        [WG_MS_IN_PROGRESS] = H | S | Y,
                        [WG_MS_HANDLED] = S | Y,
                        [WG_MS_VERIFIED] = S | Y},
};

#undef R
#undef H
#undef S
#undef Y

static const char *const status_names[WG_MS_COUNT_] = {
    "none",    "reported", "accepted", "rejected",  "dispatched", "in_progress",
    "handled", "verified", "closed",   "evaluated", "suspended",  "merged"};
static const char *const status_zh[WG_MS_COUNT_] = {
    "无", "已上报", "已立案", "不予立案", "已派遣", "处置中",
    "已处置", "已核查", "已结案", "已评价", "挂账", "已合并"};
static const char *const action_names[WG_MA_COUNT_] = {
    NULL,     "report",  "accept", "reject",         "dispatch",    "start",
    "handle", "verify",  "rework", "close",          "evaluate",    "extend",
    "extend_approve", "extend_deny", "suspend", "resume", "reopen", "merge", "escalate"};

const char *wg_matter_status_name(wg_matter_status s) {
  return (int)s >= 0 && s < WG_MS_COUNT_ ? status_names[s] : "?";
}

const char *wg_matter_status_zh(wg_matter_status s) {
  return (int)s >= 0 && s < WG_MS_COUNT_ ? status_zh[s] : "?";
}

wg_err wg_matter_status_parse(const char *name, wg_matter_status *out) {
  for (int i = 1; name && i < WG_MS_COUNT_; i++)
    if (strcmp(name, status_names[i]) == 0) {
      *out = (wg_matter_status)i;
      return WG_OK;
    }
  return WG_EINVAL;
}

const char *wg_matter_action_name(wg_matter_action a) {
  return (int)a > 0 && a < WG_MA_COUNT_ ? action_names[a] : "?";
}

wg_err wg_matter_action_parse(const char *name, wg_matter_action *out) {
  for (int i = 1; name && i < WG_MA_COUNT_; i++)
    if (strcmp(name, action_names[i]) == 0) {
      *out = (wg_matter_action)i;
      return WG_OK;
    }
  return WG_EINVAL;
}

const char *wg_matter_actor_name(wg_matter_actor k) {
  switch (k) {
    case WG_MACT_REPORTER: return "reporter";
    case WG_MACT_HANDLER: return "handler";
    case WG_MACT_SUPERVISOR: return "supervisor";
    case WG_MACT_SYSTEM: return "system";
  }
  return "?";
}

const char *wg_matter_level_name(int level) {
  static const char *const names[] = {"grid", "community", "township", "county"};
  return level >= 0 && level <= 3 ? names[level] : "?";
}

int wg_matter_is_open(wg_matter_status s) {
  return s != WG_MS_NONE && s != WG_MS_REJECTED && s != WG_MS_CLOSED && s != WG_MS_EVALUATED &&
         s != WG_MS_MERGED && s < WG_MS_COUNT_;
}

void wg_matter_state_init(wg_matter_state *st) {
  memset(st, 0, sizeof *st);
}

unsigned wg_matter_allowed(wg_matter_action a, wg_matter_status s) {
  if ((int)a <= 0 || a >= WG_MA_COUNT_ || (int)s < 0 || s >= WG_MS_COUNT_) return 0;
  return table[a][s];
}

wg_matter_stage wg_matter_stage_of(wg_matter_status s) {
  switch (s) {
    case WG_MS_REPORTED: return WG_STAGE_ACCEPT;
    case WG_MS_ACCEPTED: return WG_STAGE_DISPATCH;
    case WG_MS_DISPATCHED:
    case WG_MS_IN_PROGRESS: return WG_STAGE_HANDLE;
    case WG_MS_HANDLED:
    case WG_MS_VERIFIED: return WG_STAGE_VERIFY;
    default: return WG_STAGE_NONE;
  }
}

static int64_t hours(const wg_matter_policy *pol, wg_matter_stage stage) {
  return (int64_t)pol->hours[stage] * 3600;
}

/* Whether the action needs a note (a reason on record). */
static int needs_note(wg_matter_action a) {
  return a == WG_MA_REJECT || a == WG_MA_REWORK || a == WG_MA_EXTEND || a == WG_MA_SUSPEND ||
         a == WG_MA_REOPEN || a == WG_MA_EXTEND_DENY;
}

wg_err wg_matter_apply(wg_matter_state *st, const wg_matter_policy *pol, wg_matter_event *ev,
                       wg_errinfo *ei) {
  wg_matter_action a = ev->action;
  if ((int)a <= 0 || a >= WG_MA_COUNT_) return wg_errinfo_set(ei, WG_EINVAL, "unknown action");
  for (int i = 0; i < WG_STAGE_COUNT_; i++)
    if (pol->hours[i] < 1) return wg_errinfo_set(ei, WG_EINVAL, "stage deadlines must be ≥ 1 h");
  unsigned who = wg_matter_allowed(a, st->status);
  if (!who)
    return wg_errinfo_set(ei, WG_ECONFLICT, "cannot %s a matter that is %s",
                          wg_matter_action_name(a), wg_matter_status_name(st->status));
  if (!(who & (unsigned)ev->actor))
    return wg_errinfo_set(ei, WG_EPERM, "a %s may not %s a matter that is %s",
                          wg_matter_actor_name(ev->actor), wg_matter_action_name(a),
                          wg_matter_status_name(st->status));
  if (ev->at < st->last_at || ev->at <= 0)
    return wg_errinfo_set(ei, WG_EINVAL, "time goes backwards (event before the last one)");
  if (needs_note(a) && !ev->has_note)
    return wg_errinfo_set(ei, WG_EINVAL, "%s needs a reason", wg_matter_action_name(a));

  wg_matter_state n = *st;
  int64_t t = ev->at;
  switch (a) {
    case WG_MA_REPORT:
      if (ev->value < WG_MLEVEL_GRID || ev->value > WG_MLEVEL_COUNTY || ev->handler < 0)
        return wg_errinfo_set(ei, WG_EINVAL, "bad starting level or handler");
      n.status = WG_MS_REPORTED;
      n.level = ev->value;
      n.handler = ev->handler;
      n.reported_at = t;
      n.due_at = t + hours(pol, WG_STAGE_ACCEPT);
      n.expected_at = t + hours(pol, WG_STAGE_ACCEPT) + hours(pol, WG_STAGE_DISPATCH) +
                      hours(pol, WG_STAGE_HANDLE);
      break;
    case WG_MA_ACCEPT:
      n.status = WG_MS_ACCEPTED;
      n.accepted_at = t;
      n.due_at = t + hours(pol, WG_STAGE_DISPATCH);
      break;
    case WG_MA_REJECT:
      n.status = WG_MS_REJECTED;
      n.due_at = 0;
      break;
    case WG_MA_DISPATCH:
      if (ev->handler <= 0) return wg_errinfo_set(ei, WG_EINVAL, "dispatch needs a handler");
      if (st->status == WG_MS_DISPATCHED && ev->handler == st->handler)
        return wg_errinfo_set(ei, WG_ECONFLICT, "already dispatched to that handler");
      n.handler = ev->handler;
      if (st->status == WG_MS_ACCEPTED) {
        n.status = WG_MS_DISPATCHED;
        n.dispatched_at = t;
        n.due_at = t + hours(pol, WG_STAGE_HANDLE) + (int64_t)n.ext_hours * 3600;
      }
      break;
    case WG_MA_START:
      n.status = WG_MS_IN_PROGRESS;
      n.started_at = t;
      break;
    case WG_MA_HANDLE:
      n.status = WG_MS_HANDLED;
      n.handled_at = t;
      n.ext_pending = 0;
      n.due_at = t + hours(pol, WG_STAGE_VERIFY);
      break;
    case WG_MA_VERIFY:
      n.status = WG_MS_VERIFIED;
      n.verified_at = t;
      break;
    case WG_MA_REWORK:
      n.status = WG_MS_IN_PROGRESS;
      n.reworks++;
      n.handled_at = 0;
      n.due_at = t + hours(pol, WG_STAGE_HANDLE);
      break;
    case WG_MA_CLOSE:
      n.status = WG_MS_CLOSED;
      n.closed_at = t;
      n.due_at = 0;
      break;
    case WG_MA_EVALUATE:
      if (ev->value < 1 || ev->value > 5)
        return wg_errinfo_set(ei, WG_EINVAL, "satisfaction is 1 (poor) to 5 (very satisfied)");
      n.status = WG_MS_EVALUATED;
      n.satisfaction = ev->value;
      n.evaluated_at = t;
      break;
    case WG_MA_EXTEND:
      if (st->ext_pending)
        return wg_errinfo_set(ei, WG_ECONFLICT, "an extension request is already pending");
      if (ev->value < 1 || ev->value > 2160)
        return wg_errinfo_set(ei, WG_EINVAL, "an extension is 1 to 2160 hours");
      n.ext_pending = ev->value;
      break;
    case WG_MA_EXTEND_APPROVE:
    case WG_MA_EXTEND_DENY:
      if (!st->ext_pending)
        return wg_errinfo_set(ei, WG_ECONFLICT, "no extension request is pending");
      if (a == WG_MA_EXTEND_APPROVE) {
        n.extensions++;
        n.ext_hours += st->ext_pending;
        n.due_at += (int64_t)st->ext_pending * 3600;
        n.expected_at += (int64_t)st->ext_pending * 3600;
      }
      n.ext_pending = 0;
      break;
    case WG_MA_SUSPEND:
      n.status = WG_MS_SUSPENDED;
      n.resume_to = st->status;
      n.ext_pending = 0;
      n.paused_left = st->due_at > t ? st->due_at - t : 0;
      n.due_at = 0;
      break;
    case WG_MA_RESUME:
      n.status = st->resume_to;
      n.resume_to = WG_MS_NONE;
      n.due_at = t + n.paused_left;
      n.expected_at += t - st->stage_at; /* the clock stood still while suspended */
      n.paused_left = 0;
      break;
    case WG_MA_REOPEN:
      n.status = WG_MS_DISPATCHED;
      n.reopens++;
      n.satisfaction = 0;
      n.started_at = n.handled_at = n.verified_at = n.closed_at = n.evaluated_at = 0;
      n.dispatched_at = t;
      n.due_at = t + hours(pol, WG_STAGE_HANDLE);
      n.expected_at = n.due_at;
      break;
    case WG_MA_MERGE:
      if (ev->other <= 0) return wg_errinfo_set(ei, WG_EINVAL, "merge needs the matter it joins");
      n.status = WG_MS_MERGED;
      n.merged_into = ev->other;
      n.due_at = 0;
      break;
    case WG_MA_ESCALATE:
      if (st->level >= WG_MLEVEL_COUNTY)
        return wg_errinfo_set(ei, WG_ECONFLICT, "already at the county, the top level");
      if (ev->actor == WG_MACT_SYSTEM) {
        if (!wg_matter_due_escalation(st, t))
          return wg_errinfo_set(ei, WG_ECONFLICT, "the stage deadline has not passed");
        n.overdue++;
        /* the level above gets a fresh allowance for the stage */
        n.due_at = t + hours(pol, wg_matter_stage_of(st->status));
      }
      n.level++;
      n.escalations++;
      break;
    default:
      return wg_errinfo_set(ei, WG_EINVAL, "unknown action");
  }
  if (n.status != st->status) n.stage_at = t;
  n.last_at = t;
  ev->from = st->status;
  ev->to = n.status;
  *st = n;
  return WG_OK;
}

wg_err wg_matter_replay(const wg_matter_policy *pol, const wg_matter_event *evs, int n,
                        wg_matter_state *out, wg_errinfo *ei) {
  wg_matter_state st;
  wg_matter_state_init(&st);
  for (int i = 0; i < n; i++) {
    wg_matter_event ev = evs[i];
    wg_errinfo why = {0};
    if (wg_matter_apply(&st, pol, &ev, &why) != WG_OK || ev.from != evs[i].from ||
        ev.to != evs[i].to) {
      if (ei) {
        ei->row = i + 1;
        snprintf(ei->why, sizeof ei->why, "event %d (%s) does not replay: %.150s", i + 1,
                 wg_matter_action_name(evs[i].action),
                 why.why[0] ? why.why : "its from/to differ from the rules");
      }
      return WG_ECORRUPT;
    }
  }
  *out = st;
  return WG_OK;
}

int wg_matter_due_escalation(const wg_matter_state *st, int64_t now) {
  return wg_matter_overdue(st, now) && st->level < WG_MLEVEL_COUNTY &&
         wg_matter_allowed(WG_MA_ESCALATE, st->status) != 0;
}

int wg_matter_overdue(const wg_matter_state *st, int64_t now) {
  return wg_matter_is_open(st->status) && st->due_at > 0 && now >= st->due_at;
}

#define FAIL(...)                             \
  do {                                        \
    if (why && cap) snprintf(why, cap, __VA_ARGS__); \
    return 0;                                 \
  } while (0)

int wg_matter_state_valid(const wg_matter_state *st, char *why, size_t cap) {
  wg_matter_status s = st->status;
  if ((int)s < 0 || s >= WG_MS_COUNT_) FAIL("status %d does not exist", (int)s);
  if (s == WG_MS_NONE) {
    wg_matter_state z;
    wg_matter_state_init(&z);
    if (memcmp(&z, st, sizeof z) != 0) FAIL("a matter not yet reported has fields set");
    return 1;
  }
  if (st->level < WG_MLEVEL_GRID || st->level > WG_MLEVEL_COUNTY) FAIL("level %d", st->level);
  if (st->reported_at <= 0) FAIL("no report time");
  if (st->escalations < 0 || st->escalations > 3 || st->level < st->escalations)
    FAIL("escalations %d at level %d", st->escalations, st->level);
  if (st->reworks < 0 || st->reopens < 0 || st->extensions < 0 || st->overdue < 0 ||
      st->ext_hours < 0)
    FAIL("a negative counter");
  if (st->overdue > st->escalations) FAIL("more overdue stages than escalations");
  int dispatched = s == WG_MS_DISPATCHED || s == WG_MS_IN_PROGRESS || s == WG_MS_HANDLED ||
                   s == WG_MS_VERIFIED || s == WG_MS_CLOSED || s == WG_MS_EVALUATED ||
                   (s == WG_MS_SUSPENDED && st->resume_to != WG_MS_ACCEPTED);
  if (dispatched && (st->handler <= 0 || st->accepted_at <= 0 || st->dispatched_at <= 0))
    FAIL("%s without a handler, acceptance or dispatch", wg_matter_status_name(s));
  if ((s == WG_MS_MERGED) != (st->merged_into > 0)) FAIL("merged_into does not fit %s",
                                                         wg_matter_status_name(s));
  if (s == WG_MS_SUSPENDED) {
    if (st->resume_to != WG_MS_ACCEPTED && st->resume_to != WG_MS_DISPATCHED &&
        st->resume_to != WG_MS_IN_PROGRESS)
      FAIL("suspended from %s", wg_matter_status_name(st->resume_to));
    if (st->due_at != 0 || st->paused_left < 0) FAIL("a deadline runs while suspended");
  } else if (st->resume_to != WG_MS_NONE || st->paused_left != 0) {
    FAIL("resume_to set while %s", wg_matter_status_name(s));
  }
  if (st->ext_pending && s != WG_MS_DISPATCHED && s != WG_MS_IN_PROGRESS)
    FAIL("an extension pending while %s", wg_matter_status_name(s));
  if (st->ext_pending < 0 || st->ext_pending > 2160) FAIL("extension of %d h", st->ext_pending);
  if ((s == WG_MS_EVALUATED) != (st->satisfaction >= 1 && st->satisfaction <= 5) ||
      (s != WG_MS_EVALUATED && st->satisfaction != 0))
    FAIL("satisfaction %d while %s", st->satisfaction, wg_matter_status_name(s));
  if ((s == WG_MS_CLOSED || s == WG_MS_EVALUATED) != (st->closed_at > 0))
    FAIL("closed_at does not fit %s", wg_matter_status_name(s));
  if ((s == WG_MS_EVALUATED) != (st->evaluated_at > 0)) FAIL("evaluated_at does not fit");
  if ((s == WG_MS_HANDLED || s == WG_MS_VERIFIED || s == WG_MS_CLOSED || s == WG_MS_EVALUATED) &&
      st->handled_at <= 0)
    FAIL("%s without a handling time", wg_matter_status_name(s));
  if ((s == WG_MS_VERIFIED || s == WG_MS_CLOSED || s == WG_MS_EVALUATED) && st->verified_at <= 0)
    FAIL("%s without verification", wg_matter_status_name(s));
  if ((wg_matter_stage_of(s) != WG_STAGE_NONE) != (st->due_at > 0))
    FAIL("a deadline does not fit %s", wg_matter_status_name(s));
  const int64_t times[] = {st->reported_at, st->accepted_at, st->dispatched_at, st->started_at,
                           st->handled_at, st->verified_at, st->closed_at, st->evaluated_at,
                           st->stage_at};
  for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
    if (times[i] < 0 || times[i] > st->last_at) FAIL("a time after the last event");
    if (times[i] && times[i] < st->reported_at) FAIL("a time before the report");
  }
  if (st->accepted_at && st->dispatched_at && st->dispatched_at < st->accepted_at)
    FAIL("dispatched before accepted");
  if (st->closed_at && st->closed_at < st->verified_at) FAIL("closed before verified");
  if (st->verified_at && st->handled_at && st->verified_at < st->handled_at)
    FAIL("verified before handled");
  if (st->expected_at < st->reported_at) FAIL("expected before reported");
  return 1;
}
