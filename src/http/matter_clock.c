/* matter_clock.c — the server runs the matters' deadline clock itself: a
 * thread that escalates overdue matters (wg_matters_tick) every
 * opts.clock_seconds, on a store connection of its own. */
#include <stdio.h>
#include <time.h>

#include "http/http_int.h"
#include "matter/matters.h"

static void *clock_main(void *arg) {
  wg_http_server *srv = arg;
  wg_store_t *s = NULL;
  pthread_mutex_lock(&srv->clock_mu);
  while (!srv->clock_stop) {
    pthread_mutex_unlock(&srv->clock_mu);
    if (!s && wg_store_open(srv->db, 0, &s, NULL) != WG_OK) s = NULL;
    long n = 0;
    if (s && wg_matters_tick(s, srv->county, (int64_t)time(NULL), &n) == WG_OK && n &&
        srv->opts.access_log)
      fprintf(stderr, "wangge: deadline clock escalated %ld matters\n", n);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += srv->opts.clock_seconds;
    pthread_mutex_lock(&srv->clock_mu);
    while (!srv->clock_stop)
      if (pthread_cond_timedwait(&srv->clock_cv, &srv->clock_mu, &until) != 0) break;
  }
  pthread_mutex_unlock(&srv->clock_mu);
  wg_store_close(s);
  return NULL;
}

void wg__http_clock_start(wg_http_server *srv) {
  if (srv->opts.clock_seconds <= 0) return;
  srv->clock_stop = 0;
  srv->clock_running = pthread_create(&srv->clock, NULL, clock_main, srv) == 0;
}

void wg__http_clock_stop(wg_http_server *srv) {
  if (!srv->clock_running) return;
  pthread_mutex_lock(&srv->clock_mu);
  srv->clock_stop = 1;
  pthread_cond_broadcast(&srv->clock_cv);
  pthread_mutex_unlock(&srv->clock_mu);
  pthread_join(srv->clock, NULL);
  srv->clock_running = 0;
}
