/*
 * redis_server.h: a throwaway redis-server on 127.0.0.1 for the scale-out
 * tests: found on $PATH (tests skip with exit 77 without it), started
 * without persistence on a free port, killed at the end.
 */
#ifndef DBOT_TESTS_REDIS_SERVER_H
#define DBOT_TESTS_REDIS_SERVER_H

#include "../check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct redis_server {
    char exe[512];
    int port;
    pid_t pid;
};

/* 0 and the path in rs->exe, or -1 when redis-server is not installed. */
static inline int
redis_find(struct redis_server *rs)
{
    const char *path = getenv("PATH");
    char p[512];

    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(p, sizeof p, "%.*s/redis-server", (int)n, path);
        if (access(p, X_OK) == 0) {
            snprintf(rs->exe, sizeof rs->exe, "%s", p);
            return 0;
        }
        path += n + (path[n] == ':');
    }
    return -1;
}

static inline int
redis_can_connect(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* Spawn argv with stdout to /dev/null and stderr appended to log_path. */
static inline pid_t
spawn_logged(char *const argv[], const char *log_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log_path,
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    ASSERT_EQ(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

/* Start (again) on rs->port, an empty database; returns once it listens. */
static inline void
redis_start(struct redis_server *rs)
{
    char port[16];
    char *argv[] = { rs->exe,  "--port", port,           "--bind", "127.0.0.1",
                     "--save", "",       "--appendonly", "no",     NULL };

    snprintf(port, sizeof port, "%d", rs->port);
    rs->pid = spawn_logged(argv, "/dev/null");
    WAIT_UNTIL(redis_can_connect(rs->port), 10000);
}

/* SIGKILL: Redis gone at once, as a crash or a lost machine. */
static inline void
redis_kill(struct redis_server *rs)
{
    if (rs->pid <= 0)
        return;
    kill(rs->pid, SIGKILL);
    waitpid(rs->pid, NULL, 0);
    rs->pid = 0;
}

#endif
