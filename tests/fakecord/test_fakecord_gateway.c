/*
 * test_fakecord_gateway.c: the fake gateway checked with a raw websocket
 * client (tests/fakecord/fc_testclient.c): Hello, Identify, READY,
 * heartbeats, Resume, close codes, zlib-stream, limits, sharding, op 8.
 */
#include "fc_testclient.h"

/* The op 6 that resumes session `sid` from seq 2. */
static void
resume_json(char *buf, size_t cap, const char *sid)
{
    snprintf(buf, cap,
             "{\"op\":6,\"d\":{\"token\":\"test-token\",\"session_id\":\"%s\","
             "\"seq\":2}}",
             sid);
}

/* Open `path`, wait for Hello, and send resume_json(sid). */
static void
open_and_resume(struct wsc *w, fakecord *fc, const char *path, const char *sid)
{
    char resume[256];

    wsc_open(w, fakecord_port(fc), path, 0);
    WSC_WAIT(w, w->n >= 1, 5000);
    resume_json(resume, sizeof resume, sid);
    wsc_send(w, resume);
}

TEST(test_identify_ready_heartbeat)
{
    fakecord *fc = fc_start_default();
    struct fakecord_stats st;
    struct wsc w;
    char *sid = connect_identify(&w, fc, 0);
    const cJSON *d = msg_d(&w, 1);
    cJSON *ident;
    int64_t hb[4];

    ASSERT_EQ(strlen(sid), 32);
    ASSERT_TRUE(cJSON_IsTrue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(d, "user"), "bot")));
    ASSERT_CONTAINS(cJSON_GetObjectItem(d, "resume_gateway_url")->valuestring,
                    "/resume");
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(d, "guilds"), 0),
        "unavailable")));
    ASSERT_EQ(w.text_messages, 3);

    wsc_send(&w, "{\"op\":1,\"d\":2}");
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_EQ(msg_op(&w, 3), 11);
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.heartbeats, 1);
    ASSERT_EQ(st.heartbeat_acks_sent, 1);
    ASSERT_EQ(st.last_heartbeat_seq, 2);
    ASSERT_EQ(fakecord_heartbeat_times(fc, hb, 4), 1);
    ASSERT_GE(hb[0], 0);

    /* Scripted dispatch gets the next seq; op 1 from the server. */
    ASSERT_EQ(fakecord_push_event(fc, "MESSAGE_CREATE", "{\"id\":\"9\"}"), 3);
    ASSERT_EQ(fakecord_send_heartbeat_request(fc), 0);
    WSC_WAIT(&w, w.n >= 6, 5000);
    ASSERT_STREQ(msg_t(&w, 4), "MESSAGE_CREATE");
    ASSERT_EQ(msg_s(&w, 4), 3);
    ASSERT_EQ(msg_op(&w, 5), 1);

    /* Acks off: a heartbeat goes unanswered (zombie). */
    fakecord_set_heartbeat_ack(fc, 0);
    wsc_send(&w, "{\"op\":1,\"d\":3}");
    WAIT_UNTIL((fakecord_stats(fc, &st), st.heartbeats == 2) ||
                   (lws_service(w.ctx, 0), 0),
               5000);
    ASSERT_EQ(st.heartbeat_acks_sent, 1);

    ident = fakecord_last_identify(fc);
    ASSERT_STREQ(cJSON_GetObjectItem(ident, "token")->valuestring,
                 "test-token");
    cJSON_Delete(ident);
    ASSERT_EQ(st.violations, 0);
    wsc_close(&w, 1000);
    WAIT_UNTIL((fakecord_stats(fc, &st), st.live_connections == 0), 5000);
    ASSERT_EQ(st.client_close_code, 1000);
    ASSERT_EQ(st.client_closes_1000, 1);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

