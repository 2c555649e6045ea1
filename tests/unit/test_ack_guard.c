/*
 * test_ack_guard.c: the one-initial-response rule of ack_guard.c, hammered
 * from two threads. A "gateway" thread tracks interactions with a 0 ms
 * deadline and turns its loop so the guard fires as soon as it can; a
 * "loop" thread claims the same records as they appear. For every record
 * exactly one side must win: the loop's claim, or the guard's deferral
 * (reported here through on_deferred, since no REST client takes it).
 * Run under ASan in CI; both threads touch each record's state, refcount
 * and lifetime concurrently.
 */
#include "ack_guard.h"
#include "check.h"
#include "loop.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define N 5000

static struct dbot__ack *recs[N];
static atomic_int published; /* recs[0..published) are set */
static atomic_int loop_wins, guard_wins, both;
static atomic_char outcome[N]; /* 1 loop, 2 guard */

/* The bot loop's inbox, reduced to running the task where it is posted:
 * on_deferred only counts. */
static int
post_now(void *ctx, dbot__task_fn fn, void *arg)
{
    (void)ctx;
    fn(arg);
    return 0;
}

static void
on_deferred(void *ud, struct dbot__ack *a, const dbot_rest_result *res)
{
    int i = (int)(intptr_t)dbot__ack_bound(a);

    (void)ud;
    ASSERT_NE(res->err, 0); /* no REST client: it could not be sent */
    if (atomic_exchange(&outcome[i], 2) != 0)
        atomic_fetch_add(&both, 1);
    atomic_fetch_add(&guard_wins, 1);
}

static void *
loop_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < N; i++) {
        while (atomic_load(&published) <= i)
            ;
        if (i % 3 == 0) {
            /* Give the guard a head start on a third of them (at most
             * 50 ms), so both sides win some; the rest race. */
            long long dl = check_now_ms_() + 50;

            while (dbot__ack_state(recs[i]) == DBOT__ACK_OPEN &&
                   check_now_ms_() < dl)
                ;
        }
        if (dbot__ack_claim(recs[i])) {
            if (atomic_exchange(&outcome[i], 1) != 0)
                atomic_fetch_add(&both, 1);
            atomic_fetch_add(&loop_wins, 1);
        }
        dbot__ack_unref(recs[i]); /* the event's reference */
    }
    return NULL;
}

/* One turn of the gateway loop that runs what is due and returns: lws
 * sizes its poll from timers armed inside its own callbacks, and these
 * are armed from outside. */
static void
turn(struct dbot__loop *io)
{
    dbot__loop_wake(io);
    dbot__loop_turn(io);
}

/* The guard logs every deferral it could not send: expected here. */
static void
quiet(const char *line, size_t len, void *data)
{
    (void)line;
    (void)len;
    (void)data;
}

TEST(exactly_one_initial_response_per_interaction)
{
    struct dbot__loop *io;
    struct dbot__ackg *g;
    pthread_t th;
    char json[160];

    dbot_log_set_sink(quiet, NULL);
    ASSERT_EQ(dbot__loop_new(&io, NULL), 0);
    struct dbot__ackg_deps d = {
        .loop = io,
        .rest = NULL,
        .deadline_ms = 1,
        .post = post_now,
        .on_deferred = on_deferred,
    };
    ASSERT_EQ(dbot__ackg_new(&g, &d), 0);
    dbot__loop_enter(io);
    ASSERT_EQ(pthread_create(&th, NULL, loop_thread, NULL), 0);
    for (int i = 0; i < N; i++) {
        cJSON *ix;

        snprintf(json, sizeof json,
                 "{\"id\":\"%d\",\"type\":%d,\"token\":\"tok-%d\"}", i + 1,
                 2 + i % 4, i);
        ix = cJSON_Parse(json);
        recs[i] = dbot__ackg_track(g, ix);
        cJSON_Delete(ix);
        ASSERT_TRUE(recs[i] != NULL);
        dbot__ack_bind(recs[i], (void *)(intptr_t)i);
        atomic_store(&published, i + 1);
        if (i % 64 == 0)
            turn(io); /* let deadlines fire mid-stream */
    }
    while (dbot__ackg_pending(g) > 0)
        turn(io);
    pthread_join(th, NULL);
    dbot__loop_leave(io);

    ASSERT_EQ(atomic_load(&both), 0);
    ASSERT_EQ(atomic_load(&loop_wins) + atomic_load(&guard_wins), N);
    /* Both sides won some (the test would prove nothing otherwise). */
    ASSERT_TRUE(atomic_load(&loop_wins) > 0);
    ASSERT_TRUE(atomic_load(&guard_wins) > 0);
    dbot__ackg_free(g);
    dbot__loop_free(io);
}

/* What gets no guard: types nobody answers, no id or token, a token that
 * is not one URL segment, no deadline configured. */
TEST(untracked_interactions)
{
    static const char *bad[] = {
        "{\"id\":\"1\",\"type\":1,\"token\":\"t\"}",   /* PING */
        "{\"id\":\"1\",\"type\":9,\"token\":\"t\"}",   /* unknown type */
        "{\"type\":2,\"token\":\"t\"}",                /* no id */
        "{\"id\":\"x1\",\"type\":2,\"token\":\"t\"}",  /* id not a number */
        "{\"id\":\"1\",\"type\":2}",                   /* no token */
        "{\"id\":\"1\",\"type\":2,\"token\":\"a/b\"}", /* not a segment */
        "{\"id\":\"99999999999999999999\",\"type\":2,\"token\":\"t\"}",
    };
    struct dbot__loop *io;
    struct dbot__ackg *g, *off;
    struct dbot__ackg_deps d = { .deadline_ms = 1000,
                                 .post = post_now,
                                 .on_deferred = on_deferred };
    cJSON *ix;

    ASSERT_EQ(dbot__loop_new(&io, NULL), 0);
    d.loop = io;
    ASSERT_EQ(dbot__ackg_new(&g, &d), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ix = cJSON_Parse(bad[i]);
        ASSERT_TRUE(ix != NULL);
        if (dbot__ackg_track(g, ix) != NULL)
            CHECK_FAIL_("tracked %s", bad[i]);
        cJSON_Delete(ix);
    }
    d.deadline_ms = 0;
    ASSERT_EQ(dbot__ackg_new(&off, &d), 0);
    ix = cJSON_Parse("{\"id\":\"1\",\"type\":2,\"token\":\"t\"}");
    ASSERT_TRUE(dbot__ackg_track(off, ix) == NULL);
    cJSON_Delete(ix);
    ASSERT_EQ(dbot__ackg_pending(g), 0);
    dbot__ackg_free(g);
    dbot__ackg_free(off);
    dbot__loop_free(io);
}

int
main(void)
{
    RUN(exactly_one_initial_response_per_interaction);
    RUN(untracked_interactions);
    return 0;
}
