/*
 * bench_fake.h: the fake Discord in a child process, for benchmarks that
 * measure the bot's own process (CPU, memory) without the fake's share.
 * The child answers one-byte commands from the parent through `cmd`
 * (NULL: none) and stops when the parent closes its end.
 */
#ifndef DBOT_BENCH_FAKE_H
#define DBOT_BENCH_FAKE_H

#include "fakecord.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct bench_fake {
    pid_t pid;
    int to, from; /* the parent's ends of the two pipes */
    char api[256], gw[256];
};

/* Child: run command c, writing any answer to `out`. */
typedef void (*bench_fake_cmd)(fakecord *fc, char c, int out);

static inline void
bench_fake_child(const struct fakecord_opts *o, bench_fake_cmd cmd, int out,
                 int in)
{
    fakecord *fc = fakecord_start(o);
    struct bench_fake u;
    char c;

    if (!fc)
        _exit(1);
    snprintf(u.api, sizeof u.api, "%s", fakecord_api_url(fc));
    snprintf(u.gw, sizeof u.gw, "%s", fakecord_gateway_url(fc));
    if (write(out, &u, sizeof u) != sizeof u)
        _exit(1);
    while (read(in, &c, 1) == 1)
        if (cmd)
            cmd(fc, c, out);
    fakecord_stop(fc);
    _exit(0);
}

/* Fork the fake; f gets its URLs. Returns 0 or -1. */
static inline int
bench_fake_start(struct bench_fake *f, const struct fakecord_opts *o,
                 bench_fake_cmd cmd)
{
    int up[2], down[2];

    if (pipe(up) < 0 || pipe(down) < 0)
        return -1;
    f->pid = fork();
    if (f->pid < 0)
        return -1;
    if (f->pid == 0) {
        close(down[1]);
        close(up[0]);
        bench_fake_child(o, cmd, up[1], down[0]);
    }
    close(down[0]);
    close(up[1]);
    f->to = down[1];
    f->from = up[0];
    pid_t pid = f->pid;
    if (read(f->from, f, sizeof *f) != sizeof *f)
        return -1;
    f->pid = pid;
    f->to = down[1];
    f->from = up[0];
    return 0;
}

static inline void
bench_fake_stop(struct bench_fake *f)
{
    close(f->to);
    waitpid(f->pid, NULL, 0);
    close(f->from);
}

#endif