TEST(test_resume_replays)
{
    fakecord *fc = fc_start_default();
    struct fakecord_stats st;
    struct wsc w, r;
    char *sid = connect_identify(&w, fc, 0);
    char resume[256];
    char *v;

    /* Drop without a close frame: the session survives; events pushed
     * meanwhile are kept for the replay. */
    ASSERT_EQ(fakecord_drop(fc), 0);
    WSC_WAIT(&w, w.closed, 5000);
    ASSERT_EQ(w.peer_close_code, 0);
    WAIT_UNTIL((fakecord_stats(fc, &st), st.live_connections == 0), 5000);
    ASSERT_EQ(fakecord_push_event(fc, "MESSAGE_CREATE", "{\"n\":1}"), 3);
    ASSERT_EQ(fakecord_push_event(fc, "MESSAGE_CREATE", "{\"n\":2}"), 4);

    open_and_resume(&r, fc, "/resume?v=10&encoding=json", sid);
    WSC_WAIT(&r, r.n >= 4, 5000);
    ASSERT_EQ(msg_s(&r, 1), 3);
    ASSERT_EQ(cJSON_GetObjectItem(msg_d(&r, 2), "n")->valueint, 2);
    ASSERT_STREQ(msg_t(&r, 3), "RESUMED");
    ASSERT_EQ(msg_s(&r, 3), 5);
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.resumes_ok, 1);
    ASSERT_EQ(st.resumes_on_resume_url, 1);
    ASSERT_EQ(st.violations, 0);

    /* Resume of a dead session -> op 9 false; seq beyond -> 4007. */
    ASSERT_EQ(fakecord_send_invalid_session(fc, 0), 0);
    WSC_WAIT(&r, r.n >= 5, 5000);
    ASSERT_EQ(msg_op(&r, 4), 9);
    ASSERT_TRUE(cJSON_IsFalse(msg_d(&r, 4)));
    resume_json(resume, sizeof resume, sid);
    wsc_send(&r, resume);
    WSC_WAIT(&r, r.n >= 6, 5000);
    ASSERT_EQ(msg_op(&r, 5), 9);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "resume of unknown session");
    free(v);
    wsc_close(&r, 4000);
    wsc_free(&r);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

static void
expect_close(fakecord *fc, const char *path, const char *first,
             const char *second, int code, const char *violation)
{
    struct wsc w;
    char *v;

    wsc_open(&w, fakecord_port(fc), path, 0);
    WSC_WAIT(&w, w.n >= 1 || w.closed, 5000);
    if (first)
        wsc_send(&w, first);
    if (second)
        wsc_send(&w, second);
    WSC_WAIT(&w, w.closed, 5000);
    ASSERT_EQ(w.peer_close_code, code);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, violation);
    free(v);
    wsc_free(&w);
}

TEST(test_protocol_errors)
{
    struct fakecord_opts o = { .denied_intents =
                                   FAKECORD_INTENT_MESSAGE_CONTENT };
    fakecord *fc = fakecord_start(&o);
    char big[5000];

    ASSERT_TRUE(fc != NULL);
    expect_close(fc, "/?v=10", IDENTIFY("Bot test-token", 1), NULL, 4004,
                 "token with Bot prefix");
    expect_close(fc, "/?v=10", IDENTIFY("wrong", 1), NULL, 4004,
                 "bad token (4004)");
    expect_close(fc, "/?v=10", "{\"op\":3,\"d\":{}}", NULL, 4003,
                 "payload before identify (4003)");
    expect_close(fc, "/?v=10", IDENTIFY("test-token", 1),
                 IDENTIFY("test-token", 1), 4005, "second identify (4005)");
    expect_close(fc, "/?v=10", IDENTIFY("test-token", 131072), NULL, 4013,
                 "invalid intents (4013)");
    expect_close(fc, "/?v=10", IDENTIFY("test-token", 33281), NULL, 4014,
                 "disallowed intents (4014)");
    expect_close(fc, "/?v=10", "{not json", NULL, 4002, "non-JSON payload");
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    big[sizeof big - 1] = '\0';
    expect_close(fc, "/?v=10", big, NULL, 4002, "payload > 4096 bytes");
    expect_close(fc, "/?v=10",
                 "{\"op\":2,\"d\":{\"token\":\"test-token\",\"intents\":1,"
                 "\"shard\":[2,2],\"properties\":{\"os\":\"a\",\"browser\":"
                 "\"b\",\"device\":\"c\"}}}",
                 NULL, 4010, "invalid shard (4010)");
    expect_close(fc, "/?v=3", NULL, NULL, 4012, "invalid API version");
    fakecord_stop(fc);
}

