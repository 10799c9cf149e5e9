/* The API's documentation stays true: every route of the server's route
 * table is in docs/openapi.yaml (path and method) and in docs/api.md, and
 * every path and method of openapi.yaml is a route. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "test.h"

static char *slurp(const char *rel) {
  const char *src = getenv("WG_SRC");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", src ? src : "..", rel);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
  if (buf) buf[n] = '\0';
  fclose(f);
  return buf;
}

/* The (path, method) pairs of openapi.yaml's paths section: a path is a
 * line "  /api/…:", a method a line "    get:" below it. */
typedef struct op {
  char path[128];
  char method[8];
  int matched;
} op;

static int parse_ops(const char *yaml, op *ops, int cap) {
  int n = 0, in_paths = 0;
  char path[128] = "";
  const char *line = yaml;
  while (line && *line) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < 255 ? len : 255), line);
    if (strcmp(buf, "paths:") == 0) in_paths = 1;
    else if (buf[0] && buf[0] != ' ') in_paths = 0;
    if (in_paths && strncmp(buf, "  /", 3) == 0 && buf[strlen(buf) - 1] == ':') {
      snprintf(path, sizeof path, "%.*s", (int)strlen(buf) - 3, buf + 2);
    } else if (in_paths && path[0] && strncmp(buf, "    ", 4) == 0 && buf[4] != ' ') {
      static const char *const methods[] = {"get", "post", "put", "patch", "delete", "head"};
      for (int m = 0; m < 6; m++) {
        size_t ml = strlen(methods[m]);
        if (strncmp(buf + 4, methods[m], ml) == 0 && buf[4 + ml] == ':' && n < cap) {
          snprintf(ops[n].path, sizeof ops[n].path, "%s", path);
          for (size_t k = 0; k <= ml; k++)
            ops[n].method[k] = (char)(methods[m][k] >= 'a' ? methods[m][k] - 32 : methods[m][k]);
          ops[n].matched = 0;
          n++;
        }
      }
    }
    line = end ? end + 1 : NULL;
  }
  return n;
}

static op ops[256];
static int nops;
static char *yaml, *md;

TEST(every_route_is_in_openapi) {
  CHECK(yaml != NULL);
  CHECK(wg_http_route_count() > 10);
  for (int i = 0; i < wg_http_route_count(); i++) {
    const wg_http_route_info *r = wg_http_route_at(i);
    int found = 0;
    for (int k = 0; k < nops; k++)
      if (strcmp(ops[k].path, r->pattern) == 0 && strcmp(ops[k].method, r->method) == 0) {
        found = 1;
        ops[k].matched = 1;
      }
    if (!found) printf("#   %s %s is not in docs/openapi.yaml\n", r->method, r->pattern);
    CHECK(found);
  }
  CHECK(wg_http_route_at(-1) == NULL && wg_http_route_at(wg_http_route_count()) == NULL);
}

TEST(openapi_lists_no_other_route) {
  CHECK(nops > 0);
  for (int k = 0; k < nops; k++) {
    if (!ops[k].matched) printf("#   openapi.yaml has %s %s; the server has no such route\n",
                                ops[k].method, ops[k].path);
    CHECK(ops[k].matched);
  }
}

TEST(every_route_is_in_api_md) {
  CHECK(md != NULL);
  for (int i = 0; md && i < wg_http_route_count(); i++) {
    const wg_http_route_info *r = wg_http_route_at(i);
    char needle[160];
    snprintf(needle, sizeof needle, "%s %s", r->method, r->pattern);
    if (!strstr(md, needle)) printf("#   docs/api.md lacks \"%s\"\n", needle);
    CHECK(strstr(md, needle) != NULL);
  }
}

int main(void) {
  yaml = slurp("docs/openapi.yaml");
  md = slurp("docs/api.md");
  if (yaml) nops = parse_ops(yaml, ops, 256);
  RUN(every_route_is_in_openapi);
  RUN(openapi_lists_no_other_route);
  RUN(every_route_is_in_api_md);
  free(yaml);
  free(md);
  return test_done();
}
