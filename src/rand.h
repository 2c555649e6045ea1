/*
 * rand.h: the one pseudo-random generator, for jitter (reconnect and 429
 * backoff) and nonces that must differ between processes, never for
 * secrets. xorshift64* (Vigna): one multiply, passes BigCrush, and each
 * owner keeps its own 64-bit state, so no lock and no shared sequence.
 * Leaf: includes nothing of dbot.
 */
#ifndef DBOT_SRC_RAND_H
#define DBOT_SRC_RAND_H

#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* A seed that differs per process and per call site: the clock, the pid
 * and the state's own address. Never 0 (xorshift's one fixed point). */
static inline uint64_t
dbot__rand_seed(const void *owner)
{
    struct timespec ts;
    uint64_t s;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
        ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)owner;
    return s ? s : 0x9e3779b97f4a7c15ULL;
}

static inline uint64_t
dbot__rand_next(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n) for n > 0 (the bias of the modulo is below 2^-40 for
 * the n dbot uses: jitters of at most a few seconds in ms). */
static inline uint64_t
dbot__rand_below(uint64_t *state, uint64_t n)
{
    return n ? dbot__rand_next(state) % n : 0;
}

#endif
