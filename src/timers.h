/*
 * timers.h: the bot's user timers (the public <dbot/timer.h>), as ids over
 * the loop's timer heap. One module so that ids, repeats and shutdown live
 * in one place; api_timer.c is the public entry point.
 *
 * THREADS. Loop thread only.
 */
#ifndef DBOT_SRC_TIMERS_H
#define DBOT_SRC_TIMERS_H

#include <dbot/timer.h>

#include <stddef.h>

struct dbot__loop;
struct dbot__timers;

/* `bot` is only passed to callbacks; `loop` carries the heap. Both are
 * borrowed until dbot__timers_free. Returns 0 or DBOT_ENOMEM. */
int dbot__timers_new(struct dbot__timers **out, dbot *bot,
                     struct dbot__loop *loop);

/* Every pending timer's callback runs once with DBOT_ECANCELED (a
 * callback that starts a timer then is refused with DBOT_ESHUTDOWN), and
 * everything is freed. The loop must still exist. NULL is a no-op. */
void dbot__timers_free(struct dbot__timers *ts);

/* dbot_timer_start / _cancel / _remaining_ms, arguments checked. */
int dbot__timers_start(struct dbot__timers *ts, int64_t delay_ms,
                       int64_t repeat_ms, dbot_timer_fn fn, void *data,
                       dbot_timer_id *out);
int dbot__timers_cancel(struct dbot__timers *ts, dbot_timer_id id);
int64_t dbot__timers_remaining(const struct dbot__timers *ts, dbot_timer_id id);

/* How many user timers are pending (tests). */
size_t dbot__timers_pending(const struct dbot__timers *ts);

#endif
