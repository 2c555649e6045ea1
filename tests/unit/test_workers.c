/* The worker pool, with the test thread playing the loop (loopq.h). */
#include "loopq.h"

#include "health.h"
#include "workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <unistd.h>

static struct loopq q;
static pthread_t loop_thread;

/* A gate a job can wait on; the test opens it. Condvar, not polling. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open;

static void
gate_set(int open)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = open;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
}

struct tjob {
    atomic_int ran;      /* work calls */
    atomic_int off_loop; /* work ran on a thread other than the loop */
    int done_calls;      /* loop only */
    int status;
    int gated;                   /* work waits for the gate */
    int sleep_ms;                /* work sleeps this long (the workload) */
    struct dbot__pool *resubmit; /* done submits again here, records rc */
    int resubmit_rc;
};

static void
tjob_work(void *arg)
{
    struct tjob *j = arg;

    if (!pthread_equal(pthread_self(), loop_thread))
        atomic_store(&j->off_loop, 1);
    if (j->gated) {
        pthread_mutex_lock(&gate_mu);
        while (!gate_open)
            pthread_cond_wait(&gate_cv, &gate_mu);
        pthread_mutex_unlock(&gate_mu);
    }
    if (j->sleep_ms) {
        struct timespec ts = { 0, (long)j->sleep_ms * 1000000 };
        nanosleep(&ts, NULL);
    }
    atomic_fetch_add(&j->ran, 1);
}

static int total_done;
static int again_done; /* done calls of jobs submitted from a done */

static void tjob_done_noop(void *arg, int status);

static void
tjob_again_done(void *arg, int status)
{
    (void)arg;
    ASSERT_EQ(status, 0);
    again_done++;
}

static void
tjob_done(void *arg, int status)
{
    struct tjob *j = arg;

    ASSERT_TRUE(pthread_equal(pthread_self(), loop_thread));
    j->done_calls++;
    ASSERT_EQ(j->done_calls, 1);
    j->status = status;
    total_done++;
    if (j->resubmit)
        j->resubmit_rc = dbot__pool_submit(j->resubmit, tjob_work,
                                           tjob_again_done, j, 0, "again");
}

static void
tjob_done_noop(void *arg, int status)
{
    (void)arg;
    (void)status;
    ASSERT_TRUE(0); /* a refused submit must never call done */
}

static struct dbot__pool_stats
stats(struct dbot__pool *p)
{
    struct dbot__pool_stats s;

    dbot__pool_stats(p, &s);
    return s;
}

static int
running(struct dbot__pool *p)
{
    return stats(p).running;
}

static void
finish(struct dbot__pool *p, int64_t grace)
{
    dbot__pool_shutdown(p, grace);
    loopq_close(&q);
    loopq_init(&q);
}

TEST(jobs_run_on_workers_and_done_on_loop)
{
    enum {
        N = 200
    };
    static struct tjob jobs[N];
    struct dbot__pool *p = dbot__pool_new(4, 0, loopq_deliver, &q);
    struct dbot__pool_stats s;
    uint64_t hist = 0;

    ASSERT_TRUE(p != NULL);
    memset(jobs, 0, sizeof jobs);
    total_done = 0;
    for (int i = 0; i < N; i++)
        ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &jobs[i], 0, "t"),
                  0);
    LOOP_UNTIL(&q, total_done == N, 5000);
    for (int i = 0; i < N; i++) {
        ASSERT_EQ(atomic_load(&jobs[i].ran), 1);
        ASSERT_EQ(atomic_load(&jobs[i].off_loop), 1);
        ASSERT_EQ(jobs[i].done_calls, 1);
        ASSERT_EQ(jobs[i].status, 0);
    }
    s = stats(p);
    ASSERT_EQ(s.threads, 4);
    ASSERT_EQ(s.queue_size, 1024);
    ASSERT_EQ(s.submitted, N);
    ASSERT_EQ(s.run, N);
    ASSERT_EQ(s.done, N);
    ASSERT_EQ(s.queued, 0);
    ASSERT_EQ(s.running, 0);
    for (int i = 0; i < DBOT__POOL_HIST; i++)
        hist += s.run_hist[i];
    ASSERT_EQ(hist, N);
    hist = 0;
    for (int i = 0; i < DBOT__POOL_HIST; i++)
        hist += s.wait_hist[i];
    ASSERT_EQ(hist, N);
    ASSERT_LE(s.run_us_max * 1, s.run_us_sum);
    finish(p, 0);
}

