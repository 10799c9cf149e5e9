/* http_scope.c — the one place where requests meet auth: who is asking
 * (require_principal), whether a state-changing request carries its CSRF
 * token (require_csrf), and whether the principal may see an object
 * (wg_auth_can_see) or which rows a listing may return (a store scope made
 * from the principal's scope codes).
 *
 * The session is the HttpOnly cookie wg_session (set by the session
 * endpoints); its CSRF token comes back from wg_auth_session_check and must
 * be echoed in X-CSRF-Token on every state-changing request. A session
 * checked in the last second is taken from a small cache (see
 * WG_HTTP_SESSION_TTL_MS): sign-outs must call wg__http_session_forget. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"
#include "matter/matters.h"

#define SESSION_COOKIE "wg_session"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The cache slot of a token (tokens are random: their first hex digits
 * spread well). */
static wg_http_session_slot *slot_of(wg_http_server *srv, const char *token) {
  unsigned h = 0;
  for (int i = 0; i < 8 && token[i]; i++) h = h * 16 + (unsigned)(token[i] & 0x0f);
  return &srv->sessions[h % WG_HTTP_SESSION_SLOTS];
}

static int cached_session(wg_http_req *r, const char *token) {
  size_t n = strlen(token);
  if (n != 64) return 0;
  wg_http_server *srv = r->srv;
  int hit = 0;
  pthread_mutex_lock(&srv->session_mu);
  wg_http_session_slot *s = slot_of(srv, token);
  if (s->token[0] && s->until_ms > now_ms() && sodium_memcmp(s->token, token, 64) == 0) {
    r->who = s->who;
    memcpy(r->csrf, s->csrf, sizeof r->csrf);
    hit = 1;
  }
  pthread_mutex_unlock(&srv->session_mu);
  return hit;
}

static void cache_session(wg_http_req *r, const char *token) {
  if (strlen(token) != 64) return;
  wg_http_server *srv = r->srv;
  pthread_mutex_lock(&srv->session_mu);
  wg_http_session_slot *s = slot_of(srv, token);
  memcpy(s->token, token, 65);
  memcpy(s->csrf, r->csrf, sizeof s->csrf);
  s->who = r->who;
  s->until_ms = now_ms() + WG_HTTP_SESSION_TTL_MS;
  pthread_mutex_unlock(&srv->session_mu);
}

void wg__http_session_forget(wg_http_server *srv, const char *token) {
  if (!token || strlen(token) != 64) return;
  pthread_mutex_lock(&srv->session_mu);
  wg_http_session_slot *s = slot_of(srv, token);
  if (sodium_memcmp(s->token, token, 64) == 0) sodium_memzero(s, sizeof *s);
  pthread_mutex_unlock(&srv->session_mu);
}

int wg__http_require_principal(wg_http_req *r) {
  if (r->have_who) return 1;
  memset(&r->who, 0, sizeof r->who);
  const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
  if (token && *token) {
    if (cached_session(r, token)) {
      r->have_who = 1;
      return 1;
    }
    wg_http_worker *w = wg__http_worker(r);
    if (!w) return 0; /* the worker set a 500 */
    /* Unknown, expired or disabled: one answer for all. */
    if (wg_auth_session_check(w->store, NULL, token, (int64_t)time(NULL), &r->who, r->csrf) ==
        WG_OK) {
      r->have_who = 1;
      cache_session(r, token);
      return 1;
    }
    memset(&r->who, 0, sizeof r->who);
  }
  wg__http_error(r, 401, "unauthenticated", NULL,
                 "sign in first (POST /api/v1/session); no valid session");
  return 0;
}

int wg__http_require_csrf(wg_http_req *r) {
  const char *presented = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
  if (r->have_who && r->csrf[0] && presented && wg_auth_csrf_ok(r->csrf, presented)) return 1;
  wg__http_error(r, 403, "csrf", "X-CSRF-Token",
                 "a state-changing request needs the session's CSRF token in X-CSRF-Token");
  return 0;
}

int wg__http_can_see(const wg_http_req *r, const char *code) {
  if (!r->have_who || !code || !*code) return 0;
  return wg_auth_can_see(&r->who, code);
}

int wg__http_can_see_entrance(const wg_http_req *r, const wg_http_plan *p, int64_t entrance_id,
                              int64_t dwelling_id, const char *community) {
  int64_t wi;
  if (!p || entrance_id <= 0 || !wg_u64map_get(&p->entrance, (uint64_t)entrance_id, &wi))
    return wg__http_can_see(r, community);
  const struct wg_http_where *w = &p->where[wi];
  /* A dwelling the plan placed in one piece of a split entrance is in that
   * piece's grid only; other dwellings of the entrance in each piece's. */
  int pc = w->npieces > 0 ? wg__http_dwelling_piece(p, dwelling_id) : -1;
  if (pc >= 0)
    return p->pieces[pc].grid >= 0 ? wg__http_can_see(r, p->grids[p->pieces[pc].grid].code)
                                   : wg__http_can_see(r, community);
  for (int k = 0; k < w->npieces; k++) {
    int g = p->pieces[w->first_piece + k].grid;
    if (g >= 0 && wg__http_can_see(r, p->grids[g].code)) return 1;
  }
  for (int l = 2; l >= 0; l--)
    if (w->grid[l] >= 0) return wg__http_can_see(r, p->grids[w->grid[l]].code);
  return wg__http_can_see(r, community);
}

