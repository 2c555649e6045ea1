/*
 * test_gateway.c: the gateway client against the fake Discord: identify,
 * heartbeats, zombie detection, resume and replay, op 7 and op 9, every
 * fatal close code, zlib-stream framing, malformed frames, and the token
 * never reaching a log line.
 */
#include "harness.h"

#include "bot.h"
#include "gateway.h"

#include <cjson/cJSON.h>

static struct harness H;

/* How late a thread may run on a loaded 2-core machine under sanitizers. */
#define SCHED_SLACK_MS 1500

static void
wait_ready(struct harness *h)
{
    WAIT_UNTIL(h_count(h, "READY") >= 1, 10000);
    WAIT_UNTIL(h_count(h, "GUILD_CREATE") >= 1, 10000);
}

TEST(identify_ready_and_guilds)
{
    struct fakecord_opts o = { .guilds = 3 };
    cJSON *id;

    h_start(&H, &o,
            ",\"intents\":[\"GUILDS\",\"GUILD_MESSAGES\"],"
            "\"stop_mode\":\"offline\"");
    WAIT_UNTIL(h_count(&H, "GUILD_CREATE") == 3, 10000);
    ASSERT_EQ(h_count(&H, "READY"), 1);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).compressed, 1);
    id = fakecord_last_identify(H.fc);
    ASSERT_TRUE(id != NULL);
    ASSERT_STREQ(cJSON_GetObjectItem(id, "token")->valuestring, H_TOKEN);
    ASSERT_EQ(cJSON_GetObjectItem(id, "intents")->valuedouble, 1 | 512);
    ASSERT_TRUE(cJSON_IsObject(cJSON_GetObjectItem(id, "properties")));
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(id, "shard")), 2);
    cJSON_Delete(id);
    ASSERT_TRUE(dbot_self(H.bot) != NULL || 1); /* loop-owned; see READY */
    ASSERT_EQ(h_finish(&H, 1), 0);
    /* stop_mode "offline" closes with 1000 (the default keeps the
     * session resumable: test_service.c). */
    WAIT_UNTIL(h_stats(&H).client_closes_1000 == 1, 5000);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(heartbeat_interval_and_jitter)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 200 };
    int64_t t[8];
    int n;

    h_start(&H, &o, "");
    wait_ready(&H);
    WAIT_UNTIL(fakecord_heartbeat_times(H.fc, t, 8) >= 5, 10000);
    n = fakecord_heartbeat_times(H.fc, t, 8);
    /* First beat after interval * jitter, jitter in [0, 1). The fake
     * stamps beats when its own thread reads them, so on a loaded machine
     * (2 cores, sanitizers, another test alongside) one stamp can be late
     * by most of a second and the next gap short: bound each gap loosely
     * (no bursts, no silence of many intervals) and the average tightly
     * from below (never faster than the interval: no seconds-vs-ms mix-up,
     * no extra beats). */
    ASSERT_GE(t[0], 0);
    ASSERT_LE(t[0], 200 + SCHED_SLACK_MS);
    if (n > 5)
        n = 5;
    for (int i = 1; i < n; i++) {
        ASSERT_GE(t[i] - t[i - 1], 50);
        ASSERT_LE(t[i] - t[i - 1], 200 + SCHED_SLACK_MS);
    }
    ASSERT_GE(t[n - 1] - t[0], (n - 1) * 200 - 100);
    ASSERT_LE(t[n - 1] - t[0], (n - 1) * 200 + SCHED_SLACK_MS);
    /* Heartbeats carry the last sequence number the bot saw. */
    WAIT_UNTIL(h_stats(&H).last_heartbeat_seq == h_stats(&H).last_seq_sent,
               5000);
    ASSERT_GE(dbot_heartbeat_latency_ms(H.bot, 0), 0);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(server_heartbeat_request_is_answered)
{
    int before;

    h_start(&H, NULL, "");
    wait_ready(&H);
    before = h_stats(&H).heartbeats;
    ASSERT_GE(fakecord_send_heartbeat_request(H.fc), 0);
    /* At once, or within 5 s when a beat left less than 5 s ago. */
    WAIT_UNTIL(h_stats(&H).heartbeats >= before + 1, 10000);
    h_teardown(&H);
}

static atomic_int queued;

static void
read_queued(dbot *bot, void *arg)
{
    struct dbot__gw_counters n;

    (void)arg;
    dbot__gateway_counters(dbot__bot_shard(bot, 0), &n);
    atomic_store(&queued, (int)n.queued);
}

