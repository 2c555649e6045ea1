/*
 * log_repeat.h: collapse a line that repeats into one line and a count.
 *
 * A library that logs the same failure on every loop turn (lws writes
 * "accept: errno 24" each time an accept fails) can fill a journal at
 * hundreds of thousands of lines a minute. A collapser passes the first of
 * a run of identical lines, counts the rest for `window_ms`, and then writes
 * one "LINE (repeated N times)" line; a different line, or the flush, ends
 * the run early. So a storm costs one line per window.
 *
 * THREADS. Any thread: the state is under a mutex, since lws reports from
 * every thread that runs a context. `emit` runs with that mutex held, so
 * it must not feed the same collapser.
 */
#ifndef DBOT_SRC_LOG_REPEAT_H
#define DBOT_SRC_LOG_REPEAT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define DBOT__LOG_REPEAT_LINE      512   /* longer lines compare truncated */
#define DBOT__LOG_REPEAT_WINDOW_MS 10000 /* one summary per window at most */

/* Write one line (NUL-terminated, no newline) at `level`. */
typedef void (*dbot__log_repeat_emit_fn)(void *ud, int level, const char *line);

struct dbot__log_repeat {
    pthread_mutex_t mu;
    int window_ms;                    /* [const] after _init */
    char last[DBOT__LOG_REPEAT_LINE]; /* [mu] the line of the current run */
    int last_level;                   /* [mu] */
    int64_t run_start_ms;             /* [mu] when `last` was written */
    unsigned long repeats;            /* [mu] held back since then */
};

/* Caller's memory; window_ms <= 0: DBOT__LOG_REPEAT_WINDOW_MS. */
void dbot__log_repeat_init(struct dbot__log_repeat *r, int window_ms);

/* Write any pending summary through `emit` and release the mutex. */
void dbot__log_repeat_close(struct dbot__log_repeat *r,
                            dbot__log_repeat_emit_fn emit, void *ud);

/* Offer `line` at time `now_ms` (any monotonic clock, in ms). Calls `emit`
 * zero, one or two times: the summary of the run that ends, then the line
 * itself, unless it only extends the current run. Returns 1 if the line was
 * held back. */
int dbot__log_repeat_feed(struct dbot__log_repeat *r, int level,
                          const char *line, int64_t now_ms,
                          dbot__log_repeat_emit_fn emit, void *ud);

/* End the current run if its window has passed: a storm that stops is
 * still reported with its count. Call it from a timer. */
void dbot__log_repeat_flush(struct dbot__log_repeat *r, int64_t now_ms,
                            dbot__log_repeat_emit_fn emit, void *ud);

#endif
