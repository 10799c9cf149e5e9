/* webhook.h — delivering the mobilisation webhook (an SMS gateway or any
 * receiver): messages queued in the store's outbox are POSTed as JSON by a
 * background thread with retries (backoff 2^attempts seconds, at most
 * WG_WEBHOOK_MAX_ATTEMPTS), never from a request. Plain http:// URLs (a
 * gateway on the county's own network); https is refused by the setting. */
#ifndef WG_WEBHOOK_H
#define WG_WEBHOOK_H

#include <stdint.h>

#include "store/store.h"

enum { WG_WEBHOOK_MAX_ATTEMPTS = 6, WG_WEBHOOK_TIMEOUT_S = 5 };

/* 1 when url is "http://HOST[:PORT][/PATH]" with a host of at most 255 bytes. */
int wg_webhook_url_ok(const char *url);

/* POSTs body to url; WG_OK on a 2xx answer, else WG_EIO with why (64+ bytes). */
wg_err wg_webhook_post(const char *url, const char *body, char *why, size_t cap) WG_MUST_CHECK;

/* Delivers every message due at unix time now, once each; counts in
 * *delivered and *failed (may be NULL). */
wg_err wg_webhook_deliver_due(wg_store_t *s, int64_t now, long *delivered,
                              long *failed) WG_MUST_CHECK;

/* A background deliverer with its own store connection, polling every
 * poll_ms. */
typedef struct wg_webhook_worker wg_webhook_worker;
wg_err wg_webhook_start(const char *db_uri, int poll_ms, wg_webhook_worker **out) WG_MUST_CHECK;
void wg_webhook_stop(wg_webhook_worker *w); /* accepts NULL; joins the thread */

#endif
