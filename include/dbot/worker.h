/*
 * dbot/worker.h: run blocking work off the loop thread.
 *
 * A handler on the loop must return in milliseconds. Work that blocks (a
 * database query, a slow HTTP call, a computation) goes to the bot's worker
 * pool as a job, a dbot_work. Every job runs one work function type,
 * dbot_work_fn, on a worker thread; its done callback comes back on the
 * loop, where the whole dbot API may be used again. A job for an
 * interaction is started with dbot_interaction_offload() (interaction.h);
 * any other job with dbot_work_submit():
 *
 *   static void
 *   lookup_work(dbot_work *w)                  worker thread: may block
 *   {
 *       struct lookup *l = dbot_work_data(w);
 *       l->rc = slow_lookup(l->key, l->result, sizeof l->result);
 *   }
 *
 *   static void
 *   lookup_done(dbot *bot, dbot_work *w, int status)      loop thread
 *   {
 *       struct lookup *l = dbot_work_data(w);
 *       if (status == 0)
 *           ... use l->result with the dbot API ...
 *       free(l);
 *   }
 *
 *   rc = dbot_work_submit(bot, lookup_work, lookup_done, l, 0);
 *   if (rc < 0)                      DBOT_EBUSY: the queue is full
 *       free(l);                     (done will not be called)
 *
 * THREADS. dbot_work_submit() is a loop-thread function (debug builds
 * refuse other threads with DBOT_EWRONGTHREAD). The work function runs on
 * a worker thread: there it may use only its own job (the dbot_work_*
 * functions below), dbot_post(), dbot_log(), dbot_strerror() and
 * dbot_err_name(); no other dbot function is safe off the loop. The done
 * function runs on the loop thread, and may also use the dbot_work_*
 * functions on its job until it returns.
 *
 * OWNERSHIP. The worker running the work function owns the job while it
 * runs; the loop owns it afterwards and frees it when done returns. `data`
 * is the caller's: dbot never frees it.
 */
#ifndef DBOT_WORKER_H
#define DBOT_WORKER_H

#include <dbot/dbot.h>
#include <dbot/interaction_data.h>
#include <dbot/message.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A job: the work function, the caller's data, and for an interaction's
 * job a copy of the interaction (token removed) and the stored answer. */
typedef struct dbot_work dbot_work;

/* Runs on a worker thread, may block, and uses only its own job. The one
 * work-function type: dbot_work_submit() and dbot_interaction_offload()
 * both take it. */
typedef void (*dbot_work_fn)(dbot_work *w);

/* Runs on the loop thread, exactly once per accepted job; w is freed when
 * it returns. `status`:
 *   0                  work(w) ran and returned;
 *   DBOT_ETIMEDOUT     the job was still queued at its deadline and work
 *                      did not run;
 *   DBOT_ECANCELED     the bot shut down before the job started and work
 *                      did not run.
 * This is the place to release the job's data. */
typedef void (*dbot_work_done_fn)(dbot *bot, dbot_work *w, int status);

/* Name: dbot_work_submit
 * Desc: queue work(w) for a worker thread, with dbot_work_data(w) ==
 *       data; done(bot, w, status) runs on the loop afterwards, never from
 *       inside this call. `deadline_ms` is an absolute time on the
 *       dbot_now_ms() clock (e.g. dbot_now_ms() + 5000): a job that has not
 *       started by then never starts and done gets DBOT_ETIMEDOUT; a job
 *       already running is not interrupted. 0 means no deadline. Never
 *       blocks: when the queue (config "queue_size") is full it refuses at
 *       once, so the caller decides (reply "busy, try again", drop, retry
 *       later). Jobs start in FIFO order; with several workers they may
 *       finish in any order. Loop thread. `data` is not touched by dbot.
 * Returns: 0; DBOT_EBUSY (queue full); DBOT_ESHUTDOWN (the bot is shutting
 *       down); DBOT_EINVAL (bot, work or done NULL, negative deadline);
 *       DBOT_ENOMEM; DBOT_EWRONGTHREAD. On error done is never called. */
