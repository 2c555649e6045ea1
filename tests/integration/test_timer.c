/*
 * test_timer.c: the public timers (<dbot/timer.h>) on a running bot, and
 * the interaction deadlines that share their heap: one-shots fire once,
 * after their delay and in start order; a repeating timer repeats until
 * it cancels itself; cancelled and stale ids never fire and are
 * DBOT_ENOENT; bad arguments are refused; 100,000 pending timers leave the
 * 2 s auto-defer of a new interaction on time; and dbot_free tells every
 * timer still pending, once, with DBOT_ECANCELED.
 */
#include "harness.h"
#include "loop.h"
#include "timers.h"

#include <dbot/interaction.h>
#include <dbot/timer.h>
#include <dbot/view.h>

#define MANY 100000

static struct harness H;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int order[16], norder;
static atomic_int fired_a, reps, cancelled, late_fire, many_fired;
static atomic_int started_rc = 1;
static int64_t t_start, t_fired;
static dbot_timer_id id_a, id_b, id_rep, ids[MANY];

static void
record(dbot *bot, dbot_timer_id id, int status, void *data)
{
    (void)bot;
    (void)id;
    ASSERT_EQ(status, 0);
    pthread_mutex_lock(&mu);
    if (norder < 16)
        order[norder++] = (int)(intptr_t)data;
    if ((intptr_t)data == 1)
        t_fired = dbot_now_ms();
    pthread_mutex_unlock(&mu);
    fired_a++;
}

static void
must_not_fire(dbot *bot, dbot_timer_id id, int status, void *data)
{
    (void)bot;
    (void)id;
    (void)data;
    if (status == 0)
        late_fire++;
}

static void
repeat_cb(dbot *bot, dbot_timer_id id, int status, void *data)
{
    (void)data;
    ASSERT_EQ(status, 0);
    ASSERT_TRUE(id == id_rep);
    if (++reps == 5)
        ASSERT_EQ(dbot_timer_cancel(bot, id), 0);
}

