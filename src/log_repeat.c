/*
 * log_repeat.c: collapse repeated log lines (see log_repeat.h).
 *
 * DESIGN. One run at a time: the text of the last line written, when it
 * was written, and how many identical lines were held back since. A line
 * equal to `last` inside the window is counted and dropped. When the window
 * has passed, the next equal line (or the flush timer) writes the summary
 * "LINE (repeated N times)" and starts a new window, so a line that repeats
 * forever costs one summary per window. A different line ends the run at
 * once: its summary goes first, so the order of events stays readable.
 */
#include "log_repeat.h"

#include <stdio.h>
#include <string.h>

void
dbot__log_repeat_init(struct dbot__log_repeat *r, int window_ms)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->window_ms = window_ms > 0 ? window_ms : DBOT__LOG_REPEAT_WINDOW_MS;
}

/* Caller holds r->mu. Writes the summary of the current run, if any. */
static void
summarize_locked(struct dbot__log_repeat *r, dbot__log_repeat_emit_fn emit,
                 void *ud)
{
    char line[DBOT__LOG_REPEAT_LINE + 40];

    if (r->repeats == 0)
        return;
    snprintf(line, sizeof line, "%s (repeated %lu times)", r->last, r->repeats);
    r->repeats = 0;
    emit(ud, r->last_level, line);
}

void
dbot__log_repeat_close(struct dbot__log_repeat *r,
                       dbot__log_repeat_emit_fn emit, void *ud)
{
    pthread_mutex_lock(&r->mu);
    summarize_locked(r, emit, ud);
    pthread_mutex_unlock(&r->mu);
    pthread_mutex_destroy(&r->mu);
}

int
dbot__log_repeat_feed(struct dbot__log_repeat *r, int level, const char *line,
                      int64_t now_ms, dbot__log_repeat_emit_fn emit, void *ud)
{
    int held = 0;

    pthread_mutex_lock(&r->mu);
    if (r->last[0] && level == r->last_level &&
        strncmp(line, r->last, sizeof r->last - 1) == 0) {
        if (now_ms - r->run_start_ms < r->window_ms) {
            r->repeats++;
            held = 1;
        } else if (r->repeats) {
            /* The summary stands for this line too: a storm that goes on
             * writes one line per window, not two. */
            r->repeats++;
            summarize_locked(r, emit, ud);
            r->run_start_ms = now_ms;
        } else {
            emit(ud, level, line);
            r->run_start_ms = now_ms;
        }
    } else {
        summarize_locked(r, emit, ud);
        snprintf(r->last, sizeof r->last, "%s", line);
        r->last_level = level;
        r->run_start_ms = now_ms;
        emit(ud, level, line);
    }
    pthread_mutex_unlock(&r->mu);
    return held;
}

void
dbot__log_repeat_flush(struct dbot__log_repeat *r, int64_t now_ms,
                       dbot__log_repeat_emit_fn emit, void *ud)
{
    pthread_mutex_lock(&r->mu);
    if (r->repeats && now_ms - r->run_start_ms >= r->window_ms) {
        summarize_locked(r, emit, ud);
        r->run_start_ms = now_ms;
    }
    pthread_mutex_unlock(&r->mu);
}