DBOT_API int dbot_work_submit(dbot *bot, dbot_work_fn work,
                              dbot_work_done_fn done, void *data,
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
 *       nothing. Loop thread.
 * Returns: 0; DBOT_EINVAL (NULL, or out of range); DBOT_ESHUTDOWN;
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_workers_set_nice(dbot *bot, int nice);

/* ---- the job's own functions --------------------------------------------
 * For the job's own thread: the work function on its worker, or the done
 * callback on the loop. Each takes only the job, so no locking is needed:
 * one thread owns a job at a time. */

/* Name: dbot_work_data
 * Desc: the `data` given to dbot_work_submit() or
 *       dbot_interaction_offload(). The job's own thread.
 * Returns: data (the caller's), or NULL for a NULL w. */
DBOT_API void *dbot_work_data(const dbot_work *w);

/* Name: dbot_work_json
 * Desc: an interaction job's copy of the interaction (token removed),
 *       made on the loop before the job was queued, for the readers of
 *       <dbot/interaction_data.h>. The job's own thread.
 * Returns: the copy, borrowed until the job ends; NULL for a job from
 *       dbot_work_submit() or a NULL w. */
DBOT_API const cJSON *dbot_work_json(const dbot_work *w);

/* Name: dbot_work_options
 * Desc: the option view of an interaction job, for the dbot_option_*
 *       readers, the same ones a handler uses on
 *       dbot_interaction_options(). The job's own thread.
 * Returns: the view, borrowed until the job ends; a job without an
 *       interaction gives a view with no options (every reader returns
 *       its default). */
DBOT_API const dbot_options *dbot_work_options(const dbot_work *w);

/* Name: dbot_work_user_id
 * Desc: the invoking user's id (member.user or user) of an interaction
 *       job. The job's own thread.
 * Returns: the id, or 0 if absent or not an interaction job. */
DBOT_API uint64_t dbot_work_user_id(const dbot_work *w);

/* Name: dbot_work_reply, dbot_work_reply_json
 * Desc: store the job's answer (text is copied; the JSON, a message
 *       object like {"content": ..., "embeds": [...]}, is duplicated). For
 *       dbot_interaction_offload() the loop edits the original response
 *       with it when the job ends; a done callback reads it back with
 *       dbot_work_result(). A later call replaces an earlier one. The
 *       job's own thread.
 * Returns: 0; DBOT_EINVAL (NULL, text not UTF-8 or empty, JSON not an
 *       object or with a field of the wrong type); DBOT_ETOOBIG (over one
 *       of Discord's message limits, as for dbot_interaction_reply_json;
 *       logged); DBOT_ENOMEM. On error the stored answer is unchanged. */
DBOT_API int dbot_work_reply(dbot_work *w, const char *text);
DBOT_API int dbot_work_reply_json(dbot_work *w, const cJSON *msg);

/* Name: dbot_work_reply_msg
 * Desc: dbot_work_reply_json with a built message (dbot_msg of
 *       <dbot/message.h>, which the worker may build on its own thread;
 *       borrowed). The job's own thread.
 * Returns: as dbot_work_reply_json; DBOT_EINVAL also for a builder with
 *       an error (logged with dbot_msg_error). */
DBOT_API int dbot_work_reply_msg(dbot_work *w, const dbot_msg *m);

/* Name: dbot_work_result
 * Desc: what dbot_work_reply*() stored. The job's own thread.
 * Returns: the message object, borrowed until the job ends (or until the
 *       next dbot_work_reply*()), or NULL when nothing was stored. */
DBOT_API const cJSON *dbot_work_result(const dbot_work *w);

/* ---- deprecated (0.2 only; docs/api.md) -------------------------------- */

#ifndef DBOT_NO_DEPRECATED
/* The old work and done types of dbot_offload(): `arg` instead of a job. */
typedef void (*dbot_offload_work_fn)(void *arg);
typedef void (*dbot_done_fn)(dbot *bot, void *arg, int status)
    DBOT_DEPRECATED("dbot_work_done_fn");

/* Name: dbot_offload, dbot_offload_deadline
 * Desc: deprecated: dbot_work_submit() with work(arg) and done(bot, arg,
 *       status) on the caller's pointer instead of the job (deadline 0 for
 *       dbot_offload). Loop thread.
 * Returns: as dbot_work_submit(). */
DBOT_API int dbot_offload(dbot *bot, dbot_offload_work_fn work,
                          void (*done)(dbot *bot, void *arg, int status),
                          void *arg) DBOT_DEPRECATED("dbot_work_submit");
DBOT_API int
dbot_offload_deadline(dbot *bot, dbot_offload_work_fn work,
                      void (*done)(dbot *bot, void *arg, int status), void *arg,
                      int64_t deadline_ms) DBOT_DEPRECATED("dbot_work_submit");
#endif

#ifdef __cplusplus
}
#endif
#endif /* DBOT_WORKER_H */
