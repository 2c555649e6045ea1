/*
 * test_blocking.c: a handler that blocks the loop (the mistake dbot exists
 * to survive), against the fake Discord. While it blocks, the gateway
 * thread keeps the session alive (heartbeats on time, no zombie), defers
 * every interaction inside 3 s (the blocked one's own too), and keeps
 * reading events; once the loop is free, handlers see every event in
 * order, once, and late replies become edits of the original response.
 * Past gateway_backlog events the shard steps back and resumes, and still
 * nothing is lost.
 *
 * Handlers block at the harness's gate (h_gate_pass), which the test
 * opens only after it has seen what must happen during the block and at
 * least BLOCK_MS have passed: the block is as long as the test needs and
 * never a sleep.
 */
#include "harness.h"
#include "service_probe.h"

#include "bot.h"
#include "gateway_thread.h"

#include <dbot/interaction.h>

static struct harness H;

#define BLOCK_MS 5000 /* the "sleep(5)" */
#define N_IX     50
#define N_EVENTS 1000

#define GUILD "290926798626357999"
#define CHAN  "290926798629999999"
#define INVOKER                                                              \
    "\"guild_id\":\"" GUILD "\",\"channel_id\":\"" CHAN "\",\"locale\":"     \
    "\"en-US\",\"member\":{\"permissions\":\"2147483647\",\"user\":{\"id\":" \
    "\"53908232506183680\",\"username\":\"mason\"}}"

static atomic_int blocked;      /* a handler waits at the gate */
static atomic_llong blocked_at; /* when it started waiting */
static atomic_int block_rc = 1; /* what its late reply returned */
static atomic_int pings_run;

static int
on_block(dbot_interaction *ix, void *data)
{
    (void)data;
    atomic_store(&blocked_at, check_now_ms_());
    atomic_store(&blocked, 1);
    h_gate_pass(); /* the mistake: blocking the loop */
    atomic_store(&blocked, 0);
    atomic_store(&block_rc, dbot_interaction_reply(ix, "late but here"));
    return 0;
}

static int
on_ping(dbot_interaction *ix, void *data)
{
    (void)data;
    atomic_fetch_add(&pings_run, 1);
    return dbot_interaction_reply(ix, "pong");
}

/* Blocks at the gate on the event whose d.i is 0. */
static void
on_message(dbot *bot, const dbot_event *ev, void *data)
{
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(ev->data, "i");

    (void)bot;
    (void)data;
    if (cJSON_IsNumber(i) && i->valueint == 0) {
        atomic_store(&blocked_at, check_now_ms_());
        atomic_store(&blocked, 1);
        h_gate_pass();
        atomic_store(&blocked, 0);
    }
}

static void
routes(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "block", on_block, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "ping", on_ping, NULL), 0);
    ASSERT_EQ(dbot_on(bot, "MESSAGE_CREATE", on_message, NULL), 0);
}