/* A server asking for heartbeats faster than they can be sent does not
 * grow the queue: at most one waits, and the session lives on. */
TEST(op1_flood_queues_one_heartbeat)
{
    /* Our own beats every 500 ms run in the middle of the flood: a beat
     * the server just asked for, not yet answered, is no zombie. */
    struct fakecord_opts o = { .heartbeat_interval_ms = 500 };
    int before;

    h_start(&H, &o, "");
    wait_ready(&H);
    before = h_stats(&H).heartbeats;
    for (int i = 0; i < 2000; i++)
        ASSERT_GE(fakecord_send_heartbeat_request(H.fc), 0);
    /* The bot answers, but within the send limit: far fewer than 2000,
     * and never more than one waits in its queue. */
    WAIT_UNTIL(h_stats(&H).heartbeats > before, 5000);
    WAIT_UNTIL(h_stats(&H).frames_unsent == 0, 10000);
    queued = -1;
    ASSERT_EQ(dbot_post(H.bot, read_queued, NULL), 0);
    WAIT_UNTIL(queued >= 0, 5000);
    ASSERT_TRUE(queued <= 1);
    ASSERT_TRUE(h_stats(&H).heartbeats - before <= 120);
    /* Six of our own beat periods pass with the send window spent: a
     * beat that cannot be written yet is not an unanswered one, so the
     * connection stays (the old code called it a zombie). */
    for (long long dl = check_now_ms_() + check_timeout_ms_(3000);
         check_now_ms_() < dl;) {
        struct timespec ts = { 0, 10 * 1000000 };

        ASSERT_EQ(h_stats(&H).connections, 1);
        nanosleep(&ts, NULL);
    }
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

/* A server that asks for beats nonstop gets one every 5 s at most, not
 * the send budget the bot's own payloads need (the old code answered
 * every op 1 it could send: about 117 a minute). */
TEST(op1_flood_does_not_spend_the_send_budget)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 60000 };
    int before, after;
    long long t0, elapsed;

    h_start(&H, &o, "");
    wait_ready(&H);
    before = h_stats(&H).heartbeats;
    t0 = check_now_ms_();
    /* Six seconds of op 1 every 10 ms: the flood is time, not a count. */
    while (check_now_ms_() - t0 < 6000) {
        struct timespec ts = { 0, 10 * 1000000 };

        ASSERT_GE(fakecord_send_heartbeat_request(H.fc), 0);
        nanosleep(&ts, NULL);
    }
    elapsed = check_now_ms_() - t0;
    WAIT_UNTIL(h_stats(&H).heartbeats > before, 10000);
    after = h_stats(&H).heartbeats - before;
    /* One at once, then one per 5 s of flood (+1 for the regular beat,
     * jittered anywhere in its first minute, +1 for a held-back beat
     * answering the last requests). */
    ASSERT_TRUE(after <= 1 + (int)(elapsed / 5000) + 2);
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(zombie_connection_resumes)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 150 };

    h_start(&H, &o, "");
    wait_ready(&H);
    fakecord_set_heartbeat_ack(H.fc, 0);
    /* No ACK between two beats: the bot closes non-1000 and resumes. */
    WAIT_UNTIL(h_stats(&H).client_close_code != 0, 10000);
    ASSERT_NE(h_stats(&H).client_close_code, 1000);
    fakecord_set_heartbeat_ack(H.fc, 1);
    WAIT_UNTIL(h_stats(&H).resumes_ok >= 1, 10000);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).resumes_on_resume_url, h_stats(&H).resumes);
    ASSERT_TRUE(h_log_has("zombied"));
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(reconnect_op7_replays_missed_events_once_in_order)
{
    h_start(&H, NULL, "");
    wait_ready(&H);
    h_push_numbered(&H, "TEST_EVENT", 0, 20);
    ASSERT_GE(fakecord_send_reconnect(H.fc), 0);
    /* Sent while the bot is leaving: it must get them on resume, once. */
    h_push_numbered(&H, "TEST_EVENT", 20, 40);
    WAIT_UNTIL(h_stats(&H).resumes_ok >= 1, 10000);
    h_push_numbered(&H, "TEST_EVENT", 40, 50);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 50, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 50);
    ASSERT_EQ(h_count(&H, "RESUMED"), 1);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).client_closes_1000, 0);
    ASSERT_EQ(h_stats(&H).resumes_on_resume_url, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(invalid_session_resumable_resumes)
{
    h_start(&H, NULL, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_send_invalid_session(H.fc, 1), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok >= 1, 10000);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(invalid_session_not_resumable_identifies_after_delay)
{
    int64_t t0;

    h_start(&H, NULL, "");
    wait_ready(&H);
    t0 = check_now_ms_();
    ASSERT_GE(fakecord_send_invalid_session(H.fc, 0), 0);
    WAIT_UNTIL(h_stats(&H).identifies == 2, 15000);
    /* The docs' 1-5 s wait before a new Identify. */
    ASSERT_GE(check_now_ms_() - t0, 1000);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    WAIT_UNTIL(h_count(&H, "READY") == 2, 10000);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(close_4000_and_drop_resume)
{
    h_start(&H, NULL, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_close(H.fc, 4000), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    h_push_numbered(&H, "TEST_EVENT", 0, 5);
    ASSERT_GE(fakecord_drop(H.fc), 0);
    h_push_numbered(&H, "TEST_EVENT", 5, 10);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 2, 10000);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 10, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 10);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(session_timeout_close_identifies_anew)
{
    h_start(&H, NULL, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_close(H.fc, 4009), 0);
    WAIT_UNTIL(h_stats(&H).identifies == 2, 10000);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

static void
fatal_case(int code, int expect_rc, const char *advice)
{
    h_log_reset();
    h_start(&H, NULL, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_close(H.fc, code), 0);
    /* The bot stops by itself, with the error and no reconnect. */
    ASSERT_EQ(h_finish(&H, 0), expect_rc);
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_TRUE(h_log_has(advice));
    h_teardown(&H);
}

TEST(fatal_close_codes_stop_with_advice)
{
    fatal_case(4004, DBOT_EAUTH, "token");
    fatal_case(4010, DBOT_EFATAL, "shard");
    fatal_case(4011, DBOT_EFATAL, "shard");
    fatal_case(4012, DBOT_EFATAL, "version");
    fatal_case(4013, DBOT_EINTENTS, "intent");
    fatal_case(4014, DBOT_EINTENTS, "Developer Portal");
}

TEST(disallowed_intent_at_identify_is_fatal)
{
    struct fakecord_opts o = { .denied_intents =
                                   FAKECORD_INTENT_MESSAGE_CONTENT };

    h_log_reset();
    h_start(&H, &o, ",\"intents\":[\"GUILDS\",\"MESSAGE_CONTENT\"]");
    ASSERT_EQ(h_finish(&H, 0), DBOT_EINTENTS);
    ASSERT_EQ(h_stats(&H).connections, 1);
    h_teardown(&H);
}

TEST(wrong_token_is_fatal_and_not_logged)
{
    struct fakecord_opts o = { .token = "a-different-token" };

    h_log_reset();
    h_start(&H, &o, "");
    ASSERT_EQ(h_finish(&H, 0), DBOT_EAUTH);
    /* GET /gateway/bot is asked before every identify, even with a
     * configured gateway_url: its 401 stops the bot before the token goes
     * near a websocket. */
    ASSERT_EQ(h_stats(&H).connections, 0);
    ASSERT_TRUE(h_log_has("Reset Token"));
    h_teardown(&H); /* asserts H_TOKEN is in no log line */
}

TEST(zlib_stream_split_and_batched)
{
    h_start(&H, NULL, "");
    wait_ready(&H);
    /* One message's compressed bytes over three websocket messages. */
    fakecord_set_split(H.fc, 3, 0);
    h_push_numbered(&H, "TEST_EVENT", 0, 5);
    /* ... and over three fragments of one websocket message. */
    fakecord_set_split(H.fc, 3, 1);
    h_push_numbered(&H, "TEST_EVENT", 5, 10);
    fakecord_set_split(H.fc, 0, 0);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 10, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 10);
    /* Several sync-flushed messages in one websocket frame. */
    ASSERT_GE(fakecord_send_batch(H.fc, NULL, NULL, 25), 0);
    WAIT_UNTIL(h_count(&H, "FAKECORD_BATCH") >= 25, 10000);
    h_assert_sequence(&H, "FAKECORD_BATCH", 25);
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

TEST(malformed_frame_is_logged_and_connection_goes_on)
{
    static const char bad[] = "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":";

    h_log_reset();
    h_start(&H, NULL, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_send_raw(H.fc, bad, sizeof bad - 1), 0);
    h_push_numbered(&H, "TEST_EVENT", 0, 3);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 3, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 3);
    ASSERT_TRUE(h_log_has("malformed gateway message"));
    ASSERT_EQ(h_stats(&H).connections, 1);
    h_teardown(&H);
}

/* No gateway_url: the bot asks GET /gateway/bot, as with Discord. */
TEST(gateway_url_from_gateway_bot_with_retries)
{
    struct harness *h = &H;
    char json[1024];
    struct fakecord_request *reqs;
    int n, found = 0;

    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(h, NULL);
    /* Discord hiccups twice before answering. */
    ASSERT_EQ(fakecord_rest_fail(h->fc, "GET", "/gateway/bot", 502, 1, NULL,
                                 NULL) >= 0,
              1);
    ASSERT_EQ(fakecord_rest_fail(h->fc, "GET", "/gateway/bot", 429, 1, NULL,
                                 NULL) >= 0,
              1);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"log_level\":\"debug\","
             "\"reconnect_min_ms\":50,\"reconnect_max_ms\":400}",
             H_TOKEN, fakecord_api_url(h->fc));
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    ASSERT_EQ(dbot_on(h->bot, "*", h_record, h), 0);
    h_run_bot(h);
    wait_ready(h);
    n = fakecord_requests(h->fc, &reqs);
    for (int i = 0; i < n; i++)
        if (strstr(reqs[i].path, "/gateway/bot") && reqs[i].status == 200) {
            found = 1;
            ASSERT_CONTAINS(reqs[i].authorization, "Bot ");
            ASSERT_CONTAINS(reqs[i].user_agent, "DiscordBot (");
        }
    fakecord_requests_free(reqs, n);
    ASSERT_EQ(found, 1);
    h_teardown(h);
}

TEST(gateway_bot_401_is_fatal)
{
    struct harness *h = &H;
    struct fakecord_opts o = { .token = "another-token" };
    char json[1024];

    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h_log_reset();
    h_start_fake(h, &o);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"log_level\":\"debug\"}",
             H_TOKEN, fakecord_api_url(h->fc));
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    h_run_bot(h);
    ASSERT_EQ(h_finish(h, 0), DBOT_EAUTH);
    ASSERT_TRUE(h_log_has("401 Unauthorized: the bot token is wrong"));
    ASSERT_EQ(h_stats(h).connections, 0);
    h_teardown(h);
}

/* A host name is resolved off the loop (a resolver thread), then the
 * connection goes to the address with the name kept for Host and SNI. */
TEST(host_names_resolve_off_the_loop)
{
    struct harness *h = &H;
    char json[1024];

    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h_start_fake(h, NULL);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"gateway_url\":"
             "\"ws://localhost:%d\",\"log_level\":\"debug\"}",
             H_TOKEN, fakecord_api_url(h->fc), fakecord_port(h->fc));
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    ASSERT_EQ(dbot_on(h->bot, "*", h_record, h), 0);
    h_run_bot(h);
    wait_ready(h);
    ASSERT_EQ(h_stats(h).identifies, 1);
    h_teardown(h);
}