/* Workers run nicer than the thread that made the pool, by the amount set
 * before the first job. */
static atomic_int seen_nice = -100;

static void
nice_work(void *arg)
{
    (void)arg;
    atomic_store(&seen_nice, getpriority(PRIO_PROCESS, (id_t)gettid()));
}

static void
nice_done(void *arg, int status)
{
    (void)arg;
    ASSERT_EQ(status, 0);
    total_done++;
}

TEST(workers_run_at_lower_priority)
{
    struct dbot__pool *p = dbot__pool_new(1, 0, loopq_deliver, &q);
    int base = getpriority(PRIO_PROCESS, (id_t)gettid());

    ASSERT_TRUE(p != NULL);
    dbot__pool_set_nice(p, 5);
    total_done = 0;
    ASSERT_EQ(dbot__pool_submit(p, nice_work, nice_done, NULL, 0, "n"), 0);
    LOOP_UNTIL(&q, total_done == 1, 5000);
    ASSERT_EQ(atomic_load(&seen_nice), base + 5 > 19 ? 19 : base + 5);
    /* The loop's own priority is untouched. */
    ASSERT_EQ(getpriority(PRIO_PROCESS, (id_t)gettid()), base);
    finish(p, 0);
}

TEST(invalid_arguments_are_refused)
{
    struct tjob j = { 0 };
    struct dbot__pool *p = dbot__pool_new(1, 1, loopq_deliver, &q);

    struct dbot__pool *cores = dbot__pool_new(0, 0, loopq_deliver, &q);

    ASSERT_EQ(stats(cores).threads, sysconf(_SC_NPROCESSORS_ONLN));
    dbot__pool_shutdown(cores, 0);
    ASSERT_TRUE(dbot__pool_new(1, -1, loopq_deliver, &q) == NULL);
    ASSERT_TRUE(dbot__pool_new(1, 1, NULL, &q) == NULL);
    ASSERT_EQ(dbot__pool_submit(p, NULL, tjob_done, &j, 0, "x"), DBOT_EINVAL);
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, NULL, &j, 0, "x"), DBOT_EINVAL);
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &j, -5, "x"),
              DBOT_EINVAL);
    dbot__pool_shutdown(NULL, 0);
    finish(p, 0);
    ASSERT_EQ(j.done_calls, 0);
}

TEST(full_queue_refuses_at_once)
{
    enum {
        QS = 4
    };
    static struct tjob blocker, jobs[QS + 1];
    struct dbot__pool *p = dbot__pool_new(1, QS, loopq_deliver, &q);
    long long t0;

    memset(&blocker, 0, sizeof blocker);
    memset(jobs, 0, sizeof jobs);
    total_done = 0;
    gate_set(0);
    blocker.gated = 1;
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &blocker, 0, "b"), 0);
    WAIT_UNTIL(running(p) == 1, 5000); /* the one worker is now stuck */
    for (int i = 0; i < QS; i++)
        ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &jobs[i], 0, "t"),
                  0);
    t0 = check_now_ms_();
    ASSERT_EQ(
        dbot__pool_submit(p, tjob_work, tjob_done_noop, &jobs[QS], 0, "t"),
        DBOT_EBUSY);
    ASSERT_EQ(
        dbot__pool_submit(p, tjob_work, tjob_done_noop, &jobs[QS], 0, "t"),
        DBOT_EBUSY);
    ASSERT_LE(check_now_ms_() - t0, 100);
    ASSERT_EQ(stats(p).busy, 2);
    ASSERT_EQ(stats(p).queued, QS);

    gate_set(1);
    LOOP_UNTIL(&q, total_done == QS + 1, 5000);
    ASSERT_EQ(atomic_load(&jobs[QS].ran), 0);
    /* Room again once the queue drained. */
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &jobs[QS], 0, "t"), 0);
    LOOP_UNTIL(&q, total_done == QS + 2, 5000);
    ASSERT_EQ(jobs[QS].done_calls, 1);
    finish(p, 0);
}

