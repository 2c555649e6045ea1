/* dbot_offload over a pool, with a stand-in for bot.c's accessors. */
#include "loopq.h"

#include "workers.h"

#include <dbot/worker.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

struct dbot {
    struct dbot__pool *pool;
};

static pthread_t loop_thread;
static struct loopq q;

struct dbot__pool *
dbot__bot_pool(dbot *bot)
{
    return bot->pool;
}

int
dbot__on_loop_thread(const dbot *bot)
{
    (void)bot;
    return pthread_equal(pthread_self(), loop_thread);
}

struct req {
    atomic_int ran;
    int done_calls;
    int status;
    dbot *bot;
};

static void
req_work(void *arg)
{
    atomic_fetch_add(&((struct req *)arg)->ran, 1);
}

static void
req_done(dbot *bot, void *arg, int status)
{
    struct req *r = arg;

    ASSERT_TRUE(pthread_equal(pthread_self(), loop_thread));
    r->done_calls++;
    r->status = status;
    r->bot = bot;
}

static void
never_done(dbot *bot, void *arg, int status)
{
    (void)bot;
    (void)arg;
    (void)status;
    ASSERT_TRUE(0);
}

static void
discard(const char *line, size_t len, void *data)
{
    (void)line;
    (void)len;
    (void)data;
}

static void *
offload_from_other_thread(void *arg)
{
    static struct req r;
    return (void *)(intptr_t)dbot_offload(arg, req_work, never_done, &r);
}

TEST(offload_runs_work_then_done_with_the_bot)
{
    struct dbot bot = { dbot__pool_new(2, 2, loopq_deliver, &q) };
    struct req r = { 0 }, late = { 0 };
    pthread_t t;
    void *rc;

    ASSERT_EQ(dbot_offload(&bot, req_work, req_done, &r), 0);
    LOOP_UNTIL(&q, r.done_calls == 1, 5000);
    ASSERT_EQ(atomic_load(&r.ran), 1);
    ASSERT_EQ(r.status, 0);
    ASSERT_TRUE(r.bot == &bot);

    /* A deadline already in the past: never runs, done says why. */
    ASSERT_EQ(dbot_offload_deadline(&bot, req_work, req_done, &late, 1), 0);
    LOOP_UNTIL(&q, late.done_calls == 1, 5000);
    ASSERT_EQ(late.status, DBOT_ETIMEDOUT);
    ASSERT_EQ(atomic_load(&late.ran), 0);

    ASSERT_EQ(dbot_offload(&bot, NULL, req_done, &r), DBOT_EINVAL);
    ASSERT_EQ(dbot_offload(&bot, req_work, NULL, &r), DBOT_EINVAL);
    ASSERT_EQ(dbot_offload_deadline(&bot, req_work, req_done, &r, -1),
              DBOT_EINVAL);
#ifndef NDEBUG
    dbot_log_set_sink(discard, NULL); /* the refusal is logged */
    pthread_create(&t, NULL, offload_from_other_thread, &bot);
    pthread_join(t, &rc);
    dbot_log_set_sink(NULL, NULL);
    ASSERT_EQ((intptr_t)rc, DBOT_EWRONGTHREAD);
#else
    (void)t;
    (void)rc;
#endif
    dbot__pool_shutdown(bot.pool, 0);
    loopq_close(&q);
    loopq_init(&q);
}

TEST(refused_offload_never_calls_done)
{
    enum {
        QS = 2
    };
    struct dbot bot = { dbot__pool_new(1, QS, loopq_deliver, &q) };
    static struct req r[QS + 2];
    int ok[QS + 2], accepted = 0, busy = 0;

    memset(r, 0, sizeof r);
    /* One may be running, QS queued; the rest are refused. Submitting
     * back to back from the loop, before any drain, fills the queue. */
    for (int i = 0; i < QS + 2; i++) {
        int rc = dbot_offload(&bot, req_work, req_done, &r[i]);
        ok[i] = rc == 0;
        if (rc == 0)
            accepted++;
        else if (rc == DBOT_EBUSY)
            busy++;
        else
            ASSERT_EQ(rc, 0);
    }
    ASSERT_GE(accepted, QS);
    ASSERT_EQ(accepted + busy, QS + 2);
    dbot__pool_shutdown(bot.pool, 60000);
    for (int i = 0; i < QS + 2; i++)
        ASSERT_EQ(r[i].done_calls, ok[i]);
    loopq_close(&q);
    loopq_init(&q);
}

static atomic_int job_nice = -100;

static void
nice_work(void *arg)
{
    (void)arg;
    atomic_store(&job_nice, getpriority(PRIO_PROCESS, (id_t)gettid()));
}

TEST(workers_set_nice_lowers_the_workers_only)
{
    struct dbot bot = { dbot__pool_new(1, 2, loopq_deliver, &q) };
    struct req r = { 0 };
    int base = getpriority(PRIO_PROCESS, (id_t)gettid());

    ASSERT_EQ(dbot_workers_set_nice(NULL, 1), DBOT_EINVAL);
    ASSERT_EQ(dbot_workers_set_nice(&bot, -1), DBOT_EINVAL);
    ASSERT_EQ(dbot_workers_set_nice(&bot, 20), DBOT_EINVAL);
    ASSERT_EQ(dbot_workers_set_nice(&bot, 3), 0);
    ASSERT_EQ(dbot_offload(&bot, nice_work, req_done, &r), 0);
    LOOP_UNTIL(&q, r.done_calls == 1, 5000);
    ASSERT_EQ(atomic_load(&job_nice), base + 3 > 19 ? 19 : base + 3);
    ASSERT_EQ(getpriority(PRIO_PROCESS, (id_t)gettid()), base);
    dbot__pool_shutdown(bot.pool, 0);
    loopq_close(&q);
    loopq_init(&q);
}

int
main(void)
{
    loop_thread = pthread_self();
    loopq_init(&q);
    RUN(offload_runs_work_then_done_with_the_bot);
    RUN(refused_offload_never_calls_done);
    RUN(workers_set_nice_lowers_the_workers_only);
    loopq_close(&q);
    return 0;
}
