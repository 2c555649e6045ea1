/*
 * service_probe.h: what a service manager and a monitor see of a bot: a
 * loopback port the kernel picked, a blocking GET with a deadline (for
 * /healthz and /metrics), and a $NOTIFY_SOCKET that records every
 * notification. Header-only, for the integration tests.
 */
#ifndef DBOT_TESTS_SERVICE_PROBE_H
#define DBOT_TESTS_SERVICE_PROBE_H

#include "../check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A TCP socket bound to 127.0.0.1 on a port the kernel picked. */
static inline int
bind_loopback(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ASSERT_EQ(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A free loopback port: bind :0, read it, close. */
static inline int
free_port(void)
{
    int port;

    close(bind_loopback(&port));
    return port;
}

/* GET http://127.0.0.1:port/path. Returns the status; the body (NUL-
 * terminated, caller frees) in *body. */
static inline int
http_get(int port, const char *path, char **body)
{
    struct sockaddr_in a;
    char req[256], *buf = NULL, *hdr_end, *cl;
    size_t len = 0, cap = 0, want = (size_t)-1;
    long long dl = check_now_ms_() + check_timeout_ms_(5000);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), status = -1;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    snprintf(req, sizeof req,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
             path);
    ASSERT_EQ(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t n;

        if (want != (size_t)-1 && len >= want)
            break;
        if (check_now_ms_() > dl)
            CHECK_FAIL_("GET %s: no complete answer", path);
        if (poll(&p, 1, 100) <= 0)
            continue;
        if (len + 4097 > cap) {
            cap = cap ? cap * 2 : 16384;
            buf = realloc(buf, cap);
        }
        n = read(fd, buf + len, 4096);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        hdr_end = strstr(buf, "\r\n\r\n");
        if (hdr_end && want == (size_t)-1) {
            cl = strcasestr(buf, "content-length:");
            if (cl && cl < hdr_end)
                want = (size_t)(hdr_end + 4 - buf) +
                       (size_t)strtoul(cl + 15, NULL, 10);
        }
    }
    close(fd);
    ASSERT_TRUE(buf != NULL);
    buf[len] = '\0';
    ASSERT_EQ(sscanf(buf, "HTTP/1.%*d %d", &status), 1);
    hdr_end = strstr(buf, "\r\n\r\n");
    ASSERT_TRUE(hdr_end != NULL);
    *body = strdup(hdr_end + 4);
    free(buf);
    return status;
}

/* A datagram socket in the abstract namespace for $NOTIFY_SOCKET; the
 * value to export goes to env. */
static inline int
notify_bind(char *env, size_t cap)
{
    struct sockaddr_un a;
    char name[64];
    socklen_t len;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    snprintf(name, sizeof name, "dbot-itest-notify-%d", (int)getpid());
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path + 1, name, strlen(name));
    len =
        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    ASSERT_EQ(bind(fd, (struct sockaddr *)&a, len), 0);
    snprintf(env, cap, "@%s", name);
    return fd;
}

#define MAX_MSGS 1024
static char msgs[MAX_MSGS][256];
static int nmsgs;

/* Receive until a message containing `want` arrives, for at most `ms`
 * (scaled under valgrind); all are kept in msgs[0..nmsgs). */
static inline int
notify_until_ms(int fd, const char *want, long long ms)
{
    long long dl = check_now_ms_() + check_timeout_ms_(ms);

    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t n;

        if (check_now_ms_() > dl)
            CHECK_FAIL_("no notification with \"%s\"", want);
        if (poll(&p, 1, 50) <= 0)
            continue;
        ASSERT_TRUE(nmsgs < MAX_MSGS);
        n = recv(fd, msgs[nmsgs], sizeof msgs[0] - 1, 0);
        ASSERT_GE(n, 0);
        msgs[nmsgs][n] = '\0';
        if (strstr(msgs[nmsgs++], want))
            return nmsgs - 1;
    }
}

static inline int
notify_until(int fd, const char *want)
{
    return notify_until_ms(fd, want, 10000);
}

#endif
