/* cmd_settings.c — `wangge settings`: the county's standing choices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "territory/barriers.h"
#include "territory/plan.h"
#include "org/org.h"
#include "org/webhook.h"

/* The settings a county may change, and how each value is checked. */
static const struct setting {
  const char *key;
  const char *help;
} settings[] = {
    {"divide.bounds", "default urban bounds for `divide`, e.g. 300-500,50-100,10-20"},
    {"divide.villages", "villages as one level-1 grid (whole) or by the bounds (bounds)"},
    {"barriers", "GeoJSON lines grids may not cross (rivers, main roads); @FILE reads a file"},
    {"org.group_min", "Party members a level-2 grid needs for a group (else a central household; 3)"},
    {"org.worker_levels", "grid levels whose every grid needs its own worker (1,2)"},
    {"org.head_min_households", "households that make a building need a head (2)"},
    {"org.visit_every", "visit frequency per tag, days: elderly_alone:7,all:90"},
    {"mobilise.webhook", "http:// URL the mobilisation calls are POSTed to (an SMS gateway)"},
};

static const struct setting *find_setting(const char *key) {
  for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
    if (strcmp(settings[i].key, key) == 0) return &settings[i];
  return NULL;
}

/* Checks value for key; prints why not. */
static int valid(const char *key, const char *value) {
  wg_errinfo ei = {0};
  if (strcmp(key, "divide.bounds") == 0) {
    wg_plan_opts o;
    wg_plan_opts_init(&o);
    if (wg_plan_parse_bounds(value, &o, &ei) == WG_OK) return 1;
  } else if (strcmp(key, "divide.villages") == 0) {
    if (strcmp(value, "whole") == 0 || strcmp(value, "bounds") == 0) return 1;
    snprintf(ei.why, sizeof ei.why, "whole or bounds");
  } else if (strncmp(key, "org.", 4) == 0) {
    wg_org_settings o;
    wg_org_settings_init(&o);
    int hm_ok = 1;
    if (strcmp(key, "org.head_min_households") == 0) {
      char *end;
      long v = strtol(value, &end, 10);
      hm_ok = !*end && v >= 1 && v <= 10000;
      if (!hm_ok) snprintf(ei.why, sizeof ei.why, "a number of households from 1 to 10000");
    }
    if (hm_ok &&
        wg_org_settings_parse(&o, strcmp(key, "org.group_min") ? NULL : value,
                              strcmp(key, "org.worker_levels") ? NULL : value,
                              strcmp(key, "org.visit_every") ? NULL : value, &ei) == WG_OK)
      return 1;
  } else if (strcmp(key, "mobilise.webhook") == 0) {
    if (wg_webhook_url_ok(value)) return 1;
    snprintf(ei.why, sizeof ei.why, "an http://HOST[:PORT]/PATH URL");
  } else if (strcmp(key, "barriers") == 0) {
    wg_barriers b = {0};
    wg_err e = wg_barriers_parse(&b, value, &ei);
    int n = b.n;
    wg_barriers_free(&b);
    if (!e && n > 0) return 1;
    if (!e) snprintf(ei.why, sizeof ei.why, "no LineString or MultiLineString in it");
  }
  fprintf(stderr, "wangge settings: %s: %s\n", key, ei.why);
  return 0;
}

/* Reads a whole file into a malloc'd string (for @FILE values). */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *text = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (len + 65537 > cap) {
      cap = cap ? cap * 2 : 131072;
      if (cap > (64u << 20)) break; /* settings stay small */
      char *t = realloc(text, cap);
      if (!t) break;
      text = t;
    }
    got = fread(text + len, 1, 65536, f);
    len += got;
  } while (got == 65536);
  int bad = ferror(f) || !text || got == 65536;
  fclose(f);
  if (bad) {
    free(text);
    return NULL;
  }
  text[len] = '\0';
  return text;
}

int wg_cmd_settings(const wg_cli *cli, int argc, char **argv) {
  if (wg_cli_wants_help(argc, argv) || (argc > 1 && strcmp(argv[1], "set") != 0 &&
                                        strcmp(argv[1], "unset") != 0 &&
                                        strcmp(argv[1], "list") != 0)) {
    printf("usage: wangge [--db PATH] settings [list]\n"
           "       wangge [--db PATH] settings set KEY VALUE   (VALUE @FILE reads a file)\n"
           "       wangge [--db PATH] settings unset KEY\n\nkeys:\n");
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
      printf("  %-16s %s\n", settings[i].key, settings[i].help);
    return wg_cli_wants_help(argc, argv) ? 0 : 2;
  }
  wg_store_t *s = wg_cli_open(cli, 0);
  if (!s) return 1;
  int rc = 0;
  if (argc == 1 || strcmp(argv[1], "list") == 0) {
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
      char *v = NULL;
      int set = wg_store_meta_get(s, settings[i].key, &v) == WG_OK && v && *v;
      size_t n = set ? strlen(v) : 0;
      printf("%-16s %.*s%s\n", settings[i].key, (int)(n > 60 ? 60 : n), set ? v : "(default)",
             n > 60 ? "…" : "");
      free(v);
    }
  } else {
    int unset = strcmp(argv[1], "unset") == 0;
    if (argc != (unset ? 3 : 4) || !find_setting(argv[2])) {
      fprintf(stderr, "wangge settings: %s KEY%s with KEY one of the keys in --help\n",
              argv[1], unset ? "" : " VALUE");
      wg_store_close(s);
      return 2;
    }
    char *file_text = NULL;
    const char *value = unset ? "" : argv[3];
    if (!unset && value[0] == '@') {
      file_text = slurp(value + 1);
      if (!file_text) {
        fprintf(stderr, "wangge settings: cannot read %s\n", value + 1);
        wg_store_close(s);
        return 1;
      }
      value = file_text;
    }
    if (!unset && !valid(argv[2], value)) {
      rc = 1;
    } else if (wg_store_meta_set(s, argv[2], value) != WG_OK) {
      fprintf(stderr, "wangge settings: %s\n", wg_store_errmsg(s));
      rc = 1;
    } else {
      wg_audit_t a = {.action = "settings", .origin = "cli"};
      snprintf(a.actor, sizeof a.actor, "%s", cli->actor);
      snprintf(a.target, sizeof a.target, "%s", argv[2]);
      if (wg_store_audit_add(s, &a) != WG_OK) fprintf(stderr, "wangge: audit row not written\n");
      printf("%s %s\n", argv[2], unset ? "back to its default" : "set");
    }
    free(file_text);
  }
  wg_store_close(s);
  return rc;
}