TEST(test_zlib_stream)
{
    fakecord *fc = fc_start_default();
    struct fakecord_stats st;
    struct wsc w;
    char *sid = connect_identify(&w, fc, WSC_ZLIB);
    int before;

    ASSERT_EQ(w.binary_messages, 3);
    ASSERT_EQ(w.text_messages, 0);
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.compressed, 1);

    /* One message across 3 websocket messages: inflates only when whole. */
    fakecord_set_split(fc, 3, 0);
    before = w.ws_messages;
    ASSERT_EQ(fakecord_push_event(fc, "TYPING_START", "{\"x\":1}"), 3);
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_EQ(w.ws_messages - before, 3);
    ASSERT_STREQ(msg_t(&w, 3), "TYPING_START");

    /* As fragments of one message. */
    fakecord_set_split(fc, 4, 1);
    before = w.ws_messages;
    ASSERT_EQ(fakecord_push_event(fc, "TYPING_START", "{\"x\":2}"), 4);
    WSC_WAIT(&w, w.n >= 5, 5000);
    ASSERT_EQ(w.ws_messages - before, 1);
    fakecord_set_split(fc, 0, 0);

    /* Five dispatches in one websocket message. */
    before = w.ws_messages;
    ASSERT_EQ(fakecord_send_batch(fc, NULL, NULL, 5), 9);
    WSC_WAIT(&w, w.n >= 10, 5000);
    ASSERT_EQ(w.ws_messages - before, 1);
    ASSERT_EQ(msg_s(&w, 9), 9);
    ASSERT_STREQ(msg_t(&w, 9), "FAKECORD_BATCH");
    wsc_close(&w, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

/* zstd-stream: one context per connection, each gateway message flushed
 * and sent as exactly one binary websocket message. */
TEST(test_zstd_stream)
{
    fakecord *fc = fc_start_default();
    struct fakecord_stats st;
    struct wsc w;
    char *sid = connect_identify(&w, fc, WSC_ZSTD);
    int before;

    ASSERT_EQ(w.binary_messages, 3);
    ASSERT_EQ(w.text_messages, 0);
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.zstd, 1);
    ASSERT_EQ(st.compressed, 0);

    /* A split without fragments would break "one websocket message, one
     * gateway message": the fake keeps the message whole instead. */
    fakecord_set_split(fc, 3, 0);
    before = w.ws_messages;
    ASSERT_EQ(fakecord_push_event(fc, "TYPING_START", "{\"x\":1}"), 3);
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_EQ(w.ws_messages - before, 1);
    ASSERT_STREQ(msg_t(&w, 3), "TYPING_START");

    /* As fragments of one message. */
    fakecord_set_split(fc, 4, 1);
    before = w.ws_messages;
    ASSERT_EQ(fakecord_push_event(fc, "TYPING_START", "{\"x\":2}"), 4);
    WSC_WAIT(&w, w.n >= 5, 5000);
    ASSERT_EQ(w.ws_messages - before, 1);
    fakecord_set_split(fc, 0, 0);

    /* A batch is five websocket messages, one per dispatch. */
    before = w.ws_messages;
    ASSERT_EQ(fakecord_send_batch(fc, NULL, NULL, 5), 9);
    WSC_WAIT(&w, w.n >= 10, 5000);
    ASSERT_EQ(w.ws_messages - before, 5);
    ASSERT_EQ(msg_s(&w, 9), 9);
    ASSERT_STREQ(msg_t(&w, 9), "FAKECORD_BATCH");
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.violations, 0);
    wsc_close(&w, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

TEST(test_gateway_limits)
{
    struct fakecord_opts o = { .send_limit = 3, .send_window_ms = 60000 };
    fakecord *fc = fakecord_start(&o);
    struct fakecord_stats st;
    struct wsc w;
    char *sid, *v;

    ASSERT_TRUE(fc != NULL);
    wsc_open(&w, fakecord_port(fc), "/gateway?v=10&encoding=json", 0);
    WSC_WAIT(&w, w.n >= 1, 5000);
    ASSERT_EQ(cJSON_GetObjectItem(msg_d(&w, 0), "heartbeat_interval")->valueint,
              41250);
    wsc_send(&w, IDENTIFY("test-token", 1));
    WSC_WAIT(&w, w.n >= 3, 5000);
    sid = strdup(cJSON_GetObjectItem(msg_d(&w, 1), "session_id")->valuestring);
    wsc_send(&w, "{\"op\":1,\"d\":99}"); /* seq never sent */
    WSC_WAIT(&w, w.n >= 4, 5000);
    wsc_send(&w, "{\"op\":1,\"d\":2}");
    wsc_send(&w, "{\"op\":1,\"d\":2}"); /* 4th send in the window */
    WSC_WAIT(&w, w.closed, 5000);
    ASSERT_EQ(w.peer_close_code, 4008);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "heartbeat with seq never sent");
    ASSERT_CONTAINS(v, "over 3 sends per 60000 ms (4008)");
    free(v);
    /* A resume off the resume URL still works but is flagged. */
    wsc_free(&w);
    open_and_resume(&w, fc, "/?v=10&encoding=json", sid);
    WSC_WAIT(&w, w.n >= 2, 5000);
    ASSERT_STREQ(msg_t(&w, 1), "RESUMED");
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.resumes_on_resume_url, 0);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "resume not on resume_gateway_url");
    free(v);
    /* Text split into websocket fragments still arrives as one message. */
    fakecord_set_split(fc, 3, 1);
    ASSERT_EQ(fakecord_push_event(fc, "X", "{\"k\":\"0123456789\"}"), 4);
    WSC_WAIT(&w, w.n >= 3, 5000);
    ASSERT_STREQ(msg_t(&w, 2), "X");
    /* Raw malformed text goes out as is. */
    fakecord_set_split(fc, 0, 0);
    ASSERT_EQ(fakecord_send_raw(fc, "[1,2]", 5), 0);
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_TRUE(cJSON_IsArray(w.msgs[3]));
    /* op 7 then a server close 4000 that keeps the session. */
    ASSERT_EQ(fakecord_send_reconnect(fc), 0);
    ASSERT_EQ(fakecord_close(fc, 4000), 0);
    WSC_WAIT(&w, w.closed, 5000);
    ASSERT_EQ(msg_op(&w, 4), 7);
    ASSERT_EQ(w.peer_close_code, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

TEST(test_heartbeat_timeout)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 300,
                               .heartbeat_grace_ms = 300 };
    fakecord *fc = fakecord_start(&o);
    struct wsc w;
    char *v;

    ASSERT_TRUE(fc != NULL);
    wsc_open(&w, fakecord_port(fc), "/?v=10&encoding=json", 0);
    WSC_WAIT(&w, w.n >= 1, 5000);
    wsc_send(&w, IDENTIFY("test-token", 1));
    WSC_WAIT(&w, w.n >= 3, 5000);
    /* Heartbeats in time keep it open... */
    for (int i = 0; i < 3; i++) {
        long long t = check_now_ms_() + 100;
        WSC_WAIT(&w, check_now_ms_() > t, 1000);
        wsc_send(&w, "{\"op\":1,\"d\":2}");
    }
    ASSERT_TRUE(!w.closed);
    /* ...silence gets 4009. */
    WSC_WAIT(&w, w.closed, 5000);
    ASSERT_EQ(w.peer_close_code, 4009);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "heartbeat timeout (4009)");
    free(v);
    wsc_free(&w);
    fakecord_stop(fc);
}

