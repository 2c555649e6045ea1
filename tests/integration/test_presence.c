/*
 * test_presence.c: the bot's presence and its gateway commands against the
 * fake Discord: the presence goes in the Identify, changes go out as op 3
 * on every READY shard, a change made while a shard is reconnecting is
 * sent after RESUMED (not before, and not lost), and op 8 brings members.
 * The fake checks every presence object against Discord's rules. The send
 * queue is bounded (DBOT_EBUSY past 120 payloads or 128 KiB) while
 * heartbeats still get through a full queue.
 */
#include "harness.h"

#include "gateway.h"
#include "bot.h"

#include <dbot/shard.h>

#include <cjson/cJSON.h>

static struct harness H;

static const cJSON *
activity0(const cJSON *presence)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(presence, "activities"), 0);
}

/* ---- work done on the loop thread (dbot_post) ---------------------------- */

struct on_loop {
    atomic_int done;
    int rc;            /* dbot_presence_set */
    int send_rc;       /* dbot_shard_send op 8 */
    int shard_ready;   /* shard 0's state when the set ran */
    const char *text;  /* custom status to set */
    char guild_id[32]; /* for op 8; "" to skip */
};

static void
set_custom_status(dbot *bot, void *arg)
{
    struct on_loop *w = arg;
    dbot_presence p = { .name = w->text, .type = DBOT_ACTIVITY_CUSTOM };

    w->shard_ready =
        dbot__gateway_state(dbot__bot_shard(bot, 0)) == DBOT__GW_READY;
    w->rc = dbot_presence_set(bot, &p);
    if (w->guild_id[0]) {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddStringToObject(d, "guild_id", w->guild_id);
        cJSON_AddStringToObject(d, "query", "");
        cJSON_AddNumberToObject(d, "limit", 0);
        w->send_rc = dbot_shard_send(
            bot, dbot_shard_of_guild(bot, strtoull(w->guild_id, NULL, 10)), 8,
            d);
        cJSON_Delete(d);
    }
    atomic_store(&w->done, 1);
}

static void
run_on_loop(struct on_loop *w)
{
    ASSERT_EQ(dbot_post(H.bot, set_custom_status, w), 0);
    WAIT_UNTIL(atomic_load(&w->done), 10000);
}

/* ---- setup before dbot_run --------------------------------------------- */

static char first_guild[32];

static void
on_guild(dbot *bot, const dbot_event *ev, void *data)
{
    const cJSON *id = cJSON_GetObjectItem(ev->data, "id");

    (void)bot;
    (void)data;
    if (cJSON_IsString(id) && !first_guild[0])
        snprintf(first_guild, sizeof first_guild, "%s", id->valuestring);
}

static void
setup_playing(dbot *bot, void *arg)
{
    dbot_presence p = { .status = "idle",
                        .name = "chess",
                        .type = DBOT_ACTIVITY_PLAYING };

    (void)arg;
    ASSERT_EQ(dbot_presence_set(bot, &p), 0);
    ASSERT_EQ(dbot_on(bot, "GUILD_CREATE", on_guild, NULL), 0);
}

/* ---- tests -----------------------------------------------------------------
 */