TEST(expired_job_is_not_run_when_dequeued)
{
    static struct tjob blocker, late, fine;
    struct dbot__pool *p = dbot__pool_new(1, 8, loopq_deliver, &q);
    int64_t dl;

    memset(&blocker, 0, sizeof blocker);
    memset(&late, 0, sizeof late);
    memset(&fine, 0, sizeof fine);
    total_done = 0;
    gate_set(0);
    blocker.gated = 1;
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &blocker, 0, "b"), 0);
    WAIT_UNTIL(running(p) == 1, 5000);
    dl = dbot__pool_now_ms() + 20;
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &late, dl, "late"), 0);
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &fine,
                                dbot__pool_now_ms() + 60000, "fine"),
              0);
    WAIT_UNTIL(dbot__pool_now_ms() > dl, 1000);
    gate_set(1);
    LOOP_UNTIL(&q, total_done == 3, 5000);
    ASSERT_EQ(late.status, DBOT_ETIMEDOUT);
    ASSERT_EQ(atomic_load(&late.ran), 0);
    ASSERT_EQ(fine.status, 0);
    ASSERT_EQ(atomic_load(&fine.ran), 1);
    ASSERT_EQ(stats(p).timed_out, 1);
    ASSERT_EQ(stats(p).run, 2);
    finish(p, 0);
}

TEST(expire_finishes_queued_jobs_while_workers_are_busy)
{
    static struct tjob blocker, a, b, c;
    struct dbot__pool *p = dbot__pool_new(1, 8, loopq_deliver, &q);
    int64_t dl;

    memset(&blocker, 0, sizeof blocker);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    total_done = 0;
    gate_set(0);
    blocker.gated = 1;
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &blocker, 0, "b"), 0);
    WAIT_UNTIL(running(p) == 1, 5000);
    ASSERT_EQ(dbot__pool_expire(p), 0);
    dl = dbot__pool_now_ms() + 20;
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &a, dl, "a"), 0);
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &b, 0, "b"), 0);
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &c, dl, "c"), 0);
    WAIT_UNTIL(dbot__pool_now_ms() > dl, 1000);
    ASSERT_EQ(dbot__pool_expire(p), 2);
    /* Done ran inside expire, on this thread, with the worker still busy. */
    ASSERT_EQ(a.done_calls, 1);
    ASSERT_EQ(a.status, DBOT_ETIMEDOUT);
    ASSERT_EQ(c.done_calls, 1);
    ASSERT_EQ(c.status, DBOT_ETIMEDOUT);
    ASSERT_EQ(b.done_calls, 0);
    ASSERT_EQ(stats(p).queued, 1);
    ASSERT_EQ(running(p), 1);
    /* The tail pointer survived removing the last job: b and a new job
     * still run in order. */
    memset(&a, 0, sizeof a);
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &a, 0, "a2"), 0);
    gate_set(1);
    LOOP_UNTIL(&q, total_done == 5, 5000);
    ASSERT_EQ(b.status, 0);
    ASSERT_EQ(atomic_load(&b.ran), 1);
    ASSERT_EQ(a.status, 0);
    ASSERT_EQ(atomic_load(&a.ran), 1);
    ASSERT_EQ(atomic_load(&c.ran), 0);
    finish(p, 0);
}

TEST(shutdown_runs_queue_within_grace_and_cancels_the_rest)
{
    enum {
        N = 1000,
        GRACE = 200,
        JOB_MS = 20
    };
    static struct tjob jobs[N];
    struct dbot__pool *p = dbot__pool_new(2, N, loopq_deliver, &q);
    int ok = 0, canceled = 0, ran = 0;
    long long t0, took;

    memset(jobs, 0, sizeof jobs);
    total_done = 0;
    for (int i = 0; i < N; i++) {
        jobs[i].sleep_ms = JOB_MS;
        ASSERT_EQ(
            dbot__pool_submit(p, tjob_work, tjob_done, &jobs[i], 0, "slow"), 0);
    }
    t0 = check_now_ms_();
    dbot__pool_shutdown(p, GRACE);
    took = check_now_ms_() - t0;
    /* Grace, plus at most one running job per worker, plus slack. */
    ASSERT_GE(took, GRACE);
    ASSERT_LE(took, GRACE + JOB_MS + check_timeout_ms_(500));
    ASSERT_EQ(total_done, N); /* every done ran inside shutdown */
    for (int i = 0; i < N; i++) {
        ASSERT_EQ(jobs[i].done_calls, 1);
        ran += atomic_load(&jobs[i].ran);
        if (jobs[i].status == 0) {
            ok++;
            ASSERT_EQ(atomic_load(&jobs[i].ran), 1);
        } else {
            ASSERT_EQ(jobs[i].status, DBOT_ECANCELED);
            ASSERT_EQ(atomic_load(&jobs[i].ran), 0);
            canceled++;
        }
    }
    ASSERT_EQ(ok + canceled, N);
    ASSERT_EQ(ran, ok);
    ASSERT_GE(ok, 2);
    ASSERT_GE(canceled, N / 2);
    loopq_close(&q); /* a drain may still be queued: it frees the pool */
    loopq_init(&q);
}

