/* webhook.c — POSTing outbox messages, from a background thread. */
#include "org/webhook.h"

#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef struct url_parts {
  char host[256];
  char port[8];
  char path[1024];
} url_parts;

static int parse_url(const char *url, url_parts *u) {
  if (!url || strncmp(url, "http://", 7) != 0) return 0;
  const char *h = url + 7;
  size_t hn = strcspn(h, ":/");
  if (!hn || hn >= sizeof u->host) return 0;
  memcpy(u->host, h, hn);
  u->host[hn] = '\0';
  const char *p = h + hn;
  snprintf(u->port, sizeof u->port, "80");
  if (*p == ':') {
    size_t pn = strcspn(p + 1, "/");
    if (!pn || pn > 5) return 0;
    for (size_t i = 0; i < pn; i++)
      if (p[1 + i] < '0' || p[1 + i] > '9') return 0;
    memcpy(u->port, p + 1, pn);
    u->port[pn] = '\0';
    p += 1 + pn;
  }
  if (strlen(p) >= sizeof u->path) return 0;
  for (const char *c = p; *c; c++)
    if ((unsigned char)*c <= ' ') return 0;
  snprintf(u->path, sizeof u->path, "%s", *p ? p : "/");
  return 1;
}

int wg_webhook_url_ok(const char *url) {
  url_parts u;
  return parse_url(url, &u);
}

wg_err wg_webhook_post(const char *url, const char *body, char *why, size_t cap) {
  url_parts u;
  if (!parse_url(url, &u)) {
    snprintf(why, cap, "not an http:// URL");
    return WG_EINVAL;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
  if (getaddrinfo(u.host, u.port, &hints, &res) != 0 || !res) {
    snprintf(why, cap, "cannot resolve the host");
    return WG_EIO;
  }
  int fd = -1;
  for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    struct timeval tv = {WG_WEBHOOK_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    snprintf(why, cap, "cannot connect");
    return WG_EIO;
  }
  size_t blen = strlen(body);
  char head[1600];
  int hn = snprintf(head, sizeof head,
                    "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\nUser-Agent: wangge\r\nConnection: close\r\n\r\n",
                    u.path, u.host, blen);
  wg_err e = WG_OK;
  const char *parts[2] = {head, body};
  size_t lens[2] = {(size_t)hn, blen};
  for (int k = 0; k < 2 && !e; k++)
    for (size_t off = 0; off < lens[k] && !e;) {
      ssize_t w = send(fd, parts[k] + off, lens[k] - off, MSG_NOSIGNAL);
      if (w <= 0)
        e = WG_EIO;
      else
        off += (size_t)w;
    }
  char resp[64] = "";
  size_t got = 0;
  while (!e && got < sizeof resp - 1) {
    ssize_t r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
    if (r <= 0) break;
    got += (size_t)r;
  }
  resp[got] = '\0';
  close(fd);
  if (e) {
    snprintf(why, cap, "sending failed");
    return e;
  }
  int status = 0;
  if (sscanf(resp, "HTTP/%*d.%*d %d", &status) != 1) {
    snprintf(why, cap, "no HTTP answer");
    return WG_EIO;
  }
  if (status < 200 || status > 299) {
    snprintf(why, cap, "HTTP %d", status);
    return WG_EIO;
  }
  return WG_OK;
}

wg_err wg_webhook_deliver_due(wg_store_t *s, int64_t now, long *delivered, long *failed) {
  long ok = 0, bad = 0;
  wg_err e = WG_OK;
  /* Each message once per pass: ids only grow, so walk past the last one. */
  for (;;) {
    wg_outbox_row m;
    e = wg_store_outbox_next(s, now, WG_WEBHOOK_MAX_ATTEMPTS, &m);
    if (e == WG_ENOTFOUND) {
      e = WG_OK;
      break;
    }
    if (e) break;
    char why[128] = "";
    wg_err pe = wg_webhook_post(m.url, m.body, why, sizeof why);
    free(m.body);
    int64_t next = now + ((int64_t)1 << (m.attempts + 1));
    e = wg_store_outbox_done(s, m.id, pe == WG_OK, why, pe == WG_OK ? 0 : next);
    if (e) break;
    if (pe == WG_OK)
      ok++;
    else
      bad++;
  }
  if (delivered) *delivered = ok;
  if (failed) *failed = bad;
  return e;
}

struct wg_webhook_worker {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
  int poll_ms;
  wg_store_t *store;
};

static void *run(void *arg) {
  wg_webhook_worker *w = arg;
  pthread_mutex_lock(&w->mu);
  while (!w->stop) {
    pthread_mutex_unlock(&w->mu);
    long ok, bad;
    if (wg_webhook_deliver_due(w->store, (int64_t)time(NULL), &ok, &bad) != WG_OK)
      fprintf(stderr, "wangge: webhook delivery: %s\n", wg_store_errmsg(w->store));
    pthread_mutex_lock(&w->mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += w->poll_ms / 1000;
    until.tv_nsec += (long)(w->poll_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    if (!w->stop) pthread_cond_timedwait(&w->cv, &w->mu, &until);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

wg_err wg_webhook_start(const char *db_uri, int poll_ms, wg_webhook_worker **out) {
  *out = NULL;
  wg_webhook_worker *w = calloc(1, sizeof *w);
  if (!w) return WG_ENOMEM;
  wg_errinfo ei = {0};
  wg_err e = wg_store_open(db_uri, 0, &w->store, &ei);
  if (e) {
    free(w);
    return e;
  }
  w->poll_ms = poll_ms > 0 ? poll_ms : 1000;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  if (pthread_create(&w->thread, NULL, run, w) != 0) {
    wg_store_close(w->store);
    free(w);
    return WG_ENOMEM;
  }
  *out = w;
  return WG_OK;
}

void wg_webhook_stop(wg_webhook_worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->stop = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  wg_store_close(w->store);
  free(w);
}