static int
shard_of_identify(cJSON *id, int *count)
{
    cJSON *sh = cJSON_GetObjectItem(id, "shard");

    *count = cJSON_GetArrayItem(sh, 1)->valueint;
    return cJSON_GetArrayItem(sh, 0)->valueint;
}

/* "shards": 0 follows Discord's recommendation from /gateway/bot. */
TEST(auto_sharding_starts_the_recommended_shards)
{
    struct harness *h = &H;
    struct fakecord_opts o = { .shards = 3,
                               .max_concurrency = 3,
                               .guilds = 6,
                               .enforce_identify_rate = 1 };
    char json[1024];
    int count, shard;
    cJSON *id;

    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h_start_fake(h, &o);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"log_level\":\"debug\"}",
             H_TOKEN, fakecord_api_url(h->fc));
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    ASSERT_EQ(dbot_on(h->bot, "*", h_record, h), 0);
    h_run_bot(h);
    WAIT_UNTIL(h_count(h, "READY") == 3, 15000);
    WAIT_UNTIL(h_count(h, "GUILD_CREATE") == 6, 15000);
    ASSERT_EQ(h_stats(h).identifies, 3);
    id = fakecord_last_identify(h->fc);
    shard = shard_of_identify(id, &count);
    ASSERT_EQ(count, 3);
    ASSERT_TRUE(shard >= 0 && shard < 3);
    cJSON_Delete(id);
    /* Events carry the shard they came on. */
    ASSERT_GE(fakecord_push_event_shard(h->fc, 2, "TEST_EVENT", "{\"i\":0}"),
              0);
    WAIT_UNTIL(h_count(h, "TEST_EVENT") == 1, 5000);
    pthread_mutex_lock(&h->mu);
    for (int k = 0; k < h->nev; k++)
        if (strcmp(h->ev[k].name, "TEST_EVENT") == 0)
            ASSERT_EQ(h->ev[k].shard, 2);
    pthread_mutex_unlock(&h->mu);
    ASSERT_EQ(h_stats(h).violations, 0);
    h_teardown(h);
}

