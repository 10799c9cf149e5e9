/* cmd_resident.c — `wangge resident`: one person's history and changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ledger/ledger.h"
#include "ledger/present.h"
#include "ledger/validate.h"

static void resident_help(FILE *out) {
  fprintf(out,
          "usage: wangge [--db PATH] resident ACTION WHO [options]\n\n"
          "WHO is a resident number (#id from `wangge ledger`) or an ID number.\n\n"
          "  show WHO [--unmask --reason R]      current record and full history\n"
          "  add --name N --id-number X --address A [--community C] [--phone P]\n"
          "      [--relation R] [--residence T] [--tags L] [--household H]\n"
          "      [--kind register|move_in|birth]   a new resident\n"
          "  move WHO --address A [--community C] [--household H]   between dwellings\n"
          "  move-out WHO | death WHO | move-in WHO --address A\n"
          "  correct WHO --set FIELD=VALUE …     fields: name sex birth phone relation\n"
          "                                      residence id_number\n"
          "  tag WHO +TAG | -TAG                 add or remove a tag\n\n"
          "Every change needs --reason and may take --date D (default today); it is\n"
          "recorded as an event with who, when and why. Nothing is overwritten: the\n"
          "previous record stays in the history.\n");
}

typedef struct args {
  const char *reason, *date, *address, *community, *household, *name, *id_number, *phone;
  const char *relation, *residence, *tags, *kind;
  const char *fields[16], *values[16];
  char setbuf[16][256];
  int nset, unmask;
} args;

static int parse_args(int argc, char **argv, int from, args *a) {
  for (int i = from; i < argc; i++) {
    const char *k = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(flag, field)           \
  if (strcmp(k, flag) == 0 && v) { \
    a->field = v;                  \
    i++;                           \
    continue;                      \
  }
    OPT("--reason", reason) OPT("--date", date) OPT("--address", address)
    OPT("--community", community) OPT("--household", household) OPT("--name", name)
    OPT("--id-number", id_number) OPT("--phone", phone) OPT("--relation", relation)
    OPT("--residence", residence) OPT("--tags", tags) OPT("--kind", kind)
#undef OPT
    if (strcmp(k, "--unmask") == 0) {
      a->unmask = 1;
      continue;
    }
    if (strcmp(k, "--set") == 0 && v && a->nset < 16) {
      char *buf = a->setbuf[a->nset];
      snprintf(buf, 256, "%s", v);
      char *eq = strchr(buf, '=');
      if (!eq) {
        fprintf(stderr, "wangge resident: --set needs FIELD=VALUE\n");
        return 0;
      }
      *eq = '\0';
      a->fields[a->nset] = buf;
      a->values[a->nset] = eq + 1;
      a->nset++;
      i++;
      continue;
    }
    fprintf(stderr, "wangge resident: unexpected '%s'\n", k);
    return 0;
  }
  return 1;
}

/* Finds a resident by #id or ID number. */
static int find_who(wg_store_t *s, const char *who, wg_resident_t *r) {
  const char *p = who[0] == '#' ? who + 1 : who;
  wg_err e;
  if (strlen(p) < 15) {
    char *end;
    long long id = strtoll(p, &end, 10);
    e = *end ? WG_EINVAL : wg_store_resident_get(s, id, r);
  } else {
    wg_idnum_t id;
    e = wg_idnum_parse(p, 99991231, &id) == WG_IDNUM_OK ? wg_store_resident_find(s, id.number, r)
                                                       : WG_EINVAL;
  }
  if (e) {
    char masked[40];
    wg_mask_idnum(who, masked, sizeof masked);
    fprintf(stderr, "wangge resident: no resident '%s'\n", strlen(p) >= 15 ? masked : who);
    return 0;
  }
  return 1;
}

static int address_of(wg_store_t *s, const char *county, const args *a, wg_address *out) {
  wg_errinfo ei = {0};
  memset(out, 0, sizeof *out);
  if (!a->address || !a->community) {
    fprintf(stderr, "wangge resident: needs --address and --community\n");
    return 0;
  }
  if (wg_ledger_community(s, county, a->community, out->community, &ei) != WG_OK) {
    wg_cli_error("--community", WG_ENOTFOUND, &ei);
    return 0;
  }
  wg_division_t d;
  const char *cname = wg_store_division_get(s, out->community, &d) == WG_OK ? d.name : "";
  if (wg_address_parse(a->address, cname, out, &ei) != WG_OK) {
    wg_cli_error("--address", WG_EINVAL, &ei);
    return 0;
  }
  return 1;
}

typedef struct show_ctx {
  wg_store_t *s;
  const wg_unmask_grant *g;
} show_ctx;

