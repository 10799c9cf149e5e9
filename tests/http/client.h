/* client.h — a tiny HTTP/1.1 client over sockets for the in-process server
 * tests (one request per connection), and an expat reader that flattens an
 * XML document into (path, text) pairs. Static functions: include once. */
#ifndef WG_TEST_CLIENT_H
#define WG_TEST_CLIENT_H

#include <arpa/inet.h>
#include <expat.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int client_port;

typedef struct resp {
  int status;
  char headers[8192];
  char *body;
  size_t len;
  json_t *json;
} resp;

static void resp_free(resp *r) {
  free(r->body);
  json_decref(r->json);
  memset(r, 0, sizeof *r);
}

static int header(const resp *r, const char *name, char *out, size_t cap) {
  size_t n = strlen(name);
  const char *p = r->headers;
  while ((p = strchr(p, '\n'))) {
    p++;
    if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
      const char *v = p + n + 1;
      while (*v == ' ') v++;
      size_t k = strcspn(v, "\r\n");
      snprintf(out, cap, "%.*s", (int)k, v);
      return 1;
    }
  }
  return 0;
}

/* Sends method target with extra headers (each ending in \r\n) and a body
 * of len bytes (NULL = none); reads the whole response (Content-Length or
 * until close). 0 on success. */
static int http(const char *method, const char *target, const char *extra, const void *body,
                size_t len, resp *r) {
  memset(r, 0, sizeof *r);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)client_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  struct timeval tv = {30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char head[16384];
  int n = snprintf(head, sizeof head,
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
                   "Content-Length: %zu\r\n\r\n",
                   method, target, extra ? extra : "", body ? len : 0);
  if (send(fd, head, (size_t)n, MSG_NOSIGNAL) != n ||
      (body && len && send(fd, body, len, MSG_NOSIGNAL) != (ssize_t)len)) {
    close(fd);
    return -1;
  }
  size_t cap = 1 << 16, got = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (got + 1 >= cap) buf = realloc(buf, cap *= 2);
    ssize_t k = recv(fd, buf + got, cap - got - 1, 0);
    if (k <= 0) break;
    got += (size_t)k;
  }
  close(fd);
  buf[got] = '\0';
  char *hend = strstr(buf, "\r\n\r\n");
  if (!hend) {
    free(buf);
    return -1;
  }
  size_t hlen = (size_t)(hend - buf) + 4;
  snprintf(r->headers, sizeof r->headers, "%.*s", (int)hlen, buf);
  sscanf(buf, "HTTP/1.%*d %d", &r->status);
  r->len = got - hlen;
  r->body = malloc(r->len + 1);
  memcpy(r->body, buf + hlen, r->len);
  r->body[r->len] = '\0';
  free(buf);
  r->json = json_loadb(r->body, r->len, 0, NULL);
  return 0;
}

/* Sends only the request head (its own Content-Length among extra) and
 * reads the answer: for refusals made before a body is read. */
static int http_head_only(const char *method, const char *target, const char *extra, resp *r) {
  memset(r, 0, sizeof *r);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)client_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  char head[4096];
  int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", method,
                   target, extra);
  if (send(fd, head, (size_t)n, MSG_NOSIGNAL) != n) {
    close(fd);
    return -1;
  }
  char buf[8192];
  size_t got = 0;
  for (;;) {
    ssize_t k = recv(fd, buf + got, sizeof buf - got - 1, 0);
    if (k <= 0) break;
    got += (size_t)k;
    buf[got] = '\0';
    if (strstr(buf, "\r\n\r\n")) break;
  }
  close(fd);
  buf[got] = '\0';
  return sscanf(buf, "HTTP/1.%*d %d", &r->status) == 1 ? 0 : -1;
}

/* ---- XML through expat ---------------------------------------------------- */

typedef struct xml_doc {
  int ok;                 /* parsed without error */
  int n;
  char path[512][96];     /* "service_requests/request/status" */
  char text[512][512];
  char stack[256];        /* current path */
  int cur;                /* index of the element whose text is being read, -1 none */
} xml_doc;

static void XMLCALL xml_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
  (void)attrs;
  xml_doc *d = ud;
  size_t l = strlen(d->stack);
  snprintf(d->stack + l, sizeof d->stack - l, "%s%s", l ? "/" : "", name);
  if (d->n < 512) {
    snprintf(d->path[d->n], sizeof d->path[0], "%.95s", d->stack);
    d->text[d->n][0] = '\0';
    d->cur = d->n++;
  } else {
    d->cur = -1;
  }
}

static void XMLCALL xml_end(void *ud, const XML_Char *name) {
  (void)name;
  xml_doc *d = ud;
  char *slash = strrchr(d->stack, '/');
  if (slash)
    *slash = '\0';
  else
    d->stack[0] = '\0';
  d->cur = -1;
}

static void XMLCALL xml_chars(void *ud, const XML_Char *s, int len) {
  xml_doc *d = ud;
  if (d->cur < 0) return;
  size_t l = strlen(d->text[d->cur]);
  snprintf(d->text[d->cur] + l, sizeof d->text[0] - l, "%.*s", len, s);
}

/* Parses body; 1 when it is well-formed XML (UTF-8). */
static int xml_parse(const char *body, size_t len, xml_doc *d) {
  memset(d, 0, sizeof *d);
  d->cur = -1;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, d);
  XML_SetElementHandler(p, xml_start, xml_end);
  XML_SetCharacterDataHandler(p, xml_chars);
  d->ok = XML_Parse(p, body, (int)len, 1) == XML_STATUS_OK;
  XML_ParserFree(p);
  return d->ok;
}

static int xml_count(const xml_doc *d, const char *path) {
  int c = 0;
  for (int i = 0; i < d->n; i++) c += strcmp(d->path[i], path) == 0;
  return c;
}

/* The text of the k-th element with this path ("" when absent). */
static const char *xml_get(const xml_doc *d, const char *path, int k) {
  for (int i = 0; i < d->n; i++)
    if (strcmp(d->path[i], path) == 0 && k-- == 0) return d->text[i];
  return "";
}

#endif