TEST(test_sharding)
{
    struct fakecord_opts o = { .shards = 2,
                               .guilds = 4,
                               .max_concurrency = 1,
                               .enforce_identify_rate = 1,
                               .session_start_remaining = 2 };
    fakecord *fc = fakecord_start(&o);
    const char *ident = "{\"op\":2,\"d\":{\"token\":\"test-token\","
                        "\"intents\":1,\"shard\":[1,2],\"properties\":{"
                        "\"os\":\"a\",\"browser\":\"b\",\"device\":\"c\"}}}";
    struct resp r;
    struct wsc w, w2;
    const cJSON *sh;
    char *v;

    ASSERT_TRUE(fc != NULL);
    ASSERT_EQ(rest_call(fc, "GET", "/gateway/bot", "Bot test-token", NULL, &r),
              0);
    ASSERT_CONTAINS(r.body, "\"shards\":2");
    ASSERT_CONTAINS(r.body, "\"remaining\":2");
    wsc_open(&w, fakecord_port(fc), "/?v=10&encoding=json", 0);
    WSC_WAIT(&w, w.n >= 1, 5000);
    wsc_send(&w, ident);
    WSC_WAIT(&w, w.n >= 4, 5000); /* READY + 2 of the 4 guilds */
    sh = cJSON_GetObjectItem(msg_d(&w, 1), "shard");
    ASSERT_EQ(cJSON_GetArrayItem(sh, 0)->valueint, 1);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(msg_d(&w, 1), "guilds")),
              2);
    ASSERT_EQ(fakecord_push_event(fc, "X", "{}"), -1); /* no shard 0 */
    ASSERT_EQ(fakecord_push_event_shard(fc, 1, "X", "{}"), 4);
    WSC_WAIT(&w, w.n >= 5, 5000);
    ASSERT_STREQ(msg_t(&w, 4), "X");

    /* A second Identify for the same rate-limit key within 5 s: op 9. */
    wsc_open(&w2, fakecord_port(fc), "/?v=10&encoding=json", 0);
    WSC_WAIT(&w2, w2.n >= 1, 5000);
    wsc_send(&w2, ident);
    WSC_WAIT(&w2, w2.n >= 2, 5000);
    ASSERT_EQ(msg_op(&w2, 1), 9);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "identify concurrency exceeded");
    free(v);
    ASSERT_EQ(rest_call(fc, "GET", "/gateway/bot", "Bot test-token", NULL, &r),
              0);
    ASSERT_CONTAINS(r.body, "\"remaining\":1");
    wsc_close(&w2, 4000);
    wsc_free(&w2);
    wsc_close(&w, 4000);
    wsc_free(&w);
    fakecord_stop(fc);
}

