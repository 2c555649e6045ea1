/*
 * bench_pool.c: jobs per second through the worker pool for empty jobs
 * (pure pool overhead: submit, queue, worker wakeup, completion batch,
 * deliver, done), against a floor measured in the same run: a bare
 * mutex+condvar ring handing the same number of items to one thread and
 * counting them back. Prints one JSON line.
 *
 * Both sides keep at most WINDOW items outstanding, as a loop submitting
 * against a bounded queue would; the loop side waits on a condvar when it
 * may not submit more.
 */
#include "workers.h"

#include <dbot/dbot.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"

#define WINDOW 1024

/* ---- the pool, with a minimal loop inbox ------------------------------- */

struct inbox {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dbot__task_fn fn[64];
    void *arg[64];
    int n;
    long delivers;
};

static int
inbox_deliver(void *ctx, dbot__task_fn fn, void *arg)
{
    struct inbox *in = ctx;

    pthread_mutex_lock(&in->mu);
    if (in->n == 64) {
        pthread_mutex_unlock(&in->mu);
        return DBOT_ENOMEM;
    }
    in->fn[in->n] = fn;
    in->arg[in->n++] = arg;
    in->delivers++;
    pthread_cond_signal(&in->cv);
    pthread_mutex_unlock(&in->mu);
    return 0;
}

static void
inbox_run(struct inbox *in)
{
    dbot__task_fn fn[64];
    void *arg[64];
    int n;

    pthread_mutex_lock(&in->mu);
    while (in->n == 0)
        pthread_cond_wait(&in->cv, &in->mu);
    n = in->n;
    for (int i = 0; i < n; i++) {
        fn[i] = in->fn[i];
        arg[i] = in->arg[i];
    }
    in->n = 0;
    pthread_mutex_unlock(&in->mu);
    for (int i = 0; i < n; i++)
        fn[i](arg[i]);
}

static long completed;

static void
empty_work(void *arg)
{
    (void)arg;
}

static void
count_done(void *arg, int status)
{
    (void)arg;
    (void)status;
    completed++;
}

static double
run_pool(int threads, long n, long *delivers)
{
    struct inbox in = { .mu = PTHREAD_MUTEX_INITIALIZER,
                        .cv = PTHREAD_COND_INITIALIZER };
    struct dbot__pool *p = dbot__pool_new(threads, WINDOW, inbox_deliver, &in);
    long submitted = 0;
    double t0;

    if (!p)
        exit(1);
    completed = 0;
    t0 = now_s();
    while (completed < n) {
        while (submitted < n && submitted - completed < WINDOW &&
               dbot__pool_submit(p, empty_work, count_done, NULL, 0, "b") == 0)
            submitted++;
        inbox_run(&in);
    }
    t0 = now_s() - t0;
    dbot__pool_shutdown(p, 0);
    while (in.n) /* a drain delivered before shutdown frees the pool */
        inbox_run(&in);
    *delivers = in.delivers;
    return (double)n / t0;
}

/* ---- the floor: a bare mutex+condvar handoff ---------------------------
 *
 * The least any pool must do per item when work runs unlocked: the loop
 * locks to push and signals; the worker locks to pop, unlocks to "run",
 * locks again to report completion and signals the loop if it waits. */

struct ring {
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    long items[WINDOW];
    int head, count;
    long done;
    int loop_waits;
    int stop;
};

static void *
ring_worker(void *arg)
{
    struct ring *r = arg;

    for (;;) {
        long item;

        pthread_mutex_lock(&r->mu);
        while (r->count == 0 && !r->stop)
            pthread_cond_wait(&r->work_cv, &r->mu);
        if (r->count == 0) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        item = r->items[r->head];
        r->head = (r->head + 1) % WINDOW;
        r->count--;
        pthread_mutex_unlock(&r->mu);

        (void)item; /* the empty job */

        pthread_mutex_lock(&r->mu);
        r->done++;
        if (r->loop_waits)
            pthread_cond_signal(&r->done_cv);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

static double
run_floor(long n)
{
    static struct ring r;
    pthread_t t;
    long sent = 0;
    double t0;

    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.work_cv, NULL);
    pthread_cond_init(&r.done_cv, NULL);
    pthread_create(&t, NULL, ring_worker, &r);
    t0 = now_s();
    for (;;) {
        int full;

        pthread_mutex_lock(&r.mu);
        if (r.done >= n) {
            pthread_mutex_unlock(&r.mu);
            break;
        }
        full = sent == n || sent - r.done >= WINDOW;
        if (!full) {
            r.items[(r.head + r.count) % WINDOW] = sent++;
            r.count++;
            pthread_cond_signal(&r.work_cv);
        } else {
            r.loop_waits = 1;
            pthread_cond_wait(&r.done_cv, &r.mu);
            r.loop_waits = 0;
        }
        pthread_mutex_unlock(&r.mu);
    }
    t0 = now_s() - t0;
    pthread_mutex_lock(&r.mu);
    r.stop = 1;
    pthread_cond_signal(&r.work_cv);
    pthread_mutex_unlock(&r.mu);
    pthread_join(t, NULL);
    pthread_cond_destroy(&r.done_cv);
    pthread_cond_destroy(&r.work_cv);
    pthread_mutex_destroy(&r.mu);
    return (double)n / t0;
}

static double
best(double a, double b)
{
    return a > b ? a : b;
}

/* Rounds are interleaved and the best of each kind kept: on a small shared
 * machine the noise is all in one direction (slower). */
int
main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 300000;
    long d1 = 0, dn = 0;
    double floor_rate = 0, pool1 = 0, pooln = 0;

    for (int round = 0; round < 3; round++) {
        floor_rate = best(floor_rate, run_floor(n));
        pool1 = best(pool1, run_pool(1, n, &d1));
        pooln = best(pooln, run_pool(0, n, &dn));
    }
    printf("{\"bench\":\"pool\",\"jobs\":%ld,\"window\":%d,"
           "\"floor_jobs_per_s\":%.0f,\"pool_1t_jobs_per_s\":%.0f,"
           "\"pool_1t_delivers\":%ld,\"pool_ncores_jobs_per_s\":%.0f,"
           "\"pool_ncores_delivers\":%ld,\"pool_1t_vs_floor\":%.2f,"
           "\"floor_ns_per_job\":%.0f,\"pool_1t_ns_per_job\":%.0f}\n",
           n, WINDOW, floor_rate, pool1, d1, pooln, dn, pool1 / floor_rate,
           1e9 / floor_rate, 1e9 / pool1);
    return 0;
}
