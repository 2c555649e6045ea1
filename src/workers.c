/*
 * workers.c: a fixed pool of threads for blocking user work.
 *
 * DESIGN. A job is a small heap struct carrying work, done, arg, a deadline
 * and timestamps. It moves through three places:
 *
 *   queue        FIFO of jobs not yet started (at most queue_size of them);
 *                the loop appends in dbot__pool_submit, workers take the
 *                head. A full queue refuses at once with DBOT_EBUSY: the
 *                caller (the loop) must never wait for a worker.
 *   (running)    a worker owns the job while work(arg) runs, without the
 *                lock held.
 *   completions  FIFO of finished jobs; the loop runs their done callbacks.
 *
 * The queue and the completions have a mutex each (`mu`, `cmu`), as
 * libuv's threadpool does, so a worker reporting a result never contends
 * with the loop submitting or another worker dequeuing. Lock order: mu,
 * then cmu; nothing holds both except the stats snapshot.
 *
 * Completions are batched the h2o way: the worker that makes the list go
 * from empty to non-empty sets `posted` and calls deliver(ctx, drain, pool)
 * once (outside the lock); later workers only append. drain (on the loop)
 * clears `posted` and swaps the whole list out under the lock, then runs the
 * done callbacks without it (libuv's uv__work_done), so a done callback may
 * submit again. One wakeup of the loop serves a burst of completions.
 *
 * Deadlines are checked where a job leaves the queue: a worker that dequeues
 * an expired job does not run it and completes it with DBOT_ETIMEDOUT. When
 * every worker is busy nobody dequeues, so the loop also calls
 * dbot__pool_expire() from a timer to finish expired jobs in place.
 *
 * Shutdown runs on the loop and blocks it: close the queue to submits, let
 * workers keep dequeuing until the grace period ends or the queue is empty,
 * move what is left to the completions as DBOT_ECANCELED, tell workers to
 * exit when idle, join them, and run every remaining done callback right
 * there. A drain already handed to deliver may still be sitting in the
 * loop's inbox and holds a pointer to the pool, so the struct itself is
 * freed by whichever comes last: shutdown (if nothing is posted) or that
 * drain (which then finds `dead` set and an empty list).
 *
 * Workers touch only their job and the pool's locked fields; done callbacks
 * and the job free list live on the loop. Worker threads block all signals
 * so SIGINT/SIGTERM reach the loop thread.
 */
#include "workers.h"
#include "clock.h"

#include "health.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_QUEUE  1024
#define MAX_THREADS    256
#define MAX_FREE_CACHE 256

struct job {
    struct job *next; /* queue, completions or free list */
    dbot__work_fn work;
    dbot__done_fn done;
    void *arg;
    const char *name;    /* borrowed, for the health log */
    int64_t deadline_ms; /* 0: none */
    int64_t submit_ns;   /* CLOCK_MONOTONIC at submit */
    int status;          /* for done */
};

struct joblist {
    struct job *head, *tail;
};

/* Fields marked [mu] or [cmu] are read and written under that mutex;
 * [loop] only on the loop thread; [const] set in _new and never changed.
 * The stats are split the same way: st_q for what the queue side counts,
 * st_c for what the completion side counts; _stats merges them. */
struct dbot__pool {
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a job was queued, or stop was set */
    pthread_cond_t idle_cv; /* the queue became empty (shutdown waits) */
    struct joblist queue;   /* [mu] jobs not yet started */
    int stop;               /* [mu] workers exit once the queue is empty */
    int n_deadline;         /* [mu] queued jobs that have a deadline */
    uint64_t started;       /* [mu] work calls begun */
    int nice;               /* [mu] added to each worker's nice value */
    struct dbot__pool_stats st_q; /* [mu] queue side */