TEST(test_request_guild_members)
{
    struct fakecord_opts o = { .guild_members = 1500 };
    fakecord *fc = fakecord_start(&o);
    struct wsc w;
    char req[256];
    const cJSON *d;
    char *v;

    ASSERT_TRUE(fc != NULL);
    wsc_open(&w, fakecord_port(fc), "/?v=10&encoding=json", 0);
    WSC_WAIT(&w, w.n >= 1, 5000);
    wsc_send(&w, IDENTIFY("test-token", 3));
    WSC_WAIT(&w, w.n >= 3, 5000);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(msg_d(&w, 2), "members")),
              1501);
    snprintf(req, sizeof req,
             "{\"op\":8,\"d\":{\"guild_id\":\"%s\",\"query\":\"\",\"limit\":0,"
             "\"nonce\":\"n1\"}}",
             cJSON_GetObjectItem(msg_d(&w, 2), "id")->valuestring);
    wsc_send(&w, req);
    WSC_WAIT(&w, w.n >= 5, 5000);
    ASSERT_STREQ(msg_t(&w, 3), "GUILD_MEMBERS_CHUNK");
    d = msg_d(&w, 4);
    ASSERT_EQ(cJSON_GetObjectItem(d, "chunk_index")->valueint, 1);
    ASSERT_EQ(cJSON_GetObjectItem(d, "chunk_count")->valueint, 2);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(d, "members")), 501);
    ASSERT_STREQ(cJSON_GetObjectItem(d, "nonce")->valuestring, "n1");
    /* Again within 30 s: RATE_LIMITED. */
    wsc_send(&w, req);
    WSC_WAIT(&w, w.n >= 6, 5000);
    ASSERT_STREQ(msg_t(&w, 5), "RATE_LIMITED");
    ASSERT_EQ(cJSON_GetObjectItem(msg_d(&w, 5), "opcode")->valueint, 8);
    /* A prefix query is capped at the limit. */
    snprintf(req, sizeof req,
             "{\"op\":8,\"d\":{\"guild_id\":\"%s\",\"query\":\"user1\","
             "\"limit\":5}}",
             cJSON_GetObjectItem(msg_d(&w, 2), "id")->valuestring);
    wsc_send(&w, req);
    WSC_WAIT(&w, w.n >= 7, 5000);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(msg_d(&w, 6), "members")),
              5);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "more than once per 30 s");
    ASSERT_NOT_CONTAINS(v, "without GUILD_MEMBERS");
    free(v);
    wsc_close(&w, 4000);
    wsc_free(&w);
    fakecord_stop(fc);
}

