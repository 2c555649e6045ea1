/*
 * test_http_listener.c: the /healthz and /metrics listener cannot be used
 * to take the bot down. A WebSocket or h2c upgrade is refused (400 and a
 * close, never 101); connections over http_max_connections or
 * http_max_per_ip get 503 and are closed, and /healthz answers again once
 * they go; idle, half-sent and kept-alive connections are closed at
 * http_timeout_ms; and in a child process with a small RLIMIT_NOFILE, a
 * flood of held connections leaves the loop idle (CPU time measured with
 * getrusage), the log quiet, and descriptors for the gateway to reconnect;
 * and when accept() fails with EMFILE anyway, the listener backs off (idle,
 * one log line) and serves again once descriptors return. A storm of one
 * lws log line becomes the line and a count. Everything binds 127.0.0.1
 * and port 0.
 */
#include "harness.h"

#include "../prom.h"

#include <libwebsockets.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct harness H;

/* Start the fake and a bot whose listener is on 127.0.0.1, a free port,
 * with `extra` config members; returns the port from the bot's log line. */
static int
start_with_listener(const char *extra)
{
    char cfg[512];
    const char *line;
    int port = -1;

    h_log_reset();
    snprintf(cfg, sizeof cfg, ",\"http_listen\":\"127.0.0.1:0\"%s", extra);
    h_start(&H, NULL, cfg);
    ASSERT_TRUE(h_log_wait("serving /healthz and /metrics on 127.0.0.1:",
                           check_timeout_ms_(10000)));
    pthread_mutex_lock(&h_log_mu);
    line = strstr(h_logs, "serving /healthz and /metrics on 127.0.0.1:");
    sscanf(line + strlen("serving /healthz and /metrics on 127.0.0.1:"), "%d",
           &port);
    pthread_mutex_unlock(&h_log_mu);
    ASSERT_TRUE(port > 0);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    return port;
}