    pthread_mutex_t cmu;
    struct joblist finished; /* [cmu] finished jobs awaiting done */
    int posted;              /* [cmu] a drain was delivered and has not run */
    int dead;                /* [cmu] shutdown finished; drain frees the pool */
    struct dbot__pool_stats st_c; /* [cmu] run, run_us_*, run_hist, done */

    int closing;                 /* [loop] shutdown began */
    struct job *free_jobs;       /* [loop] recycled job structs */
    int n_free;                  /* [loop] */
    int free_cap;                /* [const] most kept for reuse */
    struct dbot__health *health; /* [loop] may be NULL */

    dbot__deliver_fn deliver; /* [const] */
    void *ctx;                /* [const] */
    int nthreads;             /* [const] threads started */
    pthread_t *threads;       /* [const] */
};

#define now_ns dbot__clock_ns

int64_t
dbot__pool_now_ms(void)
{
    return now_ns() / 1000000;
}

static void
list_push(struct joblist *l, struct job *j)
{
    j->next = NULL;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
}

static struct job *
list_pop(struct joblist *l)
{
    struct job *j = l->head;

    if (j) {
        l->head = j->next;
        if (!l->head)
            l->tail = NULL;
    }
    return j;
}

/* Append all of `src` to `dst`, leaving src empty. */
static void
list_splice(struct joblist *dst, struct joblist *src)
{
    if (!src->head)
        return;
    if (dst->tail)
        dst->tail->next = src->head;
    else
        dst->head = src->head;
    dst->tail = src->tail;
    src->head = src->tail = NULL;
}

static int
hist_bucket(int64_t us)
{
    int b;

    if (us <= 1)
        return 0;
    b = 63 - __builtin_clzll((unsigned long long)us);
    return b < DBOT__POOL_HIST ? b : DBOT__POOL_HIST - 1;
}

/* Caller holds mu. */
static void
account(uint64_t *sum, uint64_t *max, uint64_t *hist, int64_t ns)
{
    int64_t us = ns > 0 ? ns / 1000 : 0;

    *sum += (uint64_t)us;
    if ((uint64_t)us > *max)
        *max = (uint64_t)us;
    hist[hist_bucket(us)]++;
}

static void
pool_destroy(struct dbot__pool *pool)
{
    pthread_cond_destroy(&pool->idle_cv);
    pthread_cond_destroy(&pool->work_cv);
    pthread_mutex_destroy(&pool->cmu);
    pthread_mutex_destroy(&pool->mu);
    free(pool);
}

static void
job_release(struct dbot__pool *pool, struct job *j)
{
    if (pool->n_free < pool->free_cap) {
        j->next = pool->free_jobs;
        pool->free_jobs = j;
        pool->n_free++;
    } else {
        free(j);
    }
}

/* Loop thread: run the done callbacks of a detached list, in order. */
static void
run_completions(struct dbot__pool *pool, struct job *j)
{
    uint64_t n = 0;

    while (j) {
        struct job *next = j->next;

        if (pool->health)
            dbot__health_enter(pool->health, "done", j->name ? j->name : "?",
                               "job");
        j->done(j->arg, j->status);
        if (pool->health)
            dbot__health_leave(pool->health);
        job_release(pool, j);
        n++;
        j = next;
    }
    if (n) {
        pthread_mutex_lock(&pool->cmu);
        pool->st_c.done += n;
        pthread_mutex_unlock(&pool->cmu);
    }
}

/* The task handed to deliver: runs on the loop. */
static void
drain(void *arg)
{
    struct dbot__pool *pool = arg;
    struct joblist l;
    int dead;

    pthread_mutex_lock(&pool->cmu);
    l = pool->finished;
    pool->finished.head = pool->finished.tail = NULL;
    pool->posted = 0;
    dead = pool->dead;
    pthread_mutex_unlock(&pool->cmu);
    if (dead) {
        /* Shutdown ran every done callback already; l is empty. */
        pool_destroy(pool);
        return;
    }
    run_completions(pool, l.head);
}