TEST(presence_in_identify_then_op3_and_member_request)
{
    struct on_loop w = { .text = "Serving /ping" };
    cJSON *id, *pr;

    first_guild[0] = '\0';
    h_start_with(&H, NULL, ",\"intents\":[\"GUILDS\",\"GUILD_MEMBERS\"]",
                 setup_playing, NULL);
    WAIT_UNTIL(h_count(&H, "GUILD_CREATE") >= 1, 10000);
    id = fakecord_last_identify(H.fc);
    pr = cJSON_GetObjectItem(id, "presence");
    ASSERT_STREQ(cJSON_GetObjectItem(pr, "status")->valuestring, "idle");
    ASSERT_STREQ(cJSON_GetObjectItem(activity0(pr), "name")->valuestring,
                 "chess");
    ASSERT_EQ(cJSON_GetObjectItem(activity0(pr), "type")->valueint, 0);
    cJSON_Delete(id);
    ASSERT_EQ(h_stats(&H).presences, 0); /* the Identify carried it */

    snprintf(w.guild_id, sizeof w.guild_id, "%s", first_guild);
    ASSERT_TRUE(w.guild_id[0] != '\0');
    run_on_loop(&w);
    ASSERT_EQ(w.rc, 0);
    ASSERT_EQ(w.send_rc, 0);
    WAIT_UNTIL(h_stats(&H).presences == 1, 10000);
    pr = fakecord_last_presence(H.fc);
    ASSERT_STREQ(cJSON_GetObjectItem(pr, "status")->valuestring, "online");
    ASSERT_STREQ(cJSON_GetObjectItem(activity0(pr), "state")->valuestring,
                 "Serving /ping");
    ASSERT_EQ(cJSON_GetObjectItem(activity0(pr), "type")->valueint, 4);
    cJSON_Delete(pr);
    WAIT_UNTIL(h_count(&H, "GUILD_MEMBERS_CHUNK") >= 1, 10000);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(presence_set_while_reconnecting_goes_out_after_resume)
{
    struct on_loop w = { .text = "back soon" };

    h_start(&H, NULL, "");
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    /* The next connection gets no Hello until released: the shard is
     * certainly not READY while the presence changes. */
    ASSERT_EQ(fakecord_hold_hello(H.fc, 1), 0);
    ASSERT_EQ(fakecord_close(H.fc, 4000), 0);
    WAIT_UNTIL(h_stats(&H).connections == 2, 10000);
    run_on_loop(&w);
    ASSERT_EQ(w.rc, 0);
    ASSERT_EQ(w.shard_ready, 0);
    ASSERT_EQ(h_stats(&H).presences, 0);
    ASSERT_EQ(fakecord_hold_hello(H.fc, 0), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    WAIT_UNTIL(h_stats(&H).presences == 1, 10000);
    ASSERT_EQ(h_stats(&H).identifies, 1); /* resumed, not identified */
    /* op 3 before the Resume would be a violation (4003). */
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

struct many_sets {
    atomic_int done;
    int n;
};

static void
set_many(dbot *bot, void *arg)
{
    struct many_sets *m = arg;
    char text[32];

    for (int i = 0; i < m->n; i++) {
        dbot_presence p = { .name = text, .type = DBOT_ACTIVITY_CUSTOM };

        snprintf(text, sizeof text, "status %d", i);
        dbot_presence_set(bot, &p); /* EBUSY once the queue is full */
    }
    atomic_store(&m->done, 1);
}

/* 1 when the fake's last op 3 shows the custom status `state`. */
static int
last_presence_is(const char *state)
{
    cJSON *last = fakecord_last_presence(H.fc);
    const cJSON *a =
        cJSON_GetArrayItem(cJSON_GetObjectItem(last, "activities"), 0);
    const char *got = cJSON_GetStringValue(cJSON_GetObjectItem(a, "state"));
    int same = got && strcmp(got, state) == 0;

    cJSON_Delete(last);
    return same;
}

/* Presences queued behind the send limit when a reconnect drops the queue
 * are not lost: the last one goes out after RESUMED. */
TEST(presence_queued_at_a_reconnect_is_sent_after_resume)
{
    struct many_sets m = { .n = 119 };

    h_start(&H, NULL, "");
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    ASSERT_EQ(dbot_post(H.bot, set_many, &m), 0);
    WAIT_UNTIL(atomic_load(&m.done), 10000);
    ASSERT_EQ(fakecord_send_reconnect(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    WAIT_UNTIL(last_presence_is("status 118"), 15000);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(presence_goes_to_every_shard)
{
    struct fakecord_opts o = { .guilds = 4 };
    struct on_loop w = { .text = "two shards" };

    h_start(&H, &o, ",\"shards\":2");
    WAIT_UNTIL(h_count(&H, "READY") == 2, 10000);
    run_on_loop(&w);
    ASSERT_EQ(w.rc, 0);
    WAIT_UNTIL(h_stats(&H).presences == 2, 10000);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

/* ---- the bounded send queue -------------------------------------------- */

/* What fill_queue does on the loop: send `op` with `d_json` until a send
 * fails (or `cap` succeed, so the old unbounded queue ends too). */
struct fill {
    atomic_int done;
    int op;
    const char *d_json;
    int cap;
    int accepted;                     /* sends that returned 0 */
    int rc;                           /* the first that did not */
    struct dbot__gw_counters at_busy; /* the shard's queue when it did */
};

static void
fill_queue(dbot *bot, void *arg)
{
    struct fill *f = arg;
    cJSON *d = cJSON_Parse(f->d_json);

    f->accepted = 0;
    f->rc = 0;
    while (f->accepted < f->cap &&
           (f->rc = dbot_shard_send(bot, 0, f->op, d)) == 0)
        f->accepted++;
    dbot__gateway_counters(dbot__bot_shard(bot, 0), &f->at_busy);
    cJSON_Delete(d);
    atomic_store(&f->done, 1);
}

static void
fill_on_loop(struct fill *f)
{
    atomic_store(&f->done, 0);
    ASSERT_EQ(dbot_post(H.bot, fill_queue, f), 0);
    WAIT_UNTIL(atomic_load(&f->done), 10000);
}

#define ONLINE                                                 \
    "{\"since\":null,\"activities\":[],\"status\":\"online\"," \
    "\"afk\":false}"

TEST(send_queue_full_is_ebusy_and_heartbeats_still_go)
{
    /* 2 s beats: the three the limiter reserves outlast the test. */
    struct fakecord_opts o = { .heartbeat_interval_ms = 2000 };
    struct fill f = { .op = 3, .d_json = ONLINE, .cap = 1000 };
    struct fakecord_stats st;
    int h0;

    long long t_first;

    h_start(&H, &o, "");
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    /* The queue takes its bound and refuses the next; the gateway thread
     * writes while the loop fills, so what left meanwhile made room. */
    t_first = check_now_ms_();
    fill_on_loop(&f);
    ASSERT_EQ(f.rc, DBOT_EBUSY);
    ASSERT_TRUE(f.accepted >= 120);
    /* Full when it refused; the window still lets sends out, so a few may
     * have left before the counters were read (the second fill, with the
     * window spent, sees exactly the bound). Never past it. */
    ASSERT_TRUE(f.at_busy.own_msgs <= 120 && f.at_busy.own_msgs >= 100);
    /* The send limit lets 116 of them out this minute (120 less the
     * Identify and the 3 kept for heartbeats); fill again once most are
     * out, so the queue is full AND the window spent. */
    WAIT_UNTIL(h_stats(&H).presences >= 100, 10000);
    fill_on_loop(&f);
    ASSERT_EQ(f.rc, DBOT_EBUSY);
    ASSERT_TRUE(f.accepted <= 120);
    ASSERT_EQ(f.at_busy.own_msgs, 120); /* full again */
    /* Heartbeats are neither refused by the full queue nor stuck behind
     * it: two more reach the fake on the same connection. */
    h0 = h_stats(&H).heartbeats;
    WAIT_UNTIL((st = h_stats(&H)).heartbeats >= h0 + 2, 20000);
    ASSERT_EQ(st.connections, 1);
    ASSERT_TRUE(st.heartbeat_acks_sent >= h0 + 1);
    ASSERT_TRUE(st.presences <= 116);
    /* Filling again takes only the room that left since (a send the
     * window still allowed), never more than the bound: the queue stays
     * full. How much left depends on how many beats shared the window,
     * so only the bound is asserted. */
    fill_on_loop(&f);
    ASSERT_EQ(f.rc, DBOT_EBUSY);
    if (check_now_ms_() - t_first < 55000 && h_stats(&H).connections == 1)
        ASSERT_TRUE(f.accepted < 20);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(send_queue_bounded_by_bytes)
{
    static char d[4096];
    struct fill f = { .op = 4, .d_json = d, .cap = 1000 };

    /* Op 4 payloads of about 4000 bytes: 128 KiB hold 32 of them, far
     * fewer than the 120-payload bound. */
    snprintf(d, sizeof d,
             "{\"guild_id\":\"1\",\"channel_id\":null,\"self_mute\":false,"
             "\"self_deaf\":false,\"pad\":\"%0*d\"}",
             3900, 0);
    h_start(&H, NULL, "");
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    fill_on_loop(&f);
    ASSERT_EQ(f.rc, DBOT_EBUSY);
    /* Each is queued as {"op":4,"d":<d>}; what the gateway thread wrote
     * while the loop filled made room for as many more. */
    ASSERT_TRUE(f.accepted >=
                128 * 1024 / (int)(strlen("{\"op\":4,\"d\":}") + strlen(d)));
    /* Refused because one more would pass 128 KiB, with fewer than 120.
     * The window still lets sends out, so a few may have left between the
     * refusal and the read of the counters (seen: CI under load): near
     * full, never past. */
    ASSERT_TRUE(f.at_busy.own_bytes <= 128 * 1024);
    ASSERT_TRUE(f.at_busy.own_bytes +
                    9 * (strlen("{\"op\":4,\"d\":}") + strlen(d)) >
                128 * 1024);
    ASSERT_TRUE(f.at_busy.own_msgs < 120);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

int
main(void)
{
    RUN(presence_in_identify_then_op3_and_member_request);
    RUN(presence_set_while_reconnecting_goes_out_after_resume);
    RUN(presence_queued_at_a_reconnect_is_sent_after_resume);
    RUN(presence_goes_to_every_shard);
    RUN(send_queue_full_is_ebusy_and_heartbeats_still_go);
    RUN(send_queue_bounded_by_bytes);
    free(h_logs);
    return 0;
}
