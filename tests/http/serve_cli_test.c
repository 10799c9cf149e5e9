/* `wangge serve` as a process: usage errors, a missing database, the URL it
 * prints (loopback unless told otherwise), answers on that port, and a
 * clean exit on SIGTERM. The binary comes from $WG_BIN (set by CTest). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static const char *bin;
static char *dir;
static char db[512];

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Runs wangge with args; returns its exit status (stdout into out). */
static int run(char *const argv[], char *out, size_t cap) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    execv(bin, argv);
    _exit(127);
  }
  close(fds[1]);
  size_t n = 0;
  ssize_t k;
  while (n + 1 < cap && (k = read(fds[0], out + n, cap - n - 1)) > 0) n += (size_t)k;
  out[n] = '\0';
  close(fds[0]);
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(usage_errors) {
  char out[4096];
  char *a1[] = {(char *)bin, "--db", db, "serve", "--listen", "nowhere", NULL};
  CHECK_EQ(run(a1, out, sizeof out), 2);
  CHECK(strstr(out, "--listen") != NULL);
  char *a2[] = {(char *)bin, "--db", db, "serve", "--bogus", NULL};
  CHECK_EQ(run(a2, out, sizeof out), 2);
  char *a3[] = {(char *)bin, "--db", "/nonexistent/x.db", "serve", "--listen", "127.0.0.1:0",
                NULL};
  CHECK_EQ(run(a3, out, sizeof out), 1);
  CHECK(strstr(out, "wangge") != NULL);
  char *a4[] = {(char *)bin, "serve", "--help", NULL};
  CHECK_EQ(run(a4, out, sizeof out), 0);
  CHECK(strstr(out, "127.0.0.1:8080") != NULL);
}

static int http_status(int port, const char *target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  char req[256], buf[512] = "";
  snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target);
  if (write(fd, req, strlen(req)) < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  int status = -1;
  if (n > 0) sscanf(buf, "HTTP/1.%*d %d", &status);
  return status;
}

TEST(serves_and_stops_on_sigterm) {
  int fds[2];
  CHECK_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    char web[600];
    snprintf(web, sizeof web, "%s/web", getenv("WG_SRC") ? getenv("WG_SRC") : "..");
    execl(bin, bin, "--db", db, "serve", "--listen", "127.0.0.1:0", "--web", web, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  char line[512] = "";
  size_t n = 0;
  for (int i = 0; i < 100 && !strchr(line, '\n'); i++) {
    ssize_t k = read(fds[0], line + n, sizeof line - n - 1);
    if (k <= 0) break;
    n += (size_t)k;
    line[n] = '\0';
  }
  const char *url = strstr(line, "http://127.0.0.1:");
  CHECK(url != NULL);
  int port = url ? (int)strtol(url + strlen("http://127.0.0.1:"), NULL, 10) : 0;
  CHECK(port > 0);
  if (port > 0) {
    CHECK_EQ(http_status(port, "/"), 200);
    CHECK_EQ(http_status(port, "/api/v1/stats"), 401);
  }
  kill(pid, SIGTERM);
  int st = 0, done = 0;
  for (int i = 0; i < 100 && !done; i++) {
    if (waitpid(pid, &st, WNOHANG) == pid) done = 1;
    else sleep_ms(50);
  }
  CHECK(done);
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
  }
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(fds[0]);
}

int main(void) {
  bin = getenv("WG_BIN");
  if (!bin) {
    printf("1..0 # SKIP WG_BIN not set\n");
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  dir = test_tmpdir();
  snprintf(db, sizeof db, "%s/county.db", dir);
  char out[8192];
  char *init[] = {(char *)bin, "--db", db, "init", "--county", "141127", NULL};
  if (run(init, out, sizeof out) != 0) {
    printf("# init failed: %s\n", out);
    return 2;
  }
  RUN(usage_errors);
  RUN(serves_and_stops_on_sigterm);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) printf("# could not remove %s\n", dir);
  free(dir);
  return test_done();
}