/* Worker thread, cmu held: queue a finished job for the loop. Releases
 * cmu. The job that starts a new batch delivers a drain, outside the lock
 * (deliver takes the loop's inbox lock and may wake the loop). */
static void
complete_unlock(struct dbot__pool *pool, struct job *j)
{
    int rc;

    list_push(&pool->finished, j);
    if (pool->posted) {
        pthread_mutex_unlock(&pool->cmu);
        return;
    }
    pool->posted = 1;
    pthread_mutex_unlock(&pool->cmu);
    rc = pool->deliver(pool->ctx, drain, pool);
    if (rc < 0) {
        /* The batch stays queued; the next completion, dbot__pool_expire()
         * or shutdown picks it up. */
        pthread_mutex_lock(&pool->cmu);
        pool->posted = 0;
        pthread_mutex_unlock(&pool->cmu);
        LOG_E("workers", "cannot hand completions to the loop: %s",
              dbot_strerror(rc));
    }
}

/* Worker thread: lower its own CPU priority by `nice`. Linux threads have
 * their own nice value, addressed by thread id. */
static void
lower_priority(int nice)
{
#ifdef __linux__
    id_t tid = (id_t)gettid();
    int cur;

    errno = 0;
    cur = getpriority(PRIO_PROCESS, tid);
    if (cur == -1 && errno)
        return;
    if (setpriority(PRIO_PROCESS, tid, cur + nice > 19 ? 19 : cur + nice))
        LOG_W("workers", "cannot lower the worker priority: %s",
              strerror(errno));
#else
    (void)nice;
#endif
}

static void *
worker_main(void *arg)
{
    struct dbot__pool *pool = arg;
    int niced = 0; /* the priority was set (it happens once) */

    for (;;) {
        struct job *j;
        int64_t start, end;
        int nice;

        pthread_mutex_lock(&pool->mu);
        while (!pool->queue.head && !pool->stop)
            pthread_cond_wait(&pool->work_cv, &pool->mu);
        j = list_pop(&pool->queue);
        if (!j) {
            pthread_mutex_unlock(&pool->mu);
            break; /* stop, and nothing left */
        }
        pool->st_q.queued--;
        if (j->deadline_ms)
            pool->n_deadline--;
        if (!pool->queue.head)
            pthread_cond_signal(&pool->idle_cv);
        start = now_ns();
        if (j->deadline_ms && start / 1000000 >= j->deadline_ms) {
            pool->st_q.timed_out++;
            pthread_mutex_unlock(&pool->mu);
            j->status = DBOT_ETIMEDOUT;
            pthread_mutex_lock(&pool->cmu);
            complete_unlock(pool, j);
            continue;
        }
        account(&pool->st_q.wait_us_sum, &pool->st_q.wait_us_max,
                pool->st_q.wait_hist, start - j->submit_ns);
        pool->started++;
        nice = pool->nice;
        pthread_mutex_unlock(&pool->mu);
        if (!niced) {
            niced = 1;
            if (nice > 0)
                lower_priority(nice);
        }

        j->work(j->arg);
        end = now_ns();
        j->status = 0;

        pthread_mutex_lock(&pool->cmu);
        pool->st_c.run++;
        account(&pool->st_c.run_us_sum, &pool->st_c.run_us_max,
                pool->st_c.run_hist, end - start);
        complete_unlock(pool, j);
    }
    return NULL;
}

static int
online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (int)n : 1;
}

/* Ask the first n workers to exit and join them. Loop thread. */
static void
stop_and_join(struct dbot__pool *pool, int n)
{
    pthread_mutex_lock(&pool->mu);
    pool->stop = 1;
    pthread_cond_broadcast(&pool->work_cv);
    pthread_mutex_unlock(&pool->mu);
    for (int i = 0; i < n; i++)
        pthread_join(pool->threads[i], NULL);
}