/* max_concurrency 1: one identify per 5 s, never two at once. */
TEST(identifies_respect_max_concurrency)
{
    struct harness *h = &H;
    struct fakecord_opts o = { .shards = 2,
                               .max_concurrency = 1,
                               .enforce_identify_rate = 1 };
    char json[1024];
    int64_t t0;

    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h_start_fake(h, &o);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"log_level\":\"debug\","
             "\"shards\":2}",
             H_TOKEN, fakecord_api_url(h->fc));
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    ASSERT_EQ(dbot_on(h->bot, "*", h_record, h), 0);
    h_run_bot(h);
    WAIT_UNTIL(h_stats(h).identifies == 1, 10000);
    t0 = check_now_ms_();
    WAIT_UNTIL(h_stats(h).identifies == 2, 15000);
    ASSERT_GE(check_now_ms_() - t0, 4500);
    WAIT_UNTIL(h_count(h, "READY") == 2, 10000);
    ASSERT_EQ(h_stats(h).violations, 0);
    h_teardown(h);
}

/* A resume URL that never answers: after three misses the shard gives the
 * session up and identifies through the main URL. */
TEST(unreachable_resume_url_falls_back_to_identify)
{
    struct fakecord_opts o = { .resume_gateway_url =
                                   "ws://127.0.0.1:1/resume" };

    h_log_reset();
    h_start(&H, &o, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_send_reconnect(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).identifies == 2, 15000);
    ASSERT_TRUE(h_log_has("resume URL unreachable 3 times"));
    ASSERT_EQ(h_stats(&H).resumes, 0);
    WAIT_UNTIL(h_count(&H, "READY") == 2, 10000);
    h_teardown(&H);
}