/* Loop thread (posted): start, cancel and look up timers. */
static void
start_timers(dbot *bot, void *arg)
{
    dbot_timer_id gone;
    int rc = 0;

    (void)arg;
    t_start = dbot_now_ms();
    /* Three due in the same millisecond run in start order; 0 never runs
     * inside the call. */
    rc |= dbot_timer_start(bot, 150, 0, record, (void *)(intptr_t)1, &id_a);
    rc |= dbot_timer_start(bot, 150, 0, record, (void *)(intptr_t)2, NULL);
    rc |= dbot_timer_start(bot, 150, 0, record, (void *)(intptr_t)3, NULL);
    rc |= dbot_timer_start(bot, 0, 0, record, (void *)(intptr_t)0, NULL);
    ASSERT_EQ(fired_a, 0);
    rc |= dbot_timer_start(bot, 20, 20, repeat_cb, NULL, &id_rep);
    /* Cancelled before it fires: never called. */
    rc |= dbot_timer_start(bot, 50, 0, must_not_fire, NULL, &gone);
    ASSERT_GE(dbot_timer_remaining_ms(bot, gone), 1);
    ASSERT_EQ(dbot_timer_cancel(bot, gone), 0);
    ASSERT_EQ(dbot_timer_cancel(bot, gone), DBOT_ENOENT);
    ASSERT_EQ(dbot_timer_remaining_ms(bot, gone), DBOT_ENOENT);
    /* Its slot is reused under a new generation: the old id stays dead. */
    rc |= dbot_timer_start(bot, 3600000, 0, must_not_fire, NULL, &id_b);
    ASSERT_NE(id_b, gone);
    ASSERT_EQ(dbot_timer_cancel(bot, gone), DBOT_ENOENT);
    ASSERT_GE(dbot_timer_remaining_ms(bot, id_b), 3600000 - 1000);
    /* Bad arguments. */
    ASSERT_EQ(dbot_timer_start(bot, -1, 0, record, NULL, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_timer_start(bot, 0, -5, record, NULL, NULL), DBOT_EINVAL);
    ASSERT_EQ(
        dbot_timer_start(bot, DBOT_TIMER_MAX_MS + 1, 0, record, NULL, NULL),
        DBOT_EINVAL);
    ASSERT_EQ(dbot_timer_start(bot, 10, 0, NULL, NULL, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_timer_start(NULL, 10, 0, record, NULL, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_timer_cancel(bot, 0), DBOT_ENOENT);
    ASSERT_EQ(dbot_timer_cancel(bot, 0xdead00000001ull), DBOT_ENOENT);
    started_rc = rc;
}

static void
start_proof(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_timer_start(bot, 200, 0, record, (void *)(intptr_t)9, NULL),
              0);
}

TEST(one_shots_repeats_and_cancels)
{
    h_start(&H, NULL, "");
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    ASSERT_EQ(dbot_post(H.bot, start_timers, NULL), 0);
    WAIT_UNTIL(started_rc != 1, 5000);
    ASSERT_EQ(started_rc, 0);
    WAIT_UNTIL(fired_a == 4 && reps == 5, 10000);
    pthread_mutex_lock(&mu);
    ASSERT_EQ(norder, 4);
    ASSERT_EQ(order[0], 0);
    ASSERT_EQ(order[1], 1);
    ASSERT_EQ(order[2], 2);
    ASSERT_EQ(order[3], 3);
    ASSERT_GE(t_fired - t_start, 150); /* never early */
    pthread_mutex_unlock(&mu);
    /* Cancelled from its own callback at 5: the count stays there while
     * the loop turns (a one-shot 200 ms later proves time went by). */
    ASSERT_EQ(dbot_post(H.bot, start_proof, NULL), 0);
    WAIT_UNTIL(fired_a == 5, 10000);
    ASSERT_EQ(reps, 5);
    ASSERT_EQ(late_fire, 0);
    h_teardown(&H);
}

static void
count_cancel(dbot *bot, dbot_timer_id id, int status, void *data)
{
    (void)id;
    (void)data;
    if (status == 0) {
        many_fired++;
        return;
    }
    ASSERT_EQ(status, DBOT_ECANCELED);
    /* The bot is going: nothing new starts. */
    ASSERT_EQ(dbot_timer_start(bot, 1, 0, count_cancel, NULL, NULL),
              DBOT_ESHUTDOWN);
    cancelled++;
}

static void
start_many(dbot *bot, void *arg)
{
    (void)arg;
    for (int i = 0; i < MANY; i++)
        ASSERT_EQ(dbot_timer_start(bot, 600000 + i % 1000, 0, count_cancel,
                                   NULL, &ids[i]),
                  0);
    /* Cancel every other one: O(log n) each, from anywhere in the heap. */
    for (int i = 0; i < MANY; i += 2)
        ASSERT_EQ(dbot_timer_cancel(bot, ids[i]), 0);
    started_rc = 0;
}

static int
on_silent(dbot_interaction *ix, void *data)
{
    (void)data;
    dbot_interaction_ref(ix); /* answered by the framework's deadline */
    return 0;
}

TEST(many_pending_timers_keep_deadlines_and_end_at_free)
{
    struct fakecord_ix_log l;
    uint64_t id;

    started_rc = 1;
    memset(&H, 0, sizeof H);
    pthread_mutex_init(&H.mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(&H, NULL);
    h_new_bot(&H, ",\"ack_deadline_ms\":300,\"shutdown_grace_ms\":0");
    ASSERT_EQ(dbot_on_command(H.bot, "silent", on_silent, NULL), 0);
    h_run_bot(&H);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    ASSERT_EQ(dbot_post(H.bot, start_many, NULL), 0);
    WAIT_UNTIL(started_rc == 0, 60000);
    /* The interaction's deadline sits on the same heap, behind 50,000
     * user timers: it is still deferred by the framework, once. */
    id = fakecord_push_interaction(
        H.fc, "{\"type\":2,\"data\":{\"id\":\"7\",\"name\":\"silent\","
              "\"type\":1},\"guild_id\":\"1\",\"channel_id\":\"2\","
              "\"member\":{\"user\":{\"id\":\"3\",\"username\":\"u\"}}}");
    ASSERT_NE(id, 0);
    WAIT_UNTIL((fakecord_interaction_log(H.fc, id, &l) == 0 &&
                (l.callbacks == 1 ? 1 : (fakecord_ix_log_free(&l), 0))),
               10000);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_LE(l.callback_ms, 2800);
    fakecord_ix_log_free(&l);
    ASSERT_EQ(h_finish(&H, 1), 0);
    /* dbot_free told each pending timer once, and no other. */
    ASSERT_EQ(cancelled, MANY / 2);
    ASSERT_EQ(many_fired, 0);
    h_teardown(&H);
}

/* A bot that never ran: dbot_free still tells its timers and ends its
 * views, each once. */
static atomic_int never_ran_timer, never_ran_view;

static void
never_ran_cb(dbot *bot, dbot_timer_id id, int status, void *data)
{
    (void)bot;
    (void)id;
    (void)data;
    ASSERT_EQ(status, DBOT_ECANCELED);
    never_ran_timer++;
}

static void
never_ran_end(dbot_view *v, int reason, void *state)
{
    (void)v;
    (void)state;
    ASSERT_EQ(reason, DBOT_VIEW_SHUTDOWN);
    never_ran_view++;
}

TEST(free_without_run_ends_timers_and_views)
{
    dbot *bot;
    dbot_view *v;
    dbot_view_opts o = { .on_end = never_ran_end, .timeout_ms = 1000 };

    ASSERT_EQ(dbot_new_from_json(&bot, "{\"token\":\"abc.def.ghi\"}"), 0);
    ASSERT_EQ(dbot_timer_start(bot, 1000, 0, never_ran_cb, NULL, NULL), 0);
    ASSERT_EQ(dbot_timer_start(bot, 5, 5, never_ran_cb, NULL, NULL), 0);
    ASSERT_EQ(dbot_view_new(bot, &o, &v), 0);
    dbot_free(bot);
    ASSERT_EQ(never_ran_timer, 2);
    ASSERT_EQ(never_ran_view, 1);
}

int
main(void)
{
    RUN(free_without_run_ends_timers_and_views);
    RUN(one_shots_repeats_and_cancels);
    RUN(many_pending_timers_keep_deadlines_and_end_at_free);
    free(h_logs);
    return 0;
}
