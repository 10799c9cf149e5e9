/* matter_test.c — the transition rules: a property test over random action
 * sequences, and the loop's paths one by one. */
#include "matter/matter.h"

#include <stdint.h>

#include "../test.h"

static const wg_matter_policy pol = {{24, 24, 72, 48}};

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t next_u64(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static int pick(int n) { return (int)(next_u64() % (uint64_t)n); }

enum { SEQUENCES = 100000, MAX_STEPS = 48 };

/* 100,000 seeded random sequences: refused actions change nothing, applied
 * ones keep every invariant and are logged with a chained from/to, and the
 * log replays to the same state. Every cell of the table is exercised. */
TEST(random_sequences) {
  static int hit[WG_MA_COUNT_][WG_MS_COUNT_];
  long applied = 0, refused = 0, bad = 0;
  for (int seq = 0; seq < SEQUENCES; seq++) {
    wg_matter_state st;
    wg_matter_state_init(&st);
    wg_matter_event log[MAX_STEPS];
    int nlog = 0;
    int64_t now = 1767225600 + pick(86400 * 365);
    int steps = 1 + pick(MAX_STEPS);
    for (int i = 0; i < steps; i++) {
      wg_matter_event ev = {0};
      ev.action = (wg_matter_action)(1 + pick(WG_MA_COUNT_ - 1));
      ev.actor = (wg_matter_actor)(1 << pick(4));
      if (pick(4)) { /* mostly an action the table allows now, so sequences get deep */
        wg_matter_action ok[WG_MA_COUNT_];
        int nok = 0;
        for (int a = 1; a < WG_MA_COUNT_; a++)
          if (wg_matter_allowed((wg_matter_action)a, st.status)) ok[nok++] = (wg_matter_action)a;
        if (nok) ev.action = ok[pick(nok)];
        unsigned who = wg_matter_allowed(ev.action, st.status), kinds[4];
        int nk = 0;
        for (int k = 0; k < 4; k++)
          if (who & (1u << k)) kinds[nk++] = 1u << k;
        if (nk && pick(4)) ev.actor = (wg_matter_actor)kinds[pick(nk)];
      }
      ev.has_note = pick(10) != 0;
      ev.handler = pick(4);
      ev.other = pick(4);
      ev.value = ev.action == WG_MA_EXTEND ? pick(200) - 10 : pick(8) - 1;
      now += pick(4) == 0 && st.due_at ? st.due_at - now + pick(3600) : pick(3600 * 60);
      if (now < st.last_at) now = st.last_at;
      ev.at = now - (pick(50) == 0 ? 1000 : 0); /* sometimes back in time */
      wg_matter_state before = st;
      wg_matter_status from = st.status;
      wg_err e = wg_matter_apply(&st, &pol, &ev, NULL);
      if (e) {
        refused++;
        if (memcmp(&before, &st, sizeof st) != 0) bad++;
        continue;
      }
      applied++;
      hit[ev.action][from] = 1;
      if (ev.from != from || ev.to != st.status) bad++;
      if (nlog && log[nlog - 1].to != ev.from) bad++;
      char why[128];
      if (!wg_matter_state_valid(&st, why, sizeof why)) {
        if (bad < 5) printf("#   invalid after %s: %s\n", wg_matter_action_name(ev.action), why);
        bad++;
      }
      log[nlog++] = ev;
    }
    wg_matter_state re;
    if (wg_matter_replay(&pol, log, nlog, &re, NULL) != WG_OK || memcmp(&re, &st, sizeof st) != 0)
      bad++;
  }
  CHECK_EQ(bad, 0);
  CHECK(applied > 300000); /* seeded: the same run every time */
  CHECK(refused > 0);
  int missing = 0;
  for (int a = 1; a < WG_MA_COUNT_; a++)
    for (int s = 0; s < WG_MS_COUNT_; s++)
      if (wg_matter_allowed((wg_matter_action)a, (wg_matter_status)s) && !hit[a][s]) {
        printf("#   never applied: %s in %s\n", wg_matter_action_name((wg_matter_action)a),
               wg_matter_status_name((wg_matter_status)s));
        missing++;
      }
  CHECK_EQ(missing, 0);
  printf("# %ld applied, %ld refused\n", applied, refused);
}

static wg_err act(wg_matter_state *st, wg_matter_action a, wg_matter_actor who, int64_t at) {
  wg_matter_event ev = {.action = a, .actor = who, .at = at, .has_note = 1, .handler = 7,
                        .other = 9, .value = a == WG_MA_EXTEND ? 48 : 4};
  return wg_matter_apply(st, &pol, &ev, NULL);
}

TEST(the_whole_loop) {
  wg_matter_state st;
  wg_matter_state_init(&st);
  int64_t t = 1000000;
  wg_matter_event rep = {.action = WG_MA_REPORT, .actor = WG_MACT_REPORTER, .at = t};
  CHECK_EQ(wg_matter_apply(&st, &pol, &rep, NULL), WG_OK);
  CHECK_EQ(st.due_at, t + 24 * 3600);
  CHECK_EQ(st.expected_at, t + (24 + 24 + 72) * 3600);
  CHECK_EQ(act(&st, WG_MA_ACCEPT, WG_MACT_REPORTER, t + 1), WG_EPERM);
  CHECK_EQ(act(&st, WG_MA_ACCEPT, WG_MACT_SUPERVISOR, t + 1), WG_OK);
  CHECK_EQ(act(&st, WG_MA_DISPATCH, WG_MACT_SUPERVISOR, t + 2), WG_OK);
  CHECK_EQ(st.handler, 7);
  CHECK_EQ(st.due_at, t + 2 + 72 * 3600);
  CHECK_EQ(act(&st, WG_MA_HANDLE, WG_MACT_HANDLER, t + 3), WG_ECONFLICT);
  CHECK_EQ(act(&st, WG_MA_START, WG_MACT_HANDLER, t + 3), WG_OK);
  CHECK_EQ(act(&st, WG_MA_EXTEND, WG_MACT_HANDLER, t + 4), WG_OK);
  CHECK_EQ(act(&st, WG_MA_EXTEND, WG_MACT_HANDLER, t + 4), WG_ECONFLICT); /* one at a time */
  CHECK_EQ(act(&st, WG_MA_EXTEND_APPROVE, WG_MACT_HANDLER, t + 5), WG_EPERM);
  CHECK_EQ(act(&st, WG_MA_EXTEND_APPROVE, WG_MACT_SUPERVISOR, t + 5), WG_OK);
  CHECK_EQ(st.due_at, t + 2 + (72 + 48) * 3600);
  CHECK_EQ(st.extensions, 1);
  CHECK_EQ(act(&st, WG_MA_HANDLE, WG_MACT_HANDLER, t + 6), WG_OK);
  CHECK_EQ(act(&st, WG_MA_REWORK, WG_MACT_SUPERVISOR, t + 7), WG_OK);
  CHECK_EQ(st.status, WG_MS_IN_PROGRESS);
  CHECK_EQ(st.reworks, 1);
  CHECK_EQ(act(&st, WG_MA_HANDLE, WG_MACT_HANDLER, t + 8), WG_OK);
  CHECK_EQ(act(&st, WG_MA_VERIFY, WG_MACT_SUPERVISOR, t + 9), WG_OK);
  CHECK_EQ(act(&st, WG_MA_CLOSE, WG_MACT_SUPERVISOR, t + 10), WG_OK);
  CHECK_EQ(act(&st, WG_MA_REOPEN, WG_MACT_REPORTER, t + 11), WG_OK);
  CHECK_EQ(st.status, WG_MS_DISPATCHED);
  CHECK_EQ(st.closed_at, 0);
  CHECK_EQ(act(&st, WG_MA_START, WG_MACT_HANDLER, t + 12), WG_OK);
  CHECK_EQ(act(&st, WG_MA_HANDLE, WG_MACT_HANDLER, t + 13), WG_OK);
  CHECK_EQ(act(&st, WG_MA_VERIFY, WG_MACT_SUPERVISOR, t + 14), WG_OK);
  CHECK_EQ(act(&st, WG_MA_CLOSE, WG_MACT_SUPERVISOR, t + 15), WG_OK);
  CHECK_EQ(act(&st, WG_MA_EVALUATE, WG_MACT_REPORTER, t + 16), WG_OK);
  CHECK_EQ(st.status, WG_MS_EVALUATED);
  CHECK_EQ(st.satisfaction, 4);
  CHECK(wg_matter_state_valid(&st, NULL, 0));
}

/* The deadline clock with a controllable `now`: nothing before the
 * deadline, escalation at it, one level per deadline, never past the
 * county; suspension stops the clock. */
TEST(deadline_clock) {
  wg_matter_state st;
  wg_matter_state_init(&st);
  int64_t t = 5000000;
  wg_matter_event rep = {.action = WG_MA_REPORT, .actor = WG_MACT_SYSTEM, .at = t};
  CHECK_EQ(wg_matter_apply(&st, &pol, &rep, NULL), WG_EPERM); /* the clock reports nothing */
  rep.actor = WG_MACT_HANDLER;
  CHECK_EQ(wg_matter_apply(&st, &pol, &rep, NULL), WG_OK);
  int64_t due = t + 24 * 3600;
  CHECK(!wg_matter_due_escalation(&st, due - 1));
  CHECK_EQ(act(&st, WG_MA_ESCALATE, WG_MACT_SYSTEM, due - 1), WG_ECONFLICT);
  CHECK(wg_matter_due_escalation(&st, due));
  CHECK_EQ(act(&st, WG_MA_ESCALATE, WG_MACT_SYSTEM, due), WG_OK);
  CHECK_EQ(st.level, WG_MLEVEL_COMMUNITY);
  CHECK_EQ(st.overdue, 1);
  CHECK_EQ(st.due_at, due + 24 * 3600);
  CHECK(!wg_matter_due_escalation(&st, due + 10));
  CHECK_EQ(act(&st, WG_MA_ESCALATE, WG_MACT_SYSTEM, due + 24 * 3600), WG_OK);
  CHECK_EQ(act(&st, WG_MA_ESCALATE, WG_MACT_HANDLER, due + 24 * 3600 + 1), WG_OK);
  CHECK_EQ(st.level, WG_MLEVEL_COUNTY);
  CHECK(!wg_matter_due_escalation(&st, due + 1000 * 3600));
  CHECK(wg_matter_overdue(&st, due + 1000 * 3600));
  CHECK_EQ(act(&st, WG_MA_ESCALATE, WG_MACT_SUPERVISOR, due + 1000 * 3600), WG_ECONFLICT);
  /* suspension: the stage's remaining time is kept */
  int64_t u = due + 48 * 3600 + 100;
  CHECK_EQ(act(&st, WG_MA_ACCEPT, WG_MACT_SUPERVISOR, u), WG_OK);
  CHECK_EQ(st.due_at, u + 24 * 3600);
  CHECK_EQ(act(&st, WG_MA_SUSPEND, WG_MACT_SUPERVISOR, u + 3600), WG_OK);
  CHECK(!wg_matter_overdue(&st, u + 1000 * 3600));
  CHECK_EQ(act(&st, WG_MA_RESUME, WG_MACT_SUPERVISOR, u + 100 * 3600), WG_OK);
  CHECK_EQ(st.status, WG_MS_ACCEPTED);
  CHECK_EQ(st.due_at, u + 100 * 3600 + 23 * 3600);
}

TEST(names_roundtrip) {
  for (int s = 1; s < WG_MS_COUNT_; s++) {
    wg_matter_status back;
    CHECK_EQ(wg_matter_status_parse(wg_matter_status_name((wg_matter_status)s), &back), WG_OK);
    CHECK_EQ(back, s);
  }
  for (int a = 1; a < WG_MA_COUNT_; a++) {
    wg_matter_action back;
    CHECK_EQ(wg_matter_action_parse(wg_matter_action_name((wg_matter_action)a), &back), WG_OK);
    CHECK_EQ(back, a);
  }
  wg_matter_status x;
  CHECK_EQ(wg_matter_status_parse("nope", &x), WG_EINVAL);
}

/* A log whose from/to was tampered with does not replay. */
TEST(tampered_log) {
  wg_matter_state st;
  wg_matter_state_init(&st);
  wg_matter_event log[3] = {
      {.action = WG_MA_REPORT, .actor = WG_MACT_REPORTER, .at = 10},
      {.action = WG_MA_ACCEPT, .actor = WG_MACT_SUPERVISOR, .at = 11},
      {.action = WG_MA_DISPATCH, .actor = WG_MACT_SUPERVISOR, .at = 12, .handler = 3}};
  for (int i = 0; i < 3; i++) CHECK_EQ(wg_matter_apply(&st, &pol, &log[i], NULL), WG_OK);
  wg_matter_state re;
  CHECK_EQ(wg_matter_replay(&pol, log, 3, &re, NULL), WG_OK);
  CHECK(memcmp(&re, &st, sizeof st) == 0);
  log[2].to = WG_MS_CLOSED;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_matter_replay(&pol, log, 3, &re, &ei), WG_ECORRUPT);
  CHECK_EQ(ei.row, 3);
}

int main(void) {
  RUN(random_sequences);
  RUN(the_whole_loop);
  RUN(deadline_clock);
  RUN(names_roundtrip);
  RUN(tampered_log);
  return test_done();
}