/* READY's resume URL passes the same check as a saved one: on another
 * scheme than the gateway's it is dropped at once, and the next session
 * identifies without ever sending the token there. */
TEST(ready_resume_url_off_site_is_not_used)
{
    struct fakecord_opts o = { .resume_gateway_url =
                                   "wss://127.0.0.1:1/resume" };

    h_log_reset();
    h_start(&H, &o, "");
    wait_ready(&H);
    ASSERT_TRUE(h_log_has("shard 0: READY's resume URL "
                          "\"wss://127.0.0.1:1/resume\" is not on the "
                          "gateway's site"));
    ASSERT_GE(fakecord_send_reconnect(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).identifies == 2, 15000);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    ASSERT_TRUE(!h_log_has("resume URL unreachable"));
    WAIT_UNTIL(h_count(&H, "READY") == 2, 10000);
    h_teardown(&H);
}

int
main(void)
{
    RUN(identify_ready_and_guilds);
    RUN(ready_resume_url_off_site_is_not_used);
    RUN(heartbeat_interval_and_jitter);
    RUN(server_heartbeat_request_is_answered);
    RUN(op1_flood_queues_one_heartbeat);
    RUN(op1_flood_does_not_spend_the_send_budget);
    RUN(zombie_connection_resumes);
    RUN(reconnect_op7_replays_missed_events_once_in_order);
    RUN(invalid_session_resumable_resumes);
    RUN(invalid_session_not_resumable_identifies_after_delay);
    RUN(close_4000_and_drop_resume);
    RUN(session_timeout_close_identifies_anew);
    RUN(fatal_close_codes_stop_with_advice);
    RUN(disallowed_intent_at_identify_is_fatal);
    RUN(wrong_token_is_fatal_and_not_logged);
    RUN(zlib_stream_split_and_batched);
    RUN(malformed_frame_is_logged_and_connection_goes_on);
    RUN(gateway_url_from_gateway_bot_with_retries);
    RUN(gateway_bot_401_is_fatal);
    RUN(host_names_resolve_off_the_loop);
    RUN(auto_sharding_starts_the_recommended_shards);
    RUN(identifies_respect_max_concurrency);
    RUN(unreachable_resume_url_falls_back_to_identify);
    free(h_logs);
    return 0;
}