struct dbot__pool *
dbot__pool_new(int nthreads, int queue_size, dbot__deliver_fn deliver,
               void *ctx)
{
    struct dbot__pool *pool;
    pthread_condattr_t ca;
    sigset_t all, old;
    int rc = 0;

    if (!deliver || nthreads < 0 || queue_size < 0)
        return NULL;
    if (nthreads == 0)
        nthreads = online_cores();
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;
    if (queue_size == 0)
        queue_size = DEFAULT_QUEUE;

    pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->threads = calloc((size_t)nthreads, sizeof *pool->threads);
    if (!pool->threads) {
        free(pool);
        return NULL;
    }
    pool->deliver = deliver;
    pool->ctx = ctx;
    pool->free_cap = queue_size < MAX_FREE_CACHE ? MAX_FREE_CACHE : queue_size;
    pool->st_q.threads = nthreads;
    pool->st_q.queue_size = queue_size;
    pthread_mutex_init(&pool->mu, NULL);
    pthread_mutex_init(&pool->cmu, NULL);
    pthread_cond_init(&pool->work_cv, NULL);
    /* Shutdown waits on idle_cv with an absolute monotonic deadline. */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->idle_cv, &ca);
    pthread_condattr_destroy(&ca);

    /* Workers inherit the creator's signal mask: start them with every
     * signal blocked so the process's handlers run on the loop thread. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (int i = 0; i < nthreads; i++) {
        char tname[16];

        rc = pthread_create(&pool->threads[i], NULL, worker_main, pool);
        if (rc != 0)
            break;
        /* Thread names are capped at 15 bytes; 3 digits of index fit. */
        snprintf(tname, sizeof tname, "dbot-worker-%d", i % 1000);
        pthread_setname_np(pool->threads[i], tname);
        pool->nthreads++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        LOG_E("workers", "cannot start worker thread %d: %s", pool->nthreads,
              strerror(rc));
        stop_and_join(pool, pool->nthreads);
        free(pool->threads);
        pool_destroy(pool);
        return NULL;
    }
    return pool;
}

void
dbot__pool_set_nice(struct dbot__pool *pool, int nice)
{
    pthread_mutex_lock(&pool->mu);
    pool->nice = nice < 0 ? 0 : nice > 19 ? 19 : nice;
    pthread_mutex_unlock(&pool->mu);
}

void
dbot__pool_set_health(struct dbot__pool *pool, struct dbot__health *h)
{
    pool->health = h;
}

int
dbot__pool_submit(struct dbot__pool *pool, dbot__work_fn work,
                  dbot__done_fn done, void *arg, int64_t deadline_ms,
                  const char *name)
{
    struct job *j;

    if (!pool || !work || !done || deadline_ms < 0)
        return DBOT_EINVAL;
    if (pool->closing)
        return DBOT_ESHUTDOWN;
    j = pool->free_jobs;
    if (j) {
        pool->free_jobs = j->next;
        pool->n_free--;
    } else {
        j = malloc(sizeof *j);
        if (!j)
            return DBOT_ENOMEM;
    }
    j->work = work;
    j->done = done;
    j->arg = arg;
    j->name = name;
    j->deadline_ms = deadline_ms;
    j->status = 0;
    j->submit_ns = now_ns();

    pthread_mutex_lock(&pool->mu);
    if (pool->st_q.queued >= pool->st_q.queue_size) {
        pool->st_q.busy++;
        pthread_mutex_unlock(&pool->mu);
        job_release(pool, j);
        return DBOT_EBUSY;
    }
    list_push(&pool->queue, j);
    pool->st_q.queued++;
    pool->st_q.submitted++;
    if (deadline_ms)
        pool->n_deadline++;
    pthread_cond_signal(&pool->work_cv);
    pthread_mutex_unlock(&pool->mu);
    return 0;
}

