/* cmd_incident.c — `wangge incident …`: emergency mobilisation (应急动员). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "ledger/present.h"
#include "org/org.h"
#include "org/webhook.h"

static const char *opt(int argc, char **argv, const char *name) {
  for (int i = 2; i + 1 < argc; i++)
    if (!strcmp(argv[i], name)) return argv[i + 1];
  return NULL;
}

static int flag(int argc, char **argv, const char *name) {
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], name)) return 1;
  return 0;
}

/* Every option is known and valued ones carry a value. */
static int known(int argc, char **argv, int start, const char *const *valued,
                 const char *const *flags) {
  for (int i = start; i < argc; i++) {
    int v = 0, f = 0;
    for (const char *const *p = valued; *p; p++) v |= !strcmp(*p, argv[i]);
    for (const char *const *p = flags; *p; p++) f |= !strcmp(*p, argv[i]);
    if (v && i + 1 < argc) {
      i++;
      continue;
    }
    if (!f) {
      fprintf(stderr, "wangge incident: unexpected '%s'%s\n", argv[i], v ? " (needs a value)" : "");
      return 0;
    }
  }
  return 1;
}

/* A number option: absent → def; malformed → NaN (refused by the callee
 * with the field named). */
static double number(int argc, char **argv, const char *name, double def) {
  const char *v = opt(argc, argv, name);
  if (!v) return def;
  char *end;
  double x = strtod(v, &end);
  return *v && !*end ? x : 0.0 / 0.0;
}

static const char *status_name(int st) {
  static const char *const n[] = {"", "called", "acknowledged", "declined", "arrived"};
  return st >= 1 && st <= 4 ? n[st] : "?";
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: wangge [--db PATH] incident SUBCOMMAND …\n\n"
          "Emergency mobilisation (应急动员): an incident at a place needs people; wangge proposes\n"
          "responders from the affected grid, its sub-grids and its neighbouring grids (by the\n"
          "plan's polygons) — grid staff, registered Party members, volunteers — skills matched\n"
          "first, then nearest first, people on another open call left out; calls them (in-app\n"
          "notice, and the webhook of setting mobilise.webhook for an SMS gateway), tracks\n"
          "answers against the need, and on closing credits service hours to each arrival.\n\n"
          "  open --title T (--grid G | --lon X --lat Y) --need N [--skills a,b] [--due ISO]\n"
          "       [--call N]                     call N people (default twice the need)\n"
          "  list                                incidents with their head-counts\n"
          "  show ID                             responders (nearest first) and the head-count\n"
          "  respond ID (--staff P | --member P) --ack|--decline|--arrive\n"
          "  close ID --hours H [--summary T]    each arrived responder gets H hours of service\n"
          "  deliver                             deliver due webhook messages now (serve does it\n"
          "                                      in the background)\n");
}

static int show_count(wg_store_t *s, int64_t id) {
  wg_headcount h;
  if (wg_mobilise_count(s, id, &h) != WG_OK) return 0;
  printf("head-count: need %d, called %ld, acknowledged %ld, arrived %ld, declined %ld, short by "
         "%ld%s\n",
         h.need, h.called, h.acknowledged, h.arrived, h.declined, h.short_by,
         h.met ? " — need met" : "");
  return 1;
}

static int print_responder(void *ctx, const wg_responder_row *r) {
  wg_store_t *s = ctx;
  char name[64] = "", phone[12] = "";
  if (r->person_kind == WG_PERSON_STAFF) {
    wg_staff_row st;
    if (wg_store_staff_get(s, r->person_id, &st) == WG_OK)
      snprintf(name, sizeof name, "%s", st.name), snprintf(phone, sizeof phone, "%s", st.phone);
  } else {
    wg_member_row m;
    if (wg_store_member_get(s, r->person_id, &m) == WG_OK)
      snprintf(name, sizeof name, "%s", m.name), snprintf(phone, sizeof phone, "%s", m.phone);
  }
  wg_present_person_t p;
  wg_present_person(name, phone, NULL, 0, &p);
  printf("%s %lld\t%s\t%s\t%.0f m\t%s\n", r->person_kind == WG_PERSON_STAFF ? "staff" : "member",
         (long long)r->person_id, p.name, p.phone[0] ? p.phone : "-", r->distance,
         status_name(r->status));
  return 0;
}

static int print_incident(void *ctx, const wg_incident_row *r) {
  wg_store_t *s = ctx;
  printf("#%lld\t%s\t%s\tgrid %s\tneed %d\t%s\n", (long long)r->id,
         r->status == WG_INCIDENT_OPEN ? "open" : "closed", r->created_at, r->grid, r->need,
         r->title);
  printf("  ");
  show_count(s, r->id);
  return 0;
}

