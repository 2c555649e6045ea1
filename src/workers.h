/*
 * workers.h: the worker pool. Blocking user work runs on worker threads;
 * its completion runs back on the loop thread through a dbot__deliver_fn.
 *
 * THREADS. Every function here is for the loop thread only (the thread
 * that drains `deliver`), except dbot__pool_stats(), which any thread may
 * call. Work functions run on workers and must not touch loop state; done
 * functions run on the loop.
 */
#ifndef DBOT_SRC_WORKERS_H
#define DBOT_SRC_WORKERS_H

#include "task.h"

#include <dbot/dbot.h>

#include <stdint.h>

struct dbot__pool;
struct dbot__health;

typedef void (*dbot__work_fn)(void *arg);
/* status: 0 (work ran), DBOT_ETIMEDOUT (still queued at its deadline, work
 * did not run) or DBOT_ECANCELED (pool shut down first, work did not run). */
typedef void (*dbot__done_fn)(void *arg, int status);

/* Histogram buckets: bucket i counts durations in [2^i, 2^(i+1)) µs (bucket
 * 0 also takes 0 µs); the last bucket takes everything from 2^23 µs (~8 s).
 */
#define DBOT__POOL_HIST 24

struct dbot__pool_stats {
    int threads;          /* worker threads */
    int queue_size;       /* bound on queued (not yet started) jobs */
    int queued;           /* jobs waiting for a worker now */
    int running;          /* jobs on a worker now */
    uint64_t submitted;   /* accepted by dbot__pool_submit */
    uint64_t run;         /* work functions that ran */
    uint64_t timed_out;   /* finished with DBOT_ETIMEDOUT */
    uint64_t canceled;    /* finished with DBOT_ECANCELED */
    uint64_t busy;        /* submits refused with DBOT_EBUSY */
    uint64_t done;        /* done callbacks called */
    uint64_t wait_us_sum; /* queue -> start, over jobs that started */
    uint64_t wait_us_max;
    uint64_t run_us_sum; /* start -> end of work */
    uint64_t run_us_max;
    uint64_t wait_hist[DBOT__POOL_HIST]; /* log2 µs, queue -> start */
    uint64_t run_hist[DBOT__POOL_HIST];  /* log2 µs, run time */
};

/* Create a pool of `nthreads` workers (0: one per online core) whose queue
 * holds at most `queue_size` jobs that have not started (0: 1024). Finished
 * jobs go back to the loop as deliver(ctx, fn, arg) calls; a burst of
 * completions shares one deliver call.
 * Returns the pool, or NULL (out of memory, or threads could not start;
 * logged). */
struct dbot__pool *dbot__pool_new(int nthreads, int queue_size,
                                  dbot__deliver_fn deliver, void *ctx);

/* Optional: wrap every done callback in dbot__health_enter("done", name,
 * "job") / dbot__health_leave, so slow or blocking completions are named.
 * `h` is borrowed and must outlive the pool. */
void dbot__pool_set_health(struct dbot__pool *pool, struct dbot__health *h);

/* Run work at a lower CPU priority: each worker adds `nice` (0..19) to its
 * own nice value before its first job, so CPU-bound work yields the cores
 * to the loop (and the REST thread) when they need them. Measured with
 * bench/bench_ack on 2 cores with spinning workers, p99 acknowledgement at
 * the loop's priority vs +10: 6-7 vs 1.5-2.3 ms on a quiet machine, 0.5-1.2
 * s vs 3-10 ms on a busy one.
 * Loop thread, before the first submit (a worker that already ran a job
 * keeps its priority: without privilege a thread can only lower it). No
 * effect off Linux. */
void dbot__pool_set_nice(struct dbot__pool *pool, int nice);
#define DBOT__WORKER_NICE 10 /* the bot's default */

/* Queue work(arg) for a worker. Never waits.
 * `deadline_ms`: 0 for none, else absolute CLOCK_MONOTONIC milliseconds
 * (dbot__pool_now_ms()); a job still queued then does not run and done gets
 * DBOT_ETIMEDOUT. `name` (borrowed for the job's life: use a literal) is
 * what the health log prints for the done callback; NULL is allowed.
 * On success done(arg, status) runs exactly once, on the loop, later (never
 * from inside this call).
 * Returns 0; DBOT_EBUSY when queue_size jobs are already waiting;
 * DBOT_ESHUTDOWN after dbot__pool_shutdown began; DBOT_EINVAL; DBOT_ENOMEM.
 * On error done is never called. */
int dbot__pool_submit(struct dbot__pool *pool, dbot__work_fn work,
                      dbot__done_fn done, void *arg, int64_t deadline_ms,
                      const char *name);

/* Finish, on the loop and now, every queued job whose deadline has passed
 * (done gets DBOT_ETIMEDOUT). Workers check deadlines as they dequeue; this
 * is for when all of them are busy. The bot calls it from a periodic timer.
 * Returns the number of jobs expired. */
int dbot__pool_expire(struct dbot__pool *pool);

/* Stop accepting jobs, let queued jobs start until `grace_ms` has passed,
 * then cancel the ones still queued (done gets DBOT_ECANCELED), wait for the
 * running ones to return, call every outstanding done callback on this
 * thread, and free the pool. Blocks the loop for up to grace_ms plus the
 * longest running job. Must not be called from a done callback. NULL is a
 * no-op. A completion batch already handed to `deliver` stays valid: when it
 * runs it only releases what is left of the pool. */
void dbot__pool_shutdown(struct dbot__pool *pool, int64_t grace_ms);

/* Copy the counters. Any thread. */
void dbot__pool_stats(struct dbot__pool *pool, struct dbot__pool_stats *out);

/* CLOCK_MONOTONIC in milliseconds: the clock of deadlines. Any thread. */
int64_t dbot__pool_now_ms(void);

#endif
