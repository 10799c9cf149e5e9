/* matter_writer.c — group commit for reports. Open311 clients and the web
 * UI post reports from many connections at once; each must be durable
 * before it is answered, and an fsync costs milliseconds. One thread takes
 * every queued report, writes each in a savepoint of its own (a failing one
 * undoes only itself) inside one transaction, commits once, and resumes
 * the suspended requests, which then answer. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>

#include "http/http_int.h"
#include "matter/matters.h"

enum { BATCH_MAX = 512 };

void wg__http_writer_submit(wg_http_req *r, wg_http_job *job, void (*done)(wg_http_req *r)) {
  job->r = r;
  job->next = NULL;
  job->err = WG_OK;
  r->job = job;
  r->deferred = done;
  r->deferred_done = 0;
}

wg_http_job *wg__http_job_of(wg_http_req *r) {
  return r->job;
}

static void write_batch(wg_store_t *s, const char *county, wg_http_job *first);

void wg__http_writer_enqueue(wg_http_req *r) {
  wg_http_server *srv = r->srv;
  if (!srv->writer_running) { /* no writer thread: write it here */
    r->job->next = NULL;
    write_batch(r->worker ? r->worker->store : NULL, srv->county, r->job);
    pthread_mutex_lock(&srv->writer_mu);
    r->deferred_done = 1;
    MHD_resume_connection(r->conn);
    pthread_mutex_unlock(&srv->writer_mu);
    return;
  }
  pthread_mutex_lock(&srv->writer_mu);
  if (srv->jobs_tail)
    srv->jobs_tail->next = r->job;
  else
    srv->jobs = r->job;
  srv->jobs_tail = r->job;
  pthread_cond_signal(&srv->writer_cv);
  pthread_mutex_unlock(&srv->writer_mu);
}

/* Writes a batch in one transaction; sets each job's err. */
static void write_batch(wg_store_t *s, const char *county, wg_http_job *first) {
  wg_err e = s ? wg_store_begin(s) : WG_EDB;
  for (wg_http_job *j = first; j; j = j->next) {
    if (e) {
      j->err = e;
      continue;
    }
    wg_err se = wg_store_savepoint(s);
    if (!se) se = wg_matters_report(s, county, j->in, j->out, &j->ei);
    wg_err re = se ? wg_store_savepoint_release(s, 0) : wg_store_savepoint_release(s, 1);
    j->err = se ? se : re;
    if (re) e = re; /* the transaction itself is in trouble */
  }
  if (!e) e = wg_store_commit(s);
  if (e) {
    if (s) wg_store_rollback(s);
    for (wg_http_job *j = first; j; j = j->next)
      if (!j->err) j->err = e; /* nothing of the batch was written */
  }
}

static void *writer_main(void *arg) {
  wg_http_server *srv = arg;
  wg_store_t *s = NULL;
  int tuned = 0;
  pthread_mutex_lock(&srv->writer_mu);
  for (;;) {
    while (!srv->jobs && !srv->writer_stop) pthread_cond_wait(&srv->writer_cv, &srv->writer_mu);
    if (!srv->jobs && srv->writer_stop) break;
    /* take up to BATCH_MAX jobs */
    wg_http_job *first = srv->jobs, *last = first;
    int n = 1;
    while (last->next && n < BATCH_MAX) {
      last = last->next;
      n++;
    }
    srv->jobs = last->next;
    if (!srv->jobs) srv->jobs_tail = NULL;
    last->next = NULL;
    pthread_mutex_unlock(&srv->writer_mu);
    if (!s && wg_store_open(srv->db, 0, &s, NULL) != WG_OK) s = NULL;
    if (s && !tuned) tuned = wg_store_tune_batch_writer(s) == WG_OK;
    write_batch(s, srv->county, first);
    pthread_mutex_lock(&srv->writer_mu);
    for (wg_http_job *j = first, *next; j; j = next) {
      next = j->next; /* the request may be freed once resumed */
      j->r->deferred_done = 1;
      MHD_resume_connection(j->r->conn);
    }
  }
  pthread_mutex_unlock(&srv->writer_mu);
  wg_store_close(s);
  return NULL;
}

void wg__http_writer_start(wg_http_server *srv) {
  srv->writer_stop = 0;
  srv->writer_running = pthread_create(&srv->writer, NULL, writer_main, srv) == 0;
}

void wg__http_writer_stop(wg_http_server *srv) {
  if (!srv->writer_running) return;
  pthread_mutex_lock(&srv->writer_mu);
  srv->writer_stop = 1;
  pthread_cond_broadcast(&srv->writer_cv);
  pthread_mutex_unlock(&srv->writer_mu);
  pthread_join(srv->writer, NULL);
  srv->writer_running = 0;
}