int
dbot__pool_expire(struct dbot__pool *pool)
{
    struct joblist expired = { NULL, NULL }, stranded = { NULL, NULL };
    int64_t now = dbot__pool_now_ms();
    int n = 0;

    if (!pool)
        return 0;
    pthread_mutex_lock(&pool->mu);
    if (pool->n_deadline > 0) {
        struct job **pp = &pool->queue.head, *prev = NULL;

        while (*pp) {
            struct job *j = *pp;

            if (j->deadline_ms && now >= j->deadline_ms) {
                *pp = j->next;
                if (pool->queue.tail == j)
                    pool->queue.tail = prev;
                j->status = DBOT_ETIMEDOUT;
                list_push(&expired, j);
                pool->st_q.queued--;
                pool->st_q.timed_out++;
                pool->n_deadline--;
                n++;
            } else {
                prev = j;
                pp = &j->next;
            }
        }
        if (n && !pool->queue.head)
            pthread_cond_signal(&pool->idle_cv);
    }
    pthread_mutex_unlock(&pool->mu);
    /* Completions whose deliver failed: nothing else will run them. */
    pthread_mutex_lock(&pool->cmu);
    if (!pool->posted) {
        stranded = pool->finished;
        pool->finished.head = pool->finished.tail = NULL;
    }
    pthread_mutex_unlock(&pool->cmu);
    run_completions(pool, stranded.head);
    run_completions(pool, expired.head);
    return n;
}

void
dbot__pool_shutdown(struct dbot__pool *pool, int64_t grace_ms)
{
    struct joblist rest;
    struct timespec ts;
    int64_t until;
    int posted;

    if (!pool)
        return;
    pool->closing = 1;
    if (grace_ms < 0)
        grace_ms = 0;
    until = now_ns() + grace_ms * 1000000;
    ts.tv_sec = (time_t)(until / 1000000000);
    ts.tv_nsec = (long)(until % 1000000000);

    pthread_mutex_lock(&pool->mu);
    while (pool->queue.head && now_ns() < until)
        pthread_cond_timedwait(&pool->idle_cv, &pool->mu, &ts);
    /* Grace is over: whatever has not started will not. */
    for (struct job *j = pool->queue.head; j; j = j->next) {
        j->status = DBOT_ECANCELED;
        pool->st_q.canceled++;
    }
    pool->st_q.queued = 0;
    pool->n_deadline = 0;
    rest = pool->queue;
    pool->queue.head = pool->queue.tail = NULL;
    pthread_mutex_unlock(&pool->mu);

    stop_and_join(pool, pool->nthreads);

    /* Workers are gone; only the loop (us) and a delivered drain remain. */
    pthread_mutex_lock(&pool->cmu);
    list_splice(&pool->finished, &rest);
    rest = pool->finished;
    pool->finished.head = pool->finished.tail = NULL;
    pthread_mutex_unlock(&pool->cmu);
    run_completions(pool, rest.head);

    while (pool->free_jobs) {
        struct job *j = pool->free_jobs;
        pool->free_jobs = j->next;
        free(j);
    }
    pool->n_free = 0;
    free(pool->threads);
    pool->threads = NULL;

    pthread_mutex_lock(&pool->cmu);
    pool->dead = 1;
    posted = pool->posted;
    pthread_mutex_unlock(&pool->cmu);
    if (!posted)
        pool_destroy(pool);
}

void
dbot__pool_stats(struct dbot__pool *pool, struct dbot__pool_stats *out)
{
    uint64_t started;

    pthread_mutex_lock(&pool->mu);
    *out = pool->st_q;
    started = pool->started;
    pthread_mutex_lock(&pool->cmu);
    out->run = pool->st_c.run;
    out->run_us_sum = pool->st_c.run_us_sum;
    out->run_us_max = pool->st_c.run_us_max;
    memcpy(out->run_hist, pool->st_c.run_hist, sizeof out->run_hist);
    out->done = pool->st_c.done;
    pthread_mutex_unlock(&pool->cmu);
    pthread_mutex_unlock(&pool->mu);
    out->running = (int)(started - out->run);
}
