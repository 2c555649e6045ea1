/*
 * loopq.h: a stand-in for the bot's loop inbox in unit tests. deliver()
 * appends fn(arg) under a mutex and signals a condvar, as dbot__post_task
 * does with lws_cancel_service; the test thread plays the loop and drains
 * it with loopq_run().
 */
#ifndef DBOT_TESTS_LOOPQ_H
#define DBOT_TESTS_LOOPQ_H

#include "../check.h"
#include "bot.h"

#include <dbot/dbot.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct loopq_task {
    struct loopq_task *next;
    dbot__task_fn fn;
    void *arg;
};

struct loopq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct loopq_task *head, *tail;
    int pending;     /* tasks queued, not yet run */
    int delivers;    /* deliver calls accepted */
    atomic_int fail; /* refuse this many deliver calls with ENOMEM */
};

static inline void
loopq_init(struct loopq *q)
{
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
}

static inline int
loopq_deliver(void *ctx, dbot__task_fn fn, void *arg)
{
    struct loopq *q = ctx;
    struct loopq_task *t;

    if (atomic_load(&q->fail) > 0) {
        atomic_fetch_sub(&q->fail, 1);
        return DBOT_ENOMEM;
    }
    t = malloc(sizeof *t);
    if (!t)
        return DBOT_ENOMEM;
    t->next = NULL;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
    q->pending++;
    q->delivers++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

static inline int
loopq_pending(struct loopq *q)
{
    int n;

    pthread_mutex_lock(&q->mu);
    n = q->pending;
    pthread_mutex_unlock(&q->mu);
    return n;
}

static inline int
loopq_delivers(struct loopq *q)
{
    int n;

    pthread_mutex_lock(&q->mu);
    n = q->delivers;
    pthread_mutex_unlock(&q->mu);
    return n;
}

/* Wait up to wait_ms for a task, then run every queued task (unlocked, in
 * order). Returns how many ran. */
static inline int
loopq_run(struct loopq *q, int wait_ms)
{
    struct loopq_task *t;
    struct timespec ts;
    int n = 0;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += wait_ms / 1000;
    ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&q->mu);
    while (!q->head && wait_ms > 0)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) != 0)
            break;
    t = q->head;
    q->head = q->tail = NULL;
    q->pending = 0;
    pthread_mutex_unlock(&q->mu);
    while (t) {
        struct loopq_task *next = t->next;
        t->fn(t->arg);
        free(t);
        t = next;
        n++;
    }
    return n;
}

/* Play the loop until cond holds, failing the test after ms (scaled). */
#define LOOP_UNTIL(q, cond, ms)                                              \
    do {                                                                     \
        long long ldl_ = check_now_ms_() + check_timeout_ms_(ms);            \
        while (!(cond)) {                                                    \
            if (check_now_ms_() > ldl_)                                      \
                CHECK_FAIL_("LOOP_UNTIL(%s) timed out after %lld ms", #cond, \
                            (long long)(ms));                                \
            loopq_run((q), 10);                                              \
        }                                                                    \
    } while (0)

/* Run what is left (a drain delivered before a pool shutdown) and free. */
static inline void
loopq_close(struct loopq *q)
{
    while (loopq_run(q, 0) > 0)
        ;
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
}

#endif