static int show_version(void *ctx, const wg_resident_t *v, int32_t valid_to) {
  show_ctx *c = ctx;
  wg_present_row p;
  if (wg_present_resident(c->s, v, c->g, &p) != WG_OK) return 1;
  wg_event_t ev = {0};
  if (wg_store_event_get(c->s, v->event_id, &ev) != WG_OK) return 1;
  char from[11], to[11];
  wg_date_format(v->since, from);
  wg_date_format(valid_to, to);
  if (!valid_to) snprintf(to, sizeof to, "now");
  printf("%s … %s  event #%lld %s by %s at %s: %s\n", from, to, (long long)ev.id,
         wg_event_kind_name(ev.kind), ev.actor, ev.recorded_at, ev.reason);
  for (int i = 0; i < WG_PRESENT_NCOLS; i++)
    printf("    %-22s %s\n", wg_present_headers[i], p.cells[i]);
  return 0;
}

int wg_cmd_resident(const wg_cli *cli, int argc, char **argv) {
  if (argc < 2 || wg_cli_wants_help(argc, argv)) {
    resident_help(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *action = argv[1];
  int is_add = strcmp(action, "add") == 0;
  if (!is_add && argc < 3) {
    resident_help(stderr);
    return 2;
  }
  args a = {0};
  /* Options follow the action and WHO (and for tag, the +TAG/-TAG). */
  int from = is_add ? 2 : strcmp(action, "tag") == 0 ? 4 : 3;
  if (!parse_args(argc, argv, from, &a)) return 2;
  int32_t date = 0;
  if (a.date) {
    int d;
    if (wg_date_parse(a.date, &d) != WG_DATE_OK) {
      fprintf(stderr, "wangge resident: --date '%s' is not a date\n", a.date);
      return 2;
    }
    date = d;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  char county[7];
  int rc = 1;
  wg_resident_t r;
  wg_errinfo ei = {0};
  wg_err e = WG_OK;
  if (!wg_cli_county(s, county)) goto done;

  if (is_add) {
    wg_address at;
    if (!address_of(s, county, &a, &at)) goto done;
    wg_newcomer n = {.kind = WG_EV_REGISTER, .effective = date, .actor = cli->actor,
                     .reason = a.reason, .id_number = a.id_number, .name = a.name,
                     .phone = a.phone, .relation = a.relation, .residence = a.residence,
                     .tags = a.tags, .at = &at, .household = a.household};
    if (a.kind && wg_event_kind_parse(a.kind, &n.kind) != WG_OK) {
      fprintf(stderr, "wangge resident add: --kind register, move_in or birth\n");
      goto done;
    }
    int64_t id;
    e = wg_ledger_add(s, &n, &id, &ei);
    if (!e) printf("resident #%lld added\n", (long long)id);
  } else {
    if (!find_who(s, argv[2], &r)) goto done;
    if (strcmp(action, "show") == 0) {
      wg_unmask_grant g = {0};
      if (a.unmask) {
        char target[64];
        snprintf(target, sizeof target, "resident #%lld", (long long)r.id);
        if (!a.reason) {
          fprintf(stderr, "wangge resident show: --unmask needs --reason (it is audited)\n");
          goto done;
        }
        if ((e = wg_present_unmask_grant(s, cli->actor, target, a.reason, "cli", &g))) goto fail;
      }
      printf("resident #%lld\n", (long long)r.id);
      show_ctx c = {s, &g};
      e = wg_store_resident_versions(s, r.id, show_version, &c);
    } else {
      wg_change ch = {.resident_id = r.id, .effective = date, .actor = cli->actor,
                      .reason = a.reason};
      wg_address to;
      if (strcmp(action, "move") == 0 || strcmp(action, "move-in") == 0) {
        ch.kind = action[4] ? WG_EV_MOVE_IN : WG_EV_MOVE;
        if (!address_of(s, county, &a, &to)) goto done;
        ch.to = &to;
        ch.household = a.household;
      } else if (strcmp(action, "move-out") == 0) {
        ch.kind = WG_EV_MOVE_OUT;
      } else if (strcmp(action, "death") == 0) {
        ch.kind = WG_EV_DEATH;
      } else if (strcmp(action, "correct") == 0) {
        ch.kind = WG_EV_CORRECTION;
        ch.ncorrections = a.nset;
        ch.fields = a.fields;
        ch.values = a.values;
      } else if (strcmp(action, "tag") == 0) {
        if (argc < 4 || (argv[3][0] != '+' && argv[3][0] != '-')) {
          fprintf(stderr, "wangge resident tag: give +TAG or -TAG\n");
          goto done;
        }
        ch.kind = argv[3][0] == '+' ? WG_EV_TAG_ADD : WG_EV_TAG_REMOVE;
        ch.tag = argv[3] + 1;
      } else {
        fprintf(stderr, "wangge resident: unknown action '%s'\n", action);
        rc = 2;
        goto done;
      }
      int64_t ev;
      e = wg_ledger_apply(s, &ch, &ev, &ei);
      if (!e) printf("resident #%lld: %s recorded as event #%lld\n", (long long)r.id, action,
                     (long long)ev);
    }
  }
fail:
  if (e) {
    wg_cli_error(action, e, &ei);
    goto done;
  }
  rc = 0;
done:
  wg_store_close(s);
  return rc;
}
