/* session_token — signs a user in directly through auth.h and prints the
 * session token, so benchmarks can call the API before the session
 * endpoints exist in every build.
 *
 *   session_token DB LOGIN < password */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: session_token DB LOGIN < password\n");
    return 2;
  }
  char pw[1100];
  if (!fgets(pw, sizeof pw, stdin)) return 2;
  pw[strcspn(pw, "\r\n")] = '\0';
  wg_store_t *s;
  wg_errinfo ei = {0};
  if (wg_store_open(argv[1], 0, &s, &ei) != WG_OK) {
    fprintf(stderr, "session_token: %s\n", ei.why);
    return 1;
  }
  wg_session sess;
  wg_principal who;
  wg_err e = wg_auth_login(s, NULL, argv[2], pw, "bench", (int64_t)time(NULL), &sess, &who, &ei);
  wg_store_close(s);
  if (e) {
    fprintf(stderr, "session_token: %s: %s\n", wg_strerror(e), ei.why);
    return 1;
  }
  printf("%s\n", sess.token);
  return 0;
}
