/*
 * clock.h: the one monotonic clock. Every timeout, deadline and latency in
 * dbot is measured on CLOCK_MONOTONIC, which never jumps when the wall
 * clock is set; wall time (time(2)) is used only where a value leaves the
 * process (the session file's saved_at). Leaf: includes nothing of dbot.
 */
#ifndef DBOT_SRC_CLOCK_H
#define DBOT_SRC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
dbot__clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t
dbot__clock_ms(void)
{
    return dbot__clock_ns() / 1000000;
}

#endif