/* Revoking a privileged intent closes the sessions holding it with 4003
 * (the bot is not to blame), their Resume gets op 9 false without a
 * violation, and a new Identify asking for it gets 4014. */
TEST(test_revoke_intents)
{
    fakecord *fc = fc_start_default();
    struct fakecord_stats st;
    struct wsc w, r, n;
    char *sid, *v;

    wsc_open(&w, fakecord_port(fc), "/?v=10&encoding=json", 0);
    WSC_WAIT(&w, w.n >= 1, 5000);
    wsc_send(&w, IDENTIFY("test-token", 3)); /* GUILDS | GUILD_MEMBERS */
    WSC_WAIT(&w, w.n >= 3, 5000);
    sid = strdup(cJSON_GetObjectItem(msg_d(&w, 1), "session_id")->valuestring);
    ASSERT_EQ(fakecord_revoke_intents(fc, FAKECORD_INTENT_GUILD_MEMBERS), 0);
    WSC_WAIT(&w, w.closed, 5000);
    ASSERT_EQ(w.peer_close_code, 4003);

    open_and_resume(&r, fc, "/resume?v=10&encoding=json", sid);
    WSC_WAIT(&r, r.n >= 2, 5000);
    ASSERT_EQ(msg_op(&r, 1), 9);
    ASSERT_TRUE(cJSON_IsFalse(msg_d(&r, 1)));
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.violations, 0);
    ASSERT_EQ(st.frames_unsent, 0);

    wsc_open(&n, fakecord_port(fc), "/?v=10&encoding=json", 0);
    WSC_WAIT(&n, n.n >= 1, 5000);
    wsc_send(&n, IDENTIFY("test-token", 3));
    WSC_WAIT(&n, n.closed, 5000);
    ASSERT_EQ(n.peer_close_code, 4014);
    v = fakecord_violations(fc);
    ASSERT_STREQ(v, "disallowed intents (4014)\n");
    free(v);
    wsc_close(&r, 4000);
    wsc_free(&n);
    wsc_free(&r);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

int
main(void)
{
    fc_test_init();
    RUN(test_identify_ready_heartbeat);
    RUN(test_resume_replays);
    RUN(test_protocol_errors);
    RUN(test_zlib_stream);
    RUN(test_zstd_stream);
    RUN(test_gateway_limits);
    RUN(test_heartbeat_timeout);
    RUN(test_sharding);
    RUN(test_request_guild_members);
    RUN(test_revoke_intents);
    fc_test_cleanup();
    return 0;
}
