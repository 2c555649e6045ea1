/*
 * test_notify.c: the sd_notify protocol against sockets the test binds:
 * a path socket and an abstract one ('@'); one datagram per message;
 * nothing at all when NOTIFY_SOCKET is unset; $WATCHDOG_USEC parsing.
 */
#include "../check.h"
#include "notify.h"

#include <dbot/dbot.h>

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
bind_dgram(const char *name, int abstract)
{
    struct sockaddr_un a;
    socklen_t len;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    ASSERT_TRUE(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (abstract) {
        memcpy(a.sun_path + 1, name, strlen(name));
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                          strlen(name));
    } else {
        memcpy(a.sun_path, name, strlen(name));
        len = sizeof a;
    }
    ASSERT_EQ(bind(fd, (struct sockaddr *)&a, len), 0);
    return fd;
}

static void
expect_msg(int fd, const char *want)
{
    char buf[512];
    ssize_t n;

    n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    ASSERT_EQ(n, (ssize_t)strlen(want));
    buf[n] = '\0';
    ASSERT_STREQ(buf, want);
}

TEST(path_socket)
{
    char dir[] = "/tmp/dbot-notify-XXXXXX", path[128];
    struct dbot__notify *n;
    int fd;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/notify", dir);
    fd = bind_dgram(path, 0);
    ASSERT_EQ(dbot__notify_open(&n, path), 0);
    ASSERT_TRUE(n != NULL);
    ASSERT_EQ(dbot__notify_send(n, "READY=1\nSTATUS=1/1 shards ready"), 0);
    ASSERT_EQ(dbot__notify_send(n, "WATCHDOG=1"), 0);
    expect_msg(fd, "READY=1\nSTATUS=1/1 shards ready");
    expect_msg(fd, "WATCHDOG=1");
    dbot__notify_close(n);
    close(fd);
    unlink(path);
    rmdir(dir);
}

TEST(abstract_socket)
{
    char name[64];
    struct dbot__notify *n;
    int fd;

    snprintf(name, sizeof name, "dbot-test-notify-%d", (int)getpid());
    fd = bind_dgram(name, 1);
    {
        char at[80];
        snprintf(at, sizeof at, "@%s", name);
        ASSERT_EQ(dbot__notify_open(&n, at), 0);
    }
    ASSERT_EQ(dbot__notify_send(n, "STOPPING=1"), 0);
    expect_msg(fd, "STOPPING=1");
    dbot__notify_close(n);
    close(fd);
}

TEST(unset_or_bad)
{
    struct dbot__notify *n = (struct dbot__notify *)1;

    ASSERT_EQ(dbot__notify_open(&n, NULL), 0);
    ASSERT_TRUE(n == NULL);
    ASSERT_EQ(dbot__notify_open(&n, ""), 0);
    ASSERT_TRUE(n == NULL);
    /* Every call takes NULL and does nothing. */
    ASSERT_EQ(dbot__notify_send(NULL, "READY=1"), 0);
    dbot__notify_close(NULL);
    ASSERT_EQ(dbot__notify_open(&n, "relative/path"), DBOT_EINVAL);
    ASSERT_TRUE(n == NULL);
    ASSERT_EQ(dbot__notify_open(&n, "@"), DBOT_EINVAL);
    /* Nobody listening: an error code, no crash, no block. */
    ASSERT_EQ(dbot__notify_open(&n, "/tmp/dbot-no-such-socket"), 0);
    ASSERT_TRUE(dbot__notify_send(n, "READY=1") < 0);
    dbot__notify_close(n);
}

TEST(watchdog_usec)
{
    char pid[32];

    ASSERT_EQ(dbot__notify_watchdog_usec(NULL, NULL), 0);
    ASSERT_EQ(dbot__notify_watchdog_usec("", NULL), 0);
    ASSERT_EQ(dbot__notify_watchdog_usec("30000000", NULL), 30000000);
    ASSERT_EQ(dbot__notify_watchdog_usec("0", NULL), 0);
    ASSERT_EQ(dbot__notify_watchdog_usec("12x", NULL), 0);
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    ASSERT_EQ(dbot__notify_watchdog_usec("5000", pid), 5000);
    /* Meant for another process (a parent's watchdog leaked to us). */
    snprintf(pid, sizeof pid, "%d", (int)getpid() + 1);
    ASSERT_EQ(dbot__notify_watchdog_usec("5000", pid), 0);
}

int
main(void)
{
    RUN(path_socket);
    RUN(abstract_socket);
    RUN(unset_or_bad);
    RUN(watchdog_usec);
    return 0;
}
