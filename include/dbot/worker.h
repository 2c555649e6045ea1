/*
 * dbot/worker.h: run blocking work off the loop thread.
 *
 * A handler on the loop must return in milliseconds. Work that blocks (a
 * database query, a slow HTTP call, a computation) goes to the bot's worker
 * pool with dbot_offload(); its done callback comes back on the loop, where
 * the whole dbot API may be used again.
 *
 *   static void
 *   lookup_work(void *arg)               worker thread: may block
 *   {
 *       struct lookup *l = arg;
 *       l->rc = slow_lookup(l->key, l->result, sizeof l->result);
 *   }
 *
 *   static void
 *   lookup_done(dbot *bot, void *arg, int status)    loop thread
 *   {
 *       struct lookup *l = arg;
 *       if (status == 0)
 *           ... use l->result with the dbot API ...
 *       free(l);
 *   }
 *
 *   rc = dbot_offload(bot, lookup_work, lookup_done, l);
 *   if (rc < 0)                      DBOT_EBUSY: the queue is full
 *       free(l);                     (done will not be called)
 *
 * THREADS. dbot_offload() and dbot_offload_deadline() are loop-thread
 * functions (debug builds refuse other threads with DBOT_EWRONGTHREAD).
 * The work function runs on a worker thread: there it may use only its own
 * `arg`, dbot_post(), dbot_log(), dbot_strerror() and dbot_err_name(); no
 * other dbot function is safe off the loop. The done function runs on the
 * loop thread.
 */
#ifndef DBOT_WORKER_H
#define DBOT_WORKER_H

#include <dbot/dbot.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs on a worker thread. `arg` is the pointer given to dbot_offload. */
typedef void (*dbot_work_fn)(void *arg);

/* Runs on the loop thread, exactly once per accepted job. `status`:
 *   0                  work(arg) ran and returned;
 *   DBOT_ETIMEDOUT     the job was still queued at its deadline and work
 *                      did not run;
 *   DBOT_ECANCELED     the bot shut down before the job started and work
 *                      did not run.
 * This is the place to release `arg`. */
typedef void (*dbot_done_fn)(dbot *bot, void *arg, int status);

/* Name: dbot_offload
 * Desc: queue work(arg) for a worker thread; done(bot, arg, status) runs on
 *       the loop afterwards, never from inside this call. Never blocks: when
 *       the queue (config "queue_size") is full it refuses at once, so the
 *       caller decides (reply "busy, try again", drop, retry later). Jobs
 *       start in FIFO order; with several workers they may finish in any
 *       order. Loop thread.
 * Returns: 0; DBOT_EBUSY (queue full); DBOT_ESHUTDOWN (the bot is shutting
 *       down); DBOT_EINVAL (work or done NULL); DBOT_ENOMEM;
 *       DBOT_EWRONGTHREAD. On error done is never called. */
DBOT_API int dbot_offload(dbot *bot, dbot_work_fn work, dbot_done_fn done,
                          void *arg);

/* Name: dbot_offload_deadline
 * Desc: dbot_offload() with a deadline: `deadline_ms` is an absolute time
 *       on the dbot_now_ms() clock (e.g. dbot_now_ms() + 5000). A job that
 *       has not started by then never starts; done gets DBOT_ETIMEDOUT. A
 *       job already running is not interrupted. 0 means no deadline.
 * Returns: as dbot_offload(); DBOT_EINVAL also for a negative deadline. */
DBOT_API int dbot_offload_deadline(dbot *bot, dbot_work_fn work,
                                   dbot_done_fn done, void *arg,
                                   int64_t deadline_ms);

/* Name: dbot_workers_set_nice
 * Desc: run the workers at a lower CPU priority than the loop: each worker
 *       adds `nice` (0..19) to its nice value before its first job, so
 *       CPU-bound jobs still use every idle cycle but leave a core to the
 *       loop the moment it needs one (on 2 cores, p99 acknowledgement
 *       6 ms -> 2 ms when idle, ~1 s -> ~10 ms when busy; docs/offload.md).
 *       Default 10; 0 keeps the loop's priority. Call before dbot_run():
 *       a worker that already ran a job keeps its priority, since without
 *       privilege a thread can only lower it. Linux only; elsewhere it does
 *       nothing.
 * Returns: 0; DBOT_EINVAL (NULL, or out of range); DBOT_ESHUTDOWN;
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_workers_set_nice(dbot *bot, int nice);

#ifdef __cplusplus
}
#endif
#endif /* DBOT_WORKER_H */