int wg__http_can_see_place(const wg_http_req *r, const char *grid1, const char *grid2,
                           const char *grid3, const char *community) {
  const char *most = grid3 && *grid3 ? grid3 : grid2 && *grid2 ? grid2 : grid1 && *grid1 ? grid1 : community;
  return wg__http_can_see(r, most);
}

/* The code prefix a division scope covers, as wg_auth_can_see reads it:
 * 141127000000 → 141127, 141127100000 → 141127100. (Rows the SQL lets
 * through are checked with wg_auth_can_see again.) */
static size_t division_prefix_len(const char *code) {
  static const size_t cuts[] = {2, 4, 6, 9};
  for (int i = 0; i < 4; i++) {
    int zeros = 1;
    for (size_t k = cuts[i]; k < 12 && zeros; k++) zeros = code[k] == '0';
    if (zeros) return cuts[i];
  }
  return 12;
}

void wg__http_store_scope(wg_http_req *r, int64_t active_plan, wg_store_scope *sc) {
  memset(sc, 0, sizeof *sc);
  sc->plan_id = active_plan;
  if (!r->have_who) return;
  switch (r->who.role) {
    case WG_ROLE_ADMIN:
      sc->all = 1;
      return;
    case WG_ROLE_COUNTY:
    case WG_ROLE_TOWNSHIP:
    case WG_ROLE_COMMUNITY:
    case WG_ROLE_GRID_WORKER:
      break;
    default: /* auditors and members see no one through listings */
      return;
  }
  for (int i = 0; i < r->who.nscopes && i < WG_AUTH_MAX_SCOPES; i++) {
    const char *c = r->who.scopes[i];
    size_t n = strnlen(c, sizeof r->who.scopes[i]);
    /* As wg_auth_can_see: division scopes give a grid worker nothing. */
    if (n == 12 && r->who.role != WG_ROLE_GRID_WORKER && sc->nprefixes < 32) {
      sc->prefixes[sc->nprefixes++] = wg__arena_strndup(&r->pool, c, division_prefix_len(c));
      if (!sc->prefixes[sc->nprefixes - 1]) sc->nprefixes--;
    } else if ((n == 14 || n == 16 || n == 18) && sc->ngrids < 32) {
      sc->grids[sc->ngrids++] = c;
    }
  }
}

/* ---- matters -------------------------------------------------------------------- */

int wg__http_can_see_matter(const wg_http_req *r, const wg_matter_row *m) {
  return r->have_who && wg_matters_visible(&r->who, m);
}

unsigned wg__http_matter_kinds(const wg_http_req *r, const wg_matter_row *m) {
  return r->have_who ? wg_matters_kinds(&r->who, m) : 0;
}

void wg__http_matter_who(wg_http_req *r, wg_matter_who *who, char *origin, size_t cap) {
  memset(who, 0, sizeof *who);
  wg__http_client_address(r, origin, cap);
  who->p = r->have_who ? &r->who : NULL;
  who->actor = r->who.login;
  who->origin = origin;
}

/* ---- organisation ---------------------------------------------------------------- */

int wg__http_org_manager(const wg_http_req *r, const char *code) {
  if (!r->have_who || !code || !*code) return 0;
  switch (r->who.role) {
    case WG_ROLE_ADMIN:
    case WG_ROLE_COUNTY:
    case WG_ROLE_TOWNSHIP:
    case WG_ROLE_COMMUNITY:
      return wg__http_can_see(r, code);
    default:
      return 0;
  }
}

int wg__http_org_fieldwork(const wg_http_req *r, const char *code) {
  if (wg__http_org_manager(r, code)) return 1;
  /* A grid worker sees exactly their grids and sub-grids. */
  return r->have_who && r->who.role == WG_ROLE_GRID_WORKER && code && strlen(code) >= 14 &&
         wg__http_can_see(r, code);
}

int wg__http_org_fieldwork_entrance(wg_http_req *r, int64_t entrance_id, const char *community) {
  if (!r->have_who) return 0;
  switch (r->who.role) {
    case WG_ROLE_ADMIN:
    case WG_ROLE_COUNTY:
    case WG_ROLE_TOWNSHIP:
    case WG_ROLE_COMMUNITY:
    case WG_ROLE_GRID_WORKER:
      break;
    default:
      return 0;
  }
  int64_t active = 0, ledger = 0;
  if (wg__http_versions(r, &active, &ledger) != WG_OK || !active) return 0;
  wg_http_plan *p = NULL;
  if (wg__http_plan_get(r, active, &p) != WG_OK) return 0;
  /* A split entrance belongs to the worker of each of its pieces. */
  int ok = wg__http_can_see_entrance(r, p, entrance_id, 0, community);
  wg__http_plan_release(r->srv, p);
  return ok;
}