TEST(shutdown_returns_when_queue_empties_before_grace)
{
    enum {
        N = 10
    };
    static struct tjob jobs[N];
    struct dbot__pool *p = dbot__pool_new(2, 0, loopq_deliver, &q);
    long long t0;

    memset(jobs, 0, sizeof jobs);
    total_done = 0;
    for (int i = 0; i < N; i++)
        ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &jobs[i], 0, "t"),
                  0);
    t0 = check_now_ms_();
    dbot__pool_shutdown(p, 60000);
    ASSERT_LE(check_now_ms_() - t0, check_timeout_ms_(2000));
    ASSERT_EQ(total_done, N);
    for (int i = 0; i < N; i++)
        ASSERT_EQ(jobs[i].status, 0);
    loopq_close(&q);
    loopq_init(&q);
}

TEST(submit_from_done_during_shutdown_is_refused)
{
    static struct tjob j;
    struct dbot__pool *p = dbot__pool_new(1, 0, loopq_deliver, &q);

    memset(&j, 0, sizeof j);
    total_done = 0;
    again_done = 0;
    j.resubmit = p;
    j.resubmit_rc = 1;
    gate_set(0);
    j.gated = 1;
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &j, 0, "t"), 0);
    WAIT_UNTIL(running(p) == 1, 5000);
    gate_set(1);
    dbot__pool_shutdown(p, 0);
    ASSERT_EQ(j.done_calls, 1);
    ASSERT_EQ(j.status, 0); /* it was running: shutdown waited for it */
    ASSERT_EQ(j.resubmit_rc, DBOT_ESHUTDOWN);
    ASSERT_EQ(again_done, 0);
    loopq_close(&q);
    loopq_init(&q);
}

TEST(done_may_submit_again)
{
    static struct tjob j;
    struct dbot__pool *p = dbot__pool_new(1, 0, loopq_deliver, &q);

    memset(&j, 0, sizeof j);
    total_done = 0;
    again_done = 0;
    j.resubmit = p;
    j.resubmit_rc = 1;
    ASSERT_EQ(dbot__pool_submit(p, tjob_work, tjob_done, &j, 0, "t"), 0);
    LOOP_UNTIL(&q, total_done == 1, 5000);
    ASSERT_EQ(j.resubmit_rc, 0);
    LOOP_UNTIL(&q, again_done == 1, 5000);
    ASSERT_EQ(atomic_load(&j.ran), 2);
    ASSERT_EQ(total_done, 1);
    finish(p, 0);
}

static void
count_done(void *arg, int status)
{
    (void)status;
    (*(int *)arg)++;
}

static void
nop_work(void *arg)
{
    (void)arg;
}

TEST(completions_are_batched_into_one_deliver)
{
    enum {
        N = 10
    };
    struct dbot__pool *p = dbot__pool_new(2, 0, loopq_deliver, &q);
    int done = 0;

    for (int i = 0; i < N; i++)
        ASSERT_EQ(dbot__pool_submit(p, nop_work, count_done, &done, 0, "n"), 0);
    /* Do not play the loop until all have finished: the first completion
     * delivered a drain and every later one joined its batch. */
    WAIT_UNTIL(stats(p).run == N, 5000);
    ASSERT_EQ(loopq_pending(&q), 1);
    ASSERT_EQ(loopq_run(&q, 0), 1);
    ASSERT_EQ(done, N);
    finish(p, 0);
}

static char logbuf[4096];
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static void
capture(const char *line, size_t len, void *data)
{
    size_t cur;

    (void)data;
    pthread_mutex_lock(&log_mu);
    cur = strlen(logbuf);
    if (cur + len < sizeof logbuf)
        memcpy(logbuf + cur, line, len + 1);
    pthread_mutex_unlock(&log_mu);
}

static int
log_has(const char *needle)
{
    int found;

    pthread_mutex_lock(&log_mu);
    found = strstr(logbuf, needle) != NULL;
    pthread_mutex_unlock(&log_mu);
    return found;
}

