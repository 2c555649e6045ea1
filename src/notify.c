/*
 * notify.c: sd_notify without libsystemd.
 *
 * DESIGN. The protocol is one datagram of newline-separated VAR=value
 * assignments sent to the AF_UNIX socket named by $NOTIFY_SOCKET. A name
 * that starts with '@' is in the abstract namespace: the '@' becomes a NUL
 * byte and the address length covers exactly the name (no trailing NUL),
 * which is how systemd binds it. The socket is opened once, non-blocking
 * and close-on-exec, so a message never stalls the loop and a child
 * process does not inherit it. systemd only accepts messages from the main
 * pid with NotifyAccess=main, which is what the unit uses; we never fork.
 *
 * Nothing here decides *when* to notify; service.c does (READY=1 once all
 * shards are READY, WATCHDOG=1 while the loop is healthy, STOPPING=1).
 */
#include "notify.h"

#include "log.h"

#include <dbot/dbot.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct dbot__notify {
    int fd;
    struct sockaddr_un addr;
    socklen_t addrlen;
};

int
dbot__notify_open(struct dbot__notify **out, const char *path)
{
    struct dbot__notify *n;
    size_t len;

    *out = NULL;
    if (!path || !*path)
        return 0;
    len = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || len < 2 ||
        len >= sizeof n->addr.sun_path) {
        LOG_W("notify",
              "NOTIFY_SOCKET \"%s\" is not an absolute or abstract "
              "socket name; not notifying systemd",
              path);
        return DBOT_EINVAL;
    }
    n = calloc(1, sizeof *n);
    if (!n)
        return DBOT_ENOMEM;
    n->addr.sun_family = AF_UNIX;
    memcpy(n->addr.sun_path, path, len);
    if (path[0] == '@') {
        n->addr.sun_path[0] = '\0';
        n->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    } else {
        n->addrlen =
            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    }
    n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (n->fd < 0) {
        int e = errno;
        LOG_W("notify", "cannot create the notify socket: %s", strerror(e));
        free(n);
        return e == ENOMEM ? DBOT_ENOMEM : DBOT_EIO;
    }
    *out = n;
    return 0;
}

int
dbot__notify_send(struct dbot__notify *n, const char *msg)
{
    ssize_t r;

    if (!n || !msg)
        return 0;
    do {
        r = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL,
                   (const struct sockaddr *)&n->addr, n->addrlen);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            LOG_D("notify", "notify socket full; message dropped");
            return DBOT_EAGAIN;
        }
        LOG_D("notify", "sending to the notify socket: %s", strerror(e));
        return DBOT_EIO;
    }
    return 0;
}

uint64_t
dbot__notify_watchdog_usec(const char *usec, const char *pid)
{
    unsigned long long v;
    char *end;

    if (!usec || !*usec)
        return 0;
    if (pid && *pid) {
        errno = 0;
        v = strtoull(pid, &end, 10);
        if (errno || *end || v != (unsigned long long)getpid())
            return 0; /* meant for another process */
    }
    errno = 0;
    v = strtoull(usec, &end, 10);
    if (errno || *end || v == 0)
        return 0;
    return (uint64_t)v;
}

void
dbot__notify_close(struct dbot__notify *n)
{
    if (!n)
        return;
    close(n->fd);
    free(n);
}