static void
start(const struct fakecord_opts *o, const char *extra)
{
    atomic_store(&blocked, 0);
    atomic_store(&block_rc, 1);
    atomic_store(&pings_run, 0);
    h_gate_set(0);
    h_start_with(&H, o, extra, routes, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
}

static void
finish_clean(void)
{
    char *v = fakecord_violations(H.fc);

    ASSERT_STREQ(v, "");
    free(v);
    h_teardown(&H);
}

static uint64_t
push_command(const char *name)
{
    char json[512];
    uint64_t id;

    snprintf(json, sizeof json,
             "{\"type\":2,\"data\":{\"id\":\"1\",\"name\":\"%s\",\"type\":1}"
             "," INVOKER "}",
             name);
    id = fakecord_push_interaction(H.fc, json);
    ASSERT_NE(id, 0);
    return id;
}

static struct fakecord_ix_log
ix_wait(uint64_t id, int callbacks, int edits)
{
    return h_ix_wait(&H, id, callbacks, edits);
}

/* The MESSAGE_CREATEs the bot's handlers saw, in order, are exactly d.i
 * 0..n-1, each once. */
static void
assert_messages_in_order(int n)
{
    int k = 0;

    pthread_mutex_lock(&H.mu);
    for (int j = 0; j < H.nev; j++) {
        if (strcmp(H.ev[j].name, "MESSAGE_CREATE") != 0)
            continue;
        if (H.ev[j].i != k) {
            pthread_mutex_unlock(&H.mu);
            CHECK_FAIL_("message %d of the handlers was d.i %d", k, H.ev[j].i);
        }
        k++;
    }
    pthread_mutex_unlock(&H.mu);
    ASSERT_EQ(k, n);
}

/* MESSAGE_CREATEs with d.i 0..n-1, each about 1 KB as real ones are. */
static void
push_messages(int n)
{
    char d[1200], pad[1001];

    memset(pad, 'm', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    for (int i = 0; i < n; i++) {
        snprintf(d, sizeof d,
                 "{\"i\":%d,\"id\":\"%d\",\"channel_id\":\"" CHAN
                 "\",\"content\":\"%s\"}",
                 i, 1000 + i, pad);
        ASSERT_TRUE(fakecord_push_event(H.fc, "MESSAGE_CREATE", d) > 0);
    }
}

/* The scenario: a command handler blocks the loop for 5 s while
 * 50 interactions and 1,000 events arrive. */
TEST(blocked_loop_defers_every_interaction_and_loses_no_event)
{
    struct fakecord_ix_log l;
    uint64_t ids[N_IX], block_id;

    start(NULL, "");
    block_id = push_command("block");
    WAIT_UNTIL(atomic_load(&blocked), 10000);
    for (int i = 0; i < N_IX; i++)
        ids[i] = push_command("ping");
    push_messages(N_EVENTS);

    /* Acknowledged while the loop is still blocked: a deferral (type 5)
     * inside 3 s of each interaction's creation, the blocked one too. */
    l = ix_wait(block_id, 1, 0);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_LE(l.callback_ms, 3000);
    fakecord_ix_log_free(&l);
    for (int i = 0; i < N_IX; i++) {
        l = ix_wait(ids[i], 1, 0);
        ASSERT_EQ(l.callback_type, 5);
        ASSERT_LE(l.callback_ms, 3000);
        fakecord_ix_log_free(&l);
    }
    ASSERT_TRUE(atomic_load(&blocked));
    ASSERT_EQ(atomic_load(&pings_run), 0);
    WAIT_UNTIL(check_now_ms_() - atomic_load(&blocked_at) >= BLOCK_MS,
               BLOCK_MS + 10000);
    h_gate_set(1);

    /* The late answers become edits of the deferred responses. */
    WAIT_UNTIL(atomic_load(&block_rc) != 1, 10000);
    ASSERT_EQ(atomic_load(&block_rc), 0);
    l = ix_wait(block_id, 1, 1);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_STREQ(
        cJSON_GetStringValue(cJSON_GetObjectItem(l.last_edit, "content")),
        "late but here");
    fakecord_ix_log_free(&l);
    for (int i = 0; i < N_IX; i++) {
        l = ix_wait(ids[i], 1, 1);
        ASSERT_EQ(l.callbacks, 1); /* never a second initial response */
        ASSERT_STREQ(
            cJSON_GetStringValue(cJSON_GetObjectItem(l.last_edit, "content")),
            "pong");
        fakecord_ix_log_free(&l);
    }
    ASSERT_EQ(atomic_load(&pings_run), N_IX);

    /* Every event, in order, once; the session never broke. */
    WAIT_UNTIL(h_count(&H, "MESSAGE_CREATE") >= N_EVENTS, 20000);
    assert_messages_in_order(N_EVENTS);
    /* The arenas that carried them are back to one chunk each (at most 8
     * are kept), not grown by every batch. */
    /* With the loop free, arenas go round the pool many times: each comes
     * back to its first chunk, not grown by every batch it carried (at
     * most 8 are kept). */
    for (int round = 0; round < 3; round++) {
        int before = h_count(&H, "MESSAGE_CREATE");

        push_messages(1000);
        WAIT_UNTIL(h_count(&H, "MESSAGE_CREATE") >= before + 1000, 20000);
    }
    ASSERT_LE(dbot__gwt_pool_bytes(dbot__bot_gwt(H.bot)), 8 * 64 * 1024);
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    /* The watchdog named the culprit while it blocked. */
    ASSERT_TRUE(h_log_has("loop blocked for"));
    ASSERT_TRUE(h_log_has("on_block"));
    finish_clean();
}

/* systemd notifications received until `quiet_ms` pass without one;
 * returns how many said WATCHDOG=1. */
static int
watchdog_pings_until_quiet(int fd, int quiet_ms)
{
    int pings = 0;

    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        char m[256];
        ssize_t n;

        if (poll(&p, 1, quiet_ms) <= 0)
            return pings;
        n = recv(fd, m, sizeof m - 1, 0);
        ASSERT_GE(n, 0);
        m[n] = '\0';
        pings += strstr(m, "WATCHDOG=1") != NULL;
    }
}

/* Blocked for several heartbeat intervals: the beats still leave on time
 * (the fake closes 4009 and reports a violation otherwise) and the
 * session survives; systemd's watchdog, pinged from the loop, sees the
 * block, and the pings come back after it. */
TEST(blocked_longer_than_the_heartbeat_interval_keeps_the_session)
{
    struct fakecord_opts o = {
        .heartbeat_interval_ms = 1000,
        .heartbeat_grace_ms = 700,
    };
    char env[80];
    int fd = notify_bind(env, sizeof env), h0;

    nmsgs = 0;
    setenv("NOTIFY_SOCKET", env, 1);
    setenv("WATCHDOG_USEC", "200000", 1); /* ping every 100 ms */
    unsetenv("WATCHDOG_PID");
    start(&o, "");
    notify_until(fd, "WATCHDOG=1");
    push_command("block");
    WAIT_UNTIL(atomic_load(&blocked), 10000);
    /* What was sent before the block is read; nothing comes during it. */
    watchdog_pings_until_quiet(fd, 500);
    h0 = h_stats(&H).heartbeats;
    WAIT_UNTIL(h_stats(&H).heartbeats >= h0 + 4, 15000);
    ASSERT_EQ(watchdog_pings_until_quiet(fd, 200), 0);
    WAIT_UNTIL(check_now_ms_() - atomic_load(&blocked_at) >= BLOCK_MS,
               BLOCK_MS + 10000);
    ASSERT_TRUE(atomic_load(&blocked));
    h_gate_set(1);
    WAIT_UNTIL(atomic_load(&block_rc) != 1, 10000);
    notify_until(fd, "WATCHDOG=1");
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    close(fd);
    finish_clean();
}

/* More events than gateway_backlog arrive while the loop is blocked: the
 * shard steps back (closes resumably, reads no more), waits for the loop
 * to catch up, resumes, and Discord's replay fills the gap. */
TEST(backlog_past_the_bound_resumes_and_loses_nothing)
{
    start(NULL, ",\"gateway_backlog\":100");
    push_messages(1); /* d.i 0: blocks */
    WAIT_UNTIL(atomic_load(&blocked), 10000);
    /* Not all 600 fit in the bound; the rest stay with the fake. */
    for (int i = 1; i < 600; i++) {
        char d[96];

        snprintf(d, sizeof d,
                 "{\"i\":%d,\"id\":\"%d\",\"channel_id\":\"" CHAN
                 "\",\"content\":\"m\"}",
                 i, 1000 + i);
        ASSERT_TRUE(fakecord_push_event(H.fc, "MESSAGE_CREATE", d) > 0);
    }
    WAIT_UNTIL(h_log_has("events behind (gateway_backlog 100)"), 10000);
    WAIT_UNTIL(h_stats(&H).live_connections == 0, 10000);
    ASSERT_TRUE(atomic_load(&blocked));
    h_gate_set(1);
    WAIT_UNTIL(h_stats(&H).resumes_ok >= 1, 15000);
    WAIT_UNTIL(h_count(&H, "MESSAGE_CREATE") >= 600, 20000);
    assert_messages_in_order(600);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_TRUE(h_log_has("caught up"));
    /* Once for the block; the replay itself may come faster than the loop
     * runs it and pass so small a bound again. */
    ASSERT_TRUE(dbot__gwt_backlog_pauses(dbot__bot_gwt(H.bot)) >= 1);
    WAIT_UNTIL(dbot__gwt_backlog(dbot__bot_gwt(H.bot)) == 0, 10000);
    finish_clean();
}

int
main(void)
{
    RUN(blocked_loop_defers_every_interaction_and_loses_no_event);
    RUN(blocked_longer_than_the_heartbeat_interval_keeps_the_session);
    RUN(backlog_past_the_bound_resumes_and_loses_nothing);
    free(h_logs);
    return 0;
}