TEST(failed_deliver_is_recovered_by_expire)
{
    struct dbot__pool *p = dbot__pool_new(1, 0, loopq_deliver, &q);
    int done = 0;

    logbuf[0] = '\0';
    dbot_log_set_sink(capture, NULL);
    atomic_store(&q.fail, 1);
    ASSERT_EQ(dbot__pool_submit(p, nop_work, count_done, &done, 0, "n"), 0);
    WAIT_UNTIL(stats(p).run == 1, 5000);
    /* The worker logs after it has taken back its claim on the batch
     * (posted = 0); only then can expire see the batch as stranded. Waiting
     * on q.fail alone raced with that step. */
    WAIT_UNTIL(log_has("workers: cannot hand completions to the loop"), 5000);
    ASSERT_EQ(loopq_run(&q, 0), 0);
    ASSERT_EQ(done, 0);
    ASSERT_EQ(dbot__pool_expire(p), 0); /* runs the stranded batch */
    ASSERT_EQ(done, 1);
    dbot_log_set_sink(NULL, NULL);
    /* Delivery works again for the next job. */
    ASSERT_EQ(dbot__pool_submit(p, nop_work, count_done, &done, 0, "n"), 0);
    LOOP_UNTIL(&q, done == 2, 5000);
    finish(p, 0);
}

TEST(many_workers_completing_concurrently)
{
    enum {
        N = 20000,
        T = 8
    };
    static struct tjob jobs[N];
    struct dbot__pool *p = dbot__pool_new(T, 256, loopq_deliver, &q);
    struct dbot__pool_stats s;
    int next = 0, busy = 0;

    memset(jobs, 0, sizeof jobs);
    total_done = 0;
    while (next < N) {
        int rc =
            dbot__pool_submit(p, tjob_work, tjob_done, &jobs[next], 0, "many");
        if (rc == DBOT_EBUSY) {
            busy++;
            loopq_run(&q, 1); /* the loop does other things meanwhile */
            continue;
        }
        ASSERT_EQ(rc, 0);
        next++;
    }
    LOOP_UNTIL(&q, total_done == N, 20000);
    for (int i = 0; i < N; i++) {
        ASSERT_EQ(jobs[i].done_calls, 1);
        ASSERT_EQ(atomic_load(&jobs[i].ran), 1);
    }
    s = stats(p);
    ASSERT_EQ(s.run, N);
    ASSERT_EQ(s.done, N);
    ASSERT_EQ(s.busy, busy);
    ASSERT_LE(loopq_delivers(&q), N);
    fprintf(stderr, "   %d jobs, %d delivers, %d busy refusals\n", N,
            loopq_delivers(&q), busy);
    finish(p, 0);
}

TEST(done_callbacks_are_timed_by_health)
{
    struct dbot__health *h = dbot__health_new(NULL);
    struct dbot__pool *p = dbot__pool_new(1, 0, loopq_deliver, &q);
    struct dbot__health_stats hs;
    int done = 0;

    dbot__pool_set_health(p, h);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(dbot__pool_submit(p, nop_work, count_done, &done, 0, "n"), 0);
    LOOP_UNTIL(&q, done == 3, 5000);
    dbot__health_stats(h, &hs);
    ASSERT_EQ(hs.handlers, 3);
    finish(p, 0);
    dbot__health_free(h);
}

int
main(void)
{
    loop_thread = pthread_self();
    loopq_init(&q);
    RUN(jobs_run_on_workers_and_done_on_loop);
    RUN(workers_run_at_lower_priority);
    RUN(invalid_arguments_are_refused);
    RUN(full_queue_refuses_at_once);
    RUN(expired_job_is_not_run_when_dequeued);
    RUN(expire_finishes_queued_jobs_while_workers_are_busy);
    RUN(shutdown_runs_queue_within_grace_and_cancels_the_rest);
    RUN(shutdown_returns_when_queue_empties_before_grace);
    RUN(submit_from_done_during_shutdown_is_refused);
    RUN(done_may_submit_again);
    RUN(completions_are_batched_into_one_deliver);
    RUN(failed_deliver_is_recovered_by_expire);
    RUN(many_workers_completing_concurrently);
    RUN(done_callbacks_are_timed_by_health);
    loopq_close(&q);
    return 0;
}
