/* api_session.c — signing in and out: POST/GET/DELETE /api/v1/session.
 *
 * Sign-in takes {"login", "password"} as JSON (a cross-site form cannot send
 * that content type, and the cookie is SameSite=Strict), checks it with
 * wg_auth_login and sets the HttpOnly session cookie; the response carries
 * the CSRF token the client echoes in X-CSRF-Token on every state-changing
 * request. The password is wiped from the request body after use. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"

/* The client's address, for the audit log. */
void wg__http_client_address(wg_http_req *r, char *out, size_t cap) {
  snprintf(out, cap, "http");
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || !ci->client_addr) return;
  const struct sockaddr *sa = ci->client_addr;
  char ip[64] = "";
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof ip);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof ip);
  if (ip[0]) snprintf(out, cap, "%s", ip);
}

static json_t *principal_json(const wg_principal *p, const char *csrf) {
  json_t *scopes = json_array();
  for (int i = 0; i < p->nscopes; i++) json_array_append_new(scopes, json_string(p->scopes[i]));
  return json_pack("{s:s,s:s,s:o,s:b,s:s}", "login", p->login, "role", wg_role_name(p->role),
                   "scopes", scopes, "unmask", (p->perms & WG_PERM_UNMASK) != 0, "csrf", csrf);
}

void wg__api_session_create(wg_http_req *r) {
  const char *ctype = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
  if (!ctype || strncmp(ctype, "application/json", 16) != 0) {
    wg__http_error(r, 415, "unsupported_media_type", "Content-Type",
                   "sign in with a JSON body {\"login\", \"password\"}");
    return;
  }
  json_error_t jerr;
  json_t *body = r->body ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
  if (r->body) sodium_memzero(r->body, r->body_len);
  const char *login = json_string_value(json_object_get(body, "login"));
  const char *password = json_string_value(json_object_get(body, "password"));
  if (!login || !password) {
    json_decref(body);
    wg__http_error(r, 400, "bad_request", login ? "password" : "login",
                   "sign in with a JSON body {\"login\", \"password\"}");
    return;
  }
  wg_http_worker *w = wg__http_worker(r);
  if (!w) {
    json_decref(body);
    return;
  }
  char origin[64];
  wg__http_client_address(r, origin, sizeof origin);
  wg_auth_policy pol;
  wg_auth_policy_init(&pol);
  wg_session sess;
  wg_principal who;
  wg_errinfo ei = {0};
  wg_err e = wg_auth_login(w->store, &pol, login, password, origin, (int64_t)time(NULL), &sess,
                           &who, &ei);
  /* The password's bytes live in the JSON tree: wipe them before freeing. */
  json_t *pw = json_object_get(body, "password");
  if (json_is_string(pw)) sodium_memzero((void *)json_string_value(pw), json_string_length(pw));
  json_decref(body);
  if (e == WG_EPERM) {
    wg__http_error(r, 401, "unauthorized", "login", "wrong login or password");
    return;
  }
  if (e == WG_EBUSY) {
    wg__http_error(r, 403, "locked", "login", "%s", ei.why[0] ? ei.why : "account locked");
    return;
  }
  if (e) {
    wg__http_fail(r, e, NULL, ei.why);
    return;
  }
  snprintf(r->set_cookie, sizeof r->set_cookie,
           "wg_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld", sess.token,
           (long long)(sess.expires_absolute - (int64_t)time(NULL)));
  wg__http_json(r, 201, principal_json(&who, sess.csrf));
  sodium_memzero(&sess, sizeof sess);
}

void wg__api_session_get(wg_http_req *r) {
  wg__http_json(r, 200, principal_json(&r->who, r->csrf));
}

void wg__api_session_delete(wg_http_req *r) {
  const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "wg_session");
  wg_http_worker *w = wg__http_worker(r);
  if (!w) return;
  char origin[64];
  wg__http_client_address(r, origin, sizeof origin);
  wg_err e = token ? wg_auth_logout(w->store, token, origin) : WG_OK;
  if (token) wg__http_session_forget(r->srv, token);
  if (e && e != WG_ENOTFOUND) {
    wg__http_fail(r, e, NULL, NULL);
    return;
  }
  snprintf(r->set_cookie, sizeof r->set_cookie,
           "wg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  wg__http_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}