static int
cli_connect(int port, int nonblock)
{
    struct sockaddr_in a;
    int fd =
        socket(AF_INET,
               SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    int rc;

    ASSERT_TRUE(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    ASSERT_TRUE(rc == 0 || (nonblock && errno == EINPROGRESS));
    return fd;
}

static void
cli_send(int fd, const char *s)
{
    ASSERT_EQ(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Read until the server closes (EOF or reset) or `ms` pass. Returns 1 if
 * it closed; what arrived is in buf (NUL-terminated). */
static int
read_to_close(int fd, char *buf, size_t cap, long long ms)
{
    long long dl = check_now_ms_() + check_timeout_ms_(ms);
    size_t len = 0;

    buf[0] = '\0';
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        long long left = dl - check_now_ms_();
        ssize_t n;

        if (left <= 0)
            return 0;
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0)
            return 1; /* EOF, or ECONNRESET: closed either way */
        len += (size_t)n;
        buf[len] = '\0';
        if (len == cap - 1)
            len = 0; /* keep reading; only the close matters now */
    }
}

/* One GET on a new connection. Returns the status, or -1 when the
 * connection was refused or closed without one; the body in body[]. */
static int
try_get(int port, const char *path, char *body, size_t cap)
{
    char req[256], buf[16384], *end;
    int fd = cli_connect(port, 0), status = -1;

    snprintf(req, sizeof req,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
             path);
    if (send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req)) {
        read_to_close(fd, buf, sizeof buf, 5000);
        if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
            status = -1;
        end = strstr(buf, "\r\n\r\n");
        snprintf(body, cap, "%s", end ? end + 4 : "");
    }
    close(fd);
    return status;
}

static int
healthz(int port)
{
    char body[4096];

    return try_get(port, "/healthz", body, sizeof body);
}

static double
metric(int port, const char *series)
{
    static char body[65536];

    ASSERT_EQ(try_get(port, "/metrics", body, sizeof body), 200);
    ASSERT_TRUE(prom_check(body) == NULL);
    return prom_value(body, series);
}

/* ---- upgrades ------------------------------------------------------------ */

TEST(upgrades_are_refused)
{
    static const char *const ups[] = {
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n",
        "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n",
    };
    int port = start_with_listener(",\"http_timeout_ms\":60000");
    char req[512], buf[4096];

    for (size_t i = 0; i < sizeof ups / sizeof ups[0]; i++) {
        int fd = cli_connect(port, 0);

        snprintf(req, sizeof req,
                 "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", ups[i]);
        cli_send(fd, req);
        /* Before the fix: "101 Switching Protocols" and held forever. */
        ASSERT_TRUE(read_to_close(fd, buf, sizeof buf, 5000));
        ASSERT_NOT_CONTAINS(buf, " 101 ");
        /* lws writes "HTTP/1.0" this early in a request; either will do. */
        ASSERT_TRUE(strncmp(buf, "HTTP/1.", 7) == 0);
        ASSERT_TRUE(strncmp(buf + 8, " 400 ", 5) == 0);
        ASSERT_CONTAINS(buf, "upgrades are not served here");
        close(fd);
    }
    /* CONNECT would turn the connection raw inside lws: hung up at once,
     * well before the 60 s deadline. */
    {
        int fd = cli_connect(port, 0);

        cli_send(fd, "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_TRUE(read_to_close(fd, buf, sizeof buf, 5000));
        ASSERT_EQ(buf[0], '\0');
        close(fd);
    }
    ASSERT_EQ(healthz(port), 200);
    h_teardown(&H);
}

/* ---- caps -----------------------------------------------------------------
 */

/* Read one whole answer (headers and Content-Length body) without waiting
 * for a close: the connection stays kept alive. */
static void
read_answer(int fd, char *buf, size_t cap)
{
    long long dl = check_now_ms_() + check_timeout_ms_(5000);
    size_t len = 0;
    char *end, *cl;

    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t n;

        if (check_now_ms_() > dl)
            CHECK_FAIL_("no complete answer: \"%.*s\"", (int)len, buf);
        if (poll(&p, 1, 50) <= 0)
            continue;
        n = recv(fd, buf + len, cap - 1 - len, 0);
        ASSERT_TRUE(n > 0);
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
        cl = strcasestr(buf, "content-length:");
        if (end && cl &&
            len >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
            return;
    }
}

/* A third connection gets 503 and a close when two are open and the cap is
 * two (http_max_connections, or http_max_per_ip for one address). */
static void
third_is_refused(int port, const char *log_needle)
{
    int a = cli_connect(port, 0), b = cli_connect(port, 0), c;
    char buf[4096];

    /* The kernel hands connections to accept() in order, so the third is
     * looked at after the first two are counted. */
    c = cli_connect(port, 0);
    ASSERT_TRUE(read_to_close(c, buf, sizeof buf, 5000));
    ASSERT_TRUE(strncmp(buf, "HTTP/1.1 503 ", 13) == 0);
    ASSERT_CONTAINS(buf, "too many connections");
    close(c);
    ASSERT_TRUE(h_log_wait(log_needle, 5000));
    /* /healthz is refused too while they stay (503 or a reset; not 200). */
    ASSERT_NE(healthz(port), 200);

    /* One goes: a request gets through again and, kept alive, holds the
     * freed place. */
    close(b);
    WAIT_UNTIL(healthz(port) == 200, 10000);
    b = cli_connect(port, 0);
    cli_send(b, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    read_answer(b, buf, sizeof buf);
    ASSERT_CONTAINS(buf, "HTTP/1.1 200 ");
    for (int i = 0; i < 20; i++)
        ASSERT_NE(healthz(port), 200);
    close(a);
    close(b);
    WAIT_UNTIL(healthz(port) == 200, 10000);
}

static int
count_lines(const char *needle)
{
    int n = 0;

    pthread_mutex_lock(&h_log_mu);
    for (const char *p = h_logs; p && (p = strstr(p, needle)); p++)
        n++;
    pthread_mutex_unlock(&h_log_mu);
    return n;
}

TEST(caps_refuse_then_recover)
{
    int port = start_with_listener(",\"http_max_connections\":3,"
                                   "\"http_max_per_ip\":2,"
                                   "\"http_timeout_ms\":60000");

    third_is_refused(port, "http_max_per_ip are open");
    /* 22 refusals or more: one line, the rest counted and summed up in
     * one line per 10 s window (a slow run may see a window or two end). */
    ASSERT_LE(count_lines("refusing connections"), 3);
    ASSERT_GE(metric(port, "dbot_http_refused_total{reason=\"busy\"}"), 22);
    ASSERT_EQ(metric(port, "dbot_http_refused_total{reason=\"fds\"}"), 0);
    h_teardown(&H);

    port = start_with_listener(",\"http_max_connections\":2,"
                               "\"http_timeout_ms\":60000");
    third_is_refused(port, "http_max_connections are open");
    h_teardown(&H);
}

/* ---- deadlines ------------------------------------------------------------
 */

static long long
ms_until_closed(int fd)
{
    long long t0 = check_now_ms_();
    char buf[4096];

    ASSERT_TRUE(read_to_close(fd, buf, sizeof buf, 5000));
    return check_now_ms_() - t0;
}

TEST(every_connection_state_times_out)
{
    int port = start_with_listener(",\"http_timeout_ms\":300");
    int idle, half, kept;
    char buf[4096];

    idle = cli_connect(port, 0);
    half = cli_connect(port, 0);
    cli_send(half, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ");
    kept = cli_connect(port, 0);
    cli_send(kept, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    /* Nothing for the deadline to close early: each lives >= 300 ms from
     * its accept, which came after our connect. */
    ASSERT_GE(ms_until_closed(idle), 250);
    ASSERT_TRUE(read_to_close(half, buf, sizeof buf, 5000));
    ASSERT_TRUE(strstr(buf, " 200 ") == NULL);
    ASSERT_TRUE(read_to_close(kept, buf, sizeof buf, 5000));
    ASSERT_CONTAINS(buf, "HTTP/1.1 200 ");
    close(idle);
    close(half);
    close(kept);
    ASSERT_EQ(metric(port, "dbot_http_timeouts_total"), 3);
    /* Only the scrape itself is open, once lws has let the previous
     * scrape's connection go (it waits for the client's close). */
    WAIT_UNTIL(metric(port, "dbot_http_connections") == 1, 5000);
    h_teardown(&H);
}

/* ---- repeated library lines ------------------------------------------------
 */

/* lws reports some failures on every loop turn; a bot routes its lines
 * through a collapser, so a storm is one line plus a count. */
TEST(repeated_lws_lines_are_collapsed)
{
    dbot *bot;
    char json[256];

    h_log_reset();
    dbot_log_set_sink(h_log_sink, NULL);
    snprintf(json, sizeof json, "{\"token\":\"%s\"}", H_TOKEN);
    ASSERT_EQ(dbot_new_from_json(&bot, json), 0); /* routes lws's log */
    for (int i = 0; i < 10000; i++) {
        lwsl_err("accept: errno %d\n", 24);
        /* Between them, a line the log level hides (an lws warning is
         * debug here): it must not break the run it cannot be seen in. */
        lwsl_warn("hidden %d\n", i);
    }
    lwsl_err("something else\n");
    ASSERT_EQ(count_lines("lws: accept: errno 24"), 2);
    ASSERT_EQ(count_lines("lws: accept: errno 24 (repeated 9999 times)"), 1);
    ASSERT_EQ(count_lines("lws: something else"), 1);
    dbot_free(bot);
}

/* A bot starts with the soft descriptor limit raised toward the hard one
 * (systemd's default soft limit, 1024, is what ~1,000 held sockets
 * exhausted). */
TEST(fd_limit_is_raised)
{
    struct rlimit old, low, now;
    dbot *bot;
    char json[256];

    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    if (old.rlim_max <= 256) {
        fprintf(stderr, "-- hard limit %llu: nothing to raise\n",
                (unsigned long long)old.rlim_max);
        return;
    }
    dbot_log_set_sink(h_log_sink, NULL);
    low = (struct rlimit){ 256, old.rlim_max };
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    snprintf(json, sizeof json, "{\"token\":\"%s\"}", H_TOKEN);
    ASSERT_EQ(dbot_new_from_json(&bot, json), 0);
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
    ASSERT_EQ(now.rlim_cur, old.rlim_max < 65536 ? old.rlim_max : 65536);
    ASSERT_EQ(now.rlim_max, old.rlim_max);
    dbot_free(bot);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
}

/* ---- descriptor exhaustion (in a child) ------------------------------------
 */

#define CHILD_NOFILE 160
#define FLOOD        400

static long long
cpu_ms(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* Over a second of wall time the process (bot, fake, all threads) uses
 * under a quarter of a CPU second and writes at most 20 log lines. The
 * second is a measuring window, not a wait for some state. */
static void
assert_quiet_for_a_second(const char *what)
{
    int lines = count_lines("\n");
    long long c0 = cpu_ms(), w0 = check_now_ms_(), cpu, wall;

    poll(NULL, 0, 1000);
    cpu = cpu_ms() - c0;
    wall = check_now_ms_() - w0;
    lines = count_lines("\n") - lines;
    fprintf(stderr, "%s: %lld ms CPU in %lld ms, %d lines\n", what, cpu, wall,
            lines);
    ASSERT_LE(cpu, wall / 4);
    ASSERT_LE(lines, 20);
}

/* With every descriptor taken (here by the test itself), accept() fails
 * with EMFILE: the listener pauses and retries with a backoff instead of
 * spinning, says so once, and serves again when descriptors come back. */
static void
accept_failure_child(void)
{
    static int junk[CHILD_NOFILE];
    struct rlimit rl = { CHILD_NOFILE, CHILD_NOFILE };
    int n = 0, fd, port;
    char buf[4096];

    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
    port = start_with_listener("");
    /* The client socket exists before the table is full; connecting needs
     * no new descriptor, but the listener's accept() does. */
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_TRUE(fd >= 0);
    while (n < CHILD_NOFILE && (junk[n] = open("/dev/null", O_RDONLY)) >= 0)
        n++;
    ASSERT_EQ(errno, EMFILE);
    {
        struct sockaddr_in a;

        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    }
    cli_send(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Connection: close\r\n\r\n");
    ASSERT_TRUE(h_log_wait("http: accept failed: Too many open files", 10000));
    assert_quiet_for_a_second("EMFILE");
    ASSERT_EQ(count_lines("accept failed"), 1);
    while (n > 0)
        close(junk[--n]);
    /* The next retry (at most 2 s away) takes the waiting connection. */
    ASSERT_TRUE(read_to_close(fd, buf, sizeof buf, 10000));
    ASSERT_CONTAINS(buf, "HTTP/1.1 200 ");
    ASSERT_TRUE(h_log_wait("http: accepting again after", 5000));
    close(fd);
    h_teardown(&H);
    _exit(0);
}

/* The child: a bot with effectively no connection cap, under a small
 * descriptor limit. Reports its port on `out`, waits for the parent's
 * flood on `in`, then checks. Exits 0 on success (check.h exits 1). */
static void
flood_child(int in, int out)
{
    struct rlimit rl = { CHILD_NOFILE, CHILD_NOFILE };
    int port;
    char b;

    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
    port = start_with_listener(",\"http_max_connections\":4096,"
                               "\"http_max_per_ip\":4096,"
                               "\"http_timeout_ms\":60000");
    ASSERT_EQ(write(out, &port, sizeof port), (ssize_t)sizeof port);
    ASSERT_EQ(read(in, &b, 1), 1); /* the flood is connected */
    /* The listener stops short of the limit and says so. */
    ASSERT_TRUE(h_log_wait("near its file descriptor limit", 10000));

    /* Held connections cost nothing. Before the fix lws spun on accept()
     * (EMFILE) here, logging each time. */
    assert_quiet_for_a_second("flood");
    ASSERT_LE(count_lines("errno 24"), 2);

    /* The gateway can still connect: drop it, and it reconnects. */
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_EQ(fakecord_drop(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).connections >= 2, 10000);
    WAIT_UNTIL(h_stats(&H).live_connections == 1, 10000);
    h_teardown(&H);
    _exit(0);
}

/* Wait for the child to exit (it checks and exits 0, or 1 on a failed
 * check), for at most a minute. */
static void
wait_child(pid_t pid)
{
    int status;

    for (long long dl = check_now_ms_() + check_timeout_ms_(60000);;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        struct timespec ts = { 0, 10000000 };

        ASSERT_TRUE(r >= 0);
        if (r == pid)
            break;
        if (check_now_ms_() > dl) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            CHECK_FAIL_("the child did not finish");
        }
        nanosleep(&ts, NULL); /* polling the condition, as WAIT_UNTIL */
    }
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(fd_exhaustion_does_not_spin_or_starve_the_gateway)
{
    int p2c[2], c2p[2], port = 0, fds[FLOOD];
    pid_t pid;
    struct pollfd pf;

    ASSERT_EQ(pipe2(p2c, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(c2p, O_CLOEXEC), 0);
    pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        close(p2c[1]);
        close(c2p[0]);
        flood_child(p2c[0], c2p[1]);
    }
    close(p2c[0]);
    close(c2p[1]);
    pf = (struct pollfd){ c2p[0], POLLIN, 0 };
    ASSERT_EQ(poll(&pf, 1, (int)check_timeout_ms_(20000)), 1);
    ASSERT_EQ(read(c2p[0], &port, sizeof port), (ssize_t)sizeof port);
    /* More connections than the child has descriptors, held open. */
    for (int i = 0; i < FLOOD; i++)
        fds[i] = cli_connect(port, 1);
    ASSERT_EQ(write(p2c[1], "F", 1), 1);
    wait_child(pid);
    for (int i = 0; i < FLOOD; i++)
        close(fds[i]);
    close(p2c[1]);
    close(c2p[0]);
}

TEST(accept_failure_backs_off_and_recovers)
{
    pid_t pid = fork();

    ASSERT_TRUE(pid >= 0);
    if (pid == 0)
        accept_failure_child();
    wait_child(pid);
}

/* With an argument, run only the test of that name. */
#define RUN_IF(name)                                 \
    do {                                             \
        if (argc < 2 || strcmp(argv[1], #name) == 0) \
            RUN(name);                               \
    } while (0)

int
main(int argc, char **argv)
{
    const char *vg = getenv("DBOT_UNDER_VALGRIND");

    signal(SIGPIPE, SIG_IGN);
    /* The forking tests first, while this process has no other threads.
     * Not under valgrind: it forbids changing the hard RLIMIT_NOFILE (and
     * dbot raises a soft one back), and CPU time there means nothing. */
    if (vg && *vg == '1') {
        fprintf(stderr, "-- skipping the descriptor tests under valgrind\n");
    } else {
        RUN_IF(fd_exhaustion_does_not_spin_or_starve_the_gateway);
        RUN_IF(accept_failure_backs_off_and_recovers);
    }
    RUN_IF(repeated_lws_lines_are_collapsed);
    RUN_IF(fd_limit_is_raised);
    RUN_IF(upgrades_are_refused);
    RUN_IF(caps_refuse_then_recover);
    RUN_IF(every_connection_state_times_out);
    free(h_logs);
    return 0;
}
