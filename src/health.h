/*
 * health.h: is the loop thread responsive? Times every handler and done
 * callback (logging the slow ones), and runs a watchdog thread that notices,
 * while it happens, that the loop has stopped making progress.
 *
 * THREADS. dbot__health_enter/leave/tick/start/stop are for the loop thread
 * only. dbot__health_loop_healthy() and dbot__health_stats() are safe from
 * any thread. _new and _free run where the bot is created and freed.
 */
#ifndef DBOT_SRC_HEALTH_H
#define DBOT_SRC_HEALTH_H

#include <stdint.h>

struct dbot__health;

#define DBOT__HEALTH_SLOW_MS   100 /* asyncio debug mode's default */
#define DBOT__HEALTH_STALL_MS  1000
#define DBOT__HEALTH_REPEAT_MS 1000

struct dbot__health_opts {
    int slow_ms;   /* log handlers at least this slow; 0: default; <0: off */
    int stall_ms;  /* no progress this long is a stall; 0: default; <0: no
                      watchdog thread and no stall counters */
    int repeat_ms; /* repeat the "blocked" line this often; 0: default */
};

struct dbot__health_stats {
    uint64_t handlers;        /* enter calls */
    uint64_t slow;            /* handlers over slow_ms */
    int64_t slowest_ms;       /* longest single handler */
    uint64_t stalls;          /* ended gaps between beats of >= stall_ms */
    int64_t longest_stall_ms; /* longest such gap */
    int64_t blocked_ms;       /* time since the last beat, 0 if unarmed */
    int healthy;              /* dbot__health_loop_healthy() */
};

/* Create a health monitor (opts NULL: defaults). No thread runs until
 * dbot__health_start(). Returns NULL when out of memory. */
struct dbot__health *dbot__health_new(const struct dbot__health_opts *opts);

/* Stop the watchdog (if running) and free. NULL is a no-op. */
void dbot__health_free(struct dbot__health *h);

/* The loop starts beating now: arm stall detection and start the watchdog
 * thread (unless stall_ms < 0). From here on the loop must call
 * dbot__health_tick() at least every stall_ms / 2 while idle.
 * Returns 0, or DBOT_EAGAIN / DBOT_ESTATE (already started); logged. */
int dbot__health_start(struct dbot__health *h);

/* Disarm and join the watchdog (prompt: it waits on a condvar). Call before
 * the loop legitimately stops beating (dbot_run returning). Idempotent. */
void dbot__health_stop(struct dbot__health *h);

/* enter, leave and tick accept h == NULL and do nothing, so callers need
 * no check when health monitoring is off. */

/* Record that the loop is alive. The bot calls it from a ~250 ms timer;
 * enter and leave beat too. */
void dbot__health_tick(struct dbot__health *h);

/* Around every handler and done callback on the loop. `kind` ("handler",
 * "done", "timer"), `name` (the C function's name) and `what` (event name,
 * command, "job") are borrowed until the matching leave. Pairs nest: a
 * handler that runs another handler enters again, and the watchdog names
 * the innermost one. leave logs one WARN line when the pair took at least
 * slow_ms. */
void dbot__health_enter(struct dbot__health *h, const char *kind,
                        const char *name, const char *what);
void dbot__health_leave(struct dbot__health *h);

/* 1 when armed and the last beat is less than stall_ms old, or when not
 * armed; 0 while the loop is stalled. Any thread (for systemd WATCHDOG=1). */
int dbot__health_loop_healthy(const struct dbot__health *h);

/* Snapshot the counters. Any thread. */
void dbot__health_stats(const struct dbot__health *h,
                        struct dbot__health_stats *out);

#endif