int wg_cmd_incident(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  static const char *const valued[] = {"--title", "--grid",  "--lon",   "--lat",     "--need",
                                       "--skills", "--due",  "--call",  "--staff",   "--member",
                                       "--hours", "--summary", NULL};
  static const char *const flags[] = {"--ack", "--decline", "--arrive", NULL};
  const char *sub = argv[1];
  int has_id = !strcmp(sub, "show") || !strcmp(sub, "respond") || !strcmp(sub, "close");
  if (!known(argc, argv, has_id ? 3 : 2, valued, flags)) return 2;
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  if (!wg_cli_county(s, county)) {
    wg_store_close(s);
    return 1;
  }
  wg_org_actor who = {cli->actor, "cli", NULL};
  wg_errinfo ei = {0};
  wg_err e = WG_OK;
  int rc = 0;
  int64_t id = 0;
  if (has_id) {
    char *end;
    id = argc > 2 ? strtoll(argv[2], &end, 10) : 0;
    if (argc <= 2 || *end || id <= 0) {
      fprintf(stderr, "wangge incident %s: give the incident's number\n", sub);
      wg_store_close(s);
      return 2;
    }
  }
  if (!strcmp(sub, "open")) {
    wg_incident_row r = {0};
    snprintf(r.county, sizeof r.county, "%s", county);
    snprintf(r.title, sizeof r.title, "%s", opt(argc, argv, "--title") ? opt(argc, argv, "--title") : "");
    snprintf(r.grid, sizeof r.grid, "%s", opt(argc, argv, "--grid") ? opt(argc, argv, "--grid") : "");
    snprintf(r.skills, sizeof r.skills, "%s", opt(argc, argv, "--skills") ? opt(argc, argv, "--skills") : "");
    snprintf(r.due, sizeof r.due, "%s", opt(argc, argv, "--due") ? opt(argc, argv, "--due") : "");
    r.lon = number(argc, argv, "--lon", 0);
    r.lat = number(argc, argv, "--lat", 0);
    double need = number(argc, argv, "--need", 0), call_d = number(argc, argv, "--call", 0);
    r.need = need >= 1 && need <= 100000 ? (int)need : 0;
    long call = call_d >= 0 && call_d <= 100000 ? (long)call_d : 0, called = 0;
    if (r.lon != r.lon || r.lat != r.lat || call_d != call_d || (call_d && !call)) {
      fprintf(stderr, "wangge incident open: --lon, --lat and --call take numbers\n");
      wg_store_close(s);
      return 2;
    }
    e = wg_mobilise_open(s, &who, &r, call, &called, &ei);
    if (!e) {
      printf("incident #%lld opened on grid %s: %ld people called for a need of %d\n",
             (long long)r.id, r.grid, called, r.need);
      show_count(s, r.id);
    }
  } else if (!strcmp(sub, "list")) {
    e = wg_store_incident_each(s, county, print_incident, s);
  } else if (!strcmp(sub, "show")) {
    wg_incident_row r;
    e = wg_store_incident_get(s, id, &r);
    if (!e) {
      print_incident(s, &r);
      if (r.summary[0]) printf("summary: %s (%.1f h each)\n", r.summary, r.hours);
      e = wg_store_responder_each(s, county, id, print_responder, s);
    }
  } else if (!strcmp(sub, "respond")) {
    int kind = opt(argc, argv, "--staff") ? WG_PERSON_STAFF : WG_PERSON_MEMBER;
    const char *p = opt(argc, argv, kind == WG_PERSON_STAFF ? "--staff" : "--member");
    int st = flag(argc, argv, "--ack")       ? WG_RESP_ACKNOWLEDGED
             : flag(argc, argv, "--decline") ? WG_RESP_DECLINED
             : flag(argc, argv, "--arrive")  ? WG_RESP_ARRIVED
                                             : 0;
    if (!p || !st) {
      fprintf(stderr, "wangge incident respond: ID (--staff P | --member P) --ack|--decline|--arrive\n");
      rc = 2;
    } else {
      e = wg_mobilise_respond(s, &who, id, kind, strtoll(p, NULL, 10), st, &ei);
      if (!e) show_count(s, id);
    }
  } else if (!strcmp(sub, "close")) {
    double hours = number(argc, argv, "--hours", 0);
    wg_headcount h = {0};
    e = wg_mobilise_count(s, id, &h);
    if (!e) e = wg_mobilise_close(s, &who, id, hours, opt(argc, argv, "--summary"), &ei);
    if (!e)
      printf("incident #%lld closed: %ld arrived of %d needed; %.1f service hours logged\n",
             (long long)id, h.arrived, h.need, hours * (double)h.arrived);
  } else if (!strcmp(sub, "deliver")) {
    long ok = 0, bad = 0, done = 0, pending = 0;
    e = wg_webhook_deliver_due(s, (int64_t)time(NULL), &ok, &bad);
    if (!e) e = wg_store_outbox_counts(s, &done, &pending);
    if (!e) printf("webhook: %ld delivered now, %ld failed (will retry); %ld delivered in all, %ld pending\n",
                   ok, bad, done, pending);
  } else {
    usage(stderr);
    rc = 2;
  }
  if (e) {
    wg_cli_error("incident", e, &ei);
    rc = 1;
  }
  wg_store_close(s);
  return rc;
}
