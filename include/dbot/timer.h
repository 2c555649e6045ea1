/*
 * dbot/timer.h: run something later on the loop thread.
 *
 * One-shot and repeating timers, each named by an id the caller keeps to
 * cancel it. They sit on the loop's one timer heap, the same one that
 * carries every interaction's 3-second deadline, so arming or cancelling
 * costs O(log n): a timer per message or per user (a poll's end, a
 * reminder, a cooldown's expiry, a retry) is fine at 100,000 pending
 * (bench/bench_timer.c).
 *
 *   static void
 *   poll_over(dbot *bot, dbot_timer_id id, int status, void *data)
 *   {
 *       struct poll *p = data;
 *       if (status == 0)
 *           close_poll(bot, p);       fired: the whole API may be used
 *       free(p);                      fired or cancelled by dbot_free
 *   }
 *
 *   dbot_timer_start(bot, 60000, 0, poll_over, p, &p->timer);
 *   ...
 *   if (dbot_timer_cancel(bot, p->timer) == 0)   closed early by hand:
 *       free(p);                                 the callback will not run
 *
 * THREADS. Every function here, and every callback, runs on the loop
 * thread (before dbot_run(): the thread that made the bot). Another
 * thread uses dbot_post() to get there first.
 *
 * IDS. An id stays unique for the bot's life (a slot and a generation),
 * so cancelling a timer that already fired, or was cancelled, is a safe
 * DBOT_ENOENT, never another timer's cancellation. 0 is never an id.
 */
#ifndef DBOT_TIMER_H
#define DBOT_TIMER_H

#include <dbot/dbot.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A timer's name; 0 is never one. */
typedef uint64_t dbot_timer_id;

/* Runs on the loop thread. `status` is 0 when the timer fired (a
 * repeating timer: once per period, re-armed before the call), or
 * DBOT_ECANCELED exactly once when dbot_free() ends a timer still pending
 * (the bot is going away: release `data`, start nothing). A timer cancelled
 * with dbot_timer_cancel() is never called again. A one-shot timer is
 * over when its call returns; a repeating one goes on until cancelled,
 * which its own callback may do. */
typedef void (*dbot_timer_fn)(dbot *bot, dbot_timer_id id, int status,
                              void *data);

/* The longest delay or period: about 24 days, which is more than any
 * Discord token or session lives; longer waits belong in a database. */
#define DBOT_TIMER_MAX_MS ((int64_t)2147483647)

/* Name: dbot_timer_start
 * Desc: run fn(bot, id, 0, data) on the loop after `delay_ms` (0..
 *       DBOT_TIMER_MAX_MS; 0 runs on the next turn of the loop, never
 *       inside this call), then, when `repeat_ms` > 0, every `repeat_ms`
 *       after that (periods missed while the loop was busy are skipped,
 *       not run in a burst). Timers due in the same millisecond run in
 *       the order they were started. Loop thread. `data` is the caller's:
 *       dbot never frees it (the callback with DBOT_ECANCELED is the
 *       place). The id is written to *out (may be NULL) before fn can
 *       run.
 * Returns: 0; DBOT_EINVAL (bot or fn NULL, delay or period out of
 *       range); DBOT_ESHUTDOWN (dbot_free() has begun); DBOT_ENOMEM;
 *       DBOT_EWRONGTHREAD. On error fn is never called. */
DBOT_API int dbot_timer_start(dbot *bot, int64_t delay_ms, int64_t repeat_ms,
                              dbot_timer_fn fn, void *data, dbot_timer_id *out);

/* Name: dbot_timer_cancel
 * Desc: stop a pending timer: its callback is not called again (not even
 *       with DBOT_ECANCELED), so the caller releases its data now. A
 *       repeating timer may cancel itself from its own callback. O(log n).
 *       Loop thread.
 * Returns: 0; DBOT_ENOENT (no such timer: it already fired, was
 *       cancelled, or id is 0); DBOT_EINVAL (bot NULL);
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_timer_cancel(dbot *bot, dbot_timer_id id);

/* Name: dbot_timer_remaining_ms
 * Desc: how long until a pending timer next fires (0 when it is due and
 *       waiting for the loop), for "try again in N s" answers. Loop
 *       thread.
 * Returns: the milliseconds (>= 0); DBOT_ENOENT (not pending);
 *       DBOT_EINVAL (bot NULL); DBOT_EWRONGTHREAD. */
DBOT_API int64_t dbot_timer_remaining_ms(const dbot *bot, dbot_timer_id id);

#ifdef __cplusplus
}
#endif

#endif
