/* dbot_work_submit over a pool, with a stand-in for bot.c's accessors. */
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
req_work(dbot_work *w)
{
    atomic_fetch_add(&((struct req *)dbot_work_data(w))->ran, 1);
    /* A job without an interaction has no options, and may still store
     * a result for its done. */
    ASSERT_EQ(dbot_option_int(dbot_work_options(w), "n", 3), 3);
    ASSERT_TRUE(dbot_work_json(w) == NULL);
    ASSERT_EQ(dbot_work_reply(w, "result"), 0);
}

static void
req_done(dbot *bot, dbot_work *w, int status)
{
    struct req *r = dbot_work_data(w);

    ASSERT_TRUE(pthread_equal(pthread_self(), loop_thread));
    r->done_calls++;
    r->status = status;
    r->bot = bot;
    if (status == 0)
        ASSERT_STREQ(cJSON_GetStringValue(
                         cJSON_GetObjectItem(dbot_work_result(w), "content")),
                     "result");
    else
        ASSERT_TRUE(dbot_work_result(w) == NULL);
}

static void
never_done(dbot *bot, dbot_work *w, int status)
{
    (void)bot;
    (void)w;
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
    return (void *)(intptr_t)dbot_work_submit(arg, req_work, never_done, &r, 0);
}

TEST(submit_runs_work_then_done_with_the_bot)
{
    struct dbot bot = { dbot__pool_new(2, 2, loopq_deliver, &q) };
    struct req r = { 0 }, late = { 0 };
    pthread_t t;
    void *rc;

    ASSERT_EQ(dbot_work_submit(&bot, req_work, req_done, &r, 0), 0);
    LOOP_UNTIL(&q, r.done_calls == 1, 5000);
    ASSERT_EQ(atomic_load(&r.ran), 1);
    ASSERT_EQ(r.status, 0);
    ASSERT_TRUE(r.bot == &bot);

    /* A deadline already in the past: never runs, done says why. */
    ASSERT_EQ(dbot_work_submit(&bot, req_work, req_done, &late, 1), 0);
    LOOP_UNTIL(&q, late.done_calls == 1, 5000);
    ASSERT_EQ(late.status, DBOT_ETIMEDOUT);
    ASSERT_EQ(atomic_load(&late.ran), 0);

    ASSERT_EQ(dbot_work_submit(&bot, NULL, req_done, &r, 0), DBOT_EINVAL);
    ASSERT_EQ(dbot_work_submit(&bot, req_work, NULL, &r, 0), DBOT_EINVAL);
    ASSERT_EQ(dbot_work_submit(NULL, req_work, req_done, &r, 0), DBOT_EINVAL);
    ASSERT_EQ(dbot_work_submit(&bot, req_work, req_done, &r, -1), DBOT_EINVAL);
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

TEST(refused_submit_never_calls_done)
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
        int rc = dbot_work_submit(&bot, req_work, req_done, &r[i], 0);
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
nice_work(dbot_work *w)
{
    dbot_work_reply(w, "result");
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
    ASSERT_EQ(dbot_work_submit(&bot, nice_work, req_done, &r, 0), 0);
    LOOP_UNTIL(&q, r.done_calls == 1, 5000);
    ASSERT_EQ(atomic_load(&job_nice), base + 3 > 19 ? 19 : base + 3);
    ASSERT_EQ(getpriority(PRIO_PROCESS, (id_t)gettid()), base);
    dbot__pool_shutdown(bot.pool, 0);
    loopq_close(&q);
    loopq_init(&q);
}

/* The deprecated dbot_offload() (until 0.3, docs/api.md) still runs the
 * old void * functions; called on purpose, so its warning is off here. */
struct old {
    atomic_int ran;
    int done_calls, status;
};

static void
old_work(void *arg)
{
    atomic_fetch_add(&((struct old *)arg)->ran, 1);
}

static void
old_done(dbot *bot, void *arg, int status)
{
    struct old *o = arg;

    (void)bot;
    o->done_calls++;
    o->status = status;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
TEST(deprecated_offload_still_works)
{
    struct dbot bot = { dbot__pool_new(1, 2, loopq_deliver, &q) };
    struct old o = { 0 }, late = { 0 };
    const dbot_done_fn done_fn = old_done; /* the old type still fits */

    ASSERT_EQ(dbot_offload(&bot, old_work, done_fn, &o), 0);
    LOOP_UNTIL(&q, o.done_calls == 1, 5000);
    ASSERT_EQ(atomic_load(&o.ran), 1);
    ASSERT_EQ(o.status, 0);
    ASSERT_EQ(dbot_offload_deadline(&bot, old_work, old_done, &late, 1), 0);
    LOOP_UNTIL(&q, late.done_calls == 1, 5000);
    ASSERT_EQ(late.status, DBOT_ETIMEDOUT);
    ASSERT_EQ(atomic_load(&late.ran), 0);
    ASSERT_EQ(dbot_offload(&bot, NULL, old_done, &o), DBOT_EINVAL);
    dbot__pool_shutdown(bot.pool, 0);
    loopq_close(&q);
    loopq_init(&q);
}
#pragma GCC diagnostic pop

int
main(void)
{
    loop_thread = pthread_self();
    loopq_init(&q);
    RUN(submit_runs_work_then_done_with_the_bot);
    RUN(refused_submit_never_calls_done);
    RUN(deprecated_offload_still_works);
    RUN(workers_set_nice_lowers_the_workers_only);
    loopq_close(&q);
    return 0;
}
